//! Nonlinear Hebbian learning (Brito & Gerstner 2016, PLoS Comput Biol 12:e1005070): a neuron
//! with output `y = wᵀx` and the plasticity rule
//!
//! ```text
//! Δw = η x f(wᵀx),   ‖w‖ held at 1 ,
//! ```
//!
//! learns localised, oriented receptive fields from whitened natural images for a wide range of
//! nonlinearities `f` (the paper's "unifying principle"). On whitened input (`E[xxᵀ] = I`)
//! with normalised weights, the rule is gradient ascent on the sphere of the objective
//!
//! ```text
//! J(w) = E[F(wᵀx)],   F′ = f ,
//! ```
//!
//! because `∇J = E[x f(wᵀx)]` and the renormalisation removes the radial part to first order
//! (the tangent step `(I − wwᵀ) E[x f(wᵀx)]`). Many neurons learn different features when they
//! are kept decorrelated; as in the paper's network version, we apply the symmetric
//! decorrelation `W ← (WWᵀ)^{−1/2}W` after each step (on white input this is the lateral
//! inhibition that keeps outputs uncorrelated). The input is the PCA-whitened patch
//! `z = D_k^{−1/2}E_kᵀ(x − μ)` shared with ICA and ISA.

use serde::{Deserialize, Serialize};

use super::ica::{PcaWhitening, random_orthogonal, symmetric_decorrelation};
use super::sparse_coding::at_least;
use crate::local::check;
use crate::{PlasticityError, Result};
use neurograd_tensor::{Matrix, Real, Vector};

/// The postsynaptic nonlinearity `f`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum HebbNonlinearity {
    /// `f(u) = u³`, `F(u) = u⁴/4` (kurtosis).
    Cube,
    /// `f(u) = max(u, 0)²`, `F(u) = max(u, 0)³/3` (a rectified, supralinear rate neuron).
    RectifiedQuadratic,
}

impl HebbNonlinearity {
    /// `f(u)`.
    pub fn f(self, u: Real) -> Real {
        match self {
            HebbNonlinearity::Cube => u * u * u,
            HebbNonlinearity::RectifiedQuadratic => u.max(0.0).powi(2),
        }
    }

    /// `F(u)` with `F′ = f`, `F(0) = 0`.
    pub fn antiderivative(self, u: Real) -> Real {
        match self {
            HebbNonlinearity::Cube => 0.25 * u.powi(4),
            HebbNonlinearity::RectifiedQuadratic => u.max(0.0).powi(3) / 3.0,
        }
    }
}

/// Settings of the nonlinear Hebbian network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NonlinearHebbConfig {
    /// Components `k` kept by the whitening (= number of neurons).
    pub components: usize,
    /// Nonlinearity.
    pub nonlinearity: HebbNonlinearity,
    /// Full-batch steps.
    pub steps: usize,
    /// Learning rate `η`.
    pub learning_rate: Real,
    /// Seed of the random orthogonal start.
    pub seed: u64,
}

impl NonlinearHebbConfig {
    /// `components` neurons, cubic `f`, 200 steps of `η = 0.05`, seed 0.
    pub fn new(components: usize) -> Self {
        Self {
            components,
            nonlinearity: HebbNonlinearity::Cube,
            steps: 200,
            learning_rate: 0.05,
            seed: 0,
        }
    }

    /// Checks the fields.
    ///
    /// # Errors
    /// [`PlasticityError::InvalidParameter`] naming the first bad field.
    pub fn check(&self) -> Result<()> {
        at_least("components", self.components, 1)?;
        at_least("steps", self.steps, 1)?;
        check::positive("learning_rate", self.learning_rate).map(|_| ())
    }
}

/// A trained nonlinear Hebbian network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NonlinearHebb {
    /// The whitening.
    pub whitening: PcaWhitening,
    /// Orthonormal weights in whitened space (`k × k`), one neuron per row.
    pub weights: Matrix,
    /// `Σ_i J(w_i)` after each step.
    pub objective: Vec<Real>,
}

impl NonlinearHebb {
    /// Receptive fields in pixel space, one per row (`W K`).
    pub fn filters(&self) -> Matrix {
        self.whitening.pixel_filters(&self.weights)
    }

    /// Basis vectors in pixel space, one per row (`(K⁺Wᵀ)ᵀ`).
    pub fn basis(&self) -> Matrix {
        self.whitening.pixel_basis(&self.weights)
    }
}

/// The Hebbian term `E[f(w_iᵀz) z]` for every row of `w` (`m × k`) over whitened columns `z`
/// (`k × n`), as rows (`m × k`), and `Σ_i E[F(w_iᵀz)]`.
///
/// # Errors
/// Shape mismatch of `w` and `z`, non-finite input.
pub fn hebbian_term(w: &Matrix, z: &Matrix, f: HebbNonlinearity) -> Result<(Matrix, Real)> {
    check::shape("hebbian_term: weights", w, (w.nrows(), z.nrows()))?;
    check::non_empty("hebbian_term samples", z.ncols())?;
    check::finite_matrix("weights", w)?;
    check::finite_matrix("samples", z)?;
    Ok(hebbian_unchecked(w, z, f))
}

fn hebbian_unchecked(w: &Matrix, z: &Matrix, f: HebbNonlinearity) -> (Matrix, Real) {
    let n = z.ncols() as Real;
    let mut y = w * z;
    let mut obj = 0.0;
    for v in y.iter_mut() {
        obj += f.antiderivative(*v);
        *v = f.f(*v);
    }
    ((y * z.transpose()) / n, obj / n)
}

/// One neuron's weight change `Δw = η E[x f(wᵀx)]` followed by renormalisation to `‖w‖ = 1`
/// (the single-neuron rule of the module docs), on samples `x` as columns (`k × n`).
///
/// # Errors
/// Shape mismatch, non-finite input, a zero weight vector, `η <= 0`.
pub fn step_single(w: &Vector, x: &Matrix, f: HebbNonlinearity, eta: Real) -> Result<Vector> {
    check::positive("learning_rate", eta)?;
    let row = Matrix::from_row_slice(1, w.len(), w.as_slice());
    let (h, _) = hebbian_term(&row, x, f)?;
    let next = w + h.transpose().column(0) * eta;
    let norm = next.norm();
    if norm.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
        return Err(PlasticityError::InvalidParameter {
            name: "weights",
            value: "zero".to_string(),
            reason: "cannot normalise a zero weight vector".to_string(),
        });
    }
    Ok(next / norm)
}

/// Trains the network on `x` (`n × d_pixels`, one patch per row).
///
/// # Errors
/// Invalid settings, rank-deficient or non-finite data, [`PlasticityError::Diverged`].
pub fn fit(x: &Matrix, cfg: &NonlinearHebbConfig) -> Result<NonlinearHebb> {
    cfg.check()?;
    let whitening = PcaWhitening::fit(x, cfg.components)?;
    let z = whitening.transform_columns(x)?;
    let mut w = random_orthogonal(cfg.components, cfg.seed)?;
    let mut objective = Vec::with_capacity(cfg.steps);
    for step in 0..cfg.steps {
        let (h, j) = hebbian_unchecked(&w, &z, cfg.nonlinearity);
        if !j.is_finite() {
            return Err(PlasticityError::Diverged {
                what: "the nonlinear Hebbian objective".into(),
                step: step + 1,
                norm: j,
            });
        }
        objective.push(j);
        w = symmetric_decorrelation(&(w + h * cfg.learning_rate))?;
    }
    Ok(NonlinearHebb {
        whitening,
        weights: w,
        objective,
    })
}
