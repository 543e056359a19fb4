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

use std::collections::BTreeMap;
use std::fmt::Write;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use sha1::{Digest, Sha1};

use super::Source;
use crate::config::Config;
use crate::model::{EventKind, Impact, Kind, Status};
use crate::render::timeline::publishable;

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

/// A component's status, in Statuspage's five values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ComponentStatus {
    Operational,
    UnderMaintenance,
    DegradedPerformance,
    PartialOutage,
    MajorOutage,
}

impl ComponentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ComponentStatus::Operational => "operational",
            ComponentStatus::UnderMaintenance => "under_maintenance",
            ComponentStatus::DegradedPerformance => "degraded_performance",
            ComponentStatus::PartialOutage => "partial_outage",
            ComponentStatus::MajorOutage => "major_outage",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ComponentStatus::Operational => "Operational",
            ComponentStatus::UnderMaintenance => "Under maintenance",
            ComponentStatus::DegradedPerformance => "Degraded performance",
            ComponentStatus::PartialOutage => "Partial outage",
            ComponentStatus::MajorOutage => "Major outage",
        }
    }

    /// A component's status while an incident (or maintenance) with
    /// `impact` on it stands at `status`.
    pub fn during(impact: Impact, status: Status) -> ComponentStatus {
        match status {
            s if s.is_closed() => ComponentStatus::Operational,
            Status::Scheduled => ComponentStatus::Operational,
            Status::InProgress | Status::Verifying => ComponentStatus::UnderMaintenance,
            _ => ComponentStatus::of(impact),
        }
    }

    fn of(impact: Impact) -> ComponentStatus {
        match impact {
            Impact::None => ComponentStatus::Operational,
            Impact::DegradedPerformance => ComponentStatus::DegradedPerformance,
            Impact::PartialOutage => ComponentStatus::PartialOutage,
            Impact::MajorOutage => ComponentStatus::MajorOutage,
        }
    }
}

/// What one day of an uptime bar shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DayState {
    /// Before the component's first appearance.
    NoData,
    Operational,
    /// A maintenance window; not downtime.
    Maintenance,
    Degraded,
    Partial,
    Major,
}

impl DayState {
    pub fn as_str(self) -> &'static str {
        match self {
            DayState::NoData => "none",
            DayState::Operational => "ok",
            DayState::Maintenance => "maintenance",
            DayState::Degraded => "degraded",
            DayState::Partial => "partial",
            DayState::Major => "major",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DayState::NoData => "no data",
            DayState::Operational => "no incidents",
            DayState::Maintenance => "maintenance",
            DayState::Degraded => "degraded performance",
            DayState::Partial => "partial outage",
            DayState::Major => "major outage",
        }
    }

    fn of(impact: Impact) -> DayState {
        match impact {
            Impact::None => DayState::Operational,
            Impact::DegradedPerformance => DayState::Degraded,
            Impact::PartialOutage => DayState::Partial,
            Impact::MajorOutage => DayState::Major,
        }
    }
}

