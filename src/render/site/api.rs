//! Statuspage-compatible JSON (`api/v2/…`) and the shields.io badge, with
//! Statuspage's field names so existing widgets and bots work unchanged.

use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use super::public::{ComponentStatus, Incident, Public, statuspage_impact, statuspage_status};
use crate::model::Impact;

/// How many incidents `incidents.json` and `scheduled-maintenances.json` hold.
const LIMIT: usize = 50;

fn time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[derive(Debug, Clone, Serialize)]
pub struct Page {
    pub id: String,
    pub name: String,
    pub url: String,
    pub time_zone: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct StatusJson {
    pub indicator: &'static str,
    pub description: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct ComponentJson {
    pub id: String,
    pub name: String,
    pub status: &'static str,
    pub created_at: String,
    pub updated_at: String,
    pub position: usize,
    pub description: Option<String>,
    pub showcase: bool,
    pub start_date: Option<String>,
    pub group_id: Option<String>,
    pub page_id: String,
    pub group: bool,
    pub only_show_if_degraded: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub components: Option<Vec<String>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AffectedComponent {
    pub id: String,
    pub name: String,
    pub status: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct UpdateJson {
    pub id: String,
    pub status: &'static str,
    pub body: String,
    pub incident_id: String,
    pub created_at: String,
    pub updated_at: String,
    pub display_at: String,
    pub affected_components: Vec<ComponentChange>,
}

/// What an update did to a component, as Statuspage gives it.
#[derive(Debug, Clone, Serialize)]
pub struct ComponentChange {
    pub code: String,
    pub name: String,
    pub old_status: &'static str,
    pub new_status: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct IncidentJson {
    pub id: String,
    pub name: String,
    pub status: &'static str,
    pub impact: &'static str,
    pub created_at: String,
    pub updated_at: String,
    pub started_at: String,
    pub monitoring_at: Option<String>,
    pub resolved_at: Option<String>,
    pub shortlink: String,
    pub page_id: String,
    pub incident_updates: Vec<UpdateJson>,
    pub components: Vec<AffectedComponent>,
    /// The published part of the postmortem (Markdown), as Statuspage's.
    pub postmortem_body: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scheduled_for: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scheduled_until: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub page: Page,
    pub components: Vec<ComponentJson>,
    pub incidents: Vec<IncidentJson>,
    pub scheduled_maintenances: Vec<IncidentJson>,
    pub status: StatusJson,
}

#[derive(Debug, Clone, Serialize)]
pub struct Badge {
    #[serde(rename = "schemaVersion")]
    pub schema_version: u8,
    pub label: &'static str,
    pub message: String,
    pub color: &'static str,
}

/// The JSON files, path → pretty JSON.
pub fn files(
    public: &Public,
    title: &str,
    url: Option<&str>,
    now: DateTime<Utc>,
    zone: Tz,
) -> Vec<(String, String)> {
    let base = url.map(|u| u.trim_end_matches('/').to_owned());
    let page_id = slug(title);
    let page = Page {
        id: page_id.clone(),
        name: title.to_owned(),
        url: base.clone().unwrap_or_default(),
        time_zone: zone.to_string(),
        updated_at: time(public.updated_at),
    };
    let status = StatusJson {
        indicator: public.overall.indicator,
        description: statuspage_description(public.overall.indicator, public.overall.worst),
    };
    let components = components(public, &page_id, zone);
    let json = |i: &Incident| incident_json(i, public, base.as_deref(), &page_id);
    let incidents: Vec<&Incident> = public
        .incidents
        .iter()
        .filter(|i| !i.is_maintenance())
        .collect();
    let maintenances: Vec<&Incident> = public
        .incidents
        .iter()
        .filter(|i| i.is_maintenance())
        .collect();
    let unresolved: Vec<IncidentJson> = incidents
        .iter()
        .filter(|i| i.is_open())
        .map(|i| json(i))
        .collect();
    let active: Vec<IncidentJson> = maintenances
        .iter()
        .filter(|i| i.maintenance_active())
        .map(|i| json(i))
        .collect();
    let upcoming: Vec<IncidentJson> = maintenances
        .iter()
        .filter(|i| i.maintenance_upcoming(now))
        .map(|i| json(i))
        .collect();
    let current_maintenances: Vec<IncidentJson> = active.iter().chain(&upcoming).cloned().collect();
    let summary = Summary {
        page: page.clone(),
        components: components.clone(),
        incidents: unresolved.clone(),
        scheduled_maintenances: current_maintenances,
        status: status.clone(),
    };
    let badge = Badge {
        schema_version: 1,
        label: "status",
        message: public.overall.description.to_lowercase(),
        color: match public.overall.indicator {
            "critical" => "red",
            "major" => "orange",
            "minor" => "yellow",
            "maintenance" => "blue",
            _ if public.overall.description == "All systems operational" => "brightgreen",
            _ => "green",
        },
    };
    vec![
        ("api/v2/summary.json".to_owned(), pretty(&summary)),
        (
            "api/v2/status.json".to_owned(),
            pretty(&serde_json::json!({ "page": page, "status": status })),
        ),
        (
            "api/v2/components.json".to_owned(),
            pretty(&serde_json::json!({ "page": page, "components": components })),
        ),
        (
            "api/v2/incidents.json".to_owned(),
            pretty(&serde_json::json!({
                "page": page,
                "incidents": incidents.iter().take(LIMIT).map(|i| json(i)).collect::<Vec<_>>(),
            })),
        ),
        (
            "api/v2/incidents/unresolved.json".to_owned(),
            pretty(&serde_json::json!({ "page": page, "incidents": unresolved })),
        ),
        (
            "api/v2/scheduled-maintenances.json".to_owned(),
            pretty(&serde_json::json!({
                "page": page,
                "scheduled_maintenances":
                    maintenances.iter().take(LIMIT).map(|i| json(i)).collect::<Vec<_>>(),
            })),
        ),
        (
            "api/v2/scheduled-maintenances/upcoming.json".to_owned(),
            pretty(&serde_json::json!({ "page": page, "scheduled_maintenances": upcoming })),
        ),
        (
            "api/v2/scheduled-maintenances/active.json".to_owned(),
            pretty(&serde_json::json!({ "page": page, "scheduled_maintenances": active })),
        ),
        ("badge.json".to_owned(), pretty(&badge)),
    ]
}

/// Statuspage's own wording of the overall status, which clients compare
/// as strings (the page words it its own way).
fn statuspage_description(indicator: &str, worst: Option<Impact>) -> &'static str {
    match (indicator, worst) {
        ("maintenance", _) => "Service Under Maintenance",
        (_, Some(Impact::MajorOutage)) => "Major Service Outage",
        (_, Some(Impact::PartialOutage)) => "Partial System Outage",
        (_, Some(Impact::DegradedPerformance)) => "Partially Degraded Service",
        _ => "All Systems Operational",
    }
}

/// Pretty JSON with a final newline.
fn pretty<T: Serialize>(value: &T) -> String {
    // View types of strings, numbers and options always serialize.
    serde_json::to_string_pretty(value).unwrap_or_default() + "\n"
}

fn components(public: &Public, page_id: &str, zone: Tz) -> Vec<ComponentJson> {
    let updated = time(public.updated_at);
    let mut out: Vec<ComponentJson> = Vec::new();
    let mut groups: Vec<(String, String, Vec<String>)> = Vec::new();
    for (n, c) in public.components.iter().enumerate() {
        let group_id = c.group.as_ref().map(|g| format!("group-{}", slug(g)));
        if let (Some(g), Some(gid)) = (&c.group, &group_id) {
            match groups.iter_mut().find(|(id, _, _)| id == gid) {
                Some((_, _, members)) => members.push(c.id.clone()),
                None => groups.push((gid.clone(), g.clone(), vec![c.id.clone()])),
            }
        }
        out.push(ComponentJson {
            id: c.id.clone(),
            name: c.name.clone(),
            status: c.status.as_str(),
            created_at: time(super::public::day_start(c.since, zone)),
            updated_at: updated.clone(),
            position: n + 1,
            description: c.description.clone(),
            showcase: true,
            start_date: Some(c.since.to_string()),
            group_id,
            page_id: page_id.to_owned(),
            group: false,
            only_show_if_degraded: false,
            components: None,
        });
    }
    let first = out.len();
    for (n, (id, name, members)) in groups.into_iter().enumerate() {
        let status = public
            .components
            .iter()
            .filter(|c| members.contains(&c.id))
            .map(|c| c.status)
            .max()
            .map_or("operational", |s| s.as_str());
        out.push(ComponentJson {
            id,
            name,
            status,
            created_at: updated.clone(),
            updated_at: updated.clone(),
            position: first + n + 1,
            description: None,
            showcase: false,
            start_date: None,
            group_id: None,
            page_id: page_id.to_owned(),
            group: true,
            only_show_if_degraded: false,
            components: Some(members),
        });
    }
    out
}

pub fn incident_json(
    i: &Incident,
    public: &Public,
    base: Option<&str>,
    page_id: &str,
) -> IncidentJson {
    let path = super::html::incident_path(&i.id);
    let monitoring_at = i
        .updates
        .iter()
        .find(|u| u.status == crate::model::Status::Monitoring)
        .map(|u| time(u.at));
    IncidentJson {
        id: i.id.clone(),
        name: i.name.clone(),
        status: statuspage_status(i.status),
        impact: if i.is_maintenance() {
            "maintenance"
        } else {
            statuspage_impact(i.impact)
        },
        created_at: time(i.created_at),
        updated_at: time(i.updated_at),
        started_at: time(i.started_at),
        monitoring_at,
        resolved_at: i.resolved_at.map(time),
        shortlink: match base {
            Some(b) => format!("{b}/{path}"),
            None => path,
        },
        page_id: page_id.to_owned(),
        incident_updates: updates_json(i, public),
        components: i
            .components
            .iter()
            .map(|(id, _)| AffectedComponent {
                id: id.clone(),
                name: super::html::name_of(public, id).to_owned(),
                status: public
                    .components
                    .iter()
                    .find(|c| &c.id == id)
                    .map_or("operational", |c| c.status.as_str()),
            })
            .collect(),
        postmortem_body: i.postmortem.clone(),
        scheduled_for: i.window.map(|(s, _)| time(s)),
        scheduled_until: i.window.map(|(_, e)| time(e)),
    }
}

/// The updates, newest first, each with what it did to the incident's
/// components (from `operational` before the first).
fn updates_json(i: &Incident, public: &Public) -> Vec<UpdateJson> {
    let mut before: Vec<ComponentStatus> = vec![ComponentStatus::Operational; i.components.len()];
    let mut out: Vec<UpdateJson> = i
        .updates
        .iter()
        .enumerate()
        .map(|(n, u)| {
            let affected = i
                .components
                .iter()
                .zip(&mut before)
                .map(|((id, impact), old)| {
                    let new = ComponentStatus::during(*impact, u.status);
                    let change = ComponentChange {
                        code: id.clone(),
                        name: super::html::name_of(public, id).to_owned(),
                        old_status: old.as_str(),
                        new_status: new.as_str(),
                    };
                    *old = new;
                    change
                })
                .collect();
            UpdateJson {
                id: format!("{}-{}", i.id, n + 1),
                status: statuspage_status(u.status),
                body: u.body.clone(),
                incident_id: i.id.clone(),
                created_at: time(u.at),
                updated_at: time(u.at),
                display_at: time(u.at),
                affected_components: affected,
            }
        })
        .collect();
    out.reverse();
    out
}

/// `a-z0-9-` from any text, for IDs.
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_owned();
    if out.is_empty() {
        "status".to_owned()
    } else {
        out
    }
}
