//! `compare`, the main job: the same network trained on the same split with backprop and the
//! biologically motivated rules (and an evolution strategy); per-algorithm test accuracy, epochs,
//! wall time and mean cosine to the backprop gradient during training. The training is the
//! plasticity crate's one loop ([`Trainer`]); this module composes the data, the seeds and the
//! progress bars and aggregates over seeds.
//!
//! With [`CompareParams::seeds`] = N > 1 the whole comparison is repeated for the seeds
//! `seed, seed + 1, ..., seed + N - 1`; each seed re-draws the stratified split (and the stratified
//! subsample of `max_samples`), the network initialisation, the feedback weights and the
//! shuffling. Each row then reports the per-seed test accuracies `a_1..a_N`, their mean
//! `m = (1/N) sum_i a_i`, the sample standard deviation `s = sqrt(sum_i (a_i - m)^2 / (N - 1))`,
//! the minimum and the maximum, and the means over seeds of the wall time, the cosine to backprop
//! and the epochs to the target accuracy.

use serde::{Deserialize, Serialize};

use crate::interrupt::{CompareState, Resumable, RunningCheckpoint};
use crate::plasticity::credit::mean_per_layer;
use crate::train::{
    EpochRecord, Prepared, TrainConfig, TrainOutcome, Trainer, load_dataset, prepare, seeds,
};
use crate::{Error, Progress, Result, VERSION};

/// Parses `"64,32"` into widths; `none` is the network without a hidden layer. An empty list,
/// an empty entry (`"10,,10"`, `","`) or a width of 0 is refused, never read as "no layer".
pub fn parse_widths(s: &str) -> Result<Vec<usize>> {
    if s.trim() == "none" {
        return Ok(Vec::new());
    }
    s.split(',')
        .map(|t| match t.trim().parse::<usize>() {
            Ok(0) => Err(Error::invalid("hidden", s, "a width of 0 is not a layer")),
            Ok(w) => Ok(w),
            Err(_) if t.trim().is_empty() => Err(Error::invalid(
                "hidden",
                format!("{s:?}"),
                "an empty width; give comma-separated widths such as 256,128, or none for no \
                 hidden layer",
            )),
            Err(e) => Err(Error::invalid("hidden", t, e.to_string())),
        })
        .collect()
}

/// The default algorithm list of `compare`.
pub const DEFAULT_ALGORITHMS: &[&str] = &[
    "bp", "fa", "dfa", "ss", "pc", "ep", "ep-sym", "chl", "dtp", "es",
];

/// Parameters of `compare`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompareParams {
    /// Dataset specification (see [`crate::train::load_dataset`]).
    pub dataset: String,
    /// Algorithms, in order.
    pub algorithms: Vec<String>,
    /// Epochs per algorithm.
    pub epochs: usize,
    /// Hidden-layer widths.
    pub hidden: Vec<usize>,
    /// Mini-batch size.
    pub batch_size: usize,
    /// Learning rate for every algorithm (`None`: each algorithm's registry value).
    pub learning_rate: Option<f64>,
    /// Held-out fraction (stratified). [`default_test_fraction`] gives the conventional value per
    /// dataset (0.2 for `mnist5k`, i.e. 4,000 / 1,000; 0.25 otherwise).
    pub test_fraction: f64,
    /// Master seed (split, network init, feedback weights, shuffling); with `seeds` > 1 the first
    /// of the seeds `seed, seed + 1, ...`.
    pub seed: u64,
    /// Accuracy for `epochs_to_target`.
    pub target_accuracy: f64,
    /// Cosine to backprop measured every this many batches.
    pub cosine_every: usize,
    /// Use at most this many samples of the dataset (stratified subsample; `None`: all).
    pub max_samples: Option<usize>,
    /// Number of seeds (at least 1): the comparison runs for `seed, seed + 1, ..., seed + seeds - 1`
    /// and each row aggregates over them. Absent in JSON: 1.
    #[serde(default = "one")]
    pub seeds: usize,
    /// A convolutional architecture spec for every algorithm
    /// (`conv:8x5,pool:2,conv:16x5,pool:2,dense:10`; see
    /// [`Architecture::parse`](crate::plasticity::credit::conv_layers::Architecture::parse)),
    /// on the dataset's images as `(1, H, W)` maps; `hidden` is then not used. `None` (absent in
    /// JSON): the dense network of `hidden`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arch: Option<String>,
}

