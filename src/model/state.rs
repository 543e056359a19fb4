//! The current state of an incident: a pure fold over its events.
//!
//! Nothing here is stored; every reader recomputes it from the timeline, so
//! the timeline stays the single source of truth.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};

use super::event::{Event, EventKind};
use super::status::{Impact, Status};

/// A follow-up action, as folded from `action` and `action_done` events.
#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    pub id: u32,
    pub text: String,
    pub owner: Option<String>,
    pub due: Option<String>,
    pub link: Option<String>,
    pub done: bool,
}

impl Action {
    /// The due date, as [`parse_due`] reads it. A `due` it can't read is
    /// no date, so never overdue (`inc check` reports it as invalid).
    pub fn due_date(&self) -> Option<NaiveDate> {
        parse_due(self.due.as_deref()?)
    }

    /// Not done, and due before `today` (an action due today is not late).
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        !self.done && self.due_date().is_some_and(|due| due < today)
    }
}

/// An action's due date: `YYYY-MM-DD`, as `inc action add` stores it, or
/// an RFC 3339 time (its date where it was written), for hand-written
/// files. The one rule `inc check`, `inc action list`, `inc stats` and the
/// postmortem share.
pub fn parse_due(due: &str) -> Option<NaiveDate> {
    let due = due.trim();
    NaiveDate::parse_from_str(due, "%Y-%m-%d").ok().or_else(|| {
        DateTime::parse_from_rfc3339(due)
            .ok()
            .map(|t| t.date_naive())
    })
}

/// An escalation page sent (a `page` event).
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub at: DateTime<Utc>,
    pub who: String,
    pub level: u32,
}

/// Where an incident stands after all its events.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct State {
    /// `None` only for a timeline with no `opened` event (a broken file).
    pub status: Option<Status>,
    pub severity: Option<String>,
    /// Who opened it (the `by` of the `opened` event).
    pub opened_by: Option<String>,
    pub opened_at: Option<DateTime<Utc>>,
    /// role → person; unassigned roles are absent.
    pub roles: BTreeMap<String, String>,
    /// An explicit overall impact; `None` means "default for the severity".
    pub impact: Option<Impact>,
    /// Explicit per-service impacts.
    pub service_impact: BTreeMap<String, Impact>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub acknowledged_by: Option<String>,
    /// When a person first took it up: opened it, acknowledged it, posted
    /// an update, changed its status or assigned a role. Automation (the
    /// opener of an incident that started in triage, and whoever wrote its
    /// alert events) never does, whatever it does to the incident: an
    /// incident nobody took up stays off the status page.
    pub taken_up_at: Option<DateTime<Utc>>,
    /// Who wrote automation's events: the opener of an incident that
    /// started in triage, and the authors of alert events.
    pub automation: Vec<String>,
    pub mitigated_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    /// Who resolved it (the author of the event that set `resolved_at`).
    pub resolved_by: Option<String>,
    /// When it was last closed (resolved, declined, completed); `None`
    /// while it is open.
    pub closed_at: Option<DateTime<Utc>>,
    pub actions: Vec<Action>,
    /// The time of the newest event.
    pub last_event_at: Option<DateTime<Utc>>,
    /// Escalation pages sent, in time order. A page acknowledges nothing
    /// and takes nothing up: `inc escalate` reads which levels were sent,
    /// `inc stats` counts them.
    pub pages: Vec<Page>,
}

/// The events that reached the phases, as indexes (see [`State::reached`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reached {
    pub detected: Option<usize>,
    pub acknowledged: Option<usize>,
    pub mitigated: Option<usize>,
    pub resolved: Option<usize>,
}

impl State {
    /// Folds events, which must be sorted by time (the store sorts them).
    pub fn fold(events: &[Event]) -> State {
        events.iter().fold(State::default(), State::apply)
    }

    /// Which event (an index into `events`, sorted as for [`State::fold`])
    /// gave each phase time its final value: a timeline puts each phase
    /// marker just before that event, so events sharing its second keep
    /// their file order around it.
    pub fn reached(events: &[Event]) -> Reached {
        let mut state = State::default();
        let mut reached = Reached::default();
        for (i, event) in events.iter().enumerate() {
            let before = [
                state.opened_at,
                state.acknowledged_at,
                state.mitigated_at,
                state.resolved_at,
            ];
            state = state.apply(event);
            let after = [
                state.opened_at,
                state.acknowledged_at,
                state.mitigated_at,
                state.resolved_at,
            ];
            let slots = [
                &mut reached.detected,
                &mut reached.acknowledged,
                &mut reached.mitigated,
                &mut reached.resolved,
            ];
            for ((old, new), slot) in before.into_iter().zip(after).zip(slots) {
                if new.is_some() && new != old {
                    *slot = Some(i);
                }
            }
        }
        reached
    }

