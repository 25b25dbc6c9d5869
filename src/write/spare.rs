//! Publishing the successive builds of one long-running process (watch,
//! serve) at the cost of what changed.
//!
//! The first publish stages the whole site as [`Stage`] does.
//! After each swap the tree that was swapped out is not deleted but kept as a
//! spare (`.public.programme-spare-<pid>-<n>`, beside the output). The next
//! publish brings the spare up to date with only the files that differ,
//! found by comparing the new site with the published one in memory, plus
//! the files in which the spare was still behind; then the two trees are
//! swapped again. So a one-page edit writes one page and swaps, instead of
//! linking tens of thousands of files into a fresh stage.
//!
//! Files are never written in place (the two trees share unchanged files as
//! hard links): a changed file is removed from the spare and created anew.
//! The top-level dot entries of the output (`.git`, `.nojekyll`) are mirrored
//! into the spare before each swap, so changes made to them meanwhile stay.
//! The spare is removed when the buffer is dropped; one left by a killed
//! process is removed by the next publish of that output, as stage folders are.

use super::stage::write_new;
use super::{
    exchange, link_tree, remove_tree, resolve_target, stage_name, swap, sync_dir, sync_tree, Kind,
    Stage, WriteOptions, WriteStats,
};
use crate::output::Output;
use rayon::prelude::*;
use std::collections::{BTreeSet, HashSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A site held by the caller (an [`Output`], or something that owns one).
pub type Held = Arc<dyn AsRef<Output> + Send + Sync>;

/// Publishes successive sites into one output folder, keeping the swapped-out
/// tree as a spare to update next time.
pub struct DoubleBuffer {
    dir: PathBuf,
    opts: WriteOptions,
    /// What the output folder holds (besides its dot entries), as we published it.
    live: Option<Held>,
    spare: Option<Spare>,
}

struct Spare {
    path: PathBuf,
    /// The site paths at which the spare may differ from the published site.
    behind: BTreeSet<String>,
    /// The output folder as we left it, to notice another writer.
    output_id: Option<(u64, u64)>,
}

impl DoubleBuffer {
    pub fn new(dir: &Path, opts: WriteOptions) -> DoubleBuffer {
        DoubleBuffer {
            dir: dir.to_path_buf(),
            opts,
            live: None,
            spare: None,
        }
    }

    /// The spare tree, while there is one.
    pub fn spare_path(&self) -> Option<&Path> {
        self.spare.as_ref().map(|s| s.path.as_path())
    }

    /// Publishes `site` as the whole content of the output folder (plus its
    /// dot entries), atomically, writing only what differs from the spare.
    /// On error the output folder is left as it was.
    pub fn publish(&mut self, site: Held) -> io::Result<WriteStats> {
        let target = resolve_target(&self.dir)?;
        let usable = match (&self.live, &self.spare) {
            (Some(_), Some(spare)) => {
                spare.output_id.is_some()
                    && folder_id(&target) == spare.output_id
                    && fs::symlink_metadata(&spare.path).is_ok_and(|m| m.is_dir())
            }
            _ => false,
        };
        if !usable {
            return self.publish_whole(site);
        }
        match self.publish_changes(&site, &target) {
            Ok(stats) => Ok(stats),
            // The spare may be half updated (or the site changed shape in a
            // way it cannot follow, a file becoming a folder): start afresh.
            Err(_) => self.publish_whole(site),
        }
    }

    /// The first publish (or one after the output folder was changed by
    /// someone else): a fresh stage; the old tree becomes the spare.
    fn publish_whole(&mut self, site: Held) -> io::Result<WriteStats> {
        self.discard_spare();
        self.live = None;
        let output: &Output = (*site).as_ref();
        let stage = Stage::begin(&self.dir, self.opts)?;
        let files: Vec<(&str, &[u8])> = output.iter().collect();
        files
            .par_iter()
            .try_for_each(|(path, bytes)| stage.put(path, bytes))?;
        let target = stage.target.clone();
        let parent = stage.parent.clone();
        let name = stage.name.clone();
        let swapped = stage.commit()?;
        let mut stats = swapped.stats;
        if let Some(old) = &swapped.old {
            let path = parent.join(stage_name(&name, Kind::Spare));
            let old_files = site_files(old);
            stats.removed = old_files
                .iter()
                .filter(|p| !swapped.site.contains(p.as_str()))
                .count();
            if fs::rename(old, &path).is_ok() {
                // The unchanged files were linked from the old tree: the spare
                // is behind only where files were written or are gone.
                let mut behind: BTreeSet<String> = swapped.written.iter().cloned().collect();
                behind.extend(
                    old_files
                        .into_iter()
                        .filter(|p| !swapped.site.contains(p.as_str())),
                );
                self.spare = Some(Spare {
                    path,
                    behind,
                    output_id: folder_id(&target),
                });
            } else {
                remove_tree(old, None);
            }
        }
        self.live = Some(site);
        Ok(stats)
    }

    /// Brings the spare up to date with `site` and swaps it in.
    fn publish_changes(&mut self, site: &Held, target: &Path) -> io::Result<WriteStats> {
        let new: &Output = (**site).as_ref();
        let live: &Output = (**self.live.as_ref().expect("checked")).as_ref();
        let spare = self.spare.as_mut().expect("checked");
        let changed = differences(live, new);
        if changed.is_empty() {
            // The published site is this one already.
            self.live = Some(site.clone());
            return Ok(WriteStats {
                written: 0,
                unchanged: new.len(),
                removed: 0,
            });
        }
        let mut todo: BTreeSet<&str> = changed.iter().copied().collect();
        todo.extend(spare.behind.iter().map(String::as_str));

        mirror_dot_entries(target, &spare.path)?;
        let todo: Vec<&str> = todo.into_iter().collect();
        todo.par_iter().try_for_each(|path| match new.get(path) {
            Some(bytes) => replace(&spare.path, path, bytes, self.opts),
            None => remove(&spare.path, path),
        })?;
        if self.opts.sync {
            sync_tree(&spare.path)?;
        }
        let parent = target.parent().unwrap_or(Path::new("."));
        if exchange(&spare.path, target)? {
            sync_dir(parent)?;
        } else {
            let name = target
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let old = swap(&spare.path, target, parent, &name, true)?
                .expect("an existing output was set aside");
            fs::rename(&old, &spare.path)?;
        }
        let written = changed.iter().filter(|p| new.contains(p)).count();
        let stats = WriteStats {
            written,
            unchanged: new.len() - written,
            removed: changed.len() - written,
        };
        spare.behind = changed.into_iter().map(str::to_string).collect();
        spare.output_id = folder_id(target);
        self.live = Some(site.clone());
        Ok(stats)
    }

    fn discard_spare(&mut self) {
        if let Some(spare) = self.spare.take() {
            remove_tree(&spare.path, None);
        }
    }
}

impl Drop for DoubleBuffer {
    fn drop(&mut self) {
        self.discard_spare();
    }
}

/// The paths whose bytes differ between two sites, or that only one has
/// (compared in parallel; the order is not meaningful).
fn differences<'a>(old: &'a Output, new: &'a Output) -> Vec<&'a str> {
    let files: Vec<(&str, &[u8])> = new.iter().collect();
    let mut out: Vec<&str> = files
        .par_iter()
        .with_min_len(256)
        .filter(|(path, bytes)| old.get(path) != Some(*bytes))
        .map(|(path, _)| *path)
        .collect();
    out.extend(old.paths().filter(|p| !new.contains(p)));
    out
}

/// Puts `bytes` at `path` in the spare as a new file (never in place).
fn replace(root: &Path, path: &str, bytes: &[u8], opts: WriteOptions) -> io::Result<()> {
    let dest = root.join(path);
    match fs::remove_file(&dest) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            if let Some(dir) = dest.parent() {
                fs::create_dir_all(dir)?;
            }
        }
        // A folder where the file goes (the site changed shape): clear it.
        Err(_) if fs::symlink_metadata(&dest).is_ok_and(|m| m.is_dir()) => {
            fs::remove_dir_all(&dest)?;
        }
        Err(e) => return Err(e),
    }
    write_new(&dest, bytes, opts)
}

