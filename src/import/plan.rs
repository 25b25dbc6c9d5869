//! Interprets a [`Source`] as programme content: the time zone, each event's
//! start (absolute date-times, or a day's date plus a local start with
//! after-midnight events moved to the next date), durations, the event-day
//! boundary (`day_change`), distinct slugs, speakers, rooms (declared shared
//! where events overlap), tracks and abstracts (HTML converted to Markdown).

use super::{html, Source, SourceDay, SourceEvent};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::feeds::frab::ids::{self, Kind};
use crate::fields::{closest, is_safe_url};
use crate::model::slugify;
use crate::time;
use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use chrono_tz::Tz;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

/// The content to write, typed; [`super::write`] renders it as files.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub conference: Conference,
    pub talks: Vec<Talk>,
    pub speakers: Vec<Speaker>,
    pub warnings: Diagnostics,
}

#[derive(Debug, Clone, Default)]
pub struct Conference {
    pub title: String,
    pub acronym: String,
    pub subtitle: Option<String>,
    pub timezone: String,
    pub base_url: Option<String>,
    /// The source system's address, kept as a comment (not our site's).
    pub source_url: Option<String>,
    pub language: Option<String>,
    /// `HH:MM`, when not the default 04:00.
    pub day_change: Option<String>,
    pub rooms: Vec<Room>,
    pub tracks: Vec<Track>,
}

