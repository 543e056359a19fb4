//! The record of which hooks a clone trusts, kept where no push can change
//! it: `inc-hooks-trusted` in git's common directory (`.git/`, shared by
//! the clone's worktrees), or `.inc/hooks-trusted` beside an incident
//! repository that is not in git. Also the scripts a hook names, read to
//! take their digests.

use std::fs;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

use anyhow::{Context, Result};

use crate::store::git::Git;

/// The file name under git's common directory.
pub const GIT_FILE: &str = "inc-hooks-trusted";

/// What the first line of a trust file says.
const HEADER: &str = "# The hooks of inc.yaml that this clone trusts (`inc hooks trust`); \
                      inc runs them only while inc.yaml's hooks and the scripts they name match.";

/// Where the trust record of the repository at `root` lives.
pub fn path(git: Option<&Git>, root: &Path) -> PathBuf {
    match git {
        Some(git) => git.common_dir().join(GIT_FILE),
        None => root.join(".inc").join("hooks-trusted"),
    }
}

/// A trust record as written: the digest and the text it is the digest of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub digest: String,
    pub text: String,
}

/// Reads the record at `path`; `None` when there is none (or it is not one
/// inc wrote, which trusts nothing either).
pub fn read(path: &Path) -> Option<Record> {
    let raw = fs::read_to_string(path).ok()?;
    let rest = raw.strip_prefix(HEADER)?.strip_prefix('\n')?;
    let (digest, text) = rest.split_once('\n')?;
    Some(Record {
        digest: digest.to_owned(),
        text: text.to_owned(),
    })
}

/// Writes `record` to `path` atomically.
pub fn write(path: &Path, record: &Record) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).with_context(|| format!("can't create {}", dir.display()))?;
    let mut tmp = super::temp_file_in(dir)?;
    write!(tmp, "{HEADER}\n{}\n{}", record.digest, record.text)
        .and_then(|()| tmp.as_file().sync_all())
        .with_context(|| format!("can't write {}", path.display()))?;
    tmp.persist(path)
        .with_context(|| format!("can't write {}", path.display()))?;
    Ok(())
}

/// Forgets the record at `path` (there is nothing left to trust).
pub fn remove(path: &Path) -> Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(e).with_context(|| format!("can't remove {}", path.display()))
        }
        _ => Ok(()),
    }
}

/// The bytes of `rel`, a file in the repository at `root` that a hook's
/// command names; `None` when `rel` is not a path inside the repository or
/// names no file there.
pub fn read_named(root: &Path, rel: &str) -> Option<Vec<u8>> {
    let path = Path::new(rel);
    let inside = path
        .components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    if !inside || rel.is_empty() {
        return None;
    }
    let full = root.join(path);
    if !full.is_file() {
        return None;
    }
    fs::read(full).ok()
}
