//! `incident.yaml`: the header, what an incident is.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::status::{Kind, Mode};
use crate::error::UserError;

/// The header label holding the alert group key of an incident `inc alert`
/// opened: one incident per group.
pub const GROUP_LABEL: &str = "alert_group";
/// The header label naming who sent the alerts of an incident `inc alert`
/// opened (`alertmanager`, `grafana`, `pagerduty`): with [`GROUP_LABEL`],
/// the group's identity ([`Header::in_group`]).
pub const SOURCE_LABEL: &str = "alert_source";
/// The header label of a later incident of a group: the ID of the one
/// before it, which was closed when this one opened.
pub const PREVIOUS_LABEL: &str = "previous";
/// The header label `inc merge` puts on a duplicate: the ID of the incident
/// it was merged into. Alerts never go to an incident carrying it.
pub const DUPLICATE_OF_LABEL: &str = "duplicate_of";

/// The human-editable header of an incident. Unknown keys are kept in
/// `extra` and written back on rewrite.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Header {
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<Kind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<Mode>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<String>,
    /// Who was on call for the incident's services when it was opened:
    /// rotation → person (filled in by `inc open` and `inc alert`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub oncall: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub private: bool,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduled_start: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduled_end: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<DateTime<Utc>>,
    pub opened_at: DateTime<Utc>,
    pub opened_by: String,
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_yaml::Value>,
}

impl Header {
    pub fn kind(&self) -> Kind {
        self.kind.unwrap_or(Kind::Incident)
    }

    pub fn mode(&self) -> Mode {
        self.mode.unwrap_or(Mode::Standard)
    }

    /// The alert group this incident is for, if `inc alert` opened it.
    pub fn group(&self) -> Option<&str> {
        self.labels.get(GROUP_LABEL).map(String::as_str)
    }

    /// The source that sent this incident's alerts, if `inc alert` opened it.
    pub fn alert_source(&self) -> Option<&str> {
        self.labels.get(SOURCE_LABEL).map(String::as_str)
    }

    /// Whether this incident is the one of alert group `key` from `source`.
    ///
    /// A group is namespaced by its source: a PagerDuty `dedup_key` that
    /// equals an Alertmanager `groupKey` is another group. The namespace is
    /// the `alert_source` label, which `inc alert` has always written next
    /// to `alert_group`; `alert_group` keeps the key exactly as sent. So
    /// every incident an earlier inc opened matches as before (its label
    /// pair is already namespaced), and no file needs rewriting. A header
    /// labelled by hand with `alert_group` alone (no `alert_source`)
    /// matches the key from any source, as it always did.
    pub fn in_group(&self, source: &str, key: &str) -> bool {
        self.group() == Some(key) && self.alert_source().is_none_or(|s| s == source)
    }

    /// The incident this one was merged into by `inc merge`, if it was.
    pub fn duplicate_of(&self) -> Option<&str> {
        self.labels.get(DUPLICATE_OF_LABEL).map(String::as_str)
    }

    /// Impact start: `started_at`, else the opening time.
    pub fn started(&self) -> DateTime<Utc> {
        self.started_at.unwrap_or(self.opened_at)
    }

    /// The header as YAML text. Strings, times and string maps always
    /// serialize, and `from_yaml` refuses unknown keys whose values don't,
    /// so this fails only on a bug; then it is an error, never an empty
    /// text written over a header.
    pub fn to_yaml(&self) -> Result<String, UserError> {
        serde_yaml::to_string(self).map_err(|e| {
            UserError::new(format!(
                "can't write the incident header as YAML ({e}); inc changed nothing"
            ))
        })
    }

    /// Parses a header within the limits of [`refuse_unbounded`]; the
    /// error carries the line and says what to do in words a person who
    /// edited the file understands.
    pub fn from_yaml(text: &str) -> Result<Header, HeaderError> {
        if let Some(e) = refuse_unbounded(text) {
            return Err(e);
        }
        let header: Header = serde_yaml::from_str(text).map_err(|e| explain(text, &e))?;
        // Unknown keys inc could not write back on a rewrite (a map used as
        // a key, `? {a: b}: c`) are refused, rather than emptied later.
        for (key, value) in &header.extra {
            if let Err(e) = serde_yaml::to_string(value) {
                return Err(HeaderError {
                    line: text
                        .lines()
                        .position(|l| l.starts_with(&format!("{key}:")))
                        .map(|n| n + 1),
                    message: format!(
                        "`{key}` holds a value inc can't write back when it rewrites the \
                         header ({e}); use plain strings, lists and maps"
                    ),
                    hint: None,
                });
            }
        }
        Ok(header)
    }
}

