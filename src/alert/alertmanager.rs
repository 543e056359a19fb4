//! Prometheus Alertmanager webhook payloads (`"version": "4"`); Grafana's
//! unified alerting webhook has the same shape plus a few keys.
//!
//! <https://prometheus.io/docs/alerting/latest/configuration/#webhook_config>

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{Alert, AlertState, Batch, Source, clean_key, fingerprint, key, parse_time};
use crate::error::UserError;

/// The webhook body. Unknown keys (`externalURL`, Grafana's `orgId`,
/// `values`, `dashboardURL` …) are ignored.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Payload {
    #[serde(default)]
    pub receiver: String,
    pub status: String,
    pub alerts: Vec<RawAlert>,
    #[serde(default)]
    pub group_key: Option<String>,
    #[serde(default)]
    pub group_labels: BTreeMap<String, String>,
    #[serde(default)]
    pub common_annotations: BTreeMap<String, String>,
    #[serde(default)]
    pub truncated_alerts: u64,
    /// Grafana only.
    #[serde(default)]
    pub title: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct RawAlert {
    pub status: String,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    #[serde(default)]
    pub starts_at: Option<String>,
    #[serde(default)]
    pub ends_at: Option<String>,
    /// Missing in Alertmanager releases before 0.19.
    #[serde(default)]
    pub fingerprint: Option<String>,
}

pub(super) fn parse(text: &str, source: Source) -> Result<Batch, UserError> {
    let payload: Payload =
        serde_json::from_str(text).map_err(|e| format!("not an {source} webhook payload: {e}"))?;
    batch(payload, source)
}

/// Turns a parsed webhook body into a batch.
pub(super) fn batch(payload: Payload, source: Source) -> Result<Batch, UserError> {
    let Some(group_state) = firing_or_resolved(&payload.status) else {
        return Err(UserError::new(format!(
            "the {source} payload's `status` is `{}`, not `firing` or `resolved`",
            clean_key(&payload.status)
        )));
    };
    if payload.alerts.is_empty() {
        return Err(UserError::new(format!(
            "the {source} payload has no alerts"
        )));
    }
    let alerts = payload
        .alerts
        .into_iter()
        .enumerate()
        .map(|(i, a)| alert(i, a))
        .collect::<Result<Vec<_>, _>>()?;
    // `groupKey` has been sent since the first webhook version; derive one
    // from the receiver and group labels for anything that leaves it out.
    let group_key = payload
        .group_key
        .as_deref()
        .map(|k| key(&format!("the {source} payload's `groupKey`"), k))
        .transpose()?;
    let group = match group_key {
        Some(key) if !key.is_empty() => key,
        _ => {
            let labels: Vec<String> = payload
                .group_labels
                .iter()
                .map(|(k, v)| format!("{k}={v:?}"))
                .collect();
            key(
                &format!("the {source} payload's `receiver` or `groupLabels`"),
                &format!("{}:{{{}}}", payload.receiver, labels.join(",")),
            )?
        }
    };
    Ok(Batch {
        source,
        group,
        alerts,
        group_resolved: group_state == AlertState::Resolved,
        truncated: payload.truncated_alerts,
        test: false,
        title: payload
            .common_annotations
            .get("summary")
            .filter(|s| !s.trim().is_empty())
            .cloned(),
    })
}

/// A group's or an alert's `status`: only these two (no `acknowledged`).
fn firing_or_resolved(status: &str) -> Option<AlertState> {
    match status {
        "firing" => Some(AlertState::Firing),
        "resolved" => Some(AlertState::Resolved),
        _ => None,
    }
}

fn alert(i: usize, a: RawAlert) -> Result<Alert, UserError> {
    let Some(state) = firing_or_resolved(&a.status) else {
        return Err(UserError::new(format!(
            "alert {} has `status` `{}`, not `firing` or `resolved`",
            i + 1,
            clean_key(&a.status)
        )));
    };
    let sent = a
        .fingerprint
        .as_deref()
        .map(|f| key(&format!("alert {}'s `fingerprint`", i + 1), f))
        .transpose()?;
    let fingerprint = match sent {
        Some(f) if !f.is_empty() => f,
        _ => fingerprint(&a.labels),
    };
    Ok(Alert {
        fingerprint,
        state,
        starts_at: a
            .starts_at
            .as_deref()
            .map(|s| parse_time("startsAt", s))
            .transpose()?
            .flatten(),
        ends_at: a
            .ends_at
            .as_deref()
            .map(|s| parse_time("endsAt", s))
            .transpose()?
            .flatten(),
        labels: a.labels,
        annotations: a.annotations,
    })
}

