//! The public conformance harness: checks the relation theory claims between a rule's update and
//! the gradient of the objective it names, and reports the measured cosine and relative error.
//!
//! Usable from plain code ([`Harness::check`], [`Harness::check_against`] return a [`Report`]) and,
//! with the crate feature `testing`, from proptest (`Report::into_test_result`, `strategies`).
//! Spike-timing rules have their own checks in [`spikes`] (trace implementation vs brute force,
//! drift vs rate formula).
//!
//! Cosines and relative errors are [`neurograd_tensor::geometry::cosine`] and
//! [`neurograd_tensor::geometry::relative_error`] (`‖Δ − g‖ / max(‖Δ‖, ‖g‖)`, symmetric).
//!
//! Relations ([`Relation`]), with `g = ±∇R(W)` (sign from [`Sense`](super::Sense)) and `Δ` the
//! rule's update per unit learning rate:
//! - `GradientStep`: `Δ(x_b) = g(x_b)` for **every single sample** `b` (e.g. Hebb vs `∇½y²`);
//! - `ExpectedGradient`: the batch-mean update equals the gradient of the batch objective (an
//!   empirical expectation; e.g. BCM with `θ = mean(c²)` vs Intrator & Cooper 1992);
//! - `ProjectedGradient(c)`: the batch update equals `g` projected onto the tangent space of the
//!   constraint `c` at `W` (e.g. Oja 1982 on the unit sphere);
//! - `Aligned { min_cosine }`: `cos(Δ, g) ≥ min_cosine` for the batch update.

pub mod conformance;
pub mod spikes;

use super::check;
use super::objective::{Batch, Objective, finite_difference_gradient};
use super::rule::{Activity, LocalRule};
use crate::{PlasticityError, Result};
use neurograd_tensor::{Matrix, Real, TensorError, geometry};

/// A constraint manifold for [`Relation::ProjectedGradient`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Constraint {
    /// Every row of `W` on the unit sphere; tangent projection per row
    /// `P(g) = g − (w·g) w / ‖w‖²` (= `(I − wwᵀ) g` at `‖w‖ = 1`).
    UnitSphereRows,
    /// Orthonormal rows (Stiefel manifold, `W Wᵀ = I`); tangent projection
    /// `P(G) = G − ½ (W Gᵀ + G Wᵀ) W` (Edelman, Arias & Smith 1998, embedded metric).
    Stiefel,
}

impl Constraint {
    /// Projects `g` onto the tangent space at `w`.
    ///
    /// # Errors
    /// [`PlasticityError::ShapeMismatch`] unless `g` has the shape of `w`.
    pub fn project(&self, w: &Matrix, g: &Matrix) -> Result<Matrix> {
        check::shape("Constraint::project", g, w.shape())?;
        Ok(match self {
            Constraint::UnitSphereRows => {
                let mut out = g.clone();
                for i in 0..w.nrows() {
                    let wr = w.row(i);
                    let n2 = wr.norm_squared();
                    if n2 > 0.0 {
                        let c = wr.dot(&g.row(i)) / n2;
                        let new = g.row(i) - wr * c;
                        out.set_row(i, &new);
                    }
                }
                out
            }
            Constraint::Stiefel => {
                let sym = w * g.transpose() + g * w.transpose();
                g - sym * w * 0.5
            }
        })
    }

    /// How far `w` is from the constraint: `max_i |‖w_i‖ − 1|` or `max |W Wᵀ − I|`.
    pub fn violation(&self, w: &Matrix) -> Real {
        match self {
            Constraint::UnitSphereRows => (0..w.nrows())
                .map(|i| (w.row(i).norm() - 1.0).abs())
                .fold(0.0, Real::max),
            Constraint::Stiefel => {
                let g = w * w.transpose() - Matrix::identity(w.nrows(), w.nrows());
                g.amax()
            }
        }
    }
}

/// The relation theory claims between a rule's update and its objective's gradient.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Relation {
    /// Equal to the gradient step for every single sample.
    GradientStep,
    /// Equal to the gradient projected onto the tangent space of a constraint.
    ProjectedGradient(Constraint),
    /// Equal to the gradient of the batch objective for the batch-mean update.
    ExpectedGradient,
    /// Cosine with the gradient at least `min_cosine`.
    Aligned {
        /// The smallest acceptable cosine.
        min_cosine: Real,
    },
}

