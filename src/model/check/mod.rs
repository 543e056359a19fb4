//! `inc check`'s rules: what is wrong with an incident's files, and where.
//!
//! Pure: the store reads every file once as text (`store::scan`), and this
//! module turns the texts, the configuration and `now` into [`Finding`]s,
//! each naming a file (relative to the repository root) and a 1-based line.
//! Each text is parsed once; the line of a YAML key is found by searching
//! the text, not by parsing it again.
//!
//! Errors make `inc check` fail (exit 3); warnings are reported only.
//!
//! The rules sit in one file per thing they check: `header` (the keys
//! and times of `incident.yaml`), `timeline` (each event, and the order
//! of phases), `due` (postmortems and actions past their dates),
//! `postmortem` (placeholders and blaming language), `groups` (alert
//! groups open twice at once); `yaml` finds the line of a key in a text.

mod due;
#[cfg(test)]
mod fixtures;
mod groups;
mod header;
mod postmortem;
mod timeline;
mod yaml;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use std::fmt;

pub use groups::{GroupMember, duplicates};
pub use postmortem::PLACEHOLDER;

use due::{check_actions, check_postmortem_due};
use groups::group_member;
use header::check_header;
use postmortem::{check_postmortem_text, normalize};
use timeline::{check_commander, check_events, check_phases, read_timeline};

use super::incident::Header;
use super::state::State;
use super::status::Kind;
use super::{id, when};
use crate::config::Config;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Fails the check.
    Error,
    /// Reported; does not fail the check.
    Warning,
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::Error => "error",
            Level::Warning => "warning",
        })
    }
}

/// One problem, where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub level: Level,
    /// Relative to the incident repository's root, with `/`.
    pub file: String,
    /// 1-based.
    pub line: usize,
    /// A short stable name for the rule (`unknown-severity`, `blame` …).
    pub rule: &'static str,
    /// One line of English.
    pub message: String,
}

impl Finding {
    pub(super) fn error(
        file: &str,
        line: usize,
        rule: &'static str,
        message: impl Into<String>,
    ) -> Finding {
        Finding::new(Level::Error, file, line, rule, message.into())
    }

    pub(super) fn warning(
        file: &str,
        line: usize,
        rule: &'static str,
        message: impl Into<String>,
    ) -> Finding {
        Finding::new(Level::Warning, file, line, rule, message.into())
    }

    fn new(level: Level, file: &str, line: usize, rule: &'static str, message: String) -> Finding {
        Finding {
            level,
            file: file.to_owned(),
            line: line.max(1),
            rule,
            message,
        }
    }
}

/// Orders findings by file, then line, then errors before warnings.
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (&a.file, a.line, a.level, &a.message).cmp(&(&b.file, b.line, b.level, &b.message))
    });
}

/// A file's contents as the store found them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileText {
    Missing,
    /// Exists but could not be read as UTF-8 text; why.
    Unreadable(String),
    Text(String),
}

/// A file of an incident: its path (relative to the root, with `/`) and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    pub path: String,
    pub text: FileText,
}

/// Everything `inc check` reads of one incident folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentFiles {
    /// The folder, relative to the root: `incidents/<year>/<name>`.
    pub dir: String,
    /// The name of the year folder it sits in.
    pub year: String,
    /// The folder's own name, which is the incident's ID.
    pub name: String,
    pub header: File,
    pub timeline: File,
    pub postmortem: File,
}

/// What the rules need besides the files: the configuration and the time.
#[derive(Debug, Clone)]
pub struct Rules<'a> {
    pub config: &'a Config,
    pub now: DateTime<Utc>,
    /// The display zone, which decides what "today" is for due dates.
    pub zone: Tz,
    /// `postmortem.blame_words`, lowercased once.
    blame_words: Vec<String>,
}

impl<'a> Rules<'a> {
    pub fn new(config: &'a Config, now: DateTime<Utc>, zone: Tz) -> Rules<'a> {
        Rules {
            config,
            now,
            zone,
            blame_words: config
                .postmortem
                .blame_words
                .iter()
                .map(|w| normalize(w.trim()).into_owned())
                .filter(|w| !w.is_empty())
                .collect(),
        }
    }

    pub(super) fn today(&self) -> NaiveDate {
        self.now.with_timezone(&self.zone).date_naive()
    }
}

/// The finding for an `inc.yaml` that [`Config::parse`] refused: its message
/// starts `inc.yaml:LINE:COL: ` (or `inc.yaml:LINE: `, or `inc.yaml: `)
/// when it was parsed with the path `inc.yaml`.
pub fn config_error(file: &str, message: &str) -> Finding {
    let rest = message
        .strip_prefix(file)
        .and_then(|r| r.strip_prefix(':'))
        .unwrap_or(message);
    let mut parts = rest.splitn(3, ':');
    let numbers: Vec<usize> = parts
        .by_ref()
        .take(2)
        .map_while(|p| p.trim().parse().ok())
        .collect();
    let text = match numbers.len() {
        0 => rest,
        1 => rest.split_once(':').map_or(rest, |(_, t)| t),
        _ => parts.next().unwrap_or_default(),
    };
    let line = numbers.first().copied().unwrap_or(1);
    Finding::error(file, line, "config", text.trim())
}

/// What checking one incident folder found: its findings, and what the
/// rules across incidents need to know of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    pub findings: Vec<Finding>,
    /// Set for an incident of an alert group that was not merged away.
    pub member: Option<GroupMember>,
}

