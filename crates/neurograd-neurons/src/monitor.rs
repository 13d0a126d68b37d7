//! Recording: spike monitors (neuron index, time), state monitors with decimation, population rates.

use serde::{Deserialize, Serialize};

use crate::validate;
use crate::{NeuronError, Real, Result};

/// Records every spike as (neuron index, step). Times are `step * dt` (ms).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SpikeMonitor {
    /// Neuron index of each spike, in emission order.
    pub indices: Vec<u32>,
    /// Step of each spike.
    pub steps: Vec<u32>,
    /// Step size (ms).
    pub dt_ms: Real,
}

impl SpikeMonitor {
    /// An empty monitor for step `dt_ms`.
    pub fn new(dt_ms: Real) -> Self {
        Self {
            indices: Vec::new(),
            steps: Vec::new(),
            dt_ms,
        }
    }

    /// Record the spikes of one step.
    #[inline]
    pub fn record(&mut self, step: u32, spikes: &[u32]) {
        self.indices.extend_from_slice(spikes);
        self.steps.extend(std::iter::repeat_n(step, spikes.len()));
    }

    /// Total number of spikes.
    pub fn count(&self) -> usize {
        self.indices.len()
    }

    /// Spike times (ms).
    pub fn times_ms(&self) -> Vec<Real> {
        self.steps.iter().map(|&s| s as Real * self.dt_ms).collect()
    }

    /// Number of spikes of neurons in `range`.
    pub fn count_in(&self, range: std::ops::Range<u32>) -> usize {
        self.indices.iter().filter(|i| range.contains(i)).count()
    }

    /// Spike trains (ms) of neurons `0..n_neurons`; spikes of larger indices are an error.
    pub fn spike_trains(&self, n_neurons: usize) -> Result<Vec<Vec<Real>>> {
        let mut out = vec![Vec::new(); n_neurons];
        for (&i, &s) in self.indices.iter().zip(&self.steps) {
            let slot = out
                .get_mut(i as usize)
                .ok_or(NeuronError::IndexOutOfRange {
                    what: "spike_trains neuron index",
                    index: i as usize,
                    len: n_neurons,
                })?;
            slot.push(s as Real * self.dt_ms);
        }
        Ok(out)
    }

    /// Population rate (Hz per neuron) of neurons in `range` in bins of `bin_ms` over
    /// `[0, duration_ms)`: spikes in bin / (number of neurons x bin width).
    pub fn population_rate(
        &self,
        range: std::ops::Range<u32>,
        bin_ms: Real,
        duration_ms: Real,
    ) -> Result<Vec<Real>> {
        validate::positive("bin_ms", bin_ms)?;
        validate::positive("duration_ms", duration_ms)?;
        let n = range.len();
        if n == 0 {
            return Err(NeuronError::InvalidParameter {
                name: "range",
                value: format!("{range:?}"),
                reason: "empty neuron range".into(),
            });
        }
        let n_bins = (duration_ms / bin_ms).ceil() as usize;
        let mut bins = vec![0.0; n_bins];
        for (&i, &s) in self.indices.iter().zip(&self.steps) {
            if range.contains(&i) {
                let b = (s as Real * self.dt_ms / bin_ms) as usize;
                if b < n_bins {
                    bins[b] += 1.0;
                }
            }
        }
        let scale = 1000.0 / (n as Real * bin_ms);
        bins.iter_mut().for_each(|b| *b *= scale);
        Ok(bins)
    }
}

/// Records chosen state variables of chosen neurons every `every` steps (decimation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StateMonitor {
    every: usize,
    indices: Vec<usize>,
    /// Time of each sample (ms).
    pub t_ms: Vec<Real>,
    /// `values[k][s]`: neuron `indices[k]` at sample `s`.
    pub values: Vec<Vec<Real>>,
}

impl StateMonitor {
    /// Record neurons `indices` every `every` steps (`every >= 1`).
    pub fn new(indices: Vec<usize>, every: usize) -> Result<Self> {
        if every == 0 {
            return Err(NeuronError::InvalidParameter {
                name: "every",
                value: "0".into(),
                reason: "decimation must be >= 1".into(),
            });
        }
        let values = vec![Vec::new(); indices.len()];
        Ok(Self {
            every,
            indices,
            t_ms: Vec::new(),
            values,
        })
    }

    /// Neurons recorded.
    pub fn indices(&self) -> &[usize] {
        &self.indices
    }

    /// Offer the state of `step` (time `t_ms`); kept if `step % every == 0`. Indices beyond
    /// `state.len()` are an error.
    #[inline]
    pub fn record(&mut self, step: usize, t_ms: Real, state: &[Real]) -> Result<()> {
        if !step.is_multiple_of(self.every) {
            return Ok(());
        }
        self.t_ms.push(t_ms);
        for (k, &i) in self.indices.iter().enumerate() {
            let v = *state.get(i).ok_or(NeuronError::IndexOutOfRange {
                what: "state monitor index",
                index: i,
                len: state.len(),
            })?;
            self.values[k].push(v);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn population_rate_counts() {
        let mut m = SpikeMonitor::new(0.1);
        m.record(0, &[0, 1]);
        m.record(15, &[1]);
        let r = m.population_rate(0..2, 1.0, 2.0).unwrap();
        // bin 0: 2 spikes / (2 neurons * 1 ms) = 1000 Hz; bin 1: 1 spike -> 500 Hz
        assert_eq!(r, vec![1000.0, 500.0]);
        assert!(matches!(
            m.population_rate(0..0, 1.0, 2.0),
            Err(NeuronError::InvalidParameter { name: "range", .. })
        ));
    }

    #[test]
    fn state_monitor_decimates() {
        let mut s = StateMonitor::new(vec![1], 3).unwrap();
        for k in 0..10 {
            s.record(k, k as Real, &[0.0, k as Real]).unwrap();
        }
        assert_eq!(s.values[0], vec![0.0, 3.0, 6.0, 9.0]);
        assert!(matches!(
            StateMonitor::new(vec![], 0),
            Err(NeuronError::InvalidParameter { name: "every", .. })
        ));
        assert!(matches!(
            s.record(0, 0.0, &[1.0]),
            Err(NeuronError::IndexOutOfRange {
                index: 1,
                len: 1,
                ..
            })
        ));
    }
}
