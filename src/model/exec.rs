//! `inc exec`'s pure parts: masking secrets in a command line and in its
//! output, quoting the command line so it can be pasted back into a shell,
//! keeping the last lines of output in bounded memory, and the note's text.
//!
//! What is masked (the value becomes `***`):
//! - `--NAME=VALUE`, `-NAME=VALUE` and `--NAME VALUE` where NAME contains
//!   one of [`SECRET_WORDS`] (any case). Without `=`, the next argument is
//!   the value unless it starts with `--`: a flag such as `--no-auth`
//!   followed by a plain argument hides that argument (too much is better
//!   than too little). NAMEs ending in `-stdin`, `-file`, `-path`, `-dir`,
//!   `-name`, `-id`, `-type` or `-ttl` name a secret without being one, and
//!   `author`, `bypass`, `passive`, `passthrough` and `keyboard` are not
//!   secret words however they are spelt.
//! - `NAME=VALUE` (an environment assignment, a `--set`/`--from-literal`
//!   value, each comma-separated part of one) where NAME contains a secret
//!   word.
//! - The password of a URL (`https://user:***@host`), and a user name of
//!   20 or more characters alone (a token used as the user name).
//! - The value of an `Authorization:` or `Proxy-Authorization:` header
//!   (after its scheme: `Bearer ***`), and of a hyphenated header whose name
//!   contains a secret word (`X-Api-Key: ***`), to the end of the line.
//! - Short options only where they are unambiguous, for the program they
//!   follow (its name anywhere before them, so `sudo mysql -pX` counts):
//!   `-pVALUE` for mysql and mariadb tools; `-u`/`--user`/`-U`/`--proxy-user
//!   USER:PASS` for curl; `-a VALUE` for redis-cli; `-p VALUE` for sshpass.
//!   Elsewhere `-p` is as often a port as a password, so it is left alone.
//!
//! An argument holding spaces (a `sh -c` script) is masked word by word as
//! text: `;|&<>()` end words too, quotes group them (`TOKEN="a b"`). Every masked value of 4 or more characters is masked in the
//! captured output too, where the header, URL and `NAME=VALUE` rules also
//! apply.

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::time::Duration;

/// What a masked value reads as.
pub const MASK: &str = "***";

/// A masked value while masking: argv can't hold a NUL, and output lines
/// have their control characters stripped before masking, so quoting can
/// tell the mask from a literal `*`.
const HOLE: char = '\0';

/// Words that make an option, variable or header name secret.
pub const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "pass",
    "secret",
    "token",
    "key",
    "auth",
    "credential",
    "apikey",
];

/// Words holding a secret word that are not about secrets.
const NOT_SECRET: &[&str] = &["author", "bypass", "passive", "passthrough", "keyboard"];

/// Name endings for options whose value names a secret (a file, a
/// variable) rather than being one.
const NAMES_A_SECRET: &[&str] = &[
    "-stdin", "_stdin", "-file", "_file", "-path", "-dir", "-name", "-id", "-type", "-ttl",
];

/// Secrets shorter than this are not looked for in the output: masking
/// every `1` or `ab` of it would garble it, and protects nothing.
const MIN_OUTPUT_SECRET: usize = 4;

/// Whether `name` (an option, variable or header name) is a secret's.
pub fn is_secret_name(name: &str) -> bool {
    let mut lower = name.to_ascii_lowercase();
    if NAMES_A_SECRET.iter().any(|end| lower.ends_with(end)) {
        return false;
    }
    for word in NOT_SECRET {
        lower = lower.replace(word, " ");
    }
    SECRET_WORDS.iter().any(|w| lower.contains(w))
}

/// A command line with its secrets masked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Masked {
    /// Each argument, shell-quoted, secrets as `***`.
    pub args: Vec<String>,
    /// The values masked, to mask in the output too.
    pub secrets: Vec<String>,
}

impl Masked {
    /// The command line as one string, to paste back into a shell (with
    /// the secrets put back).
    pub fn line(&self) -> String {
        self.args.join(" ")
    }
}

/// Masks the secrets of a command line (`argv[0]` first) and quotes each
/// argument for a POSIX shell.
pub fn mask_command(argv: &[String]) -> Masked {
    let mut m = Masker::default();
    let args = argv
        .iter()
        .map(|arg| {
            let masked = m.arg(arg);
            quote(&masked)
        })
        .collect();
    let mut secrets = m.secrets;
    secrets.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    secrets.dedup();
    Masked { args, secrets }
}

/// Masks one line of output: the header, URL and `NAME=VALUE` rules, then
/// every one of `secrets` (from [`mask_command`]) it holds.
pub fn mask_line(line: &str, secrets: &[String]) -> String {
    let mut m = Masker::default();
    let mut text = m.text(line, false);
    for secret in secrets {
        if secret.chars().count() >= MIN_OUTPUT_SECRET {
            text = text.replace(secret.as_str(), &HOLE.to_string());
        }
    }
    text.replace(HOLE, MASK)
}

/// How the next argument is masked, after an option that takes a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Next {
    /// All of it.
    Whole,
    /// What follows its first `:` (curl's `USER:PASS`).
    AfterColon,
}

/// A program with short options known to take a password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Program {
    Mysql,
    Curl,
    RedisCli,
    Sshpass,
}

