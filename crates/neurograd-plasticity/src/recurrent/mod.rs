//! Recurrent networks that learn: sequence batches, sequence losses, recurrent gradients, and the
//! algorithms that compute them (BPTT, truncated BPTT, RTRL, RFLO; spiking networks and e-prop
//! build on the same types).
//!
//! # Conventions (shared by every recurrent network and algorithm)
//! - **Layout** (PyTorch shapes, samples in rows): a sequence batch holds `T` input steps, each a
//!   `B × n_in` matrix `X^t`; a network's hidden output at step `t` is `B × n` (`H^t`: rates, or
//!   spikes `Z^t`), its readout `Y^t = H^t W_outᵀ + 1 b_outᵀ` is `B × n_out`.
//! - **Parameters** of every [`RecurrentNet`], in this order ([`Param`]):
//!   `[W_in (n × n_in), W_rec (n × n), b (1 × n), W_out (n_out × n), b_out (1 × n_out)]`.
//!   [`RecurrentGrads`] holds gradients in the same order and shapes.
//! - **Sign**: gradients have the sign of the gradient of the batch loss ([`SequenceBatch::loss`]),
//!   so an optimizer descends along them (`θ ← θ − η g`), as in [`crate::credit`].
//! - **Losses** ([`SequenceTarget`]), all averaged over the `B` samples of the batch:
//!   regression `L = (1/B) Σ_b Σ_t w_t · ½ ‖y_b^t − y*_b^t‖²` with per-step weights `w_t ≥ 0`
//!   (`w_t = 1` is NEST's and Murray's `½ Σ_t`; `w_t = 1/T` is the time mean; `w_t = 0` masks a
//!   step); classification over a window `t ∈ [t0, t1)` either of the time-averaged logits
//!   (`L = (1/B) Σ_b CE(softmax(ȳ_b), label_b)`, `ȳ_b = mean_{t∈window} y_b^t`;
//!   [`ClassLoss::MeanLogits`], the prediction rule of Bellec et al. 2020's evidence
//!   accumulation) or per step (`L = (1/B) Σ_b mean_{t∈window} CE(softmax(y_b^t), label_b)`;
//!   [`ClassLoss::PerStep`], the loss of the e-prop code's evidence-accumulation tutorial).
//!   [`SequenceBatch::loss_and_errors`] also returns each step's readout error
//!   `e^t = ∂L/∂y^t` (`B × n_out`; zero outside the window or where `w_t = 0`): the error that
//!   BPTT injects at step `t` and that e-prop and RFLO feed back through a matrix `B`.
//! - **Memory accounting**: [`GradientReport::peak_gradient_state_bytes`] counts the bytes of the
//!   working state an algorithm keeps to assign credit (stored states of BPTT, sensitivities of
//!   RTRL, eligibility traces of e-prop and RFLO, backward buffers), not the parameters, the
//!   returned gradients, nor the readouts and readout errors of the loss (the same for all).
//!
//! # The contracts
//! - [`RecurrentNet`]: what a training loop needs from a network (sizes, parameters,
//!   transactional parameter updates, a forward pass returning readouts and hidden outputs).
//! - [`RecurrentAlgorithm<N>`]: `(net, batch) → (gradients, report)` for a network type `N`.
//! - The registry: one entry per algorithm in the `registry!` invocation of this file, per
//!   network type (`RateRnn => RATE_ALGORITHMS { ... }`); [`by_name`] builds one by name,
//!   [`algorithm_names`] lists them all.
//!
//! ```
//! use neurograd_plasticity::recurrent::{RateRnn, RateRnnConfig, SequenceBatch, SequenceTarget,
//!                                       RecurrentAlgorithm, by_name};
//! use neurograd_tensor::Matrix;
//!
//! let net = RateRnn::new(&RateRnnConfig::new(3, 5, 2), 7)?;
//! let xs: Vec<Matrix> = (0..4).map(|t| Matrix::from_fn(2, 3, |b, i| ((t + b + i) as f64).sin())).collect();
//! let ys: Vec<Matrix> = (0..4).map(|t| Matrix::from_fn(2, 2, |b, k| ((t * b + k) as f64).cos())).collect();
//! let batch = SequenceBatch::new(xs, SequenceTarget::regression(ys))?;
//! let mut bptt = by_name::<RateRnn>("bptt", &net, 0)?;
//! let (grads, report) = bptt.gradient(&net, &batch)?;
//! assert_eq!(grads.get(neurograd_plasticity::recurrent::Param::WRec).shape(), (5, 5));
//! assert!(report.loss > 0.0);
//! # Ok::<(), neurograd_plasticity::PlasticityError>(())
//! ```

// Time loops index several per-step arrays at once (states, derivatives, errors, inputs) exactly
// as the equations in the docs do.
#![allow(clippy::needless_range_loop, clippy::too_many_arguments)]

pub mod bptt;
pub mod bptt_tape;
pub mod rate;
pub mod rflo;
pub mod rtrl;
pub mod spiking;
pub mod train;

use std::ops::Range;

use neurograd_tensor::{Matrix, Real, Vector};

use crate::{PlasticityError, Result};

