//! `inc suspects`: commits around the impact, in this repository and in
//! side repositories made here with git at controlled committer times.

use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

use serde::Deserialize;

use crate::harness::TestRepo;

/// `inc suspects --json`, as a test reads it.
#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct SuspectJson {
    repo: String,
    sha: String,
    time: String,
    author: String,
    email: Option<String>,
    subject: String,
}

/// git in `dir` with the test environment.
fn git_in(repo: &TestRepo, dir: &Path) -> StdCommand {
    let mut cmd = repo.git_command();
    cmd.current_dir(dir);
    cmd
}

fn run_git(mut cmd: StdCommand) -> String {
    let out = cmd.output().expect("run git");
    assert!(
        out.status.success(),
        "git failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The `web` side repository with one commit a week before the window.
fn quiet_web(repo: &TestRepo) -> PathBuf {
    let web = side_repo(repo, "web");
    commit_at(
        repo,
        &web,
        "2026-11-20T10:00:00Z",
        "carol",
        "Old web change",
    );
    web
}

/// A side repository `name` next to the incident repository (`../name`).
fn side_repo(repo: &TestRepo, name: &str) -> PathBuf {
    let dir = repo.base().join(name);
    std::fs::create_dir_all(&dir).unwrap();
    for args in [
        &["init", "-q", "-b", "main"][..],
        &["config", "user.name", "bob"],
        &["config", "user.email", "bob@example.com"],
        &["config", "commit.gpgsign", "false"],
    ] {
        run_git({
            let mut c = git_in(repo, &dir);
            c.args(args);
            c
        });
    }
    dir
}

/// An empty commit in `dir` by `author`, committed at `at` (UTC); returns
/// its sha.
fn commit_at(repo: &TestRepo, dir: &Path, at: &str, author: &str, subject: &str) -> String {
    let mut c = git_in(repo, dir);
    c.env("GIT_COMMITTER_DATE", at)
        .env("GIT_AUTHOR_DATE", at)
        .args(["-c", &format!("user.name={author}")])
        .args(["commit", "-q", "--allow-empty", "-m", subject]);
    run_git(c);
    let mut c = git_in(repo, dir);
    c.args(["rev-parse", "HEAD"]);
    run_git(c).trim().to_owned()
}

/// Commits `inc.yaml` a week before the incidents (out of every window).
fn configure(repo: &TestRepo, config: &str) {
    repo.write("inc.yaml", config);
    repo.git(&["add", "-A"]);
    let mut c = repo.git_command();
    c.env("GIT_COMMITTER_DATE", "2026-11-20T10:00:00Z").args([
        "commit",
        "-q",
        "-m",
        "configure inc",
    ]);
    run_git(c);
}

/// An incident opened at 10:30 whose impact started at 10:00 and that was
/// mitigated (monitoring) at 11:30, so the window is 08:00–11:30; inc.yaml
/// lists `../api` and `../web`. The inc commits are at 10:30 and 11:30,
/// inside the window.
fn incident(repo: &TestRepo) -> String {
    configure(
        repo,
        "timezone: UTC\nsuspects:\n  repos:\n    - ../api\n    - path: ../web\n      ref: main\n",
    );
    let out = repo
        .inc()
        .now("2026-11-27T10:30:00Z")
        .args(["open", "Checkout returns 500s", "-s", "SEV2"])
        .args(["--started", "2026-11-27T10:00:00Z"])
        .ok();
    let id = out.stdout.trim().to_owned();
    repo.inc()
        .now("2026-11-27T11:30:00Z")
        .args(["status", &id, "monitoring"])
        .ok();
    id
}

/// The side repositories of [`incident`] with commits before, in and
/// after the window.
fn scene(repo: &TestRepo) -> String {
    let id = incident(repo);
    let api = side_repo(repo, "api");
    commit_at(
        repo,
        &api,
        "2026-11-27T06:59:00Z",
        "bob",
        "Too early: lint fixes",
    );
    commit_at(
        repo,
        &api,
        "2026-11-27T08:30:00Z",
        "bob",
        "Raise DB pool size to 80",
    );
    commit_at(
        repo,
        &api,
        "2026-11-27T09:45:00Z",
        "dana",
        "Deploy checkout 4f2a",
    );
    commit_at(
        repo,
        &api,
        "2026-11-27T11:45:00Z",
        "bob",
        "After mitigation: revert pool size",
    );
    let web = side_repo(repo, "web");
    commit_at(
        repo,
        &web,
        "2026-11-27T10:15:00Z",
        "carol",
        "Change CDN cache rules",
    );
    // A change in the incident repository itself, by hand.
    repo.write("runbooks/checkout.md", "restart the pods\n");
    repo.git(&["add", "-A"]);
    let mut c = repo.git_command();
    c.env("GIT_COMMITTER_DATE", "2026-11-27T09:00:00Z").args([
        "commit",
        "-q",
        "-m",
        "Runbook: checkout restarts",
    ]);
    run_git(c);
    id
}

fn suspects_json(repo: &TestRepo, args: &[&str]) -> Vec<SuspectJson> {
    let out = repo.inc().args(["suspects", "--json"]).args(args).ok();
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}\n{out}"))
}

fn subjects(list: &[SuspectJson]) -> Vec<&str> {
    list.iter().map(|s| s.subject.as_str()).collect()
}

#[test]
fn lists_the_window_newest_first_without_incs_own_commits() {
    let repo = TestRepo::new();
    scene(&repo);
    let list = suspects_json(&repo, &[]);
    assert_eq!(
        subjects(&list),
        [
            "Change CDN cache rules",
            "Deploy checkout 4f2a",
            "Runbook: checkout restarts",
            "Raise DB pool size to 80",
        ]
    );
    let repos: Vec<&str> = list.iter().map(|s| s.repo.as_str()).collect();
    assert_eq!(repos, ["web", "api", "repo", "api"]);
    assert_eq!(list[0].time, "2026-11-27T10:15:00Z");
    assert_eq!(list[1].author, "dana");
    assert_eq!(list[1].email.as_deref(), Some("bob@example.com"));
    assert_eq!(list[1].sha.len(), 40);
}

#[test]
fn the_table_and_the_window_line() {
    let repo = TestRepo::new();
    scene(&repo);
    let out = repo.inc().args(["suspects"]).ok();
    let shas = ["api", "web"]
        .iter()
        .flat_map(|name| {
            let mut c = git_in(&repo, &repo.base().join(name));
            c.args(["log", "--format=%h"]);
            run_git(c).lines().map(str::to_owned).collect::<Vec<_>>()
        })
        .chain(repo.git(&["log", "--format=%h"]).lines().map(str::to_owned))
        .collect::<Vec<_>>();
    let mut text = out.snapshot(&repo);
    for (i, sha) in shas.iter().enumerate() {
        text = text.replace(sha.as_str(), &format!("[sha{i}]"));
    }
    insta::assert_snapshot!(text);
}

#[test]
fn json_snapshot() {
    let repo = TestRepo::new();
    let id = incident(&repo);
    quiet_web(&repo);
    let api = side_repo(&repo, "api");
    let sha = commit_at(
        &repo,
        &api,
        "2026-11-27T09:45:00Z",
        "dana",
        "Deploy checkout 4f2a",
    );
    let out = repo.inc().args(["suspects", &id, "--json"]).ok();
    insta::assert_snapshot!(out.snapshot(&repo).replace(&sha, "[sha]"));
}

#[test]
fn before_widens_or_narrows_the_window() {
    let repo = TestRepo::new();
    scene(&repo);
    let list = suspects_json(&repo, &["--before", "10m"]);
    assert_eq!(subjects(&list), ["Change CDN cache rules"]);
    let list = suspects_json(&repo, &["--before", "4h"]);
    assert_eq!(list.len(), 5);
    assert_eq!(list[4].subject, "Too early: lint fixes");
    // inc.yaml's `before` is the default the flag overrides.
    repo.append("inc.yaml", "  before: 1h\n");
    let list = suspects_json(&repo, &[]);
    assert_eq!(
        subjects(&list),
        [
            "Change CDN cache rules",
            "Deploy checkout 4f2a",
            "Runbook: checkout restarts",
        ],
        "09:00 is the start: in"
    );
    let err = repo.inc().args(["suspects", "--before", "soon"]).fails();
    assert!(
        err.stderr.contains("--before: `soon` is not a duration"),
        "{err}"
    );
}

#[test]
fn an_open_incident_runs_to_now() {
    let repo = TestRepo::new();
    configure(&repo, "suspects:\n  repos: [../api]\n");
    let api = side_repo(&repo, "api");
    commit_at(&repo, &api, "2026-11-27T11:59:00Z", "bob", "Just now");
    commit_at(
        &repo,
        &api,
        "2026-11-27T09:59:00Z",
        "bob",
        "Before the window",
    );
    repo.open("Checkout returns 500s", "SEV2");
    let out = repo.inc().args(["suspects"]).ok();
    assert!(
        out.stdout
            .starts_with("Commits from 2026-11-27 10:00 to 12:00 UTC (2h before impact to now)\n"),
        "{out}"
    );
    assert!(out.stdout.contains("Just now"), "{out}");
    assert!(!out.stdout.contains("Before the window"), "{out}");
}

#[test]
fn nothing_found_says_so_with_the_window() {
    let repo = TestRepo::new();
    let id = incident(&repo);
    side_repo(&repo, "api");
    quiet_web(&repo);
    let out = repo.inc().args(["suspects", &id]).ok();
    assert_eq!(
        out.stdout,
        "Commits from 2026-11-27 08:00 to 11:30 UTC (2h before impact to mitigation)\n\
         No commits in that window.\n"
    );
    assert_eq!(suspects_json(&repo, &[]), []);
}

#[test]
fn a_missing_repository_warns_and_the_others_are_listed() {
    let repo = TestRepo::new();
    incident(&repo);
    let api = side_repo(&repo, "api");
    commit_at(
        &repo,
        &api,
        "2026-11-27T09:45:00Z",
        "dana",
        "Deploy checkout 4f2a",
    );
    // ../web does not exist.
    let out = repo.inc().args(["suspects"]).ok();
    assert!(out.stdout.contains("Deploy checkout 4f2a"), "{out}");
    assert!(
        out.stderr.contains("warning: ")
            && out
                .stderr
                .contains("inc.yaml:5: suspects repository `../web`")
            && out.stderr.contains("there is no such folder"),
        "{out}"
    );
    // A folder that is not a git repository, inside one that is: not
    // read as the repository around it.
    std::fs::create_dir_all(repo.path("web")).unwrap();
    repo.write("inc.yaml", "suspects:\n  repos:\n    - web\n    - ../api\n");
    let out = repo.inc().args(["suspects"]).ok();
    assert!(
        out.stderr.contains("inc.yaml:3: suspects repository `web`"),
        "{out}"
    );
    assert!(out.stderr.contains("it is not a git repository"), "{out}");
    assert!(out.stdout.contains("Deploy checkout 4f2a"), "{out}");
    // A ref that doesn't exist.
    repo.write(
        "inc.yaml",
        "suspects:\n  repos:\n    - {path: ../api, ref: origin/main}\n",
    );
    let out = repo.inc().args(["suspects"]).ok();
    assert!(
        out.stderr.contains("`origin/main` names no commit"),
        "{out}"
    );
}

#[test]
fn nothing_readable_at_all_is_an_error() {
    let repo = TestRepo::plain();
    repo.inc().args(["init", "--no-commit"]).ok();
    repo.write("inc.yaml", "suspects:\n  repos: [../nowhere]\n");
    let out = repo
        .inc()
        .args(["open", "x", "-s", "SEV3", "--no-commit"])
        .ok();
    let id = out.stdout.trim().to_owned();
    let err = repo.inc().args(["suspects", &id]).run().code(1);
    assert!(
        err.stderr.contains("\nerror: none of the repositories"),
        "{err}"
    );
}

#[test]
fn a_ref_is_read_instead_of_head() {
    let repo = TestRepo::new();
    incident(&repo);
    side_repo(&repo, "api");
    let web = side_repo(&repo, "web");
    commit_at(&repo, &web, "2026-11-27T09:00:00Z", "carol", "On main");
    let mut c = git_in(&repo, &web);
    c.args(["checkout", "-q", "-b", "feature"]);
    run_git(c);
    commit_at(
        &repo,
        &web,
        "2026-11-27T09:30:00Z",
        "carol",
        "Only on the feature branch",
    );
    // inc.yaml reads web at `main`, while web's HEAD is `feature`.
    assert_eq!(subjects(&suspects_json(&repo, &[])), ["On main"]);
}

#[test]
fn merges_are_listed_with_the_commits_they_bring() {
    let repo = TestRepo::new();
    incident(&repo);
    quiet_web(&repo);
    let api = side_repo(&repo, "api");
    commit_at(&repo, &api, "2026-11-20T09:00:00Z", "bob", "Old base");
    let mut c = git_in(&repo, &api);
    c.args(["checkout", "-q", "-b", "fix"]);
    run_git(c);
    commit_at(
        &repo,
        &api,
        "2026-11-25T09:00:00Z",
        "bob",
        "Branch work, days old",
    );
    commit_at(
        &repo,
        &api,
        "2026-11-27T09:10:00Z",
        "bob",
        "Branch work, in the window",
    );
    let mut c = git_in(&repo, &api);
    c.args(["checkout", "-q", "main"]);
    run_git(c);
    commit_at(
        &repo,
        &api,
        "2026-11-27T09:00:00Z",
        "dana",
        "Mainline change",
    );
    let mut c = git_in(&repo, &api);
    c.env("GIT_COMMITTER_DATE", "2026-11-27T09:20:00Z").args([
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "Merge branch 'fix'",
        "fix",
    ]);
    run_git(c);
    assert_eq!(
        subjects(&suspects_json(&repo, &[])),
        [
            "Merge branch 'fix'",
            "Branch work, in the window",
            "Mainline change",
        ]
    );
}

/// 2000 commits a month before the window, loose, and one of them in the
/// middle deleted: a walk that read the whole history would fail on it.
#[test]
fn a_long_history_is_not_walked_whole() {
    let repo = TestRepo::new();
    incident(&repo);
    quiet_web(&repo);
    let api = side_repo(&repo, "api");
    let mut script = String::new();
    let base = 1_793_000_000_i64; // 2026-10-26, a month before
    for i in 0..2000 {
        script.push_str(&format!(
            "commit refs/heads/main\nmark :{}\ncommitter old <old@example.com> {} +0000\ndata 6\nold {}\n",
            i + 1,
            base + i * 60,
            i % 10
        ));
        if i > 0 {
            script.push_str(&format!("from :{i}\n"));
        }
        script.push('\n');
    }
    let mut c = git_in(&repo, &api);
    c.args([
        "-c",
        "fastimport.unpackLimit=100000",
        "fast-import",
        "--quiet",
    ])
    .stdin(std::process::Stdio::piped())
    .stdout(std::process::Stdio::null());
    let mut child = c.spawn().unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), script.as_bytes()).unwrap();
    assert!(child.wait().unwrap().success());
    let mut c = git_in(&repo, &api);
    c.args(["rev-parse", "main~1000"]);
    let middle = run_git(c).trim().to_owned();
    let loose = api
        .join(".git/objects")
        .join(&middle[..2])
        .join(&middle[2..]);
    assert!(loose.exists(), "the commits are loose objects");
    commit_at(
        &repo,
        &api,
        "2026-11-27T09:45:00Z",
        "dana",
        "Deploy checkout 4f2a",
    );
    std::fs::remove_file(&loose).unwrap();
    let mut c = git_in(&repo, &api);
    c.args(["log", "--format=%s"]);
    assert!(
        !c.output().unwrap().status.success(),
        "the full history is broken"
    );
    let out = repo.inc().args(["suspects"]).ok();
    assert!(out.stdout.contains("Deploy checkout 4f2a"), "{out}");
    assert_eq!(out.stderr, "", "nothing failed to read: {out}");
}

