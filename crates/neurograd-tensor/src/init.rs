//! Seeded weight initialisers.
//!
//! Shape convention: `(rows, cols) = (fan_out, fan_in)`, the layout of PyTorch's `nn.Linear`
//! weight, so that a layer computes `y = x Wᵀ` for a batch `x` with one sample per row (or
//! `y = W x` for a column vector). Every function takes `&mut R` with `R: rand::Rng + ?Sized`; the
//! canonical generator is `rand_chacha::ChaCha8Rng`, and the same seed gives bit-identical
//! matrices. Elements are drawn in **row-major** order (row 0 first), so a `(r, c)` matrix and
//! the first `r' < r` rows of it drawn from the same seed agree.
//!
//! | initialiser | distribution | source |
//! |---|---|---|
//! | [`uniform`] | `U(low, high)` | |
//! | [`normal`] | `N(mean, std²)` | |
//! | [`glorot_uniform`] | `U(-a, a)`, `a = √(6 / (fan_in + fan_out))` | Glorot & Bengio (2010) |
//! | [`glorot_normal`] | `N(0, 2 / (fan_in + fan_out))` | Glorot & Bengio (2010) |
//! | [`he_uniform`] | `U(-a, a)`, `a = √(6 / fan_in)` | He, Zhang, Ren & Sun (2015) |
//! | [`he_normal`] | `N(0, 2 / fan_in)` | He, Zhang, Ren & Sun (2015) |
//! | [`orthogonal`] | `gain · Q` from the QR of a Gaussian matrix, `Q ← Q diag(sign(diag R))` | Saxe, McClelland & Ganguli (2014); Mezzadri (2007) |
//! | [`sparse`] | per column, `⌈(1 - density) · rows⌉` zeros at random rows, the rest `N(0, std²)` | Martens (2010) |

use rand::Rng;
use rand_distr::{Distribution, Normal, StandardNormal, Uniform};
use serde::{Deserialize, Serialize};

use crate::{Matrix, Real, Result, TensorError};

fn invalid(name: &'static str, value: Real, reason: &str) -> TensorError {
    TensorError::InvalidParameter {
        name,
        value: value.to_string(),
        reason: reason.to_string(),
    }
}

fn finite(name: &'static str, value: Real) -> Result<()> {
    if value.is_finite() {
        Ok(())
    } else {
        Err(invalid(name, value, "must be finite"))
    }
}

fn fill_row_major<R, F>(rows: usize, cols: usize, rng: &mut R, mut f: F) -> Matrix
where
    R: Rng + ?Sized,
    F: FnMut(&mut R) -> Real,
{
    let mut data = Vec::with_capacity(rows * cols);
    for _ in 0..rows * cols {
        data.push(f(rng));
    }
    Matrix::from_row_slice(rows, cols, &data)
}

/// Uniform `U(low, high)` (half-open).
///
/// # Errors
/// `low`, `high` not finite or `low >= high`.
pub fn uniform<R: Rng + ?Sized>(
    rows: usize,
    cols: usize,
    low: Real,
    high: Real,
    rng: &mut R,
) -> Result<Matrix> {
    finite("low", low)?;
    finite("high", high)?;
    if low >= high {
        return Err(invalid("high", high, "must exceed low"));
    }
    let dist = Uniform::new(low, high).map_err(|_| invalid("high", high, "must exceed low"))?;
    Ok(fill_row_major(rows, cols, rng, |r| dist.sample(r)))
}

/// Normal `N(mean, std²)`.
///
/// # Errors
/// `mean` not finite, `std` not finite or negative.
pub fn normal<R: Rng + ?Sized>(
    rows: usize,
    cols: usize,
    mean: Real,
    std: Real,
    rng: &mut R,
) -> Result<Matrix> {
    finite("mean", mean)?;
    finite("std", std)?;
    if std < 0.0 {
        return Err(invalid("std", std, "must be >= 0"));
    }
    let dist = Normal::new(mean, std).map_err(|_| invalid("std", std, "must be >= 0"))?;
    Ok(fill_row_major(rows, cols, rng, |r| dist.sample(r)))
}

fn fan_check(rows: usize, cols: usize) -> Result<()> {
    if rows == 0 || cols == 0 {
        Err(TensorError::Empty {
            what: format!("initialiser shape ({rows}, {cols})"),
        })
    } else {
        Ok(())
    }
}

/// Glorot/Xavier uniform (Glorot & Bengio, 2010): `U(-a, a)` with `a = √(6 / (fan_in + fan_out))`,
/// which keeps `Var[W] = 2 / (fan_in + fan_out)`.
///
/// # Errors
/// [`TensorError::Empty`] for a zero dimension.
pub fn glorot_uniform<R: Rng + ?Sized>(rows: usize, cols: usize, rng: &mut R) -> Result<Matrix> {
    fan_check(rows, cols)?;
    let a = (6.0 / (rows + cols) as Real).sqrt();
    uniform(rows, cols, -a, a, rng)
}

