//! The command line, and nothing else: every subcommand's arguments.
//! The `///` comments are the help text.
//!
//! It stays one file though it is long: it is one declaration, the `Command`
//! enum and the arguments of each of its variants, read top to bottom as the
//! `--help` it becomes, with next to no logic to separate from it.

// The `///` comments are help text, where `[ID]` is an optional argument,
// not a link.
#![allow(rustdoc::broken_intra_doc_links)]

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use clap_complete::engine::ArgValueCompleter;

use crate::complete::{
    assign_args, id_then_text, incident_ids, list_statuses, people, rotations, services,
    severities, severity_args, status_args, statuses,
};

#[derive(Debug, Parser)]
#[command(
    name = "inc",
    version = concat!(env!("CARGO_PKG_VERSION"), " (git-backed incident management: inc.yaml + incidents/)"),
    about = "Terminal-first incident management: incidents as YAML files in git",
    long_about = "Terminal-first incident management.\n\n\
        Incidents are YAML files in a git repository. `inc` opens, updates and resolves \
        them, commits every change, and shows where each incident stands.",
    after_help = "Start with `inc init`, then `inc open \"Checkout returns 500s\" -s SEV2`.\n\
`inc` alone, on a terminal, shows open incidents, maintenance under way, who is on call \
and your overdue actions (`inc --json`: the same as JSON).",
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    /// None: the dashboard on a terminal (or with --json), else usage.
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Args)]
pub struct Global {
    /// Incident repository to use (else $INC_REPO, else found upwards from here)
    #[arg(long, global = true, value_name = "DIR")]
    pub repo: Option<PathBuf>,
    /// Record changes as NAME (else $INC_AUTHOR, git's user.name, $USER)
    #[arg(long, global = true, value_name = "NAME", add = ArgValueCompleter::new(people))]
    pub author: Option<String>,
    /// Write the files but make no git commit
    #[arg(long, global = true)]
    pub no_commit: bool,
    /// Run no hooks (also INC_NO_HOOKS=1)
    #[arg(long, global = true)]
    pub no_hooks: bool,
    /// Print machine-readable JSON (read commands)
    #[arg(long, global = true)]
    pub json: bool,
    /// When to use colour
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
    /// Print only the product (IDs, tables), no chatter
    #[arg(short, long, global = true)]
    pub quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Set up an incident repository here: inc.yaml, incidents/, .gitattributes
    Init(InitArgs),
    /// Open a new incident and print its ID
    #[command(visible_alias = "new")]
    Open(OpenArgs),
    /// Add an internal note to the timeline (never public)
    #[command(override_usage = "inc note [OPTIONS] [ID] <TEXT>")]
    Note(NoteArgs),
    /// Post a public update (what the status page shows)
    #[command(override_usage = "inc update [OPTIONS] [ID] <TEXT>")]
    Update(UpdateArgs),
    /// Change an incident's status
    #[command(
        override_usage = "inc status [OPTIONS] [ID] <STATUS>",
        mut_arg("args", |a| a.add(ArgValueCompleter::new(status_args)))
    )]
    Status(PairArgs),
    /// Change an incident's severity
    #[command(
        override_usage = "inc severity [OPTIONS] [ID] <SEVERITY>",
        mut_arg("args", |a| a.add(ArgValueCompleter::new(severity_args)))
    )]
    Severity(PairArgs),
    /// Acknowledge an incident; with no commander yet, you become it
    Ack(AckArgs),
    /// Give a role (commander, comms, scribe …) to a person
    Assign(AssignArgs),
    /// Resolve an incident
    Resolve(ResolveArgs),
    /// Reopen a resolved or declined incident
    Reopen(ReopenArgs),
    /// Close an incident as a false alarm (kept, but out of metrics)
    Decline(DeclineArgs),
    /// List incidents (open ones by default)
    #[command(visible_alias = "ls")]
    List(ListArgs),
    /// Show an incident: header, state, durations, timeline
    Show(ShowArgs),
    /// Print an incident's timeline with its phases
    Timeline(TimelineArgs),
    /// Write (or refresh) the postmortem draft of an incident
    Postmortem(PostmortemArgs),
    /// Edit an incident's header or postmortem in your editor, checked, then commit it
    Edit(EditArgs),
    /// Track follow-up actions
    #[command(subcommand)]
    Action(ActionCommand),
    /// Validate every incident file (for CI); exit 3 on errors
    Check(CheckArgs),
    /// Counts and response times: MTTA, MTTR and more
    Stats(StatsArgs),
    /// Turn an alert payload into an incident, or add it to its group's incident
    Alert(AlertArgs),
    /// Merge a duplicate incident into another, and decline the duplicate
    #[command(override_usage = "inc merge [OPTIONS] <DUP> --into <KEEP>")]
    Merge(MergeArgs),
    /// Pull (rebase) and push the incident repository, retrying when someone pushed first
    Sync(SyncArgs),
    /// Schedule a maintenance window (then `inc status ID in_progress|verifying|completed`)
    Maintenance(MaintenanceArgs),
    /// The public status page
    #[command(subcommand)]
    Site(SiteCommand),
    /// List, trust and test the hooks inc.yaml runs on events
    #[command(subcommand)]
    Hooks(HooksCommand),
    /// Show who is on call now and next; add overrides; print a calendar
    Oncall(OncallArgs),
    /// List the commits made around an incident's impact, and note the suspects
    Suspects(SuspectsArgs),
    /// Page the escalation levels due on unacknowledged incidents (run it every minute)
    Escalate(EscalateArgs),
    /// Run a command, then note on the incident what ran, how it ended and how long it took
    #[command(override_usage = "inc exec [OPTIONS] [ID] -- <CMD>...")]
    Exec(ExecArgs),
    /// Print shell completions: subcommands, flags, and the repository's IDs, people …
    #[command(
        after_help = "bash: `inc completions bash > ~/.local/share/bash-completion/completions/inc`\n\
zsh: `inc completions zsh > ~/.zfunc/_inc` (with ~/.zfunc in $fpath)\n\
fish: `inc completions fish > ~/.config/fish/completions/inc.fish`\n\
The set-up runs `inc` to complete each word, so it follows your repository and your inc version."
    )]
    Completions(CompletionsArgs),
    /// Print the man page (roff) of inc or of a subcommand
    Man(ManArgs),
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Folder to set up (default: the current one, or --repo)
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct OpenArgs {
    /// What is wrong, in a few words (asked for on a terminal when missing)
    pub title: Option<String>,
    /// Severity, e.g. SEV2 (asked for on a terminal when missing)
    #[arg(short, long, value_name = "SEV", add = ArgValueCompleter::new(severities))]
    pub severity: Option<String>,
    /// An affected service (repeatable)
    #[arg(long = "service", value_name = "SERVICE", add = ArgValueCompleter::new(services))]
    pub services: Vec<String>,
    /// Incident commander (default: you)
    #[arg(long, value_name = "WHO", add = ArgValueCompleter::new(people))]
    pub commander: Option<String>,
    /// What is known so far
    #[arg(long, value_name = "TEXT")]
    pub summary: Option<String>,
    /// When it was opened (detected), if not now: RFC 3339, HH:MM, "15m ago"
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// When impact started, if before it was opened
    #[arg(long, value_name = "TIME")]
    pub started: Option<String>,
    /// Keep this incident off the status page
    #[arg(long)]
    pub private: bool,
    /// A label, key=value (repeatable)
    #[arg(long = "label", value_name = "KEY=VALUE")]
    pub labels: Vec<String>,
}

