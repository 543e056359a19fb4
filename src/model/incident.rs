//! `incident.yaml`: the header, what an incident is.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::status::{Kind, Mode};

/// The header label holding the alert group key of an incident `inc alert`
/// opened: one incident per group.
pub const GROUP_LABEL: &str = "alert_group";
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

    /// The incident this one was merged into by `inc merge`, if it was.
    pub fn duplicate_of(&self) -> Option<&str> {
        self.labels.get(DUPLICATE_OF_LABEL).map(String::as_str)
    }

    /// Impact start: `started_at`, else the opening time.
    pub fn started(&self) -> DateTime<Utc> {
        self.started_at.unwrap_or(self.opened_at)
    }

    /// The header as YAML text.
    pub fn to_yaml(&self) -> String {
        // Strings, times and string maps always serialize, and `from_yaml`
        // refuses unknown keys whose values don't.
        serde_yaml::to_string(self).unwrap_or_default()
    }

    /// Parses a header; the error carries the line and column. A header
    /// whose unknown keys inc could not write back on a rewrite (a map used
    /// as a key, `? {a: b}: c`) is refused, rather than emptied later.
    pub fn from_yaml(text: &str) -> Result<Header, HeaderError> {
        let header: Header = serde_yaml::from_str(text).map_err(|e| HeaderError {
            line: e.location().map(|l| l.line()),
            message: e.to_string(),
        })?;
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
                });
            }
        }
        Ok(header)
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
        let again = Header::from_yaml(&h.to_yaml()).unwrap();
        assert_eq!(again, h);
        assert!(h.to_yaml().contains("ticket: OPS-12"));
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
            assert_eq!(Header::from_yaml(&h.to_yaml()).unwrap().title, title);
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
        assert_eq!(Header::from_yaml(&h.to_yaml()), Ok(h));
    }

    #[test]
    fn errors_have_lines() {
        let err = Header::from_yaml("title: x\nopened_at: [\n").unwrap_err();
        assert!(err.line.is_some(), "{err:?}");
        let err = Header::from_yaml("title: x\n").unwrap_err();
        assert!(err.message.contains("opened_at"), "{err:?}");
    }
}
