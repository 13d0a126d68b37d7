//! `neurograd compare`: the main job.

use clap::Args;

use neurograd::experiments::compare::{self as exp, CompareParams, CompareResult};
use neurograd::interrupt::{self, CompareState, Resumable};

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
    /// L2 penalty (weight decay) of a task's training: lambda * theta is added to the gradient of
    /// every parameter before the optimizer step (default: the task's, 0; finite, >= 0).
    #[arg(long, requires = "task", value_name = "LAMBDA")]
    pub weight_decay: Option<f64>,
    /// Early stopping of a task by keeping the best parameters (true | false; default: the
    /// task's, false): every validation check (each 10 iterations) measures the whole validation
    /// set and the run ends with the parameters of the lowest validation error.
    #[arg(long, requires = "task", value_name = "BOOL")]
    pub keep_best: Option<bool>,
    /// Firing-rate regulariser of a task's spiking learners (bptt, eprop-*, true-gradient):
    /// coefficient c of E_reg = c sum_j (f_j - f_0)^2, f_j in Hz (Bellec et al. 2020; finite,
    /// >= 0; refused for rate networks and other algorithms).
    #[arg(long, requires = "task", value_name = "COEF")]
    pub rate_reg: Option<f64>,
    /// Target rate f_0 in Hz of --rate-reg (default 10, Bellec et al. 2020).
    #[arg(long, requires = "rate_reg", value_name = "HZ")]
    pub rate_target: Option<f64>,
    /// Input spike-time jitter of a task's training batches (augmentation): every input spike
    /// moves by a uniform integer in [-J, J] steps (default: the task's, 2 for spiking-digits
    /// without --small, else 0; J below the trial length).
    #[arg(long, requires = "task", value_name = "J")]
    pub input_jitter: Option<usize>,
    /// Convolutional architecture for every algorithm instead of --hidden, on the dataset's
    /// images: comma-separated conv:<K>x<k>[s<stride>][p<pad>], pool:<k> / maxpool:<k>[s<s>],
    /// avgpool:<k>[s<s>], dense:<n> (the last: dense:<classes>), e.g.
    /// conv:8x5,pool:2,conv:16x5,pool:2,dense:10. Algorithms: bp, fa, dfa, ss, usf, brsf, frsf,
    /// readout, es.
    #[arg(long)]
    pub arch: Option<String>,
    /// Continue the interrupted run whose output directory is DIR (it holds
    /// compare.resume.json): give the interrupted run's flags again (they are checked against the
    /// saved state). The results go to DIR and equal an uninterrupted run's but for wall times.
    #[arg(long, value_name = "DIR", conflicts_with = "task")]
    pub resume: Option<std::path::PathBuf>,
}

pub use neurograd::experiments::compare::parse_widths;

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
            weight_decay: a.weight_decay,
            restore_best: a.keep_best,
            input_jitter: a.input_jitter,
            rate_regularization: a.rate_reg.map(|coef| {
                neurograd::plasticity::recurrent::spiking::RateRegularization {
                    target_hz: a.rate_target.unwrap_or(10.0),
                    coef,
                }
            }),
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
    let (dir, claimed, from) = match &a.resume {
        Some(d) => {
            if common.out.as_ref().is_some_and(|o| o != d) {
                return Err(neurograd::Error::invalid(
                    "--out",
                    common
                        .out
                        .as_ref()
                        .map_or(String::new(), |o| o.display().to_string()),
                    format!(
                        "a resumed run writes to its own directory; leave --out out or give {}",
                        d.display()
                    ),
                ));
            }
            (d.clone(), false, Some(CompareState::load(d)?))
        }
        None => {
            let (d, c) = super::output_dir(common)?;
            (d, c, None)
        }
    };
    let bars = crate::progress::Bars::new(common.quiet);
    // A signal now only asks the run to stop before its next epoch (a second one ends it at once).
    let _cooperation = interrupt::cooperate();
    let hook = TestInterrupt::from_env()?;
    let stop = || hook.poll();
    let res = match exp::run_resumable(&params, &bars, from, &stop)
        .inspect_err(|_| super::release_if_empty(&dir, claimed))?
    {
        Resumable::Finished(res) => res,
        Resumable::Interrupted(state) => return Err(save_interrupted(common, &state, &dir)),
    };
    let files = write_files(&res, &dir)?;
    if a.resume.is_some() {
        let state = CompareState::path(&dir);
        std::fs::remove_file(&state).map_err(|source| neurograd::Error::Io {
            path: state,
            source,
        })?;
    }
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

