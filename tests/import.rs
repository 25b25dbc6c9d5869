//! `programme import`: pretalx and frab schedule.json, frab and pentabarf
//! schedule.xml into content/ that builds; the hard cases (after midnight,
//! day plus start, no time zone, duplicate titles, odd characters, HTML
//! abstracts, overlapping rooms); never overwriting; the round trip.

mod common;
mod schema;

use programme::import::{run, ImportOptions};
use std::path::{Path, PathBuf};

fn import_fixture(name: &str) -> PathBuf {
    common::repo().join("tests/fixtures/import").join(name)
}

fn import(file: &Path, into: &Path, timezone: Option<&str>) -> programme::import::Imported {
    match run(&ImportOptions {
        file: file.to_path_buf(),
        into: into.to_path_buf(),
        timezone: timezone.map(str::to_string),
        force: false,
    }) {
        Ok(i) => i,
        Err(d) => panic!("import of {} failed:\n{d}", file.display()),
    }
}

fn read(root: &Path, path: &str) -> String {
    std::fs::read_to_string(root.join(path))
        .unwrap_or_else(|e| panic!("{}: {e}", root.join(path).display()))
}

/// Imports a site's own schedule.json and checks that building the result
/// gives the same schedule.json, byte for byte.
fn round_trip(site: &Path) {
    let first = common::build_memory(site);
    let json = first.output.get("schedule.json").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("schedule.json");
    std::fs::write(&file, json).unwrap();
    let into = dir.path().join("site");
    import(&file, &into, None);
    let second = common::build_memory(&into);
    let again = second.output.get("schedule.json").unwrap();
    if json != again {
        let (a, b) = (
            String::from_utf8_lossy(json),
            String::from_utf8_lossy(again),
        );
        let line = a
            .lines()
            .zip(b.lines())
            .position(|(x, y)| x != y)
            .unwrap_or(0);
        panic!(
            "the round trip of {} changed schedule.json at line {}:\n  before: {}\n  after:  {}",
            site.display(),
            line + 1,
            a.lines().nth(line).unwrap_or(""),
            b.lines().nth(line).unwrap_or("")
        );
    }
}

#[test]
fn round_trip_of_the_example() {
    round_trip(&common::repo());
}

#[test]
fn round_trip_of_the_features_fixture() {
    round_trip(&common::fixture("frab-features"));
}

#[test]
fn round_trip_of_late_night_and_hostile_fixtures() {
    round_trip(&common::fixture("frab-after-midnight"));
    round_trip(&common::fixture("frab-hostile"));
}

/// Imports a fixture into a fresh folder, builds it, validates its schedules.
fn import_and_build(name: &str, timezone: Option<&str>) -> (tempfile::TempDir, programme::Built) {
    let dir = tempfile::tempdir().unwrap();
    import(&import_fixture(name), dir.path(), timezone);
    let built = common::build_memory(dir.path());
    schema::both(&built, &format!("the import of {name}"));
    (dir, built)
}

fn talk<'a>(built: &'a programme::Built, slug: &str) -> &'a programme::model::Talk {
    built
        .programme
        .talks
        .iter()
        .find(|t| t.slug == slug)
        .unwrap_or_else(|| panic!("no talk {slug}"))
}

fn local(t: &programme::model::Talk) -> String {
    t.slot
        .unwrap()
        .start
        .format("%Y-%m-%d %H:%M %:z")
        .to_string()
}

fn event_day(t: &programme::model::Talk) -> String {
    t.slot.unwrap().day.to_string()
}

fn room<'a>(built: &'a programme::Built, name: &str) -> &'a programme::model::Room {
    built
        .programme
        .rooms
        .iter()
        .find(|r| r.name == name)
        .unwrap_or_else(|| panic!("no room {name}"))
}

