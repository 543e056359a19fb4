//! The matcher: the internal texts' keys in one Aho-Corasick automaton,
//! each hit confirmed by length and hash ([`Scanner`]).

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

use super::canonical::canonical_into;
use super::needles::Needle;
use super::{Leak, MIN_CHARS, UNSCANNED, quote};
#[cfg(test)]
use super::{needles::Needles, texts::Vocabulary};

/// How many bytes of a text's canonical form its key is: the automaton
/// holds each distinct key once, so its size (and the time to build it)
/// grows with the number of distinct keys, not with the texts' length.
/// Longer keys (16, 24, 32) hit less often on text that repeats words but
/// make a larger automaton; on the bench's three corpora none was faster.
const KEY: usize = MIN_CHARS;

/// The most states (trie nodes) the automaton is built as a DFA for: at
/// most 256 bytes each (64 byte classes of 4 bytes), so ~100 MB.
const DFA_STATES: usize = 400_000;

/// How many nodes a trie of `keys` has (sorts them): each key adds the
/// bytes it does not share with the one before it.
fn trie_nodes(keys: &mut [&[u8]]) -> usize {
    keys.sort_unstable();
    let mut nodes = 0;
    let mut previous: &[u8] = &[];
    for key in keys.iter() {
        let shared = key.iter().zip(previous).take_while(|(a, b)| a == b).count();
        nodes += key.len() - shared;
        previous = key;
    }
    nodes
}

/// The polynomial hash [`Scanner`] confirms a candidate by, one byte at a
/// time (so it extends over a file as lengths grow).
fn extend_hash(h: u64, byte: u8) -> u64 {
    h.wrapping_mul(0x100_0000_01B3)
        .wrapping_add(u64::from(byte) + 1)
}

