//! `programme serve` and `programme build --watch` as organisers use them:
//! the real binary on a free loopback port against a copy of the example,
//! edited on disk while a raw HTTP client and an event-stream reader watch.

mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Generous: the machine running the tests may be busy. Never a pass/fail
/// threshold on speed, only a bound on how long to wait for something.
const WAIT: Duration = Duration::from_secs(90);

const BIN: &str = env!("CARGO_BIN_EXE_programme");

/// A temporary site root holding a copy of the example content.
fn example_site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    common::copy_tree(&common::repo().join("content"), &dir.path().join("content"));
    dir
}

/// A running `programme` child process whose stdout lines are collected.
struct Proc {
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Proc {
    fn spawn(args: &[&str], root: &Path) -> Proc {
        let mut child = Command::new(BIN)
            .args(args)
            .arg("--root")
            .arg(root)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let lines = Arc::new(Mutex::new(Vec::new()));
        let out = child.stdout.take().unwrap();
        let sink = lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                sink.lock().unwrap().push(line);
            }
        });
        Proc { child, lines }
    }

    /// Waits for a stdout line containing `needle`; returns it.
    fn wait_line(&self, needle: &str) -> String {
        let started = Instant::now();
        loop {
            if let Some(l) = self
                .lines
                .lock()
                .unwrap()
                .iter()
                .find(|l| l.contains(needle))
            {
                return l.clone();
            }
            assert!(
                started.elapsed() < WAIT,
                "no line with {needle:?} in {:?}",
                self.lines.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Server {
    /// Held so the server stops (is killed) when the test ends.
    _proc: Proc,
    addr: String,
    root: tempfile::TempDir,
}

impl Server {
    fn start(root: tempfile::TempDir, extra: &[&str]) -> Server {
        let mut args = vec!["serve", "--port", "0"];
        args.extend_from_slice(extra);
        let proc = Proc::spawn(&args, root.path());
        let line = proc.wait_line("serving http://");
        let addr = line
            .split("http://")
            .nth(1)
            .unwrap()
            .split('/')
            .next()
            .unwrap()
            .to_string();
        Server {
            _proc: proc,
            addr,
            root,
        }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.root.path().join(rel)
    }

    fn get(&self, path: &str) -> Response {
        request(&self.addr, "GET", path)
    }

    fn events(&self) -> Events {
        Events::open(&self.addr)
    }
}

#[derive(Debug)]
struct Response {
    status: u16,
    headers: HashMap<String, String>,
    body: String,
}

impl Response {
    fn header(&self, name: &str) -> &str {
        self.headers.get(name).map(String::as_str).unwrap_or("")
    }
}

/// One HTTP/1.1 request over a raw socket, so the path is sent exactly as
/// written (no client-side normalisation of `..` or percent escapes).
fn request(addr: &str, method: &str, path: &str) -> Response {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(WAIT)).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Response {
        status,
        headers,
        body: body.to_string(),
    }
}

/// The live-reload event stream, read on its own thread.
struct Events {
    rx: Receiver<(String, String)>,
}

impl Events {
    fn open(addr: &str) -> Events {
        let mut s = TcpStream::connect(addr).unwrap();
        write!(
            s,
            "GET /__programme/events HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n"
        )
        .unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(s);
            let mut line = String::new();
            // Headers.
            let mut chunked = false;
            loop {
                line.clear();
                if r.read_line(&mut line).unwrap_or(0) == 0 {
                    return;
                }
                if line
                    .to_ascii_lowercase()
                    .contains("transfer-encoding: chunked")
                {
                    chunked = true;
                }
                if line == "\r\n" {
                    break;
                }
            }
            // The body, de-chunked, split into events.
            let mut pending = String::new();
            let (mut event, mut data) = (String::new(), String::new());
            loop {
                let piece = if chunked {
                    line.clear();
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let Ok(size) = usize::from_str_radix(line.trim(), 16) else {
                        return;
                    };
                    let mut buf = vec![0; size + 2];
                    if r.read_exact(&mut buf).is_err() {
                        return;
                    }
                    buf.truncate(size);
                    String::from_utf8_lossy(&buf).into_owned()
                } else {
                    line.clear();
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    line.clone()
                };
                pending.push_str(&piece);
                while let Some(i) = pending.find('\n') {
                    let l: String = pending.drain(..=i).collect();
                    let l = l.trim_end_matches(['\n', '\r']);
                    if l.is_empty() {
                        if !event.is_empty() || !data.is_empty() {
                            let e = std::mem::take(&mut event);
                            let d = std::mem::take(&mut data);
                            if tx.send((e, d)).is_err() {
                                return;
                            }
                        }
                    } else if let Some(v) = l.strip_prefix("event:") {
                        event = v.trim().to_string();
                    } else if let Some(v) = l.strip_prefix("data:") {
                        data.push_str(v.strip_prefix(' ').unwrap_or(v));
                    }
                }
            }
        });
        Events { rx }
    }

    /// Waits for the next event named `name`; returns its data as JSON.
    fn wait(&self, name: &str) -> serde_json::Value {
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let (event, data) = self
                .rx
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("no `{name}` event"));
            if event == name {
                return serde_json::from_str(&data).unwrap();
            }
        }
    }
}

