//! The cases of [`super`].

use std::path::Path;

use super::*;

fn parse(text: &str) -> Result<Config> {
    Config::parse(text, Path::new("inc.yaml"))
}

#[test]
fn empty_is_all_defaults() {
    let c = parse("").unwrap();
    assert_eq!(c.severities.len(), 4);
    assert_eq!(c.roles, ["commander", "comms", "scribe"]);
    assert_eq!(c.postmortem.due_days, 7);
    assert!(c.postmortem.blame_words.iter().any(|w| w == "human error"));
    assert!(c.git.commit);
    assert_eq!(c.default_impact(Some("SEV1")), Impact::MajorOutage);
}

#[test]
fn the_shipped_template_parses() {
    let c = parse(include_str!("../../templates/inc.yaml")).unwrap();
    assert_eq!(c.severities.len(), 4);
    assert_eq!(
        c.postmortem.blame_words,
        default_blame_words(),
        "the template lists the defaults"
    );
}

#[test]
fn unknown_key_names_file_line_and_key() {
    let err = parse("name: x\ntimezone: UTC\nsevrities: []\n")
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("inc.yaml:3:"), "{err}");
    assert!(err.contains("unknown field `sevrities`"), "{err}");
    let err = parse("git:\n  comit: false\n").unwrap_err().to_string();
    assert!(err.starts_with("inc.yaml:2:"), "{err}");
    assert!(err.contains("`comit`"), "{err}");
}

#[test]
fn bad_values_are_located() {
    let err = parse("timezone: Mars/Olympus\n").unwrap_err().to_string();
    assert!(err.starts_with("inc.yaml:1:"), "{err}");
    let err = parse("severities:\n  - id: P1\n  - id: P1\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("listed twice"), "{err}");
    let err = parse("roles: [scribe]\n").unwrap_err().to_string();
    assert!(err.contains("inc.yaml:1"), "{err}");
}

#[test]
fn alert_settings_are_validated_on_load() {
    let err = parse("name: x\nalerts:\n  reopen_window: 1.5h\n")
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("inc.yaml:3: "), "{err}");
    assert!(err.contains("`1.5h` is not a duration"), "{err}");
    let err = parse("alerts:\n  service_label: ''\n")
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("inc.yaml:2: "), "{err}");
    assert!(parse("alerts:\n  reopen_window: 1h30m\n").is_ok());
}

#[test]
fn suspects_take_paths_or_path_and_ref() {
    let c = parse("").unwrap();
    assert_eq!(c.suspects.before(), chrono::Duration::hours(2));
    assert!(c.suspects.repos.is_empty());
    let text = "name: x\nsuspects:\n  before: 90m\n  repos:\n    - ../api\n    - {path: ~/web, ref: origin/main}\n";
    let c = parse(text).unwrap();
    assert_eq!(c.suspects.before(), chrono::Duration::minutes(90));
    assert_eq!(
        c.suspects.repos,
        [
            SuspectRepo {
                path: "../api".to_owned(),
                rev: None
            },
            SuspectRepo {
                path: "~/web".to_owned(),
                rev: Some("origin/main".to_owned())
            },
        ]
    );
    assert_eq!(c.suspects.lines, [Some(5), Some(6)]);
    let err = parse("suspects:\n  repos:\n    - {path: x, ref: ''}\n")
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("inc.yaml:3: "), "{err}");
    let err = parse("suspects:\n  repos:\n    - [x]\n")
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("inc.yaml:3:"), "{err}");
}

#[test]
fn blame_words_are_configurable() {
    let c = parse("postmortem:\n  blame_words: [oops]\n").unwrap();
    assert_eq!(c.postmortem.blame_words, ["oops"]);
    assert_eq!(
        c.postmortem.due_days, 7,
        "the other keys keep their defaults"
    );
    let c = parse("postmortem:\n  due_days: 3\n").unwrap();
    assert_eq!(c.postmortem.blame_words, default_blame_words());
    let err = parse("postmortem:\n  blame_words: oops\n")
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("inc.yaml:2:"), "{err}");
}

/// Found by the `config` fuzz target: `sEV3` next to `SEV3` loaded,
/// but typing `sEV3` picked `SEV3`; ` SEV1` loaded and could never be
/// typed.
#[test]
fn fuzz_severity_ids_differ_in_more_than_case_and_blanks() {
    let err = parse("severities:\n  - id: SEV3\n  - id: sEV3\n")
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("inc.yaml:3: severity `sEV3` is listed twice"),
        "{err}"
    );
    let err = parse("severities:\n  - id: ' SEV1'\n")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("severity ` SEV1` has blanks around it"),
        "{err}"
    );
    let c = parse("severities:\n  - id: SEV3\n  - id: SEV4\n").unwrap();
    assert_eq!(c.parse_severity("sev4").unwrap(), "SEV4");
}

#[test]
fn severities_are_case_insensitive() {
    let c = parse("").unwrap();
    assert_eq!(c.parse_severity("sev2").unwrap(), "SEV2");
    let err = c.parse_severity("P0").unwrap_err();
    assert!(
        err.to_string().starts_with("unknown severity `P0`"),
        "{err}"
    );
    let hints = crate::error::hints(&err);
    assert!(
        hints[0].contains("`SEV1`, `SEV2`, `SEV3`, `SEV4`"),
        "{hints:?}"
    );
}
