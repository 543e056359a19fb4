//! `inc check`'s rules: what is wrong with an incident's files, and where.
//!
//! Pure: the store reads every file once as text (`store::scan`), and this
//! module turns the texts, the configuration and `now` into [`Finding`]s,
//! each naming a file (relative to the repository root) and a 1-based line.
//! Each text is parsed once; the line of a YAML key is found by searching
//! the text, not by parsing it again.
//!
//! Errors make `inc check` fail (exit 3); warnings are reported only.

use std::borrow::Cow;
use std::fmt;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use super::event::{Event, EventKind};
use super::incident::{GROUP_LABEL, Header, PREVIOUS_LABEL};
use super::state::State;
use super::status::{Kind, Mode, Status};
use super::{id, when};
use crate::config::{Config, PostmortemPolicy};

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Fails the check.
    Error,
    /// Reported; does not fail the check.
    Warning,
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::Error => "error",
            Level::Warning => "warning",
        })
    }
}

/// One problem, where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub level: Level,
    /// Relative to the incident repository's root, with `/`.
    pub file: String,
    /// 1-based.
    pub line: usize,
    /// A short stable name for the rule (`unknown-severity`, `blame` …).
    pub rule: &'static str,
    /// One line of English.
    pub message: String,
}

impl Finding {
    fn error(file: &str, line: usize, rule: &'static str, message: impl Into<String>) -> Finding {
        Finding {
            level: Level::Error,
            file: file.to_owned(),
            line: line.max(1),
            rule,
            message: message.into(),
        }
    }

    fn warning(file: &str, line: usize, rule: &'static str, message: impl Into<String>) -> Finding {
        Finding {
            level: Level::Warning,
            ..Finding::error(file, line, rule, message)
        }
    }
}

/// Orders findings by file, then line, then errors before warnings.
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (&a.file, a.line, a.level, &a.message).cmp(&(&b.file, b.line, b.level, &b.message))
    });
}

/// A file's contents as the store found them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileText {
    Missing,
    /// Exists but could not be read as UTF-8 text; why.
    Unreadable(String),
    Text(String),
}

/// A file of an incident: its path (relative to the root, with `/`) and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    pub path: String,
    pub text: FileText,
}

/// Everything `inc check` reads of one incident folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentFiles {
    /// The folder, relative to the root: `incidents/<year>/<name>`.
    pub dir: String,
    /// The name of the year folder it sits in.
    pub year: String,
    /// The folder's own name, which is the incident's ID.
    pub name: String,
    pub header: File,
    pub timeline: File,
    pub postmortem: File,
}

/// What the rules need besides the files: the configuration and the time.
#[derive(Debug, Clone)]
pub struct Rules<'a> {
    pub config: &'a Config,
    pub now: DateTime<Utc>,
    /// The display zone, which decides what "today" is for due dates.
    pub zone: Tz,
    /// `postmortem.blame_words`, lowercased once.
    blame_words: Vec<String>,
}

impl<'a> Rules<'a> {
    pub fn new(config: &'a Config, now: DateTime<Utc>, zone: Tz) -> Rules<'a> {
        Rules {
            config,
            now,
            zone,
            blame_words: config
                .postmortem
                .blame_words
                .iter()
                .map(|w| normalize(w.trim()).into_owned())
                .filter(|w| !w.is_empty())
                .collect(),
        }
    }

    fn today(&self) -> NaiveDate {
        self.now.with_timezone(&self.zone).date_naive()
    }
}

/// The finding for an `inc.yaml` that [`Config::parse`] refused: its message
/// starts `inc.yaml:LINE:COL: ` (or `inc.yaml:LINE: `, or `inc.yaml: `)
/// when it was parsed with the path `inc.yaml`.
pub fn config_error(file: &str, message: &str) -> Finding {
    let rest = message
        .strip_prefix(file)
        .and_then(|r| r.strip_prefix(':'))
        .unwrap_or(message);
    let mut parts = rest.splitn(3, ':');
    let numbers: Vec<usize> = parts
        .by_ref()
        .take(2)
        .map_while(|p| p.trim().parse().ok())
        .collect();
    let text = match numbers.len() {
        0 => rest,
        1 => rest.split_once(':').map_or(rest, |(_, t)| t),
        _ => parts.next().unwrap_or_default(),
    };
    let line = numbers.first().copied().unwrap_or(1);
    Finding::error(file, line, "config", text.trim())
}

/// What checking one incident folder found: its findings, and what the
/// rules across incidents need to know of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    pub findings: Vec<Finding>,
    /// Set for an incident of an alert group that was not merged away.
    pub member: Option<GroupMember>,
}

/// An incident of an alert group, for [`duplicates`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupMember {
    /// The incident's ID (its folder name).
    pub id: String,
    /// Its `incident.yaml`, relative to the root.
    pub file: String,
    /// The line of the `alert_group` label there.
    pub line: usize,
    pub group: String,
    /// The `alert_source` label: groups are namespaced by source
    /// ([`Header::in_group`]).
    pub source: Option<String>,
    /// From the folded timeline (the `opened` event), else the header.
    pub opened_at: DateTime<Utc>,
    /// When it was last closed; `None` while it is open.
    pub closed_at: Option<DateTime<Utc>>,
    /// Its `previous` label: the incident of the group it follows.
    pub previous: Option<String>,
}

/// Every finding about one incident folder.
pub fn incident(files: &IncidentFiles, rules: &Rules<'_>) -> Checked {
    let mut out = Vec::new();
    let mut member = None;
    check_id(files, &mut out);

    let header_text = present(&files.header, "incident.yaml", &mut out);
    let header = header_text.and_then(|text| match Header::from_yaml(text) {
        Ok(h) => Some(h),
        Err(e) => {
            let hint = e.hint.map(|h| format!("; {h}")).unwrap_or_default();
            out.push(Finding::error(
                &files.header.path,
                e.line.unwrap_or(1),
                "header",
                format!("not a valid incident header: {}{hint}", e.message),
            ));
            None
        }
    });
    if let (Some(h), Some(text)) = (&header, header_text) {
        check_header(h, text, &files.header.path, rules, &mut out);
    }

    let kind = header.as_ref().map_or(Kind::Incident, Header::kind);
    let timeline = present(&files.timeline, "timeline.yaml", &mut out)
        .map(|text| read_timeline(text, &files.timeline.path, &mut out));
    if let Some(timeline) = &timeline {
        check_events(timeline, kind, &files.timeline.path, rules, &mut out);
        let state = State::fold(&timeline.events);
        if let (Some(h), Some(text)) = (&header, header_text) {
            member = group_member(h, text, &state, files);
            // Events before `opened` skew the fold; they are reported already.
            if timeline.starts_with_opened() {
                check_phases(h, text, &state, timeline, files, &mut out);
            }
            check_postmortem_due(h, &state, files, rules, &mut out);
        }
        check_commander(kind, &state, timeline, files, &mut out);
        check_actions(&state, timeline, files, rules, &mut out);
    }

    if let FileText::Text(text) = &files.postmortem.text {
        check_postmortem_text(text, &files.postmortem.path, rules, &mut out);
    } else if let FileText::Unreadable(why) = &files.postmortem.text {
        out.push(Finding::error(&files.postmortem.path, 1, "unreadable", why));
    }
    Checked {
        findings: out,
        member,
    }
}

/// The incident as a member of its alert group: only one that has a group,
/// has not been merged into another (`duplicate_of`), and has a status.
fn group_member(
    h: &Header,
    text: &str,
    state: &State,
    files: &IncidentFiles,
) -> Option<GroupMember> {
    let group = h.group()?;
    if h.duplicate_of().is_some() || state.status.is_none() {
        return None;
    }
    Some(GroupMember {
        id: files.name.clone(),
        file: files.header.path.clone(),
        line: nested_key_line(text, "labels", GROUP_LABEL),
        group: group.to_owned(),
        source: h.alert_source().map(str::to_owned),
        opened_at: state.opened_at.unwrap_or(h.opened_at),
        closed_at: state.closed_at,
        previous: h.labels.get(PREVIOUS_LABEL).cloned(),
    })
}

