//! `inc edit`: the header (or postmortem) in $VISUAL/$EDITOR, checked,
//! re-opened with the errors on top, committed alone; the editor is a
//! small shell script here.

use std::fs;
use std::path::PathBuf;

use crate::harness::{TestRepo, inc_bin};

/// Writes an executable shell script `name` in the test's temp folder
/// (outside the repository) and returns its path.
fn script(repo: &TestRepo, name: &str, body: &str) -> String {
    let path = repo.base().join(name);
    fs::write(&path, format!("#!/bin/sh\nset -e\n{body}\n")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
    }
    path.to_string_lossy().into_owned()
}

/// An editor that changes the title.
fn retitle(repo: &TestRepo) -> String {
    script(
        repo,
        "retitle",
        r#"sed -i 's/^title: .*/title: Checkout down in eu-west/' "$1""#,
    )
}

/// An editor that behaves by call: its Nth call copies the file it was
/// given to `seen.N` (beside the script) and runs `steps[N-1]` on it
/// (`$1`); past the last step it does nothing.
fn by_call(repo: &TestRepo, steps: &[&str]) -> String {
    let base = repo.base().to_string_lossy().into_owned();
    let mut cases = String::new();
    for (i, step) in steps.iter().enumerate() {
        cases.push_str(&format!("  {}) {step} ;;\n", i + 1));
    }
    script(
        repo,
        "by-call",
        &format!(
            "n=$(cat '{base}/calls' 2>/dev/null || echo 0)\n\
             n=$((n + 1))\n\
             echo $n > '{base}/calls'\n\
             cp \"$1\" \"{base}/seen.$n\"\n\
             case $n in\n{cases}esac"
        ),
    )
}

/// What the Nth editor call was given.
fn seen(repo: &TestRepo, n: usize) -> String {
    fs::read_to_string(repo.base().join(format!("seen.{n}"))).unwrap()
}

fn calls(repo: &TestRepo) -> usize {
    fs::read_to_string(repo.base().join("calls")).map_or(0, |s| s.trim().parse().unwrap())
}

/// inc's copies left in `.git/`.
fn leftovers(repo: &TestRepo) -> Vec<PathBuf> {
    fs::read_dir(repo.path(".git"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("inc-edit-")
        })
        .collect()
}

/// The path after "kept in " in inc's output.
fn kept_path(stderr: &str) -> PathBuf {
    let at = stderr.find("kept in ").expect("says where the text is") + "kept in ".len();
    let rest = &stderr[at..];
    let end = rest.find([';', '\n']).unwrap_or(rest.len());
    PathBuf::from(rest[..end].trim())
}

fn header(repo: &TestRepo, id: &str) -> String {
    repo.read(TestRepo::header_path(id))
}

#[test]
fn a_valid_edit_commits_exactly_that_file() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout down", "SEV2");
    let commits = repo.commit_count();
    let out = repo
        .inc()
        .args(["edit", &id])
        .env("EDITOR", retitle(&repo))
        .ok();
    assert!(
        header(&repo, &id).contains("title: Checkout down in eu-west\n"),
        "{out}"
    );
    assert_eq!(repo.commit_count(), commits + 1);
    assert_eq!(repo.head_files(), [TestRepo::header_path(&id)]);
    assert!(
        repo.head_message()
            .starts_with(&format!("inc({id}): edit incident.yaml\n")),
        "{}",
        repo.head_message()
    );
    assert_eq!(repo.head_trailer("Inc-Id"), [id.as_str()]);
    assert_eq!(repo.head_trailer("Inc-Event"), ["edit"]);
    assert_eq!(repo.git_status(), "");
    assert_eq!(leftovers(&repo), Vec::<PathBuf>::new());
    // The only open incident is the default.
    repo.inc()
        .arg("edit")
        .env(
            "EDITOR",
            script(&repo, "summary", r#"echo 'summary: fixed' >> "$1""#),
        )
        .ok();
    assert!(header(&repo, &id).ends_with("summary: fixed\n"));
    assert_eq!(repo.commit_count(), commits + 2);
}

#[test]
fn an_unchanged_file_commits_nothing() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout down", "SEV2");
    let before = repo.state();
    repo.inc()
        .args(["edit", &id])
        .env("EDITOR", "true")
        .ok()
        .stderr_has(&["unchanged; nothing to commit"]);
    repo.assert_unchanged(&before);
    assert_eq!(leftovers(&repo), Vec::<PathBuf>::new());
}

