//! A fast path for updating entries of git's index in place.
//!
//! A note changes one tracked file. libgit2 reads, checks and rewrites the
//! whole index for that, hashing it twice with collision-detecting SHA-1,
//! which in a repository of 10,000 incidents (a 3.5 MB index) costs more
//! than everything else a note does. When the index has a shape this module
//! knows (versions 2–4, the changed files already tracked at stage 0, no
//! extension but the cache tree) it patches the changed entries' stat data
//! and object IDs where they are, invalidates the cache-tree nodes above
//! them, as git does, and writes the file back under git's own
//! `index.lock` protocol. Anything else returns `None` and the caller uses
//! libgit2.
//!
//! Format: git's Documentation/gitformat-index.txt.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use sha1::{Digest, Sha1};

const HEADER: usize = 12;
const HASH: usize = 20;
/// ctime, mtime (seconds, nanoseconds), dev, ino, mode, uid, gid, size.
const STAT: usize = 40;
const FLAG_ASSUME_VALID: u16 = 0x8000;
const FLAG_EXTENDED: u16 = 0x4000;
const FLAG_STAGE: u16 = 0x3000;

/// What git keeps about a file in its index entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stat {
    pub ctime: (u32, u32),
    pub mtime: (u32, u32),
    pub dev: u32,
    pub ino: u32,
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    pub size: u32,
}

impl Stat {
    /// The stat data of a file, truncated to 32 bits as git does.
    pub fn of(meta: &fs::Metadata) -> Stat {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            Stat {
                ctime: (meta.ctime() as u32, meta.ctime_nsec() as u32),
                mtime: (meta.mtime() as u32, meta.mtime_nsec() as u32),
                dev: meta.dev() as u32,
                ino: meta.ino() as u32,
                mode: 0o100_644,
                uid: meta.uid(),
                gid: meta.gid(),
                size: meta.len() as u32,
            }
        }
        #[cfg(not(unix))]
        {
            // Zeroed stat data makes git re-hash the file once: correct, slower.
            Stat {
                ctime: (0, 0),
                mtime: (0, 0),
                dev: 0,
                ino: 0,
                mode: 0o100_644,
                uid: 0,
                gid: 0,
                size: meta.len() as u32,
            }
        }
    }

    fn bytes(&self) -> [u8; STAT] {
        let fields = [
            self.ctime.0,
            self.ctime.1,
            self.mtime.0,
            self.mtime.1,
            self.dev,
            self.ino,
            self.mode,
            self.uid,
            self.gid,
            self.size,
        ];
        let mut out = [0; STAT];
        for (chunk, field) in out.chunks_exact_mut(4).zip(fields) {
            chunk.copy_from_slice(&field.to_be_bytes());
        }
        out
    }
}

/// A tracked file's new content: its path in the repository, blob ID and stat.
#[derive(Debug, Clone)]
pub struct Update {
    pub path: String,
    pub oid: [u8; HASH],
    pub stat: Stat,
}

