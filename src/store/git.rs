//! Git, through libgit2: the only file that names `git2`.
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
        bail!(
            "{what} is in progress in {}; inc changed nothing\n\
             hint: finish it (`{cont}`) or abort it (`{abort}`), then run inc again",
            self.repo
                .workdir()
                .unwrap_or(self.repo.path())
                .components()
                .as_path()
                .display()
        )
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
                bail!(
                    "git's lock {} has been held for {}s: another git command is running, \
                     or one was killed; inc changed nothing\n\
                     hint: wait for it to finish and run inc again; if no git command is \
                     running, remove that file",
                    lock.display(),
                    self.timeout.as_secs()
                );
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

/// An incident folder of local unpushed commits that sync moved to a free
/// ID because upstream added a different incident under the same ID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Renamed {
    pub from: String,
    pub to: String,
}

/// Reading refs and history for `inc sync`, and renaming colliding IDs.
impl Git {
    /// The top of the work tree (where `git -C` should run).
    pub fn workdir(&self) -> &Path {
        self.repo.workdir().unwrap_or(self.repo.path())
    }

    /// `rel` (relative to the incident repository) as git names it from
    /// the top of the work tree.
    pub fn worktree_path(&self, rel: &Path) -> String {
        git_path(&self.prefix.join(rel))
    }

    /// The branch HEAD is on; `None` when detached or unreadable.
    pub fn current_branch(&self) -> Option<String> {
        let head = self.repo.find_reference("HEAD").ok()?;
        let target = head.symbolic_target().ok()??;
        target.strip_prefix("refs/heads/").map(str::to_owned)
    }

    /// A branch's upstream as configured: (remote, branch on the remote).
    pub fn upstream_of(&self, branch: &str) -> (Option<String>, Option<String>) {
        let Ok(config) = self.repo.config() else {
            return (None, None);
        };
        let remote = config
            .get_string(&format!("branch.{branch}.remote"))
            .ok()
            .filter(|r| !r.is_empty() && r != ".");
        let merge = config
            .get_string(&format!("branch.{branch}.merge"))
            .ok()
            .and_then(|m| m.strip_prefix("refs/heads/").map(str::to_owned));
        (remote, merge)
    }

    /// Whether a remote of that name is configured.
    pub fn has_remote(&self, name: &str) -> bool {
        self.repo.find_remote(name).is_ok()
    }

    /// HEAD's commit, `None` on an unborn branch.
    pub fn head_oid(&self) -> Option<String> {
        Some(
            self.repo
                .head()
                .ok()?
                .peel_to_commit()
                .ok()?
                .id()
                .to_string(),
        )
    }

    /// The commit a ref points at.
    pub fn ref_oid(&self, name: &str) -> Option<String> {
        Some(
            self.repo
                .find_reference(name)
                .ok()?
                .peel_to_commit()
                .ok()?
                .id()
                .to_string(),
        )
    }

    /// Whether `ancestor` is `descendant` or one of its ancestors.
    pub fn is_ancestor(&self, ancestor: &str, descendant: &str) -> Result<bool> {
        let (a, d) = (Oid::from_str(ancestor)?, Oid::from_str(descendant)?);
        Ok(a == d || self.repo.graph_descendant_of(d, a)?)
    }

    /// How many commits `to` has that `from` has not (`git rev-list --count from..to`).
    pub fn count_between(&self, from: Option<&str>, to: &str) -> Result<usize> {
        let mut walk = self.repo.revwalk()?;
        walk.push(Oid::from_str(to)?)?;
        if let Some(from) = from {
            walk.hide(Oid::from_str(from)?)?;
        }
        Ok(walk.count())
    }

