//! The public status page, `inc site build`: a pure function from the
//! incidents (and inc.yaml, the clock, the zone, the templates) to the
//! site's files. Writing them is `store::site`'s job.
//!
//! - [`public`]: the projection, the only view of an incident the site has;
//!   components, uptime bars and the overall status.
//! - [`html`]: the pages, from `templates/site/*.html.j2`.
//! - [`api`]: Statuspage-compatible JSON and the shields.io badge.
//! - [`feed`]: the Atom feed.
//! - [`markdown`]: update text as safe HTML.
//! - [`leaks`]: the scan of the output for internal text.

pub mod api;
pub mod feed;
pub mod html;
pub mod leaks;
pub mod markdown;
pub mod postmortem;
pub mod public;

use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use minijinja::Value;

use html::to_value;

use crate::config::Config;
use crate::model::{Event, Header, State};
use crate::render::templates::{TemplateError, Templates};

pub use leaks::Leak;

/// Output files: relative path → contents.
pub type Files = Vec<(String, Vec<u8>)>;

/// The stylesheet every page links, `style.css`.
pub const STYLE: &str = include_str!("../../../templates/site/style.css");
pub const STYLE_FILE: &str = "style.css";
/// The site's icon, a file of the site (a browser asks for one; no
/// external request).
pub const FAVICON: &str = include_str!("../../../templates/site/favicon.svg");
pub const FAVICON_FILE: &str = "favicon.svg";

/// One incident as stored: what the site is built from.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    pub id: &'a str,
    pub header: &'a Header,
    pub state: &'a State,
    pub events: &'a [Event],
    /// `postmortem.md`, when it is published ([`postmortem::is_public`]).
    pub postmortem: Option<&'a str>,
}

/// What the site keeps of the incidents: the public view of each public
/// one and the internal texts of all. It is made one incident at a time,
/// as each is read (`Store::load_each`), so a build never holds every
/// timeline at once.
#[derive(Default)]
pub struct Digest {
    incidents: Vec<public::Incident>,
    /// The internal texts, in the parts they were read in: merged only if
    /// a file needs scanning.
    needles: Vec<leaks::Needles>,
}

impl Digest {
    pub fn add(&mut self, source: &Source<'_>, config: &Config) {
        self.incidents.extend(public::project(source, config));
        if self.needles.is_empty() {
            self.needles.push(leaks::Needles::default());
        }
        let needles = &mut self.needles[0];
        leaks::each_internal_text(std::slice::from_ref(source), |kind, id, text| {
            needles.add(kind, id, text);
        });
    }

    /// Digests made in parts (on several cores), in any order, as one.
    pub fn merge(parts: Vec<Digest>) -> Digest {
        let mut incidents = Vec::with_capacity(parts.iter().map(|p| p.incidents.len()).sum());
        let mut needles = Vec::with_capacity(parts.len());
        for part in parts {
            incidents.extend(part.incidents);
            needles.extend(part.needles);
        }
        Digest { incidents, needles }
    }
}

pub struct Input<'a> {
    pub digest: Digest,
    pub config: &'a Config,
    pub now: DateTime<Utc>,
    pub zone: Tz,
    pub templates: &'a Templates,
    /// The text of the built-in templates: written for publication, so not
    /// a leak when printed.
    pub template_texts: Vec<&'a str>,
    pub style: &'a str,
    /// The scan digest ([`Output::scan_digest`]) every file inc made in
    /// the folder passed under in its last finished build, if known: such
    /// a file made again byte for byte needs no scan while it is the same.
    pub scanned: Option<[u8; 20]>,
    /// The key of scan digests (secret to the clone).
    pub scan_key: [u8; 32],
}

/// The built site.
#[derive(Debug)]
pub struct Output {
    /// Path (relative, `/`-separated) → contents, sorted by path: the
    /// files the folder does not already hold byte for byte.
    pub files: Vec<(String, Vec<u8>)>,
    /// Every file of the site, changed or not, sorted.
    pub paths: Vec<String>,
    /// How many new files the build created itself (see [`Folder::create`]).
    pub created: usize,
    pub incidents: usize,
    pub maintenances: usize,
    pub open: usize,
    /// The overall status's description.
    pub status: &'static str,
    /// What the scan's verdict depended on ([`leaks::scan_digest`]):
    /// every file of this site passed under it.
    pub scan_digest: [u8; 20],
}

