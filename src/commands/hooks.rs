//! `inc hooks list|trust|test`: the hooks of inc.yaml, trusting them on
//! this clone, and a dry run of one event's hooks.

use std::process::ExitCode;

use anyhow::{Result, bail};
use serde::Serialize;

use crate::app::App;
use crate::cli::{Global, HooksCommand, HooksTestArgs};
use crate::error::user_error_with_hint;
use crate::hooks::{self, Current, Trust};
use crate::model::{Event, Header, State, when};
use crate::render::json::IncidentView;
use crate::render::text::one_line;
use crate::store::trust;
use crate::ui::{Ui, count};

pub fn run(app: &App, ui: &Ui, global: &Global, command: &HooksCommand) -> Result<ExitCode> {
    match command {
        HooksCommand::List => list(app, ui, global),
        HooksCommand::Trust => trust(app, ui),
        HooksCommand::Test(args) => test(app, ui, args),
    }
}

#[derive(Serialize)]
struct ListJson<'a> {
    /// Whether they run: `clone` (trusted here), `env` (INC_TRUST_HOOKS),
    /// or null.
    trusted_by: Option<&'static str>,
    digest: &'a str,
    hooks: Vec<HookJson<'a>>,
}

#[derive(Serialize)]
struct HookJson<'a> {
    on: Vec<&'a str>,
    run: &'a str,
    timeout: String,
}

