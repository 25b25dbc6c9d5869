//! Resolving: turns loaded documents into the typed [`Programme`], field by
//! field, with a diagnostic for every bad value (file, line, hint), then links
//! talks, speakers, rooms and tracks both ways and orders everything.

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::fields::{closest, Fields};
use crate::load::{Content, Document, Node, Value};
use crate::model::*;
use crate::time;
use chrono::{Duration, NaiveDate, NaiveTime};
use rayon::prelude::*;
use std::cell::OnceCell;
use std::collections::{BTreeMap, HashMap};
use std::ffi::OsStr;

const CONFERENCE_KEYS: &[&str] = &[
    "title",
    "acronym",
    "subtitle",
    "timezone",
    "base_url",
    "language",
    "theme",
    "default_duration",
    "day_change",
    "rooms",
    "tracks",
    "markdown",
];
const TALK_KEYS: &[&str] = &[
    "title", "speakers", "room", "start", "end", "duration", "track", "type", "language", "slides",
    "video", "links", "status", "draft",
];
const SPEAKER_KEYS: &[&str] = &["name", "affiliation", "photo", "links"];
const PAGE_KEYS: &[&str] = &["title"];

/// Builds the programme; None when there are errors that leave the
/// conference itself unusable. Talks, speakers and pages are resolved (and
/// their problems reported) even then, so that one run reports everything.
pub fn programme(
    content: &Content,
    drafts: bool,
    diagnostics: &mut Diagnostics,
) -> Option<Programme> {
    let (conference, declared_rooms, declared_tracks, usable) =
        conference(content.conference.as_ref(), diagnostics);
    let profiles = parallel(&content.speakers, diagnostics, |d, diags| {
        speaker(d, &conference, content, diags)
    });
    let raw_talks = parallel(&content.talks, diagnostics, |d, diags| {
        talk(d, &conference, diags)
    });
    let pages = parallel(&content.pages, diagnostics, |d, diags| {
        page(d, &conference, diags)
    });

    // Link in time order, so that rooms and tracks collected from the talks
    // come in order of first use. Talks are large: they are ordered by index
    // and moved once, at the end.
    let mut raw_talks = raw_talks;
    let mut order: Vec<usize> = (0..raw_talks.len())
        .filter(|&i| drafts || !raw_talks[i].talk.draft)
        .collect();
    order.sort_by(|&a, &b| {
        let key = |t: &RawTalk| (t.scheduled.is_none(), t.scheduled.map(|s| s.0));
        let (a, b) = (&raw_talks[a], &raw_talks[b]);
        key(a)
            .cmp(&key(b))
            .then_with(|| a.talk.slug.cmp(&b.talk.slug))
    });
    let texts = Texts {
        content,
        by_path: OnceCell::new(),
    };
    unique_slugs(
        order
            .iter()
            .map(|&i| (&raw_talks[i].talk.slug, &raw_talks[i].doc.path)),
        "talk",
        &texts,
        diagnostics,
    );
    unique_slugs(
        profiles
            .iter()
            .map(|s| (&s.slug, s.source.as_ref().expect("profile"))),
        "speaker",
        &texts,
        diagnostics,
    );
    unique_slugs(
        pages.iter().map(|p| (&p.slug, &p.source)),
        "page",
        &texts,
        diagnostics,
    );

    let mut linker = Linker {
        rooms: declared_rooms,
        rooms_declared: false,
        tracks: declared_tracks,
        speakers: profiles,
        day_change: conference.day_change,
        speaker_index: HashMap::new(),
        room_index: HashMap::new(),
        track_index: HashMap::new(),
    };
    linker.rooms_declared = !linker.rooms.is_empty();
    linker.index();

    // Order: scheduled talks by start, then room order, then slug; then unscheduled by slug.
    for &i in &order {
        linker.link(&mut raw_talks[i], diagnostics);
    }
    order.sort_by(|&a, &b| {
        let key = |t: &Talk| (t.slot.is_none(), t.slot.map(|s| s.start), t.room);
        let (a, b) = (&raw_talks[a].talk, &raw_talks[b].talk);
        key(a).cmp(&key(b)).then_with(|| a.slug.cmp(&b.slug))
    });

    let mut speaker_ids: Vec<Vec<SpeakerId>> = Vec::new();
    speaker_ids.resize_with(raw_talks.len(), Vec::new);
    let mut days: BTreeMap<NaiveDate, Vec<TalkId>> = BTreeMap::new();
    for (id, &i) in order.iter().enumerate() {
        let raw = &raw_talks[i];
        let ids = &mut speaker_ids[i];
        for name in &raw.speakers {
            let sid = linker.speaker(name);
            if !ids.contains(&sid) {
                ids.push(sid);
                linker.speakers[sid].talks.push(id);
            }
        }
        let talk = &raw.talk;
        if let Some(slot) = talk.slot {
            days.entry(slot.day).or_default().push(id);
            linker.rooms[talk.room.expect("scheduled talks have a room")]
                .talks
                .push(id);
        }
        if let Some(track) = talk.track {
            linker.tracks[track].talks.push(id);
        }
    }
    // The talks leave their raw form on all cores, which also frees the rest
    // of it there; then each moves once more, into its place.
    let mut talks: Vec<Option<Talk>> = raw_talks
        .into_par_iter()
        .zip(speaker_ids)
        .map(|(raw, speakers)| {
            Some(Talk {
                speakers,
                ..raw.talk
            })
        })
        .collect();
    let mut talks_out: Vec<Talk> = order
        .iter()
        .map(|&i| talks[i].take().expect("each once"))
        .collect();

    // Speakers sorted by slug, with their ids remapped in the talks.
    let mut order: Vec<SpeakerId> = (0..linker.speakers.len()).collect();
    order.sort_by(|&a, &b| linker.speakers[a].slug.cmp(&linker.speakers[b].slug));
    let mut new_id = vec![0; order.len()];
    for (new, &old) in order.iter().enumerate() {
        new_id[old] = new;
    }
    for talk in &mut talks_out {
        for s in &mut talk.speakers {
            *s = new_id[*s];
        }
    }
    let mut speakers: Vec<Option<Speaker>> = linker.speakers.into_iter().map(Some).collect();
    let speakers: Vec<Speaker> = order
        .iter()
        .map(|&old| speakers[old].take().expect("each once"))
        .collect();

    if !usable {
        return None;
    }
    let mut pages = pages;
    pages.sort_by(|a, b| a.slug.cmp(&b.slug));
    Some(Programme {
        conference,
        days: days
            .into_iter()
            .map(|(date, talks)| Day { date, talks })
            .collect(),
        rooms: linker.rooms,
        tracks: linker.tracks,
        speakers,
        talks: talks_out,
        pages,
        static_files: content.static_files.clone(),
    })
}

