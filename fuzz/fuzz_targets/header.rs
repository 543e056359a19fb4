//! The `incident.yaml` loader: `store::parse_header` (what
//! `Store::load_header` does with the text it read).
//!
//! Asserts: a header that loads is written back (`Header::to_yaml`, as every
//! rewrite does) as text that loads to the same header, unknown keys
//! included; an error names the header file.
#![no_main]

use std::path::Path;

use inc::store::parse_header;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let rel = Path::new("incidents/2026/2026-11-27-a/incident.yaml");
    match parse_header(rel, text) {
        Ok(header) => {
            let yaml = header.to_yaml().expect("a header always writes");
            let back = parse_header(rel, &yaml)
                .unwrap_or_else(|e| panic!("the rewritten header does not load: {e}\n{yaml}"));
            assert_eq!(
                back, header,
                "the rewritten header loads differently:\n{yaml}"
            );
        }
        Err(e) => {
            assert_eq!(e.path, rel);
            assert!(!e.message.is_empty());
        }
    }
});
