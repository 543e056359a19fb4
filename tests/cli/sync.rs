//! `inc sync` and `inc alert --push` against local bare repositories: clones
//! racing each other, colliding IDs, real conflicts, bounded retries, and the
//! user's uncommitted work.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

use crate::harness::{AUTHOR, EMAIL, TestRepo, fixture, run_together};

/// An empty bare repository (the "remote").
fn bare() -> TestRepo {
    let bare = TestRepo::plain();
    bare.git(&["init", "-q", "--bare", "-b", "main"]);
    bare
}

/// A clone of `bare` with a git user.
fn clone(bare: &TestRepo) -> TestRepo {
    let repo = TestRepo::plain();
    repo.git(&["clone", "-q", bare.root.to_str().unwrap(), "."]);
    repo.git(&["config", "user.name", AUTHOR]);
    repo.git(&["config", "user.email", EMAIL]);
    repo.git(&["config", "commit.gpgsign", "false"]);
    repo
}

/// A remote holding an `inc init`ed repository, and two clones of it.
fn remote_and_two_clones() -> (TestRepo, TestRepo, TestRepo) {
    let bare = bare();
    let a = clone(&bare);
    a.inc().arg("init").ok();
    a.inc().arg("sync").ok();
    let b = clone(&bare);
    (bare, a, b)
}

/// Spawns `inc ARGS` in every repo at once, then waits for all.
fn at_once(runs: &[(&TestRepo, Vec<String>)]) -> Vec<Output> {
    run_together(
        runs.iter()
            .map(|(repo, args)| {
                let mut cmd = repo.std_command();
                cmd.args(args);
                cmd
            })
            .collect(),
    )
}

