//! A deterministic synthetic programme generator, for benchmarks and scale
//! tests: `programme generate N DIR --seed S` writes `DIR/content/` with N
//! talks in the content format.
//!
//! The programme looks like a large real one: about N/40 rooms, tracks tied
//! loosely to rooms, three days, talks of 20 to 60 minutes with short gaps
//! (never two in one room at once), about N/2 speakers of whom some give two
//! to four talks (never two at once), profiles for most speakers, abstracts of
//! a few paragraphs with emphasis, links, code and lists, and a few cancelled
//! and unscheduled talks. The same N and seed give the same bytes: the
//! generator uses its own small PRNG and no clock.

use crate::model::slugify;
use std::fmt::Write as _;
use std::path::Path;

/// The three conference days (a Saturday to a Monday, far from any DST change).
const DAYS: [&str; 3] = ["2027-02-06", "2027-02-07", "2027-02-08"];
/// First start of each day, in minutes after midnight.
const DAY_START: u32 = 9 * 60;
/// Talks per room and day, at most (about 40 talks per room over three days).
const TALKS_PER_ROOM: usize = 40;

/// SplitMix64: small, fast, and good enough for test data.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed ^ 0x5eed_0fc0_ffee)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// True with probability `percent`/100.
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

const FIRST: &[&str] = &[
    "Ada",
    "Bruno",
    "Chiara",
    "Dmitri",
    "Elif",
    "Farah",
    "Gustavo",
    "Hana",
    "Ingrid",
    "Jamal",
    "Katarzyna",
    "Lucas",
    "Mei",
    "Nnamdi",
    "Olga",
    "Pedro",
    "Qing",
    "Rosa",
    "Sanjay",
    "Tove",
    "Ugo",
    "Valeria",
    "Wanjiru",
    "Xavier",
    "Yusuf",
    "Zofia",
    "Amara",
    "Bernd",
    "Camille",
    "Diego",
    "Emeka",
    "Fatima",
    "Giorgos",
    "Helga",
    "Ibrahim",
    "Joanna",
    "Kenji",
    "Leila",
    "Marek",
    "Nadia",
    "Oskar",
    "Priya",
    "Rafael",
    "Sigrid",
    "Tomasz",
    "Ulla",
    "Viktor",
    "Wei",
    "Yara",
    "Zeynep",
];
const LAST_START: &[&str] = &[
    "Ber", "Kov", "Mar", "Sal", "Tor", "Lind", "Okon", "Hal", "Vid", "Rasm", "Fer", "Gal", "Nak",
    "Pet", "Quin", "Stra", "Wal", "Zim", "Abe", "Dor",
];
const LAST_MID: &[&str] = &["", "an", "el", "is", "ov", "ur", "ad", "enb", "ing", "ol"];
const LAST_END: &[&str] = &[
    "ström", "ski", "etti", "sen", "ová", "ez", "wa", "berg", "ari", "ou", "ić", "ham", "ura",
    "mann", "elli", "ata",
];
const AFFILIATIONS: &[&str] = &[
    "Open Knowledge Lab",
    "University of Ghent",
    "Civic Data Cooperative",
    "Free Software Foundation Europe",
    "Independent",
    "City of Rotterdam",
    "Politecnico di Milano",
    "Digital Rights Watch",
    "OpenStreetMap Foundation",
    "Freelance developer",
];
const TOPICS: &[&str] = &[
    "Open Data",
    "Civic Tech",
    "Databases",
    "Embedded Systems",
    "Web Performance",
    "Accessibility",
    "Security",
    "Privacy",
    "Compilers",
    "Distributed Systems",
    "Geospatial",
    "Education",
    "Community",
    "Legal and Policy",
    "Hardware",
    "Kernel",
    "Networking",
    "Observability",
    "Packaging",
    "Documentation",
    "Design",
    "Testing",
    "Mobile",
    "Science",
    "Music and Audio",
    "Translation",
    "Funding",
    "Energy",
    "Health",
    "Journalism",
    "Cryptography",
    "Graphics",
    "Games",
    "Robotics",
    "Mapping",
    "Archives",
    "Identity",
    "Email",
    "Federation",
    "Search",
];
const COLOURS: &[&str] = &[
    "#a8324f", "#1f5f8b", "#2d6a3e", "#8a5a00", "#5b3f8c", "#006d77", "#9c2f2f", "#3d5a80",
];
const BUILDINGS: &[&str] = &["Hall", "Aula", "Room", "Studio", "Lab", "Forum"];
const TITLE_OPENERS: &[&str] = &[
    "Lessons from",
    "Scaling",
    "A field guide to",
    "Rethinking",
    "What we learned building",
    "Ten years of",
    "Beyond",
    "Measuring",
    "Debugging",
    "The hidden cost of",
    "Teaching",
    "Securing",
];
const TITLE_OBJECTS: &[&str] = &[
    "open data portals",
    "community governance",
    "incremental builds",
    "public transport feeds",
    "volunteer onboarding",
    "schedule formats",
    "municipal APIs",
    "reproducible packages",
    "offline-first apps",
    "translation workflows",
    "sensor networks",
    "accessible maps",
    "federated timelines",
    "election results",
    "budget visualisations",
    "low-power radios",
];
const WORDS: &[&str] = &[
    "the",
    "project",
    "community",
    "data",
    "we",
    "show",
    "how",
    "a",
    "small",
    "team",
    "built",
    "and",
    "maintained",
    "service",
    "for",
    "people",
    "who",
    "need",
    "it",
    "most",
    "with",
    "open",
    "standards",
    "tools",
    "that",
    "scale",
    "from",
    "one",
    "city",
    "to",
    "many",
    "countries",
    "while",
    "keeping",
    "costs",
    "low",
    "this",
    "talk",
    "covers",
    "design",
    "decisions",
    "mistakes",
    "users",
    "feedback",
    "results",
    "after",
    "three",
    "years",
    "in",
    "production",
    "public",
    "sector",
    "volunteers",
    "funding",
    "licence",
    "interfaces",
    "schema",
    "migration",
    "performance",
    "privacy",
    "security",
    "testing",
    "documentation",
    "release",
    "process",
    "local",
    "government",
    "researchers",
    "journalists",
    "citizens",
    "partners",
    "network",
    "of",
    "on",
    "is",
    "are",
    "our",
    "their",
    "new",
    "old",
    "simple",
    "robust",
    "fast",
];
const LIST_ITEMS: &[&str] = &[
    "why the first version failed",
    "how we measured impact",
    "what the users asked for",
    "the architecture, briefly",
    "costs and funding",
    "what we would do differently",
    "how to get involved",
    "a live demo",
    "open questions for the audience",
];

