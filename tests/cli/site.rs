//! `inc site build`: the public status page. What it shows, what it must
//! never show (markers planted in every internal field), and how it writes.

use std::fs;
use std::path::Path;
use std::time::SystemTime;

use serde_json::Value;

use crate::harness::{LATER, TestRepo};

const CONFIG: &str = "\
name: Test Shop
timezone: Europe/Berlin
services:
  - id: web
    name: Web shop
    group: Storefront
  - id: api
    name: Partner API
    group: Platform
site:
  title: Test status
  history_days: 30
";

/// One timeline line.
fn ev(at: &str, by: &str, kind: &str, fields: Value) -> String {
    let mut map = serde_json::Map::new();
    map.insert("at".into(), at.into());
    map.insert("by".into(), by.into());
    map.insert("type".into(), kind.into());
    if let Value::Object(rest) = fields {
        map.extend(rest);
    }
    format!("- {}\n", Value::Object(map))
}

/// Writes an incident's header and timeline directly.
fn incident(repo: &TestRepo, id: &str, header: &str, events: &[String]) {
    repo.write(TestRepo::header_path(id), header);
    repo.write(TestRepo::timeline_path(id), &events.concat());
}

fn opened(at: &str, severity: &str, status: &str) -> String {
    ev(
        at,
        "alice",
        "opened",
        serde_json::json!({"severity": severity, "status": status}),
    )
}

fn update(at: &str, status: Option<&str>, text: &str) -> String {
    let mut fields = serde_json::json!({ "text": text });
    if let Some(s) = status {
        fields["status"] = s.into();
    }
    ev(at, "alice", "update", fields)
}

