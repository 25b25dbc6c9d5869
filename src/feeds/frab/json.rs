//! `schedule.json` in the c3voc schema's shape: keys in a fixed, readable
//! order, rooms of each day in room order. serde_json does the escaping, so
//! any text (quotes, control characters, `</script>`) stays a valid string.

use super::{json_slug_ok, json_zone_ok, Event, Schedule, GENERATOR};
use serde::Serialize;

#[derive(Serialize)]
struct Generator {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct TrackJson<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    slug: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    color: Option<&'a str>,
}

#[derive(Serialize)]
struct RoomJson<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    slug: Option<&'a str>,
    guid: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    capacity: Option<u32>,
}

#[derive(Serialize)]
struct EventJson<'a> {
    guid: &'a str,
    id: u32,
    date: &'a str,
    start: &'a str,
    end: &'a str,
    duration: &'a str,
    room: &'a str,
    slug: &'a str,
    url: &'a str,
    title: &'a str,
    subtitle: &'a str,
    track: Option<&'a str>,
    #[serde(rename = "type")]
    kind: &'a str,
    language: &'a str,
    #[serde(rename = "abstract")]
    abstract_: &'a str,
    description: &'a str,
    persons: Vec<PersonJson<'a>>,
    links: Vec<LinkJson<'a>>,
}

#[derive(Serialize)]
struct PersonJson<'a> {
    guid: &'a str,
    id: u32,
    name: &'a str,
    url: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    biography: Option<&'a str>,
}

#[derive(Serialize)]
struct LinkJson<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    url: &'a str,
    title: &'a str,
}

impl<'a> From<&'a Event> for EventJson<'a> {
    fn from(e: &'a Event) -> Self {
        EventJson {
            guid: &e.guid,
            id: e.id,
            date: &e.date,
            start: &e.start,
            end: &e.end,
            duration: &e.duration,
            room: &e.room,
            slug: &e.slug,
            url: &e.url,
            title: &e.title,
            subtitle: "",
            track: e.track.as_deref(),
            kind: &e.kind,
            language: &e.language,
            abstract_: &e.abstract_,
            description: "",
            persons: e
                .persons
                .iter()
                .map(|p| PersonJson {
                    guid: &p.guid,
                    id: p.id,
                    name: &p.name,
                    url: &p.url,
                    biography: p.biography.as_deref(),
                })
                .collect(),
            links: e
                .links
                .iter()
                .map(|l| LinkJson {
                    kind: l.kind,
                    url: &l.url,
                    title: &l.title,
                })
                .collect(),
        }
    }
}

/// How deep an event's object lies in the file (two spaces a level):
/// file, schedule, conference, days, day, rooms, room, event.
const EVENT_DEPTH: usize = 7;

/// One event's object as the file holds it at [`EVENT_DEPTH`], without a line end.
pub fn event(e: &Event) -> String {
    let mut out = String::new();
    value(&mut out, &EventJson::from(e), EVENT_DEPTH);
    out
}

/// Appends `v` as serde_json's pretty printer writes it, every line after
/// the first indented by `depth` levels. A line end in JSON text is always
/// between tokens (strings escape theirs), so this is the same text the
/// printer gives for `v` nested `depth` levels deep.
fn value<T: Serialize + ?Sized>(out: &mut String, v: &T, depth: usize) {
    let text = serde_json::to_string_pretty(v).expect("the schedule serialises");
    let mut lines = text.split('\n');
    if let Some(first) = lines.next() {
        out.push_str(first);
    }
    for line in lines {
        out.push('\n');
        indent(out, depth);
        out.push_str(line);
    }
}

fn indent(out: &mut String, depth: usize) {
    for _ in 0..depth {
        out.push_str("  ");
    }
}

/// An object or array being written the way serde_json's pretty printer
/// writes it: `{}` when empty, else one entry a line.
struct Nested<'a> {
    out: &'a mut String,
    depth: usize,
    close: char,
    empty: bool,
}

