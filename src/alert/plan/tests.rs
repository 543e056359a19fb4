//! The planning of [`super::plan`], case by case: a payload and the
//! group's incident in, the events and status line out.

use std::path::Path;

use chrono::TimeZone;

use super::*;

const ID: &str = "2026-11-27-checkout";

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 27, 13, 0, 0).unwrap()
}

fn ago(minutes: i64) -> DateTime<Utc> {
    now() - Duration::minutes(minutes)
}

fn alert(fingerprint: &str, state: AlertState) -> Alert {
    Alert {
        fingerprint: fingerprint.to_owned(),
        state,
        labels: [
            ("alertname".to_owned(), "HighErrorRate".to_owned()),
            ("severity".to_owned(), "critical".to_owned()),
            ("service".to_owned(), "checkout".to_owned()),
        ]
        .into(),
        annotations: BTreeMap::new(),
        starts_at: Some(ago(90)),
        ends_at: None,
    }
}

fn batch(alerts: Vec<Alert>) -> Batch {
    Batch {
        source: Source::Alertmanager,
        group: "{}:{alertname=\"HighErrorRate\"}".to_owned(),
        group_resolved: alerts.iter().all(|a| a.state == AlertState::Resolved),
        alerts,
        truncated: 0,
        test: false,
        title: None,
    }
}

fn firing(fingerprint: &str) -> Batch {
    batch(vec![alert(fingerprint, AlertState::Firing)])
}

fn resolved(fingerprint: &str) -> Batch {
    batch(vec![alert(fingerprint, AlertState::Resolved)])
}

/// An `alert` event as the timeline holds it.
fn recorded(fingerprint: &str, state: &str) -> Event {
    Event::new(
        ago(60),
        "alertmanager",
        EventKind::Alert {
            key: fingerprint.to_owned(),
            state: state.to_owned(),
            source: Some("alertmanager".to_owned()),
            text: None,
        },
    )
}

fn state(status: Status) -> State {
    State {
        status: Some(status),
        opened_at: Some(ago(60)),
        ..State::default()
    }
}

/// The state of an incident resolved `minutes` ago.
fn resolved_ago(minutes: i64, acknowledged: bool) -> State {
    State {
        resolved_at: Some(ago(minutes)),
        last_event_at: Some(ago(minutes)),
        acknowledged_at: acknowledged.then(|| ago(55)),
        ..state(Status::Resolved)
    }
}

fn plan_with(
    config: &Config,
    batch: &Batch,
    found: Option<(&[Event], &State)>,
) -> (Plan, Vec<Warning>) {
    let target = found.map(|(events, state)| Target {
        id: ID,
        events,
        state,
    });
    plan(config, now(), Duration::hours(1), batch, target).unwrap()
}

fn plan_for(batch: &Batch, events: &[Event], state: &State) -> Plan {
    let (plan, warnings) = plan_with(&Config::default(), batch, Some((events, state)));
    assert_eq!(warnings, []);
    plan
}

/// Each event in a word or three, to compare plans at a glance.
fn brief(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .map(|e| {
            assert_eq!((e.at, e.by.as_str()), (now(), "alertmanager"));
            match &e.kind {
                EventKind::Opened { severity, status } => format!("opened {severity} {status}"),
                EventKind::Alert { key, state, .. } => format!("alert {key} {state}"),
                EventKind::Status { status, .. } => format!("status {status}"),
                EventKind::Note { .. } => "note".to_owned(),
                other => format!("{other:?}"),
            }
        })
        .collect()
}

/// `(events, what)` of an `Append` plan for the incident.
fn appended(plan: Plan) -> (Vec<String>, String) {
    match plan {
        Plan::Append { id, events, what } => {
            assert_eq!(id, ID);
            (brief(&events), what)
        }
        other => panic!("not an append: {other:?}"),
    }
}

fn opened(plan: Plan) -> (Header, Vec<String>) {
    match plan {
        Plan::Open { header, events } => (*header, brief(&events)),
        other => panic!("not an open: {other:?}"),
    }
}

#[test]
fn a_firing_group_without_an_incident_opens_one() {
    let (plan, warnings) = plan_with(&Config::default(), &firing("a1"), None);
    assert_eq!(warnings, []);
    let (header, events) = opened(plan);
    assert_eq!(events, ["opened SEV1 triage", "alert a1 firing"]);
    assert_eq!(header.title, "HighErrorRate");
    assert_eq!(header.services, ["checkout"]);
    assert_eq!(header.opened_at, now());
    assert_eq!(header.opened_by, "alertmanager");
    assert_eq!(header.started_at, Some(ago(90)));
    assert_eq!(header.mode, None);
    assert_eq!(header.labels[GROUP_LABEL], firing("a1").group);
    assert_eq!(header.labels[SOURCE_LABEL], "alertmanager");
    assert!(!header.labels.contains_key(PREVIOUS_LABEL));
}

