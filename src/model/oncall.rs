//! On-call rotations: who is on call at a time, since and until when, and
//! who is next. Pure: the time to ask about is an argument. One file: the
//! shift arithmetic and the overrides laid over it are one calculation.
//!
//! A rotation's shifts are counted from its `start`, a local time in its
//! zone: shift `k` begins at `start + k × shift` on the local clock, so a
//! 09:00 handoff stays at 09:00 across daylight saving time (that week is an
//! hour shorter or longer). A local time the clock skips (spring forward)
//! means the end of the gap; one it shows twice (fall back), the first.
//! Before `start` nobody of the rotation is on call. Overrides win over
//! shifts; overrides of one rotation never overlap (the config refuses it).

use chrono::{DateTime, Duration, LocalResult, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

/// One rotation, validated (see `config`).
#[derive(Debug, Clone, PartialEq)]
pub struct Rotation {
    pub id: String,
    /// Never empty.
    pub members: Vec<String>,
    /// At least a minute.
    pub shift: Duration,
    /// The first shift's start, on the local clock of `zone`.
    pub start: NaiveDateTime,
    pub zone: Tz,
    /// The services whose incidents page this rotation; empty: all
    /// incidents, with or without services.
    pub services: Vec<String>,
}

/// Someone on call instead of the rotation's person, from `from` until `to`.
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    pub rotation: String,
    pub who: String,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

/// The on-call part of the configuration: rotations and their overrides.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OnCall {
    pub rotations: Vec<Rotation>,
    pub overrides: Vec<Override>,
}

/// A stretch of time one person is on call for a rotation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shift {
    pub who: String,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Through an override, not the rotation's order.
    pub is_override: bool,
}

/// A stretch of time, with or without someone on call (before the start).
struct Segment<'a> {
    who: Option<&'a str>,
    from: Option<DateTime<Utc>>,
    to: DateTime<Utc>,
    is_override: bool,
}

impl Segment<'_> {
    fn shift(&self) -> Option<Shift> {
        Some(Shift {
            who: self.who?.to_owned(),
            from: self.from?,
            to: self.to,
            is_override: self.is_override,
        })
    }
}

/// The latest time inc computes with (far beyond any real schedule).
fn end_of_time() -> DateTime<Utc> {
    DateTime::<Utc>::MAX_UTC
}

/// The instant a local time means in `zone`: the first of two in a fall-back
/// hour, the end of the gap for a time the clock skips.
pub fn resolve_local(zone: Tz, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    let mut t = local;
    // Gaps are an hour, rarely more (Samoa skipped a whole day in 2011).
    for _ in 0..=(49 * 60) {
        match zone.from_local_datetime(&t) {
            LocalResult::Single(at) | LocalResult::Ambiguous(at, _) => {
                return Some(at.with_timezone(&Utc));
            }
            LocalResult::None => t = t.checked_add_signed(Duration::minutes(1))?,
        }
    }
    None
}

impl Rotation {
    /// The start of shift `k` (0 is the first), `None` past the calendar.
    pub fn boundary(&self, k: i64) -> Option<DateTime<Utc>> {
        let offset = Duration::try_seconds(self.shift.num_seconds().checked_mul(k)?)?;
        resolve_local(self.zone, self.start.checked_add_signed(offset)?)
    }

    /// The member on shift `k`.
    pub fn member(&self, k: i64) -> &str {
        let n = self.members.len() as i64;
        &self.members[k.rem_euclid(n.max(1)) as usize]
    }

    /// The shift holding `t`: its number, start and end. `None` before the
    /// first shift (or past the calendar).
    pub fn shift_at(&self, t: DateTime<Utc>) -> Option<(i64, DateTime<Utc>, DateTime<Utc>)> {
        let first = self.boundary(0)?;
        if t < first {
            return None;
        }
        let len = self.shift.num_seconds().max(60);
        // Daylight saving moves boundaries by hours at most: start from the
        // estimate and step to the shift that holds `t`.
        let mut k = (t - first).num_seconds() / len;
        while k > 0 && self.boundary(k)? > t {
            k -= 1;
        }
        loop {
            let end = self.boundary(k + 1).unwrap_or_else(end_of_time);
            if end > t {
                return Some((k, self.boundary(k)?, end));
            }
            k += 1;
        }
    }

