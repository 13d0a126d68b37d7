//! `neurograd compare`: the main job.

use clap::Args;

use neurograd::experiments::compare::{self as exp, CompareParams, CompareResult};

use crate::Common;
use crate::plot::{Figure, Series};
use crate::table::{Table, num};

/// The default `--algorithms` of the feed-forward comparison.
pub const DEFAULT_ALGORITHMS: &str = "bp,fa,dfa,ss,pc,ep,ep-sym,chl,dtp,es";

/// Arguments of `compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// digits | mnist5k | idx:DIR | npy:X.npy,Y.npy
    #[arg(long, default_value = "digits")]
    pub dataset: String,
    /// Comma-separated algorithms (bp, fa, dfa, ss, pc, ep, ep-sym, chl, dtp, es, ...).
    #[arg(long, default_value = DEFAULT_ALGORITHMS)]
    pub algorithms: String,
    /// Epochs per algorithm.
    #[arg(long, default_value_t = 30)]
    pub epochs: usize,
    /// Hidden-layer widths, comma-separated (e.g. 128 or 256,128).
    #[arg(long, default_value = "256")]
    pub hidden: String,
    /// Mini-batch size (default 32; with --task the task's: 64, patterns 1).
    #[arg(long)]
    pub batch: Option<usize>,
    /// Learning rate for all algorithms (default: each algorithm's tuned value).
    #[arg(long)]
    pub lr: Option<f64>,
    /// Test accuracy that counts as reached (epochs and seconds to target).
    #[arg(long, default_value_t = 0.95)]
    pub target: f64,
    /// Use at most this many samples (stratified subsample).
    #[arg(long)]
    pub max_samples: Option<usize>,
    /// Measure the cosine to backprop every this many batches.
    #[arg(long, default_value_t = 4)]
    pub cosine_every: usize,
    /// Repeat the comparison for seeds seed, seed+1, ..., seed+N-1 (each re-splits the data and
    /// re-initialises); rows show mean ± sample std (min..max) of the test accuracy.
    #[arg(long, default_value_t = 1)]
    pub seeds: usize,
    /// Held-out fraction of the stratified split (default: 0.2 for mnist5k, i.e. 4000 / 1000;
    /// 0.25 otherwise).
    #[arg(long)]
    pub test_fraction: Option<f64>,
    /// Sequence task (evidence | patterns | randman | spiking-digits): train recurrent or spiking
    /// networks with --algorithms (default bptt,eprop-sym,eprop-random; bptt is the family's
    /// BPTT) instead of the feed-forward comparison. --batch, --lr, --cosine-every (iterations)
    /// apply; the feed-forward-only flags are refused.
    #[arg(long, conflicts_with_all = ["dataset", "epochs", "hidden", "target", "max_samples", "test_fraction", "seeds"])]
    pub task: Option<String>,
    /// Task options (require --task).
    #[command(flatten)]
    pub task_args: super::recurrent::TaskArgs,
    /// Iteration budget of a task (default: the task's).
    #[arg(long, requires = "task")]
    pub iterations: Option<usize>,
    /// Early-stopping validation error of a task (default: 0.07 for evidence, none otherwise).
    #[arg(long, requires = "task")]
    pub stop_error: Option<f64>,
}

/// Parses `"64,32"` into widths.
pub fn parse_widths(s: &str) -> neurograd::Result<Vec<usize>> {
    s.split(',')
        .filter(|t| !t.trim().is_empty())
        .map(|t| {
            t.trim()
                .parse::<usize>()
                .map_err(|e| neurograd::Error::invalid("hidden", t, e.to_string()))
        })
        .collect()
}

/// Runs the subcommand.
pub fn run(common: &Common, a: &CompareArgs) -> neurograd::Result<()> {
    if let Some(task) = &a.task {
        let params = neurograd::experiments::recurrent::RecurrentCompareParams {
            task: a.task_args.spec(task),
            algorithms: super::recurrent::task_algorithms(&a.algorithms, DEFAULT_ALGORITHMS),
            iterations: a.iterations,
            batch_size: a.batch,
            learning_rate: a.lr,
            cosine_every: a.cosine_every,
            stop_error: a.stop_error,
            seed: common.seed,
        };
        return super::recurrent::compare(common, params);
    }
    let params = CompareParams {
        dataset: a.dataset.clone(),
        algorithms: a
            .algorithms
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect(),
        epochs: a.epochs,
        hidden: parse_widths(&a.hidden)?,
        batch_size: a.batch.unwrap_or(32),
        learning_rate: a.lr,
        test_fraction: a
            .test_fraction
            .unwrap_or_else(|| exp::default_test_fraction(&a.dataset)),
        seed: common.seed,
        target_accuracy: a.target,
        cosine_every: a.cosine_every,
        max_samples: a.max_samples,
        seeds: a.seeds,
    };
    let dir = common.out.clone().unwrap_or_else(super::default_run_dir);
    let bars = crate::progress::Bars::new(common.quiet);
    let res = exp::run(&params, &bars)?;
    let files = write_files(&res, &dir)?;
    super::report_files(common, &files);
    if common.json {
        return super::print_json(&res);
    }
    super::print_out(&render(&res))
}

