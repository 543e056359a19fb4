//! `oncall` and `escalation`: their schema as written in inc.yaml (or in
//! `oncall.yaml` beside it), and their validation into
//! [`crate::model::oncall`] types, with errors that name file:line.
//!
//! `oncall.yaml` holds the same two keys and nothing else. Rotations and
//! overrides of both files add up (a rotation ID may be used once);
//! `escalation` may be set in one of them only. `inc oncall override`
//! writes to `oncall.yaml` only, so the hand-edited inc.yaml and its
//! comments are never rewritten.

use std::path::Path;

use anyhow::{Result, bail};
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::Deserialize;

use crate::model::oncall::{Level, OnCall, Override, Rotation, Target, resolve_local};
use crate::model::when;

/// The file beside inc.yaml that may hold `oncall` and `escalation`.
pub const ONCALL_FILE: &str = "oncall.yaml";

/// `oncall:` as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OncallSection {
    #[serde(default)]
    pub rotations: Vec<RotationConfig>,
    #[serde(default)]
    pub overrides: Vec<OverrideConfig>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RotationConfig {
    pub id: String,
    pub members: Vec<String>,
    /// A duration: `12h`, `1d`, `1w`.
    pub shift: String,
    /// The first shift's start, local time in `timezone`.
    pub start: String,
    /// The rotation's zone; inc.yaml's `timezone`, else UTC, when absent.
    #[serde(default)]
    pub timezone: Option<Tz>,
    #[serde(default)]
    pub services: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverrideConfig {
    pub rotation: String,
    pub who: String,
    /// Local times in the rotation's zone (or RFC 3339).
    pub from: String,
    pub to: String,
}

/// One level of `escalation:` as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelConfig {
    pub after: String,
    pub page: PageConfig,
}

/// `page: oncall:<rotation>`, `page: erin` or `page: [erin, frank]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum PageConfig {
    One(String),
    Many(Vec<String>),
}

/// `oncall.yaml`: only these keys.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OncallFile {
    #[serde(default)]
    pub oncall: Option<OncallSection>,
    #[serde(default)]
    pub escalation: Option<Vec<LevelConfig>>,
}

/// A file's text and path, for errors that name a line.
#[derive(Clone, Copy)]
pub struct Source<'a> {
    pub text: &'a str,
    pub path: &'a Path,
}

impl Source<'_> {
    /// `path:line` of the first line holding `needle` at or after line
    /// `from` (1-based), else of `from`, else the path.
    fn at(&self, from: Option<usize>, needle: &str) -> String {
        let start = from.unwrap_or(1);
        let found = self
            .text
            .lines()
            .enumerate()
            .skip(start - 1)
            .find(|(_, l)| l.contains(needle))
            .map(|(i, _)| i + 1)
            .or(from);
        match found {
            Some(n) => format!("{}:{n}", self.path.display()),
            None => self.path.display().to_string(),
        }
    }

    fn line(&self, from: Option<usize>, needle: &str) -> Option<usize> {
        let start = from.unwrap_or(1);
        self.text
            .lines()
            .enumerate()
            .skip(start - 1)
            .find(|(_, l)| l.contains(needle))
            .map(|(i, _)| i + 1)
    }
}

/// A time in an on-call file: `YYYY-MM-DD HH:MM[:SS]` (or with a `T`) or
/// `YYYY-MM-DD`, on the local clock of `zone`; or RFC 3339. Returns the
/// local time and the instant.
pub fn parse_time(s: &str, zone: Tz) -> Result<(NaiveDateTime, DateTime<Utc>), String> {
    let t = s.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(t) {
        let at = at.with_timezone(&Utc);
        return Ok((at.with_timezone(&zone).naive_local(), at));
    }
    let local = [
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(t, f).ok())
    .or_else(|| {
        NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
    })
    .ok_or_else(|| format!("`{s}` is not a time like `2026-01-05 09:00` (local) or RFC 3339"))?;
    let at = resolve_local(zone, local).ok_or_else(|| format!("`{s}` is out of range"))?;
    Ok((local, at))
}

/// How `inc oncall override` writes a time: local `YYYY-MM-DD HH:MM` in
/// the rotation's zone when that reads back as the same instant, else
/// RFC 3339 with the offset (seconds, or the repeated hour of a fall-back).
pub fn write_time(at: DateTime<Utc>, zone: Tz) -> String {
    let local = at.with_timezone(&zone);
    let short = local.format("%Y-%m-%d %H:%M").to_string();
    match parse_time(&short, zone) {
        Ok((_, back)) if back == at => short,
        _ => local.to_rfc3339(),
    }
}

