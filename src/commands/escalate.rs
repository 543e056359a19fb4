//! `inc escalate`: for cron. Each open incident no person has acknowledged
//! gets a `page` event for every escalation level due since it was opened
//! that has none yet, one commit per incident (so the `page` hooks run).
//!
//! Decisions:
//! - A level's delay counts from the opening (`opened` event); the level
//!   fires once, whoever it paged: a second run writes nothing.
//! - `oncall:<rotation>` pages whoever is on call at the time of the run;
//!   before the rotation starts nobody is, and the level waits (with a
//!   warning) instead of being marked sent.
//! - The policy is that of the first of the incident's services naming its
//!   own (`services[].escalation`), else `escalation`.
//! - Maintenance windows, `test` and `retrospective` incidents are never
//!   paged for.

use std::process::ExitCode;

use anyhow::Result;

use super::record;
use crate::app::App;
use crate::cli::EscalateArgs;
use crate::model::oncall::{Target, due_levels};
use crate::model::{Event, EventKind, Kind, Mode};
use crate::ui::Ui;

pub fn run(app: &App, ui: &Ui, args: &EscalateArgs) -> Result<ExitCode> {
    let at = app.time(args.at.as_deref())?;
    let config = &app.config;
    if config.escalation.is_empty() && config.service_escalation.is_empty() {
        ui.status(
            "No escalation policy is configured (`escalation:` in inc.yaml); nobody to page.",
        );
        return Ok(ExitCode::SUCCESS);
    }
    let _lock = app.lock()?;
    let (mut incidents, errors) = app.store.load_all(false)?;
    incidents.sort_by(|a, b| a.id.cmp(&b.id));
    let mut pages = 0;
    for incident in &incidents {
        let (header, state) = (&incident.header, &incident.state);
        if !state.is_open()
            || state.acknowledged_at.is_some()
            || header.kind() != Kind::Incident
            || header.mode() != Mode::Standard
        {
            continue;
        }
        let opened_at = state.opened_at.unwrap_or(header.opened_at);
        let policy = config.escalation_for(&header.services);
        let mut events = Vec::new();
        for (level, step) in due_levels(policy, opened_at, at) {
            if state.paged_level(level) {
                continue;
            }
            let people = step.page.people(&config.oncall, at);
            if people.is_empty() {
                if let Target::Rotation(r) = &step.page {
                    ui.warn(&format!(
                        "{}: escalation level {level} pages rotation `{r}`, which has nobody \
                         on call yet; it waits until someone is",
                        incident.id
                    ));
                }
                continue;
            }
            for who in people {
                events.push(Event::new(
                    at.max(opened_at),
                    &app.author,
                    EventKind::Page { who, level },
                ));
            }
        }
        if events.is_empty() {
            continue;
        }
        record(app, ui, &incident.id, &events)?;
        for e in &events {
            if let EventKind::Page { who, level } = &e.kind {
                ui.status(&format!("Paged {who} for {} (level {level}).", incident.id));
            }
        }
        pages += events.len();
    }
    if pages == 0 {
        ui.status("Nothing to page.");
    }
    Ok(super::report_unreadable(ui, &errors, true).unwrap_or(ExitCode::SUCCESS))
}
