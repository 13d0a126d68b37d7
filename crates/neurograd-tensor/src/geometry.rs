//! Geometry of parameter updates: flattening, cosine and angle, tangent projections, relative
//! error, sorted symmetric eigendecomposition, PCA and subspace distances; and, in [`similarity`],
//! the similarity of two representations of the same stimuli (RSA, linear CKA).
//!
//! Flattening order: the matrices in list order, each in nalgebra's native **column-major** order.

use nalgebra::SymmetricEigen;

use crate::validate::{check_finite, check_finite_slice, check_nonempty, check_same_shape};
use crate::{Matrix, Real, Result, TensorError, Vector};

pub mod similarity;
pub use similarity::{
    RsaTest, linear_cka, pearson, ranks, rdm, rsa, rsa_permutation_test, spearman, upper_triangle,
};

/// Concatenates the matrices (each column-major) into one vector.
pub fn flatten(params: &[Matrix]) -> Vector {
    let n: usize = params.iter().map(|m| m.len()).sum();
    let mut out = Vec::with_capacity(n);
    for m in params {
        out.extend_from_slice(m.as_slice());
    }
    Vector::from_vec(out)
}

/// The shapes `(rows, cols)` of a list of matrices, for [`unflatten`].
pub fn shapes(params: &[Matrix]) -> Vec<(usize, usize)> {
    params.iter().map(|m| m.shape()).collect()
}

/// Inverse of [`flatten`]: splits a vector into matrices of the given shapes.
///
/// # Errors
/// The vector length differs from the total size ([`TensorError::ShapeMismatch`] with op
/// `unflatten`, shapes `(len, 1)`).
pub fn unflatten(v: &Vector, shapes: &[(usize, usize)]) -> Result<Vec<Matrix>> {
    let total: usize = shapes.iter().map(|(r, c)| r * c).sum();
    if total != v.len() {
        return Err(TensorError::ShapeMismatch {
            op: "unflatten",
            expected: (total, 1),
            got: (v.len(), 1),
        });
    }
    let mut off = 0;
    Ok(shapes
        .iter()
        .map(|&(r, c)| {
            let m = Matrix::from_column_slice(r, c, &v.as_slice()[off..off + r * c]);
            off += r * c;
            m
        })
        .collect())
}

fn check_pair_vec(op: &'static str, a: &Vector, b: &Vector) -> Result<()> {
    if a.len() != b.len() {
        return Err(TensorError::ShapeMismatch {
            op,
            expected: (a.len(), 1),
            got: (b.len(), 1),
        });
    }
    if a.is_empty() {
        return Err(TensorError::Empty { what: op.into() });
    }
    check_finite_slice(a.as_slice(), op)?;
    check_finite_slice(b.as_slice(), op)
}

/// Cosine similarity `aᵀb / (‖a‖ ‖b‖)`, clamped to `[-1, 1]`.
///
/// # Errors
/// Different lengths, empty or non-finite input, a zero vector ([`TensorError::ZeroNorm`]).
pub fn cosine(a: &Vector, b: &Vector) -> Result<Real> {
    check_pair_vec("cosine", a, b)?;
    let (na, nb) = (a.norm(), b.norm());
    if na == 0.0 {
        return Err(TensorError::ZeroNorm {
            op: "cosine",
            what: "first vector",
        });
    }
    if nb == 0.0 {
        return Err(TensorError::ZeroNorm {
            op: "cosine",
            what: "second vector",
        });
    }
    Ok((a.dot(b) / (na * nb)).clamp(-1.0, 1.0))
}

/// Angle between two vectors in degrees, in `[0, 180]`.
///
/// Computed with Kahan's formula `θ = 2 atan2(‖â - b̂‖, ‖â + b̂‖)` (`â = a/‖a‖`), which is accurate
/// for all angles, unlike `acos(cosine)`, which loses half the digits near 0° and 180°
/// (Kahan, "How futile are mindless assessments of roundoff…", 2006).
///
/// # Errors
/// As [`cosine`].
pub fn angle_degrees(a: &Vector, b: &Vector) -> Result<Real> {
    cosine(a, b)?; // validation (lengths, finiteness, zero norms)
    let ua = a / a.norm();
    let ub = b / b.norm();
    let theta = 2.0 * (&ua - &ub).norm().atan2((&ua + &ub).norm());
    Ok(theta.to_degrees())
}

