//! `inc oncall`: who is on call now (or at a time) and next, per rotation;
//! `inc oncall override` adds an override to oncall.yaml and commits it;
//! `inc oncall calendar` prints a rotation's shifts as iCalendar.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow, bail};
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

use crate::app::{App, backticked};
use crate::cli::{CalendarArgs, Global, OncallArgs, OncallCommand, OverrideArgs};
use crate::config::Config;
use crate::config::oncall::{
    ONCALL_FILE, add_override_text, describe, overlapping, override_item, parse_time, write_time,
};
use crate::error::{WithHint, user_error_with_hint};
use crate::model::oncall::{Override, Rotation};
use crate::model::when;
use crate::render::oncall::{self as render, RotationNow, RotationView};
use crate::store::CONFIG_FILE;
use crate::store::change::{Change, Edit};
use crate::ui::Ui;

/// The most events one calendar holds (a 1-minute shift for years would
/// otherwise make millions).
const MAX_CALENDAR_EVENTS: usize = 5000;

pub fn run(app: &App, ui: &Ui, global: &Global, args: &OncallArgs) -> Result<ExitCode> {
    match &args.command {
        Some(OncallCommand::Override(o)) => add_override(app, ui, o),
        Some(OncallCommand::Calendar(c)) => calendar(app, ui, c),
        None => show(app, ui, global, args),
    }
}

fn no_rotations() -> anyhow::Error {
    user_error_with_hint(
        "no on-call rotation is configured",
        "add `oncall: {rotations: [...]}` to inc.yaml or oncall.yaml (the README's \
         \"On call and escalation\" shows one)",
    )
}

/// The rotation named `id`, or an error listing the configured ones.
fn rotation<'a>(app: &'a App, id: &str) -> Result<&'a Rotation> {
    let oncall = &app.config.oncall;
    if oncall.rotations.is_empty() {
        return Err(no_rotations());
    }
    oncall.rotation(id).ok_or_else(|| {
        let ids: Vec<&str> = oncall.rotations.iter().map(|r| r.id.as_str()).collect();
        anyhow!("unknown rotation `{id}`; rotations: {}", backticked(&ids))
    })
}

fn show(app: &App, ui: &Ui, global: &Global, args: &OncallArgs) -> Result<ExitCode> {
    let oncall = &app.config.oncall;
    if oncall.rotations.is_empty() {
        return Err(no_rotations());
    }
    let at = match &args.at {
        Some(s) => when::parse_any(s, app.now, app.zone).context("--at")?,
        None => app.now,
    };
    if let Some(id) = &args.rotation {
        rotation(app, id)?;
    }
    if let Some(service) = &args.service {
        app.config.check_services(std::slice::from_ref(service))?;
    }
    let services: Vec<String> = args.service.iter().cloned().collect();
    let chosen: Vec<&Rotation> = oncall
        .rotations
        .iter()
        .filter(|r| args.rotation.as_ref().is_none_or(|id| &r.id == id))
        .filter(|r| args.service.is_none() || r.covers(&services))
        .collect();
    let rows: Vec<RotationNow<'_>> = chosen
        .iter()
        .map(|r| RotationNow {
            id: &r.id,
            now: oncall.at(&r.id, at),
            next: oncall.next(&r.id, at),
        })
        .collect();
    if global.json {
        let views: Vec<RotationView<'_>> = rows.iter().map(RotationNow::view).collect();
        ui.out(&(serde_json::to_string_pretty(&views)? + "\n"))?;
        return Ok(ExitCode::SUCCESS);
    }
    if rows.is_empty() {
        ui.status(&format!(
            "No rotation is paged for service `{}`.",
            args.service.as_deref().unwrap_or_default()
        ));
        return Ok(ExitCode::SUCCESS);
    }
    ui.out(&render::text(&rows, app.zone))?;
    Ok(ExitCode::SUCCESS)
}

/// An override time: as in the file (the rotation's local clock, or RFC
/// 3339), else any form `--at` takes (`tomorrow 09:00`, relative).
fn override_time(app: &App, zone: Tz, flag: &str, s: &str) -> Result<DateTime<Utc>> {
    if let Ok((_, at)) = parse_time(s, zone) {
        return Ok(at);
    }
    when::parse_any(s, app.now, zone).with_context(|| flag.to_owned())
}

