//! The iCalendar feeds, read back: by the `ical` crate's parser, by Python's
//! `icalendar` and by `khal`; times resolved through the included VTIMEZONE;
//! every feed holding exactly the right events; escaping, folding, revisions.

mod common;

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use common::{build_example, build_memory, fixture, temp_site};
use programme::feeds::ical::rfc5545::{unescape_text, unfold, MAX_LINE};
use programme::feeds::ical::{single_line, tidy};
use programme::model::{Programme, TalkId};
use programme::{Built, Options};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;
use std::time::SystemTime;

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
/// UTF-8 on its own, and no whitespace on either side of a fold.
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
        if i > 0 && text.starts_with(' ') {
            assert!(
                !text[1..].starts_with(char::is_whitespace),
                "{path}:{}: continues with whitespace: {text:?}",
                i + 1
            );
        }
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

/// The events of schedule.ics by UID.
fn schedule_events(built: &Built) -> BTreeMap<String, Event> {
    let text = feeds(built)["schedule.ics"].clone();
    read("schedule.ics", &text)
        .1
        .into_iter()
        .map(|e| (e.uid(), e))
        .collect()
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

#[test]
fn daylight_saving_change_in_berlin_resolves_through_the_vtimezone() {
    let built = build_memory(&fixture("dst-berlin"));
    let events = schedule_events(&built);
    // Instants worked out by hand: CET is UTC+1 until 31 March 2024 01:00 UTC, then CEST UTC+2.
    let expect = [
        (
            "saturday-morning",
            "2024-03-30T09:00:00Z",
            "2024-03-30T10:00:00Z",
        ),
        (
            "through-the-night",
            "2024-03-30T22:30:00Z",
            "2024-03-31T01:30:00Z",
        ),
        (
            "before-the-change",
            "2024-03-31T00:00:00Z",
            "2024-03-31T00:30:00Z",
        ),
        (
            "after-the-change",
            "2024-03-31T01:00:00Z",
            "2024-03-31T01:30:00Z",
        ),
        (
            "sunday-morning",
            "2024-03-31T08:00:00Z",
            "2024-03-31T09:00:00Z",
        ),
    ];
    assert_eq!(events.len(), expect.len());
    for (slug, start, end) in expect {
        let e = &events[&format!("{slug}@fruehjahr2024")];
        assert_eq!((e.start, e.end), (utc(start), utc(end)), "{slug}");
    }
    let text = feeds(&built)["schedule.ics"].clone();
    assert!(text.contains(
        "BEGIN:DAYLIGHT\r\nDTSTART:20240331T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\nEND:DAYLIGHT\r\n"
    ));
    assert!(text.contains("DTEND;TZID=Europe/Berlin:20240331T033000\r\n"));
    // Both days' feeds: the night session belongs to Saturday.
    let sat = feeds(&built)["days/2024-03-30.ics"].clone();
    assert!(sat.contains("UID:through-the-night@fruehjahr2024\r\n"));
}

#[test]
fn sessions_past_midnight_end_on_the_next_date_and_stay_on_their_day() {
    let built = build_memory(&fixture("after-midnight-ics"));
    let events = schedule_events(&built);
    // New York in June is UTC-4.
    let late = &events["past-midnight@latenight"];
    assert_eq!(late.start, utc("2023-06-11T03:00:00Z"));
    assert_eq!(late.end, utc("2023-06-11T05:30:00Z"));
    assert_eq!(late.raw("DTEND"), "20230611T013000");
    let all = feeds(&built);
    let day1 = &all["days/2023-06-10.ics"];
    for slug in ["evening", "past-midnight", "small-hours"] {
        assert!(
            day1.contains(&format!("UID:{slug}@latenight\r\n")),
            "{slug}"
        );
    }
    assert!(!day1.contains("UID:next-morning@latenight"));
    assert!(all["days/2023-06-11.ics"].contains("UID:next-morning@latenight\r\n"));
    assert!(!all.contains_key("days/2023-06-12.ics"));
}

#[test]
fn odd_text_is_escaped_and_reads_back_unchanged() {
    let built = build_memory(&fixture("odd-text"));
    let p = &built.programme;
    let events = schedule_events(&built);
    let specials = &events["specials@oddtext2025"];
    let title = "Commas, semicolons; back\\slashes and \"quotes\" 🎉";
    assert_eq!(p.talks[p.talk_by_slug("specials").unwrap()].title, title);
    assert_eq!(specials.text("SUMMARY"), title);
    assert_eq!(
        specials.raw("SUMMARY"),
        "Commas\\, semicolons\\; back\\\\slashes and \"quotes\" 🎉"
    );
    assert_eq!(specials.text("LOCATION"), "Hall A; East, upper");
    assert_eq!(
        specials.raw("CATEGORIES"),
        "Data\\, Law & Ethics,panel\\, extended"
    );
    let desc = specials.text("DESCRIPTION");
    assert!(desc.starts_with("Speaker: Amira Haddad, PhD (Ministry of Data; Open, Inc.)\n\n"));
    assert!(desc.contains("C:\\Users\\demo, a list a;b;c"), "{desc}");
    assert!(desc.contains("Emoji 👩🏽‍💻 and 🧪 and 𝄞, Hebrew שלום עולם and Arabic مرحبا بالعالم"));
    assert!(desc.contains("Slides, v2; final: https://example.org/a,b;c\n"));
    let rtl = &events["rtl@oddtext2025"];
    assert_eq!(rtl.text("SUMMARY"), "שלום, עולם; مرحبا بالعالم");
    assert_eq!(rtl.text("LOCATION"), "אולם ב");
    let long = &events["long-title@oddtext2025"];
    assert!(long.text("SUMMARY").chars().count() >= 290);
    assert_eq!(
        long.text("SUMMARY"),
        p.talks[p.talk_by_slug("long-title").unwrap()].title
    );
    // The calendar's own name is escaped too.
    let text = feeds(&built)["schedule.ics"].clone();
    assert!(text.contains("X-WR-CALNAME:Odd\\, Text\\; Conf \\\\ 2025\r\n"));
}

#[test]
fn four_byte_characters_at_the_fold_point_move_whole() {
    let built = build_memory(&fixture("fold-point"));
    let text = feeds(&built)["schedule.ics"].clone();
    // 8 octets of "SUMMARY:" and 66 ASCII letters leave one octet on the
    // line: the emoji moves whole to the continuation.
    let straddle = format!(
        "SUMMARY:Straddling-{}\r\n 😀 after the fold\r\n",
        "x".repeat(55)
    );
    assert!(text.contains(&straddle), "{text}");
    assert_eq!(straddle.find("\r\n"), Some(74));
    // 8 + 63 + 4 = 75 octets: the emoji ends the line exactly.
    let exact = format!("SUMMARY:Exact-fit-{}🎉\r\n -after\r\n", "y".repeat(53));
    assert!(text.contains(&exact), "{text}");
    assert_eq!(exact.find("\r\n"), Some(75));
    let events = schedule_events(&built);
    assert_eq!(
        events["straddling@foldpoint"].text("SUMMARY"),
        format!("Straddling-{}😀 after the fold", "x".repeat(55))
    );
    assert!(events["exact-fit@foldpoint"]
        .text("DESCRIPTION")
        .starts_with(&"🎉".repeat(60)));
}

#[test]
fn repeated_sessions_with_one_title_keep_distinct_uids() {
    let built = build_memory(&fixture("same-title"));
    let events = schedule_events(&built);
    let uids: Vec<&String> = events.keys().collect();
    assert_eq!(
        uids,
        [
            "hands-on-workshop-1@repeat2025",
            "hands-on-workshop-2@repeat2025"
        ]
    );
    for e in events.values() {
        assert_eq!(e.text("SUMMARY"), "Hands-on workshop");
    }
    assert_ne!(
        events["hands-on-workshop-1@repeat2025"].start,
        events["hands-on-workshop-2@repeat2025"].start
    );
}

/// Sets the modification time of every file under `dir`, so that a build's
/// stamp (the newest one, without SOURCE_DATE_EPOCH) is known.
fn set_mtimes(dir: &Path, t: SystemTime) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            set_mtimes(&entry.path(), t);
        } else {
            let f = std::fs::File::options()
                .append(true)
                .open(entry.path())
                .unwrap();
            f.set_modified(t).unwrap();
        }
    }
}

