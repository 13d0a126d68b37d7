//! Student–teacher regression data: a linear teacher with known weights and a random-MLP teacher.

use super::{check_count, check_nonneg};
use crate::dataset::{check_finite, numeric_class_names};
use crate::rng::{self, normal};
use crate::{DataError, Dataset, Result};
use neurograd_tensor::{Matrix, Real, Vector};
use serde::{Deserialize, Serialize};

/// Regression data from a known linear map (the student–teacher setting, Gardner 1988):
/// `y = W x + b + noise_std * eps`, `x ~ N(0, I)`, `eps ~ N(0, I)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinearTeacher {
    /// Inputs, `n x d_in`.
    pub inputs: Matrix,
    /// Targets, `n x d_out`.
    pub targets: Matrix,
    /// Teacher weights `W`, `d_out x d_in`, entries `N(0, 1/d_in)`.
    pub weights: Matrix,
    /// Teacher bias `b`, entries `0.1 N(0, 1)`.
    pub bias: Vector,
    /// Standard deviation of the additive target noise.
    pub noise_std: Real,
}

/// Draws a linear teacher and `n` samples. Draw order from stream `(seed, 0)`: `W` row by row,
/// then `b`, then for each sample its `d_in` inputs followed by its `d_out` noise values.
/// With `noise_std = 0` the least-squares fit recovers `W` and `b` exactly (up to rounding).
///
/// # Errors
/// [`DataError::InvalidParameter`] for a zero size or a negative / non-finite `noise_std`.
pub fn linear_teacher(
    n: usize,
    d_in: usize,
    d_out: usize,
    noise_std: Real,
    seed: u64,
) -> Result<LinearTeacher> {
    check_count("n", n)?;
    check_count("d_in", d_in)?;
    check_count("d_out", d_out)?;
    check_nonneg("noise_std", noise_std)?;
    let mut rng = rng::stream(seed, 0);
    let scale = 1.0 / (d_in as Real).sqrt();
    let mut weights = Matrix::zeros(d_out, d_in);
    for r in 0..d_out {
        for c in 0..d_in {
            weights[(r, c)] = scale * normal(&mut rng);
        }
    }
    let bias = Vector::from_iterator(d_out, (0..d_out).map(|_| 0.1 * normal(&mut rng)));
    let mut inputs = Matrix::zeros(n, d_in);
    let mut targets = Matrix::zeros(n, d_out);
    for i in 0..n {
        for c in 0..d_in {
            inputs[(i, c)] = normal(&mut rng);
        }
        for o in 0..d_out {
            let wx: Real = (0..d_in).map(|c| weights[(o, c)] * inputs[(i, c)]).sum();
            targets[(i, o)] = wx + bias[o] + noise_std * normal(&mut rng);
        }
    }
    Ok(LinearTeacher {
        inputs,
        targets,
        weights,
        bias,
        noise_std,
    })
}

/// Data labelled by a random multilayer perceptron (the student–teacher setting of Saad & Solla
/// 1995): `h_0 = x`, `h_l = tanh(W_l h_{l-1} + b_l)` for hidden layers, linear output
/// `y = W_L h_{L-1} + b_L`, plus `noise_std * eps` on the targets. Class labels are
/// `argmax_j y_j` (the first maximum on ties) of the noise-free output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MlpTeacher {
    /// Inputs, `n x sizes[0]`, entries `N(0, 1)`.
    pub inputs: Matrix,
    /// Noisy targets, `n x sizes[L]`.
    pub targets: Matrix,
    /// `argmax` of the noise-free output of each sample.
    pub labels: Vec<usize>,
    /// Weights `W_l`, `sizes[l] x sizes[l-1]`, entries `N(0, 1/sizes[l-1])` (LeCun init).
    pub weights: Vec<Matrix>,
    /// Biases `b_l`, entries `0.1 N(0, 1)`.
    pub biases: Vec<Vector>,
    /// Standard deviation of the additive target noise.
    pub noise_std: Real,
}

impl MlpTeacher {
    /// The teacher's noise-free output on new inputs (`m x sizes[0]` -> `m x sizes[L]`).
    ///
    /// # Errors
    /// [`DataError::ShapeMismatch`] for the wrong input width, [`DataError::NonFinite`].
    pub fn forward(&self, x: &Matrix) -> Result<Matrix> {
        let d_in = self.weights.first().map_or(0, Matrix::ncols);
        if x.ncols() != d_in {
            return Err(DataError::ShapeMismatch {
                op: "mlp teacher input columns",
                expected: (x.nrows(), d_in),
                got: x.shape(),
            });
        }
        check_finite(x, "mlp teacher input")?;
        Ok(forward(&self.weights, &self.biases, x))
    }

    /// The inputs and argmax labels as a classification dataset (needs >= 2 outputs).
    ///
    /// # Errors
    /// [`DataError::InvalidParameter`] for a single output.
    pub fn to_dataset(&self) -> Result<Dataset> {
        let k = self.targets.ncols();
        if k < 2 {
            return Err(DataError::invalid(
                "output size",
                k,
                "classification needs at least 2 outputs",
            ));
        }
        Dataset::new(
            self.inputs.clone(),
            self.labels.clone(),
            numeric_class_names(k),
            None,
        )
    }
}

