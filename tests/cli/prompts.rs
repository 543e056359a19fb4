//! Prompts on a real terminal (a pty, through rexpect): `inc open` asks for
//! what is missing.

use rexpect::process::WaitStatus;
use rexpect::session::{PtySession, spawn_command};

use crate::harness::TestRepo;

const DOWN: &str = "\x1b[B";
const ENTER: &str = "\r";

fn spawn(repo: &TestRepo, args: &[&str]) -> PtySession {
    let mut cmd = repo.std_command();
    cmd.env("TERM", "xterm-256color");
    cmd.args(args);
    spawn_command(cmd, Some(15_000)).expect("spawn inc on a pty")
}

/// Types `keys` as a person would: sent at once, after a moment for the
/// prompt to start reading.
fn key(session: &mut PtySession, keys: &str) {
    std::thread::sleep(std::time::Duration::from_millis(100));
    session.send(keys).expect("type");
    session.flush().expect("flush");
}

/// Waits for the end and returns the exit code.
fn finish(mut session: PtySession) -> i32 {
    let rest = session.exp_eof().expect("inc ends");
    match session.process_mut().wait().expect("wait") {
        WaitStatus::Exited(_, code) => code,
        other => panic!("inc did not exit normally: {other:?}\n{rest}"),
    }
}

#[test]
fn open_asks_for_title_severity_and_services() {
    let repo = TestRepo::with_config(
        "services:\n  - id: api\n    name: Public API\n  - id: web\n    name: Website\n",
    );
    let mut s = spawn(&repo, &["open"]);
    s.exp_string("title").expect("asks for a title");
    s.send_line("Checkout is down").unwrap();
    s.exp_string("Severity").expect("asks for a severity");
    // The descriptions are shown next to the IDs.
    s.exp_string("Critical: a core service is down")
        .expect("SEV1's description");
    s.exp_string("Low: no customer impact yet")
        .expect("SEV4's description");
    // The default is SEV2; one down picks SEV3.
    key(&mut s, DOWN);
    key(&mut s, ENTER);
    s.exp_string("Affected services")
        .expect("asks for services");
    s.exp_string("Public API").expect("lists the services");
    // Pick the second (web): down, space, enter.
    key(&mut s, DOWN);
    key(&mut s, " ");
    key(&mut s, ENTER);
    s.exp_string("2026-11-27-checkout-is-down")
        .expect("prints the ID");
    assert_eq!(finish(s), 0);

    let show = repo.show("2026-11-27-checkout-is-down");
    assert_eq!(show.title, "Checkout is down");
    assert_eq!(show.severity.as_deref(), Some("SEV3"));
    assert_eq!(show.services, ["web"]);
    assert_eq!(repo.git_status(), "");
}

#[test]
fn open_asks_only_for_what_is_missing() {
    let repo = TestRepo::new();
    // Title given, no services configured: only the severity is asked.
    let mut s = spawn(&repo, &["open", "Search is slow"]);
    s.exp_string("Severity").expect("asks for a severity");
    key(&mut s, ENTER);
    s.exp_string("2026-11-27-search-is-slow")
        .expect("prints the ID");
    assert_eq!(finish(s), 0);
    let show = repo.show("2026-11-27-search-is-slow");
    assert_eq!(show.severity.as_deref(), Some("SEV2"), "the default");
    assert!(show.services.is_empty());

    // Severity given: only the title is asked; an empty answer is refused.
    let mut s = spawn(&repo, &["open", "-s", "SEV4"]);
    s.exp_string("title").expect("asks for a title");
    key(&mut s, ENTER);
    s.send_line("Disk alarm").unwrap();
    s.exp_string("2026-11-27-disk-alarm")
        .expect("prints the ID");
    assert_eq!(finish(s), 0);
    assert_eq!(
        repo.show("2026-11-27-disk-alarm").severity.as_deref(),
        Some("SEV4")
    );
}

#[test]
fn nothing_is_asked_when_everything_is_given() {
    let repo = TestRepo::new();
    let s = spawn(&repo, &["open", "All given", "-s", "SEV3"]);
    assert_eq!(finish(s), 0);
    assert_eq!(repo.list_ids(&[]), ["2026-11-27-all-given"]);
}

/// Waits for the end and returns everything printed after the last match
/// and the exit code.
fn finish_with_output(mut session: PtySession) -> (String, i32) {
    let rest = session.exp_eof().expect("inc ends");
    match session.process_mut().wait().expect("wait") {
        WaitStatus::Exited(_, code) => (rest, code),
        other => panic!("inc did not exit normally: {other:?}\n{rest}"),
    }
}

/// Ctrl-C in a list (where the cursor is hidden) shows the cursor again,
/// says nothing was recorded and exits 130; nothing is written.
#[test]
fn ctrl_c_in_a_prompt_restores_the_cursor_and_exits_130() {
    let repo = TestRepo::new();
    let before = repo.files();
    let mut s = spawn(&repo, &["open"]);
    s.exp_string("title").expect("asks for a title");
    s.send_line("Checkout is down").unwrap();
    let shown = s.exp_string("Severity").expect("asks for a severity");
    assert!(
        shown.contains("\x1b[?25l"),
        "the list hides the cursor: {shown:?}"
    );
    s.exp_string("SEV4").expect("lists the severities");
    key(&mut s, "\x03");
    let (rest, code) = finish_with_output(s);
    assert_eq!(code, 130, "{rest:?}");
    assert!(
        rest.contains("\x1b[?25h"),
        "the cursor is shown again: {rest:?}"
    );
    assert!(
        rest.contains("Cancelled; nothing was recorded."),
        "{rest:?}"
    );
    assert_eq!(repo.files(), before, "nothing was written");
}

/// Esc in a list cancels as Ctrl-C does.
#[test]
fn esc_in_a_prompt_cancels_like_ctrl_c() {
    let repo = TestRepo::new();
    let before = repo.files();
    let mut s = spawn(&repo, &["open"]);
    s.exp_string("title").expect("asks for a title");
    s.send_line("Checkout is down").unwrap();
    s.exp_string("Severity").expect("asks for a severity");
    key(&mut s, "\x1b");
    let (rest, code) = finish_with_output(s);
    assert_eq!(code, 130, "{rest:?}");
    assert!(rest.contains("\x1b[?25h"), "{rest:?}");
    assert!(
        rest.contains("Cancelled; nothing was recorded."),
        "{rest:?}"
    );
    assert_eq!(repo.files(), before, "nothing was written");
}
