//! `inc suspects`: the window line, the table, the JSON view and the note.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use comfy_table::Cell;
use serde::Serialize;

use super::table::{finish, new_table};
use super::text::one_line;
use crate::model::suspects::{Commit, Window, number};
use crate::model::when;

/// The widest a subject is when the terminal's width is not known (a
/// pipe, a file), like the other tables' text columns.
const SUBJECT_MAX: usize = 80;
/// The narrowest a subject is cut to, however narrow the terminal.
const SUBJECT_MIN: usize = 20;

/// One commit of `inc suspects --json`.
#[derive(Debug, Serialize)]
pub struct CommitView<'a> {
    pub repo: &'a str,
    pub sha: &'a str,
    /// Committer time, UTC.
    pub time: DateTime<Utc>,
    pub author: &'a str,
    pub email: Option<&'a str>,
    pub subject: &'a str,
}

impl<'a> From<&'a Commit> for CommitView<'a> {
    fn from(c: &'a Commit) -> Self {
        CommitView {
            repo: &c.repo,
            sha: &c.sha,
            time: c.time,
            author: &c.author,
            email: c.email.as_deref(),
            subject: &c.subject,
        }
    }
}

/// Text from a commit made safe for one line of a terminal or a note:
/// control characters (escape sequences) and the invisible characters
/// that reorder text (bidirectional overrides) removed, whitespace
/// flattened, cut to `max` characters.
pub fn safe(s: &str, max: usize) -> String {
    let visible: String = s
        .chars()
        .filter(|c| !matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'))
        .collect();
    one_line(&visible, max)
}

/// `14:05`, or with the date when the window spans more than one day.
fn time(t: DateTime<Utc>, zone: Tz, with_date: bool) -> String {
    if with_date {
        t.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string()
    } else {
        when::clock(t, zone)
    }
}

fn spans_days(window: &Window, zone: Tz) -> bool {
    window.start.with_timezone(&zone).date_naive() != window.end.with_timezone(&zone).date_naive()
}

/// A duration as inc.yaml writes it: `2h`, `1h30m`, `1d`, `45s`.
fn compact(d: chrono::Duration) -> String {
    let secs = d.num_seconds().max(0);
    let parts = [
        (secs / 86_400, "d"),
        (secs % 86_400 / 3600, "h"),
        (secs % 3600 / 60, "m"),
        (secs % 60, "s"),
    ];
    parts
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, unit)| format!("{n}{unit}"))
        .collect()
}

/// "Commits from 2026-11-27 08:05 to 10:40 UTC (2h before impact to
/// mitigation)": what the list covers.
pub fn window_line(window: &Window, zone: Tz) -> String {
    let start = window.start.with_timezone(&zone);
    let end = window.end.with_timezone(&zone);
    let end_text = if spans_days(window, zone) {
        end.format("%Y-%m-%d %H:%M %Z").to_string()
    } else {
        end.format("%H:%M %Z").to_string()
    };
    let before = if window.before.is_zero() {
        "impact".to_owned()
    } else {
        format!("{} before impact", compact(window.before))
    };
    format!(
        "Commits from {} to {end_text} ({before} to {})",
        start.format("%Y-%m-%d %H:%M"),
        window.end_reason.label()
    )
}

