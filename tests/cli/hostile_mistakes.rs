//! Hostile and mistaken files (issue 11): each finding as the real binary
//! meets it. Every broken or mistaken file gets a clear error naming its
//! file and line, without a panic, a hang or unbounded memory, and every
//! other incident stays usable.

use std::fs;

use crate::harness::{TestRepo, fixture_text};

/// A repository with two open incidents: (repo, first ID, second ID).
fn two_incidents() -> (TestRepo, String, String) {
    let repo = TestRepo::new();
    let a = repo.open("Checkout is slow", "SEV2");
    let b = repo.open("Search is down", "SEV1");
    (repo, a, b)
}

/// A timeline line at `at` (RFC 3339).
fn line(at: &str, by: &str, rest: &str) -> String {
    format!("- {{\"at\":\"{at}\",\"by\":\"{by}\",{rest}}}\n")
}

#[test]
fn events_sharing_one_timestamp_load_once_each() {
    let (repo, a, b) = two_incidents();
    // 20,000 notes at one second, every one twice (a union merge's leftovers).
    let mut text = repo.read(TestRepo::timeline_path(&a));
    let notes: String = (0..20_000)
        .map(|n| {
            line(
                "2026-11-27T12:00:00Z",
                "bot",
                &format!("\"type\":\"note\",\"text\":\"n{n}\""),
            )
        })
        .collect();
    text.push_str(&notes);
    text.push_str(&notes);
    repo.write(TestRepo::timeline_path(&a), &text);
    let shown = repo.show(&a);
    let notes = shown.events.iter().filter(|e| e.kind == "note").count();
    assert_eq!(notes, 20_000, "each duplicate line dropped, no other");
    let mut listed = repo.list_ids(&[]);
    listed.sort();
    assert_eq!(listed, [a.clone(), b]);
    repo.inc().arg("check").ok();
}

/// `inc list`, `check`, `site build` and `stats` each name `file:line` with
/// `needle`, and the other incident stays listed.
fn every_reader_names(repo: &TestRepo, other: &str, place: &str, needle: &str) {
    let run = repo
        .inc()
        .args(["list", "--status", "all"])
        .fails()
        .stderr_has(&[place, needle]);
    assert!(run.stdout.contains(other), "{run}");
    repo.inc()
        .arg("check")
        .run()
        .code(3)
        .stdout_has(&[place, needle]);
    repo.inc()
        .args(["site", "build"])
        .fails()
        .stderr_has(&[place]);
    repo.inc().arg("stats").fails().stderr_has(&[place]);
    repo.inc().args(["show", other]).ok();
}

#[test]
fn deeply_nested_header_is_refused_at_its_line() {
    let (repo, a, b) = two_incidents();
    let header = TestRepo::header_path(&a);
    let text = repo.read(&header);
    // Block items opened on one line: no bracket to count, 100,000 deep.
    repo.write(&header, &format!("{text}x:\n{}y\n", "- ".repeat(100_000)));
    every_reader_names(
        &repo,
        &b,
        &format!("{header}:5:"),
        "nested more than 64 deep",
    );
    repo.write(&header, &format!("{text}x: {}\n", "{a: ".repeat(100_000)));
    every_reader_names(
        &repo,
        &b,
        &format!("{header}:4:"),
        "nested more than 64 deep",
    );
}

#[test]
fn huge_header_of_unknown_keys_is_refused() {
    let (repo, a, b) = two_incidents();
    let header = TestRepo::header_path(&a);
    let mut text = repo.read(&header);
    // 20 MB of unknown keys: read no further than the cap, parse nothing.
    while text.len() < 20 << 20 {
        text.push_str(&format!("unknown_key_{}: some value\n", text.len()));
    }
    repo.write(&header, &text);
    every_reader_names(&repo, &b, &header, "larger than 1 MB");
    // Many small items under the cap are bounded too (what the parser
    // builds of each is a few hundred bytes).
    let text = repo.read(TestRepo::header_path(&b));
    repo.write(&header, &format!("{text}x: [{}a]\n", "a,".repeat(400_000)));
    every_reader_names(&repo, &b, &format!("{header}:4:"), "more than 65536 keys");
}

