//! Threats of SECURITY.md that no other test covered: what a person with
//! push access can put in `inc.yaml` and `templates/` and have inc run or
//! read on someone else's clone.

use std::path::Path;

use crate::harness::{TestRepo, fixture, fixture_text};

const FIRING: &str = "alertmanager-firing.json";

/// `hooks` in inc.yaml are parsed and checked, never run: no inc command
/// on a clone that never ran `inc hooks trust` starts a repository's shell
/// command.
#[test]
fn hooks_from_inc_yaml_never_run() {
    let repo = TestRepo::new();
    let marker = repo.base().join("hook-ran");
    repo.write(
        "inc.yaml",
        &format!(
            "hooks:\n  - on: [any]\n    run: \"touch '{0}'\"\n  - run: \"touch '{0}'\"\n",
            marker.display()
        ),
    );
    repo.commit_all("hooks");
    // inc.yaml parses: each command below succeeds with it.
    repo.inc().arg("check").ok();
    let id = repo.open("Checkout errors", "SEV2");
    repo.inc().args(["note", &id, "a note"]).ok();
    repo.inc().args(["update", &id, "We are on it."]).ok();
    repo.inc().arg("alert").arg(fixture(FIRING)).ok();
    repo.inc().args(["resolve", &id]).ok();
    repo.inc().args(["site", "build"]).ok();
    assert!(!marker.exists(), "a hook from inc.yaml ran");
}

/// A repository's template reaches only the repository's `templates/*.j2`
/// and the built-ins: never inc.yaml, an incident's files, a file beside
/// the templates or any file outside the repository.
#[test]
fn templates_reach_no_file_outside_their_own() {
    let repo = TestRepo::new();
    let id = repo.open_with("Private one", "SEV3", &["--private"]);
    repo.inc()
        .args(["note", &id, "zorblax quendor flimzy in the vault"])
        .ok();
    repo.write("templates/secret.txt", "zorblax quendor flimzy again\n");
    let timeline = TestRepo::timeline_path(&id);
    let outside = repo.base().join("outside.j2");
    std::fs::write(&outside, "zorblax quendor flimzy outside\n").unwrap();
    let before = repo.state();
    for name in [
        "inc.yaml",
        "../inc.yaml",
        timeline.as_str(),
        &format!("../{timeline}"),
        "secret.txt",
        "../../outside.j2",
        outside.to_str().unwrap(),
        "/etc/passwd",
    ] {
        repo.write(
            "templates/site/index.html.j2",
            &format!("<p>{{% include {name:?} %}}</p>\n"),
        );
        let run = repo.inc().args(["site", "build"]).fails();
        assert!(run.stderr.contains("not found"), "{name}: {run}");
        assert!(!run.stderr.contains("zorblax"), "{name}: {run}");
        assert!(!repo.exists("site"), "{name}: a site was written");
    }
    std::fs::remove_file(repo.path("templates/site/index.html.j2")).unwrap();
    std::fs::remove_dir(repo.path("templates/site")).unwrap();
    repo.assert_unchanged(&before);
    assert!(Path::new(&outside).exists());
}

