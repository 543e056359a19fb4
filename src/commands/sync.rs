//! `inc sync`: fetch, rebase the local commits onto the remote branch, push;
//! when someone pushed first, wait a little and do it again.
//!
//! Decisions (see also the README section "Alerts and CI"):
//! - The user's own `git` does the fetch, rebase and push, so credential
//!   helpers, ssh config and hooks work as in their shell. inc's lock is held
//!   throughout, so an `inc note` on the same clone waits for the sync.
//! - Default target: the current branch's upstream, else `origin` and the
//!   branch's own name. The push is always `HEAD:refs/heads/<branch>`.
//! - The rebase uses `--autostash`: unrelated uncommitted work survives.
//!   Timelines merge line by line (`merge=union` in `.gitattributes`).
//! - Before rebasing, an incident ID that both sides added for different
//!   incidents (the same title opened on the same day in two clones) is
//!   renamed locally to the next free `-N`, so the two never collide.
//! - A push rejected because the remote moved (`fetch first`,
//!   `non-fast-forward`, or the remote's ref lock lost to a concurrent push)
//!   is retried after 100 ms, 200 ms, 400 ms … (capped at 5 s, plus jitter),
//!   `--retries` times. Any other failure stops at once, quoting git.

use std::hash::{BuildHasher, RandomState};
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};

use crate::app::App;
use crate::cli::SyncArgs;
use crate::error::{UserError, user_error_with_hint};
use crate::model::id::slugify;
use crate::render::text::sanitize;
use crate::store::git::Git;
use crate::store::gitcli::{GitCli, Output};
use crate::ui::Ui;

/// The first wait after a rejected push; it doubles each time.
const FIRST_WAIT: Duration = Duration::from_millis(100);
/// The longest wait between two attempts (before jitter).
const MAX_WAIT: Duration = Duration::from_secs(5);

/// What to sync with; `None` means the default.
#[derive(Debug, Clone, Copy)]
pub struct Options<'a> {
    pub remote: Option<&'a str>,
    pub branch: Option<&'a str>,
    pub retries: u32,
}

impl Options<'_> {
    /// The defaults `inc sync` uses with no flags.
    pub const DEFAULT: Options<'static> = Options {
        remote: None,
        branch: None,
        retries: 5,
    };
}

pub fn run(app: &App, ui: &Ui, args: &SyncArgs) -> Result<ExitCode> {
    sync(
        app,
        ui,
        &Options {
            remote: args.remote.as_deref(),
            branch: args.branch.as_deref(),
            retries: args.retries,
        },
    )?;
    Ok(ExitCode::SUCCESS)
}

/// Pulls and pushes the repository; tells the user what happened.
pub fn sync(app: &App, ui: &Ui, options: &Options) -> Result<()> {
    let Some(git) = app.git() else {
        return Err(user_error_with_hint(
            format!(
                "{} is not in a git repository, so there is nothing to sync",
                app.store.root().display()
            ),
            "`git init`, commit, and `git remote add origin URL` first",
        ));
    };
    let _lock = app.lock()?;
    if git.head_oid().is_none() {
        return Err(user_error_with_hint(
            "nothing is committed here yet, so there is nothing to sync",
            "`git pull` to get the remote's history, or commit first (`inc init` does)",
        ));
    }
    let (remote, branch) = target(git, options)?;
    let cli = identity(GitCli::new(git.workdir()), git, &app.author);
    if !timelines_merge_by_union(git, &cli) {
        ui.warn(
            "git does not merge timelines line by line here (no `incidents/**/timeline.yaml \
             merge=union` in .gitattributes), so two people's notes on one incident will conflict",
        );
        ui.hint("`inc init` adds the line (it changes nothing else in an incident repository)");
    }
    let name = format!("{remote}/{branch}");
    let summary = retry(
        options.retries,
        &name,
        |_| round(git, &cli, ui, &remote, &branch),
        std::thread::sleep,
    )?;
    ui.status(&summary);
    Ok(())
}

/// Whether git's attributes (from any source: `.gitattributes`, the
/// repository's `info/attributes`, the user's own) give timelines the union
/// merge that keeps two responders' appends from conflicting.
fn timelines_merge_by_union(git: &Git, cli: &GitCli) -> bool {
    let timeline = git.worktree_path(
        &Path::new(crate::store::INCIDENTS_DIR).join("2000/2000-01-01-any/timeline.yaml"),
    );
    cli.run(&["check-attr", "merge", "--", &timeline])
        .is_ok_and(|out| out.success && out.text().ends_with(": merge: union"))
}

