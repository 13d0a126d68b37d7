//! Representational similarity of two sets of responses to the same stimuli: representational
//! similarity analysis (RSA; Kriegeskorte, Mur & Bandettini 2008) and linear centred kernel
//! alignment (CKA; Kornblith, Norouzi, Lee & Hinton 2019).
//!
//! Responses are matrices with **one stimulus (condition) per row** and one unit (neuron,
//! feature, channel) per column; two representations compared must have the same rows, in the
//! same order, but may have different numbers of units.
//!
//! **RSA.** The representational dissimilarity matrix (RDM) of `X` (`n x p`) is
//! `D_ij = 1 - r(x_i, x_j)`, with `r` the Pearson correlation of the response patterns of stimuli
//! `i` and `j` across units ([`rdm`]). Two representations are compared by Spearman's rank
//! correlation between the upper triangles (`i < j`) of their RDMs ([`rsa`]), which asks only
//! that the *order* of the dissimilarities agree (Kriegeskorte et al. 2008 recommend rank
//! correlation because model and brain dissimilarities need not be linearly related). Its
//! significance comes from permuting the stimulus labels of one RDM ([`rsa_permutation_test`]):
//! the `n (n - 1) / 2` dissimilarities are not independent (those sharing a stimulus correlate).
//!
//! **Linear CKA.** With column-centred `X` (`n x p`) and `Y` (`n x q`),
//!
//! ```text
//! CKA(X, Y) = ||Y^T X||_F^2 / (||X^T X||_F ||Y^T Y||_F)
//!           = HSIC(K, L) / sqrt(HSIC(K, K) HSIC(L, L)),  K = X X^T, L = Y Y^T,
//!             HSIC(K, L) = tr(K H L H) / (n - 1)^2,  H = I - 11^T / n
//! ```
//!
//! (Kornblith et al. 2019, eqs. 2-5). It lies in `[0, 1]`, equals 1 for `Y = X`, and is invariant
//! to orthogonal transformations and isotropic scaling of either representation, but **not** to
//! general invertible linear maps (which is the point: a measure invariant to those would call
//! any two full-rank representations of `n <= p` stimuli identical).

use crate::validate::check_finite;
use crate::{Matrix, Real, Result, TensorError};

/// Checks that `a` has at least `min_rows` rows and one column and is finite.
fn check_responses(op: &'static str, a: &Matrix, min_rows: usize) -> Result<()> {
    if a.nrows() < min_rows || a.ncols() == 0 {
        return Err(TensorError::Empty {
            what: format!(
                "{op}: responses of shape {:?} need >= {min_rows} stimuli (rows) and >= 1 unit",
                a.shape()
            ),
        });
    }
    check_finite(a, op)
}

fn check_same_rows(op: &'static str, a: &Matrix, b: &Matrix) -> Result<()> {
    if a.nrows() != b.nrows() {
        return Err(TensorError::ShapeMismatch {
            op,
            expected: (a.nrows(), b.ncols()),
            got: b.shape(),
        });
    }
    Ok(())
}

/// Pearson's correlation coefficient of two equally long samples (Pearson 1896).
///
/// # Errors
/// [`TensorError::ShapeMismatch`] (as `(len, 1)`) for different lengths, [`TensorError::Empty`]
/// for fewer than 2 values, [`TensorError::NonFinite`], [`TensorError::Degenerate`] when either
/// sample is constant (the correlation is undefined).
pub fn pearson(a: &[Real], b: &[Real]) -> Result<Real> {
    if a.len() != b.len() {
        return Err(TensorError::ShapeMismatch {
            op: "pearson",
            expected: (a.len(), 1),
            got: (b.len(), 1),
        });
    }
    if a.len() < 2 {
        return Err(TensorError::Empty {
            what: format!("pearson: {} values, need >= 2", a.len()),
        });
    }
    crate::validate::check_finite_slice(a, "pearson: a")?;
    crate::validate::check_finite_slice(b, "pearson: b")?;
    let n = a.len() as Real;
    let (ma, mb) = (a.iter().sum::<Real>() / n, b.iter().sum::<Real>() / n);
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        let (dx, dy) = (x - ma, y - mb);
        sab += dx * dy;
        saa += dx * dx;
        sbb += dy * dy;
    }
    if saa <= 0.0 || sbb <= 0.0 {
        return Err(TensorError::Degenerate {
            op: "pearson",
            reason: "a sample is constant (zero variance)".into(),
        });
    }
    Ok((sab / (saa.sqrt() * sbb.sqrt())).clamp(-1.0, 1.0))
}

/// Ranks `1..=n` of the values, ties receiving the mean of the ranks they span ("fractional" or
/// average ranking, as `scipy.stats.rankdata`'s default). NaNs sort last.
pub fn ranks(values: &[Real]) -> Vec<Real> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&i, &j| values[i].total_cmp(&values[j]));
    let mut r = vec![0.0; values.len()];
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && values[order[end]] == values[order[start]] {
            end += 1;
        }
        // Positions start..end (0-based) hold ranks start+1..=end: their mean.
        let mean_rank = (start + end + 1) as Real / 2.0;
        for &i in &order[start..end] {
            r[i] = mean_rank;
        }
        start = end;
    }
    r
}

