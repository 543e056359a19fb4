//! Markdown of public updates as HTML: raw HTML is shown as text, and only
//! http, https, mailto and relative link URLs survive (any other link
//! becomes its plain text). An image is shown only from a relative URL (a
//! file of the site itself): the page promises no external requests, and an
//! image from elsewhere is a tracking pixel, so it becomes a plain link.
//! Protocol-relative URLs (`//host/x`) are external.

use pulldown_cmark::{CowStr, Event, LinkType, Options, Parser, Tag, TagEnd, html};

/// What became of an open link or image, so its end goes the same way.
#[derive(Clone, Copy)]
enum Open {
    Kept,
    Dropped,
    /// An external image, rendered as a link (showing its URL when its
    /// alt text is empty).
    AsLink,
}

/// Renders `text` (CommonMark with strikethrough) to safe HTML.
pub fn to_html(text: &str) -> String {
    let parser = Parser::new_ext(text, Options::ENABLE_STRIKETHROUGH);
    // Each open link or image: what became of it, an image's URL, and
    // whether it has shown any text.
    let mut open: Vec<(Open, CowStr<'_>, bool)> = Vec::new();
    let mut events: Vec<Event<'_>> = Vec::new();
    for event in parser {
        match event {
            Event::Html(raw) | Event::InlineHtml(raw) => events.push(Event::Text(raw)),
            Event::Start(Tag::Link { ref dest_url, .. }) => {
                let keep = allowed_url(dest_url);
                open.push((
                    if keep { Open::Kept } else { Open::Dropped },
                    CowStr::Borrowed(""),
                    false,
                ));
                if keep {
                    events.push(event);
                }
            }
            Event::Start(Tag::Image {
                dest_url,
                title,
                id,
                link_type,
            }) => {
                if is_external(&dest_url) && allowed_url(&dest_url) {
                    events.push(Event::Start(Tag::Link {
                        link_type: LinkType::Inline,
                        dest_url: dest_url.clone(),
                        title,
                        id,
                    }));
                    open.push((Open::AsLink, dest_url, false));
                } else if allowed_url(&dest_url) {
                    events.push(Event::Start(Tag::Image {
                        link_type,
                        dest_url,
                        title,
                        id,
                    }));
                    open.push((Open::Kept, CowStr::Borrowed(""), false));
                } else {
                    open.push((Open::Dropped, CowStr::Borrowed(""), false));
                }
            }
            Event::End(TagEnd::Link) | Event::End(TagEnd::Image) => match open.pop() {
                Some((Open::Kept, ..)) => events.push(event),
                Some((Open::AsLink, url, shown)) => {
                    if !shown {
                        events.push(Event::Text(url));
                    }
                    events.push(Event::End(TagEnd::Link));
                }
                Some((Open::Dropped, ..)) | None => {}
            },
            other => {
                if let Some(top) = open.last_mut()
                    && matches!(other, Event::Text(ref t) | Event::Code(ref t) if !t.trim().is_empty())
                {
                    top.2 = true;
                }
                events.push(other);
            }
        }
    }
    let mut out = String::with_capacity(text.len() + text.len() / 4 + 16);
    html::push_html(&mut out, events.into_iter());
    out
}

/// `url` without what browsers ignore in it: whitespace and control
/// characters anywhere (tabs and newlines inside a scheme included).
fn cleaned(url: &str) -> String {
    url.chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect()
}

/// Whether a link may point at `url`: http, https, mailto, or a URL
/// without a scheme (relative, or protocol-relative).
pub fn allowed_url(url: &str) -> bool {
    let cleaned = cleaned(url);
    let end = cleaned.find(['/', '\\', '?', '#']).unwrap_or(cleaned.len());
    match cleaned[..end].find(':') {
        None => true,
        Some(colon) => {
            let scheme = cleaned[..colon].to_ascii_lowercase();
            matches!(scheme.as_str(), "http" | "https" | "mailto")
        }
    }
}

/// Whether `url` leaves the site: it has a scheme, or it starts with two
/// slashes (a browser reads `\\` as `/` in a web URL), naming a host.
pub fn is_external(url: &str) -> bool {
    let cleaned = cleaned(url);
    let bytes = cleaned.as_bytes();
    let slash = |b: u8| b == b'/' || b == b'\\';
    if bytes.len() >= 2 && slash(bytes[0]) && slash(bytes[1]) {
        return true;
    }
    let end = cleaned.find(['/', '\\', '?', '#']).unwrap_or(cleaned.len());
    cleaned[..end].contains(':')
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
    fn external_image_becomes_a_plain_link() {
        let html =
            to_html("![pixel](https://tracker.example/p.gif) and ![](http://x.example/a.png)");
        assert!(!html.contains("<img"), "{html}");
        assert!(
            html.contains("<a href=\"https://tracker.example/p.gif\">pixel</a>"),
            "{html}"
        );
        assert!(
            html.contains("<a href=\"http://x.example/a.png\">http://x.example/a.png</a>"),
            "an image without alt text shows its URL: {html}"
        );
    }

    #[test]
    fn protocol_relative_image_is_external() {
        for src in ["\\\\tracker.example/p.gif", "/\\tracker.example/p.gif"] {
            assert!(is_external(src), "{src}");
        }
        for src in [
            "//tracker.example/p.gif",
            " //t.example/x",
            "HTTPS://t.example/x",
        ] {
            assert!(is_external(src), "{src}");
            let html = to_html(&format!("![p](<{src}>)"));
            assert!(!html.contains("<img"), "{src}: {html}");
        }
        assert!(!is_external("../x.png") && !is_external("/logo.png") && !is_external("#a"));
        let html = to_html("![logo](logo.png)");
        assert!(
            html.contains("<img src=\"logo.png\" alt=\"logo\""),
            "{html}"
        );
    }

    #[test]
    fn formatting_stays() {
        assert_eq!(
            to_html("**a** `b`"),
            "<p><strong>a</strong> <code>b</code></p>\n"
        );
    }
}
