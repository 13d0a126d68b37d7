//! Spike-train statistics: mean rate, coefficient of variation of inter-spike intervals, Fano factor.
//!
//! For a spike train on `[0, T)` with `n` spikes and inter-spike intervals `ISI_k`:
//!
//! ```text
//! rate = n / T
//! CV   = std(ISI) / mean(ISI)                  (population std, needs >= 2 intervals)
//! F(W) = Var[N_W] / E[N_W]                     (counts in consecutive windows of width W)
//! ```
//!
//! A homogeneous Poisson process has CV = 1 and F(W) = 1 for every W (Dayan & Abbott 2001,
//! sec. 1.4); a perfectly regular train has CV = 0 and F -> 0 for W a multiple of the period.

use serde::{Deserialize, Serialize};

use crate::validate;
use crate::{NeuronError, Real, Result};

/// Summary statistics of one or more spike trains.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TrainStats {
    /// Mean rate (Hz) over all trains.
    pub rate_hz: Real,
    /// Mean ISI CV over trains with at least 2 intervals (`NaN` if none).
    pub mean_cv_isi: Real,
    /// Number of trains that entered the CV mean.
    pub n_cv: usize,
}

/// Mean rate (Hz) of a train of `n` spikes in `duration_ms`.
pub fn rate_hz(train_ms: &[Real], duration_ms: Real) -> Result<Real> {
    validate::positive("duration_ms", duration_ms)?;
    Ok(1000.0 * train_ms.len() as Real / duration_ms)
}

/// ISI coefficient of variation; `None` with fewer than 2 intervals. Errors on non-finite or
/// unsorted spike times.
pub fn isi_cv(train_ms: &[Real]) -> Result<Option<Real>> {
    validate::all_finite("spike train", train_ms)?;
    if let Some(k) = train_ms.windows(2).position(|w| w[1] < w[0]) {
        return Err(NeuronError::InvalidParameter {
            name: "train_ms",
            value: format!("{} then {}", train_ms[k], train_ms[k + 1]),
            reason: format!("spike times must be sorted (index {})", k + 1),
        });
    }
    if train_ms.len() < 3 {
        return Ok(None);
    }
    let isi: Vec<Real> = train_ms.windows(2).map(|w| w[1] - w[0]).collect();
    let n = isi.len() as Real;
    let mean = isi.iter().sum::<Real>() / n;
    if mean <= 0.0 {
        return Ok(None);
    }
    let var = isi.iter().map(|x| (x - mean).powi(2)).sum::<Real>() / n;
    Ok(Some(var.sqrt() / mean))
}

/// Fano factor of the spike counts of `train_ms` in consecutive windows of `window_ms` covering
/// `[0, duration_ms)` (incomplete last window dropped). `None` if the mean count is 0; error if
/// fewer than 2 windows fit.
pub fn fano_factor(train_ms: &[Real], duration_ms: Real, window_ms: Real) -> Result<Option<Real>> {
    validate::positive("window_ms", window_ms)?;
    validate::positive("duration_ms", duration_ms)?;
    validate::all_finite("spike train", train_ms)?;
    let n_win = (duration_ms / window_ms).floor() as usize;
    if n_win < 2 {
        return Err(NeuronError::InvalidParameter {
            name: "window_ms",
            value: format!("{window_ms}"),
            reason: format!("fewer than 2 windows fit in duration {duration_ms} ms"),
        });
    }
    let mut counts = vec![0.0; n_win];
    for &t in train_ms {
        if t >= 0.0 {
            let k = (t / window_ms) as usize;
            if k < n_win {
                counts[k] += 1.0;
            }
        }
    }
    let m = counts.iter().sum::<Real>() / n_win as Real;
    if m == 0.0 {
        return Ok(None);
    }
    let var = counts.iter().map(|c| (c - m).powi(2)).sum::<Real>() / n_win as Real;
    Ok(Some(var / m))
}

/// Rate and mean ISI CV of a set of trains over `duration_ms`.
pub fn train_stats(trains_ms: &[Vec<Real>], duration_ms: Real) -> Result<TrainStats> {
    validate::positive("duration_ms", duration_ms)?;
    if trains_ms.is_empty() {
        return Err(NeuronError::InvalidParameter {
            name: "trains_ms",
            value: "[]".into(),
            reason: "need at least one train".into(),
        });
    }
    let total: usize = trains_ms.iter().map(Vec::len).sum();
    let mut cv_sum = 0.0;
    let mut n_cv = 0;
    for t in trains_ms {
        if let Some(cv) = isi_cv(t)? {
            cv_sum += cv;
            n_cv += 1;
        }
    }
    Ok(TrainStats {
        rate_hz: 1000.0 * total as Real / (duration_ms * trains_ms.len() as Real),
        mean_cv_isi: if n_cv > 0 {
            cv_sum / n_cv as Real
        } else {
            Real::NAN
        },
        n_cv,
    })
}

