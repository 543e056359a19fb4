//! inc killed at any moment, git running beside it, a person's own edits:
//! the repository is before or after inc's change, never between; the
//! next inc command finishes what a killed one left; a user's `git commit`
//! afterwards never deletes or reverts an incident; and inc commits only
//! its own change.

use std::path::Path;
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use crate::harness::{Rng, TestRepo, fixture};

/// (path, blob) of every incident file in `rev`, or in the index.
fn incident_blobs(repo: &TestRepo, rev: Option<&str>) -> Vec<String> {
    let out = match rev {
        Some(rev) => repo.git(&["ls-tree", "-r", rev, "--", "incidents"]),
        None => repo.git(&["ls-files", "-s", "--", "incidents"]),
    };
    let mut rows: Vec<String> = out
        .lines()
        .map(|l| {
            // ls-tree: "mode blob oid\tpath"; ls-files: "mode oid stage\tpath".
            let (meta, path) = l.split_once('\t').unwrap();
            let oid = meta
                .split(' ')
                .find(|w| w.len() == 40)
                .unwrap_or_default()
                .to_owned();
            format!("{path} {oid}")
        })
        .collect();
    rows.sort();
    rows
}

/// Adds a line to the user's own file, `notes.txt`.
fn add_line(repo: &TestRepo, line: &str) {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(repo.path("notes.txt"))
        .unwrap();
    writeln!(file, "{line}").unwrap();
}

/// A person's ordinary commit of a file of their own, as they would make
/// it right after inc was killed: it may fail (a lock inc left; then they
/// run inc, which clears it, and commit again), and the commit deletes no
/// incident file and removes no line from one.
fn user_commit(repo: &TestRepo, n: usize, context: &str) {
    add_line(repo, &format!("note {n}: {context}"));
    let commit = || {
        let added = repo
            .git_command()
            .args(["add", "notes.txt"])
            .output()
            .unwrap();
        added.status.success()
            && repo
                .git_command()
                .args(["commit", "-q", "-m", "my own work"])
                .output()
                .unwrap()
                .status
                .success()
    };
    if !commit() {
        repo.inc().args(["list", "--status", "all"]).ok();
        assert!(commit(), "{context}: the user's commit fails after inc ran");
    }
    let numstat = repo.git(&["show", "--numstat", "--format=", "--no-renames", "HEAD"]);
    for line in numstat.lines() {
        let mut cols = line.split('\t');
        let (_added, deleted, path) = (cols.next(), cols.next(), cols.next().unwrap_or(""));
        if path.starts_with("incidents/") {
            assert_eq!(
                deleted,
                Some("0"),
                "{context}: the user's commit removed lines of {path}:\n{numstat}"
            );
        }
    }
    let deleted = repo.git(&[
        "show",
        "--diff-filter=D",
        "--name-only",
        "--format=",
        "HEAD",
    ]);
    assert!(
        !deleted.contains("incidents/"),
        "{context}: the user's commit deleted incident files:\n{deleted}"
    );
}

/// What every kill must leave once the next inc command ran: a sound
/// repository, a clean status, an index that agrees with HEAD about every
/// incident file, and a user's commit afterwards that touches only the
/// user's file.
#[track_caller]
fn assert_whole(repo: &TestRepo, context: &str) {
    let fsck = repo
        .git_command()
        .args(["fsck", "--no-progress", "--no-dangling"])
        .output()
        .unwrap();
    assert!(
        fsck.status.success(),
        "{context}: git fsck failed:\n{}{}",
        String::from_utf8_lossy(&fsck.stdout),
        String::from_utf8_lossy(&fsck.stderr)
    );
    // Any inc command repairs; a read-only one is the hardest case.
    let listed = repo.inc().args(["list", "--status", "all"]).run();
    assert_eq!(
        listed.code, 0,
        "{context}: the next inc command failed:\n{listed}"
    );
    assert!(
        !listed.stderr.contains("skipped"),
        "{context}: a half-made incident:\n{listed}"
    );
    assert_eq!(repo.git_status(), "", "{context}: git status is not clean");
    assert_eq!(
        incident_blobs(repo, None),
        incident_blobs(repo, Some("HEAD")),
        "{context}: the index disagrees with HEAD"
    );
    for name in [
        "index.lock",
        "inc-journal",
        "inc-index.new",
        "refs/heads/main.lock",
    ] {
        assert!(
            !repo.path(Path::new(".git").join(name)).exists(),
            "{context}: .git/{name} is left"
        );
    }
    let before = incident_blobs(repo, Some("HEAD"));
    add_line(repo, &format!("checked: {context}"));
    repo.git(&["add", "notes.txt"]);
    repo.git(&["commit", "-q", "-m", "my own work"]);
    assert_eq!(repo.head_files(), ["notes.txt"], "{context}");
    assert_eq!(incident_blobs(repo, Some("HEAD")), before, "{context}");
}