/// Incidents of one alert group whose open periods overlap: a warning on
/// each later one, naming the earliest incident of the group that was still
/// open when it was opened, and the `inc merge` that fixes it.
///
/// A warning, not an error: the duplicate reaches the main branch from
/// alert jobs, not from the pull request being checked, so an error would
/// fail every unrelated pull request until someone merges; the annotation
/// still shows on each of them. A later incident whose `previous` label
/// names the earlier one is its follow-up, not a duplicate.
pub fn duplicates(members: &mut [GroupMember]) -> Vec<Finding> {
    members.sort_by(|a, b| {
        (&a.group, &a.source, a.opened_at, &a.id).cmp(&(&b.group, &b.source, b.opened_at, &b.id))
    });
    let mut out = Vec::new();
    for run in members.chunk_by(|a, b| a.group == b.group && a.source == b.source) {
        for (i, later) in run.iter().enumerate() {
            let Some(earlier) = run[..i].iter().find(|e| {
                later.previous.as_deref() != Some(e.id.as_str())
                    && e.closed_at.is_none_or(|closed| later.opened_at < closed)
            }) else {
                continue;
            };
            out.push(Finding::warning(
                &later.file,
                later.line,
                "duplicate",
                format!(
                    "duplicate of `{}` (alert group `{}`): opened {} while `{}` was still open; \
                     `inc merge {} --into {}` merges it",
                    earlier.id,
                    shorten(&later.group, 80),
                    when::stored(later.opened_at),
                    earlier.id,
                    later.id,
                    earlier.id
                ),
            ));
        }
    }
    out
}

/// The text of a file every incident needs, or a finding saying why not.
fn present<'f>(file: &'f File, name: &str, out: &mut Vec<Finding>) -> Option<&'f str> {
    match &file.text {
        FileText::Text(text) => Some(text),
        FileText::Missing => {
            out.push(Finding::error(
                &file.path,
                1,
                "missing-file",
                format!("missing: every incident folder needs its {name}"),
            ));
            None
        }
        FileText::Unreadable(why) => {
            out.push(Finding::error(&file.path, 1, "unreadable", why));
            None
        }
    }
}

/// The folder name is an ID, and sits in the year folder it names.
fn check_id(files: &IncidentFiles, out: &mut Vec<Finding>) {
    // Point at a file that exists, so the finding has somewhere to go.
    let anchor = [&files.header, &files.timeline]
        .into_iter()
        .find(|f| f.text != FileText::Missing)
        .map_or(files.dir.as_str(), |f| f.path.as_str());
    let name = &files.name;
    let date_ok = name
        .get(..10)
        .is_some_and(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").is_ok());
    if !id::is_id(name) || !date_ok {
        out.push(Finding::error(
            anchor,
            1,
            "id",
            format!(
                "the folder name `{name}` is not an incident ID \
                 (YYYY-MM-DD-slug: the date, then lowercase a-z, 0-9 and -)"
            ),
        ));
    } else if id::year(name) != files.year {
        out.push(Finding::error(
            anchor,
            1,
            "id",
            format!(
                "`{name}` is in the year folder `{}`; move it to incidents/{}/",
                files.year,
                id::year(name)
            ),
        ));
    }
}

/// How far past `now` a time may lie before `inc check` calls it a typo:
/// clocks of responders' machines disagree by seconds, and `--at` takes
/// local times, so a day leaves room for any zone.
const FUTURE_SLACK: Duration = Duration::days(1);

/// "is dated …, more than a day after now (…)" for a time past
/// [`FUTURE_SLACK`]: an event in the year 9999 would be the status page's
/// last update forever.
fn future(at: DateTime<Utc>, now: DateTime<Utc>) -> Option<String> {
    (at > now + FUTURE_SLACK).then(|| {
        format!(
            "is dated {}, more than a day after now ({}); fix the time",
            when::stored(at),
            when::stored(now)
        )
    })
}

/// The keys of `incident.yaml` inc reads.
const HEADER_KEYS: &[&str] = &[
    "title",
    "public_title",
    "summary",
    "kind",
    "mode",
    "services",
    "private",
    "labels",
    "scheduled_start",
    "scheduled_end",
    "started_at",
    "opened_at",
    "opened_by",
];

/// Keys people put in a header that are the timeline's to say (the state
/// is a fold over events, never stored), with what records them instead.
const TIMELINE_KEYS: &[(&str, &str)] = &[
    ("status", "`inc status ID STATUS`"),
    ("severity", "`inc severity ID SEV`"),
    ("commander", "`inc assign ID commander WHO`"),
    ("roles", "`inc assign ID ROLE WHO`"),
    ("impact", "an `impact` event"),
    ("acknowledged_at", "`inc ack ID`"),
    ("mitigated_at", "`inc status ID monitoring`"),
    ("resolved_at", "`inc resolve ID --at T`"),
    ("actions", "`inc action add ID TEXT`"),
];

/// Unknown keys that are mistakes: a known key mistyped (`Private: true`
/// would be kept as an unknown key, and the incident published), or one
/// the timeline holds (`status: fixed` would be ignored without a word).
/// Other unknown keys are kept and fine (`ticket: OPS-12`).
fn check_unknown_keys(h: &Header, text: &str, path: &str, out: &mut Vec<Finding>) {
    for key in h.extra.keys() {
        let line = key_line(text, key);
        let lower = key.to_lowercase();
        if let Some((known, how)) = TIMELINE_KEYS.iter().find(|(k, _)| *k == lower) {
            out.push(Finding::error(
                path,
                line,
                "timeline-key",
                format!(
                    "`{key}` is not a header key: inc ignores it here, as the timeline \
                     holds the {known}; record it with {how}"
                ),
            ));
        } else if let Some(known) = super::typo::did_you_mean(&lower, HEADER_KEYS) {
            let consequence = if known == "private" {
                " (as written, this incident is not private and is published)"
            } else {
                ""
            };
            out.push(Finding::error(
                path,
                line,
                "unknown-key",
                format!(
                    "unknown key `{key}`, which inc ignores{consequence}; did you mean `{known}`?"
                ),
            ));
        }
    }
}

/// `- item` lines that YAML reads as part of a plain value above them, as
/// their indentation is deeper than that value's key or item: `services:
/// [api]` written with `  - api` then `   - web` has one service, `api -
/// web`. Each is (its line, the line of the value it merges into).
fn merged_items(text: &str) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    // The indentation and line of the last `key: plain value` or `- plain
    // value`, while the lines after it may continue that value.
    let mut plain: Option<(usize, usize)> = None;
    // Inside a `|` or `>` block scalar: the indentation of its key.
    let mut block: Option<usize> = None;
    for (i, raw) in text.lines().enumerate() {
        let content = raw.trim_start_matches(' ');
        let indent = raw.len() - content.len();
        if content.trim().is_empty() || content.starts_with('#') {
            continue;
        }
        if block.is_some_and(|b| indent > b) {
            continue;
        }
        block = None;
        let item = content
            .strip_prefix("- ")
            .or_else(|| (content == "-").then_some(""));
        if let Some((at, line)) = plain
            && indent > at
        {
            if item.is_some() {
                found.push((i + 1, line));
            }
            continue;
        }
        // What this line's value is: after `- ` or after `key: `.
        let value = match item {
            Some(rest) => Some(rest.trim()),
            None => content.split_once(": ").map(|(_, v)| v.trim()),
        };
        plain = None;
        match value {
            Some(v) if v.starts_with(['|', '>']) => block = Some(indent),
            Some(v)
                if !v.is_empty()
                    && !v.starts_with(['[', '{', '"', '\'', '&', '*', '!', '#'])
                    && !v.contains(": ") =>
            {
                plain = Some((indent, i + 1));
            }
            _ => {}
        }
    }
    found
}

