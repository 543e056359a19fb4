//! Rules of dates that pass: a postmortem not written within
//! `postmortem.due_days`, and actions past their due date and not done.

use chrono::Duration;

use super::timeline::Timeline;
use super::{FileText, Finding, IncidentFiles, Rules};
use crate::config::PostmortemPolicy;
use crate::model::event::EventKind;
use crate::model::incident::Header;
use crate::model::state::State;
use crate::model::status::{Kind, Mode, Status};
use crate::model::text::one_line;

/// A resolved incident whose severity requires a postmortem has one within
/// `postmortem.due_days` of resolution.
pub(super) fn check_postmortem_due(
    h: &Header,
    state: &State,
    files: &IncidentFiles,
    rules: &Rules<'_>,
    out: &mut Vec<Finding>,
) {
    if h.kind() != Kind::Incident
        || h.mode() == Mode::Test
        || state.status != Some(Status::Resolved)
        || files.postmortem.text != FileText::Missing
    {
        return;
    }
    let (Some(resolved), Some(severity)) = (state.resolved_at, state.severity.as_deref()) else {
        return;
    };
    let Some(policy) = rules.config.severity(severity) else {
        return;
    };
    let days = rules.config.postmortem.due_days;
    if policy.postmortem == PostmortemPolicy::Required
        && rules.now > resolved + Duration::days(i64::from(days))
    {
        out.push(Finding::error(
            &files.header.path,
            1,
            "postmortem-overdue",
            format!(
                "postmortem overdue: resolved {}, and {severity} needs one within {days} {}; \
                 run `inc postmortem {}`",
                resolved.with_timezone(&rules.zone).format("%Y-%m-%d"),
                if days == 1 { "day" } else { "days" },
                files.name
            ),
        ));
    }
}

pub(super) fn check_actions(
    state: &State,
    timeline: &Timeline,
    files: &IncidentFiles,
    rules: &Rules<'_>,
    out: &mut Vec<Finding>,
) {
    let today = rules.today();
    // The rule `inc action list` and `inc stats` use too.
    for action in state.actions.iter().filter(|a| a.is_overdue(today)) {
        let Some(due) = action.due_date() else {
            continue;
        };
        // The latest `action` event for this number is the one in force.
        let line = timeline
            .last_line_of(|e| matches!(e.kind, EventKind::Action { id, .. } if id == action.id))
            .unwrap_or(1);
        out.push(Finding::warning(
            &files.timeline.path,
            line,
            "action-overdue",
            format!(
                "action #{} is past due ({due}) and not done: {}",
                action.id,
                one_line(&action.text, 80)
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::model::check::fixtures::*;
    use crate::model::check::{Level, incident};
    use chrono::{TimeZone, Utc};
    use chrono_tz::Tz;

    #[test]
    fn overdue_postmortem() {
        let sev2 = opened("SEV2") + &commander() + &resolved();
        let found = check(&files(&header(), &sev2, None));
        assert_eq!(places(&found), [("postmortem-overdue", HEADER, 1)]);
        assert!(found[0].message.contains("7 days"), "{found:?}");
        assert!(
            found[0]
                .message
                .contains("inc postmortem 2026-11-20-db-down")
        );
        // Not yet due: resolved 2026-11-20T11:00, due 7 days later.
        let config = Config::default();
        let f = files(&header(), &sev2, None);
        let at = |t| incident(&f, &Rules::new(&config, t, Tz::UTC)).findings;
        assert_eq!(
            at(Utc.with_ymd_and_hms(2026, 11, 27, 11, 0, 0).unwrap()),
            []
        );
        assert_eq!(
            at(Utc.with_ymd_and_hms(2026, 11, 27, 11, 0, 1).unwrap()).len(),
            1
        );
        // Optional for SEV3; test incidents and declined ones need none.
        let sev3 = opened("SEV3") + &commander() + &resolved();
        assert_eq!(check(&files(&header(), &sev3, None)), []);
        let test = header() + "mode: test\n";
        assert_eq!(check(&files(&test, &sev2, None)), []);
        let declined = opened("SEV1")
            + &commander()
            + &line(
                "10:05:00",
                "a",
                "\"type\":\"status\",\"status\":\"declined\"",
            );
        assert_eq!(check(&files(&header(), &declined, None)), []);
        // Reopened: not resolved, so not due.
        let reopened = sev2.clone()
            + &line(
                "11:30:00",
                "a",
                "\"type\":\"status\",\"status\":\"investigating\"",
            );
        assert_eq!(check(&files(&header(), &reopened, None)), []);
    }

    #[test]
    fn actions_past_due() {
        let action = |at: &str, id: u32, due: &str| {
            line(
                at,
                "a",
                &format!(
                    "\"type\":\"action\",\"id\":{id},\"text\":\"add an alert\",\"owner\":null,\
                     \"due\":\"{due}\",\"link\":null"
                ),
            )
        };
        let timeline = opened("SEV3")
            + &commander()
            + &action("10:10:00", 1, "2026-11-26")
            + &action("10:11:00", 2, "2026-11-27")
            + &action("10:12:00", 3, "2026-11-01")
            + &line("10:13:00", "a", "\"type\":\"action_done\",\"id\":3")
            + &action("10:14:00", 4, "soon")
            + &line("10:15:00", "a", "\"type\":\"action_done\",\"id\":9");
        let found = check(&files(&header(), &timeline, None));
        assert_eq!(
            places(&found),
            [
                ("action-overdue", TIMELINE, 3),
                ("action-due", TIMELINE, 7),
                ("action-ref", TIMELINE, 8),
            ]
        );
        assert_eq!(found[0].level, Level::Warning);
        assert!(found[0].message.contains("#1"), "{found:?}");
        assert_eq!(found[1].level, Level::Error);
        // Re-defining an action moves it to its newest line.
        let timeline = opened("SEV3")
            + &commander()
            + &action("10:10:00", 1, "2026-12-24")
            + &action("10:11:00", 1, "2026-11-02");
        assert_eq!(
            places(&check(&files(&header(), &timeline, None))),
            [("action-overdue", TIMELINE, 4)]
        );
    }
}
