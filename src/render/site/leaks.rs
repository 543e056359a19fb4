//! The last line of defence: after rendering, every output file (pages,
//! `feed.atom`, every `api/v2` JSON file, `style.css`) is scanned for the
//! text of everything internal, and the build fails rather than publish one.
//!
//! Internal texts are: every note, alert text and key, label value, summary,
//! status-event text (resolve summaries, decline reasons), role holder,
//! author, action (text, owner, link); when a `public_title` replaces it,
//! the title; the slug of the ID (the title at opening) unless it is the
//! slug of the public name; and every title and update of an incident that
//! is not public (private, test, in triage or declined).
//!
//! Texts are compared in a canonical form, so escaping can't hide them:
//! HTML/XML character references decoded, then only letters and digits
//! kept, lower-cased.
//!
//! # Which texts are looked for
//!
//! A text that says nothing beyond what the page says anyway is not a leak:
//! a note "Investigating" or "Degraded performance, monitoring" would
//! otherwise block every build, as the page prints those words itself. So a
//! text (and each line of a multi-line text, on its own too) is looked for
//! only when
//!
//! - it has at least [`MIN_WORDS`] words outside the page's public
//!   [`Vocabulary`]: the words of the built-in site templates, the status,
//!   impact and component-status names and labels, the fixed texts, the
//!   services' IDs, names and groups, the site's title and name, the keys of
//!   the `api/v2` JSON, plus English function words ([`FUNCTION_WORDS`]) and
//!   the common words of status communication ([`STATUS_WORDS`]). A word is
//!   a run of letters and digits (after decoding references); one-character
//!   words don't count;
//! - its canonical form has at least [`MIN_CHARS`] characters,
//!   [`MIN_LETTERS`] of them letters (shorter ones could match by chance);
//! - it does not also appear in a public text (a public title or update, a
//!   service, inc.yaml's site title, a built-in template's or the built-in
//!   stylesheet's own text): what the page may show is not a leak.
//!
//! So "Fix deployed, monitoring" (no word outside the vocabulary) is not
//! looked for; "Bob dropped prod customers table" (bob, dropped, prod, table)
//! is.
//!
//! # The matcher
//!
//! Each text's key, the first [`MIN_CHARS`] bytes of its canonical form,
//! goes into one Aho-Corasick automaton (the `aho-corasick` crate, as
//! ripgrep uses for literal sets), once per distinct key: a DFA while it
//! is small, else a contiguous NFA. Where a key occurs in a file, the texts
//! sharing it are confirmed by length, hashing the file's bytes from there
//! once up to the longest of them (then comparing byte for byte on an
//! equal hash), so the cost of an occurrence does not grow with the number
//! of texts sharing a key: the old matcher compared each of them in turn,
//! which made it quadratic on text that repeats words. Texts that appear
//! in the public texts are left out before the scan.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

use super::Source;
use crate::config::Config;
use crate::model::id;
use crate::model::{EventKind, Impact, Status};
use crate::render::timeline::publishable;

/// The scan's rules, by version: part of [`Needles::digest`], so a build
/// by an inc whose rules differ never takes another's verdict. Change it
/// with any change to what is looked for or how.
pub const SCAN_RULES: &str = "inc leak scan 1: canonical alnum lower, min 12 chars 6 letters, 2 words outside the vocabulary, public texts excluded";

pub const MIN_CHARS: usize = 12;
pub const MIN_LETTERS: usize = 6;
/// Words outside the public vocabulary a text needs to be looked for.
pub const MIN_WORDS: usize = 2;
/// How much of an internal text an error quotes.
pub const QUOTE_CHARS: usize = 80;

/// Words that carry no information on their own: a note made of them and
/// the page's own words says nothing the page doesn't.
pub const FUNCTION_WORDS: &[&str] = &[
    "a", "about", "after", "again", "all", "am", "an", "and", "any", "are", "as", "at", "be",
    "been", "before", "being", "both", "but", "by", "can", "could", "did", "do", "does", "done",
    "down", "during", "each", "for", "from", "further", "had", "has", "have", "having", "he",
    "her", "here", "him", "his", "how", "i", "if", "in", "into", "is", "it", "its", "just", "ll",
    "may", "me", "might", "more", "most", "my", "no", "nor", "not", "now", "of", "off", "on",
    "once", "only", "or", "other", "our", "ours", "out", "over", "re", "same", "she", "should",
    "so", "some", "still", "such", "than", "that", "the", "their", "them", "then", "there",
    "these", "they", "this", "those", "through", "to", "too", "under", "until", "up", "us", "ve",
    "very", "was", "we", "were", "what", "when", "where", "which", "while", "who", "why", "will",
    "with", "would", "yet", "you", "your",
];

/// The common words of status communication, which any status page's
/// updates say ("We are working on a fix", "A fix has been deployed; we
/// are monitoring the results"): a note made of them and the page's words
/// tells nothing about the incident.
pub const STATUS_WORDS: &[&str] = &[
    "affected",
    "affecting",
    "back",
    "cause",
    "continue",
    "continuing",
    "customers",
    "degraded",
    "deployed",
    "errors",
    "fix",
    "fixed",
    "fully",
    "implemented",
    "impact",
    "issue",
    "issues",
    "looking",
    "mitigated",
    "normal",
    "ongoing",
    "outage",
    "problem",
    "problems",
    "progress",
    "recovered",
    "restored",
    "results",
    "root",
    "service",
    "services",
    "stable",
    "systems",
    "update",
    "updates",
    "users",
    "working",
];

