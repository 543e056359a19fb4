//! What the rules' tests share: one incident's files, built from a header
//! and a timeline, and the findings checking them gives.

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Tz;

use super::{File, FileText, Finding, IncidentFiles, Rules, incident, sort};
use crate::config::Config;

pub const DIR: &str = "incidents/2026/2026-11-20-db-down";
pub const HEADER: &str = "incidents/2026/2026-11-20-db-down/incident.yaml";
pub const TIMELINE: &str = "incidents/2026/2026-11-20-db-down/timeline.yaml";
pub const POSTMORTEM: &str = "incidents/2026/2026-11-20-db-down/postmortem.md";

pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 27, 12, 0, 0).unwrap()
}

pub fn header() -> String {
    "title: DB down\nservices:\n- api\nstarted_at: 2026-11-20T09:55:00Z\n\
     opened_at: 2026-11-20T10:00:00Z\nopened_by: alice\n"
        .to_owned()
}

pub fn line(at: &str, by: &str, rest: &str) -> String {
    format!("- {{\"at\":\"2026-11-20T{at}Z\",\"by\":\"{by}\",{rest}}}\n")
}

pub fn opened(sev: &str) -> String {
    line(
        "10:00:00",
        "alice",
        &format!("\"type\":\"opened\",\"severity\":\"{sev}\",\"status\":\"investigating\""),
    )
}

pub fn commander() -> String {
    line(
        "10:00:00",
        "alice",
        "\"type\":\"role\",\"role\":\"commander\",\"who\":\"alice\"",
    )
}

pub fn resolved() -> String {
    line(
        "11:00:00",
        "alice",
        "\"type\":\"status\",\"status\":\"resolved\"",
    )
}

pub fn files(header: &str, timeline: &str, postmortem: Option<&str>) -> IncidentFiles {
    let text = |t: Option<&str>| t.map_or(FileText::Missing, |t| FileText::Text(t.to_owned()));
    IncidentFiles {
        dir: DIR.to_owned(),
        year: "2026".to_owned(),
        name: "2026-11-20-db-down".to_owned(),
        header: File {
            path: HEADER.to_owned(),
            text: text(Some(header)),
        },
        timeline: File {
            path: TIMELINE.to_owned(),
            text: text(Some(timeline)),
        },
        postmortem: File {
            path: POSTMORTEM.to_owned(),
            text: text(postmortem),
        },
    }
}

pub fn check_with(config: &Config, files: &IncidentFiles) -> Vec<Finding> {
    let mut found = incident(files, &Rules::new(config, now(), Tz::UTC)).findings;
    sort(&mut found);
    found
}

pub fn check(files: &IncidentFiles) -> Vec<Finding> {
    check_with(&Config::default(), files)
}

/// (rule, file, line) of each finding, for compact assertions.
pub fn places(found: &[Finding]) -> Vec<(&'static str, &str, usize)> {
    found
        .iter()
        .map(|f| (f.rule, f.file.as_str(), f.line))
        .collect()
}
