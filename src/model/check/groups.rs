//! The one rule across incidents: two incidents of one alert group open at
//! once, and what each incident tells it (its [`GroupMember`]).

use chrono::{DateTime, Utc};

use super::yaml::nested_key_line;
use super::{Finding, IncidentFiles};
use crate::model::incident::{GROUP_LABEL, Header, PREVIOUS_LABEL};
use crate::model::state::State;
use crate::model::text::one_line;
use crate::model::when;

/// An incident of an alert group, for [`duplicates`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupMember {
    /// The incident's ID (its folder name).
    pub id: String,
    /// Its `incident.yaml`, relative to the root.
    pub file: String,
    /// The line of the `alert_group` label there.
    pub line: usize,
    pub group: String,
    /// The `alert_source` label: groups are namespaced by source
    /// ([`Header::in_group`]).
    pub source: Option<String>,
    /// From the folded timeline (the `opened` event), else the header.
    pub opened_at: DateTime<Utc>,
    /// When it was last closed; `None` while it is open.
    pub closed_at: Option<DateTime<Utc>>,
    /// Its `previous` label: the incident of the group it follows.
    pub previous: Option<String>,
}

/// The incident as a member of its alert group: only one that has a group,
/// has not been merged into another (`duplicate_of`), and has a status.
pub(super) fn group_member(
    h: &Header,
    text: &str,
    state: &State,
    files: &IncidentFiles,
) -> Option<GroupMember> {
    let group = h.group()?;
    if h.duplicate_of().is_some() || state.status.is_none() {
        return None;
    }
    Some(GroupMember {
        id: files.name.clone(),
        file: files.header.path.clone(),
        line: nested_key_line(text, "labels", GROUP_LABEL),
        group: group.to_owned(),
        source: h.alert_source().map(str::to_owned),
        opened_at: state.opened_at.unwrap_or(h.opened_at),
        closed_at: state.closed_at,
        previous: h.labels.get(PREVIOUS_LABEL).cloned(),
    })
}

