//! Rules of `timeline.yaml`: each line an event, the first one `opened`,
//! statuses, severities, roles, services and actions inc.yaml and the
//! incident's kind allow, phases in order, and a commander while open.

use super::yaml::key_line;
use super::{Finding, IncidentFiles, Rules, future};
use crate::model::event::{Event, EventKind};
use crate::model::incident::Header;
use crate::model::state::State;
use crate::model::status::{Kind, Status};
use crate::model::text::backticked;
use crate::model::when;

/// A timeline's events as readers see them (sorted by time, exact duplicate
/// lines dropped), each with its line in the file.
pub(super) struct Timeline {
    pub(super) events: Vec<Event>,
    pub(super) lines: Vec<usize>,
    /// Some line did not parse.
    pub(super) broken: bool,
}

impl Timeline {
    pub(super) fn starts_with_opened(&self) -> bool {
        self.events
            .first()
            .is_some_and(|e| matches!(e.kind, EventKind::Opened { .. }))
    }

    /// The line of the first event matching `pred`.
    pub(super) fn line_of(&self, pred: impl Fn(&Event) -> bool) -> Option<usize> {
        self.events.iter().position(pred).map(|i| self.lines[i])
    }

    /// The line of the last event matching `pred`.
    pub(super) fn last_line_of(&self, pred: impl Fn(&Event) -> bool) -> Option<usize> {
        self.events.iter().rposition(pred).map(|i| self.lines[i])
    }
}

pub(super) fn read_timeline(text: &str, path: &str, out: &mut Vec<Finding>) -> Timeline {
    let mut parsed: Vec<(Event, &str, usize)> = Vec::new();
    let mut broken = false;
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        match Event::from_line(line) {
            Ok(Some(event)) => parsed.push((event, line, n + 1)),
            Ok(None) => {}
            Err(message) => {
                broken = true;
                let rule = if message.starts_with("unknown status") {
                    "unknown-status"
                } else {
                    "event-syntax"
                };
                out.push(Finding::error(path, n + 1, rule, message));
            }
        }
    }
    // The same order and de-duplication as `store::parse_timeline`.
    let mut timeline = Timeline {
        events: Vec::with_capacity(parsed.len()),
        lines: Vec::with_capacity(parsed.len()),
        broken,
    };
    for (event, n) in crate::model::event::sort_dedup(parsed) {
        timeline.events.push(event);
        timeline.lines.push(n);
    }
    timeline
}

