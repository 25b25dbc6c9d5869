//! The attendee's side of the site: the files the theme's JavaScript and the
//! browser need besides the HTML.
//!
//! - [`Index`], a renderer, writes `search.json` (every talk with what the
//!   filters, the search, "now and next" and favourites need; read by
//!   `js/programme.js`), `manifest.webmanifest` and `icon.svg`.
//! - [`finish`] runs after every renderer's output is merged: it writes
//!   `sitemap.xml` (absolute URLs from `base_url`) and the service worker
//!   `sw.js` at the site root, whose `VERSION` is a hash of every other
//!   output byte, so a rebuilt site gets a new cache and the old one is
//!   dropped.

use crate::diagnostic::Diagnostics;
use crate::feeds::frab::xml::escape as escape_xml;
use crate::incremental::fragments::{self, Fragments};
use crate::model::{Programme, Talk, TalkId};
use crate::output::{hash_feed, Collector, Manifest, Sink};
use crate::{Env, Renderer};
use chrono::DateTime;
use chrono_tz::Tz;
use rayon::prelude::*;
use serde::Serialize;
use serde_json::json;
use std::sync::Arc;

/// Format version of `search.json`; bump when its shape changes.
pub const INDEX_VERSION: u32 = 1;

/// The colour of the browser's chrome and of the generated icon.
pub const THEME_COLOR: &str = "#1f4e79";

/// Precache at most this many bytes; the rest of the site is cached as it is visited.
pub const PRECACHE_BUDGET: usize = 8 * 1024 * 1024;

/// The service worker shipped with the default theme, used when the theme
/// in use has none of its own.
const DEFAULT_SW: &str = include_str!("../../themes/default/static/sw.js");

/// Where a theme's `sw.js` may land when its static folder is copied; the
/// copy is moved to the root, where its scope covers the whole site.
pub const SW_SOURCES: [&str; 5] = [
    "sw.js",
    "theme/sw.js",
    "static/sw.js",
    "assets/sw.js",
    "js/sw.js",
];

/// Writes search.json, manifest.webmanifest and icon.svg.
pub struct Index;

impl Renderer for Index {
    fn name(&self) -> &'static str {
        "index"
    }

    fn render(&self, programme: &Programme, env: &Env, sink: &dyn Sink) -> Result<(), Diagnostics> {
        for (path, bytes) in [
            (
                "search.json",
                search_json_with(programme, env.fragments.as_deref()),
            ),
            ("manifest.webmanifest", manifest(programme)),
            ("icon.svg", icon_svg(programme).into_bytes()),
        ] {
            sink.put(path.into(), bytes).map_err(|p| {
                Diagnostics(vec![crate::diagnostic::Diagnostic::error(
                    "output-clash",
                    format!("two outputs claim `{p}`"),
                )
                .with_help("rename the theme's static file of that name")])
            })?;
        }
        Ok(())
    }
}

/// The relative URL of a talk's page, as the theme links it.
pub fn talk_url(talk: &Talk) -> String {
    format!("talks/{}/index.html", talk.slug)
}

/// `search.json`: the conference's facets and one entry per talk, in
/// programme order. Times are UTC instants (`2017-04-26T10:15:00Z`).
/// Object keys are written in sorted order.
pub fn search_json(p: &Programme) -> Vec<u8> {
    search_json_with(p, None)
}