/// What the harness measured.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The rule's name.
    pub rule: &'static str,
    /// The objective's name.
    pub objective: &'static str,
    /// The relation checked.
    pub relation: Relation,
    /// Cosine between update and (projected) gradient; for `GradientStep` the smallest over samples.
    pub cosine: Real,
    /// `‖Δ − g‖ / max(‖Δ‖, ‖g‖)`; for `GradientStep` the largest over samples.
    pub relative_error: Real,
    /// Tolerance applied to `relative_error` (unused by `Aligned`).
    pub tolerance: Real,
    /// Whether the gradient was analytic (`false`: central finite differences).
    pub analytic_gradient: bool,
    /// Distance of the weights from the constraint (`ProjectedGradient` only, else 0).
    pub constraint_violation: Real,
    /// Norm of the (batch) update; for `GradientStep` the largest over samples.
    pub update_norm: Real,
    /// Norm of the (batch, projected) gradient; for `GradientStep` the largest over samples.
    pub gradient_norm: Real,
    /// Whether the relation holds within the tolerance / bound.
    pub holds: bool,
}

#[cfg(feature = "testing")]
impl Report {
    /// For proptest (crate feature `testing`): `Ok(())` when the relation holds, else a failure carrying the numbers.
    pub fn into_test_result(self) -> std::result::Result<(), proptest::test_runner::TestCaseError> {
        if self.holds {
            Ok(())
        } else {
            Err(proptest::test_runner::TestCaseError::fail(format!(
                "{self}"
            )))
        }
    }
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} vs {} ({:?}): cosine {:.12}, relative error {:.3e} (tolerance {:.1e}, {} gradient), {}",
            self.rule,
            self.objective,
            self.relation,
            self.cosine,
            self.relative_error,
            self.tolerance,
            if self.analytic_gradient {
                "analytic"
            } else {
                "finite-difference"
            },
            if self.holds { "holds" } else { "does not hold" }
        )
    }
}

/// Harness settings: tolerances and finite-difference step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Harness {
    /// Relative tolerance with an analytic gradient (default 1e-9: algebraic identity up to
    /// summation order).
    pub tolerance: Real,
    /// Relative tolerance with a finite-difference gradient (default 1e-7; truncation and
    /// round-off are about 1e-10 at step 1e-5, margin x1000).
    pub fd_tolerance: Real,
    /// Central-difference step (default 1e-5, scaled by `max(1, |w|)`).
    pub fd_step: Real,
    /// Always use finite differences, even when an analytic gradient exists (checks the latter).
    pub force_finite_differences: bool,
}

impl Default for Harness {
    fn default() -> Self {
        Self {
            tolerance: 1e-9,
            fd_tolerance: 1e-7,
            fd_step: 1e-5,
            force_finite_differences: false,
        }
    }
}

/// [`geometry::cosine_params`] of two equally shaped matrices, except that a zero matrix (where
/// the cosine is undefined) gives 1 against another zero matrix and 0 against a non-zero one, so
/// that a rule and a gradient that both vanish on a sample agree.
fn update_cosine(a: &Matrix, b: &Matrix) -> Result<Real> {
    match geometry::cosine_params(std::slice::from_ref(a), std::slice::from_ref(b)) {
        Err(TensorError::ZeroNorm { .. }) => Ok(if a.norm() == 0.0 && b.norm() == 0.0 {
            1.0
        } else {
            0.0
        }),
        other => Ok(other?),
    }
}

impl Harness {
    /// Checks `rule` against the theory it states ([`LocalRule::theory`]); errors with
    /// [`PlasticityError::InvalidParameter`] if it states none.
    pub fn check(&self, rule: &dyn LocalRule, weights: &Matrix, batch: &Batch) -> Result<Report> {
        let theory = rule
            .theory()
            .ok_or_else(|| PlasticityError::InvalidParameter {
                name: "rule",
                value: rule.name().to_string(),
                reason: "states no objective (LocalRule::theory returns None)".to_string(),
            })?;
        self.check_against(
            rule,
            theory.objective.as_ref(),
            theory.relation,
            weights,
            batch,
        )
    }

    fn update(&self, rule: &dyn LocalRule, weights: &Matrix, batch: &Batch) -> Result<Matrix> {
        let post = rule.response(weights, &batch.pre)?;
        let mut act = Activity::new(&batch.pre, &post);
        if let Some(t) = batch.target.as_ref() {
            act = act.with_target(t);
        }
        if let Some(m) = batch.modulator.as_ref() {
            act = act.with_modulator(m);
        }
        let d = rule.delta(&act, weights)?;
        check::shape("harness: rule update", &d, weights.shape())?;
        check::finite_matrix("rule update", &d)?;
        Ok(d)
    }

    fn direction(
        &self,
        objective: &dyn Objective,
        weights: &Matrix,
        batch: &Batch,
    ) -> Result<(Matrix, bool)> {
        let sign = objective.sense().sign();
        let analytic = if self.force_finite_differences {
            None
        } else {
            objective.gradient(weights, batch)
        };
        let (g, is_analytic) = match analytic {
            Some(g) => (g?, true),
            None => (
                finite_difference_gradient(objective, weights, batch, self.fd_step)?,
                false,
            ),
        };
        check::shape("harness: objective gradient", &g, weights.shape())?;
        check::finite_matrix("objective gradient", &g)?;
        Ok((g * sign, is_analytic))
    }

