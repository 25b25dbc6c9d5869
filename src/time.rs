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

/// Parses a date: `2017-04-26`.
pub fn parse_date(input: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(input.trim(), "%Y-%m-%d").map_err(|_| {
        format!("`{input}` is not a date; write `YYYY-MM-DD`, for example `2017-04-26`")
    })
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
