//! `inc check`: a clean repository exits 0; each kind of problem exits 3
//! naming the file and line; warnings are reported and exit 0; the three
//! output formats are snapshotted.

use std::fs;

use crate::harness::{CheckReport, LATER, Run, TestRepo, each_row};

const ID: &str = "2026-11-27-checkout-returns-500s";

/// A repository with one open SEV3 incident (`ID`), commander alice.
fn one_incident() -> TestRepo {
    let repo = TestRepo::new();
    assert_eq!(repo.open("Checkout returns 500s", "SEV3"), ID);
    repo
}

fn timeline() -> String {
    TestRepo::timeline_path(ID)
}

fn header() -> String {
    TestRepo::header_path(ID)
}

/// Appends one event line at 12:30 to `ID`'s timeline.
fn append_event(repo: &TestRepo, fields: &str) {
    repo.append(
        timeline(),
        &format!("- {{\"at\":\"2026-11-27T12:30:00Z\",\"by\":\"bob\",{fields}}}\n"),
    );
}

/// Runs `inc check`, expects exit 3 and exactly one error, of `rule`, at
/// `file:line`; returns the run.
#[track_caller]
fn one_error(repo: &TestRepo, rule: &str, file: &str, line: usize) -> Run {
    let run = repo.inc().arg("check").run().code(3);
    let place = format!("{file}:{line}: error: ");
    assert!(run.stdout.contains(&place), "no error at {place}\n{run}");
    let report = repo.check_report(3);
    assert_eq!(report.errors, 1, "{report:#?}");
    assert_eq!(
        (
            report.findings[0].rule.as_str(),
            report.findings[0].file.as_str(),
            report.findings[0].line
        ),
        (rule, file, line),
        "{report:#?}"
    );
    assert!(run.stderr.contains("1 error"), "{run}");
    run
}

/// Runs `inc check`, expects exit 0 and exactly one warning, of `rule`, at
/// `file:line`.
#[track_caller]
fn one_warning(repo: &TestRepo, rule: &str, file: &str, line: usize) -> Run {
    let run = repo.inc().arg("check").ok();
    let place = format!("{file}:{line}: warning: ");
    assert!(run.stdout.contains(&place), "no warning at {place}\n{run}");
    let report = repo.check_report(0);
    assert_eq!((report.errors, report.warnings), (0, 1), "{report:#?}");
    assert_eq!(report.findings[0].rule, rule, "{report:#?}");
    assert!(
        run.stderr.contains("0 errors, 1 warning in 1 incident"),
        "{run}"
    );
    run
}

// ----- clean -----

#[test]
fn clean_repository_exits_0() {
    let repo = TestRepo::new();
    let run = repo.inc().arg("check").ok();
    assert_eq!(run.stderr, "inc check: 0 incidents, no problems\n");
    repo.open("Checkout returns 500s", "SEV2");
    repo.inc()
        .args(["resolve", "--summary", "rolled back"])
        .ok();
    repo.open_with("Search is slow", "SEV3", &["--service", "search"]);
    let run = repo.inc().arg("check").ok();
    insta::assert_snapshot!(run.snapshot(&repo));
    let report = repo.check_report(0);
    assert_eq!(
        (report.errors, report.warnings, report.incidents),
        (0, 0, 2)
    );
    assert_eq!(report.findings, []);
    // -q leaves only the findings, of which there are none.
    let run = repo.inc().args(["check", "-q"]).ok();
    assert_eq!((run.stdout.as_str(), run.stderr.as_str()), ("", ""));
}

