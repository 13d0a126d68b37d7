//! Gaussian data with a given covariance or a given eigenvalue spectrum.

use super::check_count;
use crate::dataset::check_finite;
use crate::rng::{self, normal};
use crate::{DataError, Result};
use neurograd_tensor::geometry::symmetric_eigen_sorted;
use neurograd_tensor::{Matrix, Real, Vector};
use serde::{Deserialize, Serialize};

/// Draws `n` samples `x = mean + A z`, `z ~ N(0, I)`, with `A A^T = cov`.
///
/// `A = V diag(sqrt(lambda))` from the symmetric eigendecomposition `cov = V diag(lambda) V^T`
/// (eigenvalues in descending order, sign-normalised eigenvectors, see
/// [`symmetric_eigen_sorted`]), so singular positive semi-definite covariances work too.
/// Eigenvalues in `[-1e-10 max|lambda|, 0)` are rounding and clamped to 0. `z` is drawn sample by
/// sample from stream `(seed, 0)`. Returns the `n x d` sample matrix.
///
/// # Errors
/// [`DataError::Empty`] for an empty `cov`, [`DataError::ShapeMismatch`] for a non-square `cov` or
/// a `mean` of the wrong length, [`DataError::NonFinite`], [`DataError::InvalidParameter`] for `n == 0` or a covariance that is
/// not positive semi-definite, [`DataError::Tensor`] for an asymmetric covariance.
pub fn gaussian_with_covariance(
    n: usize,
    mean: &Vector,
    cov: &Matrix,
    seed: u64,
) -> Result<Matrix> {
    check_count("n", n)?;
    let d = cov.nrows();
    if cov.is_empty() {
        return Err(DataError::Empty {
            what: "covariance".into(),
        });
    }
    if cov.ncols() != d {
        return Err(DataError::ShapeMismatch {
            op: "gaussian_with_covariance: covariance must be square",
            expected: (d, d),
            got: cov.shape(),
        });
    }
    if mean.len() != d {
        return Err(DataError::ShapeMismatch {
            op: "gaussian_with_covariance: mean vs covariance",
            expected: (d, 1),
            got: (mean.len(), 1),
        });
    }
    check_finite(cov, "covariance")?;
    check_finite(mean, "mean")?;
    let (lambda, v) = symmetric_eigen_sorted(cov)?;
    let max_abs = lambda.iter().fold(0.0_f64, |a, &l| a.max(l.abs()));
    if let Some(&l) = lambda.iter().find(|&&l| l < -1e-10 * max_abs) {
        return Err(DataError::invalid(
            "cov",
            format!("eigenvalue {l:e}"),
            "must be positive semi-definite",
        ));
    }
    let mut a = v;
    for (j, mut col) in a.column_iter_mut().enumerate() {
        col *= lambda[j].max(0.0).sqrt();
    }
    Ok(sample(n, mean, &a, &mut rng::stream(seed, 0)))
}

fn sample(n: usize, mean: &Vector, a: &Matrix, rng: &mut rng::ChaCha8Rng) -> Matrix {
    let d = a.ncols();
    let mut z = Matrix::zeros(n, d);
    for r in 0..n {
        for c in 0..d {
            z[(r, c)] = normal(rng);
        }
    }
    let mut x = z * a.transpose();
    for mut row in x.row_iter_mut() {
        row += mean.transpose();
    }
    x
}

/// Zero-mean Gaussian data with a prescribed eigenvalue spectrum in a random orientation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpectrumGaussian {
    /// Samples, `n x d`.
    pub samples: Matrix,
    /// Eigenvalues as given (the variances along `eigenvectors`' columns).
    pub eigenvalues: Vector,
    /// Orthogonal `d x d` matrix `Q` whose column `j` is the eigenvector of `eigenvalues[j]`.
    pub eigenvectors: Matrix,
    /// The population covariance `Q diag(lambda) Q^T`.
    pub covariance: Matrix,
}

