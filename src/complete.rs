//! Values the shell completes from the incident repository (clap_complete's
//! dynamic completion, `COMPLETE=bash inc`): incident IDs.
//!
//! The repository is the one the command line being completed names with
//! `--repo`, else `$INC_REPO`, else the one found upwards from the working
//! folder, as when the command runs.

use std::ffi::OsStr;
use std::path::PathBuf;

use clap_complete::engine::CompletionCandidate;

use crate::store::Store;

/// The incident IDs starting with the word being completed, sorted; none
/// outside an incident repository.
pub fn incident_ids(current: &OsStr) -> Vec<CompletionCandidate> {
    let Some(current) = current.to_str() else {
        return Vec::new();
    };
    let Ok(cwd) = std::env::current_dir() else {
        return Vec::new();
    };
    let start =
        match repo_option().or_else(|| std::env::var_os("INC_REPO").filter(|r| !r.is_empty())) {
            Some(repo) => cwd.join(PathBuf::from(repo)),
            None => cwd,
        };
    let Some(store) = Store::discover(&start) else {
        return Vec::new();
    };
    store
        .ids()
        .unwrap_or_default()
        .into_iter()
        .filter(|id| id.starts_with(current))
        .map(CompletionCandidate::new)
        .collect()
}

/// The `--repo DIR` (or `--repo=DIR`) of the command line being completed:
/// the shell passes it to inc after `--`.
fn repo_option() -> Option<std::ffi::OsString> {
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
