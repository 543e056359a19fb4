//! The cases of [`super`].

use super::*;
use crate::config::Config;

const EXAMPLE: &str = r#"name: Example
services:
  - id: api
  - id: web
    escalation:
      - after: 0m
        page: [web-lead]
oncall:
  rotations:
    - id: primary
      members: [alice, bob, carol]
      shift: 1w
      start: "2026-01-05 09:00"
      timezone: Europe/Berlin
      services: [api, web]
  overrides:
    - {rotation: primary, who: dave, from: "2026-12-24 00:00", to: "2026-12-27 00:00"}
escalation:
  - after: 0m
    page: oncall:primary
  - after: 15m
    page: [erin, frank]
"#;

fn parse(text: &str) -> Result<Config> {
    Config::parse(text, Path::new("inc.yaml"))
}

fn err(text: &str) -> String {
    format!("{:#}", parse(text).unwrap_err())
}

fn with_oncall(main: &str, extra: &str) -> Result<Config> {
    Config::parse_with(
        main,
        Path::new("inc.yaml"),
        Some((extra, Path::new("oncall.yaml"))),
    )
}

#[test]
fn the_issue_example_parses() {
    let c = parse(EXAMPLE).unwrap();
    let r = c.oncall.rotation("primary").unwrap();
    assert_eq!(r.members, ["alice", "bob", "carol"]);
    assert_eq!(r.shift, Duration::weeks(1));
    assert_eq!(r.zone, chrono_tz::Europe::Berlin);
    assert_eq!(c.oncall.overrides.len(), 1);
    assert_eq!(
        c.oncall.overrides[0].from,
        Utc.with_ymd_and_hms(2026, 12, 23, 23, 0, 0).unwrap(),
        "local midnight in Berlin"
    );
    assert_eq!(c.escalation.len(), 2);
    assert_eq!(c.escalation[0].page, Target::Rotation("primary".into()));
    assert_eq!(
        c.escalation[1].page,
        Target::People(vec!["erin".into(), "frank".into()])
    );
    assert_eq!(c.escalation_for(&["api".into()]).len(), 2);
    assert_eq!(
        c.escalation_for(&["api".into(), "web".into()])[0].page,
        Target::People(vec!["web-lead".into()]),
        "a service's own policy wins"
    );
}

#[test]
fn bad_rotations_name_file_and_line() {
    let e = err(&EXAMPLE.replace("[alice, bob, carol]", "[]"));
    assert!(e.starts_with("inc.yaml:11: "), "{e}");
    assert!(e.contains("rotation `primary` has no members"), "{e}");
    let e = err(&EXAMPLE.replace("shift: 1w", "shift: 0h"));
    assert!(e.starts_with("inc.yaml:12: "), "{e}");
    assert!(e.contains("shift of zero"), "{e}");
    let e = err(&EXAMPLE.replace("shift: 1w", "shift: fortnight"));
    assert!(e.starts_with("inc.yaml:12: "), "{e}");
    let e = err(&EXAMPLE.replace("Europe/Berlin", "Europe/Atlantis"));
    assert!(e.starts_with("inc.yaml:14:"), "{e}");
    let e = err(&EXAMPLE.replace("\"2026-01-05 09:00\"", "next monday"));
    assert!(e.starts_with("inc.yaml:13: "), "{e}");
    let e = err(&EXAMPLE.replace("services: [api, web]", "services: [api, db]"));
    assert!(e.starts_with("inc.yaml:15: "), "{e}");
    assert!(e.contains("unknown service `db`"), "{e}");
    let e = err(&EXAMPLE.replace("      members:", "      member:"));
    assert!(e.starts_with("inc.yaml:11:"), "{e}");
}

#[test]
fn bad_overrides_and_levels_name_file_and_line() {
    let e = err(&EXAMPLE.replace(
        "rotation: primary, who: dave",
        "rotation: secondary, who: dave",
    ));
    assert!(e.starts_with("inc.yaml:17: "), "{e}");
    assert!(e.contains("unknown rotation `secondary`"), "{e}");
    let e = err(&EXAMPLE.replace("to: \"2026-12-27 00:00\"", "to: \"2026-12-23 00:00\""));
    assert!(e.contains("ends before it starts"), "{e}");
    let e = err(&EXAMPLE.replace("page: oncall:primary", "page: oncall:nightly"));
    assert!(e.starts_with("inc.yaml:20: "), "{e}");
    assert!(e.contains("unknown rotation `nightly`"), "{e}");
    let e = err(&EXAMPLE.replace("after: 15m", "after: soon"));
    assert!(e.starts_with("inc.yaml:21: "), "{e}");
}

