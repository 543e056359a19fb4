//! The manifest (`.inc-site`): what it records of inc's files and of a
//! build under way, its text, and its durable replacement; and the key
//! its scan digests are made with.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::fs;
use std::io::{self, Read, Write};
use std::path::Path;

use anyhow::{Context, Result};
use sha1::{Digest, Sha1};

use super::MANIFEST;
use super::files::temp_in;

/// The manifest's first line in each state.
pub(super) const COMPLETE: &str =
    "# inc-site 2 complete: SHA-1 of the path of each file inc wrote here";
pub(super) const BUILDING: &str = "# inc-site 2 building: a build began and has not finished";
/// The prefix of a line naming (by hash) a file that is not inc's.
const USER: &str = "user ";
/// The prefix of the line holding the scan digest (keyed: see
/// [`scan_key`]) the files passed under.
pub(super) const SCANNED: &str = "scanned ";

/// A file's relative path, hashed.
pub(super) type Hash = [u8; 20];

pub(super) fn hash(rel: &str) -> Hash {
    Sha1::digest(rel.as_bytes()).into()
}

pub(super) fn hex(hash: &Hash) -> String {
    let mut s = String::with_capacity(40);
    for b in hash {
        let _ = write!(s, "{b:02x}");
    }
    s
}

fn from_hex(s: &str) -> Option<Hash> {
    if s.len() != 40 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut out = [0u8; 20];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

/// This clone's key for the scan digests the manifests record
/// (`inc-site-key` in `dir`, `.git` or `.inc`; made on first use from the
/// system's random source). A digest of the private texts is keyed so that
/// the public manifest lets no one confirm a guess of them; a build by
/// another clone, with another key, scans every file.
pub fn scan_key(dir: &Path) -> Result<[u8; 32]> {
    let path = dir.join("inc-site-key");
    if let Ok(bytes) = fs::read(&path)
        && let Ok(key) = <[u8; 32]>::try_from(bytes.as_slice())
    {
        return Ok(key);
    }
    let mut key = [0u8; 32];
    let mut random = fs::File::open("/dev/urandom").context("can't read /dev/urandom")?;
    random
        .read_exact(&mut key)
        .context("can't read /dev/urandom")?;
    fs::create_dir_all(dir).with_context(|| format!("can't create {}", dir.display()))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".inc-site-key.")
        .tempfile_in(dir)
        .with_context(|| format!("can't write in {}", dir.display()))?;
    tmp.write_all(&key)?;
    tmp.persist(&path)
        .with_context(|| format!("can't write {}", path.display()))?;
    Ok(key)
}

/// The manifest as read.
#[derive(Debug, Default, Clone)]
pub(super) struct Manifest {
    /// Whether a build began and did not finish.
    pub(super) building: bool,
    /// inc's files.
    pub(super) owned: HashSet<Hash>,
    /// The other files in the folder when the unfinished build began.
    pub(super) user: HashSet<Hash>,
    /// The (keyed) scan digest every file of the last finished build
    /// passed under.
    pub(super) scanned: Option<Hash>,
}

impl Manifest {
    pub(super) fn parse(text: &str) -> Manifest {
        let mut m = Manifest::default();
        for line in text.lines() {
            if line == BUILDING {
                m.building = true;
            } else if line.is_empty() || line.starts_with('#') {
            } else if let Some(h) = line.strip_prefix(USER).and_then(from_hex) {
                m.user.insert(h);
            } else if let Some(h) = line.strip_prefix(SCANNED).and_then(from_hex) {
                m.scanned = Some(h);
            } else if let Some(h) = from_hex(line) {
                m.owned.insert(h);
            } else {
                // A path, as inc wrote the manifest before it hashed them.
                m.owned.insert(hash(line));
            }
        }
        m
    }

    /// The manifest's text: sorted, so the same site gives the same bytes.
    pub(super) fn text(&self) -> String {
        let mut owned: Vec<String> = self.owned.iter().map(hex).collect();
        owned.sort_unstable();
        let mut text = String::with_capacity(41 * (owned.len() + self.user.len() + 2));
        text.push_str(if self.building { BUILDING } else { COMPLETE });
        text.push('\n');
        if let Some(scanned) = self.scanned.filter(|_| !self.building) {
            text.push_str(SCANNED);
            text.push_str(&hex(&scanned));
            text.push('\n');
        }
        for h in owned {
            text.push_str(&h);
            text.push('\n');
        }
        if self.building {
            let mut user: Vec<String> = self.user.iter().map(hex).collect();
            user.sort_unstable();
            for h in user {
                text.push_str(USER);
                text.push_str(&h);
                text.push('\n');
            }
        }
        text
    }
}

/// Replaces the manifest durably: synced, renamed into place, the folder
/// synced. The only files a build syncs.
pub(super) fn write_manifest(dir: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut tmp = temp_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(dir.join(MANIFEST)).map_err(|e| e.error)?;
    #[cfg(unix)]
    fs::File::open(dir)?.sync_all()?;
    Ok(())
}
