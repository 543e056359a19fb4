//! Duplicates of one alert group: two clones' jobs open the group at once,
//! `inc check` warns, `inc alert` routes to the oldest open incident, and
//! `inc merge DUP --into KEEP` ends the duplicate in one commit.

use crate::harness::{FindingJson, TestRepo, fixture};

const GROUP: &str = "{}/{severity=\"critical\"}:{alertname=\"HighErrorRate\"}";
/// The ID `inc alert` gives the firing fixture's incident.
const KEEP: &str = "2026-11-27-checkout-5xx-rate-above-5";
/// The same ID in the second clone, renamed as `inc sync` renames a clash.
const DUP: &str = "2026-11-27-checkout-5xx-rate-above-5-2";

fn duplicate_findings(repo: &TestRepo) -> Vec<FindingJson> {
    repo.check_report(0)
        .findings
        .into_iter()
        .filter(|f| f.rule == "duplicate")
        .collect()
}

/// The 1-based line of `alert_group:` in an incident's header.
fn group_line(repo: &TestRepo, id: &str) -> usize {
    repo.read(TestRepo::header_path(id))
        .lines()
        .position(|l| l.trim_start().starts_with("alert_group:"))
        .expect("an alert_group label")
        + 1
}

/// Two clones of one repository; each one's alert job ingests the firing
/// group (the first at 12:00:00, the second at `second`), so each opens an
/// incident for it with the same ID. The second clone's is renamed `-2`, as
/// `inc sync` renames a clash, and the first pulls it. Returns both clones;
/// the first holds KEEP and DUP.
fn raced(second: &str) -> (TestRepo, TestRepo) {
    let a = TestRepo::new();
    let b = TestRepo::plain();
    b.git(&["clone", "-q", a.root.to_str().unwrap(), "."]);
    b.git(&["config", "user.name", "bob"]);
    b.git(&["config", "user.email", "bob@example.com"]);
    for (repo, now) in [(&a, "2026-11-27T12:00:00Z"), (&b, second)] {
        let run = repo
            .inc()
            .now(now)
            .arg("alert")
            .arg(fixture("alertmanager-firing.json"))
            .ok();
        assert_eq!(run.stdout, format!("{KEEP}\n"));
    }
    b.git(&[
        "mv",
        &TestRepo::incident_dir(KEEP),
        &TestRepo::incident_dir(DUP),
    ]);
    b.git(&["commit", "-q", "-m", "sync: rename the clashing incident"]);
    // Fetch and merge with a fixed message (a pull's names the temporary
    // path), so commit IDs in snapshots are the same on every run.
    a.git(&["fetch", "-q", b.root.to_str().unwrap(), "main"]);
    a.git(&["merge", "-q", "--no-edit", "-m", "sync", "FETCH_HEAD"]);
    let mut ids = a.list_ids(&["--status", "all"]);
    ids.sort();
    assert_eq!(ids, [KEEP, DUP]);
    assert_eq!(a.show(DUP).labels["alert_group"], GROUP);
    (a, b)
}

// ----- inc check -----

#[test]
fn check_warns_about_raced_duplicates_in_every_format() {
    let (repo, _b) = raced("2026-11-27T12:00:03Z");
    let line = group_line(&repo, DUP);
    let file = TestRepo::header_path(DUP);

    let text = repo.inc().arg("check").ok();
    insta::assert_snapshot!(text.snapshot(&repo));
    assert!(
        text.stdout
            .contains(&format!("{file}:{line}: warning: duplicate of `{KEEP}`")),
        "{text}"
    );

    let github = repo.inc().args(["check", "--format", "github"]).ok();
    assert!(
        github.stdout.contains(&format!(
            "::warning file={},line={line}::duplicate of `{KEEP}`",
            file.replace(':', "%3A")
        )),
        "{github}"
    );

    // Both also lack a commander; the duplicate is the third warning.
    assert_eq!(repo.check_report(0).warnings, 3);
    let found = duplicate_findings(&repo);
    assert_eq!(found.len(), 1, "{found:#?}");
    let f = &found[0];
    assert_eq!(
        (f.severity.as_str(), f.file.as_str(), f.line),
        ("warning", file.as_str(), line)
    );
    assert!(f.message.contains(GROUP), "{}", f.message);
    assert!(
        f.message
            .ends_with(&format!("`inc merge {DUP} --into {KEEP}` merges it")),
        "{}",
        f.message
    );
}

