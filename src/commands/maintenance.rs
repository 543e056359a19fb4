//! `inc maintenance`: schedule a maintenance window.
//!
//! A maintenance is an incident folder with `kind: maintenance` and its
//! planned window in the header; its lifecycle is `scheduled` →
//! `in_progress` → `verifying` → `completed`, moved with `inc status`.

use std::process::ExitCode;

use anyhow::{Context, Result, bail};

use crate::app::App;
use crate::cli::MaintenanceArgs;
use crate::error::user_error_with_hint;
use crate::model::{Event, EventKind, Header, Kind, Status, id, when};
use crate::ui::Ui;

pub fn run(app: &App, ui: &Ui, args: &MaintenanceArgs) -> Result<ExitCode> {
    let title = args.title.trim();
    if title.is_empty() {
        return Err(user_error_with_hint(
            "the title is empty",
            "say what will happen, e.g. \"Database upgrade\"",
        ));
    }
    let parse = |flag: &str, s: &str| {
        when::parse_any(s, app.now, app.zone).with_context(|| format!("--{flag}"))
    };
    let start = parse("start", &args.start)?;
    let end = parse("end", &args.end)?;
    if end <= start {
        bail!(
            "--end ({}) is not after --start ({})",
            when::show(end, app.zone),
            when::show(start, app.zone)
        );
    }
    let mut services = args.services.clone();
    let mut seen = std::collections::HashSet::new();
    services.retain(|s| seen.insert(s.clone()));
    app.config.check_services(&services)?;

    let _lock = app.lock()?;
    let id = id::new_id(app.now, title, |id| app.store.exists(id));
    let header = Header {
        title: title.to_owned(),
        summary: args.summary.clone(),
        kind: Some(Kind::Maintenance),
        services,
        private: args.private,
        scheduled_start: Some(start),
        scheduled_end: Some(end),
        opened_at: app.now,
        opened_by: app.author.clone(),
        ..Header::default()
    };
    // A window has no severity or commander. The opening event's format
    // needs a severity: the lowest one is stored, and shown nowhere.
    let events = [Event::new(
        app.now,
        &app.author,
        EventKind::Opened {
            severity: app
                .config
                .severities
                .last()
                .map_or_else(|| "SEV4".to_owned(), |s| s.id.clone()),
            status: Status::Scheduled,
        },
    )];
    super::create(app, ui, &id, &header, &events)?;
    ui.out(&format!("{id}\n"))?;
    if end <= app.now {
        // Recorded all the same (a window logged afterwards), but a
        // mistyped date is the likelier cause.
        ui.warn(&format!(
            "the window of {id} ended before now ({}); check --start and --end",
            when::show(end, app.zone)
        ));
    }
    ui.status(&format!(
        "Scheduled {id}: {} to {}. When it starts: `inc status {id} in_progress`.",
        when::show(start, app.zone),
        when::show(end, app.zone)
    ));
    Ok(ExitCode::SUCCESS)
}
