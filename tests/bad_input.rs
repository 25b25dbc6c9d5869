//! The bad-input corpus: every case under `tests/fixtures/bad/<case>/` is a
//! site root whose content is broken in one way. Checking it must not panic,
//! and must print exactly the diagnostics in the case's `expected.txt` (the
//! human form `programme check` prints). `BLESS=1 cargo test --test bad_input`
//! rewrites the snapshots; review every change by eye.
//!
//! Every diagnostic must name its file, and every diagnostic about a place in
//! a file must give the line, the column, the source line and a hint.

mod common;

use programme::diagnostic::Diagnostics;
use programme::Options;
use std::path::{Path, PathBuf};

/// Diagnostics about a whole file or folder rather than a place in it.
const WHOLE_FILE: &[&str] = &[
    "duplicate-slug",
    "file-name",
    "ignored-file",
    "static-outside",
    "missing-file",
];

fn cases() -> Vec<PathBuf> {
    let dir = common::fixture("bad");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("content").is_dir())
        .collect();
    cases.sort();
    cases
}

fn check(root: &Path) -> Diagnostics {
    match programme::load_programme(&Options::new(root)) {
        Ok((_, d)) | Err(d) => d,
    }
}

/// What `programme check` prints for the case, with the root made portable.
fn snapshot(root: &Path, d: &Diagnostics) -> String {
    let text = format!("{d}{}\n", d.summary());
    text.replace(&root.display().to_string(), "<root>")
}

