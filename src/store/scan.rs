//! Reading every incident file as text with its path, for `inc check`.
//!
//! Unlike [`Store::ids`](super::Store::ids), which lists only folders that
//! look like incidents, this walks every folder under `incidents/<year>/`,
//! so a misnamed or misplaced one is found too. Each file is read once; the
//! per-incident work runs on all cores.

use std::fs;
use std::io;
use std::path::Path;

use anyhow::{Context, Result};

use super::{HEADER_FILE, INCIDENTS_DIR, ReadError, TIMELINE_FILE};
use crate::model::check::{File, FileText, IncidentFiles};

/// The review draft `inc postmortem` writes next to the timeline.
pub const POSTMORTEM_FILE: &str = "postmortem.md";

/// An incident folder found under `incidents/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dir {
    pub year: String,
    pub name: String,
}

impl Dir {
    /// The folder relative to the root, with `/` on every platform.
    pub fn rel(&self) -> String {
        format!("{INCIDENTS_DIR}/{}/{}", self.year, self.name)
    }
}

/// A symbolic link where `incidents/`, a year folder or an incident folder
/// should be: inc reads nothing through one, and reports it instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The link, relative to the root, with `/`.
    pub path: String,
    /// What it points to, when that can be read.
    pub target: Option<String>,
}

/// Every folder two levels under `incidents/` (`<year>/<name>`), sorted,
/// and the symbolic links found instead of folders (not followed), sorted.
/// Hidden entries (`.gitkeep`, `.DS_Store`) and plain files are skipped.
pub fn dirs(root: &Path) -> Result<(Vec<Dir>, Vec<Link>)> {
    let incidents = root.join(INCIDENTS_DIR);
    let mut found = Vec::new();
    let mut links = Vec::new();
    if super::is_link(&incidents) {
        links.push(link(&incidents, INCIDENTS_DIR.to_owned()));
        return Ok((found, links));
    }
    for year in subdirs(&incidents, &format!("{INCIDENTS_DIR}/"), &mut links)? {
        let prefix = format!("{INCIDENTS_DIR}/{year}/");
        for name in subdirs(&incidents.join(&year), &prefix, &mut links)? {
            found.push(Dir {
                year: year.clone(),
                name,
            });
        }
    }
    found.sort_unstable_by(|a, b| (&a.year, &a.name).cmp(&(&b.year, &b.name)));
    links.sort_unstable_by(|a, b| a.path.cmp(&b.path));
    Ok((found, links))
}

fn link(path: &Path, rel: String) -> Link {
    Link {
        path: rel,
        target: fs::read_link(path)
            .ok()
            .map(|t| t.to_string_lossy().into_owned()),
    }
}

/// The names of the visible folders in `dir` (none if it does not exist);
/// a symbolic link to a folder (or a dangling one) goes to `links`, named
/// `prefix` + its name.
fn subdirs(dir: &Path, prefix: &str, links: &mut Vec<Link>) -> Result<Vec<String>> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e).with_context(|| format!("can't list {}", dir.display())),
    };
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.with_context(|| format!("can't list {}", dir.display()))?;
        // A name that is not UTF-8 is shown lossily; its files then fail to
        // read under that name and are reported.
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        // The entry's type comes with the listing, without following a
        // link; only a link costs a `stat`, to tell a folder from a file.
        match entry.file_type() {
            // A link to a plain file is nothing inc reads here.
            Ok(t) if t.is_symlink() && !fs::metadata(entry.path()).is_ok_and(|m| m.is_file()) => {
                links.push(link(&entry.path(), format!("{prefix}{name}")));
            }
            Ok(t) if t.is_dir() => names.push(name),
            _ => {}
        }
    }
    Ok(names)
}

/// Reads one incident folder's files.
pub fn read(root: &Path, dir: &Dir) -> IncidentFiles {
    let rel = dir.rel();
    let file = |name: &str, max| {
        let path = format!("{rel}/{name}");
        let text = read_text(&root.join(&path), max);
        File { path, text }
    };
    // The header's limits (depth, size of what the parse builds) are
    // `Header::from_yaml`'s, which reports them at their line.
    let header = file(HEADER_FILE, super::MAX_HEADER_BYTES);
    IncidentFiles {
        header,
        timeline: file(TIMELINE_FILE, super::MAX_FILE_BYTES),
        postmortem: file(POSTMORTEM_FILE, super::MAX_FILE_BYTES),
        year: dir.year.clone(),
        name: dir.name.clone(),
        dir: rel,
    }
}

/// A file's text, read as the rest of inc reads it: never through a
/// symbolic link, and at most `max` bytes.
fn read_text(path: &Path, max: u64) -> FileText {
    let mut bytes = Vec::new();
    match super::read_nofollow(path, max, &mut bytes) {
        Ok(()) => match String::from_utf8(bytes) {
            Ok(text) => FileText::Text(text),
            Err(e) => FileText::Unreadable(format!(
                "not UTF-8 text (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            )),
        },
        Err(ReadError::Missing) => FileText::Missing,
        Err(ReadError::Io(e)) if path.is_dir() => {
            FileText::Unreadable(format!("a folder, not a file ({e})"))
        }
        Err(e) => FileText::Unreadable(e.to_string()),
    }
}

/// Reads every folder of `dirs` and maps its files with `f`, on all cores;
/// the results come back in the order of `dirs`.
pub fn map_all<T, F>(root: &Path, dirs: &[Dir], f: F) -> Vec<T>
where
    T: Send,
    F: Fn(IncidentFiles) -> T + Sync,
{
    crate::par::chunks(dirs, |dirs| {
        dirs.iter().map(|d| f(read(root, d))).collect::<Vec<T>>()
    })
    .into_iter()
    .flatten()
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_every_folder_and_reads_each_file() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let incidents = root.join(INCIDENTS_DIR);
        let a = incidents.join("2026/2026-11-27-a");
        fs::create_dir_all(&a).unwrap();
        fs::write(a.join(HEADER_FILE), "title: a\n").unwrap();
        fs::write(a.join(TIMELINE_FILE), [0xff, 0xfe]).unwrap();
        fs::create_dir_all(incidents.join("2025/Misnamed")).unwrap();
        fs::create_dir_all(incidents.join("2026/.hidden")).unwrap();
        fs::write(incidents.join(".gitkeep"), "").unwrap();
        fs::write(incidents.join("2026/README.md"), "").unwrap();

        let (found, links) = dirs(root).unwrap();
        assert_eq!(links, []);
        let rels: Vec<String> = found.iter().map(Dir::rel).collect();
        assert_eq!(
            rels,
            ["incidents/2025/Misnamed", "incidents/2026/2026-11-27-a"]
        );
        let read: Vec<IncidentFiles> = map_all(root, &found, |f| f);
        let a = &read[1];
        assert_eq!(a.header.path, "incidents/2026/2026-11-27-a/incident.yaml");
        assert_eq!(a.header.text, FileText::Text("title: a\n".into()));
        assert!(matches!(a.timeline.text, FileText::Unreadable(_)));
        assert_eq!(a.postmortem.text, FileText::Missing);
        assert_eq!((a.year.as_str(), a.name.as_str()), ("2026", "2026-11-27-a"));
        assert_eq!(read[0].header.text, FileText::Missing);
    }

    #[test]
    fn no_incidents_folder_is_no_incidents() {
        let tmp = tempfile::tempdir().unwrap();
        assert_eq!(dirs(tmp.path()).unwrap(), (vec![], vec![]));
        let none: Vec<()> = map_all(tmp.path(), &[], |_| ());
        assert!(none.is_empty());
    }
}
