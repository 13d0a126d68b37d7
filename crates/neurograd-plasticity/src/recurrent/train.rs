//! The training loop of every recurrent network and algorithm: sequence batches -> network ->
//! [`RecurrentAlgorithm`] -> gradient optimizer -> per-iteration records, with early stopping on
//! the validation error (Bellec et al. 2020's protocol) and the cosine of each update to a
//! reference gradient (BPTT's) on the same batch.
//!
//! [`train_recurrent`] runs, for iteration `i = 0, 1, ..., max_iterations - 1` (as the e-prop
//! code's `tutorial_evidence_accumulation_with_alif.py`):
//!
//! 1. if `i % validate_every == 0`: the error (`1 - accuracy`; the loss for regression) on one
//!    validation batch is recorded; if `i > 0`, the task is a classification, and that error is
//!    below [`RecurrentTrainConfig::stop_error`], the mean error over
//!    [`RecurrentTrainConfig::stop_batches`] further validation batches decides: below the
//!    criterion, training stops (EP: 8 fresh batches, error < 0.07);
//! 2. the training batch `i` ([`SequenceSource::train_batch`]) goes to the algorithm, positioned
//!    at step `i` ([`RecurrentAlgorithm::set_step`]); its gradient `g` (sign of the loss gradient)
//!    must be finite, else [`PlasticityError::Diverged`];
//! 3. every [`RecurrentTrainConfig::cosine_every`]-th iteration the reference algorithm's gradient
//!    `g*` on the same batch and network gives `cos(g, g*) = g . g* / (|g| |g*|)`;
//! 4. the optimizer (`neurograd-optim`, Adam by default) steps: `theta <- opt(theta, g)`, through
//!    [`RecurrentNet::update_params`] (transactional); with an L2 penalty
//!    ([`RecurrentTrainConfig::weight_decay`] `lambda > 0`) on `g + lambda theta`.
//!
//! With [`RecurrentTrainConfig::restore_best`] (early stopping by keeping the best-validation
//! parameters, Prechelt 1998; Goodfellow et al. 2016, §7.8) step 1 measures the error on the
//! whole validation set instead of one batch, a last check follows the last iteration, and the
//! parameters of the check of lowest error are restored at the end.
//!
//! Every random choice is a pure function of the configured seed and the iteration (batches from
//! [`FreshTrials`] use `seed::mix(seed, role, index)`; [`FixedSplit`] shuffles with the data
//! crate's `Batches`), and every reduction runs in a fixed order, so a run is bit-identical for a
//! seed.

use std::time::Instant;

use neurograd_data::DataError;
use neurograd_data::generators::sequence::{SequenceSet, SequenceTarget as DataTarget};
use neurograd_data::transform::Batches;
use neurograd_optim::{GradientOptimizer, GradientOptimizerConfig};
use neurograd_tensor::{Matrix, Real, seed};
use serde::{Deserialize, Serialize};

use super::{
    ClassLoss, RecurrentAlgorithm, RecurrentGrads, RecurrentNet, SequenceBatch, SequenceTarget,
    invalid,
};
use crate::{PlasticityError, Result};

/// Maps a data-crate error (a generator or a batch view) into this crate's error.
fn data_error(e: DataError) -> PlasticityError {
    PlasticityError::InvalidParameter {
        name: "sequence data",
        value: String::new(),
        reason: e.to_string(),
    }
}

/// The batch `idx` of a data-crate [`SequenceSet`] as a [`SequenceBatch`]: inputs time-major
/// ([`SequenceSet::time_major`]), classification windows as ranges with the loss `class_loss`,
/// regression targets time-major with unit step weights (`L = (1/B) sum_b sum_t 1/2 |y - y*|^2`).
///
/// # Errors
/// A bad index list (mapped from the data crate); the batch checks of [`SequenceBatch::new`].
pub fn batch_from_set(
    set: &SequenceSet,
    idx: &[usize],
    class_loss: ClassLoss,
) -> Result<SequenceBatch> {
    let inputs = set.time_major(idx).map_err(data_error)?;
    let target = match &set.target {
        DataTarget::Classification { labels, window, .. } => SequenceTarget::Classification {
            labels: idx.iter().map(|&i| labels[i]).collect(),
            window: window.0..window.1,
            loss: class_loss,
        },
        DataTarget::Regression { .. } => SequenceTarget::regression(
            set.targets_time_major(idx)
                .map_err(data_error)?
                .unwrap_or_default(),
        ),
    };
    SequenceBatch::new(inputs, target)
}

