//! Writes an import [`Plan`] as content/: renders conference.yaml, talks and
//! speakers (every string double-quoted and escaped, so any title or name is
//! safe YAML), stages them beside the target, checks that the staged content
//! builds, then swaps it in. An existing content/ is replaced only with
//! `--force`; on any error nothing at the target changes.

use super::plan::{Plan, Talk};
use crate::diagnostic::{Diagnostic, Diagnostics};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// A YAML double-quoted scalar holding exactly `s`.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control()
                || matches!(
                    c,
                    '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
                ) =>
            {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The files of the plan, paths relative to the site root.
pub fn render(plan: &Plan) -> Vec<(String, String)> {
    let mut files = Vec::new();
    let c = &plan.conference;
    let mut y = String::from("# Imported with `programme import`; see the README for every key.\n");
    let _ = writeln!(y, "title: {}", quote(&c.title));
    let _ = writeln!(y, "acronym: {}", c.acronym);
    if let Some(s) = &c.subtitle {
        let _ = writeln!(y, "subtitle: {}", quote(s));
    }
    let _ = writeln!(y, "timezone: {}", quote(&c.timezone));
    match (&c.base_url, &c.source_url) {
        (Some(b), _) => {
            let _ = writeln!(y, "base_url: {}", quote(b));
        }
        (None, Some(s)) => {
            let _ = writeln!(
                y,
                "# The schedule came from {}; set base_url to where this site will be published.",
                s.replace(['\n', '\r'], " ")
            );
            y.push_str("# base_url: https://example.org/\n");
        }
        (None, None) => y.push_str("# base_url: https://example.org/\n"),
    }
    if let Some(l) = &c.language {
        let _ = writeln!(y, "language: {}", quote(l));
    }
    if let Some(d) = &c.day_change {
        let _ = writeln!(y, "day_change: {}", quote(d));
    }
    if !c.rooms.is_empty() {
        y.push_str("rooms:\n");
        for r in &c.rooms {
            let _ = writeln!(y, "  - name: {}", quote(&r.name));
            if let Some(cap) = r.capacity {
                let _ = writeln!(y, "    capacity: {cap}");
            }
            if r.shared {
                y.push_str("    shared: true   # events overlap here in the source\n");
            }
        }
    }
    if !c.tracks.is_empty() {
        y.push_str("tracks:\n");
        for t in &c.tracks {
            let _ = writeln!(y, "  - name: {}", quote(&t.name));
            if let Some(col) = &t.color {
                let _ = writeln!(y, "    color: {}", quote(col));
            }
        }
    }
    files.push(("content/conference.yaml".to_string(), y));
    for t in &plan.talks {
        files.push((format!("content/talks/{}.md", t.slug), talk(t)));
    }
    for s in &plan.speakers {
        let mut f = format!("---\nname: {}\n---\n", quote(&s.name));
        if !s.bio.is_empty() {
            f.push_str(&s.bio);
            f.push('\n');
        }
        files.push((format!("content/speakers/{}.md", s.slug), f));
    }
    files
}

fn talk(t: &Talk) -> String {
    let mut f = String::from("---\n");
    let _ = writeln!(f, "title: {}", quote(&t.title));
    if let Some(s) = &t.subtitle {
        let _ = writeln!(f, "subtitle: {}", quote(s));
    }
    match t.speakers.as_slice() {
        [] => {}
        [one] => {
            let _ = writeln!(f, "speakers: {}", quote(one));
        }
        many => {
            let list: Vec<String> = many.iter().map(|s| quote(s)).collect();
            let _ = writeln!(f, "speakers: [{}]", list.join(", "));
        }
    }
    let field = |f: &mut String, key: &str, v: &Option<String>| {
        if let Some(v) = v {
            let _ = writeln!(f, "{key}: {}", quote(v));
        }
    };
    field(&mut f, "room", &t.room);
    if let Some(s) = &t.start {
        let _ = writeln!(f, "start: {s}");
    }
    if let Some(d) = &t.duration {
        let _ = writeln!(f, "duration: {d}");
    }
    field(&mut f, "track", &t.track);
    field(&mut f, "type", &t.kind);
    field(&mut f, "language", &t.language);
    field(&mut f, "slides", &t.slides);
    field(&mut f, "video", &t.video);
    if !t.links.is_empty() {
        f.push_str("links:\n");
        for (title, url) in &t.links {
            let _ = writeln!(f, "  - title: {}\n    url: {}", quote(title), quote(url));
        }
    }
    if let Some(id) = t.id {
        let _ = writeln!(f, "id: {id}   # the id in the imported schedule");
    }
    f.push_str("---\n");
    if !t.body.is_empty() {
        f.push_str(&t.body);
        f.push('\n');
    }
    f
}

/// Stages the files under `into`, checks they build, and swaps them in as
/// `into/content`.
pub fn write(plan: &Plan, into: &Path, force: bool, file: &Path) -> Result<(), Diagnostics> {
    let target = into.join("content");
    let io = |what: &str, path: &Path, e: std::io::Error| {
        Diagnostics(vec![Diagnostic::error(
            "import-write",
            format!("could not {what} {}: {e}", path.display()),
        )
        .in_file(file)
        .with_help("check that the folder given with --into is writable")])
    };
    if target.exists() && !force {
        return Err(Diagnostics(vec![Diagnostic::error(
            "import-exists",
            format!(
                "{} already exists; import does not overwrite it",
                target.display()
            ),
        )
        .in_file(file)
        .with_help(
            "import into another folder with --into DIR, or pass --force to replace that content/",
        )]));
    }
    std::fs::create_dir_all(into).map_err(|e| io("create", into, e))?;
    let stage = Stage::new(into).map_err(|e| io("create a folder in", into, e))?;
    for (path, text) in render(plan) {
        let full = stage.root.join(&path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io("create", parent, e))?;
        }
        std::fs::write(&full, text).map_err(|e| io("write", &full, e))?;
    }
    // The imported content must build: a failure here is a bug in import.
    if let Err(d) = crate::load_programme(&crate::Options::new(&stage.root)) {
        let mut out = Diagnostics(vec![Diagnostic::error(
            "import-check",
            format!(
                "the content imported from {} does not build; nothing was written",
                file.display()
            ),
        )
        .in_file(file)
        .with_help("the problems found follow; fix them in the source and import again")]);
        out.extend(Diagnostics(d.errors().cloned().collect()));
        return Err(out);
    }
    let staged = stage.root.join("content");
    let old = into.join(format!(".content-replaced-{}", std::process::id()));
    if target.exists() {
        std::fs::rename(&target, &old).map_err(|e| io("move aside", &target, e))?;
    }
    if let Err(e) = std::fs::rename(&staged, &target) {
        let _ = std::fs::rename(&old, &target);
        return Err(io("move into place", &target, e));
    }
    let _ = std::fs::remove_dir_all(&old);
    Ok(())
}