/// `[ID] TEXT`-shaped arguments: one value is the text, two are ID and text.
#[derive(Debug, Args)]
pub struct NoteArgs {
    /// [ID] then the note; `-` reads the note from stdin
    #[arg(value_name = "ID|TEXT", num_args = 1..=2, required = true, add = ArgValueCompleter::new(id_then_text))]
    pub args: Vec<String>,
    /// Mark this note as a highlight for the postmortem
    #[arg(long)]
    pub pin: bool,
    /// When it happened, if not now
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
}

#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// [ID] then the public text; `-` reads it from stdin
    #[arg(value_name = "ID|TEXT", num_args = 1..=2, required = true, add = ArgValueCompleter::new(id_then_text))]
    pub args: Vec<String>,
    /// Also move the incident to this status
    #[arg(long, value_name = "STATUS", add = ArgValueCompleter::new(statuses))]
    pub status: Option<String>,
    /// When it was posted, if not now
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
}

#[derive(Debug, Args)]
pub struct PairArgs {
    /// [ID] then the new value
    #[arg(value_name = "ID|VALUE", num_args = 1..=2, required = true)]
    pub args: Vec<String>,
    /// When it happened, if not now
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
}

#[derive(Debug, Args)]
pub struct AckArgs {
    /// Incident (default: the only open one)
    #[arg(add = ArgValueCompleter::new(incident_ids))]
    pub id: Option<String>,
    /// When it was acknowledged, if not now
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
}

