//! The output `inc exec` keeps: the last lines of the command's stdout and
//! stderr in bounded memory, cleaned of terminal escapes and masked.

use std::collections::VecDeque;

use super::mask::mask_line;
use super::note::Captured;

/// The bytes of one line kept before cleaning: enough for 500 characters
/// and the colour codes around them; beyond this the line is cut.
pub const RAW_LINE_BYTES: usize = 4096;
/// The characters of a line in the note; longer lines end in `…`.
pub const LINE_CHARS: usize = 500;
/// The most lines `--capture` keeps.
pub const MAX_CAPTURE: usize = 1000;

/// Which of the command's outputs a chunk came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Out = 0,
    Err = 1,
}

/// The last lines of a command's stdout and stderr, in the order they
/// ended, in bounded memory: at most `keep` lines of at most
/// [`RAW_LINE_BYTES`] each, plus one partial line per stream, whatever the
/// command prints.
#[derive(Debug)]
pub struct Tail {
    keep: usize,
    pub(super) lines: VecDeque<(Vec<u8>, bool)>,
    /// The line each stream is in the middle of, and whether it was cut.
    pub(super) partial: [(Vec<u8>, bool); 2],
    total: u64,
}

impl Tail {
    pub fn new(keep: usize) -> Tail {
        Tail {
            keep: keep.max(1),
            lines: VecDeque::with_capacity(keep.clamp(1, MAX_CAPTURE)),
            partial: [(Vec::new(), false), (Vec::new(), false)],
            total: 0,
        }
    }

    /// Takes a chunk of `stream`'s output as it arrived.
    pub fn feed(&mut self, stream: Stream, mut chunk: &[u8]) {
        while !chunk.is_empty() {
            match chunk.iter().position(|&b| b == b'\n') {
                Some(i) => {
                    self.extend(stream, &chunk[..i]);
                    self.end_line(stream);
                    chunk = &chunk[i + 1..];
                }
                None => {
                    self.extend(stream, chunk);
                    break;
                }
            }
        }
    }

    fn extend(&mut self, stream: Stream, bytes: &[u8]) {
        let (line, cut) = &mut self.partial[stream as usize];
        let room = RAW_LINE_BYTES.saturating_sub(line.len());
        if bytes.len() > room {
            *cut = true;
        }
        line.extend_from_slice(&bytes[..bytes.len().min(room)]);
    }

    fn end_line(&mut self, stream: Stream) {
        self.total += 1;
        let mut buffer = if self.lines.len() >= self.keep {
            self.lines.pop_front().map(|(b, _)| b).unwrap_or_default()
        } else {
            Vec::new()
        };
        buffer.clear();
        let (line, cut) = &mut self.partial[stream as usize];
        let line = std::mem::replace(line, buffer);
        let cut = std::mem::take(cut);
        self.lines.push_back((line, cut));
    }

    /// The kept lines, a last line without a newline included, cleaned
    /// (escape sequences and control characters out), masked, cut to
    /// [`LINE_CHARS`]; `still_open` as [`Captured`] says.
    pub fn finish(mut self, secrets: &[String], still_open: bool) -> Captured {
        for stream in [Stream::Out, Stream::Err] {
            let (line, cut) = &self.partial[stream as usize];
            if !line.is_empty() || *cut {
                self.end_line(stream);
            }
        }
        let lines = self
            .lines
            .iter()
            .map(|(raw, cut)| {
                let clean = clean_line(raw);
                cut_line(&mask_line(&clean, secrets), LINE_CHARS, *cut)
            })
            .collect();
        Captured {
            lines,
            total: self.total,
            still_open,
        }
    }
}

/// A raw line as a terminal would last show it, as plain text: escape
/// sequences (colours, cursor moves, titles) removed, only what follows
/// the last carriage return (a progress bar's final state), other control
/// characters but tabs removed.
pub fn clean_line(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    let plain = strip_escapes(&text);
    let line = plain.strip_suffix('\r').unwrap_or(&plain);
    let line = line.rfind('\r').map_or(line, |i| &line[i + 1..]);
    line.chars()
        .filter(|c| *c == '\t' || !c.is_control())
        .collect()
}

/// `s` without ANSI escape sequences: CSI (`ESC [ … final`), OSC and other
/// strings (`ESC ] … BEL` or `ESC \`), and two-character escapes.
fn strip_escapes(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\x1b' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('[') => {
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
            Some(']' | 'P' | 'X' | '^' | '_') => {
                while let Some(c) = chars.next() {
                    if c == '\x07' {
                        break;
                    }
                    if c == '\x1b' && chars.peek() == Some(&'\\') {
                        chars.next();
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// At most `max` characters, ending in `…` when cut here or before (`cut`).
pub(super) fn cut_line(line: &str, max: usize, cut: bool) -> String {
    if line.chars().count() > max {
        let mut s: String = line.chars().take(max - 1).collect();
        s.push('…');
        s
    } else if cut {
        format!("{line}…")
    } else {
        line.to_owned()
    }
}
