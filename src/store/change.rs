//! A command's change to the incident files and its commit, made whole or
//! not at all, whenever inc is killed.
//!
//! A change is computed in memory first: each file's new content in the
//! work tree, and the content to commit, which is HEAD's version with the
//! same change applied. A line a person added to a timeline by hand and did
//! not commit stays in the work tree, uncommitted, as it was; inc commits
//! only its own line. A file inc rewrites whole (an incident's header) is
//! refused while it has changes not committed, since inc could not tell
//! its change from the person's.
//!
//! Then, in this order:
//! 1. the blobs and the commit object are written (nothing points at them
//!    yet: a kill here leaves only objects `git gc` drops);
//! 2. the journal (`.git/inc-journal`) is written and flushed: from here on
//!    the change happens, whenever inc is killed;
//! 3. the work tree files are written, each through a temp file and a
//!    rename; a new incident folder is built under a temp name and renamed
//!    into place, so it appears whole or not at all;
//! 4. git's index gets the committed blobs ([`Git::stage`]);
//! 5. HEAD moves to the commit ([`Git::move_head`]); if someone committed
//!    meanwhile, the commit is made again on their commit;
//! 6. the journal is removed.
//!
//! The index moves before HEAD: between the two, `git commit` by the user
//! would commit inc's change with theirs, never delete it (which an index
//! behind HEAD would). Any later inc command finishes a journal it finds
//! ([`recover()`]), under the write lock, so a killed inc's process is gone.
//!
//! This file makes a change; `journal` is the record it keeps while it
//! does, and `recover` finishes one a killed inc left.

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use chrono::{DateTime, Utc};
use sha1::{Digest, Sha1};

use crate::error::user_error_with_hint;

use super::git::{Git, Moved, Patience, Stat};
use super::{MAX_FILE_BYTES, ReadError, Store, crash_point, read_nofollow, write_file_atomic};

mod journal;
mod recover;

use journal::{Journal, JournalFile, Write_, committed_files, remove_journal, write_journal};
pub use recover::{Recovered, recover};

/// A rewrite of a file's content (`None`: there is no file).
pub type Rewrite<'a> = Box<dyn Fn(Option<&[u8]>) -> Result<Vec<u8>> + 'a>;

/// How one file changes.
pub enum Edit<'a> {
    /// A new file; an existing one is an error.
    Create(Vec<u8>),
    /// Lines added at the end (each ending in `\n`).
    Append(Vec<u8>),
    /// A whole new content, made from the work tree's copy. Refused when
    /// that copy differs from HEAD's.
    Replace(Vec<u8>),
    /// A rewrite applied to each version: HEAD's for the commit, the work
    /// tree's for the disk (`None` where there is no file).
    Rewrite(Rewrite<'a>),
}

/// Every file one command changes (paths relative to the incident root).
#[derive(Default)]
pub struct Change<'a> {
    pub files: Vec<(PathBuf, Edit<'a>)>,
    /// A new incident's folder: made under a temp name, then renamed.
    pub new_dir: Option<PathBuf>,
}

/// How to commit a change.
pub struct Commit<'a> {
    pub message: &'a str,
    pub author: &'a str,
    pub at: DateTime<Utc>,
    pub patience: &'a Patience<'a>,
}

/// What [`apply`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    /// Written and committed.
    Committed(String),
    /// Written; the committed files already held this content.
    Unchanged,
    /// Written, not committed (no git, or committing is off).
    Written,
}

/// A file of a change, worked out.
struct Planned<'e, 'a> {
    rel: PathBuf,
    edit: &'e Edit<'a>,
    before: Option<Vec<u8>>,
    after: Vec<u8>,
}

