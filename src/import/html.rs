//! HTML abstracts (frab and pentabarf exports often carry them) to Markdown.
//!
//! A small tokenizer, not a browser: paragraphs, line breaks, headings,
//! emphasis, code, lists and links become Markdown; scripts, styles and
//! embedded objects are dropped with their content; every other tag is
//! dropped and its text kept. Links keep only http(s) and mailto targets.
//! Text is escaped so that it stays text, which makes the result safe
//! whatever the input was.

use crate::fields::is_safe_url;

const KNOWN: &[&str] = &[
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "div",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "iframe",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "script",
    "span",
    "strong",
    "style",
    "sub",
    "sup",
    "table",
    "td",
    "th",
    "tr",
    "u",
    "ul",
];

/// Whether the text holds tags of a known HTML element.
pub fn looks_like_html(text: &str) -> bool {
    let bytes = text.as_bytes();
    for (i, _) in text.match_indices('<') {
        let rest = &text[i + 1..];
        let rest = rest.strip_prefix('/').unwrap_or(rest);
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        let after = rest[name.len()..].chars().next();
        if KNOWN.contains(&name.as_str())
            && matches!(after, Some('>' | ' ' | '/' | '\n' | '\t'))
            && bytes[i..].contains(&b'>')
        {
            return true;
        }
    }
    false
}

/// Elements dropped together with everything inside them.
const DROPPED: &[&str] = &[
    "script", "style", "iframe", "object", "embed", "template", "noscript", "svg", "math", "head",
    "title",
];

struct Tag {
    name: String,
    closing: bool,
    href: Option<String>,
}

enum Token {
    Text(String),
    Tag(Tag),
}

fn tokenize(html: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut rest = html;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |i| &after[i + 3..]);
            continue;
        }
        if rest.starts_with('<') {
            if let Some((tag, len)) = tag(rest) {
                tokens.push(Token::Tag(tag));
                rest = &rest[len..];
                continue;
            }
        }
        let next = rest[1..].find('<').map_or(rest.len(), |i| i + 1);
        tokens.push(Token::Text(rest[..next].to_string()));
        rest = &rest[next..];
    }
    tokens
}

/// Parses a tag at the start of `s`; its length in bytes.
fn tag(s: &str) -> Option<(Tag, usize)> {
    let body = &s[1..];
    let (closing, body) = match body.strip_prefix('/') {
        Some(b) => (true, b),
        None => (false, body),
    };
    let name: String = body
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    if name.is_empty() {
        return None;
    }
    // The end of the tag, skipping quoted attribute values.
    let mut quote = None;
    let mut end = None;
    for (i, c) in s.char_indices().skip(1) {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => {
                end = Some(i);
                break;
            }
            _ => {}
        }
    }
    let end = end?;
    let inner = &s[1..end];
    let href = attribute(inner, "href");
    Some((
        Tag {
            name: name.to_ascii_lowercase(),
            closing,
            href,
        },
        end + 1,
    ))
}

fn attribute(inner: &str, name: &str) -> Option<String> {
    let lower = inner.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find(name) {
        let at = from + i;
        from = at + name.len();
        let before_ok = at > 0 && lower.as_bytes()[at - 1].is_ascii_whitespace();
        let rest = inner[at + name.len()..].trim_start();
        if !before_ok || !rest.starts_with('=') {
            continue;
        }
        let value = rest[1..].trim_start();
        let v = match value.chars().next()? {
            q @ ('"' | '\'') => value[1..].split(q).next()?.to_string(),
            _ => value
                .split(|c: char| c.is_whitespace() || c == '>')
                .next()?
                .to_string(),
        };
        return Some(decode(&v));
    }
    None
}

