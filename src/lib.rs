//! programme: a static site generator for conference programmes.
//!
//! Organisers write one Markdown file per talk with YAML front matter;
//! [`build`] turns the folder into a schedule website, iCalendar feeds and
//! frab schedule files. The pipeline reads top to bottom:
//!
//! ```text
//! content/ --load--> documents --resolve/check--> Programme --renderers--> Output --write--> public/
//! ```
//!
//! Each stage is one module; see the README for the content format and the CLI.

pub mod check;
pub mod diagnostic;
pub mod feeds;
pub mod fields;
pub mod import;
pub mod incremental;
pub mod init;
pub mod load;
pub mod markdown;
pub mod model;
pub mod output;
pub mod render;
pub mod resolve;
pub mod serve;
pub mod synth;
pub mod time;
pub mod write;

use chrono::{DateTime, Utc};
use diagnostic::{Diagnostic, Diagnostics};
use model::Programme;
use output::{Collector, Manifest, Output, Sink, Store};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// What a build is asked to do; the CLI's arguments, validated.
#[derive(Debug, Clone)]
pub struct Options {
    /// The site root, holding `content/` and optionally `themes/`.
    pub root: PathBuf,
    /// The output folder; `<root>/public` when None.
    pub output: Option<PathBuf>,
    /// Include talks marked `draft: true`.
    pub drafts: bool,
    /// A previously published schedule.ics to carry SEQUENCE numbers on from;
    /// when None, the output folder's own schedule.ics is used if present.
    pub previous_feed: Option<PathBuf>,
}

impl Options {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Options {
            root: root.into(),
            output: None,
            drafts: false,
            previous_feed: None,
        }
    }

    pub fn output_dir(&self) -> PathBuf {
        self.output
            .clone()
            .unwrap_or_else(|| self.root.join("public"))
    }
}

/// What renderers get besides the programme: facts about this build.
#[derive(Debug, Clone)]
pub struct Env {
    /// The build's timestamp: `SOURCE_DATE_EPOCH` when set, otherwise the
    /// newest modification time among the content files, so that the same
    /// input gives the same bytes.
    pub stamp: DateTime<Utc>,
    /// The previously published schedule.ics, read once per build (empty
    /// when there is none or it cannot be read).
    pub previous_feed: std::sync::Arc<feeds::ical::sequence::Previous>,
    /// Feed pieces of earlier builds, when rebuilding (serve, watch).
    pub fragments: Option<std::sync::Arc<incremental::Fragments>>,
}

/// One output format. Renderers see only the programme and the build's
/// facts, and put each finished file into the sink as soon as it is
/// rendered (from any thread); they never read the site or write to disk.
pub trait Renderer: Sync + Send {
    fn name(&self) -> &'static str;
    fn render(&self, programme: &Programme, env: &Env, sink: &dyn Sink) -> Result<(), Diagnostics>;
}

/// A site built in memory, not yet written.
#[derive(Debug)]
pub struct Built {
    pub programme: Programme,
    pub output: Output,
    /// Warnings (a successful build has no errors).
    pub diagnostics: Diagnostics,
    /// Time spent loading, resolving and rendering.
    pub elapsed: Duration,
}

/// What a finished build did, for the one-line summary.
#[derive(Debug)]
pub struct Report {
    pub talks: usize,
    pub speakers: usize,
    pub pages: usize,
    pub files: usize,
    /// Files whose bytes changed (the rest were already there).
    pub written: usize,
    pub diagnostics: Diagnostics,
    pub elapsed: Duration,
    /// Of `elapsed`, the time spent flushing the files to the disk.
    pub synced: Duration,
}

impl Report {
    pub fn summary(&self) -> String {
        format!(
            "built {} talks, {} speakers, {} pages: {} files ({} changed) in {} ms",
            self.talks,
            self.speakers,
            self.pages,
            self.files,
            self.written,
            self.elapsed.as_millis()
        )
    }
}

/// Loads and validates the programme: everything up to rendering.
/// Returns every diagnostic found; the Err side holds at least one error.
pub fn load_programme(opts: &Options) -> Result<(Programme, Diagnostics), Diagnostics> {
    load_programme_with(opts, None)
}

