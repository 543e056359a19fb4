//! The pure core: no filesystem, no git, no clock, no stdout.
//!
//! Everything here takes what it needs (the current time, the display zone,
//! the configuration) as arguments, so it can be unit-tested on its own.

pub mod event;
pub mod id;
pub mod incident;
pub mod state;
pub mod status;
pub mod when;

pub use event::{Event, EventKind};
pub use incident::Header;
pub use state::State;
pub use status::{Impact, Kind, Mode, Status};