/// Runs `args(i)` `runs` times, each killed after a random delay; after
/// each kill, half the time the user commits first, then the checks.
/// Returns how many runs the kill stopped before they finished.
///
/// The delays span 0–30 ms, or twice the median of five runs left to
/// finish first if that is longer: on a loaded machine a run can take
/// longer than 30 ms, and a window every run outlasts tests only kills
/// before the end, never the end itself. The median, since one run slowed
/// by a burst of load (217 ms once, in CI) made a window most runs beat.
/// A batch that still killed too few or too many runs (load changes
/// while it runs) is followed by another with the window halved or
/// doubled, at most three in all; every run of every batch is checked.
fn kill_at_random(
    repo: &TestRepo,
    runs: usize,
    seed: u64,
    mut before: impl FnMut(usize),
    mut args: impl FnMut(usize) -> Vec<String>,
) -> usize {
    const BATCHES: usize = 3;
    let mut took = Vec::new();
    for i in runs * BATCHES..runs * BATCHES + 5 {
        before(i);
        let started = Instant::now();
        let status = repo
            .std_command()
            .args(args(i))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap();
        assert!(
            status.success(),
            "the run before the kills failed: {status}"
        );
        took.push(started.elapsed());
        assert_whole(repo, &format!("run {i}, not killed"));
    }
    took.sort();
    let median = took[took.len() / 2];
    let mut window = u64::try_from(median.as_millis() * 2)
        .unwrap_or(u64::MAX)
        .max(30);
    let mut rng = Rng(seed);
    let mut killed = 0;
    for batch in 0..BATCHES {
        eprintln!("kills within 0–{window} ms (a whole run took {median:?}, the median of five)");
        killed = 0;
        for i in batch * runs..(batch + 1) * runs {
            before(i);
            let delay = rng.below(window + 1);
            let args = args(i);
            let mut child = repo
                .std_command()
                .args(&args)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            thread::sleep(Duration::from_millis(delay));
            let _ = child.kill();
            let status = child.wait().unwrap();
            if status.code().is_none() {
                killed += 1;
            }
            let context = format!("run {i} ({args:?}), killed after {delay} ms");
            if i % 2 == 1 {
                user_commit(repo, i, &context);
            }
            assert_whole(repo, &context);
        }
        if meaningful(killed, runs) {
            break;
        }
        eprintln!("{killed} of {runs} runs were killed before they finished; again");
        window = if killed <= runs / 10 {
            (window / 2).max(1)
        } else {
            window * 2
        };
    }
    killed
}

/// Whether kills stopped some runs mid-way and let others finish.
fn meaningful(killed: usize, runs: usize) -> bool {
    killed > runs / 10 && killed < runs
}

/// Kills must have stopped some runs mid-way and let others finish, or the
/// test proved nothing.
#[track_caller]
fn assert_some_killed(killed: usize, runs: usize) {
    eprintln!("{killed} of {runs} runs were killed before they finished");
    assert!(
        meaningful(killed, runs),
        "{killed} of {runs} runs were killed before they finished"
    );
}

const RUNS: usize = 200;

