//! Evidence accumulation (Bellec et al. 2020, Fig. 3).

use super::{SequenceSet, SequenceTarget, check_dt, check_elements, spike_probability};
use crate::generators::check_count;
use crate::rng::{self, uniform};
use crate::{DataError, Result};
use neurograd_tensor::{Matrix, Real};
use serde::{Deserialize, Serialize};

/// Parameters of the evidence-accumulation task. The defaults are EP/evacc exactly
/// (`tutorial_evidence_accumulation_with_alif.py` with `generate_click_task_data`): 7 cues of
/// 100 ms each preceded by 50 ms of silence (spacing 150 ms), a delay of 1050 ms, a recall cue in
/// the last 150 ms: `T = 7 * 150 + 1050 + 150 = 2250` steps at `dt = 1` ms; 40 inputs in 4 groups
/// of 10 (left, right, recall, background) firing at 40 Hz when active, background always at
/// 10 Hz; each cue goes to the trial's majority side with probability 0.7.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvidenceConfig {
    /// Number of cues (odd, so the majority is never tied).
    pub n_cues: usize,
    /// Duration of one cue (ms).
    pub cue_ms: Real,
    /// Cue spacing (ms): each cue is preceded by `interval_ms - cue_ms` of silence.
    pub interval_ms: Real,
    /// Silence between the end of the last cue interval and the recall cue (ms).
    pub delay_ms: Real,
    /// Duration of the recall cue, the scored window (ms).
    pub recall_ms: Real,
    /// Input channels per group (4 groups: left, right, recall, background).
    pub channels_per_group: usize,
    /// Rate of an active cue or recall channel (Hz).
    pub active_rate_hz: Real,
    /// Rate of the background channels, at all times (Hz).
    pub background_rate_hz: Real,
    /// Probability that a cue goes to the trial's majority side.
    pub p_majority: Real,
    /// Time step (ms).
    pub dt_ms: Real,
}

impl Default for EvidenceConfig {
    fn default() -> Self {
        EvidenceConfig {
            n_cues: 7,
            cue_ms: 100.0,
            interval_ms: 150.0,
            delay_ms: 1050.0,
            recall_ms: 150.0,
            channels_per_group: 10,
            active_rate_hz: 40.0,
            background_rate_hz: 10.0,
            p_majority: 0.7,
            dt_ms: 1.0,
        }
    }
}

/// The checked step counts of an [`EvidenceConfig`].
#[derive(Debug, Clone, Copy)]
struct Steps {
    cue: usize,
    interval: usize,
    recall: usize,
    total: usize,
}

/// `ms / dt` as a whole number of steps (to 1e-9), else an error naming the field.
fn steps(name: &'static str, ms: Real, dt: Real) -> Result<usize> {
    let s = ms / dt;
    if !(s.is_finite() && s >= 0.0 && (s - s.round()).abs() <= 1e-9 * s.max(1.0)) {
        return Err(DataError::invalid(
            name,
            ms,
            format!("must be a non-negative whole number of time steps of {dt} ms"),
        ));
    }
    Ok(s.round() as usize)
}

impl EvidenceConfig {
    /// A scaled-down variant for quick tests and CI: 3 cues of 20 ms with 30 ms spacing, a 500 ms
    /// delay (25 membrane time constants of the task's LIF neurons, so the memory has to come
    /// from adaptation) and a 30 ms recall (`T = 620`), 4 channels per group, rates and
    /// `p_majority` as the default.
    pub fn small() -> Self {
        EvidenceConfig {
            n_cues: 3,
            cue_ms: 20.0,
            interval_ms: 30.0,
            delay_ms: 500.0,
            recall_ms: 30.0,
            channels_per_group: 4,
            ..EvidenceConfig::default()
        }
    }

    /// Number of time steps of one trial, `n_cues * interval + delay + recall` (in steps).
    ///
    /// # Errors
    /// As [`evidence_accumulation`].
    pub fn n_steps(&self) -> Result<usize> {
        Ok(self.check()?.total)
    }

    /// Number of input channels, `4 * channels_per_group`.
    pub fn n_inputs(&self) -> usize {
        4 * self.channels_per_group
    }

