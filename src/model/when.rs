//! Times: parsing what users type, and showing times, ages and durations.
//!
//! Everything takes `now` and the display zone as arguments; nothing here
//! reads the clock.

use chrono::{DateTime, Duration, SecondsFormat, TimeZone, Utc};
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
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc).trunc_subsecs_to_secs());
    }
    interim::parse_date_string(s, now.with_timezone(&zone), interim::Dialect::Uk)
        .map(|t| t.with_timezone(&Utc).trunc_subsecs_to_secs())
        .map_err(|_| {
            format!(
                "can't read the time `{input}`; use RFC 3339 (2026-11-27T14:05:00Z), \
                 `HH:MM`, `YYYY-MM-DD HH:MM` or a relative time like `15m ago`"
            )
        })
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

/// Parses a duration as inc.yaml writes them: `90s`, `30m`, `12h`, `1d`,
/// `1w`, or a sum such as `1h30m`; `0` is zero. The error is the input in
/// a sentence; callers say which key it was.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let bad = || format!("`{s}` is not a duration like `30m`, `12h`, `1d` or `1w`");
    let t = s.trim();
    if t == "0" {
        return Ok(Duration::zero());
    }
    let mut total = Duration::zero();
    let mut digits = String::new();
    for c in t.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let n: i64 = digits.parse().map_err(|_| bad())?;
        digits.clear();
        let part = match c {
            's' => Duration::try_seconds(n),
            'm' => Duration::try_minutes(n),
            'h' => Duration::try_hours(n),
            'd' => Duration::try_days(n),
            'w' => Duration::try_weeks(n),
            _ => None,
        }
        .ok_or_else(bad)?;
        total = total.checked_add(&part).ok_or_else(bad)?;
    }
    if !digits.is_empty() || t.is_empty() {
        return Err(bad());
    }
    Ok(total)
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

    #[test]
    fn durations_parse_in_every_unit() {
        let d = |s| parse_duration(s).unwrap();
        assert_eq!(d("90s"), Duration::seconds(90));
        assert_eq!(d("1h30m"), Duration::minutes(90));
        assert_eq!(d("12h"), Duration::hours(12));
        assert_eq!(d("1d"), Duration::days(1));
        assert_eq!(d("1w"), Duration::weeks(1));
        assert_eq!(d("0"), Duration::zero());
        for bad in ["", "1.5h", "h", "10", "1y", "99999999999999999w"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
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
