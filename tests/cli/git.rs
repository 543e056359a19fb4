//! Git: one commit holding exactly inc's files, the user's work left alone,
//! refusal mid-merge/rebase/cherry-pick, --no-commit, and no git at all.

use crate::harness::{TestRepo, each_row};

/// What `git` says about the user's own work.
fn user_work(repo: &TestRepo) -> (String, String, String) {
    (
        repo.git_status(),
        repo.git(&["diff"]),
        repo.git(&["diff", "--cached"]),
    )
}

#[test]
fn a_dirty_tree_stays_exactly_as_it_was() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    repo.write("staged.txt", "one\n");
    repo.write("unstaged.txt", "one\n");
    repo.write("both.txt", "one\n");
    repo.write("deleted.txt", "one\n");
    repo.commit_all("user files");

    repo.write("staged.txt", "one\nstaged change\n");
    repo.git(&["add", "staged.txt"]);
    repo.write("unstaged.txt", "one\nunstaged change\n");
    repo.write("both.txt", "one\nstaged part\n");
    repo.git(&["add", "both.txt"]);
    repo.write("both.txt", "one\nstaged part\nunstaged part\n");
    repo.git(&["rm", "-q", "deleted.txt"]);
    repo.write("untracked.txt", "new\n");
    repo.write("new-staged.txt", "added\n");
    repo.git(&["add", "new-staged.txt"]);

    let before = user_work(&repo);
    let files_before = repo.files();
    let commits = repo.commit_count();
    repo.inc().args(["note", &id, "dirty tree"]).ok();

    // One commit on top of the user's, holding only the timeline…
    assert_eq!(repo.commit_count(), commits + 1);
    assert_eq!(
        repo.git(&["log", "-1", "--format=%s", "HEAD~1"]),
        "user files\n"
    );
    assert_eq!(repo.head_files(), vec![TestRepo::timeline_path(&id)]);
    // …and the user's work exactly as it was: same status, same diffs,
    // nothing about the timeline (it is committed and clean).
    assert_eq!(user_work(&repo), before);
    let (status, _, _) = user_work(&repo);
    assert!(
        !status.contains("incidents/"),
        "the incident is committed:\n{status}"
    );
    let mut files_after = repo.files();
    files_after.remove(&TestRepo::timeline_path(&id));
    let mut files_before = files_before;
    files_before.remove(&TestRepo::timeline_path(&id));
    assert_eq!(files_after, files_before, "no other file was touched");
    // The user's staged changes are still only staged, not committed.
    let committed = repo.git(&["show", "HEAD:staged.txt"]);
    assert_eq!(committed, "one\n");
}

#[test]
fn open_in_a_dirty_tree_commits_only_the_new_incident() {
    let repo = TestRepo::new();
    repo.write("notes.md", "draft\n");
    repo.write(
        "inc.yaml",
        &format!("{}\n# local edit\n", repo.read("inc.yaml")),
    );
    let before = user_work(&repo);
    let id = repo.open("Search is slow", "SEV3");
    assert_eq!(
        repo.head_files(),
        vec![TestRepo::header_path(&id), TestRepo::timeline_path(&id)]
    );
    assert_eq!(user_work(&repo), before);
}

#[test]
fn works_on_an_unborn_head_without_inc_init() {
    let repo = TestRepo::git_only();
    repo.write("inc.yaml", "name: Acme\n");
    let id = repo.open("First incident", "SEV3");
    assert_eq!(repo.commit_count(), 1);
    assert_eq!(
        repo.head_files(),
        vec![TestRepo::header_path(&id), TestRepo::timeline_path(&id)]
    );
    assert_eq!(
        repo.git_status(),
        "?? inc.yaml\n",
        "inc.yaml is not inc's to commit"
    );
}

/// Two branches changing `conflict.txt` differently.
fn conflicting_branches(repo: &TestRepo) {
    repo.write("conflict.txt", "base\n");
    repo.commit_all("base");
    repo.git(&["checkout", "-q", "-b", "other"]);
    repo.write("conflict.txt", "other\n");
    repo.commit_all("other side");
    repo.git(&["checkout", "-q", "main"]);
    repo.write("conflict.txt", "main\n");
    repo.commit_all("main side");
}