impl<'a> Nested<'a> {
    fn open(out: &'a mut String, depth: usize, open: char, close: char) -> Nested<'a> {
        out.push(open);
        Nested {
            out,
            depth,
            close,
            empty: true,
        }
    }

    /// Starts the next entry (of an array), or the next key's value.
    fn next(&mut self) -> &mut String {
        self.out.push_str(if self.empty { "\n" } else { ",\n" });
        self.empty = false;
        indent(self.out, self.depth + 1);
        self.out
    }

    fn key(&mut self, k: &str) -> &mut String {
        let depth = self.depth + 1;
        let out = self.next();
        value(out, k, depth);
        out.push_str(": ");
        out
    }

    fn field<T: Serialize + ?Sized>(&mut self, k: &str, v: &T) {
        let depth = self.depth + 1;
        value(self.key(k), v, depth);
    }

    fn optional<T: Serialize + ?Sized>(&mut self, k: &str, v: Option<&T>) {
        if let Some(v) = v {
            self.field(k, v);
        }
    }

    fn end(self) {
        if !self.empty {
            self.out.push('\n');
            indent(self.out, self.depth);
        }
        self.out.push(self.close);
    }
}

/// The file's bytes: pretty-printed, ending in a newline. Written by hand
/// around the events' ready-made text, exactly as serde_json would print
/// the whole.
pub fn render(s: &Schedule) -> Vec<u8> {
    let c = &s.conference;
    let events: usize = c
        .days
        .iter()
        .flat_map(|d| &d.rooms)
        .flat_map(|(_, events)| events)
        .map(|e| e.json.len() + 2 * (EVENT_DEPTH + 1))
        .sum();
    let mut out = String::with_capacity(events + 4096 + 512 * c.days.len() * c.rooms.len().max(1));
    let mut file = Nested::open(&mut out, 0, '{', '}');
    file.field("$schema", "https://c3voc.de/schedule/schema.json");
    file.field(
        "generator",
        &Generator {
            name: GENERATOR,
            version: env!("CARGO_PKG_VERSION"),
        },
    );
    let mut schedule = Nested::open(file.key("schedule"), 1, '{', '}');
    schedule.field("version", &s.version);
    schedule.optional("base_url", s.base_url.as_deref());
    let mut conf = Nested::open(schedule.key("conference"), 2, '{', '}');
    conf.field("acronym", &c.acronym);
    conf.field("title", &c.title);
    conf.optional("description", c.description.as_deref());
    conf.field("start", &c.start.to_string());
    conf.field("end", &c.end.to_string());
    conf.field("daysCount", &c.days_count);
    conf.field("timeslot_duration", &c.timeslot_duration);
    conf.optional(
        "time_zone_name",
        Some(c.time_zone_name.as_str()).filter(|z| json_zone_ok(z)),
    );
    conf.optional("url", c.url.as_deref());
    let tracks: Vec<TrackJson> = c
        .tracks
        .iter()
        .map(|t| TrackJson {
            name: &t.name,
            slug: Some(t.slug.as_str()).filter(|s| json_slug_ok(s)),
            color: t.color.as_deref(),
        })
        .collect();
    conf.field("tracks", &tracks);
    let rooms: Vec<RoomJson> = c
        .rooms
        .iter()
        .map(|r| RoomJson {
            name: &r.name,
            slug: Some(r.slug.as_str()).filter(|s| json_slug_ok(s)),
            guid: &r.guid,
            capacity: r.capacity,
        })
        .collect();
    conf.field("rooms", &rooms);
    let mut days = Nested::open(conf.key("days"), 3, '[', ']');
    for d in &c.days {
        let mut day = Nested::open(days.next(), 4, '{', '}');
        day.field("index", &d.index);
        day.field("date", &d.date.to_string());
        day.field("day_start", &d.start);
        day.field("day_end", &d.end);
        let mut rooms = Nested::open(day.key("rooms"), 5, '{', '}');
        for (name, events) in &d.rooms {
            let mut list = Nested::open(rooms.key(name), 6, '[', ']');
            for e in events {
                list.next().push_str(&e.json);
            }
            list.end();
        }
        rooms.end();
        day.end();
    }
    days.end();
    conf.end();
    schedule.end();
    file.end();
    out.push('\n');
    out.into_bytes()
}
