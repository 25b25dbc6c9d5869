//! `schedule.json` in the c3voc schema's shape: keys in a fixed, readable
//! order, rooms of each day in room order. serde_json does the escaping, so
//! any text (quotes, control characters, `</script>`) stays a valid string.

use super::{json_slug_ok, json_zone_ok, Event, Schedule, GENERATOR};
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

#[derive(Serialize)]
struct File<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    generator: Generator,
    schedule: ScheduleJson<'a>,
}

#[derive(Serialize)]
struct Generator {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct ScheduleJson<'a> {
    version: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    base_url: Option<&'a str>,
    conference: ConferenceJson<'a>,
}

#[derive(Serialize)]
struct ConferenceJson<'a> {
    acronym: &'a str,
    title: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    start: String,
    end: String,
    #[serde(rename = "daysCount")]
    days_count: usize,
    timeslot_duration: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    time_zone_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
    tracks: Vec<TrackJson<'a>>,
    rooms: Vec<RoomJson<'a>>,
    days: Vec<DayJson<'a>>,
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
struct DayJson<'a> {
    index: usize,
    date: String,
    day_start: &'a str,
    day_end: &'a str,
    rooms: Rooms<'a>,
}

/// The day's rooms as an object, keys in room order.
struct Rooms<'a>(&'a [(String, Vec<Event>)]);

impl Serialize for Rooms<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (name, events) in self.0 {
            let events: Vec<EventJson> = events.iter().map(EventJson::from).collect();
            map.serialize_entry(name, &events)?;
        }
        map.end()
    }
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

/// The file's bytes: pretty-printed, ending in a newline.
pub fn render(s: &Schedule) -> Vec<u8> {
    let c = &s.conference;
    let file = File {
        schema: "https://c3voc.de/schedule/schema.json",
        generator: Generator {
            name: GENERATOR,
            version: env!("CARGO_PKG_VERSION"),
        },
        schedule: ScheduleJson {
            version: &s.version,
            base_url: s.base_url.as_deref(),
            conference: ConferenceJson {
                acronym: &c.acronym,
                title: &c.title,
                description: c.description.as_deref(),
                start: c.start.to_string(),
                end: c.end.to_string(),
                days_count: c.days_count,
                timeslot_duration: &c.timeslot_duration,
                time_zone_name: Some(c.time_zone_name.as_str()).filter(|z| json_zone_ok(z)),
                url: c.url.as_deref(),
                tracks: c
                    .tracks
                    .iter()
                    .map(|t| TrackJson {
                        name: &t.name,
                        slug: Some(t.slug.as_str()).filter(|s| json_slug_ok(s)),
                        color: t.color.as_deref(),
                    })
                    .collect(),
                rooms: c
                    .rooms
                    .iter()
                    .map(|r| RoomJson {
                        name: &r.name,
                        slug: Some(r.slug.as_str()).filter(|s| json_slug_ok(s)),
                        guid: &r.guid,
                        capacity: r.capacity,
                    })
                    .collect(),
                days: c
                    .days
                    .iter()
                    .map(|d| DayJson {
                        index: d.index,
                        date: d.date.to_string(),
                        day_start: &d.start,
                        day_end: &d.end,
                        rooms: Rooms(&d.rooms),
                    })
                    .collect(),
            },
        },
    };
    let mut bytes = serde_json::to_vec_pretty(&file).expect("the schedule serialises");
    bytes.push(b'\n');
    bytes
}