/// Where training and validation batches come from.
pub trait SequenceSource {
    /// Training batch number `iteration` of `batch_size` trials.
    ///
    /// # Errors
    /// Generator or batch errors.
    fn train_batch(&mut self, iteration: u64, batch_size: usize) -> Result<SequenceBatch>;

    /// Validation batch number `k` of `batch_size` trials (never a training batch).
    ///
    /// # Errors
    /// Generator or batch errors.
    fn validation_batch(&mut self, k: u64, batch_size: usize) -> Result<SequenceBatch>;

    /// The whole validation set as one batch, if the source has a fixed one (`None`, the
    /// default: fresh trials; [`train_recurrent`] then uses [`Self::validation_batch`]).
    ///
    /// # Errors
    /// Batch errors.
    fn validation_all(&mut self) -> Option<Result<SequenceBatch>> {
        None
    }
}

/// Fresh trials for every batch from a seeded generator `(n_trials, seed) -> SequenceSet` (the
/// evidence-accumulation protocol: every batch, training or validation, is new). Training batch
/// `i` uses `seed::mix(seed, 1, i)`, validation batch `k` uses `seed::mix(seed, 2, k)`.
pub struct FreshTrials<F> {
    generate: F,
    seed: u64,
    class_loss: ClassLoss,
}

impl<F: FnMut(usize, u64) -> std::result::Result<SequenceSet, DataError>> FreshTrials<F> {
    /// A source drawing from `generate` with the master `seed`; classification batches use
    /// `class_loss`.
    pub fn new(generate: F, seed: u64, class_loss: ClassLoss) -> Self {
        FreshTrials {
            generate,
            seed,
            class_loss,
        }
    }

    fn draw(&mut self, role: u64, index: u64, n: usize) -> Result<SequenceBatch> {
        let set = (self.generate)(n, seed::mix(self.seed, role, index)).map_err(data_error)?;
        let idx: Vec<usize> = (0..set.len()).collect();
        batch_from_set(&set, &idx, self.class_loss)
    }
}

impl<F: FnMut(usize, u64) -> std::result::Result<SequenceSet, DataError>> SequenceSource
    for FreshTrials<F>
{
    fn train_batch(&mut self, iteration: u64, batch_size: usize) -> Result<SequenceBatch> {
        self.draw(1, iteration, batch_size)
    }

    fn validation_batch(&mut self, k: u64, batch_size: usize) -> Result<SequenceBatch> {
        self.draw(2, k, batch_size)
    }
}

/// A fixed training set cut into shuffled mini-batches (epoch `e`'s order from the data crate's
/// `Batches` with `seed`; the last, smaller batch kept) and a fixed validation set read in order,
/// cyclically, in batches. For finite datasets (Randman, encoded digits) and for one frozen
/// trial repeated (pattern generation: a set of one trial, batch size 1).
#[derive(Debug, Clone)]
pub struct FixedSplit {
    train: SequenceSet,
    validation: SequenceSet,
    seed: u64,
    class_loss: ClassLoss,
}

impl FixedSplit {
    /// A source over `train` and `validation`.
    pub fn new(
        train: SequenceSet,
        validation: SequenceSet,
        seed: u64,
        class_loss: ClassLoss,
    ) -> Self {
        FixedSplit {
            train,
            validation,
            seed,
            class_loss,
        }
    }

    /// The training set.
    pub fn train_set(&self) -> &SequenceSet {
        &self.train
    }

    /// The validation set.
    pub fn validation_set(&self) -> &SequenceSet {
        &self.validation
    }
}

impl SequenceSource for FixedSplit {
    fn train_batch(&mut self, iteration: u64, batch_size: usize) -> Result<SequenceBatch> {
        let n = self.train.len();
        let bs = batch_size.min(n);
        let batches = Batches::new(n, bs, self.seed, false).map_err(data_error)?;
        let per_epoch = batches.n_batches() as u64;
        let epoch = batches.epoch(iteration / per_epoch);
        let idx = &epoch[(iteration % per_epoch) as usize];
        batch_from_set(&self.train, idx, self.class_loss)
    }

    fn validation_batch(&mut self, k: u64, batch_size: usize) -> Result<SequenceBatch> {
        let n = self.validation.len();
        let bs = batch_size.min(n);
        let start = (k as usize).wrapping_mul(bs) % n;
        let idx: Vec<usize> = (0..bs).map(|j| (start + j) % n).collect();
        batch_from_set(&self.validation, &idx, self.class_loss)
    }

