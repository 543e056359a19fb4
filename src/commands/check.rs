//! `inc check`: validate every incident file, for CI on pull requests.
//!
//! The store reads each incident folder once (`store::scan`), the pure rules
//! in `model::check` turn the texts into findings, on all cores, and this
//! prints them as text, GitHub annotations or JSON. Findings are the
//! command's result, not a failure of it: any error exits 3
//! (`exit::PROBLEMS`), warnings alone exit 0, and only a failure to run at
//! all (an unlistable folder) is an error of inc's own (exit 1).
//!
//! An `inc.yaml` that does not parse is a finding too; the rest is then
//! checked against the default configuration. One rule looks across
//! incidents: two of one alert group open at once (`check::duplicates`).

use std::process::ExitCode;

use anstyle::{AnsiColor, Style};
use anyhow::Result;
use serde::Serialize;

use crate::app::App;
use crate::cli::{CheckArgs, CheckFormat};
use crate::exit::PROBLEMS;
use crate::model::check::{self, Finding, Level, Rules};
use crate::render::text::one_line;
use crate::store::scan;
use crate::ui::Ui;

pub fn run(app: &App, ui: &Ui, args: &CheckArgs, config_error: Option<&str>) -> Result<ExitCode> {
    let root = app.store.root();
    let (dirs, links) = scan::dirs(root)?;
    let rules = Rules::new(&app.config, app.now, app.zone);
    let mut findings: Vec<Finding> = links.into_iter().map(link_finding).collect();
    let mut members = Vec::new();
    for checked in scan::map_all(root, &dirs, |files| check::incident(&files, &rules)) {
        findings.extend(checked.findings);
        members.extend(checked.member);
    }
    // Across incidents: duplicates of one alert group, from what the pass
    // above kept of each (no second read of any file).
    findings.extend(check::duplicates(&mut members));
    if let Some(message) = config_error {
        findings.push(check::config_error(crate::store::CONFIG_FILE, message));
    }
    check::sort(&mut findings);

    let errors = findings.iter().filter(|f| f.level == Level::Error).count();
    let warnings = findings.len() - errors;
    match args.format {
        CheckFormat::Text => ui.out(&text(&findings, ui.color()))?,
        CheckFormat::Github => ui.out(&github(&findings))?,
        CheckFormat::Json => ui.out(&json(&findings, errors, warnings, dirs.len())?)?,
    }
    ui.status(&summary(errors, warnings, dirs.len()));
    Ok(if errors > 0 {
        ExitCode::from(PROBLEMS)
    } else {
        ExitCode::SUCCESS
    })
}

/// `path:line: error: message`, one per line, like a compiler.
fn text(findings: &[Finding], color: bool) -> String {
    let mut out = String::new();
    for f in findings {
        let style = match (color, f.level) {
            (false, _) => Style::new(),
            (true, Level::Error) => AnsiColor::Red.on_default().bold(),
            (true, Level::Warning) => AnsiColor::Yellow.on_default().bold(),
        };
        out.push_str(&format!(
            "{}:{}: {style}{}{style:#}: {}\n",
            one_line(&f.file, usize::MAX),
            f.line,
            f.level,
            one_line(&f.message, usize::MAX)
        ));
    }
    out
}

/// GitHub Actions workflow commands: `::error file=…,line=…::message`,
/// shown as annotations on the pull request's diff.
fn github(findings: &[Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        out.push_str(&format!(
            "::{} file={},line={}::{}\n",
            f.level,
            escape_property(&f.file),
            f.line,
            escape_data(&f.message)
        ));
    }
    out
}

/// What GitHub requires of a workflow command's message.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// What GitHub requires of a workflow command's property value.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[derive(Serialize)]
struct Report<'a> {
    errors: usize,
    warnings: usize,
    incidents: usize,
    findings: Vec<FindingView<'a>>,
}

#[derive(Serialize)]
struct FindingView<'a> {
    severity: Level,
    file: &'a str,
    line: usize,
    message: &'a str,
    rule: &'a str,
}

fn json(findings: &[Finding], errors: usize, warnings: usize, incidents: usize) -> Result<String> {
    let report = Report {
        errors,
        warnings,
        incidents,
        findings: findings
            .iter()
            .map(|f| FindingView {
                severity: f.level,
                file: &f.file,
                line: f.line,
                message: &f.message,
                rule: f.rule,
            })
            .collect(),
    };
    Ok(serde_json::to_string_pretty(&report)? + "\n")
}

/// A symbolic link where a folder of incidents should be: an error, as
/// every command that reads incidents refuses to follow it.
fn link_finding(link: scan::Link) -> Finding {
    let target = link
        .target
        .map(|t| format!(" (to `{t}`)"))
        .unwrap_or_default();
    Finding {
        level: Level::Error,
        file: link.path,
        line: 1,
        rule: "symlink",
        message: format!(
            "a symbolic link{target}; inc reads nothing through a link: replace it with a copy of what it points to"
        ),
    }
}

/// `2 errors, 1 warning in 8 incidents`, or that there is nothing to fix.
fn summary(errors: usize, warnings: usize, incidents: usize) -> String {
    let n = |count: usize, one: &str, many: &str| {
        format!("{count} {}", if count == 1 { one } else { many })
    };
    let incidents = n(incidents, "incident", "incidents");
    if errors + warnings == 0 {
        format!("inc check: {incidents}, no problems")
    } else {
        format!(
            "{}, {} in {incidents}",
            n(errors, "error", "errors"),
            n(warnings, "warning", "warnings")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_escapes() {
        assert_eq!(escape_data("50%\r\nnext"), "50%25%0D%0Anext");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
    }

    #[test]
    fn summaries() {
        assert_eq!(summary(0, 0, 8), "inc check: 8 incidents, no problems");
        assert_eq!(summary(2, 1, 8), "2 errors, 1 warning in 8 incidents");
        assert_eq!(summary(0, 2, 1), "0 errors, 2 warnings in 1 incident");
    }
}