#[test]
fn an_alert_naming_an_unlisted_service_leaves_it_out_with_a_warning() {
    let config = Config::parse("services:\n  - id: api\n", Path::new("inc.yaml")).unwrap();
    let (plan, warnings) = plan_with(&config, &firing("a1"), None);
    let (header, _) = opened(plan);
    assert_eq!(header.services, Vec::<String>::new());
    assert_eq!(warnings, [Warning::UnknownService("checkout".to_owned())]);
    assert_eq!(
        warnings[0].to_string(),
        "the alert names service `checkout`, which inc.yaml does not list; left out"
    );
}

#[test]
fn what_no_incident_matches_writes_nothing() {
    let mut pagerduty = batch(vec![alert("k", AlertState::Acknowledged)]);
    pagerduty.source = Source::Pagerduty;
    pagerduty.group = "srv01/lag".to_owned();
    for (batch, why) in [
        (
            resolved("a1"),
            "resolved alertmanager alerts of group `{}:{alertname=\"HighErrorRate\"}` \
             match no incident",
        ),
        (
            pagerduty,
            "PagerDuty acknowledged for dedup_key `srv01/lag` match no incident",
        ),
    ] {
        let (plan, _) = plan_with(&Config::default(), &batch, None);
        assert_eq!(
            plan,
            Plan::Nothing {
                id: None,
                why: why.to_owned()
            }
        );
    }
}

#[test]
fn a_repeat_notification_writes_nothing() {
    let events = [recorded("a1", "firing")];
    let plan = plan_for(&firing("a1"), &events, &state(Status::Investigating));
    assert_eq!(
        plan,
        Plan::Nothing {
            id: Some(ID.to_owned()),
            why: format!("{ID} already has these alerts in these states (a repeat notification)"),
        }
    );
}

#[test]
fn an_open_incident_gets_the_alerts_that_changed() {
    let added = "Added 1 alert event to";
    for (recorded_state, status, batch, want, what) in [
        // A new alert of the group.
        (
            "firing",
            Status::Investigating,
            firing("a2"),
            vec!["alert a2 firing"],
            added.to_owned(),
        ),
        // A state inc never writes (a hand-edited timeline) is a change.
        (
            "pending",
            Status::Investigating,
            firing("a1"),
            vec!["alert a1 firing"],
            added.to_owned(),
        ),
        // Firing again while monitoring: back to investigating.
        (
            "resolved",
            Status::Monitoring,
            firing("a1"),
            vec!["alert a1 firing", "status investigating"],
            format!("{added} (firing again: back to investigating)"),
        ),
        // Firing again while investigating changes no status.
        (
            "resolved",
            Status::Investigating,
            firing("a1"),
            vec!["alert a1 firing"],
            added.to_owned(),
        ),
        // A resolved alert joining a group already all resolved: the
        // group did not just resolve, so nothing more.
        (
            "resolved",
            Status::Investigating,
            resolved("a2"),
            vec!["alert a2 resolved"],
            added.to_owned(),
        ),
        // The last firing alert resolves: `alerts.on_resolved` (a note).
        (
            "firing",
            Status::Investigating,
            resolved("a1"),
            vec!["alert a1 resolved", "note"],
            format!("{added}; all alerts resolved, noted on"),
        ),
    ] {
        let events = [recorded("a1", recorded_state)];
        let got = appended(plan_for(&batch, &events, &state(status)));
        assert_eq!(got, (want.iter().map(|s| s.to_string()).collect(), what));
    }
}

#[test]
fn resolving_part_of_a_truncated_group_is_not_all_resolved() {
    let events = [recorded("a1", "firing")];
    let mut batch = resolved("a1");
    batch.truncated = 3;
    batch.group_resolved = false;
    let got = appended(plan_for(&batch, &events, &state(Status::Investigating)));
    assert_eq!(got.0, ["alert a1 resolved"]);
    // The group itself says resolved: it is.
    batch.group_resolved = true;
    let got = appended(plan_for(&batch, &events, &state(Status::Investigating)));
    assert_eq!(got.0, ["alert a1 resolved", "note"]);
}

#[test]
fn only_resolved_alerts_make_a_resolved_group() {
    for (other, want) in [
        ("resolved", vec!["alert a2 resolved", "note"]),
        ("acknowledged", vec!["alert a2 resolved"]),
        ("pending", vec!["alert a2 resolved"]),
    ] {
        let events = [recorded("a1", other), recorded("a2", "firing")];
        let got = appended(plan_for(&resolved("a2"), &events, &state(Status::Triage)));
        assert_eq!(got.0, want, "a1 {other}");
    }
}

#[test]
fn all_resolved_acts_on_alerts_on_resolved() {
    for (on_resolved, status, last, says) in [
        (
            OnResolved::Note,
            Status::Investigating,
            Some("note"),
            "noted on",
        ),
        (
            OnResolved::Monitoring,
            Status::Investigating,
            Some("status monitoring"),
            "monitoring",
        ),
        (
            OnResolved::Monitoring,
            Status::Monitoring,
            None,
            "monitoring",
        ),
        (
            OnResolved::Resolve,
            Status::Identified,
            Some("status resolved"),
            "resolved",
        ),
    ] {
        let mut config = Config::default();
        config.alerts.on_resolved = on_resolved;
        let events = [recorded("a1", "firing"), recorded("a2", "resolved")];
        let found = Some((&events[..], &state(status)));
        let (plan, _) = plan_with(&config, &resolved("a1"), found);
        let (events, what) = appended(plan);
        let mut want = vec!["alert a1 resolved".to_owned()];
        want.extend(last.map(str::to_owned));
        assert_eq!(events, want, "{on_resolved:?} while {status}");
        assert_eq!(
            what,
            format!("Added 1 alert event to; all alerts resolved, {says}")
        );
    }
}

