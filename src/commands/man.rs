//! `inc man [SUBCOMMAND…]`: man pages (roff) from the clap definition, one
//! per subcommand, named as the SUBCOMMANDS sections refer to them
//! (`inc-note(1)`, `inc-site-build(1)`).

use std::process::ExitCode;

use anyhow::Result;
use clap::CommandFactory;

use crate::cli::{Cli, ManArgs};
use crate::ui::Ui;

/// The command tree the pages are made from: built (so each subcommand
/// knows its page name, `inc-note`, and its usage, `inc note`), without the
/// `help` subcommands, which have no page.
pub fn page_tree() -> clap::Command {
    let mut root = Cli::command().disable_help_subcommand(true);
    root.build();
    root
}

pub fn run(ui: &Ui, args: &ManArgs) -> Result<ExitCode> {
    let root = page_tree();
    let mut cmd = &root;
    let mut path = vec!["inc".to_owned()];
    for name in &args.subcommand {
        match cmd.get_subcommands().find(|sub| {
            !sub.is_hide_set() && sub.get_name_and_visible_aliases().contains(&name.as_str())
        }) {
            Some(sub) => {
                cmd = sub;
                path.push(sub.get_name().to_owned());
            }
            None => return Ok(unknown(cmd, &path.join(" "), name)),
        }
    }
    // Every page's source is inc's, not the subcommand's ("note 0.1.0").
    let source = format!("inc {}", root.get_version().unwrap_or_default());
    let mut page = Vec::new();
    clap_mangen::Man::new(cmd.clone())
        .source(source)
        .render(&mut page)?;
    ui.out(&String::from_utf8_lossy(&page))?;
    Ok(ExitCode::SUCCESS)
}

/// A usage error (exit 2) naming the pages there are under `parent`.
fn unknown(parent: &clap::Command, parent_path: &str, name: &str) -> ExitCode {
    let known: Vec<&str> = parent
        .get_subcommands()
        .filter(|sub| !sub.is_hide_set())
        .map(|sub| sub.get_name())
        .collect();
    let message = if known.is_empty() {
        format!("`{parent_path}` has no subcommands, so no page `{parent_path} {name}`")
    } else {
        format!(
            "no man page for `{parent_path} {name}`; the subcommands of `{parent_path}` are: {}",
            known.join(", ")
        )
    };
    let mut man = Cli::command()
        .find_subcommand("man")
        .cloned()
        .unwrap_or_else(|| clap::Command::new("man"))
        .bin_name("inc man");
    let _ = man
        .error(clap::error::ErrorKind::InvalidSubcommand, message)
        .print();
    ExitCode::from(2)
}
