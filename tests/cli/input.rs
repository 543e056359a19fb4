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

#[test]
fn reopen_clears_mitigation() {
    let (repo, id) = opened_two_hours_ago();
    repo.inc()
        .args(["status", &id, "monitoring", "--at", "1h ago"])
        .ok();
    repo.inc().args(["resolve", &id, "--at", "30m ago"]).ok();
    assert!(repo.show(&id).mitigated_at.is_some(), "mitigated before");
    repo.inc().args(["reopen", &id]).ok();
    let show = repo.show(&id);
    assert_eq!(show.status.as_deref(), Some("investigating"));
    assert_eq!(
        show.mitigated_at, None,
        "investigating again: not mitigated"
    );
    assert_eq!(show.resolved_at, None);
    let out = repo.inc().args(["show", &id]).ok();
    assert!(out.stdout.contains("mitigated     —\n"), "{out}");
    assert!(out.stdout.contains("mitigate — · resolve —"), "{out}");
    assert!(!out.stdout.contains("── mitigated"), "{out}");
}

#[test]
fn events_sharing_a_second_keep_file_order_around_a_phase_marker() {
    // Every command runs at the same pinned second.
    let repo = TestRepo::new();
    let id = repo.open("API down", "SEV2");
    repo.inc().args(["note", &id, "before the resolve"]).ok();
    repo.inc().args(["resolve", &id]).ok();
    let out = repo.inc().args(["timeline", &id]).ok();
    let note = out.stdout.find("before the resolve").expect("the note");
    let marker = out.stdout.find("── resolved").expect("the marker");
    assert!(note < marker, "{out}");
    insta::assert_snapshot!(out.stdout);
}

#[test]
fn note_with_only_an_incident_name_is_missing_its_text() {
    let repo = TestRepo::new();
    let id = repo.open("API down", "SEV2");
    let mark = repo.mark(&id);
    let out = repo.inc().args(["note", "api-down"]).fails().stderr_has(&[
        "`api-down` names the incident 2026-11-27-api-down; the text of the note is missing",
    ]);
    insta::assert_snapshot!(out.snapshot(&repo));
    repo.inc()
        .args(["note", &id])
        .fails()
        .stderr_has(&["the text of the note is missing"]);
    // A public update the same way: nothing posted.
    repo.inc()
        .args(["update", "api-down"])
        .fails()
        .stderr_has(&["the text of the update is missing"]);
    repo.assert_no_change(&mark, &id);
    // A word that names no incident is a note; the word itself, after the ID.
    for (args, text) in [
        (vec!["note", "rollback"], "rollback"),
        (vec!["note", &id, "api-down"], "api-down"),
    ] {
        let mark = repo.mark(&id);
        repo.inc().args(&args).ok();
        assert_eq!(repo.appended(&mark, &id)[0]["text"], text);
    }
}

#[cfg(unix)]
#[test]
fn note_dash_on_a_terminal_says_to_paste_and_press_ctrl_d() {
    use rexpect::session::spawn_command;
    let repo = TestRepo::new();
    let id = repo.open("API down", "SEV2");
    let mut cmd = repo.std_command();
    cmd.env("TERM", "xterm-256color");
    cmd.args(["note", &id, "-"]);
    let mut s = spawn_command(cmd, Some(15_000)).expect("spawn inc on a pty");
    s.exp_string("Paste the note, then press Ctrl-D")
        .expect("says how to end the text");
    s.send_line("pasted line").unwrap();
    s.send_control('d').unwrap();
    s.exp_string("Noted on").expect("records it");
    s.exp_eof().expect("inc ends");
    let events = repo.timeline(&id);
    let last = events.last().unwrap();
    assert_eq!(last["text"], "pasted line\n");
}

