//! Hooks: the commands `inc.yaml` asks to run after an event is recorded,
//! and the trust that lets them run on a clone.
//!
//! A hook is code anyone with push access can change, so, as git does with
//! its own hooks, inc runs none from a clone until someone there trusts
//! them (`inc hooks trust`). What is trusted is [`trusted_text`]: the hooks
//! as inc reads them plus the digest of every repository file a hook's
//! command names (`./hooks/slack.sh`), so changing a script stops its hook
//! too. The record lives under `.git/` (see [`crate::store::trust`]).
//!
//! The pure parts (which hooks an event triggers, the payload, the trusted
//! text and its diff) are tested here; [`spawn`] runs one hook: `sh -c`
//! from the repository root, in its own process group, killed with its
//! children when it runs past its timeout.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use serde::Serialize;
use sha1::{Digest, Sha1};

use crate::app::App;
use crate::config::Hook;
use crate::model::{Event, EventKind};
use crate::render::json::IncidentView;
use crate::render::text::{one_line, sanitize};
use crate::store::trust;
use crate::ui::Ui;

/// The event kinds a hook's `on` may name: the `type`s of timeline events.
/// `page` is written by `inc escalate`.
pub const EVENT_NAMES: &[&str] = &[
    "opened",
    "note",
    "update",
    "status",
    "severity",
    "role",
    "ack",
    "alert",
    "action",
    "action_done",
    "impact",
    "page",
];

/// Names `on` also takes, each standing for events of another name:
/// `acknowledged` for `ack`; `resolved` for a `status` or `update` event
/// that resolves the incident.
pub const ALIASES: &[&str] = &["acknowledged", "resolved"];

/// The name that matches every event.
pub const ANY: &str = "any";

/// How long a hook runs before it is killed, unless it says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// How many of a hook's last output lines a report shows.
pub const TAIL_LINES: usize = 10;

/// Whether `on` may name `name`.
pub fn is_known(name: &str) -> bool {
    name == ANY || EVENT_NAMES.contains(&name) || ALIASES.contains(&name)
}

/// Whether a hook listening `on` runs for an event of kind `kind` that sets
/// the incident's status to `status` (if it sets one). Kinds are compared
/// by name, so a kind this version does not know still matches its name.
pub fn matches(on: &[String], kind: &str, status: Option<&str>) -> bool {
    on.is_empty()
        || on.iter().any(|name| match name.as_str() {
            ANY => true,
            "acknowledged" => kind == "ack",
            "resolved" => status == Some("resolved"),
            name => name == kind,
        })
}

/// The status an event sets, by name: a `status` event's, or an `update`'s
/// that carries one.
pub fn status_set(event: &Event) -> Option<&'static str> {
    match &event.kind {
        EventKind::Status { status, .. } => Some(status.as_str()),
        EventKind::Update {
            status: Some(status),
            ..
        } => Some(status.as_str()),
        _ => None,
    }
}

/// Whether `hook` runs for `event`.
pub fn runs_for(hook: &Hook, event: &Event) -> bool {
    matches(&hook.on, event.kind.name(), status_set(event))
}

/// A hook `timeout`: `10s`, `500ms`, `2m`, `1m30s`; more than zero, at most
/// a day.
pub fn parse_timeout(s: &str) -> Result<Duration, String> {
    let bad = || format!("hook timeout `{s}` is not a duration like `10s`, `500ms` or `2m`");
    let mut total = Duration::ZERO;
    let mut rest = s.trim();
    if rest.is_empty() {
        return Err(bad());
    }
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let n: u64 = rest[..digits].parse().map_err(|_| bad())?;
        rest = &rest[digits..];
        let unit = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
        let part = match &rest[..unit] {
            "ms" => Duration::from_millis(n),
            "s" => Duration::from_secs(n),
            "m" => Duration::from_secs(n.saturating_mul(60)),
            "h" => Duration::from_secs(n.saturating_mul(3600)),
            _ => return Err(bad()),
        };
        rest = &rest[unit..];
        total = total.saturating_add(part);
    }
    if total.is_zero() || total > Duration::from_secs(86_400) {
        return Err(format!(
            "hook timeout `{s}` must be more than zero and at most a day"
        ));
    }
    Ok(total)
}