pub use bptt::{Bptt, TruncatedBptt};
pub use bptt_tape::TapeBptt;
pub use rate::{RateRnn, RateRnnConfig};
pub use rflo::Rflo;
pub use rtrl::Rtrl;
pub use spiking::SpikingNet;

// ---------------------------------------------------------------------------------------------
// Parameters and gradients
// ---------------------------------------------------------------------------------------------

/// Index of a parameter in the common layout `[W_in, W_rec, b, W_out, b_out]` of every
/// [`RecurrentNet`] and [`RecurrentGrads`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Param {
    /// Input weights `W_in`, `n × n_in`.
    WIn = 0,
    /// Recurrent weights `W_rec`, `n × n`.
    WRec = 1,
    /// Hidden bias (rate networks) or constant bias current (spiking networks) `b`, `1 × n`.
    B = 2,
    /// Readout weights `W_out`, `n_out × n`.
    WOut = 3,
    /// Readout bias `b_out`, `1 × n_out`.
    BOut = 4,
}

impl Param {
    /// All parameters in layout order.
    pub const ALL: [Param; 5] = [Param::WIn, Param::WRec, Param::B, Param::WOut, Param::BOut];

    /// The parameter's name (`"w_in"`, `"w_rec"`, `"b"`, `"w_out"`, `"b_out"`).
    pub fn name(self) -> &'static str {
        match self {
            Param::WIn => "w_in",
            Param::WRec => "w_rec",
            Param::B => "b",
            Param::WOut => "w_out",
            Param::BOut => "b_out",
        }
    }

    /// Shape `(rows, cols)` of this parameter in a network of the given sizes.
    pub fn shape(self, s: Sizes) -> (usize, usize) {
        match self {
            Param::WIn => (s.n_rec, s.n_in),
            Param::WRec => (s.n_rec, s.n_rec),
            Param::B => (1, s.n_rec),
            Param::WOut => (s.n_out, s.n_rec),
            Param::BOut => (1, s.n_out),
        }
    }
}

/// Sizes of a recurrent network.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Sizes {
    /// Inputs per step.
    pub n_in: usize,
    /// Recurrent (hidden) units.
    pub n_rec: usize,
    /// Readout units.
    pub n_out: usize,
}

impl Sizes {
    /// The five parameter shapes in layout order.
    pub fn param_shapes(self) -> [(usize, usize); 5] {
        Param::ALL.map(|p| p.shape(self))
    }

    /// Total number of scalar parameters.
    pub fn num_params(self) -> usize {
        self.param_shapes().iter().map(|(r, c)| r * c).sum()
    }
}

/// Gradients of a recurrent network, laid out like its parameters
/// (`[W_in, W_rec, b, W_out, b_out]`, see [`Param`]), with the sign of the loss gradient.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct RecurrentGrads {
    /// The gradients in layout order (what an optimizer's `step(params, grads)` takes).
    pub grads: Vec<Matrix>,
}

impl RecurrentGrads {
    /// Zero gradients for a network of the given sizes.
    pub fn zeros(s: Sizes) -> Self {
        RecurrentGrads {
            grads: s
                .param_shapes()
                .iter()
                .map(|&(r, c)| Matrix::zeros(r, c))
                .collect(),
        }
    }

    /// The gradient of one parameter.
    ///
    /// # Panics
    /// Never for gradients built by [`RecurrentGrads::zeros`] or an algorithm of this module (they
    /// always hold five matrices); a hand-built value with fewer panics.
    pub fn get(&self, p: Param) -> &Matrix {
        &self.grads[p as usize]
    }

    /// Mutable gradient of one parameter (same panics as [`RecurrentGrads::get`]).
    pub fn get_mut(&mut self, p: Param) -> &mut Matrix {
        &mut self.grads[p as usize]
    }

    /// All gradients as one vector (layout order, each matrix column-major), for cosines
    /// ([`neurograd_tensor::geometry::flatten`]).
    pub fn flatten(&self) -> Vector {
        neurograd_tensor::geometry::flatten(&self.grads)
    }

    /// Cosine between two gradients over all parameters
    /// ([`neurograd_tensor::geometry::cosine_params`]).
    ///
    /// # Errors
    /// Different shapes; a zero gradient (the cosine is undefined).
    pub fn cosine(&self, other: &RecurrentGrads) -> Result<Real> {
        Ok(neurograd_tensor::geometry::cosine_params(
            &self.grads,
            &other.grads,
        )?)
    }

    /// Relative error `‖self − other‖ / max(‖self‖, ‖other‖)` over all parameters (Frobenius,
    /// [`neurograd_tensor::geometry::relative_error_params`]; 0 when both are zero).
    ///
    /// # Errors
    /// Different shapes, non-finite values.
    pub fn relative_error(&self, other: &RecurrentGrads) -> Result<Real> {
        Ok(neurograd_tensor::geometry::relative_error_params(
            &self.grads,
            &other.grads,
        )?)
    }

