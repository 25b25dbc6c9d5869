//! Replays the committed fuzz corpus (fuzz/corpus/<target>/) through the
//! same target bodies the cargo-fuzz binaries run (fuzz/targets.rs), so CI
//! exercises every input the fuzzer ever kept without needing nightly Rust.
//! The bad-input fixtures' files are replayed through the front-matter target
//! too.

mod common;

#[path = "../fuzz/targets.rs"]
mod targets;

use std::path::{Path, PathBuf};

/// Runs `target` over every file under `dir`; a panic names the input.
fn replay(dir: &Path, target: fn(&[u8])) -> usize {
    let files = common::tree(dir);
    for (name, bytes) in &files {
        let file = dir.join(name);
        if std::panic::catch_unwind(|| target(bytes)).is_err() {
            panic!(
                "input {} made the target fail; reproduce with `cargo +nightly fuzz run <target> {}`",
                file.display(),
                file.display()
            );
        }
    }
    files.len()
}

fn corpus(target: &str) -> PathBuf {
    common::repo().join("fuzz/corpus").join(target)
}

#[test]
fn front_matter_corpus() {
    assert!(replay(&corpus("front_matter"), targets::front_matter) >= 10);
}

#[test]
fn yaml_corpus() {
    assert!(replay(&corpus("yaml"), targets::yaml) >= 8);
}

#[test]
fn time_corpus() {
    assert!(replay(&corpus("time"), targets::time) >= 20);
}

#[test]
fn bad_fixtures_through_the_front_matter_and_yaml_targets() {
    let bad = common::fixture("bad");
    assert!(replay(&bad, targets::front_matter) >= 50);
    assert!(replay(&bad, targets::yaml) >= 50);
}