/// git's ID for a blob of `bytes`.
pub fn blob_id(bytes: &[u8]) -> String {
    let mut hash = Sha1::new();
    hash.update(format!("blob {}\0", bytes.len()).as_bytes());
    hash.update(bytes);
    hash.finalize()
        .iter()
        .fold(String::with_capacity(40), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// `text` with `lines` appended, on a line of their own.
fn appended(text: &[u8], lines: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + lines.len() + 1);
    out.extend_from_slice(text);
    if !out.is_empty() && !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    out.extend_from_slice(lines);
    out
}

impl Edit<'_> {
    /// The file's new content, from the work tree's copy.
    fn on(&self, rel: &Path, current: Option<&[u8]>) -> Result<Vec<u8>> {
        match self {
            Edit::Create(bytes) => match current {
                None => Ok(bytes.clone()),
                Some(_) => bail!("{} already exists", rel.display()),
            },
            Edit::Append(lines) => Ok(appended(current.unwrap_or_default(), lines)),
            Edit::Replace(bytes) => Ok(bytes.clone()),
            Edit::Rewrite(f) => f(current),
        }
    }

    /// The content to commit, from HEAD's version (`None`: HEAD has no
    /// such file); `planned` is the work tree's before and after.
    fn committed(&self, rel: &Path, head: Option<&[u8]>, planned: &Planned) -> Result<Vec<u8>> {
        if head == planned.before.as_deref() {
            return Ok(planned.after.clone());
        }
        match self {
            Edit::Create(bytes) => Ok(bytes.clone()),
            // A file HEAD lacks is committed whole: there is nothing of
            // HEAD's to keep.
            Edit::Append(lines) => Ok(match head {
                Some(head) => appended(head, lines),
                None => planned.after.clone(),
            }),
            Edit::Replace(_) => Err(user_error_with_hint(
                format!(
                    "{} has changes that are not committed, and inc rewrites that file whole: \
                     it would commit them under its own message; inc changed nothing",
                    rel.display()
                ),
                format!(
                    "commit them (`git commit {}`) or put them aside (`git stash`), then run \
                     inc again; `--no-commit` writes without committing",
                    rel.display()
                ),
            )),
            Edit::Rewrite(f) => f(head),
        }
    }
}

impl Store {
    /// Whether a killed inc may have left something to finish or clean:
    /// two `stat`s, for every command to look before it reads.
    pub fn needs_recovery(&self, git: Option<&Git>) -> bool {
        self.journal_path(git).exists()
            || git.is_some_and(|git| git.git_dir().join("inc-index.new").exists())
    }

    /// Fails, naming the link, if any folder on the way to `rel`, or
    /// `rel` itself, is a symbolic link.
    fn refuse_links_on(&self, rel: &Path) -> Result<()> {
        for part in rel.ancestors().collect::<Vec<_>>().into_iter().rev() {
            if !part.as_os_str().is_empty() && super::is_link(&self.root.join(part)) {
                let e = super::FileError::link(&self.root, part);
                return Err(user_error_with_hint(e.to_string(), e.hint));
            }
        }
        Ok(())
    }

    /// Reads a file inc is about to change (`None`: there is none).
    fn current(&self, rel: &Path) -> Result<Option<Vec<u8>>> {
        let mut bytes = Vec::new();
        match read_nofollow(&self.root.join(rel), MAX_FILE_BYTES, &mut bytes) {
            Ok(()) => Ok(Some(bytes)),
            Err(ReadError::Missing) => Ok(None),
            Err(e) => Err(user_error_with_hint(
                format!("{}: {e}", rel.display()),
                e.hint(),
            )),
        }
    }
}