    /// Whether the incident still needs attention.
    pub fn is_open(&self) -> bool {
        self.status.is_some_and(|s| !s.is_closed())
    }

    pub fn commander(&self) -> Option<&str> {
        self.roles.get("commander").map(String::as_str)
    }

    fn apply(mut self, event: &Event) -> State {
        let resolved_before = self.resolved_at;
        self = self.apply_kind(event);
        if self.resolved_at.is_none() {
            self.resolved_by = None;
        } else if self.resolved_at != resolved_before {
            self.resolved_by = Some(event.by.clone());
        }
        self
    }

    fn apply_kind(mut self, event: &Event) -> State {
        self.last_event_at = Some(event.at);
        match &event.kind {
            EventKind::Opened { severity, status } => {
                self.opened_by = Some(event.by.clone());
                self.opened_at = Some(event.at);
                self.severity = Some(severity.clone());
                // A person opening an incident has acknowledged it; one opened
                // by automation starts in triage and waits for a person.
                if *status == Status::Triage {
                    self.automation.push(event.by.clone());
                } else {
                    self.acknowledge(event);
                    self.take_up(event);
                }
                self.set_status(*status, event.at);
            }
            EventKind::Ack => {
                self.acknowledge(event);
                self.take_up(event);
                if self.status == Some(Status::Triage) {
                    self.set_status(Status::Investigating, event.at);
                }
            }
            EventKind::Status { status, .. } => {
                self.take_up(event);
                self.set_status(*status, event.at);
            }
            EventKind::Update { status, .. } => {
                self.implicit_ack(event);
                self.take_up(event);
                if let Some(status) = status {
                    self.set_status(*status, event.at);
                }
            }
            EventKind::Severity { severity } => {
                self.implicit_ack(event);
                self.severity = Some(severity.clone());
            }
            EventKind::Role { role, who } => {
                self.implicit_ack(event);
                self.take_up(event);
                match who {
                    Some(who) => self.roles.insert(role.clone(), who.clone()),
                    None => self.roles.remove(role),
                };
            }
            EventKind::Note { .. } => self.implicit_ack(event),
            EventKind::Impact { impact, service } => match service {
                Some(s) => {
                    self.service_impact.insert(s.clone(), *impact);
                }
                None => self.impact = Some(*impact),
            },
            EventKind::Action {
                id,
                text,
                owner,
                due,
                link,
            } => {
                self.actions.retain(|a| a.id != *id);
                self.actions.push(Action {
                    id: *id,
                    text: text.clone(),
                    owner: owner.clone(),
                    due: due.clone(),
                    link: link.clone(),
                    done: false,
                });
            }
            EventKind::ActionDone { id } => {
                if let Some(a) = self.actions.iter_mut().find(|a| a.id == *id) {
                    a.done = true;
                }
            }
            EventKind::Alert { .. } => {
                if !self.automation.contains(&event.by) {
                    self.automation.push(event.by.clone());
                }
            }
            EventKind::Page { who, level } => self.pages.push(Page {
                at: event.at,
                who: who.clone(),
                level: *level,
            }),
            EventKind::Other { .. } => {}
        }
        self
    }

    /// Whether level `level` of the escalation policy was paged.
    pub fn paged_level(&self, level: u32) -> bool {
        self.pages.iter().any(|p| p.level == level)
    }

    /// A person's ack, update, status change or role assignment takes the
    /// incident up; the same event by automation does not.
    fn take_up(&mut self, event: &Event) {
        if self.taken_up_at.is_none() && !self.automation.contains(&event.by) {
            self.taken_up_at = Some(event.at);
        }
    }

    fn acknowledge(&mut self, event: &Event) {
        if self.acknowledged_at.is_none() {
            self.acknowledged_at = Some(event.at);
            self.acknowledged_by = Some(event.by.clone());
        }
    }

    /// For an incident opened by automation, the first thing a person other
    /// than the opener does counts as acknowledging it.
    fn implicit_ack(&mut self, event: &Event) {
        if self.opened_by.as_deref() != Some(event.by.as_str()) {
            self.acknowledge(event);
        }
    }

