//! Validates schedule.json and schedule.xml against the vendored c3voc schema
//! files (tests/schema/c3voc-schedule/) with the ordinary tools: PyPI's
//! check-jsonschema and libxml2's xmllint. A missing tool fails the test with
//! the command that installs it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn vendored(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/schema/c3voc-schedule")
        .join(file)
}

fn run(tool: &str, install: &str, args: &[&std::ffi::OsStr], what: &str) {
    let out = match Command::new(tool).args(args).output() {
        Ok(out) => out,
        Err(e) => panic!(
            "`{tool}` is needed to validate {what} but could not be run ({e}); install it with `{install}`"
        ),
    };
    assert!(
        out.status.success(),
        "{what} is not valid against the c3voc schema:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Writes `bytes` to a temporary file and validates it as schedule.json.
pub fn json(bytes: &[u8], what: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("schedule.json");
    std::fs::write(&path, bytes).unwrap();
    json_file(&path, what);
}

pub fn json_file(path: &Path, what: &str) {
    let schema = vendored("schema.json");
    run(
        "check-jsonschema",
        "pip install check-jsonschema",
        &[
            "--schemafile".as_ref(),
            schema.as_os_str(),
            path.as_os_str(),
        ],
        what,
    );
}

/// Writes `bytes` to a temporary file and validates it as schedule.xml.
pub fn xml(bytes: &[u8], what: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("schedule.xml");
    std::fs::write(&path, bytes).unwrap();
    let schema = vendored("schedule.xml.xsd");
    run(
        "xmllint",
        "apt-get install -y libxml2-utils",
        &[
            "--noout".as_ref(),
            "--schema".as_ref(),
            schema.as_os_str(),
            path.as_os_str(),
        ],
        what,
    );
}

/// Validates both schedule files of a built site.
pub fn both(built: &programme::Built, what: &str) {
    let json_bytes = built.output.get("schedule.json").expect("schedule.json");
    let xml_bytes = built.output.get("schedule.xml").expect("schedule.xml");
    json(json_bytes, &format!("{what}: schedule.json"));
    xml(xml_bytes, &format!("{what}: schedule.xml"));
}
