//! `inc man`: the man page (roff) from the clap definition.

use std::process::ExitCode;

use anyhow::Result;
use clap::CommandFactory;

use crate::cli::Cli;
use crate::ui::Ui;

pub fn run(ui: &Ui) -> Result<ExitCode> {
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut page)?;
    ui.out(&String::from_utf8_lossy(&page))?;
    Ok(ExitCode::SUCCESS)
}
