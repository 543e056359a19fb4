//! `inc init`: make a folder an incident repository.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};

use crate::app::{App, Env};
use crate::cli::{Global, InitArgs};
use crate::error::user_error_with_hint;
use crate::store::change::{Change, Edit};
use crate::store::git::{Git, Patience};
use crate::store::{CONFIG_FILE, INCIDENTS_DIR, MAX_CONFIG_BYTES, ReadError, Store, read_nofollow};
use crate::ui::Ui;

/// The commented defaults written as `inc.yaml`.
const DEFAULT_CONFIG: &str = include_str!("../../templates/inc.yaml");
/// Timelines are append-only, so git's union merge joins two responders'
/// appends without a conflict.
const ATTRIBUTES_LINE: &str = "incidents/**/timeline.yaml merge=union";
const KEEP_FILE: &str = "incidents/.gitkeep";

pub fn run(global: &Global, env: &Env, ui: &Ui, args: &InitArgs) -> Result<ExitCode> {
    let dir = match &args.dir {
        Some(dir) if dir.is_absolute() => dir.clone(),
        Some(dir) => env.cwd.join(dir),
        None => env.start_dir(global),
    };
    fs::create_dir_all(&dir).with_context(|| format!("can't create {}", dir.display()))?;

    let mut git = Git::open(&dir);
    if git.is_none() && !global.no_commit {
        git = Some(Git::init(&dir)?);
        ui.status(&format!(
            "Initialised a git repository in {}",
            dir.display()
        ));
    }
    let on_wait = |lock: &Path| crate::app::waiting(ui, lock);
    let patience = Patience {
        timeout: env.lock_timeout,
        on_wait: &on_wait,
    };
    let _lock = crate::app::lock(git.as_ref(), &dir, &patience)?;

    // Never through a link: one pushed to the repository could point at
    // any file (/proc/self/environ), which the commit would then carry.
    let mut bytes = Vec::new();
    let existing = match read_nofollow(&dir.join(".gitattributes"), MAX_CONFIG_BYTES, &mut bytes) {
        Ok(()) => String::from_utf8(bytes).context(".gitattributes is not UTF-8 text")?,
        Err(ReadError::Missing) => String::new(),
        Err(e) => {
            return Err(user_error_with_hint(
                format!(".gitattributes: {e}; inc changed nothing"),
                e.hint(),
            ));
        }
    };

    let store = Store::new(dir.clone());
    let mut changed: Vec<PathBuf> = Vec::new();
    if !dir.join(CONFIG_FILE).exists() {
        store.write_atomic(Path::new(CONFIG_FILE), DEFAULT_CONFIG.as_bytes())?;
        changed.push(CONFIG_FILE.into());
    }
    if !dir.join(INCIDENTS_DIR).is_dir() {
        store.write_atomic(Path::new(KEEP_FILE), b"")?;
        changed.push(KEEP_FILE.into());
    }
    if !existing.lines().any(|l| l.trim() == ATTRIBUTES_LINE) {
        let mut text = existing;
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(ATTRIBUTES_LINE);
        text.push('\n');
        store.write_atomic(Path::new(".gitattributes"), text.as_bytes())?;
        changed.push(".gitattributes".into());
    }

    if changed.is_empty() {
        ui.status(&format!(
            "{} is already an incident repository; nothing to do",
            dir.display()
        ));
        return Ok(ExitCode::SUCCESS);
    }
    // The config now exists (or was there), so the usual context loads.
    let app = App::new(
        &Global {
            repo: Some(dir.clone()),
            ..global.clone()
        },
        env,
        ui,
    )?;
    // The files are written; commit them as they are.
    let mut change = Change::default();
    for rel in changed {
        let bytes =
            fs::read(dir.join(&rel)).with_context(|| format!("can't read {}", rel.display()))?;
        change
            .files
            .push((rel, Edit::Rewrite(Box::new(move |_| Ok(bytes.clone())))));
    }
    app.change_with_message(ui, &change, "inc: set up incident repository\n")?;
    ui.status(&format!(
        "Ready: {}. Next: inc open \"What is broken\" -s SEV2",
        dir.display()
    ));
    Ok(ExitCode::SUCCESS)
}