/// Site templates get the public projection only: a template that dumps
/// everything it is given (`debug()`) shows no internal text, and the
/// build, which would refuse one, succeeds.
#[test]
fn a_template_dumping_its_whole_context_shows_nothing_internal() {
    let repo = TestRepo::new();
    let public = repo.open_with(
        "Checkout errors",
        "SEV2",
        &[
            "--summary",
            "zorblax summary quendor",
            "--label",
            "team=flimzy gribble wompus",
        ],
    );
    repo.inc()
        .args(["note", &public, "snorkle plonth vextra in the db"])
        .ok();
    repo.inc()
        .args(["update", &public, "We are looking into checkout errors."])
        .ok();
    repo.open_with("Murgle tazzle private outage", "SEV2", &["--private"]);
    repo.inc().arg("alert").arg(fixture(FIRING)).ok();
    for page in ["index.html.j2", "incident.html.j2", "history.html.j2"] {
        repo.write(
            format!("templates/site/{page}"),
            "<pre>{{ debug() }}</pre>\n",
        );
    }
    repo.inc().args(["site", "build"]).ok();
    let mut pages = 0;
    for entry in walk(&repo.path("site")) {
        let text = std::fs::read_to_string(&entry).unwrap().to_lowercase();
        if entry.extension().is_some_and(|e| e == "html") {
            pages += 1;
            assert!(text.contains("checkout errors"), "{}", entry.display());
        }
        for word in [
            "zorblax",
            "quendor",
            "flimzy",
            "gribble",
            "snorkle",
            "plonth",
            "murgle",
            "tazzle",
            "higherrorrate",
            "5xx rate above",
        ] {
            assert!(!text.contains(word), "{} shows {word}", entry.display());
        }
    }
    assert!(pages >= 3, "{pages} pages");
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// A `.gitattributes` pushed as a link to a private file: `inc init`
/// (which the sync hint suggests) refuses it instead of committing what
/// it points to.
#[cfg(unix)]
#[test]
fn init_refuses_a_symlinked_gitattributes() {
    let repo = TestRepo::new();
    repo.write("secret.env", "MY_CI_TOKEN=hunter2\n");
    std::fs::remove_file(repo.path(".gitattributes")).unwrap();
    std::os::unix::fs::symlink("secret.env", repo.path(".gitattributes")).unwrap();
    let commits = repo.commit_count();
    repo.inc().arg("init").fails().stderr_has(&[
        ".gitattributes",
        "symbolic link",
        "inc changed nothing",
    ]);
    assert_eq!(repo.commit_count(), commits);
    let log = repo.git(&["log", "-p", "--all"]);
    assert!(!log.contains("hunter2"), "the secret was committed");
}

/// `inc.yaml` is read through no link (one outside the repository would
/// put its site title on the page) and only up to 1 MB (a link to
/// /dev/zero, or a huge file, would exhaust the memory).
#[cfg(unix)]
#[test]
fn a_symlinked_or_huge_inc_yaml_is_refused() {
    let repo = TestRepo::new();
    let outside = repo.base().join("elsewhere.yaml");
    std::fs::write(&outside, "site:\n  title: Outside the repository\n").unwrap();
    std::fs::remove_file(repo.path("inc.yaml")).unwrap();
    std::os::unix::fs::symlink(&outside, repo.path("inc.yaml")).unwrap();
    repo.inc()
        .args(["list"])
        .fails()
        .stderr_has(&["inc.yaml", "symbolic link"]);
    std::fs::remove_file(repo.path("inc.yaml")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", repo.path("inc.yaml")).unwrap();
    repo.inc()
        .args(["list"])
        .fails()
        .stderr_has(&["inc.yaml", "symbolic link"]);
    std::fs::remove_file(repo.path("inc.yaml")).unwrap();
    repo.write("inc.yaml", &format!("# {}\n", "x".repeat(2 << 20)));
    repo.inc()
        .args(["list"])
        .fails()
        .stderr_has(&["inc.yaml", "larger than 1 MB"]);
}

/// A folder under a year that is not an incident ID (capitals, say) would
/// drop off the page without a word: the build refuses, naming it, and
/// `inc list` shows the rest and exits 1.
#[test]
fn a_folder_not_named_as_an_id_fails_the_site_build() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    repo.inc().args(["update", &id, "Looking into it"]).ok();
    let renamed = "incidents/2026/2026-11-27-Checkout-Down";
    std::fs::rename(repo.path(TestRepo::incident_dir(&id)), repo.path(renamed)).unwrap();
    repo.inc().args(["site", "build"]).fails().stderr_has(&[
        renamed,
        "not an incident ID",
        "git mv",
    ]);
    assert!(!repo.path("site").exists(), "nothing was written");
    repo.inc()
        .args(["list"])
        .run()
        .code(1)
        .stderr_has(&[renamed]);
}

/// An alert key (group key, fingerprint, dedup key) is kept in its
/// incident's header: one of megabytes would make a header inc then
/// refuses to read, and block the page. Keys are capped, payloads too.
#[test]
fn an_alert_key_or_payload_too_large_is_refused() {
    let repo = TestRepo::new();
    let payload = fixture_text(FIRING);
    let value: serde_json::Value = serde_json::from_str(&payload).unwrap();
    let mut long = value.clone();
    long["groupKey"] = serde_json::Value::String("k".repeat(2 << 20));
    repo.inc()
        .args(["alert", "-"])
        .stdin(long.to_string())
        .fails()
        .stderr_has(&["groupKey", "at most 1024 bytes"]);
    let mut huge = value;
    huge["padding"] = serde_json::Value::String("p".repeat(17 << 20));
    repo.inc()
        .args(["alert", "-"])
        .stdin(huge.to_string())
        .fails()
        .stderr_has(&["larger than 16 MB"]);
    assert!(
        repo.list_ids(&["--status", "all"]).is_empty(),
        "no incident was opened"
    );
    repo.inc().args(["site", "build"]).ok();
}