/// The folder the site is built into, as the build sees it. The build
/// keeps only the files that differ from what it holds, so an unchanged
/// rebuild holds no page in memory past its comparison; a page the folder
/// has no file for yet is created at once, once scanned, so a first build
/// writes while it renders instead of after.
pub trait Folder: Sync {
    /// Whether the file at `path` holds exactly `bytes` (false when it
    /// can't tell: the file is then written again).
    fn holds(&self, path: &str, bytes: &[u8]) -> bool;

    /// Creates the file at `path`, which the folder should not have yet;
    /// `Ok(false)` when it has one after all (the build then hands the
    /// file back in [`Output::files`] to be replaced). A failed build
    /// removes what it created (`store::site::Folder::discard`).
    fn create(&self, path: &str, bytes: &[u8]) -> std::io::Result<bool>;

    /// Whether the file at `path` is one inc wrote in a build that
    /// finished (not a file of someone else's).
    fn owns(&self, path: &str) -> bool;
}

#[derive(Debug)]
pub enum Error {
    Template(TemplateError),
    Leak(Leak),
    /// Creating a new file failed.
    Create {
        path: String,
        error: std::io::Error,
    },
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Template(e) => write!(f, "{e}"),
            Error::Leak(l) => write!(f, "{l}"),
            Error::Create { path, error } => write!(f, "can't create {path}: {error}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<TemplateError> for Error {
    fn from(e: TemplateError) -> Error {
        Error::Template(e)
    }
}

/// The site's title: `site.title`, else `name`, else "Status".
pub fn title(config: &Config) -> String {
    config
        .site
        .title
        .clone()
        .or_else(|| config.name.as_ref().map(|n| format!("{n} status")))
        .unwrap_or_else(|| "Status".to_owned())
}

/// Builds every file of the site and scans each for internal text; a
/// leak anywhere fails the whole build. Files `folder` already holds are
/// left out of [`Output::files`]; new pages are created in it as they are
/// built (and removed by the caller if the build fails).
pub fn build(mut input: Input<'_>, folder: &dyn Folder) -> Result<Output, Error> {
    let (config, zone, now) = (input.config, input.zone, input.now);
    let title = title(config);
    let url = config.site.url.as_deref();
    let Digest { incidents, needles } = std::mem::take(&mut input.digest);
    let public = public::assemble(incidents, config, now, zone);
    let site = html::site_view(&public, &title, url, zone);
    let site_value = to_value(&site);

    // What the scan's verdict depends on, digested: when it is the one
    // the folder's files last passed under, a file inc made there and makes
    // again byte for byte passes again without being scanned, and the
    // scanner is made only if some file needs it.
    let (public_texts, vocabulary) = scan_inputs(&input, &public, &title, url);
    let sum = needles
        .iter()
        .fold(0u128, |sum, n| sum.wrapping_add(n.sum()));
    let scan_digest = leaks::scan_digest(&input.scan_key, sum, &public_texts, &vocabulary);
    let trusted = input.scanned == Some(scan_digest);
    let needles = std::sync::Mutex::new(Some(needles));
    let ready: OnceLock<leaks::Scanner> = OnceLock::new();
    let scanner = || {
        ready.get_or_init(|| {
            let parts = needles
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .take()
                // Taken by a thread whose making of the scanner panicked
                // (which `join` re-raises): never scan with nothing.
                .expect("the scanner's texts were taken by a panicked thread");
            leaks::Needles::merge(parts).finish(&public_texts, &vocabulary)
        })
    };
    let scanner = &scanner;
    // Whether a file the folder holds (`held`) passes unscanned.
    let passes = |path: &str, held: bool| trusted && held && folder.owns(path);
    let passes = &passes;
    let input = &input;
    // The site-wide files render while the pages do, on the other thread.
    let (side, pages) = crate::par::join(
        || -> Result<Part, TemplateError> {
            let mut files: Files = Vec::with_capacity(32);
            let index = html::index(input.templates, &site, &public, now, zone)?;
            files.push(("index.html".to_owned(), index.into_bytes()));
            for (path, page) in html::history(input.templates, &site_value, &public, zone)? {
                files.push((path, page.into_bytes()));
            }
            files.push((
                "feed.atom".to_owned(),
                feed::atom(&public, &title, url, zone, config.site.feed_entries).into_bytes(),
            ));
            for (path, json) in api::files(&public, &title, url, now, zone) {
                files.push((path, json.into_bytes()));
            }
            files.push((STYLE_FILE.to_owned(), input.style.as_bytes().to_vec()));
            files.push((FAVICON_FILE.to_owned(), FAVICON.as_bytes().to_vec()));
            files.sort_by(|a, b| a.0.cmp(&b.0));
            let paths = files.iter().map(|(path, _)| path.clone()).collect();
            let held: Vec<bool> = files.iter().map(|(p, b)| folder.holds(p, b)).collect();
            let (mut unscanned, mut to_scan): (Files, Files) = (Vec::new(), Vec::new());
            let mut changed = Vec::new();
            for ((path, bytes), held) in files.into_iter().zip(held) {
                if passes(&path, held) {
                    unscanned.push((path, bytes));
                } else {
                    changed.push(!held);
                    to_scan.push((path, bytes));
                }
            }
            drop(unscanned);
            let leak = if to_scan.is_empty() {
                None
            } else {
                scanner().scan(&to_scan)
            };
            let files = to_scan
                .into_iter()
                .zip(changed)
                .filter_map(|(file, changed)| changed.then_some(file))
                .collect();
            Ok(Part {
                changed: files,
                paths,
                leak,
                created: 0,
            })
        },
        || {
            incident_pages(
                input.templates,
                &site_value,
                &public,
                zone,
                scanner,
                passes,
                folder,
            )
        },
    );
    let (side, pages) = (side?, pages?);

    // The first leaky file by path, whichever part found it.
    let leak = [pages.leak, side.leak]
        .into_iter()
        .flatten()
        .min_by(|a, b| a.file.cmp(&b.file));
    if let Some(leak) = leak {
        return Err(Error::Leak(leak));
    }
    let mut paths: Vec<String> = pages.paths;
    paths.extend(side.paths);
    paths.sort_unstable();
    let mut files = side.changed;
    files.extend(pages.changed);
    files.sort_by(|a, b| a.0.cmp(&b.0));

    let maintenances = public
        .incidents
        .iter()
        .filter(|i| i.is_maintenance())
        .count();
    Ok(Output {
        files,
        paths,
        scan_digest,
        created: pages.created,
        incidents: public.incidents.len() - maintenances,
        maintenances,
        open: public
            .incidents
            .iter()
            .filter(|i| !i.is_maintenance() && i.is_open())
            .count(),
        status: public.overall.description,
    })
}

/// What the scan of the sources' internal texts leaves out: the texts the
/// site may show (public titles and updates, services, inc.yaml's site
/// title, the built-in stylesheet, fixed texts, the built-in templates' own
/// words) and the page's public vocabulary ([`vocabulary`]): a text that
/// says nothing beyond it is not looked for. A repository's own stylesheet
/// or templates are not public text: they are scanned like any page.
fn scan_inputs<'p>(
    input: &'p Input<'_>,
    public: &'p public::Public,
    title: &'p str,
    url: Option<&'p str>,
) -> (Vec<&'p str>, leaks::Vocabulary) {
    let config = input.config;
    // IDs are not public text: a stored ID's slug is the title at
    // opening, looked for unless it is the public name's slug.
    let mut public_texts: Vec<&str> = Vec::new();
    for i in &public.incidents {
        public_texts.push(&i.name);
        public_texts.extend(i.updates.iter().map(|u| u.body.as_str()));
        public_texts.extend(i.components.iter().map(|(s, _)| s.as_str()));
    }
    for s in &config.services {
        public_texts.push(&s.id);
        public_texts.extend(
            [&s.name, &s.group, &s.description]
                .into_iter()
                .flatten()
                .map(String::as_str),
        );
    }
    public_texts.extend([title, url.unwrap_or_default(), STYLE, FAVICON]);
    public_texts.extend(config.name.as_deref());
    public_texts.extend(public::FIXED_TEXTS);
    public_texts.extend(input.template_texts.iter().copied());
    let vocabulary = vocabulary(input, public, title, url);
    (public_texts, vocabulary)
}

