//! `inc action add|done|list`: follow-ups on the timeline, listed across
//! incidents.

use serde::Deserialize;

use crate::harness::TestRepo;

#[derive(Debug, Deserialize)]
struct ActionJson {
    incident: String,
    id: u32,
    text: String,
    owner: Option<String>,
    due: Option<String>,
    link: Option<String>,
    done: bool,
    overdue: bool,
}

fn actions(repo: &TestRepo, args: &[&str]) -> Vec<ActionJson> {
    let out = repo
        .inc()
        .args(["action", "list", "--json"])
        .args(args)
        .ok();
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}\n{}", out.stdout))
}

#[test]
fn add_appends_an_action_event_and_prints_its_number() {
    let repo = TestRepo::new();
    let id = repo.open("DB failover", "SEV1");
    let mark = repo.mark(&id);
    let out = repo
        .inc()
        .args([
            "action",
            "add",
            "Alert on pgbouncer server IPs",
            "--owner",
            "ravi",
            "--due",
            "2026-12-01",
            "--link",
            "https://tracker.example.com/OPS-1",
        ])
        .ok();
    assert_eq!(out.stdout, "1\n");
    let new = repo.appended(&mark, &id);
    assert_eq!(new.len(), 1);
    assert_eq!(new[0]["type"], "action");
    assert_eq!(new[0]["id"], 1);
    assert_eq!(new[0]["owner"], "ravi");
    assert_eq!(new[0]["due"], "2026-12-01");
    assert!(
        repo.head_message()
            .starts_with(&format!("inc({id}): action #1: Alert"))
    );
    let out = repo.inc().args(["action", "add", &id, "Second"]).ok();
    assert_eq!(out.stdout, "2\n", "numbers count up per incident");
}

#[test]
fn relative_due_dates_are_stored_as_dates() {
    let repo = TestRepo::new();
    repo.open("DB failover", "SEV1");
    repo.inc()
        .args(["action", "add", "Rebuild weekly", "--due", "in 2 weeks"])
        .ok();
    let list = actions(&repo, &[]);
    assert_eq!(list[0].due.as_deref(), Some("2026-12-11"));
}

#[test]
fn bad_input_is_refused_and_changes_nothing() {
    let repo = TestRepo::new();
    let id = repo.open("DB failover", "SEV1");
    let mark = repo.mark(&id);
    repo.inc()
        .args(["action", "add", "x", "--link", "javascript:alert(1)"])
        .fails()
        .stderr_has(&["not an http(s) address"]);
    repo.inc()
        .args(["action", "add", "x", "--due", "someday"])
        .fails()
        .stderr_has(&["can't read the due date `someday`", "YYYY-MM-DD"]);
    repo.inc()
        .args(["action", "add", "   "])
        .fails()
        .stderr_has(&["the action is empty"]);
    repo.inc()
        .args(["action", "done", &id, "7"])
        .fails()
        .stderr_has(&["has no action #7", "it has none"]);
    repo.assert_no_change(&mark, &id);
}

#[test]
fn done_marks_it_once() {
    let repo = TestRepo::new();
    let id = repo.open("DB failover", "SEV1");
    repo.inc().args(["action", "add", "Write runbook"]).ok();
    let mark = repo.mark(&id);
    repo.inc().args(["action", "done", "failover", "1"]).ok();
    let new = repo.appended(&mark, &id);
    assert_eq!(new[0]["type"], "action_done");
    assert_eq!(new[0]["id"], 1);
    let mark = repo.mark(&id);
    repo.inc()
        .args(["action", "done", &id, "1"])
        .ok()
        .stderr_has(&["already done"]);
    repo.assert_no_change(&mark, &id);
    assert!(actions(&repo, &[])[0].done);
}

#[test]
fn list_filters_across_incidents() {
    let repo = TestRepo::new();
    let a = repo.open("DB failover", "SEV1");
    let b = repo.open("Search slow", "SEV3");
    for args in [
        vec![
            "action",
            "add",
            &a,
            "Late one",
            "--owner",
            "ravi",
            "--due",
            "2026-11-20",
        ],
        vec!["action", "add", &a, "Done one", "--owner", "kenji"],
        vec![
            "action",
            "add",
            &b,
            "Future one",
            "--owner",
            "Ravi",
            "--due",
            "2026-12-24",
        ],
        vec![
            "action",
            "add",
            &b,
            "Undated",
            "--link",
            "https://x.example/1",
        ],
    ] {
        repo.inc().args(args).ok();
    }
    repo.inc().args(["action", "done", &a, "2"]).ok();

    let all = actions(&repo, &[]);
    let texts: Vec<&str> = all.iter().map(|r| r.text.as_str()).collect();
    assert_eq!(
        texts,
        ["Late one", "Future one", "Done one", "Undated"],
        "soonest due first"
    );
    assert_eq!(all[0].incident, a);
    assert!(all[0].overdue);
    assert!(!all[1].overdue);
    assert_eq!(all[3].link.as_deref(), Some("https://x.example/1"));
    assert_eq!(all[3].id, 2);

    let open: Vec<String> = actions(&repo, &["--open"])
        .into_iter()
        .map(|r| r.text)
        .collect();
    assert_eq!(open, ["Late one", "Future one", "Undated"]);
    let overdue: Vec<String> = actions(&repo, &["--overdue"])
        .into_iter()
        .map(|r| r.text)
        .collect();
    assert_eq!(overdue, ["Late one"]);
    let ravi: Vec<Option<String>> = actions(&repo, &["--owner", "ravi"])
        .into_iter()
        .map(|r| r.owner)
        .collect();
    assert_eq!(ravi, [Some("ravi".to_owned()), Some("Ravi".to_owned())]);

    let out = repo.inc().args(["action", "list"]).ok();
    insta::assert_snapshot!(out.snapshot(&repo));
}

