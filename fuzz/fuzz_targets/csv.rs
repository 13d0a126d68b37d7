//! Fuzz the CSV parser with arbitrary UTF-8 text: never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use neurograd_data::io::csv::{CsvOptions, parse_csv};
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = parse_csv(text, Path::new("fuzz-input"), &CsvOptions::default());
    }
});