/// The remote and the branch on it.
fn target(git: &Git, options: &Options) -> Result<(String, String)> {
    let current = git.current_branch();
    let (up_remote, up_branch) = current
        .as_deref()
        .map(|b| git.upstream_of(b))
        .unwrap_or_default();
    let remote = options
        .remote
        .map(str::to_owned)
        .or_else(|| up_remote.clone())
        .unwrap_or_else(|| "origin".to_owned());
    let branch = options
        .branch
        .map(str::to_owned)
        .or_else(|| up_branch.filter(|_| up_remote.as_deref() == Some(remote.as_str())))
        .or(current);
    let Some(branch) = branch else {
        return Err(user_error_with_hint(
            "HEAD is detached, so there is no branch to sync",
            "`git switch BRANCH`, or pass --branch NAME",
        ));
    };
    if !git.has_remote(&remote) {
        return Err(user_error_with_hint(
            format!("there is no git remote `{}`", sanitize(&remote)),
            format!(
                "`git remote add {} URL`, or pass --remote NAME",
                sanitize(&remote)
            ),
        ));
    }
    if branch.starts_with('-') || branch.contains(char::is_whitespace) || branch.contains(':') {
        return Err(user_error_with_hint(
            format!("`{}` is not a branch name", sanitize(&branch)),
            "pass --branch NAME",
        ));
    }
    Ok((remote, branch))
}

/// git needs a committer to rebase (and a name for the autostash); a CI
/// runner often has none configured. Then the inc author stands in, with an
/// address that is clearly not deliverable.
fn identity(cli: GitCli, git: &Git, author: &str) -> GitCli {
    let (name, email) = git.user();
    let mut cli = cli;
    if name.is_none_or(|n| n.trim().is_empty()) {
        cli = cli
            .env("GIT_COMMITTER_NAME", author)
            .env("GIT_AUTHOR_NAME", author);
    }
    if email.is_none_or(|e| e.trim().is_empty()) {
        let email = format!("{}@inc.invalid", slugify(author));
        cli = cli
            .env("GIT_COMMITTER_EMAIL", email.clone())
            .env("GIT_AUTHOR_EMAIL", email);
    }
    cli
}

/// The outcome of one fetch–rebase–push round.
#[derive(Debug)]
enum Round {
    /// Finished; what to tell the user.
    Done(String),
    /// The push was rejected because the remote moved; git's words.
    Moved(String),
}

/// Runs `round` until it is done, at most `retries + 1` times, waiting
/// longer after each rejected push. Errors stop at once.
fn retry(
    retries: u32,
    name: &str,
    mut round: impl FnMut(u32) -> Result<Round>,
    mut wait: impl FnMut(Duration),
) -> Result<String> {
    let attempts = retries.saturating_add(1);
    let mut attempt = 1;
    loop {
        match round(attempt)? {
            Round::Done(summary) => return Ok(summary),
            Round::Moved(why) if attempt >= attempts => {
                return Err(user_error_with_hint(
                    format!(
                        "the push to {name} was rejected {attempts} {} because others pushed \
                         first each time:\n{}",
                        if attempts == 1 { "time" } else { "times" },
                        quote(&why)
                    ),
                    "your commits are safe in this clone; run `inc sync` again \
                     (or pass a higher --retries)",
                ));
            }
            Round::Moved(_) => {
                wait(backoff(attempt));
                attempt += 1;
            }
        }
    }
}

/// The wait after attempt `n` (from 1): 100 ms doubling, capped, plus up to
/// half as much again at random so racing clones spread out.
fn backoff(n: u32) -> Duration {
    let base = FIRST_WAIT
        .saturating_mul(1u32 << n.saturating_sub(1).min(16))
        .min(MAX_WAIT);
    let half = base.as_millis() as u64 / 2;
    let jitter = RandomState::new().hash_one(n) % half.max(1);
    base + Duration::from_millis(jitter)
}

