//! `inc oncall`: who is on call now, at a time, next; overrides written to
//! oncall.yaml and committed; the iCalendar export read by a real parser;
//! configuration errors naming file:line.

use serde::Deserialize;

use crate::harness::TestRepo;

/// The issue's example configuration.
pub const CONFIG: &str = r#"# Our incident config (comments must survive inc)
timezone: Europe/Berlin
services:
  - id: api
  - id: web
  - id: db
oncall:
  rotations:
    - id: primary
      members: [alice, bob, carol]
      shift: 1w                        # any duration: 12h, 1d, 1w
      start: "2026-01-05 09:00"        # the first shift's start
      timezone: Europe/Berlin
      services: [api, web]
    - id: dba
      members: [dora]
      shift: 1d
      start: "2026-01-01 00:00"
      timezone: UTC
      services: [db]
  overrides:
    - {rotation: primary, who: dave, from: "2026-12-24 00:00", to: "2026-12-27 00:00"}
escalation:
  - after: 0m
    page: oncall:primary
  - after: 15m
    page: [erin, frank]
"#;

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct RotationJson {
    rotation: String,
    now: Option<ShiftJson>,
    next: Option<ShiftJson>,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct ShiftJson {
    who: String,
    from: String,
    to: String,
    #[serde(rename = "override")]
    is_override: bool,
}

fn json(repo: &TestRepo, args: &[&str]) -> Vec<RotationJson> {
    let out = repo.inc().args(["oncall", "--json"]).args(args).ok();
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", out.stdout))
}

fn shift(who: &str, from: &str, to: &str, is_override: bool) -> Option<ShiftJson> {
    Some(ShiftJson {
        who: who.into(),
        from: from.into(),
        to: to.into(),
        is_override,
    })
}

#[test]
fn oncall_shows_who_is_on_call_now_and_next() {
    let repo = TestRepo::with_config(CONFIG);
    let run = repo.inc().arg("oncall").ok();
    insta::assert_snapshot!(run.snapshot(&repo), @r"
    [exit status: 0]
    --- stdout
    primary  bob on call since 2026-11-23 09:00 CET, until 2026-11-30 09:00 CET
             next: carol, 2026-11-30 09:00 CET → 2026-12-07 09:00 CET
    dba      dora on call since 2026-11-27 01:00 CET, until 2026-11-28 01:00 CET
             next: dora, 2026-11-28 01:00 CET → 2026-11-29 01:00 CET
    --- stderr
    ");
    let all = json(&repo, &[]);
    assert_eq!(all.len(), 2);
    assert_eq!(
        all[0],
        RotationJson {
            rotation: "primary".into(),
            now: shift("bob", "2026-11-23T08:00:00Z", "2026-11-30T08:00:00Z", false),
            next: shift(
                "carol",
                "2026-11-30T08:00:00Z",
                "2026-12-07T08:00:00Z",
                false
            ),
        }
    );
}

#[test]
fn oncall_at_a_time_applies_overrides_and_filters() {
    let repo = TestRepo::with_config(CONFIG);
    // Carol's week is cut by dave's Christmas override.
    let before = json(
        &repo,
        &["--at", "2026-12-23T12:00:00Z", "--rotation", "primary"],
    );
    assert_eq!(
        before,
        [RotationJson {
            rotation: "primary".into(),
            now: shift(
                "carol",
                "2026-12-21T08:00:00Z",
                "2026-12-23T23:00:00Z",
                false
            ),
            next: shift("dave", "2026-12-23T23:00:00Z", "2026-12-26T23:00:00Z", true),
        }]
    );
    let during = json(&repo, &["--at", "2026-12-25 12:00", "--service", "api"]);
    assert_eq!(during.len(), 1, "only primary pages for api");
    assert_eq!(
        during[0].now,
        shift("dave", "2026-12-23T23:00:00Z", "2026-12-26T23:00:00Z", true)
    );
    assert_eq!(
        during[0].next,
        shift(
            "carol",
            "2026-12-26T23:00:00Z",
            "2026-12-28T08:00:00Z",
            false
        )
    );
    let db = json(&repo, &["--service", "db"]);
    assert_eq!(
        db.iter().map(|r| r.rotation.as_str()).collect::<Vec<_>>(),
        ["dba"]
    );
    // Across the spring DST change, the handoff stays 09:00 Berlin (07:00Z).
    let spring = json(
        &repo,
        &["--at", "2026-03-29T12:00:00Z", "--rotation", "primary"],
    );
    let now = spring[0].now.as_ref().unwrap();
    assert_eq!(
        (now.from.as_str(), now.to.as_str()),
        ("2026-03-23T08:00:00Z", "2026-03-30T07:00:00Z")
    );
    // Before the first shift nobody is on call, and the first is next.
    let early = json(
        &repo,
        &["--at", "2026-01-01T00:00:00Z", "--rotation", "primary"],
    );
    assert_eq!(early[0].now, None);
    assert_eq!(early[0].next.as_ref().unwrap().who, "alice");
    repo.inc()
        .args(["oncall", "--rotation", "nightly"])
        .fails()
        .stderr_has(&["unknown rotation `nightly`", "`primary`, `dba`"]);
    repo.inc()
        .args(["oncall", "--service", "nope"])
        .fails()
        .stderr_has(&["unknown service `nope`"]);
}

#[test]
fn oncall_without_rotations_says_how_to_add_them() {
    let repo = TestRepo::new();
    repo.inc()
        .arg("oncall")
        .fails()
        .stderr_has(&["no on-call rotation is configured", "hint:"]);
}

#[test]
fn oncall_override_appends_to_oncall_yaml_and_commits_only_it() {
    let repo = TestRepo::with_config(CONFIG);
    let commits = repo.commit_count();
    repo.inc()
        .args(["oncall", "override", "primary", "erin"])
        .args(["--from", "2026-12-30 09:00", "--to", "2027-01-02 09:00"])
        .ok()
        .stderr_has(&["erin 2026-12-30 09:00 → 2027-01-02 09:00"]);
    assert_eq!(repo.commit_count(), commits + 1);
    assert_eq!(repo.head_files(), ["oncall.yaml"]);
    assert!(
        repo.head_message()
            .starts_with("oncall: override primary: erin")
    );
    assert_eq!(repo.git_status(), "");
    assert_eq!(repo.read("inc.yaml"), CONFIG, "inc.yaml is never rewritten");
    let at = json(
        &repo,
        &["--at", "2026-12-31T00:00:00Z", "--rotation", "primary"],
    );
    assert_eq!(
        at[0].now,
        shift("erin", "2026-12-30T08:00:00Z", "2027-01-02T08:00:00Z", true)
    );

    // A second one goes after the first, keeping the file's comments.
    repo.append("oncall.yaml", "# a note of mine\n");
    repo.commit_all("a note");
    repo.inc()
        .args(["oncall", "override", "primary", "frank"])
        .args([
            "--from",
            "2027-01-05 09:00",
            "--to",
            "2027-01-06T09:00:00+01:00",
        ])
        .ok();
    let text = repo.read("oncall.yaml");
    assert!(text.contains("# a note of mine"), "{text}");
    let erin = text.find("who: erin").unwrap();
    let frank = text.find("who: frank").unwrap();
    assert!(erin < frank, "{text}");
    assert!(
        text.contains(
            r#"{rotation: primary, who: frank, from: "2027-01-05 09:00", to: "2027-01-06 09:00"}"#
        ),
        "{text}"
    );
}

#[test]
fn overlapping_overrides_are_refused_naming_both() {
    let repo = TestRepo::with_config(CONFIG);
    let before = repo.state();
    let run = repo
        .inc()
        .args(["oncall", "override", "primary", "erin"])
        .args(["--from", "2026-12-26 00:00", "--to", "2026-12-28 00:00"])
        .fails();
    insta::assert_snapshot!(run.snapshot(&repo), @r"
    [exit status: 1]
    --- stdout
    --- stderr
    error: overrides of `primary` overlap: dave 2026-12-24 00:00 → 2026-12-27 00:00 (already configured) and erin 2026-12-26 00:00 → 2026-12-28 00:00 (this one)
    hint: remove or shorten the one in the file first, or pick other times
    ");
    repo.assert_unchanged(&before);
    repo.inc()
        .args(["oncall", "override", "primary", "erin"])
        .args(["--from", "2026-12-28 00:00", "--to", "2026-12-26 00:00"])
        .fails()
        .stderr_has(&["is not after --from"]);
    repo.inc()
        .args(["oncall", "override", "nightly", "erin"])
        .args(["--from", "2026-12-28 00:00", "--to", "2026-12-29 00:00"])
        .fails()
        .stderr_has(&["unknown rotation `nightly`"]);
    repo.assert_unchanged(&before);
}

#[test]
fn an_uncommitted_edit_of_oncall_yaml_is_not_overwritten() {
    let repo = TestRepo::with_config(CONFIG);
    repo.write("oncall.yaml", "oncall:\n  overrides: []\n");
    repo.commit_all("empty overrides");
    repo.append("oncall.yaml", "# being edited\n");
    let before = repo.state();
    repo.inc()
        .args(["oncall", "override", "primary", "erin"])
        .args(["--from", "2027-02-01 00:00", "--to", "2027-02-02 00:00"])
        .fails()
        .stderr_has(&["oncall.yaml"]);
    repo.assert_unchanged(&before);
}

#[test]
fn bad_oncall_config_names_file_and_line() {
    let cases = [
        (
            "[alice, bob, carol]",
            "[]",
            "inc.yaml:10: ",
            "rotation `primary` has no members",
        ),
        (
            "shift: 1w  ",
            "shift: 0m  ",
            "inc.yaml:11: ",
            "shift of zero",
        ),
        (
            "timezone: Europe/Berlin\n      services",
            "timezone: Mars/Olympus\n      services",
            "inc.yaml:13:",
            "Mars/Olympus",
        ),
        (
            "rotation: primary, who: dave",
            "rotation: primry, who: dave",
            "inc.yaml:22: ",
            "unknown rotation `primry`",
        ),
        (
            "page: oncall:primary",
            "page: oncall:nightly",
            "inc.yaml:25: ",
            "unknown rotation `nightly`",
        ),
    ];
    for (from, to, place, what) in cases {
        let config = CONFIG.replacen(from, to, 1);
        assert_ne!(config, CONFIG, "{from}");
        let repo = TestRepo::with_config(&config);
        repo.inc()
            .arg("oncall")
            .fails()
            .stderr_has(&[&format!("error: {}", repo.path(place).display()), what]);
        // `inc check` reports it too, relative.
        repo.inc()
            .arg("check")
            .run()
            .code(3)
            .stdout_has(&[place.trim_end_matches(' '), what]);
    }
    // oncall.yaml errors name oncall.yaml.
    let repo = TestRepo::with_config(CONFIG);
    repo.write(
        "oncall.yaml",
        "oncall:\n  overrides:\n    - {rotation: primary, who: zed, from: \"2026-12-25 00:00\", to: \"2026-12-26 00:00\"}\n",
    );
    repo.inc().arg("oncall").fails().stderr_has(&[
        "oncall.yaml:3: overrides of `primary` overlap",
        "inc.yaml:22)",
    ]);
}

#[test]
fn calendar_is_valid_icalendar_with_overrides_applied() {
    let repo = TestRepo::with_config(CONFIG);
    let out = repo
        .inc()
        .args(["oncall", "calendar", "primary", "--weeks", "6"])
        .now("2026-12-16T12:00:00Z")
        .ok();
    let text = &out.stdout;
    assert!(text.ends_with("END:VCALENDAR\r\n"));
    for line in text.split("\r\n") {
        assert!(line.len() <= 75, "a line over 75 octets: {line}");
        assert!(!line.contains('\n'), "a bare LF: {line:?}");
    }
    let mut parser = ical::IcalParser::new(text.as_bytes());
    let calendar = parser.next().expect("one calendar").expect("it parses");
    assert!(parser.next().is_none(), "only one calendar");
    let prop = |props: &[ical::property::Property], name: &str| -> String {
        props
            .iter()
            .find(|p| p.name == name)
            .and_then(|p| p.value.clone())
            .unwrap_or_else(|| panic!("no {name}"))
    };
    assert_eq!(prop(&calendar.properties, "VERSION"), "2.0");
    let events: Vec<(String, String, String, String)> = calendar
        .events
        .iter()
        .map(|e| {
            (
                prop(&e.properties, "DTSTART"),
                prop(&e.properties, "DTEND"),
                prop(&e.properties, "SUMMARY"),
                prop(&e.properties, "UID"),
            )
        })
        .collect();
    let starts: Vec<(&str, &str, &str)> = events
        .iter()
        .map(|(s, e, summary, _)| (s.as_str(), e.as_str(), summary.as_str()))
        .collect();
    assert_eq!(
        starts[..5],
        [
            (
                "20261214T080000Z",
                "20261221T080000Z",
                "On call: bob (primary)"
            ),
            (
                "20261221T080000Z",
                "20261223T230000Z",
                "On call: carol (primary)"
            ),
            (
                "20261223T230000Z",
                "20261226T230000Z",
                "On call: dave (primary\\, override)"
            ),
            (
                "20261226T230000Z",
                "20261228T080000Z",
                "On call: carol (primary)"
            ),
            (
                "20261228T080000Z",
                "20270104T080000Z",
                "On call: alice (primary)"
            ),
        ]
    );
    let mut uids: Vec<&str> = events.iter().map(|e| e.3.as_str()).collect();
    uids.sort_unstable();
    uids.dedup();
    assert_eq!(uids.len(), events.len(), "one UID per shift");
    // The same shift keeps its UID in a later export.
    let later = repo
        .inc()
        .args(["oncall", "calendar", "primary"])
        .now("2026-12-22T12:00:00Z")
        .ok();
    assert!(later.stdout.contains(&format!("UID:{}\r\n", events[1].3)));
    repo.inc()
        .args(["oncall", "calendar", "nightly"])
        .fails()
        .stderr_has(&["unknown rotation `nightly`"]);
}
