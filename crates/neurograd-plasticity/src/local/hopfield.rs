//! Hopfield networks (Hopfield 1982, PNAS 79:2554): Hebbian outer-product and pseudo-inverse
//! storage, asynchronous and synchronous recall.
//!
//! Storage: Hebbian `W = (1/N) Σ_μ ξ^μ ξ^μᵀ`, `W_ii = 0`; pseudo-inverse (Personnaz, Guyon &
//! Dreyfus 1985) `W = Ξᵀ (Ξ Ξᵀ)⁻¹ Ξ` (rows of `Ξ` are patterns; the projector onto their span, so
//! every stored pattern is an exact fixed point while the patterns are linearly independent).
//! Dynamics: `s_i ← sign(Σ_j W_ij s_j − θ_i)` (`s_i` kept when the field is exactly zero).
//! Energy: `E(s) = −½ sᵀ W s + θᵀ s`.
//!
//! Theory: with symmetric `W` and `W_ii ≥ 0`, an asynchronous flip changes the energy by
//! `ΔE = −Δs_i (h_i − θ_i) − ½ W_ii Δs_i² ≤ 0`: energy never increases. Storing `ξ` with
//! `ΔW = (ξξᵀ − I)/N` changes `E(ξ)` by exactly `−(N − 1)/2`. Synchronous updates can 2-cycle.
//! Capacity (Amit, Gutfreund & Sompolinsky 1985): `α_c = p/N ≈ 0.138` for Hebbian storage.
//!
//! As a [`LocalRule`]: [`HopfieldStorage`] is the Hebbian storage prescription with the network
//! clamped to each pattern (`post = pre = ξ`), `ΔW = mean_b ξ_b ξ_bᵀ` with a zero diagonal (so
//! [`Hopfield::hebbian`] is `p/N` of one batch update from `W = 0`). Its objective
//! ([`PatternStability`]) is `R(W) = mean_b Σ_{i≠j} W_ij ξ_bi ξ_bj`, which for ±1 patterns and
//! `θ = 0` is `−2 mean_b E(ξ_b)` (the Hopfield energy of the stored patterns, with the diagonal of
//! `W` ignored; the factor 2 counts each symmetric pair twice). Every single-pattern update is
//! exactly the gradient step `∇R` (relation `GradientStep`): Hebbian storage is gradient descent
//! on the energy of the patterns.

use super::check;
use super::harness::Relation;
use super::objective::{Batch, Objective};
use super::rule::{Activity, LocalRule, Theory, mean_outer};
use crate::{PlasticityError, Result};
use neurograd_tensor::{Matrix, Real, Vector};
use rand::Rng;
use rand::seq::SliceRandom;

/// A Hopfield network of `N` ±1 units.
#[derive(Debug, Clone, PartialEq)]
pub struct Hopfield {
    weights: Matrix,
    theta: Vector,
}

fn check_spins(what: &'static str, it: impl Iterator<Item = Real>) -> Result<()> {
    for (i, v) in it.enumerate() {
        if v != 1.0 && v != -1.0 {
            return Err(PlasticityError::InvalidParameter {
                name: what,
                value: format!("entry {i} = {v}"),
                reason: "states and patterns must be -1 or +1".to_string(),
            });
        }
    }
    Ok(())
}

fn check_patterns(patterns: &Matrix) -> Result<()> {
    check::non_empty("patterns", patterns.nrows())?;
    check_spins("patterns", patterns.iter().copied())
}

/// Result of asynchronous recall.
#[derive(Debug, Clone, PartialEq)]
pub struct AsyncRecall {
    /// Final state.
    pub state: Vector,
    /// Sweeps run (a sweep visits every unit once in a random order).
    pub sweeps: usize,
    /// Whether a sweep without flips was reached (a fixed point).
    pub converged: bool,
    /// Number of flips.
    pub flips: usize,
    /// Largest energy change over all flips (≤ 0 by the theorem; 0 when nothing flipped).
    pub max_energy_change: Real,
}

/// Result of synchronous recall.
#[derive(Debug, Clone, PartialEq)]
pub struct SyncRecall {
    /// Final state.
    pub state: Vector,
    /// Steps run.
    pub steps: usize,
    /// Period of the orbit reached: 1 for a fixed point, 2 for a two-cycle; `None` if neither was
    /// reached within the step budget.
    pub period: Option<usize>,
}

impl Hopfield {
    /// Hebbian storage of the rows of `patterns` (`p x N`, entries ±1).
    pub fn hebbian(patterns: &Matrix) -> Result<Self> {
        check_patterns(patterns)?;
        let n = patterns.ncols();
        let mut w = patterns.transpose() * patterns / n as Real;
        w.fill_diagonal(0.0);
        Ok(Self {
            weights: w,
            theta: Vector::zeros(n),
        })
    }