/// Resolves documents in parallel, keeping file order and every diagnostic.
fn parallel<'a, T: Send>(
    docs: &'a [Document],
    diagnostics: &mut Diagnostics,
    f: impl Fn(&'a Document, &mut Diagnostics) -> Option<T> + Sync,
) -> Vec<T> {
    let results: Vec<(Option<T>, Diagnostics)> = docs
        .par_iter()
        .map(|d| {
            let mut diags = Diagnostics::new();
            (f(d, &mut diags), diags)
        })
        .collect();
    let mut out = Vec::with_capacity(results.len());
    for (item, d) in results {
        diagnostics.extend(d);
        out.extend(item);
    }
    out
}

/// The text of every talk, speaker and page file by path, indexed on first
/// use: only a duplicate slug needs it.
struct Texts<'a> {
    content: &'a Content,
    by_path: OnceCell<HashMap<&'a OsStr, &'a str>>,
}

impl Texts<'_> {
    fn get(&self, path: &std::path::Path) -> &str {
        let c = self.content;
        self.by_path
            .get_or_init(|| {
                c.talks
                    .iter()
                    .chain(&c.speakers)
                    .chain(&c.pages)
                    .map(|d| (d.path.as_os_str(), d.text.as_str()))
                    .collect()
            })
            .get(path.as_os_str())
            .copied()
            .unwrap_or("")
    }
}