#[test]
fn resolve_again_with_a_new_summary_is_refused_not_dropped() {
    let (repo, id) = opened_two_hours_ago();
    repo.inc()
        .args([
            "resolve",
            &id,
            "--summary",
            "Rolled back 4f2a",
            "--at",
            "1h ago",
        ])
        .ok();
    let mark = repo.mark(&id);
    let out = repo
        .inc()
        .args([
            "resolve",
            &id,
            "--summary",
            "Rolled back 4f2a; cache flushed",
        ])
        .fails()
        .stderr_has(&["already resolved", "the summary was not recorded", "--pin"]);
    insta::assert_snapshot!(out.snapshot(&repo));
    repo.inc()
        .args(["resolve", &id, "--at", "30m ago"])
        .fails()
        .stderr_has(&["already resolved", "--at was not recorded"]);
    repo.assert_no_change(&mark, &id);
    // Repeating what is recorded changes nothing and says so.
    repo.inc()
        .args(["resolve", &id, "--summary", "Rolled back 4f2a"])
        .ok()
        .stderr_has(&["already resolved", "nothing changed"]);
    repo.inc().args(["resolve", &id]).ok();
    repo.assert_no_change(&mark, &id);
}

#[test]
fn postmortem_right_after_resolve_takes_the_incident_you_resolved() {
    let repo = TestRepo::new();
    let older = repo.open("Search slow", "SEV3");
    repo.inc()
        .args(["resolve", &older])
        .now("2026-11-27T12:05:00Z")
        .ok();
    let id = repo.open("API down", "SEV2");
    repo.inc()
        .args(["resolve", &id])
        .now("2026-11-27T12:30:00Z")
        .ok();
    let out = repo
        .inc()
        .arg("postmortem")
        .now("2026-11-27T12:31:00Z")
        .ok()
        .stderr_has(&[&format!(
            "{id}: the incident you resolved most recently (1m ago); pass an ID for another"
        )]);
    assert!(!out.stderr.contains("no incident is open"), "{out}");
    assert!(repo.exists(format!("{}/postmortem.md", TestRepo::incident_dir(&id))));
    assert!(!repo.exists(format!("{}/postmortem.md", TestRepo::incident_dir(&older))));
}

#[test]
fn postmortem_without_an_id_off_a_terminal_lists_the_resolved_ones() {
    let repo = TestRepo::new();
    let id = repo.open("API down", "SEV2");
    repo.inc()
        .args(["resolve", &id])
        .env("INC_AUTHOR", "bob")
        .ok();
    let before = repo.state();
    let out = repo.inc().arg("postmortem").fails().stderr_has(&[
        "say which incident: you (alice) resolved none",
        &format!("recently resolved: `{id}`"),
        "hint: pass its ID",
    ]);
    insta::assert_snapshot!(out.snapshot(&repo));
    repo.assert_unchanged(&before);
}

/// A typo'd status gets "did you mean", and the statuses offered are those
/// of the incident's kind: no maintenance statuses for an incident, and
/// the other way round.
#[test]
fn a_typoed_status_gets_did_you_mean_and_only_its_kinds_statuses() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    let run = repo
        .inc()
        .args(["status", &id, "identifed"])
        .fails()
        .stderr_has(&[
            "did you mean `identified`?",
            "`investigating`, `identified`",
        ]);
    assert!(!run.stderr.contains("in_progress"), "{run}");
    repo.inc()
        .args(["update", &id, "Looking", "--status", "monitorng"])
        .fails()
        .stderr_has(&["did you mean `monitoring`?"]);
    // A status of the other kind is no typo: it is refused with the list.
    let run = repo
        .inc()
        .args(["status", &id, "completed"])
        .fails()
        .stderr_has(&["not a status of an incident", "resolved"]);
    assert!(!run.stderr.contains("did you mean"), "{run}");
    repo.inc().args(["status", &id, "Identified"]).ok();
}

#[test]
fn a_typoed_severity_gets_did_you_mean() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    repo.inc()
        .args(["severity", &id, "SEV9"])
        .fails()
        .stderr_has(&["unknown severity `SEV9`; did you mean `SEV1`?", "`SEV4`"]);
    repo.inc()
        .args(["open", "Search is slow", "-s", "SEV-3"])
        .fails()
        .stderr_has(&["did you mean `SEV3`?"]);
}
