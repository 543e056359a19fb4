//! The phases of an incident and the times between them, as the metrics
//! define them: started (impact) ≤ opened (detected) ≤ acknowledged ≤
//! mitigated ≤ resolved.

use chrono::{DateTime, Duration, Utc};

use super::incident::Header;
use super::state::State;

/// A lifecycle milestone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Started,
    Detected,
    Acknowledged,
    Mitigated,
    Resolved,
}

impl Phase {
    pub const ALL: [Phase; 5] = [
        Phase::Started,
        Phase::Detected,
        Phase::Acknowledged,
        Phase::Mitigated,
        Phase::Resolved,
    ];

    /// A short name for tables and JSON: `impact start`, `detected` ….
    pub fn label(self) -> &'static str {
        match self {
            Phase::Started => "impact start",
            Phase::Detected => "detected",
            Phase::Acknowledged => "acknowledged",
            Phase::Mitigated => "mitigated",
            Phase::Resolved => "resolved",
        }
    }

    /// The key in JSON output.
    pub fn key(self) -> &'static str {
        match self {
            Phase::Started => "started",
            Phase::Detected => "detected",
            Phase::Acknowledged => "acknowledged",
            Phase::Mitigated => "mitigated",
            Phase::Resolved => "resolved",
        }
    }
}

/// When each phase was reached (`None`: not yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Phases {
    pub started: DateTime<Utc>,
    pub detected: DateTime<Utc>,
    pub acknowledged: Option<DateTime<Utc>>,
    pub mitigated: Option<DateTime<Utc>>,
    pub resolved: Option<DateTime<Utc>>,
}

impl Phases {
    pub fn of(header: &Header, state: &State) -> Phases {
        Phases {
            started: header.started(),
            detected: header.opened_at,
            acknowledged: state.acknowledged_at,
            mitigated: state.mitigated_at,
            resolved: state.resolved_at,
        }
    }

    pub fn at(&self, phase: Phase) -> Option<DateTime<Utc>> {
        match phase {
            Phase::Started => Some(self.started),
            Phase::Detected => Some(self.detected),
            Phase::Acknowledged => self.acknowledged,
            Phase::Mitigated => self.mitigated,
            Phase::Resolved => self.resolved,
        }
    }

    /// Time to detect: opened − started.
    pub fn to_detect(&self) -> Duration {
        self.detected - self.started
    }

    /// Time to acknowledge: acknowledged − opened.
    pub fn to_acknowledge(&self) -> Option<Duration> {
        self.acknowledged.map(|t| t - self.detected)
    }

    /// Time to mitigate: mitigated − started.
    pub fn to_mitigate(&self) -> Option<Duration> {
        self.mitigated.map(|t| t - self.started)
    }

    /// Time to resolve: resolved − started.
    pub fn to_resolve(&self) -> Option<Duration> {
        self.resolved.map(|t| t - self.started)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Event, EventKind, Status};
    use chrono::TimeZone;

    #[test]
    fn durations_follow_the_definitions() {
        let t =
            |m: i64| Utc.with_ymd_and_hms(2026, 11, 27, 12, 0, 0).unwrap() + Duration::minutes(m);
        let header = Header {
            title: "x".into(),
            started_at: Some(t(-10)),
            opened_at: t(0),
            opened_by: "ci".into(),
            ..Header::default()
        };
        let state = State::fold(&[
            Event::new(
                t(0),
                "ci",
                EventKind::Opened {
                    severity: "SEV2".into(),
                    status: Status::Triage,
                },
            ),
            Event::new(t(5), "bob", EventKind::Ack),
            Event::new(
                t(20),
                "bob",
                EventKind::Status {
                    status: Status::Monitoring,
                    text: None,
                },
            ),
            Event::new(
                t(50),
                "bob",
                EventKind::Status {
                    status: Status::Resolved,
                    text: None,
                },
            ),
        ]);
        let p = Phases::of(&header, &state);
        assert_eq!(p.to_detect(), Duration::minutes(10));
        assert_eq!(p.to_acknowledge(), Some(Duration::minutes(5)));
        assert_eq!(p.to_mitigate(), Some(Duration::minutes(30)));
        assert_eq!(p.to_resolve(), Some(Duration::minutes(60)));
        assert_eq!(p.at(Phase::Acknowledged), Some(t(5)));
    }
}
