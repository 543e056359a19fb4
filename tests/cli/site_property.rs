//! The status page's one promise, as a property: in a randomly made
//! repository (random words, random mixes of public, private, test,
//! declined, triage and automation-resolved incidents, random symlinks),
//! no internal text reaches any output file, or the build fails.
//!
//! Internal texts are drawn from words that appear nowhere else (not in
//! the templates, not in public texts, not in a hex hash), so finding one
//! of them in an output file is a leak, whatever the scan thinks of it.

use std::fs;

use proptest::prelude::*;
use serde_json::json;

use crate::harness::TestRepo;

/// Words only internal text uses: made up, so that none is in a template,
/// and each has a letter past `f`, so that none is in a hex hash.
const INTERNAL: &[&str] = &[
    "zorblax", "quendor", "flimzy", "gribble", "wompus", "snorkle", "plonth", "vextra", "murgle",
    "tazzle", "yorvik", "kwizzle", "dromp", "blivet", "snarfle", "quixle",
];
/// Words public text uses.
const PUBLIC: &[&str] = &[
    "checkout",
    "latency",
    "payments",
    "restored",
    "degraded",
    "errors",
    "search",
    "recovering",
    "login",
    "elevated",
];

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Public,
    Private,
    Test,
    Declined,
    Triage,
    /// Opened by automation, resolved by its alerts, never taken up.
    AlertResolved,
}

#[derive(Debug, Clone)]
struct Spec {
    kind: Kind,
    /// Words of the title at opening (the ID's slug): internal.
    slug: Vec<usize>,
    /// Words of the title now: public words for a public incident.
    title: Vec<usize>,
    notes: Vec<Vec<usize>>,
    updates: Vec<Vec<usize>>,
    resolved: bool,
}

#[derive(Debug, Clone, Copy)]
enum Link {
    None,
    /// `templates/site/style.css` → a private timeline.
    Style,
    /// `templates/site/base.html.j2`, which every page extends → a private timeline.
    Template,
    /// A public incident's `timeline.yaml` → a private one's.
    Timeline,
}

fn words(n: usize) -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(0..n, 1..6)
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        prop_oneof![
            3 => Just(Kind::Public),
            1 => Just(Kind::Private),
            1 => Just(Kind::Test),
            1 => Just(Kind::Declined),
            1 => Just(Kind::Triage),
            1 => Just(Kind::AlertResolved),
        ],
        words(INTERNAL.len()),
        words(PUBLIC.len()),
        prop::collection::vec(words(INTERNAL.len()), 0..4),
        prop::collection::vec(words(PUBLIC.len()), 0..3),
        any::<bool>(),
    )
        .prop_map(|(kind, slug, title, notes, updates, resolved)| Spec {
            kind,
            slug,
            title,
            notes,
            updates,
            resolved,
        })
}

fn text(vocabulary: &[&str], words: &[usize]) -> String {
    let out: Vec<&str> = words.iter().map(|&w| vocabulary[w]).collect();
    out.join(" ")
}

fn line(at: &str, by: &str, kind: &str, fields: serde_json::Value) -> String {
    let mut map = serde_json::Map::new();
    map.insert("at".into(), at.into());
    map.insert("by".into(), by.into());
    map.insert("type".into(), kind.into());
    if let serde_json::Value::Object(rest) = fields {
        map.extend(rest);
    }
    format!("- {}\n", serde_json::Value::Object(map))
}

