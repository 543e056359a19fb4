//! The cases of [`super`].

use super::*;
use crate::model::{Event, EventKind};
use chrono::TimeZone;

fn spread(values: &[i64]) -> Spread {
    Spread::of(&mut values.to_vec())
}

#[test]
fn spread_of_nothing_is_empty() {
    assert_eq!(
        spread(&[]),
        Spread {
            count: 0,
            mean: None,
            median: None,
            p90: None
        }
    );
}

#[test]
fn spread_of_one_value_is_that_value() {
    let s = spread(&[42]);
    assert_eq!(
        (s.count, s.mean, s.median, s.p90),
        (1, Some(42), Some(42), Some(42))
    );
}

#[test]
fn spread_of_an_odd_count() {
    // Unsorted on purpose.
    let s = spread(&[300, 60, 120]);
    assert_eq!(s.count, 3);
    assert_eq!(s.mean, Some(160));
    assert_eq!(s.median, Some(120));
    // ⌈0.9 · 3⌉ = 3: the largest.
    assert_eq!(s.p90, Some(300));
}

#[test]
fn spread_of_an_even_count() {
    let s = spread(&[10, 40, 20, 30]);
    assert_eq!(s.mean, Some(25));
    // (20 + 30) / 2
    assert_eq!(s.median, Some(25));
    // ⌈0.9 · 4⌉ = 4
    assert_eq!(s.p90, Some(40));
    // Halves round up: (1 + 2) / 2 = 1.5 → 2; mean of 1, 2 = 1.5 → 2.
    let s = spread(&[1, 2]);
    assert_eq!((s.mean, s.median, s.p90), (Some(2), Some(2), Some(2)));
}

#[test]
fn p90_is_nearest_rank() {
    let ten: Vec<i64> = (1..=10).collect();
    // ⌈0.9 · 10⌉ = 9
    assert_eq!(spread(&ten).p90, Some(9));
    let eleven: Vec<i64> = (1..=11).collect();
    // ⌈0.9 · 11⌉ = ⌈9.9⌉ = 10
    assert_eq!(spread(&eleven).p90, Some(10));
    let twenty: Vec<i64> = (1..=20).collect();
    assert_eq!(spread(&twenty).p90, Some(18));
    let hundred: Vec<i64> = (1..=100).rev().collect();
    assert_eq!(spread(&hundred).p90, Some(90));
    assert_eq!(spread(&hundred).median, Some(51)); // 50.5 rounds up
}

#[test]
fn huge_values_do_not_overflow() {
    let s = spread(&[i64::MAX, i64::MAX, i64::MAX - 1]);
    assert_eq!(s.mean, Some(i64::MAX));
    assert_eq!(s.median, Some(i64::MAX));
}

// ----- incidents -----

fn t(day: u32, h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, h, m, 0).unwrap()
}

fn oct(day: u32, h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 10, day, h, m, 0).unwrap()
}

const NOW: (u32, u32, u32) = (27, 12, 0);

struct Built {
    id: String,
    header: Header,
    state: State,
}

/// An incident opened at `opened` by a person (acknowledged at once),
/// then `events` as (time, kind).
fn incident(
    id: &str,
    severity: &str,
    services: &[&str],
    started: DateTime<Utc>,
    opened: DateTime<Utc>,
    events: Vec<(DateTime<Utc>, EventKind)>,
) -> Built {
    let header = Header {
        title: id.into(),
        services: services.iter().map(|s| s.to_string()).collect(),
        started_at: Some(started),
        opened_at: opened,
        opened_by: "alice".into(),
        ..Header::default()
    };
    let mut all = vec![Event::new(
        opened,
        "alice",
        EventKind::Opened {
            severity: severity.into(),
            status: Status::Investigating,
        },
    )];
    all.extend(events.into_iter().map(|(at, k)| Event::new(at, "alice", k)));
    Built {
        id: id.into(),
        header,
        state: State::fold(&all),
    }
}

fn status(status: Status) -> EventKind {
    EventKind::Status { status, text: None }
}

fn action(id: u32, due: Option<&str>) -> EventKind {
    EventKind::Action {
        id,
        text: "fix".into(),
        owner: None,
        due: due.map(str::to_owned),
        link: None,
    }
}

fn severities() -> Vec<String> {
    ["SEV1", "SEV2", "SEV3", "SEV4"].map(String::from).to_vec()
}

fn run(incidents: &[Built], by: Option<GroupBy>, zone: Tz) -> Report {
    let subjects: Vec<Subject<'_>> = incidents
        .iter()
        .map(|b| Subject {
            id: &b.id,
            header: &b.header,
            state: &b.state,
        })
        .collect();
    let severities = severities();
    let ctx = Context {
        now: t(NOW.0, NOW.1, NOW.2),
        zone,
        severities: &severities,
    };
    compute(&subjects, by, &ctx)
}

