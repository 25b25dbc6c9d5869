//! Loading: the only reader of `content/`. Walks the files, splits front
//! matter from the Markdown body and parses the YAML into [`Node`] trees that
//! carry line and column for every value, so later stages can point at them.
//! Every use of `serde_yaml` stays inside this module.

mod fast;
pub mod front;
mod read;
pub mod yaml;

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::incremental::DocCache;
use crate::model::{RawHtml, StaticFile, Text};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

/// Everything read from `content/`.
#[derive(Debug, Clone)]
pub struct Content {
    pub root: PathBuf,
    /// None when conference.yaml is missing or broken (the error is in the
    /// diagnostics); the other files are still loaded and checked.
    pub conference: Option<Document>,
    /// Sorted by path. Files that could not be read or parsed are left out
    /// (their errors are in the diagnostics).
    pub talks: Vec<Document>,
    pub speakers: Vec<Document>,
    pub pages: Vec<Document>,
    pub static_files: Vec<StaticFile>,
    /// Paths under content/static (`/`-separated, relative to it) that are
    /// symbolic links leading out of it: refused, never copied or used.
    pub outside_static: Vec<String>,
}

/// Thousands of documents, each a tree of small allocations: freed on all
/// cores rather than one after the other on the thread that drops them.
impl Drop for Content {
    fn drop(&mut self) {
        let docs = [
            std::mem::take(&mut self.talks),
            std::mem::take(&mut self.speakers),
            std::mem::take(&mut self.pages),
        ];
        docs.into_par_iter().flatten().for_each(drop);
    }
}

/// One source file: front matter (or the whole of conference.yaml) plus body.
#[derive(Debug, Clone)]
pub struct Document {
    /// Relative to the root: `content/talks/keynote.md`.
    pub path: PathBuf,
    /// The file stem, as written.
    pub stem: String,
    /// The file's text (byte-order mark removed, `\n` line ends).
    pub text: String,
    /// The front matter: a map.
    pub front: Node,
    /// Where in `text` the Markdown after the front matter starts.
    pub body_start: usize,
    /// 1-based line where the body starts.
    pub body_line: usize,
    /// The body rendered by [`Document::body_text`], shared by every copy
    /// of this document (the copies a rebuild takes from the parse cache);
    /// None when the document is not cached, so nothing is kept.
    pub rendered: Option<Rendered>,
}

/// A body rendered once, in the raw-HTML mode it was rendered for.
pub type Rendered = Arc<Mutex<Option<(RawHtml, Text)>>>;

impl Document {
    /// The value of a top-level key.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.front.get(key)
    }

    /// The Markdown after the front matter.
    pub fn body(&self) -> &str {
        &self.text[self.body_start..]
    }

    /// The body rendered from Markdown; when cached, only the first call renders it.
    pub fn body_text(&self, raw_html: RawHtml) -> Text {
        let Some(rendered) = &self.rendered else {
            return crate::markdown::text(self.body(), raw_html);
        };
        let mut slot = rendered.lock().unwrap_or_else(|e| e.into_inner());
        match &*slot {
            Some((mode, text)) if *mode == raw_html => text.clone(),
            _ => {
                let text = crate::markdown::text(self.body(), raw_html);
                *slot = Some((raw_html, text.clone()));
                text
            }
        }
    }
}

/// A YAML value with the position it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub line: usize,
    pub column: usize,
    pub value: Value,
}

impl Node {
    /// The value of `key` when this is a map.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|(k, _)| k.name == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The entries when this is a map; none otherwise.
    pub fn entries(&self) -> &[(Key, Node)] {
        match &self.value {
            Value::Map(entries) => entries,
            _ => &[],
        }
    }

    /// What kind of YAML value this is, for messages ("a list", "a number").
    pub fn kind(&self) -> &'static str {
        match self.value {
            Value::Null => "empty",
            Value::Bool(_) => "true/false",
            Value::Int(_) | Value::Float(_) => "a number",
            Value::String(_) => "text",
            Value::List(_) => "a list",
            Value::Map(_) => "a map",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(String),
    List(Vec<Node>),
    Map(Vec<(Key, Node)>),
}

/// A mapping key with its position.
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    pub name: String,
    pub line: usize,
    pub column: usize,
}

