//! `compare --task` and `align --task`: recurrent and spiking networks trained on sequence tasks
//! with BPTT, e-prop and the other recurrent algorithms, through the plasticity crate's one
//! recurrent loop ([`train_recurrent`]); and the alignment of each algorithm's gradient with
//! BPTT's on the untrained network.
//!
//! Tasks ([`TASKS`]; each has a full setting and a scaled-down `small` one for quick runs and CI):
//!
//! | task | data (data crate) | network | training (full) |
//! |---|---|---|---|
//! | `evidence` | [`evidence_accumulation`] (Bellec et al. 2020, Fig. 3), fresh trials every batch | 50 LIF + 50 ALIF (`--lif-only`: 100 LIF, the control) | Adam 5e-3, <= 2000 iterations, stop when 8 validation batches average < 0.07 error; per-step cross-entropy on the recall window (EP) |
//! | `patterns` | [`pattern_generation`] (sum of 4 sines, frozen Poisson input), one trial | 100 LIF (`zeta = 1 - alpha`) | Adam 1e-3, 1000 iterations, loss `1/2 sum_t (y - y*)^2` |
//! | `randman` | [`randman`] (Zenke & Vogels 2021), 7000 / 1000 / 2000 split | 100 recurrent LIF, fast sigmoid | Adam 2e-3, 1000 iterations (small: 3 classes of 100 samples, 10 inputs, 50 steps, 20 units, 400 iterations) |
//! | `spiking-digits` | bundled digits, min-max scaled, [`latency_encode`] (linear, 20 steps), stratified 75 / 25 split | 100 recurrent LIF | Adam 2e-3, 1000 iterations; input spike-time jitter of +-2 steps on the training batches (selected on the validation split; small: none) |
//!
//! Every run's streams come from the master seed via [`crate::train::sub_seed`] (network,
//! algorithm feedback, data), so two algorithms of one comparison see the same initial network and
//! the same batches.

use serde::{Deserialize, Serialize};

use crate::data::generators::sequence::{
    EvidenceConfig, PatternConfig, RandmanConfig, SequenceSet, evidence_accumulation,
    pattern_generation, randman,
};
use crate::data::transform::encode::{LatencyCode, LatencyMapping, latency_encode};
use crate::data::transform::{MinMaxScaler, stratified_split};
use crate::neurons::alif::{AlifParams, InputScaling};
use crate::plasticity::recurrent::spiking::{
    Eprop, EpropConfig, PseudoDerivative, RateRegularization, Reset, SpikingNet, SpikingNetConfig,
    SurrogateBptt, TapeSurrogateBptt,
};
use crate::plasticity::recurrent::train::{
    FixedSplit, FreshTrials, IterationRecord, RecurrentTrainConfig, SequenceSource, evaluate,
    evaluate_set, train_recurrent,
};
use crate::plasticity::recurrent::{
    self, ClassLoss, Param, RateRnn, RateRnnConfig, RecurrentAlgorithm, RecurrentNet, Registered,
};
use crate::tensor::surrogate::Surrogate;
use crate::tensor::{Matrix, Real};
use crate::train::{Stream, sub_seed};
use crate::{Error, Progress, Result, VERSION};

/// The task names of `--task`.
pub const TASKS: &[&str] = &["evidence", "patterns", "randman", "spiking-digits"];

/// The network families of `--network`.
pub const NETWORKS: &[&str] = &["spiking", "rate"];

/// What a task is: its data and its training protocol.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskSpec {
    /// One of [`TASKS`].
    pub task: String,
    /// The scaled-down setting (short trials, few units; for quick runs and CI).
    pub small: bool,
    /// Network family, one of [`NETWORKS`].
    pub network: String,
    /// Evidence accumulation only: every neuron LIF (`beta = 0`), the control that should fail.
    pub lif_only: bool,
    /// Recurrent units (`None`: the task's default).
    pub units: Option<usize>,
}

impl Default for TaskSpec {
    fn default() -> Self {
        TaskSpec {
            task: "evidence".into(),
            small: false,
            network: "spiking".into(),
            lif_only: false,
            units: None,
        }
    }
}

/// The task's data, built once per seed.
enum TaskData {
    /// Fresh evidence-accumulation trials every batch.
    Evidence(EvidenceConfig),
    /// A fixed split: training, validation, test (`None`: regression, no test accuracy).
    Fixed {
        train: SequenceSet,
        validation: SequenceSet,
        test: Option<SequenceSet>,
    },
}

/// A built task: data, sizes and training defaults.
pub struct Task {
    spec: TaskSpec,
    data: TaskData,
    /// Inputs per step.
    pub n_in: usize,
    /// Readout units.
    pub n_out: usize,
    /// Recurrent units.
    pub units: usize,
    /// Steps per trial.
    pub n_steps: usize,
    /// Time step (ms).
    pub dt_ms: Real,
    /// The training defaults of the task (iterations, learning rate, early stopping).
    pub defaults: RecurrentTrainConfig,
    /// The task's default input spike-time jitter of the training batches (`J` of
    /// [`RecurrentCompareParams::input_jitter`]; 0: none).
    pub input_jitter: usize,
    class_loss: ClassLoss,
    data_seed: u64,
}

impl std::fmt::Debug for Task {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Task")
            .field("spec", &self.spec)
            .field("n_in", &self.n_in)
            .field("n_out", &self.n_out)
            .field("units", &self.units)
            .field("n_steps", &self.n_steps)
            .finish_non_exhaustive()
    }
}

