//! The stage of a publish: a fresh folder beside the output that the new
//! site is written into, file by file, before it is swapped in. Files come
//! either from the caller's threads ([`Stage::put`]) or, streamed from the
//! renderers, through a bounded queue to writer threads of the stage's own
//! (the [`Store`] side), so that rendering and file creation overlap.

use super::{
    link_tree, recover, remove_tree, resolve_target, same_bytes, stage_name, swap, sync_tree, Kind,
    Swapped, WriteOptions, WriteStats,
};
use crate::output::Store;
use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Instant;

/// A stage folder being filled: the [`Store`] of a build to disk. Files may
/// be put from many threads at once; files handed over as a [`Store`] are
/// written by a few writer threads of the stage's own, so that rendering
/// goes on while files are created. [`Stage::commit`] swaps it in;
/// dropping it uncommitted (an error, a failed build) removes it.
pub struct Stage {
    files: Arc<StageFiles>,
    pub(super) target: PathBuf,
    pub(super) parent: PathBuf,
    pub(super) name: String,
    /// Folders made above the output by `begin`, removed again on failure.
    made: Vec<PathBuf>,
    queue: Mutex<Option<Queue>>,
    committed: bool,
}

/// What the writer threads share with the stage.
struct StageFiles {
    path: PathBuf,
    target: PathBuf,
    exists: bool,
    opts: WriteOptions,
    /// Folders already made in the stage.
    dirs: Mutex<HashSet<String>>,
    /// Every path put, and the ones written (not linked).
    site: Mutex<HashSet<String>>,
    written: Mutex<Vec<String>>,
}

/// The writer threads and the bounded queue feeding them.
struct Queue {
    tx: SyncSender<(String, Vec<u8>)>,
    threads: Vec<JoinHandle<()>>,
    error: Arc<Mutex<Option<io::Error>>>,
}

/// Writer threads per stage: file creation waits on the disk, not the CPU.
const WRITERS: usize = 4;
/// Files waiting for a writer at most; a renderer that gets ahead waits,
/// so memory stays small.
const QUEUED: usize = 64;

impl Queue {
    fn start(files: &Arc<StageFiles>) -> Queue {
        let (tx, rx) = sync_channel::<(String, Vec<u8>)>(QUEUED);
        let rx = Arc::new(Mutex::new(rx));
        let error: Arc<Mutex<Option<io::Error>>> = Arc::new(Mutex::new(None));
        let threads = (0..WRITERS)
            .map(|_| {
                let (rx, error, files) = (rx.clone(), error.clone(), files.clone());
                std::thread::spawn(move || loop {
                    let next = lock(&rx).recv();
                    let Ok((path, bytes)) = next else { break };
                    if lock(&error).is_some() {
                        continue;
                    }
                    if let Err(e) = files.put(&path, &bytes) {
                        lock(&error).get_or_insert(e);
                    }
                })
            })
            .collect();
        Queue { tx, threads, error }
    }

    /// Waits for every queued file; the first error, if any.
    fn finish(self) -> io::Result<()> {
        drop(self.tx);
        for t in self.threads {
            let _ = t.join();
        }
        match lock(&self.error).take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

impl Stage {
    /// Cleans up after killed publishes and makes a fresh stage beside `dir`.
    pub fn begin(dir: &Path, opts: WriteOptions) -> io::Result<Stage> {
        let target = resolve_target(dir)?;
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = target
            .file_name()
            .ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!(
                        "the output folder `{}` has no name; give a folder such as `public`",
                        dir.display()
                    ),
                )
            })?
            .to_string_lossy()
            .into_owned();
        let made = make_parents(&parent)?;
        let fail = |e: io::Error| {
            unmake(&made);
            e
        };
        let exists = match fs::symlink_metadata(&target) {
            Ok(m) if m.is_dir() => true,
            Ok(_) => {
                return Err(fail(io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    format!(
                        "the output path `{}` exists and is not a folder; move it away or choose another --output",
                        target.display()
                    ),
                )))
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => false,
            Err(e) => return Err(fail(e)),
        };
        let exists = recover(&parent, &name, &target, exists).map_err(fail)?;
        let path = parent.join(stage_name(&name, Kind::Stage));
        if fs::symlink_metadata(&path).is_ok() {
            remove_tree(&path, None);
        }
        fs::create_dir(&path).map_err(fail)?;
        Ok(Stage {
            files: Arc::new(StageFiles {
                path,
                target: target.clone(),
                exists,
                opts,
                dirs: Mutex::new(HashSet::new()),
                site: Mutex::new(HashSet::new()),
                written: Mutex::new(Vec::new()),
            }),
            target,
            parent,
            name,
            made,
            queue: Mutex::new(None),
            committed: false,
        })
    }

    /// Puts one file into the stage now, on this thread.
    pub fn put(&self, path: &str, bytes: &[u8]) -> io::Result<()> {
        self.files.put(path, bytes)
    }

    /// Waits for the writer threads, carries the output's dot entries over,
    /// flushes, and swaps the stage in.
    pub fn commit(mut self) -> io::Result<Swapped> {
        if let Some(queue) = lock(&self.queue).take() {
            queue.finish()?;
        }
        let files = &self.files;
        if files.exists {
            for entry in fs::read_dir(&self.target)? {
                let entry = entry?;
                if entry.file_name().to_string_lossy().starts_with('.') {
                    link_tree(&entry.path(), &files.path.join(entry.file_name()))?;
                }
            }
        }
        let started = Instant::now();
        if files.opts.sync {
            sync_tree(&files.path)?;
        }
        let synced = started.elapsed();
        let old = swap(
            &files.path,
            &self.target,
            &self.parent,
            &self.name,
            files.exists,
        )?;
        self.committed = true;
        let site = std::mem::take(&mut *lock(&files.site));
        let written = std::mem::take(&mut *lock(&files.written));
        Ok(Swapped {
            stats: WriteStats {
                written: written.len(),
                unchanged: site.len() - written.len(),
                removed: 0,
            },
            old,
            site,
            written,
            synced,
        })
    }
}

