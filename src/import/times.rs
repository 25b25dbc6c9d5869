//! Times in an imported schedule: the zone (`--timezone` or the file's),
//! each event's start (an absolute date-time, a local one, or a day's date
//! plus a local start, moved to the next date when it is after midnight),
//! its duration, and the event-day boundary (`day_change`) that keeps every
//! event in the day the source lists it under.

use super::{Source, SourceDay, SourceEvent};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::fields::closest;
use crate::time;
use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use chrono_tz::Tz;
use std::path::Path;

const DEFAULT_DAY_CHANGE: (u32, u32) = (4, 0);

/// An event with its times resolved.
pub struct Timed<'a> {
    pub ev: &'a SourceEvent,
    pub start: Option<DateTime<Tz>>,
    pub duration: Option<Duration>,
    /// The event day the source lists it under.
    pub day: Option<NaiveDate>,
    order: usize,
}

pub fn default_day_change() -> NaiveTime {
    NaiveTime::from_hms_opt(DEFAULT_DAY_CHANGE.0, DEFAULT_DAY_CHANGE.1, 0).expect("valid")
}

/// The zone: --timezone, else the source's; an error naming the file when neither.
pub fn zone(
    source: &Source,
    flag: Option<&str>,
    file: &Path,
    warnings: &mut Diagnostics,
) -> Result<Tz, Diagnostics> {
    let tz = zone_of(source, flag, file)?;
    let timezone = flag;
    if let (Some(_), Some(given)) = (timezone, &source.time_zone) {
        if time::parse_zone(given).ok() != Some(tz) {
            warnings.push(
                Diagnostic::warning(
                    "import-timezone",
                    format!(
                        "--timezone {} replaces the file's time zone `{given}`",
                        tz.name()
                    ),
                )
                .in_file(file)
                .with_help(
                    "times with an offset stay exact; local times are read in the zone given",
                ),
            );
        }
    }
    Ok(tz)
}

fn zone_of(source: &Source, flag: Option<&str>, file: &Path) -> Result<Tz, Diagnostics> {
    let bad = |name: &str, from: &str| {
        let mut help = format!("{from} must be an IANA time zone name such as `Europe/Berlin`");
        if let Some(close) = closest(name, time::zone_names()) {
            help = format!("did you mean `{close}`? {help}");
        }
        Diagnostics(vec![Diagnostic::error(
            "import-timezone",
            format!("`{name}` is not a time zone ({from})"),
        )
        .in_file(file)
        .with_help(help)])
    };
    if let Some(name) = flag {
        return time::parse_zone(name).map_err(|_| bad(name, "--timezone"));
    }
    match &source.time_zone {
        Some(name) => time::parse_zone(name).map_err(|_| {
            let mut d = bad(name, "the file's time_zone_name");
            d.0[0].help = Some(format!(
                "pass the conference's zone with --timezone, for example `--timezone Europe/Berlin`{}",
                closest(name, time::zone_names())
                    .map(|c| format!(" (did you mean `{c}`?)"))
                    .unwrap_or_default()
            ));
            d
        }),
        None => Err(Diagnostics(vec![Diagnostic::error(
            "import-timezone",
            format!("{} does not say which time zone its times are in", file.display()),
        )
        .in_file(file)
        .with_help(
            "pass the conference's zone with --timezone, for example `--timezone Europe/Berlin`",
        )])),
    }
}