/// Writes an interrupted run's state ([`CompareState`]) and what it completed (`run.json`,
/// `epochs.csv` and the figures of the finished runs, rows missing seeds marked `interrupted after
/// k of N seeds`) to `dir`, and returns the [`neurograd::Error::Interrupted`] naming the command
/// that continues it (or the error that prevented saving).
fn save_interrupted(
    common: &Common,
    state: &CompareState,
    dir: &std::path::Path,
) -> neurograd::Error {
    let saved = (|| {
        let mut files = vec![state.save(dir)?];
        if let Ok(partial) = state.partial_result()
            && !partial.results.is_empty()
        {
            files.extend(write_files(&partial, dir)?);
        }
        super::report_files(common, &files);
        Ok::<_, neurograd::Error>(())
    })();
    if let Err(e) = saved {
        return e;
    }
    neurograd::Error::Interrupted {
        dir: dir.to_path_buf(),
        resume: resume_command(dir),
    }
}

/// This process's command line with `--resume <dir>` appended (unless it has one), quoted for a
/// POSIX shell where needed.
fn resume_command(dir: &std::path::Path) -> String {
    let quote = |s: String| {
        if !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_./:,=+@%".contains(c))
        {
            s
        } else {
            format!("'{}'", s.replace('\'', "'\\''"))
        }
    };
    let mut args: Vec<String> = std::env::args().collect();
    if !args
        .iter()
        .any(|a| a == "--resume" || a.starts_with("--resume="))
    {
        args.push("--resume".into());
        args.push(dir.display().to_string());
    }
    args.into_iter().map(quote).collect::<Vec<_>>().join(" ")
}

/// The test hook `NEUROGRAD_TEST_INTERRUPT`, for the interruption tests only (docs/reliability.md):
/// `raise:N` sends this process a real SIGINT at the (N+1)-th poll before an epoch (counted over
/// the runs executing in parallel; N epochs completed with `--threads 1`), `wait:N` prints `waiting for a signal` on stderr there and waits (up to 60 s)
/// for one from outside. Either way the run then stops at that deterministic point.
struct TestInterrupt {
    at: Option<(usize, bool)>,
    polls: std::sync::atomic::AtomicUsize,
}

impl TestInterrupt {
    const VAR: &str = "NEUROGRAD_TEST_INTERRUPT";

    fn from_env() -> neurograd::Result<Self> {
        let at = match std::env::var(Self::VAR) {
            Err(_) => None,
            Ok(v) => {
                let bad = || {
                    neurograd::Error::invalid(
                        Self::VAR,
                        &v,
                        "expected raise:<epochs> or wait:<epochs>",
                    )
                };
                let (mode, n) = v.split_once(':').ok_or_else(bad)?;
                let n = n.parse::<usize>().map_err(|_| bad())?;
                match mode {
                    "raise" => Some((n, false)),
                    "wait" => Some((n, true)),
                    _ => return Err(bad()),
                }
            }
        };
        Ok(Self {
            at,
            polls: std::sync::atomic::AtomicUsize::new(0),
        })
    }

    /// Polled before every epoch: whether to stop.
    fn poll(&self) -> bool {
        let n = self.polls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        if let Some((at, wait)) = self.at
            && n == at
        {
            if wait {
                eprintln!("waiting for a signal ({})", Self::VAR);
            } else {
                let _ = signal_hook::low_level::raise(signal_hook::consts::SIGINT);
            }
            let start = std::time::Instant::now();
            while !interrupt::requested() && start.elapsed().as_secs() < 60 {
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
        }
        interrupt::requested()
    }
}

/// The mean over the hidden layers (every weight layer but the output) of the per-layer cosine
/// to backprop's gradient (`None` if no hidden layer was measured: no hidden layer, or a frozen
/// one). The output layer is left out: its update is the exact gradient in FA, DFA and sign
/// symmetry alike, and would inflate their cosine.
pub fn hidden_cosine_to_bp(per_layer: &[Option<f64>]) -> Option<f64> {
    let hidden: Vec<f64> = per_layer[..per_layer.len().saturating_sub(1)]
        .iter()
        .flatten()
        .copied()
        .collect();
    (!hidden.is_empty()).then(|| hidden.iter().sum::<f64>() / hidden.len() as f64)
}

/// The table of `compare`. With several seeds the accuracy cell is `mean ± std (min..max)` and
/// the wall time, cosine and epochs to target are means over seeds (epochs to target over the
/// seeds that reached it, with the count when not all did). The cosine column is the hidden
/// layers' ([`hidden_cosine_to_bp`]).
pub fn render(res: &CompareResult) -> String {
    let n = res.params.seeds;
    let mut t = Table::new(&[
        "algorithm",
        "test acc",
        "epochs",
        "wall (s)",
        "hidden cos to bp",
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
            num(hidden_cosine_to_bp(&r.mean_cosine_to_bp_per_layer), 3),
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
