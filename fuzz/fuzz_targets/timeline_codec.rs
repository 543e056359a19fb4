//! The timeline line codec: `Event::from_line`, `Event::to_line` and
//! `parse_timeline`.
//!
//! Asserts: a line that parses re-encodes to one line (no line break) that
//! parses to the same event, and re-encoding that event gives the same line;
//! `parse_timeline` returns events sorted by time, each of which round-trips
//! the same way, and never more events than lines.
#![no_main]

use inc::model::event::Event;
use inc::store::parse_timeline;
use libfuzzer_sys::fuzz_target;

fn round_trips(event: &Event) {
    let line = event.to_line();
    assert!(
        !line.contains(['\n', '\r']),
        "an encoded event spans lines: {line:?}"
    );
    let back = Event::from_line(&line)
        .unwrap_or_else(|e| panic!("{line:?} was written but does not parse: {e}"))
        .unwrap_or_else(|| panic!("{line:?} was written but reads as a blank line"));
    assert_eq!(&back, event, "{line:?} reads back as another event");
    assert_eq!(back.to_line(), line, "re-encoding is not stable");
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for line in text.lines() {
        if let Ok(Some(event)) = Event::from_line(line) {
            round_trips(&event);
        }
    }
    if let Ok(events) = parse_timeline(text) {
        assert!(events.len() <= text.lines().count());
        assert!(
            events.windows(2).all(|w| w[0].at <= w[1].at),
            "parse_timeline did not sort"
        );
        for event in &events {
            round_trips(event);
        }
    }
});
