//! Alert payloads → one [`Batch`](crate::alert::Batch): Prometheus Alertmanager webhooks
//! (version 4), Grafana unified alerting webhooks and PagerDuty Events API
//! v2 events. Pure: text in, model types out; no disk, no clock.
//!
//! Keys (group keys, fingerprints) holding control characters are refused
//! here; free text (summaries, labels) is kept as sent and flattened by the
//! caller before it reaches a terminal or a file.

/// A fixture's text, from tests/fixtures/alerts/, built into the test
/// binary (this module stays off the disk, tests too).
#[cfg(test)]
macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/alerts/",
            $name
        ))
    };
}

mod alertmanager;
mod grafana;
mod pagerduty;
pub mod plan;
mod severity;

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Duration, Utc};

use crate::error::UserError;

/// Who sent a payload; also the `by` of the events it makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Alertmanager,
    Grafana,
    Pagerduty,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Alertmanager => "alertmanager",
            Source::Grafana => "grafana",
            Source::Pagerduty => "pagerduty",
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The state of one alert, as recorded in an `alert` event's `state`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertState {
    Firing,
    /// PagerDuty `acknowledge`: someone acknowledged it in PagerDuty.
    Acknowledged,
    Resolved,
}

impl AlertState {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertState::Firing => "firing",
            AlertState::Acknowledged => "acknowledged",
            AlertState::Resolved => "resolved",
        }
    }

    /// The state an `alert` event records ([`AlertState::as_str`]); `None`
    /// for any other text.
    pub fn parse(recorded: &str) -> Option<AlertState> {
        [
            AlertState::Firing,
            AlertState::Acknowledged,
            AlertState::Resolved,
        ]
        .into_iter()
        .find(|s| s.as_str() == recorded)
    }
}

/// One alert of a group, tracked by its fingerprint.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    pub fingerprint: String,
    pub state: AlertState,
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    pub starts_at: Option<DateTime<Utc>>,
    /// `None` while firing (Alertmanager's `0001-01-01T00:00:00Z`).
    pub ends_at: Option<DateTime<Utc>>,
}

impl Alert {
    /// The `alertname` label, else empty.
    pub fn name(&self) -> &str {
        self.labels.get("alertname").map_or("", String::as_str)
    }

    /// The `summary` annotation, if it says anything.
    pub fn summary(&self) -> Option<&str> {
        self.annotations
            .get("summary")
            .map(String::as_str)
            .filter(|s| !s.trim().is_empty())
    }

    /// `alertname: summary`, or whichever of the two there is (raw text).
    pub fn text(&self) -> String {
        match (self.name(), self.summary()) {
            ("", Some(summary)) => summary.to_owned(),
            (name, Some(summary)) if name != summary => format!("{name}: {summary}"),
            ("", None) => self.fingerprint.clone(),
            (name, _) => name.to_owned(),
        }
    }
}

/// Everything one payload says about one alert group.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    pub source: Source,
    /// Alertmanager/Grafana `groupKey`, PagerDuty `dedup_key`.
    pub group: String,
    pub alerts: Vec<Alert>,
    /// The group's own status says every alert resolved (Alertmanager,
    /// Grafana `status: resolved`; PagerDuty `resolve`).
    pub group_resolved: bool,
    /// Alerts the sender left out (`truncatedAlerts`).
    pub truncated: u64,
    /// Grafana's "Test" button, or a PagerDuty test event: kept out of
    /// metrics as a `mode: test` incident.
    pub test: bool,
    /// The group's title when the payload has one (PagerDuty `summary`,
    /// `commonAnnotations.summary`).
    pub title: Option<String>,
}

impl Batch {
    /// A title for a new incident: the summary annotation, else the
    /// `alertname` label, else the source's name (raw text).
    pub fn title(&self) -> String {
        let firing = || self.alerts.iter().filter(|a| a.state == AlertState::Firing);
        self.title
            .clone()
            .filter(|t| !t.trim().is_empty())
            .or_else(|| firing().find_map(|a| a.summary().map(str::to_owned)))
            .or_else(|| {
                firing()
                    .map(Alert::name)
                    .find(|n| !n.trim().is_empty())
                    .map(str::to_owned)
            })
            .or_else(|| {
                self.alerts
                    .iter()
                    .find_map(|a| a.summary().map(str::to_owned))
            })
            .unwrap_or_else(|| format!("Alert from {}", self.source))
    }

