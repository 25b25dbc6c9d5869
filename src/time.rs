//! Time: local date-times in the conference zone, explicit offsets,
//! durations, daylight-saving gaps and overlaps, and event days.
