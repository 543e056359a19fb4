//! The cases of [`super`].

use std::time::Instant;

use super::process::spawn;
use super::*;
use chrono::{TimeZone, Utc};

use crate::model::Status;

fn hook(on: &[&str], run: &str, timeout: Option<&str>) -> Hook {
    Hook {
        on: on.iter().map(|s| (*s).to_owned()).collect(),
        run: run.to_owned(),
        timeout: timeout.map(str::to_owned),
    }
}

fn names(on: &[&str]) -> Vec<String> {
    on.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn matching_is_by_kind_name_with_aliases() {
    assert!(matches(&names(&["opened"]), "opened", None));
    assert!(!matches(&names(&["opened"]), "note", None));
    assert!(matches(&names(&["any"]), "note", None));
    assert!(matches(&[], "whatever", None), "no `on` means any");
    assert!(matches(&names(&["acknowledged"]), "ack", None));
    assert!(matches(&names(&["ack"]), "ack", None));
    assert!(!matches(&names(&["acknowledged"]), "opened", None));
    assert!(matches(&names(&["resolved"]), "status", Some("resolved")));
    assert!(matches(&names(&["resolved"]), "update", Some("resolved")));
    assert!(!matches(
        &names(&["resolved"]),
        "status",
        Some("monitoring")
    ));
    assert!(matches(&names(&["status"]), "status", Some("resolved")));
    // A kind this version may not know yet matches by its name.
    assert!(matches(&names(&["note", "page"]), "page", None));
    assert!(!matches(&names(&["page"]), "note", None));
}

#[test]
fn events_know_the_status_they_set() {
    let at = Utc.with_ymd_and_hms(2026, 11, 27, 12, 0, 0).unwrap();
    let resolve = Event::new(
        at,
        "alice",
        EventKind::Status {
            status: Status::Resolved,
            text: None,
        },
    );
    assert_eq!(status_set(&resolve), Some("resolved"));
    assert!(runs_for(&hook(&["resolved"], "x", None), &resolve));
    assert!(!runs_for(&hook(&["opened"], "x", None), &resolve));
    let note = Event::new(
        at,
        "alice",
        EventKind::Note {
            text: "x".into(),
            pinned: false,
        },
    );
    assert_eq!(status_set(&note), None);
    assert!(!runs_for(&hook(&["resolved"], "x", None), &note));
    assert!(runs_for(&hook(&["any"], "x", None), &note));
}

#[test]
fn timeouts_parse() {
    assert_eq!(parse_timeout("10s"), Ok(Duration::from_secs(10)));
    assert_eq!(parse_timeout("500ms"), Ok(Duration::from_millis(500)));
    assert_eq!(parse_timeout("1m30s"), Ok(Duration::from_secs(90)));
    assert_eq!(parse_timeout(" 2h "), Ok(Duration::from_secs(7200)));
    for bad in ["", "10", "s", "10x", "0s", "-1s", "2d", "1.5s", "25h"] {
        assert!(parse_timeout(bad).is_err(), "{bad:?} parsed");
    }
    assert_eq!(show_timeout(Duration::from_secs(10)), "10s");
    assert_eq!(show_timeout(Duration::from_millis(1500)), "1500ms");
}

#[test]
fn validation_names_the_line() {
    let text = "name: x\nhooks:\n  - on: [opened, note]\n    run: a\n  - on: [resolved, opend]\n    run: b\n";
    let hooks = vec![
        hook(&["opened", "note"], "a", None),
        hook(&["resolved", "opend"], "b", None),
    ];
    let err = validate(&hooks, text, Path::new("inc.yaml"))
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("inc.yaml:5: hooks: unknown event `opend`"),
        "{err}"
    );
    assert!(err.contains("any, opened, note"), "{err}");
    assert!(err.contains("acknowledged, resolved"), "{err}");
    let text = "hooks:\n  - run: a\n    timeout: soon\n";
    let err = validate(&[hook(&[], "a", Some("soon"))], text, Path::new("inc.yaml"))
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("inc.yaml:3: hook timeout `soon`"), "{err}");
    let err = validate(
        &[hook(&[], " ", None)],
        "hooks:\n  - run: ' '\n",
        Path::new("i"),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("`run` is empty"), "{err}");
    let page = [hook(&["page", "any", "acknowledged"], "a", Some("1m"))];
    assert!(validate(&page, "", Path::new("i")).is_ok());
}

#[test]
fn named_paths_are_relative_words() {
    assert_eq!(named_paths("./hooks/slack.sh"), ["./hooks/slack.sh"]);
    assert_eq!(
        named_paths("sh hooks/a.sh --flag x=1 \"$HOME/b\" /usr/bin/c ../d 'e f'"),
        ["sh", "hooks/a.sh", "e", "f"]
    );
    assert_eq!(named_paths("a.sh | b.sh;a.sh"), ["a.sh", "b.sh"]);
}

