//! Direct feedback alignment (Nøkland 2016, NeurIPS).
//!
//! Every hidden layer receives the output error directly through its own fixed random matrix
//! `D_l` of shape `(n_L, n_l)`:
//!
//! ```text
//! δ_L = ∂L/∂a_L,   δ_l = (δ_L D_l) ⊙ f_l'(a_l)   (l < L),   ΔW_l = δ_lᵀ h_{l-1},   Δb_l = 1ᵀ δ_l
//! ```
//!
//! For the top hidden layer, `D_{L-1} = W_L` gives backprop exactly; deeper layers are never
//! backprop. DFA is not a gradient; like FA it learns by alignment.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use neurograd_tensor::{Matrix, init};

use super::backprop::{FeedbackPath, Workspace, feedforward_updates};
use super::network::Network;
use super::{CreditAssignment, Diagnostics, Updates};
use crate::{PlasticityError, Result};

/// Direct feedback alignment with one fixed random matrix per hidden layer.
#[derive(Clone, Debug)]
pub struct DirectFeedbackAlignment {
    /// `direct[l - 1]` (shape `(n_L, n_l)`) feeds the output delta to hidden layer `l`.
    direct: Vec<Matrix>,
    ws: Workspace,
}

impl DirectFeedbackAlignment {
    /// Random direct-feedback matrices, Glorot-uniform, from `ChaCha8Rng::seed_from_u64(seed)`.
    ///
    /// # Errors
    /// Never for a valid network (initialiser errors are propagated).
    pub fn new(net: &Network, seed: u64) -> Result<Self> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let n_out = net.output_width();
        let mut direct = Vec::new();
        for l in 1..net.num_layers() {
            direct.push(init::glorot_uniform(n_out, net.widths()[l], &mut rng)?);
        }
        Ok(DirectFeedbackAlignment {
            direct,
            ws: Workspace::default(),
        })
    }

    /// Explicit matrices `D_l`, one per hidden layer, each `(n_L, n_l)`.
    ///
    /// # Errors
    /// [`PlasticityError::ShapeMismatch`] for a wrong count or shape; non-finite entries.
    pub fn with_feedback(net: &Network, matrices: Vec<Matrix>) -> Result<Self> {
        if matrices.len() + 1 != net.num_layers() {
            return Err(PlasticityError::ShapeMismatch {
                op: "direct feedback alignment: number of matrices (layers - 1)",
                expected: (net.num_layers() - 1, 1),
                got: (matrices.len(), 1),
            });
        }
        for (i, d) in matrices.iter().enumerate() {
            let expected = (net.output_width(), net.widths()[i + 1]);
            if d.shape() != expected {
                return Err(PlasticityError::ShapeMismatch {
                    op: "direct feedback alignment: matrix (n_L, n_l)",
                    expected,
                    got: d.shape(),
                });
            }
            neurograd_tensor::validate::check_finite(
                d,
                &format!("direct feedback matrix of layer {}", i + 1),
            )?;
        }
        Ok(DirectFeedbackAlignment {
            direct: matrices,
            ws: Workspace::default(),
        })
    }

    /// Direct feedback matrix of hidden layer `l` (1-based hidden index, `1 <= l < L`).
    ///
    /// # Errors
    /// [`PlasticityError::InvalidParameter`] naming `layer` for `l = 0` or `l >= L`.
    pub fn feedback(&self, l: usize) -> Result<&Matrix> {
        l.checked_sub(1)
            .and_then(|i| self.direct.get(i))
            .ok_or_else(|| PlasticityError::InvalidParameter {
                name: "layer",
                value: l.to_string(),
                reason: format!("hidden layers are 1..={} (1-based)", self.direct.len()),
            })
    }
}

impl CreditAssignment for DirectFeedbackAlignment {
    fn name(&self) -> &'static str {
        "dfa"
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
        let ok = self.direct.len() + 1 == net.num_layers()
            && self
                .direct
                .iter()
                .enumerate()
                .all(|(i, d)| d.shape() == (net.output_width(), net.widths()[i + 1]));
        if !ok {
            return Err(PlasticityError::ShapeMismatch {
                op: "direct feedback alignment: network does not match the feedback matrices",
                expected: (self.direct.len() + 1, 1),
                got: (net.num_layers(), 1),
            });
        }
        let loss = feedforward_updates(
            net,
            x,
            t,
            &mut self.ws,
            FeedbackPath::Direct(&self.direct),
            out,
        )?;
        out.diagnostics = Diagnostics::feedforward(loss);
        Ok(())
    }
}