/// One generated talk before it is written.
struct Talk {
    slug: String,
    title: String,
    /// Index into the rooms, and the slot as (day, start minute, duration) when scheduled.
    room: usize,
    slot: Option<(usize, u32, u32)>,
    track: usize,
    speakers: Vec<usize>,
}

/// Writes a programme of `talks` talks into `dir/content/` (created if
/// needed; existing generated files are overwritten), about 3% of them
/// unscheduled.
pub fn generate(talks: usize, seed: u64, dir: &Path) -> std::io::Result<()> {
    generate_with(talks, seed, dir, true)
}

/// As [`generate`]; with `unscheduled` false every talk gets a time and a
/// room (what peer generators' sites used for comparison expect).
pub fn generate_with(
    talks: usize,
    seed: u64,
    dir: &Path,
    unscheduled: bool,
) -> std::io::Result<()> {
    let mut rng = Rng::new(seed);
    let n = talks.max(1);
    let rooms = n.div_ceil(TALKS_PER_ROOM);
    let tracks = (rooms / 2).clamp(3, TOPICS.len());
    let room_names: Vec<String> = (0..rooms)
        .map(|r| format!("{} {}", BUILDINGS[r % BUILDINGS.len()], 100 + r))
        .collect();

    let mut all = schedule(&mut rng, n, rooms, tracks, unscheduled);
    let speaker_names = names(&mut rng, (n / 2).max(1));
    assign_speakers(&mut rng, &mut all, speaker_names.len());

    let content = dir.join("content");
    for sub in ["talks", "speakers", "pages"] {
        std::fs::create_dir_all(content.join(sub))?;
    }
    std::fs::write(
        content.join("conference.yaml"),
        conference(seed, &room_names, tracks),
    )?;

    let mut text = String::with_capacity(4096);
    for talk in &all {
        text.clear();
        write_talk(&mut rng, &mut text, talk, &room_names, &speaker_names);
        std::fs::write(
            content.join("talks").join(format!("{}.md", talk.slug)),
            &text,
        )?;
    }

    let mut used = vec![false; speaker_names.len()];
    for talk in &all {
        for &s in &talk.speakers {
            used[s] = true;
        }
    }
    for (i, name) in speaker_names.iter().enumerate() {
        // About seven in ten speakers have a profile.
        if !used[i] || !rng.chance(70) {
            continue;
        }
        text.clear();
        write_speaker(&mut rng, &mut text, name);
        std::fs::write(
            content
                .join("speakers")
                .join(format!("{}.md", slugify(name))),
            &text,
        )?;
    }

    std::fs::write(
        content.join("pages/venue.md"),
        "---\ntitle: Venue\n---\nThe conference takes place on the **main campus**. \
         See the [map](https://www.openstreetmap.org/) for directions.\n",
    )?;
    std::fs::write(
        content.join("pages/code-of-conduct.md"),
        "---\ntitle: Code of conduct\n---\nBe kind. Report problems to the *organisers* at the \
         information desk.\n\n- No harassment\n- Respect the speakers' time\n",
    )?;
    Ok(())
}

