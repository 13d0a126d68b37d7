//! Shared data generators for the local-rule tests (seeded, ChaCha8).

use nalgebra::DMatrix;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

pub type M = DMatrix<f64>;

pub fn rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

pub fn gaussian(rows: usize, cols: usize, rng: &mut ChaCha8Rng) -> M {
    M::from_fn(rows, cols, |_, _| StandardNormal.sample(rng))
}

/// A random rotation (Q of a Gaussian matrix's QR).
pub fn rotation(n: usize, rng: &mut ChaCha8Rng) -> M {
    gaussian(n, n, rng).qr().q()
}

/// `n` zero-mean Gaussian samples (rows) with covariance `R diag(eigs) Rᵀ`; returns
/// (samples, covariance, eigenvectors as rows in descending eigenvalue order).
pub fn spectrum_data(eigs: &[f64], n: usize, seed: u64) -> (M, M, M) {
    let mut r = rng(seed);
    let d = eigs.len();
    let q = rotation(d, &mut r);
    let z = gaussian(n, d, &mut r);
    let scale = M::from_fn(d, d, |i, j| if i == j { eigs[i].sqrt() } else { 0.0 });
    let x = z * scale * q.transpose();
    let cov = &q * M::from_fn(d, d, |i, j| if i == j { eigs[i] } else { 0.0 }) * q.transpose();
    (x, cov, q.transpose())
}

pub fn rel(a: &M, b: &M) -> f64 {
    (a - b).norm() / b.norm().max(1e-300)
}