/// Reads `root/content`. Returns None when there is no content/ folder;
/// every problem goes into `diagnostics`.
pub fn load(root: &Path, diagnostics: &mut Diagnostics) -> Option<Content> {
    load_with(root, diagnostics, None)
}

/// [`load`], parsing only the files whose bytes are not in `cache` (a
/// rebuild re-parses what changed; the diagnostics are the same).
pub fn load_with(
    root: &Path,
    diagnostics: &mut Diagnostics,
    cache: Option<&DocCache>,
) -> Option<Content> {
    let content = root.join("content");
    if !content.is_dir() {
        diagnostics.push(
            Diagnostic::error("no-content", format!("there is no content/ folder in {}", root.display()))
                .with_help("run `programme init DIR` to start a programme, or pass `--root DIR` pointing at the folder that holds content/"),
        );
        return None;
    }
    // The parts are read side by side, each with its own diagnostics,
    // which are then added in a fixed order.
    let mut d: [Diagnostics; 5] = Default::default();
    let [dc, dt, ds, dp, dst] = &mut d;
    let ((conference, talks), ((speakers, pages), (static_files, outside_static))) = rayon::join(
        || {
            rayon::join(
                || load_conference(root, dc),
                || load_folder(root, "talks", dt, cache),
            )
        },
        || {
            rayon::join(
                || {
                    rayon::join(
                        || load_folder(root, "speakers", ds, cache),
                        || load_folder(root, "pages", dp, cache),
                    )
                },
                || load_static(root, dst),
            )
        },
    );
    for part in d {
        diagnostics.extend(part);
    }
    Some(Content {
        root: root.to_path_buf(),
        conference,
        talks,
        speakers,
        pages,
        static_files,
        outside_static,
    })
}

/// content/conference.yaml, or None when it is missing or broken.
fn load_conference(root: &Path, diagnostics: &mut Diagnostics) -> Option<Document> {
    let conference_path = Path::new("content/conference.yaml");
    let text = read_text(root, conference_path, diagnostics)?;
    match yaml::parse(&text) {
        Ok(front) => Some(Document {
            path: conference_path.to_path_buf(),
            stem: "conference".into(),
            body_start: text.len(),
            text,
            front,
            body_line: 1,
            rendered: None,
        }),
        Err(e) => {
            diagnostics.push(
                Diagnostic::error("yaml", e.message)
                    .in_file(conference_path)
                    .at(&text, e.line, e.column)
                    .with_help(e.help),
            );
            None
        }
    }
}

/// Editor swap, backup and temporary files, and hidden files: never content.
pub fn is_ignored_name(name: &str) -> bool {
    name.starts_with('.')
        || name.starts_with('#')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name.ends_with(".bak")
        || name.starts_with(".#")
        // Vim writes and deletes `4913` to test that a folder is writable.
        || name == "4913"
}

/// One content file read and parsed, with its problems; from `cache` when
/// its bytes are the ones parsed last time.
fn load_document(
    folder: &read::Folder,
    rel: &Path,
    name: &str,
    cache: Option<&DocCache>,
) -> (Option<Document>, Diagnostics) {
    let mut d = Diagnostics::new();
    let Some(bytes) = checked(rel, folder.read(name), &mut d) else {
        return (None, d);
    };
    let Some(c) = cache else {
        let doc = decode_owned(rel, bytes, &mut d)
            .and_then(|text| parse_document(rel, name, text, &mut d));
        return (doc, d);
    };
    if let Some(hit) = c.get(rel, &bytes) {
        return hit;
    }
    let mut doc =
        decode_text(rel, &bytes, &mut d).and_then(|text| parse_document(rel, name, text, &mut d));
    if let Some(doc) = &mut doc {
        doc.rendered = Some(Arc::default());
    }
    c.put(rel, bytes, &doc, &d);
    (doc, d)
}

