//! Times: parsing what users type, and showing times, ages and durations.
//!
//! Everything takes `now` and the display zone as arguments; nothing here
//! reads the clock.

use chrono::{DateTime, Datelike, Duration, SecondsFormat, TimeZone, Utc};
use chrono_tz::Tz;

/// Parses a time given on the command line: RFC 3339, `HH:MM` (today in
/// `zone`), `YYYY-MM-DD HH:MM`, or relative forms (`15m ago`, `2h ago`,
/// `yesterday 14:05`). Times more than a minute ahead of `now` are refused:
/// a timeline records what has happened.
pub fn parse(input: &str, now: DateTime<Utc>, zone: Tz) -> Result<DateTime<Utc>, String> {
    let at = parse_any(input, now, zone)?;
    if at > now + Duration::minutes(1) {
        return Err(format!(
            "`{input}` is in the future ({}); times here record what has happened",
            show(at, zone)
        ));
    }
    Ok(at)
}

/// Like [`parse`], but allows future times (maintenance windows, due dates).
pub fn parse_any(input: &str, now: DateTime<Utc>, zone: Tz) -> Result<DateTime<Utc>, String> {
    let s = input.trim();
    let at = match DateTime::parse_from_rfc3339(s) {
        Ok(t) => t.with_timezone(&Utc).trunc_subsecs_to_secs(),
        Err(_) => {
            let unreadable = || {
                format!(
                    "can't read the time `{input}`; use RFC 3339 (2026-11-27T14:05:00Z), \
                     `HH:MM`, `YYYY-MM-DD HH:MM` or a relative time like `15m ago`"
                )
            };
            // interim 0.2 panics on a word after an hour (`9AM`, `D0A`)
            // unless it is lowercase and under 16 letters; it knows no word
            // that long, and reads words without regard to case.
            let s = s.to_ascii_lowercase();
            if s.split(|c: char| !c.is_ascii_alphabetic())
                .any(|word| word.len() >= 16)
            {
                return Err(unreadable());
            }
            interim::parse_date_string(&s, now.with_timezone(&zone), interim::Dialect::Uk)
                .map(|t| t.with_timezone(&Utc).trunc_subsecs_to_secs())
                .map_err(|_| unreadable())?
        }
    };
    if !storable(at) {
        return Err(format!(
            "`{input}` is {} in UTC; inc stores times of the years 0000 to 9999",
            stored(at)
        ));
    }
    Ok(at)
}

/// Whether `at` has a stored form that reads back: RFC 3339 has four-digit
/// years only, so a time whose UTC year is outside 0000–9999 (an offset can
/// push `9999-12-31T23:59:59-23:59` there) would be written as a line no
/// reader accepts.
pub fn storable(at: DateTime<Utc>) -> bool {
    (0..=9999).contains(&at.year())
}

trait TruncSecs {
    fn trunc_subsecs_to_secs(self) -> Self;
}

impl TruncSecs for DateTime<Utc> {
    fn trunc_subsecs_to_secs(self) -> Self {
        Utc.timestamp_opt(self.timestamp(), 0)
            .single()
            .unwrap_or(self)
    }
}