/// An error for each item whose slug an earlier one already gave.
fn unique_slugs<'a>(
    items: impl Iterator<Item = (&'a String, &'a std::path::PathBuf)>,
    what: &str,
    texts: &Texts,
    diagnostics: &mut Diagnostics,
) {
    let items: Vec<_> = items.collect();
    // Most programmes have none: sorting on all cores says so quickly.
    let mut slugs: Vec<&str> = items.iter().map(|(s, _)| s.as_str()).collect();
    slugs.par_sort_unstable();
    if slugs.windows(2).all(|w| w[0] != w[1]) {
        return;
    }
    let mut seen: HashMap<&String, &std::path::PathBuf> = HashMap::new();
    for (slug, path) in items {
        if let Some(first) = seen.insert(slug, path) {
            diagnostics.push(
                Diagnostic::error(
                    "duplicate-slug",
                    format!(
                        "{} and {} both give the {what} slug `{slug}`",
                        first.display(),
                        path.display()
                    ),
                )
                .in_file(path)
                .at(texts.get(path), 1, 1)
                .with_help(
                    "rename one of the files; a slug is the file name in lower case with hyphens",
                ),
            );
        }
    }
}

/// The conference, its declared rooms and tracks, and whether it is usable.
/// When it is not (missing or broken file, missing required fields), the
/// returned conference holds stand-ins that add no errors of their own, so
/// that the talks can still be checked.
fn conference(
    doc: Option<&Document>,
    diagnostics: &mut Diagnostics,
) -> (Conference, Vec<Room>, Vec<Track>, bool) {
    let stand_in = || Conference {
        title: String::new(),
        acronym: String::new(),
        subtitle: None,
        timezone: chrono_tz::UTC,
        base_url: None,
        language: "en".into(),
        theme: "default".into(),
        default_duration: Some(Duration::minutes(30)),
        day_change: NaiveTime::from_hms_opt(4, 0, 0).expect("04:00"),
        raw_html: RawHtml::Sanitise,
        extra: Extra::new(),
    };
    let Some(doc) = doc else {
        return (stand_in(), Vec::new(), Vec::new(), false);
    };
    let mut f = Fields::new(doc, diagnostics);
    if !matches!(doc.front.value, Value::Map(_)) {
        let node = doc.front.clone();
        f.error(
            &node,
            "wrong-type",
            "conference.yaml must be a set of `key: value` lines",
            "start with `title: My Conference`",
        );
        return (stand_in(), Vec::new(), Vec::new(), false);
    }
    let title = f.required("title", "add `title: My Conference` to conference.yaml");
    let acronym = f.required(
        "acronym",
        "add `acronym: myconf2025` (lower-case letters, digits and `_`, at least 4)",
    );
    if let (Some(a), Some(node)) = (&acronym, f.get("acronym")) {
        if a.len() < 4
            || !a
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            f.error(
                node,
                "bad-acronym",
                format!("the acronym `{a}` must be at least 4 lower-case letters, digits or `_`"),
                format!(
                    "for example `{}`",
                    crate::model::slugify(a).replace('-', "_")
                ),
            );
        }
    }
    let timezone = match f.get("timezone") {
        None => {
            f.missing(
                "timezone",
                "add `timezone: Europe/Berlin` (an IANA zone name); every local time is read in it",
            );
            None
        }
        Some(node) => f
            .string("timezone")
            .and_then(|name| match time::parse_zone(&name) {
                Ok(tz) => Some(tz),
                Err(msg) => {
                    let hint = match closest(&name, time::zone_names()) {
                        Some(z) => format!("did you mean `{z}`?"),
                        None => "use an IANA zone name such as `Europe/Rome` or `America/New_York`"
                            .into(),
                    };
                    f.error(node, "unknown-timezone", msg, hint);
                    None
                }
            }),
    };
    let subtitle = f.string("subtitle");
    let base_url = f.url("base_url").map(|mut u| {
        if !u.ends_with('/') {
            u.push('/');
        }
        u
    });
    let language = f.string("language").unwrap_or_else(|| "en".into());
    let theme = f.string("theme").unwrap_or_else(|| "default".into());
    let default_duration = duration_field(&mut f, "default_duration");
    let day_change = match f.scalar("day_change") {
        Some((s, node)) => match time::parse_time(&s) {
            Ok(t) => t,
            Err(msg) => {
                f.error(
                    node,
                    "bad-time",
                    msg,
                    "write `day_change: \"04:00\"` (in quotes)",
                );
                NaiveTime::from_hms_opt(4, 0, 0).expect("04:00")
            }
        },
        None => NaiveTime::from_hms_opt(4, 0, 0).expect("04:00"),
    };
    let raw_html = match f.get("markdown").and_then(|m| m.get("raw_html")) {
        None => RawHtml::Sanitise,
        Some(Node {
            value: Value::String(s),
            ..
        }) if s == "trusted" => RawHtml::Trusted,
        Some(Node {
            value: Value::String(s),
            ..
        }) if s == "sanitise" || s == "sanitize" => RawHtml::Sanitise,
        Some(node) => {
            f.error(
                node,
                "bad-value",
                "`markdown.raw_html` must be `sanitise` or `trusted`",
                "use `markdown: { raw_html: trusted }` only when every author is trusted",
            );
            RawHtml::Sanitise
        }
    };
    let rooms = named_list(&mut f, "rooms", |f, name, node| {
        let capacity = match node.get("capacity") {
            None => None,
            Some(Node {
                value: Value::Int(n),
                ..
            }) if *n >= 0 && *n <= u32::MAX as i64 => Some(*n as u32),
            Some(n) => {
                f.error(
                    n,
                    "wrong-type",
                    "`capacity` must be a whole number",
                    "write for example `capacity: 60`",
                );
                None
            }
        };
        let shared = matches!(
            node.get("shared"),
            Some(Node {
                value: Value::Bool(true),
                ..
            })
        );
        Room {
            slug: slugify(&name),
            name,
            capacity,
            shared,
            talks: Vec::new(),
            extra: extra_of(node, &["name", "capacity", "shared"]),
        }
    });
    let tracks = named_list(&mut f, "tracks", |f, name, node| {
        let color = match node.get("color").or_else(|| node.get("colour")) {
            None => None,
            Some(Node {
                value: Value::String(c),
                ..
            }) if is_colour(c) => Some(c.trim().to_string()),
            Some(n) => {
                f.error(
                    n,
                    "bad-colour",
                    "a track `color` must be a CSS colour such as `\"#aa3355\"`",
                    "write the colour in quotes: `color: \"#aa3355\"`",
                );
                None
            }
        };
        Track {
            slug: slugify(&name),
            name,
            color,
            talks: Vec::new(),
            extra: extra_of(node, &["name", "color", "colour"]),
        }
    });
    let extra = f.extra(CONFERENCE_KEYS);
    let usable = title.is_some() && acronym.is_some() && timezone.is_some();
    let fallback = stand_in();
    (
        Conference {
            title: title.unwrap_or_default(),
            acronym: acronym.unwrap_or_default(),
            subtitle,
            timezone: timezone.unwrap_or(fallback.timezone),
            base_url,
            language,
            theme,
            // Without a usable conference, talks without an end are not
            // reported: the missing default may be the conference's fault.
            default_duration: default_duration.or(fallback.default_duration.filter(|_| !usable)),
            day_change,
            raw_html,
            extra,
        },
        rooms,
        tracks,
        usable,
    )
}

