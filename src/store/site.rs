//! Writing a built site to its folder.
//!
//! Only files whose bytes changed are written (a file that exists through
//! a temp file and a rename), so an unchanged rebuild keeps every file's
//! mtime and a deploy uploads only what changed. Nothing but inc's own
//! files in the folder is touched.
//!
//! **The manifest.** The folder keeps `.inc-site`, which says which files
//! inc wrote there, so that a file the site no longer produces (the page
//! of an incident made private) is removed. It is deployed with the site,
//! so it names nothing: each line is the hex SHA-1 of a file's relative
//! path, and the files to remove are found by walking the folder (never
//! following a symbolic link) and hashing each path found. A hash stops
//! anyone reading the names; it does not stop someone confirming a guessed
//! path, which is why public paths must carry no internal text at all.
//!
//! **Crash safety.** New pages are created while the site renders, before
//! the build knows every path it will write, so the manifest can't list
//! them ahead. It records the complement instead: before the first file is
//! created, replaced or removed, the manifest is rewritten (synced, then
//! renamed into place, then the folder synced) in the *building* state,
//! listing inc's files of the last build and, as `user` lines, every other
//! file then in the folder. A build that finds the manifest still building
//! (the last one was killed, or the machine lost power) treats every file
//! in the folder that is not a `user` file as inc's, so it removes what the
//! killed build created and the site no longer has. The one cost: a file a
//! person adds to the folder between a killed build and the next one is
//! taken for inc's (and removed when the site doesn't produce it). The
//! last step writes the manifest in the *complete* state. Temp files
//! (`.inc-site.tmp-…`) left by a killed build are removed. Only the
//! manifest is synced, with its folder: before a build's first change and
//! after its last (never in an unchanged build; 4 fsyncs, under 10 ms, in
//! a first build of 10,000 incidents). A page lost to a power cut is
//! written again by the next build, which finds it differs. The folder is
//! locked while a build runs, so two builds never interleave.
//!
//! **Symbolic links.** Nothing is written, compared or removed through a
//! symbolic link: every folder on a path is checked with `symlink_metadata`
//! (once per folder) and must be a real folder; a link where the site wants
//! a file or a folder is an error naming it (inc never replaces it: it is
//! not inc's). Only plain files found by the walk are ever removed, so a
//! manifest line can't reach outside the folder or through a link.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::fs;
use std::io::{self, Read, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use anyhow::{Context, Result, bail};
use sha1::{Digest, Sha1};

/// The manifest of the files inc wrote.
pub const MANIFEST: &str = ".inc-site";
/// How the names of inc's temp files in the site's folder start.
const TEMP_PREFIX: &str = ".inc-site.tmp-";
/// The manifest's first line in each state.
const COMPLETE: &str = "# inc-site 2 complete: SHA-1 of the path of each file inc wrote here";
const BUILDING: &str = "# inc-site 2 building: a build began and has not finished";
/// The prefix of a line naming (by hash) a file that is not inc's.
const USER: &str = "user ";
/// The prefix of the line holding the scan digest (keyed: see
/// [`scan_key`]) the files passed under.
const SCANNED: &str = "scanned ";

/// A file's relative path, hashed.
type Hash = [u8; 20];

fn hash(rel: &str) -> Hash {
    Sha1::digest(rel.as_bytes()).into()
}

fn hex(hash: &Hash) -> String {
    let mut s = String::with_capacity(40);
    for b in hash {
        let _ = write!(s, "{b:02x}");
    }
    s
}

fn from_hex(s: &str) -> Option<Hash> {
    if s.len() != 40 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut out = [0u8; 20];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

/// This clone's key for the scan digests the manifests record
/// (`inc-site-key` in `dir`, `.git` or `.inc`; made on first use from the
/// system's random source). A digest of the private texts is keyed so that
/// the public manifest lets no one confirm a guess of them; a build by
/// another clone, with another key, scans every file.
pub fn scan_key(dir: &Path) -> Result<[u8; 32]> {
    let path = dir.join("inc-site-key");
    if let Ok(bytes) = fs::read(&path)
        && let Ok(key) = <[u8; 32]>::try_from(bytes.as_slice())
    {
        return Ok(key);
    }
    let mut key = [0u8; 32];
    let mut random = fs::File::open("/dev/urandom").context("can't read /dev/urandom")?;
    random
        .read_exact(&mut key)
        .context("can't read /dev/urandom")?;
    fs::create_dir_all(dir).with_context(|| format!("can't create {}", dir.display()))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".inc-site-key.")
        .tempfile_in(dir)
        .with_context(|| format!("can't write in {}", dir.display()))?;
    tmp.write_all(&key)?;
    tmp.persist(&path)
        .with_context(|| format!("can't write {}", path.display()))?;
    Ok(key)
}

/// What a write did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    pub changed: usize,
    pub unchanged: usize,
    pub removed: usize,
}

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
        "hint: remove the link {} (the site's folder must hold real files and folders), \
         or build into another folder with --out",
        path.display()
    )
}

