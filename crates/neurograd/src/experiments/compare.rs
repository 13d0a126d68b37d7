//! `compare`, the main job: the same network trained on the same split with backprop and the
//! biologically motivated rules (and an evolution strategy); per-algorithm test accuracy, epochs,
//! wall time and mean cosine to the backprop gradient during training.

use serde::{Deserialize, Serialize};

use crate::train::{EpochRecord, Prepared, TrainSpec, Trainer, load_dataset, prepare};
use crate::{Error, Progress, Result, VERSION};

/// The default algorithm list of `compare`.
pub const DEFAULT_ALGORITHMS: &[&str] = &["bp", "fa", "dfa", "ss", "pc", "ep", "chl", "es"];

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
    /// Held-out fraction (stratified).
    pub test_fraction: f64,
    /// Master seed (split, network init, feedback weights, shuffling).
    pub seed: u64,
    /// Accuracy for `epochs_to_target`.
    pub target_accuracy: f64,
    /// Cosine to backprop measured every this many batches.
    pub cosine_every: usize,
    /// Use at most this many samples of the dataset (stratified subsample; `None`: all).
    pub max_samples: Option<usize>,
}

impl Default for CompareParams {
    fn default() -> Self {
        Self {
            dataset: "digits".into(),
            algorithms: DEFAULT_ALGORITHMS.iter().map(|s| s.to_string()).collect(),
            epochs: 30,
            hidden: vec![64],
            batch_size: 32,
            learning_rate: None,
            test_fraction: 0.25,
            seed: 0,
            target_accuracy: 0.95,
            cosine_every: 4,
            max_samples: None,
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

/// One algorithm's row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlgorithmResult {
    /// Name.
    pub algorithm: String,
    /// `ok`, or the error that stopped the run (divergence, non-convergence).
    pub status: String,
    /// Test accuracy after the last completed epoch.
    pub test_accuracy: f64,
    /// Epochs completed.
    pub epochs: usize,
    /// Wall-clock seconds (training and evaluation).
    pub wall_s: f64,
    /// Mean cosine between the algorithm's updates and the backprop gradient during training.
    pub mean_cosine_to_bp: Option<f64>,
    /// First epoch reaching `target_accuracy`.
    pub epochs_to_target: Option<usize>,
    /// Seconds until then.
    pub wall_s_to_target: Option<f64>,
    /// Mean relaxation steps per batch (energy-based algorithms; 0 otherwise).
    pub relaxation_steps_per_batch: f64,
    /// Per-epoch metrics.
    pub history: Vec<EpochRecord>,
}

/// The result of `compare`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompareResult {
    /// neurograd version.
    pub version: String,
    /// Parameters used.
    pub params: CompareParams,
    /// Data used.
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
    let mut ds = load_dataset(dataset)?;
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
            &ds,
            m as f64 / ds.len() as f64,
            seed ^ 0x5eed,
        )?;
        ds = keep;
    }
    prepare(dataset, &ds, test_fraction, seed)
}

/// Runs `compare`. An algorithm that diverges or fails keeps its partial history and a status
/// naming the error; the other algorithms still run. Unknown names fail before any training.
///
/// # Errors
/// Unknown dataset or algorithm names (listing the valid ones), invalid sizes, data errors.
pub fn run(p: &CompareParams, progress: &dyn Progress) -> Result<CompareResult> {
    if p.algorithms.is_empty() {
        return Err(Error::invalid(
            "algorithms",
            "",
            "name at least one algorithm",
        ));
    }
    let data = prepare_data(&p.dataset, p.max_samples, p.test_fraction, p.seed)?;
    let specs: Vec<TrainSpec> = p
        .algorithms
        .iter()
        .map(|a| TrainSpec {
            algorithm: a.trim().to_string(),
            hidden: p.hidden.clone(),
            epochs: p.epochs,
            batch_size: p.batch_size,
            optimizer: "adam".into(),
            learning_rate: p.learning_rate,
            seed: p.seed,
            cosine_every: p.cosine_every,
            target_accuracy: Some(p.target_accuracy),
        })
        .collect();
    // Validate every name and size first, so a typo fails before minutes of training.
    let mut trainers = specs
        .iter()
        .map(|s| Trainer::new(s, &data))
        .collect::<Result<Vec<_>>>()?;
    let mut results = Vec::new();
    for t in trainers.iter_mut() {
        let name = t.outcome().algorithm;
        progress.start(&name, (p.epochs * t.batches_per_epoch(&data)) as u64);
        let mut status = "ok".to_string();
        while !t.done() {
            if let Err(e) = t.run_epoch(&data, progress) {
                status = e.to_string();
                break;
            }
        }
        progress.finish();
        let o = t.outcome();
        results.push(AlgorithmResult {
            algorithm: o.algorithm,
            status,
            test_accuracy: o.test_accuracy,
            epochs: o.epochs,
            wall_s: o.wall_s,
            mean_cosine_to_bp: o.mean_cosine_to_bp,
            epochs_to_target: o.epochs_to_target,
            wall_s_to_target: o.wall_s_to_target,
            relaxation_steps_per_batch: o.relaxation_steps_per_batch,
            history: o.history,
        });
    }
    Ok(CompareResult {
        version: VERSION.to_string(),
        params: p.clone(),
        data: DatasetInfo {
            name: data.name.clone(),
            n_train: data.x_train.nrows(),
            n_test: data.x_test.nrows(),
            n_features: data.x_train.ncols(),
            n_classes: data.n_classes,
        },
        results,
    })
}
