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
//! text and its diff) are here; `process::spawn` runs one hook:
//! `sh -c` from the repository root, in its own process group, killed with
//! its children when it runs past its timeout; `repo` holds what needs a
//! repository (whether this clone trusts the hooks, running the hooks an
//! event triggers).

use std::path::Path;
use std::time::Duration;

use anyhow::{Result, bail};
use serde::Serialize;
use sha1::{Digest, Sha1};

use crate::config::Hook;
use crate::model::{Event, EventKind};
use crate::render::json::IncidentView;
use crate::render::text::one_line;

mod process;
mod repo;

pub use repo::{Current, HINT_TRUST, Trust, run_due, run_one};

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

#[cfg(test)]
mod tests;
