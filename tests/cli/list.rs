//! `inc list`: filters, `--json`, and the table.

use crate::harness::{TestRepo, assert_incident_keys};

const LOGIN: &str = "2026-11-20-login-outage";
const OLD: &str = "2026-10-01-old-cdn-glitch";
const DISK: &str = "2026-11-27-disk-alarm-on-db-3";
const SEARCH: &str = "2026-11-27-search-is-slow";
const CHECKOUT: &str = "2026-11-27-checkout-returns-500s";

/// Five incidents: two open (investigating, monitoring), two resolved, one
/// declined; services api, web, search.
fn fixture() -> TestRepo {
    let repo = TestRepo::new();
    let id = |run: crate::harness::Run| run.stdout.trim().to_owned();
    let login = id(repo
        .inc()
        .now("2026-11-20T08:00:00Z")
        .args(["open", "Login outage", "-s", "SEV1", "--service", "api"])
        .ok());
    repo.inc()
        .now("2026-11-20T09:35:00Z")
        .args(["resolve", &login])
        .ok();
    let old = repo.open_with(
        "Old CDN glitch",
        "SEV3",
        &["--service", "web", "--at", "2026-10-01T10:00:00Z"],
    );
    repo.inc()
        .args(["resolve", &old, "--at", "2026-10-01T10:20:00Z"])
        .ok();
    let disk = repo.open_with("Disk alarm on db-3", "SEV4", &["--at", "5h ago"]);
    repo.inc().args(["decline", &disk]).ok();
    let search = repo.open_with(
        "Search is slow",
        "SEV3",
        &["--service", "search", "--at", "3h ago"],
    );
    repo.inc().args(["status", &search, "monitoring"]).ok();
    let checkout = repo.open_with(
        "Checkout returns 500s",
        "SEV2",
        &[
            "--service",
            "api",
            "--service",
            "web",
            "--at",
            "11:48",
            "--commander",
            "bob",
        ],
    );
    assert_eq!(
        [login, old, disk, search, checkout],
        [LOGIN, OLD, DISK, SEARCH, CHECKOUT]
    );
    repo
}

#[test]
fn filters() {
    let repo = fixture();
    // Default: open ones only, newest first.
    assert_eq!(repo.list_ids(&[]), [CHECKOUT, SEARCH]);
    assert_eq!(repo.list_ids(&["--status", "open"]), [CHECKOUT, SEARCH]);
    assert_eq!(
        repo.list_ids(&["--status", "all"]),
        [CHECKOUT, SEARCH, DISK, LOGIN, OLD]
    );
    assert_eq!(repo.list_ids(&["--status", "resolved"]), [LOGIN, OLD]);
    assert_eq!(repo.list_ids(&["--status", "closed"]), [DISK, LOGIN, OLD]);
    assert_eq!(repo.list_ids(&["--status", "monitoring"]), [SEARCH]);
    assert_eq!(repo.list_ids(&["--status", "declined"]), [DISK]);
    assert_eq!(repo.list_ids(&["--status", "identified"]), [] as [&str; 0]);

    assert_eq!(repo.list_ids(&["--severity", "SEV2"]), [CHECKOUT]);
    assert_eq!(
        repo.list_ids(&["--severity", "sev1", "--status", "all"]),
        [LOGIN]
    );
    assert_eq!(repo.list_ids(&["--service", "api"]), [CHECKOUT]);
    assert_eq!(
        repo.list_ids(&["--service", "api", "--status", "all"]),
        [CHECKOUT, LOGIN]
    );
    assert_eq!(
        repo.list_ids(&["--service", "web", "--status", "resolved"]),
        [OLD]
    );
    assert_eq!(
        repo.list_ids(&["--since", "2026-11-25", "--status", "all"]),
        [CHECKOUT, SEARCH, DISK]
    );
    assert_eq!(
        repo.list_ids(&["--since", "4h ago", "--status", "all"]),
        [CHECKOUT, SEARCH]
    );
    assert_eq!(
        repo.list_ids(&["--since", "2026-11-01T00:00:00Z", "--status", "resolved"]),
        [LOGIN]
    );
}