#[test]
fn duplicate_key_is_reported_on_its_own_line() {
    let (repo, a, b) = two_incidents();
    let header = TestRepo::header_path(&a);
    let text = repo.read(&header);
    repo.write(
        &header,
        &format!("{text}summary: one\n# a comment\nsummary: two\n"),
    );
    every_reader_names(
        &repo,
        &b,
        &format!("{header}:6:"),
        "`summary` is set twice (first on line 4)",
    );
    repo.inc()
        .args(["show", &a])
        .fails()
        .stderr_has(&["hint: keep one of the two lines"]);
}

#[test]
fn unquoted_colon_hints_to_quote_the_value() {
    let (repo, a, b) = two_incidents();
    let header = TestRepo::header_path(&a);
    let text = repo.read(&header);
    repo.write(
        &header,
        &format!("{text}summary: the cause: a bad deploy\n"),
    );
    every_reader_names(&repo, &b, &format!("{header}:4:"), "unquoted value");
    let run = repo
        .inc()
        .args(["show", &a])
        .fails()
        .stderr_has(&["hint: quote the value"]);
    assert!(!run.stderr.contains("mapping values"), "{run}");
}

#[test]
fn errors_never_quote_a_file_beyond_the_offending_line() {
    let (repo, a, b) = two_incidents();
    let header = TestRepo::header_path(&a);
    // Not a header at all, but one long string: a file copied over it.
    repo.write(
        &header,
        "root:x:0:0:root:/root:/bin/bash\nsecret-two\nsecret-three\n",
    );
    let run = repo.inc().args(["show", &a]).fails().stderr_has(&[&header]);
    assert!(!run.stderr.contains("secret"), "{run}");
    let run = repo.inc().arg("check").run().code(3);
    assert!(!run.stdout.contains("secret"), "{run}");
    // A value spanning lines is not repeated either.
    let text = repo.read(TestRepo::header_path(&b));
    repo.write(
        &header,
        &format!("{text}private: \"secret-one\n  secret-two\"\n"),
    );
    let run = repo
        .inc()
        .args(["show", &a])
        .fails()
        .stderr_has(&[&format!("{header}:4:")]);
    assert!(!run.stderr.contains("secret"), "{run}");
}

#[cfg(unix)]
#[test]
fn symlinked_incident_and_year_folders_are_refused_by_name() {
    let (repo, a, b) = two_incidents();
    // The year folder moved away and linked back: not "No open incidents".
    fs::rename(repo.path("incidents/2026"), repo.path("elsewhere")).unwrap();
    std::os::unix::fs::symlink("../elsewhere", repo.path("incidents/2026")).unwrap();
    let run = repo.inc().arg("list").fails().stderr_has(&[
        "incidents/2026",
        "symbolic link",
        "hint: replace the link",
    ]);
    assert!(!run.stdout.contains("No open incidents"), "{run}");
    repo.inc()
        .arg("check")
        .run()
        .code(3)
        .stdout_has(&["incidents/2026", "symbolic link"]);
    fs::remove_file(repo.path("incidents/2026")).unwrap();
    fs::rename(repo.path("elsewhere"), repo.path("incidents/2026")).unwrap();
    // One incident folder linked: named, and the other still listed.
    fs::rename(
        repo.path(TestRepo::incident_dir(&a)),
        repo.path("moved-away"),
    )
    .unwrap();
    std::os::unix::fs::symlink(
        repo.path("moved-away"),
        repo.path(TestRepo::incident_dir(&a)),
    )
    .unwrap();
    let run = repo
        .inc()
        .arg("list")
        .fails()
        .stderr_has(&[&TestRepo::incident_dir(&a), "symbolic link"]);
    assert!(run.stdout.contains(&b), "{run}");
}

