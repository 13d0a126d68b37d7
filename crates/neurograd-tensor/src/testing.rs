//! Shared proptest strategies for neurograd test suites (feature `testing`).
//!
//! ```toml
//! [dev-dependencies]
//! neurograd-tensor = { workspace = true, features = ["testing"] }
//! ```

use proptest::prelude::*;

use crate::activation::Activation;
use crate::{Matrix, Real, Vector};

/// A `rows × cols` matrix with elements uniform in `[lo, hi]`.
pub fn matrix(rows: usize, cols: usize, lo: Real, hi: Real) -> impl Strategy<Value = Matrix> {
    proptest::collection::vec(lo..=hi, rows * cols)
        .prop_map(move |v| Matrix::from_column_slice(rows, cols, &v))
}

/// A matrix with a random shape in `1..=max_rows × 1..=max_cols` and elements in `[lo, hi]`.
pub fn any_matrix(
    max_rows: usize,
    max_cols: usize,
    lo: Real,
    hi: Real,
) -> impl Strategy<Value = Matrix> {
    (1..=max_rows.max(1), 1..=max_cols.max(1)).prop_flat_map(move |(r, c)| matrix(r, c, lo, hi))
}

/// A length-`n` vector with elements in `[lo, hi]`.
pub fn vector(n: usize, lo: Real, hi: Real) -> impl Strategy<Value = Vector> {
    proptest::collection::vec(lo..=hi, n).prop_map(Vector::from_vec)
}

/// A matrix whose elements are at least `gap` away from every point of `kinks`, in `[lo, hi]`
/// (to keep samples off the kinks of ReLU, leaky ReLU and hard sigmoid in gradient checks).
pub fn matrix_avoiding(
    rows: usize,
    cols: usize,
    lo: Real,
    hi: Real,
    kinks: &'static [Real],
    gap: Real,
) -> impl Strategy<Value = Matrix> {
    matrix(rows, cols, lo, hi).prop_map(move |mut m| {
        for x in m.iter_mut() {
            *x = push_off_kinks(*x, kinks, gap);
        }
        m
    })
}

/// Moves `x` to at least `gap` away from every kink (deterministically, away from the nearest
/// kink in the direction `x` already lies).
pub fn push_off_kinks(mut x: Real, kinks: &[Real], gap: Real) -> Real {
    for _ in 0..kinks.len() + 1 {
        match kinks.iter().find(|&&k| (x - k).abs() < gap) {
            None => return x,
            Some(&k) => x = if x >= k { k + gap } else { k - gap },
        }
    }
    x
}

/// Any activation (ELU and leaky ReLU with random parameters in `[0.05, 2]` and `[0.01, 0.5]`).
pub fn activation() -> impl Strategy<Value = Activation> {
    prop_oneof![
        Just(Activation::Identity),
        Just(Activation::Sigmoid),
        Just(Activation::Tanh),
        Just(Activation::Relu),
        (0.01..0.5f64).prop_map(|slope| Activation::LeakyRelu { slope }),
        Just(Activation::Softplus),
        (0.05..2.0f64).prop_map(|alpha| Activation::Elu { alpha }),
        Just(Activation::HardSigmoid),
    ]
}

/// A seed for `rand_chacha::ChaCha8Rng::seed_from_u64`.
pub fn seed() -> impl Strategy<Value = u64> {
    any::<u64>()
}