/// The page's public vocabulary: the words of the built-in templates, the
/// status, impact and component-status names and labels, the fixed texts,
/// the services' IDs, names and groups, the site's title and name and the
/// keys of the `api/v2` JSON (see [`leaks::Vocabulary`]).
fn vocabulary(
    input: &Input<'_>,
    public: &public::Public,
    title: &str,
    url: Option<&str>,
) -> leaks::Vocabulary {
    let mut words = leaks::Vocabulary::page(&input.template_texts, input.config, title);
    // The JSON's keys, from the files of a site with one incident and
    // one maintenance (every kind of object the API has).
    let sample = public::Public {
        incidents: [
            public.incidents.iter().find(|i| !i.is_maintenance()),
            public.incidents.iter().find(|i| i.is_maintenance()),
        ]
        .into_iter()
        .flatten()
        .cloned()
        .collect(),
        components: public.components.clone(),
        overall: public.overall,
        updated_at: public.updated_at,
    };
    for (_, json) in api::files(&sample, title, url, input.now, input.zone) {
        if let Ok(value) = serde_json::from_str::<serde_json::Value>(&json) {
            json_keys(&value, &mut |key| words.add(key));
        }
    }
    words
}

/// Calls `each` with every object key in `value`.
fn json_keys(value: &serde_json::Value, each: &mut impl FnMut(&str)) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, v) in map {
                each(key);
                json_keys(v, each);
            }
        }
        serde_json::Value::Array(items) => {
            for v in items {
                json_keys(v, each);
            }
        }
        _ => {}
    }
}

