//! The last line of defence: after rendering, every output file is scanned
//! for the text of everything internal, and the build fails rather than
//! publish one.
//!
//! Internal texts are: every note, alert text and key, label value, summary,
//! status-event text (resolve summaries, decline reasons), role holder,
//! author, action (text, owner, link) and, when a `public_title` replaces
//! it, the title; and every title and update of an incident that is not
//! public (private, test, in triage or declined).
//!
//! Texts are compared in a canonical form, so escaping can't hide them:
//! HTML/XML character references decoded, then only letters and digits
//! kept, lower-cased. A text is looked for when that form has at least
//! [`MIN_CHARS`] characters, [`MIN_LETTERS`] of them letters (shorter ones
//! could match by chance), each line of a multi-line text on its own too,
//! and when it does not also appear in a public text (a public title or
//! update, a service, inc.yaml's site title, a template's own text).
//!
//! The scan reads each file's canonical form once, [`KEY`] bytes at every
//! [`STEP`]th position: any text of at least `MIN_CHARS` bytes that occurs
//! there covers one of those positions within its first `STEP` bytes, and
//! each text is indexed under the `KEY` bytes at each of its first `STEP`
//! offsets. A position's bytes are looked up in a hash table of those keys
//! (behind a bit filter that keeps the pass in cache); a candidate is
//! confirmed by comparing the whole text. Every byte of every file is
//! scanned: a position is skipped only where no text can start unseen.

use std::sync::atomic::{AtomicUsize, Ordering};

use super::Source;
use crate::model::EventKind;
use crate::render::timeline::publishable;

pub const MIN_CHARS: usize = 12;
pub const MIN_LETTERS: usize = 6;

/// Internal text found in an output file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leak {
    /// The output file, relative to the site's folder.
    pub file: String,
    /// What the text is: `an internal note`, `a label value` ….
    pub kind: &'static str,
    /// The stored ID of the incident it belongs to.
    pub incident: String,
}

impl std::fmt::Display for Leak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} would publish {} of incident `{}`",
            self.file, self.kind, self.incident
        )
    }
}

/// Every internal text of every incident: (kind, incident ID, text).
pub fn internal_texts<'a>(sources: &'a [Source<'a>]) -> Vec<(&'static str, &'a str, &'a str)> {
    let mut out = Vec::new();
    each_internal_text(sources, |kind, id, text| out.push((kind, id, text)));
    out
}

/// Calls `found` with every internal text of every incident: (kind,
/// incident ID, text), in [`internal_texts`]' order, without collecting them.
pub fn each_internal_text<'a>(
    sources: &'a [Source<'a>],
    mut found: impl FnMut(&'static str, &'a str, &'a str),
) {
    for s in sources {
        let mut add = |kind: &'static str, text: &'a str| found(kind, s.id, text);
        let (h, state) = (s.header, s.state);
        let public = publishable(h, state).is_ok();
        if !public {
            add("the title of a non-public incident", &h.title);
            if let Some(p) = &h.public_title {
                add("the title of a non-public incident", p);
            }
        } else if let Some(p) = &h.public_title
            && *p != h.title
        {
            add("an internal title (replaced by public_title)", &h.title);
        }
        if let Some(summary) = &h.summary {
            add("a summary", summary);
        }
        for value in h.labels.values() {
            add("a label value", value);
        }
        add("an author", &h.opened_by);
        for e in s.events {
            add("an author", &e.by);
            match &e.kind {
                EventKind::Note { text, .. } => add("an internal note", text),
                EventKind::Update { text, .. } if !public => {
                    add("an update of a non-public incident", text);
                }
                EventKind::Status { text: Some(t), .. } => {
                    add("a status-event text (resolve summary or decline reason)", t);
                }
                EventKind::Role { who: Some(w), .. } => add("a role holder", w),
                EventKind::Alert { key, text, .. } => {
                    add("an alert", key);
                    if let Some(t) = text {
                        add("an alert", t);
                    }
                }
                EventKind::Action {
                    text, owner, link, ..
                } => {
                    add("an action", text);
                    for t in [owner, link].into_iter().flatten() {
                        add("an action", t);
                    }
                }
                _ => {}
            }
        }
    }
}

