//! Hooks: run after the commit with the event on stdin, in order, failures
//! and timeouts reported (exit 0, the event kept), children killed,
//! skipped with --no-hooks, and never run from a clone that has not
//! trusted them. `inc hooks list|trust|test`.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::harness::{NOW, TestRepo};

/// A repository whose inc.yaml has `hooks` (YAML, indented under `hooks:`),
/// with a folder `out/` beside it (outside the work tree) for what hooks
/// write; `{out}` in `hooks` stands for that folder.
fn repo_with_hooks(hooks: &str) -> (TestRepo, PathBuf) {
    let repo = TestRepo::new();
    let out = repo.base().join("out");
    fs::create_dir_all(&out).unwrap();
    let hooks = hooks.replace("{out}", &out.display().to_string());
    repo.write("inc.yaml", &format!("name: Test\nhooks:\n{hooks}"));
    repo.commit_all("hooks");
    (repo, out)
}

/// `repo_with_hooks`, then `inc hooks trust`.
fn trusted(hooks: &str) -> (TestRepo, PathBuf) {
    let (repo, out) = repo_with_hooks(hooks);
    repo.inc().args(["hooks", "trust"]).ok();
    (repo, out)
}

fn read(path: impl AsRef<Path>) -> String {
    let path = path.as_ref();
    fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// `text` without commit IDs, which depend on the temporary path written
/// into inc.yaml.
fn stable(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("Committed ") {
        let (before, after) = rest.split_at(at + "Committed ".len());
        out.push_str(before);
        out.push_str("[COMMIT]");
        rest = after.get(8..).unwrap_or_default();
    }
    out.push_str(rest);
    out
}

fn lines(path: impl AsRef<Path>) -> Vec<String> {
    read(path).lines().map(str::to_owned).collect()
}

#[test]
fn a_hook_runs_after_the_commit_with_the_event_and_incident() {
    let (repo, out) = trusted(
        "  - on: [note]\n    run: |\n      cat > {out}/stdin.json\n      env | grep '^INC_' | sort > {out}/env\n      git log -1 --format=%s > {out}/head\n      pwd > {out}/pwd\n",
    );
    let id = repo.open("Checkout returns 500s", "SEV2");
    assert!(
        !out.join("stdin.json").exists(),
        "an `opened` runs no `note` hook"
    );
    repo.inc().args(["note", &id, "a \"quoted\" note"]).ok();

    let payload: Value = serde_json::from_str(&read(out.join("stdin.json"))).unwrap();
    let stored = repo.timeline(&id).last().unwrap().clone();
    assert_eq!(payload["event"], stored, "the event as stored");
    let mut shown: Value =
        serde_json::from_str(&repo.inc().args(["show", &id, "--json"]).ok().stdout).unwrap();
    shown.as_object_mut().unwrap().remove("events");
    assert_eq!(payload["incident"], shown, "inc show --json without events");
    assert_eq!(payload["repo"], repo.root.display().to_string());
    assert_eq!(payload.as_object().unwrap().len(), 3);

    let env = lines(out.join("env"));
    for wanted in [
        format!("INC_ID={id}"),
        "INC_EVENT=note".to_owned(),
        format!("INC_REPO={}", repo.root.display()),
        "INC_TITLE=Checkout returns 500s".to_owned(),
        "INC_SEVERITY=SEV2".to_owned(),
        "INC_STATUS=investigating".to_owned(),
        "INC_BY=alice".to_owned(),
        "INC_TEXT=a \"quoted\" note".to_owned(),
    ] {
        assert!(env.contains(&wanted), "no {wanted} in {env:?}");
    }
    assert_eq!(
        read(out.join("head")).trim(),
        format!("inc({id}): note: a \"quoted\" note"),
        "the hook ran after the commit"
    );
    assert_eq!(
        read(out.join("pwd")).trim(),
        repo.root.display().to_string()
    );
    assert_eq!(
        repo.git_status(),
        "",
        "hooks and trust leave the tree clean"
    );
}

#[test]
fn hooks_of_one_event_run_in_the_order_listed_and_match_by_name() {
    let (repo, out) = trusted(
        "  - on: [opened, severity]\n    run: echo \"first $INC_EVENT\" >> {out}/log\n\
         \x20 - on: [any]\n    run: echo \"second $INC_EVENT\" >> {out}/log\n\
         \x20 - on: [resolved]\n    run: echo \"third $INC_EVENT $INC_STATUS\" >> {out}/log\n",
    );
    let id = repo.open_with("Disk full", "SEV3", &["--commander", "bob"]);
    repo.inc().args(["severity", &id, "SEV2"]).ok();
    repo.inc().args(["status", &id, "monitoring"]).ok();
    repo.inc().args(["resolve", &id]).ok();
    assert_eq!(
        lines(out.join("log")),
        [
            "first opened",
            "second opened",
            "second role",
            "first severity",
            "second severity",
            "second status",
            "second status",
            "third status resolved",
        ]
    );
}

#[test]
fn a_failing_hook_is_reported_and_the_event_stays() {
    let (repo, _) = trusted(
        "  - on: [note]\n    run: 'exec >&2; for i in 1 2 3 4 5 6 7 8 9 10 11 12; do echo line $i; done; echo broken; exit 3'\n\
         \x20 - on: [note]\n    run: 'true'\n",
    );
    let id = repo.open("Queue backs up", "SEV3");
    let mark = repo.mark(&id);
    let run = repo.inc().args(["note", &id, "still growing"]).ok();
    assert_eq!(repo.appended(&mark, &id).len(), 1, "the note is recorded");
    assert_eq!(run.stderr.matches("warning:").count(), 1, "{run}");
    insta::assert_snapshot!(stable(&run.snapshot(&repo)));
}

#[cfg(unix)]
#[test]
fn a_hook_past_its_timeout_is_killed_with_its_children() {
    let (repo, out) = trusted(
        "  - on: [note]\n    run: 'sleep 60 & echo $! > {out}/child; echo started; sleep 60'\n    timeout: 500ms\n",
    );
    let id = repo.open("Queue backs up", "SEV3");
    let mark = repo.mark(&id);
    let started = Instant::now();
    let run = repo.inc().args(["note", &id, "still growing"]).ok();
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "killed, not waited for"
    );
    assert_eq!(repo.appended(&mark, &id).len(), 1, "the note is recorded");
    let run = run.stderr_has(&[
        "ran past its 500ms timeout on `note`",
        "killed by signal 9",
        "the event is recorded",
        "  | started",
    ]);
    let child = read(out.join("child")).trim().to_owned();
    assert!(!child.is_empty(), "{run}");
    // The `sleep` the hook started in the background died with it. It may
    // linger a moment as a zombie of init, so look at its state.
    let gone = (0..50).any(|_| {
        let state = fs::read_to_string(format!("/proc/{child}/stat")).ok();
        let dead = state
            .as_deref()
            .and_then(|s| s.rsplit(')').next())
            .is_none_or(|rest| rest.trim_start().starts_with('Z'));
        if !dead {
            std::thread::sleep(Duration::from_millis(100));
        }
        dead
    });
    assert!(gone, "the hook's child {child} still runs");
}

