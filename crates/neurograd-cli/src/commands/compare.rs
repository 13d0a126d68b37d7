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
    /// Hidden-layer widths, comma-separated (e.g. 128 or 256,128) [default: 256]; refused
    /// together with --arch, which names every layer.
    #[arg(long)]
    pub hidden: Option<String>,
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
    /// Measure the cosine to backprop every this many batches (at least 1).
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
    #[arg(long, conflicts_with_all = ["dataset", "epochs", "hidden", "target", "max_samples", "test_fraction", "seeds", "arch"])]
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
    /// Convolutional architecture for every algorithm instead of --hidden, on the dataset's
    /// images: comma-separated conv:<K>x<k>[s<stride>][p<pad>], pool:<k> / maxpool:<k>[s<s>],
    /// avgpool:<k>[s<s>], dense:<n> (the last: dense:<classes>), e.g.
    /// conv:8x5,pool:2,conv:16x5,pool:2,dense:10. Algorithms: bp, fa, dfa, ss, usf, brsf, frsf,
    /// readout, es.
    #[arg(long)]
    pub arch: Option<String>,
}

/// Parses `"64,32"` into widths; `none` is the network without a hidden layer. An empty list,
/// an empty entry (`"10,,10"`, `","`) or a width of 0 is refused, never read as "no layer".
pub fn parse_widths(s: &str) -> neurograd::Result<Vec<usize>> {
    if s.trim() == "none" {
        return Ok(Vec::new());
    }
    s.split(',')
        .map(|t| match t.trim().parse::<usize>() {
            Ok(0) => Err(neurograd::Error::invalid(
                "hidden",
                s,
                "a width of 0 is not a layer",
            )),
            Ok(w) => Ok(w),
            Err(_) if t.trim().is_empty() => Err(neurograd::Error::invalid(
                "hidden",
                format!("{s:?}"),
                "an empty width; give comma-separated widths such as 256,128, or none for no \
                 hidden layer",
            )),
            Err(e) => Err(neurograd::Error::invalid("hidden", t, e.to_string())),
        })
        .collect()
}

/// Runs the subcommand.
pub fn run(common: &Common, a: &CompareArgs) -> neurograd::Result<()> {
    if let (Some(h), Some(_)) = (&a.hidden, &a.arch) {
        return Err(neurograd::Error::invalid(
            "hidden",
            h,
            "cannot be combined with --arch (the architecture names every layer)",
        ));
    }
    if a.cosine_every == 0 {
        return Err(neurograd::Error::invalid(
            "cosine_every",
            0,
            "must be at least 1: the cosine to backprop is part of compare's output",
        ));
    }
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
        hidden: parse_widths(a.hidden.as_deref().unwrap_or("256"))?,
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
        arch: a.arch.clone(),
    };
    let (dir, claimed) = super::output_dir(common)?;
    let bars = crate::progress::Bars::new(common.quiet);
    let res = exp::run(&params, &bars).inspect_err(|_| super::release_if_empty(&dir, claimed))?;
    let files = write_files(&res, &dir)?;
    super::report_files(common, &files);
    if common.json {
        super::print_json(&res)?;
    } else {
        super::print_out(&render(&res))?;
    }
    if res.results.iter().all(|r| r.status != "ok") {
        return Err(neurograd::Error::RunFailed {
            what: "compare".into(),
            reason: format!(
                "every algorithm failed ({}); the rows and files above hold what completed",
                res.results
                    .iter()
                    .map(|r| format!("{}: {}", r.algorithm, r.status))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        });
    }
    Ok(())
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
        let acc = match (
            r.std_accuracy,
            r.mean_accuracy,
            r.min_accuracy,
            r.max_accuracy,
        ) {
            (Some(s), Some(m), Some(lo), Some(hi)) if n > 1 => {
                format!("{m:.4} ± {s:.4} ({lo:.4}..{hi:.4})")
            }
            _ => r.test_accuracy.map_or("-".into(), |a| format!("{a:.4}")),
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
    let network = match &res.params.arch {
        Some(arch) => format!("arch {arch}"),
        None => format!("hidden {:?}", res.params.hidden),
    };
    format!(
        "{} ({} train / {} test, {} features, {} classes), {network}, batch {}, {}\n{}",
        res.data.name,
        res.data.n_train,
        res.data.n_test,
        res.data.n_features,
        res.data.n_classes,
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