/// Every mutating command refuses, naming `what`, and changes nothing.
#[track_caller]
fn assert_refuses_everything(repo: &TestRepo, id: &str, what: &str) {
    let before = repo.state();
    let attempts: Vec<Vec<&str>> = vec![
        vec!["note", id, "during git work"],
        vec!["open", "New thing", "-s", "SEV3"],
        vec!["status", id, "identified"],
        vec!["resolve", id],
        vec!["assign", id, "comms", "bob"],
    ];
    for args in attempts {
        repo.inc().args(&args).fails().stderr_has(&[what, "abort"]);
    }
    repo.assert_unchanged(&before);
    // Reading is still fine.
    repo.inc().args(["show", id]).ok();
}

/// With a merge, rebase or cherry-pick stopped on a conflict, every
/// mutating command refuses, naming it.
#[test]
fn git_work_in_progress_is_refused() {
    /// The branch to be on, the git command that stops, the files that
    /// show it stopped (one is enough), what inc names.
    type Row = (
        &'static str,
        &'static [&'static str],
        &'static [&'static str],
        &'static str,
    );
    let rows: &[(&str, Row)] = &[
        (
            "a_merge_in_progress_is_refused",
            (
                "main",
                &["merge", "-q", "other"],
                &[".git/MERGE_HEAD"],
                "merge",
            ),
        ),
        (
            "a_rebase_in_progress_is_refused",
            (
                "other",
                &["rebase", "-q", "main"],
                &[".git/rebase-merge", ".git/rebase-apply"],
                "rebase",
            ),
        ),
        (
            "a_cherry_pick_in_progress_is_refused",
            (
                "main",
                &["cherry-pick", "other"],
                &[".git/CHERRY_PICK_HEAD"],
                "cherry-pick",
            ),
        ),
    ];
    each_row(rows, |_, &(branch, stops, markers, what)| {
        let repo = TestRepo::new();
        let id = repo.open("Checkout returns 500s", "SEV2");
        conflicting_branches(&repo);
        repo.git(&["checkout", "-q", branch]);
        repo.git_fails(stops);
        assert!(
            markers.iter().any(|m| repo.exists(m)),
            "none of {markers:?} exists"
        );
        assert_refuses_everything(&repo, &id, what);
    });
}

#[test]
fn no_commit_writes_but_does_not_commit() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    let commits = repo.commit_count();
    let lines = repo.timeline(&id).len();
    repo.inc()
        .args(["--no-commit", "note", &id, "not committed"])
        .ok();
    assert_eq!(repo.commit_count(), commits);
    let timeline = repo.timeline(&id);
    assert_eq!(timeline.len(), lines + 1);
    assert_eq!(timeline.last().unwrap()["text"], "not committed");
    assert_eq!(
        repo.git_status(),
        format!(" M {}\n", TestRepo::timeline_path(&id))
    );

    let new = repo
        .inc()
        .args(["open", "Uncommitted", "-s", "SEV4", "--no-commit"])
        .ok()
        .stdout
        .trim()
        .to_owned();
    assert_eq!(repo.commit_count(), commits);
    assert!(repo.exists(TestRepo::header_path(&new)));
    assert!(
        repo.git_status()
            .contains(&format!("?? {}", TestRepo::header_path(&new)))
    );
}

#[test]
fn git_commit_false_in_inc_yaml_writes_without_committing() {
    let repo = TestRepo::with_config("git:\n  commit: false\n");
    let commits = repo.commit_count();
    let id = repo.open("Checkout returns 500s", "SEV2");
    assert_eq!(repo.commit_count(), commits);
    assert!(repo.exists(TestRepo::timeline_path(&id)));
}