pub(super) fn check_events(
    timeline: &Timeline,
    kind: Kind,
    path: &str,
    rules: &Rules<'_>,
    out: &mut Vec<Finding>,
) {
    let config = rules.config;
    let first_opened = timeline
        .events
        .iter()
        .position(|e| matches!(e.kind, EventKind::Opened { .. }));
    match first_opened {
        None if !timeline.broken => out.push(Finding::error(
            path,
            timeline.lines.first().copied().unwrap_or(1),
            "opened",
            "the timeline has no `opened` event; it must start with one",
        )),
        None => {}
        Some(first) => {
            let opened = &timeline.events[first];
            let opened_line = timeline.lines[first];
            for (e, &n) in timeline.events[..first].iter().zip(&timeline.lines) {
                let message = if e.at < opened.at {
                    format!(
                        "this `{}` event ({}) is before the incident was opened \
                         ({}, line {opened_line})",
                        e.kind.name(),
                        when::stored(e.at),
                        when::stored(opened.at)
                    )
                } else {
                    format!(
                        "this `{}` event has the time of the `opened` event but comes \
                         before it (line {opened_line}); the timeline must start with `opened`",
                        e.kind.name()
                    )
                };
                out.push(Finding::error(path, n, "time-order", message));
            }
        }
    }

    let allowed_statuses = match kind {
        Kind::Incident => Status::INCIDENT,
        Kind::Maintenance => Status::MAINTENANCE,
    };
    let status_ok = |status: Status, n: usize, out: &mut Vec<Finding>| {
        if !allowed_statuses.contains(&status) {
            out.push(Finding::error(
                path,
                n,
                "unknown-status",
                format!(
                    "`{status}` is not a status of an {kind}; use one of: {}",
                    backticked(allowed_statuses.iter().map(|s| s.as_str()))
                ),
            ));
        }
    };
    let severity_ok = |severity: &str, n: usize, out: &mut Vec<Finding>| {
        if config.severity(severity).is_none() {
            out.push(Finding::error(
                path,
                n,
                "unknown-severity",
                format!(
                    "unknown severity `{severity}`; inc.yaml allows: {}",
                    config.severity_ids()
                ),
            ));
        }
    };
    let mut defined_actions: Vec<u32> = Vec::new();
    for (i, (e, &n)) in timeline.events.iter().zip(&timeline.lines).enumerate() {
        if let Some(message) = future(e.at, rules.now) {
            out.push(Finding::error(
                path,
                n,
                "future",
                format!("this `{}` event {message}", e.kind.name()),
            ));
        }
        match &e.kind {
            EventKind::Opened { severity, status } => {
                if let Some(first) = first_opened
                    && i > first
                {
                    out.push(Finding::error(
                        path,
                        n,
                        "opened",
                        format!(
                            "a second `opened` event (the first is on line {})",
                            timeline.lines[first]
                        ),
                    ));
                }
                severity_ok(severity, n, out);
                status_ok(*status, n, out);
            }
            EventKind::Severity { severity } => severity_ok(severity, n, out),
            EventKind::Status { status, .. } => status_ok(*status, n, out),
            EventKind::Update {
                status: Some(status),
                ..
            } => status_ok(*status, n, out),
            EventKind::Role { role, .. } => {
                if !config.roles.iter().any(|r| r == role) {
                    out.push(Finding::error(
                        path,
                        n,
                        "unknown-role",
                        format!(
                            "unknown role `{role}`; inc.yaml allows: {}",
                            backticked(config.roles.iter().map(String::as_str))
                        ),
                    ));
                }
            }
            EventKind::Impact {
                service: Some(service),
                ..
            } => {
                if !config.services.is_empty() && !config.services.iter().any(|s| &s.id == service)
                {
                    out.push(Finding::error(
                        path,
                        n,
                        "unknown-service",
                        format!(
                            "unknown service `{service}`; inc.yaml lists: {}",
                            backticked(config.services.iter().map(|s| s.id.as_str()))
                        ),
                    ));
                }
            }
            EventKind::Action { id, due, .. } => {
                defined_actions.push(*id);
                if let Some(due) = due
                    && crate::model::state::parse_due(due).is_none()
                {
                    out.push(Finding::error(
                        path,
                        n,
                        "action-due",
                        format!("action #{id}: the due date `{due}` is not a date (YYYY-MM-DD)"),
                    ));
                }
            }
            EventKind::ActionDone { id } => {
                if !defined_actions.contains(id) {
                    out.push(Finding::error(
                        path,
                        n,
                        "action-ref",
                        format!(
                            "`action_done` for action #{id}, which no earlier `action` event adds"
                        ),
                    ));
                }
            }
            EventKind::Other { kind } => out.push(Finding::error(
                path,
                n,
                "event-type",
                format!(
                    "unknown event type `{kind}`; known: opened, note, update, status, \
                     severity, role, ack, alert, action, action_done, impact, page"
                ),
            )),
            EventKind::Update { status: None, .. }
            | EventKind::Impact { service: None, .. }
            | EventKind::Note { .. }
            | EventKind::Ack
            | EventKind::Page { .. }
            | EventKind::Alert { .. } => {}
        }
    }
}

/// started ≤ opened ≤ acknowledged, mitigated, resolved. (`started ≤ opened`
/// is a header check.) Acknowledged after mitigated is allowed: automation
/// may mitigate or resolve an incident before a person looks at it.
pub(super) fn check_phases(
    h: &Header,
    text: &str,
    state: &State,
    timeline: &Timeline,
    files: &IncidentFiles,
    out: &mut Vec<Finding>,
) {
    let reached = [
        ("acknowledged", state.acknowledged_at),
        ("mitigated", state.mitigated_at),
        ("resolved", state.resolved_at),
    ];
    let earliest = reached
        .into_iter()
        .filter_map(|(what, at)| at.map(|at| (what, at)))
        .min_by_key(|(_, at)| *at);
    if let Some((what, at)) = earliest
        && at < h.opened_at
    {
        let line = timeline.line_of(|e| e.at == at).unwrap_or(1);
        out.push(Finding::error(
            &files.header.path,
            key_line(text, "opened_at"),
            "time-order",
            format!(
                "`opened_at` ({}) is after the incident was {what} ({}, timeline.yaml line {line})",
                when::stored(h.opened_at),
                when::stored(at)
            ),
        ));
    }
}

