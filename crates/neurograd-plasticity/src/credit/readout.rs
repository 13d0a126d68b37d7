//! The readout-only control ("hidden layers frozen"): only the output layer learns, with its exact
//! gradient `ΔW_L = δ_Lᵀ h_{L-1}`, `Δb_L = 1ᵀ δ_L`; every layer below gets a zero update, so it
//! keeps its random initialisation (for a CNN: frozen random convolutional features and a
//! trained linear readout).
//!
//! It is the baseline the vision reference (§2, test T7) asks every biologically plausible rule
//! to beat: the output layer's own update is exact in feedback alignment, DFA and sign symmetry
//! alike, so a rule "learns" only by what it adds below the readout. It is also feedback
//! alignment with zero feedback (detached feedback, `δ_l = 0` for `l < L`), and the tests check
//! that the two coincide.

use neurograd_tensor::Matrix;

use super::backprop::{FeedbackPath, Workspace, feedforward_updates};
use super::network::Network;
use super::{CreditAssignment, Diagnostics, Updates};
use crate::Result;

/// Trains the output layer only (see the module docs).
#[derive(Clone, Debug, Default)]
pub struct ReadoutOnly {
    ws: Workspace,
}

impl ReadoutOnly {
    /// A new readout-only learner.
    pub fn new() -> Self {
        Self::default()
    }
}

impl CreditAssignment for ReadoutOnly {
    fn name(&self) -> &'static str {
        "readout"
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
        let loss = feedforward_updates(net, x, t, &mut self.ws, FeedbackPath::Detached, out)?;
        out.diagnostics = Diagnostics::feedforward(loss);
        Ok(())
    }
}
