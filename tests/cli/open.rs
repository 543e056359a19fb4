//! `inc open`: a new incident, its files, its commit.

use crate::harness::{AUTHOR, TestRepo, each_row, is_id};

const SERVICES: &str = "\
services:
  - id: api
    name: Public API
  - id: web
    name: Website
";

#[test]
fn prints_the_id_alone_on_stdout() {
    let repo = TestRepo::new();
    let out = repo
        .inc()
        .args(["open", "Checkout returns 500s", "-s", "SEV2"])
        .ok();
    assert_eq!(out.stdout, "2026-11-27-checkout-returns-500s\n");
    let id = out.stdout.trim();
    assert!(is_id(id));
    assert!(repo.exists(TestRepo::header_path(id)));
    assert!(repo.exists(TestRepo::timeline_path(id)));
    // The chatter goes to stderr, not stdout.
    assert!(out.stderr.contains(id), "{out}");
}

#[test]
fn the_opener_becomes_commander_and_it_is_investigating() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    let show = repo.show(&id);
    assert_eq!(show.id, id);
    assert_eq!(show.title, "Checkout returns 500s");
    assert_eq!(
        show.roles.get("commander").map(String::as_str),
        Some(AUTHOR)
    );
    assert_eq!(show.status.as_deref(), Some("investigating"));
    assert_eq!(show.severity.as_deref(), Some("SEV2"));
    assert_eq!(show.kind, "incident");
    assert_eq!(show.opened_by, AUTHOR);
    assert_eq!(show.opened_at, "2026-11-27T12:00:00Z");
    assert_eq!(show.started_at, show.opened_at);
    // A person opening it has acknowledged it.
    assert_eq!(
        show.acknowledged_at.as_deref(),
        Some("2026-11-27T12:00:00Z")
    );
    assert_eq!(show.resolved_at, None);
    assert!(!show.private);

    let lines = repo.timeline(&id);
    assert_eq!(
        lines,
        vec![
            serde_json::json!({"at":"2026-11-27T12:00:00Z","by":"alice","type":"opened","severity":"SEV2","status":"investigating"}),
            serde_json::json!({"at":"2026-11-27T12:00:00Z","by":"alice","type":"role","role":"commander","who":"alice"}),
        ]
    );
}

#[test]
fn the_commit_holds_exactly_the_two_files_with_trailers() {
    let repo = TestRepo::new();
    let before = repo.commit_count();
    let id = repo.open("Checkout returns 500s", "SEV2");
    assert_eq!(repo.commit_count(), before + 1);
    assert_eq!(
        repo.head_files(),
        vec![TestRepo::header_path(&id), TestRepo::timeline_path(&id)]
    );
    let message = repo.head_message();
    let subject = message.lines().next().unwrap();
    assert!(subject.starts_with(&format!("inc({id}): ")), "{message}");
    assert_eq!(repo.head_trailer("Inc-Id"), vec![id.clone()]);
    let events = repo.head_trailer("Inc-Event");
    assert!(events.contains(&"opened".to_owned()), "{message}");
    assert_eq!(repo.git_status(), "");
    assert_eq!(repo.head_author(), AUTHOR);
}

#[test]
fn commander_flag_names_someone_else() {
    let repo = TestRepo::new();
    let id = repo.open_with("DB down", "SEV1", &["--commander", "bob"]);
    let show = repo.show(&id);
    assert_eq!(show.roles["commander"], "bob");
    assert_eq!(show.opened_by, AUTHOR);
}

#[test]
fn at_accepts_rfc3339() {
    let repo = TestRepo::new();
    let id = repo.open_with("DB down", "SEV1", &["--at", "2026-11-25T23:10:00+01:00"]);
    // The ID carries the UTC date of opening.
    assert_eq!(id, "2026-11-25-db-down");
    let show = repo.show(&id);
    assert_eq!(show.opened_at, "2026-11-25T22:10:00Z");
    assert_eq!(show.started_at, "2026-11-25T22:10:00Z");
    assert!(show.events.iter().all(|e| e.at == "2026-11-25T22:10:00Z"));
}

#[test]
fn at_accepts_hh_mm_as_today_in_the_display_zone() {
    let repo = TestRepo::new();
    let id = repo.open_with("DB down", "SEV1", &["--at", "10:30"]);
    assert_eq!(repo.show(&id).opened_at, "2026-11-27T10:30:00Z");

    // With inc.yaml's timezone, HH:MM is Berlin time (CET = UTC+1).
    let repo = TestRepo::with_config("timezone: Europe/Berlin\n");
    let id = repo.open_with("DB down", "SEV1", &["--at", "10:30"]);
    assert_eq!(repo.show(&id).opened_at, "2026-11-27T09:30:00Z");
}

