//! `inc exec`: exit codes passed through, the note it records (masked,
//! captured output bounded and cleaned), the incident picked before the
//! command runs, no lock held while it runs, Ctrl-C.

use std::process::{ExitStatus, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::harness::{TestRepo, inc_bin};

/// The text of the last event of `id`'s timeline, which must be a note by
/// alice at the pinned time.
fn last_note(repo: &TestRepo, id: &str) -> String {
    let timeline = repo.timeline(id);
    let last = timeline.last().expect("a timeline");
    assert_eq!(last["type"], "note", "{last}");
    assert_eq!(last["by"], "alice");
    assert_eq!(last["at"], "2026-11-27T12:00:00Z");
    assert!(last.get("pinned").is_none_or(|p| p == false));
    last["text"].as_str().expect("text").to_owned()
}

/// Durations vary from run to run.
fn redact_durations(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("after ") {
        let (before, after) = rest.split_at(at + 6);
        out.push_str(before);
        let digits = after
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(after.len());
        if digits > 0 && after[digits..].starts_with('s') {
            out.push_str("[TIME]");
            rest = &after[digits + 1..];
        } else {
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

#[test]
fn exit_codes_pass_through_and_each_run_is_noted() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    repo.write("not-executable.sh", "echo hi\n");
    repo.commit_all("a script that is not executable");
    let cases: &[(&[&str], i32, &str)] = &[
        (&["true"], 0, "ran `true` → exit 0 after "),
        (
            &["sh", "-c", "exit 3"],
            3,
            "ran `sh -c 'exit 3'` → exit 3 after ",
        ),
        (
            &["no-such-command-here", "--flag"],
            127,
            "ran `no-such-command-here --flag` → could not start: No such file or directory",
        ),
        (
            &["./not-executable.sh"],
            126,
            "ran `./not-executable.sh` → could not start: Permission denied",
        ),
        (
            &["sh", "-c", "kill -KILL $$"],
            137,
            "ran `sh -c 'kill -KILL $$'` → killed by SIGKILL after ",
        ),
        (
            &["sh", "-c", "kill -TERM $$"],
            143,
            "ran `sh -c 'kill -TERM $$'` → killed by SIGTERM after ",
        ),
    ];
    for (command, code, note) in cases {
        let mark = repo.mark(&id);
        repo.inc()
            .args(["exec", "--"])
            .args(*command)
            .run()
            .code(*code);
        let events = repo.appended(&mark, &id);
        assert_eq!(events.len(), 1, "{command:?}");
        let text = last_note(&repo, &id);
        assert!(text.starts_with(note), "{command:?}: {text}");
        assert_eq!(repo.head_trailer("Inc-Event"), vec!["note"]);
        assert_eq!(repo.head_trailer("Inc-Id"), vec![id.clone()]);
    }
}

#[test]
fn a_command_that_cannot_start_says_why_and_is_still_noted() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    let run = repo
        .inc()
        .args(["exec", "--", "kubctl", "get", "pods"])
        .run()
        .code(127)
        .stderr_has(&[
            "error: could not start `kubctl`: No such file or directory",
            "hint: is it installed",
            &format!("Noted on {id}: could not start"),
        ]);
    assert!(run.stdout.is_empty(), "{run}");
}

#[test]
fn output_streams_live_and_is_not_kept_without_capture() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    let run = repo
        .inc()
        .args([
            "exec",
            &id,
            "--",
            "sh",
            "-c",
            "echo to-stdout; echo to-stderr >&2; read line; echo \"got $line\"",
        ])
        .stdin("typed\n")
        .ok();
    assert_eq!(run.stdout, "to-stdout\ngot typed\n");
    assert!(run.stderr.starts_with("to-stderr\n"), "{run}");
    // No output in the note: its one line.
    let text = last_note(&repo, &id);
    assert!(!text.contains('\n'), "{text}");
}

#[test]
fn the_note_and_commit_read_well() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    // A kubectl of our own, first on PATH.
    let bin = repo.base().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let kubectl = bin.join("kubectl");
    std::fs::write(
        &kubectl,
        "#!/bin/sh\necho \"deployment.apps/api restarted\"\n",
    )
    .unwrap();
    let mut permissions = std::fs::metadata(&kubectl).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
    std::fs::set_permissions(&kubectl, permissions).unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut all = String::new();
    for command in [
        &["kubectl", "rollout", "restart", "deploy/api"][..],
        &[
            "sh",
            "-c",
            "printf 'one\\ntwo\\n'; echo 'it is ```fenced```'; exit 4",
        ][..],
        &["sh", "-c", "true"][..],
        &["sh", "-c", "for i in 1 2 3 4 5 6 7; do echo line $i; done"][..],
    ] {
        let run = repo
            .inc()
            .env("PATH", &path)
            .args(["exec", "--capture", "3", "--"])
            .args(command)
            .run();
        let text = last_note(&repo, &id);
        let subject = repo.head_message().lines().next().unwrap().to_owned();
        all.push_str(&format!(
            "$ inc exec --capture 3 -- {command:?}\n[exit status: {}]\nsubject: {subject}\n{text}\n\n",
            run.code
        ));
    }
    insta::assert_snapshot!(redact_durations(&all));
}

