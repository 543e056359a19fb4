//! `inc note`: finding the incident, stdin, --pin, --at.

use serde_json::json;

use crate::harness::TestRepo;

fn note(text: &str) -> serde_json::Value {
    json!({"at": "2026-11-27T12:00:00Z", "by": "alice", "type": "note", "text": text})
}

#[test]
fn note_by_full_id() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    let mark = repo.mark(&id);
    repo.inc()
        .args(["note", &id, "5xx at 12% on /checkout"])
        .ok();
    assert_eq!(
        repo.appended(&mark, &id),
        vec![note("5xx at 12% on /checkout")]
    );
    let message = repo.head_message();
    assert!(
        message.starts_with(&format!("inc({id}): ")),
        "subject: {message}"
    );
    assert_eq!(repo.head_trailer("Inc-Id"), vec![id.clone()]);
    assert_eq!(repo.head_trailer("Inc-Event"), vec!["note"]);
}

#[test]
fn note_by_prefix_and_by_part_of_the_slug() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    let other = repo.open("Search is slow", "SEV3");
    for (query, text) in [
        ("2026-11-27-check", "by prefix"),
        ("returns-500", "by slug part"),
        ("500S", "by slug part, any case"),
    ] {
        let mark = repo.mark(&id);
        repo.inc().args(["note", query, text]).ok();
        assert_eq!(repo.appended(&mark, &id), vec![note(text)], "{query}");
    }
    assert_eq!(repo.timeline(&other).len(), 2, "the other one is untouched");
}

#[test]
fn note_without_id_goes_to_the_only_open_incident() {
    let repo = TestRepo::new();
    let closed = repo.open("Old one", "SEV3");
    repo.inc().args(["resolve", &closed]).ok();
    let id = repo.open("Checkout returns 500s", "SEV2");
    let mark = repo.mark(&id);
    repo.inc().args(["note", "looking at the logs"]).ok();
    assert_eq!(repo.appended(&mark, &id), vec![note("looking at the logs")]);
}

#[test]
fn note_without_id_and_several_open_lists_them() {
    let repo = TestRepo::new();
    let a = repo.open("Checkout returns 500s", "SEV2");
    let b = repo.open("Search is slow", "SEV3");
    let before = repo.state();
    repo.inc()
        .args(["note", "which one?"])
        .fails()
        .stderr_has(&[&format!("`{a}`"), &format!("`{b}`")]);
    repo.assert_unchanged(&before);
}

#[test]
fn note_with_nothing_open_says_so() {
    let repo = TestRepo::new();
    let before = repo.state();
    repo.inc()
        .args(["note", "hello?"])
        .fails()
        .stderr_has(&["no incident is open"]);
    repo.assert_unchanged(&before);
}

#[test]
fn dash_reads_stdin_exactly() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    let text = "first line\n  indented \"quoted\" ✓\n\ttabbed\n\nafter a blank line\n";
    let mark = repo.mark(&id);
    repo.inc().args(["note", &id, "-"]).stdin(text).ok();
    assert_eq!(repo.appended(&mark, &id), vec![note(text)]);
    let show = repo.show(&id);
    let last = show.events.last().unwrap();
    assert_eq!(last.kind, "note");
    assert_eq!(last.str("text"), Some(text));
}

#[test]
fn dash_without_id_reads_stdin_for_the_only_open_incident() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    let mark = repo.mark(&id);
    repo.inc().args(["note", "-"]).stdin("piped\ntext").ok();
    assert_eq!(repo.appended(&mark, &id), vec![note("piped\ntext")]);
}

#[test]
fn an_empty_note_is_refused() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    let before = repo.state();
    repo.inc().args(["note", &id, ""]).fails();
    repo.inc().args(["note", &id, "-"]).stdin("  \n").fails();
    repo.assert_unchanged(&before);
}

#[test]
fn pin_marks_a_highlight() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    let mark = repo.mark(&id);
    repo.inc()
        .args(["note", &id, "rollback fixed it", "--pin"])
        .ok();
    assert_eq!(
        repo.appended(&mark, &id),
        vec![
            json!({"at":"2026-11-27T12:00:00Z","by":"alice","type":"note","text":"rollback fixed it","pinned":true})
        ]
    );
}

#[test]
fn at_backdates_a_note() {
    let repo = TestRepo::new();
    let id = repo.open_with("Checkout returns 500s", "SEV2", &["--at", "1h ago"]);
    let mark = repo.mark(&id);
    repo.inc()
        .args(["note", &id, "deploy 4f2a went out", "--at", "11:20"])
        .ok();
    assert_eq!(
        repo.appended(&mark, &id),
        vec![
            json!({"at":"2026-11-27T11:20:00Z","by":"alice","type":"note","text":"deploy 4f2a went out"})
        ]
    );
}

#[test]
fn notes_by_another_author() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    let mark = repo.mark(&id);
    repo.inc()
        .args(["note", &id, "on it"])
        .env("INC_AUTHOR", "bob")
        .ok();
    let new = repo.appended(&mark, &id);
    assert_eq!(new[0]["by"], "bob");
    assert_eq!(repo.head_author(), "bob");
}

#[test]
fn a_note_does_not_need_the_other_incidents_to_be_readable() {
    let repo = TestRepo::new();
    let broken = repo.open("Broken one", "SEV3");
    let id = repo.open("Checkout returns 500s", "SEV2");
    repo.write(TestRepo::header_path(&broken), "title: [\n");
    repo.append(TestRepo::timeline_path(&broken), "<<<<<<< HEAD\n");
    repo.commit_all("break the other one");
    let mark = repo.mark(&id);
    repo.inc().args(["note", &id, "still works"]).ok();
    assert_eq!(repo.appended(&mark, &id), vec![note("still works")]);
}

#[test]
fn a_note_before_the_incident_opened_is_refused() {
    let repo = TestRepo::new();
    let id = repo.open_with("Checkout returns 500s", "SEV2", &["--at", "11:00"]);
    let before = repo.state();
    repo.inc()
        .args(["note", &id, "too early", "--at", "10:30"])
        .fails()
        .stderr_has(&["--at"]);
    repo.assert_unchanged(&before);
}
