//! BCM with a sliding threshold (Bienenstock, Cooper & Munro 1982) and the Intrator & Cooper
//! (1992) objective.
//!
//! `c = W x` (one row per output unit), `Δw = η φ(c, θ) x`, `φ(c, θ) = c (c − θ)`.
//!
//! Theory (Intrator & Cooper 1992): with `θ = E[c²]` computed with the same `w`, the expected
//! update is **exact gradient ascent** of `R(w) = ⅓E[c³] − ¼E[c²]²`:
//! `∇R = E[c² x] − E[c²] E[c x] = E[c (c − θ) x]`. With `θ = E[c]` (a mean, as Nengo's BCM uses)
//! it is not. Stable fixed points for `K` orthonormal patterns with probabilities `p_k` respond to
//! exactly one pattern with `c = 1/p_k` and to the others with 0 (selectivity).

use super::check;
use super::harness::Relation;
use super::objective::{Batch, Objective};
use super::rule::{Activity, LocalRule, Theory, linear_response, mean_outer};
use crate::{PlasticityError, Result};
use neurograd_tensor::{Matrix, Real};

/// Where the threshold `θ` (one per output unit) comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Threshold {
    /// `θ_k = mean_b c_k²` over the batch (Intrator & Cooper 1992).
    SecondMoment,
    /// `θ_k = mean_b c_k` over the batch (the original-BCM / Nengo family; *not* the I&C
    /// gradient, kept as a negative control).
    Mean,
    /// `θ` from [`Activity::state`], an `n_out x 1` matrix (e.g. a low-pass of `c²`, see
    /// [`SlidingThreshold`]).
    State,
}

/// The BCM rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bcm {
    /// Threshold source.
    pub threshold: Threshold,
}

impl Bcm {
    /// BCM with threshold `threshold`.
    pub fn new(threshold: Threshold) -> Self {
        Self { threshold }
    }
}

impl LocalRule for Bcm {
    fn delta(&self, activity: &Activity<'_>, weights: &Matrix) -> Result<Matrix> {
        activity.validate("Bcm::delta", weights)?;
        let c = activity.post;
        let b = c.nrows() as Real;
        let n_out = weights.nrows();
        let theta: Vec<Real> = match self.threshold {
            Threshold::SecondMoment => (0..n_out).map(|k| c.column(k).norm_squared() / b).collect(),
            Threshold::Mean => (0..n_out).map(|k| c.column(k).sum() / b).collect(),
            Threshold::State => {
                let s = activity
                    .state
                    .ok_or_else(|| PlasticityError::InvalidParameter {
                        name: "state",
                        value: "none".to_string(),
                        reason: "Threshold::State needs θ as an n_out x 1 state".to_string(),
                    })?;
                check::shape("Bcm::delta (threshold state)", s, (n_out, 1))?;
                s.column(0).iter().copied().collect()
            }
        };
        let phi = Matrix::from_fn(c.nrows(), n_out, |i, k| c[(i, k)] * (c[(i, k)] - theta[k]));
        mean_outer(&phi, activity.pre)
    }

    fn name(&self) -> &'static str {
        match self.threshold {
            Threshold::SecondMoment => "bcm (θ = E[c²])",
            Threshold::Mean => "bcm (θ = E[c])",
            Threshold::State => "bcm (θ from state)",
        }
    }

    /// Only `θ = E[c²]` is the Intrator & Cooper (1992) gradient; `θ = E[c]` is not (a negative
    /// control) and a state threshold is a lagged estimate, so those two state no theory.
    fn theory(&self) -> Option<Theory> {
        (self.threshold == Threshold::SecondMoment).then(|| Theory {
            objective: Box::new(IntratorCooper),
            relation: Relation::ExpectedGradient,
            source: "Intrator & Cooper 1992",
        })
    }
}

/// The Intrator & Cooper (1992) objective, summed over output units:
/// `R(W) = Σ_k [ ⅓ mean_b c_k³ − ¼ (mean_b c_k²)² ]`, `c = W x`.
#[derive(Debug, Clone, Copy, Default)]
pub struct IntratorCooper;

