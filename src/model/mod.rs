//! The pure core: no filesystem, no git, no clock, no stdout.
//!
//! Everything here takes what it needs (the current time, the display zone,
//! the configuration) as arguments, so it can be unit-tested on its own.

pub mod check;
pub mod event;
pub mod exec;
pub mod id;
pub mod incident;
pub mod merge;
pub mod metrics;
pub mod oncall;
pub mod phases;
pub mod postmortem;
pub mod state;
pub mod status;
pub mod suspects;
pub mod text;
pub mod typo;
pub mod when;

pub use event::{Event, EventKind};
pub use incident::Header;
pub use phases::{Phase, Phases};
pub use state::State;
pub use status::{Impact, Kind, Mode, Status};

/// Properties over arbitrary input: the parsers never panic, and every
/// title makes a safe ID.
#[cfg(test)]
mod properties {
    use chrono::{TimeZone, Utc};
    use proptest::prelude::*;

    use super::{Event, Header, id, when};

    proptest! {
        #[test]
        fn any_title_makes_a_safe_id(title in ".{0,400}") {
            let at = Utc.with_ymd_and_hms(2026, 11, 27, 12, 0, 0).unwrap();
            let made = id::new_id(at, &title, |_| false);
            prop_assert!(id::is_id(&made), "{made}");
            prop_assert!(made.len() <= 11 + id::MAX_SLUG);
            prop_assert!(!made.contains(".."));
        }

        #[test]
        fn event_lines_never_panic(line in ".{0,300}") {
            let _ = Event::from_line(&line);
        }

        #[test]
        fn json_shaped_lines_never_panic(
            at in ".{0,30}", by in ".{0,10}", kind in "[a-z_]{0,12}", text in ".{0,30}"
        ) {
            let line = format!(
                "- {}",
                serde_json::json!({"at": at, "by": by, "type": kind, "text": text, "id": 1})
            );
            let _ = Event::from_line(&line);
        }

        #[test]
        fn headers_never_panic(text in ".{0,300}") {
            let _ = Header::from_yaml(&text);
        }

        #[test]
        fn times_never_panic(input in ".{0,40}") {
            let now = Utc.with_ymd_and_hms(2026, 11, 27, 12, 0, 0).unwrap();
            let _ = when::parse(&input, now, chrono_tz::Europe::Berlin);
        }

        #[test]
        fn masking_never_panics_nor_leaves_a_hole(
            args in proptest::collection::vec(".{0,40}", 1..6), line in ".{0,200}"
        ) {
            let args: Vec<String> = args.into_iter().map(|a| a.replace('\0', "")).collect();
            let masked = super::exec::mask_command(&args);
            prop_assert!(!masked.line().contains('\0'));
            let out = super::exec::mask_line(&line.replace('\0', ""), &masked.secrets);
            prop_assert!(!out.contains('\0'));
        }

        #[test]
        fn the_tail_never_panics(chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..300), 0..20)) {
            let mut tail = super::exec::Tail::new(3);
            for (i, chunk) in chunks.iter().enumerate() {
                let stream = if i % 2 == 0 { super::exec::Stream::Out } else { super::exec::Stream::Err };
                tail.feed(stream, chunk);
            }
            let captured = tail.finish(&[], false);
            prop_assert!(captured.lines.len() <= 3);
            for line in &captured.lines {
                prop_assert!(!line.chars().any(|c| c.is_control() && c != '\t'));
            }
        }

        #[test]
        fn queries_never_panic(query in ".{0,40}") {
            let ids = vec!["2026-11-27-checkout-errors".to_owned(), "2026-11-28-db".to_owned()];
            let _ = id::find(&query, &ids);
        }
    }
}
