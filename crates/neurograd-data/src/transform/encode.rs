//! Spike encoders: any [`Dataset`] as spike trains (Poisson rate code, latency code).
//!
//! Both take features in `[0, 1]` (scale with [`super::MinMaxScaler`] first) and return a
//! [`SequenceSet`] with one `n_steps x n_features` 0/1 matrix per sample and a classification
//! target scored on the whole sequence, window `(0, n_steps)`.

use crate::generators::sequence::{
    SequenceSet, SequenceTarget, check_dt, check_elements, spike_probability,
};
use crate::rng::{self, uniform};
use crate::{DataError, Dataset, Result};
use neurograd_tensor::{Matrix, Real};
use serde::{Deserialize, Serialize};

/// A Poisson (Bernoulli) rate code: feature value `x` in `[0, 1]` fires with probability
/// `p = x * max_rate_hz * dt_ms / 1000` independently at each of `n_steps` steps (the
/// discrete-time Poisson process; Dayan & Abbott 2001, sec. 1.4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RateCode {
    /// Steps per sample.
    pub n_steps: usize,
    /// The rate of a feature equal to 1 (Hz); `max_rate_hz * dt_ms / 1000 <= 1`.
    pub max_rate_hz: Real,
    /// Time step (ms).
    pub dt_ms: Real,
}

/// How a latency code maps a feature value to a spike time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum LatencyMapping {
    /// `t = round((1 - x) (n_steps - 1))`: the largest value fires first (step 0), a value just
    /// above the threshold fires last (as snnTorch's `spikegen.latency(linear=True)`).
    Linear,
    /// The membrane charging time of an RC unit driven by a constant current `x` with threshold
    /// `theta` (SpyTorch tutorial 2, Zenke 2019): `T(x) = tau_ms ln(x / (x - theta))`, spike at
    /// step `floor(T / dt)`, no spike when that step is `>= n_steps`.
    Log {
        /// Membrane time constant (ms).
        tau_ms: Real,
    },
}

/// A latency (time-to-first-spike) code: each feature fires **at most once**; values
/// `x <= threshold` never fire, larger values fire earlier (Thorpe, Delorme & Van Rullen 2001).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LatencyCode {
    /// Steps per sample.
    pub n_steps: usize,
    /// Values at or below it do not fire (in `[0, 1)`).
    pub threshold: Real,
    /// The value-to-time map.
    pub mapping: LatencyMapping,
    /// Time step (ms).
    pub dt_ms: Real,
}

impl LatencyCode {
    /// The spike step of a value `x` in `[0, 1]` (`None`: no spike), per [`LatencyMapping`].
    pub fn spike_step(&self, x: Real) -> Option<usize> {
        if x <= self.threshold {
            return None;
        }
        let t = match self.mapping {
            LatencyMapping::Linear => ((1.0 - x) * (self.n_steps - 1) as Real).round(),
            LatencyMapping::Log { tau_ms } => {
                (tau_ms * (x / (x - self.threshold)).ln() / self.dt_ms).floor()
            }
        };
        (t.is_finite() && t >= 0.0 && t < self.n_steps as Real).then_some(t as usize)
    }

    fn check(&self) -> Result<()> {
        crate::generators::check_count("n_steps", self.n_steps)?;
        check_dt(self.dt_ms)?;
        if !(0.0..1.0).contains(&self.threshold) {
            return Err(DataError::invalid(
                "threshold",
                self.threshold,
                "must lie in [0, 1)",
            ));
        }
        if let LatencyMapping::Log { tau_ms } = self.mapping
            && !(tau_ms.is_finite() && tau_ms > 0.0)
        {
            return Err(DataError::invalid(
                "tau_ms",
                tau_ms,
                "must be finite and > 0",
            ));
        }
        Ok(())
    }
}

/// Checks every feature lies in `[0, 1]`.
fn check_unit_features(ds: &Dataset) -> Result<()> {
    if let Some(v) = ds.features.iter().find(|v| !(0.0..=1.0).contains(*v)) {
        return Err(DataError::invalid(
            "features",
            v,
            "must lie in [0, 1] (scale with MinMaxScaler first)",
        ));
    }
    Ok(())
}