/// `n` trials of `set` from index `start` on.
fn range(set: &SequenceSet, start: usize, n: usize) -> Result<SequenceSet> {
    Ok(set.select(&(start..start + n).collect::<Vec<_>>())?)
}

impl Task {
    /// Builds the task's data for the run seeded `seed` (see the module table).
    ///
    /// # Errors
    /// [`Error::UnknownName`] for an unknown task or network; [`Error::InvalidParameter`] for
    /// `lif_only` on another task than `evidence`, or zero units; data errors.
    pub fn build(spec: &TaskSpec, seed: u64) -> Result<Task> {
        if !NETWORKS.contains(&spec.network.as_str()) {
            return Err(Error::unknown("network", &spec.network, NETWORKS));
        }
        if spec.lif_only && spec.task != "evidence" {
            return Err(Error::invalid(
                "lif_only",
                true,
                "only the evidence task has ALIF neurons to remove",
            ));
        }
        if spec.units == Some(0) {
            return Err(Error::invalid("units", 0, "must be at least 1"));
        }
        let data_seed = sub_seed(seed, Stream::Shuffle);
        let small = spec.small;
        let base = RecurrentTrainConfig::default();
        let (data, n_in, n_out, n_steps, dt_ms, units, defaults, class_loss) =
            match spec.task.as_str() {
                "evidence" => {
                    let cfg = if small {
                        EvidenceConfig::small()
                    } else {
                        EvidenceConfig::default()
                    };
                    let (n_in, t) = (cfg.n_inputs(), cfg.n_steps()?);
                    let dt = cfg.dt_ms;
                    let d = RecurrentTrainConfig {
                        max_iterations: if small { 200 } else { 2000 },
                        ..base
                    };
                    let units = if small { 20 } else { 100 };
                    (
                        TaskData::Evidence(cfg),
                        n_in,
                        2,
                        t,
                        dt,
                        units,
                        d,
                        ClassLoss::PerStep,
                    )
                }
                "patterns" => {
                    let cfg = if small {
                        PatternConfig {
                            n_inputs: 20,
                            n_steps: 200,
                            periods_ms: vec![200.0, 100.0, 66.6, 40.0],
                            ..PatternConfig::default()
                        }
                    } else {
                        PatternConfig::default()
                    };
                    let set = pattern_generation(&cfg, data_seed)?;
                    let d = RecurrentTrainConfig {
                        max_iterations: if small { 300 } else { 1000 },
                        batch_size: 1,
                        learning_rate: 1e-3,
                        stop_error: None,
                        ..base
                    };
                    let units = if small { 20 } else { 100 };
                    let data = TaskData::Fixed {
                        train: set.clone(),
                        validation: set,
                        test: None,
                    };
                    (
                        data,
                        cfg.n_inputs,
                        1,
                        cfg.n_steps,
                        cfg.dt_ms,
                        units,
                        d,
                        ClassLoss::MeanLogits,
                    )
                }
                "randman" => {
                    let cfg = if small {
                        RandmanConfig {
                            n_classes: 3,
                            n_units: 10,
                            n_steps: 50,
                            samples_per_class: 100,
                            ..RandmanConfig::default()
                        }
                    } else {
                        RandmanConfig::default()
                    };
                    let set = randman(&cfg, data_seed)?;
                    let n = set.len();
                    let (n_val, n_test) = (n / 10, n / 5);
                    let n_train = n - n_val - n_test;
                    let data = TaskData::Fixed {
                        train: range(&set, 0, n_train)?,
                        validation: range(&set, n_train, n_val)?,
                        test: Some(range(&set, n_train + n_val, n_test)?),
                    };
                    let d = RecurrentTrainConfig {
                        max_iterations: if small { 400 } else { 1000 },
                        learning_rate: 2e-3,
                        stop_error: None,
                        ..base
                    };
                    let units = if small { 20 } else { 100 };
                    (
                        data,
                        cfg.n_units,
                        cfg.n_classes,
                        cfg.n_steps,
                        cfg.dt_ms,
                        units,
                        d,
                        ClassLoss::MeanLogits,
                    )
                }
                "spiking-digits" => {
                    let mut ds = crate::data::bundled::digits()?;
                    ds.features = MinMaxScaler::fit(&ds.features)?.transform(&ds.features)?;
                    let (train, test) = stratified_split(&ds, 0.25, data_seed)?;
                    let (train, val) = stratified_split(&train, 0.1, data_seed ^ 1)?;
                    let code = LatencyCode {
                        n_steps: 20,
                        threshold: 0.05,
                        mapping: LatencyMapping::Linear,
                        dt_ms: 1.0,
                    };
                    let data = TaskData::Fixed {
                        train: latency_encode(&train, &code)?,
                        validation: latency_encode(&val, &code)?,
                        test: Some(latency_encode(&test, &code)?),
                    };
                    let d = RecurrentTrainConfig {
                        max_iterations: if small { 150 } else { 1000 },
                        learning_rate: 2e-3,
                        stop_error: None,
                        ..base
                    };
                    let units = if small { 30 } else { 100 };
                    (
                        data,
                        64,
                        10,
                        code.n_steps,
                        code.dt_ms,
                        units,
                        d,
                        ClassLoss::MeanLogits,
                    )
                }
                other => return Err(Error::unknown("task", other, TASKS)),
            };
        Ok(Task {
            spec: spec.clone(),
            data,
            n_in,
            n_out,
            units: spec.units.unwrap_or(units),
            n_steps,
            dt_ms,
            defaults,
            // Selected on the validation split (docs/recurrent-tasks.md): J = 2 for the full
            // spiking-digits task, every algorithm alike; the small setting keeps none.
            input_jitter: if spec.task == "spiking-digits" && !small {
                2
            } else {
                0
            },
            class_loss,
            data_seed,
        })
    }