#[test]
fn json_is_an_array_of_incidents_without_events() {
    let repo = fixture();
    let all = repo.list(&["--status", "all"]);
    assert_eq!(all.len(), 5);
    for incident in &all {
        assert_incident_keys(incident);
        assert!(
            incident.get("events").is_none(),
            "list leaves out events: {incident:#}"
        );
    }
    let checkout = &all[0];
    assert_eq!(checkout["id"], CHECKOUT);
    assert_eq!(checkout["title"], "Checkout returns 500s");
    assert_eq!(checkout["status"], "investigating");
    assert_eq!(checkout["severity"], "SEV2");
    assert_eq!(checkout["services"], serde_json::json!(["api", "web"]));
    assert_eq!(checkout["roles"], serde_json::json!({"commander": "bob"}));
    assert_eq!(checkout["opened_at"], "2026-11-27T11:48:00Z");
    assert_eq!(checkout["opened_by"], "alice");
    assert_eq!(checkout["resolved_at"], serde_json::Value::Null);
    assert_eq!(checkout["private"], false);
    assert_eq!(checkout["kind"], "incident");
    let login = all.iter().find(|i| i["id"] == LOGIN).unwrap();
    assert_eq!(login["status"], "resolved");
    assert_eq!(login["resolved_at"], "2026-11-20T09:35:00Z");
    assert_eq!(login["impact"], "major_outage");
}

#[test]
fn json_of_nothing_is_an_empty_array() {
    let repo = TestRepo::new();
    let out = repo.inc().args(["list", "--json"]).ok();
    let value: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(value, serde_json::json!([]));
}

#[test]
fn table_of_open_incidents() {
    let repo = fixture();
    let out = repo.inc().arg("list").ok();
    insta::assert_snapshot!(out.snapshot(&repo));
}

#[test]
fn table_of_all_incidents() {
    let repo = fixture();
    let out = repo.inc().args(["ls", "--status", "all"]).ok();
    insta::assert_snapshot!(out.snapshot(&repo));
}

#[test]
fn ages_follow_the_clock() {
    let repo = fixture();
    let out = repo
        .inc()
        .now("2026-11-28T14:30:00Z")
        .args(["list", "--severity", "SEV2"])
        .ok();
    assert!(out.stdout.contains("1d 2h ago"), "{out}");
}

#[test]
fn no_open_incidents_says_so_on_stderr() {
    let repo = TestRepo::new();
    let out = repo.inc().arg("list").ok();
    assert_eq!(out.stdout, "");
    assert!(out.stderr.contains("No open incidents"), "{out}");
}

#[test]
fn bad_filters_are_errors() {
    let repo = fixture();
    repo.inc()
        .args(["list", "--status", "fixed"])
        .fails()
        .stderr_has(&["`fixed`", "`open`", "`all`"]);
    repo.inc()
        .args(["list", "--severity", "P0"])
        .fails()
        .stderr_has(&["`P0`", "`SEV1`"]);
    repo.inc()
        .args(["list", "--since", "the dawn of time"])
        .fails()
        .stderr_has(&["the dawn of time"]);
}

#[test]
fn unknown_service_filter_is_an_error_once_services_are_configured() {
    let repo = TestRepo::with_config("services:\n  - id: api\n");
    repo.open_with("X", "SEV3", &["--service", "api"]);
    assert_eq!(repo.list_ids(&["--service", "api"]).len(), 1);
    repo.inc()
        .args(["list", "--service", "db"])
        .fails()
        .stderr_has(&["`db`", "`api`"]);
}

#[test]
fn colour_follows_the_flag_then_no_color() {
    let repo = fixture();
    let plain = repo.inc().arg("list").ok();
    assert!(!plain.stdout.contains('\x1b'), "a pipe gets no colour");
    let coloured = repo.inc().args(["list", "--color", "always"]).ok();
    assert!(coloured.stdout.contains('\x1b'), "{coloured}");
    let flag_wins = repo
        .inc()
        .args(["list", "--color", "always"])
        .env("NO_COLOR", "1")
        .ok();
    assert!(flag_wins.stdout.contains('\x1b'), "the flag beats NO_COLOR");
    let never = repo.inc().args(["list", "--color", "never"]).ok();
    assert_eq!(never.stdout, plain.stdout);
    let json = repo
        .inc()
        .args(["list", "--json", "--color", "always"])
        .ok();
    assert!(!json.stdout.contains('\x1b'), "JSON is never coloured");
}
