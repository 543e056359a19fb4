//! `inc stats`: exact figures in `--json`, breakdowns, `--since`, what is
//! left out, the text report, and the shipped examples.

use serde::Deserialize;

use crate::harness::{LATER, TestRepo};

const LOGIN: &str = "2026-11-20-login-outage";
const CDN: &str = "2026-10-01-old-cdn-glitch";
const CHECKOUT: &str = "2026-11-25-checkout-returns-500s";
const SEARCH: &str = "2026-11-27-search-is-slow";
const DISK: &str = "2026-11-26-disk-alarm-on-db-3";
const DRILL: &str = "2026-11-24-fire-drill";
const UPGRADE: &str = "2026-11-22-database-upgrade";

// ----- `--json`, as a script reads it -----

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Stats {
    since: Option<String>,
    by: Option<String>,
    zone: String,
    left_out: LeftOut,
    overall: Figures,
    groups: Vec<Group>,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct LeftOut {
    total: usize,
    declined: usize,
    test: usize,
    maintenance: usize,
    not_opened: usize,
}

#[derive(Debug, Deserialize)]
struct Group {
    group: Option<String>,
    #[serde(flatten)]
    figures: Figures,
}

#[derive(Debug, Deserialize)]
struct Figures {
    incidents: Counts,
    time_to_detect: Spread,
    time_to_acknowledge: Spread,
    time_to_mitigate: Spread,
    time_to_resolve: Spread,
    impact: Impact,
    actions: Actions,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct Counts {
    total: usize,
    open: usize,
    resolved: usize,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct Spread {
    count: usize,
    mean_seconds: Option<i64>,
    median_seconds: Option<i64>,
    p90_seconds: Option<i64>,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct Impact {
    count: usize,
    total_seconds: i64,
    mean_seconds: Option<i64>,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct Actions {
    total: usize,
    done: usize,
    open: usize,
    overdue: usize,
    done_percent: Option<u32>,
}

fn spread(count: usize, mean: i64, median: i64, p90: i64) -> Spread {
    Spread {
        count,
        mean_seconds: Some(mean),
        median_seconds: Some(median),
        p90_seconds: Some(p90),
    }
}

fn no_spread() -> Spread {
    Spread {
        count: 0,
        mean_seconds: None,
        median_seconds: None,
        p90_seconds: None,
    }
}

fn stats(repo: &TestRepo, args: &[&str]) -> Stats {
    let out = repo.inc().args(["stats", "--json"]).args(args).ok();
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("stats --json: {e}\n{out}"))
}

// ----- the fixture -----

/// Appends `text` to a header and commits it, as a person editing by hand.
fn edit_header(repo: &TestRepo, id: &str, text: &str) {
    repo.append(TestRepo::header_path(id), text);
    repo.commit_all(&format!("edit {id}"));
}

/// Four counted incidents, and one each of declined, test and maintenance.
///
/// | id       | sev  | services | started | opened | ack   | mitigated | resolved |
/// |----------|------|----------|---------|--------|-------|-----------|----------|
/// | LOGIN    | SEV1 | api      | 07:50   | 08:00  | 08:00 | 08:30     | 09:30    |
/// | CDN      | SEV3 | web      | 10:00   | 10:00  | 10:00 | 10:20     | 10:20    |
/// | CHECKOUT | SEV2 | api, web | 13:30   | 14:00  | 14:05 | 14:45     | 16:30    |
/// | SEARCH   | SEV3 | —        | 08:00   | 09:00  | 09:00 | —         | — (open) |
///
/// Actions: LOGIN has one done and one overdue (due 2026-11-25), CHECKOUT
/// one due today (not overdue), SEARCH one with no date. The declined
/// incident has an overdue action too, which must not count.
fn fixture() -> TestRepo {
    let repo = TestRepo::new();

    let login = repo.open_with(
        "Login outage",
        "SEV1",
        &[
            "--service",
            "api",
            "--at",
            "2026-11-20T08:00:00Z",
            "--started",
            "2026-11-20T07:50:00Z",
        ],
    );
    repo.inc()
        .args([
            "status",
            &login,
            "monitoring",
            "--at",
            "2026-11-20T08:30:00Z",
        ])
        .ok();
    repo.inc()
        .args(["resolve", &login, "--at", "2026-11-20T09:30:00Z"])
        .ok();
    repo.inc()
        .args(["action", "add", &login, "Alert on login errors"])
        .args(["--due", "2026-11-25"])
        .ok();
    repo.inc()
        .args(["action", "add", &login, "Write a runbook"])
        .args(["--due", "2026-12-15"])
        .ok();
    repo.inc().args(["action", "done", &login, "2"]).ok();

    let cdn = repo.open_with(
        "Old CDN glitch",
        "SEV3",
        &["--service", "web", "--at", "2026-10-01T10:00:00Z"],
    );
    repo.inc()
        .args(["resolve", &cdn, "--at", "2026-10-01T10:20:00Z"])
        .ok();

    // Opened "by automation": in triage until bob acknowledges it.
    let checkout = repo.open_with(
        "Checkout returns 500s",
        "SEV2",
        &[
            "--service",
            "api",
            "--service",
            "web",
            "--at",
            "2026-11-25T14:00:00Z",
            "--started",
            "2026-11-25T13:30:00Z",
        ],
    );
    let timeline = TestRepo::timeline_path(&checkout);
    let text = repo.read(&timeline);
    assert!(text.contains(r#""status":"investigating""#), "{text}");
    repo.write(
        &timeline,
        &text.replacen(r#""status":"investigating""#, r#""status":"triage""#, 1),
    );
    repo.commit_all("opened by automation");
    repo.inc()
        .args(["--author", "bob", "ack", &checkout])
        .args(["--at", "2026-11-25T14:05:00Z"])
        .ok();
    repo.inc()
        .args(["status", &checkout, "monitoring"])
        .args(["--at", "2026-11-25T14:45:00Z"])
        .ok();
    repo.inc()
        .args(["resolve", &checkout, "--at", "2026-11-25T16:30:00Z"])
        .ok();
    repo.inc()
        .args(["action", "add", &checkout, "Canary deploys"])
        .args(["--due", "2026-11-27"])
        .ok();

    let search = repo.open_with(
        "Search is slow",
        "SEV3",
        &[
            "--at",
            "2026-11-27T09:00:00Z",
            "--started",
            "2026-11-27T08:00:00Z",
        ],
    );
    repo.inc()
        .args(["action", "add", &search, "Look at the index size"])
        .ok();

    let disk = repo.open_with(
        "Disk alarm on db-3",
        "SEV4",
        &["--service", "api", "--at", "2026-11-26T10:00:00Z"],
    );
    repo.inc()
        .args(["action", "add", &disk, "Tune the alarm"])
        .args(["--due", "2026-11-26"])
        .ok();
    repo.inc().args(["decline", &disk]).ok();

    let drill = repo.open_with(
        "Fire drill",
        "SEV1",
        &["--service", "api", "--at", "2026-11-24T10:00:00Z"],
    );
    edit_header(&repo, &drill, "mode: test\n");
    repo.inc()
        .args(["resolve", &drill, "--at", "2026-11-24T10:30:00Z"])
        .ok();

    let upgrade = repo.open_with(
        "Database upgrade",
        "SEV4",
        &["--service", "api", "--at", "2026-11-22T02:00:00Z"],
    );
    edit_header(&repo, &upgrade, "kind: maintenance\n");

    assert_eq!(
        [login, cdn, checkout, search, disk, drill, upgrade],
        [LOGIN, CDN, CHECKOUT, SEARCH, DISK, DRILL, UPGRADE]
    );
    assert_eq!(repo.git_status(), "", "the fixture is committed");
    repo
}

// ----- figures -----

#[test]
fn exact_figures_in_json() {
    let repo = fixture();
    let s = stats(&repo, &[]);
    assert_eq!(s.since, None);
    assert_eq!(s.by, None);
    assert_eq!(s.zone, "UTC");
    assert_eq!(
        s.left_out,
        LeftOut {
            total: 3,
            declined: 1,
            test: 1,
            maintenance: 1,
            not_opened: 0
        }
    );
    assert!(s.groups.is_empty());
    let f = &s.overall;
    assert_eq!(
        f.incidents,
        Counts {
            total: 4,
            open: 1,
            resolved: 3
        }
    );
    // detect: 600, 0, 1800, 3600 → mean 1500, median (600 + 1800) / 2,
    // p90 at rank ⌈3.6⌉ = 4.
    assert_eq!(f.time_to_detect, spread(4, 1500, 1200, 3600));
    // acknowledge: 0, 0, 300, 0
    assert_eq!(f.time_to_acknowledge, spread(4, 75, 0, 300));
    // mitigate: 2400, 1200, 4500 (SEARCH is not mitigated)
    assert_eq!(f.time_to_mitigate, spread(3, 2700, 2400, 4500));
    // resolve: 6000, 1200, 10800
    assert_eq!(f.time_to_resolve, spread(3, 6000, 6000, 10800));
    assert_eq!(
        f.impact,
        Impact {
            count: 3,
            total_seconds: 18000,
            mean_seconds: Some(6000)
        }
    );
    assert_eq!(
        f.actions,
        Actions {
            total: 4,
            done: 1,
            open: 3,
            overdue: 1,
            done_percent: Some(25)
        }
    );
}

#[test]
fn by_severity() {
    let repo = fixture();
    let s = stats(&repo, &["--by", "severity"]);
    assert_eq!(s.by.as_deref(), Some("severity"));
    let rows: Vec<(Option<&str>, usize)> = s
        .groups
        .iter()
        .map(|g| (g.group.as_deref(), g.figures.incidents.total))
        .collect();
    // In the configured order; no SEV4 (declined and maintenance only).
    assert_eq!(
        rows,
        [(Some("SEV1"), 1), (Some("SEV2"), 1), (Some("SEV3"), 2)]
    );
    let sev3 = &s.groups[2].figures;
    assert_eq!(
        sev3.incidents,
        Counts {
            total: 2,
            open: 1,
            resolved: 1
        }
    );
    assert_eq!(sev3.time_to_detect, spread(2, 1800, 1800, 3600));
    assert_eq!(sev3.time_to_resolve, spread(1, 1200, 1200, 1200));
    assert_eq!(sev3.actions.done_percent, Some(0));
    let sev2 = &s.groups[1].figures;
    assert_eq!(sev2.time_to_acknowledge, spread(1, 300, 300, 300));
    // The overall figures are still there.
    assert_eq!(s.overall.incidents.total, 4);
}

#[test]
fn by_service_counts_an_incident_in_each_service() {
    let repo = fixture();
    let s = stats(&repo, &["--by", "service"]);
    let rows: Vec<(Option<&str>, usize)> = s
        .groups
        .iter()
        .map(|g| (g.group.as_deref(), g.figures.incidents.total))
        .collect();
    // CHECKOUT is in api and in web; SEARCH has no service (null, last).
    assert_eq!(rows, [(Some("api"), 2), (Some("web"), 2), (None, 1)]);
    let web = &s.groups[1].figures;
    assert_eq!(web.time_to_resolve, spread(2, 6000, 6000, 10800));
    assert_eq!(
        web.impact,
        Impact {
            count: 2,
            total_seconds: 12000,
            mean_seconds: Some(6000)
        }
    );
    let none = &s.groups[2].figures;
    assert_eq!(none.time_to_resolve, no_spread());
    assert_eq!(
        none.impact,
        Impact {
            count: 0,
            total_seconds: 0,
            mean_seconds: None
        }
    );
}

#[test]
fn by_month_of_opening() {
    let repo = fixture();
    let s = stats(&repo, &["--by", "month"]);
    let rows: Vec<(Option<&str>, usize)> = s
        .groups
        .iter()
        .map(|g| (g.group.as_deref(), g.figures.incidents.total))
        .collect();
    assert_eq!(rows, [(Some("2026-10"), 1), (Some("2026-11"), 3)]);
}

#[test]
fn month_is_taken_in_the_display_zone() {
    let repo = TestRepo::with_config("timezone: Asia/Tokyo\n");
    // 20:00 UTC on 31 October is 05:00 on 1 November in Tokyo.
    repo.open_with("Late one", "SEV3", &["--at", "2026-10-31T20:00:00Z"]);
    let s = stats(&repo, &["--by", "month"]);
    assert_eq!(s.zone, "Asia/Tokyo");
    assert_eq!(s.groups[0].group.as_deref(), Some("2026-11"));
}

#[test]
fn since_keeps_incidents_opened_at_or_after() {
    let repo = fixture();
    let s = stats(&repo, &["--since", "2026-11-25T14:00:00Z"]);
    assert_eq!(s.since.as_deref(), Some("2026-11-25T14:00:00Z"));
    // CHECKOUT (opened exactly then) and SEARCH; DISK is left out as
    // declined; the drill and the upgrade are before the cut.
    assert_eq!(
        s.overall.incidents,
        Counts {
            total: 2,
            open: 1,
            resolved: 1
        }
    );
    assert_eq!(
        s.left_out,
        LeftOut {
            total: 1,
            declined: 1,
            test: 0,
            maintenance: 0,
            not_opened: 0
        }
    );
    assert_eq!(s.overall.time_to_resolve, spread(1, 10800, 10800, 10800));

    // Relative times work as in `inc list`: LOGIN (08:00 on the 20th) is
    // just before the cut; the drill and the upgrade are after it.
    let s = stats(&repo, &["--since", "7d ago"]);
    assert_eq!(s.overall.incidents.total, 2);
    assert_eq!(s.left_out.total, 3);
    assert_eq!(s.since.as_deref(), Some("2026-11-20T12:00:00Z"));
}

#[test]
fn a_reopened_incident_is_open_again() {
    let repo = fixture();
    repo.inc().args(["reopen", LOGIN]).ok();
    let s = stats(&repo, &[]);
    assert_eq!(
        s.overall.incidents,
        Counts {
            total: 4,
            open: 2,
            resolved: 2
        }
    );
    assert_eq!(s.overall.time_to_resolve, spread(2, 6000, 6000, 10800));
    // A reopen clears mitigation as it clears resolution (issue 13): it
    // counts again once it is mitigated again.
    assert_eq!(s.overall.time_to_mitigate.count, 2);
}

// ----- text -----

#[test]
fn text_report() {
    let repo = fixture();
    let run = repo.inc().arg("stats").ok();
    insta::assert_snapshot!(run.snapshot(&repo));
}

#[test]
fn text_by_severity() {
    let repo = fixture();
    let run = repo.inc().args(["stats", "--by", "severity"]).ok();
    insta::assert_snapshot!(run.snapshot(&repo));
}

#[test]
fn text_by_service_and_month() {
    let repo = fixture();
    let run = repo.inc().args(["stats", "--by", "service"]).ok();
    assert!(run.stdout.contains("(none)"), "{run}");
    assert!(run.stdout.contains("counts in each of them"), "{run}");
    let run = repo
        .inc()
        .args(["stats", "--by", "month", "--since", "2026-11-01"])
        .ok();
    insta::assert_snapshot!(run.snapshot(&repo));
}

#[test]
fn empty_repository_says_so() {
    let repo = TestRepo::new();
    let run = repo.inc().arg("stats").ok();
    insta::assert_snapshot!(run.snapshot(&repo));
    let run = repo.inc().args(["stats", "--by", "month"]).ok();
    assert_eq!(run.stdout, "");
    // JSON keeps its shape: zeros and nulls.
    let s = stats(&repo, &["--by", "service"]);
    assert_eq!(s.overall.incidents.total, 0);
    assert_eq!(s.overall.time_to_detect, no_spread());
    assert_eq!(s.overall.actions.done_percent, None);
    assert!(s.groups.is_empty());
}

#[test]
fn nothing_counted_says_what_was_left_out() {
    let repo = fixture();
    let run = repo
        .inc()
        .args(["stats", "--since", "2026-11-26T00:00:00Z"])
        .ok();
    // SEARCH is counted; DISK is declined.
    assert!(
        run.stdout.starts_with("1 incident (1 open, 0 resolved)"),
        "{run}"
    );
    let run = repo
        .inc()
        .args([
            "stats",
            "--since",
            "2026-11-26T00:00:00Z",
            "--by",
            "service",
        ])
        .ok();
    assert!(run.stdout.contains("1 declined"), "{run}");
    let only_declined = TestRepo::new();
    let id = only_declined.open("False alarm", "SEV4");
    only_declined.inc().args(["decline", &id]).ok();
    let run = only_declined.inc().arg("stats").ok();
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        "No incidents to count (left out: 1 declined).\n"
    );
}

// ----- problems -----

#[test]
fn bad_arguments_name_what_is_wrong() {
    let repo = fixture();
    repo.inc()
        .args(["stats", "--since", "the dawn of time"])
        .fails()
        .stderr_has(&["--since", "`the dawn of time`", "RFC 3339"]);
    repo.inc()
        .args(["stats", "--by", "owner"])
        .usage()
        .stderr_has(&["owner", "severity", "service", "month"]);
}

#[test]
fn a_broken_file_is_left_out_with_an_error_and_exit_1() {
    let repo = fixture();
    repo.append(TestRepo::timeline_path(CDN), "<<<<<<< HEAD\n");
    let run = repo.inc().args(["stats", "--json"]).fails();
    assert!(
        run.stderr
            .contains(&format!("error: incidents/2026/{CDN}/timeline.yaml:")),
        "{run}"
    );
    assert!(run.stderr.contains("inc check"), "{run}");
    let s: Stats = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(s.overall.incidents.total, 3);
}

#[test]
fn times_out_of_order_are_left_out_with_a_warning() {
    let repo = fixture();
    // A hand edit puts the impact start after the opening.
    let path = TestRepo::header_path(CDN);
    let header = repo.read(&path);
    repo.write(
        &path,
        &format!("{header}started_at: 2026-10-01T10:05:00Z\n"),
    );
    let run = repo.inc().args(["stats", "--json"]).ok();
    assert!(
        run.stderr.contains(&format!(
            "times out of order (started ≤ opened ≤ acknowledged ≤ mitigated ≤ resolved) in `{CDN}`"
        )),
        "{run}"
    );
    let s: Stats = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(s.overall.incidents.total, 4);
    // −5m to detect is left out; 15m to resolve still counts.
    assert_eq!(s.overall.time_to_detect.count, 3);
    assert_eq!(s.overall.time_to_resolve.count, 3);
}

#[test]
fn a_timeline_without_an_opened_event_is_left_out() {
    let repo = fixture();
    repo.write(TestRepo::timeline_path(CDN), "");
    let s = stats(&repo, &[]);
    assert_eq!(s.left_out.not_opened, 1);
    assert_eq!(s.overall.incidents.total, 3);
    let run = repo.inc().arg("stats").ok();
    assert!(run.stdout.contains("1 with no `opened` event"), "{run}");
}

// ----- the shipped examples -----

#[test]
fn stats_of_the_examples() {
    let repo = TestRepo::examples();
    let run = repo.inc().now(LATER).arg("stats").ok();
    assert_eq!(run.stderr, "", "every example loads");
    insta::assert_snapshot!(run.snapshot(&repo));
}

#[test]
fn stats_of_the_examples_by_service() {
    let repo = TestRepo::examples();
    let run = repo
        .inc()
        .now(LATER)
        .args(["stats", "--by", "service"])
        .ok();
    insta::assert_snapshot!(run.snapshot(&repo));
}

#[test]
fn json_of_the_examples_adds_up() {
    let repo = TestRepo::examples();
    let out = repo
        .inc()
        .now(LATER)
        .args(["stats", "--json", "--by", "severity"])
        .ok();
    let s: Stats = serde_json::from_str(&out.stdout).unwrap();
    let total: usize = s.groups.iter().map(|g| g.figures.incidents.total).sum();
    assert_eq!(total, s.overall.incidents.total, "one severity each");
    let list: Vec<serde_json::Value> = serde_json::from_str(
        &repo
            .inc()
            .now(LATER)
            .args(["list", "--status", "all", "--json"])
            .ok()
            .stdout,
    )
    .unwrap();
    assert_eq!(
        s.overall.incidents.total + s.left_out.total,
        list.len(),
        "every example is counted or left out"
    );
    let a = &s.overall.actions;
    assert_eq!(a.done + a.open, a.total);
}