/// Everything validated from inc.yaml's and oncall.yaml's on-call keys.
#[derive(Debug, Clone, Default)]
pub struct Resolved {
    pub oncall: OnCall,
    pub escalation: Vec<Level>,
    /// Services naming their own policy: service ID → levels.
    pub service_escalation: Vec<(String, Vec<Level>)>,
}

/// One file's part: its `oncall`, `escalation` and where it came from.
pub struct Part<'a> {
    pub oncall: Option<&'a OncallSection>,
    pub escalation: Option<&'a [LevelConfig]>,
    pub source: Source<'a>,
}

/// Validates the on-call keys of every file. `zone` is inc.yaml's
/// `timezone` (rotations without one use it, else UTC); `services` the
/// configured service IDs (empty: any) with their own policies.
pub fn resolve(
    parts: &[Part<'_>],
    zone: Option<Tz>,
    services: &[(&str, Option<&[LevelConfig]>, Source<'_>)],
) -> Result<Resolved> {
    let mut out = Resolved::default();
    // Where each rotation and override came from, for errors.
    let mut rotation_at: Vec<String> = Vec::new();
    for part in parts {
        let Some(section) = part.oncall else { continue };
        let src = part.source;
        let rotations_line = src.line(None, "rotations");
        for r in &section.rotations {
            let line = src.line(rotations_line, &r.id);
            let at = |key: &str| src.at(line, key);
            if r.id.trim().is_empty() {
                bail!(
                    "{}: a rotation has an empty `id`",
                    src.at(rotations_line, "id")
                );
            }
            if let Some(n) = out.oncall.rotations.iter().position(|o| o.id == r.id) {
                bail!(
                    "{}: rotation `{}` is listed twice (also at {})",
                    at(&r.id),
                    r.id,
                    rotation_at[n]
                );
            }
            if r.members.is_empty() {
                bail!(
                    "{}: rotation `{}` has no members; list who takes the shifts",
                    at("members"),
                    r.id
                );
            }
            if r.members.iter().any(|m| m.trim().is_empty()) {
                bail!("{}: rotation `{}` has an empty member", at("members"), r.id);
            }
            let shift = when::parse_duration(&r.shift)
                .map_err(|e| anyhow::anyhow!("{}: rotation `{}`: shift {e}", at("shift"), r.id))?;
            if shift.is_zero() {
                bail!(
                    "{}: rotation `{}` has a shift of zero; give a length like `12h`, `1d` or `1w`",
                    at("shift"),
                    r.id
                );
            }
            if shift < Duration::minutes(1) {
                bail!(
                    "{}: rotation `{}` has a shift shorter than a minute",
                    at("shift"),
                    r.id
                );
            }
            let tz = r.timezone.or(zone).unwrap_or(Tz::UTC);
            let (start, _) = parse_time(&r.start, tz)
                .map_err(|e| anyhow::anyhow!("{}: rotation `{}`: start {e}", at("start"), r.id))?;
            let known: Vec<&str> = services.iter().map(|s| s.0).collect();
            if !known.is_empty()
                && let Some(s) = r.services.iter().find(|s| !known.contains(&s.as_str()))
            {
                bail!(
                    "{}: rotation `{}` names unknown service `{s}`; inc.yaml lists: {}",
                    at("services"),
                    r.id,
                    ticked(&known)
                );
            }
            rotation_at.push(at(&r.id));
            out.oncall.rotations.push(Rotation {
                id: r.id.clone(),
                members: r.members.clone(),
                shift,
                start,
                zone: tz,
                services: r.services.clone(),
            });
        }
    }
    // Overrides once every rotation is known: one file's may refer to the
    // other's rotations.
    let mut override_at: Vec<String> = Vec::new();
    for part in parts {
        let Some(section) = part.oncall else { continue };
        let src = part.source;
        let overrides_line = src.line(None, "overrides");
        for o in &section.overrides {
            let place = src.at(overrides_line, &o.from);
            let Some(rotation) = out.oncall.rotation(&o.rotation) else {
                let ids: Vec<&str> = out.oncall.rotations.iter().map(|r| r.id.as_str()).collect();
                bail!(
                    "{place}: the override for {} names unknown rotation `{}`; {}",
                    o.who,
                    o.rotation,
                    if ids.is_empty() {
                        "no rotation is configured".to_owned()
                    } else {
                        format!("rotations: {}", ticked(&ids))
                    }
                );
            };
            if o.who.trim().is_empty() {
                bail!(
                    "{place}: an override of `{}` names nobody (`who` is empty)",
                    o.rotation
                );
            }
            let zone = rotation.zone;
            let time = |s: &str, key: &str| {
                parse_time(s, zone)
                    .map(|(_, at)| at)
                    .map_err(|e| anyhow::anyhow!("{place}: override `{key}`: {e}"))
            };
            let (from, to) = (time(&o.from, "from")?, time(&o.to, "to")?);
            if to <= from {
                bail!(
                    "{place}: the override of `{}` by {} ends before it starts ({} → {})",
                    o.rotation,
                    o.who,
                    o.from,
                    o.to
                );
            }
            let new = Override {
                rotation: o.rotation.clone(),
                who: o.who.clone(),
                from,
                to,
            };
            if let Some(n) = overlapping(&out.oncall.overrides, &new) {
                let other = &out.oncall.overrides[n];
                bail!(
                    "{place}: overrides of `{}` overlap: {} ({}) and {} ({})",
                    o.rotation,
                    describe(other, zone),
                    override_at[n],
                    describe(&new, zone),
                    place
                );
            }
            override_at.push(place);
            out.oncall.overrides.push(new);
        }
    }
    let mut set: Option<&Part<'_>> = None;
    for part in parts {
        let Some(levels) = part.escalation else {
            continue;
        };
        if let Some(first) = set {
            bail!(
                "{}: `escalation` is set in {} too; keep it in one file",
                part.source.at(None, "escalation:"),
                first.source.path.display()
            );
        }
        set = Some(part);
        out.escalation = policy(levels, part.source, "escalation", &out.oncall)?;
    }
    for (id, levels, src) in services {
        if let Some(levels) = levels {
            let line = src.line(None, &format!("id: {id}"));
            let src = Source {
                text: src.text,
                path: src.path,
            };
            let levels = policy_from(levels, src, line, &out.oncall)?;
            out.service_escalation.push(((*id).to_owned(), levels));
        }
    }
    Ok(out)
}

/// The index of an override of the same rotation that overlaps `new`.
pub fn overlapping(overrides: &[Override], new: &Override) -> Option<usize> {
    overrides
        .iter()
        .position(|o| o.rotation == new.rotation && o.from < new.to && new.from < o.to)
}

/// `dave 2026-12-24 00:00 → 2026-12-27 00:00`, in the rotation's zone.
pub fn describe(o: &Override, zone: Tz) -> String {
    format!(
        "{} {} → {}",
        o.who,
        write_time(o.from, zone),
        write_time(o.to, zone)
    )
}

fn policy(
    levels: &[LevelConfig],
    src: Source<'_>,
    key: &str,
    oncall: &OnCall,
) -> Result<Vec<Level>> {
    // The top-level key, not a service's own.
    let line = src
        .text
        .lines()
        .position(|l| l.starts_with(&format!("{key}:")))
        .map(|i| i + 1);
    policy_from(levels, src, line, oncall)
}

fn policy_from(
    levels: &[LevelConfig],
    src: Source<'_>,
    line: Option<usize>,
    oncall: &OnCall,
) -> Result<Vec<Level>> {
    let mut out = Vec::new();
    let mut cursor = line;
    for (level, n) in levels.iter().zip(1..) {
        let here = src.line(cursor, "after").or(cursor);
        let place = src.at(here, "after");
        let page_place = src.at(here, "page");
        cursor = here.map(|l| l + 1);
        let after = when::parse_duration(&level.after)
            .map_err(|e| anyhow::anyhow!("{place}: escalation level {n}: after {e}"))?;
        let page = match &level.page {
            PageConfig::One(s) => match s.trim().strip_prefix("oncall:") {
                Some(id) => {
                    let id = id.trim();
                    if oncall.rotation(id).is_none() {
                        let ids: Vec<&str> =
                            oncall.rotations.iter().map(|r| r.id.as_str()).collect();
                        bail!(
                            "{page_place}: escalation level {n} pages unknown rotation `{id}`; {}",
                            if ids.is_empty() {
                                "no rotation is configured".to_owned()
                            } else {
                                format!("rotations: {}", ticked(&ids))
                            }
                        );
                    }
                    Target::Rotation(id.to_owned())
                }
                None => Target::People(vec![s.trim().to_owned()]),
            },
            PageConfig::Many(people) => {
                Target::People(people.iter().map(|p| p.trim().to_owned()).collect())
            }
        };
        if let Target::People(people) = &page
            && (people.is_empty() || people.iter().any(String::is_empty))
        {
            bail!(
                "{page_place}: escalation level {n} pages nobody; name people or `oncall:<rotation>`"
            );
        }
        out.push(Level { after, page });
    }
    Ok(out)
}

/// The instant `at` shown on a rotation's clock, `2026-12-24 00:00 CET`.
pub fn show_in(at: DateTime<Utc>, zone: Tz) -> String {
    zone.from_utc_datetime(&at.naive_utc())
        .format("%Y-%m-%d %H:%M %Z")
        .to_string()
}

/// The override as one flow-style list item, `{rotation: primary, who:
/// dave, from: "…", to: "…"}`; names quoted as JSON strings (valid YAML)
/// unless plain.
pub fn override_item(rotation: &str, who: &str, from: &str, to: &str) -> String {
    let plain = |s: &str| {
        !s.is_empty()
            && s.chars().next().is_some_and(|c| c.is_alphanumeric())
            && s.chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
            && !matches!(
                s.to_ascii_lowercase().as_str(),
                "null" | "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n"
            )
    };
    let q = |s: &str| {
        if plain(s) {
            s.to_owned()
        } else {
            serde_json::to_string(s).unwrap_or_default()
        }
    };
    format!(
        "{{rotation: {}, who: {}, from: {}, to: {}}}",
        q(rotation),
        q(who),
        serde_json::to_string(from).unwrap_or_default(),
        serde_json::to_string(to).unwrap_or_default()
    )
}

/// `text` (oncall.yaml, `None` when there is none) with `item` added to
/// `oncall.overrides`, edited as text so comments and layout stay:
/// appended after the last item of the list, or a list (or `oncall:`) made
/// where there is none. `None` when the file's shape is one this does not
/// edit (a flow-style `oncall: {…}`); the caller re-reads the result
/// either way.
pub fn add_override_text(text: Option<&str>, item: &str) -> Option<String> {
    let Some(text) = text.filter(|t| !t.trim().is_empty()) else {
        return Some(format!(
            "# On-call overrides (see `inc oncall override`); rotations and escalation\n\
             # may live here too. inc adds items to the list below; edit freely.\n\
             oncall:\n  overrides:\n    - {item}\n"
        ));
    };
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let indent = |l: &str| l.len() - l.trim_start().len();
    let blank = |l: &str| l.trim().is_empty() || l.trim_start().starts_with('#');
    let Some(top) = lines.iter().position(|l| l.starts_with("oncall:")) else {
        let mut out = text.to_owned();
        if !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str(&format!("oncall:\n  overrides:\n    - {item}\n"));
        return Some(out);
    };
    let after_key = lines[top]["oncall:".len()..].trim();
    if !(after_key.is_empty() || after_key.starts_with('#')) {
        return None;
    }
    // The block of `oncall:`: up to the next line at column 0.
    let end = (top + 1..lines.len())
        .find(|&i| !blank(&lines[i]) && indent(&lines[i]) == 0)
        .unwrap_or(lines.len());
    let child = (top + 1..end)
        .find(|&i| !blank(&lines[i]))
        .map_or(2, |i| indent(&lines[i]));
    let key = (top + 1..end)
        .find(|&i| indent(&lines[i]) == child && lines[i].trim_start().starts_with("overrides:"));
    match key {
        Some(k) => {
            let rest = lines[k].trim_start()["overrides:".len()..]
                .trim()
                .to_owned();
            let rest = rest.split('#').next().unwrap_or("").trim().to_owned();
            if rest == "[]" {
                lines[k] = lines[k].replacen("[]", "", 1).trim_end().to_owned();
                lines.insert(k + 1, format!("{}  - {item}", " ".repeat(child)));
            } else if rest.is_empty() {
                // Items: lines more indented than the key, or `- ` at its
                // indentation (both are YAML).
                let mut last = k;
                let mut item_indent = None;
                for (i, l) in lines.iter().enumerate().take(end).skip(k + 1) {
                    if blank(l) {
                        continue;
                    }
                    let n = indent(l);
                    if n > child || (n == child && l.trim_start().starts_with("- ")) {
                        if item_indent.is_none() && l.trim_start().starts_with('-') {
                            item_indent = Some(n);
                        }
                        last = i;
                    } else {
                        break;
                    }
                }
                let n = item_indent.unwrap_or(child + 2);
                lines.insert(last + 1, format!("{}- {item}", " ".repeat(n)));
            } else {
                return None;
            }
        }
        None => {
            let last = (top..end).rev().find(|&i| !blank(&lines[i])).unwrap_or(top);
            lines.insert(last + 1, format!("{}overrides:", " ".repeat(child)));
            lines.insert(last + 2, format!("{}  - {item}", " ".repeat(child)));
        }
    }
    let mut out = lines.join("\n");
    out.push('\n');
    Some(out)
}

/// `` `a`, `b` ``.
fn ticked(items: &[&str]) -> String {
    items
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests;