    fn set_status(&mut self, status: Status, at: DateTime<Utc>) {
        if !status.is_closed() {
            self.closed_at = None;
            // A reopen starts the response over: the incident is neither
            // mitigated nor resolved until it is again. (Going back from
            // monitoring while still open keeps the first mitigation.)
            if self.status.is_some_and(Status::is_closed) {
                self.mitigated_at = None;
            }
        } else if !self.status.is_some_and(Status::is_closed) {
            self.closed_at = Some(at);
        }
        match status {
            Status::Monitoring => {
                self.mitigated_at.get_or_insert(at);
            }
            Status::Resolved => {
                self.mitigated_at.get_or_insert(at);
                if self.status != Some(Status::Resolved) {
                    self.resolved_at = Some(at);
                }
            }
            _ => self.resolved_at = None,
        }
        self.status = Some(status);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn t(min: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 27, 12, 0, 0).unwrap() + Duration::minutes(min)
    }

    fn ev(min: i64, by: &str, kind: EventKind) -> Event {
        Event::new(t(min), by, kind)
    }

    fn opened(status: Status) -> EventKind {
        EventKind::Opened {
            severity: "SEV2".into(),
            status,
        }
    }

    fn status(status: Status) -> EventKind {
        EventKind::Status { status, text: None }
    }

    #[test]
    fn empty_timeline_is_not_open() {
        let s = State::fold(&[]);
        assert_eq!(s.status, None);
        assert!(!s.is_open());
    }

    #[test]
    fn person_opened_is_acknowledged_at_once() {
        let s = State::fold(&[ev(0, "alice", opened(Status::Investigating))]);
        assert_eq!(s.status, Some(Status::Investigating));
        assert_eq!(s.acknowledged_at, Some(t(0)));
        assert!(s.is_open());
    }

    #[test]
    fn automation_opened_waits_for_a_person() {
        let events = [
            ev(0, "alertmanager", opened(Status::Triage)),
            ev(
                1,
                "alertmanager",
                EventKind::Alert {
                    key: "k".into(),
                    state: "firing".into(),
                    source: None,
                    text: None,
                },
            ),
            ev(5, "bob", EventKind::Ack),
        ];
        let s = State::fold(&events[..2]);
        assert_eq!(s.acknowledged_at, None);
        assert_eq!(s.status, Some(Status::Triage));
        let s = State::fold(&events);
        assert_eq!(s.acknowledged_at, Some(t(5)));
        assert_eq!(s.acknowledged_by.as_deref(), Some("bob"));
        assert_eq!(s.status, Some(Status::Investigating));
    }

    #[test]
    fn automation_resolving_its_own_incident_does_not_take_it_up() {
        let alert = |min: i64, by: &str| {
            ev(
                min,
                by,
                EventKind::Alert {
                    key: "k".into(),
                    state: "firing".into(),
                    source: None,
                    text: None,
                },
            )
        };
        let events = [
            ev(0, "alertmanager", opened(Status::Triage)),
            alert(0, "alertmanager"),
            alert(1, "grafana"),
            ev(9, "grafana", status(Status::Monitoring)),
            ev(10, "alertmanager", status(Status::Resolved)),
        ];
        let s = State::fold(&events);
        assert_eq!(s.status, Some(Status::Resolved));
        assert_eq!(s.taken_up_at, None, "automation never takes an incident up");
        let mut later = events.to_vec();
        later.push(ev(
            11,
            "carol",
            EventKind::Note {
                text: "saw it".into(),
                pinned: false,
            },
        ));
        assert_eq!(
            State::fold(&later).taken_up_at,
            None,
            "a note publishes nothing"
        );
        for (by, kind) in [
            ("carol", EventKind::Ack),
            ("carol", status(Status::Investigating)),
            (
                "carol",
                EventKind::Role {
                    role: "commander".into(),
                    who: Some("carol".into()),
                },
            ),
            (
                "carol",
                EventKind::Update {
                    status: None,
                    text: "We are on it.".into(),
                },
            ),
        ] {
            let mut taken = events.to_vec();
            taken.push(ev(12, by, kind));
            assert_eq!(State::fold(&taken).taken_up_at, Some(t(12)));
        }
        let by_person = State::fold(&[ev(0, "alice", opened(Status::Investigating))]);
        assert_eq!(by_person.taken_up_at, Some(t(0)), "opened by a person");
    }

    #[test]
    fn a_note_by_someone_else_acknowledges() {
        let s = State::fold(&[
            ev(0, "ci", opened(Status::Triage)),
            ev(
                3,
                "carol",
                EventKind::Note {
                    text: "looking".into(),
                    pinned: false,
                },
            ),
        ]);
        assert_eq!(s.acknowledged_at, Some(t(3)));
        // A note does not change the status.
        assert_eq!(s.status, Some(Status::Triage));
    }