/// A track colour the theme can use: `#rgb`, `#rgba`, `#rrggbb`, `#rrggbbaa` or a CSS name.
pub(crate) fn is_colour(c: &str) -> bool {
    let c = c.trim();
    match c.strip_prefix('#') {
        Some(hex) => {
            matches!(hex.len(), 3 | 4 | 6 | 8) && hex.bytes().all(|b| b.is_ascii_hexdigit())
        }
        None => !c.is_empty() && c.bytes().all(|b| b.is_ascii_alphabetic()),
    }
}

fn extra_of(node: &Node, known: &[&str]) -> Extra {
    node.entries()
        .iter()
        .filter(|(k, _)| !known.contains(&k.name.as_str()))
        .map(|(k, v)| (k.name.clone(), crate::fields::to_json(v)))
        .collect()
}

/// `rooms:`/`tracks:`: a list of names or of maps with `name`; duplicates are errors.
fn named_list<T>(
    f: &mut Fields,
    key: &str,
    make: impl Fn(&mut Fields, String, &Node) -> T,
) -> Vec<T> {
    let Some(node) = f.get(key) else {
        return Vec::new();
    };
    let Value::List(items) = &node.value else {
        f.error(
            node,
            "wrong-type",
            format!("`{key}` must be a list"),
            format!("write `{key}:` and then `  - name: ...` lines"),
        );
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for item in items {
        let name = match &item.value {
            Value::String(s) => Some(s.trim().to_string()),
            Value::Map(_) => match item.get("name") {
                Some(Node {
                    value: Value::String(s),
                    ..
                }) => Some(s.trim().to_string()),
                _ => None,
            },
            _ => None,
        };
        let Some(name) = name.filter(|n| !n.is_empty()) else {
            f.error(
                item,
                "missing-field",
                format!("each entry of `{key}` needs a `name`"),
                format!("write `  - name: ...` under `{key}:`"),
            );
            continue;
        };
        let slug = slugify(&name);
        if seen.contains(&slug) {
            f.error(
                item,
                "duplicate",
                format!("`{name}` is listed twice in `{key}`"),
                "remove one of them",
            );
            continue;
        }
        seen.push(slug);
        out.push(make(f, name, item));
    }
    out
}

fn duration_field(f: &mut Fields, key: &str) -> Option<Duration> {
    let node = f.get(key)?;
    let result = match &node.value {
        Value::Int(n) => time::duration_from_minutes(*n),
        Value::String(s) => time::parse_duration(s),
        _ => Err(format!(
            "`{key}` must be a duration such as `45m`, not {}",
            node.kind()
        )),
    };
    match result {
        Ok(d) => Some(d),
        Err(msg) => {
            f.error(
                node,
                "bad-duration",
                msg,
                format!("write `{key}: 45m`, `{key}: 1h30m` or `{key}: \"01:30\"`"),
            );
            None
        }
    }
}

/// A room or track as a talk names it, with its slug.
struct Named {
    name: String,
    slug: String,
    node: Node,
}

/// A speaker as a talk names them, with the keys they are looked up by.
struct SpeakerName {
    name: String,
    lower: String,
    slug: String,
}

/// A talk as read, before rooms, tracks and speakers are linked. The
/// names' keys are made here, on all cores, not while linking.
struct RawTalk<'a> {
    talk: Talk,
    doc: &'a Document,
    room: Option<Named>,
    track: Option<Named>,
    speakers: Vec<SpeakerName>,
    scheduled: Option<(
        chrono::DateTime<chrono_tz::Tz>,
        chrono::DateTime<chrono_tz::Tz>,
    )>,
}

