//! The copy of the file the editor edits, in `.git/` (else `.inc/`), and
//! the copies earlier edits left there.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};

use super::Kind;
use crate::app::App;

/// The random part of a copy's name: its length, so that `left_over`
/// tells `inc-edit-<ID>-Ab3xYz…` from a copy of `<ID>-more`.
const RANDOM_CHARS: usize = 6;

/// The copy the editor edits.
pub(super) struct Copy {
    file: Option<tempfile::NamedTempFile>,
    path: PathBuf,
}

impl Copy {
    fn dir(app: &App) -> PathBuf {
        match app.git() {
            Some(git) => git.git_dir().to_path_buf(),
            None => app.store.root().join(".inc"),
        }
    }

    /// `inc-edit-<ID>-` and the suffix of `kind`'s copies.
    fn name_parts(id: &str, kind: Kind) -> (String, &'static str) {
        let suffix = match kind {
            Kind::Header => ".incident.yaml",
            Kind::Postmortem => ".postmortem.md",
        };
        (format!("inc-edit-{id}-"), suffix)
    }

    /// The copies of this file that earlier edits left, oldest first.
    pub(super) fn left_over(app: &App, id: &str, kind: Kind) -> Vec<PathBuf> {
        let (prefix, suffix) = Self::name_parts(id, kind);
        let Ok(entries) = fs::read_dir(Self::dir(app)) else {
            return Vec::new();
        };
        let mut found: Vec<(std::time::SystemTime, PathBuf)> = entries
            .flatten()
            .filter(|e| {
                let name = e.file_name();
                let name = name.to_string_lossy();
                name.strip_prefix(&prefix)
                    .and_then(|rest| rest.strip_suffix(suffix))
                    .is_some_and(|random| {
                        random.len() == RANDOM_CHARS
                            && random.chars().all(|c| c.is_ascii_alphanumeric())
                    })
            })
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .map(|e| {
                let modified = e.metadata().and_then(|m| m.modified());
                (modified.unwrap_or(std::time::UNIX_EPOCH), e.path())
            })
            .collect();
        found.sort();
        found.into_iter().map(|(_, path)| path).collect()
    }

    pub(super) fn new(app: &App, id: &str, kind: Kind) -> Result<Copy> {
        let dir = Self::dir(app);
        fs::create_dir_all(&dir).with_context(|| format!("can't create {}", dir.display()))?;
        let (prefix, suffix) = Self::name_parts(id, kind);
        let file = tempfile::Builder::new()
            .prefix(&prefix)
            .rand_bytes(RANDOM_CHARS)
            .suffix(suffix)
            .tempfile_in(&dir)
            .with_context(|| format!("can't write in {}", dir.display()))?;
        let path = file.path().to_path_buf();
        Ok(Copy {
            file: Some(file),
            path,
        })
    }

    pub(super) fn path(&self) -> &Path {
        &self.path
    }

    /// Writes `text` at the copy's path (an editor may have replaced the
    /// file there with its own).
    pub(super) fn write(&self, text: &str) -> Result<()> {
        fs::write(&self.path, text).with_context(|| format!("can't write {}", self.path.display()))
    }

    /// What the editor saved; `None` when it is not UTF-8.
    pub(super) fn read(&self) -> Result<Option<String>> {
        let bytes =
            fs::read(&self.path).with_context(|| format!("can't read {}", self.path.display()))?;
        Ok(String::from_utf8(bytes).ok())
    }

    /// Keeps the copy; returns where it is.
    pub(super) fn keep(mut self) -> PathBuf {
        if let Some(file) = self.file.take() {
            let _ = file.keep();
        }
        self.path.clone()
    }

    pub(super) fn remove(mut self) {
        if let Some(file) = self.file.take() {
            let _ = file.close();
        }
        // An editor that saved by renaming a new file over the copy left
        // that file here; the temp file's own removal covers the rest.
        let _ = fs::remove_file(&self.path);
    }
}
