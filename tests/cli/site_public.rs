//! Issue 10's findings about what the status page shows: each attack that
//! once put internal text on the page (or hid or garbled what it should
//! say), run through the binary, named after the finding.

use crate::harness::{LATER, TestRepo, fixture};

/// Every file of the built site under `dir`, path → text (lossy), sorted.
fn site_files(repo: &TestRepo, dir: &str) -> Vec<(String, String)> {
    TestRepo::tree(&repo.path(dir))
        .into_iter()
        .map(|(path, bytes)| (path, String::from_utf8_lossy(&bytes).into_owned()))
        .collect()
}

/// Fails naming the file when any file of the site holds any of `words`
/// (case-insensitive), in its path or its contents.
#[track_caller]
fn assert_nowhere(repo: &TestRepo, dir: &str, words: &[&str]) {
    let files = site_files(repo, dir);
    assert!(!files.is_empty(), "the site has files");
    for (path, text) in files {
        let (path_l, text_l) = (path.to_lowercase(), text.to_lowercase());
        for word in words {
            let w = word.to_lowercase();
            assert!(!path_l.contains(&w), "`{word}` is in the file name {path}");
            assert!(!text_l.contains(&w), "`{word}` is in {path}:\n{text}");
        }
    }
}

fn build(repo: &TestRepo) {
    repo.inc().now(LATER).args(["site", "build"]).ok();
}

/// `inc alert FIXTURE` at `now`; the incident's ID.
fn alert(repo: &TestRepo, fixture_name: &str, now: &str) -> String {
    let run = repo
        .inc()
        .now(now)
        .arg("alert")
        .arg(fixture(fixture_name))
        .ok();
    run.stdout.trim_end().to_owned()
}

fn resolving_repo(on_resolved: &str) -> TestRepo {
    TestRepo::with_config(&format!(
        "services:\n  - id: checkout\nalerts:\n  on_resolved: {on_resolved}\n"
    ))
}

#[test]
fn alert_opened_incident_resolved_by_its_alerts_is_not_published() {
    for on_resolved in ["resolve", "monitoring"] {
        let repo = resolving_repo(on_resolved);
        let id = alert(&repo, "alertmanager-firing.json", "2026-11-27T12:00:00Z");
        alert(&repo, "alertmanager-resolved.json", "2026-11-27T12:30:00Z");
        let status = repo.show(&id).status.unwrap();
        assert_ne!(status, "triage", "{on_resolved}: automation moved it on");
        build(&repo);
        assert_nowhere(
            &repo,
            "site",
            &["5xx rate above", "HighErrorRate", &id[11..]],
        );
        let summary = repo.read("site/api/v2/incidents.json");
        assert!(summary.contains("\"incidents\": []"), "{summary}");
    }
}

#[test]
fn alert_opened_incident_is_published_once_a_person_acks_it() {
    let repo = resolving_repo("resolve");
    let id = alert(&repo, "alertmanager-firing.json", "2026-11-27T12:00:00Z");
    repo.inc().args(["ack", &id]).ok();
    alert(&repo, "alertmanager-resolved.json", "2026-11-27T12:30:00Z");
    build(&repo);
    let index = repo.read("site/index.html");
    assert!(index.contains("Checkout 5xx rate above 5%"), "{index}");
}

#[test]
fn retitled_incident_id_leaks_no_internal_words() {
    let repo = TestRepo::with_config("services:\n  - id: db\n");
    let id = repo.open_with(
        "Bob dropped prod customers table",
        "SEV2",
        &["--service", "db"],
    );
    assert!(id.contains("bob-dropped"), "{id}");
    let header = TestRepo::header_path(&id);
    let text = repo
        .read(&header)
        .replace("Bob dropped prod customers table", "Database outage");
    repo.write(&header, &text);
    repo.inc()
        .args(["update", &id, "We are restoring the database."])
        .ok();
    build(&repo);
    assert_nowhere(&repo, "site", &["bob", "dropped", "customers"]);
    let index = repo.read("site/index.html");
    assert!(index.contains("Database outage"), "{index}");
    let page = format!("site/{}", TestRepo::page_of(&id));
    assert!(repo.exists(&page), "{page}");

    // The URL stays when the public title changes.
    let text = repo.read(&header) + "public_title: Degraded database\n";
    repo.write(&header, &text);
    build(&repo);
    assert!(repo.exists(&page), "{page} after a new public title");
    assert!(repo.read(&page).contains("Degraded database"));
}

