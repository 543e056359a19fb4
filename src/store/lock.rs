//! One inc process at a time writes to a clone.

use std::fs::{self, File, OpenOptions};
use std::path::Path;

use anyhow::{Context, Result};

/// Held while a command writes and commits; released on drop.
#[derive(Debug)]
pub struct Lock {
    _file: File,
}

impl Lock {
    /// Blocks until the lock at `path` is ours. The file is never removed:
    /// a stale file is harmless because the OS drops the lock with the process.
    pub fn acquire(path: &Path) -> Result<Lock> {
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).with_context(|| format!("can't create {}", dir.display()))?;
        }
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)
            .with_context(|| format!("can't open the lock file {}", path.display()))?;
        file.lock()
            .with_context(|| format!("can't lock {}", path.display()))?;
        Ok(Lock { _file: file })
    }
}
