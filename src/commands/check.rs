//! `inc check`.

use std::process::ExitCode;

use anyhow::{Result, bail};

use crate::app::App;
use crate::cli::CheckArgs;
use crate::ui::Ui;

pub fn run(_app: &App, _ui: &Ui, _args: &CheckArgs) -> Result<ExitCode> {
    bail!("`inc check` is not built yet")
}
