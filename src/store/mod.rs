//! The only code that touches the disk and git.
//!
//! An incident lives in `incidents/<year>/<id>/`: `incident.yaml` (the
//! header) and `timeline.yaml` (one event per line). Writes go through a temp
//! file and a rename, under a lock that serialises inc processes on one clone.

pub mod change;
pub mod git;
pub mod gitcli;
pub mod index;
mod lock;
pub mod scan;
pub mod site;
pub mod templates;
pub mod trust;

use std::fmt;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::model::{Event, Header, State, event, id, incident};

pub use lock::Lock;

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

/// The largest `incident.yaml` or `timeline.yaml` inc reads. Ten thousand
/// events come to about 2 MB; a file far past that is not one a person or
/// inc wrote, and reading it whole (a 2 GB timeline) would only exhaust
/// the memory. Reads stop one byte past the cap, so the cost is bounded.
pub const MAX_FILE_BYTES: u64 = 64 << 20;

/// The largest `inc.yaml` inc reads: a config of every key with hundreds
/// of services is a few tens of kilobytes.
pub const MAX_CONFIG_BYTES: u64 = 1 << 20;

/// What to do about a file that does not parse.
pub const HINT_FIX: &str = "fix the file by hand (it is plain YAML), then run inc again";
/// What to do about a symbolic link where inc reads a file or folder.
pub const HINT_LINK: &str = "replace the link with a copy of what it points to: inc reads \
     nothing through a symbolic link, so that none can pull a private file into the status page";
/// What to do about an incident folder in another year's folder.
/// What to do about a folder under a year that is not an incident ID.
pub const HINT_NAME: &str = "rename the folder to the incident's ID (`git mv`), or move it out \
     of incidents/ if it is not an incident";
pub const HINT_YEAR: &str = "move it to the year of its ID (`git mv`), or delete it if the \
     incident is there already; `inc check` lists every problem";
/// What to do about a file over [`MAX_FILE_BYTES`].
pub const HINT_SIZE: &str = "restore the file from git (`git checkout -- <file>`) or trim it; `inc check` lists every problem";

/// A file that could not be read, with where.
#[derive(Debug, Clone)]
pub struct FileError {
    /// Relative to the incident repository's root.
    pub path: PathBuf,
    pub line: Option<usize>,
    pub message: String,
    /// What to do next (one of the `HINT_*` texts).
    pub hint: &'static str,
}

impl FileError {
    /// `path` is a symbolic link (to `target`, when it can be read).
    fn link(root: &Path, rel: &Path) -> FileError {
        FileError {
            path: rel.to_path_buf(),
            line: None,
            message: link_message(&root.join(rel)),
            hint: HINT_LINK,
        }
    }
}

/// Why a file that is read for the status page could not be.
#[derive(Debug)]
pub enum ReadError {
    Missing,
    /// A symbolic link, refused; the message names its target.
    Link(String),
    /// Larger than the cap it was read with (in bytes).
    TooLarge(u64),
    Io(io::Error),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Missing => f.write_str("missing"),
            ReadError::Link(message) => f.write_str(message),
            ReadError::TooLarge(max) => write!(
                f,
                "larger than {}; inc reads at most that much of a file",
                show_bytes(*max)
            ),
            ReadError::Io(e) => write!(f, "can't read: {e}"),
        }
    }
}

impl ReadError {
    pub fn hint(&self) -> &'static str {
        match self {
            ReadError::Link(_) => HINT_LINK,
            ReadError::TooLarge(_) => HINT_SIZE,
            ReadError::Missing | ReadError::Io(_) => HINT_FIX,
        }
    }
}

fn show_bytes(n: u64) -> String {
    if n >= 1 << 20 && n.is_multiple_of(1 << 20) {
        format!("{} MB", n >> 20)
    } else {
        format!("{n} bytes")
    }
}

/// " (to `target`)" for the symbolic link at `path`, or nothing when its
/// target can't be read: what errors about a link say it points to.
pub fn link_target(path: &Path) -> String {
    fs::read_link(path)
        .map(|t| format!(" (to `{}`)", t.display()))
        .unwrap_or_default()
}

/// "a symbolic link (to `target`); …" for the link at `path`.
fn link_message(path: &Path) -> String {
    format!(
        "a symbolic link{}; inc does not follow links here",
        link_target(path)
    )
}