/// `10s`, `1500ms`: a timeout as [`trusted_text`] and listings show it.
pub fn show_timeout(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{}ms", d.as_millis())
    }
}

/// Checks the hooks of `inc.yaml` (`text`, at `path`): known event names, a
/// command, a valid timeout. Errors name `inc.yaml:LINE`.
pub fn validate(hooks: &[Hook], text: &str, path: &Path) -> Result<()> {
    // Look for a value from the `hooks:` line on, where it is most likely
    // the one meant.
    let start = text
        .lines()
        .position(|l| l.trim_start().starts_with("hooks:"))
        .unwrap_or(0);
    let at = |needle: &str| {
        let line = text
            .lines()
            .enumerate()
            .skip(start)
            .find(|(_, l)| l.contains(needle))
            .map_or(start + 1, |(i, _)| i + 1);
        format!("{}:{line}", path.display())
    };
    for hook in hooks {
        for name in &hook.on {
            if !is_known(name) {
                let mut known = vec![ANY];
                known.extend(EVENT_NAMES);
                known.extend(ALIASES);
                bail!(
                    "{}: hooks: unknown event `{}` in `on`; known: {}",
                    at(name),
                    one_line(name, 40),
                    known.join(", ")
                );
            }
        }
        if hook.run.trim().is_empty() {
            bail!("{}: hooks: a hook's `run` is empty", at("run"));
        }
        if let Some(t) = &hook.timeout {
            parse_timeout(t).map_err(|e| anyhow::anyhow!("{}: {e}", at(t)))?;
        }
    }
    Ok(())
}

/// The words of a hook's command that may name a file of the repository:
/// relative paths, not options or variables. Which of them are files is
/// the caller's question.
pub fn named_paths(run: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for word in run.split(|c: char| c.is_whitespace() || ";&|()<>`".contains(c)) {
        let word = word.trim_matches(|c| c == '\'' || c == '"');
        let plausible = !word.is_empty()
            && !word.starts_with('-')
            && !word.starts_with('/')
            && !word.contains(['$', '=', '*', '?', '~', '\\'])
            && !word.split('/').any(|part| part == "..");
        if plausible && !out.iter().any(|w| w == word) {
            out.push(word.to_owned());
        }
    }
    out
}

/// A file a hook's command names, with the digest of what it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedFile {
    pub path: String,
    pub sha1: String,
}

/// What a clone trusts, as text: each hook as inc reads it (defaults
/// filled in) and the digests of the files its command names. Two
/// configurations that behave alike give the same text.
pub fn trusted_text(hooks: &[Hook], files: &[Vec<NamedFile>]) -> String {
    let mut out = String::new();
    for (i, hook) in hooks.iter().enumerate() {
        let on = if hook.on.is_empty() {
            ANY.to_owned()
        } else {
            hook.on.join(", ")
        };
        out.push_str(&format!("- on: [{on}]\n"));
        // JSON quoting keeps a command of several lines on one line.
        let run = serde_json::to_string(&hook.run).unwrap_or_default();
        out.push_str(&format!("  run: {run}\n"));
        out.push_str(&format!("  timeout: {}\n", show_timeout(hook.timeout())));
        for file in files.get(i).map(Vec::as_slice).unwrap_or_default() {
            out.push_str(&format!("  file {}: sha1 {}\n", file.path, file.sha1));
        }
    }
    out
}

/// The SHA-1 of `bytes`, in hex.
pub fn sha1_hex(bytes: &[u8]) -> String {
    Sha1::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A line diff of `old` and `new`: `- ` removed, `+ ` added, `  ` kept.
pub fn diff(old: &str, new: &str) -> String {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    // Longest common subsequence, from the ends: hooks sections are short.
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = String::new();
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            out.push_str(&format!("  {}\n", a[i]));
            i += 1;
            j += 1;
        } else if i < a.len() && (j == b.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            out.push_str(&format!("- {}\n", a[i]));
            i += 1;
        } else {
            out.push_str(&format!("+ {}\n", b[j]));
            j += 1;
        }
    }
    out
}

