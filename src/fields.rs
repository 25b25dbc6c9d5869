//! Reading typed fields out of a loaded document, with a positioned
//! diagnostic for every value of the wrong type or form, and close-match
//! suggestions for unknown keys (which are otherwise kept as `extra`).

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::load::{Document, Key, Node, Value};
use crate::model::{Extra, Link};

/// A view of one document's front matter (or of one map inside it).
pub struct Fields<'a> {
    pub doc: &'a Document,
    pub node: &'a Node,
    pub diagnostics: &'a mut Diagnostics,
}

impl<'a> Fields<'a> {
    pub fn new(doc: &'a Document, diagnostics: &'a mut Diagnostics) -> Self {
        Fields {
            doc,
            node: &doc.front,
            diagnostics,
        }
    }

    /// An error at `node`.
    pub fn error(
        &mut self,
        node: &Node,
        code: &'static str,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        let d = Diagnostic::error(code, message)
            .in_file(&self.doc.path)
            .at(&self.doc.text, node.line, node.column)
            .with_help(help);
        self.diagnostics.push(d);
    }

    /// A warning at `node`.
    pub fn warning(
        &mut self,
        node: &Node,
        code: &'static str,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        let d = Diagnostic::warning(code, message)
            .in_file(&self.doc.path)
            .at(&self.doc.text, node.line, node.column)
            .with_help(help);
        self.diagnostics.push(d);
    }

    /// An error at the top of the front matter (for a missing key).
    pub fn missing(&mut self, key: &str, help: impl Into<String>) {
        let node = self.node.clone();
        self.error(&node, "missing-field", format!("`{key}` is required"), help);
    }

    pub fn get(&self, key: &str) -> Option<&'a Node> {
        match self.node.get(key) {
            Some(Node {
                value: Value::Null, ..
            })
            | None => None,
            Some(n) => Some(n),
        }
    }

    /// A text value; numbers and booleans are refused with a hint to quote them.
    pub fn string(&mut self, key: &str) -> Option<String> {
        let node = self.get(key)?;
        match &node.value {
            Value::String(s) if s.trim().is_empty() => {
                self.error(
                    node,
                    "empty-field",
                    format!("`{key}` is empty"),
                    format!("give `{key}` a value or remove the line"),
                );
                None
            }
            Value::String(s) => Some(s.trim().to_string()),
            Value::Int(_) | Value::Float(_) | Value::Bool(_) => {
                self.error(
                    node,
                    "wrong-type",
                    format!("`{key}` must be text, not {}", node.kind()),
                    format!("put the value in quotes: `{key}: \"...\"`"),
                );
                None
            }
            _ => {
                self.error(
                    node,
                    "wrong-type",
                    format!("`{key}` must be text, not {}", node.kind()),
                    format!("write `{key}: some text` on one line"),
                );
                None
            }
        }
    }

    /// A required text value.
    pub fn required(&mut self, key: &str, help: &str) -> Option<String> {
        if self.get(key).is_none() {
            self.missing(key, help);
            return None;
        }
        self.string(key)
    }

    /// A text value written as a scalar: numbers are accepted as their text.
    pub fn scalar(&mut self, key: &str) -> Option<(String, &'a Node)> {
        let node = self.get(key)?;
        match &node.value {
            Value::String(s) => Some((s.trim().to_string(), node)),
            Value::Int(i) => Some((i.to_string(), node)),
            Value::Float(f) => Some((f.to_string(), node)),
            _ => {
                self.error(
                    node,
                    "wrong-type",
                    format!("`{key}` must be a single value, not {}", node.kind()),
                    format!("write `{key}: value` on one line"),
                );
                None
            }
        }
    }

    pub fn bool(&mut self, key: &str) -> Option<bool> {
        let node = self.get(key)?;
        match &node.value {
            Value::Bool(b) => Some(*b),
            _ => {
                self.error(
                    node,
                    "wrong-type",
                    format!("`{key}` must be true or false, not {}", node.kind()),
                    format!("write `{key}: true` or `{key}: false`"),
                );
                None
            }
        }
    }

    /// A list of texts; a single text counts as a list of one.
    pub fn string_list(&mut self, key: &str) -> Vec<(String, &'a Node)> {
        let Some(node) = self.get(key) else {
            return Vec::new();
        };
        let items: Vec<&Node> = match &node.value {
            Value::List(items) => items.iter().collect(),
            _ => vec![node],
        };
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            match &item.value {
                Value::String(s) if !s.trim().is_empty() => out.push((s.trim().to_string(), item)),
                _ => self.error(
                    item,
                    "wrong-type",
                    format!("each entry of `{key}` must be a name, not {}", item.kind()),
                    format!("write `{key}: [First Name, Other Name]` or one `- Name` line each"),
                ),
            }
        }
        out
    }

    /// A URL: only http(s) and mailto are accepted.
    pub fn url(&mut self, key: &str) -> Option<String> {
        let url = self.string(key)?;
        let node = self.get(key)?;
        self.check_url(&url, node, key)
    }

    pub fn check_url(&mut self, url: &str, node: &Node, key: &str) -> Option<String> {
        if is_safe_url(url) {
            Some(url.to_string())
        } else {
            self.error(
                node,
                "bad-url",
                format!("`{key}` must be an http(s) or mailto: URL, not `{url}`"),
                "write the full address, for example `https://example.org/slides.pdf`; other schemes (such as `javascript:`) are refused",
            );
            None
        }
    }

    /// `links: [{ title, url }]`.
    pub fn links(&mut self, key: &str) -> Vec<Link> {
        let Some(node) = self.get(key) else {
            return Vec::new();
        };
        let Value::List(items) = &node.value else {
            self.error(node, "wrong-type", format!("`{key}` must be a list, not {}", node.kind()), format!("write `{key}:` and then lines like `  - {{ title: Website, url: \"https://example.org\" }}`"));
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items {
            let (title, url) = match &item.value {
                Value::Map(_) => (item.get("title"), item.get("url")),
                Value::String(_) => (None, Some(item)),
                _ => (None, None),
            };
            let Some(Node {
                value: Value::String(url),
                ..
            }) = url
            else {
                self.error(
                    item,
                    "bad-link",
                    format!("each entry of `{key}` needs a `url`"),
                    "write `- { title: Website, url: \"https://example.org\" }`",
                );
                continue;
            };
            let title = match title {
                Some(Node {
                    value: Value::String(t),
                    ..
                }) => t.trim().to_string(),
                _ => url.trim().to_string(),
            };
            let at = match &item.value {
                Value::Map(_) => item.get("url").unwrap_or(item),
                _ => item,
            };
            if let Some(url) = self.check_url(url.trim(), at, key) {
                out.push(Link { title, url });
            }
        }
        out
    }

    /// Warns about unknown keys that look like typos of known ones and keeps
    /// the rest as `extra`.
    pub fn extra(&mut self, known: &[&str]) -> Extra {
        let mut extra = Extra::new();
        for (key, value) in self.node.entries() {
            if known.contains(&key.name.as_str()) {
                continue;
            }
            if let Some(close) = closest(&key.name, known.iter().copied()) {
                let at = key_node(key);
                self.warning(
                    &at,
                    "unknown-key",
                    format!("unknown key `{}`: did you mean `{close}`?", key.name),
                    format!(
                        "rename it to `{close}`; unknown keys are passed to templates as `extra`"
                    ),
                );
            }
            extra.insert(key.name.clone(), to_json(value));
        }
        extra
    }
}

