//! `TestRepo`: a temporary git repository, the real `inc` binary run in it
//! with a cleared environment, and helpers to read what it left behind.
//!
//! Every run asserts that inc did not panic (exit code 101); callers assert
//! the exit code they expect with [`Run::ok`], [`Run::fails`] or
//! [`Run::usage`].

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

use assert_cmd::Command;
use serde::Deserialize;
use serde_json::Value;
use tempfile::TempDir;

/// The time every run sees unless a test says otherwise.
pub const NOW: &str = "2026-11-27T12:00:00Z";
/// After the newest event of the shipped examples, so what is computed
/// from them (figures, pages, checks) is stable.
pub const LATER: &str = "2026-11-27T22:00:00Z";
/// The person inc acts for by default (`INC_AUTHOR`), also git's `user.name`.
pub const AUTHOR: &str = "alice";
pub const EMAIL: &str = "alice@example.com";

/// The path of an alert payload under `tests/fixtures/alerts/`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/alerts")
        .join(name)
}

/// The text of an alert payload under `tests/fixtures/alerts/`.
#[track_caller]
pub fn fixture_text(name: &str) -> String {
    read_text(&fixture(name))
}

/// A file's text; a failure names the file.
#[track_caller]
fn read_text(path: &Path) -> String {
    match fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => panic!("read {}: {e}", path.display()),
    }
}

/// The path of the binary under test.
pub fn inc_bin() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_inc"))
}

/// A temporary folder holding `repo/` (the working directory of every run)
/// and `home/` (`$HOME`, so no user or system git config leaks in).
pub struct TestRepo {
    tmp: TempDir,
    pub root: PathBuf,
    pub home: PathBuf,
}

impl TestRepo {
    /// An empty folder, not a git repository.
    pub fn plain() -> TestRepo {
        let tmp = tempfile::Builder::new()
            .prefix("inc-test-")
            .tempdir()
            .expect("temp dir");
        let base = tmp.path().canonicalize().expect("canonical temp dir");
        let root = base.join("repo");
        let home = base.join("home");
        fs::create_dir_all(&root).unwrap();
        fs::create_dir_all(&home).unwrap();
        TestRepo { tmp, root, home }
    }

    /// A fresh git repository (unborn HEAD) with a local user, no inc files.
    pub fn git_only() -> TestRepo {
        let repo = TestRepo::plain();
        repo.git(&["init", "-q", "-b", "main"]);
        repo.git(&["config", "user.name", AUTHOR]);
        repo.git(&["config", "user.email", EMAIL]);
        repo.git(&["config", "commit.gpgsign", "false"]);
        repo
    }

    /// A git repository made into an incident repository by `inc init`.
    pub fn new() -> TestRepo {
        let repo = TestRepo::git_only();
        repo.inc().arg("init").ok();
        repo
    }

    /// A git repository holding a copy of the shipped `inc.yaml` and
    /// `incidents/` (the example incidents), committed.
    pub fn examples() -> TestRepo {
        fn copy_dir(from: &Path, to: &Path) {
            fs::create_dir_all(to).unwrap();
            for entry in fs::read_dir(from).unwrap() {
                let entry = entry.unwrap();
                let target = to.join(entry.file_name());
                if entry.file_type().unwrap().is_dir() {
                    copy_dir(&entry.path(), &target);
                } else {
                    fs::copy(entry.path(), target).unwrap();
                }
            }
        }
        let repo = TestRepo::git_only();
        let project = Path::new(env!("CARGO_MANIFEST_DIR"));
        fs::copy(project.join("inc.yaml"), repo.path("inc.yaml")).unwrap();
        copy_dir(&project.join("incidents"), &repo.path("incidents"));
        repo.commit_all("examples");
        repo
    }

    /// A new incident repository whose `inc.yaml` is `config`, committed.
    pub fn with_config(config: &str) -> TestRepo {
        let repo = TestRepo::new();
        repo.write("inc.yaml", config);
        repo.commit_all("configure inc");
        repo
    }

    /// The temporary folder holding `repo/` and `home/`.
    pub fn base(&self) -> &Path {
        self.tmp.path()
    }

