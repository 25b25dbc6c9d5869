//! The example programme and small fixture sites resolve into the model the
//! content describes: days, rooms, tracks, speakers linked both ways, local
//! times, drafts, cancelled and unscheduled talks.

mod common;

use chrono::{NaiveDate, Utc};
use programme::model::{Programme, Status};
use programme::Options;
use std::path::Path;

fn example() -> Programme {
    programme::load_programme(&Options::new(common::repo()))
        .unwrap_or_else(|d| panic!("{d}"))
        .0
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn utc(p: &Programme, slug: &str) -> (String, String) {
    let t = &p.talks[p.talk_by_slug(slug).unwrap()];
    let s = t.slot.unwrap();
    (
        s.start_utc().format("%Y-%m-%dT%H:%MZ").to_string(),
        s.end_utc().format("%Y-%m-%dT%H:%MZ").to_string(),
    )
}

#[test]
fn example_has_the_anchor_session() {
    let p = example();
    assert_eq!(p.conference.title, "TICTeC 2017");
    assert_eq!(p.conference.timezone, chrono_tz::Europe::Rome);
    let id = p
        .talk_by_slug("the-impacts-of-civic-tech-on-the-people-who-make-it")
        .unwrap();
    let talk = &p.talks[id];
    assert_eq!(
        talk.title,
        "The impacts of Civic Tech... on the people who make it"
    );
    let names: Vec<&str> = talk
        .speakers
        .iter()
        .map(|&s| p.speakers[s].name.as_str())
        .collect();
    assert_eq!(names, ["Julia Kloiber", "Sheba Najmi"]);
    let room = &p.rooms[talk.room.unwrap()];
    assert_eq!(room.name, "Room 4");
    assert!(room.talks.contains(&id));
    // 12:15 in Florence (CEST, UTC+2) for the default 45 minutes.
    assert_eq!(
        utc(&p, &talk.slug),
        ("2017-04-26T10:15Z".into(), "2017-04-26T11:00Z".into())
    );
    assert_eq!(
        talk.slot.unwrap().start.format("%H:%M %:z").to_string(),
        "12:15 +02:00"
    );
    // Linked both ways, with the profile's affiliation.
    for &s in &talk.speakers {
        assert!(p.speakers[s].talks.contains(&id));
        assert!(p.speakers[s].source.is_some());
    }
    assert_eq!(
        p.speakers[talk.speakers[1]].affiliation.as_deref(),
        Some("Code for Pakistan")
    );
    assert!(talk.abstract_.html.contains("<strong>build</strong>"));
    assert!(talk
        .abstract_
        .plain
        .contains("Code for All <https://codeforall.org>"));
}

#[test]
fn example_days_rooms_tracks_and_order() {
    let p = example();
    let days: Vec<NaiveDate> = p.days.iter().map(|d| d.date).collect();
    assert_eq!(days, [date(2017, 4, 25), date(2017, 4, 26)]);
    let rooms: Vec<&str> = p.rooms.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        rooms,
        [
            "Main Plenary (Sala Verde)",
            "Room 4",
            "Room 2",
            "Hack Space"
        ]
    );
    assert!(p.rooms[3].shared);
    assert_eq!(p.tracks[0].color.as_deref(), Some("#a8324f"));
    // Scheduled talks come first, in time order; each day lists its talks in order.
    let mut last = None;
    for day in &p.days {
        for &id in &day.talks {
            let s = p.talks[id].slot.unwrap();
            assert_eq!(s.day, day.date);
            assert!(last <= Some(s.start));
            last = Some(s.start);
        }
    }
    let unscheduled: Vec<&str> = p.unscheduled().map(|(_, t)| t.slug.as_str()).collect();
    assert_eq!(
        unscheduled,
        ["understanding-impact-mysociety-research", "welcome"]
    );
    assert!(p.talks[p.talk_by_slug("open-data-clinic").unwrap()].status == Status::Cancelled);
}

