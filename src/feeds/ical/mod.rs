//! iCalendar feeds (RFC 5545): schedule.ics and one feed per talk, speaker,
//! room, track and day. This module decides which feeds exist and what each
//! event says; `rfc5545` writes the bytes, `vtimezone` the time zone and
//! `sequence` carries revisions from the previously published feed.
//! Each talk's VEVENT is written once (remembered between builds when
//! rebuilding, under a hash of everything it shows) and every feed holding
//! the talk copies it.

pub mod rfc5545;
pub mod sequence;
pub mod vtimezone;

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::incremental::fragments::{self, Fragments};
use crate::model::{Programme, Slot, Talk, TalkId};
use crate::output::Sink;
use crate::{Env, Renderer};
use chrono::{DateTime, LocalResult, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use rayon::prelude::*;
use rfc5545::{local_datetime, utc_datetime, ContentLine, Writer};
use sequence::{date_key, Fingerprint, Previous, Revision};
use std::sync::Arc;

/// How often a subscribed calendar should fetch the feed again.
pub const REFRESH_INTERVAL: &str = "PT1H";

/// The longest run of whitespace kept inside a description line; longer runs
/// are shortened so that lines can always be folded after a visible character.
const MAX_SPACE_RUN: usize = 8;

pub struct Ical;

impl Renderer for Ical {
    fn name(&self) -> &'static str {
        "ical"
    }

    fn render(&self, programme: &Programme, env: &Env, sink: &dyn Sink) -> Result<(), Diagnostics> {
        feeds(
            programme,
            env.stamp,
            &env.previous_feed,
            env.fragments.as_ref(),
            sink,
        )
    }
}

/// Reads the previous feed's text once per build (when rebuilding, once
/// per text: `memo` keeps what the same text gave). When it cannot be read
/// as a calendar, the warning to report: SEQUENCE numbers then start again
/// from 0, which organisers must know.
pub fn previous_feed(
    text: &str,
    memo: Option<&Fragments>,
) -> Result<Arc<Previous>, Box<Diagnostic>> {
    let parsed = fragments::piece(
        memo,
        || fragments::key("previous feed", text),
        || parse_previous(text).map(Arc::new),
    );
    (*parsed).clone()
}

fn parse_previous(text: &str) -> Result<Previous, Box<Diagnostic>> {
    Previous::parse(text).map_err(|e| {
        Box::new(
            Diagnostic::warning(
                "previous-feed",
                format!(
                    "the previously published schedule.ics cannot be read ({}); SEQUENCE numbers \
                 start again from 0, so calendars that imported it may keep stale copies of \
                 changed sessions",
                    e.message
                ),
            )
            .at(text, e.line, 1)
            .with_help(
                "pass the feed as it was published with `--previous-feed FILE`, or delete the \
             broken file to start afresh",
            ),
        )
    })
}

