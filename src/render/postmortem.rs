//! Postmortem drafts: the template's context (a view type, also what
//! `inc postmortem --context` prints), the generated Markdown blocks, the
//! rendering, and the splicing that refreshes a draft a person has edited.
//!
//! A generated block sits between two marker lines,
//! `<!-- inc:begin NAME -->` and `<!-- inc:end NAME -->`. Refreshing a draft
//! renders the template afresh and replaces only what lies between each pair
//! of markers found in the existing file, wherever the pair now is. Every
//! other byte stays as the person left it; a block whose markers they
//! removed stays removed.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::ops::Range;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use serde::ser::Serializer;

use super::json::IncidentView;
use super::templates::{TemplateError, Templates, md_inline};
use super::timeline::{self, RowView, TimelineView, md_cell};
use crate::config::{Config, PostmortemPolicy};
use crate::model::{Event, EventKind, Header, Phase, Phases, State, when};

/// The template that makes a draft.
pub const TEMPLATE: &str = "postmortem.md.j2";

/// What the postmortem template sees (and `--context` prints).
#[derive(Debug, Serialize)]
pub struct Context<'a> {
    /// The incident as `inc show --json` prints it, without its events.
    pub incident: IncidentView<'a>,
    /// The zone every time in the draft is shown in (IANA name).
    pub zone: String,
    /// The severity as configured in inc.yaml; null if it is not there.
    pub severity: Option<SeverityView>,
    /// The severity the incident was opened with.
    pub opened_severity: Option<&'a str>,
    /// The incident's services, with their names from inc.yaml.
    pub services: Vec<ServiceView>,
    /// The five phases in order; `at` is null where not reached.
    pub phases: Vec<PhaseView>,
    /// Time to detect, acknowledge, mitigate and resolve (null: not reached).
    pub durations: Durations,
    /// Follow-up actions, by number.
    pub actions: Vec<ActionView>,
    /// The timeline with its phase markers, as `inc timeline --format json`
    /// prints its rows.
    pub timeline: Vec<RowView>,
    /// The text given when the incident was closed (`inc resolve --summary`,
    /// `inc decline --reason`), if it is closed.
    pub resolution: Option<String>,
    /// Pre-rendered Markdown for the generated blocks.
    pub blocks: Blocks,
}

#[derive(Debug, Serialize)]
pub struct SeverityView {
    pub id: String,
    pub description: String,
    /// The status-page impact this severity has unless one was set.
    pub impact: &'static str,
    /// `required` or `optional`.
    pub postmortem: &'static str,
}

#[derive(Debug, Serialize)]
pub struct ServiceView {
    pub id: String,
    /// The name in inc.yaml, else the ID.
    pub name: String,
    pub group: Option<String>,
    /// An impact set for this service alone (`inc impact`), if any.
    pub impact: Option<&'static str>,
}

#[derive(Debug, Serialize)]
pub struct PhaseView {
    /// `started`, `detected`, `acknowledged`, `mitigated`, `resolved`.
    pub key: &'static str,
    /// `impact start`, `detected` ….
    pub label: &'static str,
    /// RFC 3339, UTC.
    pub at: Option<String>,
    /// In the display zone: `2026-11-27 20:45 CET`.
    pub local: Option<String>,
    /// Since the previous phase reached.
    pub since_previous: Option<DurationView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DurationView {
    pub seconds: i64,
    /// `45s`, `12m`, `1h 05m`, `3d 4h`.
    pub human: String,
}

#[derive(Debug, Serialize)]
pub struct Durations {
    pub detect: DurationView,
    pub acknowledge: Option<DurationView>,
    pub mitigate: Option<DurationView>,
    pub resolve: Option<DurationView>,
}

#[derive(Debug, Serialize)]
pub struct ActionView {
    pub id: u32,
    pub text: String,
    pub owner: Option<String>,
    pub due: Option<String>,
    pub link: Option<String>,
    pub done: bool,
    /// `done`, `overdue` or `open`.
    pub status: &'static str,
}

/// The generated blocks, each the Markdown between its markers (no
/// trailing newline).
#[derive(Debug, Serialize)]
pub struct Blocks {
    /// ID, status, severity, roles, when it was opened and resolved.
    pub facts: Markdown,
    /// Duration, severity, status-page impact, services, response times.
    pub impact: Markdown,
    /// The action items table.
    pub actions: Markdown,
    /// A Mermaid flowchart of the phases with the time between them.
    pub phases: Markdown,
    /// The timeline table (`inc timeline --format markdown`).
    pub timeline: Markdown,
    /// The pinned notes (`inc note --pin`) as a list.
    pub pinned: Markdown,
}

/// Generated Markdown: a plain string in JSON, a safe string (printed
/// without escaping) in a template.
#[derive(Debug, Clone, PartialEq)]
pub struct Markdown(pub String);

impl Serialize for Markdown {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if minijinja::value::serializing_for_value() {
            minijinja::Value::from_safe_string(self.0.clone()).serialize(serializer)
        } else {
            serializer.serialize_str(&self.0)
        }
    }
}

