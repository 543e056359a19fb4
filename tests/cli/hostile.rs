//! Hostile input: safe IDs, titles kept verbatim, nothing outside
//! incidents/, and never a panic.

use crate::harness::{TestRepo, is_id};

fn long_title() -> String {
    let words = [
        "database",
        "connection",
        "pool",
        "exhausted",
        "on",
        "primary",
    ];
    let mut t = String::new();
    let mut i = 0;
    while t.chars().count() < 300 {
        t.push_str(words[i % words.len()]);
        t.push(' ');
        i += 1;
    }
    t.chars().take(300).collect()
}

fn hostile_titles() -> Vec<String> {
    vec![
        "../../etc/passwd".to_owned(),
        "..".to_owned(),
        "/".to_owned(),
        "🔥 Café señor Ürün — naïve façade 日本語".to_owned(),
        "🔥🔥🔥".to_owned(),
        long_title(),
        "x".repeat(300),
        "a/b\\c:d*e?f".to_owned(),
        "line one\nline two".to_owned(),
        "\x1b[31mred\x1b[0m alert\x07".to_owned(),
        "--help".to_owned(),
        "null".to_owned(),
        "500".to_owned(),
        "true".to_owned(),
        "~".to_owned(),
        "0x1F".to_owned(),
        "2026-11-27".to_owned(),
        "key: value".to_owned(),
        "- [a]: {b} # c".to_owned(),
        "'single' \"double\" `back` $HOME %s {{x}}".to_owned(),
        "!!!".to_owned(),
        "CON".to_owned(),
    ]
}

#[test]
fn hostile_titles_make_safe_ids_and_stay_verbatim() {
    let repo = TestRepo::new();
    let incidents = repo.path("incidents").canonicalize().unwrap();
    let mut ids = Vec::new();
    for title in hostile_titles() {
        // `--` so a title that looks like a flag is still a title.
        let out = repo
            .inc()
            .args(["open", "-s", "SEV3", "--"])
            .arg(&title)
            .ok();
        let id = out.stdout.trim_end_matches('\n').to_owned();
        assert!(is_id(&id), "unsafe ID {id:?} for {title:?}");
        assert!(id.starts_with("2026-11-27-"), "{id}");
        let dir = repo
            .path(TestRepo::incident_dir(&id))
            .canonicalize()
            .unwrap();
        assert!(dir.starts_with(&incidents), "{} escapes", dir.display());
        assert_eq!(dir.parent().unwrap(), incidents.join("2026"));

        // Kept verbatim, in the file and through the JSON API.
        assert_eq!(repo.show(&id).title, title, "{id}");
        assert_eq!(
            repo.header(&id)["title"].as_str(),
            Some(title.as_str()),
            "{id}"
        );
        ids.push(id);
    }
    let unique: std::collections::BTreeSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "IDs are distinct: {ids:?}");

    // Nothing was written anywhere but incidents/2026/<id>/.
    let files = repo.git(&["ls-files"]);
    for file in files.lines() {
        assert!(
            matches!(file, "inc.yaml" | ".gitattributes")
                || file.starts_with("incidents/2026/")
                || file == "incidents/.gitkeep",
            "{file}"
        );
    }
    assert_eq!(repo.git_status(), "");
    assert!(!repo.base().join("etc").exists());

    // Everything still lists and shows, without terminal escapes.
    let out = repo.inc().args(["list", "--status", "all"]).ok();
    assert_eq!(
        out.stdout.matches("2026-11-27-").count(),
        ids.len(),
        "{out}"
    );
    assert!(!out.stdout.contains('\x1b'), "{out:?}");
    for id in &ids {
        let out = repo.inc().args(["show", id]).ok();
        assert!(!out.stdout.contains('\x1b'), "{out:?}");
    }
}

