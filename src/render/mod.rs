//! Pure presentation: JSON views, tables and text. No I/O here; callers
//! print what these functions return.

pub mod actions;
pub mod dashboard;
pub mod json;
pub mod oncall;
pub mod postmortem;
pub mod site;
pub mod stats;
pub mod suspects;
pub mod table;
pub mod templates;
pub mod text;
pub mod timeline;