/// Makes `change` in the work tree and, with `commit`, in git: all of it,
/// or, if inc stops first, none of it until the next inc command finishes
/// it. An error before anything was written means nothing changed.
pub fn apply(
    store: &Store,
    git: Option<&Git>,
    change: &Change,
    commit: Option<&Commit>,
) -> Result<Applied> {
    let mut planned = Vec::with_capacity(change.files.len());
    for (rel, edit) in &change.files {
        store.refuse_links_on(rel)?;
        let before = store.current(rel)?;
        let after = edit.on(rel, before.as_deref())?;
        planned.push(Planned {
            rel: rel.clone(),
            edit,
            before,
            after,
        });
    }
    let journal_path = store.journal_path(git);
    let git = git.filter(|_| commit.is_some());
    let (parent, made) = match (git, commit) {
        (Some(git), Some(commit)) => {
            let parent = git.head_commit()?;
            let made = make_commit(git, parent.as_deref(), &planned, commit)?;
            (parent, made)
        }
        _ => (None, None),
    };
    let mut journal = Journal {
        message: commit.map(|c| c.message.to_owned()).unwrap_or_default(),
        author: commit.map(|c| c.author.to_owned()).unwrap_or_default(),
        at: commit.map_or(DateTime::UNIX_EPOCH, |c| c.at),
        parent: parent.clone(),
        commit: made.as_ref().map(|(oid, _)| oid.clone()),
        new_dir: change
            .new_dir
            .as_ref()
            .map(|d| d.to_string_lossy().into_owned()),
        files: planned
            .iter()
            .enumerate()
            .map(|(i, p)| {
                Ok(JournalFile {
                    path: p.rel.to_string_lossy().into_owned(),
                    before: p.before.as_deref().map(blob_id),
                    after: blob_id(&p.after),
                    write: match p.edit {
                        Edit::Append(lines) => Write_::Append(utf8(&p.rel, lines)?),
                        _ => Write_::Whole(utf8(&p.rel, &p.after)?),
                    },
                    committed: made.as_ref().map(|(_, blobs)| blobs[i].clone()),
                })
            })
            .collect::<Result<_>>()?,
    };
    crash_point("objects");
    write_journal(&journal_path, &journal)?;
    crash_point("journal");

    // From here on the change happens: an error undoes what it can, and
    // leaves the rest to the next inc command.
    let result = (|| -> Result<Applied> {
        let left = write_tree(store, &journal)?;
        if let Some(path) = left.first() {
            bail!("{path} changed while inc was writing it");
        }
        crash_point("tree");
        let (Some(git), Some(commit)) = (git, commit) else {
            return Ok(Applied::Written);
        };
        if journal.commit.is_none() {
            return Ok(Applied::Unchanged);
        }
        settle(
            store,
            git,
            &mut journal,
            &journal_path,
            Some(&planned),
            commit.patience,
        )?;
        Ok(Applied::Committed(
            journal.commit.clone().unwrap_or_default(),
        ))
    })();
    match result {
        Ok(applied) => {
            remove_journal(&journal_path)?;
            Ok(applied)
        }
        Err(e) => {
            // HEAD has not moved (that is the last step): put back what
            // was written, unless someone changed it since.
            match undo(store, git, &journal, &planned) {
                Ok(()) => {
                    let _ = remove_journal(&journal_path);
                    Err(e)
                }
                Err(_) => Err(e.context(
                    "inc could not finish its change, nor undo it; the next inc command finishes it",
                )),
            }
        }
    }
}

/// Builds the commit of `planned` on `parent`: its blobs written, and the
/// commit object, on no branch yet. `None` when HEAD already holds it all.
fn make_commit(
    git: &Git,
    parent: Option<&str>,
    planned: &[Planned],
    commit: &Commit,
) -> Result<Option<(String, Vec<String>)>> {
    let mut blobs = Vec::with_capacity(planned.len());
    let mut files = Vec::with_capacity(planned.len());
    for p in planned {
        let head = match parent {
            Some(parent) => match git.blob_at(parent, &p.rel)? {
                Some(oid) if p.before.as_deref().map(blob_id).as_deref() == Some(oid.as_str()) => {
                    p.before.clone()
                }
                Some(oid) => Some(git.read_blob(&oid)?),
                None => None,
            },
            None => None,
        };
        let bytes = p.edit.committed(&p.rel, head.as_deref(), p)?;
        let oid = git.write_blob(&bytes)?;
        files.push((p.rel.clone(), oid.clone()));
        blobs.push(oid);
    }
    Ok(git
        .make_commit(parent, &files, commit.message, commit.author, commit.at)?
        .map(|oid| (oid, blobs)))
}

