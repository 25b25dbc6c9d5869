//! `schedule.xml` in the frab/pentabarf shape the c3voc XSD describes.
//!
//! Written by hand into a string, two spaces per level. Every text and
//! attribute value goes through [`escape`], which also replaces characters
//! XML 1.0 cannot carry at all (most control characters) with U+FFFD, so
//! hostile text can never make the file unparseable.

use super::{Event, Schedule, GENERATOR};
use std::fmt::Write;

/// Escapes text for element content: `& < > " '`; line feeds and tabs stay
/// as they are (readable abstracts), a carriage return becomes `&#13;`.
pub fn escape(s: &str) -> String {
    escape_with(s, false)
}

/// Escapes an attribute value (either quote style): as [`escape`], and tab,
/// line feed and carriage return as character references, which attribute
/// value normalisation would otherwise turn into spaces.
pub fn escape_attr(s: &str) -> String {
    escape_with(s, true)
}

fn escape_with(s: &str, attr: bool) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 16);
    let bytes = s.as_bytes();
    // Runs of plain printable ASCII are copied whole; everything else goes
    // character by character.
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let plain = (0x20..0x7f).contains(&b) && !matches!(b, b'&' | b'<' | b'>' | b'"' | b'\'');
        if plain {
            i += 1;
            continue;
        }
        out.push_str(&s[start..i]);
        let c = s[i..].chars().next().expect("a character starts here");
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            '\t' if attr => out.push_str("&#9;"),
            '\n' if attr => out.push_str("&#10;"),
            '\t' | '\n' => out.push(c),
            c if allowed(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
        i += c.len_utf8();
        start = i;
    }
    out.push_str(&s[start..]);
    out
}