    /// The reference's test metric (recurrence.md §7): `max|self − reference| / max|reference|`
    /// over all entries of all parameters.
    ///
    /// # Errors
    /// Different shapes ([`PlasticityError::Tensor`]); [`PlasticityError::InvalidParameter`] for
    /// an all-zero reference.
    pub fn max_relative_error(&self, reference: &RecurrentGrads) -> Result<Real> {
        neurograd_tensor::geometry::check_same_shapes(
            "RecurrentGrads::max_relative_error",
            &self.grads,
            &reference.grads,
        )?;
        let (mut num, mut den): (Real, Real) = (0.0, 0.0);
        for (a, b) in self.grads.iter().zip(&reference.grads) {
            for (x, y) in a.iter().zip(b.iter()) {
                num = num.max((x - y).abs());
                den = den.max(y.abs());
            }
        }
        if den > 0.0 && den.is_finite() && num.is_finite() {
            Ok(num / den)
        } else {
            Err(invalid(
                "reference",
                den,
                "max|reference| must be finite and > 0 (and the difference finite)",
            ))
        }
    }

    /// Checks that every gradient is finite.
    ///
    /// # Errors
    /// [`PlasticityError::Tensor`] wrapping `NonFinite`, naming the parameter.
    pub fn check_finite(&self) -> Result<()> {
        for (g, p) in self.grads.iter().zip(Param::ALL) {
            neurograd_tensor::validate::check_finite(g, &format!("gradient of {}", p.name()))?;
        }
        Ok(())
    }
}

/// What an algorithm reports with a gradient.
#[derive(Clone, Copy, Debug, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct GradientReport {
    /// Batch loss at the current parameters ([`SequenceBatch::loss`]).
    pub loss: Real,
    /// Peak bytes of the algorithm's credit-assignment working state (see the module docs:
    /// stored states, sensitivities, traces, backward buffers; not parameters, gradients or the
    /// loss's readouts and errors).
    pub peak_gradient_state_bytes: usize,
}

impl GradientReport {
    /// A report of `loss` and `peak_gradient_state_bytes`.
    pub fn new(loss: Real, peak_gradient_state_bytes: usize) -> Self {
        GradientReport {
            loss,
            peak_gradient_state_bytes,
        }
    }
}

/// Bytes of `count` f64 values (for [`GradientReport::peak_gradient_state_bytes`]).
pub fn real_bytes(count: usize) -> usize {
    count.saturating_mul(std::mem::size_of::<Real>())
}

// ---------------------------------------------------------------------------------------------
// Sequence batches and losses
// ---------------------------------------------------------------------------------------------

/// How a classification loss reads the window of readouts (see the module docs).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub enum ClassLoss {
    /// Cross-entropy of the softmax of the window-averaged logits (Bellec et al. 2020's
    /// prediction rule, argmax of the time-averaged readout).
    #[default]
    MeanLogits,
    /// Mean over the window of the per-step cross-entropy (the e-prop code's tutorial loss).
    PerStep,
}

/// The target of a sequence batch.
#[derive(Clone, Debug, PartialEq)]
pub enum SequenceTarget {
    /// Regression: `T` target steps of `B × n_out` and one weight per step (see module docs).
    Regression {
        /// `y*^t`, `T` matrices of `B × n_out`.
        targets: Vec<Matrix>,
        /// `w_t ≥ 0`, one per step (`0` masks a step).
        step_weights: Vec<Real>,
    },
    /// Classification: one label per sample, a window of steps the loss reads.
    Classification {
        /// Class of each sample, `< n_out`.
        labels: Vec<usize>,
        /// Steps `[t0, t1)` the loss reads (non-empty, inside `0..T`).
        window: Range<usize>,
        /// Time-averaged logits or per-step cross-entropy.
        loss: ClassLoss,
    },
}

impl SequenceTarget {
    /// Regression with unit step weights (`L = (1/B) Σ_b Σ_t ½‖y − y*‖²`).
    pub fn regression(targets: Vec<Matrix>) -> Self {
        let step_weights = vec![1.0; targets.len()];
        SequenceTarget::Regression {
            targets,
            step_weights,
        }
    }

    /// Classification of `labels` over `window` with [`ClassLoss::MeanLogits`].
    pub fn classification(labels: Vec<usize>, window: Range<usize>) -> Self {
        SequenceTarget::Classification {
            labels,
            window,
            loss: ClassLoss::MeanLogits,
        }
    }
}

/// A validated batch of `B` sequences of `T` steps and their target.
///
/// Invariants (checked by [`SequenceBatch::new`]): `T ≥ 1`, `B ≥ 1`, `n_in ≥ 1`, every input
/// step `B × n_in` and finite; regression targets `T` steps of one shape `B × n_out`, finite,
/// `T` finite non-negative step weights; classification `B` labels and a non-empty window inside
/// `0..T`. Labels are checked against the network's `n_out` by [`SequenceBatch::check_for`].
#[derive(Clone, Debug, PartialEq)]
pub struct SequenceBatch {
    inputs: Vec<Matrix>,
    target: SequenceTarget,
}