#[test]
fn note_records_the_chosen_commits_in_one_commit() {
    let repo = TestRepo::new();
    let id = scene(&repo);
    // #1 is the oldest (Raise DB pool size), #4 the newest (CDN).
    let mark = repo.mark(&id);
    let out = repo.inc().args(["suspects", &id, "--note", "4", "1"]).ok();
    let events = repo.appended(&mark, &id);
    assert_eq!(events.len(), 1);
    let mut c = git_in(&repo, &repo.base().join("web"));
    c.args(["log", "-1", "--format=%h"]);
    let web_sha = run_git(c).trim().to_owned();
    let mut c = git_in(&repo, &repo.base().join("api"));
    c.args(["log", "--format=%h", "--grep=Raise"]);
    let api_sha = run_git(c).trim().to_owned();
    assert_eq!(events[0]["type"], "note");
    assert_eq!(
        events[0]["text"],
        format!(
            "suspect: web@{web_sha} Change CDN cache rules (carol)\n\
             suspect: api@{api_sha} Raise DB pool size to 80 (bob)"
        )
    );
    assert!(out.stderr.contains("Noted 2 suspects on"), "{out}");
    assert_eq!(repo.head_trailer("Inc-Event"), ["note"]);
    // A sha prefix works too; the note is inc's own and is never a suspect.
    let mark = repo.mark(&id);
    repo.inc().args(["suspects", &id, "--note", &web_sha]).ok();
    assert_eq!(repo.appended(&mark, &id).len(), 1);
    assert_eq!(suspects_json(&repo, &[&id]).len(), 4);
}

