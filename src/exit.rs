//! Outcomes to exit codes; errors printed once, as `error:` and `hint:` lines.

use std::io::{self, Write};
use std::process::ExitCode;

/// `inc check` found problems.
pub const PROBLEMS: u8 = 3;

/// Prints an error and returns the exit code for it: a broken pipe (the
/// reader went away, as with `inc list | head`) is success; anything else
/// is 1. Lines of the message that start with `hint:` are printed as hints.
pub fn report(err: &anyhow::Error) -> ExitCode {
    let broken_pipe = err.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    });
    if broken_pipe {
        return ExitCode::SUCCESS;
    }
    let text = format!("{err:#}");
    let mut stderr = io::stderr().lock();
    let mut first = true;
    for line in text.lines() {
        let line = if first {
            first = false;
            format!("error: {line}")
        } else if line.starts_with("hint:") || line.starts_with("  ") {
            line.to_owned()
        } else {
            format!("  {line}")
        };
        let _ = writeln!(stderr, "{line}");
    }
    ExitCode::FAILURE
}
