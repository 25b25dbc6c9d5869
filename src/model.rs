//! The validated programme: typed, immutable, no I/O.
//!
//! `Programme` is what every renderer and feed reads. Cross references are
//! indices into the programme's vectors (`TalkId`, `SpeakerId`, ...), linked
//! both ways, so that lookups are O(1) and nothing is reference counted. It is
//! built from loaded documents by [`crate::resolve`] and checked across files
//! by [`crate::check`]; nothing else constructs it.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use std::collections::BTreeMap;
use std::path::PathBuf;

pub type TalkId = usize;
pub type SpeakerId = usize;
pub type RoomId = usize;
pub type TrackId = usize;

/// Free-form front-matter keys the format does not know, passed to templates as `extra`.
pub type Extra = BTreeMap<String, serde_json::Value>;

/// The whole programme, ready to render.
#[derive(Debug, Clone)]
pub struct Programme {
    pub conference: Conference,
    /// Event days in date order; each lists its scheduled talks.
    pub days: Vec<Day>,
    /// Rooms in declared order; when none are declared, in order of first use in time.
    pub rooms: Vec<Room>,
    /// Tracks in declared order (then in order of first use).
    pub tracks: Vec<Track>,
    /// Speakers sorted by slug.
    pub speakers: Vec<Speaker>,
    /// Every talk: scheduled ones by start, room order and slug; then unscheduled ones by slug.
    pub talks: Vec<Talk>,
    /// Free pages sorted by slug.
    pub pages: Vec<Page>,
    /// Files under content/static, copied verbatim.
    pub static_files: Vec<StaticFile>,
}

#[derive(Debug, Clone)]
pub struct Conference {
    pub title: String,
    /// `[a-z0-9_]{4,}`; used in feed UIDs and schedule.json.
    pub acronym: String,
    pub subtitle: Option<String>,
    pub timezone: Tz,
    /// Absolute, always ending in `/`, when given.
    pub base_url: Option<String>,
    /// BCP 47 language tag of the site (`en` when not given).
    pub language: String,
    /// Theme name (`default` when not given).
    pub theme: String,
    pub default_duration: Option<Duration>,
    /// A talk starting before this local time belongs to the previous event day.
    pub day_change: NaiveTime,
    /// How raw HTML inside Markdown is treated.
    pub raw_html: RawHtml,
    pub extra: Extra,
}

/// Raw HTML in Markdown: sanitised through an allow-list (default) or passed through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RawHtml {
    #[default]
    Sanitise,
    Trusted,
}

#[derive(Debug, Clone)]
pub struct Day {
    pub date: NaiveDate,
    /// Scheduled talks of this event day, by start, then room order.
    pub talks: Vec<TalkId>,
}

#[derive(Debug, Clone)]
pub struct Room {
    pub slug: String,
    pub name: String,
    pub capacity: Option<u32>,
    /// Talks may overlap here.
    pub shared: bool,
    /// Scheduled talks in this room, by start.
    pub talks: Vec<TalkId>,
    pub extra: Extra,
}

#[derive(Debug, Clone)]
pub struct Track {
    pub slug: String,
    pub name: String,
    /// A CSS colour (`#aa3355`), when given.
    pub color: Option<String>,
    /// Talks of this track: scheduled by start, then unscheduled.
    pub talks: Vec<TalkId>,
    pub extra: Extra,
}

#[derive(Debug, Clone)]
pub struct Link {
    pub title: String,
    pub url: String,
}

#[derive(Debug, Clone)]
pub struct Speaker {
    pub slug: String,
    pub name: String,
    pub affiliation: Option<String>,
    /// Path relative to content/static (and so to the output root).
    pub photo: Option<String>,
    pub links: Vec<Link>,
    pub bio: Text,
    /// Their talks: scheduled by start, then unscheduled.
    pub talks: Vec<TalkId>,
    /// The profile file (`content/speakers/x.md`), or None for a name with no profile.
    pub source: Option<PathBuf>,
    pub extra: Extra,
}

/// Markdown prose in the three forms the outputs need.
#[derive(Debug, Clone, Default)]
pub struct Text {
    pub markdown: String,
    /// Rendered and (unless trusted) sanitised HTML.
    pub html: String,
    /// Plain text for feeds: paragraphs separated by blank lines, link targets kept.
    pub plain: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Status {
    #[default]
    Confirmed,
    Cancelled,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Confirmed => "confirmed",
            Status::Cancelled => "cancelled",
        }
    }
}

/// When and where a scheduled talk happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    pub start: DateTime<Tz>,
    pub end: DateTime<Tz>,
    /// The event day it belongs to (a talk at 01:00 belongs to the day before).
    pub day: NaiveDate,
}

impl Slot {
    pub fn duration(&self) -> Duration {
        self.end - self.start
    }

    pub fn start_utc(&self) -> DateTime<Utc> {
        self.start.with_timezone(&Utc)
    }

    pub fn end_utc(&self) -> DateTime<Utc> {
        self.end.with_timezone(&Utc)
    }
}

