//! `inc alert`: an alert payload → a new incident, or `alert` events on the
//! incident of its group.
//!
//! Decisions (see also the README section "Alerts and CI"):
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

use std::collections::BTreeMap;
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow, bail};
use chrono::Duration;

use crate::alert::{self, AlertState, Batch, Format};
use crate::app::{App, backticked};
use crate::cli::{AlertArgs, AlertFormat};
use crate::config::OnResolved;
use crate::model::incident::{GROUP_LABEL, PREVIOUS_LABEL, SOURCE_LABEL};
use crate::model::{Event, EventKind, Header, Mode, Status, id};
use crate::render::text::one_line;
use crate::store::Incident;
use crate::ui::Ui;
use crate::ui::plural;

/// What one payload does to the repository.
enum Plan {
    /// Nothing to write; `id` is the group's incident when there is one.
    Nothing { id: Option<String>, why: String },
    Open {
        header: Box<Header>,
        events: Vec<Event>,
    },
    Append {
        id: String,
        events: Vec<Event>,
        what: String,
    },
}

/// All of a payload, refusing one past [`alert::MAX_PAYLOAD_BYTES`]
/// (read no further: a payload of gigabytes would only exhaust memory).
fn read_payload(reader: impl std::io::Read) -> Result<String> {
    use std::io::Read as _;
    let mut bytes = Vec::new();
    reader
        .take(alert::MAX_PAYLOAD_BYTES + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > alert::MAX_PAYLOAD_BYTES {
        bail!(
            "the payload is larger than {} MB, more than any alert sender sends\n\
             hint: check what is piped to inc alert",
            alert::MAX_PAYLOAD_BYTES >> 20
        );
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
    let batch = alert::parse(&text, format).map_err(|e| anyhow!(e))?;
    let window = alert::parse_window(&app.config.alerts.reopen_window)
        .map_err(|e| anyhow!("{e}\nhint: fix `alerts.reopen_window` in inc.yaml"))?;
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
        bail!(
            "--push needs commits, but `git.commit` is false in inc.yaml\n\
             hint: drop --push, or set `git: {{commit: true}}`"
        );
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
    let plan = plan(app, ui, batch, found.as_ref(), window)?;
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
                ui.warn(&format!("skipped {id} of the alert group: {e:#}"));
                first_error.get_or_insert(e);
            }
            Err(e) => return Err(e),
        }
    }
    let Some(chosen) = route(&incidents) else {
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
            "alert group `{}` has {} open incidents: {}; this alert goes to the oldest, {keep}\n\
             hint: {} merges the duplicate",
            one_line(group, 120),
            open.len(),
            backticked(&open),
            merges.join(", ")
        ));
    }
    Ok(Some(incidents.swap_remove(chosen)))
}

