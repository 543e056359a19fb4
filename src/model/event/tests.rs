//! The cases of [`super`].

use super::*;
use chrono::TimeZone;

fn at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 27, 19, 45, 2).unwrap()
}

/// A key that counts how often it is compared, to show the work grows
/// with n log n, not n², without timing anything.
#[derive(Clone, Copy)]
struct Counted(u32);

impl std::hash::Hash for Counted {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

thread_local! {
    static COMPARISONS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

impl PartialEq for Counted {
    fn eq(&self, other: &Counted) -> bool {
        COMPARISONS.set(COMPARISONS.get() + 1);
        self.0 == other.0
    }
}

impl Eq for Counted {}

#[test]
fn dedup_of_one_huge_run_of_equal_times_is_not_quadratic() {
    let n = 40_000u32;
    let event = |by: &str| Event::new(at(), by, EventKind::Ack);
    // Every line at one time, each twice: n distinct, n duplicates.
    let parsed: Vec<(Event, Counted, u32)> = (0..2 * n)
        .map(|i| (event(&format!("{}", i % n)), Counted(i % n), i))
        .collect();
    COMPARISONS.set(0);
    let kept = sort_dedup(parsed);
    assert_eq!(kept.len(), n as usize);
    assert_eq!(
        kept.iter().map(|(_, i)| *i).max(),
        Some(n - 1),
        "the first of each is kept"
    );
    let comparisons = COMPARISONS.get();
    // Comparing within the run, as before, took n² / 2 = 800 million.
    assert!(
        comparisons < 20 * 2 * n as usize,
        "{comparisons} comparisons"
    );
}

#[test]
fn dedup_keeps_the_first_of_each_line_in_time_order() {
    let t = |m: u32| at() + chrono::Duration::minutes(i64::from(m));
    let e = |m: u32| Event::new(t(m), "a", EventKind::Ack);
    let kept = sort_dedup(vec![
        (e(5), "x", 1),
        (e(0), "y", 2),
        (e(5), "x", 3),
        (e(5), "z", 4),
        (e(0), "y", 5),
    ]);
    let extras: Vec<u32> = kept.iter().map(|(_, n)| *n).collect();
    assert_eq!(extras, [2, 1, 4]);
}

#[test]
fn line_has_fixed_key_order() {
    let e = Event::new(
        at(),
        "alice",
        EventKind::Opened {
            severity: "SEV2".into(),
            status: Status::Investigating,
        },
    );
    assert_eq!(
        e.to_line(),
        r#"- {"at":"2026-11-27T19:45:02Z","by":"alice","type":"opened","severity":"SEV2","status":"investigating"}"#
    );
}

#[test]
fn role_unassign_writes_null() {
    let e = Event::new(
        at(),
        "alice",
        EventKind::Role {
            role: "comms".into(),
            who: None,
        },
    );
    assert!(e.to_line().ends_with(r#""role":"comms","who":null}"#));
}

#[test]
fn round_trips_every_kind() {
    let kinds = vec![
        EventKind::Note {
            text: "multi\nline \"quoted\" ✓".into(),
            pinned: true,
        },
        EventKind::Update {
            status: Some(Status::Identified),
            text: "rolling back".into(),
        },
        EventKind::Status {
            status: Status::Declined,
            text: Some("false alarm".into()),
        },
        EventKind::Severity {
            severity: "SEV1".into(),
        },
        EventKind::Ack,
        EventKind::Alert {
            key: "9f1c".into(),
            state: "resolved".into(),
            source: Some("alertmanager".into()),
            text: None,
        },
        EventKind::Action {
            id: 3,
            text: "add alert".into(),
            owner: Some("bob".into()),
            due: Some("2026-12-01".into()),
            link: None,
        },
        EventKind::ActionDone { id: 3 },
        EventKind::Impact {
            impact: Impact::PartialOutage,
            service: Some("api".into()),
        },
        EventKind::Page {
            who: "erin".into(),
            level: 2,
        },
    ];
    for kind in kinds {
        let e = Event::new(at(), "bob", kind);
        let back = Event::from_line(&e.to_line()).unwrap().unwrap();
        assert_eq!(back, e);
    }
}

#[test]
fn page_line_is_as_documented() {
    let e = Event::new(
        at(),
        "ci",
        EventKind::Page {
            who: "erin".into(),
            level: 2,
        },
    );
    assert_eq!(
        e.to_line(),
        r#"- {"at":"2026-11-27T19:45:02Z","by":"ci","type":"page","who":"erin","level":2}"#
    );
    assert_eq!(e.describe(), "paged erin (level 2)");
    let err =
        Event::from_line(r#"- {"at":"2026-11-27T19:45:02Z","by":"a","type":"page","who":"x"}"#)
            .unwrap_err();
    assert!(err.contains("needs `level`"), "{err}");
}

#[test]
fn bad_lines_explain_themselves() {
    assert!(
        Event::from_line("at: 2026")
            .unwrap_err()
            .contains("expected a line")
    );
    assert!(
        Event::from_line("- {not json")
            .unwrap_err()
            .contains("not a JSON event")
    );
    let err = Event::from_line(r#"- {"at":"yesterday","by":"a","type":"ack"}"#).unwrap_err();
    assert!(err.contains("RFC 3339"), "{err}");
    let err =
        Event::from_line(r#"- {"at":"2026-11-27T19:45:02Z","by":"a","type":"note"}"#).unwrap_err();
    assert!(err.contains("needs `text`"), "{err}");
    assert_eq!(Event::from_line("   ").unwrap(), None);
}

proptest::proptest! {
    #[test]
    fn event_line_event_round_trips(event in strategy::event()) {
        let line = event.to_line();
        proptest::prop_assert!(!line.contains(['\n', '\r']), "{}", line);
        proptest::prop_assert_eq!(Event::from_line(&line), Ok(Some(event)));
    }
}

/// The `timeline_codec` fuzz target's round-trip property: these lines
/// read as events that `to_line` wrote differently (the fraction
/// dropped) or as a line no reader accepts (`+10000-…`).
#[test]
fn fuzz_read_events_are_the_events_written_back() {
    let e = Event::from_line(r#"- {"at":"2026-11-27T19:45:02.999Z","by":"a","type":"ack"}"#)
        .unwrap()
        .unwrap();
    assert_eq!(e.at, at());
    assert_eq!(Event::from_line(&e.to_line()), Ok(Some(e)));
    for far in ["9999-12-31T23:59:59-23:59", "0000-01-01T00:00:00+00:01"] {
        let line = format!(r#"- {{"at":"{far}","by":"a","type":"ack"}}"#);
        let err = Event::from_line(&line).unwrap_err();
        assert!(err.contains("outside the years 0000 to 9999"), "{err}");
    }
}

#[test]
fn unknown_types_are_kept() {
    let e = Event::from_line(r#"- {"at":"2026-11-27T19:45:02Z","by":"a","type":"future","x":1}"#)
        .unwrap()
        .unwrap();
    assert_eq!(e.kind.name(), "future");
}
