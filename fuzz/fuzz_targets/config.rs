//! The `inc.yaml` loader: `Config::parse`.
//!
//! Asserts: no panic; every error names the file (`inc.yaml…`), as the
//! contract says ("errors name file:line:key"); a config that loads has a
//! `commander` role and at least one severity, and each severity's ID, typed
//! back, resolves to that severity (what `validate` promises the rest of inc).
#![no_main]

use std::path::Path;

use inc::config::Config;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Config::parse(text, Path::new("inc.yaml")) {
        Ok(config) => {
            assert!(!config.severities.is_empty());
            assert!(config.roles.iter().any(|r| r == "commander"));
            for s in &config.severities {
                // What a user types back resolves to the severity listed.
                assert_eq!(config.parse_severity(&s.id).ok().as_ref(), Some(&s.id));
            }
        }
        Err(e) => {
            let message = format!("{e:#}");
            assert!(message.starts_with("inc.yaml"), "{message}");
        }
    }
});
