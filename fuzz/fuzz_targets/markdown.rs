//! The Markdown filter of public updates: `markdown::to_html`.
//!
//! Asserts the two properties issue 11 names, checked on the HTML a browser
//! would read: no raw `<` from the input (every `<` in the output opens or
//! closes a tag the renderer makes, with only the attributes it writes,
//! each quoted), and no `javascript:` URL (every `href` and `src`, with
//! entities decoded and tabs and newlines dropped as a browser does, has no
//! scheme or one of http, https and mailto; an image's `src` is relative,
//! per the no-external-requests promise).
#![no_main]

use inc::render::site::markdown::to_html;
use libfuzzer_sys::fuzz_target;

/// Elements pulldown-cmark writes for CommonMark with strikethrough.
const TAGS: &[&str] = &[
    "p",
    "a",
    "img",
    "em",
    "strong",
    "del",
    "code",
    "pre",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "blockquote",
    "hr",
    "br",
];
const ATTRIBUTES: &[&str] = &["href", "title", "src", "alt", "class", "start", "id"];

/// Decodes the character references pulldown-cmark writes (and any
/// numeric one), as a browser would before using the attribute.
fn decode(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let Some(semi) = rest.find(';') else { break };
        let entity = &rest[1..semi];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The URL's scheme as a browser's URL parser finds it, lowercased.
fn scheme(url: &str) -> Option<String> {
    let url: String = url
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let url = url.trim_matches(|c: char| c <= ' ');
    let colon = url.find(':')?;
    let candidate = &url[..colon];
    let mut chars = candidate.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
    .then(|| candidate.to_ascii_lowercase())
}

fn is_external(url: &str) -> bool {
    let url: String = url
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let url = url.trim_matches(|c: char| c <= ' ');
    let mut chars = url.chars();
    let slash = |c: Option<char>| matches!(c, Some('/' | '\\'));
    scheme(url).is_some() || (slash(chars.next()) && slash(chars.next()))
}

/// Checks the tag starting at `html[at..]` (at a `<`); returns its length.
fn check_tag(html: &str, at: usize, input: &str) -> usize {
    let tag = &html[at..];
    let end = tag
        .find('>')
        .unwrap_or_else(|| panic!("a `<` that opens no tag in {html:?} from {input:?}"));
    let tag = &tag[..=end];
    let inner = tag[1..end].strip_prefix('/').unwrap_or(&tag[1..end]);
    let inner = inner.strip_suffix('/').unwrap_or(inner).trim_end();
    let name_end = inner.find(' ').unwrap_or(inner.len());
    let name = &inner[..name_end];
    assert!(
        TAGS.contains(&name),
        "a raw `<` from the input: {tag:?} in {html:?} from {input:?}"
    );
    // Attributes: ` name="value"`, value without `"`.
    let mut attrs = &inner[name_end..];
    while !attrs.is_empty() {
        let a = attrs
            .strip_prefix(' ')
            .unwrap_or_else(|| panic!("malformed attributes in {tag:?} from {input:?}"));
        let eq = a.find("=\"").unwrap_or_else(|| {
            panic!("an attribute without a quoted value in {tag:?} from {input:?}")
        });
        let attr = &a[..eq];
        assert!(
            ATTRIBUTES.contains(&attr),
            "attribute {attr:?} in {tag:?} from {input:?}"
        );
        let value_start = eq + 2;
        let value_len = a[value_start..]
            .find('"')
            .unwrap_or_else(|| panic!("an unclosed attribute in {tag:?} from {input:?}"));
        let value = decode(&a[value_start..value_start + value_len]);
        if attr == "href" || attr == "src" {
            if let Some(s) = scheme(&value) {
                assert!(
                    matches!(s.as_str(), "http" | "https" | "mailto"),
                    "a {s}: URL {value:?} in {tag:?} from {input:?}"
                );
            }
            if attr == "src" {
                assert!(
                    !is_external(&value),
                    "an external image {value:?} in {tag:?} from {input:?}"
                );
            }
        }
        attrs = &a[value_start + value_len + 1..];
    }
    tag.len()
}

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let html = to_html(input);
    let mut at = 0;
    // Every `<` is a tag of ours, whose `href` and `src` are checked; text
    // may say `href="javascript:…` (escaped, it is only text).
    while let Some(lt) = html[at..].find('<') {
        at += lt;
        at += check_tag(&html, at, input);
    }
});