/// Where text of `group` with canonical hash `hash` starts probing, in a
/// table of `size` (a power of two) slots.
fn slot_of(group: u32, hash: u64, size: usize) -> usize {
    let h = (hash ^ u64::from(group).rotate_left(32)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (h >> 32) as usize & (size - 1)
}

/// What the scanner knows of a text it looks for.
struct Found {
    /// Its canonical form: `arena[canon]`.
    canon: std::ops::Range<usize>,
    /// The text as written: `texts[text]`.
    text: std::ops::Range<usize>,
    incident: u32,
    kind: u8,
    /// Also in a public text.
    skipped: bool,
    /// Its key's group and the hash of its canonical form.
    group: u32,
    hash: u64,
}

/// The texts sharing one key: `lengths[start..end]` are their distinct
/// canonical lengths, ascending.
struct Group {
    start: u32,
    end: u32,
}

/// The internal texts, ready to look for.
///
/// Each text's key (the first `KEY` bytes of its canonical form, or all
/// of a shorter one) goes into one Aho-Corasick automaton (the
/// `aho-corasick` crate, as ripgrep uses for literal sets), once per
/// distinct key. Where a key occurs in a file, the texts that share it are
/// confirmed by length: the file's bytes from there are hashed once, up to
/// the longest of them, and at each of their lengths the hash is looked up
/// (then compared byte for byte). So a key occurrence costs at most the
/// longest text's length, however many texts share the key: no text is
/// compared one by one with its siblings, which made the old matcher
/// quadratic on text that repeats words.
pub struct Scanner {
    /// `None` when nothing is looked for; an error when the automaton
    /// could not be built (then every file is refused: the build can't
    /// tell it is safe). Pattern `g` is the key of `groups[g]`.
    matcher: Result<Option<AhoCorasick>, String>,
    groups: Vec<Group>,
    lengths: Vec<u32>,
    /// Open addressing over `found` by (group, hash): index + 1, or 0
    /// when empty.
    slots: Vec<u32>,
    found: Vec<Found>,
    arena: Vec<u8>,
    texts: String,
    incidents: Vec<String>,
    kinds: Vec<&'static str>,
    /// Texts not skipped.
    live: usize,
}

#[cfg(test)]
thread_local! {
    /// Steps of confirming key hits on this thread (bytes hashed, table
    /// slots probed): the tests' measure of the scan's work, which unlike
    /// a clock does not depend on the machine.
    pub(super) static WORK: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

#[cfg(test)]
fn count_work(steps: usize) {
    WORK.with(|w| w.set(w.get() + steps));
}

impl Scanner {
    /// The scanner of the `needles` whose `keep` is true, each marked
    /// skipped when it also appears in one of `public` (texts the site may
    /// show): the rest of [`Needles::finish`], whose fields it takes.
    pub(super) fn build(
        needles: Vec<Needle>,
        keep: &[bool],
        arena: Vec<u8>,
        texts: String,
        incidents: Vec<String>,
        kinds: Vec<&'static str>,
        public: &[&str],
    ) -> Scanner {
        let mut found: Vec<Found> = Vec::with_capacity(needles.len());
        for (needle, &keep) in needles.into_iter().zip(keep) {
            if keep {
                found.push(Found {
                    canon: needle.canon,
                    text: needle.text,
                    incident: needle.incident,
                    kind: needle.kind,
                    skipped: false,
                    group: 0,
                    hash: 0,
                });
            }
        }
        let mut scanner = Scanner {
            matcher: Ok(None),
            groups: Vec::new(),
            lengths: Vec::new(),
            slots: Vec::new(),
            live: found.len(),
            found,
            arena,
            texts,
            incidents,
            kinds,
        };
        scanner.index();
        // On all cores: on text that repeats words nearly every word of
        // the public texts is a key's hit (measured on 10,000 incidents of
        // a 50-word vocabulary: 208 ms on one core, the longest step of
        // making the scanner, while the other core sat idle).
        let hits: Vec<usize> = crate::par::chunks(public, |texts| {
            let mut corpus = Vec::new();
            for text in texts {
                canonical_into(text, &mut corpus);
                // Not a letter or digit: no text spans two public texts.
                corpus.push(b'|');
            }
            let mut hits = Vec::new();
            let _ = scanner.each_match(&corpus, |n| {
                hits.push(n);
                false
            });
            hits
        })
        .concat();
        for n in hits {
            if !scanner.found[n].skipped {
                scanner.found[n].skipped = true;
                scanner.live -= 1;
            }
        }
        if scanner.live < scanner.found.len() {
            // Without the skipped texts: their keys would only make the
            // scan stop, to no avail, wherever the page prints them.
            scanner.found.retain(|f| !f.skipped);
            scanner.index();
        }
        scanner
    }

    /// Builds the scanner from internal texts, leaving out those that also
    /// appear in one of `public` (texts the site may show) and those with
    /// fewer than [`MIN_WORDS`](super::MIN_WORDS) words outside
    /// `vocabulary`. For tests; the site collects [`Needles`] on all cores.
    #[cfg(test)]
    pub fn new(
        internal: &[(&'static str, &str, &str)],
        public: &[&str],
        vocabulary: &Vocabulary,
    ) -> Scanner {
        let mut needles = Needles::default();
        for (kind, incident, text) in internal {
            needles.add(kind, incident, text);
        }
        needles.finish(public, vocabulary)
    }

    /// Groups the texts by key, builds the automaton of the keys and the
    /// table of (group, length, hash).
    fn index(&mut self) {
        self.matcher = Ok(None);
        self.groups.clear();
        self.lengths.clear();
        self.slots.clear();
        if self.found.is_empty() {
            return;
        }
        let Ok(count) = u32::try_from(self.found.len()) else {
            self.matcher = Err("too many internal texts".to_owned());
            return;
        };
        let arena = &self.arena;
        let mut group_of: HashMap<&[u8], u32> = HashMap::new();
        let mut keys: Vec<&[u8]> = Vec::new();
        // (group, length) of every text, to list each group's lengths.
        let mut sized: Vec<(u32, u32)> = Vec::with_capacity(self.found.len());
        for f in &mut self.found {
            let canon = &arena[f.canon.clone()];
            let k = &canon[..canon.len().min(KEY)];
            f.group = *group_of.entry(k).or_insert_with(|| {
                keys.push(k);
                u32::try_from(keys.len() - 1).unwrap_or(u32::MAX)
            });
            f.hash = canon.iter().fold(0, |h, &b| extend_hash(h, b));
            sized.push((f.group, u32::try_from(canon.len()).unwrap_or(u32::MAX)));
        }
        drop(group_of);
        let size = (2 * self.found.len()).next_power_of_two();
        self.slots = vec![0; size];
        for (n, f) in (1..=count).zip(&self.found) {
            let mut slot = slot_of(f.group, f.hash, size);
            while self.slots[slot] != 0 {
                slot = (slot + 1) & (size - 1);
            }
            self.slots[slot] = n;
        }
        sized.sort_unstable();
        sized.dedup();
        self.groups = Vec::with_capacity(keys.len());
        self.lengths = Vec::with_capacity(sized.len());
        for (i, (g, len)) in sized.iter().enumerate() {
            if self.groups.len() <= *g as usize {
                let at = u32::try_from(i).unwrap_or(u32::MAX);
                self.groups.push(Group { start: at, end: at });
            }
            self.lengths.push(*len);
            if let Some(group) = self.groups.last_mut() {
                group.end += 1;
            }
        }
        // A DFA (one table look-up a byte) while it stays small: its
        // table has up to 64 slots of 4 bytes a state (byte classes
        // rounded up), a state a key byte at most. Past that, the
        // contiguous NFA, compact but slower.
        // Sorted apart: pattern `g` must stay group `g`.
        let kind = if trie_nodes(&mut keys.clone()) <= DFA_STATES {
            AhoCorasickKind::DFA
        } else {
            AhoCorasickKind::ContiguousNFA
        };
        self.matcher = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .kind(Some(kind))
            .build(&keys)
            .map(Some)
            .map_err(|e| e.to_string());
    }

    /// Calls `found` with each text looked for (not skipped) that occurs
    /// in canonical `text`, in the order the scan meets them; stops when
    /// it returns true. An error when the matcher could not be built or
    /// run.
    fn each_match(&self, text: &[u8], mut found: impl FnMut(usize) -> bool) -> Result<(), String> {
        let matcher = match &self.matcher {
            Ok(Some(matcher)) => matcher,
            Ok(None) => return Ok(()),
            Err(e) => return Err(e.clone()),
        };
        let matches = matcher
            .try_find_overlapping_iter(text)
            .map_err(|e| e.to_string())?;
        for m in matches {
            let g = m.pattern().as_u32();
            let Some(group) = self.groups.get(g as usize) else {
                continue;
            };
            let rest = &text[m.start()..];
            let (mut hash, mut hashed) = (0, 0);
            for &len in &self.lengths[group.start as usize..group.end as usize] {
                let Some(candidate) = rest.get(..len as usize) else {
                    break;
                };
                for &b in &candidate[hashed..] {
                    hash = extend_hash(hash, b);
                }
                #[cfg(test)]
                count_work(candidate.len() - hashed);
                hashed = candidate.len();
                let mut slot = slot_of(g, hash, self.slots.len());
                while let Some(i) = self.slots[slot].checked_sub(1) {
                    #[cfg(test)]
                    count_work(1);
                    let f = &self.found[i as usize];
                    if f.group == g
                        && f.hash == hash
                        && !f.skipped
                        && self.arena[f.canon.clone()] == *candidate
                        && found(i as usize)
                    {
                        return Ok(());
                    }
                    slot = (slot + 1) & (self.slots.len() - 1);
                }
            }
        }
        Ok(())
    }

    /// How many internal texts are looked for.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.live
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0 && self.matcher.is_ok()
    }

    fn leak(&self, file: &str, n: usize) -> Leak {
        let found = &self.found[n];
        Leak {
            file: file.to_owned(),
            kind: self.kinds[usize::from(found.kind)],
            incident: self.incidents[found.incident as usize].clone(),
            text: quote(&self.texts[found.text.clone()]),
        }
    }

    /// The first internal text in `bytes` (any output file's contents,
    /// read as UTF-8), canonicalised into `buf`.
    pub fn find_in(&self, file: &str, bytes: &[u8], buf: &mut Vec<u8>) -> Option<Leak> {
        if self.is_empty() {
            return None;
        }
        buf.clear();
        match std::str::from_utf8(bytes) {
            Ok(text) => canonical_into(text, buf),
            Err(_) => canonical_into(&String::from_utf8_lossy(bytes), buf),
        }
        let mut hit = None;
        let scanned = self.each_match(buf, |n| {
            hit = Some(n);
            true
        });
        match scanned {
            Ok(()) => hit.map(|n| self.leak(file, n)),
            Err(error) => Some(Leak {
                file: file.to_owned(),
                kind: UNSCANNED,
                incident: String::new(),
                text: quote(&error),
            }),
        }
    }

    /// The first internal text in `text` (any output file's contents).
    #[cfg(test)]
    pub fn find(&self, file: &str, text: &str) -> Option<Leak> {
        self.find_in(file, text.as_bytes(), &mut Vec::new())
    }

    /// Scans every file on all cores; the leak in the first file (in the
    /// given order) that has one.
    pub fn scan(&self, files: &[(String, Vec<u8>)]) -> Option<Leak> {
        if self.is_empty() || files.is_empty() {
            return None;
        }
        let threads = crate::par::threads().min(files.len());
        // Files are handed out one at a time, in order. A thread stops at
        // its first leak, or once the next file comes after a file already
        // known to leak: every file before the first leaky one is scanned.
        let next = AtomicUsize::new(0);
        let first = AtomicUsize::new(usize::MAX);
        let found = crate::par::workers(threads, || {
            let mut buf = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= files.len() || i > first.load(Ordering::Relaxed) {
                    return None;
                }
                let (path, bytes) = &files[i];
                if let Some(leak) = self.find_in(path, bytes, &mut buf) {
                    first.fetch_min(i, Ordering::Relaxed);
                    return Some((i, leak));
                }
            }
        });
        found
            .into_iter()
            .flatten()
            .min_by_key(|(i, _)| *i)
            .map(|(_, leak)| leak)
    }
}
