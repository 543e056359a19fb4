//! Reading incidents from disk: timelines sorted and deduplicated, files
//! missing, broken, linked or over the cap named with their line.

use super::*;

#[test]
fn timeline_sorts_and_dedups() {
    let text = "\
- {\"at\":\"2026-11-27T10:05:00Z\",\"by\":\"b\",\"type\":\"note\",\"text\":\"second\"}
- {\"at\":\"2026-11-27T10:00:00Z\",\"by\":\"a\",\"type\":\"opened\",\"severity\":\"SEV2\",\"status\":\"investigating\"}
- {\"at\":\"2026-11-27T10:05:00Z\",\"by\":\"b\",\"type\":\"note\",\"text\":\"second\"}

- {\"at\":\"2026-11-27T10:05:00Z\",\"by\":\"c\",\"type\":\"note\",\"text\":\"third\"}
";
    let events = parse_timeline(text).unwrap();
    assert_eq!(events.len(), 3);
    assert_eq!(events[0].kind.name(), "opened");
    assert_eq!(events[1].by, "b");
    assert_eq!(events[2].by, "c");
}

#[test]
fn loading_names_missing_unreadable_and_broken_files() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::new(tmp.path().to_path_buf());
    let id = "2026-11-27-a";
    let dir = tmp.path().join(Store::dir_of(id));
    fs::create_dir_all(&dir).unwrap();
    let message = |store: &Store| store.load(id).unwrap_err().to_string();
    assert!(message(&store).contains("missing"), "{}", message(&store));
    fs::write(dir.join(HEADER_FILE), b"title: caf\xe9\n").unwrap();
    assert!(
        message(&store).contains("not UTF-8 text (invalid byte at offset 10)"),
        "{}",
        message(&store)
    );
    fs::write(
        dir.join(HEADER_FILE),
        "title: A\nopened_at: 2026-11-27T10:00:00Z\nopened_by: a\n",
    )
    .unwrap();
    fs::write(dir.join(TIMELINE_FILE), "- {\"at\": 1}\n").unwrap();
    let err = store.load(id).unwrap_err();
    assert_eq!((err.path, err.line), (Store::timeline_path(id), Some(1)));
    // A long file after a short one: the kept buffer holds no stale bytes.
    let long = "- {\"at\":\"2026-11-27T10:00:00Z\",\"by\":\"a\",\"type\":\"opened\",\"severity\":\"SEV2\",\"status\":\"investigating\"}\n"
            .repeat(400);
    fs::write(dir.join(TIMELINE_FILE), &long).unwrap();
    assert_eq!(store.load(id).unwrap().events.len(), 1);
    fs::write(
        dir.join(TIMELINE_FILE),
        "- {\"at\":\"2026-11-27T10:01:00Z\",\"by\":\"a\",\"type\":\"ack\"}\n",
    )
    .unwrap();
    let events = store.load(id).unwrap().events;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].kind.name(), "ack");
}

#[test]
fn deep_nesting_is_found_with_its_line() {
    assert_eq!(too_deep("title: a\nlabels: {a: [b, c]}\n"), None);
    let deep = format!("title: a\nx: {}\n", "[".repeat(MAX_NESTING + 1));
    assert_eq!(too_deep(&deep), Some(2));
    // Closed brackets don't add up.
    assert_eq!(too_deep(&"[]".repeat(10_000)), None);
    assert_eq!(too_deep(&"]".repeat(10_000)), None);
}

#[cfg(unix)]
#[test]
fn reads_refuse_links_and_files_over_the_cap() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("file");
    fs::write(&file, "0123456789").unwrap();
    let link = tmp.path().join("link");
    std::os::unix::fs::symlink(&file, &link).unwrap();
    let dangling = tmp.path().join("dangling");
    std::os::unix::fs::symlink(tmp.path().join("nothing"), &dangling).unwrap();
    let read = |path: &Path, max| {
        let mut buf = b"kept".to_vec();
        read_nofollow(path, max, &mut buf).map(|()| buf)
    };
    assert_eq!(read(&file, 10).unwrap(), b"kept0123456789");
    assert!(matches!(read(&file, 9), Err(ReadError::TooLarge(9))));
    assert!(matches!(
        read(&tmp.path().join("none"), 9),
        Err(ReadError::Missing)
    ));
    for link in [&link, &dangling] {
        match read(link, 10) {
            Err(ReadError::Link(message)) => {
                assert!(message.contains("symbolic link (to `"), "{message}")
            }
            other => panic!("{other:?}"),
        }
    }
    // A folder that is a link is found by `load` and by the listing.
    let store = Store::new(tmp.path().to_path_buf());
    let id = "2026-11-27-a";
    fs::create_dir_all(tmp.path().join("elsewhere")).unwrap();
    fs::create_dir_all(tmp.path().join("incidents/2026")).unwrap();
    std::os::unix::fs::symlink("../../elsewhere", tmp.path().join(Store::dir_of(id))).unwrap();
    let err = store.load(id).unwrap_err();
    assert_eq!((err.path, err.hint), (Store::dir_of(id), HINT_LINK));
    let (ids, links) = store.listing().unwrap();
    assert!(ids.is_empty());
    assert_eq!(links[0].path, Store::dir_of(id));
}

#[test]
fn timeline_error_names_the_line() {
    let text = "- {\"at\":\"2026-11-27T10:00:00Z\",\"by\":\"a\",\"type\":\"ack\"}\n<<<<<<< HEAD\n";
    let (line, message) = parse_timeline(text).unwrap_err();
    assert_eq!(line, 2);
    assert!(message.contains("expected a line"), "{message}");
}

proptest::proptest! {
    #[test]
    fn timelines_never_panic(text in "(.{0,80}\n){0,8}") {
        let _ = parse_timeline(&text);
    }
}
