//! IDX: exact write -> read round trips, directory loading with the standard names, bad files.

use neurograd_data::io::idx::{self, IdxArray, IdxData, STANDARD_NAMES};
use neurograd_data::{DataError, bundled};

/// Every IDX type round-trips exactly, raw and gzip.
#[test]
fn round_trips_exact() {
    let dir = tempfile::tempdir().unwrap();
    let cases = vec![
        IdxData::U8((0..24).map(|i| (i * 11) as u8).collect()),
        IdxData::I8((0..24).map(|i| (i as i8) - 12).collect()),
        IdxData::I16((0..24).map(|i| i16::MIN + i * 1000).collect()),
        IdxData::I32((0..24).map(|i| i32::MAX - i * 99_991).collect()),
        IdxData::F32((0..24).map(|i| i as f32 / 7.0).collect()),
        IdxData::F64((0..24).map(|i| (i as f64).exp()).collect()),
    ];
    for (k, data) in cases.into_iter().enumerate() {
        for gz in ["", ".gz"] {
            let a = IdxArray::new(vec![2, 3, 4], data.clone()).unwrap();
            let p = dir.path().join(format!("a{k}.idx{gz}"));
            idx::write_idx(&p, &a).unwrap();
            assert_eq!(idx::read_idx(&p).unwrap(), a);
        }
    }
}

/// A 200-image digits subset written as the four standard MNIST files (raw for train, gzip for
/// test) loads back identically.
#[test]
fn mnist_dir_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let digits = bundled::digits().unwrap();
    let train = digits.subset(&(0..150).collect::<Vec<_>>()).unwrap();
    let test = digits.subset(&(150..200).collect::<Vec<_>>()).unwrap();
    let d = dir.path();
    idx::write_images_labels(&train, d.join(STANDARD_NAMES[0]), d.join(STANDARD_NAMES[1])).unwrap();
    let gz = |i: usize| d.join(format!("{}.gz", STANDARD_NAMES[i]));
    idx::write_images_labels(&test, gz(2), gz(3)).unwrap();
    let s = idx::load_mnist_dir(d).unwrap();
    assert_eq!(s.train, train);
    assert_eq!(s.test, test);
    let f = s
        .train
        .with_class_names(idx::FASHION_MNIST_CLASSES.map(String::from).to_vec())
        .unwrap();
    assert_eq!(f.class_names[9], "Ankle boot");
    std::fs::remove_file(gz(3)).unwrap();
    let e = idx::load_mnist_dir(d).unwrap_err();
    assert!(
        matches!(e, DataError::Io { .. }) && e.to_string().contains("t10k-labels"),
        "{e}"
    );
}

/// A directory whose t10k images differ in shape from the training images (smaller or larger:
/// 3x3 or 5x5 against 4x4) is refused with a format error naming the test file and both shapes;
/// the control, equal 4x4 parts, loads.
#[test]
fn mnist_dir_parts_must_agree() {
    let images = |n: usize, side: usize| {
        let px = (0..n * side * side).map(|i| (i % 256) as u8).collect();
        IdxArray::new(vec![n, side, side], IdxData::U8(px)).unwrap()
    };
    let labels = |n: usize| {
        IdxArray::new(
            vec![n],
            IdxData::U8((0..n).map(|i| (i % 2) as u8).collect()),
        )
        .unwrap()
    };
    for (test_side, ok) in [(3, false), (5, false), (4, true)] {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        idx::write_idx(d.join(STANDARD_NAMES[0]), &images(6, 4)).unwrap();
        idx::write_idx(d.join(STANDARD_NAMES[1]), &labels(6)).unwrap();
        idx::write_idx(d.join(STANDARD_NAMES[2]), &images(4, test_side)).unwrap();
        idx::write_idx(d.join(STANDARD_NAMES[3]), &labels(4)).unwrap();
        let r = idx::load_mnist_dir(d);
        if ok {
            let s = r.unwrap();
            assert_eq!(s.test.image_shape, Some((4, 4)));
        } else {
            let e = r.unwrap_err();
            let msg = e.to_string();
            assert!(
                matches!(e, DataError::Format { .. })
                    && msg.contains("t10k-images")
                    && msg.contains(&format!("{test_side}x{test_side}"))
                    && msg.contains("4x4"),
                "{msg}"
            );
        }
    }
}

/// Header and size disagreeing, and non-u8 features, are errors naming the file or argument.
#[test]
fn bad_files_and_values() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("short-idx3-ubyte");
    let mut b = IdxArray::new(vec![2, 2, 2], IdxData::U8(vec![1; 8]))
        .unwrap()
        .to_bytes();
    b.pop();
    std::fs::write(&p, &b).unwrap();
    let e = idx::read_idx(&p).unwrap_err();
    assert!(
        e.to_string().contains("short-idx3-ubyte") && e.to_string().contains("truncated"),
        "{e}"
    );
    let ds = bundled::digits()
        .unwrap()
        .subset(&[0])
        .unwrap()
        .scaled(0.5)
        .unwrap();
    let e = idx::write_images_labels(&ds, dir.path().join("i"), dir.path().join("l")).unwrap_err();
    assert!(matches!(e, DataError::InvalidParameter { .. }), "{e}");
    assert!(!dir.path().join("i").exists());
    assert!(matches!(
        IdxArray::new(vec![2, 2], IdxData::U8(vec![0; 3])),
        Err(DataError::InvalidParameter { name: "dims", .. })
    ));
}

/// Regression (the `idx` fuzz target's first finding, a harness bug): float IDX files holding NaN
/// (and the other special values) parse and re-serialise to the same bytes. The old harness
/// compared the parsed values, and NaN != NaN made it fail on valid input; the parser keeps the
/// bit patterns, which is what this checks.
#[test]
fn nan_payloads_round_trip_bit_for_bit() {
    let p = std::path::Path::new("nan.idx");
    // f32: magic 0 0 0x0d, 1 dim of 4; quiet NaN, a NaN with a payload, -0.0, +inf (big-endian)
    let mut f32_file = vec![0, 0, 0x0d, 1, 0, 0, 0, 4];
    for bits in [0x7fc0_0000u32, 0xffc0_1234, 0x8000_0000, 0x7f80_0000] {
        f32_file.extend_from_slice(&bits.to_be_bytes());
    }
    // f64: magic 0 0 0x0e, 2 dims 1 x 2; a NaN with a payload, -inf
    let mut f64_file = vec![0, 0, 0x0e, 2, 0, 0, 0, 1, 0, 0, 0, 2];
    for bits in [0x7ff8_0000_dead_beefu64, 0xfff0_0000_0000_0000] {
        f64_file.extend_from_slice(&bits.to_be_bytes());
    }
    for file in [f32_file, f64_file] {
        let a = idx::parse_idx(&file, p).unwrap();
        assert_eq!(a.dims.iter().product::<usize>(), a.data.len());
        let bytes = a.to_bytes();
        assert_eq!(bytes, file, "re-serialisation changed the bytes");
        let b = idx::parse_idx(&bytes, p).unwrap();
        assert_eq!(a.dims, b.dims);
        assert_eq!(b.to_bytes(), file);
        // the values themselves compare unequal (NaN), which is why the harness compares bytes
        assert_ne!(a, b);
    }
}