impl Program {
    fn of(word: &str) -> Option<Program> {
        let base = word.rsplit('/').next().unwrap_or(word);
        match base {
            "mysql" | "mysqldump" | "mysqladmin" | "mysqlimport" | "mysqlcheck" | "mysqlshow"
            | "mariadb" | "mariadb-dump" | "mariadb-admin" => Some(Program::Mysql),
            "curl" => Some(Program::Curl),
            "redis-cli" | "valkey-cli" => Some(Program::RedisCli),
            "sshpass" => Some(Program::Sshpass),
            _ => None,
        }
    }
}

#[derive(Debug, Default)]
struct Masker {
    secrets: Vec<String>,
    next: Option<Next>,
    program: Option<Program>,
}

impl Masker {
    /// `secret` replaced by the hole, remembered for the output.
    fn hide(&mut self, secret: &str) -> String {
        if secret.is_empty() {
            return String::new();
        }
        // A script's `TOKEN="abc"`: the output shows abc.
        let bare = ['\'', '"']
            .iter()
            .find_map(|&q| secret.strip_prefix(q)?.strip_suffix(q))
            .unwrap_or(secret);
        self.secrets.push(bare.to_owned());
        HOLE.to_string()
    }

    /// One argument of a command line.
    fn arg(&mut self, arg: &str) -> String {
        if let Some(masked) = self.pending(arg) {
            return masked;
        }
        if arg.contains(char::is_whitespace) && !is_secret_assignment(arg) {
            // A script or a header: masked as text, with its own state.
            let mut inner = Masker {
                program: self.program,
                ..Masker::default()
            };
            let masked = inner.text(arg, true);
            self.secrets.append(&mut inner.secrets);
            return masked;
        }
        self.word(arg)
    }

    fn value(&mut self, value: &str, how: Next) -> String {
        match how {
            Next::Whole => self.hide(value),
            Next::AfterColon => match value.split_once(':') {
                Some((user, pass)) => format!("{user}:{}", self.hide(pass)),
                None => value.to_owned(),
            },
        }
    }

    /// Free text, a line of output or (`script`) a shell script: word by
    /// word, up to a secret header, whose value is masked; then the text
    /// after it. In a script, `;|&<>()` end words too, and quotes group.
    fn text(&mut self, text: &str, script: bool) -> String {
        let header = header_value(text);
        let head = header.as_ref().map_or(text, |h| &text[..h.value.start]);
        let mut out = String::with_capacity(text.len());
        for (piece, is_word) in words(head, script) {
            if is_word {
                let masked = self.arg_word(piece, script);
                out.push_str(&masked);
            } else {
                out.push_str(piece);
            }
        }
        if let Some(h) = header {
            let hole = self.hide(&text[h.value.clone()]);
            out.push_str(&hole);
            out.push_str(&text[h.value.end..h.resume]);
            let rest = self.text(&text[h.resume..], script);
            out.push_str(&rest);
        }
        out
    }

    /// The value a pending option expects, if `word` is one: a secret
    /// option's value is anything but another long option.
    fn pending(&mut self, word: &str) -> Option<String> {
        match self.next.take()? {
            Next::Whole if word.starts_with("--") => None,
            next => Some(self.value(word, next)),
        }
    }

    /// A word of free text: what a pending option expects, or a word; in
    /// a script, a word in quotes is looked at inside them.
    fn arg_word(&mut self, word: &str, script: bool) -> String {
        if let Some(masked) = self.pending(word) {
            return masked;
        }
        if script && word.len() >= 2 {
            for q in ['\'', '"'] {
                if let Some(inner) = word.strip_prefix(q).and_then(|w| w.strip_suffix(q))
                    && !inner.contains(q)
                {
                    return format!("{q}{}{q}", self.word(inner));
                }
            }
        }
        self.word(word)
    }