fn read_text(root: &Path, rel: &Path, diagnostics: &mut Diagnostics) -> Option<String> {
    let bytes = read_bytes(root, rel, diagnostics)?;
    decode_text(rel, &bytes, diagnostics)
}

fn read_bytes(root: &Path, rel: &Path, diagnostics: &mut Diagnostics) -> Option<Vec<u8>> {
    checked(rel, std::fs::read(root.join(rel)), diagnostics)
}

/// The bytes read from `rel`, or None with the reason in the diagnostics.
fn checked(
    rel: &Path,
    read: std::io::Result<Vec<u8>>,
    diagnostics: &mut Diagnostics,
) -> Option<Vec<u8>> {
    match read {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            diagnostics.push(
                Diagnostic::error("missing-file", format!("{} is missing", rel.display()))
                    .in_file(rel)
                    .with_help("every programme needs content/conference.yaml with at least `title`, `acronym` and `timezone`"),
            );
            None
        }
        Err(e) => {
            diagnostics.push(
                Diagnostic::error("io", format!("could not read {}: {e}", rel.display()))
                    .in_file(rel),
            );
            None
        }
        Ok(b) => Some(b),
    }
}

/// [`decode_text`], keeping the bytes as the text when they need no change.
fn decode_owned(rel: &Path, bytes: Vec<u8>, diagnostics: &mut Diagnostics) -> Option<String> {
    if bytes.starts_with(b"\xEF\xBB\xBF") || bytes.contains(&b'\r') {
        return decode_text(rel, &bytes, diagnostics);
    }
    match String::from_utf8(bytes) {
        Ok(text) => Some(text),
        Err(e) => decode_text(rel, e.as_bytes(), diagnostics),
    }
}

fn decode_text(rel: &Path, bytes: &[u8], diagnostics: &mut Diagnostics) -> Option<String> {
    match front::decode(bytes) {
        Ok(t) => Some(t),
        Err((line, column)) => {
            let lossy = String::from_utf8_lossy(bytes)
                .replace("\r\n", "\n")
                .replace('\r', "\n");
            diagnostics.push(
                Diagnostic::error("encoding", "the file is not valid UTF-8 text")
                    .in_file(rel)
                    .at(&lossy, line, column)
                    .with_help("save the file as UTF-8 (most editors offer it under \"Save with encoding\")"),
            );
            None
        }
    }
}

/// Loads every `*.md` in `content/<folder>/`, in parallel, sorted by path.
fn load_folder(
    root: &Path,
    folder: &str,
    diagnostics: &mut Diagnostics,
    cache: Option<&DocCache>,
) -> Vec<Document> {
    let dir = root.join("content").join(folder);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let base = Path::new("content").join(folder);
    let mut names = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if is_ignored_name(&name) {
            continue;
        }
        let is_file = entry
            .file_type()
            .map(|t| t.is_file() || t.is_symlink())
            .unwrap_or(false);
        if !is_file || !name.ends_with(".md") {
            let rel = base.join(&name);
            diagnostics.push(
                Diagnostic::warning(
                    "ignored-file",
                    format!("{} is not a Markdown file and is ignored", rel.display()),
                )
                .in_file(&rel)
                .with_help(format!("files in content/{folder}/ are `<slug>.md`")),
            );
            continue;
        }
        names.push(name);
    }
    // All in one folder: by name is by path.
    names.sort_unstable();
    let folder = read::Folder::open(&dir);
    let results: Vec<(Option<Document>, Diagnostics)> = names
        .par_iter()
        .map(|name| load_document(&folder, &base.join(name), name, cache))
        .collect();
    let mut docs = Vec::with_capacity(results.len());
    for (doc, d) in results {
        diagnostics.extend(d);
        docs.extend(doc);
    }
    docs
}