/// Every file of the built site, path → text.
fn site_files(repo: &TestRepo, dir: &str) -> Vec<(String, String)> {
    fn walk(dir: &Path, root: &Path, out: &mut Vec<(String, String)>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, root, out);
            } else {
                let rel = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.push((rel, fs::read_to_string(&path).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(&repo.path(dir), &repo.path(dir), &mut out);
    out.sort();
    out
}

fn json(repo: &TestRepo, rel: &str) -> Value {
    serde_json::from_str(&repo.read(format!("site/{rel}"))).unwrap()
}

/// The text of an HTML page, tags dropped, blank lines squeezed.
fn text_of(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The text of a page with each uptime bar's cells (`2026-11-27: no data`
/// lines) squeezed into runs: `2026-08-30..2026-10-05: no data`.
fn bars_squeezed(text: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut run: Option<(String, String, String)> = None;
    let cell = |l: &str| {
        let (day, state) = l.split_once(": ")?;
        (day.len() == 10 && day.as_bytes()[4] == b'-').then(|| (day.to_owned(), state.to_owned()))
    };
    let flush = |run: &mut Option<(String, String, String)>, out: &mut Vec<String>| {
        if let Some((from, to, state)) = run.take() {
            out.push(format!("{from}..{to}: {state}"));
        }
    };
    for line in text.lines() {
        match cell(line) {
            Some((day, state)) => match &mut run {
                Some((_, to, s)) if *s == state => *to = day,
                _ => {
                    flush(&mut run, &mut out);
                    run = Some((day.clone(), day, state));
                }
            },
            None => {
                flush(&mut run, &mut out);
                out.push(line.to_owned());
            }
        }
    }
    flush(&mut run, &mut out);
    out.join("\n")
}

/// Every `<` starts a known tag, a closing tag, a comment or the doctype:
/// text never holds a raw `<`. Every tag is closed by `>`.
#[track_caller]
fn assert_well_formed(path: &str, html: &str) {
    const TAGS: &[&str] = &[
        "html",
        "head",
        "meta",
        "title",
        "link",
        "body",
        "header",
        "nav",
        "a",
        "main",
        "section",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "p",
        "article",
        "span",
        "strong",
        "em",
        "time",
        "div",
        "ul",
        "ol",
        "li",
        "footer",
        "dl",
        "dt",
        "dd",
        "details",
        "summary",
        "code",
        "pre",
        "blockquote",
        "del",
        "br",
        "hr",
        "img",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
    ];
    assert!(html.starts_with("<!doctype html>"), "{path}");
    for (i, _) in html.match_indices('<') {
        let rest = &html[i + 1..];
        if rest.starts_with("!doctype") {
            continue;
        }
        let name: String = rest
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        assert!(
            TAGS.contains(&name.as_str()),
            "{path}: unexpected `<` at {i}: {}",
            &rest[..rest.len().min(40)]
        );
        let close = rest.find('>').expect("tag closes");
        assert!(!rest[..close].contains('<'), "{path}: `<` inside a tag");
    }
    assert!(!html.contains("<script"), "{path}: no JavaScript");
}

#[test]
fn examples_summary_status_and_index() {
    let repo = TestRepo::examples();
    let run = repo.inc().now(LATER).args(["site", "build"]).ok();
    assert_eq!(run.stdout, "");
    insta::assert_snapshot!(repo.redact(&run.stderr), @"Built [TMP]/repo/site: 6 incidents (2 open), 0 maintenances; status: Minor service disruption. 21 files written, 0 unchanged, 0 removed.");
    insta::assert_json_snapshot!("examples_summary", json(&repo, "api/v2/summary.json"));
    insta::assert_json_snapshot!("examples_status", json(&repo, "api/v2/status.json"));
    insta::assert_snapshot!(
        "examples_index_text",
        bars_squeezed(&text_of(&repo.read("site/index.html")))
    );
    for (path, text) in site_files(&repo, "site") {
        if path.ends_with(".html") {
            assert_well_formed(&path, &text);
        }
        if path.ends_with(".json") {
            let _: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
        }
        // The private example and its internal notes are nowhere.
        assert!(!text.contains("invoice export"), "{path}");
        assert!(
            !text.contains("after disk stalls on db-01"),
            "{path}: a header's summary"
        );
        assert!(
            !text.contains("server_lifetime=3600s and only"),
            "{path}: a note"
        );
        assert!(
            !text.contains("SQLSTATE 25006"),
            "{path}: an internal postmortem section"
        );
    }
    // The example postmortem publishes its summary, and only that.
    let page = repo.read("site/incidents/2026-10-14-eaa72be21f42.html");
    assert!(
        page.contains("<h2>Postmortem</h2>\n<h3>Summary</h3>"),
        "{page}"
    );
    assert!(
        page.contains("Patroni failed our main database cluster"),
        "{page}"
    );
    assert!(!page.contains("<h3>Impact</h3>"), "{page}");
    let badge = json(&repo, "badge.json");
    assert_eq!(badge["schemaVersion"], 1);
    assert_eq!(badge["color"], "yellow");
    let feed = repo.read("site/feed.atom");
    assert_eq!(feed.matches("<entry>").count(), 6);
    assert!(feed.starts_with(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">"
    ));
    let unresolved = json(&repo, "api/v2/incidents/unresolved.json");
    assert_eq!(unresolved["incidents"].as_array().unwrap().len(), 2);
    assert!(repo.exists("site/history/2026.html"));
    assert!(repo.exists("site/api/v2/scheduled-maintenances.json"));
    assert!(repo.exists("site/api/v2/components.json"));
    assert!(repo.exists("site/api/v2/incidents.json"));
}

#[test]
fn unchanged_rebuild_rewrites_nothing() {
    let repo = TestRepo::examples();
    repo.inc().now(LATER).args(["site", "build"]).ok();
    let mtimes = |repo: &TestRepo| -> Vec<(String, SystemTime)> {
        site_files(repo, "site")
            .into_iter()
            .map(|(p, _)| {
                let m = fs::metadata(repo.path("site").join(&p))
                    .unwrap()
                    .modified()
                    .unwrap();
                (p, m)
            })
            .collect()
    };
    let before = mtimes(&repo);
    std::thread::sleep(std::time::Duration::from_millis(20));
    let run = repo.inc().now(LATER).args(["site", "build"]).ok();
    assert!(
        run.stderr
            .contains("0 files written, 21 unchanged, 0 removed"),
        "{run}"
    );
    assert_eq!(mtimes(&repo), before);
}

#[test]
fn removed_incidents_lose_their_pages_and_other_files_stay() {
    let repo = TestRepo::examples();
    repo.inc()
        .now(LATER)
        .args(["site", "build", "--out", "public"])
        .ok();
    repo.write("public/CNAME", "status.example\n");
    let page = format!(
        "public/{}",
        TestRepo::page_of("2026-10-06-new-and-updated-products-missing-from")
    );
    assert!(repo.exists(&page));
    fs::remove_dir_all(
        repo.path("incidents/2026/2026-10-06-new-and-updated-products-missing-from"),
    )
    .unwrap();
    let run = repo
        .inc()
        .now(LATER)
        .args(["site", "build", "--out", "public"])
        .ok();
    assert!(run.stderr.contains("1 removed"), "{run}");
    assert!(!repo.exists(&page));
    assert!(repo.exists("public/CNAME"));
}

/// Every internal field of every kind of incident carries a marker; none
/// may reach any output file.
fn leaky_repo() -> (TestRepo, Vec<&'static str>) {
    let repo = TestRepo::with_config(CONFIG);
    let markers = vec![
        "MARKERnoteTEXTqq",
        "MARKERalertTEXTqq",
        "MARKERlabelVALUEqq",
        "MARKERsummaryTEXTqq",
        "MARKERresolveSUMMARYqq",
        "MARKERdeclineREASONqq",
        "MARKERroleHOLDERqq",
        "MARKERauthorNAMEqq",
        "MARKERprivateTITLEqq",
        "MARKERprivateUPDATEqq",
        "MARKERtestTITLEqq",
        "MARKERtestUPDATEqq",
        "MARKERtriageTITLEqq",
        "MARKERtriageUPDATEqq",
        "MARKERdeclinedTITLEqq",
        "MARKERinternalTITLEqq",
        "MARKERactionTEXTqq",
        "MARKERmaintSUMMARYqq",
        "MARKERprivateMAINTqq",
    ];
    // A public incident whose every internal field is marked.
    incident(
        &repo,
        "2026-11-27-public",
        "title: Public one MARKERinternalTITLEqq\npublic_title: Checkout is slow\n\
         summary: MARKERsummaryTEXTqq\nservices: [web]\nlabels:\n  team: MARKERlabelVALUEqq\n\
         opened_at: 2026-11-27T09:00:00Z\nopened_by: MARKERauthorNAMEqq\n",
        &[
            ev(
                "2026-11-27T09:00:00Z",
                "MARKERauthorNAMEqq",
                "opened",
                serde_json::json!({"severity": "SEV2", "status": "investigating"}),
            ),
            ev(
                "2026-11-27T09:01:00Z",
                "bob",
                "role",
                serde_json::json!({"role": "commander", "who": "MARKERroleHOLDERqq"}),
            ),
            ev(
                "2026-11-27T09:02:00Z",
                "bob",
                "note",
                serde_json::json!({"text": "MARKERnoteTEXTqq in the db"}),
            ),
            ev(
                "2026-11-27T09:03:00Z",
                "alertmanager",
                "alert",
                serde_json::json!({"key": "k1", "state": "firing", "text": "MARKERalertTEXTqq firing"}),
            ),
            ev(
                "2026-11-27T09:04:00Z",
                "bob",
                "action",
                serde_json::json!({"id": 1, "text": "MARKERactionTEXTqq", "owner": null, "due": null, "link": null}),
            ),
            update(
                "2026-11-27T09:05:00Z",
                Some("identified"),
                "We found the cause.",
            ),
            ev(
                "2026-11-27T09:30:00Z",
                "bob",
                "status",
                serde_json::json!({"status": "resolved", "text": "MARKERresolveSUMMARYqq was it"}),
            ),
        ],
    );
    incident(
        &repo,
        "2026-11-26-private",
        "title: MARKERprivateTITLEqq\nprivate: true\nservices: [web]\nopened_at: 2026-11-26T09:00:00Z\nopened_by: alice\n",
        &[
            opened("2026-11-26T09:00:00Z", "SEV1", "investigating"),
            update("2026-11-26T09:05:00Z", None, "MARKERprivateUPDATEqq"),
        ],
    );
    incident(
        &repo,
        "2026-11-25-test",
        "title: MARKERtestTITLEqq\nmode: test\nservices: [web]\nopened_at: 2026-11-25T09:00:00Z\nopened_by: alice\n",
        &[
            opened("2026-11-25T09:00:00Z", "SEV1", "investigating"),
            update("2026-11-25T09:05:00Z", None, "MARKERtestUPDATEqq"),
        ],
    );
    incident(
        &repo,
        "2026-11-24-triage",
        "title: MARKERtriageTITLEqq\nservices: [api]\nopened_at: 2026-11-24T09:00:00Z\nopened_by: alertmanager\n",
        &[
            ev(
                "2026-11-24T09:00:00Z",
                "alertmanager",
                "opened",
                serde_json::json!({"severity": "SEV1", "status": "triage"}),
            ),
            ev(
                "2026-11-24T09:01:00Z",
                "alertmanager",
                "update",
                serde_json::json!({"text": "MARKERtriageUPDATEqq"}),
            ),
        ],
    );
    incident(
        &repo,
        "2026-11-23-declined",
        "title: MARKERdeclinedTITLEqq\nservices: [api]\nopened_at: 2026-11-23T09:00:00Z\nopened_by: alice\n",
        &[
            opened("2026-11-23T09:00:00Z", "SEV2", "investigating"),
            ev(
                "2026-11-23T09:05:00Z",
                "alice",
                "status",
                serde_json::json!({"status": "declined", "text": "MARKERdeclineREASONqq"}),
            ),
        ],
    );
    incident(
        &repo,
        "2026-11-20-db-upgrade",
        "title: Database upgrade\nsummary: MARKERmaintSUMMARYqq\nkind: maintenance\nservices: [api]\n\
         scheduled_start: 2026-11-28T08:00:00Z\nscheduled_end: 2026-11-28T09:00:00Z\n\
         opened_at: 2026-11-20T09:00:00Z\nopened_by: alice\n",
        &[opened("2026-11-20T09:00:00Z", "SEV4", "scheduled")],
    );
    incident(
        &repo,
        "2026-11-20-private-maint",
        "title: MARKERprivateMAINTqq\nkind: maintenance\nprivate: true\nservices: [api]\n\
         scheduled_start: 2026-11-28T08:00:00Z\nscheduled_end: 2026-11-28T09:00:00Z\n\
         opened_at: 2026-11-20T09:00:00Z\nopened_by: alice\n",
        &[opened("2026-11-20T09:00:00Z", "SEV4", "scheduled")],
    );
    (repo, markers)
}

#[test]
fn no_internal_field_reaches_any_file() {
    let (repo, markers) = leaky_repo();
    let run = repo.inc().args(["site", "build"]).ok();
    assert!(
        run.stderr.contains("1 incident (0 open), 1 maintenance;"),
        "{run}"
    );
    let files = site_files(&repo, "site");
    assert!(files.len() > 10);
    for (path, text) in &files {
        for marker in &markers {
            assert!(
                !text.to_lowercase().contains(&marker.to_lowercase()),
                "{path} contains {marker}"
            );
        }
    }
    let all: String = files.iter().map(|(_, t)| t.as_str()).collect();
    assert!(all.contains("Checkout is slow"));
    assert!(all.contains("We found the cause."));
    assert!(all.contains("Database upgrade"));
    // The stored ID is a slug of the internal title: the site uses another.
    assert!(
        !all.contains("2026-11-27-public"),
        "the stored ID is internal here"
    );
}

#[test]
fn the_scanner_stops_a_template_printing_internal_text() {
    let (repo, _) = leaky_repo();
    repo.write(
        "templates/site/incident.html.j2",
        "{% extends \"builtin/site/incident.html.j2\" %}\n{% block title %}{{ incident.name }} MARKERnoteTEXTqq in the db{% endblock %}\n",
    );
    let before = repo.state();
    let run = repo.inc().args(["site", "build"]).fails();
    assert!(run.stderr.contains("an internal note"), "{run}");
    assert!(run.stderr.contains(".html"), "names the file: {run}");
    assert!(run.stderr.contains("nothing was written"), "{run}");
    repo.assert_unchanged(&before);
    assert!(!repo.exists("site"));
}

#[test]
fn a_leak_in_one_page_leaves_no_page_behind() {
    let repo = TestRepo::new();
    for title in [
        "First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh",
    ] {
        repo.inc().args(["open", title, "-s", "SEV3"]).ok();
    }
    let seventh = repo.inc().args(["list", "--json"]).ok().stdout;
    let seventh = serde_json::from_str::<Value>(&seventh).unwrap()[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    repo.inc()
        .args(["note", &seventh, "the primary db password rotation failed"])
        .ok();
    repo.write(
        "templates/site/incident.html.j2",
        "{% extends \"builtin/site/incident.html.j2\" %}\n{% block title %}{{ incident.name }}\
         {% if incident.name == \"Seventh\" %} the primary db password rotation failed{% endif %}\
         {% endblock %}\n",
    );
    let run = repo.inc().args(["site", "build"]).fails();
    assert!(run.stderr.contains("an internal note"), "{run}");
    // Not even the six clean pages, nor the folder for them.
    assert!(!repo.exists("site"), "{run}");
    repo.write(
        "templates/site/incident.html.j2",
        "{% extends \"builtin/site/incident.html.j2\" %}\n",
    );
    let run = repo.inc().args(["site", "build"]).ok();
    assert!(run.stderr.contains("7 incidents"), "{run}");
    assert!(repo.exists("site/index.html"));
}

#[test]
fn an_override_is_used() {
    let (repo, _) = leaky_repo();
    repo.write(
        "templates/site/index.html.j2",
        "{% extends \"builtin/site/index.html.j2\" %}{% block title %}Our own title{% endblock %}",
    );
    repo.inc().args(["site", "build"]).ok();
    assert!(
        repo.read("site/index.html")
            .contains("<title>Our own title</title>")
    );
}

#[test]
fn a_stylesheet_override_replaces_the_built_in() {
    let (repo, _) = leaky_repo();
    repo.inc().args(["site", "build"]).ok();
    assert!(!repo.read("site/style.css").contains("#123456"));
    repo.write("templates/site/style.css", "body { color: #123456; }\n");
    repo.inc().args(["site", "build"]).ok();
    assert_eq!(repo.read("site/style.css"), "body { color: #123456; }\n");
}

#[test]
fn raw_html_and_script_links_are_neutralised() {
    let repo = TestRepo::with_config(CONFIG);
    incident(
        &repo,
        "2026-11-27-hostile",
        "title: Hostile <b>title</b>\nservices: [web]\nopened_at: 2026-11-27T09:00:00Z\nopened_by: alice\n",
        &[
            opened("2026-11-27T09:00:00Z", "SEV2", "investigating"),
            update(
                "2026-11-27T09:05:00Z",
                None,
                "Update: <script>alert(1)</script> [click](javascript:alert(2)) <img src=x onerror=alert(3)> [ok](https://example.com/a)",
            ),
        ],
    );
    repo.inc().args(["site", "build"]).ok();
    for (path, text) in site_files(&repo, "site") {
        // JSON carries the update's text as written (Statuspage's `body`);
        // HTML and the feed must not carry its markup.
        if path.ends_with(".json") {
            continue;
        }
        let lower = text.to_lowercase();
        assert!(!lower.contains("<script"), "{path}");
        assert!(!lower.contains("<img"), "{path}");
        assert!(!lower.contains("href=\"javascript"), "{path}");
        assert!(!lower.contains("<b>title"), "{path}");
        if path.ends_with(".html") {
            assert_well_formed(&path, &text);
        }
    }
    let page = repo.read(format!("site/{}", TestRepo::page_of("2026-11-27-hostile")));
    assert!(page.contains("&lt;script&gt;"), "{page}");
    assert!(page.contains("href=\"https://example.com/a\""), "{page}");
    assert!(page.contains("click"), "{page}");
}

#[test]
fn overall_status_follows_the_worst_open_incident() {
    let repo = TestRepo::with_config(CONFIG);
    let status = |repo: &TestRepo| {
        repo.inc().args(["site", "build"]).ok();
        let s = json(repo, "api/v2/status.json");
        (
            s["status"]["indicator"].as_str().unwrap().to_owned(),
            s["status"]["description"].as_str().unwrap().to_owned(),
        )
    };
    // The API speaks Statuspage's words, which clients compare as
    // strings; the page words it its own way.
    assert_eq!(
        status(&repo),
        ("none".into(), "All Systems Operational".into())
    );
    assert!(
        repo.read("site/index.html")
            .contains("All systems operational")
    );
    incident(
        &repo,
        "2026-11-27-slow",
        "title: Slow\nservices: [web]\nopened_at: 2026-11-27T09:00:00Z\nopened_by: alice\n",
        &[opened("2026-11-27T09:00:00Z", "SEV3", "investigating")],
    );
    assert_eq!(
        status(&repo),
        ("minor".into(), "Partially Degraded Service".into())
    );
    incident(
        &repo,
        "2026-11-27-down",
        "title: Down\nservices: [api]\nopened_at: 2026-11-27T10:00:00Z\nopened_by: alice\n",
        &[opened("2026-11-27T10:00:00Z", "SEV1", "investigating")],
    );
    assert_eq!(
        status(&repo),
        ("critical".into(), "Major Service Outage".into())
    );
    assert!(repo.read("site/index.html").contains("Major system outage"));
    let components = json(&repo, "api/v2/components.json");
    let api = components["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "api")
        .unwrap()
        .clone();
    assert_eq!(api["status"], "major_outage");
    assert!(
        !repo
            .read("site/index.html")
            .contains("All systems operational")
    );
    // Resolving the outage leaves the degradation.
    repo.append(
        TestRepo::timeline_path("2026-11-27-down"),
        &ev(
            "2026-11-27T11:00:00Z",
            "alice",
            "status",
            serde_json::json!({"status": "resolved"}),
        ),
    );
    assert_eq!(
        status(&repo),
        ("minor".into(), "Partially Degraded Service".into())
    );
    let summary = json(&repo, "api/v2/summary.json");
    assert_eq!(summary["incidents"].as_array().unwrap().len(), 1);
    assert_eq!(summary["incidents"][0]["impact"], "minor");
}

#[test]
fn maintenance_is_upcoming_before_its_window_and_under_maintenance_inside() {
    let repo = TestRepo::with_config(CONFIG);
    incident(
        &repo,
        "2026-11-20-upgrade",
        "title: Database upgrade\nkind: maintenance\nservices: [api]\n\
         scheduled_start: 2026-11-28T08:00:00Z\nscheduled_end: 2026-11-28T09:00:00Z\n\
         opened_at: 2026-11-20T09:00:00Z\nopened_by: alice\n",
        &[opened("2026-11-20T09:00:00Z", "SEV4", "scheduled")],
    );
    let api_status = |repo: &TestRepo| {
        json(repo, "api/v2/components.json")["components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == "api")
            .unwrap()["status"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    repo.inc().args(["site", "build"]).ok();
    assert_eq!(api_status(&repo), "operational");
    let index = text_of(&repo.read("site/index.html"));
    assert!(
        index.contains("Upcoming maintenance\nDatabase upgrade"),
        "{index}"
    );
    assert_eq!(
        json(&repo, "api/v2/status.json")["status"]["indicator"],
        "none"
    );
    assert_eq!(
        json(&repo, "api/v2/scheduled-maintenances.json")["scheduled_maintenances"][0]["status"],
        "scheduled"
    );
    let listed =
        |repo: &TestRepo, which: &str| -> Vec<String> {
            json(repo, &format!("api/v2/scheduled-maintenances/{which}.json"))
            ["scheduled_maintenances"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| format!("{} {}", m["name"].as_str().unwrap(), m["status"].as_str().unwrap()))
            .collect()
        };
    assert_eq!(listed(&repo, "upcoming"), ["Database upgrade scheduled"]);
    assert!(listed(&repo, "active").is_empty());

    repo.inc()
        .now("2026-11-28T08:30:00Z")
        .args(["site", "build"])
        .ok();
    assert_eq!(api_status(&repo), "under_maintenance");
    assert_eq!(
        json(&repo, "api/v2/status.json")["status"]["indicator"],
        "maintenance"
    );
    let index = text_of(&repo.read("site/index.html"));
    assert!(
        index.contains("Maintenance in progress\nDatabase upgrade"),
        "{index}"
    );
    assert!(!index.contains("Upcoming maintenance"), "{index}");
    // Nobody set it in progress: its window did (Statuspage's
    // auto-transition), on the page and in the API, with an update.
    assert_eq!(listed(&repo, "active"), ["Database upgrade in_progress"]);
    // Its card is tagged by what it is now, not "Scheduled".
    let card = &index[index
        .find("Maintenance in progress\nDatabase upgrade")
        .unwrap()..];
    assert!(
        card.starts_with("Maintenance in progress\nDatabase upgrade\nIn progress"),
        "{card}"
    );
    assert!(listed(&repo, "upcoming").is_empty());
    let page = text_of(&repo.read(format!("site/{}", TestRepo::page_of("2026-11-20-upgrade"))));
    assert!(
        page.contains("Scheduled maintenance is currently in progress."),
        "{page}"
    );

    repo.inc()
        .now("2026-11-28T09:30:00Z")
        .args(["site", "build"])
        .ok();
    assert_eq!(api_status(&repo), "operational");
    assert!(!text_of(&repo.read("site/index.html")).contains("Maintenance in progress"));
    assert!(listed(&repo, "active").is_empty());
    let all = json(&repo, "api/v2/scheduled-maintenances.json");
    assert_eq!(all["scheduled_maintenances"][0]["status"], "completed");
    let page = text_of(&repo.read(format!("site/{}", TestRepo::page_of("2026-11-20-upgrade"))));
    assert!(
        page.contains("The scheduled maintenance has been completed."),
        "{page}"
    );
}

/// A status someone set is theirs: a window set in progress that runs
/// past its end stays in progress (it overran).
#[test]
fn maintenance_set_in_progress_stays_in_progress_past_its_end() {
    let repo = TestRepo::with_config(CONFIG);
    incident(
        &repo,
        "2026-11-20-upgrade",
        "title: Database upgrade\nkind: maintenance\nservices: [api]\n\
         scheduled_start: 2026-11-27T08:00:00Z\nscheduled_end: 2026-11-27T09:00:00Z\n\
         opened_at: 2026-11-20T09:00:00Z\nopened_by: alice\n",
        &[
            opened("2026-11-20T09:00:00Z", "SEV4", "scheduled"),
            ev(
                "2026-11-27T08:05:00Z",
                "alice",
                "status",
                serde_json::json!({"status": "in_progress"}),
            ),
        ],
    );
    repo.inc().args(["site", "build"]).ok();
    let active = json(&repo, "api/v2/scheduled-maintenances/active.json");
    assert_eq!(active["scheduled_maintenances"][0]["status"], "in_progress");
}

#[test]
fn every_component_starts_at_one_date() {
    let repo = TestRepo::with_config(CONFIG);
    incident(
        &repo,
        "2026-11-25-down",
        "title: Down\nservices: [api]\nopened_at: 2026-11-25T10:00:00Z\nopened_by: alice\n",
        &[
            opened("2026-11-25T10:00:00Z", "SEV1", "investigating"),
            ev(
                "2026-11-25T11:00:00Z",
                "alice",
                "status",
                serde_json::json!({"status": "resolved"}),
            ),
        ],
    );
    let components = |repo: &TestRepo| -> Vec<(String, String)> {
        json(repo, "api/v2/components.json")["components"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["group"] == false)
            .map(|c| {
                (
                    c["start_date"].as_str().unwrap().to_owned(),
                    c["created_at"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    // Default: the first public incident's day, for the component it hit
    // and the one it didn't alike.
    repo.inc().args(["site", "build"]).ok();
    let day = ("2026-11-25".to_owned(), "2026-11-24T23:00:00Z".to_owned());
    assert_eq!(components(&repo), [day.clone(), day]);
    let index = repo.read("site/index.html");
    assert_eq!(index.matches("title=\"2026-11-24: no data\"").count(), 2);
    assert_eq!(
        index.matches("title=\"2026-11-25: no incidents\"").count(),
        1,
        "web"
    );
    // `site.since` moves both.
    repo.write(
        "inc.yaml",
        &CONFIG.replace(
            "  history_days: 30\n",
            "  history_days: 30\n  since: 2026-11-20\n",
        ),
    );
    repo.inc().args(["site", "build"]).ok();
    let day = ("2026-11-20".to_owned(), "2026-11-19T23:00:00Z".to_owned());
    assert_eq!(components(&repo), [day.clone(), day]);
    let index = repo.read("site/index.html");
    assert_eq!(index.matches("title=\"2026-11-19: no data\"").count(), 2);
    assert_eq!(
        index.matches("title=\"2026-11-20: no incidents\"").count(),
        2
    );
    // A date that isn't one names the file and line.
    repo.write(
        "inc.yaml",
        &CONFIG.replace(
            "  history_days: 30\n",
            "  history_days: 30\n  since: last spring\n",
        ),
    );
    let out = repo.inc().args(["site", "build"]).fails();
    assert!(
        out.stderr
            .contains("inc.yaml:13:10: site.since: `last spring` is not a date like 2026-01-31"),
        "{out}"
    );
}

#[test]
fn each_update_says_what_it_did_to_each_component() {
    let repo = TestRepo::with_config(CONFIG);
    incident(
        &repo,
        "2026-11-27-slow",
        "title: Slow\nservices: [web, api]\nopened_at: 2026-11-27T09:00:00Z\nopened_by: alice\n",
        &[
            opened("2026-11-27T09:00:00Z", "SEV2", "investigating"),
            update("2026-11-27T09:10:00Z", None, "We are looking into it."),
            update("2026-11-27T09:40:00Z", Some("resolved"), "Fixed."),
        ],
    );
    repo.inc().now(LATER).args(["site", "build"]).ok();
    let incidents = json(&repo, "api/v2/incidents.json");
    let updates = incidents["incidents"][0]["incident_updates"]
        .as_array()
        .unwrap();
    let changes: Vec<String> = updates
        .iter()
        .map(|u| {
            u["affected_components"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| {
                    format!(
                        "{}:{}>{}",
                        c["code"].as_str().unwrap(),
                        c["old_status"].as_str().unwrap(),
                        c["new_status"].as_str().unwrap()
                    )
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    // Newest first, as Statuspage lists updates.
    assert_eq!(
        changes,
        [
            "web:partial_outage>operational api:partial_outage>operational",
            "web:operational>partial_outage api:operational>partial_outage",
        ]
    );
    assert_eq!(updates[0]["affected_components"][0]["name"], "Web shop");
}

/// Link checkers and crawlers read raw HTML: a path is written as a path,
/// not as `&#x2f;`-escaped text.
#[test]
fn internal_links_are_plain_paths() {
    let repo = TestRepo::examples();
    repo.inc().now(LATER).args(["site", "build"]).ok();
    let mut hrefs = 0;
    for (path, html) in site_files(&repo, "site") {
        if !path.ends_with(".html") {
            continue;
        }
        assert!(!html.contains("&#x2f;"), "{path}");
        hrefs += html.matches("href=\"incidents/").count();
    }
    assert!(hrefs > 6, "{hrefs}");
}

#[test]
fn uptime_bar_has_no_data_before_a_component_appears() {
    let repo = TestRepo::with_config(CONFIG);
    incident(
        &repo,
        "2026-11-25-down",
        "title: Down\nservices: [api]\nstarted_at: 2026-11-25T10:00:00Z\nopened_at: 2026-11-25T10:00:00Z\nopened_by: alice\n",
        &[
            opened("2026-11-25T10:00:00Z", "SEV1", "investigating"),
            ev(
                "2026-11-25T11:00:00Z",
                "alice",
                "status",
                serde_json::json!({"status": "resolved"}),
            ),
        ],
    );
    repo.inc().args(["site", "build"]).ok();
    let index = repo.read("site/index.html");
    assert_eq!(
        index.matches("class=\"day ").count(),
        60,
        "30 days × 2 components"
    );
    assert!(index.contains("title=\"2026-11-24: no data\""));
    assert!(index.contains("title=\"2026-11-25: major outage\""));
    assert!(index.contains("title=\"2026-11-26: no incidents\""));
    // 1 h down out of the time since 2026-11-25 00:00 CET (61 h to 12:00 UTC on the 27th).
    let expected = format!("{:.2}% uptime", (61.0 - 1.0) / 61.0 * 100.0);
    assert!(index.contains(&expected), "{expected}");
}

#[test]
fn utc_is_added_beside_the_page_zone_only_when_it_differs() {
    for (zone, twice) in [("Europe/Berlin", true), ("UTC", false)] {
        let repo = TestRepo::with_config(&CONFIG.replace("Europe/Berlin", zone));
        incident(
            &repo,
            "2026-11-27-slow",
            "title: Slow\nservices: [web]\nopened_at: 2026-11-27T09:00:00Z\nopened_by: alice\n",
            &[
                opened("2026-11-27T09:00:00Z", "SEV3", "investigating"),
                update("2026-11-27T09:30:00Z", None, "We are looking into it."),
            ],
        );
        repo.inc().now(LATER).args(["site", "build"]).ok();
        let page = text_of(&repo.read(format!("site/{}", TestRepo::page_of("2026-11-27-slow"))));
        let index = text_of(&repo.read("site/index.html"));
        let utc = "2026-11-27 09:30 UTC";
        if twice {
            assert!(
                page.contains("2026-11-27 10:30 CET (2026-11-27 09:30 UTC)"),
                "{page}"
            );
            assert!(index.contains("(2026-11-27 09:30 UTC)"), "{index}");
            assert!(
                page.contains("Times are shown in Europe/Berlin and in UTC."),
                "{page}"
            );
        } else {
            // The update's time and the footer's last update, once each.
            assert_eq!(page.matches(utc).count(), 2, "{page}");
            assert!(!page.contains(&format!("({utc})")), "{page}");
            assert!(!index.contains(&format!("({utc})")), "{index}");
            assert!(page.contains("Times are in UTC."), "{page}");
        }
    }
}

/// Fourteen open incidents must not push the components off the screen:
/// three cards, each with its latest update (the rest folded), then one
/// line per further incident, folded too.
#[test]
fn the_index_stays_short_with_many_open_incidents() {
    let repo = TestRepo::with_config(CONFIG);
    for n in 0..14 {
        let at = format!("2026-11-27T{:02}:00:00Z", 6 + n / 2);
        incident(
            &repo,
            &format!("2026-11-27-outage-{n}"),
            &format!("title: Outage {n}\nservices: [web]\nopened_at: {at}\nopened_by: alice\n"),
            &[
                opened(&at, "SEV3", "investigating"),
                update(&at, None, &format!("First word on outage {n}.")),
                update(
                    &at.replace(":00:00Z", ":30:00Z"),
                    None,
                    &format!("Latest on outage {n}."),
                ),
            ],
        );
    }
    repo.inc().now(LATER).args(["site", "build"]).ok();
    let index = repo.read("site/index.html");
    assert_eq!(index.matches("<article class=\"card").count(), 3, "{index}");
    assert!(index.contains("<summary>11 more active incidents</summary>"));
    // The newest three, latest update shown, the first one folded.
    let card = &index[index.find("Outage 13").unwrap()..];
    let card = &card[..card.find("</article>").unwrap()];
    let latest = card.find("Latest on outage 13.").unwrap();
    let earlier = card.find("<details class=\"earlier\">").unwrap();
    let first = card.find("First word on outage 13.").unwrap();
    assert!(latest < earlier && earlier < first, "{card}");
    // Components come before the folded list ends and before past incidents.
    assert!(
        index.find("<h2>Components</h2>").unwrap() < index.find("<h2>Past incidents</h2>").unwrap()
    );
    assert!(index.contains("Outage 0"), "every incident is still linked");
}

#[test]
fn history_months_are_summarised_and_folded_and_entries_say_how_long() {
    let repo = TestRepo::with_config(CONFIG);
    let resolved = |id: &str, title: &str, sev: &str, from: &str, to: &str| {
        incident(
            &repo,
            id,
            &format!("title: {title}\nservices: [web]\nopened_at: {from}\nopened_by: alice\n"),
            &[
                opened(from, sev, "investigating"),
                ev(
                    to,
                    "alice",
                    "status",
                    serde_json::json!({"status": "resolved"}),
                ),
            ],
        );
    };
    resolved(
        "2026-10-02-a",
        "Slow search",
        "SEV3",
        "2026-10-02T10:00:00Z",
        "2026-10-02T10:45:00Z",
    );
    resolved(
        "2026-10-20-b",
        "Checkout down",
        "SEV1",
        "2026-10-20T10:00:00Z",
        "2026-10-20T12:05:00Z",
    );
    resolved(
        "2026-11-10-c",
        "Emails late",
        "SEV3",
        "2026-11-10T10:00:00Z",
        "2026-11-10T10:20:00Z",
    );
    repo.inc().now(LATER).args(["site", "build"]).ok();
    let history = repo.read("site/history.html");
    // The newest month open, the older folded, each with its line.
    assert!(history.contains(
        "<details open>\n<summary><h2>November 2026</h2> <span class=\"quiet\">1 incident · longest 20m · worst: degraded performance</span></summary>"
    ), "{history}");
    assert!(history.contains(
        "<details>\n<summary><h2>October 2026</h2> <span class=\"quiet\">2 incidents · longest 2h 05m · worst: major outage</span></summary>"
    ), "{history}");
    assert!(history.contains("lasted 2h 05m"), "{history}");
    // The incident page says it too.
    let page = text_of(&repo.read(format!("site/{}", TestRepo::page_of("2026-10-20-b"))));
    assert!(page.contains("Duration2h 05m"), "{page}");
    // A time never wraps mid-value.
    assert!(
        repo.read("site/style.css")
            .contains("time, .nowrap { white-space: nowrap; }")
    );
}

#[test]
fn a_bar_cell_links_to_that_days_incidents() {
    let repo = TestRepo::with_config(CONFIG);
    for (id, at) in [
        ("2026-11-20-one", "2026-11-20T10:00:00Z"),
        ("2026-11-25-two", "2026-11-25T10:00:00Z"),
        ("2026-11-25-three", "2026-11-25T11:00:00Z"),
    ] {
        incident(
            &repo,
            id,
            &format!("title: {id}\nservices: [web]\nopened_at: {at}\nopened_by: alice\n"),
            &[
                opened(at, "SEV3", "investigating"),
                ev(
                    &at.replace("T1", "T2"),
                    "alice",
                    "status",
                    serde_json::json!({"status": "resolved"}),
                ),
            ],
        );
    }
    repo.inc().now(LATER).args(["site", "build"]).ok();
    let index = repo.read("site/index.html");
    // One incident that day: its page. Two: the day in the history.
    let one = format!(
        "title=\"2026-11-20: degraded performance\"><a href=\"{}\">",
        TestRepo::page_of("2026-11-20-one")
    );
    assert!(index.contains(&one), "{index}");
    assert!(index.contains(
        "title=\"2026-11-25: degraded performance\"><a href=\"history/2026.html#day-2026-11-25\">"
    ));
    assert!(
        repo.read("site/history/2026.html")
            .contains("id=\"day-2026-11-25\"")
    );
    // A day without incidents is no link; nor is the other component's.
    assert!(index.contains("title=\"2026-11-21: no incidents\"><span class=\"vh\">"));
    // On a phone, the last 30 days.
    let css = repo.read("site/style.css");
    assert!(css.contains(".bar .day:nth-last-child(n+31) { display: none; }"));
}

#[test]
fn the_site_has_its_own_icon_and_a_description_and_warns_once_without_a_url() {
    let repo = TestRepo::with_config(CONFIG);
    let run = repo.inc().now(LATER).args(["site", "build"]).ok();
    assert!(repo.read("site/favicon.svg").starts_with("<svg"));
    let index = repo.read("site/index.html");
    assert!(index.contains("<link rel=\"icon\" href=\"favicon.svg\" type=\"image/svg+xml\">"));
    assert!(index.contains("<meta name=\"description\" content=\"Test status: current status"));
    assert_eq!(
        run.stderr.matches("site.url is not set").count(),
        1,
        "{run}"
    );
    repo.write(
        "inc.yaml",
        &CONFIG.replace(
            "  title: Test status\n",
            "  title: Test status\n  url: https://status.example.com\n",
        ),
    );
    let run = repo.inc().now(LATER).args(["site", "build"]).ok();
    assert!(!run.stderr.contains("site.url"), "{run}");
}

/// A team may publish its review: `public: true` in the postmortem's
/// front matter, and only the `##` sections marked `<!-- public -->`.
#[test]
fn a_public_postmortem_shows_only_its_public_sections() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    repo.inc()
        .args([
            "note",
            &id,
            "bob dropped the orders_v2 index on db-7 by hand",
        ])
        .ok();
    repo.inc()
        .args(["update", &id, "We are looking into failed payments."])
        .ok();
    repo.inc().args(["resolve", &id]).ok();
    let path = format!("{}/postmortem.md", TestRepo::incident_dir(&id));
    let draft = "# Postmortem: Checkout returns 500s\n\n\
        ## Summary <!-- public -->\n\nPayments failed for 40 minutes after a database change.\n\n\
        ## Timeline\n\nThe on-call engineer paged the database team.\n\n\
        ## What we changed <!-- public -->\n\nDatabase changes now go through review.\n";
    repo.write(&path, draft);
    repo.commit_all("postmortem");
    let page = |repo: &TestRepo| repo.read(format!("site/{}", TestRepo::page_of(&id)));
    let body = |repo: &TestRepo| {
        json(repo, "api/v2/incidents.json")["incidents"][0]["postmortem_body"].clone()
    };

    // Not public yet: nothing of it.
    repo.inc().args(["site", "build"]).ok();
    assert!(!page(&repo).contains("Postmortem"), "{}", page(&repo));
    assert_eq!(body(&repo), Value::Null);

    repo.write(&path, &format!("---\npublic: true\n---\n{draft}"));
    repo.inc().args(["site", "build"]).ok();
    let html = page(&repo);
    assert!(html.contains("<h2>Postmortem</h2>"), "{html}");
    assert!(html.contains("<h3>Summary</h3>"), "{html}");
    assert!(
        html.contains("Database changes now go through review."),
        "{html}"
    );
    assert!(
        !html.contains("paged the database team"),
        "an unmarked section: {html}"
    );
    assert_eq!(
        body(&repo),
        "### Summary\n\nPayments failed for 40 minutes after a database change.\n\n\
         ### What we changed\n\nDatabase changes now go through review."
    );

    // A public section that quotes an internal note is a leak like any.
    repo.write(
        &path,
        &format!(
            "---\npublic: true\n---\n{draft}\n## Cause <!-- public -->\n\nbob dropped the orders_v2 index on db-7 by hand\n"
        ),
    );
    let run = repo.inc().args(["site", "build"]).fails();
    assert!(run.stderr.contains("an internal note"), "{run}");
    assert!(run.stderr.contains("nothing was written"), "{run}");
    assert!(
        page(&repo).contains("Database changes now go through review."),
        "the last site stays"
    );
}

#[test]
fn a_private_incidents_public_postmortem_stays_off_the_site() {
    let repo = TestRepo::new();
    let id = repo.open_with("Internal tooling down", "SEV3", &["--private"]);
    repo.inc().args(["resolve", &id]).ok();
    repo.write(
        format!("{}/postmortem.md", TestRepo::incident_dir(&id)),
        "---\npublic: true\n---\n## Summary <!-- public -->\n\nThe build farm was down.\n",
    );
    repo.inc().args(["site", "build"]).ok();
    for (path, text) in site_files(&repo, "site") {
        assert!(!text.contains("build farm"), "{path}");
    }
}

/// A postmortem can't hide an outage, so one inc can't read (here a
/// symbolic link, which inc never follows) is left off with a warning
/// while the page goes out.
#[test]
fn an_unreadable_postmortem_is_left_off_and_the_page_still_builds() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    repo.inc()
        .args(["update", &id, "We are looking into it."])
        .ok();
    repo.write(
        "elsewhere.md",
        "---\npublic: true\n---\n## Summary <!-- public -->\nsecret plans\n",
    );
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        repo.path("elsewhere.md"),
        repo.path(format!("{}/postmortem.md", TestRepo::incident_dir(&id))),
    )
    .unwrap();
    let run = repo.inc().args(["site", "build"]).ok();
    assert!(
        run.stderr.contains("warning: postmortem left off the page"),
        "{run}"
    );
    assert!(run.stderr.contains("symbolic link"), "{run}");
    let page = repo.read(format!("site/{}", TestRepo::page_of(&id)));
    assert!(page.contains("We are looking into it."), "{page}");
    assert!(!page.contains("secret plans"), "{page}");
}

/// Status levels told apart without colour vision: degraded, partial and
/// maintenance cells carry patterns, and the two solid levels (no
/// incidents, major outage) differ in lightness in both schemes.
#[test]
fn status_levels_differ_without_hue() {
    let repo = TestRepo::examples();
    repo.inc().now(LATER).args(["site", "build"]).ok();
    let css = repo.read("site/style.css");
    for level in ["degraded", "partial", "maintenance"] {
        let rule = css
            .lines()
            .find(|l| l.starts_with(&format!(".day-{level} {{")))
            .unwrap_or_else(|| panic!("no .day-{level} rule"));
        assert!(rule.contains("repeating-linear-gradient"), "{rule}");
    }
    assert!(css.contains(".day-major { background: var(--major); }"));
    // Relative luminance contrast of two `#rrggbb` colours (WCAG 2).
    let luminance = |hex: &str| {
        let channel = |i: usize| {
            let c = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
            if c <= 0.03928 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5)
    };
    let contrast = |a: &str, b: &str| {
        let (x, y) = (luminance(a), luminance(b));
        (x.max(y) + 0.05) / (x.min(y) + 0.05)
    };
    let var = |block: &str, name: &str| -> String {
        let at = block.find(&format!("--{name}: #")).unwrap() + name.len() + 4;
        block[at..at + 7].to_owned()
    };
    let dark_at = css.find("@media (prefers-color-scheme: dark)").unwrap();
    let (light, dark) = css.split_at(dark_at);
    for (scheme, block, min) in [("light", light, 3.0), ("dark", dark, 1.8)] {
        let (ok, major) = (var(block, "ok-fill"), var(block, "major"));
        let c = contrast(&ok, &major);
        assert!(c >= min, "{scheme}: {ok} vs {major} is {c:.2}:1");
    }
}
