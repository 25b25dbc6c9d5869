//! Writing: the only writer of the output folder. Stages the new site beside
//! it and swaps it in atomically, keeping dotfiles; unchanged files are reused.
//!
//! A publish of `public/` goes like this:
//!
//! 1. Leftovers of builds that were killed (`.public.programme-stage-<pid>-<n>`
//!    and `.public.programme-spare-<pid>-<n>` folders whose process is gone)
//!    are removed; if a kill left no output folder but a complete old one set
//!    aside, that one is put back.
//! 2. A fresh stage folder is made beside the output (same parent, so the
//!    same file system). Each file goes into it as soon as it is rendered
//!    ([`Stage`] is the build's [`Store`](crate::output::Store)), created by
//!    writer threads of its own; a file whose size and bytes equal the file
//!    already published is hard-linked instead of written. Writeback of each
//!    new file starts at once.
//! 3. Top-level dotfiles and dot-folders of the current output (`.git`,
//!    `.nojekyll`, `.domains`) are hard-linked into the stage, unless the site
//!    itself writes that path.
//! 4. The staged files are flushed to the disk (`syncfs`), so that not even a
//!    power cut can swap in a tree of empty files.
//! 5. The stage is swapped with the output in one step (`renameat2` with
//!    `RENAME_EXCHANGE` on Linux; two renames elsewhere, recovered by step 1 if
//!    killed between them), then the old tree is removed.
//!
//! So a reader, or a kill at any moment, sees either the old site or the new
//! one, never a mix; an error before the swap leaves the output untouched.
//! Long-running processes (watch, serve) keep the swapped-out tree as a
//! spare instead and bring it up to date with only what changed: see
//! [`spare`].

pub mod spare;
mod stage;

pub use stage::Stage;

use crate::output::Output;
use rayon::prelude::*;
use std::collections::HashSet;
use std::ffi::OsString;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// What a publish did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteStats {
    /// Files whose bytes changed or are new.
    pub written: usize,
    /// Files left as they were.
    pub unchanged: usize,
    /// Files removed.
    pub removed: usize,
}

/// How a publish should treat durability.
#[derive(Debug, Clone, Copy)]
pub struct WriteOptions {
    /// Flush the staged files to the disk before the swap, so that a power
    /// cut, not only a killed process, finds the old or the new site whole.
    pub sync: bool,
    /// With `sync`: start writing each file back to the disk as soon as it
    /// is written (Linux `sync_file_range`), so that the flush before the
    /// swap only waits for the last files.
    pub early_writeback: bool,
}

impl Default for WriteOptions {
    fn default() -> Self {
        WriteOptions {
            sync: true,
            early_writeback: true,
        }
    }
}

impl WriteOptions {
    /// No flush: for previews, which need not survive a power cut.
    pub fn preview() -> Self {
        WriteOptions {
            sync: false,
            early_writeback: false,
        }
    }
}

/// Writes `output` as the whole content of `dir` (plus the dotfiles `dir`
/// already held), atomically. On error `dir` is left as it was.
pub fn publish(output: &Output, dir: &Path) -> io::Result<WriteStats> {
    let swapped = stage_and_swap(output, dir, WriteOptions::default())?;
    Ok(swapped.finish())
}

/// Stages a site held in memory (in parallel) and swaps it in; the old
/// tree is removed by the caller with [`Swapped::finish`].
pub fn stage_and_swap(output: &Output, dir: &Path, opts: WriteOptions) -> io::Result<Swapped> {
    let stage = Stage::begin(dir, opts)?;
    let files: Vec<(&str, &[u8])> = output.iter().collect();
    files
        .par_iter()
        .try_for_each(|(path, bytes)| stage.put(path, bytes))?;
    stage.commit()
}

/// A publish whose swap is done: the new site is in place. The old tree,
/// set aside, is removed by [`Swapped::finish`] (or kept as a spare by
/// [`spare::DoubleBuffer`]); dropping this without finishing leaves it for
/// the next publish to clean up.
#[must_use = "call finish() to remove the old tree and count removed files"]
pub struct Swapped {
    stats: WriteStats,
    old: Option<PathBuf>,
    site: HashSet<String>,
    written: Vec<String>,
    synced: Duration,
}

impl Swapped {
    /// Written and unchanged counts, known as soon as the swap is done.
    pub fn stats(&self) -> WriteStats {
        self.stats
    }

    /// Time spent flushing the stage to the disk before the swap.
    pub fn synced(&self) -> Duration {
        self.synced
    }

    /// Removes the old tree; returns the stats with `removed` counted.
    pub fn finish(self) -> WriteStats {
        let mut stats = self.stats;
        if let Some(old) = &self.old {
            stats.removed = remove_tree(old, Some(&self.site));
        }
        stats
    }
}

