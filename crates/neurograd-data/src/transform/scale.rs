//! Feature scaling fitted on one matrix (the training set) and applied to others.

use crate::dataset::check_finite;
use crate::{DataError, Result};
use neurograd_tensor::{Matrix, Real, Vector};
use serde::{Deserialize, Serialize};

fn check_fit_input(x: &Matrix, what: &str) -> Result<()> {
    if x.nrows() == 0 || x.ncols() == 0 {
        return Err(DataError::Empty {
            what: format!("{what} input ({}x{})", x.nrows(), x.ncols()),
        });
    }
    check_finite(x, what)
}

fn check_transform_input(x: &Matrix, d: usize, what: &'static str) -> Result<()> {
    if x.ncols() != d {
        return Err(DataError::ShapeMismatch {
            op: what,
            expected: (x.nrows(), d),
            got: x.shape(),
        });
    }
    check_finite(x, what)
}

/// Standardisation (z-scoring) per column: `z = (x - mean) / scale`.
///
/// `mean` is the column mean and `scale` the population standard deviation
/// `sqrt(sum (x - mean)^2 / n)` of the fitted matrix (as scikit-learn's `StandardScaler`).
/// **Zero-variance columns** (standard deviation `<= 1e-12 * (1 + |mean|)`) get `scale = 1`, so
/// they map to `x - mean`, i.e. exactly 0 on the fitted data, never to NaN.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Standardizer {
    /// Column means of the fitted data.
    pub mean: Vector,
    /// Column scales (standard deviations; 1 for zero-variance columns).
    pub scale: Vector,
}

impl Standardizer {
    /// Fits the column means and standard deviations of `x` (`n x d`). Columns whose sums
    /// overflow (values near 1e300) are computed on `x / max|x|` and scaled back, so huge but
    /// finite data standardises instead of turning into NaN.
    ///
    /// # Errors
    /// [`DataError::Empty`] for an empty matrix, [`DataError::NonFinite`] for NaN/Inf entries.
    pub fn fit(x: &Matrix) -> Result<Standardizer> {
        check_fit_input(x, "standardizer fit")?;
        let n = x.nrows() as Real;
        let mut mean = Vector::zeros(x.ncols());
        let mut scale = Vector::zeros(x.ncols());
        for (c, col) in x.column_iter().enumerate() {
            let mut m = col.iter().sum::<Real>() / n;
            let var = col.iter().map(|v| (v - m) * (v - m)).sum::<Real>() / n;
            let mut sd = var.sqrt();
            if !(m.is_finite() && sd.is_finite()) {
                // Values near the f64 limit (1e300) overflow the sums: compute on x / a, a the
                // column's largest magnitude, and scale back (m = a mean(x/a), sd = a sd(x/a)).
                let a = col.iter().fold(0.0 as Real, |acc, v| acc.max(v.abs()));
                let ms = col.iter().map(|v| v / a).sum::<Real>() / n;
                let vs = col.iter().map(|v| (v / a - ms).powi(2)).sum::<Real>() / n;
                // |m| <= a and sd <= a: both finite for finite data.
                m = a * ms;
                sd = a * vs.sqrt();
            }
            mean[c] = m;
            scale[c] = if sd <= 1e-12 * (1.0 + m.abs()) {
                1.0
            } else {
                sd
            };
        }
        Ok(Standardizer { mean, scale })
    }

    /// Applies `z = (x - mean) / scale` column-wise.
    ///
    /// # Errors
    /// [`DataError::ShapeMismatch`] if the column count differs from the fitted one,
    /// [`DataError::NonFinite`] for NaN/Inf entries.
    pub fn transform(&self, x: &Matrix) -> Result<Matrix> {
        check_transform_input(x, self.mean.len(), "standardizer transform")?;
        let mut z = x.clone();
        for (c, mut col) in z.column_iter_mut().enumerate() {
            let (m, s) = (self.mean[c], self.scale[c]);
            col.iter_mut().for_each(|v| *v = (*v - m) / s);
        }
        Ok(z)
    }

