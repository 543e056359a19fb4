//! Rules of `postmortem.md`: front matter that doesn't read, template
//! placeholders left unfilled, and blaming language
//! (`postmortem.blame_words`) outside generated blocks and HTML comments.

use std::borrow::Cow;

use super::{Finding, Rules};
use crate::model::text::one_line;

/// The marker of a template placeholder a person has to replace.
pub const PLACEHOLDER: &str = "> TODO:";

pub(super) fn check_postmortem_text(
    text: &str,
    path: &str,
    rules: &Rules<'_>,
    out: &mut Vec<Finding>,
) {
    // A typo here would quietly keep a review meant for the status page
    // off it.
    if let Err((line, message)) = crate::model::postmortem::parse(text) {
        out.push(Finding::warning(
            path,
            line,
            "postmortem-front-matter",
            format!("{message}; the status page publishes none of this postmortem"),
        ));
    }
    let generated = crate::model::postmortem::generated_lines(text);
    for (n, visible) in visible_lines(text) {
        // Generated blocks quote the timeline word for word; what a note
        // said is fixed there, and inc rewrites the block anyway.
        if generated.contains(&n) {
            continue;
        }
        if visible.trim_start().starts_with(PLACEHOLDER) {
            out.push(Finding::warning(
                path,
                n,
                "postmortem-placeholder",
                format!(
                    "unfilled template placeholder: {}",
                    one_line(visible.trim_start().trim_start_matches('>').trim(), 80)
                ),
            ));
        }
        let found = blame_in(&visible, &rules.blame_words);
        if !found.is_empty() {
            let phrases: Vec<String> = found.iter().map(|w| format!("\"{w}\"")).collect();
            out.push(Finding::warning(
                path,
                n,
                "blame",
                format!(
                    "blaming language ({}); describe what the system allowed, not who failed",
                    phrases.join(", ")
                ),
            ));
        }
    }
}

/// Each line's text outside HTML comments (`<!-- … -->`, which may span
/// lines), with its 1-based number. Lines left empty are skipped.
fn visible_lines(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut in_comment = false;
    for (i, line) in text.lines().enumerate() {
        let mut visible = String::new();
        let mut rest = line;
        loop {
            if in_comment {
                match rest.find("-->") {
                    Some(end) => {
                        rest = &rest[end + 3..];
                        in_comment = false;
                    }
                    None => break,
                }
            } else {
                match rest.find("<!--") {
                    Some(start) => {
                        visible.push_str(&rest[..start]);
                        // Keep words apart: `a<!-- x -->b` is not `ab`.
                        visible.push(' ');
                        rest = &rest[start + 4..];
                        in_comment = true;
                    }
                    None => {
                        visible.push_str(rest);
                        break;
                    }
                }
            }
        }
        if !visible.trim().is_empty() {
            out.push((i + 1, visible));
        }
    }
    out
}

/// Lowercase, with typographic apostrophes made plain (`Bob’s fault`).
pub(super) fn normalize(s: &str) -> Cow<'_, str> {
    if s.chars().any(|c| c.is_uppercase() || c == '\u{2019}') {
        Cow::Owned(s.to_lowercase().replace('\u{2019}', "'"))
    } else {
        Cow::Borrowed(s)
    }
}

/// The phrases of `words` (lowercased) that `line` contains as whole words:
/// `blame` is found in "to blame" but not in "blameless".
fn blame_in<'w>(line: &str, words: &'w [String]) -> Vec<&'w str> {
    let line = normalize(line);
    let word_char = |c: char| c.is_alphanumeric() || c == '_';
    words
        .iter()
        .filter(|w| {
            let starts_word = w.chars().next().is_some_and(word_char);
            let ends_word = w.chars().next_back().is_some_and(word_char);
            line.match_indices(w.as_str()).any(|(at, m)| {
                let before = line[..at].chars().next_back();
                let after = line[at + m.len()..].chars().next();
                (!starts_word || !before.is_some_and(word_char))
                    && (!ends_word || !after.is_some_and(word_char))
            })
        })
        .map(String::as_str)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::model::check::Level;
    use crate::model::check::fixtures::*;

    #[test]
    fn postmortem_placeholders_and_blame() {
        let postmortem = "\
# Postmortem
<!-- Blameless: avoid \"human error\", \"careless\" and blame.
     > TODO: this is guidance, not a placeholder -->
## Summary
> TODO: what happened, in two sentences
The deploy was Bob's fault. Human error, really.
Our blameless process worked; the on-call engineer was not to blame.
He should have known <!-- careless --> better.
Alice’s fault
  > TODO: impact
<!-- inc:begin timeline -->
| 12:00 | bob | not a question of blame, the human error banner fired |
> TODO: quoted from a note
<!-- inc:end timeline -->
";
        let timeline = opened("SEV3") + &commander() + &resolved();
        let found = check(&files(&header(), &timeline, Some(postmortem)));
        assert_eq!(
            places(&found),
            [
                ("postmortem-placeholder", POSTMORTEM, 5),
                ("blame", POSTMORTEM, 6),
                ("blame", POSTMORTEM, 7),
                ("blame", POSTMORTEM, 8),
                ("blame", POSTMORTEM, 9),
                ("postmortem-placeholder", POSTMORTEM, 10),
            ]
        );
        assert!(found.iter().all(|f| f.level == Level::Warning));
        assert!(found[0].message.contains("what happened"), "{found:?}");
        assert!(
            found[1].message.contains("\"'s fault\"")
                && found[1].message.contains("\"human error\""),
            "{found:?}"
        );
        assert!(found[3].message.contains("should have known"), "{found:?}");
        assert!(!found[3].message.contains("careless"), "{found:?}");
        // The phrases are configurable; an empty list turns the check off.
        let mut config = Config::default();
        config.postmortem.blame_words = vec!["Oops".to_owned()];
        let found = check_with(
            &config,
            &files(&header(), &timeline, Some("Human error.\nOOPS\n")),
        );
        assert_eq!(places(&found), [("blame", POSTMORTEM, 2)]);
        config.postmortem.blame_words.clear();
        assert_eq!(
            check_with(&config, &files(&header(), &timeline, Some("human error\n"))),
            []
        );
    }

    #[test]
    fn whole_words_only() {
        let words = ["blame".to_owned(), "'s fault".to_owned()];
        assert_eq!(blame_in("blameless", &words), Vec::<&str>::new());
        assert_eq!(blame_in("no blame.", &words), ["blame"]);
        assert_eq!(blame_in("BLAME", &words), ["blame"]);
        assert_eq!(blame_in("it's faulty", &words), Vec::<&str>::new());
        assert_eq!(blame_in("it was the disk's fault", &words), ["'s fault"]);
    }
}
