//! The built site in memory: output paths mapped to bytes, before anything is written.

use std::collections::BTreeMap;

/// Every file of the built site, keyed by its path relative to the output
/// folder with `/` separators (`talks/keynote/index.html`). Sorted, so that
/// iteration and therefore the written site are deterministic.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Output {
    files: BTreeMap<String, Vec<u8>>,
}

impl Output {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a file. Two renderers claiming one path is a bug in a theme or in
    /// the generator, reported as an error by the caller.
    pub fn insert(
        &mut self,
        path: impl Into<String>,
        bytes: impl Into<Vec<u8>>,
    ) -> Result<(), String> {
        let path = path.into();
        debug_assert!(
            !path.starts_with('/') && !path.contains(".."),
            "bad output path {path}"
        );
        if self.files.contains_key(&path) {
            return Err(path);
        }
        // Rendered pages grow by doubling; a whole site kept in memory
        // should not keep the slack.
        let mut bytes: Vec<u8> = bytes.into();
        bytes.shrink_to_fit();
        self.files.insert(path, bytes);
        Ok(())
    }

    /// Adds every file of `other`; returns the first path both hold.
    pub fn merge(&mut self, other: Output) -> Result<(), String> {
        for (path, bytes) in other.files {
            self.insert(path, bytes)?;
        }
        Ok(())
    }

    /// Takes a file out (a finishing step that moves or rewrites it).
    pub fn remove(&mut self, path: &str) -> Option<Vec<u8>> {
        self.files.remove(path)
    }

    pub fn get(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).map(Vec::as_slice)
    }

    pub fn contains(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.files.iter().map(|(p, b)| (p.as_str(), b.as_slice()))
    }

    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    /// Total size in bytes.
    pub fn size(&self) -> usize {
        self.files.values().map(Vec::len).sum()
    }
}
