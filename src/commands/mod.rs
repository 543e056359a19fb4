//! One file per verb, each `pub fn run(…) -> Result<ExitCode>`, and the one
//! exhaustive `match` that picks it.

mod ack;
mod action;
mod alert;
mod assign;
mod check;
mod close;
mod completions;
mod dashboard;
mod edit;
mod escalate;
mod exec;
mod hooks;
mod init;
mod list;
mod maintenance;
mod man;
mod merge;
mod note;
mod oncall;
mod open;
mod postmortem;
mod severity;
mod show;
mod site;
mod stats;
mod status;
mod suspects;
mod sync;
mod timeline;
mod update;

use std::process::ExitCode;

use anyhow::Result;

use crate::app::{App, Env};
use crate::cli::{Cli, Command};
use crate::error::user_error_with_hint;
use crate::model::{Event, Header};
use crate::store::change::{Change, Edit};
use crate::store::{Store, event_lines};
use crate::ui::Ui;

pub fn run(cli: &Cli, env: &Env) -> Result<ExitCode> {
    let ui = Ui::new(cli.global.color, env.no_color, cli.global.quiet);
    let app = || App::new(&cli.global, env, &ui);
    let Some(command) = &cli.command else {
        // `inc` alone: the dashboard for a person (or `--json`); for a
        // script that forgot its subcommand, the usual usage error.
        if cli.global.json || ui.wrap() {
            return dashboard::run(&app()?, &ui, cli.global.json);
        }
        return Ok(missing_subcommand());
    };
    match command {
        Command::Init(args) => init::run(&cli.global, env, &ui, args),
        Command::Completions(args) => completions::run(&ui, args),
        Command::Man(args) => man::run(&ui, args),
        Command::Open(args) => open::run(&app()?, &ui, args),
        Command::Note(args) => note::run(&app()?, &ui, args),
        Command::Update(args) => update::run(&app()?, &ui, args),
        Command::Status(args) => status::run(&app()?, &ui, args),
        Command::Severity(args) => severity::run(&app()?, &ui, args),
        Command::Ack(args) => ack::run(&app()?, &ui, args),
        Command::Assign(args) => assign::run(&app()?, &ui, args),
        Command::Resolve(args) => close::resolve(&app()?, &ui, args),
        Command::Reopen(args) => close::reopen(&app()?, &ui, args),
        Command::Decline(args) => close::decline(&app()?, &ui, args),
        Command::List(args) => list::run(&app()?, &ui, &cli.global, args),
        Command::Show(args) => show::run(&app()?, &ui, &cli.global, args),
        Command::Timeline(args) => timeline::run(&app()?, &ui, args),
        Command::Postmortem(args) => postmortem::run(&app()?, &ui, args),
        Command::Edit(args) => edit::run(&app()?, &ui, env, args),
        Command::Action(command) => action::run(&app()?, &ui, &cli.global, command),
        Command::Check(args) => {
            let (app, config_error) = App::new_lenient(&cli.global, env, &ui)?;
            check::run(&app, &ui, args, config_error.as_deref())
        }
        Command::Stats(args) => stats::run(&app()?, &ui, &cli.global, args),
        Command::Alert(args) if args.push && cli.global.no_commit => Ok(usage_error(
            "the argument '--push' cannot be used with '--no-commit': only commits can be pushed",
        )),
        Command::Alert(args) => alert::run(&app()?, &ui, args),
        Command::Sync(args) => sync::run(&app()?, &ui, args),
        Command::Merge(args) => merge::run(&app()?, &ui, args),
        Command::Maintenance(args) => maintenance::run(&app()?, &ui, args),
        Command::Site(command) => site::run(&app()?, &ui, command),
        Command::Hooks(command) => hooks::run(&app()?, &ui, &cli.global, command),
        Command::Oncall(args) => oncall::run(&app()?, &ui, &cli.global, args),
        Command::Suspects(args) => suspects::run(&app()?, &ui, &cli.global, args),
        Command::Escalate(args) => escalate::run(&app()?, &ui, args),
        Command::Exec(_) if cli.global.json => Ok(usage_error(
            "the argument '--json' cannot be used with 'exec': its stdout is the command's output",
        )),
        Command::Exec(args) => exec::run(&app()?, &ui, args),
    }
}

