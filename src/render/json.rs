//! `--json` output: view types, separate from storage types, so the API
//! stays stable when the files change.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::config::Config;
use crate::model::state::Action;
use crate::model::{Event, Header, Kind, State, when};

/// An incident as `inc show --json` prints it (`inc list --json` leaves out
/// `events`).
#[derive(Debug, Serialize)]
pub struct IncidentView<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub public_title: Option<&'a str>,
    pub kind: &'static str,
    pub mode: &'static str,
    pub status: Option<&'static str>,
    pub severity: Option<&'a str>,
    pub impact: &'static str,
    pub services: &'a [String],
    /// Who was on call for its services at opening: rotation → person.
    pub oncall: &'a BTreeMap<String, String>,
    pub roles: &'a BTreeMap<String, String>,
    pub private: bool,
    pub labels: &'a BTreeMap<String, String>,
    pub summary: Option<&'a str>,
    pub started_at: String,
    pub opened_at: String,
    pub opened_by: &'a str,
    pub acknowledged_at: Option<String>,
    pub mitigated_at: Option<String>,
    pub resolved_at: Option<String>,
    /// A maintenance window's planned start and end (absent on incidents).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scheduled_start: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scheduled_end: Option<String>,
    pub actions: Vec<ActionView<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events: Option<&'a [Event]>,
}

#[derive(Debug, Serialize)]
pub struct ActionView<'a> {
    pub id: u32,
    pub text: &'a str,
    pub owner: Option<&'a str>,
    pub due: Option<&'a str>,
    pub link: Option<&'a str>,
    pub done: bool,
}

impl<'a> From<&'a Action> for ActionView<'a> {
    fn from(a: &'a Action) -> ActionView<'a> {
        ActionView {
            id: a.id,
            text: &a.text,
            owner: a.owner.as_deref(),
            due: a.due.as_deref(),
            link: a.link.as_deref(),
            done: a.done,
        }
    }
}

fn time(t: Option<DateTime<Utc>>) -> Option<String> {
    t.map(when::stored)
}

impl<'a> IncidentView<'a> {
    pub fn new(
        id: &'a str,
        header: &'a Header,
        state: &'a State,
        events: Option<&'a [Event]>,
        config: &Config,
    ) -> IncidentView<'a> {
        let maintenance = header.kind() == Kind::Maintenance;
        IncidentView {
            id,
            title: &header.title,
            public_title: header.public_title.as_deref(),
            kind: header.kind().as_str(),
            mode: header.mode().as_str(),
            status: state.status.map(|s| s.as_str()),
            // A maintenance window has no severity (older windows recorded
            // the lowest one at scheduling).
            severity: state.severity.as_deref().filter(|_| !maintenance),
            impact: state
                .impact
                .unwrap_or_else(|| config.default_impact(state.severity.as_deref()))
                .as_str(),
            services: &header.services,
            oncall: &header.oncall,
            roles: &state.roles,
            private: header.private,
            labels: &header.labels,
            summary: header.summary.as_deref(),
            started_at: when::stored(header.started()),
            opened_at: when::stored(header.opened_at),
            opened_by: &header.opened_by,
            acknowledged_at: time(state.acknowledged_at),
            mitigated_at: time(state.mitigated_at),
            resolved_at: time(state.resolved_at),
            scheduled_start: time(header.scheduled_start),
            scheduled_end: time(header.scheduled_end),
            actions: state.actions.iter().map(ActionView::from).collect(),
            events,
        }
    }
}
