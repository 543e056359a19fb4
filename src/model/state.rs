//! The current state of an incident: a pure fold over its events.
//!
//! Nothing here is stored; every reader recomputes it from the timeline, so
//! the timeline stays the single source of truth.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};

use super::event::{Event, EventKind};
use super::status::{Impact, Status};

/// A follow-up action, as folded from `action` and `action_done` events.
#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    pub id: u32,
    pub text: String,
    pub owner: Option<String>,
    pub due: Option<String>,
    pub link: Option<String>,
    pub done: bool,
}

impl Action {
    /// The due date, as [`parse_due`] reads it. A `due` it can't read is
    /// no date, so never overdue (`inc check` reports it as invalid).
    pub fn due_date(&self) -> Option<NaiveDate> {
        parse_due(self.due.as_deref()?)
    }

    /// Not done, and due before `today` (an action due today is not late).
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        !self.done && self.due_date().is_some_and(|due| due < today)
    }
}

/// An action's due date: `YYYY-MM-DD`, as `inc action add` stores it, or
/// an RFC 3339 time (its date where it was written), for hand-written
/// files. The one rule `inc check`, `inc action list`, `inc stats` and the
/// postmortem share.
pub fn parse_due(due: &str) -> Option<NaiveDate> {
    let due = due.trim();
    NaiveDate::parse_from_str(due, "%Y-%m-%d").ok().or_else(|| {
        DateTime::parse_from_rfc3339(due)
            .ok()
            .map(|t| t.date_naive())
    })
}

/// An escalation page sent (a `page` event).
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub at: DateTime<Utc>,
    pub who: String,
    pub level: u32,
}

/// Where an incident stands after all its events.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct State {
    /// `None` only for a timeline with no `opened` event (a broken file).
    pub status: Option<Status>,
    pub severity: Option<String>,
    /// Who opened it (the `by` of the `opened` event).
    pub opened_by: Option<String>,
    pub opened_at: Option<DateTime<Utc>>,
    /// role → person; unassigned roles are absent.
    pub roles: BTreeMap<String, String>,
    /// An explicit overall impact; `None` means "default for the severity".
    pub impact: Option<Impact>,
    /// Explicit per-service impacts.
    pub service_impact: BTreeMap<String, Impact>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub acknowledged_by: Option<String>,
    /// When a person first took it up: opened it, acknowledged it, posted
    /// an update, changed its status or assigned a role. Automation (the
    /// opener of an incident that started in triage, and whoever wrote its
    /// alert events) never does, whatever it does to the incident: an
    /// incident nobody took up stays off the status page.
    pub taken_up_at: Option<DateTime<Utc>>,
    /// Who wrote automation's events: the opener of an incident that
    /// started in triage, and the authors of alert events.
    pub automation: Vec<String>,
    pub mitigated_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    /// Who resolved it (the author of the event that set `resolved_at`).
    pub resolved_by: Option<String>,
    /// When it was last closed (resolved, declined, completed); `None`
    /// while it is open.
    pub closed_at: Option<DateTime<Utc>>,
    pub actions: Vec<Action>,
    /// The time of the newest event.
    pub last_event_at: Option<DateTime<Utc>>,
    /// Escalation pages sent, in time order. A page acknowledges nothing
    /// and takes nothing up: `inc escalate` reads which levels were sent,
    /// `inc stats` counts them.
    pub pages: Vec<Page>,
}

/// The events that reached the phases, as indexes (see [`State::reached`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reached {
    pub detected: Option<usize>,
    pub acknowledged: Option<usize>,
    pub mitigated: Option<usize>,
    pub resolved: Option<usize>,
}

impl State {
    /// Folds events, which must be sorted by time (the store sorts them).
    pub fn fold(events: &[Event]) -> State {
        events.iter().fold(State::default(), State::apply)
    }

    /// Which event (an index into `events`, sorted as for [`State::fold`])
    /// gave each phase time its final value: a timeline puts each phase
    /// marker just before that event, so events sharing its second keep
    /// their file order around it.
    pub fn reached(events: &[Event]) -> Reached {
        let mut state = State::default();
        let mut reached = Reached::default();
        for (i, event) in events.iter().enumerate() {
            let before = [
                state.opened_at,
                state.acknowledged_at,
                state.mitigated_at,
                state.resolved_at,
            ];
            state = state.apply(event);
            let after = [
                state.opened_at,
                state.acknowledged_at,
                state.mitigated_at,
                state.resolved_at,
            ];
            let slots = [
                &mut reached.detected,
                &mut reached.acknowledged,
                &mut reached.mitigated,
                &mut reached.resolved,
            ];
            for ((old, new), slot) in before.into_iter().zip(after).zip(slots) {
                if new.is_some() && new != old {
                    *slot = Some(i);
                }
            }
        }
        reached
    }

    /// Whether the incident still needs attention.
    pub fn is_open(&self) -> bool {
        self.status.is_some_and(|s| !s.is_closed())
    }

