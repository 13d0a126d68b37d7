//! Anti-Hebbian lateral decorrelation (Földiák 1989, 1990).
//!
//! Linear network (Földiák 1989): lateral weights `M` (`n x n`, zero diagonal),
//! `y = x + M y ⇒ y = (I − M)⁻¹ x`, `ΔM_ij = −α (y_i y_j − p²)` for `i ≠ j`, with `p = 0` for the
//! linear network and `p` the target firing probability in the sparse binary network of
//! Földiák (1990, Biol. Cybern. 64:165), where the caller additionally clips lateral weights to
//! `≤ 0`.
//!
//! Theory: a fixed-point rule, not the gradient of a simple scalar: `E[ΔM_ij] = 0 ⇔
//! E[y_i y_j] = p²` (decorrelated outputs for `p = 0`). It needs `I − M` invertible.

use super::check;
use super::rule::{Activity, LocalRule, mean_outer};
use crate::{PlasticityError, Result};
use neurograd_tensor::{Matrix, Real};

/// Földiák's anti-Hebbian lateral rule; `weights` are the lateral weights `M` (`n x n`), `pre` is
/// the feedforward input `x`, `post` the settled output `y`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Foldiak {
    /// Target co-activation `p` (`p²` is subtracted); 0 for the linear decorrelating network.
    pub p: Real,
}

impl Foldiak {
    /// The rule with target probability `p ∈ [0, 1]`.
    pub fn new(p: Real) -> Result<Self> {
        if !(p.is_finite() && (0.0..=1.0).contains(&p)) {
            return Err(PlasticityError::InvalidParameter {
                name: "p",
                value: format!("{p}"),
                reason: "must be in [0, 1]".to_string(),
            });
        }
        Ok(Self { p })
    }
}

/// `y = (I − M)⁻¹ x` for every row of `pre`; errors when `I − M` is singular.
pub fn settle(m: &Matrix, pre: &Matrix) -> Result<Matrix> {
    let n = m.nrows();
    check::shape("foldiak::settle", m, (n, n))?;
    check::shape("foldiak::settle", pre, (pre.nrows(), n))?;
    check::finite_matrix("lateral weights", m)?;
    let a = Matrix::identity(n, n) - m;
    // Y = X (I − M)⁻ᵀ  ⇔  (I − M) Yᵀ = Xᵀ
    let yt = a
        .lu()
        .solve(&pre.transpose())
        .ok_or_else(|| PlasticityError::InvalidParameter {
            name: "lateral weights",
            value: format!("{n} x {n}"),
            reason: "I − M is singular".to_string(),
        })?;
    Ok(yt.transpose())
}

impl LocalRule for Foldiak {
    fn delta(&self, activity: &Activity<'_>, weights: &Matrix) -> Result<Matrix> {
        activity.validate("Foldiak::delta", weights)?;
        let n = weights.nrows();
        check::shape("Foldiak::delta", weights, (n, n))?;
        let mut d = -mean_outer(activity.post, activity.post)?;
        let p2 = self.p * self.p;
        for i in 0..n {
            for j in 0..n {
                if i == j {
                    d[(i, j)] = 0.0;
                } else {
                    d[(i, j)] += p2;
                }
            }
        }
        Ok(d)
    }

    fn name(&self) -> &'static str {
        "foldiak"
    }

    fn response(&self, weights: &Matrix, pre: &Matrix) -> Result<Matrix> {
        settle(weights, pre)
    }
}

/// The output covariance `G C Gᵀ`, `G = (I − M)⁻¹`, for input covariance `C`.
pub fn output_covariance(m: &Matrix, c: &Matrix) -> Result<Matrix> {
    let n = m.nrows();
    check::shape("foldiak::output_covariance", c, (n, n))?;
    let g = settle(m, &Matrix::identity(n, n))?.transpose();
    Ok(&g * c * g.transpose())
}

/// The expected linear update `−offdiag(G C Gᵀ)` (with `p = 0`).
pub fn expected_delta(m: &Matrix, c: &Matrix) -> Result<Matrix> {
    let cy = output_covariance(m, c)?;
    let n = m.nrows();
    Ok(Matrix::from_fn(n, n, |i, j| {
        if i == j { 0.0 } else { -cy[(i, j)] }
    }))
}