    /// The task's specification.
    pub fn spec(&self) -> &TaskSpec {
        &self.spec
    }

    /// The training source of a run with seed `run_seed`: [`Task::source`] with the input
    /// spike-time jitter `jitter` (default: the task's [`Task::input_jitter`]) applied to the
    /// training batches. `neurograd compare --task` and the Python `spiking.train` both train on
    /// it, so the two give the same batches for the same seed.
    pub fn training_source(
        &self,
        run_seed: u64,
        jitter: Option<usize>,
    ) -> Box<dyn SequenceSource + '_> {
        match jitter.unwrap_or(self.input_jitter) {
            j if j > 0 => Box::new(Jittered {
                inner: self.source(),
                jitter: j,
                seed: sub_seed(run_seed, Stream::Shuffle) ^ JITTER_TAG,
            }),
            _ => self.source(),
        }
    }

    /// A batch source (the same batches for every call: a pure function of the run's seed).
    pub fn source(&self) -> Box<dyn SequenceSource + '_> {
        match &self.data {
            TaskData::Evidence(cfg) => Box::new(FreshTrials::new(
                move |n, s| evidence_accumulation(cfg, n, s),
                self.data_seed,
                self.class_loss,
            )),
            TaskData::Fixed {
                train, validation, ..
            } => Box::new(FixedSplit::new(
                train.clone(),
                validation.clone(),
                self.data_seed,
                self.class_loss,
            )),
        }
    }

    /// Test loss and accuracy of `net` (classification: held-out trials, 4 fresh batches of
    /// `batch_size` for evidence as EP; regression: the loss on the one trial, accuracy `None`).
    ///
    /// # Errors
    /// Forward or data errors.
    pub fn test<N: RecurrentNet + ?Sized>(
        &self,
        net: &N,
        batch_size: usize,
    ) -> Result<(Real, Option<Real>)> {
        match &self.data {
            TaskData::Evidence(_) => {
                let mut src = self.source();
                let (mut loss, mut acc) = (0.0, 0.0);
                for k in 0..4u64 {
                    let b = src.validation_batch(1_000_000 + k, batch_size)?;
                    let (l, a) = evaluate(net, &b)?;
                    loss += l / 4.0;
                    acc += a.unwrap_or(0.0) / 4.0;
                }
                Ok((loss, Some(acc)))
            }
            TaskData::Fixed {
                test: Some(test), ..
            } => Ok(evaluate_set(net, test, batch_size, self.class_loss)?),
            TaskData::Fixed {
                test: None, train, ..
            } => Ok(evaluate_set(net, train, batch_size, self.class_loss)?),
        }
    }

    /// Accuracy of `net` on the whole validation set (fixed classification splits; `None` for
    /// fresh-trial tasks and regression).
    ///
    /// # Errors
    /// Forward or data errors.
    pub fn validation_accuracy<N: RecurrentNet + ?Sized>(
        &self,
        net: &N,
        batch_size: usize,
    ) -> Result<Option<Real>> {
        match &self.data {
            TaskData::Fixed {
                validation,
                test: Some(_),
                ..
            } => Ok(evaluate_set(net, validation, batch_size, self.class_loss)?.1),
            _ => Ok(None),
        }
    }

    /// The first test (or training) trial's inputs, time-major with a batch of one.
    fn one_trial(&self) -> Result<Vec<Matrix>> {
        let set = match &self.data {
            TaskData::Evidence(cfg) => evidence_accumulation(cfg, 1, self.data_seed ^ 7)?,
            TaskData::Fixed { test: Some(t), .. } => t.clone(),
            TaskData::Fixed { train, .. } => train.clone(),
        };
        Ok(set.time_major(&[0])?)
    }
}

/// Tag of the jitter stream (mixed into the shuffle stream's seed).
const JITTER_TAG: u64 = 0x6a69_7474_6572;

/// Input spike-time jitter (augmentation of the training batches only; validation and test
/// batches are untouched): in training batch `i`, the input at step `t` of sample `b`, unit `k`
/// moves to step `clamp(t + u, 0, T - 1)`, `u` uniform in `[-J, J]` from
/// `seed::mix(seed, i, (t B + b) n_in + k)` (values landing on the same step add). For a latency
/// code (one spike per unit) this is the spike-timing noise of the encoder: a new timing of every
/// sample in every epoch, a standard input-noise regulariser (Bishop 1995: training with input
/// noise is Tikhonov regularisation).
struct Jittered<'a> {
    inner: Box<dyn SequenceSource + 'a>,
    jitter: usize,
    seed: u64,
}

