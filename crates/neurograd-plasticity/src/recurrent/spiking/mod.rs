//! Recurrent spiking networks that learn: discrete-time LIF/ALIF networks (Bellec et al. 2020)
//! built on the neuron crate's [`Alif`](neurograd_neurons::alif::Alif), surrogate-gradient BPTT
//! (hand-written and through the autodiff tape), and e-prop with symmetric, random and adaptive
//! feedback; plus snnTorch's `Leaky` neuron reproduced exactly.
//!
//! | file | contents |
//! |---|---|
//! | [`network`] | [`SpikingNet`]: LIF + ALIF neurons, leaky readout, reset convention, pseudo-derivative |
//! | [`bptt_sg`] | [`SurrogateBptt`] (`"bptt-sg"`), [`total_learning_signal`] (eq. 1's `dE/dz^t`) |
//! | [`tape`] | the same network on the autodiff tape ([`TapeSpikingOptions`]): the reference ([`TapeSurrogateBptt`], `"bptt-sg-tape"`), the smooth network, e-prop by stop-gradients |
//! | [`eligibility`] | eligibility vectors and traces (LIF one component, ALIF two: Bellec et al. 2020, eq. 25), the κ filter |
//! | [`eprop`] | [`Eprop`]: `"eprop-sym"`, `"eprop-random"`, `"eprop-adaptive"`, `"eprop-sym-wrec0"` |
//! | `rows` | the batched forward step in sample-major layout (sparse input and spike products, the branch-free neuron update) that every pass uses |
//! | [`snntorch`] | [`SnnTorchLeaky`]: snnTorch's `Leaky` (reset from the previous membrane, `reset_delay`) |
//!
//! All algorithms implement [`RecurrentAlgorithm<SpikingNet>`](super::RecurrentAlgorithm) and
//! are registered in `recurrent/mod.rs` (`SPIKING_ALGORITHMS`).

pub mod bptt_sg;
pub mod eligibility;
pub mod eprop;
pub mod network;
pub(crate) mod rows;
pub mod snntorch;
pub mod tape;

use neurograd_tensor::{Matrix, Real};

pub use bptt_sg::{BpttResult, SurrogateBptt, surrogate_bptt, total_learning_signal};
pub use eligibility::{KappaFilter, factorised_gradient};
pub use eprop::{Eprop, EpropConfig, Feedback};
pub use network::{
    PseudoDerivative, Reset, SpikesAndReadouts, SpikingNet, SpikingNetConfig, SpikingState,
    SpikingTrajectory,
};
pub use snntorch::{LeakyReset, LeakyTrace, SnnTorchLeaky};
pub use tape::{SpikeFunction, TapeSpikingOptions, TapeSurrogateBptt, tape_gradient, tape_loss};

use super::{RecurrentNet, invalid};
use crate::Result;

/// Firing-rate regulariser `E_reg = c Σ_j (f_j − f_0)²` (Bellec et al. 2020, evidence
/// accumulation: target 10 Hz, `c = 1`), with `f_j = (1000/δt) · mean_{b,t} z_bj^t` in Hz.
///
/// Its derivative with respect to each spike is direct (per neuron, the same for every step and
/// sample): `∂E_reg/∂z_bj^t = 2c (f_j − f_0) · 1000/(δt T B)`. BPTT adds it to the learning
/// signal; e-prop multiplies it with the (unfiltered) eligibility trace, which is exact for this
/// term (reference §2.3, §2.4 condition 4).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RateRegularization {
    /// Target rate `f_0` (Hz), finite and ≥ 0.
    pub target_hz: Real,
    /// Coefficient `c`, finite and ≥ 0.
    pub coef: Real,
}

impl RateRegularization {
    /// Checks the parameters.
    ///
    /// # Errors
    /// [`crate::PlasticityError::InvalidParameter`] for a negative or non-finite value.
    pub fn check(&self) -> Result<()> {
        if !(self.target_hz.is_finite() && self.target_hz >= 0.0) {
            return Err(invalid(
                "target_hz",
                self.target_hz,
                "must be finite and >= 0",
            ));
        }
        if !(self.coef.is_finite() && self.coef >= 0.0) {
            return Err(invalid("coef", self.coef, "must be finite and >= 0"));
        }
        Ok(())
    }

    /// The penalty and its per-neuron direct derivative `∂E_reg/∂z_bj^t` for spikes `z`
    /// (`T` matrices `B × n`).
    ///
    /// # Errors
    /// Invalid parameters; an empty spike sequence.
    pub fn loss_and_direct_term(
        &self,
        net: &SpikingNet,
        z: &[Matrix],
    ) -> Result<(Real, Vec<Real>)> {
        let Some(first) = z.first() else {
            return Err(invalid("spikes", 0, "need at least one step"));
        };
        let mut counts = Matrix::zeros(first.nrows(), first.ncols());
        for zt in z {
            counts += zt;
        }
        self.from_counts(net, &counts, z.len())
    }

    /// As [`Self::loss_and_direct_term`] from the spike counts summed over the `steps` steps
    /// (`B × n`), which is all the regulariser needs (e-prop's first pass keeps only these).
    ///
    /// # Errors
    /// Invalid parameters; zero steps or samples; counts of the wrong width.
    pub fn from_counts(
        &self,
        net: &SpikingNet,
        counts: &Matrix,
        steps: usize,
    ) -> Result<(Real, Vec<Real>)> {
        self.check()?;
        let n = net.sizes().n_rec;
        if counts.ncols() != n || counts.nrows() == 0 {
            return Err(crate::PlasticityError::ShapeMismatch {
                op: "RateRegularization (spike counts)",
                expected: (counts.nrows().max(1), n),
                got: counts.shape(),
            });
        }
        if steps == 0 {
            return Err(invalid("steps", 0, "need at least one step"));
        }
        let samples = (steps * counts.nrows()) as Real;
        let hz = 1000.0 / net.config().dt_ms;
        let mut loss = 0.0;
        let direct = counts
            .column_iter()
            .map(|col| {
                let f = hz * col.sum() / samples;
                loss += self.coef * (f - self.target_hz) * (f - self.target_hz);
                2.0 * self.coef * (f - self.target_hz) * hz / samples
            })
            .collect();
        Ok((loss, direct))
    }
}
