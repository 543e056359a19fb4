//! `inc stats`: the figures over a set of incidents, as pure computation.
//!
//! The times come from [`Phases`], which holds the definitions (DESIGN.md,
//! "Metrics definitions"):
//!
//! - time to detect      = opened − started (impact start)
//! - time to acknowledge = acknowledged − opened
//! - time to mitigate    = mitigated − started
//! - time to resolve     = resolved − started
//!
//! Each is summarised over the incidents that reached its phase as a count,
//! a mean, a median and a 90th percentile ([`Spread`]). Impact is the time
//! to resolve of *resolved* incidents only: an open incident's impact is
//! still growing, so adding "up to now" would make the figure change with
//! the clock and mix finished and unfinished outages.
//!
//! Left out of everything ([`Exclusion`]): maintenance (`kind:
//! maintenance`), test incidents (`mode: test`), declined incidents (false
//! alarms) and incidents whose timeline has no `opened` event.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use super::incident::Header;
use super::phases::Phases;
use super::state::{Action, State};
use super::status::{Kind, Mode, Status};

/// One incident as the metrics see it.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    pub id: &'a str,
    pub header: &'a Header,
    pub state: &'a State,
}

/// What the figures are broken down by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    /// The current severity, in the order the configuration lists them.
    Severity,
    /// Each affected service; an incident with two services counts in both.
    Service,
    /// The month of opening in the display zone, `YYYY-MM`.
    Month,
}

/// What the computation needs besides the incidents.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// For "overdue": an action is overdue when its due date is before
    /// today, and today is `now`'s date in `zone`.
    pub now: DateTime<Utc>,
    /// The display zone: months and "today" are taken in it.
    pub zone: Tz,
    /// Severity IDs, most severe first, for the order of severity groups;
    /// others follow in alphabetical order.
    pub severities: &'a [String],
}

/// Why an incident is left out of the metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exclusion {
    Maintenance,
    Test,
    Declined,
    /// The timeline has no `opened` event, so there is no state to count.
    NotOpened,
}

/// Why `header` and `state` are left out of the metrics, if they are. The
/// first reason that applies wins, in the order of [`Exclusion`].
pub fn exclusion(header: &Header, state: &State) -> Option<Exclusion> {
    if header.kind() == Kind::Maintenance {
        Some(Exclusion::Maintenance)
    } else if header.mode() == Mode::Test {
        Some(Exclusion::Test)
    } else if state.status == Some(Status::Declined) {
        Some(Exclusion::Declined)
    } else if state.status.is_none() {
        Some(Exclusion::NotOpened)
    } else {
        None
    }
}

/// How many incidents were left out, by reason.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LeftOut {
    pub maintenance: usize,
    pub test: usize,
    pub declined: usize,
    pub not_opened: usize,
}

impl LeftOut {
    pub fn total(&self) -> usize {
        self.maintenance + self.test + self.declined + self.not_opened
    }

    fn count(&mut self, why: Exclusion) {
        match why {
            Exclusion::Maintenance => self.maintenance += 1,
            Exclusion::Test => self.test += 1,
            Exclusion::Declined => self.declined += 1,
            Exclusion::NotOpened => self.not_opened += 1,
        }
    }
}

/// A summary of durations in whole seconds. `None` where there are no
/// values.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Spread {
    /// How many values (incidents that reached the phase).
    pub count: usize,
    /// The arithmetic mean, rounded to the nearest second.
    pub mean: Option<i64>,
    /// The middle value of the sorted values; for an even count, the mean
    /// of the two middle ones, rounded to the nearest second.
    pub median: Option<i64>,
    /// The 90th percentile by the nearest-rank method: with the `n` values
    /// sorted ascending, the value at 1-based rank ⌈0.9 · n⌉. It is always
    /// one of the values (no interpolation): for 1 to 10 values it is the
    /// ⌈0.9 · n⌉-th smallest, so the largest for n ≤ 9 and the second
    /// largest for n = 10.
    pub p90: Option<i64>,
}

