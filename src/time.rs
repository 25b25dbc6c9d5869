//! Time: local date-times in the conference zone, explicit offsets,
//! durations, daylight-saving gaps and overlaps, and event days.
//!
//! Every parser returns `Err(String)` with a message that says what form is
//! expected; callers attach the file and line.

use chrono::{
    DateTime, Duration, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone,
};
use chrono_tz::Tz;

/// The longest session accepted; anything longer is almost surely a typo.
pub const MAX_DURATION_HOURS: i64 = 24;

/// A parsed local date-time, and a warning when the wall-clock time was ambiguous.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    pub at: DateTime<Tz>,
    pub warning: Option<String>,
}

/// Parses a duration: `45` (minutes), `45m`, `1h`, `1h30m`, `1h 30m`, `90min` or `01:30`.
pub fn parse_duration(input: &str) -> Result<Duration, String> {
    let s = input.trim();
    let bad = || {
        format!("`{input}` is not a duration; write minutes (`45`, `45m`), hours (`1h`, `1h30m`) or `HH:MM` (`01:30`)")
    };
    if s.is_empty() {
        return Err("the duration is empty; write for example `45m` or `1h30m`".into());
    }
    if s.starts_with('-') {
        return Err(format!(
            "`{input}` is negative; a duration must be more than zero"
        ));
    }
    let minutes: i64 = if let Some((h, m)) = s.split_once(':') {
        let h: i64 = digits(h).ok_or_else(bad)?;
        let m: i64 = digits(m).ok_or_else(bad)?;
        if m >= 60 {
            return Err(format!(
                "`{input}` has {m} minutes; minutes go from 00 to 59"
            ));
        }
        h * 60 + m
    } else {
        let mut total = 0i64;
        let mut rest = s;
        let mut seen_unit = false;
        while !rest.is_empty() {
            rest = rest.trim_start();
            let n_len = rest.bytes().take_while(u8::is_ascii_digit).count();
            if n_len == 0 || n_len > 6 {
                return Err(bad());
            }
            let n: i64 = rest[..n_len].parse().map_err(|_| bad())?;
            rest = rest[n_len..].trim_start();
            let unit_len = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
            let unit = rest[..unit_len].to_ascii_lowercase();
            rest = &rest[unit_len..];
            total += match unit.as_str() {
                "" if !seen_unit && rest.trim().is_empty() => n,
                "h" | "hr" | "hrs" | "hour" | "hours" => n * 60,
                "m" | "min" | "mins" | "minute" | "minutes" => n,
                _ => return Err(bad()),
            };
            seen_unit = true;
        }
        total
    };
    if minutes == 0 {
        return Err(format!(
            "`{input}` is zero; a session must last at least a minute"
        ));
    }
    if minutes > MAX_DURATION_HOURS * 60 {
        return Err(format!(
            "`{input}` is longer than {MAX_DURATION_HOURS} hours; split a longer event into one session per day"
        ));
    }
    Ok(Duration::minutes(minutes))
}

/// Parses a duration given as a YAML number: minutes.
pub fn duration_from_minutes(n: i64) -> Result<Duration, String> {
    parse_duration(&n.to_string())
}

fn digits(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.is_empty() || s.len() > 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Parses a time of day: `13:00` or `13:00:00`. Rejects `24:00`, `25:61`.
pub fn parse_time(input: &str) -> Result<NaiveTime, String> {
    let s = input.trim();
    let parts: Vec<&str> = s.split(':').collect();
    let bad = || format!("`{input}` is not a time of day; write `HH:MM` from 00:00 to 23:59");
    if !(2..=3).contains(&parts.len()) || parts.iter().any(|p| p.len() != 2 && p.len() != 1) {
        return Err(bad());
    }
    let nums: Option<Vec<u32>> = parts
        .iter()
        .map(|p| {
            p.bytes()
                .all(|b| b.is_ascii_digit())
                .then(|| p.parse().ok())
                .flatten()
        })
        .collect();
    let nums = nums.ok_or_else(bad)?;
    let (h, m, sec) = (nums[0], nums[1], nums.get(2).copied().unwrap_or(0));
    if h > 23 {
        return Err(format!(
            "`{input}`: the hour must be 00 to 23 (for midnight write `00:00` on the next day)"
        ));
    }
    if m > 59 || sec > 59 {
        return Err(format!("`{input}`: minutes and seconds go from 00 to 59"));
    }
    NaiveTime::from_hms_opt(h, m, sec).ok_or_else(bad)
}

/// Parses a date: `2017-04-26`. The year has four digits (so it is between
/// 1000 and 9999, which keeps every later date sum far from chrono's limits).
pub fn parse_date(input: &str) -> Result<NaiveDate, String> {
    let s = input.trim();
    let bad = || format!("`{input}` is not a date; write `YYYY-MM-DD`, for example `2017-04-26`");
    let year = s.split('-').next().unwrap_or("");
    if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) || year.starts_with('0') {
        return Err(bad());
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| bad())
}

