//! Timeline events: what happened, when, and who did it.
//!
//! On disk each event is one line of `timeline.yaml`: `- ` followed by a JSON
//! object whose keys come in a fixed order (`at`, `by`, `type`, then the
//! type's own fields). The codec for that line lives here because it is pure;
//! reading and appending files is `store`'s job.

use std::borrow::Cow;

use chrono::{DateTime, SecondsFormat, Timelike, Utc};
use serde::Deserialize;
use serde::ser::{Serialize, SerializeMap, Serializer};

use super::status::{Impact, Status};

/// One entry of an incident's timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub at: DateTime<Utc>,
    pub by: String,
    pub kind: EventKind,
}

/// What an event records. Fields mirror the file format.
#[derive(Debug, Clone, PartialEq)]
pub enum EventKind {
    Opened {
        severity: String,
        status: Status,
    },
    /// Internal: never public.
    Note {
        text: String,
        pinned: bool,
    },
    /// Public: may appear on the status page.
    Update {
        status: Option<Status>,
        text: String,
    },
    Status {
        status: Status,
        text: Option<String>,
    },
    Severity {
        severity: String,
    },
    Role {
        role: String,
        who: Option<String>,
    },
    Ack,
    Alert {
        key: String,
        state: String,
        source: Option<String>,
        text: Option<String>,
    },
    Action {
        id: u32,
        text: String,
        owner: Option<String>,
        due: Option<String>,
        link: Option<String>,
    },
    ActionDone {
        id: u32,
    },
    Impact {
        impact: Impact,
        service: Option<String>,
    },
    /// An escalation page sent to `who` (level `level` of the policy,
    /// counted from 1). It does not acknowledge: only a person does that.
    Page {
        who: String,
        level: u32,
    },
    /// A type this version of inc does not know (written by a newer one).
    /// Kept so folds and listings skip it instead of failing.
    Other {
        kind: String,
    },
}

impl EventKind {
    /// The `type` key as written in the file.
    pub fn name(&self) -> &str {
        match self {
            EventKind::Opened { .. } => "opened",
            EventKind::Note { .. } => "note",
            EventKind::Update { .. } => "update",
            EventKind::Status { .. } => "status",
            EventKind::Severity { .. } => "severity",
            EventKind::Role { .. } => "role",
            EventKind::Ack => "ack",
            EventKind::Alert { .. } => "alert",
            EventKind::Action { .. } => "action",
            EventKind::ActionDone { .. } => "action_done",
            EventKind::Impact { .. } => "impact",
            EventKind::Page { .. } => "page",
            EventKind::Other { kind } => kind,
        }
    }
}

impl Event {
    pub fn new(at: DateTime<Utc>, by: &str, kind: EventKind) -> Event {
        Event {
            at,
            by: by.to_owned(),
            kind,
        }
    }

    /// A one-line human summary, used in commit subjects and tables.
    pub fn describe(&self) -> String {
        match &self.kind {
            EventKind::Opened { severity, status } => format!("opened as {severity}, {status}"),
            EventKind::Note { text, pinned } => {
                format!("{}{}", if *pinned { "📌 " } else { "" }, text)
            }
            EventKind::Update { status, text } => match status {
                Some(s) => format!("[{s}] {text}"),
                None => text.clone(),
            },
            EventKind::Status { status, text } => match text {
                Some(t) => format!("status → {status}: {t}"),
                None => format!("status → {status}"),
            },
            EventKind::Severity { severity } => format!("severity → {severity}"),
            EventKind::Role { role, who } => match who {
                Some(w) => format!("{role} → {w}"),
                None => format!("{role} unassigned"),
            },
            EventKind::Ack => "acknowledged".to_owned(),
            EventKind::Alert {
                key, state, text, ..
            } => match text {
                Some(t) => format!("alert {state}: {t}"),
                None => format!("alert {key} {state}"),
            },
            EventKind::Action { id, text, .. } => format!("action #{id}: {text}"),
            EventKind::ActionDone { id } => format!("action #{id} done"),
            EventKind::Impact { impact, service } => match service {
                Some(s) => format!("impact on {s} → {impact}"),
                None => format!("impact → {impact}"),
            },
            EventKind::Page { who, level } => format!("paged {who} (level {level})"),
            EventKind::Other { kind } => format!("({kind})"),
        }
    }