#[derive(Debug, Clone, Default)]
pub struct Room {
    pub name: String,
    pub capacity: Option<u32>,
    pub shared: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Track {
    pub name: String,
    pub color: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Talk {
    pub slug: String,
    pub title: String,
    pub subtitle: Option<String>,
    pub speakers: Vec<String>,
    pub room: Option<String>,
    /// `YYYY-MM-DD HH:MM` local, with an offset only for the second of two equal wall-clock times.
    pub start: Option<String>,
    /// `45m`, `1h30m`.
    pub duration: Option<String>,
    pub track: Option<String>,
    pub kind: Option<String>,
    pub language: Option<String>,
    pub slides: Option<String>,
    pub video: Option<String>,
    pub links: Vec<(String, String)>,
    /// The source's id, pinned when it differs from the one derived from the slug.
    pub id: Option<u32>,
    pub body: String,
}

#[derive(Debug, Clone, Default)]
pub struct Speaker {
    pub slug: String,
    pub name: String,
    pub bio: String,
}

const DEFAULT_DAY_CHANGE: (u32, u32) = (4, 0);

/// An event with its times resolved.
struct Timed<'a> {
    ev: &'a SourceEvent,
    start: Option<DateTime<Tz>>,
    duration: Option<Duration>,
    /// The event day the source lists it under.
    day: Option<NaiveDate>,
    order: usize,
}

pub fn plan(source: &Source, timezone: Option<&str>, file: &Path) -> Result<Plan, Diagnostics> {
    let mut errors = Diagnostics::new();
    let mut warnings = Diagnostics::new();
    let tz = zone(source, timezone, file)?;
    if let (Some(_), Some(given)) = (timezone, &source.time_zone) {
        if time::parse_zone(given).ok() != Some(tz) {
            warnings.push(
                Diagnostic::warning(
                    "import-timezone",
                    format!(
                        "--timezone {} replaces the file's time zone `{given}`",
                        tz.name()
                    ),
                )
                .in_file(file)
                .with_help(
                    "times with an offset stay exact; local times are read in the zone given",
                ),
            );
        }
    }
    let err = |ev: &SourceEvent, message: String, help: &str| {
        let mut d = Diagnostic::error("import", message)
            .in_file(file)
            .with_help(help);
        d.line = ev.line;
        d
    };

    // Times.
    let source_day_change = source
        .day_change
        .as_deref()
        .and_then(|s| time::parse_time(s).ok());
    let mut timed = Vec::new();
    for day in &source.days {
        let day_date = day.date.as_deref().and_then(|d| time::parse_date(d).ok());
        let boundary = source_day_change
            .or_else(|| day_start(day, tz).map(|s| s.time()))
            .unwrap_or_else(default_day_change);
        for ev in &day.events {
            let start = match start_of(ev, day_date, boundary, tz) {
                Ok(s) => s,
                Err(e) => {
                    errors.push(err(
                        ev,
                        format!("event `{}`: {e}", ev.title),
                        "fix the event's date and start in the source, or give --timezone",
                    ));
                    continue;
                }
            };
            let duration = match duration_of(ev, start) {
                Ok(d) => d,
                Err(e) => {
                    errors.push(err(
                        ev,
                        format!("event `{}`: {e}", ev.title),
                        "durations are written `HH:MM`",
                    ));
                    continue;
                }
            };
            let duration = match (start, duration) {
                (Some(_), None) => {
                    let mut w = Diagnostic::warning(
                        "import",
                        format!("event `{}` has no duration; it gets 15 minutes", ev.title),
                    )
                    .in_file(file)
                    .with_help("edit `duration:` in the imported talk");
                    w.line = ev.line;
                    warnings.push(w);
                    Some(Duration::minutes(15))
                }
                (_, d) => d,
            };
            timed.push(Timed {
                ev,
                start,
                duration,
                day: day_date,
                order: timed.len(),
            });
        }
    }
    if errors.has_errors() {
        return Err(errors);
    }
    // Programme order: by start, then as listed; unscheduled events last.
    timed.sort_by_key(|t| (t.start.is_none(), t.start, t.order));

    let acronym = acronym(source, file, &mut warnings);
    let day_change = if source.ours {
        source
            .days
            .first()
            .and_then(|d| day_start(d, tz))
            .map(|s| s.time())
            .filter(|t| *t != default_day_change())
    } else {
        infer_day_change(&timed, file, &mut warnings)
    };

    // Rooms: declared ones in order, then the rest in order of first use.
    let mut rooms: Vec<Room> = Vec::new();
    let room_names = source
        .rooms
        .iter()
        .map(|r| (r.name.clone(), r.capacity))
        .chain(
            timed
                .iter()
                .filter_map(|t| t.ev.room.clone().map(|r| (r, None))),
        );
    for (name, capacity) in room_names {
        if !rooms.iter().any(|r| r.name == name) {
            rooms.push(Room {
                name,
                capacity,
                shared: false,
            });
        }
    }
    for room in &mut rooms {
        let mut spans: Vec<(DateTime<Tz>, DateTime<Tz>)> = timed
            .iter()
            .filter(|t| t.ev.room.as_deref() == Some(room.name.as_str()))
            .filter_map(|t| Some((t.start?, t.start? + t.duration?)))
            .collect();
        spans.sort();
        room.shared = spans.windows(2).any(|w| w[1].0 < w[0].1);
    }

    // Tracks: declared, then used.
    let mut tracks: Vec<Track> = source
        .tracks
        .iter()
        .map(|t| Track {
            name: t.name.clone(),
            color: t.color.clone().filter(|c| is_colour(c)),
        })
        .collect();
    for t in &timed {
        if let Some(name) = &t.ev.track {
            if !tracks.iter().any(|k| &k.name == name) {
                tracks.push(Track {
                    name: name.clone(),
                    color: None,
                });
            }
        }
    }

    // Speakers, merged by name.
    let mut speakers: Vec<Speaker> = Vec::new();
    let mut by_name: HashMap<String, usize> = HashMap::new();
    let mut speaker_slugs = BTreeSet::new();
    for t in &timed {
        for p in &t.ev.persons {
            let key = p.name.trim().to_lowercase();
            if let Some(&i) = by_name.get(&key) {
                if speakers[i].bio.is_empty() {
                    speakers[i].bio = abstract_text(p.biography.as_deref(), source.ours);
                }
                continue;
            }
            let wanted = if source.ours {
                p.url
                    .as_deref()
                    .and_then(|u| u.trim_end_matches('/').rsplit('/').next())
                    .filter(|s| !s.is_empty() && slugify(s) == *s)
                    .map(str::to_string)
            } else {
                None
            }
            .unwrap_or_else(|| slugify(&p.name));
            let slug = distinct(&wanted, "speaker", &mut speaker_slugs);
            by_name.insert(key, speakers.len());
            speakers.push(Speaker {
                slug,
                name: p.name.trim().to_string(),
                bio: abstract_text(p.biography.as_deref(), source.ours),
            });
        }
    }

    // Talks.
    let mut talk_slugs = BTreeSet::new();
    let mut used_ids = BTreeSet::new();
    let mut languages: BTreeMap<String, usize> = BTreeMap::new();
    let mut talks = Vec::new();
    for t in &timed {
        let ev = t.ev;
        let title = match ev.title.trim() {
            "" => {
                let mut w =
                    Diagnostic::warning("import", "an event has no title; it is called `Untitled`")
                        .in_file(file)
                        .with_help("give the imported talk a title");
                w.line = ev.line;
                warnings.push(w);
                "Untitled".to_string()
            }
            s => s.to_string(),
        };
        let prefix = format!("{}-", source.acronym.as_deref().unwrap_or(&acronym));
        let wanted = if source.ours {
            ev.slug
                .as_deref()
                .map(|s| s.strip_prefix(&prefix).unwrap_or(s))
                .filter(|s| slugify(s) == *s)
                .map(str::to_string)
        } else {
            None
        }
        .unwrap_or_else(|| slugify(&title));
        let slug = distinct(&wanted, "talk", &mut talk_slugs);
        let id = ev
            .id
            .and_then(|i| u32::try_from(i).ok())
            .filter(|&i| (1..=ids::MAX_ID).contains(&i) && used_ids.insert(i))
            .filter(|&i| i != ids::derived_id(Kind::Talk, &slug));
        let mut slides = None;
        let mut video = None;
        let mut links = Vec::new();
        for l in &ev.links {
            let url = l.url.trim().to_string();
            if !is_safe_url(&url) {
                let mut w = Diagnostic::warning(
                    "import",
                    format!("event `{title}`: the link `{url}` is not an http(s) or mailto URL; it is left out"),
                )
                .in_file(file)
                .with_help("add it by hand if it is safe");
                w.line = ev.line;
                warnings.push(w);
                continue;
            }
            match l.kind.as_deref() {
                Some("slides") if slides.is_none() => slides = Some(url),
                Some("media") if video.is_none() => video = Some(url),
                _ => links.push((l.title.clone().unwrap_or_else(|| url.clone()), url)),
            }
        }
        let language = ev.language.clone().map(|l| l.trim().to_string());
        if let Some(l) = &language {
            *languages.entry(l.clone()).or_default() += 1;
        }
        let mut speakers_of: Vec<String> = Vec::new();
        for p in &ev.persons {
            let name = speakers[by_name[&p.name.trim().to_lowercase()]]
                .name
                .clone();
            if !speakers_of.contains(&name) {
                speakers_of.push(name);
            }
        }
        let mut parts = vec![abstract_text(ev.abstract_.as_deref(), source.ours)];
        let description = abstract_text(ev.description.as_deref(), source.ours);
        if !description.is_empty() && description != parts[0] {
            parts.push(description);
        }
        parts.retain(|p| !p.is_empty());
        talks.push(Talk {
            slug,
            title,
            subtitle: ev.subtitle.clone().filter(|s| !s.trim().is_empty()),
            speakers: speakers_of,
            room: ev.room.clone(),
            start: t.start.map(|s| local_start(s, tz)),
            duration: t.duration.map(human_duration),
            track: ev.track.clone(),
            kind: ev
                .kind
                .as_deref()
                .map(|k| k.trim().to_lowercase())
                .filter(|k| !k.is_empty() && k != "talk"),
            language,
            slides,
            video,
            links,
            id,
            body: parts.join("\n\n"),
        });
        let _ = t.day;
    }
    let language = languages
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
        .map(|(l, _)| l.clone());

    let (base_url, source_url) = if source.ours {
        (source.base_url.clone(), None)
    } else {
        (None, source.base_url.clone())
    };
    Ok(Plan {
        conference: Conference {
            title: source.title.clone().unwrap_or_else(|| acronym.clone()),
            acronym,
            subtitle: source.subtitle.clone(),
            timezone: tz.name().to_string(),
            base_url,
            source_url,
            language,
            day_change: day_change.map(|t| t.format("%H:%M").to_string()),
            rooms,
            tracks,
        },
        talks,
        speakers,
        warnings,
    })
}

fn default_day_change() -> NaiveTime {
    NaiveTime::from_hms_opt(DEFAULT_DAY_CHANGE.0, DEFAULT_DAY_CHANGE.1, 0).expect("valid")
}

/// The zone: --timezone, else the source's; an error naming the file when neither.
fn zone(source: &Source, flag: Option<&str>, file: &Path) -> Result<Tz, Diagnostics> {
    let bad = |name: &str, from: &str| {
        let mut help = format!("{from} must be an IANA time zone name such as `Europe/Berlin`");
        if let Some(close) = closest(name, time::zone_names()) {
            help = format!("did you mean `{close}`? {help}");
        }
        Diagnostics(vec![Diagnostic::error(
            "import-timezone",
            format!("`{name}` is not a time zone ({from})"),
        )
        .in_file(file)
        .with_help(help)])
    };
    if let Some(name) = flag {
        return time::parse_zone(name).map_err(|_| bad(name, "--timezone"));
    }
    match &source.time_zone {
        Some(name) => time::parse_zone(name).map_err(|_| {
            let mut d = bad(name, "the file's time_zone_name");
            d.0[0].help = Some(format!(
                "pass the conference's zone with --timezone, for example `--timezone Europe/Berlin`{}",
                closest(name, time::zone_names())
                    .map(|c| format!(" (did you mean `{c}`?)"))
                    .unwrap_or_default()
            ));
            d
        }),
        None => Err(Diagnostics(vec![Diagnostic::error(
            "import-timezone",
            format!("{} does not say which time zone its times are in", file.display()),
        )
        .in_file(file)
        .with_help(
            "pass the conference's zone with --timezone, for example `--timezone Europe/Berlin`",
        )])),
    }
}

/// The conference acronym: the source's when it fits `[a-z0-9_]{4,}`,
/// otherwise made to fit (from the acronym or the title), with a warning.
fn acronym(source: &Source, file: &Path, warnings: &mut Diagnostics) -> String {
    let ok = |a: &str| {
        a.len() >= 4
            && a.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    };
    if let Some(a) = source.acronym.as_deref().filter(|a| ok(a)) {
        return a.to_string();
    }
    let from = source
        .acronym
        .as_deref()
        .or(source.title.as_deref())
        .unwrap_or("conference");
    let mut made = slugify(from).replace('-', "_");
    if made.is_empty() {
        made = "conference".into();
    }
    while made.len() < 4 {
        made.push('_');
    }
    warnings.push(
        Diagnostic::warning(
            "import",
            format!("the acronym is `{made}`, made from `{from}` (acronyms are `[a-z0-9_]{{4,}}`)"),
        )
        .in_file(file)
        .with_help(
            "change `acronym:` in conference.yaml before publishing: it is part of every feed id",
        ),
    );
    made
}

/// The local start of a source day (`day_start` / `<day start>`).
fn day_start(day: &SourceDay, tz: Tz) -> Option<NaiveDateTime> {
    let s = day.start.as_deref()?;
    match parse_instant(s) {
        Some(Instant::Absolute(at)) => Some(at.with_timezone(&tz).naive_local()),
        Some(Instant::Local(n)) => Some(n),
        None => None,
    }
}

enum Instant {
    Absolute(DateTime<FixedOffset>),
    Local(NaiveDateTime),
}

fn parse_instant(s: &str) -> Option<Instant> {
    let s = s.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(s) {
        return Some(Instant::Absolute(at));
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%:z",
        "%Y-%m-%dT%H:%M%:z",
        "%Y-%m-%d %H:%M:%S%:z",
        "%Y-%m-%d %H:%M%:z",
    ] {
        if let Ok(at) = DateTime::parse_from_str(s, fmt) {
            return Some(Instant::Absolute(at));
        }
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(n) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(Instant::Local(n));
        }
    }
    None
}