fn conference(seed: u64, rooms: &[String], tracks: usize) -> String {
    let mut y = String::new();
    let _ = writeln!(y, "title: SynConf 2027 (seed {seed})");
    y.push_str(
        "acronym: synconf2027\n\
         subtitle: A synthetic programme for benchmarks\n\
         timezone: Europe/Brussels\n\
         base_url: https://conf.example.org/2027/\n\
         language: en\n\
         default_duration: 30m\n\
         day_change: \"04:00\"\n\
         rooms:\n",
    );
    for (i, r) in rooms.iter().enumerate() {
        let _ = writeln!(y, "  - name: {r}\n    capacity: {}", 40 + (i * 37) % 400);
    }
    y.push_str("tracks:\n");
    for (i, t) in TOPICS.iter().take(tracks).enumerate() {
        let _ = writeln!(
            y,
            "  - name: {t}\n    color: \"{}\"",
            COLOURS[i % COLOURS.len()]
        );
    }
    y
}

/// Places the talks: room by room and day by day, one after another with
/// short gaps, so that no room has two talks at once. With `unscheduled`,
/// about 3% stay unscheduled, without a room.
fn schedule(rng: &mut Rng, n: usize, rooms: usize, tracks: usize, unscheduled: bool) -> Vec<Talk> {
    let cells = rooms * DAYS.len();
    let mut cursor = vec![DAY_START; cells];
    let mut talks = Vec::with_capacity(n);
    for i in 0..n {
        let title = format!("{} {}", rng.pick(TITLE_OPENERS), rng.pick(TITLE_OBJECTS));
        let slug = format!("{}-{}", slugify(&title), i + 1);
        let cell = i % cells;
        let room = cell % rooms;
        let day = cell / rooms;
        // Most talks of a room belong to its track; some to another one.
        let track = if rng.chance(80) {
            room % tracks
        } else {
            rng.below(tracks)
        };
        let slot = if rng.chance(3) && unscheduled {
            None
        } else {
            let duration = [20, 25, 30, 30, 45, 45, 60][rng.below(7)];
            let gap = [0, 5, 5, 10, 15][rng.below(5)];
            let start = cursor[cell];
            cursor[cell] = start + duration + gap;
            Some((day, start, duration))
        };
        talks.push(Talk {
            slug,
            title,
            room,
            slot,
            track,
            speakers: Vec::new(),
        });
    }
    talks
}

/// `count` distinct speaker names, each at least three edits away from any
/// other with the same initial (so that the typo check stays quiet).
fn names(rng: &mut Rng, count: usize) -> Vec<String> {
    let mut names = Vec::with_capacity(count);
    let mut by_initial: std::collections::HashMap<char, Vec<usize>> = Default::default();
    let mut attempts = 0usize;
    while names.len() < count {
        attempts += 1;
        let mut name = format!(
            "{} {}{}{}",
            rng.pick(FIRST),
            rng.pick(LAST_START),
            rng.pick(LAST_MID),
            rng.pick(LAST_END)
        );
        if attempts > count * 20 {
            // The name space is exhausted for this size: add a middle name.
            name = format!("{} {}", name, rng.pick(FIRST));
        }
        let lower = name.to_lowercase();
        let initial = lower.chars().next().unwrap_or(' ');
        let bucket = by_initial.entry(initial).or_default();
        let close = bucket.iter().any(|&j| {
            let other: &String = &names[j];
            let other = other.to_lowercase();
            other.len().abs_diff(lower.len()) <= 2
                && strsim::damerau_levenshtein(&other, &lower) <= 2
        });
        if close {
            continue;
        }
        bucket.push(names.len());
        names.push(name);
    }
    names
}