/// A component of the page (a service) and its history.
#[derive(Debug, Clone, PartialEq)]
pub struct Component {
    pub id: String,
    pub name: String,
    pub group: Option<String>,
    pub description: Option<String>,
    pub status: ComponentStatus,
    /// The day (page zone) of its first appearance.
    pub since: NaiveDate,
    /// Oldest first, `history_days` of them, the last one today.
    pub days: Vec<(NaiveDate, DayState)>,
    /// Percent, see [`uptime`].
    pub uptime: f64,
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

/// The start of `day` in `zone`, as UTC.
pub fn day_start(day: NaiveDate, zone: Tz) -> DateTime<Utc> {
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    zone.from_local_datetime(&midnight).earliest().map_or_else(
        || Utc.from_utc_datetime(&midnight),
        |t| t.with_timezone(&Utc),
    )
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

/// The page's components: inc.yaml's services in order (or, when it lists
/// none, the services public incidents name), each with its status now,
/// its uptime bar and its uptime.
pub fn components(
    incidents: &[Incident],
    config: &Config,
    now: DateTime<Utc>,
    zone: Tz,
) -> Vec<Component> {
    // Service → (start, end, impact, is maintenance), one pass over incidents.
    let mut spans: BTreeMap<&str, Vec<Span>> = BTreeMap::new();
    for i in incidents {
        for (service, impact) in &i.components {
            spans.entry(service.as_str()).or_default().push(Span {
                start: i.started_at,
                end: i.ended(now),
                impact: *impact,
                maintenance: i.is_maintenance(),
                open_now: i.is_open() && !i.is_maintenance(),
                active_maintenance: i.maintenance_active(),
            });
        }
    }
    let listed: Vec<(String, String, Option<String>, Option<String>)> =
        if config.services.is_empty() {
            spans
                .keys()
                .map(|s| (s.to_string(), s.to_string(), None, None))
                .collect()
        } else {
            config
                .services
                .iter()
                .map(|s| {
                    (
                        s.id.clone(),
                        s.name.clone().unwrap_or_else(|| s.id.clone()),
                        s.group.clone(),
                        s.description.clone(),
                    )
                })
                .collect()
        };
    let today = now.with_timezone(&zone).date_naive();
    // One start for every component: a service with no incident yet was
    // up all along, not "no data" until its first outage.
    let since = config
        .site
        .since
        .or_else(|| {
            incidents
                .iter()
                .map(|i| i.started_at)
                .min()
                .map(|t| t.with_timezone(&zone).date_naive())
        })
        .unwrap_or(today)
        .min(today);
    let days = config.site.history_days.clamp(1, 3660);
    listed
        .into_iter()
        .map(|(id, name, group, description)| {
            let spans = spans.get(id.as_str()).map_or(&[][..], Vec::as_slice);
            let status = spans
                .iter()
                .filter(|s| s.open_now)
                .map(|s| ComponentStatus::of(s.impact))
                .chain(
                    spans
                        .iter()
                        .filter(|s| s.active_maintenance)
                        .map(|_| ComponentStatus::UnderMaintenance),
                )
                .max()
                .unwrap_or(ComponentStatus::Operational);
            Component {
                days: bar(spans, since, today, days, zone),
                uptime: uptime(spans, day_start(since, zone), now, days, zone),
                id,
                name,
                group,
                description,
                status,
                since,
            }
        })
        .collect()
}

/// One stretch of an incident's (or a maintenance's) effect on a service.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Span {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub impact: Impact,
    pub maintenance: bool,
    pub open_now: bool,
    pub active_maintenance: bool,
}

/// The uptime bar: `days` cells ending today, each the worst of the day
/// (a maintenance shows as maintenance, below any incident impact; days
/// before `since` as no data).
pub fn bar(
    spans: &[Span],
    since: NaiveDate,
    today: NaiveDate,
    days: u32,
    zone: Tz,
) -> Vec<(NaiveDate, DayState)> {
    let first = today - Duration::days(i64::from(days) - 1);
    let mut cells: Vec<(NaiveDate, DayState)> = (0..i64::from(days))
        .map(|n| {
            let day = first + Duration::days(n);
            let state = if day < since {
                DayState::NoData
            } else {
                DayState::Operational
            };
            (day, state)
        })
        .collect();
    for span in spans {
        let state = if span.maintenance {
            DayState::Maintenance
        } else {
            DayState::of(span.impact)
        };
        let from = span.start.with_timezone(&zone).date_naive().max(first);
        // A span ending exactly at midnight does not touch the next day.
        let last_instant = if span.end > span.start {
            span.end - Duration::seconds(1)
        } else {
            span.end
        };
        let to = last_instant.with_timezone(&zone).date_naive().min(today);
        let mut day = from;
        while day <= to {
            let n = (day - first).num_days() as usize;
            if let Some(cell) = cells.get_mut(n)
                && cell.1 != DayState::NoData
            {
                cell.1 = cell.1.max(state);
            }
            day += Duration::days(1);
        }
    }
    cells
}

/// Uptime, in percent:
///
/// ```text
/// uptime = (minutes with data − minutes of partial or major outage)
///          ÷ minutes with data × 100
/// ```
///
/// "Minutes with data" run from the later of the first bar day's start and
/// the component's first appearance (`since`) to `now`. "Minutes of
/// partial or major outage" are the union of the spans of public incidents
/// whose impact on the component is `partial_outage` or `major_outage`
/// (from impact start to resolution, or to now while open), clipped to
/// that period. Degraded performance and maintenance are not downtime.
/// With no minutes with data the uptime is 100.
pub fn uptime(
    spans: &[Span],
    since: DateTime<Utc>,
    now: DateTime<Utc>,
    days: u32,
    zone: Tz,
) -> f64 {
    let today = now.with_timezone(&zone).date_naive();
    let window_start = day_start(today - Duration::days(i64::from(days) - 1), zone);
    let from = window_start.max(since);
    if now <= from {
        return 100.0;
    }
    let mut down: Vec<(DateTime<Utc>, DateTime<Utc>)> = spans
        .iter()
        .filter(|s| !s.maintenance && s.impact >= Impact::PartialOutage)
        .map(|s| (s.start.max(from), s.end.min(now)))
        .filter(|(a, b)| a < b)
        .collect();
    down.sort();
    let mut total = Duration::zero();
    let mut current: Option<(DateTime<Utc>, DateTime<Utc>)> = None;
    for (a, b) in down {
        match current {
            Some((ca, cb)) if a <= cb => current = Some((ca, cb.max(b))),
            Some((ca, cb)) => {
                total += cb - ca;
                current = Some((a, b));
            }
            None => current = Some((a, b)),
        }
    }
    if let Some((ca, cb)) = current {
        total += cb - ca;
    }
    let data = (now - from).num_seconds() as f64;
    (data - total.num_seconds() as f64) / data * 100.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Event, Header, State};

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn ev(at: &str, kind: EventKind) -> Event {
        Event::new(t(at), "alice", kind)
    }