/// Every event with its start and duration, in programme order (by start,
/// then as listed; unscheduled events last). Errors name the file and, for
/// XML, the event's line.
pub fn resolve<'a>(
    source: &'a Source,
    tz: Tz,
    file: &Path,
    warnings: &mut Diagnostics,
) -> Result<Vec<Timed<'a>>, Diagnostics> {
    let mut errors = Diagnostics::new();
    let err = |ev: &SourceEvent, message: String, help: &str| {
        let mut d = Diagnostic::error("import", message)
            .in_file(file)
            .with_help(help);
        d.line = ev.line;
        d
    };

    // Times.
    let source_day_change = source
        .day_change
        .as_deref()
        .and_then(|s| time::parse_time(s).ok());
    let mut timed = Vec::new();
    for day in &source.days {
        let day_date = day.date.as_deref().and_then(|d| time::parse_date(d).ok());
        let boundary = source_day_change
            .or_else(|| day_start(day, tz).map(|s| s.time()))
            .unwrap_or_else(default_day_change);
        for ev in &day.events {
            let start = match start_of(ev, day_date, boundary, tz) {
                Ok(s) => s,
                Err(e) => {
                    errors.push(err(
                        ev,
                        format!("event `{}`: {e}", ev.title),
                        "fix the event's date and start in the source, or give --timezone",
                    ));
                    continue;
                }
            };
            let duration = match duration_of(ev, start) {
                Ok(d) => d,
                Err(e) => {
                    errors.push(err(
                        ev,
                        format!("event `{}`: {e}", ev.title),
                        "durations are written `HH:MM`",
                    ));
                    continue;
                }
            };
            let duration = match (start, duration) {
                (Some(_), None) => {
                    let mut w = Diagnostic::warning(
                        "import",
                        format!("event `{}` has no duration; it gets 15 minutes", ev.title),
                    )
                    .in_file(file)
                    .with_help("edit `duration:` in the imported talk");
                    w.line = ev.line;
                    warnings.push(w);
                    Some(Duration::minutes(15))
                }
                (_, d) => d,
            };
            timed.push(Timed {
                ev,
                start,
                duration,
                day: day_date,
                order: timed.len(),
            });
        }
    }
    if errors.has_errors() {
        return Err(errors);
    }
    // Programme order: by start, then as listed; unscheduled events last.
    timed.sort_by_key(|t| (t.start.is_none(), t.start, t.order));

    Ok(timed)
}

/// The local start of a source day (`day_start` / `<day start>`).
pub fn day_start(day: &SourceDay, tz: Tz) -> Option<NaiveDateTime> {
    let s = day.start.as_deref()?;
    match parse_instant(s) {
        Some(Instant::Absolute(at)) => Some(at.with_timezone(&tz).naive_local()),
        Some(Instant::Local(n)) => Some(n),
        None => None,
    }
}

enum Instant {
    Absolute(DateTime<FixedOffset>),
    Local(NaiveDateTime),
}

fn parse_instant(s: &str) -> Option<Instant> {
    let s = s.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(s) {
        return Some(Instant::Absolute(at));
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%:z",
        "%Y-%m-%dT%H:%M%:z",
        "%Y-%m-%d %H:%M:%S%:z",
        "%Y-%m-%d %H:%M%:z",
    ] {
        if let Ok(at) = DateTime::parse_from_str(s, fmt) {
            return Some(Instant::Absolute(at));
        }
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(n) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(Instant::Local(n));
        }
    }
    None
}

/// An event's start: its `date` when it has one (absolute with an offset, or
/// local), else the day's date and its local `start`, on the next date when
/// the start is before the day's boundary (an event after midnight).
fn start_of(
    ev: &SourceEvent,
    day: Option<NaiveDate>,
    boundary: NaiveTime,
    tz: Tz,
) -> Result<Option<DateTime<Tz>>, String> {
    if let Some(date) = &ev.date {
        // A bare date (pentabarf) carries no time: fall through to `start`.
        if date.trim().len() > 10 {
            return match parse_instant(date) {
                Some(Instant::Absolute(at)) => Ok(Some(at.with_timezone(&tz))),
                Some(Instant::Local(n)) => time::localize(n, tz).map(|p| Some(p.at)),
                None => Err(format!(
                    "`{date}` is not a date and time (`2017-04-26T12:15:00+02:00`)"
                )),
            };
        }
    }
    let Some(start) = &ev.start else {
        return Ok(None);
    };
    let time = time::parse_time(start)?;
    let date = match (day, ev.date.as_deref().map(time::parse_date)) {
        (_, Some(Ok(d))) => d,
        (Some(d), _) => {
            if time < boundary {
                d.succ_opt().unwrap_or(d)
            } else {
                d
            }
        }
        (None, _) => return Err(format!("starts at `{start}` but its day has no date")),
    };
    time::localize(date.and_time(time), tz).map(|p| Some(p.at))
}

