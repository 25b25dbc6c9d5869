//! Safe output: the hostile-text fixture puts markup, attribute breakers,
//! template syntax, iCal line injection and bidi controls in every field that
//! reaches an output. Every output carries them as text: escaped in HTML,
//! escaped and unfoldable in iCal, exact strings in JSON and XML. Raw HTML in
//! Markdown goes through the allow-list sanitiser unless the conference says
//! `markdown: { raw_html: trusted }`.

mod common;

use programme::feeds::ical::single_line;
use programme::model::Programme;
use programme::Built;
use std::collections::BTreeSet;

fn hostile() -> Built {
    common::build_memory(&common::fixture("hostile-text"))
}

fn html_files(built: &Built) -> Vec<(String, String)> {
    built
        .output
        .iter()
        .filter(|(path, _)| path.ends_with(".html"))
        .map(|(path, bytes)| (path.to_string(), String::from_utf8(bytes.to_vec()).unwrap()))
        .collect()
}

fn title(p: &Programme, slug: &str) -> String {
    p.talks[p.talk_by_slug(slug).unwrap()].title.clone()
}

/// Markup the fixture writes as text: none of it may appear as markup. (As
/// text it is escaped, so it never appears with a literal `<`.)
const INJECTED: &[&str] = &[
    "<script>alert(",
    "<img src=x",
    "<iframe",
    "<object",
    "<form",
    "<base ",
    "<meta http-equiv=\"refresh\" content=\"0;url=https://evil",
    "<svg",
    "<evil",
    "<x>",
    "<b>bold</b></",
    "</style><script>",
];

/// Every tag in an HTML text (from `<` to the next `>`), lower-cased.
fn tags(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        rest = &rest[i..];
        let end = rest.find('>').map_or(rest.len(), |e| e + 1);
        out.push(rest[..end].to_lowercase());
        rest = &rest[end..];
    }
    out
}

/// Inside a tag: an event handler attribute or a `javascript:` URL.
fn dangerous_attribute(tag: &str) -> bool {
    let handler = tag
        .split(|c: char| c.is_whitespace() || c == '"' || c == '\'' || c == '/')
        .any(|word| word.starts_with("on") && word.contains('='));
    handler || tag.contains("javascript:")
}

#[test]
fn the_fixture_reaches_the_model_as_written() {
    let built = hostile();
    let p = &built.programme;
    assert_eq!(title(p, "script-title"), "<script>alert(1)</script>");
    assert!(title(p, "ical-injection").contains("\nEND:VEVENT\nBEGIN:VEVENT\n"));
    assert_eq!(
        p.conference.title,
        "<script>alert(\"conf\")</script> & Co {{ config }}"
    );
    assert_eq!(p.rooms[0].name, "Room \"A\" <b>bold</b>");
}

#[test]
fn every_html_page_shows_hostile_text_as_text() {
    let built = hostile();
    let pages = html_files(&built);
    assert!(pages.len() >= 8, "{} pages", pages.len());
    for (path, html) in &pages {
        let lower = html.to_lowercase();
        for bad in INJECTED {
            assert!(
                !lower.contains(&bad.to_lowercase()),
                "{path} contains `{bad}`:\n{}",
                context(html, bad)
            );
        }
        for tag in tags(html) {
            assert!(!dangerous_attribute(&tag), "{path} has the tag {tag}");
        }
    }
    let talk = common::text(&built, "talks/script-title/index.html");
    assert!(
        talk.contains("&lt;script&gt;alert(1)&lt;"),
        "the title shows as text:\n{}",
        context(&talk, "alert(1)")
    );
    // Template syntax in the content is never evaluated.
    assert!(
        talk.contains("Mallory {% include &#x27;x&#x27; %}")
            || talk.contains("Mallory {% include &#39;x&#39; %}"),
        "{}",
        context(&talk, "Mallory")
    );
    let index = common::text(&built, "index.html");
    assert!(
        index.contains("{{ config }}"),
        "conference title kept literally"
    );
}

#[test]
fn abstracts_are_sanitised_but_keep_their_harmless_markup() {
    let built = hostile();
    let talk = common::text(&built, "talks/script-title/index.html");
    for kept in [
        "<b>bold</b>",
        "<em>emphasis</em>",
        "href=\"https://example.org/\"",
        "a javascript link",
        "styled",
    ] {
        assert!(talk.contains(kept), "`{kept}` is kept");
    }
    assert!(
        !talk.contains("display: none"),
        "style elements are dropped"
    );
    let about = common::text(&built, "pages/about/index.html");
    assert!(about.contains("Paragraph") && !about.contains("alert('page body')"));
    let ada = common::text(&built, "speakers/ada/index.html");
    assert!(ada.contains("<u>markup</u>") && !ada.contains("alert('bio')"));
}