impl SequenceBatch {
    /// Validates and builds a batch.
    ///
    /// # Errors
    /// [`PlasticityError::InvalidParameter`] for an empty sequence or batch, a bad window or
    /// step weight; [`PlasticityError::ShapeMismatch`] for steps of different shapes or a target
    /// of the wrong size; [`PlasticityError::Tensor`] (`NonFinite`) for NaN or infinite values.
    pub fn new(inputs: Vec<Matrix>, target: SequenceTarget) -> Result<Self> {
        let t_len = inputs.len();
        if t_len == 0 {
            return Err(invalid("inputs", 0, "a sequence needs at least one step"));
        }
        let (b, n_in) = inputs[0].shape();
        if b == 0 || n_in == 0 {
            return Err(invalid(
                "inputs",
                format!("{b}x{n_in}"),
                "each step needs at least one sample and one input",
            ));
        }
        check_steps(
            "SequenceBatch::new (input step)",
            &inputs,
            (b, n_in),
            "input",
        )?;
        match &target {
            SequenceTarget::Regression {
                targets,
                step_weights,
            } => {
                check_len("SequenceBatch::new (target steps, 1)", t_len, targets.len())?;
                let n_out = targets[0].ncols();
                if n_out == 0 {
                    return Err(invalid("targets", 0, "at least one readout"));
                }
                check_steps(
                    "SequenceBatch::new (target step)",
                    targets,
                    (b, n_out),
                    "target",
                )?;
                check_len(
                    "SequenceBatch::new (step weights, 1)",
                    t_len,
                    step_weights.len(),
                )?;
                if let Some(w) = step_weights.iter().find(|w| !(w.is_finite() && **w >= 0.0)) {
                    return Err(invalid("step_weights", w, "must be finite and >= 0"));
                }
            }
            SequenceTarget::Classification { labels, window, .. } => {
                check_len("SequenceBatch::new (labels, 1)", b, labels.len())?;
                if window.start >= window.end || window.end > t_len {
                    return Err(invalid(
                        "window",
                        format!("{window:?}"),
                        format!("must be a non-empty range inside 0..{t_len}"),
                    ));
                }
            }
        }
        Ok(SequenceBatch { inputs, target })
    }

    /// The input steps (`T` matrices of `B × n_in`).
    pub fn inputs(&self) -> &[Matrix] {
        &self.inputs
    }

    /// The target.
    pub fn target(&self) -> &SequenceTarget {
        &self.target
    }

    /// The inputs and the target, by value (no copy).
    pub fn into_parts(self) -> (Vec<Matrix>, SequenceTarget) {
        (self.inputs, self.target)
    }

    /// Sequence length `T`.
    pub fn steps(&self) -> usize {
        self.inputs.len()
    }

    /// Batch size `B`.
    pub fn batch_size(&self) -> usize {
        self.inputs[0].nrows()
    }

    /// Inputs per step `n_in`.
    pub fn n_in(&self) -> usize {
        self.inputs[0].ncols()
    }

