//! Evolution strategies as gradient estimators (theory reference section 14; Salimans et al.
//! 2017; Nesterov & Spokoiny 2017 for Gaussian smoothing).
//!
//! For `F_σ(θ) = E_{ε~N(0,I)} F(θ + σε)` the score-function identity gives
//! `∇F_σ(θ) = (1/σ) E[F(θ + σε) ε]`. Estimators with `n` directions:
//!
//! * one-sided: `ĝ = 1/(nσ) Σᵢ F(θ + σεᵢ) εᵢ` (`n` evaluations);
//! * antithetic: `ĝ = 1/(2nσ) Σᵢ [F(θ + σεᵢ) − F(θ − σεᵢ)] εᵢ` (`2n` evaluations).
//!
//! Both are unbiased for `∇F_σ`, which equals `∇F` for quadratic `F`. For linear `F` (or the
//! antithetic estimator on quadratic `F`) `E‖ĝ‖² = ‖g‖²(1 + (d + 1)/n)`, hence the mean cosine
//! with the true gradient is about `√(n/(n + d + 1))` ([`predicted_cosine`]); for `n = 1` it is
//! exactly `E|u₁| = Γ(d/2)/(√π Γ((d + 1)/2))` ([`exact_cosine_one_direction`]).
//!
//! Direction `i` is drawn from `ChaCha8Rng::seed_from_u64(seed)` on stream `i`, so a worker
//! that knows `(seed, i)` regenerates `εᵢ` exactly (shared-seed communication of Salimans et
//! al.), and the result does not depend on the number of threads.

use crate::par::*;
use crate::{OptimError, Result};
use neurograd_tensor::geometry::cosine;
use neurograd_tensor::{Real, Vector};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

/// Which ES gradient estimator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EsEstimator {
    /// `F(θ + σε) ε / σ` per direction.
    OneSided,
    /// `[F(θ + σε) − F(θ − σε)] ε / (2σ)` per direction.
    Antithetic,
}

/// The perturbation direction `εᵢ` of a seeded estimate (stream `i` of ChaCha8 seeded by `seed`).
pub fn direction(dim: usize, seed: u64, i: u64) -> Vector {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(i);
    Vector::from_fn(dim, |_, _| StandardNormal.sample(&mut rng))
}

fn check(theta: &[Real], sigma: Real, n: usize) -> Result<()> {
    super::check_x0(theta)?;
    super::check_sigma("sigma", sigma)?;
    if n == 0 {
        return Err(OptimError::InvalidParameter {
            name: "n",
            value: "0".into(),
            reason: "need at least one direction".into(),
        });
    }
    Ok(())
}

/// The per-direction terms `tᵢ` whose mean is the estimate (for variance studies):
/// one-sided `tᵢ = F(θ + σεᵢ) εᵢ/σ`, antithetic `tᵢ = [F(θ + σεᵢ) − F(θ − σεᵢ)] εᵢ/(2σ)`.
/// Evaluations run in parallel (rayon); the result is independent of the thread count.
///
/// # Errors
/// Dimension 0, NaN/Inf `θ`, `σ <= 0`, `n = 0`; [`OptimError::NonFiniteFitness`] if `f`
/// returns NaN/Inf (candidate = direction index, generation 0).
pub fn es_gradient_terms<F>(
    f: F,
    theta: &[Real],
    sigma: Real,
    n: usize,
    estimator: EsEstimator,
    seed: u64,
) -> Result<Vec<Vector>>
where
    F: Fn(&[Real]) -> Real + Sync,
{
    check(theta, sigma, n)?;
    let th = Vector::from_column_slice(theta);
    let d = theta.len();
    (0..n)
        .into_par_iter()
        .map(|i| {
            let eps = direction(d, seed, i as u64);
            let xp = &th + &eps * sigma;
            let fp = f(xp.as_slice());
            let coef = match estimator {
                EsEstimator::OneSided => fp / sigma,
                EsEstimator::Antithetic => {
                    let xm = &th - &eps * sigma;
                    let fm = f(xm.as_slice());
                    if !fm.is_finite() {
                        return Err(OptimError::NonFiniteFitness {
                            candidate: i,
                            generation: 0,
                            value: fm,
                        });
                    }
                    (fp - fm) / (2.0 * sigma)
                }
            };
            if !fp.is_finite() {
                return Err(OptimError::NonFiniteFitness {
                    candidate: i,
                    generation: 0,
                    value: fp,
                });
            }
            Ok(eps * coef)
        })
        .collect()
}

