//! Sign symmetry (Liao, Leibo & Poggio 2016, AAAI): feedback weights that share only the *signs*
//! of the forward weights ("uniform sign-concordant feedback", uSF in BioTorch's naming):
//!
//! ```text
//! δ_l = (δ_{l+1} sign(W_{l+1})) ⊙ f_l'(a_l),   ΔW_l = δ_lᵀ h_{l-1},   Δb_l = 1ᵀ δ_l
//! ```
//!
//! For a convolutional layer `B_l` is a kernel of `W_l`'s shape used in the transposed
//! convolution (vision reference §2).
//!
//! The magnitude conventions of BioTorch (uSF, brSF, frSF) are
//! [`SignConcordant`](super::SignConcordant).
//!
//! Because the feedback is sign-concordant with `Wᵀ`, each entry of the teaching signal agrees in
//! sign with backprop's contribution, so the update is aligned from the first step (the
//! magnitudes are not transported, the signs are). The feedback magnitude is `scale` per synapse
//! (default 1); with an adaptive optimizer (Adam) the scale is immaterial.

use neurograd_tensor::{Matrix, Real};

use super::backprop::{FeedbackPath, Workspace, feedforward_updates};
use super::network::Network;
use super::{CreditAssignment, Diagnostics, Updates};
use crate::{PlasticityError, Result};

/// Sign-symmetric feedback `B_l = scale · sign(W_l)`, recomputed from the current weights.
#[derive(Clone, Debug)]
pub struct SignSymmetry {
    scale: Real,
    feedback: Vec<Matrix>,
    ws: Workspace,
}

impl Default for SignSymmetry {
    fn default() -> Self {
        SignSymmetry {
            scale: 1.0,
            feedback: Vec::new(),
            ws: Workspace::default(),
        }
    }
}

impl SignSymmetry {
    /// Sign symmetry with unit feedback magnitude.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sign symmetry with feedback magnitude `scale` (positive, finite).
    ///
    /// # Errors
    /// [`PlasticityError::InvalidParameter`] for a non-positive or non-finite scale.
    pub fn with_scale(scale: Real) -> Result<Self> {
        if !(scale.is_finite() && scale > 0.0) {
            return Err(PlasticityError::InvalidParameter {
                name: "scale",
                value: format!("{scale}"),
                reason: "must be positive and finite".into(),
            });
        }
        Ok(SignSymmetry {
            scale,
            ..Self::default()
        })
    }
}

impl CreditAssignment for SignSymmetry {
    fn name(&self) -> &'static str {
        "ss"
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
        self.feedback
            .resize_with(net.num_layers(), || Matrix::zeros(0, 0));
        for l in 1..net.num_layers() {
            let scale = self.scale;
            sign_concordant_into(&mut self.feedback[l], net.layer_weight(l), |_| scale);
        }
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

/// `b = m_i · sign(w_i)` entrywise (`sign(0) = 0`), with the magnitude `m_i = magnitude(i)` of
/// entry `i` (column-major index).
pub(crate) fn sign_concordant_into(b: &mut Matrix, w: &Matrix, magnitude: impl Fn(usize) -> Real) {
    super::linalg::ensure_shape(b, w.nrows(), w.ncols());
    for (i, (bv, &wv)) in b.as_mut_slice().iter_mut().zip(w.as_slice()).enumerate() {
        *bv = if wv > 0.0 {
            magnitude(i)
        } else if wv < 0.0 {
            -magnitude(i)
        } else {
            0.0
        };
    }
}

