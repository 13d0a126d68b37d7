//! The [`SpikeRule`] contract for spike-timing rules, and the [`SpikeKernel`] that states what a
//! rule computes so that a brute-force sum and a rate (drift) formula can be evaluated generically.
//!
//! **Units** (the whole workspace): spike times in **ms** (as in `neurograd_neurons`), rates in
//! **Hz**, time constants in **ms**, drifts `⟨dw/dt⟩` in **1/s** (weight change per second).
//!
//! The kernel is the all-to-all triplet form of Pfister & Gerstner (2006), which contains pair
//! STDP (Bi & Poo 1998; Song, Miller & Abbott 2000) as `A₃± = 0`, optionally with nearest-spike
//! pairing (pair terms only) and optionally gated by an eligibility trace read out by reward
//! pulses (Izhikevich 2007):
//!
//! - at a post spike `t`: increment `+ r₁(t) [A₂⁺ + A₃⁺ o₂(t⁻)]`,
//!   `r₁(t) = Σ_{t_pre < t} exp(−(t − t_pre)/τ₊)`, `o₂(t⁻) = Σ_{t'_post < t} exp(−(t − t')/τ_y)`;
//! - at a pre spike `t`: increment `− o₁(t) [A₂⁻ + A₃⁻ r₂(t⁻)]`, with `o₁` (τ₋) over earlier post
//!   spikes and `r₂` (τ_x) over earlier pre spikes;
//! - nearest-spike pairing keeps only the nearest earlier partner in `r₁`, `o₁`;
//! - with eligibility `τ_e`, an increment at `t` reaches the weight as
//!   `Σ_{rewards t_r ≥ t} a_r exp(−(t_r − t)/τ_e) × increment`; without it, as itself.
//!
//! Rate formulas for independent stationary Poisson trains at `ρ_pre`, `ρ_post` (Hz), with
//! `τ` converted to seconds (`τ/1000`):
//! - all-to-all: `⟨dw/dt⟩ = ρ_pre ρ_post (A₂⁺τ₊ − A₂⁻τ₋) + A₃⁺τ₊τ_y ρ_pre ρ_post²
//!   − A₃⁻τ₋τ_x ρ_pre² ρ_post` (Kempter, Gerstner & van Hemmen 1999; Pfister & Gerstner 2006);
//! - nearest-spike (pair terms): `A₂⁺ ρ_pre ρ_post τ₊/(1 + ρ_pre τ₊)
//!   − A₂⁻ ρ_pre ρ_post τ₋/(1 + ρ_post τ₋)`;
//! - eligibility-gated, with reward pulses of amount `a` at Poisson times of rate `ρ_r`
//!   independent of the spikes: `ρ_r a τ_e D` with `D` the increment drift above (the stationary
//!   mean of the trace is `τ_e D`; over a run of length `T` from `e = 0` the mean is lower by the
//!   factor `1 − τ_e/T`).

use super::check;
use super::stdp::Pairing;
use crate::{PlasticityError, Result};
use neurograd_tensor::Real;

/// Spike trains (sorted times, ms) and reward pulses `(time ms, amount)` sorted by time, the input
/// of a [`SpikeRule`]. Rules without a third factor require `rewards` to be empty.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpikeTrains<'a> {
    /// Presynaptic spike times (ms), sorted non-decreasingly, `≥ 0`.
    pub pre: &'a [Real],
    /// Postsynaptic spike times (ms), sorted non-decreasingly, `≥ 0`.
    pub post: &'a [Real],
    /// Reward pulses `(time ms, amount)`, sorted by time.
    pub rewards: &'a [(Real, Real)],
}

impl<'a> SpikeTrains<'a> {
    /// Pre and post trains, no rewards.
    pub fn new(pre: &'a [Real], post: &'a [Real]) -> Self {
        Self {
            pre,
            post,
            rewards: &[],
        }
    }

    /// Adds reward pulses.
    pub fn with_rewards(mut self, rewards: &'a [(Real, Real)]) -> Self {
        self.rewards = rewards;
        self
    }

    /// Checks that the trains and reward times are finite, `≥ 0` and sorted, and the amounts
    /// finite ([`PlasticityError::InvalidParameter`] / [`PlasticityError::NonFinite`]).
    pub fn validate(&self) -> Result<()> {
        check::spike_train("pre spike times", self.pre)?;
        check::spike_train("post spike times", self.post)?;
        let times: Vec<Real> = self.rewards.iter().map(|r| r.0).collect();
        check::spike_train("reward times", &times)?;
        let amounts: Vec<Real> = self.rewards.iter().map(|r| r.1).collect();
        check::finite_slice("reward amounts", &amounts)
    }

