//! Theme lookup: the default theme embedded in the binary, overridden file by
//! file by `<root>/themes/default/`, then by `<root>/themes/<name>/` for a
//! named theme. Produces the template sources and static assets of the
//! effective theme, each remembering where it came from for diagnostics.

use crate::diagnostic::{Diagnostic, Diagnostics};
use include_dir::{include_dir, Dir};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The default theme, built into the binary.
static DEFAULT: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

/// One file of the effective theme.
#[derive(Debug, Clone)]
pub struct ThemeFile {
    pub bytes: Vec<u8>,
    /// Where it came from, for diagnostics: a path relative to the site root
    /// (`themes/x/templates/talk.html`), or the built-in theme's path.
    pub origin: PathBuf,
    /// True when the file comes from the binary, not the site's folder.
    pub builtin: bool,
}

/// The effective theme: every file, keyed by its path inside the theme
/// (`templates/talk.html`, `static/style.css`), in sorted order.
#[derive(Debug, Clone, Default)]
pub struct Theme {
    pub name: String,
    pub files: BTreeMap<String, ThemeFile>,
}

impl Theme {
    /// Template sources, keyed by their name (the path under `templates/`).
    pub fn templates(&self) -> impl Iterator<Item = (&str, &ThemeFile)> {
        self.files
            .iter()
            .filter_map(|(p, f)| p.strip_prefix("templates/").map(|n| (n, f)))
    }

    /// Static assets, keyed by their path under `static/`.
    pub fn statics(&self) -> impl Iterator<Item = (&str, &ThemeFile)> {
        self.files
            .iter()
            .filter_map(|(p, f)| p.strip_prefix("static/").map(|n| (n, f)))
    }
}

/// Resolves the theme `name` for the site at `root`.
pub fn lookup(root: &Path, name: &str) -> Result<Theme, Diagnostics> {
    let mut diagnostics = Diagnostics::new();
    let mut theme = Theme {
        name: name.to_string(),
        files: BTreeMap::new(),
    };
    add_embedded(&DEFAULT, &mut theme);
    let themes = root.join("themes");
    let default_dir = themes.join("default");
    if default_dir.is_dir() {
        add_folder(root, &default_dir, &mut theme, &mut diagnostics);
    }
    if name != "default" {
        let dir = themes.join(name);
        if !is_plain_name(name) || !dir.is_dir() {
            diagnostics.push(unknown_theme(root, name));
            return Err(diagnostics);
        }
        add_folder(root, &dir, &mut theme, &mut diagnostics);
    }
    if diagnostics.has_errors() {
        Err(diagnostics)
    } else {
        Ok(theme)
    }
}

/// A theme name is one folder name: no separators, no `..`, no dotfile.
fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && !name.contains(['/', '\\'])
        && Path::new(name).components().count() == 1
}

fn unknown_theme(root: &Path, name: &str) -> Diagnostic {
    let file = Path::new("content/conference.yaml");
    let mut d = Diagnostic::error(
        "unknown-theme",
        format!("the theme `{name}` is not built in and there is no folder themes/{name}/"),
    )
    .in_file(file)
    .with_help(format!(
        "use `theme: default`, or create themes/{name}/templates/ under the site root \
         (files it lacks come from the default theme)"
    ));
    // Point at the `theme:` line when the file can be read; only for the diagnostic.
    if let Ok(text) = std::fs::read_to_string(root.join(file)) {
        if let Some((i, line)) = text
            .lines()
            .enumerate()
            .find(|(_, l)| l.trim_start().starts_with("theme:"))
        {
            let col = line.find(name).map(|c| c + 1).unwrap_or(1);
            d = d.at(&text, i + 1, col);
        }
    }
    d
}

fn add_embedded(dir: &Dir<'static>, theme: &mut Theme) {
    for file in dir.files() {
        let rel = slash_path(file.path());
        if is_hidden(&rel) {
            continue;
        }
        theme.files.insert(
            rel.clone(),
            ThemeFile {
                bytes: file.contents().to_vec(),
                origin: PathBuf::from("themes/default").join(&rel),
                builtin: true,
            },
        );
    }
    for sub in dir.dirs() {
        add_embedded(sub, theme);
    }
}

/// Adds every file under `dir` (a theme folder on disk), replacing files of the same path.
fn add_folder(root: &Path, dir: &Path, theme: &mut Theme, diagnostics: &mut Diagnostics) {
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        let entries = match std::fs::read_dir(&current) {
            Ok(e) => e,
            Err(e) => {
                diagnostics.push(read_error(root, &current, &e));
                continue;
            }
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(rel) = path.strip_prefix(dir) else {
                continue;
            };
            let rel = slash_path(rel);
            if is_hidden(&rel) || is_temp(&rel) {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            match std::fs::read(&path) {
                Ok(bytes) => {
                    let origin = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
                    theme.files.insert(
                        rel,
                        ThemeFile {
                            bytes,
                            origin,
                            builtin: false,
                        },
                    );
                }
                Err(e) => diagnostics.push(read_error(root, &path, &e)),
            }
        }
    }
}

fn read_error(root: &Path, path: &Path, e: &std::io::Error) -> Diagnostic {
    Diagnostic::error("theme-read", format!("could not read a theme file: {e}"))
        .in_file(path.strip_prefix(root).unwrap_or(path))
        .with_help("check the file's permissions")
}

fn slash_path(p: &Path) -> String {
    p.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

fn is_hidden(rel: &str) -> bool {
    rel.split('/').any(|s| s.starts_with('.'))
}

/// Editor backup and swap files (`talk.html~`, `#talk.html#`).
fn is_temp(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    name.ends_with('~') || name.starts_with('#') || name.ends_with(".swp")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_default_has_the_layout_and_style() {
        let t = lookup(Path::new("/nonexistent-root"), "default").unwrap();
        let names: Vec<&str> = t.templates().map(|(n, _)| n).collect();
        for &needed in crate::render::TEMPLATES {
            assert!(names.contains(&needed), "{needed} missing from {names:?}");
        }
        assert!(t.statics().any(|(n, _)| n == "style.css"));
        assert!(t.files.values().all(|f| f.builtin));
    }

    #[test]
    fn unknown_theme_is_an_error_naming_conference_yaml() {
        let err = lookup(Path::new("/nonexistent-root"), "fancy").unwrap_err();
        let d = err.errors().next().unwrap();
        assert_eq!(d.code, "unknown-theme");
        assert_eq!(
            d.file.as_deref(),
            Some(Path::new("content/conference.yaml"))
        );
        assert!(d.help.as_deref().unwrap().contains("themes/fancy/"));
        let err = lookup(Path::new("/nonexistent-root"), "../etc").unwrap_err();
        assert_eq!(err.errors().next().unwrap().code, "unknown-theme");
    }
}
