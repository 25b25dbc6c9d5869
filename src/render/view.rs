//! The theme API: plain serialisable views of the programme that templates
//! see. Built once per render from the model; every URL in them is relative
//! to the site root (`talks/x/index.html`), and templates prefix it with the
//! page's `root` (`../../`), so the site works under any path and from disk.

use super::grid;
use crate::model::{self, Programme, Slot, Talk, TalkId};
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use chrono_tz::Tz;
use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::HashMap;
use tera::Value;

/// Characters escaped in a static file's path when it becomes a URL.
const PATH_SET: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}');

/// A feed offered twice: downloaded from a relative URL, or subscribed to
/// with a webcal:// URL (only when the conference has a `base_url`).
#[derive(Debug, Clone, Serialize)]
pub struct Feed {
    /// Relative to the site root: `rooms/room-4.ics`.
    pub url: String,
    /// `webcal://host/path/rooms/room-4.ics`, from `base_url`.
    pub webcal: Option<String>,
}

/// A moment in the conference's zone.
#[derive(Debug, Clone, Serialize)]
pub struct TimeView {
    /// RFC 3339 with the zone's offset: `2017-04-26T12:15:00+02:00`.
    pub iso: String,
    /// The same instant in UTC: `2017-04-26T10:15:00Z`.
    pub utc: String,
    /// Local wall-clock time: `12:15`.
    pub time: String,
    /// Local calendar date: `2017-04-26`.
    pub date: String,
    /// `Wednesday 26 April 2017`.
    pub date_label: String,
    /// `+02:00`.
    pub offset: String,
    /// `CEST` (the zone's abbreviation at that moment).
    pub zone: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DayRef {
    /// `2017-04-25`.
    pub date: String,
    /// `Tuesday 25 April 2017`.
    pub label: String,
    /// `Tuesday 25 April`.
    pub short_label: String,
    /// The HTML id of the day's section on the index: `day-2017-04-25`.
    pub id: String,
    /// The day's own page: `days/2017-04-25/index.html`.
    pub url: String,
    pub feed: Feed,
}

#[derive(Debug, Clone, Serialize)]
pub struct SpeakerRef {
    pub slug: String,
    pub name: String,
    pub affiliation: Option<String>,
    pub url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RoomRef {
    pub slug: String,
    pub name: String,
    pub capacity: Option<u32>,
    pub shared: bool,
    pub url: String,
    /// None when no scheduled talk is in the room.
    pub feed: Option<Feed>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TrackRef {
    pub slug: String,
    pub name: String,
    /// A CSS colour, when the conference gives one.
    pub color: Option<String>,
    /// A CSS class carrying the track colour: `track-impact`.
    pub class: String,
    pub url: String,
    pub feed: Option<Feed>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PageRef {
    pub slug: String,
    pub title: String,
    pub url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct LinkView<'a> {
    pub title: &'a str,
    pub url: &'a str,
}

/// The site-wide facts every page gets as `site`.
#[derive(Debug, Clone, Serialize)]
pub struct SiteView {
    pub title: String,
    pub subtitle: Option<String>,
    pub acronym: String,
    /// BCP 47 tag for `<html lang>`.
    pub language: String,
    /// IANA zone name: `Europe/Rome`.
    pub timezone: String,
    /// Absolute, ending in `/`, when given.
    pub base_url: Option<String>,
    /// The build's timestamp (UTC, RFC 3339).
    pub stamp: String,
    pub days: Vec<DayRef>,
    pub rooms: Vec<RoomRef>,
    pub tracks: Vec<TrackRef>,
    /// `theme/tracks.css`, the stylesheet that gives each track class its
    /// colour; None when no track has a colour.
    pub tracks_css: Option<String>,
    pub pages: Vec<PageRef>,
    pub talk_count: usize,
    pub scheduled_count: usize,
    pub unscheduled_count: usize,
    pub speaker_count: usize,
    /// Every scheduled talk: `schedule.ics`.
    pub feed: Feed,
    /// `schedule.json` (frab / c3voc).
    pub schedule_json: String,
    /// `schedule.xml` (frab).
    pub schedule_xml: String,
    /// Unknown keys of conference.yaml.
    pub extra: model::Extra,
}

/// One talk, as every template sees it (lists, the grid and its own page).
/// It borrows from the programme: it only lives while it is turned into a
/// template value.
#[derive(Debug, Clone, Serialize)]
pub struct TalkView<'a> {
    pub slug: &'a str,
    /// `talks/<slug>/index.html`.
    pub url: String,
    pub title: &'a str,
    /// `talk`, `keynote`, `workshop`, `break`, ...
    pub kind: &'a str,
    /// `confirmed` or `cancelled`.
    pub status: &'static str,
    pub cancelled: bool,
    pub is_break: bool,
    pub draft: bool,
    pub scheduled: bool,
    /// Each a `SpeakerRef`.
    pub speakers: Vec<Value>,
    /// A `RoomRef`.
    pub room: Option<Value>,
    /// A `TrackRef`.
    pub track: Option<Value>,
    pub language: Option<&'a str>,
    /// The event day, a `DayRef` (a talk at 01:00 belongs to the day before).
    pub day: Option<Value>,
    /// A `TimeView`.
    pub start: Option<Value>,
    /// A `TimeView`.
    pub end: Option<Value>,
    pub minutes: Option<i64>,
    /// True when the talk starts on the calendar day after its event day.
    pub after_midnight: bool,
    /// True when it ends on a later calendar date than it starts.
    pub ends_next_day: bool,
    /// The abstract, as sanitised HTML (print with `| safe`).
    pub abstract_html: &'a str,
    pub slides: Option<&'a str>,
    pub video: Option<&'a str>,
    pub links: Vec<LinkView<'a>>,
    /// `talks/<slug>.ics` for a scheduled talk.
    pub feed: Option<Feed>,
    /// Unknown front-matter keys.
    pub extra: &'a model::Extra,
}

/// A speaker's page.
#[derive(Debug, Clone, Serialize)]
pub struct SpeakerView<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub affiliation: Option<&'a str>,
    pub url: String,
    /// Relative to the site root, URL-encoded.
    pub photo: Option<String>,
    pub bio_html: &'a str,
    pub links: Vec<LinkView<'a>>,
    /// Their talks (each a `TalkView`).
    pub talks: Vec<Value>,
    pub feed: Option<Feed>,
    pub extra: &'a model::Extra,
}

/// A room's or track's page.
#[derive(Debug, Clone, Serialize)]
pub struct GroupView<R: Serialize> {
    #[serde(flatten)]
    pub info: R,
    pub talks: Vec<Value>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PageView {
    pub slug: String,
    pub title: String,
    pub url: String,
    pub body_html: String,
    pub extra: model::Extra,
}

/// Everything derived once from the programme, shared by all pages.
pub struct Views {
    pub site: Value,
    pub site_view: SiteView,
    /// One per talk, indexed by `TalkId`.
    pub talks: Vec<Value>,
    /// One `SpeakerView` per speaker, indexed like `Programme::speakers`;
    /// shared by the speaker pages and the speakers' index.
    pub speakers: Vec<Value>,
    /// Previous and next talk in the same room, indexed by `TalkId`.
    pub neighbours: Vec<(Option<TalkId>, Option<TalkId>)>,
    pub days: Vec<grid::DayGrid>,
}

/// Turns a root-relative URL into an absolute webcal:// one.
fn webcal(base: Option<&str>, path: &str) -> Option<String> {
    let base = base?;
    let rest = base
        .strip_prefix("https://")
        .or_else(|| base.strip_prefix("http://"))?;
    Some(format!("webcal://{rest}{path}"))
}

fn feed(base: Option<&str>, path: String) -> Feed {
    Feed {
        webcal: webcal(base, &path),
        url: path,
    }
}

pub fn time_view(t: DateTime<Tz>) -> TimeView {
    TimeView {
        iso: t.to_rfc3339_opts(SecondsFormat::Secs, false),
        utc: utc(t.with_timezone(&Utc)),
        time: t.format("%H:%M").to_string(),
        date: t.format("%Y-%m-%d").to_string(),
        date_label: t.format("%A %-d %B %Y").to_string(),
        offset: t.format("%:z").to_string(),
        zone: t.format("%Z").to_string(),
    }
}

/// The `TimeView` of every instant a talk starts or ends at, each made once.
fn time_values(p: &Programme) -> HashMap<DateTime<Tz>, Value> {
    let mut instants: Vec<DateTime<Tz>> = p
        .talks
        .iter()
        .filter_map(|t| t.slot.as_ref())
        .flat_map(|s| [s.start, s.end])
        .collect();
    instants.sort_unstable();
    instants.dedup();
    instants
        .into_par_iter()
        .map(|t| (t, Value::from_serializable(&time_view(t))))
        .collect()
}

pub fn utc(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

pub fn day_ref(date: NaiveDate, base: Option<&str>) -> DayRef {
    let d = date.format("%Y-%m-%d").to_string();
    DayRef {
        label: date.format("%A %-d %B %Y").to_string(),
        short_label: date.format("%A %-d %B").to_string(),
        id: format!("day-{d}"),
        url: format!("days/{d}/index.html"),
        feed: feed(base, format!("days/{d}.ics")),
        date: d,
    }
}

/// A static file's path as a URL path.
pub fn static_url(path: &str) -> String {
    utf8_percent_encode(path, PATH_SET).to_string()
}

fn links(links: &[model::Link]) -> Vec<LinkView<'_>> {
    links
        .iter()
        .map(|l| LinkView {
            title: &l.title,
            url: &l.url,
        })
        .collect()
}

impl Views {
    pub fn new(p: &Programme, stamp: DateTime<Utc>) -> Views {
        let c = &p.conference;
        let base = c.base_url.as_deref();
        let has_scheduled = |ids: &[TalkId]| ids.iter().any(|&t| p.talks[t].is_scheduled());
        let rooms: Vec<RoomRef> = p
            .rooms
            .iter()
            .map(|r| RoomRef {
                slug: r.slug.clone(),
                name: r.name.clone(),
                capacity: r.capacity,
                shared: r.shared,
                url: format!("rooms/{}/index.html", r.slug),
                feed: has_scheduled(&r.talks).then(|| feed(base, format!("rooms/{}.ics", r.slug))),
            })
            .collect();
        let tracks: Vec<TrackRef> = p
            .tracks
            .iter()
            .map(|t| TrackRef {
                slug: t.slug.clone(),
                name: t.name.clone(),
                color: t.color.clone(),
                class: format!("track-{}", t.slug),
                url: format!("tracks/{}/index.html", t.slug),
                feed: has_scheduled(&t.talks).then(|| feed(base, format!("tracks/{}.ics", t.slug))),
            })
            .collect();
        let speakers: Vec<SpeakerRef> = p
            .speakers
            .iter()
            .map(|s| SpeakerRef {
                slug: s.slug.clone(),
                name: s.name.clone(),
                affiliation: s.affiliation.clone(),
                url: format!("speakers/{}/index.html", s.slug),
            })
            .collect();
        let day_refs: Vec<DayRef> = p.days.iter().map(|d| day_ref(d.date, base)).collect();
        let scheduled_count = p.talks.iter().filter(|t| t.is_scheduled()).count();
        let site_view = SiteView {
            title: c.title.clone(),
            subtitle: c.subtitle.clone(),
            acronym: c.acronym.clone(),
            language: c.language.clone(),
            timezone: c.timezone.name().to_string(),
            base_url: c.base_url.clone(),
            stamp: utc(stamp),
            days: day_refs.clone(),
            rooms: rooms.clone(),
            tracks_css: tracks
                .iter()
                .any(|t| t.color.is_some())
                .then(|| super::TRACKS_CSS.to_string()),
            tracks: tracks.clone(),
            pages: p
                .pages
                .iter()
                .map(|pg| PageRef {
                    slug: pg.slug.clone(),
                    title: pg.title.clone(),
                    url: format!("pages/{}/index.html", pg.slug),
                })
                .collect(),
            talk_count: p.talks.len(),
            scheduled_count,
            unscheduled_count: p.talks.len() - scheduled_count,
            speaker_count: p.speakers.len(),
            feed: feed(base, "schedule.ics".to_string()),
            schedule_json: "schedule.json".to_string(),
            schedule_xml: "schedule.xml".to_string(),
            extra: c.extra.clone(),
        };
        let day_index: HashMap<NaiveDate, usize> = p
            .days
            .iter()
            .enumerate()
            .map(|(i, d)| (d.date, i))
            .collect();
        let ctx = TalkCtx {
            base,
            rooms: rooms.iter().map(Value::from_serializable).collect(),
            tracks: tracks.iter().map(Value::from_serializable).collect(),
            speakers: speakers.iter().map(Value::from_serializable).collect(),
            days: day_refs.iter().map(Value::from_serializable).collect(),
            day_index: &day_index,
            times: time_values(p),
        };
        let talks: Vec<Value> = p
            .talks
            .par_iter()
            .map(|t| Value::from_serializable(&ctx.talk(t)))
            .collect();
        let mut neighbours = vec![(None, None); p.talks.len()];
        for room in &p.rooms {
            for (i, &id) in room.talks.iter().enumerate() {
                let prev = i.checked_sub(1).map(|j| room.talks[j]);
                neighbours[id] = (prev, room.talks.get(i + 1).copied());
            }
        }
        let days = p
            .days
            .par_iter()
            .map(|d| grid::DayGrid::new(p, d))
            .collect();
        let mut views = Views {
            site: Value::from_serializable(&site_view),
            site_view,
            talks,
            speakers: Vec::new(),
            neighbours,
            days,
        };
        views.speakers = (0..p.speakers.len())
            .into_par_iter()
            .map(|s| Value::from_serializable(&views.speaker(p, s)))
            .collect();
        views
    }