    /// Before local commits are rebased onto `upstream`: finds incident
    /// folders that both the local unpushed commits and upstream added since
    /// they diverged, holding different incidents (their `incident.yaml`
    /// differ), and moves the local one to the next ID free on both sides
    /// (`-2`, `-3` …). The local commits are rewritten (trees, and the
    /// `inc(<id>)` subject and `Inc-Id:` trailer of messages), the branch is
    /// moved to them, and the folder and its index entries are moved in the
    /// work tree. Identical additions are left to the rebase, which drops
    /// them as already upstream.
    pub fn rename_collisions(&self, upstream: &str) -> Result<Vec<Renamed>> {
        let repo = &self.repo;
        let head = repo.head().context("can't read HEAD")?;
        let head_commit = head.peel_to_commit().context("HEAD is not a commit")?;
        let up = repo.find_commit(Oid::from_str(upstream)?)?;
        let base = repo.merge_base(head_commit.id(), up.id()).ok();
        let incidents = git_path(&self.prefix.join(super::INCIDENTS_DIR));
        let ours = incident_dirs(repo, &head_commit.tree()?, &incidents)?;
        let theirs = incident_dirs(repo, &up.tree()?, &incidents)?;
        let before = match base {
            Some(base) => incident_dirs(repo, &repo.find_commit(base)?.tree()?, &incidents)?,
            None => Default::default(),
        };
        let mut renames: Vec<(String, Renamed)> = Vec::new();
        for (id, (year, header)) in &ours {
            let Some((_, their_header)) = theirs.get(id) else {
                continue;
            };
            if before.contains_key(id) || header == their_header {
                continue;
            }
            let taken = |candidate: &str| {
                ours.contains_key(candidate)
                    || theirs.contains_key(candidate)
                    || renames.iter().any(|(_, r)| r.to == candidate)
                    || self.root.join(super::Store::dir_of(candidate)).exists()
            };
            let to = next_free(id, &taken);
            renames.push((
                year.clone(),
                Renamed {
                    from: id.clone(),
                    to,
                },
            ));
        }
        if renames.is_empty() {
            return Ok(Vec::new());
        }

        // Rewrite base..HEAD, oldest first.
        let mut walk = repo.revwalk()?;
        walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::REVERSE)?;
        walk.push(head_commit.id())?;
        if let Some(base) = base {
            walk.hide(base)?;
        }
        let mut rewritten: std::collections::HashMap<Oid, Oid> = Default::default();
        for oid in walk {
            let commit = repo.find_commit(oid?)?;
            if commit.parent_count() > 1 {
                bail!(
                    "the local commits include a merge ({}), which inc sync does not rewrite; \
                     incident {} was also opened upstream\n\
                     hint: rebase your local commits by hand (`git rebase {upstream}`) and rename \
                     the incident folder, then run inc sync again",
                    &commit.id().to_string()[..8],
                    renames[0].1.from
                );
            }
            let mut update = git2::build::TreeUpdateBuilder::new();
            let tree = commit.tree()?;
            let mut changed = false;
            for (year, r) in &renames {
                let from = format!("{incidents}/{year}/{}", r.from);
                if let Ok(entry) = tree.get_path(Path::new(&from)) {
                    update.remove(&from);
                    update.upsert(
                        format!("{incidents}/{}/{}", crate::model::id::year(&r.to), r.to),
                        entry.id(),
                        FileMode::Tree,
                    );
                    changed = true;
                }
            }
            let new_tree = if changed {
                repo.find_tree(update.create_updated(repo, &tree)?)?
            } else {
                tree
            };
            let parents: Vec<git2::Commit> = commit
                .parent_ids()
                .map(|p| repo.find_commit(*rewritten.get(&p).unwrap_or(&p)))
                .collect::<Result<_, _>>()?;
            let parent_refs: Vec<&git2::Commit> = parents.iter().collect();
            let message = renames.iter().fold(
                String::from_utf8_lossy(commit.message_bytes()).into_owned(),
                |m, (_, r)| rename_in_message(&m, &r.from, &r.to),
            );
            let new = repo.commit(
                None,
                &commit.author(),
                &commit.committer(),
                &message,
                &new_tree,
                &parent_refs,
            )?;
            rewritten.insert(commit.id(), new);
        }
        let tip = *rewritten
            .get(&head_commit.id())
            .context("HEAD was not among the rewritten commits")?;
        let names: Vec<String> = renames
            .iter()
            .map(|(_, r)| format!("{} -> {}", r.from, r.to))
            .collect();
        let log = format!("inc sync: renamed {}", names.join(", "));
        match head.name() {
            Ok(name) if head.is_branch() => {
                repo.reference_matching(name, tip, true, head_commit.id(), &log)
                    .context("can't move the branch to the renamed commits")?;
            }
            _ => repo.set_head_detached(tip)?,
        }

