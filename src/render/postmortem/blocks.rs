//! The generated Markdown blocks of a draft (facts, impact, actions,
//! phases, pinned notes; the timeline's is `inc timeline --format
//! markdown`), each what lies between its markers.

use std::fmt::Write;

use chrono_tz::Tz;

use super::context::{Context, DurationView};
use crate::config::Config;
use crate::model::{Event, EventKind, Header, Phase, Phases, State, when};
use crate::render::templates::md_inline;
use crate::render::timeline::md_cell;

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

pub(super) fn facts_block(
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

pub(super) fn impact_block(c: &Context<'_>) -> String {
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

pub(super) fn actions_block(c: &Context<'_>) -> String {
    let mut out =
        String::from("| # | Action | Owner | Due | Status | Link |\n|---|---|---|---|---|---|");
    for (a, status) in c.actions.iter().map(|v| (&v.action, v.status)) {
        let cell = |v: Option<&str>| v.map(md_cell).unwrap_or_default();
        let _ = write!(
            out,
            "\n| {} | {} | {} | {} | {} | {} |",
            a.id,
            md_cell(a.text),
            cell(a.owner),
            cell(a.due),
            status,
            a.link.map(link_cell).unwrap_or_default()
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
pub(super) fn phases_block(phases: &Phases, state: &State, zone: Tz) -> String {
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

pub(super) fn pinned_block(events: &[Event], zone: Tz) -> String {
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