#[test]
fn a_bad_note_number_records_nothing() {
    let repo = TestRepo::new();
    let id = scene(&repo);
    let before = repo.state();
    for bad in ["9", "0", "deadbeefdead", "checkout"] {
        let err = repo
            .inc()
            .args(["suspects", &id, "--note", "1", bad])
            .fails();
        assert!(
            err.stderr.contains("hint: pass numbers from 1 to 4"),
            "{err}"
        );
        assert!(err.stderr.contains("nothing was recorded"), "{err}");
        repo.assert_unchanged(&before);
    }
}

#[test]
fn hostile_subjects_are_made_safe() {
    let repo = TestRepo::new();
    let id = incident(&repo);
    quiet_web(&repo);
    let api = side_repo(&repo, "api");
    // A subject with a terminal escape, a bell, a bidi override, and
    // bytes that are not UTF-8.
    let mut subject = b"Deploy \x1b]0;pwned\x07\x1b[2J\xe2\x80\xae evil \xff\xfe ".to_vec();
    subject.extend(b"x".repeat(500));
    let msg = repo.base().join("msg");
    std::fs::write(&msg, &subject).unwrap();
    let mut c = git_in(&repo, &api);
    c.env("GIT_COMMITTER_DATE", "2026-11-27T09:45:00Z")
        .args(["-c", "i18n.commitEncoding=latin1"])
        .args(["commit", "-q", "--allow-empty", "--cleanup=verbatim", "-F"])
        .arg(&msg);
    run_git(c);
    let out = repo.inc().args(["suspects"]).ok();
    for bad in ['\x1b', '\x07', '\u{202e}'] {
        assert!(!out.stdout.contains(bad), "{bad:?} in {out}");
    }
    let row = out.stdout.lines().nth(2).unwrap();
    assert!(row.contains("Deploy ]0;pwned[2J evil"), "{out}");
    assert!(row.ends_with('…') && row.chars().count() < 200, "{out}");
    let mark = repo.mark(&id);
    repo.inc().args(["suspects", "--note", "1"]).ok();
    let events = repo.appended(&mark, &id);
    let text = events[0]["text"].as_str().unwrap();
    assert!(
        !text.contains('\x1b') && !text.contains('\u{202e}'),
        "{text}"
    );
    assert!(text.chars().count() < 300, "{text}");
}