impl Spread {
    /// Summarises `values` (seconds, none negative); sorts them in place.
    pub fn of(values: &mut [i64]) -> Spread {
        let n = values.len();
        if n == 0 {
            return Spread::default();
        }
        values.sort_unstable();
        let n128 = n as i128;
        let sum: i128 = values.iter().map(|&v| i128::from(v)).sum();
        let mean = div_round(sum, n128);
        let median = if n % 2 == 1 {
            values[n / 2]
        } else {
            div_round(i128::from(values[n / 2 - 1]) + i128::from(values[n / 2]), 2)
        };
        // ⌈9n / 10⌉, 1-based.
        let rank = (9 * n).div_ceil(10);
        Spread {
            count: n,
            mean: Some(mean),
            median: Some(median),
            p90: Some(values[rank - 1]),
        }
    }
}

/// `num / den` rounded to the nearest integer, halves away from zero;
/// `num ≥ 0`, `den > 0`. The result is within the range of the values
/// averaged, so it fits an `i64`.
fn div_round(num: i128, den: i128) -> i64 {
    i64::try_from((num + den / 2) / den).unwrap_or(i64::MAX)
}

/// Impact: resolved − started, over resolved incidents only.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImpactTime {
    /// Resolved incidents counted.
    pub count: usize,
    /// The sum, in seconds.
    pub total: i64,
    /// `total / count`, rounded to the nearest second.
    pub mean: Option<i64>,
}

/// Follow-up actions of the counted incidents.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Actions {
    pub total: usize,
    pub done: usize,
    /// Not done (`total − done`).
    pub open: usize,
    /// Open, with a due date before today in the display zone.
    pub overdue: usize,
}

impl Actions {
    /// `done / total` as a whole percentage, rounded down (so 100 means
    /// every action is done); `None` without actions.
    pub fn done_percent(&self) -> Option<u32> {
        (self.total > 0).then(|| (self.done * 100 / self.total) as u32)
    }
}

/// The figures of one set of incidents.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Figures {
    /// Incidents counted.
    pub incidents: usize,
    /// Not closed (triage … monitoring).
    pub open: usize,
    pub resolved: usize,
    pub detect: Spread,
    pub acknowledge: Spread,
    pub mitigate: Spread,
    pub resolve: Spread,
    pub impact: ImpactTime,
    pub actions: Actions,
    /// Escalation pages sent (`page` events), and on how many incidents.
    pub pages: usize,
    pub paged: usize,
    /// From the first page to the acknowledgement, of incidents paged
    /// then acknowledged.
    pub page_to_acknowledge: Spread,
}

/// One row of a breakdown. `key` is `None` for the incidents with no
/// service, under [`GroupBy::Service`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub key: Option<String>,
    pub figures: Figures,
}

/// Everything `inc stats` reports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub left_out: LeftOut,
    pub overall: Figures,
    /// Empty without a breakdown.
    pub groups: Vec<Group>,
    /// Counted incidents with a phase before the one it should follow
    /// (say, started after opened), sorted. Their negative spans are left
    /// out of the figure they belong to; `inc check` names the lines.
    pub out_of_order: Vec<String>,
}

/// What one incident contributes.
struct Sample {
    open: bool,
    resolved: bool,
    detect: Option<i64>,
    acknowledge: Option<i64>,
    mitigate: Option<i64>,
    resolve: Option<i64>,
    actions: Actions,
    pages: usize,
    page_to_acknowledge: Option<i64>,
}

impl Sample {
    fn of(subject: &Subject<'_>, today: NaiveDate) -> (Sample, bool) {
        let phases = Phases::of(subject.header, subject.state);
        let mut out_of_order = false;
        let mut keep = |d: Option<chrono::Duration>| {
            let secs = d?.num_seconds();
            if secs < 0 {
                out_of_order = true;
                None
            } else {
                Some(secs)
            }
        };
        let status = subject.state.status;
        let sample = Sample {
            open: subject.state.is_open(),
            resolved: status == Some(Status::Resolved),
            detect: keep(Some(phases.to_detect())),
            acknowledge: keep(phases.to_acknowledge()),
            mitigate: keep(phases.to_mitigate()),
            // `resolved_at` is cleared by a reopen, but check the status too,
            // so only resolved incidents count as resolved.
            resolve: keep(
                phases
                    .to_resolve()
                    .filter(|_| status == Some(Status::Resolved)),
            ),
            actions: count_actions(&subject.state.actions, today),
            pages: subject.state.pages.len(),
            // Negative only if someone acknowledged before a page, which
            // `inc escalate` never sends: left out, not out of order.
            page_to_acknowledge: subject
                .state
                .pages
                .first()
                .zip(subject.state.acknowledged_at)
                .map(|(p, ack)| (ack - p.at).num_seconds())
                .filter(|s| *s >= 0),
        };
        (sample, out_of_order)
    }
}

