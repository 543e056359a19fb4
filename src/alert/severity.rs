//! An alert's severity label → a configured severity: `alerts.severity_map`,
//! else a severity of that name, else the conventional alert words by rank.
//! Pure: the configuration in, a severity ID out.

use anyhow::{Result, bail};

use crate::config::Config;

/// The severity for a label value: `alerts.severity_map`, else a
/// severity of that name, else the conventional alert severities by rank
/// (see [`conventional_rank`]), else the lowest configured one.
pub fn severity(config: &Config, value: Option<&str>) -> Result<String> {
    let ids: Vec<&str> = config.severities.iter().map(|s| s.id.as_str()).collect();
    if let Some(value) = value {
        let mapped = config.alerts.severity_map.get(value).or_else(|| {
            config
                .alerts
                .severity_map
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(value))
                .map(|(_, v)| v)
        });
        if let Some(sev) = mapped {
            return config.parse_severity(sev);
        }
        if let Ok(sev) = config.parse_severity(value) {
            return Ok(sev);
        }
        if let Some(sev) = by_rank(&ids, value) {
            return Ok(sev.to_owned());
        }
    }
    match ids.last() {
        Some(s) => Ok((*s).to_owned()),
        None => bail!("inc.yaml lists no severities, so an alert can't open an incident"),
    }
}

/// Where the usual alert severity words sit among the configured
/// severities (most severe first): Prometheus rules' `critical`, `warning`
/// and `info`, and PagerDuty's `critical`, `error`, `warning` and `info`.
/// A `critical` alert should not open the mildest incident just because
/// nobody wrote `alerts.severity_map`; triage corrects it either way.
fn conventional_rank(value: &str) -> Option<usize> {
    match value.trim().to_ascii_lowercase().as_str() {
        "critical" | "page" => Some(0),
        "error" | "high" | "major" => Some(1),
        "warning" | "warn" | "medium" | "minor" => Some(2),
        "info" | "low" | "none" => Some(usize::MAX),
        _ => None,
    }
}

/// The severity `value` names by [`conventional_rank`], clamped to the
/// configured list.
fn by_rank<'a>(ids: &[&'a str], value: &str) -> Option<&'a str> {
    let rank = conventional_rank(value)?;
    ids.get(rank.min(ids.len().checked_sub(1)?)).copied()
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn usual_alert_severities_map_by_rank() {
        let four = ["SEV1", "SEV2", "SEV3", "SEV4"];
        for (value, want) in [
            ("critical", Some("SEV1")),
            (" Critical ", Some("SEV1")),
            ("error", Some("SEV2")),
            ("warning", Some("SEV3")),
            ("info", Some("SEV4")),
            ("whatever", None),
        ] {
            assert_eq!(by_rank(&four, value), want, "{value:?}");
        }
        let two = ["P1", "P2"];
        assert_eq!(by_rank(&two, "warning"), Some("P2"), "clamped to the list");
        assert_eq!(by_rank(&two, "critical"), Some("P1"));
        assert_eq!(by_rank(&[], "critical"), None);
    }

    #[test]
    fn the_map_wins_then_the_name_then_the_rank_then_the_lowest() {
        let config = Config::parse(
            "alerts:\n  severity_map:\n    Disaster: SEV2\n    critical: SEV4\n",
            Path::new("inc.yaml"),
        )
        .unwrap();
        for (value, want) in [
            (Some("Disaster"), "SEV2"),
            (Some("disaster"), "SEV2"),
            (Some("critical"), "SEV4"),
            (Some("sev3"), "SEV3"),
            (Some("warning"), "SEV3"),
            (Some("whatever"), "SEV4"),
            (None, "SEV4"),
        ] {
            assert_eq!(severity(&config, value).unwrap(), want, "{value:?}");
        }
    }

    #[test]
    fn a_map_to_an_unknown_severity_is_an_error() {
        let mut config = Config::default();
        config
            .alerts
            .severity_map
            .insert("critical".to_owned(), "SEV9".to_owned());
        let err = severity(&config, Some("critical")).unwrap_err();
        assert!(format!("{err:#}").contains("SEV9"), "{err:#}");
    }

    #[test]
    fn no_severities_is_an_error() {
        let mut config = Config::default();
        config.severities.clear();
        let err = severity(&config, Some("critical")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "inc.yaml lists no severities, so an alert can't open an incident"
        );
    }
}
