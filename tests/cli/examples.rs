//! The shipped example incidents (`incidents/` and `inc.yaml` at the
//! project's root) as fixtures: every one loads, the fold gives the states
//! the demo script meant, and the list and pages are snapshotted.

use serde_json::Value;

use crate::harness::{LATER, TestRepo, each_row};

#[test]
fn every_example_loads_cleanly() {
    let repo = TestRepo::examples();
    let run = repo.inc().now(LATER).args(["list", "--status", "all"]).ok();
    assert_eq!(run.stderr, "", "no file is skipped");
    let all: Vec<Value> = serde_json::from_str(
        &repo
            .inc()
            .now(LATER)
            .args(["list", "--status", "all", "--json"])
            .ok()
            .stdout,
    )
    .unwrap();
    assert!((6..=8).contains(&all.len()), "{} examples", all.len());
    let statuses: Vec<&str> = all.iter().map(|i| i["status"].as_str().unwrap()).collect();
    for wanted in ["investigating", "monitoring", "resolved", "declined"] {
        assert!(
            statuses.contains(&wanted),
            "no {wanted} example: {statuses:?}"
        );
    }
    let severities: Vec<&str> = all
        .iter()
        .map(|i| i["severity"].as_str().unwrap())
        .collect();
    for wanted in ["SEV1", "SEV2", "SEV3", "SEV4"] {
        assert!(
            severities.contains(&wanted),
            "no {wanted} example: {severities:?}"
        );
    }
    assert!(
        all.iter().any(|i| i["private"] == true),
        "no private example"
    );
    // Every example is in order: started ≤ opened ≤ acknowledged ≤ mitigated ≤ resolved.
    for i in &all {
        let times: Vec<&str> = [
            "started_at",
            "opened_at",
            "acknowledged_at",
            "mitigated_at",
            "resolved_at",
        ]
        .iter()
        .filter_map(|k| i[*k].as_str())
        .collect();
        let mut sorted = times.clone();
        sorted.sort();
        assert_eq!(times, sorted, "{} is out of order", i["id"]);
        assert!(
            i["roles"]["commander"].is_string(),
            "{} has no commander",
            i["id"]
        );
    }
}

#[test]
fn one_example_has_a_long_timeline() {
    let repo = TestRepo::examples();
    let longest = repo
        .list_ids(&["--status", "all"])
        .iter()
        .map(|id| repo.timeline(id).len())
        .max()
        .unwrap();
    assert!(longest >= 40, "the longest example has {longest} events");
}

#[test]
fn json_of_an_example() {
    let repo = TestRepo::examples();
    let run = repo
        .inc()
        .now(LATER)
        .args(["show", "2026-11-19", "--json"])
        .ok();
    let value: Value = serde_json::from_str(&run.stdout).unwrap();
    insta::assert_json_snapshot!(value);
}

/// What the read commands print for the examples, snapshotted one row
/// each (the snapshot is named after the row).
#[test]
fn the_examples_as_read_commands_print_them() {
    let rows: &[(&str, &[&str])] = &[
        ("list_of_the_examples", &["list", "--status", "all"]),
        ("page_of_the_long_example", &["show", "2026-10-14"]),
        (
            "timeline_of_an_example_as_markdown",
            &["timeline", "2026-11-03", "--format", "markdown"],
        ),
        (
            "public_timeline_of_an_example",
            &["timeline", "2026-11-03", "--public"],
        ),
    ];
    each_row(rows, |name, args| {
        let repo = TestRepo::examples();
        let run = repo.inc().now(LATER).args(*args).ok();
        insta::assert_snapshot!(name, run.snapshot(&repo));
    });
}
