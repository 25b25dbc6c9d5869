//! Save-to-reload latency of `programme serve`: for the example programme and
//! a generated 1,000-talk one, edits a talk's title several times (saving by
//! rename, as editors do) and prints the median, min and max time from the
//! save to (a) the reload event arriving on the event stream, (b) the page
//! with the new title being served, (c) the output folder on disk updated,
//! and the server's own timing of the in-memory rebuild within (a).
//!
//! Run with `cargo bench --bench serve_latency` (EDITS=n changes the count).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(120);

fn main() {
    let edits: usize = std::env::var("EDITS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(9);
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));

    let example = tempfile::tempdir().unwrap();
    copy_tree(&repo.join("content"), &example.path().join("content"));
    run("example (12 talks)", example.path(), "welcome.md", edits);

    let big = tempfile::tempdir().unwrap();
    programme::synth::generate(1000, 1, big.path()).unwrap();
    let talk = first_talk(big.path());
    run("generated (1,000 talks)", big.path(), &talk, edits);
}

fn first_talk(root: &Path) -> String {
    let mut names: Vec<String> = std::fs::read_dir(root.join("content/talks"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md"))
        .collect();
    names.sort();
    names.remove(0)
}

fn run(name: &str, root: &Path, talk: &str, edits: usize) {
    let server = Server::start(root);
    let events = Events::open(&server.addr);
    events.wait("state");
    events.wait("published");
    let file = root.join("content/talks").join(talk);
    let slug = talk.trim_end_matches(".md");
    let page = format!("/talks/{slug}/");
    let disk = root.join("public/talks").join(slug).join("index.html");
    let original = std::fs::read_to_string(&file).unwrap();

    let (mut reload, mut served, mut published) = (Vec::new(), Vec::new(), Vec::new());
    let mut rebuilt = Vec::new();
    while server.rebuilds.try_recv().is_ok() {}
    for i in 0..edits {
        let title = format!("Latency probe number {i}");
        let text = set_title(&original, &title);
        let started = Instant::now();
        let tmp = file.with_extension("md.tmp");
        std::fs::write(&tmp, &text).unwrap();
        std::fs::rename(&tmp, &file).unwrap();

        // Poll the page on this thread while the event stream is read on another.
        let mut got_reload = None;
        let mut got_page = None;
        let mut got_disk = None;
        while got_reload.is_none() || got_page.is_none() || got_disk.is_none() {
            assert!(started.elapsed() < WAIT, "{name}: edit {i} never showed");
            if got_page.is_none() && get(&server.addr, &page).contains(&title) {
                got_page = Some(started.elapsed());
            }
            while let Ok((event, _)) = events.rx.try_recv() {
                match event.as_str() {
                    "reload" if got_reload.is_none() => got_reload = Some(started.elapsed()),
                    // The publish of this edit (checked on disk).
                    "published"
                        if got_reload.is_some()
                            && std::fs::read_to_string(&disk).is_ok_and(|t| t.contains(&title)) =>
                    {
                        got_disk = Some(started.elapsed());
                    }
                    _ => {}
                }
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        // The server's own timing of this edit's rebuild (the last one, if
        // the save happened to cause two).
        if let Some(d) = server.rebuilds.try_iter().last() {
            rebuilt.push(d);
        }
        reload.push(got_reload.unwrap());
        served.push(got_page.unwrap());
        published.push(got_disk.unwrap());
    }
    println!("{name}: {edits} edits, save to ...");
    report("reload event received", &mut reload);
    report("new page served", &mut served);
    report("output folder updated", &mut published);
    if !rebuilt.is_empty() {
        // The rest of "reload event received" is the wait for the save to
        // settle (debounce) and the hand-over to the event stream.
        report("(rebuild in memory)", &mut rebuilt);
    }
}

fn report(what: &str, v: &mut [Duration]) {
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "  {what:<24} median {:>8.1} ms   min {:>8.1} ms   max {:>8.1} ms",
        ms(v[v.len() / 2]),
        ms(v[0]),
        ms(v[v.len() - 1])
    );
}

fn set_title(text: &str, title: &str) -> String {
    let mut done = false;
    text.lines()
        .map(|l| {
            if !done && l.starts_with("title:") {
                done = true;
                format!("title: \"{title}\"\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect()
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

struct Server {
    child: Child,
    addr: String,
    /// The rebuild times the server reports, one per rebuild.
    rebuilds: Receiver<Duration>,
}

impl Server {
    fn start(root: &Path) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_programme"))
            .args(["serve", "--port", "0", "--root"])
            .arg(root)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let addr = loop {
            let line = lines.next().expect("serve exited").unwrap();
            if let Some(rest) = line.split("http://").nth(1) {
                break rest.split('/').next().unwrap().to_string();
            }
        };
        // Keep draining stdout so the server never blocks on it, passing on
        // the rebuild times it prints ("rebuilt in N ms: ...").
        let (tx, rebuilds) = channel();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                let ms = line
                    .strip_prefix("rebuilt in ")
                    .and_then(|rest| rest.split(' ').next())
                    .and_then(|n| n.parse::<u64>().ok());
                if let Some(ms) = ms {
                    let _ = tx.send(Duration::from_millis(ms));
                }
            }
        });
        Server {
            child,
            addr,
            rebuilds,
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn get(addr: &str, path: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut body = String::new();
    let _ = s.read_to_string(&mut body);
    body
}

/// The event stream as (event, data) pairs. Each event arrives in one
/// chunk; chunk-size lines are skipped by only keeping `event:` and `data:`.
struct Events {
    rx: Receiver<(String, String)>,
}

impl Events {
    fn open(addr: &str) -> Events {
        let mut s = TcpStream::connect(addr).unwrap();
        write!(
            s,
            "GET /__programme/events HTTP/1.1\r\nHost: {addr}\r\n\r\n"
        )
        .unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut event = String::new();
            for line in BufReader::new(s).lines() {
                let Ok(line) = line else { return };
                if let Some(v) = line.strip_prefix("event:") {
                    event = v.trim().to_string();
                } else if let Some(v) = line.strip_prefix("data:") {
                    if tx
                        .send((std::mem::take(&mut event), v.to_string()))
                        .is_err()
                    {
                        return;
                    }
                }
            }
        });
        Events { rx }
    }

    fn wait(&self, name: &str) {
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let (event, _) = self.rx.recv_timeout(left).expect("event stream ended");
            if event == name {
                return;
            }
        }
    }
}