pub use crate::model::incident::{MAX_NESTING, too_deep, too_deep_message};

/// The largest `incident.yaml` inc reads ([`incident::MAX_HEADER_BYTES`]):
/// a header is a few hundred bytes, and what the parser builds of one
/// takes many times its size.
pub const MAX_HEADER_BYTES: u64 = incident::MAX_HEADER_BYTES as u64;

/// Whether `path` itself (not what it may point to) is a symbolic link.
pub fn is_link(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// Opens `path` for reading without following a symbolic link as its last
/// component (`O_NOFOLLOW`: checked by the kernel in the open itself, so
/// no link can be swapped in between a check and the read, and no system
/// call is added), and without blocking on a named pipe (`O_NONBLOCK`,
/// which changes nothing for a plain file).
pub fn open_nofollow(path: &Path) -> io::Result<fs::File> {
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    #[cfg(not(unix))]
    if is_link(path) {
        return Err(io::Error::other("a symbolic link"));
    }
    options.open(path)
}

/// Reads the file at `path` into `buf` (appending) through
/// [`open_nofollow`], at most `max` bytes: a symbolic link, a missing file
/// and a file over `max` are errors of their own. Costs an `lstat` only
/// when the open fails.
pub fn read_nofollow(path: &Path, max: u64, buf: &mut Vec<u8>) -> Result<(), ReadError> {
    let start = buf.len();
    let read = open_nofollow(path).and_then(|file| {
        // Through `take`, as a plain reader: `File`'s own `read_to_end`
        // asks for the size first.
        io::Read::read_to_end(&mut io::Read::take(file, max.saturating_add(1)), buf)
    });
    match read {
        Ok(_) if (buf.len() - start) as u64 > max => {
            buf.truncate(start);
            Err(ReadError::TooLarge(max))
        }
        Ok(_) => Ok(()),
        // With O_NOFOLLOW a link fails (ELOOP on Linux, EMLINK on the BSDs),
        // dangling or not: tell it apart from other failures by looking.
        Err(_) if is_link(path) => Err(ReadError::Link(link_message(path))),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Err(ReadError::Missing),
        Err(e) => Err(ReadError::Io(e)),
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.path.display(), self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

impl std::error::Error for FileError {}

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
            Ok(()) => String::from_utf8(bytes)
                .map_err(|_| anyhow::anyhow!("{CONFIG_FILE} is not UTF-8 text\nhint: {HINT_FIX}")),
            Err(ReadError::Missing) => Ok(String::new()),
            Err(e) => Err(anyhow::anyhow!("{CONFIG_FILE}: {e}\nhint: {}", e.hint())),
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
mod tests {
    use super::*;

    #[test]
    fn timeline_sorts_and_dedups() {
        let text = "\
- {\"at\":\"2026-11-27T10:05:00Z\",\"by\":\"b\",\"type\":\"note\",\"text\":\"second\"}
- {\"at\":\"2026-11-27T10:00:00Z\",\"by\":\"a\",\"type\":\"opened\",\"severity\":\"SEV2\",\"status\":\"investigating\"}
- {\"at\":\"2026-11-27T10:05:00Z\",\"by\":\"b\",\"type\":\"note\",\"text\":\"second\"}

- {\"at\":\"2026-11-27T10:05:00Z\",\"by\":\"c\",\"type\":\"note\",\"text\":\"third\"}
";
        let events = parse_timeline(text).unwrap();
        assert_eq!(events.len(), 3);
        assert_eq!(events[0].kind.name(), "opened");
        assert_eq!(events[1].by, "b");
        assert_eq!(events[2].by, "c");
    }

    #[test]
    fn loading_names_missing_unreadable_and_broken_files() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::new(tmp.path().to_path_buf());
        let id = "2026-11-27-a";
        let dir = tmp.path().join(Store::dir_of(id));
        fs::create_dir_all(&dir).unwrap();
        let message = |store: &Store| store.load(id).unwrap_err().to_string();
        assert!(message(&store).contains("missing"), "{}", message(&store));
        fs::write(dir.join(HEADER_FILE), b"title: caf\xe9\n").unwrap();
        assert!(
            message(&store).contains("not UTF-8 text (invalid byte at offset 10)"),
            "{}",
            message(&store)
        );
        fs::write(
            dir.join(HEADER_FILE),
            "title: A\nopened_at: 2026-11-27T10:00:00Z\nopened_by: a\n",
        )
        .unwrap();
        fs::write(dir.join(TIMELINE_FILE), "- {\"at\": 1}\n").unwrap();
        let err = store.load(id).unwrap_err();
        assert_eq!((err.path, err.line), (Store::timeline_path(id), Some(1)));
        // A long file after a short one: the kept buffer holds no stale bytes.
        let long = "- {\"at\":\"2026-11-27T10:00:00Z\",\"by\":\"a\",\"type\":\"opened\",\"severity\":\"SEV2\",\"status\":\"investigating\"}\n"
            .repeat(400);
        fs::write(dir.join(TIMELINE_FILE), &long).unwrap();
        assert_eq!(store.load(id).unwrap().events.len(), 1);
        fs::write(
            dir.join(TIMELINE_FILE),
            "- {\"at\":\"2026-11-27T10:01:00Z\",\"by\":\"a\",\"type\":\"ack\"}\n",
        )
        .unwrap();
        let events = store.load(id).unwrap().events;
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].kind.name(), "ack");
    }

    #[test]
    fn deep_nesting_is_found_with_its_line() {
        assert_eq!(too_deep("title: a\nlabels: {a: [b, c]}\n"), None);
        let deep = format!("title: a\nx: {}\n", "[".repeat(MAX_NESTING + 1));
        assert_eq!(too_deep(&deep), Some(2));
        // Closed brackets don't add up.
        assert_eq!(too_deep(&"[]".repeat(10_000)), None);
        assert_eq!(too_deep(&"]".repeat(10_000)), None);
    }

    #[cfg(unix)]
    #[test]
    fn reads_refuse_links_and_files_over_the_cap() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("file");
        fs::write(&file, "0123456789").unwrap();
        let link = tmp.path().join("link");
        std::os::unix::fs::symlink(&file, &link).unwrap();
        let dangling = tmp.path().join("dangling");
        std::os::unix::fs::symlink(tmp.path().join("nothing"), &dangling).unwrap();
        let read = |path: &Path, max| {
            let mut buf = b"kept".to_vec();
            read_nofollow(path, max, &mut buf).map(|()| buf)
        };
        assert_eq!(read(&file, 10).unwrap(), b"kept0123456789");
        assert!(matches!(read(&file, 9), Err(ReadError::TooLarge(9))));
        assert!(matches!(
            read(&tmp.path().join("none"), 9),
            Err(ReadError::Missing)
        ));
        for link in [&link, &dangling] {
            match read(link, 10) {
                Err(ReadError::Link(message)) => {
                    assert!(message.contains("symbolic link (to `"), "{message}")
                }
                other => panic!("{other:?}"),
            }
        }
        // A folder that is a link is found by `load` and by the listing.
        let store = Store::new(tmp.path().to_path_buf());
        let id = "2026-11-27-a";
        fs::create_dir_all(tmp.path().join("elsewhere")).unwrap();
        fs::create_dir_all(tmp.path().join("incidents/2026")).unwrap();
        std::os::unix::fs::symlink("../../elsewhere", tmp.path().join(Store::dir_of(id))).unwrap();
        let err = store.load(id).unwrap_err();
        assert_eq!((err.path, err.hint), (Store::dir_of(id), HINT_LINK));
        let (ids, links) = store.listing().unwrap();
        assert!(ids.is_empty());
        assert_eq!(links[0].path, Store::dir_of(id));
    }

    #[test]
    fn timeline_error_names_the_line() {
        let text =
            "- {\"at\":\"2026-11-27T10:00:00Z\",\"by\":\"a\",\"type\":\"ack\"}\n<<<<<<< HEAD\n";
        let (line, message) = parse_timeline(text).unwrap_err();
        assert_eq!(line, 2);
        assert!(message.contains("expected a line"), "{message}");
    }

    proptest::proptest! {
        #[test]
        fn timelines_never_panic(text in "(.{0,80}\n){0,8}") {
            let _ = parse_timeline(&text);
        }
    }
}
