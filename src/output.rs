//! The built site: renderers stream finished files into a [`Sink`]; an
//! [`Output`] holds a site in memory (path -> bytes), a [`Manifest`] what is
//! known of a streamed site once its bytes are written (path -> size, hash).

use std::collections::BTreeMap;
use std::io;
use std::sync::Mutex;

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
        // should not keep much slack (but a near fit is not worth a copy).
        let mut bytes: Vec<u8> = bytes.into();
        if bytes.capacity() - bytes.len() > bytes.len() / 8 {
            bytes.shrink_to_fit();
        }
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

impl AsRef<Output> for Output {
    fn as_ref(&self) -> &Output {
        self
    }
}

/// What is known of one streamed file once its bytes are gone: enough for
/// the finishing step (sitemap, service worker version, precache list).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileInfo {
    pub len: usize,
    /// [`file_hash`] of the path and bytes.
    pub hash: u64,
}

/// Every file of a site by path, without the bytes; sorted like [`Output`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest {
    files: BTreeMap<String, FileInfo>,
}

impl Manifest {
    /// The manifest of a site held in memory.
    pub fn of(output: &Output) -> Manifest {
        use rayon::prelude::*;
        let files: Vec<(&str, &[u8])> = output.iter().collect();
        let infos: Vec<FileInfo> = files
            .par_iter()
            .with_min_len(64)
            .map(|(p, b)| FileInfo::of(p, b))
            .collect();
        Manifest {
            files: files
                .into_iter()
                .zip(infos)
                .map(|((p, _), i)| (p.to_string(), i))
                .collect(),
        }
    }

    /// Adds a file; false (and nothing changed) when the path is taken.
    pub fn insert(&mut self, path: String, info: FileInfo) -> bool {
        match self.files.entry(path) {
            std::collections::btree_map::Entry::Occupied(_) => false,
            std::collections::btree_map::Entry::Vacant(v) => {
                v.insert(info);
                true
            }
        }
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

    pub fn iter(&self) -> impl Iterator<Item = (&str, &FileInfo)> {
        self.files.iter().map(|(p, i)| (p.as_str(), i))
    }

    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }
}

impl FileInfo {
    pub fn of(path: &str, bytes: &[u8]) -> FileInfo {
        FileInfo {
            len: bytes.len(),
            hash: file_hash(path, bytes),
        }
    }
}

/// A stable 64-bit hash of a file's path, length and bytes (XXH3: not
/// cryptographic, only to tell builds apart, and fast enough to run over
/// every byte of the site as it streams past).
pub fn file_hash(path: &str, bytes: &[u8]) -> u64 {
    let h = hash_feed(0xcbf29ce484222325, path.as_bytes());
    let h = hash_feed(h, &(bytes.len() as u64).to_le_bytes());
    xxhash_rust::xxh3::xxh3_64_with_seed(bytes, h)
}

/// Folds `bytes` into `h` (for short inputs: paths, lengths, other hashes).
pub fn hash_feed(mut h: u64, bytes: &[u8]) -> u64 {
    const PRIME: u64 = 0x100000001b3;
    let mut words = bytes.chunks_exact(8);
    for w in &mut words {
        let word = u64::from_le_bytes(w.try_into().expect("eight bytes"));
        h = (h ^ word).wrapping_mul(PRIME).rotate_left(29);
    }
    for &b in words.remainder() {
        h = (h ^ u64::from(b)).wrapping_mul(PRIME);
    }
    h
}

/// Where renderers put each finished file, from any thread, as soon as it
/// is rendered: the site is streamed, never held whole unless the sink
/// keeps it.
pub trait Sink: Sync {
    /// Takes one file. Err(path) when that path was already put: two
    /// outputs claim it, which the renderer reports as an error.
    fn put(&self, path: String, bytes: Vec<u8>) -> Result<(), String>;
}

/// Collects into an [`Output`] in memory.
impl Sink for Mutex<Output> {
    fn put(&self, path: String, bytes: Vec<u8>) -> Result<(), String> {
        self.lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(path, bytes)
    }
}

/// Where a [`Collector`] hands each accepted file's bytes.
pub trait Store: Sync {
    fn store(&self, path: &str, bytes: Vec<u8>) -> io::Result<()>;
}

/// Keeps the site in memory (for serve, tests and the library).
impl Store for Mutex<Output> {
    fn store(&self, path: &str, bytes: Vec<u8>) -> io::Result<()> {
        let mut out = self.lock().unwrap_or_else(|e| e.into_inner());
        // The collector already refused clashing paths.
        let _ = out.insert(path, bytes);
        Ok(())
    }
}

/// The sink of a whole build: refuses clashing paths, notes every file in a
/// [`Manifest`] for the finishing step, keeps back the few files that step
/// rewrites (`held`), and hands the rest to a [`Store`]. A store error is
/// kept (the first one) and ends the build once rendering returns.
pub struct Collector<'a> {
    manifest: Mutex<Manifest>,
    hold: &'a [&'a str],
    held: Mutex<BTreeMap<String, Vec<u8>>>,
    store: &'a dyn Store,
    error: Mutex<Option<io::Error>>,
}

impl<'a> Collector<'a> {
    pub fn new(store: &'a dyn Store, hold: &'a [&'a str]) -> Self {
        Collector {
            manifest: Mutex::new(Manifest::default()),
            hold,
            held: Mutex::new(BTreeMap::new()),
            store,
            error: Mutex::new(None),
        }
    }

    /// The files put so far (without the held ones).
    pub fn manifest(&self) -> std::sync::MutexGuard<'_, Manifest> {
        self.manifest.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Takes a held file out.
    pub fn take_held(&self, path: &str) -> Option<Vec<u8>> {
        self.held
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(path)
    }

    /// The first store error, if any.
    pub fn take_error(&self) -> Option<io::Error> {
        self.error.lock().unwrap_or_else(|e| e.into_inner()).take()
    }

    /// The manifest, once everything is put.
    pub fn into_manifest(self) -> Manifest {
        self.manifest
            .into_inner()
            .unwrap_or_else(|e| e.into_inner())
    }
}

impl Collector<'_> {
    /// Puts a file of the finishing step: never held back.
    pub fn put_final(&self, path: String, bytes: Vec<u8>) -> Result<(), String> {
        self.accept(path, bytes, false)
    }

    fn accept(&self, path: String, bytes: Vec<u8>, may_hold: bool) -> Result<(), String> {
        debug_assert!(
            !path.starts_with('/') && !path.contains(".."),
            "bad output path {path}"
        );
        if may_hold && self.hold.contains(&path.as_str()) {
            let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
            if held.contains_key(&path) {
                return Err(path);
            }
            held.insert(path, bytes);
            return Ok(());
        }
        let info = FileInfo::of(&path, &bytes);
        if !self.manifest().insert(path.clone(), info) {
            return Err(path);
        }
        let failed = self
            .error
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some();
        if !failed {
            if let Err(e) = self.store.store(&path, bytes) {
                self.error
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .get_or_insert(e);
            }
        }
        Ok(())
    }
}

impl Sink for Collector<'_> {
    fn put(&self, path: String, bytes: Vec<u8>) -> Result<(), String> {
        self.accept(path, bytes, true)
    }
}
