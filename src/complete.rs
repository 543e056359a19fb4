//! Values the shell completes from the incident repository (clap_complete's
//! dynamic completion, `COMPLETE=bash inc`, which `inc completions SHELL`
//! prints the set-up of): incident IDs, statuses, severities, services,
//! roles, people and rotations.
//!
//! The repository is the one the command line being completed names with
//! `--repo`, else `$INC_REPO`, else the one found upwards from the working
//! folder, as when the command runs. Its `inc.yaml` gives the severities,
//! services, roles, rotations and people; a missing or broken one gives
//! inc's defaults, and completion never prints an error.
//!
//! Arguments written as `[ID] VALUE` (`inc status [ID] STATUS`) are one
//! clap argument, so their completers look at the words already typed to
//! tell which value comes next.

use std::collections::BTreeSet;
use std::ffi::{OsStr, OsString};
use std::path::PathBuf;

use clap::CommandFactory;
use clap_complete::engine::CompletionCandidate;

use crate::cli::Cli;
use crate::config::Config;
use crate::model::{Kind, Status};
use crate::store::Store;

/// The incident IDs starting with the word being completed, sorted; none
/// outside an incident repository.
pub fn incident_ids(current: &OsStr) -> Vec<CompletionCandidate> {
    let Some(current) = current.to_str() else {
        return Vec::new();
    };
    let Some(store) = store() else {
        return Vec::new();
    };
    ids(&store)
        .into_iter()
        .filter(|id| id.starts_with(current))
        .map(CompletionCandidate::new)
        .collect()
}

/// The statuses an incident moves through (`inc update --status`).
pub fn statuses(current: &OsStr) -> Vec<CompletionCandidate> {
    candidates(current, status_words(Status::INCIDENT))
}

/// What `inc list --status` takes: open, closed, all, or one status.
pub fn list_statuses(current: &OsStr) -> Vec<CompletionCandidate> {
    let mut words = vec![
        ("open".to_owned(), Some("not closed".to_owned())),
        (
            "closed".to_owned(),
            Some("resolved, declined or completed".to_owned()),
        ),
        ("all".to_owned(), None),
    ];
    words.extend(status_words(Status::ALL));
    candidates(current, words)
}

/// The severities of inc.yaml, with their descriptions.
pub fn severities(current: &OsStr) -> Vec<CompletionCandidate> {
    candidates(current, severity_words(&config()))
}

/// The services of inc.yaml, with their names.
pub fn services(current: &OsStr) -> Vec<CompletionCandidate> {
    let config = config();
    let words = config
        .services
        .iter()
        .map(|s| (s.id.clone(), s.name.clone()))
        .collect();
    candidates(current, words)
}

/// The rotations of inc.yaml and oncall.yaml.
pub fn rotations(current: &OsStr) -> Vec<CompletionCandidate> {
    let config = config();
    let words = config
        .oncall
        .rotations
        .iter()
        .map(|r| (r.id.clone(), None))
        .collect();
    candidates(current, words)
}

/// How many of the latest incidents `people` reads the headers of.
const RECENT_INCIDENTS: usize = 500;

/// The people the repository knows: rotation members and overrides, and
/// who opened each of the latest incidents or was on call for it.
pub fn people(current: &OsStr) -> Vec<CompletionCandidate> {
    let config = config();
    let mut names = BTreeSet::new();
    for rotation in &config.oncall.rotations {
        names.extend(rotation.members.iter().cloned());
    }
    names.extend(config.oncall.overrides.iter().map(|o| o.who.clone()));
    if let Some(store) = store() {
        // IDs sort by date: the people of the latest incidents are the ones
        // likely to be typed, and a tab stays quick on a 100,000-incident
        // repository.
        let ids = ids(&store);
        for id in &ids[ids.len().saturating_sub(RECENT_INCIDENTS)..] {
            if let Ok(header) = store.load_header(id) {
                names.insert(header.opened_by);
                names.extend(header.oncall.into_values());
            }
        }
    }
    let words = names.into_iter().map(|n| (n, None)).collect();
    candidates(current, words)
}