/// Whether `rel` is a plain relative path inside the folder.
fn is_inside(rel: &str) -> bool {
    !rel.is_empty()
        && Path::new(rel)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

/// Whether `rel` names one of inc's temp files.
fn is_temp(rel: &str) -> bool {
    rel.rsplit('/')
        .next()
        .is_some_and(|name| name.starts_with(TEMP_PREFIX))
}

/// Whether the site may write `rel`: inside the folder, and neither the
/// manifest nor a name inc keeps for its temp files.
fn is_writable(rel: &str) -> bool {
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
        anyhow::anyhow!(
            "refusing to build the site into {}{via}: it is {what}\n\
             hint: pass --out a folder outside the repository's incidents/, templates/ \
             and .git/, e.g. --out site (the default)",
            out.display()
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
                    bail!(
                        "{} is a symbolic link to something that does not exist\n\
                         hint: remove the link, or pass --out another folder",
                        existing.display()
                    );
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

/// The manifest as read.
#[derive(Debug, Default, Clone)]
struct Manifest {
    /// Whether a build began and did not finish.
    building: bool,
    /// inc's files.
    owned: HashSet<Hash>,
    /// The other files in the folder when the unfinished build began.
    user: HashSet<Hash>,
    /// The (keyed) scan digest every file of the last finished build
    /// passed under.
    scanned: Option<Hash>,
}

impl Manifest {
    fn parse(text: &str) -> Manifest {
        let mut m = Manifest::default();
        for line in text.lines() {
            if line == BUILDING {
                m.building = true;
            } else if line.is_empty() || line.starts_with('#') {
            } else if let Some(h) = line.strip_prefix(USER).and_then(from_hex) {
                m.user.insert(h);
            } else if let Some(h) = line.strip_prefix(SCANNED).and_then(from_hex) {
                m.scanned = Some(h);
            } else if let Some(h) = from_hex(line) {
                m.owned.insert(h);
            } else {
                // A path, as inc wrote the manifest before it hashed them.
                m.owned.insert(hash(line));
            }
        }
        m
    }

    /// The manifest's text: sorted, so the same site gives the same bytes.
    fn text(&self) -> String {
        let mut owned: Vec<String> = self.owned.iter().map(hex).collect();
        owned.sort_unstable();
        let mut text = String::with_capacity(41 * (owned.len() + self.user.len() + 2));
        text.push_str(if self.building { BUILDING } else { COMPLETE });
        text.push('\n');
        if let Some(scanned) = self.scanned.filter(|_| !self.building) {
            text.push_str(SCANNED);
            text.push_str(&hex(&scanned));
            text.push('\n');
        }
        for h in owned {
            text.push_str(&h);
            text.push('\n');
        }
        if self.building {
            let mut user: Vec<String> = self.user.iter().map(hex).collect();
            user.sort_unstable();
            for h in user {
                text.push_str(USER);
                text.push_str(&h);
                text.push('\n');
            }
        }
        text
    }
}

/// What the first change of a build found and recorded (see the module doc).
struct Begun {
    /// Every plain file in the folder when the build began.
    present: Vec<(String, Hash)>,
    /// The manifest as written, in the building state.
    manifest: Manifest,
}

/// The site's folder: for the build to compare its files with and to
/// create new ones in, then to write the changed files, remove the stale
/// ones and record the manifest ([`Folder::finish`]), or to undo what it
/// created when the build fails ([`Folder::discard`]).
pub struct Folder {
    dir: PathBuf,
    /// Whether `dir` existed before the build: when it did not, it holds
    /// no file of the site, and there is nothing to compare.
    existed: bool,
    /// The manifest's bytes before the build, when it had one.
    before: Option<Vec<u8>>,
    manifest: Manifest,
    /// Whether temp files of a killed build lie in the folder.
    stray: bool,
    created: Mutex<Vec<PathBuf>>,
    /// Folders (relative; "" is `dir`) known to be real folders, checked
    /// once rather than for every page.
    dirs: Mutex<HashSet<String>>,
    begun: Mutex<Option<Begun>>,
    /// The folder itself, locked so that two builds never write it at
    /// once; held (not read) until the build ends.
    guard: Mutex<Option<fs::File>>,
}

/// Locks the folder `dir` for this build (an advisory lock on the folder
/// itself: no file is added to it); None where folders can't be opened.
fn lock_dir(dir: &Path) -> Result<Option<fs::File>> {
    if !cfg!(unix) {
        return Ok(None);
    }
    // A folder that can't be opened or locked (some network filesystems)
    // is built without the lock, as before there was one.
    let Ok(file) = fs::File::open(dir) else {
        return Ok(None);
    };
    // A lock just released can stay held for a moment: a process that
    // forked (to run git) holds its copy of the descriptor until it execs.
    let started = std::time::Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(Some(file)),
            Err(fs::TryLockError::WouldBlock)
                if started.elapsed() < std::time::Duration::from_secs(2) =>
            {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Err(fs::TryLockError::WouldBlock) => bail!(
                "another `inc site build` is writing to {}\nhint: wait for it to finish, then build again",
                dir.display()
            ),
            Err(fs::TryLockError::Error(_)) => return Ok(None),
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The folder part of a relative path ("" for a file at the top).
fn parent_of(rel: &str) -> &str {
    rel.rsplit_once('/').map_or("", |(dir, _)| dir)
}

impl Folder {
    /// The folder `dir` (made absolute and checked by [`out_dir`]), ready
    /// for a build. Refuses a folder that holds files but no manifest (not
    /// an inc site: building would overwrite its files) unless `force`.
    /// The scan digest the files inc made here passed under, as the last
    /// build that finished recorded it (see [`Folder::finish`]).
    pub fn scanned(&self) -> Option<Hash> {
        self.manifest.scanned.filter(|_| !self.manifest.building)
    }

    pub fn open(dir: &Path, force: bool) -> Result<Folder> {
        let existed = match fs::symlink_metadata(dir) {
            Ok(m) if m.is_dir() => true,
            Ok(m) if m.file_type().is_symlink() => {
                return Err(Symlink(dir.to_path_buf()).into());
            }
            Ok(_) => bail!(
                "{} is a file, not a folder\nhint: pass --out a folder for the site",
                dir.display()
            ),
            Err(e) if e.kind() == io::ErrorKind::NotFound => false,
            Err(e) => return Err(e).with_context(|| format!("can't read {}", dir.display())),
        };
        let mut before = None;
        let mut stray = false;
        let mut guard = None;
        if existed {
            guard = lock_dir(dir)?;
            let path = dir.join(MANIFEST);
            match fs::symlink_metadata(&path) {
                Ok(m) if m.is_file() => {
                    before = Some(
                        fs::read(&path)
                            .with_context(|| format!("can't read {}", path.display()))?,
                    );
                }
                Ok(m) if m.file_type().is_symlink() => return Err(Symlink(path).into()),
                Ok(_) => bail!(
                    "{} is not a file\nhint: remove it; inc keeps its manifest there",
                    path.display()
                ),
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e).with_context(|| format!("can't read {}", path.display())),
            }
            let mut others = Vec::new();
            let entries =
                fs::read_dir(dir).with_context(|| format!("can't read {}", dir.display()))?;
            for entry in entries {
                let entry = entry.with_context(|| format!("can't read {}", dir.display()))?;
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.starts_with(TEMP_PREFIX) {
                    stray = true;
                } else if name != MANIFEST {
                    others.push(name);
                }
            }
            if before.is_none() && !others.is_empty() && !force {
                others.sort();
                let shown: Vec<String> = others.iter().take(3).map(|n| format!("`{n}`")).collect();
                let more = if others.len() > 3 { ", …" } else { "" };
                bail!(
                    "{} holds files ({}{more}) and no {MANIFEST}: it is not a site inc built, \
                     and building would overwrite them\n\
                     hint: pass --out a new or empty folder, or --force to build into it anyway \
                     (the site's files, index.html among them, replace yours; inc never removes \
                     the others)",
                    dir.display(),
                    shown.join(", ")
                );
            }
        }
        let manifest = before
            .as_deref()
            .map(|b| Manifest::parse(&String::from_utf8_lossy(b)))
            .unwrap_or_default();
        Ok(Folder {
            dir: dir.to_path_buf(),
            existed,
            before,
            manifest,
            stray,
            created: Mutex::new(Vec::new()),
            dirs: Mutex::new(HashSet::new()),
            begun: Mutex::new(None),
            guard: Mutex::new(guard),
        })
    }

    /// Checks that `rel` (a folder relative to the site's, "" for itself)
    /// and each folder above it is a real folder, not a symbolic link;
    /// makes the missing ones when `create`, else answers false for them.
    fn real_dir(&self, rel: &str, create: bool) -> io::Result<bool> {
        if rel.is_empty() || lock(&self.dirs).contains(rel) {
            return Ok(true);
        }
        let mut prefix = String::with_capacity(rel.len());
        for part in rel.split('/') {
            if !prefix.is_empty() {
                prefix.push('/');
            }
            prefix.push_str(part);
            if lock(&self.dirs).contains(&prefix) {
                continue;
            }
            let path = self.dir.join(&prefix);
            let found = match fs::symlink_metadata(&path) {
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    if !create {
                        return Ok(false);
                    }
                    match fs::create_dir(&path) {
                        Ok(()) => None,
                        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                            Some(fs::symlink_metadata(&path)?)
                        }
                        Err(e) => return Err(e),
                    }
                }
                found => Some(found?),
            };
            match found {
                Some(m) if m.file_type().is_symlink() => {
                    return Err(io::Error::other(Symlink(path)));
                }
                Some(m) if !m.is_dir() => {
                    return Err(io::Error::other(format!(
                        "{} is a file where the site needs a folder",
                        path.display()
                    )));
                }
                _ => {}
            }
            lock(&self.dirs).insert(prefix.clone());
        }
        Ok(true)
    }

    /// Records, before the build's first change, what is in the folder
    /// (see the module doc); once.
    fn begin(&self) -> io::Result<()> {
        let mut begun = lock(&self.begun);
        if begun.is_some() {
            return Ok(());
        }
        let present = if self.existed {
            walk(&self.dir)?
        } else {
            fs::create_dir_all(&self.dir)?;
            *lock(&self.guard) = lock_dir(&self.dir).map_err(io::Error::other)?;
            Vec::new()
        };
        let mut manifest = Manifest {
            building: true,
            owned: self.manifest.owned.clone(),
            user: HashSet::new(),
            // A build under way vouches for no scan.
            scanned: None,
        };
        if self.manifest.building {
            // The last build was killed: every file but the person's may
            // be one it created.
            manifest.user = self.manifest.user.clone();
            for (_, h) in &present {
                if !manifest.user.contains(h) {
                    manifest.owned.insert(*h);
                }
            }
        } else {
            for (rel, h) in &present {
                if !manifest.owned.contains(h) && !is_temp(rel) {
                    manifest.user.insert(*h);
                }
            }
        }
        write_manifest(&self.dir, manifest.text().as_bytes())?;
        *begun = Some(Begun { present, manifest });
        Ok(())
    }

    /// Removes every file the build created, and the folders it made for
    /// them when they are left empty (the site's own folder too, when the
    /// build made it), and puts the manifest back: a failed build leaves
    /// things as it found them.
    pub fn discard(&self) {
        let created = std::mem::take(&mut *lock(&self.created));
        for path in created {
            if fs::remove_file(&path).is_ok() {
                remove_empty_parents(&path, &self.dir);
            }
        }
        if lock(&self.begun).take().is_some() {
            let _ = match &self.before {
                Some(bytes) => write_manifest(&self.dir, bytes),
                None => fs::remove_file(self.dir.join(MANIFEST)),
            };
        }
        if !self.existed {
            let _ = fs::remove_dir(&self.dir);
        }
        lock(&self.guard).take();
    }

    /// Writes `changed` (relative path → bytes: the files the folder
    /// doesn't hold yet, besides the `created` ones the build already
    /// made), removes inc's files that are not among `paths` (every file
    /// of this build) and records the manifest.
    pub fn finish(
        self,
        changed: &[(String, Vec<u8>)],
        created: usize,
        paths: &[String],
        scanned: Hash,
    ) -> Result<Written> {
        for rel in paths.iter().chain(changed.iter().map(|(rel, _)| rel)) {
            if !is_writable(rel) {
                bail!("refusing to write `{rel}`: not a file of the site's folder");
            }
        }
        let now: HashSet<&str> = paths.iter().map(String::as_str).collect();
        let hashes: HashSet<Hash> = paths.iter().map(|rel| hash(rel)).collect();
        let must_begin = !self.existed
            || !changed.is_empty()
            || self.stray
            || self.manifest.building
            || self.manifest.owned.iter().any(|h| !hashes.contains(h));
        if must_begin {
            self.begin()
                .with_context(|| format!("can't write {}", self.dir.join(MANIFEST).display()))?;
        }
        let mut begun = lock(&self.begun).take();
        if let Some(begun) = &mut begun {
            // A file of the person's that the site now replaces becomes inc's
            // before it is written.
            let mut claimed = false;
            for (rel, _) in changed {
                let h = hash(rel);
                if begun.manifest.user.remove(&h) {
                    begun.manifest.owned.insert(h);
                    claimed = true;
                }
            }
            if claimed {
                write_manifest(&self.dir, begun.manifest.text().as_bytes()).with_context(|| {
                    format!("can't write {}", self.dir.join(MANIFEST).display())
                })?;
            }
        }
        // One thread: the pages share a folder, whose lock the kernel holds for
        // each create or rename. Two writers spent their time spinning on it
        // (perf: `rwsem_spin_on_owner`, 26% of a first build's samples), for
        // twice the system time and the same wall time.
        for (rel, bytes) in changed {
            let path = self.dir.join(rel);
            self.real_dir(parent_of(rel), true)
                .map_err(anyhow::Error::from)
                .and_then(|_| write_file(&path, bytes))
                .with_context(|| format!("can't write {}", path.display()))?;
        }
        let mut written = Written {
            changed: changed.len() + created,
            unchanged: paths.len().saturating_sub(changed.len() + created),
            removed: 0,
        };
        if let Some(begun) = &begun {
            for (rel, h) in &begun.present {
                let temp = is_temp(rel);
                if now.contains(rel.as_str()) || !(temp || begun.manifest.owned.contains(h)) {
                    continue;
                }
                let path = self.dir.join(rel);
                match fs::remove_file(&path) {
                    Ok(()) => {
                        written.removed += usize::from(!temp);
                        // Folders the site no longer uses go too, when empty.
                        remove_empty_parents(&path, &self.dir);
                    }
                    Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                    Err(e) => {
                        return Err(e).with_context(|| format!("can't remove {}", path.display()));
                    }
                }
            }
        }
        let manifest = Manifest {
            building: false,
            owned: hashes,
            user: HashSet::new(),
            scanned: Some(scanned),
        }
        .text();
        if begun.is_some() || self.before.as_deref() != Some(manifest.as_bytes()) {
            write_manifest(&self.dir, manifest.as_bytes())
                .with_context(|| format!("can't write {}", self.dir.join(MANIFEST).display()))?;
        }
        Ok(written)
    }
}

impl crate::render::site::Folder for Folder {
    fn owns(&self, rel: &str) -> bool {
        self.before.is_some() && !self.manifest.building && self.manifest.owned.contains(&hash(rel))
    }

    fn holds(&self, rel: &str, bytes: &[u8]) -> bool {
        self.existed
            && is_writable(rel)
            && self.real_dir(parent_of(rel), false).unwrap_or(false)
            && holds(&self.dir.join(rel), bytes).unwrap_or(false)
    }

    /// A new page goes straight to its place: nobody can be reading a page
    /// that did not exist. Creating them while the pages render, instead of
    /// after, took a first build of 10,000 incidents from 0.94 s to 0.75 s
    /// (medians of six paired runs). The manifest is put in its building
    /// state before the first.
    fn create(&self, rel: &str, bytes: &[u8]) -> io::Result<bool> {
        if !is_writable(rel) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a path outside the site's folder",
            ));
        }
        self.begin()?;
        self.real_dir(parent_of(rel), true)?;
        let path = self.dir.join(rel);
        let created = write_new(&path, bytes)?;
        if created {
            lock(&self.created).push(path);
        }
        Ok(created)
    }
}

