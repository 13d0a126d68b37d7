//! Covariance rule (Sejnowski 1977).
//!
//! `ΔW = η (y − ȳ)(x − x̄)ᵀ`, and the pre-only / post-only centred variants
//! `η y (x − x̄)ᵀ`, `η (y − ȳ) xᵀ`, with linear units `y = W x`.
//!
//! Theory: `E[(y−ȳ)(x−x̄)ᵀ] = E[(y−ȳ)xᵀ] = E[y(x−x̄)ᵀ] = W Σ = ∇_W ½ Var(y)`: all three variants
//! ascend the output variance **in expectation** (exactly on a batch with its own means), while
//! their per-sample updates differ.

use super::check;
use super::harness::Relation;
use super::objective::{OutputVariance, column_means};
use super::rule::{Activity, LocalRule, Theory, mean_outer};
use crate::Result;
use neurograd_tensor::Matrix;

/// Which side is centred.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Centering {
    /// `y (x − x̄)ᵀ`.
    Pre,
    /// `(y − ȳ) xᵀ`.
    Post,
    /// `(y − ȳ)(x − x̄)ᵀ` (Sejnowski 1977).
    Both,
}

/// Where the means come from.
#[derive(Debug, Clone, PartialEq)]
pub enum Means {
    /// The batch's own column means (exact expectation on that batch).
    Batch,
    /// Given means (e.g. running averages) as `1 x n` matrices.
    Given {
        /// Presynaptic mean `1 x n_in`.
        pre: Matrix,
        /// Postsynaptic mean `1 x n_out`.
        post: Matrix,
    },
}

/// The covariance rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Covariance {
    /// Which side is centred.
    pub centering: Centering,
    /// Where the means come from.
    pub means: Means,
}

impl Covariance {
    /// A covariance rule centring `centering` with the batch means.
    pub fn new(centering: Centering) -> Self {
        Self {
            centering,
            means: Means::Batch,
        }
    }
}

fn subtract_row(m: &Matrix, mean: &Matrix) -> Matrix {
    Matrix::from_fn(m.nrows(), m.ncols(), |i, j| m[(i, j)] - mean[(0, j)])
}

impl LocalRule for Covariance {
    fn delta(&self, activity: &Activity<'_>, weights: &Matrix) -> Result<Matrix> {
        activity.validate("Covariance::delta", weights)?;
        let (xm, ym) = match &self.means {
            Means::Batch => (column_means(activity.pre), column_means(activity.post)),
            Means::Given { pre, post } => {
                check::shape("Covariance::delta (pre mean)", pre, (1, weights.ncols()))?;
                check::shape("Covariance::delta (post mean)", post, (1, weights.nrows()))?;
                check::finite_matrix("pre mean", pre)?;
                check::finite_matrix("post mean", post)?;
                (pre.clone(), post.clone())
            }
        };
        let (x, y) = match self.centering {
            Centering::Pre => (subtract_row(activity.pre, &xm), activity.post.clone()),
            Centering::Post => (activity.pre.clone(), subtract_row(activity.post, &ym)),
            Centering::Both => (
                subtract_row(activity.pre, &xm),
                subtract_row(activity.post, &ym),
            ),
        };
        mean_outer(&y, &x)
    }

    fn name(&self) -> &'static str {
        match self.centering {
            Centering::Pre => "covariance (pre-centred)",
            Centering::Post => "covariance (post-centred)",
            Centering::Both => "covariance (both centred)",
        }
    }

    fn theory(&self) -> Option<Theory> {
        Some(Theory {
            objective: Box::new(OutputVariance),
            relation: Relation::ExpectedGradient,
            source: "Sejnowski 1977",
        })
    }
}
