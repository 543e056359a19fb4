//! The cases of [`super`].

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
fn appended_in_any_order() -> impl proptest::strategy::Strategy<Value = (Vec<String>, Vec<String>)>
{
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
