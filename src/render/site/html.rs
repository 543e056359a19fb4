//! The HTML pages: view types for the templates under `templates/site/`,
//! and their rendering (incident pages on all cores).
//!
//! One file on purpose: the view types are the templates' contract, and
//! each page's function is where its views are made; reading them side by
//! side is how a template author finds what a page gets.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Datelike, Duration, NaiveDate, SecondsFormat, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use minijinja::Value;
use serde::Serialize;

use super::markdown;
use super::public::{
    Component, DayState, Incident, Public, impact_label, status_label, statuspage_impact,
    statuspage_status,
};
use crate::model::when;
use crate::render::templates::{TemplateError, Templates};

pub const INDEX: &str = "site/index.html.j2";
pub const INCIDENT: &str = "site/incident.html.j2";
pub const HISTORY: &str = "site/history.html.j2";

/// Days of history on the front page.
const RECENT_DAYS: i64 = 14;

/// What every page knows about the site.
#[derive(Debug, Clone, Serialize)]
pub struct SiteView {
    pub title: String,
    pub url: Option<String>,
    pub zone: String,
    /// The newest public time, as a [`TimeView`].
    pub updated: TimeView,
    pub status: StatusView,
}

#[derive(Debug, Clone, Serialize)]
pub struct StatusView {
    pub indicator: &'static str,
    pub description: &'static str,
}

/// A time in the page's zone and in UTC.
#[derive(Debug, Clone, Serialize)]
pub struct TimeView {
    /// RFC 3339 UTC, for `<time datetime>`.
    pub iso: String,
    /// `2026-11-27 20:45 CET`
    pub local: String,
    /// `2026-11-27 19:45 UTC`
    pub utc: String,
}

impl TimeView {
    pub fn new(at: DateTime<Utc>, zone: Tz) -> TimeView {
        let local = at.with_timezone(&zone);
        TimeView {
            iso: at.to_rfc3339_opts(SecondsFormat::Secs, true),
            local: minutes(&local, "%Y-%m-%d %H:%M %Z", local.offset()),
            utc: minutes(&at, "%Y-%m-%d %H:%M UTC", "UTC"),
        }
    }
}

/// `at` as `2026-11-27 20:45 ZONE`: `format` (which says the same) for a
/// year outside 0–9999, written digit by digit otherwise (this runs for
/// every time on every page, and `write!` with padded fields cost most of
/// a site build's time formatting).
fn minutes<T: TimeZone>(at: &DateTime<T>, format: &str, zone: impl std::fmt::Display) -> String
where
    T::Offset: std::fmt::Display,
{
    use std::fmt::Write;
    let Ok(year) = u32::try_from(at.year()) else {
        return at.format(format).to_string();
    };
    if year > 9999 {
        return at.format(format).to_string();
    }
    let mut out = String::with_capacity(24);
    let mut digits = |n: u32, width: u32, after: char| {
        for place in (0..width).rev() {
            out.push(char::from(b'0' + (n / 10u32.pow(place) % 10) as u8));
        }
        out.push(after);
    };
    digits(year, 4, '-');
    digits(at.month(), 2, '-');
    digits(at.day(), 2, ' ');
    digits(at.hour(), 2, ':');
    digits(at.minute(), 2, ' ');
    let _ = write!(out, "{zone}");
    out
}

