//! The fragment memo: pieces of feeds (a talk's VEVENT, its frab event in
//! JSON and XML) kept under a 128-bit hash of exactly the inputs they are
//! made from, so that a rebuild makes only the pieces whose inputs changed
//! and assembles each feed from pieces.
//!
//! A piece's maker takes one value holding every input it reads (borrowed
//! from the programme) and that value is what is hashed; a maker that reads
//! anything else would make keys that lie, so makers read nothing else.

use std::any::Any;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use xxhash_rust::xxh3::Xxh3Default;

/// The 128-bit key of `inputs` for pieces of kind `kind` (so that two kinds
/// of piece made from equal inputs never share a key): XXH3, which reads
/// long texts (abstracts) at several bytes a cycle.
pub fn key<T: Hash + ?Sized>(kind: &str, inputs: &T) -> u128 {
    let mut h = Xxh3Default::new();
    kind.hash(&mut h);
    inputs.hash(&mut h);
    h.digest128()
}

/// Pieces of every kind from the last build, by key.
#[derive(Default)]
pub struct Fragments {
    inner: Mutex<Inner>,
}

impl std::fmt::Debug for Fragments {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fragments")
            .field("len", &self.len())
            .finish()
    }
}

#[derive(Default)]
struct Inner {
    generation: u64,
    by_key: HashMap<u128, Entry>,
    hits: usize,
    misses: usize,
}

struct Entry {
    piece: Arc<dyn Any + Send + Sync>,
    used: u64,
}

impl Fragments {
    /// The piece under `key`: remembered, or made now by `make` and remembered.
    pub fn get_or_make<V: Any + Send + Sync>(&self, key: u128, make: impl FnOnce() -> V) -> Arc<V> {
        {
            let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
            let generation = inner.generation;
            if let Some(entry) = inner.by_key.get_mut(&key) {
                if let Ok(piece) = entry.piece.clone().downcast::<V>() {
                    entry.used = generation;
                    inner.hits += 1;
                    return piece;
                }
            }
        }
        let piece = Arc::new(make());
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let generation = inner.generation;
        inner.misses += 1;
        inner.by_key.insert(
            key,
            Entry {
                piece: piece.clone(),
                used: generation,
            },
        );
        piece
    }

    /// Ends a build: forgets pieces it did not use. Returns (reused, made).
    pub fn sweep(&self) -> (usize, usize) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let generation = inner.generation;
        inner.by_key.retain(|_, e| e.used == generation);
        inner.generation += 1;
        let counts = (inner.hits, inner.misses);
        inner.hits = 0;
        inner.misses = 0;
        counts
    }

    /// How many pieces are remembered.
    pub fn len(&self) -> usize {
        self.inner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .by_key
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Makes a piece through `memo` when there is one, else right away.
pub fn piece<V: Any + Send + Sync>(
    memo: Option<&Fragments>,
    key: impl FnOnce() -> u128,
    make: impl FnOnce() -> V,
) -> Arc<V> {
    match memo {
        Some(memo) => memo.get_or_make(key(), make),
        None => Arc::new(make()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_are_reused_while_used_and_forgotten_after() {
        let memo = Fragments::default();
        let made = std::cell::Cell::new(0);
        let make = |s: &str| {
            made.set(made.get() + 1);
            s.to_string()
        };
        let a = key("t", &("a", 1));
        assert_ne!(a, key("u", &("a", 1)), "kinds are told apart");
        assert_ne!(a, key("t", &("a", 2)));
        assert_eq!(*memo.get_or_make(a, || make("x")), "x");
        assert_eq!(*memo.get_or_make(a, || make("y")), "x");
        assert_eq!(made.get(), 1);
        assert_eq!(memo.sweep(), (1, 1));
        // Not used in this build: gone after the sweep.
        memo.get_or_make(key("t", &("b", 1)), || make("b"));
        memo.sweep();
        assert_eq!(memo.len(), 1);
        assert_eq!(*memo.get_or_make(a, || make("z")), "z");
        // A piece of another type under the same key is made anew.
        assert_eq!(*memo.get_or_make(a, || 7u32), 7);
    }
}
