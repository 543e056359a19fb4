//! update, status, severity, ack, assign, resolve, reopen, decline: each
//! appends exactly its events and makes one commit; bad input changes nothing.

use serde_json::{Value, json};

use crate::harness::{TestRepo, each_row};

const AT: &str = "2026-11-27T12:00:00Z";

fn event(kind: &str, fields: Value) -> Value {
    let mut e = json!({"at": AT, "by": "alice", "type": kind});
    for (k, v) in fields.as_object().unwrap() {
        e[k] = v.clone();
    }
    e
}

/// An incident as `inc alert` leaves it: opened by automation, in triage.
fn triage_incident(repo: &TestRepo, commander: Option<&str>) -> String {
    let id = "2026-11-27-higherrorrate-on-api";
    repo.write(
        TestRepo::header_path(id),
        "title: HighErrorRate on api\nopened_at: 2026-11-27T11:50:00Z\nopened_by: alertmanager\n",
    );
    let mut timeline = String::from(
        r#"- {"at":"2026-11-27T11:50:00Z","by":"alertmanager","type":"opened","severity":"SEV2","status":"triage"}"#,
    );
    timeline.push('\n');
    if let Some(who) = commander {
        timeline.push_str(&format!(
            r#"- {{"at":"2026-11-27T11:51:00Z","by":"alertmanager","type":"role","role":"commander","who":"{who}"}}"#
        ));
        timeline.push('\n');
    }
    repo.write(TestRepo::timeline_path(id), &timeline);
    repo.commit_all("alert");
    id.to_owned()
}

// ----- update -----

#[test]
fn update_posts_public_text() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    let mark = repo.mark(&id);
    repo.inc()
        .args(["update", &id, "We are looking into errors at checkout."])
        .ok();
    assert_eq!(
        repo.appended(&mark, &id),
        vec![event(
            "update",
            json!({"text": "We are looking into errors at checkout."})
        )]
    );
    assert_eq!(repo.head_trailer("Inc-Event"), vec!["update"]);
}

#[test]
fn update_with_status_moves_the_incident() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    let mark = repo.mark(&id);
    repo.inc()
        .args(["update", "We found the cause.", "--status", "identified"])
        .ok();
    assert_eq!(
        repo.appended(&mark, &id),
        vec![event(
            "update",
            json!({"status": "identified", "text": "We found the cause."})
        )]
    );
    assert_eq!(repo.show(&id).status.as_deref(), Some("identified"));
}

// ----- status -----

#[test]
fn status_moves_through_the_lifecycle() {
    let repo = TestRepo::new();
    let id = repo.open_with("Checkout returns 500s", "SEV2", &["--at", "1h ago"]);
    for status in ["identified", "monitoring"] {
        let mark = repo.mark(&id);
        repo.inc().args(["status", &id, status]).ok();
        assert_eq!(
            repo.appended(&mark, &id),
            vec![event("status", json!({"status": status}))]
        );
        assert_eq!(repo.head_trailer("Inc-Event"), vec!["status"]);
    }
    let show = repo.show(&id);
    assert_eq!(show.status.as_deref(), Some("monitoring"));
    assert_eq!(show.mitigated_at.as_deref(), Some(AT));
    assert_eq!(show.resolved_at, None);
}

#[test]
fn status_accepts_a_missing_id_and_any_case() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    let mark = repo.mark(&id);
    repo.inc().args(["status", "Identified"]).ok();
    assert_eq!(
        repo.appended(&mark, &id),
        vec![event("status", json!({"status": "identified"}))]
    );
}

#[test]
fn the_same_status_again_changes_nothing() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    let mark = repo.mark(&id);
    repo.inc().args(["status", &id, "investigating"]).ok();
    repo.assert_no_change(&mark, &id);
}

#[test]
fn a_resolved_incident_needs_reopen_first() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    repo.inc().args(["resolve", &id]).ok();
    let before = repo.state();
    repo.inc()
        .args(["status", &id, "identified"])
        .fails()
        .stderr_has(&["resolved", &format!("inc reopen {id}")]);
    repo.inc()
        .args(["update", &id, "still broken", "--status", "investigating"])
        .fails()
        .stderr_has(&["reopen"]);
    repo.assert_unchanged(&before);
}

// ----- severity -----

#[test]
fn severity_retriages() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV3");
    let mark = repo.mark(&id);
    repo.inc().args(["severity", &id, "sev1"]).ok();
    assert_eq!(
        repo.appended(&mark, &id),
        vec![event("severity", json!({"severity": "SEV1"}))]
    );
    let show = repo.show(&id);
    assert_eq!(show.severity.as_deref(), Some("SEV1"));
    assert_eq!(show.impact, "major_outage", "impact follows severity");
}