fn key_node(key: &Key) -> Node {
    Node {
        line: key.line,
        column: key.column,
        value: Value::Null,
    }
}

/// http, https or mailto, with something after the scheme.
pub fn is_safe_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    let ok_scheme = ["https://", "http://", "mailto:"]
        .iter()
        .any(|s| lower.starts_with(s) && lower.len() > s.len());
    ok_scheme && !url.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// The candidate closest to `name`, when close enough to be a likely typo.
pub fn closest<'c>(name: &str, candidates: impl Iterator<Item = &'c str>) -> Option<&'c str> {
    let lower = name.to_lowercase();
    candidates
        .filter_map(|c| {
            let d = strsim::damerau_levenshtein(&lower, &c.to_lowercase());
            let limit = if c.chars().count() <= 4 { 1 } else { 2 };
            (d <= limit && !c.eq_ignore_ascii_case(name)).then_some((d, c))
        })
        .min()
        .map(|(_, c)| c)
}

/// A YAML node as JSON, for templates.
pub fn to_json(node: &Node) -> serde_json::Value {
    use serde_json::Value as J;
    match &node.value {
        Value::Null => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Int(i) => J::from(*i),
        Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
        Value::String(s) => J::String(s.clone()),
        Value::List(items) => J::Array(items.iter().map(to_json).collect()),
        Value::Map(entries) => J::Object(
            entries
                .iter()
                .map(|(k, v)| (k.name.clone(), to_json(v)))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert!(is_safe_url("https://example.org/x"));
        assert!(is_safe_url("mailto:a@example.org"));
        assert!(!is_safe_url("javascript:alert(1)"));
        assert!(!is_safe_url("JavaScript:alert(1)"));
        assert!(!is_safe_url("ftp://x"));
        assert!(!is_safe_url("https://"));
        assert!(!is_safe_url("example.org"));
        assert!(!is_safe_url("https://exa mple.org"));
    }

    #[test]
    fn close_matches() {
        let known = ["room", "speakers", "duration", "title"];
        assert_eq!(closest("romm", known.iter().copied()), Some("room"));
        assert_eq!(closest("speaker", known.iter().copied()), Some("speakers"));
        assert_eq!(closest("duraton", known.iter().copied()), Some("duration"));
        assert_eq!(closest("abstract_url", known.iter().copied()), None);
        assert_eq!(closest("room", known.iter().copied()), None);
    }
}
