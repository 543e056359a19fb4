//! Hostile files in the repository: symbolic links where inc reads incidents
//! or templates, files that can't be parsed, huge and deeply nested ones.
//! The status page reads nothing through a link and refuses to publish while
//! an incident can't be read, leaving the last site as it was; the other
//! read commands show what they can, name each broken file, and exit 1.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use crate::harness::TestRepo;

/// Text only the private incident holds: it must reach no output file.
const SECRET: &str = "q7xz-customer-emails-exported";

/// A repository with a public incident (opened by a person, with a public
/// update) and a private one whose note and update hold [`SECRET`], and a
/// site built from them. Returns (repo, public ID, private ID).
fn repo() -> (TestRepo, String, String) {
    let repo = TestRepo::new();
    let public = repo.open("Checkout is slow", "SEV2");
    repo.inc()
        .args(["update", &public, "We are looking into slow checkouts."])
        .ok();
    let private = repo.open_with("Bob dropped the customers table", "SEV1", &["--private"]);
    repo.inc()
        .args(["note", &private, &format!("{SECRET} by mistake")])
        .ok();
    repo.inc()
        .args(["update", &private, &format!("Update: {SECRET} again")])
        .ok();
    repo.inc().args(["site", "build"]).ok();
    (repo, public, private)
}

/// Every file under `site/`, path → bytes (links listed, not followed).
fn site(repo: &TestRepo) -> BTreeMap<String, Vec<u8>> {
    TestRepo::tree(&repo.path("site"))
}

#[cfg(unix)]
fn link(repo: &TestRepo, target: impl AsRef<Path>, at: &str) {
    let at = repo.path(at);
    fs::create_dir_all(at.parent().unwrap()).unwrap();
    if fs::symlink_metadata(&at).is_ok() {
        if at.is_dir() && !at.is_symlink() {
            fs::remove_dir_all(&at).unwrap();
        } else {
            fs::remove_file(&at).unwrap();
        }
    }
    std::os::unix::fs::symlink(target, &at).unwrap();
}

/// Builds the site, expecting a refusal that names `named` (relative to
/// the root), with the site left byte for byte as it was and [`SECRET`] in
/// none of its files.
#[track_caller]
fn assert_build_refused(repo: &TestRepo, named: &str, hint: &str) -> String {
    let before = site(repo);
    assert!(!before.is_empty(), "a site was built before");
    let run = repo
        .inc()
        .args(["site", "build"])
        .fails()
        .stderr_has(&[named, hint]);
    let after = site(repo);
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>(),
        "{run}"
    );
    assert!(before == after, "the previous site changed:\n{run}");
    for (path, bytes) in &after {
        assert!(
            !String::from_utf8_lossy(bytes).contains(SECRET),
            "{path} holds the private text"
        );
    }
    run.stderr
}

const LINK_HINT: &str = "replace the link with a copy";

// ----- symbolic links -----

#[cfg(unix)]
#[test]
fn symlinked_style_css_is_refused() {
    let (repo, _, private) = repo();
    let target = format!("../../{}", TestRepo::timeline_path(&private));
    link(&repo, &target, "templates/site/style.css");
    let stderr = assert_build_refused(&repo, "templates/site/style.css", LINK_HINT);
    assert!(stderr.contains("symbolic link"), "{stderr}");
}

#[cfg(target_os = "linux")]
#[test]
fn symlinked_style_css_to_proc_environ_is_refused() {
    let (repo, _, _) = repo();
    link(&repo, "/proc/self/environ", "templates/site/style.css");
    assert_build_refused(&repo, "templates/site/style.css", LINK_HINT);
    assert!(
        !String::from_utf8_lossy(&site(&repo)["style.css"]).contains("HOME="),
        "the environment was published"
    );
}

#[cfg(unix)]
#[test]
fn symlinked_site_template_folder_is_refused() {
    let (repo, _, _) = repo();
    repo.write("elsewhere/style.css", "body { color: red; }\n");
    link(&repo, "../elsewhere", "templates/site");
    assert_build_refused(&repo, "templates/site", LINK_HINT);
}

#[cfg(unix)]
#[test]
fn symlinked_templates_folder_is_refused() {
    let (repo, _, _) = repo();
    repo.write("elsewhere/site/style.css", "body { color: red; }\n");
    link(&repo, "elsewhere", "templates");
    assert_build_refused(&repo, "templates", LINK_HINT);
}

