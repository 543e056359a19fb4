//! `inc timeline`: the log of one incident with its phases.

use std::process::ExitCode;

use anyhow::Result;

use crate::app::App;
use crate::cli::{TimelineArgs, TimelineFormat};
use crate::error::user_error_with_hint;
use crate::model::Phases;
use crate::render::timeline::{self, TimelineView};
use crate::ui::Ui;

pub fn run(app: &App, ui: &Ui, args: &TimelineArgs) -> Result<ExitCode> {
    let id = app.find_incident(args.id.as_deref())?;
    let incident = app.load(&id)?;
    if args.public
        && let Err(why) = timeline::publishable(&incident.header, &incident.state)
    {
        return Err(user_error_with_hint(
            format!("{id} is not on the status page: {why}"),
            "leave out --public to see its whole timeline",
        ));
    }
    let rows = timeline::rows(
        &incident.header,
        &incident.state,
        &incident.events,
        args.public,
    );
    let out = match args.format {
        TimelineFormat::Table => timeline::text(&rows, app.zone),
        TimelineFormat::Markdown => timeline::markdown(&rows, app.zone),
        TimelineFormat::Json => {
            let phases = Phases::of(&incident.header, &incident.state);
            let view = TimelineView::new(&id, &phases, &rows, app.zone, args.public);
            serde_json::to_string_pretty(&view)? + "\n"
        }
    };
    ui.out(&out)?;
    Ok(ExitCode::SUCCESS)
}