#[test]
fn pretalx_json() {
    let (dir, built) = import_and_build("pretalx.json", None);
    let p = &built.programme;
    assert_eq!(p.conference.acronym, "pxconf");
    assert_eq!(p.conference.timezone.name(), "Europe/Berlin");
    assert_eq!(p.talks.len(), 7);
    // Rooms in declared order with capacity; the one with overlaps is shared.
    let rooms: Vec<_> = p
        .rooms
        .iter()
        .map(|r| (r.name.as_str(), r.capacity, r.shared))
        .collect();
    assert_eq!(
        rooms,
        [("Saal 1", Some(500), false), ("Workshop", None, true)]
    );
    assert_eq!(p.tracks[1].name, "Community & Society");
    assert_eq!(p.tracks[1].color.as_deref(), Some("#2980b9"));
    // Duplicate titles get distinct slugs, in time order.
    assert_eq!(
        talk(&built, "lightning-talks").extra["subtitle"],
        "Round one"
    );
    assert_eq!(
        talk(&built, "lightning-talks-2").extra["subtitle"],
        "Round two"
    );
    // After midnight: 00:30 on 2 August, in the event day of 1 August.
    let odd = "Ünïcödé: \"quoted\" #hash - [brackets] & <angle> — after midnight";
    let late = p
        .talks
        .iter()
        .find(|t| t.title == odd)
        .expect("odd title kept exactly");
    assert_eq!(local(late), "2030-08-02 00:30 +02:00");
    assert_eq!(event_day(late), "2030-08-01");
    let names: Vec<_> = late
        .speakers
        .iter()
        .map(|&s| p.speakers[s].name.as_str())
        .collect();
    assert_eq!(names, ["O'Brien, Zoë \"Z\"", "李明"]);
    // Markdown stays Markdown; HTML becomes Markdown, without the script.
    let opening = talk(&built, "opening");
    assert_eq!(
        opening.abstract_.markdown.trim(),
        "Welcome, with **Markdown** as pretalx writes it."
    );
    assert_eq!(
        opening.slides.as_deref(),
        Some("https://example.org/opening.pdf")
    );
    let links: Vec<_> = opening.links.iter().map(|l| l.url.as_str()).collect();
    assert_eq!(
        links,
        ["https://example.org/paper.pdf"],
        "the javascript: link is dropped"
    );
    let html = &talk(&built, "lightning-talks").abstract_;
    assert_eq!(
        html.markdown.trim(),
        "An **HTML** abstract with a [link](<https://example.org/more>)."
    );
    assert!(!html.html.contains("script"));
    assert_eq!(talk(&built, "lightning-talks").kind, "lightning talk");
    // pretalx's ids are kept as `id:`, and so in the schedule.
    let file = read(dir.path(), "content/talks/opening.md");
    assert!(file.contains("id: 101"), "{file}");
    let json = common::text(&built, "schedule.json");
    assert!(json.contains("\"id\": 101,"));
    // Bios come along.
    let zoe = p
        .speakers
        .iter()
        .find(|s| s.name.starts_with("O'Brien"))
        .unwrap();
    assert_eq!(zoe.bio.markdown.trim(), "Runs *things*.");
}

#[test]
fn frab_json() {
    let (_dir, built) = import_and_build("frab.json", None);
    let p = &built.programme;
    assert_eq!(p.conference.timezone.name(), "Europe/Amsterdam");
    assert_eq!(p.talks.len(), 5);
    // `public_name` persons; HTML description after the plain abstract.
    let keynote = talk(&built, "keynote");
    let names: Vec<_> = keynote
        .speakers
        .iter()
        .map(|&s| p.speakers[s].name.as_str())
        .collect();
    assert_eq!(names, ["Jane Doe", "Ådne Ørsted-Åsheim"]);
    assert_eq!(
        keynote.abstract_.markdown.trim(),
        "The opening keynote.\n\nA *longer* description in HTML, with a list:\n\n- one\n- two & three"
    );
    // An event with no `date`: the day's date and its start, after midnight so the next date.
    // Duplicate titles: slugs in time order, so the night one is second.
    let night = talk(&built, "q-a-2");
    assert_eq!(night.title, "Q&A");
    assert_eq!(local(night), "2030-11-08 01:15 +01:00");
    assert_eq!(event_day(night), "2030-11-07");
    assert_eq!(
        talk(&built, "q-a").room.map(|r| p.rooms[r].name.as_str()),
        Some("Hall B")
    );
    assert!(room(&built, "Hall B").shared);
    assert!(!room(&built, "Hall A").shared);
}

