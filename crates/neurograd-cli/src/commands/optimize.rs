//! `neurograd optimize <algorithm> --function F --dim N --seeds K --target T`.

use clap::Args;

use neurograd::experiments::optimize::{self as exp, OptimizeParams};

use crate::Common;
use crate::plot::{Figure, Series};
use crate::table::{Table, num};

/// Arguments of `optimize`.
#[derive(Debug, Args)]
pub struct OptimizeArgs {
    /// Black-box optimizer: cmaes, ipop-cmaes, ga, nes, one-plus-one or random-search.
    pub algorithm: String,
    /// Test function: sphere, ellipsoid, rosenbrock, rastrigin, ackley, schwefel, step_sphere,
    /// onemax or trap.
    #[arg(long, default_value = "sphere")]
    pub function: String,
    /// Dimension.
    #[arg(long, default_value_t = 10)]
    pub dim: usize,
    /// Number of independent runs (seeds seed, seed+1, ...).
    #[arg(long, default_value_t = 11)]
    pub seeds: usize,
    /// Target function value: a run succeeds when its best f is at most this.
    #[arg(long, default_value_t = 1e-8)]
    pub target: f64,
    /// Evaluation budget per run (at least one generation; never exceeded: a run stops before
    /// a generation that would overrun it).
    #[arg(long, default_value_t = 100_000)]
    pub max_evals: usize,
    /// Population size (default: the optimizer's own default).
    #[arg(long)]
    pub popsize: Option<usize>,
    /// Initial step size.
    #[arg(long, default_value_t = 1.0)]
    pub sigma0: f64,
}

/// Runs the subcommand.
pub fn run(common: &Common, a: &OptimizeArgs) -> neurograd::Result<()> {
    let params = OptimizeParams {
        algorithm: a.algorithm.clone(),
        function: a.function.clone(),
        dim: a.dim,
        seeds: a.seeds,
        seed: common.seed,
        target: a.target,
        max_evaluations: a.max_evals,
        popsize: a.popsize,
        sigma0: a.sigma0,
    };
    let bars = crate::progress::Bars::new(common.quiet);
    let res = exp::run(&params, &bars)?;
    if let Some(dir) = &common.out {
        let mut files = vec![super::save_json(dir, "optimize.json", &res)?];
        let fig = Figure::Lines {
            title: format!(
                "{} on {} (n = {})",
                res.params.algorithm, res.params.function, res.params.dim
            ),
            xlabel: "evaluations".into(),
            ylabel: "best f".into(),
            series: res
                .runs
                .iter()
                .map(|r| Series {
                    name: format!("seed {}", r.seed),
                    points: r.trace.iter().map(|&(e, f)| (e as f64, f)).collect(),
                })
                .collect(),
            log_y: true,
        };
        files.extend(crate::plot::save(&fig, dir, "optimize")?);
        super::report_files(common, &files);
    }
    if common.json {
        return super::print_json(&res);
    }
    let mut t = Table::new(&["seed", "evaluations", "best f", "reached target"]);
    for r in &res.runs {
        t.row(vec![
            r.seed.to_string(),
            r.evaluations.to_string(),
            format!("{:.3e}", r.best_f),
            r.reached_target.to_string(),
        ]);
    }
    print!("{}", t.render());
    println!(
        "{} on {} (n = {}): success {}/{}, median evaluations to f <= {:e}: {}",
        res.params.algorithm,
        res.params.function,
        res.params.dim,
        res.runs.iter().filter(|r| r.reached_target).count(),
        res.runs.len(),
        res.params.target,
        num(res.median_evaluations, 0)
    );
    Ok(())
}
