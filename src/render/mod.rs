//! Rendering: owns Tera and theme lookup (the root's themes/<name>/ over the
//! embedded default theme) and turns the programme into HTML pages and assets.

use crate::diagnostic::Diagnostics;
use crate::model::Programme;
use crate::output::Output;
use crate::{Env, Renderer};
use std::path::Path;

/// The HTML renderer with its compiled theme.
pub struct Html {}

impl Html {
    /// Finds and compiles the theme `name` for the site at `root`.
    pub fn load(root: &Path, name: &str) -> Result<Html, Diagnostics> {
        let _ = (root, name);
        Ok(Html {})
    }
}

impl Renderer for Html {
    fn name(&self) -> &'static str {
        "html"
    }

    fn render(&self, programme: &Programme, env: &Env) -> Result<Output, Diagnostics> {
        let _ = (programme, env);
        Ok(Output::new())
    }
}
