//! The template environment: the built-in templates (real files under
//! `templates/`, compiled in) and an incident repository's overrides, behind
//! one minijinja loader, so `extends`, `include` and `import` resolve the
//! same way in a built-in and in an override.
//!
//! A name resolves to the repository's `templates/<name>` when there is one,
//! else to the built-in of that name. `builtin/<name>` is always the
//! built-in, so an override can extend or include the template it replaces.
//!
//! Undefined variables are errors (strict), reported with the template's
//! file and line. Templates named `*.md.j2` escape what they print as
//! Markdown (see [`md_inline`]); values marked safe (pre-rendered Markdown)
//! print as they are. `*.html.j2` and `*.xml.j2` escape HTML.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use minijinja::syntax::SyntaxConfig;
use minijinja::{AutoEscape, Environment, UndefinedBehavior, Value};

use super::text::one_line;

/// Where an incident repository keeps its overrides, for messages.
pub const DIR: &str = "templates";

/// The prefix that always names a built-in template.
pub const BUILTIN_PREFIX: &str = "builtin/";

/// The built-in templates: name → source.
pub const BUILTINS: &[(&str, &str)] = &[
    (
        "postmortem.md.j2",
        include_str!("../../templates/postmortem.md.j2"),
    ),
    (
        "site/base.html.j2",
        include_str!("../../templates/site/base.html.j2"),
    ),
    (
        "site/macros.html.j2",
        include_str!("../../templates/site/macros.html.j2"),
    ),
    (
        "site/index.html.j2",
        include_str!("../../templates/site/index.html.j2"),
    ),
    (
        "site/incident.html.j2",
        include_str!("../../templates/site/incident.html.j2"),
    ),
    (
        "site/history.html.j2",
        include_str!("../../templates/site/history.html.j2"),
    ),
];

/// An incident repository's templates: name (relative to its `templates/`,
/// `/`-separated) → source.
pub type Overrides = BTreeMap<String, String>;

const MARKDOWN: &str = "markdown";

/// The built-in template called `name`, if there is one.
pub fn builtin(name: &str) -> Option<&'static str> {
    BUILTINS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, source)| *source)
}

/// Built-ins and overrides, ready to render.
pub struct Templates {
    env: Environment<'static>,
    overrides: Arc<Overrides>,
}

impl Templates {
    pub fn new(overrides: Overrides) -> Templates {
        let overrides = Arc::new(overrides);
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        // Block tags on lines of their own leave no blank lines behind, and a
        // file's last newline is kept: templates read like the output.
        if let Ok(syntax) = SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .keep_trailing_newline(true)
            .build()
        {
            env.set_syntax(syntax);
        }
        env.set_auto_escape_callback(|name| {
            let name = name.strip_prefix(BUILTIN_PREFIX).unwrap_or(name);
            if name.ends_with(".md.j2") || name.ends_with(".md") {
                AutoEscape::Custom(MARKDOWN.into())
            } else {
                minijinja::default_auto_escape_callback(name)
            }
        });
        env.set_formatter(|out, state, value| match state.auto_escape() {
            AutoEscape::Custom(name) if name == MARKDOWN => {
                if value.is_safe() {
                    write!(out, "{value}").map_err(minijinja::Error::from)
                } else {
                    out.write_str(&md_inline(&value.to_string()))
                        .map_err(minijinja::Error::from)
                }
            }
            // minijinja escapes `/` as `&#x2f;`, which link checkers and
            // crawlers reading raw HTML take literally: hrefs stay plain
            // paths (see `html_escape`).
            AutoEscape::Html if !value.is_safe() => match value.as_str() {
                Some(text) => html_escape(out, text),
                None => html_escape(out, &value.to_string()),
            }
            .map_err(minijinja::Error::from),
            _ => minijinja::escape_formatter(out, state, value),
        });
        let shared = Arc::clone(&overrides);
        env.set_loader(move |name| Ok(lookup(&shared, name).map(str::to_owned)));
        Templates { env, overrides }
    }

    /// The environment, to add filters or functions before rendering.
    pub fn env_mut(&mut self) -> &mut Environment<'static> {
        &mut self.env
    }

    /// Whether the repository overrides template `name`.
    pub fn is_overridden(&self, name: &str) -> bool {
        self.overrides.contains_key(name)
    }

    /// Renders template `name` with `context`.
    pub fn render(&self, name: &str, context: Value) -> Result<String, TemplateError> {
        self.env
            .get_template(name)
            .and_then(|t| t.render(context))
            .map_err(|e| TemplateError::new(&e, name, &self.overrides))
    }
}

/// Resolves a template name: `builtin/NAME` → the built-in; otherwise the
/// override, else the built-in.
fn lookup<'a>(overrides: &'a Overrides, name: &str) -> Option<&'a str> {
    if let Some(rest) = name.strip_prefix(BUILTIN_PREFIX) {
        return builtin(rest);
    }
    overrides
        .get(name)
        .map(String::as_str)
        .or_else(|| builtin(name))
}