        // The commits are in place; now the index and the work tree.
        let mut index = repo.index().context("can't read the git index")?;
        for (year, r) in &renames {
            let from = format!("{incidents}/{year}/{}/", r.from);
            let to = format!("{incidents}/{}/{}/", crate::model::id::year(&r.to), r.to);
            let moved: Vec<IndexEntry> = index
                .iter()
                .filter(|e| e.path.starts_with(from.as_bytes()))
                .collect();
            for mut entry in moved {
                index.remove_path(Path::new(
                    &String::from_utf8_lossy(&entry.path).into_owned(),
                ))?;
                let mut path = to.as_bytes().to_vec();
                path.extend_from_slice(&entry.path[from.len()..]);
                entry.flags = (entry.flags & !0xfff) | (path.len().min(0xfff) as u16);
                entry.path = path;
                index.add(&entry)?;
            }
            let old_dir = self.root.join(super::Store::dir_of(&r.from));
            let new_dir = self.root.join(super::Store::dir_of(&r.to));
            if old_dir.exists() {
                if let Some(parent) = new_dir.parent() {
                    fs::create_dir_all(parent)?;
                }
                fs::rename(&old_dir, &new_dir).with_context(|| {
                    format!(
                        "can't move {} to {} (the commits already say {})",
                        old_dir.display(),
                        new_dir.display(),
                        r.to
                    )
                })?;
            }
        }
        index
            .write()
            .context("can't write the git index after renaming")?;
        Ok(renames.into_iter().map(|(_, r)| r).collect())
    }
}

/// The incident folders of a tree: ID → (year, the `incident.yaml` blob).
fn incident_dirs(
    repo: &Repository,
    tree: &git2::Tree,
    incidents: &str,
) -> Result<std::collections::BTreeMap<String, (String, Option<Oid>)>> {
    let mut out = std::collections::BTreeMap::new();
    let Ok(entry) = tree.get_path(Path::new(incidents)) else {
        return Ok(out);
    };
    let Ok(years) = repo.find_tree(entry.id()) else {
        return Ok(out);
    };
    for year in years.iter() {
        let Ok(year_name) = year.name() else {
            continue;
        };
        let Ok(ids) = repo.find_tree(year.id()) else {
            continue;
        };
        for dir in ids.iter() {
            let Ok(id) = dir.name() else { continue };
            if !crate::model::id::is_id(id) {
                continue;
            }
            let header = repo
                .find_tree(dir.id())
                .ok()
                .and_then(|t| t.get_name(super::HEADER_FILE).map(|e| e.id()));
            out.insert(id.to_owned(), (year_name.to_owned(), header));
        }
    }
    Ok(out)
}

/// The first of `<id>-2`, `<id>-3` … not taken. A trailing number is never
/// read as an earlier collision suffix: `…-above-5` could be a title's
/// "above 5%", and renaming it to `…-above-6` would say something else.
fn next_free(id: &str, taken: &dyn Fn(&str) -> bool) -> String {
    (2u32..)
        .map(|n| format!("{id}-{n}"))
        .find(|candidate| !taken(candidate))
        .unwrap_or_else(|| format!("{id}-2"))
}

/// A commit message with incident `from` renamed to `to`: the
/// `inc(<id>):` subject and `Inc-Id:` trailers.
fn rename_in_message(message: &str, from: &str, to: &str) -> String {
    let mut out = String::with_capacity(message.len() + 8);
    for (i, line) in message.split_inclusive('\n').enumerate() {
        let (body, end) = match line.strip_suffix('\n') {
            Some(body) => (body, "\n"),
            None => (line, ""),
        };
        if i == 0 {
            out.push_str(&body.replacen(&format!("inc({from})"), &format!("inc({to})"), 1));
        } else if body.trim() == format!("Inc-Id: {from}") {
            out.push_str(&format!("Inc-Id: {to}"));
        } else {
            out.push_str(body);
        }
        out.push_str(end);
    }
    out
}