#[test]
fn no_hooks_flag_and_env_skip_them() {
    let (repo, out) = trusted("  - run: echo $INC_EVENT >> {out}/log\n");
    let id = repo.open_with("Search is slow", "SEV3", &["--no-hooks"]);
    assert!(!out.join("log").exists());
    let run = repo
        .inc()
        .env("INC_NO_HOOKS", "1")
        .args(["note", &id, "x"])
        .ok();
    assert!(!out.join("log").exists());
    assert_eq!(run.stderr.matches("warning").count(), 0, "{run}");
    repo.inc()
        .env("INC_NO_HOOKS", "0")
        .args(["note", &id, "y"])
        .ok();
    assert_eq!(lines(out.join("log")), ["note"], "INC_NO_HOOKS=0 is off");
}

#[test]
fn untrusted_hooks_do_not_run_and_warn_once_per_command() {
    let (repo, out) = repo_with_hooks("  - run: echo $INC_EVENT >> {out}/log\n");
    // `inc open` records two events (opened, role): one warning.
    let run = repo
        .inc()
        .args(["open", "Search is slow", "-s", "SEV3"])
        .ok();
    assert!(!out.join("log").exists(), "untrusted hooks don't run");
    assert_eq!(run.stderr.matches("warning:").count(), 1, "{run}");
    run.stderr_has(&[
        "has hooks that this clone has not trusted",
        "+ - on: [any]",
        "`inc hooks trust`",
    ]);
}

