//! Feeds: machine-readable outputs of the programme (iCalendar and frab schedules).

pub mod frab;
pub mod ical;
pub mod index;
