//! `inc action list`: rows, their JSON form, and the table.

use chrono::NaiveDate;
use comfy_table::{Cell, Color};
use serde::Serialize;

use super::table::{finish, new_table};
use super::text::one_line;
use crate::model::state::Action;

/// One follow-up action with the incident it belongs to.
#[derive(Debug, Serialize)]
pub struct ActionRow<'a> {
    pub incident: &'a str,
    pub id: u32,
    pub text: &'a str,
    pub owner: Option<&'a str>,
    pub due: Option<NaiveDate>,
    pub link: Option<&'a str>,
    pub done: bool,
    /// Not done, and due before `today`.
    pub overdue: bool,
}

impl<'a> ActionRow<'a> {
    pub fn new(incident: &'a str, action: &'a Action, today: NaiveDate) -> ActionRow<'a> {
        let due = action.due_date();
        ActionRow {
            incident,
            id: action.id,
            text: &action.text,
            owner: action.owner.as_deref(),
            due,
            link: action.link.as_deref(),
            done: action.done,
            overdue: action.is_overdue(today),
        }
    }

    /// Whether `who` owns it (names compared without regard to case).
    pub fn owned_by(&self, who: &str) -> bool {
        self.owner
            .is_some_and(|owner| owner.eq_ignore_ascii_case(who))
    }

    fn status(&self) -> &'static str {
        match (self.done, self.overdue) {
            (true, _) => "done",
            (false, true) => "overdue",
            (false, false) => "open",
        }
    }
}

/// The table: incident, number, action, owner, due, status.
pub fn table(rows: &[ActionRow<'_>], color: bool, wrap: bool) -> String {
    let mut table = new_table(
        &["INCIDENT", "#", "ACTION", "OWNER", "DUE", "STATUS"],
        color,
        wrap,
    );
    for row in rows {
        let mut status = Cell::new(row.status());
        if color {
            status = status.fg(match row.status() {
                "overdue" => Color::Red,
                "done" => Color::Green,
                _ => Color::Reset,
            });
        }
        table.add_row(vec![
            Cell::new(row.incident),
            Cell::new(row.id),
            Cell::new(one_line(row.text, 80)),
            Cell::new(row.owner.map_or("—".to_owned(), |o| one_line(o, 30))),
            Cell::new(row.due.map_or("—".to_owned(), |d| d.to_string())),
            status,
        ]);
    }
    finish(&table)
}