#[test]
fn secrets_are_masked_in_the_command_line_and_the_output() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    let run = repo
        .inc()
        .args([
            "exec",
            "--capture",
            "10",
            "--",
            "env",
            "API_TOKEN=tok-0123456789",
            "sh",
            "-c",
            "echo \"token $API_TOKEN\"; echo \"url $1\"; echo \"$2\" >&2; echo 'Authorization: Bearer abc.def.ghi'",
            "sh",
            "https://deploy:hunter22@git.example.com/x",
            "--password=pa55word",
        ])
        .ok();
    // The live output is the command's, untouched.
    assert!(run.stdout.contains("token tok-0123456789"), "{run}");
    let text = last_note(&repo, &id);
    for secret in ["tok-0123456789", "hunter22", "pa55word", "abc.def.ghi"] {
        assert!(!text.contains(secret), "{secret} in the note:\n{text}");
        assert!(
            !repo.read(TestRepo::timeline_path(&id)).contains(secret),
            "{secret} in the timeline"
        );
        assert!(
            !repo.head_message().contains(secret),
            "{secret} in the commit"
        );
    }
    assert!(
        text.starts_with(
            "ran `env API_TOKEN=*** sh -c 'echo \"token $API_TOKEN\"; echo \"url $1\"; \
             echo \"$2\" >&2; echo '\\''Authorization: Bearer ***'\\''' sh \
             https://deploy:***@git.example.com/x --password=***` → exit 0 after "
        ),
        "{text}"
    );
    for line in [
        "\ntoken ***\n",
        "\nurl https://deploy:***@git.example.com/x\n",
        "\n--password=***\n",
        "\nAuthorization: Bearer ***\n",
    ] {
        assert!(text.contains(line), "{line:?} not in:\n{text}");
    }
}

#[test]
fn capture_keeps_the_last_lines_of_stdout_and_stderr_in_order() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    let run = repo
        .inc()
        .args([
            "exec",
            "--capture",
            "3",
            "--",
            "sh",
            "-c",
            "echo out-1; sleep 0.2; echo err-2 >&2; sleep 0.2; echo out-3; sleep 0.2; \
             echo err-4 >&2; sleep 0.2; printf out-5-no-newline",
        ])
        .ok();
    assert_eq!(run.stdout, "out-1\nout-3\nout-5-no-newline");
    assert!(run.stderr.starts_with("err-2\nerr-4\n"), "{run}");
    let text = last_note(&repo, &id);
    let (_, output) = text.split_once("\n\n").expect("an output section");
    assert_eq!(
        output,
        "output, last 3 of 5 lines:\n\n```\nout-3\nerr-4\nout-5-no-newline\n```"
    );
}

#[test]
fn captured_lines_lose_escapes_and_control_characters() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    let script = r"printf '\033[1;31mred\033[0m and\tplain\a\n'; printf '10%%\r50%%\r100%%\r\n'; printf '\033]0;window title\007shown\n'";
    let run = repo
        .inc()
        .args(["exec", "--capture", "5", "--", "sh", "-c", script])
        .ok();
    // The terminal gets the escapes as the command wrote them.
    assert!(run.stdout.contains("\x1b[1;31mred\x1b[0m"), "{run}");
    assert!(run.stdout.contains("10%\r50%\r100%\r\n"), "{run}");
    let text = last_note(&repo, &id);
    let (_, output) = text.split_once("\n\n").expect("an output section");
    assert_eq!(
        output,
        "output (3 lines):\n\n```\nred and\tplain\n100%\nshown\n```"
    );
    assert!(
        !text
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
    );
}