#[cfg(test)]
mod tests {
    use super::super::{AlertState, Format, fingerprint, parse};

    #[test]
    fn firing_group() {
        let b = parse(fixture!("alertmanager-firing.json"), Format::Alertmanager).unwrap();
        assert_eq!(
            b.group,
            "{}/{severity=\"critical\"}:{alertname=\"HighErrorRate\"}"
        );
        assert_eq!(b.alerts.len(), 2);
        assert!(b.alerts.iter().all(|a| a.state == AlertState::Firing));
        assert_eq!(b.alerts[0].fingerprint, "5f2d3c1e9a7b4c60");
        assert_eq!(b.alerts[0].ends_at, None, "0001-01-01 means still firing");
        assert!(b.alerts[0].starts_at.is_some());
        assert_eq!(b.title(), "Checkout 5xx rate above 5%");
        assert_eq!(b.label("severity"), Some("critical"));
        assert_eq!(b.label_values("service"), ["checkout"]);
        assert!(!b.group_resolved);
    }

    #[test]
    fn resolved_and_mixed_groups() {
        let b = parse(fixture!("alertmanager-resolved.json"), Format::Auto).unwrap();
        assert!(b.group_resolved);
        assert!(b.alerts.iter().all(|a| a.state == AlertState::Resolved));
        assert!(b.alerts[0].ends_at.is_some());
        let b = parse(fixture!("alertmanager-mixed.json"), Format::Auto).unwrap();
        assert!(!b.group_resolved);
        let states: Vec<_> = b.alerts.iter().map(|a| a.state).collect();
        assert_eq!(states, [AlertState::Resolved, AlertState::Firing]);
    }

    #[test]
    fn truncated_alerts_are_counted() {
        let b = parse(fixture!("alertmanager-truncated.json"), Format::Auto).unwrap();
        assert_eq!(b.truncated, 37);
        assert_eq!(b.alerts.len(), 3);
    }

    #[test]
    fn old_releases_without_fingerprint_get_the_same_one_each_time() {
        let text = fixture!("alertmanager-no-fingerprint.json");
        let a = parse(text, Format::Auto).unwrap();
        let b = parse(text, Format::Auto).unwrap();
        assert_eq!(a.alerts[0].fingerprint, b.alerts[0].fingerprint);
        assert_eq!(a.alerts[0].fingerprint, fingerprint(&a.alerts[0].labels));
        assert_ne!(a.alerts[0].fingerprint, a.alerts[1].fingerprint);
    }

    #[test]
    fn unicode_and_big_annotations_survive() {
        let b = parse(fixture!("alertmanager-unicode.json"), Format::Auto).unwrap();
        assert!(b.title().contains("Zahlungsdienst"), "{}", b.title());
        let b = parse(fixture!("alertmanager-big-annotation.json"), Format::Auto).unwrap();
        let description = &b.alerts[0].annotations["description"];
        assert!(description.len() > 10_000, "{}", description.len());
    }

    #[test]
    fn wrong_shapes_are_errors() {
        let err = parse(
            r#"{"version":"4","status":"firing","alerts":[{"status":"pending","labels":{}}]}"#,
            Format::Alertmanager,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("pending"), "{err}");
        let err = parse(
            r#"{"version":"4","status":"firing","alerts":[]}"#,
            Format::Alertmanager,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("no alerts"), "{err}");
        let err = parse(r#"{"status":"firing"}"#, Format::Alertmanager)
            .unwrap_err()
            .to_string();
        assert!(err.contains("missing field `alerts`"), "{err}");
        assert!(err.contains("line 1 column"), "{err}");
    }
}
