//! The day grid: rooms as columns in declared order, time down the side.
//!
//! The rows are the intervals between consecutive distinct start and end
//! times of the day's talks, so every talk spans exactly the rows of its
//! length (a table cell with a `rowspan`). A room where talks may overlap
//! (`shared: true`) gets as many lanes (sub-columns) as it needs. A break
//! that no other talk overlaps spans every column. Read row by row, the cells
//! are in time order, which is what the narrow-screen list shows.

use super::view::{time_view, DayRef, RoomRef, TimeView};
use crate::model::{Day, Programme, RoomId, TalkId};
use chrono::DateTime;
use chrono_tz::Tz;
use serde::Serialize;
use tera::Value;

/// The layout of one event day, independent of any theme.
#[derive(Debug, Clone)]
pub struct DayGrid {
    /// Rooms used that day, in declared order, with their lane counts.
    pub columns: Vec<(RoomId, usize)>,
    /// Row boundaries: `lines[i]..lines[i+1]` is row `i`.
    pub lines: Vec<DateTime<Tz>>,
    /// Per row, the cells that begin in it, left to right.
    pub rows: Vec<Vec<Cell>>,
    /// The day's talks in time order.
    pub talks: Vec<TalkId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    Talk {
        talk: TalkId,
        rowspan: usize,
        colspan: usize,
    },
    Empty,
}

const FREE: u32 = u32::MAX;

impl DayGrid {
    pub fn new(p: &Programme, day: &Day) -> DayGrid {
        let talks: Vec<TalkId> = day.talks.clone();
        let slot = |t: TalkId| p.talks[t].slot.expect("day talks are scheduled");
        // Row boundaries.
        let mut lines: Vec<DateTime<Tz>> = Vec::with_capacity(talks.len() * 2 + 1);
        for &t in &talks {
            let s = slot(t);
            lines.push(s.start);
            lines.push(if s.end > s.start {
                s.end
            } else {
                s.start + chrono::Duration::minutes(1)
            });
        }
        lines.sort();
        lines.dedup();
        let line_of = |t: DateTime<Tz>| lines.binary_search(&t).unwrap_or_else(|i| i);

        // Columns: rooms used this day, in declared order, with lanes.
        let mut by_room: Vec<Vec<TalkId>> = vec![Vec::new(); p.rooms.len()];
        let mut spans = Vec::new();
        for (i, &t) in talks.iter().enumerate() {
            if p.talks[t].is_break() && !overlaps_any(p, &talks, i) {
                spans.push(t);
            } else if let Some(r) = p.talks[t].room {
                by_room[r].push(t);
            }
        }
        let mut columns = Vec::new();
        let mut lane_of: Vec<(usize, usize)> = Vec::new(); // (talk, column index)
        let mut first_col = 0;
        for (room, list) in by_room.iter().enumerate() {
            if list.is_empty() {
                continue;
            }
            // Greedy lanes: the first lane free at the talk's start.
            let mut lane_ends: Vec<DateTime<Tz>> = Vec::new();
            for &t in list {
                let s = slot(t);
                let lane = match lane_ends.iter().position(|&e| e <= s.start) {
                    Some(l) => {
                        lane_ends[l] = s.end.max(s.start);
                        l
                    }
                    None => {
                        lane_ends.push(s.end.max(s.start));
                        lane_ends.len() - 1
                    }
                };
                lane_of.push((t, first_col + lane));
            }
            columns.push((room, lane_ends.len()));
            first_col += lane_ends.len();
        }
        let width = first_col.max(1);
        if columns.is_empty() {
            // Only spanning breaks: give them the break's own room as a column.
            if let Some(r) = spans.first().and_then(|&t| p.talks[t].room) {
                columns.push((r, 1));
            }
        }
        let nrows = lines.len().saturating_sub(1);
        let mut occupied = vec![FREE; nrows * width];
        let mut starts: Vec<Vec<(usize, Cell)>> = vec![Vec::new(); nrows];
        let mut place = |t: TalkId, col: usize, colspan: usize| {
            let s = slot(t);
            let r0 = line_of(s.start);
            let r1 = line_of(if s.end > s.start {
                s.end
            } else {
                s.start + chrono::Duration::minutes(1)
            })
            .max(r0 + 1)
            .min(nrows);
            for r in r0..r1 {
                for c in col..col + colspan {
                    occupied[r * width + c] = t as u32;
                }
            }
            starts[r0].push((
                col,
                Cell::Talk {
                    talk: t,
                    rowspan: r1 - r0,
                    colspan,
                },
            ));
        };
        for &t in &spans {
            place(t, 0, width);
        }
        for &(t, col) in &lane_of {
            place(t, col, 1);
        }
        let rows = starts
            .into_iter()
            .enumerate()
            .map(|(r, mut begun)| {
                begun.sort_by_key(|(c, _)| *c);
                let mut cells = Vec::with_capacity(width);
                let mut next = begun.into_iter().peekable();
                for c in 0..width {
                    if let Some((_, cell)) = next.next_if(|(col, _)| *col == c) {
                        cells.push(cell);
                    } else if occupied[r * width + c] == FREE {
                        cells.push(Cell::Empty);
                    }
                }
                cells
            })
            .collect();
        DayGrid {
            columns,
            lines,
            rows,
            talks,
        }
    }
}