#[derive(Debug, Args)]
#[command(
    override_usage = "inc assign [OPTIONS] [ID] <ROLE> <WHO>\n       inc assign [OPTIONS] [ID] <ROLE> --unassign"
)]
pub struct AssignArgs {
    /// [ID], the role, then who takes it
    #[arg(value_name = "ID|ROLE|WHO", num_args = 1..=3, required = true, add = ArgValueCompleter::new(assign_args))]
    pub args: Vec<String>,
    /// Leave the role empty instead of giving it to someone
    #[arg(long)]
    pub unassign: bool,
    /// When it happened, if not now
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
}

#[derive(Debug, Args)]
pub struct ResolveArgs {
    /// Incident (default: the only open one)
    #[arg(add = ArgValueCompleter::new(incident_ids))]
    pub id: Option<String>,
    /// How it ended, for the record (internal)
    #[arg(long, value_name = "TEXT")]
    pub summary: Option<String>,
    /// When it was resolved, if not now
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
}

#[derive(Debug, Args)]
pub struct ReopenArgs {
    /// Incident to reopen
    #[arg(add = ArgValueCompleter::new(incident_ids))]
    pub id: String,
    /// Why (internal)
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// When it was reopened, if not now
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
}

#[derive(Debug, Args)]
pub struct DeclineArgs {
    /// Incident (default: the only open one)
    #[arg(add = ArgValueCompleter::new(incident_ids))]
    pub id: Option<String>,
    /// Why it is not an incident (internal)
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// When it was declined, if not now
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// open, resolved (closed), all, or one status such as monitoring
    #[arg(long, default_value = "open", value_name = "STATUS", add = ArgValueCompleter::new(list_statuses))]
    pub status: String,
    /// Only this severity
    #[arg(long, value_name = "SEV", add = ArgValueCompleter::new(severities))]
    pub severity: Option<String>,
    /// Only incidents affecting this service
    #[arg(long, value_name = "SERVICE", add = ArgValueCompleter::new(services))]
    pub service: Option<String>,
    /// Only incidents opened since TIME (e.g. 7d ago, 2026-11-01)
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// List maintenance windows (soonest first) instead of incidents
    #[arg(long, conflicts_with = "severity")]
    pub maintenance: bool,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Incident (default: the only open one)
    #[arg(add = ArgValueCompleter::new(incident_ids))]
    pub id: Option<String>,
}

#[derive(Debug, Args)]
pub struct TimelineArgs {
    /// Incident (default: the only open one)
    #[arg(add = ArgValueCompleter::new(incident_ids))]
    pub id: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = TimelineFormat::Table)]
    pub format: TimelineFormat,
    /// Only what the status page may show (public updates and status changes)
    #[arg(long)]
    pub public: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TimelineFormat {
    Table,
    Markdown,
    Json,
}

