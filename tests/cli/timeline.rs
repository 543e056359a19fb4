//! `inc timeline`: phases among the events, Markdown, JSON and --public.

use serde::Deserialize;

use crate::harness::TestRepo;

/// An incident with a bit of everything, opened by a person at 11:00.
fn incident(repo: &TestRepo) -> String {
    let id = repo.open_with(
        "Checkout | <b>500s</b>",
        "SEV2",
        &["--at", "11:00", "--started", "10:45", "--private"],
    );
    for step in [
        vec!["note", "SECRET-NOTE 5xx at 12%", "--at", "11:05"],
        vec!["note", "rollback started", "--pin", "--at", "11:20"],
        vec![
            "update",
            "We are investigating errors at checkout.",
            "--at",
            "11:15",
        ],
        vec!["assign", "comms", "SECRET-PERSON", "--at", "11:16"],
        vec!["status", "monitoring", "--at", "11:40"],
        vec!["resolve", "--summary", "SECRET-SUMMARY", "--at", "12:00"],
    ] {
        repo.inc().args(step).ok();
    }
    id
}

#[test]
fn table_shows_phases_with_the_time_between_them() {
    let repo = TestRepo::new();
    let id = incident(&repo);
    let out = repo.inc().args(["timeline", &id]).ok();
    insta::assert_snapshot!(out.snapshot(&repo));
    let phases: Vec<&str> = out.stdout.lines().filter(|l| l.contains("──")).collect();
    assert_eq!(phases.len(), 5, "{}", out.stdout);
    assert!(out.stdout.contains("detected (15m after impact start)"));
    assert!(out.stdout.contains("mitigated (40m after acknowledged)"));
    assert!(out.stdout.contains("note (pinned)"));
}

#[test]
fn markdown_is_a_gfm_table_with_the_zone() {
    let repo = TestRepo::with_config("timezone: Europe/Berlin\n");
    let id = incident(&repo);
    let out = repo
        .inc()
        .args(["timeline", &id, "--format", "markdown"])
        .ok();
    let mut lines = out.stdout.lines();
    assert_eq!(lines.next(), Some("| Time (Europe/Berlin) | Who | What |"));
    assert_eq!(lines.next(), Some("|---|---|---|"));
    assert!(
        out.stdout.contains("| 2026-11-27 12:00 CET |"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("📌 rollback started"));
    assert!(out.stdout.contains("**resolved (20m after mitigated)**"));
    for line in out.stdout.lines().skip(2) {
        assert!(line.starts_with("| ") && line.ends_with(" |"), "{line}");
    }
    insta::assert_snapshot!(out.snapshot(&repo));
}

#[derive(Debug, Deserialize)]
struct TimelineJson {
    id: String,
    zone: String,
    public: bool,
    phases: Phases,
    durations: Durations,
    rows: Vec<RowJson>,
}

#[derive(Debug, Deserialize)]
struct Phases {
    started: String,
    detected: String,
    acknowledged: Option<String>,
    mitigated: Option<String>,
    resolved: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Durations {
    detect: i64,
    acknowledge: Option<i64>,
    mitigate: Option<i64>,
    resolve: Option<i64>,
}

#[derive(Debug, Deserialize)]
struct RowJson {
    at: String,
    #[serde(rename = "type")]
    kind: String,
    phase: Option<String>,
    by: Option<String>,
    text: Option<String>,
    #[serde(default)]
    pinned: bool,
}

#[test]
fn json_has_phases_durations_and_rows() {
    let repo = TestRepo::new();
    let id = incident(&repo);
    let out = repo.inc().args(["timeline", &id, "--format", "json"]).ok();
    let t: TimelineJson = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(t.id, id);
    assert_eq!(t.zone, "UTC");
    assert!(!t.public);
    assert_eq!(t.phases.started, "2026-11-27T10:45:00Z");
    assert_eq!(t.phases.detected, "2026-11-27T11:00:00Z");
    assert_eq!(
        t.phases.acknowledged.as_deref(),
        Some("2026-11-27T11:00:00Z")
    );
    assert_eq!(t.phases.mitigated.as_deref(), Some("2026-11-27T11:40:00Z"));
    assert_eq!(t.phases.resolved.as_deref(), Some("2026-11-27T12:00:00Z"));
    assert_eq!(t.durations.detect, 15 * 60);
    assert_eq!(t.durations.acknowledge, Some(0));
    assert_eq!(t.durations.mitigate, Some(55 * 60));
    assert_eq!(t.durations.resolve, Some(75 * 60));
    let phases: Vec<&str> = t.rows.iter().filter_map(|r| r.phase.as_deref()).collect();
    assert_eq!(
        phases,
        [
            "started",
            "detected",
            "acknowledged",
            "mitigated",
            "resolved"
        ]
    );
    let pinned: Vec<&RowJson> = t.rows.iter().filter(|r| r.pinned).collect();
    assert_eq!(pinned.len(), 1);
    assert_eq!(pinned[0].text.as_deref(), Some("rollback started"));
    assert_eq!(pinned[0].by.as_deref(), Some("alice"));
    let mut times: Vec<&str> = t.rows.iter().map(|r| r.at.as_str()).collect();
    let sorted = {
        let mut s = times.clone();
        s.sort();
        s
    };
    assert_eq!(times, sorted, "rows are in time order");
    times.dedup();
    assert!(t.rows.iter().any(|r| r.kind == "phase"));
}

#[test]
fn public_shows_only_what_the_status_page_may() {
    let repo = TestRepo::new();
    let id = incident(&repo);
    // A private incident is not public at all.
    repo.inc()
        .args(["timeline", &id, "--public"])
        .fails()
        .stderr_has(&["not on the status page", "private"]);
    // Made public, its public timeline holds updates and statuses only.
    let header = repo
        .read(TestRepo::header_path(&id))
        .replace("private: true\n", "");
    repo.write(TestRepo::header_path(&id), &header);
    repo.commit_all("make it public");
    for format in ["table", "markdown", "json"] {
        let out = repo
            .inc()
            .args(["timeline", &id, "--public", "--format", format])
            .ok();
        for secret in ["SECRET", "alice", "comms", "pinned", "rollback"] {
            assert!(
                !out.stdout.contains(secret),
                "{format} shows {secret}:\n{}",
                out.stdout
            );
        }
        assert!(
            out.stdout
                .contains("We are investigating errors at checkout.")
        );
        assert!(out.stdout.contains("resolved"));
    }
}

#[test]
fn triage_incidents_have_no_public_timeline() {
    let repo = TestRepo::new();
    let id = repo.open("Disk filling", "SEV3");
    // Rewrite the opening as automation's: status triage, no commander.
    let line = r#"- {"at":"2026-11-27T12:00:00Z","by":"alertmanager","type":"opened","severity":"SEV3","status":"triage"}"#;
    repo.write(TestRepo::timeline_path(&id), &format!("{line}\n"));
    repo.commit_all("automation");
    repo.inc()
        .args(["timeline", &id, "--public"])
        .fails()
        .stderr_has(&["triage"]);
    let out = repo.inc().args(["timeline", &id]).ok();
    assert!(!out.stdout.contains("acknowledged"), "{}", out.stdout);
}
