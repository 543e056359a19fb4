//! Tests of the leak scan as a whole: the canonical form against its
//! definition, the needles' sums and merging, the scanner against a plain
//! search, its linear time, and the word rule.

use super::canonical::numeric;
use super::matcher::WORK;
use super::texts::id_slug;
use super::*;
use crate::config::Config;

/// The definition [`canonical`] must keep: character by character (the
/// numbers references stand for are read by the scanner's own [`numeric`]).
fn canonical_reference(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        if c == '&'
            && let Some(end) = rest[1..].find(';').filter(|n| *n <= 12)
        {
            let entity = &rest[1..=end];
            if !entity.is_empty()
                && entity
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '#')
            {
                if let Some(d) = numeric(entity)
                    && d.is_alphanumeric()
                {
                    out.extend(d.to_lowercase());
                }
                rest = &rest[end + 2..];
                continue;
            }
        }
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Strings made of pieces that stress references, case and non-ASCII.
fn random_texts(count: usize, pieces: &[&str], max_len: u64) -> Vec<String> {
    let mut seed = 0x2545_F491_4F6C_DD1D_u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    (0..count)
        .map(|_| {
            let len = next() % max_len;
            (0..len)
                .map(|_| pieces[(next() % pieces.len() as u64) as usize])
                .collect()
        })
        .collect()
}

#[test]
fn canonical_keeps_its_definition() {
    let pieces = [
        "&",
        ";",
        "#",
        "x",
        "X",
        "4",
        "1",
        "f",
        "a",
        "Z",
        "q",
        "İ",
        "ü",
        "ß",
        "É",
        " ",
        "&amp;",
        "&#x41;",
        "&#65;",
        "&#x2f;",
        "&lt;",
        "<",
        "é",
        "\u{1F600}",
        "٣",
        "Ⅻ",
        "&#304;",
        "&#xFFFFFFFF;",
        "&#;",
        "&abcdefghijklm;",
    ];
    for text in random_texts(20_000, &pieces, 40) {
        assert_eq!(canonical(&text), canonical_reference(&text), "{text:?}");
    }
}

/// (canonical form, incident, kind) of every needle, in order.
fn listed(n: &Needles) -> Vec<(Vec<u8>, String, &'static str)> {
    n.needles
        .iter()
        .map(|x| {
            (
                n.arena[x.canon.clone()].to_vec(),
                n.incidents[x.incident as usize].clone(),
                n.kinds[usize::from(x.kind)],
            )
        })
        .collect()
}

#[test]
fn the_texts_sum_is_the_same_whatever_the_parts_and_order() {
    let texts = [
        (
            "note",
            "2026-01-01-a",
            "Bob dropped the prod customers table",
        ),
        (
            "note",
            "2026-01-02-b",
            "Rolled back the payments deploy at noon",
        ),
        (
            "note",
            "2026-01-03-c",
            "Bob dropped the prod customers table",
        ),
    ];
    let mut one = Needles::default();
    for (kind, id, text) in texts {
        one.add(kind, id, text);
    }
    let (mut a, mut b) = (Needles::default(), Needles::default());
    b.add(texts[2].0, texts[2].1, texts[2].2);
    b.add(texts[0].0, texts[0].1, texts[0].2);
    a.add(texts[1].0, texts[1].1, texts[1].2);
    let sum = |parts: &[&Needles]| parts.iter().fold(0u128, |s, n| s.wrapping_add(n.sum()));
    assert_eq!(sum(&[&a, &b]), one.sum());
    assert_eq!(Needles::merge(vec![b, a]).sum(), one.sum());
    let mut other = Needles::default();
    other.add(
        "note",
        "2026-01-01-a",
        "Bob dropped the prod customers tables",
    );
    other.add(texts[1].0, texts[1].1, texts[1].2);
    other.add(texts[2].0, texts[2].1, texts[2].2);
    assert_ne!(other.sum(), one.sum(), "one text changed: another sum");
}

