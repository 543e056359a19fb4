//! Hooks on a repository: whether this clone trusts the hooks of its
//! inc.yaml, and running the hooks an event triggers, reporting failures
//! as warnings.

use super::process::{Outcome, spawn};
use super::{
    NamedFile, Payload, diff, named_paths, runs_for, sha1_hex, show_timeout, trusted_text,
};
use crate::app::App;
use crate::config::Hook;
use crate::model::Event;
use crate::render::json::IncidentView;
use crate::render::text::one_line;
use crate::store::trust;
use crate::ui::Ui;

/// The hooks of an App's inc.yaml as a clone trusts them.
#[derive(Debug, Clone)]
pub struct Current {
    /// [`trusted_text`] of the hooks and the files they name.
    pub text: String,
    /// `sha1:<hex>` of `text`.
    pub digest: String,
}

impl Current {
    /// Reads the files the hooks name (those that exist in the repository).
    pub fn of(app: &App) -> Current {
        let root = app.store.root();
        let files: Vec<Vec<NamedFile>> = app
            .config
            .hooks
            .iter()
            .map(|hook| {
                named_paths(&hook.run)
                    .into_iter()
                    .filter_map(|path| {
                        let bytes = trust::read_named(root, &path)?;
                        Some(NamedFile {
                            sha1: sha1_hex(&bytes),
                            path,
                        })
                    })
                    .collect()
            })
            .collect();
        let text = trusted_text(&app.config.hooks, &files);
        let digest = format!("sha1:{}", sha1_hex(text.as_bytes()));
        Current { text, digest }
    }
}

/// Whether an App's hooks may run.
#[derive(Debug, Clone)]
pub enum Trust {
    /// `INC_TRUST_HOOKS=1`.
    Env,
    /// This clone trusts exactly these hooks.
    Clone,
    /// This clone trusts other hooks (the text it trusts), or none.
    Untrusted(Option<String>),
}

impl Trust {
    pub fn of(app: &App, current: &Current) -> Trust {
        if app.trust_hooks {
            return Trust::Env;
        }
        match trust::read(&trust::path(app.git(), app.store.root())) {
            Some(r) if r.digest == current.digest && r.text == current.text => Trust::Clone,
            Some(r) => Trust::Untrusted(Some(r.text)),
            None => Trust::Untrusted(None),
        }
    }

    pub fn runs(&self) -> bool {
        !matches!(self, Trust::Untrusted(_))
    }

    /// Why the hooks don't run, with the diff from what was trusted; `None`
    /// when they do.
    pub fn why_not(&self, current: &Current) -> Option<String> {
        match self {
            Trust::Env | Trust::Clone => None,
            Trust::Untrusted(None) => Some(format!(
                "inc.yaml has hooks that this clone has not trusted, so they did not run:\n{}",
                diff("", &current.text).trim_end()
            )),
            Trust::Untrusted(Some(old)) => Some(format!(
                "inc.yaml's hooks (or a script they name) changed since this clone trusted \
                 them, so they did not run:\n{}",
                diff(old, &current.text).trim_end()
            )),
        }
    }
}

/// What to do about untrusted hooks.
pub const HINT_TRUST: &str = "read them and the scripts they run, then `inc hooks trust` to run \
     them on this clone (`INC_TRUST_HOOKS=1` trusts them in CI; `--no-hooks` skips them)";

/// Runs the hooks of `due` (events recorded by one command, per incident),
/// reporting failures as warnings: the events stay recorded whatever a
/// hook does. Untrusted hooks run not at all, with one warning.
pub fn run_due(app: &App, ui: &Ui, due: Vec<(String, Vec<Event>)>) {
    let hooks = &app.config.hooks;
    let wanted = due
        .iter()
        .flat_map(|(_, events)| events)
        .any(|e| hooks.iter().any(|h| runs_for(h, e)));
    if !wanted {
        return;
    }
    let current = Current::of(app);
    let trust = Trust::of(app, &current);
    if let Some(why) = trust.why_not(&current) {
        ui.warn(&why);
        ui.hint(HINT_TRUST);
        return;
    }
    for (id, events) in &due {
        let incident = match app.load(id) {
            Ok(incident) => incident,
            Err(e) => {
                ui.warn_about(
                    &format!("the hooks of {id}'s events did not run: {e:#}"),
                    &e,
                );
                continue;
            }
        };
        for event in events {
            for hook in hooks.iter().filter(|h| runs_for(h, event)) {
                let payload = Payload {
                    event,
                    incident: IncidentView::new(
                        &incident.id,
                        &incident.header,
                        &incident.state,
                        None,
                        &app.config,
                    ),
                    repo: app.store.root().display().to_string(),
                };
                let outcome = run_one(app, hook, &payload);
                if !outcome.succeeded() {
                    ui.warn(&report(hook, &outcome, event.kind.name(), id));
                }
            }
        }
    }
}

/// Runs one hook with `payload`.
pub fn run_one(app: &App, hook: &Hook, payload: &Payload) -> Outcome {
    spawn(
        &hook.run,
        app.store.root(),
        payload.to_json().into_bytes(),
        &payload.env(),
        hook.timeout(),
    )
}

/// A hook's failure, for stderr: what failed, how, its last output lines.
pub fn report(hook: &Hook, outcome: &Outcome, event: &str, id: &str) -> String {
    let run = one_line(&hook.run, 60);
    let mut out = if outcome.timed_out {
        format!(
            "hook `{run}` ran past its {} timeout on `{event}` of {id} and was killed with what \
             it started ({}); the event is recorded",
            show_timeout(hook.timeout()),
            outcome.status_text()
        )
    } else {
        format!(
            "hook `{run}` failed on `{event}` of {id} ({}); the event is recorded",
            outcome.status_text()
        )
    };
    push_tail(&mut out, &outcome.tail);
    out
}

/// Appends a hook's last output lines, indented, to `out`.
pub fn push_tail(out: &mut String, tail: &[String]) {
    if !tail.is_empty() {
        out.push_str("; its last output:");
        for line in tail {
            out.push_str(&format!("\n  | {line}"));
        }
    }
}