#[test]
fn the_config_section_is_checked() {
    let repo = TestRepo::new();
    repo.open("Checkout returns 500s", "SEV2");
    for (config, want) in [
        (
            "suspects:\n  repos: [../api]\n  befor: 2h\n",
            "inc.yaml:3:3: suspects: unknown field `befor`",
        ),
        (
            "suspects:\n  repos:\n    - {path: ../api, reff: main}\n",
            "unknown field `reff`",
        ),
        (
            "name: x\nsuspects:\n  before: soon\n",
            "inc.yaml:3: suspects.before: `soon` is not a duration",
        ),
        (
            "suspects:\n  repos:\n    - ''\n",
            "inc.yaml:3: suspects.repos has an empty path",
        ),
        ("suspects:\n  repos: ../api\n", "inc.yaml:2:"),
    ] {
        repo.write("inc.yaml", config);
        let err = repo.inc().args(["suspects"]).fails();
        assert!(err.stderr.contains(want), "{config}: {err}");
        let check = repo.inc().args(["check"]).run();
        assert_eq!(check.code, 3, "inc check reports it too: {check}");
    }
    repo.write(
        "inc.yaml",
        "suspects:\n  before: 90m\n  repos:\n    - ../api\n    - {path: '~/src/web', ref: origin/main}\n",
    );
    let out = repo.inc().args(["suspects"]).ok();
    assert!(out.stdout.contains("(1h30m before impact to now)"), "{out}");
    // `~/` is the home folder.
    assert!(
        out.stderr.contains(&format!(
            "({}) can't be read",
            repo.home.join("src/web").display()
        )),
        "{out}"
    );
}

