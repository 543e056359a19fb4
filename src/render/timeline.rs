//! The timeline of one incident, with its phase markers: as terminal text,
//! as a GitHub-flavoured Markdown table, and as JSON.

use std::fmt::Write;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use super::text::{one_line, sanitize};
use crate::model::{Event, EventKind, Header, Phase, Phases, State, Status, when};

/// One line of a timeline: an event, or a phase being reached.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub at: DateTime<Utc>,
    pub what: What,
}

#[derive(Debug, Clone, PartialEq)]
pub enum What {
    /// A phase reached; `since` is the time since the previous phase.
    Phase {
        phase: Phase,
        since: Option<(Phase, chrono::Duration)>,
    },
    Event {
        /// `None` on public timelines: authors are internal.
        by: Option<String>,
        kind: String,
        text: String,
        pinned: bool,
    },
}

/// Whether an event may appear on the status page: public updates, status
/// changes (without their internal text) and impacts.
pub fn is_public(event: &Event) -> bool {
    matches!(
        event.kind,
        EventKind::Update { .. }
            | EventKind::Status { .. }
            | EventKind::Impact { .. }
            | EventKind::Opened { .. }
    )
}

/// Where a row sorts: its time, the index of its event (for a marker, of
/// the event that reached the phase), a marker before its event, then the
/// order of the phases.
type SortKey = (DateTime<Utc>, usize, bool, usize);

/// The rows of a timeline: events in time order with the phase markers
/// placed where each phase was reached: just before the event that reached
/// it, so events sharing a second keep their file order around the marker
/// (the impact start, and a phase no event reached, go first in their
/// second). `public` keeps only what the status page may show.
pub fn rows(header: &Header, state: &State, events: &[Event], public: bool) -> Vec<Row> {
    let phases = Phases::of(header, state);
    let reached = State::reached(events);
    let mut keyed: Vec<(SortKey, Row)> = Vec::with_capacity(events.len() + 5);
    let mut previous: Option<(Phase, DateTime<Utc>)> = None;
    for (order, phase) in Phase::ALL.into_iter().enumerate() {
        if let Some(at) = phases.at(phase) {
            let by = match phase {
                Phase::Started => None,
                Phase::Detected => reached.detected,
                Phase::Acknowledged => reached.acknowledged,
                Phase::Mitigated => reached.mitigated,
                Phase::Resolved => reached.resolved,
            };
            let index = by.filter(|&i| events.get(i).is_some_and(|e| e.at == at));
            let since = previous.map(|(p, t)| (p, at - t));
            keyed.push((
                (at, index.unwrap_or(0), false, order),
                Row {
                    at,
                    what: What::Phase { phase, since },
                },
            ));
            previous = Some((phase, at));
        }
    }
    for (i, event) in events.iter().enumerate() {
        if public && !is_public(event) {
            continue;
        }
        let (kind, text) = describe(event, public);
        keyed.push((
            (event.at, i, true, 0),
            Row {
                at: event.at,
                what: What::Event {
                    by: (!public).then(|| event.by.clone()),
                    kind,
                    text,
                    pinned: matches!(event.kind, EventKind::Note { pinned: true, .. }),
                },
            },
        ));
    }
    keyed.sort_by_key(|(key, _)| *key);
    keyed.into_iter().map(|(_, row)| row).collect()
}

/// The event's type and text as a timeline shows them.
fn describe(event: &Event, public: bool) -> (String, String) {
    let kind = event.kind.name().to_owned();
    let text = match &event.kind {
        EventKind::Note { text, .. } => text.trim_end().to_owned(),
        EventKind::Update { status, text } => match status {
            Some(s) => format!("[{s}] {}", text.trim_end()),
            None => text.trim_end().to_owned(),
        },
        EventKind::Opened { status, .. } if public => format!("status → {status}"),
        EventKind::Status { status, .. } if public => format!("status → {status}"),
        _ => event.describe(),
    };
    (kind, text)
}

fn phase_text(phase: Phase, since: Option<(Phase, chrono::Duration)>) -> String {
    match since {
        Some((previous, d)) => format!(
            "{} ({} after {})",
            phase.label(),
            when::duration(d),
            previous.label()
        ),
        None => phase.label().to_owned(),
    }
}

