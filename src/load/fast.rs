//! A quick reader for the plain front matter nearly every file uses: `key:
//! value` lines with plain or quoted scalars, lists of scalars written as
//! `[a, b]` or as `- a` lines, and one-line `{ key: value }` maps in such
//! lists. It gives exactly the value `serde_yaml` would give, or None as
//! soon as it meets anything it does not fully understand (anchors, tags,
//! block scalars, escapes, nesting, multi-line values, numbers other than
//! small whole ones, duplicate keys, ...); the caller then parses with
//! `serde_yaml`, which stays the parser of record and gives every error.

use serde_yaml::{Mapping, Number, Value};

/// The value of `yaml` when it is a non-empty map in the plain subset.
pub fn parse(yaml: &str) -> Option<Value> {
    if !yaml.chars().all(printable) {
        return None;
    }
    let mut lines = Lines::new(yaml);
    let mut map = Mapping::new();
    while let Some((indent, line)) = lines.next() {
        if indent != 0 {
            return None;
        }
        let (key, rest) = key_line(line)?;
        let value = if is_blank_or_comment(rest) {
            match lines.peek() {
                Some((indent, next)) if next.starts_with('-') => block_list(&mut lines, indent)?,
                Some((indent, _)) if indent > 0 => return None,
                _ => Value::Null,
            }
        } else {
            inline_value(rest.strip_prefix(' ')?)?
        };
        if map.insert(key, value).is_some() {
            return None;
        }
    }
    if map.is_empty() {
        return None;
    }
    Some(Value::Mapping(map))
}

/// Characters YAML accepts in a document, less tabs and the line breaks
/// other than `\n` (NEL, LS, PS), which the subset leaves to serde_yaml.
fn printable(c: char) -> bool {
    matches!(c, '\n' | ' '..='~' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
        && !matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}')
}

/// The significant lines (not blank, not only a comment) with their indent.
struct Lines<'a> {
    rest: std::str::Lines<'a>,
    peeked: Option<(usize, &'a str)>,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        Lines {
            rest: text.lines(),
            peeked: None,
        }
    }

    fn next(&mut self) -> Option<(usize, &'a str)> {
        if let Some(p) = self.peeked.take() {
            return Some(p);
        }
        for line in self.rest.by_ref() {
            let content = line.trim_start_matches(' ');
            if !is_blank_or_comment(content) {
                return Some((line.len() - content.len(), content));
            }
        }
        None
    }

    fn peek(&mut self) -> Option<(usize, &'a str)> {
        if self.peeked.is_none() {
            self.peeked = self.next();
        }
        self.peeked
    }
}

fn is_blank_or_comment(s: &str) -> bool {
    let s = s.trim_start_matches(' ');
    s.is_empty() || s.starts_with('#')
}

/// `key:` and what follows the colon, for a plain key that reads as text.
fn key_line(line: &str) -> Option<(Value, &str)> {
    let end = line.find(':')?;
    let key = simple_key(&line[..end])?;
    let rest = &line[end + 1..];
    (rest.is_empty() || rest.starts_with(' ')).then_some((key, rest))
}