/// A staging folder inside the target folder (same file system, so the
/// final rename is atomic), removed when dropped.
struct Stage {
    root: PathBuf,
}

impl Stage {
    fn new(into: &Path) -> std::io::Result<Stage> {
        let mut n = 0u32;
        loop {
            let root = into.join(format!(".programme-import-{}-{n}", std::process::id()));
            match std::fs::create_dir(&root) {
                Ok(()) => return Ok(Stage { root }),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 100 => n += 1,
                Err(e) => return Err(e),
            }
        }
    }
}

impl Drop for Stage {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

#[cfg(test)]
mod tests {
    use super::quote;
    use crate::load::{yaml, Value};
    use proptest::prelude::*;

    /// Reads `key: <quoted>` back with the loader the build uses.
    fn read_back(s: &str) -> String {
        let node = yaml::parse(&format!("key: {}\n", quote(s))).unwrap();
        match &node.get("key").unwrap().value {
            Value::String(v) => v.clone(),
            other => panic!("{s:?} read back as {other:?}"),
        }
    }

    #[test]
    fn quoted_strings_read_back_exactly() {
        for s in [
            "plain",
            "colon: and # hash",
            "\"quotes\" and \\ backslash",
            "- leading dash",
            "yes",
            "null",
            "@at `tick` {brace} [bracket] *star &amp !bang %pct",
            "line\nbreak\ttab\u{7}bell",
            "李明 🎉 Ünïcödé",
            "\u{2028}separator\u{feff}\u{85}\u{fffe}\u{ffff}",
            "",
        ] {
            assert_eq!(read_back(s), s);
        }
    }

    proptest! {
        #[test]
        fn any_text_survives_quoting(s in any::<String>()) {
            // YAML cannot hold U+0000 even escaped through every parser; the rest must survive.
            prop_assume!(!s.contains('\0'));
            prop_assert_eq!(read_back(&s), s);
        }
    }
}