#[test]
fn huge_output_is_streamed_whole_and_kept_bounded() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    // 50 MB of short lines, then 5 MB on one line with no newline.
    let run = repo
        .inc()
        .args([
            "exec",
            "--capture",
            "3",
            "--",
            "sh",
            "-c",
            "yes | head -c 50000000; head -c 5000000 /dev/zero | tr '\\0' a",
        ])
        .ok();
    assert_eq!(run.stdout.len(), 55_000_000);
    let text = last_note(&repo, &id);
    let (_, output) = text.split_once("\n\n").expect("an output section");
    let long = format!("{}…", "a".repeat(499));
    assert_eq!(
        output,
        format!("output, last 3 of 25000001 lines:\n\n```\ny\ny\n{long}\n```")
    );
    assert!(repo.read(TestRepo::timeline_path(&id)).len() < 4000);
}

#[test]
fn the_incident_is_picked_before_the_command_runs() {
    let repo = TestRepo::new();
    let a = repo.open("Checkout returns 500s", "SEV2");
    let b = repo.open("Search is slow", "SEV3");
    let before = repo.state();
    let marker = repo.base().join("ran");
    let touch = ["touch", marker.to_str().unwrap()];
    // Two incidents are open: which one is ambiguous.
    repo.inc()
        .args(["exec", "--"])
        .args(touch)
        .fails()
        .stderr_has(&["2 incidents are open", &format!("`{a}`"), &format!("`{b}`")]);
    // A typo in the ID.
    repo.inc()
        .args(["exec", "chekout", "--"])
        .args(touch)
        .fails()
        .stderr_has(&["no incident matches `chekout`"]);
    assert!(!marker.exists(), "the command ran");
    repo.assert_unchanged(&before);
    // Named, it runs.
    let mark = repo.mark(&a);
    repo.inc().args(["exec", "checkout", "--"]).args(touch).ok();
    assert!(marker.exists());
    assert_eq!(repo.appended(&mark, &a).len(), 1);
}

#[test]
fn nothing_is_written_or_locked_while_the_command_runs() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    let mark = repo.commit_count();
    // The command itself records a note with inc: it would wait for the
    // lock (and fail) if inc exec held it, and the command sees no line of
    // inc exec's own yet.
    let script = format!(
        "'{}' note 'from inside' && grep -c 'ran ' '{}' || true",
        inc_bin().display(),
        TestRepo::timeline_path(&id)
    );
    let run = repo
        .inc()
        .env("INC_LOCK_TIMEOUT", "0")
        .args(["exec", "--", "sh", "-c", &script])
        .ok();
    assert_eq!(run.stdout, "0\n", "{run}");
    let texts: Vec<Value> = repo.timeline(&id).into_iter().skip(2).collect();
    assert_eq!(texts.len(), 2);
    assert_eq!(texts[0]["text"], "from inside");
    assert!(texts[1]["text"].as_str().unwrap().starts_with("ran `sh -c"));
    assert_eq!(repo.commit_count(), mark + 2);
}

#[test]
fn no_commit_writes_the_note_only() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    let commits = repo.commit_count();
    repo.inc().args(["--no-commit", "exec", "--", "true"]).ok();
    assert_eq!(repo.commit_count(), commits);
    assert!(last_note(&repo, &id).starts_with("ran `true` → exit 0"));
}

#[test]
fn usage_errors() {
    let repo = TestRepo::new();
    repo.open("Checkout returns 500s", "SEV2");
    let before = repo.state();
    repo.inc()
        .args(["--json", "exec", "--", "touch", "ran"])
        .usage()
        .stderr_has(&["'--json' cannot be used with 'exec'"]);
    repo.inc()
        .args(["exec", "--capture", "1001", "--", "touch", "ran"])
        .usage()
        .stderr_has(&["1001 is not in 1..=1000"]);
    repo.inc()
        .args(["exec", "--capture", "0", "--", "touch", "ran"])
        .usage();
    // Without `--`, the first word is the incident.
    repo.inc().args(["exec", "touch", "ran"]).usage();
    repo.inc().args(["exec"]).usage();
    assert!(!repo.exists("ran"));
    repo.assert_unchanged(&before);
}

