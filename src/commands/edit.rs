//! `inc edit`: an incident's header (or its postmortem draft) in the
//! user's editor, checked as `inc check` checks it, and committed alone.
//!
//! The editor gets a copy, never the file itself: a copy in `.git/` (else
//! `.inc/`), named `inc-edit-<ID>-….incident.yaml` (or `.postmortem.md`) so
//! editors highlight it and a person who finds it knows whose it is. A
//! killed editor, or a killed inc, leaves the file as it was. The copy is
//! removed on the way out, unless inc wrote nothing of what the person
//! typed: then it is kept, and inc says where. A copy an earlier edit
//! left (kept so, or left by an inc killed with its terminal) is named at
//! the start of the next edit of that file, so typed text is not lost in
//! `.git/` unseen.
//!
//! No lock is held while the editor is open (that may be minutes, and
//! alerts and notes must go on being recorded). Under the lock, before
//! writing, the file must still be what the editor started from; if
//! another command or a person changed it meanwhile, nothing is written.
//!
//! A header that had changes not committed is committed whole, those
//! changes with it: the person saw all of it in the editor and saved it.
//! (`Edit::Replace` would refuse; `Edit::Rewrite` to the saved text
//! commits exactly what was saved.)

use std::path::Path;
use std::process::{Command as Process, ExitCode};

use anyhow::{Result, bail};

use crate::app::{App, Env};
use crate::cli::{EditArgs, EditFile};
use crate::error::{UserError, WithHint, user_error_with_hint};
use crate::model::check::{self, FileText, Level, Rules};
use crate::model::{Header, id};
use crate::render::postmortem;
use crate::render::text::one_line;
use crate::store::change::{Change, Edit, blob_id};
use crate::store::templates::{POSTMORTEM_FILE, postmortem_path, read_draft};
use crate::store::{HEADER_FILE, Store, scan};
use crate::ui::Ui;

mod copy;

use copy::Copy;

/// The editor when neither `VISUAL` nor `EDITOR` is set.
const DEFAULT_EDITOR: &str = "vi";

/// The file being edited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Header,
    Postmortem,
}

impl Kind {
    fn file_name(self) -> &'static str {
        match self {
            Kind::Header => HEADER_FILE,
            Kind::Postmortem => POSTMORTEM_FILE,
        }
    }

    /// A line of inc's own at the top of the file: `# inc: …` in YAML,
    /// `<!-- inc: … -->` in Markdown.
    fn comment(self, text: &str) -> String {
        match self {
            Kind::Header => format!("# inc: {}\n", one_line(text, usize::MAX)),
            Kind::Postmortem => format!(
                "<!-- inc: {} -->\n",
                one_line(text, usize::MAX).replace("-->", "->")
            ),
        }
    }

    fn is_comment(self, line: &str) -> bool {
        let line = line.trim_end_matches(['\r', '\n']);
        match self {
            Kind::Header => line.starts_with("# inc: ") || line == "# inc:",
            Kind::Postmortem => line.starts_with("<!-- inc: ") && line.ends_with("-->"),
        }
    }
}

/// A problem with the text, at a line of it (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Problem {
    line: usize,
    rule: &'static str,
    message: String,
}