/// The largest `incident.yaml` inc parses. A header is a few hundred
/// bytes; the store reads no more than this of one.
pub const MAX_HEADER_BYTES: usize = 1 << 20;

/// How many keys, list items and lines a header may hold (counted from the
/// characters that can start one: `,` `[` `{` `-` `?` `:` and line breaks).
/// The parser builds a few hundred bytes for each (a 1 MiB header of
/// `[a,a,a…]` took 200 MB to list); this bounds it at some 30 MB.
pub const MAX_HEADER_NODES: usize = 64 * 1024;

/// How deep collections may nest in a header: `[`/`{` and block items
/// opened on one line (`- - - x`). A header is flat fields and one-level
/// maps; the parser takes time quadratic in the depth (20,000 levels:
/// seconds; 200,000: minutes), so a deeper file is refused unparsed.
pub const MAX_NESTING: usize = 64;

/// What to do about a header past one of the limits.
const HINT_LIMITS: &str = "a header holds a title, a few fields and labels; \
     move long text to a note (`inc note`), or restore the file from git";

/// The error for a header past [`MAX_HEADER_BYTES`], [`MAX_NESTING`] or
/// [`MAX_HEADER_NODES`], found in one pass over the bytes, far cheaper
/// than the parse (which is what the limits protect).
pub fn refuse_unbounded(text: &str) -> Option<HeaderError> {
    let limit = |line, message| {
        Some(HeaderError {
            line,
            message,
            hint: Some(HINT_LIMITS),
        })
    };
    if text.len() > MAX_HEADER_BYTES {
        return limit(
            None,
            format!(
                "larger than {} KiB; inc reads at most that much of a header",
                MAX_HEADER_BYTES >> 10
            ),
        );
    }
    if let Some(line) = too_deep(text) {
        return limit(Some(line), too_deep_message());
    }
    let mut nodes = 0;
    for (i, line) in text.lines().enumerate() {
        nodes += 1 + line
            .bytes()
            .filter(|b| matches!(b, b',' | b'[' | b'{' | b'-' | b'?' | b':'))
            .count();
        if nodes > MAX_HEADER_NODES {
            return limit(
                Some(i + 1),
                format!("more than {MAX_HEADER_NODES} keys, list items and lines"),
            );
        }
    }
    None
}

/// The 1-based line where collections nest deeper than [`MAX_NESTING`] in
/// YAML `text`, if they do: `[`/`{` (which may span lines) plus the block
/// items a line opens before its content (`- - x`, `? x`). Counts brackets
/// in quoted text and comments too: a header holding 64 unclosed brackets
/// in a title is no header a person wrote.
pub fn too_deep(text: &str) -> Option<usize> {
    let mut flow = 0usize;
    for (i, line) in text.lines().enumerate() {
        let mut block = 0usize;
        let mut rest = line.trim_start_matches([' ', '\t']);
        while let Some(after) = rest
            .strip_prefix(['-', '?', ':'])
            .filter(|r| r.is_empty() || r.starts_with([' ', '\t']))
        {
            block += 1;
            rest = after.trim_start_matches([' ', '\t']);
        }
        if block > MAX_NESTING {
            return Some(i + 1);
        }
        for b in line.bytes() {
            match b {
                b'[' | b'{' => {
                    flow += 1;
                    if flow + block > MAX_NESTING {
                        return Some(i + 1);
                    }
                }
                b']' | b'}' => flow = flow.saturating_sub(1),
                _ => {}
            }
        }
    }
    None
}

/// What [`too_deep`] found, as a message.
pub fn too_deep_message() -> String {
    format!("lists or maps nested more than {MAX_NESTING} deep; inc does not parse such a header")
}

/// The parser's error in a person's words, at the line it is about, and
/// without quoting the file beyond that line (a multi-line value, or a
/// whole file that is one string, would otherwise be repeated in full).
fn explain(text: &str, e: &serde_yaml::Error) -> HeaderError {
    let raw = e.to_string();
    let message = raw.split(" at line ").next().unwrap_or(&raw);
    let line = e.location().map(|l| l.line());
    if let Some(key) = duplicate_key(message) {
        let (first, second) = repeated_key_lines(text, &key, line.unwrap_or(1));
        let first = first
            .map(|n| format!(" (first on line {n})"))
            .unwrap_or_default();
        return HeaderError {
            line: second.or(line),
            message: format!("`{key}` is set twice{first}"),
            hint: Some("keep one of the two lines"),
        };
    }
    if message.starts_with("mapping values are not allowed") {
        return HeaderError {
            line,
            message: "a `: ` inside an unquoted value starts a new key".to_owned(),
            hint: Some("quote the value, e.g. `title: \"Checkout: slow\"`"),
        };
    }
    if message.contains("recursion limit exceeded") {
        return HeaderError {
            line,
            message: too_deep_message(),
            hint: Some(HINT_LIMITS),
        };
    }
    HeaderError {
        line,
        message: without_quoted_text(message).replace(
            "expected struct Header",
            "expected the header's `key: value` lines",
        ),
        hint: None,
    }
}

