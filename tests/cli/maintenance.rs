//! `inc maintenance`: a scheduled window and its lifecycle.

use crate::harness::TestRepo;

#[test]
fn schedules_a_window_and_moves_through_its_lifecycle() {
    let repo = TestRepo::new();
    let out = repo
        .inc()
        .args([
            "maintenance",
            "Database upgrade",
            "--start",
            "2026-11-28T02:00:00Z",
            "--end",
            "2026-11-28T03:00:00Z",
            "--service",
            "api",
        ])
        .ok();
    let id = out.stdout.trim().to_owned();
    assert_eq!(id, "2026-11-27-database-upgrade");
    let header = repo.header(&id);
    assert_eq!(header["kind"].as_str(), Some("maintenance"));
    assert_eq!(
        header["scheduled_start"].as_str(),
        Some("2026-11-28T02:00:00Z")
    );
    assert_eq!(
        header["scheduled_end"].as_str(),
        Some("2026-11-28T03:00:00Z")
    );
    let show = repo.list(&["--maintenance", "--status", "all"]);
    assert_eq!(show[0]["status"], "scheduled");
    assert_eq!(show[0]["kind"], "maintenance");

    // Incident statuses don't apply; maintenance ones do, in order.
    repo.inc()
        .args(["status", &id, "investigating"])
        .fails()
        .stderr_has(&["not a status of a maintenance", "in_progress"]);
    repo.inc()
        .args(["resolve", &id])
        .fails()
        .stderr_has(&["is a maintenance", "completed"]);
    for status in ["in_progress", "verifying", "completed"] {
        repo.inc()
            .now("2026-11-28T03:00:00Z")
            .args(["status", &id, status])
            .ok();
    }
    let all = repo.list(&["--maintenance", "--status", "closed"]);
    assert_eq!(all[0]["status"], "completed");
    assert!(
        repo.list(&["--maintenance"]).is_empty(),
        "a completed window is not open"
    );
}

#[test]
fn bad_windows_are_refused() {
    let repo = TestRepo::with_config("services:\n  - id: api\n");
    let commits = repo.commit_count();
    repo.inc()
        .args([
            "maintenance",
            "Upgrade",
            "--start",
            "2026-11-28T03:00:00Z",
            "--end",
            "2026-11-28T02:00:00Z",
        ])
        .fails()
        .stderr_has(&["--end", "is not after --start"]);
    repo.inc()
        .args([
            "maintenance",
            "Upgrade",
            "--start",
            "whenever",
            "--end",
            "later",
        ])
        .fails()
        .stderr_has(&["--start", "can't read the time `whenever`"]);
    repo.inc()
        .args([
            "maintenance",
            "Upgrade",
            "--start",
            "2026-11-28T02:00:00Z",
            "--end",
            "2026-11-28T03:00:00Z",
            "--service",
            "web",
        ])
        .fails()
        .stderr_has(&["unknown service `web`"]);
    assert_eq!(repo.commit_count(), commits);
}