/// [`search_json`], each talk's entry made through `memo` when rebuilding.
pub fn search_json_with(p: &Programme, memo: Option<&Fragments>) -> Vec<u8> {
    let mut types: Vec<&str> = Vec::new();
    let mut languages: Vec<&str> = Vec::new();
    for t in &p.talks {
        if !types.contains(&t.kind.as_str()) {
            types.push(&t.kind);
        }
        if let Some(l) = t.language.as_deref() {
            if !languages.contains(&l) {
                languages.push(l);
            }
        }
    }
    types.sort_unstable();
    languages.sort_unstable();
    let talks: Vec<Arc<String>> = p
        .talks
        .par_iter()
        .with_min_len(16)
        .map(|t| {
            let entry = SearchTalk {
                abstract_: &t.abstract_.plain,
                day: t.slot.as_ref().map(|s| s.day.to_string()),
                end: t.slot.as_ref().map(|s| utc(s.end_utc())),
                language: t.language.as_deref(),
                room: t.room.map(|r| p.rooms[r].slug.as_str()),
                slug: &t.slug,
                speakers: t
                    .speakers
                    .iter()
                    .map(|&s| p.speakers[s].name.as_str())
                    .collect(),
                start: t.slot.as_ref().map(|s| utc(s.start_utc())),
                status: t.is_cancelled().then_some("cancelled"),
                title: &t.title,
                track: t.track.map(|tr| p.tracks[tr].slug.as_str()),
                kind: &t.kind,
                url: talk_url(t),
            };
            fragments::piece(
                memo,
                || fragments::key("search entry", &entry),
                || serde_json::to_string(&entry).expect("JSON values serialise"),
            )
        })
        .collect();
    let c = &p.conference;
    let head = serde_json::to_string(&SearchHead {
        acronym: &c.acronym,
        base_url: c.base_url.as_deref(),
        days: p.days.iter().map(|d| d.date.to_string()).collect(),
        languages,
        rooms: p
            .rooms
            .iter()
            .map(|r| RoomFacet {
                name: &r.name,
                slug: &r.slug,
            })
            .collect(),
    })
    .expect("JSON values serialise");
    let tail = serde_json::to_string(&SearchTail {
        timezone: c.timezone.name(),
        title: &c.title,
        tracks: p
            .tracks
            .iter()
            .map(|t| TrackFacet {
                color: t.color.as_deref(),
                name: &t.name,
                slug: &t.slug,
            })
            .collect(),
        types,
        version: INDEX_VERSION,
    })
    .expect("JSON values serialise");
    // `{head...,"talks":[entries],tail...}`: the keys stay in sorted order.
    let entries: usize = talks.iter().map(|t| t.len() + 1).sum();
    let mut out = Vec::with_capacity(head.len() + entries + tail.len() + 16);
    out.extend_from_slice(&head.as_bytes()[..head.len() - 1]);
    out.extend_from_slice(b",\"talks\":[");
    for (i, t) in talks.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(t.as_bytes());
    }
    out.extend_from_slice(b"],");
    out.extend_from_slice(&tail.as_bytes()[1..]);
    out
}

/// The keys of search.json before `talks`, in sorted order.
#[derive(Serialize)]
struct SearchHead<'a> {
    acronym: &'a str,
    base_url: Option<&'a str>,
    days: Vec<String>,
    languages: Vec<&'a str>,
    rooms: Vec<RoomFacet<'a>>,
}

/// The keys of search.json after `talks`.
#[derive(Serialize)]
struct SearchTail<'a> {
    timezone: &'a str,
    title: &'a str,
    tracks: Vec<TrackFacet<'a>>,
    types: Vec<&'a str>,
    version: u32,
}

#[derive(Serialize)]
struct RoomFacet<'a> {
    name: &'a str,
    slug: &'a str,
}

#[derive(Serialize)]
struct TrackFacet<'a> {
    color: Option<&'a str>,
    name: &'a str,
    slug: &'a str,
}

/// One talk of search.json; absent facts are left out. Its text is
/// remembered between rebuilds under a hash of this.
#[derive(Serialize, Hash)]
struct SearchTalk<'a> {
    #[serde(rename = "abstract")]
    abstract_: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    day: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    language: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    room: Option<&'a str>,
    slug: &'a str,
    speakers: Vec<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    start: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<&'static str>,
    title: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    track: Option<&'a str>,
    #[serde(rename = "type")]
    kind: &'a str,
    url: String,
}

fn utc(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The web app manifest; its URLs are relative to itself, so it works under any sub-path.
pub fn manifest(p: &Programme) -> Vec<u8> {
    let c = &p.conference;
    let short: String = c.title.chars().take(12).collect();
    let mut doc = json!({
        "name": c.title,
        "short_name": short.trim_end(),
        "lang": c.language,
        "start_url": "./",
        "scope": "./",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOR,
        "icons": [{"src": "icon.svg", "sizes": "any", "type": "image/svg+xml", "purpose": "any"}],
    });
    if let Some(s) = &c.subtitle {
        doc["description"] = s.clone().into();
    }
    let mut bytes = serde_json::to_vec_pretty(&doc).expect("JSON values serialise");
    bytes.push(b'\n');
    bytes
}

/// A square icon: the conference's initials on the theme colour.
pub fn icon_svg(p: &Programme) -> String {
    let initials: String = p
        .conference
        .title
        .split_whitespace()
        .filter_map(|w| w.chars().find(|c| c.is_alphanumeric()))
        .take(2)
        .flat_map(char::to_uppercase)
        .collect();
    let size = if initials.chars().count() > 1 {
        200
    } else {
        280
    };
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 512 512\" role=\"img\" aria-label=\"{title}\">\
<rect width=\"512\" height=\"512\" rx=\"96\" fill=\"{THEME_COLOR}\"/>\
<text x=\"256\" y=\"256\" dy=\".35em\" text-anchor=\"middle\" font-family=\"system-ui,sans-serif\" \
font-weight=\"700\" font-size=\"{size}\" fill=\"#fff\">{initials}</text></svg>\n",
        title = escape_xml(&p.conference.title),
        initials = escape_xml(&initials),
    )
}