/// An event's start: its `date` when it has one (absolute with an offset, or
/// local), else the day's date and its local `start`, on the next date when
/// the start is before the day's boundary (an event after midnight).
fn start_of(
    ev: &SourceEvent,
    day: Option<NaiveDate>,
    boundary: NaiveTime,
    tz: Tz,
) -> Result<Option<DateTime<Tz>>, String> {
    if let Some(date) = &ev.date {
        // A bare date (pentabarf) carries no time: fall through to `start`.
        if date.trim().len() > 10 {
            return match parse_instant(date) {
                Some(Instant::Absolute(at)) => Ok(Some(at.with_timezone(&tz))),
                Some(Instant::Local(n)) => time::localize(n, tz).map(|p| Some(p.at)),
                None => Err(format!(
                    "`{date}` is not a date and time (`2017-04-26T12:15:00+02:00`)"
                )),
            };
        }
    }
    let Some(start) = &ev.start else {
        return Ok(None);
    };
    let time = time::parse_time(start)?;
    let date = match (day, ev.date.as_deref().map(time::parse_date)) {
        (_, Some(Ok(d))) => d,
        (Some(d), _) => {
            if time < boundary {
                d.succ_opt().unwrap_or(d)
            } else {
                d
            }
        }
        (None, _) => return Err(format!("starts at `{start}` but its day has no date")),
    };
    time::localize(date.and_time(time), tz).map(|p| Some(p.at))
}

