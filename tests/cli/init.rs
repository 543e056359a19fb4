//! `inc init`: inc.yaml, incidents/, the union merge line, one commit.

use crate::harness::{AUTHOR, TestRepo};

const UNION_LINE: &str = "incidents/**/timeline.yaml merge=union";

/// What every successful init leaves, whatever was there before.
#[track_caller]
fn assert_initialised(repo: &TestRepo) {
    let config = repo.read("inc.yaml");
    assert!(
        config.lines().any(|l| l.starts_with('#')),
        "inc.yaml has commented defaults:\n{config}"
    );
    assert!(config.contains("severities:"), "{config}");
    assert!(repo.path("incidents").is_dir());
    let attributes = repo.read(".gitattributes");
    assert!(
        attributes.lines().any(|l| l.trim() == UNION_LINE),
        "{attributes}"
    );
    // git itself sees the union driver on a timeline.
    let attr = repo.git(&[
        "check-attr",
        "merge",
        "--",
        "incidents/2026/2026-11-27-x/timeline.yaml",
    ]);
    assert!(attr.trim_end().ends_with("merge: union"), "{attr}");
    assert_eq!(repo.git_status(), "", "init leaves a clean tree");
}

#[test]
fn init_in_a_new_git_repo_with_unborn_head() {
    let repo = TestRepo::git_only();
    assert_eq!(repo.commit_count(), 0);
    repo.inc().arg("init").ok();
    assert_initialised(&repo);
    assert_eq!(repo.commit_count(), 1, "init makes one commit");
    let files = repo.head_files();
    assert!(files.contains(&"inc.yaml".to_owned()), "{files:?}");
    assert!(files.contains(&".gitattributes".to_owned()), "{files:?}");
    assert!(
        files
            .iter()
            .all(|f| f == "inc.yaml" || f == ".gitattributes" || f.starts_with("incidents/")),
        "init commits only its own files: {files:?}"
    );
    assert_eq!(repo.head_author(), AUTHOR);
}

#[test]
fn init_in_a_repo_with_history_keeps_it() {
    let repo = TestRepo::git_only();
    repo.write("README.md", "# ops\n");
    // An existing .gitattributes without a final newline.
    repo.write(".gitattributes", "*.png binary");
    repo.commit_all("first");
    let first = repo.git(&["rev-parse", "HEAD"]);

    repo.inc().arg("init").ok();
    assert_initialised(&repo);
    assert_eq!(repo.commit_count(), 2);
    assert_eq!(repo.git(&["rev-parse", "HEAD~1"]), first, "HEAD's parent");
    assert_eq!(
        repo.read(".gitattributes"),
        format!("*.png binary\n{UNION_LINE}\n")
    );
    assert_eq!(repo.read("README.md"), "# ops\n");
    assert!(!repo.head_files().contains(&"README.md".to_owned()));
}

#[test]
fn init_twice_changes_nothing_the_second_time() {
    let repo = TestRepo::new();
    let before = repo.state();
    let commits = repo.commit_count();
    repo.inc().arg("init").ok();
    repo.assert_unchanged(&before);
    assert_eq!(repo.commit_count(), commits);
}

#[test]
fn init_keeps_an_existing_config() {
    let repo = TestRepo::git_only();
    repo.write("inc.yaml", "name: Acme\n");
    repo.inc().arg("init").ok();
    assert_eq!(repo.read("inc.yaml"), "name: Acme\n");
    assert!(repo.read(".gitattributes").contains(UNION_LINE));
    assert!(!repo.head_files().contains(&"inc.yaml".to_owned()));
}

#[test]
fn init_in_a_plain_folder_makes_a_git_repo() {
    let repo = TestRepo::plain();
    repo.inc().arg("init").ok();
    assert!(repo.path(".git").is_dir(), "a git repository was made");
    // git config for the checks below: the commit itself came from inc.
    assert_eq!(repo.commit_count(), 1);
    assert_initialised(&repo);
    // And the new repository is usable by the next command.
    repo.open("First", "SEV3");
    assert_eq!(repo.commit_count(), 2);
}

#[test]
fn init_a_subfolder_of_a_git_repo() {
    let repo = TestRepo::git_only();
    repo.write("src/main.c", "int main;\n");
    repo.commit_all("code");
    repo.inc().args(["init", "ops"]).ok();
    assert!(repo.exists("ops/inc.yaml"));
    assert!(repo.path("ops/incidents").is_dir());
    let files = repo.head_files();
    assert!(files.contains(&"ops/inc.yaml".to_owned()), "{files:?}");
    assert!(files.iter().all(|f| f.starts_with("ops/")), "{files:?}");
    assert_eq!(repo.git_status(), "");

    // Commands find the subfolder by --repo and commit paths inside it.
    let id = repo
        .inc()
        .args(["--repo", "ops", "open", "Disk full", "-s", "SEV3"])
        .ok()
        .stdout
        .trim()
        .to_owned();
    assert_eq!(
        repo.head_files(),
        vec![
            format!("ops/incidents/2026/{id}/incident.yaml"),
            format!("ops/incidents/2026/{id}/timeline.yaml"),
        ]
    );
    // …and from inside it, by discovery.
    repo.inc()
        .args(["note", "checked the disk"])
        .current_dir(repo.path("ops/incidents"))
        .ok();
    assert_eq!(
        repo.head_files(),
        vec![format!("ops/incidents/2026/{id}/timeline.yaml")]
    );
    assert_eq!(repo.git_status(), "");
}

#[test]
fn init_on_an_unborn_head_leaves_staged_work_staged() {
    let repo = TestRepo::git_only();
    repo.write("README.md", "# ops\n");
    repo.git(&["add", "README.md"]);
    repo.inc().arg("init").ok();
    assert_eq!(repo.commit_count(), 1);
    assert!(!repo.head_files().contains(&"README.md".to_owned()));
    assert_eq!(repo.git_status(), "A  README.md\n");
}