fn check_header(h: &Header, text: &str, path: &str, rules: &Rules<'_>, out: &mut Vec<Finding>) {
    check_unknown_keys(h, text, path, out);
    for (line, into) in merged_items(text) {
        out.push(Finding::error(
            path,
            line,
            "indentation",
            format!(
                "this list item is indented deeper than the value on line {into}, \
                 so YAML reads it as part of that value; indent it like the line above"
            ),
        ));
    }
    for (key, at) in [
        ("opened_at", Some(h.opened_at)),
        ("started_at", h.started_at),
    ] {
        if let Some(message) = at.and_then(|at| future(at, rules.now)) {
            out.push(Finding::error(
                path,
                key_line(text, key),
                "future",
                format!("`{key}` {message}"),
            ));
        }
    }
    let services = &rules.config.services;
    if !services.is_empty() {
        for s in &h.services {
            if !services.iter().any(|c| &c.id == s) {
                out.push(Finding::error(
                    path,
                    value_line(text, "services", s),
                    "unknown-service",
                    format!(
                        "unknown service `{s}`; inc.yaml lists: {}",
                        listed(services.iter().map(|s| s.id.as_str()))
                    ),
                ));
            }
        }
    }
    if let Some(started) = h.started_at
        && started > h.opened_at
    {
        out.push(Finding::error(
            path,
            key_line(text, "started_at"),
            "time-order",
            format!(
                "`started_at` ({}) is after `opened_at` ({}): impact can't start after it was detected",
                when::stored(started),
                when::stored(h.opened_at)
            ),
        ));
    }
    if let (Some(start), Some(end)) = (h.scheduled_start, h.scheduled_end)
        && end < start
    {
        out.push(Finding::error(
            path,
            key_line(text, "scheduled_end"),
            "time-order",
            format!(
                "`scheduled_end` ({}) is before `scheduled_start` ({})",
                when::stored(end),
                when::stored(start)
            ),
        ));
    }
}

/// A timeline's events as readers see them (sorted by time, exact duplicate
/// lines dropped), each with its line in the file.
struct Timeline {
    events: Vec<Event>,
    lines: Vec<usize>,
    /// Some line did not parse.
    broken: bool,
}

impl Timeline {
    fn starts_with_opened(&self) -> bool {
        self.events
            .first()
            .is_some_and(|e| matches!(e.kind, EventKind::Opened { .. }))
    }

    /// The line of the first event matching `pred`.
    fn line_of(&self, pred: impl Fn(&Event) -> bool) -> Option<usize> {
        self.events.iter().position(pred).map(|i| self.lines[i])
    }
}

fn read_timeline(text: &str, path: &str, out: &mut Vec<Finding>) -> Timeline {
    let mut parsed: Vec<(Event, &str, usize)> = Vec::new();
    let mut broken = false;
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        match Event::from_line(line) {
            Ok(Some(event)) => parsed.push((event, line, n + 1)),
            Ok(None) => {}
            Err(message) => {
                broken = true;
                let rule = if message.starts_with("unknown status") {
                    "unknown-status"
                } else {
                    "event-syntax"
                };
                out.push(Finding::error(path, n + 1, rule, message));
            }
        }
    }
    // The same order and de-duplication as `store::parse_timeline`.
    let mut timeline = Timeline {
        events: Vec::with_capacity(parsed.len()),
        lines: Vec::with_capacity(parsed.len()),
        broken,
    };
    for (event, n) in super::event::sort_dedup(parsed) {
        timeline.events.push(event);
        timeline.lines.push(n);
    }
    timeline
}

fn check_events(
    timeline: &Timeline,
    kind: Kind,
    path: &str,
    rules: &Rules<'_>,
    out: &mut Vec<Finding>,
) {
    let config = rules.config;
    let first_opened = timeline
        .events
        .iter()
        .position(|e| matches!(e.kind, EventKind::Opened { .. }));
    match first_opened {
        None if !timeline.broken => out.push(Finding::error(
            path,
            timeline.lines.first().copied().unwrap_or(1),
            "opened",
            "the timeline has no `opened` event; it must start with one",
        )),
        None => {}
        Some(first) => {
            let opened = &timeline.events[first];
            let opened_line = timeline.lines[first];
            for (e, &n) in timeline.events[..first].iter().zip(&timeline.lines) {
                let message = if e.at < opened.at {
                    format!(
                        "this `{}` event ({}) is before the incident was opened \
                         ({}, line {opened_line})",
                        e.kind.name(),
                        when::stored(e.at),
                        when::stored(opened.at)
                    )
                } else {
                    format!(
                        "this `{}` event has the time of the `opened` event but comes \
                         before it (line {opened_line}); the timeline must start with `opened`",
                        e.kind.name()
                    )
                };
                out.push(Finding::error(path, n, "time-order", message));
            }
        }
    }

    let allowed_statuses = match kind {
        Kind::Incident => Status::INCIDENT,
        Kind::Maintenance => Status::MAINTENANCE,
    };
    let status_ok = |status: Status, n: usize, out: &mut Vec<Finding>| {
        if !allowed_statuses.contains(&status) {
            out.push(Finding::error(
                path,
                n,
                "unknown-status",
                format!(
                    "`{status}` is not a status of an {kind}; use one of: {}",
                    listed(allowed_statuses.iter().map(|s| s.as_str()))
                ),
            ));
        }
    };
    let severity_ok = |severity: &str, n: usize, out: &mut Vec<Finding>| {
        if config.severity(severity).is_none() {
            out.push(Finding::error(
                path,
                n,
                "unknown-severity",
                format!(
                    "unknown severity `{severity}`; inc.yaml allows: {}",
                    config.severity_ids()
                ),
            ));
        }
    };
    let mut defined_actions: Vec<u32> = Vec::new();
    for (i, (e, &n)) in timeline.events.iter().zip(&timeline.lines).enumerate() {
        if let Some(message) = future(e.at, rules.now) {
            out.push(Finding::error(
                path,
                n,
                "future",
                format!("this `{}` event {message}", e.kind.name()),
            ));
        }
        match &e.kind {
            EventKind::Opened { severity, status } => {
                if let Some(first) = first_opened
                    && i > first
                {
                    out.push(Finding::error(
                        path,
                        n,
                        "opened",
                        format!(
                            "a second `opened` event (the first is on line {})",
                            timeline.lines[first]
                        ),
                    ));
                }
                severity_ok(severity, n, out);
                status_ok(*status, n, out);
            }
            EventKind::Severity { severity } => severity_ok(severity, n, out),
            EventKind::Status { status, .. } => status_ok(*status, n, out),
            EventKind::Update {
                status: Some(status),
                ..
            } => status_ok(*status, n, out),
            EventKind::Role { role, .. } => {
                if !config.roles.iter().any(|r| r == role) {
                    out.push(Finding::error(
                        path,
                        n,
                        "unknown-role",
                        format!(
                            "unknown role `{role}`; inc.yaml allows: {}",
                            listed(config.roles.iter().map(String::as_str))
                        ),
                    ));
                }
            }
            EventKind::Impact {
                service: Some(service),
                ..
            } => {
                if !config.services.is_empty() && !config.services.iter().any(|s| &s.id == service)
                {
                    out.push(Finding::error(
                        path,
                        n,
                        "unknown-service",
                        format!(
                            "unknown service `{service}`; inc.yaml lists: {}",
                            listed(config.services.iter().map(|s| s.id.as_str()))
                        ),
                    ));
                }
            }
            EventKind::Action { id, due, .. } => {
                defined_actions.push(*id);
                if let Some(due) = due
                    && super::state::parse_due(due).is_none()
                {
                    out.push(Finding::error(
                        path,
                        n,
                        "action-due",
                        format!("action #{id}: the due date `{due}` is not a date (YYYY-MM-DD)"),
                    ));
                }
            }
            EventKind::ActionDone { id } => {
                if !defined_actions.contains(id) {
                    out.push(Finding::error(
                        path,
                        n,
                        "action-ref",
                        format!(
                            "`action_done` for action #{id}, which no earlier `action` event adds"
                        ),
                    ));
                }
            }
            EventKind::Other { kind } => out.push(Finding::error(
                path,
                n,
                "event-type",
                format!(
                    "unknown event type `{kind}`; known: opened, note, update, status, \
                     severity, role, ack, alert, action, action_done, impact, page"
                ),
            )),
            EventKind::Update { status: None, .. }
            | EventKind::Impact { service: None, .. }
            | EventKind::Note { .. }
            | EventKind::Ack
            | EventKind::Page { .. }
            | EventKind::Alert { .. } => {}
        }
    }
}