fn duration_of(ev: &SourceEvent, start: Option<DateTime<Tz>>) -> Result<Option<Duration>, String> {
    if let Some(d) = &ev.duration {
        let parts: Vec<&str> = d.trim().split(':').collect();
        let num = |s: &str| s.trim().parse::<i64>().ok();
        let minutes = match parts.as_slice() {
            [h, m] | [h, m, _] => num(h).zip(num(m)).map(|(h, m)| h * 60 + m),
            [m] => num(m),
            _ => None,
        };
        return match minutes {
            Some(m) if m > 0 => Ok(Some(Duration::minutes(m))),
            Some(_) => Ok(None),
            None => Err(format!("`{d}` is not a duration")),
        };
    }
    if let (Some(end), Some(start)) = (&ev.end, start) {
        if let Some(Instant::Absolute(at)) = parse_instant(end) {
            let d = at.with_timezone(&start.timezone()) - start;
            if d > Duration::zero() {
                return Ok(Some(d));
            }
        }
    }
    Ok(None)
}

/// The earliest day change that keeps every event in the day the source
/// lists it under: after every after-midnight start, not after any same-day
/// start. 04:00 when that fits.
fn infer_day_change(timed: &[Timed], file: &Path, warnings: &mut Diagnostics) -> Option<NaiveTime> {
    let mut lo = NaiveTime::MIN;
    let mut hi: Option<NaiveTime> = None;
    for t in timed {
        let (Some(start), Some(day)) = (t.start, t.day) else {
            continue;
        };
        let local = start.naive_local();
        if local.date() > day {
            lo = lo.max(local.time() + Duration::minutes(1));
        } else if local.date() == day {
            hi = Some(hi.map_or(local.time(), |h| h.min(local.time())));
        }
    }
    let fits = |t: NaiveTime| t >= lo && hi.is_none_or(|h| t <= h);
    if fits(default_day_change()) {
        return None;
    }
    let rounded = if lo.format("%M").to_string() == "00" {
        lo
    } else {
        NaiveTime::from_hms_opt(
            (lo.format("%H").to_string().parse::<u32>().unwrap_or(0) + 1).min(23),
            0,
            0,
        )
        .unwrap_or(lo)
    };
    let chosen = [rounded, lo].into_iter().find(|t| fits(*t));
    if chosen.is_none() {
        warnings.push(
            Diagnostic::warning(
                "import",
                "no single day change keeps every event in the day the source lists it under",
            )
            .in_file(file)
            .with_help("check `day_change:` in conference.yaml and the late-night talks"),
        );
    }
    chosen
}

