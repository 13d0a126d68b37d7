//! Plain Hebbian learning on linear units (Hebb 1949; Dayan & Abbott 2001, ch. 8).
//!
//! `y = W x`, `ΔW = η y xᵀ` (batch: `η mean_b y_b x_bᵀ`).
//!
//! Theory: per sample `y xᵀ = ∇_W ½‖y‖²` exactly, so Hebb is gradient **ascent** on the output
//! second moment `½E[‖y‖²] = ½ tr(W C Wᵀ)` (the output variance for zero-mean inputs). The
//! objective is unbounded: `‖w‖` grows like `exp(η λ₁ t)` along the top eigenvector of `C`.

use super::harness::Relation;
use super::objective::OutputSecondMoment;
use super::rule::{Activity, LocalRule, Theory, mean_outer};
use crate::Result;
use neurograd_tensor::Matrix;

/// Plain Hebb: `ΔW = mean_b y_b x_bᵀ`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Hebb;

impl LocalRule for Hebb {
    fn delta(&self, activity: &Activity<'_>, weights: &Matrix) -> Result<Matrix> {
        activity.validate("Hebb::delta", weights)?;
        mean_outer(activity.post, activity.pre)
    }

    fn name(&self) -> &'static str {
        "hebb"
    }

    fn theory(&self) -> Option<Theory> {
        Some(Theory {
            objective: Box::new(OutputSecondMoment),
            relation: Relation::GradientStep,
            source: "Hebb 1949; Dayan & Abbott 2001, ch. 8",
        })
    }
}
