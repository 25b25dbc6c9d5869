//! The attendee's features in a real browser. Builds the example into a
//! temporary folder, serves it under a sub-path from a loopback server in
//! this process, and runs the Node scripts in tests/browser/ (playwright-core
//! driving Debian's Chromium; never a downloaded browser): stars and my
//! programme, filters, search, the time-zone toggle, offline through the
//! service worker, a rebuilt site picked up, and axe-core on key pages. The
//! .ics the browser made is read back with the `ical` parser.
//!
//! Needs /usr/bin/chromium (or $CHROMIUM), node, and `npm ci --prefix
//! tests/browser`; `.ci/run` installs them. Without them this test fails.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// The sub-path the site is served under, as on a real host.
const PREFIX: &str = "/tictec2017/";

fn chromium() -> PathBuf {
    std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"))
}

/// Fails, with what to do, when the browser or the driver is missing.
fn require_tools() {
    let dir = common::repo().join("tests/browser");
    let mut missing = Vec::new();
    if !chromium().exists() {
        missing.push(format!("Chromium at {}", chromium().display()));
    }
    if Command::new("node").arg("--version").output().is_err() {
        missing.push("node".to_string());
    }
    for module in ["playwright-core", "axe-core"] {
        if !dir.join("node_modules").join(module).exists() {
            missing.push(format!("tests/browser/node_modules/{module}"));
        }
    }
    assert!(
        missing.is_empty(),
        "the browser tests need {}: run .ci/run (with CI=true it installs chromium, \
         chromium-driver and `npm ci --prefix tests/browser`), or install them by hand",
        missing.join(", ")
    );
}

/// Builds the site at `root` into `out`, replacing what was there.
fn build_into(root: &Path, out: &Path) {
    let built = common::build_memory(root);
    if out.exists() {
        std::fs::remove_dir_all(out).unwrap();
    }
    for (path, bytes) in built.output.iter() {
        let target = out.join(path);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, bytes).unwrap();
    }
}

/// A static file server on 127.0.0.1 for one site folder, under [`PREFIX`].
/// `/__control/offline` and `/__control/online` cut and restore the site
/// (connections are closed unanswered); `/__control/rebuild` runs the
/// rebuild hook. Each connection is one request.
struct Server {
    port: u16,
}

struct State {
    dir: PathBuf,
    online: AtomicBool,
    rebuild: Mutex<Box<dyn FnMut() + Send>>,
}

impl Server {
    fn start(state: Arc<State>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let state = state.clone();
                std::thread::spawn(move || {
                    let _ = serve(stream, &state);
                });
            }
        });
        Server { port }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}{PREFIX}", self.port)
    }
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, e)| e).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "webmanifest" => "application/manifest+json",
        "svg" => "image/svg+xml",
        "ics" => "text/calendar; charset=utf-8",
        "xml" => "application/xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        _ => "application/octet-stream",
    }
}

