//! What `inc sync` reads of refs and history, and the renaming of an
//! incident ID that the local commits and upstream both added.

use std::fs;
use std::path::Path;

use anyhow::{Context, Result};
use git2::{FileMode, IndexEntry, Oid, Repository};

use super::{Git, git_path};
use crate::error::user_error_with_hint;
use crate::store::{HEADER_FILE, INCIDENTS_DIR, Store};

/// An incident folder of local unpushed commits that sync moved to a free
/// ID because upstream added a different incident under the same ID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Renamed {
    pub from: String,
    pub to: String,
}

/// Reading refs and history for `inc sync`, and renaming colliding IDs.
impl Git {
    /// The top of the work tree (where `git -C` should run).
    pub fn workdir(&self) -> &Path {
        self.repo.workdir().unwrap_or(self.repo.path())
    }

    /// `rel` (relative to the incident repository) as git names it from
    /// the top of the work tree.
    pub fn worktree_path(&self, rel: &Path) -> String {
        git_path(&self.prefix.join(rel))
    }

    /// The branch HEAD is on; `None` when detached or unreadable.
    pub fn current_branch(&self) -> Option<String> {
        let head = self.repo.find_reference("HEAD").ok()?;
        let target = head.symbolic_target().ok()??;
        target.strip_prefix("refs/heads/").map(str::to_owned)
    }

    /// A branch's upstream as configured: (remote, branch on the remote).
    pub fn upstream_of(&self, branch: &str) -> (Option<String>, Option<String>) {
        let Ok(config) = self.repo.config() else {
            return (None, None);
        };
        let remote = config
            .get_string(&format!("branch.{branch}.remote"))
            .ok()
            .filter(|r| !r.is_empty() && r != ".");
        let merge = config
            .get_string(&format!("branch.{branch}.merge"))
            .ok()
            .and_then(|m| m.strip_prefix("refs/heads/").map(str::to_owned));
        (remote, merge)
    }

    /// Whether a remote of that name is configured.
    pub fn has_remote(&self, name: &str) -> bool {
        self.repo.find_remote(name).is_ok()
    }

    /// HEAD's commit, `None` on an unborn branch.
    pub fn head_oid(&self) -> Option<String> {
        Some(
            self.repo
                .head()
                .ok()?
                .peel_to_commit()
                .ok()?
                .id()
                .to_string(),
        )
    }

    /// The commit a ref points at.
    pub fn ref_oid(&self, name: &str) -> Option<String> {
        Some(
            self.repo
                .find_reference(name)
                .ok()?
                .peel_to_commit()
                .ok()?
                .id()
                .to_string(),
        )
    }

    /// Whether `ancestor` is `descendant` or one of its ancestors.
    pub fn is_ancestor(&self, ancestor: &str, descendant: &str) -> Result<bool> {
        let (a, d) = (Oid::from_str(ancestor)?, Oid::from_str(descendant)?);
        Ok(a == d || self.repo.graph_descendant_of(d, a)?)
    }

    /// How many commits `to` has that `from` has not (`git rev-list --count from..to`).
    pub fn count_between(&self, from: Option<&str>, to: &str) -> Result<usize> {
        let mut walk = self.repo.revwalk()?;
        walk.push(Oid::from_str(to)?)?;
        if let Some(from) = from {
            walk.hide(Oid::from_str(from)?)?;
        }
        Ok(walk.count())
    }