fn talk<'a>(
    doc: &'a Document,
    conf: &Conference,
    diagnostics: &mut Diagnostics,
) -> Option<RawTalk<'a>> {
    let mut f = Fields::new(doc, diagnostics);
    let slug = file_slug(&mut f, "talks");
    let title = f.required("title", "add `title: \"...\"` to the front matter");
    let speakers: Vec<SpeakerName> = f
        .string_list("speakers")
        .into_iter()
        .map(|(name, _)| SpeakerName {
            lower: name.to_lowercase(),
            slug: slugify(&name),
            name,
        })
        .collect();
    let named = |(name, node): (String, Node)| Named {
        slug: slugify(&name),
        name,
        node,
    };
    let room = f.string("room").zip(f.get("room").cloned()).map(named);
    let track = f.string("track").zip(f.get("track").cloned()).map(named);
    let kind = f.string("type").unwrap_or_else(|| "talk".into());
    let language = f.string("language");
    let slides = f.url("slides");
    let video = f.url("video");
    let links = f.links("links");
    let status = match f.get("status") {
        None => Status::Confirmed,
        Some(node) => match f.string("status").as_deref() {
            Some("confirmed") => Status::Confirmed,
            Some("cancelled") | Some("canceled") => Status::Cancelled,
            Some(other) => {
                f.error(
                    node,
                    "bad-value",
                    format!("`status` must be `confirmed` or `cancelled`, not `{other}`"),
                    "write `status: cancelled` to keep a talk in the feeds as cancelled",
                );
                Status::Confirmed
            }
            None => Status::Confirmed,
        },
    };
    let draft = f.bool("draft").unwrap_or(false);
    let tz = conf.timezone;
    let start = f
        .scalar("start")
        .and_then(|(s, node)| match time::parse_datetime(&s, tz) {
            Ok(p) => {
                if let Some(w) = p.warning {
                    f.warning(
                        node,
                        "ambiguous-time",
                        w,
                        "add an explicit offset to say which one you mean",
                    );
                }
                Some(p.at)
            }
            Err(msg) => {
                let hint = if msg.contains("does not exist") {
                    "the clocks skip this hour on that day: move the talk out of the gap, or give an explicit offset such as `+01:00`"
                } else {
                    "write `start: 2025-04-26 12:15` in the conference's time zone"
                };
                f.error(node, "bad-time", msg, hint);
                None
            }
        });
    let has_start_key = f.get("start").is_some();
    let end_given = f.get("end").is_some();
    let duration = duration_field(&mut f, "duration");
    if end_given && f.get("duration").is_some() {
        let node = f.get("duration").cloned().expect("present");
        f.error(
            &node,
            "end-and-duration",
            "give either `end` or `duration`, not both",
            "remove one of the two lines",
        );
    }
    let end = match (start, end_given) {
        (Some(start), true) => {
            f.scalar("end")
                .and_then(|(s, node)| match time::parse_end(&s, start, tz) {
                    Ok(p) => {
                        if let Some(w) = p.warning {
                            f.warning(
                                node,
                                "ambiguous-time",
                                w,
                                "add an explicit offset to say which one you mean",
                            );
                        }
                        Some(p.at)
                    }
                    Err(msg) => {
                        let hint = if msg.contains("does not exist") {
                            "the clocks skip this hour on that day: end the talk outside the gap, or give an explicit offset"
                        } else {
                            "write `end: 13:00` (a time after the start) or a full date and time"
                        };
                        f.error(node, "bad-time", msg, hint);
                        None
                    }
                })
        }
        (Some(start), false) => match duration.or(conf.default_duration) {
            Some(d) => Some(start + d),
            None if f.get("duration").is_some() => None,
            None => {
                let node = f.get("start").cloned().expect("present");
                f.error(&node, "no-end", "the talk has a start but no end", "add `duration: 45m` or `end: 13:00`, or set `default_duration` in conference.yaml");
                None
            }
        },
        _ => None,
    };
    let mut scheduled = None;
    if let (Some(start), Some(end)) = (start, end) {
        if end <= start {
            let node = f
                .get("end")
                .or(f.get("duration"))
                .cloned()
                .expect("an end was given");
            f.error(
                &node,
                "end-before-start",
                format!(
                    "the talk ends ({}) before it starts ({})",
                    end.format("%Y-%m-%d %H:%M"),
                    start.format("%Y-%m-%d %H:%M")
                ),
                "check the times; a talk past midnight can give `end` as a full date and time",
            );
        } else {
            scheduled = Some((start, end));
        }
    }
    if scheduled.is_some() && room.is_none() {
        let node = f.get("start").cloned().expect("present");
        f.error(
            &node,
            "no-room",
            "a scheduled talk needs a `room`",
            "add `room: ...` with one of the conference's rooms",
        );
    }
    let extra = f.extra(TALK_KEYS);
    let abstract_ = doc.body_text(conf.raw_html);
    let failed = f.diagnostics.has_errors();
    if failed || (has_start_key && scheduled.is_none()) {
        return None;
    }
    Some(RawTalk {
        talk: Talk {
            slug: slug?,
            title: title?,
            speakers: Vec::new(),
            slot: None,
            room: None,
            track: None,
            kind,
            language,
            slides,
            video,
            links,
            status,
            draft,
            abstract_,
            source: doc.path.clone(),
            extra,
        },
        doc,
        room,
        track,
        speakers,
        scheduled,
    })
}

