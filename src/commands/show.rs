//! `inc show`: one incident, whole.

use std::process::ExitCode;

use anyhow::Result;

use crate::app::App;
use crate::cli::{Global, ShowArgs};
use crate::render::json::IncidentView;
use crate::render::table;
use crate::ui::Ui;

pub fn run(app: &App, ui: &Ui, global: &Global, args: &ShowArgs) -> Result<ExitCode> {
    let id = app.find_incident(args.id.as_deref())?;
    let incident = app.load(&id)?;
    if global.json {
        let view = IncidentView::new(
            &incident.id,
            &incident.header,
            &incident.state,
            Some(&incident.events),
            &app.config,
        );
        ui.out(&(serde_json::to_string_pretty(&view)? + "\n"))?;
        return Ok(ExitCode::SUCCESS);
    }
    let style = super::style(app, ui);
    ui.out(&table::show(
        &incident.id,
        &incident.header,
        &incident.state,
        &incident.events,
        style,
    ))?;
    Ok(ExitCode::SUCCESS)
}
