//! Text for messages: one line shortened, and lists of names in backticks.
//! The one definition every layer uses (`render::text` and `app` re-export
//! them), so `inc check`, `inc action list` and the rest cut text alike.

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

/// `` `a`, `b` `` for messages.
pub fn backticked<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> String {
    items
        .into_iter()
        .map(|s| format!("`{}`", s.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_cuts_and_flattens() {
        assert_eq!(one_line("a\nb   c", 10), "a b c");
        assert_eq!(one_line("abcdefghij", 5), "abcd…");
        assert_eq!(one_line("ééééé", 5), "ééééé");
    }

    #[test]
    fn backticked_quotes_each_name() {
        assert_eq!(backticked(["api", "web"]), "`api`, `web`");
        assert_eq!(backticked(&["one".to_owned()]), "`one`");
        assert_eq!(backticked(Vec::<&str>::new()), "");
    }
}
