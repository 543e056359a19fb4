//! `inc postmortem`: the draft, its GFM tables, refreshing only the
//! generated blocks, `--stdout`, `--context`, and repository overrides.

use std::fs;

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde_json::Value;

use crate::harness::{LATER, TestRepo};

const LONG: &str = "2026-10-14-checkout-and-sign-in-failing-after";

fn draft_path(id: &str) -> String {
    format!("{}/postmortem.md", TestRepo::incident_dir(id))
}

/// A resolved incident with a pinned note and two actions, one done.
fn incident(repo: &TestRepo) -> String {
    let id = repo.open_with(
        "Checkout errors after deploy",
        "SEV2",
        &[
            "--at",
            "11:00",
            "--started",
            "10:45",
            "--service",
            "checkout",
        ],
    );
    for step in [
        vec!["note", "5xx at 12% since deploy 4f2a", "--at", "11:05"],
        vec!["note", "rollback started", "--pin", "--at", "11:20"],
        vec!["status", "monitoring", "--at", "11:40"],
        vec![
            "resolve",
            "--summary",
            "Rolled back deploy 4f2a.",
            "--at",
            "11:50",
        ],
        vec![
            "action",
            "add",
            &id,
            "Canary deploys for checkout",
            "--owner",
            "bob",
            "--due",
            "2026-12-01",
        ],
        vec![
            "action",
            "add",
            &id,
            "Alert on 5xx ratio",
            "--owner",
            "carol",
            "--link",
            "https://tracker.example.com/OPS-7",
        ],
    ] {
        repo.inc().args(step).ok();
    }
    repo.inc().args(["action", "done", &id, "2"]).ok();
    id
}

/// The text outside generated blocks: each block's contents dropped, its
/// marker lines kept.
fn outside_blocks(text: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        if trimmed.starts_with("<!-- inc:begin ") {
            inside = true;
            out.push_str(line);
        } else if trimmed.starts_with("<!-- inc:end ") {
            inside = false;
            out.push_str(line);
        } else if !inside {
            out.push_str(line);
        }
    }
    out
}

/// The contents of block `name`.
fn block(text: &str, name: &str) -> String {
    let begin = format!("<!-- inc:begin {name} -->\n");
    let end = format!("<!-- inc:end {name} -->");
    let start = text
        .find(&begin)
        .unwrap_or_else(|| panic!("no {name} block"))
        + begin.len();
    let stop = text[start..].find(&end).unwrap() + start;
    text[start..stop].to_owned()
}

/// A GFM table as pulldown-cmark sees it: the heading it sits under, its
/// header cells and the number of body rows (the header is not a row).
#[derive(Debug, PartialEq)]
struct Table {
    under: String,
    header: Vec<String>,
    rows: usize,
}

/// Every table of a Markdown document, every fenced code block's info
/// string, and every raw HTML block or inline fragment.
fn parse(markdown: &str) -> (Vec<Table>, Vec<String>, Vec<String>) {
    let mut tables = Vec::new();
    let mut fences = Vec::new();
    let mut html = Vec::new();
    let mut heading = String::new();
    let mut in_heading = false;
    let mut in_head = false;
    let mut cell: Option<String> = None;
    for event in Parser::new_ext(markdown, Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::Heading { level, .. }) if level <= HeadingLevel::H3 => {
                in_heading = true;
                heading.clear();
            }
            Event::End(TagEnd::Heading(_)) => in_heading = false,
            Event::Start(Tag::Table(_)) => tables.push(Table {
                under: heading.clone(),
                header: Vec::new(),
                rows: 0,
            }),
            Event::Start(Tag::TableHead) => in_head = true,
            Event::End(TagEnd::TableHead) => in_head = false,
            Event::Start(Tag::TableRow) => tables.last_mut().unwrap().rows += 1,
            Event::Start(Tag::TableCell) if in_head => cell = Some(String::new()),
            Event::End(TagEnd::TableCell) if in_head => {
                let text = cell.take().unwrap();
                tables.last_mut().unwrap().header.push(text);
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                fences.push(info.to_string());
            }
            // A block's lines come one by one: join them.
            Event::Start(Tag::HtmlBlock) => html.push(String::new()),
            Event::Html(h) => html.last_mut().unwrap().push_str(&h),
            Event::InlineHtml(h) => html.push(h.to_string()),
            Event::Text(t) | Event::Code(t) => {
                if in_heading {
                    heading.push_str(&t);
                }
                if let Some(cell) = &mut cell {
                    cell.push_str(&t);
                }
            }
            _ => {}
        }
    }
    (tables, fences, html)
}