fn one() -> usize {
    1
}

/// The held-out fraction `compare` uses for `dataset` unless told otherwise: 0.2 for `mnist5k`
/// (4,000 training / 1,000 test images, the split issue 5 asks for), 0.25 for every other dataset
/// (digits: 1,346 / 451).
pub fn default_test_fraction(dataset: &str) -> f64 {
    if dataset.trim() == "mnist5k" {
        0.2
    } else {
        0.25
    }
}

impl CompareParams {
    /// The training loop's configuration for `algorithm` (trimmed) in the run seeded `seed`:
    /// these parameters' hidden widths, epochs, batch size, learning rate (`None`: the
    /// registry's), cosine cadence and target accuracy, Adam, and the streams [`seeds`]`(seed)`.
    pub fn train_config(&self, algorithm: &str, seed: u64) -> TrainConfig {
        TrainConfig {
            algorithm: algorithm.trim().to_string(),
            hidden: self.hidden.clone(),
            epochs: self.epochs,
            batch_size: self.batch_size,
            optimizer: "adam".into(),
            learning_rate: self.learning_rate,
            seeds: seeds(seed),
            cosine_every: self.cosine_every,
            target_accuracy: Some(self.target_accuracy),
            arch: None,
        }
    }

    /// The architecture of [`CompareParams::arch`] on images of `image_shape` (one channel), or
    /// `None` without one.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`](crate::Error) named `arch` when the dataset has no image shape;
    /// the spec's parse and validation errors.
    pub fn architecture(
        &self,
        image_shape: Option<(usize, usize)>,
    ) -> Result<Option<crate::plasticity::credit::conv_layers::Architecture>> {
        let Some(spec) = &self.arch else {
            return Ok(None);
        };
        let (h, w) = image_shape.ok_or_else(|| {
            Error::invalid(
                "arch",
                spec,
                format!("dataset {} has no image shape", self.dataset),
            )
        })?;
        Ok(Some(
            crate::plasticity::credit::conv_layers::Architecture::parse(spec, (1, h, w))?,
        ))
    }
}

impl Default for CompareParams {
    fn default() -> Self {
        Self {
            dataset: "digits".into(),
            algorithms: DEFAULT_ALGORITHMS.iter().map(|s| s.to_string()).collect(),
            epochs: 30,
            hidden: vec![256],
            batch_size: 32,
            learning_rate: None,
            test_fraction: 0.25,
            seed: 0,
            target_accuracy: 0.95,
            cosine_every: 4,
            max_samples: None,
            seeds: 1,
            arch: None,
        }
    }
}

/// Facts about the data used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetInfo {
    /// Specification.
    pub name: String,
    /// Training samples.
    pub n_train: usize,
    /// Test samples.
    pub n_test: usize,
    /// Input features.
    pub n_features: usize,
    /// Classes.
    pub n_classes: usize,
}

/// One seed's run of one algorithm: the training loop's [`TrainOutcome`] with the seed and how
/// the run ended. In JSON the outcome's fields sit in this object next to `seed` and `status`
/// (`algorithm`, `test_accuracy`, `epochs`, `wall_s`, `mean_cosine_to_bp`, `epochs_to_target`,
/// `wall_s_to_target`, `relaxation_steps_per_batch`, `history`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeedRun {
    /// The seed of this run (split, network init, feedback weights, shuffling).
    pub seed: u64,
    /// `ok`, or the error that stopped the run (divergence, non-convergence); the outcome then
    /// holds the epochs completed before it.
    pub status: String,
    /// What the training loop reports (after the last completed epoch).
    #[serde(flatten)]
    pub outcome: TrainOutcome,
}