#[test]
fn every_bad_case_matches_its_expected_diagnostics() {
    let bless = std::env::var_os("BLESS").is_some();
    let mut failures = Vec::new();
    let cases = cases();
    assert!(cases.len() >= 30, "only {} bad-input cases", cases.len());
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let d = check(case);
        for diag in d.iter() {
            assert!(
                diag.file.is_some() || diag.code == "no-content",
                "{name}: diagnostic without a file:\n{diag}"
            );
            assert!(
                diag.help.is_some(),
                "{name}: diagnostic without a hint:\n{diag}"
            );
            if !WHOLE_FILE.contains(&diag.code) {
                assert!(
                    diag.line.is_some() && diag.column.is_some() && diag.source_line.is_some(),
                    "{name}: diagnostic without a line, column and source line:\n{diag}"
                );
            }
        }
        let got = snapshot(case, &d);
        let expected_path = case.join("expected.txt");
        if bless {
            std::fs::write(&expected_path, &got).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if got != expected {
            failures.push(format!(
                "--- {name}: expected\n{expected}\n--- {name}: got\n{got}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} case(s) differ (BLESS=1 rewrites them):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The codes a case must report, whatever the exact wording: a second,
/// wording-independent guard on what each snapshot shows.
#[test]
fn each_case_reports_what_it_is_about() {
    let expect: &[(&str, &[&str])] = &[
        ("alias-bomb", &["yaml"]),
        (
            "bad-durations",
            &[
                "bad-duration",
                "bad-duration",
                "bad-duration",
                "bad-duration",
                "end-and-duration",
            ],
        ),
        (
            "bad-links",
            &[
                "bad-link", "bad-url", "bad-url", "bad-url", "bad-url", "bad-url",
            ],
        ),
        ("bad-start", &["bad-time"]),
        (
            "bad-times",
            &["bad-time", "bad-time", "bad-time", "bad-time"],
        ),
        ("bad-values", &["bad-value", "no-room"]),
        ("body-with-rules", &[]),
        ("broken-conference", &["bad-time", "yaml"]),
        ("byte-order-mark", &[]),
        (
            "conference-fields",
            &[
                "bad-acronym",
                "bad-colour",
                "bad-duration",
                "bad-time",
                "bad-url",
                "bad-value",
                "duplicate",
                "missing-field",
                "unknown-key",
                "unknown-room",
                "wrong-type",
                "wrong-type",
                "wrong-type",
            ],
        ),
        ("crlf-line-ends", &["unknown-room"]),
        ("daylight-saving", &["ambiguous-time", "bad-time"]),
        ("deep-nesting", &["yaml"]),
        ("duplicate-keys", &["yaml"]),
        ("empty-file", &["front-matter", "front-matter"]),
        ("end-before-start", &["end-before-start"]),
        ("far-dates", &["outside-conference"]),
        (
            "file-names",
            &["file-name", "file-name", "file-name", "ignored-file"],
        ),
        (
            "many-at-once",
            &[
                "bad-duration",
                "bad-time",
                "missing-field",
                "photo-outside",
                "unknown-key",
                "unknown-room",
            ],
        ),
        (
            "missing-fields",
            &[
                "missing-field",
                "missing-field",
                "missing-field",
                "missing-field",
            ],
        ),
        ("no-conference", &["missing-file"]),
        ("no-front-matter", &["front-matter"]),
        ("not-utf8", &["encoding"]),
        (
            "photo-paths",
            &[
                "photo-missing",
                "photo-outside",
                "photo-outside",
                "photo-outside",
                "photo-outside",
                "static-outside",
            ],
        ),
        ("room-clash", &["room-clash"]),
        ("similar-speaker", &["similar-speaker"]),
        (
            "slug-collision",
            &["duplicate-slug", "duplicate-slug", "file-name", "file-name"],
        ),
        ("speaker-clash", &["speaker-clash"]),
        ("tabs", &["yaml"]),
        (
            "unknown-keys",
            &["unknown-key", "unknown-key", "unknown-key"],
        ),
        ("unknown-room", &["unknown-room", "unknown-room"]),
        ("unknown-timezone", &["unknown-timezone"]),
        ("unknown-track", &["unknown-track"]),
        ("unterminated-front-matter", &["front-matter"]),
        (
            "wrong-types",
            &[
                "bad-duration",
                "front-matter",
                "wrong-type",
                "wrong-type",
                "wrong-type",
                "wrong-type",
                "wrong-type",
            ],
        ),
        ("yaml-syntax", &["yaml"]),
    ];
    let listed: Vec<String> = expect.iter().map(|(c, _)| c.to_string()).collect();
    let all: Vec<String> = cases()
        .iter()
        .map(|c| c.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(listed, all, "every case is listed here, in order");
    for (case, codes) in expect {
        let d = check(&common::fixture("bad").join(case));
        let mut got: Vec<&str> = d.iter().map(|x| x.code).collect();
        got.sort();
        let mut want = codes.to_vec();
        want.sort();
        assert_eq!(got, want, "{case}:\n{d}");
    }
}

fn load_ok(case: &str) -> programme::model::Programme {
    let root = common::fixture("bad").join(case);
    programme::load_programme(&Options::new(root))
        .unwrap_or_else(|d| panic!("{case}:\n{d}"))
        .0
}

#[test]
fn a_byte_order_mark_and_crlf_line_ends_are_read_as_plain_text() {
    let p = load_ok("byte-order-mark");
    let t = &p.talks[p.talk_by_slug("bom").unwrap()];
    assert_eq!(t.title, "With a BOM");
    assert_eq!(p.conference.title, "Bad Input Conference");
    assert_eq!(t.abstract_.plain, "Text.");

    // The CRLF case has one error; its position is counted in lines, not in
    // carriage returns, and the fine talk next to it reads cleanly.
    let d = check(&common::fixture("bad").join("crlf-line-ends"));
    let e = d.errors().next().unwrap();
    assert_eq!((e.line, e.column), (Some(3), Some(7)));
    assert_eq!(e.source_line.as_deref(), Some("room: Room 9"));
}

#[test]
fn only_the_first_block_is_front_matter() {
    let p = load_ok("body-with-rules");
    let t = &p.talks[p.talk_by_slug("rules").unwrap()];
    assert_eq!(t.title, "Rules in the body");
    assert!(t.abstract_.plain.contains("First part."));
    assert!(t.abstract_.plain.contains("Second part"));
    assert!(t.abstract_.html.contains("<hr"), "{}", t.abstract_.html);
}

#[test]
fn unknown_keys_pass_to_templates_as_extra() {
    let p = load_ok("unknown-keys");
    let t = &p.talks[p.talk_by_slug("typos").unwrap()];
    assert_eq!(t.extra["livestream_id"], "abc123");
    // Likely typos warn, and are kept too: a template may still want them.
    assert_eq!(t.extra["romm"], "Room 1");
    assert!(!t.extra.contains_key("room"));
    assert_eq!(p.rooms[t.room.unwrap()].name, "Room 1");
}

#[test]
fn file_names_that_are_not_slugs_still_build_at_the_slug() {
    let p = load_ok("file-names");
    for slug in ["opening-keynote", "cafe-societa"] {
        assert!(p.talk_by_slug(slug).is_some(), "{slug}");
    }
}

#[test]
fn the_second_occurrence_of_an_autumn_hour_needs_an_offset() {
    // The DST case has an error (the spring gap), so read its talks directly.
    let d = check(&common::fixture("bad").join("daylight-saving"));
    let w: Vec<_> = d.warnings().collect();
    assert_eq!(w.len(), 1, "{d}");
    assert_eq!(
        w[0].file.as_deref(),
        Some(Path::new("content/talks/twice.md")),
        "the explicit offset in offset.md does not warn"
    );
}

/// The whole build, not only the check: a case with errors leaves a previous
/// output folder exactly as it was; a case with only warnings builds (no
/// renderer trips over odd but valid input).
#[test]
fn builds_of_bad_cases_fail_cleanly_or_succeed() {
    for case in cases() {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let has_errors = check(&case).has_errors();
        let out = tempfile::tempdir().unwrap();
        std::fs::write(out.path().join("index.html"), "previous site").unwrap();
        std::fs::create_dir(out.path().join("talks")).unwrap();
        std::fs::write(out.path().join("talks/old.ics"), "BEGIN:VCALENDAR").unwrap();
        std::fs::write(out.path().join(".keep"), "dotfile").unwrap();
        let before = common::tree(out.path());
        let mut opts = Options::new(&case);
        opts.output = Some(out.path().to_path_buf());
        match programme::build(&opts) {
            Ok(report) => {
                assert!(!has_errors, "{name} built despite errors");
                assert!(report.files > 0, "{name}");
                assert!(out.path().join("index.html").is_file(), "{name}");
                assert_eq!(
                    std::fs::read(out.path().join(".keep")).unwrap(),
                    b"dotfile",
                    "{name}: dotfiles survive"
                );
            }
            Err(d) => {
                assert!(
                    has_errors && d.has_errors(),
                    "{name} failed without errors:\n{d}"
                );
                assert_eq!(
                    common::tree(out.path()),
                    before,
                    "{name} touched the output"
                );
            }
        }
    }
}