/// The slug from the file name; a name that is not already a clean slug warns.
fn file_slug(f: &mut Fields, folder: &str) -> Option<String> {
    let stem = f.doc.stem.clone();
    let slug = slugify(&stem);
    if slug.is_empty() {
        let node = f.node.clone();
        f.error(
            &node,
            "bad-file-name",
            format!("`{stem}.md` has no letters or digits to make a slug from"),
            "rename the file, for example `my-talk.md`",
        );
        return None;
    }
    if slug != stem {
        // A name with nothing to make a slug from gets one made up; suggest a
        // better one from the title.
        let suggestion = if stem.chars().any(char::is_alphanumeric) {
            slug.clone()
        } else {
            ["title", "name"]
                .iter()
                .find_map(|k| match f.doc.get(k).map(|n| &n.value) {
                    Some(Value::String(t)) => Some(slugify(t)),
                    _ => None,
                })
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| slug.clone())
        };
        let d = Diagnostic::warning(
            "file-name",
            format!(
                "the file name `{stem}.md` is not a clean slug; its page will be {folder}/{slug}/"
            ),
        )
        .in_file(&f.doc.path)
        .at(&f.doc.text, 1, 1)
        .with_help(format!(
            "rename the file to `{suggestion}.md` (lower-case letters, digits and hyphens)"
        ));
        f.diagnostics.push(d);
    }
    Some(slug)
}