/// Two resolved, one open, one declined, one test, one maintenance.
fn fixture() -> Vec<Built> {
    let mut test = incident("test", "SEV1", &["api"], t(1, 0, 0), t(1, 0, 0), vec![]);
    test.header.mode = Some(Mode::Test);
    let mut maintenance = incident("mnt", "SEV4", &[], t(2, 0, 0), t(2, 0, 0), vec![]);
    maintenance.header.kind = Some(Kind::Maintenance);
    vec![
        // SEV2 on api and web: detect 10m, mitigate 40m, resolve 100m;
        // two actions: one done, one overdue.
        incident(
            "a",
            "SEV2",
            &["api", "web"],
            t(20, 7, 50),
            t(20, 8, 0),
            vec![
                (t(20, 8, 30), status(Status::Monitoring)),
                (t(20, 9, 30), status(Status::Resolved)),
                (t(20, 10, 0), action(1, Some("2026-11-26"))),
                (t(20, 10, 0), action(2, Some("2026-11-01"))),
                (t(20, 10, 1), EventKind::ActionDone { id: 1 }),
            ],
        ),
        // SEV1 on web, opened in October: detect 0, resolve 20m; one
        // action due today (not overdue), one with no date.
        incident(
            "b",
            "SEV1",
            &["web"],
            oct(1, 10, 0),
            oct(1, 10, 0),
            vec![
                (oct(1, 10, 20), status(Status::Resolved)),
                (t(2, 0, 0), action(1, Some("2026-11-27"))),
                (t(2, 0, 0), action(2, None)),
            ],
        ),
        // SEV2, no service, open (monitoring): detect 1h, mitigate 1h 30m.
        incident(
            "c",
            "SEV2",
            &[],
            t(27, 8, 0),
            t(27, 9, 0),
            vec![(t(27, 9, 30), status(Status::Monitoring))],
        ),
        {
            let mut d = incident("d", "SEV3", &["api"], t(26, 9, 0), t(26, 9, 0), vec![]);
            d.state = State::fold(&[
                Event::new(
                    t(26, 9, 0),
                    "alice",
                    EventKind::Opened {
                        severity: "SEV3".into(),
                        status: Status::Triage,
                    },
                ),
                Event::new(t(26, 9, 5), "alice", status(Status::Declined)),
            ]);
            d
        },
        test,
        maintenance,
    ]
}

#[test]
fn leaves_out_declined_test_and_maintenance() {
    let r = run(&fixture(), None, Tz::UTC);
    assert_eq!(
        r.left_out,
        LeftOut {
            maintenance: 1,
            test: 1,
            declined: 1,
            not_opened: 0
        }
    );
    assert_eq!(r.left_out.total(), 3);
    let f = &r.overall;
    assert_eq!((f.incidents, f.open, f.resolved), (3, 1, 2));
    assert!(r.groups.is_empty());
    assert!(r.out_of_order.is_empty());
}

#[test]
fn figures_follow_the_definitions() {
    let f = run(&fixture(), None, Tz::UTC).overall;
    // detect: 10m, 0, 1h → sorted 0, 600, 3600
    assert_eq!(
        f.detect,
        Spread {
            count: 3,
            mean: Some(1400),
            median: Some(600),
            p90: Some(3600)
        }
    );
    // Everyone was opened by a person: acknowledged at once.
    assert_eq!(f.acknowledge.count, 3);
    assert_eq!(f.acknowledge.p90, Some(0));
    // mitigate: 40m, 20m (resolving mitigates), 1h 30m
    assert_eq!(f.mitigate.count, 3);
    assert_eq!(f.mitigate.median, Some(2400));
    // resolve: 100m, 20m — the open one is not counted.
    assert_eq!(
        f.resolve,
        Spread {
            count: 2,
            mean: Some(3600),
            median: Some(3600),
            p90: Some(6000)
        }
    );
    assert_eq!(
        f.impact,
        ImpactTime {
            count: 2,
            total: 7200,
            mean: Some(3600)
        }
    );
    assert_eq!(
        f.actions,
        Actions {
            total: 4,
            done: 1,
            open: 3,
            overdue: 1
        }
    );
    assert_eq!(f.actions.done_percent(), Some(25));
}

#[test]
fn by_severity_in_configured_order() {
    let r = run(&fixture(), Some(GroupBy::Severity), Tz::UTC);
    let keys: Vec<Option<&str>> = r.groups.iter().map(|g| g.key.as_deref()).collect();
    assert_eq!(keys, [Some("SEV1"), Some("SEV2")]);
    assert_eq!(r.groups[0].figures.incidents, 1);
    assert_eq!(r.groups[1].figures.incidents, 2);
    assert_eq!(r.groups[1].figures.open, 1);
    // The overall figures are there too.
    assert_eq!(r.overall.incidents, 3);
}

#[test]
fn by_service_counts_an_incident_in_each_of_its_services() {
    let r = run(&fixture(), Some(GroupBy::Service), Tz::UTC);
    let rows: Vec<(Option<&str>, usize)> = r
        .groups
        .iter()
        .map(|g| (g.key.as_deref(), g.figures.incidents))
        .collect();
    assert_eq!(rows, [(Some("api"), 1), (Some("web"), 2), (None, 1)]);
    let web = &r.groups[1].figures;
    assert_eq!(web.resolve.count, 2);
    assert_eq!(web.impact.total, 7200);
}

