//! The training loop: dataset -> network -> learning algorithm -> optimizer -> per-epoch metrics.
//!
//! A [`Trainer`] owns a [`Network`], a credit-assignment algorithm (any name of the plasticity
//! crate's registry, or `es` for the evolution strategy of [`crate::es`]) and a gradient optimizer
//! (Adam by default). Every epoch:
//!
//! 1. the training rows are shuffled with [`Batches`](crate::data::transform::Batches) seeded by
//!    the shuffle stream of `seed` ([`sub_seed`]; the order of epoch `e` is a pure function of
//!    the seed and `e`), cut into
//!    mini-batches (the last, smaller one kept);
//! 2. for each batch the algorithm produces updates `u` with the sign of a loss gradient, and the
//!    optimizer descends along them: `θ ← opt(θ, u)`;
//! 3. every `cosine_every`-th batch, the true gradient `g` of the same network's loss on the same
//!    batch is computed by backprop and the cosine `u·g / (|u| |g|)` recorded (the epoch's
//!    `mean_cosine_to_bp` is the mean over those batches, `angle_to_bp_deg` = acos of it);
//! 4. test accuracy uses the algorithm's own prediction (the free fixed point for energy-based
//!    algorithms).
//!
//! Divergence: a non-finite loss, update or parameter stops the run with [`Error::Diverged`]
//! naming the epoch. Checkpoints ([`Checkpoint`]) hold the network, the optimizer state, the epoch
//! and the history; because the shuffle, the algorithm's feedback weights (its own stream of `seed`) and
//! the evolution strategy's noise (derived from `(seed, step)`) are pure functions of the seed and
//! the position, resuming from a checkpoint gives bit-identical results to an uninterrupted run.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::data::Dataset;
use crate::optim::{AnyGradientOptimizer, GradientOptimizer, GradientOptimizerConfig};
use crate::plasticity::credit::{self, Backprop, CreditAssignment, Network, Updates};
use crate::tensor::{Matrix, Real};
use crate::{Error, Progress, Result, VERSION};

/// Names of the dataset sources [`load_dataset`] accepts (`idx:` and `npy:` take paths).
pub const DATASETS: &[&str] = &["digits", "mnist5k", "idx:DIR", "npy:X.npy,Y.npy"];

/// Loads a dataset by specification: `digits` (bundled UCI 8x8 digits), `mnist5k` (bundled MNIST
/// subset), `idx:DIR` (a directory with the four standard MNIST idx files; train and test are
/// concatenated and re-split by [`prepare`]), `npy:X.npy,Y.npy` (features n x d and integer labels).
///
/// # Errors
/// [`Error::UnknownName`] listing [`DATASETS`]; the data crate's errors naming a missing or corrupt
/// file.
pub fn load_dataset(spec: &str) -> Result<Dataset> {
    let spec = spec.trim();
    if let Some(dir) = spec.strip_prefix("idx:") {
        let s = crate::data::io::idx::load_mnist_dir(dir)?;
        let (a, b) = (&s.train, &s.test);
        let d = a.n_features();
        let features = Matrix::from_fn(a.len() + b.len(), d, |i, j| {
            if i < a.len() {
                a.features[(i, j)]
            } else {
                b.features[(i - a.len(), j)]
            }
        });
        let labels = a.labels.iter().chain(&b.labels).copied().collect();
        return Ok(Dataset::new(
            features,
            labels,
            a.class_names.clone(),
            a.image_shape,
        )?);
    }
    if let Some(rest) = spec.strip_prefix("npy:") {
        let (x, y) = rest.split_once(',').ok_or_else(|| {
            Error::invalid("dataset", spec, "npy: takes two paths, npy:X.npy,Y.npy")
        })?;
        return Ok(crate::data::io::npy::load_dataset(x.trim(), y.trim())?);
    }
    match spec {
        "digits" => Ok(crate::data::bundled::digits()?),
        "mnist5k" => Ok(crate::data::bundled::mnist5k()?),
        _ => Err(Error::unknown("dataset", spec, DATASETS)),
    }
}