    /// What a commit making this event is called: `note: …`, `status → resolved`.
    pub fn subject(&self) -> String {
        match &self.kind {
            EventKind::Note { .. } | EventKind::Update { .. } => {
                format!("{}: {}", self.kind.name(), self.describe())
            }
            _ => self.describe(),
        }
    }

    /// The line as stored in `timeline.yaml`, without the trailing newline.
    pub fn to_line(&self) -> String {
        // Serializing a map of strings, numbers and bools cannot fail.
        let json = serde_json::to_string(self).unwrap_or_default();
        format!("- {json}")
    }

    /// Parses one stored line (`- {…}`). Blank lines and comments are `Ok(None)`.
    pub fn from_line(line: &str) -> Result<Option<Event>, String> {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            return Ok(None);
        }
        let Some(json) = line.strip_prefix("- ").or_else(|| line.strip_prefix("-")) else {
            return Err("expected a line `- {\"at\": …, \"by\": …, \"type\": …}`".to_owned());
        };
        let raw: RawEvent =
            serde_json::from_str(json.trim()).map_err(|e| format!("not a JSON event: {e}"))?;
        raw.into_event().map(Some)
    }
}

/// Runs of events at one time longer than this are de-duplicated through a
/// hash set; shorter ones (nearly every run) by comparing within the run.
const SHORT_RUN: usize = 16;

/// Sorts parsed timeline lines by time (stable) and drops exact duplicate
/// lines (a union merge leaves them), keeping each first one with its
/// `extra` (a line number, say). `key` is what makes two lines the same:
/// the line's text as stored.
///
/// O(n log n) whatever the times: equal lines have equal times, so after
/// the sort duplicates sit in one run of equal times, compared within the
/// run while it is short, through a hash set once it is long (80,000
/// events at one time, as one alert storm appends, would otherwise cost
/// billions of comparisons).
pub fn sort_dedup<K, T>(mut parsed: Vec<(Event, K, T)>) -> Vec<(Event, T)>
where
    K: Eq + std::hash::Hash + Copy,
{
    parsed.sort_by_key(|(e, _, _)| e.at);
    let mut out = Vec::with_capacity(parsed.len());
    let mut run: Vec<K> = Vec::with_capacity(SHORT_RUN);
    let mut long_run: std::collections::HashSet<K> = std::collections::HashSet::new();
    let mut run_at = None;
    for (event, key, extra) in parsed {
        if run_at != Some(event.at) {
            run_at = Some(event.at);
            run.clear();
            long_run.clear();
        }
        let duplicate = if run.len() < SHORT_RUN {
            let seen = run.contains(&key);
            if !seen {
                run.push(key);
            }
            seen
        } else {
            if long_run.is_empty() {
                long_run.extend(run.iter().copied());
            }
            !long_run.insert(key)
        };
        if !duplicate {
            out.push((event, extra));
        }
    }
    out
}

