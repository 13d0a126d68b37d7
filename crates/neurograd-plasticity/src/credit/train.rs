//! The training loop of every credit-assignment algorithm: data -> network -> algorithm ->
//! optimizer -> per-epoch records, with resumable checkpoints. The `neurograd` facade (and its
//! `compare` command) and library users run this one loop.
//!
//! A [`Trainer`] owns a [`Network`], an algorithm of the [`registry`] (its
//! activations, loss and learning rate come from the algorithm's
//! [`AlgorithmInfo`](super::AlgorithmInfo)) and a gradient optimizer of `neurograd-optim` (Adam by
//! default). Every epoch `e` (0-based):
//!
//! 1. the training rows are permuted by the data crate's
//!    [`Batches`] with [`Seeds::shuffle`] (the order of epoch
//!    `e` is a pure function of that seed and `e`) and cut into mini-batches of
//!    [`TrainConfig::batch_size`] rows (the last, smaller one kept);
//! 2. before each batch the algorithm is positioned at the global step `s`
//!    ([`CreditAssignment::set_step`]); it produces updates `u` with the sign of a loss gradient,
//!    and the optimizer descends along them: `θ ← opt(θ, u)`;
//! 3. every [`TrainConfig::cosine_every`]-th batch of the epoch, the true gradient `g` of the same
//!    network's loss on the same batch is computed by [`Backprop`] and the cosine
//!    `u·g / (|u| |g|)` ([`geometry::cosine_params`]) recorded; the epoch's
//!    [`EpochRecord::mean_cosine_to_bp`] is the mean over those batches and
//!    [`EpochRecord::angle_to_bp_deg`] its `acos` in degrees; the same cosine restricted to each
//!    weight layer's parameters `(W_l, b_l)` gives [`EpochRecord::cosine_to_bp_per_layer`] (the
//!    per-layer alignment of Lillicrap et al. 2016, which the whole-vector cosine hides when the
//!    exact readout update dominates the norm);
//! 4. test accuracy uses the algorithm's own prediction ([`CreditAssignment::predict`]: the free
//!    fixed point for energy-based algorithms).
//!
//! Divergence: a non-finite loss, update or parameter stops the run with
//! [`PlasticityError::Diverged`] naming the global step (1-based) and the non-finite value.
//!
//! Checkpoints ([`Checkpoint`], serde) hold the configuration, the network, the optimizer state,
//! the epoch, the step and the history. The shuffle (shuffle seed, epoch), the algorithm's random
//! feedback (algorithm seed) and any per-step noise (algorithm seed, step) are pure functions of
//! the seeds and the position, so [`Trainer::resume`] continues bit-identically to an
//! uninterrupted run. Writing checkpoints to files is the caller's business (the facade writes
//! them atomically as JSON).
//!
//! ```
//! use neurograd_plasticity::credit::{Seeds, TrainConfig, TrainData, train_network};
//! use neurograd_tensor::Matrix;
//!
//! // Two separable classes in 2-d.
//! let x = Matrix::from_fn(40, 2, |i, j| if (i % 2 == 0) == (j == 0) { 1.0 } else { -1.0 });
//! let t = Matrix::from_fn(40, 2, |i, j| if i % 2 == j { 1.0 } else { 0.0 });
//! let labels: Vec<usize> = (0..40).map(|i| i % 2).collect();
//! let data = TrainData { x_train: &x, t_train: &t, x_test: &x, labels_test: &labels };
//! let cfg = TrainConfig {
//!     algorithm: "fa".into(),
//!     hidden: vec![8],
//!     epochs: 20,
//!     batch_size: 8,
//!     optimizer: "adam".into(),
//!     learning_rate: Some(0.01),
//!     seeds: Seeds { network: 1, algorithm: 2, shuffle: 3 },
//!     cosine_every: 1,
//!     target_accuracy: Some(0.9),
//!     arch: None,
//! };
//! let out = train_network(&cfg, &data)?;
//! assert_eq!(out.test_accuracy, Some(1.0));
//! # Ok::<(), neurograd_plasticity::PlasticityError>(())
//! ```

use std::time::Instant;

use neurograd_data::transform::Batches;
use neurograd_optim::{AnyGradientOptimizer, GradientOptimizer, GradientOptimizerConfig};
use neurograd_tensor::{Matrix, Real, TensorError, geometry};
use serde::{Deserialize, Serialize};