fn list(app: &App, ui: &Ui, global: &Global) -> Result<ExitCode> {
    let current = Current::of(app);
    let trust = Trust::of(app, &current);
    if global.json {
        let view = ListJson {
            trusted_by: match trust {
                Trust::Env => Some("env"),
                Trust::Clone => Some("clone"),
                Trust::Untrusted(_) => None,
            },
            digest: &current.digest,
            hooks: app
                .config
                .hooks
                .iter()
                .map(|h| HookJson {
                    on: if h.on.is_empty() {
                        vec![hooks::ANY]
                    } else {
                        h.on.iter().map(String::as_str).collect()
                    },
                    run: &h.run,
                    timeout: hooks::show_timeout(h.timeout()),
                })
                .collect(),
        };
        ui.out(&(serde_json::to_string_pretty(&view)? + "\n"))?;
        return Ok(ExitCode::SUCCESS);
    }
    if app.config.hooks.is_empty() {
        ui.status("inc.yaml has no hooks.");
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = current.text.clone();
    match &trust {
        Trust::Env => out.push_str("Trusted by INC_TRUST_HOOKS: they run.\n"),
        Trust::Clone => out.push_str(&format!(
            "Trusted on this clone ({}): they run.\n",
            short(&current.digest)
        )),
        Trust::Untrusted(None) => {
            out.push_str("Not trusted on this clone: they do not run.\n");
        }
        Trust::Untrusted(Some(old)) => {
            out.push_str("Changed since this clone trusted them: they do not run. What changed:\n");
            out.push_str(&hooks::diff(old, &current.text));
        }
    }
    ui.out(&out)?;
    if !trust.runs() {
        ui.hint(hooks::HINT_TRUST);
    }
    Ok(ExitCode::SUCCESS)
}

fn trust(app: &App, ui: &Ui) -> Result<ExitCode> {
    let path = trust::path(app.git(), app.store.root());
    if app.config.hooks.is_empty() {
        trust::remove(&path)?;
        ui.status("inc.yaml has no hooks; nothing to trust.");
        return Ok(ExitCode::SUCCESS);
    }
    let current = Current::of(app);
    trust::write(
        &path,
        &trust::Record {
            digest: current.digest.clone(),
            text: current.text.clone(),
        },
    )?;
    ui.status(&format!(
        "Trusted the {} of inc.yaml on this clone ({}), recorded in {}: they run after each \
         change until they or a script they name change.",
        count(app.config.hooks.len(), "hook"),
        short(&current.digest),
        path.display()
    ));
    Ok(ExitCode::SUCCESS)
}

/// `sha1:0123abcd`: a digest short enough to read.
fn short(digest: &str) -> &str {
    digest.get(..13).unwrap_or(digest)
}

fn test(app: &App, ui: &Ui, args: &HooksTestArgs) -> Result<ExitCode> {
    let name = args.event.as_str();
    if name == hooks::ANY || !hooks::is_known(name) {
        let mut known: Vec<&str> = hooks::EVENT_NAMES.to_vec();
        known.extend(hooks::ALIASES);
        bail!(
            "`{}` is not an event to test; pick one of: {}",
            one_line(name, 40),
            known.join(", ")
        );
    }
    let current = Current::of(app);
    let trust = Trust::of(app, &current);
    if let Some(why) = trust.why_not(&current) {
        return Err(user_error_with_hint(why.to_string(), hooks::HINT_TRUST));
    }
    let (id, header, mut events) = incident(app, args.id.as_deref())?;
    let event = sample(app, name, &State::fold(&events))?;
    events.push(event.clone());
    let state = State::fold(&events);
    let chosen: Vec<_> = app
        .config
        .hooks
        .iter()
        .filter(|h| hooks::runs_for(h, &event))
        .collect();
    if chosen.is_empty() {
        ui.status(&format!("No hook of inc.yaml runs on `{name}`."));
        return Ok(ExitCode::SUCCESS);
    }
    let payload = hooks::Payload {
        event: &event,
        incident: IncidentView::new(&id, &header, &state, None, &app.config),
        repo: app.store.root().display().to_string(),
    };
    ui.status(&format!(
        "Running {} on a sample `{}` event of {id} (nothing is recorded):",
        count(chosen.len(), "hook"),
        event.kind.name()
    ));
    let mut failed = 0;
    for hook in chosen {
        let outcome = hooks::run_one(app, hook, &payload);
        let mut line = format!("`{}`: ", one_line(&hook.run, 60));
        if outcome.succeeded() {
            line.push_str("ok");
        } else if outcome.timed_out {
            failed += 1;
            line.push_str(&format!(
                "ran past its {} timeout and was killed ({})",
                hooks::show_timeout(hook.timeout()),
                outcome.status_text()
            ));
        } else {
            failed += 1;
            line.push_str(&format!("failed ({})", outcome.status_text()));
        }
        for l in &outcome.tail {
            line.push_str(&format!("\n  | {l}"));
        }
        ui.out(&(line + "\n"))?;
    }
    if failed > 0 {
        bail!("{} failed", count(failed, "hook"));
    }
    Ok(ExitCode::SUCCESS)
}

/// The incident a test runs on: the one named, else the only open one,
/// else (none open) a made-up sample.
fn incident(app: &App, query: Option<&str>) -> Result<(String, Header, Vec<Event>)> {
    if query.is_none() {
        let (incidents, errors) = app.store.load_all(false)?;
        if errors.is_empty() && !incidents.iter().any(|i| i.state.is_open()) {
            let id = format!("{}-sample", app.now.format("%Y-%m-%d"));
            let header = Header {
                title: "A sample incident from `inc hooks test`".to_owned(),
                opened_at: app.now,
                opened_by: app.author.clone(),
                ..Header::default()
            };
            let opened = line(
                app,
                serde_json::json!({
                    "type": "opened",
                    "severity": app.config.severities.first().map(|s| s.id.as_str()),
                    "status": "investigating",
                }),
            )?;
            return Ok((id, header, vec![opened]));
        }
    }
    let id = app.find_incident(query)?;
    let incident = app.load(&id)?;
    Ok((incident.id, incident.header, incident.events))
}

/// A sample event for `name` (an event kind or an alias), made from the
/// line a command would store, so it has the shape of a real one.
fn sample(app: &App, name: &str, state: &State) -> Result<Event> {
    let severity = state
        .severity
        .clone()
        .or_else(|| app.config.severities.first().map(|s| s.id.clone()));
    let text = "A sample event from `inc hooks test`";
    let fields = match name {
        "opened" => serde_json::json!({
            "type": "opened",
            "severity": severity,
            "status": state.status.map_or("investigating", |s| s.as_str()),
        }),
        "note" => serde_json::json!({"type": "note", "text": text}),
        "update" => serde_json::json!({"type": "update", "text": text}),
        "status" => serde_json::json!({"type": "status", "status": "identified"}),
        "resolved" => serde_json::json!({"type": "status", "status": "resolved"}),
        "severity" => serde_json::json!({"type": "severity", "severity": severity}),
        "role" => serde_json::json!({"type": "role", "role": "commander", "who": app.author}),
        "ack" | "acknowledged" => serde_json::json!({"type": "ack"}),
        "alert" => serde_json::json!({
            "type": "alert", "key": "sample", "state": "firing",
            "source": "inc hooks test", "text": text,
        }),
        "action" => serde_json::json!({"type": "action", "id": 1, "text": text}),
        "action_done" => serde_json::json!({"type": "action_done", "id": 1}),
        "impact" => serde_json::json!({"type": "impact", "impact": "partial_outage"}),
        "page" => serde_json::json!({"type": "page", "who": app.author, "level": 1}),
        other => bail!("no sample event for `{other}`"),
    };
    line(app, fields)
}

/// Parses `fields` plus `at` (now) and `by` (the author) as a stored line.
fn line(app: &App, mut fields: serde_json::Value) -> Result<Event> {
    if let Some(map) = fields.as_object_mut() {
        map.insert("at".into(), when::stored(app.now).into());
        map.insert("by".into(), app.author.clone().into());
    }
    match Event::from_line(&format!("- {fields}")) {
        Ok(Some(event)) => Ok(event),
        Ok(None) => bail!("the sample event is empty"),
        Err(e) => bail!("the sample event does not parse: {e}"),
    }
}
