//! The attendee's files in the built example: the search index the browser
//! filters and searches, the web app manifest and icon, the sitemap, and the
//! service worker whose version follows every byte of the site.

mod common;

use serde_json::Value;

fn json(built: &programme::Built, path: &str) -> Value {
    serde_json::from_str(&common::text(built, path))
        .unwrap_or_else(|e| panic!("{path} is not JSON: {e}"))
}

/// A temporary site root holding a copy of the example's content/ alone.
fn example_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    common::copy_tree(&common::repo().join("content"), &dir.path().join("content"));
    dir
}

fn talk<'a>(index: &'a Value, slug: &str) -> &'a Value {
    index["talks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["slug"] == slug)
        .unwrap_or_else(|| panic!("no talk {slug} in search.json"))
}

#[test]
fn search_index_holds_every_talk_with_what_the_filters_need() {
    let built = common::build_example();
    let index = json(&built, "search.json");
    assert_eq!(index["version"], 1);
    assert_eq!(index["acronym"], "tictec2017");
    assert_eq!(index["timezone"], "Europe/Rome");
    let slugs: Vec<&str> = index["talks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["slug"].as_str().unwrap())
        .collect();
    let expected: Vec<&str> = built
        .programme
        .talks
        .iter()
        .map(|t| t.slug.as_str())
        .collect();
    assert_eq!(slugs, expected, "every talk, in programme order");

    let anchor = talk(
        &index,
        "the-impacts-of-civic-tech-on-the-people-who-make-it",
    );
    assert_eq!(
        anchor["title"],
        "The impacts of Civic Tech... on the people who make it"
    );
    assert_eq!(
        anchor["url"],
        "talks/the-impacts-of-civic-tech-on-the-people-who-make-it/index.html"
    );
    assert_eq!(
        anchor["speakers"],
        serde_json::json!(["Julia Kloiber", "Sheba Najmi"])
    );
    // 12:15 in Florence in April is 10:15 UTC.
    assert_eq!(anchor["start"], "2017-04-26T10:15:00Z");
    assert_eq!(anchor["end"], "2017-04-26T11:00:00Z");
    assert_eq!(anchor["day"], "2017-04-26");
    assert_eq!(anchor["room"], "room-4");
    assert_eq!(anchor["track"], "impact");
    assert_eq!(anchor["type"], "talk");
    assert_eq!(anchor["language"], "en");
    assert!(anchor.get("status").is_none());
    assert!(anchor["abstract"].as_str().unwrap().len() > 40);

    // The late-night session belongs to the first day although it ends on the second.
    let night = talk(&index, "hack-night");
    assert_eq!(night["day"], "2017-04-25");
    assert_eq!(night["end"], "2017-04-25T23:30:00Z");
    assert_eq!(talk(&index, "open-data-clinic")["status"], "cancelled");
    assert_eq!(talk(&index, "open-data-clinic")["language"], "it");
    let welcome = talk(&index, "welcome");
    assert!(welcome.get("start").is_none() && welcome.get("day").is_none());

    // Facets: rooms and tracks in declared order, types and languages sorted.
    let names = |key: &str| -> Vec<String> {
        index[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["slug"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    assert_eq!(
        names("rooms"),
        ["main-plenary-sala-verde", "room-4", "room-2", "hack-space"]
    );
    assert_eq!(names("tracks"), ["impact", "research", "practice"]);
    assert_eq!(index["tracks"][0]["color"], "#a8324f");
    let types: Vec<&str> = index["types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(types.windows(2).all(|w| w[0] < w[1]), "{types:?}");
    for t in ["break", "keynote", "talk", "workshop"] {
        assert!(types.contains(&t), "type {t} in {types:?}");
    }
    assert_eq!(index["languages"], serde_json::json!(["en", "it"]));
    assert_eq!(
        index["days"],
        serde_json::json!(["2017-04-25", "2017-04-26"])
    );
}

#[test]
fn manifest_and_icon_work_under_any_sub_path() {
    let built = common::build_example();
    let manifest = json(&built, "manifest.webmanifest");
    assert_eq!(manifest["name"], "TICTeC 2017");
    assert_eq!(manifest["start_url"], "./");
    assert_eq!(manifest["scope"], "./");
    assert_eq!(manifest["display"], "standalone");
    assert_eq!(manifest["lang"], "en");
    assert!(manifest["short_name"].as_str().unwrap().chars().count() <= 12);
    let icon = &manifest["icons"][0];
    assert_eq!(icon["src"], "icon.svg");
    assert_eq!(icon["type"], "image/svg+xml");
    let svg = common::text(&built, "icon.svg");
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.contains(">T2</text>"), "initials of TICTeC 2017: {svg}");
}

#[test]
fn service_worker_sits_at_the_root_with_a_version_and_a_precache_list() {
    let built = common::build_example();
    let sw = common::text(&built, "sw.js");
    let version = sw
        .lines()
        .find_map(|l| l.strip_prefix("const VERSION = \""))
        .and_then(|l| l.strip_suffix("\";"))
        .expect("a VERSION line");
    assert_eq!(version.len(), 16);
    assert!(version.bytes().all(|b| b.is_ascii_hexdigit()));
    let precache: Vec<String> = sw
        .lines()
        .find_map(|l| l.strip_prefix("const PRECACHE = "))
        .and_then(|l| l.strip_suffix(';'))
        .map(|l| serde_json::from_str(l).unwrap())
        .expect("a PRECACHE line");
    assert!(precache.contains(&"search.json".to_string()));
    for path in &precache {
        assert!(built.output.contains(path), "precached {path} is built");
        assert!(!path.ends_with(".ics") && path != "sw.js");
    }
    for path in built.output.paths() {
        if path.ends_with(".html") && path != "404.html" {
            assert!(precache.iter().any(|p| p == path), "{path} precached");
        }
    }
    // The theme's worker body follows the header, and only the root copy remains.
    assert!(sw.contains("addEventListener(\"fetch\""));
    assert_eq!(
        built
            .output
            .paths()
            .filter(|p| p.ends_with("sw.js"))
            .count(),
        1
    );
}

#[test]
fn a_changed_talk_changes_the_service_worker_version_an_unchanged_site_keeps_it() {
    let version = |built: &programme::Built| {
        let sw = common::text(built, "sw.js");
        sw.lines().nth(1).unwrap().to_string()
    };
    let site = example_copy();
    let first = common::build_memory(site.path());
    let again = common::build_memory(site.path());
    assert_eq!(version(&first), version(&again), "same input, same version");
    assert_eq!(
        first.output.get("sw.js"),
        again.output.get("sw.js"),
        "same bytes"
    );

    let talk = site.path().join("content/talks/closing-remarks.md");
    let text = std::fs::read_to_string(&talk).unwrap();
    std::fs::write(
        &talk,
        text.replace("title: Closing remarks", "title: Closing words"),
    )
    .unwrap();
    let rebuilt = common::build_memory(site.path());
    assert_ne!(version(&first), version(&rebuilt));
}

#[test]
fn sitemap_lists_every_page_with_absolute_urls() {
    let built = common::build_example();
    let sitemap = common::text(&built, "sitemap.xml");
    assert!(sitemap.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
    assert!(sitemap.contains("<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"));
    let locs: Vec<&str> = sitemap
        .split("<loc>")
        .skip(1)
        .map(|s| s.split("</loc>").next().unwrap())
        .collect();
    assert!(locs
        .iter()
        .all(|l| l.starts_with("https://example.org/tictec2017/")));
    for path in built.output.paths() {
        if path.ends_with(".html") && path != "404.html" {
            let url = format!(
                "https://example.org/tictec2017/{}",
                path.strip_suffix("index.html").unwrap_or(path)
            );
            assert!(locs.contains(&url.as_str()), "{url} in the sitemap");
        }
    }
    assert!(!sitemap.contains("404"));
}

#[test]
fn no_sitemap_without_a_base_url() {
    let site = example_copy();
    let conf = site.path().join("content/conference.yaml");
    let text = std::fs::read_to_string(&conf).unwrap();
    std::fs::write(
        &conf,
        text.replace("base_url: https://example.org/tictec2017/\n", ""),
    )
    .unwrap();
    let built = common::build_memory(site.path());
    assert!(!built.output.contains("sitemap.xml"));
    assert!(built.output.contains("sw.js"));
    assert_eq!(json(&built, "search.json")["base_url"], Value::Null);
}

/// The parsed JSON-LD of a page, when it has one.
fn json_ld(html: &str) -> Option<Value> {
    let open = "<script type=\"application/ld+json\">";
    let start = html.find(open)? + open.len();
    let end = start + html[start..].find("</script>")?;
    Some(serde_json::from_str(&html[start..end]).expect("JSON-LD parses"))
}

#[test]
fn talk_pages_carry_a_schema_org_event() {
    let built = common::build_example();
    let page = common::text(
        &built,
        "talks/the-impacts-of-civic-tech-on-the-people-who-make-it/index.html",
    );
    let ev = json_ld(&page).expect("JSON-LD on a talk page");
    assert_eq!(ev["@context"], "https://schema.org");
    assert_eq!(ev["@type"], "Event");
    assert_eq!(
        ev["name"],
        "The impacts of Civic Tech... on the people who make it"
    );
    assert_eq!(ev["startDate"], "2017-04-26T12:15:00+02:00");
    assert_eq!(ev["endDate"], "2017-04-26T13:00:00+02:00");
    assert_eq!(ev["eventStatus"], "https://schema.org/EventScheduled");
    assert_eq!(ev["location"]["name"], "Room 4");
    assert_eq!(ev["performer"][0]["name"], "Julia Kloiber");
    assert_eq!(ev["performer"][1]["name"], "Sheba Najmi");
    assert_eq!(
        ev["url"],
        "https://example.org/tictec2017/talks/the-impacts-of-civic-tech-on-the-people-who-make-it/"
    );
    assert_eq!(ev["superEvent"]["name"], "TICTeC 2017");
    assert!(page.contains(
        "<meta property=\"og:title\" content=\"The impacts of Civic Tech... on the people who make it\">"
    ));
    assert!(page.contains("<meta property=\"og:description\" content=\"Most studies"));
    assert!(page.contains(
        "<meta property=\"og:url\" content=\"https://example.org/tictec2017/talks/the-impacts-of-civic-tech-on-the-people-who-make-it/\">"
    ));

    let cancelled = json_ld(&common::text(&built, "talks/open-data-clinic/index.html")).unwrap();
    assert_eq!(
        cancelled["eventStatus"],
        "https://schema.org/EventCancelled"
    );
    // The late-night session ends the next morning, with its offset.
    let night = json_ld(&common::text(&built, "talks/hack-night/index.html")).unwrap();
    assert_eq!(night["endDate"], "2017-04-26T01:30:00+02:00");
    // An unscheduled talk is no event yet.
    assert!(json_ld(&common::text(&built, "talks/welcome/index.html")).is_none());
}

#[test]
fn json_ld_cannot_close_its_script_element() {
    let site = example_copy();
    let talk = site.path().join("content/talks/closing-remarks.md");
    let text = std::fs::read_to_string(&talk).unwrap();
    let title = "Bye </script><script>alert(1)</script> & <!-- thanks";
    std::fs::write(
        &talk,
        text.replace("title: Closing remarks", &format!("title: \"{title}\"")),
    )
    .unwrap();
    let built = common::build_memory(site.path());
    let page = common::text(&built, "talks/closing-remarks/index.html");
    let ev = json_ld(&page).unwrap();
    assert_eq!(ev["name"], title);
    assert!(!page.contains("<script>alert"));
}

#[test]
fn every_page_links_the_manifest_the_script_and_my_programme() {
    let built = common::build_example();
    let mut pages = 0;
    for (path, _) in built.output.iter() {
        if !path.ends_with(".html") || path == "404.html" {
            continue;
        }
        pages += 1;
        let root = "../".repeat(path.matches('/').count());
        let html = common::text(&built, path);
        for want in [
            format!("<link rel=\"manifest\" href=\"{root}manifest.webmanifest\">"),
            format!("<script defer src=\"{root}theme/js/programme.js\"></script>"),
            format!("<link rel=\"stylesheet\" href=\"{root}theme/attendee.css\">"),
            format!("<a href=\"{root}my-programme/index.html\">My programme</a>"),
            "<meta name=\"theme-color\" content=\"#1f4e79\">".to_string(),
            "<meta property=\"og:site_name\" content=\"TICTeC 2017\">".to_string(),
        ] {
            assert!(html.contains(&want), "{path} has {want}");
        }
    }
    assert!(pages > 20, "{pages} pages");
    let my = common::text(&built, "my-programme/index.html");
    assert!(my.contains("<h1>My programme</h1>"));
    assert!(my.contains("<div id=\"my-programme\">"));
    assert!(my.contains("<noscript>"));
    let index = common::text(&built, "index.html");
    assert!(index.contains("<div id=\"attendee-tools\">"));
}

/// Total gzip size (best compression) of the output files with this extension.
fn gzipped(built: &programme::Built, ext: &str) -> (usize, Vec<String>) {
    use flate2::{write::GzEncoder, Compression};
    use std::io::Write;
    let mut total = 0;
    let mut files = Vec::new();
    for (path, bytes) in built.output.iter() {
        if path.ends_with(ext) {
            let mut gz = GzEncoder::new(Vec::new(), Compression::best());
            gz.write_all(bytes).unwrap();
            let size = gz.finish().unwrap().len();
            println!("{path}: {} bytes, {size} gzipped", bytes.len());
            total += size;
            files.push(path.to_string());
        }
    }
    (total, files)
}

#[test]
fn javascript_and_css_stay_within_budget() {
    let built = common::build_example();
    let (js, js_files) = gzipped(&built, ".js");
    let (css, css_files) = gzipped(&built, ".css");
    println!("all JavaScript: {js} bytes gzipped; all CSS: {css} bytes gzipped");
    for f in [
        "sw.js",
        "theme/js/programme.js",
        "theme/js/schedule.js",
        "theme/js/my.js",
        "theme/js/ics.js",
    ] {
        assert!(js_files.iter().any(|p| p == f), "{f} counted");
    }
    for f in ["theme/style.css", "theme/attendee.css"] {
        assert!(css_files.iter().any(|p| p == f), "{f} counted");
    }
    assert!(
        js < 20 * 1024,
        "JavaScript is {js} bytes gzipped, over 20 KB"
    );
    assert!(css < 15 * 1024, "CSS is {css} bytes gzipped, over 15 KB");
}
