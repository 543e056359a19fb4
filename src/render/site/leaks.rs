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
//! update, a service, inc.yaml's site title, a template's own text). One
//! Aho-Corasick automaton over the first [`PREFIX`] characters of every
//! text finds candidates in one pass per file; a candidate is confirmed by
//! comparing the whole text.

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, MatchKind};

use super::Source;
use crate::model::EventKind;
use crate::render::timeline::publishable;

pub const MIN_CHARS: usize = 12;
pub const MIN_LETTERS: usize = 6;
const PREFIX: usize = 16;

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
    for s in sources {
        let mut add = |kind: &'static str, text: &'a str| out.push((kind, s.id, text));
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
    out
}

/// Letters and digits only, lower-cased, after decoding character
/// references (`&lt;`, `&#x2f;`, `&#39;`; named ones other than the
/// numeric kind only stand for punctuation here and are dropped).
pub fn canonical(s: &str) -> String {
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

struct Needle {
    canon: String,
    kind: &'static str,
    incident: String,
    excluded: bool,
}

/// The internal texts, ready to look for.
pub struct Scanner {
    needles: Vec<Needle>,
    /// Pattern number → needles starting with that prefix.
    groups: Vec<Vec<usize>>,
    automaton: Option<AhoCorasick>,
}

impl Scanner {
    /// Builds the scanner from internal texts, leaving out those that also
    /// appear in one of `public` (texts the site may show).
    pub fn new(internal: &[(&'static str, &str, &str)], public: &[&str]) -> Scanner {
        let mut seen: HashMap<String, ()> = HashMap::new();
        let mut needles = Vec::new();
        for (kind, incident, text) in internal {
            let lines = text.lines().filter(|_| text.contains('\n'));
            for piece in std::iter::once(*text).chain(lines) {
                let canon = canonical(piece);
                if canon.chars().count() < MIN_CHARS
                    || canon.chars().filter(|c| c.is_alphabetic()).count() < MIN_LETTERS
                    || seen.insert(canon.clone(), ()).is_some()
                {
                    continue;
                }
                needles.push(Needle {
                    canon,
                    kind,
                    incident: (*incident).to_owned(),
                    excluded: false,
                });
            }
        }
        let mut prefixes: HashMap<&str, usize> = HashMap::new();
        let mut groups: Vec<Vec<usize>> = Vec::new();
        let mut patterns: Vec<&str> = Vec::new();
        for (n, needle) in needles.iter().enumerate() {
            let end = needle
                .canon
                .char_indices()
                .nth(PREFIX)
                .map_or(needle.canon.len(), |(i, _)| i);
            let prefix = &needle.canon[..end];
            let p = *prefixes.entry(prefix).or_insert_with(|| {
                patterns.push(prefix);
                groups.push(Vec::new());
                groups.len() - 1
            });
            groups[p].push(n);
        }
        let automaton = (!patterns.is_empty())
            .then(|| {
                AhoCorasick::builder()
                    .match_kind(MatchKind::Standard)
                    .build(&patterns)
                    .ok()
            })
            .flatten();
        let mut scanner = Scanner {
            needles,
            groups,
            automaton,
        };
        let mut corpus = String::new();
        for text in public {
            corpus.push_str(&canonical(text));
            corpus.push('|');
        }
        let mut hits = Vec::new();
        scanner.each_match(&corpus, |n| {
            hits.push(n);
            false
        });
        for n in hits {
            scanner.needles[n].excluded = true;
        }
        scanner
    }

    /// Calls `found` with each needle (not excluded) whose whole text
    /// occurs in canonical `text`; stops when it returns true.
    fn each_match(&self, text: &str, mut found: impl FnMut(usize) -> bool) {
        let Some(automaton) = &self.automaton else {
            return;
        };
        for m in automaton.find_overlapping_iter(text) {
            for &n in &self.groups[m.pattern().as_usize()] {
                let needle = &self.needles[n];
                if !needle.excluded && text[m.start()..].starts_with(&needle.canon) && found(n) {
                    return;
                }
            }
        }
    }

    /// How many internal texts are looked for.
    pub fn len(&self) -> usize {
        self.needles.iter().filter(|n| !n.excluded).count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The first internal text in `text` (any output file's contents).
    pub fn find(&self, file: &str, text: &str) -> Option<Leak> {
        let canon = canonical(text);
        let mut hit = None;
        self.each_match(&canon, |n| {
            hit = Some(n);
            true
        });
        hit.map(|n| Leak {
            file: file.to_owned(),
            kind: self.needles[n].kind,
            incident: self.needles[n].incident.clone(),
        })
    }

    /// Scans every file on all cores; the leak in the first file (in the
    /// given order) that has one.
    pub fn scan(&self, files: &[(String, Vec<u8>)]) -> Option<Leak> {
        if self.is_empty() || files.is_empty() {
            return None;
        }
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, 8);
        let chunk = files.len().div_ceil(threads).max(1);
        std::thread::scope(|scope| {
            let handles: Vec<_> = files
                .chunks(chunk)
                .map(|files| {
                    scope.spawn(move || {
                        files.iter().find_map(|(path, bytes)| {
                            self.find(path, &String::from_utf8_lossy(bytes))
                        })
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .find_map(|leak| leak)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