#[derive(Debug, Clone)]
pub struct Talk {
    pub slug: String,
    pub title: String,
    pub speakers: Vec<SpeakerId>,
    /// None for an unscheduled talk.
    pub slot: Option<Slot>,
    /// The room; always set for a scheduled talk, optional for an unscheduled one.
    pub room: Option<RoomId>,
    pub track: Option<TrackId>,
    /// `talk` unless given: keynote, workshop, panel, break, ...
    pub kind: String,
    pub language: Option<String>,
    pub slides: Option<String>,
    pub video: Option<String>,
    pub links: Vec<Link>,
    pub status: Status,
    /// Only present in a build with drafts.
    pub draft: bool,
    pub abstract_: Text,
    /// The talk's file, relative to the root (`content/talks/x.md`).
    pub source: PathBuf,
    pub extra: Extra,
}

impl Talk {
    pub fn is_scheduled(&self) -> bool {
        self.slot.is_some()
    }

    pub fn is_cancelled(&self) -> bool {
        self.status == Status::Cancelled
    }

    /// A break spans every room in the grid.
    pub fn is_break(&self) -> bool {
        self.kind == "break"
    }
}

#[derive(Debug, Clone)]
pub struct Page {
    pub slug: String,
    pub title: String,
    pub body: Text,
    pub source: PathBuf,
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaticFile {
    /// Path relative to content/static, with `/` separators; also its output path.
    pub path: String,
    pub bytes: Vec<u8>,
}

/// Turns a name into a URL slug: lower-case ASCII letters, digits and single
/// hyphens. Accented Latin letters lose their accents; other characters are
/// dropped; a name with nothing left gets `x` plus a hex code of its text.
pub fn slugify(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut pending_dash = false;
    for c in name.chars().flat_map(fold_char) {
        if c.is_ascii_alphanumeric() {
            if pending_dash && !out.is_empty() {
                out.push('-');
            }
            pending_dash = false;
            out.push(c.to_ascii_lowercase());
        } else {
            pending_dash = true;
        }
    }
    if out.is_empty() && !name.trim().is_empty() {
        let hash = name.bytes().fold(0xcbf29ce484222325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100000001b3)
        });
        out = format!("x{:08x}", hash as u32);
    }
    out
}

/// Folds common accented Latin letters to ASCII.
fn fold_char(c: char) -> impl Iterator<Item = char> {
    let s: &str = match c {
        'à'..='å' | 'À'..='Å' | 'ā' | 'ą' | 'ă' => "a",
        'æ' | 'Æ' => "ae",
        'ç' | 'Ç' | 'ć' | 'č' | 'Č' | 'Ć' => "c",
        'ď' | 'đ' | 'Đ' | 'ð' => "d",
        'è'..='ë' | 'È'..='Ë' | 'ē' | 'ę' | 'ě' | 'ė' => "e",
        'ì'..='ï' | 'Ì'..='Ï' | 'ī' | 'į' | 'ı' => "i",
        'ł' | 'Ł' | 'ľ' | 'ĺ' => "l",
        'ñ' | 'Ñ' | 'ń' | 'ň' | 'Ń' => "n",
        'ò'..='ö' | 'ø' | 'Ò'..='Ö' | 'Ø' | 'ō' | 'ő' => "o",
        'œ' | 'Œ' => "oe",
        'ř' | 'Ř' | 'ŕ' => "r",
        'ś' | 'š' | 'Š' | 'Ś' | 'ş' | 'ș' => "s",
        'ß' => "ss",
        'ť' | 'ţ' | 'ț' => "t",
        'ù'..='ü' | 'Ù'..='Ü' | 'ū' | 'ů' | 'ű' | 'ų' => "u",
        'ý' | 'ÿ' | 'Ý' => "y",
        'ž' | 'Ž' | 'ź' | 'ż' | 'Ż' | 'Ź' => "z",
        'þ' | 'Þ' => "th",
        _ => "",
    };
    let single = if s.is_empty() { Some(c) } else { None };
    s.chars().chain(single)
}

impl Programme {
    /// Scheduled talks in programme order.
    pub fn scheduled(&self) -> impl Iterator<Item = (TalkId, &Talk)> {
        self.talks
            .iter()
            .enumerate()
            .filter(|(_, t)| t.is_scheduled())
    }

    /// Talks without a time.
    pub fn unscheduled(&self) -> impl Iterator<Item = (TalkId, &Talk)> {
        self.talks
            .iter()
            .enumerate()
            .filter(|(_, t)| !t.is_scheduled())
    }

    pub fn talk_by_slug(&self, slug: &str) -> Option<TalkId> {
        self.talks.iter().position(|t| t.slug == slug)
    }
}

#[cfg(test)]
mod tests {
    use super::slugify;

    #[test]
    fn slugs() {
        assert_eq!(slugify("Room 4"), "room-4");
        assert_eq!(
            slugify("Main Plenary (Sala Verde)"),
            "main-plenary-sala-verde"
        );
        assert_eq!(slugify("  Ünïcödé  Straße "), "unicode-strasse");
        assert_eq!(slugify("Julia Kloiber"), "julia-kloiber");
        assert_eq!(slugify("my_talk--2"), "my-talk-2");
        assert_eq!(slugify("李明"), slugify("李明"));
        assert!(slugify("李明").starts_with('x'));
        assert_ne!(slugify("李明"), slugify("王芳"));
        assert_eq!(slugify(""), "");
    }
}
