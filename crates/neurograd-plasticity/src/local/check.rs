//! Validation helpers shared by the local rules (shape and finiteness at public boundaries).

use crate::{PlasticityError, Result};
use neurograd_tensor::validate::check_finite_slice;
use neurograd_tensor::{Matrix, Real, TensorError, Vector};

/// Returns [`PlasticityError::NonFinite`] for the first NaN or infinite entry of `m`
/// (column-major index).
pub fn finite_matrix(what: &str, m: &Matrix) -> Result<()> {
    finite_slice(what, m.as_slice())
}

/// Returns [`PlasticityError::NonFinite`] for the first NaN or infinite entry of `v`.
pub fn finite_vector(what: &str, v: &Vector) -> Result<()> {
    finite_slice(what, v.as_slice())
}

/// Returns [`PlasticityError::NonFinite`] for the first NaN or infinite entry of `v`.
pub fn finite_slice(what: &str, v: &[Real]) -> Result<()> {
    // the tensor crate's scan (blocked, vectorised), its error restated as this crate's
    check_finite_slice(v, what).map_err(|e| match e {
        TensorError::NonFinite { index, .. } => PlasticityError::NonFinite {
            what: what.to_string(),
            index,
        },
        other => other.into(),
    })
}

/// Returns [`PlasticityError::ShapeMismatch`] unless `m` is `expected` (rows, cols).
pub fn shape(op: &'static str, m: &Matrix, expected: (usize, usize)) -> Result<()> {
    if m.shape() == expected {
        Ok(())
    } else {
        Err(PlasticityError::ShapeMismatch {
            op,
            expected,
            got: m.shape(),
        })
    }
}

/// Returns [`PlasticityError::InvalidParameter`] unless `value` is finite and strictly positive.
pub fn positive(name: &'static str, value: Real) -> Result<Real> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(PlasticityError::InvalidParameter {
            name,
            value: format!("{value}"),
            reason: "must be finite and > 0".to_string(),
        })
    }
}

/// Returns [`PlasticityError::InvalidParameter`] unless `value` is finite and `>= 0`.
pub fn non_negative(name: &'static str, value: Real) -> Result<Real> {
    if value.is_finite() && value >= 0.0 {
        Ok(value)
    } else {
        Err(PlasticityError::InvalidParameter {
            name,
            value: format!("{value}"),
            reason: "must be finite and >= 0".to_string(),
        })
    }
}

/// Returns [`PlasticityError::InvalidParameter`] when a batch has no samples.
pub fn non_empty(name: &'static str, rows: usize) -> Result<()> {
    if rows == 0 {
        Err(PlasticityError::InvalidParameter {
            name,
            value: "0 rows".to_string(),
            reason: "needs at least one sample".to_string(),
        })
    } else {
        Ok(())
    }
}

/// Returns [`PlasticityError::InvalidParameter`] unless the spike times are finite, non-negative
/// and sorted non-decreasingly.
pub fn spike_train(name: &'static str, times: &[Real]) -> Result<()> {
    finite_slice(name, times)?;
    if let Some(i) = times.iter().position(|t| *t < 0.0) {
        return Err(PlasticityError::InvalidParameter {
            name,
            value: format!("t[{i}] = {}", times[i]),
            reason: "spike times must be >= 0".to_string(),
        });
    }
    for (i, w) in times.windows(2).enumerate() {
        if w[1] < w[0] {
            return Err(PlasticityError::InvalidParameter {
                name,
                value: format!("t[{}] = {} < t[{}] = {}", i + 1, w[1], i, w[0]),
                reason: "spike times must be sorted".to_string(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The index `finite_slice` reports (the tensor crate's blocked scan), if any.
    fn first_non_finite(v: &[Real]) -> Option<usize> {
        match finite_slice("x", v) {
            Err(PlasticityError::NonFinite { index, .. }) => Some(index),
            _ => None,
        }
    }

    /// The blocked search finds the same first index as a plain scan, for NaN and ±∞ at block
    /// boundaries, inside blocks and in a short last block; none in a finite slice.
    #[test]
    fn first_non_finite_matches_a_plain_scan() {
        let n = 1000;
        for bad in [Real::NAN, Real::INFINITY, Real::NEG_INFINITY] {
            for at in [0, 1, 255, 256, 257, 511, 600, 768, 999] {
                let mut v: Vec<Real> = (0..n).map(|i| i as Real - 300.0).collect();
                v[at] = bad;
                if at + 3 < n {
                    v[at + 3] = bad;
                }
                assert_eq!(first_non_finite(&v), Some(at), "{bad} at {at}");
                assert_eq!(v.iter().position(|x| !x.is_finite()), Some(at));
            }
        }
        let v: Vec<Real> = (0..n).map(|i| (i as Real).exp2() * 1e-300).collect();
        assert_eq!(first_non_finite(&v), None);
        assert_eq!(first_non_finite(&[]), None);
        assert!(matches!(
            finite_slice("x", &[1.0, Real::NAN]),
            Err(PlasticityError::NonFinite { index: 1, .. })
        ));
    }
}