    /// Frees the views on every core: they are many small allocations, and
    /// freeing them on one thread would be a serial tail of the render.
    pub fn par_drop(self) {
        let Views {
            talks,
            speakers,
            days,
            ..
        } = self;
        rayon::join(
            || talks.into_par_iter().with_min_len(256).for_each(drop),
            || {
                speakers.into_par_iter().with_min_len(256).for_each(drop);
                drop(days);
            },
        );
    }

    pub fn talk_values(&self, ids: &[TalkId]) -> Vec<Value> {
        ids.iter().map(|&i| self.talks[i].clone()).collect()
    }

    pub fn speaker<'a>(&self, p: &'a Programme, id: usize) -> SpeakerView<'a> {
        let s = &p.speakers[id];
        let base = p.conference.base_url.as_deref();
        SpeakerView {
            slug: &s.slug,
            name: &s.name,
            affiliation: s.affiliation.as_deref(),
            url: format!("speakers/{}/index.html", s.slug),
            photo: s.photo.as_deref().map(static_url),
            bio_html: &s.bio.html,
            links: links(&s.links),
            talks: self.talk_values(&s.talks),
            feed: s
                .talks
                .iter()
                .any(|&t| p.talks[t].is_scheduled())
                .then(|| feed(base, format!("speakers/{}.ics", s.slug))),
            extra: &s.extra,
        }
    }

