//! Which paths a site may use: `--out` checked against the incident
//! repository, relative paths kept inside the folder and away from inc's
//! own files, and the error for a symbolic link in the way.

use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

use anyhow::{Context, Result};

use super::{MANIFEST, TEMP_PREFIX};

use crate::error::user_error_with_hint;

/// A symbolic link where the site wants a file or a folder: inc never
/// writes through one, nor replaces it.
#[derive(Debug)]
pub struct Symlink(pub PathBuf);

impl std::fmt::Display for Symlink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} is a symbolic link; inc never writes through one",
            self.0.display()
        )
    }
}

impl std::error::Error for Symlink {}

/// The link a [`Symlink`] error in `error`'s chain names, if one does.
pub fn symlink_in(error: &anyhow::Error) -> Option<&Path> {
    error.chain().find_map(|e| {
        e.downcast_ref::<Symlink>()
            .or_else(|| {
                e.downcast_ref::<io::Error>()
                    .and_then(|io| io.get_ref())
                    .and_then(|inner| inner.downcast_ref::<Symlink>())
            })
            .map(|Symlink(path)| path.as_path())
    })
}

/// What to do about the symbolic link at `path`.
pub fn symlink_hint(path: &Path) -> String {
    format!(
        "remove the link {} (the site's folder must hold real files and folders), \
         or build into another folder with --out",
        path.display()
    )
}

/// Whether `rel` is a plain relative path inside the folder.
pub(super) fn is_inside(rel: &str) -> bool {
    !rel.is_empty()
        && Path::new(rel)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

/// Whether `rel` names one of inc's temp files.
pub(super) fn is_temp(rel: &str) -> bool {
    rel.rsplit('/')
        .next()
        .is_some_and(|name| name.starts_with(TEMP_PREFIX))
}

/// Whether the site may write `rel`: inside the folder, and neither the
/// manifest nor a name inc keeps for its temp files.
pub(super) fn is_writable(rel: &str) -> bool {
    is_inside(rel) && rel != MANIFEST && !is_temp(rel)
}

/// Where a site may be built, for `--out`: `out` made absolute with every
/// symbolic link resolved (a part that doesn't exist yet is taken as
/// written). Refuses the incident repository `root` itself, a folder that
/// holds it (deploying it would publish the repository), and anything in
/// its `incidents/`, `templates/` or `.git/`, however `out` reaches them.
pub fn out_dir(out: &Path, root: &Path) -> Result<PathBuf> {
    let resolved = resolve(out)?;
    let root = resolve(root)?;
    let named = |what: &str| {
        let via = if resolved.as_path() == out {
            String::new()
        } else {
            format!(" (which is {})", resolved.display())
        };
        user_error_with_hint(
            format!(
                "refusing to build the site into {}{via}: it is {what}",
                out.display()
            ),
            "pass --out a folder outside the repository's incidents/, templates/ \
             and .git/, e.g. --out site (the default)",
        )
    };
    if resolved == root {
        return Err(named("the incident repository itself"));
    }
    if root.starts_with(&resolved) {
        return Err(named(
            "a folder holding the incident repository, which a deploy would publish",
        ));
    }
    for part in ["incidents", "templates", ".git"] {
        if resolved.starts_with(root.join(part)) {
            return Err(named(&format!("inside the repository's {part}/")));
        }
    }
    Ok(resolved)
}

/// `path` made absolute, its existing part canonical (symbolic links
/// resolved), the rest appended as written.
fn resolve(path: &Path) -> Result<PathBuf> {
    let absolute =
        std::path::absolute(path).with_context(|| format!("can't resolve {}", path.display()))?;
    let mut existing = absolute.as_path();
    let mut rest: Vec<&std::ffi::OsStr> = Vec::new();
    loop {
        match existing.canonicalize() {
            Ok(canonical) => {
                let mut resolved = canonical;
                for part in rest.iter().rev() {
                    match Path::new(part).components().next() {
                        Some(Component::ParentDir) => {
                            resolved.pop();
                        }
                        Some(Component::CurDir) | None => {}
                        Some(_) => resolved.push(part),
                    }
                }
                return Ok(resolved);
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                if fs::symlink_metadata(existing).is_ok() {
                    return Err(user_error_with_hint(
                        format!(
                            "{} is a symbolic link to something that does not exist",
                            existing.display()
                        ),
                        "remove the link, or pass --out another folder",
                    ));
                }
                let (Some(parent), Some(last)) =
                    (existing.parent(), existing.components().next_back())
                else {
                    return Ok(absolute);
                };
                rest.push(last.as_os_str());
                existing = parent;
            }
            Err(e) => {
                return Err(e).with_context(|| format!("can't resolve {}", existing.display()));
            }
        }
    }
}
