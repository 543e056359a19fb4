//! Git, through libgit2: the only module that names `git2` (this file and
//! its two parts, `sync` for what `inc sync` reads and rewrites, `suspects`
//! for the history walk of `inc suspects`).
//!
//! A commit is built from HEAD's tree plus the blobs of the files a command
//! changed, and only those index entries are updated. The user's other staged
//! and unstaged work is never looked at, so it stays exactly as it was, and a
//! large repository costs no index refresh.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

pub use super::index::Stat;
use super::index::{self, Update};
use chrono::{DateTime, Utc};
use git2::{
    ErrorCode, FileMode, Index, IndexEntry, IndexTime, Oid, Repository, RepositoryState, Signature,
    Time,
};

use crate::error::user_error_with_hint;

mod suspects;
mod sync;

pub use suspects::{Walked, suspects_in};
pub use sync::Renamed;

#[cfg(test)]
thread_local! {
    /// How many times this thread staged through the fast path.
    static FAST_STAGES: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// A git repository holding an incident repository (maybe in a subfolder).
pub struct Git {
    repo: Repository,
    /// The incident root relative to the work tree ("" when they coincide).
    prefix: PathBuf,
    /// The incident root on disk.
    root: PathBuf,
    /// Stage through [`index::patched`] where it applies (inc.yaml's
    /// `git.index_fast_path`, default on); else always through libgit2.
    index_fast_path: bool,
}

impl Git {
    /// Opens the git repository around `root`, if there is one with a work tree.
    pub fn open(root: &Path) -> Option<Git> {
        let repo = Repository::discover(root).ok()?;
        let workdir = repo.workdir()?.canonicalize().ok()?;
        let root = root.canonicalize().ok()?;
        let prefix = root.strip_prefix(&workdir).ok()?.to_path_buf();
        Some(Git {
            repo,
            prefix,
            root,
            index_fast_path: true,
        })
    }

    /// Whether staging may patch the index in place ([`index::patched`])
    /// instead of having libgit2 rewrite it: inc.yaml's
    /// `git.index_fast_path`.
    pub fn with_index_fast_path(mut self, on: bool) -> Git {
        self.index_fast_path = on;
        self
    }

    /// Creates a repository at `dir` (for `inc init` outside any repository).
    pub fn init(dir: &Path) -> Result<Git> {
        Repository::init(dir)
            .with_context(|| format!("can't create a git repository in {}", dir.display()))?;
        Git::open(dir).context("the new git repository can't be opened")
    }

    /// Refuses to write while git is in the middle of something, so inc never
    /// commits on top of a half-done merge, rebase or cherry-pick.
    pub fn ensure_idle(&self, patience: &Patience) -> Result<()> {
        let index_lock = self.repo.path().join("index.lock");
        patience.wait_while_exists(&index_lock, std::time::Instant::now())?;
        let (what, cont, abort) = match self.repo.state() {
            RepositoryState::Clean => return Ok(()),
            RepositoryState::Merge => ("a merge", "git merge --continue", "git merge --abort"),
            RepositoryState::Rebase
            | RepositoryState::RebaseInteractive
            | RepositoryState::RebaseMerge
            | RepositoryState::ApplyMailbox
            | RepositoryState::ApplyMailboxOrRebase => {
                ("a rebase", "git rebase --continue", "git rebase --abort")
            }
            RepositoryState::CherryPick | RepositoryState::CherryPickSequence => (
                "a cherry-pick",
                "git cherry-pick --continue",
                "git cherry-pick --abort",
            ),
            RepositoryState::Revert | RepositoryState::RevertSequence => {
                ("a revert", "git revert --continue", "git revert --abort")
            }
            RepositoryState::Bisect => ("a bisect", "git bisect reset", "git bisect reset"),
        };
        Err(user_error_with_hint(
            format!(
                "{what} is in progress in {}; inc changed nothing",
                self.repo
                    .workdir()
                    .unwrap_or(self.repo.path())
                    .components()
                    .as_path()
                    .display()
            ),
            format!("finish it (`{cont}`) or abort it (`{abort}`), then run inc again"),
        ))
    }

    /// Where inc processes on this clone take turns.
    pub fn lock_path(&self) -> PathBuf {
        self.repo.path().join("inc.lock")
    }

    /// git's `user.name`, `user.email`.
    pub fn user(&self) -> (Option<String>, Option<String>) {
        let Ok(config) = self.repo.config() else {
            return (None, None);
        };
        (
            config.get_string("user.name").ok(),
            config.get_string("user.email").ok(),
        )
    }

    /// The commit HEAD points at; `None` on an unborn branch.
    pub fn head_commit(&self) -> Result<Option<String>> {
        match self.repo.head() {
            Ok(head) => Ok(Some(
                head.peel_to_commit()
                    .context("HEAD does not point at a commit")?
                    .id()
                    .to_string(),
            )),
            Err(e) if matches!(e.code(), ErrorCode::UnbornBranch | ErrorCode::NotFound) => Ok(None),
            Err(e) => Err(e).context("can't read HEAD"),
        }
    }

    /// The blob `rel` (relative to the incident root) has in `commit`.
    pub fn blob_at(&self, commit: &str, rel: &Path) -> Result<Option<String>> {
        let commit = self.repo.find_commit(Oid::from_str(commit)?)?;
        let tree = commit.tree()?;
        match tree.get_path(&self.prefix.join(rel)) {
            Ok(entry) if entry.kind() == Some(git2::ObjectType::Blob) => {
                Ok(Some(entry.id().to_string()))
            }
            Ok(_) => Ok(None),
            Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e).with_context(|| format!("can't read {} at HEAD", rel.display())),
        }
    }

    /// A blob's bytes.
    pub fn read_blob(&self, oid: &str) -> Result<Vec<u8>> {
        Ok(self.repo.find_blob(Oid::from_str(oid)?)?.content().to_vec())
    }

    /// Stores `bytes` as a blob; returns its ID.
    pub fn write_blob(&self, bytes: &[u8]) -> Result<String> {
        Ok(self
            .repo
            .blob(bytes)
            .context("can't store a file in git")?
            .to_string())
    }

    /// Makes (but puts on no branch) the commit of `parent`'s tree with
    /// `files` (relative to the incident root) set to the given blobs.
    /// `None` when the tree would not change.
    pub fn make_commit(
        &self,
        parent: Option<&str>,
        files: &[(PathBuf, String)],
        message: &str,
        author: &str,
        at: DateTime<Utc>,
    ) -> Result<Option<String>> {
        let repo = &self.repo;
        let parent = parent
            .map(|p| repo.find_commit(Oid::from_str(p)?))
            .transpose()
            .context("can't read HEAD's commit")?;
        let base = match &parent {
            Some(commit) => commit.tree()?,
            None => repo.find_tree(repo.treebuilder(None)?.write()?)?,
        };
        let mut update = git2::build::TreeUpdateBuilder::new();
        for (rel, oid) in files {
            update.upsert(
                git_path(&self.prefix.join(rel)),
                Oid::from_str(oid)?,
                FileMode::Blob,
            );
        }
        let tree_id = update.create_updated(repo, &base)?;
        if parent.is_some() && tree_id == base.id() {
            return Ok(None);
        }
        let tree = repo.find_tree(tree_id)?;
        let (author_sig, committer) = self.signatures(author, at)?;
        let parents: Vec<&git2::Commit> = parent.iter().collect();
        let oid = repo
            .commit(None, &author_sig, &committer, message, &tree, &parents)
            .context("can't commit")?;
        Ok(Some(oid.to_string()))
    }

    /// Whether `commit` holds every one of `files` at the given blob.
    pub fn holds(&self, commit: &str, files: &[(PathBuf, String)]) -> bool {
        files.iter().all(|(rel, oid)| {
            self.blob_at(commit, rel)
                .is_ok_and(|found| found.as_deref() == Some(oid.as_str()))
        })
    }

    /// Where inc builds a new index before it becomes git's `index.lock`.
    fn new_index_path(&self) -> PathBuf {
        self.repo.path().join("inc-index.new")
    }

    /// Puts `files` in git's index at the given blobs: (path relative to the
    /// incident root, blob, the work tree file's stat when it holds exactly
    /// that blob). A file whose work tree copy differs (a person's edit that
    /// inc left uncommitted) gets no stat data, so git looks at its content
    /// and shows the edit as a change.
    ///
    /// The new index is written whole to `.git/inc-index.new`, then
    /// hard-linked to `index.lock`: the lock appears with its full content
    /// or not at all, and a lock left by a killed inc is told from git's
    /// own by being the same file as `inc-index.new`. Once the lock is
    /// ours, the index is checked to be the one the new one was made
    /// from (else a `git add` in between would be lost, and we start over),
    /// then the lock is renamed over it, as git does.
    pub fn stage(
        &self,
        files: &[(PathBuf, String, Option<Stat>)],
        removed: &[PathBuf],
        patience: &Patience,
    ) -> Result<()> {
        let removed: Vec<String> = removed
            .iter()
            .map(|rel| git_path(&self.prefix.join(rel)))
            .collect();
        let index_path = self.repo.path().join("index");
        let lock_path = self.repo.path().join("index.lock");
        let new_path = self.new_index_path();
        let updates: Vec<Update> = files
            .iter()
            .map(|(rel, oid, stat)| {
                let mut id = [0; 20];
                id.copy_from_slice(Oid::from_str(oid)?.as_bytes());
                Ok(Update {
                    path: git_path(&self.prefix.join(rel)),
                    oid: id,
                    stat: stat.unwrap_or_else(Stat::unknown),
                })
            })
            .collect::<Result<_>>()?;
        let started = std::time::Instant::now();
        loop {
            let current = match fs::read(&index_path) {
                Ok(bytes) => Some(bytes),
                Err(e) if e.kind() == io::ErrorKind::NotFound => None,
                Err(e) => return Err(e).context("can't read the git index"),
            };
            let _ = fs::remove_file(&new_path);
            match current
                .as_deref()
                .filter(|_| removed.is_empty() && self.index_fast_path)
                .and_then(|bytes| index::patched(bytes, &updates))
            {
                Some(bytes) => {
                    #[cfg(test)]
                    FAST_STAGES.with(|n| n.set(n.get() + 1));
                    write_synced(&new_path, &bytes)?;
                }
                None => self.stage_slow(current.as_deref(), &new_path, &updates, &removed)?,
            }
            match fs::hard_link(&new_path, &lock_path) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    patience.wait_while_exists(&lock_path, started)?;
                    continue;
                }
                Err(e) => {
                    return Err(e).with_context(|| format!("can't lock {}", index_path.display()));
                }
            }
            // The lock is ours: was the index changed since we read it?
            let now = match fs::read(&index_path) {
                Ok(bytes) => Some(bytes),
                Err(e) if e.kind() == io::ErrorKind::NotFound => None,
                Err(e) => {
                    let _ = fs::remove_file(&lock_path);
                    return Err(e).context("can't read the git index");
                }
            };
            if now != current {
                fs::remove_file(&lock_path).context("can't remove index.lock")?;
                continue;
            }
            super::crash_point("index-lock");
            fs::rename(&lock_path, &index_path).context("can't write the git index")?;
            let _ = fs::remove_file(&new_path);
            return Ok(());
        }
    }

    /// The index at `new` made by libgit2 from a copy of `current`, or
    /// where libgit2 can't read the index (a split or sparse index), by
    /// git itself (`git update-index --index-info` on the copy).
    fn stage_slow(
        &self,
        current: Option<&[u8]>,
        new: &Path,
        updates: &[Update],
        removed: &[String],
    ) -> Result<()> {
        if let Some(bytes) = current {
            write_synced(new, bytes)?;
        }
        let by_libgit2 = Index::open(new).and_then(|mut index| {
            for u in updates {
                index.add(&IndexEntry {
                    ctime: IndexTime::new(u.stat.ctime.0 as i32, u.stat.ctime.1),
                    mtime: IndexTime::new(u.stat.mtime.0 as i32, u.stat.mtime.1),
                    dev: u.stat.dev,
                    ino: u.stat.ino,
                    mode: u.stat.mode,
                    uid: u.stat.uid,
                    gid: u.stat.gid,
                    file_size: u.stat.size,
                    id: Oid::from_bytes(&u.oid)?,
                    flags: u.path.len().min(0xfff) as u16,
                    flags_extended: 0,
                    path: u.path.as_bytes().to_vec(),
                })?;
            }
            for path in removed {
                if index.get_path(Path::new(path), 0).is_some() {
                    index.remove_path(Path::new(path))?;
                }
            }
            index.write()
        });
        let Err(e) = by_libgit2 else {
            return Ok(());
        };
        // git's own update-index knows every index format.
        let mut input = String::new();
        for u in updates {
            input.push_str(&format!(
                "100644 {}\t{}\n",
                Oid::from_bytes(&u.oid)?,
                u.path
            ));
        }
        if let Some(bytes) = current {
            write_synced(new, bytes)?;
        }
        let out = super::gitcli::GitCli::new(self.workdir())
            .env("GIT_INDEX_FILE", new.to_string_lossy().into_owned())
            .run_with_input(&["update-index", "--add", "--index-info"], &input)
            .with_context(|| format!("can't update the git index ({e})"))?;
        if !out.success {
            bail!(
                "can't update the git index: {} (libgit2: {e})",
                out.stderr.trim()
            );
        }
        Ok(())
    }

    /// Moves HEAD's branch (or a detached HEAD) from `from` to `to`, as
    /// `git commit` does, with a reflog entry. `Raced` when HEAD is no
    /// longer at `from` (someone committed meanwhile).
    pub fn move_head(
        &self,
        from: Option<&str>,
        to: &str,
        message: &str,
        patience: &Patience,
    ) -> Result<Moved> {
        let repo = &self.repo;
        let name = match repo.find_reference("HEAD") {
            Ok(head) => match head.symbolic_target() {
                Ok(Some(target)) => target.to_owned(),
                _ => "HEAD".to_owned(),
            },
            Err(e) => return Err(e).context("can't read HEAD"),
        };
        let subject = message.lines().next().unwrap_or_default();
        let log = match from {
            Some(_) => format!("commit: {subject}"),
            None => format!("commit (initial): {subject}"),
        };
        let to = Oid::from_str(to)?;
        let started = std::time::Instant::now();
        loop {
            if self.head_commit()?.as_deref() != from {
                return Ok(Moved::Raced);
            }
            let result = match from {
                Some(from) => repo
                    .reference_matching(&name, to, true, Oid::from_str(from)?, &log)
                    .map(drop),
                None => repo.reference(&name, to, false, &log).map(drop),
            };
            match result {
                Ok(()) => return Ok(Moved::Done),
                Err(e) if e.code() == ErrorCode::Locked => {
                    patience.wait_while_exists(&self.ref_lock_path(&name), started)?;
                }
                Err(e) if matches!(e.code(), ErrorCode::Modified | ErrorCode::Exists) => {
                    return Ok(Moved::Raced);
                }
                Err(e) => return Err(e).context("can't move HEAD to the new commit"),
            }
        }
    }

    fn ref_lock_path(&self, name: &str) -> PathBuf {
        self.repo.path().join(format!("{name}.lock"))
    }

    /// Removes what a killed inc left in `.git`: its half-built index,
    /// `index.lock` when that is the same file (inc's link, not git's
    /// lock), and, when `commit` is the commit it was making, the branch's
    /// `.lock` when it holds that commit or nothing (libgit2 writes the
    /// new ID there before the rename). Returns what it removed.
    pub fn clear_stale(&self, commit: Option<&str>) -> Vec<PathBuf> {
        let mut removed = Vec::new();
        let new_path = self.new_index_path();
        let lock_path = self.repo.path().join("index.lock");
        if let Ok(new) = fs::symlink_metadata(&new_path) {
            if fs::symlink_metadata(&lock_path).is_ok_and(|lock| same_file(&lock, &new))
                && fs::remove_file(&lock_path).is_ok()
            {
                removed.push(lock_path);
            }
            let _ = fs::remove_file(&new_path);
        }
        if let Some(commit) = commit {
            let name = self
                .repo
                .find_reference("HEAD")
                .ok()
                .and_then(|h| h.symbolic_target().ok().flatten().map(str::to_owned))
                .unwrap_or_else(|| "HEAD".to_owned());
            let lock = self.ref_lock_path(&name);
            if let Ok(text) = fs::read_to_string(&lock) {
                let text = text.trim();
                if (text.is_empty() || commit.starts_with(text)) && fs::remove_file(&lock).is_ok() {
                    removed.push(lock);
                }
            }
        }
        removed
    }

    /// The `.git` folder (of this work tree).
    pub fn git_dir(&self) -> &Path {
        self.repo.path()
    }

    /// The directory a clone's worktrees share (`.git/` of the main one).
    pub fn common_dir(&self) -> &Path {
        self.repo.commondir()
    }

    /// The author (whoever inc acts for) and the committer (this clone's git
    /// user, else the author). The author's email is known only when they are
    /// this clone's git user; git needs one, so others get an address that is
    /// clearly not deliverable.
    fn signatures(
        &self,
        author: &str,
        at: DateTime<Utc>,
    ) -> Result<(Signature<'static>, Signature<'static>)> {
        let (name, email) = self.user();
        let time = Time::new(at.timestamp(), 0);
        let author_email = match (&name, &email) {
            (Some(name), Some(email)) if name == author => email.clone(),
            _ => format!("{}@inc.invalid", crate::model::id::slugify(author)),
        };
        let author_sig = Signature::new(author, &author_email, &time)
            .with_context(|| format!("`{author}` can't be a git author"))?;
        let committer = match (name, email) {
            (Some(name), Some(email)) if !name.trim().is_empty() && !email.trim().is_empty() => {
                Signature::new(&name, &email, &time).unwrap_or_else(|_| author_sig.clone())
            }
            _ => author_sig.clone(),
        };
        Ok((author_sig, committer))
    }
}