#[test]
fn severities_come_from_inc_yaml() {
    let repo = TestRepo::with_config(
        "severities:\n  - id: P1\n    description: Everything is on fire\n  - id: P2\n",
    );
    let id = repo.open("X", "p2");
    let mark = repo.mark(&id);
    repo.inc().args(["severity", "P1"]).ok();
    assert_eq!(
        repo.appended(&mark, &id),
        vec![event("severity", json!({"severity": "P1"}))]
    );
    repo.inc()
        .args(["severity", "SEV1"])
        .fails()
        .stderr_has(&["`P1`", "`P2`"]);
}

// ----- ack -----

#[test]
fn ack_of_a_triage_incident_makes_you_commander() {
    let repo = TestRepo::new();
    let id = triage_incident(&repo, None);
    let show = repo.show(&id);
    assert_eq!(show.status.as_deref(), Some("triage"));
    assert_eq!(show.acknowledged_at, None);
    assert!(show.roles.is_empty());

    let mark = repo.mark(&id);
    repo.inc().arg("ack").ok();
    assert_eq!(
        repo.appended(&mark, &id),
        vec![
            event("ack", json!({})),
            event("role", json!({"role": "commander", "who": "alice"})),
        ]
    );
    assert_eq!(repo.head_trailer("Inc-Event"), vec!["ack", "role"]);
    let show = repo.show(&id);
    assert_eq!(show.status.as_deref(), Some("investigating"));
    assert_eq!(show.acknowledged_at.as_deref(), Some(AT));
    assert_eq!(show.roles["commander"], "alice");
}

#[test]
fn ack_with_a_commander_keeps_them() {
    let repo = TestRepo::new();
    let id = triage_incident(&repo, Some("bob"));
    let mark = repo.mark(&id);
    repo.inc().args(["ack", &id]).ok();
    assert_eq!(repo.appended(&mark, &id), vec![event("ack", json!({}))]);
    assert_eq!(repo.show(&id).roles["commander"], "bob");
}

#[test]
fn ack_of_an_acknowledged_incident_changes_nothing() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    let mark = repo.mark(&id);
    repo.inc().args(["ack", &id]).env("INC_AUTHOR", "bob").ok();
    repo.assert_no_change(&mark, &id);
}

#[test]
fn ack_with_no_commander_after_unassign_takes_command() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    repo.inc()
        .args(["assign", &id, "commander", "--unassign"])
        .ok()
        .stderr_has(&["no incident commander"]);
    let mark = repo.mark(&id);
    repo.inc().args(["ack", &id]).env("INC_AUTHOR", "bob").ok();
    let new = repo.appended(&mark, &id);
    assert_eq!(
        new,
        vec![json!({"at": AT, "by": "bob", "type": "role", "role": "commander", "who": "bob"})]
    );
}

// ----- assign -----

#[test]
fn assign_gives_a_role() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    let mark = repo.mark(&id);
    repo.inc().args(["assign", &id, "comms", "bob"]).ok();
    assert_eq!(
        repo.appended(&mark, &id),
        vec![event("role", json!({"role": "comms", "who": "bob"}))]
    );
    // Without an ID: the only open incident.
    let mark = repo.mark(&id);
    repo.inc().args(["assign", "commander", "carol"]).ok();
    assert_eq!(
        repo.appended(&mark, &id),
        vec![event("role", json!({"role": "commander", "who": "carol"}))]
    );
    let show = repo.show(&id);
    assert_eq!(show.roles["comms"], "bob");
    assert_eq!(show.roles["commander"], "carol");
}

#[test]
fn unassign_empties_a_role() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    repo.inc().args(["assign", &id, "scribe", "dan"]).ok();
    let mark = repo.mark(&id);
    repo.inc()
        .args(["assign", &id, "scribe", "--unassign"])
        .ok();
    assert_eq!(
        repo.appended(&mark, &id),
        vec![event("role", json!({"role": "scribe", "who": null}))]
    );
    assert!(!repo.show(&id).roles.contains_key("scribe"));
}

#[test]
fn a_role_with_no_person_is_refused() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    let before = repo.state();
    repo.inc().args(["assign", "comms"]).fails().stderr_has(&[
        "`comms`",
        "needs a person",
        "--unassign",
    ]);
    repo.inc()
        .args(["assign", &id, "comms", ""])
        .fails()
        .stderr_has(&["needs a person"]);
    repo.assert_unchanged(&before);
}

// ----- resolve, reopen, decline -----

