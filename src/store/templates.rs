//! Template overrides from an incident repository's own `templates/`, and
//! the drafts rendered from templates (`postmortem.md`), read from disk.
//! Rendering itself is pure (`render::templates`, `render::postmortem`).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use super::{HINT_LINK, MAX_FILE_BYTES, ReadError, Store, is_link, read_nofollow};
use crate::error::user_error_with_hint;
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
/// files and folders are skipped. A symbolic link is an error, whether it is
/// `templates/` itself, a folder in it or a `.j2` file: templates shape the
/// status page, and a link could pull any file (a private incident's
/// timeline, `/proc/self/environ`) into it.
pub fn overrides(store: &Store) -> Result<Overrides> {
    let mut found = Overrides::new();
    let root = store.root().join(DIR);
    if is_link(&root) {
        return Err(link_error(&root, DIR));
    }
    read_dir(&root, "", 0, &mut found)?;
    Ok(found)
}

/// The error for the link at `path` (`shown` relative to the root).
fn link_error(path: &Path, shown: &str) -> anyhow::Error {
    let target = super::link_target(path);
    user_error_with_hint(
        format!("{shown} is a symbolic link{target}; inc does not follow links in {DIR}/"),
        HINT_LINK,
    )
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
        let shown = format!("{DIR}/{rel}");
        // The listing says what each entry is without following links.
        let kind = entry
            .file_type()
            .with_context(|| format!("can't read {shown}"))?;
        if kind.is_symlink() {
            // A link named `*.j2` is a template; any other is refused
            // when it leads to a folder (which may hold templates).
            if name.ends_with(".j2") || fs::metadata(&path).is_ok_and(|m| m.is_dir()) {
                return Err(link_error(&path, &shown));
            }
            continue;
        }
        if kind.is_dir() {
            if depth < MAX_DEPTH {
                read_dir(&path, &format!("{rel}/"), depth + 1, found)?;
            }
            continue;
        }
        if !name.ends_with(".j2") || !kind.is_file() {
            continue;
        }
        let mut bytes = Vec::new();
        match read_nofollow(&path, MAX_BYTES, &mut bytes) {
            Ok(()) => {}
            Err(ReadError::TooLarge(_)) => {
                bail!("{shown} is larger than {MAX_BYTES} bytes; a template may have at most that")
            }
            Err(ReadError::Link(_)) => return Err(link_error(&path, &shown)),
            Err(e) => bail!("{shown}: {e}"),
        }
        let Ok(source) = String::from_utf8(bytes) else {
            bail!("{shown} is not UTF-8 text");
        };
        found.insert(rel, source);
    }
    Ok(())
}

/// The repository's own status-page stylesheet, `templates/site/style.css`,
/// if it has one. It is published as is, so a symbolic link (there, or as
/// `templates/` or `templates/site/`) is refused rather than followed.
pub fn site_style(store: &Store) -> Result<Option<String>> {
    let site = Path::new(DIR).join("site");
    let rel = site.join("style.css");
    for folder in [Path::new(DIR), site.as_path()] {
        if is_link(&store.root().join(folder)) {
            return Err(link_error(
                &store.root().join(folder),
                &folder.display().to_string(),
            ));
        }
    }
    let path = store.root().join(&rel);
    let mut bytes = Vec::new();
    match read_nofollow(&path, MAX_BYTES, &mut bytes) {
        Ok(()) => {}
        Err(ReadError::Missing) => return Ok(None),
        Err(ReadError::Link(_)) => return Err(link_error(&path, &rel.display().to_string())),
        Err(ReadError::TooLarge(_)) => bail!(
            "{} is larger than {MAX_BYTES} bytes; a stylesheet may have at most that",
            rel.display()
        ),
        Err(e) => bail!("{}: {e}", rel.display()),
    }
    match String::from_utf8(bytes) {
        Ok(css) => Ok(Some(css)),
        Err(_) => Err(user_error_with_hint(
            format!("{} is not UTF-8 text", rel.display()),
            "save it as UTF-8, then run inc again",
        )),
    }
}

/// A draft's text (`rel` relative to the root), or `None` if there is none.
/// A symbolic link is refused: the draft is rewritten in place, and what a
/// link points to would be copied into the incident.
pub fn read_draft(store: &Store, rel: &Path) -> Result<Option<String>> {
    let path = store.root().join(rel);
    let mut bytes = Vec::new();
    match read_nofollow(&path, MAX_FILE_BYTES, &mut bytes) {
        Ok(()) => {}
        Err(ReadError::Missing) => return Ok(None),
        Err(ReadError::Link(_)) => {
            return Err(link_error(&path, &rel.display().to_string()));
        }
        Err(e) => {
            return Err(user_error_with_hint(
                format!("{}: {e}", rel.display()),
                e.hint(),
            ));
        }
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Some(text)),
        Err(_) => Err(user_error_with_hint(
            format!("{} is not UTF-8 text", rel.display()),
            "save it as UTF-8, then run inc again",
        )),
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