#[test]
fn check_warns_about_hand_labelled_duplicates_but_not_follow_ups() {
    let repo = TestRepo::new();
    let label = format!("alert_group={GROUP}");
    let first = repo.open_with(
        "Checkout errors",
        "SEV2",
        &["--label", &label, "--at", "11:00"],
    );
    let second = repo.open_with(
        "Checkout 5xx",
        "SEV2",
        &["--label", &label, "--at", "11:30"],
    );
    let found = duplicate_findings(&repo);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].file, TestRepo::header_path(&second));
    assert!(
        found[0]
            .message
            .starts_with(&format!("duplicate of `{first}`"))
    );

    // The first closed before the second was opened: no duplicate.
    let repo = TestRepo::with_config("alerts:\n  on_resolved: resolve\n  reopen_window: 30m\n");
    let old = repo
        .inc()
        .arg("alert")
        .arg(fixture("alertmanager-firing.json"))
        .ok()
        .stdout;
    repo.inc()
        .now("2026-11-27T12:10:00Z")
        .arg("alert")
        .arg(fixture("alertmanager-resolved.json"))
        .ok();
    let new = repo
        .inc()
        .now("2026-11-27T12:41:00Z")
        .arg("alert")
        .arg(fixture("alertmanager-firing.json"))
        .ok()
        .stdout;
    assert_ne!(old, new, "a new incident after the window");
    let report = repo.check_report(0);
    assert!(
        report.findings.iter().all(|f| f.rule != "duplicate"),
        "{report:#?}"
    );
}

// ----- inc alert -----

/// One incident of the group can't be read: the alert goes to the other,
/// and the warning that names the skipped one keeps the hint of the
/// error it quotes (hints are data on an error, not text in it).
#[test]
fn an_unreadable_incident_of_the_group_is_skipped_with_its_hint() {
    let repo = TestRepo::new();
    let label = format!("alert_group={GROUP}");
    let readable = repo.open_with(
        "Checkout errors",
        "SEV2",
        &["--label", &label, "--at", "11:00"],
    );
    let broken = repo.open_with(
        "Checkout again",
        "SEV2",
        &["--label", &label, "--at", "11:30"],
    );
    let timeline = TestRepo::timeline_path(&broken);
    repo.append(&timeline, "not an event\n");
    let run = repo
        .inc()
        .arg("alert")
        .arg(fixture("alertmanager-firing.json"))
        .ok();
    assert_eq!(run.stdout, format!("{readable}\n"));
    let lines: Vec<&str> = run.stderr.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with(&format!("warning: skipped {broken} of the alert group: ")))
        .unwrap_or_else(|| panic!("names the skipped incident: {run}"));
    assert!(
        lines.get(at + 1).is_some_and(|l| l.starts_with("hint: ")),
        "the error's hint follows the warning: {run}"
    );
}

#[test]
fn alerts_go_to_the_oldest_open_incident_of_the_group() {
    let repo = TestRepo::new();
    let label = format!("alert_group={GROUP}");
    // The oldest has the later ID: the choice goes by time, not by name.
    let oldest = repo.open_with(
        "Zeta checkout errors",
        "SEV2",
        &["--label", &label, "--at", "11:00"],
    );
    let newer = repo.open_with(
        "Alpha checkout errors",
        "SEV2",
        &["--label", &label, "--at", "11:30"],
    );
    assert!(newer < oldest);
    let mark = repo.mark(&oldest);
    let newer_before = repo.read(TestRepo::timeline_path(&newer));
    let run = repo
        .inc()
        .arg("alert")
        .arg(fixture("alertmanager-firing.json"))
        .ok();
    assert_eq!(run.stdout, format!("{oldest}\n"));
    insta::assert_snapshot!(run.snapshot(&repo));
    assert!(
        run.stderr.contains(&format!(
            "hint: `inc merge {newer} --into {oldest}` merges the duplicate"
        )),
        "{run}"
    );
    assert_eq!(repo.appended(&mark, &oldest).len(), 2);
    assert_eq!(repo.read(TestRepo::timeline_path(&newer)), newer_before);

    // Once the oldest is resolved, the one still open gets the alerts.
    repo.inc().args(["resolve", &oldest]).ok();
    let mark = repo.mark(&newer);
    let run = repo
        .inc()
        .arg("alert")
        .arg(fixture("alertmanager-firing-more.json"))
        .ok();
    assert_eq!(run.stdout, format!("{newer}\n"));
    assert!(!run.stderr.contains("warning"), "{run}");
    assert_eq!(repo.appended(&mark, &newer).len(), 3);
}

// ----- inc merge -----