fn load_programme_with(
    opts: &Options,
    caches: Option<&incremental::Caches>,
) -> Result<(Programme, Diagnostics), Diagnostics> {
    let mut diagnostics = Diagnostics::new();
    let content = load::load_with(&opts.root, &mut diagnostics, caches.map(|c| &c.docs));
    let programme = content
        .as_ref()
        .and_then(|c| resolve::programme(c, opts.drafts, &mut diagnostics));
    if let (Some(content), Some(programme)) = (&content, &programme) {
        check::programme(programme, content, &mut diagnostics);
    }
    diagnostics.sort();
    match programme {
        Some(p) if !diagnostics.has_errors() => Ok((p, diagnostics)),
        _ => Err(diagnostics),
    }
}

/// Loads the programme and, at the same time, the build's facts ([`Env`]):
/// the stamp (a walk of content/) and the previous feed (a parse of the
/// published schedule.ics) need no programme, and each is serial work.
fn load_with_env(
    opts: &Options,
    caches: Option<&incremental::Caches>,
) -> Result<(Programme, Diagnostics, Env), Diagnostics> {
    let (loaded, (stamp, (previous_feed, warning))) = rayon::join(
        || load_programme_with(opts, caches),
        || {
            rayon::join(
                || build_stamp(&opts.root),
                || read_previous_feed(opts, caches),
            )
        },
    );
    let (programme, mut diagnostics) = loaded?;
    if let Some(warning) = warning {
        diagnostics.push(warning);
    }
    let env = Env {
        stamp,
        previous_feed,
        fragments: caches.map(|c| c.fragments.clone()),
    };
    Ok((programme, diagnostics, env))
}

/// Builds the whole site in memory: load, resolve, check, render, feeds.
pub fn build_in_memory(opts: &Options) -> Result<Built, Diagnostics> {
    build_in_memory_with(opts, None)
}

/// [`build_in_memory`], reusing what earlier builds left in `caches`
/// (see [`incremental::Session`]).
pub fn build_in_memory_with(
    opts: &Options,
    caches: Option<&incremental::Caches>,
) -> Result<Built, Diagnostics> {
    let started = Instant::now();
    let (programme, mut diagnostics, env) = load_with_env(opts, caches)?;
    let store = Mutex::new(Output::new());
    render_into(opts, &programme, &env, &mut diagnostics, &store, caches)?;
    Ok(Built {
        programme,
        output: store.into_inner().unwrap_or_else(|e| e.into_inner()),
        diagnostics,
        elapsed: started.elapsed(),
    })
}

/// Renders every format and the finishing files into `store`, each file as
/// soon as it is ready. Returns the site's manifest; on error, what the
/// store took is incomplete and must be thrown away.
fn render_into(
    opts: &Options,
    programme: &Programme,
    env: &Env,
    diagnostics: &mut Diagnostics,
    store: &dyn Store,
    caches: Option<&incremental::Caches>,
) -> Result<Manifest, Diagnostics> {
    let renderers: Vec<Box<dyn Renderer>> = vec![
        Box::new(
            render::Html::load(&opts.root, &programme.conference.theme)
                .map(|h| match caches {
                    Some(c) => h.with_memo(c.pages.clone()),
                    None => h,
                })
                .map_err(|mut d| {
                    d.extend(diagnostics.clone());
                    d
                })?,
        ),
        Box::new(feeds::ical::Ical),
        Box::new(feeds::frab::Frab),
        Box::new(feeds::index::Index),
    ];
    let site = Collector::new(store, &feeds::index::SW_SOURCES);
    let rendered: Vec<Result<(), Diagnostics>> = renderers
        .par_iter()
        .map(|r| r.render(programme, env, &site))
        .collect();
    for result in rendered {
        if let Err(d) = result {
            diagnostics.extend(d);
        }
    }
    if !diagnostics.has_errors() {
        feeds::index::finish(&site, programme);
    }
    if let Some(e) = site.take_error() {
        diagnostics.push(write_error(&e, &opts.output_dir()));
    }
    if diagnostics.has_errors() {
        return Err(diagnostics.clone());
    }
    Ok(site.into_manifest())
}

/// Builds the site and swaps it into the output folder. Files are written
/// into a stage beside it as they are rendered; on any error the output
/// folder is left exactly as it was.
pub fn build(opts: &Options) -> Result<Report, Diagnostics> {
    build_with(opts, write::WriteOptions::default())
}

