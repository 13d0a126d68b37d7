//! Seeded sequence tasks for recurrent and spiking networks, as plain arrays.
//!
//! The data crate stays neuron-free: every task returns a [`SequenceSet`], one `T x n_in` matrix
//! per trial (spikes as 0/1, time step `dt_ms`) and a [`SequenceTarget`] (class labels with the
//! window of steps the readout is scored on, or a `T x n_out` target signal). The recurrent
//! training loop (`neurograd_plasticity::recurrent::train`) turns trials into time-major batches
//! with [`SequenceSet::time_major`].
//!
//! | task | what | source |
//! |---|---|---|
//! | [`evidence_accumulation`] | 7 Poisson cues left/right, a delay, a recall cue; label = majority side | Bellec et al. (2020), Fig. 3; EP code `generate_click_task_data` |
//! | [`pattern_generation`] | frozen Poisson input, target = sum of 4 sines | Bellec et al. (2020), Fig. S7; EP `sum_of_sines_target` |
//! | [`randman`] | smooth random manifolds as spike times; every input fires exactly once | Zenke & Vogels (2021) |
//!
//! Encoders of any [`crate::Dataset`] into spike trains (Poisson rate and latency codes) are in
//! [`crate::transform::encode`].
//!
//! Randomness: trial `i` of a call with `seed` draws from the ChaCha8 stream
//! [`crate::rng::stream`]`(seed, i)` unless a generator says otherwise, so a trial does not depend
//! on how many trials are drawn with it.

mod evidence;
mod patterns;
mod randman;

pub use evidence::{EvidenceConfig, evidence_accumulation};
pub use patterns::{PatternConfig, pattern_generation, sum_of_sines};
pub use randman::{RandmanConfig, RandmanManifold, randman, randman_manifold};

use crate::{DataError, Result};
use neurograd_tensor::{Matrix, Real};
use serde::{Deserialize, Serialize};

/// The largest number of `f64` elements a generator or encoder allocates in one call
/// (`2^30`, 8 GiB); larger requests are refused before allocating.
pub const MAX_ELEMENTS: usize = 1 << 30;

/// What a sequence task asks the readout to produce.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SequenceTarget {
    /// One class label per trial, scored on the readout steps `window.0 .. window.1` (half-open):
    /// the prediction is the argmax of the readout averaged over the window (EP/evacc).
    Classification {
        /// Label of each trial, `< n_classes`.
        labels: Vec<usize>,
        /// Number of classes (readout units).
        n_classes: usize,
        /// The scored steps `[start, end)`, `start < end <= T`.
        window: (usize, usize),
    },
    /// A target signal per trial, `T x n_out`, scored at every step.
    Regression {
        /// Target of each trial, `T x n_out`.
        targets: Vec<Matrix>,
    },
}

/// A set of equally long input sequences with their targets.
///
/// Invariants (checked by [`SequenceSet::new`]): at least one trial, every input `T x n_in` with the
/// same `T >= 1` and `n_in >= 1`, every value finite, one target per trial of matching shape,
/// labels `< n_classes`, a non-empty window inside `0..T`, `dt_ms > 0`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SequenceSet {
    /// Input of each trial, `T x n_in` (row `t` is the input at step `t`; spikes are 0/1).
    pub inputs: Vec<Matrix>,
    /// The target.
    pub target: SequenceTarget,
    /// The time step in ms.
    pub dt_ms: Real,
}

