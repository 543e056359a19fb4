//! Integration tests: the real `inc` binary, run hermetically (cleared
//! environment, pinned time and author) in temporary git repositories.
//! One binary; one module per verb or theme; `harness` builds the repos.

mod harness;

mod action;
mod alert;
mod browser;
mod check;
mod completions;
mod concurrency;
mod crash;
mod dashboard;
mod edit;
mod errors;
mod escalate;
mod examples;
#[cfg(unix)]
mod exec;
mod git;
mod help;
mod hooks;
mod hooks_examples;
mod hostile;
mod hostile_files;

mod hostile_mistakes;
mod init;
mod input;
mod lifecycle;
mod list;
mod maintenance;
mod maintenance_apart;
mod merge;
mod note;
mod oncall;
mod open;
mod postmortem;
#[cfg(unix)]
mod prompts;
mod show;
mod site;
mod site_leaks;
mod site_output;
mod site_property;
mod site_public;
mod stats;
mod suspects;
mod sync;
mod threats;
mod timeline;