impl Serialize for Event {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("at", &self.at.to_rfc3339_opts(SecondsFormat::Secs, true))?;
        map.serialize_entry("by", &self.by)?;
        map.serialize_entry("type", self.kind.name())?;
        match &self.kind {
            EventKind::Opened { severity, status } => {
                map.serialize_entry("severity", severity)?;
                map.serialize_entry("status", status)?;
            }
            EventKind::Note { text, pinned } => {
                map.serialize_entry("text", text)?;
                if *pinned {
                    map.serialize_entry("pinned", &true)?;
                }
            }
            EventKind::Update { status, text } => {
                if let Some(s) = status {
                    map.serialize_entry("status", s)?;
                }
                map.serialize_entry("text", text)?;
            }
            EventKind::Status { status, text } => {
                map.serialize_entry("status", status)?;
                if let Some(t) = text {
                    map.serialize_entry("text", t)?;
                }
            }
            EventKind::Severity { severity } => map.serialize_entry("severity", severity)?,
            EventKind::Role { role, who } => {
                map.serialize_entry("role", role)?;
                map.serialize_entry("who", who)?;
            }
            EventKind::Ack | EventKind::Other { .. } => {}
            EventKind::Alert {
                key,
                state,
                source,
                text,
            } => {
                map.serialize_entry("key", key)?;
                map.serialize_entry("state", state)?;
                if let Some(s) = source {
                    map.serialize_entry("source", s)?;
                }
                if let Some(t) = text {
                    map.serialize_entry("text", t)?;
                }
            }
            EventKind::Action {
                id,
                text,
                owner,
                due,
                link,
            } => {
                map.serialize_entry("id", id)?;
                map.serialize_entry("text", text)?;
                map.serialize_entry("owner", owner)?;
                map.serialize_entry("due", due)?;
                map.serialize_entry("link", link)?;
            }
            EventKind::ActionDone { id } => map.serialize_entry("id", id)?,
            EventKind::Page { who, level } => {
                map.serialize_entry("who", who)?;
                map.serialize_entry("level", level)?;
            }
            EventKind::Impact { impact, service } => {
                map.serialize_entry("impact", impact)?;
                if let Some(s) = service {
                    map.serialize_entry("service", s)?;
                }
            }
        }
        map.end()
    }
}

/// Every field any event type may carry; decoded flat (fast, no buffering),
/// then checked per type.
#[derive(Deserialize)]
struct RawEvent<'a> {
    // Borrowed where the JSON has no escapes: no allocation for the common case.
    #[serde(borrow)]
    at: Cow<'a, str>,
    by: String,
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    severity: Option<String>,
    status: Option<String>,
    text: Option<String>,
    #[serde(default)]
    pinned: bool,
    role: Option<String>,
    who: Option<String>,
    key: Option<String>,
    state: Option<String>,
    source: Option<String>,
    id: Option<u32>,
    owner: Option<String>,
    due: Option<String>,
    link: Option<String>,
    impact: Option<String>,
    service: Option<String>,
    level: Option<u32>,
}

fn need<T>(value: Option<T>, kind: &str, field: &str) -> Result<T, String> {
    value.ok_or_else(|| format!("a `{kind}` event needs `{field}`"))
}

impl RawEvent<'_> {
    fn into_event(self) -> Result<Event, String> {
        let at = DateTime::parse_from_rfc3339(&self.at)
            .map_err(|e| format!("`at` is not an RFC 3339 time (`{}`): {e}", self.at))?
            .with_timezone(&Utc);
        // Stored times have second precision: a fraction (written by hand
        // or by another tool) is dropped here, so the event read is the
        // event `to_line` writes back.
        let at = at.with_nanosecond(0).unwrap_or(at);
        if !super::when::storable(at) {
            return Err(format!(
                "`at` (`{}`) is outside the years 0000 to 9999 in UTC",
                self.at
            ));
        }
        let status = |s: Option<String>| -> Result<Option<Status>, String> {
            s.map(|s| s.parse::<Status>()).transpose()
        };
        let k = &*self.kind;
        let kind = match k {
            "opened" => EventKind::Opened {
                severity: need(self.severity, k, "severity")?,
                status: need(status(self.status)?, k, "status")?,
            },
            "note" => EventKind::Note {
                text: need(self.text, k, "text")?,
                pinned: self.pinned,
            },
            "update" => EventKind::Update {
                status: status(self.status)?,
                text: need(self.text, k, "text")?,
            },
            "status" => EventKind::Status {
                status: need(status(self.status)?, k, "status")?,
                text: self.text,
            },
            "severity" => EventKind::Severity {
                severity: need(self.severity, k, "severity")?,
            },
            "role" => EventKind::Role {
                role: need(self.role, k, "role")?,
                who: self.who,
            },
            "ack" => EventKind::Ack,
            "alert" => EventKind::Alert {
                key: need(self.key, k, "key")?,
                state: self.state.unwrap_or_else(|| "firing".to_owned()),
                source: self.source,
                text: self.text,
            },
            "action" => EventKind::Action {
                id: need(self.id, k, "id")?,
                text: need(self.text, k, "text")?,
                owner: self.owner,
                due: self.due,
                link: self.link,
            },
            "action_done" => EventKind::ActionDone {
                id: need(self.id, k, "id")?,
            },
            "impact" => EventKind::Impact {
                impact: need(self.impact, k, "impact")?.parse()?,
                service: self.service,
            },
            "page" => EventKind::Page {
                who: need(self.who, k, "who")?,
                level: need(self.level, k, "level")?,
            },
            _ => EventKind::Other {
                kind: self.kind.into_owned(),
            },
        };
        Ok(Event {
            at,
            by: self.by,
            kind,
        })
    }
}