#[test]
fn needles_merged_from_parts_are_those_added_in_one() {
    // In twos, each duplicate falls in a later part than its first.
    let texts = [
        ("a note", "inc-a", "the primary database failed over"),
        ("a note", "inc-b", "cache cluster lost quorum twice"),
        (
            "a label value",
            "inc-b",
            "The Primary Database -- failed over!",
        ),
        ("an alert", "inc-c", "cache cluster lost quorum twice"),
        ("an alert", "inc-c", "short"),
        (
            "a summary",
            "inc-d",
            "line one is long enough\nline two is long enough",
        ),
    ];
    let of = |texts: &[(&'static str, &str, &str)]| {
        let mut needles = Needles::default();
        for (kind, id, text) in texts {
            needles.add(kind, id, text);
        }
        needles
    };
    let one = of(&texts);
    let parts: Vec<Needles> = texts.chunks(2).map(of).collect();
    let reversed: Vec<Needles> = texts.chunks(2).rev().map(of).collect();
    let merged = Needles::merge(parts);
    assert_eq!(listed(&merged), listed(&one));
    // Parts merged in another order (workers finish in any order) still
    // credit each text to the earliest incident, with its kind there.
    let mut credits = listed(&Needles::merge(reversed));
    credits.sort();
    let mut expected = listed(&one);
    expected.sort();
    assert_eq!(credits, expected);
    // Duplicates across parts were kept once, from the first incident.
    assert_eq!(listed(&one).len(), 5, "{:?}", listed(&one));
    assert!(listed(&Needles::merge(Vec::new())).is_empty());
}

#[test]
fn scan_reports_the_first_leaky_file() {
    let internal = [
        ("an internal note", "i1", "The primary database is toast"),
        ("a summary", "i2", "Checkout errors for everyone"),
    ];
    let s = Scanner::new(&internal, &[], &Vocabulary::default());
    let mut files: Vec<(String, Vec<u8>)> = (0..500)
        .map(|n| (format!("f{n:03}"), b"<p>nothing to see</p>".to_vec()))
        .collect();
    files[317].1 = b"checkout ERRORS for everyone".to_vec();
    files[480].1 = b"the primary database is toast".to_vec();
    let leak = s.scan(&files).unwrap();
    assert_eq!((leak.file.as_str(), leak.kind), ("f317", "a summary"));
    files[317].1 = b"fine".to_vec();
    assert_eq!(s.scan(&files).unwrap().file, "f480");
    files[480].1 = vec![0xff, b'x'];
    assert!(s.scan(&files).is_none());
}

/// The texts a scanner made from `internal` and `public` must look
/// for, by the definition: long enough, saying more than the
/// vocabulary, and in no public text.
fn looked_for(internal: &[&str], public: &[&str], vocabulary: &Vocabulary) -> Vec<String> {
    let public_canon: Vec<String> = public.iter().map(|p| canonical(p)).collect();
    let mut pieces: Vec<&str> = Vec::new();
    for t in internal {
        pieces.push(t);
        if t.contains('\n') {
            pieces.extend(t.lines());
        }
    }
    pieces
        .into_iter()
        .filter(|t| vocabulary.says_more(t))
        .map(canonical)
        .filter(|c| {
            c.chars().count() >= MIN_CHARS
                && c.chars().filter(|c| c.is_alphabetic()).count() >= MIN_LETTERS
                && !public_canon.iter().any(|p| p.contains(c.as_str()))
        })
        .collect()
}

#[test]
fn the_scanner_finds_what_a_plain_search_finds() {
    let pieces = ["ab", "c", "d", "&amp;", " ", "E", "ü", "x1", "&#x61;"];
    let texts = random_texts(400, &pieces, 24);
    let internal: Vec<(&str, &str, &str)> = texts[..200]
        .iter()
        .map(|t| ("a text", "i", t.as_str()))
        .collect();
    let public: Vec<&str> = texts[200..220].iter().map(String::as_str).collect();
    let vocabulary = Vocabulary::default();
    let scanner = Scanner::new(&internal, &public, &vocabulary);
    let plain: Vec<&str> = internal.iter().map(|(_, _, t)| *t).collect();
    let looked_for = looked_for(&plain, &public, &vocabulary);
    assert!(!looked_for.is_empty());
    let mut found = 0;
    for file in &texts[150..] {
        let file = format!("<p>{file} and {file}</p>");
        let canon = canonical(&file);
        let expected = looked_for.iter().any(|c| canon.contains(c.as_str()));
        assert_eq!(scanner.find("f", &file).is_some(), expected, "{file:?}");
        found += usize::from(expected);
    }
    assert!(found > 0, "some files leak");
    // Every internal text is found in a file made of it, wherever it
    // starts, up to the file's end.
    for text in &looked_for {
        for pad in 0..10 {
            let padding = "z".repeat(pad);
            for file in [format!("{padding}{text}"), format!("{padding} {text} y")] {
                assert!(scanner.find("f", &file).is_some(), "{file}");
            }
        }
    }
}

/// Words of the issue's worst case: texts that repeat a few words, so
/// many texts share every prefix (for the differential test).
const FEW_WORDS: &[&str] = &[
    "cache", "disk", "lock", "pool", "retry", "queue", "node", "slow", "db", "&amp;", "Cache",
];

fn words_of(picks: &[usize]) -> String {
    let words: Vec<&str> = picks
        .iter()
        .map(|&i| FEW_WORDS[i % FEW_WORDS.len()])
        .collect();
    words.join(" ")
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]

    /// Differential: the scanner reports a leak exactly when a naive
    /// search (every looked-for text, `contains` on canonical forms)
    /// finds one, and what it reports does occur in the file.
    #[test]
    fn the_scanner_agrees_with_a_naive_scan(
        internal in proptest::collection::vec(proptest::collection::vec(0usize..64, 1..8), 1..40),
        public in proptest::collection::vec(proptest::collection::vec(0usize..64, 1..12), 0..6),
        files in proptest::collection::vec(proptest::collection::vec(0usize..64, 0..40), 1..6),
    ) {
        let internal: Vec<String> = internal.iter().map(|p| words_of(p)).collect();
        let public: Vec<String> = public.iter().map(|p| words_of(p)).collect();
        let public: Vec<&str> = public.iter().map(String::as_str).collect();
        let texts: Vec<(&str, &str, &str)> = internal
            .iter()
            .map(|t| ("an internal note", "i", t.as_str()))
            .collect();
        let vocabulary = Vocabulary::default();
        let scanner = Scanner::new(&texts, &public, &vocabulary);
        let plain: Vec<&str> = internal.iter().map(String::as_str).collect();
        let expected = looked_for(&plain, &public, &vocabulary);
        proptest::prop_assert_eq!(scanner.len(), {
            let mut distinct = expected.clone();
            distinct.sort();
            distinct.dedup();
            distinct.len()
        });
        for file in &files {
            let file = format!("<li>{}</li>", words_of(file));
            let canon = canonical(&file);
            let naive = expected.iter().any(|c| canon.contains(c.as_str()));
            let leak = scanner.find("f.html", &file);
            proptest::prop_assert_eq!(leak.is_some(), naive, "{}", file);
            if let Some(leak) = leak {
                proptest::prop_assert!(canon.contains(&canonical(&leak.text)), "{:?}", leak);
            }
        }
    }
}

