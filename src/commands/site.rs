//! `inc site build`: the static public status page.
//!
//! Reads every incident into a digest (its public view and its internal
//! texts, made as each is read), renders the site (`render::site`, which also scans
//! each file for internal text, compares it with the folder and creates the
//! pages that are new), then writes the files that changed (`store::site`).
//! A leak, a template error or an incident file that can't be read (a
//! symbolic link included: nothing is read through one) leaves the folder
//! as it was.

use std::process::ExitCode;

use anyhow::Result;

use crate::app::App;
use crate::cli::SiteCommand;
use crate::error::{WithHint, user_error_with_hint};
use crate::render::site::{self, Digest, Error, Input, Source};
use crate::render::templates::{BUILTINS, Templates};
use crate::render::timeline::publishable;
use crate::store::site as files;
use crate::store::templates::{self as overrides, postmortem_path, read_draft};
use crate::ui::Ui;

pub fn run(app: &App, ui: &Ui, command: &SiteCommand) -> Result<ExitCode> {
    let SiteCommand::Build(args) = command;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| app.store.root().join("site"));
    // Checked before anything is read: never the repository, nor a folder
    // of someone else's files unless --force.
    let dir = files::out_dir(&out, app.store.root())?;
    let folder = files::Folder::open(&dir, args.force)?;
    // Each incident is digested as it is read, and its timeline dropped.
    let config = &app.config;
    // A published incident's postmortem is read too, for the part its
    // front matter makes public (`public: true`). One that can't be read
    // is left off with a warning: unlike an incident file, it can't hide
    // an outage, so it must not hold the page back during one.
    let skipped = std::sync::Mutex::new(Vec::new());
    let store = &app.store;
    let (parts, errors) = app.store.load_each(Digest::default, |digest, incident| {
        let postmortem = if publishable(&incident.header, &incident.state).is_ok() {
            match read_draft(store, &postmortem_path(&incident.id)) {
                Ok(text) => text.filter(|t| site::postmortem::is_public(t)),
                Err(e) => {
                    let first = format!("{e:#}")
                        .lines()
                        .next()
                        .unwrap_or_default()
                        .to_owned();
                    skipped
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push(first);
                    None
                }
            }
        } else {
            None
        };
        digest.add(
            &Source {
                id: &incident.id,
                header: &incident.header,
                state: &incident.state,
                events: &incident.events,
                postmortem: postmortem.as_deref(),
            },
            config,
        );
    })?;
    let mut skipped = skipped.into_inner().unwrap_or_else(|e| e.into_inner());
    skipped.sort();
    for reason in skipped {
        ui.warn(&format!("postmortem left off the page: {reason}"));
    }
    // A page built without an incident that can't be read could say "All
    // systems operational" through an outage: refuse, before anything is
    // written, so the site deployed last stays as it was.
    if !errors.is_empty() {
        super::report_unreadable(ui, &errors, false);
        return Err(user_error_with_hint(
            format!(
                "refusing to publish while {} can't be read: a page without it could hide an outage",
                crate::ui::count(errors.len(), "incident file")
            ),
            "nothing was written; fix the files above, then build again",
        ));
    }
    let repo_templates = overrides::overrides(&app.store)?;
    // The repository's own stylesheet, when it has one, replaces the built-in.
    let style = overrides::site_style(&app.store)?.unwrap_or_else(|| site::STYLE.to_owned());
    // The built-ins' own words are public; an override's are not taken on
    // trust (a template that spells out a note is a leak like any other).
    // Only the site's: the postmortem template is never on the page.
    let template_texts: Vec<&str> = BUILTINS
        .iter()
        .filter(|(name, _)| name.starts_with("site/"))
        .map(|(_, source)| *source)
        .collect();
    let templates = Templates::new(repo_templates);
    let input = Input {
        digest: Digest::merge(parts),
        config: &app.config,
        now: app.now,
        zone: app.zone,
        templates: &templates,
        template_texts,
        style: &style,
        scanned: folder.scanned(),
        scan_key: files::scan_key(&match app.git() {
            Some(git) => git.git_dir().to_path_buf(),
            None => app.store.root().join(".inc"),
        })?,
    };
    let built = match site::build(input, &folder) {
        Ok(built) => built,
        Err(e) => {
            // Pages made new while building go again: a failed build
            // leaves the folder as it was.
            folder.discard();
            return Err(match e {
                Error::Template(e) => user_error_with_hint(e.to_string(), "nothing was written"),
                Error::Leak(leak) => user_error_with_hint(
                    format!("refusing to publish: {leak}"),
                    format!("nothing was written; {}", leak.hint()),
                ),
                Error::Create { path, error } => {
                    let hint = match error
                        .get_ref()
                        .and_then(|e| e.downcast_ref::<files::Symlink>())
                    {
                        Some(files::Symlink(link)) => files::symlink_hint(link),
                        None => format!(
                            "check that {} is writable and the disk has room",
                            out.display()
                        ),
                    };
                    user_error_with_hint(
                        format!("can't create {}: {error}", out.join(path).display()),
                        format!("{hint}; nothing was written"),
                    )
                }
            });
        }
    };
    let written = folder
        .finish(&built.files, built.created, &built.paths, built.scan_digest)
        .map_err(|e| match files::symlink_in(&e).map(files::symlink_hint) {
            Some(hint) => e.with_hint(hint),
            None => e,
        })?;
    if app.config.site.url.is_none() {
        ui.warn(
            "site.url is not set in inc.yaml: the feed's and the API's links are relative, \
             which feed readers and Statuspage clients can't follow",
        );
        ui.hint("set `site: {url: https://status.example.com}`");
    }
    ui.status(&format!(
        "Built {}: {} ({} open), {}; status: {}. {} written, {} unchanged, {} removed.",
        out.display(),
        crate::ui::count(built.incidents, "incident"),
        built.open,
        crate::ui::count(built.maintenances, "maintenance"),
        built.status,
        crate::ui::count(written.changed, "file"),
        written.unchanged,
        written.removed,
    ));
    Ok(ExitCode::SUCCESS)
}
