//! frab / c3voc schedule.json and schedule.xml: valid against the vendored
//! schema files, with stable guids and ids, the formats' conventions for
//! late-night and cancelled talks, and escaping of hostile text.

mod common;
mod schema;

use programme::Built;
use serde_json::Value;

fn json(built: &Built) -> Value {
    serde_json::from_str(&common::text(built, "schedule.json")).unwrap()
}

fn conference(v: &Value) -> &Value {
    &v["schedule"]["conference"]
}

/// Every event of a schedule.json, in day and room order.
fn events(v: &Value) -> Vec<&Value> {
    let mut out = Vec::new();
    for day in conference(v)["days"].as_array().unwrap() {
        for (_, evs) in day["rooms"].as_object().unwrap() {
            out.extend(evs.as_array().unwrap());
        }
    }
    out
}

fn event<'a>(v: &'a Value, slug: &str) -> &'a Value {
    events(v)
        .into_iter()
        .find(|e| {
            e["url"]
                .as_str()
                .unwrap()
                .ends_with(&format!("talks/{slug}/"))
        })
        .unwrap_or_else(|| panic!("no event {slug}"))
}

#[test]
fn example_schedules_are_valid() {
    let built = common::build_example();
    schema::both(&built, "the example");
}

#[test]
fn fixture_schedules_are_valid() {
    for case in [
        "frab-empty",
        "frab-hostile",
        "frab-after-midnight",
        "frab-cancelled",
        "frab-features",
    ] {
        let built = common::build_memory(&common::fixture(case));
        schema::both(&built, case);
    }
}

/// Every event guid of a schedule.xml, read with an XML parser.
fn xml_events(xml: &str) -> Vec<(String, String)> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = Vec::new();
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) if e.name().as_ref() == b"event" => {
                let attr = |name: &[u8]| {
                    e.try_get_attribute(name)
                        .unwrap()
                        .unwrap()
                        .unescape_value()
                        .unwrap()
                        .to_string()
                };
                out.push((attr(b"guid"), attr(b"id")));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

/// The text of every `<name>` element, unescaped by an XML parser.
fn xml_texts(xml: &str, name: &str) -> Vec<String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = Vec::new();
    let mut inside = false;
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) if e.name().as_ref() == name.as_bytes() => {
                inside = true;
                out.push(String::new());
            }
            Event::Text(t) if inside => out.last_mut().unwrap().push_str(&t.unescape().unwrap()),
            Event::End(e) if e.name().as_ref() == name.as_bytes() => inside = false,
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

fn uuid5(name: &str) -> String {
    let ns = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, b"urn:programme:frab");
    uuid::Uuid::new_v5(&ns, name.as_bytes()).to_string()
}

#[test]
fn guids_are_uuid5_of_acronym_and_slug_and_ids_positive_and_unique() {
    let built = common::build_example();
    let v = json(&built);
    let evs = events(&v);
    assert!(
        evs.len() >= 8,
        "the example has most of its talks scheduled"
    );
    let mut guids = std::collections::BTreeSet::new();
    let mut ids = std::collections::BTreeSet::new();
    let mut slugs = std::collections::BTreeSet::new();
    for e in &evs {
        let slug = e["slug"].as_str().unwrap();
        let talk = slug.strip_prefix("tictec2017-").unwrap();
        assert_eq!(e["guid"], uuid5(&format!("tictec2017/talks/{talk}")));
        assert_eq!(
            e["url"],
            format!("https://example.org/tictec2017/talks/{talk}/")
        );
        let id = e["id"].as_u64().unwrap();
        assert!((1..=i32::MAX as u64).contains(&id));
        assert!(guids.insert(e["guid"].as_str().unwrap()));
        assert!(ids.insert(id));
        assert!(slugs.insert(slug));
        for p in e["persons"].as_array().unwrap() {
            assert!(p["id"].as_u64().unwrap() >= 1);
            let slug = p["url"].as_str().unwrap().trim_end_matches('/');
            let slug = slug.rsplit('/').next().unwrap();
            assert_eq!(p["guid"], uuid5(&format!("tictec2017/speakers/{slug}")));
            assert!(!p["name"].as_str().unwrap().is_empty());
        }
    }
    for room in conference(&v)["rooms"].as_array().unwrap() {
        let slug = room["slug"].as_str().unwrap();
        assert_eq!(room["guid"], uuid5(&format!("tictec2017/rooms/{slug}")));
    }
    // The XML carries the same events, guids and ids.
    let xml = common::text(&built, "schedule.xml");
    // (serde_json::Value sorts the rooms of a day by name, so compare as sets.)
    let mut from_xml: Vec<(String, String)> = xml_events(&xml);
    let mut from_json: Vec<(String, String)> = evs
        .iter()
        .map(|e| (e["guid"].as_str().unwrap().into(), e["id"].to_string()))
        .collect();
    from_xml.sort();
    from_json.sort();
    assert_eq!(from_xml, from_json);
}

