//! What inc reads of a `postmortem.md` besides its prose, one reading for
//! `inc site build` and `inc check`: the front matter (the `---` YAML block
//! it may start with, which says whether the status page publishes its
//! marked sections, `public: true`) and which lines are generated blocks.

use serde::Deserialize;

/// What inc reads from the front matter.
#[derive(Debug, Default, Deserialize)]
pub struct FrontMatter {
    #[serde(default)]
    pub public: bool,
}

/// The front matter's YAML and the text after it, if `text` starts with
/// one (`---` lines around it).
pub fn split(text: &str) -> Option<(&str, &str)> {
    let rest = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))?;
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "---" {
            return Some((&rest[..offset], &rest[offset + line.len()..]));
        }
        offset += line.len();
    }
    None
}

/// The front matter, if there is one: `Err` with the 1-based line of the
/// file and what is wrong when it doesn't read (an unclosed block, YAML
/// that doesn't parse, `public` that isn't `true` or `false`).
pub fn parse(text: &str) -> Result<Option<FrontMatter>, (usize, String)> {
    if !(text.starts_with("---\n") || text.starts_with("---\r\n")) {
        return Ok(None);
    }
    let Some((yaml, _)) = split(text) else {
        return Err((1, "the front matter has no closing `---` line".to_owned()));
    };
    if yaml.trim().is_empty() {
        return Ok(Some(FrontMatter::default()));
    }
    serde_yaml::from_str::<FrontMatter>(yaml)
        .map(Some)
        .map_err(|e| {
            // The YAML starts on the file's second line.
            let line = e.location().map_or(2, |l| l.line() + 1);
            (line, format!("the front matter doesn't read: {e}"))
        })
}

/// Whether the front matter says `public: true`; one that doesn't read
/// publishes nothing.
pub fn is_public(text: &str) -> bool {
    matches!(parse(text), Ok(Some(FrontMatter { public: true })))
}

/// The 1-based numbers of the lines inside `<!-- inc:begin NAME -->` …
/// `<!-- inc:end NAME -->` blocks (the text `inc postmortem` generates).
pub fn generated_lines(text: &str) -> std::collections::HashSet<usize> {
    let mut inside = false;
    let mut lines = std::collections::HashSet::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.starts_with("<!-- inc:begin ") {
            inside = true;
        } else if line.starts_with("<!-- inc:end ") {
            inside = false;
        } else if inside {
            lines.insert(i + 1);
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_reads_or_says_where_it_does_not() {
        assert!(is_public("---\npublic: true\n---\n# x\n"));
        assert!(!is_public("---\npublic: false\n---\n"));
        assert!(!is_public("# no front matter\n"));
        assert!(matches!(parse("# x\n"), Ok(None)));
        assert!(matches!(
            parse("---\n---\n# x\n"),
            Ok(Some(FrontMatter { public: false }))
        ));
        assert_eq!(parse("---\npublic: true\n# x\n").unwrap_err().0, 1);
        let (line, message) = parse("---\ntitle: x\npublic: yes please\n---\n").unwrap_err();
        assert_eq!(line, 3, "{message}");
        assert!(message.contains("public"), "{message}");
    }
}