/// A dataset split and standardised for training.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The dataset specification it came from.
    pub name: String,
    /// Standardised training inputs (n_train, d).
    pub x_train: Matrix,
    /// One-hot training targets (n_train, classes).
    pub t_train: Matrix,
    /// Training labels.
    pub labels_train: Vec<usize>,
    /// Standardised test inputs (n_test, d), with the training set's mean and scale.
    pub x_test: Matrix,
    /// Test labels.
    pub labels_test: Vec<usize>,
    /// Number of classes.
    pub n_classes: usize,
    /// Image shape, if the samples are images.
    pub image_shape: Option<(usize, usize)>,
}

/// The independent random streams of one training run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// Network initialisation.
    Network,
    /// The algorithm's own randomness (feedback matrices, inverse-training noise, ES noise).
    Algorithm,
    /// Mini-batch shuffling.
    Shuffle,
}

/// The seed of `stream` for a run seeded `seed`: the SplitMix64 finaliser ([`crate::es::mix`];
/// Steele, Lea & Flood 2014) of `seed` and the stream's tag. Runs with neighbouring seeds
/// (`compare --seeds N` uses `seed, seed + 1, ...`) therefore never share a stream, as they would
/// with `seed + k` offsets (seed `s + 1`'s initialisation would be seed `s`'s feedback stream).
pub fn sub_seed(seed: u64, stream: Stream) -> u64 {
    let tag: u64 = match stream {
        Stream::Network => 1,
        Stream::Algorithm => 2,
        Stream::Shuffle => 3,
    };
    crate::es::mix(seed, 0, tag)
}

/// Splits `ds` (stratified, `test_fraction` held out, seeded) and standardises the features with
/// the training part's statistics.
///
/// # Errors
/// The data crate's errors (bad fraction, empty split).
pub fn prepare(name: &str, ds: &Dataset, test_fraction: Real, seed: u64) -> Result<Prepared> {
    use crate::data::transform::{Standardizer, one_hot, stratified_split};
    let (train, test) = stratified_split(ds, test_fraction, seed)?;
    let st = Standardizer::fit(&train.features)?;
    Ok(Prepared {
        name: name.to_string(),
        x_train: st.transform(&train.features)?,
        t_train: one_hot(&train.labels, ds.n_classes())?,
        labels_train: train.labels.clone(),
        x_test: st.transform(&test.features)?,
        labels_test: test.labels.clone(),
        n_classes: ds.n_classes(),
        image_shape: ds.image_shape,
    })
}

/// What to train and how.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainSpec {
    /// Algorithm name (the plasticity registry's names, or `es`).
    pub algorithm: String,
    /// Hidden-layer widths.
    pub hidden: Vec<usize>,
    /// Epochs to run.
    pub epochs: usize,
    /// Mini-batch size.
    pub batch_size: usize,
    /// Gradient optimizer name (`adam`, `sgd`, ...).
    pub optimizer: String,
    /// Learning rate (`None`: the registry's value for the algorithm).
    pub learning_rate: Option<Real>,
    /// Seed: the network's initialisation, the algorithm's random feedback (or noise) and the
    /// shuffling each draw from their own stream derived from it ([`sub_seed`]).
    pub seed: u64,
    /// Measure the cosine to backprop every this many batches (0: never).
    pub cosine_every: usize,
    /// Test accuracy that counts as "reached" for `epochs_to_target`.
    pub target_accuracy: Option<Real>,
}

/// Metrics of one epoch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpochRecord {
    /// Epoch number, from 1.
    pub epoch: usize,
    /// Mean batch loss over the epoch (before each update).
    pub train_loss: Real,
    /// Test accuracy after the epoch.
    pub test_accuracy: Real,
    /// Mean cosine between the algorithm's update and the backprop gradient over the measured
    /// batches of this epoch (`None` if none measured).
    pub mean_cosine_to_bp: Option<Real>,
    /// `acos(mean_cosine_to_bp)` in degrees.
    pub angle_to_bp_deg: Option<Real>,
    /// Mean relaxation steps per batch (energy-based algorithms).
    pub relaxation_steps: Real,
    /// Wall-clock seconds of the epoch (training and evaluation).
    pub wall_s: Real,
}

