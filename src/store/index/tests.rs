//! The index fast path checked against git itself: a patched index is byte
//! for byte the one git writes, and every shape the parser does not know is
//! left to libgit2.

use super::*;
use std::io::Write;
use std::path::Path;
use std::process::Command;

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// A repository with a few committed files (mtimes in the past, so git
/// never smudges a racily clean entry), its index at `version` with a
/// cache tree. git writes version 3 only when an entry has extended
/// flags, so there `README.md` is marked skip-worktree.
fn repo(version: u32) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, &["init", "-q"]);
    for (path, text) in [
        ("incidents/2026/a/timeline.yaml", "- {}\n"),
        ("incidents/2026/a/incident.yaml", "title: a\n"),
        ("incidents/2026/b/timeline.yaml", "- {}\n"),
        ("incidents/2025/c/timeline.yaml", "- {}\n"),
        ("inc.yaml", ""),
        ("README.md", "# r\n"),
    ] {
        fs::create_dir_all(root.join(path).parent().unwrap()).unwrap();
        fs::write(root.join(path), text).unwrap();
        in_the_past(root, path);
        git(root, &["update-index", "--add", path]);
    }
    git(root, &["commit", "-q", "-m", "init"]);
    git(
        root,
        &["update-index", "--index-version", &version.to_string()],
    );
    if version == 3 {
        git(root, &["update-index", "--skip-worktree", "README.md"]);
    }
    let index = fs::read(root.join(".git/index")).unwrap();
    assert_eq!(be32(&index, 4), Some(version), "the index's version");
    assert!(index.windows(4).any(|w| w == b"TREE"), "a cache tree");
    dir
}

fn in_the_past(root: &Path, path: &str) {
    let ok = Command::new("touch")
        .args(["-d", "@1600000000", "--", path])
        .current_dir(root)
        .status()
        .expect("touch runs");
    assert!(ok.success());
}

/// Writes `text` to `path` (mtime in the past) and returns its update.
fn write(root: &Path, path: &str, text: &str) -> Update {
    fs::create_dir_all(root.join(path).parent().unwrap()).unwrap();
    fs::write(root.join(path), text).unwrap();
    update_for(root, path)
}

/// An update that is never written: for paths the fast path refuses.
fn unwritten(path: &str) -> Update {
    Update {
        path: path.to_owned(),
        oid: [1; HASH],
        stat: Stat::of(&fs::metadata(".").unwrap()),
    }
}

/// Applies `files` with the fast path and checks git agrees with the
/// result: `git fsck` finds it sound, `git status` shows exactly these
/// files staged (added or modified) and nothing else, and
/// `git update-index --add` writes the same bytes from the same index.
fn same_as_git(version: u32, files: &[(&str, &str)]) {
    let dir = repo(version);
    let root = dir.path();
    let tracked = git(root, &["ls-files"]);
    let tracked: Vec<&str> = tracked.lines().collect();
    let updates: Vec<Update> = files.iter().map(|(p, t)| write(root, p, t)).collect();
    let index = root.join(".git/index");
    let before = fs::read(&index).unwrap();
    let ours = patched(&before, &updates)
        .unwrap_or_else(|| panic!("no fast path for {files:?} in v{version}"));

    fs::write(&index, &ours).unwrap();
    git(root, &["fsck", "--strict", "--no-progress"]);
    let mut paths: Vec<&str> = files.iter().map(|(p, _)| *p).collect();
    paths.sort();
    let expected: Vec<String> = paths
        .iter()
        .map(|p| match tracked.contains(p) {
            true => format!("M  {p}"),
            false => format!("A  {p}"),
        })
        .collect();
    assert_eq!(
        git(root, &["status", "--porcelain"]),
        expected.join("\n"),
        "v{version} {files:?}"
    );

    fs::write(&index, &before).unwrap();
    let mut add = vec!["update-index", "--add", "--"];
    add.extend(files.iter().map(|(p, _)| *p));
    git(root, &add);
    let theirs = fs::read(&index).unwrap();
    assert!(ours == theirs, "v{version} {files:?}: not what git writes");
}

fn update_for(root: &Path, path: &str) -> Update {
    in_the_past(root, path);
    let hex = git(root, &["hash-object", "-w", "--", path]);
    let mut oid = [0; HASH];
    for (i, byte) in oid.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap();
    }
    Update {
        path: path.to_owned(),
        oid,
        stat: Stat::of(&fs::metadata(root.join(path)).unwrap()),
    }
}

#[test]
fn patch_is_byte_for_byte_what_git_writes() {
    for version in [2, 3, 4] {
        let dir = repo(version);
        let root = dir.path();
        let path = "incidents/2026/a/timeline.yaml";
        fs::write(root.join(path), "- {}\n- {\"more\":1}\n").unwrap();
        let index = root.join(".git/index");
        let before = fs::read(&index).unwrap();
        let ours = patched(&before, &[update_for(root, path)]).expect("fast path");
        git(root, &["update-index", path]);
        let theirs = fs::read(&index).unwrap();
        assert_eq!(ours, theirs, "index version {version}");
    }
}

