//! `inc site build` and its output folder: what a killed build leaves for
//! the next one, symbolic links in the folder or the manifest, `--out`
//! onto someone's folder or into the repository, and a manifest that
//! names nothing.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use sha1::{Digest, Sha1};

use crate::harness::{Rng, TestRepo};

/// The manifest inc keeps in the site's folder.
const MANIFEST: &str = ".inc-site";
/// How the manifest starts while a build is under way.
const BUILDING: &str = "# inc-site 2 building";

/// Every entry under `dir` but the manifest, relative → bytes; a symbolic
/// link as `-> target`, never followed.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = TestRepo::tree(dir);
    out.remove(MANIFEST);
    out
}

fn hash(rel: &str) -> String {
    Sha1::digest(rel.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A public incident opened by a person, written directly: `n` picks its
/// day, its title and its ID.
fn write_incident(repo: &TestRepo, n: usize, private: bool, updates: usize) -> String {
    let (month, day) = (1 + n % 11, 1 + n / 11 % 28);
    let id = format!("2026-{month:02}-{day:02}-incident-{n}-of-the-test");
    let at = format!("2026-{month:02}-{day:02}T09:00:00Z");
    let private = if private { "private: true\n" } else { "" };
    repo.write(
        TestRepo::header_path(&id),
        &format!(
            "title: Incident {n} of the test\nservices: [web]\nopened_at: {at}\nopened_by: alice\n{private}"
        ),
    );
    let mut timeline = format!(
        "- {{\"at\":\"{at}\",\"by\":\"alice\",\"type\":\"opened\",\"severity\":\"SEV3\",\"status\":\"investigating\"}}\n"
    );
    for u in 0..updates {
        timeline.push_str(&format!(
            "- {{\"at\":\"2026-{month:02}-{day:02}T{:02}:00:00Z\",\"by\":\"alice\",\"type\":\"update\",\"text\":\"We are working on it, step {u}.\"}}\n",
            10 + u % 12
        ));
    }
    timeline.push_str(&format!(
        "- {{\"at\":\"2026-{month:02}-{day:02}T23:00:00Z\",\"by\":\"alice\",\"type\":\"status\",\"status\":\"resolved\"}}\n"
    ));
    repo.write(TestRepo::timeline_path(&id), &timeline);
    id
}

/// A reference: the site of the repository as it is, built into a new
/// folder `ref`.
fn reference(repo: &TestRepo) -> BTreeMap<String, Vec<u8>> {
    let _ = fs::remove_dir_all(repo.path("ref"));
    repo.inc().args(["site", "build", "--out", "ref"]).ok();
    tree(&repo.path("ref"))
}

/// Asserts that every line of the manifest is a header or a SHA-1, and
/// names none of `words`.
#[track_caller]
fn assert_manifest_names_nothing(repo: &TestRepo, dir: &str, words: &[String]) {
    let path = repo.path(dir).join(MANIFEST);
    let Ok(text) = fs::read_to_string(&path) else {
        return;
    };
    for line in text.lines() {
        // `scanned` holds the scan digest, keyed with the clone's secret.
        let hex = line
            .strip_prefix("user ")
            .or_else(|| line.strip_prefix("scanned "))
            .unwrap_or(line);
        assert!(
            line.starts_with("# ")
                || (hex.len() == 40 && hex.bytes().all(|b| b.is_ascii_hexdigit())),
            "manifest line {line:?} is neither a header nor a hash"
        );
        for w in words {
            assert!(
                !line.contains(w.as_str()),
                "manifest line {line:?} names {w}"
            );
        }
    }
}

/// Builds are killed at random points (while the manifest is recorded,
/// while new pages are created, while changed ones are replaced, while
/// stale ones are removed); between builds incidents turn private and
/// public again and gain updates. After each kill the next build must
/// leave exactly the reference site plus the person's own file, and the
/// kill itself must leave every file that existed before whole: its old
/// bytes or its new ones, never a mix (a new page may be cut short: nobody
/// was reading it).
#[cfg(unix)]
#[test]
fn killed_build_then_rebuild_leaves_exactly_the_site() {
    const N: usize = 300;
    const RUNS: usize = 40;
    let repo = TestRepo::new();
    let mut private = vec![false; N];
    let mut updates = vec![1; N];
    let mut ids = Vec::new();
    for (n, private) in private.iter_mut().enumerate() {
        *private = n % 3 == 0;
        ids.push(write_incident(&repo, n, *private, 1));
    }
    let mut words: Vec<String> = ids.clone();
    words.push("of the test".into());
    let started = Instant::now();
    repo.inc().args(["site", "build", "--out", "out"]).ok();
    // Kills are drawn over 1.3 times the last whole build's time.
    let mut window = started.elapsed();
    repo.write("out/CNAME", "status.example\n");
    let seed = 0x9e37_79b9_7f4a_7c15_u64;
    let mut rng = Rng(seed);
    let mut killed_before_the_end = 0;
    let mut killed_midway = 0;
    for run in 0..RUNS {
        // Changes for the build to kill: some incidents turn private, some
        // public again, some gain an update (their pages change).
        let mut turned_public = Vec::new();
        for _ in 0..N / 5 {
            let n = rng.below(N as u64) as usize;
            match rng.below(3) {
                0 => private[n] = !private[n],
                _ => updates[n] += 1,
            }
            if !private[n] {
                turned_public.push(n);
            }
            write_incident(&repo, n, private[n], updates[n]);
        }
        if run % 10 == 9 {
            // Now and then a first build: a new folder, only the person's file.
            let _ = fs::remove_dir_all(repo.path("out"));
            repo.write("out/CNAME", "status.example\n");
            repo.write(format!("out/{MANIFEST}"), "");
        }
        let expected = reference(&repo);
        let before = tree(&repo.path("out"));
        let delay = rng.below(window.as_micros() as u64 * 13 / 10 + 1);
        let mut child = repo
            .std_command()
            .args(["site", "build", "--out", "out"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        if run % 2 == 1 {
            // Every other run waits for the build's first change, then
            // kills it a little later: while it writes.
            let manifest = repo.path("out").join(MANIFEST);
            while child.try_wait().unwrap().is_none()
                && !fs::read_to_string(&manifest).is_ok_and(|t| t.starts_with(BUILDING))
            {
                std::thread::sleep(Duration::from_micros(100));
            }
            std::thread::sleep(Duration::from_micros(delay / 8));
        } else {
            std::thread::sleep(Duration::from_micros(delay));
        }
        child.kill().unwrap();
        let status = child.wait().unwrap();
        if status.code().is_none() {
            killed_before_the_end += 1;
        }
        let after = tree(&repo.path("out"));
        for (path, bytes) in &after {
            if path.rsplit('/').next().unwrap().starts_with(".inc-") {
                continue; // a temp file of the killed build
            }
            match (before.get(path), expected.get(path)) {
                (Some(old), new) => assert!(
                    bytes == old || Some(bytes) == new,
                    "run {run} (seed {seed:#x}, killed after {delay} µs): {path} is neither \
                     its old bytes nor its new ones"
                ),
                (None, Some(new)) => assert!(
                    new.starts_with(bytes),
                    "run {run}: new {path} is not the start of the page"
                ),
                (None, None) => panic!("run {run}: the killed build wrote {path}, not in the site"),
            }
        }
        for path in before.keys() {
            assert!(
                after.contains_key(path) || !expected.contains_key(path),
                "run {run}: the killed build removed {path}, which the site has"
            );
        }
        assert_manifest_names_nothing(&repo, "out", &words);
        let manifest = fs::read_to_string(repo.path("out").join(MANIFEST)).unwrap_or_default();
        if manifest.starts_with(BUILDING) {
            killed_midway += 1;
        }
        eprintln!(
            "run {run}: killed after {delay} µs, {:?}, {}",
            status.code(),
            manifest.lines().next().unwrap_or("")
        );

        // Between builds, the incidents whose pages the killed build was
        // creating or replacing turn private, and one more.
        turned_public.push(rng.below(N as u64) as usize);
        for n in turned_public {
            private[n] = true;
            write_incident(&repo, n, true, updates[n]);
        }
        let expected = reference(&repo);
        let started = Instant::now();
        repo.inc().args(["site", "build", "--out", "out"]).ok();
        window = started.elapsed();
        let mut built = tree(&repo.path("out"));
        assert_eq!(
            built.remove("CNAME").as_deref(),
            Some(&b"status.example\n"[..]),
            "run {run}: the person's file is kept"
        );
        let extra: Vec<&String> = built
            .keys()
            .filter(|p| !expected.contains_key(*p))
            .collect();
        let missing: Vec<&String> = expected
            .keys()
            .filter(|p| !built.contains_key(*p))
            .collect();
        assert!(
            extra.is_empty() && missing.is_empty(),
            "run {run} (seed {seed:#x}, killed after {delay} µs): not exactly the site's files; \
             extra {extra:?}, missing {missing:?}"
        );
        assert!(
            built == expected,
            "run {run}: a file differs from the reference"
        );
        assert_manifest_names_nothing(&repo, "out", &words);
    }
    assert!(
        killed_midway >= RUNS / 4,
        "only {killed_midway} of {RUNS} builds were killed between their first change and \
         their last"
    );
    assert!(
        killed_before_the_end >= RUNS / 2,
        "only {killed_before_the_end} of {RUNS} builds were killed before they ended"
    );
}

#[cfg(unix)]
#[test]
fn symlinked_incidents_folder_in_the_output_is_refused_and_its_target_untouched() {
    let repo = TestRepo::new();
    let id = write_incident(&repo, 1, false, 2);
    repo.inc().args(["site", "build", "--out", "out"]).ok();
    // Someone replaces out/incidents with a link to a folder of theirs.
    let elsewhere = repo.base().join("elsewhere");
    fs::rename(repo.path("out/incidents"), &elsewhere).unwrap();
    fs::write(elsewhere.join("theirs.txt"), "theirs").unwrap();
    std::os::unix::fs::symlink(&elsewhere, repo.path("out/incidents")).unwrap();
    let theirs = tree(&elsewhere);
    write_incident(&repo, 2, false, 1);
    write_incident(&repo, 1, true, 2);
    let run = repo.inc().args(["site", "build", "--out", "out"]).fails();
    assert!(
        run.stderr.contains(&format!(
            "{} is a symbolic link",
            repo.path("out/incidents").display()
        )),
        "{run}"
    );
    assert!(run.stderr.contains("hint: remove the link"), "{run}");
    assert_eq!(tree(&elsewhere), theirs, "nothing written or removed there");
    assert!(!id.is_empty());
}

#[cfg(unix)]
#[test]
fn a_symlink_where_the_site_wants_a_file_is_refused_and_its_target_untouched() {
    let repo = TestRepo::new();
    write_incident(&repo, 1, false, 1);
    repo.inc().args(["site", "build", "--out", "out"]).ok();
    let secret = repo.base().join("secret.txt");
    fs::write(&secret, "not yours").unwrap();
    fs::remove_file(repo.path("out/index.html")).unwrap();
    std::os::unix::fs::symlink(&secret, repo.path("out/index.html")).unwrap();
    write_incident(&repo, 2, false, 1);
    let run = repo.inc().args(["site", "build", "--out", "out"]).fails();
    assert!(
        run.stderr.contains(&format!(
            "{} is a symbolic link",
            repo.path("out/index.html").display()
        )),
        "{run}"
    );
    assert_eq!(fs::read_to_string(&secret).unwrap(), "not yours");
    assert!(
        fs::symlink_metadata(repo.path("out/index.html"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

#[cfg(unix)]
#[test]
fn manifest_lines_through_a_symlink_or_outside_the_folder_remove_nothing() {
    let repo = TestRepo::new();
    write_incident(&repo, 1, false, 1);
    write_incident(&repo, 2, false, 1);
    repo.inc().args(["site", "build", "--out", "out"]).ok();
    let outside = repo.base().join("outside");
    fs::create_dir_all(&outside).unwrap();
    fs::write(outside.join("victim.html"), "keep me").unwrap();
    repo.write("victim.html", "keep me too");
    std::os::unix::fs::symlink(&outside, repo.path("out/linked")).unwrap();
    let absolute = outside.join("victim.html").display().to_string();
    let lines = [
        "linked/victim.html".to_owned(),
        hash("linked/victim.html"),
        "../outside/victim.html".to_owned(),
        "../../outside/victim.html".to_owned(),
        "../repo/victim.html".to_owned(),
        absolute.clone(),
        hash(&absolute),
    ];
    let manifest = repo.path("out").join(MANIFEST);
    let mut text = fs::read_to_string(&manifest).unwrap();
    text.push_str(&lines.join("\n"));
    text.push('\n');
    fs::write(&manifest, text).unwrap();
    write_incident(&repo, 1, true, 1);
    let run = repo.inc().args(["site", "build", "--out", "out"]).ok();
    assert!(
        run.stderr.contains("1 removed"),
        "the private page only: {run}"
    );
    assert_eq!(
        fs::read_to_string(outside.join("victim.html")).unwrap(),
        "keep me"
    );
    assert_eq!(repo.read("victim.html"), "keep me too");
    assert!(
        fs::symlink_metadata(repo.path("out/linked"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

#[test]
fn out_onto_a_folder_that_is_not_a_site_is_refused_unless_forced() {
    let repo = TestRepo::new();
    write_incident(&repo, 1, false, 1);
    repo.write("www/index.html", "my own page");
    repo.write("www/logo.png", "png");
    let run = repo.inc().args(["site", "build", "--out", "www"]).fails();
    assert!(run.stderr.contains("www"), "{run}");
    assert!(run.stderr.contains("`index.html`"), "{run}");
    assert!(
        run.stderr.contains("hint:") && run.stderr.contains("--force"),
        "{run}"
    );
    assert_eq!(repo.read("www/index.html"), "my own page");
    assert!(!repo.exists(format!("www/{MANIFEST}")));
    let run = repo
        .inc()
        .args(["site", "build", "--out", "www", "--force"])
        .ok();
    assert!(run.stderr.contains("Built www"), "{run}");
    assert_ne!(repo.read("www/index.html"), "my own page");
    assert_eq!(repo.read("www/logo.png"), "png");
    // Now an inc site: no --force needed, and the person's file stays.
    write_incident(&repo, 1, true, 1);
    repo.inc().args(["site", "build", "--out", "www"]).ok();
    assert_eq!(repo.read("www/logo.png"), "png");
}

#[cfg(unix)]
#[test]
fn out_into_the_repository_is_refused_even_with_force() {
    let repo = TestRepo::new();
    write_incident(&repo, 1, false, 1);
    repo.write("templates/site/style.css", "body {}\n");
    repo.commit_all("incident and style");
    std::os::unix::fs::symlink(repo.path("incidents"), repo.base().join("to-incidents")).unwrap();
    let before = repo.state();
    let link = repo.base().join("to-incidents/2026").display().to_string();
    for out in [
        "incidents",
        "incidents/2026/new",
        "templates",
        ".git",
        ".",
        "..",
        "site/../incidents",
        link.as_str(),
    ] {
        for force in [false, true] {
            let mut args = vec!["site", "build", "--out", out];
            if force {
                args.push("--force");
            }
            let run = repo.inc().args(&args).fails();
            assert!(
                run.stderr
                    .starts_with(&format!("error: refusing to build the site into {out}")),
                "{out}: {run}"
            );
            assert!(run.stderr.contains("hint: pass --out"), "{run}");
            repo.assert_unchanged(&before);
        }
    }
}

#[test]
fn the_manifest_names_nothing_that_is_not_public() {
    let repo = TestRepo::new();
    let id = repo.open("Bob dropped prod customers table", "SEV2");
    repo.inc()
        .args(["update", &id, "We are looking into errors."])
        .ok();
    let kept = write_incident(&repo, 3, true, 1);
    repo.inc().args(["site", "build"]).ok();
    // Made private after it was published: its page goes, and the manifest
    // says nothing of it, nor of the one private from the start.
    let header = repo.read(TestRepo::header_path(&id));
    repo.write(
        TestRepo::header_path(&id),
        &format!("{header}private: true\n"),
    );
    let run = repo.inc().args(["site", "build"]).ok();
    assert!(run.stderr.contains("removed"), "{run}");
    let words: Vec<String> = [
        id.as_str(),
        kept.as_str(),
        "Bob",
        "dropped",
        "customers",
        "prod",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    assert_manifest_names_nothing(&repo, "site", &words);
    let text = repo.read(format!("site/{MANIFEST}"));
    assert!(text.lines().count() > 5, "a line a file:\n{text}");
}

#[test]
fn a_failed_build_leaves_an_existing_site_as_it_was() {
    let repo = TestRepo::new();
    for n in 0..5 {
        write_incident(&repo, n, false, 1);
    }
    repo.inc().args(["site", "build"]).ok();
    let before = tree(&repo.path("site"));
    let manifest = repo.read(format!("site/{MANIFEST}"));
    // New pages are created while the site renders; one page then fails.
    for n in 5..25 {
        write_incident(&repo, n, false, 1);
    }
    write_incident(&repo, 0, true, 1);
    repo.write(
        "templates/site/incident.html.j2",
        "{% extends \"builtin/site/incident.html.j2\" %}\n{% block title %}\
         {% if incident.name == \"Incident 17 of the test\" %}{{ no.such.field }}{% endif %}\
         {% endblock %}\n",
    );
    let run = repo.inc().args(["site", "build"]).fails();
    assert!(run.stderr.contains("nothing was written"), "{run}");
    let after = tree(&repo.path("site"));
    assert_eq!(
        after.keys().collect::<Vec<_>>(),
        before.keys().collect::<Vec<_>>()
    );
    assert!(after == before, "a file changed");
    assert_eq!(repo.read(format!("site/{MANIFEST}")), manifest);
}

#[test]
fn out_onto_a_file_is_refused() {
    let repo = TestRepo::new();
    repo.write("notes.txt", "mine");
    let run = repo
        .inc()
        .args(["site", "build", "--out", "notes.txt", "--force"])
        .fails();
    assert!(
        run.stderr.contains("notes.txt is a file, not a folder"),
        "{run}"
    );
    assert_eq!(repo.read("notes.txt"), "mine");
}

#[cfg(unix)]
#[test]
fn a_build_while_another_writes_the_folder_is_refused() {
    let repo = TestRepo::new();
    write_incident(&repo, 1, false, 1);
    repo.inc().args(["site", "build"]).ok();
    let before = tree(&repo.path("site"));
    // Another build holds the folder (its lock is on the folder itself).
    let held = fs::File::open(repo.path("site")).unwrap();
    held.lock().unwrap();
    write_incident(&repo, 2, false, 1);
    let run = repo.inc().args(["site", "build"]).fails();
    assert!(
        run.stderr
            .contains("another `inc site build` is writing to"),
        "{run}"
    );
    assert!(run.stderr.contains("hint: wait for it to finish"), "{run}");
    assert!(tree(&repo.path("site")) == before, "nothing written");
    held.unlock().unwrap();
    repo.inc().args(["site", "build"]).ok();
}

/// A rebuild takes the last build's scan for a page it makes again byte
/// for byte only while every internal text is as it was: a private note
/// that a page already printed (through a template of the repository's)
/// is found, though the page did not change.
#[test]
fn a_page_unchanged_since_the_last_scan_is_scanned_again_when_internal_text_changes() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout returns 500s", "SEV2");
    repo.inc()
        .args(["update", &id, "Payments fail for some customers"])
        .ok();
    let index = include_str!("../../templates/site/index.html.j2").replacen(
        "{% block content %}",
        "{% block content %}<p>Ask Marguerite about the fallback queue</p>",
        1,
    );
    repo.write("templates/site/index.html.j2", &index);
    repo.inc().args(["site", "build", "--out", "out"]).ok();
    let before = tree(&repo.path("out"));
    assert!(
        String::from_utf8_lossy(&before["index.html"]).contains("Ask Marguerite"),
        "the page prints the template's words"
    );
    repo.inc().args(["site", "build", "--out", "out"]).ok();
    assert_eq!(
        tree(&repo.path("out")),
        before,
        "an unchanged rebuild writes nothing"
    );

    // The same words become an internal note: index.html, unchanged,
    // now leaks it.
    repo.inc()
        .args(["note", &id, "Ask Marguerite about the fallback queue"])
        .ok();
    repo.inc()
        .args(["site", "build", "--out", "out"])
        .fails()
        .stderr_has(&["refusing to publish", "index.html", "Ask Marguerite"]);
    assert_eq!(tree(&repo.path("out")), before, "nothing was written");
}

/// The scan digest in the public manifest is keyed with a secret of the
/// clone, kept under `.git`: two clones building the same site record
/// different digests, and the key is not in the work tree.
#[test]
fn the_manifests_scan_digest_is_keyed_per_clone() {
    let repo = TestRepo::new();
    repo.open("Checkout returns 500s", "SEV2");
    let scanned = |dir: &str| -> String {
        let _ = fs::remove_dir_all(repo.path(dir));
        repo.inc().args(["site", "build", "--out", dir]).ok();
        let text = fs::read_to_string(repo.path(dir).join(MANIFEST)).unwrap();
        let line = text.lines().find(|l| l.starts_with("scanned ")).unwrap();
        line.to_owned()
    };
    let first = scanned("a");
    assert_eq!(scanned("b"), first, "one clone, one key: the same digest");
    assert!(repo.path(".git/inc-site-key").exists());
    fs::remove_file(repo.path(".git/inc-site-key")).unwrap();
    assert_ne!(scanned("c"), first, "another key, another digest");
    repo.git(&["status", "--porcelain"])
        .lines()
        .for_each(|l| assert!(!l.contains("inc-site-key"), "{l}"));
}