    fn header(title: &str) -> Header {
        Header {
            title: title.into(),
            services: vec!["web".into()],
            opened_at: t("2026-11-27T09:00:00Z"),
            opened_by: "alice".into(),
            ..Header::default()
        }
    }

    fn events() -> Vec<Event> {
        vec![
            ev(
                "2026-11-27T09:00:00Z",
                EventKind::Opened {
                    severity: "SEV2".into(),
                    status: Status::Investigating,
                },
            ),
            ev(
                "2026-11-27T09:01:00Z",
                EventKind::Note {
                    text: "secret".into(),
                    pinned: false,
                },
            ),
            ev(
                "2026-11-27T09:05:00Z",
                EventKind::Update {
                    status: Some(Status::Identified),
                    text: "Found it.".into(),
                },
            ),
            ev(
                "2026-11-27T09:10:00Z",
                EventKind::Update {
                    status: None,
                    text: "Still on it.".into(),
                },
            ),
            ev(
                "2026-11-27T10:00:00Z",
                EventKind::Status {
                    status: Status::Resolved,
                    text: Some("internal summary".into()),
                },
            ),
        ]
    }

    #[test]
    fn projection_keeps_only_public_parts() {
        let (h, e) = (header("Checkout slow"), events());
        let s = State::fold(&e);
        let source = Source {
            id: "2026-11-27-checkout-slow",
            header: &h,
            state: &s,
            events: &e,
            postmortem: None,
        };
        let i = project(&source, &Config::default()).unwrap();
        assert_eq!(i.id, public_id("2026-11-27-checkout-slow"));
        assert_eq!(i.impact, Impact::PartialOutage, "SEV2's default");
        assert_eq!(i.components, [("web".to_owned(), Impact::PartialOutage)]);
        let updates: Vec<(Status, &str)> = i
            .updates
            .iter()
            .map(|u| (u.status, u.body.as_str()))
            .collect();
        assert_eq!(
            updates,
            [
                (Status::Identified, "Found it."),
                (Status::Identified, "Still on it."),
                (Status::Resolved, "This incident has been resolved."),
            ],
            "the status event's text is not kept: the status's own sentence is"
        );
        assert_eq!(i.resolved_at, Some(t("2026-11-27T10:00:00Z")));
        assert_eq!(i.updated_at, t("2026-11-27T10:00:00Z"));

        // A bare status change says inc.yaml's sentence when it has one.
        let mut config = Config::default();
        config
            .site
            .status_text
            .insert(Status::Resolved, "Back to normal.".into());
        let i = project(&source, &config).unwrap();
        assert_eq!(i.updates.last().unwrap().body, "Back to normal.");

        let mut private = h.clone();
        private.private = true;
        let source = Source {
            header: &private,
            ..source
        };
        assert_eq!(project(&source, &Config::default()), None);
    }

    #[test]
    fn public_ids_carry_no_slug_and_are_stable() {
        let id = public_id("2026-11-27-bob-dropped-prod-customers-table");
        assert_eq!(id.len(), "2026-11-27-".len() + 12, "{id}");
        assert!(id.starts_with("2026-11-27-"), "{id}");
        for word in ["bob", "dropped", "prod", "customers", "table"] {
            assert!(!id.contains(word), "{id} carries `{word}`");
        }
        assert_eq!(id, public_id("2026-11-27-bob-dropped-prod-customers-table"));
        assert_ne!(
            id,
            public_id("2026-11-27-bob-dropped-prod-customers-table-2")
        );
        // Not a date: no date prefix, still no slug.
        let odd = public_id("hand-made-folder");
        assert!(!odd.contains("hand") && odd.len() == 12, "{odd}");
    }