#[test]
fn an_invalid_edit_reopens_with_the_errors_on_top_then_commits_the_fix() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout down", "SEV2");
    let editor = by_call(
        &repo,
        &[
            r#"echo 'privat: true' >> "$1""#,
            r#"sed -i 's/^privat:/private:/' "$1""#,
        ],
    );
    let out = repo.inc().args(["edit", &id]).env("EDITOR", editor).ok();
    assert_eq!(calls(&repo), 2, "{out}");
    let second = seen(&repo, 2);
    let lines: Vec<&str> = second.lines().collect();
    assert!(
        lines[0].starts_with("# inc: ") && lines[1].starts_with("# inc: "),
        "{second}"
    );
    let error = lines[2];
    assert!(
        error.contains("unknown key `privat`") && error.contains("did you mean `private`"),
        "{second}"
    );
    // The line number is the editor's: it points at the bad line.
    let n: usize = error
        .strip_prefix("# inc: line ")
        .and_then(|r| r.split(':').next())
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(lines[n - 1], "privat: true", "{second}");

    let saved = header(&repo, &id);
    assert!(
        !saved.contains("# inc"),
        "inc's comments are removed: {saved}"
    );
    assert!(!saved.contains("privat:") && saved.ends_with("private: true\n"));
    assert_eq!(repo.head_files(), [TestRepo::header_path(&id)]);
    assert_eq!(leftovers(&repo), Vec::<PathBuf>::new());
}

#[test]
fn a_header_that_does_not_parse_names_its_line() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout down", "SEV2");
    let before = repo.state();
    let editor = by_call(&repo, &[r#"echo 'services: [api' >> "$1""#, "true"]);
    repo.inc()
        .args(["edit", &id])
        .env("EDITOR", editor)
        .fails()
        .stderr_has(&["saved without a change after the errors were shown"]);
    let second = seen(&repo, 2);
    assert!(
        second
            .lines()
            .nth(2)
            .unwrap()
            .contains("not a valid incident header"),
        "{second}"
    );
    repo.assert_unchanged(&before);
}

#[test]
fn saving_unchanged_after_an_error_gives_up_and_keeps_the_text() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout down", "SEV2");
    let before = repo.state();
    let editor = by_call(&repo, &[r#"echo 'privat: my typing' >> "$1""#, "true"]);
    let out = repo
        .inc()
        .args(["edit", &id])
        .env("EDITOR", editor)
        .fails()
        .stderr_has(&["gave up", "nothing was written"]);
    assert_eq!(calls(&repo), 2);
    repo.assert_unchanged(&before);
    let kept = kept_path(&out.stderr);
    assert!(kept.starts_with(repo.path(".git")), "{out}");
    assert!(
        fs::read_to_string(&kept)
            .unwrap()
            .contains("privat: my typing"),
        "{out}"
    );
    assert_eq!(leftovers(&repo), [kept]);
}

#[test]
fn emptying_the_file_gives_up() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout down", "SEV2");
    let before = repo.state();
    repo.inc()
        .args(["edit", &id])
        .env("EDITOR", script(&repo, "empty", r#": > "$1""#))
        .fails()
        .stderr_has(&["you emptied", "nothing was written"]);
    repo.assert_unchanged(&before);
    assert_eq!(leftovers(&repo), Vec::<PathBuf>::new());
}

/// Found while moving hints out of message strings: this message had a
/// raw line break where `\n\` was meant, so its hint came out as an
/// indented line of the error instead of a `hint:` line.
#[test]
fn emptying_the_file_after_the_errors_says_in_a_hint_where_the_text_is_kept() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout down", "SEV2");
    let before = repo.state();
    let editor = by_call(
        &repo,
        &[r#"echo 'privat: my typing' >> "$1""#, r#": > "$1""#],
    );
    let out = repo
        .inc()
        .args(["edit", &id])
        .env("EDITOR", editor)
        .fails()
        .stderr_has(&["you emptied", "nothing was written"]);
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert!(
        lines[0].starts_with("error: you emptied") && lines[0].ends_with("nothing was written"),
        "{out}"
    );
    assert!(
        lines[1].starts_with("hint: the text you saved before is kept in "),
        "{out}"
    );
    assert_eq!(lines.len(), 2, "{out}");
    let kept = kept_path(&out.stderr);
    assert!(
        fs::read_to_string(&kept)
            .unwrap()
            .contains("privat: my typing"),
        "{out}"
    );
    repo.assert_unchanged(&before);
}

#[test]
fn a_failing_editor_changes_nothing_and_keeps_what_was_typed() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout down", "SEV2");
    let before = repo.state();
    repo.inc()
        .args(["edit", &id])
        .env("EDITOR", script(&repo, "fail", "exit 1"))
        .fails()
        .stderr_has(&["exited with status 1", "nothing was written"]);
    repo.assert_unchanged(&before);
    assert_eq!(leftovers(&repo), Vec::<PathBuf>::new(), "nothing typed");

    let out = repo
        .inc()
        .args(["edit", &id])
        .env(
            "EDITOR",
            script(
                &repo,
                "typed-then-fail",
                r#"echo 'summary: half' >> "$1"; exit 3"#,
            ),
        )
        .fails()
        .stderr_has(&["exited with status 3"]);
    repo.assert_unchanged(&before);
    let kept = kept_path(&out.stderr);
    assert!(fs::read_to_string(kept).unwrap().contains("summary: half"));

    repo.inc()
        .args(["edit", &id])
        .env("EDITOR", "no-such-editor-here")
        .run()
        .code(1)
        .stderr_has(&[
            "error: the editor (`no-such-editor-here`) could not be started",
            "hint: set VISUAL or EDITOR",
        ]);
    repo.assert_unchanged(&before);
}

#[test]
fn visual_comes_before_editor() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout down", "SEV2");
    repo.inc()
        .args(["edit", &id])
        .env("VISUAL", retitle(&repo))
        .env("EDITOR", script(&repo, "fail", "exit 1"))
        .ok();
    assert!(header(&repo, &id).contains("title: Checkout down in eu-west\n"));
}

#[test]
fn an_editor_with_arguments_runs_as_git_runs_it() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout down", "SEV2");
    let editor = script(
        &repo,
        "with args",
        r#"[ "$1" = --wait ] && [ "$2" = "two words" ]
echo 'summary: from args' >> "$3""#,
    );
    repo.inc()
        .args(["edit", &id])
        .env("EDITOR", format!("'{editor}' --wait 'two words'"))
        .ok();
    assert!(header(&repo, &id).ends_with("summary: from args\n"));
}

