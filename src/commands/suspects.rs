//! `inc suspects`: the commits made around an incident's impact, in this
//! repository and in the local repositories of `suspects.repos`, and
//! `--note` to record the ones that matter on the timeline.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;

use super::record;
use crate::app::App;
use crate::cli::{Global, SuspectsArgs};
use crate::error::{WithHint, user_error_with_hint};
use crate::model::suspects::{self, Commit, MAX_WALK, Window};
use crate::model::{Event, EventKind, when};
use crate::render::suspects::{CommitView, note, safe, table, window_line};
use crate::store::git::{Walked, suspects_in};
use crate::ui::{Ui, count};

pub fn run(app: &App, ui: &Ui, global: &Global, args: &SuspectsArgs) -> Result<ExitCode> {
    let before = match args.before.as_deref() {
        Some(b) => when::parse_duration(b).map_err(|e| {
            user_error_with_hint(
                format!("--before: {e}"),
                "`--before 4h` opens the window 4 hours before the impact",
            )
        })?,
        None => app.config.suspects.before(),
    };
    // Noting writes: take the lock before reading what the note depends on.
    let _lock = if args.note.is_empty() {
        None
    } else {
        Some(app.lock()?)
    };
    let id = app.find_incident(args.id.as_deref())?;
    let incident = app.load(&id)?;
    let window = Window::of(&incident.header, &incident.state, before, app.now);
    let commits = read_all(app, ui, &window)?;

    if args.note.is_empty() {
        if global.json {
            ui.status(&window_line(&window, app.zone));
            let views: Vec<CommitView> = commits.iter().map(CommitView::from).collect();
            ui.out(&(serde_json::to_string_pretty(&views)? + "\n"))?;
        } else if commits.is_empty() {
            ui.out(&format!(
                "{}\nNo commits in that window.\n",
                window_line(&window, app.zone)
            ))?;
        } else {
            ui.out(&format!(
                "{}\n{}",
                window_line(&window, app.zone),
                table(&commits, &window, app.zone, ui.color(), ui.width())
            ))?;
        }
        return Ok(ExitCode::SUCCESS);
    }

    let chosen = suspects::select(&commits, &args.note).map_err(|e| {
        anyhow::Error::from(e).with_hint(format!(
            "nothing was recorded; {}",
            window_line(&window, app.zone)
        ))
    })?;
    let chosen: Vec<&Commit> = chosen.iter().map(|&i| &commits[i]).collect();
    let text = note(&chosen);
    let at = app.event_time(&id, incident.header.opened_at, None)?;
    let event = Event::new(
        at,
        &app.author,
        EventKind::Note {
            text: text.clone(),
            pinned: false,
        },
    );
    record(app, ui, &id, &[event])?;
    if global.json {
        let views: Vec<CommitView> = chosen.iter().map(|c| CommitView::from(*c)).collect();
        ui.out(&(serde_json::to_string_pretty(&views)? + "\n"))?;
    }
    ui.status(&format!(
        "Noted {} on {id}:\n{}",
        count(chosen.len(), "suspect"),
        text.lines()
            .map(|l| format!("  {l}"))
            .collect::<Vec<_>>()
            .join("\n")
    ));
    Ok(ExitCode::SUCCESS)
}

