//! Issue 13: maintenance windows are kept apart from incidents. They are
//! never the implied ID, have no severity or commander, are listed in their
//! own section (`inc list --maintenance`), and one scheduled entirely in the
//! past gets a warning.

use crate::harness::TestRepo;

/// Schedules a window; returns its ID.
fn window(repo: &TestRepo, title: &str, start: &str, end: &str) -> String {
    repo.inc()
        .args(["maintenance", title, "--start", start, "--end", end])
        .ok()
        .stdout
        .trim()
        .to_owned()
}

/// One open incident and four open windows (one of them next week).
fn incident_among_windows() -> (TestRepo, String, Vec<String>) {
    let repo = TestRepo::new();
    let windows = vec![
        window(
            &repo,
            "Database upgrade",
            "2026-11-28T02:00:00Z",
            "2026-11-28T03:00:00Z",
        ),
        window(
            &repo,
            "Network change",
            "2026-11-29T02:00:00Z",
            "2026-11-29T04:00:00Z",
        ),
        window(
            &repo,
            "Kernel patching",
            "2026-11-30T22:00:00Z",
            "2026-12-01T01:00:00Z",
        ),
        window(
            &repo,
            "Storage migration",
            "2026-12-03T01:00:00Z",
            "2026-12-03T05:00:00Z",
        ),
    ];
    let incident = repo.open("Checkout returns 500s", "SEV2");
    (repo, incident, windows)
}

#[test]
fn maintenance_windows_are_never_the_implied_id() {
    let (repo, incident, windows) = incident_among_windows();
    let mark = repo.mark(&incident);
    repo.inc().args(["note", "rolled back 4f2a"]).ok();
    let appended = repo.appended(&mark, &incident);
    assert_eq!(appended.len(), 1, "{appended:?}");
    assert_eq!(appended[0]["type"], "note");
    assert_eq!(appended[0]["text"], "rolled back 4f2a");
    for w in &windows {
        let timeline = repo.timeline(w);
        assert!(
            timeline.iter().all(|e| e["type"] != "note"),
            "{w} got the note: {timeline:?}"
        );
    }
}

#[test]
fn with_only_windows_open_no_incident_is_implied() {
    let repo = TestRepo::new();
    window(
        &repo,
        "Database upgrade",
        "2026-11-28T02:00:00Z",
        "2026-11-28T03:00:00Z",
    );
    repo.inc()
        .args(["note", "anything"])
        .fails()
        .stderr_has(&["no incident is open"]);
}

#[test]
fn inc_list_shows_incidents_only_and_says_windows_are_listed_apart() {
    let (repo, incident, _) = incident_among_windows();
    assert_eq!(repo.list_ids(&[]), [incident.as_str()]);
    assert_eq!(repo.list_ids(&["--status", "all"]), [incident.as_str()]);
    let out = repo.inc().arg("list").ok();
    assert!(out.stdout.contains("Checkout returns 500s"), "{out}");
    for title in ["Database upgrade", "Storage migration", "SEV4"] {
        assert!(!out.stdout.contains(title), "`{title}` in {out}");
    }
    assert!(
        out.stderr
            .contains("4 maintenance windows: `inc list --maintenance`"),
        "{out}"
    );
}

#[test]
fn inc_list_maintenance_is_its_own_section_without_severity_or_commander() {
    let (repo, _, windows) = incident_among_windows();
    let out = repo.inc().args(["list", "--maintenance"]).ok();
    assert!(out.stdout.starts_with("Maintenance\n"), "{out}");
    let header = out.stdout.lines().nth(1).unwrap();
    for column in ["ID", "STATUS", "WINDOW", "TITLE"] {
        assert!(header.contains(column), "{header}");
    }
    for absent in ["SEV", "COMMANDER", "alice", "Checkout"] {
        assert!(!out.stdout.contains(absent), "`{absent}` in {out}");
    }
    assert!(
        out.stdout.contains("2026-11-28 02:00–03:00 UTC"),
        "a window within a day: {out}"
    );
    assert!(
        out.stdout.contains("2026-11-30 22:00–2026-12-01 01:00 UTC"),
        "a window over midnight: {out}"
    );
    // Soonest first.
    let order: Vec<usize> = windows
        .iter()
        .map(|w| out.stdout.find(w.as_str()).expect("every window is listed"))
        .collect();
    assert!(order.windows(2).all(|p| p[0] < p[1]), "{out}");
    insta::assert_snapshot!(out.snapshot(&repo));

    repo.inc()
        .args(["list", "--maintenance", "--severity", "SEV4"])
        .usage();
}

#[test]
fn json_tells_windows_apart_and_gives_them_no_severity() {
    let (repo, incident, windows) = incident_among_windows();
    let incidents = repo.list(&[]);
    assert_eq!(incidents.len(), 1);
    assert_eq!(incidents[0]["kind"], "incident");
    assert_eq!(incidents[0]["severity"], "SEV2");
    assert!(
        incidents[0].get("scheduled_start").is_none(),
        "{incidents:?}"
    );

    let listed = repo.list(&["--maintenance"]);
    let ids: Vec<&str> = listed.iter().map(|w| w["id"].as_str().unwrap()).collect();
    assert_eq!(ids, windows.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(!ids.contains(&incident.as_str()));
    for w in &listed {
        crate::harness::assert_incident_keys(w);
        assert_eq!(w["kind"], "maintenance");
        assert_eq!(w["severity"], serde_json::Value::Null, "{w:#}");
        assert!(w["roles"].get("commander").is_none(), "{w:#}");
    }
    assert_eq!(listed[0]["scheduled_start"], "2026-11-28T02:00:00Z");
    assert_eq!(listed[0]["scheduled_end"], "2026-11-28T03:00:00Z");
}

#[test]
fn a_window_entirely_in_the_past_is_recorded_with_a_warning() {
    let repo = TestRepo::new();
    let commits = repo.commit_count();
    // INC_NOW is 2026-11-27T12:00:00Z: a year typo puts this in the past.
    let out = repo
        .inc()
        .args([
            "maintenance",
            "Database upgrade",
            "--start",
            "2025-11-28T02:00:00Z",
            "--end",
            "2025-11-28T03:00:00Z",
        ])
        .ok();
    let id = out.stdout.trim();
    assert_eq!(id, "2026-11-27-database-upgrade");
    assert!(
        out.stderr
            .contains("warning: the window of 2026-11-27-database-upgrade ended before now"),
        "{out}"
    );
    assert_eq!(repo.commit_count(), commits + 1, "still recorded");
    assert_eq!(repo.list_ids(&["--maintenance"]), [id]);

    // A window under way or ahead gets no warning.
    let ahead = repo
        .inc()
        .args([
            "maintenance",
            "Network change",
            "--start",
            "2026-11-27T11:00:00Z",
            "--end",
            "2026-11-27T13:00:00Z",
        ])
        .ok();
    assert!(!ahead.stderr.contains("warning"), "{ahead}");
}
