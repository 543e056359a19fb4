//! Hostile and mistaken files (issue 11): each finding as the real binary
//! meets it. Every broken or mistaken file gets a clear error naming its
//! file and line, without a panic, a hang or unbounded memory, and every
//! other incident stays usable.

use crate::harness::TestRepo;

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
    // builds of each is ~150 bytes).
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
