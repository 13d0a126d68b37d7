//! The [`LocalRule`] trait: pre activity, post activity, weights (and optional target, modulator,
//! state) in; weight change out.

use super::check;
use super::harness::Relation;
use super::objective::Objective;
use crate::{PlasticityError, Result};
use neurograd_tensor::{Matrix, Real, Vector};

/// What a synapse sees during one update, for a batch of `B` samples (one sample per row).
///
/// Shapes, with weights `W` of shape `(n_out, n_in)`:
/// `pre` is `B x n_in`, `post` is `B x n_out`, `target` (supervised rules) is `B x n_out`,
/// `modulator` (three-factor rules) has length `B`, `state` is rule-defined (e.g. a threshold per
/// output unit as an `n_out x 1` matrix, or an eligibility trace shaped like `W`).
#[derive(Debug, Clone, Copy)]
pub struct Activity<'a> {
    /// Presynaptic activity, `B x n_in`.
    pub pre: &'a Matrix,
    /// Postsynaptic activity, `B x n_out`.
    pub post: &'a Matrix,
    /// Supervised target, `B x n_out` (delta rule, perceptron).
    pub target: Option<&'a Matrix>,
    /// Third factor per sample (reward, neuromodulator), length `B`.
    pub modulator: Option<&'a Vector>,
    /// Rule state (threshold, eligibility trace); its shape is documented by each rule.
    pub state: Option<&'a Matrix>,
}

impl<'a> Activity<'a> {
    /// Pre and post activity only.
    pub fn new(pre: &'a Matrix, post: &'a Matrix) -> Self {
        Self {
            pre,
            post,
            target: None,
            modulator: None,
            state: None,
        }
    }

    /// Adds a supervised target.
    pub fn with_target(mut self, target: &'a Matrix) -> Self {
        self.target = Some(target);
        self
    }

    /// Adds a per-sample modulator (third factor).
    pub fn with_modulator(mut self, modulator: &'a Vector) -> Self {
        self.modulator = Some(modulator);
        self
    }

    /// Adds rule state.
    pub fn with_state(mut self, state: &'a Matrix) -> Self {
        self.state = Some(state);
        self
    }

    /// Number of samples `B`.
    pub fn batch_size(&self) -> usize {
        self.pre.nrows()
    }

    /// Checks shapes against weights `(n_out, n_in)` and finiteness of every field; used by the
    /// rules at their public boundary.
    pub fn validate(&self, op: &'static str, weights: &Matrix) -> Result<()> {
        let (n_out, n_in) = weights.shape();
        let b = self.pre.nrows();
        check::non_empty("pre", b)?;
        check::shape(op, self.pre, (b, n_in))?;
        check::shape(op, self.post, (b, n_out))?;
        check::finite_matrix("weights", weights)?;
        check::finite_matrix("pre activity", self.pre)?;
        check::finite_matrix("post activity", self.post)?;
        if let Some(t) = self.target {
            check::shape(op, t, (b, n_out))?;
            check::finite_matrix("target", t)?;
        }
        if let Some(m) = self.modulator {
            if m.len() != b {
                return Err(PlasticityError::ShapeMismatch {
                    op,
                    expected: (b, 1),
                    got: (m.len(), 1),
                });
            }
            check::finite_vector("modulator", m)?;
        }
        if let Some(s) = self.state {
            check::finite_matrix("state", s)?;
        }
        Ok(())
    }

    /// The target, or a typed error naming the rule that needs it.
    pub fn require_target(&self, op: &'static str) -> Result<&'a Matrix> {
        self.target
            .ok_or_else(|| PlasticityError::InvalidParameter {
                name: "target",
                value: "none".to_string(),
                reason: format!("{op} is supervised and needs a target"),
            })
    }
}

/// What theory says a rule computes: an objective, the relation between the rule's update and
/// the objective's gradient, and the source of the claim.
pub struct Theory {
    /// The objective theory names.
    pub objective: Box<dyn Objective>,
    /// The claimed relation.
    pub relation: Relation,
    /// Authors and year of the claim.
    pub source: &'static str,
}

impl std::fmt::Debug for Theory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Theory")
            .field("objective", &self.objective.name())
            .field("relation", &self.relation)
            .field("source", &self.source)
            .finish()
    }
}

/// A local plasticity rule: `activity, weights -> weight change`.
///
/// The change is per unit learning rate (the trainer multiplies by `eta`) and is the **mean** over
/// the batch (not the sum, so the effective learning rate does not scale with the batch size).
pub trait LocalRule {
    /// The weight change per unit learning rate, same shape as `weights` (`n_out x n_in`).
    fn delta(&self, activity: &Activity<'_>, weights: &Matrix) -> Result<Matrix>;

    /// A short name for reports.
    fn name(&self) -> &'static str {
        std::any::type_name::<Self>()
    }

    /// The postsynaptic response to `pre` (`B x n_in`) under `weights`; default linear,
    /// `Y = X Wᵀ`. The harness and the trainer use it to build the activity from data.
    fn response(&self, weights: &Matrix, pre: &Matrix) -> Result<Matrix> {
        linear_response(weights, pre)
    }

    /// What theory says this rule computes, if it states an objective.
    fn theory(&self) -> Option<Theory> {
        None
    }
}

/// `Y = X Wᵀ` with shape checks: the response of linear units `y = W x`, one sample per row.
pub fn linear_response(weights: &Matrix, pre: &Matrix) -> Result<Matrix> {
    if pre.ncols() != weights.ncols() {
        return Err(PlasticityError::ShapeMismatch {
            op: "linear_response",
            expected: (pre.nrows(), weights.ncols()),
            got: pre.shape(),
        });
    }
    let mut y = Matrix::zeros(pre.nrows(), weights.nrows());
    neurograd_tensor::gemm::gemm_nt(&mut y, 1.0, pre, weights, 0.0);
    Ok(y)
}

/// `Yᵀ X / B`, the batch-mean Hebbian outer product `mean_b y_b x_bᵀ`, computed with one gemm
/// ([`neurograd_tensor::gemm`], `Yᵀ` read in place).
///
/// # Errors
/// [`PlasticityError::ShapeMismatch`] unless `post` (`B x n_out`) and `pre` (`B x n_in`) have the
/// same number of rows; [`PlasticityError::InvalidParameter`] for an empty batch (`B = 0`).
pub fn mean_outer(post: &Matrix, pre: &Matrix) -> Result<Matrix> {
    check::non_empty("mean_outer batch", pre.nrows())?;
    if post.nrows() != pre.nrows() {
        return Err(PlasticityError::ShapeMismatch {
            op: "mean_outer",
            expected: (pre.nrows(), post.ncols()),
            got: post.shape(),
        });
    }
    let mut out = Matrix::zeros(post.ncols(), pre.ncols());
    // the 1/B in the product's α: no pass of its own over the n_out x n_in result (5 % of a
    // Hebb update at 784 x 256); exact for a power-of-two B, else within an ulp of dividing
    neurograd_tensor::gemm::gemm_tn(&mut out, 1.0 / pre.nrows() as Real, post, pre, 0.0);
    Ok(out)
}
