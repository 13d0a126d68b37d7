//! Conformance checks for spike-timing rules ([`SpikeRule`]), the spiking counterpart of
//! [`Harness`](super::Harness).
//!
//! - [`check_trace`]: the rule's online, trace-based [`weight_change`](SpikeRule::weight_change)
//!   equals the brute-force sum of its stated [`SpikeKernel`] over every spike pair (triplet) of
//!   the given trains, to `tolerance × Σ|terms|` (default `1e-12`: the two differ by round-off
//!   only).
//! - [`check_drift`]: under independent Poisson trains at `(ρ_pre, ρ_post)` (and Poisson reward
//!   pulses for eligibility-gated rules) the mean drift over `repeats` runs of `duration_ms` lies
//!   within `k` standard errors (computed from the runs) of the kernel's rate formula
//!   [`SpikeKernel::drift`]. A rule whose kernel is wrong by a sign or a factor fails it when the
//!   difference exceeds `k` SE; `tests/local/spikes.rs` shows such negative controls.
//!
//! Units: times in ms, rates in Hz, drifts in 1/s. Poisson trains come from
//! `neurograd_neurons::poisson`.

use crate::local::check;
use crate::local::spike_rule::{SpikeKernel, SpikeRule, SpikeTrains};
use crate::{PlasticityError, Result};
use neurograd_neurons::poisson::poisson_train;
use neurograd_tensor::Real;
use rand::Rng;

/// What [`check_trace`] measured.
#[derive(Debug, Clone, PartialEq)]
pub struct TraceReport {
    /// The rule's name.
    pub rule: &'static str,
    /// The trace implementation's weight change (from weight 0).
    pub traced: Real,
    /// The kernel's brute-force sum.
    pub brute_force: Real,
    /// `Σ |term|` of the brute-force sum (the round-off scale).
    pub magnitude: Real,
    /// `|traced − brute_force|`.
    pub error: Real,
    /// The tolerance relative to `magnitude`.
    pub tolerance: Real,
    /// Whether `error ≤ tolerance × magnitude`.
    pub holds: bool,
}

impl std::fmt::Display for TraceReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: traced {:.15e} vs brute force {:.15e} (error {:.3e}, scale {:.3e}, tolerance {:.1e}), {}",
            self.rule,
            self.traced,
            self.brute_force,
            self.error,
            self.magnitude,
            self.tolerance,
            if self.holds { "holds" } else { "does not hold" }
        )
    }
}

/// Checks that `rule`'s trace implementation equals the brute-force sum of its kernel on `trains`
/// to `tolerance` relative to `Σ|terms|`. Errors: invalid trains, a rule without an additive
/// kernel, a non-positive tolerance.
pub fn check_trace(
    rule: &dyn SpikeRule,
    trains: &SpikeTrains<'_>,
    tolerance: Real,
) -> Result<TraceReport> {
    check::positive("tolerance", tolerance)?;
    let kernel = rule.kernel()?;
    let traced = rule.weight_change(trains, 0.0)?;
    let brute = kernel.brute_force(trains)?;
    let error = (traced - brute.total).abs();
    Ok(TraceReport {
        rule: rule.name(),
        traced,
        brute_force: brute.total,
        magnitude: brute.magnitude,
        error,
        tolerance,
        holds: error <= tolerance * brute.magnitude,
    })
}

/// Settings of a drift measurement.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DriftConfig {
    /// Presynaptic Poisson rate `ρ_pre` (Hz).
    pub rate_pre_hz: Real,
    /// Postsynaptic Poisson rate `ρ_post` (Hz).
    pub rate_post_hz: Real,
    /// Length of one run (ms).
    pub duration_ms: Real,
    /// Number of independent runs (`≥ 2`, for the standard error).
    pub repeats: usize,
    /// Accepted distance from the formula in standard errors (default 4).
    pub k: Real,
    /// Rate of the Poisson reward pulses (Hz) for eligibility-gated rules (default 5).
    pub reward_rate_hz: Real,
    /// Amount of every reward pulse (default 1).
    pub reward_amount: Real,
}

impl Default for DriftConfig {
    /// The conformance setting: 20 runs of 100 s at `(20, 10)` Hz, `k = 4`, rewards at 5 Hz of
    /// amount 1 (used by eligibility-gated rules only).
    fn default() -> Self {
        Self {
            rate_pre_hz: 20.0,
            rate_post_hz: 10.0,
            duration_ms: 100_000.0,
            repeats: 20,
            k: 4.0,
            reward_rate_hz: 5.0,
            reward_amount: 1.0,
        }
    }
}

impl DriftConfig {
    /// Poisson rates `rho_pre`, `rho_post` (Hz).
    pub fn rates(mut self, rate_pre_hz: Real, rate_post_hz: Real) -> Self {
        self.rate_pre_hz = rate_pre_hz;
        self.rate_post_hz = rate_post_hz;
        self
    }

    /// `repeats` independent runs of `duration_ms` each.
    pub fn runs(mut self, repeats: usize, duration_ms: Real) -> Self {
        self.repeats = repeats;
        self.duration_ms = duration_ms;
        self
    }

    /// With reward pulses at `rate_hz` of `amount`.
    pub fn with_rewards(mut self, rate_hz: Real, amount: Real) -> Self {
        self.reward_rate_hz = rate_hz;
        self.reward_amount = amount;
        self
    }