#[test]
fn a_change_made_while_the_editor_was_open_is_not_overwritten() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout down", "SEV2");
    let real = repo.path(TestRepo::header_path(&id));
    // Someone else changes the header while the editor is open.
    let editor = script(
        &repo,
        "race",
        &format!(
            r#"echo 'ticket: OPS-1' >> '{}'
echo 'summary: mine' >> "$1""#,
            real.display()
        ),
    );
    let out = repo
        .inc()
        .args(["edit", &id])
        .env("EDITOR", editor)
        .fails()
        .stderr_has(&["changed while you were editing it", "inc wrote nothing"]);
    let now = header(&repo, &id);
    assert!(now.ends_with("ticket: OPS-1\n") && !now.contains("summary: mine"));
    let kept = kept_path(&out.stderr);
    assert!(fs::read_to_string(kept).unwrap().contains("summary: mine"));
}

#[test]
fn notes_go_on_while_the_editor_is_open() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout down", "SEV2");
    let editor = script(
        &repo,
        "note-meanwhile",
        &format!(
            r#"'{}' note {id} 'while editing'
echo 'summary: edited' >> "$1""#,
            inc_bin().display()
        ),
    );
    let commits = repo.commit_count();
    repo.inc().args(["edit", &id]).env("EDITOR", editor).ok();
    assert_eq!(repo.commit_count(), commits + 2);
    assert!(header(&repo, &id).ends_with("summary: edited\n"));
    assert!(
        repo.read(TestRepo::timeline_path(&id))
            .contains("while editing")
    );
}

#[test]
fn uncommitted_header_changes_are_committed_with_the_edit() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout down", "SEV2");
    repo.append(TestRepo::header_path(&id), "ticket: OPS-7\n");
    repo.inc()
        .args(["edit", &id])
        .env("EDITOR", retitle(&repo))
        .ok()
        .stderr_has(&["had changes not committed"]);
    let committed = repo.git(&["show", &format!("HEAD:{}", TestRepo::header_path(&id))]);
    assert!(committed.contains("ticket: OPS-7") && committed.contains("in eu-west"));
    assert_eq!(repo.git_status(), "");
}

#[test]
fn the_id_cannot_be_changed_by_editing() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout down", "SEV2");
    let before = repo.state();
    let editor = by_call(&repo, &[r#"echo 'id: 2026-11-27-other' >> "$1""#, "true"]);
    repo.inc().args(["edit", &id]).env("EDITOR", editor).fails();
    assert!(seen(&repo, 2).contains("an edit can't change it"));
    repo.assert_unchanged(&before);
}

#[test]
fn the_timeline_is_not_editable() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout down", "SEV2");
    repo.inc()
        .args(["edit", &id, "--file", "timeline"])
        .env("EDITOR", "true")
        .fails()
        .stderr_has(&["append-only", "inc note"]);
}