/// The shipped examples are well-formed. Their only errors are the two
/// reviews the demo never wrote (a SEV1 and a SEV2, resolved weeks ago);
/// their warnings are follow-up actions past due. With the two postmortems
/// written, the check passes.
#[test]
fn the_shipped_examples() {
    let repo = TestRepo::examples();
    // Clean but for follow-ups that really are past due.
    let run = repo
        .inc()
        .now(LATER)
        .args(["check", "--format", "json"])
        .ok();
    let report: CheckReport = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report.errors, 0, "{report:#?}");
    assert!(report.warnings > 0, "{report:#?}");
    assert!(
        report
            .findings
            .iter()
            .all(|f| f.severity == "warning" && f.rule == "action-overdue"),
        "{report:#?}"
    );
    let run = repo.inc().now(LATER).arg("check").ok();
    insta::assert_snapshot!(run.snapshot(&repo));

    // Without its postmortem, the SEV1 is an overdue review.
    let id = "2026-10-14-checkout-and-sign-in-failing-after";
    repo.git(&[
        "rm",
        "-q",
        &format!("{}/postmortem.md", TestRepo::incident_dir(id)),
    ]);
    let run = repo
        .inc()
        .now(LATER)
        .args(["check", "--format", "json"])
        .run()
        .code(3);
    let report: CheckReport = serde_json::from_str(&run.stdout).unwrap();
    let errors: Vec<(&str, &str)> = report
        .findings
        .iter()
        .filter(|f| f.severity == "error")
        .map(|f| (f.rule.as_str(), f.file.as_str()))
        .collect();
    assert_eq!(
        errors,
        [(
            "postmortem-overdue",
            "incidents/2026/2026-10-14-checkout-and-sign-in-failing-after/incident.yaml"
        )],
        "{report:#?}"
    );
}

// ----- errors: one test (or table row) per rule -----

/// A line appended to a timeline of two lines is one error, of a rule, on
/// line 3, whose message says what is wrong.
#[test]
fn an_appended_timeline_line_is_one_error() {
    /// The line, its rule, what the message says.
    type Row = (&'static str, &'static str, &'static [&'static str]);
    let rows: &[(&str, Row)] = &[
        (
            "a_line_that_is_not_an_event",
            ("<<<<<<< HEAD", "event-syntax", &["expected a line"]),
        ),
        (
            "an_event_missing_a_field",
            (
                r#"- {"at":"2026-11-27T12:30:00Z","by":"bob","type":"note"}"#,
                "event-syntax",
                &["a `note` event needs `text`"],
            ),
        ),
        (
            "an_event_with_a_bad_timestamp",
            (
                r#"- {"at":"27/11/2026 13:00","by":"bob","type":"ack"}"#,
                "event-syntax",
                &["RFC 3339"],
            ),
        ),
        (
            "an_unknown_event_type",
            (
                r#"- {"at":"2026-11-27T12:30:00Z","by":"bob","type":"nte","text":"typo"}"#,
                "event-type",
                &["unknown event type `nte`"],
            ),
        ),
        (
            "an_unknown_severity",
            (
                r#"- {"at":"2026-11-27T12:30:00Z","by":"bob","type":"severity","severity":"P1"}"#,
                "unknown-severity",
                &["unknown severity `P1`", "`SEV1`"],
            ),
        ),
        (
            "an_unknown_status",
            (
                r#"- {"at":"2026-11-27T12:30:00Z","by":"bob","type":"status","status":"fixed"}"#,
                "unknown-status",
                &["unknown status `fixed`"],
            ),
        ),
        (
            "a_maintenance_status_on_an_incident",
            (
                r#"- {"at":"2026-11-27T12:30:00Z","by":"bob","type":"status","status":"in_progress"}"#,
                "unknown-status",
                &["not a status of an incident"],
            ),
        ),
        (
            "an_unknown_role",
            (
                r#"- {"at":"2026-11-27T12:30:00Z","by":"bob","type":"role","role":"captain","who":"bob"}"#,
                "unknown-role",
                &["unknown role `captain`"],
            ),
        ),
        (
            "an_event_before_the_incident_was_opened",
            (
                r#"- {"at":"2026-11-27T11:00:00Z","by":"bob","type":"note","text":"early"}"#,
                "time-order",
                &["before the incident was opened"],
            ),
        ),
        (
            "a_bad_due_date",
            (
                r#"- {"at":"2026-11-27T12:30:00Z","by":"bob","type":"action","id":1,"text":"add an alert","owner":"bob","due":"soon","link":null}"#,
                "action-due",
                &[],
            ),
        ),
    ];
    each_row(rows, |_, &(line, rule, says)| {
        let repo = one_incident();
        repo.append(timeline(), &format!("{line}\n"));
        one_error(&repo, rule, &timeline(), 3).stdout_has(says);
    });
}

#[test]
fn an_unknown_service() {
    let repo = TestRepo::with_config("services:\n  - id: api\n  - id: web\n");
    repo.open_with("Checkout returns 500s", "SEV3", &["--service", "api"]);
    let text = repo.read(header()).replace("- api", "- api\n- paymnts");
    repo.write(header(), &text);
    let run = one_error(&repo, "unknown-service", &header(), 4);
    assert!(run.stdout.contains("unknown service `paymnts`"), "{run}");
    assert!(run.stdout.contains("`api`, `web`"), "{run}");
}

