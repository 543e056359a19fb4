//! Errors as data: what went wrong, and separately, what to do next.
//!
//! A message says what went wrong and where; a hint says what to do about it
//! (`hint: pass --author NAME or set INC_AUTHOR`). They are kept apart, as
//! jj's `user_error_with_hint` keeps them, so no message has to spell out a
//! `hint:` line for `exit::report` to find again, and text from a file or a
//! payload can never pass itself off as one.
//!
//! - [`UserError`](crate::error::UserError) is a leaf error with hints; the pure layers return it.
//! - [`user_error_with_hint`](crate::error::user_error_with_hint) makes one as an `anyhow::Error`.
//! - [`WithHint::with_hint`](crate::error::WithHint::with_hint) adds a hint to any `anyhow` error without
//!   changing its message.
//! - [`hints`](crate::error::hints) collects the hints of a whole chain, outermost first.

use std::fmt;

/// An error a user can act on: a message, and hints on what to do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserError {
    message: String,
    hints: Vec<String>,
}

impl UserError {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            hints: Vec::new(),
        }
    }

    /// This error with one more hint, printed after those it has.
    #[must_use]
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    pub fn hints(&self) -> &[String] {
        &self.hints
    }
}

impl fmt::Display for UserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for UserError {}

/// A message without a hint, so `?` carries a plain `String` error into a
/// function that returns `UserError`.
impl From<String> for UserError {
    fn from(message: String) -> Self {
        Self::new(message)
    }
}

/// A [`UserError`] with one hint, as an `anyhow::Error`.
pub fn user_error_with_hint(message: impl Into<String>, hint: impl Into<String>) -> anyhow::Error {
    UserError::new(message).with_hint(hint).into()
}

/// Hints added to an error that was made elsewhere. It is transparent: it
/// shows the message of the error it holds and hands on that error's cause,
/// so `{:#}` prints the chain exactly as it would without it.
#[derive(Debug)]
struct Hinted {
    error: anyhow::Error,
    hints: Vec<String>,
}

impl fmt::Display for Hinted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.error, f)
    }
}

impl std::error::Error for Hinted {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.error.source()
    }
}

/// Adding a hint to an error, or to a result's error.
pub trait WithHint {
    #[must_use]
    fn with_hint(self, hint: impl Into<String>) -> Self;
}

impl WithHint for anyhow::Error {
    fn with_hint(mut self, hint: impl Into<String>) -> Self {
        // The outermost error only (not `anyhow::Error::downcast_mut`, which
        // looks through context), so hints stay in chain order.
        let outermost: &mut (dyn std::error::Error + Send + Sync + 'static) = &mut *self;
        if let Some(e) = outermost.downcast_mut::<UserError>() {
            e.hints.push(hint.into());
            return self;
        }
        if let Some(e) = outermost.downcast_mut::<Hinted>() {
            e.hints.push(hint.into());
            return self;
        }
        anyhow::Error::new(Hinted {
            error: self,
            hints: vec![hint.into()],
        })
    }
}

impl<T> WithHint for anyhow::Result<T> {
    fn with_hint(self, hint: impl Into<String>) -> Self {
        self.map_err(|e| e.with_hint(hint))
    }
}

/// The hints of every error in `err`'s chain, outermost first.
pub fn hints(err: &anyhow::Error) -> Vec<&str> {
    let mut found = Vec::new();
    for cause in err.chain() {
        let hints = if let Some(e) = cause.downcast_ref::<UserError>() {
            &e.hints
        } else if let Some(e) = cause.downcast_ref::<Hinted>() {
            &e.hints
        } else {
            continue;
        };
        found.extend(hints.iter().map(String::as_str));
    }
    found
}

#[cfg(test)]
mod tests {
    use anyhow::{Context, anyhow};

    use super::*;

    #[test]
    fn a_user_error_shows_its_message_and_keeps_its_hints_apart() {
        let err = user_error_with_hint("no incident is open", "pass an ID");
        assert_eq!(format!("{err:#}"), "no incident is open");
        assert_eq!(hints(&err), ["pass an ID"]);
    }

    #[test]
    fn hints_survive_context_and_come_outermost_first() {
        let inner = user_error_with_hint("can't read the time `x`", "accepted forms: …");
        let err = Err::<(), _>(inner)
            .context("--at")
            .with_hint("pass the incident's ID")
            .unwrap_err();
        assert_eq!(format!("{err:#}"), "--at: can't read the time `x`");
        assert_eq!(hints(&err), ["pass the incident's ID", "accepted forms: …"]);
    }

    #[test]
    fn a_hint_on_a_plain_error_changes_neither_message_nor_chain() {
        let plain = || {
            anyhow!(std::io::Error::from(std::io::ErrorKind::BrokenPipe))
                .context("writing the list")
        };
        let err = plain().with_hint("try again").with_hint("or not");
        assert_eq!(format!("{err:#}"), format!("{:#}", plain()));
        assert_eq!(err.chain().count(), plain().chain().count());
        assert!(
            err.chain()
                .any(|c| c.downcast_ref::<std::io::Error>().is_some()),
            "the cause is still in the chain"
        );
        assert_eq!(hints(&err), ["try again", "or not"]);
    }

    #[test]
    fn hints_on_a_user_error_go_after_those_it_has() {
        let err = anyhow::Error::new(UserError::new("m").with_hint("a")).with_hint("b");
        assert_eq!(hints(&err), ["a", "b"]);
        assert_eq!(err.chain().count(), 1, "added to the error, not wrapped");
    }
}
