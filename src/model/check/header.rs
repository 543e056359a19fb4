//! Rules of `incident.yaml`: keys that are mistakes, list items YAML
//! merges into the value above, times in the future or out of order, and
//! services inc.yaml does not list.

use super::yaml::{key_line, value_line};
use super::{Finding, Rules, future};
use crate::model::incident::Header;
use crate::model::text::backticked;
use crate::model::when;

/// The keys of `incident.yaml` inc reads.
const HEADER_KEYS: &[&str] = &[
    "title",
    "public_title",
    "summary",
    "kind",
    "mode",
    "services",
    "private",
    "labels",
    "scheduled_start",
    "scheduled_end",
    "started_at",
    "opened_at",
    "opened_by",
];

/// Keys people put in a header that are the timeline's to say (the state
/// is a fold over events, never stored), with what records them instead.
const TIMELINE_KEYS: &[(&str, &str)] = &[
    ("status", "`inc status ID STATUS`"),
    ("severity", "`inc severity ID SEV`"),
    ("commander", "`inc assign ID commander WHO`"),
    ("roles", "`inc assign ID ROLE WHO`"),
    ("impact", "an `impact` event"),
    ("acknowledged_at", "`inc ack ID`"),
    ("mitigated_at", "`inc status ID monitoring`"),
    ("resolved_at", "`inc resolve ID --at T`"),
    ("actions", "`inc action add ID TEXT`"),
];

/// Unknown keys that are mistakes: a known key mistyped (`Private: true`
/// would be kept as an unknown key, and the incident published), or one
/// the timeline holds (`status: fixed` would be ignored without a word).
/// Other unknown keys are kept and fine (`ticket: OPS-12`).
fn check_unknown_keys(h: &Header, text: &str, path: &str, out: &mut Vec<Finding>) {
    for key in h.extra.keys() {
        let line = key_line(text, key);
        let lower = key.to_lowercase();
        if let Some((known, how)) = TIMELINE_KEYS.iter().find(|(k, _)| *k == lower) {
            out.push(Finding::error(
                path,
                line,
                "timeline-key",
                format!(
                    "`{key}` is not a header key: inc ignores it here, as the timeline \
                     holds the {known}; record it with {how}"
                ),
            ));
        } else if let Some(known) = crate::model::typo::did_you_mean(&lower, HEADER_KEYS) {
            let consequence = if known == "private" {
                " (as written, this incident is not private and is published)"
            } else {
                ""
            };
            out.push(Finding::error(
                path,
                line,
                "unknown-key",
                format!(
                    "unknown key `{key}`, which inc ignores{consequence}; did you mean `{known}`?"
                ),
            ));
        }
    }
}

/// `- item` lines that YAML reads as part of a plain value above them, as
/// their indentation is deeper than that value's key or item: `services:
/// [api]` written with `  - api` then `   - web` has one service, `api -
/// web`. Each is (its line, the line of the value it merges into).
fn merged_items(text: &str) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    // The indentation and line of the last `key: plain value` or `- plain
    // value`, while the lines after it may continue that value.
    let mut plain: Option<(usize, usize)> = None;
    // Inside a `|` or `>` block scalar: the indentation of its key.
    let mut block: Option<usize> = None;
    for (i, raw) in text.lines().enumerate() {
        let content = raw.trim_start_matches(' ');
        let indent = raw.len() - content.len();
        if content.trim().is_empty() || content.starts_with('#') {
            continue;
        }
        if block.is_some_and(|b| indent > b) {
            continue;
        }
        block = None;
        let item = content
            .strip_prefix("- ")
            .or_else(|| (content == "-").then_some(""));
        if let Some((at, line)) = plain
            && indent > at
        {
            if item.is_some() {
                found.push((i + 1, line));
            }
            continue;
        }
        // What this line's value is: after `- ` or after `key: `.
        let value = match item {
            Some(rest) => Some(rest.trim()),
            None => content.split_once(": ").map(|(_, v)| v.trim()),
        };
        plain = None;
        match value {
            Some(v) if v.starts_with(['|', '>']) => block = Some(indent),
            Some(v)
                if !v.is_empty()
                    && !v.starts_with(['[', '{', '"', '\'', '&', '*', '!', '#'])
                    && !v.contains(": ") =>
            {
                plain = Some((indent, i + 1));
            }
            _ => {}
        }
    }
    found
}

