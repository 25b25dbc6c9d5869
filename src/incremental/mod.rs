//! Incremental rebuilds: what `programme serve` keeps between builds so that
//! a save re-parses only the files that changed and re-renders only the
//! pages whose inputs changed. Every cache is keyed by the exact inputs of
//! the work it saves, so a rebuild gives the bytes a fresh build would.

pub mod docs;
pub mod fragments;
pub mod memo;

pub use docs::DocCache;
pub use fragments::Fragments;
pub use memo::PageMemo;

use crate::diagnostic::Diagnostics;
use crate::{Built, Options};
use std::sync::Arc;

/// The caches of one site, carried from build to build.
#[derive(Default)]
pub struct Caches {
    pub docs: DocCache,
    pub pages: Arc<PageMemo>,
    pub fragments: Arc<Fragments>,
}

impl Caches {
    /// Ends a build: forgets what it did not use. Returns what it reused.
    pub fn sweep(&self) -> Reuse {
        self.docs.sweep();
        let (pages_reused, pages_rendered) = self.pages.sweep();
        let (fragments_reused, fragments_made) = self.fragments.sweep();
        Reuse {
            pages_reused,
            pages_rendered,
            fragments_reused,
            fragments_made,
        }
    }
}

/// A site being rebuilt again and again (serve and watch).
pub struct Session {
    pub opts: Options,
    caches: Caches,
}

/// What the last build reused.
#[derive(Debug, Clone, Copy, Default)]
pub struct Reuse {
    pub pages_reused: usize,
    pub pages_rendered: usize,
    /// Feed pieces (a talk's VEVENT, its frab event) reused and made.
    pub fragments_reused: usize,
    pub fragments_made: usize,
}

impl Session {
    pub fn new(opts: Options) -> Session {
        Session {
            opts,
            caches: Caches::default(),
        }
    }

    /// Builds the site in memory, reusing what the last build made.
    pub fn build(&mut self) -> (Result<Built, Diagnostics>, Reuse) {
        let result = crate::build_in_memory_with(&self.opts, Some(&self.caches));
        (result, self.caches.sweep())
    }
}