fn at(s: &str) -> SystemTime {
    SystemTime::from(utc(s))
}

/// A copy of the example programme with every file dated `t`. The tests
/// using it set the build stamp through modification times.
fn example_copy(t: SystemTime) -> tempfile::TempDir {
    assert!(
        std::env::var_os("SOURCE_DATE_EPOCH").is_none(),
        "these tests date builds by file times; run them without SOURCE_DATE_EPOCH"
    );
    let dir = tempfile::tempdir().unwrap();
    common::copy_tree(&common::repo().join("content"), &dir.path().join("content"));
    set_mtimes(&dir.path().join("content"), t);
    dir
}

fn build_opts(opts: &Options) -> Built {
    programme::build_in_memory(opts).unwrap_or_else(|d| panic!("build failed:\n{d}"))
}

/// The VEVENT blocks of a feed, exactly as written, by UID.
fn vevent_blocks(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut rest = text;
    while let Some(start) = rest.find("BEGIN:VEVENT\r\n") {
        let end = rest[start..].find("END:VEVENT\r\n").unwrap() + start + "END:VEVENT\r\n".len();
        let block = &rest[start..end];
        let uid = block
            .split("\r\n")
            .find_map(|l| l.strip_prefix("UID:"))
            .unwrap()
            .to_string();
        out.insert(uid, block.to_string());
        rest = &rest[end..];
    }
    out
}