#[test]
fn killed_open_never_leaves_a_half_made_incident_or_a_stale_lock() {
    let repo = TestRepo::new();
    let killed = kill_at_random(
        &repo,
        RUNS,
        0x1234_5678,
        |_| {},
        |i| {
            ["open", &format!("Killed open {i}"), "-s", "SEV3"]
                .map(String::from)
                .to_vec()
        },
    );
    assert_some_killed(killed, RUNS);
}

#[test]
fn killed_note_never_leaves_the_index_behind_head() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    let killed = kill_at_random(
        &repo,
        RUNS,
        0x9abc_def0,
        |_| {},
        |i| {
            ["note", &id, &format!("note {i}")]
                .map(String::from)
                .to_vec()
        },
    );
    assert_some_killed(killed, RUNS);
}

#[test]
fn killed_alert_never_leaves_the_repository_between() {
    let repo = TestRepo::new();
    let killed = kill_at_random(
        &repo,
        RUNS,
        0x0f0f_1234,
        |_| {},
        |i| {
            let name = if i % 2 == 0 {
                "alertmanager-firing.json"
            } else {
                "alertmanager-resolved.json"
            };
            vec![
                "alert".to_owned(),
                fixture(name).to_string_lossy().into_owned(),
            ]
        },
    );
    assert_some_killed(killed, RUNS);
}

#[test]
fn killed_postmortem_never_leaves_the_repository_between() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    repo.inc().args(["resolve", &id]).ok();
    let killed = kill_at_random(
        &repo,
        RUNS,
        0x5555_aaaa,
        |i| {
            // Something new for the refresh to put in the draft.
            repo.inc().args(["note", &id, &format!("found {i}")]).ok();
        },
        |_| vec!["postmortem".to_owned(), id.clone()],
    );
    assert_some_killed(killed, RUNS);
}

/// Every step of a change, stopped there (`INC_CRASH_AT` aborts inc as a
/// kill would): before the journal, nothing happened; from the journal
/// on, the next inc command finishes the change.
#[test]
fn a_change_stopped_at_each_step_is_undone_or_finished_by_the_next_command() {
    let steps = ["objects", "journal", "tree", "index-lock", "index", "head"];
    for (n, step) in steps.iter().enumerate() {
        for user_commits_first in [false, true] {
            let repo = TestRepo::new();
            let id = repo.open("Checkout returns 500s", "SEV2");
            let context = format!("stopped at {step}, user commits first: {user_commits_first}");
            let note = repo
                .inc()
                .args(["note", &id, "rolled back by the pool"])
                .env("INC_CRASH_AT", step)
                .run();
            assert_ne!(note.code, 0, "{context}: inc was not stopped:\n{note}");
            if user_commits_first {
                user_commit(&repo, n, &context);
            }
            assert_whole(&repo, &context);
            let open = repo
                .inc()
                .args(["open", "Search is slow", "-s", "SEV3"])
                .env("INC_CRASH_AT", step)
                .run();
            assert_ne!(open.code, 0, "{context}: inc was not stopped:\n{open}");
            if user_commits_first {
                user_commit(&repo, n, &context);
            }
            assert_whole(&repo, &context);

            let happened = *step != "objects";
            let timeline = repo.read(TestRepo::timeline_path(&id));
            assert_eq!(
                timeline.contains("rolled back by the pool"),
                happened,
                "{context}"
            );
            assert_eq!(
                repo.exists("incidents/2026/2026-11-27-search-is-slow/timeline.yaml"),
                happened,
                "{context}"
            );
            // Stopped with the index staged and HEAD not moved, a user's
            // commit takes inc's change in with theirs; otherwise the
            // change is finished as inc's own commit, with inc's message.
            if happened && !(user_commits_first && *step == "index") {
                let log = repo.git(&["log", "--format=%s", "-6"]);
                assert!(
                    log.contains("note: rolled back by the pool"),
                    "{context}:\n{log}"
                );
                assert!(
                    log.contains("inc(2026-11-27-search-is-slow): opened"),
                    "{context}:\n{log}"
                );
            }
        }
    }
}

#[test]
fn the_next_command_says_it_finished_a_killed_change() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    repo.inc()
        .args(["note", &id, "pool exhausted"])
        .env("INC_CRASH_AT", "tree")
        .run();
    repo.inc().args(["show", &id]).ok().stderr_has(&[
        "Finished the change a killed inc left",
        "note: pool exhausted",
    ]);
    assert_eq!(repo.git_status(), "");
}