use super::conv_layers::Architecture;
use super::{Backprop, CreditAssignment, Network, Updates, registry};
use crate::{PlasticityError, Result};

/// The independent random streams of one run (the facade derives them from one master seed with
/// `neurograd_tensor::seed::mix`, so neighbouring master seeds share none).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seeds {
    /// Network initialisation ([`AlgorithmInfo::network`](super::AlgorithmInfo::network)).
    pub network: u64,
    /// The algorithm's own randomness (random feedback, inverse-training noise, ES noise).
    pub algorithm: u64,
    /// Mini-batch shuffling.
    pub shuffle: u64,
}

/// What to train and how (stored in every [`Checkpoint`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainConfig {
    /// Registry name of a supervised algorithm (`bp`, `fa`, `ep`, `es`, ...).
    pub algorithm: String,
    /// Hidden-layer widths (each >= 1; empty: no hidden layer).
    pub hidden: Vec<usize>,
    /// Epochs to run (>= 1).
    pub epochs: usize,
    /// Rows per mini-batch (>= 1).
    pub batch_size: usize,
    /// Gradient optimizer name of `neurograd-optim` (`adam`, `sgd`, ...).
    pub optimizer: String,
    /// Learning rate (`None`: the registry's value for the algorithm).
    pub learning_rate: Option<Real>,
    /// The run's random streams.
    pub seeds: Seeds,
    /// Measure the cosine to backprop every this many batches (0: never).
    pub cosine_every: usize,
    /// Test accuracy that counts as reached for [`TrainOutcome::epochs_to_target`].
    pub target_accuracy: Option<Real>,
    /// A convolutional architecture ([`Network::from_architecture`]; `None`, the default: the
    /// dense network `[n_0, hidden..., n_L]`). With an architecture, `hidden` must be empty, the
    /// input `C·H·W` must equal `n_0` and the last dense stage must have `n_L` units. Absent in
    /// JSON: `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arch: Option<Architecture>,
}

/// Training and test data: inputs, training targets (one-hot for classification), test labels.
#[derive(Clone, Copy, Debug)]
pub struct TrainData<'a> {
    /// Training inputs (n_train, n_0).
    pub x_train: &'a Matrix,
    /// Training targets (n_train, n_L); `n_L` is the number of classes.
    pub t_train: &'a Matrix,
    /// Test inputs (n_test, n_0).
    pub x_test: &'a Matrix,
    /// Test labels (n_test), class indices `< n_L`.
    pub labels_test: &'a [usize],
}

/// Metrics of one epoch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpochRecord {
    /// Epoch number, from 1.
    pub epoch: usize,
    /// Mean batch loss over the epoch (at the algorithm's prediction before each update).
    pub train_loss: Real,
    /// Test accuracy after the epoch.
    pub test_accuracy: Real,
    /// Mean cosine between the algorithm's update and the backprop gradient over the measured
    /// batches of this epoch (`None` if none measured).
    pub mean_cosine_to_bp: Option<Real>,
    /// `acos(mean_cosine_to_bp)` in degrees.
    pub angle_to_bp_deg: Option<Real>,
    /// Per weight layer `l = 1..=L`: the mean over the measured batches of the cosine between
    /// the algorithm's update of `(W_l, b_l)` and backprop's gradient of them; `None` for a layer
    /// whose update or gradient was zero in every measured batch (no direction: the frozen layers
    /// of the readout-only control). Empty when nothing was measured (absent in old JSON).
    #[serde(default)]
    pub cosine_to_bp_per_layer: Vec<Option<Real>>,
    /// Mean relaxation steps per batch (0 for feed-forward algorithms).
    pub relaxation_steps: Real,
    /// Wall-clock seconds of the epoch (training and evaluation).
    pub wall_s: Real,
}