/// A resumable snapshot of a training run (serde JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// neurograd version that wrote it.
    pub version: String,
    /// The run's specification.
    pub spec: TrainSpec,
    /// Epochs completed.
    pub epoch: usize,
    /// Optimizer steps completed (the evolution strategy's noise stream position).
    pub step: u64,
    /// The network.
    pub network: Network,
    /// The optimizer with its state.
    pub optimizer: AnyGradientOptimizer,
    /// History so far.
    pub history: Vec<EpochRecord>,
}

impl Checkpoint {
    /// Writes the checkpoint atomically as JSON.
    ///
    /// # Errors
    /// [`Error::Io`], [`Error::Serde`].
    pub fn save(&self, path: &std::path::Path) -> Result<()> {
        crate::io::write_json(path, self)
    }

    /// Reads a checkpoint.
    ///
    /// # Errors
    /// [`Error::Io`] if the file cannot be read, [`Error::Corrupt`] naming it if it does not parse.
    pub fn load(path: &std::path::Path) -> Result<Self> {
        let s = crate::io::read_to_string(path)?;
        serde_json::from_str(&s).map_err(|e| Error::Corrupt {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })
    }
}

/// A training run in progress.
pub struct Trainer {
    spec: TrainSpec,
    net: Network,
    algo: Box<dyn CreditAssignment>,
    opt: AnyGradientOptimizer,
    epoch: usize,
    step: u64,
    history: Vec<EpochRecord>,
    wall_s: Real,
    es_step: Option<Arc<AtomicU64>>,
}

type Built = (
    Network,
    Box<dyn CreditAssignment>,
    Real,
    Option<Arc<AtomicU64>>,
);

fn build_algorithm(spec: &TrainSpec, widths: &[usize]) -> Result<Built> {
    if spec.algorithm == crate::es::NAME {
        let info = credit::registry::info("bp")?;
        let net = info.network(widths, sub_seed(spec.seed, Stream::Network))?;
        let es = crate::es::EvolutionStrategy::new(
            crate::es::EsConfig::default(),
            sub_seed(spec.seed, Stream::Algorithm),
        )?;
        let handle = es.step_handle();
        return Ok((
            net,
            Box::new(es),
            crate::es::EsConfig::default().learning_rate,
            Some(handle),
        ));
    }
    let info = credit::registry::info(&spec.algorithm).map_err(|_| {
        let mut valid: Vec<&str> = credit::registry::algorithms()
            .iter()
            .filter(|a| a.supervised)
            .map(|a| a.name)
            .collect();
        valid.push(crate::es::NAME);
        Error::unknown("algorithm", &spec.algorithm, &valid)
    })?;
    if !info.supervised {
        return Err(Error::invalid(
            "algorithm",
            &spec.algorithm,
            "is unsupervised and cannot classify",
        ));
    }
    let net = info.network(widths, sub_seed(spec.seed, Stream::Network))?;
    let algo = info.build(&net, sub_seed(spec.seed, Stream::Algorithm))?;
    Ok((net, algo, info.learning_rate, None))
}

fn flat_norm(ms: &[Matrix]) -> Real {
    ms.iter().map(|m| m.norm_squared()).sum::<Real>().sqrt()
}

/// Cosine between two parameter lists (flattened); `None` if either is zero.
pub fn cosine(a: &[Matrix], b: &[Matrix]) -> Option<Real> {
    let dot: Real = a.iter().zip(b).map(|(x, y)| x.dot(y)).sum();
    let (na, nb) = (flat_norm(a), flat_norm(b));
    (na > 0.0 && nb > 0.0).then(|| (dot / (na * nb)).clamp(-1.0, 1.0))
}

