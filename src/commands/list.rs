//! `inc list`: a table of incidents, open ones by default; maintenance
//! windows apart, with `--maintenance`.

use std::process::ExitCode;

use anyhow::Result;

use crate::app::App;
use crate::cli::{Global, ListArgs};
use crate::error::user_error_with_hint;
use crate::model::{Kind, Status, when};
use crate::render::json::IncidentView;
use crate::render::table::{self, Row};
use crate::store::Incident;
use crate::ui::Ui;

/// Which incidents `--status` keeps.
enum StatusFilter {
    Open,
    Closed,
    All,
    Only(Status),
}

impl StatusFilter {
    fn parse(s: &str) -> Result<StatusFilter> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "open" => StatusFilter::Open,
            "closed" => StatusFilter::Closed,
            "all" => StatusFilter::All,
            other => StatusFilter::Only(other.parse().map_err(|e: String| {
                user_error_with_hint(e, "or one of `open`, `closed`, `all`")
            })?),
        })
    }

    fn keeps(&self, incident: &Incident) -> bool {
        let status = incident.state.status;
        match self {
            StatusFilter::Open => incident.state.is_open(),
            StatusFilter::Closed => status.is_some_and(Status::is_closed),
            StatusFilter::All => true,
            StatusFilter::Only(s) => status == Some(*s),
        }
    }
}

pub fn run(app: &App, ui: &Ui, global: &Global, args: &ListArgs) -> Result<ExitCode> {
    let filter = StatusFilter::parse(&args.status)?;
    let severity = args
        .severity
        .as_deref()
        .map(|s| app.config.parse_severity(s))
        .transpose()?;
    let since = match args.since.as_deref() {
        Some(s) => Some(when::parse_any(s, app.now, app.zone)?),
        None => None,
    };
    if let Some(service) = &args.service {
        app.config.check_services(std::slice::from_ref(service))?;
    }

    let keeps = |i: &Incident| {
        filter.keeps(i)
            && severity
                .as_ref()
                .is_none_or(|s| i.state.severity.as_ref() == Some(s))
            && args
                .service
                .as_ref()
                .is_none_or(|s| i.header.services.contains(s))
            && since.is_none_or(|t| i.header.opened_at >= t)
    };
    let (mut incidents, errors) = app.store.load_all(false)?;
    // Maintenance windows are listed apart (`--maintenance`), never among
    // incidents: they have no severity or commander, and are planned.
    let (windows, mut incidents): (Vec<Incident>, Vec<Incident>) = std::mem::take(&mut incidents)
        .into_iter()
        .partition(|i| i.header.kind() == Kind::Maintenance);
    let hidden_windows = if args.maintenance {
        incidents = windows;
        0
    } else {
        windows.iter().filter(|i| keeps(i)).count()
    };
    // Shown after the output: it is what the reader sees last.
    let done = |code: ExitCode| Ok(super::report_unreadable(ui, &errors, true).unwrap_or(code));
    incidents.retain(|i| keeps(i));
    if args.maintenance {
        // Soonest first: what an on-call engineer plans around.
        incidents.sort_by(|a, b| {
            let start = |i: &Incident| i.header.scheduled_start.unwrap_or(i.header.opened_at);
            start(a).cmp(&start(b)).then_with(|| a.id.cmp(&b.id))
        });
    } else {
        // Newest first; the ID breaks ties so the order is stable.
        incidents.sort_by(|a, b| {
            b.header
                .opened_at
                .cmp(&a.header.opened_at)
                .then_with(|| b.id.cmp(&a.id))
        });
    }

    if global.json {
        let views: Vec<IncidentView> = incidents
            .iter()
            .map(|i| IncidentView::new(&i.id, &i.header, &i.state, None, &app.config))
            .collect();
        ui.out(&(serde_json::to_string_pretty(&views)? + "\n"))?;
        return done(ExitCode::SUCCESS);
    }
    if incidents.is_empty() {
        // With a file unreadable, "no open incidents" may be untrue.
        let things = if args.maintenance {
            "maintenance windows"
        } else {
            "incidents"
        };
        let what = match (&filter, errors.is_empty()) {
            (StatusFilter::Open, true) => format!("No open {things}."),
            (StatusFilter::Open, false) => {
                format!("No open {things} among those that could be read.")
            }
            (_, true) => format!("No {things} match."),
            (_, false) => format!("No {things} match among those that could be read."),
        };
        // After the errors, which say why this may be untrue.
        let code = super::report_unreadable(ui, &errors, true).unwrap_or(ExitCode::SUCCESS);
        ui.status(&what);
        hint_windows(ui, hidden_windows);
        return Ok(code);
    }
    let rows: Vec<Row> = incidents
        .iter()
        .map(|i| Row {
            id: &i.id,
            header: &i.header,
            state: &i.state,
        })
        .collect();
    let style = super::style(app, ui);
    if args.maintenance {
        ui.out(&table::maintenance(&rows, style))?;
    } else {
        ui.out(&table::list(&rows, style))?;
    }
    hint_windows(ui, hidden_windows);
    done(ExitCode::SUCCESS)
}

/// Says on stderr that maintenance windows match too, listed apart.
fn hint_windows(ui: &Ui, n: usize) {
    if n > 0 {
        ui.status(&format!(
            "{}: `inc list --maintenance` lists them",
            crate::ui::count(n, "maintenance window")
        ));
    }
}