#[test]
fn expected_slugs() {
    let repo = TestRepo::new();
    for (title, id) in [
        ("../../etc/passwd", "2026-11-27-etc-passwd"),
        ("a/b\\c:d*e?f", "2026-11-27-a-b-c-d-e-f"),
        ("Café señor Ürün", "2026-11-27-cafe-senor-urun"),
        ("!!!", "2026-11-27-incident"),
    ] {
        assert_eq!(repo.open(title, "SEV4"), id);
    }
    let id = repo.open(&long_title(), "SEV4");
    assert!(id.len() <= "2026-11-27-".len() + 40, "{id}");
    assert!(
        id.starts_with("2026-11-27-database-connection-pool"),
        "{id}"
    );
    let id = repo.open(&"x".repeat(300), "SEV4");
    assert_eq!(id, format!("2026-11-27-{}", "x".repeat(40)));
}

#[test]
fn hostile_text_elsewhere_is_kept_verbatim() {
    let repo = TestRepo::new();
    let id = repo.open("X", "SEV3");
    let nasty = "\x1b]0;pwned\x07 \u{202e}reversed\u{202c} \0 nul? \r\n crlf ../../x";
    // NUL can't be an argument; send it through stdin.
    repo.inc().args(["note", &id, "-"]).stdin(nasty).ok();
    let show = repo.show(&id);
    assert_eq!(show.events.last().unwrap().str("text"), Some(nasty));
    let out = repo.inc().args(["show", &id]).ok();
    assert!(!out.stdout.contains('\x1b'), "{out:?}");
    assert!(!out.stdout.contains('\0'), "{out:?}");

    // Authors, labels and commanders with odd characters.
    let other = repo
        .inc()
        .args(["--author", "eve\nmallory", "open", "Y", "-s", "SEV3"])
        .args(["--label", "k=v=w", "--commander", "bob; rm -rf /"])
        .ok()
        .stdout
        .trim()
        .to_owned();
    let show = repo.show(&other);
    assert_eq!(show.labels["k"], "v=w");
    assert_eq!(show.roles["commander"], "bob; rm -rf /");
    assert!(!show.opened_by.contains('\n'), "{:?}", show.opened_by);
}

#[test]
fn hostile_ids_find_nothing() {
    let repo = TestRepo::new();
    repo.open("Checkout returns 500s", "SEV2");
    let before = repo.state();
    for query in [
        "../..",
        "../../etc/passwd",
        "/",
        "*",
        ".",
        "%",
        "incidents/2026",
    ] {
        repo.inc().args(["note", query, "x"]).fails();
        repo.inc().args(["show", query]).fails();
    }
    repo.assert_unchanged(&before);
}

#[test]
fn odd_arguments_never_panic() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    let long = "9".repeat(400);
    let big = format!("{long}h ago");
    let attempts: Vec<Vec<&str>> = vec![
        vec!["show", ""],
        vec!["note", "", "x"],
        vec!["note", &id, "x", "--at", ""],
        vec!["note", &id, "x", "--at", "99999999999h ago"],
        vec!["note", &id, "x", "--at", &big],
        vec!["note", &id, "x", "--at", "-5m ago"],
        vec!["note", &id, "x", "--at", "0000-00-00T00:00:00Z"],
        vec!["note", &id, "x", "--at", "9999-12-31T23:59:59Z"],
        vec!["note", &id, "x", "--at", "1900-01-01T00:00:00Z"],
        vec!["note", &id, "x", "--at", "24:00"],
        vec!["list", "--since", ""],
        vec!["list", "--since", &big],
        vec!["list", "--status", ""],
        vec!["list", "--severity", ""],
        vec!["open", "X", "-s", ""],
        vec!["open", "X", "-s", "SEV1", "--at", "99:99"],
        vec!["open", "X", "-s", "SEV1", "--label", "="],
        vec!["open", "X", "-s", "SEV1", "--commander", ""],
        vec!["open", "X", "-s", "SEV1", "--service", ""],
        vec!["assign", "", "", ""],
        vec!["assign", ""],
        vec!["status", "", ""],
        vec!["severity", "", ""],
        vec!["reopen", ""],
        vec!["ack", ""],
        vec!["decline", ""],
        vec!["resolve", "", "--at", &long],
    ];
    for args in attempts {
        // `run` itself fails the test on exit code 101 or a panic message.
        let out = repo.inc().args(&args).run();
        assert!(matches!(out.code, 0..=2), "{out}");
    }
    // A zone the system does not know falls back, it does not fail.
    repo.inc().arg("list").env("TZ", "Not/AZone").ok();
    repo.inc().arg("list").env("TZ", ":/etc/localtime").ok();
    // With a broken INC_NOW, an error rather than a panic.
    repo.inc()
        .arg("list")
        .now("not a time")
        .fails()
        .stderr_has(&["INC_NOW"]);
}

