//! Prompts that leave the terminal as they found it.
//!
//! The prompt library hides the cursor while it shows a list, and turns
//! Ctrl-C into SIGINT; inc stopped there by the default handler would leave
//! the shell without a cursor. While a prompt is up, a handler shows the
//! cursor again and exits 130 (what a shell reports for Ctrl-C), saying
//! nothing was recorded; Esc (or `q`) in a list cancels the same way.
//! Prompts come before anything is written.
//!
//! The same handler (a process has one) keeps inc alive while it waits for
//! a command it runs (`inc exec`): Ctrl-C at a terminal reaches that
//! command too, which decides what to do with it, and inc records how it
//! ended. A SIGINT sent to inc alone (no terminal: a script's `kill -INT`)
//! is passed on to the command.
//!
//! SIGTERM and SIGHUP are caught too while inc waits for a command: a CI
//! job's timeout or a closed SSH session would otherwise kill inc and
//! leave the command running unrecorded. A SIGTERM is passed on to the
//! command (nothing else sends it one); a SIGHUP only without a terminal,
//! since a hung-up terminal's reaches the command itself. inc then
//! records how the command ended, and that it was told to stop. Outside
//! that wait these signals end inc as they would without the watcher.

use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU32, Ordering};

/// The exit code of a prompt cancelled by Ctrl-C or Esc.
pub const CANCELLED: i32 = 130;

static PROMPTING: AtomicBool = AtomicBool::new(false);
/// inc is waiting for a command it runs.
static WAITING: AtomicBool = AtomicBool::new(false);
/// That command's process ID, to pass a SIGINT on to (0: none).
static FORWARD_TO: AtomicU32 = AtomicU32::new(0);
/// A SIGINT not passed on yet (it came while the command was starting).
static PENDING: AtomicBool = AtomicBool::new(false);
static EDITING: AtomicBool = AtomicBool::new(false);
/// The command inc waits for, to pass a SIGTERM on to (0: none).
static COMMAND: AtomicU32 = AtomicU32::new(0);
/// A SIGTERM or SIGHUP not passed on yet (0: none).
static PENDING_STOP: AtomicI32 = AtomicI32::new(0);
/// The SIGTERM or SIGHUP inc got while it waited (0: none), and whether
/// it was passed on.
static STOPPED_BY: AtomicI32 = AtomicI32::new(0);
static PASSED_ON: AtomicBool = AtomicBool::new(false);

/// Installs the Ctrl-C handler, once per process.
fn install() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = ctrlc::set_handler(|| {
            // The editor has the terminal, and Ctrl-C is its to handle.
            if EDITING.load(Ordering::SeqCst) {
                return;
            }
            if WAITING.load(Ordering::SeqCst) {
                // Whichever of this and `forward_to` takes PENDING
                // passes it on: once, even while the command is starting.
                PENDING.store(true, Ordering::SeqCst);
                let pid = FORWARD_TO.load(Ordering::SeqCst);
                if pid != 0 && PENDING.swap(false, Ordering::SeqCst) {
                    forward(pid);
                }
                return;
            }
            if PROMPTING.load(Ordering::SeqCst) {
                cancel();
            }
            // Past the prompts, as without the handler.
            std::process::exit(CANCELLED);
        });
    });
}

/// A prompt being shown: Ctrl-C cancels it, until this is dropped.
pub struct Prompting(());

impl Prompting {
    /// Installs the Ctrl-C handler (once per process) and marks a prompt up.
    pub fn start() -> Prompting {
        install();
        PROMPTING.store(true, Ordering::SeqCst);
        Prompting(())
    }
}

impl Drop for Prompting {
    fn drop(&mut self) {
        PROMPTING.store(false, Ordering::SeqCst);
    }
}

/// A command inc runs and waits for: Ctrl-C leaves inc running until this
/// is dropped (after the command's end is recorded).
pub struct Waiting(());

impl Waiting {
    /// Installs the handlers and ignores Ctrl-C, SIGTERM and SIGHUP from
    /// now on (see the module docs).
    pub fn start() -> Waiting {
        install();
        watch_stops();
        WAITING.store(true, Ordering::SeqCst);
        Waiting(())
    }

    /// The command has started as process `pid`: a SIGTERM or SIGHUP that
    /// came while it was starting is passed on now.
    pub fn running(&self, pid: u32) {
        COMMAND.store(pid, Ordering::SeqCst);
        pass_on_stop();
    }

    /// The command has ended: no signal goes to its process ID any more
    /// (another process may get it).
    pub fn ended(&self) {
        FORWARD_TO.store(0, Ordering::SeqCst);
        COMMAND.store(0, Ordering::SeqCst);
    }

    /// The SIGTERM or SIGHUP inc got while it waited, by name
    /// (`SIGTERM`), and whether it was passed on to the command.
    pub fn stopped_by(&self) -> Option<(&'static str, bool)> {
        let name = signal_name(STOPPED_BY.load(Ordering::SeqCst))?;
        Some((name, PASSED_ON.load(Ordering::SeqCst)))
    }

