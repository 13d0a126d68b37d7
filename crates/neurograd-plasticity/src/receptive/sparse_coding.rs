//! Sparse coding of image patches (Olshausen & Field 1996, Nature 381:607–609; 1997, Vision Res
//! 37:3311–3325) with L1 inference by ISTA, FISTA (Beck & Teboulle 2009, SIAM J Imaging Sci
//! 2:183–202) or the locally competitive algorithm (LCA; Rozell, Johnson, Baraniuk & Olshausen
//! 2008, Neural Comput 20:2526–2563).
//!
//! **Model.** A patch `x ∈ ℝᵈ` is explained as `x ≈ Φa` by a dictionary `Φ ∈ ℝ^{d×M}` with
//! unit-norm columns (atoms) and sparse coefficients `a ∈ ℝᴹ` minimising the energy
//!
//! ```text
//! E(a) = ½‖x − Φa‖² + λ‖a‖₁ .
//! ```
//!
//! **Inference** (a batch of `B` patches at once, rows of `X`, codes rows of `A`):
//! - ISTA: `a ← S_{sλ/L}(a − (s/L) Φᵀ(Φa − x))`, `L = ‖Φ‖₂² = λ_max(ΦᵀΦ)`, step scale `s`
//!   (converges for `0 < s < 2`; `s = 1` by default), with the soft threshold
//!   `S_τ(u) = sign(u) max(|u| − τ, 0)`; the energy never increases for `s ≤ 1`.
//! - FISTA: the same proximal step at the extrapolated point
//!   `y = a_k + ((t_{k−1} − 1)/t_k)(a_k − a_{k−1})`, `t_k = (1 + √(1 + 4t_{k−1}²))/2`, `t_0 = 1`;
//!   `E(a_k) − E* = O(1/k²)`.
//! - LCA: `τ u̇ = Φᵀx − u − (ΦᵀΦ − I)a`, `a = T_λ(u)`, integrated by Euler steps of size
//!   `dt/τ`; the soft threshold `T = S_λ` makes its fixed points the L1 minimisers (at a fixed
//!   point `u − a = Φᵀ(x − Φa)`, which is the KKT condition below), a hard threshold
//!   (`T_λ(u) = u·1[|u| > λ]`) gives an ℓ0-like code.
//!
//! **Optimality (KKT).** `a*` minimises `E` iff, with the residual `r = x − Φa*`,
//! `|φ_iᵀr| ≤ λ` where `a*_i = 0` and `φ_iᵀr = λ sign(a*_i)` elsewhere; [`kkt_violation`]
//! measures the largest violation relative to `λ`.
//!
//! **Dictionary update** (batch mean, then every column renormalised to `‖φ_i‖ = 1`, without
//! which the L1 penalty is evaded by growing `‖φ‖` and shrinking `a`):
//!
//! ```text
//! Φ ← Φ + η (1/B) Σ_b (x_b − Φâ_b) â_bᵀ ,   φ_i ← φ_i / ‖φ_i‖ .
//! ```
//!
//! On 1/f-whitened natural patches the atoms become localised, oriented, band-pass filters
//! (Gabor-like); on white noise they do not. `docs/v1.md` records the measured fractions.

use nalgebra::SymmetricEigen;
use rand::SeedableRng;
use rand::seq::index::sample as sample_indices;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::local::check;
use crate::{PlasticityError, Result};
use neurograd_tensor::seed::mix;
use neurograd_tensor::{Matrix, Real};

/// Soft threshold `S_τ(u) = sign(u) max(|u| − τ, 0)`.
pub fn soft_threshold(u: Real, tau: Real) -> Real {
    if u > tau {
        u - tau
    } else if u < -tau {
        u + tau
    } else {
        0.0
    }
}

/// Hard threshold `u·1[|u| > τ]`.
pub fn hard_threshold(u: Real, tau: Real) -> Real {
    if u.abs() > tau { u } else { 0.0 }
}

/// The thresholding of LCA.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Threshold {
    /// `S_λ`: the L1 code (fixed points minimise `E`).
    Soft,
    /// `u·1[|u| > λ]`: an ℓ0-like code (Rozell et al. 2008), not an L1 minimiser.
    Hard,
}

