//! The iCalendar feeds, read back: by the `ical` crate's parser, by Python's
//! `icalendar` and by `khal`; times resolved through the included VTIMEZONE;
//! every feed holding exactly the right events; escaping, folding, revisions.

mod common;

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use common::{build_example, build_memory, fixture};
use programme::feeds::ical::rfc5545::{unescape_text, MAX_LINE};
use programme::feeds::ical::{single_line, tidy};
use programme::model::{Programme, TalkId};
use programme::Built;
use std::collections::{BTreeMap, BTreeSet};

const FIXTURES: [&str; 5] = [
    "dst-berlin",
    "after-midnight-ics",
    "odd-text",
    "fold-point",
    "same-title",
];

/// Every .ics file of a build: path -> text.
fn feeds(built: &Built) -> BTreeMap<String, String> {
    built
        .output
        .iter()
        .filter(|(p, _)| p.ends_with(".ics"))
        .map(|(p, b)| {
            let text =
                String::from_utf8(b.to_vec()).unwrap_or_else(|e| panic!("{p} is not UTF-8: {e}"));
            (p.to_string(), text)
        })
        .collect()
}

/// Physical-line rules: CRLF everywhere, at most 75 octets, every line valid
/// UTF-8 on its own, and no line followed by a continuation ends in whitespace.
fn check_lines(path: &str, bytes: &[u8]) {
    assert!(bytes.ends_with(b"\r\n"), "{path}: no final CRLF");
    let body = &bytes[..bytes.len() - 2];
    let lines: Vec<&[u8]> = split_crlf(body);
    for (i, line) in lines.iter().enumerate() {
        let text = std::str::from_utf8(line)
            .unwrap_or_else(|e| panic!("{path}:{}: not UTF-8 on its own: {e}", i + 1));
        assert!(
            line.len() <= MAX_LINE,
            "{path}:{}: {} octets",
            i + 1,
            line.len()
        );
        assert!(
            !text.contains(['\r', '\n']),
            "{path}:{}: bare CR or LF",
            i + 1
        );
        let continued = lines.get(i + 1).is_some_and(|n| n.starts_with(b" "));
        if continued {
            assert!(
                !text.ends_with(char::is_whitespace),
                "{path}:{}: folded after whitespace: {text:?}",
                i + 1
            );
        }
    }
}

fn split_crlf(b: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i + 1 < b.len() {
        if b[i] == b'\r' && b[i + 1] == b'\n' {
            out.push(&b[start..i]);
            start = i + 2;
            i += 2;
        } else {
            i += 1;
        }
    }
    out.push(&b[start..]);
    out
}

/// A property's parameters (name, values) and raw value, as the `ical` crate reads them.
type Prop = (Vec<(String, Vec<String>)>, String);