/// A usage error found after parsing (flags clap can't relate, such as a
/// global one): printed the way clap prints its own, exit code 2.
/// How the terminal tables of `list`, `show`, `stats` and the dashboard
/// are drawn: the display zone, the command's clock, and the terminal.
fn style(app: &App, ui: &Ui) -> crate::render::table::Style {
    crate::render::table::Style {
        zone: app.zone,
        now: app.now,
        color: ui.color(),
        wrap: ui.wrap(),
    }
}

/// What clap says when a subcommand is missing: the help, on stderr, exit 2.
fn missing_subcommand() -> ExitCode {
    use clap::CommandFactory;
    let help = Cli::command().render_help();
    anstream::eprint!("{}", help.ansi());
    ExitCode::from(2)
}

fn usage_error(message: &str) -> ExitCode {
    use clap::CommandFactory;
    let err = Cli::command().error(clap::error::ErrorKind::ArgumentConflict, message);
    let _ = err.print();
    ExitCode::from(2)
}

/// Creates a new incident's folder with its header and first events, and
/// commits the two files. The folder appears whole or not at all.
fn create(app: &App, ui: &Ui, id: &str, header: &Header, events: &[Event]) -> Result<()> {
    app.store
        .check_links(id)
        .map_err(|e| user_error_with_hint(e.to_string(), e.hint))?;
    if app.store.exists(id) {
        anyhow::bail!("incident `{id}` already exists");
    }
    let change = Change {
        files: vec![
            (
                Store::header_path(id),
                Edit::Create(header.to_yaml()?.into_bytes()),
            ),
            (Store::timeline_path(id), Edit::Create(event_lines(events))),
        ],
        new_dir: Some(Store::dir_of(id)),
    };
    app.change(ui, id, &change, events)
}

/// Appends `events` to an incident's timeline and commits that one file.
fn record(app: &App, ui: &Ui, id: &str, events: &[Event]) -> Result<()> {
    let change = Change {
        files: vec![(Store::timeline_path(id), Edit::Append(event_lines(events)))],
        new_dir: None,
    };
    app.change(ui, id, &change, events)
}

/// All of stdin, for `-` arguments; on a terminal, first says how to end
/// the text (`what`: "note", "update"), so a person isn't left at a silent
/// cursor.
fn stdin(ui: &Ui, what: &str) -> impl FnOnce() -> std::io::Result<String> {
    move || {
        if ui.can_prompt() {
            ui.ask(&format!(
                "Paste the {what}, then press Ctrl-D on a line of its own (Ctrl-C cancels):"
            ));
        }
        std::io::read_to_string(std::io::stdin())
    }
}

/// The text of a note or update given alone (no ID before it) must not be
/// an incident's name: `inc note api-down` means the text was forgotten,
/// not that the note says "api-down".
fn text_not_an_incident(app: &App, verb: &str, text: &str) -> Result<()> {
    let word = text.trim();
    if word == "-" || word.is_empty() || word.contains(char::is_whitespace) {
        return Ok(());
    }
    let ids = app.store.ids()?;
    if let crate::model::id::Match::One(id) = crate::model::id::find(word, &ids) {
        return Err(user_error_with_hint(
            format!("`{word}` names the incident {id}; the text of the {verb} is missing"),
            format!(
                "inc {verb} {word} \"what happened\" (or `-` to read it from stdin); \
                 to record the word itself, name the incident first: inc {verb} {id} {word}"
            ),
        ));
    }
    Ok(())
}

/// Reports the incident files a command that reads them all could not
/// read, one `error: <file>:<line>: …` line each, then what to do; returns
/// the exit code (1) the command must then end with, or `None` when every
/// file was read. `left_out`: the command showed the others.
///
/// Read commands show what they could read first: one broken file must
/// neither hide the other incidents nor pass unnoticed (an open incident
/// in it would be missing from the output).
pub(crate) fn report_unreadable(
    ui: &crate::ui::Ui,
    errors: &[crate::store::FileError],
    left_out: bool,
) -> Option<ExitCode> {
    if errors.is_empty() {
        return None;
    }
    for e in errors {
        ui.error(&e.to_string());
    }
    let mut hints: Vec<&str> = errors.iter().map(|e| e.hint).collect();
    hints.sort_unstable();
    hints.dedup();
    for hint in hints {
        ui.hint(hint);
    }
    if left_out {
        ui.hint(&format!(
            "the output leaves {} out; `inc check` lists every problem",
            if errors.len() == 1 {
                "that incident".to_owned()
            } else {
                format!("those {} incidents", errors.len())
            }
        ));
    } else {
        ui.hint("`inc check` lists every problem");
    }
    Some(ExitCode::FAILURE)
}