/// `index` with every update applied, or `None` when the fast path does not
/// handle this index (then nothing may be assumed about it).
pub fn patched(index: &[u8], updates: &[Update]) -> Option<Vec<u8>> {
    if index.len() < HEADER + HASH || &index[..4] != b"DIRC" {
        return None;
    }
    let body = index.len() - HASH;
    if Sha1::digest(&index[..body]).as_slice() != &index[body..] {
        return None;
    }
    let version = be32(index, 4)?;
    if !(2..=4).contains(&version) {
        return None;
    }
    let count = be32(index, 8)? as usize;

    let mut out = index[..body].to_vec();
    let mut found = vec![false; updates.len()];
    let mut pos = HEADER;
    let mut path: Vec<u8> = Vec::new();
    for _ in 0..count {
        let flags = be16(index, pos + STAT + HASH)?;
        let mut name_at = pos + STAT + HASH + 2;
        if flags & FLAG_EXTENDED != 0 {
            name_at += 2;
        }
        // The entry's path: whole in v2/v3, prefix-compressed in v4.
        let end = if version == 4 {
            let (strip, len) = varint(index, name_at)?;
            path.truncate(path.len().checked_sub(strip)?);
            let nul = name_at + len + memchr(index.get(name_at + len..body)?, 0)?;
            path.extend_from_slice(&index[name_at + len..nul]);
            nul + 1
        } else {
            let nul = name_at + memchr(index.get(name_at..body)?, 0)?;
            path.clear();
            path.extend_from_slice(&index[name_at..nul]);
            // Entries are padded with 1–8 NULs to a multiple of 8 bytes.
            pos + (nul - pos + 8) / 8 * 8
        };
        if end > body {
            return None;
        }
        if let Some(i) = updates.iter().position(|u| u.path.as_bytes() == path) {
            // Conflicts, assume-valid, skip-worktree and intent-to-add
            // entries are left to libgit2.
            if flags & (FLAG_STAGE | FLAG_ASSUME_VALID | FLAG_EXTENDED) != 0 || found[i] {
                return None;
            }
            found[i] = true;
            out[pos..pos + STAT].copy_from_slice(&updates[i].stat.bytes());
            out[pos + STAT..pos + STAT + HASH].copy_from_slice(&updates[i].oid);
        }
        pos = end;
    }
    if !found.iter().all(|f| *f) {
        return None;
    }

    // Extensions: only the cache tree is understood.
    out.truncate(pos);
    while pos < body {
        let signature = index.get(pos..pos + 4)?;
        let size = be32(index, pos + 4)? as usize;
        let data = index.get(pos + 8..(pos + 8).checked_add(size)?)?;
        if signature != b"TREE" || pos + 8 + size > body {
            return None;
        }
        let tree = invalidate_tree(data, updates)?;
        out.extend_from_slice(b"TREE");
        out.extend_from_slice(&u32::try_from(tree.len()).ok()?.to_be_bytes());
        out.extend_from_slice(&tree);
        pos += 8 + size;
    }
    let checksum = Sha1::digest(&out);
    out.extend_from_slice(&checksum);
    Some(out)
}

/// The cache tree with every node above an updated path marked invalid
/// (entry count -1, no object ID), as git does when it changes an entry.
fn invalidate_tree(data: &[u8], updates: &[Update]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(data.len());
    // (full path of a node, subtrees still to come under it)
    let mut stack: Vec<(String, usize)> = Vec::new();
    let mut pos = 0;
    while pos < data.len() {
        let start = pos;
        let nul = pos + memchr(&data[pos..], 0)?;
        let name = std::str::from_utf8(&data[pos..nul]).ok()?;
        let space = nul + 1 + memchr(&data[nul + 1..], b' ')?;
        let newline = space + 1 + memchr(&data[space + 1..], b'\n')?;
        let entries: i64 = std::str::from_utf8(&data[nul + 1..space])
            .ok()?
            .parse()
            .ok()?;
        let subtrees: usize = std::str::from_utf8(&data[space + 1..newline])
            .ok()?
            .parse()
            .ok()?;
        pos = newline + 1;
        let oid = if entries >= 0 {
            let oid = data.get(pos..pos + HASH)?;
            pos += HASH;
            Some(oid)
        } else {
            None
        };

        while stack.last().is_some_and(|(_, left)| *left == 0) {
            stack.pop();
        }
        let full = match stack.last_mut() {
            Some((parent, left)) => {
                *left -= 1;
                if parent.is_empty() {
                    name.to_owned()
                } else {
                    format!("{parent}/{name}")
                }
            }
            None => String::new(),
        };
        let above_an_update = updates
            .iter()
            .any(|u| full.is_empty() || u.path.starts_with(&format!("{full}/")));
        out.extend_from_slice(&data[start..=nul]);
        match oid {
            Some(oid) if !above_an_update => {
                out.extend_from_slice(format!("{entries} {subtrees}\n").as_bytes());
                out.extend_from_slice(oid);
            }
            _ => out.extend_from_slice(format!("-1 {subtrees}\n").as_bytes()),
        }
        stack.push((full, subtrees));
    }
    Some(out)
}

fn be32(data: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(data.get(at..at + 4)?.try_into().ok()?))
}