/// Checks that two parameter lists have the same length and, pair by pair, the same shapes.
///
/// # Errors
/// [`TensorError::ShapeMismatch`] with `op`: lengths as `(len, 1)`, or the first pair of
/// matrices that differ (the first list's shape as expected).
pub fn check_same_shapes(op: &'static str, a: &[Matrix], b: &[Matrix]) -> Result<()> {
    if a.len() != b.len() {
        return Err(TensorError::ShapeMismatch {
            op,
            expected: (a.len(), 1),
            got: (b.len(), 1),
        });
    }
    for (x, y) in a.iter().zip(b) {
        check_same_shape(op, x, y)?;
    }
    Ok(())
}

/// Cosine between two parameter lists after [`flatten`]ing them.
///
/// # Errors
/// Different shapes (checked matrix by matrix, [`check_same_shapes`]), plus the errors of
/// [`cosine`].
pub fn cosine_params(a: &[Matrix], b: &[Matrix]) -> Result<Real> {
    check_same_shapes("cosine_params", a, b)?;
    cosine(&flatten(a), &flatten(b))
}

/// Projection of `v` onto the tangent space of the sphere `{u : ‖u‖ = ‖w‖}` at `w`:
/// `(I - w wᵀ / ‖w‖²) v`. The result is orthogonal to `w` (the component of an update that
/// changes only the direction of `w`, as in Oja's rule; Oja, 1982).
///
/// # Errors
/// Different lengths, empty or non-finite input, `w = 0` ([`TensorError::ZeroNorm`]).
pub fn project_tangent_sphere(w: &Vector, v: &Vector) -> Result<Vector> {
    check_pair_vec("project_tangent_sphere", w, v)?;
    let nw2 = w.norm_squared();
    if nw2 == 0.0 {
        return Err(TensorError::ZeroNorm {
            op: "project_tangent_sphere",
            what: "w",
        });
    }
    Ok(v - w * (w.dot(v) / nw2))
}

/// Relative difference `‖a - b‖_F / max(‖a‖_F, ‖b‖_F)`, defined as 0 when both are zero.
/// Symmetric in `a` and `b`, in `[0, 2]`.
///
/// # Errors
/// Different shapes, non-finite values.
pub fn relative_error(a: &Matrix, b: &Matrix) -> Result<Real> {
    check_same_shape("relative_error", a, b)?;
    check_finite(a, "relative_error: a")?;
    check_finite(b, "relative_error: b")?;
    let d = (a - b).norm();
    let s = a.norm().max(b.norm());
    Ok(if s == 0.0 { 0.0 } else { d / s })
}

/// [`relative_error`] between two parameter lists after [`flatten`]ing them:
/// `‖a - b‖ / max(‖a‖, ‖b‖)` over all entries of all matrices, 0 when both are zero. Symmetric in
/// `a` and `b`, in `[0, 2]`.
///
/// # Errors
/// Lists of different lengths or a pair of matrices of different shapes (checked matrix by
/// matrix, [`TensorError::ShapeMismatch`]), non-finite values.
pub fn relative_error_params(a: &[Matrix], b: &[Matrix]) -> Result<Real> {
    check_same_shapes("relative_error_params", a, b)?;
    let column = |v: Vector| Matrix::from_column_slice(v.len(), 1, v.as_slice());
    relative_error(&column(flatten(a)), &column(flatten(b)))
}

/// Relative tolerance on `‖A - Aᵀ‖_F / ‖A‖_F` accepted as symmetric by
/// [`symmetric_eigen_sorted`].
pub const SYMMETRY_TOL: Real = 1e-10;