fn serve(mut stream: TcpStream, state: &State) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request = String::new();
    reader.read_line(&mut request)?;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
            break;
        }
    }
    let target = request.split_whitespace().nth(1).unwrap_or("/");
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let reply = |stream: &mut TcpStream, status: &str, kind: &str, body: &[u8]| {
        let head = format!(
            "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\n\
             Cache-Control: no-cache\r\nConnection: close\r\n\r\n",
            body.len()
        );
        stream.write_all(head.as_bytes())?;
        stream.write_all(body)
    };
    match path {
        "/__control/offline" => {
            state.online.store(false, Ordering::SeqCst);
            return reply(&mut stream, "200 OK", "text/plain", b"offline");
        }
        "/__control/online" => {
            state.online.store(true, Ordering::SeqCst);
            return reply(&mut stream, "200 OK", "text/plain", b"online");
        }
        "/__control/rebuild" => {
            (state.rebuild.lock().unwrap())();
            return reply(&mut stream, "200 OK", "text/plain", b"rebuilt");
        }
        _ => {}
    }
    if !state.online.load(Ordering::SeqCst) {
        // The network is cut: drop the connection without an answer.
        let _ = stream.shutdown(Shutdown::Both);
        return Ok(());
    }
    let file = path
        .strip_prefix(PREFIX)
        .map(|p| {
            let p = percent_encoding::percent_decode_str(p)
                .decode_utf8_lossy()
                .into_owned();
            if p.is_empty() || p.ends_with('/') {
                format!("{p}index.html")
            } else {
                p
            }
        })
        .filter(|p| !p.split('/').any(|s| s == ".." || s.starts_with('.')));
    let found = file
        .as_ref()
        .and_then(|p| std::fs::read(state.dir.join(p)).ok().map(|b| (p, b)));
    match found {
        Some((p, body)) => reply(&mut stream, "200 OK", content_type(p), &body),
        None => {
            let body = std::fs::read(state.dir.join("404.html")).unwrap_or_default();
            reply(
                &mut stream,
                "404 Not Found",
                "text/html; charset=utf-8",
                &body,
            )
        }
    }
}

/// Runs one script of tests/browser with node; returns its output, or fails with it.
fn node(script: &str, envs: &[(&str, &str)]) -> String {
    let dir = common::repo().join("tests/browser");
    let mut cmd = Command::new("node");
    cmd.arg(dir.join(script)).current_dir(&dir);
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("node runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{script} failed:\n{text}");
    text
}

/// Writes a large programme: `days` days of `rooms` rooms with `slots`
/// talks each, titles and abstracts drawn deterministically from a small
/// vocabulary, so that searches match many talks.
fn big_site(root: &Path, days: u32, rooms: usize, slots: u32) -> usize {
    const WORDS: [&str; 40] = [
        "open", "data", "civic", "city", "budget", "vote", "health", "water", "school", "map",
        "transit", "housing", "climate", "privacy", "archive", "court", "council", "survey",
        "sensor", "energy", "bike", "library", "river", "market", "park", "tax", "youth", "museum",
        "farm", "radio", "bridge", "garden", "street", "harbour", "forest", "clinic", "zürich",
        "café", "naïve", "façade",
    ];
    let content = root.join("content");
    std::fs::create_dir_all(content.join("talks")).unwrap();
    let room_list: Vec<String> = (1..=rooms).map(|r| format!("  - Hall {r}\n")).collect();
    std::fs::write(
        content.join("conference.yaml"),
        format!(
            "title: Big Conference\nacronym: bigconf\ntimezone: Europe/Berlin\n\
             rooms:\n{}tracks: [Alpha, Beta, Gamma, Delta, Epsilon]\n",
            room_list.concat()
        ),
    )
    .unwrap();
    let mut seed: u64 = 7;
    let mut word = || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        WORDS[(seed >> 33) as usize % WORDS.len()]
    };
    let mut n = 0;
    for day in 0..days {
        for room in 1..=rooms {
            for slot in 0..slots {
                n += 1;
                let title: Vec<&str> = (0..4).map(|_| word()).collect();
                let body: Vec<&str> = (0..40).map(|_| word()).collect();
                let track = ["Alpha", "Beta", "Gamma", "Delta", "Epsilon"][n % 5];
                std::fs::write(
                    content.join(format!("talks/talk-{n:05}.md")),
                    format!(
                        "---\ntitle: \"{}\"\nspeakers: [Speaker {}]\nroom: Hall {room}\n\
                         start: 2030-06-{:02} {:02}:{:02}\nduration: 25m\ntrack: {track}\n---\n{}\n",
                        title.join(" "),
                        n % 300,
                        10 + day,
                        8 + slot / 2,
                        (slot % 2) * 30,
                        body.join(" ")
                    ),
                )
                .unwrap();
            }
        }
    }
    n
}