/// Every plain file under `dir` (relative, `/`-separated) and its path's
/// hash, but the manifest. Symbolic links are neither followed nor listed;
/// names that are not UTF-8 are skipped (inc writes none).
fn walk(dir: &Path) -> io::Result<Vec<(String, Hash)>> {
    fn go(dir: &Path, prefix: &str, out: &mut Vec<(String, Hash)>) -> io::Result<()> {
        for entry in fs::read_dir(dir)? {
            let entry = entry?;
            let Ok(name) = entry.file_name().into_string() else {
                continue;
            };
            let rel = if prefix.is_empty() {
                name
            } else {
                format!("{prefix}/{name}")
            };
            let kind = entry.file_type()?;
            if kind.is_dir() {
                go(&entry.path(), &rel, out)?;
            } else if kind.is_file() && rel != MANIFEST {
                let h = hash(&rel);
                out.push((rel, h));
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    go(dir, "", &mut out)?;
    Ok(out)
}

/// Removes the folders above `path` up to `top` while they are empty.
fn remove_empty_parents(path: &Path, top: &Path) {
    let mut parent = path.parent();
    while let Some(p) = parent
        && p != top
        && p.starts_with(top)
        && fs::remove_dir(p).is_ok()
    {
        parent = p.parent();
    }
}

/// A temp file in `dir`, named so that a later build knows it for inc's.
fn temp_in(dir: &Path) -> io::Result<tempfile::NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(TEMP_PREFIX);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o644));
    }
    builder.tempfile_in(dir)
}