    /// [`validate`](Self::validate), then an error if rewards are given to rule `op`, which has
    /// no third factor.
    pub fn validate_unmodulated(&self, op: &'static str) -> Result<()> {
        self.validate()?;
        if self.rewards.is_empty() {
            Ok(())
        } else {
            Err(PlasticityError::InvalidParameter {
                name: "rewards",
                value: format!("{} pulses", self.rewards.len()),
                reason: format!("{op} has no third factor; pass no rewards"),
            })
        }
    }
}

/// What a spike-timing rule computes (see the module docs for the equations). Time constants in
/// ms; amplitudes are weight changes per spike pair (triplet), of either sign (a negative `A₂⁺`
/// and `A₂⁻` give an anti-Hebbian window, as in the electrosensory lobe, Bell et al. 1997).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpikeKernel {
    /// Pair amplitude at a post spike `A₂⁺` (potentiation when `> 0`).
    pub a2_plus: Real,
    /// Pair amplitude at a pre spike `A₂⁻` (depression when `> 0`).
    pub a2_minus: Real,
    /// Triplet amplitude `A₃⁺` (0 for pair rules).
    pub a3_plus: Real,
    /// Triplet amplitude `A₃⁻` (0 for pair rules).
    pub a3_minus: Real,
    /// `τ₊` (ms), pre trace `r₁`.
    pub tau_plus: Real,
    /// `τ₋` (ms), post trace `o₁`.
    pub tau_minus: Real,
    /// `τ_x` (ms), pre triplet trace `r₂` (unused when `A₃⁻ = 0`).
    pub tau_x: Real,
    /// `τ_y` (ms), post triplet trace `o₂` (unused when `A₃⁺ = 0`).
    pub tau_y: Real,
    /// Which spike pairs interact (nearest-spike only with `A₃± = 0`).
    pub pairing: Pairing,
    /// Eligibility time constant `τ_e` (ms) of a reward-gated rule; `None` for a rule whose
    /// increments go straight to the weight.
    pub tau_eligibility: Option<Real>,
}

/// The brute-force value of a kernel on given trains: the sum and the sum of absolute values of
/// its terms (the scale against which round-off is measured).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KernelSum {
    /// `Σ` of all pair (triplet) terms: the additive weight change.
    pub total: Real,
    /// `Σ |term|`.
    pub magnitude: Real,
}

/// `Σ_{s ∈ train, s < t} exp(−(t − s)/τ)` (all-to-all) or the nearest earlier term only.
fn trace_at(train: &[Real], t: Real, tau: Real, pairing: Pairing) -> Real {
    match pairing {
        Pairing::AllToAll => train
            .iter()
            .take_while(|&&s| s < t)
            .map(|&s| (-(t - s) / tau).exp())
            .sum(),
        Pairing::Nearest => train
            .iter()
            .rev()
            .find(|&&s| s < t)
            .map_or(0.0, |&s| (-(t - s) / tau).exp()),
    }
}

impl SpikeKernel {
    /// A pair kernel (`A₃± = 0`) without eligibility.
    pub fn pair(
        a_plus: Real,
        a_minus: Real,
        tau_plus: Real,
        tau_minus: Real,
        pairing: Pairing,
    ) -> Self {
        Self {
            a2_plus: a_plus,
            a2_minus: a_minus,
            a3_plus: 0.0,
            a3_minus: 0.0,
            tau_plus,
            tau_minus,
            tau_x: tau_plus,
            tau_y: tau_minus,
            pairing,
            tau_eligibility: None,
        }
    }

    /// Checks finite amplitudes, time constants `> 0`, and that nearest-spike pairing is used
    /// only with pair terms and without eligibility.
    pub fn check(&self) -> Result<()> {
        check::finite_slice(
            "kernel amplitudes",
            &[self.a2_plus, self.a2_minus, self.a3_plus, self.a3_minus],
        )?;
        for (n, v) in [
            ("tau_plus", self.tau_plus),
            ("tau_minus", self.tau_minus),
            ("tau_x", self.tau_x),
            ("tau_y", self.tau_y),
        ] {
            check::positive(n, v)?;
        }
        if let Some(t) = self.tau_eligibility {
            check::positive("tau_eligibility", t)?;
        }
        let triplet = self.a3_plus != 0.0 || self.a3_minus != 0.0;
        if self.pairing == Pairing::Nearest && (triplet || self.tau_eligibility.is_some()) {
            return Err(PlasticityError::InvalidParameter {
                name: "pairing",
                value: "Nearest".to_string(),
                reason: "nearest-spike kernels are defined for unmodulated pair terms only"
                    .to_string(),
            });
        }
        Ok(())
    }

