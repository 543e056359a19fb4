//! The page's components: each service's status now, its uptime bar and its
//! uptime, from the public incidents' spans on it.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

use super::Incident;
use crate::config::Config;
use crate::model::{Impact, Status};

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

/// The start of `day` in `zone`, as UTC.
pub fn day_start(day: NaiveDate, zone: Tz) -> DateTime<Utc> {
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    zone.from_local_datetime(&midnight).earliest().map_or_else(
        || Utc.from_utc_datetime(&midnight),
        |t| t.with_timezone(&Utc),
    )
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
