//! The history walk of `inc suspects`: the commits of a time window, in
//! the incident repository or in another repository on disk.

use std::path::Path;

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Utc};
use git2::{ErrorCode, Oid, Repository};

use super::Git;

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
