//! `inc action`: follow-up actions, added to an incident's timeline and
//! listed across all incidents.

use std::process::ExitCode;

use anyhow::Result;
use chrono::NaiveDate;

use super::record;
use crate::app::App;
use crate::cli::{ActionAddArgs, ActionCommand, ActionDoneArgs, ActionListArgs, Global, split_id};
use crate::error::user_error_with_hint;
use crate::model::{Event, EventKind, when};
use crate::render::actions::{self, ActionRow};
use crate::store::Incident;
use crate::ui::Ui;

pub fn run(app: &App, ui: &Ui, global: &Global, command: &ActionCommand) -> Result<ExitCode> {
    match command {
        ActionCommand::Add(args) => add(app, ui, args),
        ActionCommand::Done(args) => done(app, ui, args),
        ActionCommand::List(args) => list(app, ui, global, args),
    }
}

fn add(app: &App, ui: &Ui, args: &ActionAddArgs) -> Result<ExitCode> {
    let (query, rest) = split_id(&args.args, 1);
    let text = rest[0].trim().to_owned();
    if text.is_empty() {
        return Err(user_error_with_hint(
            "the action is empty",
            "say what should be done: inc action add [ID] \"Alert on certificate errors\"",
        ));
    }
    let due = args.due.as_deref().map(|d| due_date(app, d)).transpose()?;
    if let Some(link) = &args.link {
        check_link(link)?;
    }
    let owner = args
        .owner
        .as_deref()
        .map(str::trim)
        .filter(|o| !o.is_empty());
    let _lock = app.lock()?;
    let id = app.find_incident(query)?;
    let incident = app.load(&id)?;
    let number = incident
        .state
        .actions
        .iter()
        .map(|a| a.id)
        .max()
        .unwrap_or(0)
        + 1;
    let event = Event::new(
        app.now,
        &app.author,
        EventKind::Action {
            id: number,
            text,
            owner: owner.map(str::to_owned),
            due: due.map(|d| d.to_string()),
            link: args.link.clone(),
        },
    );
    record(app, ui, &id, &[event])?;
    ui.out(&format!("{number}\n"))?;
    ui.status(&format!("Added action #{number} to {id}."));
    Ok(ExitCode::SUCCESS)
}

fn done(app: &App, ui: &Ui, args: &ActionDoneArgs) -> Result<ExitCode> {
    let _lock = app.lock()?;
    let id = app.find_incident(Some(&args.id))?;
    let incident = app.load(&id)?;
    let Some(action) = incident.state.actions.iter().find(|a| a.id == args.number) else {
        let known: Vec<String> = incident
            .state
            .actions
            .iter()
            .map(|a| format!("#{}", a.id))
            .collect();
        return Err(user_error_with_hint(
            format!(
                "{id} has no action #{}{}",
                args.number,
                if known.is_empty() {
                    " (it has none)".to_owned()
                } else {
                    format!("; it has {}", known.join(", "))
                }
            ),
            "`inc action list` shows every action",
        ));
    };
    if action.done {
        ui.status(&format!(
            "Action #{} of {id} is already done; nothing changed.",
            action.id
        ));
        return Ok(ExitCode::SUCCESS);
    }
    let event = Event::new(
        app.now,
        &app.author,
        EventKind::ActionDone { id: action.id },
    );
    record(app, ui, &id, &[event])?;
    ui.status(&format!("Action #{} of {id} is done.", action.id));
    Ok(ExitCode::SUCCESS)
}

/// Every follow-up action of `incidents`, as rows, in incident order.
pub(super) fn rows(
    incidents: &[Incident],
    today: NaiveDate,
) -> impl Iterator<Item = ActionRow<'_>> {
    incidents.iter().flat_map(move |i| {
        i.state
            .actions
            .iter()
            .map(move |a| ActionRow::new(&i.id, a, today))
    })
}

fn list(app: &App, ui: &Ui, global: &Global, args: &ActionListArgs) -> Result<ExitCode> {
    let today = app.now.with_timezone(&app.zone).date_naive();
    let (incidents, errors) = app.store.load_all(false)?;
    let mut rows: Vec<ActionRow> = rows(&incidents, today)
        .filter(|r| !args.open || !r.done)
        .filter(|r| !args.overdue || r.overdue)
        .filter(|r| args.owner.as_deref().is_none_or(|o| r.owned_by(o)))
        .collect();
    // Soonest due first (undated last), then by incident and number.
    rows.sort_by(|a, b| {
        (a.due.is_none(), a.due, a.incident, a.id).cmp(&(b.due.is_none(), b.due, b.incident, b.id))
    });
    if global.json {
        ui.out(&(serde_json::to_string_pretty(&rows)? + "\n"))?;
    } else if rows.is_empty() {
        ui.status("No actions match.");
    } else {
        ui.out(&actions::table(&rows, ui.color(), ui.wrap()))?;
    }
    // What could be read is listed; the incidents that couldn't fail it.
    Ok(super::report_unreadable(ui, &errors, true).unwrap_or(ExitCode::SUCCESS))
}

/// A due date as typed: any form a time takes (`YYYY-MM-DD`, `tomorrow`,
/// `in 2 weeks`, …; see [`when`]), as a date in the display zone.
fn due_date(app: &App, input: &str) -> Result<NaiveDate> {
    when::parse_any(input, app.now, app.zone)
        .map(|t| t.with_timezone(&app.zone).date_naive())
        .map_err(|_| {
            user_error_with_hint(
                format!("can't read the due date `{input}`"),
                "use YYYY-MM-DD, `tomorrow` or a time ahead like `in 2 weeks`",
            )
        })
}

/// Links must be web addresses (they end up in postmortems).
fn check_link(link: &str) -> Result<()> {
    let lower = link.trim().to_ascii_lowercase();
    if (lower.starts_with("https://") || lower.starts_with("http://"))
        && !link.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        Ok(())
    } else {
        Err(user_error_with_hint(
            format!("the link `{link}` is not an http(s) address"),
            "--link https://tracker.example.com/OPS-123",
        ))
    }
}