/// Writes incident `n` of `spec`; returns its ID.
fn write_incident(repo: &TestRepo, n: usize, spec: &Spec) -> String {
    let id = format!(
        "2026-11-{:02}-{}",
        1 + n % 28,
        text(INTERNAL, &spec.slug).replace(' ', "-")
    ) + &format!("-{n}");
    let internal = |k: usize| INTERNAL[(n + k) % INTERNAL.len()];
    let author = internal(1);
    let public_kind = spec.kind == Kind::Public;
    let title = if public_kind {
        text(PUBLIC, &spec.title)
    } else {
        text(INTERNAL, &spec.slug)
    };
    let opened_at = format!("2026-11-{:02}T08:00:00Z", 1 + n % 28);
    let mut header = format!(
        "title: {}\nservices: [web]\nsummary: {}\nlabels:\n  team: {} {}\nopened_at: {opened_at}\nopened_by: {author}\n",
        json!(title),
        json!(format!("{} {}", internal(2), internal(3))),
        internal(4),
        internal(5),
    );
    match spec.kind {
        Kind::Private => header.push_str("private: true\n"),
        Kind::Test => header.push_str("mode: test\n"),
        _ => {}
    }
    let automated = matches!(spec.kind, Kind::Triage | Kind::AlertResolved);
    let day = &opened_at[..10];
    let at = |minute: usize| format!("{day}T08:{:02}:00Z", minute.min(59));
    let mut timeline = line(
        &at(0),
        author,
        "opened",
        json!({"severity": "SEV2", "status": if automated { "triage" } else { "investigating" }}),
    );
    if automated {
        timeline += &line(
            &at(0),
            author,
            "alert",
            json!({"key": format!("{}{}", internal(6), internal(7)), "state": "firing",
                   "text": format!("{} {}", internal(8), internal(9))}),
        );
    } else {
        timeline += &line(
            &at(1),
            author,
            "role",
            json!({"role": "commander", "who": internal(10)}),
        );
    }
    for (k, note) in spec.notes.iter().enumerate() {
        timeline += &line(
            &at(2 + k),
            internal(11),
            "note",
            json!({"text": text(INTERNAL, note)}),
        );
    }
    for (k, update) in spec.updates.iter().enumerate() {
        // A non-public incident's updates are internal too.
        let words = if public_kind {
            text(PUBLIC, update)
        } else {
            text(INTERNAL, update)
        };
        if !automated {
            timeline += &line(&at(10 + k), internal(12), "update", json!({"text": words}));
        }
    }
    let closing = match spec.kind {
        Kind::Declined => Some("declined"),
        Kind::AlertResolved => Some("resolved"),
        _ if spec.resolved && !automated => Some("resolved"),
        _ => None,
    };
    if let Some(status) = closing {
        timeline += &line(
            &at(30),
            author,
            "status",
            json!({"status": status, "text": format!("{} {}", internal(13), internal(14))}),
        );
    }
    repo.write(TestRepo::header_path(&id), &header);
    repo.write(TestRepo::timeline_path(&id), &timeline);
    id
}

#[cfg(unix)]
fn link(repo: &TestRepo, target: &str, at: &str) {
    let at = repo.path(at);
    fs::create_dir_all(at.parent().unwrap()).unwrap();
    let _ = fs::remove_file(&at);
    std::os::unix::fs::symlink(repo.path(target), &at).unwrap();
}

fn check(specs: &[Spec], link_kind: Link) -> Result<(), TestCaseError> {
    let repo = TestRepo::with_config("services:\n  - id: web\n");
    let ids: Vec<String> = specs
        .iter()
        .enumerate()
        .map(|(n, s)| write_incident(&repo, n, s))
        .collect();
    // A link needs a target with internal text: any incident's timeline
    // (every one holds internal authors), a private one's when there is one.
    let target = specs
        .iter()
        .position(|s| s.kind == Kind::Private)
        .unwrap_or(0);
    let target = TestRepo::timeline_path(&ids[target]);
    let public = specs.iter().position(|s| s.kind == Kind::Public);
    let linked = match link_kind {
        Link::None => None,
        Link::Style => Some("templates/site/style.css".to_owned()),
        Link::Template => Some("templates/site/base.html.j2".to_owned()),
        Link::Timeline => public
            .filter(|&p| TestRepo::timeline_path(&ids[p]) != target)
            .map(|p| TestRepo::timeline_path(&ids[p])),
    };
    #[cfg(unix)]
    if let Some(at) = &linked {
        link(&repo, &target, at);
    }
    #[cfg(not(unix))]
    let linked: Option<String> = None;

    let run = repo
        .inc()
        .now("2026-11-30T12:00:00Z")
        .args(["site", "build"])
        .run();
    let files = TestRepo::tree(&repo.path("site"));
    if let Some(at) = &linked {
        prop_assert_eq!(
            run.code,
            1,
            "a build through the link `{}` failed: {}",
            at,
            run
        );
        prop_assert!(
            run.stderr.contains(at.as_str()),
            "the error names {}: {}",
            at,
            run
        );
        prop_assert!(
            files.is_empty(),
            "a refused build writes nothing: {:?}",
            files.len()
        );
        return Ok(());
    }
    // Without a link, nothing internal is printed, so nothing may block
    // the publish either.
    prop_assert_eq!(run.code, 0, "{}", run);
    prop_assert!(!files.is_empty());
    for (path, bytes) in &files {
        let text = String::from_utf8_lossy(bytes).to_lowercase();
        for word in INTERNAL {
            prop_assert!(!text.contains(word), "`{}` leaked into {}", word, path);
            prop_assert!(
                !path.contains(word),
                "`{}` leaked into the name {}",
                word,
                path
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn no_internal_text_of_a_random_repository_reaches_the_site(
        specs in prop::collection::vec(spec(), 1..8),
        link_kind in prop_oneof![
            3 => Just(Link::None),
            1 => Just(Link::Style),
            1 => Just(Link::Template),
            1 => Just(Link::Timeline),
        ],
    ) {
        check(&specs, link_kind)?;
    }
}
