//! A minimal mini-batch training loop for any [`CreditAssignment`] algorithm and any optimizer
//! step (the facade wraps it with checkpoints and progress).
//!
//! Each epoch shuffles the training rows with `ChaCha8Rng::seed_from_u64(seed + epoch)`, cuts
//! them into mini-batches of `batch_size` (the last, smaller batch is kept), asks the algorithm
//! for updates and hands `(params, updates)` to `step`, then evaluates test accuracy with the
//! algorithm's [`CreditAssignment::predict`]. A non-finite loss, update or parameter stops the run
//! with [`PlasticityError::Diverged`] naming the global step.

use std::time::Instant;

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use neurograd_tensor::{Matrix, Real};

use super::{CreditAssignment, Network, Updates};
use crate::{PlasticityError, Result};

/// Training hyperparameters of the loop (the optimizer's live in the step closure).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TrainConfig {
    /// Passes over the training set (>= 1).
    pub epochs: usize,
    /// Rows per mini-batch (>= 1).
    pub batch_size: usize,
    /// Seed of the shuffling.
    pub seed: u64,
}

/// Training and test data: inputs, training targets (one-hot for classification), test labels.
#[derive(Clone, Copy, Debug)]
pub struct TrainData<'a> {
    /// Training inputs (n_train, n_0).
    pub x_train: &'a Matrix,
    /// Training targets (n_train, n_L).
    pub t_train: &'a Matrix,
    /// Test inputs (n_test, n_0).
    pub x_test: &'a Matrix,
    /// Test labels (n_test), class indices `< n_L`.
    pub labels_test: &'a [usize],
}

/// Metrics of one epoch.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EpochMetrics {
    /// Epoch number, from 1.
    pub epoch: usize,
    /// Mean batch loss over the epoch (at the algorithm's prediction before each update).
    pub train_loss: Real,
    /// Test accuracy after the epoch.
    pub test_accuracy: Real,
    /// Mean relaxation steps per batch (0 for feed-forward algorithms).
    pub relaxation_steps: Real,
    /// Wall-clock seconds of the epoch (training and evaluation).
    pub seconds: Real,
}

/// Result of [`train`].
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TrainReport {
    /// Per-epoch metrics.
    pub epochs: Vec<EpochMetrics>,
}

impl TrainReport {
    /// Test accuracy after the last epoch (0 if no epoch ran).
    pub fn final_test_accuracy(&self) -> Real {
        self.epochs.last().map_or(0.0, |e| e.test_accuracy)
    }
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

fn check_data(net: &Network, data: &TrainData<'_>, cfg: &TrainConfig) -> Result<()> {
    if cfg.epochs == 0 || cfg.batch_size == 0 {
        return Err(PlasticityError::InvalidParameter {
            name: "epochs/batch_size",
            value: format!("{}/{}", cfg.epochs, cfg.batch_size),
            reason: "both must be at least 1".into(),
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

/// Trains `net` with `algo`, applying updates through `step(params, updates)` (an optimizer's
/// step), and calls `on_epoch` after every epoch (e.g. to measure alignment with backprop).
///
/// # Errors
/// Bad data or config; algorithm errors; [`PlasticityError::Diverged`] on a non-finite loss,
/// update or parameter.
pub fn train_with<F, G>(
    net: &mut Network,
    algo: &mut dyn CreditAssignment,
    data: &TrainData<'_>,
    cfg: &TrainConfig,
    mut step: F,
    mut on_epoch: G,
) -> Result<TrainReport>
where
    F: FnMut(&mut [Matrix], &[Matrix]) -> Result<()>,
    G: FnMut(&Network, &mut dyn CreditAssignment, &EpochMetrics) -> Result<()>,
{
    check_data(net, data, cfg)?;
    let n = data.x_train.nrows();
    let mut order: Vec<usize> = (0..n).collect();
    let mut updates = Updates::zeros(net);
    let mut xb = Matrix::zeros(0, 0);
    let mut tb = Matrix::zeros(0, 0);
    let mut report = TrainReport { epochs: Vec::new() };
    let mut global_step = 0usize;
    for epoch in 1..=cfg.epochs {
        let start = Instant::now();
        let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed.wrapping_add(epoch as u64));
        order.shuffle(&mut rng);
        let (mut loss_sum, mut steps_sum, mut batches) = (0.0, 0.0, 0usize);
        for chunk in order.chunks(cfg.batch_size) {
            global_step += 1;
            super::linalg::ensure_shape(&mut xb, chunk.len(), data.x_train.ncols());
            super::linalg::ensure_shape(&mut tb, chunk.len(), data.t_train.ncols());
            for (r, &i) in chunk.iter().enumerate() {
                xb.row_mut(r).copy_from(&data.x_train.row(i));
                tb.row_mut(r).copy_from(&data.t_train.row(i));
            }
            algo.updates_into(net, &xb, &tb, &mut updates)?;
            let loss = updates.diagnostics.loss;
            let un = norm(&updates.grads);
            if !loss.is_finite() || !un.is_finite() {
                return Err(PlasticityError::Diverged {
                    step: global_step,
                    norm: un,
                });
            }
            net.update_params(|p| step(p, &updates.grads))?;
            let pn = norm(net.params());
            if !pn.is_finite() {
                return Err(PlasticityError::Diverged {
                    step: global_step,
                    norm: pn,
                });
            }
            loss_sum += loss;
            steps_sum += updates.diagnostics.relaxation_steps as Real;
            batches += 1;
        }
        let test_accuracy = accuracy(algo, net, data.x_test, data.labels_test)?;
        let m = EpochMetrics {
            epoch,
            train_loss: loss_sum / batches as Real,
            test_accuracy,
            relaxation_steps: steps_sum / batches as Real,
            seconds: start.elapsed().as_secs_f64(),
        };
        on_epoch(net, algo, &m)?;
        report.epochs.push(m);
    }
    Ok(report)
}

/// [`train_with`] without a per-epoch callback.
///
/// # Errors
/// As [`train_with`].
pub fn train<F>(
    net: &mut Network,
    algo: &mut dyn CreditAssignment,
    data: &TrainData<'_>,
    cfg: &TrainConfig,
    step: F,
) -> Result<TrainReport>
where
    F: FnMut(&mut [Matrix], &[Matrix]) -> Result<()>,
{
    train_with(net, algo, data, cfg, step, |_, _, _| Ok(()))
}