/// One algorithm's row, aggregated over the seeds (with one seed every aggregate equals that
/// seed's value).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlgorithmResult {
    /// Name.
    pub algorithm: String,
    /// `ok` if every seed finished, else the first failing seed's error (prefixed with
    /// `seed S: ` when there are several seeds).
    pub status: String,
    /// Mean test accuracy over the seeds (equal to `mean_accuracy`; kept for one-seed readers);
    /// `None` (JSON `null`) when no seed completed an epoch, e.g. every seed diverged at once.
    pub test_accuracy: Option<f64>,
    /// Test accuracy after the last completed epoch, per seed, in seed order (`None` for a seed
    /// that completed no epoch).
    pub accuracies: Vec<Option<f64>>,
    /// Mean of the present `accuracies` (`None` if none is present).
    pub mean_accuracy: Option<f64>,
    /// Sample standard deviation of the present `accuracies` (divisor N - 1); `None` with fewer
    /// than two.
    pub std_accuracy: Option<f64>,
    /// Smallest of the present `accuracies`.
    pub min_accuracy: Option<f64>,
    /// Largest of the present `accuracies`.
    pub max_accuracy: Option<f64>,
    /// Epochs completed (the minimum over seeds).
    pub epochs: usize,
    /// Wall-clock seconds (training and evaluation), mean over seeds.
    pub wall_s: f64,
    /// Mean over seeds of the mean cosine between the algorithm's updates and the backprop
    /// gradient during training (seeds without a measurement are left out).
    pub mean_cosine_to_bp: Option<f64>,
    /// Per weight layer `l = 1..=L`: the mean over seeds of
    /// [`TrainOutcome::mean_cosine_to_bp_per_layer`] (`None`: no seed measured a direction for the
    /// layer, e.g. the readout control's frozen layers; empty: nothing measured).
    #[serde(default)]
    pub mean_cosine_to_bp_per_layer: Vec<Option<f64>>,
    /// `mean_epochs_to_target` rounded to the nearest epoch (with one seed: the first epoch
    /// reaching `target_accuracy`).
    pub epochs_to_target: Option<usize>,
    /// Mean, over the seeds that reached `target_accuracy`, of the first epoch reaching it
    /// (`None` if no seed did).
    pub mean_epochs_to_target: Option<f64>,
    /// How many seeds reached `target_accuracy`.
    pub seeds_reaching_target: usize,
    /// Seconds until the target, mean over the seeds that reached it.
    pub wall_s_to_target: Option<f64>,
    /// Mean relaxation steps per batch (energy-based algorithms; 0 otherwise), mean over seeds.
    pub relaxation_steps_per_batch: f64,
    /// Per-epoch metrics, each field the mean over the seeds that completed that epoch (the
    /// cosine and angle over the seeds that measured them).
    pub history: Vec<EpochRecord>,
    /// The individual runs, in seed order.
    pub runs: Vec<SeedRun>,
}

/// The result of `compare`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompareResult {
    /// neurograd version.
    pub version: String,
    /// Parameters used.
    pub params: CompareParams,
    /// Data used (sizes of the first seed's split; the stratified split sizes do not depend on
    /// the seed).
    pub data: DatasetInfo,
    /// One row per algorithm, in the requested order.
    pub results: Vec<AlgorithmResult>,
}

/// Loads, subsamples (if asked) and prepares the dataset of `p`.
///
/// # Errors
/// Unknown dataset names, missing or corrupt files.
pub fn prepare_data(
    dataset: &str,
    max_samples: Option<usize>,
    test_fraction: f64,
    seed: u64,
) -> Result<Prepared> {
    let ds = load_dataset(dataset)?;
    prepare_loaded(dataset, &ds, max_samples, test_fraction, seed)
}