#[derive(Debug, Args)]
pub struct PostmortemArgs {
    /// Incident (default: the only open one)
    #[arg(add = ArgValueCompleter::new(incident_ids))]
    pub id: Option<String>,
    /// Print the draft instead of writing postmortem.md
    #[arg(long)]
    pub stdout: bool,
    /// Print the template's context as JSON (for template authors)
    #[arg(long, conflicts_with = "stdout")]
    pub context: bool,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Opens a copy of the file in $VISUAL, else $EDITOR, else vi (a value with \
arguments, such as `code --wait`, runs as git runs it). On save, inc checks it as `inc check` \
would; when it is not valid, the editor opens again with the errors on top (`# inc: …` lines, \
which inc removes). To give up, save it unchanged (your text is kept in .git/, and inc says \
where) or empty it. An unchanged file commits nothing; a valid one is committed alone \
(`inc(ID): edit incident.yaml`), with any changes to it not yet committed, unless it changed \
on disk while you edited (then nothing is written). The timeline is append-only: add to it \
with `inc note`, `inc update`, `inc status`. `--file postmortem` on an incident without one \
starts from the draft `inc postmortem` writes."
)]
pub struct EditArgs {
    /// Incident (default: the only open one)
    #[arg(add = ArgValueCompleter::new(incident_ids))]
    pub id: Option<String>,
    /// incident.yaml (the header) or postmortem.md; the timeline is append-only
    #[arg(long, value_enum, default_value_t = EditFile::Incident)]
    pub file: EditFile,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EditFile {
    Incident,
    Postmortem,
    /// Refused, with a hint: timeline.yaml is append-only.
    #[value(hide = true)]
    Timeline,
}

#[derive(Debug, Subcommand)]
pub enum ActionCommand {
    /// Add a follow-up action to an incident
    #[command(override_usage = "inc action add [OPTIONS] [ID] <TEXT>")]
    Add(ActionAddArgs),
    /// Mark action N of an incident done
    Done(ActionDoneArgs),
    /// List follow-up actions across all incidents
    #[command(visible_alias = "ls")]
    List(ActionListArgs),
}

#[derive(Debug, Args)]
pub struct ActionAddArgs {
    /// [ID] then what should be done
    #[arg(value_name = "ID|TEXT", num_args = 1..=2, required = true, add = ArgValueCompleter::new(id_then_text))]
    pub args: Vec<String>,
    /// Who owns it
    #[arg(long, value_name = "WHO", add = ArgValueCompleter::new(people))]
    pub owner: Option<String>,
    /// When it is due (YYYY-MM-DD, or e.g. "in 2 weeks")
    #[arg(long, value_name = "DATE")]
    pub due: Option<String>,
    /// A ticket or document tracking it (http, https)
    #[arg(long, value_name = "URL")]
    pub link: Option<String>,
}

#[derive(Debug, Args)]
pub struct ActionDoneArgs {
    /// Incident
    #[arg(add = ArgValueCompleter::new(incident_ids))]
    pub id: String,
    /// The action's number (see `inc action list`)
    pub number: u32,
}

#[derive(Debug, Args)]
pub struct ActionListArgs {
    /// Only actions not done yet
    #[arg(long)]
    pub open: bool,
    /// Only actions owned by WHO
    #[arg(long, value_name = "WHO", add = ArgValueCompleter::new(people))]
    pub owner: Option<String>,
    /// Only open actions past their due date
    #[arg(long)]
    pub overdue: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// How to report findings
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    Text,
    /// GitHub Actions annotations (`::error file=…,line=…::…`)
    Github,
    Json,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Only incidents opened since TIME (e.g. "90d ago", 2026-01-01)
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Break the figures down
    #[arg(long, value_enum, value_name = "BY")]
    pub by: Option<StatsBy>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatsBy {
    Severity,
    Service,
    Month,
}

#[derive(Debug, Args)]
#[command(
    after_help = "One incident per alert group (Alertmanager/Grafana `groupKey`, \
PagerDuty `dedup_key`), opened in triage with no commander; repeats add nothing, \
state changes add `alert` events. See `alerts:` in inc.yaml."
)]
pub struct AlertArgs {
    /// The payload file; `-` reads stdin
    #[arg(default_value = "-", value_name = "FILE|-")]
    pub file: String,
    /// Which sender's payload it is; `auto` tells them apart by shape
    #[arg(long, value_enum, default_value_t = AlertFormat::Auto)]
    pub format: AlertFormat,
    /// Print what would happen and write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Sync before and after (`inc sync`), so the incident reaches the remote: for CI
    #[arg(long)]
    pub push: bool,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Runs your own `git`: fetch, rebase your local commits onto the remote branch \
(timelines merge line by line), push. A push rejected because someone pushed first is \
retried after a short, growing wait. An incident ID opened on both sides for different \
incidents is renamed locally (`-2`) before the rebase. On a conflict the rebase stops \
and `git status` explains it."
)]
pub struct SyncArgs {
    /// The remote (default: the branch's upstream remote, else origin)
    #[arg(long, value_name = "NAME")]
    pub remote: Option<String>,
    /// The remote branch (default: the branch's upstream, else the current branch's name)
    #[arg(long, value_name = "NAME")]
    pub branch: Option<String>,
    /// How many times to try again when the push is rejected because the remote moved
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub retries: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AlertFormat {
    Auto,
    Alertmanager,
    Grafana,
    Pagerduty,
}

#[derive(Debug, Args)]
#[command(
    after_help = "KEEP gets DUP's alert events (alerts of the group go to KEEP from \
then on), notes, and public updates as internal notes, with their times and authors, \
plus a note saying so. DUP is declined (\"duplicate of KEEP\") and labelled \
`duplicate_of: KEEP`; it keeps its follow-up actions. One commit. `inc check` warns \
about incidents of one alert group that are open at once."
)]
pub struct MergeArgs {
    /// The duplicate (an ID, a unique prefix or part of its slug)
    #[arg(value_name = "DUP", add = ArgValueCompleter::new(incident_ids))]
    pub dup: String,
    /// The incident to keep
    #[arg(long, value_name = "KEEP", add = ArgValueCompleter::new(incident_ids))]
    pub into: String,
    /// Print what would happen and write nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct MaintenanceArgs {
    /// What will happen, as customers should read it
    pub title: String,
    /// When the window starts: RFC 3339, "YYYY-MM-DD HH:MM", "tomorrow 02:00"
    #[arg(long, value_name = "TIME")]
    pub start: String,
    /// When the window ends
    #[arg(long, value_name = "TIME")]
    pub end: String,
    /// An affected service (repeatable)
    #[arg(long = "service", value_name = "SERVICE", add = ArgValueCompleter::new(services))]
    pub services: Vec<String>,
    /// Details (internal)
    #[arg(long, value_name = "TEXT")]
    pub summary: Option<String>,
    /// Keep it off the status page
    #[arg(long)]
    pub private: bool,
}