#[track_caller]
fn assert_all_ok(outputs: &[Output]) {
    for out in outputs {
        assert_eq!(
            out.status.code(),
            Some(0),
            "stderr:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

/// The texts of the notes on `id` in a clone.
fn notes(repo: &TestRepo, id: &str) -> BTreeSet<String> {
    repo.show(id)
        .events
        .iter()
        .filter(|e| e.kind == "note")
        .map(|e| e.str("text").unwrap().to_owned())
        .collect()
}

/// A file as the remote's `main` holds it.
fn remote_file(bare: &TestRepo, path: &str) -> String {
    bare.git(&["show", &format!("main:{path}")])
}

/// The incident IDs on the remote's `main`.
fn remote_ids(bare: &TestRepo) -> Vec<String> {
    let mut ids: Vec<String> = bare
        .git(&["ls-tree", "-d", "--name-only", "-r", "main", "incidents/"])
        .lines()
        .filter(|l| l.matches('/').count() == 2)
        .map(|l| l.rsplit('/').next().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

/// No conflict marker in any file of the clone.
#[track_caller]
fn assert_no_markers(repo: &TestRepo) {
    for (path, bytes) in repo.files() {
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("<<<<<<<") && !text.contains(">>>>>>>"),
            "conflict markers in {path}:\n{text}"
        );
    }
}

/// Opens an incident in `a`, pushes it, and pulls it into `b`.
fn shared_incident(a: &TestRepo, b: &TestRepo) -> String {
    let id = a.open("Checkout returns 500s", "SEV2");
    a.inc().arg("sync").ok();
    b.inc().arg("sync").ok();
    assert!(b.exists(TestRepo::timeline_path(&id)));
    id
}

fn add_notes(repo: &TestRepo, id: &str, who: &str, n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            let text = format!("{who} note {i}");
            repo.inc().args(["note", id, &text]).ok();
            text
        })
        .collect()
}

/// Both clones and the remote hold every note, no markers, `inc check` clean.
#[track_caller]
fn assert_converged(bare: &TestRepo, clones: &[&TestRepo], id: &str, want: &BTreeSet<String>) {
    for repo in clones {
        repo.inc().arg("sync").ok();
    }
    for repo in clones {
        assert_eq!(&notes(repo, id), want, "notes in a clone");
        assert_no_markers(repo);
        repo.inc().arg("check").ok();
        assert_eq!(repo.git_status(), "", "the clone is clean");
        assert_eq!(
            repo.git(&["rev-parse", "HEAD"]),
            bare.git(&["rev-parse", "main"]),
            "the clone is at the remote's main"
        );
    }
    let timeline = remote_file(bare, &TestRepo::timeline_path(id));
    for note in want {
        assert!(timeline.contains(note.as_str()), "{note} on the remote");
    }
    assert!(!timeline.contains("<<<<<<<"));
}

#[test]
fn first_sync_creates_the_remote_branch_then_says_up_to_date() {
    let bare = bare();
    let a = clone(&bare);
    a.inc().arg("init").ok();
    let first = a.inc().arg("sync").ok();
    assert!(
        first
            .stderr
            .contains("Pushed 1 commit to origin/main, a new branch there."),
        "{first}"
    );
    assert_eq!(
        bare.git(&["rev-parse", "main"]),
        a.git(&["rev-parse", "HEAD"])
    );
    let again = a.inc().arg("sync").ok();
    assert_eq!(again.stderr, "Up to date with origin/main.\n");
    assert_eq!(again.stdout, "");
}

#[test]
fn sync_warns_when_timelines_would_not_merge_line_by_line() {
    let bare = bare();
    let a = clone(&bare);
    a.inc().arg("init").ok();
    a.write(".gitattributes", "*.md text\n");
    a.git(&["commit", "-qam", "attributes edited by hand"]);
    let run = a.inc().arg("sync").ok();
    assert!(
        run.stderr
            .contains("git does not merge timelines line by line here"),
        "{run}"
    );
    assert!(run.stderr.contains("`inc init` adds the line"), "{run}");
    a.inc().arg("init").ok();
    assert_eq!(
        a.read(".gitattributes"),
        "*.md text\nincidents/**/timeline.yaml merge=union\n"
    );
    let run = a.inc().arg("sync").ok();
    assert!(!run.stderr.contains("line by line"), "{run}");
}

#[test]
fn notes_from_two_clones_synced_at_the_same_moment_all_arrive() {
    let (bare, a, b) = remote_and_two_clones();
    let id = shared_incident(&a, &b);
    let mut want = notes(&a, &id);
    want.extend(add_notes(&a, &id, "alice", 3));
    want.extend(add_notes(&b, &id, "bob", 3));

    let outputs = at_once(&[(&a, args(&["sync"])), (&b, args(&["sync"]))]);
    assert_all_ok(&outputs);
    assert_converged(&bare, &[&a, &b], &id, &want);
    assert_eq!(want.len(), 6);
}

#[test]
fn notes_synced_one_after_the_other_arrive_in_both_orders() {
    for a_first in [true, false] {
        let (bare, a, b) = remote_and_two_clones();
        let id = shared_incident(&a, &b);
        let mut want = add_notes(&a, &id, "alice", 2)
            .into_iter()
            .collect::<BTreeSet<_>>();
        want.extend(add_notes(&b, &id, "bob", 2));
        let (first, second) = if a_first { (&a, &b) } else { (&b, &a) };
        first.inc().arg("sync").ok();
        let run = second.inc().arg("sync").ok();
        assert!(
            run.stderr
                .contains("Pushed 2 commits to origin/main (after pulling 2 commits)."),
            "{run}"
        );
        assert_converged(&bare, &[&a, &b], &id, &want);
    }
}

#[test]
fn four_clones_pushing_at_once_all_get_through() {
    let (bare, a, b) = remote_and_two_clones();
    let id = shared_incident(&a, &b);
    let c = clone(&bare);
    let d = clone(&bare);
    let clones = [&a, &b, &c, &d];
    let mut want = BTreeSet::new();
    for (i, repo) in clones.iter().enumerate() {
        want.extend(add_notes(repo, &id, &format!("responder{i}"), 2));
    }
    let runs: Vec<(&TestRepo, Vec<String>)> =
        clones.iter().map(|r| (*r, args(&["sync"]))).collect();
    assert_all_ok(&at_once(&runs));
    assert_converged(&bare, &clones, &id, &want);
}

#[test]
fn different_alerts_pushed_by_two_jobs_at_once_both_arrive() {
    let (bare, a, b) = remote_and_two_clones();
    let one = fixture("alertmanager-firing.json");
    let two = fixture("pagerduty-trigger.json");
    let outputs = at_once(&[
        (&a, args(&["alert", "--push", one.to_str().unwrap()])),
        (&b, args(&["alert", "--push", two.to_str().unwrap()])),
    ]);
    assert_all_ok(&outputs);
    let ids: Vec<String> = outputs
        .iter()
        .map(|o| {
            String::from_utf8(o.stdout.clone())
                .unwrap()
                .trim()
                .to_owned()
        })
        .collect();
    assert_ne!(ids[0], ids[1]);
    let mut want = ids.clone();
    want.sort();
    assert_eq!(remote_ids(&bare), want, "both incidents are upstream");
    for repo in [&a, &b] {
        repo.inc().arg("sync").ok();
        assert_no_markers(repo);
        repo.inc().arg("check").ok();
        let titles: BTreeSet<String> = ids.iter().map(|id| repo.show(id).title).collect();
        assert_eq!(titles.len(), 2);
    }
}

/// The same alert group ingested by two jobs at once ends as one incident,
/// or as two incidents carrying the same `alert_group` label, never as a
/// conflict or a lost alert.
fn same_alert_twice(now_a: &str, now_b: &str) {
    let (bare, a, b) = remote_and_two_clones();
    let payload = fixture("alertmanager-firing.json");
    let payload = payload.to_str().unwrap();
    let mut cmd_a = a.std_command();
    cmd_a
        .env("INC_NOW", now_a)
        .args(["alert", "--push", payload]);
    let mut cmd_b = b.std_command();
    cmd_b
        .env("INC_NOW", now_b)
        .args(["alert", "--push", payload]);
    let outputs = run_together(vec![cmd_a, cmd_b]);
    assert_all_ok(&outputs);
    for repo in [&a, &b] {
        repo.inc().arg("sync").ok();
        assert_no_markers(repo);
        assert_eq!(repo.git_status(), "");
    }
    let ids = remote_ids(&bare);
    for repo in [&a, &b] {
        let mut listed = repo.list_ids(&["--status", "all"]);
        listed.sort();
        assert_eq!(listed, ids);
    }
    match ids.len() {
        1 => {
            // Both alerts are on the one incident, recorded once each.
            let events = a.show(&ids[0]).events;
            let alerts = events.iter().filter(|e| e.kind == "alert").count();
            assert_eq!(alerts, 2, "the payload's two alerts, once each");
        }
        2 => {
            let groups: BTreeSet<String> = ids
                .iter()
                .map(|id| a.show(id).labels["alert_group"].clone())
                .collect();
            assert_eq!(groups.len(), 1, "two incidents of one alert group");
            // `inc check` flags them, naming the command that joins them.
            let text = a.inc().arg("check").ok().stdout;
            let command = text
                .split('`')
                .find(|part| part.starts_with("inc merge "))
                .unwrap_or_else(|| panic!("no merge command in:\n{text}"))
                .to_owned();
            let args: Vec<&str> = command.split(' ').skip(1).collect();
            // The harness clock is behind the second job's: the merge is
            // recorded at that incident's opening, not refused.
            a.inc().args(&args).ok();
            let after = a.inc().arg("check").ok().stdout;
            assert!(!after.contains("duplicate of"), "{after}");
            a.inc().arg("sync").ok();
        }
        n => panic!("{n} incidents from one alert group: {ids:?}"),
    }
    a.inc().arg("check").ok();
}

#[test]
fn the_same_alert_pushed_by_two_jobs_in_the_same_second() {
    same_alert_twice("2026-11-27T12:00:00Z", "2026-11-27T12:00:00Z");
}

#[test]
fn the_same_alert_pushed_by_two_jobs_seconds_apart() {
    same_alert_twice("2026-11-27T12:00:00Z", "2026-11-27T12:00:07Z");
}

#[test]
fn an_alert_already_pushed_by_another_job_is_found_not_reopened() {
    let (bare, a, b) = remote_and_two_clones();
    let payload = fixture("alertmanager-firing.json");
    let id = a.inc().arg("alert").arg("--push").arg(&payload).ok().stdout;
    let again = b
        .inc()
        .now("2026-11-27T12:05:00Z")
        .arg("alert")
        .arg("--push")
        .arg(&payload)
        .ok();
    assert_eq!(again.stdout, id, "b pulled first and found a's incident");
    assert_eq!(remote_ids(&bare).len(), 1);
}

#[test]
fn the_same_title_opened_in_two_clones_gets_two_ids() {
    let (bare, a, b) = remote_and_two_clones();
    let id_a = a.open_with("Database slow", "SEV3", &["--summary", "seen by alice"]);
    let id_b = b.open_with("Database slow", "SEV2", &["--summary", "seen by bob"]);
    assert_eq!(id_a, id_b, "the same ID in both clones before sync");
    b.inc().args(["note", &id_b, "bob's first look"]).ok();
    a.inc().arg("sync").ok();
    let run = b.inc().arg("sync").ok();
    let renamed = format!("{id_b}-2");
    assert!(
        run.stderr.contains(&format!(
            "Renamed {id_b} to {renamed}: origin/main already has"
        )),
        "{run}"
    );
    assert_eq!(remote_ids(&bare), vec![id_a.clone(), renamed.clone()]);
    a.inc().arg("sync").ok();
    for repo in [&a, &b] {
        assert_eq!(
            repo.git_status(),
            "",
            "work tree and index follow the rename"
        );
        let first = repo.show(&id_a);
        assert_eq!(first.severity.as_deref(), Some("SEV3"));
        let second = repo.show(&renamed);
        assert_eq!(second.severity.as_deref(), Some("SEV2"));
        assert!(
            second
                .events
                .iter()
                .any(|e| e.str("text") == Some("bob's first look"))
        );
        assert!(
            repo.read(TestRepo::header_path(&renamed))
                .contains("seen by bob")
        );
        repo.inc().arg("check").ok();
    }
    // Every rewritten commit names the new ID.
    let log = b.git(&["log", "--format=%s%n%b", "-2"]);
    assert_eq!(log.matches(&format!("inc({renamed})")).count(), 2, "{log}");
    assert_eq!(
        log.matches(&format!("Inc-Id: {renamed}\n")).count(),
        2,
        "{log}"
    );
}

#[test]
fn a_real_conflict_stops_with_the_file_named_and_the_rebase_left_for_git_status() {
    let (_bare, a, b) = remote_and_two_clones();
    let id = shared_incident(&a, &b);
    let header = TestRepo::header_path(&id);
    for (repo, title) in [(&a, "Checkout down (alice)"), (&b, "Checkout down (bob)")] {
        let text = repo
            .read(&header)
            .replace("title: Checkout returns 500s", &format!("title: {title}"));
        repo.write(&header, &text);
        repo.git(&["commit", "-q", "-am", "retitle"]);
    }
    let local = b.git(&["rev-parse", "HEAD"]);
    a.inc().arg("sync").ok();
    let run = b.inc().arg("sync").fails();
    assert!(
        run.stderr
            .contains(&format!("stopped at a conflict in:\n  {header}\n")),
        "{run}"
    );
    assert!(run.stderr.contains("git rebase --continue"), "{run}");
    assert!(run.stderr.contains("git rebase --abort"), "{run}");
    let status = b.git(&["status"]);
    assert!(status.contains("rebase in progress"), "{status}");
    assert_eq!(
        b.git(&["rev-parse", "refs/heads/main"]),
        local,
        "the branch still holds the local commit"
    );
    // inc refuses to go on until the rebase is finished or aborted.
    b.inc()
        .arg("sync")
        .fails()
        .stderr_has(&["a rebase is in progress"]);
    b.git(&["rebase", "--abort"]);
    assert_eq!(b.git(&["rev-parse", "HEAD"]), local);
}

#[test]
fn the_user_s_uncommitted_work_survives_a_sync() {
    let (bare, a, b) = remote_and_two_clones();
    a.write("runbook.md", "# Runbook\n");
    a.commit_all("add runbook");
    let id = shared_incident(&a, &b);
    a.inc().args(["note", &id, "from alice"]).ok();
    a.inc().arg("sync").ok();

    b.inc().args(["note", &id, "from bob"]).ok();
    b.write("runbook.md", "# Runbook\n\nStep 1: half written\n");
    b.write("scratch.txt", "untracked notes\n");
    b.git(&["add", "scratch.txt"]);
    b.inc().arg("sync").ok();
    assert_eq!(b.read("runbook.md"), "# Runbook\n\nStep 1: half written\n");
    assert_eq!(b.read("scratch.txt"), "untracked notes\n");
    let status = b.git_status();
    assert!(status.contains(" M runbook.md"), "{status}");
    assert!(status.contains("A  scratch.txt"), "{status}");
    assert_eq!(
        remote_file(&bare, "runbook.md"),
        "# Runbook\n",
        "uncommitted work is not pushed"
    );
    let timeline = remote_file(&bare, &TestRepo::timeline_path(&id));
    assert!(timeline.contains("from alice") && timeline.contains("from bob"));
}

/// A receive-pack wrapper that commits on the remote's `main` just before
/// every push, so every push finds that someone pushed first.
fn always_moving(bare: &TestRepo, repo: &TestRepo) -> PathBuf {
    let count = bare.base().join("pushes");
    let script = bare.base().join("receive-pack");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nset -e\necho push >> '{count}'\n\
             export GIT_AUTHOR_NAME=bot GIT_AUTHOR_EMAIL=bot@example.com \
             GIT_COMMITTER_NAME=bot GIT_COMMITTER_EMAIL=bot@example.com\n\
             tip=$(git --git-dir=\"$1\" rev-parse refs/heads/main)\n\
             new=$(git --git-dir=\"$1\" commit-tree \"$tip^{{tree}}\" -p \"$tip\" -m 'someone else')\n\
             git --git-dir=\"$1\" update-ref refs/heads/main \"$new\"\n\
             exec git receive-pack \"$1\"\n",
            count = count.display()
        ),
    )
    .unwrap();
    make_executable(&script);
    repo.git(&[
        "config",
        "remote.origin.receivepack",
        script.to_str().unwrap(),
    ]);
    count
}

#[cfg(unix)]
fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[cfg(unix)]
#[test]
fn retries_are_bounded_and_the_local_commits_stay() {
    let (bare, a, b) = remote_and_two_clones();
    let id = shared_incident(&a, &b);
    a.inc().args(["note", &id, "kept safe"]).ok();
    let count = always_moving(&bare, &a);
    let run = a.inc().args(["sync", "--retries", "2"]).fails();
    assert!(
        run.stderr.contains(
            "the push to origin/main was rejected 3 times because others pushed first each time"
        ),
        "{run}"
    );
    assert!(run.stderr.contains("fetch first"), "git's words: {run}");
    assert!(run.stderr.contains("run `inc sync` again"), "{run}");
    assert_eq!(std::fs::read_to_string(&count).unwrap().lines().count(), 3);
    assert!(notes(&a, &id).contains("kept safe"));
    assert_eq!(a.git_status(), "");
    assert!(
        !remote_file(&bare, &TestRepo::timeline_path(&id)).contains("kept safe"),
        "nothing got through"
    );
}

#[cfg(unix)]
#[test]
fn a_declined_push_fails_at_once_quoting_git() {
    let (bare, a, b) = remote_and_two_clones();
    let id = shared_incident(&a, &b);
    a.inc().args(["note", &id, "not yet pushed"]).ok();
    let count = bare.base().join("hook-runs");
    let hook = bare.path("hooks/pre-receive");
    std::fs::write(
        &hook,
        format!(
            "#!/bin/sh\necho run >> '{}'\necho 'policy: pushes are frozen \x1b[31mtoday' >&2\nexit 1\n",
            count.display()
        ),
    )
    .unwrap();
    make_executable(&hook);
    let run = a.inc().arg("sync").fails();
    assert!(
        run.stderr.contains("policy: pushes are frozen [31mtoday"),
        "git's words, control characters stripped: {run}"
    );
    assert!(!run.stderr.contains('\x1b'));
    assert!(run.stderr.contains("your commits are safe"), "{run}");
    assert_eq!(std::fs::read_to_string(&count).unwrap().lines().count(), 1);
    assert!(notes(&a, &id).contains("not yet pushed"));
}

#[test]
fn sync_without_a_remote_says_how_to_add_one() {
    let repo = TestRepo::new();
    repo.inc().arg("sync").fails().stderr_has(&[
        "there is no git remote `origin`",
        "git remote add origin URL",
    ]);
}

#[test]
fn alert_push_refuses_no_commit_and_does_not_push_a_dry_run() {
    let (bare, a, _b) = remote_and_two_clones();
    let payload = fixture("alertmanager-firing.json");
    a.inc()
        .args(["--no-commit", "alert", "--push"])
        .arg(&payload)
        .usage();
    let before = bare.git(&["rev-parse", "main"]);
    let run = a
        .inc()
        .args(["alert", "--push", "--dry-run"])
        .arg(&payload)
        .ok();
    assert!(run.stderr.contains("nothing is pushed"), "{run}");
    assert!(run.stdout.starts_with("open "), "{run}");
    assert_eq!(bare.git(&["rev-parse", "main"]), before);
}

#[test]
fn a_garbage_payload_fails_before_any_sync() {
    // No remote at all: reaching the sync would fail differently.
    let repo = TestRepo::new();
    let commits = repo.commit_count();
    let run = repo
        .inc()
        .args(["alert", "--push", "-"])
        .stdin("{\"not\": \"an alert\"}")
        .fails();
    assert!(!run.stderr.contains("remote"), "{run}");
    assert_eq!(repo.commit_count(), commits);
}

// ----- examples/alerts -----

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/alerts")
        .join(name)
}

