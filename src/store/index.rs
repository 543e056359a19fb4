//! A fast path for updating and adding entries of git's index.
//!
//! A note changes one tracked file; a new incident adds two. libgit2 reads,
//! checks and rewrites the whole index for that, hashing it twice with
//! collision-detecting SHA-1, which in a repository of 10,000 incidents (a
//! 3.5 MB index) costs more than everything else a note does. When the
//! index has a shape this module knows (versions 2–4, the changed files
//! tracked at stage 0 or not at all, no folder/file clash, no extension but
//! the cache tree) it patches the changed entries' stat data and object IDs
//! where they are, inserts the new ones in order, invalidates the
//! cache-tree nodes above them, as git does, and writes the file back under
//! git's own `index.lock` protocol. Anything else returns `None` and the
//! caller uses libgit2.
//!
//! Why hand-patch a format libgit2 already writes: measured on a 10,000-
//! incident repository, staging through libgit2 was most of a note's time
//! (README "Speed"). The price is this parser, so it stays small, refuses
//! any shape it does not fully know, is fuzzed (`fuzz/`, target
//! `git_index`: no panic, valid checksum, idempotent) and is checked
//! against git in `tests/cli/git.rs` and the crash tests. inc.yaml's
//! `git.index_fast_path: false` switches it off, should a repository ever
//! need that.
//!
//! Format: git's Documentation/gitformat-index.txt.