/// Saves like many editors do: write a temporary file, rename it over.
fn save_by_rename(path: &Path, text: &str) {
    let tmp = path.with_extension("md.tmp");
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

fn set_title(path: &Path, title: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut out = String::new();
    for line in text.lines() {
        if line.starts_with("title:") {
            out.push_str(&format!("title: {title}\n"));
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    save_by_rename(path, &out);
}

/// Waits until `f` holds, polling.
fn eventually(what: &str, mut f: impl FnMut() -> bool) {
    let started = Instant::now();
    while !f() {
        assert!(started.elapsed() < WAIT, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A served page without its live-reload tag (which names the site version).
fn without_live(html: &str) -> String {
    match html.find("<script src=\"/__programme/live.js\"") {
        Some(i) => {
            let end = i + html[i..].find("</script>").unwrap() + "</script>".len();
            format!("{}{}", &html[..i], &html[end..])
        }
        None => html.to_string(),
    }
}

/// Every file under `dir` containing `needle`.
fn files_containing(dir: &Path, needle: &str) -> Vec<String> {
    common::tree(dir)
        .into_iter()
        .filter(|(_, bytes)| bytes.windows(needle.len()).any(|w| w == needle.as_bytes()))
        .map(|(name, _)| name)
        .collect()
}

#[test]
fn an_edited_title_is_served_and_open_tabs_reload() {
    let server = Server::start(example_site(), &[]);
    let events = server.events();
    let state = events.wait("state");
    let v1 = state["version"].as_u64().unwrap();
    assert!(state["error"].is_null());
    let page = server.get("/talks/welcome/");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Welcome"));

    set_title(
        &server.path("content/talks/welcome.md"),
        "Welcome to the edited conference",
    );
    let reload = events.wait("reload");
    assert!(reload["version"].as_u64().unwrap() > v1);
    let page = server.get("/talks/welcome/");
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("Welcome to the edited conference"),
        "{}",
        page.body
    );
    // The programme page lists the new title too: the whole site was rebuilt.
    assert!(server
        .get("/")
        .body
        .contains("Welcome to the edited conference"));

    // And the output folder on disk follows, without the injected script.
    // The first site's own `published` may arrive first: wait for this build's.
    while events.wait("published")["version"] != reload["version"] {}
    let on_disk = std::fs::read_to_string(server.path("public/talks/welcome/index.html")).unwrap();
    assert!(on_disk.contains("Welcome to the edited conference"));
    assert!(page.body.contains("/__programme/live.js"));
    assert_eq!(
        files_containing(&server.path("public"), "__programme"),
        Vec::<PathBuf>::new()
    );
}

#[test]
fn a_build_error_shows_over_the_last_good_site_until_fixed() {
    let server = Server::start(example_site(), &[]);
    let events = server.events();
    events.wait("state");
    let talk = server.path("content/talks/welcome.md");
    let good = std::fs::read_to_string(&talk).unwrap();

    save_by_rename(&talk, &good.replace("title: Welcome", "title: [Welcome"));
    let error = events.wait("build-error");
    let first = &error["diagnostics"][0];
    assert_eq!(first["severity"], "error");
    assert_eq!(first["file"], "content/talks/welcome.md");
    assert!(first["line"].as_u64().unwrap() >= 2, "{error}");
    assert!(first["rendered"]
        .as_str()
        .unwrap()
        .contains("content/talks/welcome.md:"));
    // The last good page is still served, with the script that shows the overlay.
    let page = server.get("/talks/welcome/");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<h1>Welcome</h1>"), "{}", page.body);
    assert!(page.body.contains("/__programme/live.js"));
    // A tab opened now gets the error at once.
    let late = server.events().wait("state");
    assert_eq!(
        late["error"]["diagnostics"][0]["file"],
        "content/talks/welcome.md"
    );
    // The script that draws the overlay is served.
    let script = server.get("/__programme/live.js");
    assert_eq!(script.status, 200);
    assert!(script.body.contains("build-error"));

    // Fixed, with a new title: tabs reload and the error is gone.
    save_by_rename(
        &talk,
        &good.replace("title: Welcome", "title: Welcome back"),
    );
    events.wait("reload");
    assert!(server
        .get("/talks/welcome/")
        .body
        .contains("<h1>Welcome back</h1>"));
    assert!(server.events().wait("state")["error"].is_null());

    // Broken again, then fixed back to the very same site: the overlay is
    // cleared without a reload.
    save_by_rename(&talk, &good.replace("title: Welcome", "title: [x"));
    events.wait("build-error");
    save_by_rename(
        &talk,
        &good.replace("title: Welcome", "title: Welcome back"),
    );
    events.wait("build-ok");
    assert!(server.events().wait("state")["error"].is_null());
}

#[test]
fn a_deleted_talk_is_gone_with_the_sites_404_page() {
    let server = Server::start(example_site(), &[]);
    let events = server.events();
    events.wait("state");
    assert_eq!(server.get("/talks/welcome/").status, 200);
    let missing = server.get("/no/such/page/");
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("<html"), "the site's 404.html");
    // 404.html links to the site's base path; the preview serves it there too.
    let css: Vec<&str> = missing
        .body
        .split("rel=\"stylesheet\" href=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap())
        .collect();
    assert!(!css.is_empty());
    for href in css {
        let r = server.get(href);
        assert_eq!(r.status, 200, "{href}");
        assert_eq!(r.header("content-type"), "text/css; charset=utf-8");
    }

    std::fs::remove_file(server.path("content/talks/welcome.md")).unwrap();
    events.wait("reload");
    let gone = server.get("/talks/welcome/");
    assert_eq!(gone.status, 404);
    assert_eq!(without_live(&gone.body), without_live(&missing.body));
    assert!(gone.header("content-type").starts_with("text/html"));
    eventually(
        "the deleted talk's page is gone from the output folder",
        || !server.path("public/talks/welcome").exists(),
    );
}

#[test]
fn a_renamed_talk_file_moves_its_page_when_polling() {
    let server = Server::start(example_site(), &["--poll"]);
    let events = server.events();
    events.wait("state");
    std::fs::rename(
        server.path("content/talks/welcome.md"),
        server.path("content/talks/opening.md"),
    )
    .unwrap();
    events.wait("reload");
    assert_eq!(server.get("/talks/welcome/").status, 404);
    let page = server.get("/talks/opening/");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<h1>Welcome</h1>"));
}

#[test]
fn paths_outside_the_site_are_refused() {
    let root = example_site();
    std::fs::write(root.path().join("secret.txt"), "TOP SECRET").unwrap();
    let server = Server::start(root, &[]);
    // The first site may be written before an event stream could hear of
    // it, so wait for the file itself.
    eventually("the first build is written", || {
        server.path("public/index.html").exists()
    });
    // A symbolic link planted in the output folder is not followed either.
    #[cfg(unix)]
    std::os::unix::fs::symlink(server.path("secret.txt"), server.path("public/leak.txt")).unwrap();
    for path in [
        "/../secret.txt",
        "/talks/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/%2E%2E/secret.txt",
        "/talks/%2e%2e/%2e%2e/secret.txt",
        "/talks%2f..%2f..%2fsecret.txt",
        "/..%2fsecret.txt",
        "/..%5csecret.txt",
        "/..\\secret.txt",
        "//secret.txt",
        &format!("/{}", server.path("secret.txt").display()),
        &format!("/%2F{}", server.path("secret.txt").display()),
        "/leak.txt",
        "/secret.txt",
        "/content/talks/welcome.md",
        "/public/index.html",
    ] {
        let r = server.get(path);
        assert!(
            r.status == 400 || r.status == 404,
            "{path}: status {}",
            r.status
        );
        assert!(!r.body.contains("TOP SECRET"), "{path} leaked the file");
    }
}

#[test]
fn content_types_folders_redirects_and_no_caching() {
    let server = Server::start(example_site(), &[]);
    server.events().wait("state");
    for (path, ty) in [
        ("/", "text/html; charset=utf-8"),
        ("/index.html", "text/html; charset=utf-8"),
        ("/talks/welcome/", "text/html; charset=utf-8"),
        ("/schedule.ics", "text/calendar; charset=utf-8"),
        (
            "/talks/civic-tech-in-local-government.ics",
            "text/calendar; charset=utf-8",
        ),
        ("/schedule.json", "application/json"),
        ("/schedule.xml", "application/xml"),
        ("/theme/style.css", "text/css; charset=utf-8"),
        ("/theme/js/programme.js", "text/javascript; charset=utf-8"),
        ("/logo.svg", "image/svg+xml"),
        ("/manifest.webmanifest", "application/manifest+json"),
    ] {
        let r = server.get(path);
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(r.header("content-type"), ty, "{path}");
        assert_eq!(r.header("cache-control"), "no-store", "{path}");
        let injected = r.body.contains("/__programme/live.js");
        assert_eq!(injected, ty.starts_with("text/html"), "{path}");
    }
    // The feed is served byte for byte as written.
    let ics = server.get("/schedule.ics");
    let on_disk = std::fs::read_to_string(server.path("public/schedule.ics"));
    if let Ok(on_disk) = on_disk {
        assert_eq!(ics.body, on_disk);
    }

    let r = server.get("/talks/welcome");
    assert_eq!(r.status, 307);
    assert_eq!(r.header("location"), "/talks/welcome/");
    let r = server.get("/talks/welcome?from=grid");
    assert_eq!(r.header("location"), "/talks/welcome/?from=grid");

    let head = request(&server.addr, "HEAD", "/");
    assert_eq!(head.status, 200);
    assert_eq!(head.body, "");
    assert_eq!(request(&server.addr, "POST", "/").status, 405);

    // The offline worker is replaced while previewing, so no old build is
    // answered from a cache.
    let sw = server.get("/sw.js");
    assert_eq!(sw.status, 200);
    assert!(sw.body.contains("unregister"));
}

#[test]
fn serve_listens_on_loopback_unless_told_otherwise() {
    let server = Server::start(example_site(), &[]);
    assert!(server.addr.starts_with("127.0.0.1:"), "{}", server.addr);
}

#[test]
fn build_watch_rebuilds_the_output_after_an_edit() {
    let root = example_site();
    let watch = Proc::spawn(&["build", "--watch"], root.path());
    watch.wait_line("watching");
    let page = root.path().join("public/talks/welcome/index.html");
    assert!(std::fs::read_to_string(&page)
        .unwrap()
        .contains("<h1>Welcome</h1>"));
    set_title(
        &root.path().join("content/talks/welcome.md"),
        "Watched title",
    );
    eventually("the page on disk has the new title", || {
        std::fs::read_to_string(&page).is_ok_and(|t| t.contains("<h1>Watched title</h1>"))
    });
    // An editor's scratch files next to the talk do not break the build.
    std::fs::write(root.path().join("content/talks/.welcome.md.swp"), "\0\0").unwrap();
    std::fs::write(root.path().join("content/talks/4913"), "").unwrap();
    set_title(
        &root.path().join("content/talks/welcome.md"),
        "Watched again",
    );
    eventually("the page on disk has the second title", || {
        std::fs::read_to_string(&page).is_ok_and(|t| t.contains("<h1>Watched again</h1>"))
    });
    assert_eq!(
        files_containing(&root.path().join("public"), "__programme"),
        Vec::<PathBuf>::new()
    );
}

/// The reload and the overlay as an organiser sees them, in Debian's Chromium
/// driven by tests/browser/serve.test.js (needs chromium, node and
/// `npm ci --prefix tests/browser`, which `.ci/run` installs).
#[test]
fn live_reload_and_the_error_overlay_in_chromium() {
    let chromium = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    let scripts = common::repo().join("tests/browser");
    assert!(
        chromium.exists() && scripts.join("node_modules/playwright-core").exists(),
        "this test needs {} and tests/browser/node_modules: run .ci/run",
        chromium.display()
    );
    let server = Server::start(example_site(), &[]);
    server.events().wait("state");
    let out = Command::new("node")
        .arg(scripts.join("serve.test.js"))
        .env("BASE_URL", format!("http://{}/", server.addr))
        .env("SITE_ROOT", server.root.path())
        .env("CHROMIUM", &chromium)
        .output()
        .expect("node runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!("{text}");
    assert!(out.status.success(), "the browser checks failed:\n{text}");
    assert!(text.contains("fix: every tab reloads without the overlay"));
}

#[test]
fn a_site_that_never_built_shows_its_errors_until_fixed() {
    let root = example_site();
    let talk = root.path().join("content/talks/welcome.md");
    let good = std::fs::read_to_string(&talk).unwrap();
    std::fs::write(&talk, good.replace("title: Welcome", "title: [Welcome")).unwrap();
    let server = Server::start(root, &[]);
    let events = server.events();
    let state = events.wait("state");
    assert_eq!(state["version"], 0);
    assert_eq!(
        state["error"]["diagnostics"][0]["file"],
        "content/talks/welcome.md"
    );
    // Any page is a placeholder that loads the overlay script.
    let page = server.get("/talks/welcome/");
    assert_eq!(page.status, 503);
    assert!(page.body.contains("/__programme/live.js"));
    assert!(!server.path("public").exists(), "nothing written");

    save_by_rename(&talk, &good);
    events.wait("reload");
    assert_eq!(server.get("/talks/welcome/").status, 200);
}
