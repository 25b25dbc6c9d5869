//! Writing: the only writer of the output folder. Stages the new site beside
//! it and swaps it in atomically, keeping dotfiles; unchanged files are reused.

use crate::output::Output;
use std::path::Path;

/// What a publish did.
#[derive(Debug, Clone, Copy, Default)]
pub struct WriteStats {
    /// Files whose bytes changed or are new.
    pub written: usize,
    /// Files left as they were.
    pub unchanged: usize,
    /// Files removed.
    pub removed: usize,
}

pub fn publish(output: &Output, dir: &Path) -> std::io::Result<WriteStats> {
    let _ = (output, dir);
    todo!("publish")
}
