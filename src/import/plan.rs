//! Interprets a [`Source`] as programme content, its times resolved by
//! [`times`]: the conference, distinct slugs for talks and speakers, rooms
//! (declared shared where events overlap), tracks, links, source ids kept as
//! `id:`, and abstracts (HTML converted to Markdown by [`html`]).

use super::{html, times, Source};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::feeds::frab::ids::{self, Kind};
use crate::fields::is_safe_url;
use crate::model::slugify;
use crate::resolve::is_colour;
use chrono::DateTime;
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

/// Plans the content for `source`; errors name `file`.
pub fn plan(source: &Source, timezone: Option<&str>, file: &Path) -> Result<Plan, Diagnostics> {
    let mut warnings = Diagnostics::new();
    let tz = times::zone(source, timezone, file, &mut warnings)?;
    let timed = times::resolve(source, tz, file, &mut warnings)?;

    let acronym = acronym(source, file, &mut warnings);
    let day_change = if source.ours {
        source
            .days
            .first()
            .and_then(|d| times::day_start(d, tz))
            .map(|s| s.time())
            .filter(|t| *t != times::default_day_change())
    } else {
        times::infer_day_change(&timed, file, &mut warnings)
    };

    let rooms = rooms(source, &timed);
    let tracks = tracks(source, &timed);
    let (speakers, by_name) = speakers(&timed, source.ours);

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
            start: t.start.map(|s| times::local_start(s, tz)),
            duration: t.duration.map(times::human_duration),
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

/// Rooms: declared ones in order, then the rest in order of first use; a
/// room in which events overlap is shared.
fn rooms(source: &Source, timed: &[times::Timed]) -> Vec<Room> {
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

    rooms
}

/// Tracks: declared ones (with their colours) in order, then the rest as used.
fn tracks(source: &Source, timed: &[times::Timed]) -> Vec<Track> {
    let mut tracks: Vec<Track> = source
        .tracks
        .iter()
        .map(|t| Track {
            name: t.name.clone(),
            color: t.color.clone().filter(|c| is_colour(c)),
        })
        .collect();
    for t in timed {
        if let Some(name) = &t.ev.track {
            if !tracks.iter().any(|k| &k.name == name) {
                tracks.push(Track {
                    name: name.clone(),
                    color: None,
                });
            }
        }
    }

    tracks
}

/// Speakers, merged by name (case-insensitive); with the index of each
/// lower-cased name. programme's own schedules give the slug in the url.
fn speakers(timed: &[times::Timed], ours: bool) -> (Vec<Speaker>, HashMap<String, usize>) {
    let mut speakers: Vec<Speaker> = Vec::new();
    let mut by_name: HashMap<String, usize> = HashMap::new();
    let mut speaker_slugs = BTreeSet::new();
    for t in timed {
        for p in &t.ev.persons {
            let key = p.name.trim().to_lowercase();
            if let Some(&i) = by_name.get(&key) {
                if speakers[i].bio.is_empty() {
                    speakers[i].bio = abstract_text(p.biography.as_deref(), ours);
                }
                continue;
            }
            let wanted = if ours {
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
                bio: abstract_text(p.biography.as_deref(), ours),
            });
        }
    }

    (speakers, by_name)
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