/// Subsamples (stratified, if `max_samples` is below the dataset size) and prepares an already
/// loaded dataset named `name`, as [`prepare_data`] does after loading.
///
/// # Errors
/// `max_samples` leaving fewer than two samples per class; the data crate's errors (bad fraction,
/// empty split).
pub fn prepare_loaded(
    name: &str,
    ds: &crate::data::Dataset,
    max_samples: Option<usize>,
    test_fraction: f64,
    seed: u64,
) -> Result<Prepared> {
    if let Some(m) = max_samples
        && m < ds.len()
    {
        if m < 2 * ds.n_classes() {
            return Err(Error::invalid(
                "max_samples",
                m,
                "must leave at least two samples per class",
            ));
        }
        let (_, keep) = crate::data::transform::stratified_split(
            ds,
            m as f64 / ds.len() as f64,
            seed ^ 0x5eed,
        )?;
        return prepare(name, &keep, test_fraction, seed);
    }
    prepare(name, ds, test_fraction, seed)
}

/// Mean, sample standard deviation (divisor `n - 1`; `None` for fewer than two values), minimum
/// and maximum of `values` (`None` if empty).
pub fn summary(values: &[f64]) -> Option<(f64, Option<f64>, f64, f64)> {
    let m = mean(values)?;
    let std = (values.len() > 1).then(|| {
        let ss: f64 = values.iter().map(|a| (a - m) * (a - m)).sum();
        (ss / (values.len() - 1) as f64).sqrt()
    });
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    Some((m, std, min, max))
}

/// Arithmetic mean; `None` if empty.
fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// Mean of the present values; `None` if none is present.
fn mean_some(values: impl Iterator<Item = Option<f64>>) -> Option<f64> {
    mean(&values.flatten().collect::<Vec<_>>())
}

/// Per-epoch means over the runs that completed each epoch.
fn mean_history(runs: &[SeedRun]) -> Vec<EpochRecord> {
    let longest = runs
        .iter()
        .map(|r| r.outcome.history.len())
        .max()
        .unwrap_or(0);
    (0..longest)
        .filter_map(|i| {
            let recs: Vec<&EpochRecord> = runs
                .iter()
                .filter_map(|r| r.outcome.history.get(i))
                .collect();
            let avg = |f: &dyn Fn(&EpochRecord) -> f64| {
                mean(&recs.iter().map(|h| f(h)).collect::<Vec<_>>())
            };
            Some(EpochRecord {
                epoch: recs.first()?.epoch,
                train_loss: avg(&|h| h.train_loss)?,
                test_accuracy: avg(&|h| h.test_accuracy)?,
                mean_cosine_to_bp: mean_some(recs.iter().map(|h| h.mean_cosine_to_bp)),
                angle_to_bp_deg: mean_some(recs.iter().map(|h| h.angle_to_bp_deg)),
                cosine_to_bp_per_layer: mean_per_layer(
                    recs.iter().map(|h| h.cosine_to_bp_per_layer.as_slice()),
                ),
                relaxation_steps: avg(&|h| h.relaxation_steps)?,
                wall_s: avg(&|h| h.wall_s)?,
            })
        })
        .collect()
}

/// Aggregates one algorithm's runs (at least one) into its row.
pub(crate) fn aggregate(algorithm: String, runs: Vec<SeedRun>) -> Result<AlgorithmResult> {
    if runs.is_empty() {
        return Err(Error::Internal {
            what: "compare",
            reason: format!("no run of {algorithm} to aggregate"),
        });
    }
    let accuracies: Vec<Option<f64>> = runs.iter().map(|r| r.outcome.test_accuracy).collect();
    let present: Vec<f64> = accuracies.iter().flatten().copied().collect();
    let (mean_accuracy, std_accuracy, min_accuracy, max_accuracy) = match summary(&present) {
        Some((m, s, lo, hi)) => (Some(m), s, Some(lo), Some(hi)),
        None => (None, None, None, None),
    };
    let several = runs.len() > 1;
    let status = runs
        .iter()
        .find(|r| r.status != "ok")
        .map_or("ok".to_string(), |r| {
            if several {
                format!("seed {}: {}", r.seed, r.status)
            } else {
                r.status.clone()
            }
        });
    let reached: Vec<f64> = runs
        .iter()
        .filter_map(|r| r.outcome.epochs_to_target.map(|e| e as f64))
        .collect();
    let mean_epochs_to_target = mean(&reached);
    let n = runs.len() as f64;
    Ok(AlgorithmResult {
        algorithm,
        status,
        test_accuracy: mean_accuracy,
        mean_accuracy,
        std_accuracy,
        min_accuracy,
        max_accuracy,
        accuracies,
        epochs: runs.iter().map(|r| r.outcome.epochs).min().unwrap_or(0),
        wall_s: runs.iter().map(|r| r.outcome.wall_s).sum::<f64>() / n,
        mean_cosine_to_bp: mean_some(runs.iter().map(|r| r.outcome.mean_cosine_to_bp)),
        mean_cosine_to_bp_per_layer: mean_per_layer(
            runs.iter()
                .map(|r| r.outcome.mean_cosine_to_bp_per_layer.as_slice()),
        ),
        epochs_to_target: mean_epochs_to_target.map(|e| e.round() as usize),
        mean_epochs_to_target,
        seeds_reaching_target: reached.len(),
        wall_s_to_target: mean_some(runs.iter().map(|r| r.outcome.wall_s_to_target)),
        relaxation_steps_per_batch: runs
            .iter()
            .map(|r| r.outcome.relaxation_steps_per_batch)
            .sum::<f64>()
            / n,
        history: mean_history(&runs),
        runs,
    })
}

