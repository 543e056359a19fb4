//! `inc severity`: re-triage.

use std::process::ExitCode;

use anyhow::Result;

use super::record;
use crate::app::App;
use crate::cli::{PairArgs, split_id};
use crate::model::{Event, EventKind};
use crate::ui::Ui;

pub fn run(app: &App, ui: &Ui, args: &PairArgs) -> Result<ExitCode> {
    let (query, rest) = split_id(&args.args, 1);
    let severity = app.config.parse_severity(&rest[0])?;
    let _lock = app.lock()?;
    let id = app.find_incident(query)?;
    let incident = app.load(&id)?;
    let at = app.event_time(&id, incident.header.opened_at, args.at.as_deref())?;
    if incident.state.severity.as_deref() == Some(severity.as_str()) {
        ui.status(&format!("{id} is already {severity}; nothing changed."));
        return Ok(ExitCode::SUCCESS);
    }
    let event = Event::new(
        at,
        &app.author,
        EventKind::Severity {
            severity: severity.clone(),
        },
    );
    record(app, ui, &id, &[event])?;
    ui.status(&format!("{id} is now {severity}."));
    Ok(ExitCode::SUCCESS)
}