/// Stages the journal's commit and moves HEAD to it. When HEAD moved
/// since the commit was made, the commit is made again on the new HEAD,
/// from the edits (`planned`, or the journal's appends when recovering).
fn settle(
    store: &Store,
    git: &Git,
    journal: &mut Journal,
    journal_path: &Path,
    planned: Option<&[Planned]>,
    patience: &Patience,
) -> Result<()> {
    for _ in 0..20 {
        let Some(commit) = journal.commit.clone() else {
            return Ok(());
        };
        let committed = committed_files(journal);
        let staged: Vec<(PathBuf, String, Option<Stat>)> = journal
            .files
            .iter()
            .zip(&committed)
            .map(|(f, (rel, oid))| {
                let stat = (f.after == *oid)
                    .then(|| fs::symlink_metadata(store.root.join(rel)).ok())
                    .flatten()
                    .filter(|m| m.is_file())
                    .map(|m| Stat::of(&m));
                (rel.clone(), oid.clone(), stat)
            })
            .collect();
        let head = git.head_commit()?;
        if head.as_deref() == Some(commit.as_str()) {
            // Moved already (a killed inc got this far): the index too.
            return git.stage(&staged, &[], patience);
        }
        if head == journal.parent {
            git.stage(&staged, &[], patience)?;
            crash_point("index");
            if git.move_head(head.as_deref(), &commit, &journal.message, patience)? == Moved::Done {
                crash_point("head");
                return Ok(());
            }
            continue;
        }
        if head.as_deref().is_some_and(|h| git.holds(h, &committed)) {
            // Someone committed inc's change with theirs.
            return git.stage(&staged, &[], patience);
        }
        // HEAD moved: make the commit again on it.
        let remade = match planned {
            Some(planned) => {
                let at = journal.at;
                let commit = Commit {
                    message: &journal.message,
                    author: &journal.author,
                    at,
                    patience,
                };
                make_commit(git, head.as_deref(), planned, &commit)?
            }
            None => recover::remake(git, head.as_deref(), journal)?,
        };
        journal.parent = head;
        journal.commit = remade.as_ref().map(|(oid, _)| oid.clone());
        if let Some((_, blobs)) = &remade {
            for (file, blob) in journal.files.iter_mut().zip(blobs) {
                file.committed = Some(blob.clone());
            }
        }
        write_journal(journal_path, journal)?;
    }
    bail!("HEAD kept moving while inc was committing (20 tries); run inc again")
}

/// Writes the journal's files to the work tree where they are still as
/// they were before (or missing, in a new folder); returns the paths of
/// files that are neither before nor after (changed since, left alone).
fn write_tree(store: &Store, journal: &Journal) -> Result<Vec<String>> {
    let mut left = Vec::new();
    let new_dir = journal.new_dir.as_ref().map(PathBuf::from);
    if let Some(dir) = &new_dir
        && !store.root.join(dir).exists()
    {
        build_dir(store, dir, journal)?;
    }
    for f in &journal.files {
        let rel = Path::new(&f.path);
        let current = store.current(rel)?;
        let now = current.as_deref().map(blob_id);
        if now.as_deref() == Some(f.after.as_str()) {
            continue;
        }
        if now != f.before {
            left.push(f.path.clone());
            continue;
        }
        let bytes = match &f.write {
            Write_::Whole(text) => text.as_bytes().to_vec(),
            Write_::Append(lines) => {
                appended(current.as_deref().unwrap_or_default(), lines.as_bytes())
            }
        };
        if blob_id(&bytes) != f.after {
            left.push(f.path.clone());
            continue;
        }
        store.write_atomic(rel, &bytes)?;
    }
    Ok(left)
}