/// The training configuration of one (algorithm, seed) run of `compare`: `p`'s, with the
/// convolutional architecture instead of the hidden widths when there is one.
fn run_config(
    p: &CompareParams,
    algorithm: &str,
    seed: u64,
    arch: &Option<crate::plasticity::credit::conv_layers::Architecture>,
) -> TrainConfig {
    let mut cfg = p.train_config(algorithm, seed);
    if arch.is_some() {
        cfg.hidden.clear();
        cfg.arch.clone_from(arch);
    }
    cfg
}

/// The memory one algorithm's run needs, roughly (bytes): about eight copies of the parameters
/// (weights, gradient, the optimizer's two moments, the transactional update's copy, feedback
/// matrices, the backprop gradient for the cosine, a checkpoint), a batch's activations per
/// layer, and the prepared data.
fn memory_estimate(p: &CompareParams, ds: &crate::data::Dataset) -> f64 {
    let mut widths = vec![ds.n_features() as f64];
    widths.extend(p.hidden.iter().map(|&h| h as f64));
    widths.push(ds.n_classes() as f64);
    let params: f64 = widths.windows(2).map(|w| (w[0] + 1.0) * w[1]).sum();
    let activations: f64 = widths.iter().sum::<f64>() * p.batch_size.max(1) as f64 * 4.0;
    let data = (ds.len() * (ds.n_features() + ds.n_classes())) as f64 * 3.0;
    8.0 * (8.0 * params + activations + data)
}

/// How one (algorithm, seed) run of [`run_resumable`] ended.
enum JobEnd {
    /// It completed (or failed with a status): the algorithm's index and the run.
    Done(usize, SeedRun),
    /// It was stopped after at least one epoch: its checkpoint.
    Stopped(Box<RunningCheckpoint>),
    /// It was stopped before its first epoch (a run resumed from a checkpoint has started).
    NotStarted,
}

/// Runs `compare` for each seed `p.seed + k`, `k < p.seeds`, and aggregates per algorithm. An
/// algorithm that diverges or fails keeps its partial history and a status naming the error; the
/// other algorithms (and seeds) still run. Unknown names fail before any training.
///
/// # Errors
/// Unknown dataset or algorithm names (listing the valid ones), invalid sizes, `seeds` = 0 or a
/// seed range beyond `u64::MAX`, data errors.
pub fn run(p: &CompareParams, progress: &dyn Progress) -> Result<CompareResult> {
    match run_resumable(p, progress, None, &|| false)? {
        Resumable::Finished(r) => Ok(r),
        Resumable::Interrupted(_) => Err(Error::Internal {
            what: "compare",
            reason: "stopped without a request".into(),
        }),
    }
}