/// What a byte is to [`canonical`]: an ASCII letter or digit maps to
/// itself lower-cased; [`SKIP`] is dropped, [`AMP`] may start a character
/// reference and [`WIDE`] starts a non-ASCII character.
const SKIP: u8 = 0;
const AMP: u8 = 1;
const WIDE: u8 = 2;
const BYTE_CLASS: [u8; 256] = {
    let mut table = [SKIP; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = if c.is_ascii_alphanumeric() {
            c.to_ascii_lowercase()
        } else if c == b'&' {
            AMP
        } else if c >= 0x80 {
            WIDE
        } else {
            SKIP
        };
        b += 1;
    }
    table
};

/// Letters and digits only, lower-cased, after decoding character
/// references (`&lt;`, `&#x2f;`, `&#39;`; named ones other than the
/// numeric kind only stand for punctuation here and are dropped).
pub fn canonical(s: &str) -> String {
    let mut out = Vec::with_capacity(s.len());
    canonical_into(s, &mut out);
    // Only whole characters' encodings were pushed.
    String::from_utf8(out).unwrap_or_default()
}

/// [`canonical`], appended to `out` as UTF-8 bytes. Plain ASCII (most of
/// any HTML) takes one table look-up a byte and no unpredictable branch:
/// the byte's class is stored and the end moves on only for a kept one
/// (letters and markup alternate too often for a branch to be predicted).
/// `&` and non-ASCII text take the character path.
fn canonical_into(s: &str, out: &mut Vec<u8>) {
    let bytes = s.as_bytes();
    let mut end = out.len();
    // Room for every byte kept as it is; only a lower-cased character can
    // need more, and `put` makes room for it.
    out.resize(end + bytes.len(), 0);
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let class = BYTE_CLASS[usize::from(b)];
        if class == AMP || class == WIDE {
            let (next, c) = if class == AMP {
                reference(s, i).unwrap_or((i + 1, None))
            } else {
                match s[i..].chars().next() {
                    Some(c) => (i + c.len_utf8(), Some(c)),
                    None => break,
                }
            };
            if let Some(c) = c.filter(|c| c.is_alphanumeric()) {
                let mut buf = [0; 4];
                for l in c.to_lowercase() {
                    let encoded = l.encode_utf8(&mut buf).as_bytes();
                    // Keep room for the rest of the text, byte for byte.
                    let room = end + encoded.len() + (bytes.len() - next);
                    if room > out.len() {
                        out.resize(room, 0);
                    }
                    out[end..end + encoded.len()].copy_from_slice(encoded);
                    end += encoded.len();
                }
            }
            i = next;
            continue;
        }
        out[end] = class;
        end += usize::from(class != SKIP);
        i += 1;
    }
    out.truncate(end);
}

/// At the `&` at `at`: a character reference (`&` then up to 12 ASCII
/// letters, digits or `#`, then `;`) is skipped; returns the index after
/// it and the character a numeric one stands for, or `None` when no
/// reference starts here.
fn reference(s: &str, at: usize) -> Option<(usize, Option<char>)> {
    let bytes = s.as_bytes();
    let window = &bytes[at + 1..bytes.len().min(at + 14)];
    let len = window.iter().position(|&b| b == b';')?;
    let entity = &window[..len];
    if entity.is_empty()
        || !entity
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'#')
    {
        return None;
    }
    // All ASCII, so a whole `str`.
    let entity = &s[at + 1..at + 1 + len];
    let decoded = entity
        .strip_prefix("#x")
        .or_else(|| entity.strip_prefix("#X"))
        .and_then(|hex| u32::from_str_radix(hex, 16).ok())
        .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
        .and_then(char::from_u32);
    Some((at + len + 2, decoded))
}

