//! `inc alert`: an alert payload → a new incident, or `alert` events on the
//! incident of its group.
//!
//! This file reads the payload, finds the group's incidents, applies the
//! plan under the lock and prints; the choices are made by the pure
//! [`crate::alert::plan`]. Decisions (see also the README section "Alerts
//! and CI"):
//! - A group is found by the `alert_group` label of incident headers; only
//!   headers are read to find it, then the group's incidents are loaded.
//!   The oldest open one wins (several are open when two jobs opened the
//!   group at once: `inc merge` ends that), else the newest. An incident
//!   merged into another (`duplicate_of`) never gets alerts.
//! - Each alert is tracked by fingerprint: an `alert` event is appended only
//!   when its state differs from the last recorded one, so a repeat
//!   notification appends nothing and makes no commit.
//! - A group whose incident was resolved within `alerts.reopen_window`
//!   reopens it: back to `investigating` when a person had acknowledged it,
//!   else back to `triage` (nobody has looked at it yet). After the window,
//!   a new incident carries `previous: <old id>` in its labels. A repeat of
//!   an alert that was still firing when a person resolved the incident
//!   (same fingerprint, same `startsAt`) reopens nothing: the person chose
//!   to resolve it.
//! - `alerts.on_resolved` runs once, when the last firing alert of the
//!   group resolves; with `truncatedAlerts` > 0, only if the group itself
//!   says `resolved`. An alert firing again on a `monitoring` incident puts
//!   it back to `investigating`.
//! - Grafana's test button opens a `mode: test` incident (out of metrics,
//!   off the status page).

use std::process::ExitCode;

use anyhow::{Context, Result, anyhow};
use chrono::Duration;

use crate::alert::plan::{self, Candidate, Plan, Target, route};
use crate::alert::{self, Batch, Format};
use crate::app::{App, backticked};
use crate::cli::{AlertArgs, AlertFormat};
use crate::error::user_error_with_hint;
use crate::model::incident::{GROUP_LABEL, PREVIOUS_LABEL};
use crate::model::{Event, EventKind, id};
use crate::render::text::one_line;
use crate::store::Incident;
use crate::ui::Ui;

