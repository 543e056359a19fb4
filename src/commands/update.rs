//! `inc update`: a public update, optionally moving the status.

use std::process::ExitCode;

use anyhow::Result;

use super::status::check_transition;
use super::{record, stdin, text_not_an_incident};
use crate::app::{App, read_text};
use crate::cli::{UpdateArgs, split_id};
use crate::model::{Event, EventKind};
use crate::ui::Ui;

pub fn run(app: &App, ui: &Ui, args: &UpdateArgs) -> Result<ExitCode> {
    let (query, rest) = split_id(&args.args, 1);
    if query.is_none() {
        text_not_an_incident(app, "update", &rest[0])?;
    }
    let text = read_text(&rest[0], stdin(ui, "update"))?;
    let _lock = app.lock()?;
    let id = app.find_incident(query)?;
    let incident = app.load(&id)?;
    let status = args
        .status
        .as_deref()
        .map(|typed| super::status::status_of(&incident, typed))
        .transpose()?;
    let at = app.event_time(&id, incident.header.opened_at, args.at.as_deref())?;
    if let Some(status) = status {
        check_transition(&incident, status)?;
    }
    let event = Event::new(at, &app.author, EventKind::Update { status, text });
    record(app, ui, &id, &[event])?;
    match status {
        Some(s) => ui.status(&format!(
            "Posted a public update on {id}; status is now {s}."
        )),
        None => ui.status(&format!("Posted a public update on {id}.")),
    }
    Ok(ExitCode::SUCCESS)
}
