//! `inc status`: move an incident (or a maintenance) through its lifecycle.

use std::process::ExitCode;

use anyhow::{Result, bail};

use super::record;
use crate::app::App;
use crate::cli::{PairArgs, split_id};
use crate::error::user_error_with_hint;
use crate::model::typo::did_you_mean;
use crate::model::{Event, EventKind, Kind, Status};
use crate::store::Incident;
use crate::ui::Ui;

pub fn run(app: &App, ui: &Ui, args: &PairArgs) -> Result<ExitCode> {
    let (query, rest) = split_id(&args.args, 1);
    let _lock = app.lock()?;
    let id = app.find_incident(query)?;
    let incident = app.load(&id)?;
    let status = status_of(&incident, &rest[0])?;
    let at = app.event_time(&id, incident.header.opened_at, args.at.as_deref())?;
    if incident.state.status == Some(status) {
        ui.status(&format!("{id} is already {status}; nothing changed."));
        return Ok(ExitCode::SUCCESS);
    }
    check_transition(&incident, status)?;
    let event = Event::new(at, &app.author, EventKind::Status { status, text: None });
    record(app, ui, &id, &[event])?;
    ui.status(&format!("{id} is now {status}."));
    Ok(ExitCode::SUCCESS)
}

/// The status `typed` names, among those of `incident`'s kind (an
/// incident's or a maintenance's): a typo gets "did you mean", and the list
/// offered holds only the statuses of that kind.
pub fn status_of(incident: &Incident, typed: &str) -> Result<Status> {
    let (allowed, what) = match incident.header.kind() {
        Kind::Incident => (Status::INCIDENT, "an incident"),
        Kind::Maintenance => (Status::MAINTENANCE, "a maintenance"),
    };
    if let Ok(status) = typed.parse::<Status>()
        && allowed.contains(&status)
    {
        return Ok(status);
    }
    let names: Vec<&str> = allowed.iter().map(|s| s.as_str()).collect();
    let guess = did_you_mean(typed, &names)
        .map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_default();
    Err(user_error_with_hint(
        format!(
            "`{}` is not a status of {what}{guess}",
            crate::render::text::one_line(typed, 40)
        ),
        format!("the statuses of {what}: {}", crate::app::backticked(&names)),
    ))
}

/// Whether `incident` may move to `to` by `inc status` or `inc update --status`.
pub fn check_transition(incident: &Incident, to: Status) -> Result<()> {
    let id = &incident.id;
    let allowed: &[Status] = match incident.header.kind() {
        Kind::Incident => Status::INCIDENT,
        Kind::Maintenance => Status::MAINTENANCE,
    };
    if !allowed.contains(&to) {
        let names: Vec<&str> = allowed.iter().map(|s| s.as_str()).collect();
        let what = match incident.header.kind() {
            Kind::Incident => "an incident",
            Kind::Maintenance => "a maintenance",
        };
        bail!(
            "`{to}` is not a status of {what}; use one of: {}",
            names.join(", ")
        );
    }
    if let Some(from) = incident.state.status
        && from.is_closed()
        && !to.is_closed()
    {
        return Err(user_error_with_hint(
            format!("{id} is {from}"),
            format!("`inc reopen {id}` first"),
        ));
    }
    Ok(())
}