/// Internal text found in an output file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leak {
    /// The output file, relative to the site's folder.
    pub file: String,
    /// What the text is: `an internal note`, `a label value` ….
    pub kind: &'static str,
    /// The stored ID of the incident it belongs to.
    pub incident: String,
    /// The internal text as written, on one line, cut to [`QUOTE_CHARS`].
    pub text: String,
}

impl std::fmt::Display for Leak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} would publish {} of incident `{}`: \"{}\"",
            self.file, self.kind, self.incident, self.text
        )
    }
}

impl Leak {
    /// How to go on: where the text comes from and what to do about it.
    pub fn hint(&self) -> String {
        if self.kind == ID_SLUG {
            "a template under templates/site/ prints the stored ID, whose slug is the title \
             at opening: print the public `id` the templates are given instead"
                .to_owned()
        } else if self.kind == UNSCANNED {
            "the output could not be checked for internal text, so it is not published".to_owned()
        } else {
            format!(
                "if this text is meant to be public, post it as a public update \
                 (`inc update {} TEXT`); otherwise a template under templates/site/ (or \
                 templates/site/style.css) prints it: remove it there",
                self.incident
            )
        }
    }
}

/// `text` on one line (control characters as spaces), cut to
/// [`QUOTE_CHARS`] characters with `…` where cut.
pub fn quote(text: &str) -> String {
    let one_line: String = text
        .trim()
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    match one_line.char_indices().nth(QUOTE_CHARS) {
        Some((cut, _)) => format!("{}…", one_line[..cut].trim_end()),
        None => one_line,
    }
}

/// What the kind of an ID's slug is called in errors.
pub const ID_SLUG: &str = "the ID's slug (the title at opening)";

/// The slug of stored ID `id` when it can carry internal words: the part
/// after the date, its `-N` collision suffix left out, unless that is the
/// slug of the incident's public name (`public_name`, its public title
/// else its title).
fn id_slug<'a>(id: &'a str, public_name: &str) -> Option<&'a str> {
    let slug = id.get(11..).filter(|_| id::is_id(id))?;
    let public = id::slugify(public_name);
    if slug == public {
        return None;
    }
    let stripped = match slug.rsplit_once('-') {
        Some((base, n))
            if !base.is_empty() && !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) =>
        {
            base
        }
        _ => slug,
    };
    (stripped != public).then_some(stripped)
}