/// The table of `compare`. With several seeds the accuracy cell is `mean ± std (min..max)` and
/// the wall time, cosine and epochs to target are means over seeds (epochs to target over the
/// seeds that reached it, with the count when not all did).
pub fn render(res: &CompareResult) -> String {
    let n = res.params.seeds;
    let mut t = Table::new(&[
        "algorithm",
        "test acc",
        "epochs",
        "wall (s)",
        "cos to bp",
        "epochs to target",
        "status",
    ]);
    for r in &res.results {
        let acc = match r.std_accuracy {
            Some(s) if n > 1 => format!(
                "{:.4} ± {:.4} ({:.4}..{:.4})",
                r.mean_accuracy, s, r.min_accuracy, r.max_accuracy
            ),
            _ => format!("{:.4}", r.test_accuracy),
        };
        let to_target = match (n > 1, r.mean_epochs_to_target, r.epochs_to_target) {
            (true, Some(m), _) if r.seeds_reaching_target < n => {
                format!("{m:.1} ({}/{n})", r.seeds_reaching_target)
            }
            (true, Some(m), _) => format!("{m:.1}"),
            (false, _, Some(e)) => e.to_string(),
            _ => "-".into(),
        };
        t.row(vec![
            r.algorithm.clone(),
            acc,
            r.epochs.to_string(),
            format!("{:.2}", r.wall_s),
            num(r.mean_cosine_to_bp, 3),
            to_target,
            r.status.clone(),
        ]);
    }
    let seeds = if n > 1 {
        format!(
            "seeds {}..={} ({n}; test acc: mean ± sample std (min..max), other columns: means)",
            res.params.seed,
            res.params.seed + (n as u64 - 1)
        )
    } else {
        format!("seed {}", res.params.seed)
    };
    format!(
        "{} ({} train / {} test, {} features, {} classes), hidden {:?}, batch {}, {}\n{}",
        res.data.name,
        res.data.n_train,
        res.data.n_test,
        res.data.n_features,
        res.data.n_classes,
        res.params.hidden,
        res.params.batch_size,
        seeds,
        t.render()
    )
}

fn write_files(
    res: &CompareResult,
    dir: &std::path::Path,
) -> neurograd::Result<Vec<std::path::PathBuf>> {
    let mut files = vec![super::save_json(dir, "run.json", res)?];
    let mut rows = Vec::new();
    for r in &res.results {
        for (seed, h) in r
            .runs
            .iter()
            .flat_map(|run| run.outcome.history.iter().map(move |h| (run.seed, h)))
        {
            rows.push(vec![
                r.algorithm.clone(),
                h.epoch.to_string(),
                format!("{}", h.train_loss),
                format!("{}", h.test_accuracy),
                h.mean_cosine_to_bp
                    .map_or(String::new(), |c| format!("{c}")),
                h.angle_to_bp_deg.map_or(String::new(), |c| format!("{c}")),
                format!("{}", h.relaxation_steps),
                format!("{}", h.wall_s),
                seed.to_string(),
            ]);
        }
    }
    let p = dir.join("epochs.csv");
    neurograd::io::write_csv(
        &p,
        &[
            "algorithm",
            "epoch",
            "train_loss",
            "test_accuracy",
            "mean_cosine_to_bp",
            "angle_to_bp_deg",
            "relaxation_steps",
            "wall_s",
            "seed",
        ],
        &rows,
    )?;
    files.push(p);
    let curves = Figure::Lines {
        title: if res.params.seeds > 1 {
            format!(
                "test accuracy on {} (mean over {} seeds)",
                res.data.name, res.params.seeds
            )
        } else {
            format!("test accuracy on {}", res.data.name)
        },
        xlabel: "epoch".into(),
        ylabel: "test accuracy".into(),
        series: res
            .results
            .iter()
            .map(|r| Series {
                name: r.algorithm.clone(),
                points: r
                    .history
                    .iter()
                    .map(|h| (h.epoch as f64, h.test_accuracy))
                    .collect(),
            })
            .collect(),
        log_y: false,
    };
    files.extend(crate::plot::save(&curves, dir, "learning_curves")?);
    let angle = Figure::Lines {
        title: "angle between update and backprop gradient".into(),
        xlabel: "epoch".into(),
        ylabel: "angle (degrees)".into(),
        series: res
            .results
            .iter()
            .map(|r| Series {
                name: r.algorithm.clone(),
                points: r
                    .history
                    .iter()
                    .filter_map(|h| h.angle_to_bp_deg.map(|a| (h.epoch as f64, a)))
                    .collect(),
            })
            .collect(),
        log_y: false,
    };
    files.extend(crate::plot::save(&angle, dir, "angle_to_bp")?);
    Ok(files)
}