    /// A word with no spaces: an option, an assignment, a URL, a program.
    fn word(&mut self, word: &str) -> String {
        if let Some(program) = Program::of(word) {
            self.program = Some(program);
            return self.urls(word);
        }
        if let Some(masked) = self.short_option(word) {
            return masked;
        }
        if let Some(body) = word
            .strip_prefix('-')
            .filter(|b| !b.is_empty() && *b != "-")
        {
            let dashes = if body.starts_with('-') { "--" } else { "-" };
            let body = body.trim_start_matches('-');
            let (name, value) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (body, None),
            };
            if is_option_name(name) {
                if is_secret_name(name) {
                    return match value {
                        Some(v) => format!("{dashes}{name}={}", self.hide(v)),
                        None => {
                            self.next = Some(Next::Whole);
                            word.to_owned()
                        }
                    };
                }
                if let Some(v) = value {
                    let masked = self.assignments(v);
                    return format!("{dashes}{name}={masked}");
                }
            }
            return self.urls(word);
        }
        if word.starts_with("--") {
            // `--` alone, or `--…=` oddities: nothing to mask.
            return word.to_owned();
        }
        self.assignments(word)
    }

    /// The short options of [`Program`]s.
    fn short_option(&mut self, word: &str) -> Option<String> {
        let program = self.program?;
        let attached = |flag: &str| word.strip_prefix(flag).filter(|v| !v.is_empty());
        match program {
            Program::Mysql => attached("-p").map(|v| format!("-p{}", self.hide(v))),
            Program::Curl => {
                if ["-u", "--user", "-U", "--proxy-user"].contains(&word) {
                    self.next = Some(Next::AfterColon);
                    return Some(word.to_owned());
                }
                for flag in ["--user=", "--proxy-user=", "-u", "-U"] {
                    if let Some(v) = attached(flag) {
                        let masked = self.value(v, Next::AfterColon);
                        return Some(format!("{flag}{masked}"));
                    }
                }
                None
            }
            Program::RedisCli | Program::Sshpass => {
                let flag = if program == Program::RedisCli {
                    "-a"
                } else {
                    "-p"
                };
                if word == flag {
                    self.next = Some(Next::Whole);
                    return Some(word.to_owned());
                }
                attached(flag).map(|v| format!("{flag}{}", self.hide(v)))
            }
        }
    }

    /// `NAME=VALUE` with a secret NAME, or such parts of a comma-separated
    /// list (`--set a=1,db.password=x`); URLs in what is left.
    fn assignments(&mut self, word: &str) -> String {
        if let Some((name, value)) = word.split_once('=')
            && is_variable_name(name)
            && is_secret_name(name)
        {
            return format!("{name}={}", self.hide(value));
        }
        if word.contains(',') && word.contains('=') {
            let parts: Vec<String> = word
                .split(',')
                .map(|part| match part.split_once('=') {
                    Some((name, value)) if is_variable_name(name) && is_secret_name(name) => {
                        format!("{name}={}", self.hide(value))
                    }
                    _ => self.urls(part),
                })
                .collect();
            return parts.join(",");
        }
        self.urls(word)
    }

    /// The passwords of the URLs in `word` (`scheme://user:pass@host`).
    fn urls(&mut self, word: &str) -> String {
        let mut out = String::with_capacity(word.len());
        let mut rest = word;
        while let Some(at) = rest.find("://") {
            let (before, after) = rest.split_at(at + 3);
            out.push_str(before);
            let authority_end = after
                .find(|c: char| matches!(c, '/' | '?' | '#') || c.is_whitespace())
                .unwrap_or(after.len());
            let authority = &after[..authority_end];
            match authority.rfind('@') {
                Some(userinfo_end) => {
                    let userinfo = &after[..userinfo_end];
                    match userinfo.split_once(':') {
                        Some((user, pass)) => {
                            out.push_str(user);
                            out.push(':');
                            let hole = self.hide(pass);
                            out.push_str(&hole);
                        }
                        None if userinfo.chars().count() >= 20 => {
                            let hole = self.hide(userinfo);
                            out.push_str(&hole);
                        }
                        None => out.push_str(userinfo),
                    }
                    rest = &after[userinfo_end..];
                }
                None => rest = after,
            }
        }
        out.push_str(rest);
        out
    }
}