#[derive(Debug, Clone, Serialize)]
pub struct ComponentRef {
    pub id: String,
    pub name: String,
    pub impact: &'static str,
    pub impact_label: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct UpdateView {
    pub status: &'static str,
    pub status_label: &'static str,
    pub at: TimeView,
    /// Rendered Markdown, marked safe (raw HTML escaped, links filtered).
    pub body: Value,
}

#[derive(Debug, Clone, Serialize)]
pub struct IncidentView {
    pub id: String,
    /// Relative to the site's root.
    pub path: String,
    pub name: String,
    /// `incident` or `maintenance`.
    pub kind: &'static str,
    pub open: bool,
    pub status: &'static str,
    pub status_label: &'static str,
    /// Statuspage's impact: none, minor, major, critical (maintenance for a maintenance).
    pub impact: &'static str,
    pub impact_label: &'static str,
    pub components: Vec<ComponentRef>,
    pub created: TimeView,
    pub updated: TimeView,
    pub resolved: Option<TimeView>,
    pub window_start: Option<TimeView>,
    pub window_end: Option<TimeView>,
    /// How long it lasted (`1h 20m`): impact start to resolution, or a
    /// maintenance's window; none while an incident is open.
    pub duration: Option<String>,
    /// Newest first.
    pub updates: Vec<UpdateView>,
    /// The published part of the postmortem, rendered as safe HTML.
    pub postmortem: Option<Value>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DayView {
    pub date: String,
    pub state: &'static str,
    /// `2026-11-27: partial outage`, the cell's text alternative.
    pub label: String,
    /// Where that day's incidents of the component are: the incident's
    /// page when there is one, else the day in the history.
    pub link: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ComponentView {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub status: &'static str,
    pub status_label: &'static str,
    /// `99.95`
    pub uptime: String,
    pub days: Vec<DayView>,
    pub since: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupView {
    pub name: Option<String>,
    pub components: Vec<ComponentView>,
}

/// A line in a list of incidents (history, the front page's recent days).
#[derive(Debug, Clone, Serialize)]
pub struct SummaryView {
    pub id: String,
    pub path: String,
    pub name: String,
    pub kind: &'static str,
    pub open: bool,
    pub status_label: &'static str,
    pub impact: &'static str,
    pub impact_label: &'static str,
    pub created: TimeView,
    /// As [`IncidentView::duration`].
    pub duration: Option<String>,
    /// `day-2026-11-27` on a history page's first entry of a day: where
    /// the uptime bar's cell of that day links.
    pub anchor: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DayList {
    pub date: String,
    pub incidents: Vec<SummaryView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MonthView {
    /// `November 2026`
    pub label: String,
    /// `3 incidents · longest 2h 05m · worst: major outage`
    pub summary: String,
    /// Shown unfolded: the newest month of the page.
    pub open: bool,
    pub incidents: Vec<SummaryView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct YearLink {
    pub year: i32,
    pub path: String,
    pub count: usize,
}

/// A serializable value as a template value (safe strings stay safe).
pub fn to_value<T: Serialize>(value: T) -> Value {
    Value::from(minijinja::value::Serde(value))
}

pub fn incident_path(id: &str) -> String {
    format!("incidents/{id}.html")
}

fn component_name<'a>(components: &'a [Component], id: &'a str) -> &'a str {
    components
        .iter()
        .find(|c| c.id == id)
        .map_or(id, |c| c.name.as_str())
}

/// As [`IncidentView::duration`], as a span of time.
fn lasted(i: &Incident) -> Option<Duration> {
    match (i.window, i.resolved_at) {
        (Some((start, end)), _) => Some(end - start),
        (None, Some(resolved)) if !i.is_open() => Some(resolved - i.started_at),
        _ => None,
    }
}

fn kind_impact(i: &Incident) -> (&'static str, &'static str, &'static str) {
    if i.is_maintenance() {
        ("maintenance", "maintenance", "Maintenance")
    } else {
        (
            "incident",
            statuspage_impact(i.impact),
            impact_label(i.impact),
        )
    }
}

pub fn incident_view(i: &Incident, components: &[Component], zone: Tz) -> IncidentView {
    let (kind, impact, impact_label_) = kind_impact(i);
    IncidentView {
        id: i.id.clone(),
        path: incident_path(&i.id),
        name: i.name.clone(),
        kind,
        open: i.is_open(),
        status: statuspage_status(i.status),
        status_label: status_label(i.status),
        impact,
        impact_label: impact_label_,
        components: i
            .components
            .iter()
            .map(|(id, impact)| ComponentRef {
                id: id.clone(),
                name: component_name(components, id).to_owned(),
                impact: statuspage_impact(*impact),
                impact_label: impact_label(*impact),
            })
            .collect(),
        created: TimeView::new(i.created_at, zone),
        updated: TimeView::new(i.updated_at, zone),
        resolved: i.resolved_at.map(|t| TimeView::new(t, zone)),
        window_start: i.window.map(|(s, _)| TimeView::new(s, zone)),
        window_end: i.window.map(|(_, e)| TimeView::new(e, zone)),
        duration: lasted(i).map(when::duration),
        postmortem: i
            .postmortem
            .as_deref()
            .map(|text| Value::from_safe_string(markdown::to_html(text))),
        updates: i
            .updates
            .iter()
            .rev()
            .map(|u| UpdateView {
                status: statuspage_status(u.status),
                status_label: status_label(u.status),
                at: TimeView::new(u.at, zone),
                body: Value::from_safe_string(markdown::to_html(&u.body)),
            })
            .collect(),
    }
}

pub fn summary_view(i: &Incident, zone: Tz) -> SummaryView {
    let (kind, impact, impact_label_) = kind_impact(i);
    SummaryView {
        id: i.id.clone(),
        path: incident_path(&i.id),
        name: i.name.clone(),
        kind,
        open: i.is_open(),
        status_label: status_label(i.status),
        impact,
        impact_label: impact_label_,
        created: TimeView::new(i.created_at, zone),
        duration: lasted(i).map(when::duration),
        anchor: None,
    }
}

/// The incidents a component had on each day of the bars: per component,
/// one slot per day from the bars' first day to today, holding how many
/// incidents touched it and the newest of them (enough to link the cell).
pub struct DayIncidents<'a> {
    first: NaiveDate,
    slots: HashMap<&'a str, Vec<(u32, Option<&'a Incident>)>>,
}

impl<'a> DayIncidents<'a> {
    /// One pass over the incidents (newest first, as [`Public`] holds
    /// them): each adds to the slots of the days it spans, clamped to the
    /// bars, so a far-off maintenance end or an incident open for years
    /// costs no more than the bars' length.
    pub fn new(public: &'a Public, first: NaiveDate, now: DateTime<Utc>, zone: Tz) -> Self {
        let today = now.with_timezone(&zone).date_naive();
        let len = usize::try_from((today - first).num_days() + 1).unwrap_or(0);
        let mut slots: HashMap<&'a str, Vec<(u32, Option<&'a Incident>)>> = HashMap::new();
        for i in &public.incidents {
            let from = i.started_at.with_timezone(&zone).date_naive().max(first);
            let to = i.ended(now).with_timezone(&zone).date_naive().min(today);
            if from > to {
                continue;
            }
            let (a, b) = (day_index(first, from), day_index(first, to));
            for (component, _) in &i.components {
                let days = slots
                    .entry(component.as_str())
                    .or_insert_with(|| vec![(0, None); len]);
                for slot in &mut days[a..=b] {
                    slot.0 += 1;
                    slot.1 = slot.1.or(Some(i));
                }
            }
        }
        DayIncidents { first, slots }
    }

    /// Where the cell of `component` on `day` links: the one incident's
    /// page, else the newest incident's day in the history.
    fn link(&self, component: &str, day: NaiveDate, zone: Tz) -> Option<String> {
        if day < self.first {
            return None;
        }
        match self.slots.get(component)?.get(day_index(self.first, day))? {
            (1, Some(one)) => Some(incident_path(&one.id)),
            (_, Some(newest)) => {
                let day = newest.created_at.with_timezone(&zone).date_naive();
                Some(format!("history/{}.html#day-{day}", day.year()))
            }
            _ => None,
        }
    }
}

fn day_index(first: NaiveDate, day: NaiveDate) -> usize {
    usize::try_from((day - first).num_days()).unwrap_or(0)
}

pub fn component_view(c: &Component, days: &DayIncidents<'_>, zone: Tz) -> ComponentView {
    ComponentView {
        id: c.id.clone(),
        name: c.name.clone(),
        description: c.description.clone(),
        status: c.status.as_str(),
        status_label: c.status.label(),
        uptime: format!("{:.2}", c.uptime),
        days: c
            .days
            .iter()
            .map(|(day, state)| {
                let link = days.link(&c.id, *day, zone);
                // The label is the link's text: a day whose incidents had
                // no impact on the component is not "no incidents".
                let label = match (state, &link) {
                    (DayState::Operational, Some(_)) => format!("{day}: no impact"),
                    _ => format!("{day}: {}", state.label()),
                };
                DayView {
                    date: day.to_string(),
                    state: state.as_str(),
                    label,
                    link,
                }
            })
            .collect(),
        since: c.since.to_string(),
    }
}

/// Components grouped by `group`, groups in order of first appearance.
pub fn groups(components: &[Component], days: &DayIncidents<'_>, zone: Tz) -> Vec<GroupView> {
    let mut groups: Vec<GroupView> = Vec::new();
    for c in components {
        let view = component_view(c, days, zone);
        match groups.iter_mut().find(|g| g.name == c.group) {
            Some(g) => g.components.push(view),
            None => groups.push(GroupView {
                name: c.group.clone(),
                components: vec![view],
            }),
        }
    }
    groups
}

pub fn site_view(public: &Public, title: &str, url: Option<&str>, zone: Tz) -> SiteView {
    SiteView {
        title: title.to_owned(),
        url: url.map(str::to_owned),
        zone: zone.to_string(),
        updated: TimeView::new(public.updated_at, zone),
        status: StatusView {
            indicator: public.overall.indicator,
            description: public.overall.description,
        },
    }
}

/// `index.html`.
pub fn index(
    templates: &Templates,
    site: &SiteView,
    public: &Public,
    now: DateTime<Utc>,
    zone: Tz,
) -> Result<String, TemplateError> {
    let active: Vec<IncidentView> = public
        .incidents
        .iter()
        .filter(|i| !i.is_maintenance() && i.is_open())
        .map(|i| incident_view(i, &public.components, zone))
        .collect();
    let maintenance = |f: &dyn Fn(&Incident) -> bool| -> Vec<IncidentView> {
        let mut list: Vec<&Incident> = public
            .incidents
            .iter()
            .filter(|i| i.is_maintenance() && f(i))
            .collect();
        list.sort_by_key(|i| i.window.map(|(s, _)| s));
        list.into_iter()
            .map(|i| incident_view(i, &public.components, zone))
            .collect()
    };
    let in_progress = maintenance(&|i| i.maintenance_active());
    let upcoming = maintenance(&|i| i.maintenance_upcoming(now));
    let today = now.with_timezone(&zone).date_naive();
    let first = public
        .components
        .iter()
        .filter_map(|c| c.days.first().map(|(day, _)| *day))
        .min()
        .unwrap_or(today);
    let days = DayIncidents::new(public, first, now, zone);
    let mut by_day: BTreeMap<NaiveDate, Vec<SummaryView>> = BTreeMap::new();
    for i in &public.incidents {
        let day = i.created_at.with_timezone(&zone).date_naive();
        if day <= today && (today - day).num_days() < RECENT_DAYS {
            by_day.entry(day).or_default().push(summary_view(i, zone));
        }
    }
    let recent: Vec<DayList> = (0..RECENT_DAYS)
        .map(|n| {
            let day = today - Duration::days(n);
            DayList {
                date: day.format("%a %-d %B %Y").to_string(),
                incidents: by_day.remove(&day).unwrap_or_default(),
            }
        })
        .collect();
    templates.render(
        INDEX,
        minijinja::context! {
            site => to_value(site),
            root => "",
            groups => to_value(groups(&public.components, &days, zone)),
            active => to_value(&active),
            in_progress => to_value(&in_progress),
            upcoming => to_value(&upcoming),
            recent => to_value(&recent),
        },
    )
}

/// One incident's page.
pub fn incident(
    templates: &Templates,
    site: &Value,
    view: &IncidentView,
) -> Result<String, TemplateError> {
    templates.render(
        INCIDENT,
        minijinja::context! {
            site => site.clone(),
            root => "../",
            incident => to_value(view),
        },
    )
}

/// `history.html` (the newest year) and `history/<year>.html`: incidents by
/// month, newest first, and links to every year.
pub fn history(
    templates: &Templates,
    site: &Value,
    public: &Public,
    zone: Tz,
) -> Result<Vec<(String, String)>, TemplateError> {
    let mut years: BTreeMap<i32, BTreeMap<u32, Vec<&Incident>>> = BTreeMap::new();
    for i in &public.incidents {
        let local = i.created_at.with_timezone(&zone);
        years
            .entry(local.year())
            .or_default()
            .entry(local.month())
            .or_default()
            .push(i);
    }
    let links: Vec<YearLink> = years
        .iter()
        .rev()
        .map(|(year, months)| YearLink {
            year: *year,
            path: format!("history/{year}.html"),
            count: months.values().map(Vec::len).sum(),
        })
        .collect();
    let links = to_value(&links);
    let mut pages = Vec::with_capacity(years.len() + 1);
    let newest = years.keys().next_back().copied();
    for (year, months) in years.into_iter().rev() {
        let months: Vec<MonthView> = months
            .into_iter()
            .rev()
            .enumerate()
            .map(|(n, (month, incidents))| MonthView {
                label: NaiveDate::from_ymd_opt(year, month, 1)
                    .map_or_else(String::new, |d| d.format("%B %Y").to_string()),
                summary: month_summary(&incidents),
                open: n == 0,
                incidents: anchored(&incidents, zone),
            })
            .collect();
        let months = to_value(&months);
        for (path, root) in [
            (format!("history/{year}.html"), "../"),
            ("history.html".to_owned(), ""),
        ] {
            if root.is_empty() && Some(year) != newest {
                continue;
            }
            let html = templates.render(
                HISTORY,
                minijinja::context! {
                    site => site.clone(),
                    root => root,
                    years => links.clone(),
                    year => year,
                    months => months.clone(),
                },
            )?;
            pages.push((path, html));
        }
    }
    if newest.is_none() {
        let html = templates.render(
            HISTORY,
            minijinja::context! {
                site => site.clone(),
                root => "",
                years => links,
                year => Value::from(()),
                months => to_value(Vec::<MonthView>::new()),
            },
        )?;
        pages.push(("history.html".to_owned(), html));
    }
    Ok(pages)
}

/// A month's entries, each day's first with its `day-…` anchor.
fn anchored(list: &[&Incident], zone: Tz) -> Vec<SummaryView> {
    let mut last = None;
    list.iter()
        .map(|i| {
            let mut view = summary_view(i, zone);
            let day = i.created_at.with_timezone(&zone).date_naive();
            if last != Some(day) {
                view.anchor = Some(format!("day-{day}"));
                last = Some(day);
            }
            view
        })
        .collect()
}

/// A month's line: how many incidents (and maintenances), the longest
/// incident, the worst impact.
fn month_summary(list: &[&Incident]) -> String {
    let (windows, incidents): (Vec<&Incident>, Vec<&Incident>) =
        list.iter().partition(|i| i.is_maintenance());
    let mut parts = Vec::new();
    if !incidents.is_empty() {
        parts.push(crate::ui::count(incidents.len(), "incident"));
    }
    if !windows.is_empty() {
        parts.push(crate::ui::count(windows.len(), "maintenance"));
    }
    if let Some(longest) = incidents.iter().filter_map(|i| lasted(i)).max() {
        parts.push(format!("longest {}", when::duration(longest)));
    }
    if let Some(worst) = incidents.iter().map(|i| i.impact).max() {
        parts.push(format!("worst: {}", impact_label(worst).to_lowercase()));
    }
    parts.join(" · ")
}

/// Used by the public module's tests and the JSON: a component's name.
pub fn name_of<'a>(public: &'a Public, id: &'a str) -> &'a str {
    component_name(&public.components, id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_as_their_format_says() {
        let zones = [
            chrono_tz::UTC,
            chrono_tz::Europe::Berlin,
            chrono_tz::America::Sao_Paulo,
            chrono_tz::Asia::Kolkata,
        ];
        let times = [
            "2026-11-27T19:45:07Z",
            "2026-03-29T00:59:59Z",
            "2026-03-29T01:00:00Z",
            "1999-12-31T23:05:00Z",
            "0001-01-01T00:00:00Z",
        ];
        for zone in zones {
            for t in times {
                let at: DateTime<Utc> = t.parse().unwrap();
                let view = TimeView::new(at, zone);
                let local = at.with_timezone(&zone).format("%Y-%m-%d %H:%M %Z");
                assert_eq!(view.local, local.to_string(), "{t} in {zone}");
                assert_eq!(view.utc, at.format("%Y-%m-%d %H:%M UTC").to_string());
            }
        }
        let far = DateTime::<Utc>::MAX_UTC;
        assert_eq!(
            TimeView::new(far, chrono_tz::UTC).utc,
            far.format("%Y-%m-%d %H:%M UTC").to_string()
        );
    }
}