/// One rule for due dates: an action due `2026-11-20T00:00:00Z` (written by
/// hand) is overdue to `inc check` and to `inc action list` alike; before,
/// `check` read RFC 3339 and the list only `YYYY-MM-DD`.
#[test]
fn check_and_action_list_agree_on_an_rfc3339_due_date() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    repo.append(
        TestRepo::timeline_path(&id),
        "- {\"at\":\"2026-11-27T12:00:00Z\",\"by\":\"alice\",\"type\":\"action\",\"id\":1,\
         \"text\":\"Raise the pool size\",\"owner\":null,\"due\":\"2026-11-20T00:00:00Z\",\"link\":null}\n",
    );
    let check = repo.inc().arg("check").run();
    assert!(check.stdout.contains("action #1 is past due"), "{check}");
    repo.inc()
        .args(["action", "list", "--overdue"])
        .ok()
        .stdout_has(&["Raise the pool size", "overdue"]);
}

/// Where `inc check`, `inc action list` and `inc stats` overlap, they say
/// the same: which actions are overdue (one rule for due dates, in every
/// form one is written), and an action's text cut to one line of 80
/// characters (one definition of shortening).
#[test]
fn check_action_list_and_stats_agree_on_overdue_actions() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    let long = format!("Raise the pool size\n{}", "and watch it ".repeat(8));
    let action = |at: &str, n: u32, text: &str, due: &str| {
        format!(
            "- {{\"at\":\"2026-11-27T{at}Z\",\"by\":\"alice\",\"type\":\"action\",\"id\":{n},\
             \"text\":{},\"owner\":null,\"due\":\"{due}\",\"link\":null}}\n",
            serde_json::to_string(text).unwrap()
        )
    };
    repo.append(
        TestRepo::timeline_path(&id),
        &[
            action("11:00:00", 1, &long, "2026-11-20T00:00:00Z"),
            action("11:01:00", 2, "Add an alert", "2026-11-26"),
            action("11:02:00", 3, "Due today", "2026-11-27"),
            action("11:03:00", 4, "Due later", "2026-12-24T09:00:00+01:00"),
            action("11:04:00", 5, "Done late", "2026-11-01"),
            "- {\"at\":\"2026-11-27T11:05:00Z\",\"by\":\"alice\",\"type\":\"action_done\",\"id\":5}\n"
                .to_owned(),
        ]
        .concat(),
    );

    let check = repo.inc().args(["check", "--format", "json"]).run();
    let report: serde_json::Value = serde_json::from_str(&check.stdout).unwrap();
    let past_due: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "action-overdue")
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    let listed: Vec<u32> = actions(&repo, &["--overdue"])
        .iter()
        .map(|a| a.id)
        .collect();
    assert_eq!(listed, [1, 2], "{check}");
    assert_eq!(past_due.len(), listed.len(), "{check}");
    for n in &listed {
        assert!(
            past_due
                .iter()
                .any(|m| m.starts_with(&format!("action #{n} is past due"))),
            "{past_due:?}"
        );
    }
    let stats = repo.inc().args(["stats", "--json"]).ok();
    let stats: serde_json::Value = serde_json::from_str(&stats.stdout).unwrap();
    assert_eq!(
        stats["overall"]["actions"]["overdue"],
        listed.len(),
        "{stats}"
    );

    // The long text, cut alike: what check quotes is a cell of the list.
    let quoted = past_due[0].split_once("and not done: ").unwrap().1;
    assert!(
        quoted.ends_with('…') && quoted.chars().count() == 80,
        "{quoted}"
    );
    assert!(!quoted.contains('\n'), "{quoted}");
    repo.inc()
        .args(["action", "list", "--overdue"])
        .ok()
        .stdout_has(&[quoted]);
}