/// The key of a "duplicate field `k`" / "duplicate entry with key \"k\""
/// message.
fn duplicate_key(message: &str) -> Option<String> {
    let (_, rest) = message.split_once("duplicate ")?;
    let rest = rest
        .strip_prefix("field ")
        .or_else(|| rest.strip_prefix("entry with key "))?;
    let quote = rest.chars().next().filter(|c| matches!(c, '`' | '"'))?;
    let key = rest[1..].split(quote).next()?;
    Some(key.to_owned())
}

/// The lines of the first two `key:` lines at or after line `from` (the
/// map the parser complained about starts there).
fn repeated_key_lines(text: &str, key: &str, from: usize) -> (Option<usize>, Option<usize>) {
    let mut found = text
        .lines()
        .enumerate()
        .skip(from.saturating_sub(1))
        .filter(|(_, l)| {
            let l = l.trim_start().trim_start_matches(['{', ',', ' ']);
            let rest = [key.to_owned(), format!("\"{key}\""), format!("'{key}'")]
                .into_iter()
                .find_map(|k| l.strip_prefix(k.as_str()).map(str::to_owned));
            rest.is_some_and(|r| r.trim_start().starts_with(':'))
        })
        .map(|(i, _)| i + 1);
    (found.next(), found.next())
}

/// `message` without the text of a quoted string value (`invalid type:
/// string "…", expected …`): the value may span many lines of the file.
fn without_quoted_text(message: &str) -> String {
    match (message.find("string \""), message.rfind("\", expected")) {
        (Some(start), Some(end)) if end > start => {
            format!("{}a string{}", &message[..start], &message[end + 1..])
        }
        _ => message.to_owned(),
    }
}

/// Whether header text `text` may hold label `key` with value `value`,
/// judged from the raw text without parsing it: a cheap filter before
/// [`Header::from_yaml`], never a verdict. `false` means it certainly
/// does not; `true` means parse it and look.
///
/// Sound for any YAML a person or a tool may write: a file holding a
/// backslash may use double-quoted escapes (`\x41`, `\"`, `\u00e9`, an
/// escaped line break in mid-word), so it is always a candidate. Without
/// one, YAML changes a scalar's text only around whitespace (line folding,
/// block indentation) and at `'` (doubled inside single quotes), so every
/// run of the key and of the value between whitespace, `'` and control
/// characters must appear verbatim in the file.
pub fn may_have_label(text: &str, key: &str, value: &str) -> bool {
    if text.contains('\\') {
        return true;
    }
    [key, value]
        .into_iter()
        .flat_map(|s| s.split(may_change))
        .filter(|run| !run.is_empty())
        .all(|run| text.contains(run))
}

/// Characters YAML may write as something else without a backslash:
/// whitespace and line breaks (folding), `'` (doubled in single quotes);
/// also control characters and the BOM, which an emitter escapes.
fn may_change(c: char) -> bool {
    c.is_whitespace() || c.is_control() || c == '\'' || c == '\u{feff}'
}