    /// The environment every process (inc or git) gets: nothing but this.
    fn base_env(&self) -> Vec<(&'static str, OsString)> {
        vec![
            ("PATH", std::env::var_os("PATH").unwrap_or_default()),
            ("HOME", self.home.clone().into_os_string()),
            ("GIT_CONFIG_NOSYSTEM", "1".into()),
            ("TZ", "UTC".into()),
            ("LANG", "C.UTF-8".into()),
            ("COLUMNS", "120".into()),
        ]
    }

    /// A plain `std::process::Command` for inc with the test environment, for
    /// spawning processes in parallel or under a pty.
    pub fn std_command(&self) -> StdCommand {
        let mut cmd = StdCommand::new(inc_bin());
        cmd.env_clear();
        for (k, v) in self.base_env() {
            cmd.env(k, v);
        }
        cmd.env("INC_NOW", NOW);
        cmd.env("INC_AUTHOR", AUTHOR);
        cmd.current_dir(&self.root);
        cmd
    }

    /// A run of inc in the repository, with the default environment.
    #[must_use = "an `Inc` runs nothing until `.run()`, `.ok()`, `.fails()` or `.usage()`"]
    pub fn inc(&self) -> Inc<'_> {
        Inc {
            repo: self,
            args: Vec::new(),
            env: vec![
                ("INC_NOW".into(), Some(NOW.into())),
                ("INC_AUTHOR".into(), Some(AUTHOR.into())),
            ],
            stdin: None,
            dir: None,
        }
    }

    /// Opens an incident (`inc open TITLE -s SEV`) and returns its ID.
    #[track_caller]
    pub fn open(&self, title: &str, severity: &str) -> String {
        self.open_with(title, severity, &[])
    }

    /// `inc open TITLE -s SEV EXTRA…`, returning the ID.
    #[track_caller]
    pub fn open_with(&self, title: &str, severity: &str, extra: &[&str]) -> String {
        let out = self
            .inc()
            .args(["open", title, "-s", severity])
            .args(extra)
            .ok();
        let id = out.stdout.trim_end_matches('\n').to_owned();
        assert!(is_id(&id), "`inc open` printed {:?}", out.stdout);
        id
    }

    // ----- files -----

    pub fn path(&self, rel: impl AsRef<Path>) -> PathBuf {
        self.root.join(rel)
    }

    #[track_caller]
    pub fn read(&self, rel: impl AsRef<Path>) -> String {
        read_text(&self.path(rel))
    }

    #[track_caller]
    pub fn write(&self, rel: impl AsRef<Path>, text: &str) {
        let path = self.path(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        if let Err(e) = fs::write(&path, text) {
            panic!("write {}: {e}", path.display());
        }
    }

    #[track_caller]
    pub fn append(&self, rel: impl AsRef<Path>, text: &str) {
        let mut old = self.read(&rel);
        old.push_str(text);
        self.write(rel, &old);
    }

    pub fn exists(&self, rel: impl AsRef<Path>) -> bool {
        self.path(rel).exists()
    }

    /// Every file under the repository (not `.git`), relative, sorted, with
    /// its contents (a symbolic link as `-> target`): a fingerprint of the
    /// work tree.
    pub fn files(&self) -> BTreeMap<String, Vec<u8>> {
        walk_tree(&self.root, true)
    }

    /// Every entry under `dir` (absolute), relative `/`-separated path →
    /// bytes, sorted; a symbolic link as `-> target`, never followed. What
    /// a site's folder holds.
    pub fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
        walk_tree(dir, false)
    }

    /// Everything that shows whether a command changed anything: the work
    /// tree's files, HEAD, the index and `git status`.
    #[track_caller]
    pub fn state(&self) -> RepoState {
        let git = self.path(".git").exists();
        RepoState {
            files: self.files(),
            head: if git {
                self.try_git(&["rev-parse", "HEAD"]).unwrap_or_default()
            } else {
                String::new()
            },
            index: if git {
                self.git(&["ls-files", "--stage"])
            } else {
                String::new()
            },
            status: if git {
                self.git_status()
            } else {
                String::new()
            },
        }
    }

    /// Asserts that nothing changed since `before` (a failed command).
    #[track_caller]
    pub fn assert_unchanged(&self, before: &RepoState) {
        let after = self.state();
        let b: Vec<&String> = before.files.keys().collect();
        let a: Vec<&String> = after.files.keys().collect();
        assert_eq!(a, b, "the set of files changed");
        for (path, content) in &before.files {
            assert!(
                after.files.get(path) == Some(content),
                "{path} changed:\n{}",
                String::from_utf8_lossy(&after.files[path])
            );
        }
        assert_eq!(after.head, before.head, "HEAD moved");
        assert_eq!(after.index, before.index, "the index changed");
        assert_eq!(after.status, before.status, "`git status` changed");
    }

    // ----- incidents -----

    /// The status page's file for stored incident `id`, relative to the
    /// site's folder: its URL carries a hash of the ID, never the slug.
    pub fn page_of(id: &str) -> String {
        format!(
            "incidents/{}.html",
            inc::render::site::public::public_id(id)
        )
    }

    pub fn incident_dir(id: &str) -> String {
        format!("incidents/{}/{id}", &id[..4])
    }

    pub fn timeline_path(id: &str) -> String {
        format!("{}/timeline.yaml", TestRepo::incident_dir(id))
    }

    pub fn header_path(id: &str) -> String {
        format!("{}/incident.yaml", TestRepo::incident_dir(id))
    }

    /// The lines of a timeline, each decoded from `- {json}`.
    #[track_caller]
    pub fn timeline(&self, id: &str) -> Vec<Value> {
        let mut events = Vec::new();
        for l in self.read(TestRepo::timeline_path(id)).lines() {
            if l.trim().is_empty() {
                continue;
            }
            let Some(json) = l.strip_prefix("- ") else {
                panic!("timeline line without `- `: {l}");
            };
            match serde_json::from_str(json) {
                Ok(event) => events.push(event),
                Err(e) => panic!("bad line {l}: {e}"),
            }
        }
        events
    }

    /// `incident.yaml` parsed as YAML.
    #[track_caller]
    pub fn header(&self, id: &str) -> serde_yaml::Value {
        serde_yaml::from_str(&self.read(TestRepo::header_path(id))).expect("incident.yaml parses")
    }

    /// `inc show ID --json`, decoded.
    #[track_caller]
    pub fn show(&self, id: &str) -> ShowJson {
        let out = self.inc().args(["show", id, "--json"]).ok();
        match serde_json::from_str(&out.stdout) {
            Ok(show) => show,
            Err(e) => panic!("show --json: {e}\n{}", out.stdout),
        }
    }

    /// `inc list --json ARGS…`, decoded loosely (keys are checked by tests).
    #[track_caller]
    pub fn list(&self, args: &[&str]) -> Vec<Value> {
        let out = self.inc().arg("list").arg("--json").args(args).ok();
        match serde_json::from_str(&out.stdout) {
            Ok(list) => list,
            Err(e) => panic!("list --json: {e}\n{}", out.stdout),
        }
    }

    /// The IDs `inc list --json ARGS…` prints, in order.
    #[track_caller]
    pub fn list_ids(&self, args: &[&str]) -> Vec<String> {
        self.list(args)
            .iter()
            .map(|v| v["id"].as_str().expect("id is a string").to_owned())
            .collect()
    }

    /// `inc check --format json`, expecting exit `code`, decoded.
    #[track_caller]
    pub fn check_report(&self, code: i32) -> CheckReport {
        self.check_report_at(NOW, code)
    }

    /// `inc check --format json` at `now`, expecting exit `code`, decoded.
    #[track_caller]
    pub fn check_report_at(&self, now: &str, code: i32) -> CheckReport {
        let run = self
            .inc()
            .now(now)
            .args(["check", "--format", "json"])
            .run()
            .code(code);
        match serde_json::from_str(&run.stdout) {
            Ok(report) => report,
            Err(e) => panic!("check --format json: {e}\n{run}"),
        }
    }

    /// Where a mutating command starts from: the commit count and the
    /// timeline lines of `id`.
    #[track_caller]
    pub fn mark(&self, id: &str) -> Mark {
        Mark {
            commits: self.commit_count(),
            lines: self.read(TestRepo::timeline_path(id)),
        }
    }

    /// Asserts that since `mark` exactly one commit was made, holding only
    /// `id`'s timeline, which kept its old lines and grew by new ones in the
    /// stored key order; returns the new events.
    #[track_caller]
    pub fn appended(&self, mark: &Mark, id: &str) -> Vec<Value> {
        assert_eq!(self.commit_count(), mark.commits + 1, "expected one commit");
        assert_eq!(
            self.head_files(),
            vec![TestRepo::timeline_path(id)],
            "the commit holds only the timeline"
        );
        let now = self.read(TestRepo::timeline_path(id));
        let Some(new) = now.strip_prefix(&mark.lines) else {
            panic!("timeline was rewritten, not appended:\n{now}");
        };
        assert_eq!(self.git_status(), "", "the tree is clean after the commit");
        let mut events = Vec::new();
        for l in new.lines() {
            assert_key_order(l);
            let json = l.strip_prefix("- ").expect("`- ` prefix");
            events.push(serde_json::from_str(json).expect("an event is JSON"));
        }
        events
    }

    /// Asserts that since `mark` nothing was committed and the timeline did
    /// not change (a no-op or a refused command).
    #[track_caller]
    pub fn assert_no_change(&self, mark: &Mark, id: &str) {
        assert_eq!(self.commit_count(), mark.commits, "a commit was made");
        assert_eq!(self.read(TestRepo::timeline_path(id)), mark.lines);
    }

    // ----- git -----

    /// The real git CLI, in the repository, with the test environment.
    pub fn git_command(&self) -> StdCommand {
        let mut cmd = StdCommand::new("git");
        cmd.env_clear();
        for (k, v) in self.base_env() {
            cmd.env(k, v);
        }
        cmd.env("GIT_EDITOR", "true");
        cmd.env("GIT_AUTHOR_DATE", "2026-11-27T10:00:00Z");
        cmd.env("GIT_COMMITTER_DATE", "2026-11-27T10:00:00Z");
        cmd.current_dir(&self.root);
        cmd
    }

    /// Runs git; panics when it fails. Returns stdout.
    #[track_caller]
    pub fn git(&self, args: &[&str]) -> String {
        let out = self.git_command().args(args).output().expect("run git");
        assert!(
            out.status.success(),
            "git {args:?} failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8 from git")
    }

    /// Runs git; `None` when it fails.
    #[track_caller]
    pub fn try_git(&self, args: &[&str]) -> Option<String> {
        let out = self.git_command().args(args).output().expect("run git");
        out.status
            .success()
            .then(|| String::from_utf8(out.stdout).expect("utf-8 from git"))
    }

    /// Runs git, expecting it to fail (a conflicting merge, say).
    #[track_caller]
    pub fn git_fails(&self, args: &[&str]) {
        let out = self.git_command().args(args).output().expect("run git");
        assert!(!out.status.success(), "git {args:?} should have failed");
    }

    #[track_caller]
    pub fn git_status(&self) -> String {
        self.git(&["status", "--porcelain=v1", "--untracked-files=all"])
    }

    #[track_caller]
    pub fn commit_count(&self) -> usize {
        self.try_git(&["rev-list", "--count", "HEAD"])
            .map_or(0, |n| n.trim().parse().unwrap())
    }

    /// HEAD's whole message.
    #[track_caller]
    pub fn head_message(&self) -> String {
        self.git(&["log", "-1", "--format=%B"])
    }

    /// HEAD's author name.
    #[track_caller]
    pub fn head_author(&self) -> String {
        self.git(&["log", "-1", "--format=%an"]).trim().to_owned()
    }

    /// The values of one trailer of HEAD's message.
    #[track_caller]
    pub fn head_trailer(&self, key: &str) -> Vec<String> {
        self.git(&[
            "log",
            "-1",
            &format!("--format=%(trailers:key={key},valueonly,unfold)"),
        ])
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
    }

    /// The files HEAD changed, sorted.
    #[track_caller]
    pub fn head_files(&self) -> Vec<String> {
        let mut files: Vec<String> = self
            .git(&[
                "-c",
                "core.quotepath=off",
                "show",
                "--name-only",
                "--format=",
                "--no-renames",
                "HEAD",
            ])
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect();
        files.sort();
        files
    }

    /// `git add -A && git commit` (test setup, not inc).
    #[track_caller]
    pub fn commit_all(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", message]);
    }

    /// Replaces the temporary folder's path with `[TMP]`, for snapshots.
    pub fn redact(&self, text: &str) -> String {
        let base = self.base().to_string_lossy().into_owned();
        let raw = self.tmp.path().to_string_lossy().into_owned();
        text.replace(&base, "[TMP]").replace(&raw, "[TMP]")
    }
}