impl SequenceSource for Jittered<'_> {
    fn train_batch(
        &mut self,
        iteration: u64,
        batch_size: usize,
    ) -> crate::plasticity::Result<recurrent::SequenceBatch> {
        let (inputs, target) = self.inner.train_batch(iteration, batch_size)?.into_parts();
        let t_len = inputs.len();
        let (rows, cols) = inputs[0].shape();
        let span = 2 * self.jitter as u64 + 1;
        let mut out = vec![Matrix::zeros(rows, cols); t_len];
        for (t, x) in inputs.iter().enumerate() {
            for b in 0..rows {
                for k in 0..cols {
                    let v = x[(b, k)];
                    if v == 0.0 {
                        continue;
                    }
                    let pos = ((t * rows + b) * cols + k) as u64;
                    let u = (crate::tensor::seed::mix(self.seed, iteration, pos) % span) as i64;
                    let t2 = (t as i64 + u - self.jitter as i64).clamp(0, t_len as i64 - 1);
                    out[t2 as usize][(b, k)] += v;
                }
            }
        }
        recurrent::SequenceBatch::new(out, target)
    }

    fn validation_batch(
        &mut self,
        k: u64,
        batch_size: usize,
    ) -> crate::plasticity::Result<recurrent::SequenceBatch> {
        self.inner.validation_batch(k, batch_size)
    }

    fn validation_all(&mut self) -> Option<crate::plasticity::Result<recurrent::SequenceBatch>> {
        self.inner.validation_all()
    }
}

/// A network family the tasks can build: its registry supplies the algorithms.
pub trait TaskNetwork: RecurrentNet + Registered + Clone {
    /// The name of the exact reference algorithm ("BPTT") of this family.
    const REFERENCE: &'static str;
    /// The network for `task`, initialised from `seed`.
    ///
    /// # Errors
    /// Invalid sizes.
    fn for_task(task: &Task, seed: u64) -> Result<Self>;

    /// The algorithm `name` (a registry name) with the firing-rate regulariser `reg`.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] if the family or the algorithm has no regulariser; invalid
    /// regulariser parameters.
    fn with_rate_regularization(
        name: &str,
        net: &Self,
        seed: u64,
        reg: RateRegularization,
    ) -> Result<Box<dyn RecurrentAlgorithm<Self>>> {
        let _ = (net, seed, reg);
        Err(Error::invalid(
            "rate_regularization",
            name,
            "only spiking networks have a firing-rate regulariser",
        ))
    }
}

impl TaskNetwork for RateRnn {
    const REFERENCE: &'static str = "bptt";
    fn for_task(task: &Task, seed: u64) -> Result<Self> {
        Ok(RateRnn::new(
            &RateRnnConfig::new(task.n_in, task.units, task.n_out),
            seed,
        )?)
    }
}

/// The name of the true-gradient control: see [`TrueGradient`].
pub const TRUE_GRADIENT: &str = "true-gradient";

/// The control of surrogate-gradient learning (Zenke & Vogels 2021; SpyTorch tutorial 1): the
/// *true* gradient of the Heaviside network. Its spike derivative is 0 almost everywhere
/// (`psi = 0`), so every gradient that passes through a spike vanishes and only the readout
/// (`W_out`, `b_out`) learns: this is the reference BPTT's readout gradient with the hidden
/// gradients (`W_in`, `W_rec`, `b`) set to 0, exactly what BPTT computes with `psi = 0`. For rate
/// networks it is the readout-only baseline.
pub struct TrueGradient<N: ?Sized>(Box<dyn RecurrentAlgorithm<N>>);

impl<N: ?Sized> RecurrentAlgorithm<N> for TrueGradient<N> {
    fn name(&self) -> &'static str {
        TRUE_GRADIENT
    }

    fn gradient(
        &mut self,
        net: &N,
        batch: &recurrent::SequenceBatch,
    ) -> crate::plasticity::Result<(recurrent::RecurrentGrads, recurrent::GradientReport)> {
        let (mut g, report) = self.0.gradient(net, batch)?;
        for p in [Param::WIn, Param::WRec, Param::B] {
            g.get_mut(p).fill(0.0);
        }
        Ok((g, report))
    }
}

/// Builds the algorithm `name` of `N`'s registry; `"bptt"` names the family's reference when the
/// family registers it under another name (spiking: surrogate-gradient BPTT), and
/// [`TRUE_GRADIENT`] the [`TrueGradient`] control.
/// With `reg`, the algorithm carries the firing-rate regulariser
/// ([`TaskNetwork::with_rate_regularization`]).
fn build_algorithm<N: TaskNetwork>(
    name: &str,
    net: &N,
    seed: u64,
    reg: Option<RateRegularization>,
) -> Result<Box<dyn RecurrentAlgorithm<N>>> {
    let build = |name: &str| match reg {
        Some(r) => N::with_rate_regularization(name, net, seed, r),
        None => Ok(recurrent::by_name::<N>(name, net, seed)?),
    };
    if name == TRUE_GRADIENT {
        return Ok(Box::new(TrueGradient(build(N::REFERENCE)?)));
    }
    build(if name == "bptt" { N::REFERENCE } else { name })
}

