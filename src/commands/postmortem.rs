//! `inc postmortem`: writes an incident's postmortem draft from the
//! `postmortem.md.j2` template, or refreshes the generated blocks of the
//! draft a person has been editing, and commits exactly that file.

use std::process::ExitCode;

use anyhow::{Context as _, Result, anyhow};

use crate::app::{App, backticked};
use crate::cli::PostmortemArgs;
use crate::error::user_error_with_hint;
use crate::model::{Status, when};
use crate::prompt::OrCancel;
use crate::render::postmortem::{self, Context, MarkerError, SpliceError};
use crate::render::templates::{DIR, Templates};
use crate::render::text::one_line;
use crate::store::Incident;
use crate::store::change::{Change, Edit};
use crate::store::templates::{self as files, postmortem_path};
use crate::ui::Ui;

pub fn run(app: &App, ui: &Ui, args: &PostmortemArgs) -> Result<ExitCode> {
    // Only a write needs the lock; printing reads files written atomically.
    let _lock = if args.stdout || args.context {
        None
    } else {
        Some(app.lock()?)
    };
    let id = match args.id.as_deref() {
        Some(query) => app.find_incident(Some(query))?,
        None => implied(app, ui)?,
    };
    let incident = app.load(&id)?;
    let context = context(app, &id, &incident);
    if args.context {
        ui.out(&(serde_json::to_string_pretty(&context)? + "\n"))?;
        return Ok(ExitCode::SUCCESS);
    }

    let Fresh {
        text: fresh,
        template_name,
    } = render_fresh(app, &id, &context)?;
    let rel = postmortem_path(&id);
    let shown = rel.display().to_string();
    let template_error = |e: MarkerError| markers_error(&template_name, e);
    let existing = files::read_draft(&app.store, &rel)?;
    let (text, changed) = match &existing {
        None => {
            postmortem::blocks(&fresh).map_err(template_error)?;
            (fresh.clone(), None)
        }
        Some(existing) => {
            let refreshed = postmortem::refresh(existing, &fresh).map_err(|e| match e {
                SpliceError::Draft(e) => user_error_with_hint(
                    format!("{shown}:{}: {}", e.line, e.message),
                    "fix the markers by hand; nothing was written",
                ),
                SpliceError::Template(e) => template_error(e),
            })?;
            for name in &refreshed.missing {
                ui.warn(&format!(
                    "{shown} has no `{name}` block (its markers were removed), so it stays out; \
                     to bring it back, put `<!-- inc:begin {name} -->` and \
                     `<!-- inc:end {name} -->` on lines of their own where you want it"
                ));
            }
            for name in &refreshed.unknown {
                ui.warn(&format!(
                    "{shown} has a `{name}` block that {template_name} does not make; left as it is"
                ));
            }
            (refreshed.text, Some(refreshed.changed))
        }
    };

    if args.stdout {
        ui.out(&text)?;
        return Ok(ExitCode::SUCCESS);
    }
    if existing.as_deref() == Some(text.as_str()) {
        ui.status(&format!(
            "{shown} is up to date: its generated blocks already match the incident; nothing to commit."
        ));
        return Ok(ExitCode::SUCCESS);
    }
    let what = match &changed {
        None => "postmortem draft".to_owned(),
        Some(names) => format!("postmortem: refresh {}", names.join(", ")),
    };
    let message = format!(
        "inc({id}): {}\n\nInc-Id: {id}\nInc-Event: postmortem\n",
        one_line(&what, 72)
    );
    // The commit gets HEAD's draft refreshed the same way: prose written
    // since, and not committed, stays in the work tree only.
    let edit = match existing {
        None => Edit::Create(text.clone().into_bytes()),
        Some(_) => Edit::Rewrite(Box::new(|version: Option<&[u8]>| match version {
            None => Ok(fresh.clone().into_bytes()),
            Some(bytes) => {
                let draft =
                    std::str::from_utf8(bytes).map_err(|_| anyhow!("{shown} is not UTF-8 text"))?;
                postmortem::refresh(draft, &fresh)
                    .map(|r| r.text.into_bytes())
                    .map_err(|_| {
                        user_error_with_hint(
                            format!(
                                "{shown} as committed has generated blocks whose markers \
                                 don't pair up, so inc can't refresh it without committing \
                                 your changes too; inc changed nothing"
                            ),
                            "commit your changes to it first, or pass --no-commit",
                        )
                    })
            }
        })),
    };
    let change = Change {
        files: vec![(rel.clone(), edit)],
        new_dir: None,
    };
    app.change_with_message(ui, &change, &message)?;
    match changed {
        None => ui.status(&format!(
            "Wrote {shown}. Fill in the `> TODO:` lines; `inc postmortem {id}` again refreshes \
             the generated blocks and keeps what you wrote."
        )),
        Some(names) => ui.status(&format!(
            "Refreshed {} in {shown}; the rest is as you left it.",
            plural_blocks(&names)
        )),
    }
    Ok(ExitCode::SUCCESS)
}