/// The outcome of a training run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainOutcome {
    /// Algorithm name.
    pub algorithm: String,
    /// Test accuracy after the last completed epoch (`None`, JSON `null`, if none completed: a
    /// run that diverged in its first epoch has no accuracy, not 0).
    pub test_accuracy: Option<Real>,
    /// Epochs run.
    pub epochs: usize,
    /// Total wall-clock seconds (training and evaluation).
    pub wall_s: Real,
    /// Mean over epochs of the per-epoch mean cosine to the backprop gradient.
    pub mean_cosine_to_bp: Option<Real>,
    /// Per weight layer: the mean over epochs of [`EpochRecord::cosine_to_bp_per_layer`] (over the
    /// epochs that measured the layer; `None` if none did). Empty when nothing was measured.
    #[serde(default)]
    pub mean_cosine_to_bp_per_layer: Vec<Option<Real>>,
    /// First epoch whose test accuracy reached the target.
    pub epochs_to_target: Option<usize>,
    /// Wall-clock seconds until that epoch ended.
    pub wall_s_to_target: Option<Real>,
    /// Mean relaxation steps per batch in the last epoch.
    pub relaxation_steps_per_batch: Real,
    /// Per-epoch metrics.
    pub history: Vec<EpochRecord>,
}

/// A resumable snapshot of a training run (serde; the facade stores it as JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// Version of the crate that wrote it.
    pub version: String,
    /// The run's configuration.
    pub config: TrainConfig,
    /// Epochs completed.
    pub epoch: usize,
    /// Optimizer steps completed (the position of per-step noise).
    pub step: u64,
    /// The network.
    pub network: Network,
    /// The optimizer with its state.
    pub optimizer: AnyGradientOptimizer,
    /// History so far.
    pub history: Vec<EpochRecord>,
}

/// Classification accuracy of the algorithm's prediction (argmax per row) on `x` vs `labels`.
///
/// # Errors
/// Bad input, label count mismatch, prediction errors.
pub fn accuracy(
    algo: &mut dyn CreditAssignment,
    net: &Network,
    x: &Matrix,
    labels: &[usize],
) -> Result<Real> {
    if labels.len() != x.nrows() {
        return Err(PlasticityError::ShapeMismatch {
            op: "accuracy: labels vs rows",
            expected: (x.nrows(), 1),
            got: (labels.len(), 1),
        });
    }
    let y = algo.predict(net, x)?;
    let mut correct = 0usize;
    for (i, &lab) in labels.iter().enumerate() {
        let row = y.row(i);
        let mut best = 0;
        for j in 1..row.len() {
            if row[j] > row[best] {
                best = j;
            }
        }
        correct += usize::from(best == lab);
    }
    Ok(correct as Real / labels.len().max(1) as Real)
}

fn check_config(cfg: &TrainConfig) -> Result<()> {
    if cfg.epochs == 0 {
        return Err(PlasticityError::InvalidParameter {
            name: "epochs",
            value: cfg.epochs.to_string(),
            reason: "must be at least 1".into(),
        });
    }
    if cfg.batch_size == 0 {
        return Err(PlasticityError::InvalidParameter {
            name: "batch_size",
            value: cfg.batch_size.to_string(),
            reason: "must be at least 1".into(),
        });
    }
    if cfg.hidden.contains(&0) {
        return Err(PlasticityError::InvalidParameter {
            name: "hidden",
            value: format!("{:?}", cfg.hidden),
            reason: "widths must be at least 1".into(),
        });
    }
    Ok(())
}

fn check_data(net: &Network, data: &TrainData<'_>) -> Result<()> {
    if data.x_train.nrows() == 0 {
        return Err(PlasticityError::InvalidParameter {
            name: "x_train",
            value: "0 rows".into(),
            reason: "the training set is empty".into(),
        });
    }
    net.check_batch(data.x_train, data.t_train)?;
    net.check_input(data.x_test)?;
    if data.labels_test.len() != data.x_test.nrows() {
        return Err(PlasticityError::ShapeMismatch {
            op: "test labels vs test rows",
            expected: (data.x_test.nrows(), 1),
            got: (data.labels_test.len(), 1),
        });
    }
    if let Some(&bad) = data.labels_test.iter().find(|&&l| l >= net.output_width()) {
        return Err(PlasticityError::InvalidParameter {
            name: "labels_test",
            value: bad.to_string(),
            reason: format!("label out of range for {} outputs", net.output_width()),
        });
    }
    Ok(())
}

fn norm(ms: &[Matrix]) -> Real {
    ms.iter().map(|m| m.norm_squared()).sum::<Real>().sqrt()
}

/// A training run in progress (see the module docs).
pub struct Trainer {
    config: TrainConfig,
    net: Network,
    algo: Box<dyn CreditAssignment>,
    opt: AnyGradientOptimizer,
    epoch: usize,
    step: u64,
    history: Vec<EpochRecord>,
    wall_s: Real,
}