/// The inference algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Inference {
    /// Iterative shrinkage-thresholding.
    Ista,
    /// Fast ISTA with Nesterov momentum (Beck & Teboulle 2009).
    Fista,
    /// The locally competitive algorithm (Rozell et al. 2008).
    Lca {
        /// Euler step `dt/τ` in `(0, 1]`.
        dt: Real,
        /// Soft (L1) or hard threshold.
        threshold: Threshold,
    },
}

/// Inference settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct InferenceConfig {
    /// Algorithm.
    pub method: Inference,
    /// Sparsity weight `λ > 0`.
    pub lambda: Real,
    /// Iterations (`>= 1`).
    pub iterations: usize,
    /// ISTA/FISTA step `s/L` scale `s > 0` (1 by default; ISTA diverges for `s > 2`). Ignored by
    /// LCA.
    pub step_scale: Real,
}

impl InferenceConfig {
    /// `iterations` of `method` with sparsity `lambda` and step scale 1.
    pub fn new(method: Inference, lambda: Real, iterations: usize) -> Self {
        Self {
            method,
            lambda,
            iterations,
            step_scale: 1.0,
        }
    }

    /// Checks `λ > 0`, `iterations >= 1`, `s > 0`, and LCA's `dt ∈ (0, 1]`.
    ///
    /// # Errors
    /// [`PlasticityError::InvalidParameter`] naming the first bad field.
    pub fn check(&self) -> Result<()> {
        check::positive("lambda", self.lambda)?;
        check::positive("step_scale", self.step_scale)?;
        at_least("iterations", self.iterations, 1)?;
        if let Inference::Lca { dt, .. } = self.method
            && !(dt.is_finite() && dt > 0.0 && dt <= 1.0)
        {
            return Err(PlasticityError::InvalidParameter {
                name: "dt",
                value: dt.to_string(),
                reason: "LCA step dt/tau must lie in (0, 1]".to_string(),
            });
        }
        Ok(())
    }
}

pub(crate) fn at_least(name: &'static str, value: usize, min: usize) -> Result<()> {
    if value < min {
        return Err(PlasticityError::InvalidParameter {
            name,
            value: value.to_string(),
            reason: format!("must be >= {min}"),
        });
    }
    Ok(())
}

/// Codes of a batch and, if asked for, the mean energy after each iteration.
#[derive(Debug, Clone, PartialEq)]
pub struct Codes {
    /// Coefficients, one row per patch (`B × M`).
    pub codes: Matrix,
    /// Mean energy `E` over the batch after each iteration (empty unless traced).
    pub energy: Vec<Real>,
}

fn check_dictionary(dict: &Matrix, x: &Matrix) -> Result<()> {
    check::non_empty("dictionary atoms", dict.ncols())?;
    check::non_empty("patches", x.nrows())?;
    if dict.nrows() != x.ncols() {
        return Err(PlasticityError::ShapeMismatch {
            op: "sparse coding: patches (B x d) vs dictionary (d x M)",
            expected: (x.nrows(), dict.nrows()),
            got: x.shape(),
        });
    }
    check::finite_matrix("dictionary", dict)?;
    check::finite_matrix("patches", x)
}

/// Largest eigenvalue of `ΦᵀΦ` (the Lipschitz constant `L` of the smooth part's gradient),
/// from the smaller of the two Gram matrices.
pub fn lipschitz(dict: &Matrix) -> Real {
    let gram = if dict.nrows() <= dict.ncols() {
        dict * dict.transpose()
    } else {
        dict.transpose() * dict
    };
    SymmetricEigen::new(gram)
        .eigenvalues
        .iter()
        .copied()
        .fold(0.0, Real::max)
}

/// Mean energy `½‖x − Φa‖² + λ‖a‖₁` over the rows of `x` (patches) and `a` (codes).
///
/// # Errors
/// Shape mismatches, non-finite input.
pub fn energy(dict: &Matrix, x: &Matrix, a: &Matrix, lambda: Real) -> Result<Real> {
    check_dictionary(dict, x)?;
    check::shape("sparse coding energy: codes", a, (x.nrows(), dict.ncols()))?;
    Ok(energy_unchecked(dict, x, a, lambda))
}