/// Parameters of `compare --task`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecurrentCompareParams {
    /// The task.
    pub task: TaskSpec,
    /// Algorithms, in order (`bptt` is the family's exact or surrogate-gradient BPTT).
    pub algorithms: Vec<String>,
    /// Iteration budget (`None`: the task's default).
    pub iterations: Option<usize>,
    /// Trials per batch (`None`: the task's default).
    pub batch_size: Option<usize>,
    /// Learning rate (`None`: the task's default).
    pub learning_rate: Option<Real>,
    /// Cosine to BPTT every this many iterations (0: never).
    pub cosine_every: usize,
    /// Early-stopping error (`None`: the task's default; evidence 0.07, others never).
    pub stop_error: Option<Real>,
    /// L2 penalty coefficient `lambda` on every parameter ([`RecurrentTrainConfig::weight_decay`];
    /// `None`: the task's default, 0).
    #[serde(default)]
    pub weight_decay: Option<Real>,
    /// Keep the parameters of the best validation check
    /// ([`RecurrentTrainConfig::restore_best`]; `None`: the task's default, off).
    #[serde(default)]
    pub restore_best: Option<bool>,
    /// Firing-rate regulariser of the spiking learners (`bptt`, `bptt-sg`, `bptt-sg-tape`,
    /// `eprop-sym`, `eprop-random`, `eprop-adaptive`, `true-gradient`; refused for the others and
    /// for rate networks); `None`: the task's default (none).
    #[serde(default)]
    pub rate_regularization: Option<RateRegularization>,
    /// Input spike-time jitter of the training batches (augmentation; validation and test inputs untouched): every
    /// input spike moves by a uniform integer in `[-J, J]` steps; 0: none; `None`: the task's
    /// default ([`Task::input_jitter`]: 2 for the full `spiking-digits`, else 0). `J` must be
    /// below the trial length.
    #[serde(default)]
    pub input_jitter: Option<usize>,
    /// Master seed.
    pub seed: u64,
}

impl Default for RecurrentCompareParams {
    fn default() -> Self {
        RecurrentCompareParams {
            task: TaskSpec::default(),
            algorithms: vec!["bptt".into(), "eprop-sym".into(), "eprop-random".into()],
            iterations: None,
            batch_size: None,
            learning_rate: None,
            cosine_every: 10,
            stop_error: None,
            weight_decay: None,
            restore_best: None,
            rate_regularization: None,
            input_jitter: None,
            seed: 0,
        }
    }
}

/// One algorithm's row: exactly the fields of the JSON contract.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecurrentRow {
    /// Algorithm name as requested.
    pub algorithm: String,
    /// Test accuracy (`null` for regression).
    pub test_accuracy: Option<Real>,
    /// Training loss of the last iteration.
    pub final_loss: Real,
    /// Iterations trained.
    pub iterations: usize,
    /// Wall-clock seconds of training.
    pub wall_s: Real,
    /// Mean cosine of the algorithm's update to BPTT's on the same batch during training.
    pub mean_cosine_to_bptt: Option<Real>,
    /// Peak bytes of the algorithm's gradient state.
    pub peak_gradient_state_bytes: usize,
}

/// One algorithm's training history and the spike raster of its trained network on one trial.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecurrentHistory {
    /// Algorithm name.
    pub algorithm: String,
    /// `true` if early stopping ended the run.
    pub stopped_early: bool,
    /// Test loss of the trained network.
    pub test_loss: Real,
    /// Accuracy of the trained network on the whole validation set (tasks with a fixed split and
    /// classes; `None` otherwise): the number to select settings by, never the test accuracy.
    #[serde(default)]
    pub validation_accuracy: Option<Real>,
    /// With `restore_best`: the updates the kept parameters had received.
    #[serde(default)]
    pub best_iteration: Option<usize>,
    /// Per-iteration records.
    pub records: Vec<IterationRecord>,
    /// `(step, unit)` of every hidden spike of the trained network on one test trial (spiking
    /// networks; empty for rate networks).
    pub raster: Vec<(usize, usize)>,
}

/// The result of `compare --task`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecurrentCompareResult {
    /// neurograd version.
    pub version: String,
    /// Parameters used.
    pub params: RecurrentCompareParams,
    /// Steps per trial.
    pub n_steps: usize,
    /// Recurrent units.
    pub units: usize,
    /// One row per algorithm (the contract).
    pub results: Vec<RecurrentRow>,
    /// Histories and rasters, one per algorithm.
    pub histories: Vec<RecurrentHistory>,
}

/// The training configuration of `p` on `task`.
fn train_config(p: &RecurrentCompareParams, task: &Task) -> RecurrentTrainConfig {
    let d = &task.defaults;
    RecurrentTrainConfig {
        max_iterations: p.iterations.unwrap_or(d.max_iterations),
        batch_size: p.batch_size.unwrap_or(d.batch_size),
        learning_rate: p.learning_rate.unwrap_or(d.learning_rate),
        stop_error: p.stop_error.or(d.stop_error),
        cosine_every: p.cosine_every,
        weight_decay: p.weight_decay.unwrap_or(d.weight_decay),
        restore_best: p.restore_best.unwrap_or(d.restore_best),
        ..d.clone()
    }
}

/// Runs `compare --task` (see the module docs).
///
/// # Errors
/// [`Error::InvalidParameter`] for an empty algorithm list; task, algorithm and training errors.
pub fn compare(
    p: &RecurrentCompareParams,
    progress: &dyn Progress,
) -> Result<RecurrentCompareResult> {
    if p.algorithms.is_empty() {
        return Err(Error::invalid("algorithms", "", "name at least one"));
    }
    if let Some(wd) = p.weight_decay
        && !(wd.is_finite() && wd >= 0.0)
    {
        return Err(Error::invalid(
            "weight_decay",
            wd,
            "must be finite and >= 0",
        ));
    }
    let task = Task::build(&p.task, p.seed)?;
    if let Some(j) = p.input_jitter
        && j >= task.n_steps
    {
        return Err(Error::invalid(
            "input_jitter",
            j,
            format!("must be below the trial length ({} steps)", task.n_steps),
        ));
    }
    match p.task.network.as_str() {
        "rate" => compare_with::<RateRnn>(p, &task, progress),
        _ => compare_spiking(p, &task, progress),
    }
}