#[test]
fn frab_xml() {
    let (dir, built) = import_and_build("frab.xml", None);
    let p = &built.programme;
    assert_eq!(p.conference.title, "XML & Friends");
    assert_eq!(p.conference.timezone.name(), "America/New_York");
    let tracks: Vec<_> = p
        .tracks
        .iter()
        .map(|t| (t.name.as_str(), t.color.as_deref()))
        .collect();
    assert_eq!(
        tracks,
        [("Hardware", Some("#aa3355")), ("Software", Some("#3355aa"))]
    );
    let solder = talk(&built, "soldering-101");
    assert_eq!(solder.title, "Soldering <101>");
    assert_eq!(
        solder.abstract_.markdown.trim(),
        "HTML inside **CDATA**, and an image.\n\nEscaped HTML with a [kit list](<https://example.org/kit>)."
    );
    assert_eq!(
        solder.slides.as_deref(),
        Some("https://example.org/soldering.pdf")
    );
    assert_eq!(
        p.speakers[solder.speakers[0]].name,
        "Ada \"The Countess\" Lovelace"
    );
    let late = talk(&built, "late-hacking-till-two");
    assert_eq!(local(late), "2030-05-17 00:15 -04:00");
    assert_eq!(event_day(late), "2030-05-16");
    assert_eq!(
        p.speakers[late.speakers[0]].name,
        "Bob Tables'); DROP TABLE talks;--"
    );
    // Duplicate titles overlapping in one room: distinct slugs, room shared.
    assert_eq!(
        talk(&built, "lab-time").title,
        talk(&built, "lab-time-2").title
    );
    assert!(room(&built, "Lab \"1\"").shared);
    let yaml = read(dir.path(), "content/conference.yaml");
    assert!(
        yaml.contains("- name: \"Lab \\\"1\\\"\"\n    shared: true"),
        "{yaml}"
    );
    // The source's site is not taken as ours.
    assert!(p.conference.base_url.is_none());
    assert!(yaml.contains("# The schedule came from https://frab.example.org/en/xmlconf/public/"));
}

#[test]
fn pentabarf_xml_needs_a_time_zone() {
    let file = import_fixture("pentabarf.xml");
    let dir = tempfile::tempdir().unwrap();
    let err = run(&ImportOptions {
        file: file.clone(),
        into: dir.path().to_path_buf(),
        timezone: None,
        force: false,
    })
    .unwrap_err();
    let d = err.iter().next().unwrap();
    assert_eq!(d.code, "import-timezone");
    assert_eq!(d.file.as_deref(), Some(file.as_path()));
    assert!(d.help.as_deref().unwrap().contains("--timezone"), "{d}");
    assert!(!dir.path().join("content").exists(), "nothing is written");

    let bad = run(&ImportOptions {
        file: file.clone(),
        into: dir.path().to_path_buf(),
        timezone: Some("Europe/Brusels".into()),
        force: false,
    })
    .unwrap_err();
    let d = bad.iter().next().unwrap();
    assert!(
        d.help.as_deref().unwrap().contains("Europe/Brussels"),
        "{d}"
    );
}

#[test]
fn pentabarf_xml() {
    let (_dir, built) = import_and_build("pentabarf.xml", Some("Europe/Brussels"));
    let p = &built.programme;
    assert_eq!(p.conference.timezone.name(), "Europe/Brussels");
    assert_eq!(p.conference.acronym, "penta_meeting_2030");
    assert_eq!(p.talks.len(), 6);
    // Day plus start, with the source's day change (06:00): 01:30 is the next date.
    let night = talk(&built, "night-session");
    assert_eq!(local(night), "2030-02-03 01:30 +01:00");
    assert_eq!(event_day(night), "2030-02-02");
    assert_eq!(local(talk(&built, "welcome")), "2030-02-02 09:30 +01:00");
    assert_eq!(
        talk(&built, "welcome")
            .slot
            .unwrap()
            .duration()
            .num_minutes(),
        25
    );
    assert_eq!(talk(&built, "welcome-2").title, "Welcome");
    assert_eq!(
        talk(&built, "welcome").abstract_.markdown.trim(),
        "Opening words\\\nand a **warm** welcome."
    );
    let juergen = talk(&built, "welcome-2").speakers[0];
    assert_eq!(p.speakers[juergen].name, "Jürgen & Søren");
    assert!(room(&built, "H.1302 (Depage)").shared);
    assert!(!room(&built, "Janson").shared);
}

#[test]
fn never_overwrites_content_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let file = import_fixture("frab.json");
    import(&file, dir.path(), None);
    let marker = dir.path().join("content/talks/mine.md");
    std::fs::write(&marker, "---\ntitle: Mine\n---\n").unwrap();

    // The command line: exit 1 and a clear message.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_programme"))
        .arg("import")
        .arg(&file)
        .arg("--into")
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("already exists") && stderr.contains("--force"),
        "{stderr}"
    );
    assert!(marker.exists(), "the existing content is untouched");

    let forced = run(&ImportOptions {
        file: import_fixture("pretalx.json"),
        into: dir.path().to_path_buf(),
        timezone: None,
        force: true,
    })
    .unwrap();
    assert!(forced.summary.contains("7 talks"), "{}", forced.summary);
    assert!(!marker.exists(), "--force replaces content/");
    assert!(dir.path().join("content/talks/opening.md").exists());
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(leftovers, ["content"], "no staging folders left behind");
}