/// Gives every talk one speaker, then some a second or third, so that there
/// are about as many talk slots as talks and a speaker gives one to four
/// talks, never two at the same time.
fn assign_speakers(rng: &mut Rng, talks: &mut [Talk], speakers: usize) {
    let mut pool: Vec<usize> = Vec::with_capacity(talks.len() * 5 / 4);
    for s in 0..speakers {
        let k = match rng.below(100) {
            0..=34 => 1,
            35..=64 => 2,
            65..=84 => 3,
            _ => 4,
        };
        pool.extend(std::iter::repeat_n(s, k));
    }
    while pool.len() < talks.len() {
        pool.push(rng.below(speakers));
    }
    rng.shuffle(&mut pool);
    // Busy intervals per speaker, in minutes from the first day.
    let mut busy: Vec<Vec<(u32, u32)>> = vec![Vec::new(); speakers];
    let interval = |t: &Talk| {
        t.slot
            .map(|(d, s, len)| (d as u32 * 1440 + s, d as u32 * 1440 + s + len))
    };
    let free = |busy: &[(u32, u32)], iv: Option<(u32, u32)>| match iv {
        None => true,
        Some((a, b)) => busy.iter().all(|&(c, d)| b <= c || d <= a),
    };
    let mut order: Vec<usize> = (0..talks.len()).collect();
    rng.shuffle(&mut order);
    let mut next = 0;
    for &t in &order {
        let iv = interval(&talks[t]);
        // Find a pool entry that is free at this time; swap it forward.
        let found = (next..pool.len().min(next + 64))
            .chain(next + 64..pool.len())
            .find(|&k| free(&busy[pool[k]], iv));
        let s = match found {
            Some(k) => {
                pool.swap(next, k);
                next += 1;
                pool[next - 1]
            }
            // Nobody left is free at this time (never seen in practice).
            None => {
                next += 1;
                pool[next - 1]
            }
        };
        if let Some(iv) = iv {
            busy[s].push(iv);
        }
        talks[t].speakers.push(s);
    }
    // The rest of the pool: co-speakers.
    for &s in &pool[next..] {
        for _ in 0..8 {
            let t = rng.below(talks.len());
            let iv = interval(&talks[t]);
            if talks[t].speakers.len() < 3 && !talks[t].speakers.contains(&s) && free(&busy[s], iv)
            {
                if let Some(iv) = iv {
                    busy[s].push(iv);
                }
                talks[t].speakers.push(s);
                break;
            }
        }
    }
}

fn hhmm(minutes: u32) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

fn write_talk(rng: &mut Rng, out: &mut String, talk: &Talk, rooms: &[String], names: &[String]) {
    out.push_str("---\n");
    let _ = writeln!(out, "title: \"{}\"", talk.title);
    out.push_str("speakers: [");
    for (i, &s) in talk.speakers.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let _ = write!(out, "\"{}\"", names[s]);
    }
    out.push_str("]\n");
    if let Some((day, start, duration)) = talk.slot {
        let _ = writeln!(out, "room: {}", rooms[talk.room]);
        let _ = writeln!(out, "start: {} {}", DAYS[day], hhmm(start));
        let _ = writeln!(out, "duration: {duration}m");
    }
    let _ = writeln!(out, "track: {}", TOPICS[talk.track]);
    let kind = match rng.below(100) {
        0..=79 => "talk",
        80..=87 => "workshop",
        88..=95 => "panel",
        _ => "keynote",
    };
    let _ = writeln!(out, "type: {kind}");
    let _ = writeln!(
        out,
        "language: {}",
        ["en", "en", "en", "de", "fr"][rng.below(5)]
    );
    if rng.chance(40) {
        let _ = writeln!(
            out,
            "slides: https://conf.example.org/2027/slides/{}.pdf",
            talk.slug
        );
    }
    if rng.chance(30) {
        let _ = writeln!(out, "video: https://video.example.org/2027/{}", talk.slug);
    }
    if rng.chance(25) {
        let _ = writeln!(
            out,
            "links:\n  - {{ title: Repository, url: \"https://git.example.org/{}\" }}",
            talk.slug
        );
    }
    if talk.slot.is_some() && rng.chance(3) {
        out.push_str("status: cancelled\n");
    }
    out.push_str("---\n");
    write_abstract(rng, out);
}

