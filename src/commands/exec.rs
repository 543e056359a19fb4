//! `inc exec`: runs a command, then records what ran, how it ended and how
//! long it took as an internal note, and exits as the command did.
//!
//! The incident is picked before the command runs, so a typo or an
//! ambiguous call fails before a long command, not after it. Nothing is
//! written and no lock is held while it runs: the note is appended (one
//! change, one commit) once it has ended, so a killed inc leaves nothing
//! half written, and other inc commands go on meanwhile. A SIGTERM or
//! SIGHUP that inc gets meanwhile is passed on, and the note says so
//! (`prompt::Waiting`).

use std::io::{self, IsTerminal, Read, Write};
use std::process::{Child, Command, ExitCode, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use crate::app::{App, commit_message};
use crate::cli::ExecArgs;
use crate::error::user_error_with_hint;
use crate::model::exec::{self, Captured, Masked, Outcome, Stream, Tail};
use crate::model::{Event, EventKind};
use crate::prompt::Waiting;
use crate::render::text::one_line;
use crate::store::change::{Change, Edit};
use crate::store::{Store, event_lines};
use crate::ui::Ui;

/// After the command ends, how long inc waits for output that stopped
/// coming before it gives up on the rest (a process the command left in
/// the background may hold the output open).
const IDLE: Duration = Duration::from_millis(500);
/// And how long at most, output coming or not.
const DRAIN_AT_MOST: Duration = Duration::from_secs(10);

pub fn run(app: &App, ui: &Ui, args: &ExecArgs) -> Result<ExitCode> {
    let id = app.find_incident(args.id.as_deref())?;
    let Some((program, rest)) = args.command.split_first() else {
        return Err(user_error_with_hint(
            "no command to run",
            "inc exec [ID] -- CMD ARGS…",
        ));
    };
    let argv: Vec<String> = args
        .command
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let masked = exec::mask_command(&argv);
    // Ctrl-C from here on goes to the command; inc records how it ended.
    let waiting = Waiting::start();
    let mut command = Command::new(program);
    command.args(rest);
    let ran = match args.capture {
        None => inherited(&mut command, &waiting)?,
        Some(keep) => piped(&mut command, usize::from(keep), &masked, &waiting)?,
    };
    if let Outcome::NotStarted { reason, code } = &ran.outcome {
        ui.error(&format!(
            "could not start `{}`: {reason}",
            one_line(&masked.args[0], 80)
        ));
        ui.hint(if *code == 127 {
            "is it installed, and in a folder on PATH? (or give its path: ./script.sh)"
        } else {
            "is it a program or a script with a `#!` line, and executable (chmod +x)?"
        });
    }
    let stopped = waiting
        .stopped_by()
        .map(|(signal, passed_on)| exec::Stopped {
            signal: signal.to_owned(),
            passed_on,
        });
    let text = exec::note_text(
        &masked,
        &ran.outcome,
        ran.took,
        ran.captured.as_ref(),
        stopped.as_ref(),
    );
    let event = Event::new(
        app.now,
        &app.author,
        EventKind::Note {
            text,
            pinned: false,
        },
    );
    let recorded = record(app, ui, &id, &event);
    drop(waiting);
    let code = ran.outcome.exit_code();
    let how = match ran.outcome {
        Outcome::NotStarted { .. } => ran.outcome.describe(),
        _ => format!(
            "{} after {}",
            ran.outcome.describe(),
            exec::duration(ran.took)
        ),
    };
    match recorded {
        Ok(()) => {
            ui.status(&format!("Noted on {id}: {how}."));
            Ok(ExitCode::from(code))
        }
        Err(e) => {
            // The command's status still says how it went; a success
            // that could not be recorded is a failure of inc's.
            crate::exit::report(&e.context(format!(
                "the command ended ({how}), but inc could not note it on {id}"
            )));
            Ok(ExitCode::from(if code == 0 { 1 } else { code }))
        }
    }
}

/// What running the command gave.
struct Ran {
    outcome: Outcome,
    /// From the start to its end, on the monotonic clock.
    took: Duration,
    captured: Option<Captured>,
}

impl Ran {
    fn not_started(e: &io::Error) -> Ran {
        // "No such file or directory (os error 2)": the words are enough.
        let text = e.to_string();
        let reason = match text.rfind(" (os error ") {
            Some(i) => text[..i].to_owned(),
            None => text,
        };
        Ran {
            outcome: Outcome::NotStarted {
                reason,
                code: if e.kind() == io::ErrorKind::NotFound {
                    127
                } else {
                    126
                },
            },
            took: Duration::ZERO,
            captured: None,
        }
    }
}

/// Starts the command and tells `waiting` its PID, so a signal inc gets
/// from now on reaches it; or says why it could not start.
fn start(command: &mut Command, waiting: &Waiting) -> std::result::Result<Child, Ran> {
    let child = command.spawn().map_err(|e| Ran::not_started(&e))?;
    waiting.running(child.id());
    waiting.forward_to(forward_pid(child.id()));
    Ok(child)
}

/// Runs the command on inc's own stdin, stdout and stderr: colours,
/// progress bars and prompts work as they would without inc.
fn inherited(command: &mut Command, waiting: &Waiting) -> Result<Ran> {
    let started = Instant::now();
    let mut child = match start(command, waiting) {
        Ok(child) => child,
        Err(not_started) => return Ok(not_started),
    };
    let status = child.wait().context("can't wait for the command to end")?;
    let took = started.elapsed();
    waiting.ended();
    Ok(Ran {
        outcome: outcome_of(status),
        took,
        captured: None,
    })
}

/// Runs the command with its stdout and stderr piped through inc, copied
/// to inc's as they come, keeping the last `keep` lines.
fn piped(command: &mut Command, keep: usize, masked: &Masked, waiting: &Waiting) -> Result<Ran> {
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = match start(command, waiting) {
        Ok(child) => child,
        Err(not_started) => return Ok(not_started),
    };
    let tail = Arc::new(Mutex::new(Tail::new(keep)));
    let bytes = Arc::new(AtomicU64::new(0));
    let (done, ended) = mpsc::channel();
    let mut readers = 0;
    if let Some(out) = child.stdout.take() {
        readers += 1;
        spawn_copy(out, Stream::Out, &tail, &bytes, &done);
    }
    if let Some(err) = child.stderr.take() {
        readers += 1;
        spawn_copy(err, Stream::Err, &tail, &bytes, &done);
    }
    drop(done);
    let status = child.wait().context("can't wait for the command to end")?;
    let took = started.elapsed();
    waiting.ended();
    let drained = drain(&ended, readers, &bytes);
    let tail = std::mem::replace(
        &mut *tail.lock().unwrap_or_else(|e| e.into_inner()),
        Tail::new(1),
    );
    Ok(Ran {
        outcome: outcome_of(status),
        took,
        captured: Some(tail.finish(&masked.secrets, !drained)),
    })
}

/// Copies one of the command's outputs to inc's as it comes, and into the
/// tail, on a thread of its own; says so on `done` at the end.
fn spawn_copy(
    mut from: impl Read + Send + 'static,
    stream: Stream,
    tail: &Arc<Mutex<Tail>>,
    bytes: &Arc<AtomicU64>,
    done: &Sender<()>,
) {
    let (tail, bytes, done) = (Arc::clone(tail), Arc::clone(bytes), done.clone());
    crate::par::background(move || {
        let mut buffer = vec![0u8; 64 * 1024];
        // Once inc's own output is gone (`| head`), keep reading: the
        // command runs on, and its tail is still kept.
        let mut live = true;
        loop {
            let n = match from.read(&mut buffer) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(_) => break,
            };
            let chunk = &buffer[..n];
            if live {
                live = write_live(stream, chunk).is_ok();
            }
            tail.lock()
                .unwrap_or_else(|e| e.into_inner())
                .feed(stream, chunk);
            bytes.fetch_add(n as u64, Ordering::Relaxed);
        }
        let _ = done.send(());
    });
}