/// `inc status [ID] STATUS`: IDs and statuses first, then the statuses of
/// the kind of incident the ID names (a maintenance window's own).
pub fn status_args(current: &OsStr) -> Vec<CompletionCandidate> {
    match positionals_before().as_slice() {
        [] => {
            let mut out = incident_ids(current);
            out.extend(statuses(current));
            out
        }
        [id] => {
            let maintenance = store()
                .and_then(|s| s.load_header(id).ok())
                .is_some_and(|h| h.kind() == Kind::Maintenance);
            let kind = if maintenance {
                Status::MAINTENANCE
            } else {
                Status::INCIDENT
            };
            candidates(current, status_words(kind))
        }
        _ => Vec::new(),
    }
}

/// `inc severity [ID] SEV`.
pub fn severity_args(current: &OsStr) -> Vec<CompletionCandidate> {
    match positionals_before().len() {
        0 => {
            let mut out = incident_ids(current);
            out.extend(severities(current));
            out
        }
        1 => severities(current),
        _ => Vec::new(),
    }
}

/// `inc assign [ID] ROLE WHO`.
pub fn assign_args(current: &OsStr) -> Vec<CompletionCandidate> {
    let before = positionals_before();
    let roles = || {
        let words = config().roles.into_iter().map(|r| (r, None)).collect();
        candidates(current, words)
    };
    match before.as_slice() {
        [] => {
            let mut out = incident_ids(current);
            out.extend(roles());
            out
        }
        [first] if store().is_some_and(|s| s.exists(first)) => roles(),
        [_] | [_, _] => people(current),
        _ => Vec::new(),
    }
}

/// `inc note [ID] TEXT` and the like: IDs first, then free text.
pub fn id_then_text(current: &OsStr) -> Vec<CompletionCandidate> {
    if positionals_before().is_empty() {
        incident_ids(current)
    } else {
        Vec::new()
    }
}

fn status_words(statuses: &[Status]) -> Vec<(String, Option<String>)> {
    statuses
        .iter()
        .map(|s| (s.as_str().to_owned(), None))
        .collect()
}

fn severity_words(config: &Config) -> Vec<(String, Option<String>)> {
    config
        .severities
        .iter()
        .map(|s| (s.id.clone(), Some(s.description.clone())))
        .collect()
}

/// The words starting with what is typed (case-insensitively, so `sev`
/// finds `SEV2`), in the order given, each with its help.
fn candidates(current: &OsStr, words: Vec<(String, Option<String>)>) -> Vec<CompletionCandidate> {
    let Some(current) = current.to_str() else {
        return Vec::new();
    };
    let current = current.to_lowercase();
    words
        .into_iter()
        .filter(|(word, _)| word.to_lowercase().starts_with(&current))
        .map(|(word, help)| {
            let candidate = CompletionCandidate::new(word);
            match help.filter(|h| !h.is_empty()) {
                Some(help) => candidate.help(Some(help.into())),
                None => candidate,
            }
        })
        .collect()
}

fn ids(store: &Store) -> Vec<String> {
    store.ids().unwrap_or_default()
}

/// The repository of the command line being completed, if any.
fn store() -> Option<Store> {
    let cwd = std::env::current_dir().ok()?;
    let start =
        match repo_option().or_else(|| std::env::var_os("INC_REPO").filter(|r| !r.is_empty())) {
            Some(repo) => cwd.join(PathBuf::from(repo)),
            None => cwd,
        };
    Store::discover(&start)
}

/// The repository's config, or the defaults when there is none or it
/// doesn't parse.
fn config() -> Config {
    let Some(store) = store() else {
        return Config::default();
    };
    let Ok(text) = store.read_config() else {
        return Config::default();
    };
    let oncall = store.read_oncall().ok().flatten();
    let oncall_path = store.oncall_path();
    Config::parse_with(
        &text,
        &store.config_path(),
        oncall.as_deref().map(|t| (t, oncall_path.as_path())),
    )
    .unwrap_or_default()
}

