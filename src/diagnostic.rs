//! Diagnostics: the one type every stage uses to report a problem in the
//! organiser's content, with the file, line, column, the offending source line
//! and a hint, rendered for the terminal, as JSON, or for the browser overlay.

use serde::Serialize;
use std::fmt;
use std::path::{Path, PathBuf};

/// How bad a diagnostic is. Errors stop the build; warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One problem found in the content, pointing at where it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// A short stable identifier (`unknown-room`, `yaml`, ...), for tests and editors.
    pub code: &'static str,
    /// The file, relative to the site root (`content/talks/x.md`), when there is one.
    pub file: Option<PathBuf>,
    /// 1-based line in that file.
    pub line: Option<usize>,
    /// 1-based column (in characters) on that line.
    pub column: Option<usize>,
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
    /// The offending source line, without its line end.
    pub source_line: Option<String>,
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, message)
    }

    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, code, message)
    }

    fn new(severity: Severity, code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            code,
            file: None,
            line: None,
            column: None,
            message: message.into(),
            help: None,
            source_line: None,
        }
    }

    /// Points the diagnostic at a file (path relative to the site root).
    pub fn in_file(mut self, file: impl AsRef<Path>) -> Self {
        self.file = Some(file.as_ref().to_path_buf());
        self
    }

    /// Points the diagnostic at a line and column, copying the source line out of `text`.
    pub fn at(mut self, text: &str, line: usize, column: usize) -> Self {
        self.line = Some(line.max(1));
        self.column = Some(column.max(1));
        // The line after the last one (the end of the file) shows as empty.
        self.source_line = text
            .lines()
            .nth(line.saturating_sub(1))
            .map(|l| l.trim_end_matches('\r').to_string())
            .or_else(|| (line == text.lines().count() + 1).then(String::new));
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// One entry of the JSON report (see [`Diagnostics::to_json`]).
    pub fn to_json(&self) -> serde_json::Value {
        let file = self.file.as_ref().map(|f| {
            f.components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/")
        });
        serde_json::json!({
            "severity": self.severity,
            "code": self.code,
            "file": file,
            "line": self.line,
            "column": self.column,
            "message": self.message,
            "help": self.help,
            "source_line": self.source_line,
        })
    }

    /// `file:line:column`, as far as known.
    pub fn location(&self) -> String {
        let mut s = match &self.file {
            Some(f) => f.display().to_string(),
            None => String::new(),
        };
        if let Some(l) = self.line {
            s.push_str(&format!(":{l}"));
            if let Some(c) = self.column {
                s.push_str(&format!(":{c}"));
            }
        }
        s
    }
}

impl fmt::Display for Diagnostic {
    /// The human form: a header, the source line with a marker, and the hint.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        writeln!(f, "{kind}[{}]: {}", self.code, self.message)?;
        let loc = self.location();
        if !loc.is_empty() {
            writeln!(f, "  --> {loc}")?;
        }
        if let (Some(line), Some(src)) = (self.line, &self.source_line) {
            let num = line.to_string();
            let pad = " ".repeat(num.len());
            let (src, col) = window(src, self.column.unwrap_or(1));
            writeln!(f, "{pad} |")?;
            writeln!(f, "{num} | {src}")?;
            let lead: String = src
                .chars()
                .take(col.saturating_sub(1))
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            writeln!(f, "{pad} | {lead}^")?;
        }
        if let Some(help) = &self.help {
            writeln!(f, "  = help: {help}")?;
        }
        Ok(())
    }
}

/// The longest source line shown whole; longer ones are cut around the column.
const MAX_SHOWN: usize = 100;

