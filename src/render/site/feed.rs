//! `feed.atom`: one entry per public incident or maintenance, the newest
//! `site.feed_entries` of them, `updated` at its latest public update, its
//! content the latest update.

use std::fmt::Write;

use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;

use super::html::incident_path;
use super::markdown;
use super::public::{Public, status_label};

fn time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Text escaped for XML content and attribute values; characters XML 1.0
/// does not allow are dropped.
pub fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

/// The Atom document.
pub fn atom(
    public: &Public,
    title: &str,
    url: Option<&str>,
    zone: Tz,
    max_entries: usize,
) -> String {
    let base = url.map(|u| u.trim_end_matches('/').to_owned());
    let id_of = |path: &str| match &base {
        Some(b) => format!("{b}/{path}"),
        None => format!("urn:inc:site:{path}"),
    };
    let mut out = String::with_capacity(256 + public.incidents.len() * 600);
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    out.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    let _ = writeln!(out, "  <title>{}</title>", xml(title));
    let _ = writeln!(out, "  <id>{}</id>", xml(&id_of("feed.atom")));
    let _ = writeln!(out, "  <updated>{}</updated>", time(public.updated_at));
    let _ = writeln!(out, "  <author><name>{}</name></author>", xml(title));
    if let Some(b) = &base {
        let _ = writeln!(
            out,
            "  <link rel=\"self\" href=\"{}\"/>\n  <link rel=\"alternate\" type=\"text/html\" href=\"{}/\"/>",
            xml(&format!("{b}/feed.atom")),
            xml(b)
        );
    }
    // The newest `entries` only: feed readers poll this file, and the
    // history pages and api/v2 keep the rest.
    let newest_first = |a: &&super::public::Incident, b: &&super::public::Incident| {
        b.updated_at.cmp(&a.updated_at).then(a.id.cmp(&b.id))
    };
    let mut entries: Vec<_> = public.incidents.iter().collect();
    if entries.len() > max_entries {
        if max_entries > 0 {
            entries.select_nth_unstable_by(max_entries - 1, newest_first);
        }
        entries.truncate(max_entries);
    }
    entries.sort_by(newest_first);
    for i in entries {
        let path = incident_path(&i.id);
        out.push_str("  <entry>\n");
        let _ = writeln!(out, "    <id>{}</id>", xml(&id_of(&path)));
        let _ = writeln!(out, "    <title>{}</title>", xml(&i.name));
        let _ = writeln!(out, "    <published>{}</published>", time(i.created_at));
        let _ = writeln!(out, "    <updated>{}</updated>", time(i.updated_at));
        let href = match &base {
            Some(b) => format!("{b}/{path}"),
            None => path.clone(),
        };
        let _ = writeln!(
            out,
            "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>",
            xml(&href)
        );
        let mut content = format!("<p><strong>{}</strong>", status_label(i.status));
        if let Some(u) = i.updates.last() {
            let at = u.at.with_timezone(&zone).format("%Y-%m-%d %H:%M %Z");
            let _ = write!(content, " ({at})</p>{}", markdown::to_html(&u.body));
        } else {
            content.push_str("</p>");
        }
        let _ = writeln!(
            out,
            "    <content type=\"html\">{}</content>",
            xml(&content)
        );
        out.push_str("  </entry>\n");
    }
    out.push_str("</feed>\n");
    out
}
