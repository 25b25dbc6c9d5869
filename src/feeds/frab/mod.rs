//! frab / c3voc `schedule.json` and `schedule.xml`: the programme as the
//! conference apps (Giggity, ConfClerk, EventFahrplan) and video teams read it.
//!
//! Both files are written from one [`Schedule`] view, built here: days in
//! date order (a talk after midnight stays in its event day), every room on
//! every day, events with stable guids and integer ids ([`ids`]). Cancelled
//! and unscheduled talks are left out, as frab and pretalx do: apps show an
//! event that disappears from a new schedule version as cancelled.

pub mod ids;
pub mod json;
pub mod xml;

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::{Programme, Talk};
use crate::output::Sink;
use crate::{Env, Renderer};
use chrono::{DateTime, Duration, NaiveDate, TimeZone};
use chrono_tz::Tz;
use ids::Kind;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;

pub struct Frab;

impl Renderer for Frab {
    fn name(&self) -> &'static str {
        "frab"
    }

    fn render(&self, programme: &Programme, env: &Env, sink: &dyn Sink) -> Result<(), Diagnostics> {
        let schedule = schedule(programme, env)?;
        let clash = |p: String| {
            Diagnostics(vec![Diagnostic::error(
                "output-clash",
                format!("two outputs claim `{p}`"),
            )])
        };
        sink.put("schedule.json".into(), json::render(&schedule))
            .map_err(clash)?;
        sink.put("schedule.xml".into(), xml::render(&schedule))
            .map_err(clash)?;
        Ok(())
    }
}

/// The name and version written as the schedules' generator.
pub const GENERATOR: &str = "programme";

/// The whole schedule, in the shape both formats share.
#[derive(Debug, Clone, Serialize)]
pub struct Schedule {
    /// Changes exactly when the schedule's content changes (a content hash).
    pub version: String,
    pub base_url: Option<String>,
    pub conference: Conference,
}