/// started ≤ opened ≤ acknowledged, mitigated, resolved. (`started ≤ opened`
/// is a header check.) Acknowledged after mitigated is allowed: automation
/// may mitigate or resolve an incident before a person looks at it.
fn check_phases(
    h: &Header,
    text: &str,
    state: &State,
    timeline: &Timeline,
    files: &IncidentFiles,
    out: &mut Vec<Finding>,
) {
    let reached = [
        ("acknowledged", state.acknowledged_at),
        ("mitigated", state.mitigated_at),
        ("resolved", state.resolved_at),
    ];
    let earliest = reached
        .into_iter()
        .filter_map(|(what, at)| at.map(|at| (what, at)))
        .min_by_key(|(_, at)| *at);
    if let Some((what, at)) = earliest
        && at < h.opened_at
    {
        let line = timeline.line_of(|e| e.at == at).unwrap_or(1);
        out.push(Finding::error(
            &files.header.path,
            key_line(text, "opened_at"),
            "time-order",
            format!(
                "`opened_at` ({}) is after the incident was {what} ({}, timeline.yaml line {line})",
                when::stored(h.opened_at),
                when::stored(at)
            ),
        ));
    }
}

/// A resolved incident whose severity requires a postmortem has one within
/// `postmortem.due_days` of resolution.
fn check_postmortem_due(
    h: &Header,
    state: &State,
    files: &IncidentFiles,
    rules: &Rules<'_>,
    out: &mut Vec<Finding>,
) {
    if h.kind() != Kind::Incident
        || h.mode() == Mode::Test
        || state.status != Some(Status::Resolved)
        || files.postmortem.text != FileText::Missing
    {
        return;
    }
    let (Some(resolved), Some(severity)) = (state.resolved_at, state.severity.as_deref()) else {
        return;
    };
    let Some(policy) = rules.config.severity(severity) else {
        return;
    };
    let days = rules.config.postmortem.due_days;
    if policy.postmortem == PostmortemPolicy::Required
        && rules.now > resolved + Duration::days(i64::from(days))
    {
        out.push(Finding::error(
            &files.header.path,
            1,
            "postmortem-overdue",
            format!(
                "postmortem overdue: resolved {}, and {severity} needs one within {days} {}; \
                 run `inc postmortem {}`",
                resolved.with_timezone(&rules.zone).format("%Y-%m-%d"),
                if days == 1 { "day" } else { "days" },
                files.name
            ),
        ));
    }
}

fn check_commander(
    kind: Kind,
    state: &State,
    timeline: &Timeline,
    files: &IncidentFiles,
    out: &mut Vec<Finding>,
) {
    if kind != Kind::Incident || !state.is_open() || state.commander().is_some() {
        return;
    }
    // Where the commander was unassigned, else where it was opened.
    let unassigned = timeline
        .events
        .iter()
        .zip(&timeline.lines)
        .rev()
        .find(|(e, _)| matches!(&e.kind, EventKind::Role { role, .. } if role == "commander"))
        .map(|(_, &n)| n);
    let line = unassigned
        .or_else(|| timeline.line_of(|e| matches!(e.kind, EventKind::Opened { .. })))
        .unwrap_or(1);
    out.push(Finding::warning(
        &files.timeline.path,
        line,
        "no-commander",
        format!(
            "open incident with no commander; `inc assign {} commander WHO` names one",
            files.name
        ),
    ));
}

fn check_actions(
    state: &State,
    timeline: &Timeline,
    files: &IncidentFiles,
    rules: &Rules<'_>,
    out: &mut Vec<Finding>,
) {
    let today = rules.today();
    for action in state.actions.iter().filter(|a| !a.done) {
        let Some(due) = action.due_date() else {
            continue;
        };
        if due >= today {
            continue;
        }
        // The latest `action` event for this number is the one in force.
        let line = timeline
            .events
            .iter()
            .zip(&timeline.lines)
            .rev()
            .find(|(e, _)| matches!(e.kind, EventKind::Action { id, .. } if id == action.id))
            .map_or(1, |(_, &n)| n);
        out.push(Finding::warning(
            &files.timeline.path,
            line,
            "action-overdue",
            format!(
                "action #{} is past due ({due}) and not done: {}",
                action.id,
                shorten(&action.text, 80)
            ),
        ));
    }
}

/// The marker of a template placeholder a person has to replace.
pub const PLACEHOLDER: &str = "> TODO:";

fn check_postmortem_text(text: &str, path: &str, rules: &Rules<'_>, out: &mut Vec<Finding>) {
    let generated = generated_lines(text);
    for (n, visible) in visible_lines(text) {
        // Generated blocks quote the timeline word for word; what a note
        // said is fixed there, and inc rewrites the block anyway.
        if generated.contains(&n) {
            continue;
        }
        if visible.trim_start().starts_with(PLACEHOLDER) {
            out.push(Finding::warning(
                path,
                n,
                "postmortem-placeholder",
                format!(
                    "unfilled template placeholder: {}",
                    shorten(visible.trim_start().trim_start_matches('>').trim(), 80)
                ),
            ));
        }
        let found = blame_in(&visible, &rules.blame_words);
        if !found.is_empty() {
            let phrases: Vec<String> = found.iter().map(|w| format!("\"{w}\"")).collect();
            out.push(Finding::warning(
                path,
                n,
                "blame",
                format!(
                    "blaming language ({}); describe what the system allowed, not who failed",
                    phrases.join(", ")
                ),
            ));
        }
    }
}

/// The 1-based numbers of the lines inside `<!-- inc:begin NAME -->` …
/// `<!-- inc:end NAME -->` blocks (the text `inc postmortem` generates).
fn generated_lines(text: &str) -> std::collections::HashSet<usize> {
    let mut inside = false;
    let mut lines = std::collections::HashSet::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.starts_with("<!-- inc:begin ") {
            inside = true;
        } else if line.starts_with("<!-- inc:end ") {
            inside = false;
        } else if inside {
            lines.insert(i + 1);
        }
    }
    lines
}

/// Each line's text outside HTML comments (`<!-- … -->`, which may span
/// lines), with its 1-based number. Lines left empty are skipped.
fn visible_lines(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut in_comment = false;
    for (i, line) in text.lines().enumerate() {
        let mut visible = String::new();
        let mut rest = line;
        loop {
            if in_comment {
                match rest.find("-->") {
                    Some(end) => {
                        rest = &rest[end + 3..];
                        in_comment = false;
                    }
                    None => break,
                }
            } else {
                match rest.find("<!--") {
                    Some(start) => {
                        visible.push_str(&rest[..start]);
                        // Keep words apart: `a<!-- x -->b` is not `ab`.
                        visible.push(' ');
                        rest = &rest[start + 4..];
                        in_comment = true;
                    }
                    None => {
                        visible.push_str(rest);
                        break;
                    }
                }
            }
        }
        if !visible.trim().is_empty() {
            out.push((i + 1, visible));
        }
    }
    out
}

/// Lowercase, with typographic apostrophes made plain (`Bob’s fault`).
fn normalize(s: &str) -> Cow<'_, str> {
    if s.chars().any(|c| c.is_uppercase() || c == '\u{2019}') {
        Cow::Owned(s.to_lowercase().replace('\u{2019}', "'"))
    } else {
        Cow::Borrowed(s)
    }
}

