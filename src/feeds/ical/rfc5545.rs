//! A small RFC 5545 serialiser and reader: TEXT escaping, parameter quoting,
//! folding at 75 octets (never inside a UTF-8 character, never leaving a
//! folded line ending in whitespace), CRLF line ends; and the inverse
//! (unfolding, content-line splitting, unescaping) for reading a previous feed.

use chrono::{DateTime, NaiveDateTime, Utc};
use std::borrow::Cow;

/// The longest physical line, in octets, without its CRLF.
pub const MAX_LINE: usize = 75;

/// Escapes a TEXT value: backslash, semicolon, comma and newline. CR LF and
/// lone CR count as a newline; other control characters (which TEXT cannot
/// hold) are dropped; tabs are kept.
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    escape_text_into(s, &mut out);
    out
}

/// [`escape_text`], appended to `out`: runs of plain text are copied whole.
pub fn escape_text_into(s: &str, out: &mut String) {
    let bytes = s.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        // Specials, and control characters: ASCII ones, and those above
        // U+007F, which all start with the byte 0xC2 (a lead byte, so `i`
        // is always at a character boundary here).
        let special = matches!(b, b'\\' | b';' | b',' | 0x7f | 0xc2) || (b < 0x20 && b != b'\t');
        if !special {
            i += 1;
            continue;
        }
        out.push_str(&s[start..i]);
        match b {
            b'\\' => out.push_str("\\\\"),
            b';' => out.push_str("\\;"),
            b',' => out.push_str("\\,"),
            b'\n' => out.push_str("\\n"),
            b'\r' => {
                if bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                out.push_str("\\n");
            }
            0xc2 => {
                let c = s[i..].chars().next().expect("a character starts here");
                if !c.is_control() {
                    out.push(c);
                }
                i += c.len_utf8();
                start = i;
                continue;
            }
            // Other control characters are dropped.
            _ => {}
        }
        i += 1;
        start = i;
    }
    out.push_str(&s[start..]);
}

/// The inverse of [`escape_text`]: `\\`, `\;`, `\,`, `\n` and `\N`. An unknown
/// escape is kept as written.
pub fn unescape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') | Some('N') => out.push('\n'),
            Some(e @ ('\\' | ';' | ',')) => out.push(e),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// A parameter value: double quotes and control characters cannot appear in
/// one and are dropped; a value holding `:`, `;` or `,` is quoted.
pub fn param_value(s: &str) -> String {
    let clean: String = s.chars().filter(|c| *c != '"' && !c.is_control()).collect();
    if clean.contains([':', ';', ',']) {
        format!("\"{clean}\"")
    } else {
        clean
    }
}

/// Appends one content line to `out`, folded so that every physical line is
/// at most 75 octets, with CRLF line ends. A fold never splits a UTF-8
/// character, and is placed so that the line before it does not end in
/// whitespace, the continuation does not start with whitespace after its
/// fold space (lenient readers trim both) and no escape is split; only a
/// value holding a run of some 70 whitespace characters or backslashes can
/// force a fold next to one.
pub fn fold_into(line: &str, out: &mut String) {
    let mut rest = line;
    let mut limit = MAX_LINE;
    loop {
        if rest.len() <= limit {
            out.push_str(rest);
            out.push_str("\r\n");
            return;
        }
        let cut = fold_point(rest, limit);
        out.push_str(&rest[..cut]);
        out.push_str("\r\n ");
        rest = &rest[cut..];
        // A continuation line spends one octet on its leading space.
        limit = MAX_LINE - 1;
    }
}

/// Where to cut `s` (longer than `limit` octets): the largest char boundary
/// at most `limit` with no whitespace on either side (readers that trim
/// lines at either end stay right) and no backslash before it (escapes stay
/// whole); the largest char boundary when no candidate qualifies.
fn fold_point(s: &str, limit: usize) -> usize {
    let mut widest = limit;
    while !s.is_char_boundary(widest) {
        widest -= 1;
    }
    let mut cut = widest;
    while cut > 0 {
        let before = s[..cut].chars().next_back().expect("cut > 0");
        let after = s[cut..].chars().next();
        if !before.is_whitespace() && before != '\\' && !after.is_some_and(char::is_whitespace) {
            return cut;
        }
        cut -= before.len_utf8();
    }
    widest
}

