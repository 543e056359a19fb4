//! The terminal: stdout is the product, stderr the conversation.

use std::io::{self, IsTerminal, Write};

use crate::cli::ColorChoice;

/// Decided once per run: colour, quietness, whether prompting is possible.
#[derive(Debug, Clone)]
pub struct Ui {
    color: bool,
    quiet: bool,
    can_prompt: bool,
    wrap: bool,
}

impl Ui {
    /// `--color` beats `NO_COLOR`, which beats "is stdout a terminal".
    pub fn new(choice: ColorChoice, no_color_env: bool, quiet: bool) -> Ui {
        let stdout_tty = io::stdout().is_terminal();
        let color = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => !no_color_env && stdout_tty,
        };
        Ui {
            color,
            quiet,
            can_prompt: io::stdin().is_terminal() && io::stderr().is_terminal(),
            wrap: stdout_tty,
        }
    }

    pub fn color(&self) -> bool {
        self.color
    }

    /// Whether tables should fit the terminal (stdout is one).
    pub fn wrap(&self) -> bool {
        self.wrap
    }

    /// The terminal's width in columns, when stdout is a terminal.
    pub fn width(&self) -> Option<usize> {
        if !self.wrap {
            return None;
        }
        comfy_table::Table::new().width().map(usize::from)
    }

    /// Prompts need a person: stdin and stderr must both be terminals.
    pub fn can_prompt(&self) -> bool {
        self.can_prompt
    }

    /// Writes the product (IDs, tables, JSON) to stdout.
    pub fn out(&self, text: &str) -> io::Result<()> {
        let mut out = io::stdout().lock();
        out.write_all(text.as_bytes())?;
        out.flush()
    }

    /// Chatter for a person ("Committed …"); silent under `-q`.
    pub fn status(&self, text: &str) {
        if !self.quiet {
            let _ = writeln!(io::stderr(), "{text}");
        }
    }

    /// A request to a person at a terminal, shown even under `-q`.
    pub fn ask(&self, text: &str) {
        let _ = writeln!(io::stderr(), "{text}");
    }

    /// A warning, shown even under `-q`.
    pub fn warn(&self, text: &str) {
        let _ = writeln!(io::stderr(), "warning: {text}");
    }

    /// A warning about an error a command goes on after: `text` (which
    /// says the error), then the hints the error carries.
    pub fn warn_about(&self, text: &str, err: &anyhow::Error) {
        self.warn(text);
        for hint in crate::error::hints(err) {
            self.hint(hint);
        }
    }

    /// An error a command reports while it goes on (it then exits 1),
    /// shown even under `-q`.
    pub fn error(&self, text: &str) {
        let _ = writeln!(io::stderr(), "error: {text}");
    }

    /// What to do about the warning or error reported just before, shown
    /// even under `-q` as they are. (Errors that end a command carry their
    /// hints as data instead: see `crate::error`.)
    pub fn hint(&self, text: &str) {
        let _ = writeln!(io::stderr(), "hint: {text}");
    }
}

/// `n` and `noun`, plural unless `n` is 1: "1 incident", "3 incidents".
pub fn count(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", plural(n))
}

/// The plural ending for `n` things: "" for 1, else "s".
pub fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_read_as_english() {
        assert_eq!(super::count(1, "incident"), "1 incident");
        assert_eq!(super::count(0, "file"), "0 files");
        assert_eq!(super::count(9436, "file"), "9436 files");
    }
}