/// Every feed of the programme.
pub fn feeds(
    p: &Programme,
    stamp: DateTime<Utc>,
    previous: &Previous,
    fragments: Option<&Arc<Fragments>>,
    sink: &dyn Sink,
) -> Result<(), Diagnostics> {
    let conf = &p.conference;
    let tz = conf.timezone;
    let zone = vtimezone::vtimezone(tz, &spans(p, stamp));
    let memo = fragments.map(|f| f.as_ref());
    let events: Vec<Option<Arc<String>>> = p
        .talks
        .par_iter()
        .with_min_len(8)
        .map(|t| {
            let slot = t.slot?;
            let inputs = VeventInputs::of(p, t, &slot, stamp, previous);
            Some(fragments::piece(
                memo,
                || fragments::key("vevent", &inputs),
                || vevent(&inputs),
            ))
        })
        .collect();

    // Every feed as (path, name, description, talks), assembled in parallel.
    let title = &conf.title;
    let all: Vec<TalkId> = p.scheduled().map(|(id, _)| id).collect();
    let ids: Vec<TalkId> = (0..p.talks.len()).collect();
    let desc = match &conf.subtitle {
        Some(s) => format!("Every session of {title} ({s})"),
        None => format!("Every session of {title}"),
    };
    let mut jobs: Vec<(String, String, String, &[TalkId])> = Vec::with_capacity(
        1 + p.talks.len() + p.speakers.len() + p.rooms.len() + p.tracks.len() + p.days.len(),
    );
    jobs.push(("schedule.ics".into(), title.clone(), desc, &all));
    for (id, t) in p.scheduled() {
        jobs.push((
            format!("talks/{}.ics", t.slug),
            format!("{} ({title})", single_line(&t.title)),
            format!("{} at {title}", single_line(&t.title)),
            &ids[id..id + 1],
        ));
    }
    for s in &p.speakers {
        jobs.push((
            format!("speakers/{}.ics", s.slug),
            format!("{} at {title}", single_line(&s.name)),
            format!("Sessions with {} at {title}", single_line(&s.name)),
            &s.talks,
        ));
    }
    for r in &p.rooms {
        jobs.push((
            format!("rooms/{}.ics", r.slug),
            format!("{title}: {}", single_line(&r.name)),
            format!("Sessions in {} at {title}", single_line(&r.name)),
            &r.talks,
        ));
    }
    for tr in &p.tracks {
        jobs.push((
            format!("tracks/{}.ics", tr.slug),
            format!("{title}: {}", single_line(&tr.name)),
            format!("Sessions of the {} track at {title}", single_line(&tr.name)),
            &tr.talks,
        ));
    }
    for d in &p.days {
        let day = long_date(d.date);
        jobs.push((
            format!("days/{}.ics", d.date.format("%Y-%m-%d")),
            format!("{title}: {day}"),
            format!("Sessions on {day} at {title}"),
            &d.talks,
        ));
    }
    // Each feed goes to the sink as soon as it is assembled.
    let results: Vec<Result<(), String>> = jobs
        .into_par_iter()
        .with_min_len(16)
        .map(|(path, name, desc, talks)| {
            let events_len: usize = talks
                .iter()
                .filter_map(|&id| events.get(id).and_then(Option::as_ref))
                .map(|e| e.len())
                .sum();
            let mut w = Writer::with_capacity(1024 + zone.len() + events_len);
            header(&mut w, p, &path, &name, &desc);
            w.block(&zone);
            for &id in talks {
                if let Some(Some(e)) = events.get(id) {
                    w.block(e);
                }
            }
            w.raw("END", "VCALENDAR");
            sink.put(path, w.finish().into_bytes())
        })
        .collect();
    let clashes: Vec<Diagnostic> = results
        .into_iter()
        .filter_map(Result::err)
        .map(|path| {
            Diagnostic::error("output-clash", format!("two feeds claim the path `{path}`"))
                .with_help("give the rooms, tracks or speakers distinct names")
        })
        .collect();
    if clashes.is_empty() {
        Ok(())
    } else {
        Err(Diagnostics(clashes))
    }
}

/// The instants the VTIMEZONE must cover: from the first start to the last
/// end (the build stamp when nothing is scheduled).
/// Sessions further apart than this get separate stretches of VTIMEZONE
/// observances, so a mistyped year costs two short scans, not decades.
const SPAN_GAP_DAYS: i64 = 90;

/// The stretches of time the feeds' local times fall in: the scheduled
/// sessions grouped where they lie close together (the build stamp when
/// nothing is scheduled), in order.
fn spans(p: &Programme, stamp: DateTime<Utc>) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let mut slots: Vec<(DateTime<Utc>, DateTime<Utc>)> = p
        .talks
        .iter()
        .filter_map(|t| t.slot.as_ref())
        .map(|s| (s.start_utc(), s.end_utc()))
        .collect();
    slots.sort_unstable();
    let mut spans: Vec<(DateTime<Utc>, DateTime<Utc>)> = Vec::new();
    for (start, end) in slots {
        match spans.last_mut() {
            Some(last) if start - last.1 <= chrono::Duration::days(SPAN_GAP_DAYS) => {
                last.1 = last.1.max(end);
            }
            _ => spans.push((start, end)),
        }
    }
    if spans.is_empty() {
        spans.push((stamp, stamp));
    }
    spans
}

