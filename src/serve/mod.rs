//! Serving: watch the site, rebuild in memory on each change (re-parsing
//! and re-rendering only what changed, see [`crate::incremental`]), swap the
//! output in, serve it over HTTP and tell open tabs to reload.
//!
//! `programme serve` holds the last good build in memory and answers every
//! request from it, so a page is never read half-written; each successful
//! rebuild replaces it whole, then open tabs are told to reload, and the output
//! folder is published (staged and swapped, only changed bytes written) in the
//! background. A failed build keeps the last good site and shows the errors
//! in the terminal and over every open tab. `programme build --watch` is the
//! same loop without the server.

pub mod http;
pub mod reload;
pub mod watch;

use crate::diagnostic::Diagnostics;
use crate::incremental::Session;
use crate::output::Output;
use crate::write::{self, spare::DoubleBuffer, WriteOptions};
use crate::Options;
use reload::{ErrorReport, Event};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::time::Instant;
use tokio::sync::broadcast;

pub struct ServeOptions {
    pub port: u16,
    pub bind: std::net::IpAddr,
    pub open: bool,
    pub poll: bool,
}

/// One build being served.
#[derive(Debug, Default)]
pub struct Site {
    pub output: Output,
    /// 0 before the first successful build, then counts up with each new site.
    pub version: u64,
    /// The path of the conference's `base_url` (`/tictec2017/`, or `/`): the
    /// site is served both at the root and under it, since 404.html links there.
    pub base: String,
}

/// What the server and the rebuild loop share.
pub struct State {
    site: RwLock<Arc<Site>>,
    error: RwLock<Option<Arc<ErrorReport>>>,
    pub events: broadcast::Sender<Event>,
}

impl State {
    fn new() -> State {
        State {
            site: RwLock::new(Arc::new(Site::default())),
            error: RwLock::new(None),
            events: broadcast::channel(64).0,
        }
    }