#[cfg(unix)]
#[test]
fn symlinked_included_template_is_refused() {
    let (repo, _, private) = repo();
    // A real override that includes a template which is a link.
    let index = include_str!("../../templates/site/index.html.j2");
    let index = index.replacen(
        "{% block content %}",
        "{% block content %}{% include \"site/extra.html.j2\" %}",
        1,
    );
    assert!(index.contains("extra.html.j2"));
    repo.write("templates/site/index.html.j2", &index);
    let target = format!("../../{}", TestRepo::timeline_path(&private));
    link(&repo, &target, "templates/site/extra.html.j2");
    assert_build_refused(&repo, "templates/site/extra.html.j2", LINK_HINT);
}

#[cfg(unix)]
#[test]
fn symlinked_timeline_is_refused() {
    let (repo, public, private) = repo();
    link(
        &repo,
        format!("../{private}/{}", "timeline.yaml"),
        &TestRepo::timeline_path(&public),
    );
    let stderr = assert_build_refused(&repo, &TestRepo::timeline_path(&public), LINK_HINT);
    // Named as the link, with where it points.
    assert!(
        stderr.contains(&format!("`../{private}/timeline.yaml`")),
        "{stderr}"
    );
    assert!(stderr.contains("refusing to publish"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn symlinked_header_is_refused() {
    let (repo, public, _) = repo();
    repo.write(
        "elsewhere/incident.yaml",
        &repo.read(TestRepo::header_path(&public)),
    );
    link(
        &repo,
        repo.path("elsewhere/incident.yaml"),
        &TestRepo::header_path(&public),
    );
    assert_build_refused(&repo, &TestRepo::header_path(&public), LINK_HINT);
}

#[cfg(unix)]
#[test]
fn symlinked_incident_folder_is_refused() {
    let (repo, public, private) = repo();
    // A public-looking incident whose folder is the private one's.
    let alias = public.replace("checkout-is-slow", "alias");
    link(&repo, &private, &TestRepo::incident_dir(&alias));
    let stderr = assert_build_refused(&repo, &TestRepo::incident_dir(&alias), LINK_HINT);
    assert!(stderr.contains(&format!("`{private}`")), "{stderr}");
    // The other read commands report it too, and exit 1.
    let run = repo
        .inc()
        .args(["list", "--status", "all"])
        .fails()
        .stderr_has(&[&TestRepo::incident_dir(&alias), LINK_HINT]);
    assert!(run.stdout.contains(&public), "{run}");
    repo.inc()
        .args(["show", &alias])
        .fails()
        .stderr_has(&[&TestRepo::incident_dir(&alias), LINK_HINT]);
    // Nothing is written through it either.
    let before = repo.read(TestRepo::timeline_path(&private));
    repo.inc()
        .args(["note", &alias, "through the link"])
        .fails()
        .stderr_has(&[&TestRepo::incident_dir(&alias)]);
    assert_eq!(repo.read(TestRepo::timeline_path(&private)), before);
}

#[cfg(unix)]
#[test]
fn symlinked_year_folder_is_refused() {
    let (repo, _, _) = repo();
    fs::create_dir_all(repo.path("elsewhere")).unwrap();
    link(&repo, "../elsewhere", "incidents/2025");
    assert_build_refused(&repo, "incidents/2025", LINK_HINT);
    // Nothing is created through it.
    repo.inc()
        .args([
            "open",
            "Backdated",
            "-s",
            "SEV3",
            "--at",
            "2025-12-31 10:00",
        ])
        .fails()
        .stderr_has(&["incidents/2025", LINK_HINT]);
    assert_eq!(fs::read_dir(repo.path("elsewhere")).unwrap().count(), 0);
    repo.inc()
        .args(["check"])
        .run()
        .code(3)
        .stdout_has(&["incidents/2025", "symbolic link"]);
}

#[cfg(unix)]
#[test]
fn symlinked_incidents_folder_is_refused() {
    let (repo, _, _) = repo();
    fs::rename(repo.path("incidents"), repo.path("elsewhere")).unwrap();
    link(&repo, "elsewhere", "incidents");
    assert_build_refused(&repo, "incidents", LINK_HINT);
}

#[cfg(unix)]
#[test]
fn a_note_through_a_symlinked_timeline_is_refused() {
    let (repo, public, private) = repo();
    let target = format!("../{private}/timeline.yaml");
    link(&repo, &target, &TestRepo::timeline_path(&public));
    let before = repo.read(TestRepo::timeline_path(&private));
    repo.inc()
        .args(["note", &public, "hello"])
        .fails()
        .stderr_has(&[&TestRepo::timeline_path(&public), LINK_HINT]);
    // The link is still a link, and what it points to is untouched.
    assert!(repo.path(TestRepo::timeline_path(&public)).is_symlink());
    assert_eq!(repo.read(TestRepo::timeline_path(&private)), before);
}

#[cfg(unix)]
#[test]
fn symlinked_postmortem_is_refused() {
    let (repo, public, private) = repo();
    repo.inc().args(["resolve", &private]).ok();
    repo.inc().args(["postmortem", &private]).ok();
    let target = format!("../{private}/postmortem.md");
    let rel = format!("{}/postmortem.md", TestRepo::incident_dir(&public));
    link(&repo, &target, &rel);
    repo.inc()
        .args(["postmortem", &public, "--stdout"])
        .fails()
        .stderr_has(&[&rel, LINK_HINT]);
    repo.inc()
        .args(["check"])
        .run()
        .code(3)
        .stdout_has(&[&rel, "symbolic link"]);
}

#[cfg(unix)]
#[test]
fn check_reports_a_symlinked_incident_folder() {
    let (repo, public, private) = repo();
    let alias = public.replace("checkout-is-slow", "alias");
    link(&repo, &private, &TestRepo::incident_dir(&alias));
    let run = repo
        .inc()
        .args(["check", "--format", "github"])
        .run()
        .code(3);
    assert!(
        run.stdout.contains(&format!(
            "::error file={},line=1::",
            TestRepo::incident_dir(&alias)
        )),
        "{run}"
    );
}

// ----- an incident that can't be read hides no outage -----

/// Replaces the title line of `id`'s header by `title: DB: down` (an
/// unquoted colon); returns that line's number.
fn break_title(repo: &TestRepo, id: &str) -> usize {
    let path = TestRepo::header_path(id);
    let header = repo.read(&path);
    let n = header
        .lines()
        .position(|l| l.starts_with("title:"))
        .expect("a title line");
    let broken: Vec<&str> = header
        .lines()
        .enumerate()
        .map(|(i, l)| if i == n { "title: DB: down" } else { l })
        .collect();
    repo.write(&path, &(broken.join("\n") + "\n"));
    n + 1
}

#[test]
fn yaml_typo_in_open_incident_fails_site_build() {
    let (repo, public, _) = repo();
    let line = break_title(&repo, &public);
    let named = format!("{}:{line}:", TestRepo::header_path(&public));
    let stderr = assert_build_refused(&repo, &named, "nothing was written");
    assert!(stderr.contains(&format!("error: {named}")), "{stderr}");
    assert!(!stderr.contains("skipped"), "{stderr}");
    // Into a new folder: none is made.
    repo.inc()
        .args(["site", "build", "--out", "fresh"])
        .fails()
        .stderr_has(&[&named]);
    assert!(!repo.exists("fresh"));
}

#[test]
fn bad_timeline_line_fails_site_build() {
    let (repo, public, _) = repo();
    let path = TestRepo::timeline_path(&public);
    let lines = repo.read(&path).lines().count();
    repo.append(&path, "- {\"at\": \"2026-11-27T12:00:00Z\", oops\n");
    let named = format!("{path}:{}:", lines + 1);
    assert_build_refused(&repo, &named, "nothing was written");
}

#[test]
fn list_shows_what_it_can_and_exits_1_on_a_broken_incident() {
    let (repo, public, private) = repo();
    let line = break_title(&repo, &public);
    let named = format!("error: {}:{line}:", TestRepo::header_path(&public));
    let run = repo
        .inc()
        .arg("list")
        .fails()
        .stderr_has(&[&named, "inc check"]);
    assert!(run.stdout.contains(&private), "{run}");
    assert!(!run.stdout.contains(&public), "{run}");
    // The only open incident broken: never a bare "No open incidents".
    repo.inc().args(["resolve", &private]).ok();
    let run = repo.inc().arg("list").fails().stderr_has(&[&named]);
    assert!(!run.stderr.contains("No open incidents."), "{run}");
    // --json: the JSON of what could be read, then exit 1.
    let run = repo
        .inc()
        .args(["list", "--status", "all", "--json"])
        .fails()
        .stderr_has(&[&named]);
    let listed: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(listed.len(), 1, "{run}");
    assert_eq!(listed[0]["id"], private.as_str());
}

#[test]
fn stats_shows_what_it_can_and_exits_1_on_a_broken_incident() {
    let (repo, public, _) = repo();
    let path = TestRepo::timeline_path(&public);
    let lines = repo.read(&path).lines().count();
    repo.append(&path, "<<<<<<< HEAD\n");
    let named = format!("error: {path}:{}:", lines + 1);
    let run = repo.inc().arg("stats").fails().stderr_has(&[&named]);
    assert!(!run.stdout.is_empty(), "the figures of the others: {run}");
    let run = repo
        .inc()
        .args(["stats", "--json"])
        .fails()
        .stderr_has(&[&named]);
    let stats: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(stats["overall"]["incidents"]["total"], 1, "{run}");
}

#[test]
fn action_list_shows_what_it_can_and_exits_1_on_a_broken_incident() {
    let (repo, public, private) = repo();
    repo.inc()
        .args(["action", "add", &private, "Restore from backup"])
        .ok();
    let line = break_title(&repo, &public);
    let run = repo
        .inc()
        .args(["action", "list"])
        .fails()
        .stderr_has(&[&format!(
            "error: {}:{line}:",
            TestRepo::header_path(&public)
        )]);
    assert!(run.stdout.contains("Restore from backup"), "{run}");
}

#[test]
fn an_implied_id_is_refused_while_an_incident_is_unreadable() {
    let (repo, public, private) = repo();
    repo.inc().args(["resolve", &private]).ok();
    repo.inc().args(["show"]).ok().stdout_has(&[&public]);
    // The broken one may be open too: which one is "the open one" is unknown.
    let broken = repo.open("Search is down", "SEV2");
    let line = break_title(&repo, &broken);
    repo.inc().args(["show"]).fails().stderr_has(&[
        &format!("{}:{line}:", TestRepo::header_path(&broken)),
        "pass the incident's ID",
    ]);
    let mark = repo.mark(&public);
    repo.inc().args(["note", "unaddressed"]).fails();
    repo.assert_no_change(&mark, &public);
    repo.inc().args(["note", &public, "addressed"]).ok();
}

#[test]
fn check_keeps_exit_3_for_a_broken_incident() {
    let (repo, public, _) = repo();
    let line = break_title(&repo, &public);
    repo.inc()
        .arg("check")
        .run()
        .code(3)
        .stdout_has(&[&format!("{}:{line}", TestRepo::header_path(&public))]);
}

// ----- huge and deeply nested files -----

#[test]
fn a_huge_timeline_is_refused_not_read_whole() {
    let (repo, public, _) = repo();
    let path = repo.path(TestRepo::timeline_path(&public));
    // 2 GB, sparse: reading it whole would take the memory.
    fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(2 << 30)
        .unwrap();
    let named = TestRepo::timeline_path(&public);
    repo.inc()
        .args(["show", &public])
        .fails()
        .stderr_has(&[&named, "larger than 64 MB"]);
    assert_build_refused(&repo, &named, "larger than 64 MB");
    repo.inc()
        .arg("check")
        .run()
        .code(3)
        .stdout_has(&[&named, "larger than 64 MB"]);
}

#[test]
fn deeply_nested_yaml_and_json_are_errors_not_crashes() {
    let (repo, public, private) = repo();
    let header = TestRepo::header_path(&public);
    repo.write(&header, &format!("title: {}\n", "[".repeat(200_000)));
    // Refused before the parse, whose time grows with the square of the
    // depth (minutes at this one).
    let started = std::time::Instant::now();
    repo.inc()
        .args(["show", &public])
        .fails()
        .stderr_has(&[&format!("{header}:1:"), "nested more than 64 deep"]);
    assert!(started.elapsed().as_secs() < 10, "{:?}", started.elapsed());
    let timeline = TestRepo::timeline_path(&private);
    repo.append(&timeline, &format!("- {{\"at\": {}\n", "[".repeat(200_000)));
    repo.inc()
        .args(["show", &private])
        .fails()
        .stderr_has(&[&timeline]);
    let run = repo.inc().args(["site", "build"]).fails();
    assert!(
        run.stderr.contains(&header) && run.stderr.contains(&timeline),
        "{run}"
    );
    repo.inc().arg("check").run().code(3);
}