fn speaker(
    doc: &Document,
    conf: &Conference,
    content: &Content,
    diagnostics: &mut Diagnostics,
) -> Option<Speaker> {
    let mut f = Fields::new(doc, diagnostics);
    let slug = file_slug(&mut f, "speakers");
    let name = f.required("name", "add `name: Full Name` to the front matter");
    let affiliation = f.string("affiliation");
    let photo = f.string("photo").and_then(|p| {
        let node = f.get("photo").cloned().expect("present");
        photo_path(&mut f, &p, &node, content)
    });
    let links = f.links("links");
    let extra = f.extra(SPEAKER_KEYS);
    Some(Speaker {
        slug: slug?,
        name: name?,
        affiliation,
        photo,
        links,
        bio: doc.body_text(conf.raw_html),
        talks: Vec::new(),
        source: Some(doc.path.clone()),
        extra,
    })
}

/// A photo path must stay inside content/static and name a file there.
fn photo_path(f: &mut Fields, p: &str, node: &Node, content: &Content) -> Option<String> {
    let clean = p.trim_start_matches("./");
    let escapes = clean.starts_with('/')
        || clean.starts_with('\\')
        || clean.contains(':')
        || clean.split(['/', '\\']).any(|c| c == "..");
    if escapes {
        f.error(node, "photo-outside", format!("the photo path `{p}` leaves content/static"), "put the photo in content/static/ and give its path relative to that folder, e.g. `photo: speakers/ada.jpg`");
        return None;
    }
    if content.outside_static.iter().any(|s| s == clean) {
        f.error(
            node,
            "photo-outside",
            format!("the photo `{p}` is a link that leads out of content/static"),
            format!("copy the picture itself to content/static/{clean} instead of linking to it"),
        );
        return None;
    }
    if content.static_files.iter().any(|s| s.path == clean) {
        Some(clean.to_string())
    } else {
        f.warning(
            node,
            "photo-missing",
            format!("the photo `{p}` is not in content/static"),
            format!("add the file as content/static/{clean}; the page is built without a photo"),
        );
        None
    }
}

fn page(doc: &Document, conf: &Conference, diagnostics: &mut Diagnostics) -> Option<Page> {
    let mut f = Fields::new(doc, diagnostics);
    let slug = file_slug(&mut f, "pages");
    let title = f.required("title", "add `title: ...` to the front matter");
    let extra = f.extra(PAGE_KEYS);
    Some(Page {
        slug: slug?,
        title: title?,
        body: doc.body_text(conf.raw_html),
        source: doc.path.clone(),
        extra,
    })
}

/// Links talks to rooms, tracks and speakers by name.
struct Linker {
    rooms: Vec<Room>,
    rooms_declared: bool,
    tracks: Vec<Track>,
    speakers: Vec<Speaker>,
    day_change: NaiveTime,
    /// Lower-cased name and slug -> speaker.
    speaker_index: HashMap<String, SpeakerId>,
    /// Slug -> room, track (the first of that slug).
    room_index: HashMap<String, RoomId>,
    track_index: HashMap<String, TrackId>,
}