#[test]
fn by_month_in_the_display_zone() {
    let r = run(&fixture(), Some(GroupBy::Month), Tz::UTC);
    let rows: Vec<(Option<&str>, usize)> = r
        .groups
        .iter()
        .map(|g| (g.key.as_deref(), g.figures.incidents))
        .collect();
    assert_eq!(rows, [(Some("2026-10"), 1), (Some("2026-11"), 2)]);

    // 23:30 UTC on 30 November is already December in Berlin.
    let late = incident("late", "SEV3", &[], t(30, 23, 30), t(30, 23, 30), vec![]);
    let keys = |zone| {
        run(std::slice::from_ref(&late), Some(GroupBy::Month), zone)
            .groups
            .into_iter()
            .map(|g| g.key.unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(keys(Tz::UTC), ["2026-11"]);
    assert_eq!(keys(chrono_tz::Europe::Berlin), ["2026-12"]);
}

#[test]
fn overdue_uses_today_in_the_display_zone() {
    // Now is 12:00 UTC on the 27th; in Tokyo (UTC+9) it is 21:00, still
    // the 27th; in Kiritimati (UTC+14) it is 02:00 on the 28th, so an
    // action due on the 27th is overdue there.
    let due_27 = incident(
        "x",
        "SEV3",
        &[],
        t(20, 0, 0),
        t(20, 0, 0),
        vec![(t(20, 1, 0), action(1, Some("2026-11-27")))],
    );
    let overdue = |zone| {
        run(std::slice::from_ref(&due_27), None, zone)
            .overall
            .actions
            .overdue
    };
    assert_eq!(overdue(Tz::UTC), 0);
    assert_eq!(overdue(chrono_tz::Asia::Tokyo), 0);
    assert_eq!(overdue(chrono_tz::Pacific::Kiritimati), 1);
}

#[test]
fn nothing_to_count() {
    let r = run(&[], Some(GroupBy::Severity), Tz::UTC);
    assert_eq!(r.overall, Figures::default());
    assert_eq!(r.overall.detect.mean, None);
    assert_eq!(r.overall.actions.done_percent(), None);
    assert!(r.groups.is_empty());
}

#[test]
fn negative_spans_are_left_out_and_reported() {
    // Started after it was opened (a hand edit).
    let mut odd = incident(
        "odd",
        "SEV3",
        &[],
        t(20, 0, 0),
        t(20, 0, 0),
        vec![(t(20, 0, 30), status(Status::Resolved))],
    );
    odd.header.started_at = Some(t(20, 0, 10));
    let fine = incident("fine", "SEV3", &[], t(20, 0, 0), t(20, 0, 0), vec![]);
    let r = run(&[odd, fine], None, Tz::UTC);
    assert_eq!(r.out_of_order, ["odd"]);
    assert_eq!(r.overall.incidents, 2);
    assert_eq!(r.overall.detect.count, 1, "−10m is left out");
    assert_eq!(r.overall.resolve.count, 1, "+20m still counts");
}

#[test]
fn an_incident_without_an_opened_event_is_left_out() {
    let mut broken = incident("x", "SEV3", &[], t(20, 0, 0), t(20, 0, 0), vec![]);
    broken.state = State::default();
    let r = run(&[broken], None, Tz::UTC);
    assert_eq!(r.left_out.not_opened, 1);
    assert_eq!(r.overall.incidents, 0);
}

#[test]
fn a_reopened_incident_is_open_and_unresolved() {
    let b = incident(
        "r",
        "SEV3",
        &[],
        t(20, 0, 0),
        t(20, 0, 0),
        vec![
            (t(20, 1, 0), status(Status::Resolved)),
            (t(20, 2, 0), status(Status::Investigating)),
        ],
    );
    let f = run(&[b], None, Tz::UTC).overall;
    assert_eq!((f.open, f.resolved), (1, 0));
    assert_eq!(f.resolve.count, 0);
    assert_eq!(f.impact.count, 0);
    // A reopen clears mitigation as it clears resolution: the time to
    // mitigate counts once it is mitigated again.
    assert_eq!(f.mitigate.count, 0, "investigating again");
}

#[test]
fn automation_opened_waits_for_an_acknowledgement() {
    let mut b = incident("x", "SEV3", &[], t(20, 0, 0), t(20, 0, 0), vec![]);
    b.state = State::fold(&[
        Event::new(
            t(20, 0, 0),
            "alertmanager",
            EventKind::Opened {
                severity: "SEV3".into(),
                status: Status::Triage,
            },
        ),
        Event::new(t(20, 0, 7), "bob", EventKind::Ack),
    ]);
    let mut waiting = incident("y", "SEV3", &[], t(21, 0, 0), t(21, 0, 0), vec![]);
    waiting.state = State::fold(&[Event::new(
        t(21, 0, 0),
        "alertmanager",
        EventKind::Opened {
            severity: "SEV3".into(),
            status: Status::Triage,
        },
    )]);
    let f = run(&[b, waiting], None, Tz::UTC).overall;
    assert_eq!(f.incidents, 2);
    assert_eq!(f.acknowledge.count, 1);
    assert_eq!(f.acknowledge.mean, Some(420));
}