    /// Passes a SIGINT inc gets on to process `pid`; `None` when a
    /// terminal's Ctrl-C reaches it anyway (inc and the command are in its
    /// foreground process group). A SIGINT that came while the command
    /// was being started is passed on now.
    pub fn forward_to(&self, pid: Option<u32>) {
        FORWARD_TO.store(pid.unwrap_or(0), Ordering::SeqCst);
        if PENDING.swap(false, Ordering::SeqCst)
            && let Some(pid) = pid
        {
            forward(pid);
        }
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        FORWARD_TO.store(0, Ordering::SeqCst);
        COMMAND.store(0, Ordering::SeqCst);
        WAITING.store(false, Ordering::SeqCst);
        PENDING.store(false, Ordering::SeqCst);
    }
}

#[cfg(unix)]
fn forward(pid: u32) {
    use nix::sys::signal::{Signal, kill};
    use nix::unistd::Pid;
    if let Ok(pid) = i32::try_from(pid)
        && pid > 0
    {
        let _ = kill(Pid::from_raw(pid), Signal::SIGINT);
    }
}

#[cfg(not(unix))]
fn forward(_: u32) {}

/// Starts catching SIGTERM and SIGHUP, once per process, on a thread of
/// its own (signal-hook's iterator: no unsafe code). The watcher is never
/// removed: signal-hook can't put the default action back, so outside a
/// wait it ends inc as the default action would.
#[cfg(unix)]
fn watch_stops() {
    use signal_hook::consts::{SIGHUP, SIGTERM};
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP]) else {
            return;
        };
        crate::par::background(move || {
            for signal in signals.forever() {
                if !WAITING.load(Ordering::SeqCst) {
                    let _ = signal_hook::low_level::emulate_default_handler(signal);
                    std::process::exit(128 + signal);
                }
                STOPPED_BY.store(signal, Ordering::SeqCst);
                // A hung-up terminal's SIGHUP reaches the command itself.
                if signal == SIGTERM || FORWARD_TO.load(Ordering::SeqCst) != 0 {
                    PENDING_STOP.store(signal, Ordering::SeqCst);
                    pass_on_stop();
                }
            }
        });
    });
}

#[cfg(not(unix))]
fn watch_stops() {}

/// Passes a pending SIGTERM or SIGHUP on to the command, once: whichever
/// of the watcher and [`Waiting::running`] takes it.
#[cfg(unix)]
fn pass_on_stop() {
    use nix::sys::signal::{Signal, kill};
    use nix::unistd::Pid;
    let Ok(pid) = i32::try_from(COMMAND.load(Ordering::SeqCst)) else {
        return;
    };
    if pid <= 0 {
        return;
    }
    let Ok(signal) = Signal::try_from(PENDING_STOP.swap(0, Ordering::SeqCst)) else {
        return;
    };
    // Said before it is sent: the command may end, and inc write its
    // note, before `kill` has returned here.
    PASSED_ON.store(true, Ordering::SeqCst);
    if kill(Pid::from_raw(pid), signal).is_err() {
        PASSED_ON.store(false, Ordering::SeqCst);
    }
}

#[cfg(not(unix))]
fn pass_on_stop() {}

fn signal_name(number: i32) -> Option<&'static str> {
    #[cfg(unix)]
    {
        nix::sys::signal::Signal::try_from(number)
            .ok()
            .map(|s| s.as_str())
    }
    #[cfg(not(unix))]
    {
        let _ = number;
        None
    }
}

/// An editor running on the terminal (`inc edit`): Ctrl-C is the
/// editor's, and inc ignores it (as git does), so that it lives to clean
/// up after the editor, until this is dropped.
pub struct Editing(());

impl Editing {
    pub fn start() -> Editing {
        install();
        EDITING.store(true, Ordering::SeqCst);
        Editing(())
    }
}

impl Drop for Editing {
    fn drop(&mut self) {
        EDITING.store(false, Ordering::SeqCst);
    }
}

/// Shows the cursor, says nothing was recorded and exits 130.
pub fn cancel() -> ! {
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(b"\x1b[?25h\nCancelled; nothing was recorded.\n");
    let _ = stderr.flush();
    std::process::exit(CANCELLED)
}

/// Ctrl-C in a prompt: the library says "read interrupted", which may come
/// back before the handler runs; either way it is [`cancel`].
pub trait OrCancel {
    fn or_cancel(self) -> Self;
}

impl<T> OrCancel for dialoguer::Result<T> {
    fn or_cancel(self) -> Self {
        match self {
            Err(dialoguer::Error::IO(e)) if e.kind() == std::io::ErrorKind::Interrupted => cancel(),
            other => other,
        }
    }
}
