//! `optimize <algorithm>`: any black-box optimizer of `neurograd-optim` on any test function,
//! several seeds, evaluations to a target.

use serde::{Deserialize, Serialize};

use crate::optim::blackbox::driver::{DriverConfig, GenerationReport, minimize};
use crate::optim::blackbox::{
    AskTell, CmaEs, CmaEsConfig, IpopCmaEs, IpopConfig, Nes, NesConfig, OnePlusOneConfig,
    OnePlusOneEs, RandomSearch, RandomSearchConfig, RealGa, RealGaConfig,
};
use crate::{Error, Progress, Result, VERSION};

/// Parameters of an optimizer benchmark.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OptimizeParams {
    /// Optimizer name.
    pub algorithm: String,
    /// Test-function name.
    pub function: String,
    /// Dimension.
    pub dim: usize,
    /// Number of runs; run `k` uses seed `seed + k`.
    pub seeds: usize,
    /// First seed.
    pub seed: u64,
    /// A run succeeds when its best value is `<= target`.
    pub target: f64,
    /// Evaluation budget per run.
    pub max_evaluations: usize,
    /// Population size (`None`: the optimizer's default).
    pub popsize: Option<usize>,
    /// Initial step size.
    pub sigma0: f64,
}

/// One run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OptimizeRun {
    /// The run's seed.
    pub seed: u64,
    /// Evaluations used: until the target was reached, or the whole spent budget otherwise.
    pub evaluations: usize,
    /// Best function value found.
    pub best_f: f64,
    /// Whether `best_f <= target`.
    pub reached_target: bool,
    /// (evaluations, best f so far) after each generation.
    pub trace: Vec<(usize, f64)>,
}

/// The result of `optimize`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OptimizeResult {
    /// neurograd version.
    pub version: String,
    /// The parameters used.
    pub params: OptimizeParams,
    /// One entry per seed.
    pub runs: Vec<OptimizeRun>,
    /// Median over runs of evaluations to target, failed runs counted as infinite; `None` (JSON
    /// `null`) when half or more of the runs failed.
    pub median_evaluations: Option<f64>,
    /// Fraction of runs that reached the target.
    pub success_rate: f64,
}

/// Optimizer names accepted by [`run`].
pub const OPTIMIZERS: &[&str] = &[
    "cmaes",
    "ipop-cmaes",
    "ga",
    "nes",
    "one-plus-one",
    "random-search",
];

/// Half-width of the search box: starting points are uniform in `[-B, B]^n` (seeded), and the GA
/// and random search search in that box.
pub const BOX: f64 = 5.0;

/// Builds the optimizer `name` for one run.
///
/// # Errors
/// [`Error::UnknownName`] listing [`OPTIMIZERS`]; the optimizer's config validation.
pub fn build(p: &OptimizeParams, seed: u64) -> Result<Box<dyn AskTell + Send>> {
    use rand::SeedableRng;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let x0: Vec<f64> = (0..p.dim)
        .map(|_| rand::RngExt::random_range(&mut rng, -BOX..BOX))
        .collect();
    let lower = vec![-BOX; p.dim];
    let upper = vec![BOX; p.dim];
    let target = Some(p.target);
    let budget = Some(p.max_evaluations);
    Ok(match p.algorithm.as_str() {
        "cmaes" => {
            let mut c = CmaEsConfig::new(x0, p.sigma0);
            c.popsize = p.popsize;
            c.seed = seed;
            c.ftarget = target;
            c.max_evaluations = budget;
            Box::new(CmaEs::new(c)?)
        }
        "ipop-cmaes" => {
            let mut c = CmaEsConfig::new(x0, p.sigma0);
            c.popsize = p.popsize;
            c.seed = seed;
            c.ftarget = target;
            let mut ic = IpopConfig::new(c);
            ic.max_evaluations = budget;
            ic.restart_box = Some((-BOX, BOX));
            Box::new(IpopCmaEs::new(ic)?)
        }
        "ga" => {
            let mut c = RealGaConfig::new(lower, upper);
            if let Some(ps) = p.popsize {
                c.popsize = ps;
            }
            c.seed = seed;
            c.ftarget = target;
            c.max_evaluations = budget;
            Box::new(RealGa::new(c)?)
        }
        "nes" => {
            let mut c = NesConfig::new(x0, p.sigma0);
            if let Some(ps) = p.popsize {
                c.popsize = ps;
            }
            c.seed = seed;
            c.ftarget = target;
            c.max_evaluations = budget;
            Box::new(Nes::new(c)?)
        }
        "one-plus-one" => {
            let mut c = OnePlusOneConfig::new(x0, p.sigma0);
            c.seed = seed;
            c.ftarget = target;
            c.max_evaluations = budget;
            Box::new(OnePlusOneEs::new(c)?)
        }
        "random-search" => Box::new(RandomSearch::new(RandomSearchConfig {
            lower,
            upper,
            popsize: p.popsize.unwrap_or(100),
            seed,
            ftarget: target,
            max_evaluations: budget,
        })?),
        other => return Err(Error::unknown("optimizer", other, OPTIMIZERS)),
    })
}

