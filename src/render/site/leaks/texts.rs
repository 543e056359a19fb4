//! What is internal: every text of an incident the site must not show
//! ([`each_internal_text`]), and the words a page says anyway
//! ([`Vocabulary`]), which a text must go beyond to be looked for.

use std::collections::HashSet;

use super::canonical::reference;
use super::{ID_SLUG, MIN_WORDS};
use crate::config::Config;
use crate::model::id;
use crate::model::{EventKind, Impact, Status};
use crate::render::site::Source;
use crate::render::timeline::publishable;

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

/// The slug of stored ID `id` when it can carry internal words: the part
/// after the date, its `-N` collision suffix left out, unless that is the
/// slug of the incident's public name (`public_name`, its public title
/// else its title).
pub(super) fn id_slug<'a>(id: &'a str, public_name: &str) -> Option<&'a str> {
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
    pub(super) words: HashSet<String>,
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
        use crate::render::site::public::{self, ComponentStatus as C};
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
