//! Fuzz target `front_matter`: see fuzz/targets.rs for what it checks.
#![no_main]

#[path = "../targets.rs"]
mod targets;

libfuzzer_sys::fuzz_target!(|data: &[u8]| targets::front_matter(data));
