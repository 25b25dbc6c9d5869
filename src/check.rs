//! Cross-file rules on a resolved programme: room clashes, speakers in two
//! places at once, likely typos in speaker names, talks far outside the
//! conference's days. Returns every finding, not the first.

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::load::{Content, Document, Value};
use crate::model::{Programme, Talk, TalkId};
use std::collections::HashMap;
use std::ffi::OsStr;
use std::sync::OnceLock;

/// How far from the conference's main days a talk may be before it is
/// reported as likely mistyped (a year or month typo).
const FAR_DAYS: i64 = 7;

pub fn programme(programme: &Programme, content: &Content, diagnostics: &mut Diagnostics) {
    let docs = Docs {
        talks: &content.talks,
        by_path: OnceLock::new(),
    };
    let at = |talk: &Talk, key: &str, d: Diagnostic| -> Diagnostic {
        let d = d.in_file(&talk.source);
        match docs.get(talk) {
            Some(doc) => match doc.front.get(key) {
                Some(v) => d.at(&doc.text, v.line, v.column),
                None => d,
            },
            None => d,
        }
    };
    // The rules run side by side; their findings are added in a fixed order.
    let mut d: [Diagnostics; 4] = Default::default();
    let [rooms, speakers, similar, far] = &mut d;
    rayon::join(
        || {
            rayon::join(
                || room_clashes(programme, rooms, &at),
                || speaker_clashes(programme, &docs, speakers),
            )
        },
        || {
            rayon::join(
                || similar_speakers(programme, &docs, similar),
                || far_talks(programme, far, &at),
            )
        },
    );
    for part in d {
        diagnostics.extend(part);
    }
}

/// The talk documents by path, indexed on first use: only a finding needs
/// the document to point into, and most builds have none.
struct Docs<'a> {
    talks: &'a [Document],
    by_path: OnceLock<HashMap<&'a OsStr, &'a Document>>,
}

impl<'a> Docs<'a> {
    fn get(&self, talk: &Talk) -> Option<&'a Document> {
        self.by_path
            .get_or_init(|| self.talks.iter().map(|d| (d.path.as_os_str(), d)).collect())
            .get(talk.source.as_os_str())
            .copied()
    }
}

/// Sorted by start; reports each talk that starts before an earlier one has ended.
fn overlaps<'a>(programme: &'a Programme, ids: &[TalkId]) -> Vec<(&'a Talk, &'a Talk)> {
    let mut ids: Vec<TalkId> = ids
        .iter()
        .copied()
        .filter(|&i| programme.talks[i].slot.is_some() && !programme.talks[i].is_cancelled())
        .collect();
    ids.sort_by_key(|&i| programme.talks[i].slot.map(|s| s.start));
    let mut found = Vec::new();
    let mut latest: Option<&Talk> = None;
    for id in ids {
        let talk = &programme.talks[id];
        let slot = talk.slot.expect("filtered");
        if let Some(prev) = latest {
            if slot.start < prev.slot.expect("scheduled").end {
                found.push((prev, talk));
            }
        }
        if latest.is_none_or(|p| slot.end > p.slot.expect("scheduled").end) {
            latest = Some(talk);
        }
    }
    found
}

fn room_clashes(
    programme: &Programme,
    diagnostics: &mut Diagnostics,
    at: &(dyn Fn(&Talk, &str, Diagnostic) -> Diagnostic + Sync),
) {
    for room in programme.rooms.iter().filter(|r| !r.shared) {
        for (a, b) in overlaps(programme, &room.talks) {
            let d = Diagnostic::error(
                "room-clash",
                format!(
                    "`{}` overlaps `{}` in {} ({} starts before {} ends)",
                    b.title,
                    a.title,
                    room.name,
                    b.slot.expect("scheduled").start.format("%Y-%m-%d %H:%M"),
                    a.slot.expect("scheduled").end.format("%H:%M"),
                ),
            )
            .with_help(format!(
                "move one of the talks (the other is {}), or mark the room `shared: true` in conference.yaml if talks may overlap there",
                a.source.display()
            ));
            diagnostics.push(at(b, "start", d));
        }
    }
}

fn speaker_clashes(programme: &Programme, docs: &Docs, diagnostics: &mut Diagnostics) {
    for speaker in &programme.speakers {
        for (a, b) in overlaps(programme, &speaker.talks) {
            let d = Diagnostic::warning(
                "speaker-clash",
                format!(
                    "{} is in two talks at once: `{}` and `{}`",
                    speaker.name, a.title, b.title
                ),
            )
            .with_help(format!(
                "check the times of this talk and of {}",
                a.source.display()
            ));
            diagnostics.push(at_name(d.in_file(&b.source), docs, b, &speaker.name));
        }
    }
}