use std::fs;

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
                size: meta.len() as u32,
                ..Stat::unknown()
            }
        }
    }

    /// No stat data: git compares such an entry's file by content.
    pub fn unknown() -> Stat {
        Stat {
            ctime: (0, 0),
            mtime: (0, 0),
            dev: 0,
            ino: 0,
            mode: 0o100_644,
            uid: 0,
            gid: 0,
            size: 0,
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

/// A file's new content: its path in the repository, blob ID and stat. A
/// path the index doesn't track yet becomes a new stage-0 entry.
#[derive(Debug, Clone)]
pub struct Update {
    pub path: String,
    pub oid: [u8; HASH],
    pub stat: Stat,
}

/// `index` with every update applied, or `None` when the fast path does not
/// handle this index (then nothing may be assumed about it).
///
/// Tracked paths get their stat data and object ID patched where they are;
/// new paths are inserted in git's order (path bytes, then stage), as
/// `git update-index --add` does. Anything git would resolve by removing or
/// replacing entries (a path at a conflict stage, a file where the index has
/// a folder or the other way round) is left to libgit2.
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

    let mut sorted: Vec<&Update> = updates.iter().collect();
    sorted.sort_unstable_by(|a, b| a.path.cmp(&b.path));
    let paths: Vec<&[u8]> = sorted.iter().map(|u| u.path.as_bytes()).collect();
    if !paths.iter().all(|p| plain_path(p))
        || paths.windows(2).any(|w| w[0] == w[1])
        || paths.iter().any(|a| paths.iter().any(|b| is_inside(b, a)))
    {
        return None;
    }

    let mut out = Vec::with_capacity(index.len() + updates.len() * 160);
    out.extend_from_slice(&index[..HEADER]);
    let mut next = 0; // the first update not yet written
    let mut inserted: u32 = 0;
    let mut extended = false;
    let mut pos = HEADER;
    // The entry's path (v4 decodes each from the previous one's) and, for
    // v4's encoding, the path of the entry written last.
    let mut path: Vec<u8> = Vec::new();
    let mut last: Vec<u8> = Vec::new();
    for _ in 0..count {
        let flags = be16(index, pos + STAT + HASH)?;
        let mut name_at = pos + STAT + HASH + 2;
        if flags & FLAG_EXTENDED != 0 {
            // Extended flags only exist from version 3 on.
            if version == 2 {
                return None;
            }
            extended = true;
            name_at += 2;
        }
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
        // git would have to remove entries to add a file where the index
        // has a folder, or a folder where it has a file.
        if paths
            .iter()
            .any(|p| is_inside(p, &path) || is_inside(&path, p))
        {
            return None;
        }

        // A path the index holds twice (at several stages) is a conflict.
        if next > 0 && sorted[next - 1].path.as_bytes() == &path[..] {
            return None;
        }
        // New paths sorting before this entry go in first.
        let mut moved = false;
        while let Some(u) = sorted.get(next).filter(|u| u.path.as_bytes() < &path[..]) {
            push_entry(&mut out, version, &mut last, u);
            inserted += 1;
            next += 1;
            moved = true;
        }
        let at = out.len();
        if version == 4 && moved {
            // Its path was encoded against an entry that is no longer
            // before it.
            out.extend_from_slice(&index[pos..name_at]);
            push_name(&mut out, &last, &path);
        } else {
            out.extend_from_slice(&index[pos..end]);
        }
        if let Some(u) = sorted.get(next).filter(|u| u.path.as_bytes() == &path[..]) {
            // Conflicts, assume-valid, skip-worktree and intent-to-add
            // entries are left to libgit2.
            if flags & (FLAG_STAGE | FLAG_ASSUME_VALID | FLAG_EXTENDED) != 0 {
                return None;
            }
            out[at..at + STAT].copy_from_slice(&u.stat.bytes());
            out[at + STAT..at + STAT + HASH].copy_from_slice(&u.oid);
            next += 1;
        }
        if version == 4 {
            last.clone_from(&path);
        }
        pos = end;
    }
    for u in &sorted[next..] {
        push_entry(&mut out, version, &mut last, u);
        inserted += 1;
    }
    // git writes version 3 only when some entry needs extended flags.
    let version = if version == 3 && !extended {
        2
    } else {
        version
    };
    out[4..8].copy_from_slice(&version.to_be_bytes());
    let count = u32::try_from(count).ok()?.checked_add(inserted)?;
    out[8..12].copy_from_slice(&count.to_be_bytes());

    // Extensions: only the cache tree is understood.
    while pos < body {
        let signature = index.get(pos..pos + 4)?;
        let size = be32(index, pos + 4)? as usize;
        let data = index.get(pos + 8..(pos + 8).checked_add(size)?)?;
        if signature != b"TREE" || pos + 8 + size > body {
            return None;
        }
        let tree = invalidate_tree(data, &paths)?;
        out.extend_from_slice(b"TREE");
        out.extend_from_slice(&u32::try_from(tree.len()).ok()?.to_be_bytes());
        out.extend_from_slice(&tree);
        pos += 8 + size;
    }
    let checksum = Sha1::digest(&out);
    out.extend_from_slice(&checksum);
    Some(out)
}

/// Writes a new stage-0 entry for `update` (no flags but its name's length).
fn push_entry(out: &mut Vec<u8>, version: u32, last: &mut Vec<u8>, update: &Update) {
    let start = out.len();
    let name = update.path.as_bytes();
    out.extend_from_slice(&update.stat.bytes());
    out.extend_from_slice(&update.oid);
    out.extend_from_slice(&(name.len().min(0xfff) as u16).to_be_bytes());
    if version == 4 {
        push_name(out, last, name);
        last.clear();
        last.extend_from_slice(name);
    } else {
        out.extend_from_slice(name);
        // 1–8 NULs, to a multiple of 8 bytes.
        let len = out.len() - start;
        out.resize(start + (len + 8) / 8 * 8, 0);
    }
}

/// A v4 path: how many bytes to drop from the end of the previous entry's
/// path, then what to append to it, as git writes it (the longest prefix).
fn push_name(out: &mut Vec<u8>, previous: &[u8], name: &[u8]) {
    let common = previous
        .iter()
        .zip(name)
        .take_while(|(a, b)| a == b)
        .count();
    push_varint(out, previous.len() - common);
    out.extend_from_slice(&name[common..]);
    out.push(0);
}

/// Whether `path` lies inside the folder `dir`.
fn is_inside(path: &[u8], dir: &[u8]) -> bool {
    path.len() > dir.len() && path.starts_with(dir) && path[dir.len()] == b'/'
}

/// A relative path that every git accepts in an index on every system:
/// non-empty components, none starting with a dot (so no `.`, `..`, `.git`),
/// none ending in a dot or space, no control characters, backslashes,
/// colons or tildes (which Windows and NTFS protection treat specially).
/// Anything else is left to libgit2's own checks.
fn plain_path(path: &[u8]) -> bool {
    path.split(|b| *b == b'/').all(|part| {
        !part.is_empty()
            && part[0] != b'.'
            && !part.ends_with(b".")
            && !part.ends_with(b" ")
            && part
                .iter()
                .all(|b| *b >= 0x20 && *b != 0x7f && !b"\\:~".contains(b))
    })
}

/// The cache tree with every node above an updated or added path marked
/// invalid (entry count -1, no object ID), as git does when it changes or
/// adds an entry. A new folder gets no node: its parent's list of subtrees
/// stays as it was, as in git, until a tree is written again.
fn invalidate_tree(data: &[u8], paths: &[&[u8]]) -> Option<Vec<u8>> {
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
        // A node where a file is to go is a folder git would remove.
        if paths.contains(&full.as_bytes()) {
            return None;
        }
        let above_an_update =
            full.is_empty() || paths.iter().any(|p| is_inside(p, full.as_bytes()));
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

/// Appends `value` as git's offset varint (index v4).
fn push_varint(out: &mut Vec<u8>, mut value: usize) {
    let mut bytes = [0u8; 16];
    let mut at = bytes.len() - 1;
    bytes[at] = (value & 0x7f) as u8;
    value >>= 7;
    while value != 0 {
        value -= 1;
        at -= 1;
        bytes[at] = 0x80 | (value & 0x7f) as u8;
        value >>= 7;
    }
    out.extend_from_slice(&bytes[at..]);
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

#[cfg(test)]
mod tests;
