//! `inc open`: a new incident, with its opener in command.

use std::collections::BTreeMap;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};

use crate::app::App;
use crate::cli::OpenArgs;
use crate::error::user_error_with_hint;
use crate::model::{Event, EventKind, Header, Status, id};
use crate::prompt::OrCancel;
use crate::ui::Ui;

pub fn run(app: &App, ui: &Ui, args: &OpenArgs) -> Result<ExitCode> {
    // Ask before locking: a person at a prompt must not block other writers.
    let title = match &args.title {
        Some(title) => title.clone(),
        None if ui.can_prompt() => prompt_title()?,
        None => {
            return Err(user_error_with_hint(
                "missing the title",
                "pass it as the first argument: inc open \"Checkout returns 500s\" -s SEV2",
            ));
        }
    };
    if title.trim().is_empty() {
        return Err(user_error_with_hint(
            "the title is empty",
            "say in a few words what is wrong",
        ));
    }
    let severity = match &args.severity {
        Some(sev) => app.config.parse_severity(sev)?,
        None if ui.can_prompt() => prompt_severity(app)?,
        None => {
            return Err(user_error_with_hint(
                "missing the severity",
                format!("pass -s/--severity, one of {}", app.config.severity_ids()),
            ));
        }
    };
    let mut services =
        if args.services.is_empty() && ui.can_prompt() && !app.config.services.is_empty() {
            prompt_services(app)?
        } else {
            args.services.clone()
        };
    // A set of services, in the order given.
    let mut seen = std::collections::HashSet::new();
    services.retain(|s| seen.insert(s.clone()));
    app.config.check_services(&services)?;
    let labels = parse_labels(&args.labels)?;
    let commander = args.commander.clone().unwrap_or_else(|| app.author.clone());
    if commander.trim().is_empty() {
        return Err(user_error_with_hint(
            "the commander is empty",
            "pass --commander WHO, or leave it out to take command yourself",
        ));
    }
    let opened_at = app.time(args.at.as_deref())?;
    let started_at = args
        .started
        .as_deref()
        .map(|s| app.time(Some(s)))
        .transpose()?;
    if let Some(started) = started_at
        && started > opened_at
    {
        bail!(
            "--started is after the incident was opened; impact starts before (or when) it is detected"
        );
    }

    let _lock = app.lock()?;
    let id = id::new_id(opened_at, &title, |id| app.store.exists(id));
    let oncall = app.config.oncall.for_services(&services, opened_at);
    let header = Header {
        title,
        summary: args.summary.clone(),
        services,
        oncall,
        private: args.private,
        labels,
        started_at,
        opened_at,
        opened_by: app.author.clone(),
        ..Header::default()
    };
    let events = [
        Event::new(
            opened_at,
            &app.author,
            EventKind::Opened {
                severity: severity.clone(),
                status: Status::Investigating,
            },
        ),
        Event::new(
            opened_at,
            &app.author,
            EventKind::Role {
                role: "commander".to_owned(),
                who: Some(commander.clone()),
            },
        ),
    ];
    super::create(app, ui, &id, &header, &events)?;
    ui.out(&format!("{id}\n"))?;
    ui.status(&format!(
        "Opened {id} ({severity}); {commander} is incident commander."
    ));
    Ok(ExitCode::SUCCESS)
}

fn parse_labels(labels: &[String]) -> Result<BTreeMap<String, String>> {
    labels
        .iter()
        .map(|l| match l.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_owned(), v.trim().to_owned())),
            _ => Err(user_error_with_hint(
                format!("the label `{l}` is not KEY=VALUE"),
                "--label region=eu-west-1",
            )),
        })
        .collect()
}

fn prompt_title() -> Result<String> {
    let _prompting = crate::prompt::Prompting::start();
    let title = dialoguer::Input::<String>::new()
        .with_prompt("What is wrong? (title)")
        .validate_with(|t: &String| {
            if t.trim().is_empty() {
                Err("say in a few words what is wrong")
            } else {
                Ok(())
            }
        })
        .interact_text()
        .or_cancel();
    title.context("no title given")
}

fn prompt_severity(app: &App) -> Result<String> {
    let items: Vec<String> = app
        .config
        .severities
        .iter()
        .map(|s| {
            if s.description.is_empty() {
                s.id.clone()
            } else {
                format!("{} — {}", s.id, s.description)
            }
        })
        .collect();
    let default = items.len().saturating_sub(2).min(1);
    let _prompting = crate::prompt::Prompting::start();
    let i = dialoguer::Select::new()
        .with_prompt("Severity")
        .items(&items)
        .default(default)
        .interact_opt()
        .or_cancel()
        .context("no severity chosen")?
        .unwrap_or_else(|| crate::prompt::cancel());
    Ok(app.config.severities[i].id.clone())
}

fn prompt_services(app: &App) -> Result<Vec<String>> {
    let items: Vec<String> = app
        .config
        .services
        .iter()
        .map(|s| match &s.name {
            Some(name) => format!("{} ({name})", s.id),
            None => s.id.clone(),
        })
        .collect();
    let _prompting = crate::prompt::Prompting::start();
    let chosen = dialoguer::MultiSelect::new()
        .with_prompt("Affected services (space to pick, enter to confirm)")
        .items(&items)
        .interact_opt()
        .or_cancel()
        .context("no services chosen")?
        .unwrap_or_else(|| crate::prompt::cancel());
    Ok(chosen
        .into_iter()
        .map(|i| app.config.services[i].id.clone())
        .collect())
}