#[test]
fn bad_input_is_a_diagnostic_naming_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "broken.xml",
            "<schedule>\n  <conference>\n    <title>x</titel>\n",
            Some(3),
        ),
        (
            "broken.json",
            "{\n  \"schedule\": {\n    \"conference\": [,]\n",
            Some(3),
        ),
        ("other.json", "{\"not\": \"a schedule\"}", None),
        (
            "other.xml",
            "<?xml version=\"1.0\"?>\n<html><body/></html>\n",
            Some(2),
        ),
        ("text.txt", "hello", None),
    ];
    for (name, text, line) in cases {
        let file = dir.path().join(name);
        std::fs::write(&file, text).unwrap();
        let err = run(&ImportOptions {
            file: file.clone(),
            into: dir.path().join("out"),
            timezone: Some("UTC".into()),
            force: false,
        })
        .unwrap_err();
        let d = err.iter().next().unwrap();
        assert_eq!(d.file.as_deref(), Some(file.as_path()), "{name}: {d}");
        assert_eq!(d.line, line, "{name}: {d}");
        assert!(d.help.is_some(), "{name}: {d}");
        assert!(!dir.path().join("out/content").exists());
    }
    let missing = run(&ImportOptions {
        file: dir.path().join("nope.json"),
        into: dir.path().join("out"),
        timezone: None,
        force: false,
    })
    .unwrap_err();
    assert!(missing.to_string().contains("could not read"), "{missing}");
}

#[test]
fn a_bad_event_time_names_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("schedule.xml");
    std::fs::write(
        &file,
        "<schedule>\n  <conference><title>T</title></conference>\n  <day date=\"2030-01-01\" index=\"1\">\n    <room name=\"R\">\n      <event id=\"1\">\n        <start>25:61</start>\n        <duration>00:30</duration>\n        <title>Bad</title>\n      </event>\n    </room>\n  </day>\n</schedule>\n",
    )
    .unwrap();
    let err = run(&ImportOptions {
        file: file.clone(),
        into: dir.path().join("out"),
        timezone: Some("UTC".into()),
        force: false,
    })
    .unwrap_err();
    let d = err.iter().next().unwrap();
    assert_eq!(d.line, Some(5), "{d}");
    assert!(d.message.contains("25:61"), "{d}");
    assert_eq!(d.file.as_deref(), Some(file.as_path()));
}

#[test]
fn timezone_flag_overrides_the_file_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let imported = run(&ImportOptions {
        file: import_fixture("frab.json"),
        into: dir.path().to_path_buf(),
        timezone: Some("Europe/Berlin".into()),
        force: false,
    })
    .unwrap();
    assert!(
        imported
            .warnings
            .iter()
            .any(|w| w.code == "import-timezone"),
        "{}",
        imported.warnings
    );
    let built = common::build_memory(dir.path());
    // Offsets keep the instants exact: 10:00+01:00 in Amsterdam is 10:00 in Berlin too.
    assert_eq!(local(talk(&built, "keynote")), "2030-11-07 10:00 +01:00");
}

#[test]
fn truncated_files_never_panic_and_never_leave_half_a_content_folder() {
    for name in ["pretalx.json", "frab.json", "frab.xml", "pentabarf.xml"] {
        let text = std::fs::read_to_string(import_fixture(name)).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let step = text.len() / 60 + 1;
        let mut cut = 0;
        while cut < text.len() {
            while !text.is_char_boundary(cut) {
                cut += 1;
            }
            let file = dir.path().join(name);
            std::fs::write(&file, &text[..cut]).unwrap();
            let into = dir.path().join(format!("out-{cut}"));
            let result = run(&ImportOptions {
                file,
                into: into.clone(),
                timezone: Some("Europe/Brussels".into()),
                force: false,
            });
            match result {
                Ok(_) => assert!(into.join("content/conference.yaml").exists()),
                Err(d) => {
                    assert!(d.has_errors());
                    assert!(!into.join("content").exists(), "{name} cut at {cut}");
                }
            }
            cut += step;
        }
    }
}

#[test]
fn round_trip_of_a_generated_programme() {
    // Several hundred talks with the generator's mix of rooms, tracks,
    // late-night, cancelled and unscheduled talks and odd names.
    let dir = tempfile::tempdir().unwrap();
    programme::synth::generate(300, 7, dir.path()).unwrap();
    let built = common::build_memory(dir.path());
    schema::both(&built, "a generated programme of 300 talks");
    round_trip(dir.path());
}