fn forward(ws: &[Matrix], bs: &[Vector], x: &Matrix) -> Matrix {
    let mut h = x.clone();
    let last = ws.len().saturating_sub(1);
    for (l, (w, b)) in ws.iter().zip(bs).enumerate() {
        let mut z = &h * w.transpose();
        for mut row in z.row_iter_mut() {
            for (j, v) in row.iter_mut().enumerate() {
                *v += b[j];
                if l < last {
                    *v = v.tanh();
                }
            }
        }
        h = z;
    }
    h
}

/// Draws a random MLP teacher with layer sizes `sizes = [d_in, h_1, ..., d_out]` and `n` samples.
/// Draw order from stream `(seed, 0)`: each layer's `W_l` row by row then `b_l`, then all inputs
/// row by row, then all noise values row by row.
///
/// # Errors
/// [`DataError::InvalidParameter`] for fewer than 2 sizes, a zero size, `n == 0`, or a bad
/// `noise_std`.
pub fn mlp_teacher(n: usize, sizes: &[usize], noise_std: Real, seed: u64) -> Result<MlpTeacher> {
    check_count("n", n)?;
    if sizes.len() < 2 || sizes.contains(&0) {
        return Err(DataError::invalid(
            "sizes",
            format!("{sizes:?}"),
            "needs at least an input and an output size, all >= 1",
        ));
    }
    check_nonneg("noise_std", noise_std)?;
    let mut rng = rng::stream(seed, 0);
    let mut weights = Vec::with_capacity(sizes.len() - 1);
    let mut biases = Vec::with_capacity(sizes.len() - 1);
    for l in 1..sizes.len() {
        let (fan_in, fan_out) = (sizes[l - 1], sizes[l]);
        let s = 1.0 / (fan_in as Real).sqrt();
        let mut w = Matrix::zeros(fan_out, fan_in);
        for r in 0..fan_out {
            for c in 0..fan_in {
                w[(r, c)] = s * normal(&mut rng);
            }
        }
        weights.push(w);
        biases.push(Vector::from_iterator(
            fan_out,
            (0..fan_out).map(|_| 0.1 * normal(&mut rng)),
        ));
    }
    let mut inputs = Matrix::zeros(n, sizes[0]);
    for r in 0..n {
        for c in 0..sizes[0] {
            inputs[(r, c)] = normal(&mut rng);
        }
    }
    let clean = forward(&weights, &biases, &inputs);
    let labels = clean
        .row_iter()
        .map(|row| {
            let mut best = 0;
            for j in 1..row.len() {
                if row[j] > row[best] {
                    best = j;
                }
            }
            best
        })
        .collect();
    let mut targets = clean;
    for r in 0..n {
        for c in 0..targets.ncols() {
            targets[(r, c)] += noise_std * normal(&mut rng);
        }
    }
    Ok(MlpTeacher {
        inputs,
        targets,
        labels,
        weights,
        biases,
        noise_std,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// With zero noise, ordinary least squares on `[x, 1]` recovers the teacher exactly
    /// (normal equations; exact up to rounding, tolerance 1e-9).
    #[test]
    fn linear_teacher_is_recoverable() {
        let t = linear_teacher(50, 3, 2, 0.0, 7).unwrap();
        let xa = Matrix::from_fn(50, 4, |r, c| if c < 3 { t.inputs[(r, c)] } else { 1.0 });
        let sol = (xa.transpose() * &xa)
            .cholesky()
            .unwrap()
            .solve(&(xa.transpose() * &t.targets));
        for o in 0..2 {
            for c in 0..3 {
                assert!((sol[(c, o)] - t.weights[(o, c)]).abs() < 1e-9);
            }
            assert!((sol[(3, o)] - t.bias[o]).abs() < 1e-9);
        }
        let noisy = linear_teacher(50, 3, 2, 0.5, 7).unwrap();
        assert_eq!(
            noisy.weights, t.weights,
            "noise level must not change the teacher"
        );
        assert!((&noisy.targets - &t.targets).norm() > 1.0);
    }

    #[test]
    fn mlp_teacher_consistent() {
        let t = mlp_teacher(40, &[5, 8, 3], 0.0, 3).unwrap();
        assert_eq!(t.forward(&t.inputs).unwrap(), t.targets);
        let ds = t.to_dataset().unwrap();
        assert_eq!(ds.n_classes(), 3);
        assert!(ds.class_counts().iter().filter(|&&c| c > 0).count() >= 2);
        assert!(matches!(
            t.forward(&Matrix::zeros(1, 4)),
            Err(DataError::ShapeMismatch {
                expected: (1, 5),
                got: (1, 4),
                ..
            })
        ));
        assert!(matches!(
            mlp_teacher(10, &[3], 0.0, 0),
            Err(DataError::InvalidParameter { .. })
        ));
        assert!(matches!(
            mlp_teacher(10, &[3, 0, 2], 0.0, 0),
            Err(DataError::InvalidParameter { .. })
        ));
        assert!(matches!(
            mlp_teacher(10, &[3, 1], 0.0, 0).unwrap().to_dataset(),
            Err(DataError::InvalidParameter { .. })
        ));
    }
}