    /// Pseudo-inverse (projection) storage of the rows of `patterns`; errors if the patterns are
    /// linearly dependent.
    pub fn pseudo_inverse(patterns: &Matrix) -> Result<Self> {
        check_patterns(patterns)?;
        let n = patterns.ncols();
        let gram = patterns * patterns.transpose();
        let inv = gram
            .try_inverse()
            .ok_or_else(|| PlasticityError::InvalidParameter {
                name: "patterns",
                value: format!("{} x {}", patterns.nrows(), n),
                reason: "patterns are linearly dependent (Gram matrix singular)".to_string(),
            })?;
        let w = patterns.transpose() * inv * patterns;
        Ok(Self {
            weights: w,
            theta: Vector::zeros(n),
        })
    }

    /// A network with given weights (`N x N`, finite) and zero thresholds. Symmetry is not
    /// required (the energy theorem then does not apply).
    pub fn from_weights(weights: Matrix) -> Result<Self> {
        let n = weights.nrows();
        check::shape("Hopfield::from_weights", &weights, (n, n))?;
        check::finite_matrix("weights", &weights)?;
        Ok(Self {
            weights,
            theta: Vector::zeros(n),
        })
    }

    /// Sets thresholds `θ` (length `N`, finite).
    pub fn with_thresholds(mut self, theta: Vector) -> Result<Self> {
        if theta.len() != self.n() {
            return Err(PlasticityError::ShapeMismatch {
                op: "Hopfield::with_thresholds",
                expected: (self.n(), 1),
                got: (theta.len(), 1),
            });
        }
        check::finite_vector("thresholds", &theta)?;
        self.theta = theta;
        Ok(self)
    }

    /// Number of units.
    pub fn n(&self) -> usize {
        self.weights.nrows()
    }

    /// The weight matrix.
    pub fn weights(&self) -> &Matrix {
        &self.weights
    }

    fn check_state(&self, s: &Vector) -> Result<()> {
        if s.len() != self.n() {
            return Err(PlasticityError::ShapeMismatch {
                op: "Hopfield state",
                expected: (self.n(), 1),
                got: (s.len(), 1),
            });
        }
        check_spins("state", s.iter().copied())
    }

    /// `E(s) = −½ sᵀ W s + θᵀ s`.
    pub fn energy(&self, s: &Vector) -> Result<Real> {
        self.check_state(s)?;
        Ok(-0.5 * s.dot(&(&self.weights * s)) + self.theta.dot(s))
    }

    /// Adds one pattern by the Hebbian increment `ΔW = (ξξᵀ − I)/N`.
    pub fn store_hebbian(&mut self, pattern: &Vector) -> Result<()> {
        self.check_state(pattern)?;
        let n = self.n();
        let mut d = pattern * pattern.transpose() / n as Real;
        d.fill_diagonal(0.0);
        self.weights += d;
        Ok(())
    }

    /// Asynchronous recall from `s0`: sweeps over the units in a random order drawn from `rng`,
    /// until a sweep without flips or `max_sweeps`.
    pub fn recall_async<R: Rng + ?Sized>(
        &self,
        s0: &Vector,
        max_sweeps: usize,
        rng: &mut R,
    ) -> Result<AsyncRecall> {
        self.check_state(s0)?;
        let n = self.n();
        let mut s = s0.clone();
        let mut h = &self.weights * &s;
        let mut order: Vec<usize> = (0..n).collect();
        let mut flips = 0;
        let mut max_de = Real::NEG_INFINITY;
        let mut sweeps = 0;
        let mut converged = false;
        while sweeps < max_sweeps {
            sweeps += 1;
            order.shuffle(rng);
            let mut sweep_flips = 0;
            for &i in &order {
                let field = h[i] - self.theta[i];
                let new = if field > 0.0 {
                    1.0
                } else if field < 0.0 {
                    -1.0
                } else {
                    s[i]
                };
                if new != s[i] {
                    let ds = new - s[i];
                    // exact energy change of one flip
                    let de = -ds * field - 0.5 * self.weights[(i, i)] * ds * ds;
                    max_de = max_de.max(de);
                    s[i] = new;
                    h.axpy(ds, &self.weights.column(i), 1.0);
                    sweep_flips += 1;
                }
            }
            flips += sweep_flips;
            if sweep_flips == 0 {
                converged = true;
                break;
            }
        }
        let max_energy_change = if flips == 0 { 0.0 } else { max_de };
        Ok(AsyncRecall {
            state: s,
            sweeps,
            converged,
            flips,
            max_energy_change,
        })
    }