/// Splits `2017-04-26 12:15[:00][+02:00|Z]` (or with `T`) into a naive
/// date-time and an optional explicit offset.
fn split_datetime(input: &str) -> Result<(NaiveDateTime, Option<FixedOffset>), String> {
    let s = input.trim();
    let bad = || {
        format!(
            "`{input}` is not a date and time; write `YYYY-MM-DD HH:MM` in the conference's time zone, \
             for example `2017-04-26 12:15` (an offset such as `+02:00` may follow)"
        )
    };
    let (date, rest) = s.split_once([' ', 'T', 't']).ok_or_else(bad)?;
    let date = parse_date(date).map_err(|_| bad())?;
    let rest = rest.trim();
    // The offset starts at a `Z`, `+` or at a `-` after the time.
    let (time, offset) = match rest.find(['Z', 'z', '+', '-']) {
        Some(i) => (&rest[..i], Some(rest[i..].trim())),
        None => (rest, None),
    };
    let time = parse_time(time.trim())?;
    let offset = match offset {
        None => None,
        Some("Z") | Some("z") => Some(FixedOffset::east_opt(0).expect("zero offset")),
        Some(o) => Some(parse_offset(o).ok_or_else(|| {
            format!("`{o}` is not a UTC offset; write it as `+02:00`, `-05:00` or `Z`")
        })?),
    };
    Ok((date.and_time(time), offset))
}

fn parse_offset(s: &str) -> Option<FixedOffset> {
    let sign = match s.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let body = &s[1..];
    let (h, m) = match body.split_once(':') {
        Some((h, m)) => (h, m),
        None if body.len() == 4 => body.split_at(2),
        None if body.len() == 2 => (body, "00"),
        None => return None,
    };
    let (h, m) = (digits(h)?, digits(m)?);
    if h > 18 || m > 59 {
        return None;
    }
    FixedOffset::east_opt((sign * (h * 3600 + m * 60)) as i32)
}

/// Resolves a wall-clock time in `tz`: a time in a spring-forward gap is an
/// error; an ambiguous one (autumn) takes the first occurrence and warns.
pub fn localize(naive: NaiveDateTime, tz: Tz) -> Result<Parsed, String> {
    match tz.from_local_datetime(&naive) {
        LocalResult::Single(at) => Ok(Parsed { at, warning: None }),
        LocalResult::Ambiguous(first, second) => Ok(Parsed {
            at: first,
            warning: Some(format!(
                "{naive} happens twice in {tz} (clocks go back); taking the first, at UTC offset {}; \
                 add an offset such as `{}` to choose the second",
                first.format("%:z"),
                second.format("%:z")
            )),
        }),
        LocalResult::None => Err(format!(
            "{} does not exist in {tz}: the clocks spring forward over it (daylight saving); \
             choose a time outside the gap or give an explicit offset",
            naive.format("%Y-%m-%d %H:%M")
        )),
    }
}

