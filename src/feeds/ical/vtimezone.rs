//! VTIMEZONE from the tz database (chrono-tz): the observances in force over
//! the conference's span, each with its onset, TZOFFSETFROM, TZOFFSETTO and
//! TZNAME, as STANDARD or DAYLIGHT, so that every local time with a TZID in
//! the feeds resolves to the same instant as in the programme.

use super::rfc5545::{local_datetime, utc_offset, Writer};
use chrono::{DateTime, Duration, NaiveDate, Offset, TimeZone, Utc};
use chrono_tz::{OffsetComponents, OffsetName, Tz};

/// How a zone stands at one instant.
#[derive(Debug, Clone, PartialEq, Eq)]
struct State {
    /// Total offset from UTC, in seconds.
    offset: i32,
    daylight: bool,
    name: Option<String>,
}

fn state(tz: Tz, at: DateTime<Utc>) -> State {
    let off = tz.offset_from_utc_datetime(&at.naive_utc());
    State {
        offset: off.fix().local_minus_utc(),
        daylight: off.dst_offset() != Duration::zero(),
        name: off.abbreviation().map(str::to_string),
    }
}

/// One observance: from `onset` (UTC) the zone is `offset_to` seconds ahead of UTC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observance {
    pub daylight: bool,
    pub onset: DateTime<Utc>,
    pub offset_from: i32,
    pub offset_to: i32,
    pub name: Option<String>,
}

/// How far back to look for the change that began the observance in force
/// at the start of the span; zones without one in this window are treated as
/// having always had their current offset.
const LOOK_BACK_DAYS: i64 = 3 * 366;

