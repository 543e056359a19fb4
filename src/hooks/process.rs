//! Running one hook: `sh -c` from the repository root, in its own process
//! group, killed with its children when it runs past its timeout, its last
//! lines of output kept.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use super::TAIL_LINES;
use crate::render::text::sanitize;

/// How a hook's run ended.
#[derive(Debug)]
pub struct Outcome {
    /// `None` when it could not be started or waited for (see `error`).
    pub status: Option<ExitStatus>,
    /// It ran past its timeout and was killed with its children.
    pub timed_out: bool,
    /// Why it could not be started.
    pub error: Option<String>,
    /// Its last lines of output, stdout and stderr as they came, made safe
    /// for a terminal.
    pub tail: Vec<String>,
}

impl Outcome {
    pub fn succeeded(&self) -> bool {
        !self.timed_out && self.status.is_some_and(|s| s.success())
    }

    /// `exit status 3`, `killed by signal 9`.
    pub fn status_text(&self) -> String {
        match (&self.error, self.status) {
            (Some(e), _) => format!("could not start: {e}"),
            (None, Some(s)) => match (s.code(), signal_of(s)) {
                (Some(code), _) => format!("exit status {code}"),
                (None, Some(sig)) => format!("killed by signal {sig}"),
                (None, None) => s.to_string(),
            },
            (None, None) => "no exit status".to_owned(),
        }
    }
}

#[cfg(unix)]
fn signal_of(status: ExitStatus) -> Option<i32> {
    std::os::unix::process::ExitStatusExt::signal(&status)
}

#[cfg(not(unix))]
fn signal_of(_: ExitStatus) -> Option<i32> {
    None
}

/// The last [`TAIL_LINES`] lines of output.
#[derive(Default)]
struct Tail(VecDeque<String>);

impl Tail {
    fn push(&mut self, line: &[u8]) {
        let text = String::from_utf8_lossy(line);
        let text = sanitize(text.trim_end_matches(['\n', '\r']));
        let text: String = text.chars().take(300).collect();
        if self.0.len() == TAIL_LINES {
            self.0.pop_front();
        }
        self.0.push_back(text);
    }
}

/// Runs `run` with `sh -c` in `dir`, `stdin` on its standard input and
/// `env` added to inc's environment, and waits until it exits and its
/// output closes, at most `timeout`. Past it, the hook's process group (it
/// gets its own) is killed: the shell and everything it started.
pub fn spawn(
    run: &str,
    dir: &Path,
    stdin: Vec<u8>,
    env: &[(&str, String)],
    timeout: Duration,
) -> Outcome {
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(run)
        .current_dir(dir)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    let mut child = match cmd.spawn() {
        Ok(child) => child,
        Err(e) => {
            return Outcome {
                status: None,
                timed_out: false,
                error: Some(e.to_string()),
                tail: Vec::new(),
            };
        }
    };
    let deadline = Instant::now() + timeout;
    // A hook need not read its input: the writer gives up when it exits.
    if let Some(mut input) = child.stdin.take() {
        crate::par::background(move || {
            let _ = input.write_all(&stdin);
        });
    }
    let tail = Arc::new(Mutex::new(Tail::default()));
    let (closed_tx, closed_rx) = mpsc::channel::<()>();
    let pipes: Vec<Box<dyn Read + Send>> = [
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    ]
    .into_iter()
    .flatten()
    .collect();
    let open_pipes = pipes.len();
    for pipe in pipes {
        let tail = Arc::clone(&tail);
        let closed = closed_tx.clone();
        crate::par::background(move || {
            let mut reader = BufReader::new(pipe);
            let mut line = Vec::new();
            loop {
                line.clear();
                match reader.read_until(b'\n', &mut line) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        if let Ok(mut tail) = tail.lock() {
                            tail.push(&line);
                        }
                    }
                }
            }
            let _ = closed.send(());
        });
    }
    drop(closed_tx);
    let mut status = None;
    let mut closed = 0;
    let mut timed_out = false;
    // Done when the shell has exited and nothing holds its output open.
    while status.is_none() || closed < open_pipes {
        if status.is_none() {
            status = child.try_wait().ok().flatten();
        }
        let now = Instant::now();
        if now >= deadline {
            timed_out = status.is_none() || closed < open_pipes;
            break;
        }
        let step = (deadline - now).min(Duration::from_millis(10));
        match closed_rx.recv_timeout(step) {
            Ok(()) => closed += 1,
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => closed = open_pipes,
        }
    }
    if timed_out {
        kill_group(&mut child);
        if status.is_none() {
            status = child.wait().ok();
        }
        // The readers end once every process holding the pipes is gone;
        // one that left the group (setsid) is not waited for long.
        let grace = Instant::now() + Duration::from_secs(2);
        while closed < open_pipes {
            let left = grace.saturating_duration_since(Instant::now());
            if closed_rx.recv_timeout(left).is_err() {
                break;
            }
            closed += 1;
        }
    }
    let tail = tail
        .lock()
        .map(|t| t.0.iter().cloned().collect())
        .unwrap_or_default();
    Outcome {
        status,
        timed_out,
        error: None,
        tail,
    }
}

/// Kills the hook's process group: the shell and what it started.
#[cfg(unix)]
fn kill_group(child: &mut std::process::Child) {
    use nix::sys::signal::{Signal, killpg};
    use nix::unistd::Pid;
    match i32::try_from(child.id()) {
        Ok(pid) => {
            let _ = killpg(Pid::from_raw(pid), Signal::SIGKILL);
        }
        Err(_) => {
            let _ = child.kill();
        }
    }
}

#[cfg(not(unix))]
fn kill_group(child: &mut std::process::Child) {
    let _ = child.kill();
}
