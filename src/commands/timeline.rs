//! `inc timeline`.

use std::process::ExitCode;

use anyhow::{Result, bail};

use crate::app::App;
use crate::cli::TimelineArgs;
use crate::ui::Ui;

pub fn run(_app: &App, _ui: &Ui, _args: &TimelineArgs) -> Result<ExitCode> {
    bail!("`inc timeline` is not built yet")
}
