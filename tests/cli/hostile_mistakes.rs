//! Hostile and mistaken files (issue 11): each finding as the real binary
//! meets it. Every broken or mistaken file gets a clear error naming its
//! file and line, without a panic, a hang or unbounded memory, and every
//! other incident stays usable.

use crate::harness::TestRepo;

/// A repository with two open incidents: (repo, first ID, second ID).
fn two_incidents() -> (TestRepo, String, String) {
    let repo = TestRepo::new();
    let a = repo.open("Checkout is slow", "SEV2");
    let b = repo.open("Search is down", "SEV1");
    (repo, a, b)
}

/// A timeline line at `at` (RFC 3339).
fn line(at: &str, by: &str, rest: &str) -> String {
    format!("- {{\"at\":\"{at}\",\"by\":\"{by}\",{rest}}}\n")
}

#[test]
fn events_sharing_one_timestamp_load_once_each() {
    let (repo, a, b) = two_incidents();
    // 20,000 notes at one second, every one twice (a union merge's leftovers).
    let mut text = repo.read(TestRepo::timeline_path(&a));
    let notes: String = (0..20_000)
        .map(|n| {
            line(
                "2026-11-27T12:00:00Z",
                "bot",
                &format!("\"type\":\"note\",\"text\":\"n{n}\""),
            )
        })
        .collect();
    text.push_str(&notes);
    text.push_str(&notes);
    repo.write(TestRepo::timeline_path(&a), &text);
    let shown = repo.show(&a);
    let notes = shown.events.iter().filter(|e| e.kind == "note").count();
    assert_eq!(notes, 20_000, "each duplicate line dropped, no other");
    let mut listed = repo.list_ids(&[]);
    listed.sort();
    assert_eq!(listed, [a.clone(), b]);
    repo.inc().arg("check").ok();
}
