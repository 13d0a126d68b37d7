//! Sanger's generalised Hebbian algorithm (GHA; Sanger 1989, Neural Networks 2:459).
//!
//! `y = W x`, `ΔW = η (y xᵀ − LT[y yᵀ] W)`, `LT` = lower triangle including the diagonal.
//! Row `i` sees Oja's rule on the input deflated by rows `1..i−1`.
//!
//! Theory: no single potential (a sequential, deflated Oja). With distinct top `m+1` eigenvalues
//! of `C` and a small or decaying step, row `i → ±e_i` (the `i`-th eigenvector, in order), rows
//! orthonormal. Contrast: [`OjaSubspace`](super::oja_subspace::OjaSubspace) drops the `LT` and
//! learns only the subspace.

use super::check;
use super::rule::{Activity, LocalRule, mean_outer};
use crate::{PlasticityError, Result};
use neurograd_tensor::{Matrix, Real};

/// Sanger's rule (GHA).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sanger;

impl LocalRule for Sanger {
    fn delta(&self, activity: &Activity<'_>, weights: &Matrix) -> Result<Matrix> {
        activity.validate("Sanger::delta", weights)?;
        let y = activity.post;
        let mut yy = mean_outer(y, y)?;
        for i in 0..yy.nrows() {
            for j in (i + 1)..yy.ncols() {
                yy[(i, j)] = 0.0;
            }
        }
        let mut d = mean_outer(y, activity.pre)?;
        d -= yy * weights;
        Ok(d)
    }

    fn name(&self) -> &'static str {
        "sanger"
    }
}

/// The eigenvalues (descending) and the top `m` eigenvectors (as rows, `m x n`) of a symmetric
/// matrix `c`.
pub fn top_eigenvectors(c: &Matrix, m: usize) -> Result<(Vec<Real>, Matrix)> {
    let n = c.nrows();
    check::shape("top_eigenvectors", c, (n, n))?;
    check::finite_matrix("covariance", c)?;
    if m == 0 || m > n {
        return Err(PlasticityError::InvalidParameter {
            name: "m",
            value: m.to_string(),
            reason: format!("must be in 1..={n}"),
        });
    }
    let eig = nalgebra::SymmetricEigen::new(c.clone());
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| eig.eigenvalues[b].total_cmp(&eig.eigenvalues[a]));
    let values = order.iter().map(|&i| eig.eigenvalues[i]).collect();
    let vecs = Matrix::from_fn(m, n, |r, j| eig.eigenvectors[(j, order[r])]);
    Ok((values, vecs))
}

/// `|cos|` between row `i` of `w` and row `i` of `e` for every row (sign-free alignment).
pub fn row_alignment(w: &Matrix, e: &Matrix) -> Result<Vec<Real>> {
    check::shape("row_alignment", e, w.shape())?;
    Ok((0..w.nrows())
        .map(|i| {
            let (a, b) = (w.row(i), e.row(i));
            let d = a.norm() * b.norm();
            if d == 0.0 { 0.0 } else { (a.dot(&b) / d).abs() }
        })
        .collect())
}
