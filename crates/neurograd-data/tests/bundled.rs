//! Bundled datasets: shapes, value ranges and per-class counts.

use neurograd_data::{DataError, Dataset, bundled};

/// Per-class counts from the vendored README (data/digits/README.md, scikit-learn's digits.rst).
#[test]
fn digits_shape_and_counts() {
    let ds = bundled::digits().unwrap();
    assert_eq!((ds.len(), ds.n_features(), ds.n_classes()), (1797, 64, 10));
    assert_eq!(ds.image_shape, Some((8, 8)));
    assert_eq!(
        ds.class_counts(),
        vec![178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    );
    let max = ds.features.max();
    assert_eq!((ds.features.min(), max), (0.0, 16.0));
    // First row of the source file (pinned from data/digits/digits.csv.gz, line 1).
    let row0: Vec<f64> = ds.features.row(0).iter().copied().collect();
    assert_eq!(&row0[..8], &[0.0, 0.0, 5.0, 13.0, 9.0, 1.0, 0.0, 0.0]);
    assert_eq!(ds.labels[..3], [0, 1, 2]);
}

/// mnist5k: 500 images per class (data/mnist5k/README.md).
#[test]
fn mnist5k_shape_and_counts() {
    let ds = bundled::mnist5k().unwrap();
    assert_eq!((ds.len(), ds.n_features(), ds.n_classes()), (5000, 784, 10));
    assert_eq!(ds.image_shape, Some((28, 28)));
    assert_eq!(ds.class_counts(), vec![500; 10]);
    assert_eq!((ds.features.min(), ds.features.max()), (0.0, 255.0));
}

#[test]
fn by_name_matches_functions() {
    assert_eq!(
        bundled::by_name("digits").unwrap(),
        bundled::digits().unwrap()
    );
    assert!(matches!(
        bundled::by_name("mnist"),
        Err(DataError::UnknownName { .. })
    ));
}

/// Serde round trip of a dataset is exact, and deserialisation re-checks the invariants.
#[test]
fn serde_round_trip_and_validation() {
    let ds = bundled::digits().unwrap().subset(&[0, 5, 9]).unwrap();
    let json = serde_json::to_string(&ds).unwrap();
    let back: Dataset = serde_json::from_str(&json).unwrap();
    assert_eq!(back, ds);
    let broken = json.replacen("\"labels\":[0,5,9]", "\"labels\":[0,5,10]", 1);
    assert_ne!(broken, json, "the replacement must hit");
    // serde wraps the `DataError` in its own error type; its message carries the variant's.
    let e = serde_json::from_str::<Dataset>(&broken).unwrap_err();
    assert!(e.to_string().contains("label out of range"), "{e}");
}