impl Objective for IntratorCooper {
    fn name(&self) -> &'static str {
        "Intrator-Cooper ⅓E[c³] − ¼E[c²]²"
    }

    fn value(&self, weights: &Matrix, batch: &Batch) -> Result<Real> {
        let c = linear_response(weights, &batch.pre)?;
        let b = c.nrows() as Real;
        Ok((0..c.ncols())
            .map(|k| {
                let col = c.column(k);
                let m3 = col.iter().map(|v| v * v * v).sum::<Real>() / b;
                let m2 = col.norm_squared() / b;
                m3 / 3.0 - m2 * m2 / 4.0
            })
            .sum())
    }

    fn gradient(&self, weights: &Matrix, batch: &Batch) -> Option<Result<Matrix>> {
        Some(linear_response(weights, &batch.pre).and_then(|c| {
            let b = c.nrows() as Real;
            let theta: Vec<Real> = (0..c.ncols())
                .map(|k| c.column(k).norm_squared() / b)
                .collect();
            let phi = Matrix::from_fn(c.nrows(), c.ncols(), |i, k| {
                c[(i, k)] * (c[(i, k)] - theta[k])
            });
            mean_outer(&phi, &batch.pre)
        }))
    }
}

/// A low-pass threshold `θ ← θ + (c² − θ)/τ` per output unit (τ in samples), a lagged estimate of
/// `E[c²]` for online BCM.
#[derive(Debug, Clone, PartialEq)]
pub struct SlidingThreshold {
    /// Time constant in samples (`τ ≥ 1`).
    pub tau: Real,
    /// Current `θ`, `n_out x 1`.
    pub theta: Matrix,
}

impl SlidingThreshold {
    /// A threshold for `n_out` units starting at `theta0`; errors unless `tau ≥ 1` and finite.
    pub fn new(n_out: usize, tau: Real, theta0: Real) -> Result<Self> {
        if !(tau.is_finite() && tau >= 1.0) {
            return Err(PlasticityError::InvalidParameter {
                name: "tau",
                value: format!("{tau}"),
                reason: "must be finite and >= 1 sample".to_string(),
            });
        }
        check::finite_slice("theta0", &[theta0])?;
        Ok(Self {
            tau,
            theta: Matrix::from_element(n_out, 1, theta0),
        })
    }

    /// Updates θ with the responses of one sample (`1 x n_out`) or a batch (mean of `c²`).
    pub fn update(&mut self, post: &Matrix) -> Result<()> {
        check::shape(
            "SlidingThreshold::update",
            post,
            (post.nrows(), self.theta.nrows()),
        )?;
        check::finite_matrix("post activity", post)?;
        let b = post.nrows().max(1) as Real;
        for k in 0..self.theta.nrows() {
            let m2 = post.column(k).norm_squared() / b;
            self.theta[(k, 0)] += (m2 - self.theta[(k, 0)]) / self.tau;
        }
        Ok(())
    }
}

/// The expected I&C BCM update for one unit `w` (`1 x n`) over patterns `patterns`
/// (`K x n`, one per row) presented with probabilities `probs`:
/// `Σ_k p_k c_k (c_k − θ) x_k`, `θ = Σ_k p_k c_k²`.
pub fn expected_update(patterns: &Matrix, probs: &[Real], w: &Matrix) -> Result<Matrix> {
    check::shape("bcm::expected_update", w, (1, patterns.ncols()))?;
    if probs.len() != patterns.nrows() {
        return Err(PlasticityError::ShapeMismatch {
            op: "bcm::expected_update",
            expected: (patterns.nrows(), 1),
            got: (probs.len(), 1),
        });
    }
    check::finite_slice("probs", probs)?;
    if probs.iter().any(|p| *p < 0.0) || (probs.iter().sum::<Real>() - 1.0).abs() > 1e-9 {
        return Err(PlasticityError::InvalidParameter {
            name: "probs",
            value: format!("{probs:?}"),
            reason: "must be non-negative and sum to 1".to_string(),
        });
    }
    let c = linear_response(w, patterns)?;
    let theta: Real = (0..c.nrows())
        .map(|k| probs[k] * c[(k, 0)] * c[(k, 0)])
        .sum();
    let mut d = Matrix::zeros(1, patterns.ncols());
    for k in 0..c.nrows() {
        let ck = c[(k, 0)];
        d += patterns.row(k) * (probs[k] * ck * (ck - theta));
    }
    Ok(d)
}