/// Bytes a candidate is looked up by, at every `STEP`th position of a
/// file's canonical form. A text's canonical form has at least `MIN_CHARS`
/// characters, so at least as many bytes: each of its first `STEP` offsets
/// starts `KEY` of its bytes.
const KEY: usize = 8;
const STEP: usize = 5;
const _: () = assert!(KEY + STEP - 1 <= MIN_CHARS);

/// The `KEY` bytes at `at`, as a number.
fn key_at(bytes: &[u8], at: usize) -> u64 {
    let mut key = [0; KEY];
    key.copy_from_slice(&bytes[at..at + KEY]);
    u64::from_le_bytes(key)
}

fn key_hash(key: u64) -> u64 {
    let h = key.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    h ^ (h >> 29)
}

/// A hash of a canonical text, to find duplicates.
fn text_hash(text: &[u8]) -> u64 {
    let mut h = (text.len() as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let mut chunks = text.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        h = (h ^ u64::from_le_bytes(word))
            .wrapping_mul(0xC2B2_AE3D_27D4_EB4F)
            .rotate_left(29);
    }
    for &b in chunks.remainder() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01B3);
    }
    h ^ (h >> 32)
}

struct Needle {
    /// Its canonical form: `arena[start..end]`.
    start: u32,
    end: u32,
    /// Index into `incidents`.
    incident: u32,
    /// Index into `kinds`.
    kind: u8,
    excluded: bool,
}