#[test]
fn the_same_content_gives_the_same_bytes() {
    let a = common::build_memory(&common::fixture("frab-features"));
    let b = common::build_memory(&common::fixture("frab-features"));
    assert_eq!(a.output.get("schedule.json"), b.output.get("schedule.json"));
    assert_eq!(a.output.get("schedule.xml"), b.output.get("schedule.xml"));
}

#[test]
fn adding_a_talk_keeps_every_other_guid_and_id() {
    let site = common::temp_site(&common::fixture("frab-features"));
    let before = json(&common::build_memory(site.path()));
    std::fs::write(
        site.path().join("content/talks/aaa-new.md"),
        "---\ntitle: A new talk\nroom: Q\nstart: 2030-09-14 09:00\n---\nAdded late.\n",
    )
    .unwrap();
    let after_built = common::build_memory(site.path());
    schema::both(&after_built, "frab-features with a talk added");
    let after = json(&after_built);
    let key = |e: &Value| (e["slug"].clone(), e["guid"].clone(), e["id"].clone());
    let old: Vec<_> = events(&before).into_iter().map(key).collect();
    let new: Vec<_> = events(&after).into_iter().map(key).collect();
    assert_eq!(new.len(), old.len() + 1);
    for e in &old {
        assert!(new.contains(e), "{e:?} changed after adding a talk");
    }
    assert_ne!(
        before["schedule"]["version"], after["schedule"]["version"],
        "the schedule version changes with the content"
    );
}

#[test]
fn a_pinned_id_is_used_and_bad_pins_are_errors() {
    let v = json(&common::build_memory(&common::fixture("frab-features")));
    assert_eq!(event(&v, "web-two")["id"], 4242);

    let site = common::temp_site(&common::fixture("frab-features"));
    std::fs::write(
        site.path().join("content/talks/dup.md"),
        "---\ntitle: Dup\nroom: Q\nstart: 2030-09-14 09:00\nid: 4242\n---\n",
    )
    .unwrap();
    std::fs::write(
        site.path().join("content/talks/neg.md"),
        "---\ntitle: Neg\nroom: Q\nstart: 2030-09-14 10:00\nid: -3\n---\n",
    )
    .unwrap();
    let err = programme::build_in_memory(&programme::Options::new(site.path())).unwrap_err();
    let frab: Vec<_> = err.iter().filter(|d| d.code == "frab-id").collect();
    assert_eq!(frab.len(), 2, "{err}");
    let files: Vec<String> = frab
        .iter()
        .map(|d| d.file.as_ref().unwrap().display().to_string())
        .collect();
    assert!(files.iter().any(|f| f.ends_with("neg.md")), "{files:?}");
    assert!(
        frab.iter()
            .any(|d| d.message.contains("web-two.md")
                || files.iter().any(|f| f.ends_with("web-two.md"))),
        "{err}"
    );
}

#[test]
fn fields_persons_links_tracks_and_rooms() {
    let v = json(&common::build_memory(&common::fixture("frab-features")));
    let c = conference(&v);
    assert_eq!(c["acronym"], "featfest");
    assert_eq!(c["time_zone_name"], "Europe/Amsterdam");
    assert_eq!(c["start"], "2030-09-14");
    assert_eq!(c["end"], "2030-09-15");
    assert_eq!(c["daysCount"], 2);
    let tracks = c["tracks"].as_array().unwrap();
    assert_eq!(tracks[0]["color"], "#c0392b");
    assert_eq!(
        tracks[1]["color"], "#1f5f8b",
        "colours are written lower-case"
    );
    assert!(
        tracks[2].get("slug").is_none(),
        "a one-letter slug fails the pattern"
    );
    assert_eq!(c["rooms"][0]["capacity"], 200);

    let ai = event(&v, "ai");
    assert_eq!(ai["duration"], "01:30");
    assert_eq!(ai["date"], "2030-09-14T09:30:00+02:00");
    assert_eq!(ai["end"], "2030-09-14T11:00:00+02:00");
    assert_eq!(ai["start"], "09:30");
    assert_eq!(ai["track"], "Security");
    assert_eq!(ai["language"], "nl", "the conference language by default");
    let names: Vec<_> = ai["persons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Grace Hopper", "Alan Turing"]);
    assert_eq!(ai["persons"][0]["biography"], "Wrote the first compiler.");
    let links: Vec<(&str, &str)> = ai["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["type"].as_str().unwrap(), l["url"].as_str().unwrap()))
        .collect();
    assert_eq!(
        links,
        [
            ("slides", "https://example.org/ai/slides.pdf"),
            ("media", "https://example.org/ai/video"),
            ("related", "https://example.org/ai/paper"),
            ("related", "mailto:ai@example.org"),
        ]
    );
    assert_eq!(event(&v, "opening")["language"], "en");
    assert_eq!(event(&v, "quiet")["duration"], "02:15");
    // Overlapping talks in a shared room are both there.
    let day1 = &c["days"][0]["rooms"]["Open Space"];
    assert_eq!(day1.as_array().unwrap().len(), 2);
    // Unscheduled talks are not.
    assert!(!common::text(
        &common::build_memory(&common::fixture("frab-features")),
        "schedule.json"
    )
    .contains("Someday"));
}

