//! Writing a built site to its folder.
//!
//! Only files whose bytes changed are written (each through a temp file and
//! a rename), so an unchanged rebuild keeps every file's mtime and a deploy
//! uploads only what changed. The folder keeps a manifest, `.inc-site`, of
//! the files inc wrote there; a file in the last manifest that the site no
//! longer produces is removed. Nothing else in the folder is touched.

use std::collections::{BTreeSet, HashSet};
use std::fs;
use std::io::{self, Read, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use anyhow::{Context, Result, bail};

/// The manifest of the files inc wrote, one relative path a line.
pub const MANIFEST: &str = ".inc-site";

/// What a write did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    pub changed: usize,
    pub unchanged: usize,
    pub removed: usize,
}

/// Whether `rel` is a plain relative path inside the folder.
fn is_inside(rel: &str) -> bool {
    !rel.is_empty()
        && Path::new(rel)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

/// The site's folder, for the build to compare its files with and to
/// create new ones in; it remembers what it created, for [`Folder::discard`].
pub struct Folder<'a> {
    dir: &'a Path,
    /// Whether `dir` existed before the build: when it did not, it holds
    /// no file of the site, and there is nothing to compare.
    existed: bool,
    created: Mutex<Vec<PathBuf>>,
    /// Folders known to exist, made once rather than for every page.
    made: Mutex<HashSet<PathBuf>>,
}

impl<'a> Folder<'a> {
    pub fn new(dir: &'a Path) -> Folder<'a> {
        Folder {
            dir,
            existed: dir.exists(),
            created: Mutex::new(Vec::new()),
            made: Mutex::new(HashSet::new()),
        }
    }

    /// Removes every file the build created, and the folders it made for
    /// them when they are left empty (the site's own folder too, when the
    /// build made it): a failed build leaves things as it found them.
    pub fn discard(&self) {
        let created = std::mem::take(&mut *self.created.lock().unwrap_or_else(|e| e.into_inner()));
        for path in created {
            if fs::remove_file(&path).is_ok() {
                let mut parent = path.parent();
                while let Some(p) = parent
                    && p != self.dir
                    && fs::remove_dir(p).is_ok()
                {
                    parent = p.parent();
                }
            }
        }
        if !self.existed {
            let _ = fs::remove_dir(self.dir);
        }
    }
}

impl crate::render::site::Folder for Folder<'_> {
    fn holds(&self, rel: &str, bytes: &[u8]) -> bool {
        self.existed && is_inside(rel) && holds(&self.dir.join(rel), bytes).unwrap_or(false)
    }

    /// A new page goes straight to its place: nobody can be reading a page
    /// that did not exist. Creating them while the pages render, instead of
    /// after, took a first build of 10,000 incidents from 0.94 s to 0.75 s
    /// (medians of six paired runs).
    fn create(&self, rel: &str, bytes: &[u8]) -> io::Result<bool> {
        if !is_inside(rel) || rel == MANIFEST {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a path outside the site's folder",
            ));
        }
        let path = self.dir.join(rel);
        if let Some(parent) = path.parent() {
            let mut made = self.made.lock().unwrap_or_else(|e| e.into_inner());
            if !made.contains(parent) {
                fs::create_dir_all(parent)?;
                made.insert(parent.to_path_buf());
            }
        }
        let created = write_new(&path, bytes)?;
        if created {
            self.created
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(path);
        }
        Ok(created)
    }
}

/// Whether `path` holds exactly `bytes`: its size first, then its contents,
/// read into a buffer each thread keeps (one site build compares thousands
/// of files; a fresh buffer each time would be zeroed each time).
fn holds(path: &Path, bytes: &[u8]) -> io::Result<bool> {
    thread_local! {
        static BUF: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    let file = match fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(e),
    };
    if file.metadata()?.len() != bytes.len() as u64 {
        return Ok(false);
    }
    BUF.with_borrow_mut(|buf| {
        buf.clear();
        // One byte more than expected shows a file that grew meanwhile.
        file.take(bytes.len() as u64 + 1).read_to_end(buf)?;
        Ok(buf.as_slice() == bytes)
    })
}

/// Writes `changed` (relative path → bytes: the files the folder doesn't
/// hold yet, besides the `created` ones the build already made) under
/// `dir`, and removes the files of the last build that are not among
/// `paths` (every file of this one).
pub fn write(
    dir: &Path,
    changed: &[(String, Vec<u8>)],
    created: usize,
    paths: &[String],
) -> Result<Written> {
    fs::create_dir_all(dir).with_context(|| format!("can't create {}", dir.display()))?;
    for rel in paths.iter().chain(changed.iter().map(|(rel, _)| rel)) {
        if !is_inside(rel) || rel == MANIFEST {
            bail!("refusing to write `{rel}` outside the site's folder");
        }
    }
    // One thread: the pages share a folder, whose lock the kernel holds for
    // each create or rename. Two writers spent their time spinning on it
    // (perf: `rwsem_spin_on_owner`, 26% of a first build's samples), for
    // twice the system time and the same wall time.
    for (rel, bytes) in changed {
        write_file(&dir.join(rel), bytes)?;
    }
    let mut written = Written {
        changed: changed.len() + created,
        unchanged: paths.len().saturating_sub(changed.len() + created),
        removed: 0,
    };

    let now: BTreeSet<&str> = paths.iter().map(String::as_str).collect();
    let manifest_path = dir.join(MANIFEST);
    let before = match fs::read_to_string(&manifest_path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e).with_context(|| format!("can't read {}", manifest_path.display())),
    };
    for rel in before.lines() {
        if now.contains(rel) || !is_inside(rel) {
            continue;
        }
        let path = dir.join(rel);
        match fs::remove_file(&path) {
            Ok(()) => {
                written.removed += 1;
                // Folders the site no longer uses go too, when empty.
                let mut parent = path.parent();
                while let Some(p) = parent
                    && p != dir
                    && fs::remove_dir(p).is_ok()
                {
                    parent = p.parent();
                }
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("can't remove {}", path.display())),
        }
    }
    let mut manifest = String::new();
    for rel in &now {
        manifest.push_str(rel);
        manifest.push('\n');
    }
    if !holds(&manifest_path, manifest.as_bytes()).unwrap_or(false) {
        write_file(&manifest_path, manifest.as_bytes())?;
    }
    Ok(written)
}