fn count_actions(actions: &[Action], today: NaiveDate) -> Actions {
    let mut out = Actions {
        total: actions.len(),
        ..Actions::default()
    };
    for action in actions {
        if action.done {
            out.done += 1;
        } else if action.is_overdue(today) {
            out.overdue += 1;
        }
    }
    out.open = out.total - out.done;
    out
}

fn summarise(samples: &[&Sample]) -> Figures {
    let spread = |f: fn(&Sample) -> Option<i64>| {
        let mut values: Vec<i64> = samples.iter().filter_map(|s| f(s)).collect();
        Spread::of(&mut values)
    };
    let resolve = spread(|s| s.resolve);
    let total: i128 = samples
        .iter()
        .filter_map(|s| s.resolve)
        .map(i128::from)
        .sum();
    let mut actions = Actions::default();
    for s in samples {
        actions.total += s.actions.total;
        actions.done += s.actions.done;
        actions.open += s.actions.open;
        actions.overdue += s.actions.overdue;
    }
    Figures {
        incidents: samples.len(),
        open: samples.iter().filter(|s| s.open).count(),
        resolved: samples.iter().filter(|s| s.resolved).count(),
        detect: spread(|s| s.detect),
        acknowledge: spread(|s| s.acknowledge),
        mitigate: spread(|s| s.mitigate),
        impact: ImpactTime {
            count: resolve.count,
            total: i64::try_from(total).unwrap_or(i64::MAX),
            mean: resolve.mean,
        },
        resolve,
        actions,
        pages: samples.iter().map(|s| s.pages).sum(),
        paged: samples.iter().filter(|s| s.pages > 0).count(),
        page_to_acknowledge: spread(|s| s.page_to_acknowledge),
    }
}

/// The keys an incident is grouped under (one per service; none when it
/// has none, under `None`).
fn keys(subject: &Subject<'_>, by: GroupBy, zone: Tz) -> Vec<Option<String>> {
    match by {
        GroupBy::Severity => vec![Some(
            subject
                .state
                .severity
                .clone()
                .unwrap_or_else(|| "?".to_owned()),
        )],
        GroupBy::Service => {
            let mut services: Vec<Option<String>> =
                subject.header.services.iter().cloned().map(Some).collect();
            // A service listed twice counts once.
            services.sort();
            services.dedup();
            if services.is_empty() {
                services.push(None);
            }
            services
        }
        GroupBy::Month => vec![Some(
            subject
                .header
                .opened_at
                .with_timezone(&zone)
                .format("%Y-%m")
                .to_string(),
        )],
    }
}

/// The order of groups: severities as configured (unknown ones after,
/// alphabetically); services alphabetically with "no service" last; months
/// in time order.
fn sort_key<'k>(key: &'k Option<String>, by: GroupBy, ctx: &Context<'_>) -> (usize, &'k str) {
    match (by, key) {
        (_, None) => (usize::MAX, ""),
        (GroupBy::Severity, Some(k)) => (
            ctx.severities
                .iter()
                .position(|s| s == k)
                .unwrap_or(ctx.severities.len()),
            k,
        ),
        (_, Some(k)) => (0, k),
    }
}