/// The folder to publish into: `dir` itself, or what it points at when it
/// is a symbolic link to a folder (the link is kept).
fn resolve_target(dir: &Path) -> io::Result<PathBuf> {
    match fs::symlink_metadata(dir) {
        Ok(m) if m.file_type().is_symlink() => match fs::canonicalize(dir) {
            Ok(real) => Ok(real),
            // A dangling link: publishing would replace the link itself.
            Err(_) => Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!(
                    "the output folder `{}` is a symbolic link to nothing",
                    dir.display()
                ),
            )),
        },
        _ => Ok(dir.to_path_buf()),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Stage,
    Old,
    Spare,
}

impl Kind {
    fn tag(self) -> &'static str {
        match self {
            Kind::Stage => "programme-stage",
            Kind::Old => "programme-old",
            Kind::Spare => "programme-spare",
        }
    }
}

/// `.<name>.programme-stage-<pid>-<n>`: hidden, beside the output, unique
/// per process and per publish within it.
fn stage_name(name: &str, kind: Kind) -> String {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!(".{name}.{}-{}-{n}", kind.tag(), std::process::id())
}

/// Parses a leftover folder name of ours for `name`: its kind and pid.
fn parse_leftover(file: &str, name: &str) -> Option<(Kind, u32)> {
    let rest = file
        .strip_prefix('.')?
        .strip_prefix(name)?
        .strip_prefix('.')?;
    for kind in [Kind::Stage, Kind::Old, Kind::Spare] {
        if let Some(ids) = rest
            .strip_prefix(kind.tag())
            .and_then(|r| r.strip_prefix('-'))
        {
            let (pid, n) = ids.split_once('-')?;
            n.parse::<u64>().ok()?;
            return Some((kind, pid.parse().ok()?));
        }
    }
    None
}

/// Whether the process `pid` still runs (and may still be using its stage).
fn alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return false;
        };
        // SAFETY: kill with signal 0 only checks for the process; no signal is sent.
        let r = unsafe { libc::kill(pid, 0) };
        r == 0 || io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
    }
    #[cfg(not(unix))]
    {
        false
    }
}

/// Cleans up after killed publishes of `name` in `parent`. When the output
/// folder is missing but a complete old tree was set aside (killed between
/// the two renames of the fallback swap), that tree is put back.
/// Returns whether the output folder exists now.
fn recover(parent: &Path, name: &str, target: &Path, mut exists: bool) -> io::Result<bool> {
    let mut leftovers: Vec<(Kind, PathBuf)> = Vec::new();
    for entry in fs::read_dir(parent)? {
        let entry = entry?;
        let file = entry.file_name();
        let Some((kind, pid)) = parse_leftover(&file.to_string_lossy(), name) else {
            continue;
        };
        if !alive(pid) {
            leftovers.push((kind, entry.path()));
        }
    }
    for (kind, path) in leftovers {
        if kind == Kind::Old && !exists && fs::rename(&path, target).is_ok() {
            exists = true;
            continue;
        }
        remove_tree(&path, None);
    }
    Ok(exists)
}

/// Whether `path` is a regular file holding exactly `bytes`.
fn same_bytes(path: &Path, bytes: &[u8]) -> bool {
    match fs::symlink_metadata(path) {
        Ok(m) if m.is_file() && m.len() == bytes.len() as u64 => {
            fs::read(path).is_ok_and(|old| old == bytes)
        }
        _ => false,
    }
}

/// Mirrors `from` at `to` with hard links (symbolic links are recreated);
/// paths the stage already holds are the site's and win.
fn link_tree(from: &Path, to: &Path) -> io::Result<()> {
    let meta = fs::symlink_metadata(from)?;
    let ft = meta.file_type();
    if ft.is_dir() {
        match fs::create_dir(to) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
        let entries: Vec<OsString> = fs::read_dir(from)?
            .map(|e| e.map(|e| e.file_name()))
            .collect::<io::Result<_>>()?;
        entries
            .par_iter()
            .try_for_each(|n| link_tree(&from.join(n), &to.join(n)))
    } else if ft.is_symlink() {
        #[cfg(unix)]
        {
            match std::os::unix::fs::symlink(fs::read_link(from)?, to) {
                Err(e) if e.kind() != io::ErrorKind::AlreadyExists => Err(e),
                _ => Ok(()),
            }
        }
        #[cfg(not(unix))]
        {
            copy_if_absent(from, to)
        }
    } else {
        match fs::hard_link(from, to) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
            Err(_) => copy_if_absent(from, to),
        }
    }
}

fn copy_if_absent(from: &Path, to: &Path) -> io::Result<()> {
    if fs::symlink_metadata(to).is_ok() {
        return Ok(());
    }
    fs::copy(from, to).map(|_| ())
}