fn header(w: &mut Writer, p: &Programme, path: &str, name: &str, desc: &str) {
    let conf = &p.conference;
    w.raw("BEGIN", "VCALENDAR");
    w.raw("VERSION", "2.0");
    w.raw(
        "PRODID",
        &format!("-//programme//programme {}//EN", env!("CARGO_PKG_VERSION")),
    );
    w.raw("CALSCALE", "GREGORIAN");
    w.raw("METHOD", "PUBLISH");
    w.text("NAME", name);
    w.text("X-WR-CALNAME", name);
    w.text("X-WR-CALDESC", desc);
    w.text("X-WR-TIMEZONE", conf.timezone.name());
    w.raw_with(
        "REFRESH-INTERVAL",
        &[("VALUE", "DURATION")],
        REFRESH_INTERVAL,
    );
    w.raw("X-PUBLISHED-TTL", REFRESH_INTERVAL);
    if let Some(base) = &conf.base_url {
        w.raw_with("SOURCE", &[("VALUE", "URI")], &format!("{base}{path}"));
        w.raw_with("URL", &[("VALUE", "URI")], base);
    }
}

/// A date-time property: local time with the conference's TZID, or UTC for
/// a local time that happens twice when clocks go back. RFC 5545 reads such
/// a local time as its first occurrence, but some clients (khal) take the
/// second, so neither occurrence is left to interpretation.
fn when(t: DateTime<Tz>) -> ContentLine {
    let tz = t.timezone();
    let naive = t.naive_local();
    let unambiguous = match tz.from_local_datetime(&naive) {
        LocalResult::Single(x) => x == t,
        LocalResult::Ambiguous(..) | LocalResult::None => false,
    };
    if unambiguous {
        ContentLine {
            name: String::new(),
            params: vec![("TZID".into(), tz.name().into())],
            value: local_datetime(naive),
        }
    } else {
        ContentLine {
            name: String::new(),
            params: vec![],
            value: utc_datetime(t.with_timezone(&Utc)),
        }
    }
}

fn date_prop(w: &mut Writer, name: &str, line: &ContentLine) {
    let params: Vec<(&str, &str)> = line
        .params
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    w.raw_with(name, &params, &line.value);
}

/// Everything one talk's VEVENT is made from, borrowed from the programme
/// (with the revision carried from the previous feed): the key of a
/// remembered VEVENT is a hash of this, and [`vevent`] reads nothing else.
#[derive(Hash)]
struct VeventInputs<'a> {
    uid: String,
    start: ContentLine,
    end: ContentLine,
    summary: String,
    location: String,
    status: &'static str,
    revision: Revision,
    cancelled: bool,
    /// (name, affiliation)
    speakers: Vec<(&'a str, Option<&'a str>)>,
    abstract_: &'a str,
    slides: Option<&'a str>,
    video: Option<&'a str>,
    /// (title, url)
    links: Vec<(&'a str, &'a str)>,
    /// The talk's page, when the site has a base URL.
    url: Option<String>,
    track: Option<&'a str>,
    kind: &'a str,
}

