//! Fuzz the IDX parser: any byte string (raw or gzip) must give `Ok` with a consistent array or a
//! typed error, never a panic; accepted arrays must also survive conversion to a dataset and
//! re-serialise losslessly.
#![no_main]

use libfuzzer_sys::fuzz_target;
use neurograd_data::io::idx::{images_labels_to_dataset, parse_idx};
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let p = Path::new("fuzz-input");
    if let Ok(a) = parse_idx(data, p) {
        assert_eq!(a.dims.iter().product::<usize>(), a.data.len());
        let _ = images_labels_to_dataset(&a, &a, p, p);
        let bytes = a.to_bytes();
        let b = parse_idx(&bytes, p).expect("re-parse of own output");
        // NaN != NaN: compare the dims and the serialised bit patterns, not the values.
        assert_eq!(a.dims, b.dims);
        assert_eq!(bytes, b.to_bytes());
    }
});