#[test]
fn overlapping_overrides_name_both() {
    let text = EXAMPLE.replace(
        "  overrides:\n",
        "  overrides:\n    - {rotation: primary, who: erin, from: \"2026-12-26 00:00\", to: \"2026-12-28 00:00\"}\n",
    );
    let e = err(&text);
    assert!(e.contains("overrides of `primary` overlap"), "{e}");
    assert!(
        e.contains("erin 2026-12-26 00:00 → 2026-12-28 00:00 (inc.yaml:17)"),
        "{e}"
    );
    assert!(
        e.contains("dave 2026-12-24 00:00 → 2026-12-27 00:00 (inc.yaml:18)"),
        "{e}"
    );
}

#[test]
fn oncall_yaml_adds_to_inc_yaml() {
    let extra = "# swaps\noncall:\n  overrides:\n    - {rotation: primary, who: erin, from: \"2027-01-01 00:00\", to: \"2027-01-02 00:00\"}\n";
    let c = with_oncall(EXAMPLE, extra).unwrap();
    assert_eq!(c.oncall.overrides.len(), 2);
    assert!(c.oncall_file.is_some());
    let overlapping = extra.replace("2027-01-01", "2026-12-25");
    let e = format!("{:#}", with_oncall(EXAMPLE, &overlapping).unwrap_err());
    assert!(e.starts_with("oncall.yaml:4: "), "{e}");
    assert!(e.contains("(inc.yaml:17)"), "{e}");
    let e = format!(
        "{:#}",
        with_oncall(EXAMPLE, "escalation:\n  - {after: 5m, page: zed}\n").unwrap_err()
    );
    assert!(e.starts_with("oncall.yaml:1: "), "{e}");
    assert!(e.contains("`escalation` is set in inc.yaml too"), "{e}");
    let e = format!("{:#}", with_oncall("", "name: x\n").unwrap_err());
    assert!(e.starts_with("oncall.yaml:1:"), "{e}");
    // The rotations may live in oncall.yaml alone.
    let rotations = &EXAMPLE[EXAMPLE.find("oncall:").unwrap()..];
    let c = with_oncall("timezone: UTC\n", rotations).unwrap();
    assert_eq!(c.oncall.rotations.len(), 1);
}

#[test]
fn overrides_are_added_as_text_keeping_comments() {
    let item = override_item("primary", "dave", "2026-12-24 00:00", "2026-12-27 00:00");
    assert_eq!(
        item,
        r#"{rotation: primary, who: dave, from: "2026-12-24 00:00", to: "2026-12-27 00:00"}"#
    );
    assert_eq!(
        override_item("p", "o'neil: x", "a", "b"),
        r#"{rotation: p, who: "o'neil: x", from: "a", to: "b"}"#
    );
    let count = |text: &str| -> usize {
        let f: OncallFile = serde_yaml::from_str(text).unwrap();
        f.oncall.map_or(0, |o| o.overrides.len())
    };
    let new = add_override_text(None, &item).unwrap();
    assert_eq!(count(&new), 1);
    let cases = [
        "# mine\noncall:\n  overrides:\n    - {rotation: a, who: b, from: x, to: y}\n  # end\nescalation:\n  - {after: 0m, page: x}\n",
        "oncall:\n  overrides:\n  - rotation: a   # block style\n    who: b\n    from: x\n    to: y\n",
        "oncall:\n  overrides: []  # none yet\n",
        "oncall:\n    rotations: []\n",
        "escalation: []\n",
        "oncall:\n",
    ];
    for text in cases {
        let before = count(text);
        let after = add_override_text(Some(text), &item).unwrap();
        assert_eq!(count(&after), before + 1, "{text}\n→\n{after}");
        for line in text.lines().filter(|l| l.contains('#')) {
            let comment = &line[line.find('#').unwrap()..];
            assert!(after.contains(comment), "kept {comment:?}: {after}");
        }
    }
    assert_eq!(
        add_override_text(Some("oncall: {overrides: []}\n"), &item),
        None
    );
}

#[test]
fn the_readme_example_parses() {
    let readme = include_str!("../../../README.md");
    let section = &readme[readme.find("## On call and escalation").unwrap()..];
    let start = section.find("```yaml\n").unwrap() + "```yaml\n".len();
    let block = &section[start..start + section[start..].find("```").unwrap()];
    let c = parse(block).unwrap();
    assert_eq!(c.oncall.rotations.len(), 1);
    assert_eq!(c.escalation.len(), 2);
    assert_eq!(c.escalation_for(&["db".into()]).len(), 1);
}

#[test]
fn override_times_are_written_readably_and_read_back() {
    let zone = chrono_tz::Europe::Berlin;
    let at = Utc.with_ymd_and_hms(2026, 12, 23, 23, 0, 0).unwrap();
    assert_eq!(write_time(at, zone), "2026-12-24 00:00");
    // 02:30 on 25 October 2026 happens twice; the second needs an offset.
    let second = Utc.with_ymd_and_hms(2026, 10, 25, 1, 30, 0).unwrap();
    let written = write_time(second, zone);
    assert_eq!(written, "2026-10-25T02:30:00+01:00");
    assert_eq!(parse_time(&written, zone).unwrap().1, second);
}
