//! `programme check` from the outside: exit codes (0 clean, 1 errors or
//! denied warnings, 2 usage), the human and JSON forms, nothing written, and
//! `programme build` printing the same diagnostics.

mod common;

use std::path::Path;
use std::process::{Command, Output};

fn programme(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_programme"))
        .args(args)
        .env_remove("CLICOLOR_FORCE")
        .output()
        .expect("the programme binary runs")
}

fn bad(case: &str) -> String {
    common::fixture("bad").join(case).display().to_string()
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exited normally, not by a signal")
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

#[test]
fn a_clean_site_exits_zero() {
    let root = common::repo().display().to_string();
    let o = programme(&["check", "--root", &root]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stderr(&o), "0 error(s), 0 warning(s)\n");
    let o = programme(&["check", "--root", &root, "--deny-warnings"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

#[test]
fn errors_exit_one_and_show_the_line_with_a_marker() {
    let o = programme(&["check", "--root", &bad("unknown-room")]);
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(
        err.contains("error[unknown-room]: unknown room `Rom 2`\n  --> content/talks/typo.md:3:7\n  |\n3 | room: Rom 2\n  |       ^\n  = help: did you mean `Room 2`?"),
        "{err}"
    );
    assert!(err.ends_with("2 error(s), 0 warning(s)\n"), "{err}");
    assert!(o.stdout.is_empty());
}

#[test]
fn warnings_pass_unless_denied() {
    let o = programme(&["check", "--root", &bad("unknown-keys")]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stderr(&o).contains("did you mean `room`?"));
    let o = programme(&["check", "--root", &bad("unknown-keys"), "--deny-warnings"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).ends_with("0 error(s), 3 warning(s)\n"));
}

#[test]
fn usage_errors_exit_two() {
    for args in [
        &["check", "--format", "xml"][..],
        &["check", "--no-such-flag"],
        &["check", "--root"],
        &["no-such-command"],
    ] {
        let o = programme(args);
        assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn json_for_editors_and_ci() {
    let o = programme(&["check", "--root", &bad("unknown-room"), "--format", "json"]);
    assert_eq!(code(&o), 1);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("stdout is JSON");
    assert_eq!(v["errors"], 2);
    assert_eq!(v["warnings"], 0);
    let d = &v["diagnostics"][1];
    assert_eq!(d["severity"], "error");
    assert_eq!(d["code"], "unknown-room");
    assert_eq!(d["file"], "content/talks/typo.md");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(3), Some(7))
    );
    assert_eq!(d["message"], "unknown room `Rom 2`");
    assert_eq!(d["source_line"], "room: Rom 2");
    assert!(d["help"]
        .as_str()
        .unwrap()
        .contains("did you mean `Room 2`?"));

    // A clean site is an empty list; a denied warning still exits 1.
    let root = common::repo().display().to_string();
    let o = programme(&["check", "--root", &root, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        v,
        serde_json::json!({"errors": 0, "warnings": 0, "diagnostics": []})
    );
    let o = programme(&[
        "check",
        "--root",
        &bad("unknown-track"),
        "--format",
        "json",
        "--deny-warnings",
    ]);
    assert_eq!(code(&o), 1);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["warnings"], 1);
    assert!(v["diagnostics"][0]["line"].is_u64());
}

/// Every path under `dir`, sorted.
fn tree(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            out.push(p.strip_prefix(dir).unwrap().display().to_string());
            if p.is_dir() {
                stack.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn check_writes_nothing() {
    let site = common::temp_site(&common::fixture("bad").join("unknown-keys"));
    let before = tree(site.path());
    let root = site.path().display().to_string();
    let o = programme(&["check", "--root", &root]);
    assert_eq!(code(&o), 0);
    assert_eq!(tree(site.path()), before);
    assert!(!site.path().join("public").exists());
}

/// The diagnostic blocks (everything before the summary line).
fn blocks(err: &str) -> Vec<&str> {
    err.split("\n\n")
        .filter(|b| b.starts_with("error[") || b.starts_with("warning["))
        .collect()
}

#[test]
fn build_prints_the_same_diagnostics() {
    for case in [
        "unknown-keys",
        "unknown-room",
        "missing-fields",
        "many-at-once",
    ] {
        let site = common::temp_site(&common::fixture("bad").join(case));
        let root = site.path().display().to_string();
        let checked = programme(&["check", "--root", &root]);
        let built = programme(&["build", "--root", &root]);
        assert_eq!(code(&checked), code(&built), "{case}");
        let (c, b) = (stderr(&checked), stderr(&built));
        assert!(!blocks(&c).is_empty(), "{case}: {c}");
        assert_eq!(blocks(&c), blocks(&b), "{case}");
        let public = Path::new(&root).join("public");
        assert_eq!(public.exists(), code(&built) == 0, "{case}");
    }
}