/// One content line, folded, as a new string.
pub fn fold(line: &str) -> String {
    let mut out = String::new();
    fold_into(line, &mut out);
    out
}

/// Splits a calendar into logical lines: CRLF or LF line ends, a line
/// starting with a space or tab continues the one before (that one character
/// removed). Empty lines are skipped. Returns (1-based first physical line,
/// text); a line is borrowed from `text` unless a continuation is joined to it.
pub fn unfold(text: &str) -> Vec<(usize, Cow<'_, str>)> {
    let mut lines: Vec<(usize, Cow<'_, str>)> = Vec::new();
    for (i, raw) in text.split('\n').enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if let Some(cont) = raw.strip_prefix([' ', '\t']) {
            if let Some((_, last)) = lines.last_mut() {
                last.to_mut().push_str(cont);
                continue;
            }
        }
        if !raw.is_empty() {
            lines.push((i + 1, Cow::Borrowed(raw)));
        }
    }
    lines
}

/// A content line split into name, parameters and raw (still escaped) value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ContentLine {
    /// Upper-cased.
    pub name: String,
    /// (upper-cased name, value without quotes), in order.
    pub params: Vec<(String, String)>,
    pub value: String,
}

impl ContentLine {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A content line split in place: the name as written, the parameters
/// still raw, the value still escaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split<'a> {
    pub name: &'a str,
    /// `;P=V;Q="a:b"`, or empty.
    pub params: &'a str,
    pub value: &'a str,
}

impl<'a> Split<'a> {
    /// True when the property is `name` (in any case).
    pub fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }

    /// The parameters: (name as written, value without quotes), in order.
    pub fn params(&self) -> impl Iterator<Item = (&'a str, &'a str)> {
        let mut rest = self.params;
        std::iter::from_fn(move || {
            let after = rest.strip_prefix(';')?;
            let (name, tail) = after.split_once('=')?;
            let (value, tail) = match tail.strip_prefix('"') {
                Some(quoted) => {
                    let close = quoted.find('"')?;
                    (&quoted[..close], &quoted[close + 1..])
                }
                None => {
                    let end = tail.find([';', ':']).unwrap_or(tail.len());
                    (&tail[..end], &tail[end..])
                }
            };
            rest = tail;
            Some((name, value))
        })
    }
}

/// Splits `NAME;P=V;Q="a:b":value` without copying. The error says what is
/// missing.
pub fn split_line(line: &str) -> Result<Split<'_>, String> {
    let name_end = line
        .find([';', ':'])
        .ok_or_else(|| "a content line without `:`".to_string())?;
    let name = &line[..name_end];
    if name.is_empty() || !name.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-') {
        return Err(format!("`{name}` is not a property name"));
    }
    let mut rest = &line[name_end..];
    while let Some(after) = rest.strip_prefix(';') {
        let eq = after
            .find('=')
            .ok_or_else(|| format!("a parameter of {name} without `=`"))?;
        let tail = &after[eq + 1..];
        rest = match tail.strip_prefix('"') {
            Some(quoted) => {
                let close = quoted
                    .find('"')
                    .ok_or_else(|| format!("an unclosed quote in a parameter of {name}"))?;
                &quoted[close + 1..]
            }
            None => &tail[tail.find([';', ':']).unwrap_or(tail.len())..],
        };
    }
    let value = rest
        .strip_prefix(':')
        .ok_or_else(|| format!("no `:` after the parameters of {name}"))?;
    Ok(Split {
        name,
        params: &line[name_end..line.len() - value.len() - 1],
        value,
    })
}

