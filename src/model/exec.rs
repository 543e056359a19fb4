//! `inc exec`'s pure parts: masking secrets in a command line and in its
//! output, quoting the command line so it can be pasted back into a shell
//! (`mask`), keeping the last lines of output in bounded memory (`tail`),
//! and the note's text (`note`).

mod mask;
mod note;
mod tail;

pub use mask::{MASK, Masked, SECRET_WORDS, is_secret_name, mask_command, mask_line, quote};
pub use note::{Captured, MAX_COMMAND_CHARS, Outcome, Stopped, duration, note_text};
pub use tail::{LINE_CHARS, MAX_CAPTURE, RAW_LINE_BYTES, Stream, Tail, clean_line};

#[cfg(test)]
mod tests;
