//! What the postmortem template sees, and `inc postmortem --context`
//! prints: the incident, its phases, durations, actions and timeline as
//! view types, with the generated blocks pre-rendered ([`super::blocks`]).

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use serde::ser::Serializer;

use super::blocks::{actions_block, facts_block, impact_block, phases_block, pinned_block};
use crate::config::{Config, PostmortemPolicy};
use crate::model::{Event, EventKind, Header, Phase, Phases, State, when};
use crate::render::json::{self, IncidentView};
use crate::render::timeline::{self, RowView, TimelineView};

/// What the postmortem template sees (and `--context` prints).
#[derive(Debug, Serialize)]
pub struct Context<'a> {
    /// The incident as `inc show --json` prints it, without its events.
    pub incident: IncidentView<'a>,
    /// The zone every time in the draft is shown in (IANA name).
    pub zone: String,
    /// The severity as configured in inc.yaml; null if it is not there.
    pub severity: Option<SeverityView>,
    /// The severity the incident was opened with.
    pub opened_severity: Option<&'a str>,
    /// The incident's services, with their names from inc.yaml.
    pub services: Vec<ServiceView>,
    /// The five phases in order; `at` is null where not reached.
    pub phases: Vec<PhaseView>,
    /// Time to detect, acknowledge, mitigate and resolve (null: not reached).
    pub durations: Durations,
    /// Follow-up actions, by number.
    pub actions: Vec<ActionView<'a>>,
    /// The timeline with its phase markers, as `inc timeline --format json`
    /// prints its rows.
    pub timeline: Vec<RowView>,
    /// The text given when the incident was closed (`inc resolve --summary`,
    /// `inc decline --reason`), if it is closed.
    pub resolution: Option<String>,
    /// Pre-rendered Markdown for the generated blocks.
    pub blocks: Blocks,
}

#[derive(Debug, Serialize)]
pub struct SeverityView {
    pub id: String,
    pub description: String,
    /// The status-page impact this severity has unless one was set.
    pub impact: &'static str,
    /// `required` or `optional`.
    pub postmortem: &'static str,
}

#[derive(Debug, Serialize)]
pub struct ServiceView {
    pub id: String,
    /// The name in inc.yaml, else the ID.
    pub name: String,
    pub group: Option<String>,
    /// An impact set for this service alone (`inc impact`), if any.
    pub impact: Option<&'static str>,
}

#[derive(Debug, Serialize)]
pub struct PhaseView {
    /// `started`, `detected`, `acknowledged`, `mitigated`, `resolved`.
    pub key: &'static str,
    /// `impact start`, `detected` ….
    pub label: &'static str,
    /// RFC 3339, UTC.
    pub at: Option<String>,
    /// In the display zone: `2026-11-27 20:45 CET`.
    pub local: Option<String>,
    /// Since the previous phase reached.
    pub since_previous: Option<DurationView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DurationView {
    pub seconds: i64,
    /// `45s`, `12m`, `1h 05m`, `3d 4h`.
    pub human: String,
}

#[derive(Debug, Serialize)]
pub struct Durations {
    pub detect: DurationView,
    pub acknowledge: Option<DurationView>,
    pub mitigate: Option<DurationView>,
    pub resolve: Option<DurationView>,
}

#[derive(Debug, Serialize)]
pub struct ActionView<'a> {
    /// The action as `inc show --json` prints it.
    #[serde(flatten)]
    pub action: json::ActionView<'a>,
    /// `done`, `overdue` or `open`.
    pub status: &'static str,
}

/// The generated blocks, each the Markdown between its markers (no
/// trailing newline).
#[derive(Debug, Serialize)]
pub struct Blocks {
    /// ID, status, severity, roles, when it was opened and resolved.
    pub facts: Markdown,
    /// Duration, severity, status-page impact, services, response times.
    pub impact: Markdown,
    /// The action items table.
    pub actions: Markdown,
    /// A Mermaid flowchart of the phases with the time between them.
    pub phases: Markdown,
    /// The timeline table (`inc timeline --format markdown`).
    pub timeline: Markdown,
    /// The pinned notes (`inc note --pin`) as a list.
    pub pinned: Markdown,
}

