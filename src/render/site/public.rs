//! The public projection: what the status page may show, and nothing else.
//!
//! Everything the site prints comes from [`Public`]; the HTML, JSON and
//! Atom renderers never see a header, a state or an event. An incident is
//! public when [`publishable`] says so (not private, not a test, neither in
//! triage nor declined, and taken up by a person: automation alone never
//! publishes); of it the page shows its public title (else its title), its
//! public `update` events (text and status), the statuses it went through
//! (a change without an update says `site.status_text`'s sentence), its
//! impact, its services and its times, under an ID that is its date and a
//! hash ([`public_id`]), never its slug.
//!
//! The components (each service's status, uptime bar and uptime) are
//! worked out in `components`.

use std::fmt::Write;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sha1::{Digest, Sha1};

use super::Source;
use crate::config::Config;
use crate::model::{EventKind, Impact, Kind, Status};
use crate::render::timeline::publishable;

mod components;

pub use components::{
    Component, ComponentStatus, DayState, Span, bar, components, day_start, uptime,
};

/// One public incident or maintenance.
#[derive(Debug, Clone, PartialEq)]
pub struct Incident {
    /// The ID used in file names and JSON. The stored ID, unless the
    /// incident has a `public_title`: then the stored ID (a slug of the
    /// internal title) is replaced by its date and a hash.
    pub id: String,
    pub name: String,
    pub status: Status,
    pub impact: Impact,
    /// Service ID → impact on it.
    pub components: Vec<(String, Impact)>,
    /// Impact start (`started_at`, else the opening time).
    pub started_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    /// Oldest first.
    pub updates: Vec<Update>,
    /// A maintenance's planned window.
    pub window: Option<(DateTime<Utc>, DateTime<Utc>)>,
    /// The published part of the postmortem (Markdown), if any.
    pub postmortem: Option<String>,
}

impl Incident {
    pub fn is_maintenance(&self) -> bool {
        self.window.is_some()
    }

    pub fn is_open(&self) -> bool {
        !self.status.is_closed()
    }

    /// When impact (or the maintenance) ends, or `now` while it goes on.
    pub fn ended(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        match self.window {
            Some((_, end)) => end,
            None => self.resolved_at.unwrap_or(now).max(self.started_at),
        }
    }

    /// A maintenance under way: in progress or verifying, whether someone
    /// said so (early, or overrunning its end) or its window did (see
    /// [`assemble`]'s auto-transition, which runs first).
    pub fn maintenance_active(&self) -> bool {
        self.window.is_some() && matches!(self.status, Status::InProgress | Status::Verifying)
    }

    /// A maintenance still scheduled, whose window has not begun.
    pub fn maintenance_upcoming(&self, now: DateTime<Utc>) -> bool {
        matches!(self.window, Some((start, _)) if now < start) && self.status == Status::Scheduled
    }
}

/// One public update, or a change of status (with no text).
#[derive(Debug, Clone, PartialEq)]
pub struct Update {
    pub at: DateTime<Utc>,
    /// The status after this update.
    pub status: Status,
    /// Markdown; for a bare status change, the status's sentence
    /// (`site.status_text`).
    pub body: String,
}

/// The overall status: Statuspage's indicator and a description.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overall {
    /// `none`, `minor`, `major`, `critical` or `maintenance`.
    pub indicator: &'static str,
    pub description: &'static str,
    /// The worst impact of an open incident, if any is open.
    pub worst: Option<Impact>,
}

/// Descriptions the code (not a template) writes on the page.
pub const FIXED_TEXTS: &[&str] = &[
    "All systems operational",
    "Service under maintenance",
    "Known issue, no service impact",
    "Minor service disruption",
    "Partial system outage",
    "Major system outage",
];

/// Everything the site shows.
#[derive(Debug, Clone)]
pub struct Public {
    /// Incidents and maintenances, newest (by creation) first.
    pub incidents: Vec<Incident>,
    pub components: Vec<Component>,
    pub overall: Overall,
    /// The newest public time on the page (not the clock: an unchanged
    /// repository builds the same page).
    pub updated_at: DateTime<Utc>,
}

