//! The built status page in the tools a visitor's browser and a validator
//! use: the Nu HTML checker (vnu-jar, on Java), headless Chromium, and
//! axe-core in it (`.ci/axe.mjs`, through puppeteer-core): the examples'
//! site and a generated 1,000-incident one at 375 and 1280 px, light and
//! dark, with no violation. And the gate's link check, which needs no
//! browser: every internal link of both sites leads to a file of the site
//! and, with a `#fragment`, to an `id` in it.
//!
//! `.ci/run` installs the tools (Debian's `chromium`, npm's `vnu-jar`,
//! `puppeteer-core` and `axe-core` under `.ci/node_modules`) and runs these
//! tests with `--ignored`; a plain `cargo test` leaves them out (ignored,
//! never passed unrun), and a missing tool fails them.

use std::path::{Path, PathBuf};
use std::process::Command;

use inc::model::Status;

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

// ----- accessibility (axe-core) and internal links -----

/// `node .ci/axe.mjs PAGE…`: axe-core in headless Chromium on each page at
/// 375 and 1280 px, light and dark; panics with every violation.
fn axe(pages: &[PathBuf]) {
    let ci = Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci");
    for package in ["puppeteer-core", "axe-core"] {
        let dir = ci.join("node_modules").join(package);
        assert!(
            dir.exists(),
            "{package} is missing at {}; .ci/run installs it",
            dir.display()
        );
    }
    let node = std::env::var_os("INC_NODE").unwrap_or_else(|| "node".into());
    let out = Command::new(&node)
        .arg(ci.join("axe.mjs"))
        .args(pages)
        .env("INC_CHROMIUM", chromium())
        .output()
        .unwrap_or_else(|e| panic!("can't run {node:?} (set INC_NODE): {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "axe-core failed or found violations:\n{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let checks = pages.len() * 4;
    assert!(
        stdout.contains(&format!("no violations in {checks} checks")),
        "{stdout}"
    );
}

/// `repo`'s status page built at [`LATER`] into `site/`.
fn build_site(repo: &TestRepo) -> PathBuf {
    let out = repo.path("site");
    repo.inc()
        .now(LATER)
        .args(["site", "build", "--out"])
        .arg(&out)
        .ok();
    out
}

/// The values of every `name="…"` attribute in `html` (`&amp;` decoded).
fn attribute_values(html: &str, name: &str) -> Vec<String> {
    let needle = format!(" {name}=\"");
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find(&needle) {
        rest = &rest[at + needle.len()..];
        let end = rest.find('"').unwrap_or(rest.len());
        out.push(rest[..end].replace("&amp;", "&"));
        rest = &rest[end..];
    }
    out
}

/// Every internal link of the site in `root` that leads nowhere: each
/// `href` and `src` of every `.html` file, resolved against the file's
/// folder, must name a file inside the site, and its `#fragment` an `id`
/// in that page. Links with a scheme (`https:`, `mailto:`) or a host
/// (`//host/x`) leave the site and are skipped. Returns "page: link: why".
fn broken_links(root: &Path) -> Vec<String> {
    let files = TestRepo::tree(root);
    let pages: std::collections::BTreeMap<&str, String> = files
        .iter()
        .filter(|(path, _)| path.ends_with(".html"))
        .map(|(path, bytes)| (path.as_str(), String::from_utf8_lossy(bytes).into_owned()))
        .collect();
    let mut broken = Vec::new();
    for (page, html) in &pages {
        let mut folder: Vec<&str> = page.split('/').collect();
        folder.pop();
        let mut links = attribute_values(html, "href");
        links.extend(attribute_values(html, "src"));
        for link in links {
            let scheme = link
                .split(['/', '?', '#'])
                .next()
                .is_some_and(|first| first.contains(':'));
            if scheme || link.starts_with("//") {
                continue;
            }
            let (path, fragment) = match link.split_once('#') {
                Some((path, fragment)) => (path, Some(fragment)),
                None => (link.as_str(), None),
            };
            let path = path.split('?').next().unwrap_or_default();
            let mut target: Vec<&str> = if path.is_empty() {
                page.split('/').collect()
            } else if path.starts_with('/') {
                broken.push(format!(
                    "{page}: {link}: a root-relative link breaks under a sub-path"
                ));
                continue;
            } else {
                let mut target = folder.clone();
                let mut escaped = false;
                for part in path.split('/') {
                    match part {
                        "" | "." => {}
                        ".." => escaped |= target.pop().is_none(),
                        part => target.push(part),
                    }
                }
                if escaped {
                    broken.push(format!("{page}: {link}: leaves the site"));
                    continue;
                }
                target
            };
            if path.ends_with('/') {
                target.push("index.html");
            }
            let target = target.join("/");
            if !files.contains_key(&target) {
                broken.push(format!("{page}: {link}: no file {target}"));
                continue;
            }
            if let Some(fragment) = fragment.filter(|f| !f.is_empty()) {
                let has_id = pages
                    .get(target.as_str())
                    .is_some_and(|html| html.contains(&format!(" id=\"{fragment}\"")));
                if !has_id {
                    broken.push(format!("{page}: {link}: {target} has no id=\"{fragment}\""));
                }
            }
        }
    }
    broken
}

/// Asserts that every internal link of the site in `root` resolves, and
/// that there were links to check.
fn assert_links_resolve(root: &Path) {
    let broken = broken_links(root);
    assert!(
        broken.is_empty(),
        "{} broken internal links:\n{}",
        broken.len(),
        broken.join("\n")
    );
}

#[test]
fn the_link_check_finds_missing_files_and_fragments() {
    let repo = TestRepo::plain();
    let site = repo.path("site");
    let write = |rel: &str, text: &str| {
        let path = site.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write(
        "index.html",
        r##"<a href="incidents/a.html">a</a> <a href="incidents/gone.html">gone</a>
<a href="history/2026.html#day-2026-11-27">ok</a> <a href="history/2026.html#day-2026-11-28">no day</a>
<a href="https://example.com/x">out</a> <a href="mailto:a@b.c">mail</a> <a href="//cdn.example/x">cdn</a>
<link rel="stylesheet" href="style.css"> <img src="logo.png" alt="">
<a href="/index.html">root</a> <a href="../up.html">up</a> <a href="#top">top</a> <a id="top" href="index.html?x=1&amp;y=2">self</a>"##,
    );
    write(
        "incidents/a.html",
        r##"<a href="../index.html#top">home</a> <a href="../history/2026.html">history</a> <a href="#nope">nope</a>"##,
    );
    write("history/2026.html", r##"<li id="day-2026-11-27">x</li>"##);
    write("style.css", "");
    let mut broken = broken_links(&site);
    broken.sort();
    assert_eq!(
        broken,
        [
            "incidents/a.html: #nope: incidents/a.html has no id=\"nope\"",
            "index.html: ../up.html: leaves the site",
            "index.html: /index.html: a root-relative link breaks under a sub-path",
            "index.html: history/2026.html#day-2026-11-28: history/2026.html has no id=\"day-2026-11-28\"",
            "index.html: incidents/gone.html: no file incidents/gone.html",
            "index.html: logo.png: no file logo.png",
        ]
    );
}

#[test]
fn every_internal_link_of_the_examples_resolves() {
    let repo = TestRepo::examples();
    let site = build_site(&repo);
    assert_links_resolve(&site);
}

#[test]
#[ignore = "needs Chromium, puppeteer-core and axe-core; .ci/run installs them and runs it"]
fn the_examples_pass_axe_on_a_phone_and_a_desktop_light_and_dark() {
    let repo = TestRepo::examples();
    let site = build_site(&repo);
    let mut pages = vec![
        site.join("index.html"),
        site.join("history.html"),
        site.join("history/2026.html"),
    ];
    for entry in std::fs::read_dir(site.join("incidents")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|x| x == "html") {
            pages.push(path);
        }
    }
    pages.sort();
    assert!(pages.len() >= 6, "{pages:?}");
    axe(&pages);
}

// ----- a generated 1,000-incident repository -----

/// A small deterministic PRNG (SplitMix64, as `examples/gen_repo.rs`).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `lo..=hi`.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % (hi - lo + 1) as u64) as i64
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
}

/// The services of the shipped `inc.yaml`, which the generated repository uses.
const SERVICES: &[&str] = &[
    "web",
    "search",
    "checkout",
    "accounts",
    "api",
    "notifications",
    "payments",
    "invoicing",
];

const SYMPTOMS: &[&str] = &[
    "returning errors",
    "slow to load",
    "timing out for some customers",
    "unavailable",
    "degraded in eu-west-1",
    "delayed",
];

const PEOPLE: &[&str] = &["alice", "bob", "carol", "dave", "erin", "frank"];

/// Public updates written in Markdown, as people write them: emphasis,
/// links out, lists, code, a quote, a heading and a code block with a line
/// wider than a phone.
const MARKDOWN: &[&str] = &[
    "We rolled back **deploy 4f2a1c9**; see our provider's [status page](https://status.provider.example/incidents/123) for their side.",
    "Affected:\n\n- card payments\n- PayPal\n- invoices sent *today*\n\nNot affected: orders already placed.",
    "Some requests fail with `HTTP 503`. Retrying works:\n\n```\ncurl -sS 'https://api.acme-shop.example/v1/orders?status=pending&page=1&per_page=100&include=items,payments,shipping,customer,discounts,refunds'\n```",
    "_Update:_ the fix is ~~rolled out~~ being rolled out region by region.\n\n1. eu-west-1 (done)\n2. us-east-1 (in progress)\n3. ap-southeast-2",
    "> Degraded API performance in eu-west-1.\n\nThat is what our provider says; we see the same. Questions: <mailto:support@acme-shop.example>",
    "### What we know\n\nThe search index lags behind by about **40 minutes**. New products show up once it catches up.",
];

fn plain_update(rng: &mut Rng, status: Status) -> String {
    match status {
        Status::Identified => "We found the cause and are working on a fix.".to_owned(),
        Status::Monitoring => "A fix is in place; we are watching the results.".to_owned(),
        _ => rng
            .pick(&[
                "We are investigating reports of problems.",
                "Some customers may see errors; we are working on it.",
                "We are still working on this. Next update in 30 minutes.",
            ])
            .to_string(),
    }
}

/// What [`thousand_incidents`] made that the tests look at.
struct Generated {
    repo: TestRepo,
    /// A resolved public incident whose updates are all [`MARKDOWN`].
    markdown: String,
    /// An open public incident.
    open: String,
    /// A completed maintenance window.
    maintenance: String,
    /// A maintenance window in progress at [`LATER`].
    maintenance_now: String,
}

/// A repository of 1,000 incidents over three years before [`LATER`], with
/// the shipped `inc.yaml`, written directly through inc's own types (so the
/// files are what inc writes): every severity, impacts on one service or
/// all, one to three services, six open public ones (more than the index shows as
/// cards), Markdown updates, 50 maintenance windows (one upcoming, one in
/// progress), and some that stay off the page (private, test, declined, an
/// alert nobody took up). Deterministic; not committed (the build reads the
/// work tree).
fn thousand_incidents() -> Generated {
    use chrono::{DateTime, Duration, Utc};
    use inc::model::{Event, EventKind, Header, Impact, Kind, Mode};

    let repo = TestRepo::git_only();
    let project = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(project.join("inc.yaml"), repo.path("inc.yaml")).unwrap();
    let later: DateTime<Utc> = LATER.parse().unwrap();
    let first = later - Duration::days(3 * 365);
    let mut rng = Rng(0x1000_2026);
    let mut taken = std::collections::HashSet::new();
    let mut made = Generated {
        repo,
        markdown: String::new(),
        open: String::new(),
        maintenance: String::new(),
        maintenance_now: String::new(),
    };
    for i in 0..1000 {
        let service = *rng.pick(SERVICES);
        let mut services = vec![service.to_owned()];
        for _ in 0..rng.range(0, 2) {
            let other = *rng.pick(SERVICES);
            if !services.iter().any(|s| s == other) {
                services.push(other.to_owned());
            }
        }
        let who = *rng.pick(PEOPLE);
        let open = i < 10;
        let maintenance = i % 20 == 19;
        let opened_at = if maintenance && (i == 19 || i == 39) {
            // Upcoming and under way: planned a week ago.
            later - Duration::days(7)
        } else if open {
            later - Duration::minutes(rng.range(10, 4 * 24 * 60))
        } else {
            first + Duration::minutes(rng.range(0, (later - first).num_minutes() - 5 * 24 * 60))
        };
        let mut header = Header {
            title: format!("{service} {}", rng.pick(SYMPTOMS)),
            public_title: rng.chance(10).then(|| format!("Problems with {service}")),
            services,
            opened_at,
            opened_by: who.to_owned(),
            ..Header::default()
        };
        let mut events = Vec::new();
        let mut at = opened_at;
        let push = |events: &mut Vec<Event>, at, kind| events.push(Event::new(at, who, kind));
        if maintenance {
            // Planned a week ahead; one upcoming, one under way now.
            let start = match i {
                19 => later + Duration::days(10),
                39 => later - Duration::hours(1),
                _ => opened_at + Duration::days(7),
            };
            let end = start + Duration::minutes(rng.range(30, 240));
            header.title = format!("{service} maintenance");
            header.kind = Some(Kind::Maintenance);
            header.scheduled_start = Some(start);
            header.scheduled_end = Some(end);
            push(
                &mut events,
                at,
                EventKind::Opened {
                    severity: "SEV4".to_owned(),
                    status: Status::Scheduled,
                },
            );
            push(
                &mut events,
                at,
                EventKind::Update {
                    status: None,
                    text: format!("We will upgrade the {service} database servers."),
                },
            );
            if end < later {
                push(
                    &mut events,
                    start,
                    EventKind::Status {
                        status: Status::InProgress,
                        text: None,
                    },
                );
                push(
                    &mut events,
                    end,
                    EventKind::Status {
                        status: Status::Completed,
                        text: None,
                    },
                );
            }
        } else {
            let severity = match rng.range(0, 99) {
                0..=9 => "SEV1",
                10..=34 => "SEV2",
                35..=74 => "SEV3",
                _ => "SEV4",
            };
            // Off the page: an alert nobody took up, declined, private, test.
            let by_alert = i % 41 == 3;
            if i % 33 == 1 {
                header.private = true;
            }
            if i % 97 == 5 {
                header.mode = Some(Mode::Test);
            }
            if rng.chance(30) {
                header.started_at = Some(opened_at - Duration::minutes(rng.range(1, 45)));
            }
            push(
                &mut events,
                at,
                EventKind::Opened {
                    severity: severity.to_owned(),
                    status: if by_alert {
                        Status::Triage
                    } else {
                        Status::Investigating
                    },
                },
            );
            if by_alert {
                events.push(Event::new(
                    at,
                    "alertmanager",
                    EventKind::Alert {
                        key: format!("{:016x}", rng.next()),
                        state: "firing".to_owned(),
                        source: Some("alertmanager".to_owned()),
                        text: Some(format!("HighErrorRate {service}")),
                    },
                ));
            } else {
                push(
                    &mut events,
                    at,
                    EventKind::Role {
                        role: "commander".to_owned(),
                        who: Some(who.to_owned()),
                    },
                );
                let markdown = i == 10;
                let steps = if markdown {
                    MARKDOWN.len()
                } else {
                    rng.range(1, 4) as usize
                };
                for step in 0..steps {
                    at += Duration::minutes(rng.range(3, if open { 20 } else { 240 }));
                    let status = [
                        Status::Investigating,
                        Status::Identified,
                        Status::Monitoring,
                    ][(step * 3 / steps).min(2)];
                    let text = if markdown {
                        MARKDOWN[step].to_owned()
                    } else if rng.chance(20) {
                        rng.pick(MARKDOWN).to_string()
                    } else {
                        plain_update(&mut rng, status)
                    };
                    push(
                        &mut events,
                        at,
                        EventKind::Update {
                            status: Some(status),
                            text,
                        },
                    );
                    if step == 0 && rng.chance(30) {
                        let impact = *rng.pick(&[
                            Impact::DegradedPerformance,
                            Impact::PartialOutage,
                            Impact::MajorOutage,
                        ]);
                        let service = rng.chance(70).then(|| service.to_owned());
                        push(&mut events, at, EventKind::Impact { impact, service });
                    }
                    push(
                        &mut events,
                        at,
                        EventKind::Note {
                            text: format!(
                                "Internal: {who} is checking deploy {:07x}",
                                rng.next() & 0xfff_ffff
                            ),
                            pinned: false,
                        },
                    );
                }
                if i % 50 == 7 {
                    push(
                        &mut events,
                        at + Duration::minutes(5),
                        EventKind::Status {
                            status: Status::Declined,
                            text: None,
                        },
                    );
                } else if !open {
                    push(
                        &mut events,
                        at + Duration::minutes(rng.range(5, 3 * 24 * 60)),
                        EventKind::Status {
                            status: Status::Resolved,
                            text: None,
                        },
                    );
                }
            }
        }
        let id = inc::model::id::new_id(opened_at, &header.title, |id| taken.contains(id));
        taken.insert(id.clone());
        let mut lines = String::new();
        for event in &events {
            lines.push_str(&event.to_line());
            lines.push('\n');
        }
        made.repo
            .write(TestRepo::header_path(&id), &header.to_yaml().unwrap());
        made.repo.write(TestRepo::timeline_path(&id), &lines);
        match i {
            0 => made.open = id,
            10 => made.markdown = id,
            19 => {}
            39 => made.maintenance_now = id,
            _ if maintenance && made.maintenance.is_empty() => made.maintenance = id,
            _ => {}
        }
    }
    made
}

#[test]
fn every_internal_link_of_a_thousand_incidents_resolves() {
    let made = thousand_incidents();
    let started = std::time::Instant::now();
    let site = build_site(&made.repo);
    eprintln!("built the 1,000-incident site in {:.1?}", started.elapsed());
    let index = std::fs::read_to_string(site.join("index.html")).unwrap();
    assert!(
        index.contains("#day-"),
        "no day cell links to a day of the history, so the check would miss those fragments"
    );
    // What the axe test relies on the index to show.
    for part in [
        "Maintenance in progress",
        "Upcoming maintenance",
        "3 more active incidents",
    ] {
        assert!(index.contains(part), "the index lacks {part:?}");
    }
    let markdown = std::fs::read_to_string(site.join(TestRepo::page_of(&made.markdown))).unwrap();
    for part in [
        "<pre>",
        "<ul>",
        "<ol>",
        "<blockquote>",
        "<h3>What we know</h3>",
    ] {
        assert!(markdown.contains(part), "the Markdown page lacks {part}");
    }
    assert_links_resolve(&site);
}

#[test]
#[ignore = "needs Chromium, puppeteer-core and axe-core; .ci/run installs them and runs it"]
fn a_thousand_incidents_pass_axe_on_a_phone_and_a_desktop_light_and_dark() {
    let made = thousand_incidents();
    let site = build_site(&made.repo);
    let pages: Vec<PathBuf> = [
        "index.html".to_owned(),
        TestRepo::page_of(&made.open),
        TestRepo::page_of(&made.markdown),
        TestRepo::page_of(&made.maintenance),
        TestRepo::page_of(&made.maintenance_now),
        "history.html".to_owned(),
        "history/2024.html".to_owned(),
    ]
    .iter()
    .map(|page| site.join(page))
    .collect();
    for page in &pages {
        assert!(page.exists(), "{} is missing", page.display());
    }
    axe(&pages);
}