impl std::fmt::Debug for Trainer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Trainer")
            .field("config", &self.config)
            .field("algorithm", &self.algo.name())
            .field("epoch", &self.epoch)
            .field("step", &self.step)
            .finish_non_exhaustive()
    }
}

impl Trainer {
    /// Sets up a run: the registry's network `[n_0, hidden..., n_L]` for the algorithm (widths
    /// from the data) or the configured convolutional architecture with the registry's
    /// activations and loss, the algorithm, the optimizer at the configured (or the registry's)
    /// learning rate.
    ///
    /// # Errors
    /// [`PlasticityError::InvalidParameter`] for zero epochs, batch size or hidden width, an
    /// unsupervised algorithm, hidden widths together with an architecture, an invalid
    /// architecture (named `arch`) or an algorithm that supports dense layers only (named
    /// `network`); [`PlasticityError::UnknownName`] listing the supervised algorithms;
    /// [`PlasticityError::Optim`] for an unknown optimizer (listing the valid ones) or a bad
    /// learning rate; shape errors of data that does not fit together.
    pub fn new(config: &TrainConfig, data: &TrainData<'_>) -> Result<Self> {
        check_config(config)?;
        let info = registry::info(&config.algorithm).map_err(|_| {
            let valid: Vec<&str> = registry::algorithms()
                .iter()
                .filter(|a| a.supervised)
                .map(|a| a.name)
                .collect();
            PlasticityError::UnknownName {
                kind: "algorithm",
                name: config.algorithm.clone(),
                valid: valid.join(", "),
            }
        })?;
        if !info.supervised {
            return Err(PlasticityError::InvalidParameter {
                name: "algorithm",
                value: config.algorithm.clone(),
                reason: "is unsupervised and cannot classify".into(),
            });
        }
        let net = match &config.arch {
            None => {
                let mut widths = vec![data.x_train.ncols()];
                widths.extend(&config.hidden);
                widths.push(data.t_train.ncols());
                info.network(&widths, config.seeds.network)?
            }
            Some(arch) => {
                if !config.hidden.is_empty() {
                    return Err(PlasticityError::InvalidParameter {
                        name: "hidden",
                        value: format!("{:?}", config.hidden),
                        reason: "must be empty when an architecture is given".into(),
                    });
                }
                if arch.outputs() != data.t_train.ncols() {
                    return Err(PlasticityError::ShapeMismatch {
                        op: "architecture readout (dense:<classes>) vs target width",
                        expected: (data.t_train.ncols(), 1),
                        got: (arch.outputs(), 1),
                    });
                }
                Network::from_architecture(
                    arch,
                    info.hidden,
                    info.output,
                    info.loss,
                    config.seeds.network,
                )?
            }
        };
        check_data(&net, data)?;
        let algo = info.build(&net, config.seeds.algorithm)?;
        let opt = GradientOptimizerConfig::from_name(&config.optimizer)?
            .with_lr(config.learning_rate.unwrap_or(info.learning_rate))
            .build()?;
        Self::from_parts(config, net, algo, opt)
    }

    /// A run of a network, algorithm and optimizer built by the caller (e.g. a network with other
    /// activations than the registry's). Of `config`, only the epochs, batch size, shuffle seed,
    /// `cosine_every` and target are used; the rest is recorded in checkpoints as given.
    ///
    /// # Errors
    /// [`PlasticityError::InvalidParameter`] for zero epochs, batch size or hidden width, or a
    /// convolutional network with an algorithm that does not support one (named `network`).
    pub fn from_parts(
        config: &TrainConfig,
        net: Network,
        algo: Box<dyn CreditAssignment>,
        opt: AnyGradientOptimizer,
    ) -> Result<Self> {
        check_config(config)?;
        if !net.is_dense() && !algo.supports_conv() {
            net.require_dense(algo.name())?;
        }
        Ok(Self {
            config: config.clone(),
            net,
            algo,
            opt,
            epoch: 0,
            step: 0,
            history: Vec::new(),
            wall_s: 0.0,
        })
    }