/// One fetch, rebase (with renames) and push.
fn round(git: &Git, cli: &GitCli, ui: &Ui, remote: &str, branch: &str) -> Result<Round> {
    let name = format!("{remote}/{branch}");
    let upstream = fetch(git, cli, remote, branch)?;
    let head = git.head_oid().context("HEAD does not point at a commit")?;
    let mut pulled = 0;
    if let Some(up) = &upstream {
        if head == *up {
            return Ok(Round::Done(format!("Up to date with {name}.")));
        }
        if !git.is_ancestor(up, &head)? {
            pulled = git.count_between(Some(&head), up)?;
            if !git.is_ancestor(&head, up)? {
                for r in git.rename_collisions(up)? {
                    ui.status(&format!(
                        "Renamed {} to {}: {name} already has a different incident with that ID.",
                        r.from, r.to
                    ));
                }
            }
            rebase(cli, ui, up, &name)?;
            let head = git.head_oid().context("HEAD does not point at a commit")?;
            if head == *up {
                return Ok(Round::Done(format!(
                    "Pulled {} from {name}; nothing to push.",
                    commits(pulled)
                )));
            }
        }
    }
    let head = git.head_oid().context("HEAD does not point at a commit")?;
    let ahead = git.count_between(upstream.as_deref(), &head)?;
    let out = cli.run(&["push", remote, &format!("HEAD:refs/heads/{branch}")])?;
    if !out.success {
        let said = format!("{}{}", out.stdout, out.stderr);
        if remote_moved(&said) {
            return Ok(Round::Moved(said));
        }
        return Err(user_error_with_hint(
            format!(
                "`git push {}` failed; your commits are safe in this clone:\n{}",
                sanitize(remote),
                quote(&said)
            ),
            "fix what git says, then run `inc sync` again",
        ));
    }
    let pulled = if pulled > 0 {
        format!(" (after pulling {})", commits(pulled))
    } else {
        String::new()
    };
    let new = if upstream.is_none() {
        ", a new branch there"
    } else {
        ""
    };
    Ok(Round::Done(format!(
        "Pushed {} to {name}{new}{pulled}.",
        commits(ahead)
    )))
}

/// Fetches the remote branch into `refs/remotes/<remote>/<branch>`;
/// `None` when the remote has no such branch yet.
fn fetch(git: &Git, cli: &GitCli, remote: &str, branch: &str) -> Result<Option<String>> {
    let tracking = format!("refs/remotes/{remote}/{branch}");
    let out = cli.run(&[
        "fetch",
        "--quiet",
        "--no-tags",
        remote,
        &format!("+refs/heads/{branch}:{tracking}"),
    ])?;
    if !out.success {
        if out.stderr.contains("couldn't find remote ref") {
            return Ok(None);
        }
        return Err(user_error_with_hint(
            format!(
                "`git fetch {}` failed; nothing was changed:\n{}",
                sanitize(remote),
                quote(&out.stderr)
            ),
            "check the remote's URL and your access to it, then run `inc sync` again",
        ));
    }
    git.ref_oid(&tracking)
        .map(Some)
        .with_context(|| format!("`git fetch` did not leave {tracking}"))
}

/// Rebases HEAD onto `onto`; on a conflict the rebase is left stopped and
/// the error names the files.
fn rebase(cli: &GitCli, ui: &Ui, onto: &str, name: &str) -> Result<()> {
    let out = cli.run(&["rebase", "--autostash", "--no-autosquash", onto])?;
    if out.success {
        if out
            .stderr
            .contains("Applying autostash resulted in conflicts")
        {
            ui.warn(&format!(
                "your uncommitted changes did not apply cleanly after the rebase; they are kept in \
                 `git stash list`:\n{}",
                quote(&out.stderr)
            ));
        }
        return Ok(());
    }
    let files = conflicted(cli)?;
    if !files.is_empty() {
        let list: Vec<String> = files.iter().map(|f| format!("  {}", sanitize(f))).collect();
        return Err(UserError::new(format!(
            "rebasing your commits onto {name} stopped at a conflict in:\n{}",
            list.join("\n")
        ))
        .with_hint(
            "the rebase is left in progress (`git status` explains it); your commits are safe",
        )
        .with_hint(
            "resolve the conflict in the file, `git add` it, `git rebase --continue`, \
             then `inc sync` again",
        )
        .with_hint("or `git rebase --abort` to go back to where you were")
        .into());
    }
    Err(user_error_with_hint(
        format!("`git rebase` onto {name} failed:\n{}", quote(&out.stderr)),
        "`git status` shows where things stand; `git rebase --abort` undoes a started rebase",
    ))
}

/// The files git has left with conflicts.
fn conflicted(cli: &GitCli) -> Result<Vec<String>> {
    let out: Output = cli.run(&["diff", "--name-only", "--diff-filter=U"])?;
    Ok(out.text().lines().map(str::to_owned).collect())
}

