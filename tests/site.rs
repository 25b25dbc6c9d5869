//! Whole-site tests of the HTML output and the default theme: every page of
//! the output layout exists and shows the right data.

mod common;

use common::{build_example, build_memory, fixture, repo, temp_site, text};

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
    // Track colours come from one stylesheet, linked from every page.
    assert!(index.contains("<link rel=\"stylesheet\" href=\"theme/tracks.css\">"));
    assert!(!index.contains("<style>"));
    let tracks_css = text(&built, "theme/tracks.css");
    assert!(tracks_css.contains("\n.track-impact{--track:#a8324f}\n"));
    let talk = text(&built, "talks/measuring-what-matters/index.html");
    assert!(talk.contains("<link rel=\"stylesheet\" href=\"../../theme/tracks.css\">"));
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

#[test]
fn dst_change_shows_the_offset_on_each_side() {
    let built = build_memory(&fixture("dst-change"));
    let sat = text(&built, "talks/saturday/index.html");
    assert!(sat.contains("<time datetime=\"2026-03-28T10:00:00+01:00\">10:00</time>"));
    assert!(sat.contains("CET, UTC+01:00"));
    let sun = text(&built, "talks/sunday/index.html");
    assert!(sun.contains("<time datetime=\"2026-03-29T10:00:00+02:00\">10:00</time>"));
    assert!(sun.contains("CEST, UTC+02:00"));
    // Starts in winter time, ends in summer time: an hour long, on Saturday's event day.
    let through = text(&built, "talks/through-the-change/index.html");
    assert!(through.contains("<time datetime=\"2026-03-29T01:30:00+01:00\">01:30</time>"));
    assert!(through.contains("<time datetime=\"2026-03-29T03:30:00+02:00\">03:30</time>"));
    assert!(through.contains("CET, UTC+01:00 to CEST, UTC+02:00"));
    assert!(through.contains("Saturday 28 March 2026</a>"));
    let index = text(&built, "index.html");
    let sat_day = between(&index, "id=\"day-2026-03-28\"", "</section>");
    assert!(sat_day.contains("data-slug=\"through-the-change\" data-room=\"hall\" data-type=\"talk\" data-start=\"2026-03-29T00:30:00Z\" data-end=\"2026-03-29T01:30:00Z\""));
}

#[test]
fn small_hours_talk_belongs_to_the_evening_before() {
    let built = build_memory(&fixture("after-midnight"));
    let index = text(&built, "index.html");
    let evening = between(&index, "id=\"day-2030-06-12\"", "</section>");
    assert!(evening.contains("data-slug=\"late-set\""));
    assert!(evening.contains("data-slug=\"small-hours\""));
    assert!(!evening.contains("data-slug=\"morning\""));
    let morning = between(&index, "id=\"day-2030-06-13\"", "</section>");
    assert!(morning.contains("data-slug=\"morning\""));
    let page = text(&built, "talks/small-hours/index.html");
    assert!(page.contains("Wednesday 12 June 2030</a>, <time datetime=\"2030-06-13T01:15:00+01:00\">01:15</time> (after midnight, Thursday 13 June 2030)"));
    let day_page = text(&built, "days/2030-06-12/index.html");
    assert!(day_page.contains("href=\"../../talks/small-hours/index.html\""));
}

#[test]
fn titles_and_abstracts_are_escaped() {
    let built = build_memory(&fixture("site-features"));
    for path in [
        "index.html",
        "talks/script-title/index.html",
        "speakers/ada/index.html",
        "tracks/web/index.html",
        "rooms/main/index.html",
        "days/2031-09-01/index.html",
    ] {
        let html = text(&built, path);
        assert!(!html.contains("<script>alert"), "{path} has a raw script");
        assert!(
            html.contains("Why &lt;script&gt;alert(1)&lt;/script&gt; &amp; friends"),
            "{path}"
        );
        assert!(
            html.contains("Features &lt;b&gt;&amp;&lt;/b&gt; Fixtures"),
            "{path}"
        );
    }
    let page = text(&built, "talks/script-title/index.html");
    let abstract_ = between(&page, "id=\"abstract-h\"", "</section>");
    assert!(abstract_.contains("<strong>bold</strong>"));
    assert!(!abstract_.contains("<script"));
    assert!(page.contains("<a href=\"https://code.example/x\">Repo &lt;code&gt;</a>"));
    assert!(page.contains("<a href=\"https://slides.example/x.pdf\">Slides</a>"));
    assert!(page.contains("<a href=\"https://video.example/x\">Video</a>"));
    assert!(page.starts_with("<!DOCTYPE html>\n<html lang=\"en-US\">"));
}

