//! The splicer: finds the generated blocks of a draft by their marker
//! lines and refreshes a draft a person has edited, replacing only what
//! lies between each pair of markers (see the module above).

use std::collections::BTreeMap;
use std::ops::Range;

/// A generated block found in a draft.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub name: String,
    /// 1-based line of its begin marker.
    pub line: usize,
    /// The bytes between the begin marker's line and the end marker's line.
    pub contents: Range<usize>,
    /// Whether the begin marker's line ends in CRLF.
    pub crlf: bool,
}

/// Markers that don't pair up, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct MarkerError {
    /// 1-based.
    pub line: usize,
    pub message: String,
}

enum Marker<'a> {
    Begin(&'a str),
    End(&'a str),
}

/// Reads one line as a marker: `None` for an ordinary line, an error for a
/// line that starts like a marker but isn't one.
fn marker(line: &str) -> Result<Option<Marker<'_>>, String> {
    let trimmed = line.trim().trim_start_matches('\u{feff}');
    let Some(inner) = trimmed.strip_prefix("<!--") else {
        return Ok(None);
    };
    let mut words = inner.split_whitespace();
    let begin = match words.next() {
        Some("inc:begin") => true,
        Some("inc:end") => false,
        _ => return Ok(None),
    };
    let shape = || {
        format!(
            "`{}` is not a marker; write `<!-- inc:{} NAME -->` on a line of its own",
            trimmed.chars().take(60).collect::<String>(),
            if begin { "begin" } else { "end" }
        )
    };
    let (Some(name), Some("-->"), None) = (words.next(), words.next(), words.next()) else {
        return Err(shape());
    };
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(shape());
    }
    Ok(Some(if begin {
        Marker::Begin(name)
    } else {
        Marker::End(name)
    }))
}

/// Finds the generated blocks of a draft, in order. Markers must pair up
/// (`begin NAME` … `end NAME`, not nested) and each name appear once.
pub fn blocks(text: &str) -> Result<Vec<Block>, MarkerError> {
    let mut found: Vec<Block> = Vec::new();
    // (name, line, where its contents start, crlf)
    let mut open: Option<(&str, usize, usize, bool)> = None;
    let mut offset = 0;
    for (n, line) in text.split_inclusive('\n').enumerate() {
        let number = n + 1;
        let start = offset;
        offset += line.len();
        let err = |message: String| MarkerError {
            line: number,
            message,
        };
        match marker(line).map_err(err)? {
            None => {}
            Some(Marker::Begin(name)) => {
                if let Some((open_name, open_line, ..)) = open {
                    return Err(err(format!(
                        "`inc:begin {name}` inside block `{open_name}`, which begins on line \
                         {open_line} and has no `inc:end {open_name}` before this line"
                    )));
                }
                if let Some(first) = found.iter().find(|b| b.name == name) {
                    return Err(err(format!(
                        "a second `inc:begin {name}`; the first is on line {}, and a block \
                         may appear only once",
                        first.line
                    )));
                }
                open = Some((name, number, offset, line.ends_with("\r\n")));
            }
            Some(Marker::End(name)) => match open.take() {
                None => {
                    return Err(err(format!(
                        "`inc:end {name}` has no `inc:begin {name}` before it"
                    )));
                }
                Some((open_name, open_line, ..)) if open_name != name => {
                    return Err(err(format!(
                        "`inc:end {name}` closes block `{open_name}`, which begins on line \
                         {open_line}"
                    )));
                }
                Some((_, open_line, contents_start, crlf)) => found.push(Block {
                    name: name.to_owned(),
                    line: open_line,
                    contents: contents_start..start,
                    crlf,
                }),
            },
        }
    }
    if let Some((name, line, ..)) = open {
        return Err(MarkerError {
            line,
            message: format!("`inc:begin {name}` has no `inc:end {name}` after it"),
        });
    }
    Ok(found)
}

/// Why a draft could not be refreshed.
#[derive(Debug, Clone, PartialEq)]
pub enum SpliceError {
    /// The existing draft's markers don't pair up.
    Draft(MarkerError),
    /// The freshly rendered template's markers don't pair up.
    Template(MarkerError),
}