/// Builds a new incident folder under a temp name beside it, then renames
/// it into place: it appears with all its files or not at all.
fn build_dir(store: &Store, dir: &Path, journal: &Journal) -> Result<()> {
    let target = store.root.join(dir);
    let parent = target.parent().unwrap_or(&store.root);
    fs::create_dir_all(parent).with_context(|| format!("can't create {}", parent.display()))?;
    let tmp = tempfile::Builder::new()
        .prefix(".inc-new-")
        .tempdir_in(parent)
        .with_context(|| format!("can't write in {}", parent.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(tmp.path(), fs::Permissions::from_mode(0o755))?;
    }
    for f in &journal.files {
        let Ok(inside) = Path::new(&f.path).strip_prefix(dir) else {
            continue;
        };
        // An append to a file of a new folder starts it.
        let (Write_::Whole(text) | Write_::Append(text)) = &f.write;
        write_file_atomic(&tmp.path().join(inside), text.as_bytes())?;
    }
    let tmp = tmp.keep();
    fs::File::open(&tmp).and_then(|d| d.sync_all()).ok();
    match fs::rename(&tmp, &target) {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = fs::remove_dir_all(&tmp);
            Err(e).with_context(|| format!("can't create {}", target.display()))
        }
    }
}

/// Puts the work tree files back as they were before (those still as the
/// change left them) and the index entries back to HEAD's, after a failure
/// before HEAD moved.
fn undo(store: &Store, git: Option<&Git>, journal: &Journal, planned: &[Planned]) -> Result<()> {
    for (f, p) in journal.files.iter().zip(planned) {
        let rel = Path::new(&f.path);
        let now = store.current(rel)?.as_deref().map(blob_id);
        if now.as_deref() != Some(f.after.as_str()) {
            continue;
        }
        match &p.before {
            Some(bytes) => store.write_atomic(rel, bytes)?,
            None => match fs::remove_file(store.root.join(rel)) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e.into()),
            },
        }
    }
    if let Some(dir) = &journal.new_dir {
        // Empty now, unless someone put something there.
        let _ = fs::remove_dir(store.root.join(dir));
    }
    // The index may hold the new blobs: put HEAD's back (HEAD as it is
    // now: someone may have committed while inc tried to).
    if let Some(git) = git
        && journal.commit.is_some()
    {
        let head = git.head_commit()?;
        let (mut back, mut gone) = (Vec::new(), Vec::new());
        for f in &journal.files {
            let rel = PathBuf::from(&f.path);
            let then = match &head {
                Some(head) => git.blob_at(head, &rel)?,
                None => None,
            };
            match then {
                Some(oid) => back.push((rel, oid, None)),
                None => gone.push(rel),
            }
        }
        let patience = Patience {
            timeout: std::time::Duration::from_secs(5),
            on_wait: &|_| {},
        };
        git.stage(&back, &gone, &patience)?;
    }
    Ok(())
}

fn utf8(rel: &Path, bytes: &[u8]) -> Result<String> {
    String::from_utf8(bytes.to_vec()).map_err(|_| {
        anyhow!(
            "{} would not be UTF-8 text; inc changed nothing",
            rel.display()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blob_ids_are_gits() {
        // `printf 'hello\n' | git hash-object --stdin`
        assert_eq!(
            blob_id(b"hello\n"),
            "ce013625030ba8dba906f756967f9e9ca394464a"
        );
        assert_eq!(blob_id(b""), "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
    }

    #[test]
    fn appends_go_on_a_line_of_their_own() {
        assert_eq!(appended(b"", b"b\n"), b"b\n");
        assert_eq!(appended(b"a\n", b"b\n"), b"a\nb\n");
        assert_eq!(appended(b"a", b"b\n"), b"a\nb\n");
    }
}