impl Trainer {
    /// Sets up a run: network `[d, hidden..., classes]` for the algorithm, its optimizer.
    ///
    /// # Errors
    /// Unknown algorithm or optimizer names (listing the valid ones), invalid sizes.
    pub fn new(spec: &TrainSpec, data: &Prepared) -> Result<Self> {
        if spec.epochs == 0 {
            return Err(Error::invalid("epochs", spec.epochs, "must be at least 1"));
        }
        if spec.batch_size == 0 {
            return Err(Error::invalid(
                "batch_size",
                spec.batch_size,
                "must be at least 1",
            ));
        }
        if spec.hidden.contains(&0) {
            return Err(Error::invalid(
                "hidden",
                format!("{:?}", spec.hidden),
                "widths must be at least 1",
            ));
        }
        let mut widths = vec![data.x_train.ncols()];
        widths.extend(&spec.hidden);
        widths.push(data.n_classes);
        let (net, algo, default_lr, es_step) = build_algorithm(spec, &widths)?;
        let lr = spec.learning_rate.unwrap_or(default_lr);
        let opt = GradientOptimizerConfig::from_name(&spec.optimizer)?
            .with_lr(lr)
            .build()?;
        Ok(Self {
            spec: spec.clone(),
            net,
            algo,
            opt,
            epoch: 0,
            step: 0,
            history: Vec::new(),
            wall_s: 0.0,
            es_step,
        })
    }

    /// Resumes from a checkpoint (the algorithm is rebuilt from the spec's seed).
    ///
    /// # Errors
    /// As [`Trainer::new`]; [`Error::InvalidParameter`] if the checkpoint's network does not fit
    /// the data.
    pub fn resume(ck: &Checkpoint, data: &Prepared) -> Result<Self> {
        let mut t = Self::new(&ck.spec, data)?;
        if ck.network.widths() != t.net.widths() {
            return Err(Error::invalid(
                "checkpoint",
                format!("{:?}", ck.network.widths()),
                format!("network widths do not fit the data ({:?})", t.net.widths()),
            ));
        }
        t.net = ck.network.clone();
        t.opt = ck.optimizer.clone();
        t.epoch = ck.epoch;
        t.step = ck.step;
        t.history = ck.history.clone();
        t.wall_s = ck.history.iter().map(|h| h.wall_s).sum();
        Ok(t)
    }

    /// A checkpoint of the current state.
    pub fn checkpoint(&self) -> Checkpoint {
        Checkpoint {
            version: VERSION.to_string(),
            spec: self.spec.clone(),
            epoch: self.epoch,
            step: self.step,
            network: self.net.clone(),
            optimizer: self.opt.clone(),
            history: self.history.clone(),
        }
    }

    /// The network.
    pub fn network(&self) -> &Network {
        &self.net
    }

    /// Epochs completed.
    pub fn epoch(&self) -> usize {
        self.epoch
    }

    /// History so far.
    pub fn history(&self) -> &[EpochRecord] {
        &self.history
    }

    /// Whether all epochs of the spec are done.
    pub fn done(&self) -> bool {
        self.epoch >= self.spec.epochs
    }