/// Statuspage's impact for inc's.
pub fn statuspage_impact(impact: Impact) -> &'static str {
    match impact {
        Impact::None => "none",
        Impact::DegradedPerformance => "minor",
        Impact::PartialOutage => "major",
        Impact::MajorOutage => "critical",
    }
}

/// Statuspage's status for an incident's or a maintenance's.
pub fn statuspage_status(status: Status) -> &'static str {
    match status {
        Status::Triage | Status::Investigating => "investigating",
        Status::Identified => "identified",
        Status::Monitoring => "monitoring",
        Status::Resolved | Status::Declined => "resolved",
        Status::Scheduled => "scheduled",
        Status::InProgress => "in_progress",
        Status::Verifying => "verifying",
        Status::Completed => "completed",
    }
}

/// A status as a person reads it.
pub fn status_label(status: Status) -> &'static str {
    match status {
        Status::Triage | Status::Investigating => "Investigating",
        Status::Identified => "Identified",
        Status::Monitoring => "Monitoring",
        Status::Resolved | Status::Declined => "Resolved",
        Status::Scheduled => "Scheduled",
        Status::InProgress => "In progress",
        Status::Verifying => "Verifying",
        Status::Completed => "Completed",
    }
}

pub fn impact_label(impact: Impact) -> &'static str {
    match impact {
        Impact::None => "No impact",
        Impact::DegradedPerformance => "Degraded performance",
        Impact::PartialOutage => "Partial outage",
        Impact::MajorOutage => "Major outage",
    }
}