#[test]
fn unknown_extensions_and_flags_fall_back() {
    let dir = repo(2);
    let root = dir.path();
    let path = "incidents/2026/a/timeline.yaml";
    fs::write(root.join(path), "- {}\n- {}\n").unwrap();
    let update = update_for(root, path);

    git(root, &["update-index", "--skip-worktree", path]);
    let index = fs::read(root.join(".git/index")).unwrap();
    assert_eq!(
        patched(&index, std::slice::from_ref(&update)),
        None,
        "skip-worktree"
    );
    git(root, &["update-index", "--no-skip-worktree", path]);

    git(root, &["config", "core.untrackedCache", "true"]);
    git(root, &["update-index", "--untracked-cache"]);
    git(root, &["status", "--porcelain"]);
    let index = fs::read(root.join(".git/index")).unwrap();
    assert_eq!(
        patched(&index, std::slice::from_ref(&update)),
        None,
        "untracked cache"
    );
    git(root, &["update-index", "--no-untracked-cache"]);

    git(root, &["update-index", "--split-index"]);
    let index = fs::read(root.join(".git/index")).unwrap();
    assert_eq!(patched(&index, &[update]), None, "split index");
}

#[test]
fn a_new_file_in_a_tracked_folder_is_added_as_git_adds_it() {
    for version in [2, 3, 4] {
        same_as_git(version, &[("incidents/2026/a/postmortem.md", "# a\n")]);
    }
}

#[test]
fn a_new_file_in_a_new_folder_is_added_as_git_adds_it() {
    for version in [2, 3, 4] {
        same_as_git(version, &[("incidents/2026/d/timeline.yaml", "- {}\n")]);
        // `a-b/` sorts before `a/` in the index ('-' < '/').
        same_as_git(
            version,
            &[("incidents/2026/a-b/incident.yaml", "title: ab\n")],
        );
    }
}

#[test]
fn a_new_incident_in_a_new_year_is_added_as_git_adds_it() {
    // What `inc open` stages: two files in a new folder in a new folder.
    for version in [2, 3, 4] {
        same_as_git(
            version,
            &[
                ("incidents/2027/e/timeline.yaml", "- {}\n"),
                ("incidents/2027/e/incident.yaml", "title: e\n"),
            ],
        );
    }
}

#[test]
fn new_files_sorting_first_and_last_are_added_as_git_adds_them() {
    for version in [2, 3, 4] {
        same_as_git(version, &[("0-first.md", "0\n")]);
        same_as_git(version, &[("zzz.md", "z\n")]);
        same_as_git(version, &[("zzz.md", "z\n"), ("0-first.md", "0\n")]);
    }
}

#[test]
fn updates_and_new_files_together_are_what_git_writes() {
    for version in [2, 3, 4] {
        same_as_git(
            version,
            &[
                ("incidents/2026/d/timeline.yaml", "- {}\n"),
                ("incidents/2026/a/timeline.yaml", "- {}\n- {}\n"),
                ("incidents/2026/d/incident.yaml", "title: d\n"),
                ("inc.yaml", "x: 1\n"),
                ("incidents/2026/b/postmortem.md", "# b\n"),
            ],
        );
    }
}

#[test]
fn a_version_3_index_without_extended_flags_is_written_as_version_2() {
    // libgit2 keeps version 3 when nothing needs it; git writes 2 then.
    let dir = repo(2);
    let root = dir.path();
    let index = root.join(".git/index");
    let mut v3 = fs::read(&index).unwrap();
    let body = v3.len() - HASH;
    v3[4..8].copy_from_slice(&3u32.to_be_bytes());
    let sum = Sha1::digest(&v3[..body]);
    v3[body..].copy_from_slice(&sum);
    fs::write(&index, &v3).unwrap();
    let update = write(root, "incidents/2026/d/timeline.yaml", "- {}\n");
    let ours = patched(&v3, &[update]).expect("fast path");
    git(
        root,
        &["update-index", "--add", "incidents/2026/d/timeline.yaml"],
    );
    assert!(ours == fs::read(&index).unwrap(), "not what git writes");
    assert_eq!(be32(&ours, 4), Some(2));
}

#[test]
fn clashes_conflicts_and_odd_paths_fall_back() {
    for version in [2, 4] {
        let dir = repo(version);
        let root = dir.path();
        let index = fs::read(root.join(".git/index")).unwrap();
        for paths in [
            &["incidents/2026/a"][..], // a file where the index has a folder
            &["inc.yaml/x"],           // a folder where it has a file
            &["n", "n/x"],             // both at once among the new files
            &["n", "n"],               // the same path twice
            &["../x"],
            &[".git/x"],
            &["a//b"],
            &["a/"],
            &["/a"],
            &[""],
            &["a\\b"],
        ] {
            let updates: Vec<Update> = paths.iter().map(|p| unwritten(p)).collect();
            assert_eq!(patched(&index, &updates), None, "v{version} {paths:?}");
        }
        // The same index takes a plain new path.
        assert!(patched(&index, &[unwritten("n")]).is_some());
    }
}