/// The unfolded lines of a block that differ between two versions.
fn changed_lines(a: &str, b: &str) -> Vec<(String, String)> {
    let la: Vec<String> = unfold(a).into_iter().map(|(_, l)| l.into_owned()).collect();
    let lb: Vec<String> = unfold(b).into_iter().map(|(_, l)| l.into_owned()).collect();
    assert_eq!(la.len(), lb.len(), "{a}\n{b}");
    la.into_iter().zip(lb).filter(|(x, y)| x != y).collect()
}

#[test]
fn moving_a_talk_bumps_its_sequence_and_nothing_else() {
    let site = example_copy(at("2017-04-01T08:00:00Z"));
    let root = site.path();
    let first = build_opts(&Options::new(root));
    let first_feed = common::text(&first, "schedule.ics");
    let previous = root.join("published.ics");
    std::fs::write(&previous, &first_feed).unwrap();

    // Move one talk to another room; that file is now the newest.
    let talk = root.join("content/talks/civic-tech-in-local-government.md");
    let source = std::fs::read_to_string(&talk).unwrap();
    std::fs::write(&talk, source.replace("room: Room 2", "room: Room 4")).unwrap();
    set_mtimes(&root.join("content/talks"), at("2017-04-01T08:00:00Z"));
    std::fs::File::options()
        .append(true)
        .open(&talk)
        .unwrap()
        .set_modified(at("2017-04-20T12:00:00Z"))
        .unwrap();
    let mut opts = Options::new(root);
    opts.previous_feed = Some(previous.clone());
    let second = build_opts(&opts);
    assert!(second.diagnostics.0.is_empty(), "{}", second.diagnostics);
    let second_feed = common::text(&second, "schedule.ics");

    let before = vevent_blocks(&first_feed);
    let after = vevent_blocks(&second_feed);
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>()
    );
    let moved = "civic-tech-in-local-government@tictec2017";
    for (uid, block) in &before {
        if uid != moved {
            assert_eq!(block, &after[uid], "{uid} changed");
        }
    }
    assert_eq!(
        changed_lines(&before[moved], &after[moved]),
        vec![
            ("LOCATION:Room 2".to_string(), "LOCATION:Room 4".to_string()),
            ("SEQUENCE:0".to_string(), "SEQUENCE:1".to_string()),
            (
                "LAST-MODIFIED:20170401T080000Z".to_string(),
                "LAST-MODIFIED:20170420T120000Z".to_string()
            ),
        ]
    );
    // The talk's own feed and its new room's feed carry the same event.
    assert!(
        common::text(&second, "talks/civic-tech-in-local-government.ics").contains(&after[moved])
    );
    assert!(common::text(&second, "rooms/room-4.ics").contains(&after[moved]));
    assert!(!common::text(&second, "rooms/room-2.ics").contains(moved));

    // A later build with nothing changed keeps every event as it was, even
    // with a newer stamp; the output folder's own schedule.ics is the
    // previous feed when none is given.
    std::fs::create_dir_all(root.join("public")).unwrap();
    std::fs::write(root.join("public/schedule.ics"), &second_feed).unwrap();
    std::fs::File::options()
        .append(true)
        .open(&talk)
        .unwrap()
        .set_modified(at("2017-04-22T12:00:00Z"))
        .unwrap();
    let third = build_opts(&Options::new(root));
    assert_eq!(vevent_blocks(&common::text(&third, "schedule.ics")), after);

    // Moving it back is another change.
    std::fs::write(&talk, &source).unwrap();
    std::fs::write(
        root.join("public/schedule.ics"),
        common::text(&third, "schedule.ics"),
    )
    .unwrap();
    let fourth = build_opts(&Options::new(root));
    let back = &vevent_blocks(&common::text(&fourth, "schedule.ics"))[moved];
    assert!(back.contains("\r\nSEQUENCE:2\r\n"), "{back}");
    assert!(back.contains("\r\nLOCATION:Room 2\r\n"));
}