/// The phrases of `words` (lowercased) that `line` contains as whole words:
/// `blame` is found in "to blame" but not in "blameless".
fn blame_in<'w>(line: &str, words: &'w [String]) -> Vec<&'w str> {
    let line = normalize(line);
    let word_char = |c: char| c.is_alphanumeric() || c == '_';
    words
        .iter()
        .filter(|w| {
            let starts_word = w.chars().next().is_some_and(word_char);
            let ends_word = w.chars().next_back().is_some_and(word_char);
            line.match_indices(w.as_str()).any(|(at, m)| {
                let before = line[..at].chars().next_back();
                let after = line[at + m.len()..].chars().next();
                (!starts_word || !before.is_some_and(word_char))
                    && (!ends_word || !after.is_some_and(word_char))
            })
        })
        .map(String::as_str)
        .collect()
}

/// The 1-based line of a top-level `key:` in a YAML text, else 1.
fn key_line(text: &str, key: &str) -> usize {
    find_key(text, key).map_or(1, |i| i + 1)
}

fn find_key(text: &str, key: &str) -> Option<usize> {
    text.lines().position(|l| {
        let l = l.strip_prefix(key).or_else(|| {
            l.strip_prefix('"')
                .and_then(|l| l.strip_prefix(key))
                .and_then(|l| l.strip_prefix('"'))
        });
        l.is_some_and(|rest| rest.trim_start().starts_with(':'))
    })
}

/// The 1-based line of `child:` in the map under the top-level `key` (a
/// block or flow map), else the key's line, else 1.
fn nested_key_line(text: &str, key: &str, child: &str) -> usize {
    let Some(start) = find_key(text, key) else {
        return 1;
    };
    let lines: Vec<&str> = text.lines().collect();
    if lines[start].contains(child) {
        return start + 1;
    }
    lines[start + 1..]
        .iter()
        .take_while(|l| l.starts_with([' ', '\t', '#']) || l.trim().is_empty())
        .position(|l| {
            let l = l.trim_start();
            let rest = [
                child.to_owned(),
                format!("\"{child}\""),
                format!("'{child}'"),
            ]
            .iter()
            .find_map(|k| l.strip_prefix(k.as_str()))
            .map(str::trim_start);
            rest.is_some_and(|r| r.starts_with(':'))
        })
        .map_or(start + 1, |i| start + i + 2)
}

/// The line of `value` under the top-level `key` (a block or flow list),
/// else the key's line, else 1.
fn value_line(text: &str, key: &str, value: &str) -> usize {
    let Some(start) = find_key(text, key) else {
        return 1;
    };
    let lines: Vec<&str> = text.lines().collect();
    if lines[start].contains(value) {
        return start + 1;
    }
    lines[start + 1..]
        .iter()
        .take_while(|l| l.starts_with([' ', '\t', '-', '#']) || l.trim().is_empty())
        .position(|l| {
            let item = l.trim().trim_start_matches('-').trim();
            item.trim_matches(['"', '\'']) == value
        })
        .map_or(start + 1, |i| start + i + 2)
}