/// The ES gradient estimate `ĝ` (mean of [`es_gradient_terms`], summed in index order).
///
/// # Errors
/// As [`es_gradient_terms`].
pub fn es_gradient<F>(
    f: F,
    theta: &[Real],
    sigma: Real,
    n: usize,
    estimator: EsEstimator,
    seed: u64,
) -> Result<Vector>
where
    F: Fn(&[Real]) -> Real + Sync,
{
    let terms = es_gradient_terms(f, theta, sigma, n, estimator, seed)?;
    let mut g = Vector::zeros(theta.len());
    for t in &terms {
        g += t;
    }
    Ok(g / n as Real)
}

/// The ratio-of-moments prediction `√(n/(n + d + 1))` of the mean cosine (theory section 14.4).
pub fn predicted_cosine(n: usize, d: usize) -> Real {
    (n as Real / (n + d + 1) as Real).sqrt()
}

/// The exact mean cosine for one direction, `E|u₁| = Γ(d/2)/(√π Γ((d+1)/2))`, computed by the
/// recurrence `r(d + 2) = d/(d + 1) r(d)` of `r(d) = Γ(d/2)/Γ((d+1)/2)`, `r(1) = √π`,
/// `r(2) = 2/√π`.
pub fn exact_cosine_one_direction(d: usize) -> Real {
    let sqrt_pi = std::f64::consts::PI.sqrt();
    if d == 0 {
        return 0.0;
    }
    let (mut k, mut r) = if !d.is_multiple_of(2) {
        (1usize, sqrt_pi)
    } else {
        (2usize, 2.0 / sqrt_pi)
    };
    while k < d {
        r *= k as Real / (k + 1) as Real;
        k += 2;
    }
    r / sqrt_pi
}

/// Summary of a Monte-Carlo cosine measurement.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CosineStats {
    /// Directions per estimate.
    pub n: usize,
    /// Dimension.
    pub d: usize,
    /// Mean cosine over the trials.
    pub mean: Real,
    /// Its standard error.
    pub standard_error: Real,
    /// `√(n/(n + d + 1))`.
    pub predicted: Real,
}

/// Mean cosine between the ES estimate and `true_gradient` at `theta` over `trials`
/// independent estimates (trial `t` uses seed `seed + t`) — claim 6 of the claims lab.
///
/// # Errors
/// As [`es_gradient_terms`]; [`OptimError::InvalidParameter`] for `trials < 2`;
/// [`OptimError::Tensor`] from [`cosine`] (a zero or mis-sized `true_gradient`, a zero estimate).
#[allow(clippy::too_many_arguments)]
pub fn mean_cosine<F>(
    f: F,
    true_gradient: &Vector,
    theta: &[Real],
    sigma: Real,
    n: usize,
    estimator: EsEstimator,
    trials: usize,
    seed: u64,
) -> Result<CosineStats>
where
    F: Fn(&[Real]) -> Real + Sync,
{
    if trials < 2 {
        return Err(OptimError::InvalidParameter {
            name: "trials",
            value: trials.to_string(),
            reason: "need at least 2 trials for a standard error".into(),
        });
    }
    let mut cs = Vec::with_capacity(trials);
    for t in 0..trials {
        let g = es_gradient(&f, theta, sigma, n, estimator, seed.wrapping_add(t as u64))?;
        cs.push(cosine(&g, true_gradient)?);
    }
    let m = cs.iter().sum::<Real>() / trials as Real;
    let var = cs.iter().map(|c| (c - m).powi(2)).sum::<Real>() / (trials - 1) as Real;
    Ok(CosineStats {
        n,
        d: theta.len(),
        mean: m,
        standard_error: (var / trials as Real).sqrt(),
        predicted: predicted_cosine(n, theta.len()),
    })
}