/// Spearman's rank correlation (Spearman 1904): the Pearson correlation of the average ranks
/// ([`ranks`]); without ties it equals `1 - 6 sum d_i^2 / (n (n^2 - 1))`.
///
/// # Errors
/// As [`pearson`] (a sample of equal values has constant ranks: [`TensorError::Degenerate`]).
pub fn spearman(a: &[Real], b: &[Real]) -> Result<Real> {
    if a.len() != b.len() {
        return pearson(a, b);
    }
    crate::validate::check_finite_slice(a, "spearman: a")?;
    crate::validate::check_finite_slice(b, "spearman: b")?;
    pearson(&ranks(a), &ranks(b))
}

/// The representational dissimilarity matrix `D_ij = 1 - r(x_i, x_j)` of responses `x` (one
/// stimulus per row): symmetric, zero diagonal, entries in `[0, 2]`.
///
/// # Errors
/// [`TensorError::Empty`] for fewer than 2 stimuli or fewer than 2 units,
/// [`TensorError::NonFinite`], [`TensorError::Degenerate`] when a stimulus's response pattern is
/// constant across units.
pub fn rdm(responses: &Matrix) -> Result<Matrix> {
    check_responses("rdm", responses, 2)?;
    let (n, p) = responses.shape();
    if p < 2 {
        return Err(TensorError::Empty {
            what: format!("rdm: {p} unit, correlation across units needs >= 2"),
        });
    }
    // Standardise every row (mean 0, unit norm); then r_ij is a dot product.
    let mut z = responses.clone();
    for i in 0..n {
        let mut row = z.row_mut(i);
        let mean = row.mean();
        row.add_scalar_mut(-mean);
        let norm = row.norm();
        if norm <= 0.0 {
            return Err(TensorError::Degenerate {
                op: "rdm",
                reason: format!("the response pattern of stimulus {i} is constant"),
            });
        }
        row /= norm;
    }
    let g = &z * z.transpose();
    Ok(Matrix::from_fn(n, n, |i, j| {
        if i == j {
            0.0
        } else {
            (1.0 - g[(i, j)]).clamp(0.0, 2.0)
        }
    }))
}

/// The strict upper triangle (`i < j`) of a square matrix, row by row.
///
/// # Errors
/// [`TensorError::ShapeMismatch`] for a non-square matrix.
pub fn upper_triangle(m: &Matrix) -> Result<Vec<Real>> {
    if m.nrows() != m.ncols() {
        return Err(TensorError::ShapeMismatch {
            op: "upper_triangle (square matrix)",
            expected: (m.nrows(), m.nrows()),
            got: m.shape(),
        });
    }
    let n = m.nrows();
    Ok((0..n)
        .flat_map(|i| (i + 1..n).map(move |j| (i, j)))
        .map(|(i, j)| m[(i, j)])
        .collect())
}

/// RSA between two representations of the same stimuli: Spearman's rank correlation of the upper
/// triangles of their RDMs ([`rdm`]), in `[-1, 1]`.
///
/// # Errors
/// [`TensorError::ShapeMismatch`] for different numbers of stimuli; [`TensorError::Empty`] for
/// fewer than 3 stimuli (one dissimilarity has no rank correlation); as [`rdm`] and [`spearman`]
/// (an RDM whose dissimilarities are all equal is [`TensorError::Degenerate`]).
pub fn rsa(a: &Matrix, b: &Matrix) -> Result<Real> {
    check_same_rows("rsa (one stimulus per row in both)", a, b)?;
    check_responses("rsa", a, 3)?;
    let (da, db) = (rdm(a)?, rdm(b)?);
    spearman(&upper_triangle(&da)?, &upper_triangle(&db)?)
}

/// Linear CKA between two representations of the same stimuli (see the module docs), in `[0, 1]`.
///
/// # Errors
/// [`TensorError::ShapeMismatch`] for different numbers of stimuli, [`TensorError::Empty`] for
/// fewer than 2 stimuli, [`TensorError::NonFinite`], [`TensorError::Degenerate`] when a
/// representation is constant across stimuli (zero after centring).
pub fn linear_cka(x: &Matrix, y: &Matrix) -> Result<Real> {
    check_same_rows("linear_cka (one stimulus per row in both)", x, y)?;
    check_responses("linear_cka", x, 2)?;
    check_responses("linear_cka", y, 2)?;
    let centre = |m: &Matrix| {
        let mut c = m.clone();
        for j in 0..c.ncols() {
            let mean = c.column(j).mean();
            c.column_mut(j).add_scalar_mut(-mean);
        }
        c
    };
    let (xc, yc) = (centre(x), centre(y));
    let nx = xc.tr_mul(&xc).norm();
    let ny = yc.tr_mul(&yc).norm();
    if nx <= 0.0 || ny <= 0.0 {
        return Err(TensorError::Degenerate {
            op: "linear_cka",
            reason: "a representation is constant across stimuli".into(),
        });
    }
    Ok((yc.tr_mul(&xc).norm_squared() / (nx * ny)).clamp(0.0, 1.0))
}

