//! Resolving: turns loaded documents into the typed [`Programme`], field by
//! field, with a diagnostic for every bad value (file, line, hint).

use crate::diagnostic::Diagnostics;
use crate::load::Content;
use crate::model::Programme;

/// Builds the programme; None when the conference itself is unusable.
pub fn programme(content: &Content, drafts: bool, diagnostics: &mut Diagnostics) -> Option<Programme> {
    let _ = (content, drafts, diagnostics);
    todo!("resolve")
}