/// Eigendecomposition `A = V diag(λ) Vᵀ` of a symmetric matrix with eigenvalues sorted in
/// **descending** order and eigenvectors as the columns of `V`, each sign-normalised so that its
/// largest-magnitude component is positive (the first such component on ties). Uses nalgebra's
/// symmetric QR algorithm on `(A + Aᵀ)/2`.
///
/// # Errors
/// Non-square ([`TensorError::ShapeMismatch`]), empty, non-finite, or asymmetric beyond
/// [`SYMMETRY_TOL`] ([`TensorError::Degenerate`]).
pub fn symmetric_eigen_sorted(a: &Matrix) -> Result<(Vector, Matrix)> {
    let (r, c) = a.shape();
    if r != c {
        return Err(TensorError::ShapeMismatch {
            op: "symmetric_eigen_sorted",
            expected: (r, r),
            got: (r, c),
        });
    }
    check_nonempty(a, "symmetric_eigen_sorted")?;
    check_finite(a, "symmetric_eigen_sorted")?;
    let asym = (a - a.transpose()).norm();
    let scale = a.norm();
    if asym > SYMMETRY_TOL * scale {
        return Err(TensorError::Degenerate {
            op: "symmetric_eigen_sorted",
            reason: format!("matrix is not symmetric: ‖A - Aᵀ‖/‖A‖ = {:e}", asym / scale),
        });
    }
    let sym = (a + a.transpose()) * 0.5;
    let eig = SymmetricEigen::new(sym);
    let mut order: Vec<usize> = (0..r).collect();
    order.sort_by(|&i, &j| eig.eigenvalues[j].total_cmp(&eig.eigenvalues[i]));
    let values = Vector::from_iterator(r, order.iter().map(|&i| eig.eigenvalues[i]));
    let mut vectors = Matrix::zeros(r, r);
    for (k, &i) in order.iter().enumerate() {
        let mut col = eig.eigenvectors.column(i).into_owned();
        normalise_sign(&mut col);
        vectors.set_column(k, &col);
    }
    Ok((values, vectors))
}

fn normalise_sign(v: &mut Vector) {
    let mut best = 0;
    for i in 1..v.len() {
        if v[i].abs() > v[best].abs() {
            best = i;
        }
    }
    if !v.is_empty() && v[best] < 0.0 {
        v.neg_mut();
    }
}

/// Principal component analysis of a data matrix (one sample per row).
#[derive(Debug, Clone, PartialEq)]
pub struct Pca {
    /// Per-feature mean (`d`).
    pub mean: Vector,
    /// Principal directions as columns (`d × k`), ordered by decreasing variance, sign-normalised
    /// as in [`symmetric_eigen_sorted`].
    pub components: Matrix,
    /// Variance along each component (eigenvalues of the sample covariance with the unbiased
    /// `1/(n-1)` normalisation, as scikit-learn), `k` values in decreasing order.
    pub explained_variance: Vector,
}

impl Pca {
    /// Fraction of the total variance carried by each component.
    pub fn explained_variance_ratio(&self) -> Vector {
        let total = self.explained_variance.sum();
        if total > 0.0 {
            &self.explained_variance / total
        } else {
            Vector::zeros(self.explained_variance.len())
        }
    }

    /// Projects data (`n × d`, one sample per row) onto the components: `(X - 1 μᵀ) C`, `n × k`.
    ///
    /// # Errors
    /// Wrong number of columns, non-finite data.
    pub fn transform(&self, data: &Matrix) -> Result<Matrix> {
        let d = self.mean.len();
        if data.ncols() != d {
            return Err(TensorError::ShapeMismatch {
                op: "Pca::transform",
                expected: (data.nrows(), d),
                got: data.shape(),
            });
        }
        check_finite(data, "Pca::transform: data")?;
        let mut centred = data.clone();
        for j in 0..d {
            centred.column_mut(j).add_scalar_mut(-self.mean[j]);
        }
        Ok(centred * &self.components)
    }
}

/// PCA with all `d` components; see [`pca_k`].
///
/// # Errors
/// As [`pca_k`].
pub fn pca(data: &Matrix) -> Result<Pca> {
    pca_k(data, data.ncols())
}

