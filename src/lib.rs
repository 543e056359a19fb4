//! inc: terminal-first incident management, with incidents as YAML files in git.
//!
//! The layers, outermost first: `commands` (one file per verb; nothing
//! imports it) uses `app`, `cli`, `hooks`, `prompt` and `ui`; those use
//! `config` and `store` (the only I/O on the repository); everything uses
//! the pure `model`, `render` and `alert`, which never touch the disk, git,
//! the clock or stdout (`.ci/run` greps for it). Modules are listed below
//! alphabetically; only what the binary, the benches, the examples, the
//! fuzz targets and the integration tests use is public.

/// Alert payloads (Alertmanager, Grafana, PagerDuty) parsed into one batch.
pub mod alert;
/// `App`: root, config, author, time and git, resolved once per run.
mod app;
/// The command line (clap); the doc comments are the help text.
pub mod cli;
/// One file per verb, and the one `match` that dispatches to them.
mod commands;
/// Shell completion of values from the repository (incident IDs).
mod complete;
/// `inc.yaml`: schema, defaults, errors naming file:line.
pub mod config;
/// Errors as data: a message, and hints on what to do next.
pub mod error;
/// Exit codes and error reporting.
mod exit;
/// Hooks: which run for an event, their trust, running them.
mod hooks;
/// Pure data: IDs, headers, events, the state fold, times.
pub mod model;
/// Work spread over the cores (one chunk per core).
mod par;
/// Prompts that leave the terminal as they found it.
mod prompt;
/// Pure presentation: JSON views, tables, text.
pub mod render;
/// Files, the lock, and git: the only code doing I/O on the repository.
pub mod store;
/// The terminal: stdout for the product, stderr for the conversation.
mod ui;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::Parser;

/// Parses the command line, runs the command, and turns the outcome into an
/// exit code: 0 success, 1 error, 2 usage, 3 problems found by `inc check`.
pub fn run<I>(args: I) -> ExitCode
where
    I: IntoIterator<Item = OsString>,
{
    let cli = match cli::Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = e.exit_code();
            // Printing help to a closed pipe is not worth a panic or an error.
            let _ = e.print();
            return ExitCode::from(u8::try_from(code).unwrap_or(2));
        }
    };
    let env = app::Env::read();
    match commands::run(&cli, &env) {
        Ok(code) => code,
        Err(err) => exit::report(&err),
    }
}
