//! The note `inc exec` records: how the command ended, after how long, and
//! the output it kept.

use std::fmt::Write as _;
use std::time::Duration;

use super::mask::Masked;
use super::tail::cut_line;

/// The characters of the command line in the note; a longer one (a whole
/// script passed to `sh -c`) ends in `…`.
pub const MAX_COMMAND_CHARS: usize = 2000;

/// How a command ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// It exited with this code.
    Exited(i32),
    /// A signal killed it: its number and name (`SIGKILL`).
    Signalled { number: i32, name: String },
    /// It never ran: why, and the shell's exit code for it (127: not
    /// found, 126: found but not runnable).
    NotStarted { reason: String, code: u8 },
}

impl Outcome {
    /// The exit code inc ends with, as a shell would report it.
    pub fn exit_code(&self) -> u8 {
        match self {
            Outcome::Exited(code) => u8::try_from(*code).unwrap_or(1),
            Outcome::Signalled { number, .. } => {
                u8::try_from(128 + (*number).clamp(0, 127)).unwrap_or(255)
            }
            Outcome::NotStarted { code, .. } => *code,
        }
    }

    /// `exit 0`, `killed by SIGKILL`, `could not start: …`.
    pub fn describe(&self) -> String {
        match self {
            Outcome::Exited(code) => format!("exit {code}"),
            Outcome::Signalled { name, .. } => format!("killed by {name}"),
            Outcome::NotStarted { reason, .. } => format!("could not start: {reason}"),
        }
    }
}

/// `12.4s`, `4m 05s`, `2h 03m`.
pub fn duration(d: Duration) -> String {
    let secs = d.as_secs();
    if secs < 60 {
        // Tenths, rounded down: 59.96 s is not "60.0s".
        let tenths = d.as_millis() / 100;
        format!("{}.{}s", tenths / 10, tenths % 10)
    } else if secs < 3600 {
        format!("{}m {:02}s", secs / 60, secs % 60)
    } else {
        format!("{}h {:02}m", secs / 3600, (secs % 3600) / 60)
    }
}

/// A SIGTERM or SIGHUP inc got while the command ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stopped {
    /// Its name: `SIGTERM`.
    pub signal: String,
    /// Whether inc passed it on to the command.
    pub passed_on: bool,
}

impl Stopped {
    /// The note's sentence about it.
    fn sentence(&self) -> String {
        if self.passed_on {
            format!(
                "inc got {} while the command ran, and passed it on.",
                self.signal
            )
        } else {
            format!("inc got {} while the command ran.", self.signal)
        }
    }
}

/// The output kept for the note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Captured {
    /// The last lines, cleaned and masked.
    pub lines: Vec<String>,
    /// How many lines the command printed in all.
    pub total: u64,
    /// The output was still open when the command ended (something it
    /// started in the background holds it): later lines are not kept.
    pub still_open: bool,
}

/// The note `inc exec` records: the command line (masked and quoted) in a
/// code span, how it ended and after how long, and the captured lines in a
/// fence no line of them can close.
pub fn note_text(
    command: &Masked,
    outcome: &Outcome,
    took: Duration,
    captured: Option<&Captured>,
    stopped: Option<&Stopped>,
) -> String {
    let line = cut_line(&command.line(), MAX_COMMAND_CHARS, false);
    let mut text = format!("ran {} → {}", code_span(&line), outcome.describe());
    if !matches!(outcome, Outcome::NotStarted { .. }) {
        let _ = write!(text, " after {}", duration(took));
    }
    if let Some(stopped) = stopped {
        let _ = write!(text, "\n\n{}", stopped.sentence());
    }
    let Some(captured) = captured else {
        return text;
    };
    if matches!(outcome, Outcome::NotStarted { .. }) {
        return text;
    }
    if captured.lines.is_empty() {
        text.push_str("\n\nno output");
    } else {
        let kept = captured.lines.len() as u64;
        if kept < captured.total {
            let _ = write!(text, "\n\noutput, last {kept} of {} lines:", captured.total);
        } else {
            let _ = write!(
                text,
                "\n\noutput ({kept} line{}):",
                if kept == 1 { "" } else { "s" }
            );
        }
        let longest = captured
            .lines
            .iter()
            .map(|l| longest_run(l, '`'))
            .max()
            .unwrap_or(0);
        let fence = "`".repeat((longest + 1).max(3));
        let _ = write!(text, "\n\n{fence}\n");
        for line in &captured.lines {
            text.push_str(line);
            text.push('\n');
        }
        text.push_str(&fence);
    }
    if captured.still_open {
        text.push_str(
            "\n\nThe output was still open when the command ended (something it started in \
             the background?); what came after is not kept.",
        );
    }
    text
}

/// `s` as a Markdown code span: delimited by one backtick more than its
/// longest run, padded when it starts or ends with one.
pub(super) fn code_span(s: &str) -> String {
    let ticks = "`".repeat(longest_run(s, '`') + 1);
    if s.starts_with('`') || s.ends_with('`') {
        format!("{ticks} {s} {ticks}")
    } else {
        format!("{ticks}{s}{ticks}")
    }
}

fn longest_run(s: &str, c: char) -> usize {
    let (mut best, mut run) = (0, 0);
    for x in s.chars() {
        if x == c {
            run += 1;
            best = best.max(run);
        } else {
            run = 0;
        }
    }
    best
}
