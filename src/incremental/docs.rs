//! The parsed-document cache: each content file's parse result (document and
//! diagnostics) kept with the exact bytes it came from, so that a rebuild
//! parses only the files whose bytes changed and reports the same problems.

use crate::diagnostic::Diagnostics;
use crate::load::Document;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Content files (keyed by their path relative to the root) and what
/// parsing them gave. Entries not used by a build are dropped by [`DocCache::sweep`].
#[derive(Default)]
pub struct DocCache {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    generation: u64,
    files: HashMap<PathBuf, Entry>,
}

struct Entry {
    bytes: Vec<u8>,
    doc: Option<Document>,
    diagnostics: Diagnostics,
    used: u64,
}

impl DocCache {
    /// What parsing `rel` gave last time, when its bytes are still `bytes`.
    pub fn get(&self, rel: &Path, bytes: &[u8]) -> Option<(Option<Document>, Diagnostics)> {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let generation = inner.generation;
        let entry = inner.files.get_mut(rel)?;
        if entry.bytes != bytes {
            return None;
        }
        entry.used = generation;
        Some((entry.doc.clone(), entry.diagnostics.clone()))
    }

    /// Remembers what parsing `bytes` of `rel` gave.
    pub fn put(&self, rel: &Path, bytes: Vec<u8>, doc: &Option<Document>, d: &Diagnostics) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let used = inner.generation;
        inner.files.insert(
            rel.to_path_buf(),
            Entry {
                bytes,
                doc: doc.clone(),
                diagnostics: d.clone(),
                used,
            },
        );
    }

    /// Ends a build: forgets files it did not read (deleted or renamed).
    pub fn sweep(&self) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let generation = inner.generation;
        inner.files.retain(|_, e| e.used == generation);
        inner.generation += 1;
    }

    /// How many files are remembered.
    pub fn len(&self) -> usize {
        self.inner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .files
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