/// A template that failed to parse or render, located for a person:
/// `templates/NAME:LINE` for an override, `built-in template NAME:LINE`
/// otherwise.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateError {
    /// `templates/postmortem.md.j2`, or `built-in template postmortem.md.j2`.
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
    /// The template's source line the error points at.
    pub source_line: Option<String>,
}

impl TemplateError {
    fn new(err: &minijinja::Error, wanted: &str, overrides: &Overrides) -> TemplateError {
        // The innermost error that knows its template says where it happened
        // (an error in an included template is wrapped by its includer).
        let mut located = err;
        let mut cause: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(err);
        while let Some(c) = cause {
            if let Some(e) = c.downcast_ref::<minijinja::Error>()
                && e.name().is_some()
            {
                located = e;
            }
            cause = c.source();
        }
        let name = located.name().unwrap_or(wanted);
        let from_repo = !name.starts_with(BUILTIN_PREFIX) && overrides.contains_key(name);
        let file = if from_repo {
            format!("{DIR}/{name}")
        } else {
            format!(
                "built-in template {}",
                name.strip_prefix(BUILTIN_PREFIX).unwrap_or(name)
            )
        };
        let line = located.line();
        let source_line = line.and_then(|n| {
            lookup(overrides, name)?
                .lines()
                .nth(n.checked_sub(1)?)
                .map(|l| one_line(l, 120))
        });
        let mut message = match located.detail() {
            Some(detail) => format!("{}: {detail}", located.kind()),
            None => located.kind().to_string(),
        };
        if located.kind() == minijinja::ErrorKind::TemplateNotFound && located.detail().is_none() {
            message = format!("template `{name}` not found");
        }
        TemplateError {
            file,
            line,
            message,
            source_line,
        }
    }
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.file, self.message)?,
            None => write!(f, "{}: {}", self.file, self.message)?,
        }
        if let (Some(line), Some(source)) = (self.line, &self.source_line) {
            write!(f, "\n  {line} | {source}")?;
        }
        Ok(())
    }
}

impl std::error::Error for TemplateError {}

