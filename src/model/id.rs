//! Incident IDs: `YYYY-MM-DD-slug`, and finding one from what a user typed.

use chrono::{DateTime, Utc};

/// The longest slug an ID carries.
pub const MAX_SLUG: usize = 40;

/// A filesystem- and URL-safe slug of a title: ASCII `a-z0-9-`, at most
/// [`MAX_SLUG`] characters, cut at a word boundary where possible.
/// Accents are transliterated (`café` → `cafe`); a title with no usable
/// characters gives `incident`.
pub fn slugify(title: &str) -> String {
    let ascii = deunicode::deunicode(title).to_ascii_lowercase();
    let mut slug = String::with_capacity(ascii.len());
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let mut slug = slug.trim_end_matches('-').to_owned();
    if slug.len() > MAX_SLUG {
        let cut = &slug[..=MAX_SLUG];
        slug = match cut.rfind('-') {
            Some(i) if i >= MAX_SLUG / 2 => cut[..i].to_owned(),
            _ => slug[..MAX_SLUG].trim_end_matches('-').to_owned(),
        };
    }
    if slug.is_empty() {
        "incident".to_owned()
    } else {
        slug
    }
}

/// A new ID for `title` opened at `at`; `taken` says whether an ID exists.
/// Collisions get `-2`, `-3` ….
pub fn new_id(at: DateTime<Utc>, title: &str, taken: impl Fn(&str) -> bool) -> String {
    let base = format!("{}-{}", at.format("%Y-%m-%d"), slugify(title));
    if !taken(&base) {
        return base;
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|id| !taken(id))
        .unwrap_or(base)
}

/// Whether `name` has the shape of an incident ID (a folder inc made).
pub fn is_id(name: &str) -> bool {
    let b = name.as_bytes();
    b.len() > 11
        && b[..10].iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
        && b[10] == b'-'
        && b[11..]
            .iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
}

/// The year folder an ID lives in.
pub fn year(id: &str) -> &str {
    id.get(..4).unwrap_or("0000")
}

/// How a query matched.
#[derive(Debug, PartialEq, Eq)]
pub enum Match<'a> {
    One(&'a str),
    None,
    Many(Vec<&'a str>),
}

/// Finds the incident a user meant: an exact ID, else a unique prefix, else a
/// unique part of the slug.
pub fn find<'a>(query: &str, ids: &'a [String]) -> Match<'a> {
    let q = query.trim().to_ascii_lowercase();
    if q.is_empty() {
        return Match::None;
    }
    if let Some(id) = ids.iter().find(|id| **id == q) {
        return Match::One(id);
    }
    let pick = |found: Vec<&'a str>| match found.len() {
        0 => None,
        1 => Some(Match::One(found[0])),
        _ => Some(Match::Many(found)),
    };
    let prefixed = ids
        .iter()
        .filter(|id| id.starts_with(&q))
        .map(String::as_str)
        .collect();
    if let Some(m) = pick(prefixed) {
        return m;
    }
    let in_slug = ids
        .iter()
        .filter(|id| id.get(11..).is_some_and(|slug| slug.contains(&q)))
        .map(String::as_str)
        .collect();
    pick(in_slug).unwrap_or(Match::None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn slugs_are_safe() {
        assert_eq!(slugify("Checkout returns 500s"), "checkout-returns-500s");
        assert_eq!(slugify("../../etc/passwd"), "etc-passwd");
        assert_eq!(slugify("a/b\\c:d*e?f"), "a-b-c-d-e-f");
        assert_eq!(slugify("Café señor Ürün"), "cafe-senor-urun");
        assert_eq!(slugify("🔥🔥"), "fire-fire");
        assert_eq!(slugify("!!!"), "incident");
        assert_eq!(slugify(""), "incident");
    }

    #[test]
    fn long_titles_cut_at_a_word() {
        let long = "database ".repeat(40);
        let slug = slugify(&long);
        assert!(slug.len() <= MAX_SLUG, "{slug}");
        assert!(slug.ends_with("database"), "{slug}");
        let one_word = "x".repeat(300);
        assert_eq!(slugify(&one_word).len(), MAX_SLUG);
    }

    #[test]
    fn every_slug_makes_a_valid_id() {
        let at = Utc.with_ymd_and_hms(2026, 11, 27, 1, 0, 0).unwrap();
        for title in ["../../etc/passwd", "🔥", "a/b\\c:d*e?f", &"é".repeat(300)] {
            let id = new_id(at, title, |_| false);
            assert!(is_id(&id), "{id}");
        }
    }

    #[test]
    fn collisions_count_up() {
        let at = Utc.with_ymd_and_hms(2026, 11, 27, 1, 0, 0).unwrap();
        let taken = ["2026-11-27-db-down", "2026-11-27-db-down-2"];
        assert_eq!(
            new_id(at, "DB down", |id| taken.contains(&id)),
            "2026-11-27-db-down-3"
        );
    }

    #[test]
    fn find_by_prefix_then_slug() {
        let ids: Vec<String> = [
            "2026-11-27-checkout-errors",
            "2026-11-28-checkout-latency",
            "2026-11-28-db-down",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(
            find("2026-11-27", &ids),
            Match::One("2026-11-27-checkout-errors")
        );
        assert_eq!(find("db", &ids), Match::One("2026-11-28-db-down"));
        assert_eq!(
            find("latency", &ids),
            Match::One("2026-11-28-checkout-latency")
        );
        assert_eq!(
            find("checkout", &ids),
            Match::Many(vec![
                "2026-11-27-checkout-errors",
                "2026-11-28-checkout-latency"
            ])
        );
        assert_eq!(find("nope", &ids), Match::None);
        assert_eq!(find("", &ids), Match::None);
    }
}