#[test]
fn a_path_in_conflict_falls_back() {
    let dir = repo(2);
    let root = dir.path();
    let path = "incidents/2026/b/timeline.yaml";
    let blob = git(root, &["rev-parse", &format!("HEAD:{path}")]);
    // Mode 0 removes the stage-0 entry; then the three sides.
    let zeros = "0".repeat(40);
    let stages: String = std::iter::once(format!("0 {zeros}\t{path}\n"))
        .chain((1..=3).map(|stage| format!("100644 {blob} {stage}\t{path}\n")))
        .collect();
    let mut info = Command::new("git")
        .args(["update-index", "--index-info"])
        .current_dir(root)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    info.stdin
        .take()
        .unwrap()
        .write_all(stages.as_bytes())
        .unwrap();
    assert!(info.wait().unwrap().success());
    let index = fs::read(root.join(".git/index")).unwrap();
    assert!(
        patched(&index, &[unwritten("incidents/2026/b/x.yaml")]).is_some(),
        "a conflict elsewhere is no reason to fall back"
    );
    assert_eq!(patched(&index, &[unwritten(path)]), None);
}

#[test]
fn a_new_file_named_like_a_cache_tree_folder_falls_back() {
    // Untracking a folder's only file leaves its (invalid) cache-tree
    // node; git drops that node when a file of the same name is added.
    let dir = repo(2);
    let root = dir.path();
    git(
        root,
        &["rm", "-q", "--cached", "incidents/2025/c/timeline.yaml"],
    );
    let index = fs::read(root.join(".git/index")).unwrap();
    assert!(patched(&index, &[unwritten("incidents/2025/d")]).is_some());
    assert_eq!(patched(&index, &[unwritten("incidents/2025/c")]), None);
}

#[test]
fn a_corrupt_index_falls_back() {
    let dir = repo(2);
    let root = dir.path();
    let path = "incidents/2026/a/timeline.yaml";
    let mut index = fs::read(root.join(".git/index")).unwrap();
    let middle = index.len() / 2;
    index[middle] ^= 0xff;
    assert_eq!(patched(&index, &[update_for(root, path)]), None);
}

#[test]
fn varints_decode_like_git() {
    // git's varint: 0x80 continuation, each step adds one before shifting.
    assert_eq!(varint(&[0x05], 0), Some((5, 1)));
    assert_eq!(varint(&[0x80, 0x00], 0), Some((128, 2)));
    assert_eq!(varint(&[0x80], 0), None);
}

#[test]
fn garbage_is_left_to_libgit2() {
    let update = Update {
        path: "a".into(),
        oid: [0; HASH],
        stat: Stat::unknown(),
    };
    assert_eq!(patched(b"", std::slice::from_ref(&update)), None);
    assert_eq!(patched(&[0; 64], std::slice::from_ref(&update)), None);
    let mut header = b"DIRC\0\0\0\x02\0\0\0\x01".to_vec();
    let sum = Sha1::digest(&header);
    header.extend_from_slice(&sum);
    // One entry announced, none present.
    assert_eq!(patched(&header, &[update]), None);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(16))]
    /// Any few new files, in new folders or not, sorting anywhere among
    /// the tracked ones, are added as git adds them.
    #[test]
    fn any_new_files_are_added_as_git_adds_them(
        version in 2u32..=4,
        paths in proptest::collection::btree_set(
            "(incidents/202[5-7]/[ab-]{1,2}/)?[a-z0-9-]{1,3}(\\.md)?",
            1..5,
        ),
    ) {
        let files: Vec<(&str, &str)> = paths.iter().map(|p| (p.as_str(), p.as_str())).collect();
        same_as_git(version, &files);
    }
}

proptest::proptest! {
    /// Any bytes that pass the checksum, even nonsense after a valid
    /// header, give a patched index or `None`, never a panic.
    #[test]
    fn arbitrary_indexes_never_panic(
        version in 2u32..=4,
        count in 0u32..4,
        body in proptest::collection::vec(proptest::num::u8::ANY, 0..400),
        paths in proptest::collection::vec("[ab/.]{0,4}", 1..4),
    ) {
        let mut index = b"DIRC".to_vec();
        index.extend_from_slice(&version.to_be_bytes());
        index.extend_from_slice(&count.to_be_bytes());
        index.extend_from_slice(&body);
        let sum = Sha1::digest(&index);
        index.extend_from_slice(&sum);
        let updates: Vec<Update> = paths.iter().map(|p| unwritten(p)).collect();
        let _ = patched(&index, &updates);
    }
}