/// Whether HEAD moved where it was asked to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moved {
    Done,
    /// HEAD was no longer where the commit was made on.
    Raced,
}

/// How long to wait for a lock git holds, and what to say while waiting.
pub struct Patience<'a> {
    pub timeout: std::time::Duration,
    /// Told once, after a second of waiting.
    pub on_wait: &'a dyn Fn(&Path),
}

impl Patience<'_> {
    /// Waits while `lock` exists: another git command holds it. Tells the
    /// user after a second; gives up `timeout` after `since`.
    pub fn wait_while_exists(&self, lock: &Path, since: std::time::Instant) -> Result<()> {
        let step = std::time::Duration::from_millis(25);
        let mut told = since.elapsed() >= std::time::Duration::from_secs(1);
        while fs::symlink_metadata(lock).is_ok() {
            if since.elapsed() >= self.timeout {
                return Err(user_error_with_hint(
                    format!(
                        "git's lock {} has been held for {}s: another git command is running, \
                         or one was killed; inc changed nothing",
                        lock.display(),
                        self.timeout.as_secs()
                    ),
                    "wait for it to finish and run inc again; if no git command is \
                     running, remove that file",
                ));
            }
            if !told && since.elapsed() >= std::time::Duration::from_secs(1) {
                (self.on_wait)(lock);
                told = true;
            }
            std::thread::sleep(step);
        }
        Ok(())
    }
}

/// Writes `bytes` to `path` (replacing it) and flushes them to disk.
fn write_synced(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut file =
        fs::File::create(path).with_context(|| format!("can't write {}", path.display()))?;
    io::Write::write_all(&mut file, bytes)?;
    file.sync_data()?;
    Ok(())
}

/// Whether two `lstat`s are of one file.
fn same_file(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        a.dev() == b.dev() && a.ino() == b.ino()
    }
    #[cfg(not(unix))]
    {
        a.len() == b.len() && a.modified().ok() == b.modified().ok()
    }
}

/// A path as git spells it: `/`-separated.
fn git_path(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests;