#[test]
fn bare_status_change_shows_the_status_sentence_not_an_empty_entry() {
    let repo = TestRepo::with_config("services:\n  - id: web\n");
    let id = repo.open_with("Checkout slow", "SEV3", &["--service", "web"]);
    repo.inc().args(["status", &id, "identified"]).ok();
    repo.inc()
        .args([
            "resolve",
            &id,
            "--summary",
            "Rolled back the bad deploy 4f2a",
        ])
        .ok();
    build(&repo);
    let page = repo.read(format!("site/{}", TestRepo::page_of(&id)));
    for sentence in [
        "The issue has been identified and a fix is being implemented.",
        "This incident has been resolved.",
    ] {
        assert!(page.contains(sentence), "`{sentence}` missing:\n{page}");
    }
    let api: serde_json::Value =
        serde_json::from_str(&repo.read("site/api/v2/incidents.json")).unwrap();
    for u in api["incidents"][0]["incident_updates"].as_array().unwrap() {
        assert_ne!(u["body"], "", "an empty body: {u}");
    }
    assert_nowhere(&repo, "site", &["bad deploy 4f2a"]);

    // inc.yaml says it its own way.
    let config = repo.read("inc.yaml")
        + "site:\n  status_text:\n    resolved: Back to normal, thank you for your patience.\n";
    repo.write("inc.yaml", &config);
    build(&repo);
    let page = repo.read(format!("site/{}", TestRepo::page_of(&id)));
    assert!(page.contains("Back to normal, thank you for your patience."));
    assert!(!page.contains("This incident has been resolved."));
}

#[test]
fn a_status_text_for_an_unknown_status_is_an_error_naming_the_line() {
    let repo = TestRepo::with_config("site:\n  status_text:\n    fixed: Done.\n");
    repo.inc()
        .args(["site", "build"])
        .fails()
        .stderr_has(&["inc.yaml:3", "fixed"]);
}

#[test]
fn feed_keeps_only_the_newest_entries() {
    let repo = TestRepo::with_config("services:\n  - id: web\nsite:\n  feed_entries: 2\n");
    let mut ids = Vec::new();
    for (n, title) in ["First outage", "Second outage", "Third outage"]
        .iter()
        .enumerate()
    {
        let id = repo
            .inc()
            .now(&format!("2026-11-27T1{n}:00:00Z"))
            .args(["open", title, "-s", "SEV3", "--service", "web"])
            .ok()
            .stdout
            .trim_end()
            .to_owned();
        ids.push(id);
    }
    build(&repo);
    let feed = repo.read("site/feed.atom");
    assert_eq!(feed.matches("<entry>").count(), 2, "{feed}");
    assert!(feed.contains("Third outage") && feed.contains("Second outage"));
    assert!(!feed.contains("First outage"), "the oldest is left out");
    let history = repo.read("site/history.html");
    assert!(history.contains("First outage"), "history stays complete");
    let api = repo.read("site/api/v2/incidents.json");
    assert_eq!(
        api.matches("\"shortlink\"").count(),
        3,
        "api/v2 stays complete"
    );
}

#[test]
fn external_images_become_links_and_protocol_relative_ones_count_as_external() {
    let repo = TestRepo::with_config("services:\n  - id: web\n");
    let id = repo.open_with("Checkout slow", "SEV3", &["--service", "web"]);
    repo.inc()
        .args([
            "update",
            &id,
            "Graph: ![error rate](https://tracker.example/pixel.gif) \
             ![p](//cdn.example/p.png) ![](http://img.example/a.png)",
        ])
        .ok();
    build(&repo);
    for (path, text) in site_files(&repo, "site") {
        let lower = text.to_lowercase();
        for host in ["tracker.example", "cdn.example", "img.example"] {
            // Whatever the escaping: no image tag anywhere names the host.
            for img in lower
                .split("<img")
                .skip(1)
                .chain(lower.split("&lt;img").skip(1))
            {
                let tag = img.split(['>', ';']).next().unwrap_or_default();
                assert!(!tag.contains(host), "{path}: an image from {host}: {tag}");
            }
        }
    }
    let page = repo.read(format!("site/{}", TestRepo::page_of(&id)));
    assert!(
        page.contains("<a href=\"https://tracker.example/pixel.gif\">error rate</a>"),
        "{page}"
    );
    assert!(
        page.contains("<a href=\"//cdn.example/p.png\">p</a>"),
        "{page}"
    );
}