/// Every entry under `root`, relative → bytes (a link as `-> target`, not
/// followed), leaving out folders named `.git` when `skip_git`.
fn walk_tree(root: &Path, skip_git: bool) -> BTreeMap<String, Vec<u8>> {
    fn walk(dir: &Path, root: &Path, skip_git: bool, out: &mut BTreeMap<String, Vec<u8>>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries {
            let entry = entry.unwrap();
            if skip_git && entry.file_name() == ".git" {
                continue;
            }
            let path = entry.path();
            let rel = path.strip_prefix(root).unwrap().to_string_lossy();
            let rel = rel.replace('\\', "/");
            let kind = entry.file_type().unwrap();
            if kind.is_symlink() {
                let target = fs::read_link(&path).unwrap();
                out.insert(rel, format!("-> {}", target.display()).into_bytes());
            } else if kind.is_dir() {
                walk(&path, root, skip_git, out);
            } else {
                out.insert(rel, fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, skip_git, &mut out);
    out
}

/// See [`TestRepo::state`].
#[derive(Debug, Clone)]
pub struct RepoState {
    files: BTreeMap<String, Vec<u8>>,
    head: String,
    index: String,
    status: String,
}

/// See [`TestRepo::mark`].
pub struct Mark {
    commits: usize,
    lines: String,
}

/// One run of inc being set up.
#[must_use = "an `Inc` runs nothing until `.run()`, `.ok()`, `.fails()` or `.usage()`"]
pub struct Inc<'a> {
    repo: &'a TestRepo,
    args: Vec<OsString>,
    env: Vec<(String, Option<OsString>)>,
    stdin: Option<Vec<u8>>,
    dir: Option<PathBuf>,
}

impl Inc<'_> {
    #[must_use = "an `Inc` runs nothing until `.run()`, `.ok()`, `.fails()` or `.usage()`"]
    pub fn arg(mut self, arg: impl Into<OsString>) -> Self {
        self.args.push(arg.into());
        self
    }

    #[must_use = "an `Inc` runs nothing until `.run()`, `.ok()`, `.fails()` or `.usage()`"]
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    #[must_use = "an `Inc` runs nothing until `.run()`, `.ok()`, `.fails()` or `.usage()`"]
    pub fn env(mut self, key: &str, value: impl Into<OsString>) -> Self {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.to_owned(), Some(value.into())));
        self
    }

    #[must_use = "an `Inc` runs nothing until `.run()`, `.ok()`, `.fails()` or `.usage()`"]
    pub fn env_remove(mut self, key: &str) -> Self {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.to_owned(), None));
        self
    }

    /// Pins `INC_NOW` for this run.
    #[must_use = "an `Inc` runs nothing until `.run()`, `.ok()`, `.fails()` or `.usage()`"]
    pub fn now(self, now: &str) -> Self {
        self.env("INC_NOW", now)
    }

    #[must_use = "an `Inc` runs nothing until `.run()`, `.ok()`, `.fails()` or `.usage()`"]
    pub fn stdin(mut self, input: impl Into<Vec<u8>>) -> Self {
        self.stdin = Some(input.into());
        self
    }

    /// Runs in `dir` instead of the repository.
    #[must_use = "an `Inc` runs nothing until `.run()`, `.ok()`, `.fails()` or `.usage()`"]
    pub fn current_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.dir = Some(dir.into());
        self
    }

    /// Runs inc and returns what it did; panics if inc panicked.
    #[track_caller]
    pub fn run(self) -> Run {
        let mut cmd = Command::new(inc_bin());
        cmd.env_clear();
        for (k, v) in self.repo.base_env() {
            cmd.env(k, v);
        }
        for (k, v) in &self.env {
            match v {
                Some(v) => cmd.env(k, v),
                None => cmd.env_remove(k),
            };
        }
        cmd.current_dir(self.dir.as_deref().unwrap_or(&self.repo.root));
        cmd.args(&self.args);
        if let Some(input) = self.stdin {
            cmd.write_stdin(input);
        }
        let output = cmd.output().expect("run inc");
        let code = output.status.code().unwrap_or(-1);
        let run = Run {
            args: self
                .args
                .iter()
                .map(|a| a.to_string_lossy().into())
                .collect(),
            code,
            stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
        };
        assert!(
            code != 101 && !run.stderr.contains("panicked"),
            "inc panicked:\n{run}"
        );
        run
    }

    /// Runs inc, expecting exit code 0.
    #[track_caller]
    pub fn ok(self) -> Run {
        self.run().code(0)
    }

    /// Runs inc, expecting exit code 1 (an error) with an `error:` line.
    #[track_caller]
    pub fn fails(self) -> Run {
        let run = self.run().code(1);
        assert!(
            run.stderr.starts_with("error: "),
            "an error starts with `error: `:\n{run}"
        );
        run
    }

    /// Runs inc, expecting exit code 2 (a usage error).
    #[track_caller]
    pub fn usage(self) -> Run {
        self.run().code(2)
    }
}

