//! What one payload does to the repository: open an incident for its group,
//! append `alert` events to the group's incident (and reopen it, or act on
//! `alerts.on_resolved`), or nothing. Pure: the payload, the group's
//! incident as loaded, the configuration and `now` in; a [`Plan`] and the
//! [`Warning`]s to show out. `inc alert` finds the group, applies the plan
//! and prints.
//!
//! The decisions are those the module doc of `commands/alert.rs` lists.

use std::collections::BTreeMap;
use std::fmt;

use anyhow::Result;
use chrono::{DateTime, Duration, Utc};

use super::severity::severity;
use super::{Alert, AlertState, Batch, Source};
use crate::config::{Config, OnResolved};
use crate::model::incident::{GROUP_LABEL, PREVIOUS_LABEL, SOURCE_LABEL};
use crate::model::{Event, EventKind, Header, Mode, State, Status};
use crate::render::text::one_line;
use crate::ui::plural;

/// What one payload does to the repository.
#[derive(Debug, Clone, PartialEq)]
pub enum Plan {
    /// Nothing to write; `id` is the group's incident when there is one.
    Nothing { id: Option<String>, why: String },
    /// A new incident (its ID is the caller's to pick).
    Open {
        header: Box<Header>,
        events: Vec<Event>,
    },
    /// Events for the group's incident; `what` starts the status line that
    /// ends with its ID ("Added 2 alert events to").
    Append {
        id: String,
        events: Vec<Event>,
        what: String,
    },
}

/// Something the user should hear about while the plan still goes ahead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Warning {
    /// The alert names a service inc.yaml does not list; it was left out.
    UnknownService(String),
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::UnknownService(s) => write!(
                f,
                "the alert names service `{s}`, which inc.yaml does not list; left out"
            ),
        }
    }
}

/// The incident the group's alerts go to, as loaded.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    pub id: &'a str,
    pub events: &'a [Event],
    pub state: &'a State,
}

/// One of a group's incidents, for [`route`].
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    pub id: &'a str,
    pub opened_at: DateTime<Utc>,
    pub open: bool,
}

/// Which of a group's incidents an alert goes to: the oldest open one, else
/// the newest. Ties on the opening time go by ID, so every clone picks the
/// same one.
pub fn route(candidates: &[Candidate]) -> Option<usize> {
    fn key<'a>(c: &Candidate<'a>) -> (DateTime<Utc>, &'a str) {
        (c.opened_at, c.id)
    }
    let indexed = candidates.iter().enumerate();
    indexed
        .clone()
        .filter(|(_, c)| c.open)
        .min_by_key(|(_, c)| key(c))
        .or_else(|| indexed.max_by_key(|(_, c)| key(c)))
        .map(|(n, _)| n)
}

/// What `batch` does, given the incident its group goes to (`found`),
/// `alerts.reopen_window` (`window`) and the time.
pub fn plan(
    config: &Config,
    now: DateTime<Utc>,
    window: Duration,
    batch: &Batch,
    found: Option<Target>,
) -> Result<(Plan, Vec<Warning>)> {
    let mut planner = Planner {
        config,
        now,
        batch,
        warnings: Vec::new(),
    };
    let plan = planner.plan(found, window)?;
    Ok((plan, planner.warnings))
}

/// The last recorded state of every alert, by fingerprint. `None` is a
/// state inc does not write (a hand-edited timeline): it equals no state a
/// payload sends.
type States = BTreeMap<String, Option<AlertState>>;

/// The last recorded state of every alert of an incident, by fingerprint.
fn alert_states(events: &[Event]) -> States {
    let mut states = BTreeMap::new();
    for e in events {
        if let EventKind::Alert { key, state, .. } = &e.kind {
            states.insert(key.clone(), AlertState::parse(state));
        }
    }
    states
}

fn all_resolved(states: &States) -> bool {
    !states.is_empty() && states.values().all(|s| *s == Some(AlertState::Resolved))
}

struct Planner<'a> {
    config: &'a Config,
    now: DateTime<Utc>,
    batch: &'a Batch,
    warnings: Vec<Warning>,
}

