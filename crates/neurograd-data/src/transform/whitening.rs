//! PCA and ZCA whitening.

use crate::dataset::check_finite;
use crate::{DataError, Result};
use neurograd_tensor::geometry::symmetric_eigen_sorted;
use neurograd_tensor::{Matrix, Real, Vector};
use serde::{Deserialize, Serialize};

/// Which whitening.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum WhiteningKind {
    /// PCA whitening: `z = diag((lambda + eps)^-1/2) V^T (x - mu)`; output axes are the principal
    /// components in descending variance.
    Pca,
    /// ZCA ("zero-phase") whitening (Bell & Sejnowski 1997): `z = V diag((lambda + eps)^-1/2)
    /// V^T (x - mu)`, the whitening closest to the identity, which keeps patches looking like
    /// patches.
    Zca,
}

/// A whitening transform fitted on data (one sample per row).
///
/// With covariance `C = X_c^T X_c / (n - 1)` of the centred data and `C = V diag(lambda) V^T`
/// (descending eigenvalues, sign-normalised eigenvectors), the transform is `z = W (x - mu)`
/// with `W` as in [`WhiteningKind`]. With `epsilon = 0` and full rank the whitened training data
/// has covariance exactly `I` (up to rounding); `epsilon > 0` regularises small eigenvalues (and
/// is required when `C` is singular).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Whitening {
    /// The kind.
    pub kind: WhiteningKind,
    /// Feature means `mu`.
    pub mean: Vector,
    /// Covariance eigenvalues, descending.
    pub eigenvalues: Vector,
    /// Eigenvectors as columns of `V`.
    pub eigenvectors: Matrix,
    /// The whitening matrix `W` (`k x d`; `k = d` unless truncated by
    /// [`Whitening::with_components`]).
    pub matrix: Matrix,
    /// The regulariser `epsilon`.
    pub epsilon: Real,
}

impl Whitening {
    /// Fits a whitening transform to `x` (`n x d`, `n >= 2`).
    ///
    /// # Errors
    /// [`DataError::Empty`] for fewer than 2 rows or no columns, [`DataError::NonFinite`],
    /// [`DataError::InvalidParameter`] for a negative / non-finite `epsilon` or for an eigenvalue
    /// `lambda + epsilon <= 1e-12 lambda_max` (singular covariance: raise `epsilon`).
    pub fn fit(x: &Matrix, kind: WhiteningKind, epsilon: Real) -> Result<Whitening> {
        if x.nrows() < 2 || x.ncols() == 0 {
            return Err(DataError::Empty {
                what: format!(
                    "whitening fit input needs >= 2 rows and >= 1 column, got {}x{}",
                    x.nrows(),
                    x.ncols()
                ),
            });
        }
        if !(epsilon.is_finite() && epsilon >= 0.0) {
            return Err(DataError::invalid(
                "epsilon",
                epsilon,
                "must be finite and >= 0",
            ));
        }
        check_finite(x, "whitening fit input")?;
        let n = x.nrows();
        let mean = x.row_mean().transpose();
        let mut xc = x.clone();
        for mut row in xc.row_iter_mut() {
            row -= mean.transpose();
        }
        let cov = xc.tr_mul(&xc) / (n - 1) as Real;
        let (lambda, v) = symmetric_eigen_sorted(&cov)?;
        let lmax = lambda[0].max(0.0);
        if let Some((j, l)) = lambda
            .iter()
            .enumerate()
            .find(|(_, l)| **l + epsilon <= 1e-12 * lmax)
        {
            return Err(DataError::invalid(
                "epsilon",
                epsilon,
                format!("covariance eigenvalue {j} is {l:e}: singular, use epsilon > 0"),
            ));
        }
        let scale = lambda.map(|l| 1.0 / (l.max(0.0) + epsilon).sqrt());
        let pca = Matrix::from_fn(v.ncols(), v.nrows(), |i, j| scale[i] * v[(j, i)]);
        let matrix = match kind {
            WhiteningKind::Pca => pca,
            WhiteningKind::Zca => &v * pca,
        };
        Ok(Whitening {
            kind,
            mean,
            eigenvalues: lambda,
            eigenvectors: v,
            matrix,
            epsilon,
        })
    }

