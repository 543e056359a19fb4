//! `inc assign`: roles.

use std::process::ExitCode;

use anyhow::Result;

use super::record;
use crate::app::App;
use crate::cli::{AssignArgs, split_id};
use crate::error::user_error_with_hint;
use crate::model::{Event, EventKind};
use crate::ui::Ui;

pub fn run(app: &App, ui: &Ui, args: &AssignArgs) -> Result<ExitCode> {
    let needed = if args.unassign { 1 } else { 2 };
    if args.args.len() > needed + 1 {
        return Err(user_error_with_hint(
            "too many arguments",
            "inc assign [ID] ROLE WHO, or inc assign [ID] ROLE --unassign",
        ));
    }
    let is_role = |s: &str| app.config.check_role(s.trim()).is_ok();
    // `inc assign ID comms` (no person) reads as ROLE=ID WHO=comms; say
    // what is really missing.
    let missing_person = args.args.len() < needed
        || (!args.unassign
            && args.args.len() == 2
            && !is_role(&args.args[0])
            && is_role(&args.args[1]));
    if missing_person {
        let role = args.args.last().map_or("", String::as_str);
        return Err(user_error_with_hint(
            format!("the role `{role}` needs a person"),
            format!("inc assign [ID] {role} WHO, or --unassign to leave it empty"),
        ));
    }
    let (query, rest) = split_id(&args.args, needed);
    let role = rest[0].trim().to_owned();
    app.config.check_role(&role)?;
    let who = if args.unassign {
        None
    } else {
        let who = rest[1].trim();
        if who.is_empty() {
            return Err(user_error_with_hint(
                format!("the role `{role}` needs a person, got an empty name"),
                format!("inc assign [ID] {role} WHO"),
            ));
        }
        Some(who.to_owned())
    };
    let _lock = app.lock()?;
    let id = app.find_incident(query)?;
    let incident = app.load(&id)?;
    let at = app.event_time(&id, incident.header.opened_at, args.at.as_deref())?;
    if incident.state.roles.get(&role) == who.as_ref() {
        ui.status(&format!(
            "{id}: nothing changed, {role} is already {}.",
            who.as_deref().unwrap_or("unassigned")
        ));
        return Ok(ExitCode::SUCCESS);
    }
    let event = Event::new(
        at,
        &app.author,
        EventKind::Role {
            role: role.clone(),
            who: who.clone(),
        },
    );
    record(app, ui, &id, &[event])?;
    match who {
        Some(who) => ui.status(&format!("{id}: {who} is {role}.")),
        None => ui.status(&format!("{id}: {role} is unassigned.")),
    }
    if role == "commander" && args.unassign {
        ui.warn(&format!(
            "{id} has no incident commander now; someone should take it (`inc ack {id}`)"
        ));
    }
    Ok(ExitCode::SUCCESS)
}
