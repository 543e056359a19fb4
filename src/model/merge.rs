//! `inc merge`'s pure part: what of a duplicate's timeline moves into the
//! incident kept, and the note that says so.
//!
//! What moves, each event keeping its `at` and `by`:
//! - `alert` events, so tracking by fingerprint continues in the kept one;
//! - internal notes, as they are;
//! - public updates, as internal notes (`Public update on DUP: …`): copied
//!   as updates they would appear on the kept incident's status page with
//!   times it never had, and one carrying a `status` would change its
//!   status in the middle of its timeline.
//!
//! What stays: `opened`, `status`, `severity`, `role`, `ack` and `impact`
//! describe the duplicate's own life; copied, they would rewrite the kept
//! incident's state and metrics. Follow-up actions stay too: their numbers
//! are per incident (`inc action done DUP 2` keeps working), and `inc action
//! list` and `inc check` still see them on the declined duplicate.
//!
//! An event the kept timeline already holds (the same alert recorded by two
//! jobs in the same second) is not copied again.

use super::event::{Event, EventKind};
use super::state::Action;

/// The events to append to the kept incident, and how many of each kind.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Moved {
    pub events: Vec<Event>,
    pub alerts: usize,
    pub notes: usize,
    pub updates: usize,
}

/// What of `dup`'s events (sorted) moves into a timeline holding `keep`.
pub fn moved(dup_id: &str, dup: &[Event], keep: &[Event]) -> Moved {
    let mut out = Moved::default();
    for e in dup {
        let copy = match &e.kind {
            EventKind::Alert { .. } | EventKind::Note { .. } => e.clone(),
            EventKind::Update { status, text } => Event::new(
                e.at,
                &e.by,
                EventKind::Note {
                    text: format!(
                        "Public update on {dup_id}{}: {text}",
                        status.map(|s| format!(" [{s}]")).unwrap_or_default()
                    ),
                    pinned: false,
                },
            ),
            _ => continue,
        };
        if keep.contains(&copy) || out.events.contains(&copy) {
            continue;
        }
        match e.kind {
            EventKind::Alert { .. } => out.alerts += 1,
            EventKind::Note { .. } => out.notes += 1,
            _ => out.updates += 1,
        }
        out.events.push(copy);
    }
    out
}

/// The note on the kept incident: `Merged DUP (duplicate of alert group
/// `G`): moved 2 alert events and 1 note.`
pub fn note(
    dup_id: &str,
    dup_group: Option<&str>,
    keep_group: Option<&str>,
    moved: &Moved,
    dup_actions: &[Action],
) -> String {
    let why = match (dup_group, keep_group) {
        (Some(d), Some(k)) if d == k => format!("duplicate of alert group `{d}`"),
        (Some(d), _) => format!("a duplicate; alerts of its group `{d}` now come here"),
        (None, _) => "a duplicate".to_owned(),
    };
    let mut text = format!("Merged {dup_id} ({why}): {}.", summary(moved));
    let open: Vec<String> = dup_actions
        .iter()
        .filter(|a| !a.done)
        .map(|a| format!("#{}", a.id))
        .collect();
    if !open.is_empty() {
        text.push_str(&format!(
            " Its open follow-up action{} {} stay{} on {dup_id}.",
            if open.len() == 1 { "" } else { "s" },
            open.join(", "),
            if open.len() == 1 { "s" } else { "" }
        ));
    }
    text
}

