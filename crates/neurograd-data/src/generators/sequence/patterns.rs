//! Pattern generation: a sum of sines from frozen Poisson input (Bellec et al. 2020, Fig. S7).

use super::{SequenceSet, SequenceTarget, check_dt, check_elements, spike_probability};
use crate::generators::check_count;
use crate::rng::{self, uniform};
use crate::{DataError, Result};
use neurograd_tensor::{Matrix, Real};
use serde::{Deserialize, Serialize};
use std::f64::consts::TAU;

/// Parameters of the pattern-generation task; the defaults are EP/patgen's
/// (`tutorial_pattern_generation.py`): 100 frozen Poisson inputs at 50 Hz, 1000 steps of 1 ms, one
/// output, periods 1000, 500, 333, 200 ms, amplitudes `U(0.5, 2)`, phases `U(0, 2 pi)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatternConfig {
    /// Input channels.
    pub n_inputs: usize,
    /// Target signals (readout units).
    pub n_outputs: usize,
    /// Steps per trial.
    pub n_steps: usize,
    /// Input rate (Hz).
    pub rate_hz: Real,
    /// Periods of the sines (ms).
    pub periods_ms: Vec<Real>,
    /// Amplitudes are drawn from `U(amplitude_range.0, amplitude_range.1)`.
    pub amplitude_range: (Real, Real),
    /// Time step (ms).
    pub dt_ms: Real,
}

impl Default for PatternConfig {
    fn default() -> Self {
        PatternConfig {
            n_inputs: 100,
            n_outputs: 1,
            n_steps: 1000,
            rate_hz: 50.0,
            periods_ms: vec![1000.0, 500.0, 333.0, 200.0],
            amplitude_range: (0.5, 2.0),
            dt_ms: 1.0,
        }
    }
}

/// EP's `sum_of_sines_target`: with `c_i = floor(T dt / period_i)` whole cycles over the trial and
/// `x_i(t) = phase_i + 2 pi c_i t / (T - 1)` (NumPy's `linspace(phase, 2 pi c + phase, T)`,
/// endpoint included),
/// `s(t) = sum_i a_i sin(x_i(t))`, then shifted to start at 0 and scaled to `max |s| = 1`:
/// `y(t) = (s(t) - s(0)) / max(max_t |s(t) - s(0)|, 1e-6)`.
///
/// # Errors
/// [`DataError::InvalidParameter`] for `n_steps < 2`, a bad `dt_ms`, an empty or non-positive
/// period list, or `amplitudes`/`phases` of another length than `periods_ms`.
pub fn sum_of_sines(
    n_steps: usize,
    dt_ms: Real,
    periods_ms: &[Real],
    amplitudes: &[Real],
    phases: &[Real],
) -> Result<Vec<Real>> {
    if n_steps < 2 {
        return Err(DataError::invalid("n_steps", n_steps, "must be at least 2"));
    }
    check_dt(dt_ms)?;
    if periods_ms.is_empty() || periods_ms.iter().any(|p| !(p.is_finite() && *p > 0.0)) {
        return Err(DataError::invalid(
            "periods_ms",
            format!("{periods_ms:?}"),
            "must be non-empty, finite and > 0",
        ));
    }
    for (name, v) in [("amplitudes", amplitudes), ("phases", phases)] {
        if v.len() != periods_ms.len() || v.iter().any(|a| !a.is_finite()) {
            return Err(DataError::invalid(
                name,
                format!("{v:?}"),
                format!("must hold {} finite values", periods_ms.len()),
            ));
        }
    }
    let span = (n_steps - 1) as Real;
    let s: Vec<Real> = (0..n_steps)
        .map(|t| {
            periods_ms
                .iter()
                .zip(amplitudes)
                .zip(phases)
                .map(|((&p, &a), &ph)| {
                    let cycles = (n_steps as Real * dt_ms / p).floor();
                    a * (ph + TAU * cycles * t as Real / span).sin()
                })
                .sum()
        })
        .collect();
    let s0 = s[0];
    let scale = s
        .iter()
        .map(|v| (v - s0).abs())
        .fold(0.0, Real::max)
        .max(1e-6);
    Ok(s.iter().map(|v| (v - s0) / scale).collect())
}

/// The pattern-generation task (Bellec et al. 2020, Fig. S7; EP/patgen): **one** trial whose input
/// is frozen Poisson noise (channel `c` spikes at step `t` iff `u < rate * dt`, uniforms drawn
/// row-major from stream `(seed, 0)`) and whose target column `k` is [`sum_of_sines`] with
/// amplitudes then phases drawn from stream `(seed, 1 + k)` (all amplitudes first, then all
/// phases, as EP). Training repeats this one trial (batch 1), as in the paper.
///
/// # Errors
/// [`DataError::InvalidParameter`] for zero sizes, `n_steps < 2`, a rate with `rate * dt > 1`, a
/// bad amplitude range or period list.
///
/// ```
/// use neurograd_data::generators::sequence::{PatternConfig, pattern_generation};
/// let set = pattern_generation(&PatternConfig::default(), 3)?;
/// assert_eq!((set.len(), set.n_steps(), set.n_inputs(), set.n_outputs()), (1, 1000, 100, 1));
/// # Ok::<(), neurograd_data::DataError>(())
/// ```
pub fn pattern_generation(cfg: &PatternConfig, seed: u64) -> Result<SequenceSet> {
    check_count("n_inputs", cfg.n_inputs)?;
    check_count("n_outputs", cfg.n_outputs)?;
    check_dt(cfg.dt_ms)?;
    let p = spike_probability("rate_hz", cfg.rate_hz, cfg.dt_ms)?;
    let (lo, hi) = cfg.amplitude_range;
    if !(lo.is_finite() && hi.is_finite() && lo <= hi) {
        return Err(DataError::invalid(
            "amplitude_range",
            format!("{:?}", cfg.amplitude_range),
            "must be finite with low <= high",
        ));
    }
    check_elements("n_steps", &[cfg.n_steps, cfg.n_inputs.max(cfg.n_outputs)])?;
    let n_sines = cfg.periods_ms.len();
    let mut targets = Matrix::zeros(cfg.n_steps, cfg.n_outputs);
    for k in 0..cfg.n_outputs {
        let mut rng = rng::stream(seed, 1 + k as u64);
        let amps: Vec<Real> = (0..n_sines)
            .map(|_| lo + (hi - lo) * uniform(&mut rng))
            .collect();
        let phases: Vec<Real> = (0..n_sines).map(|_| TAU * uniform(&mut rng)).collect();
        let y = sum_of_sines(cfg.n_steps, cfg.dt_ms, &cfg.periods_ms, &amps, &phases)?;
        targets.column_mut(k).copy_from_slice(&y);
    }
    let mut rng = rng::stream(seed, 0);
    let mut x = Matrix::zeros(cfg.n_steps, cfg.n_inputs);
    for t in 0..cfg.n_steps {
        for c in 0..cfg.n_inputs {
            if uniform(&mut rng) < p {
                x[(t, c)] = 1.0;
            }
        }
    }
    SequenceSet::new(
        vec![x],
        SequenceTarget::Regression {
            targets: vec![targets],
        },
        cfg.dt_ms,
    )
}
