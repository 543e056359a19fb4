//! Site builds into a real folder: what is written, kept and removed, the
//! manifest, symbolic links, killed builds and two builds at once.

use super::manifest::{BUILDING, COMPLETE, SCANNED, hex};
use super::paths::is_inside;
use super::*;
use crate::render::site::Folder as _;

fn files(pairs: &[(&str, &str)]) -> Vec<(String, Vec<u8>)> {
    pairs
        .iter()
        .map(|(p, b)| ((*p).to_owned(), b.as_bytes().to_vec()))
        .collect()
}

fn paths(files: &[(String, Vec<u8>)]) -> Vec<String> {
    files.iter().map(|(p, _)| p.clone()).collect()
}

/// A build that writes everything through `finish`.
fn build(dir: &Path, files: &[(String, Vec<u8>)]) -> Written {
    Folder::open(dir, false)
        .unwrap()
        .finish(files, 0, &paths(files), [7; 20])
        .unwrap()
}

/// Every file under `dir` but the manifest, relative, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut all: Vec<String> = walk(dir).unwrap().into_iter().map(|(p, _)| p).collect();
    all.sort();
    all
}

#[test]
fn paths_stay_inside() {
    assert!(is_inside("a/b.html"));
    assert!(!is_inside("../x"));
    assert!(!is_inside("/etc/passwd"));
    assert!(!is_inside("a/../../x"));
    assert!(!is_inside(""));
    assert!(!is_writable(MANIFEST));
    assert!(!is_writable("x/.inc-site.tmp-abc"));
}

#[test]
fn holds_compares_whole_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f");
    let big: Vec<u8> = (0..40_000u32).map(|n| (n % 251) as u8).collect();
    fs::write(&path, &big).unwrap();
    assert!(holds(&path, &big).unwrap());
    let mut last_differs = big.clone();
    *last_differs.last_mut().unwrap() ^= 1;
    assert!(
        !holds(&path, &last_differs).unwrap(),
        "a difference in the last block"
    );
    assert!(!holds(&path, &big[..big.len() - 1]).unwrap(), "shorter");
    assert!(!holds(&dir.path().join("missing"), b"").unwrap());
    fs::write(&path, b"").unwrap();
    assert!(holds(&path, b"").unwrap());
    fs::write(dir.path().join(MANIFEST), "").unwrap();
    let folder = Folder::open(dir.path(), false).unwrap();
    assert!(folder.holds("f", b""));
    assert!(!folder.holds("../f", b""), "never looks outside the folder");
}

#[test]
fn creates_only_new_files_and_discards_what_it_created() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("old.html"), "old").unwrap();
    let folder = Folder::open(dir.path(), true).unwrap();
    assert!(folder.create("x/y/new.html", b"new").unwrap());
    assert!(
        !folder.create("old.html", b"other").unwrap(),
        "exists: left to replace"
    );
    assert_eq!(fs::read(dir.path().join("old.html")).unwrap(), b"old");
    assert!(folder.create("../escape.html", b"x").is_err());
    assert!(folder.create(MANIFEST, b"x").is_err());
    folder.discard();
    assert!(
        !dir.path().join("x").exists(),
        "created file and folders gone"
    );
    assert!(
        !dir.path().join(MANIFEST).exists(),
        "no manifest before, none after"
    );
    assert_eq!(listing(dir.path()), ["old.html"]);
}

#[test]
fn discard_puts_the_manifest_back() {
    let dir = tempfile::tempdir().unwrap();
    build(dir.path(), &files(&[("a.html", "a")]));
    let before = fs::read(dir.path().join(MANIFEST)).unwrap();
    let folder = Folder::open(dir.path(), false).unwrap();
    assert!(folder.create("b.html", b"b").unwrap());
    assert_ne!(fs::read(dir.path().join(MANIFEST)).unwrap(), before);
    folder.discard();
    assert_eq!(fs::read(dir.path().join(MANIFEST)).unwrap(), before);
    assert_eq!(listing(dir.path()), ["a.html"]);
}