/// A spool folder holding `payloads` as (file name, fixture or text).
fn spool_with(repo: &TestRepo, payloads: &[(&str, &str)]) -> PathBuf {
    let spool = repo.base().join("spool");
    std::fs::create_dir_all(&spool).unwrap();
    for (name, source) in payloads {
        let text = match source.strip_prefix("fixture:") {
            Some(f) => std::fs::read_to_string(fixture(f)).unwrap(),
            None => (*source).to_owned(),
        };
        std::fs::write(spool.join(name), text).unwrap();
    }
    spool
}

/// Runs the cron script of examples/alerts on `spool` for clone `repo`,
/// with inc on PATH.
fn run_spool_script(repo: &TestRepo, spool: &Path) -> Output {
    let bin_dir = crate::harness::inc_bin().parent().unwrap();
    let mut cmd = std::process::Command::new("sh");
    cmd.env_clear();
    for (k, v) in repo.git_command().get_envs() {
        if let Some(v) = v {
            cmd.env(k, v);
        }
    }
    cmd.env("PATH", path_with_inc(bin_dir))
        .env("INC_NOW", crate::harness::NOW)
        .env("INC_AUTHOR", "alertmanager")
        .arg(example("inc-alert-spool.sh"))
        .arg(spool)
        .arg(&repo.root)
        .current_dir(repo.base())
        .stdin(Stdio::null())
        .output()
        .expect("run sh")
}

