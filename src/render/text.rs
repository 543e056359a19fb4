//! Text made safe for a terminal, and small formatting helpers.

/// Strips control characters (escape sequences, bells, carriage returns)
/// so text from files or payloads can't drive the terminal. Newlines and
/// tabs are kept.
pub fn sanitize(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect()
}

/// One line of at most `max` characters: control characters and newlines
/// removed, an ellipsis where it was cut.
pub fn one_line(s: &str, max: usize) -> String {
    let flat: String = s
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .filter(|c| !c.is_control())
        .collect();
    if flat.chars().count() <= max {
        flat
    } else {
        let mut cut: String = flat.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_escapes_keeps_newlines() {
        assert_eq!(sanitize("a\x1b[31mred\x07\r\nb\tc"), "a[31mred\nb\tc");
    }

    #[test]
    fn one_line_cuts_and_flattens() {
        assert_eq!(one_line("a\nb   c", 10), "a b c");
        assert_eq!(one_line("abcdefghij", 5), "abcd…");
        assert_eq!(one_line("ééééé", 5), "ééééé");
    }
}
