//! `App`: everything a command needs, resolved once from flags, environment
//! and `inc.yaml`: the root, the config, who is acting, the time, the zone,
//! and whether and how to commit.

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::cli::Global;
use crate::config::Config;
use crate::error::{UserError, user_error_with_hint};
/// `` `a`, `b` `` for error messages; one definition, in `model::text`.
pub use crate::model::text::backticked;
use crate::model::{Event, id, when};
use crate::render::text::one_line;
use crate::store::change::{self, Applied, Change, Commit};
use crate::store::git::{Git, Patience};
use crate::store::{Incident, Lock, Store};
use crate::ui::Ui;

/// What inc reads from its environment, read once in `lib::run`.
#[derive(Debug, Clone, Default)]
pub struct Env {
    pub repo: Option<PathBuf>,
    pub author: Option<String>,
    pub now: Option<String>,
    pub user: Option<String>,
    pub tz: Option<String>,
    pub no_color: bool,
    /// How long to wait for a lock git holds: `INC_LOCK_TIMEOUT` seconds,
    /// 10 by default.
    pub lock_timeout: Duration,
    pub cwd: PathBuf,
    /// `HOME`: where `~/` in inc.yaml paths points.
    pub home: Option<PathBuf>,
    /// `INC_NO_HOOKS`: run no hooks.
    pub no_hooks: bool,
    /// `INC_TRUST_HOOKS`: run inc.yaml's hooks without `inc hooks trust`
    /// (CI).
    pub trust_hooks: bool,
    /// `VISUAL`, else `EDITOR` (`inc edit`).
    pub editor: Option<String>,
}

impl Env {
    pub fn read() -> Env {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        Env {
            repo: var("INC_REPO").map(PathBuf::from),
            author: var("INC_AUTHOR"),
            now: var("INC_NOW"),
            user: var("USER").or_else(|| var("USERNAME")),
            tz: var("TZ"),
            no_color: var("NO_COLOR").is_some(),
            lock_timeout: Duration::from_secs_f64(
                var("INC_LOCK_TIMEOUT")
                    .and_then(|s| s.parse::<f64>().ok())
                    .filter(|s| s.is_finite() && *s >= 0.0)
                    .unwrap_or(10.0)
                    .min(86_400.0),
            ),
            cwd: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
            home: var("HOME")
                .or_else(|| var("USERPROFILE"))
                .map(PathBuf::from),
            no_hooks: var("INC_NO_HOOKS").is_some_and(|v| is_yes(&v)),
            trust_hooks: var("INC_TRUST_HOOKS").is_some_and(|v| is_yes(&v)),
            editor: var("VISUAL").or_else(|| var("EDITOR")),
        }
    }

    /// The current time: `INC_NOW` (tests, demos) or the clock.
    pub fn now(&self) -> Result<DateTime<Utc>> {
        match &self.now {
            Some(now) => DateTime::parse_from_rfc3339(now)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|e| anyhow!("INC_NOW=`{now}` is not an RFC 3339 time: {e}")),
            None => Ok(Utc::now()),
        }
        // Stored times have second precision; so does "now".
        .map(|t| DateTime::from_timestamp(t.timestamp(), 0).unwrap_or(t))
    }

    /// Where to look for the incident repository: `--repo`, `INC_REPO`, the
    /// working directory.
    pub fn start_dir(&self, global: &Global) -> PathBuf {
        let dir = global
            .repo
            .clone()
            .or_else(|| self.repo.clone())
            .unwrap_or_else(|| self.cwd.clone());
        if dir.is_absolute() {
            dir
        } else {
            self.cwd.join(dir)
        }
    }
}

/// Whether an environment flag is on: set, and not `0`, `false` or `no`.
fn is_yes(value: &str) -> bool {
    !["0", "false", "no"].contains(&value.trim().to_ascii_lowercase().as_str())
}

/// The resolved context every repository command runs in.
///
/// The hooks of the events a command records run when its App is dropped:
/// after the command, whose lock is released by then (so a hook may run
/// inc itself), each event's hooks in the order inc.yaml lists them.
pub struct App {
    pub store: Store,
    pub config: Config,
    pub author: String,
    pub now: DateTime<Utc>,
    pub zone: Tz,
    /// The home folder (`HOME`), for `~/` in inc.yaml paths.
    pub home: Option<PathBuf>,
    git: Option<Git>,
    commit: bool,
    /// How long to wait for a lock git holds (`INC_LOCK_TIMEOUT`, seconds).
    lock_timeout: Duration,
    ui: Ui,
    /// Not `--no-hooks` or `INC_NO_HOOKS`.
    run_hooks: bool,
    /// `INC_TRUST_HOOKS`.
    pub trust_hooks: bool,
    /// Events recorded, by incident, whose hooks run on drop.
    hooks_due: RefCell<Vec<(String, Vec<Event>)>>,
}