#[test]
fn a_header_that_does_not_parse() {
    let repo = one_incident();
    let text = repo
        .read(header())
        .replace("opened_by: alice", "opened_by: [alice");
    repo.write(header(), &text);
    let run = one_error(&repo, "header", &header(), 3);
    assert!(run.stdout.contains("not a valid incident header"), "{run}");
}

#[test]
fn a_header_with_a_bad_value() {
    let repo = one_incident();
    repo.append(header(), "kind: outage\n");
    let run = one_error(&repo, "header", &header(), 4);
    assert!(run.stdout.contains("outage"), "{run}");
}

#[test]
fn unknown_header_keys_are_fine() {
    let repo = one_incident();
    repo.append(header(), "ticket: OPS-12\n");
    repo.inc().arg("check").ok();
}

#[test]
fn impact_starting_after_detection() {
    let repo = one_incident();
    let text = repo
        .read(header())
        .replace("opened_at:", "started_at: 2026-11-27T12:10:00Z\nopened_at:");
    repo.write(header(), &text);
    let run = one_error(&repo, "time-order", &header(), 2);
    assert!(run.stdout.contains("`started_at`"), "{run}");
}

#[test]
fn a_timeline_not_starting_with_opened() {
    let repo = one_incident();
    let text = repo.read(timeline());
    let mut lines: Vec<&str> = text.lines().collect();
    lines.swap(0, 1); // the commander line (same time) above `opened`
    repo.write(timeline(), &(lines.join("\n") + "\n"));
    one_error(&repo, "time-order", &timeline(), 1);
}

#[test]
fn two_opened_events() {
    let repo = one_incident();
    append_event(
        &repo,
        "\"type\":\"opened\",\"severity\":\"SEV3\",\"status\":\"investigating\"",
    );
    let run = one_error(&repo, "opened", &timeline(), 3);
    assert!(run.stdout.contains("second `opened`"), "{run}");
    // An exact duplicate line, as a union merge may leave, is not a second one.
    let repo = one_incident();
    let first = repo.read(timeline()).lines().next().unwrap().to_owned();
    repo.append(timeline(), &format!("{first}\n"));
    repo.inc().arg("check").ok();
}

#[test]
fn no_opened_event() {
    let repo = one_incident();
    let text = repo.read(timeline());
    let rest: Vec<&str> = text.lines().skip(1).collect();
    repo.write(timeline(), &(rest.join("\n") + "\n"));
    let run = one_error(&repo, "opened", &timeline(), 1);
    assert!(run.stdout.contains("no `opened` event"), "{run}");
}

#[test]
fn a_folder_name_that_is_not_an_id() {
    let repo = one_incident();
    let dir = "incidents/2026/Checkout-Errors";
    fs::rename(repo.path(TestRepo::incident_dir(ID)), repo.path(dir)).unwrap();
    let run = one_error(&repo, "id", &format!("{dir}/incident.yaml"), 1);
    assert!(run.stdout.contains("not an incident ID"), "{run}");
}

#[test]
fn a_folder_in_the_wrong_year() {
    let repo = one_incident();
    let dir = format!("incidents/2025/{ID}");
    fs::create_dir_all(repo.path("incidents/2025")).unwrap();
    fs::rename(repo.path(TestRepo::incident_dir(ID)), repo.path(&dir)).unwrap();
    let run = one_error(&repo, "id", &format!("{dir}/incident.yaml"), 1);
    assert!(run.stdout.contains("move it to incidents/2026/"), "{run}");
}

#[test]
fn a_folder_missing_a_file() {
    let repo = one_incident();
    fs::remove_file(repo.path(header())).unwrap();
    let run = one_error(&repo, "missing-file", &header(), 1);
    assert!(run.stdout.contains("missing"), "{run}");
    let repo = one_incident();
    fs::remove_file(repo.path(timeline())).unwrap();
    one_error(&repo, "missing-file", &timeline(), 1);
}

#[test]
fn a_file_that_is_not_text() {
    let repo = one_incident();
    fs::write(repo.path(timeline()), [0xff, 0xfe, b'\n']).unwrap();
    let run = one_error(&repo, "unreadable", &timeline(), 1);
    assert!(run.stdout.contains("not UTF-8"), "{run}");
}