impl<'a> VeventInputs<'a> {
    fn of(
        p: &'a Programme,
        t: &'a Talk,
        slot: &Slot,
        stamp: DateTime<Utc>,
        previous: &Previous,
    ) -> VeventInputs<'a> {
        let uid = format!("{}@{}", t.slug, p.conference.acronym);
        let start = when(slot.start);
        let end = when(slot.end);
        let summary = single_line(&t.title);
        let location = t
            .room
            .and_then(|r| p.rooms.get(r))
            .map(|r| single_line(&r.name))
            .unwrap_or_default();
        let status = if t.is_cancelled() {
            "CANCELLED"
        } else {
            "CONFIRMED"
        };
        let fingerprint = Fingerprint {
            start: date_key(&start),
            end: date_key(&end),
            location,
            summary,
            status: status.into(),
        };
        let revision = previous.revise(&uid, &fingerprint, stamp);
        VeventInputs {
            uid,
            start,
            end,
            summary: fingerprint.summary,
            location: fingerprint.location,
            status,
            revision,
            cancelled: t.is_cancelled(),
            speakers: t
                .speakers
                .iter()
                .filter_map(|&s| p.speakers.get(s))
                .map(|s| (s.name.as_str(), s.affiliation.as_deref()))
                .collect(),
            abstract_: &t.abstract_.plain,
            slides: t.slides.as_deref(),
            video: t.video.as_deref(),
            links: t
                .links
                .iter()
                .map(|l| (l.title.as_str(), l.url.as_str()))
                .collect(),
            url: page_url(p, t),
            track: t
                .track
                .and_then(|i| p.tracks.get(i))
                .map(|tr| tr.name.as_str()),
            kind: &t.kind,
        }
    }
}

/// One talk's VEVENT, folded.
fn vevent(i: &VeventInputs) -> String {
    let rev = &i.revision;
    let mut w = Writer::with_capacity(1024 + 2 * i.abstract_.len());
    w.raw("BEGIN", "VEVENT");
    w.text("UID", &i.uid);
    w.raw("DTSTAMP", &utc_datetime(rev.stamp));
    date_prop(&mut w, "DTSTART", &i.start);
    date_prop(&mut w, "DTEND", &i.end);
    w.text("SUMMARY", &i.summary);
    if !i.location.is_empty() {
        w.text("LOCATION", &i.location);
    }
    w.text("DESCRIPTION", &description(i));
    if let Some(url) = &i.url {
        w.raw_with("URL", &[("VALUE", "URI")], url);
    }
    let track = i.track.map(single_line);
    let kind = single_line(i.kind);
    let categories: Vec<&str> = track
        .iter()
        .map(String::as_str)
        .chain([kind.as_str()])
        .filter(|c| !c.is_empty())
        .collect();
    if !categories.is_empty() {
        w.text_list("CATEGORIES", &categories);
    }
    w.raw("STATUS", i.status);
    w.raw("SEQUENCE", &rev.sequence.to_string());
    w.raw("LAST-MODIFIED", &utc_datetime(rev.last_modified));
    w.raw("END", "VEVENT");
    w.finish()
}

/// The talk's page, absolute, when the site has a base URL.
fn page_url(p: &Programme, t: &Talk) -> Option<String> {
    p.conference
        .base_url
        .as_ref()
        .map(|base| format!("{base}talks/{}/", t.slug))
}

/// Speakers, the abstract as plain text, and links, in paragraphs. The
/// room and times are not repeated here, so that moving a session changes
/// only the properties that say where and when.
fn description(i: &VeventInputs) -> String {
    let mut parts: Vec<String> = Vec::new();
    if i.cancelled {
        parts.push("This session is cancelled.".into());
    }
    let speakers: Vec<String> = i
        .speakers
        .iter()
        .map(|&(name, affiliation)| match affiliation {
            Some(a) if !a.trim().is_empty() => format!("{} ({})", name.trim(), a.trim()),
            _ => name.trim().to_string(),
        })
        .collect();
    if !speakers.is_empty() {
        let label = if speakers.len() == 1 {
            "Speaker"
        } else {
            "Speakers"
        };
        parts.push(format!("{label}: {}", speakers.join(", ")));
    }
    let abstract_ = i.abstract_.trim();
    if !abstract_.is_empty() {
        parts.push(abstract_.to_string());
    }
    let mut links: Vec<String> = Vec::new();
    if let Some(s) = i.slides {
        links.push(format!("Slides: {s}"));
    }
    if let Some(v) = i.video {
        links.push(format!("Video: {v}"));
    }
    for &(title, url) in &i.links {
        links.push(format!("{}: {}", title.trim(), url));
    }
    if let Some(url) = &i.url {
        links.push(format!("Details: {url}"));
    }
    if !links.is_empty() {
        parts.push(links.join("\n"));
    }
    tidy(&parts.join("\n\n"))
}

