//! Synaptic kernels (delta, exponential, alpha) and their current- or conductance-based coupling.
//!
//! A presynaptic spike of weight `w` at time 0 produces the synaptic variable
//!
//! ```text
//! delta:        s(t) = w delta(t)                   (an instantaneous jump of the target by w)
//! exponential:  s(t) = w e^{-t/tau}
//! alpha:        s(t) = w (t/tau) e^{1 - t/tau}      (peak w at t = tau; Rall 1967)
//! ```
//!
//! and the synapse injects `I = s` (current-based, `s` in nA) or `I = s (E_rev - V)`
//! (conductance-based, `s` in uS, `E_rev` in mV). All kernels are propagated **exactly** on the
//! grid (stable for every `dt`): exponential `s <- s e^{-dt/tau}`; alpha as the linear pair
//! `x' = -x/tau`, `s' = (x - s)/tau` with a spike adding `w e` to `x`, whose exact step is
//! `s <- e^{-dt/tau} (s + x dt/tau)`, `x <- e^{-dt/tau} x`.

use serde::{Deserialize, Serialize};

use crate::validate;
use crate::{Real, Result};

/// Kernel shape.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Kernel {
    /// Instantaneous jump.
    Delta,
    /// Exponential decay with time constant `tau_ms`.
    Exponential {
        /// Decay time constant (ms).
        tau_ms: Real,
    },
    /// Alpha function with time constant `tau_ms` (peak at `tau_ms`).
    Alpha {
        /// Time constant (ms).
        tau_ms: Real,
    },
}

/// How the synaptic variable acts on the membrane.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Coupling {
    /// `I = s`.
    Current,
    /// `I = s (E_rev - V)`.
    Conductance {
        /// Reversal potential (mV).
        e_rev_mv: Real,
    },
}

/// One synaptic input channel (the sum of all synapses of one kind onto a neuron).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Synapse {
    kernel: Kernel,
    coupling: Coupling,
    decay: Real,
    h_over_tau: Real,
    s: Real,
    x: Real,
}

impl Synapse {
    /// A synapse with `kernel` and `coupling` for step `dt_ms` (time constants must be > 0).
    pub fn new(kernel: Kernel, coupling: Coupling, dt_ms: Real) -> Result<Self> {
        validate::positive("dt", dt_ms)?;
        if let Coupling::Conductance { e_rev_mv } = coupling {
            validate::finite("e_rev_mv", e_rev_mv)?;
        }
        let (decay, h_over_tau) = match kernel {
            Kernel::Delta => (0.0, 0.0),
            Kernel::Exponential { tau_ms } | Kernel::Alpha { tau_ms } => {
                validate::positive("tau_ms", tau_ms)?;
                ((-dt_ms / tau_ms).exp(), dt_ms / tau_ms)
            }
        };
        Ok(Self {
            kernel,
            coupling,
            decay,
            h_over_tau,
            s: 0.0,
            x: 0.0,
        })
    }

    /// Receive a spike of weight `w` (takes effect in [`value`](Self::value) immediately for delta
    /// and exponential kernels; the alpha kernel rises from 0).
    #[inline]
    pub fn spike(&mut self, w: Real) {
        match self.kernel {
            Kernel::Alpha { .. } => self.x += w * std::f64::consts::E,
            _ => self.s += w,
        }
    }

    /// The synaptic variable now (for a delta kernel: the pending jump of this step).
    #[inline]
    pub fn value(&self) -> Real {
        self.s
    }

    /// Synaptic current at membrane potential `v_mv`.
    #[inline]
    pub fn current(&self, v_mv: Real) -> Real {
        match self.coupling {
            Coupling::Current => self.s,
            Coupling::Conductance { e_rev_mv } => self.s * (e_rev_mv - v_mv),
        }
    }

    /// Advance one step (exact propagation; a delta kernel's jump is consumed).
    #[inline]
    pub fn step(&mut self) {
        match self.kernel {
            Kernel::Delta => self.s = 0.0,
            Kernel::Exponential { .. } => self.s *= self.decay,
            Kernel::Alpha { .. } => {
                self.s = self.decay * (self.s + self.x * self.h_over_tau);
                self.x *= self.decay;
            }
        }
    }
}