fn energy_unchecked(dict: &Matrix, x: &Matrix, a: &Matrix, lambda: Real) -> Real {
    let r = x - a * dict.transpose();
    (0.5 * r.norm_squared() + lambda * a.iter().map(|v| v.abs()).sum::<Real>()) / x.nrows() as Real
}

/// Largest KKT violation of codes `a` for patches `x`, relative to `λ`:
/// `max_i` over inactive `|φ_iᵀr| − λ` (positive part) and over active `|φ_iᵀr − λ sign(a_i)|`,
/// divided by `λ` (0 at an exact L1 minimiser).
///
/// # Errors
/// Shape mismatches, non-finite input, `λ <= 0`.
pub fn kkt_violation(dict: &Matrix, x: &Matrix, a: &Matrix, lambda: Real) -> Result<Real> {
    check_dictionary(dict, x)?;
    check::positive("lambda", lambda)?;
    check::shape("kkt_violation: codes", a, (x.nrows(), dict.ncols()))?;
    let corr = (x - a * dict.transpose()) * dict;
    let mut worst: Real = 0.0;
    for (c, ai) in corr.iter().zip(a.iter()) {
        let v = if *ai == 0.0 {
            (c.abs() - lambda).max(0.0)
        } else {
            (c - lambda * ai.signum()).abs()
        };
        worst = worst.max(v);
    }
    Ok(worst / lambda)
}

/// Infers the codes of the patches `x` (`B × d`, one per row) under `dict` (`d × M`, atoms as
/// columns), starting from zero. With `trace`, records the mean energy after every iteration.
///
/// # Errors
/// Invalid settings, shape mismatches, non-finite input, and [`PlasticityError::Diverged`] if
/// the codes become non-finite (a step scale above 2).
pub fn infer(dict: &Matrix, x: &Matrix, cfg: &InferenceConfig, trace: bool) -> Result<Codes> {
    cfg.check()?;
    check_dictionary(dict, x)?;
    let gram = dict.transpose() * dict;
    let l = lipschitz(dict);
    if l.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
        return Err(PlasticityError::InvalidParameter {
            name: "dictionary",
            value: "all zero".to_string(),
            reason: "needs a non-zero atom".to_string(),
        });
    }
    let mut inf = Inferer::new(dict, gram, l, x.nrows());
    inf.run(dict, x, cfg, trace)
}

/// Reusable buffers of one batch's inference (no allocation per iteration).
struct Inferer {
    gram: Matrix,
    l: Real,
    drive: Matrix,
    a: Matrix,
    prev: Matrix,
    y: Matrix,
    grad: Matrix,
}

impl Inferer {
    fn new(dict: &Matrix, gram: Matrix, l: Real, b: usize) -> Self {
        let m = dict.ncols();
        Self {
            gram,
            l,
            drive: Matrix::zeros(b, m),
            a: Matrix::zeros(b, m),
            prev: Matrix::zeros(b, m),
            y: Matrix::zeros(b, m),
            grad: Matrix::zeros(b, m),
        }
    }

