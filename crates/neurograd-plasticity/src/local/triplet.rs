//! Triplet STDP (Pfister & Gerstner 2006, J. Neurosci. 26:9673), all-to-all, event-driven.
//!
//! Traces: pre `r₁` (τ₊), `r₂` (τ_x); post `o₁` (τ₋), `o₂` (τ_y); each `+1` at its own spike.
//! On a pre spike: `w ← w − o₁(t) [A₂⁻ + A₃⁻ r₂(t⁻)]`; on a post spike:
//! `w ← w + r₁(t) [A₂⁺ + A₃⁺ o₂(t⁻)]`. Every trace is read before any increment at the same
//! time (so a spike's own triplet trace never counts itself).
//!
//! Theory: for independent Poisson trains the mean drift is
//! `⟨dw/dt⟩ = ν_pre ν_post (A₂⁺τ₊ − A₂⁻τ₋) + A₃⁺τ₊τ_y ν_pre ν_post² − A₃⁻τ₋τ_x ν_pre² ν_post`.
//! With `A₃⁻ = 0` this is `ν_pre φ(ν_post)`, a BCM parabola with threshold
//! `θ = (A₂⁻τ₋ − A₂⁺τ₊)/(A₃⁺τ₊τ_y)` (18.12 Hz for the minimal visual-cortex set).
//!
//! Units: times and time constants in ms, rates in Hz, drift in 1/s (`τ` converted to seconds in
//! the formulas). [`TripletStdp`] implements [`SpikeRule`] with the all-to-all triplet
//! [`SpikeKernel`].

use super::check;
use super::spike_rule::{SpikeKernel, SpikeRule, SpikeTrains};
use super::stdp::{Pairing, Trace, count_at, next_time};
use crate::{PlasticityError, Result};
use neurograd_tensor::Real;

/// Triplet STDP parameters; times in ms.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TripletStdp {
    /// Pair potentiation `A₂⁺`.
    pub a2_plus: Real,
    /// Triplet potentiation `A₃⁺`.
    pub a3_plus: Real,
    /// Pair depression `A₂⁻`.
    pub a2_minus: Real,
    /// Triplet depression `A₃⁻`.
    pub a3_minus: Real,
    /// `τ₊` (ms, pre trace `r₁`).
    pub tau_plus: Real,
    /// `τ₋` (ms, post trace `o₁`).
    pub tau_minus: Real,
    /// `τ_x` (ms, pre trace `r₂`).
    pub tau_x: Real,
    /// `τ_y` (ms, post trace `o₂`).
    pub tau_y: Real,
}

impl TripletStdp {
    /// Checks amplitudes `≥ 0` and time constants `> 0` ([`SpikeKernel::check`]).
    pub fn check(self) -> Result<Self> {
        for (n, v) in [
            ("a2_plus", self.a2_plus),
            ("a3_plus", self.a3_plus),
            ("a2_minus", self.a2_minus),
            ("a3_minus", self.a3_minus),
        ] {
            check::non_negative(n, v)?;
        }
        self.triplet_kernel().check()?;
        Ok(self)
    }

    /// Pfister & Gerstner (2006) visual-cortex set (Sjöström et al. 2001 data), all-to-all, full
    /// model: τ₊ = 16.8 ms, τ₋ = 33.7 ms, τ_x = 101 ms, τ_y = 125 ms, A₂⁺ = 5e-10, A₃⁺ = 6.2e-3,
    /// A₂⁻ = 7e-3, A₃⁻ = 2.3e-4.
    pub fn visual_cortex() -> Self {
        Self {
            a2_plus: 5e-10,
            a3_plus: 6.2e-3,
            a2_minus: 7e-3,
            a3_minus: 2.3e-4,
            tau_plus: 16.8,
            tau_minus: 33.7,
            tau_x: 101.0,
            tau_y: 125.0,
        }
    }

    /// The minimal visual-cortex model: the visual set with `A₃⁻ = 0` (BCM-like drift).
    pub fn visual_cortex_minimal() -> Self {
        Self {
            a3_minus: 0.0,
            ..Self::visual_cortex()
        }
    }

    /// Pfister & Gerstner (2006) hippocampal set (Wang et al. 2005 data), all-to-all, full model:
    /// A₂⁺ = 6.1e-3, A₃⁺ = 6.7e-3, A₂⁻ = 1.6e-3, A₃⁻ = 1.4e-3, τ_x = 946 ms, τ_y = 27 ms,
    /// τ₊ = 16.8 ms, τ₋ = 33.7 ms.
    pub fn hippocampal() -> Self {
        Self {
            a2_plus: 6.1e-3,
            a3_plus: 6.7e-3,
            a2_minus: 1.6e-3,
            a3_minus: 1.4e-3,
            tau_plus: 16.8,
            tau_minus: 33.7,
            tau_x: 946.0,
            tau_y: 27.0,
        }
    }

