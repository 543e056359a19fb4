//! The git index fast path: `store::index::patched` (what `Git::stage`
//! writes instead of libgit2 when it applies; inc.yaml's
//! `git.index_fast_path`).
//!
//! Input: a byte `n`, then `n % 4` updates (a length byte and that many
//! bytes of path each; the blob ID is the path's SHA-1), then an index
//! without its trailing checksum, which the target appends (the fuzzer
//! can't compute SHA-1, and an index with a wrong one is refused at once).
//!
//! Asserts: no panic; a patched index starts with `DIRC`, ends with its own
//! SHA-1, holds every updated path (written out whole, below version 4),
//! and patching it again with the same updates changes nothing.
#![no_main]

use inc::store::index::{Stat, Update, patched};
use libfuzzer_sys::fuzz_target;
use sha1::{Digest, Sha1};

fuzz_target!(|data: &[u8]| {
    let Some((&n, mut rest)) = data.split_first() else {
        return;
    };
    let mut updates = Vec::new();
    for _ in 0..n % 4 {
        let Some((&len, tail)) = rest.split_first() else {
            return;
        };
        let len = usize::from(len % 32).min(tail.len());
        let path = String::from_utf8_lossy(&tail[..len]).into_owned();
        rest = &tail[len..];
        let mut oid = [0; 20];
        oid.copy_from_slice(&Sha1::digest(path.as_bytes()));
        updates.push(Update {
            path,
            oid,
            stat: Stat::unknown(),
        });
    }
    let mut index = rest.to_vec();
    let checksum = Sha1::digest(&index);
    index.extend_from_slice(&checksum);
    let Some(out) = patched(&index, &updates) else {
        return;
    };
    assert!(out.starts_with(b"DIRC"));
    let body = out.len() - 20;
    assert_eq!(Sha1::digest(&out[..body]).as_slice(), &out[body..]);
    // Version 4 stores each path as a cut of the one before, so a path's
    // bytes need not appear whole.
    let v4 = out[4..8] == 4u32.to_be_bytes();
    for u in updates.iter().filter(|_| !v4) {
        assert!(
            out.windows(u.path.len().max(1)).any(|w| w == u.path.as_bytes()),
            "{} is in the patched index",
            u.path
        );
    }
    assert_eq!(patched(&out, &updates).as_deref(), Some(&out[..]), "idempotent");
});