    /// The first value of label `key` among the firing alerts, else any.
    pub fn label(&self, key: &str) -> Option<&str> {
        let mut alerts: Vec<&Alert> = self
            .alerts
            .iter()
            .filter(|a| a.state == AlertState::Firing)
            .collect();
        alerts.extend(self.alerts.iter().filter(|a| a.state != AlertState::Firing));
        alerts
            .into_iter()
            .find_map(|a| a.labels.get(key).map(String::as_str))
            .filter(|v| !v.trim().is_empty())
    }

    /// Every distinct value of label `key`, in order of appearance (a set
    /// remembers what was seen: a group of 40,000 alerts may name as many).
    pub fn label_values(&self, key: &str) -> Vec<String> {
        let mut seen = std::collections::HashSet::new();
        let mut out: Vec<String> = Vec::new();
        for a in &self.alerts {
            if let Some(v) = a.labels.get(key)
                && !v.trim().is_empty()
                && seen.insert(v.as_str())
            {
                out.push(v.clone());
            }
        }
        out
    }

    /// The earliest `startsAt` of a firing alert: when impact started.
    pub fn started(&self) -> Option<DateTime<Utc>> {
        self.alerts
            .iter()
            .filter(|a| a.state == AlertState::Firing)
            .filter_map(|a| a.starts_at)
            .min()
    }

    pub fn any_summary(&self) -> bool {
        self.alerts.iter().any(|a| a.summary().is_some())
    }

    pub fn any_firing(&self) -> bool {
        self.alerts.iter().any(|a| a.state == AlertState::Firing)
    }
}

/// Which parser to use; `Auto` tells them apart by shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Auto,
    Alertmanager,
    Grafana,
    Pagerduty,
}

/// Parses a payload. The error says what is wrong (for JSON, with the
/// line and column), ready to print after `error: `.
pub fn parse(text: &str, format: Format) -> Result<Batch, UserError> {
    if text.trim().is_empty() {
        return Err(UserError::new("the alert payload is empty"));
    }
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("the alert payload is not JSON: {e}"))?;
    let format = match format {
        Format::Auto => detect(&value)?,
        other => other,
    };
    match format {
        Format::Alertmanager => alertmanager::parse(text, Source::Alertmanager),
        Format::Grafana => grafana::parse(text),
        Format::Pagerduty | Format::Auto => pagerduty::parse(text),
    }
}

/// Tells the three payloads apart by their keys.
fn detect(value: &serde_json::Value) -> Result<Format, UserError> {
    let Some(object) = value.as_object() else {
        return Err(UserError::new(format!(
            "the alert payload is a JSON {}, not an object from Alertmanager, Grafana or PagerDuty",
            kind_of(value)
        )));
    };
    let has = |k: &str| object.contains_key(k);
    if has("event_action") || (has("routing_key") && has("payload")) {
        return Ok(Format::Pagerduty);
    }
    if has("alerts") {
        if has("orgId") || (has("title") && has("message")) || has("state") {
            return Ok(Format::Grafana);
        }
        return Ok(Format::Alertmanager);
    }
    Err(UserError::new(
        "the alert payload has neither `alerts` (Alertmanager, Grafana) nor `event_action` \
         (PagerDuty Events API v2)",
    )
    .with_hint(
        "a Grafana contact point with a custom message template sends its own shape; \
         use the default template, or pass --format",
    ))
}

fn kind_of(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "boolean",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    }
}

/// The longest key (group key, fingerprint, dedup key) inc takes: real
/// ones are hashes or label sets of a few hundred bytes, and a key is kept
/// in its incident's header, which inc reads only up to a cap.
pub const MAX_KEY_BYTES: usize = 1024;

/// The largest alert payload inc reads: Alertmanager sends a group's
/// alerts in one, a few kilobytes each.
pub const MAX_PAYLOAD_BYTES: u64 = 16 << 20;

