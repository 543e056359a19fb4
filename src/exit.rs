//! Outcomes to exit codes; errors printed once, as `error:` and `hint:` lines
//! (the hints are data on the error: see `crate::error`).

use std::io::{self, Write};
use std::process::ExitCode;

/// `inc check` found problems.
pub const PROBLEMS: u8 = 3;

/// Prints an error and returns the exit code for it: a broken pipe (the
/// reader went away, as with `inc list | head`) is success; anything else
/// is 1.
pub fn report(err: &anyhow::Error) -> ExitCode {
    let broken_pipe = err.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    });
    if broken_pipe {
        return ExitCode::SUCCESS;
    }
    let _ = io::stderr().lock().write_all(render(err).as_bytes());
    ExitCode::FAILURE
}

/// The error as printed: the message's chain first (`error:`, then its
/// further lines indented), then the hints the chain carries, one
/// `hint:` line each. Only a hint starts a line with `hint:`; a message
/// line that says it (git's own output, quoted) stays indented.
fn render(err: &anyhow::Error) -> String {
    let mut out = String::new();
    let mut lines = |first: String, text: &str| {
        let mut rest = text.lines();
        out.push_str(&first);
        out.push_str(rest.next().unwrap_or_default());
        out.push('\n');
        for line in rest {
            if !line.starts_with("  ") {
                out.push_str("  ");
            }
            out.push_str(line);
            out.push('\n');
        }
    };
    lines("error: ".to_owned(), &format!("{err:#}"));
    for hint in crate::error::hints(err) {
        lines("hint: ".to_owned(), hint);
    }
    out
}

#[cfg(test)]
mod tests {
    use anyhow::Context;

    use super::*;
    use crate::error::{UserError, WithHint, user_error_with_hint};

    #[test]
    fn hints_follow_the_whole_message_each_on_its_own_line() {
        let err = Err::<(), _>(user_error_with_hint(
            "rebasing stopped at a conflict in:\n  incidents/a/timeline.yaml",
            "resolve it\nthen run inc sync again",
        ))
        .context("inc sync")
        .with_hint("or abort the rebase")
        .unwrap_err();
        assert_eq!(
            render(&err),
            "error: inc sync: rebasing stopped at a conflict in:\n\
             \x20 incidents/a/timeline.yaml\n\
             hint: or abort the rebase\n\
             hint: resolve it\n\
             \x20 then run inc sync again\n"
        );
    }

    #[test]
    fn a_message_line_that_says_hint_is_not_printed_as_one() {
        let git_said = "`git push origin` failed:\nhint: Updates were rejected";
        let err = anyhow::Error::new(UserError::new(git_said));
        assert_eq!(
            render(&err),
            "error: `git push origin` failed:\n  hint: Updates were rejected\n"
        );
    }
}
