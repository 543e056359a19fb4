//! `inc oncall`: who is on call as text and JSON, and a rotation's shifts
//! as an iCalendar (RFC 5545) file.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::model::oncall::Shift;
use crate::model::when;
use crate::render::text::one_line;

/// One rotation as `inc oncall --json` prints it.
#[derive(Debug, Serialize)]
pub struct RotationView<'a> {
    pub rotation: &'a str,
    /// `null` before the rotation starts (and no override covers now).
    pub now: Option<ShiftView<'a>>,
    pub next: Option<ShiftView<'a>>,
}

#[derive(Debug, Serialize)]
pub struct ShiftView<'a> {
    pub who: &'a str,
    pub from: String,
    pub to: String,
    #[serde(rename = "override")]
    pub is_override: bool,
}

impl<'a> ShiftView<'a> {
    pub fn new(shift: &'a Shift) -> ShiftView<'a> {
        ShiftView {
            who: &shift.who,
            from: when::stored(shift.from),
            to: when::stored(shift.to),
            is_override: shift.is_override,
        }
    }
}

/// One rotation's shift at a time and the one after it: what `inc oncall`
/// and the dashboard show, as text or (through [`RotationNow::view`]) JSON.
pub struct RotationNow<'a> {
    pub id: &'a str,
    pub now: Option<Shift>,
    pub next: Option<Shift>,
}

impl RotationNow<'_> {
    /// As `inc oncall --json` prints it.
    pub fn view(&self) -> RotationView<'_> {
        RotationView {
            rotation: self.id,
            now: self.now.as_ref().map(ShiftView::new),
            next: self.next.as_ref().map(ShiftView::new),
        }
    }
}

/// ```text
/// primary  alice  since 2026-11-23 09:00 CET, until 2026-11-30 09:00 CET
///          next: bob, 2026-11-30 09:00 CET → 2026-12-07 09:00 CET
/// ```
pub fn text(rotations: &[RotationNow<'_>], zone: Tz) -> String {
    let width = rotations
        .iter()
        .map(|r| r.id.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for r in rotations {
        let id = one_line(r.id, 60);
        let pad = " ".repeat(width.saturating_sub(id.chars().count()));
        let flag = |s: &Shift| if s.is_override { " (override)" } else { "" };
        match &r.now {
            Some(s) => {
                let _ = writeln!(
                    out,
                    "{id}{pad}  {}{} on call since {}, until {}",
                    one_line(&s.who, 60),
                    flag(s),
                    when::show(s.from, zone),
                    when::show(s.to, zone)
                );
            }
            None => {
                let _ = writeln!(
                    out,
                    "{id}{pad}  nobody on call (the rotation has not started)"
                );
            }
        }
        if let Some(s) = &r.next {
            let _ = writeln!(
                out,
                "{}  next: {}{}, {} → {}",
                " ".repeat(width),
                one_line(&s.who, 60),
                flag(s),
                when::show(s.from, zone),
                when::show(s.to, zone)
            );
        }
    }
    out
}

/// What a calendar is made of.
pub struct Calendar<'a> {
    pub rotation: &'a str,
    /// The organisation's name (inc.yaml `name`), in the calendar's name
    /// and the events' UID domain.
    pub name: Option<&'a str>,
    /// When the file is made (DTSTAMP).
    pub now: DateTime<Utc>,
    pub shifts: &'a [Shift],
}

/// The calendar as RFC 5545 text: CRLF line ends, lines folded at 75
/// octets, text escaped. Each shift is one event whose UID is made of the
/// rotation and the shift's start, so it stays the same from one export to
/// the next while the schedule does.
pub fn ical(c: &Calendar<'_>) -> String {
    let mut lines: Vec<String> = Vec::new();
    let domain = match c.name {
        Some(name) => format!("{}.inc", uid_part(name)),
        None => "inc".to_owned(),
    };
    let calname = match c.name {
        Some(name) => format!("{name}: on call, {}", c.rotation),
        None => format!("On call: {}", c.rotation),
    };
    lines.push("BEGIN:VCALENDAR".into());
    lines.push("VERSION:2.0".into());
    lines.push("PRODID:-//inc//on-call calendar//EN".into());
    lines.push("CALSCALE:GREGORIAN".into());
    lines.push("METHOD:PUBLISH".into());
    lines.push(format!("X-WR-CALNAME:{}", escape(&calname)));
    for s in c.shifts {
        let summary = if s.is_override {
            format!("On call: {} ({}, override)", s.who, c.rotation)
        } else {
            format!("On call: {} ({})", s.who, c.rotation)
        };
        lines.push("BEGIN:VEVENT".into());
        lines.push(format!(
            "UID:{}-{}@{domain}",
            uid_part(c.rotation),
            stamp(s.from)
        ));
        lines.push(format!("DTSTAMP:{}", stamp(c.now)));
        lines.push(format!("DTSTART:{}", stamp(s.from)));
        lines.push(format!("DTEND:{}", stamp(s.to)));
        lines.push(format!("SUMMARY:{}", escape(&summary)));
        lines.push(format!(
            "DESCRIPTION:{}",
            escape(&format!(
                "{} is on call for rotation {}{}.",
                s.who,
                c.rotation,
                if s.is_override { " (an override)" } else { "" }
            ))
        ));
        lines.push("TRANSP:TRANSPARENT".into());
        lines.push("END:VEVENT".into());
    }
    lines.push("END:VCALENDAR".into());
    let mut out = String::new();
    for line in &lines {
        out.push_str(&fold(line));
    }
    out
}

/// `20261127T120000Z`: a UTC DATE-TIME.
fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// TEXT escaping (RFC 5545 3.3.11): backslash, `;`, `,` and newlines;
/// other control characters are dropped.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Letters, digits, `-`, `_` and `.`; anything else becomes `-`.
fn uid_part(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// A content line folded at 75 octets (never inside a UTF-8 character),
/// continuation lines starting with a space, each ending in CRLF.
fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut used = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if used + len > 75 {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += len;
    }
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn lines_fold_at_75_octets_between_characters() {
        let line = format!("SUMMARY:{}", "é".repeat(60));
        let folded = fold(&line);
        for l in folded.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(l.len() <= 75, "{} octets: {l}", l.len());
        }
        let unfolded = folded.trim_end_matches("\r\n").replace("\r\n ", "");
        assert_eq!(unfolded, line);
        assert_eq!(fold("SHORT"), "SHORT\r\n");
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
        assert_eq!(uid_part("on call/β"), "on-call--");
    }

    #[test]
    fn a_calendar_has_one_event_per_shift() {
        let t = |d| Utc.with_ymd_and_hms(2026, 12, d, 8, 0, 0).unwrap();
        let shifts = [Shift {
            who: "dave, the \"backup\"".into(),
            from: t(1),
            to: t(8),
            is_override: true,
        }];
        let text = ical(&Calendar {
            rotation: "primary",
            name: None,
            now: t(1),
            shifts: &shifts,
        });
        assert!(text.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(text.ends_with("END:VCALENDAR\r\n"));
        assert!(text.contains("UID:primary-20261201T080000Z@inc\r\n"));
        assert!(text.contains("SUMMARY:On call: dave\\, the \"backup\" (primary\\, override)\r\n"));
        assert!(!text.replace("\r\n", "").contains('\n'), "CRLF only");
    }
}