fn add_override(app: &App, ui: &Ui, args: &OverrideArgs) -> Result<ExitCode> {
    let _lock = app.lock()?;
    let rotation = rotation(app, &args.rotation)?;
    let who = args.who.trim();
    if who.is_empty() {
        return Err(user_error_with_hint(
            "WHO is empty",
            "name who is on call instead",
        ));
    }
    let zone = rotation.zone;
    let from = override_time(app, zone, "--from", &args.from)?;
    let to = override_time(app, zone, "--to", &args.to)?;
    if to <= from {
        bail!(
            "--to ({}) is not after --from ({})",
            write_time(to, zone),
            write_time(from, zone)
        );
    }
    let new = Override {
        rotation: rotation.id.clone(),
        who: who.to_owned(),
        from,
        to,
    };
    if let Some(n) = overlapping(&app.config.oncall.overrides, &new) {
        let other = &app.config.oncall.overrides[n];
        return Err(user_error_with_hint(
            format!(
                "overrides of `{}` overlap: {} (already configured) and {} (this one)",
                rotation.id,
                describe(other, zone),
                describe(&new, zone)
            ),
            "remove or shorten the one in the file first, or pick other times",
        ));
    }
    if to <= app.now {
        ui.warn("this override ends in the past; it changes nothing to come");
    }
    let (from_text, to_text) = (write_time(from, zone), write_time(to, zone));
    let item = override_item(&rotation.id, who, &from_text, &to_text);
    let old = app.store.read_oncall()?;
    let hand =
        format!("add this item to `oncall: overrides:` in {ONCALL_FILE} by hand:\n  - {item}");
    let Some(new_text) = add_override_text(old.as_deref(), &item) else {
        return Err(user_error_with_hint(
            format!("can't add the override to {ONCALL_FILE} without rewriting it"),
            hand,
        ));
    };
    // The edited file must read back as before plus this override.
    let inc_text = app.store.read_config()?;
    let check = Config::parse_with(
        &inc_text,
        Path::new(CONFIG_FILE),
        Some((&new_text, Path::new(ONCALL_FILE))),
    )
    .with_context(|| format!("the edited {ONCALL_FILE} would not read back"))
    .with_hint(hand.clone())?;
    let mut expected = app.config.oncall.overrides.clone();
    expected.push(new.clone());
    let key = |o: &Override| (o.rotation.clone(), o.from, o.to, o.who.clone());
    let mut got: Vec<_> = check.oncall.overrides.iter().map(key).collect();
    let mut want: Vec<_> = expected.iter().map(key).collect();
    got.sort();
    want.sort();
    if got != want {
        return Err(user_error_with_hint(
            format!("the edited {ONCALL_FILE} would not hold exactly this override added"),
            hand,
        ));
    }
    let edit = match old {
        Some(_) => Edit::Replace(new_text.into_bytes()),
        None => Edit::Create(new_text.into_bytes()),
    };
    let change = Change {
        files: vec![(Path::new(ONCALL_FILE).to_path_buf(), edit)],
        new_dir: None,
    };
    let what = describe(&new, zone);
    let message = format!(
        "oncall: override {}: {what}\n\n{who} is on call for {} from {} until {}.\n",
        rotation.id,
        rotation.id,
        when::show(from, zone),
        when::show(to, zone)
    );
    app.change_with_message(ui, &change, &message)?;
    ui.status(&format!(
        "Added the override of `{}`: {what} (in {ONCALL_FILE}).",
        rotation.id
    ));
    Ok(ExitCode::SUCCESS)
}

fn calendar(app: &App, ui: &Ui, args: &CalendarArgs) -> Result<ExitCode> {
    let rotation = rotation(app, &args.rotation)?;
    let oncall = &app.config.oncall;
    // From the start of the current shift (or now, before the first one).
    let from = oncall.at(&rotation.id, app.now).map_or(app.now, |s| s.from);
    let until = app.now + Duration::weeks(i64::from(args.weeks));
    let shifts = oncall.shifts(&rotation.id, from, until, MAX_CALENDAR_EVENTS);
    if shifts.len() == MAX_CALENDAR_EVENTS {
        ui.warn(&format!(
            "the calendar stops at {MAX_CALENDAR_EVENTS} shifts; pass fewer --weeks"
        ));
    }
    let text = render::ical(&render::Calendar {
        rotation: &rotation.id,
        name: app.config.name.as_deref(),
        now: app.now,
        shifts: &shifts,
    });
    ui.out(&text)?;
    Ok(ExitCode::SUCCESS)
}
