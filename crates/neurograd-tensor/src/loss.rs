//! Numerically stable losses and accuracy.
//!
//! Batches store one sample per row. Reductions follow PyTorch's `reduction = "mean"`:
//!
//! * mean squared error `L = (1 / (m n)) Σ_ij (p_ij - t_ij)²` over **all** `m × n` elements,
//!   `∂L/∂p = 2 (p - t) / (m n)`;
//! * softmax cross-entropy on logits `z` (one row per sample, integer labels `y_i`):
//!   `L = (1/m) Σ_i [logsumexp(z_i) - z_{i, y_i}]`, with
//!   `logsumexp(z) = max z + ln Σ_j e^{z_j - max z}` (the log-sum-exp trick, stable for any finite
//!   logits), `∂L/∂z = (softmax(z) - onehot(y)) / m`;
//! * binary cross-entropy on logits `z` with targets `t ∈ [0, 1]`:
//!   `L = (1/(m n)) Σ [max(z, 0) - z t + ln(1 + e^{-|z|})]` (the stable form used by PyTorch's
//!   `BCEWithLogitsLoss`), `∂L/∂z = (σ(z) - t) / (m n)`.

use crate::activation::sigmoid;
use crate::validate::{check_finite, check_nonempty, check_same_shape};
use crate::{Matrix, Real, Result, TensorError};

fn check_pair(op: &'static str, a: &Matrix, b: &Matrix) -> Result<()> {
    check_same_shape(op, a, b)?;
    check_nonempty(a, op)?;
    check_finite(a, op)?;
    check_finite(b, op)
}

/// Mean squared error over all elements, `mean((pred - target)²)`.
///
/// # Errors
/// Shape mismatch, empty input or non-finite values.
pub fn mse(pred: &Matrix, target: &Matrix) -> Result<Real> {
    check_pair("mse", pred, target)?;
    let n = pred.len() as Real;
    Ok(pred
        .iter()
        .zip(target.iter())
        .map(|(p, t)| (p - t) * (p - t))
        .sum::<Real>()
        / n)
}

/// Gradient of [`mse`] with respect to `pred`: `2 (pred - target) / len`.
///
/// # Errors
/// As [`mse`].
pub fn mse_grad(pred: &Matrix, target: &Matrix) -> Result<Matrix> {
    check_pair("mse_grad", pred, target)?;
    let k = 2.0 / pred.len() as Real;
    Ok((pred - target) * k)
}

/// Row-wise softmax, stabilised by subtracting each row's maximum.
///
/// Rows containing non-finite values produce non-finite outputs; use the checked losses for
/// validated input.
pub fn softmax(logits: &Matrix) -> Matrix {
    let mut out = logits.clone();
    softmax_in_place(&mut out);
    out
}

/// Row-wise softmax in place (see [`softmax`]).
pub fn softmax_in_place(m: &mut Matrix) {
    let (rows, cols) = m.shape();
    if cols == 0 {
        return;
    }
    let mut max = vec![Real::NEG_INFINITY; rows];
    for j in 0..cols {
        for (mx, &x) in max.iter_mut().zip(m.column(j).iter()) {
            *mx = mx.max(x);
        }
    }
    let mut sum = vec![0.0; rows];
    for j in 0..cols {
        for ((x, &mx), s) in m.column_mut(j).iter_mut().zip(&max).zip(sum.iter_mut()) {
            *x = (*x - mx).exp();
            *s += *x;
        }
    }
    for j in 0..cols {
        for (x, &s) in m.column_mut(j).iter_mut().zip(&sum) {
            *x /= s;
        }
    }
}

