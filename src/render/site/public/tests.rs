//! The cases of [`super`]: which incidents and updates the page shows, under
//! which ID, the overall status, the components, their uptime bars and uptime.

use chrono::NaiveDate;

use super::*;
use crate::model::{Event, Header, State};

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn ev(at: &str, kind: EventKind) -> Event {
    Event::new(t(at), "alice", kind)
}

fn header(title: &str) -> Header {
    Header {
        title: title.into(),
        services: vec!["web".into()],
        opened_at: t("2026-11-27T09:00:00Z"),
        opened_by: "alice".into(),
        ..Header::default()
    }
}

fn events() -> Vec<Event> {
    vec![
        ev(
            "2026-11-27T09:00:00Z",
            EventKind::Opened {
                severity: "SEV2".into(),
                status: Status::Investigating,
            },
        ),
        ev(
            "2026-11-27T09:01:00Z",
            EventKind::Note {
                text: "secret".into(),
                pinned: false,
            },
        ),
        ev(
            "2026-11-27T09:05:00Z",
            EventKind::Update {
                status: Some(Status::Identified),
                text: "Found it.".into(),
            },
        ),
        ev(
            "2026-11-27T09:10:00Z",
            EventKind::Update {
                status: None,
                text: "Still on it.".into(),
            },
        ),
        ev(
            "2026-11-27T10:00:00Z",
            EventKind::Status {
                status: Status::Resolved,
                text: Some("internal summary".into()),
            },
        ),
    ]
}

#[test]
fn projection_keeps_only_public_parts() {
    let (h, e) = (header("Checkout slow"), events());
    let s = State::fold(&e);
    let source = Source {
        id: "2026-11-27-checkout-slow",
        header: &h,
        state: &s,
        events: &e,
        postmortem: None,
    };
    let i = project(&source, &Config::default()).unwrap();
    assert_eq!(i.id, public_id("2026-11-27-checkout-slow"));
    assert_eq!(i.impact, Impact::PartialOutage, "SEV2's default");
    assert_eq!(i.components, [("web".to_owned(), Impact::PartialOutage)]);
    let updates: Vec<(Status, &str)> = i
        .updates
        .iter()
        .map(|u| (u.status, u.body.as_str()))
        .collect();
    assert_eq!(
        updates,
        [
            (Status::Identified, "Found it."),
            (Status::Identified, "Still on it."),
            (Status::Resolved, "This incident has been resolved."),
        ],
        "the status event's text is not kept: the status's own sentence is"
    );
    assert_eq!(i.resolved_at, Some(t("2026-11-27T10:00:00Z")));
    assert_eq!(i.updated_at, t("2026-11-27T10:00:00Z"));

    // A bare status change says inc.yaml's sentence when it has one.
    let mut config = Config::default();
    config
        .site
        .status_text
        .insert(Status::Resolved, "Back to normal.".into());
    let i = project(&source, &config).unwrap();
    assert_eq!(i.updates.last().unwrap().body, "Back to normal.");

    let mut private = h.clone();
    private.private = true;
    let source = Source {
        header: &private,
        ..source
    };
    assert_eq!(project(&source, &Config::default()), None);
}

#[test]
fn public_ids_carry_no_slug_and_are_stable() {
    let id = public_id("2026-11-27-bob-dropped-prod-customers-table");
    assert_eq!(id.len(), "2026-11-27-".len() + 12, "{id}");
    assert!(id.starts_with("2026-11-27-"), "{id}");
    for word in ["bob", "dropped", "prod", "customers", "table"] {
        assert!(!id.contains(word), "{id} carries `{word}`");
    }
    assert_eq!(id, public_id("2026-11-27-bob-dropped-prod-customers-table"));
    assert_ne!(
        id,
        public_id("2026-11-27-bob-dropped-prod-customers-table-2")
    );
    // Not a date: no date prefix, still no slug.
    let odd = public_id("hand-made-folder");
    assert!(!odd.contains("hand") && odd.len() == 12, "{odd}");
}

