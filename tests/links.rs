//! Every link in the built sites resolves: each href and src in every HTML
//! page and each url() in every stylesheet points at a file of the output
//! (resolved relative to the page), #fragments point at an id on the target
//! page, no site-internal link is absolute (except in 404.html, which is
//! served at any depth and starts from base_url's path), and nothing loads
//! from another host (fonts, CDNs, scripts). Links to the feeds
//! (`.ics`, schedule.json, schedule.xml) are held to the same rule: the feed
//! renderers must write every file the pages offer.

mod common;

use programme::Built;
use std::collections::{HashMap, HashSet};

/// Values of `attr="..."` in `html`.
fn attr_values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let needle = format!(" {attr}=\"");
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(&needle) {
        rest = &rest[i + needle.len()..];
        let end = rest.find('"').expect("closed attribute");
        out.push(&rest[..end]);
        rest = &rest[end..];
    }
    out
}

/// `url(...)` targets in a stylesheet.
fn css_urls(css: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = css;
    while let Some(i) = rest.find("url(") {
        rest = &rest[i + 4..];
        let end = rest.find(')').expect("closed url(");
        out.push(rest[..end].trim_matches(['"', '\'', ' ']).to_string());
        rest = &rest[end..];
    }
    for imp in css.match_indices("@import") {
        out.push(css[imp.0..].chars().take(80).collect());
    }
    out
}

fn unescape(s: &str) -> String {
    s.replace("&amp;", "&")
        .replace("&#x2F;", "/")
        .replace("&#47;", "/")
        .replace("&quot;", "\"")
}

fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .expect("utf-8 path")
        .to_string()
}

/// Resolves `href` (relative) against the folder of `page`; None when it climbs above the root.
fn resolve(page: &str, href: &str) -> Option<String> {
    let mut parts: Vec<&str> = page.split('/').collect();
    parts.pop();
    for seg in href.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

fn ids(html: &str) -> HashSet<String> {
    attr_values(html, "id").into_iter().map(unescape).collect()
}

fn check_site(name: &str, built: &Built) {
    let base = built.programme.conference.base_url.clone();
    let not_found_root = programme::render::not_found_root(base.as_deref());
    let mut id_cache: HashMap<String, HashSet<String>> = HashMap::new();
    let mut problems = Vec::new();
    let mut checked = 0;
    for (page, bytes) in built.output.iter() {
        let is_html = page.ends_with(".html");
        let is_css = page.ends_with(".css");
        if !is_html && !is_css {
            continue;
        }
        let body = std::str::from_utf8(bytes).unwrap();
        let mut targets: Vec<(String, bool)> = Vec::new(); // (url, loads a resource)
        if is_html {
            for v in attr_values(body, "href") {
                targets.push((unescape(v), false));
            }
            for v in attr_values(body, "src")
                .into_iter()
                .chain(attr_values(body, "srcset"))
            {
                targets.push((unescape(v), true));
            }
            if let Some(style) = body.split("<style>").nth(1) {
                targets.extend(css_urls(style).into_iter().map(|u| (u, true)));
            }
        } else {
            targets.extend(css_urls(body).into_iter().map(|u| (u, true)));
        }
        for (url, loads) in targets {
            checked += 1;
            if url.starts_with("@import") {
                problems.push(format!("{page}: stylesheet import {url}"));
                continue;
            }
            if url.starts_with("http://") || url.starts_with("https://") || url.starts_with("//") {
                if loads || url.contains("fonts.") || url.contains("cdn") {
                    problems.push(format!("{page}: loads from another host: {url}"));
                }
                continue;
            }
            if url.starts_with("mailto:") || url.starts_with("data:") {
                continue;
            }
            if let Some(rest) = url.strip_prefix("webcal://") {
                // Subscribe links: base_url's host and path, then a file of the output.
                let base = base.as_deref().expect("webcal link without base_url");
                let base_rest = base.split_once("://").unwrap().1;
                match rest.strip_prefix(base_rest) {
                    Some(file) if built.output.contains(file) => {}
                    _ => problems.push(format!("{page}: webcal link to nothing: {url}")),
                }
                continue;
            }
            if url.contains("://") || url.starts_with("javascript:") {
                problems.push(format!("{page}: unexpected scheme: {url}"));
                continue;
            }
            let (path_part, fragment) = match url.split_once('#') {
                Some((p, f)) => (p.to_string(), Some(f.to_string())),
                None => (url.clone(), None),
            };
            let target = if path_part.is_empty() {
                Some(page.to_string())
            } else if let Some(abs) = path_part.strip_prefix('/') {
                if page == "404.html" {
                    match ("/".to_string() + abs).strip_prefix(&not_found_root) {
                        Some(rel) => Some(rel.to_string()),
                        None => {
                            problems.push(format!("{page}: outside base path: {url}"));
                            continue;
                        }
                    }
                } else {
                    problems.push(format!("{page}: absolute site link: {url}"));
                    continue;
                }
            } else if page == "404.html" {
                problems.push(format!("{page}: relative link in 404.html: {url}"));
                continue;
            } else {
                resolve(page, &percent_decode(&path_part))
            };
            let Some(target) = target else {
                problems.push(format!("{page}: climbs above the site root: {url}"));
                continue;
            };
            if target.is_empty() || target.ends_with('/') {
                problems.push(format!(
                    "{page}: links a folder, which does not open from disk: {url}"
                ));
                continue;
            }
            if !built.output.contains(&target) {
                problems.push(format!("{page}: broken link {url} -> {target}"));
                continue;
            }
            if let Some(f) = fragment {
                let ids = id_cache.entry(target.clone()).or_insert_with(|| {
                    ids(std::str::from_utf8(built.output.get(&target).unwrap()).unwrap_or(""))
                });
                if !ids.contains(&f) {
                    problems.push(format!("{page}: no id `{f}` in {target}"));
                }
            }
        }
    }
    assert!(checked > 20, "{name}: too few links found ({checked})");
    assert!(problems.is_empty(), "{name}:\n{}", problems.join("\n"));
}

#[test]
fn example_links_resolve() {
    check_site("example", &common::build_example());
}

#[test]
fn fixture_links_resolve() {
    for case in [
        "after-midnight",
        "dst-change",
        "site-features",
        "theme-override",
    ] {
        check_site(case, &common::build_memory(&common::fixture(case)));
    }
}

#[test]
fn the_checker_finds_broken_links() {
    // The checker itself must fail on a broken site.
    let mut built = common::build_example();
    let mut out = programme::output::Output::new();
    for (p, b) in built.output.iter() {
        let b = if p == "index.html" {
            String::from_utf8(b.to_vec())
                .unwrap()
                .replace("speakers/index.html", "speakers/nobody.html")
                .into_bytes()
        } else {
            b.to_vec()
        };
        out.insert(p, b).unwrap();
    }
    built.output = out;
    let result = std::panic::catch_unwind(|| check_site("broken", &built));
    assert!(result.is_err());
}

#[test]
fn resolving_relative_links() {
    assert_eq!(
        resolve("talks/x/index.html", "../../rooms/a/index.html").as_deref(),
        Some("rooms/a/index.html")
    );
    assert_eq!(resolve("index.html", "../x.html"), None);
    assert_eq!(resolve("a/b.html", "./c.html").as_deref(), Some("a/c.html"));
}