    fn check(&self) -> Result<Steps> {
        check_dt(self.dt_ms)?;
        check_count("n_cues", self.n_cues)?;
        if self.n_cues.is_multiple_of(2) {
            return Err(DataError::invalid(
                "n_cues",
                self.n_cues,
                "must be odd (an even number of cues can tie)",
            ));
        }
        check_count("channels_per_group", self.channels_per_group)?;
        let cue = steps("cue_ms", self.cue_ms, self.dt_ms)?;
        let interval = steps("interval_ms", self.interval_ms, self.dt_ms)?;
        let delay = steps("delay_ms", self.delay_ms, self.dt_ms)?;
        let recall = steps("recall_ms", self.recall_ms, self.dt_ms)?;
        if cue == 0 || cue > interval {
            return Err(DataError::invalid(
                "cue_ms",
                self.cue_ms,
                "must be at least one step and at most interval_ms",
            ));
        }
        if recall == 0 {
            return Err(DataError::invalid(
                "recall_ms",
                self.recall_ms,
                "must be at least one step",
            ));
        }
        spike_probability("active_rate_hz", self.active_rate_hz, self.dt_ms)?;
        spike_probability("background_rate_hz", self.background_rate_hz, self.dt_ms)?;
        if !(0.0..=1.0).contains(&self.p_majority) {
            return Err(DataError::invalid(
                "p_majority",
                self.p_majority,
                "must lie in [0, 1]",
            ));
        }
        let total = self
            .n_cues
            .checked_mul(interval)
            .and_then(|x| x.checked_add(delay))
            .and_then(|x| x.checked_add(recall))
            .ok_or_else(|| DataError::invalid("n_cues", self.n_cues, "trial length overflows"))?;
        Ok(Steps {
            cue,
            interval,
            recall,
            total,
        })
    }
}

/// Draws `n_trials` trials of the evidence-accumulation task (Bellec et al. 2020, Nat. Commun.
/// 11:3625, Fig. 3; the EP repository's `generate_click_task_data`).
///
/// Trial `i` draws from stream `(seed, i)`, in this order: the majority side `m` (`u < 1/2`:
/// left = 0, else right = 1); for each cue `k`, its side (`m` if `u < p_majority`, else the other);
/// then one uniform per `(t, c)` in row-major order, channel `c` spiking at step `t` iff
/// `u < p(t, c)` with
///
/// - cue `k` occupies steps `[s_k, s_k + cue)`, `s_k = (interval - cue) + k * interval`, where the
///   cue's side group (channels `side * g .. (side + 1) * g`) has `p = active_rate * dt`;
/// - the recall group (`2g .. 3g`) has `p = active_rate * dt` in the last `recall` steps;
/// - the background group (`3g .. 4g`) has `p = background_rate * dt` at all steps;
/// - otherwise `p = 0`.
///
/// Label: `1` (right) iff more than `n_cues / 2` (integer division) cues are right. Target:
/// classification with 2 classes on the window of the last `recall` steps.
///
/// # Errors
/// [`DataError::InvalidParameter`] for `n_trials == 0`, an even or zero `n_cues`, durations that
/// are not whole steps, a cue longer than its interval, rates with `rate * dt > 1`, `p_majority`
/// outside `[0, 1]`, or a request larger than [`super::MAX_ELEMENTS`].
///
/// ```
/// use neurograd_data::generators::sequence::{EvidenceConfig, evidence_accumulation};
/// let set = evidence_accumulation(&EvidenceConfig::default(), 2, 7)?;
/// assert_eq!((set.len(), set.n_steps(), set.n_inputs()), (2, 2250, 40));
/// # Ok::<(), neurograd_data::DataError>(())
/// ```
pub fn evidence_accumulation(
    cfg: &EvidenceConfig,
    n_trials: usize,
    seed: u64,
) -> Result<SequenceSet> {
    check_count("n_trials", n_trials)?;
    let s = cfg.check()?;
    let n_in = cfg.n_inputs();
    check_elements("n_trials", &[n_trials, s.total, n_in])?;
    let g = cfg.channels_per_group;
    let p_active = cfg.active_rate_hz * cfg.dt_ms / 1000.0;
    let p_back = cfg.background_rate_hz * cfg.dt_ms / 1000.0;
    let mut inputs = Vec::with_capacity(n_trials);
    let mut labels = Vec::with_capacity(n_trials);
    let silence = s.interval - s.cue;
    for i in 0..n_trials {
        let mut rng = rng::stream(seed, i as u64);
        let majority = usize::from(uniform(&mut rng) >= 0.5);
        let sides: Vec<usize> = (0..cfg.n_cues)
            .map(|_| {
                if uniform(&mut rng) < cfg.p_majority {
                    majority
                } else {
                    1 - majority
                }
            })
            .collect();
        let n_right = sides.iter().filter(|&&c| c == 1).count();
        labels.push(usize::from(n_right > cfg.n_cues / 2));
        // Probability of each (step, group): groups 0 left, 1 right, 2 recall, 3 background.
        let group_p = |t: usize| -> [Real; 4] {
            let mut p = [0.0, 0.0, 0.0, p_back];
            if t < cfg.n_cues * s.interval {
                let (k, off) = (t / s.interval, t % s.interval);
                if off >= silence {
                    p[sides[k]] = p_active;
                }
            }
            if t >= s.total - s.recall {
                p[2] = p_active;
            }
            p
        };
        let mut x = Matrix::zeros(s.total, n_in);
        for t in 0..s.total {
            let p = group_p(t);
            for c in 0..n_in {
                if uniform(&mut rng) < p[c / g] {
                    x[(t, c)] = 1.0;
                }
            }
        }
        inputs.push(x);
    }
    SequenceSet::new(
        inputs,
        SequenceTarget::Classification {
            labels,
            n_classes: 2,
            window: (s.total - s.recall, s.total),
        },
        cfg.dt_ms,
    )
}