fn write_live(stream: Stream, chunk: &[u8]) -> io::Result<()> {
    match stream {
        Stream::Out => {
            let mut out = io::stdout().lock();
            out.write_all(chunk)?;
            out.flush()
        }
        Stream::Err => {
            let mut err = io::stderr().lock();
            err.write_all(chunk)?;
            err.flush()
        }
    }
}

/// Waits for the `open` readers to reach the end of the output after the
/// command ended, while output keeps coming (at most [`DRAIN_AT_MOST`]);
/// whether they all did.
fn drain(ended: &Receiver<()>, mut open: usize, bytes: &AtomicU64) -> bool {
    let give_up = Instant::now() + DRAIN_AT_MOST;
    let mut seen = bytes.load(Ordering::Relaxed);
    while open > 0 {
        match ended.recv_timeout(IDLE) {
            Ok(()) => open -= 1,
            // Every reader is gone: nothing more can come.
            Err(RecvTimeoutError::Disconnected) => return true,
            Err(RecvTimeoutError::Timeout) => {
                let now = bytes.load(Ordering::Relaxed);
                if now == seen || Instant::now() >= give_up {
                    return false;
                }
                seen = now;
            }
        }
    }
    true
}

/// Whom to pass a SIGINT inc gets on to: the command, unless inc runs at
/// a terminal, whose Ctrl-C reaches the command as well (a second one
/// would make many programs quit harder than asked).
fn forward_pid(pid: u32) -> Option<u32> {
    let at_terminal =
        io::stdin().is_terminal() || io::stdout().is_terminal() || io::stderr().is_terminal();
    (!at_terminal).then_some(pid)
}

fn outcome_of(status: ExitStatus) -> Outcome {
    if let Some(code) = status.code() {
        return Outcome::Exited(code);
    }
    #[cfg(unix)]
    if let Some(number) = std::os::unix::process::ExitStatusExt::signal(&status) {
        let name = nix::sys::signal::Signal::try_from(number)
            .map(|s| s.as_str().to_owned())
            .unwrap_or_else(|_| format!("signal {number}"));
        return Outcome::Signalled { number, name };
    }
    Outcome::Exited(1)
}

/// Appends the note and commits it, under the lock, now that the command
/// has ended. The commit's subject is the note's first line.
fn record(app: &App, ui: &Ui, id: &str, event: &Event) -> Result<()> {
    let _lock = app.lock()?;
    if !app.store.exists(id) {
        return Err(user_error_with_hint(
            format!("incident `{id}` is gone: it was renamed or removed while the command ran"),
            "`inc list --status all` lists the incidents; `inc note ID -` records text from stdin",
        ));
    }
    let events = std::slice::from_ref(event);
    let change = Change {
        files: vec![(Store::timeline_path(id), Edit::Append(event_lines(events)))],
        new_dir: None,
    };
    let mut subject = event.clone();
    if let EventKind::Note { text, .. } = &mut subject.kind {
        *text = text.lines().next().unwrap_or_default().to_owned();
    }
    app.change_with_message(ui, &change, &commit_message(id, &[subject]))?;
    app.hooks_after(id, events);
    Ok(())
}
