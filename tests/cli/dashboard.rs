//! `inc` with no arguments: the dashboard on a terminal (a pty) and with
//! `--json`; the usual usage error for a script.

use rexpect::session::spawn_command;
use serde_json::Value;

use crate::harness::{NOW, TestRepo};

const CONFIG: &str = "\
name: Acme Shop
timezone: UTC
oncall:
  rotations:
    - id: primary
      members: [alice, bob]
      shift: 1w
      start: \"2026-11-23 09:00\"
      timezone: UTC
";

/// A repository with something in every section, as at NOW (2026-11-27
/// 12:00 UTC):
/// - open: a SEV3 opened first, a SEV1, and a resolved SEV2 (left out);
/// - maintenance: one scheduled whose window has begun, one in progress
///   by its status, one next week, one long over;
/// - actions: alice's overdue one, her one not yet due, bob's overdue one.
fn busy_repo() -> (TestRepo, [String; 3]) {
    let repo = TestRepo::with_config(CONFIG);
    let at = |t: &str| repo.inc().now(t);
    let quiet = at("2026-11-27T08:00:00Z")
        .args(["open", "Search results stale", "-s", "SEV3", "-q"])
        .ok()
        .stdout
        .trim()
        .to_owned();
    let fire = at("2026-11-27T11:00:00Z")
        .args(["open", "Checkout returns 500s", "-s", "SEV1", "-q"])
        .ok()
        .stdout
        .trim()
        .to_owned();
    at("2026-11-27T11:40:00Z")
        .args(["note", &fire, "rolled back 4f2a"])
        .ok();
    let done = at("2026-11-26T09:00:00Z")
        .args(["open", "Emails delayed", "-s", "SEV2", "-q"])
        .ok()
        .stdout
        .trim()
        .to_owned();
    at("2026-11-26T10:00:00Z").args(["resolve", &done]).ok();
    let window = |title: &str, start: &str, end: &str| {
        at("2026-11-20T09:00:00Z")
            .args(["maintenance", title, "--start", start, "--end", end, "-q"])
            .ok()
            .stdout
            .trim()
            .to_owned()
    };
    window("Database upgrade", "2026-11-27 11:30", "2026-11-27 13:00");
    let moved = window("Cache resize", "2026-11-27 14:00", "2026-11-27 15:00");
    at("2026-11-27T11:50:00Z")
        .args(["status", &moved, "in_progress"])
        .ok();
    window("Network work", "2026-12-03 02:00", "2026-12-03 03:00");
    window("Old window", "2026-11-21 02:00", "2026-11-21 03:00");
    at("2026-11-27T09:00:00Z")
        .args([
            "action",
            "add",
            &done,
            "Alert on queue depth",
            "--owner",
            "alice",
            "--due",
            "2026-11-25",
        ])
        .ok();
    at("2026-11-27T09:00:00Z")
        .args([
            "action",
            "add",
            &done,
            "Runbook for mail relay",
            "--owner",
            "alice",
            "--due",
            "2026-12-10",
        ])
        .ok();
    at("2026-11-27T09:00:00Z")
        .args([
            "action",
            "add",
            &done,
            "Second relay",
            "--owner",
            "bob",
            "--due",
            "2026-11-20",
        ])
        .ok();
    (repo, [quiet, fire, done])
}

#[test]
fn inc_alone_without_a_terminal_is_the_usage_error() {
    let repo = TestRepo::new();
    let out = repo.inc().usage();
    assert!(out.stdout.is_empty(), "{out}");
    assert!(
        out.stderr.contains("Usage: inc [OPTIONS] [COMMAND]"),
        "{out}"
    );
    assert!(out.stderr.contains("Commands:"), "{out}");
}

#[test]
fn dashboard_json_holds_every_section() {
    let (repo, [quiet, fire, _]) = busy_repo();
    let out = repo.inc().arg("--json").ok();
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    let ids = |key: &str| -> Vec<String> {
        v[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_owned())
            .collect()
    };
    // Most severe first; the resolved one and every window left out.
    assert_eq!(ids("open"), [fire.clone(), quiet.clone()]);
    assert_eq!(v["open"][0]["last_update_at"], "2026-11-27T11:40:00Z");
    assert_eq!(v["open"][0]["roles"]["commander"], "alice");
    // Under way: the one whose window began, the one set in progress.
    let windows: Vec<_> = v["maintenance"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["title"].as_str().unwrap())
        .collect();
    assert_eq!(windows, ["Database upgrade", "Cache resize"]);
    assert_eq!(v["upcoming_maintenance"], 1);
    assert_eq!(v["oncall"][0]["rotation"], "primary");
    assert_eq!(v["oncall"][0]["now"]["who"], "alice");
    // Only the author's own, only overdue.
    let actions: Vec<_> = v["overdue_actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["text"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["Alert on queue depth"]);
    assert_eq!(v["you"], "alice");
    assert_eq!(v["now"], NOW);
    // bob sees his own.
    let bob = repo.inc().args(["--json", "--author", "bob"]).ok();
    let bob: Value = serde_json::from_str(&bob.stdout).unwrap();
    assert_eq!(bob["overdue_actions"][0]["text"], "Second relay");
    insta::assert_snapshot!(repo.redact(&out.stdout));
}

#[test]
fn dashboard_on_a_terminal_shows_one_screen() {
    let (repo, _) = busy_repo();
    let mut cmd = std::process::Command::new("sh");
    for (k, v) in repo.std_command().get_envs() {
        if let Some(v) = v {
            cmd.env(k, v);
        }
    }
    cmd.current_dir(&repo.root)
        .env("TERM", "xterm-256color")
        .arg("-c")
        .arg(format!(
            "stty cols 150 rows 50; exec '{}' --color never",
            crate::harness::inc_bin().display()
        ));
    let mut session = spawn_command(cmd, Some(15_000)).expect("spawn inc on a pty");
    // rexpect gives each byte as a char: put the UTF-8 back together.
    let raw = session.exp_eof().expect("inc ends");
    let bytes: Vec<u8> = raw.chars().map(|c| u8::try_from(c).unwrap()).collect();
    let screen = String::from_utf8(bytes).unwrap().replace('\r', "");
    insta::assert_snapshot!(repo.redact(&screen));
    for section in [
        "Open incidents (2)",
        "Maintenance in progress (2)",
        "1 window upcoming",
        "On call",
        "Your overdue actions (1)",
    ] {
        assert!(screen.contains(section), "{section}:\n{screen}");
    }
}

#[test]
fn dashboard_of_a_quiet_repository_says_so() {
    let repo = TestRepo::new();
    let v: Value = serde_json::from_str(&repo.inc().arg("--json").ok().stdout).unwrap();
    assert_eq!(v["open"], serde_json::json!([]));
    assert_eq!(v["oncall"], serde_json::json!([]));
    assert_eq!(v["overdue_actions"], serde_json::json!([]));
}

#[test]
fn dashboard_names_an_unreadable_incident_and_exits_1() {
    let (repo, [quiet, ..]) = busy_repo();
    repo.write(TestRepo::header_path(&quiet), "title: [unclosed\n");
    let out = repo.inc().arg("--json").fails();
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["open"].as_array().unwrap().len(), 1, "the readable one");
    assert!(out.stderr.contains(&TestRepo::header_path(&quiet)), "{out}");
}