/// A CI checkout is often shallow: its history ends where it was cut,
/// without an error (libgit2 reads `.git/shallow`).
#[test]
fn a_shallow_clone_ends_where_it_was_cut() {
    let repo = TestRepo::new();
    incident(&repo);
    quiet_web(&repo);
    let full = side_repo(&repo, "api-full");
    commit_at(&repo, &full, "2026-11-27T08:10:00Z", "bob", "Cut away");
    commit_at(
        &repo,
        &full,
        "2026-11-27T09:45:00Z",
        "dana",
        "Deploy checkout 4f2a",
    );
    let mut c = repo.git_command();
    c.current_dir(repo.base()).args([
        "clone",
        "-q",
        "--depth",
        "1",
        &format!("file://{}", full.display()),
        "api",
    ]);
    run_git(c);
    assert!(repo.base().join("api/.git/shallow").exists());
    let out = repo.inc().args(["suspects"]).ok();
    assert_eq!(out.stderr, "", "{out}");
    assert!(out.stdout.contains("Deploy checkout 4f2a"), "{out}");
    assert!(!out.stdout.contains("Cut away"), "{out}");
}

/// On a terminal the subject is cut to its width (90 columns here), not to
/// the 80 characters of a pipe.
#[cfg(unix)]
#[test]
fn the_subject_is_cut_to_the_terminal_width() {
    let repo = TestRepo::new();
    incident(&repo);
    quiet_web(&repo);
    let api = side_repo(&repo, "api");
    let subject = format!("Deploy {}", "word ".repeat(40));
    commit_at(&repo, &api, "2026-11-27T09:45:00Z", "dana", &subject);
    let inc = repo.std_command();
    let mut cmd = StdCommand::new("sh");
    cmd.env_clear();
    for (k, v) in inc.get_envs() {
        if let Some(v) = v {
            cmd.env(k, v);
        }
    }
    cmd.env("NO_COLOR", "1").current_dir(&repo.root).args([
        "-c",
        &format!(
            "stty cols 90 rows 24; exec '{}' suspects",
            crate::harness::inc_bin().display()
        ),
    ]);
    let mut session = rexpect::session::spawn_command(cmd, Some(15_000)).expect("a pty");
    let out = session.exp_eof().expect("inc ends");
    // rexpect reads bytes as Latin-1.
    let out = String::from_utf8(out.chars().map(|c| c as u8).collect()).expect("UTF-8");
    let row = out
        .lines()
        .find(|l| l.contains("Deploy word"))
        .unwrap_or_else(|| panic!("{out}"));
    let row = row.trim_end_matches('\r');
    assert!(row.ends_with('…'), "{out}");
    assert!(
        row.chars().count() <= 90,
        "{} columns: {out}",
        row.chars().count()
    );
    assert!(row.chars().count() > 80, "the width is used: {out}");
}