#[cfg(test)]
mod sync_tests {
    use super::*;

    #[test]
    fn next_free_counts_up_and_never_reads_a_title_number_as_a_suffix() {
        let taken = |id: &str| ["2026-11-27-db-2", "2026-11-27-db-3"].contains(&id);
        assert_eq!(next_free("2026-11-27-db", &taken), "2026-11-27-db-4");
        assert_eq!(next_free("2026-11-27-api", &|_| false), "2026-11-27-api-2");
        // "Error rate above 5%" stays about 5%.
        assert_eq!(
            next_free("2026-11-27-error-rate-above-5", &|_| false),
            "2026-11-27-error-rate-above-5-2"
        );
    }

    #[test]
    fn messages_follow_the_rename() {
        let m = "inc(2026-11-27-db): note\n\nInc-Id: 2026-11-27-db\nInc-Event: note\n";
        assert_eq!(
            rename_in_message(m, "2026-11-27-db", "2026-11-27-db-2"),
            "inc(2026-11-27-db-2): note\n\nInc-Id: 2026-11-27-db-2\nInc-Event: note\n"
        );
        let other = "inc(2026-11-27-dbx): note\n\nInc-Id: 2026-11-27-dbx\n";
        assert_eq!(
            rename_in_message(other, "2026-11-27-db", "2026-11-27-db-2"),
            "inc(2026-11-27-dbx): note\n\nInc-Id: 2026-11-27-dbx\n"
        );
    }
}

/// What a walk of one repository for `inc suspects` found.
#[derive(Debug, Default)]
pub struct Walked {
    /// In the window, in walk order (newest committer time first).
    pub commits: Vec<crate::model::suspects::Commit>,
    /// How many commits the walk read.
    pub read: usize,
    /// The walk gave up after [`crate::model::suspects::MAX_WALK`] commits.
    pub capped: bool,
}

impl Git {
    /// The commits of the incident repository's HEAD in `window`, leaving
    /// out inc's own (they are the incident record, not suspects).
    pub fn suspects(&self, name: &str, window: &crate::model::suspects::Window) -> Result<Walked> {
        let Some(head) = self.head_oid() else {
            return Ok(Walked::default());
        };
        walk_window(&self.repo, Oid::from_str(&head)?, name, window)
    }
}

/// The commits in `window` of the git repository at `path` (itself, not
/// one around it), walked from `rev` (HEAD when `None`). Reads only: no
/// fetch, no index, nothing written.
pub fn suspects_in(
    path: &Path,
    rev: Option<&str>,
    name: &str,
    window: &crate::model::suspects::Window,
) -> Result<Walked> {
    if !path.exists() {
        bail!("there is no such folder");
    }
    let repo = Repository::open_ext(
        path,
        git2::RepositoryOpenFlags::NO_SEARCH,
        std::iter::empty::<&std::ffi::OsStr>(),
    )
    .map_err(|e| match e.code() {
        ErrorCode::NotFound => anyhow::anyhow!("it is not a git repository"),
        _ => anyhow::anyhow!("it can't be opened as a git repository: {}", e.message()),
    })?;
    let start = match rev {
        Some(rev) => repo
            .revparse_single(rev)
            .and_then(|o| o.peel_to_commit())
            .map_err(|e| anyhow::anyhow!("`{rev}` names no commit there: {}", e.message()))?
            .id(),
        None => match repo.head() {
            Ok(head) => head.peel_to_commit().context("HEAD is not a commit")?.id(),
            Err(e) if matches!(e.code(), ErrorCode::UnbornBranch | ErrorCode::NotFound) => {
                return Ok(Walked::default());
            }
            Err(e) => bail!("can't read HEAD: {}", e.message()),
        },
    };
    walk_window(&repo, start, name, window)
}