    /// Undoes [`Standardizer::transform`]: `x = z * scale + mean`.
    ///
    /// # Errors
    /// As [`Standardizer::transform`].
    pub fn inverse_transform(&self, z: &Matrix) -> Result<Matrix> {
        check_transform_input(z, self.mean.len(), "standardizer inverse_transform")?;
        let mut x = z.clone();
        for (c, mut col) in x.column_iter_mut().enumerate() {
            let (m, s) = (self.mean[c], self.scale[c]);
            col.iter_mut().for_each(|v| *v = *v * s + m);
        }
        Ok(x)
    }

    /// `fit(x)` then `transform(x)`.
    ///
    /// # Errors
    /// As [`Standardizer::fit`].
    pub fn fit_transform(x: &Matrix) -> Result<(Standardizer, Matrix)> {
        let s = Standardizer::fit(x)?;
        let z = s.transform(x)?;
        Ok((s, z))
    }
}

/// Min-max scaling per column to `[lo, hi]` (default `[0, 1]`):
/// `y = lo + (x - min) * (hi - lo) / (max - min)`.
///
/// **Constant columns** (`max - min <= 1e-12 * (1 + |min|)`) use a range of 1, so they map to
/// `lo` on the fitted data. Data outside the fitted range maps outside `[lo, hi]` (no clipping).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MinMaxScaler {
    /// Column minima of the fitted data.
    pub min: Vector,
    /// Column ranges `max - min` (1 for constant columns).
    pub range: Vector,
    /// Target interval `(lo, hi)`.
    pub target: (Real, Real),
}

impl MinMaxScaler {
    /// Fits column minima and maxima of `x`, target interval `[0, 1]`.
    ///
    /// # Errors
    /// [`DataError::Empty`] for an empty matrix, [`DataError::NonFinite`] for NaN/Inf entries.
    pub fn fit(x: &Matrix) -> Result<MinMaxScaler> {
        Self::fit_range(x, 0.0, 1.0)
    }

    /// Fits column minima and maxima of `x` for the target interval `[lo, hi]`.
    ///
    /// # Errors
    /// As [`MinMaxScaler::fit`], plus [`DataError::InvalidParameter`] unless `lo < hi`, both finite.
    pub fn fit_range(x: &Matrix, lo: Real, hi: Real) -> Result<MinMaxScaler> {
        if !(lo.is_finite() && hi.is_finite() && lo < hi) {
            return Err(DataError::invalid(
                "target range",
                format!("[{lo}, {hi}]"),
                "needs finite lo < hi",
            ));
        }
        check_fit_input(x, "min-max scaler fit")?;
        let mut min = Vector::zeros(x.ncols());
        let mut range = Vector::zeros(x.ncols());
        for (c, col) in x.column_iter().enumerate() {
            let mn = col.iter().copied().fold(Real::INFINITY, Real::min);
            let mx = col.iter().copied().fold(Real::NEG_INFINITY, Real::max);
            min[c] = mn;
            range[c] = if mx - mn <= 1e-12 * (1.0 + mn.abs()) {
                1.0
            } else {
                mx - mn
            };
        }
        Ok(MinMaxScaler {
            min,
            range,
            target: (lo, hi),
        })
    }

