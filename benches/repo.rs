//! Speed of `inc` on a large repository: 10,000 incidents, ~20 events each.
//!
//! ```text
//! cargo bench --bench repo
//! ```
//!
//! The repository is generated once by `examples/gen_repo.rs` (included here
//! as a module) under cargo's target tmp dir, and reused while the generator,
//! N and EVENTS are unchanged; each run first resets it to the generated
//! commit. Measured, with the release binary as a child process in the
//! repository, as a user would run it:
//!
//! - `note`: `inc note ID TEXT` (with its commit) against appending the same
//!   kind of line to a timeline and `git add FILE && git commit`. Target:
//!   inc ≤ 0.5 × git.
//! - `list`: `inc list --status all > /dev/null` against `cat` of every
//!   incident file. Target: inc ≤ 1.5 × cat.
//! - peak memory (max RSS) of `inc list --status all`. Target: < 150 MB.
//! - `review`: `inc check` and `inc stats` over the whole repository. Target:
//!   each under 0.5 s and within 4 × `find | xargs cat`.
//! - `site`: `inc site build --out DIR`, a first build into a fresh folder
//!   and an unchanged rebuild (which rewrites no file), against `find |
//!   xargs cat`. Target: each within 2 × cat; peak memory < 300 MB.
//!
//! - `alert`: `inc alert FILE` with a 50-alert Alertmanager webhook, with
//!   its commit: `new-group` (a fresh `groupKey` each time, so every run
//!   looks the group up, finds nothing, opens an incident and commits),
//!   `repeat-changed` (the group has an open incident; 10 of the 50 alerts
//!   flip between firing and resolved, so every run appends 10 `alert`
//!   events and commits) and `repeat-unchanged` (the same notification
//!   again: nothing to write, no commit). Target: under 100 ms each.
//!
//! Two environment variables choose the repository: `INC_BENCH_N` (number
//! of incidents, default 10,000) and `INC_BENCH_CORPUS` (what notes and
//! updates say: `templated`, the default, `words` or `prose`; see
//! `gen_repo::Corpus`). Each pair gets its own generated repository, e.g.
//! `INC_BENCH_CORPUS=words INC_BENCH_N=100000 cargo bench --bench repo -- site`.
//!
//! A name after `--` runs only the matching criterion groups (`cargo bench
//! --bench repo -- alert`); the pairs and peak memory then run only with
//! their groups. After criterion's groups it also times interleaved pairs (the issue's
//! "median of pairs") and prints a summary with the ratios. Wall-clock
//! numbers depend on the machine: this is a report, never a CI gate.

#[allow(dead_code)]
#[path = "../examples/gen_repo.rs"]
mod gen_repo;

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::Utc;
use criterion::{BatchSize, Criterion, SamplingMode};
use inc::model::{Event, EventKind};

/// Incidents in the repository: `INC_BENCH_N`, else 10,000.
fn n() -> usize {
    std::env::var("INC_BENCH_N")
        .ok()
        .and_then(|n| n.replace('_', "").parse().ok())
        .unwrap_or(10_000)
}

/// What notes and updates say: `INC_BENCH_CORPUS`, else templated.
fn corpus() -> gen_repo::Corpus {
    match std::env::var("INC_BENCH_CORPUS") {
        Ok(name) => gen_repo::Corpus::parse(&name)
            .unwrap_or_else(|| panic!("INC_BENCH_CORPUS={name}: want templated, words or prose")),
        Err(_) => gen_repo::Corpus::Templated,
    }
}
const EVENTS: usize = 20;
const INC: &str = env!("CARGO_BIN_EXE_inc");
/// Appends + commits, then each pair's ratio; an odd count gives a true median.
const PAIRS: usize = 21;
const MEMORY_RUNS: usize = 5;
/// Alerts in each `inc alert` payload.
const ALERTS: usize = 50;
/// How many of them `alert/repeat-changed` flips between firing and resolved.
const FLIPPED: usize = 10;
/// The issue's target for `inc alert`, commit included.
const ALERT_TARGET_S: f64 = 0.100;
const CAT_ALL: &str = "find incidents -name '*.yaml' -print0 | xargs -0 cat > /dev/null";