/// Does talk `talks[i]` overlap any other talk of the day? `talks` is sorted by start.
fn overlaps_any(p: &Programme, talks: &[TalkId], i: usize) -> bool {
    let me = p.talks[talks[i]].slot.expect("scheduled");
    talks.iter().enumerate().any(|(j, &t)| {
        if j == i {
            return false;
        }
        let s = p.talks[t].slot.expect("scheduled");
        s.start < me.end && me.start < s.end
    })
}

/// What a theme's `day.html` partial sees as `day`.
#[derive(Debug, Clone, Serialize)]
pub struct DaySection {
    #[serde(flatten)]
    pub info: DayRef,
    pub columns: Vec<ColumnView>,
    pub rows: Vec<RowView>,
    /// The day's talks in time order (each a `TalkView`).
    pub talks: Vec<Value>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ColumnView {
    pub room: RoomRef,
    /// Sub-columns of a shared room where talks overlap; 1 otherwise.
    pub lanes: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct RowView {
    pub start: TimeView,
    pub end: TimeView,
    pub minutes: i64,
    /// A height class from `h1` (up to 15 minutes) to `h8` (two hours or more).
    pub height: String,
    /// True when some talk starts in this row.
    pub has_start: bool,
    pub cells: Vec<CellView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CellView {
    /// The talk (a `TalkView`), or none for an empty cell.
    pub talk: Option<Value>,
    pub rowspan: usize,
    pub colspan: usize,
}

impl DayGrid {
    /// The theme's view of this day, with talks taken from the prebuilt views.
    pub fn section(&self, info: DayRef, rooms: &[RoomRef], talks: &[Value]) -> DaySection {
        let columns = self
            .columns
            .iter()
            .map(|&(r, lanes)| ColumnView {
                room: rooms[r].clone(),
                lanes,
            })
            .collect();
        let rows = self
            .rows
            .iter()
            .enumerate()
            .map(|(i, cells)| {
                let (start, end) = (self.lines[i], self.lines[i + 1]);
                let minutes = (end - start).num_minutes();
                RowView {
                    start: time_view(start),
                    end: time_view(end),
                    minutes,
                    height: format!("h{}", ((minutes + 14) / 15).clamp(1, 8)),
                    has_start: cells.iter().any(|c| matches!(c, Cell::Talk { .. })),
                    cells: cells
                        .iter()
                        .map(|c| match *c {
                            Cell::Talk {
                                talk,
                                rowspan,
                                colspan,
                            } => CellView {
                                talk: Some(talks[talk].clone()),
                                rowspan,
                                colspan,
                            },
                            Cell::Empty => CellView {
                                talk: None,
                                rowspan: 1,
                                colspan: 1,
                            },
                        })
                        .collect(),
                }
            })
            .collect();
        DaySection {
            info,
            columns,
            rows,
            talks: self.talks.iter().map(|&t| talks[t].clone()).collect(),
        }
    }

    /// Total columns (lanes) of the grid, for tests and themes.
    pub fn width(&self) -> usize {
        self.columns.iter().map(|c| c.1).sum()
    }
}
