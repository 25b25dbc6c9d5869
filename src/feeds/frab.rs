//! frab / c3voc schedule.json and schedule.xml.

use crate::diagnostic::Diagnostics;
use crate::model::Programme;
use crate::output::Output;
use crate::{Env, Renderer};

pub struct Frab;

impl Renderer for Frab {
    fn name(&self) -> &'static str {
        "frab"
    }

    fn render(&self, programme: &Programme, env: &Env) -> Result<Output, Diagnostics> {
        let _ = (programme, env);
        Ok(Output::new())
    }
}
