//! Finishing what a killed inc left: the change its journal records, its
//! temp files and half-built folders, and the locks it held.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::journal::{Journal, Write_, remove_journal};
use super::{appended, settle, write_tree};
use crate::error::user_error_with_hint;
use crate::model::Event;
use crate::store::git::{Git, Patience};
use crate::store::{Store, TIMELINE_FILE};

/// What [`recover`] found and finished.
#[derive(Debug, Clone, Default)]
pub struct Recovered {
    /// The subject of the change a killed inc was making, if there was one.
    pub finished: Option<String>,
    /// Files changed since, so left as they are.
    pub left: Vec<String>,
    /// The change could not be committed (HEAD moved and it was not an
    /// append): its files are written, not committed.
    pub uncommitted: bool,
    /// Locks and temp files removed.
    pub removed: Vec<PathBuf>,
    /// The events the finished change added, by incident: inc runs hooks
    /// after the commit, so the killed inc never ran theirs.
    pub events: Vec<(String, Vec<Event>)>,
}

/// Finishes what a killed inc left: the change its journal records (the
/// work tree files, the index, HEAD), its temp files and half-built
/// folders, its half-built index and the locks it held. Call it holding
/// the write lock, so that the inc that left them is gone.
pub fn recover(store: &Store, git: Option<&Git>, patience: &Patience) -> Result<Recovered> {
    let mut recovered = Recovered::default();
    let journal_path = store.journal_path(git);
    let journal = match fs::read(&journal_path) {
        Ok(bytes) => Some(serde_json::from_slice::<Journal>(&bytes).map_err(|e| {
            user_error_with_hint(
                format!(
                    "{} can't be read ({e}); a killed inc left it",
                    journal_path.display()
                ),
                "remove it and check `git status`",
            )
        })?),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(e).with_context(|| format!("can't read {}", journal_path.display())),
    };
    if let Some(git) = git {
        let commit = journal.as_ref().and_then(|j| j.commit.as_deref());
        recovered.removed.extend(git.clear_stale(commit));
    }
    let Some(mut journal) = journal else {
        return Ok(recovered);
    };
    recovered.removed.extend(remove_temps(store, &journal));
    recovered.left = write_tree(store, &journal)?;
    let done = match (git, &journal.commit) {
        (Some(git), Some(commit)) => git.head_commit()?.as_deref() == Some(commit.as_str()),
        _ => false,
    };
    if let (Some(git), Some(_)) = (git, &journal.commit)
        && (recovered.left.is_empty() || done)
    {
        match settle(store, git, &mut journal, &journal_path, None, patience) {
            Ok(()) => {}
            Err(e) if e.is::<HeadMoved>() => recovered.uncommitted = true,
            Err(e) => return Err(e),
        }
    } else if journal.commit.is_some() {
        recovered.uncommitted = true;
    }
    recovered.finished = Some(
        journal
            .message
            .lines()
            .next()
            .filter(|s| !s.is_empty())
            .unwrap_or("a change")
            .to_owned(),
    );
    if !recovered.uncommitted {
        recovered.events = added_events(&journal, &recovered.left);
    }
    remove_journal(&journal_path)?;
    Ok(recovered)
}

/// The events a journal's change adds to timelines (lines appended, or a
/// new incident's whole timeline), by incident; none from a file left as
/// it was because it changed since.
fn added_events(journal: &Journal, left: &[String]) -> Vec<(String, Vec<Event>)> {
    journal
        .files
        .iter()
        .filter(|f| !left.contains(&f.path))
        .filter_map(|f| {
            let path = Path::new(&f.path);
            if path.file_name()? != TIMELINE_FILE {
                return None;
            }
            let id = path.parent()?.file_name()?.to_str()?.to_owned();
            let text = match (&f.write, &f.before) {
                (Write_::Append(text), _) | (Write_::Whole(text), None) => text,
                // A timeline is only appended to; a rewrite adds nothing
                // that can be told apart.
                (Write_::Whole(_), Some(_)) => return None,
            };
            let events: Vec<Event> = text
                .lines()
                .filter_map(|line| Event::from_line(line).ok().flatten())
                .collect();
            (!events.is_empty()).then_some((id, events))
        })
        .collect()
}

/// Removes the temp files (`.inc-*`) and half-built folders (`.inc-new-*`)
/// a killed inc can have left beside the journal's files.
fn remove_temps(store: &Store, journal: &Journal) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = journal
        .files
        .iter()
        .filter_map(|f| Path::new(&f.path).parent().map(Path::to_path_buf))
        .collect();
    if let Some(parent) = journal.new_dir.as_ref().and_then(|d| Path::new(d).parent()) {
        dirs.push(parent.to_path_buf());
    }
    dirs.sort();
    dirs.dedup();
    let mut removed = Vec::new();
    for dir in dirs {
        let Ok(entries) = fs::read_dir(store.root.join(&dir)) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            if !name.to_string_lossy().starts_with(".inc-") {
                continue;
            }
            let path = entry.path();
            let gone = match entry.file_type() {
                Ok(t) if t.is_dir() => fs::remove_dir_all(&path),
                _ => fs::remove_file(&path),
            };
            if gone.is_ok() {
                removed.push(path);
            }
        }
    }
    removed
}

/// Recovery's remake of a commit on a HEAD that moved since (a person
/// committed after inc was killed): a file HEAD's move left alone gets the
/// blob the commit had; an append goes onto HEAD's version; anything else
/// can't be made again without undoing someone's work.
pub(super) fn remake(
    git: &Git,
    head: Option<&str>,
    journal: &Journal,
) -> Result<Option<(String, Vec<String>)>> {
    let mut files = Vec::new();
    for f in &journal.files {
        let rel = PathBuf::from(&f.path);
        let blob_in = |commit: Option<&str>| -> Result<Option<String>> {
            Ok(match commit {
                Some(commit) => git.blob_at(commit, &rel)?,
                None => None,
            })
        };
        let now = blob_in(head)?;
        let blob = if now == blob_in(journal.parent.as_deref())? {
            f.committed.clone().unwrap_or_else(|| f.after.clone())
        } else if let (Write_::Append(lines), Some(now)) = (&f.write, &now) {
            git.write_blob(&appended(&git.read_blob(now)?, lines.as_bytes()))?
        } else {
            return Err(HeadMoved.into());
        };
        files.push((rel, blob));
    }
    let blobs = files.iter().map(|(_, oid)| oid.clone()).collect();
    Ok(git
        .make_commit(head, &files, &journal.message, &journal.author, journal.at)?
        .map(|oid| (oid, blobs)))
}

/// HEAD moved since a killed inc made its commit, in a way its change
/// can't be made again on.
#[derive(Debug)]
struct HeadMoved;

impl std::fmt::Display for HeadMoved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HEAD moved since a killed inc made its commit")
    }
}

impl std::error::Error for HeadMoved {}
