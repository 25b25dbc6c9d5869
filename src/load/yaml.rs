//! YAML to [`Node`]: parses with serde_yaml and recovers the line and column
//! of every key and value by walking the source text in document order.

use super::{Key, Node, Value};

/// A YAML syntax error, positioned in the YAML text (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub help: String,
}

/// Parses `yaml`; positions are 1-based within it.
/// Plain front matter is read by [`super::fast`], which gives what serde_yaml
/// would; everything else by serde_yaml.
pub fn parse(yaml: &str) -> Result<Node, YamlError> {
    let value = match super::fast::parse(yaml) {
        Some(value) => value,
        None => serde_yaml::from_str(yaml).map_err(|e| error(yaml, &e))?,
    };
    Ok(walk(yaml, value))
}

/// [`parse`] with serde_yaml alone: the reference the fast reader is held to.
#[cfg(test)]
pub(crate) fn parse_with_serde(yaml: &str) -> Result<Node, YamlError> {
    let value = serde_yaml::from_str(yaml).map_err(|e| error(yaml, &e))?;
    Ok(walk(yaml, value))
}

/// The value as a [`Node`] tree, with positions found in the text.
fn walk(yaml: &str, value: serde_yaml::Value) -> Node {
    let mut walker = Walker {
        text: yaml,
        cursor: 0,
        line_starts: std::iter::once(0)
            .chain(yaml.match_indices('\n').map(|(i, _)| i + 1))
            .collect(),
    };
    walker.node(value, 0)
}

fn error(yaml: &str, e: &serde_yaml::Error) -> YamlError {
    let (mut line, mut column) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
    let raw = e.to_string();
    // serde_yaml appends " at line L column C"; the diagnostic says that itself.
    let message = raw.split(" at line ").next().unwrap_or(&raw).to_string();
    let mut help = "check the YAML syntax on this line: `key: value`, lists as `[a, b]` or `- a` lines, quotes around values containing `: ` or starting with `#`, `*`, `&`, `!`, `[`, `{`".to_string();
    if let Some(key) = message
        .strip_prefix("duplicate entry with key \"")
        .and_then(|r| r.strip_suffix('"'))
    {
        // Point at the second occurrence of the key.
        let mut seen = 0;
        for (i, l) in yaml.lines().enumerate() {
            let t = l.trim_start();
            if t.strip_prefix(key)
                .is_some_and(|r| r.trim_start().starts_with(':'))
            {
                seen += 1;
                if seen == 2 {
                    line = i + 1;
                    column = l.len() - t.len() + 1;
                    break;
                }
            }
        }
        help = format!("`{key}` is given twice; keep one of them");
    } else if let Some(close) = ["']'", "'}'"]
        .into_iter()
        .find(|c| message.contains("did not find expected") && message.contains(c))
    {
        let (open, close) = if close == "']'" {
            ("[", "]")
        } else {
            ("{", "}")
        };
        help = format!("a `{open}` opened on this line or above is not closed with `{close}`; check the brackets and quotes");
    } else if message.contains("repetition limit") || message.contains("recursion limit") {
        help = "the YAML nests or repeats aliases too deeply; front matter needs only plain keys and short lists".into();
    } else if yaml
        .lines()
        .nth(line.saturating_sub(1))
        .is_some_and(|l| l.contains('\t'))
        || (message.contains("cannot start any token") && yaml.contains('\t'))
    {
        help = "YAML does not allow tabs for indentation; indent with spaces".into();
    }
    YamlError {
        line,
        column,
        message: format!("invalid YAML: {message}"),
        help,
    }
}

struct Walker<'a> {
    text: &'a str,
    cursor: usize,
    line_starts: Vec<usize>,
}

