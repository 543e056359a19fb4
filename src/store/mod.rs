//! The only code that touches the disk and git.
//!
//! An incident lives in `incidents/<year>/<id>/`: `incident.yaml` (the
//! header) and `timeline.yaml` (one event per line). Writes go through a temp
//! file and a rename, under a lock that serialises inc processes on one clone.
//! Reads go through `read` (no symbolic link followed, sizes capped, errors
//! that name the file).

pub mod change;
pub mod git;
pub mod gitcli;
pub mod index;
mod lock;
mod read;
pub mod scan;
pub mod site;
pub mod templates;
pub mod trust;

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::error::user_error_with_hint;
use crate::model::{Event, Header, State, event, id, incident};

pub use lock::Lock;
pub use read::{
    FileError, HINT_FIX, HINT_LINK, HINT_NAME, HINT_SIZE, HINT_YEAR, MAX_CONFIG_BYTES,
    MAX_FILE_BYTES, MAX_HEADER_BYTES, ReadError, is_link, link_target, open_nofollow,
    read_nofollow,
};

pub const CONFIG_FILE: &str = "inc.yaml";
pub const INCIDENTS_DIR: &str = "incidents";
pub const HEADER_FILE: &str = "incident.yaml";
pub const TIMELINE_FILE: &str = "timeline.yaml";

/// An incident as read from disk.
#[derive(Debug, Clone)]
pub struct Incident {
    pub id: String,
    pub header: Header,
    /// Sorted by time (stable), exact duplicate lines dropped.
    pub events: Vec<Event>,
    pub state: State,
}

pub use crate::model::incident::{MAX_NESTING, too_deep, too_deep_message};

/// An incident repository on disk.
#[derive(Debug, Clone)]
pub struct Store {
    root: PathBuf,
}

impl Store {
    pub fn new(root: PathBuf) -> Store {
        Store { root }
    }

    /// Finds the root like git finds its work tree: the nearest ancestor of
    /// `start` holding `inc.yaml` or an `incidents/` folder.
    pub fn discover(start: &Path) -> Option<Store> {
        start
            .ancestors()
            .find(|dir| Store::is_root(dir))
            .map(|dir| Store::new(dir.to_path_buf()))
    }