#[test]
fn statuspage_mapping() {
    assert_eq!(statuspage_impact(Impact::None), "none");
    assert_eq!(statuspage_impact(Impact::DegradedPerformance), "minor");
    assert_eq!(statuspage_impact(Impact::PartialOutage), "major");
    assert_eq!(statuspage_impact(Impact::MajorOutage), "critical");
    assert_eq!(statuspage_status(Status::Triage), "investigating");
    assert_eq!(statuspage_status(Status::Monitoring), "monitoring");
    assert_eq!(statuspage_status(Status::InProgress), "in_progress");
    assert_eq!(statuspage_status(Status::Completed), "completed");
}

fn span(start: &str, end: &str, impact: Impact, maintenance: bool) -> Span {
    Span {
        start: t(start),
        end: t(end),
        impact,
        maintenance,
        open_now: false,
        active_maintenance: false,
    }
}

#[test]
fn bar_cells_take_the_worst_of_each_day() {
    let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
    let spans = [
        span(
            "2026-11-25T10:00:00Z",
            "2026-11-25T11:00:00Z",
            Impact::DegradedPerformance,
            false,
        ),
        span(
            "2026-11-25T12:00:00Z",
            "2026-11-26T00:00:00Z",
            Impact::MajorOutage,
            false,
        ),
        span(
            "2026-11-26T08:00:00Z",
            "2026-11-26T09:00:00Z",
            Impact::None,
            true,
        ),
    ];
    let cells = bar(&spans, day(24), day(27), 5, Tz::UTC);
    let states: Vec<DayState> = cells.iter().map(|c| c.1).collect();
    assert_eq!(cells[0].0, day(23));
    assert_eq!(
        states,
        [
            DayState::NoData,
            DayState::Operational,
            DayState::Major,
            DayState::Maintenance,
            DayState::Operational,
        ],
        "ending at midnight does not touch the next day"
    );
}

#[test]
fn uptime_counts_only_partial_and_major_outages_once() {
    let now = t("2026-11-27T00:00:00Z");
    let since = t("2026-11-26T00:00:00Z");
    let spans = [
        span(
            "2026-11-26T01:00:00Z",
            "2026-11-26T03:00:00Z",
            Impact::PartialOutage,
            false,
        ),
        span(
            "2026-11-26T02:00:00Z",
            "2026-11-26T04:00:00Z",
            Impact::MajorOutage,
            false,
        ),
        span(
            "2026-11-26T05:00:00Z",
            "2026-11-26T09:00:00Z",
            Impact::DegradedPerformance,
            false,
        ),
        span(
            "2026-11-26T10:00:00Z",
            "2026-11-26T16:00:00Z",
            Impact::MajorOutage,
            true,
        ),
        // Before the data starts: clipped away.
        span(
            "2026-11-20T00:00:00Z",
            "2026-11-26T00:00:00Z",
            Impact::MajorOutage,
            false,
        ),
    ];
    let u = uptime(&spans, since, now, 90, Tz::UTC);
    assert!((u - 21.0 / 24.0 * 100.0).abs() < 1e-9, "{u}");
    assert_eq!(uptime(&[], now, now, 90, Tz::UTC), 100.0);
}

#[test]
fn overall_follows_the_worst_open_incident() {
    let base = Incident {
        id: "a".into(),
        name: "a".into(),
        status: Status::Investigating,
        impact: Impact::DegradedPerformance,
        components: vec![],
        started_at: t("2026-11-27T09:00:00Z"),
        created_at: t("2026-11-27T09:00:00Z"),
        updated_at: t("2026-11-27T09:00:00Z"),
        resolved_at: None,
        updates: vec![],
        window: None,
        postmortem: None,
    };
    let worse = Incident {
        impact: Impact::MajorOutage,
        status: Status::Resolved,
        ..base.clone()
    };
    assert_eq!(overall(&[base.clone(), worse.clone()]).indicator, "minor");
    let open_worse = Incident {
        status: Status::Monitoring,
        ..worse
    };
    assert_eq!(overall(&[base, open_worse]).indicator, "critical");
    assert_eq!(overall(&[]).description, "All systems operational");
}