    /// Checks rates `≥ 0`, `duration_ms > 0`, `k > 0`, `repeats ≥ 2`, a finite amount.
    pub fn check(&self) -> Result<()> {
        check::non_negative("rate_pre_hz", self.rate_pre_hz)?;
        check::non_negative("rate_post_hz", self.rate_post_hz)?;
        check::non_negative("reward_rate_hz", self.reward_rate_hz)?;
        check::positive("duration_ms", self.duration_ms)?;
        check::positive("k", self.k)?;
        check::finite_slice("reward_amount", &[self.reward_amount])?;
        if self.repeats < 2 {
            return Err(PlasticityError::InvalidParameter {
                name: "repeats",
                value: self.repeats.to_string(),
                reason: "a standard error needs at least 2 runs".to_string(),
            });
        }
        Ok(())
    }
}

/// Owned spike trains and rewards, e.g. drawn by [`poisson_trains`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OwnedTrains {
    /// Presynaptic spike times (ms).
    pub pre: Vec<Real>,
    /// Postsynaptic spike times (ms).
    pub post: Vec<Real>,
    /// Reward pulses `(time ms, amount)`.
    pub rewards: Vec<(Real, Real)>,
}

impl OwnedTrains {
    /// The borrowed view a [`SpikeRule`] takes.
    pub fn as_trains(&self) -> SpikeTrains<'_> {
        SpikeTrains::new(&self.pre, &self.post).with_rewards(&self.rewards)
    }
}

/// Independent Poisson pre and post trains of `config` (drawn in that order from `rng`), and, when
/// `kernel` is eligibility-gated, Poisson reward times of `config.reward_rate_hz` carrying
/// `config.reward_amount`.
pub fn poisson_trains<R: Rng + ?Sized>(
    kernel: &SpikeKernel,
    config: &DriftConfig,
    rng: &mut R,
) -> Result<OwnedTrains> {
    config.check()?;
    let pre = poisson_train(config.rate_pre_hz, config.duration_ms, rng)?;
    let post = poisson_train(config.rate_post_hz, config.duration_ms, rng)?;
    let rewards = if kernel.tau_eligibility.is_some() {
        poisson_train(config.reward_rate_hz, config.duration_ms, rng)?
            .into_iter()
            .map(|t| (t, config.reward_amount))
            .collect()
    } else {
        Vec::new()
    };
    Ok(OwnedTrains { pre, post, rewards })
}

/// What [`check_drift`] measured.
#[derive(Debug, Clone, PartialEq)]
pub struct DriftReport {
    /// The rule's name.
    pub rule: &'static str,
    /// Mean measured drift `Δw / T` over the runs (1/s).
    pub mean: Real,
    /// Standard error of that mean (sample standard deviation / √repeats).
    pub standard_error: Real,
    /// The kernel's rate formula (1/s).
    pub formula: Real,
    /// Accepted distance in standard errors.
    pub k: Real,
    /// Runs.
    pub repeats: usize,
    /// Whether `|mean − formula| ≤ k SE`.
    pub holds: bool,
}

impl DriftReport {
    /// Whether `value` lies within `k` standard errors of the measured mean (for controls: a
    /// wrong formula must not).
    pub fn within(&self, value: Real) -> bool {
        (self.mean - value).abs() <= self.k * self.standard_error
    }
}

impl std::fmt::Display for DriftReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: drift {:.4e} ± {:.2e} (SE, {} runs) vs formula {:.4e}: {:.2} SE (bound {}), {}",
            self.rule,
            self.mean,
            self.standard_error,
            self.repeats,
            self.formula,
            (self.mean - self.formula).abs() / self.standard_error,
            self.k,
            if self.holds { "holds" } else { "does not hold" }
        )
    }
}

/// Mean and standard error of the drift `Δw / T` (1/s) of `rule` over `config.repeats`
/// independent runs on [`poisson_trains`] drawn from `rng`, each from weight 0.
pub fn measure_drift<R: Rng + ?Sized>(
    rule: &dyn SpikeRule,
    config: &DriftConfig,
    rng: &mut R,
) -> Result<(Real, Real)> {
    config.check()?;
    let kernel = rule.kernel()?;
    let seconds = config.duration_ms * 1e-3;
    let mut d = Vec::with_capacity(config.repeats);
    for _ in 0..config.repeats {
        let trains = poisson_trains(&kernel, config, rng)?;
        d.push(rule.weight_change(&trains.as_trains(), 0.0)? / seconds);
    }
    let n = d.len() as Real;
    let mean = d.iter().sum::<Real>() / n;
    let var = d.iter().map(|v| (v - mean) * (v - mean)).sum::<Real>() / (n - 1.0);
    Ok((mean, (var / n).sqrt()))
}

/// Measures the drift of `rule` ([`measure_drift`]) and compares it with its kernel's rate
/// formula ([`SpikeKernel::drift`]).
pub fn check_drift<R: Rng + ?Sized>(
    rule: &dyn SpikeRule,
    config: &DriftConfig,
    rng: &mut R,
) -> Result<DriftReport> {
    let kernel = rule.kernel()?;
    let formula = kernel.drift(
        config.rate_pre_hz,
        config.rate_post_hz,
        config.reward_rate_hz,
        config.reward_amount,
    )?;
    let (mean, standard_error) = measure_drift(rule, config, rng)?;
    let mut report = DriftReport {
        rule: rule.name(),
        mean,
        standard_error,
        formula,
        k: config.k,
        repeats: config.repeats,
        holds: false,
    };
    report.holds = report.within(formula);
    Ok(report)
}