/// An incident repository made by hand in a folder that is not in git.
fn hand_made(repo: &TestRepo) {
    repo.write("inc.yaml", "name: Acme\n");
    std::fs::create_dir_all(repo.path("incidents")).unwrap();
}

#[test]
fn outside_git_with_repo_flag_works_and_warns() {
    let repo = TestRepo::plain();
    hand_made(&repo);
    let out = repo
        .inc()
        .arg("--repo")
        .arg(&repo.root)
        .args(["open", "No git here", "-s", "SEV3"])
        .current_dir(&repo.home)
        .ok();
    let id = out.stdout.trim().to_owned();
    assert_eq!(id, "2026-11-27-no-git-here");
    assert!(repo.exists(TestRepo::header_path(&id)));
    assert!(repo.exists(TestRepo::timeline_path(&id)));
    assert!(!repo.path(".git").exists(), "inc made no git repository");
    assert_eq!(
        out.stderr.matches("warning:").count(),
        1,
        "warns once: {out}"
    );
    assert!(out.stderr.contains("not committed"), "{out}");
}

#[test]
fn outside_git_with_inc_repo_works_and_warns() {
    let repo = TestRepo::plain();
    hand_made(&repo);
    let id = repo
        .inc()
        .args(["open", "No git here", "-s", "SEV3"])
        .ok()
        .stdout
        .trim()
        .to_owned();
    let out = repo
        .inc()
        .args(["note", "from elsewhere"])
        .env("INC_REPO", &repo.root)
        .current_dir(&repo.home)
        .ok();
    assert!(out.stderr.contains("warning:"), "{out}");
    assert!(out.stderr.contains("not committed"), "{out}");
    let timeline = repo.timeline(&id);
    assert_eq!(timeline.last().unwrap()["text"], "from elsewhere");
    // Reading warns about nothing.
    let out = repo.inc().args(["show", &id]).ok();
    assert!(!out.stderr.contains("warning"), "{out}");
}

#[test]
fn repo_flag_beats_inc_repo() {
    let a = TestRepo::new();
    let b = TestRepo::new();
    let id = a.open("Only in a", "SEV3");
    let out = a
        .inc()
        .arg("--repo")
        .arg(&a.root)
        .args(["show", &id])
        .env("INC_REPO", &b.root)
        .current_dir(&b.home)
        .ok();
    assert!(out.stdout.contains("Only in a"), "{out}");
    // INC_REPO alone points at b, which lacks the incident.
    a.inc().args(["show", &id]).env("INC_REPO", &b.root).fails();
}

#[test]
fn a_held_index_lock_is_waited_for_then_refused_before_writing() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    repo.write(".git/index.lock", "");
    let before = repo.files();
    let commits = repo.commit_count();
    for args in [
        vec!["note", id.as_str(), "blocked"],
        vec!["open", "Blocked", "-s", "SEV3"],
    ] {
        let run = repo
            .inc()
            .args(&args)
            .env("INC_LOCK_TIMEOUT", "1")
            .run()
            .code(1)
            .stderr_has(&["index.lock", "has been held for 1s", "inc changed nothing"]);
        assert!(run.stderr.contains("error: "), "{run}");
    }
    assert_eq!(repo.files(), before);
    assert_eq!(repo.commit_count(), commits);
    std::fs::remove_file(repo.path(".git/index.lock")).unwrap();
    repo.inc().args(["note", &id, "unblocked"]).ok();
}

#[test]
fn a_failed_commit_puts_the_files_back() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    // HEAD names a commit that does not exist: committing fails only after
    // inc has written its files.
    let head = repo.path(".git/refs/heads/main");
    std::fs::write(&head, "1111111111111111111111111111111111111111\n").unwrap();
    let before = repo.files();
    repo.inc().args(["note", &id, "lost?"]).fails();
    repo.inc().args(["open", "Another", "-s", "SEV3"]).fails();
    repo.inc().args(["resolve", &id]).fails();
    assert_eq!(repo.files(), before, "every file is as it was");
    assert!(
        !repo.path("incidents/2026/2026-11-27-another").exists(),
        "no empty incident folder is left"
    );
    assert_eq!(
        std::fs::read_to_string(&head).unwrap(),
        "1111111111111111111111111111111111111111\n"
    );
}

