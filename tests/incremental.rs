//! Incremental rebuilds give the bytes of a fresh build: a session is driven
//! through a series of edits (titles, times, rooms, added and deleted talks,
//! a renamed speaker, conference.yaml, theme templates, an error and its fix)
//! and after each one every output file and every diagnostic is compared
//! with `build_in_memory` from scratch.

mod common;

use programme::incremental::Session;
use programme::{build_in_memory, Options};
use std::path::Path;
use std::time::{Duration, SystemTime};

/// Rebuilds incrementally and from scratch and asserts both agree exactly.
/// Returns how many pages the incremental build rendered (not reused).
fn rebuild_matches(session: &mut Session, what: &str) -> usize {
    rebuild_and_count(session, what).0
}

/// [`rebuild_matches`], and how many HTML files the site has.
fn rebuild_and_count(session: &mut Session, what: &str) -> (usize, usize) {
    let mut html = 0;
    let (incremental, reuse) = session.build();
    let fresh = build_in_memory(&session.opts);
    match (incremental, fresh) {
        (Ok(inc), Ok(fresh)) => {
            let inc_paths: Vec<&str> = inc.output.paths().collect();
            let fresh_paths: Vec<&str> = fresh.output.paths().collect();
            assert_eq!(inc_paths, fresh_paths, "{what}: different files");
            for (path, bytes) in fresh.output.iter() {
                assert!(
                    inc.output.get(path) == Some(bytes),
                    "{what}: {path} differs from a fresh build"
                );
            }
            assert_eq!(
                inc.diagnostics, fresh.diagnostics,
                "{what}: warnings differ"
            );
            html = fresh
                .output
                .paths()
                .filter(|p| p.ends_with(".html"))
                .count();
        }
        (Err(inc), Err(fresh)) => assert_eq!(inc, fresh, "{what}: errors differ"),
        (inc, fresh) => panic!(
            "{what}: incremental ok={} but fresh ok={}",
            inc.is_ok(),
            fresh.is_ok()
        ),
    }
    (reuse.pages_rendered, html)
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} lacks {from:?}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

/// Moves a file's modification time, so that the build stamp (the newest
/// content mtime) changes even within one second.
fn touch(path: &Path, secs_ahead: u64) {
    let f = std::fs::File::options().write(true).open(path).unwrap();
    f.set_modified(SystemTime::now() + Duration::from_secs(secs_ahead))
        .unwrap();
}