/// Flushes the staged files to the disk. On Linux one `syncfs` on the stage's
/// file system; elsewhere the files were synced as they were written, and
/// the folders are synced here.
fn sync_tree(stage: &Path) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        let dir = fs::File::open(stage)?;
        // SAFETY: the descriptor is valid for the duration of the call.
        if unsafe { libc::syncfs(dir.as_raw_fd()) } != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }
    #[cfg(not(target_os = "linux"))]
    {
        sync_dir(stage)
    }
}

/// fsync on a folder, so a rename in it is on the disk (a no-op where folders
/// cannot be opened).
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        fs::File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

/// Puts the stage in the output's place. Returns where the old tree now is.
fn swap(
    stage: &Path,
    target: &Path,
    parent: &Path,
    name: &str,
    exists: bool,
) -> io::Result<Option<PathBuf>> {
    if !exists {
        fs::rename(stage, target)?;
        sync_dir(parent)?;
        return Ok(None);
    }
    if exchange(stage, target)? {
        sync_dir(parent)?;
        return Ok(Some(stage.to_path_buf()));
    }
    // No atomic exchange here: set the old tree aside, then move the new one
    // in. A kill between the two is undone by `recover` on the next publish.
    let old = parent.join(stage_name(name, Kind::Old));
    fs::rename(target, &old)?;
    if let Err(e) = fs::rename(stage, target) {
        let _ = fs::rename(&old, target);
        return Err(e);
    }
    sync_dir(parent)?;
    Ok(Some(old))
}

/// Atomically exchanges two paths. Ok(false) when the platform or the file
/// system cannot, so the caller falls back to two renames.
fn exchange(a: &Path, b: &Path) -> io::Result<bool> {
    #[cfg(target_os = "linux")]
    {
        use std::ffi::CString;
        use std::os::unix::ffi::OsStrExt;
        let ca = CString::new(a.as_os_str().as_bytes())?;
        let cb = CString::new(b.as_os_str().as_bytes())?;
        // SAFETY: both strings are valid NUL-terminated paths for the call.
        let r = unsafe {
            libc::renameat2(
                libc::AT_FDCWD,
                ca.as_ptr(),
                libc::AT_FDCWD,
                cb.as_ptr(),
                libc::RENAME_EXCHANGE,
            )
        };
        if r == 0 {
            return Ok(true);
        }
        let e = io::Error::last_os_error();
        match e.raw_os_error() {
            Some(libc::EINVAL) | Some(libc::ENOSYS) | Some(libc::EOPNOTSUPP) => Ok(false),
            _ => Err(e),
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (a, b);
        Ok(false)
    }
}

/// Removes a tree, unlinking files in parallel (file removal is slow on some
/// disks). When `site` is given, returns how many removed files were pages of
/// the old site that the new one no longer has (top-level dot entries are
/// not the site's and are not counted). Errors are ignored: what is left is
/// removed by the next publish.
fn remove_tree(root: &Path, site: Option<&HashSet<String>>) -> usize {
    let mut files: Vec<(PathBuf, String)> = Vec::new();
    // Folders by depth, so each level can be removed in parallel, deepest first.
    let mut levels: Vec<Vec<PathBuf>> = Vec::new();
    let mut stack = vec![(root.to_path_buf(), String::new(), 0usize)];
    while let Some((dir, rel, depth)) = stack.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        if levels.len() <= depth {
            levels.resize_with(depth + 1, Vec::new);
        }
        levels[depth].push(dir);
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let rel = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            match entry.file_type() {
                Ok(t) if t.is_dir() => stack.push((entry.path(), rel, depth + 1)),
                _ => files.push((entry.path(), rel)),
            }
        }
    }
    let removed = files
        .par_iter()
        .filter(|(path, rel)| {
            let gone = fs::remove_file(path).is_ok();
            gone && site.is_some_and(|s| !rel.starts_with('.') && !s.contains(rel))
        })
        .count();
    for level in levels.iter().rev() {
        level.par_iter().for_each(|d| {
            let _ = fs::remove_dir(d);
        });
    }
    if fs::symlink_metadata(root).is_ok() {
        let _ = fs::remove_dir_all(root);
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leftover_names_round_trip() {
        let n = stage_name("public", Kind::Stage);
        assert_eq!(
            parse_leftover(&n, "public"),
            Some((Kind::Stage, std::process::id()))
        );
        let n = stage_name("public", Kind::Old);
        assert_eq!(
            parse_leftover(&n, "public"),
            Some((Kind::Old, std::process::id()))
        );
        assert_eq!(parse_leftover(&n, "pub"), None);
        assert_eq!(
            parse_leftover(".public.programme-stage-x-1", "public"),
            None
        );
        assert_eq!(parse_leftover(".git", "public"), None);
    }
}
