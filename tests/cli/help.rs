//! The whole command-line contract in one file: every subcommand's `--help`,
//! walked from the clap command tree, so a change to any of it shows up in
//! one reviewed snapshot.

use clap::CommandFactory;
use inc::cli::Cli;

use crate::harness::TestRepo;

/// Every command line that has a `--help`, root first, then each
/// subcommand before its own subcommands (clap's `help` subcommands left
/// out: they have no flags of their own).
fn command_paths() -> Vec<Vec<String>> {
    fn walk(cmd: &clap::Command, path: &[String], out: &mut Vec<Vec<String>>) {
        out.push(path.to_vec());
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            let mut next = path.to_vec();
            next.push(sub.get_name().to_owned());
            walk(sub, &next, out);
        }
    }
    let mut root = Cli::command().disable_help_subcommand(true);
    root.build();
    let mut paths = Vec::new();
    walk(&root, &[], &mut paths);
    paths
}

#[test]
fn every_subcommand_help() {
    let repo = TestRepo::plain();
    let paths = command_paths();
    assert!(paths.len() > 30, "{paths:?}");
    let mut all = String::new();
    for path in &paths {
        let out = repo.inc().args(path).arg("--help").ok();
        let line = if path.is_empty() {
            "inc".to_owned()
        } else {
            format!("inc {}", path.join(" "))
        };
        assert!(out.stderr.is_empty(), "{line}: {out}");
        assert!(out.stdout.contains("Usage: inc"), "{line}: {out}");
        let first = out.stdout.lines().next().unwrap_or_default();
        // inc's own first line is the long description, a sentence.
        assert!(
            path.is_empty() || !first.ends_with('.'),
            "{line}: imperative, no period: {first}"
        );
        all.push_str(&format!("== {line} --help ==\n{}\n", out.stdout));
    }
    insta::assert_snapshot!(repo.redact(&all));
}