/// What a run of inc did.
#[derive(Debug, Clone)]
pub struct Run {
    pub args: Vec<String>,
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Asserts the exit code.
    #[track_caller]
    pub fn code(self, code: i32) -> Run {
        assert_eq!(self.code, code, "unexpected exit code:\n{self}");
        self
    }

    /// Asserts stderr contains every one of `needles`.
    #[track_caller]
    pub fn stderr_has(self, needles: &[&str]) -> Run {
        for n in needles {
            assert!(self.stderr.contains(n), "stderr lacks {n:?}:\n{self}");
        }
        self
    }

    /// Asserts stdout contains every one of `needles`.
    #[track_caller]
    pub fn stdout_has(self, needles: &[&str]) -> Run {
        for n in needles {
            assert!(self.stdout.contains(n), "stdout lacks {n:?}:\n{self}");
        }
        self
    }

    /// stdout, stderr and the exit status, for a snapshot.
    pub fn snapshot(&self, repo: &TestRepo) -> String {
        repo.redact(&format!(
            "[exit status: {}]\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        ))
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "inc {:?}\n[exit status: {}]\n--- stdout\n{}--- stderr\n{}",
            self.args, self.code, self.stdout, self.stderr
        )
    }
}

/// Starts every command at once (stdin closed, output captured) and waits
/// for all of them: inc runs racing each other.
pub fn run_together(commands: Vec<StdCommand>) -> Vec<std::process::Output> {
    let children: Vec<std::process::Child> = commands
        .into_iter()
        .map(|mut cmd| {
            cmd.stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("spawn inc")
        })
        .collect();
    children
        .into_iter()
        .map(|c| c.wait_with_output().expect("wait for inc"))
        .collect()
}

/// Runs `check` on every row of a table-driven test, each row named (the
/// name is passed on, for a snapshot's name); the failing rows' own panics
/// are printed as they happen, then the test fails naming every row that
/// failed.
#[track_caller]
pub fn each_row<T>(rows: &[(&str, T)], check: impl Fn(&str, &T)) {
    let failed: Vec<&str> = rows
        .iter()
        .filter(|(name, row)| {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(name, row))).is_err()
        })
        .map(|(name, _)| *name)
        .collect();
    assert!(failed.is_empty(), "failing rows: {}", failed.join(", "));
}

