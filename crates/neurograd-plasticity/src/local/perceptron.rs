//! The perceptron (Rosenblatt 1958) and Novikoff's (1962) mistake bound.
//!
//! `ŷ = sign(W x)` (with `sign(0) = 0`), `ΔW = η (t − ŷ) xᵀ`, `t ∈ {−1, +1}`: zero on correct
//! samples, `2 η t x` on mistakes (`η t x` at `a = 0`).
//!
//! Theory: the update is `−2 ×` a subgradient of the perceptron criterion `Σ max(0, −t wᵀx)`
//! (exact wherever `wᵀx ≠ 0`). Novikoff (1962): if some unit `u` separates the data with margin
//! `γ = min_b t_b uᵀx_b > 0` and `‖x_b‖ ≤ R`, the online perceptron from `w = 0` makes at most
//! `(R/γ)²` mistakes.

use super::check;
use super::harness::Relation;
use super::objective::{Batch, Objective, Sense};
use super::rule::{Activity, LocalRule, Theory, linear_response, mean_outer};
use crate::{PlasticityError, Result};
use neurograd_tensor::{Matrix, Real, Vector};

fn sign0(a: Real) -> Real {
    if a > 0.0 {
        1.0
    } else if a < 0.0 {
        -1.0
    } else {
        0.0
    }
}

/// The perceptron rule.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Perceptron;

impl LocalRule for Perceptron {
    fn delta(&self, activity: &Activity<'_>, weights: &Matrix) -> Result<Matrix> {
        activity.validate("Perceptron::delta", weights)?;
        let t = activity.require_target("perceptron")?;
        mean_outer(&(t - activity.post), activity.pre)
    }

    fn name(&self) -> &'static str {
        "perceptron"
    }

    fn response(&self, weights: &Matrix, pre: &Matrix) -> Result<Matrix> {
        Ok(linear_response(weights, pre)?.map(sign0))
    }

    fn theory(&self) -> Option<Theory> {
        Some(Theory {
            objective: Box::new(PerceptronCriterion),
            relation: Relation::GradientStep,
            source: "Rosenblatt 1958; Novikoff 1962",
        })
    }
}

/// `L(W) = 2 mean_b Σ_k max(0, −t_bk a_bk)`, `a = W x` (descent): twice the perceptron
/// criterion, so that its negative gradient equals the perceptron update where differentiable.
#[derive(Debug, Clone, Copy, Default)]
pub struct PerceptronCriterion;

impl Objective for PerceptronCriterion {
    fn name(&self) -> &'static str {
        "2 × perceptron criterion"
    }

    fn sense(&self) -> Sense {
        Sense::Descent
    }

    fn value(&self, weights: &Matrix, batch: &Batch) -> Result<Real> {
        let t = batch.require_target("perceptron criterion")?;
        let a = linear_response(weights, &batch.pre)?;
        let s: Real = a
            .iter()
            .zip(t.iter())
            .map(|(&a, &t)| (-t * a).max(0.0))
            .sum();
        Ok(2.0 * s / batch.len() as Real)
    }
}

/// Outcome of online perceptron training.
#[derive(Debug, Clone, PartialEq)]
pub struct PerceptronRun {
    /// Final weights.
    pub weights: Vector,
    /// Total mistakes (`t wᵀx ≤ 0`) made during training.
    pub mistakes: usize,
    /// Epochs run.
    pub epochs: usize,
    /// Whether the last epoch was mistake-free.
    pub converged: bool,
}

/// Online perceptron from `w = 0`, samples in row order, `w ← w + t x` on every mistake
/// (`t wᵀx ≤ 0`), until an epoch without mistakes or `max_epochs`.
pub fn train_online(x: &Matrix, t: &[Real], max_epochs: usize) -> Result<PerceptronRun> {
    check::non_empty("x", x.nrows())?;
    check::finite_matrix("x", x)?;
    if t.len() != x.nrows() {
        return Err(PlasticityError::ShapeMismatch {
            op: "perceptron::train_online",
            expected: (x.nrows(), 1),
            got: (t.len(), 1),
        });
    }
    if let Some(i) = t.iter().position(|v| *v != 1.0 && *v != -1.0) {
        return Err(PlasticityError::InvalidParameter {
            name: "labels",
            value: format!("t[{i}] = {}", t[i]),
            reason: "must be -1 or +1".to_string(),
        });
    }
    let mut w = Vector::zeros(x.ncols());
    let mut mistakes = 0;
    for epoch in 1..=max_epochs {
        let mut epoch_mistakes = 0;
        for (i, &ti) in t.iter().enumerate() {
            let xi = x.row(i).transpose();
            if ti * w.dot(&xi) <= 0.0 {
                w += xi * ti;
                epoch_mistakes += 1;
            }
        }
        mistakes += epoch_mistakes;
        if epoch_mistakes == 0 {
            return Ok(PerceptronRun {
                weights: w,
                mistakes,
                epochs: epoch,
                converged: true,
            });
        }
    }
    Ok(PerceptronRun {
        weights: w,
        mistakes,
        epochs: max_epochs,
        converged: false,
    })
}

/// Novikoff's bound `⌊(R/γ)²⌋` for data `x` with labels `t` and a separating direction `u`
/// (`γ = min_b t_b uᵀx_b/‖u‖`, `R = max_b ‖x_b‖`); errors if `u` does not separate the data.
pub fn novikoff_bound(x: &Matrix, t: &[Real], u: &Vector) -> Result<usize> {
    check::shape("perceptron::novikoff_bound", x, (t.len(), u.len()))?;
    let un = u.norm();
    let gamma = (0..x.nrows())
        .map(|i| t[i] * x.row(i).transpose().dot(u) / un)
        .fold(Real::INFINITY, Real::min);
    if gamma.is_nan() || gamma <= 0.0 {
        return Err(PlasticityError::InvalidParameter {
            name: "u",
            value: format!("margin {gamma}"),
            reason: "does not separate the data".to_string(),
        });
    }
    let r = (0..x.nrows()).map(|i| x.row(i).norm()).fold(0.0, Real::max);
    Ok(((r / gamma) * (r / gamma)).floor() as usize)
}