/// Parses a start: local date-time in `tz`, or with an explicit offset that overrides it.
pub fn parse_datetime(input: &str, tz: Tz) -> Result<Parsed, String> {
    let (naive, offset) = split_datetime(input)?;
    match offset {
        Some(off) => {
            let fixed = off
                .from_local_datetime(&naive)
                .single()
                .ok_or_else(|| format!("`{input}` is out of range"))?;
            Ok(Parsed {
                at: fixed.with_timezone(&tz),
                warning: None,
            })
        }
        None => localize(naive, tz),
    }
}

/// Parses an end: a time of day (the first such time after `start`) or a full date-time.
pub fn parse_end(input: &str, start: DateTime<Tz>, tz: Tz) -> Result<Parsed, String> {
    let s = input.trim();
    if s.len() <= 8 && !s.contains('-') {
        let time = parse_time(s)?;
        let local_start = start.naive_local();
        let mut date = local_start.date();
        if date.and_time(time) <= local_start {
            date = date
                .succ_opt()
                .ok_or_else(|| format!("`{input}` is out of range"))?;
        }
        return localize(date.and_time(time), tz);
    }
    parse_datetime(s, tz)
}

/// The event day a start belongs to: before `day_change` (local) counts as the previous day.
pub fn event_day(start: &DateTime<Tz>, day_change: NaiveTime) -> NaiveDate {
    let local = start.naive_local();
    if local.time() < day_change {
        local.date().pred_opt().unwrap_or(local.date())
    } else {
        local.date()
    }
}

/// Parses an IANA zone name (exact, then case-insensitive).
pub fn parse_zone(name: &str) -> Result<Tz, String> {
    let n = name.trim();
    n.parse::<Tz>()
        .or_else(|_| Tz::from_str_insensitive(n))
        .map_err(|_| format!("`{name}` is not an IANA time zone name"))
}

