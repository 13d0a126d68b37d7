//! The parsers never panic: random and truncated byte strings give an error (or, for a random
//! string that happens to be valid, a consistent array), never a panic.

use neurograd_data::DataError;
use neurograd_data::io::idx::{IdxArray, IdxData, parse_idx};
use neurograd_data::io::npy::{NpyArray, NpyData, parse_npy};
use proptest::prelude::*;
use std::path::Path;

fn valid_npy() -> Vec<u8> {
    NpyArray::new(
        vec![3, 2],
        true,
        NpyData::F32(vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]),
    )
    .unwrap()
    .to_bytes()
}

fn valid_idx() -> Vec<u8> {
    IdxArray::new(vec![2, 3], IdxData::I16(vec![1, 2, 3, 4, 5, 6]))
        .unwrap()
        .to_bytes()
}

proptest! {
    /// Claim (issue 3, "Bad input"): arbitrary bytes never panic the `.npy` parser; whatever it
    /// accepts has a shape consistent with its data, and converting it never panics either.
    #[test]
    fn npy_random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        if let Ok(a) = parse_npy(&bytes, Path::new("fuzz")) {
            prop_assert_eq!(a.shape.iter().product::<usize>(), a.data.len());
            let _ = a.to_matrix();
            let _ = a.to_labels();
        }
    }

    /// Same claim for arbitrary bytes behind a valid `.npy` magic and version, which reaches the
    /// header parser instead of stopping at the magic check.
    #[test]
    fn npy_random_headers_never_panic(tail in proptest::collection::vec(any::<u8>(), 0..200),
                                      hlen in 0u16..256) {
        let mut b = b"\x93NUMPY\x01\x00".to_vec();
        b.extend_from_slice(&hlen.to_le_bytes());
        b.extend_from_slice(&tail);
        let _ = parse_npy(&b, Path::new("fuzz"));
    }

    /// Every strict prefix of a valid `.npy` file is an error (truncation is always detected).
    #[test]
    fn npy_truncations_are_errors(cut in 0usize..1000) {
        let b = valid_npy();
        let cut = cut % b.len();
        let r = parse_npy(&b[..cut], Path::new("cut"));
        prop_assert!(matches!(r, Err(DataError::Format { .. })), "{:?}", r.err());
    }

    /// Single-byte corruptions of a valid `.npy` file never panic.
    #[test]
    fn npy_corruptions_never_panic(pos in 0usize..1000, byte in any::<u8>()) {
        let mut b = valid_npy();
        let pos = pos % b.len();
        b[pos] = byte;
        if let Ok(a) = parse_npy(&b, Path::new("flip")) {
            let _ = a.to_matrix();
        }
    }

    /// Claim (issue 3, "Bad input"): arbitrary bytes never panic the IDX parser; accepted arrays
    /// have a consistent size.
    #[test]
    fn idx_random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        if let Ok(a) = parse_idx(&bytes, Path::new("fuzz")) {
            prop_assert_eq!(a.dims.iter().product::<usize>(), a.data.len());
        }
    }

    /// Random IDX headers (valid magic, any type byte and dimensions) never panic.
    #[test]
    fn idx_random_headers_never_panic(ty in any::<u8>(), k in 0u8..6,
                                      tail in proptest::collection::vec(any::<u8>(), 0..100)) {
        let mut b = vec![0, 0, ty, k];
        b.extend_from_slice(&tail);
        let _ = parse_idx(&b, Path::new("fuzz"));
    }

    /// Every strict prefix of a valid IDX file is an error.
    #[test]
    fn idx_truncations_are_errors(cut in 0usize..1000) {
        let b = valid_idx();
        let cut = cut % b.len();
        let r = parse_idx(&b[..cut], Path::new("cut"));
        prop_assert!(matches!(r, Err(DataError::Format { .. })), "{:?}", r.err());
    }

    /// Random text never panics the CSV parser.
    #[test]
    fn csv_random_text_never_panics(text in "[0-9a-z,.\"\n -]{0,200}", header in any::<bool>()) {
        let o = neurograd_data::io::csv::CsvOptions { has_header: header, ..Default::default() };
        let _ = neurograd_data::io::csv::parse_csv(&text, Path::new("fuzz"), &o);
    }
}