    /// Applies the scaling column-wise.
    ///
    /// # Errors
    /// [`DataError::ShapeMismatch`] if the column count differs from the fitted one,
    /// [`DataError::NonFinite`] for NaN/Inf entries.
    pub fn transform(&self, x: &Matrix) -> Result<Matrix> {
        check_transform_input(x, self.min.len(), "min-max scaler transform")?;
        let (lo, hi) = self.target;
        let mut y = x.clone();
        for (c, mut col) in y.column_iter_mut().enumerate() {
            let (m, r) = (self.min[c], self.range[c]);
            col.iter_mut()
                .for_each(|v| *v = lo + (*v - m) * (hi - lo) / r);
        }
        Ok(y)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn standardizer_moments_and_constant_column() {
        let x = Matrix::from_row_slice(4, 2, &[1.0, 5.0, 2.0, 5.0, 3.0, 5.0, 4.0, 5.0]);
        let (s, z) = Standardizer::fit_transform(&x).unwrap();
        assert_relative_eq!(s.mean[0], 2.5, epsilon = 1e-15);
        assert_relative_eq!(s.scale[0], 1.25f64.sqrt(), epsilon = 1e-15);
        assert_eq!(s.scale[1], 1.0);
        assert!(z.column(1).iter().all(|&v| v == 0.0));
        let col0: Vec<f64> = z.column(0).iter().copied().collect();
        assert_relative_eq!(col0.iter().sum::<f64>(), 0.0, epsilon = 1e-12);
        assert_relative_eq!(
            col0.iter().map(|v| v * v).sum::<f64>() / 4.0,
            1.0,
            epsilon = 1e-12
        );
        let back = s.inverse_transform(&z).unwrap();
        assert_relative_eq!(back, x, epsilon = 1e-12);
        assert!(matches!(
            s.transform(&Matrix::zeros(1, 3)),
            Err(DataError::ShapeMismatch { .. })
        ));
        assert!(matches!(
            Standardizer::fit(&Matrix::zeros(0, 2)),
            Err(DataError::Empty { .. })
        ));
        let bad = Matrix::from_row_slice(1, 2, &[1.0, f64::INFINITY]);
        assert!(matches!(
            Standardizer::fit(&bad),
            Err(DataError::NonFinite { col: 1, .. })
        ));
        assert!(matches!(
            s.transform(&bad),
            Err(DataError::NonFinite { row: 0, col: 1, .. })
        ));
    }

    #[test]
    fn minmax_maps_to_target() {
        let x = Matrix::from_row_slice(3, 2, &[0.0, 7.0, 5.0, 7.0, 10.0, 7.0]);
        let s = MinMaxScaler::fit(&x).unwrap();
        let y = s.transform(&x).unwrap();
        assert_eq!(
            y.column(0).iter().copied().collect::<Vec<_>>(),
            vec![0.0, 0.5, 1.0]
        );
        assert!(y.column(1).iter().all(|&v| v == 0.0));
        let s = MinMaxScaler::fit_range(&x, -1.0, 1.0).unwrap();
        assert_eq!(s.transform(&x).unwrap()[(2, 0)], 1.0);
        assert!(matches!(
            MinMaxScaler::fit_range(&x, 1.0, 1.0),
            Err(DataError::InvalidParameter { .. })
        ));
    }
}

#[cfg(test)]
mod overflow_tests {
    use super::*;

    /// A column scaled by 1e300 (its sums overflow) standardises to the same z-scores as the
    /// unscaled column (computed the plain way, independently) to 1e-12; a column at the f64
    /// limit itself (+-f64::MAX) maps to +-1.
    #[test]
    fn huge_columns_standardise_like_their_unscaled_versions() {
        let base = Matrix::from_row_slice(4, 2, &[1.0, -3.0, 2.0, 0.5, 3.0, 7.0, 6.0, -1.0]);
        let mut huge = base.clone();
        huge.column_mut(0).scale_mut(1e300);
        let z = Standardizer::fit_transform(&huge).unwrap().1;
        for c in 0..2 {
            let col: Vec<Real> = base.column(c).iter().copied().collect();
            let m = col.iter().sum::<Real>() / 4.0;
            let sd = (col.iter().map(|v| (v - m).powi(2)).sum::<Real>() / 4.0).sqrt();
            for r in 0..4 {
                let want = (col[r] - m) / sd;
                assert!(
                    (z[(r, c)] - want).abs() < 1e-12,
                    "({r}, {c}): {} vs {want}",
                    z[(r, c)]
                );
            }
        }
        let limit = Matrix::from_row_slice(2, 1, &[Real::MAX, -Real::MAX]);
        let z = Standardizer::fit_transform(&limit).unwrap().1;
        assert_eq!(z.as_slice(), &[1.0, -1.0]);
    }
}