impl App {
    pub fn new(global: &Global, env: &Env, ui: &Ui) -> Result<App> {
        App::build(global, env, ui, false).map(|(app, _)| app)
    }

    /// Like [`App::new`], but an `inc.yaml` that does not parse gives an App
    /// with the default config and the error, as `inc.yaml:LINE:COL: …`,
    /// beside it: `inc check` reports it as a finding and checks the rest.
    pub fn new_lenient(global: &Global, env: &Env, ui: &Ui) -> Result<(App, Option<String>)> {
        App::build(global, env, ui, true)
    }

    fn build(global: &Global, env: &Env, ui: &Ui, lenient: bool) -> Result<(App, Option<String>)> {
        let start = env.start_dir(global);
        let explicit = global.repo.is_some() || env.repo.is_some();
        let store = if explicit {
            if !start.is_dir() {
                bail!("{} is not a folder", start.display());
            }
            Store::is_root(&start).then(|| Store::new(start.clone()))
        } else {
            Store::discover(&start)
        };
        let Some(store) = store else {
            return Err(user_error_with_hint(
                format!(
                    "{} is not in an incident repository (no inc.yaml or incidents/ here or above)",
                    start.display()
                ),
                "run `inc init` to make one, or pass --repo DIR",
            ));
        };
        let text = store.read_config()?;
        let oncall = store.read_oncall()?;
        let oncall_path = store.oncall_path();
        let parse = |path: &Path, oncall_path: &Path| {
            Config::parse_with(&text, path, oncall.as_deref().map(|t| (t, oncall_path)))
        };
        let (config, config_error) = match parse(&store.config_path(), &oncall_path) {
            Ok(config) => (config, None),
            Err(e) if lenient => {
                let relative = parse(
                    Path::new(crate::store::CONFIG_FILE),
                    Path::new(crate::config::ONCALL_FILE),
                )
                .err()
                .unwrap_or(e);
                (Config::default(), Some(format!("{relative:#}")))
            }
            Err(e) => return Err(e),
        };
        let git =
            Git::open(store.root()).map(|g| g.with_index_fast_path(config.git.index_fast_path));
        let (git_name, _) = git.as_ref().map(Git::user).unwrap_or_default();
        let author = global
            .author
            .clone()
            .or_else(|| env.author.clone())
            .or(git_name)
            .or_else(|| env.user.clone())
            .unwrap_or_else(|| "unknown".to_owned());
        let author = one_line(&author, 100);
        if author.is_empty() {
            return Err(user_error_with_hint(
                "the author name is empty",
                "pass --author NAME or set INC_AUTHOR",
            ));
        }
        let zone = config
            .timezone
            .or_else(|| {
                env.tz
                    .as_deref()
                    .and_then(|tz| tz.trim_start_matches(':').parse().ok())
            })
            .or_else(|| iana_time_zone::get_timezone().ok()?.parse().ok())
            .unwrap_or(Tz::UTC);
        let app = App {
            commit: config.git.commit && !global.no_commit,
            store,
            config,
            author,
            now: env.now()?,
            zone,
            home: env.home.clone(),
            git,
            lock_timeout: env.lock_timeout,
            ui: ui.clone(),
            run_hooks: !global.no_hooks && !env.no_hooks,
            trust_hooks: env.trust_hooks,
            hooks_due: RefCell::new(Vec::new()),
        };
        app.recover(ui)?;
        Ok((app, config_error))
    }

    /// Takes the write lock and checks git is not mid-merge/rebase. Call it
    /// before reading anything a write depends on.
    pub fn lock(&self) -> Result<Lock> {
        let on_wait = |lock: &Path| waiting(&self.ui, lock);
        lock(
            self.git.as_ref(),
            self.store.root(),
            &self.patience(&on_wait),
        )
    }

    /// The git repository around the incident root, if there is one.
    pub fn git(&self) -> Option<&Git> {
        self.git.as_ref()
    }

    /// Whether changes are committed (not `--no-commit`, not `git.commit: false`).
    pub fn commits(&self) -> bool {
        self.commit
    }

    /// Parses a `--at`-style time, defaulting to now.
    pub fn time(&self, input: Option<&str>) -> Result<DateTime<Utc>> {
        match input {
            Some(s) => Ok(when::parse(s, self.now, self.zone)?),
            None => Ok(self.now),
        }
    }

