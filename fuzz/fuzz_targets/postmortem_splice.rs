//! The postmortem block splicer: `postmortem::blocks` and
//! `postmortem::refresh`. The input is the draft, a NUL byte, then the
//! freshly rendered template.
//!
//! Asserts: refreshing is idempotent (refreshing the refreshed draft from
//! the same template changes nothing and reports no change); the refreshed
//! draft has the same blocks, in the same order, and every byte outside
//! them is the draft's; a block of both has the template's contents (in
//! the draft block's line endings), any other block its own.
#![no_main]

use inc::render::postmortem::{Block, blocks, refresh};
use libfuzzer_sys::fuzz_target;

/// The text between (and around) the blocks.
fn outside<'a>(text: &'a str, found: &[Block]) -> Vec<&'a str> {
    let mut parts = Vec::new();
    let mut at = 0;
    for b in found {
        parts.push(&text[at..b.contents.start]);
        at = b.contents.end;
    }
    parts.push(&text[at..]);
    parts
}

fn names(found: &[Block]) -> Vec<&str> {
    found.iter().map(|b| b.name.as_str()).collect()
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (existing, fresh) = text.split_once('\0').unwrap_or((text, ""));
    let Ok(out) = refresh(existing, fresh) else {
        return;
    };
    let old = blocks(existing).expect("refresh accepted the draft");
    let new = blocks(fresh).expect("refresh accepted the template");
    let got = blocks(&out.text).expect("the refreshed draft's markers pair up");
    assert_eq!(names(&got), names(&old));
    assert_eq!(outside(&out.text, &got), outside(existing, &old));
    for b in &got {
        let contents = &out.text[b.contents.clone()];
        match new.iter().find(|n| n.name == b.name) {
            // The template's contents, in the draft block's line endings.
            Some(n) => {
                let lf = fresh[n.contents.clone()].replace("\r\n", "\n");
                let expected = if b.crlf { lf.replace('\n', "\r\n") } else { lf };
                assert_eq!(contents, expected);
            }
            None => {
                let o = old.iter().find(|o| o.name == b.name).unwrap();
                assert_eq!(contents, &existing[o.contents.clone()]);
            }
        }
    }
    let again = refresh(&out.text, fresh).expect("the refreshed draft refreshes");
    assert_eq!(again.text, out.text, "refresh is not idempotent");
    assert!(again.changed.is_empty(), "{:?}", again.changed);
    assert_eq!(again.missing, out.missing);
    assert_eq!(again.unknown, out.unknown);
});
