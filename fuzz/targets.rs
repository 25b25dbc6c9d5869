//! The bodies of the fuzz targets, shared by the cargo-fuzz binaries in
//! fuzz_targets/ and by tests/fuzz_corpus.rs, which replays the committed
//! corpus (fuzz/corpus/<target>/) as a regular test. Each body feeds the
//! bytes to the parsers and checks what they promise beyond "no panic".

use chrono::{Duration, Offset, TimeZone};
use chrono_tz::Tz;
use programme::load::{front, yaml, Node, Value};
use programme::time;

/// The zones the time target picks from: plain, daylight saving, half-hour
/// daylight saving, a skipped day, a quarter-hour offset.
const ZONES: &[Tz] = &[
    chrono_tz::UTC,
    chrono_tz::Europe::Berlin,
    chrono_tz::America::New_York,
    chrono_tz::Australia::Lord_Howe,
    chrono_tz::Pacific::Apia,
    chrono_tz::Asia::Kathmandu,
];

/// File bytes -> text -> front matter and body -> YAML with positions.
pub fn front_matter(data: &[u8]) {
    let text = match front::decode(data) {
        Ok(t) => t,
        Err((line, column)) => {
            assert!(line >= 1 && column >= 1);
            return;
        }
    };
    assert!(!text.contains('\r'), "a carriage return survived decoding");
    match front::split(&text) {
        Ok(s) => {
            // The pieces are the text's own, in order, with the right line numbers.
            let body_start = text.len() - s.body.len();
            assert_eq!(&text[body_start..], s.body);
            assert!(text.starts_with("---"));
            assert_eq!(s.yaml_line, 2);
            let yaml_start = text.find('\n').map_or(text.len(), |i| i + 1);
            assert_eq!(&text[yaml_start..yaml_start + s.yaml.len()], s.yaml);
            // A closing fence without a line end puts the (empty) body on
            // the line after the last.
            let unended = s.body.is_empty() && !text.ends_with('\n');
            assert_eq!(
                text[..body_start].matches('\n').count() + 1 + usize::from(unended),
                s.body_line,
                "body line"
            );
            if let Ok(node) = yaml::parse(s.yaml) {
                positions_within(&node, s.yaml);
            }
        }
        Err(e) => {
            assert!(e.line >= 1 && !e.message.is_empty() && !e.help.is_empty());
        }
    }
}

/// YAML text (decoded as the loader decodes every file) -> nodes: positions
/// inside the text, errors with a position and a hint.
pub fn yaml(data: &[u8]) {
    let Ok(text) = front::decode(data) else {
        return;
    };
    let text = text.as_str();
    match yaml::parse(text) {
        Ok(node) => positions_within(&node, text),
        Err(e) => {
            assert!(e.line >= 1 && e.column >= 1);
            assert!(e.line <= text.lines().count() + 1, "{e:?}");
            assert!(e.message.starts_with("invalid YAML") && !e.help.is_empty());
        }
    }
}

/// Every node and key points at a line of the text (or the line after it).
fn positions_within(node: &Node, text: &str) {
    let last = text.lines().count() + 1;
    assert!(
        (1..=last).contains(&node.line) && node.column >= 1,
        "{node:?}"
    );
    match &node.value {
        Value::List(items) => items.iter().for_each(|n| positions_within(n, text)),
        Value::Map(entries) => {
            for (k, v) in entries {
                assert!((1..=last).contains(&k.line) && k.column >= 1, "{k:?}");
                positions_within(v, text);
            }
        }
        _ => {}
    }
}

/// Text -> durations, times of day, dates, date-times, ends and zones.
pub fn time(data: &[u8]) {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let tz = ZONES[usize::from(pick) % ZONES.len()];
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    if let Ok(d) = time::parse_duration(text) {
        assert!(d >= Duration::minutes(1) && d <= Duration::hours(time::MAX_DURATION_HOURS));
    }
    if let Ok(t) = time::parse_time(text) {
        assert_eq!(time::parse_time(&t.format("%H:%M:%S").to_string()), Ok(t));
    }
    if let Ok(d) = time::parse_date(text) {
        assert_eq!(time::parse_date(&d.format("%Y-%m-%d").to_string()), Ok(d));
    }
    let _ = time::parse_zone(text);
    let start = match time::parse_datetime(text, tz) {
        Ok(p) => {
            assert_eq!(p.at.timezone(), tz);
            // Written back with its offset, it names the same instant (offsets
            // are written to the minute; old local mean times have seconds).
            if p.at.offset().fix().local_minus_utc() % 60 == 0 {
                let again = p.at.format("%Y-%m-%d %H:%M:%S%:z").to_string();
                assert_eq!(time::parse_datetime(&again, tz).map(|q| q.at), Ok(p.at));
            }
            // Sums the build makes from a start stay in range.
            let _ = p.at + Duration::hours(time::MAX_DURATION_HOURS);
            let _ = time::event_day(&p.at, chrono::NaiveTime::MIN);
            p.at
        }
        Err(e) => {
            assert!(!e.is_empty());
            tz.with_ymd_and_hms(2017, 4, 26, 23, 0, 0).unwrap()
        }
    };
    if let Ok(end) = time::parse_end(text, start, tz) {
        assert_eq!(end.at.timezone(), tz);
    }
}