/// Glorot/Xavier normal (Glorot & Bengio, 2010): `N(0, 2 / (fan_in + fan_out))`.
///
/// # Errors
/// [`TensorError::Empty`] for a zero dimension.
pub fn glorot_normal<R: Rng + ?Sized>(rows: usize, cols: usize, rng: &mut R) -> Result<Matrix> {
    fan_check(rows, cols)?;
    normal(rows, cols, 0.0, (2.0 / (rows + cols) as Real).sqrt(), rng)
}

/// He/Kaiming uniform for ReLU (He et al., 2015; PyTorch `kaiming_uniform_` with `a = 0`,
/// `mode = "fan_in"`): `U(-a, a)` with `a = √(6 / fan_in)`, i.e. `Var[W] = 2 / fan_in`.
///
/// # Errors
/// [`TensorError::Empty`] for a zero dimension.
pub fn he_uniform<R: Rng + ?Sized>(rows: usize, cols: usize, rng: &mut R) -> Result<Matrix> {
    fan_check(rows, cols)?;
    let a = (6.0 / cols as Real).sqrt();
    uniform(rows, cols, -a, a, rng)
}

/// He/Kaiming normal for ReLU (He et al., 2015): `N(0, 2 / fan_in)`.
///
/// # Errors
/// [`TensorError::Empty`] for a zero dimension.
pub fn he_normal<R: Rng + ?Sized>(rows: usize, cols: usize, rng: &mut R) -> Result<Matrix> {
    fan_check(rows, cols)?;
    normal(rows, cols, 0.0, (2.0 / cols as Real).sqrt(), rng)
}

/// (Semi-)orthogonal initialisation (Saxe, McClelland & Ganguli, 2014), as in PyTorch's
/// `orthogonal_`: draw `A ~ N(0, 1)` of shape `(max, min)`, take its thin QR `A = QR`, make the
/// factorisation unique by `Q ← Q diag(sign(diag R))` (Mezzadri, 2007, so `Q` is Haar-distributed),
/// transpose if `rows < cols`, and multiply by `gain`. The result has orthonormal rows
/// (`rows <= cols`) or orthonormal columns (`rows >= cols`), scaled by `gain`.
///
/// # Errors
/// [`TensorError::Empty`] for a zero dimension, non-finite `gain`.
pub fn orthogonal<R: Rng + ?Sized>(
    rows: usize,
    cols: usize,
    gain: Real,
    rng: &mut R,
) -> Result<Matrix> {
    fan_check(rows, cols)?;
    finite("gain", gain)?;
    let (tall, short) = (rows.max(cols), rows.min(cols));
    let a = fill_row_major(tall, short, rng, |r| StandardNormal.sample(r));
    let qr = a.qr();
    let mut q = qr.q();
    let r = qr.r();
    for j in 0..short {
        if r[(j, j)] < 0.0 {
            q.column_mut(j).neg_mut();
        }
    }
    let q = if rows < cols { q.transpose() } else { q };
    Ok(q * gain)
}

/// Sparse initialisation (Martens, 2010; PyTorch `sparse_` with `sparsity = 1 - density`): every
/// column (input unit) gets `⌈(1 - density) · rows⌉` zeros at rows chosen uniformly without
/// replacement; the other entries are `N(0, std²)`.
///
/// Draw order: first the whole `N(0, std²)` matrix in row-major order, then, column by column,
/// a partial Fisher–Yates shuffle choosing the zeroed rows.
///
/// # Errors
/// `density` outside `[0, 1]`, `std` negative or not finite.
pub fn sparse<R: Rng + ?Sized>(
    rows: usize,
    cols: usize,
    density: Real,
    std: Real,
    rng: &mut R,
) -> Result<Matrix> {
    if !(0.0..=1.0).contains(&density) {
        return Err(invalid("density", density, "must lie in [0, 1]"));
    }
    let mut w = normal(rows, cols, 0.0, std, rng)?;
    let zeros = (((1.0 - density) * rows as Real).ceil() as usize).min(rows);
    let mut idx: Vec<usize> = Vec::with_capacity(rows);
    for j in 0..cols {
        idx.clear();
        idx.extend(0..rows);
        for k in 0..zeros {
            let pick = Uniform::new(k, rows)
                .map_err(|_| invalid("density", density, "internal sampling range empty"))?
                .sample(rng);
            idx.swap(k, pick);
            w[(idx[k], j)] = 0.0;
        }
    }
    Ok(w)
}

