//! frab / c3voc `schedule.json` and `schedule.xml`: the programme as the
//! conference apps (Giggity, ConfClerk, EventFahrplan) and video teams read it.
//!
//! Both files are written from one [`Schedule`] view, built here: days in
//! date order (a talk after midnight stays in its event day), every room on
//! every day, events with stable guids and integer ids ([`ids`]). Cancelled
//! and unscheduled talks are left out, as frab and pretalx do: apps show an
//! event that disappears from a new schedule version as cancelled.
//!
//! Each event is written once, in parallel, as a [`Fragment`] holding its
//! text for both files (remembered between builds when rebuilding, under a
//! hash of the inputs it is made from), and both files are assembled from
//! the fragments, in parallel.

pub mod ids;
pub mod json;
pub mod xml;

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::incremental::fragments;
use crate::model::{Programme, Slot, Talk, TalkId};
use crate::output::Sink;
use crate::{Env, Renderer};
use chrono::{DateTime, Duration, NaiveDate, TimeZone};
use chrono_tz::Tz;
use ids::Kind;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;
use xxhash_rust::xxh3::Xxh3Default;

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
        let (json, xml) = rayon::join(|| json::render(&schedule), || xml::render(&schedule));
        sink.put("schedule.json".into(), json).map_err(clash)?;
        sink.put("schedule.xml".into(), xml).map_err(clash)?;
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
    /// Every room, in room order, with its events of the day by start
    /// (each counted in the version by its hash).
    #[serde(serialize_with = "rooms_by_hash")]
    pub rooms: Vec<(String, Vec<Arc<Fragment>>)>,
}

/// One event as both files write it, made once and assembled into each.
#[derive(Debug)]
pub struct Fragment {
    /// The event's object as schedule.json holds it: lines after the first
    /// indented for its depth, no line end.
    pub json: String,
    /// The event's `<event>` element, whole lines.
    pub xml: String,
    /// A hash of both texts.
    pub hash: u128,
}

impl Fragment {
    fn of(e: &Event) -> Fragment {
        let json = json::event(e);
        let mut xml = String::with_capacity(json.len());
        xml::event(&mut xml, e);
        let hash = fragments::key("frab event text", &(&json, &xml));
        Fragment { json, xml, hash }
    }
}

fn rooms_by_hash<S: serde::Serializer>(
    rooms: &[(String, Vec<Arc<Fragment>>)],
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_seq(rooms.iter().map(|(name, events)| {
        let hashes: Vec<String> = events.iter().map(|e| format!("{:032x}", e.hash)).collect();
        (name, hashes)
    }))
}

#[derive(Debug, Clone)]
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

#[derive(Debug, Clone)]
pub struct Person {
    pub guid: String,
    pub id: u32,
    pub name: String,
    /// The speaker's page: absolute with a base_url, else relative.
    pub url: String,
    pub biography: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Link {
    /// `slides`, `media` (the video) or `related`.
    pub kind: &'static str,
    pub url: String,
    pub title: String,
}

/// Everything one event is made from, borrowed from the programme: the
/// key of its [`Fragment`] is a hash of this, and [`event`] reads nothing else.
#[derive(Hash)]
struct EventInputs<'a> {
    acronym: &'a str,
    base_url: Option<&'a str>,
    /// The conference's language, for a talk without its own.
    language: &'a str,
    zone: &'a str,
    id: u32,
    slug: &'a str,
    start: DateTime<Tz>,
    end: DateTime<Tz>,
    room: &'a str,
    title: &'a str,
    track: Option<&'a str>,
    kind: &'a str,
    talk_language: Option<&'a str>,
    abstract_: &'a str,
    slides: Option<&'a str>,
    video: Option<&'a str>,
    /// (title, url)
    links: Vec<(&'a str, &'a str)>,
    persons: Vec<PersonInputs<'a>>,
}

#[derive(Hash)]
struct PersonInputs<'a> {
    slug: &'a str,
    id: u32,
    name: &'a str,
    bio: &'a str,
}

impl<'a> EventInputs<'a> {
    fn of(
        p: &'a Programme,
        talk: &'a Talk,
        slot: &Slot,
        id: u32,
        speaker_ids: &[u32],
    ) -> EventInputs<'a> {
        let conf = &p.conference;
        EventInputs {
            acronym: &conf.acronym,
            base_url: conf.base_url.as_deref(),
            language: &conf.language,
            zone: conf.timezone.name(),
            id,
            slug: &talk.slug,
            start: slot.start,
            end: slot.end,
            room: talk.room.map(|r| p.rooms[r].name.as_str()).unwrap_or(""),
            title: &talk.title,
            track: talk.track.map(|t| p.tracks[t].name.as_str()),
            kind: &talk.kind,
            talk_language: talk.language.as_deref(),
            abstract_: &talk.abstract_.markdown,
            slides: talk.slides.as_deref(),
            video: talk.video.as_deref(),
            links: talk
                .links
                .iter()
                .map(|l| (l.title.as_str(), l.url.as_str()))
                .collect(),
            persons: talk
                .speakers
                .iter()
                .map(|&s| {
                    let sp = &p.speakers[s];
                    PersonInputs {
                        slug: &sp.slug,
                        id: speaker_ids[s],
                        name: &sp.name,
                        bio: &sp.bio.markdown,
                    }
                })
                .collect(),
        }
    }
}