/// Row-wise `logsumexp`, stable: `max z + ln Σ e^{z - max z}`. Returns one value per row.
pub fn logsumexp_rows(logits: &Matrix) -> Vec<Real> {
    let (rows, cols) = logits.shape();
    let mut max = vec![Real::NEG_INFINITY; rows];
    for j in 0..cols {
        for (mx, &x) in max.iter_mut().zip(logits.column(j).iter()) {
            *mx = mx.max(x);
        }
    }
    let mut sum = vec![0.0; rows];
    for j in 0..cols {
        for ((s, &mx), &x) in sum.iter_mut().zip(&max).zip(logits.column(j).iter()) {
            *s += (x - mx).exp();
        }
    }
    max.iter().zip(&sum).map(|(m, s)| m + s.ln()).collect()
}

pub(crate) fn check_labels(op: &'static str, scores: &Matrix, labels: &[usize]) -> Result<()> {
    let (rows, cols) = scores.shape();
    if rows == 0 || cols == 0 {
        return Err(TensorError::Empty {
            what: format!("{op}: scores of shape ({rows}, {cols})"),
        });
    }
    if labels.len() != rows {
        return Err(TensorError::ShapeMismatch {
            op,
            expected: (rows, 1),
            got: (labels.len(), 1),
        });
    }
    if let Some((i, &l)) = labels.iter().enumerate().find(|&(_, &l)| l >= cols) {
        return Err(TensorError::InvalidParameter {
            name: "label",
            value: l.to_string(),
            reason: format!("label at row {i} must be < number of classes {cols}"),
        });
    }
    check_finite(scores, op)
}

/// Mean over rows of `-ln softmax(z_i)_{y_i}`, computed with log-sum-exp.
///
/// # Errors
/// Empty logits, `labels.len() != rows`, a label `>= cols`, non-finite logits.
pub fn softmax_cross_entropy(logits: &Matrix, labels: &[usize]) -> Result<Real> {
    check_labels("softmax_cross_entropy", logits, labels)?;
    let lse = logsumexp_rows(logits);
    let total: Real = labels
        .iter()
        .enumerate()
        .map(|(i, &y)| lse[i] - logits[(i, y)])
        .sum();
    Ok(total / labels.len() as Real)
}

/// Gradient of [`softmax_cross_entropy`] with respect to the logits: `(softmax - onehot) / rows`.
///
/// # Errors
/// As [`softmax_cross_entropy`].
pub fn softmax_cross_entropy_grad(logits: &Matrix, labels: &[usize]) -> Result<Matrix> {
    check_labels("softmax_cross_entropy_grad", logits, labels)?;
    let mut g = softmax(logits);
    for (i, &y) in labels.iter().enumerate() {
        g[(i, y)] -= 1.0;
    }
    g /= labels.len() as Real;
    Ok(g)
}

/// Mean binary cross-entropy on logits, `mean(max(z,0) - z t + ln(1 + e^{-|z|}))`.
///
/// Targets may be soft (any value in `[0, 1]`).
///
/// # Errors
/// Shape mismatch, empty input, non-finite values, a target outside `[0, 1]`.
pub fn binary_cross_entropy_with_logits(logits: &Matrix, targets: &Matrix) -> Result<Real> {
    check_bce("binary_cross_entropy_with_logits", logits, targets)?;
    let n = logits.len() as Real;
    Ok(logits
        .iter()
        .zip(targets.iter())
        .map(|(&z, &t)| z.max(0.0) - z * t + (-z.abs()).exp().ln_1p())
        .sum::<Real>()
        / n)
}

/// Gradient of [`binary_cross_entropy_with_logits`]: `(σ(z) - t) / len`.
///
/// # Errors
/// As [`binary_cross_entropy_with_logits`].
pub fn binary_cross_entropy_with_logits_grad(logits: &Matrix, targets: &Matrix) -> Result<Matrix> {
    check_bce("binary_cross_entropy_with_logits_grad", logits, targets)?;
    let n = logits.len() as Real;
    Ok(logits.zip_map(targets, |z, t| (sigmoid(z) - t) / n))
}

fn check_bce(op: &'static str, logits: &Matrix, targets: &Matrix) -> Result<()> {
    check_pair(op, logits, targets)?;
    if let Some(index) = targets.iter().position(|t| !(0.0..=1.0).contains(t)) {
        return Err(TensorError::InvalidParameter {
            name: "target",
            value: targets[index].to_string(),
            reason: format!("{op}: target at index {index} must lie in [0, 1]"),
        });
    }
    Ok(())
}

