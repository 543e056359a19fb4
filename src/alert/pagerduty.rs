//! PagerDuty Events API v2 events: `trigger`, `acknowledge` and `resolve`,
//! grouped by `dedup_key`. One event carries one alert, whose fingerprint
//! is the dedup key too. `payload.timestamp` may use a `+0000` offset.
//!
//! <https://developer.pagerduty.com/docs/events-api-v2/trigger-events/>

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use super::{Alert, AlertState, Batch, Source, clean_key, fingerprint, key, parse_time};
use crate::error::UserError;

#[derive(Debug, Deserialize)]
struct Event {
    #[serde(default)]
    routing_key: Option<String>,
    event_action: String,
    #[serde(default)]
    dedup_key: Option<String>,
    #[serde(default)]
    payload: Option<Payload>,
}

#[derive(Debug, Deserialize)]
struct Payload {
    summary: String,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    severity: Option<String>,
    #[serde(default)]
    timestamp: Option<String>,
    #[serde(default)]
    component: Option<String>,
    #[serde(default)]
    group: Option<String>,
    #[serde(default)]
    class: Option<String>,
    #[serde(default)]
    custom_details: Option<Value>,
}

pub(super) fn parse(text: &str) -> Result<Batch, UserError> {
    let event: Event = serde_json::from_str(text)
        .map_err(|e| format!("not a PagerDuty Events API v2 event: {e}"))?;
    let state = match event.event_action.as_str() {
        "trigger" => AlertState::Firing,
        "acknowledge" => AlertState::Acknowledged,
        "resolve" => AlertState::Resolved,
        other => {
            return Err(UserError::new(format!(
                "the PagerDuty `event_action` is `{}`, not `trigger`, `acknowledge` or `resolve`",
                clean_key(other)
            )));
        }
    };
    let mut labels = BTreeMap::new();
    let mut annotations = BTreeMap::new();
    let mut starts_at = None;
    if let Some(p) = &event.payload {
        annotations.insert("summary".to_owned(), p.summary.clone());
        for (key, value) in [
            ("source", &p.source),
            ("severity", &p.severity),
            ("component", &p.component),
            ("group", &p.group),
            ("class", &p.class),
        ] {
            if let Some(v) = value {
                labels.insert(key.to_owned(), v.clone());
            }
        }
        // Flat custom details become labels, so `alerts.service_label` and
        // `alerts.severity_label` can name them.
        if let Some(Value::Object(details)) = &p.custom_details {
            for (k, v) in details {
                let v = match v {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    Value::Bool(b) => b.to_string(),
                    _ => continue,
                };
                labels.entry(k.clone()).or_insert(v);
            }
        }
        starts_at = p
            .timestamp
            .as_deref()
            .map(|t| parse_time("payload.timestamp", t))
            .transpose()?
            .flatten();
    } else if state == AlertState::Firing {
        return Err(UserError::new(
            "the PagerDuty `trigger` event has no `payload`",
        ));
    }
    // PagerDuty makes up a dedup key for a trigger without one; so do we,
    // stably, from what the event says.
    let dedup_key = event
        .dedup_key
        .as_deref()
        .map(|k| key("the PagerDuty event's `dedup_key`", k))
        .transpose()?;
    let group = match dedup_key {
        Some(key) if !key.is_empty() => key,
        _ if state == AlertState::Firing => {
            let mut basis = labels.clone();
            basis.insert("summary".to_owned(), annotations["summary"].clone());
            basis.insert(
                "routing_key".to_owned(),
                event.routing_key.clone().unwrap_or_default(),
            );
            format!("pd-{}", fingerprint(&basis))
        }
        _ => {
            return Err(UserError::new(format!(
                "the PagerDuty `{}` event has no `dedup_key`, so it matches no incident",
                event.event_action
            )));
        }
    };
    let title = annotations.get("summary").cloned();
    Ok(Batch {
        source: Source::Pagerduty,
        alerts: vec![Alert {
            fingerprint: group.clone(),
            state,
            labels,
            annotations,
            starts_at,
            ends_at: None,
        }],
        group_resolved: state == AlertState::Resolved,
        group,
        truncated: 0,
        test: false,
        title,
    })
}

#[cfg(test)]
mod tests {
    use super::super::{AlertState, Format, Source, parse};

    #[test]
    fn trigger_with_a_colonless_offset() {
        let b = parse(fixture!("pagerduty-trigger.json"), Format::Pagerduty).unwrap();
        assert_eq!(b.source, Source::Pagerduty);
        assert_eq!(b.group, "srv01/mysql-replication-lag");
        assert_eq!(b.alerts[0].fingerprint, b.group);
        assert_eq!(b.alerts[0].state, AlertState::Firing);
        assert_eq!(
            b.alerts[0].starts_at.unwrap().to_rfc3339(),
            "2026-11-27T11:55:20+00:00"
        );
        assert_eq!(b.title(), "Replication lag on srv01 is 312s");
        assert_eq!(b.label("severity"), Some("critical"));
        assert_eq!(b.label("service"), Some("database"), "from custom_details");
    }

    #[test]
    fn acknowledge_and_resolve() {
        let b = parse(fixture!("pagerduty-acknowledge.json"), Format::Auto).unwrap();
        assert_eq!(b.alerts[0].state, AlertState::Acknowledged);
        assert_eq!(b.group, "srv01/mysql-replication-lag");
        let b = parse(fixture!("pagerduty-resolve.json"), Format::Auto).unwrap();
        assert_eq!(b.alerts[0].state, AlertState::Resolved);
        assert!(b.group_resolved);
    }

    #[test]
    fn trigger_without_dedup_key_gets_a_stable_one() {
        let text = fixture!("pagerduty-unicode.json");
        let a = parse(text, Format::Auto).unwrap();
        assert!(a.group.starts_with("pd-"), "{}", a.group);
        assert_eq!(a.group, parse(text, Format::Auto).unwrap().group);
        assert!(a.title().contains("東京"), "{}", a.title());
    }

    #[test]
    fn wrong_shapes_are_errors() {
        let err = parse(r#"{"event_action":"snooze"}"#, Format::Auto)
            .unwrap_err()
            .to_string();
        assert!(err.contains("snooze"), "{err}");
        let err = parse(r#"{"event_action":"trigger"}"#, Format::Auto)
            .unwrap_err()
            .to_string();
        assert!(err.contains("payload"), "{err}");
        let err = parse(r#"{"event_action":"resolve"}"#, Format::Auto)
            .unwrap_err()
            .to_string();
        assert!(err.contains("dedup_key"), "{err}");
    }
}
