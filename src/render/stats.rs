//! `inc stats`: the text report and the `--json` view types.

use std::fmt::Write;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use comfy_table::{Attribute, Cell, CellAlignment, Table};
use serde::Serialize;

use super::table::{Style, finish, new_table};
use super::text::one_line;
use crate::model::metrics::{Actions, Figures, GroupBy, ImpactTime, LeftOut, Report, Spread};
use crate::model::when;

/// The column header of a breakdown.
fn by_name(by: GroupBy) -> &'static str {
    match by {
        GroupBy::Severity => "severity",
        GroupBy::Service => "service",
        GroupBy::Month => "month",
    }
}

// ----- JSON -----

/// `inc stats --json`: one object. Every time is in whole seconds, `null`
/// where there is nothing to summarise.
#[derive(Debug, Serialize)]
pub struct StatsView<'a> {
    /// `--since`, as a stored time; `null` without it.
    pub since: Option<String>,
    /// The breakdown asked for (`severity`, `service`, `month`) or `null`.
    pub by: Option<&'static str>,
    /// The display zone: months and "today" (for overdue actions) use it.
    pub zone: &'static str,
    pub left_out: LeftOutView,
    pub overall: FiguresView,
    /// One object per group, `[]` without `--by`.
    pub groups: Vec<GroupView<'a>>,
}

#[derive(Debug, Serialize)]
pub struct LeftOutView {
    pub total: usize,
    pub declined: usize,
    pub test: usize,
    pub maintenance: usize,
    /// Timelines with no `opened` event.
    pub not_opened: usize,
}

#[derive(Debug, Serialize)]
pub struct GroupView<'a> {
    /// The severity, service or month; `null` for incidents with no service.
    pub group: Option<&'a str>,
    #[serde(flatten)]
    pub figures: FiguresView,
}

#[derive(Debug, Serialize)]
pub struct FiguresView {
    pub incidents: CountsView,
    pub time_to_detect: SpreadView,
    pub time_to_acknowledge: SpreadView,
    pub time_to_mitigate: SpreadView,
    pub time_to_resolve: SpreadView,
    pub impact: ImpactView,
    pub actions: ActionsView,
    pub pages: PagesView,
    /// From an incident's first escalation page to its acknowledgement.
    pub time_from_page_to_acknowledge: SpreadView,
}

#[derive(Debug, Serialize)]
pub struct PagesView {
    /// `page` events recorded by `inc escalate`.
    pub sent: usize,
    /// Incidents with at least one.
    pub incidents: usize,
}

#[derive(Debug, Serialize)]
pub struct CountsView {
    pub total: usize,
    pub open: usize,
    pub resolved: usize,
}

#[derive(Debug, Serialize)]
pub struct SpreadView {
    pub count: usize,
    pub mean_seconds: Option<i64>,
    pub median_seconds: Option<i64>,
    pub p90_seconds: Option<i64>,
}

#[derive(Debug, Serialize)]
pub struct ImpactView {
    /// Resolved incidents counted.
    pub count: usize,
    pub total_seconds: i64,
    pub mean_seconds: Option<i64>,
}

#[derive(Debug, Serialize)]
pub struct ActionsView {
    pub total: usize,
    pub done: usize,
    pub open: usize,
    pub overdue: usize,
    /// `done / total`, a whole percentage rounded down; `null` without actions.
    pub done_percent: Option<u32>,
}

impl From<&Spread> for SpreadView {
    fn from(s: &Spread) -> SpreadView {
        SpreadView {
            count: s.count,
            mean_seconds: s.mean,
            median_seconds: s.median,
            p90_seconds: s.p90,
        }
    }
}

impl From<&Figures> for FiguresView {
    fn from(f: &Figures) -> FiguresView {
        FiguresView {
            incidents: CountsView {
                total: f.incidents,
                open: f.open,
                resolved: f.resolved,
            },
            time_to_detect: (&f.detect).into(),
            time_to_acknowledge: (&f.acknowledge).into(),
            time_to_mitigate: (&f.mitigate).into(),
            time_to_resolve: (&f.resolve).into(),
            impact: ImpactView {
                count: f.impact.count,
                total_seconds: f.impact.total,
                mean_seconds: f.impact.mean,
            },
            actions: ActionsView {
                total: f.actions.total,
                done: f.actions.done,
                open: f.actions.open,
                overdue: f.actions.overdue,
                done_percent: f.actions.done_percent(),
            },
            pages: PagesView {
                sent: f.pages,
                incidents: f.paged,
            },
            time_from_page_to_acknowledge: (&f.page_to_acknowledge).into(),
        }
    }
}