fn duration(d: chrono::Duration) -> DurationView {
    DurationView {
        seconds: d.num_seconds(),
        human: when::duration(d),
    }
}

impl<'a> Context<'a> {
    pub fn new(
        id: &'a str,
        header: &'a Header,
        state: &'a State,
        events: &'a [Event],
        config: &Config,
        zone: Tz,
        today: NaiveDate,
    ) -> Context<'a> {
        let phases = Phases::of(header, state);
        let rows = timeline::rows(header, state, events, false);
        let severity = state
            .severity
            .as_deref()
            .and_then(|s| config.severity(s))
            .map(|s| SeverityView {
                id: s.id.clone(),
                description: s.description.clone(),
                impact: s.impact.as_str(),
                postmortem: match s.postmortem {
                    PostmortemPolicy::Required => "required",
                    PostmortemPolicy::Optional => "optional",
                },
            });
        let opened_severity = events.iter().find_map(|e| match &e.kind {
            EventKind::Opened { severity, .. } => Some(severity.as_str()),
            _ => None,
        });
        let services = header
            .services
            .iter()
            .map(|id| {
                let configured = config.services.iter().find(|s| &s.id == id);
                ServiceView {
                    id: id.clone(),
                    name: configured
                        .and_then(|s| s.name.clone())
                        .filter(|n| !n.trim().is_empty())
                        .unwrap_or_else(|| id.clone()),
                    group: configured.and_then(|s| s.group.clone()),
                    impact: state.service_impact.get(id).map(|i| i.as_str()),
                }
            })
            .collect();
        let mut previous: Option<DateTime<Utc>> = None;
        let phase_views = Phase::ALL
            .iter()
            .map(|&phase| {
                let at = phases.at(phase);
                let since_previous = at.and_then(|at| previous.map(|p| duration(at - p)));
                if at.is_some() {
                    previous = at;
                }
                PhaseView {
                    key: phase.key(),
                    label: phase.label(),
                    at: at.map(when::stored),
                    local: at.map(|t| when::show(t, zone)),
                    since_previous,
                }
            })
            .collect();
        let mut actions: Vec<ActionView> = state
            .actions
            .iter()
            .map(|a| ActionView {
                id: a.id,
                text: a.text.clone(),
                owner: a.owner.clone(),
                due: a.due.clone(),
                link: a.link.clone(),
                done: a.done,
                status: match (a.done, a.is_overdue(today)) {
                    (true, _) => "done",
                    (false, true) => "overdue",
                    (false, false) => "open",
                },
            })
            .collect();
        actions.sort_by_key(|a| a.id);
        let resolution = if state.status.is_some_and(|s| s.is_closed()) {
            events.iter().rev().find_map(|e| match &e.kind {
                EventKind::Status {
                    status,
                    text: Some(text),
                } if status.is_closed() && !text.trim().is_empty() => Some(text.clone()),
                _ => None,
            })
        } else {
            None
        };
        let mut context = Context {
            incident: IncidentView::new(id, header, state, None, config),
            zone: zone.to_string(),
            severity,
            opened_severity,
            services,
            phases: phase_views,
            durations: Durations {
                detect: duration(phases.to_detect()),
                acknowledge: phases.to_acknowledge().map(duration),
                mitigate: phases.to_mitigate().map(duration),
                resolve: phases.to_resolve().map(duration),
            },
            actions,
            timeline: TimelineView::new(id, &phases, &rows, zone, false).rows,
            resolution,
            blocks: Blocks {
                facts: Markdown(String::new()),
                impact: Markdown(String::new()),
                actions: Markdown(String::new()),
                phases: Markdown(phases_block(&phases, state, zone)),
                timeline: Markdown(timeline::markdown(&rows, zone).trim_end().to_owned()),
                pinned: Markdown(pinned_block(events, zone)),
            },
        };
        context.blocks.facts = Markdown(facts_block(&context, header, state, config, zone));
        context.blocks.impact = Markdown(impact_block(&context));
        context.blocks.actions = Markdown(actions_block(&context));
        context
    }
}