    #[test]
    fn lifecycle_times() {
        let s = State::fold(&[
            ev(0, "alice", opened(Status::Investigating)),
            ev(
                10,
                "alice",
                EventKind::Update {
                    status: Some(Status::Identified),
                    text: "found it".into(),
                },
            ),
            ev(20, "alice", status(Status::Monitoring)),
            ev(25, "alice", status(Status::Investigating)),
            ev(30, "alice", status(Status::Monitoring)),
            ev(40, "alice", status(Status::Resolved)),
        ]);
        assert_eq!(s.mitigated_at, Some(t(20)), "first monitoring wins");
        assert_eq!(s.resolved_at, Some(t(40)));
        assert!(!s.is_open());
    }

    #[test]
    fn resolve_without_monitoring_mitigates_too() {
        let s = State::fold(&[
            ev(0, "a", opened(Status::Investigating)),
            ev(9, "a", status(Status::Resolved)),
        ]);
        assert_eq!(s.mitigated_at, Some(t(9)));
    }

    #[test]
    fn reopen_clears_resolution() {
        let s = State::fold(&[
            ev(0, "a", opened(Status::Investigating)),
            ev(9, "a", status(Status::Resolved)),
            ev(12, "a", status(Status::Investigating)),
        ]);
        assert_eq!(s.resolved_at, None);
        assert!(s.is_open());
        let s = State::fold(&[
            ev(0, "a", opened(Status::Investigating)),
            ev(9, "a", status(Status::Resolved)),
            ev(12, "a", status(Status::Investigating)),
            ev(15, "a", status(Status::Resolved)),
        ]);
        assert_eq!(s.resolved_at, Some(t(15)));
    }

    #[test]
    fn resolved_by_is_who_resolved_it_last() {
        let s = State::fold(&[
            ev(0, "a", opened(Status::Investigating)),
            ev(9, "b", status(Status::Resolved)),
        ]);
        assert_eq!(s.resolved_by.as_deref(), Some("b"));
        let s = State::fold(&[
            ev(0, "a", opened(Status::Investigating)),
            ev(9, "b", status(Status::Resolved)),
            ev(12, "c", status(Status::Investigating)),
        ]);
        assert_eq!(s.resolved_by, None);
    }

    #[test]
    fn reopen_clears_mitigation() {
        let s = State::fold(&[
            ev(0, "a", opened(Status::Investigating)),
            ev(5, "a", status(Status::Monitoring)),
            ev(9, "a", status(Status::Resolved)),
            ev(12, "a", status(Status::Investigating)),
        ]);
        assert_eq!(s.mitigated_at, None, "investigating again");
        let s = State::fold(&[
            ev(0, "a", opened(Status::Investigating)),
            ev(5, "a", status(Status::Monitoring)),
            ev(9, "a", status(Status::Resolved)),
            ev(12, "a", status(Status::Investigating)),
            ev(20, "a", status(Status::Monitoring)),
            ev(30, "a", status(Status::Resolved)),
        ]);
        assert_eq!(s.mitigated_at, Some(t(20)), "mitigated anew");
        assert_eq!(s.resolved_at, Some(t(30)));
    }

    #[test]
    fn closed_at_is_when_it_last_closed() {
        let decline = |min| {
            ev(
                min,
                "a",
                EventKind::Status {
                    status: Status::Declined,
                    text: None,
                },
            )
        };
        let open = ev(0, "a", opened(Status::Triage));
        assert_eq!(State::fold(std::slice::from_ref(&open)).closed_at, None);
        let s = State::fold(&[open.clone(), decline(3)]);
        assert_eq!(s.closed_at, Some(t(3)));
        // Closing a closed incident again does not move the time.
        let s = State::fold(&[
            open.clone(),
            decline(3),
            ev(5, "a", status(Status::Resolved)),
        ]);
        assert_eq!(s.closed_at, Some(t(3)));
        let s = State::fold(&[
            open.clone(),
            ev(4, "a", status(Status::Resolved)),
            ev(6, "a", status(Status::Investigating)),
        ]);
        assert_eq!(s.closed_at, None, "reopened");
        let s = State::fold(&[
            open,
            ev(4, "a", status(Status::Resolved)),
            ev(6, "a", status(Status::Investigating)),
            decline(8),
        ]);
        assert_eq!(s.closed_at, Some(t(8)));
    }

    #[test]
    fn declined_is_closed_and_unresolved() {
        let s = State::fold(&[
            ev(0, "a", opened(Status::Triage)),
            ev(
                2,
                "a",
                EventKind::Status {
                    status: Status::Declined,
                    text: Some("false alarm".into()),
                },
            ),
        ]);
        assert!(!s.is_open());
        assert_eq!(s.resolved_at, None);
    }