/// A serialisable choice of initialiser, validated by [`Init::sample`].
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Init {
    /// All zeros.
    Zeros,
    /// Every element equal to `value`.
    Constant {
        /// The value.
        value: Real,
    },
    /// [`uniform`].
    Uniform {
        /// Lower bound (inclusive).
        low: Real,
        /// Upper bound (exclusive).
        high: Real,
    },
    /// [`normal`].
    Normal {
        /// Mean.
        mean: Real,
        /// Standard deviation.
        std: Real,
    },
    /// [`glorot_uniform`].
    GlorotUniform,
    /// [`glorot_normal`].
    GlorotNormal,
    /// [`he_uniform`].
    HeUniform,
    /// [`he_normal`].
    HeNormal,
    /// [`orthogonal`].
    Orthogonal {
        /// Multiplier of the orthogonal matrix.
        gain: Real,
    },
    /// [`sparse`].
    Sparse {
        /// Fraction of non-zero entries per column, in `[0, 1]`.
        density: Real,
        /// Standard deviation of the non-zero entries.
        std: Real,
    },
}

impl Init {
    /// Draws a `(rows, cols)` matrix.
    ///
    /// # Errors
    /// Invalid parameters of the chosen initialiser (see each function).
    pub fn sample<R: Rng + ?Sized>(&self, rows: usize, cols: usize, rng: &mut R) -> Result<Matrix> {
        match *self {
            Init::Zeros => Ok(Matrix::zeros(rows, cols)),
            Init::Constant { value } => {
                finite("value", value)?;
                Ok(Matrix::from_element(rows, cols, value))
            }
            Init::Uniform { low, high } => uniform(rows, cols, low, high, rng),
            Init::Normal { mean, std } => normal(rows, cols, mean, std, rng),
            Init::GlorotUniform => glorot_uniform(rows, cols, rng),
            Init::GlorotNormal => glorot_normal(rows, cols, rng),
            Init::HeUniform => he_uniform(rows, cols, rng),
            Init::HeNormal => he_normal(rows, cols, rng),
            Init::Orthogonal { gain } => orthogonal(rows, cols, gain, rng),
            Init::Sparse { density, std } => sparse(rows, cols, density, std, rng),
        }
    }

    /// The snake_case name of the variant.
    pub fn name(&self) -> &'static str {
        match self {
            Init::Zeros => "zeros",
            Init::Constant { .. } => "constant",
            Init::Uniform { .. } => "uniform",
            Init::Normal { .. } => "normal",
            Init::GlorotUniform => "glorot_uniform",
            Init::GlorotNormal => "glorot_normal",
            Init::HeUniform => "he_uniform",
            Init::HeNormal => "he_normal",
            Init::Orthogonal { .. } => "orthogonal",
            Init::Sparse { .. } => "sparse",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn same_seed_same_matrix() {
        for init in [
            Init::GlorotUniform,
            Init::HeNormal,
            Init::Orthogonal { gain: 1.0 },
            Init::Sparse {
                density: 0.3,
                std: 0.1,
            },
        ] {
            let a = init
                .sample(7, 5, &mut ChaCha8Rng::seed_from_u64(3))
                .unwrap();
            let b = init
                .sample(7, 5, &mut ChaCha8Rng::seed_from_u64(3))
                .unwrap();
            assert_eq!(a, b, "{}", init.name());
        }
    }

    #[test]
    fn orthogonal_is_orthonormal() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let w = orthogonal(4, 9, 2.0, &mut rng).unwrap();
        let g = &w * w.transpose();
        assert!((g - Matrix::identity(4, 4) * 4.0).amax() < 1e-12);
        let w = orthogonal(9, 4, 1.0, &mut rng).unwrap();
        let g = w.transpose() * &w;
        assert!((g - Matrix::identity(4, 4)).amax() < 1e-12);
    }

    #[test]
    fn sparse_has_exact_zero_count_per_column() {
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let w = sparse(10, 6, 0.25, 1.0, &mut rng).unwrap();
        for j in 0..6 {
            let zeros = w.column(j).iter().filter(|&&x| x == 0.0).count();
            assert_eq!(zeros, 8); // ceil(0.75 * 10)
        }
        assert!(matches!(
            sparse(3, 3, 1.5, 1.0, &mut rng),
            Err(TensorError::InvalidParameter { .. })
        ));
    }

    #[test]
    fn bad_parameters_are_errors() {
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        assert!(matches!(
            uniform(2, 2, 1.0, 1.0, &mut rng),
            Err(TensorError::InvalidParameter { .. })
        ));
        assert!(matches!(
            uniform(2, 2, Real::NAN, 1.0, &mut rng),
            Err(TensorError::InvalidParameter { .. })
        ));
        assert!(matches!(
            normal(2, 2, 0.0, -1.0, &mut rng),
            Err(TensorError::InvalidParameter { .. })
        ));
        assert!(matches!(
            glorot_uniform(0, 2, &mut rng),
            Err(TensorError::Empty { .. })
        ));
        assert!(matches!(
            Init::Constant { value: Real::NAN }.sample(1, 1, &mut rng),
            Err(TensorError::InvalidParameter { .. })
        ));
    }
}