/// `a · b · c`, or `none`.
fn joined(items: Vec<String>, none: &str) -> String {
    if items.is_empty() {
        none.to_owned()
    } else {
        items.join(" · ")
    }
}

fn phase_local(c: &Context<'_>, key: &str) -> Option<String> {
    c.phases
        .iter()
        .find(|p| p.key == key)
        .and_then(|p| p.local.clone())
}

fn facts_block(
    c: &Context<'_>,
    header: &Header,
    state: &State,
    config: &Config,
    zone: Tz,
) -> String {
    let mut out = String::new();
    let status = c.incident.status.unwrap_or("unknown");
    let _ = writeln!(
        out,
        "- **Incident:** `{}` ({})",
        c.incident.id,
        status.replace('_', " ")
    );
    let severity = match (c.incident.severity, c.opened_severity) {
        (Some(now), Some(first)) if now != first => {
            format!("{} (opened as {})", md_inline(now), md_inline(first))
        }
        (Some(now), _) => md_inline(now),
        (None, _) => "none".to_owned(),
    };
    let _ = writeln!(out, "- **Severity:** {severity}");
    // Configured roles in their order, then any others.
    let mut roles: Vec<String> = Vec::new();
    for role in &config.roles {
        if let Some(who) = state.roles.get(role) {
            roles.push(format!("{}: {}", md_inline(role), md_inline(who)));
        }
    }
    for (role, who) in &state.roles {
        if !config.roles.contains(role) {
            roles.push(format!("{}: {}", md_inline(role), md_inline(who)));
        }
    }
    let _ = writeln!(out, "- **Roles:** {}", joined(roles, "none assigned"));
    let _ = writeln!(
        out,
        "- **Opened:** {} by {}",
        when::show(header.opened_at, zone),
        md_inline(&header.opened_by)
    );
    if let Some(resolved) = phase_local(c, "resolved") {
        let _ = writeln!(out, "- **Resolved:** {resolved}");
    }
    if header.private {
        let _ = writeln!(out, "- **Private:** never shown on the status page");
    }
    if c.incident.mode != "standard" {
        let _ = writeln!(out, "- **Mode:** {}", c.incident.mode);
    }
    if c.incident.kind != "incident" {
        let _ = writeln!(out, "- **Kind:** {}", c.incident.kind);
    }
    let _ = write!(out, "- **Times:** all in {}", c.zone);
    out
}

fn impact_block(c: &Context<'_>) -> String {
    let mut out = String::new();
    let start = phase_local(c, "started").unwrap_or_default();
    match (&c.durations.resolve, phase_local(c, "resolved")) {
        (Some(d), Some(end)) => {
            let _ = writeln!(
                out,
                "- **Duration:** {}, from {start} (impact start) to {end} (resolved)",
                d.human
            );
        }
        _ => {
            let _ = writeln!(
                out,
                "- **Duration:** from {start} (impact start); not resolved yet"
            );
        }
    }
    let severity = match (&c.severity, c.incident.severity) {
        (Some(s), _) if !s.description.trim().is_empty() => {
            format!("{} — {}", md_inline(&s.id), md_inline(&s.description))
        }
        (_, Some(id)) => md_inline(id),
        (_, None) => "none".to_owned(),
    };
    let _ = writeln!(out, "- **Severity:** {severity}");
    let mut impact = c.incident.impact.replace('_', " ");
    for s in &c.services {
        if let Some(i) = s.impact {
            let _ = write!(impact, "; {}: {}", md_inline(&s.name), i.replace('_', " "));
        }
    }
    let _ = writeln!(out, "- **Status page impact:** {impact}");
    let services: Vec<String> = c
        .services
        .iter()
        .map(|s| {
            if s.name == s.id {
                md_inline(&s.id)
            } else {
                format!("{} ({})", md_inline(&s.name), md_inline(&s.id))
            }
        })
        .collect();
    let _ = writeln!(out, "- **Services:** {}", joined(services, "none listed"));
    fn human(d: &Option<DurationView>) -> &str {
        d.as_ref().map_or("pending", |d| d.human.as_str())
    }
    let _ = write!(
        out,
        "- **Time to detect:** {} · **to acknowledge:** {} · **to mitigate:** {} · **to resolve:** {}",
        c.durations.detect.human,
        human(&c.durations.acknowledge),
        human(&c.durations.mitigate),
        human(&c.durations.resolve)
    );
    out
}