    /// Checks the batch against a network's sizes (inputs `n_in`, regression targets `n_out`
    /// wide, labels `< n_out`).
    ///
    /// # Errors
    /// [`PlasticityError::ShapeMismatch`] for widths, [`PlasticityError::InvalidParameter`] for
    /// a label out of range.
    pub fn check_for(&self, s: Sizes) -> Result<()> {
        let b = self.batch_size();
        if self.n_in() != s.n_in {
            return Err(PlasticityError::ShapeMismatch {
                op: "SequenceBatch::check_for (inputs)",
                expected: (b, s.n_in),
                got: (b, self.n_in()),
            });
        }
        match &self.target {
            SequenceTarget::Regression { targets, .. } => {
                if targets[0].ncols() != s.n_out {
                    return Err(PlasticityError::ShapeMismatch {
                        op: "SequenceBatch::check_for (targets)",
                        expected: (b, s.n_out),
                        got: targets[0].shape(),
                    });
                }
            }
            SequenceTarget::Classification { labels, .. } => {
                if let Some(l) = labels.iter().find(|&&l| l >= s.n_out) {
                    return Err(invalid(
                        "labels",
                        l,
                        format!("must be < n_out = {}", s.n_out),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Batch loss of a readout sequence (`T` matrices of `B × n_out`; see the module docs).
    ///
    /// # Errors
    /// As [`SequenceBatch::loss_and_errors`].
    pub fn loss(&self, readouts: &[Matrix]) -> Result<Real> {
        let mut e = Vec::new();
        self.loss_and_errors(readouts, &mut e)
    }

    /// Batch loss and the readout errors `e^t = ∂L/∂y^t` (written into `errors`, resized to `T`
    /// matrices of `B × n_out`, reusing their storage).
    ///
    /// Regression: `e^t = (w_t / B)(y^t − y*^t)`. Mean-logit classification:
    /// `e^t = (softmax(ȳ) − onehot) / (B |window|)` inside the window. Per-step classification:
    /// `e^t = (softmax(y^t) − onehot) / (B |window|)` inside the window. Zero elsewhere.
    ///
    /// # Errors
    /// [`PlasticityError::ShapeMismatch`] for readouts of the wrong length or shape, a label out
    /// of range; [`PlasticityError::Tensor`] (`NonFinite`) for non-finite readouts.
    pub fn loss_and_errors(&self, readouts: &[Matrix], errors: &mut Vec<Matrix>) -> Result<Real> {
        let t_len = self.steps();
        let b = self.batch_size();
        check_len(
            "SequenceBatch::loss (readout steps, 1)",
            t_len,
            readouts.len(),
        )?;
        let n_out = readouts[0].ncols();
        for (t, y) in readouts.iter().enumerate() {
            if y.shape() != (b, n_out) || n_out == 0 {
                return Err(PlasticityError::ShapeMismatch {
                    op: "SequenceBatch::loss (readout step)",
                    expected: (b, n_out.max(1)),
                    got: y.shape(),
                });
            }
            neurograd_tensor::validate::check_finite(y, &format!("readout step {t}"))?;
        }
        errors.resize_with(t_len, || Matrix::zeros(0, 0));
        for e in errors.iter_mut() {
            if e.shape() != (b, n_out) {
                *e = Matrix::zeros(b, n_out);
            } else {
                e.fill(0.0);
            }
        }
        let bf = b as Real;
        match &self.target {
            SequenceTarget::Regression {
                targets,
                step_weights,
            } => {
                if targets[0].ncols() != n_out {
                    return Err(PlasticityError::ShapeMismatch {
                        op: "SequenceBatch::loss (targets)",
                        expected: (b, n_out),
                        got: targets[0].shape(),
                    });
                }
                let mut loss = 0.0;
                for t in 0..t_len {
                    let w = step_weights[t];
                    if w == 0.0 {
                        continue;
                    }
                    let e = &mut errors[t];
                    e.copy_from(&readouts[t]);
                    *e -= &targets[t];
                    loss += 0.5 * w * e.norm_squared() / bf;
                    *e *= w / bf;
                }
                Ok(loss)
            }
            SequenceTarget::Classification {
                labels,
                window,
                loss: kind,
            } => {
                if let Some(l) = labels.iter().find(|&&l| l >= n_out) {
                    return Err(invalid("labels", l, format!("must be < n_out = {n_out}")));
                }
                let wlen = window.len() as Real;
                let scale = 1.0 / (bf * wlen);
                let mut loss = 0.0;
                match kind {
                    ClassLoss::MeanLogits => {
                        let mut mean = Matrix::zeros(b, n_out);
                        for t in window.clone() {
                            mean += &readouts[t];
                        }
                        mean /= wlen;
                        let mut p = Matrix::zeros(b, n_out);
                        loss += softmax_ce_rows(&mean, labels, &mut p) / bf;
                        p *= scale;
                        for t in window.clone() {
                            errors[t].copy_from(&p);
                        }
                    }
                    ClassLoss::PerStep => {
                        for t in window.clone() {
                            let e = &mut errors[t];
                            loss += softmax_ce_rows(&readouts[t], labels, e) * scale;
                            *e *= scale;
                        }
                    }
                }
                Ok(loss)
            }
        }
    }

    /// Fraction of samples whose prediction is right (classification: argmax of the
    /// window-averaged readout, for both [`ClassLoss`] kinds), or `None` for regression.
    ///
    /// # Errors
    /// As [`SequenceBatch::loss`].
    pub fn accuracy(&self, readouts: &[Matrix]) -> Result<Option<Real>> {
        // validates lengths, shapes, finiteness and labels
        self.loss(readouts)?;
        let SequenceTarget::Classification { labels, window, .. } = &self.target else {
            return Ok(None);
        };
        let b = self.batch_size();
        let n_out = readouts[0].ncols();
        let mut right = 0usize;
        for s in 0..b {
            let mut best = (0usize, Real::NEG_INFINITY);
            for k in 0..n_out {
                let v: Real = window.clone().map(|t| readouts[t][(s, k)]).sum();
                if v > best.1 {
                    best = (k, v);
                }
            }
            right += usize::from(best.0 == labels[s]);
        }
        Ok(Some(right as Real / b as Real))
    }
}

/// `ShapeMismatch` (lengths written as `(len, 1)`) unless `got == expected`.
fn check_len(op: &'static str, expected: usize, got: usize) -> Result<()> {
    if got == expected {
        Ok(())
    } else {
        Err(PlasticityError::ShapeMismatch {
            op,
            expected: (expected, 1),
            got: (got, 1),
        })
    }
}

/// Checks that every step of a sequence has `shape` and finite values (`what step t` names a
/// non-finite one).
pub(crate) fn check_steps(
    op: &'static str,
    steps: &[Matrix],
    shape: (usize, usize),
    what: &str,
) -> Result<()> {
    for (t, m) in steps.iter().enumerate() {
        if m.shape() != shape {
            return Err(PlasticityError::ShapeMismatch {
                op,
                expected: shape,
                got: m.shape(),
            });
        }
        neurograd_tensor::validate::check_finite(m, &format!("{what} step {t}"))?;
    }
    Ok(())
}

/// Row-wise softmax cross-entropy: writes `softmax(z) − onehot(label)` into `grad` (same shape
/// as `z`) and returns `Σ_rows CE` (a sum, not a mean). Max-shifted for stability.
fn softmax_ce_rows(z: &Matrix, labels: &[usize], grad: &mut Matrix) -> Real {
    let (b, k) = z.shape();
    let mut total = 0.0;
    for s in 0..b {
        let m = (0..k)
            .map(|j| z[(s, j)])
            .fold(Real::NEG_INFINITY, Real::max);
        let mut sum = 0.0;
        for j in 0..k {
            let e = (z[(s, j)] - m).exp();
            grad[(s, j)] = e;
            sum += e;
        }
        for j in 0..k {
            grad[(s, j)] /= sum;
        }
        total += sum.ln() + m - z[(s, labels[s])];
        grad[(s, labels[s])] -= 1.0;
    }
    total
}

pub(crate) fn invalid(
    name: &'static str,
    value: impl std::fmt::Display,
    reason: impl Into<String>,
) -> PlasticityError {
    PlasticityError::InvalidParameter {
        name,
        value: value.to_string(),
        reason: reason.into(),
    }
}

// ---------------------------------------------------------------------------------------------
// Contracts
// ---------------------------------------------------------------------------------------------

/// What a recurrent network's forward pass returns.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Rollout {
    /// Readouts `y^t`, `T` matrices of `B × n_out`.
    pub readouts: Vec<Matrix>,
    /// Hidden outputs `h^t` (rates) or spikes `z^t` (0/1), `T` matrices of `B × n`.
    pub hidden: Vec<Matrix>,
    /// `true` if `hidden` holds spikes (a spiking network).
    pub spiking: bool,
}

/// A recurrent network a training loop can train: rate ([`RateRnn`]) or spiking.
///
/// Parameters follow the common layout (see [`Param`]); the trait is object safe.
pub trait RecurrentNet: Send + Sync {
    /// Short kind name (`"rate"`, `"lif"`, ...).
    fn kind(&self) -> &'static str;

    /// Sizes `(n_in, n_rec, n_out)`.
    fn sizes(&self) -> Sizes;

    /// Parameters `[W_in, W_rec, b, W_out, b_out]`.
    fn params(&self) -> &[Matrix];

    /// Runs `f` on the parameters transactionally, as
    /// [`credit::Network::update_params`](crate::credit::Network::update_params): `f` works on a
    /// copy that replaces the parameters only if `f` succeeds, every shape is unchanged and every
    /// value is finite (and any structural constraint of the network, e.g. a zero diagonal of
    /// `W_rec`, is re-imposed by the network). A failing `f` leaves the network unchanged.
    ///
    /// # Errors
    /// An error of `f`; [`PlasticityError::ShapeMismatch`] for a changed shape;
    /// [`PlasticityError::Tensor`] (`NonFinite`) for a non-finite value.
    fn update_params(&mut self, f: &mut dyn FnMut(&mut [Matrix]) -> Result<()>) -> Result<()>;

    /// Forward pass over `inputs` (`T` matrices of `B × n_in`) from the network's initial state.
    ///
    /// # Errors
    /// Empty or ragged inputs, wrong width, non-finite values.
    fn rollout(&self, inputs: &[Matrix]) -> Result<Rollout>;
}

/// A gradient algorithm for recurrent networks of type `N` (rate or spiking).
pub trait RecurrentAlgorithm<N: ?Sized>: Send {
    /// Registry name (`"bptt"`, `"rtrl"`, ...).
    fn name(&self) -> &'static str;

    /// The gradient (or the algorithm's approximation of it, with the sign of the loss gradient)
    /// of the batch loss at `net`'s parameters, and a report.
    ///
    /// # Errors
    /// A batch that does not fit the network ([`SequenceBatch::check_for`]), a network too large
    /// for the algorithm (RTRL), non-finite values.
    fn gradient(
        &mut self,
        net: &N,
        batch: &SequenceBatch,
    ) -> Result<(RecurrentGrads, GradientReport)>;

    /// Positions the algorithm's per-step randomness at training step `step` (as
    /// [`credit::CreditAssignment::set_step`](crate::credit::CreditAssignment::set_step)); the
    /// default ignores it (fixed random feedback draws nothing per step).
    fn set_step(&mut self, _step: u64) {}
}

// ---------------------------------------------------------------------------------------------
// Registry
// ---------------------------------------------------------------------------------------------

/// One registered recurrent algorithm for networks of type `N`.
pub struct AlgorithmInfo<N: ?Sized + 'static> {
    /// Registry name.
    pub name: &'static str,
    /// One-line description with its source.
    pub summary: &'static str,
    /// `true` if the algorithm computes the exact gradient (BPTT, RTRL), `false` for an
    /// approximation (truncated BPTT, RFLO, e-prop).
    pub exact: bool,
    /// Builds the algorithm for a network and a seed (random feedback drawn from the seed).
    pub constructor: Constructor<N>,
}

/// A registry constructor: `(network, seed) → boxed algorithm`.
pub type Constructor<N> = fn(&N, u64) -> Result<Box<dyn RecurrentAlgorithm<N>>>;

impl<N: ?Sized + 'static> AlgorithmInfo<N> {
    /// Builds the algorithm for `net` (random feedback drawn from `seed`).
    ///
    /// # Errors
    /// Constructor errors (a network the algorithm cannot size itself to).
    pub fn build(&self, net: &N, seed: u64) -> Result<Box<dyn RecurrentAlgorithm<N>>> {
        (self.constructor)(net, seed)
    }
}

impl<N: ?Sized + 'static> Clone for AlgorithmInfo<N> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<N: ?Sized + 'static> Copy for AlgorithmInfo<N> {}

impl<N: ?Sized + 'static> std::fmt::Debug for AlgorithmInfo<N> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AlgorithmInfo")
            .field("name", &self.name)
            .field("summary", &self.summary)
            .field("exact", &self.exact)
            .finish_non_exhaustive()
    }
}

/// A network type with a list of registered algorithms (implemented by the `registry!` list).
pub trait Registered: Sized + 'static {
    /// Registry name of the network family (`"rate"`, `"spiking"`).
    const FAMILY: &'static str;
    /// The algorithms registered for this network type, in registry order.
    const ALGORITHMS: &'static [AlgorithmInfo<Self>];
}