/// Terminal text: a date line whenever the day changes, then
/// `HH:MM  who  type  what`, phase markers as `── phase ──` lines.
pub fn text(rows: &[Row], zone: Tz) -> String {
    let mut out = String::new();
    let who_width = rows
        .iter()
        .filter_map(|r| match &r.what {
            What::Event { by: Some(by), .. } => Some(one_line(by, 20).chars().count()),
            _ => None,
        })
        .max()
        .unwrap_or(0);
    let mut day = String::new();
    for row in rows {
        let local = row.at.with_timezone(&zone);
        let this_day = local.format("%Y-%m-%d %a").to_string();
        if this_day != day {
            let _ = writeln!(out, "  {this_day}");
            day = this_day;
        }
        let clock = when::clock(row.at, zone);
        match &row.what {
            What::Phase { phase, since } => {
                let _ = writeln!(out, "    {clock}  ── {} ──", phase_text(*phase, *since));
            }
            What::Event {
                by,
                kind,
                text,
                pinned,
            } => {
                let kind = if *pinned {
                    format!("{kind} (pinned)")
                } else {
                    kind.clone()
                };
                let by = by.as_deref().map(|b| one_line(b, 20)).unwrap_or_default();
                let by_column = if who_width > 0 {
                    format!("{by:<who_width$}  ")
                } else {
                    String::new()
                };
                let indent = " ".repeat(4 + 5 + 2 + by_column.chars().count() + 14 + 1);
                let text = sanitize(text).replace('\n', &format!("\n{indent}"));
                let _ = writeln!(out, "    {clock}  {by_column}{kind:<14} {text}");
            }
        }
    }
    out
}

