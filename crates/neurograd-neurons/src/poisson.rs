//! Poisson spike sources: homogeneous and rate-modulated (inhomogeneous) processes, in continuous
//! time and on a time grid.
//!
//! * Homogeneous, continuous time: inter-spike intervals are i.i.d. exponential with mean `1/r`,
//!   `ISI = -ln(U)/r`, `U ~ U(0, 1]` (Dayan & Abbott 2001, sec. 1.4).
//! * Rate-modulated, continuous time: thinning (Lewis & Shedler 1979): draw a homogeneous process at
//!   `r_max >= r(t)` and keep a candidate at `t` with probability `r(t)/r_max`.
//! * On a grid of step `dt` ([`PoissonGroup`]): each neuron spikes in a step with probability
//!   `r dt` (Bernoulli approximation, needs `r dt <= 1`; error otherwise).
//!
//! Rates in Hz, times in ms. Every function takes the caller's generator (`ChaCha8Rng` is the
//! canonical one), so the same seed gives the same trains.

use rand::RngExt;

use crate::validate;
use crate::{NeuronError, Real, Result};

fn exp_interval<R: rand::Rng + ?Sized>(rate_hz: Real, rng: &mut R) -> Real {
    let u: Real = 1.0 - rng.random::<Real>(); // (0, 1]
    -u.ln() * 1000.0 / rate_hz
}

/// Homogeneous Poisson train of rate `rate_hz` on `[0, duration_ms)` (sorted spike times, ms).
pub fn homogeneous<R: rand::Rng + ?Sized>(
    rate_hz: Real,
    duration_ms: Real,
    rng: &mut R,
) -> Result<Vec<Real>> {
    validate::non_negative("rate_hz", rate_hz)?;
    validate::positive("duration_ms", duration_ms)?;
    let mut out = Vec::with_capacity((rate_hz * duration_ms / 1000.0 * 1.2) as usize + 4);
    if rate_hz == 0.0 {
        return Ok(out);
    }
    let mut t = exp_interval(rate_hz, rng);
    while t < duration_ms {
        out.push(t);
        t += exp_interval(rate_hz, rng);
    }
    Ok(out)
}

/// Rate-modulated Poisson train with rate `rate_fn(t)` (Hz, must stay in `[0, max_rate_hz]`) on
/// `[0, duration_ms)`, by thinning. A rate above `max_rate_hz`, negative or non-finite is an error.
pub fn inhomogeneous<R: rand::Rng + ?Sized>(
    rate_fn: impl Fn(Real) -> Real,
    max_rate_hz: Real,
    duration_ms: Real,
    rng: &mut R,
) -> Result<Vec<Real>> {
    validate::positive("max_rate_hz", max_rate_hz)?;
    let candidates = homogeneous(max_rate_hz, duration_ms, rng)?;
    let mut out = Vec::with_capacity(candidates.len());
    for t in candidates {
        let r = rate_fn(t);
        if !r.is_finite() || r < 0.0 || r > max_rate_hz * (1.0 + 1e-12) {
            return Err(NeuronError::InvalidParameter {
                name: "rate_fn",
                value: format!("{r} at t = {t} ms"),
                reason: format!("rate must be finite and within [0, max_rate_hz = {max_rate_hz}]"),
            });
        }
        if rng.random::<Real>() * max_rate_hz < r {
            out.push(t);
        }
    }
    Ok(out)
}

/// `n` independent Poisson neurons on a time grid (for driving networks).
#[derive(Debug, Clone, PartialEq)]
pub struct PoissonGroup {
    n: usize,
    p_spike: Real,
}

impl PoissonGroup {
    /// `n` neurons at `rate_hz` with step `dt_ms`; error if `rate_hz * dt_ms / 1000 > 1`.
    pub fn new(n: usize, rate_hz: Real, dt_ms: Real) -> Result<Self> {
        validate::non_negative("rate_hz", rate_hz)?;
        validate::positive("dt", dt_ms)?;
        let p_spike = rate_hz * dt_ms / 1000.0;
        if p_spike > 1.0 {
            return Err(NeuronError::InvalidParameter {
                name: "rate_hz",
                value: format!("{rate_hz}"),
                reason: format!("rate x dt = {p_spike} > 1: reduce dt or the rate"),
            });
        }
        Ok(Self { n, p_spike })
    }

    /// Indices of the neurons spiking in this step, written into `out` (cleared first).
    pub fn step<R: rand::Rng + ?Sized>(&self, rng: &mut R, out: &mut Vec<u32>) {
        out.clear();
        for i in 0..self.n {
            if rng.random::<Real>() < self.p_spike {
                out.push(i as u32);
            }
        }
    }

    /// Like [`step`](Self::step) with a per-step rate `rate_hz` (rate modulation on the grid).
    pub fn step_with_rate<R: rand::Rng + ?Sized>(
        &self,
        rate_hz: Real,
        dt_ms: Real,
        rng: &mut R,
        out: &mut Vec<u32>,
    ) -> Result<()> {
        validate::non_negative("rate_hz", rate_hz)?;
        let p = rate_hz * dt_ms / 1000.0;
        if p > 1.0 {
            return Err(NeuronError::InvalidParameter {
                name: "rate_hz",
                value: format!("{rate_hz}"),
                reason: format!("rate x dt = {p} > 1"),
            });
        }
        out.clear();
        for i in 0..self.n {
            if rng.random::<Real>() < p {
                out.push(i as u32);
            }
        }
        Ok(())
    }
}
