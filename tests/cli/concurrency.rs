//! Parallel inc processes on one clone take turns on the lock: nothing is
//! lost, every change is its own commit, the tree ends clean.

use std::collections::BTreeSet;

use crate::harness::{TestRepo, run_together};

/// Spawns every command first, then waits for all; returns the outputs.
fn run_all(repo: &TestRepo, commands: Vec<Vec<String>>) -> Vec<std::process::Output> {
    run_together(
        commands
            .iter()
            .map(|args| {
                let mut cmd = repo.std_command();
                cmd.args(args);
                cmd
            })
            .collect(),
    )
}

#[test]
fn sixteen_parallel_notes_leave_sixteen_events_and_commits() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    let commits = repo.commit_count();
    let lines = repo.timeline(&id).len();

    let texts: Vec<String> = (0..16).map(|i| format!("parallel note {i:02}")).collect();
    let outputs = run_all(
        &repo,
        texts
            .iter()
            .map(|t| vec!["note".to_owned(), id.clone(), t.clone()])
            .collect(),
    );
    for out in &outputs {
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    // The timeline parses and holds exactly the 16 new notes.
    let show = repo.show(&id);
    let notes: BTreeSet<String> = show
        .events
        .iter()
        .filter(|e| e.kind == "note")
        .map(|e| e.str("text").unwrap().to_owned())
        .collect();
    assert_eq!(notes, texts.iter().cloned().collect::<BTreeSet<_>>());
    assert_eq!(repo.timeline(&id).len(), lines + 16);

    // Sixteen commits, each holding only the timeline, the tree clean, and
    // HEAD's timeline is the one on disk (no commit lost another's line).
    assert_eq!(repo.commit_count(), commits + 16);
    let subjects = repo.git(&["log", "-16", "--format=%s"]);
    assert_eq!(
        subjects
            .lines()
            .filter(|s| s.starts_with(&format!("inc({id}): note")))
            .count(),
        16,
        "{subjects}"
    );
    for n in 0..16 {
        let files = repo.git(&["show", "--name-only", "--format=", &format!("HEAD~{n}")]);
        assert_eq!(files.trim(), TestRepo::timeline_path(&id));
    }
    assert_eq!(repo.git_status(), "");
    assert_eq!(
        repo.git(&["show", &format!("HEAD:{}", TestRepo::timeline_path(&id))]),
        repo.read(TestRepo::timeline_path(&id))
    );
    repo.git(&["fsck", "--no-progress"]);
    let leftovers: Vec<String> = repo
        .files()
        .into_keys()
        .filter(|f| f.rsplit('/').next().unwrap().starts_with(".inc-"))
        .collect();
    assert!(leftovers.is_empty(), "temp files left: {leftovers:?}");
}

#[test]
fn parallel_opens_of_one_title_get_distinct_ids() {
    let repo = TestRepo::new();
    let commits = repo.commit_count();
    let outputs = run_all(
        &repo,
        (0..6)
            .map(|_| ["open", "DB down", "-s", "SEV1"].map(String::from).to_vec())
            .collect(),
    );
    let mut ids = BTreeSet::new();
    for out in &outputs {
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        ids.insert(
            String::from_utf8(out.stdout.clone())
                .unwrap()
                .trim()
                .to_owned(),
        );
    }
    let expected: BTreeSet<String> = std::iter::once("2026-11-27-db-down".to_owned())
        .chain((2..=6).map(|n| format!("2026-11-27-db-down-{n}")))
        .collect();
    assert_eq!(ids, expected);
    assert_eq!(repo.commit_count(), commits + 6);
    assert_eq!(repo.git_status(), "");
    assert_eq!(repo.list_ids(&[]).len(), 6);
}

#[test]
fn a_leftover_lock_file_does_not_block() {
    // A lock file left by a killed process is not held by anyone.
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    repo.write(".git/inc.lock", "12345\n");
    let mark = repo.mark(&id);
    repo.inc().args(["note", &id, "not blocked"]).ok();
    assert_eq!(repo.appended(&mark, &id).len(), 1);
}