/// The commits in `window` of the incident repository and of every
/// repository of `suspects.repos`, newest first. A repository that can't
/// be read is a warning (a teammate's clone may lack one of them); none
/// read at all is an error.
fn read_all(app: &App, ui: &Ui, window: &Window) -> Result<Vec<Commit>> {
    let config = &app.config.suspects;
    let config_path = app.store.config_path();
    let mut read = 0;
    let mut failed = Vec::new();
    let mut commits = Vec::new();
    let mut seen_dirs = HashSet::new();
    let mut take = |name: &str, walked: Walked| {
        if walked.capped {
            ui.warn(&format!(
                "stopped reading {name} after {MAX_WALK} commits, before the window's start: \
                 older commits in the window are missing"
            ));
        }
        commits.extend(walked.commits);
    };
    if let Some(git) = app.git() {
        let dir = git.workdir().to_path_buf();
        let name = dir.file_name().map_or_else(
            || "incidents".to_owned(),
            |n| n.to_string_lossy().into_owned(),
        );
        seen_dirs.insert((canonical(&dir), None));
        match git.suspects(&name, window) {
            Ok(walked) => {
                read += 1;
                take(&name, walked);
            }
            Err(e) => ui.warn_about(&format!("can't read this repository's commits: {e:#}"), &e),
        }
    }
    let paths: Vec<Option<PathBuf>> = config
        .repos
        .iter()
        .map(|r| expand(&r.path, app.store.root(), app.home.as_deref()))
        .collect();
    let names = names(
        &config
            .repos
            .iter()
            .map(|r| r.path.as_str())
            .collect::<Vec<_>>(),
        &paths,
    );
    for (i, repo) in config.repos.iter().enumerate() {
        let place = match config.lines.get(i).copied().flatten() {
            Some(line) => format!("{}:{line}: ", config_path.display()),
            None => String::new(),
        };
        let shown = safe(&repo.path, 200);
        let Some(path) = &paths[i] else {
            ui.warn(&format!(
                "{place}suspects repository `{shown}` can't be read: HOME is not set, so `~/` means nothing"
            ));
            failed.push(shown);
            continue;
        };
        let rev = repo.rev.as_deref();
        // The same repository at the same ref twice (the incident
        // repository listed as `.`, say) is read once.
        if !seen_dirs.insert((canonical(path), rev.map(str::to_owned))) {
            read += 1;
            continue;
        }
        match suspects_in(path, rev, &names[i], window) {
            Ok(walked) => {
                read += 1;
                take(&names[i], walked);
            }
            Err(e) => {
                ui.warn_about(
                    &format!(
                        "{place}suspects repository `{shown}` ({}) can't be read: {e:#}; \
                         the others are listed",
                        path.display()
                    ),
                    &e,
                );
                failed.push(shown);
            }
        }
    }
    if read == 0 {
        if failed.is_empty() {
            return Err(user_error_with_hint(
                format!(
                    "{} is not in a git repository and inc.yaml lists no `suspects.repos`: \
                     there are no commits to read",
                    app.store.root().display()
                ),
                "list your services' local clones under `suspects: {repos: [...]}` in inc.yaml",
            ));
        }
        return Err(user_error_with_hint(
            "none of the repositories in `suspects.repos` could be read",
            format!(
                "paths are relative to {}; clone the repositories there or fix inc.yaml",
                app.store.root().display()
            ),
        ));
    }
    // One commit reached through two entries (a fork, a ref and HEAD) is
    // listed once.
    let mut shas = HashSet::new();
    commits.retain(|c| shas.insert(c.sha.clone()));
    suspects::sort(&mut commits);
    Ok(commits)
}

/// A path of inc.yaml on disk: `~/…` in the home folder, a relative one
/// from the incident repository's root. `None` for `~/` without a home.
fn expand(path: &str, root: &Path, home: Option<&Path>) -> Option<PathBuf> {
    if path == "~" {
        return home.map(Path::to_path_buf);
    }
    if let Some(rest) = path.strip_prefix("~/") {
        return home.map(|h| h.join(rest));
    }
    let p = Path::new(path);
    Some(if p.is_absolute() {
        p.to_path_buf()
    } else {
        root.join(p)
    })
}

fn canonical(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
}

/// Each repository's short name: its folder's name (without `.git`), or
/// the path as written when two would share one.
fn names(written: &[&str], paths: &[Option<PathBuf>]) -> Vec<String> {
    let short: Vec<String> = written
        .iter()
        .zip(paths)
        .map(|(w, p)| {
            let p = p
                .as_deref()
                .map(canonical)
                .unwrap_or_else(|| PathBuf::from(w));
            let mut name = p.file_name().map(|n| n.to_string_lossy().into_owned());
            if name.as_deref() == Some(".git") {
                name = p
                    .parent()
                    .and_then(Path::file_name)
                    .map(|n| n.to_string_lossy().into_owned());
            }
            let name = name.unwrap_or_else(|| (*w).to_owned());
            name.strip_suffix(".git")
                .filter(|n| !n.is_empty())
                .map_or(name.clone(), str::to_owned)
        })
        .collect();
    short
        .iter()
        .enumerate()
        .map(|(i, n)| {
            if short.iter().filter(|m| *m == n).count() > 1 {
                written[i].to_owned()
            } else {
                n.clone()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_read_from_the_root_or_home() {
        let root = Path::new("/srv/incidents");
        let home = Some(Path::new("/home/ann"));
        assert_eq!(
            expand("../api", root, home),
            Some(PathBuf::from("/srv/incidents/../api"))
        );
        assert_eq!(
            expand("~/src/api", root, home),
            Some(PathBuf::from("/home/ann/src/api"))
        );
        assert_eq!(
            expand("/opt/web", root, home),
            Some(PathBuf::from("/opt/web"))
        );
        assert_eq!(expand("~/x", root, None), None);
    }

    #[test]
    fn names_are_folder_names_unless_two_share_one() {
        let written = ["/a/api", "/b/api", "/c/web.git", "/d/pay/.git"];
        let paths: Vec<Option<PathBuf>> = written.iter().map(|w| Some(PathBuf::from(w))).collect();
        assert_eq!(names(&written, &paths), ["/a/api", "/b/api", "web", "pay"]);
    }
}
