//! Fuzz the `.npy` parser: any byte string (raw or gzip) must give `Ok` with a consistent array
//! or a typed error, never a panic; accepted arrays must convert and re-serialise losslessly.
#![no_main]

use libfuzzer_sys::fuzz_target;
use neurograd_data::io::npy::parse_npy;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let p = Path::new("fuzz-input");
    if let Ok(a) = parse_npy(data, p) {
        assert_eq!(a.shape.iter().product::<usize>(), a.data.len());
        let _ = a.to_matrix();
        let _ = a.to_labels();
        let b = parse_npy(&a.to_bytes(), p).expect("re-parse of own output");
        // NaN != NaN, so compare the serialised bytes rather than the values.
        assert_eq!(a.to_bytes(), b.to_bytes());
    }
});