/// Every IANA zone name, for close-match suggestions.
pub fn zone_names() -> impl Iterator<Item = &'static str> {
    chrono_tz::TZ_VARIANTS.iter().map(|z| z.name())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use chrono_tz::Europe::{Berlin, Rome};

    fn utc(p: &Parsed) -> String {
        p.at.with_timezone(&Utc)
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string()
    }

    #[test]
    fn durations_in_every_accepted_form() {
        for (s, m) in [
            ("45", 45),
            ("45m", 45),
            ("45min", 45),
            ("1h", 60),
            ("1h30m", 90),
            ("1h 30m", 90),
            ("2 hours", 120),
            ("01:30", 90),
            ("0:05", 5),
            (" 90 ", 90),
        ] {
            assert_eq!(parse_duration(s), Ok(Duration::minutes(m)), "{s}");
        }
        assert_eq!(duration_from_minutes(30), Ok(Duration::minutes(30)));
    }

    #[test]
    fn bad_durations_say_why() {
        assert!(parse_duration("0").unwrap_err().contains("zero"));
        assert!(parse_duration("00:00").unwrap_err().contains("zero"));
        assert!(parse_duration("-30m").unwrap_err().contains("negative"));
        assert!(parse_duration("25h").unwrap_err().contains("longer than"));
        assert!(parse_duration("999999999").is_err());
        assert!(parse_duration("1:75").unwrap_err().contains("minutes"));
        for s in ["", "abc", "1x", "h", "1.5h", "1h30", "30m1h2"] {
            assert!(parse_duration(s).is_err(), "{s}");
        }
        assert!(duration_from_minutes(-5).is_err());
    }

    #[test]
    fn times_of_day() {
        assert_eq!(
            parse_time("13:00"),
            Ok(NaiveTime::from_hms_opt(13, 0, 0).unwrap())
        );
        assert_eq!(
            parse_time("9:05:30"),
            Ok(NaiveTime::from_hms_opt(9, 5, 30).unwrap())
        );
        assert!(parse_time("24:00").unwrap_err().contains("00 to 23"));
        assert!(parse_time("25:61").is_err());
        assert!(parse_time("12:60").unwrap_err().contains("00 to 59"));
        for s in ["", "12", "12:", "1200", "ab:cd", "12:00:00:00", "+1:00"] {
            assert!(parse_time(s).is_err(), "{s}");
        }
    }

    #[test]
    fn local_times_in_the_conference_zone() {
        let p = parse_datetime("2017-04-26 12:15", Rome).unwrap();
        assert_eq!(utc(&p), "2017-04-26T10:15:00Z");
        assert_eq!(p.warning, None);
        for s in [
            "2017-04-26T12:15",
            "2017-04-26 12:15:00",
            "2017-04-26t12:15:00",
        ] {
            assert_eq!(
                utc(&parse_datetime(s, Rome).unwrap()),
                "2017-04-26T10:15:00Z",
                "{s}"
            );
        }
    }

    #[test]
    fn explicit_offsets_override_the_zone() {
        let p = parse_datetime("2017-04-26 12:15+00:00", Rome).unwrap();
        assert_eq!(utc(&p), "2017-04-26T12:15:00Z");
        assert_eq!(p.at.timezone(), Rome);
        assert_eq!(
            utc(&parse_datetime("2017-04-26T12:15Z", Rome).unwrap()),
            "2017-04-26T12:15:00Z"
        );
        assert_eq!(
            utc(&parse_datetime("2017-04-26 12:15 -0500", Rome).unwrap()),
            "2017-04-26T17:15:00Z"
        );
        assert!(parse_datetime("2017-04-26 12:15+25:00", Rome)
            .unwrap_err()
            .contains("offset"));
    }

    #[test]
    fn spring_forward_gap_is_an_error() {
        // Europe/Berlin: 2024-03-31 02:00 -> 03:00.
        let e = parse_datetime("2024-03-31 02:30", Berlin).unwrap_err();
        assert!(
            e.contains("does not exist") && e.contains("spring forward"),
            "{e}"
        );
        assert_eq!(
            utc(&parse_datetime("2024-03-31 03:00", Berlin).unwrap()),
            "2024-03-31T01:00:00Z"
        );
        assert_eq!(
            utc(&parse_datetime("2024-03-31 01:59", Berlin).unwrap()),
            "2024-03-31T00:59:00Z"
        );
    }

    #[test]
    fn autumn_overlap_takes_the_first_and_warns() {
        // Europe/Berlin: 2024-10-27 03:00 -> 02:00; 02:30 happens twice.
        let p = parse_datetime("2024-10-27 02:30", Berlin).unwrap();
        assert_eq!(utc(&p), "2024-10-27T00:30:00Z");
        let w = p.warning.unwrap();
        assert!(
            w.contains("twice") && w.contains("+02:00") && w.contains("+01:00"),
            "{w}"
        );
        // An explicit offset picks the second without a warning.
        let p = parse_datetime("2024-10-27 02:30+01:00", Berlin).unwrap();
        assert_eq!(
            (utc(&p), p.warning),
            ("2024-10-27T01:30:00Z".to_string(), None)
        );
    }

    #[test]
    fn bad_date_times() {
        for s in [
            "",
            "2017-04-26",
            "26/04/2017 12:00",
            "2017-02-30 10:00",
            "2017-04-26 24:00",
            "2017-04-26 25:61",
            "tomorrow",
            "262143-12-31 23:59",
            "+2017-04-26 10:00",
            "-2017-04-26 10:00",
            "0999-01-01 10:00",
            "17-04-26 10:00",
        ] {
            assert!(parse_datetime(s, Rome).is_err(), "{s}");
        }
    }

    #[test]
    fn ends_as_times_or_date_times() {
        let start = parse_datetime("2017-04-26 12:15", Rome).unwrap().at;
        assert_eq!(
            utc(&parse_end("13:00", start, Rome).unwrap()),
            "2017-04-26T11:00:00Z"
        );
        // A time not after the start is on the next day.
        let late = parse_datetime("2017-04-26 23:30", Rome).unwrap().at;
        assert_eq!(
            utc(&parse_end("00:30", late, Rome).unwrap()),
            "2017-04-26T22:30:00Z"
        );
        assert_eq!(
            utc(&parse_end("2017-04-27 09:00", start, Rome).unwrap()),
            "2017-04-27T07:00:00Z"
        );
        assert!(parse_end("25:00", start, Rome).is_err());
    }

    #[test]
    fn talks_after_midnight_belong_to_the_previous_day() {
        let dc = NaiveTime::from_hms_opt(4, 0, 0).unwrap();
        let late = parse_datetime("2017-04-27 01:30", Rome).unwrap().at;
        assert_eq!(
            event_day(&late, dc),
            NaiveDate::from_ymd_opt(2017, 4, 26).unwrap()
        );
        let morning = parse_datetime("2017-04-27 04:00", Rome).unwrap().at;
        assert_eq!(
            event_day(&morning, dc),
            NaiveDate::from_ymd_opt(2017, 4, 27).unwrap()
        );
    }

    #[test]
    fn zones() {
        assert_eq!(parse_zone("Europe/Rome"), Ok(Rome));
        assert_eq!(parse_zone("europe/rome"), Ok(Rome));
        assert!(parse_zone("Europe/Florence").is_err());
        assert!(zone_names().any(|z| z == "Europe/Berlin"));
    }
}