#[test]
fn a_huge_timeline_line_and_odd_files_do_not_panic() {
    let repo = TestRepo::new();
    let id = repo.open("X", "SEV3");
    let path = TestRepo::timeline_path(&id);
    for junk in [
        "- {}\n",
        "- []\n",
        "- null\n",
        "- {\"at\":\"2026-11-27T12:00:00Z\",\"by\":\"x\",\"type\":\"role\"}\n",
        "- {\"at\":\"2026-11-27T12:00:00Z\",\"by\":\"x\",\"type\":\"status\",\"status\":\"exploded\"}\n",
        "\u{feff}- {\"at\":\"2026-11-27T12:00:00Z\"\n",
    ] {
        let good = repo.read(&path);
        repo.append(&path, junk);
        let out = repo.inc().args(["show", &id]).fails();
        assert!(out.stderr.contains(&path), "{out}");
        repo.inc()
            .args(["list", "--status", "all"])
            .fails()
            .stderr_has(&[&path]);
        repo.write(&path, &good);
    }
    // Unknown event types from a newer inc are skipped, not errors.
    repo.append(
        &path,
        "- {\"at\":\"2026-11-27T12:00:00Z\",\"by\":\"x\",\"type\":\"from_the_future\",\"x\":1}\n",
    );
    repo.inc().args(["show", &id]).ok();
    // Stray files among the incidents are ignored.
    repo.write("incidents/README.md", "hi\n");
    repo.write("incidents/2026/notes.txt", "hi\n");
    std::fs::create_dir_all(repo.path("incidents/2026/2026-11-27-empty")).unwrap();
    let out = repo.inc().args(["list", "--status", "all"]).ok();
    assert!(out.stdout.contains(&id), "{out}");
    // A folder not named as an ID could be an incident someone misnamed:
    // listed as an error (not silently skipped), the rest still shown.
    std::fs::create_dir_all(repo.path("incidents/2026/Not An Id")).unwrap();
    let out = repo
        .inc()
        .args(["list", "--status", "all"])
        .run()
        .code(1)
        .stderr_has(&["incidents/2026/Not An Id", "not an incident ID"]);
    assert!(out.stdout.contains(&id), "{out}");
}

#[test]
fn invalid_utf8_and_huge_input_are_handled() {
    let repo = TestRepo::new();
    let id = repo.open("X", "SEV3");
    let before = repo.state();
    // Not UTF-8 on stdin: an error, not a panic, and nothing written.
    repo.inc()
        .args(["note", &id, "-"])
        .stdin(vec![b'o', b'k', 0xff, 0xfe, b'\n'])
        .fails();
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let bad = std::ffi::OsStr::from_bytes(b"bad \xff title");
        let out = repo.inc().arg("open").arg(bad).args(["-s", "SEV3"]).run();
        assert!(matches!(out.code, 1 | 2), "{out}");
    }
    repo.assert_unchanged(&before);

    // A 256 KiB note round-trips exactly.
    let big: String = "0123456789abcdef\n".repeat(256 * 1024 / 17);
    repo.inc().args(["note", &id, "-"]).stdin(big.clone()).ok();
    assert_eq!(
        repo.show(&id).events.last().unwrap().str("text"),
        Some(big.as_str())
    );
}