#[test]
fn cancelling_a_talk_is_a_change_too() {
    let site = example_copy(at("2017-04-01T08:00:00Z"));
    let root = site.path();
    let first = build_opts(&Options::new(root));
    std::fs::create_dir_all(root.join("public")).unwrap();
    std::fs::write(
        root.join("public/schedule.ics"),
        common::text(&first, "schedule.ics"),
    )
    .unwrap();
    let talk = root.join("content/talks/closing-remarks.md");
    let source = std::fs::read_to_string(&talk).unwrap();
    std::fs::write(
        &talk,
        source.replacen("---\n", "---\nstatus: cancelled\n", 1),
    )
    .unwrap();
    let second = build_opts(&Options::new(root));
    let block =
        &vevent_blocks(&common::text(&second, "schedule.ics"))["closing-remarks@tictec2017"];
    assert!(block.contains("\r\nSTATUS:CANCELLED\r\n"), "{block}");
    assert!(block.contains("\r\nSEQUENCE:1\r\n"), "{block}");
}

#[test]
fn same_input_gives_the_same_bytes() {
    let site = example_copy(at("2017-04-01T08:00:00Z"));
    let a = build_opts(&Options::new(site.path()));
    let b = build_opts(&Options::new(site.path()));
    assert_eq!(feeds(&a), feeds(&b));
    assert!(common::text(&a, "schedule.ics").contains("\r\nDTSTAMP:20170401T080000Z\r\n"));
    for name in FIXTURES {
        let site = temp_site(&fixture(name));
        set_mtimes(site.path(), at("2020-01-01T00:00:00Z"));
        let a = build_opts(&Options::new(site.path()));
        let b = build_opts(&Options::new(site.path()));
        assert_eq!(feeds(&a), feeds(&b), "{name}");
    }
}

#[test]
fn an_unreadable_previous_feed_is_a_warning_and_sequences_restart() {
    let site = example_copy(at("2017-04-01T08:00:00Z"));
    let root = site.path();
    let previous = root.join("broken.ics");
    std::fs::write(&previous, "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nSEQUENCE:many\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n").unwrap();
    let mut opts = Options::new(root);
    opts.previous_feed = Some(previous.clone());
    let built = build_opts(&opts);
    let warning = built
        .diagnostics
        .0
        .iter()
        .find(|d| d.code == "previous-feed")
        .unwrap_or_else(|| panic!("no warning in {}", built.diagnostics));
    assert!(!warning.is_error());
    assert_eq!(warning.file.as_deref(), Some(previous.as_path()));
    assert_eq!(warning.line, Some(2));
    assert!(warning.message.contains("SEQUENCE"), "{warning}");
    let text = common::text(&built, "schedule.ics");
    assert!(!text.contains("SEQUENCE:1"));
    assert!(text.contains("\r\nSEQUENCE:0\r\n"));

    // A --previous-feed that does not exist is reported, not ignored.
    opts.previous_feed = Some(root.join("missing.ics"));
    let built = build_opts(&opts);
    assert!(built
        .diagnostics
        .0
        .iter()
        .any(|d| d.code == "previous-feed"));
}

/// Whether an external tool can run. Missing outside CI: a note, and the
/// test passes; missing with CI=true: the test fails.
fn tool(name: &str, probe: &mut Command) -> bool {
    let ok = probe
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{name} is missing; .ci/run installs it"
        );
        eprintln!("note: {name} is not installed; skipping its check");
    }
    ok
}

/// Writes every feed of a build under `dir`.
fn write_feeds(built: &Built, dir: &Path) {
    for (path, text) in feeds(built) {
        let file = dir.join(&path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, text).unwrap();
    }
}