#[test]
fn at_accepts_relative_times_and_dates_with_times() {
    let repo = TestRepo::new();
    let id = repo.open_with("A", "SEV3", &["--at", "2h ago"]);
    assert_eq!(repo.show(&id).opened_at, "2026-11-27T10:00:00Z");
    let id = repo.open_with("B", "SEV3", &["--at", "15m ago"]);
    assert_eq!(repo.show(&id).opened_at, "2026-11-27T11:45:00Z");
    let id = repo.open_with("C", "SEV3", &["--at", "2026-11-26 08:05"]);
    assert_eq!(repo.show(&id).opened_at, "2026-11-26T08:05:00Z");
}

#[test]
fn started_backdates_the_impact() {
    let repo = TestRepo::new();
    let id = repo.open_with("Slow", "SEV3", &["--at", "1h ago", "--started", "3h ago"]);
    let show = repo.show(&id);
    assert_eq!(show.started_at, "2026-11-27T09:00:00Z");
    assert_eq!(show.opened_at, "2026-11-27T11:00:00Z");
    assert_eq!(
        repo.header(&id)["started_at"].as_str(),
        Some("2026-11-27T09:00:00Z")
    );
}

#[test]
fn private_labels_and_summary_are_kept() {
    let repo = TestRepo::new();
    let id = repo.open_with(
        "Payment provider errors",
        "SEV2",
        &[
            "--private",
            "--label",
            "region=eu-west-1",
            "--label",
            "team=payments",
            "--summary",
            "Card payments fail at the provider",
        ],
    );
    let show = repo.show(&id);
    assert!(show.private);
    assert_eq!(show.labels["region"], "eu-west-1");
    assert_eq!(show.labels["team"], "payments");
    assert_eq!(show.labels.len(), 2);
    let header = repo.header(&id);
    assert_eq!(header["private"].as_bool(), Some(true));
    assert_eq!(
        header["summary"].as_str(),
        Some("Card payments fail at the provider")
    );
}

/// `inc open` refused for what it was given (or not given, with no
/// terminal to ask on) says why, prints nothing on stdout and changes
/// nothing.
#[test]
fn a_refused_open_changes_nothing() {
    /// The arguments, what stderr says.
    type Row = (&'static [&'static str], &'static [&'static str]);
    let rows: &[(&str, Row)] = &[
        (
            "started_after_opened_is_refused",
            (
                &[
                    "open",
                    "Slow",
                    "-s",
                    "SEV3",
                    "--at",
                    "3h ago",
                    "--started",
                    "1h ago",
                ],
                &["--started"],
            ),
        ),
        (
            "a_label_without_equals_is_refused",
            (
                &["open", "X", "-s", "SEV3", "--label", "oops"],
                &["oops", "KEY=VALUE"],
            ),
        ),
        (
            "an_unknown_severity_lists_the_allowed_ones",
            (
                &["open", "X", "-s", "P0"],
                &["`P0`", "`SEV1`", "`SEV2`", "`SEV3`", "`SEV4`"],
            ),
        ),
        (
            "without_a_terminal_a_missing_title_fails",
            (&["open", "-s", "SEV2"], &["title"]),
        ),
        (
            "without_a_terminal_a_missing_severity_fails_naming_the_flag",
            (
                &["open", "Checkout down"],
                &["severity", "--severity", "SEV2"],
            ),
        ),
    ];
    each_row(rows, |_, &(args, says)| {
        let repo = TestRepo::new();
        let before = repo.state();
        let out = repo.inc().args(args).fails().stderr_has(says);
        assert!(out.stdout.is_empty(), "{out}");
        repo.assert_unchanged(&before);
    });
}

#[test]
fn any_service_is_accepted_while_none_are_configured() {
    let repo = TestRepo::new();
    let id = repo.open_with("X", "SEV3", &["--service", "api", "--service", "db"]);
    assert_eq!(repo.show(&id).services, vec!["api", "db"]);
}

#[test]
fn services_are_checked_once_configured() {
    let repo = TestRepo::with_config(SERVICES);
    let id = repo.open_with("X", "SEV3", &["--service", "web"]);
    assert_eq!(repo.show(&id).services, vec!["web"]);

    let before = repo.state();
    repo.inc()
        .args(["open", "Y", "-s", "SEV3", "--service", "db"])
        .fails()
        .stderr_has(&["`db`", "`api`", "`web`"]);
    repo.assert_unchanged(&before);
}

#[test]
fn severity_is_case_insensitive() {
    let repo = TestRepo::new();
    let id = repo.open("X", "sev3");
    assert_eq!(repo.show(&id).severity.as_deref(), Some("SEV3"));
    let id = repo
        .inc()
        .args(["open", "Y", "--severity", "Sev1"])
        .ok()
        .stdout
        .trim()
        .to_owned();
    assert_eq!(repo.show(&id).severity.as_deref(), Some("SEV1"));
}

