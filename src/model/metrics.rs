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
mod tests;