/// [`split_line`], copied out: the name and parameter names upper-cased.
pub fn parse_line(line: &str) -> Result<ContentLine, String> {
    let split = split_line(line)?;
    Ok(ContentLine {
        name: split.name.to_ascii_uppercase(),
        params: split
            .params()
            .map(|(k, v)| (k.to_ascii_uppercase(), v.to_string()))
            .collect(),
        value: split.value.to_string(),
    })
}

/// `20170426T101500Z`.
pub fn utc_datetime(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// `20170426T121500` (floating or with a TZID).
pub fn local_datetime(t: NaiveDateTime) -> String {
    t.format("%Y%m%dT%H%M%S").to_string()
}

/// Reads a UTC date-time written as `20170426T101500Z`.
pub fn parse_utc_datetime(s: &str) -> Option<DateTime<Utc>> {
    let naive = s.strip_suffix('Z')?;
    NaiveDateTime::parse_from_str(naive, "%Y%m%dT%H%M%S")
        .ok()
        .map(|n| n.and_utc())
}

/// A UTC offset in seconds as `+0200` (or `+053000` with seconds).
pub fn utc_offset(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let s = seconds.unsigned_abs();
    let (h, m, sec) = (s / 3600, s / 60 % 60, s % 60);
    if sec == 0 {
        format!("{sign}{h:02}{m:02}")
    } else {
        format!("{sign}{h:02}{m:02}{sec:02}")
    }
}

/// Builds a calendar's text: one property at a time, folded, CRLF. Each
/// line is written in place and folded only when it is too long.
#[derive(Debug, Default, Clone)]
pub struct Writer {
    out: String,
}

impl Writer {
    pub fn new() -> Self {
        Self::default()
    }

    /// A writer whose text is expected to reach about `bytes` octets.
    pub fn with_capacity(bytes: usize) -> Self {
        Writer {
            out: String::with_capacity(bytes),
        }
    }

    /// Appends one content line that `write` puts after the end of the text,
    /// then folds it if it is longer than a line may be.
    fn line(&mut self, write: impl FnOnce(&mut String)) -> &mut Self {
        let start = self.out.len();
        write(&mut self.out);
        if self.out.len() - start <= MAX_LINE {
            self.out.push_str("\r\n");
        } else {
            let line = self.out.split_off(start);
            fold_into(&line, &mut self.out);
        }
        self
    }

    /// A property whose value is written as given (dates, numbers, URIs, enums).
    pub fn raw(&mut self, name: &str, value: &str) -> &mut Self {
        self.line(|out| {
            out.push_str(name);
            out.push(':');
            out.push_str(value);
        })
    }

    /// A property with parameters (values quoted as needed) and a raw value.
    pub fn raw_with(&mut self, name: &str, params: &[(&str, &str)], value: &str) -> &mut Self {
        self.line(|out| {
            out.push_str(name);
            for (k, v) in params {
                out.push(';');
                out.push_str(k);
                out.push('=');
                out.push_str(&param_value(v));
            }
            out.push(':');
            out.push_str(value);
        })
    }

    /// A TEXT property, escaped.
    pub fn text(&mut self, name: &str, value: &str) -> &mut Self {
        self.line(|out| {
            out.push_str(name);
            out.push(':');
            escape_text_into(value, out);
        })
    }

    /// A list of TEXT values (CATEGORIES), each escaped, joined by commas.
    pub fn text_list(&mut self, name: &str, values: &[&str]) -> &mut Self {
        self.line(|out| {
            out.push_str(name);
            out.push(':');
            for (i, v) in values.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                escape_text_into(v, out);
            }
        })
    }

    /// Text already folded (a block written by another writer).
    pub fn block(&mut self, folded: &str) -> &mut Self {
        self.out.push_str(folded);
        self
    }

    pub fn finish(self) -> String {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn physical_lines(folded: &str) -> Vec<&str> {
        let body = folded.strip_suffix("\r\n").expect("ends in CRLF");
        body.split("\r\n").collect()
    }

    fn unfold_one(folded: &str) -> String {
        let lines = unfold(folded);
        assert_eq!(lines.len(), 1, "{folded:?}");
        lines[0].1.to_string()
    }

    #[test]
    fn escapes_the_four_specials() {
        assert_eq!(
            escape_text("a\\b;c,d\ne\r\nf\rg"),
            "a\\\\b\\;c\\,d\\ne\\nf\\ng"
        );
        assert_eq!(escape_text("tab\there\u{7}bell"), "tab\therebell");
        assert_eq!(unescape_text("a\\\\b\\;c\\,d\\ne\\Nf"), "a\\b;c,d\ne\nf");
        assert_eq!(unescape_text("odd\\x end\\"), "odd\\x end\\");
    }

    #[test]
    fn quotes_parameter_values_only_when_needed() {
        assert_eq!(param_value("Europe/Rome"), "Europe/Rome");
        assert_eq!(param_value("a:b"), "\"a:b\"");
        assert_eq!(param_value("say \"hi\"; ok"), "\"say hi; ok\"");
    }

    #[test]
    fn short_lines_are_not_folded() {
        assert_eq!(fold("SUMMARY:hi"), "SUMMARY:hi\r\n");
        let exactly = format!("X:{}", "a".repeat(73));
        assert_eq!(fold(&exactly), format!("{exactly}\r\n"));
    }

    #[test]
    fn folds_at_75_octets() {
        let line = format!("X:{}", "a".repeat(200));
        let folded = fold(&line);
        let lines = physical_lines(&folded);
        assert_eq!(lines[0].len(), 75);
        assert_eq!(lines[1].len(), 75);
        assert!(lines[1].starts_with(' '));
        assert_eq!(unfold_one(&folded), line);
    }

    #[test]
    fn a_four_byte_character_at_the_fold_point_moves_whole() {
        // 73 ASCII octets, then an emoji occupying octets 74..=77.
        let line = format!("X:{}😀tail", "a".repeat(71));
        let folded = fold(&line);
        let lines = physical_lines(&folded);
        assert_eq!(lines[0], format!("X:{}", "a".repeat(71)));
        assert_eq!(lines[1], " 😀tail");
        assert_eq!(unfold_one(&folded), line);
    }

    #[test]
    fn never_folds_after_a_space() {
        let line = format!("X:{} word", "a".repeat(72));
        let folded = fold(&line);
        for l in physical_lines(&folded) {
            assert!(!l.ends_with(' '), "{l:?}");
        }
        assert_eq!(unfold_one(&folded), line);
    }

    #[test]
    fn a_run_of_spaces_longer_than_a_line_still_folds_within_limits() {
        let line = format!("X:a{}b", " ".repeat(200));
        let folded = fold(&line);
        for l in physical_lines(&folded) {
            assert!(l.len() <= MAX_LINE);
        }
        assert_eq!(unfold_one(&folded), line);
    }

    #[test]
    fn parses_content_lines() {
        let l = parse_line("DTSTART;TZID=Europe/Rome;X=\"a:b;c\":20170426T121500").unwrap();
        assert_eq!(l.name, "DTSTART");
        assert_eq!(l.param("TZID"), Some("Europe/Rome"));
        assert_eq!(l.param("X"), Some("a:b;c"));
        assert_eq!(l.value, "20170426T121500");
        assert!(parse_line("no colon here").is_err());
        assert!(parse_line("X;P=\"open:1").is_err());
        assert!(parse_line("BAD NAME:1").is_err());
    }

    #[test]
    fn offsets_and_datetimes() {
        assert_eq!(utc_offset(7200), "+0200");
        assert_eq!(utc_offset(-12600), "-0330");
        assert_eq!(utc_offset(19800 + 30), "+053030");
        let t = parse_utc_datetime("20170426T101500Z").unwrap();
        assert_eq!(utc_datetime(t), "20170426T101500Z");
        assert!(parse_utc_datetime("20170426T101500").is_none());
    }

    /// Text the way feeds hold it: any printable characters (emoji, RTL, CJK,
    /// combining marks), the four specials, newlines and tabs, and runs of at
    /// most eight spaces (feeds never hold longer runs), and no long runs of
    /// whitespace and backslashes (which leave no better fold point).
    fn feed_text() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            "[^\\p{Cc}\\s]{1,12}",
            "[\\\\;,:\"']",
            Just("\n".to_string()),
            Just("\t".to_string()),
            " {1,8}",
            "[😀🎉𝄞ئبت中文é]{1,4}",
        ];
        proptest::collection::vec(piece, 0..60)
            .prop_map(|v| v.concat())
            .prop_filter("a run of whitespace and backslashes over 30", |s| {
                s.split(|c: char| !c.is_whitespace() && c != '\\')
                    .all(|run| run.len() <= 30)
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn escape_fold_unfold_unescape_round_trips(text in feed_text(), name in "[A-Z]{1,12}") {
            let line = format!("{name}:{}", escape_text(&text));
            let folded = fold(&line);
            prop_assert!(folded.ends_with("\r\n"));
            let lines = physical_lines(&folded);
            for (i, l) in lines.iter().enumerate() {
                prop_assert!(l.len() <= MAX_LINE, "{} octets: {:?}", l.len(), l);
                prop_assert!(!l.contains('\r') && !l.contains('\n'));
                // Only the value's own end (the last line) may end in whitespace.
                if i + 1 < lines.len() {
                    prop_assert!(!l.ends_with(char::is_whitespace), "ends in whitespace: {:?}", l);
                    prop_assert!(!l.ends_with('\\'), "splits an escape: {:?}", l);
                }
                if i > 0 {
                    prop_assert!(!l[1..].starts_with(char::is_whitespace), "continues with whitespace: {:?}", l);
                }
            }
            let unfolded = unfold(&folded);
            prop_assert_eq!(unfolded.len(), 1);
            let parsed = parse_line(&unfolded[0].1).unwrap();
            prop_assert_eq!(&parsed.name, &name);
            prop_assert_eq!(unescape_text(&parsed.value), text);
        }

        #[test]
        fn folding_round_trips_any_line(line in "\\PC{0,400}") {
            let folded = fold(&line);
            for l in physical_lines(&folded) {
                // Splitting on bytes would not give &str slices; these are
                // whole UTF-8 strings by construction, and within the limit.
                prop_assert!(l.len() <= MAX_LINE);
            }
            let joined: String = unfold(&folded).into_iter().map(|(_, l)| l).collect();
            // unfold skips an empty line.
            if !line.is_empty() {
                prop_assert_eq!(joined, line);
            }
        }

        #[test]
        fn escaping_in_place_matches_char_by_char(text in "\\PC{0,40}|[a;,\\\\\t\r\n\u{7}\u{7f}\u{85}\u{9f}\u{a0}é]{0,40}") {
            let mut expected = String::new();
            let mut chars = text.chars().peekable();
            while let Some(c) = chars.next() {
                match c {
                    '\\' | ';' | ',' => { expected.push('\\'); expected.push(c); }
                    '\n' => expected.push_str("\\n"),
                    '\r' => {
                        if chars.peek() == Some(&'\n') { chars.next(); }
                        expected.push_str("\\n");
                    }
                    '\t' => expected.push('\t'),
                    c if c.is_control() => {}
                    c => expected.push(c),
                }
            }
            prop_assert_eq!(escape_text(&text), expected);
        }

        #[test]
        fn escaping_round_trips_and_leaves_no_raw_specials(text in "\\PC{0,200}") {
            let escaped = escape_text(&text);
            prop_assert!(!escaped.contains('\n'));
            let mut chars = escaped.chars();
            while let Some(c) = chars.next() {
                if c == '\\' {
                    let next = chars.next();
                    prop_assert!(matches!(next, Some('\\' | ';' | ',' | 'n')), "bad escape {:?}", next);
                } else {
                    prop_assert!(c != ';' && c != ',');
                }
            }
            prop_assert_eq!(unescape_text(&escaped), text);
        }
    }
}