/// `YYYY-MM-DD HH:MM` in the zone; with the offset when that wall-clock time
/// happens twice and this is the second.
fn local_start(at: DateTime<Tz>, tz: Tz) -> String {
    let naive = at.naive_local();
    let mut s = naive.format("%Y-%m-%d %H:%M").to_string();
    if naive.format("%S").to_string() != "00" {
        s = naive.format("%Y-%m-%d %H:%M:%S").to_string();
    }
    if let chrono::LocalResult::Ambiguous(first, _) = tz.from_local_datetime(&naive) {
        if first != at {
            s.push_str(&at.format("%:z").to_string());
        }
    }
    s
}

fn human_duration(d: Duration) -> String {
    let m = d.num_minutes();
    match (m / 60, m % 60) {
        (0, m) => format!("{m}m"),
        (h, 0) => format!("{h}h"),
        (h, m) => format!("{h}h{m}m"),
    }
}

/// `wanted`, or `wanted-2`, `wanted-3`, ... when taken; `fallback` when empty.
fn distinct(wanted: &str, fallback: &str, taken: &mut BTreeSet<String>) -> String {
    let base = if wanted.is_empty() { fallback } else { wanted };
    let mut slug = base.to_string();
    let mut n = 2;
    while taken.contains(&slug) {
        slug = format!("{base}-{n}");
        n += 1;
    }
    taken.insert(slug.clone());
    slug
}

/// An abstract or bio as Markdown: programme's own text as it is; text from
/// other systems converted when it is HTML.
fn abstract_text(text: Option<&str>, ours: bool) -> String {
    let text = text.unwrap_or("").trim();
    if ours || !html::looks_like_html(text) {
        text.replace("\r\n", "\n")
    } else {
        html::to_markdown(text)
    }
}

fn is_colour(c: &str) -> bool {
    let c = c.trim();
    match c.strip_prefix('#') {
        Some(hex) => {
            matches!(hex.len(), 3 | 4 | 6 | 8) && hex.bytes().all(|b| b.is_ascii_hexdigit())
        }
        None => !c.is_empty() && c.bytes().all(|b| b.is_ascii_alphabetic()),
    }
}
