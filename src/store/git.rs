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

use super::index::{self, IndexLock, Stat, Update};
use chrono::{DateTime, Utc};
use git2::{
    ErrorCode, FileMode, Index, IndexEntry, IndexTime, Oid, Repository, RepositoryState, Signature,
    Time,
};

/// A git repository holding an incident repository (maybe in a subfolder).
pub struct Git {
    repo: Repository,
    /// The incident root relative to the work tree ("" when they coincide).
    prefix: PathBuf,
    /// The incident root on disk.
    root: PathBuf,
}

impl Git {
    /// Opens the git repository around `root`, if there is one with a work tree.
    pub fn open(root: &Path) -> Option<Git> {
        let repo = Repository::discover(root).ok()?;
        let workdir = repo.workdir()?.canonicalize().ok()?;
        let root = root.canonicalize().ok()?;
        let prefix = root.strip_prefix(&workdir).ok()?.to_path_buf();
        Some(Git { repo, prefix, root })
    }

    /// Creates a repository at `dir` (for `inc init` outside any repository).
    pub fn init(dir: &Path) -> Result<Git> {
        Repository::init(dir)
            .with_context(|| format!("can't create a git repository in {}", dir.display()))?;
        Git::open(dir).context("the new git repository can't be opened")
    }

    /// Refuses to write while git is in the middle of something, so inc never
    /// commits on top of a half-done merge, rebase or cherry-pick.
    pub fn ensure_idle(&self) -> Result<()> {
        let index_lock = self.repo.path().join("index.lock");
        if index_lock.exists() {
            bail!(
                "git's index is locked ({}): another git command is running, or one crashed; \
                 inc changed nothing\n\
                 hint: wait for it to finish; if no git command is running, remove that file",
                index_lock.display()
            );
        }
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

    /// Commits exactly `files` (paths relative to the incident root) as they
    /// are on disk now; a missing file is a deletion. Returns `None` when the
    /// files already match HEAD. An error means no commit was made.
    pub fn commit(
        &self,
        files: &[PathBuf],
        message: &str,
        author: &str,
        at: DateTime<Utc>,
    ) -> Result<Option<Committed>> {
        let repo = &self.repo;
        // git's protocol: index.lock is held from reading the index until the
        // new one is in place, so a concurrent `git add` is never lost.
        let index_path = repo.path().join("index");
        let lock = IndexLock::acquire(&index_path).map_err(|e| match e.kind() {
            io::ErrorKind::AlreadyExists => anyhow::anyhow!(
                "git's index is locked ({}.lock): another git command is running\n\
                 hint: wait for it to finish; if none is running, remove that file",
                index_path.display()
            ),
            _ => anyhow::Error::new(e).context("can't lock the git index"),
        })?;
        let parent = match repo.head() {
            Ok(head) => Some(
                head.peel_to_commit()
                    .context("HEAD does not point at a commit")?,
            ),
            Err(e) if matches!(e.code(), ErrorCode::UnbornBranch | ErrorCode::NotFound) => None,
            Err(e) => return Err(e).context("can't read HEAD"),
        };
        let base = match &parent {
            Some(commit) => commit.tree()?,
            None => repo.find_tree(repo.treebuilder(None)?.write()?)?,
        };
        let mut update = git2::build::TreeUpdateBuilder::new();
        let mut staged = Vec::with_capacity(files.len());
        for file in files {
            let path = git_path(&self.prefix.join(file));
            let on_disk = self.root.join(file);
            match fs::read(&on_disk) {
                Ok(bytes) => {
                    // inc writes plain LF text, which no filter changes.
                    let oid = repo
                        .blob(&bytes)
                        .with_context(|| format!("can't store {}", file.display()))?;
                    update.upsert(&path, oid, FileMode::Blob);
                    let stat = Stat::of(&fs::metadata(&on_disk)?);
                    let mut id = [0; 20];
                    id.copy_from_slice(oid.as_bytes());
                    staged.push(Staged::Present(Update {
                        path,
                        oid: id,
                        stat,
                    }));
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    update.remove(&path);
                    staged.push(Staged::Gone(path));
                }
                Err(e) => return Err(e).with_context(|| format!("can't read {}", file.display())),
            }
        }
        let tree_id = update.create_updated(repo, &base)?;
        if parent.is_some() && tree_id == base.id() {
            return Ok(None);
        }
        let tree = repo.find_tree(tree_id)?;
        let (author_sig, committer) = self.signatures(author, at)?;

        // The new index is prepared before the commit is made, so an
        // unreadable index stops us while nothing has happened yet.
        let updates: Option<Vec<Update>> = staged
            .iter()
            .map(|s| match s {
                Staged::Present(u) => Some(u.clone()),
                Staged::Gone(_) => None,
            })
            .collect();
        let fast = match (updates, lock.read().context("can't read the git index")?) {
            (Some(updates), Some(bytes)) => index::patched(&bytes, &updates),
            _ => None,
        };
        let slow = match fast {
            Some(_) => None,
            None => Some(Index::open(&index_path).context("can't read the git index")?),
        };

        let parents: Vec<&git2::Commit> = parent.iter().collect();
        let oid = repo
            .commit(
                Some("HEAD"),
                &author_sig,
                &committer,
                message,
                &tree,
                &parents,
            )
            .context("can't commit")?
            .to_string();

        // The commit is made; from here on a failure must not undo the files.
        let staged_result = match (fast, slow) {
            (Some(bytes), _) => lock.commit(&bytes).map_err(|e| e.to_string()),
            (None, Some(mut index)) => {
                // libgit2 takes the lock itself when it writes.
                drop(lock);
                stage(&mut index, &staged).map_err(|e| e.message().to_owned())
            }
            (None, None) => Ok(()),
        };
        let warning = staged_result.err().map(|e| {
            let paths: Vec<&str> = staged.iter().map(Staged::path).collect();
            format!(
                "committed, but the git index could not be updated ({e}); \
                 `git reset -q -- {}` brings it in line",
                paths.join(" ")
            )
        });
        Ok(Some(Committed { oid, warning }))
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

/// A file's new index entry, or its removal.
enum Staged {
    Present(Update),
    Gone(String),
}

impl Staged {
    fn path(&self) -> &str {
        match self {
            Staged::Present(update) => &update.path,
            Staged::Gone(path) => path,
        }
    }
}

/// Updates only the given entries through libgit2 and writes the index.
fn stage(index: &mut Index, staged: &[Staged]) -> Result<(), git2::Error> {
    for s in staged {
        match s {
            Staged::Present(u) => index.add(&IndexEntry {
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
            })?,
            Staged::Gone(path) => {
                if index.get_path(Path::new(path), 0).is_some() {
                    index.remove_path(Path::new(path))?;
                }
            }
        }
    }
    index.write()
}

/// A commit that was made.
pub struct Committed {
    pub oid: String,
    /// Something the user should fix although the commit exists.
    pub warning: Option<String>,
}

/// A path as git spells it: `/`-separated.
fn git_path(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}