#[test]
fn a_series_of_edits_rebuilds_to_the_bytes_of_a_fresh_build() {
    let site = tempfile::tempdir().unwrap();
    let root = site.path();
    common::copy_tree(&common::repo().join("content"), &root.join("content"));
    let talks = root.join("content/talks");
    let mut session = Session::new(Options::new(root));

    let first = rebuild_matches(&mut session, "first build");
    assert!(first > 10, "the first build renders every page");
    assert_eq!(rebuild_matches(&mut session, "no change"), 0);

    edit(
        &talks.join("uncivic-tech.md"),
        "title: (Un)Civic Tech?",
        "title: Civic Tech, or Not",
    );
    let rendered = rebuild_matches(&mut session, "title changed");
    assert!(
        rendered > 0 && rendered < first,
        "a title edit re-renders some pages, not all ({rendered} of {first})"
    );

    edit(
        &talks.join("uncivic-tech.md"),
        "start: 2017-04-25 10:30",
        "start: 2017-04-25 11:15",
    );
    rebuild_matches(&mut session, "time changed");
    edit(
        &talks.join("uncivic-tech.md"),
        "room: Main Plenary (Sala Verde)",
        "room: Room 4",
    );
    rebuild_matches(&mut session, "room changed");

    std::fs::write(
        talks.join("a-new-talk.md"),
        "---\ntitle: A new talk\nspeakers: Tiago Peixoto\nroom: Room 2\nstart: 2017-04-26 16:00\n---\nAdded while serving.\n",
    )
    .unwrap();
    rebuild_matches(&mut session, "talk added");
    std::fs::remove_file(talks.join("hack-night.md")).unwrap();
    rebuild_matches(&mut session, "talk deleted");

    // A speaker renamed: the profile and the talk that names them.
    edit(
        &root.join("content/speakers/tiago-peixoto.md"),
        "name: Tiago Peixoto",
        "name: Tiago C. Peixoto",
    );
    rebuild_matches(&mut session, "speaker renamed in the profile only");
    edit(
        &talks.join("uncivic-tech.md"),
        "speakers: Tiago Peixoto",
        "speakers: Tiago C. Peixoto",
    );
    edit(
        &talks.join("a-new-talk.md"),
        "speakers: Tiago Peixoto",
        "speakers: Tiago C. Peixoto",
    );
    rebuild_matches(&mut session, "speaker renamed");

    edit(
        &root.join("content/conference.yaml"),
        "title: TICTeC 2017",
        "title: TICTeC 2017 (edited)",
    );
    let (rendered, html) = rebuild_and_count(&mut session, "conference title changed");
    assert!(
        rendered >= html,
        "every page shows the title ({rendered} of {html})"
    );

    // Raw HTML: the same Markdown renders differently once it is trusted.
    std::fs::write(
        talks.join("a-new-talk.md"),
        "---\ntitle: A new talk\nspeakers: Tiago C. Peixoto\nroom: Room 2\nstart: 2017-04-26 16:00\n---\n<span onclick=\"x()\">Added</span> while serving.\n",
    )
    .unwrap();
    rebuild_matches(&mut session, "raw HTML sanitised");
    let conference = root.join("content/conference.yaml");
    let text = std::fs::read_to_string(&conference).unwrap();
    std::fs::write(
        &conference,
        format!("{text}\nmarkdown:\n  raw_html: trusted\n"),
    )
    .unwrap();
    let (_, html) = rebuild_and_count(&mut session, "raw HTML trusted");
    assert!(html > 0, "trusting raw HTML builds");
    std::fs::write(&conference, &text).unwrap();
    rebuild_matches(&mut session, "raw HTML sanitised again");

    // An error, reported like a fresh build, then fixed.
    edit(
        &talks.join("uncivic-tech.md"),
        "start: 2017-04-25 11:15",
        "start: [not a time",
    );
    rebuild_matches(&mut session, "broken front matter");
    edit(
        &talks.join("uncivic-tech.md"),
        "start: [not a time",
        "start: 2017-04-25 25:99",
    );
    rebuild_matches(&mut session, "bad time");
    edit(
        &talks.join("uncivic-tech.md"),
        "start: 2017-04-25 25:99",
        "start: 2017-04-25 11:15",
    );
    rebuild_matches(&mut session, "error fixed");

    // Theme templates: an override appears, changes, reads the stamp, goes.
    let templates = root.join("themes/default/templates");
    std::fs::create_dir_all(&templates).unwrap();
    let talk_html =
        std::fs::read_to_string(common::repo().join("themes/default/templates/talk.html")).unwrap();
    let marked = talk_html.replacen("{% block", "{# edited #}{% block", 1);
    assert_ne!(marked, talk_html, "talk.html has a block to mark");
    std::fs::write(templates.join("talk.html"), &marked).unwrap();
    rebuild_matches(&mut session, "talk.html overridden");
    let stamped = talk_html.replacen(
        "{% block main %}",
        "{% block main %}<p>{{ site.stamp }}</p>",
        1,
    );
    assert_ne!(stamped, talk_html, "talk.html has a main block");
    std::fs::write(templates.join("talk.html"), &stamped).unwrap();
    rebuild_matches(&mut session, "talk.html prints the stamp");
    touch(&talks.join("welcome.md"), 3600);
    let (rendered, html) = rebuild_and_count(&mut session, "stamp moved");
    assert!(html > 0, "the stamped theme builds");
    assert!(
        rendered >= 12,
        "every talk page shows the new stamp ({rendered})"
    );
    std::fs::write(
        templates.join("talk.html"),
        "{% extends \"base.html\" %}{% block main %}{{ talk.title }{% endblock main %}",
    )
    .unwrap();
    rebuild_matches(&mut session, "broken template");
    std::fs::remove_dir_all(root.join("themes")).unwrap();
    rebuild_matches(&mut session, "override removed");
    assert_eq!(rebuild_matches(&mut session, "no change at the end"), 0);
}

/// Publishes the session's last schedule.ics where the next build reads
/// the previous feed, as `programme serve` does.
fn publish_feed(session: &mut Session) {
    let (built, _) = session.build();
    let built = built.expect("the site builds");
    let public = session.opts.output_dir();
    std::fs::create_dir_all(&public).unwrap();
    std::fs::write(
        public.join("schedule.ics"),
        built.output.get("schedule.ics").unwrap(),
    )
    .unwrap();
}

