//! Terminal tables and the `inc show` page.

use std::fmt::Write;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use comfy_table::{Attribute, Cell, Color, ContentArrangement, Table, presets};

use super::text::{one_line, sanitize};
use crate::model::{Event, Header, Phases, State, Status, when};

/// How to draw: the zone, the time, colour, and the terminal width if known.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub zone: Tz,
    pub now: DateTime<Utc>,
    pub color: bool,
    /// Fit the table to the terminal's width (stdout is a terminal).
    pub wrap: bool,
}

/// One row of `inc list`.
pub struct Row<'a> {
    pub id: &'a str,
    pub header: &'a Header,
    pub state: &'a State,
}

fn status_color(status: Option<Status>) -> Color {
    match status {
        Some(Status::Triage) => Color::Magenta,
        Some(Status::Investigating) => Color::Red,
        Some(Status::Identified) => Color::Yellow,
        Some(Status::Monitoring) => Color::Cyan,
        Some(Status::Resolved | Status::Completed) => Color::Green,
        _ => Color::Reset,
    }
}

fn status_text(state: &State) -> &'static str {
    state.status.map_or("?", |s| s.as_str())
}

/// Age for an open incident (`12m ago`), how long it took for a closed one.
fn age(header: &Header, state: &State, now: DateTime<Utc>) -> String {
    match (state.status, state.resolved_at) {
        (Some(Status::Resolved), Some(resolved)) => {
            format!("took {}", when::duration(resolved - header.started()))
        }
        (Some(s), _) if s.is_closed() => "—".to_owned(),
        _ => when::ago(header.opened_at, now),
    }
}

/// A table in inc's style: no borders, a bold header when colour is on,
/// fitted to the terminal when `wrap`.
pub fn new_table(headers: &[&str], color: bool, wrap: bool) -> Table {
    let mut table = Table::new();
    table.load_style(presets::NOTHING);
    // A terminal that reports no width (a pty nobody sized, some serial
    // consoles) would squeeze every column to one character.
    let wrap = wrap && table.width().is_some_and(|w| w >= 20);
    if !wrap {
        table.force_no_tty();
    }
    if color {
        table.enforce_styling();
    }
    table.set_content_arrangement(if wrap {
        ContentArrangement::Dynamic
    } else {
        ContentArrangement::Disabled
    });
    table.set_header(headers.iter().map(|h| {
        let c = Cell::new(h);
        if color {
            c.add_attribute(Attribute::Bold)
        } else {
            c
        }
    }));
    table
}

/// The table as text, without trailing padding (noise in pipes and diffs).
pub fn finish(table: &Table) -> String {
    let mut out = table
        .to_string()
        .lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n");
    out.push('\n');
    out
}