/// Decodes character references: the common named ones and numeric ones.
pub fn decode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest[1..].find(';').map(|e| e + 1).filter(|&e| e <= 10);
        let decoded = end.and_then(|e| {
            let name = &rest[1..e];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some(' '),
                "ndash" => Some('–'),
                "mdash" => Some('—'),
                "hellip" => Some('…'),
                "rsquo" => Some('’'),
                "lsquo" => Some('‘'),
                "rdquo" => Some('”'),
                "ldquo" => Some('“'),
                _ => {
                    let n = name.strip_prefix('#')?;
                    let code = match n.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => n.parse().ok()?,
                    };
                    char::from_u32(code).filter(|c| *c != '\0')
                }
            }?;
            Some((c, e + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Escapes Markdown syntax in text so that it renders as itself.
fn escape_into(out: &mut String, text: &str) {
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let line_start = out.is_empty() || out.ends_with('\n');
        match c {
            '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '|' => {
                out.push('\\');
                out.push(c);
            }
            '#' | '-' | '+' | '=' if line_start => {
                out.push('\\');
                out.push(c);
            }
            '&' if chars
                .peek()
                .is_some_and(|n| n.is_ascii_alphanumeric() || *n == '#') =>
            {
                out.push_str("\\&")
            }
            c => out.push(c),
        }
    }
    // A number then a dot at a line start would begin a list.
    if let Some(line) = out.rsplit('\n').next() {
        if line.len() > 1
            && line.ends_with('.')
            && line[..line.len() - 1].bytes().all(|b| b.is_ascii_digit())
        {
            out.insert(out.len() - 1, '\\');
        }
    }
}

