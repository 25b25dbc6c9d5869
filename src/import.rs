//! Import: frab/pentabarf schedule.xml and pretalx/frab schedule.json into content/.

use crate::diagnostic::Diagnostics;
use std::path::PathBuf;

pub struct ImportOptions {
    pub file: PathBuf,
    pub into: PathBuf,
    pub timezone: Option<String>,
    pub force: bool,
}

/// Converts the file; returns a one-line summary.
pub fn run(opts: &ImportOptions) -> Result<String, Diagnostics> {
    let _ = opts;
    todo!("import")
}