/// The ID the site uses for stored incident `id`: its date of opening and
/// a hash of the whole ID, never its slug. The slug is made from the title
/// at opening, which may say what the status page must not ("bob dropped
/// prod customers table", retitled by hand afterwards), so URLs, API IDs
/// and shortlinks carry none of it; and since the stored ID never changes,
/// neither does the public one when a title or `public_title` does.
pub fn public_id(id: &str) -> String {
    let hash = Sha1::digest(format!("inc public id\0{id}").as_bytes());
    let mut out = String::with_capacity(23);
    let date = id.get(..10).filter(|d| {
        d.bytes().enumerate().all(|(n, b)| {
            if n == 4 || n == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        })
    });
    if let Some(date) = date {
        out.push_str(date);
        out.push('-');
    }
    for b in hash.iter().take(6) {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// Projects one incident, or `None` when it is not public.
pub fn project(source: &Source<'_>, config: &Config) -> Option<Incident> {
    let (header, state) = (source.header, source.state);
    publishable(header, state).ok()?;
    let status = state.status?;
    let window = match header.kind() {
        Kind::Maintenance => Some((header.scheduled_start?, header.scheduled_end?)),
        Kind::Incident => None,
    };
    let impact = state
        .impact
        .unwrap_or_else(|| config.default_impact(state.severity.as_deref()));
    let mut components: Vec<(String, Impact)> = header
        .services
        .iter()
        .map(|s| (s.clone(), *state.service_impact.get(s).unwrap_or(&impact)))
        .collect();
    for (s, i) in &state.service_impact {
        if !header.services.contains(s) {
            components.push((s.clone(), *i));
        }
    }
    let mut updates = Vec::new();
    let mut current: Option<Status> = None;
    for event in source.events {
        match &event.kind {
            EventKind::Opened { status, .. } => current = Some(*status),
            EventKind::Update { status, text } => {
                if let Some(s) = status {
                    current = Some(*s);
                }
                updates.push(Update {
                    at: event.at,
                    status: current.unwrap_or(Status::Investigating),
                    body: text.trim_end().to_owned(),
                });
            }
            // The status is public; the text of a status event is not
            // (a resolve summary, a decline reason): the page says the
            // status's own sentence instead (`site.status_text`).
            EventKind::Status { status, .. } => {
                if current != Some(*status) {
                    updates.push(Update {
                        at: event.at,
                        status: *status,
                        body: config.site.status_text(*status).to_owned(),
                    });
                }
                current = Some(*status);
            }
            _ => {}
        }
    }
    let created_at = header.opened_at;
    let updated_at = updates.last().map_or(created_at, |u| u.at.max(created_at));
    Some(Incident {
        id: public_id(source.id),
        name: header
            .public_title
            .clone()
            .unwrap_or_else(|| header.title.clone()),
        status,
        impact: if window.is_some() {
            Impact::None
        } else {
            impact
        },
        components,
        started_at: window.map_or(header.started(), |(start, _)| start),
        created_at,
        updated_at,
        resolved_at: state.resolved_at,
        updates,
        window,
        postmortem: source.postmortem.and_then(super::postmortem::public_part),
    })
}

/// Statuspage's auto-transition: a maintenance still `scheduled` when its
/// window opens is in progress, and completed once the window has closed,
/// each with the status's sentence as an update at that time. A status
/// someone set (in progress past the end: it overran) is left alone.
fn auto_transition(i: &mut Incident, config: &Config, now: DateTime<Utc>) {
    let Some((start, end)) = i.window else {
        return;
    };
    if i.status != Status::Scheduled || now < start {
        return;
    }
    let mut step = |status: Status, at: DateTime<Utc>| {
        i.status = status;
        i.updates.push(Update {
            at,
            status,
            body: config.site.status_text(status).to_owned(),
        });
        i.updated_at = i.updated_at.max(at);
    };
    step(Status::InProgress, start);
    if end <= now {
        step(Status::Completed, end);
    }
    // An update posted in the window while nobody moved the status is
    // under the status the window gave it.
    for u in &mut i.updates {
        if u.status == Status::Scheduled && u.at >= start {
            u.status = if u.at >= end {
                Status::Completed
            } else {
                Status::InProgress
            };
        }
    }
    i.updates.sort_by_key(|u| u.at);
}

/// Builds the whole public view from the public incidents' projections
/// (in any order).
pub fn assemble(
    mut incidents: Vec<Incident>,
    config: &Config,
    now: DateTime<Utc>,
    zone: Tz,
) -> Public {
    for i in &mut incidents {
        auto_transition(i, config, now);
    }
    incidents.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(a.id.cmp(&b.id)));
    // Two stored IDs whose public ones collide (48 bits of a hash: not
    // expected, but two pages must never share a file): the older keeps it.
    let mut seen = std::collections::HashSet::with_capacity(incidents.len());
    for i in incidents.iter_mut().rev() {
        if seen.insert(i.id.clone()) {
            continue;
        }
        let base = i.id.clone();
        let mut n = 1;
        while !seen.insert(i.id.clone()) {
            n += 1;
            i.id = format!("{base}-{n}");
        }
    }
    let components = components(&incidents, config, now, zone);
    let overall = overall(&incidents);
    let updated_at = incidents
        .iter()
        .map(|i| i.updated_at)
        .max()
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
    Public {
        incidents,
        components,
        overall,
        updated_at,
    }
}

/// The overall status follows the worst open public incident; with none,
/// a maintenance in its window makes it `maintenance`.
pub fn overall(incidents: &[Incident]) -> Overall {
    let worst = incidents
        .iter()
        .filter(|i| !i.is_maintenance() && i.is_open())
        .map(|i| i.impact)
        .max();
    let (indicator, description) = match worst {
        Some(Impact::MajorOutage) => ("critical", "Major system outage"),
        Some(Impact::PartialOutage) => ("major", "Partial system outage"),
        Some(Impact::DegradedPerformance) => ("minor", "Minor service disruption"),
        Some(Impact::None) => ("none", "Known issue, no service impact"),
        None if incidents.iter().any(Incident::maintenance_active) => {
            ("maintenance", "Service under maintenance")
        }
        None => ("none", "All systems operational"),
    };
    Overall {
        indicator,
        description,
        worst,
    }
}

#[cfg(test)]
mod tests;