#[test]
fn an_overdue_postmortem() {
    let repo = TestRepo::new();
    repo.open("Checkout returns 500s", "SEV2");
    repo.inc().args(["resolve"]).ok();
    // Due 7 days after resolution (2026-11-27T12:00:00Z).
    repo.inc().now("2026-12-04T12:00:00Z").arg("check").ok();
    let run = repo
        .inc()
        .now("2026-12-04T12:00:01Z")
        .arg("check")
        .run()
        .code(3);
    assert!(
        run.stdout
            .starts_with(&format!("{}:1: error: postmortem overdue", header())),
        "{run}"
    );
    assert!(
        run.stdout.contains(&format!("inc postmortem {ID}")),
        "{run}"
    );
    // `due_days` is configurable; an optional severity needs none.
    repo.write("inc.yaml", "postmortem:\n  due_days: 30\n");
    repo.inc().now("2026-12-04T12:00:01Z").arg("check").ok();
    repo.write("inc.yaml", "");
    repo.inc().args(["severity", ID, "SEV3"]).ok();
    repo.inc().now("2026-12-04T12:00:01Z").arg("check").ok();
    // A postmortem, even a draft, ends the error.
    repo.inc().args(["severity", ID, "SEV1"]).ok();
    repo.inc()
        .now("2026-12-04T12:00:01Z")
        .arg("check")
        .run()
        .code(3);
    repo.write(
        format!("{}/postmortem.md", TestRepo::incident_dir(ID)),
        "# Postmortem\n\nWritten.\n",
    );
    repo.inc().now("2026-12-04T12:00:01Z").arg("check").ok();
}

/// `inc.yaml` is read before any command runs, `inc check` too: a broken
/// one stops it with exit 1, naming the file, line and key.
#[test]
fn a_broken_inc_yaml_is_a_finding_and_the_rest_is_still_checked() {
    let repo = one_incident();
    repo.write("inc.yaml", "name: Acme\nsevrities: []\n");
    // The incidents are checked against the default configuration…
    let run = repo.inc().arg("check").run().code(3);
    assert!(run.stdout.contains("inc.yaml:2: error: "), "{run}");
    assert!(run.stdout.contains("`sevrities`"), "{run}");
    let report = repo.check_report(3);
    assert_eq!(report.errors, 1, "{report:#?}");
    assert_eq!(report.findings[0].file, "inc.yaml");
    assert_eq!(report.findings[0].line, 2);
    // …and other commands still refuse to run on it.
    repo.inc()
        .args(["list"])
        .fails()
        .stderr_has(&["inc.yaml:2:", "`sevrities`"]);
}

// ----- warnings: reported, exit 0 -----

#[test]
fn an_open_incident_without_a_commander() {
    let repo = one_incident();
    repo.inc()
        .args(["assign", ID, "commander", "--unassign"])
        .ok();
    let run = one_warning(&repo, "no-commander", &timeline(), 3);
    assert!(run.stdout.contains("no commander"), "{run}");
    // Resolved, it needs none.
    repo.inc().args(["resolve", ID]).ok();
    let run = repo.inc().arg("check").ok();
    assert_eq!(run.stdout, "");
}

#[test]
fn an_action_past_due() {
    let repo = one_incident();
    append_event(
        &repo,
        "\"type\":\"action\",\"id\":1,\"text\":\"add an alert\",\"owner\":\"bob\",\"due\":\"2026-11-26\",\"link\":null",
    );
    append_event(
        &repo,
        "\"type\":\"action\",\"id\":2,\"text\":\"due today\",\"owner\":\"bob\",\"due\":\"2026-11-27\",\"link\":null",
    );
    let run = one_warning(&repo, "action-overdue", &timeline(), 3);
    assert!(
        run.stdout.contains("action #1 is past due (2026-11-26)"),
        "{run}"
    );
    append_event(&repo, "\"type\":\"action_done\",\"id\":1");
    let run = repo.inc().arg("check").ok();
    assert_eq!(run.stdout, "");
}