#[test]
fn a_hand_added_timeline_line_stays_out_of_incs_commit() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    let timeline = TestRepo::timeline_path(&id);
    let committed_before = repo.git(&["show", &format!("HEAD:{timeline}")]);
    let mine = "- {\"at\":\"2026-11-27T11:59:00Z\",\"by\":\"bob\",\"type\":\"note\",\"text\":\"my own line\"}\n";
    repo.append(&timeline, mine);
    repo.inc().args(["note", &id, "inc's line"]).ok();

    let committed = repo.git(&["show", &format!("HEAD:{timeline}")]);
    assert!(committed.starts_with(&committed_before), "{committed}");
    assert!(!committed.contains("my own line"), "{committed}");
    assert!(committed.contains("inc's line"), "{committed}");
    let on_disk = repo.read(&timeline);
    assert!(on_disk.contains("my own line") && on_disk.contains("inc's line"));
    // The person's line is still theirs to commit: a change in the work tree.
    assert_eq!(repo.git_status(), format!(" M {timeline}\n"));
    let diff = repo.git(&["diff", "--", &timeline]);
    let added: Vec<&str> = diff
        .lines()
        .filter(|l| l.starts_with('+') && !l.starts_with("+++"))
        .collect();
    assert_eq!(added, [format!("+{}", mine.trim_end())], "{diff}");
}

#[test]
fn postmortem_refresh_commits_only_the_generated_blocks() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    repo.inc().args(["resolve", &id]).ok();
    repo.inc().args(["postmortem", &id]).ok();
    let draft = format!("{}/postmortem.md", TestRepo::incident_dir(&id));
    let text = repo.read(&draft);
    let prose = "The pool was sized for last year's traffic.";
    repo.write(&draft, &format!("{text}\n{prose}\n"));
    repo.inc().args(["note", &id, "pool raised to 200"]).ok();
    repo.inc().args(["postmortem", &id]).ok();

    let committed = repo.git(&["show", &format!("HEAD:{draft}")]);
    assert!(committed.contains("pool raised to 200"), "{committed}");
    assert!(
        !committed.contains(prose),
        "the unfinished prose was committed"
    );
    let on_disk = repo.read(&draft);
    assert!(on_disk.contains(prose) && on_disk.contains("pool raised to 200"));
    assert_eq!(repo.git_status(), format!(" M {draft}\n"));
}

#[test]
fn a_rewrite_of_a_header_with_uncommitted_changes_is_refused_before_writing() {
    let repo = TestRepo::new();
    let keep = repo.open("Checkout returns 500s", "SEV2");
    let dup = repo.open("Checkout errors", "SEV2");
    let header = TestRepo::header_path(&dup);
    let edited = repo
        .read(&header)
        .replace("Checkout errors", "Checkout errors (EU)");
    repo.write(&header, &edited);
    let before = repo.files();
    let commits = repo.commit_count();
    repo.inc()
        .args(["merge", &dup, "--into", &keep])
        .fails()
        .stderr_has(&[&header, "not committed", "inc changed nothing", "git stash"]);
    assert_eq!(repo.files(), before);
    assert_eq!(repo.commit_count(), commits);
}

#[test]
fn a_concurrent_git_commit_never_fails_inc_note() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    let stop = AtomicBool::new(false);
    let notes = 60;
    thread::scope(|s| {
        let busy = s.spawn(|| {
            let mut made = 0;
            while !stop.load(Ordering::Relaxed) {
                let out = repo
                    .git_command()
                    .args(["commit", "-q", "--allow-empty", "-m", "beside inc"])
                    .output()
                    .unwrap();
                made += usize::from(out.status.success());
            }
            made
        });
        for i in 0..notes {
            repo.inc().args(["note", &id, &format!("note {i}")]).ok();
        }
        stop.store(true, Ordering::Relaxed);
        let made = busy.join().unwrap();
        assert!(made > 0, "git never committed beside inc");
    });
    let committed = repo.git(&["show", &format!("HEAD:{}", TestRepo::timeline_path(&id))]);
    for i in 0..notes {
        assert!(
            committed.contains(&format!("\"note {i}\"")),
            "note {i} is missing"
        );
    }
    assert_eq!(repo.git_status(), "");
}