    /// Mean drift `⟨dw/dt⟩` (1/s) for independent Poisson trains (rates in Hz)
    /// ([`SpikeKernel::increment_drift`] of [`kernel`](SpikeRule::kernel)).
    pub fn rate_drift(&self, nu_pre: Real, nu_post: Real) -> Real {
        self.triplet_kernel().increment_drift(nu_pre, nu_post)
    }

    fn triplet_kernel(&self) -> SpikeKernel {
        SpikeKernel {
            a2_plus: self.a2_plus,
            a2_minus: self.a2_minus,
            a3_plus: self.a3_plus,
            a3_minus: self.a3_minus,
            tau_plus: self.tau_plus,
            tau_minus: self.tau_minus,
            tau_x: self.tau_x,
            tau_y: self.tau_y,
            pairing: Pairing::AllToAll,
            tau_eligibility: None,
        }
    }

    /// The BCM-like threshold `θ = (A₂⁻τ₋ − A₂⁺τ₊)/(A₃⁺τ₊τ_y)` (Hz, with `τ` in seconds) of the
    /// post rate where the drift changes sign; only defined for `A₃⁻ = 0` and `A₃⁺ > 0` (else an
    /// error).
    pub fn bcm_threshold(&self) -> Result<Real> {
        if self.a3_minus != 0.0 || self.a3_plus <= 0.0 {
            return Err(PlasticityError::InvalidParameter {
                name: "a3_minus",
                value: format!("{} (a3_plus {})", self.a3_minus, self.a3_plus),
                reason: "the BCM threshold is defined for the minimal model (A₃⁻ = 0, A₃⁺ > 0)"
                    .to_string(),
            });
        }
        // τ in ms: (ms / ms²) = 1/ms, × 1000 for Hz
        Ok(
            1e3 * (self.a2_minus * self.tau_minus - self.a2_plus * self.tau_plus)
                / (self.a3_plus * self.tau_plus * self.tau_y),
        )
    }

    /// Event-driven, trace-based run over sorted spike trains from weight `w0` (additive,
    /// unbounded); returns the final weight.
    pub fn run(&self, pre: &[Real], post: &[Real], w0: Real) -> Result<Real> {
        self.check()?;
        check::spike_train("pre spike times", pre)?;
        check::spike_train("post spike times", post)?;
        check::finite_slice("w0", &[w0])?;
        let mut r1 = Trace {
            value: 0.0,
            tau: self.tau_plus,
        };
        let mut r2 = Trace {
            value: 0.0,
            tau: self.tau_x,
        };
        let mut o1 = Trace {
            value: 0.0,
            tau: self.tau_minus,
        };
        let mut o2 = Trace {
            value: 0.0,
            tau: self.tau_y,
        };
        let mut w = w0;
        let (mut i, mut j) = (0usize, 0usize);
        let mut t_last = 0.0;
        while let Some(t) = next_time(&[pre.get(i).copied(), post.get(j).copied()]) {
            for tr in [&mut r1, &mut r2, &mut o1, &mut o2] {
                tr.decay(t - t_last);
            }
            t_last = t;
            let n_pre = count_at(&pre[i..], t);
            let n_post = count_at(&post[j..], t);
            let (fp, fq) = (n_pre as Real, n_post as Real);
            w -= fp * o1.value * (self.a2_minus + self.a3_minus * r2.value);
            w += fq * r1.value * (self.a2_plus + self.a3_plus * o2.value);
            r1.value += fp;
            r2.value += fp;
            o1.value += fq;
            o2.value += fq;
            i += n_pre;
            j += n_post;
        }
        if !w.is_finite() {
            return Err(PlasticityError::NonFinite {
                what: "triplet weight".to_string(),
                index: 0,
            });
        }
        Ok(w)
    }
}

impl SpikeRule for TripletStdp {
    fn weight_change(&self, trains: &SpikeTrains<'_>, weight: Real) -> Result<Real> {
        trains.validate_unmodulated("triplet STDP")?;
        Ok(self.run(trains.pre, trains.post, weight)? - weight)
    }

    fn kernel(&self) -> Result<SpikeKernel> {
        self.check()?;
        Ok(self.triplet_kernel())
    }

    fn name(&self) -> &'static str {
        "triplet STDP (all-to-all)"
    }
}
