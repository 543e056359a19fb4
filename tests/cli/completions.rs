//! Completions, the man page, --version and --help: the CLI as a contract.

use crate::harness::TestRepo;

const VERBS: &[&str] = &[
    "init", "open", "note", "update", "status", "severity", "ack", "assign", "resolve", "reopen",
    "decline", "list", "show", "merge",
];

#[test]
fn completion_scripts_name_every_subcommand() {
    // Completions need no incident repository.
    let repo = TestRepo::plain();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = repo.inc().args(["completions", shell]).ok();
        assert!(out.stdout.len() > 500, "{shell}: {out}");
        for verb in VERBS {
            assert!(out.stdout.contains(verb), "{shell} lacks {verb}");
        }
    }
    let bash = repo.inc().args(["completions", "bash"]).ok().stdout;
    assert!(bash.contains("complete "), "{bash}");
    assert!(bash.contains("--severity"), "flags are completed too");
    let zsh = repo.inc().args(["completions", "zsh"]).ok().stdout;
    assert!(zsh.starts_with("#compdef inc"), "{zsh}");
    let fish = repo.inc().args(["completions", "fish"]).ok().stdout;
    assert!(fish.contains("complete -c inc"), "{fish}");
}

#[test]
fn man_page_is_roff() {
    let repo = TestRepo::plain();
    let out = repo.inc().arg("man").ok();
    assert!(
        out.stdout.starts_with(".TH") || out.stdout.starts_with(".ie"),
        "{}",
        &out.stdout[..out.stdout.len().min(200)]
    );
    assert!(out.stdout.contains(".TH inc"), "names the page");
    assert!(out.stdout.contains("incident"), "says what it is");
    for verb in VERBS {
        assert!(out.stdout.contains(verb), "man page lacks {verb}");
    }
}

#[test]
fn version_says_which_inc_this_is() {
    let repo = TestRepo::plain();
    let out = repo.inc().arg("--version").ok();
    let line = out.stdout.trim();
    assert!(
        line.starts_with(&format!("inc {}", env!("CARGO_PKG_VERSION"))),
        "{line}"
    );
    assert!(line.contains("incident"), "says what it is: {line}");
    assert_eq!(out.stdout.lines().count(), 1, "{out}");
    // -V too, and on subcommands.
    assert_eq!(repo.inc().arg("-V").ok().stdout, out.stdout);
}

#[test]
fn help() {
    let repo = TestRepo::plain();
    let out = repo.inc().arg("--help").ok();
    for verb in VERBS {
        assert!(out.stdout.contains(verb), "help lacks {verb}");
    }
    insta::assert_snapshot!(out.snapshot(&repo));
}

#[test]
fn open_help() {
    let repo = TestRepo::plain();
    let out = repo.inc().args(["open", "--help"]).ok();
    insta::assert_snapshot!(out.snapshot(&repo));
}

#[test]
fn every_subcommand_has_help() {
    let repo = TestRepo::plain();
    for verb in VERBS.iter().chain(&["completions", "man"]) {
        let out = repo.inc().args([verb, "--help"]).ok();
        assert!(out.stdout.contains("Usage: inc"), "{verb}: {out}");
        let first = out.stdout.lines().next().unwrap();
        assert!(!first.ends_with('.'), "imperative, no period: {first}");
    }
}

/// The pages a man page refers to: `inc\-note(1)` → `["note"]`,
/// `inc\-site\-build(1)` → `["site", "build"]`.
fn page_references(page: &str) -> Vec<Vec<String>> {
    page.lines()
        .filter_map(|line| line.strip_prefix("inc\\-")?.strip_suffix("(1)"))
        .map(|name| name.split("\\-").map(str::to_owned).collect())
        .collect()
}

#[test]
fn every_page_the_man_page_refers_to_exists() {
    let repo = TestRepo::plain();
    let mut todo = page_references(&repo.inc().arg("man").ok().stdout);
    assert!(todo.len() >= VERBS.len(), "{todo:?}");
    assert!(
        !todo.iter().any(|p| p == &["help"]),
        "no page for `help`, so no reference to it"
    );
    let mut seen = Vec::new();
    while let Some(path) = todo.pop() {
        let out = repo.inc().arg("man").args(&path).ok();
        let name = format!("inc-{}", path.join("-"));
        assert!(
            out.stdout.contains(&format!(".TH {name} 1 ")),
            "{name}: {}",
            &out.stdout[..out.stdout.len().min(300)]
        );
        assert!(
            out.stdout
                .contains(&format!("\\fBinc {}\\fR", path.join(" "))),
            "{name}: the synopsis is the command line"
        );
        let title = out.stdout.lines().find(|l| l.starts_with(".TH")).unwrap();
        assert!(
            title.contains("\"inc "),
            "{name}: the source is inc: {title}"
        );
        todo.extend(page_references(&out.stdout));
        seen.push(path);
    }
    // Nested pages are reached through their parents' pages.
    for nested in [
        &["site", "build"][..],
        &["oncall", "override"],
        &["action", "add"],
    ] {
        assert!(seen.iter().any(|p| p == nested), "{nested:?} in {seen:?}");
    }
}

#[test]
fn man_note_is_the_note_page_with_its_flags() {
    let repo = TestRepo::plain();
    let out = repo.inc().args(["man", "note"]).ok();
    assert!(out.stdout.starts_with(".ie") || out.stdout.starts_with(".TH"));
    assert!(out.stdout.contains(".TH inc-note 1"), "{out}");
    assert!(out.stdout.contains("internal note"), "{out}");
    for flag in ["\\-\\-pin", "\\-\\-at"] {
        assert!(out.stdout.contains(flag), "lacks {flag}: {out}");
    }
    // Not the page of another subcommand, nor inc's own.
    assert!(!out.stdout.contains("inc\\-open(1)"), "{out}");
    // An alias finds its command's page.
    let new = repo.inc().args(["man", "new"]).ok();
    assert!(new.stdout.contains(".TH inc-open 1"), "{new}");
    // A nested page.
    let build = repo.inc().args(["man", "site", "build"]).ok();
    assert!(build.stdout.contains(".TH inc-site-build 1"), "{build}");
    assert!(build.stdout.contains("\\-\\-force"), "{build}");
}

#[test]
fn man_of_an_unknown_subcommand_is_a_usage_error_naming_the_known_ones() {
    let repo = TestRepo::plain();
    let out = repo.inc().args(["man", "nope"]).usage();
    assert!(out.stdout.is_empty(), "{out}");
    for verb in VERBS {
        assert!(out.stderr.contains(verb), "lacks {verb}: {out}");
    }
    assert!(out.stderr.contains("Usage: inc man"), "{out}");
    let nested = repo.inc().args(["man", "site", "nope"]).usage();
    assert!(nested.stderr.contains("`inc site` are: build"), "{nested}");
    let leaf = repo.inc().args(["man", "note", "nope"]).usage();
    assert!(
        leaf.stderr.contains("`inc note` has no subcommands"),
        "{leaf}"
    );
}