pub fn run(app: &App, ui: &Ui, env: &Env, args: &EditArgs) -> Result<ExitCode> {
    let kind = match args.file {
        EditFile::Incident => Kind::Header,
        EditFile::Postmortem => Kind::Postmortem,
        EditFile::Timeline => {
            return Err(user_error_with_hint(
                "timeline.yaml is append-only: inc edit does not rewrite it",
                "add to it instead: `inc note ID TEXT` (a correction is a note saying what \
                 was wrong), `inc update`, `inc status`, `inc severity`",
            ));
        }
    };
    let id = app.find_incident(args.id.as_deref())?;
    let rel = match kind {
        Kind::Header => Store::header_path(&id),
        Kind::Postmortem => postmortem_path(&id),
    };
    let shown = rel.display().to_string();
    let original = read_draft(&app.store, &rel)?;
    let start = match (&original, kind) {
        (Some(text), _) => text.clone(),
        (None, Kind::Header) => {
            return Err(user_error_with_hint(
                format!("{shown} is missing"),
                format!("`git checkout -- {shown}` restores it from git"),
            ));
        }
        (None, Kind::Postmortem) => {
            ui.status(&format!(
                "{id} has no postmortem yet: editing the draft `inc postmortem {id}` would write"
            ));
            super::postmortem::new_draft(app, &id)?
        }
    };
    let before = problems(app, &id, kind, &start);
    let editor = env
        .editor
        .clone()
        .unwrap_or_else(|| DEFAULT_EDITOR.to_owned());
    for left in Copy::left_over(app, &id, kind) {
        ui.warn(&format!(
            "an earlier `inc edit` of {shown} left a copy that may hold text you typed: {}",
            left.display()
        ));
        ui.hint("take what you need from it into this edit, then remove it");
    }
    let copy = Copy::new(app, &id, kind)?;

    // What the editor is given (without inc's comments), and the problems
    // shown on top of it.
    let mut given = start.clone();
    let mut shown_problems: Vec<Problem> = before.clone();
    let mut intro: Option<Vec<String>> = (!before.is_empty()).then(|| {
        vec![format!(
            "`inc check` finds these problems in {} already (lines as the editor numbers them):",
            kind.file_name()
        )]
    });
    let saved = loop {
        let comments = match &intro {
            Some(intro) => comment_block(kind, intro, &shown_problems),
            None => String::new(),
        };
        copy.write(&format!("{comments}{given}"))?;
        if let Err(why) = run_editor(&editor, copy.path()) {
            return give_up(ui, copy, &start, kind, intro.is_some(), &why);
        }
        let raw = match copy.read()? {
            Some(raw) => raw,
            None => {
                let kept = copy.keep();
                return Err(user_error_with_hint(
                    "the file the editor saved is not UTF-8 text; nothing was written",
                    format!("it is kept in {}", kept.display()),
                ));
            }
        };
        let text = if intro.is_some() {
            strip_comments(kind, &raw)
        } else {
            raw
        };
        if text == start {
            copy.remove();
            if original.is_none() {
                ui.status(&format!(
                    "The draft is unchanged, so inc wrote nothing; `inc postmortem {id}` writes it as it is."
                ));
                return Ok(ExitCode::SUCCESS);
            }
            ui.status(&format!("{shown} is unchanged; nothing to commit."));
            if !before.is_empty() {
                ui.hint(&format!(
                    "{shown} still has the problems shown; `inc check` lists them"
                ));
            }
            return Ok(ExitCode::SUCCESS);
        }
        if text.trim().is_empty() {
            if given == start {
                copy.remove();
                bail!("you emptied {shown}, so inc gave up; nothing was written");
            }
            // What was typed before the errors were shown is kept.
            copy.write(&given)?;
            let kept = copy.keep();
            return Err(user_error_with_hint(
                format!("you emptied {shown}, so inc gave up; nothing was written"),
                format!("the text you saved before is kept in {}", kept.display()),
            ));
        }
        if intro.is_some() && text == given {
            let kept = copy.keep();
            return Err(user_error_with_hint(
                format!(
                    "{shown} was saved without a change after the errors were shown, so inc gave up; \
                     nothing was written"
                ),
                format!(
                    "your text is kept in {}; `inc edit` again starts \
                     from {shown} as it is",
                    kept.display()
                ),
            ));
        }
        let now = problems(app, &id, kind, &text);
        // Problems the file had before the edit (an overdue postmortem, a
        // service since removed from inc.yaml) are not the edit's to fix;
        // a header that does not parse is always the edit's.
        let blocking: Vec<Problem> = now
            .into_iter()
            .filter(|p| {
                p.rule == "header"
                    || !before
                        .iter()
                        .any(|b| b.rule == p.rule && b.message == p.message)
            })
            .collect();
        if blocking.is_empty() {
            break text;
        }
        intro = Some(vec![
            format!(
                "{} is not valid: fix it and save (lines as the editor numbers them).",
                kind.file_name()
            ),
            "To give up, save it unchanged (your text is kept) or empty it. \
             inc removes these lines."
                .to_owned(),
        ]);
        given = text;
        shown_problems = blocking;
    };

    // From here on, any failure keeps what was saved, without inc's lines.
    let keep = |copy: Copy| -> String {
        let _ = copy.write(&saved);
        copy.keep().display().to_string()
    };
    match commit(app, ui, &id, kind, &rel, original.as_deref(), &saved) {
        Ok(true) => {}
        Ok(false) => {
            return Err(user_error_with_hint(
                format!(
                    "{shown} changed while you were editing it (another inc command, or a person, \
                     wrote it); inc wrote nothing, so as not to undo that change"
                ),
                format!(
                    "your text is kept in {}; run `inc edit` again and carry your change over",
                    keep(copy)
                ),
            ));
        }
        Err(e) => return Err(e.with_hint(format!("your text is kept in {}", keep(copy)))),
    }
    copy.remove();
    ui.status(&format!("Saved {shown}."));
    for p in problems(app, &id, kind, &saved) {
        ui.warn(&format!("{shown}:{}: {}", p.line, p.message));
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes and commits `saved` as `rel`, under the lock, unless the file
/// is no longer `original` (what the editor started from): the editor may
/// have been open for minutes, and writing over someone's change would
/// undo it. `false`: it changed, and nothing was written.
fn commit(
    app: &App,
    ui: &Ui,
    id: &str,
    kind: Kind,
    rel: &Path,
    original: Option<&str>,
    saved: &str,
) -> Result<bool> {
    let _lock = app.lock()?;
    if read_draft(&app.store, rel)?.as_deref() != original {
        return Ok(false);
    }
    if let Some(text) = original {
        note_uncommitted(app, ui, rel, text)?;
    }
    let bytes = saved.as_bytes().to_vec();
    let edit = match original {
        Some(_) => Edit::Rewrite(Box::new(move |_| Ok(bytes.clone()))),
        None => Edit::Create(bytes),
    };
    let change = Change {
        files: vec![(rel.to_path_buf(), edit)],
        new_dir: None,
    };
    let message = format!(
        "inc({id}): edit {}\n\nInc-Id: {id}\nInc-Event: edit\n",
        kind.file_name()
    );
    app.change_with_message(ui, &change, &message)?;
    Ok(true)
}

/// Ends an edit that wrote nothing: the copy is kept when it holds text
/// the person typed, and the message says where.
fn give_up(
    ui: &Ui,
    copy: Copy,
    start: &str,
    kind: Kind,
    commented: bool,
    why: &UserError,
) -> Result<ExitCode> {
    let typed = match copy.read() {
        Ok(Some(raw)) => {
            let text = if commented {
                strip_comments(kind, &raw)
            } else {
                raw
            };
            text != start && !text.trim().is_empty()
        }
        Ok(None) => true,
        Err(_) => false,
    };
    ui.error(&format!("{}; nothing was written", why.message()));
    for hint in why.hints() {
        ui.hint(hint);
    }
    if typed {
        let kept = copy.keep();
        ui.hint(&format!("what you typed is kept in {}", kept.display()));
    } else {
        copy.remove();
    }
    Ok(ExitCode::FAILURE)
}

/// inc's comment lines: `intro`, then one line per problem, with line
/// numbers as the editor shows them (after these lines).
fn comment_block(kind: Kind, intro: &[String], problems: &[Problem]) -> String {
    let offset = intro.len() + problems.len();
    let mut out: String = intro.iter().map(|line| kind.comment(line)).collect();
    for p in problems {
        out.push_str(&kind.comment(&format!("line {}: {}", p.line + offset, p.message)));
    }
    out
}

/// The text without inc's comment lines at its top.
fn strip_comments(kind: Kind, raw: &str) -> String {
    let mut rest = raw;
    while let Some(line) = rest.split_inclusive('\n').next()
        && kind.is_comment(line)
    {
        rest = &rest[line.len()..];
    }
    rest.to_owned()
}

/// What stops `text` being the file: for a header, the errors `inc check`
/// finds in it (parse errors with their line, unknown keys, values not in
/// inc.yaml, the limits), with the rest of the incident as it is on disk;
/// for a postmortem, generated-block markers that don't pair up (which
/// `inc postmortem` needs to refresh it).
fn problems(app: &App, id: &str, kind: Kind, text: &str) -> Vec<Problem> {
    match kind {
        Kind::Header => {
            let dir = scan::Dir {
                year: id::year(id).to_owned(),
                name: id.to_owned(),
            };
            let mut files = scan::read(app.store.root(), &dir);
            files.header.text = FileText::Text(text.to_owned());
            let rules = Rules::new(&app.config, app.now, app.zone);
            let mut found: Vec<Problem> = check::incident(&files, &rules)
                .findings
                .into_iter()
                .filter(|f| f.level == Level::Error && f.file == files.header.path)
                .map(|f| Problem {
                    line: f.line,
                    rule: f.rule,
                    message: f.message,
                })
                .collect();
            found.extend(id_key(id, text));
            found.sort_by_key(|p| p.line);
            found
        }
        Kind::Postmortem => match postmortem::blocks(text) {
            Ok(_) => Vec::new(),
            Err(e) => vec![Problem {
                line: e.line,
                rule: "markers",
                message: format!(
                    "{}; `inc postmortem` refreshes the blocks between these markers",
                    e.message
                ),
            }],
        },
    }
}

/// The ID is the folder's name: an `id:` key naming another incident would
/// read as a rename that did not happen.
fn id_key(id: &str, text: &str) -> Option<Problem> {
    let header = Header::from_yaml(text).ok()?;
    let value = header.extra.get("id")?;
    if value.as_str() == Some(id) {
        return None;
    }
    let line = text
        .lines()
        .position(|l| l.starts_with("id:"))
        .map_or(1, |n| n + 1);
    Some(Problem {
        line,
        rule: "id",
        message: format!(
            "the ID is the folder's name ({id}), and an edit can't change it; remove `id`"
        ),
    })
}

/// Says so when the header had changes not committed, which the commit
/// now holds too.
fn note_uncommitted(app: &App, ui: &Ui, rel: &Path, text: &str) -> Result<()> {
    let Some(git) = app.git().filter(|_| app.commits()) else {
        return Ok(());
    };
    let Some(head) = git.head_commit()? else {
        return Ok(());
    };
    if git.blob_at(&head, rel)?.as_deref() != Some(blob_id(text.as_bytes()).as_str()) {
        ui.status(&format!(
            "{} had changes not committed; they are in this commit too, as you saw them",
            rel.display()
        ));
    }
    Ok(())
}

/// Runs the editor on `file` the way git does: `sh -c '<editor> "$@"'
/// <editor> <file>`, so `code --wait` or `vim -u NONE` work.
fn run_editor(editor: &str, file: &Path) -> Result<(), UserError> {
    let _editing = crate::prompt::Editing::start();
    let status = Process::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$@\""))
        .arg(editor)
        .arg(file)
        .status();
    match status {
        Ok(s) if s.success() => Ok(()),
        // sh's own "not found".
        Ok(s) if s.code() == Some(127) => Err(UserError::new(format!(
            "the editor (`{}`) could not be started",
            one_line(editor, 80)
        ))
        .with_hint("set VISUAL or EDITOR to your editor's command (`vim`, `nano`, `code --wait`)")),
        Ok(s) => Err(UserError::new(format!(
            "the editor (`{}`) {}",
            one_line(editor, 80),
            match s.code() {
                Some(code) => format!("exited with status {code}"),
                None => "was killed".to_owned(),
            }
        ))),
        Err(e) => Err(UserError::new(format!(
            "can't run the editor (`{}`) through sh: {e}",
            one_line(editor, 80)
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_are_stripped_only_at_the_top() {
        let block = comment_block(
            Kind::Header,
            &["not valid".to_owned()],
            &[Problem {
                line: 2,
                rule: "x",
                message: "bad\nthing".into(),
            }],
        );
        assert_eq!(block, "# inc: not valid\n# inc: line 4: bad thing\n");
        let text = "title: a\n# inc: mine\n";
        assert_eq!(
            strip_comments(Kind::Header, &format!("{block}{text}")),
            text
        );
        let md = comment_block(Kind::Postmortem, &["a --> b".to_owned()], &[]);
        assert_eq!(md, "<!-- inc: a -> b -->\n");
        let draft = "<!-- inc:begin facts -->\nx\n<!-- inc:end facts -->\n";
        assert_eq!(
            strip_comments(Kind::Postmortem, &format!("{md}{draft}")),
            draft
        );
        assert_eq!(strip_comments(Kind::Postmortem, draft), draft);
    }
}