/// Writes `bytes` to `path`. Not synced: a site is rebuilt, not recovered.
///
/// A file that exists is replaced through a temp file and a rename, so a
/// web server serving the folder never sees it half written. A new file is
/// written in place: nobody can be reading a page that did not exist, and
/// on this VM's ext4 a rename costs several times the write (creating
/// 9,400 files took 0.2 s in place and 1.6 s through temp files). A build
/// killed midway can leave a new file short; the next build sees that it
/// differs and replaces it.
fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).with_context(|| format!("can't create {}", dir.display()))?;
    if write_new(path, bytes).with_context(|| format!("can't write {}", path.display()))? {
        return Ok(());
    }
    let mut tmp = super::temp_file_in(dir)?;
    tmp.write_all(bytes)
        .with_context(|| format!("can't write {}", path.display()))?;
    tmp.persist(path)
        .with_context(|| format!("can't write {}", path.display()))?;
    Ok(())
}

/// Writes a file that doesn't exist yet; false when it does, for the
/// caller to replace it. A file left half written by a failed write is
/// removed.
fn write_new(path: &Path, bytes: &[u8]) -> io::Result<bool> {
    let mut file = match fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
    {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => return Ok(false),
        Err(e) => return Err(e),
    };
    if let Err(e) = file.write_all(bytes) {
        drop(file);
        let _ = fs::remove_file(path);
        return Err(e);
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside() {
        assert!(is_inside("a/b.html"));
        assert!(!is_inside("../x"));
        assert!(!is_inside("/etc/passwd"));
        assert!(!is_inside("a/../../x"));
        assert!(!is_inside(""));
    }

    #[test]
    fn holds_compares_whole_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        let big: Vec<u8> = (0..40_000u32).map(|n| (n % 251) as u8).collect();
        fs::write(&path, &big).unwrap();
        assert!(holds(&path, &big).unwrap());
        let mut last_differs = big.clone();
        *last_differs.last_mut().unwrap() ^= 1;
        assert!(
            !holds(&path, &last_differs).unwrap(),
            "a difference in the last block"
        );
        assert!(!holds(&path, &big[..big.len() - 1]).unwrap(), "shorter");
        assert!(!holds(&dir.path().join("missing"), b"").unwrap());
        fs::write(&path, b"").unwrap();
        assert!(holds(&path, b"").unwrap());
        let folder = Folder::new(dir.path());
        use crate::render::site::Folder as _;
        assert!(folder.holds("f", b""));
        assert!(!folder.holds("../f", b""), "never looks outside the folder");
    }

    #[test]
    fn creates_only_new_files_and_discards_what_it_created() {
        use crate::render::site::Folder as _;
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("old.html"), "old").unwrap();
        let folder = Folder::new(dir.path());
        assert!(folder.create("x/y/new.html", b"new").unwrap());
        assert!(
            !folder.create("old.html", b"other").unwrap(),
            "exists: left to replace"
        );
        assert_eq!(fs::read(dir.path().join("old.html")).unwrap(), b"old");
        assert!(folder.create("../escape.html", b"x").is_err());
        assert!(folder.create(MANIFEST, b"x").is_err());
        folder.discard();
        assert!(
            !dir.path().join("x").exists(),
            "created file and folders gone"
        );
        assert_eq!(fs::read(dir.path().join("old.html")).unwrap(), b"old");
    }

    #[test]
    fn writes_changes_and_removes_only_its_own() {
        let dir = tempfile::tempdir().unwrap();
        let files = vec![
            ("a.html".to_owned(), b"a".to_vec()),
            ("x/b.html".to_owned(), b"b".to_vec()),
        ];
        let paths: Vec<String> = files.iter().map(|(p, _)| p.clone()).collect();
        let w = write(dir.path(), &files, 0, &paths).unwrap();
        assert_eq!((w.changed, w.unchanged, w.removed), (2, 0, 0));
        assert_eq!(fs::read(dir.path().join("x/b.html")).unwrap(), b"b");
        fs::write(dir.path().join("mine.txt"), "keep").unwrap();
        let w = write(dir.path(), &[], 0, &paths).unwrap();
        assert_eq!((w.changed, w.unchanged, w.removed), (0, 2, 0));
        let changed = vec![("a.html".to_owned(), b"new a".to_vec())];
        let w = write(dir.path(), &changed, 0, &paths[..1]).unwrap();
        assert_eq!((w.changed, w.removed), (1, 1));
        assert_eq!(fs::read(dir.path().join("a.html")).unwrap(), b"new a");
        assert!(!dir.path().join("x").exists(), "its empty folder went too");
        assert!(dir.path().join("mine.txt").exists());
    }
}