    /// Runs one epoch; `progress.inc(1)` after each batch.
    ///
    /// # Errors
    /// [`Error::Diverged`] on a non-finite loss, update or parameter; algorithm and optimizer
    /// errors.
    pub fn run_epoch(&mut self, data: &Prepared, progress: &dyn Progress) -> Result<EpochRecord> {
        let start = Instant::now();
        let n = data.x_train.nrows();
        let batches = crate::data::transform::Batches::new(
            n,
            self.spec.batch_size,
            sub_seed(self.spec.seed, Stream::Shuffle),
            false,
        )?
        .epoch(self.epoch as u64);
        let mut updates = Updates::zeros(&self.net);
        let mut bp = Backprop::new();
        let (mut loss_sum, mut relax_sum, mut cos_sum, mut cos_n) = (0.0, 0.0, 0.0, 0usize);
        let d = data.x_train.ncols();
        let k = data.t_train.ncols();
        let diverged = |what: String| Error::Diverged {
            algorithm: self.spec.algorithm.clone(),
            epoch: self.epoch + 1,
            what,
        };
        for (bi, idx) in batches.iter().enumerate() {
            let xb = Matrix::from_fn(idx.len(), d, |r, c| data.x_train[(idx[r], c)]);
            let tb = Matrix::from_fn(idx.len(), k, |r, c| data.t_train[(idx[r], c)]);
            if let Some(h) = &self.es_step {
                h.store(self.step, Ordering::Relaxed);
            }
            self.algo.updates_into(&self.net, &xb, &tb, &mut updates)?;
            let loss = updates.diagnostics.loss;
            if !loss.is_finite() {
                return Err(diverged(format!("loss {loss} at step {}", self.step + 1)));
            }
            if !flat_norm(&updates.grads).is_finite() {
                return Err(diverged(format!(
                    "non-finite update at step {}",
                    self.step + 1
                )));
            }
            if self.spec.cosine_every > 0 && bi % self.spec.cosine_every == 0 {
                let g = bp.updates(&self.net, &xb, &tb)?;
                if let Some(c) = cosine(&updates.grads, &g.grads) {
                    cos_sum += c;
                    cos_n += 1;
                }
            }
            self.net
                .update_params(|p| self.opt.step(p, &updates.grads).map_err(Error::from))?;
            self.step += 1;
            if !flat_norm(self.net.params()).is_finite() {
                return Err(diverged(format!(
                    "non-finite parameters after step {}",
                    self.step
                )));
            }
            loss_sum += loss;
            relax_sum += updates.diagnostics.relaxation_steps as Real;
            progress.inc(1);
        }
        let acc = credit::train::accuracy(
            self.algo.as_mut(),
            &self.net,
            &data.x_test,
            &data.labels_test,
        )?;
        let nb = batches.len().max(1) as Real;
        let mean_cos = (cos_n > 0).then(|| cos_sum / cos_n as Real);
        self.epoch += 1;
        let rec = EpochRecord {
            epoch: self.epoch,
            train_loss: loss_sum / nb,
            test_accuracy: acc,
            mean_cosine_to_bp: mean_cos,
            angle_to_bp_deg: mean_cos.map(|c| c.clamp(-1.0, 1.0).acos().to_degrees()),
            relaxation_steps: relax_sum / nb,
            wall_s: start.elapsed().as_secs_f64(),
        };
        self.wall_s += rec.wall_s;
        self.history.push(rec.clone());
        Ok(rec)
    }

    /// Batches per epoch for `data`.
    pub fn batches_per_epoch(&self, data: &Prepared) -> usize {
        data.x_train.nrows().div_ceil(self.spec.batch_size)
    }

    /// Runs the remaining epochs (checkpointing to `checkpoint` after each, if given) and returns
    /// the outcome.
    ///
    /// # Errors
    /// As [`Trainer::run_epoch`]; checkpoint write errors.
    pub fn run(
        mut self,
        data: &Prepared,
        progress: &dyn Progress,
        checkpoint: Option<&std::path::Path>,
    ) -> Result<TrainOutcome> {
        while !self.done() {
            self.run_epoch(data, progress)?;
            if let Some(p) = checkpoint {
                self.checkpoint().save(p)?;
            }
        }
        Ok(self.outcome())
    }

    /// The outcome so far.
    pub fn outcome(&self) -> TrainOutcome {
        let cos: Vec<Real> = self
            .history
            .iter()
            .filter_map(|h| h.mean_cosine_to_bp)
            .collect();
        let target = self.spec.target_accuracy;
        let reached = target.and_then(|t| self.history.iter().position(|h| h.test_accuracy >= t));
        TrainOutcome {
            algorithm: self.spec.algorithm.clone(),
            test_accuracy: self.history.last().map_or(0.0, |h| h.test_accuracy),
            epochs: self.epoch,
            wall_s: self.wall_s,
            mean_cosine_to_bp: (!cos.is_empty())
                .then(|| cos.iter().sum::<Real>() / cos.len() as Real),
            epochs_to_target: reached.map(|i| i + 1),
            wall_s_to_target: reached.map(|i| self.history[..=i].iter().map(|h| h.wall_s).sum()),
            relaxation_steps_per_batch: self.history.last().map_or(0.0, |h| h.relaxation_steps),
            history: self.history.clone(),
        }
    }
}