/// [`run`], resumable: continues from `from` (the state of an interrupted run of the same
/// parameters, see [`CompareState`]) if given, and polls `stop` before every epoch; when it
/// returns true the run stops and returns its state (the completed runs and a checkpoint of the
/// running one). A run resumed from a state equals an uninterrupted one in every number but the
/// wall-clock times.
///
/// # Errors
/// As [`run`]; [`CompareState::check`] for a state that does not fit `p`.
pub fn run_resumable(
    p: &CompareParams,
    progress: &dyn Progress,
    from: Option<CompareState>,
    stop: &(dyn Fn() -> bool + Sync),
) -> Result<Resumable<CompareResult, CompareState>> {
    if p.algorithms.is_empty() {
        return Err(Error::invalid(
            "algorithms",
            "",
            "name at least one algorithm",
        ));
    }
    super::seed_range(p.seed, p.seeds)?;
    let mut state = match from {
        Some(s) => {
            s.check(p)?;
            s
        }
        None => CompareState::new(p),
    };
    let ds = load_dataset(&p.dataset)?;
    super::check_memory("hidden", format!("{:?}", p.hidden), memory_estimate(p, &ds))?;
    let done =
        |state: &CompareState, i: usize, seed: u64| state.runs[i].iter().any(|r| r.seed == seed);
    // The seeds with a run still to do. Each (seed, algorithm) run prepares its own split when it
    // starts and drops it when it ends, so memory grows with the number of threads, not of seeds
    // (a split of mnist5k is 31 MB). The first such seed's split is prepared here as well, to
    // record the data's shape and to build every algorithm's trainer once before any training,
    // so that a typo or an architecture that does not fit fails at once.
    let pending: Vec<u64> = (0..p.seeds)
        .map(|k| p.seed + k as u64)
        .filter(|&seed| {
            state.data.is_none() || !(0..p.algorithms.len()).all(|i| done(&state, i, seed))
        })
        .collect();
    let arch = match pending.first() {
        Some(&seed) => {
            let data = prepare_loaded(&p.dataset, &ds, p.max_samples, p.test_fraction, seed)?;
            state.data.get_or_insert_with(|| DatasetInfo {
                name: data.name.clone(),
                n_train: data.x_train.nrows(),
                n_test: data.x_test.nrows(),
                n_features: data.x_train.ncols(),
                n_classes: data.n_classes,
            });
            let arch = p.architecture(data.image_shape)?;
            let td = data.train_data();
            for a in &p.algorithms {
                Trainer::new(&run_config(p, a, seed, &arch), &td)?;
            }
            arch
        }
        None => None,
    };
    let mut checkpoints = std::mem::take(&mut state.running);
    let mut jobs = Vec::new();
    for &seed in &pending {
        for i in 0..p.algorithms.len() {
            if done(&state, i, seed) {
                continue;
            }
            let checkpoint = checkpoints
                .iter()
                .position(|r| r.algorithm == i && r.seed == seed)
                .map(|pos| checkpoints.swap_remove(pos).checkpoint);
            jobs.push((i, seed, checkpoint));
        }
    }
    // The runs are independent (each has its own seeded streams), so they run in parallel on
    // the rayon pool (`--threads`) and give the same numbers in any order and on any number of
    // threads; results are stored by (algorithm, seed), never by completion order.
    let n_train = state.data.as_ref().map_or(0, |d| d.n_train);
    let batches = n_train.div_ceil(p.batch_size.max(1));
    let total: usize = jobs
        .iter()
        .map(|(_, _, ck)| p.epochs.saturating_sub(ck.as_ref().map_or(0, |c| c.epoch)) * batches)
        .sum();
    let label = if jobs.len() == 1 {
        let (i, seed, _) = &jobs[0];
        format!("{} seed {seed}", p.algorithms[*i].trim())
    } else {
        format!("compare: {} runs", jobs.len())
    };
    progress.start(&label, total as u64);
    let ends: Vec<JobEnd> = {
        use rayon::prelude::*;
        jobs.into_par_iter()
            .map(|(i, seed, checkpoint)| -> Result<JobEnd> {
                let data = prepare_loaded(&p.dataset, &ds, p.max_samples, p.test_fraction, seed)?;
                let td = data.train_data();
                let mut t = Trainer::new(&run_config(p, &p.algorithms[i], seed, &arch), &td)?;
                if let Some(ck) = &checkpoint {
                    t.restore(ck)?;
                }
                drop(checkpoint);
                let started = t.epoch() > 0;
                let mut status = "ok".to_string();
                let mut ran = false;
                while !t.done() {
                    if stop() {
                        // A rule with learned state of its own cannot resume from a
                        // checkpoint: its run starts over on resume.
                        return Ok(if (started || ran) && t.checkpointable() {
                            JobEnd::Stopped(Box::new(RunningCheckpoint {
                                algorithm: i,
                                seed,
                                checkpoint: t.checkpoint(),
                            }))
                        } else {
                            JobEnd::NotStarted
                        });
                    }
                    ran = true;
                    if let Err(e) = t.run_epoch(&td, &mut || progress.inc(1)) {
                        status = e.to_string();
                        break;
                    }
                }
                Ok(JobEnd::Done(
                    i,
                    SeedRun {
                        seed,
                        status,
                        outcome: t.outcome(),
                    },
                ))
            })
            .collect::<Result<Vec<_>>>()?
    };
    progress.finish();
    let mut interrupted = false;
    for end in ends {
        match end {
            JobEnd::Done(i, run) => {
                state.runs[i].push(run);
                state.runs[i].sort_by_key(|r| r.seed);
            }
            JobEnd::Stopped(ck) => {
                interrupted = true;
                state.running.push(*ck);
            }
            JobEnd::NotStarted => interrupted = true,
        }
    }
    // Checkpoints of runs that were not reached keep their place in the state.
    state.running.extend(checkpoints);
    if interrupted {
        state.running.sort_by_key(|r| (r.seed, r.algorithm));
        return Ok(Resumable::Interrupted(Box::new(state)));
    }
    let data = state.data.ok_or_else(|| Error::Internal {
        what: "compare",
        reason: "no seed ran".into(),
    })?;
    let results = p
        .algorithms
        .iter()
        .zip(state.runs)
        .map(|(a, r)| aggregate(a.trim().to_string(), r))
        .collect::<Result<Vec<_>>>()?;
    Ok(Resumable::Finished(CompareResult {
        version: VERSION.to_string(),
        params: p.clone(),
        data,
        results,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NoProgress;

    fn small(seed: u64, seeds: usize) -> CompareParams {
        CompareParams {
            algorithms: vec!["bp".into(), "fa".into()],
            epochs: 2,
            hidden: vec![8],
            seed,
            seeds,
            max_samples: Some(200),
            ..Default::default()
        }
    }

    /// The sample standard deviation uses the divisor N - 1 (Bessel's correction); the population
    /// one (divisor N) is asserted to differ, so the test can tell them apart.
    #[test]
    fn summary_is_mean_sample_std_min_max() {
        let (m, s, lo, hi) = summary(&[0.90, 0.95, 1.00]).unwrap();
        assert!((m - 0.95).abs() < 1e-15);
        let s = s.unwrap();
        assert!((s - 0.05).abs() < 1e-12, "{s}");
        let population = (0.005f64 / 3.0).sqrt();
        assert!((s - population).abs() > 1e-3);
        assert_eq!((lo, hi), (0.90, 1.00));
        assert_eq!(summary(&[0.7]), Some((0.7, None, 0.7, 0.7)));
        assert_eq!(summary(&[]), None);
    }

    /// Seeds `seed..seed+N` are N independent one-seed comparisons (each re-splits and
    /// re-initialises); with one seed every aggregate is that seed's number, bit for bit.
    #[test]
    fn several_seeds_are_the_one_seed_runs_aggregated() {
        let two = run(&small(5, 2), &NoProgress).unwrap();
        let a = run(&small(5, 1), &NoProgress).unwrap();
        let b = run(&small(6, 1), &NoProgress).unwrap();
        for (i, r) in two.results.iter().enumerate() {
            let (ra, rb) = (&a.results[i], &b.results[i]);
            assert_eq!(r.runs.len(), 2);
            assert_eq!((r.runs[0].seed, r.runs[1].seed), (5, 6));
            assert_eq!(r.accuracies, vec![ra.test_accuracy, rb.test_accuracy]);
            let (ra_acc, rb_acc) = (ra.test_accuracy.unwrap(), rb.test_accuracy.unwrap());
            let losses = |h: &[EpochRecord]| h.iter().map(|e| e.train_loss).collect::<Vec<_>>();
            assert_eq!(losses(&r.runs[0].outcome.history), losses(&ra.history));
            assert_eq!(losses(&r.runs[1].outcome.history), losses(&rb.history));
            // Different seeds train on different splits: the losses differ.
            assert_ne!(losses(&ra.history), losses(&rb.history));
            let m = 0.5 * (ra_acc + rb_acc);
            assert!((r.mean_accuracy.unwrap() - m).abs() < 1e-15);
            assert_eq!(r.test_accuracy, r.mean_accuracy);
            let d = (ra_acc - rb_acc).abs();
            // Sample std of two values: |a - b| / sqrt(2).
            assert!((r.std_accuracy.unwrap() - d / 2f64.sqrt()).abs() < 1e-12);
            assert_eq!(
                r.history[0].train_loss,
                0.5 * (ra.history[0].train_loss + rb.history[0].train_loss)
            );
            // One seed: the aggregates are the run's own numbers.
            let one = &ra.runs[0].outcome;
            assert_eq!(ra.std_accuracy, None);
            assert_eq!(ra.test_accuracy, one.test_accuracy);
            assert_eq!(ra.wall_s, one.wall_s);
            assert_eq!(ra.mean_cosine_to_bp, one.mean_cosine_to_bp);
            assert_eq!(ra.epochs_to_target, one.epochs_to_target);
            assert_eq!(ra.history, one.history);
        }
    }

    /// A run's JSON object holds `seed`, `status` and the training outcome's fields side by side
    /// (the keys `run.json` documents, no nested `outcome`), and reads back as the same result.
    #[test]
    fn run_json_has_the_outcome_fields_beside_seed_and_status() {
        let p = CompareParams {
            algorithms: vec!["bp".into()],
            epochs: 1,
            ..small(1, 1)
        };
        let r = run(&p, &NoProgress).unwrap();
        let v = serde_json::to_value(&r).unwrap();
        let obj = v["results"][0]["runs"][0].as_object().unwrap();
        let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
        keys.sort_unstable();
        let mut documented = vec![
            "seed",
            "status",
            "algorithm",
            "test_accuracy",
            "epochs",
            "wall_s",
            "mean_cosine_to_bp",
            "mean_cosine_to_bp_per_layer",
            "epochs_to_target",
            "wall_s_to_target",
            "relaxation_steps_per_batch",
            "history",
        ];
        documented.sort_unstable();
        assert_eq!(keys, documented);
        let one = &r.results[0].runs[0];
        assert_eq!(obj["algorithm"], "bp");
        assert_eq!(obj["seed"], 1);
        assert_eq!(obj["test_accuracy"], one.outcome.test_accuracy.unwrap());
        assert_eq!(obj["history"][0]["epoch"], 1);
        let back: CompareResult = serde_json::from_value(v).unwrap();
        assert_eq!(back, r);
    }

    #[test]
    fn zero_seeds_and_overflowing_seed_ranges_are_invalid() {
        let e = run(&small(0, 0), &NoProgress).unwrap_err();
        assert!(
            matches!(e, Error::InvalidParameter { name: "seeds", .. }),
            "{e}"
        );
        assert_eq!(e.exit_code(), 2);
        let e = run(&small(u64::MAX, 2), &NoProgress).unwrap_err();
        assert!(
            matches!(e, Error::InvalidParameter { name: "seeds", .. }),
            "{e}"
        );
    }

    #[test]
    fn mnist5k_is_split_4000_to_1000_by_default() {
        assert_eq!(default_test_fraction("mnist5k"), 0.2);
        assert_eq!(default_test_fraction("digits"), 0.25);
        let d = prepare_data("mnist5k", None, default_test_fraction("mnist5k"), 0).unwrap();
        assert_eq!((d.x_train.nrows(), d.x_test.nrows()), (4000, 1000));
    }
}