#[test]
fn draft_of_the_long_example() {
    let repo = TestRepo::examples();
    // The shipped examples carry a written postmortem; draft a fresh one.
    repo.git(&["rm", "-q", &draft_path(LONG)]);
    repo.git(&["commit", "-q", "-m", "no postmortem yet"]);
    let run = repo
        .inc()
        .now(LATER)
        .args(["postmortem", "2026-10-14"])
        .ok();
    // The commit's hash depends on the fixture commit's time.
    let stderr: String = run
        .stderr
        .lines()
        .map(|l| match l.strip_prefix("Committed ") {
            Some(rest) => format!("Committed [HASH]{}\n", &rest[8..]),
            None => format!("{l}\n"),
        })
        .collect();
    assert_eq!(run.stdout, "");
    insta::assert_snapshot!("long_example_run", stderr);
    insta::assert_snapshot!(repo.read(draft_path(LONG)));
}

#[test]
fn the_shipped_postmortems_are_up_to_date() {
    // Written by people, refreshed by examples/demo.sh: a refresh finds
    // nothing to change and makes no commit.
    let repo = TestRepo::examples();
    let before = repo.read(draft_path(LONG));
    let commits = repo.commit_count();
    let run = repo.inc().now(LATER).args(["postmortem", LONG]).ok();
    assert_eq!(repo.read(draft_path(LONG)), before, "{run}");
    assert_eq!(repo.commit_count(), commits);
    assert!(!before.lines().any(|l| l.starts_with("> TODO:")));
}