impl Needle {
    fn range(&self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// A needle's key at one offset: the needle is `offset` bytes before the
/// position its key was found at.
#[derive(Clone, Copy)]
struct Entry {
    needle: u32,
    offset: u32,
}

/// Entries sharing a key: `order[start..end]`.
struct Group {
    key: u64,
    start: u32,
    end: u32,
}

/// The internal texts as they are collected: each distinct canonical form
/// once (the first text that has it), in one arena.
#[derive(Default)]
pub struct Needles {
    arena: Vec<u8>,
    needles: Vec<Needle>,
    incidents: Vec<String>,
    kinds: Vec<&'static str>,
    /// Open addressing over `needles`: index + 1, or 0 when empty.
    seen: Vec<u32>,
}

impl Needles {
    /// Adds internal text `text` (and each of its lines, when it has more
    /// than one) of incident `incident`.
    pub fn add(&mut self, kind: &'static str, incident: &str, text: &str) {
        // A canonical form has no more characters than the text has bytes.
        if text.len() < MIN_CHARS {
            return;
        }
        let lines = text.lines().filter(|_| text.contains('\n'));
        for piece in std::iter::once(text).chain(lines) {
            if piece.len() >= MIN_CHARS {
                self.add_piece(kind, incident, piece);
            }
        }
    }

    fn add_piece(&mut self, kind: &'static str, incident: &str, piece: &str) {
        let start = self.arena.len();
        canonical_into(piece, &mut self.arena);
        let canon = &self.arena[start..];
        let (chars, letters) = if canon.is_ascii() {
            let letters = canon.iter().filter(|b| b.is_ascii_alphabetic()).count();
            (canon.len(), letters)
        } else {
            let canon = std::str::from_utf8(canon).unwrap_or_default();
            let letters = canon.chars().filter(|c| c.is_alphabetic()).count();
            (canon.chars().count(), letters)
        };
        if chars < MIN_CHARS || letters < MIN_LETTERS {
            self.arena.truncate(start);
            return;
        }
        self.insert(kind, incident, start);
    }

    /// Keeps the canonical form at `arena[start..]` as a needle of
    /// `incident`, unless an earlier needle has the same form.
    fn insert(&mut self, kind: &'static str, incident: &str, start: usize) {
        if self.seen.len() < 2 * (self.needles.len() + 1) {
            self.grow_seen();
        }
        let mask = self.seen.len() - 1;
        let mut slot = text_hash(&self.arena[start..]) as usize & mask;
        while let Some(n) = self.seen[slot].checked_sub(1) {
            let n = n as usize;
            if self.arena[self.needles[n].range()] == self.arena[start..] {
                self.arena.truncate(start);
                // A form is the earliest incident's (by ID) that has it, in
                // whatever order parts are merged.
                if *incident < *self.incidents[self.needles[n].incident as usize] {
                    self.needles[n].incident = self.incident_index(incident);
                    self.needles[n].kind = self.kind_index(kind);
                }
                return;
            }
            slot = (slot + 1) & mask;
        }
        let (incident, kind) = (self.incident_index(incident), self.kind_index(kind));
        let end = self.arena.len();
        self.needles.push(Needle {
            start: u32::try_from(start).expect("under 4 GB of internal text"),
            end: u32::try_from(end).expect("under 4 GB of internal text"),
            incident,
            kind,
            excluded: false,
        });
        self.seen[slot] = u32::try_from(self.needles.len()).expect("fewer texts");
    }

    /// `incident`'s index in `incidents` (texts come incident by incident,
    /// so only the last one is looked at).
    fn incident_index(&mut self, incident: &str) -> u32 {
        if self.incidents.last().is_none_or(|last| last != incident) {
            self.incidents.push(incident.to_owned());
        }
        u32::try_from(self.incidents.len() - 1).expect("fewer incidents")
    }

    fn kind_index(&mut self, kind: &'static str) -> u8 {
        let k = match self.kinds.iter().position(|k| *k == kind) {
            Some(k) => k,
            None => {
                self.kinds.push(kind);
                self.kinds.len() - 1
            }
        };
        u8::try_from(k).expect("few kinds")
    }

    /// Needles collected in parts (on several cores, each part's texts
    /// in incident order), as one: each canonical form once, credited to
    /// the earliest incident by ID that has it, whatever the parts' order.
    pub fn merge(parts: Vec<Needles>) -> Needles {
        let mut parts = parts.into_iter();
        let Some(mut all) = parts.next() else {
            return Needles::default();
        };
        for part in parts {
            for needle in &part.needles {
                let start = all.arena.len();
                all.arena.extend_from_slice(&part.arena[needle.range()]);
                all.insert(
                    part.kinds[usize::from(needle.kind)],
                    &part.incidents[needle.incident as usize],
                    start,
                );
            }
        }
        all
    }

    fn grow_seen(&mut self) {
        let size = (self.seen.len() * 2).max(1024);
        self.seen = vec![0; size];
        let mask = size - 1;
        for (n, needle) in self.needles.iter().enumerate() {
            let mut slot = text_hash(&self.arena[needle.range()]) as usize & mask;
            while self.seen[slot] != 0 {
                slot = (slot + 1) & mask;
            }
            self.seen[slot] = u32::try_from(n + 1).expect("fewer texts");
        }
    }

    /// The scanner, leaving out texts that also appear in one of `public`
    /// (texts the site may show).
    pub fn finish(self, public: &[&str]) -> Scanner {
        let Needles {
            arena,
            needles,
            incidents,
            kinds,
            seen,
        } = self;
        drop(seen);
        let mut keyed: Vec<(u64, Entry)> = Vec::with_capacity(needles.len() * STEP);
        for (n, needle) in needles.iter().enumerate() {
            let needle_index = u32::try_from(n).expect("fewer texts");
            for offset in 0..STEP {
                let entry = Entry {
                    needle: needle_index,
                    offset: offset as u32,
                };
                keyed.push((key_at(&arena, needle.start as usize + offset), entry));
            }
        }
        keyed.sort_unstable_by_key(|(key, e)| (*key, e.needle, e.offset));
        let mut groups: Vec<Group> = Vec::new();
        for (at, (key, _)) in keyed.iter().enumerate() {
            let at = u32::try_from(at).expect("fewer texts");
            match groups.last_mut() {
                Some(g) if g.key == *key => g.end = at + 1,
                _ => groups.push(Group {
                    key: *key,
                    start: at,
                    end: at + 1,
                }),
            }
        }
        let order: Vec<Entry> = keyed.into_iter().map(|(_, e)| e).collect();
        // Half-empty slots; about 32 filter bits a key (1 MB for 250,000).
        let slot_bits = (groups.len() * 2)
            .next_power_of_two()
            .max(16)
            .trailing_zeros();
        let filter_bits = (groups.len() * 32)
            .next_power_of_two()
            .max(64)
            .trailing_zeros();
        let mut slots = vec![0u32; 1 << slot_bits];
        let mut filter = vec![0u64; (1 << filter_bits) / 64];
        let (slot_shift, filter_shift) = (64 - slot_bits, 64 - filter_bits);
        let mask = slots.len() - 1;
        for (g, group) in groups.iter().enumerate() {
            let h = key_hash(group.key);
            let f = (h >> filter_shift) as usize;
            filter[f / 64] |= 1 << (f % 64);
            let mut s = (h >> slot_shift) as usize;
            while slots[s] != 0 {
                s = (s + 1) & mask;
            }
            slots[s] = u32::try_from(g + 1).expect("fewer texts");
        }
        let live = needles.len();
        let mut scanner = Scanner {
            arena,
            needles,
            incidents,
            kinds,
            live,
            order,
            groups,
            slots,
            slot_shift,
            filter,
            filter_shift,
        };
        let mut corpus = Vec::new();
        for text in public {
            canonical_into(text, &mut corpus);
            corpus.push(b'|');
        }
        let mut hits = Vec::new();
        scanner.each_match(&corpus, |n| {
            hits.push(n);
            false
        });
        for n in hits {
            if !scanner.needles[n].excluded {
                scanner.needles[n].excluded = true;
                scanner.live -= 1;
            }
        }
        scanner
    }
}

/// The internal texts, ready to look for.
///
/// Every `STEP`th position of a file's canonical form is a candidate: its
/// next `KEY` bytes are hashed, checked against a bit filter (one bit a
/// key, sized to stay in cache) and, when the bit is set, looked up in an
/// open-addressing table of the keys; each needle with that key at some
/// offset is then compared whole, from that many bytes earlier. So every
/// occurrence of every needle is found, in one pass over the file.
pub struct Scanner {
    /// The needles' canonical forms, back to back.
    arena: Vec<u8>,
    needles: Vec<Needle>,
    incidents: Vec<String>,
    kinds: Vec<&'static str>,
    /// Needles not excluded.
    live: usize,
    order: Vec<Entry>,
    groups: Vec<Group>,
    /// Group index + 1, or 0 for an empty slot.
    slots: Vec<u32>,
    slot_shift: u32,
    filter: Vec<u64>,
    filter_shift: u32,
}

impl Scanner {
    /// Builds the scanner from internal texts, leaving out those that also
    /// appear in one of `public` (texts the site may show).
    pub fn new(internal: &[(&'static str, &str, &str)], public: &[&str]) -> Scanner {
        let mut needles = Needles::default();
        for (kind, incident, text) in internal {
            needles.add(kind, incident, text);
        }
        needles.finish(public)
    }

    /// Calls `found` with each needle (not excluded) whose whole text
    /// occurs in canonical `text`, in the order the scan meets them; stops when it
    /// returns true.
    fn each_match(&self, text: &[u8], mut found: impl FnMut(usize) -> bool) {
        if self.groups.is_empty() {
            return;
        }
        let mask = self.slots.len() - 1;
        let Some(last) = text.len().checked_sub(KEY) else {
            return;
        };
        for at in (0..=last).step_by(STEP) {
            let key = key_at(text, at);
            let h = key_hash(key);
            let f = (h >> self.filter_shift) as usize;
            if self.filter[f / 64] & (1 << (f % 64)) == 0 {
                continue;
            }
            let mut s = (h >> self.slot_shift) as usize;
            while let Some(g) = self.slots[s].checked_sub(1) {
                let group = &self.groups[g as usize];
                if group.key == key {
                    for entry in &self.order[group.start as usize..group.end as usize] {
                        let n = entry.needle as usize;
                        let needle = &self.needles[n];
                        if !needle.excluded
                            && let Some(start) = at.checked_sub(entry.offset as usize)
                            && text[start..].starts_with(&self.arena[needle.range()])
                            && found(n)
                        {
                            return;
                        }
                    }
                    break;
                }
                s = (s + 1) & mask;
            }
        }
    }

    /// How many internal texts are looked for.
    pub fn len(&self) -> usize {
        self.live
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn leak(&self, file: &str, n: usize) -> Leak {
        let needle = &self.needles[n];
        Leak {
            file: file.to_owned(),
            kind: self.kinds[usize::from(needle.kind)],
            incident: self.incidents[needle.incident as usize].clone(),
        }
    }

    /// The first internal text in `bytes` (any output file's contents,
    /// read as UTF-8), canonicalised into `buf`.
    pub fn find_in(&self, file: &str, bytes: &[u8], buf: &mut Vec<u8>) -> Option<Leak> {
        buf.clear();
        match std::str::from_utf8(bytes) {
            Ok(text) => canonical_into(text, buf),
            Err(_) => canonical_into(&String::from_utf8_lossy(bytes), buf),
        }
        let mut hit = None;
        self.each_match(buf, |n| {
            hit = Some(n);
            true
        });
        hit.map(|n| self.leak(file, n))
    }

    /// The first internal text in `text` (any output file's contents).
    pub fn find(&self, file: &str, text: &str) -> Option<Leak> {
        self.find_in(file, text.as_bytes(), &mut Vec::new())
    }

    /// Scans every file on all cores; the leak in the first file (in the
    /// given order) that has one.
    pub fn scan(&self, files: &[(String, Vec<u8>)]) -> Option<Leak> {
        if self.is_empty() || files.is_empty() {
            return None;
        }
        let threads = crate::par::threads().min(files.len());
        // Files are handed out one at a time, in order. A thread stops at
        // its first leak, or once the next file comes after a file already
        // known to leak: every file before the first leaky one is scanned.
        let next = AtomicUsize::new(0);
        let first = AtomicUsize::new(usize::MAX);
        let found: Vec<Option<(usize, Leak)>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads)
                .map(|_| {
                    scope.spawn(|| {
                        let mut buf = Vec::new();
                        loop {
                            let i = next.fetch_add(1, Ordering::Relaxed);
                            if i >= files.len() || i > first.load(Ordering::Relaxed) {
                                return None;
                            }
                            let (path, bytes) = &files[i];
                            if let Some(leak) = self.find_in(path, bytes, &mut buf) {
                                first.fetch_min(i, Ordering::Relaxed);
                                return Some((i, leak));
                            }
                        }
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        });
        found
            .into_iter()
            .flatten()
            .min_by_key(|(i, _)| *i)
            .map(|(_, leak)| leak)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition [`canonical`] must keep: character by character.
    fn canonical_reference(s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        let mut rest = s;
        while let Some(c) = rest.chars().next() {
            if c == '&'
                && let Some(end) = rest[1..].find(';').filter(|n| *n <= 12)
            {
                let entity = &rest[1..=end];
                if !entity.is_empty()
                    && entity
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '#')
                {
                    let decoded = entity
                        .strip_prefix("#x")
                        .or_else(|| entity.strip_prefix("#X"))
                        .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                        .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                        .and_then(char::from_u32);
                    if let Some(d) = decoded
                        && d.is_alphanumeric()
                    {
                        out.extend(d.to_lowercase());
                    }
                    rest = &rest[end + 2..];
                    continue;
                }
            }
            if c.is_alphanumeric() {
                out.extend(c.to_lowercase());
            }
            rest = &rest[c.len_utf8()..];
        }
        out
    }

    /// Strings made of pieces that stress references, case and non-ASCII.
    fn random_texts(count: usize, pieces: &[&str], max_len: u64) -> Vec<String> {
        let mut seed = 0x2545_F491_4F6C_DD1D_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        (0..count)
            .map(|_| {
                let len = next() % max_len;
                (0..len)
                    .map(|_| pieces[(next() % pieces.len() as u64) as usize])
                    .collect()
            })
            .collect()
    }

    #[test]
    fn canonical_keeps_its_definition() {
        let pieces = [
            "&",
            ";",
            "#",
            "x",
            "X",
            "4",
            "1",
            "f",
            "a",
            "Z",
            "q",
            "İ",
            "ü",
            "ß",
            "É",
            " ",
            "&amp;",
            "&#x41;",
            "&#65;",
            "&#x2f;",
            "&lt;",
            "<",
            "é",
            "\u{1F600}",
            "٣",
            "Ⅻ",
            "&#304;",
            "&#xFFFFFFFF;",
            "&#;",
            "&abcdefghijklm;",
        ];
        for text in random_texts(20_000, &pieces, 40) {
            assert_eq!(canonical(&text), canonical_reference(&text), "{text:?}");
        }
    }

    /// (canonical form, incident, kind) of every needle, in order.
    fn listed(n: &Needles) -> Vec<(Vec<u8>, String, &'static str)> {
        n.needles
            .iter()
            .map(|x| {
                (
                    n.arena[x.range()].to_vec(),
                    n.incidents[x.incident as usize].clone(),
                    n.kinds[usize::from(x.kind)],
                )
            })
            .collect()
    }

    #[test]
    fn needles_merged_from_parts_are_those_added_in_one() {
        // In twos, each duplicate falls in a later part than its first.
        let texts = [
            ("a note", "inc-a", "the primary database failed over"),
            ("a note", "inc-b", "cache cluster lost quorum twice"),
            (
                "a label value",
                "inc-b",
                "The Primary Database -- failed over!",
            ),
            ("an alert", "inc-c", "cache cluster lost quorum twice"),
            ("an alert", "inc-c", "short"),
            (
                "a summary",
                "inc-d",
                "line one is long enough\nline two is long enough",
            ),
        ];
        let of = |texts: &[(&'static str, &str, &str)]| {
            let mut needles = Needles::default();
            for (kind, id, text) in texts {
                needles.add(kind, id, text);
            }
            needles
        };
        let one = of(&texts);
        let parts: Vec<Needles> = texts.chunks(2).map(of).collect();
        let reversed: Vec<Needles> = texts.chunks(2).rev().map(of).collect();
        let merged = Needles::merge(parts);
        assert_eq!(listed(&merged), listed(&one));
        // Parts merged in another order (workers finish in any order) still
        // credit each text to the earliest incident, with its kind there.
        let mut credits = listed(&Needles::merge(reversed));
        credits.sort();
        let mut expected = listed(&one);
        expected.sort();
        assert_eq!(credits, expected);
        // Duplicates across parts were kept once, from the first incident.
        assert_eq!(listed(&one).len(), 5, "{:?}", listed(&one));
        assert!(listed(&Needles::merge(Vec::new())).is_empty());
    }

    #[test]
    fn scan_reports_the_first_leaky_file() {
        let internal = [
            ("an internal note", "i1", "The primary database is toast"),
            ("a summary", "i2", "Checkout errors for everyone"),
        ];
        let s = Scanner::new(&internal, &[]);
        let mut files: Vec<(String, Vec<u8>)> = (0..500)
            .map(|n| (format!("f{n:03}"), b"<p>nothing to see</p>".to_vec()))
            .collect();
        files[317].1 = b"checkout ERRORS for everyone".to_vec();
        files[480].1 = b"the primary database is toast".to_vec();
        let leak = s.scan(&files).unwrap();
        assert_eq!((leak.file.as_str(), leak.kind), ("f317", "a summary"));
        files[317].1 = b"fine".to_vec();
        assert_eq!(s.scan(&files).unwrap().file, "f480");
        files[480].1 = vec![0xff, b'x'];
        assert!(s.scan(&files).is_none());
    }

    #[test]
    fn the_scanner_finds_what_a_plain_search_finds() {
        let pieces = ["ab", "c", "d", "&amp;", " ", "E", "ü", "x1", "&#x61;"];
        let texts = random_texts(400, &pieces, 24);
        let internal: Vec<(&str, &str, &str)> = texts[..200]
            .iter()
            .map(|t| ("a text", "i", t.as_str()))
            .collect();
        let public: Vec<&str> = texts[200..220].iter().map(String::as_str).collect();
        let scanner = Scanner::new(&internal, &public);
        let public_canon: Vec<String> = public.iter().map(|p| canonical(p)).collect();
        let looked_for: Vec<String> = internal
            .iter()
            .map(|(_, _, t)| canonical(t))
            .filter(|c| {
                c.chars().count() >= MIN_CHARS
                    && c.chars().filter(|c| c.is_alphabetic()).count() >= MIN_LETTERS
                    && !public_canon.iter().any(|p| p.contains(c.as_str()))
            })
            .collect();
        assert!(!looked_for.is_empty());
        let mut found = 0;
        for file in &texts[150..] {
            let file = format!("<p>{file} and {file}</p>");
            let canon = canonical(&file);
            let expected = looked_for.iter().any(|c| canon.contains(c.as_str()));
            assert_eq!(scanner.find("f", &file).is_some(), expected, "{file:?}");
            found += usize::from(expected);
        }
        assert!(found > 0, "some files leak");
        // Every internal text is found in a file made of it, at every
        // alignment with the positions the scan samples, up to the file's end.
        for text in &looked_for {
            for pad in 0..2 * STEP {
                let padding = "z".repeat(pad);
                for file in [format!("{padding}{text}"), format!("{padding} {text} y")] {
                    assert!(scanner.find("f", &file).is_some(), "{file}");
                }
            }
        }
    }

    #[test]
    fn canonical_sees_through_escaping() {
        assert_eq!(canonical("Bob&#x27;s &lt;DB&gt; fix"), "bobsdbfix");
        assert_eq!(canonical("a&#x2f;b &amp; C"), "abc");
        assert_eq!(canonical("&#65;x"), "ax");
        assert_eq!(canonical("Ürün 3"), "ürün3");
        assert_eq!(canonical("a & b; c"), "abc");
    }

    #[test]
    fn finds_internal_text_escaped_and_split() {
        let internal = [
            (
                "an internal note",
                "i1",
                "The primary DB <db-01> is toast\nsecond line here ok",
            ),
            ("a summary", "i1", "short"),
            ("a label value", "i2", "Checkout errors for everyone"),
        ];
        let s = Scanner::new(&internal, &["We see Checkout errors for everyone today"]);
        assert_eq!(
            s.len(),
            3,
            "the note and its two lines; short and public texts left out"
        );
        let leak = s
            .find("index.html", "<p>The primary DB &lt;db-01&gt; is toast</p>")
            .unwrap();
        assert_eq!(leak.kind, "an internal note");
        assert_eq!(leak.incident, "i1");
        assert!(s.find("x.json", r#"{"a":"second line here ok"}"#).is_some());
        assert!(s.find("x", "Checkout errors for everyone").is_none());
        assert!(s.find("x", "nothing to see").is_none());
    }

    #[test]
    fn needles_sharing_a_prefix_are_all_checked() {
        let internal = [
            ("a", "i", "abcdefghijklmnopqrs one"),
            ("b", "i", "abcdefghijklmnopqrs two"),
        ];
        let s = Scanner::new(&internal, &[]);
        assert_eq!(s.find("f", "xx abcdefghijklmnopqrs two").unwrap().kind, "b");
    }
}