impl Walker<'_> {
    fn position(&self, offset: usize) -> (usize, usize) {
        let line = self.line_starts.partition_point(|&s| s <= offset);
        let start = self.line_starts[line - 1];
        let column = self.text[start..offset].chars().count() + 1;
        (line, column)
    }

    /// Finds `needle` from the cursor, as a key (followed by `:`) when `key`.
    fn find(&self, needle: &str, key: bool) -> Option<usize> {
        if needle.is_empty() {
            return None;
        }
        let hay = &self.text[self.cursor..];
        let mut from = 0;
        while let Some(i) = hay[from..].find(needle) {
            let at = from + i;
            let after = hay[at + needle.len()..].trim_start_matches(['"', '\'']);
            if !key || after.trim_start_matches([' ', '\t']).starts_with(':') {
                return Some(self.cursor + at);
            }
            from = at + needle.len();
        }
        None
    }

    /// The node of `value`, whose strings it takes.
    fn node(&mut self, value: serde_yaml::Value, fallback: usize) -> Node {
        use serde_yaml::Value as Y;
        use std::borrow::Cow;
        let scalar_text: Option<Cow<str>> = match &value {
            Y::String(s) => s.lines().next().map(Cow::Borrowed),
            Y::Number(n) => Some(Cow::Owned(n.to_string())),
            Y::Bool(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
            _ => None,
        };
        let at = match scalar_text {
            Some(t) => match self.find(&t, false) {
                // Only trust a match on the same or the next few lines.
                Some(i) if self.text[self.cursor.min(i)..i].matches('\n').count() <= 3 => {
                    self.cursor = i + t.len();
                    i
                }
                _ => fallback,
            },
            None => self.skip_space(fallback),
        };
        let (line, column) = self.position(at.min(self.text.len()));
        let value = match value {
            Y::Null => Value::Null,
            Y::Bool(b) => Value::Bool(b),
            Y::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i),
                None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            Y::String(s) => Value::String(s),
            Y::Sequence(items) => {
                Value::List(items.into_iter().map(|v| self.node(v, at)).collect())
            }
            Y::Mapping(map) => Value::Map(
                map.into_iter()
                    .map(|(k, v)| {
                        let name = key_name(k);
                        let key_at = match self.find(&name, true) {
                            Some(i) => {
                                self.cursor = i + name.len();
                                i
                            }
                            None => at,
                        };
                        let (kl, kc) = self.position(key_at.min(self.text.len()));
                        let node = self.node(v, key_at);
                        (
                            Key {
                                name,
                                line: kl,
                                column: kc,
                            },
                            node,
                        )
                    })
                    .collect(),
            ),
            Y::Tagged(t) => return self.node(t.value, at),
        };
        Node {
            line,
            column,
            value,
        }
    }

    /// The first non-space offset from the cursor, for containers.
    fn skip_space(&self, fallback: usize) -> usize {
        let rest = &self.text[self.cursor..];
        // Skip what ends the previous value (closing quotes and brackets,
        // separators) to land on this container's first character.
        let trimmed = rest.trim_start_matches([' ', '\n', '\t', ':', ',', '"', '\'', '}', ']']);
        if trimmed.is_empty() {
            fallback
        } else {
            self.cursor + (rest.len() - trimmed.len())
        }
    }
}

fn key_name(k: serde_yaml::Value) -> String {
    match k {
        serde_yaml::Value::String(s) => s,
        serde_yaml::Value::Number(n) => n.to_string(),
        serde_yaml::Value::Bool(b) => b.to_string(),
        serde_yaml::Value::Null => "null".into(),
        other => format!("{other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get<'a>(n: &'a Node, key: &str) -> (&'a Key, &'a Node) {
        match &n.value {
            Value::Map(m) => m
                .iter()
                .find(|(k, _)| k.name == key)
                .map(|(k, v)| (k, v))
                .unwrap(),
            _ => panic!("not a map"),
        }
    }

    #[test]
    fn positions_of_keys_and_values() {
        let y = "title: Hello\nspeakers:\n  - Ann\n  - Bob\nroom: \"Room 4\"\nlinks:\n  - { title: T, url: \"https://x\" }\n";
        let n = parse(y).unwrap();
        let (k, v) = get(&n, "title");
        assert_eq!((k.line, k.column, v.line, v.column), (1, 1, 1, 8));
        let (_, v) = get(&n, "speakers");
        let Value::List(items) = &v.value else {
            panic!()
        };
        assert_eq!((items[0].line, items[1].line, items[1].column), (3, 4, 5));
        let (k, v) = get(&n, "room");
        assert_eq!((k.line, v.line, v.column), (5, 5, 8));
        let (k, v) = get(&n, "links");
        assert_eq!(k.line, 6);
        let Value::List(items) = &v.value else {
            panic!()
        };
        let (uk, uv) = get(&items[0], "url");
        assert_eq!((uk.line, uv.line), (7, 7));
    }

    #[test]
    fn errors_carry_positions_and_hints() {
        let e = parse("title: a\ntitle: b\n").unwrap_err();
        assert_eq!((e.line, e.column), (2, 1));
        assert!(e.help.contains("twice"));
        let e = parse("a:\n\t- b\n").unwrap_err();
        assert!(e.help.contains("tabs"), "{e:?}");
        let e = parse("title: a: b\n").unwrap_err();
        assert_eq!(e.line, 1);
        let mut bomb = String::from("a0: &a0 [x,x,x,x,x,x,x,x,x,x]\n");
        for i in 1..12 {
            let p = i - 1;
            bomb.push_str(&format!(
                "a{i}: &a{i} [*a{p},*a{p},*a{p},*a{p},*a{p},*a{p},*a{p},*a{p},*a{p},*a{p}]\n"
            ));
        }
        assert!(parse(&bomb).unwrap_err().help.contains("too deeply"));
        assert!(parse(&"[".repeat(5000))
            .unwrap_err()
            .help
            .contains("too deeply"));
    }
}