#[test]
fn trusted_text_fills_defaults_and_lists_files() {
    let hooks = [
        hook(&[], "./hooks/a.sh\nexit 1", None),
        hook(&["opened", "resolved"], "b", Some("1m30s")),
    ];
    let files = vec![
        vec![NamedFile {
            path: "./hooks/a.sh".into(),
            sha1: "abc".into(),
        }],
        vec![],
    ];
    assert_eq!(
        trusted_text(&hooks, &files),
        "- on: [any]\n  run: \"./hooks/a.sh\\nexit 1\"\n  timeout: 10s\n  file ./hooks/a.sh: sha1 abc\n\
         - on: [opened, resolved]\n  run: \"b\"\n  timeout: 90s\n"
    );
    let same = [hook(&[], "./hooks/a.sh\nexit 1", Some("10s"))];
    assert_eq!(
        trusted_text(&same, &files[..1]),
        trusted_text(&hooks[..1], &files[..1]),
        "a default written out trusts the same"
    );
    assert_eq!(sha1_hex(b"abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
}

#[test]
fn diff_marks_removed_and_added_lines() {
    assert_eq!(diff("a\nb\nc\n", "a\nc\nd\n"), "  a\n- b\n  c\n+ d\n");
    assert_eq!(diff("", "x\n"), "+ x\n");
    assert_eq!(diff("x\n", ""), "- x\n");
    assert_eq!(diff("a\n", "a\n"), "  a\n");
    assert_eq!(diff("run: a\n", "run: b\n"), "- run: a\n+ run: b\n");
}

#[test]
fn payload_and_environment() {
    use crate::config::Config;
    use crate::model::{Header, State};
    let at = Utc.with_ymd_and_hms(2026, 11, 27, 12, 0, 0).unwrap();
    let header = Header {
        title: "Checkout \"down\"".into(),
        opened_at: at,
        opened_by: "alice".into(),
        ..Header::default()
    };
    let event = Event::new(
        at,
        "bob",
        EventKind::Note {
            text: "line one\nline\0two".into(),
            pinned: false,
        },
    );
    let opened = Event::new(
        at,
        "alice",
        EventKind::Opened {
            severity: "SEV2".into(),
            status: Status::Investigating,
        },
    );
    let state = State::fold(&[opened, event.clone()]);
    let config = Config::default();
    let payload = Payload {
        event: &event,
        incident: IncidentView::new("2026-11-27-checkout", &header, &state, None, &config),
        repo: "/r".into(),
    };
    let json: serde_json::Value = serde_json::from_str(&payload.to_json()).unwrap();
    assert_eq!(json["event"]["type"], "note");
    assert_eq!(json["event"]["text"], "line one\nline\u{0}two");
    assert_eq!(json["incident"]["id"], "2026-11-27-checkout");
    assert_eq!(json["incident"]["severity"], "SEV2");
    assert!(json["incident"].get("events").is_none());
    assert_eq!(json["repo"], "/r");
    let env = payload.env();
    let get = |k: &str| env.iter().find(|(key, _)| *key == k).unwrap().1.clone();
    assert_eq!(get("INC_ID"), "2026-11-27-checkout");
    assert_eq!(get("INC_EVENT"), "note");
    assert_eq!(get("INC_REPO"), "/r");
    assert_eq!(get("INC_TITLE"), "Checkout \"down\"");
    assert_eq!(get("INC_STATUS"), "investigating");
    assert_eq!(get("INC_BY"), "bob");
    assert_eq!(get("INC_TEXT"), "line one linetwo");
    assert_eq!(get("INC_NO_HOOKS"), "1");
}

#[cfg(unix)]
#[test]
fn a_hook_gets_stdin_and_env_and_its_output_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let out = spawn(
        "cat; echo; echo \"$X\" >&2; for i in 1 2 3 4 5 6 7 8 9 10 11 12; do echo $i; done; exit 3",
        dir.path(),
        b"input".to_vec(),
        &[("X", "from env".into())],
        Duration::from_secs(10),
    );
    assert!(!out.succeeded());
    assert_eq!(out.status_text(), "exit status 3");
    assert_eq!(out.tail.len(), TAIL_LINES);
    // stdout and stderr are read on two threads: their lines
    // interleave in no fixed order, but each keeps its own.
    let numbers: Vec<&str> = out
        .tail
        .iter()
        .map(String::as_str)
        .filter(|l| l.parse::<u32>().is_ok())
        .collect();
    assert_eq!(numbers.last(), Some(&"12"), "{:?}", out.tail);
    let all = spawn(
        "cat; echo; echo \"$X\" >&2",
        dir.path(),
        b"input".to_vec(),
        &[("X", "env".into())],
        Duration::from_secs(10),
    );
    assert!(all.succeeded(), "{all:?}");
    assert!(all.tail.contains(&"input".to_owned()), "{all:?}");
    assert!(all.tail.contains(&"env".to_owned()), "{all:?}");
}

#[cfg(unix)]
#[test]
fn a_hook_past_its_timeout_is_killed() {
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let out = spawn(
        "echo started; sleep 30",
        dir.path(),
        Vec::new(),
        &[],
        Duration::from_millis(300),
    );
    assert!(out.timed_out);
    assert!(!out.succeeded());
    assert_eq!(out.status_text(), "killed by signal 9");
    assert_eq!(out.tail, ["started"]);
    assert!(started.elapsed() < Duration::from_secs(5));
}
