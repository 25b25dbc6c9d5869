//! Front matter: splits a Markdown file into its YAML header and its body,
//! and cleans the text first (byte-order mark, CRLF line ends).

/// A file split into front matter and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split<'a> {
    /// The YAML between the fences.
    pub yaml: &'a str,
    /// 1-based line of the first YAML line.
    pub yaml_line: usize,
    pub body: &'a str,
    /// 1-based line where the body starts.
    pub body_line: usize,
}

/// Why a file could not be split, with the 1-based line to point at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitError {
    pub line: usize,
    pub message: String,
    pub help: String,
}

/// Decodes file bytes as UTF-8 without a byte-order mark and with `\n` line
/// ends (CRLF and lone CR, which YAML also counts as line ends, so positions
/// agree). On bad bytes returns the 1-based line and column of the first one.
pub fn decode(bytes: &[u8]) -> Result<String, (usize, usize)> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(if s.contains('\r') {
            s.replace("\r\n", "\n").replace('\r', "\n")
        } else {
            s.to_string()
        }),
        Err(e) => {
            // Count lines the way decoding would have ended them.
            let good = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or("");
            let good = good.replace("\r\n", "\n").replace('\r', "\n");
            let line = good.matches('\n').count() + 1;
            let line_start = good.rfind('\n').map_or(0, |i| i + 1);
            let column = good[line_start..].chars().count() + 1;
            Err((line, column))
        }
    }
}

fn is_fence(line: &str, fence: &str) -> bool {
    line.trim_end() == fence
}

/// Splits `---\nyaml\n---\nbody`. The closing fence is the first line that
/// is exactly `---` (or `...`); later `---` lines belong to the body.
pub fn split(text: &str) -> Result<Split<'_>, SplitError> {
    if text.trim().is_empty() {
        return Err(SplitError {
            line: 1,
            message: "the file is empty".into(),
            help:
                "start it with front matter: a `---` line, `title: ...`, and a closing `---` line"
                    .into(),
        });
    }
    let first_end = text.find('\n').unwrap_or(text.len());
    if !is_fence(&text[..first_end], "---") {
        return Err(SplitError {
            line: 1,
            message: "the file has no front matter".into(),
            help: "the first line must be `---`, followed by YAML such as `title: ...` and a closing `---` line".into(),
        });
    }
    let yaml_start = (first_end + 1).min(text.len());
    let mut offset = yaml_start;
    for (line_no, line) in (2..).zip(text[yaml_start..].split_inclusive('\n')) {
        let bare = line.trim_end_matches('\n');
        if is_fence(bare, "---") || is_fence(bare, "...") {
            let body_start = offset + line.len();
            return Ok(Split {
                yaml: &text[yaml_start..offset],
                yaml_line: 2,
                body: &text[body_start.min(text.len())..],
                body_line: line_no + 1,
            });
        }
        offset += line.len();
    }
    Err(SplitError {
        line: 1,
        message: "the front matter is not closed".into(),
        help: "add a line `---` after the last YAML line, before the Markdown text".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_front_matter_and_body() {
        let s = split("---\ntitle: A\n---\nHello\n---\nmore\n").unwrap();
        assert_eq!(s.yaml, "title: A\n");
        assert_eq!(s.yaml_line, 2);
        assert_eq!(s.body, "Hello\n---\nmore\n");
        assert_eq!(s.body_line, 4);
        let s = split("---\ntitle: A\n---").unwrap();
        assert_eq!((s.yaml, s.body), ("title: A\n", ""));
        let s = split("---  \n---\n").unwrap();
        assert_eq!((s.yaml, s.body), ("", ""));
    }

    #[test]
    fn errors() {
        assert!(split("").unwrap_err().message.contains("empty"));
        assert!(split("  \n\n").unwrap_err().message.contains("empty"));
        assert!(split("title: A\n")
            .unwrap_err()
            .message
            .contains("no front matter"));
        assert!(split("---\ntitle: A\n")
            .unwrap_err()
            .message
            .contains("not closed"));
    }

    #[test]
    fn decoding() {
        assert_eq!(decode(b"\xEF\xBB\xBF---\r\na\r\n").unwrap(), "---\na\n");
        assert_eq!(decode(b"---\ra\r\rb").unwrap(), "---\na\n\nb");
        assert_eq!(decode(b"ok\nab\xFFc"), Err((2, 3)));
        assert_eq!(decode(b"ok\r\n\rx\xE9"), Err((3, 2)));
    }
}