/// Generated Markdown: a plain string in JSON, a safe string (printed
/// without escaping) in a template.
#[derive(Debug, Clone, PartialEq)]
pub struct Markdown(pub String);

impl Serialize for Markdown {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if minijinja::value::serializing_for_value() {
            minijinja::Value::from_safe_string(self.0.clone()).serialize(serializer)
        } else {
            serializer.serialize_str(&self.0)
        }
    }
}

fn duration(d: chrono::Duration) -> DurationView {
    DurationView {
        seconds: d.num_seconds(),
        human: when::duration(d),
    }
}

impl<'a> Context<'a> {
    pub fn new(
        id: &'a str,
        header: &'a Header,
        state: &'a State,
        events: &'a [Event],
        config: &Config,
        zone: Tz,
        today: NaiveDate,
    ) -> Context<'a> {
        let phases = Phases::of(header, state);
        let rows = timeline::rows(header, state, events, false);
        let severity = state
            .severity
            .as_deref()
            .and_then(|s| config.severity(s))
            .map(|s| SeverityView {
                id: s.id.clone(),
                description: s.description.clone(),
                impact: s.impact.as_str(),
                postmortem: match s.postmortem {
                    PostmortemPolicy::Required => "required",
                    PostmortemPolicy::Optional => "optional",
                },
            });
        let opened_severity = events.iter().find_map(|e| match &e.kind {
            EventKind::Opened { severity, .. } => Some(severity.as_str()),
            _ => None,
        });
        let services = header
            .services
            .iter()
            .map(|id| {
                let configured = config.services.iter().find(|s| &s.id == id);
                ServiceView {
                    id: id.clone(),
                    name: configured
                        .and_then(|s| s.name.clone())
                        .filter(|n| !n.trim().is_empty())
                        .unwrap_or_else(|| id.clone()),
                    group: configured.and_then(|s| s.group.clone()),
                    impact: state.service_impact.get(id).map(|i| i.as_str()),
                }
            })
            .collect();
        let mut previous: Option<DateTime<Utc>> = None;
        let phase_views = Phase::ALL
            .iter()
            .map(|&phase| {
                let at = phases.at(phase);
                let since_previous = at.and_then(|at| previous.map(|p| duration(at - p)));
                if at.is_some() {
                    previous = at;
                }
                PhaseView {
                    key: phase.key(),
                    label: phase.label(),
                    at: at.map(when::stored),
                    local: at.map(|t| when::show(t, zone)),
                    since_previous,
                }
            })
            .collect();
        let mut actions: Vec<ActionView> = state
            .actions
            .iter()
            .map(|a| ActionView {
                action: json::ActionView::from(a),
                status: match (a.done, a.is_overdue(today)) {
                    (true, _) => "done",
                    (false, true) => "overdue",
                    (false, false) => "open",
                },
            })
            .collect();
        actions.sort_by_key(|a| a.action.id);
        let resolution = if state.status.is_some_and(|s| s.is_closed()) {
            events.iter().rev().find_map(|e| match &e.kind {
                EventKind::Status {
                    status,
                    text: Some(text),
                } if status.is_closed() && !text.trim().is_empty() => Some(text.clone()),
                _ => None,
            })
        } else {
            None
        };
        let mut context = Context {
            incident: IncidentView::new(id, header, state, None, config),
            zone: zone.to_string(),
            severity,
            opened_severity,
            services,
            phases: phase_views,
            durations: Durations {
                detect: duration(phases.to_detect()),
                acknowledge: phases.to_acknowledge().map(duration),
                mitigate: phases.to_mitigate().map(duration),
                resolve: phases.to_resolve().map(duration),
            },
            actions,
            timeline: TimelineView::new(id, &phases, &rows, zone, false).rows,
            resolution,
            blocks: Blocks {
                facts: Markdown(String::new()),
                impact: Markdown(String::new()),
                actions: Markdown(String::new()),
                phases: Markdown(phases_block(&phases, state, zone)),
                timeline: Markdown(timeline::markdown(&rows, zone).trim_end().to_owned()),
                pinned: Markdown(pinned_block(events, zone)),
            },
        };
        context.blocks.facts = Markdown(facts_block(&context, header, state, config, zone));
        context.blocks.impact = Markdown(impact_block(&context));
        context.blocks.actions = Markdown(actions_block(&context));
        context
    }
}
