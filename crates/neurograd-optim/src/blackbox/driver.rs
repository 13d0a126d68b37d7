//! Runs an [`AskTell`] optimizer on a function, evaluating each population in parallel with
//! rayon. Evaluation results are collected in population order, so for a deterministic
//! objective the run is bit-identical for any number of threads.

use super::{AskTell, Best, StopReason};
use crate::Result;
use crate::par::*;
use neurograd_tensor::{Real, Vector};
use serde::{Deserialize, Serialize};

/// Extra limits of a driven run (on top of the optimizer's own stopping rules).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct DriverConfig {
    /// Stop after this many generations.
    pub max_generations: Option<usize>,
    /// Stop once this many evaluations were made.
    pub max_evaluations: Option<usize>,
    /// Evaluate sequentially on the calling thread instead of with rayon (always sequential
    /// without the crate feature `parallel`).
    pub sequential: bool,
}

/// What the observer sees after each generation.
#[derive(Debug, Clone, Copy)]
pub struct GenerationReport<'a> {
    /// Generation just completed (1-based).
    pub generation: usize,
    /// Evaluations so far.
    pub evaluations: usize,
    /// Best fitness so far.
    pub best_f: Real,
    /// Fitness values of this generation, in population order.
    pub fitness: &'a [Real],
}

/// Outcome of a driven run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunResult {
    /// Best point found.
    pub best: Option<Best>,
    /// Generations run.
    pub generations: usize,
    /// Evaluations made.
    pub evaluations: usize,
    /// Why the run ended (`None`: a driver limit or the observer ended it).
    pub stop: Option<StopReason>,
}

/// Minimises `f` with `opt` until the optimizer stops, a driver limit is hit, or the observer
/// returns `false`.
///
/// # Errors
/// Whatever `tell` returns, e.g. [`OptimError::NonFiniteFitness`](crate::OptimError) naming
/// the candidate and generation when `f` returns NaN/Inf (the optimizer state is unchanged).
pub fn minimize<O, F>(
    opt: &mut O,
    f: F,
    config: &DriverConfig,
    mut observer: Option<&mut dyn FnMut(&GenerationReport<'_>) -> bool>,
) -> Result<RunResult>
where
    O: AskTell + ?Sized,
    F: Fn(&Vector) -> Real + Sync,
{
    let mut generations = 0;
    loop {
        if opt.stop().is_some()
            || config.max_generations.is_some_and(|m| generations >= m)
            || config
                .max_evaluations
                .is_some_and(|m| opt.evaluations() + opt.ask_size() > m)
        {
            break;
        }
        let xs = opt.ask();
        let fit: Vec<Real> = if config.sequential {
            xs.iter().map(&f).collect()
        } else {
            xs.par_iter().map(&f).collect()
        };
        opt.tell(&fit)?;
        generations += 1;
        if let Some(obs) = observer.as_mut() {
            let report = GenerationReport {
                generation: opt.generation(),
                evaluations: opt.evaluations(),
                best_f: opt.best().map_or(Real::INFINITY, |b| b.f),
                fitness: &fit,
            };
            if !obs(&report) {
                break;
            }
        }
    }
    Ok(RunResult {
        best: opt.best().cloned(),
        generations,
        evaluations: opt.evaluations(),
        stop: opt.stop(),
    })
}
