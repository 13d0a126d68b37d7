//! Oja's subspace rule (Oja 1989, Int. J. Neural Systems 1:61).
//!
//! `y = W x`, `ΔW = η (y xᵀ − y yᵀ W)`.
//!
//! Theory: `E[ΔW] = W C − (W C Wᵀ) W`, which at orthonormal rows (`W Wᵀ = I`) is the gradient
//! of `½ tr(W C Wᵀ)` projected onto the tangent space of the Stiefel manifold. The row space
//! converges to the top-`m` principal subspace (projector `Wᵀ(WWᵀ)⁻¹W → P*`), but the rows are an
//! arbitrary rotation of the eigenvectors (the rotation freedom of Baldi & Hornik 1989), unlike
//! [`Sanger`](super::sanger::Sanger).

use super::check;
use super::harness::{Constraint, Relation};
use super::objective::OutputSecondMoment;
use super::rule::{Activity, LocalRule, Theory, mean_outer};
use crate::{PlasticityError, Result};
use neurograd_tensor::{Matrix, Real};

/// Oja's subspace rule.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OjaSubspace;

impl LocalRule for OjaSubspace {
    fn delta(&self, activity: &Activity<'_>, weights: &Matrix) -> Result<Matrix> {
        activity.validate("OjaSubspace::delta", weights)?;
        let y = activity.post;
        let yy = mean_outer(y, y)?;
        let mut d = mean_outer(y, activity.pre)?;
        d -= yy * weights;
        Ok(d)
    }

    fn name(&self) -> &'static str {
        "oja subspace"
    }

    fn theory(&self) -> Option<Theory> {
        Some(Theory {
            objective: Box::new(OutputSecondMoment),
            relation: Relation::ProjectedGradient(Constraint::Stiefel),
            source: "Oja 1989",
        })
    }
}

/// The orthogonal projector onto the row space of `w` (`m x n`): `Wᵀ (W Wᵀ)⁻¹ W`; errors when
/// the rows are linearly dependent.
pub fn row_projector(w: &Matrix) -> Result<Matrix> {
    check::finite_matrix("weights", w)?;
    let g = w * w.transpose();
    let inv = g
        .try_inverse()
        .ok_or_else(|| PlasticityError::InvalidParameter {
            name: "weights",
            value: format!("{} x {}", w.nrows(), w.ncols()),
            reason: "rows are linearly dependent (W Wᵀ singular)".to_string(),
        })?;
    Ok(w.transpose() * inv * w)
}

/// `‖P(W) − P(E)‖_F`, the Frobenius distance between the orthogonal projectors onto the row
/// spaces of `w` and `e` (same number of columns). Not the chordal
/// [`neurograd_tensor::geometry::subspace_distance`], which divides by `√2` and takes column
/// spaces.
pub fn projector_distance(w: &Matrix, e: &Matrix) -> Result<Real> {
    check::shape("projector_distance", e, (e.nrows(), w.ncols()))?;
    Ok((row_projector(w)? - row_projector(e)?).norm())
}