/// A link as a table cell: an autolink for a plain http(s) URL, else text.
fn link_cell(link: &str) -> String {
    let link = link.trim();
    let plain = (link.starts_with("https://") || link.starts_with("http://"))
        && !link
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '|' | '\\'));
    if plain {
        format!("<{link}>")
    } else {
        md_cell(link)
    }
}

fn actions_block(c: &Context<'_>) -> String {
    let mut out =
        String::from("| # | Action | Owner | Due | Status | Link |\n|---|---|---|---|---|---|");
    for a in &c.actions {
        let cell = |v: &Option<String>| v.as_deref().map(md_cell).unwrap_or_default();
        let _ = write!(
            out,
            "\n| {} | {} | {} | {} | {} | {} |",
            a.id,
            md_cell(&a.text),
            cell(&a.owner),
            cell(&a.due),
            a.status,
            a.link.as_deref().map(link_cell).unwrap_or_default()
        );
    }
    if c.actions.is_empty() {
        let _ = write!(
            out,
            "\n\n_None yet: `inc action add {} \"…\" --owner WHO --due DATE` adds one._",
            c.incident.id
        );
    }
    out
}

/// A Mermaid flowchart: impact start → detected → acknowledged → mitigated
/// → resolved, each with its time, the time between them on the arrows;
/// phases not reached are dashed and marked pending.
fn phases_block(phases: &Phases, state: &State, zone: Tz) -> String {
    let pending = if state.status.is_some_and(|s| s.is_closed()) {
        "not reached"
    } else {
        "pending"
    };
    let mut out = String::from("```mermaid\nflowchart LR\n");
    let mut last_day: Option<String> = None;
    let mut any_pending = false;
    for phase in Phase::ALL {
        let label = capitalised(phase.label());
        match phases.at(phase) {
            Some(at) => {
                let local = at.with_timezone(&zone);
                let day = local.format("%Y-%m-%d").to_string();
                let time = if last_day.as_deref() == Some(day.as_str()) {
                    local.format("%H:%M %Z").to_string()
                } else {
                    when::show(at, zone)
                };
                last_day = Some(day);
                let _ = writeln!(out, "    {}[\"{label}<br>{time}\"]", phase.key());
            }
            None => {
                any_pending = true;
                let _ = writeln!(
                    out,
                    "    {}[\"{label}<br>{pending}\"]:::pending",
                    phase.key()
                );
            }
        }
    }
    for pair in Phase::ALL.windows(2) {
        let (from, to) = (pair[0], pair[1]);
        match (phases.at(from), phases.at(to)) {
            (Some(a), Some(b)) => {
                let _ = writeln!(
                    out,
                    "    {} -->|\"{}\"| {}",
                    from.key(),
                    when::duration(b - a),
                    to.key()
                );
            }
            _ => {
                let _ = writeln!(out, "    {} -.-> {}", from.key(), to.key());
            }
        }
    }
    if any_pending {
        out.push_str("    classDef pending stroke-dasharray: 5 5\n");
    }
    out.push_str("```");
    out
}

fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn pinned_block(events: &[Event], zone: Tz) -> String {
    let lines: Vec<String> = events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Note { text, pinned: true } => Some(format!(
                "- **{}, {}:** {}",
                when::show(e.at, zone),
                md_inline(&e.by),
                md_cell(text)
            )),
            _ => None,
        })
        .collect();
    if lines.is_empty() {
        "_None: `inc note --pin \"…\"` marks a note as a highlight for this review._".to_owned()
    } else {
        lines.join("\n")
    }
}