    /// The site being served.
    pub fn site(&self) -> Arc<Site> {
        self.site.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The last build's error, while it is not fixed.
    pub fn error(&self) -> Option<Arc<ErrorReport>> {
        self.error.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn set_error(&self, e: Option<Arc<ErrorReport>>) {
        *self.error.write().unwrap_or_else(|e| e.into_inner()) = e;
    }

    /// Serves `output` from now on, unless it is the site already served.
    /// Returns the new version and the site it replaced (for the caller to
    /// free once tabs are told), or None when nothing changed.
    fn replace(&self, output: Output, base: String) -> Option<(u64, Arc<Site>, Arc<Site>)> {
        let mut slot = self.site.write().unwrap_or_else(|e| e.into_inner());
        if slot.version > 0 && slot.output == output && slot.base == base {
            return None;
        }
        let version = slot.version + 1;
        let site = Arc::new(Site {
            output,
            version,
            base,
        });
        let old = std::mem::replace(&mut *slot, site.clone());
        Some((version, site, old))
    }

    fn send(&self, event: Event) {
        // No open tab is not an error.
        let _ = self.events.send(event);
    }
}

/// Rebuilds in memory; on success serves the new site and tells tabs to reload,
/// on failure shows the errors. Returns the site to publish, if there is a new one.
fn rebuild(session: &mut Session, state: &State) -> Option<Arc<Site>> {
    let started = Instant::now();
    let (result, reuse) = session.build();
    match result {
        Ok(built) => {
            print_diagnostics(&built.diagnostics);
            let had_error = state.error().is_some();
            state.set_error(None);
            let base =
                crate::render::not_found_root(built.programme.conference.base_url.as_deref());
            match state.replace(built.output, base) {
                Some((version, site, old)) => {
                    state.send(Event::Reload { version });
                    drop(old);
                    println!(
                        "{} in {} ms: {} talks, {} files ({} pages rendered, {} reused)",
                        if version == 1 { "built" } else { "rebuilt" },
                        started.elapsed().as_millis(),
                        built.programme.talks.len(),
                        site.output.len(),
                        reuse.pages_rendered,
                        reuse.pages_reused
                    );
                    Some(site)
                }
                None => {
                    if had_error {
                        state.send(Event::Ok);
                        println!("fixed: the site is as it was");
                    }
                    None
                }
            }
        }
        Err(d) => {
            print_diagnostics(&d);
            eprintln!(
                "build failed: {} error(s); still serving the last good site",
                d.errors().count()
            );
            let report = Arc::new(ErrorReport::new(&d));
            state.set_error(Some(report.clone()));
            state.send(Event::Error(report));
            None
        }
    }
}

fn print_diagnostics(d: &Diagnostics) {
    for diag in d.iter() {
        eprintln!("{diag}");
    }
}

/// Publishes sites to the output folder in the background, one at a time;
/// when several builds queue up, only the newest is written. Keeps the
/// swapped-out tree as a spare, so each publish writes only what changed
/// (see [`write::spare`]); [`Publisher::close`] removes the spare.
struct Publisher {
    slot: Mutex<(Option<Arc<Site>>, bool)>,
    wake: Condvar,
    buffer: Mutex<Option<DoubleBuffer>>,
}

impl AsRef<Output> for Site {
    fn as_ref(&self) -> &Output {
        &self.output
    }
}

impl Publisher {
    fn start(dir: PathBuf, state: Arc<State>) -> Arc<Publisher> {
        // A preview does not need to survive a power cut: skip the flush.
        let buffer = DoubleBuffer::new(&dir, WriteOptions::preview());
        let p = Arc::new(Publisher {
            slot: Mutex::new((None, false)),
            wake: Condvar::new(),
            buffer: Mutex::new(Some(buffer)),
        });
        let me = p.clone();
        std::thread::spawn(move || me.run(&dir, &state));
        p
    }

    fn submit(&self, site: Arc<Site>) {
        let mut slot = self.slot.lock().unwrap_or_else(|e| e.into_inner());
        slot.0 = Some(site);
        self.wake.notify_all();
    }

    /// Waits until nothing is queued or being written.
    fn wait_idle(&self) {
        let mut slot = self.slot.lock().unwrap_or_else(|e| e.into_inner());
        while slot.0.is_some() || slot.1 {
            slot = self.wake.wait(slot).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// Finishes the queued publish, then removes the spare tree; later
    /// submissions are not written.
    fn close(&self) {
        self.wait_idle();
        let buffer = self.buffer.lock().unwrap_or_else(|e| e.into_inner()).take();
        drop(buffer);
    }

    fn run(&self, dir: &Path, state: &State) {
        loop {
            let site = {
                let mut slot = self.slot.lock().unwrap_or_else(|e| e.into_inner());
                loop {
                    if let Some(site) = slot.0.take() {
                        slot.1 = true;
                        break site;
                    }
                    slot = self.wake.wait(slot).unwrap_or_else(|e| e.into_inner());
                }
            };
            let mut buffer = self.buffer.lock().unwrap_or_else(|e| e.into_inner());
            let result = buffer
                .as_mut()
                .map(|b| b.publish(site.clone() as write::spare::Held));
            drop(buffer);
            match result {
                Some(Ok(stats)) => {
                    state.send(Event::Published {
                        version: site.version,
                        written: stats.written,
                        removed: stats.removed,
                    });
                    if stats.written + stats.removed > 0 {
                        println!(
                            "wrote {}: {} changed, {} removed",
                            dir.display(),
                            stats.written,
                            stats.removed
                        );
                    }
                }
                Some(Err(e)) => {
                    let msg = format!("could not write {}: {e}", dir.display());
                    eprintln!("error: {msg}; the preview still shows the new site");
                    let report = Arc::new(ErrorReport::other("write", msg));
                    state.send(Event::Error(report));
                }
                None => {}
            }
            let mut slot = self.slot.lock().unwrap_or_else(|e| e.into_inner());
            slot.1 = false;
            self.wake.notify_all();
        }
    }
}

/// `programme serve`.
pub fn serve(opts: &Options, serve: &ServeOptions) -> Result<(), String> {
    let out_dir = opts.output_dir();
    let state = Arc::new(State::new());
    let publisher = Publisher::start(out_dir.clone(), state.clone());
    // Watch before the first build, so no save is missed in between.
    let mut watcher = watch::Watcher::start(&opts.root, &out_dir, serve.poll)?;
    let mut session = Session::new(opts.clone());
    if let Some(site) = rebuild(&mut session, &state) {
        publisher.submit(site);
    }

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the server: {e}"))?;
    let addr = SocketAddr::new(serve.bind, serve.port);
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(addr))
        .map_err(|e| {
            format!("cannot listen on {addr}: {e}; try another --port (0 picks a free one)")
        })?;
    let local = listener
        .local_addr()
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let url = match local {
        SocketAddr::V4(a) if a.ip().is_unspecified() => format!("http://127.0.0.1:{}/", a.port()),
        SocketAddr::V6(a) if a.ip().is_unspecified() => format!("http://[::1]:{}/", a.port()),
        SocketAddr::V6(a) => format!("http://[{}]:{}/", a.ip(), a.port()),
        SocketAddr::V4(a) => format!("http://{a}/"),
    };
    if !local.ip().is_loopback() {
        eprintln!(
            "warning: listening on {local}: other machines on the network can see this preview"
        );
    }
    println!("serving {url} (Ctrl-C to stop)");
    if serve.open {
        open_browser(&url);
    }

    let loop_state = state.clone();
    let loop_publisher = publisher.clone();
    std::thread::spawn(move || {
        while watcher.wait_change().is_some() {
            if let Some(site) = rebuild(&mut session, &loop_state) {
                loop_publisher.submit(site);
            }
        }
    });

    let app = http::router(state);
    let result = runtime.block_on(async move {
        tokio::select! {
            r = axum::serve(listener, app) => r.map_err(|e| format!("server error: {e}")),
            _ = tokio::signal::ctrl_c() => Ok(()),
        }
    });
    // Open event streams never end on their own: do not wait for them.
    runtime.shutdown_background();
    publisher.close();
    result
}

fn open_browser(url: &str) {
    let mut cmd = if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else if cfg!(windows) {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", ""]);
        c
    } else {
        std::process::Command::new("xdg-open")
    };
    if let Err(e) = cmd.arg(url).spawn() {
        eprintln!("warning: could not open a browser ({e}); open {url} yourself");
    }
}

/// `programme build --watch`.
pub fn watch(opts: &Options, poll: bool) -> Result<(), String> {
    let out_dir = opts.output_dir();
    let mut watcher = watch::Watcher::start(&opts.root, &out_dir, poll)?;
    let rebuilds = Arc::new(Mutex::new(Some(crate::Rebuilds::new(opts))));
    remove_spare_on_ctrl_c(rebuilds.clone());
    build_once(opts, &rebuilds);
    println!(
        "watching {} for changes (Ctrl-C to stop)",
        opts.root.display()
    );
    while watcher.wait_change().is_some() {
        build_once(opts, &rebuilds);
    }
    Ok(())
}

/// On Ctrl-C, lets the running publish end, removes the spare tree and exits.
fn remove_spare_on_ctrl_c(rebuilds: Arc<Mutex<Option<crate::Rebuilds>>>) {
    std::thread::spawn(move || {
        let Ok(rt) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        else {
            return;
        };
        if rt.block_on(tokio::signal::ctrl_c()).is_ok() {
            drop(rebuilds.lock().unwrap_or_else(|e| e.into_inner()).take());
            std::process::exit(130);
        }
    });
}

/// One whole build into the output folder, reported like `programme build`.
fn build_once(opts: &Options, rebuilds: &Mutex<Option<crate::Rebuilds>>) {
    let mut rebuilds = rebuilds.lock().unwrap_or_else(|e| e.into_inner());
    let Some(rebuilds) = rebuilds.as_mut() else {
        return;
    };
    match rebuilds.build(opts) {
        Ok(report) => {
            print_diagnostics(&report.diagnostics);
            println!("{}", report.summary());
        }
        Err(d) => {
            print_diagnostics(&d);
            eprintln!(
                "build failed: {} error(s); the output folder was not changed",
                d.errors().count()
            );
        }
    }
}
