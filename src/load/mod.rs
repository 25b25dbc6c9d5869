//! Loading: the only reader of `content/`. Walks the files, splits front
//! matter from the Markdown body and parses the YAML into [`Node`] trees that
//! carry line and column for every value, so later stages can point at them.
//! Every use of `serde_yaml` stays inside this module.

use crate::diagnostic::Diagnostics;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Everything read from `content/`.
#[derive(Debug, Clone)]
pub struct Content {
    pub root: PathBuf,
    pub conference: Document,
    pub talks: Vec<Document>,
    pub speakers: Vec<Document>,
    pub pages: Vec<Document>,
    pub static_files: Vec<StaticSource>,
}

/// A file under content/static.
#[derive(Debug, Clone)]
pub struct StaticSource {
    /// Relative to content/static, `/`-separated.
    pub path: String,
    pub bytes: Vec<u8>,
}

/// One source file: front matter (or the whole of conference.yaml) plus body.
#[derive(Debug, Clone)]
pub struct Document {
    /// Relative to the root: `content/talks/keynote.md`.
    pub path: PathBuf,
    /// The file stem.
    pub slug: String,
    /// The file's text (byte-order mark removed).
    pub text: String,
    /// The front matter as a map (an empty map when absent or broken).
    pub front: Node,
    /// The Markdown after the front matter.
    pub body: String,
    /// 1-based line where the body starts.
    pub body_line: usize,
}

/// A YAML value with the position it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub line: usize,
    pub column: usize,
    pub value: Value,
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

/// Reads `root/content`. Returns None when nothing can be built (no
/// conference.yaml, unreadable folder); every problem goes into `diagnostics`.
pub fn load(root: &Path, diagnostics: &mut Diagnostics) -> Option<Content> {
    let _ = (root, diagnostics);
    todo!("load")
}

/// The newest modification time of any file under `dir`.
pub fn newest_mtime(dir: &Path) -> Option<SystemTime> {
    let _ = dir;
    None
}