#[test]
fn ics_of_starred_talks_is_rfc_5545() {
    // Pure JavaScript: needs node only.
    assert!(
        Command::new("node").arg("--version").output().is_ok(),
        "node is missing: run .ci/run"
    );
    node("ics.test.js", &[]);
}

#[test]
fn attendee_features_work_in_chromium() {
    require_tools();
    let site = tempfile::tempdir().unwrap();
    common::copy_tree(
        &common::repo().join("content"),
        &site.path().join("content"),
    );
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("public");
    build_into(site.path(), &out);

    let (root, target) = (site.path().to_path_buf(), out.clone());
    let state = Arc::new(State {
        dir: out.clone(),
        online: AtomicBool::new(true),
        rebuild: Mutex::new(Box::new(move || {
            let talk = root.join("content/talks/closing-remarks.md");
            let text = std::fs::read_to_string(&talk).unwrap();
            std::fs::write(
                &talk,
                text.replace("title: Closing remarks", "title: Closing words"),
            )
            .unwrap();
            build_into(&root, &target);
        })),
    });
    let server = Server::start(state);

    let profile = work.path().join("profile");
    let ics = work.path().join("my-programme.ics");
    let log = node(
        "site.test.js",
        &[
            ("BASE_URL", &server.url()),
            ("CONTROL_URL", &format!("http://127.0.0.1:{}/", server.port)),
            ("CHROMIUM", chromium().to_str().unwrap()),
            ("USER_DATA_DIR", profile.to_str().unwrap()),
            ("ICS_OUT", ics.to_str().unwrap()),
        ],
    );
    println!("{log}");

    // The .ics the browser made from the starred talks reads back.
    let mut bytes = Vec::new();
    std::fs::File::open(&ics)
        .expect("the browser saved my-programme.ics")
        .read_to_end(&mut bytes)
        .unwrap();
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.lines().all(|l| l.len() <= 76), "folded at 75 octets");
    let calendars: Vec<_> = ical::IcalParser::new(BufReader::new(text.as_bytes()))
        .collect::<Result<_, _>>()
        .expect("my-programme.ics parses");
    assert_eq!(calendars.len(), 1);
    let events = &calendars[0].events;
    let prop = |e: &ical::parser::ical::component::IcalEvent, name: &str| {
        e.properties
            .iter()
            .find(|p| p.name == name)
            .and_then(|p| p.value.clone())
            .unwrap_or_default()
    };
    let mut uids: Vec<String> = events.iter().map(|e| prop(e, "UID")).collect();
    uids.sort();
    assert_eq!(
        uids,
        [
            "the-impacts-of-civic-tech-on-the-people-who-make-it@tictec2017",
            "uncivic-tech@tictec2017"
        ]
    );
    let anchor = events
        .iter()
        .find(|e| prop(e, "UID").starts_with("the-impacts"))
        .unwrap();
    assert_eq!(prop(anchor, "DTSTART"), "20170426T101500Z");
    assert_eq!(prop(anchor, "DTEND"), "20170426T110000Z");
    assert_eq!(prop(anchor, "LOCATION"), "Room 4");
    assert_eq!(
        prop(anchor, "URL"),
        "https://example.org/tictec2017/talks/the-impacts-of-civic-tech-on-the-people-who-make-it/index.html"
    );
}

#[test]
fn filters_and_search_keep_up_with_a_large_programme() {
    require_tools();
    let site = tempfile::tempdir().unwrap();
    let talks = big_site(site.path(), 3, 20, 20);
    assert_eq!(talks, 1200);
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("public");
    build_into(site.path(), &out);
    let server = Server::start(Arc::new(State {
        dir: out,
        online: AtomicBool::new(true),
        rebuild: Mutex::new(Box::new(|| {})),
    }));
    let log = node(
        "scale.test.js",
        &[
            ("BASE_URL", &server.url()),
            ("CHROMIUM", chromium().to_str().unwrap()),
            (
                "USER_DATA_DIR",
                work.path().join("profile").to_str().unwrap(),
            ),
        ],
    );
    println!("{log}");
}