/// The remembered feed pieces (VEVENTs, frab events) are remade whenever
/// anything they show changes: the talk, its speakers, rooms and tracks in
/// conference.yaml, the conference's own settings, and the SEQUENCE numbers
/// carried from the previously published feed.
#[test]
fn feed_pieces_follow_every_input() {
    let site = tempfile::tempdir().unwrap();
    let root = site.path();
    common::copy_tree(&common::repo().join("content"), &root.join("content"));
    let talks = root.join("content/talks");
    let conference = root.join("content/conference.yaml");
    let mut session = Session::new(Options::new(root));
    rebuild_matches(&mut session, "first build");

    // SEQUENCE and DTSTAMP now come from a previous feed.
    publish_feed(&mut session);
    rebuild_matches(&mut session, "previous feed published");
    let (_, reuse) = session.build();
    assert_eq!(reuse.fragments_made, 0, "nothing changed: {reuse:?}");
    edit(
        &talks.join("uncivic-tech.md"),
        "title: (Un)Civic Tech?",
        "title: Civic Tech, or Not",
    );
    rebuild_matches(&mut session, "title changed after publishing");
    let (_, reuse) = session.build();
    assert!(
        reuse.fragments_made == 0 && reuse.fragments_reused > 10,
        "a second build of the same edit reuses every piece: {reuse:?}"
    );
    publish_feed(&mut session);
    rebuild_matches(&mut session, "edit published");
    edit(
        &talks.join("uncivic-tech.md"),
        "title: Civic Tech, or Not",
        "title: Civic Tech, or Not Really",
    );
    rebuild_matches(&mut session, "second edit, SEQUENCE goes on");
    std::fs::write(root.join("public/schedule.ics"), "not a calendar").unwrap();
    rebuild_matches(&mut session, "previous feed broken");
    std::fs::remove_dir_all(root.join("public")).unwrap();
    rebuild_matches(&mut session, "previous feed gone");

    // The talk's own fields.
    for (from, to) in [
        ("type: keynote", "type: talk"),
        ("language: en", "language: it"),
        ("track: Impact", "track: Research"),
        (
            "start: 2017-04-25 10:30",
            "start: 2017-04-25 10:30\nstatus: cancelled",
        ),
        (
            "status: cancelled",
            "slides: https://example.org/slides.pdf",
        ),
        ("slides: https://example.org/slides.pdf", "id: 4242"),
        ("can\ntechnology", "can\n*new* technology"),
    ] {
        edit(&talks.join("uncivic-tech.md"), from, to);
        rebuild_matches(&mut session, &format!("talk: {to}"));
    }
    // Its speaker's profile.
    let speaker = root.join("content/speakers/tiago-peixoto.md");
    edit(
        &speaker,
        "name: Tiago Peixoto",
        "name: Tiago Peixoto\naffiliation: World Bank",
    );
    rebuild_matches(&mut session, "speaker affiliation");
    edit(
        &speaker,
        "gave the opening keynote",
        "gave the first keynote",
    );
    rebuild_matches(&mut session, "speaker biography");
    // Rooms, tracks and the conference's settings.
    for (from, to) in [
        ("name: Main Plenary (Sala Verde)", "name: Sala Verde"),
        ("name: Impact", "name: Impacts"),
        ("color: \"#a8324f\"", "color: \"#123456\""),
        ("acronym: tictec2017", "acronym: tictec17"),
        ("title: TICTeC 2017", "title: TICTeC 2017 (edited)"),
        (
            "base_url: https://example.org/tictec2017/",
            "base_url: https://example.net/t/",
        ),
        ("language: en", "language: de"),
        ("timezone: Europe/Rome", "timezone: Europe/Lisbon"),
        ("day_change: \"04:00\"", "day_change: \"06:00\""),
    ] {
        edit(&conference, from, to);
        // Talks name their room and track as the conference does.
        for talk in std::fs::read_dir(&talks).unwrap() {
            let path = talk.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            let renamed = match (from, to) {
                ("name: Main Plenary (Sala Verde)", _) => {
                    text.replace("room: Main Plenary (Sala Verde)", "room: Sala Verde")
                }
                ("name: Impact", _) => text.replace("track: Impact\n", "track: Impacts\n"),
                _ => text.clone(),
            };
            if renamed != text {
                std::fs::write(&path, renamed).unwrap();
            }
        }
        rebuild_matches(&mut session, &format!("conference: {to}"));
    }
    assert_eq!(rebuild_matches(&mut session, "no change at the end"), 0);
}