    /// Keeps only the first `k` principal components (PCA whitening only): `W` becomes `k x d`.
    ///
    /// # Errors
    /// [`DataError::InvalidParameter`] for ZCA, `k == 0` or `k > d`.
    pub fn with_components(mut self, k: usize) -> Result<Whitening> {
        if self.kind != WhiteningKind::Pca {
            return Err(DataError::invalid(
                "kind",
                "Zca",
                "truncation needs PCA whitening",
            ));
        }
        if k == 0 || k > self.matrix.nrows() {
            return Err(DataError::invalid(
                "k",
                k,
                format!("must lie in 1..={}", self.matrix.nrows()),
            ));
        }
        self.matrix = self.matrix.rows(0, k).into_owned();
        Ok(self)
    }

    /// Whitens `x` (`m x d` -> `m x k`): row `i` becomes `W (x_i - mu)`.
    ///
    /// # Errors
    /// [`DataError::ShapeMismatch`] for the wrong width, [`DataError::NonFinite`].
    pub fn transform(&self, x: &Matrix) -> Result<Matrix> {
        if x.ncols() != self.mean.len() {
            return Err(DataError::ShapeMismatch {
                op: "whitening transform columns",
                expected: (x.nrows(), self.mean.len()),
                got: x.shape(),
            });
        }
        check_finite(x, "whitening transform input")?;
        let mut xc = x.clone();
        for mut row in xc.row_iter_mut() {
            row -= self.mean.transpose();
        }
        Ok(xc * self.matrix.transpose())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generators::gaussian_with_spectrum;

    fn cov(z: &Matrix) -> Matrix {
        let mut zc = z.clone();
        let m = z.row_mean();
        for mut r in zc.row_iter_mut() {
            r -= &m;
        }
        zc.tr_mul(&zc) / (z.nrows() - 1) as f64
    }

    /// With epsilon = 0 the whitened training data has identity covariance (exact up to
    /// rounding, 1e-9); ZCA's matrix is symmetric, PCA's is not in general.
    #[test]
    fn whitened_covariance_is_identity() {
        let g = gaussian_with_spectrum(500, &[9.0, 4.0, 1.0, 0.25], 3).unwrap();
        for kind in [WhiteningKind::Pca, WhiteningKind::Zca] {
            let w = Whitening::fit(&g.samples, kind, 0.0).unwrap();
            let z = w.transform(&g.samples).unwrap();
            assert!((cov(&z) - Matrix::identity(4, 4)).amax() < 1e-9, "{kind:?}");
        }
        let zca = Whitening::fit(&g.samples, WhiteningKind::Zca, 0.0).unwrap();
        assert!((&zca.matrix - zca.matrix.transpose()).amax() < 1e-9);
        let pca = Whitening::fit(&g.samples, WhiteningKind::Pca, 0.0).unwrap();
        assert!((&pca.matrix - pca.matrix.transpose()).amax() > 1e-3);
        let k2 = pca.with_components(2).unwrap();
        assert_eq!(k2.transform(&g.samples).unwrap().ncols(), 2);
    }

    #[test]
    fn singular_needs_epsilon() {
        let x = Matrix::from_fn(10, 2, |r, _| r as f64);
        assert!(matches!(
            Whitening::fit(&x, WhiteningKind::Zca, 0.0),
            Err(DataError::InvalidParameter { .. })
        ));
        assert!(Whitening::fit(&x, WhiteningKind::Zca, 1e-3).is_ok());
        assert!(matches!(
            Whitening::fit(&x, WhiteningKind::Zca, -1.0),
            Err(DataError::InvalidParameter {
                name: "epsilon",
                ..
            })
        ));
        assert!(matches!(
            Whitening::fit(&Matrix::zeros(1, 2), WhiteningKind::Pca, 0.1),
            Err(DataError::Empty { .. })
        ));
    }
}
