//! `inc stats`: counts, response times, impact and follow-up completion
//! over every incident (or those opened since a time), optionally broken
//! down by severity, service or month. The figures are computed in
//! `model::metrics`; the definitions live there.

use std::process::ExitCode;

use anyhow::{Context as _, Result};

use crate::app::App;
use crate::cli::{Global, StatsArgs, StatsBy};
use crate::model::metrics::{self, Context, GroupBy, Subject};
use crate::model::when;
use crate::render::stats::{self as render, StatsView};
use crate::ui::Ui;

/// How many out-of-order incidents to name before summing up the rest.
const NAMED: usize = 5;

pub fn run(app: &App, ui: &Ui, global: &Global, args: &StatsArgs) -> Result<ExitCode> {
    let since = match args.since.as_deref() {
        Some(s) => Some(when::parse_any(s, app.now, app.zone).context("--since")?),
        None => None,
    };
    let by = args.by.map(|by| match by {
        StatsBy::Severity => GroupBy::Severity,
        StatsBy::Service => GroupBy::Service,
        StatsBy::Month => GroupBy::Month,
    });

    let (incidents, errors) = app.store.load_all(false)?;
    // The figures of what could be read, then the errors, and exit 1.
    let done = |code: ExitCode| Ok(super::report_unreadable(ui, &errors, true).unwrap_or(code));
    let subjects: Vec<Subject<'_>> = incidents
        .iter()
        .filter(|i| since.is_none_or(|t| i.header.opened_at >= t))
        .map(|i| Subject {
            id: &i.id,
            header: &i.header,
            state: &i.state,
        })
        .collect();
    let severities: Vec<String> = app.config.severities.iter().map(|s| s.id.clone()).collect();
    let ctx = Context {
        now: app.now,
        zone: app.zone,
        severities: &severities,
    };
    let report = metrics::compute(&subjects, by, &ctx);

    if !report.out_of_order.is_empty() {
        let mut named: Vec<String> = report
            .out_of_order
            .iter()
            .take(NAMED)
            .map(|id| format!("`{id}`"))
            .collect();
        if report.out_of_order.len() > NAMED {
            named.push(format!("and {} more", report.out_of_order.len() - NAMED));
        }
        ui.warn(&format!(
            "times out of order (started ≤ opened ≤ acknowledged ≤ mitigated ≤ resolved) in {}; \
             the negative spans are left out of the figures",
            named.join(", ")
        ));
        ui.hint("`inc check` names the lines to fix");
    }

    if global.json {
        let view = StatsView::new(&report, since, by, app.zone);
        ui.out(&(serde_json::to_string_pretty(&view)? + "\n"))?;
        return done(ExitCode::SUCCESS);
    }
    if report.overall.incidents == 0 {
        let mut message = "No incidents to count".to_owned();
        if let Some(t) = since {
            message.push_str(&format!(" opened since {}", when::show(t, app.zone)));
        }
        if let Some(left) = render::left_out(&report.left_out) {
            message.push_str(&format!(" (left out: {left})"));
        }
        message.push('.');
        // After the errors, which say why this may be untrue.
        let code = super::report_unreadable(ui, &errors, true).unwrap_or(ExitCode::SUCCESS);
        ui.status(&message);
        if incidents.is_empty() && errors.is_empty() {
            ui.status("hint: `inc open` records one");
        }
        return Ok(code);
    }
    let style = super::style(app, ui);
    ui.out(&render::report(&report, by, since, style))?;
    done(ExitCode::SUCCESS)
}
