//! Generates a large incident repository for benchmarks.
//!
//! ```text
//! cargo run --release --example gen_repo -- DIR [N=10000] [EVENTS=20] [CORPUS=templated]
//! ```
//!
//! CORPUS is what notes and updates say ([`Corpus`]): `templated` (a dozen
//! note templates with numbers, hashes and names filled in), `words` (notes
//! and updates of 3–12 random words from a 50-word vocabulary: text that
//! repeats words, the leak scan's worst case) or `prose` (notes of one or two
//! sentences drawn from 480 distinct ones, made from parts).
//!
//! Writes `DIR/inc.yaml` (8 services), `DIR/.gitattributes` (as `inc init`
//! does) and N incidents opened between 2024-01-01 and 2026-11-20, each with
//! an `incident.yaml` and a `timeline.yaml` of about EVENTS events, through
//! inc's own types (`Header::to_yaml`, `Event::to_line`) so the files are
//! exactly what inc writes. Then `git init`, `git add -A` and one commit.
//! About a quarter of the incidents were opened by Alertmanager and carry
//! `labels: {alert_group: …, alert_source: alertmanager}` as `inc alert`
//! writes them (6 alert names × 8 services × 2 severities, so groups recur).
//!
//! The output is deterministic: the same arguments give the same files and
//! the same commit ID. DIR must not exist or be empty.
//!
//! `benches/repo.rs` includes this file as a module and calls [`generate`].

use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail, ensure};
use chrono::{DateTime, Duration, TimeZone, Utc};
use inc::model::{Event, EventKind, Header, Impact, Status, id};