    /// Whether incidents of `services` page this rotation: it names one of
    /// them, or it names none (then it covers every incident).
    pub fn covers(&self, services: &[String]) -> bool {
        self.services.is_empty() || self.services.iter().any(|s| services.contains(s))
    }
}

impl OnCall {
    pub fn rotation(&self, id: &str) -> Option<&Rotation> {
        self.rotations.iter().find(|r| r.id == id)
    }

    /// The overrides of rotation `id`, by start.
    fn overrides_of(&self, id: &str) -> Vec<&Override> {
        let mut overrides: Vec<&Override> =
            self.overrides.iter().filter(|o| o.rotation == id).collect();
        overrides.sort_by_key(|o| o.from);
        overrides
    }

    fn segment<'a>(
        rotation: &'a Rotation,
        overrides: &[&'a Override],
        t: DateTime<Utc>,
    ) -> Segment<'a> {
        if let Some(o) = overrides.iter().find(|o| o.from <= t && t < o.to) {
            return Segment {
                who: Some(&o.who),
                from: Some(o.from),
                to: o.to,
                is_override: true,
            };
        }
        let (who, mut from, mut to) = match rotation.shift_at(t) {
            Some((k, from, to)) => (Some(rotation.member(k)), Some(from), to),
            None => (
                None,
                None,
                rotation
                    .boundary(0)
                    .filter(|b| *b > t)
                    .unwrap_or_else(end_of_time),
            ),
        };
        for o in overrides {
            // An override that ended inside this shift starts this part of it;
            // one that starts later inside it ends it.
            if o.to <= t && from.is_none_or(|f| o.to > f) {
                from = Some(o.to);
            }
            if o.from > t && o.from < to {
                to = o.from;
            }
        }
        Segment {
            who,
            from,
            to,
            is_override: false,
        }
    }

    /// Who is on call for rotation `id` at `t`, since and until when.
    /// `None` when the rotation is unknown or has not started (and no
    /// override covers `t`).
    pub fn at(&self, id: &str, t: DateTime<Utc>) -> Option<Shift> {
        let rotation = self.rotation(id)?;
        Self::segment(rotation, &self.overrides_of(id), t).shift()
    }

    /// The first shift of rotation `id` that starts after `t`: who takes
    /// over from the person on call at `t`.
    pub fn next(&self, id: &str, t: DateTime<Utc>) -> Option<Shift> {
        let rotation = self.rotation(id)?;
        let overrides = self.overrides_of(id);
        let mut at = Self::segment(rotation, &overrides, t).to;
        // Before the start, the first stretch has nobody: look once more.
        for _ in 0..2 {
            if at == end_of_time() {
                return None;
            }
            let segment = Self::segment(rotation, &overrides, at);
            if let Some(shift) = segment.shift() {
                return Some(shift);
            }
            at = segment.to;
        }
        None
    }

    /// The shifts of rotation `id` (overrides applied) that overlap
    /// `[from, until)`, in order, at most `limit` of them.
    pub fn shifts(
        &self,
        id: &str,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: usize,
    ) -> Vec<Shift> {
        let Some(rotation) = self.rotation(id) else {
            return Vec::new();
        };
        let overrides = self.overrides_of(id);
        let mut out = Vec::new();
        let mut t = from;
        while t < until && out.len() < limit {
            let segment = Self::segment(rotation, &overrides, t);
            if let Some(shift) = segment.shift() {
                out.push(shift);
            }
            if segment.to <= t || segment.to == end_of_time() {
                break;
            }
            t = segment.to;
        }
        out
    }

    /// Who is on call at `t` for each rotation covering `services`:
    /// rotation → person, what an incident's header records at opening.
    pub fn for_services(
        &self,
        services: &[String],
        t: DateTime<Utc>,
    ) -> std::collections::BTreeMap<String, String> {
        self.covering(services)
            .filter_map(|r| Some((r.id.clone(), self.at(&r.id, t)?.who)))
            .collect()
    }

    /// The rotations paged for an incident of `services`.
    pub fn covering<'a>(&'a self, services: &'a [String]) -> impl Iterator<Item = &'a Rotation> {
        self.rotations.iter().filter(|r| r.covers(services))
    }
}