/// The table: number (1 is the oldest), time in `zone`, repository, short
/// sha, author, subject cut to fit `width` columns when the terminal's
/// width is known.
pub fn table(
    commits: &[Commit],
    window: &Window,
    zone: Tz,
    color: bool,
    width: Option<usize>,
) -> String {
    let with_date = spans_days(window, zone);
    let rows: Vec<[String; 5]> = commits
        .iter()
        .enumerate()
        .map(|(i, c)| {
            [
                number(i, commits.len()).to_string(),
                time(c.time, zone, with_date),
                safe(&c.repo, 30),
                c.short.clone(),
                safe(&c.author, 24),
            ]
        })
        .collect();
    let headers = ["#", "TIME", "REPO", "COMMIT", "AUTHOR", "SUBJECT"];
    let subject_max = match width {
        Some(width) => {
            // Each column is padded by a space on both sides.
            let used: usize = (0..5)
                .map(|col| {
                    rows.iter()
                        .map(|r| r[col].chars().count())
                        .chain([headers[col].len()])
                        .max()
                        .unwrap_or(0)
                        + 2
                })
                .sum::<usize>()
                + 2;
            width.saturating_sub(used).max(SUBJECT_MIN)
        }
        None => SUBJECT_MAX,
    };
    let mut table = new_table(&headers, color, false);
    for (row, c) in rows.into_iter().zip(commits) {
        let subject = if c.merge && !c.subject.starts_with("Merge") {
            format!("(merge) {}", c.subject)
        } else {
            c.subject.clone()
        };
        let mut cells: Vec<Cell> = row.into_iter().map(Cell::new).collect();
        cells.push(Cell::new(safe(&subject, subject_max)));
        table.add_row(cells);
    }
    finish(&table)
}

/// The text of the note recording `chosen` commits: one
/// `suspect: <repo>@<short sha> <subject> (<author>)` line each.
pub fn note(chosen: &[&Commit]) -> String {
    chosen
        .iter()
        .map(|c| {
            format!(
                "suspect: {}@{} {} ({})",
                safe(&c.repo, 60),
                c.short,
                safe(&c.subject, 200),
                safe(&c.author, 60)
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::suspects::End;
    use chrono::{Duration, TimeZone};

    fn t(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 27, h, m, 0).unwrap()
    }

    fn window() -> Window {
        Window {
            start: t(8, 5),
            end: t(10, 40),
            impact: t(10, 5),
            before: Duration::hours(2),
            end_reason: End::Mitigated,
        }
    }

    fn commit(subject: &str) -> Commit {
        Commit {
            repo: "api".to_owned(),
            sha: "4f2a9c1e00000000000000000000000000000000".to_owned(),
            short: "4f2a9c1".to_owned(),
            time: t(9, 30),
            author: "bob\x1b[31m".to_owned(),
            email: Some("bob@example.com".to_owned()),
            subject: subject.to_owned(),
            merge: false,
        }
    }

    #[test]
    fn the_window_line_says_what_it_covers() {
        let zone = chrono_tz::Europe::Berlin;
        assert_eq!(
            window_line(&window(), zone),
            "Commits from 2026-11-27 09:05 to 11:40 CET (2h before impact to mitigation)"
        );
        let mut w = window();
        w.end = t(23, 30);
        w.end_reason = End::Now;
        w.before = Duration::zero();
        assert_eq!(compact(Duration::minutes(90)), "1h30m");
        assert_eq!(compact(Duration::days(1)), "1d");
        assert_eq!(
            window_line(&w, zone),
            "Commits from 2026-11-27 09:05 to 2026-11-28 00:30 CET (impact to now)"
        );
    }

    #[test]
    fn hostile_text_is_made_safe() {
        assert_eq!(
            safe("a\x1b]0;title\x07b\u{202e}cba\r\nnext", 80),
            "a]0;titlebcba next"
        );
        assert_eq!(safe(&"x".repeat(300), 10).chars().count(), 10);
        let note = note(&[&commit("Deploy \x1b[2Jnow\nsecond line")]);
        assert_eq!(
            note,
            "suspect: api@4f2a9c1 Deploy [2Jnow second line (bob[31m)"
        );
    }

    #[test]
    fn the_subject_fits_the_terminal() {
        let long = "word ".repeat(40);
        let commits = [commit(&long)];
        let narrow = table(&commits, &window(), chrono_tz::UTC, false, Some(70));
        assert!(narrow.lines().all(|l| l.chars().count() <= 70), "{narrow}");
        assert!(narrow.contains('…'), "{narrow}");
        let pipe = table(&commits, &window(), chrono_tz::UTC, false, None);
        let row = pipe.lines().nth(1).unwrap();
        assert!(row.ends_with('…'), "{pipe}");
        assert!(row.chars().count() > 80, "{pipe}");
    }
}
