//! Reads a frab or pentabarf `schedule.xml` into a [`Source`]: a small tree
//! is built with quick-xml (keeping each element's line for diagnostics),
//! then `conference`, `day`, `room` and `event` elements are read from it.

use super::{
    error_at, Source, SourceDay, SourceEvent, SourceLink, SourcePerson, SourceRoom, SourceTrack,
};
use crate::diagnostic::Diagnostics;
use quick_xml::events::{BytesStart, Event};
use std::path::Path;

/// One element: name, attributes, the text directly inside, children.
#[derive(Debug, Default)]
struct Element {
    name: String,
    attrs: Vec<(String, String)>,
    text: String,
    children: Vec<Element>,
    line: usize,
}

impl Element {
    fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    fn children<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    fn attr(&self, name: &str) -> Option<String> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty())
    }

    /// The trimmed text of a child element, when not empty.
    fn field(&self, name: &str) -> Option<String> {
        self.child(name)
            .map(|c| c.text.trim().to_string())
            .filter(|t| !t.is_empty())
    }
}

/// XML's predefined entities, and the HTML ones sloppy exports put into XML text.
fn html_entity(name: &str) -> Option<&'static str> {
    if let Some(s) = quick_xml::escape::resolve_predefined_entity(name) {
        return Some(s);
    }
    Some(match name {
        "nbsp" => "\u{a0}",
        "ndash" => "–",
        "mdash" => "—",
        "hellip" => "…",
        "copy" => "©",
        "laquo" => "«",
        "raquo" => "»",
        _ => return None,
    })
}

fn line_of(text: &str, pos: usize) -> (usize, usize) {
    let before = &text[..pos.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

fn parse(text: &str, file: &Path) -> Result<Element, Diagnostics> {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut stack: Vec<Element> = vec![Element::default()];
    let fail = |pos: u64, message: String| {
        let (line, column) = line_of(text, pos as usize);
        Diagnostics(vec![error_at(
            file,
            text,
            line,
            column,
            format!("{} is not well-formed XML: {message}", file.display()),
            "fix the XML, or export the schedule again",
        )])
    };
    let open = |e: &BytesStart, line: usize, pos: u64| -> Result<Element, Diagnostics> {
        let mut attrs = Vec::new();
        for a in e.attributes() {
            let a = a.map_err(|err| fail(pos, err.to_string()))?;
            let value = a
                .unescape_value_with(html_entity)
                .map_err(|err| fail(pos, err.to_string()))?;
            attrs.push((
                String::from_utf8_lossy(a.key.local_name().as_ref()).into_owned(),
                value.into_owned(),
            ));
        }
        Ok(Element {
            name: String::from_utf8_lossy(e.local_name().as_ref()).into_owned(),
            attrs,
            line,
            ..Element::default()
        })
    };
    loop {
        let pos = reader.buffer_position();
        let line = line_of(text, pos as usize).0;
        let event = reader
            .read_event()
            .map_err(|e| fail(reader.error_position(), e.to_string()))?;
        match event {
            Event::Start(e) => stack.push(open(&e, line, pos)?),
            Event::Empty(e) => {
                let el = open(&e, line, pos)?;
                stack.last_mut().expect("root").children.push(el);
            }
            Event::End(_) => {
                let el = stack.pop().expect("balanced");
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => return Err(fail(pos, "an end tag without a start".into())),
                }
            }
            Event::Text(t) => {
                let s = t
                    .unescape_with(html_entity)
                    .map_err(|e| fail(pos, e.to_string()))?;
                stack.last_mut().expect("root").text.push_str(&s);
            }
            Event::CData(c) => {
                let s = String::from_utf8_lossy(&c.into_inner()).into_owned();
                stack.last_mut().expect("root").text.push_str(&s);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if stack.len() != 1 {
        let open = stack.last().map(|e| e.name.clone()).unwrap_or_default();
        return Err(fail(
            text.len() as u64,
            format!("the file ends inside <{open}>"),
        ));
    }
    Ok(stack.pop().expect("root"))
}

pub fn read(text: &str, file: &Path) -> Result<Source, Diagnostics> {
    let doc = parse(text, file)?;
    let schedule = doc.child("schedule").ok_or_else(|| {
        let line = doc.children.first().map_or(1, |e| e.line);
        Diagnostics(vec![error_at(
            file,
            text,
            line,
            1,
            format!(
                "{} is XML but not a frab/pentabarf schedule: the root element is not <schedule>",
                file.display()
            ),
            "import reads the schedule.xml that frab, pentabarf and pretalx publish",
        )])
    })?;
    let conf = schedule.child("conference");
    let conf_field = |name: &str| conf.and_then(|c| c.field(name));
    let ours = schedule
        .child("generator")
        .and_then(|g| g.attr("name"))
        .is_some_and(|n| n == crate::feeds::frab::GENERATOR);
    let mut source = Source {
        ours,
        title: conf_field("title"),
        acronym: conf_field("acronym"),
        subtitle: conf_field("subtitle"),
        time_zone: conf_field("time_zone_name"),
        base_url: conf_field("base_url"),
        day_change: conf_field("day_change"),
        ..Source::default()
    };
    for track in conf.into_iter().flat_map(|c| c.children("track")) {
        let name = track
            .attr("name")
            .or_else(|| Some(track.text.trim().to_string()).filter(|t| !t.is_empty()));
        if let Some(name) = name {
            source.tracks.push(SourceTrack {
                name,
                color: track.attr("color"),
            });
        }
    }
    for day in schedule.children("day") {
        let mut out = SourceDay {
            date: day.attr("date"),
            start: day.attr("start"),
            events: Vec::new(),
        };
        for room in day.children("room") {
            let room_name = room.attr("name");
            if let Some(name) = &room_name {
                if !source.rooms.iter().any(|r| &r.name == name) {
                    source.rooms.push(SourceRoom {
                        name: name.clone(),
                        capacity: None,
                    });
                }
            }
            for ev in room.children("event") {
                out.events.push(event(ev, room_name.as_deref()));
            }
        }
        source.days.push(out);
    }
    Ok(source)
}

fn event(ev: &Element, room_name: Option<&str>) -> SourceEvent {
    let persons = ev
        .child("persons")
        .into_iter()
        .flat_map(|p| p.children("person"))
        .filter_map(|p| {
            let name = p.text.trim();
            (!name.is_empty()).then(|| SourcePerson {
                name: name.to_string(),
                ..SourcePerson::default()
            })
        })
        .collect();
    let mut links = Vec::new();
    for (list, item) in [("links", "link"), ("attachments", "attachment")] {
        for l in ev.child(list).into_iter().flat_map(|l| l.children(item)) {
            if let Some(url) = l.attr("href") {
                links.push(SourceLink {
                    kind: l.attr("type"),
                    url,
                    title: Some(l.text.trim().to_string()).filter(|t| !t.is_empty()),
                });
            }
        }
    }
    SourceEvent {
        line: Some(ev.line),
        id: ev.attr("id").and_then(|i| i.parse().ok()),
        slug: ev.field("slug"),
        title: ev.field("title").unwrap_or_default(),
        subtitle: ev.field("subtitle"),
        room: ev.field("room").or_else(|| room_name.map(str::to_string)),
        track: ev.field("track"),
        kind: ev.field("type"),
        language: ev.field("language"),
        date: ev.field("date"),
        start: ev.field("start"),
        duration: ev.field("duration"),
        end: None,
        abstract_: ev.field("abstract"),
        description: ev.field("description"),
        persons,
        links,
    }
}