/// Removes `path` from the spare, and the folders it leaves empty.
fn remove(root: &Path, path: &str) -> io::Result<()> {
    let dest = root.join(path);
    match fs::remove_file(&dest) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    }
    let mut dir = dest.parent();
    while let Some(d) = dir {
        if d == root || fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
    Ok(())
}

/// Every file of a tree but its top-level dot entries, by relative path.
fn site_files(root: &Path) -> Vec<String> {
    let mut files = Vec::new();
    let mut stack = vec![(root.to_path_buf(), String::new())];
    while let Some((dir, rel)) = stack.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if rel.is_empty() && name.starts_with('.') {
                continue;
            }
            let rel = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            match entry.file_type() {
                Ok(t) if t.is_dir() => stack.push((entry.path(), rel)),
                _ => files.push(rel),
            }
        }
    }
    files
}

/// Makes the spare's top-level dot entries those of the output: the same
/// files (hard links), so that what changed in them meanwhile is kept.
fn mirror_dot_entries(output: &Path, spare: &Path) -> io::Result<()> {
    let dots = |dir: &Path| -> io::Result<HashSet<std::ffi::OsString>> {
        let mut names = HashSet::new();
        for entry in fs::read_dir(dir)? {
            let name = entry?.file_name();
            if name.to_string_lossy().starts_with('.') {
                names.insert(name);
            }
        }
        Ok(names)
    };
    let want = dots(output)?;
    for name in dots(spare)? {
        if !want.contains(&name) {
            remove_any(&spare.join(&name))?;
        }
    }
    for name in want {
        mirror(&output.join(&name), &spare.join(&name))?;
    }
    Ok(())
}