/// PCA with the leading `k` components: eigendecomposition of the sample covariance
/// `S = (X - 1μᵀ)ᵀ (X - 1μᵀ) / (n - 1)` via [`symmetric_eigen_sorted`] (Pearson, 1901; Hotelling,
/// 1933).
///
/// # Errors
/// Fewer than 2 samples or no features ([`TensorError::Empty`]), `k` of 0 or above `d`
/// ([`TensorError::InvalidParameter`]), non-finite data.
pub fn pca_k(data: &Matrix, k: usize) -> Result<Pca> {
    let (n, d) = data.shape();
    if n < 2 || d == 0 {
        return Err(TensorError::Empty {
            what: format!("pca: data of shape ({n}, {d}) needs >= 2 rows and >= 1 column"),
        });
    }
    if k == 0 || k > d {
        return Err(TensorError::InvalidParameter {
            name: "k",
            value: k.to_string(),
            reason: format!("number of components must lie in 1..={d}"),
        });
    }
    check_finite(data, "pca: data")?;
    let mean = Vector::from_iterator(d, (0..d).map(|j| data.column(j).mean()));
    let mut centred = data.clone();
    for j in 0..d {
        centred.column_mut(j).add_scalar_mut(-mean[j]);
    }
    let cov = (centred.transpose() * &centred) / (n - 1) as Real;
    let (values, vectors) = symmetric_eigen_sorted(&cov)?;
    Ok(Pca {
        mean,
        components: vectors.columns(0, k).into_owned(),
        explained_variance: values.rows(0, k).into_owned(),
    })
}

/// Orthonormal basis (thin QR) of the column span of `a`.
fn orthonormal_basis(op: &'static str, a: &Matrix) -> Result<Matrix> {
    let (d, k) = a.shape();
    if d == 0 || k == 0 {
        return Err(TensorError::Empty {
            what: format!("{op}: basis of shape ({d}, {k})"),
        });
    }
    if k > d {
        return Err(TensorError::Degenerate {
            op,
            reason: format!("{k} basis vectors in dimension {d} cannot be independent"),
        });
    }
    check_finite(a, op)?;
    let qr = a.clone().qr();
    let r = qr.r();
    let max = (0..k).map(|i| r[(i, i)].abs()).fold(0.0, Real::max);
    if let Some(i) = (0..k).find(|&i| r[(i, i)].abs() <= 1e-12 * max.max(Real::MIN_POSITIVE)) {
        return Err(TensorError::Degenerate {
            op,
            reason: format!("columns are linearly dependent (column {i})"),
        });
    }
    Ok(qr.q())
}

/// Principal angles (Björck & Golub, 1973) between the column spans of `a` (`d × k₁`) and `b`
/// (`d × k₂`), in radians, ascending, `min(k₁, k₂)` of them: `θ_i = acos σ_i(Q_aᵀ Q_b)` with
/// `Q_a`, `Q_b` orthonormal bases from thin QR.
///
/// # Errors
/// Different row counts, empty, non-finite or rank-deficient bases.
pub fn principal_angles(a: &Matrix, b: &Matrix) -> Result<Vector> {
    if a.nrows() != b.nrows() {
        return Err(TensorError::ShapeMismatch {
            op: "principal_angles",
            expected: (a.nrows(), b.ncols()),
            got: b.shape(),
        });
    }
    let qa = orthonormal_basis("principal_angles", a)?;
    let qb = orthonormal_basis("principal_angles", b)?;
    let m = qa.transpose() * qb;
    let mut s: Vec<Real> = m
        .singular_values()
        .iter()
        .map(|x| x.clamp(0.0, 1.0))
        .collect();
    s.sort_by(|x, y| y.total_cmp(x));
    Ok(Vector::from_iterator(
        s.len(),
        s.into_iter().map(Real::acos),
    ))
}