    /// Makes `change` to incident `id`'s files and commits exactly those
    /// files, with a message made from `events`: all of it or, if inc is
    /// stopped, nothing until the next inc command finishes it.
    pub fn change(&self, ui: &Ui, id: &str, change: &Change, events: &[Event]) -> Result<()> {
        self.change_with_message(ui, change, &commit_message(id, events))?;
        self.hooks_after(id, events);
        Ok(())
    }

    /// Has the hooks of `events`, recorded on incident `id`, run at the end
    /// of the command (see [`App`]).
    pub fn hooks_after(&self, id: &str, events: &[Event]) {
        if self.run_hooks && !self.config.hooks.is_empty() && !events.is_empty() {
            self.hooks_due
                .borrow_mut()
                .push((id.to_owned(), events.to_vec()));
        }
    }

    /// [`App::change`] with a ready commit message.
    pub fn change_with_message(&self, ui: &Ui, change: &Change, message: &str) -> Result<()> {
        let git = match (&self.git, self.commit) {
            (Some(git), true) => Some(git),
            (None, true) => {
                ui.warn(&format!(
                    "{} is not in a git repository: the change is written but not committed",
                    self.store.root().display()
                ));
                ui.hint(
                    "`git init` there to keep history, or set `git: {commit: false}` in inc.yaml",
                );
                None
            }
            (_, false) => None,
        };
        let on_wait = |lock: &Path| waiting(ui, lock);
        let patience = self.patience(&on_wait);
        let commit = git.map(|_| Commit {
            message,
            author: &self.author,
            at: self.now,
            patience: &patience,
        });
        match change::apply(&self.store, self.git.as_ref(), change, commit.as_ref())? {
            Applied::Committed(oid) => ui.status(&format!(
                "Committed {} ({})",
                oid.get(..8).unwrap_or(&oid),
                message.lines().next().unwrap_or_default()
            )),
            Applied::Unchanged => ui.status("Nothing to commit: the files already match HEAD"),
            Applied::Written => {}
        }
        Ok(())
    }

    fn patience<'a>(&self, on_wait: &'a dyn Fn(&Path)) -> Patience<'a> {
        Patience {
            timeout: self.lock_timeout,
            on_wait,
        }
    }

    /// Finishes what a killed inc left (a change half made, its locks and
    /// temp files), if anything: every command does this first.
    pub fn recover(&self, ui: &Ui) -> Result<()> {
        if !self.store.needs_recovery(self.git.as_ref()) {
            return Ok(());
        }
        let _lock = Lock::acquire(&lock_path(self.git.as_ref(), self.store.root()))?;
        let on_wait = |lock: &Path| waiting(ui, lock);
        let patience = self.patience(&on_wait);
        let done = change::recover(&self.store, self.git.as_ref(), &patience)?;
        if let Some(what) = &done.finished {
            if done.uncommitted {
                ui.warn(&format!(
                    "a killed inc left a change half made ({what}): its files are written but \
                     not committed, because HEAD moved since"
                ));
                ui.hint("`git status` shows them; commit them if they are right");
            } else {
                ui.status(&format!("Finished the change a killed inc left: {what}"));
            }
        }
        // The killed inc never ran their hooks; this command does, at its end.
        for (id, events) in &done.events {
            self.hooks_after(id, events);
        }
        for path in &done.left {
            ui.warn(&format!(
                "{path} changed since a killed inc wrote it, so inc left it as it is; \
                 `git diff -- {path}` shows it"
            ));
        }
        Ok(())
    }

    /// The time of a new event on incident `id` (opened at `opened_at`):
    /// `--at` or now, never before the incident was opened, because the
    /// fold and the metrics read the timeline in order. An `--at` before the
    /// opening is refused; "now" before it means this machine's clock is
    /// behind the one that opened it (a CI runner's, another responder's),
    /// and the event is recorded at the opening instead of refused.
    pub fn event_time(
        &self,
        id: &str,
        opened_at: DateTime<Utc>,
        input: Option<&str>,
    ) -> Result<DateTime<Utc>> {
        let at = self.time(input)?;
        if input.is_none() {
            return Ok(at.max(opened_at));
        }
        if at < opened_at {
            return Err(user_error_with_hint(
                format!(
                    "--at {} is before {id} was opened ({})",
                    when::show(at, self.zone),
                    when::show(opened_at, self.zone)
                ),
                "to record an earlier start of impact, edit `started_at` in its incident.yaml",
            ));
        }
        Ok(at)
    }

    /// Finds the incident a user named: an ID, a unique prefix, or a unique
    /// part of a slug. With no query, the only open incident.
    pub fn find_incident(&self, query: Option<&str>) -> Result<String> {
        let Some(query) = query else {
            return self.only_open().map(|i| i.id);
        };
        // A full ID needs no listing.
        if id::is_id(query) && self.store.exists(query) {
            return Ok(query.to_owned());
        }
        let ids = self.store.ids()?;
        match id::find(query, &ids) {
            id::Match::One(id) => Ok(id.to_owned()),
            id::Match::None => Err(user_error_with_hint(
                format!("no incident matches `{}`", one_line(query, 80)),
                "`inc list --status all` lists every incident",
            )),
            id::Match::Many(found) => Err(user_error_with_hint(
                format!(
                    "`{}` matches {} incidents: {}",
                    one_line(query, 80),
                    found.len(),
                    backticked(&found)
                ),
                "pass more of the ID",
            )),
        }
    }

    /// Loads one incident, or explains which file is broken.
    pub fn load(&self, id: &str) -> Result<Incident> {
        self.store
            .load(id)
            .map_err(|e| user_error_with_hint(e.to_string(), e.hint))
    }

    fn only_open(&self) -> Result<Incident> {
        let (incidents, errors) = self.store.load_all(false)?;
        // Which incident is "the open one" can't be told while one can't
        // be read: it may be open too.
        if let Some(e) = errors.first() {
            let more = match errors.len() {
                1 => String::new(),
                n => format!(" (and {} more)", n - 1),
            };
            return Err(
                UserError::new(format!("can't tell which incident is open: {e}{more}"))
                    .with_hint("pass the incident's ID")
                    .with_hint(e.hint)
                    .into(),
            );
        }
        let mut open: Vec<Incident> = incidents
            .into_iter()
            // A maintenance window is planned work, not something a
            // responder is writing about: never the implied ID.
            .filter(|i| i.state.is_open() && i.header.kind() != crate::model::Kind::Maintenance)
            .collect();
        match open.len() {
            1 => Ok(open.remove(0)),
            0 => Err(user_error_with_hint(
                "no incident is open",
                "pass an ID (`inc list --status all` lists them)",
            )),
            n => {
                let ids: Vec<&str> = open.iter().map(|i| i.id.as_str()).collect();
                Err(user_error_with_hint(
                    format!("{n} incidents are open: {}", backticked(&ids)),
                    "say which one by passing its ID",
                ))
            }
        }
    }
}

