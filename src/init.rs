//! `programme init`: scaffolds a new programme that builds at once.

use std::path::Path;

pub fn scaffold(dir: &Path) -> std::io::Result<()> {
    let _ = dir;
    todo!("init")
}
