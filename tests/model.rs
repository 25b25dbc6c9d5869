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