#[derive(Debug, Args)]
#[command(
    args_conflicts_with_subcommands = true,
    after_help = "Rotations and overrides are read from `oncall:` in inc.yaml and in oncall.yaml beside it."
)]
pub struct OncallArgs {
    #[command(subcommand)]
    pub command: Option<OncallCommand>,
    /// Who is on call at TIME instead of now (future times too)
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// Only this rotation
    #[arg(long, value_name = "ROTATION", add = ArgValueCompleter::new(rotations))]
    pub rotation: Option<String>,
    /// Only the rotations paged for this service's incidents
    #[arg(long, value_name = "SERVICE", add = ArgValueCompleter::new(services))]
    pub service: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum OncallCommand {
    /// Put WHO on call for ROTATION from one time to another, in oncall.yaml, and commit
    Override(OverrideArgs),
    /// Print an iCalendar (RFC 5545) file of a rotation's shifts, overrides applied
    Calendar(CalendarArgs),
}

#[derive(Debug, Args)]
pub struct OverrideArgs {
    /// The rotation
    #[arg(add = ArgValueCompleter::new(rotations))]
    pub rotation: String,
    /// Who is on call instead (anyone, in the rotation or not)
    #[arg(add = ArgValueCompleter::new(people))]
    pub who: String,
    /// Start: `YYYY-MM-DD HH:MM` on the rotation's clock, RFC 3339, or relative
    #[arg(long, value_name = "TIME")]
    pub from: String,
    /// End, like --from
    #[arg(long, value_name = "TIME")]
    pub to: String,
}

#[derive(Debug, Args)]
pub struct CalendarArgs {
    /// The rotation
    #[arg(add = ArgValueCompleter::new(rotations))]
    pub rotation: String,
    /// How many weeks of shifts, from the current one
    #[arg(long, value_name = "N", default_value_t = 12, value_parser = clap::value_parser!(u32).range(1..=520))]
    pub weeks: u32,
}

#[derive(Debug, Args)]
#[command(
    after_help = "For each open incident no person has acknowledged, records a `page` event \
for every escalation level due since it was opened and not paged yet, and commits. \
Idempotent: run it from cron or a scheduled CI job every minute."
)]
pub struct EscalateArgs {
    /// Page as at TIME instead of now
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Reads this repository and the local repositories of `suspects.repos` in \
inc.yaml (paths, or {path, ref} to read a ref such as origin/main instead of HEAD), never \
fetching or writing there. A commit is listed when its committer time falls between \
`suspects.before` (2h) ahead of the impact's start and mitigation (else resolution, else now), \
newest first; inc's own commits are left out. # counts from the oldest, so the numbers stay \
put while new commits land."
)]
pub struct SuspectsArgs {
    /// Incident (default: the only open one)
    #[arg(add = ArgValueCompleter::new(incident_ids))]
    pub id: Option<String>,
    /// Open the window this long before the impact started, instead of `suspects.before`
    #[arg(long, value_name = "DURATION")]
    pub before: Option<String>,
    /// Record these commits (their # or 7+ characters of their sha) as one internal note
    #[arg(long, value_name = "N", num_args = 1.., value_delimiter = ',')]
    pub note: Vec<String>,
}