/// Replaces the manifest durably: synced, renamed into place, the folder
/// synced. The only files a build syncs.
fn write_manifest(dir: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut tmp = temp_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(dir.join(MANIFEST)).map_err(|e| e.error)?;
    #[cfg(unix)]
    fs::File::open(dir)?.sync_all()?;
    Ok(())
}

/// Whether `path` holds exactly `bytes`: a plain file (not a link) of the
/// same size, then the same contents, read into a buffer each thread keeps
/// (one site build compares thousands of files; a fresh buffer each time
/// would be zeroed each time).
fn holds(path: &Path, bytes: &[u8]) -> io::Result<bool> {
    thread_local! {
        static BUF: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    match fs::symlink_metadata(path) {
        Ok(m) if m.is_file() && m.len() == bytes.len() as u64 => {}
        Ok(_) => return Ok(false),
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(e),
    }
    let file = match fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(e),
    };
    BUF.with_borrow_mut(|buf| {
        buf.clear();
        // One byte more than expected shows a file that grew meanwhile.
        file.take(bytes.len() as u64 + 1).read_to_end(buf)?;
        Ok(buf.as_slice() == bytes)
    })
}

/// Writes `bytes` to `path`, whose folder is a real one. Not synced: a
/// site is rebuilt, not recovered (the manifest says what to remove).
///
/// A file that exists is replaced through a temp file and a rename, so a
/// web server serving the folder never sees it half written. A new file is
/// written in place: nobody can be reading a page that did not exist, and
/// on this VM's ext4 a rename costs several times the write (creating
/// 9,400 files took 0.2 s in place and 1.6 s through temp files). A build
/// killed midway can leave a new file short; the next build sees that it
/// differs and replaces it. A symbolic link or a folder in the file's
/// place is an error: it is not inc's to replace.
fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => return Err(Symlink(path.to_path_buf()).into()),
        Ok(m) if !m.is_file() => bail!("{} is not a plain file", path.display()),
        _ => {}
    }
    if write_new(path, bytes)? {
        return Ok(());
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = temp_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Writes a file that doesn't exist yet; false when it does (or a link is
/// in its place: `create_new` never follows one), for the caller to
/// replace it. A file left half written by a failed write is removed.
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
    use crate::render::site::Folder as _;

    fn files(pairs: &[(&str, &str)]) -> Vec<(String, Vec<u8>)> {
        pairs
            .iter()
            .map(|(p, b)| ((*p).to_owned(), b.as_bytes().to_vec()))
            .collect()
    }

    fn paths(files: &[(String, Vec<u8>)]) -> Vec<String> {
        files.iter().map(|(p, _)| p.clone()).collect()
    }

    /// A build that writes everything through `finish`.
    fn build(dir: &Path, files: &[(String, Vec<u8>)]) -> Written {
        Folder::open(dir, false)
            .unwrap()
            .finish(files, 0, &paths(files), [7; 20])
            .unwrap()
    }

    /// Every file under `dir` but the manifest, relative, sorted.
    fn listing(dir: &Path) -> Vec<String> {
        let mut all: Vec<String> = walk(dir).unwrap().into_iter().map(|(p, _)| p).collect();
        all.sort();
        all
    }

    #[test]
    fn paths_stay_inside() {
        assert!(is_inside("a/b.html"));
        assert!(!is_inside("../x"));
        assert!(!is_inside("/etc/passwd"));
        assert!(!is_inside("a/../../x"));
        assert!(!is_inside(""));
        assert!(!is_writable(MANIFEST));
        assert!(!is_writable("x/.inc-site.tmp-abc"));
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
        fs::write(dir.path().join(MANIFEST), "").unwrap();
        let folder = Folder::open(dir.path(), false).unwrap();
        assert!(folder.holds("f", b""));
        assert!(!folder.holds("../f", b""), "never looks outside the folder");
    }

    #[test]
    fn creates_only_new_files_and_discards_what_it_created() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("old.html"), "old").unwrap();
        let folder = Folder::open(dir.path(), true).unwrap();
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
        assert!(
            !dir.path().join(MANIFEST).exists(),
            "no manifest before, none after"
        );
        assert_eq!(listing(dir.path()), ["old.html"]);
    }

    #[test]
    fn discard_puts_the_manifest_back() {
        let dir = tempfile::tempdir().unwrap();
        build(dir.path(), &files(&[("a.html", "a")]));
        let before = fs::read(dir.path().join(MANIFEST)).unwrap();
        let folder = Folder::open(dir.path(), false).unwrap();
        assert!(folder.create("b.html", b"b").unwrap());
        assert_ne!(fs::read(dir.path().join(MANIFEST)).unwrap(), before);
        folder.discard();
        assert_eq!(fs::read(dir.path().join(MANIFEST)).unwrap(), before);
        assert_eq!(listing(dir.path()), ["a.html"]);
    }

    #[test]
    fn writes_changes_and_removes_only_its_own() {
        let dir = tempfile::tempdir().unwrap();
        let all = files(&[("a.html", "a"), ("x/b.html", "b")]);
        let w = build(dir.path(), &all);
        assert_eq!((w.changed, w.unchanged, w.removed), (2, 0, 0));
        assert_eq!(fs::read(dir.path().join("x/b.html")).unwrap(), b"b");
        fs::write(dir.path().join("mine.txt"), "keep").unwrap();
        let manifest = || {
            fs::metadata(dir.path().join(MANIFEST))
                .unwrap()
                .modified()
                .unwrap()
        };
        let (m, a) = (
            manifest(),
            fs::metadata(dir.path().join("a.html"))
                .unwrap()
                .modified()
                .unwrap(),
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
        let w = Folder::open(dir.path(), false)
            .unwrap()
            .finish(&[], 0, &paths(&all), [7; 20])
            .unwrap();
        assert_eq!((w.changed, w.unchanged, w.removed), (0, 2, 0));
        assert_eq!(manifest(), m, "an unchanged build writes nothing");
        assert_eq!(
            fs::metadata(dir.path().join("a.html"))
                .unwrap()
                .modified()
                .unwrap(),
            a
        );
        let changed = files(&[("a.html", "new a")]);
        let w = Folder::open(dir.path(), false)
            .unwrap()
            .finish(&changed, 0, &paths(&changed), [7; 20])
            .unwrap();
        assert_eq!((w.changed, w.removed), (1, 1));
        assert_eq!(fs::read(dir.path().join("a.html")).unwrap(), b"new a");
        assert!(!dir.path().join("x").exists(), "its empty folder went too");
        assert!(dir.path().join("mine.txt").exists());
    }

    #[test]
    fn the_manifest_holds_hashes_of_paths_only() {
        let dir = tempfile::tempdir().unwrap();
        build(
            dir.path(),
            &files(&[("incidents/2026-11-27-secret-thing.html", "x")]),
        );
        let text = fs::read_to_string(dir.path().join(MANIFEST)).unwrap();
        assert!(!text.contains("secret"), "{text}");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], COMPLETE);
        // The keyed scan digest the build passed (see `scan_key`).
        assert_eq!(lines[1], format!("{SCANNED}{}", hex(&[7; 20])));
        assert_eq!(
            lines[2],
            hex(&hash("incidents/2026-11-27-secret-thing.html"))
        );
        assert_eq!(lines.len(), 3);
    }

    #[test]
    fn a_killed_build_is_undone_by_the_next() {
        let dir = tempfile::tempdir().unwrap();
        build(dir.path(), &files(&[("a.html", "a"), ("x/b.html", "b")]));
        fs::write(dir.path().join("mine.txt"), "keep").unwrap();
        // A build creates a page, then dies (it is dropped unfinished).
        let folder = Folder::open(dir.path(), false).unwrap();
        assert!(folder.create("x/c.html", b"c").unwrap());
        drop(folder);
        let text = fs::read_to_string(dir.path().join(MANIFEST)).unwrap();
        assert!(text.starts_with(BUILDING), "{text}");
        // …and left temp files of a replacement and of the manifest.
        fs::write(dir.path().join("x/.inc-site.tmp-AbC123"), "half").unwrap();
        fs::write(dir.path().join(".inc-site.tmp-XyZ789"), "half").unwrap();
        let w = build(dir.path(), &files(&[("a.html", "a")]));
        assert_eq!(w.removed, 2, "b and c");
        assert_eq!(listing(dir.path()), ["a.html", "mine.txt"]);
        let text = fs::read_to_string(dir.path().join(MANIFEST)).unwrap();
        assert!(text.starts_with(COMPLETE), "{text}");
        // A manifest temp alone (killed while the manifest was replaced)
        // is found at the top and removed, even by a build changing nothing.
        fs::write(dir.path().join(".inc-site.tmp-XyZ789"), "half").unwrap();
        build(dir.path(), &files(&[("a.html", "a")]));
        assert_eq!(listing(dir.path()), ["a.html", "mine.txt"]);
    }

    #[test]
    fn a_file_of_the_persons_that_the_site_replaces_becomes_incs() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("index.html"), "mine").unwrap();
        fs::write(dir.path().join("robots.txt"), "mine").unwrap();
        Folder::open(dir.path(), true)
            .unwrap()
            .finish(
                &files(&[("index.html", "site")]),
                0,
                &["index.html".to_owned()],
                [7; 20],
            )
            .unwrap();
        let w = build(dir.path(), &files(&[("other.html", "o")]));
        assert_eq!(w.removed, 1);
        assert_eq!(listing(dir.path()), ["other.html", "robots.txt"]);
    }

    #[cfg(unix)]
    #[test]
    fn two_builds_never_write_one_folder_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("site");
        let first = Folder::open(&site, false).unwrap();
        let second = Folder::open(&site, false).unwrap();
        assert!(first.create("a.html", b"a").unwrap(), "made the folder");
        let e = second.create("b.html", b"b").unwrap_err().to_string();
        assert!(e.contains("another `inc site build`"), "{e}");
        let e = Folder::open(&site, false).err().unwrap().to_string();
        assert!(e.contains("another `inc site build`"), "{e}");
        first
            .finish(&[], 1, &["a.html".to_owned()], [7; 20])
            .unwrap();
        assert!(
            Folder::open(&site, false).is_ok(),
            "free again once the first is done"
        );
    }

    #[test]
    fn a_folder_that_is_not_a_site_is_refused_unless_forced() {
        let dir = tempfile::tempdir().unwrap();
        assert!(Folder::open(dir.path(), false).is_ok(), "empty");
        fs::write(dir.path().join("index.html"), "mine").unwrap();
        let e = Folder::open(dir.path(), false).err().unwrap().to_string();
        assert!(e.contains("`index.html`") && e.contains("--force"), "{e}");
        assert!(Folder::open(dir.path(), true).is_ok());
        fs::remove_file(dir.path().join("index.html")).unwrap();
        fs::write(dir.path().join(".inc-site.tmp-abc"), "").unwrap();
        assert!(
            Folder::open(dir.path(), false).is_ok(),
            "inc's temp files only"
        );
    }

    #[cfg(unix)]
    #[test]
    fn nothing_is_written_or_removed_through_a_symlink() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let (site, outside) = (dir.path().join("site"), dir.path().join("outside"));
        fs::create_dir_all(&outside).unwrap();
        fs::write(outside.join("a.html"), "theirs").unwrap();
        build(&site, &files(&[("index.html", "i")]));
        symlink(&outside, site.join("incidents")).unwrap();
        let folder = Folder::open(&site, false).unwrap();
        assert!(
            !folder.holds("incidents/a.html", b"theirs"),
            "not compared through it"
        );
        let e = folder.create("incidents/a.html", b"x").unwrap_err();
        assert!(e.to_string().contains("symbolic link"), "{e}");
        folder.discard();
        let e = Folder::open(&site, false)
            .unwrap()
            .finish(
                &files(&[("incidents/b.html", "b")]),
                0,
                &["incidents/b.html".to_owned()],
                [7; 20],
            )
            .unwrap_err();
        assert!(symlink_in(&e).is_some(), "{e:#}");
        // A manifest naming a file under the link, a path out, an absolute one.
        fs::write(
            site.join(MANIFEST),
            format!(
                "index.html\nincidents/a.html\n../outside/a.html\n{}\n",
                outside.join("a.html").display()
            ),
        )
        .unwrap();
        build(&site, &files(&[("other.html", "o")]));
        assert_eq!(fs::read(outside.join("a.html")).unwrap(), b"theirs");
        assert!(!site.join("index.html").exists());
        // A link in a file's place is not replaced.
        symlink(outside.join("a.html"), site.join("x.html")).unwrap();
        let e = Folder::open(&site, false)
            .unwrap()
            .finish(
                &files(&[("x.html", "x")]),
                0,
                &["x.html".to_owned()],
                [7; 20],
            )
            .unwrap_err();
        assert!(symlink_in(&e).is_some(), "{e:#}");
        assert_eq!(fs::read(outside.join("a.html")).unwrap(), b"theirs");
    }

    #[cfg(unix)]
    #[test]
    fn out_may_not_be_or_hold_the_repository_or_sit_in_its_data() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("repo");
        fs::create_dir_all(root.join("incidents/2026")).unwrap();
        fs::create_dir_all(root.join(".git")).unwrap();
        std::os::unix::fs::symlink(root.join("incidents"), dir.path().join("link")).unwrap();
        for bad in [
            root.clone(),
            root.join("incidents"),
            root.join("incidents/2026/new"),
            root.join("templates/site"),
            root.join(".git"),
            root.join("site/../incidents"),
            dir.path().to_path_buf(),
            dir.path().join("link/x"),
        ] {
            let e = out_dir(&bad, &root).err();
            assert!(e.is_some(), "{} was let through", bad.display());
            assert!(e.unwrap().to_string().contains(&bad.display().to_string()));
        }
        let ok = out_dir(&root.join("site"), &root).unwrap();
        assert_eq!(ok, root.canonicalize().unwrap().join("site"));
        assert!(out_dir(&dir.path().join("elsewhere/x"), &root).is_ok());
    }
}
