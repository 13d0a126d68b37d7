//! Sign-concordant feedback with BioTorch's magnitude conventions (Sanfiz & Akrout 2021,
//! arXiv 2108.13446, code of jsalbert/biotorch; after Liao, Leibo & Poggio 2016 and Moskovitz,
//! Litwin-Kumar & Abbott 2018). The error travels down as in
//! [`SignSymmetry`](super::SignSymmetry), `δ_l = (δ_{l+1} B_{l+1}) ⊙ f_l'(a_l)` (for a
//! convolutional layer: the transposed convolution with the kernel `B_{l+1}`, then pooling
//! backward and `f'`), with
//!
//! ```text
//! uSF:   B_l = c_l · sign(W_l),        c_l = √(2/(fan_in + fan_out))  (the std of the Xavier init)
//! frSF:  B_l = |M_l| ∘ sign(W_l),      M_l drawn once from W_l's initial distribution
//! brSF:  B_l = |M_l| ∘ sign(W_l),      M_l redrawn from that distribution every batch
//! ```
//!
//! (fans of a convolution: `C·R·S` and `K·R·S`). The magnitude scaling matters: FA and uSF need
//! `B` scaled like `W`'s initialisation (vision reference §2; BioTorch and Xiao et al. 2019 both
//! scale by the init std). brSF draws `M_l` of step `s` from
//! `ChaCha8Rng::seed_from_u64(mix(seed, s, l))`, so a resumed run redraws the same magnitudes.
//! When every `|W|` of a layer is equal, uSF's feedback is a positive multiple of `W` and its
//! update points like backprop's within each layer (tested).

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use neurograd_tensor::Matrix;
use neurograd_tensor::seed::mix;

use super::backprop::{FeedbackPath, Workspace, feedforward_updates};
use super::network::Network;
use super::sign_symmetry::sign_concordant_into;
use super::{CreditAssignment, Diagnostics, Updates};
use crate::{PlasticityError, Result};

/// The magnitude convention of [`SignConcordant`] feedback (BioTorch's names).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignVariant {
    /// Uniform sign-concordant feedback: `c_l · sign(W_l)`, `c_l` the init std.
    Usf,
    /// Batchwise random-magnitude sign-concordant feedback: `|M_l| ∘ sign(W_l)`, `M_l` redrawn
    /// every batch.
    Brsf,
    /// Fixed random-magnitude sign-concordant feedback: `|M_l| ∘ sign(W_l)`, `M_l` fixed.
    Frsf,
}

/// Sign-concordant feedback with BioTorch's magnitude conventions (see the module docs).
#[derive(Clone, Debug)]
pub struct SignConcordant {
    variant: SignVariant,
    seed: u64,
    step: u64,
    /// frSF: the fixed `M_l` (index `l`, index 0 unused); empty otherwise.
    magnitudes: Vec<Matrix>,
    feedback: Vec<Matrix>,
    ws: Workspace,
}

impl SignConcordant {
    /// Sign-concordant feedback of `variant` for `net`; frSF draws its fixed magnitudes and brSF
    /// its per-batch magnitudes from `seed`.
    ///
    /// # Errors
    /// Initialiser errors (never for a valid network).
    pub fn new(net: &Network, variant: SignVariant, seed: u64) -> Result<Self> {
        let mut magnitudes = Vec::new();
        if variant == SignVariant::Frsf {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            magnitudes.push(Matrix::zeros(0, 0));
            for l in 1..net.num_layers() {
                let (rows, cols) = net.layer_weight(l).shape();
                magnitudes.push(net.init_weight(l, rows, cols, &mut rng)?);
            }
        }
        Ok(SignConcordant {
            variant,
            seed,
            step: 0,
            magnitudes,
            feedback: Vec::new(),
            ws: Workspace::default(),
        })
    }

    /// The variant.
    pub fn variant(&self) -> SignVariant {
        self.variant
    }

    /// The feedback kernel `B_l` used by the last update (0-based layer `1 <= l < L`).
    ///
    /// # Errors
    /// [`PlasticityError::InvalidParameter`] named `layer` for `l = 0`, `l >= L` or before the
    /// first update.
    pub fn feedback(&self, l: usize) -> Result<&Matrix> {
        match self.feedback.get(l) {
            Some(b) if l >= 1 => Ok(b),
            _ => Err(PlasticityError::InvalidParameter {
                name: "layer",
                value: l.to_string(),
                reason: format!(
                    "feedback exists for layers 1..{} (0-based) after an update",
                    self.feedback.len()
                ),
            }),
        }
    }
}

impl CreditAssignment for SignConcordant {
    fn name(&self) -> &'static str {
        match self.variant {
            SignVariant::Usf => "usf",
            SignVariant::Brsf => "brsf",
            SignVariant::Frsf => "frsf",
        }
    }

    fn updates_into(
        &mut self,
        net: &Network,
        x: &Matrix,
        t: &Matrix,
        out: &mut Updates,
    ) -> Result<()> {
        net.check_batch(x, t)?;
        let l_count = net.num_layers();
        if self.variant == SignVariant::Frsf {
            let ok = self.magnitudes.len() == l_count
                && (1..l_count).all(|l| self.magnitudes[l].shape() == net.layer_weight(l).shape());
            if !ok {
                return Err(PlasticityError::ShapeMismatch {
                    op: "sign-concordant feedback (frSF): network does not match the magnitudes",
                    expected: (self.magnitudes.len(), 1),
                    got: (l_count, 1),
                });
            }
        }
        self.feedback.resize_with(l_count, || Matrix::zeros(0, 0));
        for l in 1..l_count {
            let w = net.layer_weight(l);
            match self.variant {
                SignVariant::Usf => {
                    let c = net.init_std(l);
                    sign_concordant_into(&mut self.feedback[l], w, |_| c);
                }
                SignVariant::Frsf => {
                    let m = &self.magnitudes[l];
                    sign_concordant_into(&mut self.feedback[l], w, |i| m.as_slice()[i].abs());
                }
                SignVariant::Brsf => {
                    let mut rng = ChaCha8Rng::seed_from_u64(mix(self.seed, self.step, l as u64));
                    let m = net.init_weight(l, w.nrows(), w.ncols(), &mut rng)?;
                    sign_concordant_into(&mut self.feedback[l], w, |i| m.as_slice()[i].abs());
                }
            }
        }
        self.step = self.step.wrapping_add(1);
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

    fn set_step(&mut self, step: u64) {
        self.step = step;
    }

    fn supports_conv(&self) -> bool {
        true
    }
}