    fn validation_all(&mut self) -> Option<Result<SequenceBatch>> {
        let idx: Vec<usize> = (0..self.validation.len()).collect();
        Some(batch_from_set(&self.validation, &idx, self.class_loss))
    }
}

/// Hyperparameters of [`train_recurrent`]; the defaults are EP/evacc's (Adam 5e-3, batch 64, at
/// most 2000 iterations, validation every 10 iterations, stop below 0.07 over 8 batches).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecurrentTrainConfig {
    /// Iteration budget.
    pub max_iterations: usize,
    /// Trials per training and validation batch.
    pub batch_size: usize,
    /// Optimizer name of `neurograd-optim` (`"adam"`, `"sgd"`, ...).
    pub optimizer: String,
    /// Learning rate.
    pub learning_rate: Real,
    /// Validate every this many iterations (`>= 1`).
    pub validate_every: usize,
    /// Early-stopping criterion on the validation error (classification only); `None`: never stop.
    pub stop_error: Option<Real>,
    /// Validation batches whose mean error decides early stopping (`>= 1`).
    pub stop_batches: usize,
    /// Cosine to the reference gradient every this many iterations; 0: never.
    pub cosine_every: usize,
    /// L2 penalty `(lambda / 2) |theta|^2` on every parameter (weights and biases, as PyTorch's
    /// `weight_decay`): `lambda theta` is added to each gradient before the optimizer step
    /// (coupled with Adam's scaling, as `torch.optim.Adam(weight_decay=lambda)`); finite, `>= 0`.
    #[serde(default)]
    pub weight_decay: Real,
    /// Early stopping by restoring the best parameters: at every validation check the error is
    /// measured on the whole validation set ([`SequenceSource::validation_all`]; one validation
    /// batch if the source has none), and the run ends with the parameters of the check of
    /// lowest error (the first on ties), plus one check after the last iteration.
    #[serde(default)]
    pub restore_best: bool,
}

impl Default for RecurrentTrainConfig {
    fn default() -> Self {
        RecurrentTrainConfig {
            max_iterations: 2000,
            batch_size: 64,
            optimizer: "adam".into(),
            learning_rate: 5e-3,
            validate_every: 10,
            stop_error: Some(0.07),
            stop_batches: 8,
            cosine_every: 10,
            weight_decay: 0.0,
            restore_best: false,
        }
    }
}

impl RecurrentTrainConfig {
    fn check(&self) -> Result<()> {
        for (name, v) in [
            ("max_iterations", self.max_iterations),
            ("batch_size", self.batch_size),
            ("validate_every", self.validate_every),
            ("stop_batches", self.stop_batches),
        ] {
            if v == 0 {
                return Err(invalid(name, 0, "must be at least 1"));
            }
        }
        if let Some(e) = self.stop_error
            && !(e.is_finite() && e > 0.0)
        {
            return Err(invalid("stop_error", e, "must be finite and > 0"));
        }
        if !(self.weight_decay.is_finite() && self.weight_decay >= 0.0) {
            return Err(invalid(
                "weight_decay",
                self.weight_decay,
                "must be finite and >= 0",
            ));
        }
        Ok(())
    }
}

/// One iteration's record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IterationRecord {
    /// Iteration (0-based).
    pub iteration: usize,
    /// Training loss on this iteration's batch before the update (the algorithm's report).
    pub loss: Real,
    /// Validation error (`1 - accuracy`; the loss for regression) if validated this iteration.
    pub validation_error: Option<Real>,
    /// Cosine of the update to the reference gradient, if measured this iteration.
    pub cosine_to_reference: Option<Real>,
    /// The algorithm's peak credit-assignment state this iteration (bytes).
    pub gradient_state_bytes: usize,
}

/// The result of [`train_recurrent`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecurrentOutcome {
    /// Per-iteration records.
    pub records: Vec<IterationRecord>,
    /// Training iterations performed (updates applied).
    pub iterations: usize,
    /// `true` if the early-stopping criterion was met.
    pub stopped_early: bool,
    /// Mean error over the early-stopping batches when it stopped, else the last validation error
    /// (with [`RecurrentTrainConfig::restore_best`]: the restored parameters' error).
    pub final_validation_error: Option<Real>,
    /// With [`RecurrentTrainConfig::restore_best`]: the number of updates the restored parameters
    /// had received (`iterations` if the final parameters were the best); else `None`.
    #[serde(default)]
    pub best_iteration: Option<usize>,
    /// Training loss of the last iteration.
    pub final_loss: Real,
    /// Mean of the measured cosines to the reference (`None` if none was measured).
    pub mean_cosine_to_reference: Option<Real>,
    /// Largest gradient state over the run (bytes).
    pub peak_gradient_state_bytes: usize,
    /// Wall-clock seconds of the run.
    pub wall_s: Real,
}

