//! `inc merge DUP --into KEEP`: one incident is a duplicate of another
//! (two alert jobs opened the same group at once, or two people opened the
//! same outage). KEEP gets DUP's alerts and notes (see `model::merge` for
//! what moves and why), DUP is declined and labelled `duplicate_of: KEEP`,
//! in one commit of exactly the three files.
//!
//! Any two incidents can be merged; when they are of different alert groups
//! (or one has none) it says so and goes ahead. The commit is `inc(KEEP):
//! merge DUP` with an `Inc-Id` trailer for each incident, so the history of
//! either finds it, and `Inc-Event: merge`.

use std::process::ExitCode;

use anyhow::{Result, bail};

use crate::app::App;
use crate::cli::MergeArgs;
use crate::error::user_error_with_hint;
use crate::model::incident::DUPLICATE_OF_LABEL;
use crate::model::{Event, EventKind, Kind, Status, merge, when};
use crate::render::text::one_line;
use crate::store::change::{Change, Edit};
use crate::store::{Incident, Store, event_lines};
use crate::ui::Ui;

pub fn run(app: &App, ui: &Ui, args: &MergeArgs) -> Result<ExitCode> {
    let _lock = if args.dry_run {
        None
    } else {
        Some(app.lock()?)
    };
    let dup_id = app.find_incident(Some(&args.dup))?;
    let keep_id = app.find_incident(Some(&args.into))?;
    if dup_id == keep_id {
        return Err(user_error_with_hint(
            format!("can't merge {dup_id} into itself"),
            "name the duplicate first and the incident to keep after --into: \
             `inc merge DUP --into KEEP`",
        ));
    }
    let dup = app.load(&dup_id)?;
    let keep = app.load(&keep_id)?;
    refuse(&dup, &keep)?;

    let moved = merge::moved(&dup_id, &dup.events, &keep.events);
    let keep_opened = keep.state.opened_at.unwrap_or(keep.header.opened_at);
    if let Some(first) = moved.events.first()
        && first.at < keep_opened
    {
        return Err(user_error_with_hint(
            format!(
                "{dup_id} has events from before {keep_id} was opened ({} < {}); \
                 they can't go into its timeline",
                when::show(first.at, app.zone),
                when::show(keep_opened, app.zone)
            ),
            format!("keep the older one: `inc merge {keep_id} --into {dup_id}`"),
        ));
    }
    // Now, but never before either opening: the merge note and the decline
    // share one time, and a clock behind the one that opened DUP (a CI
    // runner's) must not put the decline before DUP's `opened`.
    let at = app.event_time(&keep_id, keep_opened.max(dup.header.opened_at), None)?;

    let (dup_group, keep_group) = (dup.header.group(), keep.header.group());
    if dup_group != keep_group {
        let shown =
            |g: Option<&str>| g.map_or("none".to_owned(), |g| format!("`{}`", one_line(g, 80)));
        ui.warn(&format!(
            "{dup_id} and {keep_id} are of different alert groups ({} and {}); merging anyway",
            shown(dup_group),
            shown(keep_group)
        ));
    }

    let note = merge::note(&dup_id, dup_group, keep_group, &moved, &dup.state.actions);
    let mut keep_events = moved.events.clone();
    keep_events.push(Event::new(
        at,
        &app.author,
        EventKind::Note {
            text: note,
            pinned: false,
        },
    ));
    let decline = Event::new(
        at,
        &app.author,
        EventKind::Status {
            status: Status::Declined,
            text: Some(format!("duplicate of {keep_id}")),
        },
    );
    let mut header = dup.header.clone();
    header
        .labels
        .insert(DUPLICATE_OF_LABEL.to_owned(), keep_id.clone());

    if args.dry_run {
        let mut out = format!("append {} events to {keep_id}\n", keep_events.len());
        for e in &keep_events {
            out.push_str(&format!(
                "  + {} {}: {}\n",
                when::stored(e.at),
                one_line(&e.by, 40),
                one_line(&e.describe(), 160)
            ));
        }
        out.push_str(&format!(
            "append 1 event to {dup_id}\n  + {} {}: {}\n",
            when::stored(decline.at),
            one_line(&decline.by, 40),
            decline.describe()
        ));
        out.push_str(&format!("label {dup_id} {DUPLICATE_OF_LABEL}: {keep_id}\n"));
        ui.out(&out)?;
        return Ok(ExitCode::SUCCESS);
    }

    let change = Change {
        files: vec![
            (
                Store::timeline_path(&keep_id),
                Edit::Append(event_lines(&keep_events)),
            ),
            (
                Store::timeline_path(&dup_id),
                Edit::Append(event_lines(std::slice::from_ref(&decline))),
            ),
            (
                Store::header_path(&dup_id),
                Edit::Replace(header.to_yaml()?.into_bytes()),
            ),
        ],
        new_dir: None,
    };
    let summary = merge::summary(&moved);
    let message = format!(
        "inc({keep_id}): {}\n\n{} of {dup_id} into {keep_id}; {dup_id} declined as its duplicate.\n\n\
         Inc-Id: {keep_id}\nInc-Id: {dup_id}\nInc-Event: merge\n",
        one_line(&format!("merge {dup_id}"), 72),
        capitalized(&summary)
    );
    app.change_with_message(ui, &change, &message)?;
    // The moved events were announced when first recorded; the decline is new.
    app.hooks_after(&dup_id, std::slice::from_ref(&decline));
    ui.out(&format!("{keep_id}\n"))?;
    let alerts = if dup_group.is_some() {
        format!(", and alerts of its group go to {keep_id}")
    } else {
        String::new()
    };
    ui.status(&format!(
        "Merged {dup_id} into {keep_id}: {summary}. {dup_id} is declined as its duplicate{alerts}."
    ));
    Ok(ExitCode::SUCCESS)
}

/// The merges that make no sense, each with what to do instead.
fn refuse(dup: &Incident, keep: &Incident) -> Result<()> {
    let (dup_id, keep_id) = (&dup.id, &keep.id);
    if let Some(into) = dup.header.duplicate_of() {
        return Err(user_error_with_hint(
            format!(
                "{dup_id} was already merged into {into} (its label `{DUPLICATE_OF_LABEL}`); \
                 nothing to do"
            ),
            format!("`inc show {into}` shows the incident it went into"),
        ));
    }
    if keep.header.duplicate_of() == Some(dup_id.as_str()) {
        bail!("{keep_id} was already merged into {dup_id}; nothing to do");
    }
    if let Some(into) = keep.header.duplicate_of() {
        return Err(user_error_with_hint(
            format!("{keep_id} was itself merged into {into}"),
            format!(
                "merge into that one: \
                 `inc merge {dup_id} --into {into}`"
            ),
        ));
    }
    if keep.state.status == Some(Status::Declined) {
        return Err(user_error_with_hint(
            format!("{keep_id} was declined as a false alarm, so it can't take a duplicate"),
            format!(
                "`inc reopen {keep_id}` first if it is real, or keep the other one: \
                 `inc merge {keep_id} --into {dup_id}`"
            ),
        ));
    }
    for i in [dup, keep] {
        if i.header.kind() == Kind::Maintenance {
            return Err(user_error_with_hint(
                format!("{} is a maintenance; `inc merge` merges incidents", i.id),
                format!("`inc status {} completed` ends a maintenance", i.id),
            ));
        }
    }
    Ok(())
}

fn capitalized(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