fn path_with_inc(bin_dir: &Path) -> String {
    format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

fn json_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".json"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[cfg(unix)]
#[test]
fn the_cron_script_pushes_each_payload_and_sets_aside_a_bad_one() {
    let (bare, a, _b) = remote_and_two_clones();
    let spool = spool_with(
        &a,
        &[
            ("001.json", "fixture:alertmanager-firing.json"),
            ("002.json", "fixture:pagerduty-trigger.json"),
            ("003.json", "{\"not\": \"an alert\"}"),
        ],
    );
    let out = run_spool_script(&a, &spool);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a payload was rejected: {stderr}"
    );
    assert_eq!(json_files(&spool), Vec::<String>::new(), "{stderr}");
    assert_eq!(json_files(&spool.join("rejected")), ["003.json"]);
    assert_eq!(
        remote_ids(&bare).len(),
        2,
        "both good payloads are upstream"
    );
    assert_eq!(a.git_status(), "");

    // Nothing left: a quiet success.
    let again = run_spool_script(&a, &spool);
    assert_eq!(again.status.code(), Some(0));
}

#[cfg(unix)]
#[test]
fn the_cron_script_keeps_what_it_could_not_push_for_the_next_run() {
    let (bare, a, _b) = remote_and_two_clones();
    let hook = bare.path("hooks/pre-receive");
    std::fs::write(
        &hook,
        "#!/bin/sh\necho 'remote down for maintenance' >&2\nexit 1\n",
    )
    .unwrap();
    make_executable(&hook);
    let spool = spool_with(
        &a,
        &[
            ("001.json", "fixture:alertmanager-firing.json"),
            ("002.json", "fixture:pagerduty-trigger.json"),
        ],
    );
    let out = run_spool_script(&a, &spool);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("remote down for maintenance"), "{stderr}");
    assert_eq!(
        json_files(&spool),
        ["001.json", "002.json"],
        "both kept, in order"
    );
    assert!(remote_ids(&bare).is_empty());

    std::fs::remove_file(&hook).unwrap();
    let out = run_spool_script(&a, &spool);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(json_files(&spool).is_empty());
    assert_eq!(
        remote_ids(&bare).len(),
        2,
        "the kept commit and the next payload"
    );
}