/// Calls `found` with every internal text of every incident: (kind,
/// incident ID, text), incident by incident.
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
        if let Some(slug) = id_slug(s.id, h.public_title.as_deref().unwrap_or(&h.title)) {
            add(ID_SLUG, slug);
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

/// Calls `each` with every word of `text`: a run of letters and digits,
/// lower-cased, after decoding character references (a reference that
/// stands for anything else separates words, as punctuation does), until
/// it returns false.
pub fn each_word(text: &str, mut each: impl FnMut(&str) -> bool) {
    let mut word = String::new();
    let mut rest = 0;
    while let Some(c) = text[rest..].chars().next() {
        let (next, decoded) = if c == '&' {
            reference(text, rest).unwrap_or((rest + 1, Some('&')))
        } else {
            (rest + c.len_utf8(), Some(c))
        };
        rest = next;
        match decoded.filter(|c| c.is_alphanumeric()) {
            Some(c) => word.extend(c.to_lowercase()),
            None if !word.is_empty() => {
                if !each(&word) {
                    return;
                }
                word.clear();
            }
            None => {}
        }
    }
    if !word.is_empty() {
        each(&word);
    }
}

/// The words a page says anyway: a text made of them (bar fewer than
/// [`MIN_WORDS`] others) is not looked for.
#[derive(Debug, Clone)]
pub struct Vocabulary {
    words: HashSet<String>,
}

impl Default for Vocabulary {
    /// [`FUNCTION_WORDS`] and [`STATUS_WORDS`].
    fn default() -> Vocabulary {
        let words = FUNCTION_WORDS
            .iter()
            .chain(STATUS_WORDS)
            .map(|w| (*w).to_owned())
            .collect();
        Vocabulary { words }
    }
}

impl Vocabulary {
    /// The page's own words (bar the `api/v2` JSON's keys, which the
    /// caller adds): those of `templates` (the built-in ones' texts), the
    /// status, impact and component-status names and labels, the fixed
    /// texts, the services' IDs, names and groups, the site's `title` and
    /// inc.yaml's `name`, with [`FUNCTION_WORDS`] and [`STATUS_WORDS`].
    pub fn page(templates: &[&str], config: &Config, title: &str) -> Vocabulary {
        use super::public::{self, ComponentStatus as C};
        let mut words = Vocabulary::default();
        for text in templates {
            words.add(text);
        }
        for &status in Status::ALL {
            words.add(status.as_str());
            words.add(public::status_label(status));
            words.add(public::statuspage_status(status));
        }
        for &impact in Impact::ALL {
            words.add(impact.as_str());
            words.add(public::impact_label(impact));
            words.add(public::statuspage_impact(impact));
        }
        for c in [
            C::Operational,
            C::UnderMaintenance,
            C::DegradedPerformance,
            C::PartialOutage,
            C::MajorOutage,
        ] {
            words.add(c.as_str());
            words.add(c.label());
        }
        for text in public::FIXED_TEXTS {
            words.add(text);
        }
        for s in &config.services {
            words.add(&s.id);
            for text in [&s.name, &s.group].into_iter().flatten() {
                words.add(text);
            }
        }
        words.add(title);
        if let Some(name) = &config.name {
            words.add(name);
        }
        words
    }

    /// Adds every word of `text`.
    pub fn add(&mut self, text: &str) {
        each_word(text, |w| {
            if !self.words.contains(w) {
                self.words.insert(w.to_owned());
            }
            true
        });
    }

    /// How many words of `text` (of two characters or more) are not in
    /// the vocabulary, counting up to `enough`.
    pub fn outside(&self, text: &str, enough: usize) -> usize {
        let mut count = 0;
        each_word(text, |w| {
            if w.chars().nth(1).is_some() && !self.words.contains(w) {
                count += 1;
            }
            count < enough
        });
        count
    }

    /// Whether `text` says enough beyond the vocabulary to be looked for.
    pub fn says_more(&self, text: &str) -> bool {
        self.outside(text, MIN_WORDS) >= MIN_WORDS
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
    /// Its canonical form: `arena[canon]`.
    canon: std::ops::Range<usize>,
    /// The text as written: `texts[text]`.
    text: std::ops::Range<usize>,
    /// Index into `incidents`.
    incident: u32,
    /// Index into `kinds`.
    kind: u8,
}

/// The internal texts as they are collected: each distinct canonical form
/// once (the first text that has it), in one arena, with the text as
/// written (for the error that quotes it, and for the word rule, applied by
/// [`Needles::finish`] once the vocabulary is known).
#[derive(Default)]
pub struct Needles {
    arena: Vec<u8>,
    texts: String,
    needles: Vec<Needle>,
    incidents: Vec<String>,
    kinds: Vec<&'static str>,
    /// Open addressing over `needles`: index + 1, or 0 when empty.
    seen: Vec<usize>,
    /// The sum of a 128-bit hash of every piece added (canonical form and
    /// text), duplicates included: the same texts give the same sum in
    /// whatever order and parts they were added ([`scan_digest`]).
    sum: u128,
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
        let canon = &self.arena[start..];
        let h = text_hash(canon);
        let piece_hash =
            (u128::from(h) << 64) | u128::from(text_hash(piece.as_bytes()) ^ h.rotate_left(17));
        self.sum = self.sum.wrapping_add(piece_hash);
        self.insert(kind, incident, start, piece);
    }

    /// Keeps the canonical form at `arena[start..]` (of `text`) as a needle
    /// of `incident`, unless an earlier needle has the same form.
    fn insert(&mut self, kind: &'static str, incident: &str, start: usize, text: &str) {
        if self.seen.len() < 2 * (self.needles.len() + 1) {
            self.grow_seen();
        }
        let mask = self.seen.len() - 1;
        let mut slot = text_hash(&self.arena[start..]) as usize & mask;
        while let Some(n) = self.seen[slot].checked_sub(1) {
            if self.arena[self.needles[n].canon.clone()] == self.arena[start..] {
                self.arena.truncate(start);
                // A form is the earliest incident's (by ID) that has it, in
                // whatever order parts are merged, with its text there.
                if *incident < *self.incidents[self.needles[n].incident as usize] {
                    self.needles[n].incident = self.incident_index(incident);
                    self.needles[n].kind = self.kind_index(kind);
                    let text_start = self.texts.len();
                    self.texts.push_str(text);
                    self.needles[n].text = text_start..self.texts.len();
                }
                return;
            }
            slot = (slot + 1) & mask;
        }
        let incident = self.incident_index(incident);
        let kind = self.kind_index(kind);
        let text_start = self.texts.len();
        self.texts.push_str(text);
        self.needles.push(Needle {
            canon: start..self.arena.len(),
            text: text_start..self.texts.len(),
            incident,
            kind,
        });
        self.seen[slot] = self.needles.len();
    }

    /// `incident`'s index in `incidents` (texts come incident by incident,
    /// so only the last one is looked at).
    fn incident_index(&mut self, incident: &str) -> u32 {
        if self.incidents.last().is_none_or(|last| last != incident) {
            self.incidents.push(incident.to_owned());
        }
        u32::try_from(self.incidents.len() - 1).unwrap_or(u32::MAX)
    }

    fn kind_index(&mut self, kind: &'static str) -> u8 {
        let k = match self.kinds.iter().position(|k| *k == kind) {
            Some(k) => k,
            None => {
                self.kinds.push(kind);
                self.kinds.len() - 1
            }
        };
        u8::try_from(k).unwrap_or(u8::MAX)
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
            all.sum = all.sum.wrapping_add(part.sum);
            for needle in &part.needles {
                let start = all.arena.len();
                all.arena
                    .extend_from_slice(&part.arena[needle.canon.clone()]);
                all.insert(
                    part.kinds[usize::from(needle.kind)],
                    &part.incidents[needle.incident as usize],
                    start,
                    &part.texts[needle.text.clone()],
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
            let mut slot = text_hash(&self.arena[needle.canon.clone()]) as usize & mask;
            while self.seen[slot] != 0 {
                slot = (slot + 1) & mask;
            }
            self.seen[slot] = n + 1;
        }
    }

    /// The sum of the pieces' hashes ([`scan_digest`]).
    pub fn sum(&self) -> u128 {
        self.sum
    }

    /// The scanner: the needles with at least [`MIN_WORDS`] words outside
    /// `vocabulary`, each marked skipped when it also appears in one of
    /// `public` (texts the site may show).
    pub fn finish(self, public: &[&str], vocabulary: &Vocabulary) -> Scanner {
        let Needles {
            arena,
            texts,
            needles,
            incidents,
            kinds,
            seen,
            sum: _,
        } = self;
        drop(seen);
        // The word rule on all cores: it looks words up one by one.
        let says_more: Vec<bool> = crate::par::chunks(&needles, |run| {
            run.iter()
                .map(|n| vocabulary.says_more(&texts[n.text.clone()]))
                .collect::<Vec<bool>>()
        })
        .concat();
        let mut found: Vec<Found> = Vec::with_capacity(needles.len());
        for (needle, says_more) in needles.into_iter().zip(says_more) {
            if says_more {
                found.push(Found {
                    canon: needle.canon,
                    text: needle.text,
                    incident: needle.incident,
                    kind: needle.kind,
                    skipped: false,
                    group: 0,
                    hash: 0,
                });
            }
        }
        let mut scanner = Scanner {
            matcher: Ok(None),
            groups: Vec::new(),
            lengths: Vec::new(),
            slots: Vec::new(),
            live: found.len(),
            found,
            arena,
            texts,
            incidents,
            kinds,
        };
        scanner.index();
        // On all cores: on text that repeats words nearly every word of
        // the public texts is a key's hit (measured on 10,000 incidents of
        // a 50-word vocabulary: 208 ms on one core, the longest step of
        // making the scanner, while the other core sat idle).
        let hits: Vec<usize> = crate::par::chunks(public, |texts| {
            let mut corpus = Vec::new();
            for text in texts {
                canonical_into(text, &mut corpus);
                // Not a letter or digit: no text spans two public texts.
                corpus.push(b'|');
            }
            let mut hits = Vec::new();
            let _ = scanner.each_match(&corpus, |n| {
                hits.push(n);
                false
            });
            hits
        })
        .concat();
        for n in hits {
            if !scanner.found[n].skipped {
                scanner.found[n].skipped = true;
                scanner.live -= 1;
            }
        }
        if scanner.live < scanner.found.len() {
            // Without the skipped texts: their keys would only make the
            // scan stop, to no avail, wherever the page prints them.
            scanner.found.retain(|f| !f.skipped);
            scanner.index();
        }
        scanner
    }
}

/// A digest of everything the scan's verdict depends on: the internal
/// texts (`sum`, of [`Needles::sum`] of every part), the `public` texts,
/// the `vocabulary` and the rules ([`SCAN_RULES`]). Two builds with the
/// same digest pass or fail a file alike, so a file that passed the last
/// build's scan, unchanged since, passes again unscanned.
///
/// Keyed with `key`, secret to the clone: the digest is recorded in the
/// site's folder, and unkeyed it would let anyone confirm a guess of every
/// internal text. The internal texts enter as a sum of 128-bit hashes, not
/// a cryptographic digest: the scan guards against mistakes, and a sum
/// needs no sorting or merging of the texts, which a rebuild that scans
/// nothing then skips.
pub fn scan_digest(key: &[u8], sum: u128, public: &[&str], vocabulary: &Vocabulary) -> [u8; 20] {
    use sha1::{Digest as _, Sha1};
    let mut h = Sha1::new();
    h.update(key);
    let mut part = |bytes: &[u8]| {
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    };
    part(SCAN_RULES.as_bytes());
    part(env!("CARGO_PKG_VERSION").as_bytes());
    part(&sum.to_le_bytes());
    part(b"public");
    for text in public {
        part(text.as_bytes());
    }
    part(b"vocabulary");
    let mut words: Vec<&String> = vocabulary.words.iter().collect();
    words.sort_unstable();
    for w in words {
        part(w.as_bytes());
    }
    h.finalize().into()
}

/// How many bytes of a text's canonical form its key is: the automaton
/// holds each distinct key once, so its size (and the time to build it)
/// grows with the number of distinct keys, not with the texts' length.
/// Longer keys (16, 24, 32) hit less often on text that repeats words but
/// make a larger automaton; on the bench's three corpora none was faster.
const KEY: usize = MIN_CHARS;

/// The most states (trie nodes) the automaton is built as a DFA for: at
/// most 256 bytes each (64 byte classes of 4 bytes), so ~100 MB.
const DFA_STATES: usize = 400_000;

/// How many nodes a trie of `keys` has (sorts them): each key adds the
/// bytes it does not share with the one before it.
fn trie_nodes(keys: &mut [&[u8]]) -> usize {
    keys.sort_unstable();
    let mut nodes = 0;
    let mut previous: &[u8] = &[];
    for key in keys.iter() {
        let shared = key.iter().zip(previous).take_while(|(a, b)| a == b).count();
        nodes += key.len() - shared;
        previous = key;
    }
    nodes
}

/// The polynomial hash [`Scanner`] confirms a candidate by, one byte at a
/// time (so it extends over a file as lengths grow).
fn extend_hash(h: u64, byte: u8) -> u64 {
    h.wrapping_mul(0x100_0000_01B3)
        .wrapping_add(u64::from(byte) + 1)
}

/// Where text of `group` with canonical hash `hash` starts probing, in a
/// table of `size` (a power of two) slots.
fn slot_of(group: u32, hash: u64, size: usize) -> usize {
    let h = (hash ^ u64::from(group).rotate_left(32)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (h >> 32) as usize & (size - 1)
}

/// What the scanner knows of a text it looks for.
struct Found {
    /// Its canonical form: `arena[canon]`.
    canon: std::ops::Range<usize>,
    /// The text as written: `texts[text]`.
    text: std::ops::Range<usize>,
    incident: u32,
    kind: u8,
    /// Also in a public text.
    skipped: bool,
    /// Its key's group and the hash of its canonical form.
    group: u32,
    hash: u64,
}

/// The texts sharing one key: `lengths[start..end]` are their distinct
/// canonical lengths, ascending.
struct Group {
    start: u32,
    end: u32,
}

/// The internal texts, ready to look for.
///
/// Each text's key (the first [`KEY`] bytes of its canonical form, or all
/// of a shorter one) goes into one Aho-Corasick automaton (the
/// `aho-corasick` crate, as ripgrep uses for literal sets), once per
/// distinct key. Where a key occurs in a file, the texts that share it are
/// confirmed by length: the file's bytes from there are hashed once, up to
/// the longest of them, and at each of their lengths the hash is looked up
/// (then compared byte for byte). So a key occurrence costs at most the
/// longest text's length, however many texts share the key: no text is
/// compared one by one with its siblings, which made the old matcher
/// quadratic on text that repeats words.
pub struct Scanner {
    /// `None` when nothing is looked for; an error when the automaton
    /// could not be built (then every file is refused: the build can't
    /// tell it is safe). Pattern `g` is the key of `groups[g]`.
    matcher: Result<Option<AhoCorasick>, String>,
    groups: Vec<Group>,
    lengths: Vec<u32>,
    /// Open addressing over `found` by (group, hash): index + 1, or 0
    /// when empty.
    slots: Vec<u32>,
    found: Vec<Found>,
    arena: Vec<u8>,
    texts: String,
    incidents: Vec<String>,
    kinds: Vec<&'static str>,
    /// Texts not skipped.
    live: usize,
}

#[cfg(test)]
thread_local! {
    /// Steps of confirming key hits on this thread (bytes hashed, table
    /// slots probed): the tests' measure of the scan's work, which unlike
    /// a clock does not depend on the machine.
    static WORK: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

#[cfg(test)]
fn count_work(steps: usize) {
    WORK.with(|w| w.set(w.get() + steps));
}

/// What the leak of a scan that could not be made is called.
pub const UNSCANNED: &str = "text it could not scan (the leak scan could not be built)";

impl Scanner {
    /// Builds the scanner from internal texts, leaving out those that also
    /// appear in one of `public` (texts the site may show) and those with
    /// fewer than [`MIN_WORDS`] words outside `vocabulary`.
    pub fn new(
        internal: &[(&'static str, &str, &str)],
        public: &[&str],
        vocabulary: &Vocabulary,
    ) -> Scanner {
        let mut needles = Needles::default();
        for (kind, incident, text) in internal {
            needles.add(kind, incident, text);
        }
        needles.finish(public, vocabulary)
    }

    /// Groups the texts by key, builds the automaton of the keys and the
    /// table of (group, length, hash).
    fn index(&mut self) {
        self.matcher = Ok(None);
        self.groups.clear();
        self.lengths.clear();
        self.slots.clear();
        if self.found.is_empty() {
            return;
        }
        let Ok(count) = u32::try_from(self.found.len()) else {
            self.matcher = Err("too many internal texts".to_owned());
            return;
        };
        let arena = &self.arena;
        let mut group_of: HashMap<&[u8], u32> = HashMap::new();
        let mut keys: Vec<&[u8]> = Vec::new();
        // (group, length) of every text, to list each group's lengths.
        let mut sized: Vec<(u32, u32)> = Vec::with_capacity(self.found.len());
        for f in &mut self.found {
            let canon = &arena[f.canon.clone()];
            let k = &canon[..canon.len().min(KEY)];
            f.group = *group_of.entry(k).or_insert_with(|| {
                keys.push(k);
                u32::try_from(keys.len() - 1).unwrap_or(u32::MAX)
            });
            f.hash = canon.iter().fold(0, |h, &b| extend_hash(h, b));
            sized.push((f.group, u32::try_from(canon.len()).unwrap_or(u32::MAX)));
        }
        drop(group_of);
        let size = (2 * self.found.len()).next_power_of_two();
        self.slots = vec![0; size];
        for (n, f) in (1..=count).zip(&self.found) {
            let mut slot = slot_of(f.group, f.hash, size);
            while self.slots[slot] != 0 {
                slot = (slot + 1) & (size - 1);
            }
            self.slots[slot] = n;
        }
        sized.sort_unstable();
        sized.dedup();
        self.groups = Vec::with_capacity(keys.len());
        self.lengths = Vec::with_capacity(sized.len());
        for (i, (g, len)) in sized.iter().enumerate() {
            if self.groups.len() <= *g as usize {
                let at = u32::try_from(i).unwrap_or(u32::MAX);
                self.groups.push(Group { start: at, end: at });
            }
            self.lengths.push(*len);
            if let Some(group) = self.groups.last_mut() {
                group.end += 1;
            }
        }
        // A DFA (one table look-up a byte) while it stays small: its
        // table has up to 64 slots of 4 bytes a state (byte classes
        // rounded up), a state a key byte at most. Past that, the
        // contiguous NFA, compact but slower.
        // Sorted apart: pattern `g` must stay group `g`.
        let kind = if trie_nodes(&mut keys.clone()) <= DFA_STATES {
            AhoCorasickKind::DFA
        } else {
            AhoCorasickKind::ContiguousNFA
        };
        self.matcher = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .kind(Some(kind))
            .build(&keys)
            .map(Some)
            .map_err(|e| e.to_string());
    }

    /// Calls `found` with each text looked for (not skipped) that occurs
    /// in canonical `text`, in the order the scan meets them; stops when
    /// it returns true. An error when the matcher could not be built or
    /// run.
    fn each_match(&self, text: &[u8], mut found: impl FnMut(usize) -> bool) -> Result<(), String> {
        let matcher = match &self.matcher {
            Ok(Some(matcher)) => matcher,
            Ok(None) => return Ok(()),
            Err(e) => return Err(e.clone()),
        };
        let matches = matcher
            .try_find_overlapping_iter(text)
            .map_err(|e| e.to_string())?;
        for m in matches {
            let g = m.pattern().as_u32();
            let Some(group) = self.groups.get(g as usize) else {
                continue;
            };
            let rest = &text[m.start()..];
            let (mut hash, mut hashed) = (0, 0);
            for &len in &self.lengths[group.start as usize..group.end as usize] {
                let Some(candidate) = rest.get(..len as usize) else {
                    break;
                };
                for &b in &candidate[hashed..] {
                    hash = extend_hash(hash, b);
                }
                #[cfg(test)]
                count_work(candidate.len() - hashed);
                hashed = candidate.len();
                let mut slot = slot_of(g, hash, self.slots.len());
                while let Some(i) = self.slots[slot].checked_sub(1) {
                    #[cfg(test)]
                    count_work(1);
                    let f = &self.found[i as usize];
                    if f.group == g
                        && f.hash == hash
                        && !f.skipped
                        && self.arena[f.canon.clone()] == *candidate
                        && found(i as usize)
                    {
                        return Ok(());
                    }
                    slot = (slot + 1) & (self.slots.len() - 1);
                }
            }
        }
        Ok(())
    }

    /// How many internal texts are looked for.
    pub fn len(&self) -> usize {
        self.live
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0 && self.matcher.is_ok()
    }

    fn leak(&self, file: &str, n: usize) -> Leak {
        let found = &self.found[n];
        Leak {
            file: file.to_owned(),
            kind: self.kinds[usize::from(found.kind)],
            incident: self.incidents[found.incident as usize].clone(),
            text: quote(&self.texts[found.text.clone()]),
        }
    }

    /// The first internal text in `bytes` (any output file's contents,
    /// read as UTF-8), canonicalised into `buf`.
    pub fn find_in(&self, file: &str, bytes: &[u8], buf: &mut Vec<u8>) -> Option<Leak> {
        if self.is_empty() {
            return None;
        }
        buf.clear();
        match std::str::from_utf8(bytes) {
            Ok(text) => canonical_into(text, buf),
            Err(_) => canonical_into(&String::from_utf8_lossy(bytes), buf),
        }
        let mut hit = None;
        let scanned = self.each_match(buf, |n| {
            hit = Some(n);
            true
        });
        match scanned {
            Ok(()) => hit.map(|n| self.leak(file, n)),
            Err(error) => Some(Leak {
                file: file.to_owned(),
                kind: UNSCANNED,
                incident: String::new(),
                text: quote(&error),
            }),
        }
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
                    n.arena[x.canon.clone()].to_vec(),
                    n.incidents[x.incident as usize].clone(),
                    n.kinds[usize::from(x.kind)],
                )
            })
            .collect()
    }

    #[test]
    fn the_texts_sum_is_the_same_whatever_the_parts_and_order() {
        let texts = [
            (
                "note",
                "2026-01-01-a",
                "Bob dropped the prod customers table",
            ),
            (
                "note",
                "2026-01-02-b",
                "Rolled back the payments deploy at noon",
            ),
            (
                "note",
                "2026-01-03-c",
                "Bob dropped the prod customers table",
            ),
        ];
        let mut one = Needles::default();
        for (kind, id, text) in texts {
            one.add(kind, id, text);
        }
        let (mut a, mut b) = (Needles::default(), Needles::default());
        b.add(texts[2].0, texts[2].1, texts[2].2);
        b.add(texts[0].0, texts[0].1, texts[0].2);
        a.add(texts[1].0, texts[1].1, texts[1].2);
        let sum = |parts: &[&Needles]| parts.iter().fold(0u128, |s, n| s.wrapping_add(n.sum()));
        assert_eq!(sum(&[&a, &b]), one.sum());
        assert_eq!(Needles::merge(vec![b, a]).sum(), one.sum());
        let mut other = Needles::default();
        other.add(
            "note",
            "2026-01-01-a",
            "Bob dropped the prod customers tables",
        );
        other.add(texts[1].0, texts[1].1, texts[1].2);
        other.add(texts[2].0, texts[2].1, texts[2].2);
        assert_ne!(other.sum(), one.sum(), "one text changed: another sum");
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
        let s = Scanner::new(&internal, &[], &Vocabulary::default());
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

    /// The texts a scanner made from `internal` and `public` must look
    /// for, by the definition: long enough, saying more than the
    /// vocabulary, and in no public text.
    fn looked_for(internal: &[&str], public: &[&str], vocabulary: &Vocabulary) -> Vec<String> {
        let public_canon: Vec<String> = public.iter().map(|p| canonical(p)).collect();
        let mut pieces: Vec<&str> = Vec::new();
        for t in internal {
            pieces.push(t);
            if t.contains('\n') {
                pieces.extend(t.lines());
            }
        }
        pieces
            .into_iter()
            .filter(|t| vocabulary.says_more(t))
            .map(canonical)
            .filter(|c| {
                c.chars().count() >= MIN_CHARS
                    && c.chars().filter(|c| c.is_alphabetic()).count() >= MIN_LETTERS
                    && !public_canon.iter().any(|p| p.contains(c.as_str()))
            })
            .collect()
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
        let vocabulary = Vocabulary::default();
        let scanner = Scanner::new(&internal, &public, &vocabulary);
        let plain: Vec<&str> = internal.iter().map(|(_, _, t)| *t).collect();
        let looked_for = looked_for(&plain, &public, &vocabulary);
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
        // Every internal text is found in a file made of it, wherever it
        // starts, up to the file's end.
        for text in &looked_for {
            for pad in 0..10 {
                let padding = "z".repeat(pad);
                for file in [format!("{padding}{text}"), format!("{padding} {text} y")] {
                    assert!(scanner.find("f", &file).is_some(), "{file}");
                }
            }
        }
    }

    /// Words of the issue's worst case: texts that repeat a few words, so
    /// many texts share every prefix (for the differential test).
    const FEW_WORDS: &[&str] = &[
        "cache", "disk", "lock", "pool", "retry", "queue", "node", "slow", "db", "&amp;", "Cache",
    ];

    fn words_of(picks: &[usize]) -> String {
        let words: Vec<&str> = picks
            .iter()
            .map(|&i| FEW_WORDS[i % FEW_WORDS.len()])
            .collect();
        words.join(" ")
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]

        /// Differential: the scanner reports a leak exactly when a naive
        /// search (every looked-for text, `contains` on canonical forms)
        /// finds one, and what it reports does occur in the file.
        #[test]
        fn the_scanner_agrees_with_a_naive_scan(
            internal in proptest::collection::vec(proptest::collection::vec(0usize..64, 1..8), 1..40),
            public in proptest::collection::vec(proptest::collection::vec(0usize..64, 1..12), 0..6),
            files in proptest::collection::vec(proptest::collection::vec(0usize..64, 0..40), 1..6),
        ) {
            let internal: Vec<String> = internal.iter().map(|p| words_of(p)).collect();
            let public: Vec<String> = public.iter().map(|p| words_of(p)).collect();
            let public: Vec<&str> = public.iter().map(String::as_str).collect();
            let texts: Vec<(&str, &str, &str)> = internal
                .iter()
                .map(|t| ("an internal note", "i", t.as_str()))
                .collect();
            let vocabulary = Vocabulary::default();
            let scanner = Scanner::new(&texts, &public, &vocabulary);
            let plain: Vec<&str> = internal.iter().map(String::as_str).collect();
            let expected = looked_for(&plain, &public, &vocabulary);
            proptest::prop_assert_eq!(scanner.len(), {
                let mut distinct = expected.clone();
                distinct.sort();
                distinct.dedup();
                distinct.len()
            });
            for file in &files {
                let file = format!("<li>{}</li>", words_of(file));
                let canon = canonical(&file);
                let naive = expected.iter().any(|c| canon.contains(c.as_str()));
                let leak = scanner.find("f.html", &file);
                proptest::prop_assert_eq!(leak.is_some(), naive, "{}", file);
                if let Some(leak) = leak {
                    proptest::prop_assert!(canon.contains(&canonical(&leak.text)), "{:?}", leak);
                }
            }
        }
    }

    #[test]
    fn repeated_words_scan_in_linear_time() {
        // The issue's worst case for the old matcher: thousands of texts
        // sharing their first words, and a page printing those words over
        // and over. The old matcher compared every text sharing a key at
        // each such place, so ten times the texts took ten times the work
        // (15.9 s for this 2 MB page and 20,000 texts in a debug build, on
        // commit 0939610). This one confirms all of them with one hash of
        // the page's bytes there: its work must not grow with their number.
        let page = "<p>cache disk lock pool retry queue</p> ".repeat(50_000);
        let work = |count: usize| {
            let texts: Vec<String> = (0..count)
                .map(|n| format!("cache disk lock pool retry {n}"))
                .collect();
            let internal: Vec<(&str, &str, &str)> = texts
                .iter()
                .map(|t| ("an internal note", "i", t.as_str()))
                .collect();
            let scanner = Scanner::new(&internal, &[], &Vocabulary::default());
            assert_eq!(scanner.len(), count);
            let before = WORK.with(std::cell::Cell::get);
            assert!(scanner.find("f", &page).is_none());
            (scanner, WORK.with(std::cell::Cell::get) - before)
        };
        let (_, few) = work(2_000);
        let (scanner, many) = work(20_000);
        assert!(few > 0, "the work is counted");
        assert!(
            many * 10 < few * 12,
            "ten times the texts: {few} steps became {many}"
        );
        assert!(
            many < 40 * page.len(),
            "{many} steps for a page of {} bytes",
            page.len()
        );
        // And it still finds one of them there.
        let leaky = format!("{page}<p>cache disk lock pool retry 12345</p>");
        let leak = scanner.find("f", &leaky).expect("a leak");
        // (The first found: "… retry 1", a prefix of it, is a text too.)
        assert!(
            leak.text.starts_with("cache disk lock pool retry 1"),
            "{leak:?}"
        );
        assert!(leaky.contains(&format!("<p>{}", leak.text)), "{leak:?}");
    }

    /// The vocabulary a site of the built-in templates and the default
    /// config has (bar the JSON keys).
    fn page_vocabulary() -> Vocabulary {
        let templates: Vec<&str> = crate::render::templates::BUILTINS
            .iter()
            .filter(|(name, _)| name.starts_with("site/"))
            .map(|(_, source)| *source)
            .collect();
        Vocabulary::page(&templates, &Config::default(), "Status")
    }

    #[test]
    fn common_outage_phrases_are_not_looked_for() {
        let vocabulary = page_vocabulary();
        let phrases = [
            "Investigating",
            "Degraded performance",
            "Operational",
            "Affected components",
            "We are investigating",
            "We are investigating the issue",
            "Still investigating",
            "Monitoring",
            "Identified",
            "Major outage",
            "Partial outage",
            "All systems operational",
            "Resolved",
            "Fix deployed, monitoring",
            "A fix has been implemented and we are monitoring the results",
            "We are continuing to monitor",
            "Service restored",
            "Issue identified, working on a fix",
            "Back to normal",
            "Under maintenance",
            "Scheduled maintenance in progress",
            "Degraded performance; investigating",
        ];
        for phrase in phrases {
            assert!(
                !vocabulary.says_more(phrase),
                "{phrase:?} would be looked for"
            );
            let internal = [("an internal note", "i", phrase)];
            let scanner = Scanner::new(&internal, &[], &vocabulary);
            assert!(scanner.is_empty(), "{phrase:?}");
            assert!(
                scanner
                    .find("index.html", &format!("<p>{phrase}</p>"))
                    .is_none()
            );
        }
    }

    #[test]
    fn real_internal_text_is_still_looked_for() {
        let vocabulary = page_vocabulary();
        for text in [
            "Bob dropped prod customers table",
            "db7.prod.acme.internal hunter2",
            "Investigating: Bob dropped the table",
            "Rolled back deploy 4f2a1c9",
            "Paged carol from the payments team",
        ] {
            assert!(
                vocabulary.says_more(text),
                "{text:?} would not be looked for"
            );
            let internal = [("an internal note", "i", text)];
            let scanner = Scanner::new(&internal, &[], &vocabulary);
            let leak = scanner
                .find(
                    "index.html",
                    &format!("<p>{}</p>", text.replace('.', "&#46;")),
                )
                .expect(text);
            assert_eq!(leak.text, text);
        }
    }

    #[test]
    fn words_are_runs_of_letters_and_digits_after_decoding() {
        let mut words = Vec::new();
        each_word("Bob&#39;s <DB-01> &#x44;ROP &amp;ped!", |w| {
            words.push(w.to_owned());
            true
        });
        assert_eq!(words, ["bob", "s", "db", "01", "drop", "ped"]);
        let vocabulary = Vocabulary::default();
        // One-character words and function words don't count.
        assert_eq!(vocabulary.outside("a b c of the x y", 9), 0);
        assert_eq!(vocabulary.outside("prod db of the x", 9), 2);
    }

    #[test]
    fn an_error_quotes_at_most_80_characters_on_one_line() {
        assert_eq!(quote("  two\nlines "), "two lines");
        let long = "é".repeat(100);
        let quoted = quote(&long);
        assert_eq!(quoted.chars().count(), QUOTE_CHARS + 1);
        assert!(quoted.ends_with('…'));
    }

    #[test]
    fn an_id_slug_is_internal_unless_it_is_the_public_names() {
        assert_eq!(
            id_slug(
                "2026-11-27-bob-dropped-prod-customers-table",
                "Database outage"
            ),
            Some("bob-dropped-prod-customers-table")
        );
        assert_eq!(
            id_slug("2026-11-27-checkout-errors", "Checkout errors"),
            None
        );
        // A collision suffix is no secret.
        assert_eq!(
            id_slug("2026-11-27-checkout-errors-2", "Checkout errors"),
            None
        );
        assert_eq!(
            id_slug("2026-11-27-bob-dropped-it-3", "Database outage"),
            Some("bob-dropped-it")
        );
        assert_eq!(id_slug("2026-11-27-db-7", "DB 7"), None);
        assert_eq!(id_slug("not an id", "x"), None);
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
        let s = Scanner::new(
            &internal,
            &["We see Checkout errors for everyone today"],
            &Vocabulary::default(),
        );
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
        let s = Scanner::new(&internal, &[], &Vocabulary::default());
        assert_eq!(s.find("f", "xx abcdefghijklmnopqrs two").unwrap().kind, "b");
    }
}
