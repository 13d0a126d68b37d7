//! Feedback alignment (Lillicrap, Cownden, Tweed & Akerman 2016, Nat. Commun. 7:13276).
//!
//! The error travels down through fixed random matrices instead of the transposed forward weights:
//!
//! ```text
//! BP:  δ_l = (δ_{l+1} W_{l+1}) ⊙ f_l'(a_l)        FA:  δ_l = (δ_{l+1} B_{l+1}) ⊙ f_l'(a_l)
//! ```
//!
//! (row-batch form; in column form `δ_l = (B_{l+1}ᵀ... )`, i.e. the feedback matrix `B` of the
//! paper is our `B_{l+1}ᵀ`, stored with the shape of `W_{l+1}` so that `B = W` is exactly backprop).
//! Weight updates are local: `ΔW_l = δ_lᵀ h_{l-1}`, `Δb_l = 1ᵀ δ_l`. FA is not the gradient of any
//! loss; it descends when the teaching signal lies within 90° of backprop's, and the forward
//! weights come to align with the feedback ("any matrix B will suffice, so long as on average
//! `eᵀ W B e > 0`", Lillicrap et al. 2016).

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use neurograd_tensor::Matrix;

use super::backprop::{FeedbackPath, Workspace, feedforward_updates};
use super::network::Network;
use super::{CreditAssignment, Diagnostics, Updates};
use crate::{PlasticityError, Result};

/// Feedback alignment with one fixed random feedback matrix per layer above the first.
#[derive(Clone, Debug)]
pub struct FeedbackAlignment {
    /// `feedback[l]` replaces `W_l` (0-based) in the backward pass; `feedback[0]` is unused
    /// (kept for indexing) and has shape `(0, 0)`.
    feedback: Vec<Matrix>,
    ws: Workspace,
}

impl FeedbackAlignment {
    /// Random feedback shaped like `net`'s weights, drawn from each layer's initial weight
    /// distribution (Glorot-uniform with the layer's fans: the scale of the forward
    /// initialisation, so FA does not win by an effectively larger learning rate), from
    /// `ChaCha8Rng::seed_from_u64(seed)`. For a convolutional layer `B_l` is a random kernel of
    /// `W_l`'s shape `(K, C·R·S)`, used in the transposed convolution.
    ///
    /// # Errors
    /// Never for a valid network (initialiser errors are propagated).
    pub fn new(net: &Network, seed: u64) -> Result<Self> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut feedback = vec![Matrix::zeros(0, 0)];
        for l in 1..net.num_layers() {
            let (rows, cols) = net.layer_weight(l).shape();
            feedback.push(net.init_weight(l, rows, cols, &mut rng)?);
        }
        Ok(FeedbackAlignment {
            feedback,
            ws: Workspace::default(),
        })
    }

    /// Explicit feedback matrices, one per layer `l = 2..=L`, each with the shape of `W_l`
    /// (out, in). Passing the forward weights themselves gives exactly backprop.
    ///
    /// # Errors
    /// [`PlasticityError::ShapeMismatch`] if a matrix has the wrong shape or count,
    /// [`PlasticityError::Tensor`] (`TensorError::NonFinite`) for NaN/Inf entries.
    pub fn with_feedback(net: &Network, matrices: Vec<Matrix>) -> Result<Self> {
        if matrices.len() + 1 != net.num_layers() {
            return Err(PlasticityError::ShapeMismatch {
                op: "feedback alignment: number of feedback matrices (layers - 1)",
                expected: (net.num_layers() - 1, 1),
                got: (matrices.len(), 1),
            });
        }
        let mut feedback = vec![Matrix::zeros(0, 0)];
        for (i, b) in matrices.into_iter().enumerate() {
            let w = net.layer_weight(i + 1);
            if b.shape() != w.shape() {
                return Err(PlasticityError::ShapeMismatch {
                    op: "feedback alignment: feedback matrix (shape of W_l)",
                    expected: w.shape(),
                    got: b.shape(),
                });
            }
            neurograd_tensor::validate::check_finite(
                &b,
                &format!("feedback matrix of layer {}", i + 2),
            )?;
            feedback.push(b);
        }
        Ok(FeedbackAlignment {
            feedback,
            ws: Workspace::default(),
        })
    }

    /// Feedback matrix used in place of `W_l` (0-based layer index, `1 <= l < L`; the first
    /// layer has none).
    ///
    /// # Errors
    /// [`PlasticityError::InvalidParameter`] naming `layer` for `l = 0` or `l >= L`.
    pub fn feedback(&self, l: usize) -> Result<&Matrix> {
        match self.feedback.get(l) {
            Some(b) if l >= 1 => Ok(b),
            _ => Err(PlasticityError::InvalidParameter {
                name: "layer",
                value: l.to_string(),
                reason: format!(
                    "feedback matrices exist for layers 1..{} (0-based)",
                    self.feedback.len()
                ),
            }),
        }
    }

    fn check_net(&self, net: &Network) -> Result<()> {
        if self.feedback.len() != net.num_layers() {
            return Err(PlasticityError::ShapeMismatch {
                op: "feedback alignment: network depth",
                expected: (self.feedback.len(), 1),
                got: (net.num_layers(), 1),
            });
        }
        for l in 1..net.num_layers() {
            if self.feedback[l].shape() != net.layer_weight(l).shape() {
                return Err(PlasticityError::ShapeMismatch {
                    op: "feedback alignment: feedback vs weight shape",
                    expected: net.layer_weight(l).shape(),
                    got: self.feedback[l].shape(),
                });
            }
        }
        Ok(())
    }
}

impl CreditAssignment for FeedbackAlignment {
    fn name(&self) -> &'static str {
        "fa"
    }

    fn supports_conv(&self) -> bool {
        true
    }

    fn updates_into(
        &mut self,
        net: &Network,
        x: &Matrix,
        t: &Matrix,
        out: &mut Updates,
    ) -> Result<()> {
        net.check_batch(x, t)?;
        self.check_net(net)?;
        let loss = feedforward_updates(
            net,
            x,
            t,
            &mut self.ws,
            FeedbackPath::Layerwise(&self.feedback),
            out,
        )?;
        out.diagnostics = Diagnostics::feedforward(loss);
        Ok(())
    }
}
