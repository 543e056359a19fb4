//! Masking secrets, for `inc exec`: in a command line and in its output,
//! and quoting the command line so it can be pasted back into a shell.
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

use std::fmt::Write as _;

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