/// Streaming ISI statistics of `n` neurons: per neuron the last spike time and running moments
/// of its inter-spike intervals (sum, and Welford's running mean and sum of squared deviations),
/// so a long run needs memory for `n` neurons, not for every spike.
///
/// Computes what [`isi_cv`] and [`train_stats`] compute from stored trains: the CV of neuron
/// `i` is `std(ISI) / mean(ISI)` (population std, `None` with fewer than 2 intervals or a mean
/// interval of 0) and [`IsiAccumulator::stats`] averages it over the neurons that have one, in
/// index order. The mean interval is the same sum divided by the same count (bit-identical);
/// the variance comes from Welford's update instead of the two-pass sum, equal up to rounding.
#[derive(Debug, Clone, PartialEq)]
pub struct IsiAccumulator {
    /// Last spike time (ms) of each neuron (`-inf` before its first spike).
    last_ms: Vec<Real>,
    /// Spikes of each neuron.
    spikes: Vec<u64>,
    /// Sum of each neuron's intervals (in emission order, as [`isi_cv`] sums them).
    sum: Vec<Real>,
    /// Welford running mean of each neuron's intervals.
    mean: Vec<Real>,
    /// Welford running sum of squared deviations of each neuron's intervals.
    m2: Vec<Real>,
}

impl IsiAccumulator {
    /// An accumulator for neurons `0..n_neurons`, none of which has spiked.
    pub fn new(n_neurons: usize) -> Self {
        Self {
            last_ms: vec![Real::NEG_INFINITY; n_neurons],
            spikes: vec![0; n_neurons],
            sum: vec![0.0; n_neurons],
            mean: vec![0.0; n_neurons],
            m2: vec![0.0; n_neurons],
        }
    }

    /// Bytes of state per neuron (for memory estimates).
    pub const BYTES_PER_NEURON: usize = 5 * 8;

    /// Number of neurons.
    pub fn n_neurons(&self) -> usize {
        self.spikes.len()
    }

    /// Total number of spikes recorded.
    pub fn spike_count(&self) -> u64 {
        self.spikes.iter().sum()
    }

    /// Record a spike of `neuron` at `t_ms`. Errors (and records nothing) if the neuron is out of
    /// range, the time is not finite, or it is earlier than the neuron's previous spike.
    pub fn record(&mut self, neuron: usize, t_ms: Real) -> Result<()> {
        let n = self.n_neurons();
        let last = *self
            .last_ms
            .get(neuron)
            .ok_or(NeuronError::IndexOutOfRange {
                what: "IsiAccumulator neuron index",
                index: neuron,
                len: n,
            })?;
        validate::finite("t_ms", t_ms)?;
        if t_ms < last {
            return Err(NeuronError::InvalidParameter {
                name: "t_ms",
                value: format!("{t_ms}"),
                reason: format!("spike times must be sorted (neuron {neuron} spiked at {last})"),
            });
        }
        if self.spikes[neuron] > 0 {
            let isi = t_ms - last;
            let k = self.spikes[neuron] as Real; // intervals including this one
            self.sum[neuron] += isi;
            let delta = isi - self.mean[neuron];
            self.mean[neuron] += delta / k;
            self.m2[neuron] += delta * (isi - self.mean[neuron]);
        }
        self.last_ms[neuron] = t_ms;
        self.spikes[neuron] += 1;
        Ok(())
    }

    /// ISI CV of `neuron` (as [`isi_cv`] of its train); `None` with fewer than 2 intervals or a
    /// mean interval of 0, or if `neuron` is out of range.
    pub fn cv(&self, neuron: usize) -> Option<Real> {
        let spikes = *self.spikes.get(neuron)?;
        if spikes < 3 {
            return None;
        }
        let n = (spikes - 1) as Real;
        let mean = self.sum[neuron] / n;
        if mean <= 0.0 {
            return None;
        }
        let var = (self.m2[neuron] / n).max(0.0);
        Some(var.sqrt() / mean)
    }