#[test]
fn timelines_of_two_clones_merge_without_conflict() {
    let a = TestRepo::new();
    let id = a.open_with("Checkout returns 500s", "SEV2", &["--at", "11:00"]);
    let b = TestRepo::plain();
    b.git(&["clone", "-q", a.root.to_str().unwrap(), "."]);
    b.git(&["config", "user.name", "bob"]);
    b.git(&["config", "user.email", "bob@example.com"]);

    a.inc().args(["note", &id, "from alice"]).ok();
    b.inc()
        .args(["note", &id, "from bob", "--at", "11:59"])
        .env("INC_AUTHOR", "bob")
        .ok();
    b.inc()
        .args(["status", &id, "identified"])
        .env("INC_AUTHOR", "bob")
        .ok();

    // bob pulls alice's note: both appended to the end of the same file, and
    // the union driver keeps both sides without a conflict.
    b.git(&["pull", "-q", "--no-rebase", "--no-edit", "origin", "main"]);
    assert_eq!(b.git_status(), "");
    let text = b.read(TestRepo::timeline_path(&id));
    assert!(!text.contains("<<<<<<<"), "{text}");
    let show = b.show(&id);
    let notes: Vec<&str> = show
        .events
        .iter()
        .filter(|e| e.kind == "note")
        .map(|e| e.str("text").unwrap())
        .collect();
    // Sorted by time: bob's is dated 11:59, alice's 12:00.
    assert_eq!(notes, ["from bob", "from alice"]);
    assert_eq!(show.status.as_deref(), Some("identified"));
    b.inc().args(["note", &id, "after the merge"]).ok();
}

#[test]
fn a_detached_head_gets_the_commit() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    repo.git(&["checkout", "-q", "--detach"]);
    let commits = repo.commit_count();
    repo.inc().args(["note", &id, "detached"]).ok();
    assert_eq!(repo.commit_count(), commits + 1);
    assert_eq!(repo.git_status(), "");
    // main did not move.
    assert_eq!(
        repo.git(&["rev-list", "--count", "main"]).trim(),
        (commits).to_string()
    );
}

/// After inc's commit, the index says exactly what HEAD says about inc's
/// files: `git write-tree` (which trusts the cache tree where it is valid)
/// gives HEAD's tree, and nothing shows as staged or modified. Checked for
/// each index version inc patches in place (updating entries, and adding
/// a new incident's) and for an index with an untracked cache, which it
/// leaves to libgit2.
#[test]
fn the_index_matches_head_after_each_kind_of_index() {
    let setups: [&[&[&str]]; 4] = [
        &[],
        &[&["update-index", "--index-version", "3"]],
        &[&["update-index", "--index-version", "4"]],
        &[
            &["config", "core.untrackedCache", "true"],
            &["update-index", "--untracked-cache"],
            &["status", "--porcelain"],
        ],
    ];
    for setup in setups {
        let repo = TestRepo::new();
        let id = repo.open("Checkout returns 500s", "SEV2");
        let other = repo.open("Search is slow", "SEV3");
        repo.git(&["write-tree"]); // a complete cache tree to invalidate
        for args in setup {
            repo.git(args);
        }
        repo.inc().args(["note", &id, "index check"]).ok();
        repo.inc().args(["note", &other, "index check"]).ok();
        repo.inc().args(["resolve", &id]).ok();
        let third = repo.open("Login fails", "SEV1");
        repo.inc().args(["note", &third, "index check"]).ok();
        assert_eq!(
            repo.git(&["write-tree"]),
            repo.git(&["rev-parse", "HEAD^{tree}"]),
            "setup {setup:?}"
        );
        assert_eq!(repo.git_status(), "", "setup {setup:?}");
        assert_eq!(
            repo.git(&["diff", "--cached", "--stat"]),
            "",
            "setup {setup:?}"
        );
    }
}