fn compare_with<N: TaskNetwork>(
    p: &RecurrentCompareParams,
    task: &Task,
    progress: &dyn Progress,
) -> Result<RecurrentCompareResult> {
    let cfg = train_config(p, task);
    let net0 = N::for_task(task, sub_seed(p.seed, Stream::Network))?;
    // Validate every name before the first long run.
    for a in &p.algorithms {
        build_algorithm::<N>(a, &net0, 0, p.rate_regularization)?;
    }
    let (mut results, mut histories) = (Vec::new(), Vec::new());
    for name in &p.algorithms {
        let mut net = net0.clone();
        let reg = p.rate_regularization;
        let mut algo = build_algorithm::<N>(name, &net, sub_seed(p.seed, Stream::Algorithm), reg)?;
        let mut reference = build_algorithm::<N>(N::REFERENCE, &net, 0, reg)?;
        let mut source = task.training_source(p.seed, p.input_jitter);
        progress.start(
            &format!("{} {name}", p.task.task),
            cfg.max_iterations as u64,
        );
        let out = train_recurrent(
            &mut net,
            algo.as_mut(),
            (p.cosine_every > 0).then_some(reference.as_mut()),
            source.as_mut(),
            &cfg,
            &mut |_| progress.inc(1),
        );
        progress.finish();
        let out = out?;
        let (test_loss, test_accuracy) = task.test(&net, cfg.batch_size)?;
        let validation_accuracy = task.validation_accuracy(&net, cfg.batch_size)?;
        let rollout = net.rollout(&task.one_trial()?)?;
        let raster = if rollout.spiking {
            rollout
                .hidden
                .iter()
                .enumerate()
                .flat_map(|(t, z)| {
                    (0..z.ncols())
                        .filter(move |&j| z[(0, j)] != 0.0)
                        .map(move |j| (t, j))
                })
                .collect()
        } else {
            Vec::new()
        };
        results.push(RecurrentRow {
            algorithm: name.clone(),
            test_accuracy,
            final_loss: out.final_loss,
            iterations: out.iterations,
            wall_s: out.wall_s,
            mean_cosine_to_bptt: out.mean_cosine_to_reference,
            peak_gradient_state_bytes: out.peak_gradient_state_bytes,
        });
        histories.push(RecurrentHistory {
            algorithm: name.clone(),
            stopped_early: out.stopped_early,
            test_loss,
            validation_accuracy,
            best_iteration: out.best_iteration,
            records: out.records,
            raster,
        });
    }
    Ok(RecurrentCompareResult {
        version: VERSION.to_string(),
        params: p.clone(),
        n_steps: task.n_steps,
        units: task.units,
        results,
        histories,
    })
}

/// Parameters of `align --task`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecurrentAlignParams {
    /// The task.
    pub task: TaskSpec,
    /// Algorithms (`None`: every registered algorithm of the family, plus `eprop-sym-wrec0` for
    /// spiking networks).
    pub algorithms: Option<Vec<String>>,
    /// Trials in the batch the gradients are taken on (`None`: the task's default).
    pub batch_size: Option<usize>,
    /// Master seed.
    pub seed: u64,
}

/// One algorithm's alignment with BPTT: exactly the fields of the JSON contract.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecurrentAlignRow {
    /// Algorithm.
    pub algorithm: String,
    /// `max |g - g_bptt| / max |g_bptt|` over all parameters.
    pub relative_error_to_bptt: Real,
    /// Cosine of `g` to `g_bptt` over all parameters.
    pub cosine_to_bptt: Real,
}

/// The result of `align --task`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecurrentAlignResult {
    /// neurograd version.
    pub version: String,
    /// Parameters used.
    pub params: RecurrentAlignParams,
    /// One row per algorithm.
    pub results: Vec<RecurrentAlignRow>,
}

/// Runs `align --task`: every algorithm's gradient on the task's untrained network and training
/// batch 0, compared with BPTT's on the same network and batch. The row `eprop-sym-wrec0` zeroes
/// `W_rec` first and compares with BPTT on that network (reference §2.4: e-prop's partial
/// learning signal is then exact up to the reset convention).
///
/// # Errors
/// Task, algorithm and gradient errors.
pub fn align(p: &RecurrentAlignParams, progress: &dyn Progress) -> Result<RecurrentAlignResult> {
    let task = Task::build(&p.task, p.seed)?;
    match p.task.network.as_str() {
        "rate" => align_with::<RateRnn>(p, &task, progress),
        _ => align_spiking(p, &task, progress),
    }
}

/// The algorithm names of `align` for `N` by default.
fn default_align_names<N: TaskNetwork>() -> Vec<String> {
    N::ALGORITHMS.iter().map(|a| a.name.to_string()).collect()
}

