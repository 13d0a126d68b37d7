//! Shared helpers of the integration tests.

use nalgebra::{DMatrix, DVector};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal, Uniform};

/// Seeded generator.
pub fn rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

/// A random symmetric positive-definite matrix `Q diag(λ) Qᵀ` with eigenvalues in `[lo, hi]`,
/// its eigenvalues, and a random vector `b`.
pub fn random_quadratic(d: usize, lo: f64, hi: f64, seed: u64) -> (DMatrix<f64>, DVector<f64>) {
    let mut r = rng(seed);
    let g = DMatrix::<f64>::from_fn(d, d, |_, _| StandardNormal.sample(&mut r));
    let q = g.qr().q();
    let u = Uniform::new_inclusive(lo, hi).expect("valid range");
    let lam = DVector::<f64>::from_fn(d, |_, _| u.sample(&mut r));
    let a = &q * DMatrix::from_diagonal(&lam) * q.transpose();
    let a = (&a + a.transpose()) * 0.5;
    let b = DVector::<f64>::from_fn(d, |_, _| StandardNormal.sample(&mut r));
    (a, b)
}
