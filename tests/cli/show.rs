//! `inc show`: the text page, `--json`, and display time zones.

use serde_json::Value;

use crate::harness::{TestRepo, assert_incident_keys};

/// One incident with a bit of everything, opened at 11:00, now 12:00 UTC.
fn busy_incident(repo: &TestRepo) -> String {
    let id = repo.open_with(
        "Checkout returns 500s",
        "SEV3",
        &[
            "--at",
            "11:00",
            "--started",
            "10:45",
            "--service",
            "api",
            "--label",
            "region=eu-west-1",
            "--summary",
            "Card payments fail",
        ],
    );
    let steps: Vec<Vec<&str>> = vec![
        vec![
            "note",
            "5xx at 12% on /checkout since deploy 4f2a",
            "--at",
            "11:05",
        ],
        vec!["severity", "SEV2", "--at", "11:10"],
        vec!["assign", "comms", "bob", "--at", "11:12"],
        vec![
            "update",
            "We are investigating errors at checkout.",
            "--at",
            "11:15",
        ],
        vec!["status", "identified", "--at", "11:30"],
        vec!["note", "rollback started", "--pin", "--at", "11:31"],
        vec!["status", "monitoring", "--at", "11:45"],
    ];
    for step in steps {
        repo.inc().args(step).ok();
    }
    repo.inc()
        .args(["note", "-", "--at", "11:50"])
        .stdin("error rate back to 0.1%\nwatching for an hour")
        .ok();
    id
}

#[test]
fn text_page() {
    let repo = TestRepo::new();
    let id = busy_incident(&repo);
    let out = repo.inc().args(["show", &id]).ok();
    insta::assert_snapshot!(out.snapshot(&repo));
}

#[test]
fn text_page_of_a_resolved_incident() {
    let repo = TestRepo::new();
    let id = busy_incident(&repo);
    repo.inc()
        .args(["resolve", "--summary", "rolled back", "--at", "11:55"])
        .ok();
    let out = repo.inc().args(["show", &id]).ok();
    insta::assert_snapshot!(out.snapshot(&repo));
}

#[test]
fn json_has_every_key_and_the_events_sorted_as_stored() {
    let repo = TestRepo::new();
    let id = busy_incident(&repo);
    // A note appended late but dated early must sort by time.
    repo.inc()
        .args(["note", &id, "backfilled: pager went off", "--at", "11:02"])
        .ok();
    let out = repo.inc().args(["show", &id, "--json"]).ok();
    let value: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_incident_keys(&value);

    // `events` is the stored timeline, each line as stored, sorted by time
    // (stable for equal times).
    let mut stored = repo.timeline(&id);
    assert_ne!(
        stored.last().unwrap()["at"],
        stored[0]["at"],
        "the backfilled note is last in the file"
    );
    stored.sort_by(|a, b| a["at"].as_str().cmp(&b["at"].as_str()));
    assert_eq!(value["events"], Value::Array(stored));

    let show = repo.show(&id);
    assert_eq!(show.id, id);
    assert_eq!(show.title, "Checkout returns 500s");
    assert_eq!(show.public_title, None);
    assert_eq!(show.kind, "incident");
    assert_eq!(show.status.as_deref(), Some("monitoring"));
    assert_eq!(show.severity.as_deref(), Some("SEV2"));
    assert_eq!(show.impact, "partial_outage");
    assert_eq!(show.services, ["api"]);
    assert_eq!(show.roles["commander"], "alice");
    assert_eq!(show.roles["comms"], "bob");
    assert_eq!(show.labels["region"], "eu-west-1");
    assert!(!show.private);
    assert_eq!(show.started_at, "2026-11-27T10:45:00Z");
    assert_eq!(show.opened_at, "2026-11-27T11:00:00Z");
    assert_eq!(show.opened_by, "alice");
    assert_eq!(
        show.acknowledged_at.as_deref(),
        Some("2026-11-27T11:00:00Z")
    );
    assert_eq!(show.mitigated_at.as_deref(), Some("2026-11-27T11:45:00Z"));
    assert_eq!(show.resolved_at, None);
    assert!(show.actions.is_empty());
    let times: Vec<&str> = show.events.iter().map(|e| e.at.as_str()).collect();
    let mut sorted = times.clone();
    sorted.sort();
    assert_eq!(times, sorted);
    assert_eq!(show.events[0].kind, "opened");
    assert_eq!(
        show.events[2].str("text"),
        Some("backfilled: pager went off")
    );
    let pinned = show
        .events
        .iter()
        .find(|e| e.str("text") == Some("rollback started"))
        .unwrap();
    assert_eq!(pinned.fields["pinned"], Value::Bool(true));
    let updates: Vec<_> = show.events.iter().filter(|e| e.kind == "update").collect();
    assert_eq!(updates.len(), 1);
    assert_eq!(updates[0].by, "alice");
}

