//! snnTorch's `Leaky` neuron, reproduced exactly (Eshraghian et al. 2023, "Training spiking
//! neural networks using lessons from deep learning", Proc. IEEE 111(9):1016-1054; code
//! `jeshraghian/snntorch`, `snntorch/_neurons/leaky.py`).
//!
//! One step with input `I[t+1]`, decay `β` (clamped to `[0, 1]` as snnTorch does in the forward
//! pass) and threshold `θ`:
//!
//! ```text
//! R[t]   = H(U[t] − θ)                      (reset from the *previous* membrane, detached)
//! U[t+1] = β U[t] + I[t+1] − R[t] θ          (reset_mechanism = "subtract", the default)
//!        = β (1 − R[t]) U[t] + I[t+1]        ("zero")
//!        = β U[t] + I[t+1]                   ("none")
//! S[t+1] = H(U[t+1] − θ)                     (strict; the surrogate, ATan(α = 2) by default, in backward)
//! ```
//!
//! With `reset_delay = true` (the default) that is all, and the returned membrane is the pre-reset
//! value. With `reset_delay = false` the reset is also applied in the same step, avoiding a
//! double reset: `U[t+1] ← U[t+1] − (S[t+1] − R[t]) θ` (subtract) or `U[t+1] − (S[t+1] − R[t])
//! U[t+1]` (zero).
//!
//! The delayed subtractive reset is the reset of Bellec et al.'s LIF (`v^{t+1} = α v^t + I −
//! v_th z^t`) with `α = β`, `ζ = 1`, `v_th = θ` and no refractoriness, so a one-neuron
//! [`SpikingNet`](super::SpikingNet) with `τ_m = −δt/ln β` reproduces this trace (tested).
//! Reference trace (β = 0.9, θ = 1, I = 0.5; reference §4.3): `U = 0.5, 0.95, 1.355 (S),
//! 0.7195, 1.14755 (S), 0.532795, 0.979516, 1.381564 (S)`; with `reset_delay = false` the spikes
//! are at steps 3, 5 and 7.

use neurograd_tensor::{Real, Surrogate};

use super::super::invalid;
use crate::Result;

/// snnTorch's `reset_mechanism`.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub enum LeakyReset {
    /// `"subtract"` (the default): subtract the threshold.
    #[default]
    Subtract,
    /// `"zero"`: reset the membrane to zero.
    Zero,
    /// `"none"`: pure integration.
    None,
}

/// snnTorch's `snn.Leaky` (see the [module docs](self)).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SnnTorchLeaky {
    beta: Real,
    threshold: Real,
    reset: LeakyReset,
    reset_delay: bool,
    surrogate: Surrogate,
}

/// The membrane and spikes of a [`SnnTorchLeaky`] run.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct LeakyTrace {
    /// `U[t]` as returned by `forward` (pre-reset with `reset_delay = true`).
    pub mem: Vec<Real>,
    /// `S[t]`.
    pub spk: Vec<bool>,
}

impl SnnTorchLeaky {
    /// `snn.Leaky(beta, threshold)` with snnTorch's defaults: subtractive reset,
    /// `reset_delay = true`, ATan(α = 2) surrogate.
    ///
    /// # Errors
    /// [`crate::PlasticityError::InvalidParameter`] for a non-finite `beta` or a non-finite or
    /// non-positive threshold.
    pub fn new(beta: Real, threshold: Real) -> Result<Self> {
        if !beta.is_finite() {
            return Err(invalid("beta", beta, "must be finite"));
        }
        if !(threshold.is_finite() && threshold > 0.0) {
            return Err(invalid("threshold", threshold, "must be finite and > 0"));
        }
        Ok(SnnTorchLeaky {
            beta,
            threshold,
            reset: LeakyReset::Subtract,
            reset_delay: true,
            surrogate: Surrogate::SNNTORCH_DEFAULT,
        })
    }

    /// With another reset mechanism.
    pub fn with_reset(mut self, reset: LeakyReset) -> Self {
        self.reset = reset;
        self
    }

    /// With `reset_delay`.
    pub fn with_reset_delay(mut self, reset_delay: bool) -> Self {
        self.reset_delay = reset_delay;
        self
    }

    /// With another surrogate.
    ///
    /// # Errors
    /// Invalid surrogate parameters.
    pub fn with_surrogate(mut self, surrogate: Surrogate) -> Result<Self> {
        surrogate.check()?;
        self.surrogate = surrogate;
        Ok(self)
    }

    /// The surrogate used in the backward pass (`ψ(U − θ)`).
    pub fn surrogate(&self) -> Surrogate {
        self.surrogate
    }

    /// One `forward` call: updates the membrane `mem` with input `input`, returns the spike.
    pub fn step(&self, mem: &mut Real, input: Real) -> bool {
        let beta = self.beta.clamp(0.0, 1.0);
        let heav = |u: Real| if u - self.threshold > 0.0 { 1.0 } else { 0.0 };
        let r = heav(*mem);
        let m = match self.reset {
            LeakyReset::Subtract => beta * *mem + input - r * self.threshold,
            LeakyReset::Zero => beta * ((1.0 - r) * *mem) + input,
            LeakyReset::None => beta * *mem + input,
        };
        let s = heav(m);
        *mem = if self.reset_delay {
            m
        } else {
            let do_reset = s - r;
            match self.reset {
                LeakyReset::Subtract => m - do_reset * self.threshold,
                LeakyReset::Zero => m - do_reset * m,
                LeakyReset::None => m,
            }
        };
        s > 0.0
    }

    /// Runs from `U = 0` over the inputs `I[1..]`.
    ///
    /// # Errors
    /// [`crate::PlasticityError::Tensor`] (`NonFinite`) for a non-finite input.
    pub fn run(&self, inputs: &[Real]) -> Result<LeakyTrace> {
        neurograd_tensor::validate::check_finite_slice(inputs, "SnnTorchLeaky inputs")?;
        let mut mem = 0.0;
        let mut tr = LeakyTrace::default();
        for &i in inputs {
            let s = self.step(&mut mem, i);
            tr.mem.push(mem);
            tr.spk.push(s);
        }
        Ok(tr)
    }
}