#[test]
fn the_resolution_text_counts_the_group() {
    let events = [recorded("a1", "firing"), recorded("a2", "resolved")];
    let Plan::Append { events, .. } =
        plan_for(&resolved("a1"), &events, &state(Status::Investigating))
    else {
        panic!("not an append");
    };
    assert_eq!(
        events[1].kind,
        EventKind::Note {
            text: "All 2 alerts of the group resolved (alertmanager).".to_owned(),
            pinned: false
        }
    );
}

#[test]
fn a_group_firing_again_soon_after_its_resolution_reopens_it() {
    for (minutes, acknowledged, back) in [
        (30, false, "triage"),
        (30, true, "investigating"),
        // The window's last second still reopens.
        (60, false, "triage"),
    ] {
        let events = [recorded("a1", "resolved")];
        let state = resolved_ago(minutes, acknowledged);
        let got = appended(plan_for(&firing("a1"), &events, &state));
        assert_eq!(
            got,
            (
                vec![format!("status {back}"), "alert a1 firing".to_owned()],
                format!("Reopened ({back}): alerts fire again on")
            )
        );
    }
}

#[test]
fn a_group_firing_again_after_the_window_opens_a_new_incident() {
    let events = [recorded("a1", "resolved")];
    let (plan, _) = plan_with(
        &Config::default(),
        &firing("a1"),
        Some((&events, &resolved_ago(61, true))),
    );
    let (header, events) = opened(plan);
    assert_eq!(header.labels[PREVIOUS_LABEL], ID);
    assert_eq!(events, ["opened SEV1 triage", "alert a1 firing"]);
}

#[test]
fn an_alert_still_firing_when_a_person_resolved_reopens_nothing() {
    let events = [recorded("a1", "firing")];
    let state = resolved_ago(10, true);
    assert_eq!(
        plan_for(&firing("a1"), &events, &state),
        Plan::Nothing {
            id: Some(ID.to_owned()),
            why: format!("{ID} is resolved and no alert of its group fires anew"),
        }
    );
    // Its resolution is recorded, without reopening.
    let got = appended(plan_for(&resolved("a1"), &events, &state));
    assert_eq!(
        got,
        (
            vec!["alert a1 resolved".to_owned()],
            "Added 1 alert event to the resolved".to_owned()
        )
    );
    // Firing anew since the resolution (a later startsAt): it reopens.
    let mut again = firing("a1");
    again.alerts[0].starts_at = Some(ago(2));
    let got = appended(plan_for(&again, &events, &state));
    assert_eq!(got.0, ["status investigating", "alert a1 firing"]);
}

#[test]
fn a_declined_incident_is_never_reopened() {
    let events = [recorded("a1", "resolved")];
    let declined = State {
        last_event_at: Some(ago(5)),
        ..state(Status::Declined)
    };
    let (header, _) = opened(plan_for(&firing("a1"), &events, &declined));
    assert_eq!(header.labels[PREVIOUS_LABEL], ID);
}

fn candidate(id: &str, opened_min: i64, open: bool) -> Candidate<'_> {
    Candidate {
        id,
        opened_at: ago(60 - opened_min),
        open,
    }
}

fn routed<'a>(candidates: &[Candidate<'a>]) -> Option<&'a str> {
    route(candidates).map(|n| candidates[n].id)
}

#[test]
fn alerts_go_to_the_oldest_open_incident_else_the_newest() {
    assert_eq!(routed(&[]), None);
    let both_open = [candidate("b", 1, true), candidate("a", 0, true)];
    assert_eq!(routed(&both_open), Some("a"));
    // The same second: the smaller ID, in every clone.
    let same_time = [candidate("x-2", 0, true), candidate("x", 0, true)];
    assert_eq!(routed(&same_time), Some("x"));
    let one_open = [candidate("a", 0, false), candidate("b", 1, true)];
    assert_eq!(routed(&one_open), Some("b"));
    let old_open = [candidate("a", 0, true), candidate("b", 1, false)];
    assert_eq!(routed(&old_open), Some("a"));
    let closed = [candidate("b", 1, false), candidate("a", 0, false)];
    assert_eq!(routed(&closed), Some("b"));
}

#[test]
fn recorded_states_parse_back() {
    for s in [
        AlertState::Firing,
        AlertState::Acknowledged,
        AlertState::Resolved,
    ] {
        assert_eq!(AlertState::parse(s.as_str()), Some(s));
    }
    assert_eq!(AlertState::parse("pending"), None);
    assert_eq!(AlertState::parse("Firing"), None);
}