#[test]
fn a_changed_hook_stops_running_and_the_warning_shows_the_diff() {
    let (repo, out) = trusted(
        "  - on: [note]\n    run: echo one >> {out}/log\n  - on: [opened]\n    run: 'true'\n",
    );
    let id = repo.open("Search is slow", "SEV3");
    repo.inc().args(["note", &id, "x"]).ok();
    assert_eq!(lines(out.join("log")), ["one"]);
    // Someone pushes a change to the hooks.
    let text = repo.read("inc.yaml").replace("echo one", "echo two");
    repo.write("inc.yaml", &text);
    repo.commit_all("change a hook");
    let run = repo.inc().args(["note", &id, "y"]).ok();
    assert_eq!(
        lines(out.join("log")),
        ["one"],
        "the changed hook didn't run"
    );
    assert_eq!(run.stderr.matches("warning:").count(), 1, "{run}");
    insta::assert_snapshot!(stable(&run.snapshot(&repo)));
    repo.inc().args(["hooks", "trust"]).ok();
    repo.inc().args(["note", &id, "z"]).ok();
    assert_eq!(lines(out.join("log")), ["one", "two"]);
}

#[test]
fn a_changed_script_stops_its_hook() {
    let (repo, out) = repo_with_hooks("  - run: ./hooks/log.sh\n");
    repo.write(
        "hooks/log.sh",
        &format!("#!/bin/sh\necho one >> {}/log\n", out.display()),
    );
    make_executable(&repo.path("hooks/log.sh"));
    repo.commit_all("script");
    repo.inc().args(["hooks", "trust"]).ok();
    let id = repo.open("Search is slow", "SEV3");
    assert_eq!(lines(out.join("log")), ["one", "one"], "opened and role");
    repo.write(
        "hooks/log.sh",
        &format!("#!/bin/sh\necho evil >> {}/log\n", out.display()),
    );
    repo.commit_all("change the script");
    let run = repo.inc().args(["note", &id, "x"]).ok();
    assert_eq!(
        lines(out.join("log")),
        ["one", "one"],
        "the changed script didn't run"
    );
    run.stderr_has(&[
        "or a script they name",
        "-   file ./hooks/log.sh: sha1 ",
        "+   file ./hooks/log.sh: sha1 ",
    ]);
}

fn make_executable(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(0o755)).unwrap();
    }
}

#[test]
fn trust_is_recorded_under_git_and_nothing_in_the_tree() {
    let (repo, _) = repo_with_hooks("  - run: 'true'\n");
    let before = repo.files();
    let run = repo.inc().args(["hooks", "trust"]).ok();
    run.stderr_has(&["Trusted the 1 hook of inc.yaml on this clone"]);
    assert_eq!(repo.files(), before, "nothing written in the work tree");
    assert_eq!(repo.git_status(), "");
    let record = read(repo.path(".git/inc-hooks-trusted"));
    assert!(record.contains("  run: \"true\"\n"), "{record}");
    assert!(
        record.lines().nth(1).unwrap().starts_with("sha1:"),
        "{record}"
    );
}

#[test]
fn without_git_trust_lives_in_dot_inc() {
    let repo = TestRepo::plain();
    let out = repo.base().join("out");
    fs::create_dir_all(&out).unwrap();
    repo.write(
        "inc.yaml",
        &format!(
            "git:\n  commit: false\nhooks:\n  - run: echo $INC_EVENT >> {}/log\n",
            out.display()
        ),
    );
    repo.inc().args(["hooks", "trust"]).ok();
    assert!(repo.exists(".inc/hooks-trusted"));
    repo.open("Search is slow", "SEV3");
    assert_eq!(lines(out.join("log")), ["opened", "role"]);
}