#[cfg(unix)]
#[test]
fn symlinked_header_is_refused_without_quoting_its_target() {
    let (repo, a, b) = two_incidents();
    repo.write("secret.txt", "secret-line-one\nsecret-line-two: x\n");
    let header = TestRepo::header_path(&a);
    fs::remove_file(repo.path(&header)).unwrap();
    std::os::unix::fs::symlink(repo.path("secret.txt"), repo.path(&header)).unwrap();
    for run in [
        repo.inc().args(["show", &a]).fails(),
        repo.inc().args(["list"]).fails(),
        repo.inc().args(["site", "build"]).fails(),
    ] {
        assert!(run.stderr.contains(&header), "{run}");
        assert!(run.stderr.contains("symbolic link"), "{run}");
        assert!(!run.stderr.contains("secret-line"), "{run}");
        assert!(!run.stdout.contains("secret-line"), "{run}");
    }
    let run = repo.inc().arg("check").run().code(3);
    assert!(!run.stdout.contains("secret-line"), "{run}");
    repo.inc().args(["show", &b]).ok();
}

#[test]
fn same_id_in_two_year_folders_is_an_error() {
    let (repo, a, b) = two_incidents();
    let copy = format!("incidents/2025/{a}");
    for file in ["incident.yaml", "timeline.yaml"] {
        repo.write(
            format!("{copy}/{file}"),
            &repo.read(format!("{}/{file}", TestRepo::incident_dir(&a))),
        );
    }
    let run = repo
        .inc()
        .args(["list", "--status", "all", "--json"])
        .fails()
        .stderr_has(&[&copy, "year folder `2025`", "hint: move it"]);
    let listed: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
    let ids: Vec<&str> = listed.iter().filter_map(|i| i["id"].as_str()).collect();
    assert_eq!(ids.iter().filter(|id| **id == a).count(), 1, "{run}");
    assert!(ids.contains(&b.as_str()), "{run}");
    repo.inc()
        .args(["site", "build"])
        .fails()
        .stderr_has(&[&copy]);
    assert!(!repo.exists("site/index.html"), "nothing published");
    repo.inc()
        .arg("check")
        .run()
        .code(3)
        .stdout_has(&[&copy, "year folder `2025`"]);
}

#[test]
fn bad_reopen_window_fails_check_and_every_command_at_its_line() {
    let repo = TestRepo::with_config("name: Acme\nalerts:\n  reopen_window: 1.5h\n");
    repo.inc()
        .arg("check")
        .run()
        .code(3)
        .stdout_has(&["inc.yaml:3:", "`1.5h` is not a duration"]);
    repo.inc()
        .arg("list")
        .fails()
        .stderr_has(&["inc.yaml:3:", "reopen_window"]);
    repo.inc()
        .args(["alert", "-"])
        .stdin(include_str!("../fixtures/alerts/alertmanager-firing.json"))
        .fails()
        .stderr_has(&["inc.yaml:3:", "reopen_window"]);
}

#[test]
fn events_far_in_the_future_fail_check() {
    let (repo, a, _) = two_incidents();
    repo.append(
        TestRepo::timeline_path(&a),
        &line(
            "9999-12-31T23:59:59Z",
            "bob",
            "\"type\":\"update\",\"text\":\"fixed\"",
        ),
    );
    repo.inc().arg("check").run().code(3).stdout_has(&[
        &format!("{}:3:", TestRepo::timeline_path(&a)),
        "9999-12-31T23:59:59Z",
        "more than a day after now",
    ]);
}