#[test]
fn a_postmortem_with_placeholders() {
    let repo = one_incident();
    repo.write(
        format!("{}/postmortem.md", TestRepo::incident_dir(ID)),
        "# Postmortem\n\n<!-- Replace each `> TODO:` line.\n> TODO: not this one -->\n\
         ## Summary\n\n> TODO: Summarise what happened.\n",
    );
    let path = format!("{}/postmortem.md", TestRepo::incident_dir(ID));
    let run = one_warning(&repo, "postmortem-placeholder", &path, 7);
    assert!(run.stdout.contains("Summarise what happened"), "{run}");
}

#[test]
fn blaming_language_in_a_postmortem() {
    let repo = one_incident();
    let path = format!("{}/postmortem.md", TestRepo::incident_dir(ID));
    repo.write(
        &path,
        "# Postmortem\n\n<!-- Keep it blameless: no \"human error\". -->\n\
         Our blameless review found a gap in the deploy checks.\n\
         The outage was Bob's fault: human error.\n",
    );
    let run = one_warning(&repo, "blame", &path, 5);
    assert!(run.stdout.contains("\"human error\""), "{run}");
    // Configurable.
    repo.write("inc.yaml", "postmortem:\n  blame_words: [gap]\n");
    let run = one_warning(&repo, "blame", &path, 4);
    assert!(run.stdout.contains("\"gap\""), "{run}");
}

// ----- formats -----

/// One incident with an error and three warnings, and a misnamed folder whose
/// path needs escaping in GitHub annotations.
fn problems() -> TestRepo {
    let repo = one_incident();
    append_event(&repo, "\"type\":\"severity\",\"severity\":\"P1\"");
    append_event(
        &repo,
        "\"type\":\"action\",\"id\":1,\"text\":\"add an alert\",\"owner\":\"bob\",\"due\":\"2026-11-20\",\"link\":null",
    );
    repo.write(
        format!("{}/postmortem.md", TestRepo::incident_dir(ID)),
        "# Postmortem\n\n> TODO: what failed for 100% of users\nIt was human error,\nreally.\n",
    );
    let odd = "incidents/2026/a,b:c";
    repo.write(format!("{odd}/incident.yaml"), "title: x\n");
    repo
}

#[test]
fn text_format() {
    let repo = problems();
    let run = repo.inc().arg("check").run().code(3);
    insta::assert_snapshot!(run.snapshot(&repo));
}

#[test]
fn github_format() {
    let repo = problems();
    let run = repo
        .inc()
        .args(["check", "--format", "github"])
        .run()
        .code(3);
    insta::assert_snapshot!(run.snapshot(&repo));
    assert!(
        run.stdout
            .contains("::error file=incidents/2026/a%2Cb%3Ac/incident.yaml,line=1::"),
        "{run}"
    );
    assert!(run.stdout.contains("for 100%25 of users"), "{run}");
}

#[test]
fn json_format() {
    let repo = problems();
    let run = repo.inc().args(["check", "--format", "json"]).run().code(3);
    insta::assert_snapshot!(run.snapshot(&repo));
    let report: CheckReport = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        (report.errors, report.warnings, report.incidents),
        (4, 3, 2),
        "{report:#?}"
    );
    // Every finding points at a real line of a real file, by a `/` path
    // relative to the repository (but a missing file's, which is line 1).
    for f in &report.findings {
        assert!(!f.file.contains('\\'), "{f:?}");
        if f.rule == "missing-file" {
            assert!(!repo.exists(&f.file) && f.line == 1, "{f:?}");
        } else {
            let lines = repo.read(&f.file).lines().count();
            assert!(
                (1..=lines).contains(&f.line),
                "not a line of the file: {f:?}"
            );
        }
    }
}

/// A typo in a postmortem's front matter would quietly keep the review
/// off the status page: `inc check` says so, at the line.
#[test]
fn a_postmortem_front_matter_that_does_not_read_is_a_warning() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    let path = format!("{}/postmortem.md", TestRepo::incident_dir(&id));
    repo.write(
        &path,
        "---\npublic: ture\n---\n# Postmortem\n\n## Summary <!-- public -->\nText.\n",
    );
    let out = repo.inc().arg("check").ok();
    assert!(
        out.stdout
            .contains(&format!("{path}:2: warning: the front matter doesn't read")),
        "{out}"
    );
    assert!(
        out.stdout.contains("publishes none of this postmortem"),
        "{out}"
    );
    repo.write(&path, "---\npublic: true\n---\n# Postmortem\n");
    let out = repo.inc().arg("check").ok();
    assert!(!out.stdout.contains("front matter"), "{out}");
}