/// What [`generate`] made.
#[derive(Debug, Clone)]
pub struct Summary {
    pub incidents: usize,
    pub events: usize,
    pub open: usize,
    pub declined: usize,
    pub bytes: u64,
    pub commit: String,
}

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: gen_repo DIR [N=10000] [EVENTS=20] [CORPUS=templated|words|prose]";
    let corpus = match args.get(3).map(|c| Corpus::parse(c)) {
        None => Corpus::Templated,
        Some(Some(c)) => c,
        Some(None) => {
            eprintln!("{usage}");
            return std::process::ExitCode::from(2);
        }
    };
    let parsed = match args.as_slice() {
        [dir] => Ok((dir.clone(), 10_000, 20)),
        [dir, n] => n.parse().map(|n| (dir.clone(), n, 20)),
        [dir, n, e] | [dir, n, e, _] => n
            .parse()
            .and_then(|n| e.parse().map(|e| (dir.clone(), n, e))),
        _ => {
            eprintln!("{usage}");
            return std::process::ExitCode::from(2);
        }
    };
    let (dir, n, events) = match parsed {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: N and EVENTS must be whole numbers: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let started = std::time::Instant::now();
    match generate_corpus(Path::new(&dir), n, events, corpus) {
        Ok(s) => {
            eprintln!(
                "{dir}: {} incidents ({} open, {} declined), {} events, {:.1} MB in incident files, commit {} ({:.1?})",
                s.incidents,
                s.open,
                s.declined,
                s.events,
                s.bytes as f64 / 1e6,
                s.commit,
                started.elapsed()
            );
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// What the notes and updates of a generated repository say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Corpus {
    /// A dozen note templates with numbers, hashes and names filled in;
    /// updates from a few templates.
    Templated,
    /// Notes and updates of 3–12 words drawn from [`VOCABULARY`].
    Words,
    /// Notes of one or two sentences drawn from [`prose_sentence`]'s 480.
    Prose,
}

impl Corpus {
    pub fn parse(name: &str) -> Option<Corpus> {
        match name {
            "templated" => Some(Corpus::Templated),
            "words" => Some(Corpus::Words),
            "prose" => Some(Corpus::Prose),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Corpus::Templated => "templated",
            Corpus::Words => "words",
            Corpus::Prose => "prose",
        }
    }
}

/// The 50 words of [`Corpus::Words`].
const VOCABULARY: &[&str] = &[
    "database",
    "cache",
    "latency",
    "errors",
    "deploy",
    "rollback",
    "region",
    "replica",
    "timeout",
    "queue",
    "worker",
    "primary",
    "failover",
    "disk",
    "memory",
    "cpu",
    "network",
    "packet",
    "loss",
    "upstream",
    "provider",
    "customer",
    "checkout",
    "login",
    "search",
    "payment",
    "api",
    "gateway",
    "config",
    "flag",
    "canary",
    "node",
    "pod",
    "cluster",
    "restart",
    "scale",
    "traffic",
    "spike",
    "alert",
    "page",
    "retry",
    "backoff",
    "connection",
    "pool",
    "saturated",
    "slow",
    "query",
    "index",
    "lock",
    "contention",
];

/// Who or what a prose sentence is about (16).
const PROSE_SUBJECTS: &[&str] = &[
    "The primary database",
    "The checkout service",
    "Our CDN provider",
    "The search cluster",
    "The payment gateway",
    "The login service",
    "One of the cache nodes",
    "The message queue",
    "The nightly batch job",
    "The eu-west-1 load balancer",
    "The new pricing release",
    "The mobile API",
    "The certificate renewal job",
    "The replica in us-east-1",
    "The internal DNS resolver",
    "The billing worker pool",
];

/// What happened to it (30), so 16 × 30 = 480 sentences.
const PROSE_PREDICATES: &[&str] = &[
    "started timing out after the 14:05 deploy.",
    "ran out of connections in its pool.",
    "is failing over to the standby, which should take ten minutes.",
    "looks healthy again since the rollback.",
    "was restarted by hand; watching it closely.",
    "shows packet loss between the two availability zones.",
    "is throttling requests because a client retries without backoff.",
    "filled its disk with debug logs that nobody turned off.",
    "returns stale data since the cache was warmed from an old snapshot.",
    "is slow because a migration holds a lock on the orders table.",
    "lost its leader twice in the last hour.",
    "is back to normal, but we keep the incident open for an hour.",
    "hit a memory leak introduced in last week's release.",
    "was misconfigured by a typo in the feature flag rollout.",
    "depends on a vendor whose status page still says all good.",
    "cannot reach the secrets store after the network change.",
    "serves errors only to customers on the old app version.",
    "queued about forty thousand jobs that are draining slowly.",
    "needs a schema fix before we can roll forward.",
    "was scaled from six to twelve replicas to absorb the load.",
    "answered health checks while dropping real traffic.",
    "got a hotfix from the platform team a few minutes ago.",
    "is paging on call every few minutes; silenced for now.",
    "recovered on its own, and we still do not know why.",
    "shows the same symptoms as last month's outage.",
    "has its error budget for the quarter nearly spent.",
    "was drained so that we could replace the faulty host.",
    "spikes in latency every time the cron job runs.",
    "reports expired certificates on two internal endpoints.",
    "is the likely cause, according to the traces we pulled.",
];

/// Prose sentence `n` (of 480): a subject and what happened to it.
fn prose_sentence(n: usize) -> String {
    let subject = PROSE_SUBJECTS[n % PROSE_SUBJECTS.len()];
    let predicate = PROSE_PREDICATES[(n / PROSE_SUBJECTS.len()) % PROSE_PREDICATES.len()];
    format!("{subject} {predicate}")
}

/// 3 to 12 words of [`VOCABULARY`].
fn random_words(rng: &mut Rng) -> String {
    let count = rng.range(3, 12) as usize;
    let words: Vec<&str> = (0..count).map(|_| *rng.pick(VOCABULARY)).collect();
    words.join(" ")
}

/// A small deterministic PRNG (SplitMix64); good enough to vary test data.
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
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }

    /// True with probability `percent`/100.
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
}