#[test]
fn late_night_talks_stay_in_their_event_day() {
    let built = common::build_memory(&common::fixture("frab-after-midnight"));
    let v = json(&built);
    let days = conference(&v)["days"].as_array().unwrap();
    assert_eq!(days.len(), 2);
    assert_eq!(days[0]["date"], "2030-03-30");
    assert_eq!(days[0]["day_start"], "2030-03-30T05:00:00+01:00");
    assert_eq!(days[0]["day_end"], "2030-03-31T05:00:00+02:00");
    let day_of = |slug: &str| {
        days.iter()
            .position(|d| {
                d["rooms"].as_object().unwrap().values().any(|evs| {
                    evs.as_array()
                        .unwrap()
                        .iter()
                        .any(|e| e["slug"] == format!("nightowls-{slug}"))
                })
            })
            .unwrap()
    };
    assert_eq!(day_of("evening"), 0);
    assert_eq!(day_of("across-midnight"), 0);
    assert_eq!(day_of("after-midnight"), 0);
    assert_eq!(day_of("morning"), 1);
    let across = event(&v, "across-midnight");
    assert_eq!(across["duration"], "01:00");
    assert_eq!(across["end"], "2030-03-31T00:30:00+01:00");
    let late = event(&v, "after-midnight");
    assert_eq!(late["start"], "01:30");
    assert_eq!(late["date"], "2030-03-31T01:30:00+01:00");
    assert_eq!(late["end"], "2030-03-31T04:30:00+02:00");
    assert_eq!(
        late["duration"], "02:00",
        "the hour the clocks skip does not count"
    );
    let xml = common::text(&built, "schedule.xml");
    assert!(xml.contains("<day index=\"1\" date=\"2030-03-30\""));
    assert!(xml.contains("<duration>02:00</duration>"));
}

#[test]
fn an_empty_programme_has_one_empty_day() {
    let built = common::build_memory(&common::fixture("frab-empty"));
    let v = json(&built);
    let days = conference(&v)["days"].as_array().unwrap();
    assert_eq!(days.len(), 1, "schedule.xml needs at least one day");
    assert!(events(&v).is_empty());
    assert_eq!(conference(&v)["daysCount"], 1);
    assert!(common::text(&built, "schedule.xml").contains("<day index=\"1\""));
}

#[test]
fn cancelled_talks_are_left_out_as_frab_does() {
    let built = common::build_memory(&common::fixture("frab-cancelled"));
    let v = json(&built);
    let slugs: Vec<_> = events(&v).iter().map(|e| e["slug"].clone()).collect();
    assert_eq!(slugs, ["cancelconf-kept"]);
    let xml = common::text(&built, "schedule.xml");
    assert_eq!(xml_events(&xml).len(), 1);
    assert!(!xml.contains("Dropped"));
    // The day whose only talk was cancelled stays, empty, so day indices do not shift.
    assert_eq!(conference(&v)["daysCount"], 2);
}

#[test]
fn hostile_text_survives_both_formats_exactly() {
    let built = common::build_memory(&common::fixture("frab-hostile"));
    let v = json(&built);
    let title = "<script>alert(1)</script> & \"quotes\" 'single' ]]> \u{7}bell\ttab";
    let e = &events(&v)[0];
    assert_eq!(e["title"], title);
    assert_eq!(e["persons"][0]["name"], "Ada <Lovelace> & \"Co\"");
    assert_eq!(e["persons"][1]["name"], "李明 🎉");
    assert_eq!(e["language"], "en\"><x>");
    assert_eq!(
        conference(&v)["title"],
        "Hostile <Conf> & \"Friends\" ]]> 'quoted'"
    );

    let xml = common::text(&built, "schedule.xml");
    assert!(!xml.contains("<script"), "markup in text is escaped");
    assert!(!xml.contains("<evil"));
    assert!(
        !xml.contains('\u{7}'),
        "XML 1.0 cannot carry a bell character"
    );
    let titles = xml_texts(&xml, "title");
    assert_eq!(titles[0], "Hostile <Conf> & \"Friends\" ]]> 'quoted'");
    assert_eq!(titles[1], title.replace('\u{7}', "\u{FFFD}"));
    assert_eq!(xml_texts(&xml, "person")[0], "Ada <Lovelace> & \"Co\"");
    let links = xml_texts(&xml, "link");
    assert_eq!(links[1], "</link><evil attr=\"x\">");
    assert!(xml_texts(&xml, "abstract")[0].contains("a line break\nand a second line."));
}