impl SequenceSet {
    /// Builds a set after checking the invariants listed on [`SequenceSet`].
    ///
    /// # Errors
    /// [`DataError::Empty`] for no trials or empty matrices; [`DataError::ShapeMismatch`] when a
    /// trial or target has another shape than the first trial; [`DataError::NonFinite`];
    /// [`DataError::LabelOutOfRange`]; [`DataError::InvalidParameter`] for a bad window or `dt_ms`.
    pub fn new(inputs: Vec<Matrix>, target: SequenceTarget, dt_ms: Real) -> Result<Self> {
        let first = inputs.first().ok_or_else(|| DataError::Empty {
            what: "sequence set (no trials)".into(),
        })?;
        let (t, n_in) = first.shape();
        if t == 0 || n_in == 0 {
            return Err(DataError::Empty {
                what: format!("sequence trial 0 ({t}x{n_in})"),
            });
        }
        if !(dt_ms.is_finite() && dt_ms > 0.0) {
            return Err(DataError::invalid("dt_ms", dt_ms, "must be finite and > 0"));
        }
        for (i, x) in inputs.iter().enumerate() {
            if x.shape() != (t, n_in) {
                return Err(DataError::ShapeMismatch {
                    op: "sequence set trial",
                    expected: (t, n_in),
                    got: x.shape(),
                });
            }
            crate::dataset::check_finite(x, &format!("sequence input {i}"))?;
        }
        match &target {
            SequenceTarget::Classification {
                labels,
                n_classes,
                window,
            } => {
                if labels.len() != inputs.len() {
                    return Err(DataError::ShapeMismatch {
                        op: "sequence labels vs trials",
                        expected: (inputs.len(), 1),
                        got: (labels.len(), 1),
                    });
                }
                if *n_classes == 0 {
                    return Err(DataError::invalid("n_classes", 0, "must be at least 1"));
                }
                crate::dataset::check_labels(labels, *n_classes, "sequence labels")?;
                if !(window.0 < window.1 && window.1 <= t) {
                    return Err(DataError::invalid(
                        "window",
                        format!("{window:?}"),
                        format!("must satisfy start < end <= T = {t}"),
                    ));
                }
            }
            SequenceTarget::Regression { targets } => {
                if targets.len() != inputs.len() {
                    return Err(DataError::ShapeMismatch {
                        op: "sequence targets vs trials",
                        expected: (inputs.len(), 1),
                        got: (targets.len(), 1),
                    });
                }
                let n_out = targets[0].ncols();
                if n_out == 0 {
                    return Err(DataError::Empty {
                        what: "sequence target (no columns)".into(),
                    });
                }
                for (i, y) in targets.iter().enumerate() {
                    if y.shape() != (t, n_out) {
                        return Err(DataError::ShapeMismatch {
                            op: "sequence target",
                            expected: (t, n_out),
                            got: y.shape(),
                        });
                    }
                    crate::dataset::check_finite(y, &format!("sequence target {i}"))?;
                }
            }
        }
        Ok(SequenceSet {
            inputs,
            target,
            dt_ms,
        })
    }

    /// Number of trials.
    pub fn len(&self) -> usize {
        self.inputs.len()
    }

    /// Always `false` (a set has at least one trial); present for API symmetry with `len`.
    pub fn is_empty(&self) -> bool {
        self.inputs.is_empty()
    }

    /// Number of time steps `T`.
    pub fn n_steps(&self) -> usize {
        self.inputs[0].nrows()
    }

    /// Number of input channels `n_in`.
    pub fn n_inputs(&self) -> usize {
        self.inputs[0].ncols()
    }

    /// Number of readout units the task needs: `n_classes`, or the target's columns.
    pub fn n_outputs(&self) -> usize {
        match &self.target {
            SequenceTarget::Classification { n_classes, .. } => *n_classes,
            SequenceTarget::Regression { targets } => targets[0].ncols(),
        }
    }

    /// The labels of a classification task (`None` for regression).
    pub fn labels(&self) -> Option<&[usize]> {
        match &self.target {
            SequenceTarget::Classification { labels, .. } => Some(labels),
            SequenceTarget::Regression { .. } => None,
        }
    }

    /// The trials `idx` (in that order, repeats allowed) as a new set.
    ///
    /// # Errors
    /// [`DataError::Empty`] for an empty `idx`; [`DataError::InvalidParameter`] for an index
    /// `>= len()`.
    pub fn select(&self, idx: &[usize]) -> Result<SequenceSet> {
        self.check_indices(idx)?;
        let inputs = idx.iter().map(|&i| self.inputs[i].clone()).collect();
        let target = match &self.target {
            SequenceTarget::Classification {
                labels,
                n_classes,
                window,
            } => SequenceTarget::Classification {
                labels: idx.iter().map(|&i| labels[i]).collect(),
                n_classes: *n_classes,
                window: *window,
            },
            SequenceTarget::Regression { targets } => SequenceTarget::Regression {
                targets: idx.iter().map(|&i| targets[i].clone()).collect(),
            },
        };
        Ok(SequenceSet {
            inputs,
            target,
            dt_ms: self.dt_ms,
        })
    }