fn be16(data: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(data.get(at..at + 2)?.try_into().ok()?))
}

fn memchr(data: &[u8], byte: u8) -> Option<usize> {
    data.iter().position(|b| *b == byte)
}

/// git's offset varint (index v4): returns (value, bytes read).
fn varint(data: &[u8], at: usize) -> Option<(usize, usize)> {
    let mut i = at;
    let mut c = *data.get(i)?;
    let mut value = usize::from(c & 0x7f);
    while c & 0x80 != 0 {
        i += 1;
        c = *data.get(i)?;
        value = value.checked_add(1)?.checked_shl(7)? | usize::from(c & 0x7f);
    }
    Some((value, i + 1 - at))
}

/// git's `index.lock`, held from before the index is read until the new
/// one is renamed into place, so no other writer's change is lost.
pub struct IndexLock {
    lock: PathBuf,
    index: PathBuf,
    file: Option<File>,
}

impl IndexLock {
    /// Takes the lock of the index at `index`; fails if another process holds it.
    pub fn acquire(index: &Path) -> io::Result<IndexLock> {
        let lock = index.with_extension("lock");
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&lock)?;
        Ok(IndexLock {
            lock,
            index: index.to_path_buf(),
            file: Some(file),
        })
    }

    /// The index's current bytes (`None` if there is no index yet).
    pub fn read(&self) -> io::Result<Option<Vec<u8>>> {
        match fs::read(&self.index) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Writes the new index and renames it into place.
    pub fn commit(mut self, bytes: &[u8]) -> io::Result<()> {
        let mut file = self.file.take().ok_or(io::ErrorKind::Other)?;
        file.write_all(bytes)?;
        file.sync_data()?;
        drop(file);
        fs::rename(&self.lock, &self.index)
    }
}