#[test]
fn shared_room_gets_lanes_for_overlapping_talks() {
    let built = build_memory(&fixture("site-features"));
    let index = text(&built, "index.html");
    assert!(index.contains(
        "<th scope=\"col\" colspan=\"2\"><a href=\"rooms/lounge/index.html\">Lounge</a></th>"
    ));
    assert!(index.contains("rowspan=\"4\" class=\"talk track-data\" data-slug=\"overlap-a\""));
    assert!(index.contains("data-slug=\"overlap-b\""));
}

#[test]
fn speaker_page_has_photo_bio_talks_and_feed() {
    let built = build_memory(&fixture("site-features"));
    let page = text(&built, "speakers/ada/index.html");
    assert!(page.contains("<img class=\"photo\" src=\"../../people/ada%20lovelace.svg\" alt=\"Photo of Ada Lovelace\""));
    assert!(built.output.contains("people/ada lovelace.svg"));
    assert!(page.contains("<p>Wrote the <em>first</em> program.</p>"));
    assert!(page.contains("<p class=\"affiliation\">Analytical Engines</p>"));
    assert!(page.contains("href=\"../../talks/script-title/index.html\""));
    assert!(page.contains("href=\"../../talks/someday/index.html\""));
    // No base_url: a download link, and no webcal link.
    assert!(page.contains("<a href=\"../../speakers/ada.ics\" download>"));
    assert!(!page.contains("webcal://"));
    // A speaker with only a profile-less name still gets a page.
    let grace = text(&built, "speakers/grace-hopper/index.html");
    assert!(grace.contains("<h1>Grace Hopper</h1>"));
}

#[test]
fn room_track_and_day_pages_offer_their_feeds() {
    let built = build_example();
    for (path, feed) in [
        ("rooms/room-4/index.html", "rooms/room-4.ics"),
        ("tracks/impact/index.html", "tracks/impact.ics"),
        (
            "speakers/julia-kloiber/index.html",
            "speakers/julia-kloiber.ics",
        ),
        ("days/2017-04-25/index.html", "days/2017-04-25.ics"),
    ] {
        let html = text(&built, path);
        assert!(
            html.contains(&format!("href=\"webcal://example.org/tictec2017/{feed}\"")),
            "{path} lacks the webcal link"
        );
        assert!(
            html.contains(&format!("href=\"../../{feed}\" download")),
            "{path} lacks the download link"
        );
    }
    let index = text(&built, "index.html");
    assert!(index.contains("href=\"webcal://example.org/tictec2017/schedule.ics\""));
    assert!(index.contains("href=\"schedule.ics\" download"));
    let note = between(&index, "class=\"app-note\"", "</p>");
    for app in [
        "Giggity",
        "ConfClerk",
        "EventFahrplan",
        "href=\"schedule.json\"",
        "href=\"schedule.xml\"",
    ] {
        assert!(note.contains(app), "{app}");
    }
    let room = text(&built, "rooms/room-4/index.html");
    assert!(room.contains("href=\"../../talks/measuring-what-matters/index.html\""));
    assert!(room.contains(
        "href=\"../../talks/the-impacts-of-civic-tech-on-the-people-who-make-it/index.html\""
    ));
}