/// Index of the largest element of each row (first one on ties).
pub fn argmax_rows(scores: &Matrix) -> Vec<usize> {
    (0..scores.nrows())
        .map(|i| {
            let row = scores.row(i);
            let mut best = 0;
            for j in 1..row.len() {
                if row[j] > row[best] {
                    best = j;
                }
            }
            best
        })
        .collect()
}

/// Fraction of rows whose argmax equals the label.
///
/// # Errors
/// As for [`softmax_cross_entropy`] (empty scores, label count or range, non-finite scores).
pub fn accuracy(scores: &Matrix, labels: &[usize]) -> Result<Real> {
    check_labels("accuracy", scores, labels)?;
    let hits = argmax_rows(scores)
        .iter()
        .zip(labels)
        .filter(|(p, l)| p == l)
        .count();
    Ok(hits as Real / labels.len() as Real)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mse_is_mean_over_all_elements() {
        let p = Matrix::from_row_slice(2, 2, &[1.0, 2.0, 3.0, 4.0]);
        let t = Matrix::zeros(2, 2);
        // (1 + 4 + 9 + 16) / 4, PyTorch reduction = "mean"
        assert_eq!(mse(&p, &t).unwrap(), 7.5);
        assert_eq!(mse_grad(&p, &t).unwrap(), &p * 0.5);
    }

    #[test]
    fn cross_entropy_uniform_logits_is_ln_k() {
        let z = Matrix::zeros(3, 4);
        let l = softmax_cross_entropy(&z, &[0, 1, 3]).unwrap();
        assert!((l - 4f64.ln()).abs() < 1e-15);
    }

    #[test]
    fn cross_entropy_stable_for_huge_logits() {
        let z = Matrix::from_row_slice(2, 2, &[1000.0, 0.0, -1000.0, 1000.0]);
        let l = softmax_cross_entropy(&z, &[0, 0]).unwrap();
        // row 1: ln(1 + e^-1000) ~ 0; row 2: 2000 + ln(1 + e^-2000) = 2000
        assert!((l - 1000.0).abs() < 1e-12, "{l}");
        let s = softmax(&z);
        assert!(s.iter().all(|x| x.is_finite()));
    }

    #[test]
    fn bce_matches_naive_formula() {
        let z = Matrix::from_row_slice(1, 3, &[-2.0, 0.5, 3.0]);
        let t = Matrix::from_row_slice(1, 3, &[0.0, 1.0, 0.3]);
        let naive: Real = z
            .iter()
            .zip(t.iter())
            .map(|(&z, &t)| {
                let s = 1.0 / (1.0 + (-z).exp());
                -(t * s.ln() + (1.0 - t) * (1.0 - s).ln())
            })
            .sum::<Real>()
            / 3.0;
        let l = binary_cross_entropy_with_logits(&z, &t).unwrap();
        assert!((l - naive).abs() < 1e-14);
        let bad = Matrix::from_row_slice(1, 3, &[0.0, 1.5, 0.0]);
        assert!(matches!(
            binary_cross_entropy_with_logits(&z, &bad),
            Err(TensorError::InvalidParameter { .. })
        ));
    }

    #[test]
    fn accuracy_counts_argmax() {
        let s = Matrix::from_row_slice(3, 2, &[0.9, 0.1, 0.2, 0.8, 0.6, 0.4]);
        assert_eq!(accuracy(&s, &[0, 1, 1]).unwrap(), 2.0 / 3.0);
        assert!(matches!(
            accuracy(&s, &[0, 1]),
            Err(TensorError::ShapeMismatch { .. })
        ));
        assert!(matches!(
            accuracy(&s, &[0, 1, 2]),
            Err(TensorError::InvalidParameter { .. })
        ));
    }
}