#[test]
fn header_mistakes_made_by_hand_are_flagged_by_check() {
    let (repo, a, _) = two_incidents();
    let header = TestRepo::header_path(&a);
    let text = repo.read(&header);
    repo.write(
        &header,
        &format!("{text}Private: true\nstatus: fixed\nseverity: SEV9\nticket: OPS-12\n"),
    );
    let run = repo.inc().arg("check").run().code(3).stdout_has(&[
        &format!("{header}:4: error: unknown key `Private`"),
        "did you mean `private`?",
        &format!("{header}:5: error: `status` is not a header key"),
        &format!("{header}:6: error: `severity` is not a header key"),
    ]);
    assert!(
        !run.stdout.contains("ticket"),
        "an unknown key of its own is fine:\n{run}"
    );
    // A list item indented into the value above it.
    repo.write(&header, &format!("{text}services:\n  - api\n   - web\n"));
    repo.inc().arg("check").run().code(3).stdout_has(&[&format!(
        "{header}:6: error: this list item is indented deeper than the value on line 5"
    )]);
}

/// `inc alert -` with `text`, expecting success; returns the ID printed.
fn send(repo: &TestRepo, text: &str) -> String {
    let run = repo.inc().args(["alert", "-"]).stdin(text).ok();
    run.stdout.trim_end().to_owned()
}

#[test]
fn pagerduty_dedup_key_equal_to_a_group_key_is_another_group() {
    let repo = TestRepo::new();
    let am = send(&repo, &fixture_text("alertmanager-firing.json"));
    let group_key = r#"{}/{severity=\"critical\"}:{alertname=\"HighErrorRate\"}"#;
    let pd = fixture_text("pagerduty-trigger.json").replace(
        "\"dedup_key\": \"srv01/mysql-replication-lag\"",
        &format!("\"dedup_key\": \"{group_key}\""),
    );
    let pd_id = send(&repo, &pd);
    assert_ne!(pd_id, am, "the PagerDuty event opened its own incident");
    assert_eq!(repo.show(&pd_id).labels["alert_source"], "pagerduty");
    // Each source's next event goes to its own incident.
    assert_eq!(send(&repo, &pd), pd_id);
    assert_eq!(
        send(&repo, &fixture_text("alertmanager-firing-more.json")),
        am
    );
}

#[test]
fn alert_group_labelled_by_an_earlier_inc_is_still_found() {
    let repo = TestRepo::new();
    // A header as an earlier inc wrote it, and one labelled by hand with
    // the key alone: alerts from the source still go to them.
    let id = repo.open_with(
        "Old group",
        "SEV2",
        &[
            "--label",
            "alert_group=srv01/mysql-replication-lag",
            "--label",
            "alert_source=pagerduty",
        ],
    );
    assert_eq!(send(&repo, &fixture_text("pagerduty-trigger.json")), id);
    let group_key = r#"{}/{severity="critical"}:{alertname="HighErrorRate"}"#;
    let by_hand = repo.open_with(
        "By hand",
        "SEV2",
        &["--label", &format!("alert_group={group_key}")],
    );
    assert_eq!(
        send(&repo, &fixture_text("alertmanager-firing.json")),
        by_hand
    );
}

#[test]
fn alert_keys_with_control_characters_are_refused() {
    let repo = TestRepo::new();
    let clean = send(&repo, &fixture_text("alertmanager-firing.json"));
    let before = repo.state();
    // The same group key with a NUL in it: once, it was cleaned into the
    // first group's key and landed in its incident.
    let evil = fixture_text("alertmanager-firing.json").replacen(
        "\"groupKey\": \"{}",
        "\"groupKey\": \"{\\u0000}",
        1,
    );
    repo.inc()
        .args(["alert", "-"])
        .stdin(evil)
        .fails()
        .stderr_has(&["`groupKey` holds a control character (U+0000)", "hint:"]);
    let evil = fixture_text("pagerduty-trigger.json").replace("srv01/", "srv01/\\u001b");
    repo.inc()
        .args(["alert", "-"])
        .stdin(evil)
        .fails()
        .stderr_has(&["`dedup_key` holds a control character (U+001B)"]);
    repo.assert_unchanged(&before);
    repo.inc().args(["show", &clean]).ok();
}