    fn run(
        &mut self,
        dict: &Matrix,
        x: &Matrix,
        cfg: &InferenceConfig,
        trace: bool,
    ) -> Result<Codes> {
        let lambda = cfg.lambda;
        // drive = X Φ (B × M): Φᵀx for every patch.
        self.drive.gemm(1.0, x, dict, 0.0);
        self.a.fill(0.0);
        let mut energy = Vec::with_capacity(if trace { cfg.iterations } else { 0 });
        match cfg.method {
            Inference::Ista | Inference::Fista => {
                let step = cfg.step_scale / self.l;
                let fista = matches!(cfg.method, Inference::Fista);
                let mut t: Real = 1.0;
                self.y.fill(0.0);
                for _ in 0..cfg.iterations {
                    // gradient of ½‖x − Φy‖² at y: (ΦᵀΦ)y − Φᵀx, row-wise y G − X Φ.
                    let point = if fista { &self.y } else { &self.a };
                    self.grad.gemm(1.0, point, &self.gram, 0.0);
                    self.grad -= &self.drive;
                    std::mem::swap(&mut self.prev, &mut self.a);
                    let point = if fista { &self.y } else { &self.prev };
                    for ((ai, p), g) in self.a.iter_mut().zip(point.iter()).zip(self.grad.iter()) {
                        *ai = soft_threshold(p - step * g, step * lambda);
                    }
                    if fista {
                        let t_next = 0.5 * (1.0 + (1.0 + 4.0 * t * t).sqrt());
                        let beta = (t - 1.0) / t_next;
                        for ((yi, ai), pi) in
                            self.y.iter_mut().zip(self.a.iter()).zip(self.prev.iter())
                        {
                            *yi = ai + beta * (ai - pi);
                        }
                        t = t_next;
                    }
                    if trace {
                        energy.push(energy_unchecked(dict, x, &self.a, lambda));
                    }
                }
            }
            Inference::Lca { dt, threshold } => {
                // u: membrane potentials (kept in `y`); a = T(u).
                self.y.fill(0.0);
                for _ in 0..cfg.iterations {
                    // inhibition (ΦᵀΦ − I)a = a G − a
                    self.grad.gemm(1.0, &self.a, &self.gram, 0.0);
                    self.grad -= &self.a;
                    for ((u, d), g) in self
                        .y
                        .iter_mut()
                        .zip(self.drive.iter())
                        .zip(self.grad.iter())
                    {
                        *u += dt * (d - *u - g);
                    }
                    for (ai, u) in self.a.iter_mut().zip(self.y.iter()) {
                        *ai = match threshold {
                            Threshold::Soft => soft_threshold(*u, lambda),
                            Threshold::Hard => hard_threshold(*u, lambda),
                        };
                    }
                    if trace {
                        energy.push(energy_unchecked(dict, x, &self.a, lambda));
                    }
                }
            }
        }
        if let Some(i) = self.a.iter().position(|v| !v.is_finite()) {
            return Err(PlasticityError::Diverged {
                what: "the sparse-coding coefficients (inference)".into(),
                step: cfg.iterations,
                norm: self.a[i],
            });
        }
        Ok(Codes {
            codes: self.a.clone(),
            energy,
        })
    }
}

/// Settings of dictionary learning.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SparseCodingConfig {
    /// Number of atoms `M`.
    pub atoms: usize,
    /// Inference per batch.
    pub inference: InferenceConfig,
    /// Patches per batch `B`.
    pub batch_size: usize,
    /// Number of batches (dictionary updates).
    pub batches: usize,
    /// Learning rate `η` of the first half of training.
    pub learning_rate: Real,
    /// Learning rate of the second half (the reference's calibration lowers 1.0 to 0.33).
    pub final_learning_rate: Real,
    /// Seed of the initial dictionary and of the batch draws.
    pub seed: u64,
}

impl Default for SparseCodingConfig {
    /// 64 atoms, FISTA with `λ = 0.15` and 50 iterations, 2000 batches of 100, `η = 1.0` then
    /// `0.33` (the reference's calibration for data with variance 0.1), seed 0.
    fn default() -> Self {
        Self {
            atoms: 64,
            inference: InferenceConfig::new(Inference::Fista, 0.15, 50),
            batch_size: 100,
            batches: 2000,
            learning_rate: 1.0,
            final_learning_rate: 0.33,
            seed: 0,
        }
    }
}

impl SparseCodingConfig {
    /// Checks every field.
    ///
    /// # Errors
    /// [`PlasticityError::InvalidParameter`] naming the first bad field.
    pub fn check(&self) -> Result<()> {
        self.inference.check()?;
        at_least("atoms", self.atoms, 1)?;
        at_least("batch_size", self.batch_size, 1)?;
        at_least("batches", self.batches, 1)?;
        check::positive("learning_rate", self.learning_rate)?;
        check::positive("final_learning_rate", self.final_learning_rate)?;
        Ok(())
    }
}

/// A learned dictionary and its training statistics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SparseCoding {
    /// Atoms as columns (`d × M`), unit norm.
    pub dictionary: Matrix,
    /// Reconstruction SNR `10 log₁₀(‖X‖²/‖X − AΦᵀ‖²)` (dB) of the last batch.
    pub final_snr_db: Real,
    /// Fraction of non-zero coefficients in the last batch.
    pub final_active_fraction: Real,
}

