//! Seeded synthetic data generators, value-stable across platforms and versions.
//!
//! Every generator takes a `seed: u64` and draws from the ChaCha8 stream
//! `ChaCha8Rng::seed_from_u64(seed)` + `set_stream(k)` through the primitives of [`crate::rng`]
//! (k = 0 unless stated; the dead-leaves image `i` uses `k = i`). The tests pin the first outputs
//! of each generator, so a change of any output is a visible, deliberate change.
//!
//! | generator | output | source |
//! |---|---|---|
//! | [`xor`], [`xor_table`] | 2-D, 2 classes | Minsky & Papert (1969) |
//! | [`blobs`] | isotropic Gaussian clusters | as scikit-learn's `make_blobs` |
//! | [`moons`] | two interleaved half circles | as scikit-learn's `make_moons` |
//! | [`circles`] | two concentric circles | as scikit-learn's `make_circles` |
//! | [`spirals`] | k interleaved spiral arms | Lang & Witbrock (1988) two-spirals task |
//! | [`linear_teacher`] | regression with known weights | student–teacher setting (Gardner 1988) |
//! | [`mlp_teacher`] | a random tanh network's outputs | student–teacher setting (Saad & Solla 1995) |
//! | [`bars`] | Földiák's bars | Földiák (1990) |
//! | [`gaussian_with_covariance`], [`gaussian_with_spectrum`] | zero-mean Gaussian data | for PCA, Oja (1982), Sanger (1989) checks |
//! | [`DeadLeaves`], [`sample_patches`] | natural-image-like images and patches | Matheron (1968); Lee, Mumford & Huang (2001) |
//! | [`sequence`] | time series for recurrent/spiking nets: evidence accumulation, pattern generation, Randman | Bellec et al. (2020); Zenke & Vogels (2021) |

mod bars;
mod dead_leaves;
mod gaussian;
pub mod sequence;
mod shapes;
mod teacher;

pub use bars::{Bars, bars};
pub use dead_leaves::{DeadLeaves, radial_power_spectrum, sample_patches};
pub use gaussian::{SpectrumGaussian, gaussian_with_covariance, gaussian_with_spectrum};
pub use shapes::{blobs, circles, moons, spirals, xor, xor_table};
pub use teacher::{LinearTeacher, MlpTeacher, linear_teacher, mlp_teacher};

use crate::{DataError, Result};
use neurograd_tensor::Real;

/// Checks `n >= 1`.
pub(crate) fn check_count(name: &'static str, n: usize) -> Result<()> {
    if n == 0 {
        return Err(DataError::invalid(name, 0, "must be at least 1"));
    }
    Ok(())
}

/// Checks that a standard deviation / scale is finite and `>= 0`.
pub(crate) fn check_nonneg(name: &'static str, v: Real) -> Result<()> {
    if !(v.is_finite() && v >= 0.0) {
        return Err(DataError::invalid(name, v, "must be finite and >= 0"));
    }
    Ok(())
}