/// Distance between the subspaces spanned by the columns of `a` (`d × k₁`) and `b` (`d × k₂`):
///
/// `dist(A, B) = ‖P_A - P_B‖_F / √2 = √((k₁ + k₂)/2 - Σ_i cos² θ_i)`
///
/// with `P_A = Q_a Q_aᵀ` the orthogonal projector and `θ_i` the [`principal_angles`]. For
/// `k₁ = k₂ = k` this is `√(Σ_i sin² θ_i)` (the chordal distance), in `[0, √k]`: 0 iff the spans
/// coincide, `√k` iff they are orthogonal. It depends only on the spans, not on the bases (a
/// rotation or rescaling of the columns leaves it unchanged), which is what is needed to compare
/// a learned subspace (Oja's subspace rule, a linear autoencoder) with the principal subspace.
///
/// # Errors
/// As [`principal_angles`].
pub fn subspace_distance(a: &Matrix, b: &Matrix) -> Result<Real> {
    let theta = principal_angles(a, b)?;
    let cos2: Real = theta.iter().map(|t| t.cos().powi(2)).sum();
    let v = (a.ncols() + b.ncols()) as Real / 2.0 - cos2;
    Ok(v.max(0.0).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flatten_round_trip() {
        let ms = vec![
            Matrix::from_row_slice(2, 3, &[1., 2., 3., 4., 5., 6.]),
            Matrix::from_row_slice(1, 2, &[7., 8.]),
        ];
        let v = flatten(&ms);
        assert_eq!(v.as_slice(), &[1., 4., 2., 5., 3., 6., 7., 8.]);
        assert_eq!(unflatten(&v, &shapes(&ms)).unwrap(), ms);
        assert!(matches!(
            unflatten(&v, &[(3, 3)]),
            Err(TensorError::ShapeMismatch {
                op: "unflatten",
                expected: (9, 1),
                got: (8, 1)
            })
        ));
    }

    /// Hand-computed: a = ([3, 0], [0]), b = ([0, 0], [4]) gives ‖a − b‖ = √(9 + 16) = 5,
    /// ‖a‖ = 3, ‖b‖ = 4, so 5/4; two zero lists give 0.
    #[test]
    fn relative_error_params_by_hand() {
        let a = [
            Matrix::from_row_slice(1, 2, &[3.0, 0.0]),
            Matrix::zeros(1, 1),
        ];
        let b = [Matrix::zeros(1, 2), Matrix::from_element(1, 1, 4.0)];
        assert_eq!(relative_error_params(&a, &b).unwrap(), 1.25);
        assert_eq!(relative_error_params(&b, &a).unwrap(), 1.25);
        let z = [Matrix::zeros(1, 2), Matrix::zeros(1, 1)];
        assert_eq!(relative_error_params(&z, &z).unwrap(), 0.0);
        // The list version is not the mean of the per-matrix relative errors (1 and 1 here).
        assert_eq!(relative_error(&a[0], &b[0]).unwrap(), 1.0);
        assert_eq!(relative_error(&a[1], &b[1]).unwrap(), 1.0);
    }

    #[test]
    fn cosine_and_angle() {
        let a = Vector::from_vec(vec![1.0, 0.0]);
        let b = Vector::from_vec(vec![1.0, 1.0]);
        assert!((angle_degrees(&a, &b).unwrap() - 45.0).abs() < 1e-12);
        assert_eq!(cosine(&a, &a).unwrap(), 1.0);
        assert!(matches!(
            cosine(&a, &Vector::zeros(2)),
            Err(TensorError::ZeroNorm { .. })
        ));
        assert!(matches!(
            cosine(&a, &Vector::zeros(3)),
            Err(TensorError::ShapeMismatch { op: "cosine", .. })
        ));
    }

    #[test]
    fn relative_error_of_lists_is_that_of_the_flattened_vectors() {
        let a = vec![
            Matrix::from_row_slice(2, 2, &[1.0, 2.0, 3.0, 4.0]),
            Matrix::from_row_slice(1, 2, &[0.5, -1.0]),
        ];
        let b = vec![
            Matrix::from_row_slice(2, 2, &[1.0, 2.0, 3.0, 5.0]),
            Matrix::from_row_slice(1, 2, &[0.5, 1.0]),
        ];
        // ‖a - b‖² = 1 + 4 = 5, ‖a‖² = 31.25, ‖b‖² = 40.25: the larger norm is b's.
        let want = (5.0f64 / 40.25).sqrt();
        let got = relative_error_params(&a, &b).unwrap();
        assert!((got - want).abs() < 1e-15, "{got} vs {want}");
        assert_eq!(relative_error_params(&b, &a).unwrap(), got);
        assert_eq!(relative_error_params(&a, &a).unwrap(), 0.0);
        let zeros = vec![Matrix::zeros(2, 2)];
        assert_eq!(relative_error_params(&zeros, &zeros).unwrap(), 0.0);
        assert!(matches!(
            relative_error_params(&a, &b[..1]),
            Err(TensorError::ShapeMismatch {
                op: "relative_error_params",
                expected: (2, 1),
                got: (1, 1)
            })
        ));
        let transposed = vec![b[0].clone(), b[1].transpose()];
        assert!(matches!(
            relative_error_params(&a, &transposed),
            Err(TensorError::ShapeMismatch {
                expected: (1, 2),
                got: (2, 1),
                ..
            })
        ));
        let mut nan = b.clone();
        nan[1][(0, 1)] = Real::NAN;
        assert!(matches!(
            relative_error_params(&a, &nan),
            Err(TensorError::NonFinite { index: 5, .. })
        ));
    }

    #[test]
    fn tangent_projection_is_orthogonal_to_w() {
        let w = Vector::from_vec(vec![3.0, 4.0, 0.0]);
        let v = Vector::from_vec(vec![1.0, 2.0, 3.0]);
        let p = project_tangent_sphere(&w, &v).unwrap();
        assert!(p.dot(&w).abs() < 1e-12);
        // the normal part is removed, the rest kept: v - p is parallel to w
        let n = &v - &p;
        assert!((n[0] * w[1] - n[1] * w[0]).abs() < 1e-12);
    }

    #[test]
    fn eigen_sorted_and_sign_normalised() {
        let a = Matrix::from_row_slice(2, 2, &[2.0, 1.0, 1.0, 2.0]);
        let (l, v) = symmetric_eigen_sorted(&a).unwrap();
        assert!((l[0] - 3.0).abs() < 1e-12 && (l[1] - 1.0).abs() < 1e-12);
        for k in 0..2 {
            let col = v.column(k);
            assert!((&a * col - col * l[k]).amax() < 1e-12);
            let big = col
                .iter()
                .fold(0.0f64, |m, x| if x.abs() > m.abs() { *x } else { m });
            assert!(big > 0.0);
        }
        let s = 0.5f64.sqrt();
        assert!((v.column(0) - Vector::from_vec(vec![s, s])).amax() < 1e-12);
        let asym = Matrix::from_row_slice(2, 2, &[1.0, 2.0, 0.0, 1.0]);
        assert!(matches!(
            symmetric_eigen_sorted(&asym),
            Err(TensorError::Degenerate { .. })
        ));
    }

    #[test]
    fn subspace_distance_basics() {
        let e = Matrix::identity(4, 4);
        let a = e.columns(0, 2).into_owned();
        let rotated = Matrix::from_row_slice(4, 2, &[1.0, 1.0, 1.0, -1.0, 0.0, 0.0, 0.0, 0.0]);
        assert!(subspace_distance(&a, &rotated).unwrap() < 1e-12);
        let b = e.columns(2, 2).into_owned();
        assert!((subspace_distance(&a, &b).unwrap() - 2f64.sqrt()).abs() < 1e-12);
        let dep = Matrix::from_row_slice(4, 2, &[1.0, 2.0, 1.0, 2.0, 0.0, 0.0, 0.0, 0.0]);
        assert!(matches!(
            subspace_distance(&a, &dep),
            Err(TensorError::Degenerate { .. })
        ));
    }
}
