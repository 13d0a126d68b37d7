//! Low-dimensional classification toys: XOR, blobs, moons, circles, spirals.

use super::{check_count, check_nonneg};
use crate::dataset::numeric_class_names;
use crate::rng::{self, normal, uniform};
use crate::{DataError, Dataset, Result};
use neurograd_tensor::{Matrix, Real};
use std::f64::consts::PI;

/// The four XOR points `(0,0)->0, (0,1)->1, (1,0)->1, (1,1)->0` (Minsky & Papert 1969): the
/// smallest problem a single-layer perceptron cannot solve.
///
/// # Errors
/// Never in practice (kept fallible for a uniform API).
pub fn xor_table() -> Result<Dataset> {
    let x = Matrix::from_row_slice(4, 2, &[0., 0., 0., 1., 1., 0., 1., 1.]);
    Dataset::new(x, vec![0, 1, 1, 0], numeric_class_names(2), None)
}

/// Noisy XOR: sample `i` sits at corner `i mod 4` of `(-1,-1), (-1,1), (1,-1), (1,1)` plus
/// `noise * N(0, I)`; its label is 1 when the corner's coordinates have opposite signs, i.e.
/// `y = [c0 * c1 < 0]`. Normals are drawn in sample order, two per sample.
///
/// # Errors
/// [`DataError::InvalidParameter`] for `n == 0` or a negative / non-finite `noise`.
pub fn xor(n: usize, noise: Real, seed: u64) -> Result<Dataset> {
    check_count("n", n)?;
    check_nonneg("noise", noise)?;
    let mut rng = rng::stream(seed, 0);
    let corners = [(-1.0, -1.0), (-1.0, 1.0), (1.0, -1.0), (1.0, 1.0)];
    let mut x = Matrix::zeros(n, 2);
    let mut y = Vec::with_capacity(n);
    for i in 0..n {
        let (a, b) = corners[i % 4];
        x[(i, 0)] = a + noise * normal(&mut rng);
        x[(i, 1)] = b + noise * normal(&mut rng);
        y.push(usize::from(a * b < 0.0));
    }
    Dataset::new(x, y, numeric_class_names(2), None)
}

/// Isotropic Gaussian blobs: `k` centres drawn uniformly in `[-10, 10]^d` (in order, `d` uniforms
/// each), then sample `i` has class `i mod k` and features `centre + cluster_std * N(0, I)`.
///
/// # Errors
/// [`DataError::InvalidParameter`] for `n`, `n_classes` or `n_features` zero, `n < n_classes`, or a
/// negative / non-finite `cluster_std`.
pub fn blobs(
    n: usize,
    n_classes: usize,
    n_features: usize,
    cluster_std: Real,
    seed: u64,
) -> Result<Dataset> {
    check_count("n", n)?;
    check_count("n_classes", n_classes)?;
    check_count("n_features", n_features)?;
    check_nonneg("cluster_std", cluster_std)?;
    if n < n_classes {
        return Err(DataError::invalid(
            "n",
            n,
            format!("must be >= n_classes = {n_classes}"),
        ));
    }
    let mut rng = rng::stream(seed, 0);
    let mut centres = Matrix::zeros(n_classes, n_features);
    for r in 0..n_classes {
        for c in 0..n_features {
            centres[(r, c)] = -10.0 + 20.0 * uniform(&mut rng);
        }
    }
    let mut x = Matrix::zeros(n, n_features);
    let mut y = Vec::with_capacity(n);
    for i in 0..n {
        let k = i % n_classes;
        for c in 0..n_features {
            x[(i, c)] = centres[(k, c)] + cluster_std * normal(&mut rng);
        }
        y.push(k);
    }
    Dataset::new(x, y, numeric_class_names(n_classes), None)
}

/// Two interleaving half circles (as scikit-learn's `make_moons`): the first `n_out = n / 2`
/// samples are `(cos t, sin t)` with `t = pi * j / (n_out - 1)`, class 0; the other
/// `n_in = n - n_out` are `(1 - cos t, 1/2 - sin t)`, class 1; then `noise * N(0, I)` is added to
/// every sample in order.
///
/// # Errors
/// [`DataError::InvalidParameter`] for `n < 2` or a negative / non-finite `noise`.
pub fn moons(n: usize, noise: Real, seed: u64) -> Result<Dataset> {
    if n < 2 {
        return Err(DataError::invalid("n", n, "must be at least 2"));
    }
    check_nonneg("noise", noise)?;
    let n_out = n / 2;
    let n_in = n - n_out;
    let lin = |j: usize, m: usize| {
        if m > 1 {
            PI * j as Real / (m - 1) as Real
        } else {
            0.0
        }
    };
    let mut x = Matrix::zeros(n, 2);
    let mut y = Vec::with_capacity(n);
    for j in 0..n_out {
        let t = lin(j, n_out);
        x[(j, 0)] = t.cos();
        x[(j, 1)] = t.sin();
        y.push(0);
    }
    for j in 0..n_in {
        let t = lin(j, n_in);
        x[(n_out + j, 0)] = 1.0 - t.cos();
        x[(n_out + j, 1)] = 0.5 - t.sin();
        y.push(1);
    }
    add_noise(&mut x, noise, seed);
    Dataset::new(x, y, numeric_class_names(2), None)
}