#[test]
fn not_found_page_links_from_the_base_path() {
    let built = build_example();
    let page = text(&built, "404.html");
    assert!(page.contains("href=\"/tictec2017/theme/style.css\""));
    assert!(page.contains("href=\"/tictec2017/index.html\""));
    assert!(!page.contains("href=\"../"));
    let no_base = build_memory(&fixture("site-features"));
    assert!(text(&no_base, "404.html").contains("href=\"/index.html\""));
}

#[test]
fn theme_overrides_file_by_file() {
    let built = build_memory(&fixture("theme-override"));
    // themes/custom/templates/talk.html replaces the talk page...
    let talk = text(&built, "talks/only/index.html");
    assert!(talk.contains("<h1 class=\"custom-talk\">Custom: The only talk</h1>"));
    assert!(talk.contains("href=\"../../theme/custom.css\""));
    // ...inside the built-in base layout.
    assert!(talk.contains("<a class=\"skip\" href=\"#main\">"));
    // themes/default/ under the root overrides the built-in default.
    assert!(text(&built, "404.html").contains("Lost? (site default override)"));
    // Everything else comes from the built-in theme.
    assert!(text(&built, "index.html").contains("<div id=\"attendee-tools\"></div>"));
    assert_eq!(
        text(&built, "theme/custom.css"),
        ".custom-talk{color:#036}\n"
    );
    assert!(built.output.contains("theme/style.css"));
}

fn build_err(root: &std::path::Path) -> programme::diagnostic::Diagnostics {
    match programme::build_in_memory(&programme::Options::new(root)) {
        Ok(_) => panic!("the build of {} succeeded", root.display()),
        Err(d) => d,
    }
}

#[test]
fn unknown_theme_is_an_error() {
    let site = common::temp_site(&fixture("after-midnight"));
    let conf = site.path().join("content/conference.yaml");
    let yaml = std::fs::read_to_string(&conf).unwrap() + "theme: festival\n";
    std::fs::write(&conf, yaml).unwrap();
    let err = build_err(site.path());
    let d = err
        .errors()
        .find(|d| d.code == "unknown-theme")
        .expect("unknown-theme");
    assert_eq!(
        d.file.as_deref(),
        Some(std::path::Path::new("content/conference.yaml"))
    );
    assert_eq!(d.line, Some(7));
    assert!(d.message.contains("festival"));
    assert!(d.help.as_deref().unwrap().contains("themes/festival/"));
}

#[test]
fn template_errors_name_the_template() {
    let site = common::temp_site(&fixture("after-midnight"));
    let dir = site.path().join("themes/default/templates");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("room.html"),
        "{% extends \"base.html\" %}\n{% block main %}\n{{ room.no_such_field }}\n{% endblock main %}\n",
    )
    .unwrap();
    let err = build_err(site.path());
    let d = err
        .errors()
        .find(|d| d.code == "template")
        .expect("a template error");
    assert_eq!(
        d.file.as_deref(),
        Some(std::path::Path::new("themes/default/templates/room.html"))
    );
    assert_eq!(d.line, Some(3));
    // One diagnostic, not one per room page.
    assert_eq!(err.errors().filter(|d| d.code == "template").count(), 1);
}

#[test]
fn static_file_clashing_with_a_page_is_an_error() {
    let site = common::temp_site(&fixture("after-midnight"));
    let stat = site.path().join("content/static");
    std::fs::create_dir_all(&stat).unwrap();
    std::fs::write(stat.join("index.html"), "<p>mine</p>").unwrap();
    let err = build_err(site.path());
    let d = err
        .errors()
        .find(|d| d.code == "output-clash")
        .expect("a clash");
    assert_eq!(
        d.file.as_deref(),
        Some(std::path::Path::new("content/static/index.html"))
    );
}

/// WCAG relative luminance of `#rrggbb`.
fn luminance(hex: &str) -> f64 {
    let hex = hex.trim_start_matches('#');
    let channel = |i: usize| {
        let c = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4)
}