/// (id, name, group, what people call it in a title)
const SERVICES: &[(&str, &str, &str, &str)] = &[
    ("api", "Public API", "Platform", "Public API"),
    ("web", "Website", "Platform", "Website"),
    ("auth", "Login and SSO", "Platform", "Login"),
    ("checkout", "Checkout", "Commerce", "Checkout"),
    ("payments", "Payments", "Commerce", "Card payments"),
    ("search", "Search", "Catalog", "Search"),
    (
        "notifications",
        "Email and push",
        "Messaging",
        "Email delivery",
    ),
    ("db", "Primary database", "Data", "Primary database"),
];

const SYMPTOMS: &[&str] = &[
    "returns 500s",
    "latency above SLO",
    "timeouts for some customers",
    "degraded performance",
    "intermittent errors",
    "unavailable",
    "slow responses",
    "error rate spike",
    "dropping requests",
    "serving stale data",
    "failing health checks",
    "elevated 429s",
];

const WHERE: &[&str] = &[
    "",
    "",
    "",
    " in eu-west-1",
    " in us-east-1",
    " for mobile clients",
    " after config change",
];

const PEOPLE: &[&str] = &[
    "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mike",
    "nina", "oscar", "peggy", "rupert", "sybil", "trent", "victor", "wendy", "zoe",
];

const FLAGS: &[&str] = &[
    "new-pricing",
    "search-v2",
    "async-receipts",
    "edge-cache",
    "fast-login",
];

/// Alert names of the alert groups that open incidents.
const ALERTS: &[&str] = &[
    "HighErrorRate",
    "HighLatency",
    "PodCrashLooping",
    "TargetDown",
    "SLOBurnRate",
    "DiskWillFillIn4Hours",
];

const REGIONS: &[&str] = &["eu-west-1", "us-east-1", "ap-southeast-2", "us-west-2"];

fn note_text(rng: &mut Rng, corpus: Corpus, service: &str) -> String {
    match corpus {
        Corpus::Templated => {}
        Corpus::Words => return random_words(rng),
        Corpus::Prose => {
            let count = PROSE_SUBJECTS.len() * PROSE_PREDICATES.len();
            let first = prose_sentence(rng.range(0, count as u64 - 1) as usize);
            return if rng.chance(50) {
                let second = prose_sentence(rng.range(0, count as u64 - 1) as usize);
                format!("{first} {second}")
            } else {
                first
            };
        }
    }
    let n = rng.range(2, 95);
    let hex = format!("{:07x}", rng.next() & 0xfff_ffff);
    let who = rng.pick(PEOPLE);
    match rng.range(0, 11) {
        0 => format!("5xx at {n}% on /{service} since deploy {hex}"),
        1 => format!("p99 latency {} ms on {service}, normally ~120 ms", n * 40),
        2 => format!("Rolled back deploy {hex}; watching the error rate"),
        3 => format!("Paged {who} from the {service} team"),
        4 => format!("Support reports {n} tickets mentioning {service} in the last hour"),
        5 => format!(
            "Scaling {service} from {} to {} replicas",
            n / 4 + 2,
            n / 2 + 6
        ),
        6 => format!("Connection pool exhausted on {} of 12 hosts", n % 12 + 1),
        7 => format!("Disabled feature flag `{}`", rng.pick(FLAGS)),
        8 => format!("Upstream provider reports an incident that began {n} minutes ago"),
        9 => format!("Error logs point at a timeout talking to the {service} cache"),
        10 => format!("{who} is checking the last {} merged changes", n % 9 + 2),
        _ => format!("Disk usage at {n}% on the {service} primary"),
    }
}

fn update_text(rng: &mut Rng, corpus: Corpus, status: Option<Status>, name: &str) -> String {
    if corpus == Corpus::Words {
        return random_words(rng);
    }
    match status {
        Some(Status::Identified) => {
            format!("We have identified the cause of the {name} problems and are working on a fix.")
        }
        Some(Status::Monitoring) => {
            format!("A fix for {name} has been deployed; we are monitoring the results.")
        }
        _ => match rng.range(0, 2) {
            0 => format!("We are investigating problems with {name}."),
            1 => format!("Some customers may see errors with {name}; we are working on it."),
            _ => format!("We are still working on the {name} problems. Next update in 30 minutes."),
        },
    }
}