#[test]
fn resolve_with_summary_and_at() {
    let repo = TestRepo::new();
    let id = repo.open_with("Checkout returns 500s", "SEV2", &["--at", "1h ago"]);
    let mark = repo.mark(&id);
    repo.inc()
        .args([
            "resolve",
            &id,
            "--summary",
            "Rolled back 4f2a",
            "--at",
            "10m ago",
        ])
        .ok();
    assert_eq!(
        repo.appended(&mark, &id),
        vec![
            json!({"at":"2026-11-27T11:50:00Z","by":"alice","type":"status","status":"resolved","text":"Rolled back 4f2a"})
        ]
    );
    let show = repo.show(&id);
    assert_eq!(show.status.as_deref(), Some("resolved"));
    assert_eq!(show.resolved_at.as_deref(), Some("2026-11-27T11:50:00Z"));
    assert_eq!(show.mitigated_at.as_deref(), Some("2026-11-27T11:50:00Z"));
    assert!(repo.list_ids(&[]).is_empty(), "no longer open");
}

#[test]
fn resolve_without_id_and_twice() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    let mark = repo.mark(&id);
    repo.inc().arg("resolve").ok();
    assert_eq!(
        repo.appended(&mark, &id),
        vec![event("status", json!({"status": "resolved"}))]
    );
    let mark = repo.mark(&id);
    repo.inc()
        .args(["resolve", &id])
        .ok()
        .stderr_has(&["already resolved"]);
    repo.assert_no_change(&mark, &id);
}

#[test]
fn reopen_brings_it_back() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    repo.inc().args(["resolve", &id]).ok();
    let mark = repo.mark(&id);
    repo.inc()
        .args(["reopen", &id, "--reason", "errors are back"])
        .ok();
    assert_eq!(
        repo.appended(&mark, &id),
        vec![event(
            "status",
            json!({"status": "investigating", "text": "errors are back"})
        )]
    );
    let show = repo.show(&id);
    assert_eq!(show.status.as_deref(), Some("investigating"));
    assert_eq!(show.resolved_at, None);
    assert_eq!(repo.list_ids(&[]), vec![id]);
}

#[test]
fn decline_with_reason() {
    let repo = TestRepo::new();
    let id = repo.open("Disk alarm on db-3", "SEV4");
    let mark = repo.mark(&id);
    repo.inc()
        .args(["decline", "--reason", "flapping sensor"])
        .ok();
    assert_eq!(
        repo.appended(&mark, &id),
        vec![event(
            "status",
            json!({"status": "declined", "text": "flapping sensor"})
        )]
    );
    let show = repo.show(&id);
    assert_eq!(show.status.as_deref(), Some("declined"));
    assert!(repo.list_ids(&[]).is_empty());
    assert_eq!(repo.list_ids(&["--status", "declined"]), vec![id.clone()]);

    // A declined incident can't be resolved until reopened.
    let before = repo.state();
    repo.inc()
        .args(["resolve", &id])
        .fails()
        .stderr_has(&["reopen"]);
    repo.assert_unchanged(&before);
    let mark = repo.mark(&id);
    repo.inc().args(["reopen", &id]).ok();
    assert_eq!(
        repo.appended(&mark, &id),
        vec![event("status", json!({"status": "investigating"}))]
    );
}

#[test]
fn a_full_incident_leaves_one_commit_per_command() {
    let repo = TestRepo::new();
    let start = repo.commit_count();
    let id = repo.open_with("Checkout returns 500s", "SEV3", &["--at", "40m ago"]);
    let steps: Vec<Vec<&str>> = vec![
        vec!["note", "5xx at 12%", "--at", "35m ago"],
        vec!["severity", "SEV2", "--at", "30m ago"],
        vec!["assign", "comms", "bob", "--at", "29m ago"],
        vec!["update", "Investigating checkout errors", "--at", "28m ago"],
        vec!["status", "identified", "--at", "20m ago"],
        vec!["status", "monitoring", "--at", "10m ago"],
        vec!["resolve", "--summary", "rolled back", "--at", "5m ago"],
    ];
    for step in &steps {
        repo.inc().args(step).ok();
    }
    assert_eq!(repo.commit_count(), start + 1 + steps.len());
    let show = repo.show(&id);
    let kinds: Vec<&str> = show.events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "opened", "role", "note", "severity", "role", "update", "status", "status", "status"
        ]
    );
    assert_eq!(show.opened_at, "2026-11-27T11:20:00Z");
    assert_eq!(show.mitigated_at.as_deref(), Some("2026-11-27T11:50:00Z"));
    assert_eq!(show.resolved_at.as_deref(), Some("2026-11-27T11:55:00Z"));
    assert_eq!(show.severity.as_deref(), Some("SEV2"));
    assert_eq!(show.roles["comms"], "bob");
    assert_eq!(repo.git_status(), "");
}