/// Computes every figure over `incidents`, broken down `by` a key if asked.
pub fn compute(incidents: &[Subject<'_>], by: Option<GroupBy>, ctx: &Context<'_>) -> Report {
    let today = ctx.now.with_timezone(&ctx.zone).date_naive();
    let mut report = Report::default();
    let mut counted: Vec<(&Subject<'_>, Sample)> = Vec::with_capacity(incidents.len());
    for subject in incidents {
        if let Some(why) = exclusion(subject.header, subject.state) {
            report.left_out.count(why);
            continue;
        }
        let (sample, out_of_order) = Sample::of(subject, today);
        if out_of_order {
            report.out_of_order.push(subject.id.to_owned());
        }
        counted.push((subject, sample));
    }
    report.out_of_order.sort();
    let all: Vec<&Sample> = counted.iter().map(|(_, s)| s).collect();
    report.overall = summarise(&all);
    if let Some(by) = by {
        let mut groups: BTreeMap<Option<String>, Vec<&Sample>> = BTreeMap::new();
        for (subject, sample) in &counted {
            for key in keys(subject, by, ctx.zone) {
                groups.entry(key).or_default().push(sample);
            }
        }
        let mut groups: Vec<Group> = groups
            .into_iter()
            .map(|(key, samples)| Group {
                figures: summarise(&samples),
                key,
            })
            .collect();
        groups.sort_by(|a, b| sort_key(&a.key, by, ctx).cmp(&sort_key(&b.key, by, ctx)));
        report.groups = groups;
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Event, EventKind};
    use chrono::TimeZone;

    fn spread(values: &[i64]) -> Spread {
        Spread::of(&mut values.to_vec())
    }

    #[test]
    fn spread_of_nothing_is_empty() {
        assert_eq!(
            spread(&[]),
            Spread {
                count: 0,
                mean: None,
                median: None,
                p90: None
            }
        );
    }

    #[test]
    fn spread_of_one_value_is_that_value() {
        let s = spread(&[42]);
        assert_eq!(
            (s.count, s.mean, s.median, s.p90),
            (1, Some(42), Some(42), Some(42))
        );
    }

    #[test]
    fn spread_of_an_odd_count() {
        // Unsorted on purpose.
        let s = spread(&[300, 60, 120]);
        assert_eq!(s.count, 3);
        assert_eq!(s.mean, Some(160));
        assert_eq!(s.median, Some(120));
        // ⌈0.9 · 3⌉ = 3: the largest.
        assert_eq!(s.p90, Some(300));
    }

    #[test]
    fn spread_of_an_even_count() {
        let s = spread(&[10, 40, 20, 30]);
        assert_eq!(s.mean, Some(25));
        // (20 + 30) / 2
        assert_eq!(s.median, Some(25));
        // ⌈0.9 · 4⌉ = 4
        assert_eq!(s.p90, Some(40));
        // Halves round up: (1 + 2) / 2 = 1.5 → 2; mean of 1, 2 = 1.5 → 2.
        let s = spread(&[1, 2]);
        assert_eq!((s.mean, s.median, s.p90), (Some(2), Some(2), Some(2)));
    }

    #[test]
    fn p90_is_nearest_rank() {
        let ten: Vec<i64> = (1..=10).collect();
        // ⌈0.9 · 10⌉ = 9
        assert_eq!(spread(&ten).p90, Some(9));
        let eleven: Vec<i64> = (1..=11).collect();
        // ⌈0.9 · 11⌉ = ⌈9.9⌉ = 10
        assert_eq!(spread(&eleven).p90, Some(10));
        let twenty: Vec<i64> = (1..=20).collect();
        assert_eq!(spread(&twenty).p90, Some(18));
        let hundred: Vec<i64> = (1..=100).rev().collect();
        assert_eq!(spread(&hundred).p90, Some(90));
        assert_eq!(spread(&hundred).median, Some(51)); // 50.5 rounds up
    }

    #[test]
    fn huge_values_do_not_overflow() {
        let s = spread(&[i64::MAX, i64::MAX, i64::MAX - 1]);
        assert_eq!(s.mean, Some(i64::MAX));
        assert_eq!(s.median, Some(i64::MAX));
    }

    // ----- incidents -----

    fn t(day: u32, h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, day, h, m, 0).unwrap()
    }

    fn oct(day: u32, h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 10, day, h, m, 0).unwrap()
    }

    const NOW: (u32, u32, u32) = (27, 12, 0);

    struct Built {
        id: String,
        header: Header,
        state: State,
    }

    /// An incident opened at `opened` by a person (acknowledged at once),
    /// then `events` as (time, kind).
    fn incident(
        id: &str,
        severity: &str,
        services: &[&str],
        started: DateTime<Utc>,
        opened: DateTime<Utc>,
        events: Vec<(DateTime<Utc>, EventKind)>,
    ) -> Built {
        let header = Header {
            title: id.into(),
            services: services.iter().map(|s| s.to_string()).collect(),
            started_at: Some(started),
            opened_at: opened,
            opened_by: "alice".into(),
            ..Header::default()
        };
        let mut all = vec![Event::new(
            opened,
            "alice",
            EventKind::Opened {
                severity: severity.into(),
                status: Status::Investigating,
            },
        )];
        all.extend(events.into_iter().map(|(at, k)| Event::new(at, "alice", k)));
        Built {
            id: id.into(),
            header,
            state: State::fold(&all),
        }
    }

    fn status(status: Status) -> EventKind {
        EventKind::Status { status, text: None }
    }

    fn action(id: u32, due: Option<&str>) -> EventKind {
        EventKind::Action {
            id,
            text: "fix".into(),
            owner: None,
            due: due.map(str::to_owned),
            link: None,
        }
    }

    fn severities() -> Vec<String> {
        ["SEV1", "SEV2", "SEV3", "SEV4"].map(String::from).to_vec()
    }

    fn run(incidents: &[Built], by: Option<GroupBy>, zone: Tz) -> Report {
        let subjects: Vec<Subject<'_>> = incidents
            .iter()
            .map(|b| Subject {
                id: &b.id,
                header: &b.header,
                state: &b.state,
            })
            .collect();
        let severities = severities();
        let ctx = Context {
            now: t(NOW.0, NOW.1, NOW.2),
            zone,
            severities: &severities,
        };
        compute(&subjects, by, &ctx)
    }

    /// Two resolved, one open, one declined, one test, one maintenance.
    fn fixture() -> Vec<Built> {
        let mut test = incident("test", "SEV1", &["api"], t(1, 0, 0), t(1, 0, 0), vec![]);
        test.header.mode = Some(Mode::Test);
        let mut maintenance = incident("mnt", "SEV4", &[], t(2, 0, 0), t(2, 0, 0), vec![]);
        maintenance.header.kind = Some(Kind::Maintenance);
        vec![
            // SEV2 on api and web: detect 10m, mitigate 40m, resolve 100m;
            // two actions: one done, one overdue.
            incident(
                "a",
                "SEV2",
                &["api", "web"],
                t(20, 7, 50),
                t(20, 8, 0),
                vec![
                    (t(20, 8, 30), status(Status::Monitoring)),
                    (t(20, 9, 30), status(Status::Resolved)),
                    (t(20, 10, 0), action(1, Some("2026-11-26"))),
                    (t(20, 10, 0), action(2, Some("2026-11-01"))),
                    (t(20, 10, 1), EventKind::ActionDone { id: 1 }),
                ],
            ),
            // SEV1 on web, opened in October: detect 0, resolve 20m; one
            // action due today (not overdue), one with no date.
            incident(
                "b",
                "SEV1",
                &["web"],
                oct(1, 10, 0),
                oct(1, 10, 0),
                vec![
                    (oct(1, 10, 20), status(Status::Resolved)),
                    (t(2, 0, 0), action(1, Some("2026-11-27"))),
                    (t(2, 0, 0), action(2, None)),
                ],
            ),
            // SEV2, no service, open (monitoring): detect 1h, mitigate 1h 30m.
            incident(
                "c",
                "SEV2",
                &[],
                t(27, 8, 0),
                t(27, 9, 0),
                vec![(t(27, 9, 30), status(Status::Monitoring))],
            ),
            {
                let mut d = incident("d", "SEV3", &["api"], t(26, 9, 0), t(26, 9, 0), vec![]);
                d.state = State::fold(&[
                    Event::new(
                        t(26, 9, 0),
                        "alice",
                        EventKind::Opened {
                            severity: "SEV3".into(),
                            status: Status::Triage,
                        },
                    ),
                    Event::new(t(26, 9, 5), "alice", status(Status::Declined)),
                ]);
                d
            },
            test,
            maintenance,
        ]
    }

    #[test]
    fn leaves_out_declined_test_and_maintenance() {
        let r = run(&fixture(), None, Tz::UTC);
        assert_eq!(
            r.left_out,
            LeftOut {
                maintenance: 1,
                test: 1,
                declined: 1,
                not_opened: 0
            }
        );
        assert_eq!(r.left_out.total(), 3);
        let f = &r.overall;
        assert_eq!((f.incidents, f.open, f.resolved), (3, 1, 2));
        assert!(r.groups.is_empty());
        assert!(r.out_of_order.is_empty());
    }

    #[test]
    fn figures_follow_the_definitions() {
        let f = run(&fixture(), None, Tz::UTC).overall;
        // detect: 10m, 0, 1h → sorted 0, 600, 3600
        assert_eq!(
            f.detect,
            Spread {
                count: 3,
                mean: Some(1400),
                median: Some(600),
                p90: Some(3600)
            }
        );
        // Everyone was opened by a person: acknowledged at once.
        assert_eq!(f.acknowledge.count, 3);
        assert_eq!(f.acknowledge.p90, Some(0));
        // mitigate: 40m, 20m (resolving mitigates), 1h 30m
        assert_eq!(f.mitigate.count, 3);
        assert_eq!(f.mitigate.median, Some(2400));
        // resolve: 100m, 20m — the open one is not counted.
        assert_eq!(
            f.resolve,
            Spread {
                count: 2,
                mean: Some(3600),
                median: Some(3600),
                p90: Some(6000)
            }
        );
        assert_eq!(
            f.impact,
            ImpactTime {
                count: 2,
                total: 7200,
                mean: Some(3600)
            }
        );
        assert_eq!(
            f.actions,
            Actions {
                total: 4,
                done: 1,
                open: 3,
                overdue: 1
            }
        );
        assert_eq!(f.actions.done_percent(), Some(25));
    }

    #[test]
    fn by_severity_in_configured_order() {
        let r = run(&fixture(), Some(GroupBy::Severity), Tz::UTC);
        let keys: Vec<Option<&str>> = r.groups.iter().map(|g| g.key.as_deref()).collect();
        assert_eq!(keys, [Some("SEV1"), Some("SEV2")]);
        assert_eq!(r.groups[0].figures.incidents, 1);
        assert_eq!(r.groups[1].figures.incidents, 2);
        assert_eq!(r.groups[1].figures.open, 1);
        // The overall figures are there too.
        assert_eq!(r.overall.incidents, 3);
    }

    #[test]
    fn by_service_counts_an_incident_in_each_of_its_services() {
        let r = run(&fixture(), Some(GroupBy::Service), Tz::UTC);
        let rows: Vec<(Option<&str>, usize)> = r
            .groups
            .iter()
            .map(|g| (g.key.as_deref(), g.figures.incidents))
            .collect();
        assert_eq!(rows, [(Some("api"), 1), (Some("web"), 2), (None, 1)]);
        let web = &r.groups[1].figures;
        assert_eq!(web.resolve.count, 2);
        assert_eq!(web.impact.total, 7200);
    }

    #[test]
    fn by_month_in_the_display_zone() {
        let r = run(&fixture(), Some(GroupBy::Month), Tz::UTC);
        let rows: Vec<(Option<&str>, usize)> = r
            .groups
            .iter()
            .map(|g| (g.key.as_deref(), g.figures.incidents))
            .collect();
        assert_eq!(rows, [(Some("2026-10"), 1), (Some("2026-11"), 2)]);

        // 23:30 UTC on 30 November is already December in Berlin.
        let late = incident("late", "SEV3", &[], t(30, 23, 30), t(30, 23, 30), vec![]);
        let keys = |zone| {
            run(std::slice::from_ref(&late), Some(GroupBy::Month), zone)
                .groups
                .into_iter()
                .map(|g| g.key.unwrap())
                .collect::<Vec<_>>()
        };
        assert_eq!(keys(Tz::UTC), ["2026-11"]);
        assert_eq!(keys(chrono_tz::Europe::Berlin), ["2026-12"]);
    }

    #[test]
    fn overdue_uses_today_in_the_display_zone() {
        // Now is 12:00 UTC on the 27th; in Tokyo (UTC+9) it is 21:00, still
        // the 27th; in Kiritimati (UTC+14) it is 02:00 on the 28th, so an
        // action due on the 27th is overdue there.
        let due_27 = incident(
            "x",
            "SEV3",
            &[],
            t(20, 0, 0),
            t(20, 0, 0),
            vec![(t(20, 1, 0), action(1, Some("2026-11-27")))],
        );
        let overdue = |zone| {
            run(std::slice::from_ref(&due_27), None, zone)
                .overall
                .actions
                .overdue
        };
        assert_eq!(overdue(Tz::UTC), 0);
        assert_eq!(overdue(chrono_tz::Asia::Tokyo), 0);
        assert_eq!(overdue(chrono_tz::Pacific::Kiritimati), 1);
    }

    #[test]
    fn nothing_to_count() {
        let r = run(&[], Some(GroupBy::Severity), Tz::UTC);
        assert_eq!(r.overall, Figures::default());
        assert_eq!(r.overall.detect.mean, None);
        assert_eq!(r.overall.actions.done_percent(), None);
        assert!(r.groups.is_empty());
    }

    #[test]
    fn negative_spans_are_left_out_and_reported() {
        // Started after it was opened (a hand edit).
        let mut odd = incident(
            "odd",
            "SEV3",
            &[],
            t(20, 0, 0),
            t(20, 0, 0),
            vec![(t(20, 0, 30), status(Status::Resolved))],
        );
        odd.header.started_at = Some(t(20, 0, 10));
        let fine = incident("fine", "SEV3", &[], t(20, 0, 0), t(20, 0, 0), vec![]);
        let r = run(&[odd, fine], None, Tz::UTC);
        assert_eq!(r.out_of_order, ["odd"]);
        assert_eq!(r.overall.incidents, 2);
        assert_eq!(r.overall.detect.count, 1, "−10m is left out");
        assert_eq!(r.overall.resolve.count, 1, "+20m still counts");
    }

    #[test]
    fn an_incident_without_an_opened_event_is_left_out() {
        let mut broken = incident("x", "SEV3", &[], t(20, 0, 0), t(20, 0, 0), vec![]);
        broken.state = State::default();
        let r = run(&[broken], None, Tz::UTC);
        assert_eq!(r.left_out.not_opened, 1);
        assert_eq!(r.overall.incidents, 0);
    }

    #[test]
    fn a_reopened_incident_is_open_and_unresolved() {
        let b = incident(
            "r",
            "SEV3",
            &[],
            t(20, 0, 0),
            t(20, 0, 0),
            vec![
                (t(20, 1, 0), status(Status::Resolved)),
                (t(20, 2, 0), status(Status::Investigating)),
            ],
        );
        let f = run(&[b], None, Tz::UTC).overall;
        assert_eq!((f.open, f.resolved), (1, 0));
        assert_eq!(f.resolve.count, 0);
        assert_eq!(f.impact.count, 0);
        // A reopen clears mitigation as it clears resolution: the time to
        // mitigate counts once it is mitigated again.
        assert_eq!(f.mitigate.count, 0, "investigating again");
    }

    #[test]
    fn automation_opened_waits_for_an_acknowledgement() {
        let mut b = incident("x", "SEV3", &[], t(20, 0, 0), t(20, 0, 0), vec![]);
        b.state = State::fold(&[
            Event::new(
                t(20, 0, 0),
                "alertmanager",
                EventKind::Opened {
                    severity: "SEV3".into(),
                    status: Status::Triage,
                },
            ),
            Event::new(t(20, 0, 7), "bob", EventKind::Ack),
        ]);
        let mut waiting = incident("y", "SEV3", &[], t(21, 0, 0), t(21, 0, 0), vec![]);
        waiting.state = State::fold(&[Event::new(
            t(21, 0, 0),
            "alertmanager",
            EventKind::Opened {
                severity: "SEV3".into(),
                status: Status::Triage,
            },
        )]);
        let f = run(&[b, waiting], None, Tz::UTC).overall;
        assert_eq!(f.incidents, 2);
        assert_eq!(f.acknowledge.count, 1);
        assert_eq!(f.acknowledge.mean, Some(420));
    }
}
