//! `inc alert`: payloads → one incident per group, dedup by fingerprint,
//! resolve handling, reopening, PagerDuty, bad payloads, --dry-run.

use serde_json::Value;

use crate::harness::{TestRepo, fixture, fixture_text, is_id};

/// `inc alert FIXTURE` at `now`, expecting success; returns stdout's ID.
fn alert_at(repo: &TestRepo, name: &str, now: &str) -> String {
    let out = repo.inc().now(now).arg("alert").arg(fixture(name)).ok();
    let id = out.stdout.trim_end().to_owned();
    assert!(is_id(&id), "stdout is an ID: {out}");
    id
}

fn alert(repo: &TestRepo, name: &str) -> String {
    alert_at(repo, name, "2026-11-27T12:00:00Z")
}

fn alert_events(events: &[Value]) -> Vec<(String, String)> {
    events
        .iter()
        .filter(|e| e["type"] == "alert")
        .map(|e| {
            (
                e["key"].as_str().unwrap().to_owned(),
                e["state"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn pair(key: &str, state: &str) -> (String, String) {
    (key.to_owned(), state.to_owned())
}

#[test]
fn a_new_group_opens_one_triage_incident_that_a_person_acks() {
    let repo = TestRepo::new();
    let commits = repo.commit_count();
    let run = repo
        .inc()
        .arg("alert")
        .arg(fixture("alertmanager-firing.json"))
        .ok();
    insta::assert_snapshot!(run.snapshot(&repo));
    let id = run.stdout.trim_end().to_owned();
    assert_eq!(repo.commit_count(), commits + 1);
    assert_eq!(
        repo.head_files(),
        vec![TestRepo::header_path(&id), TestRepo::timeline_path(&id)]
    );
    let show = repo.show(&id);
    assert_eq!(show.title, "Checkout 5xx rate above 5%");
    assert_eq!(show.status.as_deref(), Some("triage"));
    assert_eq!(
        show.severity.as_deref(),
        Some("SEV1"),
        "no map: `critical` is the most severe"
    );
    assert_eq!(show.services, ["checkout"]);
    assert!(show.roles.is_empty(), "no commander: {:?}", show.roles);
    assert_eq!(show.opened_by, "alertmanager");
    assert_eq!(show.acknowledged_at, None);
    assert_eq!(show.started_at, "2026-11-27T11:52:03Z");
    assert_eq!(
        show.labels["alert_group"],
        "{}/{severity=\"critical\"}:{alertname=\"HighErrorRate\"}"
    );
    let timeline = repo.timeline(&id);
    assert_eq!(timeline[0]["by"], "alertmanager");
    assert_eq!(timeline[0]["status"], "triage");
    assert_eq!(
        alert_events(&timeline),
        [
            pair("5f2d3c1e9a7b4c60", "firing"),
            pair("a1b2c3d4e5f60718", "firing")
        ]
    );
    assert_eq!(timeline[1]["source"], "alertmanager");
    assert_eq!(
        timeline[1]["text"],
        "HighErrorRate: Checkout 5xx rate above 5%"
    );

    repo.inc().args(["ack", &id]).ok();
    let show = repo.show(&id);
    assert_eq!(show.roles["commander"], "alice");
    assert_eq!(show.status.as_deref(), Some("investigating"));
}

#[test]
fn the_same_payload_twice_opens_one_incident_and_appends_nothing() {
    let repo = TestRepo::new();
    let id = alert(&repo, "alertmanager-firing.json");
    let mark = repo.mark(&id);
    let again = alert_at(&repo, "alertmanager-firing.json", "2026-11-27T12:05:00Z");
    assert_eq!(again, id);
    repo.assert_no_change(&mark, &id);
    assert_eq!(repo.list_ids(&["--status", "all"]), [id]);
}

#[test]
fn stdin_and_severity_map() {
    let repo = TestRepo::with_config("alerts:\n  severity_map:\n    critical: SEV1\n");
    let out = repo
        .inc()
        .args(["alert", "-"])
        .stdin(fixture_text("alertmanager-firing.json"))
        .ok();
    let id = out.stdout.trim_end();
    assert_eq!(repo.show(id).severity.as_deref(), Some("SEV1"));
}

#[test]
fn a_new_alert_in_the_group_appends() {
    let repo = TestRepo::new();
    let id = alert(&repo, "alertmanager-firing.json");
    let mark = repo.mark(&id);
    alert(&repo, "alertmanager-firing-more.json");
    let new = repo.appended(&mark, &id);
    assert_eq!(alert_events(&new), [pair("c0ffee00deadbeef", "firing")]);
    assert_eq!(new.len(), 1);
}

#[test]
fn a_partial_resolve_does_not_resolve_the_group() {
    let repo = TestRepo::with_config("alerts:\n  on_resolved: resolve\n");
    let id = alert(&repo, "alertmanager-firing.json");
    let mark = repo.mark(&id);
    alert(&repo, "alertmanager-mixed.json");
    let new = repo.appended(&mark, &id);
    assert_eq!(new.len(), 1, "{new:?}");
    assert_eq!(alert_events(&new), [pair("5f2d3c1e9a7b4c60", "resolved")]);
    assert_eq!(repo.show(&id).status.as_deref(), Some("triage"));
}

#[test]
fn a_full_resolve_runs_on_resolved() {
    for (setting, status, last) in [
        ("note", "triage", "note"),
        ("monitoring", "monitoring", "status"),
        ("resolve", "resolved", "status"),
    ] {
        let repo = TestRepo::with_config(&format!("alerts:\n  on_resolved: {setting}\n"));
        let id = alert(&repo, "alertmanager-firing.json");
        let mark = repo.mark(&id);
        alert_at(&repo, "alertmanager-resolved.json", "2026-11-27T12:10:00Z");
        let new = repo.appended(&mark, &id);
        assert_eq!(
            alert_events(&new),
            [
                pair("5f2d3c1e9a7b4c60", "resolved"),
                pair("a1b2c3d4e5f60718", "resolved")
            ],
            "{setting}"
        );
        assert_eq!(new.len(), 3, "{setting}: {new:?}");
        assert_eq!(new[2]["type"], last, "{setting}");
        assert!(
            new[2]["text"]
                .as_str()
                .unwrap()
                .contains("All 2 alerts of the group resolved"),
            "{setting}"
        );
        assert_eq!(repo.show(&id).status.as_deref(), Some(status), "{setting}");
        // The same resolved payload again: nothing.
        let mark = repo.mark(&id);
        alert_at(&repo, "alertmanager-resolved.json", "2026-11-27T12:15:00Z");
        repo.assert_no_change(&mark, &id);
    }
}

#[test]
fn firing_again_within_the_window_reopens() {
    let repo = TestRepo::with_config("alerts:\n  on_resolved: resolve\n");
    let id = alert(&repo, "alertmanager-firing.json");
    repo.inc()
        .now("2026-11-27T12:01:00Z")
        .args(["ack", &id])
        .ok();
    alert_at(&repo, "alertmanager-resolved.json", "2026-11-27T12:10:00Z");
    assert_eq!(repo.show(&id).status.as_deref(), Some("resolved"));
    let mark = repo.mark(&id);
    let again = alert_at(&repo, "alertmanager-firing.json", "2026-11-27T12:40:00Z");
    assert_eq!(again, id);
    let new = repo.appended(&mark, &id);
    assert_eq!(new[0]["type"], "status");
    assert_eq!(new[0]["status"], "investigating", "acknowledged before");
    assert_eq!(alert_events(&new).len(), 2);
    assert_eq!(repo.show(&id).status.as_deref(), Some("investigating"));
    assert_eq!(repo.list_ids(&["--status", "all"]), [id]);
}

#[test]
fn reopening_an_unacknowledged_incident_goes_back_to_triage() {
    let repo = TestRepo::with_config("alerts:\n  on_resolved: resolve\n");
    let id = alert(&repo, "alertmanager-firing.json");
    alert_at(&repo, "alertmanager-resolved.json", "2026-11-27T12:10:00Z");
    alert_at(&repo, "alertmanager-firing.json", "2026-11-27T12:20:00Z");
    assert_eq!(repo.show(&id).status.as_deref(), Some("triage"));
}

#[test]
fn firing_after_the_window_opens_a_new_linked_incident() {
    let repo = TestRepo::with_config("alerts:\n  on_resolved: resolve\n  reopen_window: 30m\n");
    let old = alert(&repo, "alertmanager-firing.json");
    alert_at(&repo, "alertmanager-resolved.json", "2026-11-27T12:10:00Z");
    let new = alert_at(&repo, "alertmanager-firing.json", "2026-11-27T12:41:00Z");
    assert_ne!(new, old);
    let show = repo.show(&new);
    assert_eq!(show.labels["previous"], old);
    assert_eq!(show.status.as_deref(), Some("triage"));
    assert_eq!(repo.show(&old).status.as_deref(), Some("resolved"));
    // The group now follows the newest incident.
    let mark = repo.mark(&new);
    alert_at(
        &repo,
        "alertmanager-firing-more.json",
        "2026-11-27T12:45:00Z",
    );
    assert_eq!(repo.appended(&mark, &new).len(), 1);
}

#[test]
fn a_repeat_after_a_person_resolved_reopens_nothing() {
    let repo = TestRepo::new();
    let id = alert(&repo, "alertmanager-firing.json");
    repo.inc().args(["resolve", &id]).ok();
    let mark = repo.mark(&id);
    alert_at(&repo, "alertmanager-firing.json", "2026-11-27T12:10:00Z");
    repo.assert_no_change(&mark, &id);
}

#[test]
fn pagerduty_trigger_acknowledge_resolve() {
    let repo = TestRepo::new();
    let id = alert(&repo, "pagerduty-trigger.json");
    let show = repo.show(&id);
    assert_eq!(show.title, "Replication lag on srv01 is 312s");
    assert_eq!(show.opened_by, "pagerduty");
    assert_eq!(show.started_at, "2026-11-27T11:55:20Z", "+0000 offset");
    assert_eq!(show.labels["alert_group"], "srv01/mysql-replication-lag");
    let mark = repo.mark(&id);
    alert_at(&repo, "pagerduty-acknowledge.json", "2026-11-27T12:02:00Z");
    let new = repo.appended(&mark, &id);
    assert_eq!(
        alert_events(&new),
        [pair("srv01/mysql-replication-lag", "acknowledged")]
    );
    let mark = repo.mark(&id);
    alert_at(&repo, "pagerduty-resolve.json", "2026-11-27T12:05:00Z");
    let new = repo.appended(&mark, &id);
    assert_eq!(
        alert_events(&new),
        [pair("srv01/mysql-replication-lag", "resolved")]
    );
    assert_eq!(new.last().unwrap()["type"], "note");
}

#[test]
fn pagerduty_acknowledge_or_resolve_without_an_incident_writes_nothing() {
    let repo = TestRepo::new();
    for name in ["pagerduty-acknowledge.json", "pagerduty-resolve.json"] {
        let before = repo.state();
        let run = repo.inc().arg("alert").arg(fixture(name)).ok();
        assert_eq!(run.stdout, "");
        assert!(run.stderr.contains("match no incident"), "{run}");
        repo.assert_unchanged(&before);
    }
    let before = repo.state();
    repo.inc()
        .arg("alert")
        .arg(fixture("alertmanager-resolved.json"))
        .ok()
        .stderr_has(&["match no incident"]);
    repo.assert_unchanged(&before);
}

#[test]
fn garbage_payloads_fail_and_change_nothing() {
    let repo = TestRepo::new();
    alert(&repo, "alertmanager-firing.json");
    for (input, says) in [
        ("", "empty"),
        ("   \n", "empty"),
        ("{\"alerts\": [", "line 1 column"),
        ("not json", "not JSON"),
        ("[1]", "array"),
        ("{\"text\": \"hi\"}", "neither"),
        ("{\"status\": \"firing\", \"alerts\": {}}", "invalid type"),
        ("{\"event_action\": \"explode\"}", "explode"),
    ] {
        let before = repo.state();
        repo.inc()
            .args(["alert", "-"])
            .stdin(input)
            .fails()
            .stderr_has(&[says]);
        repo.assert_unchanged(&before);
    }
    let before = repo.state();
    repo.inc()
        .args(["alert", "--format", "pagerduty"])
        .arg(fixture("alertmanager-firing.json"))
        .fails()
        .stderr_has(&["not a PagerDuty Events API v2 event"]);
    repo.inc()
        .args(["alert", "no-such-file.json"])
        .fails()
        .stderr_has(&["can't read the alert payload"]);
    repo.assert_unchanged(&before);
}

#[test]
fn dry_run_writes_nothing() {
    let repo = TestRepo::new();
    let before = repo.state();
    let run = repo
        .inc()
        .args(["alert", "--dry-run"])
        .arg(fixture("alertmanager-firing.json"))
        .ok();
    assert!(run.stdout.starts_with("open 2026-11-27-"), "{run}");
    assert!(run.stdout.contains("+ alert firing"), "{run}");
    repo.assert_unchanged(&before);

    let id = alert(&repo, "alertmanager-firing.json");
    let before = repo.state();
    let run = repo
        .inc()
        .args(["alert", "--dry-run"])
        .arg(fixture("alertmanager-mixed.json"))
        .ok();
    assert!(
        run.stdout.starts_with(&format!("append 1 events to {id}")),
        "{run}"
    );
    let run = repo
        .inc()
        .args(["alert", "--dry-run"])
        .arg(fixture("alertmanager-firing.json"))
        .ok();
    assert!(run.stdout.starts_with("nothing: "), "{run}");
    repo.assert_unchanged(&before);
}

#[test]
fn control_characters_never_reach_files_or_the_terminal() {
    let repo = TestRepo::new();
    let run = repo
        .inc()
        .arg("alert")
        .arg(fixture("alertmanager-control-chars.json"))
        .ok();
    let id = run.stdout.trim_end();
    for text in [
        run.stdout.clone(),
        run.stderr.clone(),
        repo.read(TestRepo::header_path(id)),
        repo.read(TestRepo::timeline_path(id)),
    ] {
        // The payload's escapes come out as printable text or not at all.
        assert!(
            !text
                .chars()
                .any(|c| c.is_control() && c != '\n' && c != '\t'),
            "{text:?}"
        );
        assert!(!text.contains("\\u001b"), "{text}");
        assert!(!text.contains("\\u0007"), "{text}");
    }
    let show = repo.show(id);
    assert_eq!(show.title, "Disk [31mfull[0m on db-1");
    assert_eq!(alert_events(&repo.timeline(id))[0].0, "ee[2Jff");
}

#[test]
fn grafana_groups_and_the_test_button() {
    let repo = TestRepo::new();
    let id = alert(&repo, "grafana-firing.json");
    let show = repo.show(&id);
    assert_eq!(show.opened_by, "grafana");
    assert_eq!(show.title, "API p99 latency above 2s");
    let mark = repo.mark(&id);
    alert_at(&repo, "grafana-resolved.json", "2026-11-27T12:20:00Z");
    assert_eq!(repo.appended(&mark, &id).len(), 3);

    let test = alert(&repo, "grafana-test.json");
    assert_ne!(test, id);
    assert_eq!(repo.header(&test)["mode"], "test");
}

#[test]
fn unknown_services_are_dropped_with_a_warning() {
    let repo = TestRepo::with_config("services:\n  - id: api\n");
    let run = repo
        .inc()
        .arg("alert")
        .arg(fixture("alertmanager-firing.json"))
        .ok()
        .stderr_has(&["warning: the alert names service `checkout`"]);
    assert!(repo.show(run.stdout.trim_end()).services.is_empty());
    let run = repo
        .inc()
        .arg("alert")
        .arg(fixture("grafana-firing.json"))
        .ok();
    assert_eq!(repo.show(run.stdout.trim_end()).services, ["api"]);
}

#[test]
fn truncated_groups_warn_and_big_or_unicode_payloads_work() {
    let repo = TestRepo::new();
    repo.inc()
        .arg("alert")
        .arg(fixture("alertmanager-truncated.json"))
        .ok()
        .stderr_has(&["left out 37 alerts"]);
    let id = alert(&repo, "alertmanager-big-annotation.json");
    assert_eq!(repo.show(&id).title, "Gateway throws exceptions");
    let id = alert(&repo, "alertmanager-unicode.json");
    assert!(
        repo.show(&id)
            .title
            .starts_with("Zahlungsdienst antwortet langsam")
    );
    let id = alert(&repo, "pagerduty-unicode.json");
    assert!(repo.show(&id).title.contains("東京"));
}

/// `inc alert -` with `payload` at `now`, expecting success; returns the ID.
fn alert_text_at(repo: &TestRepo, payload: &str, now: &str) -> String {
    let out = repo
        .inc()
        .now(now)
        .args(["alert", "-"])
        .stdin(payload.to_owned())
        .ok();
    let id = out.stdout.trim_end().to_owned();
    assert!(is_id(&id), "stdout is an ID: {out}");
    id
}

#[test]
fn a_repeat_finds_its_incident_whatever_yaml_its_header_was_rewritten_in() {
    // The lookup skips headers whose raw text can't hold the group key;
    // hand-written YAML may spell the key with escapes, in any quoting.
    let repo = TestRepo::new();
    let group = r#"{}/{severity="critical"}:{alertname="HighErrorRate"}"#;
    let id = alert(&repo, "alertmanager-firing.json");
    // Groups whose keys start with this one's are other groups.
    let firing = fixture_text("alertmanager-firing.json");
    let longer = firing.replace(
        r#""groupKey": "{}/{severity=\"critical\"}:{alertname=\"HighErrorRate\"}""#,
        r#""groupKey": "{}/{severity=\"critical\"}:{alertname=\"HighErrorRate\"}/eu""#,
    );
    assert_ne!(longer, firing);
    let other = alert_text_at(&repo, &longer, "2026-11-27T12:01:00Z");
    assert_ne!(other, id);
    assert_eq!(
        repo.header(&other)["labels"]["alert_group"],
        format!("{group}/eu")
    );

    // A person rewrites the first header with the key double-quoted and
    // one letter escaped, so its text never holds `HighErrorRate`.
    let path = TestRepo::header_path(&id);
    let header = repo.read(&path);
    let label = header
        .lines()
        .find(|l| l.trim_start().starts_with("alert_group:"))
        .unwrap()
        .to_owned();
    let escaped = r#"  alert_group: "{}/{severity=\"critical\"}:{alertname=\"High\x45rrorRate\"}""#;
    repo.write(&path, &header.replace(&label, escaped));
    assert!(!repo.read(&path).contains("HighErrorRate"));
    assert_eq!(repo.header(&id)["labels"]["alert_group"], group);
    repo.commit_all("alert_group written by hand");

    let mark = repo.mark(&id);
    let again = alert_at(&repo, "alertmanager-resolved.json", "2026-11-27T12:10:00Z");
    assert_eq!(again, id, "the repeat found the rewritten header");
    assert!(!repo.appended(&mark, &id).is_empty());
    assert_eq!(repo.list_ids(&["--status", "all"]).len(), 2);
}