/// What a hook reads on stdin.
#[derive(Debug, Serialize)]
pub struct Payload<'a> {
    /// The event as stored in `timeline.yaml`.
    pub event: &'a Event,
    /// The incident as `inc show --json` prints it, without `events`.
    pub incident: IncidentView<'a>,
    /// The incident repository's root.
    pub repo: String,
}

impl Payload<'_> {
    pub fn to_json(&self) -> String {
        // Strings, numbers and maps of them always serialize.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The environment a hook gets besides inc's own: the contract's
    /// `INC_ID`, `INC_EVENT` and `INC_REPO`, and, so that a script needs no
    /// JSON parser for the usual fields, `INC_TITLE`, `INC_SEVERITY`,
    /// `INC_STATUS`, `INC_BY` and `INC_TEXT` (the event in one line).
    /// `INC_NO_HOOKS=1` keeps an `inc` the hook runs from running hooks
    /// in turn. NUL bytes, which no environment can hold, are dropped.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        let i = &self.incident;
        [
            ("INC_ID", i.id.to_owned()),
            ("INC_EVENT", self.event.kind.name().to_owned()),
            ("INC_REPO", self.repo.clone()),
            ("INC_TITLE", i.title.to_owned()),
            ("INC_SEVERITY", i.severity.unwrap_or_default().to_owned()),
            ("INC_STATUS", i.status.unwrap_or_default().to_owned()),
            ("INC_BY", self.event.by.clone()),
            ("INC_TEXT", one_line(&self.event.describe(), 1000)),
            ("INC_NO_HOOKS", "1".to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k, v.replace('\0', "")))
        .collect()
    }
}

/// How a hook's run ended.
#[derive(Debug)]
pub struct Outcome {
    /// `None` when it could not be started or waited for (see `error`).
    pub status: Option<ExitStatus>,
    /// It ran past its timeout and was killed with its children.
    pub timed_out: bool,
    /// Why it could not be started.
    pub error: Option<String>,
    /// Its last lines of output, stdout and stderr as they came, made safe
    /// for a terminal.
    pub tail: Vec<String>,
}

impl Outcome {
    pub fn succeeded(&self) -> bool {
        !self.timed_out && self.status.is_some_and(|s| s.success())
    }

    /// `exit status 3`, `killed by signal 9`.
    pub fn status_text(&self) -> String {
        match (&self.error, self.status) {
            (Some(e), _) => format!("could not start: {e}"),
            (None, Some(s)) => match (s.code(), signal_of(s)) {
                (Some(code), _) => format!("exit status {code}"),
                (None, Some(sig)) => format!("killed by signal {sig}"),
                (None, None) => s.to_string(),
            },
            (None, None) => "no exit status".to_owned(),
        }
    }
}

#[cfg(unix)]
fn signal_of(status: ExitStatus) -> Option<i32> {
    std::os::unix::process::ExitStatusExt::signal(&status)
}

#[cfg(not(unix))]
fn signal_of(_: ExitStatus) -> Option<i32> {
    None
}

/// The last [`TAIL_LINES`] lines of output.
#[derive(Default)]
struct Tail(VecDeque<String>);

impl Tail {
    fn push(&mut self, line: &[u8]) {
        let text = String::from_utf8_lossy(line);
        let text = sanitize(text.trim_end_matches(['\n', '\r']));
        let text: String = text.chars().take(300).collect();
        if self.0.len() == TAIL_LINES {
            self.0.pop_front();
        }
        self.0.push_back(text);
    }
}

