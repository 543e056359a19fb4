//! Grafana unified alerting webhooks: Alertmanager's shape plus `orgId`,
//! `title`, `state` and `message`. The "Test" button of a contact point
//! sends a `TestAlert` with a `test-…` group key; it becomes a `mode: test`
//! incident, kept out of metrics and off the status page.
//!
//! <https://grafana.com/docs/grafana/latest/alerting/configure-notifications/manage-contact-points/integrations/webhook-notifier/>

use super::alertmanager::{self, Payload};
use super::{Batch, Source};
use crate::error::UserError;

pub(super) fn parse(text: &str) -> Result<Batch, UserError> {
    let payload: Payload =
        serde_json::from_str(text).map_err(|e| format!("not a Grafana webhook payload: {e}"))?;
    let title = payload.title.clone();
    let mut batch = alertmanager::batch(payload, Source::Grafana)?;
    batch.test =
        batch.group.starts_with("test-") && batch.alerts.iter().all(|a| a.name() == "TestAlert");
    // Grafana's own `title` ("[FIRING:2] HighCPU (api)") is a fallback
    // only: the summary annotation says more.
    if batch.title.is_none()
        && !batch.any_summary()
        && let Some(title) = title.filter(|t| !t.trim().is_empty())
        && batch.alerts.iter().all(|a| a.name().is_empty())
    {
        batch.title = Some(title);
    }
    Ok(batch)
}

#[cfg(test)]
mod tests {
    use super::super::{AlertState, Format, Source, parse};

    #[test]
    fn firing_group() {
        let b = parse(fixture!("grafana-firing.json"), Format::Grafana).unwrap();
        assert_eq!(b.source, Source::Grafana);
        assert!(!b.test);
        assert_eq!(b.alerts.len(), 2);
        assert_eq!(b.title(), "API p99 latency above 2s");
        assert_eq!(b.label("severity"), Some("warning"));
    }

    #[test]
    fn resolved_group() {
        let b = parse(fixture!("grafana-resolved.json"), Format::Auto).unwrap();
        assert!(b.group_resolved);
        assert!(b.alerts.iter().all(|a| a.state == AlertState::Resolved));
    }

    #[test]
    fn the_test_button() {
        let b = parse(fixture!("grafana-test.json"), Format::Auto).unwrap();
        assert!(b.test);
        assert_eq!(b.alerts[0].name(), "TestAlert");
        assert_eq!(b.title(), "Notification test");
    }
}
