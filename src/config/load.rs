//! Loading inc.yaml (and `oncall.yaml` beside it): parsing, the checks
//! serde can't make, and errors that name file:line.

use std::path::Path;

use anyhow::{Result, bail};

use super::{Config, oncall};

impl Config {
    /// Loads `path`; a missing file means all defaults.
    pub fn parse(text: &str, path: &Path) -> Result<Config> {
        Config::parse_with(text, path, None)
    }

    /// Loads inc.yaml (`text` from `path`) and, when there is one,
    /// `oncall.yaml` beside it (its text and path).
    pub fn parse_with(text: &str, path: &Path, oncall: Option<(&str, &Path)>) -> Result<Config> {
        let mut config: Config = if text.trim().is_empty() {
            Config::default()
        } else {
            serde_yaml::from_str(text).map_err(|e| yaml_error(&e, path))?
        };
        config.validate(text, path)?;
        config.suspects.lines = config
            .suspects
            .repos
            .iter()
            .map(|r| line_after(text, "suspects:", &r.path))
            .collect();
        let file: Option<oncall::OncallFile> = match oncall {
            Some((t, _)) if t.trim().is_empty() => Some(oncall::OncallFile::default()),
            Some((t, p)) => Some(serde_yaml::from_str(t).map_err(|e| yaml_error(&e, p))?),
            None => None,
        };
        let main = oncall::Source { text, path };
        let mut parts = vec![oncall::Part {
            oncall: config.oncall_section.as_ref(),
            escalation: config.escalation_section.as_deref(),
            source: main,
        }];
        if let (Some(f), Some((t, p))) = (&file, oncall) {
            parts.push(oncall::Part {
                oncall: f.oncall.as_ref(),
                escalation: f.escalation.as_deref(),
                source: oncall::Source { text: t, path: p },
            });
        }
        let services: Vec<(&str, Option<&[oncall::LevelConfig]>, oncall::Source<'_>)> = config
            .services
            .iter()
            .map(|s| (s.id.as_str(), s.escalation.as_deref(), main))
            .collect();
        let resolved = oncall::resolve(&parts, config.timezone, &services)?;
        config.oncall = resolved.oncall;
        config.escalation = resolved.escalation;
        config.service_escalation = resolved.service_escalation;
        config.oncall_file = file;
        Ok(config)
    }

    fn validate(&self, text: &str, path: &Path) -> Result<()> {
        let at = |needle: &str| match line_of(text, needle) {
            Some(n) => format!("{}:{n}", path.display()),
            None => path.display().to_string(),
        };
        if self.severities.is_empty() {
            bail!(
                "{}: `severities` is empty; list at least one",
                at("severities")
            );
        }
        let mut seen = Vec::new();
        for s in &self.severities {
            if s.id.trim().is_empty() {
                bail!("{}: a severity has an empty `id`", at("severities"));
            }
            // What people type is trimmed and matched without regard to
            // case (`parse_severity`), so IDs must differ in more than that.
            if s.id.trim() != s.id {
                bail!("{}: severity `{}` has blanks around it", at(&s.id), s.id);
            }
            if seen.iter().any(|id: &&str| id.eq_ignore_ascii_case(&s.id)) {
                bail!("{}: severity `{}` is listed twice", at(&s.id), s.id);
            }
            seen.push(&s.id);
        }
        let mut seen = Vec::new();
        for s in &self.services {
            if s.id.trim().is_empty() {
                bail!("{}: a service has an empty `id`", at("services"));
            }
            if seen.contains(&s.id.as_str()) {
                bail!("{}: service `{}` is listed twice", at(&s.id), s.id);
            }
            seen.push(&s.id);
        }
        if !self.roles.iter().any(|r| r == "commander") {
            bail!(
                "{}: `roles` must include `commander` (inc makes sure someone is in command)",
                at("roles")
            );
        }
        if self
            .postmortem
            .blame_words
            .iter()
            .any(|w| w.trim().is_empty())
        {
            bail!(
                "{}: `postmortem.blame_words` has an empty phrase",
                at("blame_words")
            );
        }
        // Checked here, where inc.yaml is loaded, and not first by the
        // `inc alert` that needs it: `inc check` then reports it too.
        if let Err(e) = crate::alert::parse_window(&self.alerts.reopen_window) {
            bail!("{}: {e}", at("reopen_window"));
        }
        for (key, value) in [
            ("severity_label", &self.alerts.severity_label),
            ("service_label", &self.alerts.service_label),
        ] {
            if value.trim().is_empty() {
                bail!("{}: `alerts.{key}` is empty; name an alert label", at(key));
            }
        }
        crate::hooks::validate(&self.hooks, text, path)?;
        if let Err(e) = crate::model::when::parse_duration(&self.suspects.before) {
            bail!(
                "{}: suspects.before: {e}",
                at_in(text, path, "suspects:", "before")
            );
        }
        for repo in &self.suspects.repos {
            if repo.path.trim().is_empty() {
                let quotes = if line_after(text, "suspects:", "''").is_some() {
                    "''"
                } else {
                    "\"\""
                };
                bail!(
                    "{}: suspects.repos has an empty path; name a local git repository",
                    at_in(text, path, "suspects:", quotes)
                );
            }
            if repo.rev.as_deref().is_some_and(|r| r.trim().is_empty()) {
                bail!(
                    "{}: suspects.repos: `{}` has an empty `ref`; leave it out to read HEAD",
                    at_in(text, path, "suspects:", &repo.path),
                    repo.path
                );
            }
        }
        for (label, sev) in &self.alerts.severity_map {
            if self.severity(sev).is_none() {
                bail!(
                    "{}: alerts.severity_map maps `{label}` to unknown severity `{sev}`",
                    at(sev)
                );
            }
        }
        Ok(())
    }
}

/// `file:line:col: message` for a YAML error.
fn yaml_error(e: &serde_yaml::Error, path: &Path) -> anyhow::Error {
    let place = match e.location() {
        Some(l) => format!("{}:{}:{}", path.display(), l.line(), l.column()),
        None => path.display().to_string(),
    };
    let message = e.to_string();
    let message = message
        .split(" at line ")
        .next()
        .unwrap_or(&message)
        .to_owned();
    anyhow::anyhow!("{place}: {message}")
}

/// The 1-based line where `needle` first appears after the line holding
/// `section` (so a repository path is found in `suspects:`, not in a
/// service description).
fn line_after(text: &str, section: &str, needle: &str) -> Option<usize> {
    let start = line_of(text, section)?;
    text.lines()
        .enumerate()
        .skip(start)
        .find(|(_, l)| l.contains(needle))
        .map(|(i, _)| i + 1)
}

/// `path:line` of `needle` in `section`, else of the section, else `path`.
fn at_in(text: &str, path: &Path, section: &str, needle: &str) -> String {
    match line_after(text, section, needle).or_else(|| line_of(text, section)) {
        Some(n) => format!("{}:{n}", path.display()),
        None => path.display().to_string(),
    }
}

/// The 1-based line where `needle` first appears.
fn line_of(text: &str, needle: &str) -> Option<usize> {
    text.lines().position(|l| l.contains(needle)).map(|i| i + 1)
}