impl<'a> StatsView<'a> {
    pub fn new(
        report: &'a Report,
        since: Option<DateTime<Utc>>,
        by: Option<GroupBy>,
        zone: Tz,
    ) -> StatsView<'a> {
        let l = &report.left_out;
        StatsView {
            since: since.map(when::stored),
            by: by.map(by_name),
            zone: zone.name(),
            left_out: LeftOutView {
                total: l.total(),
                declined: l.declined,
                test: l.test,
                maintenance: l.maintenance,
                not_opened: l.not_opened,
            },
            overall: (&report.overall).into(),
            groups: report
                .groups
                .iter()
                .map(|g| GroupView {
                    group: g.key.as_deref(),
                    figures: (&g.figures).into(),
                })
                .collect(),
        }
    }
}

// ----- text -----

const NONE: &str = "—";

fn secs(s: Option<i64>) -> String {
    s.map_or(NONE.to_owned(), |s| {
        when::duration(Duration::try_seconds(s).unwrap_or(Duration::MAX))
    })
}

/// `1 declined, 2 test`: the reasons that apply.
pub fn left_out(l: &LeftOut) -> Option<String> {
    let parts: Vec<String> = [
        (l.declined, "declined"),
        (l.test, "test"),
        (l.maintenance, "maintenance"),
        (l.not_opened, "with no `opened` event"),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{n} {what}"))
    .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// Impact in whole minutes, rounded: `385 min`, `1,542,813 min`.
fn minutes(impact: &ImpactTime) -> String {
    if impact.count == 0 {
        NONE.to_owned()
    } else {
        format!("{} min", thousands(impact.total.saturating_add(30) / 60))
    }
}

/// `1542813` → `1,542,813`.
fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `3/4 (75%)`: done of all, or `—` without actions.
fn done(a: &Actions) -> String {
    match a.done_percent() {
        Some(p) => format!("{}/{} ({p}%)", a.done, a.total),
        None => NONE.to_owned(),
    }
}

/// Right-aligns every column after the first (the figures).
fn align_figures(table: &mut Table) {
    for column in table.column_iter_mut().skip(1) {
        column.set_cell_alignment(CellAlignment::Right);
    }
}

/// The first line: how many incidents, since when, what was left out.
fn counts_line(f: &Figures, left: &LeftOut, since: Option<DateTime<Utc>>, zone: Tz) -> String {
    let mut line = format!(
        "{} incident{} ({} open, {} resolved)",
        f.incidents,
        if f.incidents == 1 { "" } else { "s" },
        f.open,
        f.resolved
    );
    if let Some(since) = since {
        let _ = write!(line, " opened since {}", when::show(since, zone));
    }
    if let Some(left) = left_out(left) {
        let _ = write!(line, "; left out: {left}");
    }
    line
}

/// The report as text: a line of counts, then either the four times
/// (count, mean, median, p90) with impact and follow-ups below, or, with a
/// breakdown, one row per group and an `all` row.
pub fn report(
    report: &Report,
    by: Option<GroupBy>,
    since: Option<DateTime<Utc>>,
    style: Style,
) -> String {
    let f = &report.overall;
    let mut out = counts_line(f, &report.left_out, since, style.zone);
    out.push_str("\n\n");
    match by {
        None => overall(&mut out, f, style),
        Some(by) => breakdown(&mut out, report, by, style),
    }
    out
}

fn overall(out: &mut String, f: &Figures, style: Style) {
    let mut table = new_table(
        &["TIME TO", "INCIDENTS", "MEAN", "MEDIAN", "P90"],
        style.color,
        style.wrap,
    );
    align_figures(&mut table);
    for (name, s) in [
        ("detect", &f.detect),
        ("acknowledge", &f.acknowledge),
        ("mitigate", &f.mitigate),
        ("resolve", &f.resolve),
    ] {
        table.add_row(vec![
            Cell::new(name),
            Cell::new(s.count),
            Cell::new(secs(s.mean)),
            Cell::new(secs(s.median)),
            Cell::new(secs(s.p90)),
        ]);
    }
    if f.pages > 0 {
        let s = &f.page_to_acknowledge;
        table.add_row(vec![
            Cell::new("ack after page"),
            Cell::new(s.count),
            Cell::new(secs(s.mean)),
            Cell::new(secs(s.median)),
            Cell::new(secs(s.p90)),
        ]);
    }
    out.push_str(&finish(&table));
    out.push('\n');
    if f.pages > 0 {
        let _ = writeln!(
            out,
            "pages       {} sent on {} incident{}",
            f.pages,
            f.paged,
            if f.paged == 1 { "" } else { "s" }
        );
    }
    let impact = if f.impact.count == 0 {
        "— (no resolved incidents)".to_owned()
    } else {
        format!(
            "{} over {} resolved incident{}, mean {}",
            minutes(&f.impact),
            f.impact.count,
            if f.impact.count == 1 { "" } else { "s" },
            secs(f.impact.mean)
        )
    };
    let _ = writeln!(out, "impact      {impact}");
    let a = &f.actions;
    let actions = match a.done_percent() {
        None => "— (no actions)".to_owned(),
        Some(p) => format!(
            "{} of {} action{} done ({p}%), {} open, {} overdue",
            a.done,
            a.total,
            if a.total == 1 { "" } else { "s" },
            a.open,
            a.overdue
        ),
    };
    let _ = writeln!(out, "follow-ups  {actions}");
}

fn breakdown(out: &mut String, report: &Report, by: GroupBy, style: Style) {
    let by_head = by_name(by).to_uppercase();
    let mut table = new_table(
        &[
            &by_head,
            "INCIDENTS",
            "OPEN",
            "MTTD",
            "MTTA",
            "MTTM",
            "MTTR",
            "IMPACT",
            "ACTIONS DONE",
            "OVERDUE",
        ],
        style.color,
        style.wrap,
    );
    align_figures(&mut table);
    let row = |name: String, f: &Figures| {
        vec![
            Cell::new(name),
            Cell::new(f.incidents),
            Cell::new(f.open),
            Cell::new(secs(f.detect.mean)),
            Cell::new(secs(f.acknowledge.mean)),
            Cell::new(secs(f.mitigate.mean)),
            Cell::new(secs(f.resolve.mean)),
            Cell::new(minutes(&f.impact)),
            Cell::new(done(&f.actions)),
            Cell::new(if f.actions.total == 0 {
                NONE.to_owned()
            } else {
                f.actions.overdue.to_string()
            }),
        ]
    };
    for g in &report.groups {
        let name = match &g.key {
            Some(k) => one_line(k, 40),
            None => "(none)".to_owned(),
        };
        table.add_row(row(name, &g.figures));
    }
    let mut all = row("all".to_owned(), &report.overall);
    if style.color {
        all = all
            .into_iter()
            .map(|c| c.add_attribute(Attribute::Bold))
            .collect();
    }
    table.add_row(all);
    out.push_str(&finish(&table));
    out.push('\n');
    let _ = writeln!(
        out,
        "MTTx: mean time to detect, acknowledge, mitigate, resolve; \
         `--json` has medians and p90s."
    );
    if by == GroupBy::Service {
        let _ = writeln!(
            out,
            "An incident with several services counts in each of them."
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_542_813), "1,542,813");
        assert_eq!(thousands(-12_345), "-12,345");
        assert_eq!(thousands(i64::MIN), "-9,223,372,036,854,775,808");
    }

    #[test]
    fn minutes_round_to_the_nearest() {
        let m = |total| {
            minutes(&ImpactTime {
                count: 1,
                total,
                mean: Some(total),
            })
        };
        assert_eq!(m(89), "1 min");
        assert_eq!(m(90), "2 min");
        assert_eq!(m(i64::MAX), "153,722,867,280,912,930 min");
        assert_eq!(minutes(&ImpactTime::default()), "—");
        assert_eq!(secs(None), "—");
        assert_eq!(secs(Some(i64::MAX)), "106751991167d 7h");
    }
}
