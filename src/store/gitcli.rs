//! The user's own `git` binary, for everything that talks to a remote
//! (fetch, push) or rewrites the work tree (rebase): credential helpers, ssh
//! config and hooks then behave exactly as in the user's shell.
//!
//! git runs as a child process with `-C <work tree>`, never through a shell,
//! with no editor (`core.editor=true`, `GIT_EDITOR=true`) and no terminal on
//! stdin, and with `LC_ALL=C` so the few messages inc reads (a rejected
//! push, a missing remote branch) are git's English ones.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result};

use crate::error::WithHint;

/// Runs `git -C <dir> …`.
#[derive(Debug, Clone)]
pub struct GitCli {
    dir: PathBuf,
    env: Vec<(&'static str, String)>,
}

/// What one git command did.
#[derive(Debug, Clone)]
pub struct Output {
    pub success: bool,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    /// stdout, trimmed.
    pub fn text(&self) -> &str {
        self.stdout.trim()
    }
}

impl GitCli {
    pub fn new(dir: &Path) -> GitCli {
        GitCli {
            dir: dir.to_path_buf(),
            env: Vec::new(),
        }
    }

    /// Sets an environment variable for every command (an identity
    /// fallback, say).
    pub fn env(mut self, key: &'static str, value: impl Into<String>) -> GitCli {
        self.env.push((key, value.into()));
        self
    }

    /// Runs git with `args`. An error means git could not be started; a
    /// failing git command is an [`Output`] with `success: false`.
    pub fn run(&self, args: &[&str]) -> Result<Output> {
        self.run_with_input(args, "")
    }

    /// [`GitCli::run`] with `input` on git's stdin.
    pub fn run_with_input(&self, args: &[&str], input: &str) -> Result<Output> {
        let mut child = Command::new("git")
            .arg("-C")
            .arg(&self.dir)
            .args(["-c", "core.editor=true", "-c", "core.quotepath=off"])
            .args(args)
            .env("GIT_EDITOR", "true")
            .env("GIT_SEQUENCE_EDITOR", "true")
            .env("GIT_MERGE_AUTOEDIT", "no")
            .env("LC_ALL", "C")
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(if input.is_empty() {
                Stdio::null()
            } else {
                Stdio::piped()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .context("can't run `git`")
            .with_hint("install git and make sure it is on PATH")?;
        if let Some(mut stdin) = child.stdin.take() {
            // git reads all of it before writing much; a failure shows in its status.
            let _ = stdin.write_all(input.as_bytes());
        }
        let out = child.wait_with_output().context("can't run `git`")?;
        Ok(Output {
            success: out.status.success(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        })
    }
}