/// Renders the draft from template [`TEMPLATE`] (a repository override or
/// the built-in) with `context`.
pub fn render(
    context: &Context<'_>,
    mut templates: Templates,
    zone: Tz,
) -> Result<String, TemplateError> {
    // `{{ row.at | local }}`: an RFC 3339 time in the display zone.
    templates.env_mut().add_filter("local", move |at: String| {
        Ok(chrono::DateTime::parse_from_rfc3339(&at)
            .map(|t| when::show(t.with_timezone(&Utc), zone))
            .unwrap_or(at))
    });
    templates.render(
        TEMPLATE,
        minijinja::Value::from(minijinja::value::Serde(context)),
    )
}

// ----- splicing -----

/// A generated block found in a draft.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub name: String,
    /// 1-based line of its begin marker.
    pub line: usize,
    /// The bytes between the begin marker's line and the end marker's line.
    pub contents: Range<usize>,
    /// Whether the begin marker's line ends in CRLF.
    pub crlf: bool,
}

/// Markers that don't pair up, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct MarkerError {
    /// 1-based.
    pub line: usize,
    pub message: String,
}

enum Marker<'a> {
    Begin(&'a str),
    End(&'a str),
}

/// Reads one line as a marker: `None` for an ordinary line, an error for a
/// line that starts like a marker but isn't one.
fn marker(line: &str) -> Result<Option<Marker<'_>>, String> {
    let trimmed = line.trim().trim_start_matches('\u{feff}');
    let Some(inner) = trimmed.strip_prefix("<!--") else {
        return Ok(None);
    };
    let mut words = inner.split_whitespace();
    let begin = match words.next() {
        Some("inc:begin") => true,
        Some("inc:end") => false,
        _ => return Ok(None),
    };
    let shape = || {
        format!(
            "`{}` is not a marker; write `<!-- inc:{} NAME -->` on a line of its own",
            trimmed.chars().take(60).collect::<String>(),
            if begin { "begin" } else { "end" }
        )
    };
    let (Some(name), Some("-->"), None) = (words.next(), words.next(), words.next()) else {
        return Err(shape());
    };
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(shape());
    }
    Ok(Some(if begin {
        Marker::Begin(name)
    } else {
        Marker::End(name)
    }))
}

/// Finds the generated blocks of a draft, in order. Markers must pair up
/// (`begin NAME` … `end NAME`, not nested) and each name appear once.
pub fn blocks(text: &str) -> Result<Vec<Block>, MarkerError> {
    let mut found: Vec<Block> = Vec::new();
    // (name, line, where its contents start, crlf)
    let mut open: Option<(&str, usize, usize, bool)> = None;
    let mut offset = 0;
    for (n, line) in text.split_inclusive('\n').enumerate() {
        let number = n + 1;
        let start = offset;
        offset += line.len();
        let err = |message: String| MarkerError {
            line: number,
            message,
        };
        match marker(line).map_err(err)? {
            None => {}
            Some(Marker::Begin(name)) => {
                if let Some((open_name, open_line, ..)) = open {
                    return Err(err(format!(
                        "`inc:begin {name}` inside block `{open_name}`, which begins on line \
                         {open_line} and has no `inc:end {open_name}` before this line"
                    )));
                }
                if let Some(first) = found.iter().find(|b| b.name == name) {
                    return Err(err(format!(
                        "a second `inc:begin {name}`; the first is on line {}, and a block \
                         may appear only once",
                        first.line
                    )));
                }
                open = Some((name, number, offset, line.ends_with("\r\n")));
            }
            Some(Marker::End(name)) => match open.take() {
                None => {
                    return Err(err(format!(
                        "`inc:end {name}` has no `inc:begin {name}` before it"
                    )));
                }
                Some((open_name, open_line, ..)) if open_name != name => {
                    return Err(err(format!(
                        "`inc:end {name}` closes block `{open_name}`, which begins on line \
                         {open_line}"
                    )));
                }
                Some((_, open_line, contents_start, crlf)) => found.push(Block {
                    name: name.to_owned(),
                    line: open_line,
                    contents: contents_start..start,
                    crlf,
                }),
            },
        }
    }
    if let Some((name, line, ..)) = open {
        return Err(MarkerError {
            line,
            message: format!("`inc:begin {name}` has no `inc:end {name}` after it"),
        });
    }
    Ok(found)
}