    /// Brute-force sum of the kernel over every spike pair (triplet) of `trains`, each increment
    /// weighted by the discounted rewards that read it when the kernel has an eligibility trace.
    /// `O(n²)` per spike; a reference for tests, independent of any trace implementation.
    pub fn brute_force(&self, trains: &SpikeTrains<'_>) -> Result<KernelSum> {
        self.check()?;
        trains.validate()?;
        // (Σ a_r d_r, Σ |a_r| d_r) with d_r = exp(−(t_r − t)/τ_e) over rewards at t_r ≥ t
        let gate = |t: Real| -> (Real, Real) {
            match self.tau_eligibility {
                None => (1.0, 1.0),
                Some(tau_e) => trains.rewards.iter().filter(|r| r.0 >= t).fold(
                    (0.0, 0.0),
                    |(g, m), &(tr, a)| {
                        let d = (-(tr - t) / tau_e).exp();
                        (g + a * d, m + a.abs() * d)
                    },
                ),
            }
        };
        let mut out = KernelSum {
            total: 0.0,
            magnitude: 0.0,
        };
        let mut add = |t: Real, inc: Real| {
            let (g, m) = gate(t);
            out.total += g * inc;
            out.magnitude += m * inc.abs();
        };
        for &t in trains.post {
            let r1 = trace_at(trains.pre, t, self.tau_plus, self.pairing);
            let o2 = trace_at(trains.post, t, self.tau_y, Pairing::AllToAll);
            add(t, r1 * (self.a2_plus + self.a3_plus * o2));
        }
        for &t in trains.pre {
            let o1 = trace_at(trains.post, t, self.tau_minus, self.pairing);
            let r2 = trace_at(trains.pre, t, self.tau_x, Pairing::AllToAll);
            add(t, -o1 * (self.a2_minus + self.a3_minus * r2));
        }
        Ok(out)
    }

    /// The drift of the spike-pair increments (1/s) for independent Poisson trains at `rho_pre`,
    /// `rho_post` (Hz): the all-to-all triplet formula or the nearest-spike pair formula (module
    /// docs). For an eligibility-gated kernel this is the rate at which the trace is fed.
    pub fn increment_drift(&self, rho_pre: Real, rho_post: Real) -> Real {
        let (tp, tm) = (self.tau_plus * 1e-3, self.tau_minus * 1e-3);
        let (tx, ty) = (self.tau_x * 1e-3, self.tau_y * 1e-3);
        match self.pairing {
            Pairing::AllToAll => {
                rho_pre * rho_post * (self.a2_plus * tp - self.a2_minus * tm)
                    + self.a3_plus * tp * ty * rho_pre * rho_post * rho_post
                    - self.a3_minus * tm * tx * rho_pre * rho_pre * rho_post
            }
            Pairing::Nearest => {
                self.a2_plus * rho_pre * rho_post * tp / (1.0 + rho_pre * tp)
                    - self.a2_minus * rho_pre * rho_post * tm / (1.0 + rho_post * tm)
            }
        }
    }

    /// The mean weight drift `⟨dw/dt⟩` (1/s) for independent Poisson trains at `rho_pre`,
    /// `rho_post` (Hz) and, for an eligibility-gated kernel, reward pulses of amount
    /// `reward_amount` at Poisson times of rate `reward_rate_hz` (ignored otherwise).
    pub fn drift(
        &self,
        rho_pre: Real,
        rho_post: Real,
        reward_rate_hz: Real,
        reward_amount: Real,
    ) -> Result<Real> {
        self.check()?;
        check::non_negative("rho_pre", rho_pre)?;
        check::non_negative("rho_post", rho_post)?;
        let d = self.increment_drift(rho_pre, rho_post);
        Ok(match self.tau_eligibility {
            None => d,
            Some(tau_e) => {
                check::non_negative("reward_rate_hz", reward_rate_hz)?;
                check::finite_slice("reward_amount", &[reward_amount])?;
                reward_rate_hz * reward_amount * tau_e * 1e-3 * d
            }
        })
    }
}

/// A spike-timing plasticity rule: spike trains and a weight in, the weight change out.
///
/// Implementors provide the **online, trace-based** implementation
/// ([`weight_change`](SpikeRule::weight_change)) and state the [`SpikeKernel`] it is claimed to
/// implement; the harness ([`harness::spikes`](super::harness::spikes)) checks the first against a
/// brute-force sum of the second and the measured drift under Poisson input against the kernel's
/// rate formula.
pub trait SpikeRule {
    /// The weight change `w(end) − w` after the event-driven run over `trains` from weight
    /// `weight` (times in ms).
    fn weight_change(&self, trains: &SpikeTrains<'_>, weight: Real) -> Result<Real>;

    /// The kernel this rule implements. Rules whose change depends on the weight (soft or hard
    /// bounds) have no additive kernel and return [`PlasticityError::InvalidParameter`].
    fn kernel(&self) -> Result<SpikeKernel>;

    /// A short name for reports.
    fn name(&self) -> &'static str {
        std::any::type_name::<Self>()
    }
}