#[test]
fn inc_trust_hooks_trusts_them_in_ci() {
    let (repo, out) = repo_with_hooks("  - on: [opened]\n    run: echo $INC_EVENT >> {out}/log\n");
    let run = repo
        .inc()
        .env("INC_TRUST_HOOKS", "1")
        .args(["open", "Search is slow", "-s", "SEV3"])
        .ok();
    assert_eq!(lines(out.join("log")), ["opened"]);
    assert!(!run.stderr.contains("warning"), "{run}");
    assert!(!repo.exists(".git/inc-hooks-trusted"), "nothing recorded");
}

#[test]
fn hooks_list_says_whether_they_run() {
    let (repo, _) = repo_with_hooks(
        "  - on: [opened, resolved]\n    run: ./hooks/slack.sh\n  - run: echo hi\n    timeout: 1m30s\n",
    );
    repo.write("hooks/slack.sh", "#!/bin/sh\necho hi\n");
    repo.commit_all("script");
    let untrusted = repo.inc().args(["hooks", "list"]).ok();
    insta::assert_snapshot!("list_untrusted", untrusted.snapshot(&repo));
    repo.inc().args(["hooks", "trust"]).ok();
    let trusted = repo.inc().args(["hooks", "list"]).ok();
    insta::assert_snapshot!("list_trusted", trusted.snapshot(&repo));
    let json: Value =
        serde_json::from_str(&repo.inc().args(["hooks", "list", "--json"]).ok().stdout).unwrap();
    assert_eq!(json["trusted_by"], "clone");
    assert_eq!(
        json["hooks"][0]["on"],
        serde_json::json!(["opened", "resolved"])
    );
    assert_eq!(json["hooks"][1]["on"], serde_json::json!(["any"]));
    assert_eq!(json["hooks"][1]["timeout"], "90s");
    let by_env: Value = serde_json::from_str(
        &repo
            .inc()
            .env("INC_TRUST_HOOKS", "1")
            .args(["hooks", "list", "--json"])
            .ok()
            .stdout,
    )
    .unwrap();
    assert_eq!(by_env["trusted_by"], "env");
}

#[test]
fn hooks_test_runs_a_sample_event_and_records_nothing() {
    let (repo, out) = trusted(
        "  - on: [resolved, page, acknowledged]\n    run: 'cat > {out}/$INC_EVENT.json; echo posted'\n  - on: [note]\n    run: 'exit 9'\n",
    );
    // No incident open: a made-up sample.
    let run = repo.inc().args(["hooks", "test", "page"]).ok();
    run.stdout_has(&["`cat > ", "ok\n  | posted"]);
    let page: Value = serde_json::from_str(&read(out.join("page.json"))).unwrap();
    assert_eq!(page["event"]["type"], "page");
    assert_eq!(page["event"]["by"], "alice");
    assert_eq!(page["event"]["at"], NOW);
    assert_eq!(page["incident"]["id"], "2026-11-27-sample");

    let id = repo.open("Checkout returns 500s", "SEV2");
    let commits = repo.commit_count();
    let before = repo.timeline(&id);
    repo.inc().args(["hooks", "test", "resolved", &id]).ok();
    let resolved: Value = serde_json::from_str(&read(out.join("status.json"))).unwrap();
    assert_eq!(resolved["event"]["type"], "status");
    assert_eq!(resolved["event"]["status"], "resolved");
    assert_eq!(resolved["incident"]["id"], id.as_str());
    assert_eq!(
        resolved["incident"]["status"], "resolved",
        "as after the event"
    );
    assert_eq!(resolved["incident"]["severity"], "SEV2");
    assert_eq!(repo.timeline(&id), before, "nothing recorded");
    assert_eq!(repo.commit_count(), commits);

    let failed = repo.inc().args(["hooks", "test", "note"]).run().code(1);
    failed
        .stdout_has(&["`exit 9`: failed (exit status 9)"])
        .stderr_has(&["error: 1 hook failed"]);
    repo.inc()
        .args(["hooks", "test", "opend"])
        .fails()
        .stderr_has(&["`opend` is not an event to test; pick one of: opened,"]);
    let ack = repo.inc().args(["hooks", "test", "acknowledged"]).run();
    assert!(
        ack.stdout.contains("`cat > "),
        "`acknowledged` is `ack`:\n{ack}"
    );
    let ack: Value = serde_json::from_str(&read(out.join("ack.json"))).unwrap();
    assert_eq!(ack["event"]["type"], "ack");
    repo.inc()
        .args(["hooks", "test", "severity"])
        .ok()
        .stderr_has(&["No hook of inc.yaml runs on `severity`."]);
}