impl SparseCoding {
    /// The atoms as rows (`M × d`), the form the Gabor fitter and the figures take.
    pub fn filters(&self) -> Matrix {
        self.dictionary.transpose()
    }
}

/// Normalises every column of `m` to unit Euclidean norm (a zero column is left as it is).
pub fn normalise_columns(m: &mut Matrix) {
    for mut c in m.column_iter_mut() {
        let n = c.norm();
        if n > 0.0 {
            c /= n;
        }
    }
}

/// A `d × m` matrix of independent standard normal entries with unit-norm columns, from `seed`.
pub fn random_unit_columns(d: usize, m: usize, seed: u64) -> Matrix {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut out = Matrix::from_fn(d, m, |_, _| {
        rand_distr::Distribution::<Real>::sample(&rand_distr::StandardNormal, &mut rng)
    });
    normalise_columns(&mut out);
    out
}

/// Learns a dictionary from `patches` (`n × d`, one patch per row; pre-whitened, mean removed)
/// by alternating inference on a random batch and the normalised gradient step (module docs).
/// Batches are drawn without replacement within a batch from the stream `mix(seed, 1, t)`.
///
/// # Errors
/// Invalid settings, empty or non-finite patches, divergence.
pub fn learn(patches: &Matrix, cfg: &SparseCodingConfig) -> Result<SparseCoding> {
    cfg.check()?;
    check::non_empty("patches", patches.nrows())?;
    check::non_empty("patch pixels", patches.ncols())?;
    check::finite_matrix("patches", patches)?;
    let (n, d) = patches.shape();
    let b = cfg.batch_size.min(n);
    let mut dict = random_unit_columns(d, cfg.atoms, mix(cfg.seed, 0, 0));
    let mut x = Matrix::zeros(b, d);
    let mut recon = Matrix::zeros(b, d);
    let mut grad = Matrix::zeros(d, cfg.atoms);
    let (mut snr, mut active) = (0.0, 0.0);
    for t in 0..cfg.batches {
        let mut rng = ChaCha8Rng::seed_from_u64(mix(cfg.seed, 1, t as u64));
        for (r, i) in sample_indices(&mut rng, n, b).into_iter().enumerate() {
            x.set_row(r, &patches.row(i));
        }
        let gram = dict.transpose() * &dict;
        let l = lipschitz(&dict);
        let codes = Inferer::new(&dict, gram, l, b).run(&dict, &x, &cfg.inference, false)?;
        let a = codes.codes;
        // residual R = X − A Φᵀ (B × d); gradient step Φ += η/B · Rᵀ A.
        recon.gemm(1.0, &a, &dict.transpose(), 0.0);
        let resid = &x - &recon;
        grad.gemm(1.0, &resid.transpose(), &a, 0.0);
        let eta = if 2 * t < cfg.batches {
            cfg.learning_rate
        } else {
            cfg.final_learning_rate
        };
        dict += &grad * (eta / b as Real);
        normalise_columns(&mut dict);
        if let Some(i) = dict.iter().position(|v| !v.is_finite()) {
            return Err(PlasticityError::Diverged {
                what: "the sparse-coding dictionary".into(),
                step: t + 1,
                norm: dict[i],
            });
        }
        snr = 10.0 * (x.norm_squared() / resid.norm_squared().max(Real::MIN_POSITIVE)).log10();
        active = a.iter().filter(|v| **v != 0.0).count() as Real / a.len() as Real;
    }
    Ok(SparseCoding {
        dictionary: dict,
        final_snr_db: snr,
        final_active_fraction: active,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds() {
        assert_eq!(soft_threshold(2.0, 0.5), 1.5);
        assert_eq!(soft_threshold(-2.0, 0.5), -1.5);
        assert_eq!(soft_threshold(0.3, 0.5), 0.0);
        assert_eq!(hard_threshold(0.6, 0.5), 0.6);
        assert_eq!(hard_threshold(-0.4, 0.5), 0.0);
    }

    #[test]
    fn lipschitz_of_orthonormal_is_one() {
        let q = Matrix::identity(5, 5);
        assert!((lipschitz(&q) - 1.0).abs() < 1e-12);
        let scaled = &q * 3.0;
        assert!((lipschitz(&scaled) - 9.0).abs() < 1e-12);
    }
}
