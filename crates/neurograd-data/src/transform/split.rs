//! Stratified train/test split.

use crate::rng::{self, ChaCha8Rng};
use crate::{DataError, Dataset, Result};
use neurograd_tensor::Real;
use rand::SeedableRng;

/// Splits `ds` into `(train, test)` so that each class keeps its proportion.
///
/// Algorithm (exact, so the split is reproducible from the seed): one
/// `ChaCha8Rng::seed_from_u64(seed)` stream; for each class `c = 0, 1, ...` in order, the indices
/// of class `c` (ascending) are shuffled with [`rng::shuffle`] and the first
/// `n_test_c = round(test_fraction * n_c)` go to the test set (half rounds away from zero), the
/// rest to train. Both parts are returned in ascending original order; shuffle per epoch with
/// [`crate::transform::Batches`].
///
/// # Errors
/// [`DataError::InvalidParameter`] if `test_fraction` is not in the open interval (0, 1) or if the
/// rounding leaves the train or test part empty.
pub fn stratified_split(
    ds: &Dataset,
    test_fraction: Real,
    seed: u64,
) -> Result<(Dataset, Dataset)> {
    if !(test_fraction > 0.0 && test_fraction < 1.0) {
        return Err(DataError::invalid(
            "test_fraction",
            test_fraction,
            "must lie in the open interval (0, 1)",
        ));
    }
    let mut by_class: Vec<Vec<usize>> = vec![Vec::new(); ds.n_classes()];
    for (i, &l) in ds.labels.iter().enumerate() {
        if let Some(v) = by_class.get_mut(l) {
            v.push(i);
        }
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut train = Vec::with_capacity(ds.len());
    let mut test = Vec::with_capacity(ds.len());
    for mut idx in by_class {
        rng::shuffle(&mut rng, &mut idx);
        let n_test = ((test_fraction * idx.len() as Real).round() as usize).min(idx.len());
        test.extend_from_slice(&idx[..n_test]);
        train.extend_from_slice(&idx[n_test..]);
    }
    if train.is_empty() || test.is_empty() {
        return Err(DataError::invalid(
            "test_fraction",
            test_fraction,
            format!(
                "leaves an empty {} part for a dataset of {} samples",
                if train.is_empty() { "train" } else { "test" },
                ds.len()
            ),
        ));
    }
    train.sort_unstable();
    test.sort_unstable();
    Ok((ds.subset(&train)?, ds.subset(&test)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::numeric_class_names;
    use neurograd_tensor::Matrix;

    fn toy(n: usize) -> Dataset {
        let x = Matrix::from_fn(n, 1, |r, _| r as f64);
        let y = (0..n).map(|i| i % 3).collect();
        Dataset::new(x, y, numeric_class_names(3), None).unwrap()
    }

    #[test]
    fn proportions_and_disjointness() {
        let ds = toy(300);
        let (tr, te) = stratified_split(&ds, 0.2, 1).unwrap();
        assert_eq!(te.class_counts(), vec![20, 20, 20]);
        assert_eq!(tr.class_counts(), vec![80, 80, 80]);
        let mut all: Vec<f64> = tr
            .features
            .iter()
            .chain(te.features.iter())
            .copied()
            .collect();
        all.sort_by(f64::total_cmp);
        assert_eq!(all, (0..300).map(|i| i as f64).collect::<Vec<_>>());
    }

    #[test]
    fn seeded_and_different_seeds_differ() {
        let ds = toy(90);
        let a = stratified_split(&ds, 0.3, 5).unwrap();
        let b = stratified_split(&ds, 0.3, 5).unwrap();
        let c = stratified_split(&ds, 0.3, 6).unwrap();
        assert_eq!(a, b);
        assert_ne!(a.1.features, c.1.features);
    }

    #[test]
    fn bad_fractions() {
        let ds = toy(9);
        for f in [0.0, 1.0, -0.1, 1.5, f64::NAN] {
            let e = stratified_split(&ds, f, 0).unwrap_err();
            assert!(e.to_string().contains("test_fraction"), "{e}");
        }
        // 3 classes of 3 samples: 0.1 rounds to 0 test samples per class.
        assert!(matches!(
            stratified_split(&ds, 0.1, 0),
            Err(DataError::InvalidParameter { .. })
        ));
    }
}