/// Whether `id` has the documented shape: `YYYY-MM-DD-slug`, the slug ASCII
/// `a-z0-9-` of 1–40 characters, maybe `-N` after it.
pub fn is_id(id: &str) -> bool {
    let b = id.as_bytes();
    if b.len() < 12 || b[10] != b'-' {
        return false;
    }
    let date_ok = b[..10].iter().enumerate().all(|(i, c)| match i {
        4 | 7 => *c == b'-',
        _ => c.is_ascii_digit(),
    });
    let rest = &id[11..];
    // Strip one `-N` collision suffix, then check the slug.
    let slug = match rest.rsplit_once('-') {
        Some((slug, n))
            if !n.is_empty() && n.bytes().all(|c| c.is_ascii_digit()) && slug.len() <= 40 =>
        {
            slug
        }
        _ => rest,
    };
    let slug_ok = (1..=40).contains(&slug.len())
        && slug
            .bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-');
    date_ok && slug_ok
}

/// Asserts a stored timeline line begins `- {"at":…,"by":…,"type":…`.
#[track_caller]
pub fn assert_key_order(line: &str) {
    let Some(json) = line.strip_prefix("- {") else {
        panic!("a timeline line starts `- {{`: {line}");
    };
    let keys: Vec<&str> = ["\"at\":", "\"by\":", "\"type\":"]
        .into_iter()
        .filter(|k| json.contains(k))
        .collect();
    assert_eq!(keys.len(), 3, "missing at/by/type: {line}");
    let at = json.find("\"at\":").unwrap();
    let by = json.find("\"by\":").unwrap();
    let ty = json.find("\"type\":").unwrap();
    assert!(at == 0 && at < by && by < ty, "keys out of order: {line}");
}