impl StageFiles {
    /// Puts one file into the stage: hard-linked from the published site
    /// when that holds the same bytes, written otherwise.
    fn put(&self, path: &str, bytes: &[u8]) -> io::Result<()> {
        if let Some((dir, _)) = path.rsplit_once('/') {
            let known = lock(&self.dirs).contains(dir);
            if !known {
                fs::create_dir_all(self.path.join(dir))?;
                lock(&self.dirs).insert(dir.to_string());
            }
        }
        let dest = self.path.join(path);
        lock(&self.site).insert(path.to_string());
        if self.exists {
            let old = self.target.join(path);
            if same_bytes(&old, bytes) && fs::hard_link(&old, &dest).is_ok() {
                return Ok(());
            }
        }
        write_new(&dest, bytes, self.opts)?;
        lock(&self.written).push(path.to_string());
        Ok(())
    }
}

impl Store for Stage {
    /// Queues the file for the writer threads; an error shows at commit.
    fn store(&self, path: &str, bytes: Vec<u8>) -> io::Result<()> {
        let tx = {
            let mut queue = lock(&self.queue);
            queue
                .get_or_insert_with(|| Queue::start(&self.files))
                .tx
                .clone()
        };
        tx.send((path.to_string(), bytes))
            .map_err(|_| io::Error::other("the stage's writer threads stopped"))
    }
}

impl Drop for Stage {
    fn drop(&mut self) {
        if let Some(queue) = lock(&self.queue).take() {
            let _ = queue.finish();
        }
        if !self.committed {
            remove_tree(&self.files.path, None);
            unmake(&self.made);
        }
    }
}

pub(super) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Creates `dir` and its missing parents; returns the ones it made, deepest first.
fn make_parents(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut missing = Vec::new();
    let mut d = Some(dir);
    while let Some(p) = d {
        if p.as_os_str().is_empty() || fs::symlink_metadata(p).is_ok() {
            break;
        }
        missing.push(p.to_path_buf());
        d = p.parent();
    }
    fs::create_dir_all(dir)?;
    Ok(missing)
}

/// Removes folders `make_parents` made, if they are still empty.
fn unmake(made: &[PathBuf]) {
    for d in made {
        let _ = fs::remove_dir(d);
    }
}

/// Creates a new file holding `bytes` (never writing into an existing
/// file, which may be hard-linked into the published site).
pub(super) fn write_new(dest: &Path, bytes: &[u8], opts: WriteOptions) -> io::Result<()> {
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(dest)?;
    io::Write::write_all(&mut file, bytes)?;
    if opts.sync {
        if cfg!(target_os = "linux") {
            if opts.early_writeback {
                start_writeback(&file);
            }
        } else {
            file.sync_data()?;
        }
    }
    Ok(())
}

/// Asks the kernel to start writing the file's data to the disk now,
/// without waiting; the flush before the swap then has less left to do.
fn start_writeback(file: &fs::File) {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        // SAFETY: the descriptor is valid for the call; the flag only
        // starts writeback and returns. A failure only loses the head start.
        unsafe {
            libc::sync_file_range(file.as_raw_fd(), 0, 0, libc::SYNC_FILE_RANGE_WRITE);
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = file;
}