    /// Before local commits are rebased onto `upstream`: finds incident
    /// folders that both the local unpushed commits and upstream added since
    /// they diverged, holding different incidents (their `incident.yaml`
    /// differ), and moves the local one to the next ID free on both sides
    /// (`-2`, `-3` …). The local commits are rewritten (trees, and the
    /// `inc(<id>)` subject and `Inc-Id:` trailer of messages), the branch is
    /// moved to them, and the folder and its index entries are moved in the
    /// work tree. Identical additions are left to the rebase, which drops
    /// them as already upstream.
    pub fn rename_collisions(&self, upstream: &str) -> Result<Vec<Renamed>> {
        let repo = &self.repo;
        let head = repo.head().context("can't read HEAD")?;
        let head_commit = head.peel_to_commit().context("HEAD is not a commit")?;
        let up = repo.find_commit(Oid::from_str(upstream)?)?;
        let base = repo.merge_base(head_commit.id(), up.id()).ok();
        let incidents = git_path(&self.prefix.join(INCIDENTS_DIR));
        let ours = incident_dirs(repo, &head_commit.tree()?, &incidents)?;
        let theirs = incident_dirs(repo, &up.tree()?, &incidents)?;
        let before = match base {
            Some(base) => incident_dirs(repo, &repo.find_commit(base)?.tree()?, &incidents)?,
            None => Default::default(),
        };
        let mut renames: Vec<(String, Renamed)> = Vec::new();
        for (id, (year, header)) in &ours {
            let Some((_, their_header)) = theirs.get(id) else {
                continue;
            };
            if before.contains_key(id) || header == their_header {
                continue;
            }
            let taken = |candidate: &str| {
                ours.contains_key(candidate)
                    || theirs.contains_key(candidate)
                    || renames.iter().any(|(_, r)| r.to == candidate)
                    || self.root.join(Store::dir_of(candidate)).exists()
            };
            let to = next_free(id, &taken);
            renames.push((
                year.clone(),
                Renamed {
                    from: id.clone(),
                    to,
                },
            ));
        }
        if renames.is_empty() {
            return Ok(Vec::new());
        }

        // Rewrite base..HEAD, oldest first.
        let mut walk = repo.revwalk()?;
        walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::REVERSE)?;
        walk.push(head_commit.id())?;
        if let Some(base) = base {
            walk.hide(base)?;
        }
        let mut rewritten: std::collections::HashMap<Oid, Oid> = Default::default();
        for oid in walk {
            let commit = repo.find_commit(oid?)?;
            if commit.parent_count() > 1 {
                return Err(user_error_with_hint(
                    format!(
                        "the local commits include a merge ({}), which inc sync does not rewrite; \
                         incident {} was also opened upstream",
                        &commit.id().to_string()[..8],
                        renames[0].1.from
                    ),
                    format!(
                        "rebase your local commits by hand (`git rebase {upstream}`) and rename \
                         the incident folder, then run inc sync again"
                    ),
                ));
            }
            let mut update = git2::build::TreeUpdateBuilder::new();
            let tree = commit.tree()?;
            let mut changed = false;
            for (year, r) in &renames {
                let from = format!("{incidents}/{year}/{}", r.from);
                if let Ok(entry) = tree.get_path(Path::new(&from)) {
                    update.remove(&from);
                    update.upsert(
                        format!("{incidents}/{}/{}", crate::model::id::year(&r.to), r.to),
                        entry.id(),
                        FileMode::Tree,
                    );
                    changed = true;
                }
            }
            let new_tree = if changed {
                repo.find_tree(update.create_updated(repo, &tree)?)?
            } else {
                tree
            };
            let parents: Vec<git2::Commit> = commit
                .parent_ids()
                .map(|p| repo.find_commit(*rewritten.get(&p).unwrap_or(&p)))
                .collect::<Result<_, _>>()?;
            let parent_refs: Vec<&git2::Commit> = parents.iter().collect();
            let message = renames.iter().fold(
                String::from_utf8_lossy(commit.message_bytes()).into_owned(),
                |m, (_, r)| rename_in_message(&m, &r.from, &r.to),
            );
            let new = repo.commit(
                None,
                &commit.author(),
                &commit.committer(),
                &message,
                &new_tree,
                &parent_refs,
            )?;
            rewritten.insert(commit.id(), new);
        }
        let tip = *rewritten
            .get(&head_commit.id())
            .context("HEAD was not among the rewritten commits")?;
        let names: Vec<String> = renames
            .iter()
            .map(|(_, r)| format!("{} -> {}", r.from, r.to))
            .collect();
        let log = format!("inc sync: renamed {}", names.join(", "));
        match head.name() {
            Ok(name) if head.is_branch() => {
                repo.reference_matching(name, tip, true, head_commit.id(), &log)
                    .context("can't move the branch to the renamed commits")?;
            }
            _ => repo.set_head_detached(tip)?,
        }