/// The first instant in (lo, hi] at which the zone's state differs from its
/// state at `lo`, when it does at `hi`. tz changes fall on whole seconds.
fn first_change(tz: Tz, lo: DateTime<Utc>, hi: DateTime<Utc>) -> DateTime<Utc> {
    let before = state(tz, lo);
    let (mut lo, mut hi) = (lo, hi);
    while hi - lo > Duration::seconds(1) {
        let mid = lo + (hi - lo) / 2;
        let mid = DateTime::from_timestamp(mid.timestamp(), 0).unwrap_or(mid);
        if state(tz, mid) == before {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    hi
}

/// Every change of the zone in (from, to], scanning in steps of `step`.
fn changes(tz: Tz, from: DateTime<Utc>, to: DateTime<Utc>, step: Duration) -> Vec<DateTime<Utc>> {
    let mut found = Vec::new();
    let mut lo = from;
    while lo < to {
        let hi = (lo + step).min(to);
        if state(tz, lo) != state(tz, hi) {
            let at = first_change(tz, lo, hi);
            found.push(at);
            lo = at;
        } else {
            lo = hi;
        }
    }
    found
}

/// The observances needed to resolve every local time in [from, to]: the
/// one in force at `from` (with the onset of the change that began it) and
/// one per change up to `to`.
pub fn observances(tz: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Observance> {
    let to = to.max(from);
    let back = from - Duration::days(LOOK_BACK_DAYS);
    let initial = state(tz, from);
    let mut out = Vec::new();
    match changes(tz, back, from, Duration::hours(12)).last() {
        Some(&onset) => {
            let prior = state(tz, onset - Duration::seconds(1));
            out.push(Observance {
                daylight: initial.daylight,
                onset,
                offset_from: prior.offset,
                offset_to: initial.offset,
                name: initial.name.clone(),
            });
        }
        None => {
            let epoch = NaiveDate::from_ymd_opt(1970, 1, 1)
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .expect("valid date")
                .and_utc();
            out.push(Observance {
                daylight: initial.daylight,
                onset: epoch - Duration::seconds(i64::from(initial.offset)),
                offset_from: initial.offset,
                offset_to: initial.offset,
                name: initial.name.clone(),
            });
        }
    }
    let mut prior = initial;
    for onset in changes(tz, from, to, Duration::hours(1)) {
        let now = state(tz, onset);
        out.push(Observance {
            daylight: now.daylight,
            onset,
            offset_from: prior.offset,
            offset_to: now.offset,
            name: now.name.clone(),
        });
        prior = now;
    }
    out
}

/// The VTIMEZONE block for `tz` covering every stretch in `spans`, folded.
/// Observances shared by neighbouring stretches are written once.
pub fn vtimezone(tz: Tz, spans: &[(DateTime<Utc>, DateTime<Utc>)]) -> String {
    let mut all: Vec<Observance> = spans
        .iter()
        .flat_map(|&(from, to)| observances(tz, from, to))
        .collect();
    all.sort_by_key(|o| o.onset);
    all.dedup_by_key(|o| o.onset);
    let mut w = Writer::new();
    w.raw("BEGIN", "VTIMEZONE");
    w.raw("TZID", tz.name());
    for o in all {
        let kind = if o.daylight { "DAYLIGHT" } else { "STANDARD" };
        // The onset is written in local time as it was before the change.
        let local = o.onset.naive_utc() + Duration::seconds(i64::from(o.offset_from));
        w.raw("BEGIN", kind);
        w.raw("DTSTART", &local_datetime(local));
        w.raw("TZOFFSETFROM", &utc_offset(o.offset_from));
        w.raw("TZOFFSETTO", &utc_offset(o.offset_to));
        if let Some(name) = &o.name {
            w.text("TZNAME", name);
        }
        w.raw("END", kind);
    }
    w.raw("END", "VTIMEZONE");
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn berlin_across_the_march_change() {
        let tz: Tz = "Europe/Berlin".parse().unwrap();
        let obs = observances(tz, utc("2024-03-30T08:00:00Z"), utc("2024-03-31T18:00:00Z"));
        assert_eq!(obs.len(), 2, "{obs:?}");
        // Winter time began on 29 October 2023 at 01:00 UTC.
        assert_eq!(obs[0].onset, utc("2023-10-29T01:00:00Z"));
        assert!(!obs[0].daylight);
        assert_eq!((obs[0].offset_from, obs[0].offset_to), (7200, 3600));
        assert_eq!(obs[0].name.as_deref(), Some("CET"));
        // Summer time on 31 March 2024 at 01:00 UTC (02:00 local).
        assert_eq!(obs[1].onset, utc("2024-03-31T01:00:00Z"));
        assert!(obs[1].daylight);
        assert_eq!((obs[1].offset_from, obs[1].offset_to), (3600, 7200));
        assert_eq!(obs[1].name.as_deref(), Some("CEST"));

        let block = vtimezone(
            tz,
            &[(utc("2024-03-30T08:00:00Z"), utc("2024-03-31T18:00:00Z"))],
        );
        assert!(block.contains(
            "BEGIN:DAYLIGHT\r\nDTSTART:20240331T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\nEND:DAYLIGHT\r\n"
        ), "{block}");
        assert!(block.contains(
            "BEGIN:STANDARD\r\nDTSTART:20231029T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n"
        ), "{block}");
    }

    #[test]
    fn a_zone_without_changes_has_one_standard_observance() {
        let tz: Tz = "Asia/Kolkata".parse().unwrap();
        let obs = observances(tz, utc("2024-03-30T08:00:00Z"), utc("2024-04-02T18:00:00Z"));
        assert_eq!(obs.len(), 1);
        assert_eq!((obs[0].offset_from, obs[0].offset_to), (19800, 19800));
        assert!(!obs[0].daylight);
        let block = vtimezone(tz, &[(obs[0].onset, obs[0].onset)]);
        assert!(block.contains("DTSTART:19700101T000000\r\n"), "{block}");
    }

    #[test]
    fn distant_stretches_get_their_own_observances_and_nothing_between() {
        let tz: Tz = "Europe/Rome".parse().unwrap();
        let block = vtimezone(
            tz,
            &[
                (utc("2017-04-25T08:00:00Z"), utc("2017-04-26T20:00:00Z")),
                (utc("2071-04-26T08:00:00Z"), utc("2071-04-26T09:00:00Z")),
            ],
        );
        assert!(block.contains("DTSTART:20170326T020000\r\n"), "{block}");
        assert!(block.contains("DTSTART:20710329T020000\r\n"), "{block}");
        assert_eq!(block.matches("BEGIN:DAYLIGHT").count(), 2, "{block}");
        assert!(!block.contains("DTSTART:2040"), "{block}");
    }

    #[test]
    fn a_span_within_summer_time_starts_at_its_onset() {
        let tz: Tz = "Europe/Rome".parse().unwrap();
        let obs = observances(tz, utc("2017-04-25T08:00:00Z"), utc("2017-04-26T23:30:00Z"));
        assert_eq!(obs.len(), 1);
        assert_eq!(obs[0].onset, utc("2017-03-26T01:00:00Z"));
        assert!(obs[0].daylight);
        assert_eq!(obs[0].offset_to, 7200);
    }

    #[test]
    fn southern_hemisphere_autumn_change() {
        let tz: Tz = "Australia/Sydney".parse().unwrap();
        let obs = observances(tz, utc("2024-04-05T00:00:00Z"), utc("2024-04-08T00:00:00Z"));
        assert_eq!(obs.len(), 2);
        assert!(obs[0].daylight);
        assert!(!obs[1].daylight);
        // 7 April 2024, 03:00 AEDT = 16:00 UTC on the 6th.
        assert_eq!(obs[1].onset, utc("2024-04-06T16:00:00Z"));
        assert_eq!((obs[1].offset_from, obs[1].offset_to), (39600, 36000));
    }
}
