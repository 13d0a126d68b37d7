//! Objectives that theory names for local rules, and the data they are evaluated on.
//!
//! An [`Objective`] gives a value and optionally an analytic gradient with respect to the weights;
//! without one, the harness differentiates [`Objective::value`] by central finite differences
//! ([`finite_difference_gradient`]).

use super::check;
use crate::{PlasticityError, Result};
use neurograd_tensor::{Matrix, Real, Vector};

/// A batch of data for a rule and its objective: inputs (one sample per row), and optionally
/// targets and a per-sample modulator.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    /// Inputs (presynaptic activity), `B x n_in`.
    pub pre: Matrix,
    /// Targets, `B x n_out`.
    pub target: Option<Matrix>,
    /// Third factor per sample, length `B`.
    pub modulator: Option<Vector>,
}

impl Batch {
    /// A batch of inputs; errors on an empty batch or non-finite entries.
    pub fn new(pre: Matrix) -> Result<Self> {
        check::non_empty("pre", pre.nrows())?;
        check::finite_matrix("pre activity", &pre)?;
        Ok(Self {
            pre,
            target: None,
            modulator: None,
        })
    }

    /// Adds targets; errors unless they have one row per sample and are finite.
    pub fn with_target(mut self, target: Matrix) -> Result<Self> {
        if target.nrows() != self.pre.nrows() {
            return Err(PlasticityError::ShapeMismatch {
                op: "Batch::with_target",
                expected: (self.pre.nrows(), target.ncols()),
                got: target.shape(),
            });
        }
        check::finite_matrix("target", &target)?;
        self.target = Some(target);
        Ok(self)
    }

    /// Adds a per-sample modulator; errors unless it has one entry per sample and is finite.
    pub fn with_modulator(mut self, modulator: Vector) -> Result<Self> {
        if modulator.len() != self.pre.nrows() {
            return Err(PlasticityError::ShapeMismatch {
                op: "Batch::with_modulator",
                expected: (self.pre.nrows(), 1),
                got: (modulator.len(), 1),
            });
        }
        check::finite_vector("modulator", &modulator)?;
        self.modulator = Some(modulator);
        Ok(self)
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.pre.nrows()
    }

    /// Always false for a constructed batch (kept for API symmetry with `len`).
    pub fn is_empty(&self) -> bool {
        self.pre.nrows() == 0
    }

    /// The batch of the single sample `i`; errors when `i` is out of range.
    pub fn sample(&self, i: usize) -> Result<Batch> {
        if i >= self.len() {
            return Err(PlasticityError::InvalidParameter {
                name: "sample index",
                value: i.to_string(),
                reason: format!("batch has {} samples", self.len()),
            });
        }
        Ok(Batch {
            pre: self.pre.rows(i, 1).into_owned(),
            target: self.target.as_ref().map(|t| t.rows(i, 1).into_owned()),
            modulator: self
                .modulator
                .as_ref()
                .map(|m| Vector::from_element(1, m[i])),
        })
    }

    /// The targets, or a typed error naming the objective that needs them.
    pub fn require_target(&self, op: &'static str) -> Result<&Matrix> {
        self.target
            .as_ref()
            .ok_or_else(|| PlasticityError::InvalidParameter {
                name: "target",
                value: "none".to_string(),
                reason: format!("{op} needs targets"),
            })
    }
}

/// Whether the rule is claimed to climb (`Ascent`) or descend (`Descent`) the objective.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sense {
    /// The update follows `+∇R`.
    Ascent,
    /// The update follows `−∇L`.
    Descent,
}

impl Sense {
    /// `+1` for ascent, `-1` for descent.
    pub fn sign(self) -> Real {
        match self {
            Sense::Ascent => 1.0,
            Sense::Descent => -1.0,
        }
    }
}

/// A scalar function of the weights on a batch, with an optional analytic gradient.
pub trait Objective {
    /// A short name for reports.
    fn name(&self) -> &'static str;

    /// Whether the rule climbs or descends it.
    fn sense(&self) -> Sense {
        Sense::Ascent
    }

    /// The value at `weights` on `batch`.
    fn value(&self, weights: &Matrix, batch: &Batch) -> Result<Real>;

