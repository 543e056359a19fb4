//! Writing a built site to its folder.
//!
//! Only files whose bytes changed are written (each through a temp file and
//! a rename), so an unchanged rebuild keeps every file's mtime and a deploy
//! uploads only what changed. The folder keeps a manifest, `.inc-site`, of
//! the files inc wrote there; a file in the last manifest that the site no
//! longer produces is removed. Nothing else in the folder is touched.

use std::collections::BTreeSet;
use std::fs;
use std::io::{self, Read, Write};
use std::path::{Component, Path};

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

/// Writes `files` (relative path → bytes) under `dir`.
pub fn write(dir: &Path, files: &[(String, Vec<u8>)]) -> Result<Written> {
    fs::create_dir_all(dir).with_context(|| format!("can't create {}", dir.display()))?;
    for (rel, _) in files {
        if !is_inside(rel) || rel == MANIFEST {
            bail!("refusing to write `{rel}` outside the site's folder");
        }
    }
    let results = crate::par::chunks(files, |files| -> Result<(usize, usize)> {
        let mut counts = (0, 0);
        let mut buf = Vec::new();
        for (rel, bytes) in files {
            if write_if_changed(&dir.join(rel), bytes, &mut buf)? {
                counts.0 += 1;
            } else {
                counts.1 += 1;
            }
        }
        Ok(counts)
    });
    let mut written = Written::default();
    for r in results {
        let (changed, unchanged) = r?;
        written.changed += changed;
        written.unchanged += unchanged;
    }

    let now: BTreeSet<&str> = files.iter().map(|(rel, _)| rel.as_str()).collect();
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
    write_if_changed(&manifest_path, manifest.as_bytes(), &mut Vec::new())?;
    Ok(written)
}

/// Whether `path` holds exactly `bytes`: its size first, then (into `buf`,
/// reused from file to file) its contents.
fn holds(path: &Path, bytes: &[u8], buf: &mut Vec<u8>) -> io::Result<bool> {
    let mut file = match fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(e),
    };
    if file.metadata()?.len() != bytes.len() as u64 {
        return Ok(false);
    }
    buf.clear();
    file.read_to_end(buf)?;
    Ok(buf.as_slice() == bytes)
}

/// Writes `bytes` to `path` unless it already holds exactly them; returns
/// whether it wrote. Not synced: a site is rebuilt, not recovered.
fn write_if_changed(path: &Path, bytes: &[u8], buf: &mut Vec<u8>) -> Result<bool> {
    if holds(path, bytes, buf).with_context(|| format!("can't read {}", path.display()))? {
        return Ok(false);
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).with_context(|| format!("can't create {}", dir.display()))?;
    let mut tmp = super::temp_file_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.persist(path)
        .with_context(|| format!("can't write {}", path.display()))?;
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
    fn rewrites_only_changes_and_removes_only_its_own() {
        let dir = tempfile::tempdir().unwrap();
        let files = vec![
            ("a.html".to_owned(), b"a".to_vec()),
            ("x/b.html".to_owned(), b"b".to_vec()),
        ];
        let w = write(dir.path(), &files).unwrap();
        assert_eq!((w.changed, w.unchanged, w.removed), (2, 0, 0));
        fs::write(dir.path().join("mine.txt"), "keep").unwrap();
        let w = write(dir.path(), &files).unwrap();
        assert_eq!((w.changed, w.unchanged, w.removed), (0, 2, 0));
        let w = write(dir.path(), &files[..1]).unwrap();
        assert_eq!(w.removed, 1);
        assert!(!dir.path().join("x").exists(), "its empty folder went too");
        assert!(dir.path().join("mine.txt").exists());
    }
}