/// `--name`'s name: letters, digits, `-`, `_`, `.`, starting with a letter
/// (so `-1` and `-` are not options).
fn is_option_name(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// An assignment's name: `TOKEN`, `db.password`, `api-key`.
fn is_variable_name(name: &str) -> bool {
    name.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Whether `arg` is `--NAME=VALUE` with a secret NAME: a value with
/// spaces is still one value, not a script. (`NAME=VALUE …` with spaces is
/// taken for a script: `sh -c "TOKEN=x ./deploy"`.)
fn is_secret_assignment(arg: &str) -> bool {
    let Some((name, _)) = arg.split_once('=') else {
        return false;
    };
    let option = name.trim_start_matches('-');
    option.len() < name.len() && is_option_name(option) && is_secret_name(option)
}

/// `text` cut into words and what separates them (`true`: a word):
/// whitespace, and in a `script` also `;|&<>()`, outside quotes.
fn words(text: &str, script: bool) -> Vec<(&str, bool)> {
    let mut pieces = Vec::new();
    let mut start = None;
    let mut quote = None;
    for (i, c) in text.char_indices() {
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
            continue;
        }
        if c.is_whitespace() || (script && ";|&<>()".contains(c)) {
            if let Some(s) = start.take() {
                pieces.push((&text[s..i], true));
            }
            pieces.push((&text[i..i + c.len_utf8()], false));
        } else {
            start.get_or_insert(i);
            if script && matches!(c, '\'' | '"') {
                quote = Some(c);
            }
        }
    }
    if let Some(s) = start {
        pieces.push((&text[s..], true));
    }
    pieces
}

/// A secret header found in a text.
struct Header {
    /// Its secret: the value, after the scheme of an `Authorization`.
    value: std::ops::Range<usize>,
    /// Where the text goes on after it: past the quote the header started
    /// with, if it did.
    resume: usize,
}

/// The first secret header in `text`: `Authorization: Bearer ` (the scheme
/// is kept), `X-Api-Key: `; its value runs to the end of the line, or to
/// the quote the header started with.
fn header_value(text: &str) -> Option<Header> {
    let mut offset = 0;
    for word in text.split_inclusive(char::is_whitespace) {
        offset += word.len();
        let Some(written) = word.trim_end().strip_suffix(':') else {
            continue;
        };
        // The name may follow `--header=` or a quote: `-H'Authorization:`.
        let name = written.rsplit(['=', '\'', '"']).next().unwrap_or(written);
        let quote = written[..written.len() - name.len()]
            .chars()
            .next_back()
            .filter(|c| matches!(c, '\'' | '"'));
        let lower = name.to_ascii_lowercase();
        let authorization = lower == "authorization" || lower == "proxy-authorization";
        let header = authorization
            || (lower.contains('-')
                && lower
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                && is_secret_name(&lower));
        if !header {
            continue;
        }
        let line_end = text[offset..]
            .find(['\n', '\r'])
            .map_or(text.len(), |i| offset + i);
        let (end, resume) = match quote.and_then(|q| text[offset..line_end].find(q)) {
            Some(i) => (offset + i, offset + i + 1),
            None => (line_end, line_end),
        };
        let mut value_start = offset;
        let value = &text[offset..end];
        let value_trimmed = value.trim_start();
        value_start += value.len() - value_trimmed.len();
        if authorization
            && let Some((scheme, creds)) = value_trimmed.split_once(' ')
            && !scheme.is_empty()
            && scheme.chars().all(|c| c.is_ascii_alphabetic())
        {
            value_start += scheme.len() + 1 + (creds.len() - creds.trim_start().len());
        }
        let value_end = text[value_start..end].trim_end().len() + value_start;
        if value_start >= value_end {
            return None;
        }
        return Some(Header {
            value: value_start..value_end,
            resume,
        });
    }
    None
}

/// `arg` (secrets as holes) quoted for a POSIX shell: as it is when it is
/// safe, in single quotes otherwise, in `$'…'` when it holds control
/// characters (newlines of a script); the holes read `***`.
pub fn quote(arg: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "_@%+=:,./-".contains(c) || c == HOLE;
    if !arg.is_empty() && arg.chars().all(safe) {
        return arg.replace(HOLE, MASK);
    }
    if arg.chars().any(|c| c.is_control() && c != HOLE) {
        let mut out = String::from("$'");
        for c in arg.chars() {
            match c {
                HOLE => out.push_str(MASK),
                '\\' => out.push_str("\\\\"),
                '\'' => out.push_str("\\'"),
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                '\r' => out.push_str("\\r"),
                c if c.is_control() => {
                    let code = u32::from(c);
                    let _ = if code < 0x80 {
                        write!(out, "\\x{code:02x}")
                    } else {
                        write!(out, "\\u{code:04x}")
                    };
                }
                c => out.push(c),
            }
        }
        out.push('\'');
        return out;
    }
    format!("'{}'", arg.replace('\'', "'\\''").replace(HOLE, MASK))
}

/// How a command ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// It exited with this code.
    Exited(i32),
    /// A signal killed it: its number and name (`SIGKILL`).
    Signalled { number: i32, name: String },
    /// It never ran: why, and the shell's exit code for it (127: not
    /// found, 126: found but not runnable).
    NotStarted { reason: String, code: u8 },
}

impl Outcome {
    /// The exit code inc ends with, as a shell would report it.
    pub fn exit_code(&self) -> u8 {
        match self {
            Outcome::Exited(code) => u8::try_from(*code).unwrap_or(1),
            Outcome::Signalled { number, .. } => {
                u8::try_from(128 + (*number).clamp(0, 127)).unwrap_or(255)
            }
            Outcome::NotStarted { code, .. } => *code,
        }
    }

    /// `exit 0`, `killed by SIGKILL`, `could not start: …`.
    pub fn describe(&self) -> String {
        match self {
            Outcome::Exited(code) => format!("exit {code}"),
            Outcome::Signalled { name, .. } => format!("killed by {name}"),
            Outcome::NotStarted { reason, .. } => format!("could not start: {reason}"),
        }
    }
}

/// `12.4s`, `4m 05s`, `2h 03m`.
pub fn duration(d: Duration) -> String {
    let secs = d.as_secs();
    if secs < 60 {
        // Tenths, rounded down: 59.96 s is not "60.0s".
        let tenths = d.as_millis() / 100;
        format!("{}.{}s", tenths / 10, tenths % 10)
    } else if secs < 3600 {
        format!("{}m {:02}s", secs / 60, secs % 60)
    } else {
        format!("{}h {:02}m", secs / 3600, (secs % 3600) / 60)
    }
}

/// The output kept for the note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Captured {
    /// The last lines, cleaned and masked.
    pub lines: Vec<String>,
    /// How many lines the command printed in all.
    pub total: u64,
    /// The output was still open when the command ended (something it
    /// started in the background holds it): later lines are not kept.
    pub still_open: bool,
}

