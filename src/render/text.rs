//! Text made safe for a terminal, and small formatting helpers.

pub use crate::model::text::one_line;

/// Strips control characters (escape sequences, bells, carriage returns)
/// so text from files or payloads can't drive the terminal. Newlines and
/// tabs are kept.
pub fn sanitize(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_escapes_keeps_newlines() {
        assert_eq!(sanitize("a\x1b[31mred\x07\r\nb\tc"), "a[31mred\nb\tc");
    }
}