/// Whether git's words say a push was rejected because the remote branch
/// moved since we fetched, which another round fixes.
fn remote_moved(said: &str) -> bool {
    said.lines().any(|l| {
        (l.contains("[rejected]") && (l.contains("fetch first") || l.contains("non-fast-forward")))
            || (l.contains("[remote rejected]")
                && (l.contains("cannot lock ref")
                    || l.contains("failed to update ref")
                    || l.contains("but expected")))
    })
}

/// git's output, indented, control characters stripped, at most 20 lines.
fn quote(text: &str) -> String {
    let lines: Vec<String> = sanitize(text)
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .take(20)
        .map(|l| format!("  {}", l.trim_start()))
        .collect();
    if lines.is_empty() {
        "  (git said nothing)".to_owned()
    } else {
        lines.join("\n")
    }
}

fn commits(n: usize) -> String {
    if n == 1 {
        "1 commit".to_owned()
    } else {
        format!("{n} commits")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FETCH_FIRST: &str = "To /tmp/remote.git\n ! [rejected]        HEAD -> main (fetch first)\n\
        error: failed to push some refs to '/tmp/remote.git'\n";

    #[test]
    fn retries_are_bounded_and_waits_grow() {
        let mut calls = 0;
        let mut waits = Vec::new();
        let err = retry(
            3,
            "origin/main",
            |_| {
                calls += 1;
                Ok(Round::Moved(FETCH_FIRST.to_owned()))
            },
            |d| waits.push(d),
        )
        .unwrap_err();
        assert_eq!(calls, 4, "one try and three retries");
        assert_eq!(waits.len(), 3, "a wait between tries, none after the last");
        for (i, w) in waits.iter().enumerate() {
            let base = Duration::from_millis(100 << i);
            assert!(*w >= base && *w < base + base / 2, "wait {i}: {w:?}");
        }
        let text = format!("{err:#}");
        assert!(text.contains("rejected 4 times"), "{text}");
        let hints = crate::error::hints(&err);
        assert!(hints[0].contains("your commits are safe"), "{hints:?}");
        assert!(
            text.contains("[rejected]"),
            "git's words are quoted: {text}"
        );
    }

    #[test]
    fn a_retry_that_gets_through_succeeds() {
        let mut calls = 0;
        let mut waits = 0;
        let done = retry(
            5,
            "origin/main",
            |attempt| {
                calls += 1;
                Ok(if attempt < 3 {
                    Round::Moved(FETCH_FIRST.to_owned())
                } else {
                    Round::Done("Pushed".to_owned())
                })
            },
            |_| waits += 1,
        )
        .unwrap();
        assert_eq!((done.as_str(), calls, waits), ("Pushed", 3, 2));
    }

    #[test]
    fn other_errors_stop_at_once_and_zero_retries_means_one_try() {
        let mut calls = 0;
        let err = retry(
            5,
            "origin/main",
            |_| -> Result<Round> {
                calls += 1;
                anyhow::bail!("hook declined")
            },
            |_| panic!("no wait after an error"),
        )
        .unwrap_err();
        assert_eq!(calls, 1);
        assert_eq!(format!("{err}"), "hook declined");

        let mut calls = 0;
        let err = retry(
            0,
            "origin/main",
            |_| {
                calls += 1;
                Ok(Round::Moved(FETCH_FIRST.to_owned()))
            },
            |_| panic!("no wait with no retries"),
        )
        .unwrap_err();
        assert_eq!(calls, 1);
        assert!(format!("{err:#}").contains("rejected 1 time "));
    }

    #[test]
    fn backoff_is_capped() {
        assert!(backoff(30) <= MAX_WAIT + MAX_WAIT / 2);
        assert!(backoff(30) >= MAX_WAIT);
    }

    #[test]
    fn only_a_moved_remote_is_retried() {
        assert!(remote_moved(FETCH_FIRST));
        assert!(remote_moved(
            " ! [rejected]        HEAD -> main (non-fast-forward)\n"
        ));
        assert!(remote_moved(
            " ! [remote rejected] HEAD -> main (cannot lock ref 'refs/heads/main': is at 1a but expected 2b)\n"
        ));
        assert!(!remote_moved(
            " ! [remote rejected] HEAD -> main (pre-receive hook declined)\n"
        ));
        assert!(!remote_moved(
            "fatal: Authentication failed for 'https://example.com/x.git/'\n"
        ));
    }

    #[test]
    fn quoted_git_output_has_no_control_characters() {
        assert_eq!(
            quote("remote: \x1b[31mno\x07\r\n\n"),
            "  remote: [31mno".to_owned()
        );
    }
}