#[test]
fn hooks_test_refuses_untrusted_hooks() {
    let (repo, out) = repo_with_hooks("  - run: echo $INC_EVENT >> {out}/log\n");
    repo.inc()
        .args(["hooks", "test", "opened"])
        .fails()
        .stderr_has(&["has not trusted", "hint: read them"]);
    assert!(!out.join("log").exists());
}

#[test]
fn unknown_event_names_are_config_errors_naming_the_line() {
    let (repo, _) = repo_with_hooks(
        "  - on: [opened]\n    run: 'true'\n  - on: [resolved, acked]\n    run: 'true'\n",
    );
    repo.inc()
        .args(["list"])
        .fails()
        .stderr_has(&["inc.yaml:5: hooks: unknown event `acked` in `on`; known: any, opened,"]);
    repo.write(
        "inc.yaml",
        "hooks:\n  - run: 'true'\n    timeout: forever\n",
    );
    repo.inc()
        .args(["list"])
        .fails()
        .stderr_has(&["inc.yaml:3: hook timeout `forever` is not a duration"]);
}

#[test]
fn a_merge_runs_the_hooks_of_the_duplicates_decline_only() {
    let (repo, out) =
        trusted("  - on: [any]\n    run: echo \"$INC_ID $INC_EVENT $INC_STATUS\" >> {out}/log\n");
    let keep = repo.open_with("Checkout errors", "SEV2", &["--no-hooks"]);
    let dup = repo.open_with("Checkout errors again", "SEV2", &["--no-hooks"]);
    repo.inc()
        .args(["note", &dup, "seen from the app", "--no-hooks"])
        .ok();
    repo.inc().args(["merge", &dup, "--into", &keep]).ok();
    assert_eq!(lines(out.join("log")), [format!("{dup} status declined")]);
}

/// inc runs hooks after the commit, so one killed after its journal never
/// ran them: the command that finishes the change does, once. Stopped
/// before the journal, nothing happened and no hook runs.
#[test]
fn the_command_that_finishes_a_killed_change_runs_its_hooks_once() {
    let (repo, out) = trusted(
        "  - on: [note, opened]\n    run: echo \"$INC_EVENT $INC_ID $INC_TEXT\" >> {out}/ran\n",
    );
    let id = repo.open("Checkout returns 500s", "SEV2");
    let ran = || lines(out.join("ran"));
    assert_eq!(
        ran(),
        [format!("opened {id} opened as SEV2, investigating")]
    );
    for (step, happened) in [("objects", false), ("journal", true), ("index", true)] {
        let text = format!("stopped at {step}");
        let stopped = repo
            .inc()
            .args(["note", &id, &text])
            .env("INC_CRASH_AT", step)
            .run();
        assert_ne!(stopped.code, 0, "{step}: inc was not stopped:\n{stopped}");
        assert!(
            !ran().iter().any(|l| l.ends_with(&text)),
            "{step}: the stopped inc ran no hook"
        );
        let list = repo.inc().args(["list"]).ok();
        let runs = ran().iter().filter(|l| l.ends_with(&text)).count();
        assert_eq!(runs, usize::from(happened), "{step}:\n{list}");
        repo.inc().args(["list"]).ok();
        let again = ran().iter().filter(|l| l.ends_with(&text)).count();
        assert_eq!(again, runs, "{step}: the hook ran again");
    }
    // A new incident's whole timeline: its `opened` hook.
    repo.inc()
        .args(["open", "Search is slow", "-s", "SEV3"])
        .env("INC_CRASH_AT", "tree")
        .run();
    repo.inc().args(["list"]).ok();
    assert!(
        ran()
            .contains(&"opened 2026-11-27-search-is-slow opened as SEV3, investigating".to_owned()),
        "{:?}",
        ran()
    );
}