    /// Resumes from a checkpoint: [`Trainer::new`] from the checkpoint's configuration (which
    /// rebuilds the algorithm from its seed), then [`Trainer::restore`].
    ///
    /// # Errors
    /// As [`Trainer::new`] and [`Trainer::restore`].
    pub fn resume(ck: &Checkpoint, data: &TrainData<'_>) -> Result<Self> {
        let mut t = Self::new(&ck.config, data)?;
        t.restore(ck)?;
        Ok(t)
    }

    /// Replaces the network, optimizer state, position and history with the checkpoint's.
    ///
    /// # Errors
    /// [`PlasticityError::InvalidParameter`] named `checkpoint` if its network's widths or layer
    /// kinds differ from this run's, or if the algorithm is not
    /// [`checkpointable`](CreditAssignment::checkpointable).
    pub fn restore(&mut self, ck: &Checkpoint) -> Result<()> {
        if !self.algo.checkpointable() {
            return Err(PlasticityError::InvalidParameter {
                name: "checkpoint",
                value: self.algo.name().to_string(),
                reason: "this algorithm learns state a checkpoint does not hold (feedback or \
                         inverse weights); a resumed run would differ, so rerun it from the start"
                    .into(),
            });
        }
        if ck.network.widths() != self.net.widths() || !ck.network.same_layer_kinds(&self.net) {
            return Err(PlasticityError::InvalidParameter {
                name: "checkpoint",
                value: format!("{:?}", ck.network.widths()),
                reason: format!(
                    "network widths do not fit the run ({:?})",
                    self.net.widths()
                ),
            });
        }
        self.net = ck.network.clone();
        self.opt = ck.optimizer.clone();
        self.epoch = ck.epoch;
        self.step = ck.step;
        self.history = ck.history.clone();
        self.wall_s = ck.history.iter().map(|h| h.wall_s).sum();
        Ok(())
    }

    /// Whether a [`Trainer::checkpoint`] of this run can be resumed exactly (see
    /// [`CreditAssignment::checkpointable`]).
    pub fn checkpointable(&self) -> bool {
        self.algo.checkpointable()
    }

