//! Oja's rule (Oja 1982, J. Math. Biol. 15:267).
//!
//! `y = W x`, each output row independently: `Δw = η y (x − y w)` (batch mean).
//!
//! Theory:
//! - per-sample identity for **any** `w`: `y(x − y w) = (I − w wᵀ)(y x)`;
//! - at `‖w‖ = 1` the expected update `C w − (wᵀCw) w = (I − wwᵀ) C w` is the Riemannian
//!   (tangent-projected) gradient of `½ wᵀCw` on the unit sphere;
//! - first-order expansion of normalised Hebb at `‖w‖ = 1`:
//!   `(w + ηyx)/‖w + ηyx‖ = w + η y(x − yw) + O(η²)`;
//! - the expected field `f(w) = Cw − (wᵀCw)w` is not a Euclidean gradient of any function: its
//!   Jacobian `J = C − (wᵀCw) I − 2 w wᵀ C` is not symmetric;
//! - `w → ±e₁` (top eigenvector), `‖w‖ → 1`, when `λ₁ > λ₂` and the step is small or decays.

use super::check;
use super::harness::{Constraint, Relation};
use super::objective::OutputSecondMoment;
use super::rule::{Activity, LocalRule, Theory, mean_outer};
use crate::{PlasticityError, Result};
use neurograd_tensor::{Matrix, Real, Vector};

/// Oja's rule, applied to every output row independently.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Oja;

impl LocalRule for Oja {
    fn delta(&self, activity: &Activity<'_>, weights: &Matrix) -> Result<Matrix> {
        activity.validate("Oja::delta", weights)?;
        let y = activity.post;
        let b = y.nrows() as Real;
        let mut d = mean_outer(y, activity.pre)?;
        // `d_kj -= w_kj m2_k`, column by column: the storage is column-major, so this walks
        // memory in order with no temporary row (the same operations as a row-wise update, in
        // another order, so the same bits).
        let m2: Vec<Real> = (0..weights.nrows())
            .map(|k| y.column(k).norm_squared() / b)
            .collect();
        for (mut dc, wc) in d.column_iter_mut().zip(weights.column_iter()) {
            for ((dv, &wv), &m) in dc.iter_mut().zip(wc.iter()).zip(&m2) {
                *dv -= wv * m;
            }
        }
        Ok(d)
    }

    fn name(&self) -> &'static str {
        "oja"
    }

    fn theory(&self) -> Option<Theory> {
        Some(Theory {
            objective: Box::new(OutputSecondMoment),
            relation: Relation::ProjectedGradient(Constraint::UnitSphereRows),
            source: "Oja 1982",
        })
    }
}

fn square_check(c: &Matrix, w: &Vector) -> Result<()> {
    check::shape("oja expected field", c, (w.len(), w.len()))?;
    check::finite_matrix("covariance", c)?;
    check::finite_vector("weights", w)
}

/// The expected Oja field `f(w) = C w − (wᵀ C w) w` for covariance (second moment) `C`.
pub fn expected_update(c: &Matrix, w: &Vector) -> Result<Vector> {
    square_check(c, w)?;
    let cw = c * w;
    let q = w.dot(&cw);
    Ok(cw - w * q)
}

/// The Jacobian of [`expected_update`] for symmetric `C`:
/// `J = C − (wᵀCw) I − 2 w wᵀ C`.
pub fn expected_jacobian(c: &Matrix, w: &Vector) -> Result<Matrix> {
    square_check(c, w)?;
    let n = w.len();
    let cw = c * w;
    let q = w.dot(&cw);
    Ok(c - Matrix::identity(n, n) * q - (w * cw.transpose()) * 2.0)
}

/// `‖J − Jᵀ‖_F` of the Oja field's Jacobian: zero is necessary for the field to be the gradient
/// of some function (symmetry of second derivatives); Oja's field gives a positive value.
pub fn jacobian_asymmetry(c: &Matrix, w: &Vector) -> Result<Real> {
    let j = expected_jacobian(c, w)?;
    Ok((&j - j.transpose()).norm())
}

/// One normalised-Hebb step `(w + η y x)/‖w + η y x‖` with `y = wᵀx`, the rule Oja's is the
/// first-order expansion of.
pub fn normalized_hebb_step(w: &Vector, x: &Vector, eta: Real) -> Result<Vector> {
    if w.len() != x.len() {
        return Err(PlasticityError::ShapeMismatch {
            op: "normalized_hebb_step",
            expected: (w.len(), 1),
            got: (x.len(), 1),
        });
    }
    check::finite_vector("weights", w)?;
    check::finite_vector("input", x)?;
    let y = w.dot(x);
    let v = w + x * (eta * y);
    let n = v.norm();
    if n == 0.0 || !n.is_finite() {
        return Err(PlasticityError::InvalidParameter {
            name: "weights",
            value: format!("norm {n}"),
            reason: "normalised Hebb needs a non-zero finite w + η y x".to_string(),
        });
    }
    Ok(v / n)
}

/// One Oja step `w + η y (x − y w)` with `y = wᵀx`.
pub fn oja_step(w: &Vector, x: &Vector, eta: Real) -> Result<Vector> {
    if w.len() != x.len() {
        return Err(PlasticityError::ShapeMismatch {
            op: "oja_step",
            expected: (w.len(), 1),
            got: (x.len(), 1),
        });
    }
    check::finite_vector("weights", w)?;
    check::finite_vector("input", x)?;
    let y = w.dot(x);
    Ok(w + (x - w * y) * (eta * y))
}