    pub fn page(&self, p: &Programme, id: usize) -> PageView {
        let pg = &p.pages[id];
        PageView {
            slug: pg.slug.clone(),
            title: pg.title.clone(),
            url: format!("pages/{}/index.html", pg.slug),
            body_html: pg.body.html.clone(),
            extra: pg.extra.clone(),
        }
    }
}

/// Lookups shared while building talk views.
/// Rooms, tracks, speakers and days are converted to template values once
/// and shared (reference counted) by every talk that names them.
struct TalkCtx<'a> {
    base: Option<&'a str>,
    rooms: Vec<Value>,
    tracks: Vec<Value>,
    speakers: Vec<Value>,
    days: Vec<Value>,
    day_index: &'a HashMap<NaiveDate, usize>,
    /// Every talk's start and end as a `TimeView`, made once per distinct
    /// instant (talks share their slot times).
    times: HashMap<DateTime<Tz>, Value>,
}

impl TalkCtx<'_> {
    fn talk<'a>(&self, t: &'a Talk) -> TalkView<'a> {
        let slot: Option<&Slot> = t.slot.as_ref();
        TalkView {
            slug: &t.slug,
            url: format!("talks/{}/index.html", t.slug),
            title: &t.title,
            kind: &t.kind,
            status: t.status.as_str(),
            cancelled: t.is_cancelled(),
            is_break: t.is_break(),
            draft: t.draft,
            scheduled: slot.is_some(),
            speakers: t
                .speakers
                .iter()
                .map(|&s| self.speakers[s].clone())
                .collect(),
            room: t.room.map(|r| self.rooms[r].clone()),
            track: t.track.map(|r| self.tracks[r].clone()),
            language: t.language.as_deref(),
            day: slot.and_then(|s| self.day_index.get(&s.day).map(|&i| self.days[i].clone())),
            start: slot.map(|s| self.times[&s.start].clone()),
            end: slot.map(|s| self.times[&s.end].clone()),
            minutes: slot.map(|s| s.duration().num_minutes()),
            after_midnight: slot.is_some_and(|s| s.start.date_naive() != s.day),
            ends_next_day: slot.is_some_and(|s| s.end.date_naive() != s.start.date_naive()),
            abstract_html: &t.abstract_.html,
            slides: t.slides.as_deref(),
            video: t.video.as_deref(),
            links: links(&t.links),
            feed: slot.map(|_| feed(self.base, format!("talks/{}.ics", t.slug))),
            extra: &t.extra,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn webcal_from_base_url() {
        assert_eq!(
            webcal(Some("https://example.org/c/"), "schedule.ics").as_deref(),
            Some("webcal://example.org/c/schedule.ics")
        );
        assert_eq!(
            webcal(Some("http://x.test/"), "a.ics").as_deref(),
            Some("webcal://x.test/a.ics")
        );
        assert_eq!(webcal(None, "a.ics"), None);
    }

    #[test]
    fn times_carry_their_offset() {
        let t = chrono_tz::Europe::Rome
            .with_ymd_and_hms(2017, 4, 26, 12, 15, 0)
            .unwrap();
        let v = time_view(t);
        assert_eq!(v.iso, "2017-04-26T12:15:00+02:00");
        assert_eq!(v.utc, "2017-04-26T10:15:00Z");
        assert_eq!(v.time, "12:15");
        assert_eq!(v.offset, "+02:00");
        assert_eq!(v.date_label, "Wednesday 26 April 2017");
    }

    #[test]
    fn static_paths_are_encoded() {
        assert_eq!(
            static_url("people/ada lovelace.jpg"),
            "people/ada%20lovelace.jpg"
        );
        assert_eq!(static_url("a#b?.png"), "a%23b%3F.png");
    }
}
