//! The journal (`.git/inc-journal`): the record of a change in progress,
//! written before the first file changes and removed after HEAD moves, so
//! that the next inc command can finish a change a killed inc began.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::store::git::Git;
use crate::store::{Store, write_file_atomic};

/// The record of a change in progress (`.git/inc-journal`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Journal {
    pub(super) message: String,
    pub(super) author: String,
    pub(super) at: DateTime<Utc>,
    /// HEAD when the commit was made; `None` on an unborn branch.
    pub(super) parent: Option<String>,
    /// The commit to move HEAD to; `None` when nothing is committed.
    pub(super) commit: Option<String>,
    pub(super) new_dir: Option<String>,
    pub(super) files: Vec<JournalFile>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct JournalFile {
    pub(super) path: String,
    /// The work tree copy's blob ID before; `None` when there was none.
    pub(super) before: Option<String>,
    /// Its blob ID after.
    pub(super) after: String,
    /// How to get from `before` to `after`.
    pub(super) write: Write_,
    /// The blob committed; `None` when nothing is committed.
    pub(super) committed: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(super) enum Write_ {
    Whole(String),
    Append(String),
}

impl Store {
    /// Where the journal of a change in progress is kept.
    pub(super) fn journal_path(&self, git: Option<&Git>) -> PathBuf {
        match git {
            Some(git) => git.git_dir().join("inc-journal"),
            None => self.root.join(".inc").join("journal"),
        }
    }
}

/// (path, committed blob) of each file of a journal with a commit.
pub(super) fn committed_files(journal: &Journal) -> Vec<(PathBuf, String)> {
    journal
        .files
        .iter()
        .map(|f| {
            (
                PathBuf::from(&f.path),
                f.committed.clone().unwrap_or_else(|| f.after.clone()),
            )
        })
        .collect()
}

/// Writes the journal through a temp file and a rename, flushed: it is
/// there whole or not at all.
pub(super) fn write_journal(path: &Path, journal: &Journal) -> Result<()> {
    if let Some(dir) = path.parent() {
        sweep_stale_temps(dir, SystemTime::now());
    }
    write_file_atomic(path, &serde_json::to_vec(journal)?)?;
    if let Some(dir) = path.parent()
        && let Ok(dir) = fs::File::open(dir)
    {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// How old a temp file (`.inc-*`) beside the journal must be before a
/// writer removes it. No inc keeps one for more than a moment; a trust
/// record or a site's scan key is written there without the write lock,
/// so an age, not the lock, tells a killed inc's temp from a live one.
const STALE_TEMP: Duration = Duration::from_secs(600);

/// Removes the temp files a killed inc left beside the journal (the
/// journal's own, if it was killed while writing it, is never found by
/// recovery: there is no journal to say so). Returns what it removed.
pub(super) fn sweep_stale_temps(dir: &Path, now: SystemTime) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        if !entry.file_name().to_string_lossy().starts_with(".inc-") {
            continue;
        }
        let Ok(meta) = entry.metadata() else {
            continue;
        };
        let old = meta
            .modified()
            .ok()
            .and_then(|at| now.duration_since(at).ok())
            .is_some_and(|age| age > STALE_TEMP);
        if meta.is_file() && old && fs::remove_file(entry.path()).is_ok() {
            removed.push(entry.path());
        }
    }
    removed
}

pub(super) fn remove_journal(path: &Path) -> Result<()> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e).with_context(|| format!("can't remove {}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_old_temp_files_beside_the_journal_are_swept() {
        let dir = tempfile::tempdir().unwrap();
        let path = |name: &str| dir.path().join(name);
        for name in [".inc-a1b2c3", "inc-journal", "inc-hooks-trusted", "index"] {
            fs::write(path(name), "x").unwrap();
        }
        fs::create_dir(path(".inc-new-folder")).unwrap();
        let now = SystemTime::now();
        assert_eq!(
            sweep_stale_temps(dir.path(), now),
            Vec::<PathBuf>::new(),
            "a temp file being written now is left alone"
        );
        let later = now + STALE_TEMP + Duration::from_secs(5);
        assert_eq!(sweep_stale_temps(dir.path(), later), [path(".inc-a1b2c3")]);
        let mut left: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                ".inc-new-folder",
                "inc-hooks-trusted",
                "inc-journal",
                "index"
            ]
        );
    }
}