fn classification(
    ds: &Dataset,
    inputs: Vec<Matrix>,
    n_steps: usize,
    dt_ms: Real,
) -> Result<SequenceSet> {
    SequenceSet::new(
        inputs,
        SequenceTarget::Classification {
            labels: ds.labels.clone(),
            n_classes: ds.n_classes(),
            window: (0, n_steps),
        },
        dt_ms,
    )
}

/// Encodes every sample of `ds` with the Poisson rate code `code`: sample `i` draws one uniform
/// per `(t, c)`, row-major, from stream `(seed, i)` and channel `c` spikes at step `t` iff
/// `u < x_c max_rate dt / 1000`.
///
/// # Errors
/// [`DataError::InvalidParameter`] for `n_steps == 0`, a bad `dt_ms`, `max_rate * dt > 1`, a
/// feature outside `[0, 1]`, or a request larger than
/// [`crate::generators::sequence::MAX_ELEMENTS`].
///
/// ```
/// use neurograd_data::{bundled, transform::{MinMaxScaler, encode::{RateCode, poisson_encode}}};
/// let mut ds = bundled::digits()?;
/// ds.features = MinMaxScaler::fit(&ds.features)?.transform(&ds.features)?;
/// let small = neurograd_data::Dataset::new(ds.features.rows(0, 4).into(), ds.labels[..4].to_vec(), ds.class_names.clone(), None)?;
/// let set = poisson_encode(&small, &RateCode { n_steps: 50, max_rate_hz: 200.0, dt_ms: 1.0 }, 3)?;
/// assert_eq!((set.len(), set.n_steps(), set.n_inputs()), (4, 50, 64));
/// # Ok::<(), neurograd_data::DataError>(())
/// ```
pub fn poisson_encode(ds: &Dataset, code: &RateCode, seed: u64) -> Result<SequenceSet> {
    crate::generators::check_count("n_steps", code.n_steps)?;
    check_dt(code.dt_ms)?;
    let p_max = spike_probability("max_rate_hz", code.max_rate_hz, code.dt_ms)?;
    check_unit_features(ds)?;
    check_elements("n_steps", &[ds.len(), code.n_steps, ds.n_features()])?;
    let inputs = (0..ds.len())
        .map(|i| {
            let mut rng = rng::stream(seed, i as u64);
            let row = ds.features.row(i);
            let mut x = Matrix::zeros(code.n_steps, ds.n_features());
            for t in 0..code.n_steps {
                for c in 0..ds.n_features() {
                    if uniform(&mut rng) < row[c] * p_max {
                        x[(t, c)] = 1.0;
                    }
                }
            }
            x
        })
        .collect();
    classification(ds, inputs, code.n_steps, code.dt_ms)
}

/// Encodes every sample of `ds` with the latency code `code` (deterministic): channel `c` of
/// sample `i` spikes once, at [`LatencyCode::spike_step`]`(x_ic)`, or never.
///
/// # Errors
/// [`DataError::InvalidParameter`] for `n_steps == 0`, a bad `dt_ms`, `threshold` outside
/// `[0, 1)`, a non-positive `tau_ms`, a feature outside `[0, 1]`, or a request larger than
/// [`crate::generators::sequence::MAX_ELEMENTS`].
pub fn latency_encode(ds: &Dataset, code: &LatencyCode) -> Result<SequenceSet> {
    code.check()?;
    check_unit_features(ds)?;
    check_elements("n_steps", &[ds.len(), code.n_steps, ds.n_features()])?;
    let inputs = (0..ds.len())
        .map(|i| {
            let mut x = Matrix::zeros(code.n_steps, ds.n_features());
            for (c, &v) in ds.features.row(i).iter().enumerate() {
                if let Some(t) = code.spike_step(v) {
                    x[(t, c)] = 1.0;
                }
            }
            x
        })
        .collect();
    classification(ds, inputs, code.n_steps, code.dt_ms)
}