/// The memory a run of `p` needs, roughly (bytes): CMA-ES keeps `n x n` matrices (covariance,
/// eigenvectors and a copy for the decomposition) and `n x lambda` samples; the others keep their
/// population (`popsize x n`, a few copies).
fn memory_estimate(p: &OptimizeParams) -> f64 {
    let n = p.dim as f64;
    let default_pop = 4.0 + (3.0 * n.ln()).floor();
    let pop = p.popsize.map_or(default_pop.max(100.0), |k| k as f64);
    let per_point = 8.0 * n * 4.0;
    match p.algorithm.as_str() {
        "cmaes" | "ipop-cmaes" => 8.0 * 4.0 * n * n + pop * per_point,
        _ => pop * per_point,
    }
}

/// Runs the benchmark: `seeds` independent runs, run `k` with seed `seed + k`, each until the
/// target, the budget or the optimizer's own stopping rule.
///
/// # Errors
/// Unknown optimizer or function names list the valid ones; invalid sizes are
/// [`Error::InvalidParameter`].
pub fn run(p: &OptimizeParams, progress: &dyn Progress) -> Result<OptimizeResult> {
    match run_until(p, progress, &|| false)? {
        Some(r) => Ok(r),
        None => Err(Error::Internal {
            what: "optimize",
            reason: "stopped without a stop request".into(),
        }),
    }
}

/// [`run`], polling `stop` after every generation of every run: once it returns `true` the
/// runs end at their next generation and the result is `None` (for callers that stop on a
/// signal, e.g. the Python bindings).
///
/// # Errors
/// As [`run`].
pub fn run_until(
    p: &OptimizeParams,
    progress: &dyn Progress,
    stop: &(dyn Fn() -> bool + Sync),
) -> Result<Option<OptimizeResult>> {
    if p.dim == 0 {
        return Err(Error::invalid("dim", p.dim, "must be at least 1"));
    }
    let seeds = super::seed_range(p.seed, p.seeds)?;
    if !p.target.is_finite() {
        return Err(Error::invalid("target", p.target, "must be finite"));
    }
    if p.max_evaluations == 0 {
        return Err(Error::invalid("max_evals", 0, "must be at least 1"));
    }
    if !OPTIMIZERS.contains(&p.algorithm.as_str()) {
        return Err(Error::unknown("optimizer", &p.algorithm, OPTIMIZERS));
    }
    super::check_memory("dim", p.dim, memory_estimate(p))?;
    let f = crate::optim::functions::by_name(&p.function, p.dim)?;
    // validate the name and config, and that one generation fits the budget, before running
    let first = build(p, p.seed)?.ask_size();
    if first > p.max_evaluations {
        return Err(Error::invalid(
            "max_evals",
            p.max_evaluations,
            format!(
                "{} evaluates {first} points per generation (its population): the budget does \
                 not cover one generation",
                p.algorithm
            ),
        ));
    }
    progress.start(
        &format!("{} on {}", p.algorithm, p.function),
        p.seeds as u64,
    );
    // The seeds' runs are independent (each optimizer draws from its own seed), so they run in
    // parallel on the rayon pool (`--threads`); the result is in seed order, the same for any
    // thread count.
    let runs = {
        use rayon::prelude::*;
        seeds
            .collect::<Vec<u64>>()
            .into_par_iter()
            .map(|seed| -> Result<OptimizeRun> {
                if stop() {
                    // the collect below ends at the first error: no further run starts
                    return Err(Error::Internal {
                        what: "optimize",
                        reason: "stopped on request".into(),
                    });
                }
                let mut opt = build(p, seed)?;
                let mut trace = Vec::new();
                let mut reached_at: Option<usize> = None;
                let target = p.target;
                let mut obs = |r: &GenerationReport<'_>| {
                    trace.push((r.evaluations, r.best_f));
                    if r.best_f <= target && reached_at.is_none() {
                        reached_at = Some(r.evaluations);
                    }
                    !stop()
                };
                let cfg = DriverConfig {
                    max_generations: None,
                    max_evaluations: Some(p.max_evaluations),
                    sequential: false,
                };
                let res = minimize(
                    opt.as_mut(),
                    |x| f.value(x.as_slice()).unwrap_or(f64::INFINITY),
                    &cfg,
                    Some(&mut obs),
                )?;
                let best_f = res.best.as_ref().map_or(f64::INFINITY, |b| b.f);
                let evaluations = match (reached_at, res.best.as_ref()) {
                    (Some(_), Some(b)) if b.f <= target => b.evaluation,
                    (Some(e), _) => e,
                    _ => res.evaluations,
                };
                progress.inc(1);
                Ok(OptimizeRun {
                    seed,
                    evaluations,
                    best_f,
                    reached_target: best_f <= target,
                    trace,
                })
            })
            .collect::<Result<Vec<_>>>()
    };
    let runs = match runs {
        Err(_) if stop() => return Ok(None),
        r => r?,
    };
    progress.finish();
    if stop() {
        return Ok(None);
    }
    let to_target: Vec<f64> = runs
        .iter()
        .map(|r| {
            if r.reached_target {
                r.evaluations as f64
            } else {
                f64::INFINITY
            }
        })
        .collect();
    let success_rate = runs.iter().filter(|r| r.reached_target).count() as f64 / runs.len() as f64;
    Ok(Some(OptimizeResult {
        version: VERSION.to_string(),
        params: p.clone(),
        median_evaluations: super::median(&to_target),
        success_rate,
        runs,
    }))
}
