//! Whole-site tests of the HTML output and the default theme: every page of
//! the output layout exists and shows the right data.

mod common;

use common::{build_example, build_memory, fixture, text};

/// The part of a page between two markers (panics when absent).
fn between<'a>(html: &'a str, from: &str, to: &str) -> &'a str {
    let start = html
        .find(from)
        .unwrap_or_else(|| panic!("`{from}` not found"));
    let rest = &html[start..];
    let end = rest.find(to).unwrap_or(rest.len());
    &rest[..end]
}

#[test]
fn example_has_every_page_of_the_layout() {
    let built = build_example();
    let p = &built.programme;
    for path in [
        "index.html",
        "404.html",
        "speakers/index.html",
        "unscheduled/index.html",
        "theme/style.css",
        "logo.svg",
    ] {
        assert!(built.output.contains(path), "missing {path}");
    }
    for t in &p.talks {
        assert!(built
            .output
            .contains(&format!("talks/{}/index.html", t.slug)));
    }
    for s in &p.speakers {
        assert!(built
            .output
            .contains(&format!("speakers/{}/index.html", s.slug)));
    }
    for r in &p.rooms {
        assert!(built
            .output
            .contains(&format!("rooms/{}/index.html", r.slug)));
    }
    for t in &p.tracks {
        assert!(built
            .output
            .contains(&format!("tracks/{}/index.html", t.slug)));
    }
    for pg in &p.pages {
        assert!(built
            .output
            .contains(&format!("pages/{}/index.html", pg.slug)));
    }
    for d in &p.days {
        assert!(built
            .output
            .contains(&format!("days/{}/index.html", d.date.format("%Y-%m-%d"))));
    }
}

#[test]
fn index_has_a_section_per_day_with_rooms_in_declared_order() {
    let built = build_example();
    let index = text(&built, "index.html");
    assert!(index.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    let day1 = between(&index, "id=\"day-2017-04-25\"", "</section>");
    let day2 = between(&index, "id=\"day-2017-04-26\"", "</section>");
    // Rooms as column headers, in declared order.
    let head = between(day1, "<thead>", "</thead>");
    let order: Vec<usize> = [
        "Main Plenary (Sala Verde)",
        "Room 4",
        "Room 2",
        "Hack Space",
    ]
    .iter()
    .map(|r| head.find(r).unwrap_or_else(|| panic!("{r} not a column")))
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    // A 90-minute workshop spans two rows (14:00-15:00, 15:00-15:30).
    assert!(day1.contains(
        "rowspan=\"2\" class=\"talk track-research\" data-slug=\"measuring-what-matters\""
    ));
    // The lunch break spans all four columns of day one, three of day two.
    assert!(day1.contains("colspan=\"4\" class=\"talk break\" data-slug=\"lunch-day-one\""));
    assert!(day2.contains("colspan=\"3\" class=\"talk break\" data-slug=\"lunch-day-two\""));
    // The anchor session is on day two, not day one.
    assert!(day2.contains("The impacts of Civic Tech... on the people who make it"));
    assert!(!day1.contains("The impacts of Civic Tech"));
    // Track colours reach the page.
    assert!(index.contains(".track-impact{--track:#a8324f}"));
    // Hooks for scripts.
    assert!(index.contains("<div id=\"attendee-tools\"></div>"));
    assert!(day2.contains("data-start=\"2017-04-26T10:15:00Z\" data-end=\"2017-04-26T11:00:00Z\""));
}

#[test]
fn talk_page_shows_times_with_offset_speakers_room_and_neighbours() {
    let built = build_example();
    let page = text(
        &built,
        "talks/the-impacts-of-civic-tech-on-the-people-who-make-it/index.html",
    );
    assert!(page.contains("<h1>The impacts of Civic Tech... on the people who make it</h1>"));
    assert!(page.contains("<time datetime=\"2017-04-26T12:15:00+02:00\">12:15</time>"));
    assert!(page.contains("<time datetime=\"2017-04-26T13:00:00+02:00\">13:00</time>"));
    assert!(page.contains(
        "<a href=\"../../speakers/julia-kloiber/index.html\">Julia Kloiber</a> <span class=\"affiliation\">(Code for Germany)</span>"
    ));
    assert!(page.contains("<a href=\"../../speakers/sheba-najmi/index.html\">Sheba Najmi</a>"));
    assert!(page.contains("<a href=\"../../rooms/room-4/index.html\">Room 4</a>"));
    assert!(page.contains("Wednesday 26 April 2017"));
    // Previous in Room 4 is the day-one workshop; there is no next.
    let nav = between(&page, "class=\"prev-next\"", "</nav>");
    assert!(nav.contains("href=\"../../talks/measuring-what-matters/index.html\" rel=\"prev\""));
    assert!(!nav.contains("rel=\"next\""));
    // Add to calendar: subscribe and download.
    let cal = between(&page, "Add to calendar", "</section>");
    assert!(cal.contains(
        "href=\"webcal://example.org/tictec2017/talks/the-impacts-of-civic-tech-on-the-people-who-make-it.ics\""
    ));
    assert!(cal.contains(
        "href=\"../../talks/the-impacts-of-civic-tech-on-the-people-who-make-it.ics\" download"
    ));
}

#[test]
fn talk_after_midnight_is_on_its_event_day() {
    let built = build_example();
    let index = text(&built, "index.html");
    let day1 = between(&index, "id=\"day-2017-04-25\"", "</section>");
    assert!(day1.contains("data-slug=\"hack-night\""));
    let page = text(&built, "talks/hack-night/index.html");
    assert!(page.contains(
        "Tuesday 25 April 2017</a>, <time datetime=\"2017-04-25T21:00:00+02:00\">21:00</time>"
    ));
    assert!(page.contains("<time datetime=\"2017-04-26T01:30:00+02:00\">01:30</time>"));
}

#[test]
fn cancelled_talk_is_marked() {
    let built = build_example();
    let page = text(&built, "talks/open-data-clinic/index.html");
    assert!(page.contains("<strong>Cancelled.</strong>"));
    assert!(page.contains("data-status=\"cancelled\""));
    let index = text(&built, "index.html");
    let cell = between(&index, "data-slug=\"open-data-clinic\"", "</td>");
    assert!(cell.contains("Cancelled</strong>"), "{cell}");
}

#[test]
fn unscheduled_talks_are_listed() {
    let built = build_example();
    let page = text(&built, "unscheduled/index.html");
    assert!(page.contains("href=\"../talks/welcome/index.html\">Welcome</a>"));
    assert!(page.contains("Understanding impact: the year in mySociety research"));
    assert!(!page.contains("data-slug=\"uncivic-tech\""));
    let welcome = text(&built, "talks/welcome/index.html");
    assert!(welcome.contains("Not yet scheduled"));
    assert!(!welcome.contains("Add to calendar"));
}

#[test]
fn same_input_same_bytes() {
    let a = build_example();
    let b = build_example();
    assert_eq!(a.output, b.output);
}

#[test]
fn fixtures_build() {
    for case in [
        "after-midnight",
        "dst-change",
        "site-features",
        "theme-override",
    ] {
        let built = build_memory(&fixture(case));
        assert!(built.output.contains("index.html"), "{case}");
    }
}
