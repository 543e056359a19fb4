//! Reading a file of the repository safely: never through a symbolic
//! link, never past a size cap, and with errors that name the file and
//! say what to do next.

use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::model::incident;

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
/// What to do about a folder under a year that is not an incident ID.
pub const HINT_NAME: &str = "rename the folder to the incident's ID (`git mv`), or move it out \
     of incidents/ if it is not an incident";
/// What to do about an incident folder in another year's folder.
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
    pub(super) fn link(root: &Path, rel: &Path) -> FileError {
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
