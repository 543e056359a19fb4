//! The internal texts as they are collected ([`Needles`], on several
//! cores, then merged), and the digest of everything the scan's verdict
//! depends on ([`scan_digest`]).

use super::canonical::canonical_into;
use super::matcher::Scanner;
use super::texts::Vocabulary;
use super::{MIN_CHARS, MIN_LETTERS, SCAN_RULES};

/// A hash of a canonical text, to find duplicates.
fn text_hash(text: &[u8]) -> u64 {
    let mut h = (text.len() as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let mut chunks = text.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        h = (h ^ u64::from_le_bytes(word))
            .wrapping_mul(0xC2B2_AE3D_27D4_EB4F)
            .rotate_left(29);
    }
    for &b in chunks.remainder() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01B3);
    }
    h ^ (h >> 32)
}

pub(super) struct Needle {
    /// Its canonical form: `arena[canon]`.
    pub(super) canon: std::ops::Range<usize>,
    /// The text as written: `texts[text]`.
    pub(super) text: std::ops::Range<usize>,
    /// Index into `incidents`.
    pub(super) incident: u32,
    /// Index into `kinds`.
    pub(super) kind: u8,
}

/// The internal texts as they are collected: each distinct canonical form
/// once (the first text that has it), in one arena, with the text as
/// written (for the error that quotes it, and for the word rule, applied by
/// [`Needles::finish`] once the vocabulary is known).
#[derive(Default)]
pub struct Needles {
    pub(super) arena: Vec<u8>,
    texts: String,
    pub(super) needles: Vec<Needle>,
    pub(super) incidents: Vec<String>,
    pub(super) kinds: Vec<&'static str>,
    /// Open addressing over `needles`: index + 1, or 0 when empty.
    seen: Vec<usize>,
    /// The sum of a 128-bit hash of every piece added (canonical form and
    /// text), duplicates included: the same texts give the same sum in
    /// whatever order and parts they were added ([`scan_digest`]).
    sum: u128,
}

impl Needles {
    /// Adds internal text `text` (and each of its lines, when it has more
    /// than one) of incident `incident`.
    pub fn add(&mut self, kind: &'static str, incident: &str, text: &str) {
        // A canonical form has no more characters than the text has bytes.
        if text.len() < MIN_CHARS {
            return;
        }
        let lines = text.lines().filter(|_| text.contains('\n'));
        for piece in std::iter::once(text).chain(lines) {
            if piece.len() >= MIN_CHARS {
                self.add_piece(kind, incident, piece);
            }
        }
    }

    fn add_piece(&mut self, kind: &'static str, incident: &str, piece: &str) {
        let start = self.arena.len();
        canonical_into(piece, &mut self.arena);
        let canon = &self.arena[start..];
        let (chars, letters) = if canon.is_ascii() {
            let letters = canon.iter().filter(|b| b.is_ascii_alphabetic()).count();
            (canon.len(), letters)
        } else {
            let canon = std::str::from_utf8(canon).unwrap_or_default();
            let letters = canon.chars().filter(|c| c.is_alphabetic()).count();
            (canon.chars().count(), letters)
        };
        if chars < MIN_CHARS || letters < MIN_LETTERS {
            self.arena.truncate(start);
            return;
        }
        let canon = &self.arena[start..];
        let h = text_hash(canon);
        let piece_hash =
            (u128::from(h) << 64) | u128::from(text_hash(piece.as_bytes()) ^ h.rotate_left(17));
        self.sum = self.sum.wrapping_add(piece_hash);
        self.insert(kind, incident, start, piece);
    }

    /// Keeps the canonical form at `arena[start..]` (of `text`) as a needle
    /// of `incident`, unless an earlier needle has the same form.
    fn insert(&mut self, kind: &'static str, incident: &str, start: usize, text: &str) {
        if self.seen.len() < 2 * (self.needles.len() + 1) {
            self.grow_seen();
        }
        let mask = self.seen.len() - 1;
        let mut slot = text_hash(&self.arena[start..]) as usize & mask;
        while let Some(n) = self.seen[slot].checked_sub(1) {
            if self.arena[self.needles[n].canon.clone()] == self.arena[start..] {
                self.arena.truncate(start);
                // A form is the earliest incident's (by ID) that has it, in
                // whatever order parts are merged, with its text there.
                if *incident < *self.incidents[self.needles[n].incident as usize] {
                    self.needles[n].incident = self.incident_index(incident);
                    self.needles[n].kind = self.kind_index(kind);
                    let text_start = self.texts.len();
                    self.texts.push_str(text);
                    self.needles[n].text = text_start..self.texts.len();
                }
                return;
            }
            slot = (slot + 1) & mask;
        }
        let incident = self.incident_index(incident);
        let kind = self.kind_index(kind);
        let text_start = self.texts.len();
        self.texts.push_str(text);
        self.needles.push(Needle {
            canon: start..self.arena.len(),
            text: text_start..self.texts.len(),
            incident,
            kind,
        });
        self.seen[slot] = self.needles.len();
    }

