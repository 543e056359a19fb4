//! `inc resolve`, `inc reopen`, `inc decline`: closing and reopening.

use std::process::ExitCode;

use anyhow::{Result, bail};

use super::record;
use crate::app::App;
use crate::cli::{DeclineArgs, ReopenArgs, ResolveArgs};
use crate::error::user_error_with_hint;
use crate::model::{Event, EventKind, Kind, Status, when};
use crate::render::text::one_line;
use crate::ui::Ui;

pub fn resolve(app: &App, ui: &Ui, args: &ResolveArgs) -> Result<ExitCode> {
    let _lock = app.lock()?;
    let id = app.find_incident(args.id.as_deref())?;
    let incident = app.load(&id)?;
    let at = app.event_time(&id, incident.header.opened_at, args.at.as_deref())?;
    if incident.header.kind() == Kind::Maintenance {
        return Err(user_error_with_hint(
            format!("{id} is a maintenance"),
            format!("`inc status {id} completed` ends it"),
        ));
    }
    match incident.state.status {
        Some(Status::Resolved) => {
            let since = incident.state.resolved_at.map(|t| when::show(t, app.zone));
            // Input that would change nothing must not vanish: a new
            // summary or time is refused, saying what to do instead.
            let summary = args.summary.as_deref().map(str::trim);
            if let Some(summary) = summary.filter(|s| Some(*s) != resolution(&incident.events)) {
                return Err(user_error_with_hint(
                    format!(
                        "{id} is already resolved{}; the summary was not recorded",
                        since.map(|s| format!(" (since {s})")).unwrap_or_default()
                    ),
                    format!(
                        "`inc note {id} --pin \"{}\"` records it as a highlight \
                         for the postmortem",
                        one_line(summary, 60).replace('"', "'")
                    ),
                ));
            }
            if args.at.is_some() && incident.state.resolved_at != Some(at) {
                return Err(user_error_with_hint(
                    format!(
                        "{id} is already resolved{}; --at was not recorded",
                        since.map(|s| format!(" (since {s})")).unwrap_or_default()
                    ),
                    format!("`inc reopen {id}` and resolve it again to change when it ended"),
                ));
            }
            ui.status(&format!(
                "{id} is already resolved{}; nothing changed.",
                since.map(|s| format!(" (since {s})")).unwrap_or_default()
            ));
            return Ok(ExitCode::SUCCESS);
        }
        Some(Status::Declined) => {
            return Err(user_error_with_hint(
                format!("{id} was declined as a false alarm"),
                format!("`inc reopen {id}` first if it is real"),
            ));
        }
        _ => {}
    }
    let event = Event::new(
        at,
        &app.author,
        EventKind::Status {
            status: Status::Resolved,
            text: args.summary.clone(),
        },
    );
    record(app, ui, &id, &[event])?;
    ui.status(&format!(
        "Resolved {id} after {}.",
        when::duration(at - incident.header.started())
    ));
    ui.status(&format!("Next: `inc postmortem {id}` drafts the review."));
    Ok(ExitCode::SUCCESS)
}

/// The summary of the last close, if it had one.
fn resolution(events: &[Event]) -> Option<&str> {
    events.iter().rev().find_map(|e| match &e.kind {
        EventKind::Status {
            status,
            text: Some(text),
        } if status.is_closed() => Some(text.trim()),
        _ => None,
    })
}

pub fn reopen(app: &App, ui: &Ui, args: &ReopenArgs) -> Result<ExitCode> {
    let _lock = app.lock()?;
    let id = app.find_incident(Some(&args.id))?;
    let incident = app.load(&id)?;
    let at = app.event_time(&id, incident.header.opened_at, args.at.as_deref())?;
    let status = match incident.state.status {
        Some(s) if s.is_closed() => match incident.header.kind() {
            Kind::Incident => Status::Investigating,
            Kind::Maintenance => Status::InProgress,
        },
        other => bail!(
            "{id} is {}, not closed; there is nothing to reopen",
            other.map_or("broken", |s| s.as_str())
        ),
    };
    let event = Event::new(
        at,
        &app.author,
        EventKind::Status {
            status,
            text: args.reason.clone(),
        },
    );
    record(app, ui, &id, &[event])?;
    ui.status(&format!("Reopened {id}; it is {status} again."));
    Ok(ExitCode::SUCCESS)
}

pub fn decline(app: &App, ui: &Ui, args: &DeclineArgs) -> Result<ExitCode> {
    let _lock = app.lock()?;
    let id = app.find_incident(args.id.as_deref())?;
    let incident = app.load(&id)?;
    let at = app.event_time(&id, incident.header.opened_at, args.at.as_deref())?;
    if let Some(status) = incident.state.status
        && status.is_closed()
    {
        return Err(user_error_with_hint(
            format!("{id} is already {status}"),
            format!("`inc reopen {id}` first to change how it ended"),
        ));
    }
    let event = Event::new(
        at,
        &app.author,
        EventKind::Status {
            status: Status::Declined,
            text: args.reason.clone(),
        },
    );
    record(app, ui, &id, &[event])?;
    ui.status(&format!(
        "Declined {id}: kept as a false alarm, out of metrics and off the status page."
    ));
    Ok(ExitCode::SUCCESS)
}