#[test]
fn events_dated_before_the_opening_are_refused() {
    let repo = TestRepo::new();
    let id = repo.open_with("Checkout returns 500s", "SEV2", &["--at", "11:00"]);
    let before = repo.state();
    let attempts: Vec<Vec<&str>> = vec![
        vec!["update", &id, "text"],
        vec!["status", &id, "identified"],
        vec!["severity", &id, "SEV1"],
        vec!["assign", &id, "comms", "bob"],
        vec!["resolve", &id],
    ];
    for args in attempts {
        repo.inc()
            .args(&args)
            .args(["--at", "10:59"])
            .fails()
            .stderr_has(&["--at"]);
    }
    repo.assert_unchanged(&before);
}

#[test]
fn at_is_read_in_the_local_zone_without_config() {
    let repo = TestRepo::new();
    let id = repo.open_with("Checkout returns 500s", "SEV2", &["--at", "1h ago"]);
    let mark = repo.mark(&id);
    // 06:30 in New York (EST, UTC-5) is 11:30 UTC.
    repo.inc()
        .args(["status", &id, "identified", "--at", "06:30"])
        .env("TZ", "America/New_York")
        .ok();
    assert_eq!(
        repo.appended(&mark, &id),
        vec![
            json!({"at":"2026-11-27T11:30:00Z","by":"alice","type":"status","status":"identified"})
        ]
    );
}

#[test]
fn update_reads_stdin_with_a_dash() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    let text = "We rolled back.\n\nCheckout works again; we are watching it.\n";
    let mark = repo.mark(&id);
    repo.inc()
        .args(["update", &id, "-", "--status", "monitoring"])
        .stdin(text)
        .ok();
    assert_eq!(
        repo.appended(&mark, &id),
        vec![event(
            "update",
            json!({"status": "monitoring", "text": text})
        )]
    );
}

#[test]
fn ack_after_a_note_still_takes_the_incident_out_of_triage() {
    // bob's note acknowledges the alert implicitly (for the metrics); his
    // explicit `inc ack` must still move it out of triage.
    let repo = TestRepo::new();
    let id = triage_incident(&repo, None);
    repo.inc()
        .args(["note", &id, "looking"])
        .env("INC_AUTHOR", "bob")
        .ok();
    assert_eq!(repo.show(&id).status.as_deref(), Some("triage"));
    repo.inc().args(["ack", &id]).env("INC_AUTHOR", "bob").ok();
    let show = repo.show(&id);
    assert_eq!(show.roles["commander"], "bob");
    assert_eq!(
        show.status.as_deref(),
        Some("investigating"),
        "an acknowledged incident is no longer in triage"
    );
}

// ----- refusals -----

/// A command refused for what it was asked (an unknown value, a person
/// missing, a time before the opening, nothing to reopen) says why and
/// changes nothing. `ID` in the arguments is the incident, opened an hour
/// ago at SEV2.
#[test]
fn a_refused_command_changes_nothing() {
    /// The arguments, what stderr says.
    type Row = (&'static [&'static str], &'static [&'static str]);
    let rows: &[(&str, Row)] = &[
        (
            "update_with_a_bad_status_changes_nothing",
            (
                &["update", "ID", "text", "--status", "fixed"],
                &["`fixed`", "`identified`"],
            ),
        ),
        (
            "an_unknown_status_lists_the_allowed_ones",
            (
                &["status", "ID", "fixed"],
                &[
                    "`fixed`",
                    "`investigating`",
                    "`identified`",
                    "`monitoring`",
                    "`resolved`",
                ],
            ),
        ),
        (
            "an_unknown_severity_lists_the_allowed_ones",
            (
                &["severity", "ID", "critical"],
                &["`critical`", "`SEV1`", "`SEV4`"],
            ),
        ),
        // `ID ROLE` with the person missing: the error is about the person,
        // not an "unknown role" named after the incident.
        (
            "a_role_with_no_person_after_an_id_is_refused_clearly",
            (&["assign", "ID", "comms"], &["`comms`", "needs a person"]),
        ),
        (
            "an_unknown_role_lists_the_allowed_ones",
            (
                &["assign", "ID", "chef", "bob"],
                &["`chef`", "`commander`", "`comms`", "`scribe`"],
            ),
        ),
        (
            "resolve_before_opening_is_refused",
            (&["resolve", "ID", "--at", "2h ago"], &["--at"]),
        ),
        (
            "reopen_of_an_open_incident_is_refused",
            (&["reopen", "ID"], &["not closed"]),
        ),
    ];
    each_row(rows, |_, &(args, says)| {
        let repo = TestRepo::new();
        let id = repo.open_with("Checkout returns 500s", "SEV2", &["--at", "1h ago"]);
        let args = args
            .iter()
            .map(|a| if *a == "ID" { id.as_str() } else { a });
        let before = repo.state();
        repo.inc().args(args).fails().stderr_has(says);
        repo.assert_unchanged(&before);
    });
}