/// The `inc list` table.
pub fn list(rows: &[Row<'_>], style: Style) -> String {
    incidents(rows, style, false)
}

/// The `inc list` table and, last, how long since the newest timeline
/// entry (the dashboard's: a quiet open incident is a warning sign).
pub fn list_with_last_update(rows: &[Row<'_>], style: Style) -> String {
    incidents(rows, style, true)
}

fn incidents(rows: &[Row<'_>], style: Style, last_update: bool) -> String {
    let mut headers = vec!["ID", "SEV", "STATUS", "TITLE", "COMMANDER", "AGE"];
    if last_update {
        headers.push("LAST UPDATE");
    }
    let mut table = new_table(&headers, style.color, style.wrap);
    for row in rows {
        let mut status = Cell::new(status_text(row.state));
        if style.color {
            status = status.fg(status_color(row.state.status));
        }
        let mut cells = vec![
            Cell::new(row.id),
            Cell::new(row.state.severity.as_deref().unwrap_or("?")),
            status,
            Cell::new(one_line(&row.header.title, 80)),
            Cell::new(
                row.state
                    .commander()
                    .map_or("—".to_owned(), |c| one_line(c, 30)),
            ),
            Cell::new(age(row.header, row.state, style.now)),
        ];
        if last_update {
            cells.push(Cell::new(
                row.state
                    .last_event_at
                    .map_or("—".to_owned(), |t| when::ago(t, style.now)),
            ));
        }
        table.add_row(cells);
    }
    finish(&table)
}

/// A maintenance window in the display zone: `2026-11-28 02:00–03:00 UTC`
/// within a day, both dates when it spans midnight.
pub fn window(start: DateTime<Utc>, end: DateTime<Utc>, zone: Tz) -> String {
    let (s, e) = (start.with_timezone(&zone), end.with_timezone(&zone));
    let end = if s.date_naive() == e.date_naive() {
        e.format("%H:%M %Z")
    } else {
        e.format("%Y-%m-%d %H:%M %Z")
    };
    format!("{}–{end}", s.format("%Y-%m-%d %H:%M"))
}

/// The `inc list --maintenance` section: windows have a status and a
/// planned window, never a severity or a commander.
pub fn maintenance(rows: &[Row<'_>], style: Style) -> String {
    let heading = if style.color {
        "\x1b[1mMaintenance\x1b[0m"
    } else {
        "Maintenance"
    };
    format!("{heading}\n{}", maintenance_table(rows, style))
}

/// Maintenance windows: ID, status, planned window, title.
pub fn maintenance_table(rows: &[Row<'_>], style: Style) -> String {
    let mut table = new_table(
        &["ID", "STATUS", "WINDOW", "TITLE"],
        style.color,
        style.wrap,
    );
    for row in rows {
        let mut status = Cell::new(status_text(row.state));
        if style.color {
            status = status.fg(status_color(row.state.status));
        }
        let planned = match (row.header.scheduled_start, row.header.scheduled_end) {
            (Some(start), Some(end)) => window(start, end, style.zone),
            (Some(start), None) => format!("from {}", when::show(start, style.zone)),
            _ => "?".to_owned(),
        };
        table.add_row(vec![
            Cell::new(row.id),
            status,
            Cell::new(planned),
            Cell::new(one_line(&row.header.title, 80)),
        ]);
    }
    finish(&table)
}

fn field(out: &mut String, name: &str, value: &str) {
    let _ = writeln!(out, "{name:<14}{value}");
}

fn maybe_time(at: Option<DateTime<Utc>>, style: Style) -> String {
    at.map_or("—".to_owned(), |t| when::show(t, style.zone))
}

/// The `inc show` page: header, state, durations, then the timeline.
pub fn show(id: &str, header: &Header, state: &State, events: &[Event], style: Style) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{id}");
    let _ = writeln!(out, "{}", sanitize(&header.title));
    let _ = writeln!(out);
    let status = status_text(state);
    let closed = state.status.is_some_and(Status::is_closed);
    let status = if closed {
        status.to_owned()
    } else {
        format!(
            "{status} (open for {})",
            when::duration(style.now - header.opened_at)
        )
    };
    field(&mut out, "status", &status);
    let maintenance = header.kind() == crate::model::Kind::Maintenance;
    if maintenance {
        if let (Some(start), Some(end)) = (header.scheduled_start, header.scheduled_end) {
            field(&mut out, "window", &window(start, end, style.zone));
        }
    } else {
        field(
            &mut out,
            "severity",
            state.severity.as_deref().unwrap_or("?"),
        );
    }
    if let Some(t) = &header.public_title {
        field(&mut out, "public", &one_line(t, 200));
    }
    if header.kind() != crate::model::Kind::Incident {
        field(&mut out, "kind", header.kind().as_str());
    }
    if header.mode() != crate::model::Mode::Standard {
        field(&mut out, "mode", header.mode().as_str());
    }
    if !header.services.is_empty() {
        field(
            &mut out,
            "services",
            &one_line(&header.services.join(", "), 200),
        );
    }
    if !header.oncall.is_empty() {
        let oncall: Vec<String> = header
            .oncall
            .iter()
            .map(|(rotation, who)| format!("{who} ({rotation})"))
            .collect();
        field(&mut out, "on call", &one_line(&oncall.join(", "), 200));
    }
    if header.private {
        field(&mut out, "private", "yes (never on the status page)");
    }
    if state.roles.is_empty() && !maintenance {
        field(
            &mut out,
            "commander",
            "nobody — take it with `inc ack` or `inc assign commander WHO`",
        );
    }
    for (role, who) in &state.roles {
        field(&mut out, role, &one_line(who, 60));
    }
    if !header.labels.is_empty() {
        let labels: Vec<String> = header
            .labels
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        field(&mut out, "labels", &one_line(&labels.join(" "), 200));
    }
    if let Some(summary) = &header.summary {
        field(&mut out, "summary", &one_line(summary, 400));
    }
    let _ = writeln!(out);
    let phases = Phases::of(header, state);
    field(&mut out, "started", &when::show(phases.started, style.zone));
    field(
        &mut out,
        "opened",
        &format!(
            "{} by {} ({})",
            when::show(header.opened_at, style.zone),
            one_line(&header.opened_by, 60),
            when::ago(header.opened_at, style.now)
        ),
    );
    field(
        &mut out,
        "acknowledged",
        &maybe_time(phases.acknowledged, style),
    );
    field(&mut out, "mitigated", &maybe_time(phases.mitigated, style));
    field(&mut out, "resolved", &maybe_time(phases.resolved, style));
    let span = |d: Option<Duration>| d.map_or("—".to_owned(), when::duration);
    field(
        &mut out,
        "durations",
        &format!(
            "detect {} · acknowledge {} · mitigate {} · resolve {}",
            when::duration(phases.to_detect()),
            span(phases.to_acknowledge()),
            span(phases.to_mitigate()),
            span(phases.to_resolve()),
        ),
    );
    let open_actions = state.actions.iter().filter(|a| !a.done).count();
    if !state.actions.is_empty() {
        field(
            &mut out,
            "actions",
            &format!("{} ({open_actions} open)", state.actions.len()),
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "Timeline ({})", style.zone);
    let rows = super::timeline::rows(header, state, events, false);
    out.push_str(&super::timeline::text(&rows, style.zone));
    out
}