#[test]
fn repeated_words_scan_in_linear_time() {
    // The issue's worst case for the old matcher: thousands of texts
    // sharing their first words, and a page printing those words over
    // and over. The old matcher compared every text sharing a key at
    // each such place, so ten times the texts took ten times the work
    // (15.9 s for this 2 MB page and 20,000 texts in a debug build, on
    // commit 0939610). This one confirms all of them with one hash of
    // the page's bytes there: its work must not grow with their number.
    let page = "<p>cache disk lock pool retry queue</p> ".repeat(50_000);
    let work = |count: usize| {
        let texts: Vec<String> = (0..count)
            .map(|n| format!("cache disk lock pool retry {n}"))
            .collect();
        let internal: Vec<(&str, &str, &str)> = texts
            .iter()
            .map(|t| ("an internal note", "i", t.as_str()))
            .collect();
        let scanner = Scanner::new(&internal, &[], &Vocabulary::default());
        assert_eq!(scanner.len(), count);
        let before = WORK.with(std::cell::Cell::get);
        assert!(scanner.find("f", &page).is_none());
        (scanner, WORK.with(std::cell::Cell::get) - before)
    };
    let (_, few) = work(2_000);
    let (scanner, many) = work(20_000);
    assert!(few > 0, "the work is counted");
    assert!(
        many * 10 < few * 12,
        "ten times the texts: {few} steps became {many}"
    );
    assert!(
        many < 40 * page.len(),
        "{many} steps for a page of {} bytes",
        page.len()
    );
    // And it still finds one of them there.
    let leaky = format!("{page}<p>cache disk lock pool retry 12345</p>");
    let leak = scanner.find("f", &leaky).expect("a leak");
    // (The first found: "… retry 1", a prefix of it, is a text too.)
    assert!(
        leak.text.starts_with("cache disk lock pool retry 1"),
        "{leak:?}"
    );
    assert!(leaky.contains(&format!("<p>{}", leak.text)), "{leak:?}");
}

/// The vocabulary a site of the built-in templates and the default
/// config has (bar the JSON keys).
fn page_vocabulary() -> Vocabulary {
    let templates: Vec<&str> = crate::render::templates::BUILTINS
        .iter()
        .filter(|(name, _)| name.starts_with("site/"))
        .map(|(_, source)| *source)
        .collect();
    Vocabulary::page(&templates, &Config::default(), "Status")
}

#[test]
fn common_outage_phrases_are_not_looked_for() {
    let vocabulary = page_vocabulary();
    let phrases = [
        "Investigating",
        "Degraded performance",
        "Operational",
        "Affected components",
        "We are investigating",
        "We are investigating the issue",
        "Still investigating",
        "Monitoring",
        "Identified",
        "Major outage",
        "Partial outage",
        "All systems operational",
        "Resolved",
        "Fix deployed, monitoring",
        "A fix has been implemented and we are monitoring the results",
        "We are continuing to monitor",
        "Service restored",
        "Issue identified, working on a fix",
        "Back to normal",
        "Under maintenance",
        "Scheduled maintenance in progress",
        "Degraded performance; investigating",
    ];
    for phrase in phrases {
        assert!(
            !vocabulary.says_more(phrase),
            "{phrase:?} would be looked for"
        );
        let internal = [("an internal note", "i", phrase)];
        let scanner = Scanner::new(&internal, &[], &vocabulary);
        assert!(scanner.is_empty(), "{phrase:?}");
        assert!(
            scanner
                .find("index.html", &format!("<p>{phrase}</p>"))
                .is_none()
        );
    }
}

