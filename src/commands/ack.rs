//! `inc ack`: a person takes an incident; with nobody in command, they are.

use std::process::ExitCode;

use anyhow::Result;

use super::record;
use crate::app::App;
use crate::cli::AckArgs;
use crate::error::user_error_with_hint;
use crate::model::{Event, EventKind, Status, when};
use crate::ui::Ui;

pub fn run(app: &App, ui: &Ui, args: &AckArgs) -> Result<ExitCode> {
    let _lock = app.lock()?;
    let id = app.find_incident(args.id.as_deref())?;
    let incident = app.load(&id)?;
    let at = app.event_time(&id, incident.header.opened_at, args.at.as_deref())?;
    let state = &incident.state;
    if !state.is_open() {
        return Err(user_error_with_hint(
            format!(
                "{id} is {}; there is nothing to acknowledge",
                state.status.map_or("broken", |s| s.as_str())
            ),
            format!("`inc reopen {id}` if it is back"),
        ));
    }
    let in_triage = state.status == Some(Status::Triage);
    if let (Some(ack_at), Some(by)) = (state.acknowledged_at, &state.acknowledged_by)
        && state.commander().is_some()
        && !in_triage
    {
        ui.status(&format!(
            "{id} was acknowledged by {by} at {}; nothing changed.",
            when::show(ack_at, app.zone)
        ));
        return Ok(ExitCode::SUCCESS);
    }
    let mut events = Vec::new();
    // An `ack` also takes the incident out of triage (see the fold).
    if state.acknowledged_at.is_none() || in_triage {
        events.push(Event::new(at, &app.author, EventKind::Ack));
    }
    if state.commander().is_none() {
        events.push(Event::new(
            at,
            &app.author,
            EventKind::Role {
                role: "commander".to_owned(),
                who: Some(app.author.clone()),
            },
        ));
    }
    record(app, ui, &id, &events)?;
    if state.commander().is_none() {
        ui.status(&format!(
            "Acknowledged {id}; {} is incident commander.",
            app.author
        ));
    } else {
        ui.status(&format!("Acknowledged {id}."));
    }
    Ok(ExitCode::SUCCESS)
}