/// One incident's header and events.
fn incident(
    rng: &mut Rng,
    corpus: Corpus,
    opened_at: DateTime<Utc>,
    recent: bool,
    events: usize,
) -> (Header, Vec<Event>) {
    let (svc, name, _, subject) = *rng.pick(SERVICES);
    let title = format!("{subject} {}{}", rng.pick(SYMPTOMS), rng.pick(WHERE));
    let mut services = vec![svc.to_owned()];
    if rng.chance(20) {
        let (other, ..) = *rng.pick(SERVICES);
        if other != svc {
            services.push(other.to_owned());
        }
    }
    let severity = match rng.range(0, 99) {
        0..=4 => "SEV1",
        5..=24 => "SEV2",
        25..=64 => "SEV3",
        _ => "SEV4",
    };
    let by_alert = rng.chance(25);
    let opener = if by_alert {
        "alertmanager"
    } else {
        rng.pick(PEOPLE)
    };
    let commander = *rng.pick(PEOPLE);
    // Recent incidents are more often still open.
    let declined = rng.chance(3);
    let open = !declined && rng.chance(if recent { 40 } else { 1 });
    let target = if declined {
        (events / 3).max(3)
    } else {
        let spread = (events / 4).max(1) as u64;
        (events as u64 + rng.range(0, 2 * spread) - spread).max(4) as usize
    };

    let mut labels = BTreeMap::new();
    if rng.chance(30) {
        labels.insert("region".to_owned(), rng.pick(REGIONS).to_string());
    }
    // Alert-opened incidents carry their group as `inc alert` writes it.
    // The group is derived from what was already drawn (no extra draw, so
    // the rest of the data stays as it was): the same few alerts recur on
    // each service, as real alert groups do.
    if by_alert {
        let alertname = ALERTS[(opened_at.timestamp() as usize) % ALERTS.len()];
        labels.insert(
            "alert_group".to_owned(),
            format!(
                "{{}}/{{severity=\"{}\"}}:{{alertname=\"{alertname}\", service=\"{svc}\"}}",
                if matches!(severity, "SEV1" | "SEV2") {
                    "critical"
                } else {
                    "warning"
                }
            ),
        );
        labels.insert("alert_source".to_owned(), "alertmanager".to_owned());
    }
    let header = Header {
        title,
        public_title: rng.chance(10).then(|| format!("Degraded {name}")),
        summary: (!open && !declined && rng.chance(50)).then(|| {
            format!(
                "A bad config change on {svc} exhausted connections; rolled back and added a canary check."
            )
        }),
        services,
        private: rng.chance(3),
        labels,
        started_at: rng
            .chance(40)
            .then(|| opened_at - Duration::minutes(rng.range(1, 30) as i64)),
        opened_at,
        opened_by: opener.to_owned(),
        ..Header::default()
    };

    let mut at = opened_at;
    let mut out = Vec::with_capacity(target);
    let push = |out: &mut Vec<Event>, at: DateTime<Utc>, by: &str, kind| {
        out.push(Event::new(at, by, kind));
    };
    push(
        &mut out,
        at,
        opener,
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
        push(
            &mut out,
            at,
            opener,
            EventKind::Alert {
                key: format!("{:016x}", rng.next()),
                state: "firing".to_owned(),
                source: Some("alertmanager".to_owned()),
                text: Some(format!("HighErrorRate {svc}")),
            },
        );
        at += Duration::minutes(rng.range(1, 8) as i64);
        push(&mut out, at, commander, EventKind::Ack);
    }
    push(
        &mut out,
        at,
        if by_alert { commander } else { opener },
        EventKind::Role {
            role: "commander".to_owned(),
            who: Some(commander.to_owned()),
        },
    );

    if declined {
        while out.len() + 1 < target {
            at += Duration::minutes(rng.range(1, 10) as i64);
            let text = note_text(rng, corpus, svc);
            push(
                &mut out,
                at,
                commander,
                EventKind::Note {
                    text,
                    pinned: false,
                },
            );
        }
        at += Duration::minutes(rng.range(1, 10) as i64);
        push(
            &mut out,
            at,
            commander,
            EventKind::Status {
                status: Status::Declined,
                text: Some("False alarm: the alert fired on a canary host".to_owned()),
            },
        );
        return (header, out);
    }

    // The closing events, planned now so the middle fills the rest.
    let actions = if matches!(severity, "SEV1" | "SEV2") && !open {
        rng.range(1, 2) as usize
    } else {
        0
    };
    let tail = if open { 0 } else { 1 + actions };
    let middle = target.saturating_sub(out.len() + tail);
    // Open incidents stop somewhere along the way.
    let stop = if open { rng.range(0, 3) } else { 3 };
    let identified = middle / 3;
    let monitoring = 2 * middle / 3;
    let severity_change = rng
        .chance(30)
        .then(|| rng.range(1, middle.max(2) as u64 - 1) as usize);
    let comms = rng
        .chance(50)
        .then(|| rng.range(0, middle.max(1) as u64 - 1) as usize);
    for i in 0..middle {
        at += Duration::seconds(rng.range(30, 900) as i64);
        let who = *rng.pick(PEOPLE);
        let kind = if i == identified && stop >= 1 {
            EventKind::Update {
                status: Some(Status::Identified),
                text: update_text(rng, corpus, Some(Status::Identified), name),
            }
        } else if i == monitoring && stop >= 2 {
            EventKind::Update {
                status: Some(Status::Monitoring),
                text: update_text(rng, corpus, Some(Status::Monitoring), name),
            }
        } else if Some(i) == severity_change {
            let to = match severity {
                "SEV1" => "SEV2",
                "SEV2" => "SEV1",
                "SEV3" => "SEV2",
                _ => "SEV3",
            };
            EventKind::Severity {
                severity: to.to_owned(),
            }
        } else if Some(i) == comms {
            EventKind::Role {
                role: "comms".to_owned(),
                who: Some(who.to_owned()),
            }
        } else if rng.chance(15) {
            EventKind::Update {
                status: None,
                text: update_text(rng, corpus, None, name),
            }
        } else {
            EventKind::Note {
                text: note_text(rng, corpus, svc),
                pinned: rng.chance(5),
            }
        };
        push(&mut out, at, who, kind);
    }
    if open {
        return (header, out);
    }
    at += Duration::minutes(rng.range(5, 60) as i64);
    push(
        &mut out,
        at,
        commander,
        EventKind::Status {
            status: Status::Resolved,
            text: rng
                .chance(30)
                .then(|| "Error rates are back to normal".to_owned()),
        },
    );
    for n in 1..=actions {
        at += Duration::hours(rng.range(2, 48) as i64);
        let owner = *rng.pick(PEOPLE);
        push(
            &mut out,
            at,
            commander,
            EventKind::Action {
                id: n as u32,
                text: format!("Add an alert on {svc} connection pool saturation"),
                owner: Some(owner.to_owned()),
                due: Some((at + Duration::days(14)).format("%Y-%m-%d").to_string()),
                link: None,
            },
        );
    }
    if rng.chance(20) {
        // Occasionally an explicit impact on the main service.
        let impact = *rng.pick(&[Impact::DegradedPerformance, Impact::PartialOutage]);
        out.insert(
            out.len().min(3),
            Event::new(
                out[out.len().min(3) - 1].at,
                commander,
                EventKind::Impact {
                    impact,
                    service: Some(svc.to_owned()),
                },
            ),
        );
    }
    (header, out)
}

