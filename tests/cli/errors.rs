//! Bad input: exit 1, an error saying what, where and what to do, and
//! nothing changed. Usage errors: exit 2.

use crate::harness::TestRepo;

#[test]
fn unknown_id() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    let before = repo.state();
    let out = repo.inc().args(["note", "nosuchthing", "text"]).fails();
    insta::assert_snapshot!(out.snapshot(&repo));
    repo.inc()
        .args(["show", "2026-11-28"])
        .fails()
        .stderr_has(&["`2026-11-28`", "inc list"]);
    repo.inc().args(["resolve", "zzz"]).fails();
    repo.inc().args(["reopen", "zzz"]).fails();
    repo.assert_unchanged(&before);
    assert_eq!(repo.show(&id).events.len(), 2);
}

#[test]
fn ambiguous_id_lists_the_candidates() {
    let repo = TestRepo::new();
    repo.open("Checkout returns 500s", "SEV2");
    repo.open_with("Checkout latency", "SEV3", &["--at", "1h ago"]);
    repo.open("Search is slow", "SEV3");
    let before = repo.state();
    let out = repo.inc().args(["note", "checkout", "which?"]).fails();
    insta::assert_snapshot!(out.snapshot(&repo));
    repo.inc()
        .args(["show", "2026-11-27-c"])
        .fails()
        .stderr_has(&[
            "`2026-11-27-checkout-latency`",
            "`2026-11-27-checkout-returns-500s`",
        ]);
    repo.assert_unchanged(&before);
    // The exact ID always wins, even when it prefixes another.
    let a = repo.open("DB down", "SEV1");
    let b = repo.open("DB down", "SEV1");
    assert_eq!(b, format!("{a}-2"));
    repo.inc().args(["note", &a, "exact"]).ok();
    assert_eq!(repo.timeline(&a).last().unwrap()["text"], "exact");
}

#[test]
fn unknown_key_in_inc_yaml_names_file_and_line() {
    let repo = TestRepo::new();
    repo.write("inc.yaml", "name: Acme\ntimezone: UTC\nsevrities: []\n");
    repo.commit_all("typo");
    let before = repo.state();
    let out = repo.inc().arg("list").fails();
    insta::assert_snapshot!(out.snapshot(&repo));
    assert!(out.stderr.contains("inc.yaml:3"), "{out}");
    assert!(out.stderr.contains("`sevrities`"), "{out}");
    repo.inc()
        .args(["open", "X", "-s", "SEV1"])
        .fails()
        .stderr_has(&["inc.yaml:3"]);
    repo.assert_unchanged(&before);
}

#[test]
fn nested_unknown_key_and_bad_values_name_the_line() {
    let repo = TestRepo::new();
    repo.write("inc.yaml", "name: Acme\ngit:\n  comit: false\n");
    repo.inc()
        .arg("list")
        .fails()
        .stderr_has(&["inc.yaml:3", "`comit`"]);
    repo.write("inc.yaml", "timezone: Mars/Olympus\n");
    repo.inc()
        .arg("list")
        .fails()
        .stderr_has(&["inc.yaml:1", "Mars/Olympus"]);
    repo.write("inc.yaml", "roles: [scribe]\n");
    repo.inc()
        .arg("list")
        .fails()
        .stderr_has(&["inc.yaml:1", "commander"]);
    repo.write("inc.yaml", "name: [unclosed\n");
    repo.inc().arg("list").fails().stderr_has(&["inc.yaml:"]);
}

#[test]
fn outside_an_incident_repository() {
    let repo = TestRepo::plain();
    let before = repo.state();
    for args in [
        vec!["list"],
        vec!["show"],
        vec!["note", "hello"],
        vec!["open", "X", "-s", "SEV1"],
    ] {
        let out = repo.inc().args(&args).fails().stderr_has(&["inc init"]);
        assert!(out.stdout.is_empty(), "{out}");
    }
    let out = repo.inc().arg("list").fails();
    insta::assert_snapshot!(out.snapshot(&repo));
    repo.assert_unchanged(&before);
    // A git repository without inc files is no incident repository either.
    let git = TestRepo::git_only();
    git.inc().arg("list").fails().stderr_has(&["inc init"]);
}

#[test]
fn repo_flag_pointing_nowhere() {
    let repo = TestRepo::new();
    repo.inc()
        .args(["--repo", "does/not/exist", "list"])
        .fails()
        .stderr_has(&["does/not/exist"]);
    repo.inc()
        .arg("--repo")
        .arg(&repo.home)
        .arg("list")
        .fails()
        .stderr_has(&["inc init"]);
}

/// Two incidents, one with a broken timeline (a conflict marker on line 3).
fn broken_timeline() -> (TestRepo, String, String) {
    let repo = TestRepo::new();
    let good = repo.open("Search is slow", "SEV3");
    let bad = repo.open("Checkout returns 500s", "SEV2");
    repo.append(TestRepo::timeline_path(&bad), "<<<<<<< HEAD\n");
    repo.commit_all("break it");
    (repo, good, bad)
}

#[test]
fn corrupt_timeline_names_path_and_line() {
    let (repo, _, bad) = broken_timeline();
    let out = repo.inc().args(["show", &bad]).fails();
    assert!(
        out.stderr
            .contains(&format!("{}:3", TestRepo::timeline_path(&bad))),
        "{out}"
    );
    insta::assert_snapshot!(out.snapshot(&repo));
    repo.inc()
        .args(["show", &bad, "--json"])
        .fails()
        .stderr_has(&[&format!("{}:3", TestRepo::timeline_path(&bad))]);
}