/// Reads every feed with Python's icalendar and prints, per event, its UID
/// and its start and end in UTC, resolved through the feed's own VTIMEZONE
/// (not the tz database Python has).
const PYTHON_CHECK: &str = r#"
import os, sys, datetime
import icalendar
root = sys.argv[1]
for dirpath, _, files in sorted(os.walk(root)):
    for name in sorted(files):
        path = os.path.join(dirpath, name)
        rel = os.path.relpath(path, root)
        with open(path, "rb") as f:
            cal = icalendar.Calendar.from_ical(f.read())
        errors = [(c.name, e) for c in cal.walk() for e in c.errors]
        if errors:
            sys.exit(f"{rel}: {errors}")
        zones = {str(z["TZID"]): z.to_tz(lookup_tzid=False) for z in cal.walk("VTIMEZONE")}
        def instant(ev, prop):
            value = ev[prop]
            dt = value.dt
            tzid = value.params.get("TZID")
            if tzid is not None:
                dt = dt.replace(tzinfo=zones[tzid], fold=0)
            return dt.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        print(rel, "calendar", str(cal["X-WR-CALNAME"]).replace(" ", "_"))
        for ev in cal.walk("VEVENT"):
            print(rel, str(ev["UID"]), instant(ev, "DTSTART"), instant(ev, "DTEND"), str(ev["STATUS"]), int(ev["SEQUENCE"]))
"#;

fn python_check(name: &str, built: &Built) {
    let dir = tempfile::tempdir().unwrap();
    write_feeds(built, dir.path());
    let out = Command::new("python3")
        .arg("-c")
        .arg(PYTHON_CHECK)
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{name}: icalendar failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let p = &built.programme;
    let mut calendars = BTreeSet::new();
    let mut events: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in stdout.lines() {
        let f: Vec<&str> = line.split(' ').collect();
        if f[1] == "calendar" {
            calendars.insert(f[0].to_string());
            continue;
        }
        let slug = f[1].split('@').next().unwrap();
        let t = &p.talks[p.talk_by_slug(slug).unwrap()];
        let slot = t.slot.unwrap();
        let fmt = |d: DateTime<Utc>| d.format("%Y-%m-%dT%H:%M:%SZ").to_string();
        assert_eq!(f[2], fmt(slot.start_utc()), "{name}: {line}");
        assert_eq!(f[3], fmt(slot.end_utc()), "{name}: {line}");
        let status = if t.is_cancelled() {
            "CANCELLED"
        } else {
            "CONFIRMED"
        };
        assert_eq!(f[4], status, "{name}: {line}");
        events
            .entry(f[0].to_string())
            .or_default()
            .push(f[1].to_string());
    }
    let all = feeds(built);
    assert_eq!(
        calendars,
        all.keys().cloned().collect(),
        "{name}: every feed read"
    );
    let scheduled = events.get("schedule.ics").map_or(0, Vec::len);
    assert_eq!(scheduled, p.scheduled().count(), "{name}");
}

#[test]
fn python_icalendar_reads_every_feed() {
    if !tool(
        "Python's icalendar",
        Command::new("python3").args(["-c", "import icalendar"]),
    ) {
        return;
    }
    python_check("example", &build_example());
    for name in FIXTURES {
        python_check(name, &build_memory(&fixture(name)));
    }
}

/// Imports schedule.ics into a fresh khal calendar and lists every event
/// with its UID, start and end in UTC.
fn khal_check(name: &str, built: &Built) {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let cal = home.join("calendar");
    std::fs::create_dir_all(&cal).unwrap();
    std::fs::create_dir_all(home.join("config/khal")).unwrap();
    std::fs::write(
        home.join("config/khal/config"),
        format!(
            "[calendars]\n[[programme]]\npath = {}\ntype = calendar\n\
             [locale]\ntimeformat = %H:%M\ndateformat = %Y-%m-%d\nlongdateformat = %Y-%m-%d\n\
             datetimeformat = %Y-%m-%dT%H:%M\nlongdatetimeformat = %Y-%m-%dT%H:%M\n\
             local_timezone = UTC\ndefault_timezone = UTC\n\
             [default]\ndefault_calendar = programme\n",
            cal.display()
        ),
    )
    .unwrap();
    let feed = home.join("schedule.ics");
    std::fs::write(&feed, common::text(built, "schedule.ics")).unwrap();
    let khal = |args: &[&str]| {
        let out = Command::new("khal")
            .args(args)
            .env("HOME", home)
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_CACHE_HOME", home.join("cache"))
            .env("TZ", "UTC")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(out.status.success(), "{name}: khal {args:?}: {stderr}");
        assert!(
            !stderr.to_lowercase().contains("error"),
            "{name}: khal {args:?}: {stderr}"
        );
        String::from_utf8(out.stdout).unwrap()
    };
    khal(&[
        "import",
        "--batch",
        "-a",
        "programme",
        feed.to_str().unwrap(),
    ]);
    let p = &built.programme;
    let first = p.days.first().unwrap().date - Duration::days(1);
    let days = (p.days.last().unwrap().date - first).num_days() + 3;
    let listed = khal(&[
        "list",
        "--once",
        "--day-format",
        "",
        "--format",
        "{uid} {start} {end}",
        &first.format("%Y-%m-%d").to_string(),
        &format!("{days}d"),
    ]);
    let mut seen = BTreeSet::new();
    for line in listed.lines().filter(|l| !l.trim().is_empty()) {
        let f: Vec<&str> = line.split_whitespace().collect();
        let slug = f[0].split('@').next().unwrap();
        let slot = p.talks[p.talk_by_slug(slug).unwrap()].slot.unwrap();
        let fmt = |d: DateTime<Utc>| d.format("%Y-%m-%dT%H:%M").to_string();
        assert_eq!(f[1], fmt(slot.start_utc()), "{name}: {line}");
        assert_eq!(f[2], fmt(slot.end_utc()), "{name}: {line}");
        assert!(seen.insert(f[0].to_string()), "{name}: {line} twice");
    }
    assert_eq!(seen, uids(p, |_| true), "{name}: khal has every event");
}