/// Which of a group's incidents an alert goes to: the oldest open one, else
/// the newest. Ties on the opening time go by ID, so every clone picks the
/// same one.
fn route(incidents: &[Incident]) -> Option<usize> {
    let key = |i: &Incident| {
        (
            i.state.opened_at.unwrap_or(i.header.opened_at),
            i.id.clone(),
        )
    };
    let indexed = incidents.iter().enumerate();
    indexed
        .clone()
        .filter(|(_, i)| i.state.is_open())
        .min_by_key(|(_, i)| key(i))
        .or_else(|| indexed.max_by_key(|(_, i)| key(i)))
        .map(|(n, _)| n)
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

/// The last recorded state of every alert of an incident, by fingerprint.
fn alert_states(events: &[Event]) -> BTreeMap<String, String> {
    let mut states = BTreeMap::new();
    for e in events {
        if let EventKind::Alert { key, state, .. } = &e.kind {
            states.insert(key.clone(), state.clone());
        }
    }
    states
}

fn all_resolved(states: &BTreeMap<String, String>) -> bool {
    !states.is_empty() && states.values().all(|s| s == "resolved")
}

/// `alert` events for the alerts whose state differs from `states`
/// (which is updated).
fn alert_events(app: &App, batch: &Batch, states: &mut BTreeMap<String, String>) -> Vec<Event> {
    let source = batch.source.as_str();
    let mut events = Vec::new();
    for a in &batch.alerts {
        let state = a.state.as_str();
        if states.get(&a.fingerprint).map(String::as_str) == Some(state) {
            continue;
        }
        states.insert(a.fingerprint.clone(), state.to_owned());
        events.push(Event::new(
            app.now,
            source,
            EventKind::Alert {
                key: a.fingerprint.clone(),
                state: state.to_owned(),
                source: Some(source.to_owned()),
                text: Some(one_line(&a.text(), 200)),
            },
        ));
    }
    events
}

fn plan(
    app: &App,
    ui: &Ui,
    batch: &Batch,
    found: Option<&Incident>,
    window: Duration,
) -> Result<Plan> {
    let source = batch.source.as_str();
    let Some(incident) = found else {
        if !batch.any_firing() {
            let what = match batch.source {
                alert::Source::Pagerduty => format!(
                    "PagerDuty {} for dedup_key `{}`",
                    batch.alerts[0].state.as_str(),
                    one_line(&batch.group, 120)
                ),
                _ => format!(
                    "resolved {source} alerts of group `{}`",
                    one_line(&batch.group, 120)
                ),
            };
            return Ok(Plan::Nothing {
                id: None,
                why: format!("{what} match no incident"),
            });
        }
        return open(app, ui, batch, None);
    };
    let id = incident.id.clone();
    let mut states = alert_states(&incident.events);
    let status = incident.state.status.unwrap_or(Status::Triage);

    if incident.state.is_open() {
        let was_resolved = all_resolved(&states);
        let mut events = alert_events(app, batch, &mut states);
        if events.is_empty() {
            return Ok(Plan::Nothing {
                id: Some(id.clone()),
                why: format!(
                    "{id} already has these alerts in these states (a repeat notification)"
                ),
            });
        }
        let refired = events.iter().any(|e| {
            matches!(&e.kind, EventKind::Alert { state, .. } if state == AlertState::Firing.as_str())
        });
        let n = events.len();
        let mut what = format!("Added {n} alert event{} to", plural(n));
        if refired && status == Status::Monitoring {
            events.push(Event::new(
                app.now,
                source,
                EventKind::Status {
                    status: Status::Investigating,
                    text: Some("alerts of the group fire again".to_owned()),
                },
            ));
            what.push_str(" (firing again: back to investigating)");
        }
        let resolved_now = all_resolved(&states)
            && !was_resolved
            && (batch.truncated == 0 || batch.group_resolved);
        if resolved_now {
            let total = states.len();
            let text = format!(
                "All {total} alert{} of the group resolved ({source}).",
                plural(total)
            );
            match app.config.alerts.on_resolved {
                OnResolved::Note => {
                    events.push(Event::new(
                        app.now,
                        source,
                        EventKind::Note {
                            text,
                            pinned: false,
                        },
                    ));
                    what.push_str("; all alerts resolved, noted on");
                }
                OnResolved::Monitoring => {
                    if status != Status::Monitoring {
                        events.push(Event::new(
                            app.now,
                            source,
                            EventKind::Status {
                                status: Status::Monitoring,
                                text: Some(text),
                            },
                        ));
                    }
                    what.push_str("; all alerts resolved, monitoring");
                }
                OnResolved::Resolve => {
                    events.push(Event::new(
                        app.now,
                        source,
                        EventKind::Status {
                            status: Status::Resolved,
                            text: Some(text),
                        },
                    ));
                    what.push_str("; all alerts resolved, resolved");
                }
            }
        }
        return Ok(Plan::Append { id, events, what });
    }

    // Closed. Firing alerts that are news: not firing when it was closed,
    // or firing again since (a later `startsAt`).
    let closed_at = incident.state.resolved_at.or(incident.state.last_event_at);
    let news: Vec<&alert::Alert> = batch
        .alerts
        .iter()
        .filter(|a| a.state == AlertState::Firing)
        .filter(|a| {
            states.get(&a.fingerprint).map(String::as_str) != Some("firing")
                || a.starts_at
                    .zip(closed_at)
                    .is_some_and(|(start, closed)| start > closed)
        })
        .collect();
    if news.is_empty() {
        let events = alert_events(app, batch, &mut states);
        if events.is_empty() {
            return Ok(Plan::Nothing {
                id: Some(id.clone()),
                why: format!("{id} is {status} and no alert of its group fires anew"),
            });
        }
        let n = events.len();
        return Ok(Plan::Append {
            id,
            events,
            what: format!("Added {n} alert event{} to the {status}", plural(n)),
        });
    }
    let recent = status == Status::Resolved
        && incident
            .state
            .resolved_at
            .is_some_and(|at| app.now - at <= window);
    if !recent {
        return open(app, ui, batch, Some(&id));
    }
    for a in &news {
        states.remove(&a.fingerprint);
    }
    let back = if incident.state.acknowledged_at.is_some() {
        Status::Investigating
    } else {
        Status::Triage
    };
    let mut events = vec![Event::new(
        app.now,
        source,
        EventKind::Status {
            status: back,
            text: Some(format!(
                "reopened: alerts of the group fire again ({source})"
            )),
        },
    )];
    events.extend(alert_events(app, batch, &mut states));
    Ok(Plan::Append {
        id,
        events,
        what: format!("Reopened ({back}): alerts fire again on"),
    })
}

/// A new incident for the group: triage, no commander.
fn open(app: &App, ui: &Ui, batch: &Batch, previous: Option<&str>) -> Result<Plan> {
    let source = batch.source.as_str();
    let alerts = &app.config.alerts;
    let severity = severity(app, batch.label(&alerts.severity_label))?;
    let mut services: Vec<String> = batch
        .label_values(&alerts.service_label)
        .iter()
        .map(|s| one_line(s, 100))
        .filter(|s| !s.is_empty())
        .collect();
    if !app.config.services.is_empty() {
        services.retain(|s| {
            let known = app.config.services.iter().any(|c| &c.id == s);
            if !known {
                ui.warn(&format!(
                    "the alert names service `{s}`, which inc.yaml does not list; left out"
                ));
            }
            known
        });
    }
    let mut labels = BTreeMap::new();
    labels.insert(GROUP_LABEL.to_owned(), batch.group.clone());
    labels.insert(SOURCE_LABEL.to_owned(), source.to_owned());
    if let Some(previous) = previous {
        labels.insert(PREVIOUS_LABEL.to_owned(), previous.to_owned());
    }
    let mut title = one_line(&batch.title(), 120);
    if title.is_empty() {
        title = format!("Alert from {source}");
    }
    let oncall = app.config.oncall.for_services(&services, app.now);
    let header = Header {
        title,
        services,
        oncall,
        labels,
        mode: batch.test.then_some(Mode::Test),
        started_at: batch.started().filter(|t| *t < app.now),
        opened_at: app.now,
        opened_by: source.to_owned(),
        ..Header::default()
    };
    let mut events = vec![Event::new(
        app.now,
        source,
        EventKind::Opened {
            severity,
            status: Status::Triage,
        },
    )];
    events.extend(alert_events(app, batch, &mut BTreeMap::new()));
    Ok(Plan::Open {
        header: Box::new(header),
        events,
    })
}

/// The severity for a label value: `alerts.severity_map`, else a
/// severity of that name, else the conventional alert severities by rank
/// (see [`conventional_rank`]), else the lowest configured one.
fn severity(app: &App, value: Option<&str>) -> Result<String> {
    let config = &app.config;
    let ids: Vec<&str> = config.severities.iter().map(|s| s.id.as_str()).collect();
    if let Some(value) = value {
        let mapped = config.alerts.severity_map.get(value).or_else(|| {
            config
                .alerts
                .severity_map
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(value))
                .map(|(_, v)| v)
        });
        if let Some(sev) = mapped {
            return config.parse_severity(sev);
        }
        if let Ok(sev) = config.parse_severity(value) {
            return Ok(sev);
        }
        if let Some(sev) = by_rank(&ids, value) {
            return Ok(sev.to_owned());
        }
    }
    match ids.last() {
        Some(s) => Ok((*s).to_owned()),
        None => bail!("inc.yaml lists no severities, so an alert can't open an incident"),
    }
}