#[test]
fn corrupt_timeline_still_lists_the_others() {
    let (repo, good, bad) = broken_timeline();
    // The others are listed; the broken one is an error, and exit 1.
    let out = repo.inc().args(["list", "--status", "all"]).fails();
    assert!(out.stdout.contains(&good), "{out}");
    assert!(!out.stdout.contains(&bad), "{out}");
    assert!(
        out.stderr
            .contains(&format!("error: {}:3", TestRepo::timeline_path(&bad))),
        "{out}"
    );
    // With --json too: the JSON of what could be read, then exit 1.
    let out = repo
        .inc()
        .args(["list", "--status", "all", "--json"])
        .fails();
    let listed: Vec<serde_json::Value> = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(listed.len(), 1, "{out}");
    assert_eq!(listed[0]["id"], good.as_str());
    // The good one still works in full.
    repo.inc().args(["show", &good]).ok();
    repo.inc().args(["note", &good, "still fine"]).ok();
}

#[test]
fn corrupt_header_names_path_and_line() {
    let repo = TestRepo::new();
    let good = repo.open("Search is slow", "SEV3");
    let bad = repo.open("Checkout returns 500s", "SEV2");
    repo.write(
        TestRepo::header_path(&bad),
        "title: Checkout returns 500s\nopened_at: 2026-11-27T12:00:00Z\nopened_by: alice\nservices: [api\n",
    );
    let out = repo.inc().args(["show", &bad]).fails();
    assert!(
        out.stderr
            .contains(&format!("{}:", TestRepo::header_path(&bad))),
        "{out}"
    );
    let line: String = out
        .stderr
        .split(&format!("{}:", TestRepo::header_path(&bad)))
        .nth(1)
        .unwrap()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    assert!(
        matches!(line.as_str(), "4" | "5"),
        "names the line of the broken list: {out}"
    );
    let out = repo.inc().args(["list", "--status", "all"]).fails();
    assert!(out.stdout.contains(&good), "{out}");
    assert!(
        out.stderr
            .contains(&format!("error: {}", TestRepo::header_path(&bad))),
        "names the broken one: {out}"
    );
}

#[test]
fn header_missing_a_required_field_is_named() {
    let repo = TestRepo::new();
    let bad = repo.open("Checkout returns 500s", "SEV2");
    repo.write(TestRepo::header_path(&bad), "title: no times here\n");
    repo.inc()
        .args(["show", &bad])
        .fails()
        .stderr_has(&[&TestRepo::header_path(&bad), "opened_at"]);
}

#[test]
fn a_missing_timeline_is_named() {
    let repo = TestRepo::new();
    let bad = repo.open("Checkout returns 500s", "SEV2");
    std::fs::remove_file(repo.path(TestRepo::timeline_path(&bad))).unwrap();
    repo.inc()
        .args(["show", &bad])
        .fails()
        .stderr_has(&[&TestRepo::timeline_path(&bad)]);
}

#[test]
fn a_bad_event_line_is_named() {
    let repo = TestRepo::new();
    let bad = repo.open("Checkout returns 500s", "SEV2");
    repo.append(
        TestRepo::timeline_path(&bad),
        "- {\"at\":\"yesterday\",\"by\":\"bob\",\"type\":\"note\",\"text\":\"x\"}\n",
    );
    repo.inc()
        .args(["show", &bad])
        .fails()
        .stderr_has(&[&format!("{}:3", TestRepo::timeline_path(&bad)), "yesterday"]);
}

#[test]
fn bad_at_changes_nothing() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    let before = repo.state();
    let out = repo
        .inc()
        .args(["note", &id, "text", "--at", "half past nine-ish"])
        .fails()
        .stderr_has(&["half past nine-ish", "RFC 3339"]);
    insta::assert_snapshot!(out.snapshot(&repo));
    repo.inc()
        .args(["open", "X", "-s", "SEV1", "--at", "25:99"])
        .fails()
        .stderr_has(&["25:99"]);
    repo.inc()
        .args(["resolve", &id, "--at", "2030-01-01T00:00:00Z"])
        .fails()
        .stderr_has(&["future"]);
    repo.inc()
        .args(["status", &id, "identified", "--at", "tomorrow"])
        .fails();
    repo.assert_unchanged(&before);
}

#[test]
fn usage_errors_exit_2() {
    let repo = TestRepo::new();
    let before = repo.state();
    repo.inc().arg("frobnicate").usage();
    repo.inc().arg("note").usage();
    repo.inc().args(["note", "a", "b", "c"]).usage();
    repo.inc().args(["list", "--color", "purple"]).usage();
    repo.inc().args(["open", "X", "--bogus"]).usage();
    repo.inc().args(["completions", "tcsh"]).usage();
    repo.inc().usage();
    repo.assert_unchanged(&before);
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let repo = TestRepo::new();
    for _ in 0..30 {
        repo.open("Filler incident with a long enough title", "SEV3");
    }
    for args in [
        vec!["man"],
        vec!["completions", "zsh"],
        vec!["list", "--status", "all"],
        vec!["list", "--json"],
    ] {
        let mut child = repo
            .std_command()
            .args(&args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // The reader goes away at once, as with `inc list | head -0`.
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(!stderr.contains("error"), "{args:?}: {stderr}");
    }
}