#[test]
fn khal_imports_schedule_with_every_event() {
    if !tool("khal", Command::new("khal").arg("--version")) {
        return;
    }
    khal_check("example", &build_example());
    for name in FIXTURES {
        khal_check(name, &build_memory(&fixture(name)));
    }
}

/// A site written on the fly: conference.yaml and talks by file name.
fn site(conference: &str, talks: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    std::fs::create_dir_all(content.join("talks")).unwrap();
    std::fs::write(content.join("conference.yaml"), conference).unwrap();
    for (name, text) in talks {
        std::fs::write(content.join("talks").join(name), text).unwrap();
    }
    dir
}

#[test]
fn the_repeated_hour_in_autumn_keeps_both_occurrences_apart() {
    let dir = site(
        "title: Herbst\nacronym: herbst2024\ntimezone: Europe/Berlin\nrooms: [A, B]\n",
        &[
            (
                "first.md",
                "---\ntitle: First 02:30\nroom: A\nstart: 2024-10-27 02:30\nduration: 20m\n---\n",
            ),
            (
                "second.md",
                "---\ntitle: Second 02:30\nroom: B\nstart: 2024-10-27T02:30:00+01:00\nduration: 20m\n---\n",
            ),
        ],
    );
    let built = build_memory(dir.path());
    check_build("autumn", &built);
    let events = schedule_events(&built);
    let first = &events["first@herbst2024"];
    let second = &events["second@herbst2024"];
    assert_eq!(first.start, utc("2024-10-27T00:30:00Z"));
    // Both occurrences of 02:30 are written in UTC: RFC 5545 reads a local
    // 02:30 as the first, but khal reads it as the second.
    assert_eq!(first.raw("DTSTART"), "20241027T003000Z");
    assert_eq!(second.start, utc("2024-10-27T01:30:00Z"));
    assert_eq!(second.raw("DTSTART"), "20241027T013000Z");
    assert_eq!(second.end, utc("2024-10-27T01:50:00Z"));
    if tool(
        "Python's icalendar",
        Command::new("python3").args(["-c", "import icalendar"]),
    ) {
        python_check("autumn", &built);
    }
    if tool("khal", Command::new("khal").arg("--version")) {
        khal_check("autumn", &built);
    }
}

#[test]
fn a_programme_with_nothing_scheduled_still_has_valid_feeds() {
    let dir = site(
        "title: Soon\nacronym: soon2030\ntimezone: Europe/Paris\nrooms: [Hall]\ntracks: [Main]\n",
        &[(
            "keynote.md",
            "---\ntitle: Keynote\nspeakers: Ada Lovelace\ntrack: Main\n---\nTime to be announced.\n",
        )],
    );
    let built = build_memory(dir.path());
    check_build("unscheduled", &built);
    let all = feeds(&built);
    for path in [
        "schedule.ics",
        "speakers/ada-lovelace.ics",
        "rooms/hall.ics",
        "tracks/main.ics",
    ] {
        assert!(
            all[path].contains("BEGIN:VTIMEZONE\r\nTZID:Europe/Paris\r\n"),
            "{path}"
        );
        assert!(!all[path].contains("BEGIN:VEVENT"), "{path}");
    }
    assert!(!all.contains_key("talks/keynote.ics"));
    if tool(
        "Python's icalendar",
        Command::new("python3").args(["-c", "import icalendar"]),
    ) {
        python_check("unscheduled", &built);
    }
}