#[test]
fn json_output_is_not_coloured_even_when_asked() {
    let repo = TestRepo::new();
    let id = repo.open("X", "SEV3");
    let out = repo
        .inc()
        .args(["--color", "always", "show", &id, "--json"])
        .ok();
    assert!(!out.stdout.contains('\x1b'), "{out}");
    serde_json::from_str::<Value>(&out.stdout).unwrap();
}

#[test]
fn exact_duplicate_lines_are_shown_once() {
    let repo = TestRepo::new();
    let id = repo.open("X", "SEV3");
    repo.inc().args(["note", &id, "only once"]).ok();
    // What a union merge of two clones that both had this line leaves.
    let last = repo
        .read(TestRepo::timeline_path(&id))
        .lines()
        .last()
        .unwrap()
        .to_owned();
    repo.append(TestRepo::timeline_path(&id), &format!("{last}\n"));
    let show = repo.show(&id);
    let notes = show.events.iter().filter(|e| e.kind == "note").count();
    assert_eq!(notes, 1);
}

#[test]
fn show_without_id_shows_the_only_open_incident() {
    let repo = TestRepo::new();
    let closed = repo.open("Old", "SEV3");
    repo.inc().args(["resolve", &closed]).ok();
    repo.open("Current", "SEV3");
    repo.inc()
        .arg("show")
        .ok()
        .stdout_has(&["2026-11-27-current", "investigating"]);
    // A closed one is still shown by ID.
    repo.inc()
        .args(["show", "old"])
        .ok()
        .stdout_has(&["2026-11-27-old", "resolved"]);
}

#[test]
fn times_show_in_the_configured_timezone() {
    let repo = TestRepo::with_config("timezone: Europe/Berlin\n");
    let id = repo.open("Checkout returns 500s", "SEV2");
    // TZ says New York, but inc.yaml wins.
    let out = repo
        .inc()
        .args(["show", &id])
        .env("TZ", "America/New_York")
        .ok();
    assert!(out.stdout.contains("2026-11-27 13:00 CET"), "{out}");
    assert!(out.stdout.contains("Europe/Berlin"), "{out}");
    assert!(out.stdout.contains("13:00"), "{out}");
    assert!(!out.stdout.contains("UTC"), "{out}");
    // JSON stays in UTC.
    assert_eq!(repo.show(&id).opened_at, "2026-11-27T12:00:00Z");
}

#[test]
fn times_show_in_the_local_zone_without_config() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    let out = repo
        .inc()
        .args(["show", &id])
        .env("TZ", "America/New_York")
        .ok();
    assert!(out.stdout.contains("2026-11-27 07:00 EST"), "{out}");
    let out = repo.inc().args(["show", &id]).ok();
    assert!(out.stdout.contains("2026-11-27 12:00 UTC"), "{out}");
}

#[test]
fn a_title_with_escapes_is_shown_without_them() {
    let repo = TestRepo::new();
    let id = repo.open("\x1b[31mred\x1b[0m alert\x07", "SEV3");
    for args in [vec!["show", &id], vec!["list"]] {
        let out = repo.inc().args(&args).args(["--color", "never"]).ok();
        assert!(!out.stdout.contains('\x1b'), "{out:?}");
        assert!(!out.stdout.contains('\x07'), "{out:?}");
        assert!(out.stdout.contains("red"), "{out}");
    }
}

#[test]
fn json_folds_actions_from_the_timeline() {
    let repo = TestRepo::new();
    let id = repo.open("X", "SEV3");
    // Follow-up actions as a later version of inc writes them.
    repo.append(
        TestRepo::timeline_path(&id),
        concat!(
            r#"- {"at":"2026-11-27T12:00:00Z","by":"alice","type":"action","id":1,"text":"Add an alert on 5xx","owner":"bob","due":"2026-12-04","link":null}"#,
            "\n",
            r#"- {"at":"2026-11-27T12:00:00Z","by":"alice","type":"action","id":2,"text":"Write a runbook","owner":null,"due":null,"link":"https://example.com/OPS-1"}"#,
            "\n",
            r#"- {"at":"2026-11-27T12:00:00Z","by":"bob","type":"action_done","id":1}"#,
            "\n",
        ),
    );
    let show = repo.show(&id);
    assert_eq!(show.actions.len(), 2);
    let first = &show.actions[0];
    assert_eq!(
        (first.id, first.text.as_str(), first.owner.as_deref()),
        (1, "Add an alert on 5xx", Some("bob"))
    );
    assert_eq!(first.due.as_deref(), Some("2026-12-04"));
    assert_eq!(first.link, None);
    assert!(first.done);
    let second = &show.actions[1];
    assert_eq!(second.id, 2);
    assert_eq!(second.owner, None);
    assert_eq!(second.link.as_deref(), Some("https://example.com/OPS-1"));
    assert!(!second.done);
    repo.inc()
        .args(["show", &id])
        .ok()
        .stdout_has(&["2 (1 open)"]);
}