/// The stored form: RFC 3339 UTC, second precision.
pub fn stored(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// `2026-11-27 20:45 CET`: a time in the display zone, with the zone named.
pub fn show(at: DateTime<Utc>, zone: Tz) -> String {
    at.with_timezone(&zone)
        .format("%Y-%m-%d %H:%M %Z")
        .to_string()
}

/// `20:45`: the clock time in the display zone, for tables within a day.
pub fn clock(at: DateTime<Utc>, zone: Tz) -> String {
    at.with_timezone(&zone).format("%H:%M").to_string()
}

/// A compact duration: `45s`, `12m`, `1h 05m`, `3d 4h`.
pub fn duration(d: Duration) -> String {
    let secs = d.num_seconds().max(0);
    let (days, hours, mins) = (secs / 86_400, secs % 86_400 / 3600, secs % 3600 / 60);
    if days > 0 {
        format!("{days}d {hours}h")
    } else if hours > 0 {
        format!("{hours}h {mins:02}m")
    } else if mins > 0 {
        format!("{mins}m")
    } else {
        format!("{secs}s")
    }
}

/// `12m ago`, or `just now`.
pub fn ago(at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let d = now - at;
    if d.num_seconds() < 30 {
        "just now".to_owned()
    } else {
        format!("{} ago", duration(d))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 27, 19, 0, 0).unwrap()
    }

    const BERLIN: Tz = chrono_tz::Europe::Berlin;

    #[test]
    fn parses_every_documented_form() {
        let p = |s| parse(s, now(), BERLIN).unwrap();
        assert_eq!(p("2026-11-27T18:05:00Z"), now() - Duration::minutes(55));
        assert_eq!(
            p("2026-11-27T19:05:00+01:00"),
            now() - Duration::minutes(55)
        );
        // 19:05 Berlin is 18:05 UTC.
        assert_eq!(p("19:05"), now() - Duration::minutes(55));
        assert_eq!(p("2026-11-27 19:05"), now() - Duration::minutes(55));
        assert_eq!(p("15m ago"), now() - Duration::minutes(15));
        assert_eq!(p("2h ago"), now() - Duration::hours(2));
    }

    #[test]
    fn refuses_garbage_and_future() {
        let err = parse("soonish", now(), BERLIN).unwrap_err();
        assert!(err.contains("can't read the time `soonish`"), "{err}");
        let err = parse("2030-01-01T00:00:00Z", now(), BERLIN).unwrap_err();
        assert!(err.contains("in the future"), "{err}");
        assert!(parse_any("2030-01-01T00:00:00Z", now(), BERLIN).is_ok());
    }

    /// Found by the `when` fuzz target: this parsed as year 10000 in UTC,
    /// whose stored form (`+10000-01-01T23:58:59Z`) no reader accepts.
    #[test]
    fn fuzz_times_beyond_year_9999_in_utc_are_refused() {
        for input in ["9999-12-31T23:59:59-23:59", "0000-01-01T00:00:00+00:01"] {
            let err = parse_any(input, now(), BERLIN).unwrap_err();
            assert!(err.contains("years 0000 to 9999"), "{err}");
        }
        let last = parse_any("9999-12-31T23:59:59Z", now(), BERLIN).unwrap();
        assert_eq!(parse_any(&stored(last), now(), BERLIN), Ok(last));
    }

    /// Found by the `times_never_panic` proptest (shrunk to `D0A`): interim
    /// asserts that a word after an hour is lowercase and short.
    #[test]
    fn fuzz_a_word_after_an_hour_is_read_or_refused_without_a_panic() {
        assert_eq!(parse("9AM", now(), Tz::UTC), parse("9am", now(), Tz::UTC));
        assert!(parse("9am", now(), Tz::UTC).is_ok());
        assert_eq!(
            parse_any("9Pm", now(), Tz::UTC),
            Ok(Utc.with_ymd_and_hms(2026, 11, 27, 21, 0, 0).unwrap())
        );
        for input in ["D0A", "9abcdefghijklmnopq", "9 ABCDEFGHIJKLMNOPQ"] {
            let err = parse(input, now(), BERLIN).unwrap_err();
            assert!(err.contains("can't read the time"), "{input}: {err}");
        }
    }

    #[test]
    fn shows_zone_and_durations() {
        assert_eq!(show(now(), BERLIN), "2026-11-27 20:00 CET");
        assert_eq!(show(now(), Tz::UTC), "2026-11-27 19:00 UTC");
        assert_eq!(duration(Duration::seconds(45)), "45s");
        assert_eq!(duration(Duration::minutes(12)), "12m");
        assert_eq!(duration(Duration::minutes(65)), "1h 05m");
        assert_eq!(duration(Duration::hours(76)), "3d 4h");
        assert_eq!(ago(now() - Duration::minutes(12), now()), "12m ago");
        assert_eq!(ago(now(), now()), "just now");
    }
}
