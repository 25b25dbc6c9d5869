//! Watching: the files a build reads (content/, themes/, a root
//! conference.yaml), a debounced notify watcher over them, and the filter that
//! drops editor swap, backup and temporary files and the output folder.

use notify::{EventKind, PollWatcher, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{
    new_debouncer, new_debouncer_opt, DebounceEventResult, Debouncer, NoCache, RecommendedCache,
};
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Duration;

/// How long an event waits before it is handed on: editors write a
/// temporary file and rename it over the real one within a few
/// milliseconds, so a save arrives as one change.
const DEBOUNCE: Duration = Duration::from_millis(10);
/// How often the debouncer looks for events that have waited long enough.
const TICK: Duration = Duration::from_millis(2);
/// After a batch, how long to wait for the next one before rebuilding: a
/// little over one tick, so that a burst (a `git checkout` of many files)
/// whose events fall on neighbouring ticks becomes one rebuild.
const SETTLE: Duration = Duration::from_millis(3);
/// How often `--poll` looks at the files.
const POLL_EVERY: Duration = Duration::from_millis(300);

/// The folders under the root whose files a build reads.
const WATCHED: [&str; 2] = ["content", "themes"];

enum Inner {
    Events(Debouncer<RecommendedWatcher, RecommendedCache>),
    Poll(Debouncer<PollWatcher, NoCache>),
}

impl Inner {
    fn watch(&mut self, path: &Path, mode: RecursiveMode) -> notify::Result<()> {
        match self {
            Inner::Events(d) => d.watch(path, mode),
            Inner::Poll(d) => d.watch(path, mode),
        }
    }

    fn unwatch(&mut self, path: &Path) {
        let _ = match self {
            Inner::Events(d) => d.unwatch(path),
            Inner::Poll(d) => d.unwatch(path),
        };
    }
}

/// A running watcher of one site.
pub struct Watcher {
    inner: Inner,
    rx: Receiver<DebounceEventResult>,
    filter: Filter,
    /// Which of [`WATCHED`] are being watched.
    watching: [bool; 2],
}

impl Watcher {
    pub fn start(root: &Path, output: &Path, poll: bool) -> Result<Watcher, String> {
        let (tx, rx) = std::sync::mpsc::channel();
        let inner = if poll {
            let config = notify::Config::default().with_poll_interval(POLL_EVERY);
            new_debouncer_opt::<_, PollWatcher, _>(DEBOUNCE, Some(TICK), tx, NoCache, config)
                .map(Inner::Poll)
        } else {
            new_debouncer(DEBOUNCE, Some(TICK), tx).map(Inner::Events)
        }
        .map_err(|e| format!("cannot watch for changes: {e}"))?;
        let filter = Filter::new(root, output);
        let mut w = Watcher {
            inner,
            rx,
            filter,
            watching: [false; 2],
        };
        // The root itself, not recursively: sees content/ or themes/ appear
        // and a conference.yaml beside them.
        w.inner
            .watch(&w.filter.root, RecursiveMode::NonRecursive)
            .map_err(|e| format!("cannot watch {}: {e}", w.filter.root.display()))?;
        w.refresh(&[]);
        Ok(w)
    }

    /// Starts watching content/ and themes/ when they exist (again).
    fn refresh(&mut self, touched: &[PathBuf]) {
        for (i, name) in WATCHED.iter().enumerate() {
            let dir = self.filter.root.join(name);
            let exists = dir.is_dir();
            let recreated = touched.iter().any(|p| p == &dir);
            if self.watching[i] && (!exists || recreated) {
                self.inner.unwatch(&dir);
                self.watching[i] = false;
            }
            if exists && !self.watching[i] {
                match self.inner.watch(&dir, RecursiveMode::Recursive) {
                    Ok(()) => self.watching[i] = true,
                    Err(e) => eprintln!("warning: cannot watch {}: {e}", dir.display()),
                }
            }
        }
    }

    /// Blocks until a change that matters; returns the paths that changed.
    /// Events for ignored files are swallowed. None when the watcher stopped.
    pub fn wait_change(&mut self) -> Option<Vec<PathBuf>> {
        loop {
            let batch = self.rx.recv().ok()?;
            if let Some(paths) = self.relevant(batch) {
                // Events that arrived while this batch was read belong to it.
                let mut paths = paths;
                loop {
                    match self.rx.recv_timeout(SETTLE) {
                        Ok(more) => paths.extend(self.relevant(more).unwrap_or_default()),
                        Err(RecvTimeoutError::Timeout) => break,
                        Err(RecvTimeoutError::Disconnected) => break,
                    }
                }
                return Some(paths);
            }
        }
    }

    fn relevant(&mut self, batch: DebounceEventResult) -> Option<Vec<PathBuf>> {
        let events = match batch {
            Ok(events) => events,
            Err(errors) => {
                for e in errors {
                    eprintln!("warning: watching: {e}");
                }
                return None;
            }
        };
        // Reading a file (as every build does) is no change.
        let touched: Vec<PathBuf> = events
            .iter()
            .filter(|e| !matches!(e.event.kind, EventKind::Access(_)))
            .flat_map(|e| e.event.paths.iter().cloned())
            .collect();
        self.refresh(&touched);
        let paths: Vec<PathBuf> = touched
            .into_iter()
            .filter(|p| self.filter.matters(p))
            .collect();
        (!paths.is_empty()).then_some(paths)
    }
}

/// Which changed paths should trigger a rebuild.
#[derive(Debug, Clone)]
pub struct Filter {
    root: PathBuf,
    output: PathBuf,
}

impl Filter {
    pub fn new(root: &Path, output: &Path) -> Filter {
        let root = absolute(root);
        let output = absolute(output);
        Filter { root, output }
    }

    /// Whether a change to `path` can change the built site.
    pub fn matters(&self, path: &Path) -> bool {
        let path = absolute(path);
        if path.starts_with(&self.output) {
            return false;
        }
        let Ok(rel) = path.strip_prefix(&self.root) else {
            return false;
        };
        let first = match rel.components().next() {
            Some(Component::Normal(c)) => c.to_string_lossy(),
            _ => return false,
        };
        let name = rel
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let watched = WATCHED.contains(&first.as_ref())
            || (rel.components().count() == 1 && first == "conference.yaml");
        watched && !scratch_file(&name)
    }
}

/// Files editors and tools write beside the real one while saving, and
/// system clutter: never part of a site.
pub fn scratch_file(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    name.ends_with('~')
        || name.starts_with(".#")
        || (name.starts_with('#') && name.ends_with('#'))
        || name == "4913"
        || lower == ".ds_store"
        || lower == "thumbs.db"
        || name.contains("___jb_")
        || [
            ".swp",
            ".swo",
            ".swx",
            ".swpx",
            ".tmp",
            ".temp",
            ".bak",
            ".orig",
            ".part",
            ".crdownload",
            ".kate-swp",
        ]
        .iter()
        .any(|ext| lower.ends_with(ext))
        // vim's numbered swap files (.x.swp, .x.swo, .x.swn ... .x.swa)
        || (name.starts_with('.')
            && lower.len() > 4
            && lower[lower.len() - 4..].starts_with(".sw"))
}

/// `path` made absolute against the current folder and normalised where it
/// exists, so that watcher paths and configured paths compare equal.
fn absolute(path: &Path) -> PathBuf {
    if let Ok(p) = path.canonicalize() {
        return p;
    }
    // Not there (deleted, or the output folder before the first build):
    // canonicalise the nearest existing ancestor and append the rest.
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let mut rest = Vec::new();
    let mut cur = abs.as_path();
    while let Some(parent) = cur.parent() {
        if let Some(name) = cur.file_name() {
            rest.push(name.to_os_string());
        }
        if let Ok(base) = parent.canonicalize() {
            let mut out = base;
            for n in rest.iter().rev() {
                out.push(n);
            }
            return out;
        }
        cur = parent;
    }
    abs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editor_scratch_files_are_ignored() {
        for name in [
            ".talk.md.swp",
            ".talk.md.swo",
            ".talk.md.swx",
            "talk.md~",
            ".#talk.md",
            "#talk.md#",
            "4913",
            "talk.md.tmp",
            "talk.md___jb_tmp___",
            ".DS_Store",
            "talk.md.bak",
        ] {
            assert!(scratch_file(name), "{name}");
        }
        for name in [
            "talk.md",
            "conference.yaml",
            "style.css",
            "swap.md",
            "logo.svg",
        ] {
            assert!(!scratch_file(name), "{name}");
        }
    }

    #[test]
    fn only_inputs_outside_the_output_matter() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        std::fs::create_dir_all(root.join("content/talks")).unwrap();
        let f = Filter::new(root, &root.join("content/public"));
        assert!(f.matters(&root.join("content/talks/a.md")));
        assert!(f.matters(&root.join("content/talks/deleted.md")));
        assert!(f.matters(&root.join("themes/default/templates/talk.html")));
        assert!(f.matters(&root.join("conference.yaml")));
        assert!(f.matters(&root.join("content")));
        assert!(!f.matters(&root.join("content/talks/.a.md.swp")));
        assert!(!f.matters(&root.join("content/public/index.html")));
        assert!(!f.matters(&root.join("README.md")));
        assert!(!f.matters(&root.join("target/debug/x")));
        assert!(!f.matters(&root.join(".public.programme-stage-1-0/index.html")));
    }
}
