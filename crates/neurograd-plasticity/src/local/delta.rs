//! The delta rule (Widrow & Hoff 1960, LMS).
//!
//! `y = g(W x)`, `ΔW = η (t − y) xᵀ`.
//!
//! Theory: with a linear output and squared error, `(t − y) xᵀ = −∇_W ½‖t − y‖²` exactly, per
//! sample; with a logistic output and cross-entropy loss the gradient is again exactly
//! `(t − y) xᵀ` (matched link). With a logistic output and *squared* error the gradient is
//! `(t − y) σ'(a) xᵀ`, so the plain delta rule is then not the gradient.
//! LMS on a noiseless linear teacher converges to the teacher when `η < 2/λ_max(C)`.

use super::harness::Relation;
use super::objective::{Batch, Objective, Sense};
use super::rule::{Activity, LocalRule, Theory, linear_response, mean_outer};
use crate::Result;
use neurograd_tensor::{Matrix, Real};

/// The output nonlinearity of the delta rule.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Link {
    /// `y = a` (LMS); loss ½‖t − y‖².
    #[default]
    Linear,
    /// `y = σ(a)` (logistic); matched loss: cross-entropy.
    Logistic,
}

fn logistic(a: Real) -> Real {
    if a >= 0.0 {
        1.0 / (1.0 + (-a).exp())
    } else {
        let e = a.exp();
        e / (1.0 + e)
    }
}

fn apply_link(link: Link, a: Matrix) -> Matrix {
    match link {
        Link::Linear => a,
        Link::Logistic => a.map(logistic),
    }
}

/// The delta rule `ΔW = mean_b (t_b − y_b) x_bᵀ`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeltaRule {
    /// Output nonlinearity.
    pub link: Link,
}

impl LocalRule for DeltaRule {
    fn delta(&self, activity: &Activity<'_>, weights: &Matrix) -> Result<Matrix> {
        activity.validate("DeltaRule::delta", weights)?;
        let t = activity.require_target("delta rule")?;
        mean_outer(&(t - activity.post), activity.pre)
    }

    fn name(&self) -> &'static str {
        match self.link {
            Link::Linear => "delta rule (linear)",
            Link::Logistic => "delta rule (logistic)",
        }
    }

    fn response(&self, weights: &Matrix, pre: &Matrix) -> Result<Matrix> {
        Ok(apply_link(self.link, linear_response(weights, pre)?))
    }

    fn theory(&self) -> Option<Theory> {
        let objective: Box<dyn Objective> = match self.link {
            Link::Linear => Box::new(SquaredError { link: Link::Linear }),
            Link::Logistic => Box::new(CrossEntropy),
        };
        Some(Theory {
            objective,
            relation: Relation::GradientStep,
            source: "Widrow & Hoff 1960",
        })
    }
}

/// `L(W) = ½ mean_b ‖t_b − g(W x_b)‖²` (descent). With `link = Logistic` this is the unmatched
/// loss for which the plain delta rule is not the gradient.
#[derive(Debug, Clone, Copy, Default)]
pub struct SquaredError {
    /// Output nonlinearity.
    pub link: Link,
}

impl Objective for SquaredError {
    fn name(&self) -> &'static str {
        "squared error ½‖t − y‖²"
    }

    fn sense(&self) -> Sense {
        Sense::Descent
    }

    fn value(&self, weights: &Matrix, batch: &Batch) -> Result<Real> {
        let t = batch.require_target("squared error")?;
        let y = apply_link(self.link, linear_response(weights, &batch.pre)?);
        Ok(0.5 * (t - y).norm_squared() / batch.len() as Real)
    }
}

/// `L(W) = −mean_b Σ_k [t log y + (1 − t) log(1 − y)]`, `y = σ(W x)` (descent), evaluated
/// stably from the logits as `softplus(a) − t a`.
#[derive(Debug, Clone, Copy, Default)]
pub struct CrossEntropy;

impl Objective for CrossEntropy {
    fn name(&self) -> &'static str {
        "logistic cross-entropy"
    }

    fn sense(&self) -> Sense {
        Sense::Descent
    }

    fn value(&self, weights: &Matrix, batch: &Batch) -> Result<Real> {
        let t = batch.require_target("cross-entropy")?;
        let a = linear_response(weights, &batch.pre)?;
        let s: Real = a
            .iter()
            .zip(t.iter())
            .map(|(&a, &t)| a.max(0.0) + (-a.abs()).exp().ln_1p() - t * a)
            .sum();
        Ok(s / batch.len() as Real)
    }
}