fn align_with<N: TaskNetwork>(
    p: &RecurrentAlignParams,
    task: &Task,
    progress: &dyn Progress,
) -> Result<RecurrentAlignResult> {
    let names = p
        .algorithms
        .clone()
        .unwrap_or_else(default_align_names::<N>);
    let net = N::for_task(task, sub_seed(p.seed, Stream::Network))?;
    let batch_size = p.batch_size.unwrap_or(task.defaults.batch_size);
    let batch = task.source().train_batch(0, batch_size)?;
    progress.start(&format!("align {}", p.task.task), names.len() as u64);
    let mut results = Vec::new();
    for name in &names {
        let (name_in_registry, zero_rec) = match name.strip_suffix("-wrec0") {
            Some(base) => (base, true),
            None => (name.as_str(), false),
        };
        let mut net = net.clone();
        if zero_rec {
            net.update_params(&mut |ps: &mut [Matrix]| {
                ps[Param::WRec as usize].fill(0.0);
                Ok(())
            })?;
        }
        let (g_ref, _) =
            build_algorithm::<N>(N::REFERENCE, &net, 0, None)?.gradient(&net, &batch)?;
        let mut algo = build_algorithm::<N>(
            name_in_registry,
            &net,
            sub_seed(p.seed, Stream::Algorithm),
            None,
        )?;
        let (g, _) = algo.gradient(&net, &batch)?;
        results.push(RecurrentAlignRow {
            algorithm: name.clone(),
            relative_error_to_bptt: g.relative_error(&g_ref)?,
            cosine_to_bptt: g.cosine(&g_ref)?,
        });
        progress.inc(1);
    }
    progress.finish();
    Ok(RecurrentAlignResult {
        version: VERSION.to_string(),
        params: p.clone(),
        results,
    })
}

fn compare_spiking(
    p: &RecurrentCompareParams,
    task: &Task,
    progress: &dyn Progress,
) -> Result<RecurrentCompareResult> {
    compare_with::<SpikingNet>(p, task, progress)
}

fn align_spiking(
    p: &RecurrentAlignParams,
    task: &Task,
    progress: &dyn Progress,
) -> Result<RecurrentAlignResult> {
    align_with::<SpikingNet>(p, task, progress)
}

impl TaskNetwork for SpikingNet {
    const REFERENCE: &'static str = "bptt-sg";
    fn for_task(task: &Task, seed: u64) -> Result<Self> {
        Ok(SpikingNet::new(&spiking_config(task), seed)?)
    }

    fn with_rate_regularization(
        name: &str,
        net: &Self,
        seed: u64,
        reg: RateRegularization,
    ) -> Result<Box<dyn RecurrentAlgorithm<Self>>> {
        reg.check()?;
        let cfg = EpropConfig {
            rate_regularization: Some(reg),
            ..EpropConfig::default()
        };
        Ok(match name {
            "bptt-sg" => Box::new(SurrogateBptt::new().with_rate_regularization(reg)),
            "bptt-sg-tape" => {
                let mut t = TapeSurrogateBptt::new();
                t.options.rate_regularization = Some(reg);
                Box::new(t)
            }
            "eprop-sym" => Box::new(Eprop::symmetric(cfg)?),
            "eprop-random" => Box::new(Eprop::random(net, cfg, seed)?),
            "eprop-adaptive" => Box::new(Eprop::adaptive(net, cfg, seed)?),
            other => {
                recurrent::info::<Self>(other)?;
                return Err(Error::invalid(
                    "rate_regularization",
                    other,
                    "this algorithm has no firing-rate regulariser",
                ));
            }
        })
    }
}