fn sentence(rng: &mut Rng, out: &mut String) {
    let words = 8 + rng.below(11);
    for w in 0..words {
        let word = rng.pick(WORDS);
        if w > 0 {
            out.push(' ');
        }
        match rng.below(40) {
            0 => {
                let _ = write!(out, "*{word}*");
            }
            1 => {
                let _ = write!(out, "**{word}**");
            }
            2 => {
                let _ = write!(out, "`{word}`");
            }
            3 => {
                let _ = write!(out, "[{word}](https://example.org/{word})");
            }
            _ if w == 0 => {
                let mut c = word.chars();
                if let Some(f) = c.next() {
                    out.extend(f.to_uppercase());
                    out.push_str(c.as_str());
                }
            }
            _ => out.push_str(word),
        }
    }
    out.push('.');
}

fn paragraph(rng: &mut Rng, out: &mut String) {
    let sentences = 2 + rng.below(4);
    for s in 0..sentences {
        if s > 0 {
            out.push(' ');
        }
        sentence(rng, out);
    }
    out.push_str("\n\n");
}

fn write_abstract(rng: &mut Rng, out: &mut String) {
    let paragraphs = 2 + rng.below(3);
    for p in 0..paragraphs {
        paragraph(rng, out);
        if p == 0 && rng.chance(50) {
            out.push_str("In this talk:\n\n");
            let items = 3 + rng.below(3);
            let numbered = rng.chance(30);
            for i in 0..items {
                if numbered {
                    let _ = write!(out, "{}. ", i + 1);
                } else {
                    out.push_str("- ");
                }
                out.push_str(rng.pick(LIST_ITEMS));
                out.push('\n');
            }
            out.push('\n');
        }
    }
}

fn write_speaker(rng: &mut Rng, out: &mut String, name: &str) {
    out.push_str("---\n");
    let _ = writeln!(out, "name: \"{name}\"");
    let _ = writeln!(out, "affiliation: {}", rng.pick(AFFILIATIONS));
    if rng.chance(50) {
        let _ = writeln!(
            out,
            "links:\n  - {{ title: Website, url: \"https://people.example.org/{}\" }}",
            slugify(name)
        );
    }
    out.push_str("---\n");
    paragraph(rng, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_distinct_and_far_apart() {
        let names = names(&mut Rng::new(7), 400);
        let mut sorted = names.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), 400);
        for (i, a) in names.iter().enumerate() {
            for b in &names[i + 1..] {
                if a.chars().next() == b.chars().next() {
                    assert!(strsim::damerau_levenshtein(a, b) > 2, "{a} ~ {b}");
                }
            }
        }
    }

    #[test]
    fn no_room_or_speaker_is_in_two_places_at_once() {
        let mut rng = Rng::new(3);
        let mut talks = schedule(&mut rng, 500, 13, 6, true);
        assign_speakers(&mut rng, &mut talks, 250);
        let iv = |t: &Talk| t.slot.map(|(d, s, l)| (t.room, d, s, s + l));
        for (i, a) in talks.iter().enumerate() {
            assert!(!a.speakers.is_empty(), "{} has no speaker", a.slug);
            let Some((ra, da, sa, ea)) = iv(a) else {
                continue;
            };
            assert!(ea <= 24 * 60, "{} ends after midnight", a.slug);
            for b in &talks[i + 1..] {
                let Some((rb, db, sb, eb)) = iv(b) else {
                    continue;
                };
                let overlap = da == db && sa < eb && sb < ea;
                assert!(!(overlap && ra == rb), "{} and {} clash", a.slug, b.slug);
                let shared = a.speakers.iter().any(|s| b.speakers.contains(s));
                assert!(
                    !(overlap && shared),
                    "{} and {} share a speaker",
                    a.slug,
                    b.slug
                );
            }
        }
        let mut per_speaker = vec![0; 250];
        for t in &talks {
            for &s in &t.speakers {
                per_speaker[s] += 1;
            }
        }
        assert!(
            per_speaker.iter().any(|&k| k >= 3),
            "nobody gives several talks"
        );
    }
}
