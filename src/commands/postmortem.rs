//! `inc postmortem`.

use std::process::ExitCode;

use anyhow::{Result, bail};

use crate::app::App;
use crate::cli::PostmortemArgs;
use crate::ui::Ui;

pub fn run(_app: &App, _ui: &Ui, _args: &PostmortemArgs) -> Result<ExitCode> {
    bail!("`inc postmortem` is not built yet")
}