/// Text made safe as inline Markdown, on one line: whitespace (newlines
/// too) collapsed, control characters dropped; `\`, `|`, `<`, `>` and `&`
/// escaped, so a value can't end a table cell or open raw HTML (nor forge
/// inc's block markers); and a start that would open a block (a heading,
/// list item, quote, fence or rule) escaped, so it stays text wherever a
/// template puts it.
pub fn md_inline(s: &str) -> String {
    let flat = one_line(s, usize::MAX);
    let mut out = String::with_capacity(flat.len() + 8);
    let escape_at = block_start(&flat);
    for (i, c) in flat.char_indices() {
        if Some(i) == escape_at {
            out.push('\\');
        }
        match c {
            '\\' => out.push_str("\\\\"),
            '|' => out.push_str("\\|"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            c => out.push(c),
        }
    }
    out
}

/// Where a backslash keeps `s`, at the start of a line, from opening a
/// `text` escaped for HTML text and quoted attribute values: `<`, `>`,
/// `&`, `"` and `'`. Unlike minijinja's own escaping, `/` stays as it is:
/// it is harmless there, and `&#x2f;` in an `href` breaks link checkers
/// and crawlers that read raw HTML.
fn html_escape(out: &mut minijinja::Output<'_>, text: &str) -> std::fmt::Result {
    let mut start = 0;
    for (i, b) in text.bytes().enumerate() {
        let entity = match b {
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'&' => "&amp;",
            b'"' => "&quot;",
            b'\'' => "&#x27;",
            _ => continue,
        };
        out.write_str(&text[start..i])?;
        out.write_str(entity)?;
        start = i + 1;
    }
    out.write_str(&text[start..])
}

/// Markdown block: the byte index to escape, if any.
fn block_start(s: &str) -> Option<usize> {
    let first = s.chars().next()?;
    let rest = &s[first.len_utf8()..];
    let ends_marker = |r: &str| r.is_empty() || r.starts_with(' ');
    match first {
        // ATX heading: 1–6 `#` then a space or the end.
        '#' => {
            let hashes = s.bytes().take_while(|b| *b == b'#').count();
            (hashes <= 6 && ends_marker(&s[hashes..])).then_some(0)
        }
        // List item, or a thematic break / setext underline.
        '-' | '+' | '*' | '_' | '=' => {
            let rule = s.chars().filter(|c| *c != ' ').all(|c| c == first);
            (ends_marker(rest) && first != '_' && first != '=' || rule).then_some(0)
        }
        // Code fence.
        '`' | '~' => s.starts_with(&first.to_string().repeat(3)).then_some(0),
        // Ordered list item: up to 9 digits, then `.` or `)` and a space.
        '0'..='9' => {
            let digits = s.bytes().take_while(u8::is_ascii_digit).count();
            let after = &s[digits..];
            (digits <= 9
                && (after.starts_with('.') || after.starts_with(')'))
                && ends_marker(&after[1..]))
            .then_some(digits)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use minijinja::context;

    fn with(overrides: &[(&str, &str)]) -> Templates {
        Templates::new(
            overrides
                .iter()
                .map(|(n, s)| (n.to_string(), s.to_string()))
                .collect(),
        )
    }

    #[test]
    fn markdown_escape_keeps_structure() {
        assert_eq!(
            md_inline("a | b <!-- x -->\n# c"),
            "a \\| b &lt;!-- x --&gt; # c"
        );
        assert_eq!(md_inline("# Heading"), "\\# Heading");
        assert_eq!(md_inline("#hashtag"), "#hashtag");
        assert_eq!(md_inline("- item"), "\\- item");
        assert_eq!(md_inline("-1 degrees"), "-1 degrees");
        assert_eq!(md_inline("---"), "\\---");
        assert_eq!(md_inline("1. first"), "1\\. first");
        assert_eq!(md_inline("1.5 seconds"), "1.5 seconds");
        assert_eq!(md_inline("```rust"), "\\```rust");
        assert_eq!(md_inline("`code` stays"), "`code` stays");
        assert_eq!(md_inline("a\\b & c"), "a\\\\b &amp; c");
        assert_eq!(md_inline("  \u{1b}[31mred "), "[31mred");
    }

    #[test]
    fn override_wins_and_reaches_the_builtin() {
        let t = with(&[("postmortem.md.j2", "mine\n")]);
        assert!(t.is_overridden("postmortem.md.j2"));
        assert_eq!(
            lookup(&t.overrides, "postmortem.md.j2"),
            Some("mine\n"),
            "the override wins"
        );
        assert_eq!(
            lookup(&t.overrides, "builtin/postmortem.md.j2"),
            builtin("postmortem.md.j2")
        );
        assert_eq!(lookup(&t.overrides, "builtin/nope.j2"), None);
    }

    #[test]
    fn includes_resolve_through_the_same_loader() {
        let t = with(&[
            ("page.md.j2", "{% include \"part.md.j2\" %}|{{ x }}"),
            ("part.md.j2", "part {{ x }}"),
        ]);
        let out = t.render("page.md.j2", context! { x => "a|b" }).unwrap();
        assert_eq!(out, "part a\\|b|a\\|b");
    }

    #[test]
    fn safe_values_print_as_they_are() {
        let t = with(&[("p.md.j2", "{{ raw }} {{ raw|safe }}")]);
        let out = t
            .render(
                "p.md.j2",
                context! { raw => "<b>", safe => Value::from_safe_string("x".into()) },
            )
            .unwrap();
        assert_eq!(out, "&lt;b&gt; <b>");
    }

    #[test]
    fn undefined_is_an_error_naming_file_and_line() {
        let t = with(&[("p.md.j2", "line one\n{{ nope.deeper }}\n")]);
        let err = t.render("p.md.j2", context! {}).unwrap_err();
        assert_eq!(err.file, "templates/p.md.j2");
        assert_eq!(err.line, Some(2));
        assert!(err.message.contains("undefined"), "{err}");
        assert!(err.to_string().contains("  2 | {{ nope.deeper }}"), "{err}");
    }

    #[test]
    fn an_error_in_an_included_template_names_that_template() {
        let t = with(&[
            ("page.md.j2", "a\nb\n{% include \"part.md.j2\" %}\n"),
            ("part.md.j2", "ok\n{% if %}\n"),
        ]);
        let err = t.render("page.md.j2", context! {}).unwrap_err();
        assert_eq!(err.file, "templates/part.md.j2", "{err}");
        assert_eq!(err.line, Some(2), "{err}");
    }

    #[test]
    fn syntax_errors_and_missing_templates_are_located() {
        let t = with(&[("p.md.j2", "ok\n\n{% for x in %}\n")]);
        let err = t.render("p.md.j2", context! {}).unwrap_err();
        assert_eq!(
            err.to_string().lines().next().unwrap().split(": ").next(),
            Some("templates/p.md.j2:3")
        );
        let err = t.render("nope.md.j2", context! {}).unwrap_err();
        assert!(err.message.contains("nope.md.j2"), "{err}");
    }

    #[test]
    fn a_template_including_itself_fails_cleanly() {
        let t = with(&[("p.md.j2", "{% include \"p.md.j2\" %}")]);
        assert!(t.render("p.md.j2", context! {}).is_err());
    }

    proptest::proptest! {
        #[test]
        fn escaped_text_never_opens_html_or_cells(s in ".{0,80}") {
            let out = md_inline(&s);
            proptest::prop_assert!(!out.contains('<') && !out.contains('\n'));
            proptest::prop_assert!(!out.replace("\\\\", "").replace("\\|", "").contains('|'));
        }
    }
}
