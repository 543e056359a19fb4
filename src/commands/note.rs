//! `inc note`: an internal note. Reads only the folder names to find the
//! incident, then appends one line: a note never reads other incidents.

use std::process::ExitCode;

use anyhow::Result;

use super::{record, stdin, text_not_an_incident};
use crate::app::{App, read_text};
use crate::cli::{NoteArgs, split_id};
use crate::model::{Event, EventKind};
use crate::ui::Ui;

pub fn run(app: &App, ui: &Ui, args: &NoteArgs) -> Result<ExitCode> {
    let (query, rest) = split_id(&args.args, 1);
    if query.is_none() {
        text_not_an_incident(app, "note", &rest[0])?;
    }
    let text = read_text(&rest[0], stdin(ui, "note"))?;
    let _lock = app.lock()?;
    let id = app.find_incident(query)?;
    // Only a backdated note needs the header; a plain note reads nothing.
    let at = match args.at.as_deref() {
        Some(at) => {
            let header = app.store.load_header(&id).map_err(anyhow::Error::new)?;
            app.event_time(&id, header.opened_at, Some(at))?
        }
        None => app.now,
    };
    let event = Event::new(
        at,
        &app.author,
        EventKind::Note {
            text,
            pinned: args.pin,
        },
    );
    record(app, ui, &id, &[event])?;
    ui.status(&format!("Noted on {id}."));
    Ok(ExitCode::SUCCESS)
}