impl Drop for IndexLock {
    fn drop(&mut self) {
        if self.file.is_some() {
            let _ = fs::remove_file(&self.lock);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    fn git(dir: &Path, args: &[&str]) -> String {
        let out = Command::new("git")
            .args([
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@t",
                "-c",
                "commit.gpgsign=false",
            ])
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", dir)
            .output()
            .expect("git runs");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    /// A repository with a few committed files (mtimes in the past, so git
    /// never smudges a racily clean entry), its index at `version`.
    fn repo(version: u32) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        git(root, &["init", "-q"]);
        for (path, text) in [
            ("incidents/2026/a/timeline.yaml", "- {}\n"),
            ("incidents/2026/a/incident.yaml", "title: a\n"),
            ("incidents/2026/b/timeline.yaml", "- {}\n"),
            ("incidents/2025/c/timeline.yaml", "- {}\n"),
            ("inc.yaml", ""),
        ] {
            fs::create_dir_all(root.join(path).parent().unwrap()).unwrap();
            fs::write(root.join(path), text).unwrap();
            in_the_past(root, path);
            git(root, &["update-index", "--add", path]);
        }
        git(root, &["commit", "-q", "-m", "init"]);
        git(
            root,
            &["update-index", "--index-version", &version.to_string()],
        );
        dir
    }

    fn in_the_past(root: &Path, path: &str) {
        let ok = Command::new("touch")
            .args(["-d", "@1600000000", path])
            .current_dir(root)
            .status()
            .expect("touch runs");
        assert!(ok.success());
    }

    fn update_for(root: &Path, path: &str) -> Update {
        in_the_past(root, path);
        let hex = git(root, &["hash-object", "-w", path]);
        let mut oid = [0; HASH];
        for (i, byte) in oid.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap();
        }
        Update {
            path: path.to_owned(),
            oid,
            stat: Stat::of(&fs::metadata(root.join(path)).unwrap()),
        }
    }

    #[test]
    fn patch_is_byte_for_byte_what_git_writes() {
        for version in [2, 3, 4] {
            let dir = repo(version);
            let root = dir.path();
            let path = "incidents/2026/a/timeline.yaml";
            fs::write(root.join(path), "- {}\n- {\"more\":1}\n").unwrap();
            let index = root.join(".git/index");
            let before = fs::read(&index).unwrap();
            let ours = patched(&before, &[update_for(root, path)]).expect("fast path");
            git(root, &["update-index", path]);
            let theirs = fs::read(&index).unwrap();
            assert_eq!(ours, theirs, "index version {version}");
        }
    }

    #[test]
    fn unknown_extensions_and_flags_fall_back() {
        let dir = repo(2);
        let root = dir.path();
        let path = "incidents/2026/a/timeline.yaml";
        fs::write(root.join(path), "- {}\n- {}\n").unwrap();
        let update = update_for(root, path);

        git(root, &["update-index", "--skip-worktree", path]);
        let index = fs::read(root.join(".git/index")).unwrap();
        assert_eq!(
            patched(&index, std::slice::from_ref(&update)),
            None,
            "skip-worktree"
        );
        git(root, &["update-index", "--no-skip-worktree", path]);

        git(root, &["config", "core.untrackedCache", "true"]);
        git(root, &["update-index", "--untracked-cache"]);
        git(root, &["status", "--porcelain"]);
        let index = fs::read(root.join(".git/index")).unwrap();
        assert_eq!(
            patched(&index, std::slice::from_ref(&update)),
            None,
            "untracked cache"
        );
    }

    #[test]
    fn an_untracked_file_falls_back() {
        let dir = repo(2);
        let root = dir.path();
        let path = "incidents/2026/new/timeline.yaml";
        fs::create_dir_all(root.join("incidents/2026/new")).unwrap();
        fs::write(root.join(path), "- {}\n").unwrap();
        let index = fs::read(root.join(".git/index")).unwrap();
        assert_eq!(patched(&index, &[update_for(root, path)]), None);
    }

    #[test]
    fn a_corrupt_index_falls_back() {
        let dir = repo(2);
        let root = dir.path();
        let path = "incidents/2026/a/timeline.yaml";
        let mut index = fs::read(root.join(".git/index")).unwrap();
        let middle = index.len() / 2;
        index[middle] ^= 0xff;
        assert_eq!(patched(&index, &[update_for(root, path)]), None);
    }

    #[test]
    fn varints_decode_like_git() {
        // git's varint: 0x80 continuation, each step adds one before shifting.
        assert_eq!(varint(&[0x05], 0), Some((5, 1)));
        assert_eq!(varint(&[0x80, 0x00], 0), Some((128, 2)));
        assert_eq!(varint(&[0x80], 0), None);
    }

    #[test]
    fn garbage_is_left_to_libgit2() {
        let update = Update {
            path: "a".into(),
            oid: [0; HASH],
            stat: Stat {
                ctime: (0, 0),
                mtime: (0, 0),
                dev: 0,
                ino: 0,
                mode: 0o100_644,
                uid: 0,
                gid: 0,
                size: 0,
            },
        };
        assert_eq!(patched(b"", std::slice::from_ref(&update)), None);
        assert_eq!(patched(&[0; 64], std::slice::from_ref(&update)), None);
        let mut header = b"DIRC\0\0\0\x02\0\0\0\x01".to_vec();
        let sum = Sha1::digest(&header);
        header.extend_from_slice(&sum);
        // One entry announced, none present.
        assert_eq!(patched(&header, &[update]), None);
    }

    proptest::proptest! {
        /// Any bytes that pass the checksum, even nonsense after a valid
        /// header, give a patched index or `None`, never a panic.
        #[test]
        fn arbitrary_indexes_never_panic(
            version in 2u32..=4,
            count in 0u32..4,
            body in proptest::collection::vec(proptest::num::u8::ANY, 0..400),
        ) {
            let mut index = b"DIRC".to_vec();
            index.extend_from_slice(&version.to_be_bytes());
            index.extend_from_slice(&count.to_be_bytes());
            index.extend_from_slice(&body);
            let sum = Sha1::digest(&index);
            index.extend_from_slice(&sum);
            let update = Update {
                path: "a".into(),
                oid: [1; HASH],
                stat: Stat::of(&fs::metadata(".").unwrap()),
            };
            let _ = patched(&index, &[update]);
        }
    }
}
