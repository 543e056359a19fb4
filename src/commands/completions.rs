//! `inc completions SHELL`: the shell's set-up for completion.
//!
//! By default the set-up asks inc itself for each completion
//! (clap_complete's dynamic completion, as `COMPLETE=SHELL inc` prints it),
//! so it offers the repository's incident IDs, statuses, severities,
//! services, roles and people as well as subcommands and flags. `--static`
//! prints a self-contained script of subcommands and flags only, for
//! packages that ship completions without running inc.

use std::process::ExitCode;

use anyhow::{Context, Result};

use crate::error::WithHint;
use clap::CommandFactory;
use clap_complete::env::Shells;

use crate::cli::{Cli, CompletionsArgs};
use crate::ui::Ui;

pub fn run(ui: &Ui, args: &CompletionsArgs) -> Result<ExitCode> {
    let mut script = Vec::new();
    if args.r#static {
        clap_complete::generate(args.shell, &mut Cli::command(), "inc", &mut script);
    } else {
        let shell = args.shell.to_string();
        let shells = Shells::builtins();
        let completer = shells
            .completer(&shell)
            .with_context(|| format!("no dynamic completion for {shell}"))
            .with_hint("use --static")?;
        completer
            .write_registration("COMPLETE", "inc", "inc", "inc", &mut script)
            .context("can't write the completion script")?;
    }
    ui.out(&String::from_utf8_lossy(&script))?;
    Ok(ExitCode::SUCCESS)
}