impl<'a> Planner<'a> {
    fn source(&self) -> &'static str {
        self.batch.source.as_str()
    }

    fn event(&self, kind: EventKind) -> Event {
        Event::new(self.now, self.source(), kind)
    }

    /// The alerts of the batch whose state differs from `states` (which is
    /// updated).
    fn changed(&self, states: &mut States) -> Vec<&'a Alert> {
        let mut changed = Vec::new();
        for a in &self.batch.alerts {
            if states.get(&a.fingerprint) == Some(&Some(a.state)) {
                continue;
            }
            states.insert(a.fingerprint.clone(), Some(a.state));
            changed.push(a);
        }
        changed
    }

    /// An `alert` event for each of `alerts`.
    fn alert_events(&self, alerts: &[&Alert]) -> Vec<Event> {
        let source = self.source();
        alerts
            .iter()
            .map(|a| {
                self.event(EventKind::Alert {
                    key: a.fingerprint.clone(),
                    state: a.state.as_str().to_owned(),
                    source: Some(source.to_owned()),
                    text: Some(one_line(&a.text(), 200)),
                })
            })
            .collect()
    }

    fn plan(&mut self, found: Option<Target>, window: Duration) -> Result<Plan> {
        let Some(incident) = found else {
            return self.unknown_group();
        };
        if incident.state.is_open() {
            Ok(self.on_open(incident))
        } else {
            self.on_closed(incident, window)
        }
    }

    /// No incident has the group yet: open one if anything fires.
    fn unknown_group(&mut self) -> Result<Plan> {
        let batch = self.batch;
        if batch.any_firing() {
            return self.open(None);
        }
        let what = match batch.source {
            Source::Pagerduty => format!(
                "PagerDuty {} for dedup_key `{}`",
                batch.alerts[0].state.as_str(),
                one_line(&batch.group, 120)
            ),
            _ => format!(
                "resolved {} alerts of group `{}`",
                self.source(),
                one_line(&batch.group, 120)
            ),
        };
        Ok(Plan::Nothing {
            id: None,
            why: format!("{what} match no incident"),
        })
    }

    /// The group's incident is open: record what changed; an alert firing
    /// again on a `monitoring` incident puts it back to `investigating`,
    /// and the last firing alert resolving acts on `alerts.on_resolved`.
    fn on_open(&self, incident: Target) -> Plan {
        let id = incident.id.to_owned();
        let status = incident.state.status.unwrap_or(Status::Triage);
        let mut states = alert_states(incident.events);
        let was_resolved = all_resolved(&states);
        let changed = self.changed(&mut states);
        if changed.is_empty() {
            return Plan::Nothing {
                why: format!(
                    "{id} already has these alerts in these states (a repeat notification)"
                ),
                id: Some(id),
            };
        }
        let mut events = self.alert_events(&changed);
        let n = events.len();
        let mut what = format!("Added {n} alert event{} to", plural(n));
        let refired = changed.iter().any(|a| a.state == AlertState::Firing);
        if refired && status == Status::Monitoring {
            events.push(self.event(EventKind::Status {
                status: Status::Investigating,
                text: Some("alerts of the group fire again".to_owned()),
            }));
            what.push_str(" (firing again: back to investigating)");
        }
        let resolved_now = all_resolved(&states)
            && !was_resolved
            && (self.batch.truncated == 0 || self.batch.group_resolved);
        if resolved_now {
            self.on_resolved(status, states.len(), &mut events, &mut what);
        }
        Plan::Append { id, events, what }
    }

    /// The last firing alert of the group resolved: `alerts.on_resolved`.
    fn on_resolved(
        &self,
        status: Status,
        total: usize,
        events: &mut Vec<Event>,
        what: &mut String,
    ) {
        let text = format!(
            "All {total} alert{} of the group resolved ({}).",
            plural(total),
            self.source()
        );
        let (event, says) = match self.config.alerts.on_resolved {
            OnResolved::Note => (
                Some(EventKind::Note {
                    text,
                    pinned: false,
                }),
                "noted on",
            ),
            OnResolved::Monitoring => (
                (status != Status::Monitoring).then_some(EventKind::Status {
                    status: Status::Monitoring,
                    text: Some(text),
                }),
                "monitoring",
            ),
            OnResolved::Resolve => (
                Some(EventKind::Status {
                    status: Status::Resolved,
                    text: Some(text),
                }),
                "resolved",
            ),
        };
        events.extend(event.map(|kind| self.event(kind)));
        what.push_str("; all alerts resolved, ");
        what.push_str(says);
    }

    /// The group's incident is closed. Firing alerts that are news (not
    /// firing when it was closed, or firing again since: a later
    /// `startsAt`) reopen it within `window` of its resolution, else open a
    /// new incident that follows it.
    fn on_closed(&mut self, incident: Target, window: Duration) -> Result<Plan> {
        let id = incident.id.to_owned();
        let state = incident.state;
        let status = state.status.unwrap_or(Status::Triage);
        let mut states = alert_states(incident.events);
        let closed_at = state.resolved_at.or(state.last_event_at);
        let news: Vec<&Alert> = self
            .batch
            .alerts
            .iter()
            .filter(|a| a.state == AlertState::Firing)
            .filter(|a| {
                states.get(&a.fingerprint) != Some(&Some(AlertState::Firing))
                    || a.starts_at
                        .zip(closed_at)
                        .is_some_and(|(start, closed)| start > closed)
            })
            .collect();
        if news.is_empty() {
            let changed = self.changed(&mut states);
            if changed.is_empty() {
                return Ok(Plan::Nothing {
                    why: format!("{id} is {status} and no alert of its group fires anew"),
                    id: Some(id),
                });
            }
            let n = changed.len();
            return Ok(Plan::Append {
                id,
                events: self.alert_events(&changed),
                what: format!("Added {n} alert event{} to the {status}", plural(n)),
            });
        }
        let recent = status == Status::Resolved
            && state.resolved_at.is_some_and(|at| self.now - at <= window);
        if !recent {
            return self.open(Some(&id));
        }
        for a in &news {
            states.remove(&a.fingerprint);
        }
        let back = if state.acknowledged_at.is_some() {
            Status::Investigating
        } else {
            Status::Triage
        };
        let mut events = vec![self.event(EventKind::Status {
            status: back,
            text: Some(format!(
                "reopened: alerts of the group fire again ({})",
                self.source()
            )),
        })];
        let changed = self.changed(&mut states);
        events.extend(self.alert_events(&changed));
        Ok(Plan::Append {
            id,
            events,
            what: format!("Reopened ({back}): alerts fire again on"),
        })
    }

    /// A new incident for the group: triage, no commander; `previous` is
    /// the closed incident of the group it follows.
    fn open(&mut self, previous: Option<&str>) -> Result<Plan> {
        let (config, batch, now) = (self.config, self.batch, self.now);
        let source = self.source();
        let alerts = &config.alerts;
        let severity = severity(config, batch.label(&alerts.severity_label))?;
        let mut services: Vec<String> = batch
            .label_values(&alerts.service_label)
            .iter()
            .map(|s| one_line(s, 100))
            .filter(|s| !s.is_empty())
            .collect();
        if !config.services.is_empty() {
            services.retain(|s| {
                let known = config.services.iter().any(|c| &c.id == s);
                if !known {
                    self.warnings.push(Warning::UnknownService(s.clone()));
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
        let oncall = config.oncall.for_services(&services, now);
        let header = Header {
            title,
            services,
            oncall,
            labels,
            mode: batch.test.then_some(Mode::Test),
            started_at: batch.started().filter(|t| *t < now),
            opened_at: now,
            opened_by: source.to_owned(),
            ..Header::default()
        };
        let mut events = vec![self.event(EventKind::Opened {
            severity,
            status: Status::Triage,
        })];
        let changed = self.changed(&mut BTreeMap::new());
        events.extend(self.alert_events(&changed));
        Ok(Plan::Open {
            header: Box::new(header),
            events,
        })
    }
}

#[cfg(test)]
mod tests;
