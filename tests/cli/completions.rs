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

/// What the shell gets from inc for the last word of `line`, as
/// `COMPLETE=SHELL inc` sets the shell up to ask (dynamic completion).
fn complete(repo: &TestRepo, shell: &str, line: &[&str]) -> Vec<String> {
    let out = repo
        .inc()
        .env("COMPLETE", shell)
        .env("_CLAP_COMPLETE_INDEX", (line.len() - 1).to_string())
        .env("_CLAP_COMPLETE_COMP_TYPE", "9")
        .env("_CLAP_COMPLETE_SPACE", "true")
        .env("_CLAP_IFS", "\n")
        .arg("--")
        .args(line)
        .ok();
    assert!(out.stderr.is_empty(), "{out}");
    out.stdout
        .lines()
        // fish and zsh add the help after a tab or a colon.
        .map(|l| l.split(['\t', ':']).next().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn dynamic_completion_offers_the_repositorys_incident_ids() {
    let repo = TestRepo::new();
    let first = repo.open("Checkout returns 500s", "SEV2");
    let second = repo
        .inc()
        .now("2026-11-28T09:00:00Z")
        .args(["open", "DB slow", "-s", "SEV3", "-q"])
        .ok()
        .stdout
        .trim()
        .to_owned();
    assert_ne!(first, second);
    for shell in ["bash", "zsh", "fish"] {
        for line in [
            &["inc", "show", ""][..],
            &["inc", "ack", ""],
            &["inc", "resolve", ""],
            &["inc", "reopen", ""],
            &["inc", "decline", ""],
            &["inc", "timeline", ""],
            &["inc", "postmortem", ""],
            &["inc", "action", "done", ""],
            &["inc", "merge", ""],
            &["inc", "merge", "x", "--into", ""],
            &["inc", "hooks", "test", "opened", ""],
        ] {
            let got = complete(&repo, shell, line);
            assert!(
                got.contains(&first) && got.contains(&second),
                "{shell} {line:?}: {got:?}"
            );
        }
        // Only the IDs that start with the word.
        let got = complete(&repo, shell, &["inc", "show", "2026-11-28"]);
        assert_eq!(got, vec![second.clone()], "{shell}");
        // Flags still complete.
        let got = complete(&repo, shell, &["inc", "show", "--"]);
        assert!(got.iter().any(|c| c == "--json"), "{shell}: {got:?}");
        // Text is not an ID: no IDs where a note's text goes.
        let got = complete(&repo, shell, &["inc", "open", ""]);
        assert!(!got.contains(&first), "{shell}: {got:?}");
    }
}

#[test]
fn dynamic_completion_reads_the_repository_the_line_names() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    // Elsewhere: no repository, no IDs, and no error.
    let elsewhere = TestRepo::plain();
    assert!(!complete(&elsewhere, "bash", &["inc", "show", ""]).contains(&id));
    let dir = repo.root.to_str().unwrap();
    let got = complete(&elsewhere, "bash", &["inc", "--repo", dir, "show", ""]);
    assert!(got.contains(&id), "{got:?}");
    let repo_eq = format!("--repo={dir}");
    let got = complete(&elsewhere, "bash", &["inc", "show", &repo_eq, ""]);
    assert!(got.contains(&id), "{got:?}");
    let got = elsewhere
        .inc()
        .env("COMPLETE", "bash")
        .env("INC_REPO", dir)
        .env("_CLAP_COMPLETE_INDEX", "2")
        .env("_CLAP_IFS", "\n")
        .args(["--", "inc", "show", ""])
        .ok()
        .stdout;
    assert!(got.lines().any(|l| l == id), "{got}");
}

#[test]
fn complete_env_prints_the_shell_setup() {
    let repo = TestRepo::plain();
    let bash = repo.inc().env("COMPLETE", "bash").ok().stdout;
    assert!(
        bash.contains("complete ") && bash.contains("_clap_complete_inc"),
        "{bash}"
    );
    let zsh = repo.inc().env("COMPLETE", "zsh").ok().stdout;
    assert!(zsh.contains("#compdef inc"), "{zsh}");
    let fish = repo.inc().env("COMPLETE", "fish").ok().stdout;
    assert!(fish.contains("complete --keep-order"), "{fish}");
}