/// What a talk's page needs for its metadata, handed to the template as
/// `attendee`: `json_ld` (a schema.org Event, safe inside a `<script>`
/// element; empty for an unscheduled talk) and `description` (the abstract's
/// start, for Open Graph).
#[derive(Debug, Clone, Serialize)]
pub struct TalkMetadata {
    pub json_ld: String,
    pub description: String,
}

/// The [`TalkMetadata`] of talk `id`.
pub fn talk_metadata(p: &Programme, id: TalkId) -> TalkMetadata {
    metadata(&MetadataInputs::of(p, id))
}

/// [`talk_metadata`], remembered in `memo` between rebuilds under a hash of
/// everything it is made from.
pub fn talk_metadata_with(
    p: &Programme,
    id: TalkId,
    memo: Option<&Fragments>,
) -> Arc<TalkMetadata> {
    let inputs = MetadataInputs::of(p, id);
    fragments::piece(
        memo,
        || fragments::key("talk metadata", &inputs),
        || metadata(&inputs),
    )
}

/// Everything a talk's [`TalkMetadata`] is made from; [`metadata`] reads
/// nothing else.
#[derive(Hash)]
struct MetadataInputs<'a> {
    plain: &'a str,
    slot: Option<(DateTime<Tz>, DateTime<Tz>)>,
    cancelled: bool,
    language: Option<&'a str>,
    room: Option<&'a str>,
    title: &'a str,
    slug: &'a str,
    /// (name, affiliation, slug)
    speakers: Vec<(&'a str, Option<&'a str>, &'a str)>,
    conference: &'a str,
    base_url: Option<&'a str>,
}

impl<'a> MetadataInputs<'a> {
    fn of(p: &'a Programme, id: TalkId) -> MetadataInputs<'a> {
        let talk = &p.talks[id];
        MetadataInputs {
            plain: &talk.abstract_.plain,
            slot: talk.slot.as_ref().map(|s| (s.start, s.end)),
            cancelled: talk.is_cancelled(),
            language: talk.language.as_deref(),
            room: talk.room.map(|r| p.rooms[r].name.as_str()),
            title: &talk.title,
            slug: &talk.slug,
            speakers: talk
                .speakers
                .iter()
                .map(|&s| {
                    let s = &p.speakers[s];
                    (s.name.as_str(), s.affiliation.as_deref(), s.slug.as_str())
                })
                .collect(),
            conference: &p.conference.title,
            base_url: p.conference.base_url.as_deref(),
        }
    }
}

fn metadata(i: &MetadataInputs) -> TalkMetadata {
    let description = summary(i.plain, 300);
    let json_ld = match i.slot {
        None => String::new(),
        Some((start, end)) => {
            let iso = |t: DateTime<Tz>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            let base = i.base_url;
            let event = EventLd {
                context: "https://schema.org",
                kind: "Event",
                description: &description,
                end_date: iso(end),
                attendance: "https://schema.org/OfflineEventAttendanceMode",
                status: if i.cancelled {
                    "https://schema.org/EventCancelled"
                } else {
                    "https://schema.org/EventScheduled"
                },
                language: i.language,
                location: i.room.map(|name| Named {
                    kind: "Place",
                    name,
                }),
                name: i.title,
                performer: i
                    .speakers
                    .iter()
                    .map(|&(name, affiliation, slug)| PersonLd {
                        kind: "Person",
                        affiliation: affiliation.map(|a| Named {
                            kind: "Organization",
                            name: a,
                        }),
                        name,
                        url: base.map(|b| format!("{b}speakers/{slug}/")),
                    })
                    .collect(),
                start_date: iso(start),
                super_event: SuperEventLd {
                    kind: "Event",
                    name: i.conference,
                    url: base,
                },
                url: base.map(|b| format!("{b}talks/{}/", i.slug)),
            };
            script_safe_json(&event)
        }
    };
    TalkMetadata {
        json_ld,
        description,
    }
}

/// A schema.org Event; fields in sorted order, as the pages have always had them.
#[derive(Serialize)]
struct EventLd<'a> {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "str::is_empty")]
    description: &'a str,
    #[serde(rename = "endDate")]
    end_date: String,
    #[serde(rename = "eventAttendanceMode")]
    attendance: &'static str,
    #[serde(rename = "eventStatus")]
    status: &'static str,
    #[serde(rename = "inLanguage", skip_serializing_if = "Option::is_none")]
    language: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<Named<'a>>,
    name: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    performer: Vec<PersonLd<'a>>,
    #[serde(rename = "startDate")]
    start_date: String,
    #[serde(rename = "superEvent")]
    super_event: SuperEventLd<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
}

