//! The canonical form texts are compared in: character references
//! decoded, then only letters and digits kept, lower-cased.

/// What a byte is to [`canonical`]: an ASCII letter or digit maps to
/// itself lower-cased; [`SKIP`] is dropped, [`AMP`] may start a character
/// reference and [`WIDE`] starts a non-ASCII character.
const SKIP: u8 = 0;
const AMP: u8 = 1;
const WIDE: u8 = 2;
const BYTE_CLASS: [u8; 256] = {
    let mut table = [SKIP; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = if c.is_ascii_alphanumeric() {
            c.to_ascii_lowercase()
        } else if c == b'&' {
            AMP
        } else if c >= 0x80 {
            WIDE
        } else {
            SKIP
        };
        b += 1;
    }
    table
};

/// Letters and digits only, lower-cased, after decoding character
/// references (`&lt;`, `&#x2f;`, `&#39;`; named ones other than the
/// numeric kind only stand for punctuation here and are dropped). The
/// scan appends to one buffer instead ([`canonical_into`]).
#[cfg(test)]
pub fn canonical(s: &str) -> String {
    let mut out = Vec::with_capacity(s.len());
    canonical_into(s, &mut out);
    // Only whole characters' encodings were pushed.
    String::from_utf8(out).unwrap_or_default()
}

/// [`canonical`], appended to `out` as UTF-8 bytes. Plain ASCII (most of
/// any HTML) takes one table look-up a byte and no unpredictable branch:
/// the byte's class is stored and the end moves on only for a kept one
/// (letters and markup alternate too often for a branch to be predicted).
/// `&` and non-ASCII text take the character path.
pub(super) fn canonical_into(s: &str, out: &mut Vec<u8>) {
    let bytes = s.as_bytes();
    let mut end = out.len();
    // Room for every byte kept as it is; only a lower-cased character can
    // need more, and `put` makes room for it.
    out.resize(end + bytes.len(), 0);
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let class = BYTE_CLASS[usize::from(b)];
        if class == AMP || class == WIDE {
            let (next, c) = if class == AMP {
                reference(s, i).unwrap_or((i + 1, None))
            } else {
                match s[i..].chars().next() {
                    Some(c) => (i + c.len_utf8(), Some(c)),
                    None => break,
                }
            };
            if let Some(c) = c.filter(|c| c.is_alphanumeric()) {
                let mut buf = [0; 4];
                for l in c.to_lowercase() {
                    let encoded = l.encode_utf8(&mut buf).as_bytes();
                    // Keep room for the rest of the text, byte for byte.
                    let room = end + encoded.len() + (bytes.len() - next);
                    if room > out.len() {
                        out.resize(room, 0);
                    }
                    out[end..end + encoded.len()].copy_from_slice(encoded);
                    end += encoded.len();
                }
            }
            i = next;
            continue;
        }
        out[end] = class;
        end += usize::from(class != SKIP);
        i += 1;
    }
    out.truncate(end);
}

/// At the `&` at `at`: a character reference (`&` then up to 12 ASCII
/// letters, digits or `#`, then `;`) is skipped; returns the index after
/// it and the character a numeric one stands for, or `None` when no
/// reference starts here.
pub(super) fn reference(s: &str, at: usize) -> Option<(usize, Option<char>)> {
    let bytes = s.as_bytes();
    let window = &bytes[at + 1..bytes.len().min(at + 14)];
    let len = window.iter().position(|&b| b == b';')?;
    let entity = &window[..len];
    if entity.is_empty()
        || !entity
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'#')
    {
        return None;
    }
    // All ASCII, so a whole `str`.
    let entity = &s[at + 1..at + 1 + len];
    Some((at + len + 2, numeric(entity)))
}

/// The character a numeric reference's name (`#x2f`, `#39`, between `&`
/// and `;`) stands for; `None` for a named one or a number that is no
/// character.
pub(super) fn numeric(entity: &str) -> Option<char> {
    entity
        .strip_prefix("#x")
        .or_else(|| entity.strip_prefix("#X"))
        .and_then(|hex| u32::from_str_radix(hex, 16).ok())
        .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
        .and_then(char::from_u32)
}
