//! `inc` with no arguments, on a terminal (or with `--json`): the one
//! screen an on-call engineer opens first. Without a terminal and without
//! `--json`, `inc` alone is the usual usage error, so a script that forgot
//! its subcommand still fails.

use std::process::ExitCode;

use anyhow::Result;

use crate::app::App;
use crate::model::{Kind, Status};
use crate::render::actions::ActionRow;
use crate::render::dashboard::{self, Dashboard, DashboardView, OpenView};
use crate::render::json::IncidentView;
use crate::render::oncall::RotationNow;
use crate::render::table::Row;
use crate::store::Incident;
use crate::ui::Ui;

pub fn run(app: &App, ui: &Ui, json: bool) -> Result<ExitCode> {
    let (incidents, errors) = app.store.load_all(false)?;
    let now = app.now;
    let today = now.with_timezone(&app.zone).date_naive();

    let rank = |i: &Incident| {
        let severity = i.state.severity.as_deref().unwrap_or_default();
        app.config
            .severities
            .iter()
            .position(|s| s.id == severity)
            .unwrap_or(usize::MAX)
    };
    let mut open: Vec<&Incident> = incidents
        .iter()
        .filter(|i| i.header.kind() != Kind::Maintenance && i.state.is_open())
        .collect();
    // Most severe first, then the newest.
    open.sort_by(|a, b| {
        (rank(a), b.header.opened_at, &b.id).cmp(&(rank(b), a.header.opened_at, &a.id))
    });
    let windows = incidents
        .iter()
        .filter(|i| i.header.kind() == Kind::Maintenance);
    let mut maintenance: Vec<&Incident> = windows
        .clone()
        .filter(|i| {
            dashboard::under_way(
                i.state.status,
                i.header.scheduled_start,
                i.header.scheduled_end,
                now,
            )
        })
        .collect();
    maintenance.sort_by_key(|i| (i.header.scheduled_start, &i.id));
    let upcoming = windows
        .filter(|i| {
            i.state.status == Some(Status::Scheduled)
                && i.header.scheduled_start.is_some_and(|s| s > now)
        })
        .count();
    let oncall = &app.config.oncall;
    let rotations: Vec<RotationNow> = oncall
        .rotations
        .iter()
        .map(|r| RotationNow {
            id: &r.id,
            now: oncall.at(&r.id, now),
            next: oncall.next(&r.id, now),
        })
        .collect();
    let mut overdue: Vec<ActionRow> = super::action::rows(&incidents, today)
        .filter(|r| r.overdue && r.owned_by(&app.author))
        .collect();
    overdue.sort_by_key(|r| (r.due, r.incident, r.id));

    if json {
        let view = DashboardView {
            now: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            you: &app.author,
            open: open
                .iter()
                .map(|i| OpenView {
                    incident: IncidentView::new(&i.id, &i.header, &i.state, None, &app.config),
                    last_update_at: i
                        .state
                        .last_event_at
                        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
                })
                .collect(),
            maintenance: maintenance
                .iter()
                .map(|i| IncidentView::new(&i.id, &i.header, &i.state, None, &app.config))
                .collect(),
            upcoming_maintenance: upcoming,
            oncall: rotations.iter().map(RotationNow::view).collect(),
            overdue_actions: overdue,
        };
        ui.out(&(serde_json::to_string_pretty(&view)? + "\n"))?;
    } else {
        fn row<'a>(i: &&'a Incident) -> Row<'a> {
            Row {
                id: &i.id,
                header: &i.header,
                state: &i.state,
            }
        }
        let view = Dashboard {
            name: app.config.name.as_deref(),
            you: &app.author,
            open: open.iter().map(row).collect(),
            maintenance: maintenance.iter().map(row).collect(),
            upcoming_maintenance: upcoming,
            oncall: (!rotations.is_empty()).then_some(rotations),
            overdue,
        };
        let style = super::style(app, ui);
        ui.out(&dashboard::text(&view, style))?;
    }
    // An unreadable file could hide an open incident: say so, exit 1.
    Ok(super::report_unreadable(ui, &errors, true).unwrap_or(ExitCode::SUCCESS))
}