/// A long source line cut to [`MAX_SHOWN`] characters around `column` (1-based),
/// with `...` where text was cut, and the column within the cut line.
fn window(src: &str, column: usize) -> (String, usize) {
    let len = src.chars().count();
    if len <= MAX_SHOWN {
        return (src.to_string(), column);
    }
    let start = column
        .saturating_sub(1 + MAX_SHOWN / 2)
        .min(len - MAX_SHOWN);
    let mut cut: String = src.chars().skip(start).take(MAX_SHOWN).collect();
    let mut col = column - start;
    if start > 0 {
        cut.insert_str(0, "...");
        col += 3;
    }
    if start + MAX_SHOWN < len {
        cut.push_str("...");
    }
    (cut, col)
}

/// Every diagnostic of one run, in the order found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter().filter(|d| d.is_error())
    }

    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter().filter(|d| !d.is_error())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }

    /// `2 error(s), 1 warning(s)`: the last line `programme check` prints.
    pub fn summary(&self) -> String {
        format!(
            "{} error(s), {} warning(s)",
            self.errors().count(),
            self.warnings().count()
        )
    }

    /// The machine-readable report of `programme check --format json`:
    /// `{ "errors": N, "warnings": N, "diagnostics": [ ... ] }`, each
    /// diagnostic with `severity`, `code`, `file` (relative to the site
    /// root, `/`-separated), `line`, `column` (1-based), `message`, `help`
    /// and `source_line`; fields that are not known are `null`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "errors": self.errors().count(),
            "warnings": self.warnings().count(),
            "diagnostics": self.0.iter().map(Diagnostic::to_json).collect::<Vec<_>>(),
        })
    }

    /// Sorts by file, line and column, so that output is the same from run to run.
    pub fn sort(&mut self) {
        self.0
            .sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.0 {
            writeln!(f, "{d}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_form_points_at_the_column() {
        let text = "---\ntitle: A\nroom: Rom 2\n---\n";
        let d = Diagnostic::error("unknown-room", "unknown room `Rom 2`")
            .in_file("content/talks/a.md")
            .at(text, 3, 7)
            .with_help("did you mean `Room 2`?");
        assert_eq!(
            d.to_string(),
            "error[unknown-room]: unknown room `Rom 2`\n  --> content/talks/a.md:3:7\n  |\n3 | room: Rom 2\n  |       ^\n  = help: did you mean `Room 2`?\n"
        );
    }

    #[test]
    fn the_end_of_the_file_and_an_empty_file_show_an_empty_line() {
        let d = Diagnostic::error("x", "m").at("a\nb\n", 3, 1);
        assert_eq!(d.source_line.as_deref(), Some(""));
        let d = Diagnostic::error("x", "m").at("", 1, 1);
        assert_eq!(d.source_line.as_deref(), Some(""));
        let d = Diagnostic::error("x", "m").at("a\n", 9, 1);
        assert_eq!(d.source_line, None);
    }

    #[test]
    fn long_lines_are_cut_around_the_column() {
        let long = format!("{}X{}", "a".repeat(500), "b".repeat(500));
        let (cut, col) = window(&long, 501);
        assert_eq!(cut.chars().nth(col - 1), Some('X'));
        assert!(cut.starts_with("...") && cut.ends_with("..."));
        assert!(cut.chars().count() <= MAX_SHOWN + 6);
        let (cut, col) = window("short", 3);
        assert_eq!((cut.as_str(), col), ("short", 3));
        let (cut, col) = window(&long, 1000);
        assert_eq!(cut.chars().nth(col - 1), Some('b'));
        assert!(!cut.ends_with("..."));
    }

    #[test]
    fn json_report_shape() {
        let mut d = Diagnostics::new();
        d.push(Diagnostic::warning("w", "careful").in_file("content/a.md"));
        let v = d.to_json();
        assert_eq!(
            (v["errors"].as_u64(), v["warnings"].as_u64()),
            (Some(0), Some(1))
        );
        assert_eq!(v["diagnostics"][0]["file"], "content/a.md");
        assert_eq!(v["diagnostics"][0]["line"], serde_json::Value::Null);
        assert_eq!(v["diagnostics"][0]["severity"], "warning");
        assert_eq!(d.summary(), "0 error(s), 1 warning(s)");
    }
}