/// The keys DESIGN.md promises on every incident object of `--json`.
pub const INCIDENT_KEYS: &[&str] = &[
    "id",
    "title",
    "public_title",
    "kind",
    "status",
    "severity",
    "impact",
    "services",
    "roles",
    "private",
    "labels",
    "started_at",
    "opened_at",
    "opened_by",
    "acknowledged_at",
    "mitigated_at",
    "resolved_at",
    "actions",
];

/// Asserts a JSON incident object carries every documented key.
#[track_caller]
pub fn assert_incident_keys(v: &Value) {
    let obj = v.as_object().expect("an incident is a JSON object");
    for key in INCIDENT_KEYS {
        assert!(obj.contains_key(*key), "missing key `{key}` in {v:#}");
    }
}

/// `inc show --json`, as a test reads it (its own types, not the crate's).
#[derive(Debug, Deserialize)]
pub struct ShowJson {
    pub id: String,
    pub title: String,
    pub public_title: Option<String>,
    pub kind: String,
    pub status: Option<String>,
    pub severity: Option<String>,
    pub impact: String,
    pub services: Vec<String>,
    pub roles: BTreeMap<String, String>,
    pub private: bool,
    pub labels: BTreeMap<String, String>,
    pub started_at: String,
    pub opened_at: String,
    pub opened_by: String,
    pub acknowledged_at: Option<String>,
    pub mitigated_at: Option<String>,
    pub resolved_at: Option<String>,
    pub actions: Vec<ActionJson>,
    pub events: Vec<EventJson>,
}