#[cfg(unix)]
#[test]
fn the_cron_script_leaves_the_spool_to_a_run_still_busy() {
    let (bare, a, _b) = remote_and_two_clones();
    let spool = spool_with(&a, &[("001.json", "fixture:alertmanager-firing.json")]);
    let lock = std::fs::File::create(spool.join(".lock")).unwrap();
    lock.lock().unwrap();
    let out = run_spool_script(&a, &spool);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("another run is still busy"));
    assert_eq!(json_files(&spool), ["001.json"]);
    assert!(remote_ids(&bare).is_empty());
}

fn yaml(name: &str) -> serde_yaml::Value {
    let text = std::fs::read_to_string(example(name)).unwrap();
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn the_github_workflow_parses_and_pushes_the_dispatched_payload() {
    let workflow = yaml("inc-alert.yml");
    assert_eq!(
        workflow["on"]["repository_dispatch"]["types"][0].as_str(),
        Some("alertmanager")
    );
    assert_eq!(workflow["permissions"]["contents"].as_str(), Some("write"));
    assert!(
        workflow.get("concurrency").is_none(),
        "a concurrency group cancels pending runs: alerts would be lost"
    );
    let steps = workflow["jobs"]["alert"]["steps"].as_sequence().unwrap();
    let runs: Vec<&str> = steps.iter().filter_map(|s| s["run"].as_str()).collect();
    assert!(
        runs.iter()
            .any(|r| r.contains("inc alert --push \"$RUNNER_TEMP/alert.json\""))
    );
    let payload = steps
        .iter()
        .find_map(|s| s["env"]["PAYLOAD"].as_str())
        .expect("a step writes the payload from the environment");
    assert_eq!(payload, "${{ toJSON(github.event.client_payload.alert) }}");
    // The relay puts the body under the key the workflow reads.
    let relay = std::fs::read_to_string(example("relay.py")).unwrap();
    assert!(relay.contains("\"client_payload\": {\"alert\": body}"));
    assert!(relay.contains("\"event_type\": \"alertmanager\""));
}

#[test]
fn the_alertmanager_example_parses_and_routes_to_the_relay() {
    let config = yaml("alertmanager.yml");
    let receivers = config["receivers"].as_sequence().unwrap();
    let inc = receivers
        .iter()
        .find(|r| r["name"].as_str() == Some("inc-incidents"))
        .expect("the inc receiver");
    let hook = &inc["webhook_configs"][0];
    assert!(hook["url"].as_str().unwrap().starts_with("http://"));
    assert_eq!(hook["send_resolved"].as_bool(), Some(true));
    let routes = config["route"]["routes"].as_sequence().unwrap();
    assert!(
        routes
            .iter()
            .any(|r| r["receiver"].as_str() == Some("inc-incidents"))
    );
}

#[test]
fn the_python_examples_compile_when_python_is_here() {
    let Ok(out) = std::process::Command::new("python3")
        .arg("-c")
        .arg("import ast, sys\nfor f in sys.argv[1:]: ast.parse(open(f).read(), f)")
        .arg(example("relay.py"))
        .arg(example("spool-receiver.py"))
        .output()
    else {
        eprintln!("python3 is not installed: relay.py and spool-receiver.py not checked");
        return;
    };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