    /// Rate and mean ISI CV over all neurons in `duration_ms`, as [`train_stats`] of the stored
    /// trains. Errors on a non-positive duration or an accumulator of 0 neurons.
    pub fn stats(&self, duration_ms: Real) -> Result<TrainStats> {
        validate::positive("duration_ms", duration_ms)?;
        if self.n_neurons() == 0 {
            return Err(NeuronError::InvalidParameter {
                name: "trains_ms",
                value: "[]".into(),
                reason: "need at least one train".into(),
            });
        }
        let mut cv_sum = 0.0;
        let mut n_cv = 0;
        for i in 0..self.n_neurons() {
            if let Some(cv) = self.cv(i) {
                cv_sum += cv;
                n_cv += 1;
            }
        }
        Ok(TrainStats {
            rate_hz: 1000.0 * self.spike_count() as Real / (duration_ms * self.n_neurons() as Real),
            mean_cv_isi: if n_cv > 0 {
                cv_sum / n_cv as Real
            } else {
                Real::NAN
            },
            n_cv,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regular_train_has_zero_cv_and_fano() {
        let t: Vec<Real> = (0..100).map(|k| 10.0 * k as Real + 5.0).collect();
        assert_eq!(isi_cv(&t).unwrap(), Some(0.0));
        assert_eq!(fano_factor(&t, 1000.0, 100.0).unwrap(), Some(0.0));
        assert!((rate_hz(&t, 1000.0).unwrap() - 100.0).abs() < 1e-12);
        assert!(matches!(
            isi_cv(&[2.0, 1.0, 3.0]),
            Err(NeuronError::InvalidParameter {
                name: "train_ms",
                ..
            })
        ));
        assert!(matches!(
            fano_factor(&t, 100.0, 80.0),
            Err(NeuronError::InvalidParameter {
                name: "window_ms",
                ..
            })
        ));
    }

    /// The streaming statistics equal the stored-train ones on irregular, regular, short and
    /// empty trains, and bad spikes are typed errors that record nothing.
    #[test]
    fn accumulator_matches_stored_trains() {
        // irregular trains from a small LCG, a regular one, one with 2 spikes, an empty one, one
        // with repeated times (ISI 0)
        let mut x: u64 = 12345;
        let mut next = || {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (x >> 11) as Real / (1u64 << 53) as Real
        };
        let mut trains: Vec<Vec<Real>> = Vec::new();
        for _ in 0..20 {
            let mut t = 0.0;
            let mut tr = Vec::new();
            for _ in 0..(next() * 200.0) as usize {
                t += 0.1 * (1.0 + (-10.0 * next().max(1e-12).ln()).floor());
                tr.push(t);
            }
            trains.push(tr);
        }
        trains.push((0..50).map(|k| 10.0 * k as Real).collect());
        trains.push(vec![1.0, 2.0]);
        trains.push(vec![]);
        trains.push(vec![3.0, 3.0, 3.0]);
        let mut acc = IsiAccumulator::new(trains.len());
        // interleave the neurons in time order, as a simulation emits them
        let mut all: Vec<(Real, usize)> = trains
            .iter()
            .enumerate()
            .flat_map(|(i, t)| t.iter().map(move |&s| (s, i)))
            .collect();
        all.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        for &(t, i) in &all {
            acc.record(i, t).unwrap();
        }
        for (i, t) in trains.iter().enumerate() {
            match (isi_cv(t).unwrap(), acc.cv(i)) {
                (None, None) => {}
                (Some(a), Some(b)) => assert!((a - b).abs() <= 1e-12 * a.max(1.0), "{i}: {a} {b}"),
                (a, b) => panic!("neuron {i}: stored {a:?}, streaming {b:?}"),
            }
        }
        let (a, b) = (
            train_stats(&trains, 1000.0).unwrap(),
            acc.stats(1000.0).unwrap(),
        );
        assert_eq!(a.n_cv, b.n_cv);
        assert_eq!(a.n_cv, 21);
        assert_eq!(a.rate_hz, b.rate_hz);
        assert!(
            (a.mean_cv_isi - b.mean_cv_isi).abs() <= 1e-12,
            "{a:?} {b:?}"
        );
        assert!(a.mean_cv_isi > 0.3, "{a:?}");

        let before = acc.clone();
        assert!(matches!(
            acc.record(trains.len(), 1e9),
            Err(NeuronError::IndexOutOfRange { .. })
        ));
        assert!(matches!(
            acc.record(0, Real::NAN),
            Err(NeuronError::InvalidParameter { name: "t_ms", .. })
        ));
        assert!(matches!(
            acc.record(0, 0.0),
            Err(NeuronError::InvalidParameter { name: "t_ms", .. })
        ));
        assert_eq!(acc, before);
        assert!(matches!(
            IsiAccumulator::new(0).stats(1.0),
            Err(NeuronError::InvalidParameter {
                name: "trains_ms",
                ..
            })
        ));
        assert!(
            IsiAccumulator::new(1)
                .stats(1.0)
                .unwrap()
                .mean_cv_isi
                .is_nan()
        );
    }
}