/// Boxes a constructed algorithm (the usual tail of a registry constructor).
pub fn boxed<N: ?Sized, A: RecurrentAlgorithm<N> + 'static>(
    a: A,
) -> Result<Box<dyn RecurrentAlgorithm<N>>> {
    Ok(Box::new(a))
}

/// Declares the registry from one list: per network type, the name of its list constant, its
/// family name, and per entry `"name" { summary, exact, constructor }` (the fields of
/// [`AlgorithmInfo`] but the name). Emits one `pub const LIST: &[AlgorithmInfo<Net>]`, the
/// [`Registered`] implementation of the network type, and [`ALL_ALGORITHM_NAMES`].
macro_rules! registry {
    ($( $net:ty => $list:ident ($family:literal) {
        $( $name:literal { $( $field:ident : $value:expr ),* $(,)? } )*
    } )*) => {
        $(
            #[doc = concat!("The algorithms registered for `", stringify!($net), "`, in order.")]
            pub const $list: &[AlgorithmInfo<$net>] = &[
                $( AlgorithmInfo { name: $name, $( $field: $value ),* }, )*
            ];
            impl Registered for $net {
                const FAMILY: &'static str = $family;
                const ALGORITHMS: &'static [AlgorithmInfo<Self>] = $list;
            }
        )*
        /// Every registered recurrent algorithm name, per network family, in registry order.
        pub const ALL_ALGORITHM_NAMES: &[(&str, &[&str])] = &[
            $( ($family, &[ $( $name ),* ]), )*
        ];
    };
}