/// The words of the command line being completed, as the shell passes
/// them after `--`, up to (not including) the word being completed.
fn words_before() -> Vec<OsString> {
    let mut args: Vec<_> = std::env::args_os()
        .skip_while(|a| a != "--")
        .skip(1)
        .collect();
    // bash, zsh and elvish say which word is completed; fish passes the
    // line up to the cursor, the word last.
    let index = std::env::var("_CLAP_COMPLETE_INDEX")
        .ok()
        .and_then(|i| i.parse::<usize>().ok())
        .unwrap_or(args.len().saturating_sub(1));
    args.truncate(index);
    args
}

/// The positional words the innermost subcommand has been given before
/// the word being completed (flags and their values left out).
fn positionals_before() -> Vec<String> {
    positionals(&words_before())
}

fn positionals(words: &[OsString]) -> Vec<String> {
    let mut root = Cli::command();
    root.build();
    let mut cmd = &root;
    let mut out = Vec::new();
    let mut words = words.iter().skip(1).filter_map(|w| w.to_str());
    while let Some(word) = words.next() {
        if word == "--" {
            break;
        }
        if let Some(long) = word.strip_prefix("--") {
            if !long.contains('=')
                && takes_value(cmd.get_arguments().find(|a| a.get_long() == Some(long)))
            {
                words.next();
            }
        } else if let Some(short) = word.strip_prefix('-').filter(|s| !s.is_empty()) {
            let mut flags = short.chars();
            let first = flags.next();
            let arg = cmd.get_arguments().find(|a| a.get_short() == first);
            if flags.as_str().is_empty() && takes_value(arg) {
                words.next();
            }
        } else if let Some(sub) = out.is_empty().then(|| cmd.find_subcommand(word)).flatten() {
            cmd = sub;
        } else {
            out.push(word.to_owned());
        }
    }
    out
}

fn takes_value(arg: Option<&clap::Arg>) -> bool {
    arg.is_some_and(|a| a.get_action().takes_values())
}

/// The `--repo DIR` (or `--repo=DIR`) of the command line being completed:
/// the shell passes it to inc after `--`.
fn repo_option() -> Option<OsString> {
    let args: Vec<_> = std::env::args_os().skip_while(|a| a != "--").collect();
    let mut repo = None;
    for (i, arg) in args.iter().enumerate() {
        let Some(arg) = arg.to_str() else { continue };
        if arg == "--repo" {
            repo = args.get(i + 1).cloned();
        } else if let Some(dir) = arg.strip_prefix("--repo=") {
            repo = Some(dir.into());
        }
    }
    repo.filter(|r| !r.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: &[&str]) -> Vec<String> {
        positionals(&line.iter().map(OsString::from).collect::<Vec<_>>())
    }

    #[test]
    fn positionals_skip_flags_and_their_values() {
        assert_eq!(pos(&["inc", "status"]), Vec::<String>::new());
        assert_eq!(pos(&["inc", "status", "api"]), ["api"]);
        assert_eq!(
            pos(&["inc", "--repo", "/r", "status", "--at", "10:00", "api"]),
            ["api"]
        );
        assert_eq!(pos(&["inc", "status", "--at=10:00", "-q", "api"]), ["api"]);
        assert_eq!(
            pos(&["inc", "assign", "api", "commander"]),
            ["api", "commander"]
        );
        // A subcommand's subcommand.
        assert_eq!(pos(&["inc", "action", "add", "api"]), ["api"]);
        // A word that names a subcommand is an argument once arguments began.
        assert_eq!(pos(&["inc", "note", "api", "list"]), ["api", "list"]);
        // Short flags with values: `open -s SEV2 title`.
        assert_eq!(pos(&["inc", "open", "-s", "SEV2", "t"]), ["t"]);
    }
}