#[test]
fn an_empty_title_is_refused() {
    let repo = TestRepo::new();
    let before = repo.state();
    for title in ["", "   ", "\n\t"] {
        repo.inc()
            .args(["open", title, "-s", "SEV2"])
            .fails()
            .stderr_has(&["empty"]);
    }
    repo.assert_unchanged(&before);
}

#[test]
fn the_same_title_twice_gets_a_counter() {
    let repo = TestRepo::new();
    let a = repo.open("DB down", "SEV1");
    let b = repo.open("DB down", "SEV1");
    let c = repo.open("db DOWN!", "SEV1");
    assert_eq!(a, "2026-11-27-db-down");
    assert_eq!(b, "2026-11-27-db-down-2");
    assert_eq!(c, "2026-11-27-db-down-3");
    assert_eq!(repo.show(&b).title, "DB down");
    assert_eq!(repo.show(&c).title, "db DOWN!");
}

#[test]
fn new_is_an_alias_of_open() {
    let repo = TestRepo::new();
    let out = repo.inc().args(["new", "Via alias", "-s", "SEV4"]).ok();
    assert_eq!(out.stdout, "2026-11-27-via-alias\n");
}

#[test]
fn quiet_prints_only_the_id() {
    let repo = TestRepo::new();
    let out = repo.inc().args(["-q", "open", "Quiet", "-s", "SEV4"]).ok();
    assert_eq!(out.stdout, "2026-11-27-quiet\n");
    assert_eq!(out.stderr, "");
}

// ----- who is the author -----

#[test]
fn author_flag_wins_over_everything() {
    let repo = TestRepo::new();
    let id = repo
        .inc()
        .args(["--author", "bob", "open", "X", "-s", "SEV3"])
        .env("INC_AUTHOR", "carol")
        .env("USER", "dave")
        .ok()
        .stdout
        .trim()
        .to_owned();
    let show = repo.show(&id);
    assert_eq!(show.opened_by, "bob");
    assert_eq!(show.roles["commander"], "bob");
    assert!(show.events.iter().all(|e| e.by == "bob"));
    assert_eq!(repo.head_author(), "bob");
}

/// Who acts: `INC_AUTHOR`, else git's `user.name`, else `$USER`; the
/// incident's `opened_by` and the commit's author agree.
#[test]
fn who_acts_comes_from_inc_author_then_git_then_user() {
    /// git's `user.name` (`None`: unset), `INC_AUTHOR`, who acts; `$USER`
    /// is always `dave`.
    type Row = (Option<&'static str>, Option<&'static str>, &'static str);
    let rows: &[(&str, Row)] = &[
        (
            "inc_author_comes_before_git_user_name",
            (Some(AUTHOR), Some("carol"), "carol"),
        ),
        (
            "git_user_name_comes_before_user",
            (Some("Erin Example"), None, "Erin Example"),
        ),
        ("user_is_the_last_resort", (None, None, "dave")),
    ];
    each_row(rows, |_, &(git_name, inc_author, who)| {
        let repo = TestRepo::new();
        match git_name {
            Some(name) => repo.git(&["config", "user.name", name]),
            None => repo.git(&["config", "--unset", "user.name"]),
        };
        let run = repo
            .inc()
            .args(["open", "X", "-s", "SEV3"])
            .env("USER", "dave");
        let run = match inc_author {
            Some(author) => run.env("INC_AUTHOR", author),
            None => run.env_remove("INC_AUTHOR"),
        };
        let id = run.ok().stdout.trim().to_owned();
        assert_eq!(repo.show(&id).opened_by, who);
        assert_eq!(repo.head_author(), who);
    });
}

#[test]
fn a_repeated_service_is_kept_once() {
    let repo = TestRepo::new();
    let id = repo.open_with(
        "X",
        "SEV3",
        &["--service", "api", "--service", "web", "--service", "api"],
    );
    assert_eq!(repo.show(&id).services, vec!["api", "web"]);
}

/// Files inc writes are readable by others (0644), like any saved file,
/// not private to the writer as a bare temp file would be.
#[cfg(unix)]
#[test]
fn written_files_are_readable_by_all() {
    use std::os::unix::fs::PermissionsExt;
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    repo.inc().args(["note", &id, "x"]).ok();
    for file in [
        "inc.yaml".to_owned(),
        TestRepo::header_path(&id),
        TestRepo::timeline_path(&id),
    ] {
        let mode = std::fs::metadata(repo.path(&file))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o644, "{file}");
    }
}