#[test]
fn trusted_raw_html_passes_through() {
    let site = common::temp_site(&common::fixture("hostile-text"));
    let conf = site.path().join("content/conference.yaml");
    let mut text = std::fs::read_to_string(&conf).unwrap();
    text.push_str("markdown: { raw_html: trusted }\n");
    std::fs::write(&conf, text).unwrap();
    let built = common::build_memory(site.path());
    let talk = common::text(&built, "talks/script-title/index.html");
    assert!(talk.contains("<script>alert(6)</script>"));
    assert!(talk.contains("<img src=x onerror=alert(7)>"));
    // Front-matter fields are still escaped: trust covers the Markdown body only.
    assert!(!talk.contains("<script>alert(1)</script>"));
}

/// Unfolds an iCalendar text and splits it into content lines.
fn ical_lines(ics: &str) -> Vec<String> {
    assert!(!ics.contains('\n') || ics.split('\n').all(|l| l.is_empty() || l.ends_with('\r')));
    ics.replace("\r\n ", "")
        .replace("\r\n\t", "")
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

fn unescape(v: &str) -> String {
    let mut out = String::new();
    let mut chars = v.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') | Some('N') => out.push('\n'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn ical_keeps_hostile_text_inside_its_properties() {
    let built = hostile();
    let p = &built.programme;
    let ics = common::text(&built, "schedule.ics");
    let lines = ical_lines(&ics);
    // Structure comes from the renderer alone: one calendar, one event per talk.
    let begins: Vec<&String> = lines.iter().filter(|l| l.starts_with("BEGIN:")).collect();
    assert_eq!(
        begins.iter().filter(|l| *l == &"BEGIN:VEVENT").count(),
        p.scheduled().count()
    );
    assert_eq!(lines.iter().filter(|l| *l == "BEGIN:VCALENDAR").count(), 1);
    assert!(!lines.iter().any(|l| l.starts_with("UID:injected")));
    assert!(!lines.iter().any(|l| l.starts_with("ATTENDEE")));
    // Every title reads back exactly (one-line properties turn line breaks
    // into spaces).
    let summaries: BTreeSet<String> = lines
        .iter()
        .filter_map(|l| l.strip_prefix("SUMMARY:"))
        .map(unescape)
        .collect();
    for slug in ["script-title", "ical-injection", "bidi"] {
        let want = single_line(&title(p, slug));
        assert!(
            summaries.contains(&want),
            "{slug}: {want:?} not in {summaries:?}"
        );
    }
    // The same through a real iCalendar parser.
    let mut parser = ical::IcalParser::new(ics.as_bytes());
    let cal = parser.next().expect("one calendar").expect("it parses");
    assert!(parser.next().is_none());
    assert_eq!(cal.events.len(), p.scheduled().count());
}

#[test]
fn json_carries_hostile_text_as_exact_strings() {
    let built = hostile();
    let p = &built.programme;
    let v: serde_json::Value = serde_json::from_slice(built.output.get("schedule.json").unwrap())
        .expect("schedule.json parses");
    let mut titles = BTreeSet::new();
    collect_strings(&v, "title", &mut titles);
    for slug in ["script-title", "ical-injection", "bidi"] {
        assert!(titles.contains(&title(p, slug)), "{slug}");
    }
    assert!(titles.contains(&p.conference.title));
}

fn collect_strings(v: &serde_json::Value, key: &str, out: &mut BTreeSet<String>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                if k == key {
                    if let Some(s) = x.as_str() {
                        out.insert(s.to_string());
                    }
                }
                collect_strings(x, key, out);
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| collect_strings(x, key, out)),
        _ => {}
    }
}

#[test]
fn xml_is_well_formed_and_carries_hostile_text_as_text() {
    use quick_xml::events::Event;
    let built = hostile();
    let p = &built.programme;
    let xml = common::text(&built, "schedule.xml");
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut titles = BTreeSet::new();
    let mut in_title = false;
    let mut elements = BTreeSet::new();
    loop {
        match reader.read_event().expect("schedule.xml is well-formed") {
            Event::Start(e) => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                in_title = name == "title";
                elements.insert(name);
            }
            Event::Empty(e) => {
                elements.insert(String::from_utf8(e.name().as_ref().to_vec()).unwrap());
            }
            Event::Text(t) if in_title => {
                titles.insert(t.unescape().unwrap().into_owned());
            }
            Event::CData(t) if in_title => {
                titles.insert(String::from_utf8(t.into_inner().to_vec()).unwrap());
            }
            Event::End(_) => in_title = false,
            Event::Eof => break,
            _ => {}
        }
    }
    for slug in ["script-title", "bidi"] {
        assert!(titles.contains(&title(p, slug)), "{slug}: {titles:?}");
    }
    for bad in ["script", "evil", "svg", "img", "b", "x"] {
        assert!(!elements.contains(bad), "<{bad}> became an element");
    }
}

/// A few characters either side of the first `needle`, for failure messages.
fn context(text: &str, needle: &str) -> String {
    let lower = text.to_lowercase();
    match lower.find(&needle.to_lowercase()) {
        Some(i) => {
            let mut start = i.saturating_sub(120);
            while !text.is_char_boundary(start) {
                start -= 1;
            }
            let mut end = (i + 120).min(text.len());
            while !text.is_char_boundary(end) {
                end += 1;
            }
            text[start..end].to_string()
        }
        None => String::new(),
    }
}
