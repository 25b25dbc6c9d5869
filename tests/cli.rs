//! The `programme` binary as organisers run it: init then build, the same
//! bytes from the same input, exit codes, and a failed build that leaves the
//! output folder alone.

mod common;

use common::tree;
use std::path::Path;
use std::process::{Command, Output};

fn programme(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_programme"))
        .args(args)
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .expect("the programme binary runs")
}

fn path(p: &Path) -> &str {
    p.to_str().expect("temporary paths are UTF-8")
}

#[test]
fn init_scaffolds_a_programme_that_builds_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("myconf");
    let init = programme(&["init", path(&root)]);
    assert!(init.status.success(), "{init:?}");

    let build = programme(&["build", "--root", path(&root)]);
    assert!(build.status.success(), "{build:?}");
    let stdout = String::from_utf8_lossy(&build.stdout);
    assert!(
        stdout.contains("built 1 talks, 1 speakers"),
        "one-line summary names what was built: {stdout}"
    );
    let index = std::fs::read_to_string(root.join("public/index.html")).unwrap();
    assert!(
        index.contains("Welcome"),
        "the scaffolded talk is on the programme"
    );
    assert!(root.join("public/talks/welcome/index.html").is_file());

    // A second init into the same folder refuses rather than overwriting.
    let again = programme(&["init", path(&root)]);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already has a content/"));
}

#[test]
fn the_same_input_gives_the_same_bytes() {
    let site = tempfile::tempdir().unwrap();
    common::copy_tree(
        &common::repo().join("content"),
        &site.path().join("content"),
    );
    let a = site.path().join("out-a");
    let b = site.path().join("out-b");
    for out in [&a, &b] {
        let run = programme(&[
            "build",
            "--root",
            path(site.path()),
            "--output",
            path(out),
            "--previous-feed",
            "/nonexistent/schedule.ics",
        ]);
        assert!(run.status.success(), "{run:?}");
    }
    let (ta, tb) = (tree(&a), tree(&b));
    assert!(ta.len() > 20, "the example builds a whole site");
    assert_eq!(ta.keys().collect::<Vec<_>>(), tb.keys().collect::<Vec<_>>());
    for (file, bytes) in &ta {
        assert!(tb[file] == *bytes, "{file} differs between two builds");
    }
}

#[test]
fn usage_errors_exit_2_and_content_errors_exit_1() {
    let usage = programme(&["build", "--no-such-flag"]);
    assert_eq!(usage.status.code(), Some(2));

    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    assert!(programme(&["init", path(root)]).status.success());
    std::fs::write(
        root.join("content/talks/broken.md"),
        "---\ntitle: [unclosed\n---\nBody\n",
    )
    .unwrap();
    let build = programme(&["build", "--root", path(root)]);
    assert_eq!(build.status.code(), Some(1), "{build:?}");
    let stderr = String::from_utf8_lossy(&build.stderr);
    assert!(
        stderr.contains("broken.md"),
        "the error names the file: {stderr}"
    );
    assert!(
        !root.join("public").exists(),
        "a failed first build creates no output folder"
    );
}

#[test]
fn a_failed_build_leaves_the_previous_site_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    assert!(programme(&["init", path(root)]).status.success());
    assert!(programme(&["build", "--root", path(root)]).status.success());
    std::fs::write(root.join("public/.nojekyll"), "").unwrap();
    let before = tree(&root.join("public"));

    std::fs::write(
        root.join("content/talks/welcome.md"),
        "---\ntitle: Welcome\nroom: Nowhere Hall\nstart: 2030-05-04 09:00\n---\n",
    )
    .unwrap();
    let build = programme(&["build", "--root", path(root)]);
    assert_eq!(build.status.code(), Some(1), "{build:?}");
    assert!(String::from_utf8_lossy(&build.stderr).contains("output folder was not changed"));
    assert_eq!(tree(&root.join("public")), before);
}