/// A key of letters, digits, `_` and `-` that starts with a letter or `_`
/// and reads as text (not `true`, `null`, ...).
fn simple_key(key: &str) -> Option<Value> {
    let mut bytes = key.bytes();
    let first = bytes.next()?;
    let ok = key.len() <= 128
        && (first.is_ascii_alphabetic() || first == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    match ok.then(|| plain(key))?? {
        v @ Value::String(_) => Some(v),
        _ => None,
    }
}

/// `- item` lines at `indent`, each item a scalar or a one-line flow value.
fn block_list(lines: &mut Lines, indent: usize) -> Option<Value> {
    let mut items = Vec::new();
    while let Some((i, line)) = lines.peek() {
        if i != indent || !line.starts_with('-') {
            break;
        }
        lines.next();
        items.push(inline_value(line.strip_prefix("- ")?)?);
    }
    Some(Value::Sequence(items))
}

/// A value that fills the rest of its line (after `key: ` or `- `), with
/// an optional trailing comment.
fn inline_value(s: &str) -> Option<Value> {
    let s = s.trim_start_matches(' ');
    let (value, rest) = match s.as_bytes().first()? {
        b'"' | b'\'' => {
            let (v, rest) = quoted(s)?;
            (Value::String(v), rest)
        }
        b'[' => flow_list(&s[1..])?,
        b'{' => flow_map(&s[1..])?,
        _ => {
            let end = s.find(" #").unwrap_or(s.len());
            let text = s[..end].trim_end_matches(' ');
            if !plain_start(text) || text.contains(": ") || text.ends_with(':') {
                return None;
            }
            return plain(text);
        }
    };
    is_line_end(rest).then_some(value)
}

/// Nothing, or spaces and perhaps a comment.
fn is_line_end(rest: &str) -> bool {
    rest.is_empty() || (rest.starts_with(' ') && is_blank_or_comment(rest))
}

/// A plain scalar may not start with an indicator or a space.
fn plain_start(text: &str) -> bool {
    text.bytes().next().is_some_and(|b| {
        !matches!(
            b,
            b'-' | b'?'
                | b':'
                | b','
                | b'['
                | b']'
                | b'{'
                | b'}'
                | b'#'
                | b'&'
                | b'*'
                | b'!'
                | b'|'
                | b'>'
                | b'\''
                | b'"'
                | b'%'
                | b'@'
                | b'`'
                | b' '
        )
    })
}

/// A one-line quoted scalar without escapes: its text and what follows it.
fn quoted(s: &str) -> Option<(String, &str)> {
    let quote = s.as_bytes()[0];
    let body = &s[1..];
    if quote == b'"' {
        let end = body.find('"')?;
        let text = &body[..end];
        if text.contains('\\') {
            return None;
        }
        return Some((text.to_string(), &body[end + 1..]));
    }
    let mut text = String::new();
    let mut rest = body;
    loop {
        let end = rest.find('\'')?;
        text.push_str(&rest[..end]);
        rest = &rest[end + 1..];
        match rest.strip_prefix('\'') {
            Some(r) => {
                text.push('\'');
                rest = r;
            }
            None => return Some((text, rest)),
        }
    }
}

/// One item of a flow list or value of a flow map: a quoted scalar or a
/// plain one without flow indicators, colons or `#`. Returns it and what
/// follows it.
fn flow_scalar(s: &str) -> Option<(Value, &str)> {
    let s = s.trim_start_matches(' ');
    match s.as_bytes().first()? {
        b'"' | b'\'' => {
            let (v, rest) = quoted(s)?;
            Some((Value::String(v), rest))
        }
        _ => {
            let end = s.find([',', ']', '}', '[', '{', ':', '#'])?;
            if !matches!(s.as_bytes()[end], b',' | b']' | b'}') {
                return None;
            }
            let text = s[..end].trim_end_matches(' ');
            if !plain_start(text) {
                return None;
            }
            Some((plain(text)?, &s[end..]))
        }
    }
}

/// `a, "b", c]` (the `[` already read): the list and what follows the `]`.
fn flow_list(s: &str) -> Option<(Value, &str)> {
    let mut items = Vec::new();
    let mut rest = s.trim_start_matches(' ');
    if let Some(r) = rest.strip_prefix(']') {
        return Some((Value::Sequence(items), r));
    }
    loop {
        let (item, r) = flow_scalar(rest)?;
        items.push(item);
        let r = r.trim_start_matches(' ');
        if let Some(r) = r.strip_prefix(']') {
            return Some((Value::Sequence(items), r));
        }
        rest = r.strip_prefix(", ")?;
    }
}

/// `key: value, key: value }` (the `{` already read): the map and what
/// follows the `}`.
fn flow_map(s: &str) -> Option<(Value, &str)> {
    let mut map = Mapping::new();
    let mut rest = s.trim_start_matches(' ');
    if let Some(r) = rest.strip_prefix('}') {
        return Some((Value::Mapping(map), r));
    }
    loop {
        let colon = rest.find(':')?;
        let key = simple_key(&rest[..colon])?;
        let (value, r) = flow_scalar(rest[colon + 1..].strip_prefix(' ')?)?;
        if map.insert(key, value).is_some() {
            return None;
        }
        let r = r.trim_start_matches(' ');
        if let Some(r) = r.strip_prefix('}') {
            return Some((Value::Mapping(map), r));
        }
        rest = r.strip_prefix(", ")?;
    }
}

/// What a plain scalar reads as: null, true/false, a whole number, or text.
/// None for anything that might read as another kind of number.
fn plain(text: &str) -> Option<Value> {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Some(Value::Null),
        "true" | "True" | "TRUE" => return Some(Value::Bool(true)),
        "false" | "False" | "FALSE" => return Some(Value::Bool(false)),
        _ => {}
    }
    let bytes = text.as_bytes();
    let unsigned = matches!(bytes[0], b'1'..=b'9') && bytes.len() <= 18;
    if (unsigned || text == "0") && bytes.iter().all(u8::is_ascii_digit) {
        return Some(Value::Number(Number::from(text.parse::<u64>().ok()?)));
    }
    (!numberish(text)).then(|| Value::String(text.to_string()))
}