fn config_text() -> String {
    let mut text = String::from(
        "# Generated by examples/gen_repo.rs for benchmarks.\nname: Acme (benchmark)\ntimezone: UTC\nservices:\n",
    );
    for (id, name, group, _) in SERVICES {
        text.push_str(&format!(
            "  - id: {id}\n    name: {name}\n    group: {group}\n    description: The {name} service\n"
        ));
    }
    text
}

/// Runs git in `dir`, isolated from the user's and the system's git config.
fn git(dir: &Path, args: &[&str]) -> Result<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Benchmark Generator")
        .env("GIT_AUTHOR_EMAIL", "gen@inc.invalid")
        .env("GIT_COMMITTER_NAME", "Benchmark Generator")
        .env("GIT_COMMITTER_EMAIL", "gen@inc.invalid")
        .env("GIT_AUTHOR_DATE", "2026-11-20T12:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-11-20T12:00:00Z")
        .output()
        .with_context(|| format!("can't run git {}", args.join(" ")))?;
    ensure!(
        out.status.success(),
        "git {} failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr).trim()
    );
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Builds the repository at `dir` (which must not exist or be empty) with
/// templated notes and commits it.
pub fn generate(dir: &Path, n: usize, events: usize) -> Result<Summary> {
    generate_corpus(dir, n, events, Corpus::Templated)
}