/// [`build`] with the given durability settings.
pub fn build_with(opts: &Options, write_opts: write::WriteOptions) -> Result<Report, Diagnostics> {
    let started = Instant::now();
    let (programme, mut diagnostics, env) = load_with_env(opts, None)?;
    let out_dir = opts.output_dir();
    let failed = |e: std::io::Error, d: &Diagnostics| {
        let mut d = d.clone();
        d.push(write_error(&e, &out_dir));
        d
    };
    let stage = write::Stage::begin(&out_dir, write_opts).map_err(|e| failed(e, &diagnostics))?;
    // On error the stage is dropped, which removes it.
    let manifest = render_into(opts, &programme, &env, &mut diagnostics, &stage, None)?;
    let swapped = stage.commit().map_err(|e| failed(e, &diagnostics))?;
    let synced = swapped.synced();
    let stats = swapped.finish();
    Ok(Report {
        talks: programme.talks.len(),
        speakers: programme.speakers.len(),
        pages: programme.pages.len(),
        files: manifest.len(),
        written: stats.written,
        diagnostics,
        elapsed: started.elapsed(),
        synced,
    })
}

/// Builds for a long-running process (`programme build --watch`): each site
/// is built in memory and published through a [`write::spare::DoubleBuffer`],
/// so a rebuild writes only the files that changed. Dropping it removes the
/// spare tree beside the output folder.
pub struct Rebuilds {
    buffer: write::spare::DoubleBuffer,
    caches: incremental::Caches,
}

impl Rebuilds {
    pub fn new(opts: &Options) -> Rebuilds {
        Rebuilds {
            buffer: write::spare::DoubleBuffer::new(
                &opts.output_dir(),
                write::WriteOptions::default(),
            ),
            caches: incremental::Caches::default(),
        }
    }

    /// Builds and publishes; on any error the output folder is left as it was.
    pub fn build(&mut self, opts: &Options) -> Result<Report, Diagnostics> {
        let started = Instant::now();
        let built = build_in_memory_with(opts, Some(&self.caches));
        self.caches.sweep();
        let built = built?;
        let output = std::sync::Arc::new(built.output);
        let stats = self.buffer.publish(output.clone()).map_err(|e| {
            let mut d = built.diagnostics.clone();
            d.push(write_error(&e, &opts.output_dir()));
            d
        })?;
        Ok(Report {
            talks: built.programme.talks.len(),
            speakers: built.programme.speakers.len(),
            pages: built.programme.pages.len(),
            files: output.len(),
            written: stats.written,
            diagnostics: built.diagnostics,
            elapsed: started.elapsed(),
            synced: Duration::ZERO,
        })
    }
}

fn write_error(e: &std::io::Error, out_dir: &Path) -> Diagnostic {
    Diagnostic::error("write", format!("could not write the site: {e}"))
        .in_file(out_dir)
        .with_help("check that the output folder is writable; the previous site is unchanged")
}

/// `SOURCE_DATE_EPOCH` when set and valid, else the newest mtime under content/.
fn build_stamp(root: &Path) -> DateTime<Utc> {
    if let Some(t) = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(|s| DateTime::from_timestamp(s, 0))
    {
        return t;
    }
    let newest = load::newest_mtime(&root.join("content"));
    let secs = newest
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

/// The previous feed, parsed, and a warning (with an empty feed) when one
/// given by `--previous-feed` cannot be read or when the text is not a
/// calendar.
fn read_previous_feed(
    opts: &Options,
    caches: Option<&incremental::Caches>,
) -> (
    std::sync::Arc<feeds::ical::sequence::Previous>,
    Option<Diagnostic>,
) {
    let path = opts
        .previous_feed
        .clone()
        .unwrap_or_else(|| opts.output_dir().join("schedule.ics"));
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if opts.previous_feed.is_some() || path.exists() => {
            let warning = Diagnostic::warning(
                "previous-feed",
                format!("cannot read the previous feed: {e}"),
            )
            .in_file(&path)
            .with_help("SEQUENCE numbers start again from 0; check the path");
            return (Default::default(), Some(warning));
        }
        Err(_) => return (Default::default(), None),
    };
    match feeds::ical::previous_feed(&text, caches.map(|c| &*c.fragments)) {
        Ok(previous) => (previous, None),
        Err(d) => (Default::default(), Some(d.in_file(&path))),
    }
}
