//! Validation helpers shared by the local rules (shape and finiteness at public boundaries).

use crate::{PlasticityError, Result};
use neurograd_tensor::{Matrix, Real, Vector};

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
    match neurograd_tensor::validate::first_non_finite(v) {
        Some(index) => Err(PlasticityError::NonFinite {
            what: what.to_string(),
            index,
        }),
        None => Ok(()),
    }
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
