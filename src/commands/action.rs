//! `inc action`.

use std::process::ExitCode;

use anyhow::{Result, bail};

use crate::app::App;
use crate::cli::{ActionCommand, Global};
use crate::ui::Ui;

pub fn run(_app: &App, _ui: &Ui, _global: &Global, _command: &ActionCommand) -> Result<ExitCode> {
    bail!("`inc action` is not built yet")
}
