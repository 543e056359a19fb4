//! Staging with the index fast path switched on and off.

use super::*;

/// `git.index_fast_path: false` stages through libgit2 only; either
/// way the file is staged.
#[test]
fn the_index_fast_path_switch_decides_who_writes_the_index() {
    for on in [true, false] {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        fs::write(dir.path().join("a.txt"), "a").unwrap();
        let mut index = repo.index().unwrap();
        index.add_path(Path::new("a.txt")).unwrap();
        index.write().unwrap();
        let git = Git::open(dir.path()).unwrap().with_index_fast_path(on);
        fs::write(dir.path().join("b.txt"), "b").unwrap();
        let oid = repo.blob(b"b").unwrap().to_string();
        let before = FAST_STAGES.with(std::cell::Cell::get);
        let patience = Patience {
            timeout: std::time::Duration::from_secs(1),
            on_wait: &|_| {},
        };
        git.stage(
            &[(PathBuf::from("b.txt"), oid.clone(), None)],
            &[],
            &patience,
        )
        .unwrap();
        let fast = FAST_STAGES.with(std::cell::Cell::get) - before;
        assert_eq!(fast, usize::from(on), "fast path on: {on}");
        let index = Repository::open(dir.path()).unwrap().index().unwrap();
        let entry = index.get_path(Path::new("b.txt"), 0).expect("staged");
        assert_eq!(entry.id.to_string(), oid);
        assert!(index.get_path(Path::new("a.txt"), 0).is_some());
    }
}