    /// Checks `rule` against an explicit objective and relation at `weights` on `batch`.
    pub fn check_against(
        &self,
        rule: &dyn LocalRule,
        objective: &dyn Objective,
        relation: Relation,
        weights: &Matrix,
        batch: &Batch,
    ) -> Result<Report> {
        check::finite_matrix("weights", weights)?;
        let mut report = Report {
            rule: rule.name(),
            objective: objective.name(),
            relation,
            cosine: 1.0,
            relative_error: 0.0,
            tolerance: self.tolerance,
            analytic_gradient: true,
            constraint_violation: 0.0,
            update_norm: 0.0,
            gradient_norm: 0.0,
            holds: false,
        };
        match relation {
            Relation::GradientStep => {
                for b in 0..batch.len() {
                    let s = batch.sample(b)?;
                    let d = self.update(rule, weights, &s)?;
                    let (g, analytic) = self.direction(objective, weights, &s)?;
                    report.analytic_gradient &= analytic;
                    report.cosine = report.cosine.min(update_cosine(&d, &g)?);
                    report.relative_error =
                        report.relative_error.max(geometry::relative_error(&d, &g)?);
                    report.update_norm = report.update_norm.max(d.norm());
                    report.gradient_norm = report.gradient_norm.max(g.norm());
                }
            }
            Relation::ExpectedGradient
            | Relation::Aligned { .. }
            | Relation::ProjectedGradient(_) => {
                let d = self.update(rule, weights, batch)?;
                let (mut g, analytic) = self.direction(objective, weights, batch)?;
                if let Relation::ProjectedGradient(c) = relation {
                    g = c.project(weights, &g)?;
                    report.constraint_violation = c.violation(weights);
                }
                report.analytic_gradient = analytic;
                report.cosine = update_cosine(&d, &g)?;
                report.relative_error = geometry::relative_error(&d, &g)?;
                report.update_norm = d.norm();
                report.gradient_norm = g.norm();
            }
        }
        if !report.analytic_gradient {
            report.tolerance = self.fd_tolerance;
        }
        report.holds = match relation {
            Relation::Aligned { min_cosine } => report.cosine >= min_cosine,
            _ => report.relative_error <= report.tolerance,
        };
        Ok(report)
    }
}

/// proptest strategies for harness inputs (matrices with entries in a range); crate feature
/// `testing`.
#[cfg(feature = "testing")]
pub mod strategies {
    use neurograd_tensor::{Matrix, Real};
    use proptest::prelude::*;

    /// A `rows x cols` matrix with i.i.d. entries uniform in `[-scale, scale]`.
    pub fn matrix(rows: usize, cols: usize, scale: Real) -> impl Strategy<Value = Matrix> {
        proptest::collection::vec(-scale..=scale, rows * cols)
            .prop_map(move |v| Matrix::from_vec(rows, cols, v))
    }

    /// A `rows x cols` matrix whose rows are rescaled to unit norm (rows with norm below 1e-3
    /// are replaced by a unit basis vector).
    pub fn unit_rows(rows: usize, cols: usize) -> impl Strategy<Value = Matrix> {
        matrix(rows, cols, 1.0).prop_map(|mut m| {
            let cols = m.ncols();
            for i in 0..m.nrows() {
                let n = m.row(i).norm();
                if n < 1e-3 {
                    m.row_mut(i).fill(0.0);
                    m[(i, i % cols)] = 1.0;
                } else {
                    m.row_mut(i).unscale_mut(n);
                }
            }
            m
        })
    }

    /// A spike train on a 1 ms grid of `len` steps, each step spiking with probability `p`
    /// (sorted times in ms; coincident pre/post spikes occur, the edge case of the trace rules).
    pub fn grid_train(len: usize, p: f64) -> impl Strategy<Value = Vec<Real>> {
        proptest::collection::vec(proptest::bool::weighted(p), len).prop_map(|bits| {
            bits.iter()
                .enumerate()
                .filter(|(_, b)| **b)
                .map(|(i, _)| i as Real)
                .collect()
        })
    }

    /// Up to `max_count - 1` reward pulses `(time, amount)` on the same 1 ms grid of `len` steps,
    /// amounts uniform in `[-1, 1)`, sorted by time.
    pub fn rewards(len: usize, max_count: usize) -> impl Strategy<Value = Vec<(Real, Real)>> {
        proptest::collection::vec((0..len, -1.0..1.0), 0..max_count).prop_map(|r| {
            let mut v: Vec<(Real, Real)> = r.into_iter().map(|(i, a)| (i as Real, a)).collect();
            v.sort_by(|a, b| a.0.total_cmp(&b.0));
            v
        })
    }
}
