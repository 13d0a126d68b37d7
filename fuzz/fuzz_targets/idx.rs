//! Fuzz the IDX parser: any byte string (raw or gzip) must give `Ok` with a consistent array or a
//! typed error, never a panic; accepted arrays must also survive conversion to a dataset.
#![no_main]

use libfuzzer_sys::fuzz_target;
use neurograd_data::io::idx::{images_labels_to_dataset, parse_idx};
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let p = Path::new("fuzz-input");
    if let Ok(a) = parse_idx(data, p) {
        assert_eq!(a.dims.iter().product::<usize>(), a.data.len());
        let _ = images_labels_to_dataset(&a, &a, p, p);
        let b = parse_idx(&a.to_bytes(), p).expect("re-parse of own output");
        assert_eq!(a, b);
    }
});
