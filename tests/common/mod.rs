//! Helpers shared by the whole-site tests: copy a fixture to a temporary
//! root, build it, read the output.
#![allow(dead_code)]

use programme::{Built, Options};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The repository root (where Cargo.toml is).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `tests/fixtures/<name>`.
pub fn fixture(name: &str) -> PathBuf {
    repo().join("tests/fixtures").join(name)
}

/// Copies a directory tree.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A temporary site root holding a copy of `source` (a folder with content/).
pub fn temp_site(source: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(source, dir.path());
    dir
}

/// Builds a site root in memory with a fixed SOURCE_DATE_EPOCH-free stamp.
pub fn build_memory(root: &Path) -> Built {
    match programme::build_in_memory(&Options::new(root)) {
        Ok(b) => b,
        Err(d) => panic!("build of {} failed:\n{d}", root.display()),
    }
}

/// The example programme (the repository root, whose content/ is the demo site).
pub fn build_example() -> Built {
    build_memory(&repo())
}

/// A built file as text.
pub fn text(built: &Built, path: &str) -> String {
    let bytes = built
        .output
        .get(path)
        .unwrap_or_else(|| panic!("no output file {path}"));
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// Every file under `dir` (relative path with `/` -> bytes); symbolic links
/// are listed with their target prefixed by `->`.
pub fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(dir: &Path, rel: &str, into: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name().to_string_lossy().into_owned();
            let rel = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            let ft = entry.file_type().unwrap();
            if ft.is_dir() {
                walk(&entry.path(), &rel, into);
            } else if ft.is_symlink() {
                let target = std::fs::read_link(entry.path()).unwrap();
                into.insert(rel, format!("->{}", target.display()).into_bytes());
            } else {
                into.insert(rel, std::fs::read(entry.path()).unwrap());
            }
        }
    }
    let mut map = BTreeMap::new();
    walk(dir, "", &mut map);
    map
}