#[test]
fn real_internal_text_is_still_looked_for() {
    let vocabulary = page_vocabulary();
    for text in [
        "Bob dropped prod customers table",
        "db7.prod.acme.internal hunter2",
        "Investigating: Bob dropped the table",
        "Rolled back deploy 4f2a1c9",
        "Paged carol from the payments team",
    ] {
        assert!(
            vocabulary.says_more(text),
            "{text:?} would not be looked for"
        );
        let internal = [("an internal note", "i", text)];
        let scanner = Scanner::new(&internal, &[], &vocabulary);
        let leak = scanner
            .find(
                "index.html",
                &format!("<p>{}</p>", text.replace('.', "&#46;")),
            )
            .expect(text);
        assert_eq!(leak.text, text);
    }
}

#[test]
fn words_are_runs_of_letters_and_digits_after_decoding() {
    let mut words = Vec::new();
    each_word("Bob&#39;s <DB-01> &#x44;ROP &amp;ped!", |w| {
        words.push(w.to_owned());
        true
    });
    assert_eq!(words, ["bob", "s", "db", "01", "drop", "ped"]);
    let vocabulary = Vocabulary::default();
    // One-character words and function words don't count.
    assert_eq!(vocabulary.outside("a b c of the x y", 9), 0);
    assert_eq!(vocabulary.outside("prod db of the x", 9), 2);
}

#[test]
fn an_error_quotes_at_most_80_characters_on_one_line() {
    assert_eq!(quote("  two\nlines "), "two lines");
    let long = "é".repeat(100);
    let quoted = quote(&long);
    assert_eq!(quoted.chars().count(), QUOTE_CHARS + 1);
    assert!(quoted.ends_with('…'));
}

#[test]
fn an_id_slug_is_internal_unless_it_is_the_public_names() {
    assert_eq!(
        id_slug(
            "2026-11-27-bob-dropped-prod-customers-table",
            "Database outage"
        ),
        Some("bob-dropped-prod-customers-table")
    );
    assert_eq!(
        id_slug("2026-11-27-checkout-errors", "Checkout errors"),
        None
    );
    // A collision suffix is no secret.
    assert_eq!(
        id_slug("2026-11-27-checkout-errors-2", "Checkout errors"),
        None
    );
    assert_eq!(
        id_slug("2026-11-27-bob-dropped-it-3", "Database outage"),
        Some("bob-dropped-it")
    );
    assert_eq!(id_slug("2026-11-27-db-7", "DB 7"), None);
    assert_eq!(id_slug("not an id", "x"), None);
}

#[test]
fn canonical_sees_through_escaping() {
    assert_eq!(canonical("Bob&#x27;s &lt;DB&gt; fix"), "bobsdbfix");
    assert_eq!(canonical("a&#x2f;b &amp; C"), "abc");
    assert_eq!(canonical("&#65;x"), "ax");
    assert_eq!(canonical("Ürün 3"), "ürün3");
    assert_eq!(canonical("a & b; c"), "abc");
}

#[test]
fn finds_internal_text_escaped_and_split() {
    let internal = [
        (
            "an internal note",
            "i1",
            "The primary DB <db-01> is toast\nsecond line here ok",
        ),
        ("a summary", "i1", "short"),
        ("a label value", "i2", "Checkout errors for everyone"),
    ];
    let s = Scanner::new(
        &internal,
        &["We see Checkout errors for everyone today"],
        &Vocabulary::default(),
    );
    assert_eq!(
        s.len(),
        3,
        "the note and its two lines; short and public texts left out"
    );
    let leak = s
        .find("index.html", "<p>The primary DB &lt;db-01&gt; is toast</p>")
        .unwrap();
    assert_eq!(leak.kind, "an internal note");
    assert_eq!(leak.incident, "i1");
    assert!(s.find("x.json", r#"{"a":"second line here ok"}"#).is_some());
    assert!(s.find("x", "Checkout errors for everyone").is_none());
    assert!(s.find("x", "nothing to see").is_none());
}

#[test]
fn needles_sharing_a_prefix_are_all_checked() {
    let internal = [
        ("a", "i", "abcdefghijklmnopqrs one"),
        ("b", "i", "abcdefghijklmnopqrs two"),
    ];
    let s = Scanner::new(&internal, &[], &Vocabulary::default());
    assert_eq!(s.find("f", "xx abcdefghijklmnopqrs two").unwrap().kind, "b");
}
