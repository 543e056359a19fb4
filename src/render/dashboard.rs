//! `inc` with no arguments: one screen of what needs you now — open
//! incidents, maintenance under way, who is on call, your overdue actions.

use std::fmt::Write;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::actions::{self, ActionRow};
use super::json::IncidentView;
use super::oncall::{self, RotationNow, RotationView};
use super::table::{self, Row, Style};
use super::text::one_line;
use crate::model::{Status, when};

/// An open incident as the dashboard's JSON gives it: `inc list --json`'s
/// object and the time of its newest timeline entry.
#[derive(Debug, Serialize)]
pub struct OpenView<'a> {
    #[serde(flatten)]
    pub incident: IncidentView<'a>,
    pub last_update_at: Option<String>,
}

/// `inc --json`.
#[derive(Debug, Serialize)]
pub struct DashboardView<'a> {
    pub now: String,
    pub you: &'a str,
    pub open: Vec<OpenView<'a>>,
    /// Windows under way: in progress or verifying, or scheduled with
    /// their start passed and their end not yet.
    pub maintenance: Vec<IncidentView<'a>>,
    /// Scheduled windows still to start.
    pub upcoming_maintenance: usize,
    /// Empty when no rotation is configured.
    pub oncall: Vec<RotationView<'a>>,
    pub overdue_actions: Vec<ActionRow<'a>>,
}

/// What the text view is drawn from.
pub struct Dashboard<'a> {
    pub name: Option<&'a str>,
    pub you: &'a str,
    /// Open incidents, most severe first.
    pub open: Vec<Row<'a>>,
    pub maintenance: Vec<Row<'a>>,
    pub upcoming_maintenance: usize,
    /// `None` when no rotation is configured.
    pub oncall: Option<Vec<RotationNow<'a>>>,
    pub overdue: Vec<ActionRow<'a>>,
}

/// Whether a maintenance window is under way at `now`: its status says so,
/// or it is still `scheduled` and its planned window has begun.
pub fn under_way(
    status: Option<Status>,
    start: Option<DateTime<Utc>>,
    end: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> bool {
    match status {
        Some(Status::InProgress | Status::Verifying) => true,
        Some(Status::Scheduled) => start.is_some_and(|s| s <= now) && end.is_none_or(|e| now < e),
        _ => false,
    }
}

/// The text view: a heading per section, a table or one line under each.
pub fn text(d: &Dashboard<'_>, style: Style) -> String {
    let heading = |title: &str| {
        if style.color {
            format!("\x1b[1m{title}\x1b[0m\n")
        } else {
            format!("{title}\n")
        }
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} · {} · you are {}",
        one_line(d.name.unwrap_or("inc"), 60),
        when::show(style.now, style.zone),
        one_line(d.you, 60)
    );

    out.push('\n');
    if d.open.is_empty() {
        out.push_str(&heading("Open incidents: none"));
    } else {
        out.push_str(&heading(&format!("Open incidents ({})", d.open.len())));
        out.push_str(&table::list_with_last_update(&d.open, style));
    }

    if !d.maintenance.is_empty() || d.upcoming_maintenance > 0 {
        out.push('\n');
        out.push_str(&heading(&format!(
            "Maintenance in progress ({})",
            d.maintenance.len()
        )));
        if !d.maintenance.is_empty() {
            out.push_str(&table::maintenance_table(&d.maintenance, style));
        }
        if d.upcoming_maintenance > 0 {
            let _ = writeln!(
                out,
                "{} upcoming: `inc list --maintenance`",
                crate::ui::count(d.upcoming_maintenance, "window")
            );
        }
    }

    if let Some(rotations) = &d.oncall {
        out.push('\n');
        out.push_str(&heading("On call"));
        out.push_str(&oncall::text(rotations, style.zone));
    }

    out.push('\n');
    if d.overdue.is_empty() {
        out.push_str(&heading("Your overdue actions: none"));
    } else {
        out.push_str(&heading(&format!(
            "Your overdue actions ({})",
            d.overdue.len()
        )));
        out.push_str(&actions::table(&d.overdue, style.color, style.wrap));
    }
    out
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn a_window_is_under_way_by_its_status_or_its_time() {
        let at = |h| Utc.with_ymd_and_hms(2026, 11, 27, h, 0, 0).unwrap();
        let (start, end) = (Some(at(2)), Some(at(4)));
        let scheduled = Some(Status::Scheduled);
        assert!(!under_way(scheduled, start, end, at(1)));
        assert!(under_way(scheduled, start, end, at(2)));
        assert!(under_way(scheduled, start, end, at(3)));
        assert!(!under_way(scheduled, start, end, at(4)), "ended");
        assert!(under_way(Some(Status::InProgress), start, end, at(5)));
        assert!(under_way(Some(Status::Verifying), start, end, at(1)));
        assert!(!under_way(Some(Status::Completed), start, end, at(3)));
        assert!(under_way(scheduled, start, None, at(9)), "open-ended");
    }
}