    /// `incident`'s index in `incidents` (texts come incident by incident,
    /// so only the last one is looked at).
    fn incident_index(&mut self, incident: &str) -> u32 {
        if self.incidents.last().is_none_or(|last| last != incident) {
            self.incidents.push(incident.to_owned());
        }
        u32::try_from(self.incidents.len() - 1).unwrap_or(u32::MAX)
    }

    fn kind_index(&mut self, kind: &'static str) -> u8 {
        let k = match self.kinds.iter().position(|k| *k == kind) {
            Some(k) => k,
            None => {
                self.kinds.push(kind);
                self.kinds.len() - 1
            }
        };
        u8::try_from(k).unwrap_or(u8::MAX)
    }

    /// Needles collected in parts (on several cores, each part's texts
    /// in incident order), as one: each canonical form once, credited to
    /// the earliest incident by ID that has it, whatever the parts' order.
    pub fn merge(parts: Vec<Needles>) -> Needles {
        let mut parts = parts.into_iter();
        let Some(mut all) = parts.next() else {
            return Needles::default();
        };
        for part in parts {
            all.sum = all.sum.wrapping_add(part.sum);
            for needle in &part.needles {
                let start = all.arena.len();
                all.arena
                    .extend_from_slice(&part.arena[needle.canon.clone()]);
                all.insert(
                    part.kinds[usize::from(needle.kind)],
                    &part.incidents[needle.incident as usize],
                    start,
                    &part.texts[needle.text.clone()],
                );
            }
        }
        all
    }

    fn grow_seen(&mut self) {
        let size = (self.seen.len() * 2).max(1024);
        self.seen = vec![0; size];
        let mask = size - 1;
        for (n, needle) in self.needles.iter().enumerate() {
            let mut slot = text_hash(&self.arena[needle.canon.clone()]) as usize & mask;
            while self.seen[slot] != 0 {
                slot = (slot + 1) & mask;
            }
            self.seen[slot] = n + 1;
        }
    }

    /// The sum of the pieces' hashes ([`scan_digest`]).
    pub fn sum(&self) -> u128 {
        self.sum
    }

    /// The scanner: the needles with at least [`MIN_WORDS`](super::MIN_WORDS) words outside
    /// `vocabulary`, each marked skipped when it also appears in one of
    /// `public` (texts the site may show).
    pub fn finish(self, public: &[&str], vocabulary: &Vocabulary) -> Scanner {
        let Needles {
            arena,
            texts,
            needles,
            incidents,
            kinds,
            seen,
            sum: _,
        } = self;
        drop(seen);
        // The word rule on all cores: it looks words up one by one.
        let says_more: Vec<bool> = crate::par::chunks(&needles, |run| {
            run.iter()
                .map(|n| vocabulary.says_more(&texts[n.text.clone()]))
                .collect::<Vec<bool>>()
        })
        .concat();
        Scanner::build(needles, &says_more, arena, texts, incidents, kinds, public)
    }
}

/// A digest of everything the scan's verdict depends on: the internal
/// texts (`sum`, of [`Needles::sum`] of every part), the `public` texts,
/// the `vocabulary` and the rules ([`SCAN_RULES`]). Two builds with the
/// same digest pass or fail a file alike, so a file that passed the last
/// build's scan, unchanged since, passes again unscanned.
///
/// Keyed with `key`, secret to the clone: the digest is recorded in the
/// site's folder, and unkeyed it would let anyone confirm a guess of every
/// internal text. The internal texts enter as a sum of 128-bit hashes, not
/// a cryptographic digest: the scan guards against mistakes, and a sum
/// needs no sorting or merging of the texts, which a rebuild that scans
/// nothing then skips.
pub fn scan_digest(key: &[u8], sum: u128, public: &[&str], vocabulary: &Vocabulary) -> [u8; 20] {
    use sha1::{Digest as _, Sha1};
    let mut h = Sha1::new();
    h.update(key);
    let mut part = |bytes: &[u8]| {
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    };
    part(SCAN_RULES.as_bytes());
    part(env!("CARGO_PKG_VERSION").as_bytes());
    part(&sum.to_le_bytes());
    part(b"public");
    for text in public {
        part(text.as_bytes());
    }
    part(b"vocabulary");
    let mut words: Vec<&String> = vocabulary.words.iter().collect();
    words.sort_unstable();
    for w in words {
        part(w.as_bytes());
    }
    h.finalize().into()
}