    #[test]
    fn statuspage_mapping() {
        assert_eq!(statuspage_impact(Impact::None), "none");
        assert_eq!(statuspage_impact(Impact::DegradedPerformance), "minor");
        assert_eq!(statuspage_impact(Impact::PartialOutage), "major");
        assert_eq!(statuspage_impact(Impact::MajorOutage), "critical");
        assert_eq!(statuspage_status(Status::Triage), "investigating");
        assert_eq!(statuspage_status(Status::Monitoring), "monitoring");
        assert_eq!(statuspage_status(Status::InProgress), "in_progress");
        assert_eq!(statuspage_status(Status::Completed), "completed");
    }

    fn span(start: &str, end: &str, impact: Impact, maintenance: bool) -> Span {
        Span {
            start: t(start),
            end: t(end),
            impact,
            maintenance,
            open_now: false,
            active_maintenance: false,
        }
    }

    #[test]
    fn bar_cells_take_the_worst_of_each_day() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        let spans = [
            span(
                "2026-11-25T10:00:00Z",
                "2026-11-25T11:00:00Z",
                Impact::DegradedPerformance,
                false,
            ),
            span(
                "2026-11-25T12:00:00Z",
                "2026-11-26T00:00:00Z",
                Impact::MajorOutage,
                false,
            ),
            span(
                "2026-11-26T08:00:00Z",
                "2026-11-26T09:00:00Z",
                Impact::None,
                true,
            ),
        ];
        let cells = bar(&spans, day(24), day(27), 5, Tz::UTC);
        let states: Vec<DayState> = cells.iter().map(|c| c.1).collect();
        assert_eq!(cells[0].0, day(23));
        assert_eq!(
            states,
            [
                DayState::NoData,
                DayState::Operational,
                DayState::Major,
                DayState::Maintenance,
                DayState::Operational,
            ],
            "ending at midnight does not touch the next day"
        );
    }

    #[test]
    fn uptime_counts_only_partial_and_major_outages_once() {
        let now = t("2026-11-27T00:00:00Z");
        let since = t("2026-11-26T00:00:00Z");
        let spans = [
            span(
                "2026-11-26T01:00:00Z",
                "2026-11-26T03:00:00Z",
                Impact::PartialOutage,
                false,
            ),
            span(
                "2026-11-26T02:00:00Z",
                "2026-11-26T04:00:00Z",
                Impact::MajorOutage,
                false,
            ),
            span(
                "2026-11-26T05:00:00Z",
                "2026-11-26T09:00:00Z",
                Impact::DegradedPerformance,
                false,
            ),
            span(
                "2026-11-26T10:00:00Z",
                "2026-11-26T16:00:00Z",
                Impact::MajorOutage,
                true,
            ),
            // Before the data starts: clipped away.
            span(
                "2026-11-20T00:00:00Z",
                "2026-11-26T00:00:00Z",
                Impact::MajorOutage,
                false,
            ),
        ];
        let u = uptime(&spans, since, now, 90, Tz::UTC);
        assert!((u - 21.0 / 24.0 * 100.0).abs() < 1e-9, "{u}");
        assert_eq!(uptime(&[], now, now, 90, Tz::UTC), 100.0);
    }

    #[test]
    fn overall_follows_the_worst_open_incident() {
        let base = Incident {
            id: "a".into(),
            name: "a".into(),
            status: Status::Investigating,
            impact: Impact::DegradedPerformance,
            components: vec![],
            started_at: t("2026-11-27T09:00:00Z"),
            created_at: t("2026-11-27T09:00:00Z"),
            updated_at: t("2026-11-27T09:00:00Z"),
            resolved_at: None,
            updates: vec![],
            window: None,
            postmortem: None,
        };
        let worse = Incident {
            impact: Impact::MajorOutage,
            status: Status::Resolved,
            ..base.clone()
        };
        assert_eq!(overall(&[base.clone(), worse.clone()]).indicator, "minor");
        let open_worse = Incident {
            status: Status::Monitoring,
            ..worse
        };
        assert_eq!(overall(&[base, open_worse]).indicator, "critical");
        assert_eq!(overall(&[]).description, "All systems operational");
    }
}