// The registry: one entry per algorithm, per network type. Spiking networks add their own
// `SpikingNet => SPIKING_ALGORITHMS ("spiking") { ... }` block here.
registry! {
    RateRnn => RATE_ALGORITHMS ("rate") {
        "bptt" {
            summary: "backpropagation through time, hand-written (Werbos 1990); the exact gradient",
            exact: true,
            constructor: |_, _| boxed(Bptt::new()),
        }
        "bptt-tape" {
            summary: "backpropagation through time through the autodiff tape (the reference)",
            exact: true,
            constructor: |_, _| boxed(TapeBptt::new()),
        }
        "tbptt" {
            summary: "truncated BPTT(h = 20; h' = 10): every 10 steps, backpropagate 20 steps (Williams & Peng 1990)",
            exact: false,
            constructor: |_, _| boxed(TruncatedBptt::new(20, 10)?),
        }
        "rtrl" {
            summary: "real-time recurrent learning, exact forward sensitivities (Williams & Zipser 1989)",
            exact: true,
            constructor: |_, _| boxed(Rtrl::new()),
        }
        "rflo" {
            summary: "random feedback local online learning (Murray 2019)",
            exact: false,
            constructor: |net, seed| boxed(Rflo::new(net, seed)?),
        }
    }
    SpikingNet => SPIKING_ALGORITHMS ("spiking") {
        "bptt-sg" {
            summary: "surrogate-gradient BPTT, hand-written (Bellec et al. 2018; Neftci, Mostafa & Zenke 2019)",
            exact: true,
            constructor: |_, _| boxed(spiking::SurrogateBptt::new()),
        }
        "bptt-sg-tape" {
            summary: "surrogate-gradient BPTT through the autodiff tape (the reference)",
            exact: true,
            constructor: |_, _| boxed(spiking::TapeSurrogateBptt::new()),
        }
        "eprop-sym" {
            summary: "e-prop with symmetric feedback B = W_out^T (Bellec et al. 2020)",
            exact: false,
            constructor: |_, _| boxed(spiking::Eprop::symmetric(Default::default())?),
        }
        "eprop-random" {
            summary: "e-prop with fixed random feedback (Bellec et al. 2020)",
            exact: false,
            constructor: |net, seed| boxed(spiking::Eprop::random(net, Default::default(), seed)?),
        }
        "eprop-adaptive" {
            summary: "e-prop with adaptive (Kolen-Pollack) feedback (Bellec et al. 2020)",
            exact: false,
            constructor: |net, seed| boxed(spiking::Eprop::adaptive(net, Default::default(), seed)?),
        }
        "eprop-sym-wrec0" {
            summary: "symmetric e-prop on the network with W_rec zeroed (exact there with a detached reset)",
            exact: false,
            constructor: |_, _| boxed(spiking::Eprop::symmetric(spiking::EpropConfig {
                zero_recurrent: true,
                ..Default::default()
            })?),
        }
    }
}

