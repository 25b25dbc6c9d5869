//! A deterministic synthetic programme generator, for benchmarks.

use std::path::Path;

pub fn generate(talks: usize, seed: u64, dir: &Path) -> std::io::Result<()> {
    let _ = (talks, seed, dir);
    todo!("generate")
}
