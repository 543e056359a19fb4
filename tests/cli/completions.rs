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