/// Text safe inside one GFM table cell: no pipes or raw HTML, line breaks
/// as `<br>`.
pub fn md_cell(s: &str) -> String {
    let text = sanitize(s.trim_end());
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '|' => out.push_str("\\|"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            // Doubled only before a pipe, where it would escape ours; a
            // lone backslash (`\set` in a code span) is shown as written.
            '\\' if chars.peek() == Some(&'|') => out.push_str("\\\\"),
            '\n' => out.push_str("<br>"),
            '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A GFM table: time (with its zone), who, what. Phase markers are bold
/// rows; pinned notes carry 📌.
pub fn markdown(rows: &[Row], zone: Tz) -> String {
    let public = !rows
        .iter()
        .any(|r| matches!(r.what, What::Event { by: Some(_), .. }));
    let mut out = String::new();
    if public {
        let _ = writeln!(out, "| Time ({zone}) | What |");
        let _ = writeln!(out, "|---|---|");
    } else {
        let _ = writeln!(out, "| Time ({zone}) | Who | What |");
        let _ = writeln!(out, "|---|---|---|");
    }
    for row in rows {
        let time = when::show(row.at, zone);
        let (who, what) = match &row.what {
            What::Phase { phase, since } => (
                String::new(),
                format!("**{}**", md_cell(&phase_text(*phase, *since))),
            ),
            What::Event {
                by,
                kind,
                text,
                pinned,
            } => {
                let pin = if *pinned { "📌 " } else { "" };
                let what = match kind.as_str() {
                    "note" => format!("{pin}{}", md_cell(text)),
                    _ => format!("{pin}_{kind}_: {}", md_cell(text)),
                };
                (by.as_deref().map(md_cell).unwrap_or_default(), what)
            }
        };
        if public {
            let _ = writeln!(out, "| {time} | {what} |");
        } else {
            let _ = writeln!(out, "| {time} | {who} | {what} |");
        }
    }
    out
}

/// `inc timeline --format json`.
#[derive(Debug, Serialize)]
pub struct TimelineView<'a> {
    pub id: &'a str,
    pub zone: String,
    pub public: bool,
    /// Phase → when it was reached (null: not yet).
    pub phases: PhasesView,
    /// Seconds: detect, acknowledge, mitigate, resolve (null: not reached).
    pub durations: DurationsView,
    pub rows: Vec<RowView>,
}

#[derive(Debug, Serialize)]
pub struct PhasesView {
    pub started: String,
    pub detected: String,
    pub acknowledged: Option<String>,
    pub mitigated: Option<String>,
    pub resolved: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct DurationsView {
    pub detect: i64,
    pub acknowledge: Option<i64>,
    pub mitigate: Option<i64>,
    pub resolve: Option<i64>,
}

#[derive(Debug, Serialize)]
pub struct RowView {
    pub at: String,
    /// `phase` or the event's type.
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phase: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub pinned: bool,
}

impl<'a> TimelineView<'a> {
    pub fn new(id: &'a str, phases: &Phases, rows: &[Row], zone: Tz, public: bool) -> Self {
        let secs = |d: Option<chrono::Duration>| d.map(|d| d.num_seconds());
        TimelineView {
            id,
            zone: zone.to_string(),
            public,
            phases: PhasesView {
                started: when::stored(phases.started),
                detected: when::stored(phases.detected),
                acknowledged: phases.acknowledged.map(when::stored),
                mitigated: phases.mitigated.map(when::stored),
                resolved: phases.resolved.map(when::stored),
            },
            durations: DurationsView {
                detect: phases.to_detect().num_seconds(),
                acknowledge: secs(phases.to_acknowledge()),
                mitigate: secs(phases.to_mitigate()),
                resolve: secs(phases.to_resolve()),
            },
            rows: rows
                .iter()
                .map(|r| match &r.what {
                    What::Phase { phase, .. } => RowView {
                        at: when::stored(r.at),
                        kind: "phase".to_owned(),
                        phase: Some(phase.key()),
                        by: None,
                        text: None,
                        pinned: false,
                    },
                    What::Event {
                        by,
                        kind,
                        text,
                        pinned,
                    } => RowView {
                        at: when::stored(r.at),
                        kind: kind.clone(),
                        phase: None,
                        by: by.clone(),
                        text: Some(text.clone()),
                        pinned: *pinned,
                    },
                })
                .collect(),
        }
    }
}

/// Whether an incident may appear on the status page at all.
pub fn publishable(header: &Header, state: &State) -> Result<(), &'static str> {
    if header.private {
        return Err("it is private");
    }
    if header.mode() == crate::model::Mode::Test {
        return Err("it is a test incident");
    }
    match state.status {
        Some(Status::Triage) => Err("nobody has acknowledged it yet (it is in triage)"),
        Some(Status::Declined) => Err("it was declined as a false alarm"),
        None => Err("its timeline has no `opened` event"),
        // Automation may have moved it on (an alert that resolves itself),
        // but publishing is a person's call.
        Some(_) if state.taken_up_at.is_none() => {
            Err("no person has taken it up (it was opened by automation; `inc ack` it to publish)")
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn t(m: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 27, 12, 0, 0).unwrap() + Duration::minutes(m)
    }

    fn incident() -> (Header, Vec<Event>) {
        let header = Header {
            title: "x".into(),
            started_at: Some(t(-5)),
            opened_at: t(0),
            opened_by: "alice".into(),
            ..Header::default()
        };
        let events = vec![
            Event::new(
                t(0),
                "alice",
                EventKind::Opened {
                    severity: "SEV2".into(),
                    status: Status::Investigating,
                },
            ),
            Event::new(
                t(2),
                "bob",
                EventKind::Note {
                    text: "secret | <b>internal</b>\nsecond line".into(),
                    pinned: true,
                },
            ),
            Event::new(
                t(10),
                "alice",
                EventKind::Update {
                    status: Some(Status::Monitoring),
                    text: "A fix is out.".into(),
                },
            ),
            Event::new(
                t(20),
                "alice",
                EventKind::Status {
                    status: Status::Resolved,
                    text: Some("internal summary".into()),
                },
            ),
        ];
        (header, events)
    }

    /// The kinds of the rows, phase markers as `── phase`.
    fn sequence(rows: &[Row]) -> Vec<String> {
        rows.iter()
            .map(|r| match &r.what {
                What::Phase { phase, .. } => format!("── {}", phase.label()),
                What::Event { kind, .. } => kind.clone(),
            })
            .collect()
    }

    #[test]
    fn a_marker_keeps_file_order_within_its_second() {
        let (header, mut events) = incident();
        // A note and an update in the same second as the resolve, before
        // it in the file, and a note after it.
        events.truncate(3);
        let note = |text: &str| {
            Event::new(
                t(20),
                "bob",
                EventKind::Note {
                    text: text.into(),
                    pinned: false,
                },
            )
        };
        events.push(note("before"));
        events.push(Event::new(
            t(20),
            "alice",
            EventKind::Status {
                status: Status::Resolved,
                text: None,
            },
        ));
        events.push(note("after"));
        let state = State::fold(&events);
        let seq = sequence(&rows(&header, &state, &events, false));
        let tail = &seq[seq.len() - 4..];
        assert_eq!(tail, ["note", "── resolved", "status", "note"], "{seq:?}");
    }

    #[test]
    fn phases_sit_among_events_with_their_gaps() {
        let (header, events) = incident();
        let state = State::fold(&events);
        let rows = rows(&header, &state, &events, false);
        let phases: Vec<String> = rows
            .iter()
            .filter_map(|r| match r.what {
                What::Phase { phase, since } => Some(phase_text(phase, since)),
                _ => None,
            })
            .collect();
        assert_eq!(
            phases,
            [
                "impact start",
                "detected (5m after impact start)",
                "acknowledged (0s after detected)",
                "mitigated (10m after acknowledged)",
                "resolved (10m after mitigated)",
            ]
        );
        // The marker comes before the event at the same time.
        assert!(matches!(
            rows[1].what,
            What::Phase {
                phase: Phase::Detected,
                ..
            }
        ));
    }

    #[test]
    fn public_rows_hold_nothing_internal() {
        let (header, events) = incident();
        let state = State::fold(&events);
        let md = markdown(&rows(&header, &state, &events, true), Tz::UTC);
        assert!(!md.contains("secret"), "{md}");
        assert!(!md.contains("internal"), "{md}");
        assert!(!md.contains("alice"), "{md}");
        assert!(md.contains("A fix is out."), "{md}");
        assert!(md.starts_with("| Time (UTC) | What |"), "{md}");
    }

    #[test]
    fn markdown_cells_are_escaped() {
        let (header, events) = incident();
        let state = State::fold(&events);
        let md = markdown(&rows(&header, &state, &events, false), Tz::UTC);
        assert!(
            md.contains("📌 secret \\| &lt;b&gt;internal&lt;/b&gt;<br>second line"),
            "{md}"
        );
        for line in md.lines().filter(|l| !l.starts_with("|---")) {
            assert_eq!(line.matches(" | ").count(), 2, "three cells: {line}");
        }
    }
}
