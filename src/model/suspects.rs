//! `inc suspects`: the window of time around an incident's impact in which
//! a commit is a suspect, the rule that stops walking a repository's
//! history, and choosing commits to note. Pure: the commits come from
//! `store::git`.

use chrono::{DateTime, Duration, Utc};

use super::{Header, State};
use crate::error::UserError;

/// How far past the window's start a walk keeps reading before it stops:
/// commits are walked newest first by committer time, but a rebase or a
/// machine with a wrong clock can put an older time on a newer commit, and
/// a merge brings in a branch's older commits. A day of slack finds those
/// without reading a repository's whole history.
pub const SLACK: Duration = Duration::days(1);

/// The most commits one walk reads, whatever their times: a bound for a
/// repository with a wrong clock everywhere, or for an incident so old that
/// tens of thousands of commits came after it.
pub const MAX_WALK: usize = 20_000;

/// Why the window ends where it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// The first move to monitoring.
    Mitigated,
    Resolved,
    /// Declined or otherwise closed without a resolution.
    Closed,
    /// Still going: the window runs to now.
    Now,
}

impl End {
    pub fn label(self) -> &'static str {
        match self {
            End::Mitigated => "mitigation",
            End::Resolved => "resolution",
            End::Closed => "closing",
            End::Now => "now",
        }
    }
}

/// The commits worth a look: from `before` ahead of the impact's start to
/// mitigation (else resolution, closing, now). Both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// When the impact started (`started_at`, else the opening).
    pub impact: DateTime<Utc>,
    pub before: Duration,
    pub end_reason: End,
}

impl Window {
    /// The window of an incident, from its header and folded state.
    pub fn of(header: &Header, state: &State, before: Duration, now: DateTime<Utc>) -> Window {
        let impact = header.started();
        let (end, end_reason) = if let Some(t) = state.mitigated_at {
            (t, End::Mitigated)
        } else if let Some(t) = state.resolved_at {
            (t, End::Resolved)
        } else if let Some(t) = state.closed_at {
            (t, End::Closed)
        } else {
            (now, End::Now)
        };
        // A `before` of a million weeks reaches past chrono's range: the
        // window then opens at the earliest time there is.
        let start = impact
            .checked_sub_signed(before)
            .unwrap_or(DateTime::<Utc>::MIN_UTC);
        Window {
            start,
            // A mitigation recorded before the start of impact (a typo in
            // `started_at`) still makes a window, of the impact's instant.
            end: end.max(impact),
            impact,
            before,
            end_reason,
        }
    }

    pub fn contains(&self, t: DateTime<Utc>) -> bool {
        self.start <= t && t <= self.end
    }

    /// What a walk does with the `walked`-th commit (counting from 1),
    /// whose committer time is `t`.
    pub fn step(&self, t: DateTime<Utc>, walked: usize) -> Step {
        if walked > MAX_WALK {
            return Step::Capped;
        }
        if self.start.checked_sub_signed(SLACK).is_some_and(|s| t < s) {
            return Step::Stop;
        }
        if self.contains(t) {
            Step::Take
        } else {
            Step::Skip
        }
    }
}

/// See [`Window::step`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// In the window: list it.
    Take,
    /// Outside the window, but older commits may still be in it.
    Skip,
    /// Well before the window: nothing further back is read.
    Stop,
    /// [`MAX_WALK`] commits read: the walk gives up, maybe short of the
    /// window.
    Capped,
}

/// One commit as `inc suspects` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    /// The repository's short name.
    pub repo: String,
    pub sha: String,
    /// The shortest unique prefix, at least 7 characters.
    pub short: String,
    /// Committer time.
    pub time: DateTime<Utc>,
    pub author: String,
    pub email: Option<String>,
    /// The first line of the message, as written (not yet made safe).
    pub subject: String,
    /// More than one parent.
    pub merge: bool,
}

/// Whether a commit is inc's own record of an incident (subject
/// `inc(<id>): …`, an `Inc-Id:` trailer), its set-up commit or an on-call
/// override, rather than a change that could have caused an incident.
pub fn is_inc_commit(message: &str) -> bool {
    message.starts_with("inc(")
        || message.starts_with("inc: set up incident repository")
        || message.starts_with("oncall: override ")
        || message
            .lines()
            .any(|l| l.starts_with("Inc-Id:") || l.starts_with("Inc-Event:"))
}

