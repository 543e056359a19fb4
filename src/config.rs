//! `inc.yaml`: the schema, its defaults, and errors that name file:line.
//!
//! The schema and what commands ask of it are here; reading and checking
//! the file (and `oncall.yaml`) is in `load`, the on-call part in [`oncall`](crate::config::oncall).

use std::collections::BTreeMap;

use anyhow::{Result, bail};
use chrono_tz::Tz;
use serde::Deserialize;

use crate::error::user_error_with_hint;
use crate::model::oncall::{Level, OnCall};
use crate::model::{Impact, Status};

mod load;
pub mod oncall;

pub use oncall::ONCALL_FILE;

/// The whole configuration. Every key is optional; unknown keys are errors.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The organisation or product name, shown on generated pages.
    #[serde(default)]
    pub name: Option<String>,
    /// Display zone (IANA name); the local zone when absent.
    #[serde(default)]
    pub timezone: Option<Tz>,
    #[serde(default = "default_severities")]
    pub severities: Vec<Severity>,
    /// While empty, any service name is accepted.
    #[serde(default)]
    pub services: Vec<Service>,
    #[serde(default = "default_roles")]
    pub roles: Vec<String>,
    #[serde(default)]
    pub postmortem: Postmortem,
    #[serde(default)]
    pub site: Site,
    #[serde(default)]
    pub alerts: Alerts,
    /// Commands run after an event is committed (see `hooks.rs`);
    /// only on a clone that trusts them.
    #[serde(default)]
    pub hooks: Vec<Hook>,
    #[serde(default)]
    pub git: Git,
    /// Other repositories whose commits `inc suspects` lists.
    #[serde(default)]
    pub suspects: Suspects,
    /// On-call rotations and overrides as written here (more may be in
    /// `oncall.yaml`); [`Config::oncall`] is the validated whole.
    #[serde(default, rename = "oncall")]
    pub oncall_section: Option<oncall::OncallSection>,
    /// The escalation policy as written here or in `oncall.yaml`.
    #[serde(default, rename = "escalation")]
    pub escalation_section: Option<Vec<oncall::LevelConfig>>,
    /// Rotations and overrides of inc.yaml and oncall.yaml, validated.
    #[serde(skip)]
    pub oncall: OnCall,
    /// The default escalation policy, validated.
    #[serde(skip)]
    pub escalation: Vec<Level>,
    /// Policies services name for themselves, validated.
    #[serde(skip)]
    pub service_escalation: Vec<(String, Vec<Level>)>,
    /// Where `oncall.overrides` are written, and whether oncall.yaml was
    /// read.
    #[serde(skip)]
    pub oncall_file: Option<oncall::OncallFile>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Severity {
    pub id: String,
    #[serde(default)]
    pub description: String,
    /// The status-page impact an incident of this severity has by default.
    #[serde(default = "default_impact")]
    pub impact: Impact,
    #[serde(default)]
    pub postmortem: PostmortemPolicy,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PostmortemPolicy {
    Required,
    #[default]
    Optional,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Service {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub group: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// This service's own escalation policy, instead of `escalation`.
    #[serde(default)]
    pub escalation: Option<Vec<oncall::LevelConfig>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Postmortem {
    /// Days after resolution by which a required postmortem must exist.
    pub due_days: u32,
    /// Phrases `inc check` flags as blaming language in a postmortem
    /// (case-insensitive, whole words); an empty list turns the check off.
    pub blame_words: Vec<String>,
}

impl Default for Postmortem {
    fn default() -> Self {
        Postmortem {
            due_days: 7,
            blame_words: default_blame_words(),
        }
    }
}

/// Blaming language a blameless postmortem avoids: it names a person's
/// failing instead of what the system allowed.
pub fn default_blame_words() -> Vec<String> {
    [
        "human error",
        "'s fault",
        "fault of",
        "should have known",
        "should have noticed",
        "should have caught",
        "careless",
        "carelessness",
        "negligent",
        "negligence",
        "incompetent",
        "incompetence",
        "sloppy",
        "blame",
        "blamed",
        "blaming",
    ]
    .map(String::from)
    .to_vec()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Site {
    pub title: Option<String>,
    pub url: Option<String>,
    pub history_days: u32,
    /// How many incidents `feed.atom` carries, newest first (feed readers
    /// poll it; the history pages and api/v2 stay complete).
    pub feed_entries: usize,
    /// The public sentence a status change without an update shows, per
    /// status; a status not listed keeps [`default_status_text`].
    pub status_text: BTreeMap<Status, String>,
    /// The first day every component's bar and uptime count from (`no data`
    /// before it); default: the day of the first public incident.
    #[serde(deserialize_with = "date")]
    pub since: Option<chrono::NaiveDate>,
}

/// A `YYYY-MM-DD` date, with an error that says so (raised while the
/// value is read, so it points at the value's line).
fn date<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<chrono::NaiveDate>, D::Error> {
    struct Date;
    impl serde::de::Visitor<'_> for Date {
        type Value = Option<chrono::NaiveDate>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a date like 2026-01-31")
        }
        fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Self::Value, E> {
            chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
                .map(Some)
                .map_err(|_| E::custom(format!("`{text}` is not a date like 2026-01-31")))
        }
    }
    d.deserialize_str(Date)
}

impl Default for Site {
    fn default() -> Self {
        Site {
            title: None,
            url: None,
            history_days: 90,
            feed_entries: 50,
            status_text: BTreeMap::new(),
            since: None,
        }
    }
}

impl Site {
    /// The public sentence for a change to `status` that came without an
    /// update's text: inc.yaml's `site.status_text`, else the default.
    pub fn status_text(&self, status: Status) -> &str {
        self.status_text
            .get(&status)
            .map_or_else(|| default_status_text(status), String::as_str)
    }
}

/// What the page says of a status change nobody wrote an update for
/// (Statuspage's own default wording).
pub fn default_status_text(status: Status) -> &'static str {
    match status {
        Status::Triage | Status::Investigating => "We are currently investigating this issue.",
        Status::Identified => "The issue has been identified and a fix is being implemented.",
        Status::Monitoring => "A fix has been implemented and we are monitoring the results.",
        Status::Resolved => "This incident has been resolved.",
        Status::Declined => "This incident has been closed.",
        Status::Scheduled => "This maintenance is scheduled.",
        Status::InProgress => "Scheduled maintenance is currently in progress.",
        Status::Verifying => "Verification is currently underway for the maintenance items.",
        Status::Completed => "The scheduled maintenance has been completed.",
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Alerts {
    pub severity_label: String,
    pub service_label: String,
    /// Alert label value → severity ID.
    pub severity_map: BTreeMap<String, String>,
    pub on_resolved: OnResolved,
    pub reopen_window: String,
}

impl Default for Alerts {
    fn default() -> Self {
        Alerts {
            severity_label: "severity".to_owned(),
            service_label: "service".to_owned(),
            severity_map: BTreeMap::new(),
            on_resolved: OnResolved::Note,
            reopen_window: "1h".to_owned(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnResolved {
    Note,
    Monitoring,
    Resolve,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hook {
    /// Event kinds that trigger the hook (see `hooks::EVENT_NAMES`);
    /// `any`, or an empty list, means all.
    #[serde(default)]
    pub on: Vec<String>,
    /// A command for `sh -c`, run from the repository root.
    pub run: String,
    /// How long it may run before it is killed with its children: `10s`,
    /// `1m`, `1m30s`; 10 seconds when absent.
    #[serde(default)]
    pub timeout: Option<String>,
}

impl Hook {
    /// The time it may run ([`Hook::timeout`], checked on load).
    pub fn timeout(&self) -> std::time::Duration {
        self.timeout
            .as_deref()
            .and_then(|t| crate::hooks::parse_timeout(t).ok())
            .unwrap_or(crate::hooks::DEFAULT_TIMEOUT)
    }
}

/// `suspects:`: where `inc suspects` looks for the commits made around an
/// incident's impact, besides the incident repository itself.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Suspects {
    /// Local git repositories (paths relative to the incident repository's
    /// root, `~/` for the home folder), each read at HEAD or at its `ref`.
    pub repos: Vec<SuspectRepo>,
    /// How long before the impact started the window opens: a duration
    /// like `2h` ([`crate::model::when::parse_duration`]), checked on load.
    pub before: String,
    /// The 1-based inc.yaml line of each entry of `repos`, for warnings.
    #[serde(skip)]
    pub lines: Vec<Option<usize>>,
}

impl Default for Suspects {
    fn default() -> Self {
        Suspects {
            repos: Vec::new(),
            before: "2h".to_owned(),
            lines: Vec::new(),
        }
    }
}

impl Suspects {
    /// [`Suspects::before`] as a duration (it was checked on load).
    pub fn before(&self) -> chrono::Duration {
        crate::model::when::parse_duration(&self.before)
            .unwrap_or_else(|_| chrono::Duration::hours(2))
    }
}

/// One entry of `suspects.repos`: a path, or `{path, ref}` to read a ref
/// (`origin/main`, a tag) instead of HEAD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuspectRepo {
    pub path: String,
    pub rev: Option<String>,
}

impl<'de> Deserialize<'de> for SuspectRepo {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Table {
            path: String,
            #[serde(default, rename = "ref")]
            rev: Option<String>,
        }
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = SuspectRepo;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a path, or {path, ref}")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<SuspectRepo, E> {
                Ok(SuspectRepo {
                    path: v.to_owned(),
                    rev: None,
                })
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<SuspectRepo, A::Error> {
                let t = Table::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(SuspectRepo {
                    path: t.path,
                    rev: t.rev,
                })
            }
        }
        d.deserialize_any(Visitor)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Git {
    pub commit: bool,
    /// Let inc patch git's index in place for the files a command changed
    /// (`store::index`: a note costs one small write instead of libgit2
    /// rewriting a 3.5 MB index); `false` always goes through libgit2.
    pub index_fast_path: bool,
}

impl Default for Git {
    fn default() -> Self {
        Git {
            commit: true,
            index_fast_path: true,
        }
    }
}

fn default_impact() -> Impact {
    Impact::None
}

fn default_roles() -> Vec<String> {
    ["commander", "comms", "scribe"].map(String::from).to_vec()
}

fn default_severities() -> Vec<Severity> {
    let sev = |id: &str, description: &str, impact, postmortem| Severity {
        id: id.to_owned(),
        description: description.to_owned(),
        impact,
        postmortem,
    };
    use PostmortemPolicy::*;
    vec![
        sev(
            "SEV1",
            "Critical: a core service is down or data is at risk for many customers",
            Impact::MajorOutage,
            Required,
        ),
        sev(
            "SEV2",
            "Major: a core feature is broken or badly degraded for many customers",
            Impact::PartialOutage,
            Required,
        ),
        sev(
            "SEV3",
            "Minor: a non-core feature is degraded, or a few customers are affected",
            Impact::DegradedPerformance,
            Optional,
        ),
        sev(
            "SEV4",
            "Low: no customer impact yet; worth tracking",
            Impact::None,
            Optional,
        ),
    ]
}

impl Default for Config {
    fn default() -> Self {
        // An empty document takes every default.
        serde_yaml::from_str("{}").expect("the defaults parse")
    }
}

impl Config {
    /// The escalation policy of an incident of `services`: that of the
    /// first of them naming its own, else `escalation`.
    pub fn escalation_for(&self, services: &[String]) -> &[Level] {
        services
            .iter()
            .find_map(|s| {
                self.service_escalation
                    .iter()
                    .find(|(id, _)| id == s)
                    .map(|(_, levels)| levels.as_slice())
            })
            .unwrap_or(&self.escalation)
    }

    pub fn severity(&self, id: &str) -> Option<&Severity> {
        self.severities.iter().find(|s| s.id == id)
    }

    /// Resolves a severity as typed (case-insensitive) to its configured ID.
    pub fn parse_severity(&self, typed: &str) -> Result<String> {
        let typed = typed.trim();
        match self
            .severities
            .iter()
            .find(|s| s.id.eq_ignore_ascii_case(typed))
        {
            Some(s) => Ok(s.id.clone()),
            None => {
                let ids: Vec<&str> = self.severities.iter().map(|s| s.id.as_str()).collect();
                let guess = crate::model::typo::did_you_mean(typed, &ids)
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                Err(user_error_with_hint(
                    format!("unknown severity `{typed}`{guess}"),
                    format!("the severities of inc.yaml: {}", self.severity_ids()),
                ))
            }
        }
    }

    pub fn severity_ids(&self) -> String {
        let ids: Vec<String> = self
            .severities
            .iter()
            .map(|s| format!("`{}`", s.id))
            .collect();
        ids.join(", ")
    }

    /// Checks service names against the configured list (any name while the
    /// list is empty).
    pub fn check_services(&self, services: &[String]) -> Result<()> {
        if self.services.is_empty() {
            return Ok(());
        }
        for s in services {
            if !self.services.iter().any(|c| &c.id == s) {
                let ids: Vec<String> = self
                    .services
                    .iter()
                    .map(|s| format!("`{}`", s.id))
                    .collect();
                bail!("unknown service `{s}`; inc.yaml lists: {}", ids.join(", "));
            }
        }
        Ok(())
    }

    pub fn check_role(&self, role: &str) -> Result<()> {
        if self.roles.iter().any(|r| r == role) {
            return Ok(());
        }
        let roles: Vec<String> = self.roles.iter().map(|r| format!("`{r}`")).collect();
        bail!(
            "unknown role `{role}`; inc.yaml allows: {}",
            roles.join(", ")
        )
    }

    /// The impact an incident of this severity has unless one was set.
    pub fn default_impact(&self, severity: Option<&str>) -> Impact {
        severity
            .and_then(|s| self.severity(s))
            .map_or(Impact::None, |s| s.impact)
    }
}

#[cfg(test)]
mod tests;
