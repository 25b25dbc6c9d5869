//! Reads a pretalx or frab `schedule.json` (the c3voc JSON shape) into a
//! [`Source`]. Lenient about what is missing; strict only about the shape
//! that locates events (`schedule.conference.days[].rooms{}`).

use super::{
    error_at, Source, SourceDay, SourceEvent, SourceLink, SourcePerson, SourceRoom, SourceTrack,
};
use crate::diagnostic::{Diagnostic, Diagnostics};
use serde_json::Value;
use std::path::Path;

pub fn read(text: &str, file: &Path) -> Result<Source, Diagnostics> {
    let root: Value = serde_json::from_str(text).map_err(|e| {
        Diagnostics(vec![error_at(
            file,
            text,
            e.line(),
            e.column(),
            format!("{} is not valid JSON: {e}", file.display()),
            "fix the JSON, or export the schedule again",
        )])
    })?;
    let shape = |what: &str| {
        Diagnostics(vec![Diagnostic::error(
            "import",
            format!(
                "{} is JSON but not a frab/pretalx schedule: {what}",
                file.display()
            ),
        )
        .in_file(file)
        .with_help(
            "import reads the schedule.json that pretalx and frab publish (`schedule.conference.days`)",
        )])
    };
    let schedule = root
        .get("schedule")
        .ok_or_else(|| shape("there is no `schedule` object"))?;
    let conf = schedule
        .get("conference")
        .ok_or_else(|| shape("there is no `schedule.conference` object"))?;
    let ours = root
        .pointer("/generator/name")
        .and_then(Value::as_str)
        .is_some_and(|n| n == crate::feeds::frab::GENERATOR);
    let mut source = Source {
        ours,
        title: string(conf, "title"),
        acronym: string(conf, "acronym"),
        subtitle: string(conf, "description").or_else(|| string(conf, "subtitle")),
        time_zone: string(conf, "time_zone_name"),
        base_url: string(schedule, "base_url").or_else(|| string(conf, "url")),
        day_change: string(conf, "day_change"),
        ..Source::default()
    };
    for room in array(conf, "rooms") {
        if let Some(name) = string(room, "name") {
            source.rooms.push(SourceRoom {
                name,
                capacity: room
                    .get("capacity")
                    .and_then(Value::as_u64)
                    .and_then(|c| u32::try_from(c).ok()),
            });
        }
    }
    for track in array(conf, "tracks") {
        let name = match track {
            Value::String(s) => Some(s.clone()),
            _ => string(track, "name"),
        };
        if let Some(name) = name {
            source.tracks.push(SourceTrack {
                name,
                color: string(track, "color"),
            });
        }
    }
    let days = conf
        .get("days")
        .and_then(Value::as_array)
        .ok_or_else(|| shape("`schedule.conference.days` is not a list"))?;
    for day in days {
        let mut out = SourceDay {
            date: string(day, "date"),
            start: string(day, "day_start"),
            events: Vec::new(),
        };
        let Some(rooms) = day.get("rooms").and_then(Value::as_object) else {
            continue;
        };
        // serde_json sorts object keys; the room order comes from conference.rooms.
        for (room_name, events) in rooms {
            for ev in events.as_array().into_iter().flatten() {
                out.events.push(event(ev, room_name));
            }
        }
        source.days.push(out);
    }
    Ok(source)
}

fn event(ev: &Value, room_name: &str) -> SourceEvent {
    let mut persons = Vec::new();
    for p in array(ev, "persons") {
        let name = match p {
            Value::String(s) => Some(s.clone()),
            _ => string(p, "name").or_else(|| string(p, "public_name")),
        };
        if let Some(name) = name {
            persons.push(SourcePerson {
                name,
                biography: string(p, "biography"),
                url: string(p, "url"),
            });
        }
    }
    let mut links = Vec::new();
    for l in array(ev, "links").chain(array(ev, "attachments")) {
        if let Some(url) = string(l, "url").or_else(|| string(l, "href")) {
            links.push(SourceLink {
                kind: string(l, "type"),
                url,
                title: string(l, "title"),
            });
        }
    }
    SourceEvent {
        line: None,
        id: ev.get("id").and_then(|v| {
            v.as_i64()
                .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        }),
        slug: string(ev, "slug"),
        title: string(ev, "title").unwrap_or_default(),
        subtitle: string(ev, "subtitle"),
        room: string(ev, "room").or_else(|| Some(room_name.to_string())),
        track: string(ev, "track"),
        kind: string(ev, "type"),
        language: string(ev, "language"),
        date: string(ev, "date"),
        start: string(ev, "start"),
        duration: string(ev, "duration"),
        end: string(ev, "end"),
        abstract_: string(ev, "abstract"),
        description: string(ev, "description"),
        persons,
        links,
    }
}

/// A non-empty string field (numbers are written as text).
fn string(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn array<'a>(v: &'a Value, key: &str) -> impl Iterator<Item = &'a Value> {
    v.get(key).and_then(Value::as_array).into_iter().flatten()
}