#[derive(Debug, Args)]
#[command(
    after_help = "The incident is picked before the command runs; nothing is written \
until it ends. The note is internal, timed when the command started, and holds the command \
line with secrets masked (`--password=***`, `TOKEN=***`, `https://user:***@host`, \
`Authorization: Bearer ***`). inc exits with the command's status (a signal N: 128+N; not \
found: 127; not runnable: 126). Ctrl-C goes to the command, and a SIGTERM (or, without a \
terminal, a SIGHUP) to inc is passed on to it; inc records how it ended. \
No --json: stdout is the command's."
)]
pub struct ExecArgs {
    /// Incident (default: the only open one)
    #[arg(add = ArgValueCompleter::new(incident_ids))]
    pub id: Option<String>,
    /// Also keep the last N lines of output (stdout and stderr, at most 1000) in the note;
    /// the output then goes through a pipe, so many programs drop colours and progress bars
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=crate::model::exec::MAX_CAPTURE as i64))]
    pub capture: Option<u16>,
    /// The command and its arguments, after `--`
    #[arg(last = true, required = true, value_name = "CMD")]
    pub command: Vec<std::ffi::OsString>,
}

#[derive(Debug, Subcommand)]
pub enum SiteCommand {
    /// Build the static status page
    Build(SiteBuildArgs),
}

#[derive(Debug, Args)]
pub struct SiteBuildArgs {
    /// Where to write the site (default: site/ in the incident repository)
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Build into a folder that holds files but no inc site (yours that the
    /// site has, like index.html, are replaced; the others are kept)
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
    /// A self-contained script of subcommands and flags only, which never runs inc
    #[arg(long = "static")]
    pub r#static: bool,
}

#[derive(Debug, Args)]
#[command(
    after_help = "`inc man` is inc(1); `inc man note` is inc-note(1), `inc man site build` is \
inc-site-build(1): the pages inc(1) and its SUBCOMMANDS sections refer to."
)]
pub struct ManArgs {
    /// The subcommand whose page to print, nested ones as several words (default: inc itself)
    #[arg(value_name = "SUBCOMMAND")]
    pub subcommand: Vec<String>,
}

/// Splits `[ID] VALUE…` positionals: with one more value than `needed`, the
/// first is the ID.
pub fn split_id(args: &[String], needed: usize) -> (Option<&str>, &[String]) {
    if args.len() > needed {
        (Some(args[0].as_str()), &args[1..])
    } else {
        (None, args)
    }
}

#[derive(Debug, Subcommand)]
pub enum HooksCommand {
    /// Show the hooks of inc.yaml and whether this clone trusts them
    List,
    /// Trust the hooks of inc.yaml on this clone, so that they run
    Trust,
    /// Run the hooks of an event with a sample event, recording nothing
    Test(HooksTestArgs),
}

#[derive(Debug, Args)]
pub struct HooksTestArgs {
    /// The event, as `on:` names it: opened, ack, status, resolved, page …
    pub event: String,
    /// The incident (default: the only open one, else a made-up sample)
    #[arg(add = ArgValueCompleter::new(incident_ids))]
    pub id: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn split_id_takes_the_first_of_two() {
        let one = vec!["text".to_owned()];
        assert_eq!(split_id(&one, 1), (None, &one[..]));
        let two = vec!["id".to_owned(), "text".to_owned()];
        assert_eq!(split_id(&two, 1), (Some("id"), &two[1..]));
    }
}