pub(super) fn check_commander(
    kind: Kind,
    state: &State,
    timeline: &Timeline,
    files: &IncidentFiles,
    out: &mut Vec<Finding>,
) {
    if kind != Kind::Incident || !state.is_open() || state.commander().is_some() {
        return;
    }
    // Where the commander was unassigned, else where it was opened.
    let unassigned = timeline
        .last_line_of(|e| matches!(&e.kind, EventKind::Role { role, .. } if role == "commander"));
    let line = unassigned
        .or_else(|| timeline.line_of(|e| matches!(e.kind, EventKind::Opened { .. })))
        .unwrap_or(1);
    out.push(Finding::warning(
        &files.timeline.path,
        line,
        "no-commander",
        format!(
            "open incident with no commander; `inc assign {} commander WHO` names one",
            files.name
        ),
    ));
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use crate::model::check::Level;
    use crate::model::check::fixtures::*;

    #[test]
    fn bad_event_lines_are_errors_on_their_line() {
        let timeline = opened("SEV3")
            + &commander()
            + "not an event\n"
            + &line("10:05:00", "bob", "\"type\":\"note\"")
            + "- {\"at\":\"yesterday\",\"by\":\"bob\",\"type\":\"ack\"}\n"
            + &line(
                "10:06:00",
                "bob",
                "\"type\":\"status\",\"status\":\"fixed\"",
            )
            + &line("10:07:00", "bob", "\"type\":\"sing\"");
        let found = check(&files(&header(), &timeline, None));
        assert_eq!(
            places(&found),
            [
                ("event-syntax", TIMELINE, 3),
                ("event-syntax", TIMELINE, 4),
                ("event-syntax", TIMELINE, 5),
                ("unknown-status", TIMELINE, 6),
                ("event-type", TIMELINE, 7),
            ]
        );
        assert!(found[1].message.contains("needs `text`"), "{found:?}");
        assert!(found[2].message.contains("RFC 3339"), "{found:?}");
        assert!(found.iter().all(|f| f.level == Level::Error));
    }

    #[test]
    fn unknown_severity_role_and_service() {
        let config = Config::parse(
            "services:\n  - id: api\n  - id: web\n",
            std::path::Path::new("inc.yaml"),
        )
        .unwrap();
        let header = header().replace("- api\n", "- api\n- paymnts\n");
        let timeline = opened("P1")
            + &commander()
            + &line(
                "10:01:00",
                "a",
                "\"type\":\"severity\",\"severity\":\"SEV9\"",
            )
            + &line(
                "10:02:00",
                "a",
                "\"type\":\"role\",\"role\":\"captain\",\"who\":\"a\"",
            )
            + &line(
                "10:03:00",
                "a",
                "\"type\":\"impact\",\"impact\":\"major_outage\",\"service\":\"db\"",
            );
        let found = check_with(&config, &files(&header, &timeline, None));
        assert_eq!(
            places(&found),
            [
                ("unknown-service", HEADER, 4),
                ("unknown-severity", TIMELINE, 1),
                ("unknown-severity", TIMELINE, 3),
                ("unknown-role", TIMELINE, 4),
                ("unknown-service", TIMELINE, 5),
            ]
        );
        assert!(found[0].message.contains("`paymnts`"), "{found:?}");
        assert!(found[3].message.contains("`commander`"), "{found:?}");
        // While inc.yaml lists no services, any name goes.
        assert_eq!(
            places(&check(&files(
                &header,
                &(opened("SEV3") + &commander()),
                None
            ))),
            []
        );
    }

    #[test]
    fn maintenance_statuses_are_not_incident_statuses() {
        let timeline = opened("SEV3")
            + &commander()
            + &line(
                "10:05:00",
                "a",
                "\"type\":\"status\",\"status\":\"in_progress\"",
            );
        let found = check(&files(&header(), &timeline, None));
        assert_eq!(places(&found), [("unknown-status", TIMELINE, 3)]);
        let maintenance = header() + "kind: maintenance\n";
        let timeline = line(
            "10:00:00",
            "alice",
            "\"type\":\"opened\",\"severity\":\"SEV4\",\"status\":\"scheduled\"",
        ) + &line(
            "10:05:00",
            "a",
            "\"type\":\"status\",\"status\":\"completed\"",
        );
        assert_eq!(check(&files(&maintenance, &timeline, None)), []);
    }

    #[test]
    fn the_timeline_starts_with_one_opened_event() {
        let note = |at: &str| line(at, "bob", "\"type\":\"note\",\"text\":\"hi\"");
        // An event dated before the opening.
        let timeline = opened("SEV3") + &commander() + &note("09:59:00");
        let found = check(&files(&header(), &timeline, None));
        assert_eq!(places(&found), [("time-order", TIMELINE, 3)]);
        assert!(found[0].message.contains("before the incident was opened"));
        // Same time, but written above the `opened` line.
        let timeline = note("10:00:00") + &opened("SEV3") + &commander();
        let found = check(&files(&header(), &timeline, None));
        assert_eq!(places(&found), [("time-order", TIMELINE, 1)]);
        // Two `opened` events; an exact duplicate line (a union merge) is fine.
        let second = opened("SEV3").replace("10:00:00", "10:30:00");
        let timeline = opened("SEV3") + &commander() + &opened("SEV3") + &second;
        let found = check(&files(&header(), &timeline, None));
        assert_eq!(places(&found), [("opened", TIMELINE, 4)]);
        assert!(found[0].message.contains("line 1"), "{found:?}");
        // None at all.
        let found = check(&files(&header(), &note("10:00:00"), None));
        assert_eq!(
            places(&found),
            [("opened", TIMELINE, 1)],
            "and no commander warning for a timeline with no state"
        );
        let found = check(&files(&header(), "", None));
        assert_eq!(places(&found), [("opened", TIMELINE, 1)]);
        // A broken line may be the `opened` one: no second finding for it.
        let found = check(&files(&header(), "- {\"at\":\n", None));
        assert_eq!(places(&found), [("event-syntax", TIMELINE, 1)]);
    }

    #[test]
    fn events_and_headers_far_in_the_future_are_errors() {
        let at = |at: &str, text: &str| {
            format!("- {{\"at\":\"{at}\",\"by\":\"bob\",\"type\":\"note\",\"text\":\"{text}\"}}\n")
        };
        let far = at("9999-01-01T00:00:00Z", "typo");
        // A clock or zone off by hours is not a typo.
        let soon = at("2026-11-28T11:00:00Z", "skew");
        let text = format!("{}{}{soon}{far}", opened("SEV3"), commander());
        let found = check(&files(&header(), &text, None));
        assert_eq!(places(&found), [("future", TIMELINE, 4)], "{found:?}");
        assert!(
            found[0].message.contains("9999-01-01T00:00:00Z"),
            "{found:?}"
        );
        let header = header().replace("opened_at: 2026-11-20", "opened_at: 9999-11-20");
        let found = check(&files(
            &header,
            &format!("{}{}", opened("SEV3"), commander()),
            None,
        ));
        assert!(
            found.iter().any(|f| f.rule == "future" && f.line == 5),
            "{found:?}"
        );
    }

    #[test]
    fn phases_in_order() {
        let late_start = header().replace("09:55", "10:30");
        let timeline = opened("SEV3") + &commander();
        let found = check(&files(&late_start, &timeline, None));
        assert_eq!(places(&found), [("time-order", HEADER, 4)]);
        assert!(found[0].message.contains("`started_at`"), "{found:?}");

        // The header says it was opened after it was acknowledged.
        let late_open =
            header().replace("opened_at: 2026-11-20T10:00", "opened_at: 2026-11-20T10:20");
        let found = check(&files(&late_open, &timeline, None));
        assert_eq!(places(&found), [("time-order", HEADER, 5)]);
        assert!(
            found[0].message.contains("acknowledged") && found[0].message.contains("line 1"),
            "{found:?}"
        );
        // Automation mitigating before anyone acknowledged is not a fault.
        let automated = line(
            "10:00:00",
            "bot",
            "\"type\":\"opened\",\"severity\":\"SEV3\",\"status\":\"triage\"",
        ) + &commander().replace("alice", "bot")
            + &line(
                "10:10:00",
                "bot",
                "\"type\":\"status\",\"status\":\"monitoring\"",
            )
            + &line("10:20:00", "bob", "\"type\":\"ack\"");
        assert_eq!(check(&files(&header(), &automated, None)), []);
    }

    #[test]
    fn open_incident_without_commander_warns() {
        let found = check(&files(&header(), &opened("SEV3"), None));
        assert_eq!(places(&found), [("no-commander", TIMELINE, 1)]);
        assert_eq!(found[0].level, Level::Warning);
        let unassigned = opened("SEV3")
            + &commander()
            + &line(
                "10:10:00",
                "a",
                "\"type\":\"role\",\"role\":\"commander\",\"who\":null",
            );
        assert_eq!(
            places(&check(&files(&header(), &unassigned, None))),
            [("no-commander", TIMELINE, 3)]
        );
        // Closed incidents need no commander any more.
        let closed = opened("SEV3") + &resolved();
        assert_eq!(check(&files(&header(), &closed, None)), []);
    }
}