/// The spiking network of each task (see the module table):
/// - `evidence`: Bellec et al. (2020) Fig. 3, [`SpikingNetConfig::bellec_evidence_accumulation`]
///   (half LIF, half ALIF with `tau_a = 2000` ms; all LIF with `lif_only`), reset differentiated;
/// - `patterns`: EP/patgen's `LightLIF`: LIF, `tau_m = 30` ms, `v_th = 0.03`, no refractoriness,
///   input scaled by `1 - alpha`, readout `tau_out = 30` ms, Bellec's pseudo-derivative;
/// - `randman`, `spiking-digits`: LIF with `tau_m = 10` ms (SpyTorch), `v_th = 1`, no
///   refractoriness, unit input scaling, reset detached (SpyTorch), SuperSpike fast sigmoid of
///   slope 10 (Zenke & Vogels 2021), readout `tau_out = 10` ms.
pub fn spiking_config(task: &Task) -> SpikingNetConfig {
    let base = SpikingNetConfig::bellec_evidence_accumulation();
    let n = task.units;
    match task.spec.task.as_str() {
        "evidence" => {
            let n_alif = if task.spec.lif_only { 0 } else { n / 2 };
            SpikingNetConfig {
                n_in: task.n_in,
                n_lif: n - n_alif,
                n_alif,
                n_out: task.n_out,
                ..base
            }
        }
        "patterns" => {
            let lif = AlifParams {
                tau_m_ms: 30.0,
                tau_a_ms: 2000.0,
                v_th: 0.03,
                beta: 0.0,
                n_ref: 0,
                input_scaling: InputScaling::OneMinusAlpha,
            };
            SpikingNetConfig {
                n_in: task.n_in,
                n_lif: n,
                n_alif: 0,
                n_out: task.n_out,
                lif,
                alif: lif,
                dt_ms: task.dt_ms,
                tau_out_ms: 30.0,
                ..base
            }
        }
        _ => {
            let lif = AlifParams {
                tau_m_ms: 10.0,
                tau_a_ms: 2000.0,
                v_th: 1.0,
                beta: 0.0,
                n_ref: 0,
                input_scaling: InputScaling::Unit,
            };
            SpikingNetConfig {
                n_in: task.n_in,
                n_lif: n,
                n_alif: 0,
                n_out: task.n_out,
                lif,
                alif: lif,
                dt_ms: task.dt_ms,
                tau_out_ms: 10.0,
                pseudo: PseudoDerivative::Fixed(Surrogate::FastSigmoid { slope: 10.0 }),
                reset: Reset::Detached,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    //! Scaled-down training floors (dev profile, seconds) with their controls, and typed errors.
    //! The full floors are experiments recorded in `docs/recurrent-tasks.md`.
    use super::*;
    use crate::NoProgress;

    fn run(task: &str, algorithms: &[&str], seed: u64) -> RecurrentCompareResult {
        let p = RecurrentCompareParams {
            task: TaskSpec {
                task: task.into(),
                small: true,
                ..TaskSpec::default()
            },
            algorithms: algorithms.iter().map(|s| s.to_string()).collect(),
            cosine_every: 0,
            seed,
            ..RecurrentCompareParams::default()
        };
        compare(&p, &NoProgress).unwrap()
    }

    fn acc(r: &RecurrentCompareResult, i: usize) -> Real {
        r.results[i].test_accuracy.unwrap()
    }

    /// Floor (scaled-down spiking digits, latency code, 30 LIF, 150 iterations): surrogate BPTT
    /// and symmetric e-prop learn (calibrated once, seeds 0/1/2: 0.85/0.82/0.81 and
    /// 0.82/0.80/0.79; asserted >= 0.7) while the true gradient (psi = 0: readout only) stays near
    /// chance (0.18/0.18/0.19; asserted <= 0.3). The gap is the claim; the control is not implied
    /// by the floor.
    #[test]
    fn spiking_digits_small_floor_and_true_gradient_control() {
        let r = run("spiking-digits", &["bptt", "eprop-sym", TRUE_GRADIENT], 0);
        assert!(acc(&r, 0) >= 0.7, "bptt {}", acc(&r, 0));
        assert!(acc(&r, 1) >= 0.7, "eprop-sym {}", acc(&r, 1));
        assert!(acc(&r, 2) <= 0.3, "true gradient {}", acc(&r, 2));
    }

    /// Floor (scaled-down Randman, 3 classes, timing-only input, 20 LIF, 400 iterations):
    /// surrogate BPTT reaches >= 0.7 (calibrated once: 0.80) while the true-gradient control stays
    /// at the readout-only level <= 0.6 (calibrated once: 0.50; chance 0.33).
    #[test]
    fn randman_small_floor_and_true_gradient_control() {
        let r = run("randman", &["bptt", TRUE_GRADIENT], 0);
        assert!(acc(&r, 0) >= 0.7, "bptt {}", acc(&r, 0));
        assert!(acc(&r, 1) <= 0.6, "true gradient {}", acc(&r, 1));
    }

    /// `align` on the rate network: RTRL and tape BPTT equal BPTT (exact algorithms, rel. error
    /// < 1e-10, cosine 1), RFLO does not (rel. error > 1e-3).
    #[test]
    fn align_rate_exact_and_approximate() {
        let p = RecurrentAlignParams {
            task: TaskSpec {
                task: "evidence".into(),
                small: true,
                network: "rate".into(),
                ..TaskSpec::default()
            },
            algorithms: Some(vec!["rtrl".into(), "bptt-tape".into(), "rflo".into()]),
            batch_size: Some(2),
            seed: 3,
        };
        let r = align(&p, &NoProgress).unwrap();
        assert!(r.results[0].relative_error_to_bptt < 1e-10);
        assert!(r.results[1].relative_error_to_bptt < 1e-10);
        assert!((r.results[0].cosine_to_bptt - 1.0).abs() < 1e-12);
        assert!(r.results[2].relative_error_to_bptt > 1e-3);
    }

    #[test]
    fn bad_tasks_are_typed() {
        let spec = |task: &str| TaskSpec {
            task: task.into(),
            small: true,
            ..TaskSpec::default()
        };
        assert!(matches!(
            Task::build(&spec("nope"), 0),
            Err(Error::UnknownName { kind: "task", .. })
        ));
        assert!(matches!(
            Task::build(
                &TaskSpec {
                    network: "x".into(),
                    ..spec("randman")
                },
                0
            ),
            Err(Error::UnknownName {
                kind: "network",
                ..
            })
        ));
        assert!(matches!(
            Task::build(
                &TaskSpec {
                    lif_only: true,
                    ..spec("randman")
                },
                0
            ),
            Err(Error::InvalidParameter {
                name: "lif_only",
                ..
            })
        ));
        assert!(matches!(
            Task::build(
                &TaskSpec {
                    units: Some(0),
                    ..spec("evidence")
                },
                0
            ),
            Err(Error::InvalidParameter { name: "units", .. })
        ));
        let p = RecurrentCompareParams {
            algorithms: vec![],
            ..RecurrentCompareParams::default()
        };
        assert!(matches!(
            compare(&p, &NoProgress),
            Err(Error::InvalidParameter {
                name: "algorithms",
                ..
            })
        ));
        let p = RecurrentCompareParams {
            task: spec("evidence"),
            algorithms: vec!["nope".into()],
            ..RecurrentCompareParams::default()
        };
        assert!(matches!(
            compare(&p, &NoProgress),
            Err(Error::Plasticity(
                crate::plasticity::PlasticityError::UnknownName { .. }
            ))
        ));
    }
}