/// Every finding about one incident folder.
pub fn incident(files: &IncidentFiles, rules: &Rules<'_>) -> Checked {
    let mut out = Vec::new();
    let mut member = None;
    check_id(files, &mut out);

    let header_text = required_text(&files.header, "incident.yaml", &mut out);
    let header = header_text.and_then(|text| match Header::from_yaml(text) {
        Ok(h) => Some(h),
        Err(e) => {
            let hint = e.hint.map(|h| format!("; {h}")).unwrap_or_default();
            out.push(Finding::error(
                &files.header.path,
                e.line.unwrap_or(1),
                "header",
                format!("not a valid incident header: {}{hint}", e.message),
            ));
            None
        }
    });
    if let (Some(h), Some(text)) = (&header, header_text) {
        check_header(h, text, &files.header.path, rules, &mut out);
    }

    let kind = header.as_ref().map_or(Kind::Incident, Header::kind);
    let timeline = required_text(&files.timeline, "timeline.yaml", &mut out)
        .map(|text| read_timeline(text, &files.timeline.path, &mut out));
    if let Some(timeline) = &timeline {
        check_events(timeline, kind, &files.timeline.path, rules, &mut out);
        let state = State::fold(&timeline.events);
        if let (Some(h), Some(text)) = (&header, header_text) {
            member = group_member(h, text, &state, files);
            // Events before `opened` skew the fold; they are reported already.
            if timeline.starts_with_opened() {
                check_phases(h, text, &state, timeline, files, &mut out);
            }
            check_postmortem_due(h, &state, files, rules, &mut out);
        }
        check_commander(kind, &state, timeline, files, &mut out);
        check_actions(&state, timeline, files, rules, &mut out);
    }

    if let FileText::Text(text) = &files.postmortem.text {
        check_postmortem_text(text, &files.postmortem.path, rules, &mut out);
    } else if let FileText::Unreadable(why) = &files.postmortem.text {
        out.push(Finding::error(&files.postmortem.path, 1, "unreadable", why));
    }
    Checked {
        findings: out,
        member,
    }
}

/// The text of a file every incident needs, or a finding saying why not.
fn required_text<'f>(file: &'f File, name: &str, out: &mut Vec<Finding>) -> Option<&'f str> {
    match &file.text {
        FileText::Text(text) => Some(text),
        FileText::Missing => {
            out.push(Finding::error(
                &file.path,
                1,
                "missing-file",
                format!("missing: every incident folder needs its {name}"),
            ));
            None
        }
        FileText::Unreadable(why) => {
            out.push(Finding::error(&file.path, 1, "unreadable", why));
            None
        }
    }
}