#[derive(Debug, Clone, Serialize)]
pub struct Conference {
    pub acronym: String,
    pub title: String,
    pub description: Option<String>,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub days_count: usize,
    pub timeslot_duration: String,
    /// The IANA name of the conference's zone.
    pub time_zone_name: String,
    pub url: Option<String>,
    pub tracks: Vec<Track>,
    pub rooms: Vec<Room>,
    pub days: Vec<Day>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Track {
    pub name: String,
    pub slug: String,
    /// `#rrggbb`, when the track's colour can be written so.
    pub color: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Room {
    pub name: String,
    pub slug: String,
    pub guid: String,
    pub capacity: Option<u32>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Day {
    /// 1-based.
    pub index: usize,
    pub date: NaiveDate,
    /// The day's bounds: its date and the next at the conference's day change.
    pub start: String,
    pub end: String,
    /// Every room, in room order, with its events of the day by start.
    pub rooms: Vec<(String, Vec<Event>)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Event {
    pub guid: String,
    pub id: u32,
    /// Start as a date-time with its offset.
    pub date: String,
    /// Local `HH:MM`.
    pub start: String,
    /// End as a date-time with its offset.
    pub end: String,
    /// `HH:MM`.
    pub duration: String,
    pub room: String,
    /// `<acronym>-<slug>`: unique across conferences, as the video tools want.
    pub slug: String,
    /// The talk's own slug (its file name).
    pub talk_slug: String,
    /// The talk's page: absolute with a base_url, else relative to the site root.
    pub url: String,
    pub title: String,
    pub track: Option<String>,
    pub kind: String,
    pub language: String,
    /// The abstract as Markdown.
    pub abstract_: String,
    pub persons: Vec<Person>,
    pub links: Vec<Link>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Person {
    pub guid: String,
    pub id: u32,
    pub name: String,
    /// The speaker's page: absolute with a base_url, else relative.
    pub url: String,
    pub biography: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Link {
    /// `slides`, `media` (the video) or `related`.
    pub kind: &'static str,
    pub url: String,
    pub title: String,
}

/// Builds the schedule view; errors only for bad pinned `id:` values.
pub fn schedule(p: &Programme, env: &Env) -> Result<Schedule, Diagnostics> {
    let conf = &p.conference;
    let tz = conf.timezone;
    let acronym = conf.acronym.as_str();
    let talk_ids = talk_ids(p)?;
    let speaker_slugs: Vec<&str> = p.speakers.iter().map(|s| s.slug.as_str()).collect();
    let speaker_ids = ids::assign(
        Kind::Speaker,
        &speaker_slugs,
        &vec![None; speaker_slugs.len()],
    );
    let page = |folder: &str, slug: &str| match &conf.base_url {
        Some(base) => format!("{base}{folder}/{slug}/"),
        None => format!("{folder}/{slug}/"),
    };

    let event = |id: usize, talk: &Talk| -> Event {
        let slot = talk.slot.expect("scheduled");
        let mut links = Vec::new();
        if let Some(url) = &talk.slides {
            links.push(Link {
                kind: "slides",
                url: url.clone(),
                title: "Slides".into(),
            });
        }
        if let Some(url) = &talk.video {
            links.push(Link {
                kind: "media",
                url: url.clone(),
                title: "Video".into(),
            });
        }
        links.extend(talk.links.iter().map(|l| Link {
            kind: "related",
            url: l.url.clone(),
            title: l.title.clone(),
        }));
        Event {
            guid: ids::guid(acronym, Kind::Talk, &talk.slug),
            id: talk_ids[id],
            date: datetime(&slot.start),
            start: slot.start.format("%H:%M").to_string(),
            end: datetime(&slot.end),
            duration: hours_minutes(slot.duration()),
            room: talk
                .room
                .map(|r| p.rooms[r].name.clone())
                .unwrap_or_default(),
            slug: format!("{acronym}-{}", talk.slug),
            talk_slug: talk.slug.clone(),
            url: page("talks", &talk.slug),
            title: talk.title.clone(),
            track: talk.track.map(|t| p.tracks[t].name.clone()),
            kind: talk.kind.clone(),
            language: talk
                .language
                .clone()
                .unwrap_or_else(|| conf.language.clone()),
            abstract_: talk.abstract_.markdown.trim().to_string(),
            persons: talk
                .speakers
                .iter()
                .map(|&s| {
                    let sp = &p.speakers[s];
                    let bio = sp.bio.markdown.trim();
                    Person {
                        guid: ids::guid(acronym, Kind::Speaker, &sp.slug),
                        id: speaker_ids[s],
                        name: sp.name.clone(),
                        url: page("speakers", &sp.slug),
                        biography: (!bio.is_empty()).then(|| bio.to_string()),
                    }
                })
                .collect(),
            links,
        }
    };

    let mut days: Vec<Day> = p
        .days
        .iter()
        .enumerate()
        .map(|(i, day)| {
            // The day's events, built in parallel, then put in their rooms
            // (keeping the day's order).
            let events: Vec<(usize, Event)> = day
                .talks
                .par_iter()
                .filter_map(|&id| {
                    let t = &p.talks[id];
                    let room = t.room.filter(|_| !t.is_cancelled())?;
                    Some((room, event(id, t)))
                })
                .collect();
            let mut by_room: Vec<Vec<Event>> = p.rooms.iter().map(|_| Vec::new()).collect();
            for (room, e) in events {
                if let Some(list) = by_room.get_mut(room) {
                    list.push(e);
                }
            }
            let rooms = p
                .rooms
                .iter()
                .zip(by_room)
                .map(|(room, events)| (room.name.clone(), events))
                .collect();
            day_of(i + 1, day.date, tz, conf.day_change, rooms)
        })
        .collect();
    if days.is_empty() {
        // The schedule.xml schema needs at least one day: an empty programme
        // gets the build's date, with no events.
        let date = env.stamp.with_timezone(&tz).date_naive();
        days.push(day_of(1, date, tz, conf.day_change, Vec::new()));
    }

    let tracks = p
        .tracks
        .iter()
        .map(|t| Track {
            name: t.name.clone(),
            slug: t.slug.clone(),
            color: t.color.as_deref().and_then(hex_colour),
        })
        .collect();
    let rooms = p
        .rooms
        .iter()
        .map(|r| Room {
            name: r.name.clone(),
            slug: r.slug.clone(),
            guid: ids::guid(acronym, Kind::Room, &r.slug),
            capacity: r.capacity,
        })
        .collect();
    let conference = Conference {
        acronym: acronym.to_string(),
        title: conf.title.clone(),
        description: conf.subtitle.clone(),
        start: days[0].date,
        end: days[days.len() - 1].date,
        days_count: days.len(),
        timeslot_duration: "00:15".into(),
        time_zone_name: tz.name().to_string(),
        url: conf.base_url.clone(),
        tracks,
        rooms,
        days,
    };
    let body = serde_json::to_vec(&conference).expect("the schedule serialises");
    let digest = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, &body).simple();
    Ok(Schedule {
        version: digest.to_string()[..12].to_string(),
        base_url: conf.base_url.clone(),
        conference,
    })
}

fn day_of(
    index: usize,
    date: NaiveDate,
    tz: Tz,
    day_change: chrono::NaiveTime,
    rooms: Vec<(String, Vec<Event>)>,
) -> Day {
    let at = |d: NaiveDate| {
        let naive = d.and_time(day_change);
        let local = tz
            .from_local_datetime(&naive)
            .earliest()
            // A day change inside a clock change: an hour later exists.
            .or_else(|| {
                tz.from_local_datetime(&(naive + Duration::hours(1)))
                    .earliest()
            })
            .unwrap_or_else(|| tz.from_utc_datetime(&naive));
        datetime(&local)
    };
    Day {
        index,
        date,
        start: at(date),
        end: at(date.succ_opt().unwrap_or(date)),
        rooms,
    }
}

/// Pinned ids from talks' `id:` front matter, checked, then every talk's id.
fn talk_ids(p: &Programme) -> Result<Vec<u32>, Diagnostics> {
    let mut diagnostics = Diagnostics::new();
    let mut seen: BTreeMap<u32, &Talk> = BTreeMap::new();
    let mut pinned = Vec::with_capacity(p.talks.len());
    for talk in &p.talks {
        let pin = match talk.extra.get("id") {
            None => None,
            Some(v) => match v
                .as_u64()
                .filter(|&n| (1..=u64::from(ids::MAX_ID)).contains(&n))
            {
                Some(n) => Some(n as u32),
                None => {
                    diagnostics.push(
                        Diagnostic::error(
                            "frab-id",
                            format!("`id: {v}` is not a positive whole number up to {}", ids::MAX_ID),
                        )
                        .in_file(&talk.source)
                        .with_help("`id:` pins the talk's number in schedule.json; remove it to get one derived from the slug"),
                    );
                    None
                }
            },
        };
        if let Some(n) = pin {
            if let Some(other) = seen.insert(n, talk) {
                diagnostics.push(
                    Diagnostic::error(
                        "frab-id",
                        format!("`id: {n}` is also the id of {}", other.source.display()),
                    )
                    .in_file(&talk.source)
                    .with_help("every talk needs its own id; change or remove one of them"),
                );
            }
        }
        pinned.push(pin);
    }
    if diagnostics.has_errors() {
        return Err(diagnostics);
    }
    let slugs: Vec<&str> = p.talks.iter().map(|t| t.slug.as_str()).collect();
    Ok(ids::assign(Kind::Talk, &slugs, &pinned))
}

/// `2017-04-26T12:15:00+02:00`.
pub fn datetime<Z: TimeZone>(t: &DateTime<Z>) -> String
where
    Z::Offset: std::fmt::Display,
{
    t.fixed_offset().format("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

/// `HH:MM`, hours from 00.
pub fn hours_minutes(d: Duration) -> String {
    let minutes = d.num_minutes().max(0);
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// `#abc`, `#aabbcc` or `#aabbccdd` as lower-case `#aabbcc`; None otherwise.
pub fn hex_colour(c: &str) -> Option<String> {
    let hex = c.trim().strip_prefix('#')?;
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let six: String = match hex.len() {
        3 | 4 => hex.chars().take(3).flat_map(|c| [c, c]).collect(),
        6 | 8 => hex[..6].to_string(),
        _ => return None,
    };
    Some(format!("#{}", six.to_ascii_lowercase()))
}

/// A slug the JSON schema accepts for tracks and rooms: `^[a-z0-9_-]+[a-z0-9]$`.
pub fn json_slug_ok(s: &str) -> bool {
    s.len() >= 2
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
        && s.bytes()
            .last()
            .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// The JSON schema's `time_zone_name` pattern, `^([A-Z][a-z]+/[A-Z][a-z]+)|UTC$`
/// (an alternation: a prefix like `Europe/Rome`, or a name ending in `UTC`).
pub fn json_zone_ok(name: &str) -> bool {
    if name.ends_with("UTC") {
        return true;
    }
    let word = |s: &str| -> Option<usize> {
        let mut chars = s.char_indices();
        let (_, first) = chars.next()?;
        if !first.is_ascii_uppercase() {
            return None;
        }
        let lower = s[1..].bytes().take_while(u8::is_ascii_lowercase).count();
        (lower > 0).then_some(1 + lower)
    };
    match word(name) {
        Some(n) => name[n..]
            .strip_prefix('/')
            .is_some_and(|rest| word(rest).is_some()),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_and_durations() {
        assert_eq!(hex_colour("#A8324F").as_deref(), Some("#a8324f"));
        assert_eq!(hex_colour("#abc").as_deref(), Some("#aabbcc"));
        assert_eq!(hex_colour("#aabbccdd").as_deref(), Some("#aabbcc"));
        assert_eq!(hex_colour("red"), None);
        assert_eq!(hours_minutes(Duration::minutes(45)), "00:45");
        assert_eq!(hours_minutes(Duration::minutes(270)), "04:30");
        assert_eq!(hours_minutes(Duration::hours(24)), "24:00");
    }

    #[test]
    fn schema_patterns() {
        assert!(json_slug_ok("room-4"));
        assert!(!json_slug_ok("a"));
        assert!(!json_slug_ok("ab-"));
        assert!(json_zone_ok("Europe/Rome"));
        assert!(json_zone_ok("America/Argentina/Buenos_Aires"));
        assert!(json_zone_ok("UTC"));
        assert!(json_zone_ok("Etc/UTC"));
        assert!(!json_zone_ok("Etc/GMT+2"));
        assert!(!json_zone_ok("US/Pacific"));
    }
}