#[test]
fn late_night_talk_belongs_to_the_previous_day() {
    let p = example();
    let t = &p.talks[p.talk_by_slug("hack-night").unwrap()];
    let slot = t.slot.unwrap();
    assert_eq!(slot.day, date(2017, 4, 25));
    assert_eq!(slot.end.date_naive(), date(2017, 4, 26));
    assert_eq!(
        utc(&p, "hack-night"),
        ("2017-04-25T19:00Z".into(), "2017-04-25T23:30Z".into())
    );
    assert!(p.days[0]
        .talks
        .contains(&p.talk_by_slug("hack-night").unwrap()));
}

fn site(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

const BERLIN: &str = "title: T\nacronym: test\ntimezone: Europe/Berlin\ndefault_duration: 30m\n";

fn load(root: &Path, drafts: bool) -> Result<Programme, programme::diagnostic::Diagnostics> {
    let mut o = Options::new(root);
    o.drafts = drafts;
    programme::load_programme(&o).map(|(p, _)| p)
}

#[test]
fn daylight_saving_day_and_drafts() {
    let dir = site(&[
        ("content/conference.yaml", BERLIN),
        // Sunday 31 March 2024: clocks go from 02:00 to 03:00.
        (
            "content/talks/before.md",
            "---\ntitle: Before\nroom: A\nstart: 2024-03-31 01:00\nend: 03:30\n---\n",
        ),
        (
            "content/talks/after.md",
            "---\ntitle: After\nroom: B\nstart: 2024-03-31 10:00\n---\n",
        ),
        (
            "content/talks/draft.md",
            "---\ntitle: Draft\nroom: C\nstart: 2024-03-31 11:00\ndraft: true\n---\n",
        ),
    ]);
    let p = load(dir.path(), false).unwrap();
    // 01:00 CET to 03:30 CEST is 1.5 hours of real time.
    assert_eq!(
        utc(&p, "before"),
        ("2024-03-31T00:00Z".into(), "2024-03-31T01:30Z".into())
    );
    assert_eq!(
        utc(&p, "after"),
        ("2024-03-31T08:00Z".into(), "2024-03-31T08:30Z".into())
    );
    // 01:00 is before day_change, so it belongs to the 30th.
    assert_eq!(
        p.talks[p.talk_by_slug("before").unwrap()].slot.unwrap().day,
        date(2024, 3, 30)
    );
    assert!(p.talk_by_slug("draft").is_none());
    let with_drafts = load(dir.path(), true).unwrap();
    assert!(with_drafts.talks[with_drafts.talk_by_slug("draft").unwrap()].draft);
    // Rooms collected from talks when none are declared, in order of first use.
    let rooms: Vec<&str> = with_drafts.rooms.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(rooms, ["A", "B", "C"]);
    let _ = Utc::now();
}

#[test]
fn content_errors_are_all_reported_with_positions() {
    let dir = site(&[
        (
            "content/conference.yaml",
            "title: T\nacronym: test\ntimezone: Europe/Berlin\nrooms:\n  - name: Hall\n",
        ),
        (
            "content/talks/gap.md",
            "---\ntitle: Gap\nroom: Hall\nstart: 2024-03-31 02:30\nduration: 30m\n---\n",
        ),
        (
            "content/talks/room.md",
            "---\ntitle: Room\nroom: Hal\nstart: 2024-04-01 10:00\nduration: 30m\n---\n",
        ),
        (
            "content/talks/a.md",
            "---\ntitle: A\nroom: Hall\nstart: 2024-04-02 10:00\nduration: 1h\n---\n",
        ),
        (
            "content/talks/b.md",
            "---\ntitle: B\nroom: Hall\nstart: 2024-04-02 10:30\nduration: 1h\n---\n",
        ),
        (
            "content/talks/noend.md",
            "---\ntitle: No end\nroom: Hall\nstart: 2024-04-03 10:00\n---\n",
        ),
    ]);
    let d = load(dir.path(), false).unwrap_err();
    let find = |code: &str| {
        d.iter()
            .find(|x| x.code == code)
            .unwrap_or_else(|| panic!("no {code} in\n{d}"))
    };
    let gap = find("bad-time");
    assert_eq!(gap.file.as_deref(), Some(Path::new("content/talks/gap.md")));
    assert_eq!(gap.line, Some(4));
    assert!(gap.message.contains("does not exist"));
    let room = find("unknown-room");
    assert_eq!((room.line, room.column), (Some(3), Some(7)));
    assert!(room
        .help
        .as_deref()
        .unwrap()
        .contains("did you mean `Hall`"));
    let clash = find("room-clash");
    assert_eq!(clash.file.as_deref(), Some(Path::new("content/talks/b.md")));
    assert_eq!(clash.line, Some(4));
    assert!(find("no-end")
        .help
        .as_deref()
        .unwrap()
        .contains("default_duration"));
}

const ROME: &str = r##"title: Model Conference
acronym: model2017
subtitle: Every field
timezone: Europe/Rome
base_url: https://example.org/conf
language: it
default_duration: 20m
day_change: "06:00"
markdown: { raw_html: trusted }
sponsor: ACME
rooms:
  - name: Big Hall
    capacity: 300
    floor: 2
  - Small Room
  - { name: Garden, shared: true }
tracks:
  - { name: Impact, color: "#aa3355" }
  - Research
"##;

#[test]
fn every_field_of_the_format_reaches_the_model() {
    let dir = site(&[
        ("content/conference.yaml", ROME),
        // Used out of declared order: rooms keep the declared order.
        (
            "content/talks/garden-party.md",
            "---\ntitle: Garden party\nroom: Garden\nstart: 2017-04-26 18:00\nend: 2017-04-27 01:00\ntype: social\n---\n",
        ),
        (
            "content/talks/offset.md",
            "---\ntitle: Offset\nroom: Small Room\nstart: 2017-04-26 12:15+00:00\nduration: 1h30m\nspeakers: ada lovelace\n---\n",
        ),
        (
            "content/talks/keynote.md",
            "---\ntitle: Keynote\nspeakers: [Ada Lovelace, grace-hopper, Nobody Known]\nroom: Big Hall\nstart: 2017-04-26T09:00:00\nend: \"10:00\"\ntrack: Impact\ntype: keynote\nlanguage: en\nslides: https://example.org/s.pdf\nvideo: https://example.org/v\nlinks:\n  - { title: Site, url: \"https://example.org\" }\n  - mailto:ada@example.org\nstatus: cancelled\nlivestream: 42\n---\nHello <span class=\"x\" onclick=\"y()\">raw</span>\n",
        ),
        (
            "content/talks/early.md",
            "---\ntitle: Very early\nroom: Small Room\nstart: 2017-04-27 05:30\ntrack: Research\n---\n",
        ),
        (
            "content/talks/coffee.md",
            "---\ntitle: Coffee\nroom: Big Hall\nstart: 2017-04-26 10:00\nduration: \"00:30\"\ntype: break\n---\n",
        ),
        (
            "content/talks/someday.md",
            "---\ntitle: Someday\nspeakers: Grace Hopper\n---\nNo start: unscheduled.\n",
        ),
        (
            "content/speakers/ada.md",
            "---\nname: Ada Lovelace\naffiliation: Analytical Engines\nlinks:\n  - { title: Web, url: \"https://example.org/ada\" }\nmastodon: \"@ada\"\n---\nBio of *Ada*.\n",
        ),
        (
            "content/speakers/grace-hopper.md",
            "---\nname: Grace Hopper\n---\n",
        ),
        (
            "content/pages/venue.md",
            "---\ntitle: Venue\nmap: true\n---\nWhere.\n",
        ),
        (
            "content/pages/about.md",
            "---\ntitle: About\n---\nWhat.\n",
        ),
    ]);
    let p = load(dir.path(), false).unwrap_or_else(|d| panic!("{d}"));
    let c = &p.conference;
    assert_eq!(c.subtitle.as_deref(), Some("Every field"));
    assert_eq!(c.base_url.as_deref(), Some("https://example.org/conf/"));
    assert_eq!(c.language, "it");
    assert_eq!(c.default_duration, Some(chrono::Duration::minutes(20)));
    assert_eq!(c.raw_html, programme::model::RawHtml::Trusted);
    assert_eq!(c.extra["sponsor"], "ACME");

    // Rooms in declared order, with capacity, shared and extra; tracks too.
    let rooms: Vec<(&str, Option<u32>, bool)> = p
        .rooms
        .iter()
        .map(|r| (r.name.as_str(), r.capacity, r.shared))
        .collect();
    assert_eq!(
        rooms,
        [
            ("Big Hall", Some(300), false),
            ("Small Room", None, false),
            ("Garden", None, true)
        ]
    );
    assert_eq!(p.rooms[0].extra["floor"], 2);
    let tracks: Vec<(&str, Option<&str>)> = p
        .tracks
        .iter()
        .map(|t| (t.name.as_str(), t.color.as_deref()))
        .collect();
    assert_eq!(tracks, [("Impact", Some("#aa3355")), ("Research", None)]);

    // Every talk field.
    let id = p.talk_by_slug("keynote").unwrap();
    let k = &p.talks[id];
    assert_eq!(
        (k.kind.as_str(), k.language.as_deref()),
        ("keynote", Some("en"))
    );
    assert_eq!(k.slides.as_deref(), Some("https://example.org/s.pdf"));
    assert_eq!(k.video.as_deref(), Some("https://example.org/v"));
    let links: Vec<(&str, &str)> = k
        .links
        .iter()
        .map(|l| (l.title.as_str(), l.url.as_str()))
        .collect();
    assert_eq!(
        links,
        [
            ("Site", "https://example.org"),
            ("mailto:ada@example.org", "mailto:ada@example.org")
        ]
    );
    assert!(k.is_cancelled() && !k.draft);
    assert_eq!(k.extra["livestream"], 42);
    assert_eq!(p.tracks[k.track.unwrap()].name, "Impact");
    assert!(p.tracks[0].talks.contains(&id));
    // Trusted raw HTML is kept as written.
    assert!(k.abstract_.html.contains("onclick"), "{}", k.abstract_.html);
    assert_eq!(
        utc(&p, "keynote"),
        ("2017-04-26T07:00Z".into(), "2017-04-26T08:00Z".into())
    );

    // Speakers: by name case-insensitively, by slug, and without a profile.
    let names: Vec<&str> = k
        .speakers
        .iter()
        .map(|&s| p.speakers[s].name.as_str())
        .collect();
    assert_eq!(names, ["Ada Lovelace", "Grace Hopper", "Nobody Known"]);
    let ada = &p.speakers[k.speakers[0]];
    assert_eq!(ada.slug, "ada");
    assert_eq!(ada.affiliation.as_deref(), Some("Analytical Engines"));
    assert_eq!(ada.links[0].url, "https://example.org/ada");
    assert_eq!(ada.extra["mastodon"], "@ada");
    assert!(ada.bio.html.contains("<em>Ada</em>"));
    let offset_id = p.talk_by_slug("offset").unwrap();
    assert_eq!(
        ada.talks,
        [id, offset_id],
        "linked both ways, in time order"
    );
    let nobody = &p.speakers[k.speakers[2]];
    assert_eq!(
        (nobody.slug.as_str(), nobody.source.is_none()),
        ("nobody-known", true)
    );
    let grace = &p.speakers[k.speakers[1]];
    let someday = p.talk_by_slug("someday").unwrap();
    assert_eq!(grace.talks, [id, someday]);
    let slugs: Vec<&str> = p.speakers.iter().map(|s| s.slug.as_str()).collect();
    assert_eq!(slugs, ["ada", "grace-hopper", "nobody-known"]);

    // An explicit offset overrides the zone; shown in the zone.
    let o = p.talks[offset_id].slot.unwrap();
    assert_eq!(
        utc(&p, "offset"),
        ("2017-04-26T12:15Z".into(), "2017-04-26T13:45Z".into())
    );
    assert_eq!(o.start.format("%H:%M%:z").to_string(), "14:15+02:00");

    // `end` as a full date-time past midnight; day_change 06:00 puts 05:30 on the day before.
    assert_eq!(
        utc(&p, "garden-party"),
        ("2017-04-26T16:00Z".into(), "2017-04-26T23:00Z".into())
    );
    let early = p.talks[p.talk_by_slug("early").unwrap()].slot.unwrap();
    assert_eq!(early.day, date(2017, 4, 26));
    assert_eq!(early.duration(), chrono::Duration::minutes(20));
    let coffee = &p.talks[p.talk_by_slug("coffee").unwrap()];
    assert!(coffee.is_break());
    assert_eq!(
        coffee.slot.unwrap().duration(),
        chrono::Duration::minutes(30)
    );

    // One event day; talks in time order; the unscheduled talk is in no day and no room.
    assert_eq!(p.days.len(), 1);
    let order: Vec<&str> = p.days[0]
        .talks
        .iter()
        .map(|&t| p.talks[t].slug.as_str())
        .collect();
    assert_eq!(
        order,
        ["keynote", "coffee", "offset", "garden-party", "early"]
    );
    let s = &p.talks[someday];
    assert!(s.slot.is_none() && s.room.is_none());
    assert_eq!(s.abstract_.plain, "No start: unscheduled.");
    assert!(p.rooms.iter().all(|r| !r.talks.contains(&someday)));
    // Every scheduled talk is in its room's list, in time order.
    for (rid, room) in p.rooms.iter().enumerate() {
        for w in room.talks.windows(2) {
            assert!(p.talks[w[0]].slot.unwrap().start <= p.talks[w[1]].slot.unwrap().start);
        }
        for &t in &room.talks {
            assert_eq!(p.talks[t].room, Some(rid));
        }
    }

    // Pages sorted by slug, with extra.
    let pages: Vec<&str> = p.pages.iter().map(|x| x.slug.as_str()).collect();
    assert_eq!(pages, ["about", "venue"]);
    assert_eq!(p.pages[1].extra["map"], true);
}

#[test]
fn tracks_and_rooms_are_collected_in_order_of_first_use_when_not_declared() {
    let dir = site(&[
        ("content/conference.yaml", BERLIN),
        (
            "content/talks/b.md",
            "---\ntitle: B\nroom: Second\ntrack: Later\nstart: 2024-05-01 11:00\n---\n",
        ),
        (
            "content/talks/a.md",
            "---\ntitle: A\nroom: First\ntrack: Sooner\nstart: 2024-05-01 10:00\n---\n",
        ),
        (
            "content/talks/c.md",
            "---\ntitle: C\nroom: first\ntrack: sooner\nstart: 2024-05-02 10:00\n---\n",
        ),
    ]);
    let p = load(dir.path(), false).unwrap_or_else(|d| panic!("{d}"));
    let rooms: Vec<&str> = p.rooms.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(rooms, ["First", "Second"], "`first` is the same room");
    let tracks: Vec<&str> = p.tracks.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(tracks, ["Sooner", "Later"]);
    assert_eq!(p.rooms[0].talks.len(), 2);
    let days: Vec<NaiveDate> = p.days.iter().map(|d| d.date).collect();
    assert_eq!(days, [date(2024, 5, 1), date(2024, 5, 2)]);
}

#[test]
fn shared_rooms_allow_overlaps_and_cancelled_talks_do_not_clash() {
    let conf = format!("{BERLIN}rooms:\n  - {{ name: Lobby, shared: true }}\n  - Hall\n");
    let dir = site(&[
        ("content/conference.yaml", &conf),
        (
            "content/talks/a.md",
            "---\ntitle: A\nroom: Lobby\nstart: 2024-05-01 10:00\nduration: 1h\n---\n",
        ),
        (
            "content/talks/b.md",
            "---\ntitle: B\nroom: Lobby\nstart: 2024-05-01 10:30\n---\n",
        ),
        (
            "content/talks/c.md",
            "---\ntitle: C\nroom: Hall\nstart: 2024-05-01 10:00\nduration: 1h\n---\n",
        ),
        (
            "content/talks/d.md",
            "---\ntitle: D\nroom: Hall\nstart: 2024-05-01 10:30\nstatus: cancelled\n---\n",
        ),
    ]);
    let (p, d) =
        programme::load_programme(&Options::new(dir.path())).unwrap_or_else(|d| panic!("{d}"));
    assert!(d.is_empty(), "{d}");
    assert_eq!(p.rooms[0].talks.len(), 2);
    assert!(p.talks[p.talk_by_slug("d").unwrap()].is_cancelled());
}