#[test]
fn writes_changes_and_removes_only_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let all = files(&[("a.html", "a"), ("x/b.html", "b")]);
    let w = build(dir.path(), &all);
    assert_eq!((w.changed, w.unchanged, w.removed), (2, 0, 0));
    assert_eq!(fs::read(dir.path().join("x/b.html")).unwrap(), b"b");
    fs::write(dir.path().join("mine.txt"), "keep").unwrap();
    let manifest = || {
        fs::metadata(dir.path().join(MANIFEST))
            .unwrap()
            .modified()
            .unwrap()
    };
    let (m, a) = (
        manifest(),
        fs::metadata(dir.path().join("a.html"))
            .unwrap()
            .modified()
            .unwrap(),
    );
    std::thread::sleep(std::time::Duration::from_millis(20));
    let w = Folder::open(dir.path(), false)
        .unwrap()
        .finish(&[], 0, &paths(&all), [7; 20])
        .unwrap();
    assert_eq!((w.changed, w.unchanged, w.removed), (0, 2, 0));
    assert_eq!(manifest(), m, "an unchanged build writes nothing");
    assert_eq!(
        fs::metadata(dir.path().join("a.html"))
            .unwrap()
            .modified()
            .unwrap(),
        a
    );
    let changed = files(&[("a.html", "new a")]);
    let w = Folder::open(dir.path(), false)
        .unwrap()
        .finish(&changed, 0, &paths(&changed), [7; 20])
        .unwrap();
    assert_eq!((w.changed, w.removed), (1, 1));
    assert_eq!(fs::read(dir.path().join("a.html")).unwrap(), b"new a");
    assert!(!dir.path().join("x").exists(), "its empty folder went too");
    assert!(dir.path().join("mine.txt").exists());
}

#[test]
fn the_manifest_holds_hashes_of_paths_only() {
    let dir = tempfile::tempdir().unwrap();
    build(
        dir.path(),
        &files(&[("incidents/2026-11-27-secret-thing.html", "x")]),
    );
    let text = fs::read_to_string(dir.path().join(MANIFEST)).unwrap();
    assert!(!text.contains("secret"), "{text}");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], COMPLETE);
    // The keyed scan digest the build passed (see `scan_key`).
    assert_eq!(lines[1], format!("{SCANNED}{}", hex(&[7; 20])));
    assert_eq!(
        lines[2],
        hex(&hash("incidents/2026-11-27-secret-thing.html"))
    );
    assert_eq!(lines.len(), 3);
}

#[test]
fn a_killed_build_is_undone_by_the_next() {
    let dir = tempfile::tempdir().unwrap();
    build(dir.path(), &files(&[("a.html", "a"), ("x/b.html", "b")]));
    fs::write(dir.path().join("mine.txt"), "keep").unwrap();
    // A build creates a page, then dies (it is dropped unfinished).
    let folder = Folder::open(dir.path(), false).unwrap();
    assert!(folder.create("x/c.html", b"c").unwrap());
    drop(folder);
    let text = fs::read_to_string(dir.path().join(MANIFEST)).unwrap();
    assert!(text.starts_with(BUILDING), "{text}");
    // …and left temp files of a replacement and of the manifest.
    fs::write(dir.path().join("x/.inc-site.tmp-AbC123"), "half").unwrap();
    fs::write(dir.path().join(".inc-site.tmp-XyZ789"), "half").unwrap();
    let w = build(dir.path(), &files(&[("a.html", "a")]));
    assert_eq!(w.removed, 2, "b and c");
    assert_eq!(listing(dir.path()), ["a.html", "mine.txt"]);
    let text = fs::read_to_string(dir.path().join(MANIFEST)).unwrap();
    assert!(text.starts_with(COMPLETE), "{text}");
    // A manifest temp alone (killed while the manifest was replaced)
    // is found at the top and removed, even by a build changing nothing.
    fs::write(dir.path().join(".inc-site.tmp-XyZ789"), "half").unwrap();
    build(dir.path(), &files(&[("a.html", "a")]));
    assert_eq!(listing(dir.path()), ["a.html", "mine.txt"]);
}

#[test]
fn a_file_of_the_persons_that_the_site_replaces_becomes_incs() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("index.html"), "mine").unwrap();
    fs::write(dir.path().join("robots.txt"), "mine").unwrap();
    Folder::open(dir.path(), true)
        .unwrap()
        .finish(
            &files(&[("index.html", "site")]),
            0,
            &["index.html".to_owned()],
            [7; 20],
        )
        .unwrap();
    let w = build(dir.path(), &files(&[("other.html", "o")]));
    assert_eq!(w.removed, 1);
    assert_eq!(listing(dir.path()), ["other.html", "robots.txt"]);
}