/// Proptest strategies for events, shared by the property tests of the
/// codec, the fold and merging.
#[cfg(test)]
pub(crate) mod strategy {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;
    use proptest::sample::select;

    /// Free text: any characters, line breaks, quotes and controls included.
    fn text() -> impl Strategy<Value = String> {
        "(?s).{0,12}"
    }

    fn name() -> impl Strategy<Value = String> {
        "[a-z]{1,6}"
    }

    /// Any event kind, with the values the file format allows.
    pub fn kind() -> impl Strategy<Value = EventKind> {
        let status = || select(Status::ALL);
        prop_oneof![
            (name(), status())
                .prop_map(|(severity, status)| EventKind::Opened { severity, status }),
            (text(), any::<bool>()).prop_map(|(text, pinned)| EventKind::Note { text, pinned }),
            (proptest::option::of(status()), text())
                .prop_map(|(status, text)| EventKind::Update { status, text }),
            (status(), proptest::option::of(text()))
                .prop_map(|(status, text)| EventKind::Status { status, text }),
            name().prop_map(|severity| EventKind::Severity { severity }),
            (name(), proptest::option::of(name()))
                .prop_map(|(role, who)| EventKind::Role { role, who }),
            Just(EventKind::Ack),
            (
                text(),
                name(),
                proptest::option::of(name()),
                proptest::option::of(text())
            )
                .prop_map(|(key, state, source, text)| EventKind::Alert {
                    key,
                    state,
                    source,
                    text
                }),
            (
                any::<u32>(),
                text(),
                proptest::option::of(name()),
                proptest::option::of(text()),
                proptest::option::of(text())
            )
                .prop_map(|(id, text, owner, due, link)| EventKind::Action {
                    id,
                    text,
                    owner,
                    due,
                    link
                }),
            any::<u32>().prop_map(|id| EventKind::ActionDone { id }),
            (select(Impact::ALL), proptest::option::of(name()))
                .prop_map(|(impact, service)| EventKind::Impact { impact, service }),
            "x_[a-z]{1,6}".prop_map(|kind| EventKind::Other { kind }),
        ]
    }

    /// An event at `at`.
    pub fn event_at(at: DateTime<Utc>) -> impl Strategy<Value = Event> {
        ("(?s).{0,8}", kind()).prop_map(move |(by, kind)| Event { at, by, kind })
    }

    /// An event at any second of years 0 to 9999, the stored range.
    pub fn event() -> impl Strategy<Value = Event> {
        let first = Utc.with_ymd_and_hms(0, 1, 1, 0, 0, 0).unwrap().timestamp();
        let last = Utc
            .with_ymd_and_hms(9999, 12, 31, 23, 59, 59)
            .unwrap()
            .timestamp();
        (first..=last)
            .prop_flat_map(|secs| event_at(DateTime::from_timestamp(secs, 0).expect("in range")))
    }
}

#[cfg(test)]
mod tests;