/// The benchmark repository and the environment every child runs in.
struct Bench {
    repo: PathBuf,
    home: PathBuf,
    /// Incidents to append to, in rotation, so no timeline grows much.
    ids: Vec<String>,
    /// Every incident file, relative to the repository.
    files: Vec<String>,
    next: usize,
}

impl Bench {
    fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        cmd.current_dir(&self.repo)
            .env("INC_AUTHOR", "bench")
            .env("HOME", &self.home)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env_remove("INC_REPO")
            .env_remove("INC_NOW")
            .env_remove("GIT_DIR")
            .env_remove("GIT_INDEX_FILE")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        cmd
    }

    fn run(&self, cmd: &mut Command) {
        let out = cmd.output().expect("can't start a child process");
        assert!(
            out.status.success(),
            "{cmd:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn next_id(&mut self) -> String {
        self.next = (self.next + 1) % self.ids.len();
        self.ids[self.next].clone()
    }

    /// `inc note ID TEXT`, which appends and commits.
    fn inc_note(&mut self) {
        let id = self.next_id();
        let mut cmd = self.command(INC);
        cmd.args(["note", &id, "Error rate back under 1% after the rollback"]);
        self.run(&mut cmd);
    }

    /// The same change by hand: append a note line, `git add FILE`, `git commit`.
    fn git_note(&mut self) {
        let id = self.next_id();
        let rel = format!("incidents/{}/{id}/timeline.yaml", &id[..4]);
        let event = Event::new(
            Utc::now(),
            "bench",
            EventKind::Note {
                text: "Error rate back under 1% after the rollback".to_owned(),
                pinned: false,
            },
        );
        let mut file = OpenOptions::new()
            .append(true)
            .open(self.repo.join(&rel))
            .expect("timeline exists");
        writeln!(file, "{}", event.to_line()).expect("can append");
        drop(file);
        let mut add = self.command("git");
        add.args(["add", &rel]);
        self.run(&mut add);
        let mut commit = self.command("git");
        commit.args([
            "commit",
            "-q",
            "-m",
            &format!("inc({id}): note: Error rate back under 1% after the rollback"),
        ]);
        self.run(&mut commit);
    }

    fn inc_list(&self) {
        let mut cmd = self.command(INC);
        cmd.args(["list", "--status", "all"]);
        self.run(&mut cmd);
    }

    /// `inc check`: exit 3 is its answer when it finds problems (the
    /// generated repository has overdue postmortems), not a failure.
    fn inc_check(&self) {
        let out = self
            .command(INC)
            .arg("check")
            .output()
            .expect("can't start inc check");
        assert!(
            matches!(out.status.code(), Some(0 | 3)),
            "inc check failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn inc_stats(&self) {
        let mut cmd = self.command(INC);
        cmd.arg("stats");
        self.run(&mut cmd);
    }

    /// `inc site build --out DIR`.
    fn inc_site(&self, out: &Path) {
        let mut cmd = self.command(INC);
        cmd.args(["site", "build", "--out"]).arg(out);
        self.run(&mut cmd);
    }

    /// `inc alert FILE`, which opens an incident or appends alert events,
    /// each with a commit, or writes nothing.
    fn inc_alert(&self, payload: &Path) {
        let mut cmd = self.command(INC);
        cmd.arg("alert").arg(payload);
        self.run(&mut cmd);
    }

    fn cat_find(&self) {
        let mut cmd = self.command("sh");
        cmd.args(["-c", CAT_ALL]);
        self.run(&mut cmd);
    }

    fn cat_listed(&self) {
        let mut cmd = self.command("cat");
        cmd.args(&self.files);
        self.run(&mut cmd);
    }
}

/// An Alertmanager webhook (version 4) for group `group`, as Alertmanager
/// sends it: [`ALERTS`] alerts of `alertname` on as many pods, each with
/// labels, annotations and its label set's fingerprint; the first
/// `resolved` of them resolved, the rest firing.
fn alert_payload(group: &str, alertname: &str, service: &str, resolved: usize) -> String {
    use serde_json::json;
    let alerts: Vec<serde_json::Value> = (0..ALERTS)
        .map(|i| {
            let pod = format!("{service}-7d9f8b-{i:03}");
            let labels: std::collections::BTreeMap<String, String> = [
                ("alertname", alertname.to_owned()),
                ("service", service.to_owned()),
                ("severity", "critical".to_owned()),
                ("job", format!("{service}-api")),
                ("namespace", "prod".to_owned()),
                ("pod", pod.clone()),
                ("instance", format!("10.42.{}.{}:8080", i / 200, i % 200 + 10)),
                ("region", ["eu-west-1", "us-east-1"][i % 2].to_owned()),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
            let fingerprint = inc::alert::fingerprint(&labels);
            let firing = i >= resolved;
            json!({
                "status": if firing { "firing" } else { "resolved" },
                "labels": labels,
                "annotations": {
                    "summary": format!("{service} 5xx rate above 5%"),
                    "description": format!("5xx ratio is {}.{}% over the last 5m on {pod}", 5 + i % 20, i % 10),
                    "runbook_url": format!("https://runbooks.example.com/{service}/{}", alertname.to_lowercase()),
                },
                "startsAt": "2026-11-27T11:52:03.437Z",
                "endsAt": if firing { "0001-01-01T00:00:00Z" } else { "2026-11-27T12:07:03.437Z" },
                "generatorURL": "http://prometheus.example.com:9090/graph?g0.expr=sum%28rate%28http_requests_total%7Bcode%3D~%225..%22%7D%5B5m%5D%29%29&g0.tab=1",
                "fingerprint": fingerprint,
            })
        })
        .collect();
    json!({
        "version": "4",
        "groupKey": group,
        "truncatedAlerts": 0,
        "status": if resolved >= ALERTS { "resolved" } else { "firing" },
        "receiver": "inc\\-incidents",
        "groupLabels": {"alertname": alertname, "service": service},
        "commonLabels": {"alertname": alertname, "service": service, "severity": "critical", "namespace": "prod"},
        "commonAnnotations": {"summary": format!("{service} 5xx rate above 5%")},
        "externalURL": "http://alertmanager.example.com:9093",
        "alerts": alerts,
    })
    .to_string()
}

/// A stable fingerprint of the generator's source (FNV-1a), so a changed
/// generator makes a new repository.
fn generator_key() -> String {
    let source = include_str!("../examples/gen_repo.rs");
    let hash = source.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{}x{EVENTS}-{}-{hash:016x}", n(), corpus().name())
}

fn git_in(repo: &Path, home: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(repo)
        .env("HOME", home)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// Generates the repository, or reuses it (reset to its generated commit).
fn setup() -> Bench {
    let base = Path::new(env!("CARGO_TARGET_TMPDIR")).join("inc-bench");
    let home = base.join("home");
    fs::create_dir_all(&home).expect("can create the bench home");
    let key = generator_key();
    let repo = base.join(format!("repo-{key}"));
    let marker = base.join(format!("repo-{key}.done"));
    match fs::read_to_string(&marker) {
        Ok(commit) => {
            eprintln!(
                "Reusing {} (resetting to {})",
                repo.display(),
                commit.trim()
            );
            git_in(&repo, &home, &["reset", "-q", "--hard", commit.trim()]);
        }
        Err(_) => {
            if repo.exists() {
                fs::remove_dir_all(&repo).expect("can remove a half-made repository");
            }
            eprintln!(
                "Generating {} incidents with ~{EVENTS} events ({} notes) in {} …",
                n(),
                corpus().name(),
                repo.display()
            );
            let started = Instant::now();
            let summary =
                gen_repo::generate_corpus(&repo, n(), EVENTS, corpus()).expect("generation works");
            eprintln!(
                "Generated {} incidents ({} open, {} declined), {} events, {:.1} MB in {:.1?}",
                summary.incidents,
                summary.open,
                summary.declined,
                summary.events,
                summary.bytes as f64 / 1e6,
                started.elapsed()
            );
            fs::write(&marker, &summary.commit).expect("can write the marker");
        }
    }
    // Bring git's index up to date (files written in the same second as the
    // index are "racily clean" and would be re-hashed by the first commit).
    git_in(&repo, &home, &["update-index", "-q", "--refresh"]);

    let n = n();
    let mut files = Vec::with_capacity(2 * n);
    let mut ids = Vec::new();
    let mut dirs: Vec<PathBuf> = Vec::with_capacity(n);
    for year in fs::read_dir(repo.join("incidents")).expect("incidents/") {
        let year = year.expect("entry").path();
        if year.is_dir() {
            dirs.extend(
                fs::read_dir(&year)
                    .expect("year")
                    .map(|e| e.expect("entry").path()),
            );
        }
    }
    dirs.sort();
    for (i, dir) in dirs.iter().enumerate() {
        let rel = dir
            .strip_prefix(&repo)
            .expect("inside")
            .to_string_lossy()
            .into_owned();
        files.push(format!("{rel}/incident.yaml"));
        files.push(format!("{rel}/timeline.yaml"));
        if i % (n / 64).max(1) == 0 {
            ids.push(
                dir.file_name()
                    .expect("name")
                    .to_string_lossy()
                    .into_owned(),
            );
        }
    }
    eprintln!("Repository: {}", repo.display());
    Bench {
        repo,
        home,
        ids,
        files,
        next: 0,
    }
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}

fn timed(f: impl FnOnce()) -> f64 {
    let started = Instant::now();
    f();
    started.elapsed().as_secs_f64()
}

/// The median criterion stored for `group/function`, in seconds.
fn criterion_median(group: &str, function: &str) -> Option<f64> {
    let dir = match std::env::var_os("CRITERION_HOME") {
        Some(home) => PathBuf::from(home),
        // target/release/deps/repo-… → target/criterion
        None => std::env::current_exe()
            .ok()?
            .ancestors()
            .nth(3)?
            .join("criterion"),
    };
    let text =
        fs::read_to_string(dir.join(group).join(function).join("new/estimates.json")).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    Some(json["median"]["point_estimate"].as_f64()? / 1e9)
}

/// Peak resident memory of one `inc ARGS`, in kB.
fn peak_memory_kb(bench: &Bench, args: &[&str]) -> Option<u64> {
    let time = Path::new("/usr/bin/time");
    if time.exists() {
        let out = bench.home.join("maxrss");
        let mut cmd = bench.command("/usr/bin/time");
        cmd.arg("-f").arg("%M").arg("-o").arg(&out);
        cmd.arg(INC).args(args);
        bench.run(&mut cmd);
        return fs::read_to_string(&out).ok()?.trim().parse().ok();
    }
    // No GNU time: poll the child's high-water mark until it exits (a lower
    // bound if the last growth happens between two polls).
    let mut child = bench
        .command(INC)
        .args(args)
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let status = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    while child.try_wait().ok()?.is_none() {
        if let Ok(text) = fs::read_to_string(&status)
            && let Some(kb) = text
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        {
            peak = peak.max(kb);
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    Some(peak)
}

/// How long after site files were removed a first build is measured.
/// ext4 without a journal (this VM's disk) skips inodes freed in the last
/// 60 s when it allocates new ones, and in the last 360 s while their
/// inode-table block is dirty, reading that block for each one to find
/// out; new files dirty those very blocks. Right after a run removed its
/// ~100,000 site files, a first build took 1.6–1.9 s instead of ~0.5 s,
/// still so after syncing and waiting 70 s (three runs); `perf` put a fifth
/// of its samples in `recently_deleted` and `find_get_block_common`, and a
/// quarter in the other worker spinning on the folder's lock. So a run
/// waits until its own removals are this old. Removals by anything else
/// (a test run, a build) it cannot see: a run straight after `.ci/run`
/// measured 2.4 × `cat`.
const SETTLE_SECS: u64 = 400;

/// Removes the site folders, syncs, and notes when.
fn remove_sites(sites: &Path, removed_at: &Path) {
    fs::remove_dir_all(sites).expect("can remove the site folders");
    let synced = Command::new("sync").status().is_ok_and(|s| s.success());
    assert!(synced, "`sync` failed after removing the site folders");
    fs::write(removed_at, unix_now().to_string()).expect("can note when sites were removed");
}

/// Waits until the last removal of site folders is [`SETTLE_SECS`] old.
fn settle(removed_at: &Path) {
    let Some(at) = fs::read_to_string(removed_at)
        .ok()
        .and_then(|t| t.trim().parse::<u64>().ok())
    else {
        return;
    };
    let age = unix_now().saturating_sub(at);
    if age < SETTLE_SECS {
        let wait = SETTLE_SECS - age;
        eprintln!(
            "waiting {wait} s: site files were removed {age} s ago, and ext4 creates files \
             slowly for minutes after a mass removal"
        );
        std::thread::sleep(Duration::from_secs(wait));
    }
}

/// Seconds since the epoch.
fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The first three fields of /proc/loadavg, or "?".
fn loadavg() -> String {
    fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".to_owned())
}

fn verdict(ok: bool) -> &'static str {
    if ok { "met" } else { "MISSED" }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--test" || a == "--list");
    let mut criterion = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5))
        .configure_from_args();
    if args.iter().any(|a| a == "--list") {
        println!(
            "note/inc: benchmark\nnote/git: benchmark\nlist/inc: benchmark\nlist/cat-find: benchmark\nlist/cat-listed: benchmark\nreview/check: benchmark\nreview/stats: benchmark\nsite/first: benchmark\nsite/rebuild: benchmark\nsite/cat-find: benchmark\nalert/new-group: benchmark\nalert/repeat-unchanged: benchmark\nalert/repeat-changed: benchmark"
        );
        return;
    }
    // Criterion's filter is the first argument that is not a flag; the
    // extras (pairs, peak memory) and the summary follow it by group.
    let filter = args.iter().skip(1).find(|a| !a.starts_with('-')).cloned();
    let wants = |group: &str| {
        filter
            .as_deref()
            .is_none_or(|f| f.starts_with(group) || group.starts_with(f))
    };

    let mut bench = setup();
    let load_before = loadavg();

    let mut note = criterion.benchmark_group("note");
    note.sampling_mode(SamplingMode::Flat).sample_size(20);
    note.bench_function("inc", |b| b.iter(|| bench.inc_note()));
    note.bench_function("git", |b| b.iter(|| bench.git_note()));
    note.finish();

    let mut list = criterion.benchmark_group("list");
    list.sampling_mode(SamplingMode::Flat).sample_size(10);
    list.bench_function("inc", |b| b.iter(|| bench.inc_list()));
    list.bench_function("cat-find", |b| b.iter(|| bench.cat_find()));
    list.bench_function("cat-listed", |b| b.iter(|| bench.cat_listed()));
    list.finish();

    let mut review = criterion.benchmark_group("review");
    review.sampling_mode(SamplingMode::Flat).sample_size(10);
    review.bench_function("check", |b| b.iter(|| bench.inc_check()));
    review.bench_function("stats", |b| b.iter(|| bench.inc_stats()));
    review.finish();

    // Site builds go to folders outside the repository: a first build into
    // a new folder each time (removed only after the group, as removing
    // thousands of files just before creating as many slows the file
    // system down), and an unchanged rebuild of one folder.
    let sites = bench.home.join("sites");
    let removed_at = bench.home.join("sites-removed-at");
    if sites.exists() {
        remove_sites(&sites, &removed_at);
    }
    // Only a first build needs the file system settled: a filter such as
    // `site/(rebuild|cat-find)` skips the wait.
    let wants_first = filter
        .as_deref()
        .is_none_or(|f| "site/first".starts_with(f) || f.starts_with("site/first"));
    if wants("site") && wants_first {
        settle(&removed_at);
    }
    fs::create_dir_all(&sites).expect("can create the site folders");
    let rebuilt = sites.join("rebuilt");
    if wants("site") {
        bench.inc_site(&rebuilt);
    }
    let mut fresh = 0;
    let mut site = criterion.benchmark_group("site");
    site.sampling_mode(SamplingMode::Flat).sample_size(10);
    site.bench_function("first", |b| {
        b.iter_batched(
            || {
                fresh += 1;
                sites.join(format!("first-{fresh}"))
            },
            |out| bench.inc_site(&out),
            BatchSize::PerIteration,
        )
    });
    site.bench_function("rebuild", |b| b.iter(|| bench.inc_site(&rebuilt)));
    site.bench_function("cat-find", |b| b.iter(|| bench.cat_find()));
    site.finish();

    // Alerts: payload files are written outside the timed part.
    let alert_dir = bench.home.join("alerts");
    fs::create_dir_all(&alert_dir).expect("can create the payload folder");
    let mut alert = criterion.benchmark_group("alert");
    alert.sampling_mode(SamplingMode::Flat).sample_size(20);
    // A new group each time: the lookup finds nothing, inc opens an
    // incident and commits. Keys carry the time so reruns on a reset
    // repository never meet an earlier run's group either.
    let new_payload = alert_dir.join("new-group.json");
    let run_tag = Utc::now().timestamp();
    let mut fresh_group = 0;
    alert.bench_function("new-group", |b| {
        b.iter_batched(
            || {
                fresh_group += 1;
                let group = format!(
                    "{{}}/{{severity=\"critical\"}}:{{alertname=\"BenchNewGroup\", shard=\"{run_tag}-{fresh_group}\"}}"
                );
                let text = alert_payload(&group, "BenchNewGroup", "search", 0);
                fs::write(&new_payload, text).expect("can write the payload");
                &new_payload
            },
            |payload| bench.inc_alert(payload),
            BatchSize::PerIteration,
        )
    });
    // A group the generated repository already has (resolved incidents of
    // it, from `gen_repo`): the first payload opens a new incident (with
    // `previous:`), which every repeat then finds as the newest.
    let repeat_group =
        "{}/{severity=\"critical\"}:{alertname=\"HighErrorRate\", service=\"checkout\"}";
    let all_firing = alert_dir.join("repeat-firing.json");
    let some_resolved = alert_dir.join("repeat-some-resolved.json");
    fs::write(
        &all_firing,
        alert_payload(repeat_group, "HighErrorRate", "checkout", 0),
    )
    .expect("can write the payload");
    fs::write(
        &some_resolved,
        alert_payload(repeat_group, "HighErrorRate", "checkout", FLIPPED),
    )
    .expect("can write the payload");
    if wants("alert") {
        bench.inc_alert(&all_firing);
    }
    alert.bench_function("repeat-unchanged", |b| {
        b.iter(|| bench.inc_alert(&all_firing))
    });
    let mut flips = 0;
    alert.bench_function("repeat-changed", |b| {
        b.iter(|| {
            flips += 1;
            let payload = if flips % 2 == 1 {
                &some_resolved
            } else {
                &all_firing
            };
            bench.inc_alert(payload)
        })
    });
    alert.finish();
    criterion.final_summary();

    // Interleaved pairs: each inc note next to a git commit, order alternating.
    let pairs = match (quick, wants("note")) {
        (_, false) => 0,
        (true, true) => 1,
        (false, true) => PAIRS,
    };
    let (mut inc_s, mut git_s, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..pairs {
        let (inc, git) = if i % 2 == 0 {
            let inc = timed(|| bench.inc_note());
            (inc, timed(|| bench.git_note()))
        } else {
            let git = timed(|| bench.git_note());
            (timed(|| bench.inc_note()), git)
        };
        inc_s.push(inc);
        git_s.push(git);
        ratios.push(inc / git);
    }
    let pair_ratio = if ratios.is_empty() {
        f64::NAN
    } else {
        median(ratios)
    };

    let runs = if quick { 1 } else { MEMORY_RUNS };
    let runs_if = |group: &str| if wants(group) { runs } else { 0 };
    let peaks: Vec<u64> = (0..runs_if("list"))
        .filter_map(|_| peak_memory_kb(&bench, &["list", "--status", "all"]))
        .collect();
    let site_out = sites.join("memory").to_string_lossy().into_owned();
    let site_peaks: Vec<u64> = (0..runs_if("site"))
        .filter_map(|_| {
            let peak = peak_memory_kb(&bench, &["site", "build", "--out", &site_out]);
            // A first build each time (the larger of the two).
            fs::remove_dir_all(&site_out).ok();
            peak
        })
        .collect();
    remove_sites(&sites, &removed_at);

    let ms = |s: f64| format!("{:.1} ms", s * 1e3);
    println!();
    println!(
        "== inc benchmark summary ({} incidents, ~{EVENTS} events each, {} notes) ==",
        n(),
        corpus().name()
    );
    println!("repository: {}", bench.repo.display());
    println!(
        "load average (1/5/15 min) before: {load_before}, after: {} (other work on the machine skews wall times)",
        loadavg()
    );
    // In --test mode criterion measures nothing; its files hold an older run.
    // Nor do groups left out by a filter.
    let c = |g: &str, f: &str| {
        if quick || !wants(g) {
            None
        } else {
            criterion_median(g, f)
        }
    };
    if quick {
        println!("test mode: one pass of each, no criterion medians");
    }
    if let (Some(inc), Some(git)) = (c("note", "inc"), c("note", "git")) {
        println!(
            "note (criterion medians): inc {} | git add+commit {} | ratio {:.3} (target ≤ 0.5: {})",
            ms(inc),
            ms(git),
            inc / git,
            verdict(inc / git <= 0.5)
        );
    }
    if pairs > 0 {
        println!(
            "note ({pairs} interleaved pairs): inc median {} | git median {} | median of pair ratios {:.3} (target ≤ 0.5: {})",
            ms(median(inc_s)),
            ms(median(git_s)),
            pair_ratio,
            verdict(pair_ratio <= 0.5)
        );
    }
    if let (Some(inc), Some(cat)) = (c("list", "inc"), c("list", "cat-find")) {
        println!(
            "list (criterion medians): inc list --status all {} | find|xargs cat {} | ratio {:.3} (target ≤ 1.5: {})",
            ms(inc),
            ms(cat),
            inc / cat,
            verdict(inc / cat <= 1.5)
        );
    }
    if let (Some(inc), Some(cat)) = (c("list", "inc"), c("list", "cat-listed")) {
        println!(
            "list vs cat of the pre-listed {} files: cat {} | ratio {:.3}",
            bench.files.len(),
            ms(cat),
            inc / cat
        );
    }
    if let Some(cat) = c("list", "cat-find") {
        for command in ["check", "stats"] {
            if let Some(t) = c("review", command) {
                println!(
                    "inc {command} (criterion median): {} | {:.2} × find|xargs cat (target < 0.5 s and ≤ 4×: {})",
                    ms(t),
                    t / cat,
                    verdict(t < 0.5 && t / cat <= 4.0)
                );
            }
        }
    }
    if let Some(cat) = c("site", "cat-find") {
        for (function, what) in [("first", "first build"), ("rebuild", "unchanged rebuild")] {
            if let Some(t) = c("site", function) {
                println!(
                    "inc site build, {what} (criterion median): {} | find|xargs cat {} | ratio {:.2} (target ≤ 2: {})",
                    ms(t),
                    ms(cat),
                    t / cat,
                    verdict(t / cat <= 2.0)
                );
            }
        }
        if let Some(t) = c("site", "rebuild") {
            println!(
                "inc site build, unchanged rebuild per incident: {:.1} µs ({} incidents); find|xargs cat per incident: {:.1} µs",
                t / n() as f64 * 1e6,
                n(),
                cat / n() as f64 * 1e6
            );
        }
    }
    for (function, what) in [
        (
            "new-group",
            "a new 50-alert group: opens an incident, commits",
        ),
        (
            "repeat-changed",
            "a repeat with 10 of 50 alerts changed: appends, commits",
        ),
        (
            "repeat-unchanged",
            "the same notification again: writes nothing",
        ),
    ] {
        if let Some(t) = c("alert", function) {
            println!(
                "inc alert, {what} (criterion median): {} (target < {}: {})",
                ms(t),
                ms(ALERT_TARGET_S),
                verdict(t < ALERT_TARGET_S)
            );
        }
    }
    match peaks.iter().max() {
        Some(max) => {
            let mb = *max as f64 / 1024.0;
            println!(
                "peak memory of inc list --status all (max RSS over {} runs): {:.1} MB, runs {:?} kB (target < 150 MB: {})",
                peaks.len(),
                mb,
                peaks,
                verdict(mb < 150.0)
            );
        }
        None if wants("list") => println!("peak memory: could not be measured"),
        None => {}
    }
    match site_peaks.iter().max() {
        Some(max) => {
            let mb = *max as f64 / 1024.0;
            // The issue's targets: 300 MB up to 10,000 incidents, 2 GB at 100,000.
            let target = if n() > 10_000 { 2048.0 } else { 300.0 };
            println!(
                "peak memory of inc site build, first build (max RSS over {} runs): {:.1} MB, runs {:?} kB (target < {target} MB: {})",
                site_peaks.len(),
                mb,
                site_peaks,
                verdict(mb < target)
            );
        }
        None if wants("site") => println!("peak memory of inc site build: could not be measured"),
        None => {}
    }
}
