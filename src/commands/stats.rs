//! `inc stats`.

use std::process::ExitCode;

use anyhow::{Result, bail};

use crate::app::App;
use crate::cli::{Global, StatsArgs};
use crate::ui::Ui;

pub fn run(_app: &App, _ui: &Ui, _global: &Global, _args: &StatsArgs) -> Result<ExitCode> {
    bail!("`inc stats` is not built yet")
}