fn duration_of(ev: &SourceEvent, start: Option<DateTime<Tz>>) -> Result<Option<Duration>, String> {
    if let Some(d) = &ev.duration {
        let parts: Vec<&str> = d.trim().split(':').collect();
        let num = |s: &str| s.trim().parse::<i64>().ok();
        let minutes = match parts.as_slice() {
            [h, m] | [h, m, _] => num(h).zip(num(m)).map(|(h, m)| h * 60 + m),
            [m] => num(m),
            _ => None,
        };
        return match minutes {
            Some(m) if m > 0 => Ok(Some(Duration::minutes(m))),
            Some(_) => Ok(None),
            None => Err(format!("`{d}` is not a duration")),
        };
    }
    if let (Some(end), Some(start)) = (&ev.end, start) {
        if let Some(Instant::Absolute(at)) = parse_instant(end) {
            let d = at.with_timezone(&start.timezone()) - start;
            if d > Duration::zero() {
                return Ok(Some(d));
            }
        }
    }
    Ok(None)
}

/// The earliest day change that keeps every event in the day the source
/// lists it under: after every after-midnight start, not after any same-day
/// start. 04:00 when that fits.
pub fn infer_day_change(
    timed: &[Timed],
    file: &Path,
    warnings: &mut Diagnostics,
) -> Option<NaiveTime> {
    let mut lo = NaiveTime::MIN;
    let mut hi: Option<NaiveTime> = None;
    for t in timed {
        let (Some(start), Some(day)) = (t.start, t.day) else {
            continue;
        };
        let local = start.naive_local();
        if local.date() > day {
            lo = lo.max(local.time() + Duration::minutes(1));
        } else if local.date() == day {
            hi = Some(hi.map_or(local.time(), |h| h.min(local.time())));
        }
    }
    let fits = |t: NaiveTime| t >= lo && hi.is_none_or(|h| t <= h);
    if fits(default_day_change()) {
        return None;
    }
    let rounded = if lo.format("%M").to_string() == "00" {
        lo
    } else {
        NaiveTime::from_hms_opt(
            (lo.format("%H").to_string().parse::<u32>().unwrap_or(0) + 1).min(23),
            0,
            0,
        )
        .unwrap_or(lo)
    };
    let chosen = [rounded, lo].into_iter().find(|t| fits(*t));
    if chosen.is_none() {
        warnings.push(
            Diagnostic::warning(
                "import",
                "no single day change keeps every event in the day the source lists it under",
            )
            .in_file(file)
            .with_help("check `day_change:` in conference.yaml and the late-night talks"),
        );
    }
    chosen
}

/// `YYYY-MM-DD HH:MM` in the zone; with the offset when that wall-clock time
/// happens twice and this is the second.
pub fn local_start(at: DateTime<Tz>, tz: Tz) -> String {
    let naive = at.naive_local();
    let mut s = naive.format("%Y-%m-%d %H:%M").to_string();
    if naive.format("%S").to_string() != "00" {
        s = naive.format("%Y-%m-%d %H:%M:%S").to_string();
    }
    if let chrono::LocalResult::Ambiguous(first, _) = tz.from_local_datetime(&naive) {
        if first != at {
            s.push_str(&at.format("%:z").to_string());
        }
    }
    s
}

pub fn human_duration(d: Duration) -> String {
    let m = d.num_minutes();
    match (m / 60, m % 60) {
        (0, m) => format!("{m}m"),
        (h, 0) => format!("{h}h"),
        (h, m) => format!("{h}h{m}m"),
    }
}