/// Loss and accuracy (`None` for regression) of `net` on `batch`.
///
/// # Errors
/// A forward pass or loss error.
pub fn evaluate<N: RecurrentNet + ?Sized>(
    net: &N,
    batch: &SequenceBatch,
) -> Result<(Real, Option<Real>)> {
    batch.check_for(net.sizes())?;
    let r = net.rollout(batch.inputs())?;
    Ok((batch.loss(&r.readouts)?, batch.accuracy(&r.readouts)?))
}

/// The error of an evaluation: `1 - accuracy`, or the loss for regression.
fn error_of((loss, acc): (Real, Option<Real>)) -> Real {
    acc.map_or(loss, |a| 1.0 - a)
}

/// Accuracy (classification; `None` for regression) and mean loss of `net` over a whole set, in
/// batches of `batch_size` trials in order (weighted by batch size).
///
/// # Errors
/// As [`evaluate`]; [`PlasticityError::InvalidParameter`] for `batch_size == 0`.
pub fn evaluate_set<N: RecurrentNet + ?Sized>(
    net: &N,
    set: &SequenceSet,
    batch_size: usize,
    class_loss: ClassLoss,
) -> Result<(Real, Option<Real>)> {
    if batch_size == 0 {
        return Err(invalid("batch_size", 0, "must be at least 1"));
    }
    let (mut loss, mut right, mut seen) = (0.0, 0.0, 0usize);
    let mut classification = false;
    for start in (0..set.len()).step_by(batch_size) {
        let idx: Vec<usize> = (start..(start + batch_size).min(set.len())).collect();
        let b = batch_from_set(set, &idx, class_loss)?;
        let (l, a) = evaluate(net, &b)?;
        loss += l * idx.len() as Real;
        if let Some(a) = a {
            classification = true;
            right += a * idx.len() as Real;
        }
        seen += idx.len();
    }
    let n = seen as Real;
    Ok((loss / n, classification.then_some(right / n)))
}