#[test]
fn output_left_open_by_a_background_process_does_not_hold_inc() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    let started = Instant::now();
    repo.inc()
        .args([
            "exec",
            "--capture",
            "5",
            "--",
            "sh",
            "-c",
            "echo hello; sleep 5 &",
        ])
        .ok();
    assert!(started.elapsed() < Duration::from_secs(4));
    let text = last_note(&repo, &id);
    assert!(text.contains("```\nhello\n```"), "{text}");
    assert!(text.contains("still open when the command ended"), "{text}");
}

/// SIGINT sent to inc alone (no terminal): passed on to the command, and
/// inc records how it ended before exiting as it did.
#[test]
fn sigint_reaches_the_command_and_the_end_is_still_noted() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    let mut inc = repo.std_command();
    inc.args(["exec", "--", "sh", "-c", "touch started; exec sleep 30"]);
    inc.stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let mut child = inc.spawn().expect("spawn inc");
    let deadline = Instant::now() + Duration::from_secs(20);
    while !repo.exists("started") {
        assert!(Instant::now() < deadline, "the command never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let status = child.wait().expect("inc ends");
    assert_eq!(status.code(), Some(130));
    let text = last_note(&repo, &id);
    assert!(
        text.starts_with("ran `sh -c 'touch started; exec sleep 30'` → killed by SIGINT after "),
        "{text}"
    );
}

/// Runs `inc exec -- sh -c SCRIPT` without a terminal, sends inc `signal`
/// (`TERM`) once the script has touched `started`, and returns how inc
/// ended.
fn signal_inc_while_it_runs(repo: &TestRepo, script: &str, signal: &str) -> ExitStatus {
    let mut inc = repo.std_command();
    inc.args(["exec", "--", "sh", "-c", script]);
    inc.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut child = inc.spawn().expect("spawn inc");
    let deadline = Instant::now() + Duration::from_secs(20);
    while !repo.exists("started") {
        assert!(Instant::now() < deadline, "the command never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    let sent = std::process::Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(sent.success());
    child.wait().expect("inc ends")
}

/// A CI job's timeout sends SIGTERM to inc alone: without a watcher inc
/// died at once, the command ran on unrecorded. It is passed on, and the
/// note says how the command ended and why.
#[test]
fn sigterm_to_inc_reaches_the_command_and_the_end_is_still_noted() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    let status = signal_inc_while_it_runs(&repo, "touch started; exec sleep 30", "TERM");
    assert_eq!(
        status.code(),
        Some(143),
        "128 + SIGTERM, as the command ended"
    );
    let text = last_note(&repo, &id);
    assert!(
        text.starts_with("ran `sh -c 'touch started; exec sleep 30'` → killed by SIGTERM after "),
        "{text}"
    );
    assert!(
        text.ends_with("\n\ninc got SIGTERM while the command ran, and passed it on."),
        "{text}"
    );
}

/// A closed SSH session without a terminal for the command (`ssh host inc
/// exec …`): SIGHUP reaches inc alone, is passed on, and noted.
#[test]
fn sighup_to_inc_without_a_terminal_is_passed_on_and_noted() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    let status = signal_inc_while_it_runs(&repo, "touch started; exec sleep 30", "HUP");
    assert_eq!(status.code(), Some(129));
    let text = last_note(&repo, &id);
    assert!(text.contains("→ killed by SIGHUP after "), "{text}");
    assert!(
        text.ends_with("inc got SIGHUP while the command ran, and passed it on."),
        "{text}"
    );
}

/// A command that ignores SIGTERM (a migration that must not stop half
/// way) runs to its end; inc waits for it and notes both.
#[test]
fn a_command_that_ignores_sigterm_runs_to_its_end_and_inc_notes_it() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    let status = signal_inc_while_it_runs(
        &repo,
        "trap '' TERM; touch started; sleep 1; touch finished",
        "TERM",
    );
    assert_eq!(status.code(), Some(0));
    assert!(repo.exists("finished"), "the command ran to its end");
    let text = last_note(&repo, &id);
    assert!(text.contains("→ exit 0 after "), "{text}");
    assert!(
        text.ends_with("inc got SIGTERM while the command ran, and passed it on."),
        "{text}"
    );
}