/// Info of the algorithm `name` registered for network type `N`.
///
/// # Errors
/// [`PlasticityError::UnknownName`] listing the valid names for `N`.
pub fn info<N: Registered>(name: &str) -> Result<&'static AlgorithmInfo<N>> {
    N::ALGORITHMS
        .iter()
        .find(|a| a.name == name)
        .ok_or_else(|| PlasticityError::UnknownName {
            kind: "recurrent algorithm",
            name: name.to_string(),
            valid: N::ALGORITHMS
                .iter()
                .map(|a| a.name)
                .collect::<Vec<_>>()
                .join(","),
        })
}

/// Builds the algorithm `name` for `net` (random feedback drawn from `seed`).
///
/// # Errors
/// [`PlasticityError::UnknownName`] (listing the valid names for `N`); constructor errors.
pub fn by_name<N: Registered>(
    name: &str,
    net: &N,
    seed: u64,
) -> Result<Box<dyn RecurrentAlgorithm<N>>> {
    info::<N>(name)?.build(net, seed)
}

/// Every registered recurrent algorithm name, all families, in registry order.
pub fn algorithm_names() -> Vec<&'static str> {
    ALL_ALGORITHM_NAMES
        .iter()
        .flat_map(|(_, names)| names.iter().copied())
        .collect()
}

/// Checks a parameter list against the common layout `[W_in, W_rec, b, W_out, b_out]` of a
/// network of sizes `s` (count, shapes, finiteness); `op` names the caller in errors.
///
/// # Errors
/// [`PlasticityError::InvalidParameter`] for a wrong count, [`PlasticityError::ShapeMismatch`],
/// [`PlasticityError::Tensor`] (`NonFinite`).
pub(crate) fn check_param_list(op: &'static str, s: Sizes, params: &[Matrix]) -> Result<()> {
    if params.len() != 5 {
        return Err(invalid(
            "params",
            params.len(),
            "need [W_in, W_rec, b, W_out, b_out]",
        ));
    }
    for (p, m) in Param::ALL.iter().zip(params) {
        if m.shape() != p.shape(s) {
            return Err(PlasticityError::ShapeMismatch {
                op,
                expected: p.shape(s),
                got: m.shape(),
            });
        }
        neurograd_tensor::validate::check_finite(m, p.name())?;
    }
    Ok(())
}

/// Checks input steps (`T ≥ 1` steps of `B × n_in` with `B ≥ 1`, finite); `op` names the caller.
///
/// # Errors
/// [`PlasticityError::InvalidParameter`] for no steps or no samples,
/// [`PlasticityError::ShapeMismatch`], [`PlasticityError::Tensor`] (`NonFinite`).
pub(crate) fn check_input_steps(op: &'static str, n_in: usize, inputs: &[Matrix]) -> Result<()> {
    check_input_shapes(op, n_in, inputs)?;
    for (t, x) in inputs.iter().enumerate() {
        check_input_finite(x, t)?;
    }
    Ok(())
}

/// The shape part of [`check_input_steps`] (for passes that check finiteness while they scan
/// the inputs, with [`check_input_finite`] on the step that fails).
pub(crate) fn check_input_shapes(op: &'static str, n_in: usize, inputs: &[Matrix]) -> Result<()> {
    let Some(first) = inputs.first() else {
        return Err(invalid("inputs", 0, "a sequence needs at least one step"));
    };
    let b = first.nrows();
    if b == 0 {
        return Err(invalid("inputs", 0, "a step needs at least one sample"));
    }
    for x in inputs {
        if x.shape() != (b, n_in) {
            return Err(PlasticityError::ShapeMismatch {
                op,
                expected: (b, n_in),
                got: x.shape(),
            });
        }
    }
    Ok(())
}

/// The finiteness part of [`check_input_steps`] for input step `t`.
pub(crate) fn check_input_finite(x: &Matrix, t: usize) -> Result<()> {
    neurograd_tensor::validate::check_finite(x, &format!("input step {t}"))?;
    Ok(())
}

/// The transactional parameter update of [`RecurrentNet::update_params`]: runs `f` on a copy,
/// checks it ([`check_param_list`]), applies the network's structural constraint `fixup` (e.g. a
/// zero diagonal of `W_rec`) and only then replaces `params`.
///
/// # Errors
/// An error of `f`, or of [`check_param_list`]; `params` is unchanged then.
pub(crate) fn update_param_list(
    op: &'static str,
    s: Sizes,
    params: &mut Vec<Matrix>,
    f: &mut dyn FnMut(&mut [Matrix]) -> Result<()>,
    fixup: impl FnOnce(&mut [Matrix]),
) -> Result<()> {
    let mut work = params.clone();
    f(&mut work)?;
    check_param_list(op, s, &work)?;
    fixup(&mut work);
    *params = work;
    Ok(())
}