/// Text that some YAML reader might take for a number: a sign, then digits,
/// points and exponents, a `0x`/`0o`/`0b` prefix, or a word for infinity or
/// not-a-number.
fn numberish(text: &str) -> bool {
    let t = text.strip_prefix(['+', '-']).unwrap_or(text);
    let word = t.strip_prefix('.').unwrap_or(t);
    if ["inf", "infinity", "nan"]
        .iter()
        .any(|w| word.eq_ignore_ascii_case(w))
    {
        return true;
    }
    match t.as_bytes().first() {
        None => true,
        Some(b'0'..=b'9' | b'.') => {
            t.starts_with("0x")
                || t.starts_with("0o")
                || t.starts_with("0b")
                || t.bytes()
                    .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
        }
        Some(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::parse;
    use crate::load::yaml;
    use proptest::prelude::*;

    /// Whenever the fast reader answers, serde_yaml gives the same value,
    /// and the whole parse (value, positions, error) is the same either way.
    fn agrees(text: &str) -> Result<(), TestCaseError> {
        if let Some(fast) = parse(text) {
            let serde: Result<serde_yaml::Value, _> = serde_yaml::from_str(text);
            prop_assert!(serde.is_ok(), "serde_yaml refuses {text:?}: {serde:?}");
            prop_assert_eq!(fast, serde.unwrap(), "for {:?}", text);
        }
        // Compared as written out, so that NaN equals NaN.
        prop_assert_eq!(
            format!("{:?}", yaml::parse(text)),
            format!("{:?}", yaml::parse_with_serde(text)),
            "for {:?}",
            text
        );
        Ok(())
    }

    const TYPICAL: &str = "title: \"A field guide: maps\"\nspeakers: [\"Ann O'Neil\", Bob]\nroom: Hall 196\nstart: 2027-02-07 10:00\nduration: 45m\ntrack: Networking  # a comment\ntype: talk\nlanguage: en\nslides: https://example.org/s.pdf\nlinks:\n  - { title: Repository, url: \"https://git.example.org/x\" }\n  - 'it''s'\ndraft: false\ncapacity: 40\nstatus:\n";

    #[test]
    fn reads_the_common_forms() {
        for text in [
            TYPICAL,
            "name: \"Ada Abeolura\"\naffiliation: University of Ghent\n",
            "speakers:\n- Ann\n- Bob\n\n# done\nroom: 4\n",
            "title: C# tips #1\nempty: []\nnone: {}\nroom: ~\n",
        ] {
            assert!(parse(text).is_some(), "{text:?} was not read");
            agrees(text).unwrap();
        }
        let v = parse(TYPICAL).unwrap();
        assert_eq!(v["speakers"][0].as_str(), Some("Ann O'Neil"));
        assert_eq!(
            v["links"][0]["url"].as_str(),
            Some("https://git.example.org/x")
        );
        assert_eq!(v["capacity"].as_u64(), Some(40));
        assert!(v["status"].is_null());
    }

    #[test]
    fn leaves_the_rest_to_serde_yaml() {
        for text in [
            "",
            "# only a comment\n",
            "title: a\ntitle: b\n",
            "title: a: b\n",
            "title: |\n  block\n",
            "title: >\n  folded\n",
            "title: long\n  continued\n",
            "title: \"two\n  lines\"\n",
            "title: \"esc\\\"aped\"\n",
            "a: &x 1\nb: *x\n",
            "a: !tag x\n",
            "a:\n\t- b\n",
            "rooms:\n  - name: A\n    capacity: 3\n",
            "a: 0x1F\n",
            "a: 1e3\n",
            "a: .inf\n",
            "a: -1\n",
            "a: 007\n",
            "a: 1.5\n",
            "a: NaN\n",
            "a: 99999999999999999999\n",
            "a: [x, [y]]\n",
            "a: [x,y]\n",
            "a: [x, ]\n",
            "a: [u: v]\n",
            "a: { b: 1, b: 2 }\n",
            "a: [http://x]\n",
            "true: x\n",
            "null: x\n",
            "\"quoted\": x\n",
            "a:b\n",
            "a : b\n",
            "---\na: b\n",
            "%YAML 1.2\n---\na: b\n",
            "- a\n- b\n",
            "plain text\n",
            "a: \"x\" y\n",
            "a: [x] y\n",
            "a: b\u{85}c\n",
            "a: b\u{1}c\n",
            "a: 'open\n",
            "a:\n  - x\n - y\n",
            "a:\n  - x\n    y\n",
            "a:\n  b: c\n",
            "a:\n  -\n",
            "a: - b\n",
            "a: ? b\n",
            "a: b:\n",
        ] {
            assert!(parse(text).is_none(), "{text:?} was read");
            agrees(text).unwrap();
        }
    }

    /// An unusual front matter still gets serde_yaml's error, at its position.
    #[test]
    fn falls_back_with_the_same_error_position() {
        let text = "title: fine\nspeakers: [Ann, Bob\nroom: 4\n";
        let e = yaml::parse(text).unwrap_err();
        assert_eq!(Err(e.clone()), yaml::parse_with_serde(text));
        assert!(e.help.contains("not closed"), "{e:?}");
        let text = "title: a\nroom: b\ntitle: c\n";
        let e = yaml::parse(text).unwrap_err();
        assert_eq!((e.line, e.column), (3, 1));
    }

    /// Every front matter in the example and the test fixtures.
    #[test]
    fn agrees_on_every_fixture() {
        let mut stack = vec![
            std::path::PathBuf::from("content"),
            std::path::PathBuf::from("tests/fixtures"),
        ];
        let mut read = 0;
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let Ok(bytes) = std::fs::read(&path) else {
                    continue;
                };
                let Ok(text) = crate::load::front::decode(&bytes) else {
                    continue;
                };
                let yaml = match path.extension().and_then(|e| e.to_str()) {
                    Some("md") => match crate::load::front::split(&text) {
                        Ok(s) => s.yaml.to_string(),
                        Err(_) => continue,
                    },
                    Some("yaml") => text,
                    _ => continue,
                };
                read += usize::from(parse(&yaml).is_some());
                agrees(&yaml).unwrap();
            }
        }
        assert!(read > 50, "only {read} files took the fast path");
    }

    /// Pieces of front matter, ordinary and odd, to build documents from.
    fn line() -> impl Strategy<Value = String> {
        let key = prop::sample::select(vec![
            "title", "a", "room", "yes", "No", "on", "e5", "inf", "Nan", "_x", "a-b", "null",
            "True", "0", "1a", "é", "a b", "\"q\"", "-", "?", "",
        ]);
        let sep = prop::sample::select(vec![": ", ":", " : ", ":  ", ": \n  ", ":\n  - ", ":\n- "]);
        let scalar = prop::sample::select(vec![
            "x",
            "Hall 196",
            "2027-02-07 10:00",
            "10:00",
            "45m",
            "1h30m",
            "en",
            "yes",
            "no",
            "on",
            "y",
            "~",
            "null",
            "Null",
            "NULL",
            "true",
            "FALSE",
            "0",
            "7",
            "-3",
            "+5",
            "007",
            "0x1F",
            "0o17",
            "0b11",
            "1e3",
            "1E3",
            "1.",
            ".5",
            "1_000",
            ".inf",
            "-.Inf",
            ".NaN",
            "nan",
            "inf",
            "infinity",
            "Infinity",
            "123456789012345678901",
            "e",
            "E1",
            "2027-02-07",
            "1-2",
            "https://x.org/a?b=c#d",
            "C# x",
            "a #b",
            "a#b",
            "#c",
            "it's",
            "'q'",
            "'it''s'",
            "\"d\"",
            "\"a: b\"",
            "\"#\"",
            "\"\\n\"",
            "\"\"",
            "''",
            "a: b",
            "a:",
            ":a",
            "- a",
            "-a",
            "[a, b]",
            "[a,b]",
            "[]",
            "[ ]",
            "[a, [b]]",
            "[\"a, b\", c]",
            "['x']",
            "[a, ]",
            "[, a]",
            "{ t: x, u: \"y\" }",
            "{}",
            "{ t: x, t: y }",
            "{t: x}",
            "{ a: [b] }",
            "[a: b]",
            "&a x",
            "*a",
            "!t x",
            "|",
            ">",
            "%x",
            "@x",
            "`x`",
            "? x",
            "x  ",
            "x \t",
            "é ü ñ",
            "a\u{a0}b",
            "\u{2028}",
            "\u{feff}x",
            "a\u{7f}",
            "a, b",
            "x ]",
            "x }",
            "x]",
            "{",
            "[",
            "\"open",
            "'open",
            "",
        ]);
        (key, sep, scalar.clone(), scalar, any::<bool>()).prop_map(|(k, sep, v, w, two)| {
            if two && sep.ends_with("- ") {
                let indent = if sep.ends_with("\n- ") { "" } else { "  " };
                format!("{k}{sep}{v}\n{indent}- {w}")
            } else {
                format!("{k}{sep}{v}")
            }
        })
    }

    fn document() -> impl Strategy<Value = String> {
        let extra = prop::sample::select(vec![
            "",
            "",
            "",
            "# comment",
            "  # indented comment",
            "   ",
            "  continued",
            "- item",
            "  - item",
            "---",
            "...",
            "\t",
        ]);
        prop::collection::vec((line(), extra), 1..6).prop_map(|lines| {
            let mut text = String::new();
            for (l, e) in lines {
                text.push_str(&l);
                text.push('\n');
                if !e.is_empty() {
                    text.push_str(e);
                    text.push('\n');
                }
            }
            text
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn same_as_serde_yaml(text in document()) {
            agrees(&text)?;
        }

        /// Any short text as a value, a list item and a flow map value.
        #[test]
        fn same_as_serde_yaml_for_any_scalar(
            v in "[ -~\u{a0}é\u{2028}\u{85}]{0,12}",
            form in 0..5u8,
        ) {
            let text = match form {
                0 => format!("a: {v}\n"),
                1 => format!("a: [{v}]\n"),
                2 => format!("a:\n  - {v}\n"),
                3 => format!("a:\n- {{ b: {v} }}\n"),
                _ => format!("{v}: x\n"),
            };
            agrees(&text)?;
        }

        /// The typical front matter with one character changed, added or removed.
        #[test]
        fn same_as_serde_yaml_after_an_edit(
            at in 0..TYPICAL.len(),
            edit in 0..3u8,
            c in prop::sample::select(vec![
                ' ', '\n', ':', '-', '#', '"', '\'', '[', ']', '{', '}', ',', '&', '*', '!',
                '|', '>', '?', '%', '@', '`', '\\', '\t', '0', '.', 'e', 'x', 'é', '\u{85}',
            ]),
        ) {
            let mut text = TYPICAL.to_string();
            let at = (0..=at).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
            match edit {
                0 => text.insert(at, c),
                1 => { text.remove(at); }
                _ => {
                    text.remove(at);
                    text.insert(at, c);
                }
            }
            agrees(&text)?;
        }
    }
}
