//! Input that can't mislead (issue 13): times in one grammar, a note that
//! is only an ID, did-you-mean for statuses and severities, a summary never
//! dropped, a reopen clearing mitigation, phase markers in file order, and
//! `inc postmortem` right after `inc resolve`.

use crate::harness::TestRepo;

/// A repository with one incident opened two hours before `NOW`.
fn opened_two_hours_ago() -> (TestRepo, String) {
    let repo = TestRepo::new();
    let id = repo.open_with("API down", "SEV2", &["--at", "2h ago"]);
    (repo, id)
}

#[test]
fn at_refuses_a_day_and_month_that_could_be_either_way_round() {
    let (repo, id) = opened_two_hours_ago();
    let mark = repo.mark(&id);
    let out = repo
        .inc()
        .args(["note", &id, "db restarted", "--at", "12/06 22:40"])
        .fails()
        .stderr_has(&[
            "can't read the time `12/06 22:40`",
            "either way round",
            "YYYY-MM-DD",
        ]);
    // Not read as 12 June, and so not "before the incident was opened".
    assert!(!out.stderr.contains("opened"), "{out}");
    insta::assert_snapshot!(out.snapshot(&repo));
    repo.assert_no_change(&mark, &id);
}

#[test]
fn at_refuses_an_impossible_clock_time() {
    let (repo, id) = opened_two_hours_ago();
    let mark = repo.mark(&id);
    let out = repo
        .inc()
        .args(["note", &id, "x", "--at", "25:00"])
        .fails()
        .stderr_has(&[
            "`25:00` is not a time of day",
            "hours run 00–23",
            "accepted forms",
        ]);
    assert!(!out.stderr.contains("future"), "{out}");
    repo.assert_no_change(&mark, &id);
}

#[test]
fn at_refuses_a_bare_duration() {
    let (repo, id) = opened_two_hours_ago();
    let mark = repo.mark(&id);
    let out = repo
        .inc()
        .args(["note", &id, "x", "--at", "5m"])
        .fails()
        .stderr_has(&["a duration is not a time; write `5m ago`", "accepted forms"]);
    insta::assert_snapshot!(out.snapshot(&repo));
    repo.assert_no_change(&mark, &id);
}

#[test]
fn at_accepts_every_documented_form() {
    let (repo, id) = opened_two_hours_ago();
    for (at, stored) in [
        ("1h30m ago", "2026-11-27T10:30:00Z"),
        ("2 hours ago", "2026-11-27T10:00:00Z"),
        ("15m ago", "2026-11-27T11:45:00Z"),
        ("11:05", "2026-11-27T11:05:00Z"),
        ("2026-11-27 11:10", "2026-11-27T11:10:00Z"),
        ("2026-11-27T11:20:00Z", "2026-11-27T11:20:00Z"),
    ] {
        let mark = repo.mark(&id);
        repo.inc().args(["note", &id, at, "--at", at]).ok();
        let events = repo.appended(&mark, &id);
        assert_eq!(events.len(), 1, "{at}");
        assert_eq!(events[0]["at"], stored, "{at}");
    }
}

#[test]
fn at_a_clock_time_later_today_says_to_write_yesterday() {
    let (repo, id) = opened_two_hours_ago();
    repo.inc()
        .args(["note", &id, "x", "--at", "23:50"])
        .fails()
        .stderr_has(&[
            "in the future",
            "hint: `23:50` is today; for yesterday's, write `yesterday 23:50`",
        ]);
}