        // The commits are in place; now the index and the work tree.
        let mut index = repo.index().context("can't read the git index")?;
        for (year, r) in &renames {
            let from = format!("{incidents}/{year}/{}/", r.from);
            let to = format!("{incidents}/{}/{}/", crate::model::id::year(&r.to), r.to);
            let moved: Vec<IndexEntry> = index
                .iter()
                .filter(|e| e.path.starts_with(from.as_bytes()))
                .collect();
            for mut entry in moved {
                index.remove_path(Path::new(
                    &String::from_utf8_lossy(&entry.path).into_owned(),
                ))?;
                let mut path = to.as_bytes().to_vec();
                path.extend_from_slice(&entry.path[from.len()..]);
                entry.flags = (entry.flags & !0xfff) | (path.len().min(0xfff) as u16);
                entry.path = path;
                index.add(&entry)?;
            }
            let old_dir = self.root.join(Store::dir_of(&r.from));
            let new_dir = self.root.join(Store::dir_of(&r.to));
            if old_dir.exists() {
                if let Some(parent) = new_dir.parent() {
                    fs::create_dir_all(parent)?;
                }
                fs::rename(&old_dir, &new_dir).with_context(|| {
                    format!(
                        "can't move {} to {} (the commits already say {})",
                        old_dir.display(),
                        new_dir.display(),
                        r.to
                    )
                })?;
            }
        }
        index
            .write()
            .context("can't write the git index after renaming")?;
        Ok(renames.into_iter().map(|(_, r)| r).collect())
    }
}

/// The incident folders of a tree: ID → (year, the `incident.yaml` blob).
fn incident_dirs(
    repo: &Repository,
    tree: &git2::Tree,
    incidents: &str,
) -> Result<std::collections::BTreeMap<String, (String, Option<Oid>)>> {
    let mut out = std::collections::BTreeMap::new();
    let Ok(entry) = tree.get_path(Path::new(incidents)) else {
        return Ok(out);
    };
    let Ok(years) = repo.find_tree(entry.id()) else {
        return Ok(out);
    };
    for year in years.iter() {
        let Ok(year_name) = year.name() else {
            continue;
        };
        let Ok(ids) = repo.find_tree(year.id()) else {
            continue;
        };
        for dir in ids.iter() {
            let Ok(id) = dir.name() else { continue };
            if !crate::model::id::is_id(id) {
                continue;
            }
            let header = repo
                .find_tree(dir.id())
                .ok()
                .and_then(|t| t.get_name(HEADER_FILE).map(|e| e.id()));
            out.insert(id.to_owned(), (year_name.to_owned(), header));
        }
    }
    Ok(out)
}

/// The first of `<id>-2`, `<id>-3` … not taken. A trailing number is never
/// read as an earlier collision suffix: `…-above-5` could be a title's
/// "above 5%", and renaming it to `…-above-6` would say something else.
fn next_free(id: &str, taken: &dyn Fn(&str) -> bool) -> String {
    (2u32..)
        .map(|n| format!("{id}-{n}"))
        .find(|candidate| !taken(candidate))
        .unwrap_or_else(|| format!("{id}-2"))
}

/// A commit message with incident `from` renamed to `to`: the
/// `inc(<id>):` subject and `Inc-Id:` trailers.
fn rename_in_message(message: &str, from: &str, to: &str) -> String {
    let mut out = String::with_capacity(message.len() + 8);
    for (i, line) in message.split_inclusive('\n').enumerate() {
        let (body, end) = match line.strip_suffix('\n') {
            Some(body) => (body, "\n"),
            None => (line, ""),
        };
        if i == 0 {
            out.push_str(&body.replacen(&format!("inc({from})"), &format!("inc({to})"), 1));
        } else if body.trim() == format!("Inc-Id: {from}") {
            out.push_str(&format!("Inc-Id: {to}"));
        } else {
            out.push_str(body);
        }
        out.push_str(end);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_free_counts_up_and_never_reads_a_title_number_as_a_suffix() {
        let taken = |id: &str| ["2026-11-27-db-2", "2026-11-27-db-3"].contains(&id);
        assert_eq!(next_free("2026-11-27-db", &taken), "2026-11-27-db-4");
        assert_eq!(next_free("2026-11-27-api", &|_| false), "2026-11-27-api-2");
        // "Error rate above 5%" stays about 5%.
        assert_eq!(
            next_free("2026-11-27-error-rate-above-5", &|_| false),
            "2026-11-27-error-rate-above-5-2"
        );
    }

    #[test]
    fn messages_follow_the_rename() {
        let m = "inc(2026-11-27-db): note\n\nInc-Id: 2026-11-27-db\nInc-Event: note\n";
        assert_eq!(
            rename_in_message(m, "2026-11-27-db", "2026-11-27-db-2"),
            "inc(2026-11-27-db-2): note\n\nInc-Id: 2026-11-27-db-2\nInc-Event: note\n"
        );
        let other = "inc(2026-11-27-dbx): note\n\nInc-Id: 2026-11-27-dbx\n";
        assert_eq!(
            rename_in_message(other, "2026-11-27-db", "2026-11-27-db-2"),
            "inc(2026-11-27-dbx): note\n\nInc-Id: 2026-11-27-dbx\n"
        );
    }
}