/// Runs `run` with `sh -c` in `dir`, `stdin` on its standard input and
/// `env` added to inc's environment, and waits until it exits and its
/// output closes, at most `timeout`. Past it, the hook's process group (it
/// gets its own) is killed: the shell and everything it started.
pub fn spawn(
    run: &str,
    dir: &Path,
    stdin: Vec<u8>,
    env: &[(&str, String)],
    timeout: Duration,
) -> Outcome {
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(run)
        .current_dir(dir)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    let mut child = match cmd.spawn() {
        Ok(child) => child,
        Err(e) => {
            return Outcome {
                status: None,
                timed_out: false,
                error: Some(e.to_string()),
                tail: Vec::new(),
            };
        }
    };
    let deadline = Instant::now() + timeout;
    // A hook need not read its input: the writer gives up when it exits.
    if let Some(mut input) = child.stdin.take() {
        crate::par::background(move || {
            let _ = input.write_all(&stdin);
        });
    }
    let tail = Arc::new(Mutex::new(Tail::default()));
    let (closed_tx, closed_rx) = mpsc::channel::<()>();
    let pipes: Vec<Box<dyn Read + Send>> = [
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    ]
    .into_iter()
    .flatten()
    .collect();
    let open_pipes = pipes.len();
    for pipe in pipes {
        let tail = Arc::clone(&tail);
        let closed = closed_tx.clone();
        crate::par::background(move || {
            let mut reader = BufReader::new(pipe);
            let mut line = Vec::new();
            loop {
                line.clear();
                match reader.read_until(b'\n', &mut line) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        if let Ok(mut tail) = tail.lock() {
                            tail.push(&line);
                        }
                    }
                }
            }
            let _ = closed.send(());
        });
    }
    drop(closed_tx);
    let mut status = None;
    let mut closed = 0;
    let mut timed_out = false;
    // Done when the shell has exited and nothing holds its output open.
    while status.is_none() || closed < open_pipes {
        if status.is_none() {
            status = child.try_wait().ok().flatten();
        }
        let now = Instant::now();
        if now >= deadline {
            timed_out = status.is_none() || closed < open_pipes;
            break;
        }
        let step = (deadline - now).min(Duration::from_millis(10));
        match closed_rx.recv_timeout(step) {
            Ok(()) => closed += 1,
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => closed = open_pipes,
        }
    }
    if timed_out {
        kill_group(&mut child);
        if status.is_none() {
            status = child.wait().ok();
        }
        // The readers end once every process holding the pipes is gone;
        // one that left the group (setsid) is not waited for long.
        let grace = Instant::now() + Duration::from_secs(2);
        while closed < open_pipes {
            let left = grace.saturating_duration_since(Instant::now());
            if closed_rx.recv_timeout(left).is_err() {
                break;
            }
            closed += 1;
        }
    }
    let tail = tail
        .lock()
        .map(|t| t.0.iter().cloned().collect())
        .unwrap_or_default();
    Outcome {
        status,
        timed_out,
        error: None,
        tail,
    }
}

/// Kills the hook's process group: the shell and what it started.
#[cfg(unix)]
fn kill_group(child: &mut std::process::Child) {
    use nix::sys::signal::{Signal, killpg};
    use nix::unistd::Pid;
    match i32::try_from(child.id()) {
        Ok(pid) => {
            let _ = killpg(Pid::from_raw(pid), Signal::SIGKILL);
        }
        Err(_) => {
            let _ = child.kill();
        }
    }
}

#[cfg(not(unix))]
fn kill_group(child: &mut std::process::Child) {
    let _ = child.kill();
}

// ----- on a repository -----

/// The hooks of an App's inc.yaml as a clone trusts them.
#[derive(Debug, Clone)]
pub struct Current {
    /// [`trusted_text`] of the hooks and the files they name.
    pub text: String,
    /// `sha1:<hex>` of `text`.
    pub digest: String,
}

impl Current {
    /// Reads the files the hooks name (those that exist in the repository).
    pub fn of(app: &App) -> Current {
        let root = app.store.root();
        let files: Vec<Vec<NamedFile>> = app
            .config
            .hooks
            .iter()
            .map(|hook| {
                named_paths(&hook.run)
                    .into_iter()
                    .filter_map(|path| {
                        let bytes = trust::read_named(root, &path)?;
                        Some(NamedFile {
                            sha1: sha1_hex(&bytes),
                            path,
                        })
                    })
                    .collect()
            })
            .collect();
        let text = trusted_text(&app.config.hooks, &files);
        let digest = format!("sha1:{}", sha1_hex(text.as_bytes()));
        Current { text, digest }
    }
}

/// Whether an App's hooks may run.
#[derive(Debug, Clone)]
pub enum Trust {
    /// `INC_TRUST_HOOKS=1`.
    Env,
    /// This clone trusts exactly these hooks.
    Clone,
    /// This clone trusts other hooks (the text it trusts), or none.
    Untrusted(Option<String>),
}