/// Where the usual alert severity words sit among the configured
/// severities (most severe first): Prometheus rules' `critical`, `warning`
/// and `info`, and PagerDuty's `critical`, `error`, `warning` and `info`.
/// A `critical` alert should not open the mildest incident just because
/// nobody wrote `alerts.severity_map`; triage corrects it either way.
fn conventional_rank(value: &str) -> Option<usize> {
    match value.trim().to_ascii_lowercase().as_str() {
        "critical" | "page" => Some(0),
        "error" | "high" | "major" => Some(1),
        "warning" | "warn" | "medium" | "minor" => Some(2),
        "info" | "low" | "none" => Some(usize::MAX),
        _ => None,
    }
}

/// The severity `value` names by [`conventional_rank`], clamped to the
/// configured list.
fn by_rank<'a>(ids: &[&'a str], value: &str) -> Option<&'a str> {
    let rank = conventional_rank(value)?;
    ids.get(rank.min(ids.len().checked_sub(1)?)).copied()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::State;
    use chrono::{TimeZone, Utc};

    #[test]
    fn usual_alert_severities_map_by_rank() {
        let four = ["SEV1", "SEV2", "SEV3", "SEV4"];
        assert_eq!(by_rank(&four, "critical"), Some("SEV1"));
        assert_eq!(by_rank(&four, " Critical "), Some("SEV1"));
        assert_eq!(by_rank(&four, "error"), Some("SEV2"));
        assert_eq!(by_rank(&four, "warning"), Some("SEV3"));
        assert_eq!(by_rank(&four, "info"), Some("SEV4"));
        assert_eq!(by_rank(&four, "whatever"), None);
        let two = ["P1", "P2"];
        assert_eq!(by_rank(&two, "warning"), Some("P2"), "clamped to the list");
        assert_eq!(by_rank(&two, "critical"), Some("P1"));
        assert_eq!(by_rank(&[], "critical"), None);
    }

    fn incident(id: &str, opened_min: u32, status: Status) -> Incident {
        let at = Utc
            .with_ymd_and_hms(2026, 11, 27, 12, opened_min, 0)
            .unwrap();
        Incident {
            id: id.to_owned(),
            header: Header {
                opened_at: at,
                ..Header::default()
            },
            events: Vec::new(),
            state: State {
                status: Some(status),
                opened_at: Some(at),
                ..State::default()
            },
        }
    }

    fn routed(incidents: &[Incident]) -> Option<&str> {
        route(incidents).map(|n| incidents[n].id.as_str())
    }

    #[test]
    fn alerts_go_to_the_oldest_open_incident_else_the_newest() {
        use Status::{Investigating, Resolved, Triage};
        assert_eq!(routed(&[]), None);
        let both_open = [incident("b", 1, Triage), incident("a", 0, Triage)];
        assert_eq!(routed(&both_open), Some("a"));
        // The same second: the smaller ID, in every clone.
        let same_time = [incident("x-2", 0, Triage), incident("x", 0, Investigating)];
        assert_eq!(routed(&same_time), Some("x"));
        let one_open = [incident("a", 0, Resolved), incident("b", 1, Triage)];
        assert_eq!(routed(&one_open), Some("b"));
        let old_open = [incident("a", 0, Triage), incident("b", 1, Resolved)];
        assert_eq!(routed(&old_open), Some("a"));
        let closed = [incident("b", 1, Resolved), incident("a", 0, Resolved)];
        assert_eq!(routed(&closed), Some("b"));
    }
}
