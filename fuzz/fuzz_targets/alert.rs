//! The alert payload parsers: `alert::parse` with the format chosen by the
//! first byte (auto, Alertmanager, Grafana, PagerDuty).
//!
//! Asserts: keys (the group key, every fingerprint) are non-empty and hold
//! no control characters or surrounding blanks, as alert/mod.rs promises;
//! payload times are whole seconds in the years a timeline can store; a batch always has a non-blank title;
//! a payload auto-detection accepts parses the same way under its source's
//! own format.
#![no_main]

use inc::alert::{Batch, Format, Source, parse};
use inc::model::when;
use libfuzzer_sys::fuzz_target;

fn clean(key: &str) -> bool {
    !key.is_empty() && !key.chars().any(char::is_control) && key.trim() == key
}

fn check(batch: &Batch) {
    assert!(clean(&batch.group), "group key {:?}", batch.group);
    assert!(!batch.alerts.is_empty());
    for a in &batch.alerts {
        assert!(clean(&a.fingerprint), "fingerprint {:?}", a.fingerprint);
        for t in [a.starts_at, a.ends_at].into_iter().flatten() {
            assert_eq!(t.timestamp_subsec_nanos(), 0, "{t}");
            // It becomes an event's `at` or a header's `started_at`.
            assert!(when::storable(t), "{t} has no stored form that reads back");
        }
        let _ = a.text();
    }
    assert!(!batch.title().trim().is_empty());
    let _ = batch.label("severity");
    let _ = batch.label_values("service");
    let _ = batch.started();
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let format = match first % 4 {
        0 => Format::Auto,
        1 => Format::Alertmanager,
        2 => Format::Grafana,
        _ => Format::Pagerduty,
    };
    if let Ok(batch) = parse(text, format) {
        check(&batch);
        if format == Format::Auto {
            let own = match batch.source {
                Source::Alertmanager => Format::Alertmanager,
                Source::Grafana => Format::Grafana,
                Source::Pagerduty => Format::Pagerduty,
            };
            assert_eq!(parse(text, own).as_ref(), Ok(&batch));
        }
    }
});