/// Why a draft could not be refreshed.
#[derive(Debug, Clone, PartialEq)]
pub enum SpliceError {
    /// The existing draft's markers don't pair up.
    Draft(MarkerError),
    /// The freshly rendered template's markers don't pair up.
    Template(MarkerError),
}

/// A refreshed draft and what happened to its blocks.
#[derive(Debug, Clone, PartialEq)]
pub struct Refreshed {
    pub text: String,
    /// Blocks whose contents changed.
    pub changed: Vec<String>,
    /// Blocks the template makes but the draft no longer has (their markers
    /// were removed, or the template gained them): left out.
    pub missing: Vec<String>,
    /// Blocks in the draft the template does not make: left as they are.
    pub unknown: Vec<String>,
}

/// Refreshes `existing` from `fresh` (the template rendered now): the
/// contents of each block of `existing` become those of the block of the
/// same name in `fresh`. Nothing outside the blocks changes.
pub fn refresh(existing: &str, fresh: &str) -> Result<Refreshed, SpliceError> {
    let old = blocks(existing).map_err(SpliceError::Draft)?;
    let new = blocks(fresh).map_err(SpliceError::Template)?;
    let new_contents: BTreeMap<&str, &str> = new
        .iter()
        .map(|b| (b.name.as_str(), &fresh[b.contents.clone()]))
        .collect();
    let mut text = String::with_capacity(existing.len() + fresh.len() / 4);
    let mut changed = Vec::new();
    let mut unknown = Vec::new();
    let mut copied = 0;
    for block in &old {
        text.push_str(&existing[copied..block.contents.start]);
        let current = &existing[block.contents.clone()];
        match new_contents.get(block.name.as_str()) {
            Some(contents) => {
                let contents = with_line_endings(contents, block.crlf);
                if contents != current {
                    changed.push(block.name.clone());
                }
                text.push_str(&contents);
            }
            None => {
                unknown.push(block.name.clone());
                text.push_str(current);
            }
        }
        copied = block.contents.end;
    }
    text.push_str(&existing[copied..]);
    let missing = new
        .iter()
        .filter(|b| !old.iter().any(|o| o.name == b.name))
        .map(|b| b.name.clone())
        .collect();
    Ok(Refreshed {
        text,
        changed,
        missing,
        unknown,
    })
}