/// XML 1.0's `Char` production, without tab, line feed and carriage return.
fn allowed(c: char) -> bool {
    matches!(c, '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// The slug the XSD accepts (`[a-z0-9_]{4,}-[a-z0-9\-_]{4,}`): `<acronym>-<slug>`
/// when the talk's slug has at least four characters; None otherwise (the
/// element is optional and apps then derive one from the title).
fn xml_slug(e: &Event) -> Option<&str> {
    let acronym = &e.slug[..e.slug.len() - e.talk_slug.len() - 1];
    let word = |s: &str, extra: &[u8]| {
        s.len() >= 4
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || extra.contains(&b))
    };
    (word(acronym, b"_") && word(&e.talk_slug, b"_-")).then_some(e.slug.as_str())
}

/// A track slug the XSD accepts: `[a-z][a-z0-9-]+`.
fn track_slug_ok(s: &str) -> bool {
    s.len() >= 2
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The file's bytes.
pub fn render(s: &Schedule) -> Vec<u8> {
    let c = &s.conference;
    let events: usize = c
        .days
        .iter()
        .flat_map(|d| &d.rooms)
        .flat_map(|(_, events)| events)
        .map(|e| e.xml.len())
        .sum();
    let mut x = String::with_capacity(events + 4096 + 256 * c.days.len() * c.rooms.len().max(1));
    let e = escape;
    let a = escape_attr;
    x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<schedule>\n");
    let _ = writeln!(
        x,
        "  <generator name=\"{}\" version=\"{}\"/>",
        GENERATOR,
        env!("CARGO_PKG_VERSION")
    );
    if let Some(base) = s.base_url.as_deref().filter(|b| is_http(b)) {
        let _ = writeln!(x, "  <url>{}</url>", e(&format!("{base}schedule.xml")));
    }
    let _ = writeln!(x, "  <version>{}</version>", e(&s.version));
    x.push_str("  <conference>\n");
    let _ = writeln!(x, "    <acronym>{}</acronym>", e(&c.acronym));
    let _ = writeln!(x, "    <title>{}</title>", e(&c.title));
    let _ = writeln!(x, "    <start>{}</start>", c.start);
    let _ = writeln!(x, "    <end>{}</end>", c.end);
    let _ = writeln!(x, "    <days>{}</days>", c.days_count);
    let _ = writeln!(
        x,
        "    <timeslot_duration>{}</timeslot_duration>",
        e(&c.timeslot_duration)
    );
    if let Some(base) = s.base_url.as_deref().filter(|b| is_http(b)) {
        let _ = writeln!(x, "    <base_url>{}</base_url>", e(base));
        let _ = writeln!(x, "    <url>{}</url>", e(base));
    }
    let _ = writeln!(
        x,
        "    <time_zone_name>{}</time_zone_name>",
        e(&c.time_zone_name)
    );
    for t in &c.tracks {
        let _ = write!(x, "    <track name=\"{}\"", a(&t.name));
        if let Some(color) = &t.color {
            let _ = write!(x, " color=\"{}\"", a(color));
        }
        if track_slug_ok(&t.slug) {
            let _ = write!(x, " slug=\"{}\"", a(&t.slug));
        }
        let _ = writeln!(x, ">{}</track>", e(&t.name));
    }
    x.push_str("  </conference>\n");
    for day in &c.days {
        let _ = writeln!(
            x,
            "  <day index=\"{}\" date=\"{}\" start=\"{}\" end=\"{}\">",
            day.index,
            day.date,
            a(&day.start),
            a(&day.end)
        );
        for (name, events) in &day.rooms {
            let guid = c.rooms.iter().find(|r| &r.name == name).map(|r| &r.guid);
            let _ = write!(x, "    <room name=\"{}\"", a(name));
            if let Some(g) = guid {
                let _ = write!(x, " guid=\"{g}\"");
            }
            if events.is_empty() {
                x.push_str("/>\n");
                continue;
            }
            x.push_str(">\n");
            for ev in events {
                x.push_str(&ev.xml);
            }
            x.push_str("    </room>\n");
        }
        x.push_str("  </day>\n");
    }
    x.push_str("</schedule>\n");
    x.into_bytes()
}

/// Appends one event's `<event>` element.
pub fn event(x: &mut String, ev: &Event) {
    let e = escape;
    let _ = writeln!(x, "      <event guid=\"{}\" id=\"{}\">", ev.guid, ev.id);
    let field = |x: &mut String, name: &str, value: &str| {
        if value.is_empty() {
            let _ = writeln!(x, "        <{name}/>");
        } else {
            let _ = writeln!(x, "        <{name}>{}</{name}>", e(value));
        }
    };
    field(x, "date", &ev.date);
    field(x, "start", &ev.start);
    field(x, "duration", &ev.duration);
    field(x, "room", &ev.room);
    if let Some(slug) = xml_slug(ev) {
        field(x, "slug", slug);
    }
    if is_http(&ev.url) {
        field(x, "url", &ev.url);
    }
    field(x, "title", &ev.title);
    field(x, "subtitle", "");
    field(x, "track", ev.track.as_deref().unwrap_or(""));
    field(x, "type", &ev.kind);
    field(x, "language", &ev.language);
    field(x, "abstract", &ev.abstract_);
    field(x, "description", "");
    if ev.persons.is_empty() {
        x.push_str("        <persons/>\n");
    } else {
        x.push_str("        <persons>\n");
        for p in &ev.persons {
            let _ = writeln!(
                x,
                "          <person id=\"{}\" guid=\"{}\">{}</person>",
                p.id,
                p.guid,
                e(&p.name)
            );
        }
        x.push_str("        </persons>\n");
    }
    if ev.links.is_empty() {
        x.push_str("        <links/>\n");
    } else {
        x.push_str("        <links>\n");
        for l in &ev.links {
            let _ = writeln!(
                x,
                "          <link href=\"{}\" type=\"{}\">{}</link>",
                escape_attr(&l.url),
                l.kind,
                e(&l.title)
            );
        }
        x.push_str("        </links>\n");
    }
    x.push_str("      </event>\n");
}

fn is_http(url: &str) -> bool {
    url.starts_with("https://") || url.starts_with("http://")
}

#[cfg(test)]
mod tests {
    use super::{escape, escape_attr};
    use proptest::prelude::*;

    /// Parses `<e a="attr">text</e>` and returns the attribute and the text.
    fn parse(attr: &str, text: &str) -> (String, String) {
        use quick_xml::events::Event;
        let doc = format!("<e a=\"{attr}\">{text}</e>");
        let mut reader = quick_xml::Reader::from_str(&doc);
        let (mut a, mut t) = (String::new(), String::new());
        loop {
            match reader.read_event().unwrap() {
                Event::Start(e) => {
                    a = e
                        .try_get_attribute("a")
                        .unwrap()
                        .unwrap()
                        .unescape_value()
                        .unwrap()
                        .into_owned()
                }
                Event::Text(x) => t.push_str(&x.unescape().unwrap()),
                Event::Eof => break,
                _ => {}
            }
        }
        (a, t)
    }

    proptest! {
        #[test]
        fn escaped_text_parses_back(s in any::<String>()) {
            let expected: String = s
                .chars()
                .map(|c| if super::allowed(c) || matches!(c, '\t' | '\n' | '\r') { c } else { '\u{FFFD}' })
                .collect();
            let (a, t) = parse(&escape_attr(&s), &escape(&s));
            prop_assert_eq!(a, expected.clone());
            prop_assert_eq!(t, expected);
        }
    }

    #[test]
    fn escapes_markup_quotes_and_unrepresentable_characters() {
        assert_eq!(
            escape("<script>alert(\"x\" & 'y')</script>"),
            "&lt;script&gt;alert(&quot;x&quot; &amp; &apos;y&apos;)&lt;/script&gt;"
        );
        assert_eq!(
            escape("a\u{0}b\u{1b}c\u{FFFE}"),
            "a\u{FFFD}b\u{FFFD}c\u{FFFD}"
        );
        assert_eq!(escape("line\nnext\ttab\r"), "line\nnext\ttab&#13;");
        assert_eq!(
            escape_attr("line\nnext\ttab\r"),
            "line&#10;next&#9;tab&#13;"
        );
        assert_eq!(escape("]]>"), "]]&gt;");
        assert_eq!(escape("Ünïcödé 李明 🎉"), "Ünïcödé 李明 🎉");
    }
}
