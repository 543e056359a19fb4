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
//!
//! The parts: `texts` (what is internal, and the words a page says
//! anyway), `canonical` (the form texts are compared in), `needles` (the
//! internal texts collected, and the scan's digest), `matcher` (the
//! scanner) and their `tests`.

mod canonical;
mod matcher;
mod needles;
#[cfg(test)]
mod tests;
mod texts;

#[cfg(test)]
pub use canonical::canonical;
pub use matcher::Scanner;
pub use needles::{Needles, scan_digest};
pub use texts::{FUNCTION_WORDS, STATUS_WORDS, Vocabulary, each_internal_text, each_word};

/// The scan's rules, by version: part of [`scan_digest`], so a build
/// by an inc whose rules differ never takes another's verdict. Change it
/// with any change to what is looked for or how.
pub const SCAN_RULES: &str = "inc leak scan 1: canonical alnum lower, min 12 chars 6 letters, 2 words outside the vocabulary, public texts excluded";

pub const MIN_CHARS: usize = 12;
pub const MIN_LETTERS: usize = 6;
/// Words outside the public vocabulary a text needs to be looked for.
pub const MIN_WORDS: usize = 2;
/// How much of an internal text an error quotes.
pub const QUOTE_CHARS: usize = 80;

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

/// What the leak of a scan that could not be made is called.
pub const UNSCANNED: &str = "text it could not scan (the leak scan could not be built)";
