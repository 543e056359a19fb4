//! Template overrides from an incident repository's own `templates/`, and
//! the drafts rendered from templates (`postmortem.md`), read from disk.
//! Rendering itself is pure (`render::templates`, `render::postmortem`).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use super::Store;
use crate::render::templates::{DIR, Overrides};

/// An incident's postmortem draft, next to its header and timeline.
pub const POSTMORTEM_FILE: &str = "postmortem.md";

/// Folders deeper than this under `templates/` are not read.
const MAX_DEPTH: usize = 4;
/// A template larger than this is refused rather than read.
const MAX_BYTES: u64 = 1 << 20;

/// The postmortem draft of incident `id`, relative to the root.
pub fn postmortem_path(id: &str) -> PathBuf {
    Store::dir_of(id).join(POSTMORTEM_FILE)
}

/// Every `*.j2` file under the repository's `templates/` (subfolders too,
/// named with `/`), name → source. No folder means no overrides. Hidden
/// files and folders are skipped.
pub fn overrides(store: &Store) -> Result<Overrides> {
    let mut found = Overrides::new();
    read_dir(&store.root().join(DIR), "", 0, &mut found)?;
    Ok(found)
}

fn read_dir(dir: &Path, prefix: &str, depth: usize, found: &mut Overrides) -> Result<()> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound && depth == 0 => return Ok(()),
        Err(e) => return Err(e).with_context(|| format!("can't list {}", dir.display())),
    };
    for entry in entries {
        let entry = entry.with_context(|| format!("can't list {}", dir.display()))?;
        let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
            continue;
        };
        if name.starts_with('.') {
            continue;
        }
        let path = entry.path();
        let rel = format!("{prefix}{name}");
        // Symlinked folders are not followed (no loops); symlinked files are.
        if entry.file_type()?.is_dir() {
            if depth < MAX_DEPTH {
                read_dir(&path, &format!("{rel}/"), depth + 1, found)?;
            }
            continue;
        }
        if !name.ends_with(".j2") || !path.is_file() {
            continue;
        }
        let shown = format!("{DIR}/{rel}");
        let size = fs::metadata(&path)
            .with_context(|| format!("can't read {shown}"))?
            .len();
        if size > MAX_BYTES {
            bail!("{shown} is {size} bytes; a template may have at most {MAX_BYTES}");
        }
        let bytes = fs::read(&path).with_context(|| format!("can't read {shown}"))?;
        let Ok(source) = String::from_utf8(bytes) else {
            bail!("{shown} is not UTF-8 text");
        };
        found.insert(rel, source);
    }
    Ok(())
}

/// A draft's text (`rel` relative to the root), or `None` if there is none.
/// The repository's own status-page stylesheet, `templates/site/style.css`,
/// if it has one.
pub fn site_style(store: &Store) -> Result<Option<String>> {
    let rel = Path::new(DIR).join("site").join("style.css");
    match fs::read_to_string(store.root().join(&rel)) {
        Ok(css) => Ok(Some(css)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("can't read {}", rel.display())),
    }
}

pub fn read_draft(store: &Store, rel: &Path) -> Result<Option<String>> {
    match fs::read(store.root().join(rel)) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Ok(Some(text)),
            Err(_) => bail!(
                "{} is not UTF-8 text\nhint: save it as UTF-8, then run inc again",
                rel.display()
            ),
        },
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("can't read {}", rel.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_j2_files_with_folder_names() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::new(tmp.path().to_path_buf());
        assert!(
            overrides(&store).unwrap().is_empty(),
            "no folder, no overrides"
        );
        let dir = tmp.path().join(DIR);
        fs::create_dir_all(dir.join("parts")).unwrap();
        fs::create_dir_all(dir.join(".git")).unwrap();
        fs::write(dir.join("postmortem.md.j2"), "mine").unwrap();
        fs::write(dir.join("parts/extra.md.j2"), "part").unwrap();
        fs::write(dir.join("inc.yaml"), "not a template").unwrap();
        fs::write(dir.join(".hidden.j2"), "x").unwrap();
        fs::write(dir.join(".git/x.j2"), "x").unwrap();
        let found = overrides(&store).unwrap();
        let names: Vec<&str> = found.keys().map(String::as_str).collect();
        assert_eq!(names, ["parts/extra.md.j2", "postmortem.md.j2"]);
        fs::write(dir.join("bad.j2"), [0xff, 0xfe]).unwrap();
        let err = overrides(&store).unwrap_err().to_string();
        assert_eq!(err, "templates/bad.j2 is not UTF-8 text");
    }

    #[test]
    fn a_missing_draft_is_none() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::new(tmp.path().to_path_buf());
        assert_eq!(
            read_draft(&store, Path::new("x/postmortem.md")).unwrap(),
            None
        );
        fs::write(tmp.path().join("p.md"), "text").unwrap();
        assert_eq!(
            read_draft(&store, Path::new("p.md")).unwrap().as_deref(),
            Some("text")
        );
    }
}
