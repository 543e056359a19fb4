//! The time parser: `when::parse` and `when::parse_any`, given a `now` and
//! a display zone picked by the first bytes.
//!
//! Asserts: a parsed time is whole seconds; `parse` never returns a time
//! more than a minute after `now`, and it agrees with `parse_any` whenever
//! it accepts; the stored form (`when::stored`) of a parsed time reads back
//! as the same time, as the timeline needs.
#![no_main]

use chrono::{DateTime, Duration, TimeZone, Utc};
use chrono_tz::Tz;
use inc::model::when;
use libfuzzer_sys::fuzz_target;

const ZONES: [Tz; 6] = [
    Tz::UTC,
    chrono_tz::Europe::Berlin,
    chrono_tz::America::New_York,
    chrono_tz::Asia::Kolkata,
    chrono_tz::Pacific::Chatham,
    chrono_tz::Australia::Lord_Howe,
];

fn stored_reads_back(t: DateTime<Utc>, now: DateTime<Utc>, zone: Tz) {
    let s = when::stored(t);
    let back = when::parse_any(&s, now, zone)
        .unwrap_or_else(|e| panic!("stored form {s:?} does not read back: {e}"));
    assert_eq!(back, t, "{s:?}");
}

fuzz_target!(|data: &[u8]| {
    let [zone, shift, rest @ ..] = data else {
        return;
    };
    let Ok(input) = std::str::from_utf8(rest) else {
        return;
    };
    let zone = ZONES[usize::from(*zone) % ZONES.len()];
    // Around a DST change in Europe and the US, and on New Year's Eve.
    let now = Utc.with_ymd_and_hms(2026, 3, 29, 0, 30, 0).unwrap()
        + Duration::hours(i64::from(*shift) * 37);
    if let Ok(t) = when::parse_any(input, now, zone) {
        assert_eq!(t.timestamp_subsec_nanos(), 0, "{input:?} → {t}");
        stored_reads_back(t, now, zone);
        let _ = when::show(t, zone);
        let _ = when::ago(t, now);
    }
    if let Ok(t) = when::parse(input, now, zone) {
        assert!(
            t <= now + Duration::minutes(1),
            "{input:?} → {t} is in the future"
        );
        assert_eq!(Ok(t), when::parse_any(input, now, zone));
    }
});
