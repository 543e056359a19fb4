//! Git, through libgit2: the only file that names `git2`.
//!
//! A commit is built from HEAD's tree plus the blobs of the files a command
//! changed, and only those index entries are updated. The user's other staged
//! and unstaged work is never looked at, so it stays exactly as it was, and a
//! large repository costs no index refresh.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Utc};
use git2::{ErrorCode, FileMode, Repository, RepositoryState, Signature, Time};

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
        let mut entries = Vec::with_capacity(files.len());
        for file in files {
            let in_repo = git_path(&self.prefix.join(file));
            let on_disk = self.root.join(file);
            if on_disk.is_file() {
                let oid = repo
                    .blob_path(&on_disk)
                    .with_context(|| format!("can't store {}", file.display()))?;
                update.upsert(&in_repo, oid, FileMode::Blob);
                entries.push((in_repo, true));
            } else {
                update.remove(&in_repo);
                entries.push((in_repo, false));
            }
        }
        let tree_id = update.create_updated(repo, &base)?;
        if parent.is_some() && tree_id == base.id() {
            return Ok(None);
        }
        let tree = repo.find_tree(tree_id)?;

        let (name, email) = self.user();
        let time = Time::new(at.timestamp(), 0);
        // The author is whoever inc acts for; their email is known only when
        // they are this clone's git user. git needs one, so others get an
        // address that is clearly not deliverable.
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
        // Read the index before the commit, so an unreadable index stops us
        // while nothing has happened yet.
        let mut index = repo.index().context("can't open the git index")?;
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
            .context("can't commit")?;

        // The commit is made; from here on a failure must not undo the files.
        let staged = entries.iter().try_for_each(|(path, present)| {
            if *present {
                index.add_path(Path::new(path))
            } else if index.get_path(Path::new(path), 0).is_some() {
                index.remove_path(Path::new(path))
            } else {
                Ok(())
            }
        });
        if let Err(e) = staged.and_then(|()| index.write()) {
            let paths: Vec<&str> = entries.iter().map(|(p, _)| p.as_str()).collect();
            return Ok(Some(Committed {
                oid: oid.to_string(),
                warning: Some(format!(
                    "committed, but the git index could not be updated ({}); \
                     `git reset -q -- {}` brings it in line",
                    e.message(),
                    paths.join(" ")
                )),
            }));
        }
        Ok(Some(Committed {
            oid: oid.to_string(),
            warning: None,
        }))
    }
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