/// One event as read back.
#[derive(Debug, Clone)]
struct Event {
    props: BTreeMap<String, Prop>,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

impl Event {
    fn raw(&self, name: &str) -> &str {
        self.props
            .get(name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("no {name} in {:?}", self.props))
    }
    fn text(&self, name: &str) -> String {
        unescape_text(self.raw(name))
    }
    fn uid(&self) -> String {
        self.text("UID")
    }
}

/// An observance of a VTIMEZONE: onset in UTC and the offset from then on.
#[derive(Debug, Clone)]
struct Observance {
    onset: DateTime<Utc>,
    offset: i64,
}

fn parse_offset(s: &str) -> i64 {
    let sign = if s.starts_with('-') { -1 } else { 1 };
    let d = &s[1..];
    let h: i64 = d[0..2].parse().unwrap();
    let m: i64 = d[2..4].parse().unwrap();
    let sec: i64 = if d.len() >= 6 {
        d[4..6].parse().unwrap()
    } else {
        0
    };
    sign * (h * 3600 + m * 60 + sec)
}

fn naive(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y%m%dT%H%M%S").unwrap_or_else(|e| panic!("{s}: {e}"))
}

/// Resolves a local time through the observances, the way RFC 5545 reads
/// them (independently of chrono-tz): the first instant whose observance
/// gives that local time.
fn resolve(obs: &[Observance], local: NaiveDateTime) -> DateTime<Utc> {
    for (i, o) in obs.iter().enumerate() {
        let candidate = (local - Duration::seconds(o.offset)).and_utc();
        let next = obs.get(i + 1).map(|n| n.onset);
        if candidate >= o.onset && next.is_none_or(|n| candidate < n) {
            return candidate;
        }
    }
    panic!("{local} does not exist in {obs:?}")
}

/// Parses a feed with the `ical` crate and resolves every event's times.
fn read(path: &str, text: &str) -> (Vec<ical::property::Property>, Vec<Event>) {
    let mut parser = ical::IcalParser::new(text.as_bytes());
    let cal = parser
        .next()
        .unwrap_or_else(|| panic!("{path}: no calendar"))
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    assert!(parser.next().is_none(), "{path}: more than one calendar");
    assert_eq!(cal.timezones.len(), 1, "{path}: one VTIMEZONE");
    let tz = &cal.timezones[0];
    let tzid = tz
        .properties
        .iter()
        .find(|p| p.name == "TZID")
        .and_then(|p| p.value.clone())
        .unwrap();
    let mut obs: Vec<Observance> = tz
        .transitions
        .iter()
        .map(|t| {
            let get = |n: &str| {
                t.properties
                    .iter()
                    .find(|p| p.name == n)
                    .and_then(|p| p.value.clone())
                    .unwrap_or_else(|| panic!("{path}: observance without {n}"))
            };
            let from = parse_offset(&get("TZOFFSETFROM"));
            let to = parse_offset(&get("TZOFFSETTO"));
            Observance {
                onset: (naive(&get("DTSTART")) - Duration::seconds(from)).and_utc(),
                offset: to,
            }
        })
        .collect();
    obs.sort_by_key(|o| o.onset);
    let events = cal
        .events
        .iter()
        .map(|e| {
            let mut props = BTreeMap::new();
            for p in &e.properties {
                let old = props.insert(
                    p.name.clone(),
                    (
                        p.params.clone().unwrap_or_default(),
                        p.value.clone().unwrap_or_default(),
                    ),
                );
                assert!(old.is_none(), "{path}: {} twice in one VEVENT", p.name);
            }
            let time = |name: &str| -> DateTime<Utc> {
                let (params, value): &Prop = &props[name];
                match params.iter().find(|(k, _)| k == "TZID") {
                    Some((_, v)) => {
                        assert_eq!(v, &vec![tzid.clone()], "{path}: TZID without its VTIMEZONE");
                        resolve(&obs, naive(value))
                    }
                    None => naive(value.strip_suffix('Z').expect("UTC time")).and_utc(),
                }
            };
            let (start, end) = (time("DTSTART"), time("DTEND"));
            Event { start, end, props }
        })
        .collect();
    (cal.properties, events)
}

fn cal_prop(props: &[ical::property::Property], name: &str) -> Option<String> {
    props
        .iter()
        .find(|p| p.name == name)
        .and_then(|p| p.value.clone())
}

/// The UIDs a feed should hold, computed from the model by its own rule.
fn uids(p: &Programme, pick: impl Fn(TalkId) -> bool) -> BTreeSet<String> {
    p.scheduled()
        .filter(|(id, _)| pick(*id))
        .map(|(_, t)| format!("{}@{}", t.slug, p.conference.acronym))
        .collect()
}

/// Checks every feed of a build: parses, lines, calendar properties, each
/// event's instants, and that each feed holds exactly the right events.
fn check_build(name: &str, built: &Built) {
    let p = &built.programme;
    let feeds = feeds(built);
    let mut expected: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    expected.insert("schedule.ics".into(), uids(p, |_| true));
    for (id, t) in p.scheduled() {
        expected.insert(format!("talks/{}.ics", t.slug), uids(p, |i| i == id));
    }
    for (sid, s) in p.speakers.iter().enumerate() {
        expected.insert(
            format!("speakers/{}.ics", s.slug),
            uids(p, |i| p.talks[i].speakers.contains(&sid)),
        );
    }
    for (rid, r) in p.rooms.iter().enumerate() {
        expected.insert(
            format!("rooms/{}.ics", r.slug),
            uids(p, |i| p.talks[i].room == Some(rid)),
        );
    }
    for (tid, tr) in p.tracks.iter().enumerate() {
        expected.insert(
            format!("tracks/{}.ics", tr.slug),
            uids(p, |i| p.talks[i].track == Some(tid)),
        );
    }
    for d in &p.days {
        expected.insert(
            format!("days/{}.ics", d.date.format("%Y-%m-%d")),
            uids(p, |i| p.talks[i].slot.unwrap().day == d.date),
        );
    }
    assert_eq!(
        feeds.keys().cloned().collect::<Vec<_>>(),
        expected.keys().cloned().collect::<Vec<_>>(),
        "{name}: the set of feeds"
    );
    for (path, text) in &feeds {
        check_lines(path, text.as_bytes());
        let (cal, events) = read(path, text);
        for (prop, value) in [
            ("VERSION", "2.0"),
            ("CALSCALE", "GREGORIAN"),
            ("METHOD", "PUBLISH"),
            ("X-PUBLISHED-TTL", "PT1H"),
            ("REFRESH-INTERVAL", "PT1H"),
        ] {
            assert_eq!(
                cal_prop(&cal, prop).as_deref(),
                Some(value),
                "{path}: {prop}"
            );
        }
        for prop in ["PRODID", "X-WR-CALNAME", "X-WR-CALDESC"] {
            assert!(cal_prop(&cal, prop).is_some(), "{path}: no {prop}");
        }
        assert_eq!(
            cal_prop(&cal, "X-WR-TIMEZONE").as_deref(),
            Some(p.conference.timezone.name())
        );
        let got: Vec<String> = events.iter().map(Event::uid).collect();
        let got_set: BTreeSet<String> = got.iter().cloned().collect();
        assert_eq!(got.len(), got_set.len(), "{path}: an event twice");
        assert_eq!(got_set, expected[path], "{path}: the events");
        for e in &events {
            let slug = e.uid().split('@').next().unwrap().to_string();
            let t = &p.talks[p.talk_by_slug(&slug).unwrap()];
            let slot = t.slot.unwrap();
            assert_eq!(e.start, slot.start_utc(), "{path}: {slug} start");
            assert_eq!(e.end, slot.end_utc(), "{path}: {slug} end");
            assert_eq!(e.text("SUMMARY"), single_line(&t.title), "{path}: {slug}");
            let status = if t.is_cancelled() {
                "CANCELLED"
            } else {
                "CONFIRMED"
            };
            assert_eq!(e.raw("STATUS"), status);
            let room = &p.rooms[t.room.unwrap()].name;
            assert_eq!(e.text("LOCATION"), single_line(room));
            assert!(e.raw("DTSTAMP").ends_with('Z'));
            assert!(e.raw("LAST-MODIFIED").ends_with('Z'));
            e.raw("SEQUENCE").parse::<u32>().unwrap();
            let desc = e.text("DESCRIPTION");
            let abstract_ = tidy(&t.abstract_.plain);
            assert!(desc.contains(&abstract_), "{path}: {slug}: {desc:?}");
            if let Some(base) = &p.conference.base_url {
                assert_eq!(e.raw("URL"), format!("{base}talks/{slug}/"));
            }
        }
    }
}

#[test]
fn example_feeds_read_back_exactly() {
    let built = build_example();
    check_build("example", &built);
    // The example's special cases are where they should be.
    let schedule = feeds(&built)["schedule.ics"].clone();
    let (_, events) = read("schedule.ics", &schedule);
    let by_uid: BTreeMap<String, &Event> = events.iter().map(|e| (e.uid(), e)).collect();
    let clinic = by_uid["open-data-clinic@tictec2017"];
    assert_eq!(clinic.raw("STATUS"), "CANCELLED");
    assert!(clinic
        .text("DESCRIPTION")
        .starts_with("This session is cancelled."));
    let anchor = by_uid["the-impacts-of-civic-tech-on-the-people-who-make-it@tictec2017"];
    // 26 April 2017, 12:15 in Rome (CEST) is 10:15 UTC.
    assert_eq!(anchor.start.to_rfc3339(), "2017-04-26T10:15:00+00:00");
    assert_eq!(anchor.text("LOCATION"), "Room 4");
    let desc = anchor.text("DESCRIPTION");
    assert!(desc.starts_with("Speakers: Julia Kloiber"), "{desc}");
    assert!(desc.contains("Sheba Najmi"));
    assert!(
        desc.contains("Code for All: https://codeforall.org"),
        "{desc}"
    );
    let cats = anchor.raw("CATEGORIES");
    assert!(cats.ends_with(",talk"), "{cats}");
    // Unscheduled talks are in no feed.
    assert!(!by_uid.contains_key("welcome@tictec2017"));
    assert!(!built.output.contains("talks/welcome.ics"));
}

#[test]
fn fixture_feeds_read_back_exactly() {
    for name in FIXTURES {
        let built = build_memory(&fixture(name));
        check_build(name, &built);
    }
}