/// Trains `net` with `algorithm` on batches of `source` (see the module docs for the loop), with
/// `reference` (BPTT's exact or surrogate gradient) for the cosine every `cosine_every` iterations.
/// `on_iteration` sees each record as it is made (progress).
///
/// # Errors
/// [`PlasticityError::InvalidParameter`] for a zero count or a bad `stop_error`;
/// [`PlasticityError::Optim`] for an unknown optimizer or a bad learning rate; batch, forward and
/// algorithm errors; [`PlasticityError::Diverged`] (step 1-based, norm = the first non-finite
/// value) for a non-finite gradient.
pub fn train_recurrent<N: RecurrentNet + ?Sized>(
    net: &mut N,
    algorithm: &mut dyn RecurrentAlgorithm<N>,
    mut reference: Option<&mut dyn RecurrentAlgorithm<N>>,
    source: &mut dyn SequenceSource,
    cfg: &RecurrentTrainConfig,
    on_iteration: &mut dyn FnMut(&IterationRecord),
) -> Result<RecurrentOutcome> {
    cfg.check()?;
    let mut opt = GradientOptimizerConfig::from_name(&cfg.optimizer)?
        .with_lr(cfg.learning_rate)
        .build()?;
    let start = Instant::now();
    let mut records = Vec::new();
    let (mut val_k, mut peak, mut stopped_early) = (0u64, 0usize, false);
    let mut last_val = None;
    let mut cosines = Vec::new();
    let mut best = Best::default();
    for i in 0..cfg.max_iterations {
        let mut validation_error = None;
        if i % cfg.validate_every == 0 {
            let ev = if cfg.restore_best {
                let ev = validate_all(&*net, source, &mut val_k, cfg.batch_size)?;
                best.offer(error_of(ev), i, &*net);
                ev
            } else {
                let b = source.validation_batch(val_k, cfg.batch_size)?;
                val_k += 1;
                evaluate(&*net, &b)?
            };
            let err = error_of(ev);
            validation_error = Some(err);
            last_val = Some(err);
            if let (Some(stop), Some(_)) = (cfg.stop_error, ev.1)
                && i > 0
                && err < stop
            {
                let mut sum = 0.0;
                for _ in 0..cfg.stop_batches {
                    let b = source.validation_batch(val_k, cfg.batch_size)?;
                    val_k += 1;
                    sum += error_of(evaluate(&*net, &b)?);
                }
                let mean = sum / cfg.stop_batches as Real;
                if mean < stop {
                    last_val = Some(mean);
                    stopped_early = true;
                    break;
                }
            }
        }
        let batch = source.train_batch(i as u64, cfg.batch_size)?;
        algorithm.set_step(i as u64);
        let (grads, report) = algorithm.gradient(&*net, &batch)?;
        check_grads(&grads, i)?;
        peak = peak.max(report.peak_gradient_state_bytes);
        let mut cosine_to_reference = None;
        if let Some(r) = reference.as_deref_mut()
            && cfg.cosine_every > 0
            && i % cfg.cosine_every == 0
        {
            r.set_step(i as u64);
            let (g_ref, _) = r.gradient(&*net, &batch)?;
            let c = grads.cosine(&g_ref)?;
            cosines.push(c);
            cosine_to_reference = Some(c);
        }
        net.update_params(&mut |p: &mut [Matrix]| {
            if cfg.weight_decay > 0.0 {
                let mut g = grads.grads.clone();
                for (gi, pi) in g.iter_mut().zip(p.iter()) {
                    *gi += pi * cfg.weight_decay;
                }
                opt.step(p, &g).map_err(PlasticityError::from)
            } else {
                opt.step(p, &grads.grads).map_err(PlasticityError::from)
            }
        })?;
        let rec = IterationRecord {
            iteration: i,
            loss: report.loss,
            validation_error,
            cosine_to_reference,
            gradient_state_bytes: report.peak_gradient_state_bytes,
        };
        on_iteration(&rec);
        records.push(rec);
    }
    let iterations = records.len();
    let mut best_iteration = None;
    if cfg.restore_best {
        if !stopped_early {
            let ev = validate_all(&*net, source, &mut val_k, cfg.batch_size)?;
            best.offer(error_of(ev), iterations, &*net);
        }
        if let Some((err, it, params)) = best.0.take() {
            if it != iterations {
                net.update_params(&mut |p: &mut [Matrix]| {
                    p.clone_from_slice(&params);
                    Ok(())
                })?;
            }
            last_val = Some(err);
            best_iteration = Some(it);
        }
    }
    let final_loss = records.last().map_or(Real::NAN, |r| r.loss);
    let mean_cosine_to_reference =
        (!cosines.is_empty()).then(|| cosines.iter().sum::<Real>() / cosines.len() as Real);
    Ok(RecurrentOutcome {
        records,
        iterations,
        stopped_early,
        final_validation_error: last_val,
        best_iteration,
        final_loss,
        mean_cosine_to_reference,
        peak_gradient_state_bytes: peak,
        wall_s: start.elapsed().as_secs_f64(),
    })
}

/// The lowest validation error so far, the updates its parameters had received, and a copy of
/// them ([`RecurrentTrainConfig::restore_best`]).
#[derive(Default)]
struct Best(Option<(Real, usize, Vec<Matrix>)>);

impl Best {
    /// Keeps `net`'s parameters if `err` is lower than the best so far (the first on ties).
    fn offer<N: RecurrentNet + ?Sized>(&mut self, err: Real, updates: usize, net: &N) {
        if self.0.as_ref().is_none_or(|(e, _, _)| err < *e) {
            self.0 = Some((err, updates, net.params().to_vec()));
        }
    }
}

/// Loss and accuracy of `net` on the whole validation set of `source`, or on its next
/// validation batch if it has no fixed set.
fn validate_all<N: RecurrentNet + ?Sized>(
    net: &N,
    source: &mut dyn SequenceSource,
    val_k: &mut u64,
    batch_size: usize,
) -> Result<(Real, Option<Real>)> {
    let b = match source.validation_all() {
        Some(b) => b?,
        None => {
            *val_k += 1;
            source.validation_batch(*val_k - 1, batch_size)?
        }
    };
    evaluate(net, &b)
}

/// [`PlasticityError::Diverged`] at 1-based step `i + 1` for the first non-finite gradient entry.
fn check_grads(g: &RecurrentGrads, i: usize) -> Result<()> {
    if let Some(v) = g
        .grads
        .iter()
        .flat_map(|m| m.iter())
        .find(|v| !v.is_finite())
    {
        return Err(PlasticityError::Diverged {
            what: "the recurrent network's gradient".into(),
            step: i + 1,
            norm: *v,
        });
    }
    Ok(())
}