#[derive(Debug, Deserialize)]
pub struct ActionJson {
    pub id: u32,
    pub text: String,
    pub owner: Option<String>,
    pub due: Option<String>,
    pub link: Option<String>,
    pub done: bool,
}

/// `inc check --format json`, as a script reads it.
#[derive(Debug, Deserialize)]
pub struct CheckReport {
    pub errors: usize,
    pub warnings: usize,
    pub incidents: usize,
    pub findings: Vec<FindingJson>,
}

/// One finding of [`CheckReport`].
#[derive(Debug, Deserialize, PartialEq)]
pub struct FindingJson {
    pub severity: String,
    pub file: String,
    pub line: usize,
    pub message: String,
    pub rule: String,
}

/// One event: the three fixed keys, the rest by name.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct EventJson {
    pub at: String,
    pub by: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(flatten)]
    pub fields: BTreeMap<String, Value>,
}

impl EventJson {
    /// A string field, if present.
    pub fn str(&self, key: &str) -> Option<&str> {
        self.fields.get(key).and_then(Value::as_str)
    }
}

#[test]
fn is_id_accepts_only_the_documented_shape() {
    assert!(is_id("2026-11-27-checkout-errors"));
    assert!(is_id("2026-11-27-checkout-errors-2"));
    assert!(is_id("2026-11-27-a"));
    assert!(!is_id("2026-11-27-"));
    assert!(!is_id("2026-11-27-Checkout"));
    assert!(!is_id("2026-11-27-a/b"));
    assert!(!is_id("2026-11-27-../x"));
    assert!(!is_id(&format!("2026-11-27-{}", "a".repeat(41))));
    assert!(!is_id("26-11-27-abc"));
}

/// A small deterministic generator (xorshift), so a failing run of a
/// randomised test can be replayed from its seed.
pub struct Rng(pub u64);

impl Rng {
    /// The next number below `n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}