/// Incidents of one alert group whose open periods overlap: a warning on
/// each later one, naming the earliest incident of the group that was still
/// open when it was opened, and the `inc merge` that fixes it.
///
/// A warning, not an error: the duplicate reaches the main branch from
/// alert jobs, not from the pull request being checked, so an error would
/// fail every unrelated pull request until someone merges; the annotation
/// still shows on each of them. A later incident whose `previous` label
/// names the earlier one is its follow-up, not a duplicate.
pub fn duplicates(members: &mut [GroupMember]) -> Vec<Finding> {
    members.sort_by(|a, b| {
        (&a.group, &a.source, a.opened_at, &a.id).cmp(&(&b.group, &b.source, b.opened_at, &b.id))
    });
    let mut out = Vec::new();
    for run in members.chunk_by(|a, b| a.group == b.group && a.source == b.source) {
        for (i, later) in run.iter().enumerate() {
            let Some(earlier) = run[..i].iter().find(|e| {
                later.previous.as_deref() != Some(e.id.as_str())
                    && e.closed_at.is_none_or(|closed| later.opened_at < closed)
            }) else {
                continue;
            };
            out.push(Finding::warning(
                &later.file,
                later.line,
                "duplicate",
                format!(
                    "duplicate of `{}` (alert group `{}`): opened {} while `{}` was still open; \
                     `inc merge {} --into {}` merges it",
                    earlier.id,
                    one_line(&later.group, 80),
                    when::stored(later.opened_at),
                    earlier.id,
                    later.id,
                    earlier.id
                ),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::model::check::fixtures::*;
    use crate::model::check::{Level, Rules, incident};
    use chrono::TimeZone;
    use chrono_tz::Tz;

    fn member(id: &str, group: &str, opened: u32, closed: Option<u32>) -> GroupMember {
        let t = |min: u32| Utc.with_ymd_and_hms(2026, 11, 27, 12, min, 0).unwrap();
        GroupMember {
            id: id.to_owned(),
            file: format!("incidents/2026/{id}/incident.yaml"),
            line: 7,
            group: group.to_owned(),
            source: Some("alertmanager".to_owned()),
            opened_at: t(opened),
            closed_at: closed.map(t),
            previous: None,
        }
    }

    #[test]
    fn equal_keys_of_two_sources_are_no_duplicates() {
        let mut members = [member("a", "k", 0, None), member("b", "k", 5, None)];
        members[1].source = Some("pagerduty".to_owned());
        assert_eq!(dup_pairs(&mut members), []);
        members[1].source = Some("alertmanager".to_owned());
        assert_eq!(dup_pairs(&mut members).len(), 1);
    }

    /// (file's incident, what it duplicates) of each finding.
    fn dup_pairs(members: &mut [GroupMember]) -> Vec<(String, String)> {
        duplicates(members)
            .iter()
            .map(|f| {
                assert_eq!((f.rule, f.level, f.line), ("duplicate", Level::Warning, 7));
                let id = f.file.split('/').nth(2).unwrap().to_owned();
                let of = f.message.split('`').nth(1).unwrap().to_owned();
                (id, of)
            })
            .collect()
    }

    fn pair(a: &str, b: &str) -> (String, String) {
        (a.to_owned(), b.to_owned())
    }

    #[test]
    fn overlapping_incidents_of_one_group_are_duplicates_of_the_oldest() {
        // Given in any order; b and c were opened while a was open.
        let mut members = [
            member("2026-11-27-c", "g", 5, None),
            member("2026-11-27-a", "g", 0, None),
            member("2026-11-27-b", "g", 0, Some(9)),
            member("2026-11-27-other", "h", 1, None),
        ];
        assert_eq!(
            dup_pairs(&mut members),
            [
                pair("2026-11-27-b", "2026-11-27-a"),
                pair("2026-11-27-c", "2026-11-27-a")
            ]
        );
        let f = &duplicates(&mut members)[0];
        assert_eq!(
            f.message,
            "duplicate of `2026-11-27-a` (alert group `g`): opened 2026-11-27T12:00:00Z while \
             `2026-11-27-a` was still open; `inc merge 2026-11-27-b --into 2026-11-27-a` merges it"
        );
    }

    #[test]
    fn a_group_opened_again_after_it_closed_is_no_duplicate() {
        // a closed at 12:10; b opened at 12:10 and c at 12:30: not while a
        // was open. c was opened while b was.
        let mut members = [
            member("2026-11-27-a", "g", 0, Some(10)),
            member("2026-11-27-b", "g", 10, Some(40)),
            member("2026-11-27-c", "g", 30, None),
        ];
        assert_eq!(
            dup_pairs(&mut members),
            [pair("2026-11-27-c", "2026-11-27-b")]
        );
        // c follows b by its `previous` label: a follow-up, not a duplicate.
        members[2].previous = Some("2026-11-27-b".to_owned());
        assert_eq!(dup_pairs(&mut members), []);
        assert_eq!(dup_pairs(&mut []), []);
    }

    #[test]
    fn group_members_come_from_header_and_fold() {
        let timeline = line(
            "10:00:00",
            "alertmanager",
            "\"type\":\"opened\",\"severity\":\"SEV3\",\"status\":\"triage\"",
        ) + &line(
            "10:20:00",
            "bob",
            "\"type\":\"status\",\"status\":\"declined\"",
        );
        let labelled =
            header() + "labels:\n  alert_source: alertmanager\n  alert_group: '{}:{a=\"b\"}'\n";
        let config = Config::default();
        let rules = Rules::new(&config, now(), Tz::UTC);
        let got = incident(&files(&labelled, &timeline, None), &rules);
        let m = got.member.expect("a member");
        assert_eq!(m.group, "{}:{a=\"b\"}");
        assert_eq!((m.file.as_str(), m.line), (HEADER, 9));
        assert_eq!(
            m.opened_at,
            Utc.with_ymd_and_hms(2026, 11, 20, 10, 0, 0).unwrap()
        );
        assert_eq!(
            m.closed_at,
            Some(Utc.with_ymd_and_hms(2026, 11, 20, 10, 20, 0).unwrap())
        );
        // No group, or merged away: not a member.
        assert_eq!(
            incident(&files(&header(), &timeline, None), &rules).member,
            None
        );
        let merged = labelled + "  duplicate_of: 2026-11-20-db\n";
        assert_eq!(
            incident(&files(&merged, &timeline, None), &rules).member,
            None
        );
    }
}