/// Builds the repository at `dir` (which must not exist or be empty), its
/// notes and updates from `corpus`, and commits it.
pub fn generate_corpus(dir: &Path, n: usize, events: usize, corpus: Corpus) -> Result<Summary> {
    if dir.exists() && fs::read_dir(dir)?.next().is_some() {
        bail!("{} is not empty", dir.display());
    }
    fs::create_dir_all(dir.join("incidents"))
        .with_context(|| format!("can't create {}", dir.display()))?;
    fs::write(dir.join("inc.yaml"), config_text())?;
    fs::write(
        dir.join(".gitattributes"),
        "incidents/**/timeline.yaml merge=union\n",
    )?;

    let mut rng = Rng(0x1_2024_2026);
    let first = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    let last = Utc.with_ymd_and_hms(2026, 11, 20, 0, 0, 0).unwrap();
    let span = (last - first).num_seconds() as u64;
    let mut taken = HashSet::with_capacity(n);
    let mut summary = Summary {
        incidents: n,
        events: 0,
        open: 0,
        declined: 0,
        bytes: 0,
        commit: String::new(),
    };
    for _ in 0..n {
        let opened_at = first + Duration::seconds(rng.range(0, span) as i64);
        let recent = last - opened_at < Duration::days(60);
        let (header, timeline) = incident(&mut rng, corpus, opened_at, recent, events);
        let id = id::new_id(opened_at, &header.title, |id| taken.contains(id));
        taken.insert(id.clone());
        let folder = dir.join("incidents").join(id::year(&id)).join(&id);
        fs::create_dir_all(&folder)?;
        let yaml = header.to_yaml().expect("a header always writes");
        let mut lines = String::with_capacity(timeline.len() * 160);
        for event in &timeline {
            lines.push_str(&event.to_line());
            lines.push('\n');
        }
        fs::write(folder.join("incident.yaml"), &yaml)?;
        fs::write(folder.join("timeline.yaml"), &lines)?;
        summary.events += timeline.len();
        summary.bytes += (yaml.len() + lines.len()) as u64;
        match timeline.last().map(|e| &e.kind) {
            Some(EventKind::Status {
                status: Status::Declined,
                ..
            }) => summary.declined += 1,
            Some(EventKind::Status {
                status: Status::Resolved,
                ..
            })
            | Some(EventKind::Action { .. }) => {}
            _ => summary.open += 1,
        }
    }

    git(dir, &["init", "-q", "-b", "main"])?;
    git(dir, &["config", "user.name", "Benchmark Generator"])?;
    git(dir, &["config", "user.email", "gen@inc.invalid"])?;
    git(dir, &["add", "-A"])?;
    git(
        dir,
        &[
            "commit",
            "-q",
            "--no-verify",
            "-m",
            &format!("Generated benchmark repository: {n} incidents, ~{events} events each"),
        ],
    )?;
    summary.commit = git(dir, &["rev-parse", "HEAD"])?;
    Ok(summary)
}
