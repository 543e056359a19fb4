//! `inc completions SHELL`: completion scripts from the clap definition.

use std::process::ExitCode;

use anyhow::Result;
use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs};
use crate::ui::Ui;

pub fn run(ui: &Ui, args: &CompletionsArgs) -> Result<ExitCode> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "inc", &mut script);
    ui.out(&String::from_utf8_lossy(&script))?;
    Ok(ExitCode::SUCCESS)
}