impl Trust {
    pub fn of(app: &App, current: &Current) -> Trust {
        if app.trust_hooks {
            return Trust::Env;
        }
        match trust::read(&trust::path(app.git(), app.store.root())) {
            Some(r) if r.digest == current.digest && r.text == current.text => Trust::Clone,
            Some(r) => Trust::Untrusted(Some(r.text)),
            None => Trust::Untrusted(None),
        }
    }

    pub fn runs(&self) -> bool {
        !matches!(self, Trust::Untrusted(_))
    }

    /// Why the hooks don't run, with the diff from what was trusted; `None`
    /// when they do.
    pub fn why_not(&self, current: &Current) -> Option<String> {
        match self {
            Trust::Env | Trust::Clone => None,
            Trust::Untrusted(None) => Some(format!(
                "inc.yaml has hooks that this clone has not trusted, so they did not run:\n{}",
                diff("", &current.text).trim_end()
            )),
            Trust::Untrusted(Some(old)) => Some(format!(
                "inc.yaml's hooks (or a script they name) changed since this clone trusted \
                 them, so they did not run:\n{}",
                diff(old, &current.text).trim_end()
            )),
        }
    }
}

/// What to do about untrusted hooks.
pub const HINT_TRUST: &str = "read them and the scripts they run, then `inc hooks trust` to run \
     them on this clone (`INC_TRUST_HOOKS=1` trusts them in CI; `--no-hooks` skips them)";

/// Runs the hooks of `due` (events recorded by one command, per incident),
/// reporting failures as warnings: the events stay recorded whatever a
/// hook does. Untrusted hooks run not at all, with one warning.
pub fn run_due(app: &App, ui: &Ui, due: Vec<(String, Vec<Event>)>) {
    let hooks = &app.config.hooks;
    let wanted = due
        .iter()
        .flat_map(|(_, events)| events)
        .any(|e| hooks.iter().any(|h| runs_for(h, e)));
    if !wanted {
        return;
    }
    let current = Current::of(app);
    let trust = Trust::of(app, &current);
    if let Some(why) = trust.why_not(&current) {
        ui.warn(&why);
        ui.hint(HINT_TRUST);
        return;
    }
    for (id, events) in &due {
        let incident = match app.load(id) {
            Ok(incident) => incident,
            Err(e) => {
                ui.warn(&format!("the hooks of {id}'s events did not run: {e:#}"));
                continue;
            }
        };
        for event in events {
            for hook in hooks.iter().filter(|h| runs_for(h, event)) {
                let payload = Payload {
                    event,
                    incident: IncidentView::new(
                        &incident.id,
                        &incident.header,
                        &incident.state,
                        None,
                        &app.config,
                    ),
                    repo: app.store.root().display().to_string(),
                };
                let outcome = run_one(app, hook, &payload);
                if !outcome.succeeded() {
                    ui.warn(&report(hook, &outcome, event.kind.name(), id));
                }
            }
        }
    }
}

/// Runs one hook with `payload`.
pub fn run_one(app: &App, hook: &Hook, payload: &Payload) -> Outcome {
    spawn(
        &hook.run,
        app.store.root(),
        payload.to_json().into_bytes(),
        &payload.env(),
        hook.timeout(),
    )
}

/// A hook's failure, for stderr: what failed, how, its last output lines.
pub fn report(hook: &Hook, outcome: &Outcome, event: &str, id: &str) -> String {
    let run = one_line(&hook.run, 60);
    let mut out = if outcome.timed_out {
        format!(
            "hook `{run}` ran past its {} timeout on `{event}` of {id} and was killed with what \
             it started ({}); the event is recorded",
            show_timeout(hook.timeout()),
            outcome.status_text()
        )
    } else {
        format!(
            "hook `{run}` failed on `{event}` of {id} ({}); the event is recorded",
            outcome.status_text()
        )
    };
    push_tail(&mut out, &outcome.tail);
    out
}

/// Appends a hook's last output lines, indented, to `out`.
pub fn push_tail(out: &mut String, tail: &[String]) {
    if !tail.is_empty() {
        out.push_str("; its last output:");
        for line in tail {
            out.push_str(&format!("\n  | {line}"));
        }
    }
}

#[cfg(test)]
mod tests {
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
}
