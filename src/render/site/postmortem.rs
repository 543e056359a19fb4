//! The public part of a postmortem: what a team chose to publish of its
//! review, Statuspage's `postmortem_body`.
//!
//! A postmortem is published only when its front matter says `public:
//! true`, and then only its `##` sections whose heading carries the
//! marker `<!-- public -->`:
//!
//! ```markdown
//! ---
//! public: true
//! ---
//! # Postmortem: Checkout returns 500s
//!
//! ## Summary <!-- public -->
//! What customers saw, and what we changed.
//!
//! ## Timeline
//! (stays internal)
//! ```
//!
//! Of a public section, inc's generated blocks (`inc:begin` … `inc:end`,
//! made from the internal timeline), HTML comments and `> TODO:` lines are
//! left out. The `#` title (the internal title) never is published. What
//! remains goes through the same leak scan as every page.

/// The marker that makes a `##` section public.
pub const MARKER: &str = "<!-- public -->";

use crate::model::check::PLACEHOLDER;
pub use crate::model::postmortem::is_public;
use crate::model::postmortem::{generated_lines, split as split_front_matter};

/// The Markdown to publish, with each section's heading one level down
/// (`###`, under the page's own "Postmortem" heading); `None` when the
/// postmortem is not public or marks no section.
pub fn public_part(text: &str) -> Option<String> {
    if !is_public(text) {
        return None;
    }
    let (_, body) = split_front_matter(text)?;
    let mut out = String::new();
    let mut in_public = false;
    let mut fence: Option<String> = None;
    let mut comment = false;
    let generated = generated_lines(body);
    for (n, line) in body.lines().enumerate() {
        if generated.contains(&(n + 1)) {
            continue;
        }
        let trimmed = line.trim_start();
        // Inside a code fence, nothing is a heading, marker or comment.
        if let Some(open) = &fence {
            if trimmed.starts_with(open.as_str()) {
                fence = None;
            }
            if in_public {
                out.push_str(line);
                out.push('\n');
            }
            continue;
        }
        if comment {
            if line.contains("-->") {
                comment = false;
            }
            continue;
        }
        if trimmed.starts_with("## ") || trimmed == "##" {
            in_public = line.contains(MARKER);
            if in_public {
                let heading = line.replace(MARKER, "");
                out.push_str(&format!("#{}\n", heading.trim_end()));
            }
            continue;
        }
        if trimmed.starts_with("<!--") {
            comment = !line.contains("-->");
            continue;
        }
        if trimmed.starts_with(PLACEHOLDER) {
            continue;
        }
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            let marks: String = trimmed
                .chars()
                .take_while(|c| *c == '`' || *c == '~')
                .collect();
            fence = Some(marks);
        }
        if in_public {
            out.push_str(line);
            out.push('\n');
        }
    }
    let out = out.trim().to_owned();
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DRAFT: &str = "---\npublic: true\n---\n# Postmortem: db-7 ran out of disk\n\n\
        <!-- inc:begin facts -->\n| Severity | SEV1 |\n<!-- inc:end facts -->\n\n\
        ## Summary <!-- public -->\n\n<!-- guidance for the writer -->\n\
        Checkout failed for 40 minutes.\n> TODO: add numbers\n\n\
        ## Timeline\n\n<!-- inc:begin timeline -->\n- 10:02 bob: dropping the cache table\n\
        <!-- inc:end timeline -->\n\n\
        ## What we changed <!-- public -->\n\n```text\n## not a heading\n```\n\
        We added disk alerts.\n";

    #[test]
    fn only_marked_sections_of_a_public_postmortem_are_published() {
        let part = public_part(DRAFT).unwrap();
        assert_eq!(
            part,
            "### Summary\n\nCheckout failed for 40 minutes.\n\n\
             ### What we changed\n\n```text\n## not a heading\n```\nWe added disk alerts."
        );
        assert!(!part.contains("db-7"), "the internal title stays");
        assert!(!part.contains("bob"), "the timeline section stays");
        assert!(!part.contains("SEV1"), "generated blocks stay");
        assert!(!part.contains("guidance"), "comments stay");
        assert!(!part.contains("TODO"));
    }

    #[test]
    fn nothing_is_published_without_public_true() {
        assert_eq!(
            public_part(&DRAFT.replace("public: true", "public: false")),
            None
        );
        assert_eq!(
            public_part(&DRAFT.replace("public: true", "public: [yes")),
            None
        );
        assert_eq!(
            public_part(DRAFT.trim_start_matches("---\npublic: true\n---\n")),
            None
        );
        // Public, but no section marked.
        assert_eq!(public_part(&DRAFT.replace(MARKER, "")), None);
    }

    #[test]
    fn a_generated_block_inside_a_public_section_stays_out() {
        let text = "---\npublic: true\n---\n## Impact <!-- public -->\n\
            <!-- inc:begin impact -->\nnote: customer acme-corp lost data\n<!-- inc:end impact -->\n\
            Some customers could not pay.\n";
        assert_eq!(
            public_part(text).unwrap(),
            "### Impact\nSome customers could not pay."
        );
    }
}
