//! Threats of SECURITY.md that no other test covered: what a person with
//! push access can put in `inc.yaml` and `templates/` and have inc run or
//! read on someone else's clone.

use std::path::Path;

use crate::harness::TestRepo;

const FIRING: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/alerts/alertmanager-firing.json"
);

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
    repo.inc().arg("alert").arg(FIRING).ok();
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
    repo.inc().arg("alert").arg(FIRING).ok();
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