    /// A checkpoint of the current state.
    pub fn checkpoint(&self) -> Checkpoint {
        Checkpoint {
            version: env!("CARGO_PKG_VERSION").to_string(),
            config: self.config.clone(),
            epoch: self.epoch,
            step: self.step,
            network: self.net.clone(),
            optimizer: self.opt.clone(),
            history: self.history.clone(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &TrainConfig {
        &self.config
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

    /// Whether all configured epochs are done.
    pub fn done(&self) -> bool {
        self.epoch >= self.config.epochs
    }

    /// Batches per epoch for `data`.
    pub fn batches_per_epoch(&self, data: &TrainData<'_>) -> usize {
        data.x_train.nrows().div_ceil(self.config.batch_size)
    }

    /// Runs one epoch, calling `on_batch` after every batch (e.g. to advance a progress bar).
    ///
    /// # Errors
    /// Data that does not fit the network; [`PlasticityError::Diverged`] on a non-finite loss,
    /// update or parameter; algorithm and optimizer errors.
    pub fn run_epoch(
        &mut self,
        data: &TrainData<'_>,
        on_batch: &mut dyn FnMut(),
    ) -> Result<EpochRecord> {
        check_data(&self.net, data)?;
        let start = Instant::now();
        let n = data.x_train.nrows();
        let batches = Batches::new(n, self.config.batch_size, self.config.seeds.shuffle, false)
            .map_err(|e| PlasticityError::InvalidParameter {
                name: "batch_size",
                value: self.config.batch_size.to_string(),
                reason: e.to_string(),
            })?
            .epoch(self.epoch as u64);
        let mut updates = Updates::zeros(&self.net);
        let mut bp = Backprop::new();
        let (mut xb, mut tb) = (Matrix::zeros(0, 0), Matrix::zeros(0, 0));
        let (mut loss_sum, mut relax_sum, mut cos_sum, mut cos_n) = (0.0, 0.0, 0.0, 0usize);
        // Per weight layer (parameters interleaved `[W_1, b_1, ...]`): (sum, count) of cosines.
        let mut layer_cos = vec![(0.0, 0usize); self.net.params().len().div_ceil(2)];
        let mut cos_attempts = 0usize;
        for (bi, idx) in batches.iter().enumerate() {
            super::linalg::ensure_shape(&mut xb, idx.len(), data.x_train.ncols());
            super::linalg::ensure_shape(&mut tb, idx.len(), data.t_train.ncols());
            for (r, &i) in idx.iter().enumerate() {
                xb.row_mut(r).copy_from(&data.x_train.row(i));
                tb.row_mut(r).copy_from(&data.t_train.row(i));
            }
            let at = (self.step + 1) as usize;
            self.algo.set_step(self.step);
            self.algo.updates_into(&self.net, &xb, &tb, &mut updates)?;
            let loss = updates.diagnostics.loss;
            if !loss.is_finite() {
                return Err(PlasticityError::Diverged {
                    what: format!("training loss of {}", self.config.algorithm),
                    step: at,
                    norm: loss,
                });
            }
            let un = norm(&updates.grads);
            if !un.is_finite() {
                return Err(PlasticityError::Diverged {
                    what: format!("update of {}", self.config.algorithm),
                    step: at,
                    norm: un,
                });
            }
            if self.config.cosine_every > 0 && bi % self.config.cosine_every == 0 {
                cos_attempts += 1;
                let g = bp.updates(&self.net, &xb, &tb)?;
                match geometry::cosine_params(&updates.grads, &g.grads) {
                    Ok(c) => {
                        cos_sum += c;
                        cos_n += 1;
                    }
                    // A zero update or gradient has no direction: nothing to measure.
                    Err(TensorError::ZeroNorm { .. }) => {}
                    Err(e) => return Err(e.into()),
                }
                for ((u, gl), acc) in updates
                    .grads
                    .chunks(2)
                    .zip(g.grads.chunks(2))
                    .zip(layer_cos.iter_mut())
                {
                    match geometry::cosine_params(u, gl) {
                        Ok(c) => {
                            acc.0 += c;
                            acc.1 += 1;
                        }
                        Err(TensorError::ZeroNorm { .. }) => {}
                        Err(e) => return Err(e.into()),
                    }
                }
            }
            let opt = &mut self.opt;
            self.net
                .update_params(|p| opt.step(p, &updates.grads).map_err(PlasticityError::from))?;
            self.step += 1;
            let pn = norm(self.net.params());
            if !pn.is_finite() {
                return Err(PlasticityError::Diverged {
                    what: format!("weights of {}", self.config.algorithm),
                    step: at,
                    norm: pn,
                });
            }
            loss_sum += loss;
            relax_sum += updates.diagnostics.relaxation_steps as Real;
            on_batch();
        }
        let acc = accuracy(self.algo.as_mut(), &self.net, data.x_test, data.labels_test)?;
        let nb = batches.len().max(1) as Real;
        let mean_cos = (cos_n > 0).then(|| cos_sum / cos_n as Real);
        self.epoch += 1;
        let rec = EpochRecord {
            epoch: self.epoch,
            train_loss: loss_sum / nb,
            test_accuracy: acc,
            mean_cosine_to_bp: mean_cos,
            angle_to_bp_deg: mean_cos.map(|c| c.clamp(-1.0, 1.0).acos().to_degrees()),
            cosine_to_bp_per_layer: if cos_attempts > 0 {
                layer_cos
                    .iter()
                    .map(|&(s, n)| (n > 0).then(|| s / n as Real))
                    .collect()
            } else {
                Vec::new()
            },
            relaxation_steps: relax_sum / nb,
            wall_s: start.elapsed().as_secs_f64(),
        };
        self.wall_s += rec.wall_s;
        self.history.push(rec.clone());
        Ok(rec)
    }

    /// Runs the remaining epochs, calling `on_batch` after every batch, and returns the outcome.
    ///
    /// # Errors
    /// As [`Trainer::run_epoch`].
    pub fn run(mut self, data: &TrainData<'_>, on_batch: &mut dyn FnMut()) -> Result<TrainOutcome> {
        while !self.done() {
            self.run_epoch(data, on_batch)?;
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
        let target = self.config.target_accuracy;
        let reached = target.and_then(|t| self.history.iter().position(|h| h.test_accuracy >= t));
        TrainOutcome {
            algorithm: self.config.algorithm.clone(),
            test_accuracy: self.history.last().map(|h| h.test_accuracy),
            epochs: self.epoch,
            wall_s: self.wall_s,
            mean_cosine_to_bp: (!cos.is_empty())
                .then(|| cos.iter().sum::<Real>() / cos.len() as Real),
            mean_cosine_to_bp_per_layer: mean_per_layer(
                self.history
                    .iter()
                    .map(|h| h.cosine_to_bp_per_layer.as_slice()),
            ),
            epochs_to_target: reached.map(|i| i + 1),
            wall_s_to_target: reached.map(|i| self.history[..=i].iter().map(|h| h.wall_s).sum()),
            relaxation_steps_per_batch: self.history.last().map_or(0.0, |h| h.relaxation_steps),
            history: self.history.clone(),
        }
    }
}

/// Element-wise mean of per-layer values over `rows` (rows may be shorter or empty): entry `l` is
/// the mean of the present `rows[i][l]`, `None` if no row has it.
pub fn mean_per_layer<'a>(
    rows: impl Iterator<Item = &'a [Option<Real>]> + Clone,
) -> Vec<Option<Real>> {
    let layers = rows.clone().map(<[_]>::len).max().unwrap_or(0);
    (0..layers)
        .map(|l| {
            let v: Vec<Real> = rows
                .clone()
                .filter_map(|r| r.get(l).copied().flatten())
                .collect();
            (!v.is_empty()).then(|| v.iter().sum::<Real>() / v.len() as Real)
        })
        .collect()
}

/// Trains a registry algorithm as configured from scratch: [`Trainer::new`] then
/// [`Trainer::run`] without a batch callback.
///
/// # Errors
/// As [`Trainer::new`] and [`Trainer::run_epoch`].
pub fn train_network(config: &TrainConfig, data: &TrainData<'_>) -> Result<TrainOutcome> {
    Trainer::new(config, data)?.run(data, &mut || {})
}

#[cfg(test)]
mod tests {
    use super::*;
    use neurograd_data::transform::{Standardizer, one_hot, stratified_split};

    struct Owned {
        x_train: Matrix,
        t_train: Matrix,
        x_test: Matrix,
        labels_test: Vec<usize>,
    }

    impl Owned {
        fn data(&self) -> TrainData<'_> {
            TrainData {
                x_train: &self.x_train,
                t_train: &self.t_train,
                x_test: &self.x_test,
                labels_test: &self.labels_test,
            }
        }
    }

    /// About 270 digits (a stratified 15 % of the bundled set), split 75/25 and standardised.
    fn digits() -> Owned {
        let ds = neurograd_data::bundled::digits().unwrap();
        let (_, small) = stratified_split(&ds, 0.15, 3).unwrap();
        let (train, test) = stratified_split(&small, 0.25, 3).unwrap();
        let (st, x_train) = Standardizer::fit_transform(&train.features).unwrap();
        Owned {
            x_test: st.transform(&test.features).unwrap(),
            t_train: one_hot(&train.labels, 10).unwrap(),
            x_train,
            labels_test: test.labels,
        }
    }

    fn config(algorithm: &str) -> TrainConfig {
        TrainConfig {
            algorithm: algorithm.into(),
            hidden: vec![8],
            epochs: 2,
            batch_size: 16,
            optimizer: "adam".into(),
            learning_rate: None,
            seeds: Seeds {
                network: 5,
                algorithm: 6,
                shuffle: 7,
            },
            cosine_every: 3,
            target_accuracy: Some(0.5),
            arch: None,
        }
    }

    /// Checkpoints resume bit-identically: 2 epochs straight equal 1 epoch, checkpoint, a fresh
    /// trainer resumed from it, 1 more epoch (network, history compared exactly), for a feedback
    /// algorithm (fixed random feedback from the algorithm seed) and for the evolution strategy
    /// (noise from the algorithm seed and the step), and for EP with a random sign of β per batch
    /// (the sign drawn from the algorithm seed and the step). Negative control: resuming with another
    /// algorithm seed changes the run.
    #[test]
    fn resume_is_bit_identical() {
        let d = digits();
        for algo in ["fa", "es", "ep-rs"] {
            let cfg = config(algo);
            let straight = train_network(&cfg, &d.data()).unwrap();
            let mut t = Trainer::new(&cfg, &d.data()).unwrap();
            t.run_epoch(&d.data(), &mut || {}).unwrap();
            let ck = t.checkpoint();
            let per_epoch = d.x_train.nrows().div_ceil(16) as u64;
            assert_eq!((ck.epoch, ck.step), (1, per_epoch), "{algo}");
            drop(t);
            let mut r = Trainer::resume(&ck, &d.data()).unwrap();
            r.run_epoch(&d.data(), &mut || {}).unwrap();
            let strip = |h: &[EpochRecord]| {
                h.iter()
                    .map(|e| (e.train_loss, e.test_accuracy, e.mean_cosine_to_bp))
                    .collect::<Vec<_>>()
            };
            assert_eq!(strip(r.history()), strip(&straight.history), "{algo}");
            let mut t2 = Trainer::new(&cfg, &d.data()).unwrap();
            t2.run_epoch(&d.data(), &mut || {}).unwrap();
            t2.run_epoch(&d.data(), &mut || {}).unwrap();
            assert_eq!(r.network(), t2.network(), "{algo}: parameters differ");
            let mut other = ck.clone();
            other.config.seeds.algorithm += 1;
            let mut o = Trainer::resume(&other, &d.data()).unwrap();
            o.run_epoch(&d.data(), &mut || {}).unwrap();
            assert_ne!(o.network(), t2.network(), "{algo}");
        }
    }

    /// The batch callback runs once per batch; the outcome's target epoch is the first epoch at
    /// or above the target.
    #[test]
    fn callback_and_outcome() {
        let d = digits();
        let mut n = 0;
        let t = Trainer::new(&config("bp"), &d.data()).unwrap();
        let per_epoch = d.x_train.nrows().div_ceil(16);
        assert!(per_epoch > 1);
        assert_eq!(t.batches_per_epoch(&d.data()), per_epoch);
        let out = t.run(&d.data(), &mut || n += 1).unwrap();
        assert_eq!(n, 2 * per_epoch);
        assert_eq!(out.epochs, 2);
        let first = out.history.iter().position(|h| h.test_accuracy >= 0.5);
        assert_eq!(out.epochs_to_target, first.map(|i| i + 1));
        // backprop's update is the gradient: cosine 1 to rounding.
        assert!((out.mean_cosine_to_bp.unwrap() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn bad_configurations_are_typed_errors() {
        let d = digits();
        let r = Trainer::new(&config("nope"), &d.data());
        match r {
            Err(PlasticityError::UnknownName { name, valid, .. }) => {
                assert_eq!(name, "nope");
                assert!(valid.contains("bp") && valid.contains("es"), "{valid}");
                assert!(!valid.contains("recirculation"), "{valid}");
            }
            other => panic!("{other:?}"),
        }
        let r = Trainer::new(&config("recirculation"), &d.data());
        assert!(
            matches!(
                r,
                Err(PlasticityError::InvalidParameter {
                    name: "algorithm",
                    ..
                })
            ),
            "{r:?}"
        );
        for (field, name) in [
            ("epochs", "epochs"),
            ("batch", "batch_size"),
            ("hidden", "hidden"),
        ] {
            let mut c = config("bp");
            match field {
                "epochs" => c.epochs = 0,
                "batch" => c.batch_size = 0,
                _ => c.hidden = vec![8, 0],
            }
            let r = Trainer::new(&c, &d.data());
            assert!(
                matches!(&r, Err(PlasticityError::InvalidParameter { name: n, .. }) if *n == name),
                "{r:?}"
            );
        }
        let mut c = config("bp");
        c.optimizer = "nope".into();
        let r = Trainer::new(&c, &d.data());
        assert!(matches!(r, Err(PlasticityError::Optim(_))), "{r:?}");
        let short = &d.labels_test[1..];
        let bad = TrainData {
            labels_test: short,
            ..d.data()
        };
        let r = Trainer::new(&config("bp"), &bad);
        assert!(
            matches!(r, Err(PlasticityError::ShapeMismatch { .. })),
            "{r:?}"
        );
        let mut t = Trainer::new(&config("bp"), &d.data()).unwrap();
        let mut ck = t.checkpoint();
        ck.network = Network::new(
            &[64, 9, 10],
            neurograd_tensor::Activation::Relu,
            neurograd_tensor::Activation::Identity,
            super::super::Loss::SoftmaxCrossEntropy,
            0,
        )
        .unwrap();
        let r = t.restore(&ck);
        assert!(
            matches!(
                r,
                Err(PlasticityError::InvalidParameter {
                    name: "checkpoint",
                    ..
                })
            ),
            "{r:?}"
        );
    }
}
