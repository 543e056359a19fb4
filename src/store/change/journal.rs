//! The journal (`.git/inc-journal`): the record of a change in progress,
//! written before the first file changes and removed after HEAD moves, so
//! that the next inc command can finish a change a killed inc began.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

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
    write_file_atomic(path, &serde_json::to_vec(journal)?)?;
    if let Some(dir) = path.parent()
        && let Ok(dir) = fs::File::open(dir)
    {
        let _ = dir.sync_all();
    }
    Ok(())
}

pub(super) fn remove_journal(path: &Path) -> Result<()> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e).with_context(|| format!("can't remove {}", path.display())),
    }
}
