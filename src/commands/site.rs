//! `inc site build`: the static public status page.

use std::process::ExitCode;

use anyhow::{Result, bail};

use crate::app::App;
use crate::cli::SiteCommand;
use crate::ui::Ui;

pub fn run(_app: &App, _ui: &Ui, _command: &SiteCommand) -> Result<ExitCode> {
    bail!("`inc site build` is not built yet")
}