/// The note `inc exec` records: the command line (masked and quoted) in a
/// code span, how it ended and after how long, and the captured lines in a
/// fence no line of them can close.
pub fn note_text(
    command: &Masked,
    outcome: &Outcome,
    took: Duration,
    captured: Option<&Captured>,
) -> String {
    let line = cut_line(&command.line(), MAX_COMMAND_CHARS, false);
    let mut text = format!("ran {} → {}", code_span(&line), outcome.describe());
    if !matches!(outcome, Outcome::NotStarted { .. }) {
        let _ = write!(text, " after {}", duration(took));
    }
    let Some(captured) = captured else {
        return text;
    };
    if matches!(outcome, Outcome::NotStarted { .. }) {
        return text;
    }
    if captured.lines.is_empty() {
        text.push_str("\n\nno output");
    } else {
        let kept = captured.lines.len() as u64;
        if kept < captured.total {
            let _ = write!(text, "\n\noutput, last {kept} of {} lines:", captured.total);
        } else {
            let _ = write!(
                text,
                "\n\noutput ({kept} line{}):",
                if kept == 1 { "" } else { "s" }
            );
        }
        let longest = captured
            .lines
            .iter()
            .map(|l| longest_run(l, '`'))
            .max()
            .unwrap_or(0);
        let fence = "`".repeat((longest + 1).max(3));
        let _ = write!(text, "\n\n{fence}\n");
        for line in &captured.lines {
            text.push_str(line);
            text.push('\n');
        }
        text.push_str(&fence);
    }
    if captured.still_open {
        text.push_str(
            "\n\nThe output was still open when the command ended (something it started in \
             the background?); what came after is not kept.",
        );
    }
    text
}

/// `s` as a Markdown code span: delimited by one backtick more than its
/// longest run, padded when it starts or ends with one.
fn code_span(s: &str) -> String {
    let ticks = "`".repeat(longest_run(s, '`') + 1);
    if s.starts_with('`') || s.ends_with('`') {
        format!("{ticks} {s} {ticks}")
    } else {
        format!("{ticks}{s}{ticks}")
    }
}

fn longest_run(s: &str, c: char) -> usize {
    let (mut best, mut run) = (0, 0);
    for x in s.chars() {
        if x == c {
            run += 1;
            best = best.max(run);
        } else {
            run = 0;
        }
    }
    best
}

/// The bytes of one line kept before cleaning: enough for 500 characters
/// and the colour codes around them; beyond this the line is cut.
pub const RAW_LINE_BYTES: usize = 4096;
/// The characters of a line in the note; longer lines end in `…`.
pub const LINE_CHARS: usize = 500;
/// The characters of the command line in the note; a longer one (a whole
/// script passed to `sh -c`) ends in `…`.
pub const MAX_COMMAND_CHARS: usize = 2000;
/// The most lines `--capture` keeps.
pub const MAX_CAPTURE: usize = 1000;

/// Which of the command's outputs a chunk came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Out = 0,
    Err = 1,
}

/// The last lines of a command's stdout and stderr, in the order they
/// ended, in bounded memory: at most `keep` lines of at most
/// [`RAW_LINE_BYTES`] each, plus one partial line per stream, whatever the
/// command prints.
#[derive(Debug)]
pub struct Tail {
    keep: usize,
    lines: VecDeque<(Vec<u8>, bool)>,
    /// The line each stream is in the middle of, and whether it was cut.
    partial: [(Vec<u8>, bool); 2],
    total: u64,
}

impl Tail {
    pub fn new(keep: usize) -> Tail {
        Tail {
            keep: keep.max(1),
            lines: VecDeque::with_capacity(keep.clamp(1, MAX_CAPTURE)),
            partial: [(Vec::new(), false), (Vec::new(), false)],
            total: 0,
        }
    }

    /// Takes a chunk of `stream`'s output as it arrived.
    pub fn feed(&mut self, stream: Stream, mut chunk: &[u8]) {
        while !chunk.is_empty() {
            match chunk.iter().position(|&b| b == b'\n') {
                Some(i) => {
                    self.extend(stream, &chunk[..i]);
                    self.end_line(stream);
                    chunk = &chunk[i + 1..];
                }
                None => {
                    self.extend(stream, chunk);
                    break;
                }
            }
        }
    }

    fn extend(&mut self, stream: Stream, bytes: &[u8]) {
        let (line, cut) = &mut self.partial[stream as usize];
        let room = RAW_LINE_BYTES.saturating_sub(line.len());
        if bytes.len() > room {
            *cut = true;
        }
        line.extend_from_slice(&bytes[..bytes.len().min(room)]);
    }

    fn end_line(&mut self, stream: Stream) {
        self.total += 1;
        let mut buffer = if self.lines.len() >= self.keep {
            self.lines.pop_front().map(|(b, _)| b).unwrap_or_default()
        } else {
            Vec::new()
        };
        buffer.clear();
        let (line, cut) = &mut self.partial[stream as usize];
        let line = std::mem::replace(line, buffer);
        let cut = std::mem::take(cut);
        self.lines.push_back((line, cut));
    }

    /// The kept lines, a last line without a newline included, cleaned
    /// (escape sequences and control characters out), masked, cut to
    /// [`LINE_CHARS`]; `still_open` as [`Captured`] says.
    pub fn finish(mut self, secrets: &[String], still_open: bool) -> Captured {
        for stream in [Stream::Out, Stream::Err] {
            let (line, cut) = &self.partial[stream as usize];
            if !line.is_empty() || *cut {
                self.end_line(stream);
            }
        }
        let lines = self
            .lines
            .iter()
            .map(|(raw, cut)| {
                let clean = clean_line(raw);
                cut_line(&mask_line(&clean, secrets), LINE_CHARS, *cut)
            })
            .collect();
        Captured {
            lines,
            total: self.total,
            still_open,
        }
    }
}