/// `` `a`, `b` `` for messages.
fn listed<'s>(items: impl Iterator<Item = &'s str>) -> String {
    items
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn shorten(s: &str, max: usize) -> String {
    let flat = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        flat
    } else {
        let mut cut: String = flat.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const DIR: &str = "incidents/2026/2026-11-20-db-down";
    const HEADER: &str = "incidents/2026/2026-11-20-db-down/incident.yaml";
    const TIMELINE: &str = "incidents/2026/2026-11-20-db-down/timeline.yaml";
    const POSTMORTEM: &str = "incidents/2026/2026-11-20-db-down/postmortem.md";

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 27, 12, 0, 0).unwrap()
    }

    fn header() -> String {
        "title: DB down\nservices:\n- api\nstarted_at: 2026-11-20T09:55:00Z\n\
         opened_at: 2026-11-20T10:00:00Z\nopened_by: alice\n"
            .to_owned()
    }

    fn line(at: &str, by: &str, rest: &str) -> String {
        format!("- {{\"at\":\"2026-11-20T{at}Z\",\"by\":\"{by}\",{rest}}}\n")
    }

    fn opened(sev: &str) -> String {
        line(
            "10:00:00",
            "alice",
            &format!("\"type\":\"opened\",\"severity\":\"{sev}\",\"status\":\"investigating\""),
        )
    }

    fn commander() -> String {
        line(
            "10:00:00",
            "alice",
            "\"type\":\"role\",\"role\":\"commander\",\"who\":\"alice\"",
        )
    }

    fn resolved() -> String {
        line(
            "11:00:00",
            "alice",
            "\"type\":\"status\",\"status\":\"resolved\"",
        )
    }

    fn files(header: &str, timeline: &str, postmortem: Option<&str>) -> IncidentFiles {
        let text = |t: Option<&str>| t.map_or(FileText::Missing, |t| FileText::Text(t.to_owned()));
        IncidentFiles {
            dir: DIR.to_owned(),
            year: "2026".to_owned(),
            name: "2026-11-20-db-down".to_owned(),
            header: File {
                path: HEADER.to_owned(),
                text: text(Some(header)),
            },
            timeline: File {
                path: TIMELINE.to_owned(),
                text: text(Some(timeline)),
            },
            postmortem: File {
                path: POSTMORTEM.to_owned(),
                text: text(postmortem),
            },
        }
    }

    fn check_with(config: &Config, files: &IncidentFiles) -> Vec<Finding> {
        let mut found = incident(files, &Rules::new(config, now(), Tz::UTC)).findings;
        sort(&mut found);
        found
    }

    fn check(files: &IncidentFiles) -> Vec<Finding> {
        check_with(&Config::default(), files)
    }

    /// (rule, file, line) of each finding, for compact assertions.
    fn places(found: &[Finding]) -> Vec<(&'static str, &str, usize)> {
        found
            .iter()
            .map(|f| (f.rule, f.file.as_str(), f.line))
            .collect()
    }

    #[test]
    fn a_clean_incident_has_no_findings() {
        let timeline = opened("SEV3") + &commander() + &resolved();
        assert_eq!(check(&files(&header(), &timeline, None)), []);
        let timeline = opened("SEV2") + &commander() + &resolved();
        assert_eq!(check(&files(&header(), &timeline, Some("# Review\n"))), []);
    }

    #[test]
    fn bad_event_lines_are_errors_on_their_line() {
        let timeline = opened("SEV3")
            + &commander()
            + "not an event\n"
            + &line("10:05:00", "bob", "\"type\":\"note\"")
            + "- {\"at\":\"yesterday\",\"by\":\"bob\",\"type\":\"ack\"}\n"
            + &line(
                "10:06:00",
                "bob",
                "\"type\":\"status\",\"status\":\"fixed\"",
            )
            + &line("10:07:00", "bob", "\"type\":\"sing\"");
        let found = check(&files(&header(), &timeline, None));
        assert_eq!(
            places(&found),
            [
                ("event-syntax", TIMELINE, 3),
                ("event-syntax", TIMELINE, 4),
                ("event-syntax", TIMELINE, 5),
                ("unknown-status", TIMELINE, 6),
                ("event-type", TIMELINE, 7),
            ]
        );
        assert!(found[1].message.contains("needs `text`"), "{found:?}");
        assert!(found[2].message.contains("RFC 3339"), "{found:?}");
        assert!(found.iter().all(|f| f.level == Level::Error));
    }

    #[test]
    fn a_header_that_does_not_parse_names_its_line() {
        let found = check(&files(
            "title: x\nopened_at: [\n",
            &(opened("SEV3") + &commander()),
            None,
        ));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].rule, "header");
        assert_eq!(found[0].file, HEADER);
        assert!(found[0].line >= 2, "{found:?}");
        let found = check(&files(
            "title: x\nopened_at: 2026-11-20T10:00:00Z\nopened_by: a\nticket: OPS-1\n",
            &(opened("SEV3") + &commander()),
            None,
        ));
        assert_eq!(found, [], "unknown header keys are kept, not flagged");
    }

    #[test]
    fn unknown_severity_role_and_service() {
        let config = Config::parse(
            "services:\n  - id: api\n  - id: web\n",
            std::path::Path::new("inc.yaml"),
        )
        .unwrap();
        let header = header().replace("- api\n", "- api\n- paymnts\n");
        let timeline = opened("P1")
            + &commander()
            + &line(
                "10:01:00",
                "a",
                "\"type\":\"severity\",\"severity\":\"SEV9\"",
            )
            + &line(
                "10:02:00",
                "a",
                "\"type\":\"role\",\"role\":\"captain\",\"who\":\"a\"",
            )
            + &line(
                "10:03:00",
                "a",
                "\"type\":\"impact\",\"impact\":\"major_outage\",\"service\":\"db\"",
            );
        let found = check_with(&config, &files(&header, &timeline, None));
        assert_eq!(
            places(&found),
            [
                ("unknown-service", HEADER, 4),
                ("unknown-severity", TIMELINE, 1),
                ("unknown-severity", TIMELINE, 3),
                ("unknown-role", TIMELINE, 4),
                ("unknown-service", TIMELINE, 5),
            ]
        );
        assert!(found[0].message.contains("`paymnts`"), "{found:?}");
        assert!(found[3].message.contains("`commander`"), "{found:?}");
        // While inc.yaml lists no services, any name goes.
        assert_eq!(
            places(&check(&files(
                &header,
                &(opened("SEV3") + &commander()),
                None
            ))),
            []
        );
    }

    #[test]
    fn flow_lists_name_the_key_line() {
        let text = "title: x\nservices: [api, db]\nopened_at: 2026-11-20T10:00:00Z\n";
        assert_eq!(value_line(text, "services", "db"), 2);
        let text = "title: x\nservices:\n  - api\n  - \"db\"\nopened_at: 1\n";
        assert_eq!(value_line(text, "services", "db"), 4);
        assert_eq!(value_line(text, "labels", "db"), 1);
        assert_eq!(key_line(text, "opened_at"), 5);
        assert_eq!(key_line("\"opened_at\": 1\n", "opened_at"), 1);
        assert_eq!(key_line("x: 1\nopened_atx: 2\n", "opened_at"), 1);
    }

    #[test]
    fn maintenance_statuses_are_not_incident_statuses() {
        let timeline = opened("SEV3")
            + &commander()
            + &line(
                "10:05:00",
                "a",
                "\"type\":\"status\",\"status\":\"in_progress\"",
            );
        let found = check(&files(&header(), &timeline, None));
        assert_eq!(places(&found), [("unknown-status", TIMELINE, 3)]);
        let maintenance = header() + "kind: maintenance\n";
        let timeline = line(
            "10:00:00",
            "alice",
            "\"type\":\"opened\",\"severity\":\"SEV4\",\"status\":\"scheduled\"",
        ) + &line(
            "10:05:00",
            "a",
            "\"type\":\"status\",\"status\":\"completed\"",
        );
        assert_eq!(check(&files(&maintenance, &timeline, None)), []);
    }

    #[test]
    fn the_timeline_starts_with_one_opened_event() {
        let note = |at: &str| line(at, "bob", "\"type\":\"note\",\"text\":\"hi\"");
        // An event dated before the opening.
        let timeline = opened("SEV3") + &commander() + &note("09:59:00");
        let found = check(&files(&header(), &timeline, None));
        assert_eq!(places(&found), [("time-order", TIMELINE, 3)]);
        assert!(found[0].message.contains("before the incident was opened"));
        // Same time, but written above the `opened` line.
        let timeline = note("10:00:00") + &opened("SEV3") + &commander();
        let found = check(&files(&header(), &timeline, None));
        assert_eq!(places(&found), [("time-order", TIMELINE, 1)]);
        // Two `opened` events; an exact duplicate line (a union merge) is fine.
        let second = opened("SEV3").replace("10:00:00", "10:30:00");
        let timeline = opened("SEV3") + &commander() + &opened("SEV3") + &second;
        let found = check(&files(&header(), &timeline, None));
        assert_eq!(places(&found), [("opened", TIMELINE, 4)]);
        assert!(found[0].message.contains("line 1"), "{found:?}");
        // None at all.
        let found = check(&files(&header(), &note("10:00:00"), None));
        assert_eq!(
            places(&found),
            [("opened", TIMELINE, 1)],
            "and no commander warning for a timeline with no state"
        );
        let found = check(&files(&header(), "", None));
        assert_eq!(places(&found), [("opened", TIMELINE, 1)]);
        // A broken line may be the `opened` one: no second finding for it.
        let found = check(&files(&header(), "- {\"at\":\n", None));
        assert_eq!(places(&found), [("event-syntax", TIMELINE, 1)]);
    }

    #[test]
    fn events_and_headers_far_in_the_future_are_errors() {
        let at = |at: &str, text: &str| {
            format!("- {{\"at\":\"{at}\",\"by\":\"bob\",\"type\":\"note\",\"text\":\"{text}\"}}\n")
        };
        let far = at("9999-01-01T00:00:00Z", "typo");
        // A clock or zone off by hours is not a typo.
        let soon = at("2026-11-28T11:00:00Z", "skew");
        let text = format!("{}{}{soon}{far}", opened("SEV3"), commander());
        let found = check(&files(&header(), &text, None));
        assert_eq!(places(&found), [("future", TIMELINE, 4)], "{found:?}");
        assert!(
            found[0].message.contains("9999-01-01T00:00:00Z"),
            "{found:?}"
        );
        let header = header().replace("opened_at: 2026-11-20", "opened_at: 9999-11-20");
        let found = check(&files(
            &header,
            &format!("{}{}", opened("SEV3"), commander()),
            None,
        ));
        assert!(
            found.iter().any(|f| f.rule == "future" && f.line == 5),
            "{found:?}"
        );
    }

    #[test]
    fn header_keys_that_look_like_mistakes() {
        let text = format!(
            "{}Private: true\nstatus: fixed\nseverity: SEV9\nsumary: x\nticket: OPS-12\n",
            header()
        );
        let found = check(&files(
            &text,
            &format!("{}{}", opened("SEV3"), commander()),
            None,
        ));
        assert_eq!(
            places(&found),
            [
                ("unknown-key", HEADER, 7),
                ("timeline-key", HEADER, 8),
                ("timeline-key", HEADER, 9),
                ("unknown-key", HEADER, 10),
            ],
            "{found:?}"
        );
        assert!(
            found[0].message.contains("did you mean `private`?"),
            "{found:?}"
        );
        assert!(found[0].message.contains("published"), "{found:?}");
        assert!(
            found[1].message.contains("`inc status ID STATUS`"),
            "{found:?}"
        );
        assert!(
            found[3].message.contains("did you mean `summary`?"),
            "{found:?}"
        );
        assert_eq!(
            crate::model::typo::did_you_mean("mode", HEADER_KEYS),
            Some("mode")
        );
        assert_eq!(
            crate::model::typo::did_you_mean("node", HEADER_KEYS),
            Some("mode")
        );
        assert_eq!(crate::model::typo::did_you_mean("team", HEADER_KEYS), None);
        assert_eq!(
            crate::model::typo::did_you_mean("ticket", HEADER_KEYS),
            None
        );
    }

    #[test]
    fn list_items_indented_into_the_value_above() {
        let text = "title: a\nservices:\n  - api\n   - web\nsummary: |\n  - kept\n   - as text\n\
                    labels:\n  team: core\n    - merged\n";
        assert_eq!(merged_items(text), [(4, 3), (10, 9)]);
        // Items at one indentation, and a list under a key, are fine.
        assert_eq!(
            merged_items("services:\n- api\n- web\nx:\n  - a\n  - b\n"),
            []
        );
        assert_eq!(merged_items("title: a\n  continued\n"), []);
    }

    #[test]
    fn phases_in_order() {
        let late_start = header().replace("09:55", "10:30");
        let timeline = opened("SEV3") + &commander();
        let found = check(&files(&late_start, &timeline, None));
        assert_eq!(places(&found), [("time-order", HEADER, 4)]);
        assert!(found[0].message.contains("`started_at`"), "{found:?}");

        // The header says it was opened after it was acknowledged.
        let late_open =
            header().replace("opened_at: 2026-11-20T10:00", "opened_at: 2026-11-20T10:20");
        let found = check(&files(&late_open, &timeline, None));
        assert_eq!(places(&found), [("time-order", HEADER, 5)]);
        assert!(
            found[0].message.contains("acknowledged") && found[0].message.contains("line 1"),
            "{found:?}"
        );
        // Automation mitigating before anyone acknowledged is not a fault.
        let automated = line(
            "10:00:00",
            "bot",
            "\"type\":\"opened\",\"severity\":\"SEV3\",\"status\":\"triage\"",
        ) + &commander().replace("alice", "bot")
            + &line(
                "10:10:00",
                "bot",
                "\"type\":\"status\",\"status\":\"monitoring\"",
            )
            + &line("10:20:00", "bob", "\"type\":\"ack\"");
        assert_eq!(check(&files(&header(), &automated, None)), []);
    }

    #[test]
    fn ids_match_their_folders() {
        let timeline = opened("SEV3") + &commander();
        let mut f = files(&header(), &timeline, None);
        f.name = "2026-11-20-DB".to_owned();
        assert_eq!(places(&check(&f)), [("id", HEADER, 1)]);
        f.name = "2026-13-40-db".to_owned();
        assert_eq!(places(&check(&f)), [("id", HEADER, 1)]);
        f.name = "2025-12-31-db".to_owned();
        let found = check(&f);
        assert_eq!(places(&found), [("id", HEADER, 1)]);
        assert!(found[0].message.contains("incidents/2025/"), "{found:?}");
    }

    #[test]
    fn missing_and_unreadable_files() {
        let mut f = files(&header(), "", None);
        f.header.text = FileText::Missing;
        f.timeline.text = FileText::Unreadable("not UTF-8 text".to_owned());
        let found = check(&f);
        assert_eq!(
            places(&found),
            [("missing-file", HEADER, 1), ("unreadable", TIMELINE, 1)]
        );
        f.name = "notes".to_owned();
        f.timeline.text = FileText::Missing;
        let found = check(&f);
        assert_eq!(found[0].file, DIR, "{found:?}");
    }

    #[test]
    fn overdue_postmortem() {
        let sev2 = opened("SEV2") + &commander() + &resolved();
        let found = check(&files(&header(), &sev2, None));
        assert_eq!(places(&found), [("postmortem-overdue", HEADER, 1)]);
        assert!(found[0].message.contains("7 days"), "{found:?}");
        assert!(
            found[0]
                .message
                .contains("inc postmortem 2026-11-20-db-down")
        );
        // Not yet due: resolved 2026-11-20T11:00, due 7 days later.
        let config = Config::default();
        let f = files(&header(), &sev2, None);
        let at = |t| incident(&f, &Rules::new(&config, t, Tz::UTC)).findings;
        assert_eq!(
            at(Utc.with_ymd_and_hms(2026, 11, 27, 11, 0, 0).unwrap()),
            []
        );
        assert_eq!(
            at(Utc.with_ymd_and_hms(2026, 11, 27, 11, 0, 1).unwrap()).len(),
            1
        );
        // Optional for SEV3; test incidents and declined ones need none.
        let sev3 = opened("SEV3") + &commander() + &resolved();
        assert_eq!(check(&files(&header(), &sev3, None)), []);
        let test = header() + "mode: test\n";
        assert_eq!(check(&files(&test, &sev2, None)), []);
        let declined = opened("SEV1")
            + &commander()
            + &line(
                "10:05:00",
                "a",
                "\"type\":\"status\",\"status\":\"declined\"",
            );
        assert_eq!(check(&files(&header(), &declined, None)), []);
        // Reopened: not resolved, so not due.
        let reopened = sev2.clone()
            + &line(
                "11:30:00",
                "a",
                "\"type\":\"status\",\"status\":\"investigating\"",
            );
        assert_eq!(check(&files(&header(), &reopened, None)), []);
    }

    #[test]
    fn open_incident_without_commander_warns() {
        let found = check(&files(&header(), &opened("SEV3"), None));
        assert_eq!(places(&found), [("no-commander", TIMELINE, 1)]);
        assert_eq!(found[0].level, Level::Warning);
        let unassigned = opened("SEV3")
            + &commander()
            + &line(
                "10:10:00",
                "a",
                "\"type\":\"role\",\"role\":\"commander\",\"who\":null",
            );
        assert_eq!(
            places(&check(&files(&header(), &unassigned, None))),
            [("no-commander", TIMELINE, 3)]
        );
        // Closed incidents need no commander any more.
        let closed = opened("SEV3") + &resolved();
        assert_eq!(check(&files(&header(), &closed, None)), []);
    }

    #[test]
    fn actions_past_due() {
        let action = |at: &str, id: u32, due: &str| {
            line(
                at,
                "a",
                &format!(
                    "\"type\":\"action\",\"id\":{id},\"text\":\"add an alert\",\"owner\":null,\
                     \"due\":\"{due}\",\"link\":null"
                ),
            )
        };
        let timeline = opened("SEV3")
            + &commander()
            + &action("10:10:00", 1, "2026-11-26")
            + &action("10:11:00", 2, "2026-11-27")
            + &action("10:12:00", 3, "2026-11-01")
            + &line("10:13:00", "a", "\"type\":\"action_done\",\"id\":3")
            + &action("10:14:00", 4, "soon")
            + &line("10:15:00", "a", "\"type\":\"action_done\",\"id\":9");
        let found = check(&files(&header(), &timeline, None));
        assert_eq!(
            places(&found),
            [
                ("action-overdue", TIMELINE, 3),
                ("action-due", TIMELINE, 7),
                ("action-ref", TIMELINE, 8),
            ]
        );
        assert_eq!(found[0].level, Level::Warning);
        assert!(found[0].message.contains("#1"), "{found:?}");
        assert_eq!(found[1].level, Level::Error);
        // Re-defining an action moves it to its newest line.
        let timeline = opened("SEV3")
            + &commander()
            + &action("10:10:00", 1, "2026-12-24")
            + &action("10:11:00", 1, "2026-11-02");
        assert_eq!(
            places(&check(&files(&header(), &timeline, None))),
            [("action-overdue", TIMELINE, 4)]
        );
    }

    #[test]
    fn postmortem_placeholders_and_blame() {
        let postmortem = "\
# Postmortem
<!-- Blameless: avoid \"human error\", \"careless\" and blame.
     > TODO: this is guidance, not a placeholder -->
## Summary
> TODO: what happened, in two sentences
The deploy was Bob's fault. Human error, really.
Our blameless process worked; the on-call engineer was not to blame.
He should have known <!-- careless --> better.
Alice’s fault
  > TODO: impact
<!-- inc:begin timeline -->
| 12:00 | bob | not a question of blame, the human error banner fired |
> TODO: quoted from a note
<!-- inc:end timeline -->
";
        let timeline = opened("SEV3") + &commander() + &resolved();
        let found = check(&files(&header(), &timeline, Some(postmortem)));
        assert_eq!(
            places(&found),
            [
                ("postmortem-placeholder", POSTMORTEM, 5),
                ("blame", POSTMORTEM, 6),
                ("blame", POSTMORTEM, 7),
                ("blame", POSTMORTEM, 8),
                ("blame", POSTMORTEM, 9),
                ("postmortem-placeholder", POSTMORTEM, 10),
            ]
        );
        assert!(found.iter().all(|f| f.level == Level::Warning));
        assert!(found[0].message.contains("what happened"), "{found:?}");
        assert!(
            found[1].message.contains("\"'s fault\"")
                && found[1].message.contains("\"human error\""),
            "{found:?}"
        );
        assert!(found[3].message.contains("should have known"), "{found:?}");
        assert!(!found[3].message.contains("careless"), "{found:?}");
        // The phrases are configurable; an empty list turns the check off.
        let mut config = Config::default();
        config.postmortem.blame_words = vec!["Oops".to_owned()];
        let found = check_with(
            &config,
            &files(&header(), &timeline, Some("Human error.\nOOPS\n")),
        );
        assert_eq!(places(&found), [("blame", POSTMORTEM, 2)]);
        config.postmortem.blame_words.clear();
        assert_eq!(
            check_with(&config, &files(&header(), &timeline, Some("human error\n"))),
            []
        );
    }

    #[test]
    fn whole_words_only() {
        let words = ["blame".to_owned(), "'s fault".to_owned()];
        assert_eq!(blame_in("blameless", &words), Vec::<&str>::new());
        assert_eq!(blame_in("no blame.", &words), ["blame"]);
        assert_eq!(blame_in("BLAME", &words), ["blame"]);
        assert_eq!(blame_in("it's faulty", &words), Vec::<&str>::new());
        assert_eq!(blame_in("it was the disk's fault", &words), ["'s fault"]);
    }

    #[test]
    fn config_errors_keep_their_line() {
        let f = config_error(
            "inc.yaml",
            "inc.yaml:3:1: unknown field `sevrities`, expected …",
        );
        assert_eq!((f.file.as_str(), f.line), ("inc.yaml", 3));
        assert_eq!(f.message, "unknown field `sevrities`, expected …");
        let f = config_error("inc.yaml", "inc.yaml:7: severity `P1` is listed twice");
        assert_eq!(
            (f.line, f.message.as_str()),
            (7, "severity `P1` is listed twice")
        );
        let f = config_error("inc.yaml", "inc.yaml: something");
        assert_eq!((f.line, f.message.as_str()), (1, "something"));
        assert_eq!(f.level, Level::Error);
    }

    #[test]
    fn sorted_by_file_then_line() {
        let mut found = vec![
            Finding::warning("b", 1, "x", "w"),
            Finding::error("a", 10, "x", "e"),
            Finding::error("a", 2, "x", "e"),
            Finding::warning("a", 2, "x", "a"),
        ];
        sort(&mut found);
        let order: Vec<(&str, usize, Level)> = found
            .iter()
            .map(|f| (f.file.as_str(), f.line, f.level))
            .collect();
        assert_eq!(
            order,
            [
                ("a", 2, Level::Error),
                ("a", 2, Level::Warning),
                ("a", 10, Level::Error),
                ("b", 1, Level::Warning)
            ]
        );
    }

    fn member(id: &str, group: &str, opened: u32, closed: Option<u32>) -> GroupMember {
        let t = |min: u32| Utc.with_ymd_and_hms(2026, 11, 27, 12, min, 0).unwrap();
        GroupMember {
            id: id.to_owned(),
            file: format!("incidents/2026/{id}/incident.yaml"),
            line: 7,
            group: group.to_owned(),
            source: Some("alertmanager".to_owned()),
            opened_at: t(opened),
            closed_at: closed.map(t),
            previous: None,
        }
    }

    #[test]
    fn equal_keys_of_two_sources_are_no_duplicates() {
        let mut members = [member("a", "k", 0, None), member("b", "k", 5, None)];
        members[1].source = Some("pagerduty".to_owned());
        assert_eq!(dup_pairs(&mut members), []);
        members[1].source = Some("alertmanager".to_owned());
        assert_eq!(dup_pairs(&mut members).len(), 1);
    }

    /// (file's incident, what it duplicates) of each finding.
    fn dup_pairs(members: &mut [GroupMember]) -> Vec<(String, String)> {
        duplicates(members)
            .iter()
            .map(|f| {
                assert_eq!((f.rule, f.level, f.line), ("duplicate", Level::Warning, 7));
                let id = f.file.split('/').nth(2).unwrap().to_owned();
                let of = f.message.split('`').nth(1).unwrap().to_owned();
                (id, of)
            })
            .collect()
    }

    fn pair(a: &str, b: &str) -> (String, String) {
        (a.to_owned(), b.to_owned())
    }

    #[test]
    fn overlapping_incidents_of_one_group_are_duplicates_of_the_oldest() {
        // Given in any order; b and c were opened while a was open.
        let mut members = [
            member("2026-11-27-c", "g", 5, None),
            member("2026-11-27-a", "g", 0, None),
            member("2026-11-27-b", "g", 0, Some(9)),
            member("2026-11-27-other", "h", 1, None),
        ];
        assert_eq!(
            dup_pairs(&mut members),
            [
                pair("2026-11-27-b", "2026-11-27-a"),
                pair("2026-11-27-c", "2026-11-27-a")
            ]
        );
        let f = &duplicates(&mut members)[0];
        assert_eq!(
            f.message,
            "duplicate of `2026-11-27-a` (alert group `g`): opened 2026-11-27T12:00:00Z while \
             `2026-11-27-a` was still open; `inc merge 2026-11-27-b --into 2026-11-27-a` merges it"
        );
    }

    #[test]
    fn a_group_opened_again_after_it_closed_is_no_duplicate() {
        // a closed at 12:10; b opened at 12:10 and c at 12:30: not while a
        // was open. c was opened while b was.
        let mut members = [
            member("2026-11-27-a", "g", 0, Some(10)),
            member("2026-11-27-b", "g", 10, Some(40)),
            member("2026-11-27-c", "g", 30, None),
        ];
        assert_eq!(
            dup_pairs(&mut members),
            [pair("2026-11-27-c", "2026-11-27-b")]
        );
        // c follows b by its `previous` label: a follow-up, not a duplicate.
        members[2].previous = Some("2026-11-27-b".to_owned());
        assert_eq!(dup_pairs(&mut members), []);
        assert_eq!(dup_pairs(&mut []), []);
    }

    #[test]
    fn group_members_come_from_header_and_fold() {
        let timeline = line(
            "10:00:00",
            "alertmanager",
            "\"type\":\"opened\",\"severity\":\"SEV3\",\"status\":\"triage\"",
        ) + &line(
            "10:20:00",
            "bob",
            "\"type\":\"status\",\"status\":\"declined\"",
        );
        let labelled =
            header() + "labels:\n  alert_source: alertmanager\n  alert_group: '{}:{a=\"b\"}'\n";
        let config = Config::default();
        let rules = Rules::new(&config, now(), Tz::UTC);
        let got = incident(&files(&labelled, &timeline, None), &rules);
        let m = got.member.expect("a member");
        assert_eq!(m.group, "{}:{a=\"b\"}");
        assert_eq!((m.file.as_str(), m.line), (HEADER, 9));
        assert_eq!(
            m.opened_at,
            Utc.with_ymd_and_hms(2026, 11, 20, 10, 0, 0).unwrap()
        );
        assert_eq!(
            m.closed_at,
            Some(Utc.with_ymd_and_hms(2026, 11, 20, 10, 20, 0).unwrap())
        );
        // No group, or merged away: not a member.
        assert_eq!(
            incident(&files(&header(), &timeline, None), &rules).member,
            None
        );
        let merged = labelled + "  duplicate_of: 2026-11-20-db\n";
        assert_eq!(
            incident(&files(&merged, &timeline, None), &rules).member,
            None
        );
    }

    #[test]
    fn nested_keys_have_lines() {
        let text = "title: x\nlabels:\n  # note\n  a: 1\n  \"alert_group\": g\nopened_at: t\n";
        assert_eq!(nested_key_line(text, "labels", "alert_group"), 5);
        assert_eq!(
            nested_key_line("labels: {alert_group: g}\n", "labels", "alert_group"),
            1
        );
        // Not under `labels`: the key's line; no key: 1.
        assert_eq!(
            nested_key_line("labels:\n  a: 1\nalert_group: g\n", "labels", "alert_group"),
            1
        );
        assert_eq!(nested_key_line("title: x\n", "labels", "alert_group"), 1);
    }

    proptest::proptest! {
        #[test]
        fn any_files_never_panic(
            header in "(.{0,60}\n){0,6}",
            timeline in "(.{0,120}\n){0,6}",
            postmortem in "(.{0,80}\n){0,6}",
            name in ".{0,30}",
        ) {
            let mut f = files(&header, &timeline, Some(&postmortem));
            f.name = name;
            let _ = check(&f);
        }
    }
}
