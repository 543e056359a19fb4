//! The built status page in the tools a visitor's browser and a validator
//! use: the Nu HTML checker (vnu-jar, on Java) and headless Chromium.
//!
//! `.ci/run` installs both (Debian's `chromium`, npm's `vnu-jar` under
//! `.ci/node_modules`) and runs these tests with `--ignored`; a plain
//! `cargo test` leaves them out (ignored, never passed unrun), and a
//! missing tool fails them.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::harness::TestRepo;

const LATER: &str = "2026-11-27T22:00:00Z";

/// The tool at `path` (`env` overrides it); a missing one fails the test.
fn tool(name: &str, env: &str, default: PathBuf) -> PathBuf {
    let path = std::env::var_os(env).map_or(default, PathBuf::from);
    assert!(
        path.exists(),
        "{name} is missing at {} (set {env}); .ci/run installs it",
        path.display()
    );
    path
}

fn vnu() -> PathBuf {
    let default =
        Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/node_modules/vnu-jar/build/dist/vnu.jar");
    tool("the Nu HTML checker", "INC_VNU_JAR", default)
}

fn chromium() -> PathBuf {
    tool(
        "Chromium",
        "INC_CHROMIUM",
        PathBuf::from("/usr/bin/chromium"),
    )
}

/// The shipped examples built into `site/`, and the path of one incident page.
fn built_site(repo: &TestRepo) -> (PathBuf, PathBuf) {
    let out = repo.path("site");
    repo.inc()
        .now(LATER)
        .args(["site", "build", "--out"])
        .arg(&out)
        .ok();
    let page = std::fs::read_dir(out.join("incidents"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "html"))
        .expect("an incident page");
    (out, page)
}

#[test]
#[ignore = "needs Java and the Nu HTML checker; .ci/run installs them and runs it"]
fn every_page_is_valid_html5() {
    let vnu = vnu();
    let repo = TestRepo::examples();
    let (site, _) = built_site(&repo);
    let out = Command::new("java")
        .arg("-jar")
        .arg(vnu)
        .args(["--errors-only", "--skip-non-html", "--also-check-css"])
        .arg(&site)
        .output()
        .expect("java runs");
    assert!(
        out.status.success(),
        "the Nu HTML checker found errors:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn chromium_command(chromium: &Path, profile: &Path) -> Command {
    let mut cmd = Command::new(chromium);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    cmd
}

/// How many distinct colours a PNG has: a blank page has one or two.
fn colours(png_path: &Path) -> usize {
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(png_path).unwrap(),
    ));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let bytes = &buf[..info.buffer_size()];
    let step = info.color_type.samples();
    let mut seen = std::collections::HashSet::new();
    for px in bytes.chunks(step) {
        seen.insert(px.to_vec());
    }
    seen.len()
}

#[test]
#[ignore = "needs Chromium; .ci/run installs it and runs it"]
fn pages_render_in_chromium_on_a_phone_and_a_desktop() {
    let chromium = chromium();
    let repo = TestRepo::examples();
    let (site, incident) = built_site(&repo);
    let profile = repo.base().join("chromium-profile");
    // The blank-page check can tell: an empty page has a colour or two.
    let blank = repo.base().join("blank.html");
    std::fs::write(&blank, "<!doctype html><title>blank</title>").unwrap();
    let shot = repo.base().join("blank.png");
    chromium_command(&chromium, &profile)
        .arg("--window-size=375,812")
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", blank.display()))
        .output()
        .expect("chromium runs");
    assert!(
        colours(&shot) <= 16,
        "a blank page has {} colours",
        colours(&shot)
    );
    for (page, expected) in [
        (site.join("index.html"), "Minor service disruption"),
        (incident, "UTC"),
    ] {
        let url = format!("file://{}", page.display());
        for (width, height) in [(375, 812), (1280, 900)] {
            let shot = repo.base().join(format!("shot-{width}.png"));
            let run = chromium_command(&chromium, &profile)
                .arg(format!("--window-size={width},{height}"))
                .arg(format!("--screenshot={}", shot.display()))
                .arg(&url)
                .output()
                .expect("chromium runs");
            assert!(
                run.status.success(),
                "{}",
                String::from_utf8_lossy(&run.stderr)
            );
            let n = colours(&shot);
            assert!(n > 16, "{url} at {width} px looks blank ({n} colours)");
        }
        let dom = chromium_command(&chromium, &profile)
            .arg("--dump-dom")
            .arg(&url)
            .output()
            .expect("chromium runs");
        let dom = String::from_utf8_lossy(&dom.stdout);
        assert!(
            dom.contains(expected),
            "{url}: the DOM lacks {expected:?}:\n{dom}"
        );
        assert!(!dom.contains("<script"), "{url} has a script");
    }
}