/// Files as built: rendered, scanned for leaks and compared with the
/// folder.
#[derive(Default)]
struct Part {
    /// Files the folder doesn't hold yet.
    changed: Files,
    /// Every file's path.
    paths: Vec<String>,
    /// The leak in the first leaky file by path.
    leak: Option<Leak>,
    /// How many new files were created as they were built.
    created: usize,
}

/// `incidents/<id>.html` for every public incident. A page is scanned for
/// internal text while it is still in cache, and dropped at once when the
/// folder already holds it.
#[allow(clippy::too_many_arguments)]
fn incident_pages<'a>(
    templates: &Templates,
    site: &Value,
    public: &public::Public,
    zone: Tz,
    scanner: &(dyn Fn() -> &'a leaks::Scanner + Sync),
    passes: &(dyn Fn(&str, bool) -> bool + Sync),
    folder: &dyn Folder,
) -> Result<Part, Error> {
    let results = crate::par::chunks(&public.incidents, |incidents| {
        let mut pages = Part {
            changed: Vec::new(),
            paths: Vec::with_capacity(incidents.len()),
            leak: None,
            created: 0,
        };
        let mut buf = Vec::new();
        for i in incidents {
            let view = html::incident_view(i, &public.components, zone);
            let page = html::incident(templates, site, &view)?.into_bytes();
            let held = folder.holds(&view.path, &page);
            if !passes(&view.path, held)
                && let Some(leak) = scanner().find_in(&view.path, &page, &mut buf)
                && pages
                    .leak
                    .as_ref()
                    .is_none_or(|first| leak.file < first.file)
            {
                pages.leak = Some(leak);
            }
            if !held {
                // After a leak the build fails; creating more is wasted.
                let created = pages.leak.is_none()
                    && folder
                        .create(&view.path, &page)
                        .map_err(|error| Error::Create {
                            path: view.path.clone(),
                            error,
                        })?;
                if created {
                    pages.created += 1;
                } else {
                    pages.changed.push((view.path.clone(), page));
                }
            }
            pages.paths.push(view.path);
        }
        Ok::<Part, Error>(pages)
    });
    let mut all = Part {
        changed: Vec::new(),
        paths: Vec::with_capacity(public.incidents.len()),
        leak: None,
        created: 0,
    };
    for r in results {
        let pages = r?;
        all.changed.extend(pages.changed);
        all.paths.extend(pages.paths);
        all.created += pages.created;
        all.leak = [all.leak, pages.leak]
            .into_iter()
            .flatten()
            .min_by(|a, b| a.file.cmp(&b.file));
    }
    Ok(all)
}
