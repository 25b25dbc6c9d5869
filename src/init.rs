//! `programme init`: scaffolds a new programme (conference.yaml, a talk, a
//! speaker) that builds at once. Never overwrites existing files.

use std::path::Path;

const FILES: &[(&str, &str)] = &[
    (
        "content/conference.yaml",
        "title: My Conference\n\
         acronym: myconf\n\
         timezone: Europe/Berlin\n\
         # base_url: https://example.org/myconf/   # needed for absolute links in feeds\n\
         language: en\n\
         default_duration: 30m\n\
         rooms:\n  - name: Main Hall\n\
         tracks:\n  - name: General\n    color: \"#1f5f8b\"\n",
    ),
    (
        "content/talks/welcome.md",
        "---\n\
         title: Welcome\n\
         speakers: [Ada Lovelace]\n\
         room: Main Hall\n\
         start: 2030-05-04 09:00\n\
         duration: 30m\n\
         track: General\n\
         ---\n\
         Opening words. The abstract is **Markdown**.\n",
    ),
    (
        "content/speakers/ada-lovelace.md",
        "---\n\
         name: Ada Lovelace\n\
         affiliation: Analytical Engines\n\
         ---\n\
         A short biography in Markdown.\n",
    ),
];

/// Writes a new programme into `dir`. Refuses to touch an existing content/.
pub fn scaffold(dir: &Path) -> std::io::Result<()> {
    if dir.join("content").exists() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            format!(
                "{} already has a content/ folder; choose an empty folder",
                dir.display()
            ),
        ));
    }
    for (path, text) in FILES {
        let target = dir.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(target, text)?;
    }
    Ok(())
}
