//! Postmortem drafts: the template's context (a view type, also what
//! `inc postmortem --context` prints), the generated Markdown blocks, the
//! rendering, and the splicing that refreshes a draft a person has edited.
//!
//! A generated block sits between two marker lines,
//! `<!-- inc:begin NAME -->` and `<!-- inc:end NAME -->`. Refreshing a draft
//! renders the template afresh and replaces only what lies between each pair
//! of markers found in the existing file, wherever the pair now is. Every
//! other byte stays as the person left it; a block whose markers they
//! removed stays removed.
//!
//! The parts: `context` (what the template sees), `blocks` (the generated
//! Markdown), and `splice` (finding the blocks of a draft and refreshing
//! them).

mod blocks;
mod context;
mod splice;

use chrono::Utc;
use chrono_tz::Tz;

use super::templates::{TemplateError, Templates};
use crate::model::when;

pub use context::{
    ActionView, Blocks, Context, DurationView, Durations, Markdown, PhaseView, ServiceView,
    SeverityView,
};
pub use splice::{Block, MarkerError, Refreshed, SpliceError, blocks, refresh};

/// The template that makes a draft.
pub const TEMPLATE: &str = "postmortem.md.j2";

/// Renders the draft from template [`TEMPLATE`] (a repository override or
/// the built-in) with `context`.
pub fn render(
    context: &Context<'_>,
    mut templates: Templates,
    zone: Tz,
) -> Result<String, TemplateError> {
    // `{{ row.at | local }}`: an RFC 3339 time in the display zone.
    templates.env_mut().add_filter("local", move |at: String| {
        Ok(chrono::DateTime::parse_from_rfc3339(&at)
            .map(|t| when::show(t.with_timezone(&Utc), zone))
            .unwrap_or(at))
    });
    templates.render(
        TEMPLATE,
        minijinja::Value::from(minijinja::value::Serde(context)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::model::{Event, EventKind, Header, State, Status};
    use chrono::{DateTime, Duration, NaiveDate, TimeZone};

    fn t(m: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 27, 12, 0, 0).unwrap() + Duration::minutes(m)
    }

    fn incident(title: &str) -> (Header, Vec<Event>) {
        let header = Header {
            title: title.into(),
            summary: Some("Line one\n# not a heading | <b>".into()),
            services: vec!["web".into(), "x|y".into()],
            started_at: Some(t(-5)),
            opened_at: t(0),
            opened_by: "alice".into(),
            ..Header::default()
        };
        let events = vec![
            Event::new(
                t(0),
                "alice",
                EventKind::Opened {
                    severity: "SEV2".into(),
                    status: Status::Investigating,
                },
            ),
            Event::new(
                t(2),
                "bob",
                EventKind::Note {
                    text: "pinned | <!-- inc:end timeline -->\n`tick".into(),
                    pinned: true,
                },
            ),
            Event::new(
                t(3),
                "alice",
                EventKind::Action {
                    id: 1,
                    text: "Fix | it <now>".into(),
                    owner: Some("bob".into()),
                    due: Some("2026-12-01".into()),
                    link: Some("https://example.com/a?b=c".into()),
                },
            ),
        ];
        (header, events)
    }

    /// Calls `f` with the context of [`incident`] titled `title`.
    fn with_context<R>(title: &str, f: impl FnOnce(&Context<'_>) -> R) -> R {
        let (header, events) = incident(title);
        let state = State::fold(&events);
        let config = Config::default();
        let context = Context::new(
            "2026-11-27-x",
            &header,
            &state,
            &events,
            &config,
            Tz::UTC,
            NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(),
        );
        f(&context)
    }

    fn draft(title: &str) -> String {
        with_context(title, |context| {
            render(context, Templates::new(Default::default()), Tz::UTC).unwrap()
        })
    }

    #[test]
    fn hostile_text_keeps_the_draft_intact() {
        let text = draft("Pipes | <script>x</script>\n# and `ticks <!-- inc:end facts -->");
        let found = blocks(&text).unwrap();
        let names: Vec<&str> = found.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(
            names,
            ["facts", "impact", "actions", "phases", "timeline", "pinned"]
        );
        let title = text.lines().next().unwrap();
        assert_eq!(
            title,
            "# Postmortem: Pipes \\| &lt;script&gt;x&lt;/script&gt; # and `ticks &lt;!-- inc:end facts --&gt;"
        );
        assert!(
            !text.contains("<script>") && !text.contains("<b>"),
            "{text}"
        );
        assert!(text.contains("| 1 | Fix \\| it &lt;now&gt; | bob | 2026-12-01 | open | <https://example.com/a?b=c> |"), "{text}");
        // The same data renders the same draft, and refreshing it is a no-op.
        assert_eq!(refresh(&text, &text).unwrap().text, text);
    }

    #[test]
    fn pending_phases_are_dashed() {
        let text = draft("x");
        assert!(
            text.contains("    mitigated[\"Mitigated<br>pending\"]:::pending\n"),
            "{text}"
        );
        assert!(
            text.contains("    started -->|\"5m\"| detected\n"),
            "{text}"
        );
        assert!(text.contains("    acknowledged -.-> mitigated\n"), "{text}");
        assert!(
            text.contains(
                "- **Duration:** from 2026-11-27 11:55 UTC (impact start); not resolved yet"
            ),
            "{text}"
        );
    }

    #[test]
    fn context_serializes_for_json_and_templates() {
        let json = with_context("x", |context| serde_json::to_value(context).unwrap());
        for key in [
            "incident",
            "zone",
            "severity",
            "services",
            "phases",
            "durations",
            "actions",
            "timeline",
            "resolution",
            "blocks",
        ] {
            assert!(json.get(key).is_some(), "no `{key}`");
        }
        assert_eq!(json["durations"]["detect"]["seconds"], 300);
        assert_eq!(json["services"][0]["name"], "web");
        assert!(
            json["blocks"]["timeline"]
                .as_str()
                .unwrap()
                .starts_with("| Time (UTC) |")
        );
    }
}