/// Properties of the parsers over generated input: every written form of a
/// valid duration or time reads back as itself, everything out of range is
/// refused, and no input makes a parser panic.
#[cfg(test)]
mod properties {
    use super::*;
    use chrono::{Timelike, Utc};
    use proptest::prelude::*;

    const ZONES: &[Tz] = &[
        chrono_tz::UTC,
        chrono_tz::Europe::Berlin,
        chrono_tz::America::New_York,
        chrono_tz::Australia::Lord_Howe, // half-hour daylight saving
        chrono_tz::Pacific::Apia,        // skipped a whole day in 2011
        chrono_tz::Asia::Kathmandu,      // +05:45
    ];

    fn zone() -> impl Strategy<Value = Tz> {
        proptest::sample::select(ZONES)
    }

    fn naive() -> impl Strategy<Value = NaiveDateTime> {
        // 1970 to 2100, to the minute.
        (0i64..(131 * 365 * 24 * 60)).prop_map(|m| {
            chrono::DateTime::from_timestamp(m * 60, 0)
                .expect("in range")
                .naive_utc()
        })
    }

    proptest! {
        #[test]
        fn every_form_of_a_valid_duration_reads_back(total in 1i64..=24 * 60) {
            let (h, m) = (total / 60, total % 60);
            let want = Ok(Duration::minutes(total));
            prop_assert_eq!(parse_duration(&total.to_string()), want.clone());
            prop_assert_eq!(parse_duration(&format!("{total}m")), want.clone());
            prop_assert_eq!(parse_duration(&format!("{total}min")), want.clone());
            prop_assert_eq!(parse_duration(&format!("{h:02}:{m:02}")), want.clone());
            prop_assert_eq!(parse_duration(&format!("{h}:{m:02}")), want.clone());
            prop_assert_eq!(duration_from_minutes(total), want.clone());
            if h > 0 {
                prop_assert_eq!(parse_duration(&format!("{h}h{m}m")), want.clone());
                prop_assert_eq!(parse_duration(&format!("{h}h {m}m")), want.clone());
                prop_assert_eq!(parse_duration(&format!("{h} hours {m} minutes")), want.clone());
                if m == 0 {
                    prop_assert_eq!(parse_duration(&format!("{h}h")), want);
                }
            }
        }

        #[test]
        fn durations_out_of_range_are_refused(total in prop_oneof![
            Just(0i64),
            (24 * 60 + 1)..1_000_000i64,
            -1_000_000i64..0,
        ]) {
            prop_assert!(duration_from_minutes(total).is_err());
            let with_unit = format!("{total}m");
            prop_assert!(parse_duration(&with_unit).is_err());
            let e = parse_duration(&total.to_string()).unwrap_err();
            prop_assert!(!e.is_empty());
            if total < 0 {
                prop_assert!(e.contains("negative"), "{}", e);
            }
        }

        #[test]
        fn any_duration_text_is_refused_or_in_range(s in "\\PC{0,20}|[0-9hm: ]{0,12}") {
            if let Ok(d) = parse_duration(&s) {
                prop_assert!(d >= Duration::minutes(1) && d <= Duration::hours(MAX_DURATION_HOURS), "{s:?} -> {d}");
            }
        }

        #[test]
        fn valid_times_of_day_read_back(h in 0u32..24, m in 0u32..60, sec in 0u32..60) {
            let t = NaiveTime::from_hms_opt(h, m, sec).unwrap();
            prop_assert_eq!(parse_time(&format!("{h:02}:{m:02}:{sec:02}")), Ok(t));
            prop_assert_eq!(parse_time(&format!("{h}:{m:02}")), Ok(t.with_second(0).unwrap()));
        }

        #[test]
        fn times_out_of_range_are_refused(h in 0u32..100, m in 0u32..100) {
            let r = parse_time(&format!("{h:02}:{m:02}"));
            prop_assert_eq!(r.is_ok(), h < 24 && m < 60);
        }

        #[test]
        fn any_time_text_is_refused_or_valid(s in "\\PC{0,24}|[0-9:T +Z-]{0,24}", tz in zone()) {
            let _ = parse_time(&s);
            let _ = parse_date(&s);
            let _ = parse_zone(&s);
            if let Ok(p) = parse_datetime(&s, tz) {
                prop_assert_eq!(p.at.timezone(), tz);
            }
        }

        /// A local time written out reads back as that wall-clock time, or is
        /// refused exactly when the zone skips it; ambiguous times warn.
        #[test]
        fn local_date_times_read_back(n in naive(), tz in zone(), t_sep in any::<bool>()) {
            let sep = if t_sep { "T" } else { " " };
            let text = n.format(&format!("%Y-%m-%d{sep}%H:%M")).to_string();
            let r = parse_datetime(&text, tz);
            match tz.from_local_datetime(&n) {
                LocalResult::None => {
                    let e = r.unwrap_err();
                    prop_assert!(e.contains("does not exist"), "{}", e);
                }
                LocalResult::Single(at) => {
                    let p = r.unwrap();
                    prop_assert_eq!(p.at, at);
                    prop_assert!(p.warning.is_none());
                }
                LocalResult::Ambiguous(first, _) => {
                    let p = r.unwrap();
                    prop_assert_eq!(p.at, first);
                    prop_assert!(p.warning.is_some());
                }
            }
        }

        /// An explicit offset always names one instant, whatever the zone.
        #[test]
        fn explicit_offsets_name_the_instant(n in naive(), tz in zone(), off in -14 * 4..=14 * 4i32) {
            let offset = FixedOffset::east_opt(off * 15 * 60).unwrap();
            let at = offset.from_local_datetime(&n).unwrap();
            let text = at.format("%Y-%m-%d %H:%M%:z").to_string();
            let p = parse_datetime(&text, tz).unwrap();
            prop_assert_eq!(p.at.with_timezone(&Utc), at.with_timezone(&Utc));
            prop_assert!(p.warning.is_none());
        }

        /// An end given as a time of day is the first such time after the start.
        #[test]
        fn ends_are_the_next_such_time(n in naive(), tz in zone(), minutes in 1i64..=24 * 60) {
            let Some(start) = tz.from_local_datetime(&n).earliest() else {
                return Ok(());
            };
            let local_end = (start + Duration::minutes(minutes)).naive_local();
            let text = local_end.format("%H:%M").to_string();
            if let Ok(p) = parse_end(&text, start, tz) {
                prop_assert!(p.at > start);
                prop_assert!(p.at - start <= Duration::hours(26), "{} .. {}", start, p.at);
                prop_assert_eq!(p.at.naive_local().time(), local_end.time());
            }
        }

        #[test]
        fn event_days_are_the_date_or_the_day_before(n in naive(), tz in zone(), h in 0u32..24) {
            let Some(at) = tz.from_local_datetime(&n).earliest() else {
                return Ok(());
            };
            let dc = NaiveTime::from_hms_opt(h, 0, 0).unwrap();
            let day = event_day(&at, dc);
            let local = at.naive_local();
            if local.time() < dc {
                prop_assert_eq!(day.succ_opt().unwrap(), local.date());
            } else {
                prop_assert_eq!(day, local.date());
            }
        }
    }
}