/// Draws `n` samples `x = Q diag(sqrt(lambda)) z` with a Haar-random rotation `Q` (QR of a
/// Gaussian matrix with the signs of `R`'s diagonal moved into `Q`, Mezzadri 2007), for checks of
/// PCA, Oja's rule (Oja 1982) and Sanger's rule (Sanger 1989) against known eigenvectors.
/// Draw order from stream `(seed, 0)`: the `d x d` Gaussian matrix row by row, then `z` sample by
/// sample.
///
/// # Errors
/// [`DataError::Empty`] for no eigenvalues, [`DataError::InvalidParameter`] for `n == 0` or a
/// negative / non-finite eigenvalue.
pub fn gaussian_with_spectrum(
    n: usize,
    eigenvalues: &[Real],
    seed: u64,
) -> Result<SpectrumGaussian> {
    check_count("n", n)?;
    if eigenvalues.is_empty() {
        return Err(DataError::Empty {
            what: "eigenvalues".into(),
        });
    }
    if let Some((i, l)) = eigenvalues
        .iter()
        .enumerate()
        .find(|(_, l)| !(l.is_finite() && **l >= 0.0))
    {
        return Err(DataError::invalid(
            "eigenvalues",
            format!("[{i}] = {l}"),
            "must be finite and >= 0",
        ));
    }
    let d = eigenvalues.len();
    let mut rng = rng::stream(seed, 0);
    let mut g = Matrix::zeros(d, d);
    for r in 0..d {
        for c in 0..d {
            g[(r, c)] = normal(&mut rng);
        }
    }
    let qr = g.qr();
    let (mut q, rmat) = (qr.q(), qr.r());
    for j in 0..d {
        if rmat[(j, j)] < 0.0 {
            q.column_mut(j).neg_mut();
        }
    }
    let lambda = Vector::from_column_slice(eigenvalues);
    let mut a = q.clone();
    for (j, mut col) in a.column_iter_mut().enumerate() {
        col *= lambda[j].sqrt();
    }
    let samples = sample(n, &Vector::zeros(d), &a, &mut rng);
    let covariance = &a * a.transpose();
    Ok(SpectrumGaussian {
        samples,
        eigenvalues: lambda,
        eigenvectors: q,
        covariance,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotation_is_orthogonal_and_covariance_matches() {
        let g = gaussian_with_spectrum(10, &[5.0, 3.0, 2.0, 1.0, 0.5, 0.25], 1).unwrap();
        let qtq = g.eigenvectors.transpose() * &g.eigenvectors;
        assert!((qtq - Matrix::identity(6, 6)).norm() < 1e-12);
        let cv = &g.covariance * g.eigenvectors.column(0);
        assert!((cv - g.eigenvectors.column(0) * 5.0).norm() < 1e-12);
    }

    #[test]
    fn bad_inputs() {
        let c = Matrix::from_row_slice(2, 2, &[1.0, 2.0, 2.0, 1.0]); // eigenvalues 3, -1
        let e = gaussian_with_covariance(5, &Vector::zeros(2), &c, 0).unwrap_err();
        assert!(e.to_string().contains("positive semi-definite"), "{e}");
        let c = Matrix::from_row_slice(2, 2, &[1.0, 0.5, 0.0, 1.0]);
        assert!(matches!(
            gaussian_with_covariance(5, &Vector::zeros(2), &c, 0),
            Err(DataError::Tensor(
                neurograd_tensor::TensorError::Degenerate { .. }
            ))
        ));
        assert!(matches!(
            gaussian_with_covariance(5, &Vector::zeros(3), &Matrix::identity(2, 2), 0),
            Err(DataError::ShapeMismatch {
                expected: (2, 1),
                got: (3, 1),
                ..
            })
        ));
        assert!(matches!(
            gaussian_with_covariance(5, &Vector::zeros(2), &Matrix::zeros(2, 3), 0),
            Err(DataError::ShapeMismatch {
                expected: (2, 2),
                got: (2, 3),
                ..
            })
        ));
        assert!(matches!(
            gaussian_with_spectrum(5, &[], 0),
            Err(DataError::Empty { .. })
        ));
        assert!(matches!(
            gaussian_with_spectrum(5, &[1.0, -1.0], 0),
            Err(DataError::InvalidParameter { .. })
        ));
        // A singular PSD covariance is fine: all samples lie on the line x0 = x1.
        let c = Matrix::from_row_slice(2, 2, &[1.0, 1.0, 1.0, 1.0]);
        let x = gaussian_with_covariance(20, &Vector::zeros(2), &c, 0).unwrap();
        assert!(x.row_iter().all(|r| (r[0] - r[1]).abs() < 1e-12));
    }
}