/// Walks from `start` newest committer time first (every parent followed,
/// git's `--date-order` without the topology), keeping the commits in
/// `window` (but inc's own), until [`crate::model::suspects::Window::step`]
/// says stop. Every parent is followed, not only the first: a merge is
/// listed, and so are the commits it brought in when they were made in the
/// window.
fn walk_window(
    repo: &Repository,
    start: Oid,
    name: &str,
    window: &crate::model::suspects::Window,
) -> Result<Walked> {
    use crate::model::suspects::{Commit, Step};
    let lossy = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    let time_of = |c: &git2::Commit| {
        DateTime::from_timestamp(c.committer().when().seconds(), 0)
            .unwrap_or(DateTime::<Utc>::MIN_UTC)
    };
    // Not libgit2's revwalk: sorted by time, it reads the whole history
    // before giving the first commit. This queue reads a commit's parents
    // only once the commit is taken, so the walk costs what it shows.
    let mut queue = std::collections::BinaryHeap::new();
    let mut seen = std::collections::HashSet::new();
    let first = repo.find_commit(start)?;
    queue.push((time_of(&first), start));
    seen.insert(start);
    let mut found = Walked::default();
    while let Some((time, oid)) = queue.pop() {
        found.read += 1;
        let take = match window.step(time, found.read) {
            Step::Take => true,
            Step::Skip => false,
            Step::Stop => break,
            Step::Capped => {
                found.capped = true;
                break;
            }
        };
        let commit = repo.find_commit(oid)?;
        for parent in commit.parent_ids() {
            if !seen.insert(parent) {
                continue;
            }
            // A shallow clone's cut commits have no parents here: libgit2
            // reads `.git/shallow`.
            let p = repo.find_commit(parent)?;
            queue.push((time_of(&p), parent));
        }
        if !take {
            continue;
        }
        // inc's own commits are the record of incidents, in this or in
        // another incident repository, never their cause.
        if crate::model::suspects::is_inc_commit(&lossy(commit.message_bytes())) {
            continue;
        }
        let sha = commit.id().to_string();
        let short = commit
            .as_object()
            .short_id()
            .ok()
            .and_then(|b| b.as_str().ok().map(str::to_owned))
            .unwrap_or_else(|| sha[..7].to_owned());
        let author = commit.author();
        let email = lossy(author.email_bytes());
        found.commits.push(Commit {
            repo: name.to_owned(),
            sha,
            short,
            time,
            author: lossy(author.name_bytes()),
            email: (!email.trim().is_empty()).then_some(email),
            subject: commit.summary_bytes().map(lossy).unwrap_or_default(),
            merge: commit.parent_count() > 1,
        });
    }
    Ok(found)
}

#[cfg(test)]
mod stage_tests {
    use super::*;

    /// `git.index_fast_path: false` stages through libgit2 only; either
    /// way the file is staged.
    #[test]
    fn the_index_fast_path_switch_decides_who_writes_the_index() {
        for on in [true, false] {
            let dir = tempfile::tempdir().unwrap();
            let repo = Repository::init(dir.path()).unwrap();
            fs::write(dir.path().join("a.txt"), "a").unwrap();
            let mut index = repo.index().unwrap();
            index.add_path(Path::new("a.txt")).unwrap();
            index.write().unwrap();
            let git = Git::open(dir.path()).unwrap().with_index_fast_path(on);
            fs::write(dir.path().join("b.txt"), "b").unwrap();
            let oid = repo.blob(b"b").unwrap().to_string();
            let before = FAST_STAGES.with(std::cell::Cell::get);
            let patience = Patience {
                timeout: std::time::Duration::from_secs(1),
                on_wait: &|_| {},
            };
            git.stage(
                &[(PathBuf::from("b.txt"), oid.clone(), None)],
                &[],
                &patience,
            )
            .unwrap();
            let fast = FAST_STAGES.with(std::cell::Cell::get) - before;
            assert_eq!(fast, usize::from(on), "fast path on: {on}");
            let index = Repository::open(dir.path()).unwrap().index().unwrap();
            let entry = index.get_path(Path::new("b.txt"), 0).expect("staged");
            assert_eq!(entry.id.to_string(), oid);
            assert!(index.get_path(Path::new("a.txt"), 0).is_some());
        }
    }
}