    /// The analytic gradient, if known (same shape as `weights`); `None` means "use finite
    /// differences of [`value`](Objective::value)".
    fn gradient(&self, weights: &Matrix, batch: &Batch) -> Option<Result<Matrix>> {
        let _ = (weights, batch);
        None
    }
}

/// Central finite-difference gradient of `objective` at `weights`:
/// `∂R/∂W_ij ≈ (R(W + h_ij E_ij) − R(W − h_ij E_ij)) / (2 h_ij)` with `h_ij = step · max(1, |W_ij|)`.
/// Truncation error `O(h²)`, round-off `O(eps/h)`; `step = 1e-5` gives about 1e-10 relative.
pub fn finite_difference_gradient(
    objective: &dyn Objective,
    weights: &Matrix,
    batch: &Batch,
    step: Real,
) -> Result<Matrix> {
    check::positive("step", step)?;
    let mut w = weights.clone();
    let mut grad = Matrix::zeros(weights.nrows(), weights.ncols());
    for j in 0..weights.ncols() {
        for i in 0..weights.nrows() {
            let w0 = weights[(i, j)];
            let h = step * w0.abs().max(1.0);
            w[(i, j)] = w0 + h;
            let up = objective.value(&w, batch)?;
            w[(i, j)] = w0 - h;
            let down = objective.value(&w, batch)?;
            w[(i, j)] = w0;
            grad[(i, j)] = (up - down) / (2.0 * h);
        }
    }
    Ok(grad)
}

/// `R(W) = ½ mean_b ‖W x_b‖²`, the output second moment of linear units (the output variance
/// for zero-mean inputs); `∇R = W Ĉ` with `Ĉ = XᵀX/B`. Plain Hebb ascends it (Hebb 1949; Dayan &
/// Abbott 2001, ch. 8); Oja (1982) ascends it on the unit sphere.
#[derive(Debug, Clone, Copy, Default)]
pub struct OutputSecondMoment;

impl Objective for OutputSecondMoment {
    fn name(&self) -> &'static str {
        "output second moment ½E[y²]"
    }

    fn value(&self, weights: &Matrix, batch: &Batch) -> Result<Real> {
        let y = super::rule::linear_response(weights, &batch.pre)?;
        Ok(0.5 * y.norm_squared() / batch.len() as Real)
    }

    fn gradient(&self, weights: &Matrix, batch: &Batch) -> Option<Result<Matrix>> {
        Some(
            super::rule::linear_response(weights, &batch.pre)
                .and_then(|y| super::rule::mean_outer(&y, &batch.pre)),
        )
    }
}

/// `R(W) = ½ mean_b ‖W (x_b − x̄)‖²`, the output variance of linear units on a batch with its
/// empirical mean `x̄`; `∇R = W Σ̂`. The covariance rule (Sejnowski 1977) ascends it in
/// expectation.
#[derive(Debug, Clone, Copy, Default)]
pub struct OutputVariance;

impl Objective for OutputVariance {
    fn name(&self) -> &'static str {
        "output variance ½Var(y)"
    }

    fn value(&self, weights: &Matrix, batch: &Batch) -> Result<Real> {
        let xc = centred(&batch.pre);
        let y = super::rule::linear_response(weights, &xc)?;
        Ok(0.5 * y.norm_squared() / batch.len() as Real)
    }

    fn gradient(&self, weights: &Matrix, batch: &Batch) -> Option<Result<Matrix>> {
        let xc = centred(&batch.pre);
        Some(
            super::rule::linear_response(weights, &xc)
                .and_then(|y| super::rule::mean_outer(&y, &xc)),
        )
    }
}

/// Column means of a batch (one sample per row), as a `1 x n` matrix.
pub fn column_means(m: &Matrix) -> Matrix {
    let b = m.nrows().max(1) as Real;
    Matrix::from_fn(1, m.ncols(), |_, j| m.column(j).sum() / b)
}

/// The batch minus its column means.
pub fn centred(m: &Matrix) -> Matrix {
    let mean = column_means(m);
    Matrix::from_fn(m.nrows(), m.ncols(), |i, j| m[(i, j)] - mean[(0, j)])
}
