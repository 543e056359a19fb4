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
