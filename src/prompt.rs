//! Prompts that leave the terminal as they found it.
//!
//! The prompt library hides the cursor while it shows a list, and turns
//! Ctrl-C into SIGINT; inc stopped there by the default handler would leave
//! the shell without a cursor. While a prompt is up, a handler shows the
//! cursor again and exits 130 (what a shell reports for Ctrl-C), saying
//! nothing was recorded; Esc (or `q`) in a list cancels the same way.
//! Prompts come before anything is written.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

/// The exit code of a prompt cancelled by Ctrl-C or Esc.
pub const CANCELLED: i32 = 130;

static PROMPTING: AtomicBool = AtomicBool::new(false);
static EDITING: AtomicBool = AtomicBool::new(false);

/// Installs the Ctrl-C handler, once per process.
fn install() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = ctrlc::set_handler(|| {
            // The editor has the terminal, and Ctrl-C is its to handle.
            if EDITING.load(Ordering::SeqCst) {
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