/// Speaker names one or two letters apart, at least one without a profile:
/// likely a typo for the same person. Compared within buckets of the first
/// letter, so the cost stays near linear.
fn similar_speakers(programme: &Programme, docs: &Docs, diagnostics: &mut Diagnostics) {
    let mut buckets: HashMap<char, Vec<usize>> = HashMap::new();
    for (i, s) in programme.speakers.iter().enumerate() {
        let first = s
            .name
            .chars()
            .next()
            .map_or(' ', |c| c.to_lowercase().next().unwrap_or(c));
        buckets.entry(first).or_default().push(i);
    }
    let mut keys: Vec<char> = buckets.keys().copied().collect();
    keys.sort();
    // Lower-cased names and their letter counts, once per speaker: an edit
    // changes the counts by at most two, so names whose counts differ by
    // more than four are at least three edits apart and need no comparison.
    let lower: Vec<String> = programme
        .speakers
        .iter()
        .map(|s| s.name.to_lowercase())
        .collect();
    let counts: Vec<[u8; 32]> = lower.iter().map(|n| letter_counts(n)).collect();
    for key in keys {
        let ids = &buckets[&key];
        for (n, &a) in ids.iter().enumerate() {
            for &b in &ids[n + 1..] {
                let (sa, sb) = (&programme.speakers[a], &programme.speakers[b]);
                if sa.source.is_some() && sb.source.is_some() {
                    continue;
                }
                let (la, lb) = (&lower[a], &lower[b]);
                if la.len().abs_diff(lb.len()) > 2 || la.len() < 5 {
                    continue;
                }
                let apart: u32 = counts[a]
                    .iter()
                    .zip(&counts[b])
                    .map(|(x, y)| u32::from(x.abs_diff(*y)))
                    .sum();
                if apart > 4 {
                    continue;
                }
                let dist = strsim::damerau_levenshtein(la, lb);
                if (1..=2).contains(&dist) {
                    let (typo, right) = if sa.source.is_none() {
                        (sa, sb)
                    } else {
                        (sb, sa)
                    };
                    let Some(&tid) = typo.talks.first() else {
                        continue;
                    };
                    let talk = &programme.talks[tid];
                    let d = Diagnostic::warning(
                        "similar-speaker",
                        format!(
                            "speaker `{}` is very close to `{}`: a typo?",
                            typo.name, right.name
                        ),
                    )
                    .in_file(&talk.source)
                    .with_help(format!(
                        "if they are the same person, write `{}` in both places",
                        right.name
                    ));
                    diagnostics.push(at_name(d, docs, talk, &typo.name));
                }
            }
        }
    }
}

/// How often each letter occurs in a name (other characters share a few
/// buckets), for a cheap lower bound on the edit distance of two names.
fn letter_counts(name: &str) -> [u8; 32] {
    let mut counts = [0u8; 32];
    for c in name.chars() {
        let i = match c {
            'a'..='z' => c as usize - 'a' as usize,
            _ => 26 + (c as usize) % 6,
        };
        counts[i] = counts[i].saturating_add(1);
    }
    counts
}

/// Talks more than a week from the median talk date: probably a wrong year or month.
fn far_talks(
    programme: &Programme,
    diagnostics: &mut Diagnostics,
    at: &(dyn Fn(&Talk, &str, Diagnostic) -> Diagnostic + Sync),
) {
    let mut dates: Vec<_> = programme
        .scheduled()
        .map(|(_, t)| t.slot.expect("scheduled").day)
        .collect();
    if dates.len() < 2 {
        return;
    }
    dates.sort();
    let median = dates[dates.len() / 2];
    for (_, talk) in programme.scheduled() {
        let day = talk.slot.expect("scheduled").day;
        if (day - median).num_days().abs() > FAR_DAYS {
            let d = Diagnostic::warning(
                "outside-conference",
                format!(
                    "`{}` is on {day}, far from the conference's other days (around {median})",
                    talk.title
                ),
            )
            .with_help("check the year and month of `start`");
            diagnostics.push(at(talk, "start", d));
        }
    }
}

/// Points `d` at the entry of `speakers:` in the talk's file that gives `name`.
fn at_name(d: Diagnostic, docs: &Docs, talk: &Talk, name: &str) -> Diagnostic {
    let Some(doc) = docs.get(talk) else {
        return d;
    };
    let Some(node) = doc.get("speakers") else {
        return d;
    };
    let entry = match &node.value {
        Value::List(items) => items
            .iter()
            .find(|n| matches!(&n.value, Value::String(s) if s.trim().to_lowercase() == name.to_lowercase()))
            .unwrap_or(node),
        _ => node,
    };
    d.at(&doc.text, entry.line, entry.column)
}
