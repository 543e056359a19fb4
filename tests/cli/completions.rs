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
        let out = repo.inc().args(["completions", shell, "--static"]).ok();
        assert!(out.stdout.len() > 500, "{shell}: {out}");
        for verb in VERBS {
            assert!(out.stdout.contains(verb), "{shell} lacks {verb}");
        }
    }
    let bash = repo
        .inc()
        .args(["completions", "bash", "--static"])
        .ok()
        .stdout;
    assert!(bash.contains("complete "), "{bash}");
    assert!(bash.contains("--severity"), "flags are completed too");
    let zsh = repo
        .inc()
        .args(["completions", "zsh", "--static"])
        .ok()
        .stdout;
    assert!(zsh.starts_with("#compdef inc"), "{zsh}");
    let fish = repo
        .inc()
        .args(["completions", "fish", "--static"])
        .ok()
        .stdout;
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

const COMPLETION_CONFIG: &str = "\
roles: [commander, comms, scribe, liaison]
services:
  - id: api
    name: Public API
  - id: web
    name: Website
severities:
  - id: SEV1
    description: Everyone down
    impact: major_outage
  - id: SEV2
    description: Many down
    impact: partial_outage
oncall:
  rotations:
    - id: primary
      members: [bob, carol]
      shift: 1w
      start: \"2026-01-05 09:00\"
      timezone: UTC
";

/// Values only: flags are offered too when the word is empty.
fn values(repo: &TestRepo, shell: &str, line: &[&str]) -> Vec<String> {
    complete(repo, shell, line)
        .into_iter()
        .filter(|c| !c.starts_with('-'))
        .collect()
}

#[test]
fn dynamic_completion_offers_statuses_severities_services_roles_and_people() {
    let repo = TestRepo::with_config(COMPLETION_CONFIG);
    let id = repo.open("Checkout returns 500s", "SEV2");
    let incident_statuses = [
        "triage",
        "investigating",
        "identified",
        "monitoring",
        "resolved",
        "declined",
    ];
    for shell in ["bash", "zsh", "fish"] {
        let v = |line: &[&str]| values(&repo, shell, line);
        // `inc status [ID] STATUS`: first IDs or statuses, then statuses.
        let first = v(&["inc", "status", ""]);
        assert!(first.contains(&id), "{shell}: {first:?}");
        for status in incident_statuses {
            assert!(first.iter().any(|c| c == status), "{shell}: {first:?}");
        }
        assert!(!first.iter().any(|c| c == "in_progress"), "{first:?}");
        assert_eq!(v(&["inc", "status", &id, ""]), incident_statuses, "{shell}");
        assert_eq!(
            v(&["inc", "status", &id, "i"]),
            ["investigating", "identified"]
        );
        assert_eq!(v(&["inc", "update", "--status", "mon"]), ["monitoring"]);
        // Severities from inc.yaml, any case.
        assert_eq!(
            v(&["inc", "severity", &id, ""]),
            ["SEV1", "SEV2"],
            "{shell}"
        );
        assert_eq!(
            v(&["inc", "open", "-s", "sev"]),
            ["SEV1", "SEV2"],
            "{shell}"
        );
        assert_eq!(v(&["inc", "list", "--severity", ""]), ["SEV1", "SEV2"]);
        // Services.
        assert_eq!(v(&["inc", "open", "--service", ""]), ["api", "web"]);
        assert_eq!(v(&["inc", "list", "--service", "w"]), ["web"]);
        assert_eq!(v(&["inc", "maintenance", "--service", "a"]), ["api"]);
        // `inc assign [ID] ROLE WHO`: roles after an ID, people after a role.
        let first = v(&["inc", "assign", ""]);
        assert!(first.contains(&id) && first.iter().any(|c| c == "liaison"));
        assert_eq!(
            v(&["inc", "assign", &id, ""]),
            ["commander", "comms", "scribe", "liaison"],
            "{shell}"
        );
        let people = v(&["inc", "assign", &id, "comms", ""]);
        assert_eq!(people, ["alice", "bob", "carol"], "{shell}");
        assert_eq!(v(&["inc", "assign", "comms", "c"]), ["carol"], "{shell}");
        assert_eq!(v(&["inc", "open", "--commander", "b"]), ["bob"]);
        assert_eq!(v(&["inc", "action", "add", "--owner", "a"]), ["alice"]);
        // Rotations.
        assert_eq!(v(&["inc", "oncall", "--rotation", ""]), ["primary"]);
        assert_eq!(v(&["inc", "oncall", "override", ""]), ["primary"]);
        assert_eq!(v(&["inc", "oncall", "override", "primary", "c"]), ["carol"]);
        // `inc list --status`: the groups, then every status.
        let list = v(&["inc", "list", "--status", ""]);
        assert_eq!(&list[..3], ["open", "closed", "all"], "{shell}");
        assert!(list.iter().any(|c| c == "in_progress"), "{list:?}");
        // An ID, then text: nothing to offer for the text.
        assert!(v(&["inc", "note", ""]).contains(&id));
        assert!(v(&["inc", "note", &id, ""]).is_empty(), "{shell}");
    }
    // zsh and fish show the severity's description beside it.
    let fish = repo
        .inc()
        .env("COMPLETE", "fish")
        .args(["--", "inc", "severity", &id, "SEV1"])
        .ok()
        .stdout;
    assert_eq!(fish.trim(), "SEV1\tEveryone down", "{fish}");
}

