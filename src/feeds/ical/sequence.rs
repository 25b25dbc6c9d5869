//! SEQUENCE, LAST-MODIFIED and DTSTAMP without a database: carried from the
//! previously published schedule.ics. Each event's fingerprint is the fields
//! attendees care about (start, end, room, title, status) as written in the
//! feed; when it differs from the previous feed's, SEQUENCE grows by one and
//! LAST-MODIFIED becomes this build's stamp; when it is equal, all three are
//! kept as they were, so the event's lines stay byte-identical.

use super::rfc5545::{parse_line, parse_utc_datetime, unescape_text, unfold, ContentLine};
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// The fields whose change makes a calendar update its copy of an event,
/// in the form written to the feed (dates with their parameters, text unescaped).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fingerprint {
    pub start: String,
    pub end: String,
    pub location: String,
    pub summary: String,
    pub status: String,
}

/// What an event carries from build to build.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Revision {
    pub sequence: u32,
    pub last_modified: DateTime<Utc>,
    pub stamp: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Published {
    fingerprint: Fingerprint,
    sequence: u32,
    last_modified: Option<DateTime<Utc>>,
    stamp: Option<DateTime<Utc>>,
}

/// The events of a previously published feed, by UID.
#[derive(Debug, Clone, Default)]
pub struct Previous {
    events: HashMap<String, Published>,
}

/// Why a previous feed could not be used, with the line where it went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

impl Previous {
    /// Reads a published schedule.ics. Anything malformed is an error, so
    /// that a broken feed is reported instead of silently restarting SEQUENCE.
    pub fn parse(text: &str) -> Result<Previous, ParseError> {
        let err = |line: usize, message: String| ParseError { line, message };
        let lines = unfold(text.strip_prefix('\u{feff}').unwrap_or(text));
        let first = lines
            .first()
            .ok_or_else(|| err(1, "the file is empty".into()))?;
        let opens = parse_line(&first.1)
            .is_ok_and(|l| l.name == "BEGIN" && l.value.eq_ignore_ascii_case("VCALENDAR"));
        if !opens {
            return Err(err(
                first.0,
                "it does not start with BEGIN:VCALENDAR".into(),
            ));
        }
        let mut events = HashMap::new();
        let mut depth: Vec<String> = Vec::new();
        let mut current: Option<(usize, HashMap<String, String>)> = None;
        for (no, raw) in &lines {
            let mut line = parse_line(raw).map_err(|m| err(*no, m))?;
            if line.name == "BEGIN" || line.name == "END" {
                line.value = line.value.to_ascii_uppercase();
            }
            match line.name.as_str() {
                "BEGIN" => {
                    if line.value == "VEVENT"
                        && depth.last().map(String::as_str) == Some("VCALENDAR")
                    {
                        current = Some((*no, HashMap::new()));
                    }
                    depth.push(line.value.clone());
                }
                "END" => {
                    if depth.pop().as_deref() != Some(line.value.as_str()) {
                        return Err(err(
                            *no,
                            format!("END:{} does not close its BEGIN", line.value),
                        ));
                    }
                    if line.value == "VEVENT" {
                        if let Some((start, fields)) = current.take() {
                            let (uid, published) = published(&fields).map_err(|m| err(start, m))?;
                            events.insert(uid, published);
                        }
                    }
                }
                name => {
                    if let Some((_, fields)) = current.as_mut() {
                        if depth.last().map(String::as_str) == Some("VEVENT") {
                            let value = match name {
                                "DTSTART" | "DTEND" => date_key(&line),
                                _ => line.value.clone(),
                            };
                            fields.insert(name.to_string(), value);
                        }
                    }
                }
            }
        }
        if !depth.is_empty() {
            let last = lines.last().map(|l| l.0).unwrap_or(1);
            return Err(err(last, "the calendar ends before END:VCALENDAR".into()));
        }
        Ok(Previous { events })
    }

    /// The revision of an event with this UID and fingerprint in this build.
    pub fn revise(&self, uid: &str, now: &Fingerprint, stamp: DateTime<Utc>) -> Revision {
        match self.events.get(uid) {
            None => Revision {
                sequence: 0,
                last_modified: stamp,
                stamp,
            },
            Some(p) if &p.fingerprint == now => Revision {
                sequence: p.sequence,
                last_modified: p.last_modified.or(p.stamp).unwrap_or(stamp),
                stamp: p.stamp.or(p.last_modified).unwrap_or(stamp),
            },
            Some(p) => Revision {
                sequence: p.sequence.saturating_add(1),
                last_modified: stamp,
                stamp: p.stamp.unwrap_or(stamp),
            },
        }
    }

    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }
}

/// A date property's identity: its parameters and value (`TZID=Europe/Rome:2017...`).
pub fn date_key(line: &ContentLine) -> String {
    let mut key = String::new();
    for (k, v) in &line.params {
        key.push_str(k);
        key.push('=');
        key.push_str(v);
        key.push(';');
    }
    key.push(':');
    key.push_str(&line.value);
    key
}