/// A raw line as a terminal would last show it, as plain text: escape
/// sequences (colours, cursor moves, titles) removed, only what follows
/// the last carriage return (a progress bar's final state), other control
/// characters but tabs removed.
pub fn clean_line(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    let plain = strip_escapes(&text);
    let line = plain.strip_suffix('\r').unwrap_or(&plain);
    let line = line.rfind('\r').map_or(line, |i| &line[i + 1..]);
    line.chars()
        .filter(|c| *c == '\t' || !c.is_control())
        .collect()
}

/// `s` without ANSI escape sequences: CSI (`ESC [ … final`), OSC and other
/// strings (`ESC ] … BEL` or `ESC \`), and two-character escapes.
fn strip_escapes(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\x1b' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('[') => {
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
            Some(']' | 'P' | 'X' | '^' | '_') => {
                while let Some(c) = chars.next() {
                    if c == '\x07' {
                        break;
                    }
                    if c == '\x1b' && chars.peek() == Some(&'\\') {
                        chars.next();
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// At most `max` characters, ending in `…` when cut here or before (`cut`).
fn cut_line(line: &str, max: usize, cut: bool) -> String {
    if line.chars().count() > max {
        let mut s: String = line.chars().take(max - 1).collect();
        s.push('…');
        s
    } else if cut {
        format!("{line}…")
    } else {
        line.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(argv: &[&str]) -> String {
        let argv: Vec<String> = argv.iter().map(|s| (*s).to_owned()).collect();
        mask_command(&argv).line()
    }

    #[test]
    fn command_lines_are_masked() {
        let cases: &[(&[&str], &str)] = &[
            (&["deploy", "--password=hunter2"], "deploy --password=***"),
            (
                &["deploy", "--password", "hunter2", "x"],
                "deploy --password *** x",
            ),
            (&["deploy", "-password", "hunter2"], "deploy -password ***"),
            (
                &["keytool", "-storepass", "changeit"],
                "keytool -storepass ***",
            ),
            (
                &["x", "--db-Passwd=a", "--api-key=b"],
                "x --db-Passwd=*** --api-key=***",
            ),
            (&["x", "--client-secret", "s"], "x --client-secret ***"),
            (
                &["x", "--auth-token", "t", "--verbose"],
                "x --auth-token *** --verbose",
            ),
            (&["x", "--credentials=c"], "x --credentials=***"),
            // The value of a secret option, even one starting with `-`.
            (&["x", "--token", "-abc"], "x --token ***"),
            // A flag with a secret name followed by another option.
            (&["x", "--no-auth", "--verbose"], "x --no-auth --verbose"),
            (
                &["env", "API_TOKEN=abc", "Db_Password=p", "PATH=/bin", "cmd"],
                "env API_TOKEN=*** Db_Password=*** PATH=/bin cmd",
            ),
            (&["TOKEN=abc"], "TOKEN=***"),
            (
                &["k", "--from-literal=password=hunter2"],
                "k --from-literal=password=***",
            ),
            (
                &["helm", "--set", "image.tag=v2,db.password=pw,x=1"],
                "helm --set image.tag=v2,db.password=***,x=1",
            ),
            (
                &["java", "-Ddb.password=s3cret", "-jar", "a.jar"],
                "java -Ddb.password=*** -jar a.jar",
            ),
            // Options that name a secret, not hold one.
            (
                &["x", "--password-file", "/run/pw", "--key-id", "k1"],
                "x --password-file /run/pw --key-id k1",
            ),
            (
                &["docker", "login", "--password-stdin", "registry"],
                "docker login --password-stdin registry",
            ),
            (
                &["git", "commit", "--author", "Al <a@b>"],
                "git commit --author 'Al <a@b>'",
            ),
            (
                &["x", "--bypass-cache", "--passive"],
                "x --bypass-cache --passive",
            ),
            // URLs.
            (
                &["psql", "postgres://app:pw123@db:5432/app"],
                "psql postgres://app:***@db:5432/app",
            ),
            (
                &[
                    "git",
                    "clone",
                    "https://ghp_0123456789abcdefghij@github.com/o/r",
                ],
                "git clone https://***@github.com/o/r",
            ),
            (
                &["git", "clone", "ssh://git@github.com/o/r"],
                "git clone ssh://git@github.com/o/r",
            ),
            (
                &["x", "--url=https://u:p@h/x?y=1"],
                "x '--url=https://u:***@h/x?y=1'",
            ),
            (
                &["x", "DATABASE_URL=mysql://root:rootpw@localhost/db"],
                "x DATABASE_URL=mysql://root:***@localhost/db",
            ),
            // Headers.
            (
                &["curl", "-H", "Authorization: Bearer abc.def", "https://api"],
                "curl -H 'Authorization: Bearer ***' https://api",
            ),
            (
                &["curl", "-H", "authorization: Basic dXNlcjpwdw=="],
                "curl -H 'authorization: Basic ***'",
            ),
            (
                &[
                    "git",
                    "-c",
                    "http.extraHeader=Authorization: Basic eHk=",
                    "fetch",
                ],
                "git -c 'http.extraHeader=Authorization: Basic ***' fetch",
            ),
            (
                &["openssl", "pkcs12", "-passin", "pass:xyz", "-in", "a.p12"],
                "openssl pkcs12 -passin *** -in a.p12",
            ),
            (
                &["curl", "--header=Authorization: Bearer t0k"],
                "curl '--header=Authorization: Bearer ***'",
            ),
            (
                &["sh", "-c", "curl -H\"Private-Token: t0k\" u --token x"],
                "sh -c 'curl -H\"Private-Token: ***\" u --token ***'",
            ),
            (
                &["curl", "-H", "X-Api-Key: k123", "-H", "Accept: text/plain"],
                "curl -H 'X-Api-Key: ***' -H 'Accept: text/plain'",
            ),
            // Short options, only for the programs they are known for.
            (
                &["mysql", "-uroot", "-phunter2", "db"],
                "mysql -uroot -p*** db",
            ),
            (
                &["sudo", "/usr/bin/mysqldump", "-pS3cret"],
                "sudo /usr/bin/mysqldump -p***",
            ),
            (&["mysql", "-p", "db"], "mysql -p db"),
            (&["psql", "-p", "5432", "-h", "db"], "psql -p 5432 -h db"),
            (&["ssh", "-p", "2222", "host"], "ssh -p 2222 host"),
            (
                &["curl", "-u", "admin:hunter2", "https://x"],
                "curl -u admin:*** https://x",
            ),
            (
                &["curl", "--user=admin:pw", "-uadm:pw2"],
                "curl --user=admin:*** -uadm:***",
            ),
            (
                &["docker", "run", "-u", "1000:1000", "img"],
                "docker run -u 1000:1000 img",
            ),
            (&["redis-cli", "-a", "pw", "ping"], "redis-cli -a *** ping"),
            (&["sshpass", "-p", "pw", "ssh", "h"], "sshpass -p *** ssh h"),
            // Scripts are masked word by word.
            (
                &[
                    "sh",
                    "-c",
                    "TOKEN=abc ./deploy --password pw && mysql -pxyz",
                ],
                "sh -c 'TOKEN=*** ./deploy --password *** && mysql -p***'",
            ),
            (
                &[
                    "sh",
                    "-c",
                    "curl -H 'Authorization: Bearer tok' https://a | jq .",
                ],
                "sh -c 'curl -H '\\''Authorization: Bearer ***'\\'' https://a | jq .'",
            ),
            (
                &["sh", "-c", "echo TOKEN=abc; exit 0"],
                "sh -c 'echo TOKEN=***; exit 0'",
            ),
            (
                &["sh", "-c", "TOKEN=\"a b\" run|tee x"],
                "sh -c 'TOKEN=*** run|tee x'",
            ),
            (
                &["sh", "-c", "run '--password=p w' && x --key \"k k\" y"],
                "sh -c 'run '\\''--password=***'\\'' && x --key *** y'",
            ),
            (
                &["sh", "-c", "curl -H 'X-Api-Key: k' --password p2 x"],
                "sh -c 'curl -H '\\''X-Api-Key: ***'\\'' --password *** x'",
            ),
            (&["x", "--password=a b;c"], "x --password=***"),
            // Nothing secret: left alone.
            (
                &["kubectl", "rollout", "restart", "deploy/api"],
                "kubectl rollout restart deploy/api",
            ),
            (
                &["ls", "-la", "--sort=size", "-", "--", "-1"],
                "ls -la --sort=size - -- -1",
            ),
        ];
        let wrong: Vec<String> = cases
            .iter()
            .filter(|(argv, want)| masked(argv) != *want)
            .map(|(argv, want)| format!("{argv:?}\n  got:  {}\n  want: {want}", masked(argv)))
            .collect();
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn secrets_are_collected_for_the_output() {
        let argv: Vec<String> = ["x", "--token=abcdef", "PASS=longer-one", "u://a:pw@h"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        let m = mask_command(&argv);
        assert_eq!(m.secrets, vec!["longer-one", "abcdef", "pw"]);
        let script = mask_command(&[
            "sh".to_owned(),
            "-c".to_owned(),
            "TOKEN='quoted' x".to_owned(),
        ]);
        assert_eq!(script.secrets, vec!["quoted"]);
        assert_eq!(
            mask_line("got abcdef and longer-one, pw stays", &m.secrets),
            "got *** and ***, pw stays"
        );
    }

    #[test]
    fn output_lines_are_masked() {
        let cases = [
            (
                "> Authorization: Bearer eyJ.x.y",
                "> Authorization: Bearer ***",
            ),
            (
                "connecting to postgres://app:pw@db/x",
                "connecting to postgres://app:***@db/x",
            ),
            ("export API_KEY=abc", "export API_KEY=***"),
            ("it's the password=abc", "it's the password=***"),
            (
                "authentication: failed, bad password",
                "authentication: failed, bad password",
            ),
            ("nothing to see", "nothing to see"),
        ];
        for (line, want) in cases {
            assert_eq!(mask_line(line, &[]), want, "{line}");
        }
    }

    #[test]
    fn quoting_round_trips_through_a_shell_reading() {
        let cases = [
            ("plain", "plain"),
            ("", "''"),
            ("two words", "'two words'"),
            ("it's", "'it'\\''s'"),
            ("*.log", "'*.log'"),
            ("$HOME", "'$HOME'"),
            ("a\nb", "$'a\\nb'"),
            ("tab\there 'q'", "$'tab\\there \\'q\\''"),
            ("esc\x1b[0m\u{85}", "$'esc\\x1b[0m\\u0085'"),
            ("~/x", "'~/x'"),
            ("a=b,c:d@e%f+g/h.i-j_k", "a=b,c:d@e%f+g/h.i-j_k"),
        ];
        for (arg, want) in cases {
            assert_eq!(quote(arg), want, "{arg:?}");
        }
    }

    #[test]
    fn outcomes_read_as_a_shell_reports_them() {
        assert_eq!(Outcome::Exited(0).exit_code(), 0);
        assert_eq!(Outcome::Exited(3).describe(), "exit 3");
        let killed = Outcome::Signalled {
            number: 9,
            name: "SIGKILL".to_owned(),
        };
        assert_eq!(killed.exit_code(), 137);
        assert_eq!(killed.describe(), "killed by SIGKILL");
        let missing = Outcome::NotStarted {
            reason: "No such file or directory".to_owned(),
            code: 127,
        };
        assert_eq!(missing.exit_code(), 127);
        assert_eq!(
            missing.describe(),
            "could not start: No such file or directory"
        );
    }

    #[test]
    fn durations_read_short() {
        let cases = [
            (Duration::from_millis(0), "0.0s"),
            (Duration::from_millis(12_449), "12.4s"),
            (Duration::from_millis(59_999), "59.9s"),
            (Duration::from_secs(245), "4m 05s"),
            (Duration::from_secs(7380), "2h 03m"),
        ];
        for (d, want) in cases {
            assert_eq!(duration(d), want);
        }
    }

    #[test]
    fn the_tail_keeps_the_last_lines_across_streams_in_order() {
        let mut tail = Tail::new(3);
        tail.feed(Stream::Out, b"one\ntw");
        tail.feed(Stream::Err, b"err one\n");
        tail.feed(Stream::Out, b"o\nthree\nfour");
        tail.feed(Stream::Err, b"err two (no newline)");
        let captured = tail.finish(&[], false);
        assert_eq!(
            captured.lines,
            vec!["three", "four", "err two (no newline)"]
        );
        assert_eq!(captured.total, 6);
    }

    #[test]
    fn the_tail_stays_bounded() {
        let mut tail = Tail::new(2);
        let chunk = vec![b'a'; 1 << 20];
        for _ in 0..20 {
            tail.feed(Stream::Out, &chunk);
        }
        assert!(tail.partial[0].0.len() <= RAW_LINE_BYTES);
        for _ in 0..100_000 {
            tail.feed(Stream::Err, b"y\n");
        }
        assert_eq!(tail.lines.len(), 2);
        let captured = tail.finish(&[], false);
        assert_eq!(captured.total, 100_001);
        let long = &captured.lines[1];
        assert_eq!(long.chars().count(), LINE_CHARS);
        assert!(long.ends_with('…'));
    }

    #[test]
    fn lines_are_cleaned_of_escapes_and_controls() {
        let cases: &[(&[u8], &str)] = &[
            (b"\x1b[1;31merror\x1b[0m: bad", "error: bad"),
            (b"\x1b]0;title\x07shown", "shown"),
            (b"\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\", "link"),
            (b"10%\r50%\r100%\r", "100%"),
            (b"crlf\r", "crlf"),
            (
                b"bell\x07 back\x08 nul\x00 tab\tok",
                "bell back nul tab\tok",
            ),
            (b"bad \xff utf8", "bad \u{fffd} utf8"),
        ];
        for (raw, want) in cases {
            assert_eq!(clean_line(raw), *want, "{raw:?}");
        }
    }

    #[test]
    fn the_note_fences_output_it_cannot_be_closed_by() {
        let command = mask_command(&["make".to_owned(), "deploy".to_owned()]);
        let captured = Captured {
            lines: vec!["```".to_owned(), "ok ````` done".to_owned()],
            total: 10,
            still_open: false,
        };
        let text = note_text(
            &command,
            &Outcome::Exited(2),
            Duration::from_millis(1500),
            Some(&captured),
        );
        assert_eq!(
            text,
            "ran `make deploy` → exit 2 after 1.5s\n\n\
             output, last 2 of 10 lines:\n\n\
             ``````\n```\nok ````` done\n``````"
        );
    }

    #[test]
    fn a_huge_command_line_is_cut() {
        let script = format!("echo {}", "x".repeat(5000));
        let command = mask_command(&["sh".to_owned(), "-c".to_owned(), script]);
        let text = note_text(&command, &Outcome::Exited(0), Duration::ZERO, None);
        let frame = "ran `` → exit 0 after 0.0s".chars().count();
        assert_eq!(text.chars().count(), frame + MAX_COMMAND_CHARS);
        assert!(text.ends_with("xx…` → exit 0 after 0.0s"), "{text}");
    }

    #[test]
    fn code_spans_hold_backticks() {
        assert_eq!(code_span("a"), "`a`");
        assert_eq!(code_span("echo `date`"), "`` echo `date` ``");
        assert_eq!(code_span("a``b"), "```a``b```");
    }
}