#[derive(Serialize)]
struct Named<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    name: &'a str,
}

#[derive(Serialize)]
struct PersonLd<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    affiliation: Option<Named<'a>>,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
}

#[derive(Serialize)]
struct SuperEventLd<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
}

/// JSON that can stand inside `<script>`: `<`, `>` and `&` as `\u` escapes,
/// so no `</script>` or `<!--` can end or confuse the element.
pub fn script_safe_json<T: Serialize + ?Sized>(v: &T) -> String {
    let text = serde_json::to_string(v).expect("JSON values serialise");
    if !text.contains(['<', '>', '&']) {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 32);
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            c => out.push(c),
        }
    }
    out
}

/// The first paragraph of a plain text, cut at a word before `max` characters.
fn summary(plain: &str, max: usize) -> String {
    let para = plain.split("\n\n").next().unwrap_or("").split_whitespace();
    let mut out = String::new();
    let mut chars = 0;
    for word in para {
        let len = word.chars().count();
        if chars + len + 1 > max {
            out.push('…');
            break;
        }
        if !out.is_empty() {
            out.push(' ');
            chars += 1;
        }
        out.push_str(word);
        chars += len;
    }
    out
}

/// The step after all renderers, on the streamed site: sitemap.xml, then
/// sw.js (last, because its version is a hash of everything else). A
/// theme's own service worker, at one of [`SW_SOURCES`], was held back by the
/// collector and is moved to the root here.
pub fn finish(site: &Collector<'_>, programme: &Programme) {
    if let Some(base) = &programme.conference.base_url {
        let sitemap = {
            let manifest = site.manifest();
            (!manifest.contains("sitemap.xml")).then(|| sitemap(&manifest, base))
        };
        if let Some(sitemap) = sitemap {
            let _ = site.put_final("sitemap.xml".into(), sitemap);
        }
    }
    let mut source = None;
    for path in SW_SOURCES {
        if let Some(bytes) = site.take_held(path) {
            source.get_or_insert(bytes);
        }
    }
    let source = source.unwrap_or_else(|| DEFAULT_SW.as_bytes().to_vec());
    let sw = service_worker(&site.manifest(), &source);
    let _ = site.put_final("sw.js".into(), sw);
}

/// The public URL of an output file: `talks/x/index.html` -> `talks/x/`.
fn page_url(path: &str) -> &str {
    if path == "index.html" {
        ""
    } else {
        path.strip_suffix("/index.html")
            .map(|p| &path[..p.len() + 1])
            .unwrap_or(path)
    }
}

/// Every HTML page but the 404 page, as absolute URLs.
pub fn sitemap(output: &Manifest, base: &str) -> Vec<u8> {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for path in output.paths() {
        if !path.ends_with(".html") || path == "404.html" {
            continue;
        }
        let url = format!("{base}{}", page_url(path));
        s.push_str("  <url><loc>");
        s.push_str(&escape_xml(&percent_path(&url)));
        s.push_str("</loc></url>\n");
    }
    s.push_str("</urlset>\n");
    s.into_bytes()
}

/// Percent-encodes what may not stand in a URL (spaces, non-ASCII).
fn percent_path(url: &str) -> String {
    use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
    const SET: &AsciiSet = &CONTROLS.add(b' ').add(b'"').add(b'<').add(b'>').add(b'`');
    utf8_percent_encode(url, SET).to_string()
}

/// A stable 64-bit hash of every output path and its bytes: the files'
/// own hashes ([`file_hash`](crate::output::file_hash), taken as they were
/// streamed) combined in path order.
pub fn site_version(site: &Manifest) -> String {
    let h = site.iter().fold(0xcbf29ce484222325u64, |h, (_, info)| {
        hash_feed(h, &info.hash.to_le_bytes())
    });
    format!("{h:016x}")
}