#[test]
fn draft_of_an_open_example_marks_phases_pending() {
    let repo = TestRepo::examples();
    let id = "2026-11-27-elevated-429-responses-on-the-partner";
    repo.inc()
        .now(LATER)
        .args(["postmortem", "elevated-429"])
        .ok();
    let text = repo.read(draft_path(id));
    assert!(text.contains(":::pending"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn the_draft_is_gfm_with_the_tables_it_should_have() {
    let repo = TestRepo::examples();
    repo.inc().now(LATER).args(["postmortem", LONG]).ok();
    let text = repo.read(draft_path(LONG));
    let (tables, fences, html) = parse(&text);
    let rows = {
        let out = repo
            .inc()
            .now(LATER)
            .args(["timeline", LONG, "--format", "json"])
            .ok();
        let json: Value = serde_json::from_str(&out.stdout).unwrap();
        json["rows"].as_array().unwrap().len()
    };
    let actions = repo.show(LONG).actions.len();
    assert!(actions >= 2, "the long example has actions");
    assert_eq!(
        tables,
        [
            Table {
                under: "Action items".into(),
                header: ["#", "Action", "Owner", "Due", "Status", "Link"]
                    .map(String::from)
                    .to_vec(),
                rows: actions,
            },
            Table {
                under: "Timeline".into(),
                header: ["Time (Europe/Berlin)", "Who", "What"]
                    .map(String::from)
                    .to_vec(),
                rows,
            },
        ]
    );
    assert_eq!(fences, ["mermaid"]);
    // The only raw HTML is comments (guidance and markers) and line breaks.
    for h in &html {
        let h = h.trim();
        assert!(
            h.starts_with("<!--") || h == "<br>",
            "raw HTML in the draft: {h}"
        );
    }
}

#[test]
fn one_commit_holds_exactly_the_draft() {
    let repo = TestRepo::new();
    let id = incident(&repo);
    let before = repo.commit_count();
    let run = repo.inc().args(["postmortem", &id]).ok();
    assert!(run.stdout.is_empty(), "{run}");
    assert!(run.stderr.contains("Wrote "), "{run}");
    assert_eq!(repo.commit_count(), before + 1);
    assert_eq!(repo.head_files(), [draft_path(&id)]);
    assert!(
        repo.head_message()
            .starts_with(&format!("inc({id}): postmortem draft\n")),
        "{}",
        repo.head_message()
    );
    assert_eq!(repo.head_trailer("Inc-Id"), [id.as_str()]);
    assert_eq!(repo.head_trailer("Inc-Event"), ["postmortem"]);
    assert_eq!(repo.git_status(), "", "nothing left uncommitted");
    let text = repo.read(draft_path(&id));
    assert!(text.starts_with("# Postmortem: Checkout errors after deploy\n"));
    for section in [
        "## Summary",
        "## Impact",
        "## Root causes and trigger",
        "## Resolution",
        "## Detection",
        "## Action items",
        "## Lessons learned",
        "### What went well",
        "### What went wrong",
        "### Where we got lucky",
        "## Timeline",
        "## Supporting information",
    ] {
        assert!(text.contains(&format!("\n{section}\n")), "no {section}");
    }
    let actions = block(&text, "actions");
    assert!(
        actions.contains("| 1 | Canary deploys for checkout | bob | 2026-12-01 | open |  |"),
        "{actions}"
    );
    assert!(
        actions.contains(
            "| 2 | Alert on 5xx ratio | carol |  | done | <https://tracker.example.com/OPS-7> |"
        ),
        "{actions}"
    );
    assert!(block(&text, "pinned").contains("rollback started"));
    assert!(block(&text, "timeline").contains("📌 rollback started"));
    assert!(text.contains("- Note on closing: Rolled back deploy 4f2a."));
}

#[test]
fn a_second_run_with_nothing_new_commits_nothing() {
    let repo = TestRepo::new();
    let id = incident(&repo);
    repo.inc().args(["postmortem", &id]).ok();
    let before = repo.state();
    let run = repo.inc().args(["postmortem", &id]).ok();
    assert!(run.stderr.contains("is up to date"), "{run}");
    repo.assert_unchanged(&before);
}

#[test]
fn refresh_keeps_human_text_and_moved_sections() {
    let repo = TestRepo::new();
    let id = incident(&repo);
    repo.inc().args(["postmortem", &id]).ok();
    let path = draft_path(&id);
    let draft = repo.read(&path);
    // A person writes the summary and moves the Timeline section to the top.
    let written = draft.replace(
        "> TODO: Summarise what happened, its impact and how it was resolved.",
        "A deploy broke checkout for 65 minutes; we rolled it back.\n\nMore detail | here.",
    );
    let start = written.find("## Timeline\n").unwrap();
    let end = written.find("## Supporting information\n").unwrap();
    let timeline = &written[start..end];
    let without = format!("{}{}", &written[..start], &written[end..]);
    let summary = without.find("## Summary\n").unwrap();
    let edited = format!("{}{timeline}{}", &without[..summary], &without[summary..]);
    repo.write(&path, &edited);
    repo.commit_all("write the summary, timeline first");

    repo.inc()
        .args(["note", &id, "Found the deploy log line", "--at", "11:30"])
        .ok();
    let run = repo.inc().args(["postmortem", &id]).ok();
    assert!(
        run.stderr.contains("Refreshed the `timeline` block"),
        "{run}"
    );
    let after = repo.read(&path);
    assert_eq!(
        outside_blocks(&after),
        outside_blocks(&edited),
        "human text changed"
    );
    assert!(after.find("## Timeline").unwrap() < after.find("## Summary").unwrap());
    assert!(after.contains("More detail | here."));
    assert!(block(&after, "timeline").contains("Found the deploy log line"));
    assert!(!block(&edited, "timeline").contains("Found the deploy log line"));
    assert_eq!(repo.head_files(), [path]);
    assert!(
        repo.head_message()
            .starts_with(&format!("inc({id}): postmortem: refresh timeline\n"))
    );
}

#[test]
fn a_deleted_block_stays_deleted_with_a_warning() {
    let repo = TestRepo::new();
    let id = incident(&repo);
    repo.inc().args(["postmortem", &id]).ok();
    let path = draft_path(&id);
    let draft = repo.read(&path);
    let pinned = format!(
        "<!-- inc:begin pinned -->\n{}<!-- inc:end pinned -->\n",
        block(&draft, "pinned")
    );
    repo.write(
        &path,
        &draft.replace(&pinned, "We keep no pinned notes here.\n"),
    );
    repo.inc().args(["note", &id, "late note", "--pin"]).ok();
    let run = repo.inc().args(["postmortem", &id]).ok();
    assert!(
        run.stderr.contains("warning: ") && run.stderr.contains("no `pinned` block"),
        "{run}"
    );
    let after = repo.read(&path);
    assert!(!after.contains("inc:begin pinned"));
    assert!(after.contains("We keep no pinned notes here.\n"));
    assert!(block(&after, "timeline").contains("late note"));
}

#[test]
fn unbalanced_markers_are_refused_naming_the_line() {
    let repo = TestRepo::new();
    let id = incident(&repo);
    repo.inc().args(["postmortem", &id]).ok();
    let path = draft_path(&id);
    let draft = repo.read(&path);
    let broken = draft.replacen("<!-- inc:end facts -->\n", "", 1);
    repo.write(&path, &broken);
    repo.inc().args(["note", &id, "news"]).ok();
    let line = broken
        .lines()
        .position(|l| l == "<!-- inc:begin impact -->")
        .unwrap()
        + 1;
    let before = repo.state();
    let run = repo.inc().args(["postmortem", &id]).fails();
    assert!(
        run.stderr.starts_with(&format!(
            "error: {path}:{line}: `inc:begin impact` inside block `facts`"
        )),
        "{run}"
    );
    repo.assert_unchanged(&before);
}

#[test]
fn stdout_prints_the_draft_and_writes_nothing() {
    let repo = TestRepo::new();
    let id = incident(&repo);
    let before = repo.state();
    let run = repo.inc().args(["postmortem", &id, "--stdout"]).ok();
    assert!(
        run.stdout
            .starts_with("# Postmortem: Checkout errors after deploy\n")
    );
    assert_eq!(run.stderr, "");
    repo.assert_unchanged(&before);
    assert!(!repo.exists(draft_path(&id)));

    // On an existing draft it prints the refreshed draft, still writing nothing.
    repo.inc().args(["postmortem", &id]).ok();
    repo.inc().args(["note", &id, "printed, not written"]).ok();
    let before = repo.state();
    let run = repo.inc().args(["postmortem", &id, "--stdout"]).ok();
    assert!(run.stdout.contains("printed, not written"));
    repo.assert_unchanged(&before);
}

#[test]
fn context_is_json_with_the_documented_keys() {
    let repo = TestRepo::new();
    let id = incident(&repo);
    let before = repo.state();
    let run = repo.inc().args(["postmortem", &id, "--context"]).ok();
    repo.assert_unchanged(&before);
    let json: Value = serde_json::from_str(&run.stdout).unwrap();
    let keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for key in [
        "incident",
        "zone",
        "severity",
        "opened_severity",
        "services",
        "phases",
        "durations",
        "actions",
        "timeline",
        "resolution",
        "blocks",
    ] {
        assert!(keys.contains(&key), "no `{key}` in {keys:?}");
    }
    crate::harness::assert_incident_keys(&json["incident"]);
    assert_eq!(json["zone"], "UTC");
    assert_eq!(json["severity"]["id"], "SEV2");
    assert_eq!(json["severity"]["postmortem"], "required");
    assert_eq!(json["services"][0]["id"], "checkout");
    assert_eq!(json["durations"]["detect"]["seconds"], 15 * 60);
    assert_eq!(json["durations"]["resolve"]["human"], "1h 05m");
    let phases: Vec<&str> = json["phases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["key"].as_str().unwrap())
        .collect();
    assert_eq!(
        phases,
        [
            "started",
            "detected",
            "acknowledged",
            "mitigated",
            "resolved"
        ]
    );
    assert_eq!(json["actions"][1]["status"], "done");
    assert_eq!(json["resolution"], "Rolled back deploy 4f2a.");
    for block in ["facts", "impact", "actions", "phases", "timeline", "pinned"] {
        assert!(json["blocks"][block].is_string(), "no block `{block}`");
    }
    assert!(json["timeline"].as_array().unwrap().len() > 5);
}

#[test]
fn a_repository_override_wins_and_can_extend_the_builtin() {
    let repo = TestRepo::new();
    let id = incident(&repo);
    repo.write(
        "templates/postmortem.md.j2",
        "{% extends \"builtin/postmortem.md.j2\" %}\n\
         {% block lessons %}\n\n## What we learned\n\nOur own section for {{ incident.id }}.\n{% endblock %}\n",
    );
    repo.commit_all("our template");
    repo.inc().args(["postmortem", &id]).ok();
    let text = repo.read(draft_path(&id));
    assert!(text.contains(&format!(
        "## What we learned\n\nOur own section for {id}.\n"
    )));
    assert!(!text.contains("### Where we got lucky"));
    assert!(
        text.contains("<!-- inc:begin timeline -->"),
        "the rest is the built-in"
    );
    assert_eq!(repo.head_files(), [draft_path(&id)]);
}

#[test]
fn a_repository_override_can_include_the_builtin_and_its_own_partials() {
    let repo = TestRepo::new();
    let id = incident(&repo);
    repo.write(
        "templates/postmortem.md.j2",
        "{% include \"parts/banner.md.j2\" %}\n\n{% include \"builtin/postmortem.md.j2\" %}",
    );
    repo.write(
        "templates/parts/banner.md.j2",
        "<!-- Acme review template -->\nSeverity {{ severity.id }}, {{ services | length }} service(s).\n",
    );
    let run = repo.inc().args(["postmortem", &id, "--stdout"]).ok();
    assert!(
        run.stdout.starts_with(
            "<!-- Acme review template -->\nSeverity SEV2, 1 service(s).\n\n# Postmortem:"
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn a_broken_override_names_file_and_line() {
    let repo = TestRepo::new();
    let id = incident(&repo);
    let before = repo.state();
    repo.write(
        "templates/postmortem.md.j2",
        "# {{ incident.title }}\n\n{{ incident.no_such_field }}\n",
    );
    let run = repo.inc().args(["postmortem", &id]).fails();
    assert!(
        run.stderr
            .starts_with("error: templates/postmortem.md.j2:3: undefined value"),
        "{run}"
    );
    assert!(
        run.stderr.contains("3 | {{ incident.no_such_field }}"),
        "{run}"
    );
    assert!(run.stderr.contains("--context"), "{run}");
    assert!(!repo.exists(draft_path(&id)));

    repo.write(
        "templates/postmortem.md.j2",
        "ok\n{% for x in %}\n{% endfor %}\n",
    );
    let run = repo.inc().args(["postmortem", &id]).fails();
    assert!(
        run.stderr
            .starts_with("error: templates/postmortem.md.j2:2: syntax error"),
        "{run}"
    );

    // A template whose output has broken markers is refused too.
    repo.write("templates/postmortem.md.j2", "<!-- inc:begin x -->\n");
    let run = repo.inc().args(["postmortem", &id]).fails();
    assert!(
        run.stderr
            .contains("templates/postmortem.md.j2 makes a draft whose markers"),
        "{run}"
    );
    fs::remove_dir_all(repo.path("templates")).unwrap();
    repo.assert_unchanged(&before);
}

#[test]
fn hostile_titles_and_notes_leave_the_markdown_intact() {
    let repo = TestRepo::new();
    let id = repo.open_with(
        "Pipes | <b>bold</b> `tick <!-- inc:end facts -->",
        "SEV3",
        &["--summary", "line one\n# two\n<script>x</script>"],
    );
    repo.inc()
        .args([
            "note",
            &id,
            "a | b\n<!-- inc:begin x -->\n```\nfence",
            "--pin",
        ])
        .ok();
    repo.inc()
        .args([
            "action",
            "add",
            &id,
            "Fix | this <now>",
            "--owner",
            "a|b",
            "--link",
            "https://example.com/?q=a|b",
        ])
        .ok();
    repo.inc().args(["postmortem", &id]).ok();
    let text = repo.read(draft_path(&id));
    let (tables, fences, html) = parse(&text);
    assert_eq!(tables.len(), 2, "{text}");
    assert_eq!(tables[0].header.len(), 6);
    assert_eq!(tables[0].rows, 1);
    assert_eq!(fences, ["mermaid"]);
    for h in &html {
        let h = h.trim();
        assert!(
            h.starts_with("<!--") || h == "<br>",
            "raw HTML: {h}\n{text}"
        );
    }
    // A second run finds the same blocks and changes nothing.
    let before = repo.state();
    repo.inc().args(["postmortem", &id]).ok();
    repo.assert_unchanged(&before);
}