/// Converts an HTML fragment to Markdown.
pub fn to_markdown(html: &str) -> String {
    let mut out = String::new();
    let mut lists: Vec<(bool, usize)> = Vec::new();
    let mut link: Option<Option<String>> = None;
    let mut dropping: Option<String> = None;
    let mut pre = false;
    let block = |out: &mut String| {
        let trimmed = out.trim_end_matches([' ', '\n']).len();
        out.truncate(trimmed);
        if !out.is_empty() {
            out.push_str("\n\n");
        }
    };
    for token in tokenize(html) {
        if let Some(name) = &dropping {
            if let Token::Tag(t) = &token {
                if t.closing && &t.name == name {
                    dropping = None;
                }
            }
            continue;
        }
        match token {
            Token::Text(t) => {
                let text = decode(&t);
                if pre {
                    out.push_str(&text);
                    continue;
                }
                let mut collapsed = String::new();
                let mut space = false;
                for c in text.chars() {
                    if c.is_whitespace() {
                        space = true;
                    } else {
                        if space && !collapsed.is_empty() {
                            collapsed.push(' ');
                        }
                        if space
                            && collapsed.is_empty()
                            && !out.is_empty()
                            && !out.ends_with([' ', '\n'])
                        {
                            out.push(' ');
                        }
                        space = false;
                        collapsed.push(c);
                    }
                }
                if collapsed.is_empty() {
                    if space && !out.is_empty() && !out.ends_with([' ', '\n']) {
                        out.push(' ');
                    }
                    continue;
                }
                escape_into(&mut out, &collapsed);
                if space {
                    out.push(' ');
                }
            }
            Token::Tag(t) => match (t.name.as_str(), t.closing) {
                (n, false) if DROPPED.contains(&n) => dropping = Some(n.to_string()),
                ("p" | "div" | "table" | "tr" | "blockquote", _) => block(&mut out),
                ("br", _) => {
                    let trimmed = out.trim_end_matches(' ').len();
                    out.truncate(trimmed);
                    if !out.is_empty() && !out.ends_with('\n') {
                        out.push_str("\\\n");
                    }
                }
                ("hr", _) => {
                    block(&mut out);
                    out.push_str("---\n\n");
                }
                (h, false)
                    if h.len() == 2 && h.starts_with('h') && h.as_bytes()[1].is_ascii_digit() =>
                {
                    block(&mut out);
                    let level = usize::from(h.as_bytes()[1] - b'0').clamp(1, 6);
                    out.push_str(&"#".repeat(level));
                    out.push(' ');
                }
                (h, true)
                    if h.len() == 2 && h.starts_with('h') && h.as_bytes()[1].is_ascii_digit() =>
                {
                    block(&mut out)
                }
                ("strong" | "b", _) => out.push_str("**"),
                ("em" | "i", _) => out.push('*'),
                ("code", _) if !pre => out.push('`'),
                ("pre", false) => {
                    block(&mut out);
                    out.push_str("```\n");
                    pre = true;
                }
                ("pre", true) => {
                    if !out.ends_with('\n') {
                        out.push('\n');
                    }
                    out.push_str("```");
                    pre = false;
                    block(&mut out);
                }
                ("ul" | "ol", false) => {
                    if lists.is_empty() {
                        block(&mut out);
                    }
                    lists.push((t.name == "ol", 0));
                }
                ("ul" | "ol", true) => {
                    lists.pop();
                    if lists.is_empty() {
                        block(&mut out);
                    }
                }
                ("li", false) => {
                    let trimmed = out.trim_end_matches(' ').len();
                    out.truncate(trimmed);
                    if !out.is_empty() && !out.ends_with('\n') {
                        out.push('\n');
                    }
                    let depth = lists.len().saturating_sub(1);
                    out.push_str(&"  ".repeat(depth));
                    match lists.last_mut() {
                        Some((true, n)) => {
                            *n += 1;
                            out.push_str(&format!("{n}. "));
                        }
                        _ => out.push_str("- "),
                    }
                }
                ("a", false) => {
                    let href = t.href.filter(|h| is_safe_url(h));
                    if href.is_some() {
                        out.push('[');
                    }
                    link = Some(href);
                }
                ("a", true) => {
                    if let Some(Some(href)) = link.take() {
                        out.push_str(&format!("](<{}>)", href.replace(['<', '>'], "")));
                    }
                }
                _ => {}
            },
        }
    }
    // Tidy: no trailing spaces, at most one blank line in a row.
    let mut tidy = String::new();
    let mut blank = 0;
    for line in out.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            blank += 1;
            if blank > 1 {
                continue;
            }
        } else {
            blank = 0;
        }
        tidy.push_str(line);
        tidy.push('\n');
    }
    tidy.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_input_gives_markdown_without_markup(
            s in "(<(/)?(p|a href=\"javascript:x\"|script|b|li|ul|br|img src=x onerror=y|style)>|[a-z <>&;#*_\\[\\]\\n]){0,40}"
        ) {
            let md = to_markdown(&s);
            let html = crate::markdown::to_html(&md, crate::model::RawHtml::Trusted);
            for tag in ["<script", "<style", "<img", "javascript:", "onerror"] {
                prop_assert!(!html.contains(tag), "{s:?} -> {md:?} -> {html:?}");
            }
        }
    }

    #[test]
    fn detects_html() {
        assert!(looks_like_html("<p>Hi</p>"));
        assert!(looks_like_html("one<br/>two"));
        assert!(!looks_like_html("a < b and c > d"));
        assert!(!looks_like_html("Plain **Markdown**"));
        assert!(!looks_like_html("<notatag>"));
    }

    #[test]
    fn converts_blocks_inline_and_lists() {
        let md = to_markdown(
            "<p>Hello <strong>world</strong> and <em>you</em>.</p>\n<p>Second<br>line</p>\
             <ul><li>one</li><li>two <a href=\"https://example.org/?a=1&amp;b=2\">link</a></li></ul>\
             <h2>Head</h2><ol><li>first</li><li>second</li></ol>",
        );
        assert_eq!(
            md,
            "Hello **world** and *you*.\n\nSecond\\\nline\n\n- one\n- two [link](<https://example.org/?a=1&b=2>)\n\n## Head\n\n1. first\n2. second"
        );
    }

    #[test]
    fn drops_scripts_and_unsafe_links_and_escapes_text() {
        let md = to_markdown(
            "<p onclick=\"x()\">A <script>alert('x')</script><a href=\"javascript:alert(1)\">click</a> \
             &lt;b&gt;not bold&lt;/b&gt; 2*3 [x]</p><style>p{}</style><img src=x onerror=alert(1)>",
        );
        assert_eq!(md, "A click \\<b\\>not bold\\</b\\> 2\\*3 \\[x\\]");
        let html = crate::markdown::to_html(&md, crate::model::RawHtml::Trusted);
        assert!(!html.contains("<script") && !html.contains("<b>"), "{html}");
    }

    #[test]
    fn decodes_entities() {
        assert_eq!(
            decode("a &amp; b &#233; &#x263A; &bogus; &"),
            "a & b é ☺ &bogus; &"
        );
    }
}