    /// One synchronous update of all units.
    pub fn step_sync(&self, s: &Vector) -> Result<Vector> {
        self.check_state(s)?;
        let h = &self.weights * s - &self.theta;
        Ok(Vector::from_fn(s.len(), |i, _| {
            if h[i] > 0.0 {
                1.0
            } else if h[i] < 0.0 {
                -1.0
            } else {
                s[i]
            }
        }))
    }

    /// Synchronous recall from `s0` until a fixed point or a two-cycle, or `max_steps`.
    pub fn recall_sync(&self, s0: &Vector, max_steps: usize) -> Result<SyncRecall> {
        let mut prev: Option<Vector> = None;
        let mut s = s0.clone();
        for step in 1..=max_steps {
            let next = self.step_sync(&s)?;
            if next == s {
                return Ok(SyncRecall {
                    state: next,
                    steps: step,
                    period: Some(1),
                });
            }
            if prev.as_ref() == Some(&next) {
                return Ok(SyncRecall {
                    state: next,
                    steps: step,
                    period: Some(2),
                });
            }
            prev = Some(std::mem::replace(&mut s, next));
        }
        Ok(SyncRecall {
            state: s,
            steps: max_steps,
            period: None,
        })
    }
}

/// Overlap `m = a·b / N` of two ±1 states (1 for equal, −1 for opposite).
pub fn overlap(a: &Vector, b: &Vector) -> Result<Real> {
    if a.len() != b.len() || a.is_empty() {
        return Err(PlasticityError::ShapeMismatch {
            op: "hopfield::overlap",
            expected: (a.len(), 1),
            got: (b.len(), 1),
        });
    }
    Ok(a.dot(b) / a.len() as Real)
}

/// `p x N` random ±1 patterns drawn from `rng`.
pub fn random_patterns<R: Rng + ?Sized>(p: usize, n: usize, rng: &mut R) -> Matrix {
    use rand::RngExt;
    Matrix::from_fn(p, n, |_, _| if rng.random::<bool>() { 1.0 } else { -1.0 })
}

/// Errors unless `weights` is square and matches `n_in` of `pre` (`B x N`).
fn check_square(op: &'static str, weights: &Matrix, pre: &Matrix) -> Result<()> {
    let n = weights.ncols();
    check::shape(op, weights, (n, n))?;
    check::shape(op, pre, (pre.nrows(), n))
}

/// Hebbian storage as a local rule (Hopfield 1982): `ΔW = mean_b ξ_b ξ_bᵀ`, diagonal zeroed,
/// with the units clamped to the pattern (`post = pre`). Weights `N x N`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HopfieldStorage;

impl LocalRule for HopfieldStorage {
    fn delta(&self, activity: &Activity<'_>, weights: &Matrix) -> Result<Matrix> {
        check_square("HopfieldStorage::delta", weights, activity.pre)?;
        activity.validate("HopfieldStorage::delta", weights)?;
        let mut d = mean_outer(activity.post, activity.pre)?;
        d.fill_diagonal(0.0);
        Ok(d)
    }

    fn name(&self) -> &'static str {
        "hopfield (hebbian storage)"
    }

    /// The clamped state: `post = pre`.
    fn response(&self, weights: &Matrix, pre: &Matrix) -> Result<Matrix> {
        check_square("HopfieldStorage::response", weights, pre)?;
        Ok(pre.clone())
    }

    fn theory(&self) -> Option<Theory> {
        Some(Theory {
            objective: Box::new(PatternStability),
            relation: Relation::GradientStep,
            source: "Hopfield 1982",
        })
    }
}

/// `R(W) = mean_b Σ_{i≠j} W_ij x_bi x_bj = mean_b (x_bᵀ W x_b − Σ_i W_ii x_bi²)`, which is
/// `−2 mean_b E(x_b)` for ±1 patterns, `θ = 0` and the diagonal of `W` ignored (ascent). No
/// analytic gradient: the harness differentiates the value (linear in `W`).
#[derive(Debug, Clone, Copy, Default)]
pub struct PatternStability;

impl Objective for PatternStability {
    fn name(&self) -> &'static str {
        "pattern stability −2E[E(ξ)]"
    }

    fn value(&self, weights: &Matrix, batch: &Batch) -> Result<Real> {
        check_square("PatternStability::value", weights, &batch.pre)?;
        let x = &batch.pre;
        let total: Real = x
            .row_iter()
            .map(|r| {
                let xt = r.transpose();
                let diag: Real = (0..xt.len()).map(|i| weights[(i, i)] * xt[i] * xt[i]).sum();
                xt.dot(&(weights * &xt)) - diag
            })
            .sum();
        Ok(total / batch.len() as Real)
    }
}
