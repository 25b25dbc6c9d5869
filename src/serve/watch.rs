//! Watching: the files a build reads (content/, themes/, a root
//! conference.yaml), a notify watcher over them that hands on a save once it
//! has settled, and the filter that drops editor swap, backup and temporary
//! files and the output folder.

use notify::{EventKind, PollWatcher, RecommendedWatcher, RecursiveMode, Watcher as _};
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// How long the files must stay quiet after a change before it is handed
/// on: editors write a temporary file and rename it over the real one within
/// a millisecond, and a tool writing many files (`git checkout`) keeps
/// changing them, so either arrives as one change.
const SETTLE: Duration = Duration::from_millis(3);
/// The longest a change waits for a burst to settle: a folder copied in for
/// seconds still gets a rebuild now and then.
const MAX_SETTLE: Duration = Duration::from_millis(500);
/// How often `--poll` looks at the files.
const POLL_EVERY: Duration = Duration::from_millis(300);

/// The folders under the root whose files a build reads.
const WATCHED: [&str; 2] = ["content", "themes"];

enum Inner {
    Events(RecommendedWatcher),
    Poll(PollWatcher),
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
    rx: Receiver<notify::Result<notify::Event>>,
    filter: Filter,
    /// Which of [`WATCHED`] are being watched.
    watching: [bool; 2],
}

impl Watcher {
    pub fn start(root: &Path, output: &Path, poll: bool) -> Result<Watcher, String> {
        let (tx, rx) = std::sync::mpsc::channel();
        let inner = if poll {
            let config = notify::Config::default().with_poll_interval(POLL_EVERY);
            PollWatcher::new(tx, config).map(Inner::Poll)
        } else {
            RecommendedWatcher::new(tx, notify::Config::default()).map(Inner::Events)
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

    /// Blocks until a change that matters, then until the files have been
    /// quiet for [`SETTLE`]; returns the paths that changed. Events for
    /// ignored files are swallowed. None when the watcher stopped.
    pub fn wait_change(&mut self) -> Option<Vec<PathBuf>> {
        loop {
            let event = self.rx.recv().ok()?;
            let Some(mut paths) = self.relevant(event) else {
                continue;
            };
            // Later changes that belong to this one (the rest of a save, or
            // of a burst) move the deadline on; reads and ignored files do not.
            let started = Instant::now();
            let mut quiet_at = started + SETTLE;
            loop {
                let left = quiet_at.saturating_duration_since(Instant::now());
                match self.rx.recv_timeout(left) {
                    Ok(more) => {
                        if let Some(more) = self.relevant(more) {
                            paths.extend(more);
                            quiet_at = (Instant::now() + SETTLE).min(started + MAX_SETTLE);
                        }
                    }
                    Err(RecvTimeoutError::Timeout) => break,
                    Err(RecvTimeoutError::Disconnected) => break,
                }
            }
            return Some(paths);
        }
    }

    fn relevant(&mut self, event: notify::Result<notify::Event>) -> Option<Vec<PathBuf>> {
        let event = match event {
            Ok(event) => event,
            Err(e) => {
                eprintln!("warning: watching: {e}");
                return None;
            }
        };
        // Reading a file (as every build does) is no change.
        if matches!(event.kind, EventKind::Access(_)) {
            return None;
        }
        let touched = event.paths;
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