#[cfg(unix)]
#[test]
fn two_builds_never_write_one_folder_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let first = Folder::open(&site, false).unwrap();
    let second = Folder::open(&site, false).unwrap();
    assert!(first.create("a.html", b"a").unwrap(), "made the folder");
    let e = second.create("b.html", b"b").unwrap_err().to_string();
    assert!(e.contains("another `inc site build`"), "{e}");
    let e = Folder::open(&site, false).err().unwrap().to_string();
    assert!(e.contains("another `inc site build`"), "{e}");
    first
        .finish(&[], 1, &["a.html".to_owned()], [7; 20])
        .unwrap();
    assert!(
        Folder::open(&site, false).is_ok(),
        "free again once the first is done"
    );
}

#[test]
fn a_folder_that_is_not_a_site_is_refused_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    assert!(Folder::open(dir.path(), false).is_ok(), "empty");
    fs::write(dir.path().join("index.html"), "mine").unwrap();
    let e = Folder::open(dir.path(), false).err().unwrap();
    assert!(e.to_string().contains("`index.html`"), "{e}");
    let hints = crate::error::hints(&e);
    assert!(hints.iter().any(|h| h.contains("--force")), "{hints:?}");
    assert!(Folder::open(dir.path(), true).is_ok());
    fs::remove_file(dir.path().join("index.html")).unwrap();
    fs::write(dir.path().join(".inc-site.tmp-abc"), "").unwrap();
    assert!(
        Folder::open(dir.path(), false).is_ok(),
        "inc's temp files only"
    );
}

#[cfg(unix)]
#[test]
fn nothing_is_written_or_removed_through_a_symlink() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let (site, outside) = (dir.path().join("site"), dir.path().join("outside"));
    fs::create_dir_all(&outside).unwrap();
    fs::write(outside.join("a.html"), "theirs").unwrap();
    build(&site, &files(&[("index.html", "i")]));
    symlink(&outside, site.join("incidents")).unwrap();
    let folder = Folder::open(&site, false).unwrap();
    assert!(
        !folder.holds("incidents/a.html", b"theirs"),
        "not compared through it"
    );
    let e = folder.create("incidents/a.html", b"x").unwrap_err();
    assert!(e.to_string().contains("symbolic link"), "{e}");
    folder.discard();
    let e = Folder::open(&site, false)
        .unwrap()
        .finish(
            &files(&[("incidents/b.html", "b")]),
            0,
            &["incidents/b.html".to_owned()],
            [7; 20],
        )
        .unwrap_err();
    assert!(symlink_in(&e).is_some(), "{e:#}");
    // A manifest naming a file under the link, a path out, an absolute one.
    fs::write(
        site.join(MANIFEST),
        format!(
            "index.html\nincidents/a.html\n../outside/a.html\n{}\n",
            outside.join("a.html").display()
        ),
    )
    .unwrap();
    build(&site, &files(&[("other.html", "o")]));
    assert_eq!(fs::read(outside.join("a.html")).unwrap(), b"theirs");
    assert!(!site.join("index.html").exists());
    // A link in a file's place is not replaced.
    symlink(outside.join("a.html"), site.join("x.html")).unwrap();
    let e = Folder::open(&site, false)
        .unwrap()
        .finish(
            &files(&[("x.html", "x")]),
            0,
            &["x.html".to_owned()],
            [7; 20],
        )
        .unwrap_err();
    assert!(symlink_in(&e).is_some(), "{e:#}");
    assert_eq!(fs::read(outside.join("a.html")).unwrap(), b"theirs");
}

#[cfg(unix)]
#[test]
fn out_may_not_be_or_hold_the_repository_or_sit_in_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    fs::create_dir_all(root.join("incidents/2026")).unwrap();
    fs::create_dir_all(root.join(".git")).unwrap();
    std::os::unix::fs::symlink(root.join("incidents"), dir.path().join("link")).unwrap();
    for bad in [
        root.clone(),
        root.join("incidents"),
        root.join("incidents/2026/new"),
        root.join("templates/site"),
        root.join(".git"),
        root.join("site/../incidents"),
        dir.path().to_path_buf(),
        dir.path().join("link/x"),
    ] {
        let e = out_dir(&bad, &root).err();
        assert!(e.is_some(), "{} was let through", bad.display());
        assert!(e.unwrap().to_string().contains(&bad.display().to_string()));
    }
    let ok = out_dir(&root.join("site"), &root).unwrap();
    assert_eq!(ok, root.canonicalize().unwrap().join("site"));
    assert!(out_dir(&dir.path().join("elsewhere/x"), &root).is_ok());
}
