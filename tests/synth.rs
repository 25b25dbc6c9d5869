//! The synthetic programme generator: what it writes builds cleanly, and the
//! same size and seed give the same files.

mod common;

use common::tree;

#[test]
fn generated_programme_builds_without_errors_or_warnings() {
    let dir = tempfile::tempdir().unwrap();
    programme::synth::generate(200, 1, dir.path()).unwrap();
    let built = common::build_memory(dir.path());
    let p = &built.programme;
    assert_eq!(p.talks.len(), 200);
    assert!(built.diagnostics.is_empty(), "{}", built.diagnostics);
    assert_eq!(p.days.len(), 3);
    assert_eq!(p.rooms.len(), 5);
    assert!(p.tracks.len() >= 3);
    // About N/2 speakers, some giving several talks.
    assert!(
        (80..=110).contains(&p.speakers.len()),
        "{}",
        p.speakers.len()
    );
    assert!(p.speakers.iter().any(|s| s.talks.len() >= 3));
    assert!(p.speakers.iter().any(|s| s.source.is_some()));
    assert!(p.speakers.iter().any(|s| s.source.is_none()));
    // Some cancelled and some unscheduled talks, most scheduled.
    let unscheduled = p.unscheduled().count();
    assert!((1..20).contains(&unscheduled), "{unscheduled}");
    assert!(p.talks.iter().any(|t| t.is_cancelled()));
    // Abstracts have several paragraphs, links, emphasis and (somewhere) lists.
    let html: String = p.talks.iter().map(|t| t.abstract_.html.as_str()).collect();
    for tag in [
        "<p>", "<a href=", "<em>", "<strong>", "<code>", "<ul>", "<ol>",
    ] {
        assert!(html.contains(tag), "no {tag} in any abstract");
    }
    assert!(p
        .talks
        .iter()
        .all(|t| t.abstract_.html.matches("<p>").count() >= 2));
}

#[test]
fn same_seed_gives_same_files_and_another_seed_does_not() {
    let (a, b, c) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    programme::synth::generate(120, 42, a.path()).unwrap();
    programme::synth::generate(120, 42, b.path()).unwrap();
    programme::synth::generate(120, 43, c.path()).unwrap();
    let (ta, tb, tc) = (tree(a.path()), tree(b.path()), tree(c.path()));
    assert!(ta.len() > 120);
    assert_eq!(ta, tb);
    assert_ne!(ta, tc);
}