/// A refreshed draft and what happened to its blocks.
#[derive(Debug, Clone, PartialEq)]
pub struct Refreshed {
    pub text: String,
    /// Blocks whose contents changed.
    pub changed: Vec<String>,
    /// Blocks the template makes but the draft no longer has (their markers
    /// were removed, or the template gained them): left out.
    pub missing: Vec<String>,
    /// Blocks in the draft the template does not make: left as they are.
    pub unknown: Vec<String>,
}

/// Refreshes `existing` from `fresh` (the template rendered now): the
/// contents of each block of `existing` become those of the block of the
/// same name in `fresh`. Nothing outside the blocks changes.
pub fn refresh(existing: &str, fresh: &str) -> Result<Refreshed, SpliceError> {
    let old = blocks(existing).map_err(SpliceError::Draft)?;
    let new = blocks(fresh).map_err(SpliceError::Template)?;
    let new_contents: BTreeMap<&str, &str> = new
        .iter()
        .map(|b| (b.name.as_str(), &fresh[b.contents.clone()]))
        .collect();
    let mut text = String::with_capacity(existing.len() + fresh.len() / 4);
    let mut changed = Vec::new();
    let mut unknown = Vec::new();
    let mut copied = 0;
    for block in &old {
        text.push_str(&existing[copied..block.contents.start]);
        let current = &existing[block.contents.clone()];
        match new_contents.get(block.name.as_str()) {
            Some(contents) => {
                let contents = with_line_endings(contents, block.crlf);
                if contents != current {
                    changed.push(block.name.clone());
                }
                text.push_str(&contents);
            }
            None => {
                unknown.push(block.name.clone());
                text.push_str(current);
            }
        }
        copied = block.contents.end;
    }
    text.push_str(&existing[copied..]);
    let missing = new
        .iter()
        .filter(|b| !old.iter().any(|o| o.name == b.name))
        .map(|b| b.name.clone())
        .collect();
    Ok(Refreshed {
        text,
        changed,
        missing,
        unknown,
    })
}