fn contrast(a: &str, b: &str) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// The `--name:#xxxxxx` custom properties declared in one CSS block.
fn colour_vars(block: &str) -> std::collections::HashMap<String, String> {
    block
        .split([';', '{', '}'])
        .filter_map(|decl| decl.trim().strip_prefix("--"))
        .filter_map(|decl| decl.split_once(':'))
        .filter(|(_, v)| v.starts_with('#') && v.len() == 7)
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn default_theme_text_contrast_is_wcag_aa_in_light_and_dark() {
    let css =
        std::fs::read_to_string(common::repo().join("themes/default/static/style.css")).unwrap();
    let light = colour_vars(between(&css, ":root{", "}"));
    let dark_block = between(&css, "@media (prefers-color-scheme:dark){:root{", "}");
    let mut dark = light.clone();
    dark.extend(colour_vars(dark_block));
    assert!(
        dark["bg"] != light["bg"],
        "dark scheme overrides the background"
    );
    for (scheme, vars) in [("light", &light), ("dark", &dark)] {
        for text in ["fg", "muted", "link", "bad"] {
            for surface in ["bg", "panel", "break"] {
                let ratio = contrast(&vars[text], &vars[surface]);
                assert!(
                    ratio >= 4.5,
                    "{scheme}: --{text} on --{surface} is {ratio:.2}:1, below 4.5:1"
                );
            }
        }
        // The focus ring is a non-text indicator: 3:1.
        assert!(
            contrast(&vars["focus"], &vars["bg"]) >= 3.0,
            "{scheme} focus"
        );
    }
    assert!(css.contains("@media print"));
    assert!(!css.contains("@import") && !css.contains("@font-face"));
}

/// Chromium, when installed (CI installs it; elsewhere the test notes its absence).
fn chromium() -> Option<std::path::PathBuf> {
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        let found = std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|d| d.join(name))
                .find(|p| p.is_file())
        });
        if found.is_some() {
            return found;
        }
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("chromium is required in CI");
    }
    eprintln!("note: chromium not found; the layout test is skipped");
    None
}

/// Loads `page` of the site in `dir` into an iframe `width` CSS pixels wide
/// and returns what the probe measured: `scrollWidth clientWidth gridDisplay`.
fn measure(browser: &std::path::Path, dir: &std::path::Path, page: &str, width: u32) -> String {
    let probe = format!(
        "<!DOCTYPE html><html><head><title>probe</title></head><body style=\"margin:0\">\
         <iframe id=\"f\" src=\"{page}\" style=\"width:{width}px;height:800px;border:0\"></iframe>\
         <script>document.getElementById('f').addEventListener('load',()=>{{\
         const d=document.getElementById('f').contentDocument;const g=d.querySelector('table.grid');\
         document.title='M '+d.documentElement.scrollWidth+' '+d.documentElement.clientWidth+' '+(g?getComputedStyle(g).display:'none');}});\
         </script></body></html>"
    );
    let probe_path = dir.join(format!("probe-{width}.html"));
    std::fs::write(&probe_path, probe).unwrap();
    let profile = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--allow-file-access-from-files",
            "--window-size=1400,900",
            "--virtual-time-budget=5000",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("file://{}", probe_path.display()))
        .output()
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&out.stdout);
    dom.split("<title>M ")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .unwrap_or_else(|| panic!("no measurement for {page} at {width}px: {dom}"))
        .to_string()
}

#[test]
fn narrow_screens_get_a_list_without_sideways_scrolling() {
    let Some(browser) = chromium() else { return };
    let built = build_example();
    let dir = tempfile::tempdir().unwrap();
    for (path, bytes) in built.output.iter() {
        let file = dir.path().join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, bytes).unwrap();
    }
    for page in [
        "index.html",
        "talks/the-impacts-of-civic-tech-on-the-people-who-make-it/index.html",
        "speakers/julia-kloiber/index.html",
        "days/2017-04-25/index.html",
    ] {
        let m = measure(&browser, dir.path(), page, 375);
        let v: Vec<&str> = m.split(' ').collect();
        let (scroll, client): (u32, u32) = (v[0].parse().unwrap(), v[1].parse().unwrap());
        assert!(scroll <= client, "{page} at 375px scrolls sideways: {m}");
        if page.starts_with("index") || page.starts_with("days") {
            assert_eq!(v[2], "block", "{page}: the grid becomes a list at 375px");
        }
    }
    let wide = measure(&browser, dir.path(), "index.html", 1200);
    assert!(wide.ends_with(" table"), "a grid on a wide screen: {wide}");
}