/// The outcome of a training run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainOutcome {
    /// Algorithm name.
    pub algorithm: String,
    /// Test accuracy after the last epoch.
    pub test_accuracy: Real,
    /// Epochs run.
    pub epochs: usize,
    /// Total wall-clock seconds (training and evaluation).
    pub wall_s: Real,
    /// Mean over epochs of the per-epoch mean cosine to the backprop gradient.
    pub mean_cosine_to_bp: Option<Real>,
    /// First epoch whose test accuracy reached the target.
    pub epochs_to_target: Option<usize>,
    /// Wall-clock seconds until that epoch ended.
    pub wall_s_to_target: Option<Real>,
    /// Mean relaxation steps per batch in the last epoch.
    pub relaxation_steps_per_batch: Real,
    /// Per-epoch metrics.
    pub history: Vec<EpochRecord>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> Prepared {
        crate::experiments::compare::prepare_data("digits", Some(200), 0.25, 3).unwrap()
    }

    fn spec(algorithm: &str) -> TrainSpec {
        TrainSpec {
            algorithm: algorithm.into(),
            hidden: vec![8],
            epochs: 2,
            batch_size: 16,
            optimizer: "adam".into(),
            learning_rate: None,
            seed: 5,
            cosine_every: 3,
            target_accuracy: Some(0.5),
        }
    }

    /// Checkpoints resume bit-identically: 2 epochs straight equal 1 epoch, save to JSON, load,
    /// 1 more epoch (network, optimizer state and history compared exactly), for a feedback
    /// algorithm (fixed random feedback from the seed) and for the evolution strategy (noise
    /// stream from the step).
    #[test]
    fn checkpoint_resume_is_bit_identical() {
        let d = data();
        for algo in ["fa", "es"] {
            let s = spec(algo);
            let straight = Trainer::new(&s, &d)
                .unwrap()
                .run(&d, &crate::NoProgress, None)
                .unwrap();
            let mut t = Trainer::new(&s, &d).unwrap();
            t.run_epoch(&d, &crate::NoProgress).unwrap();
            let dir = tempfile::tempdir().unwrap();
            let p = dir.path().join("ck.json");
            t.checkpoint().save(&p).unwrap();
            drop(t);
            let ck = Checkpoint::load(&p).unwrap();
            let mut r = Trainer::resume(&ck, &d).unwrap();
            r.run_epoch(&d, &crate::NoProgress).unwrap();
            let strip = |h: &[EpochRecord]| {
                h.iter()
                    .map(|e| (e.train_loss, e.test_accuracy, e.mean_cosine_to_bp))
                    .collect::<Vec<_>>()
            };
            assert_eq!(strip(&r.history), strip(&straight.history), "{algo}");
            let mut t2 = Trainer::new(&s, &d).unwrap();
            t2.run_epoch(&d, &crate::NoProgress).unwrap();
            t2.run_epoch(&d, &crate::NoProgress).unwrap();
            assert_eq!(
                r.network(),
                t2.network(),
                "{algo}: parameters differ after resume"
            );
            // Negative control: resuming with a different seed changes the run.
            let mut other = ck.clone();
            other.spec.seed += 1;
            let mut o = Trainer::resume(&other, &d).unwrap();
            o.run_epoch(&d, &crate::NoProgress).unwrap();
            assert_ne!(o.network(), t2.network());
        }
    }

    #[test]
    fn corrupt_checkpoint_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("ck.json");
        std::fs::write(&p, b"{not json").unwrap();
        let e = Checkpoint::load(&p).unwrap_err();
        assert!(e.to_string().contains("ck.json"));
        assert_eq!(e.exit_code(), 2);
    }

    #[test]
    fn unknown_algorithm_lists_valid_names() {
        let e = Trainer::new(&spec("nope"), &data()).err().unwrap();
        let m = e.to_string();
        assert!(
            m.contains("nope") && m.contains("bp") && m.contains("es"),
            "{m}"
        );
    }
}
