//! Running a rule over data: learning-rate schedules and divergence detection.
//!
//! `W ← W + η_t Δ(W, batch_t)`, batches of consecutive samples cycled in order (deterministic).
//! If the Frobenius norm of `W` becomes non-finite or exceeds [`RuleTrainConfig::max_norm`], training
//! stops with [`PlasticityError::Diverged`] naming the step and the norm; the weights keep their
//! last value below the limit, so no NaN is ever written back silently.

use super::check;
use super::objective::Batch;
use super::rule::{Activity, LocalRule};
use crate::{PlasticityError, Result};
use neurograd_tensor::{Matrix, Real, Vector};

/// A learning-rate schedule.
#[derive(Debug, Clone, PartialEq)]
pub enum RateSchedule {
    /// `η_t = η`.
    Constant(Real),
    /// Phases of `(steps, η)` run in order; the last rate continues if steps remain.
    Piecewise(Vec<(usize, Real)>),
    /// Robbins–Monro `η_t = η₀ t₀ / (t₀ + t)`.
    InverseTime {
        /// Initial rate `η₀`.
        eta0: Real,
        /// Time constant `t₀` in steps.
        t0: Real,
    },
}

impl RateSchedule {
    /// Checks that every rate is finite and positive (and `t0 > 0`).
    pub fn check(&self) -> Result<()> {
        match self {
            RateSchedule::Constant(e) => check::positive("learning_rate", *e).map(|_| ()),
            RateSchedule::Piecewise(p) => {
                if p.is_empty() {
                    return Err(PlasticityError::InvalidParameter {
                        name: "schedule",
                        value: "[]".to_string(),
                        reason: "needs at least one phase".to_string(),
                    });
                }
                p.iter()
                    .try_for_each(|(_, e)| check::positive("learning_rate", *e).map(|_| ()))
            }
            RateSchedule::InverseTime { eta0, t0 } => {
                check::positive("eta0", *eta0)?;
                check::positive("t0", *t0).map(|_| ())
            }
        }
    }

    /// The rate at step `t` (0-based).
    pub fn rate(&self, t: usize) -> Real {
        match self {
            RateSchedule::Constant(e) => *e,
            RateSchedule::Piecewise(p) => {
                let mut acc = 0;
                for (n, e) in p {
                    acc += n;
                    if t < acc {
                        return *e;
                    }
                }
                p.last().map_or(0.0, |x| x.1)
            }
            RateSchedule::InverseTime { eta0, t0 } => eta0 * t0 / (t0 + t as Real),
        }
    }

    /// Total steps of a piecewise schedule (`None` for the others).
    pub fn total_steps(&self) -> Option<usize> {
        match self {
            RateSchedule::Piecewise(p) => Some(p.iter().map(|x| x.0).sum()),
            _ => None,
        }
    }
}

/// Training settings.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleTrainConfig {
    /// Learning-rate schedule.
    pub schedule: RateSchedule,
    /// Number of updates.
    pub steps: usize,
    /// Samples per update (consecutive rows, cycled).
    pub batch_size: usize,
    /// Frobenius-norm limit above which the weights count as diverged (default 1e6).
    pub max_norm: Real,
}

impl RuleTrainConfig {
    /// `steps` updates of `batch_size` samples with `schedule`, `max_norm = 1e6`.
    pub fn new(schedule: RateSchedule, steps: usize, batch_size: usize) -> Self {
        Self {
            schedule,
            steps,
            batch_size,
            max_norm: 1e6,
        }
    }
}

/// What happened during training.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainReport {
    /// Updates applied.
    pub steps: usize,
    /// Final Frobenius norm of the weights.
    pub final_norm: Real,
    /// Largest norm seen.
    pub max_norm_seen: Real,
}

/// Trains `weights` in place with `rule` on `data`. Errors: shape/finiteness of inputs, invalid
/// schedule or batch size, and [`PlasticityError::Diverged`] (1-based step, norm) when the
/// weights blow up.
pub fn train_rule(
    rule: &dyn LocalRule,
    weights: &mut Matrix,
    data: &Batch,
    config: &RuleTrainConfig,
) -> Result<TrainReport> {
    config.schedule.check()?;
    check::finite_matrix("weights", weights)?;
    if config.batch_size == 0 {
        return Err(PlasticityError::InvalidParameter {
            name: "batch_size",
            value: "0".to_string(),
            reason: "must be >= 1".to_string(),
        });
    }
    check::positive("max_norm", config.max_norm)?;
    let n = data.len();
    let bs = config.batch_size.min(n);
    let mut pre = Matrix::zeros(bs, data.pre.ncols());
    let mut target = data.target.as_ref().map(|t| Matrix::zeros(bs, t.ncols()));
    let mut modulator = data.modulator.as_ref().map(|_| Vector::zeros(bs));
    let mut cursor = 0usize;
    let mut max_seen = weights.norm();
    for step in 0..config.steps {
        for r in 0..bs {
            let i = (cursor + r) % n;
            pre.set_row(r, &data.pre.row(i));
            if let (Some(t), Some(src)) = (target.as_mut(), data.target.as_ref()) {
                t.set_row(r, &src.row(i));
            }
            if let (Some(m), Some(src)) = (modulator.as_mut(), data.modulator.as_ref()) {
                m[r] = src[i];
            }
        }
        cursor = (cursor + bs) % n;
        let post = rule.response(weights, &pre)?;
        let mut act = Activity::new(&pre, &post);
        if let Some(t) = target.as_ref() {
            act = act.with_target(t);
        }
        if let Some(m) = modulator.as_ref() {
            act = act.with_modulator(m);
        }
        let d = rule.delta(&act, weights)?;
        let eta = config.schedule.rate(step);
        let next = &*weights + d * eta;
        let norm = next.norm();
        if !norm.is_finite() || norm > config.max_norm {
            return Err(PlasticityError::Diverged {
                what: format!("weights of {}", rule.name()),
                step: step + 1,
                norm,
            });
        }
        *weights = next;
        max_seen = max_seen.max(norm);
    }
    Ok(TrainReport {
        steps: config.steps,
        final_norm: weights.norm(),
        max_norm_seen: max_seen,
    })
}