#[test]
fn a_maintenance_windows_status_completes_to_maintenance_statuses() {
    let repo = TestRepo::new();
    let window = repo
        .inc()
        .args([
            "maintenance",
            "Database upgrade",
            "--start",
            "2026-11-28 02:00",
            "--end",
            "2026-11-28 03:00",
            "-q",
        ])
        .ok()
        .stdout
        .trim()
        .to_owned();
    assert_eq!(
        values(&repo, "bash", &["inc", "status", &window, ""]),
        ["scheduled", "in_progress", "verifying", "completed"]
    );
}

#[test]
fn completion_with_a_broken_inc_yaml_offers_the_defaults_and_says_nothing() {
    let repo = TestRepo::new();
    repo.write("inc.yaml", "severities: [unclosed\n");
    // `complete` asserts stderr is empty.
    assert_eq!(
        values(&repo, "bash", &["inc", "open", "-s", ""]),
        ["SEV1", "SEV2", "SEV3", "SEV4"]
    );
    assert!(values(&repo, "bash", &["inc", "open", "--service", ""]).is_empty());
}

/// `inc completions bash`, sourced into a real bash as a user's
/// completion file is, completes an incident ID: the set-up calls the
/// `inc` found on PATH.
#[test]
fn the_bash_set_up_from_inc_completions_completes_incident_ids() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    let script = repo.inc().args(["completions", "bash"]).ok().stdout;
    assert!(script.contains("COMPLETE=\"bash\""), "{script}");
    repo.write("completion.bash", &script);
    let bin_dir = crate::harness::inc_bin().parent().unwrap();
    let path = std::env::join_paths(std::iter::once(bin_dir.to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    let test = r#"
source ./completion.bash
complete -p inc >/dev/null || exit 9
for line in "inc show 2026" "inc status $ID i"; do
    read -ra COMP_WORDS <<< "$line"
    COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
    _clap_complete_inc inc "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}" 2>/dev/null
    printf '%s\n' "${COMPREPLY[@]}"
done
"#;
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(test)
        .current_dir(&repo.root)
        .env("PATH", path)
        .env("ID", &id)
        .env("INC_NOW", crate::harness::NOW)
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got: Vec<_> = stdout.lines().map(str::trim).collect();
    assert_eq!(
        got,
        [id.as_str(), "investigating", "identified"],
        "{stdout}"
    );
}