/// Makes `to` the same tree as `from`, by hard links; what is already the
/// same file is left alone.
fn mirror(from: &Path, to: &Path) -> io::Result<()> {
    let meta = fs::symlink_metadata(from)?;
    let existing = fs::symlink_metadata(to).ok();
    if meta.is_dir() {
        match existing {
            Some(m) if m.is_dir() => {
                let mut names = HashSet::new();
                for entry in fs::read_dir(from)? {
                    names.insert(entry?.file_name());
                }
                for entry in fs::read_dir(to)? {
                    let name = entry?.file_name();
                    if !names.contains(&name) {
                        remove_any(&to.join(&name))?;
                    }
                }
                names
                    .par_iter()
                    .try_for_each(|n| mirror(&from.join(n), &to.join(n)))
            }
            Some(_) => {
                remove_any(to)?;
                link_tree(from, to)
            }
            None => link_tree(from, to),
        }
    } else {
        if let Some(m) = existing {
            if same_file(&meta, &m) && !meta.file_type().is_symlink() {
                return Ok(());
            }
            if meta.file_type().is_symlink()
                && m.file_type().is_symlink()
                && fs::read_link(from)? == fs::read_link(to)?
            {
                return Ok(());
            }
            remove_any(to)?;
        }
        link_tree(from, to)
    }
}

fn remove_any(path: &Path) -> io::Result<()> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => fs::remove_dir_all(path),
        Ok(_) => fs::remove_file(path),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

#[cfg(unix)]
fn same_file(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_file(_: &fs::Metadata, _: &fs::Metadata) -> bool {
    false
}

/// The identity of a folder (device and inode), where the platform has one.
fn folder_id(path: &Path) -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        fs::symlink_metadata(path).ok().map(|m| (m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}