/// Sorts commits newest first (then by repository and sha, so the order is
/// the same on every run), dropping a commit listed twice (one repository
/// named twice in inc.yaml).
pub fn sort(commits: &mut Vec<Commit>) {
    commits.sort_by(|a, b| {
        b.time
            .cmp(&a.time)
            .then_with(|| a.repo.cmp(&b.repo))
            .then_with(|| a.sha.cmp(&b.sha))
    });
    commits.dedup_by(|a, b| a.sha == b.sha && a.repo == b.repo);
}

/// The number a table shows for the commit at `index` of `len` (sorted
/// newest first): the oldest is 1, so the numbers stay put while new
/// commits land during an incident that is still going.
pub fn number(index: usize, len: usize) -> usize {
    len - index
}

/// The indexes (into `commits`, newest first) that `picks` name: table
/// numbers or sha prefixes of 7 or more hex digits, in table order, each
/// once. An unknown or ambiguous pick is an error saying what is valid.
pub fn select(commits: &[Commit], picks: &[String]) -> Result<Vec<usize>, UserError> {
    if commits.is_empty() {
        return Err(UserError::new("there are no commits in the window to note"));
    }
    let valid = format!(
        "pass numbers from 1 to {} (the # column of `inc suspects`) or 7 or more \
         characters of a listed commit's sha",
        commits.len()
    );
    let mut chosen = Vec::new();
    for pick in picks {
        let p = pick.trim();
        let shown: String = p.chars().filter(|c| !c.is_control()).take(40).collect();
        let number = p.parse::<usize>().ok().filter(|_| p.len() < 7);
        let index = if let Some(n) = number {
            if n == 0 || n > commits.len() {
                return Err(UserError::new(format!(
                    "there is no suspect number {n}: the table numbers them 1 to {}",
                    commits.len()
                ))
                .with_hint(valid));
            }
            commits.len() - n
        } else if p.len() >= 7 && p.chars().all(|c| c.is_ascii_hexdigit()) {
            let p = p.to_ascii_lowercase();
            let found: Vec<usize> = (0..commits.len())
                .filter(|&i| commits[i].sha.starts_with(&p))
                .collect();
            match found.as_slice() {
                [i] => *i,
                [] => {
                    return Err(UserError::new(format!(
                        "no commit in the window starts with `{shown}`"
                    ))
                    .with_hint(valid));
                }
                _ => {
                    let shas: Vec<String> = found
                        .iter()
                        .map(|&i| format!("`{}@{}`", commits[i].repo, commits[i].short))
                        .collect();
                    return Err(UserError::new(format!(
                        "`{shown}` starts {} commits: {}",
                        found.len(),
                        shas.join(", ")
                    ))
                    .with_hint("pass more of the sha"));
                }
            }
        } else {
            return Err(UserError::new(format!(
                "`{shown}` is neither a suspect's number nor a sha"
            ))
            .with_hint(valid)
            .with_hint("an incident's ID goes before --note"));
        };
        if !chosen.contains(&index) {
            chosen.push(index);
        }
    }
    chosen.sort_unstable();
    Ok(chosen)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 27, h, m, 0).unwrap()
    }

    fn window() -> Window {
        Window {
            start: t(8, 0),
            end: t(11, 0),
            impact: t(10, 0),
            before: Duration::hours(2),
            end_reason: End::Mitigated,
        }
    }

    #[test]
    fn the_walk_stops_a_day_before_the_window() {
        let w = window();
        assert_eq!(w.step(t(11, 30), 1), Step::Skip, "after the window");
        assert_eq!(w.step(t(11, 0), 2), Step::Take, "the end is in");
        assert_eq!(w.step(t(8, 0), 3), Step::Take, "the start is in");
        assert_eq!(w.step(t(7, 59), 4), Step::Skip, "skew: keep reading");
        assert_eq!(w.step(t(8, 0) - SLACK, 5), Step::Skip);
        assert_eq!(
            w.step(t(8, 0) - SLACK - Duration::seconds(1), 6),
            Step::Stop
        );
        assert_eq!(w.step(t(9, 0), MAX_WALK), Step::Take);
        assert_eq!(w.step(t(9, 0), MAX_WALK + 1), Step::Capped);
    }

    #[test]
    fn a_window_past_the_calendar_does_not_panic() {
        let header: Header = serde_yaml::from_str(
            "id: x\ntitle: x\nopened_at: 2026-11-27T10:00:00Z\nopened_by: a\n",
        )
        .unwrap();
        let w = Window::of(&header, &State::default(), Duration::MAX, t(12, 0));
        assert_eq!(w.start, DateTime::<Utc>::MIN_UTC);
        assert_eq!(w.step(DateTime::<Utc>::MIN_UTC, 1), Step::Take);
        assert_eq!(w.end_reason, End::Now);
        let state = State {
            mitigated_at: Some(t(11, 0)),
            resolved_at: Some(t(11, 30)),
            ..State::default()
        };
        let w = Window::of(&header, &state, Duration::hours(2), t(12, 0));
        assert_eq!(
            (w.start, w.end, w.end_reason),
            (t(8, 0), t(11, 0), End::Mitigated)
        );
        let state = State {
            resolved_at: Some(t(11, 30)),
            ..State::default()
        };
        let w = Window::of(&header, &state, Duration::zero(), t(12, 0));
        assert_eq!(
            (w.start, w.end, w.end_reason),
            (t(10, 0), t(11, 30), End::Resolved)
        );
    }

    #[test]
    fn inc_commits_are_told_apart() {
        assert!(is_inc_commit("inc(2026-11-27-x): note: hi\n\nInc-Id: x\n"));
        assert!(is_inc_commit("Fix\n\nInc-Id: 2026-11-27-x\n"));
        assert!(is_inc_commit("inc: set up incident repository\n"));
        assert!(is_inc_commit("oncall: override primary: bob\n"));
        assert!(!is_inc_commit(
            "Deploy api 4f2a\n\nmentions inc(x) and Inc-Id"
        ));
    }

    fn commit(sha: &str, min: u32) -> Commit {
        Commit {
            repo: "api".to_owned(),
            sha: sha.to_owned(),
            short: sha[..7].to_owned(),
            time: t(9, min),
            author: "bob".to_owned(),
            email: None,
            subject: "s".to_owned(),
            merge: false,
        }
    }

    #[test]
    fn picks_are_numbers_from_the_oldest_or_sha_prefixes() {
        let mut commits = vec![
            commit("aaaaaaa1111", 1),
            commit("bbbbbbb2222", 3),
            commit("aaaaaaa2222", 2),
        ];
        sort(&mut commits);
        let shas: Vec<&str> = commits.iter().map(|c| &c.sha[..]).collect();
        assert_eq!(shas, ["bbbbbbb2222", "aaaaaaa2222", "aaaaaaa1111"]);
        assert_eq!(number(0, 3), 3);
        let pick = |p: &[&str]| {
            select(
                &commits,
                &p.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            )
        };
        assert_eq!(pick(&["1", "3", "1"]).unwrap(), [0, 2]);
        assert_eq!(pick(&["BBBBBBB"]).unwrap(), [0]);
        assert_eq!(pick(&["aaaaaaa2"]).unwrap(), [1]);
        let err = pick(&["aaaaaaa"]).unwrap_err();
        assert!(err.message().contains("starts 2 commits"), "{err}");
        assert_eq!(err.hints(), ["pass more of the sha"]);
        let err = pick(&["4"]).unwrap_err();
        assert!(err.message().contains("1 to 3"), "{err}");
        assert!(
            err.hints()[0].starts_with("pass numbers from 1 to 3"),
            "{err:?}"
        );
        assert!(pick(&["0"]).is_err());
        assert!(pick(&["abc"]).is_err());
        assert!(pick(&["ccccccc"]).is_err());
        assert!(select(&[], &["1".to_owned()]).is_err());
    }
}