/// What the service worker stores on install, most needed first: the
/// programme's assets and index, the programme and my-programme pages, the
/// talk pages, every other page, then images, up to [`PRECACHE_BUDGET`].
/// Feeds and machine formats are left to the network.
pub fn precache_list(output: &Manifest) -> Vec<String> {
    fn rank(path: &str) -> Option<u8> {
        let ext = path.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
        Some(match ext {
            _ if path == "sw.js" || path == "404.html" => return None,
            "css" | "js" | "webmanifest" => 0,
            _ if path == "search.json" || path == "icon.svg" => 0,
            _ if path == "index.html" || path == "my-programme/index.html" => 1,
            "html" if path.starts_with("talks/") => 2,
            "html" => 3,
            "svg" | "png" | "jpg" | "jpeg" | "webp" | "gif" | "avif" | "ico" | "woff2" => 4,
            _ => return None,
        })
    }
    let mut files: Vec<(u8, &str, usize)> = output
        .iter()
        .filter_map(|(p, info)| rank(p).map(|r| (r, p, info.len)))
        .collect();
    files.sort();
    let mut total = 0;
    let mut list = Vec::new();
    for (_, path, len) in files {
        if total + len > PRECACHE_BUDGET {
            continue;
        }
        total += len;
        list.push(path.to_string());
    }
    list
}

/// The service worker: the theme's source after a header that defines
/// `VERSION` and `PRECACHE` for this build.
pub fn service_worker(output: &Manifest, source: &[u8]) -> Vec<u8> {
    let version = site_version(output);
    let precache = serde_json::to_string(&precache_list(output)).expect("strings serialise");
    let mut sw = format!(
        "// Generated by programme: this build's version and the files cached on install.\n\
         const VERSION = \"{version}\";\nconst PRECACHE = {precache};\n"
    )
    .into_bytes();
    sw.extend_from_slice(source);
    sw
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::Output;
    use serde_json::Value;

    fn out(files: &[(&str, &str)]) -> Manifest {
        let mut o = Output::new();
        for (p, b) in files {
            o.insert(*p, b.as_bytes()).unwrap();
        }
        Manifest::of(&o)
    }

    #[test]
    fn json_in_a_script_element_cannot_close_it() {
        let v = json!({"name": "</script><!-- a & b -->"});
        let s = script_safe_json(&v);
        assert!(!s.contains('<') && !s.contains('>') && !s.contains('&'));
        assert_eq!(serde_json::from_str::<Value>(&s).unwrap(), v);
    }

    #[test]
    fn summaries_cut_at_a_word() {
        assert_eq!(summary("One two three.\n\nSecond.", 100), "One two three.");
        assert_eq!(summary("alpha beta gamma", 11), "alpha beta…");
        assert_eq!(summary("", 10), "");
    }

    #[test]
    fn page_urls_drop_index_html() {
        assert_eq!(page_url("index.html"), "");
        assert_eq!(page_url("talks/a/index.html"), "talks/a/");
        assert_eq!(page_url("unscheduled.html"), "unscheduled.html");
    }

    #[test]
    fn version_changes_with_any_byte_or_path() {
        let a = out(&[("index.html", "a"), ("x.css", "b")]);
        let b = out(&[("index.html", "a"), ("x.css", "c")]);
        let c = out(&[("index.html", "a"), ("y.css", "b")]);
        assert_eq!(site_version(&a), site_version(&a.clone()));
        assert_ne!(site_version(&a), site_version(&b));
        assert_ne!(site_version(&a), site_version(&c));
    }

    #[test]
    fn precache_orders_assets_first_and_skips_feeds() {
        let o = out(&[
            ("404.html", "x"),
            ("about/index.html", "x"),
            ("index.html", "x"),
            ("js/programme.js", "x"),
            ("schedule.ics", "x"),
            ("schedule.xml", "x"),
            ("talks/a/index.html", "x"),
            ("talks/a.ics", "x"),
        ]);
        assert_eq!(
            precache_list(&o),
            [
                "js/programme.js",
                "index.html",
                "talks/a/index.html",
                "about/index.html"
            ]
        );
    }

    #[test]
    fn precache_stops_at_the_budget() {
        let mut o = Output::new();
        o.insert("index.html", vec![b'x'; 10]).unwrap();
        o.insert("talks/big/index.html", vec![b'x'; PRECACHE_BUDGET])
            .unwrap();
        o.insert("talks/small/index.html", vec![b'x'; 10]).unwrap();
        assert_eq!(
            precache_list(&Manifest::of(&o)),
            ["index.html", "talks/small/index.html"]
        );
    }

    #[test]
    fn sitemap_is_absolute_and_escaped() {
        let o = out(&[
            ("404.html", ""),
            ("index.html", ""),
            ("talks/a&b/index.html", ""),
            ("search.json", ""),
        ]);
        let s = String::from_utf8(sitemap(&o, "https://e.org/c/")).unwrap();
        assert!(s.contains("<loc>https://e.org/c/</loc>"));
        assert!(s.contains("<loc>https://e.org/c/talks/a&amp;b/</loc>"));
        assert!(!s.contains("404"));
        assert!(!s.contains("search.json"));
    }
}