/// The talk's page, or a speaker's: absolute with a base_url, else relative.
fn page(base_url: Option<&str>, folder: &str, slug: &str) -> String {
    match base_url {
        Some(base) => format!("{base}{folder}/{slug}/"),
        None => format!("{folder}/{slug}/"),
    }
}

/// One event, from its inputs alone.
fn event(i: &EventInputs) -> Event {
    let mut links = Vec::new();
    if let Some(url) = i.slides {
        links.push(Link {
            kind: "slides",
            url: url.to_string(),
            title: "Slides".into(),
        });
    }
    if let Some(url) = i.video {
        links.push(Link {
            kind: "media",
            url: url.to_string(),
            title: "Video".into(),
        });
    }
    links.extend(i.links.iter().map(|&(title, url)| Link {
        kind: "related",
        url: url.to_string(),
        title: title.to_string(),
    }));
    Event {
        guid: ids::guid(i.acronym, Kind::Talk, i.slug),
        id: i.id,
        date: datetime(&i.start),
        start: i.start.format("%H:%M").to_string(),
        end: datetime(&i.end),
        duration: hours_minutes(i.end - i.start),
        room: i.room.to_string(),
        slug: format!("{}-{}", i.acronym, i.slug),
        talk_slug: i.slug.to_string(),
        url: page(i.base_url, "talks", i.slug),
        title: i.title.to_string(),
        track: i.track.map(str::to_string),
        kind: i.kind.to_string(),
        language: i.talk_language.unwrap_or(i.language).to_string(),
        abstract_: i.abstract_.trim().to_string(),
        persons: i
            .persons
            .iter()
            .map(|sp| {
                let bio = sp.bio.trim();
                Person {
                    guid: ids::guid(i.acronym, Kind::Speaker, sp.slug),
                    id: sp.id,
                    name: sp.name.to_string(),
                    url: page(i.base_url, "speakers", sp.slug),
                    biography: (!bio.is_empty()).then(|| bio.to_string()),
                }
            })
            .collect(),
        links,
    }
}

/// Builds the schedule view; errors only for bad pinned `id:` values. The
/// events are made in parallel, through the fragment memo when rebuilding.
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
    let memo = env.fragments.as_deref();

    // Every event of every day as (day, room, talk), in the days' order.
    let placed: Vec<(usize, usize, TalkId)> = p
        .days
        .iter()
        .enumerate()
        .flat_map(|(d, day)| {
            day.talks.iter().filter_map(move |&id| {
                let t = &p.talks[id];
                let room = t.room.filter(|_| !t.is_cancelled())?;
                t.slot.is_some().then_some((d, room, id))
            })
        })
        .collect();
    let made: Vec<Arc<Fragment>> = placed
        .par_iter()
        .with_min_len(8)
        .map(|&(_, _, id)| {
            let talk = &p.talks[id];
            let slot = talk.slot.expect("placed talks are scheduled");
            let inputs = EventInputs::of(p, talk, &slot, talk_ids[id], &speaker_ids);
            fragments::piece(
                memo,
                || fragments::key("frab event", &inputs),
                || Fragment::of(&event(&inputs)),
            )
        })
        .collect();
    let mut by_day: Vec<Vec<Vec<Arc<Fragment>>>> = p
        .days
        .iter()
        .map(|_| p.rooms.iter().map(|_| Vec::new()).collect())
        .collect();
    for (&(d, room, _), fragment) in placed.iter().zip(made) {
        if let Some(list) = by_day[d].get_mut(room) {
            list.push(fragment);
        }
    }
    let mut days: Vec<Day> = p
        .days
        .iter()
        .zip(by_day)
        .enumerate()
        .map(|(i, (day, by_room))| {
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
    Ok(Schedule {
        version: version(&conference),
        base_url: conf.base_url.clone(),
        conference,
    })
}

/// The schedule's version: 12 hex digits of a hash of everything in the
/// conference, each event counted by the hash of its text.
fn version(conference: &Conference) -> String {
    struct Hashing(Xxh3Default);
    impl std::io::Write for Hashing {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.update(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut h = Hashing(Xxh3Default::new());
    serde_json::to_writer(&mut h, conference).expect("the schedule serialises");
    format!("{:032x}", h.0.digest128())[..12].to_string()
}

fn day_of(
    index: usize,
    date: NaiveDate,
    tz: Tz,
    day_change: chrono::NaiveTime,
    rooms: Vec<(String, Vec<Arc<Fragment>>)>,
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