/// The result of [`rsa_permutation_test`].
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RsaTest {
    /// The observed RSA, [`rsa`]`(a, b)`.
    pub rho: Real,
    /// One-sided permutation p-value `(1 + #{rho_perm >= rho}) / (1 + n_permutations)`.
    pub p_value: Real,
    /// Mean of the permutation null distribution.
    pub null_mean: Real,
    /// Standard deviation of the permutation null distribution (divide by `n_permutations`).
    pub null_sd: Real,
    /// Number of permutations drawn.
    pub n_permutations: usize,
}

/// Stream tag of [`rsa_permutation_test`] (`mix(seed, 0, TAG)`).
const RSA_PERMUTATION_TAG: u64 = 0x0072_7361_7065_726d; // "rsaperm"

/// RSA with its significance by the stimulus-label permutation test of Kriegeskorte, Mur &
/// Bandettini (2008): the rows and columns of `b`'s RDM are permuted together (stimulus labels
/// shuffled), which keeps the dependence between dissimilarities that share a stimulus and so
/// gives the exact null distribution of "no relation between the two representations" (under
/// exchangeability of the stimuli), where a naive test on the `n(n-1)/2` pairs would treat them
/// as independent and be anti-conservative.
///
/// Permutation `k` is a Fisher–Yates shuffle (Durstenfeld 1964; index `floor(u64 * m / 2^64)`)
/// drawn from `ChaCha8Rng::seed_from_u64(mix(seed, 0, TAG))` in order, so the result depends only
/// on the seed.
///
/// ```
/// use neurograd_tensor::geometry::{rsa, rsa_permutation_test};
/// use neurograd_tensor::Matrix;
/// let x = Matrix::from_fn(12, 5, |i, j| ((i * 7 + j * 3) % 11) as f64 + 0.1 * (i * j) as f64);
/// let y = x.map(|v| 2.0 * v + 1.0); // the same geometry
/// let t = rsa_permutation_test(&x, &y, 99, 0)?;
/// assert_eq!(t.rho, rsa(&x, &y)?);
/// assert!((t.rho - 1.0).abs() < 1e-12 && t.p_value <= 0.02);
/// # Ok::<(), neurograd_tensor::TensorError>(())
/// ```
///
/// # Errors
/// As [`rsa`]; [`TensorError::InvalidParameter`] for `n_permutations == 0`.
pub fn rsa_permutation_test(
    a: &Matrix,
    b: &Matrix,
    n_permutations: usize,
    seed: u64,
) -> Result<RsaTest> {
    use rand::{Rng, SeedableRng};
    if n_permutations == 0 {
        return Err(TensorError::InvalidParameter {
            name: "n_permutations",
            value: "0".into(),
            reason: "needs at least one permutation".into(),
        });
    }
    check_same_rows("rsa_permutation_test (one stimulus per row in both)", a, b)?;
    check_responses("rsa_permutation_test", a, 3)?;
    let (da, db) = (rdm(a)?, rdm(b)?);
    let ua = upper_triangle(&da)?;
    let ra = ranks(&ua);
    let rho = pearson(&ra, &ranks(&upper_triangle(&db)?))?;
    let n = da.nrows();
    let mut rng =
        rand_chacha::ChaCha8Rng::seed_from_u64(crate::seed::mix(seed, 0, RSA_PERMUTATION_TAG));
    let mut perm: Vec<usize> = (0..n).collect();
    let mut null = Vec::with_capacity(n_permutations);
    let mut ub = vec![0.0; ua.len()];
    for _ in 0..n_permutations {
        for i in (1..n).rev() {
            let j = ((u128::from(rng.next_u64()) * (i as u128 + 1)) >> 64) as usize;
            perm.swap(i, j);
        }
        let mut k = 0;
        for i in 0..n {
            for j in i + 1..n {
                ub[k] = db[(perm[i], perm[j])];
                k += 1;
            }
        }
        null.push(pearson(&ra, &ranks(&ub))?);
    }
    let m = n_permutations as Real;
    let null_mean = null.iter().sum::<Real>() / m;
    let null_sd = (null.iter().map(|v| (v - null_mean).powi(2)).sum::<Real>() / m).sqrt();
    let exceed = null.iter().filter(|&&v| v >= rho).count();
    Ok(RsaTest {
        rho,
        p_value: (1 + exceed) as Real / (1.0 + m),
        null_mean,
        null_sd,
        n_permutations,
    })
}