/// A key (group key, fingerprint, dedup key) as sent, without
/// surrounding blanks; one holding a control character is refused, not
/// cleaned: cleaned, `a\u0000b` and `ab` would be one key, and two groups
/// would share an incident. `what` names the field for the error.
fn key(what: &str, s: &str) -> Result<String, UserError> {
    const HINT: &str = "fix what the sender puts in the key (its template or labels)";
    if s.trim().len() > MAX_KEY_BYTES {
        return Err(UserError::new(format!(
            "{what} is {} bytes long; inc takes keys of at most {MAX_KEY_BYTES} bytes, since \
             each is kept in its incident's header",
            s.trim().len()
        ))
        .with_hint(HINT));
    }
    match s.chars().find(|c| c.is_control()) {
        Some(c) => Err(UserError::new(format!(
            "{what} holds a control character (U+{:04X}); inc takes keys only as \
             printable text, so that two keys never become one",
            u32::from(c)
        ))
        .with_hint(HINT)),
        None => Ok(s.trim().to_owned()),
    }
}

/// Text for an error message without control characters (and without
/// surrounding blanks).
fn clean_key(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .to_owned()
}

/// Parses a payload time: RFC 3339, or with a `+0000` offset (no colon),
/// as PagerDuty's own examples write it. Alertmanager's zero time
/// (`0001-01-01T00:00:00Z`, "not ended") and empty strings are `None`.
fn parse_time(field: &str, s: &str) -> Result<Option<DateTime<Utc>>, String> {
    let s = s.trim();
    if s.is_empty() || s.starts_with("0001-01-01") {
        return Ok(None);
    }
    DateTime::parse_from_rfc3339(s)
        .or_else(|_| DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f%z"))
        .or_else(|_| DateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f%z"))
        .ok()
        .map(|t| {
            let t = t.with_timezone(&Utc);
            DateTime::from_timestamp(t.timestamp(), 0).unwrap_or(t)
        })
        // It becomes a header's `started_at` or an event's `at`.
        .filter(|t| crate::model::when::storable(*t))
        .map(Some)
        .ok_or_else(|| format!("`{field}` is not a time: `{}`", clean_key(s)))
}

/// The fingerprint Alertmanager gives a label set (Prometheus' FNV-1a
/// 64 over the sorted names and values, each followed by 0xff), for
/// payloads from releases that did not send `fingerprint`.
pub fn fingerprint(labels: &BTreeMap<String, String>) -> String {
    const OFFSET: u64 = 14_695_981_039_346_656_037;
    const PRIME: u64 = 1_099_511_628_211;
    let mut hash = OFFSET;
    let mut add = |bytes: &[u8]| {
        for b in bytes {
            hash ^= u64::from(*b);
            hash = hash.wrapping_mul(PRIME);
        }
    };
    for (name, value) in labels {
        add(name.as_bytes());
        add(&[0xff]);
        add(value.as_bytes());
        add(&[0xff]);
    }
    format!("{hash:016x}")
}

/// Parses `alerts.reopen_window`: `90s`, `30m`, `1h`, `2d`, `1w`, or a sum
/// such as `1h30m`; `0` turns reopening off.
pub fn parse_window(s: &str) -> Result<Duration, String> {
    crate::model::when::parse_duration(s)
        .map_err(|_| format!("alerts.reopen_window `{s}` is not a duration like `1h` or `30m`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_each_format_by_shape() {
        for (text, source) in [
            (fixture!("alertmanager-firing.json"), Source::Alertmanager),
            (
                fixture!("alertmanager-no-fingerprint.json"),
                Source::Alertmanager,
            ),
            (fixture!("grafana-firing.json"), Source::Grafana),
            (fixture!("grafana-test.json"), Source::Grafana),
            (fixture!("pagerduty-trigger.json"), Source::Pagerduty),
        ] {
            let batch = parse(text, Format::Auto).unwrap();
            assert_eq!(batch.source, source, "{text}");
        }
    }

    #[test]
    fn garbage_says_what_is_wrong() {
        let err = parse("", Format::Auto).unwrap_err().to_string();
        assert!(err.contains("empty"), "{err}");
        let err = parse("{\"alerts\": [", Format::Auto)
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 1 column"), "{err}");
        let err = parse("[1, 2]", Format::Auto).unwrap_err().to_string();
        assert!(err.contains("array"), "{err}");
        let err = parse("{\"text\": \"custom template\"}", Format::Auto).unwrap_err();
        assert!(err.message().contains("neither"), "{err}");
        assert!(err.hints()[0].contains("pass --format"), "{err:?}");
        let err = parse("{\"alerts\": 3}", Format::Auto)
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 1 column"), "{err}");
    }

    #[test]
    fn times_accept_pagerduty_offsets_and_alertmanager_zero() {
        let t = parse_time("t", "2026-11-27T11:58:03.123+0000")
            .unwrap()
            .unwrap();
        assert_eq!(t.to_rfc3339(), "2026-11-27T11:58:03+00:00");
        let t = parse_time("t", "2026-11-27T12:58:03+01:00")
            .unwrap()
            .unwrap();
        assert_eq!(t.to_rfc3339(), "2026-11-27T11:58:03+00:00");
        assert_eq!(parse_time("t", "0001-01-01T00:00:00Z").unwrap(), None);
        assert!(parse_time("t", "yesterday").is_err());
    }

    /// Found by the `alert` fuzz target: `%Y` reads signed and long years,
    /// so this startsAt became year -640, which no timeline line or header
    /// can store and read back.
    #[test]
    fn fuzz_payload_times_outside_the_stored_years_are_refused() {
        for s in ["-640-11-27T11:50:00+19:00", "10000-01-01T00:00:00+0000"] {
            let err = parse_time("startsAt", s).unwrap_err();
            assert_eq!(err, format!("`startsAt` is not a time: `{s}`"));
        }
        let text = fixture!("alertmanager-firing.json").replacen(
            "\"startsAt\": \"",
            "\"startsAt\": \"-640-11-27T11:50:00+19:00\", \"x\": \"",
            1,
        );
        assert!(
            parse(&text, Format::Auto)
                .unwrap_err()
                .to_string()
                .contains("startsAt")
        );
    }

    #[test]
    fn fingerprints_match_prometheus() {
        // The empty label set hashes to FNV-1a's offset basis.
        assert_eq!(fingerprint(&BTreeMap::new()), "cbf29ce484222325");
        let a: BTreeMap<String, String> = [
            ("alertname".into(), "X".into()),
            ("job".into(), "api".into()),
        ]
        .into();
        let b: BTreeMap<String, String> = [
            ("job".into(), "api".into()),
            ("alertname".into(), "X".into()),
        ]
        .into();
        assert_eq!(fingerprint(&a), fingerprint(&b));
        assert_eq!(fingerprint(&a).len(), 16);
    }

    #[test]
    fn keys_with_control_characters_are_refused_not_cleaned() {
        assert_eq!(key("k", " ab ").unwrap(), "ab");
        let err = key("the `groupKey`", "a\u{0}b").unwrap_err();
        assert!(
            err.message()
                .starts_with("the `groupKey` holds a control character (U+0000)"),
            "{err}"
        );
        assert_eq!(
            err.hints(),
            ["fix what the sender puts in the key (its template or labels)"]
        );
        let payload = fixture!("alertmanager-firing.json").replacen(
            "\"groupKey\": \"",
            "\"groupKey\": \"\\u0007",
            1,
        );
        let err = parse(&payload, Format::Auto).unwrap_err().to_string();
        assert!(
            err.contains("`groupKey` holds a control character (U+0007)"),
            "{err}"
        );
    }

    #[test]
    fn windows() {
        assert_eq!(parse_window("1h").unwrap(), Duration::hours(1));
        assert_eq!(parse_window("1h30m").unwrap(), Duration::minutes(90));
        assert_eq!(parse_window("0").unwrap(), Duration::zero());
        assert_eq!(parse_window("45s").unwrap(), Duration::seconds(45));
        for bad in ["", "h", "1", "1x", "soon"] {
            assert!(parse_window(bad).is_err(), "{bad}");
        }
    }
}