impl Linker {
    fn index(&mut self) {
        for (id, s) in self.speakers.iter().enumerate() {
            self.speaker_index.insert(s.name.to_lowercase(), id);
            self.speaker_index.entry(s.slug.clone()).or_insert(id);
        }
        for (id, r) in self.rooms.iter().enumerate() {
            self.room_index.entry(r.slug.clone()).or_insert(id);
        }
        for (id, t) in self.tracks.iter().enumerate() {
            self.track_index.entry(t.slug.clone()).or_insert(id);
        }
    }

    /// The speaker with this name (by name, case-insensitive, or by slug); a
    /// name with no profile gets a speaker built from the name alone.
    fn speaker(&mut self, named: &SpeakerName) -> SpeakerId {
        if let Some(&id) = self.speaker_index.get(&named.lower) {
            return id;
        }
        if let Some(&id) = self.speaker_index.get(&named.slug) {
            return id;
        }
        let id = self.speakers.len();
        self.speakers.push(Speaker {
            slug: named.slug.clone(),
            name: named.name.clone(),
            affiliation: None,
            photo: None,
            links: Vec::new(),
            bio: Text::default(),
            talks: Vec::new(),
            source: None,
            extra: Extra::new(),
        });
        self.speaker_index.insert(named.lower.clone(), id);
        self.speaker_index.insert(named.slug.clone(), id);
        id
    }

    /// Sets the talk's room, track and slot.
    fn link(&mut self, raw: &mut RawTalk, diagnostics: &mut Diagnostics) {
        // The names stay in the raw talk, freed with it on all cores.
        let RawTalk {
            talk,
            room,
            track,
            scheduled,
            doc,
            ..
        } = raw;
        let doc = *doc;
        if let Some(Named { name, slug, node }) = room {
            match self.room_index.get(slug).copied() {
                Some(id) => talk.room = Some(id),
                None if self.rooms_declared => {
                    let hint = match closest(name, self.rooms.iter().map(|r| r.name.as_str())) {
                        Some(c) => format!("did you mean `{c}`? The rooms are listed in conference.yaml"),
                        None => format!(
                            "use one of the rooms listed in conference.yaml ({}), or add this one there",
                            self.rooms.iter().map(|r| r.name.as_str()).collect::<Vec<_>>().join(", ")
                        ),
                    };
                    let d = Diagnostic::error("unknown-room", format!("unknown room `{name}`"))
                        .in_file(&doc.path)
                        .with_help(hint)
                        .at(&doc.text, node.line, node.column);
                    diagnostics.push(d);
                }
                None => {
                    self.room_index.insert(slug.clone(), self.rooms.len());
                    self.rooms.push(Room {
                        slug: slug.clone(),
                        name: name.clone(),
                        capacity: None,
                        shared: false,
                        talks: Vec::new(),
                        extra: Extra::new(),
                    });
                    talk.room = Some(self.rooms.len() - 1);
                }
            }
        }
        if let Some(Named { name, slug, node }) = track {
            talk.track = Some(match self.track_index.get(slug).copied() {
                Some(id) => id,
                None => {
                    let declared: Vec<&str> = self.tracks.iter().map(|t| t.name.as_str()).collect();
                    if !declared.is_empty() {
                        let hint = match closest(name, declared.iter().copied()) {
                            Some(c) => format!("did you mean `{c}`?"),
                            None => {
                                "add it to `tracks:` in conference.yaml to give it a colour".into()
                            }
                        };
                        let d = Diagnostic::warning(
                            "unknown-track",
                            format!("track `{name}` is not listed in conference.yaml"),
                        )
                        .in_file(&doc.path)
                        .with_help(hint)
                        .at(&doc.text, node.line, node.column);
                        diagnostics.push(d);
                    }
                    self.track_index.insert(slug.clone(), self.tracks.len());
                    self.tracks.push(Track {
                        slug: slug.clone(),
                        name: name.clone(),
                        color: None,
                        talks: Vec::new(),
                        extra: Extra::new(),
                    });
                    self.tracks.len() - 1
                }
            });
        }
        if let (Some((start, end)), Some(_)) = (*scheduled, talk.room) {
            talk.slot = Some(Slot {
                start,
                end,
                day: time::event_day(&start, self.day_change),
            });
        }
    }
}