/// All of a payload, refusing one past [`alert::MAX_PAYLOAD_BYTES`]
/// (read no further: a payload of gigabytes would only exhaust memory).
fn read_payload(reader: impl std::io::Read) -> Result<String> {
    use std::io::Read as _;
    let mut bytes = Vec::new();
    reader
        .take(alert::MAX_PAYLOAD_BYTES + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > alert::MAX_PAYLOAD_BYTES {
        return Err(user_error_with_hint(
            format!(
                "the payload is larger than {} MB, more than any alert sender sends",
                alert::MAX_PAYLOAD_BYTES >> 20
            ),
            "check what is piped to inc alert",
        ));
    }
    String::from_utf8(bytes).map_err(|_| anyhow!("the payload is not UTF-8 text"))
}

pub fn run(app: &App, ui: &Ui, args: &AlertArgs) -> Result<ExitCode> {
    let text = if args.file == "-" {
        read_payload(std::io::stdin().lock()).context("can't read the alert payload from stdin")?
    } else {
        std::fs::File::open(&args.file)
            .map_err(anyhow::Error::from)
            .and_then(read_payload)
            .with_context(|| format!("can't read the alert payload {}", args.file))?
    };
    let format = match args.format {
        AlertFormat::Auto => Format::Auto,
        AlertFormat::Alertmanager => Format::Alertmanager,
        AlertFormat::Grafana => Format::Grafana,
        AlertFormat::Pagerduty => Format::Pagerduty,
    };
    let batch = alert::parse(&text, format)?;
    let window = alert::parse_window(&app.config.alerts.reopen_window).map_err(|e| {
        user_error_with_hint(e.to_string(), "fix `alerts.reopen_window` in inc.yaml")
    })?;
    if batch.truncated > 0 {
        ui.warn(&format!(
            "the {} payload left out {} alerts (truncatedAlerts); only the {} sent are tracked",
            batch.source,
            batch.truncated,
            batch.alerts.len()
        ));
    }

    // A payload that does not parse stopped us above, before any sync.
    let push = args.push && !args.dry_run;
    if push && !app.commits() {
        return Err(user_error_with_hint(
            "--push needs commits, but `git.commit` is false in inc.yaml",
            "drop --push, or set `git: {commit: true}`",
        ));
    }
    if args.push && args.dry_run {
        ui.status("--dry-run writes nothing, so nothing is pushed.");
    }
    // Pull first, so an incident another job already opened for this group
    // is found and not opened twice.
    if push {
        super::sync::sync(app, ui, &super::sync::Options::DEFAULT)?;
    }
    apply(app, ui, args, &batch, window)?;
    if push {
        super::sync::sync(app, ui, &super::sync::Options::DEFAULT)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes and commits what the payload does (under the lock), or with
/// `--dry-run` prints it.
fn apply(app: &App, ui: &Ui, args: &AlertArgs, batch: &Batch, window: Duration) -> Result<()> {
    let _lock = if args.dry_run {
        None
    } else {
        Some(app.lock()?)
    };
    let found = find_group(app, ui, batch)?;
    let target = found.as_ref().map(|i| Target {
        id: &i.id,
        events: &i.events,
        state: &i.state,
    });
    let (plan, warnings) = plan::plan(&app.config, app.now, window, batch, target)?;
    for warning in &warnings {
        ui.warn(&warning.to_string());
    }
    let source = batch.source.as_str();
    match plan {
        Plan::Nothing { id, why } => {
            if args.dry_run {
                ui.out(&format!("nothing: {why}\n"))?;
            } else {
                if let Some(id) = &id {
                    ui.out(&format!("{id}\n"))?;
                }
                ui.status(&format!("Nothing written: {why}."));
            }
        }
        Plan::Open { header, events } => {
            let id = id::new_id(header.opened_at, &header.title, |id| app.store.exists(id));
            if args.dry_run {
                ui.out(&format!("open {id}\n"))?;
                print_events(ui, &events)?;
                return Ok(());
            }
            super::create(app, ui, &id, &header, &events)?;
            ui.out(&format!("{id}\n"))?;
            let severity = match &events[0].kind {
                EventKind::Opened { severity, .. } => severity.as_str(),
                _ => "",
            };
            let linked = header
                .labels
                .get(PREVIOUS_LABEL)
                .map(|p| format!(", following {p}"))
                .unwrap_or_default();
            ui.status(&format!(
                "Opened {id} ({severity}, triage) from {source}{linked}: no commander yet; `inc ack {id}` takes it."
            ));
        }
        Plan::Append { id, events, what } => {
            if args.dry_run {
                ui.out(&format!("append {} events to {id}\n", events.len()))?;
                print_events(ui, &events)?;
                return Ok(());
            }
            super::record(app, ui, &id, &events)?;
            ui.out(&format!("{id}\n"))?;
            ui.status(&format!("{what} {id}."));
        }
    }
    Ok(())
}

fn print_events(ui: &Ui, events: &[Event]) -> Result<()> {
    for e in events {
        ui.out(&format!("  + {}\n", one_line(&e.describe(), 160)))?;
    }
    Ok(())
}

/// The incident an alert of `batch`'s group (from its source) goes to, if any. Reads the headers only
/// (on all cores, parsing only those whose text may name the group), then
/// loads only the group's incidents (usually one):
/// - an incident merged into another (`duplicate_of`) never gets alerts;
/// - of several open ones (two jobs opened the group at once), the oldest,
///   with a warning naming the `inc merge` that ends the duplicate;
/// - else the newest, which may reopen or be followed by a new one;
/// - when every incident of the group was merged away, the one it was
///   merged into (which took over its alerts).
fn find_group(app: &App, ui: &Ui, batch: &Batch) -> Result<Option<Incident>> {
    let (source, group) = (batch.source.as_str(), batch.group.as_str());
    let mut ids = Vec::new();
    let mut merged_into = None;
    // A broken header is `inc check`'s to report, not a reason to drop an
    // alert: `with_label` skips it. The group is the source's
    // (`Header::in_group`).
    let headers = app
        .store
        .with_label(GROUP_LABEL, group, |h| h.in_group(source, group))?;
    for (id, header) in headers {
        match header.duplicate_of() {
            Some(keep) => {
                merged_into.get_or_insert_with(|| keep.to_owned());
            }
            None => ids.push(id),
        }
    }
    if ids.is_empty() {
        return Ok(merged_into.and_then(|keep| follow_merges(app, keep)));
    }
    let mut incidents = Vec::with_capacity(ids.len());
    let mut first_error = None;
    for id in &ids {
        match app.load(id) {
            Ok(incident) => incidents.push(incident),
            Err(e) if ids.len() > 1 => {
                ui.warn_about(&format!("skipped {id} of the alert group: {e:#}"), &e);
                first_error.get_or_insert(e);
            }
            Err(e) => return Err(e),
        }
    }
    let candidates: Vec<Candidate> = incidents
        .iter()
        .map(|i| Candidate {
            id: &i.id,
            opened_at: i.state.opened_at.unwrap_or(i.header.opened_at),
            open: i.state.is_open(),
        })
        .collect();
    let Some(chosen) = route(&candidates) else {
        return Err(first_error.unwrap_or_else(|| anyhow!("no incident of the group loads")));
    };
    let open: Vec<&str> = incidents
        .iter()
        .filter(|i| i.state.is_open())
        .map(|i| i.id.as_str())
        .collect();
    let keep = incidents[chosen].id.clone();
    if open.len() > 1 {
        let dups: Vec<&str> = open.iter().copied().filter(|id| *id != keep).collect();
        let merges: Vec<String> = dups
            .iter()
            .map(|dup| format!("`inc merge {dup} --into {keep}`"))
            .collect();
        ui.warn(&format!(
            "alert group `{}` has {} open incidents: {}; this alert goes to the oldest, {keep}",
            one_line(group, 120),
            open.len(),
            backticked(&open),
        ));
        ui.hint(&format!("{} merges the duplicate", merges.join(", ")));
    }
    Ok(Some(incidents.swap_remove(chosen)))
}

/// The incident `keep` names, following further merges (at most a few, in
/// case the labels loop); `None` when it is gone or broken.
fn follow_merges(app: &App, mut keep: String) -> Option<Incident> {
    for _ in 0..8 {
        let incident = app.store.load(&keep).ok()?;
        match incident.header.duplicate_of() {
            Some(next) => keep = next.to_owned(),
            None => return Some(incident),
        }
    }
    None
}