/// Text for a one-line property: every run of whitespace (newlines too)
/// becomes one space, and the ends are trimmed.
pub fn single_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Multi-line text: line ends normalised, trailing whitespace of each line
/// removed, runs of whitespace inside a line kept up to a few characters.
pub fn tidy(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    loop {
        let (line, next) = match rest.find(['\r', '\n']) {
            Some(i) => {
                let skip = if rest[i..].starts_with("\r\n") { 2 } else { 1 };
                (&rest[..i], Some(&rest[i + skip..]))
            }
            None => (rest, None),
        };
        let line = line.trim_end();
        if line.is_ascii() && !has_long_space_run(line.as_bytes()) {
            out.push_str(line);
        } else {
            let mut run = 0;
            for c in line.chars() {
                if c.is_whitespace() {
                    run += 1;
                    if run > MAX_SPACE_RUN {
                        continue;
                    }
                } else {
                    run = 0;
                }
                out.push(c);
            }
        }
        match next {
            Some(n) => {
                out.push('\n');
                rest = n;
            }
            None => break,
        }
    }
    let end = out.trim_end().len();
    out.truncate(end);
    let start = out.len() - out.trim_start().len();
    out.drain(..start);
    out
}

/// True when ASCII text holds more than [`MAX_SPACE_RUN`] whitespace characters in a row.
fn has_long_space_run(line: &[u8]) -> bool {
    let mut run = 0;
    for &b in line {
        if b.is_ascii_whitespace() || b == 0x0b {
            run += 1;
            if run > MAX_SPACE_RUN {
                return true;
            }
        } else {
            run = 0;
        }
    }
    false
}

/// `Tuesday 25 April 2017`.
fn long_date(d: NaiveDate) -> String {
    d.format("%A %-d %B %Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition of `tidy`, written plainly.
    fn tidy_reference(s: &str) -> String {
        let normalised = s.replace("\r\n", "\n").replace('\r', "\n");
        let lines: Vec<String> = normalised
            .split('\n')
            .map(|line| {
                let mut out = String::new();
                let mut run = 0;
                for c in line.trim_end().chars() {
                    if c.is_whitespace() {
                        run += 1;
                        if run > MAX_SPACE_RUN {
                            continue;
                        }
                    } else {
                        run = 0;
                    }
                    out.push(c);
                }
                out
            })
            .collect();
        lines.join("\n").trim().to_string()
    }

    proptest::proptest! {
        #[test]
        fn tidy_matches_its_definition(s in "[ a\t\r\n\u{b}\u{a0}\u{2003}é]{0,60}") {
            proptest::prop_assert_eq!(tidy(&s), tidy_reference(&s));
        }
    }

    #[test]
    fn tidy_and_single_line() {
        assert_eq!(single_line("  a\n b\t\tc "), "a b c");
        assert_eq!(tidy("a  \r\nb\rc"), "a\nb\nc");
        assert_eq!(tidy(&format!("x{}y", " ".repeat(20))), "x        y");
    }

    #[test]
    fn local_times_that_happen_twice_are_written_in_utc() {
        let tz: Tz = "Europe/Berlin".parse().unwrap();
        let naive = chrono::NaiveDate::from_ymd_opt(2024, 10, 27)
            .unwrap()
            .and_hms_opt(2, 30, 0)
            .unwrap();
        let (first, second) = match tz.from_local_datetime(&naive) {
            LocalResult::Ambiguous(a, b) => (a, b),
            other => panic!("{other:?}"),
        };
        let a = when(first);
        assert!(a.params.is_empty());
        assert_eq!(a.value, "20241027T003000Z");
        let b = when(second);
        assert!(b.params.is_empty());
        assert_eq!(b.value, "20241027T013000Z");
        let plain = tz
            .from_local_datetime(&(naive + chrono::Duration::hours(1)))
            .unwrap();
        assert_eq!(when(plain).param("TZID"), Some("Europe/Berlin"));
        assert_eq!(when(plain).value, "20241027T033000");
    }
}