/// `text` with LF line endings, or CRLF when the draft uses them.
fn with_line_endings(text: &str, crlf: bool) -> String {
    let lf = text.replace("\r\n", "\n");
    if crlf { lf.replace('\n', "\r\n") } else { lf }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Status;
    use chrono::{Duration, TimeZone};

    const FRESH: &str = "\
# Title

<!-- inc:begin facts -->
- fact one
<!-- inc:end facts -->

## Summary

> TODO: write it

## Timeline

<!-- inc:begin timeline -->
| a |
|---|
| 1 |
<!-- inc:end timeline -->
";

    fn fresh_with_row(row: &str) -> String {
        FRESH.replace("| 1 |\n", &format!("| 1 |\n| {row} |\n"))
    }

    #[test]
    fn blocks_are_found_with_their_lines() {
        let found = blocks(FRESH).unwrap();
        let names: Vec<(&str, usize)> = found.iter().map(|b| (b.name.as_str(), b.line)).collect();
        assert_eq!(names, [("facts", 3), ("timeline", 13)]);
        assert_eq!(&FRESH[found[0].contents.clone()], "- fact one\n");
    }

    #[test]
    fn refresh_keeps_human_text() {
        let edited = FRESH.replace("> TODO: write it", "The database failed over.\n\nMore.");
        let out = refresh(&edited, &fresh_with_row("2")).unwrap();
        assert_eq!(
            out.text,
            fresh_with_row("2").replace("> TODO: write it", "The database failed over.\n\nMore.")
        );
        assert_eq!(out.changed, ["timeline"]);
        assert!(out.missing.is_empty() && out.unknown.is_empty());
    }

    #[test]
    fn refresh_follows_moved_sections() {
        // The Timeline section moved above the Summary, text edited between.
        let moved = "\
# Title

<!-- inc:begin facts -->
- stale fact
<!-- inc:end facts -->
Hand-written line between.
## Timeline

<!-- inc:begin timeline -->
| old |
<!-- inc:end timeline -->

## Summary

Written by a person.
";
        let out = refresh(moved, &fresh_with_row("2")).unwrap();
        assert_eq!(
            out.text,
            "\
# Title

<!-- inc:begin facts -->
- fact one
<!-- inc:end facts -->
Hand-written line between.
## Timeline

<!-- inc:begin timeline -->
| a |
|---|
| 1 |
| 2 |
<!-- inc:end timeline -->

## Summary

Written by a person.
"
        );
        assert_eq!(out.changed, ["facts", "timeline"]);
    }

    #[test]
    fn a_deleted_block_stays_deleted() {
        let without = FRESH.replace(
            "<!-- inc:begin facts -->\n- fact one\n<!-- inc:end facts -->\n",
            "",
        );
        let out = refresh(&without, &fresh_with_row("2")).unwrap();
        assert!(!out.text.contains("fact one"));
        assert_eq!(out.missing, ["facts"]);
        assert_eq!(out.changed, ["timeline"]);
    }

    #[test]
    fn blocks_the_template_does_not_make_are_kept() {
        let extra = format!("{FRESH}<!-- inc:begin mine -->\nkeep\n<!-- inc:end mine -->\n");
        let out = refresh(&extra, FRESH).unwrap();
        assert_eq!(out.text, extra);
        assert_eq!(out.unknown, ["mine"]);
    }

    #[test]
    fn refresh_is_idempotent() {
        let once = refresh(FRESH, &fresh_with_row("2")).unwrap();
        let twice = refresh(&once.text, &fresh_with_row("2")).unwrap();
        assert_eq!(twice.text, once.text);
        assert!(twice.changed.is_empty());
        let same = refresh(FRESH, FRESH).unwrap();
        assert_eq!(same.text, FRESH);
    }

    #[test]
    fn crlf_drafts_keep_crlf() {
        let crlf = FRESH.replace('\n', "\r\n");
        let out = refresh(&crlf, &fresh_with_row("2")).unwrap();
        assert_eq!(out.text, fresh_with_row("2").replace('\n', "\r\n"));
        assert_eq!(
            refresh(&out.text, &fresh_with_row("2")).unwrap().text,
            out.text
        );
    }

    #[test]
    fn unbalanced_markers_are_refused_with_their_line() {
        let cases = [
            (
                FRESH.replace("<!-- inc:end facts -->\n", ""),
                12,
                "inside block `facts`",
            ),
            (
                FRESH.replace("<!-- inc:begin timeline -->\n", ""),
                16,
                "no `inc:begin timeline`",
            ),
            (
                FRESH.replace("<!-- inc:end timeline -->\n", ""),
                13,
                "no `inc:end timeline`",
            ),
            (
                FRESH.replace("<!-- inc:end facts -->", "<!-- inc:end timeline -->"),
                5,
                "closes block `facts`",
            ),
            (
                format!("{FRESH}<!-- inc:begin facts -->\n<!-- inc:end facts -->\n"),
                18,
                "a second `inc:begin facts`",
            ),
            (
                FRESH.replace("<!-- inc:begin facts -->", "<!-- inc:begin facts"),
                3,
                "is not a marker",
            ),
        ];
        for (text, line, needle) in cases {
            let Err(SpliceError::Draft(e)) = refresh(&text, FRESH) else {
                panic!("accepted:\n{text}");
            };
            assert_eq!(e.line, line, "{e:?}");
            assert!(e.message.contains(needle), "{e:?}");
        }
        let Err(SpliceError::Template(_)) = refresh(FRESH, "<!-- inc:end x -->\n") else {
            panic!("a broken template is refused");
        };
    }

    #[test]
    fn markers_mentioned_inside_text_are_not_markers() {
        let text = "Use `<!-- inc:begin x -->` to start a block.\n<!-- inc:beginning -->\n";
        assert_eq!(blocks(text).unwrap(), []);
    }

    fn t(m: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 27, 12, 0, 0).unwrap() + Duration::minutes(m)
    }

    fn incident(title: &str) -> (Header, Vec<Event>) {
        let header = Header {
            title: title.into(),
            summary: Some("Line one\n# not a heading | <b>".into()),
            services: vec!["web".into(), "x|y".into()],
            started_at: Some(t(-5)),
            opened_at: t(0),
            opened_by: "alice".into(),
            ..Header::default()
        };
        let events = vec![
            Event::new(
                t(0),
                "alice",
                EventKind::Opened {
                    severity: "SEV2".into(),
                    status: Status::Investigating,
                },
            ),
            Event::new(
                t(2),
                "bob",
                EventKind::Note {
                    text: "pinned | <!-- inc:end timeline -->\n`tick".into(),
                    pinned: true,
                },
            ),
            Event::new(
                t(3),
                "alice",
                EventKind::Action {
                    id: 1,
                    text: "Fix | it <now>".into(),
                    owner: Some("bob".into()),
                    due: Some("2026-12-01".into()),
                    link: Some("https://example.com/a?b=c".into()),
                },
            ),
        ];
        (header, events)
    }

    fn draft(title: &str) -> String {
        let (header, events) = incident(title);
        let state = State::fold(&events);
        let config = Config::default();
        let context = Context::new(
            "2026-11-27-x",
            &header,
            &state,
            &events,
            &config,
            Tz::UTC,
            NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(),
        );
        render(&context, Templates::new(Default::default()), Tz::UTC).unwrap()
    }

    #[test]
    fn hostile_text_keeps_the_draft_intact() {
        let text = draft("Pipes | <script>x</script>\n# and `ticks <!-- inc:end facts -->");
        let found = blocks(&text).unwrap();
        let names: Vec<&str> = found.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(
            names,
            ["facts", "impact", "actions", "phases", "timeline", "pinned"]
        );
        let title = text.lines().next().unwrap();
        assert_eq!(
            title,
            "# Postmortem: Pipes \\| &lt;script&gt;x&lt;/script&gt; # and `ticks &lt;!-- inc:end facts --&gt;"
        );
        assert!(
            !text.contains("<script>") && !text.contains("<b>"),
            "{text}"
        );
        assert!(text.contains("| 1 | Fix \\| it &lt;now&gt; | bob | 2026-12-01 | open | <https://example.com/a?b=c> |"), "{text}");
        // The same data renders the same draft, and refreshing it is a no-op.
        assert_eq!(refresh(&text, &text).unwrap().text, text);
    }

    #[test]
    fn pending_phases_are_dashed() {
        let text = draft("x");
        assert!(
            text.contains("    mitigated[\"Mitigated<br>pending\"]:::pending\n"),
            "{text}"
        );
        assert!(
            text.contains("    started -->|\"5m\"| detected\n"),
            "{text}"
        );
        assert!(text.contains("    acknowledged -.-> mitigated\n"), "{text}");
        assert!(
            text.contains(
                "- **Duration:** from 2026-11-27 11:55 UTC (impact start); not resolved yet"
            ),
            "{text}"
        );
    }

    #[test]
    fn context_serializes_for_json_and_templates() {
        let (header, events) = incident("x");
        let state = State::fold(&events);
        let config = Config::default();
        let context = Context::new(
            "2026-11-27-x",
            &header,
            &state,
            &events,
            &config,
            Tz::UTC,
            NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(),
        );
        let json = serde_json::to_value(&context).unwrap();
        for key in [
            "incident",
            "zone",
            "severity",
            "services",
            "phases",
            "durations",
            "actions",
            "timeline",
            "resolution",
            "blocks",
        ] {
            assert!(json.get(key).is_some(), "no `{key}`");
        }
        assert_eq!(json["durations"]["detect"]["seconds"], 300);
        assert_eq!(json["services"][0]["name"], "web");
        assert!(
            json["blocks"]["timeline"]
                .as_str()
                .unwrap()
                .starts_with("| Time (UTC) |")
        );
    }

    proptest::proptest! {
        #[test]
        fn any_text_refreshes_without_panic(existing in "(.{0,40}\n){0,12}", fresh in "(.{0,40}\n){0,6}") {
            let _ = refresh(&existing, &fresh);
            let _ = refresh(&existing, FRESH);
        }

        #[test]
        fn refreshing_keeps_every_byte_outside_blocks(human in "[^<\n]{0,40}") {
            let edited = FRESH.replace("> TODO: write it", &human);
            let out = refresh(&edited, &fresh_with_row("9")).unwrap();
            proptest::prop_assert_eq!(out.text, fresh_with_row("9").replace("> TODO: write it", &human));
        }
    }
}