fn parse_document(
    rel: &Path,
    name: &str,
    text: String,
    diagnostics: &mut Diagnostics,
) -> Option<Document> {
    let split = match front::split(&text) {
        Ok(s) => s,
        Err(e) => {
            diagnostics.push(
                Diagnostic::error("front-matter", e.message)
                    .in_file(rel)
                    .at(&text, e.line, 1)
                    .with_help(e.help),
            );
            return None;
        }
    };
    let front = match yaml::parse(split.yaml) {
        Ok(mut n) => {
            shift(&mut n, split.yaml_line - 1);
            n
        }
        Err(e) => {
            diagnostics.push(
                Diagnostic::error("yaml", e.message)
                    .in_file(rel)
                    .at(&text, e.line + split.yaml_line - 1, e.column)
                    .with_help(e.help),
            );
            return None;
        }
    };
    let front = match front.value {
        Value::Map(_) => front,
        Value::Null => Node {
            line: split.yaml_line,
            column: 1,
            value: Value::Map(Vec::new()),
        },
        _ => {
            diagnostics.push(
                Diagnostic::error(
                    "front-matter",
                    format!(
                        "the front matter is {}, not a set of `key: value` lines",
                        front.kind()
                    ),
                )
                .in_file(rel)
                .at(&text, front.line, front.column)
                .with_help(
                    "write the front matter as `key: value` lines, for example `title: My talk`",
                ),
            );
            return None;
        }
    };
    let body_start = text.len() - split.body.len();
    let body_line = split.body_line;
    Some(Document {
        path: rel.to_path_buf(),
        stem: name.trim_end_matches(".md").to_string(),
        text,
        front,
        body_start,
        body_line,
        rendered: None,
    })
}

/// Moves every position down by `lines` (front matter starts after the fence).
fn shift(node: &mut Node, lines: usize) {
    node.line += lines;
    match &mut node.value {
        Value::List(items) => items.iter_mut().for_each(|n| shift(n, lines)),
        Value::Map(entries) => entries.iter_mut().for_each(|(k, v)| {
            k.line += lines;
            shift(v, lines);
        }),
        _ => {}
    }
}

/// Reads content/static recursively. Symbolic links are followed only when
/// they point inside content/static; the others are returned second.
fn load_static(root: &Path, diagnostics: &mut Diagnostics) -> (Vec<StaticFile>, Vec<String>) {
    let base = root.join("content/static");
    let Ok(canonical_base) = base.canonicalize() else {
        return (Vec::new(), Vec::new());
    };
    let mut files = Vec::new();
    let mut outside = Vec::new();
    let mut stack = vec![base.clone()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if is_ignored_name(&name) {
                continue;
            }
            let rel_display =
                Path::new("content/static").join(path.strip_prefix(&base).unwrap_or(&path));
            let inside = path
                .canonicalize()
                .map(|c| c.starts_with(&canonical_base))
                .unwrap_or(false);
            if !inside {
                diagnostics.push(
                    Diagnostic::warning(
                        "static-outside",
                        format!(
                            "{} links outside content/static and is not copied",
                            rel_display.display()
                        ),
                    )
                    .in_file(&rel_display)
                    .with_help("copy the file into content/static instead of linking to it"),
                );
                outside.push(slash_path(path.strip_prefix(&base).unwrap_or(&path)));
                continue;
            }
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(bytes) = std::fs::read(&path) {
                files.push(StaticFile {
                    path: slash_path(path.strip_prefix(&base).unwrap_or(&path)),
                    bytes,
                });
            }
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    outside.sort();
    (files, outside)
}

/// A relative path with `/` between its parts, on every platform.
fn slash_path(rel: &Path) -> String {
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// The newest modification time of any file under `dir`.
pub fn newest_mtime(dir: &Path) -> Option<SystemTime> {
    let mut newest: Option<SystemTime> = None;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(meta) = entry.metadata() else { continue };
            if meta.is_dir() {
                stack.push(entry.path());
            } else if let Ok(m) = meta.modified() {
                newest = Some(newest.map_or(m, |n| n.max(m)));
            }
        }
    }
    newest
}