/// Ctrl-C on a terminal reaches the command (one process group); inc
/// stays to record it.
#[test]
fn ctrl_c_at_a_terminal_stops_the_command_and_is_noted() {
    use rexpect::process::WaitStatus;
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    let mut cmd = repo.std_command();
    cmd.env("TERM", "xterm-256color");
    cmd.args(["exec", "--", "sh", "-c", "echo ready; exec sleep 30"]);
    let mut session = rexpect::session::spawn_command(cmd, Some(20_000)).expect("pty");
    session.exp_string("ready").expect("the command runs");
    session.send_control('c').expect("Ctrl-C");
    let rest = session.exp_eof().expect("inc ends");
    match session.process_mut().wait().expect("wait") {
        WaitStatus::Exited(_, code) => assert_eq!(code, 130, "{rest}"),
        other => panic!("inc did not exit normally: {other:?}\n{rest}"),
    }
    let text = last_note(&repo, &id);
    assert!(text.contains("→ killed by SIGINT after "), "{text}");
}

/// At a terminal too, a SIGTERM reaches inc alone (`kill PID` from another
/// shell): it is passed on, unlike a Ctrl-C, which the command gets from
/// the terminal.
#[test]
fn sigterm_at_a_terminal_is_passed_on_and_noted() {
    use rexpect::process::WaitStatus;
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    let mut cmd = repo.std_command();
    cmd.env("TERM", "xterm-256color");
    cmd.args([
        "exec",
        "--",
        "sh",
        "-c",
        "echo $PPID > inc.pid; echo ready; exec sleep 30",
    ]);
    let mut session = rexpect::session::spawn_command(cmd, Some(20_000)).expect("pty");
    session.exp_string("ready").expect("the command runs");
    let pid = repo.read("inc.pid");
    let sent = std::process::Command::new("kill")
        .args(["-TERM", pid.trim()])
        .status()
        .expect("kill");
    assert!(sent.success());
    let rest = session.exp_eof().expect("inc ends");
    match session.process_mut().wait().expect("wait") {
        WaitStatus::Exited(_, code) => assert_eq!(code, 143, "{rest}"),
        other => panic!("inc did not exit normally: {other:?}\n{rest}"),
    }
    let text = last_note(&repo, &id);
    assert!(text.contains("→ killed by SIGTERM after "), "{text}");
    assert!(
        text.ends_with("inc got SIGTERM while the command ran, and passed it on."),
        "{text}"
    );
}

#[test]
fn an_incident_gone_when_the_command_ends_is_an_error_with_the_commands_status() {
    for (tail, code) in [("", 1), ("; exit 5", 5)] {
        let repo = TestRepo::new();
        let id = repo.open("Checkout returns 500s", "SEV2");
        let script = format!("rm -r '{}'{tail}", TestRepo::incident_dir(&id));
        repo.inc()
            .args(["exec", "--", "sh", "-c", &script])
            .run()
            .code(code)
            .stderr_has(&[
                "error: the command ended (exit ",
                &format!("but inc could not note it on {id}"),
                "is gone",
            ]);
    }
}

#[test]
fn the_noted_command_line_pastes_back_into_a_shell() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    let args = [
        "printf",
        "[%s]",
        "two words",
        "it's",
        "$HOME",
        "*.log",
        "",
        "line\nbreak",
        "back`tick",
        "~",
    ];
    let run = repo.inc().args(["exec", "--"]).args(args).ok();
    let text = last_note(&repo, &id);
    let line = text
        .strip_prefix("ran ``")
        .and_then(|t| t.split_once("`` → exit 0"))
        .map(|(line, _)| line.trim())
        .unwrap_or_else(|| panic!("{text}"));
    let pasted = std::process::Command::new("bash")
        .args(["-c", line])
        .current_dir(&repo.root)
        .output()
        .expect("bash");
    assert_eq!(
        String::from_utf8_lossy(&pasted.stdout),
        run.stdout,
        "{line}"
    );
}