#[test]
fn a_break_overlapping_other_talks_stays_in_its_room() {
    let built = build_memory(&fixture("site-features"));
    let index = text(&built, "index.html");
    let cell = between(&index, "data-slug=\"coffee\"", "</td>");
    assert!(cell.contains("Coffee"));
    // Its cell neither spans columns nor hides the lounge's talks.
    let start = index[..index.find("data-slug=\"coffee\"").unwrap()]
        .rfind("<td")
        .unwrap();
    let tag = &index[start..index.find("data-slug=\"coffee\"").unwrap()];
    assert!(!tag.contains("colspan"), "{tag}");
    assert!(index.contains("data-slug=\"overlap-b\""));
}

#[test]
fn a_programme_with_nothing_scheduled_still_builds() {
    let site = tempfile::tempdir().unwrap();
    let content = site.path().join("content");
    std::fs::create_dir_all(content.join("talks")).unwrap();
    std::fs::write(
        content.join("conference.yaml"),
        "title: Early Days\nacronym: early\ntimezone: Europe/Paris\n",
    )
    .unwrap();
    std::fs::write(
        content.join("talks/idea.md"),
        "---\ntitle: An idea\n---\nSoon.\n",
    )
    .unwrap();
    let built = build_memory(site.path());
    let index = text(&built, "index.html");
    assert!(!index.contains("class=\"day\""));
    assert!(index.contains("href=\"talks/idea/index.html\">An idea</a>"));
    assert!(text(&built, "unscheduled/index.html").contains("An idea"));
}

/// The index and a day's page show the same grid, each with links from its own folder.
fn same_grid_on_index_and_day_page(built: &programme::Built) {
    let index = text(built, "index.html");
    for d in &built.programme.days {
        let date = d.date.format("%Y-%m-%d").to_string();
        let id = format!("<section class=\"day\" id=\"day-{date}\"");
        let on_index = between(&index, &id, "</section>");
        let page = text(built, &format!("days/{date}/index.html"));
        let on_page = between(&page, &id, "</section>");
        assert!(on_page.contains("href=\"../../talks/"), "{date}: {on_page}");
        assert_eq!(on_index, on_page.replace("../../", ""), "{date}");
    }
}

#[test]
fn index_and_day_pages_share_each_grid() {
    same_grid_on_index_and_day_page(&build_example());
}

#[test]
fn a_day_section_that_tests_root_is_rendered_for_each_page() {
    let site = temp_site(&repo().join("tests/fixtures/site-features"));
    let partials = site.path().join("themes/default/templates/partials");
    std::fs::create_dir_all(&partials).unwrap();
    let builtin =
        std::fs::read_to_string(repo().join("themes/default/templates/partials/day_section.html"))
            .unwrap();
    // The same grid, plus a line that differs between the index and a day page.
    let custom = builtin.replace(
        "</section>",
        "<p class=\"where\">{% if root %}on a day page{% else %}on the index{% endif %}</p>\n</section>",
    );
    std::fs::write(partials.join("day_section.html"), custom).unwrap();
    let built = build_memory(site.path());
    assert!(!built.programme.days.is_empty());
    let index = text(&built, "index.html");
    assert!(index.contains("<p class=\"where\">on the index</p>"));
    assert!(!index.contains("on a day page"));
    for d in &built.programme.days {
        let page = text(
            &built,
            &format!("days/{}/index.html", d.date.format("%Y-%m-%d")),
        );
        assert!(page.contains("<p class=\"where\">on a day page</p>"));
        assert!(page.contains("href=\"../../"));
    }
}