    #[test]
    fn roles_severity_impact_actions() {
        let s = State::fold(&[
            ev(0, "a", opened(Status::Investigating)),
            ev(
                1,
                "a",
                EventKind::Role {
                    role: "commander".into(),
                    who: Some("a".into()),
                },
            ),
            ev(
                2,
                "a",
                EventKind::Role {
                    role: "comms".into(),
                    who: Some("b".into()),
                },
            ),
            ev(
                3,
                "a",
                EventKind::Role {
                    role: "comms".into(),
                    who: None,
                },
            ),
            ev(
                4,
                "a",
                EventKind::Severity {
                    severity: "SEV1".into(),
                },
            ),
            ev(
                5,
                "a",
                EventKind::Impact {
                    impact: Impact::MajorOutage,
                    service: None,
                },
            ),
            ev(
                6,
                "a",
                EventKind::Action {
                    id: 1,
                    text: "fix".into(),
                    owner: None,
                    due: None,
                    link: None,
                },
            ),
            ev(7, "a", EventKind::ActionDone { id: 1 }),
        ]);
        assert_eq!(s.commander(), Some("a"));
        assert!(!s.roles.contains_key("comms"));
        assert_eq!(s.severity.as_deref(), Some("SEV1"));
        assert_eq!(s.impact, Some(Impact::MajorOutage));
        assert!(s.actions[0].done);
        let mut action = s.actions[0].clone();
        let day = |d| NaiveDate::from_ymd_opt(2026, 12, d).unwrap();
        action.due = Some("2026-12-01".into());
        assert!(!action.is_overdue(day(2)), "done is never overdue");
        action.done = false;
        assert!(action.is_overdue(day(2)));
        assert!(!action.is_overdue(day(1)), "due today is not late");
        // One rule with `inc check`: an RFC 3339 time is its date.
        action.due = Some("2026-12-01T23:30:00Z".into());
        assert_eq!(action.due_date(), Some(day(1)));
        for bad in ["next week", "", "12/01"] {
            action.due = Some(bad.into());
            assert_eq!(action.due_date(), None, "{bad}");
        }
        assert_eq!(s.last_event_at, Some(t(7)));
    }

    #[test]
    fn a_page_neither_acknowledges_nor_takes_up() {
        let page = |min, who: &str, level| {
            ev(
                min,
                "ci",
                EventKind::Page {
                    who: who.into(),
                    level,
                },
            )
        };
        let s = State::fold(&[
            ev(0, "alertmanager", opened(Status::Triage)),
            page(0, "alice", 1),
            page(15, "erin", 2),
        ]);
        assert_eq!(s.acknowledged_at, None, "a page is not an ack");
        assert_eq!(s.taken_up_at, None);
        assert_eq!(s.status, Some(Status::Triage));
        assert_eq!(s.pages.len(), 2);
        assert_eq!(s.pages[1].who, "erin");
        assert_eq!(s.pages[1].at, t(15));
        assert!(s.paged_level(1) && s.paged_level(2) && !s.paged_level(3));
    }

    /// Events at distinct times, with the lines they are stored as, in
    /// time order and in another order they may have been appended in.
    fn appended_in_any_order()
    -> impl proptest::strategy::Strategy<Value = (Vec<String>, Vec<String>)> {
        use crate::model::event::strategy::kind;
        use proptest::prelude::*;
        use proptest::sample::select;
        let event = (
            1i64..=7200,
            select(&["alice", "bob", "alertmanager"][..]),
            kind(),
        );
        proptest::collection::vec(event, 1..24).prop_flat_map(|events| {
            let mut at = t(0);
            let lines: Vec<String> = events
                .into_iter()
                .map(|(gap, by, kind)| {
                    at += Duration::seconds(gap);
                    Event::new(at, by, kind).to_line()
                })
                .collect();
            (Just(lines.clone()), Just(lines).prop_shuffle())
        })
    }

    proptest::proptest! {
        #[test]
        fn fold_does_not_depend_on_append_order((in_order, appended) in appended_in_any_order()) {
            let fold = |lines: &[String]| {
                let events = crate::store::parse_timeline(&lines.join("\n")).unwrap();
                State::fold(&events)
            };
            let expected = fold(&in_order);
            proptest::prop_assert_eq!(&expected.last_event_at.is_some(), &true);
            proptest::prop_assert_eq!(fold(&appended), expected);
        }
    }
}
