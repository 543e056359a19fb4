//! Markdown of public updates as HTML: raw HTML is shown as text, and only
//! http, https, mailto and relative link and image URLs survive (any other
//! link or image becomes its plain text).

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd, html};

/// Renders `text` (CommonMark with strikethrough) to safe HTML.
pub fn to_html(text: &str) -> String {
    let parser = Parser::new_ext(text, Options::ENABLE_STRIKETHROUGH);
    // For each open link or image: whether its start was kept, so the
    // matching end is dropped with it.
    let mut open: Vec<bool> = Vec::new();
    let events = parser.filter_map(move |event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Some(Event::Text(raw)),
        Event::Start(Tag::Link { ref dest_url, .. })
        | Event::Start(Tag::Image { ref dest_url, .. }) => {
            let keep = allowed_url(dest_url);
            open.push(keep);
            keep.then_some(event)
        }
        Event::End(TagEnd::Link) | Event::End(TagEnd::Image) => {
            open.pop().unwrap_or(false).then_some(event)
        }
        other => Some(other),
    });
    let mut out = String::with_capacity(text.len() + text.len() / 4 + 16);
    html::push_html(&mut out, events);
    out
}

/// Whether a link or image may point at `url`: http, https, mailto, or a
/// relative URL (no scheme). Browsers ignore tabs, newlines and leading
/// spaces in a scheme, so they are ignored here too.
pub fn allowed_url(url: &str) -> bool {
    let cleaned: String = url
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect();
    let end = cleaned.find(['/', '?', '#']).unwrap_or(cleaned.len());
    match cleaned[..end].find(':') {
        None => true,
        Some(colon) => {
            let scheme = cleaned[..colon].to_ascii_lowercase();
            matches!(scheme.as_str(), "http" | "https" | "mailto")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_is_text() {
        let html = to_html("a <script>alert(1)</script> b\n\n<div onclick=x>block</div>\n");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<div"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }

    #[test]
    fn only_safe_links_survive() {
        let html = to_html(
            "[ok](https://example.com) [mail](mailto:a@b.c) [rel](../x.html) \
             [bad](javascript:alert(1)) [bad2](java\tscript:x) <vbscript:y> \
             ![img](data:image/png;base64,AAA) [frag](#x)",
        );
        assert!(html.contains("href=\"https://example.com\""), "{html}");
        assert!(html.contains("href=\"mailto:a@b.c\""), "{html}");
        assert!(html.contains("href=\"../x.html\""), "{html}");
        assert!(html.contains("href=\"#x\""), "{html}");
        assert!(!html.to_lowercase().contains("javascript:alert"), "{html}");
        assert!(!html.contains("href=\"java"), "{html}");
        assert!(!html.contains("vbscript:y\""), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains(">bad</") || html.contains("bad "), "{html}");
    }

    #[test]
    fn formatting_stays() {
        assert_eq!(
            to_html("**a** `b`"),
            "<p><strong>a</strong> <code>b</code></p>\n"
        );
    }
}
