//! `programme import`: reads a frab or pentabarf `schedule.xml`, or a pretalx
//! or frab `schedule.json`, and writes `content/` in programme's format.
//!
//! The stages: [`json`] and [`xml`] read the file into a [`Source`] (the
//! formats' common shape, times as given); [`plan`] turns it into the files
//! of a content folder ([`times`]: zones, starts, event days; slugs, shared
//! rooms, [`html`] abstracts to Markdown); [`write`] stages them, checks that they
//! build, and swaps them in (never over an existing content/ without
//! `--force`). Every error is a diagnostic naming the input file.

pub mod html;
pub mod json;
pub mod plan;
pub mod times;
pub mod write;
pub mod xml;

use crate::diagnostic::{Diagnostic, Diagnostics};
use std::path::{Path, PathBuf};

pub struct ImportOptions {
    pub file: PathBuf,
    pub into: PathBuf,
    pub timezone: Option<String>,
    pub force: bool,
}

/// A schedule as read from a file, before any interpretation.
#[derive(Debug, Clone, Default)]
pub struct Source {
    /// Written by programme itself: abstracts are Markdown, slugs and ids are ours.
    pub ours: bool,
    pub title: Option<String>,
    pub acronym: Option<String>,
    pub subtitle: Option<String>,
    pub time_zone: Option<String>,
    pub base_url: Option<String>,
    /// pentabarf's `<day_change>`, as `HH:MM[:SS]`.
    pub day_change: Option<String>,
    /// Declared rooms, in order.
    pub rooms: Vec<SourceRoom>,
    /// Declared tracks, in order.
    pub tracks: Vec<SourceTrack>,
    pub days: Vec<SourceDay>,
}

#[derive(Debug, Clone, Default)]
pub struct SourceRoom {
    pub name: String,
    pub capacity: Option<u32>,
}

#[derive(Debug, Clone, Default)]
pub struct SourceTrack {
    pub name: String,
    pub color: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct SourceDay {
    /// `YYYY-MM-DD`.
    pub date: Option<String>,
    /// The day's start as given (a date-time, usually with an offset).
    pub start: Option<String>,
    pub events: Vec<SourceEvent>,
}

#[derive(Debug, Clone, Default)]
pub struct SourceEvent {
    /// Line in the input file (XML), for diagnostics.
    pub line: Option<usize>,
    pub id: Option<i64>,
    pub slug: Option<String>,
    pub title: String,
    pub subtitle: Option<String>,
    /// The room named in the event, else the room it is listed under.
    pub room: Option<String>,
    pub track: Option<String>,
    pub kind: Option<String>,
    pub language: Option<String>,
    /// A date-time, with or without an offset.
    pub date: Option<String>,
    /// Local `HH:MM`, read together with the day's date.
    pub start: Option<String>,
    /// `HH:MM` or `HH:MM:SS`.
    pub duration: Option<String>,
    /// A date-time with an offset.
    pub end: Option<String>,
    pub abstract_: Option<String>,
    pub description: Option<String>,
    pub persons: Vec<SourcePerson>,
    pub links: Vec<SourceLink>,
}

#[derive(Debug, Clone, Default)]
pub struct SourcePerson {
    pub name: String,
    pub biography: Option<String>,
    /// The person's page, from which programme's own schedules give the slug.
    pub url: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct SourceLink {
    pub kind: Option<String>,
    pub url: String,
    pub title: Option<String>,
}

/// What an import did: a one-line summary and the warnings to show.
#[derive(Debug)]
pub struct Imported {
    pub summary: String,
    pub warnings: Diagnostics,
}

/// Converts the file into `<into>/content`.
pub fn run(opts: &ImportOptions) -> Result<Imported, Diagnostics> {
    let file = &opts.file;
    let fail = |message: String, help: &str| {
        Diagnostics(vec![Diagnostic::error("import", message)
            .in_file(file)
            .with_help(help)])
    };
    let bytes = std::fs::read(file).map_err(|e| {
        fail(
            format!("could not read {}: {e}", file.display()),
            "give the path of a schedule.json or schedule.xml file",
        )
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        fail(
            format!(
                "{} is not UTF-8 text (invalid byte at {})",
                file.display(),
                e.utf8_error().valid_up_to()
            ),
            "schedule files are UTF-8; re-export it from the source system",
        )
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let source =
        match detect(text) {
            Some(Format::Json) => json::read(text, file)?,
            Some(Format::Xml) => xml::read(text, file)?,
            None => return Err(fail(
                format!("{} is neither JSON nor XML", file.display()),
                "import reads a frab or pentabarf schedule.xml, or a pretalx or frab schedule.json",
            )),
        };
    let plan = plan::plan(&source, opts.timezone.as_deref(), file)?;
    write::write(&plan, &opts.into, opts.force, file)?;
    Ok(Imported {
        summary: format!(
            "imported {} talks, {} speakers, {} rooms and {} tracks from {} into {}",
            plan.talks.len(),
            plan.speakers.len(),
            plan.conference.rooms.len(),
            plan.conference.tracks.len(),
            file.display(),
            opts.into.join("content").display()
        ),
        warnings: plan.warnings.clone(),
    })
}

enum Format {
    Json,
    Xml,
}

fn detect(text: &str) -> Option<Format> {
    match text.trim_start().chars().next()? {
        '{' => Some(Format::Json),
        '<' => Some(Format::Xml),
        _ => None,
    }
}

/// An error about the input file at a line and column of `text`.
pub fn error_at(
    file: &Path,
    text: &str,
    line: usize,
    column: usize,
    message: impl Into<String>,
    help: &str,
) -> Diagnostic {
    Diagnostic::error("import", message)
        .in_file(file)
        .at(text, line, column)
        .with_help(help)
}