/// Two concentric circles (as scikit-learn's `make_circles`): the first `n_out = n / 2` samples
/// lie on the unit circle at angles `2 pi j / n_out` (class 0), the rest on the circle of radius
/// `factor` at angles `2 pi j / n_in` (class 1); then `noise * N(0, I)` is added in order.
///
/// # Errors
/// [`DataError::InvalidParameter`] for `n < 2`, `factor` outside (0, 1), or a bad `noise`.
pub fn circles(n: usize, factor: Real, noise: Real, seed: u64) -> Result<Dataset> {
    if n < 2 {
        return Err(DataError::invalid("n", n, "must be at least 2"));
    }
    if !(factor > 0.0 && factor < 1.0) {
        return Err(DataError::invalid(
            "factor",
            factor,
            "must lie in the open interval (0, 1)",
        ));
    }
    check_nonneg("noise", noise)?;
    let n_out = n / 2;
    let n_in = n - n_out;
    let mut x = Matrix::zeros(n, 2);
    let mut y = Vec::with_capacity(n);
    for (start, m, r, label) in [(0, n_out, 1.0, 0), (n_out, n_in, factor, 1)] {
        for j in 0..m {
            let t = 2.0 * PI * j as Real / m as Real;
            x[(start + j, 0)] = r * t.cos();
            x[(start + j, 1)] = r * t.sin();
            y.push(label);
        }
    }
    add_noise(&mut x, noise, seed);
    Dataset::new(x, y, numeric_class_names(2), None)
}

/// `k` interleaved spiral arms (the two-spirals task of Lang & Witbrock 1988, generalised as in
/// Karpathy's CS231n notes). Sample `i` belongs to arm `c = i mod k` at position `p = i div k`
/// among that arm's `m_c` samples; with `r = p / (m_c - 1)` (0 if `m_c = 1`) and
/// `theta = 2 pi c / k + 4 r + noise * N(0, 1)`, its features are `r (sin theta, cos theta)`.
///
/// # Errors
/// [`DataError::InvalidParameter`] for `n_classes < 2`, `n < n_classes`, or a bad `noise`.
pub fn spirals(n: usize, n_classes: usize, noise: Real, seed: u64) -> Result<Dataset> {
    if n_classes < 2 {
        return Err(DataError::invalid(
            "n_classes",
            n_classes,
            "must be at least 2",
        ));
    }
    if n < n_classes {
        return Err(DataError::invalid(
            "n",
            n,
            format!("must be >= n_classes = {n_classes}"),
        ));
    }
    check_nonneg("noise", noise)?;
    let mut rng = rng::stream(seed, 0);
    let mut x = Matrix::zeros(n, 2);
    let mut y = Vec::with_capacity(n);
    for i in 0..n {
        let (c, p) = (i % n_classes, i / n_classes);
        let m = n / n_classes + usize::from(c < n % n_classes);
        let r = if m > 1 {
            p as Real / (m - 1) as Real
        } else {
            0.0
        };
        let theta = 2.0 * PI * c as Real / n_classes as Real + 4.0 * r + noise * normal(&mut rng);
        x[(i, 0)] = r * theta.sin();
        x[(i, 1)] = r * theta.cos();
        y.push(c);
    }
    Dataset::new(x, y, numeric_class_names(n_classes), None)
}

/// Adds `noise * N(0, 1)` to every entry, row by row, from stream `(seed, 0)`.
fn add_noise(x: &mut Matrix, noise: Real, seed: u64) {
    let mut rng = rng::stream(seed, 0);
    for r in 0..x.nrows() {
        for c in 0..x.ncols() {
            x[(r, c)] += noise * normal(&mut rng);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_and_labels() {
        let d = xor(8, 0.0, 1).unwrap();
        assert_eq!(d.labels, vec![0, 1, 1, 0, 0, 1, 1, 0]);
        assert_eq!(d.features[(1, 0)], -1.0);
        let b = blobs(30, 3, 4, 0.5, 2).unwrap();
        assert_eq!(
            (b.len(), b.n_features(), b.class_counts()),
            (30, 4, vec![10, 10, 10])
        );
        let m = moons(11, 0.0, 3).unwrap();
        assert_eq!(m.class_counts(), vec![5, 6]);
        assert!((m.features[(4, 0)] + 1.0).abs() < 1e-15);
        let c = circles(10, 0.5, 0.0, 4).unwrap();
        for i in 0..10 {
            let r = c.features.row(i).norm();
            assert!((r - if i < 5 { 1.0 } else { 0.5 }).abs() < 1e-12);
        }
        let s = spirals(31, 3, 0.0, 5).unwrap();
        assert_eq!(s.class_counts(), vec![11, 10, 10]);
        assert!(s.features.row(30).norm() <= 1.0 + 1e-12);
    }

    #[test]
    fn bad_arguments() {
        assert!(matches!(
            xor(0, 0.1, 0),
            Err(DataError::InvalidParameter { .. })
        ));
        assert!(matches!(
            xor(4, -0.1, 0),
            Err(DataError::InvalidParameter { .. })
        ));
        assert!(matches!(
            blobs(2, 3, 2, 1.0, 0),
            Err(DataError::InvalidParameter { .. })
        ));
        assert!(matches!(
            moons(1, 0.1, 0),
            Err(DataError::InvalidParameter { .. })
        ));
        assert!(matches!(
            circles(10, 1.0, 0.1, 0),
            Err(DataError::InvalidParameter { .. })
        ));
        assert!(matches!(
            spirals(10, 1, 0.1, 0),
            Err(DataError::InvalidParameter { .. })
        ));
        assert!(matches!(
            spirals(10, 2, f64::NAN, 0),
            Err(DataError::InvalidParameter { .. })
        ));
    }
}