    pub fn commander(&self) -> Option<&str> {
        self.roles.get("commander").map(String::as_str)
    }

    fn apply(mut self, event: &Event) -> State {
        let resolved_before = self.resolved_at;
        self = self.apply_kind(event);
        if self.resolved_at.is_none() {
            self.resolved_by = None;
        } else if self.resolved_at != resolved_before {
            self.resolved_by = Some(event.by.clone());
        }
        self
    }

    fn apply_kind(mut self, event: &Event) -> State {
        self.last_event_at = Some(event.at);
        match &event.kind {
            EventKind::Opened { severity, status } => {
                self.opened_by = Some(event.by.clone());
                self.opened_at = Some(event.at);
                self.severity = Some(severity.clone());
                // A person opening an incident has acknowledged it; one opened
                // by automation starts in triage and waits for a person.
                if *status == Status::Triage {
                    self.automation.push(event.by.clone());
                } else {
                    self.acknowledge(event);
                    self.take_up(event);
                }
                self.set_status(*status, event.at);
            }
            EventKind::Ack => {
                self.acknowledge(event);
                self.take_up(event);
                if self.status == Some(Status::Triage) {
                    self.set_status(Status::Investigating, event.at);
                }
            }
            EventKind::Status { status, .. } => {
                self.take_up(event);
                self.set_status(*status, event.at);
            }
            EventKind::Update { status, .. } => {
                self.implicit_ack(event);
                self.take_up(event);
                if let Some(status) = status {
                    self.set_status(*status, event.at);
                }
            }
            EventKind::Severity { severity } => {
                self.implicit_ack(event);
                self.severity = Some(severity.clone());
            }
            EventKind::Role { role, who } => {
                self.implicit_ack(event);
                self.take_up(event);
                match who {
                    Some(who) => self.roles.insert(role.clone(), who.clone()),
                    None => self.roles.remove(role),
                };
            }
            EventKind::Note { .. } => self.implicit_ack(event),
            EventKind::Impact { impact, service } => match service {
                Some(s) => {
                    self.service_impact.insert(s.clone(), *impact);
                }
                None => self.impact = Some(*impact),
            },
            EventKind::Action {
                id,
                text,
                owner,
                due,
                link,
            } => {
                self.actions.retain(|a| a.id != *id);
                self.actions.push(Action {
                    id: *id,
                    text: text.clone(),
                    owner: owner.clone(),
                    due: due.clone(),
                    link: link.clone(),
                    done: false,
                });
            }
            EventKind::ActionDone { id } => {
                if let Some(a) = self.actions.iter_mut().find(|a| a.id == *id) {
                    a.done = true;
                }
            }
            EventKind::Alert { .. } => {
                if !self.automation.contains(&event.by) {
                    self.automation.push(event.by.clone());
                }
            }
            EventKind::Page { who, level } => self.pages.push(Page {
                at: event.at,
                who: who.clone(),
                level: *level,
            }),
            EventKind::Other { .. } => {}
        }
        self
    }

    /// Whether level `level` of the escalation policy was paged.
    pub fn paged_level(&self, level: u32) -> bool {
        self.pages.iter().any(|p| p.level == level)
    }

    /// A person's ack, update, status change or role assignment takes the
    /// incident up; the same event by automation does not.
    fn take_up(&mut self, event: &Event) {
        if self.taken_up_at.is_none() && !self.automation.contains(&event.by) {
            self.taken_up_at = Some(event.at);
        }
    }

    fn acknowledge(&mut self, event: &Event) {
        if self.acknowledged_at.is_none() {
            self.acknowledged_at = Some(event.at);
            self.acknowledged_by = Some(event.by.clone());
        }
    }

    /// For an incident opened by automation, the first thing a person other
    /// than the opener does counts as acknowledging it.
    fn implicit_ack(&mut self, event: &Event) {
        if self.opened_by.as_deref() != Some(event.by.as_str()) {
            self.acknowledge(event);
        }
    }

    fn set_status(&mut self, status: Status, at: DateTime<Utc>) {
        if !status.is_closed() {
            self.closed_at = None;
            // A reopen starts the response over: the incident is neither
            // mitigated nor resolved until it is again. (Going back from
            // monitoring while still open keeps the first mitigation.)
            if self.status.is_some_and(Status::is_closed) {
                self.mitigated_at = None;
            }
        } else if !self.status.is_some_and(Status::is_closed) {
            self.closed_at = Some(at);
        }
        match status {
            Status::Monitoring => {
                self.mitigated_at.get_or_insert(at);
            }
            Status::Resolved => {
                self.mitigated_at.get_or_insert(at);
                if self.status != Some(Status::Resolved) {
                    self.resolved_at = Some(at);
                }
            }
            _ => self.resolved_at = None,
        }
        self.status = Some(status);
    }
}

#[cfg(test)]
mod tests;