/// The postmortem template rendered now, and how errors name it.
struct Fresh {
    text: String,
    /// `templates/postmortem.md.j2` or `the built-in postmortem.md.j2`.
    template_name: String,
}

fn render_fresh(app: &App, id: &str, context: &Context) -> Result<Fresh> {
    let templates = Templates::new(files::overrides(&app.store)?);
    let overridden = templates.is_overridden(postmortem::TEMPLATE);
    let text = postmortem::render(context, templates, app.zone).map_err(|e| {
        if e.message.starts_with("undefined") {
            user_error_with_hint(
                e.to_string(),
                format!("`inc postmortem {id} --context` prints the variables a template can use"),
            )
        } else {
            anyhow!(e)
        }
    })?;
    let template_name = if overridden {
        format!("{DIR}/{}", postmortem::TEMPLATE)
    } else {
        format!("the built-in {}", postmortem::TEMPLATE)
    };
    Ok(Fresh {
        text,
        template_name,
    })
}

fn markers_error(template_name: &str, e: MarkerError) -> anyhow::Error {
    anyhow!(
        "{template_name} makes a draft whose markers don't pair up: line {} of its output: {}",
        e.line,
        e.message
    )
}

/// The template's context for incident `id`, as of the command's clock.
fn context<'a>(app: &'a App, id: &'a str, incident: &'a Incident) -> Context<'a> {
    Context::new(
        id,
        &incident.header,
        &incident.state,
        &incident.events,
        &app.config,
        app.zone,
        app.now.with_timezone(&app.zone).date_naive(),
    )
}

/// The new draft `inc postmortem ID` would write for incident `id` (which
/// has none yet): the template rendered now, its markers checked.
pub(super) fn new_draft(app: &App, id: &str) -> Result<String> {
    let incident = app.load(id)?;
    let context = context(app, id, &incident);
    let fresh = render_fresh(app, id, &context)?;
    postmortem::blocks(&fresh.text).map_err(|e| markers_error(&fresh.template_name, e))?;
    Ok(fresh.text)
}

/// `the `timeline` block`, `the `facts` and `timeline` blocks`.
fn plural_blocks(names: &[String]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.as_slice() {
        [] => "no blocks".to_owned(),
        [one] => format!("the {one} block"),
        [rest @ .., last] => format!("the {} and {last} blocks", rest.join(", ")),
    }
}

/// The incident `inc postmortem` means without an ID: the one you most
/// recently resolved (a postmortem follows a resolve), else the only open
/// one, else one chosen on a terminal from the resolved ones.
fn implied(app: &App, ui: &Ui) -> Result<String> {
    let (incidents, _unreadable) = app.store.load_all(false)?;
    let mut resolved: Vec<_> = incidents
        .iter()
        .filter(|i| i.state.status == Some(Status::Resolved))
        .filter_map(|i| Some((i.state.resolved_at?, i)))
        .collect();
    resolved.sort_by_key(|(at, i)| (std::cmp::Reverse(*at), i.id.clone()));
    if let Some((at, mine)) = resolved
        .iter()
        .find(|(_, i)| i.state.resolved_by.as_deref() == Some(app.author.as_str()))
    {
        ui.status(&format!(
            "{}: the incident you resolved most recently ({}); pass an ID for another",
            mine.id,
            when::ago(*at, app.now)
        ));
        return Ok(mine.id.clone());
    }
    let open: Vec<_> = incidents.iter().filter(|i| i.state.is_open()).collect();
    if let [only] = open.as_slice() {
        return Ok(only.id.clone());
    }
    let recent: Vec<&str> = resolved
        .iter()
        .take(10)
        .map(|(_, i)| i.id.as_str())
        .collect();
    if ui.can_prompt() && !recent.is_empty() {
        let _prompting = crate::prompt::Prompting::start();
        let i = dialoguer::Select::new()
            .with_prompt("Postmortem of which incident")
            .items(&recent)
            .default(0)
            .interact_opt()
            .or_cancel()
            .context("no incident chosen")?
            .unwrap_or_else(|| crate::prompt::cancel());
        return Ok(recent[i].to_owned());
    }
    let listed = if recent.is_empty() {
        String::new()
    } else {
        format!("; recently resolved: {}", backticked(&recent))
    };
    Err(user_error_with_hint(
        format!(
            "say which incident: you ({}) resolved none{}{listed}",
            app.author,
            match open.len() {
                0 => String::new(),
                n => format!(" and {n} are open"),
            }
        ),
        "pass its ID: inc postmortem ID",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_lists_read_as_english() {
        let names = |n: &[&str]| n.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(plural_blocks(&names(&["a"])), "the `a` block");
        assert_eq!(
            plural_blocks(&names(&["a", "b", "c"])),
            "the `a`, `b` and `c` blocks"
        );
    }
}