#[test]
fn a_postmortem_is_edited_and_its_markers_kept_balanced() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout down", "SEV2");
    repo.inc().args(["resolve", &id]).ok();
    repo.inc().args(["postmortem", &id]).ok();
    let editor = by_call(
        &repo,
        &[
            r#"echo '<!-- inc:end facts -->' >> "$1""#,
            r#"sed -i '$d' "$1"; printf '\nWe learned a lot.\n' >> "$1""#,
        ],
    );
    let draft = format!("{}/postmortem.md", TestRepo::incident_dir(&id));
    repo.inc()
        .args(["edit", &id, "--file", "postmortem"])
        .env("EDITOR", editor)
        .ok();
    let second = seen(&repo, 2);
    assert!(second.starts_with("<!-- inc: "), "{second}");
    assert!(
        second.contains("has no `inc:begin facts` before it"),
        "{second}"
    );
    let saved = repo.read(&draft);
    assert!(saved.ends_with("We learned a lot.\n") && !saved.contains("<!-- inc: "));
    assert!(
        repo.head_message()
            .starts_with(&format!("inc({id}): edit postmortem.md\n"))
    );
    assert_eq!(repo.head_files(), [draft]);
    assert_eq!(leftovers(&repo), Vec::<PathBuf>::new());
}

#[test]
fn a_missing_postmortem_starts_from_the_draft() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout down", "SEV2");
    let draft = format!("{}/postmortem.md", TestRepo::incident_dir(&id));
    // Unchanged: the draft is not written.
    repo.inc()
        .args(["edit", &id, "--file", "postmortem"])
        .env("EDITOR", "true")
        .ok()
        .stderr_has(&[
            "no postmortem yet",
            "The draft is unchanged, so inc wrote nothing",
        ]);
    assert!(!repo.exists(&draft));
    repo.inc()
        .args(["edit", &id, "--file", "postmortem"])
        .env(
            "EDITOR",
            script(
                &repo,
                "write",
                r#"printf 'Root cause: a bad deploy.\n' >> "$1""#,
            ),
        )
        .ok();
    let saved = repo.read(&draft);
    assert!(saved.contains("<!-- inc:begin ") && saved.ends_with("Root cause: a bad deploy.\n"));
    assert_eq!(repo.head_files(), [draft]);
    // Still refreshable by `inc postmortem`.
    repo.inc().args(["postmortem", &id]).ok();
}

#[test]
fn a_failure_when_committing_keeps_the_text() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout down", "SEV2");
    let commits = repo.commit_count();
    let header_before = repo.read(TestRepo::header_path(&id));
    // A bisect started while the editor was open: inc won't commit then.
    let editor = script(
        &repo,
        "bisect-meanwhile",
        &format!(
            r#"touch '{}'
echo 'summary: typed' >> "$1""#,
            repo.path(".git/BISECT_LOG").display()
        ),
    );
    let out = repo
        .inc()
        .args(["edit", &id])
        .env("EDITOR", editor)
        .fails()
        .stderr_has(&["a bisect is in progress", "inc changed nothing"]);
    assert_eq!(repo.commit_count(), commits);
    assert_eq!(repo.read(TestRepo::header_path(&id)), header_before);
    let kept = kept_path(&out.stderr);
    assert!(
        fs::read_to_string(kept)
            .unwrap()
            .ends_with("summary: typed\n")
    );
}

#[test]
fn no_commit_writes_the_file_only() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout down", "SEV2");
    let commits = repo.commit_count();
    repo.inc()
        .args(["--no-commit", "edit", &id])
        .env("EDITOR", retitle(&repo))
        .ok();
    assert!(header(&repo, &id).contains("in eu-west"));
    assert_eq!(repo.commit_count(), commits);
    assert_eq!(leftovers(&repo), Vec::<PathBuf>::new());
}

/// A copy an earlier edit kept (or an inc killed with its terminal left)
/// holds text the person typed: the next edit of that file names it.
#[test]
fn a_copy_an_earlier_edit_left_is_named_at_the_next_edit_of_that_file() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout down", "SEV2");
    let editor = by_call(&repo, &[r#"echo 'privat: my typing' >> "$1""#, "true"]);
    let out = repo.inc().args(["edit", &id]).env("EDITOR", editor).fails();
    let kept = kept_path(&out.stderr);
    // Not this file's: another kind, and an incident whose ID starts
    // with this one's.
    repo.write(format!(".git/inc-edit-{id}-Ab3xYz.postmortem.md"), "draft");
    repo.write(
        format!(".git/inc-edit-{id}-db-Ab3xYz.incident.yaml"),
        "other",
    );
    let out = repo
        .inc()
        .args(["edit", &id])
        .env("EDITOR", retitle(&repo))
        .ok();
    let header = TestRepo::header_path(&id);
    assert_eq!(
        out.stderr.lines().take(2).collect::<Vec<_>>(),
        [
            format!(
                "warning: an earlier `inc edit` of {} left a copy that may hold text you \
                 typed: {}",
                header,
                kept.display()
            )
            .as_str(),
            "hint: take what you need from it into this edit, then remove it",
        ],
        "{out}"
    );
    assert_eq!(
        out.stderr.matches("an earlier `inc edit`").count(),
        1,
        "{out}"
    );
    assert!(repo.read(&header).contains("Checkout down in eu-west"));
}