/// `text` with LF line endings, or CRLF when the draft uses them.
fn with_line_endings(text: &str, crlf: bool) -> String {
    let lf = text.replace("\r\n", "\n");
    if crlf { lf.replace('\n', "\r\n") } else { lf }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FRESH: &str = "\
# Title

<!-- inc:begin facts -->
- fact one
<!-- inc:end facts -->

## Summary

> TODO: write it

## Timeline

<!-- inc:begin timeline -->
| a |
|---|
| 1 |
<!-- inc:end timeline -->
";

    fn fresh_with_row(row: &str) -> String {
        FRESH.replace("| 1 |\n", &format!("| 1 |\n| {row} |\n"))
    }

    #[test]
    fn blocks_are_found_with_their_lines() {
        let found = blocks(FRESH).unwrap();
        let names: Vec<(&str, usize)> = found.iter().map(|b| (b.name.as_str(), b.line)).collect();
        assert_eq!(names, [("facts", 3), ("timeline", 13)]);
        assert_eq!(&FRESH[found[0].contents.clone()], "- fact one\n");
    }

    #[test]
    fn refresh_keeps_human_text() {
        let edited = FRESH.replace("> TODO: write it", "The database failed over.\n\nMore.");
        let out = refresh(&edited, &fresh_with_row("2")).unwrap();
        assert_eq!(
            out.text,
            fresh_with_row("2").replace("> TODO: write it", "The database failed over.\n\nMore.")
        );
        assert_eq!(out.changed, ["timeline"]);
        assert!(out.missing.is_empty() && out.unknown.is_empty());
    }

    #[test]
    fn refresh_follows_moved_sections() {
        // The Timeline section moved above the Summary, text edited between.
        let moved = "\
# Title

<!-- inc:begin facts -->
- stale fact
<!-- inc:end facts -->
Hand-written line between.
## Timeline

<!-- inc:begin timeline -->
| old |
<!-- inc:end timeline -->

## Summary

Written by a person.
";
        let out = refresh(moved, &fresh_with_row("2")).unwrap();
        // Only the blocks' contents changed, where the blocks now are.
        let expected = moved
            .replace("- stale fact\n", "- fact one\n")
            .replace("| old |\n", "| a |\n|---|\n| 1 |\n| 2 |\n");
        assert_eq!(out.text, expected);
        assert_eq!(out.changed, ["facts", "timeline"]);
    }

    #[test]
    fn a_deleted_block_stays_deleted() {
        let without = FRESH.replace(
            "<!-- inc:begin facts -->\n- fact one\n<!-- inc:end facts -->\n",
            "",
        );
        let out = refresh(&without, &fresh_with_row("2")).unwrap();
        assert!(!out.text.contains("fact one"));
        assert_eq!(out.missing, ["facts"]);
        assert_eq!(out.changed, ["timeline"]);
    }

    #[test]
    fn blocks_the_template_does_not_make_are_kept() {
        let extra = format!("{FRESH}<!-- inc:begin mine -->\nkeep\n<!-- inc:end mine -->\n");
        let out = refresh(&extra, FRESH).unwrap();
        assert_eq!(out.text, extra);
        assert_eq!(out.unknown, ["mine"]);
    }

    #[test]
    fn refresh_is_idempotent() {
        let once = refresh(FRESH, &fresh_with_row("2")).unwrap();
        let twice = refresh(&once.text, &fresh_with_row("2")).unwrap();
        assert_eq!(twice.text, once.text);
        assert!(twice.changed.is_empty());
        let same = refresh(FRESH, FRESH).unwrap();
        assert_eq!(same.text, FRESH);
    }

    #[test]
    fn crlf_drafts_keep_crlf() {
        let crlf = FRESH.replace('\n', "\r\n");
        let out = refresh(&crlf, &fresh_with_row("2")).unwrap();
        assert_eq!(out.text, fresh_with_row("2").replace('\n', "\r\n"));
        assert_eq!(
            refresh(&out.text, &fresh_with_row("2")).unwrap().text,
            out.text
        );
    }

    #[test]
    fn unbalanced_markers_are_refused_with_their_line() {
        let cases = [
            (
                FRESH.replace("<!-- inc:end facts -->\n", ""),
                12,
                "inside block `facts`",
            ),
            (
                FRESH.replace("<!-- inc:begin timeline -->\n", ""),
                16,
                "no `inc:begin timeline`",
            ),
            (
                FRESH.replace("<!-- inc:end timeline -->\n", ""),
                13,
                "no `inc:end timeline`",
            ),
            (
                FRESH.replace("<!-- inc:end facts -->", "<!-- inc:end timeline -->"),
                5,
                "closes block `facts`",
            ),
            (
                format!("{FRESH}<!-- inc:begin facts -->\n<!-- inc:end facts -->\n"),
                18,
                "a second `inc:begin facts`",
            ),
            (
                FRESH.replace("<!-- inc:begin facts -->", "<!-- inc:begin facts"),
                3,
                "is not a marker",
            ),
        ];
        for (text, line, needle) in cases {
            let Err(SpliceError::Draft(e)) = refresh(&text, FRESH) else {
                panic!("accepted:\n{text}");
            };
            assert_eq!(e.line, line, "{e:?}");
            assert!(e.message.contains(needle), "{e:?}");
        }
        let Err(SpliceError::Template(_)) = refresh(FRESH, "<!-- inc:end x -->\n") else {
            panic!("a broken template is refused");
        };
    }

    #[test]
    fn markers_mentioned_inside_text_are_not_markers() {
        let text = "Use `<!-- inc:begin x -->` to start a block.\n<!-- inc:beginning -->\n";
        assert_eq!(blocks(text).unwrap(), []);
    }

    proptest::proptest! {
        #[test]
        fn any_text_refreshes_without_panic(existing in "(.{0,40}\n){0,12}", fresh in "(.{0,40}\n){0,6}") {
            let _ = refresh(&existing, &fresh);
            let _ = refresh(&existing, FRESH);
        }

        #[test]
        fn refreshing_keeps_every_byte_outside_blocks(human in "[^<\n]{0,40}") {
            let edited = FRESH.replace("> TODO: write it", &human);
            let out = refresh(&edited, &fresh_with_row("9")).unwrap();
            proptest::prop_assert_eq!(out.text, fresh_with_row("9").replace("> TODO: write it", &human));
        }
    }
}