fn published(fields: &HashMap<String, String>) -> Result<(String, Published), String> {
    let uid = fields
        .get("UID")
        .filter(|u| !u.is_empty())
        .ok_or("a VEVENT without UID")?
        .clone();
    let sequence = match fields.get("SEQUENCE") {
        None => 0,
        Some(s) => s
            .trim()
            .parse()
            .map_err(|_| format!("SEQUENCE `{s}` of {uid} is not a number"))?,
    };
    let time = |name: &str| -> Result<Option<DateTime<Utc>>, String> {
        match fields.get(name) {
            None => Ok(None),
            Some(v) => parse_utc_datetime(v)
                .map(Some)
                .ok_or_else(|| format!("{name} `{v}` of {uid} is not a UTC date-time")),
        }
    };
    let text = |name: &str| {
        fields
            .get(name)
            .map(|v| unescape_text(v))
            .unwrap_or_default()
    };
    let fingerprint = Fingerprint {
        start: fields.get("DTSTART").cloned().unwrap_or_default(),
        end: fields.get("DTEND").cloned().unwrap_or_default(),
        location: text("LOCATION"),
        summary: text("SUMMARY"),
        status: fields.get("STATUS").cloned().unwrap_or_default(),
    };
    let published = Published {
        fingerprint,
        sequence,
        last_modified: time("LAST-MODIFIED")?,
        stamp: time("DTSTAMP")?,
    };
    Ok((uid, published))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FEED: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:a@conf\r\nDTSTAMP:20240101T000000Z\r\nDTSTART;TZID=Europe/Berlin:20240330T100000\r\nDTEND;TZID=Europe/Berlin:20240330T110000\r\nSUMMARY:Hello\\, world\r\nLOCATION:Room 1\r\nSTATUS:CONFIRMED\r\nSEQUENCE:3\r\nLAST-MODIFIED:20240102T000000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

    fn fp(location: &str) -> Fingerprint {
        Fingerprint {
            start: "TZID=Europe/Berlin;:20240330T100000".into(),
            end: "TZID=Europe/Berlin;:20240330T110000".into(),
            location: location.into(),
            summary: "Hello, world".into(),
            status: "CONFIRMED".into(),
        }
    }

    fn t(s: &str) -> DateTime<Utc> {
        parse_utc_datetime(s).unwrap()
    }

    #[test]
    fn unchanged_events_keep_their_revision() {
        let prev = Previous::parse(FEED).unwrap();
        let r = prev.revise("a@conf", &fp("Room 1"), t("20250101T000000Z"));
        assert_eq!(r.sequence, 3);
        assert_eq!(r.last_modified, t("20240102T000000Z"));
        assert_eq!(r.stamp, t("20240101T000000Z"));
    }

    #[test]
    fn changed_events_move_on() {
        let prev = Previous::parse(FEED).unwrap();
        let r = prev.revise("a@conf", &fp("Room 2"), t("20250101T000000Z"));
        assert_eq!(r.sequence, 4);
        assert_eq!(r.last_modified, t("20250101T000000Z"));
        assert_eq!(r.stamp, t("20240101T000000Z"));
    }

    #[test]
    fn new_events_start_at_zero() {
        let prev = Previous::parse(FEED).unwrap();
        let r = prev.revise("b@conf", &fp("Room 1"), t("20250101T000000Z"));
        assert_eq!(r.sequence, 0);
        assert_eq!(r.last_modified, t("20250101T000000Z"));
    }

    #[test]
    fn other_writers_spellings_are_read() {
        let odd = format!(
            "\u{feff}{}",
            FEED.replace("BEGIN:VEVENT", "begin:vevent")
                .replace("\r\n", "\n")
        );
        let prev = Previous::parse(&odd).unwrap();
        assert_eq!(prev.len(), 1);
        let r = prev.revise("a@conf", &fp("Room 1"), t("20250101T000000Z"));
        assert_eq!(r.sequence, 3);
    }

    #[test]
    fn broken_feeds_are_errors_with_a_line() {
        assert_eq!(Previous::parse("").unwrap_err().line, 1);
        assert!(Previous::parse("<html>").is_err());
        let bad_seq = FEED.replace("SEQUENCE:3", "SEQUENCE:three");
        let e = Previous::parse(&bad_seq).unwrap_err();
        assert_eq!(e.line, 3, "{e:?}");
        assert!(e.message.contains("SEQUENCE"));
        let truncated = &FEED[..FEED.find("END:VEVENT").unwrap()];
        assert!(Previous::parse(truncated).is_err());
        let no_colon = FEED.replace("LOCATION:Room 1", "LOCATION Room 1");
        assert_eq!(Previous::parse(&no_colon).unwrap_err().line, 9);
    }
}
