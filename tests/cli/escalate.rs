//! `inc escalate`: `page` events for the escalation levels due on
//! unacknowledged incidents, idempotent, stopped by an ack; `inc open` and
//! `inc alert` record who was on call; a paged person's ack takes command.

use serde_json::Value;

use crate::harness::{TestRepo, fixture, fixture_text};

const CONFIG: &str = r#"timezone: Europe/Berlin
services:
  - id: checkout
  - id: db
    escalation:
      - after: 5m
        page: [dba-lead]
oncall:
  rotations:
    - id: primary
      members: [alice, bob, carol]
      shift: 1w
      start: "2026-01-05 09:00"
      timezone: Europe/Berlin
      services: [checkout]
escalation:
  - after: 0m
    page: oncall:primary
  - after: 15m
    page: [erin, frank]
"#;

/// An incident opened by `inc alert` at 12:00 (no person has acked it).
fn alerted(repo: &TestRepo) -> String {
    let out = repo
        .inc()
        .arg("alert")
        .arg(fixture("alertmanager-firing.json"))
        .ok();
    out.stdout.trim().to_owned()
}

fn pages(events: &[Value]) -> Vec<(String, u64, String)> {
    events
        .iter()
        .filter(|e| e["type"] == "page")
        .map(|e| {
            (
                e["at"].as_str().unwrap().to_owned(),
                e["level"].as_u64().unwrap(),
                e["who"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn page(at: &str, level: u64, who: &str) -> (String, u64, String) {
    (at.to_owned(), level, who.to_owned())
}

#[test]
fn escalate_pages_each_level_once_when_due() {
    let repo = TestRepo::with_config(CONFIG);
    let id = alerted(&repo);
    assert_eq!(
        repo.header(&id)["oncall"]["primary"],
        "bob",
        "inc alert records who is on call"
    );
    let mark = repo.mark(&id);
    let run = repo.inc().arg("escalate").now("2026-11-27T12:01:00Z").ok();
    assert_eq!(run.stdout, "", "cron mails stdout: nothing there");
    let stderr: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(stderr.len(), 2, "{stderr:?}");
    assert!(stderr[0].starts_with("Committed "), "{stderr:?}");
    assert!(
        stderr[0].ends_with(&format!("(inc({id}): paged bob (level 1))")),
        "{stderr:?}"
    );
    assert_eq!(stderr[1], format!("Paged bob for {id} (level 1)."));
    let new = repo.appended(&mark, &id);
    assert_eq!(pages(&new), [page("2026-11-27T12:01:00Z", 1, "bob")]);
    assert_eq!(new[0]["by"], "alice", "by whoever ran it");
    assert_eq!(repo.head_trailer("Inc-Event"), ["page"]);

    // Idempotent: nothing new is due at 12:10.
    let mark = repo.mark(&id);
    repo.inc()
        .arg("escalate")
        .now("2026-11-27T12:10:00Z")
        .ok()
        .stderr_has(&["Nothing to page."]);
    repo.assert_no_change(&mark, &id);

    // 15 minutes after opening: level 2, both people, in one commit.
    repo.inc()
        .args(["escalate", "--at", "2026-11-27T12:15:00Z"])
        .now("2026-11-27T12:20:00Z")
        .ok();
    let new = repo.appended(&mark, &id);
    assert_eq!(
        pages(&new),
        [
            page("2026-11-27T12:15:00Z", 2, "erin"),
            page("2026-11-27T12:15:00Z", 2, "frank")
        ]
    );
    let mark = repo.mark(&id);
    repo.inc().arg("escalate").now("2026-11-27T13:00:00Z").ok();
    repo.assert_no_change(&mark, &id);

    // Paging acknowledges nothing.
    let show = repo.show(&id);
    assert_eq!(show.acknowledged_at, None);
    assert_eq!(show.status.as_deref(), Some("triage"));
}

#[test]
fn a_late_run_pages_every_level_due_at_once() {
    let repo = TestRepo::with_config(CONFIG);
    let id = alerted(&repo);
    let mark = repo.mark(&id);
    repo.inc().arg("escalate").now("2026-11-27T12:30:00Z").ok();
    let new = repo.appended(&mark, &id);
    let levels: Vec<(u64, String)> = pages(&new).into_iter().map(|(_, l, w)| (l, w)).collect();
    assert_eq!(
        levels,
        [(1, "bob".into()), (2, "erin".into()), (2, "frank".into())]
    );
}

#[test]
fn once_someone_acks_no_level_fires_and_a_paged_person_takes_command() {
    let repo = TestRepo::with_config(CONFIG);
    let id = alerted(&repo);
    repo.inc().arg("escalate").now("2026-11-27T12:01:00Z").ok();
    // bob, who was paged, acknowledges: with nobody in command, he is.
    repo.inc()
        .args(["ack", &id])
        .env("INC_AUTHOR", "bob")
        .now("2026-11-27T12:05:00Z")
        .ok()
        .stderr_has(&["bob is incident commander"]);
    let show = repo.show(&id);
    assert_eq!(show.roles.get("commander").map(String::as_str), Some("bob"));
    assert_eq!(
        show.acknowledged_at.as_deref(),
        Some("2026-11-27T12:05:00Z")
    );
    let mark = repo.mark(&id);
    repo.inc()
        .arg("escalate")
        .now("2026-11-27T13:00:00Z")
        .ok()
        .stderr_has(&["Nothing to page."]);
    repo.assert_no_change(&mark, &id);
}

#[test]
fn a_note_by_a_person_counts_as_acknowledging() {
    let repo = TestRepo::with_config(CONFIG);
    let id = alerted(&repo);
    repo.inc()
        .args(["note", &id, "looking"])
        .env("INC_AUTHOR", "erin")
        .now("2026-11-27T12:02:00Z")
        .ok();
    let mark = repo.mark(&id);
    repo.inc().arg("escalate").now("2026-11-27T12:30:00Z").ok();
    repo.assert_no_change(&mark, &id);
}

#[test]
fn person_opened_incidents_are_acknowledged_and_record_who_is_on_call() {
    let repo = TestRepo::with_config(CONFIG);
    let id = repo.open_with("Checkout slow", "SEV2", &["--service", "checkout"]);
    let show = repo.inc().args(["show", &id]).ok();
    assert!(
        show.stdout.contains("on call       bob (primary)"),
        "{}",
        show.stdout
    );
    let json: Value =
        serde_json::from_str(&repo.inc().args(["show", &id, "--json"]).ok().stdout).unwrap();
    assert_eq!(json["oncall"], serde_json::json!({"primary": "bob"}));
    // A service the rotation does not cover: nobody recorded.
    let other = repo.open_with("DB slow", "SEV2", &["--service", "db"]);
    assert!(repo.header(&other).get("oncall").is_none());
    let mark = repo.mark(&id);
    repo.inc().arg("escalate").now("2026-11-27T13:00:00Z").ok();
    repo.assert_no_change(&mark, &id);
}

#[test]
fn a_service_policy_replaces_the_default_one() {
    let repo = TestRepo::with_config(CONFIG);
    let payload = fixture_text("alertmanager-firing.json").replace("\"checkout\"", "\"db\"");
    let id = repo
        .inc()
        .arg("alert")
        .arg("-")
        .stdin(payload)
        .ok()
        .stdout
        .trim()
        .to_owned();
    let mark = repo.mark(&id);
    repo.inc().arg("escalate").now("2026-11-27T12:04:00Z").ok();
    repo.assert_no_change(&mark, &id);
    repo.inc().arg("escalate").now("2026-11-27T12:30:00Z").ok();
    let new = repo.appended(&mark, &id);
    assert_eq!(pages(&new), [page("2026-11-27T12:30:00Z", 1, "dba-lead")]);
}

#[test]
fn escalate_without_a_policy_does_nothing() {
    let repo = TestRepo::new();
    let commits = repo.commit_count();
    repo.inc()
        .arg("escalate")
        .ok()
        .stderr_has(&["No escalation policy is configured"]);
    assert_eq!(repo.commit_count(), commits);
}

#[test]
fn a_rotation_with_nobody_on_call_yet_waits() {
    let repo = TestRepo::with_config(&CONFIG.replace("2026-01-05 09:00", "2027-01-04 09:00"));
    let id = alerted(&repo);
    let mark = repo.mark(&id);
    repo.inc()
        .arg("escalate")
        .now("2026-11-27T12:05:00Z")
        .ok()
        .stderr_has(&["level 1 pages rotation `primary`, which has nobody on call yet"]);
    repo.assert_no_change(&mark, &id);
    repo.inc().arg("escalate").now("2026-11-27T12:20:00Z").ok();
    let levels: Vec<u64> = pages(&repo.appended(&mark, &id))
        .iter()
        .map(|p| p.1)
        .collect();
    assert_eq!(levels, [2, 2], "level 2 still fires");
}

#[test]
fn stats_count_pages_and_the_time_from_first_page_to_ack() {
    let repo = TestRepo::with_config(CONFIG);
    let id = alerted(&repo);
    repo.inc().arg("escalate").now("2026-11-27T12:01:00Z").ok();
    repo.inc().arg("escalate").now("2026-11-27T12:16:00Z").ok();
    repo.inc()
        .args(["ack", &id])
        .env("INC_AUTHOR", "erin")
        .now("2026-11-27T12:21:00Z")
        .ok();
    let out = repo
        .inc()
        .args(["stats", "--json"])
        .now("2026-11-27T13:00:00Z")
        .ok();
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(
        v["overall"]["pages"],
        serde_json::json!({"sent": 3, "incidents": 1})
    );
    let spread = &v["overall"]["time_from_page_to_acknowledge"];
    assert_eq!(spread["count"], 1);
    assert_eq!(spread["mean_seconds"], 20 * 60, "12:01 → 12:21");
    let text = repo
        .inc()
        .arg("stats")
        .now("2026-11-27T13:00:00Z")
        .ok()
        .stdout;
    assert!(text.contains("pages       3 sent on 1 incident"), "{text}");
    let row = text
        .lines()
        .find(|l| l.contains("ack after page"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(row.contains("20m"), "{row}");
}