    /// The inputs of trials `idx` as `T` time-major matrices `B x n_in` (`B = idx.len()`, row `b`
    /// of step `t` is row `t` of trial `idx[b]`), the layout recurrent networks step through.
    ///
    /// # Errors
    /// As [`SequenceSet::select`].
    pub fn time_major(&self, idx: &[usize]) -> Result<Vec<Matrix>> {
        self.check_indices(idx)?;
        Ok(to_time_major(
            &idx.iter().map(|&i| &self.inputs[i]).collect::<Vec<_>>(),
        ))
    }

    /// The regression targets of trials `idx` as `T` time-major matrices `B x n_out`; `None` for a
    /// classification task.
    ///
    /// # Errors
    /// As [`SequenceSet::select`].
    pub fn targets_time_major(&self, idx: &[usize]) -> Result<Option<Vec<Matrix>>> {
        self.check_indices(idx)?;
        Ok(match &self.target {
            SequenceTarget::Classification { .. } => None,
            SequenceTarget::Regression { targets } => Some(to_time_major(
                &idx.iter().map(|&i| &targets[i]).collect::<Vec<_>>(),
            )),
        })
    }

    fn check_indices(&self, idx: &[usize]) -> Result<()> {
        if idx.is_empty() {
            return Err(DataError::Empty {
                what: "trial indices".into(),
            });
        }
        if let Some(&bad) = idx.iter().find(|&&i| i >= self.len()) {
            return Err(DataError::invalid(
                "trial index",
                bad,
                format!("must be < the number of trials, {}", self.len()),
            ));
        }
        Ok(())
    }

    /// Number of spikes (non-zero entries) per input channel of trial `i`, summed over time.
    ///
    /// # Panics
    /// Never: an out-of-range `i` gives an empty vector.
    pub fn spike_counts(&self, i: usize) -> Vec<usize> {
        let Some(x) = self.inputs.get(i) else {
            return Vec::new();
        };
        (0..x.ncols())
            .map(|c| x.column(c).iter().filter(|&&v| v != 0.0).count())
            .collect()
    }
}

/// `T` matrices `B x n` from `B` matrices `T x n` (all of one shape, checked by the caller).
fn to_time_major(trials: &[&Matrix]) -> Vec<Matrix> {
    let (t, n) = trials[0].shape();
    let b = trials.len();
    (0..t)
        .map(|s| Matrix::from_fn(b, n, |r, c| trials[r][(s, c)]))
        .collect()
}

/// Refuses a request of more than [`MAX_ELEMENTS`] elements (or an overflowing one) before
/// allocating; `dims` are multiplied.
pub(crate) fn check_elements(what: &'static str, dims: &[usize]) -> Result<()> {
    let total = dims
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .filter(|&n| n <= MAX_ELEMENTS);
    if total.is_none() {
        return Err(DataError::invalid(
            what,
            format!("{dims:?}"),
            format!("needs more than {MAX_ELEMENTS} elements"),
        ));
    }
    Ok(())
}

/// Checks a probability per step `p = rate_hz * dt_ms / 1000` lies in `[0, 1]` and returns it.
pub(crate) fn spike_probability(name: &'static str, rate_hz: Real, dt_ms: Real) -> Result<Real> {
    if !(rate_hz.is_finite() && rate_hz >= 0.0) {
        return Err(DataError::invalid(name, rate_hz, "must be finite and >= 0"));
    }
    let p = rate_hz * dt_ms / 1000.0;
    if p > 1.0 {
        return Err(DataError::invalid(
            name,
            rate_hz,
            format!("rate * dt = {p} spikes per step exceeds 1"),
        ));
    }
    Ok(p)
}

/// Checks `dt_ms` is finite and `> 0`.
pub(crate) fn check_dt(dt_ms: Real) -> Result<()> {
    if !(dt_ms.is_finite() && dt_ms > 0.0) {
        return Err(DataError::invalid("dt_ms", dt_ms, "must be finite and > 0"));
    }
    Ok(())
}