#[test]
fn merge_moves_alerts_and_notes_into_keep_and_declines_the_duplicate() {
    let (repo, _b) = raced("2026-11-27T12:00:03Z");
    repo.inc()
        .now("2026-11-27T12:05:00Z")
        .env("INC_AUTHOR", "bob")
        .args(["note", DUP, "pods restarted"])
        .ok();
    repo.inc()
        .now("2026-11-27T12:06:00Z")
        .env("INC_AUTHOR", "bob")
        .args([
            "update",
            DUP,
            "We are looking into checkout errors.",
            "--status",
            "investigating",
        ])
        .ok();
    repo.inc()
        .now("2026-11-27T12:07:00Z")
        .env("INC_AUTHOR", "bob")
        .args(["action", "add", DUP, "Alert on retries"])
        .ok();
    let keep_before = repo.read(TestRepo::timeline_path(KEEP));
    let commits = repo.commit_count();

    // DUP by a part of its slug, KEEP by a prefix.
    let run = repo
        .inc()
        .now("2026-11-27T12:30:00Z")
        .args([
            "merge",
            "above-5-2",
            "--into",
            "2026-11-27-checkout-5xx-rate-above-5",
        ])
        .ok();
    insta::assert_snapshot!(run.snapshot(&repo));
    assert_eq!(run.stdout, format!("{KEEP}\n"));

    assert_eq!(repo.commit_count(), commits + 1);
    let mut files = vec![
        TestRepo::header_path(KEEP).replace("incident.yaml", "timeline.yaml"),
        TestRepo::header_path(DUP),
        TestRepo::timeline_path(DUP),
    ];
    files.sort();
    assert_eq!(repo.head_files(), files);
    assert_eq!(repo.git_status(), "");
    let message = repo.head_message();
    assert!(
        message.starts_with(&format!("inc({KEEP}): merge {DUP}\n")),
        "{message}"
    );
    assert_eq!(repo.head_trailer("Inc-Id"), [KEEP, DUP]);
    assert_eq!(repo.head_trailer("Inc-Event"), ["merge"]);

    // KEEP: DUP's two alerts, its note and its public update as a note,
    // with their own times and authors, then the merge note.
    let now = repo.read(TestRepo::timeline_path(KEEP));
    let added = now
        .strip_prefix(&keep_before)
        .expect("appended, not rewritten");
    let added: Vec<serde_json::Value> = added
        .lines()
        .map(|l| serde_json::from_str(l.strip_prefix("- ").unwrap()).unwrap())
        .collect();
    let summary: Vec<(&str, &str, &str)> = added
        .iter()
        .map(|e| {
            (
                e["at"].as_str().unwrap(),
                e["by"].as_str().unwrap(),
                e["type"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("2026-11-27T12:00:03Z", "alertmanager", "alert"),
            ("2026-11-27T12:00:03Z", "alertmanager", "alert"),
            ("2026-11-27T12:05:00Z", "bob", "note"),
            ("2026-11-27T12:06:00Z", "bob", "note"),
            ("2026-11-27T12:30:00Z", "alice", "note"),
        ]
    );
    assert_eq!(added[2]["text"], "pods restarted");
    assert_eq!(
        added[3]["text"],
        format!("Public update on {DUP} [investigating]: We are looking into checkout errors.")
    );
    assert_eq!(
        added[4]["text"],
        format!(
            "Merged {DUP} (duplicate of alert group `{GROUP}`): moved 2 alert events, 1 note \
             and 1 public update (as a note). Its open follow-up action #1 stays on {DUP}."
        )
    );
    let keep = repo.show(KEEP);
    assert_eq!(
        keep.status.as_deref(),
        Some("triage"),
        "KEEP's own status is untouched"
    );
    assert!(keep.actions.is_empty(), "actions stay on DUP");

    // DUP: declined as a duplicate, labelled, its action still listed.
    let dup = repo.show(DUP);
    assert_eq!(dup.status.as_deref(), Some("declined"));
    let last = dup.events.last().unwrap();
    assert_eq!(
        last.str("text"),
        Some(format!("duplicate of {KEEP}").as_str())
    );
    assert_eq!(dup.labels["duplicate_of"], KEEP);
    assert_eq!(dup.labels["alert_group"], GROUP, "other labels kept");
    assert_eq!(dup.actions.len(), 1);
}

#[test]
fn after_a_merge_check_is_quiet_and_alerts_go_to_keep() {
    let (repo, _b) = raced("2026-11-27T12:00:03Z");
    assert_eq!(duplicate_findings(&repo).len(), 1);
    repo.inc()
        .now("2026-11-27T12:30:00Z")
        .args(["merge", DUP, "--into", KEEP])
        .ok();
    assert_eq!(duplicate_findings(&repo).len(), 0);

    // The next alert of the group goes to KEEP, with no warning; per
    // fingerprint it is news to KEEP only where DUP's events were not.
    let mark = repo.mark(KEEP);
    let dup_before = repo.read(TestRepo::timeline_path(DUP));
    let run = repo
        .inc()
        .now("2026-11-27T12:40:00Z")
        .arg("alert")
        .arg(fixture("alertmanager-firing-more.json"))
        .ok();
    assert_eq!(run.stdout, format!("{KEEP}\n"));
    assert!(!run.stderr.contains("warning"), "{run}");
    let new = repo.appended(&mark, KEEP);
    assert_eq!(new.len(), 1, "only the new fingerprint: {new:?}");
    assert_eq!(new[0]["key"], "c0ffee00deadbeef");
    assert_eq!(repo.read(TestRepo::timeline_path(DUP)), dup_before);
    // A repeat of what DUP had recorded is a repeat for KEEP too.
    repo.inc()
        .now("2026-11-27T12:41:00Z")
        .arg("alert")
        .arg(fixture("alertmanager-firing.json"))
        .ok()
        .stderr_has(&["Nothing written"]);
}

#[test]
fn jobs_racing_in_the_same_second_leave_nothing_new_to_move() {
    let (repo, _b) = raced("2026-11-27T12:00:00Z");
    let run = repo
        .inc()
        .now("2026-11-27T12:30:00Z")
        .args(["merge", DUP, "--into", KEEP])
        .ok();
    assert!(run.stderr.contains("nothing new to move"), "{run}");
    let keep = repo.show(KEEP);
    let alerts = keep.events.iter().filter(|e| e.kind == "alert").count();
    assert_eq!(alerts, 2, "the same alert lines are not copied twice");
}

#[test]
fn dry_run_prints_the_plan_and_writes_nothing() {
    let (repo, _b) = raced("2026-11-27T12:00:03Z");
    let before = repo.state();
    let run = repo
        .inc()
        .now("2026-11-27T12:30:00Z")
        .args(["merge", DUP, "--into", KEEP, "--dry-run"])
        .ok();
    insta::assert_snapshot!(run.snapshot(&repo));
    assert!(
        run.stdout
            .starts_with(&format!("append 3 events to {KEEP}\n")),
        "{run}"
    );
    assert!(
        run.stdout
            .ends_with(&format!("label {DUP} duplicate_of: {KEEP}\n")),
        "{run}"
    );
    repo.assert_unchanged(&before);
}

#[test]
fn merges_that_make_no_sense_are_refused_and_change_nothing() {
    let (repo, _b) = raced("2026-11-27T12:00:03Z");
    let refused = |args: &[&str], says: &str| {
        let before = repo.state();
        repo.inc()
            .now("2026-11-27T12:30:00Z")
            .arg("merge")
            .args(args)
            .fails()
            .stderr_has(&[says]);
        repo.assert_unchanged(&before);
    };
    refused(
        &[KEEP, "--into", KEEP],
        "can't merge 2026-11-27-checkout-5xx-rate-above-5 into itself",
    );
    refused(
        &[DUP, "--into", "nothing-like-it"],
        "no incident matches `nothing-like-it`",
    );
    refused(
        &[DUP, "--into", "2026-11-27-checkout"],
        "matches 2 incidents",
    );
    // DUP's alerts predate KEEP's opening the other way round.
    refused(
        &[KEEP, "--into", DUP],
        &format!("hint: keep the older one: `inc merge {DUP} --into {KEEP}`"),
    );

    let other = repo.open("Search is slow", "SEV3");
    repo.inc()
        .args(["decline", &other, "--reason", "flaky probe"])
        .ok();
    refused(&[DUP, "--into", &other], "was declined as a false alarm");

    repo.inc()
        .now("2026-11-27T12:30:00Z")
        .args(["merge", DUP, "--into", KEEP])
        .ok();
    refused(
        &[DUP, "--into", KEEP],
        &format!("{DUP} was already merged into {KEEP}"),
    );
    refused(
        &[KEEP, "--into", DUP],
        &format!("{DUP} was already merged into {KEEP}"),
    );
}

#[test]
fn incidents_of_different_groups_merge_with_a_warning() {
    let repo = TestRepo::new();
    let keep = repo.open_with("Checkout is failing", "SEV2", &["--at", "11:00"]);
    let run = repo
        .inc()
        .arg("alert")
        .arg(fixture("alertmanager-firing.json"))
        .ok();
    let dup = run.stdout.trim_end().to_owned();
    let run = repo
        .inc()
        .now("2026-11-27T12:30:00Z")
        .args(["merge", &dup, "--into", &keep])
        .ok();
    assert!(
        run.stderr.contains(&format!(
            "warning: {dup} and {keep} are of different alert groups (`{GROUP}` and none); merging anyway"
        )),
        "{run}"
    );
    assert_eq!(repo.show(&dup).status.as_deref(), Some("declined"));
    // The duplicate's group now follows it into KEEP.
    let mark = repo.mark(&keep);
    let run = repo
        .inc()
        .now("2026-11-27T12:40:00Z")
        .arg("alert")
        .arg(fixture("alertmanager-firing-more.json"))
        .ok();
    assert_eq!(run.stdout, format!("{keep}\n"));
    assert_eq!(repo.appended(&mark, &keep).len(), 1);
}