impl Drop for App {
    fn drop(&mut self) {
        let due = std::mem::take(self.hooks_due.get_mut());
        if !due.is_empty() && !std::thread::panicking() {
            crate::hooks::run_due(self, &self.ui, due);
        }
    }
}

/// The message of a commit recording `events` on incident `id`: subject
/// `inc(<id>): <what>`, trailers `Inc-Id` and one `Inc-Event` per event.
pub fn commit_message(id: &str, events: &[Event]) -> String {
    let what = events.first().map(Event::subject).unwrap_or_default();
    let mut message = format!("inc({id}): {}\n\nInc-Id: {id}\n", one_line(&what, 72));
    for e in events {
        message.push_str(&format!("Inc-Event: {}\n", e.kind.name()));
    }
    message
}

/// Takes the write lock of the incident repository at `root`
/// (`.git/inc.lock`, else `.inc/lock`), then checks git is idle.
pub fn lock(git: Option<&Git>, root: &Path, patience: &Patience) -> Result<Lock> {
    let lock = Lock::acquire(&lock_path(git, root))?;
    // Checked only once the lock is ours: before, another inc may be
    // holding git's index.lock for its own commit.
    if let Some(git) = git {
        git.ensure_idle(patience)?;
    }
    Ok(lock)
}

fn lock_path(git: Option<&Git>, root: &Path) -> PathBuf {
    match git {
        Some(git) => git.lock_path(),
        None => root.join(".inc").join("lock"),
    }
}

/// Tells the user inc is waiting for a lock git holds.
pub fn waiting(ui: &Ui, lock: &Path) {
    ui.status(&format!(
        "Waiting for {}: another git command is running…",
        lock.display()
    ));
}

/// Reads a text argument; `-` means all of stdin, kept exactly.
pub fn read_text(arg: &str, stdin: impl FnOnce() -> std::io::Result<String>) -> Result<String> {
    let text = if arg == "-" {
        stdin().context("can't read the text from stdin")?
    } else {
        arg.to_owned()
    };
    if text.trim().is_empty() {
        return Err(user_error_with_hint(
            "the text is empty",
            "say what happened, or pass `-` and pipe it in",
        ));
    }
    Ok(text)
}