/// Whom an escalation level pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The person on call for this rotation when the level fires.
    Rotation(String),
    /// These people.
    People(Vec<String>),
}

/// One level of an escalation policy: page `page` once the incident has
/// been open `after` without a person acknowledging it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Level {
    pub after: Duration,
    pub page: Target,
}

impl Target {
    /// The people to page at `t`: a rotation's person at `t` (nobody
    /// before it starts), or the people listed.
    pub fn people(&self, oncall: &OnCall, t: DateTime<Utc>) -> Vec<String> {
        match self {
            Target::Rotation(id) => oncall.at(id, t).map(|s| s.who).into_iter().collect(),
            Target::People(people) => people.clone(),
        }
    }
}

/// The levels (numbered from 1) of `policy` due for an incident opened at
/// `opened_at`, at `now`.
pub fn due_levels(
    policy: &[Level],
    opened_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> impl Iterator<Item = (u32, &Level)> {
    policy
        .iter()
        .zip(1u32..)
        .filter(move |(l, _)| opened_at + l.after <= now)
        .map(|(l, n)| (n, l))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use chrono_tz::Europe::Berlin;

    fn local(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, min, 0)
            .unwrap()
    }

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
    }

    fn berlin(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        resolve_local(Berlin, local(y, m, d, h, min)).unwrap()
    }

    fn weekly() -> Rotation {
        Rotation {
            id: "primary".into(),
            members: vec!["alice".into(), "bob".into(), "carol".into()],
            shift: Duration::weeks(1),
            // A Monday.
            start: local(2026, 1, 5, 9, 0),
            zone: Berlin,
            services: vec!["api".into(), "web".into()],
        }
    }

    fn oncall(overrides: Vec<Override>) -> OnCall {
        OnCall {
            rotations: vec![weekly()],
            overrides,
        }
    }

    fn dave(from: DateTime<Utc>, to: DateTime<Utc>) -> Override {
        Override {
            rotation: "primary".into(),
            who: "dave".into(),
            from,
            to,
        }
    }

    #[test]
    fn weekly_shifts_rotate_through_the_members() {
        let o = oncall(vec![]);
        let now = o.at("primary", berlin(2026, 1, 7, 12, 0)).unwrap();
        assert_eq!(now.who, "alice");
        assert_eq!(now.from, berlin(2026, 1, 5, 9, 0));
        assert_eq!(now.to, berlin(2026, 1, 12, 9, 0));
        assert!(!now.is_override);
        let next = o.next("primary", berlin(2026, 1, 7, 12, 0)).unwrap();
        assert_eq!(
            (next.who.as_str(), next.from, next.to),
            ("bob", berlin(2026, 1, 12, 9, 0), berlin(2026, 1, 19, 9, 0))
        );
        assert_eq!(
            o.at("primary", berlin(2026, 1, 19, 9, 0)).unwrap().who,
            "carol",
            "a handoff instant belongs to the new shift"
        );
        assert_eq!(
            o.at("primary", berlin(2026, 1, 19, 8, 59)).unwrap().who,
            "bob"
        );
        assert_eq!(
            o.at("primary", berlin(2026, 1, 26, 9, 0)).unwrap().who,
            "alice"
        );
    }

    #[test]
    fn nobody_is_on_call_before_the_start_but_someone_is_next() {
        let o = oncall(vec![]);
        let before = berlin(2026, 1, 1, 0, 0);
        assert_eq!(o.at("primary", before), None);
        let next = o.next("primary", before).unwrap();
        assert_eq!(next.who, "alice");
        assert_eq!(next.from, berlin(2026, 1, 5, 9, 0));
        assert_eq!(o.at("nope", before), None);
    }

    #[test]
    fn handoffs_keep_local_time_across_both_dst_changes() {
        let o = oncall(vec![]);
        // Berlin springs forward on Sunday 29 March 2026 and falls back on
        // Sunday 25 October 2026: the Monday 09:00 handoffs stay at 09:00.
        let march = o.at("primary", berlin(2026, 3, 25, 12, 0)).unwrap();
        assert_eq!(march.from, utc(2026, 3, 23, 8, 0), "09:00 CET");
        assert_eq!(march.to, utc(2026, 3, 30, 7, 0), "09:00 CEST");
        assert_eq!((march.to - march.from).num_hours(), 167, "an hour short");
        let october = o.at("primary", berlin(2026, 10, 21, 12, 0)).unwrap();
        assert_eq!(october.from, utc(2026, 10, 19, 7, 0), "09:00 CEST");
        assert_eq!(october.to, utc(2026, 10, 26, 8, 0), "09:00 CET");
        assert_eq!((october.to - october.from).num_hours(), 169);
        for shift in o.shifts("primary", utc(2026, 1, 5, 8, 0), utc(2027, 1, 5, 8, 0), 100) {
            let local = shift.from.with_timezone(&Berlin);
            assert_eq!(
                local.format("%a %H:%M").to_string(),
                "Mon 09:00",
                "{shift:?}"
            );
        }
    }

    #[test]
    fn twelve_hour_shifts_keep_09_and_21_local() {
        let mut r = weekly();
        r.shift = Duration::hours(12);
        r.members = vec!["day".into(), "night".into()];
        let o = OnCall {
            rotations: vec![r],
            overrides: vec![],
        };
        let shifts = o.shifts(
            "primary",
            utc(2026, 3, 28, 0, 0),
            utc(2026, 3, 31, 0, 0),
            100,
        );
        let hours: Vec<String> = shifts
            .iter()
            .map(|s| {
                s.from
                    .with_timezone(&Berlin)
                    .format("%d %H:%M %Z")
                    .to_string()
            })
            .collect();
        assert_eq!(
            hours,
            [
                "27 21:00 CET",
                "28 09:00 CET",
                "28 21:00 CET",
                "29 09:00 CEST",
                "29 21:00 CEST",
                "30 09:00 CEST",
                "30 21:00 CEST"
            ]
        );
        assert_eq!(
            (shifts[2].to - shifts[2].from).num_hours(),
            11,
            "the night of the change"
        );
        assert!(shifts.iter().all(|s| {
            if s.from.with_timezone(&Berlin).format("%H").to_string() == "09" {
                s.who == "day"
            } else {
                s.who == "night"
            }
        }));
    }

    #[test]
    fn a_handoff_inside_the_skipped_hour_happens_when_the_clock_resumes() {
        assert_eq!(
            resolve_local(Berlin, local(2026, 3, 29, 2, 30)),
            Some(utc(2026, 3, 29, 1, 0)),
            "02:30 does not exist: 03:00 CEST"
        );
        assert_eq!(
            resolve_local(Berlin, local(2026, 10, 25, 2, 30)),
            Some(utc(2026, 10, 25, 0, 30)),
            "02:30 happens twice: the first"
        );
        let mut r = weekly();
        r.shift = Duration::days(1);
        r.start = local(2026, 3, 20, 2, 30);
        let o = OnCall {
            rotations: vec![r],
            overrides: vec![],
        };
        let s = o.at("primary", utc(2026, 3, 29, 1, 30)).unwrap();
        assert_eq!(s.from, utc(2026, 3, 29, 1, 0));
        assert_eq!(s.to, utc(2026, 3, 30, 0, 30), "02:30 CEST the day after");
    }

    #[test]
    fn an_override_wins_and_splits_the_shift() {
        // Dave covers Christmas, inside carol's week (21–28 December).
        let o = oncall(vec![dave(
            berlin(2026, 12, 24, 0, 0),
            berlin(2026, 12, 27, 0, 0),
        )]);
        let before = o.at("primary", berlin(2026, 12, 22, 12, 0)).unwrap();
        assert_eq!(before.who, "carol");
        assert_eq!(before.from, berlin(2026, 12, 21, 9, 0));
        assert_eq!(before.to, berlin(2026, 12, 24, 0, 0), "until the override");
        let next = o.next("primary", berlin(2026, 12, 22, 12, 0)).unwrap();
        assert_eq!((next.who.as_str(), next.is_override), ("dave", true));
        let during = o.at("primary", berlin(2026, 12, 25, 12, 0)).unwrap();
        assert_eq!(during, next);
        let after = o.next("primary", berlin(2026, 12, 25, 12, 0)).unwrap();
        assert_eq!(after.who, "carol", "back to the rotation's person");
        assert_eq!(after.from, berlin(2026, 12, 27, 0, 0));
        assert_eq!(after.to, berlin(2026, 12, 28, 9, 0));
        assert!(!after.is_override);
    }

    #[test]
    fn an_override_before_the_start_counts() {
        let o = oncall(vec![dave(
            berlin(2026, 1, 2, 0, 0),
            berlin(2026, 1, 3, 0, 0),
        )]);
        assert_eq!(
            o.at("primary", berlin(2026, 1, 2, 1, 0)).unwrap().who,
            "dave"
        );
        let next = o.next("primary", berlin(2026, 1, 2, 1, 0)).unwrap();
        assert_eq!(next.who, "alice", "nobody between it and the start");
        assert_eq!(next.from, berlin(2026, 1, 5, 9, 0));
        assert_eq!(
            o.next("primary", berlin(2026, 1, 1, 0, 0)).unwrap().who,
            "dave"
        );
    }

    #[test]
    fn escalation_levels_fall_due_by_time_since_opening() {
        let policy = vec![
            Level {
                after: Duration::zero(),
                page: Target::Rotation("primary".into()),
            },
            Level {
                after: Duration::minutes(15),
                page: Target::People(vec!["erin".into(), "frank".into()]),
            },
        ];
        let opened = utc(2026, 11, 27, 12, 0);
        let due = |min| -> Vec<u32> {
            due_levels(&policy, opened, opened + Duration::minutes(min))
                .map(|(n, _)| n)
                .collect()
        };
        assert_eq!(due(0), [1]);
        assert_eq!(due(14), [1]);
        assert_eq!(due(15), [1, 2]);
        let o = oncall(vec![]);
        assert_eq!(policy[0].page.people(&o, opened), ["bob"]);
        assert_eq!(policy[1].page.people(&o, opened), ["erin", "frank"]);
        assert!(policy[0].page.people(&o, utc(2025, 1, 1, 0, 0)).is_empty());
    }

    #[test]
    fn rotations_cover_their_services_or_all() {
        let r = weekly();
        assert!(r.covers(&["api".into()]));
        assert!(!r.covers(&["db".into()]));
        assert!(!r.covers(&[]));
        let mut all = weekly();
        all.services.clear();
        assert!(all.covers(&[]) && all.covers(&["db".into()]));
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            /// Any instant after the start is in exactly one shift, shifts
            /// follow each other without a gap, and an override's time
            /// belongs to it.
            #[test]
            fn shifts_tile_time(
                hours in 1i64..400,
                members in 1usize..5,
                start_min in 0i64..(60 * 24 * 365),
                probe_min in 0i64..(60 * 24 * 400),
                zone in prop::sample::select(vec![Berlin, chrono_tz::America::New_York, chrono_tz::Australia::Lord_Howe, Tz::UTC]),
                ov_from in 0i64..(60 * 24 * 400),
                ov_len in 1i64..(60 * 24 * 10),
            ) {
                let rotation = Rotation {
                    id: "r".into(),
                    members: (0..members).map(|i| format!("m{i}")).collect(),
                    shift: Duration::hours(hours),
                    start: local(2026, 1, 1, 0, 0) + Duration::minutes(start_min),
                    zone,
                    services: vec![],
                };
                let first = rotation.boundary(0).unwrap();
                let o = OnCall {
                    rotations: vec![rotation],
                    overrides: vec![Override {
                        rotation: "r".into(),
                        who: "x".into(),
                        from: first + Duration::minutes(ov_from),
                        to: first + Duration::minutes(ov_from + ov_len),
                    }],
                };
                let t = first + Duration::minutes(probe_min);
                let now = o.at("r", t).unwrap();
                prop_assert!(now.from <= t && t < now.to, "{now:?} at {t}");
                let next = o.next("r", t).unwrap();
                prop_assert_eq!(next.from, now.to);
                prop_assert!(next.from < next.to);
                let ov = &o.overrides[0];
                prop_assert_eq!(now.is_override, ov.from <= t && t < ov.to);
                let shifts = o.shifts("r", t, t + Duration::days(30), 1000);
                for pair in shifts.windows(2) {
                    prop_assert_eq!(pair[0].to, pair[1].from);
                }
            }
        }
    }
}