/// A header that did not parse, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct HeaderError {
    pub line: Option<usize>,
    pub message: String,
    /// What to do, when there is more to say than "fix the file".
    pub hint: Option<&'static str>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn round_trip_keeps_unknown_keys() {
        let text =
            "title: DB down\nopened_at: 2026-11-27T19:45:02Z\nopened_by: alice\nticket: OPS-12\n";
        let h = Header::from_yaml(text).unwrap();
        assert_eq!(h.title, "DB down");
        assert_eq!(
            h.opened_at,
            Utc.with_ymd_and_hms(2026, 11, 27, 19, 45, 2).unwrap()
        );
        let again = Header::from_yaml(&h.to_yaml().unwrap()).unwrap();
        assert_eq!(again, h);
        assert!(h.to_yaml().unwrap().contains("ticket: OPS-12"));
    }

    #[test]
    fn hostile_titles_survive_verbatim() {
        for title in [
            "../../etc/passwd",
            "a/b\\c:d*e?f",
            "🔥 Ürün: \"x\" # y",
            "- [a]",
            "null",
        ] {
            let h = Header {
                title: title.to_owned(),
                opened_by: "a".into(),
                ..Header::default()
            };
            assert_eq!(
                Header::from_yaml(&h.to_yaml().unwrap()).unwrap().title,
                title
            );
        }
    }

    /// A header with label `alert_group: value`, as inc writes it.
    fn with_group(value: &str) -> String {
        Header {
            title: "t".into(),
            opened_by: "a".into(),
            labels: [("alert_group".to_owned(), value.to_owned())].into(),
            ..Header::default()
        }
        .to_yaml()
        .unwrap()
    }

    /// The label's value once parsed, to check a case means what it says.
    fn parsed_group(text: &str) -> Option<String> {
        Header::from_yaml(text)
            .unwrap()
            .labels
            .get("alert_group")
            .cloned()
    }

    #[test]
    fn prefilter_finds_keys_that_need_quoting() {
        for value in [
            r#"{}/{severity="critical"}:{alertname="HighErrorRate"}"#,
            "it's: a #key, - [with] {flow} & *stars* | > %",
            "'quoted'",
            r#"back\slash and "quotes""#,
            "null",
            "123",
            " padded ",
            "🔥 Ürün: ключ 警报",
            "tab\there and new\nline",
            &"long ".repeat(60),
        ] {
            let text = with_group(value);
            assert_eq!(parsed_group(&text).as_deref(), Some(value), "{text}");
            assert!(may_have_label(&text, "alert_group", value), "{text}");
        }
    }

    #[test]
    fn prefilter_rules_out_other_groups() {
        let text = with_group(r#"{}:{alertname="HighErrorRate", service="api"}"#);
        for other in [
            r#"{}:{alertname="HighLatency", service="api"}"#,
            r#"{}:{alertname="HighErrorRate", service="web"}"#,
        ] {
            assert!(!may_have_label(&text, "alert_group", other), "{other}");
        }
        assert!(!may_have_label(
            &with_group("alpha"),
            "alert_group",
            "omega"
        ));
        assert!(!may_have_label(&with_group("x"), "other_label", "x"));
        // A prefix of the value is a candidate, for the parse to rule out.
        let longer = with_group("group-10");
        assert!(may_have_label(&longer, "alert_group", "group-1"));
        assert_eq!(parsed_group(&longer).as_deref(), Some("group-10"));
    }

    #[test]
    fn prefilter_finds_hand_written_styles() {
        let value = "it's a \"group\" key";
        for labels in [
            "labels: {alert_group: 'it''s a \"group\" key'}",
            "labels:\n  alert_group: it's a \"group\" key",
            "labels:\n  alert_group: >-\n    it's a\n    \"group\" key",
            "labels:\n  alert_group: |-\n    it's a \"group\" key",
            "labels:\n  \"alert_group\": 'it''s a\n    \"group\" key'",
            "labels:\n  alert_group: \"it\\x27s a \\\"gr\\\n  oup\\\" key\"",
            "labels:\n  alert_group: \"\\u0069t's a \\\"group\\\" key\"",
        ] {
            let text =
                format!("title: t\nopened_at: 2026-11-27T10:00:00Z\nopened_by: a\n{labels}\n");
            assert_eq!(parsed_group(&text).as_deref(), Some(value), "{text}");
            assert!(may_have_label(&text, "alert_group", value), "{text}");
        }
    }

    proptest::proptest! {
        #[test]
        fn prefilter_never_rules_out_what_inc_writes(value in "\\PC{0,120}|.{0,40}|[ '\"\\\\a:#\n\t-]{0,30}") {
            let text = with_group(&value);
            if parsed_group(&text).as_deref() == Some(value.as_str()) {
                proptest::prop_assert!(may_have_label(&text, "alert_group", &value), "{}", text);
            }
        }
    }

    const BASE: &str = "title: t\nopened_at: 2026-11-27T10:00:00Z\nopened_by: a\n";

    #[test]
    fn nesting_is_refused_at_its_line_before_the_parse() {
        assert_eq!(too_deep("title: a\nlabels: {a: [b, c]}\n- - x\n"), None);
        let deep = format!("title: a\nx: {}\n", "[".repeat(MAX_NESTING + 1));
        assert_eq!(too_deep(&deep), Some(2));
        let block = format!("{BASE}x:\n{}y\n", "- ".repeat(100_000));
        assert_eq!(too_deep(&block), Some(5));
        let err = Header::from_yaml(&block).unwrap_err();
        assert_eq!(err.line, Some(5));
        assert!(err.message.contains("nested more than 64 deep"), "{err:?}");
        // Closed brackets don't add up.
        assert_eq!(too_deep(&"[]".repeat(10_000)), None);
    }

    #[test]
    fn size_and_node_count_are_bounded() {
        let big = format!("{BASE}x: {}\n", "a".repeat(MAX_HEADER_BYTES));
        let err = Header::from_yaml(&big).unwrap_err();
        assert!(err.message.contains("larger than 1024 KiB"), "{err:?}");
        let many = format!("{BASE}x: [{}]\n", "a,".repeat(MAX_HEADER_NODES));
        let err = Header::from_yaml(&many).unwrap_err();
        assert_eq!(err.line, Some(4));
        assert!(err.message.contains("more than 65536 keys"), "{err:?}");
        // A header of ordinary size and shape is far inside both.
        let labels: String = (0..500).map(|n| format!("  k{n}: v{n}\n")).collect();
        assert!(Header::from_yaml(&format!("{BASE}labels:\n{labels}")).is_ok());
    }

    #[test]
    fn a_duplicate_key_is_reported_on_its_own_line() {
        let err = Header::from_yaml(&format!("{BASE}summary: x\n\nsummary: y\n")).unwrap_err();
        assert_eq!(err.line, Some(6), "{err:?}");
        assert_eq!(err.message, "`summary` is set twice (first on line 4)");
        assert!(err.hint.is_some());
    }

    #[test]
    fn an_unquoted_colon_hints_at_quotes() {
        let err = Header::from_yaml("title: a\nsummary: the fix: restart\n").unwrap_err();
        assert_eq!(err.line, Some(2), "{err:?}");
        assert!(!err.message.contains("mapping values"), "{err:?}");
        assert!(err.hint.unwrap().contains("quote the value"), "{err:?}");
    }

    #[test]
    fn errors_do_not_quote_the_file() {
        for text in [
            "root:x:0:0:root:/root:/bin/bash\nsecret two\nsecret three\n",
            "\"secret one\n secret two\"\n",
            &format!("{BASE}private: \"secret one\n  secret two\"\n"),
        ] {
            let err = Header::from_yaml(text).unwrap_err();
            assert!(!err.message.contains("secret"), "{err:?}");
        }
    }

    #[test]
    fn groups_are_namespaced_by_source() {
        let labelled = |pairs: &[(&str, &str)]| Header {
            labels: pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            ..Header::default()
        };
        let am = labelled(&[(GROUP_LABEL, "k1"), (SOURCE_LABEL, "alertmanager")]);
        assert!(am.in_group("alertmanager", "k1"));
        assert!(
            !am.in_group("pagerduty", "k1"),
            "another source's equal key"
        );
        assert!(!am.in_group("alertmanager", "k2"));
        // Labelled by hand, without a source: any source's key.
        let by_hand = labelled(&[(GROUP_LABEL, "k1")]);
        assert!(by_hand.in_group("pagerduty", "k1"));
        assert!(!labelled(&[]).in_group("pagerduty", ""));
    }

    /// Found by the `header` fuzz target: an unknown key whose value is a
    /// map with a map for a key (YAML's `? key`) loaded, but the YAML
    /// writer can't write it, so `to_yaml` gave "" and a rewrite of the
    /// header would have emptied the file.
    #[test]
    fn fuzz_a_header_that_loads_can_be_written_back() {
        let text = "title: a\nl:\n ? t:\nopened_at: 2026-11-27T10:00:00Z\nopened_by: b\n";
        let err = Header::from_yaml(text).unwrap_err();
        assert_eq!(err.line, Some(2), "{err:?}");
        assert!(
            err.message
                .contains("`l` holds a value inc can't write back"),
            "{err:?}"
        );
        let fine = "title: a\nl:\n ? t\n : u\nopened_at: 2026-11-27T10:00:00Z\nopened_by: b\n";
        let h = Header::from_yaml(fine).unwrap();
        assert_eq!(Header::from_yaml(&h.to_yaml().unwrap()), Ok(h));
    }

    #[test]
    fn errors_have_lines() {
        let err = Header::from_yaml("title: x\nopened_at: [\n").unwrap_err();
        assert!(err.line.is_some(), "{err:?}");
        let err = Header::from_yaml("title: x\n").unwrap_err();
        assert!(err.message.contains("opened_at"), "{err:?}");
    }
}