pub(super) fn check_header(
    h: &Header,
    text: &str,
    path: &str,
    rules: &Rules<'_>,
    out: &mut Vec<Finding>,
) {
    check_unknown_keys(h, text, path, out);
    for (line, into) in merged_items(text) {
        out.push(Finding::error(
            path,
            line,
            "indentation",
            format!(
                "this list item is indented deeper than the value on line {into}, \
                 so YAML reads it as part of that value; indent it like the line above"
            ),
        ));
    }
    for (key, at) in [
        ("opened_at", Some(h.opened_at)),
        ("started_at", h.started_at),
    ] {
        if let Some(message) = at.and_then(|at| future(at, rules.now)) {
            out.push(Finding::error(
                path,
                key_line(text, key),
                "future",
                format!("`{key}` {message}"),
            ));
        }
    }
    let services = &rules.config.services;
    if !services.is_empty() {
        for s in &h.services {
            if !services.iter().any(|c| &c.id == s) {
                out.push(Finding::error(
                    path,
                    value_line(text, "services", s),
                    "unknown-service",
                    format!(
                        "unknown service `{s}`; inc.yaml lists: {}",
                        backticked(services.iter().map(|s| s.id.as_str()))
                    ),
                ));
            }
        }
    }
    if let Some(started) = h.started_at
        && started > h.opened_at
    {
        out.push(Finding::error(
            path,
            key_line(text, "started_at"),
            "time-order",
            format!(
                "`started_at` ({}) is after `opened_at` ({}): impact can't start after it was detected",
                when::stored(started),
                when::stored(h.opened_at)
            ),
        ));
    }
    if let (Some(start), Some(end)) = (h.scheduled_start, h.scheduled_end)
        && end < start
    {
        out.push(Finding::error(
            path,
            key_line(text, "scheduled_end"),
            "time-order",
            format!(
                "`scheduled_end` ({}) is before `scheduled_start` ({})",
                when::stored(end),
                when::stored(start)
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::check::fixtures::*;

    #[test]
    fn header_keys_that_look_like_mistakes() {
        let text = format!(
            "{}Private: true\nstatus: fixed\nseverity: SEV9\nsumary: x\nticket: OPS-12\n",
            header()
        );
        let found = check(&files(
            &text,
            &format!("{}{}", opened("SEV3"), commander()),
            None,
        ));
        assert_eq!(
            places(&found),
            [
                ("unknown-key", HEADER, 7),
                ("timeline-key", HEADER, 8),
                ("timeline-key", HEADER, 9),
                ("unknown-key", HEADER, 10),
            ],
            "{found:?}"
        );
        assert!(
            found[0].message.contains("did you mean `private`?"),
            "{found:?}"
        );
        assert!(found[0].message.contains("published"), "{found:?}");
        assert!(
            found[1].message.contains("`inc status ID STATUS`"),
            "{found:?}"
        );
        assert!(
            found[3].message.contains("did you mean `summary`?"),
            "{found:?}"
        );
        assert_eq!(
            crate::model::typo::did_you_mean("mode", HEADER_KEYS),
            Some("mode")
        );
        assert_eq!(
            crate::model::typo::did_you_mean("node", HEADER_KEYS),
            Some("mode")
        );
        assert_eq!(crate::model::typo::did_you_mean("team", HEADER_KEYS), None);
        assert_eq!(
            crate::model::typo::did_you_mean("ticket", HEADER_KEYS),
            None
        );
    }

    #[test]
    fn list_items_indented_into_the_value_above() {
        let text = "title: a\nservices:\n  - api\n   - web\nsummary: |\n  - kept\n   - as text\n\
                    labels:\n  team: core\n    - merged\n";
        assert_eq!(merged_items(text), [(4, 3), (10, 9)]);
        // Items at one indentation, and a list under a key, are fine.
        assert_eq!(
            merged_items("services:\n- api\n- web\nx:\n  - a\n  - b\n"),
            []
        );
        assert_eq!(merged_items("title: a\n  continued\n"), []);
    }
}
