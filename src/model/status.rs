//! The closed vocabularies of the file format: statuses, impacts, kinds, modes.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Every value, in lifecycle order.
            pub const ALL: &[$name] = &[$($name::$variant),+];

            /// The value as written in files and on the command line.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                let wanted = s.trim().to_ascii_lowercase().replace('-', "_");
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == wanted)
                    .ok_or_else(|| {
                        let allowed: Vec<String> =
                            $name::ALL.iter().map(|v| format!("`{v}`")).collect();
                        format!("unknown {} `{}`; allowed: {}", $what, s, allowed.join(", "))
                    })
            }
        }
    };
}

vocabulary! {
    /// Where an incident (or a maintenance) stands.
    Status, "status" {
        Triage => "triage",
        Investigating => "investigating",
        Identified => "identified",
        Monitoring => "monitoring",
        Resolved => "resolved",
        Declined => "declined",
        Scheduled => "scheduled",
        InProgress => "in_progress",
        Verifying => "verifying",
        Completed => "completed",
    }
}

impl Status {
    /// The statuses an incident (not a maintenance) moves through.
    pub const INCIDENT: &[Status] = &[
        Status::Triage,
        Status::Investigating,
        Status::Identified,
        Status::Monitoring,
        Status::Resolved,
        Status::Declined,
    ];
    /// The statuses of a scheduled maintenance.
    pub const MAINTENANCE: &[Status] = &[
        Status::Scheduled,
        Status::InProgress,
        Status::Verifying,
        Status::Completed,
    ];

    /// Closed: nothing more is expected to happen (until a reopen).
    pub fn is_closed(self) -> bool {
        matches!(
            self,
            Status::Resolved | Status::Declined | Status::Completed
        )
    }

    /// Whether this status belongs to the maintenance lifecycle.
    pub fn is_maintenance(self) -> bool {
        Status::MAINTENANCE.contains(&self)
    }
}

vocabulary! {
    /// What the status page shows for an affected component.
    Impact, "impact" {
        None => "none",
        DegradedPerformance => "degraded_performance",
        PartialOutage => "partial_outage",
        MajorOutage => "major_outage",
    }
}

vocabulary! {
    /// An incident, or a planned maintenance.
    Kind, "kind" {
        Incident => "incident",
        Maintenance => "maintenance",
    }
}

vocabulary! {
    /// `test` incidents stay out of metrics and off the status page.
    Mode, "mode" {
        Standard => "standard",
        Test => "test",
        Retrospective => "retrospective",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_case_and_dashes() {
        assert_eq!("In-Progress".parse::<Status>(), Ok(Status::InProgress));
        assert_eq!("RESOLVED".parse::<Status>(), Ok(Status::Resolved));
    }

    #[test]
    fn unknown_lists_allowed() {
        let err = "fixed".parse::<Status>().unwrap_err();
        assert!(err.contains("unknown status `fixed`"), "{err}");
        assert!(err.contains("`monitoring`"), "{err}");
    }

    #[test]
    fn closed_statuses() {
        assert!(Status::Resolved.is_closed());
        assert!(Status::Declined.is_closed());
        assert!(!Status::Monitoring.is_closed());
    }
}