#[test]
fn a_lock_released_while_inc_waits_lets_the_note_through() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    repo.write(".git/index.lock", "");
    let child = repo
        .std_command()
        .args(["note", &id, "waited"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    thread::sleep(Duration::from_millis(1500));
    std::fs::remove_file(repo.path(".git/index.lock")).unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("Waiting for"), "{stderr}");
    assert!(repo.read(TestRepo::timeline_path(&id)).contains("waited"));
    assert_eq!(repo.git_status(), "");
}

#[test]
fn a_split_index_repository_takes_incs_commits() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    repo.git(&["update-index", "--split-index"]);
    repo.inc().args(["note", &id, "split"]).ok();
    repo.inc()
        .args(["open", "Search is slow", "-s", "SEV3"])
        .ok();
    assert_eq!(repo.git_status(), "");
    assert_eq!(
        incident_blobs(&repo, None),
        incident_blobs(&repo, Some("HEAD"))
    );
}

#[test]
fn a_sparse_index_repository_takes_incs_commits() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    repo.write("docs/runbook.md", "# Runbook\n");
    repo.commit_all("runbook");
    repo.git(&["sparse-checkout", "init", "--cone", "--sparse-index"]);
    repo.git(&["sparse-checkout", "set", "incidents"]);
    repo.inc().args(["note", &id, "sparse"]).ok();
    repo.inc()
        .args(["open", "Search is slow", "-s", "SEV3"])
        .ok();
    assert_eq!(repo.git_status(), "");
    assert_eq!(
        incident_blobs(&repo, None),
        incident_blobs(&repo, Some("HEAD"))
    );
    assert!(
        repo.git(&["ls-files", "--sparse"]).contains("docs/"),
        "the index is still sparse"
    );
}

#[test]
fn a_commit_that_fails_after_staging_puts_the_files_and_the_index_back() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    // The branch stays locked: inc stages, then can't move HEAD.
    std::fs::create_dir(repo.path(".git/refs/heads/main.lock")).unwrap();
    let before = repo.files();
    let commits = repo.commit_count();
    for args in [
        vec!["note", id.as_str(), "lost?"],
        vec!["open", "Search is slow", "-s", "SEV3"],
    ] {
        repo.inc()
            .args(&args)
            .env("INC_LOCK_TIMEOUT", "1")
            .fails()
            .stderr_has(&["main.lock", "has been held for 1s"]);
        assert_eq!(repo.files(), before, "{args:?}: every file is as it was");
        assert_eq!(repo.commit_count(), commits);
        assert_eq!(repo.git_status(), "", "{args:?}: the index is as it was");
        assert!(!repo.path(".git/inc-journal").exists());
    }
    std::fs::remove_dir(repo.path(".git/refs/heads/main.lock")).unwrap();
    repo.inc().args(["note", &id, "through"]).ok();
    assert_eq!(repo.git_status(), "");
}

/// A kill while the journal itself was being written left its temp file
/// in `.git/`, which no recovery finds (there is no journal to say so):
/// the next change sweeps it, once it is old enough not to be another
/// inc's file being written.
#[test]
fn a_temp_file_left_by_a_kill_while_writing_the_journal_is_swept() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    let old = repo.path(".git/.inc-Ab3xYz");
    let fresh = repo.path(".git/.inc-Zy9xWv");
    std::fs::write(&old, "{\"message\":").unwrap();
    std::fs::write(&fresh, "{\"message\":").unwrap();
    let an_hour_ago = std::time::SystemTime::now() - Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(&old)
        .unwrap()
        .set_modified(an_hour_ago)
        .unwrap();
    repo.inc().args(["note", &id, "pool raised"]).ok();
    assert!(!old.exists(), "the old temp file is swept");
    assert!(fresh.exists(), "a fresh one may be another inc's");
}