/// The folder name is an ID, and sits in the year folder it names.
fn check_id(files: &IncidentFiles, out: &mut Vec<Finding>) {
    // Point at a file that exists, so the finding has somewhere to go.
    let anchor = [&files.header, &files.timeline]
        .into_iter()
        .find(|f| f.text != FileText::Missing)
        .map_or(files.dir.as_str(), |f| f.path.as_str());
    let name = &files.name;
    let date_ok = name
        .get(..10)
        .is_some_and(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").is_ok());
    if !id::is_id(name) || !date_ok {
        out.push(Finding::error(
            anchor,
            1,
            "id",
            format!(
                "the folder name `{name}` is not an incident ID \
                 (YYYY-MM-DD-slug: the date, then lowercase a-z, 0-9 and -)"
            ),
        ));
    } else if id::year(name) != files.year {
        out.push(Finding::error(
            anchor,
            1,
            "id",
            format!(
                "`{name}` is in the year folder `{}`; move it to incidents/{}/",
                files.year,
                id::year(name)
            ),
        ));
    }
}

/// How far past `now` a time may lie before `inc check` calls it a typo:
/// clocks of responders' machines disagree by seconds, and `--at` takes
/// local times, so a day leaves room for any zone.
const FUTURE_SLACK: Duration = Duration::days(1);

/// "is dated …, more than a day after now (…)" for a time past
/// [`FUTURE_SLACK`]: an event in the year 9999 would be the status page's
/// last update forever.
pub(super) fn future(at: DateTime<Utc>, now: DateTime<Utc>) -> Option<String> {
    (at > now + FUTURE_SLACK).then(|| {
        format!(
            "is dated {}, more than a day after now ({}); fix the time",
            when::stored(at),
            when::stored(now)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::check::fixtures::*;

    #[test]
    fn a_clean_incident_has_no_findings() {
        let timeline = opened("SEV3") + &commander() + &resolved();
        assert_eq!(check(&files(&header(), &timeline, None)), []);
        let timeline = opened("SEV2") + &commander() + &resolved();
        assert_eq!(check(&files(&header(), &timeline, Some("# Review\n"))), []);
    }

    #[test]
    fn a_header_that_does_not_parse_names_its_line() {
        let found = check(&files(
            "title: x\nopened_at: [\n",
            &(opened("SEV3") + &commander()),
            None,
        ));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].rule, "header");
        assert_eq!(found[0].file, HEADER);
        assert!(found[0].line >= 2, "{found:?}");
        let found = check(&files(
            "title: x\nopened_at: 2026-11-20T10:00:00Z\nopened_by: a\nticket: OPS-1\n",
            &(opened("SEV3") + &commander()),
            None,
        ));
        assert_eq!(found, [], "unknown header keys are kept, not flagged");
    }

    #[test]
    fn ids_match_their_folders() {
        let timeline = opened("SEV3") + &commander();
        let mut f = files(&header(), &timeline, None);
        f.name = "2026-11-20-DB".to_owned();
        assert_eq!(places(&check(&f)), [("id", HEADER, 1)]);
        f.name = "2026-13-40-db".to_owned();
        assert_eq!(places(&check(&f)), [("id", HEADER, 1)]);
        f.name = "2025-12-31-db".to_owned();
        let found = check(&f);
        assert_eq!(places(&found), [("id", HEADER, 1)]);
        assert!(found[0].message.contains("incidents/2025/"), "{found:?}");
    }

    #[test]
    fn missing_and_unreadable_files() {
        let mut f = files(&header(), "", None);
        f.header.text = FileText::Missing;
        f.timeline.text = FileText::Unreadable("not UTF-8 text".to_owned());
        let found = check(&f);
        assert_eq!(
            places(&found),
            [("missing-file", HEADER, 1), ("unreadable", TIMELINE, 1)]
        );
        f.name = "notes".to_owned();
        f.timeline.text = FileText::Missing;
        let found = check(&f);
        assert_eq!(found[0].file, DIR, "{found:?}");
    }

    #[test]
    fn config_errors_keep_their_line() {
        let f = config_error(
            "inc.yaml",
            "inc.yaml:3:1: unknown field `sevrities`, expected …",
        );
        assert_eq!((f.file.as_str(), f.line), ("inc.yaml", 3));
        assert_eq!(f.message, "unknown field `sevrities`, expected …");
        let f = config_error("inc.yaml", "inc.yaml:7: severity `P1` is listed twice");
        assert_eq!(
            (f.line, f.message.as_str()),
            (7, "severity `P1` is listed twice")
        );
        let f = config_error("inc.yaml", "inc.yaml: something");
        assert_eq!((f.line, f.message.as_str()), (1, "something"));
        assert_eq!(f.level, Level::Error);
    }

    #[test]
    fn sorted_by_file_then_line() {
        let mut found = vec![
            Finding::warning("b", 1, "x", "w"),
            Finding::error("a", 10, "x", "e"),
            Finding::error("a", 2, "x", "e"),
            Finding::warning("a", 2, "x", "a"),
        ];
        sort(&mut found);
        let order: Vec<(&str, usize, Level)> = found
            .iter()
            .map(|f| (f.file.as_str(), f.line, f.level))
            .collect();
        assert_eq!(
            order,
            [
                ("a", 2, Level::Error),
                ("a", 2, Level::Warning),
                ("a", 10, Level::Error),
                ("b", 1, Level::Warning)
            ]
        );
    }

    proptest::proptest! {
        #[test]
        fn any_files_never_panic(
            header in "(.{0,60}\n){0,6}",
            timeline in "(.{0,120}\n){0,6}",
            postmortem in "(.{0,80}\n){0,6}",
            name in ".{0,30}",
        ) {
            let mut f = files(&header, &timeline, Some(&postmortem));
            f.name = name;
            let _ = check(&f);
        }
    }
}