    pub fn is_root(dir: &Path) -> bool {
        dir.join(CONFIG_FILE).is_file() || dir.join(INCIDENTS_DIR).is_dir()
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn config_path(&self) -> PathBuf {
        self.root.join(CONFIG_FILE)
    }

    /// The config file's text, empty when there is none.
    pub fn read_config(&self) -> Result<String> {
        // Never through a link (one to a file outside the repository would
        // put its text on the page), nor more than a config can hold (a
        // link to /dev/zero, or a file of gigabytes).
        let mut bytes = Vec::new();
        match read_nofollow(&self.config_path(), MAX_CONFIG_BYTES, &mut bytes) {
            Ok(()) => String::from_utf8(bytes).map_err(|_| {
                user_error_with_hint(format!("{CONFIG_FILE} is not UTF-8 text"), HINT_FIX)
            }),
            Err(ReadError::Missing) => Ok(String::new()),
            Err(e) => Err(user_error_with_hint(
                format!("{CONFIG_FILE}: {e}"),
                e.hint(),
            )),
        }
    }

    pub fn oncall_path(&self) -> PathBuf {
        self.root.join(crate::config::ONCALL_FILE)
    }

    /// `oncall.yaml`'s text, `None` when there is none.
    pub fn read_oncall(&self) -> Result<Option<String>> {
        match fs::read_to_string(self.oncall_path()) {
            Ok(text) => Ok(Some(text)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e).with_context(|| format!("can't read {}", crate::config::ONCALL_FILE)),
        }
    }

    /// An incident's folder, relative to the root.
    pub fn dir_of(id: &str) -> PathBuf {
        Path::new(INCIDENTS_DIR).join(id::year(id)).join(id)
    }

    pub fn header_path(id: &str) -> PathBuf {
        Store::dir_of(id).join(HEADER_FILE)
    }

    pub fn timeline_path(id: &str) -> PathBuf {
        Store::dir_of(id).join(TIMELINE_FILE)
    }

    pub fn exists(&self, id: &str) -> bool {
        self.root.join(Store::dir_of(id)).exists()
    }

    /// Every incident ID, sorted, from folder names alone (no file is read).
    /// Folders that are symbolic links are left out ([`Store::listing`]).
    pub fn ids(&self) -> Result<Vec<String>> {
        Ok(self.listing()?.0)
    }

    /// Every incident ID, sorted, from folder names alone, and an error
    /// for each symbolic link found where a folder is read (`incidents/`
    /// itself, a year folder, an incident folder) and for each incident
    /// folder in a year folder other than its ID's (one ID in two year
    /// folders would otherwise be listed and published twice). inc reads nothing through
    /// a link (one could pull a private incident, or any file, into the
    /// status page). The listing says which entries are links at no cost;
    /// only a link at the year level is `stat`ed, to tell a folder from a
    /// file.
    pub fn listing(&self) -> Result<(Vec<String>, Vec<FileError>)> {
        let mut ids = Vec::new();
        let mut links = Vec::new();
        let incidents = self.root.join(INCIDENTS_DIR);
        if is_link(&incidents) {
            links.push(FileError::link(&self.root, Path::new(INCIDENTS_DIR)));
            return Ok((ids, links));
        }
        let years = match fs::read_dir(&incidents) {
            Ok(years) => years,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok((ids, links)),
            Err(e) => return Err(e).with_context(|| format!("can't list {}", incidents.display())),
        };
        for year in years {
            let year = year?;
            let kind = year.file_type()?;
            if kind.is_symlink() {
                // A link to a folder would be a year of incidents; one to
                // a file, or a dangling one, is nothing inc would read.
                let hidden = year.file_name().to_string_lossy().starts_with('.');
                if !hidden && fs::metadata(year.path()).is_ok_and(|m| m.is_dir()) {
                    let rel = Path::new(INCIDENTS_DIR).join(year.file_name());
                    links.push(FileError::link(&self.root, &rel));
                }
                continue;
            }
            if !kind.is_dir() {
                continue;
            }
            for entry in fs::read_dir(year.path())? {
                let entry = entry?;
                let name = entry.file_name();
                let kind = entry.file_type()?;
                let Some(name) = name.to_str().filter(|name| id::is_id(name)) else {
                    // A folder inc can't read as an incident would drop off
                    // every listing and the status page without a word
                    // (`2026-12-07-Checkout-Down`): an error, unless hidden
                    // (inc's own temp folders are).
                    let shown = name.to_string_lossy();
                    if kind.is_dir() && !shown.starts_with('.') {
                        links.push(FileError {
                            message: format!(
                                "the folder name `{shown}` is not an incident ID \
                                 (YYYY-MM-DD-slug: the date, then lowercase a-z, 0-9 and -), \
                                 so inc can't read it as an incident"
                            ),
                            path: Path::new(INCIDENTS_DIR).join(year.file_name()).join(&name),
                            line: None,
                            hint: HINT_NAME,
                        });
                    }
                    continue;
                };
                if kind.is_dir() && id::year(name) != year.file_name().to_string_lossy() {
                    // Read from its own year's folder, it would be listed
                    // (and published) twice when a copy sits there too.
                    let rel = Path::new(INCIDENTS_DIR).join(year.file_name()).join(name);
                    links.push(FileError {
                        message: format!(
                            "the incident `{name}` is in the year folder `{}`; \
                             its folder is {}",
                            year.file_name().to_string_lossy(),
                            Store::dir_of(name).display()
                        ),
                        path: rel,
                        line: None,
                        hint: HINT_YEAR,
                    });
                } else if kind.is_dir() {
                    ids.push(name.to_owned());
                } else if kind.is_symlink() {
                    let rel = Path::new(INCIDENTS_DIR).join(year.file_name()).join(name);
                    links.push(FileError::link(&self.root, &rel));
                }
            }
        }
        ids.sort_unstable();
        links.sort_unstable_by(|a, b| a.path.cmp(&b.path));
        Ok((ids, links))
    }

    /// Fails, naming the link, if `incidents/`, the year folder or the
    /// folder of incident `id` is a symbolic link: three `lstat`s, for
    /// commands that read or write one incident (a listing finds links
    /// for free).
    pub fn check_links(&self, id: &str) -> Result<(), FileError> {
        let dir = Store::dir_of(id);
        for rel in dir.ancestors().collect::<Vec<_>>().into_iter().rev() {
            if !rel.as_os_str().is_empty() && is_link(&self.root.join(rel)) {
                return Err(FileError::link(&self.root, rel));
            }
        }
        Ok(())
    }

    /// Reads one incident; a symbolic link on the way is an error.
    pub fn load(&self, id: &str) -> Result<Incident, FileError> {
        self.check_links(id)?;
        self.read_incident(id)
    }

    /// Reads one incident whose folders are known not to be links.
    fn read_incident(&self, id: &str) -> Result<Incident, FileError> {
        let header = self.load_header(id)?;
        let events = self.load_events(id)?;
        let state = State::fold(&events);
        Ok(Incident {
            id: id.to_owned(),
            header,
            events,
            state,
        })
    }

    /// Reads every incident, on all cores, in ID order. Broken ones (and
    /// symbolic links where folders should be) come back as errors; the
    /// others still load. Without `keep_events` only
    /// the folded state is kept, which is what listings need, in a
    /// fraction of the memory.
    pub fn load_all(&self, keep_events: bool) -> Result<(Vec<Incident>, Vec<FileError>)> {
        let (parts, errors) =
            self.load_each(Vec::new, |kept: &mut Vec<Incident>, mut incident| {
                if !keep_events {
                    incident.events = Vec::new();
                }
                kept.push(incident);
            })?;
        let mut incidents = Vec::with_capacity(parts.iter().map(Vec::len).sum());
        for part in parts {
            incidents.extend(part);
        }
        incidents.sort_unstable_by(|a, b| a.id.cmp(&b.id));
        Ok((incidents, errors))
    }

    /// Reads every incident on all cores and hands each, as soon as it is
    /// read, to `each` with its worker's accumulator (made by `init`): a
    /// caller that keeps only a digest never holds every timeline at once,
    /// and the memory one incident used serves the next. Returns the
    /// accumulators, in no particular order (each worker sees its
    /// incidents in ID order), and the broken incidents' errors (symbolic
    /// links included) in path order.
    pub fn load_each<A: Send>(
        &self,
        init: impl Fn() -> A + Sync,
        each: impl Fn(&mut A, Incident) + Sync,
    ) -> Result<(Vec<A>, Vec<FileError>)> {
        let (ids, links) = self.listing()?;
        let results = crate::par::fold(
            &ids,
            || (init(), Vec::new()),
            |(acc, errors), start, ids| {
                for (n, id) in ids.iter().enumerate() {
                    match self.read_incident(id) {
                        Ok(incident) => each(acc, incident),
                        Err(_) if self.is_empty_folder(id) => {}
                        Err(e) => errors.push((start + n, e)),
                    }
                }
            },
        );
        let mut parts = Vec::with_capacity(results.len());
        let mut errors = Vec::new();
        for (acc, e) in results {
            parts.push(acc);
            errors.extend(e);
        }
        errors.sort_unstable_by_key(|(n, _)| *n);
        let mut errors: Vec<FileError> = errors.into_iter().map(|(_, e)| e).collect();
        if !links.is_empty() {
            errors.extend(links);
            errors.sort_by(|a, b| a.path.cmp(&b.path));
        }
        Ok((parts, errors))
    }

    /// Whether incident `id`'s folder holds nothing: no incident, but what
    /// git leaves behind (it tracks no folders) or a failed `inc open`.
    /// Asked only of a folder that failed to load.
    fn is_empty_folder(&self, id: &str) -> bool {
        fs::read_dir(self.root.join(Store::dir_of(id))).is_ok_and(|mut d| d.next().is_none())
    }

    /// Every incident whose header has label `key` set to `value` and
    /// passes `keep`, with its header, in ID order. Reads the headers on
    /// all cores and parses only those whose text may hold the pair
    /// ([`incident::may_have_label`]); never a timeline. A header that
    /// can't be read or parsed is skipped: it is `inc check`'s to report.
    pub fn with_label(
        &self,
        key: &str,
        value: &str,
        keep: impl Fn(&Header) -> bool + Sync,
    ) -> Result<Vec<(String, Header)>> {
        let ids = self.ids()?;
        let found = crate::par::chunks(&ids, |ids| {
            // One buffer per worker, and no `stat` for a size hint: headers
            // are small, and the syscalls are most of the cost here.
            let mut buf = Vec::with_capacity(8192);
            ids.iter()
                .filter_map(|id| {
                    buf.clear();
                    let path = self.root.join(Store::header_path(id));
                    read_nofollow(&path, MAX_HEADER_BYTES, &mut buf).ok()?;
                    let text = std::str::from_utf8(&buf).ok()?;
                    if !incident::may_have_label(text, key, value) {
                        return None;
                    }
                    let header = Header::from_yaml(text).ok()?;
                    (header.labels.get(key).map(String::as_str) == Some(value) && keep(&header))
                        .then(|| (id.clone(), header))
                })
                .collect::<Vec<_>>()
        });
        Ok(found.into_iter().flatten().collect())
    }

    /// Reads the file at `rel` (at most `max` bytes of it) and hands its
    /// text to `parse`. The bytes go
    /// into a buffer each thread keeps, asked for in one go without a
    /// `stat` for the size: loading reads 20,000 files for 10,000
    /// incidents, and a string and a system call per file were a good part
    /// of that. `parse` must not read another file.
    fn read_with<T>(
        &self,
        rel: &Path,
        max: u64,
        parse: impl FnOnce(&str) -> Result<T, FileError>,
    ) -> Result<T, FileError> {
        thread_local! {
            static BUF: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        let error = |message: String, hint| FileError {
            path: rel.to_path_buf(),
            line: None,
            message,
            hint,
        };
        BUF.with_borrow_mut(|buf| {
            buf.clear();
            buf.reserve(16 * 1024);
            if let Err(e) = read_nofollow(&self.root.join(rel), max, buf) {
                let hint = e.hint();
                // The buffer is kept for the next file: don't let one
                // huge read pin its memory.
                if buf.capacity() > 4 << 20 {
                    *buf = Vec::new();
                }
                return Err(error(e.to_string(), hint));
            }
            let result = match std::str::from_utf8(buf) {
                Ok(text) => parse(text),
                Err(e) => Err(error(
                    format!(
                        "not UTF-8 text (invalid byte at offset {})",
                        e.valid_up_to()
                    ),
                    HINT_FIX,
                )),
            };
            if buf.capacity() > 4 << 20 {
                *buf = Vec::new();
            }
            result
        })
    }

    pub fn load_header(&self, id: &str) -> Result<Header, FileError> {
        let rel = Store::header_path(id);
        self.read_with(&rel, MAX_HEADER_BYTES, |text| parse_header(&rel, text))
    }

    pub fn load_events(&self, id: &str) -> Result<Vec<Event>, FileError> {
        let rel = Store::timeline_path(id);
        self.read_with(&rel, MAX_FILE_BYTES, |text| {
            parse_timeline(text).map_err(|(line, message)| FileError {
                path: rel.clone(),
                line: Some(line),
                message,
                hint: HINT_FIX,
            })
        })
    }

    /// Writes `rel` (relative to the root) via a temp file in the same folder
    /// and a rename, so readers see the old or the new file, never half.
    pub fn write_atomic(&self, rel: &Path, contents: &[u8]) -> Result<()> {
        write_file_atomic(&self.root.join(rel), contents)
    }
}

/// Writes `path` through a temp file beside it (its folder made if
/// missing), flushed, then renamed into place: readers see the old file or
/// the new one, never half.
pub fn write_file_atomic(path: &Path, contents: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).with_context(|| format!("can't create {}", dir.display()))?;
    let mut tmp = temp_file_in(dir)?;
    tmp.write_all(contents)?;
    tmp.as_file().sync_data()?;
    tmp.persist(path)
        .with_context(|| format!("can't write {}", path.display()))?;
    Ok(())
}

/// For the crash tests: `INC_CRASH_AT=<step>` makes inc abort at that step
/// of a change (`objects`, `journal`, `tree`, `index-lock`, `index`,
/// `head`), as a kill would, so that each step's window is tested, not
/// only those a random kill happens to hit.
pub(crate) fn crash_point(step: &str) {
    if std::env::var_os("INC_CRASH_AT").is_some_and(|at| at == step) {
        std::process::abort();
    }
}

/// The lines of `events` as a timeline holds them.
pub fn event_lines(events: &[Event]) -> Vec<u8> {
    let mut text = Vec::new();
    for event in events {
        text.extend_from_slice(event.to_line().as_bytes());
        text.push(b'\n');
    }
    text
}

/// A temp file in `dir` to be renamed over a file there. Readable by all
/// (0644, like a file an editor saves), not tempfile's private 0600: the
/// files are meant to be read by others, from web servers to teammates.
pub fn temp_file_in(dir: &Path) -> Result<tempfile::NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".inc-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o644));
    }
    builder
        .tempfile_in(dir)
        .with_context(|| format!("can't write in {}", dir.display()))
}

/// Parses the text of the header at `rel` (relative to the root) as
/// [`Store::load_header`] does once it has read the file. Pure, so it can
/// be fuzzed.
pub fn parse_header(rel: &Path, text: &str) -> Result<Header, FileError> {
    Header::from_yaml(text).map_err(|e| FileError {
        path: rel.to_path_buf(),
        line: e.line,
        message: e.message,
        hint: e.hint.unwrap_or(HINT_FIX),
    })
}

/// Parses a timeline: sorted by time (stable), exact duplicate lines (left by
/// a union merge) dropped. The error is (1-based line, message).
pub fn parse_timeline(text: &str) -> Result<Vec<Event>, (usize, String)> {
    let mut parsed: Vec<(Event, &str, ())> = Vec::with_capacity(text.len() / 100);
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if let Some(event) = Event::from_line(line).map_err(|m| (n + 1, m))? {
            parsed.push((event, line, ()));
        }
    }
    Ok(event::sort_dedup(parsed)
        .into_iter()
        .map(|(event, ())| event)
        .collect())
}

#[cfg(test)]
mod tests;