/// `moved 2 alert events, 1 note and 1 public update (as a note)`, or
/// `nothing new to move`.
pub fn summary(moved: &Moved) -> String {
    let n = |count: usize, one: &str, many: &str| {
        (count > 0).then(|| format!("{count} {}", if count == 1 { one } else { many }))
    };
    let parts: Vec<String> = [
        n(moved.alerts, "alert event", "alert events"),
        n(moved.notes, "note", "notes"),
        n(
            moved.updates,
            "public update (as a note)",
            "public updates (as notes)",
        ),
    ]
    .into_iter()
    .flatten()
    .collect();
    match parts.as_slice() {
        [] => "nothing new to move".to_owned(),
        [one] => format!("moved {one}"),
        [rest @ .., last] => format!("moved {} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Status;
    use chrono::{DateTime, Duration, TimeZone, Utc};

    fn t(min: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 27, 12, 0, 0).unwrap() + Duration::minutes(min)
    }

    fn alert(min: i64, key: &str, state: &str) -> Event {
        Event::new(
            t(min),
            "alertmanager",
            EventKind::Alert {
                key: key.into(),
                state: state.into(),
                source: Some("alertmanager".into()),
                text: None,
            },
        )
    }

    fn note(min: i64, by: &str, text: &str) -> Event {
        Event::new(
            t(min),
            by,
            EventKind::Note {
                text: text.into(),
                pinned: true,
            },
        )
    }

    #[test]
    fn alerts_notes_and_updates_move_with_their_times_and_authors() {
        let dup = [
            Event::new(
                t(0),
                "alertmanager",
                EventKind::Opened {
                    severity: "SEV2".into(),
                    status: Status::Triage,
                },
            ),
            alert(0, "k1", "firing"),
            Event::new(t(1), "bob", EventKind::Ack),
            note(2, "bob", "looking"),
            Event::new(
                t(3),
                "bob",
                EventKind::Update {
                    status: Some(Status::Identified),
                    text: "Found it.".into(),
                },
            ),
            Event::new(
                t(4),
                "bob",
                EventKind::Status {
                    status: Status::Monitoring,
                    text: None,
                },
            ),
            alert(5, "k1", "resolved"),
        ];
        let got = moved("2026-11-27-x-2", &dup, &[]);
        assert_eq!((got.alerts, got.notes, got.updates), (2, 1, 1));
        assert_eq!(
            got.events,
            [
                alert(0, "k1", "firing"),
                note(2, "bob", "looking"),
                Event::new(
                    t(3),
                    "bob",
                    EventKind::Note {
                        text: "Public update on 2026-11-27-x-2 [identified]: Found it.".into(),
                        pinned: false
                    }
                ),
                alert(5, "k1", "resolved"),
            ]
        );
    }

    #[test]
    fn what_the_kept_timeline_holds_is_not_copied_again() {
        let dup = [alert(0, "k1", "firing"), alert(0, "k2", "firing")];
        let keep = [alert(0, "k1", "firing")];
        let got = moved("d", &dup, &keep);
        assert_eq!(got.events, [alert(0, "k2", "firing")]);
        assert_eq!(got.alerts, 1);
        assert_eq!(summary(&moved("d", &dup, &dup)), "nothing new to move");
    }

    #[test]
    fn the_note_names_the_group_and_what_moved() {
        let m = Moved {
            alerts: 2,
            notes: 1,
            updates: 1,
            ..Moved::default()
        };
        assert_eq!(
            super::note("d", Some("g"), Some("g"), &m, &[]),
            "Merged d (duplicate of alert group `g`): moved 2 alert events, 1 note and \
             1 public update (as a note)."
        );
        let one = Moved {
            notes: 1,
            ..Moved::default()
        };
        let action = |id, done| Action {
            id,
            text: "x".into(),
            owner: None,
            due: None,
            link: None,
            done,
        };
        assert_eq!(
            super::note(
                "d",
                Some("g"),
                None,
                &one,
                &[action(1, false), action(2, true)]
            ),
            "Merged d (a duplicate; alerts of its group `g` now come here): moved 1 note. \
             Its open follow-up action #1 stays on d."
        );
        assert_eq!(
            super::note("d", None, Some("g"), &Moved::default(), &[]),
            "Merged d (a duplicate): nothing new to move."
        );
    }

    /// Lines of events in the same day, at few enough distinct seconds
    /// that ties happen.
    fn lines(max: usize) -> impl proptest::strategy::Strategy<Value = Vec<String>> {
        use crate::model::event::strategy::kind;
        use proptest::prelude::*;
        let event = (
            0i64..40,
            proptest::sample::select(&["alice", "bob"][..]),
            kind(),
        )
            .prop_map(|(secs, by, kind)| {
                Event::new(t(0) + Duration::seconds(secs), by, kind).to_line()
            });
        proptest::collection::vec(event, 0..max)
    }

    proptest::proptest! {
        /// Two clones append to the same timeline; git's `union` driver
        /// keeps the common base, then both sides' appended lines. Some
        /// lines are appended on both sides (the same alert recorded by two
        /// jobs). Reading the merged file gives the sorted union of what
        /// each side reads: every event once, in time order, whichever side
        /// the merge put first.
        #[test]
        fn union_merge_reads_as_the_sorted_union(
            base in lines(6),
            ours in lines(8),
            theirs in lines(8),
            shared in proptest::collection::vec(proptest::prelude::any::<proptest::sample::Index>(), 0..4),
        ) {
            use std::collections::BTreeSet;
            let read = |parts: &[&[String]]| {
                let text: Vec<&str> = parts.iter().flat_map(|p| p.iter().map(String::as_str)).collect();
                crate::store::parse_timeline(&(text.join("\n") + "\n")).unwrap()
            };
            let mut theirs = theirs;
            if !ours.is_empty() {
                for i in shared {
                    theirs.push(ours[i.index(ours.len())].clone());
                }
            }
            let merged = read(&[&base, &ours, &theirs]);
            let as_lines = |events: &[Event]| -> Vec<String> { events.iter().map(Event::to_line).collect() };
            let union: BTreeSet<String> = as_lines(&read(&[&base, &ours]))
                .into_iter()
                .chain(as_lines(&read(&[&base, &theirs])))
                .collect();
            let merged_lines = as_lines(&merged);
            proptest::prop_assert!(merged.windows(2).all(|w| w[0].at <= w[1].at), "not sorted");
            proptest::prop_assert_eq!(merged_lines.iter().cloned().collect::<BTreeSet<_>>(), union.clone());
            proptest::prop_assert_eq!(merged_lines.len(), union.len(), "an event twice");
            let other_way = read(&[&base, &theirs, &ours]);
            let sorted = |mut v: Vec<String>| { v.sort(); v };
            proptest::prop_assert_eq!(sorted(as_lines(&other_way)), sorted(merged_lines));
        }
    }
}
