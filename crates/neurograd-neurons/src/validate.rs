//! Crate-internal parameter checks shared by every model (not public API).

use crate::{NeuronError, Real, Result};

/// `value` must be finite.
pub(crate) fn finite(name: &'static str, value: Real) -> Result<()> {
    if value.is_finite() {
        Ok(())
    } else {
        Err(NeuronError::InvalidParameter {
            name,
            value: format!("{value}"),
            reason: "must be finite".into(),
        })
    }
}

/// `value` must be finite and strictly positive.
pub(crate) fn positive(name: &'static str, value: Real) -> Result<()> {
    finite(name, value)?;
    if value > 0.0 {
        Ok(())
    } else {
        Err(NeuronError::InvalidParameter {
            name,
            value: format!("{value}"),
            reason: "must be > 0".into(),
        })
    }
}

/// `value` must be finite and non-negative.
pub(crate) fn non_negative(name: &'static str, value: Real) -> Result<()> {
    finite(name, value)?;
    if value >= 0.0 {
        Ok(())
    } else {
        Err(NeuronError::InvalidParameter {
            name,
            value: format!("{value}"),
            reason: "must be >= 0".into(),
        })
    }
}

/// `dt` must be in `(0, max_dt]`; `model` names who asked, for the message.
pub(crate) fn dt_in_range(model: &'static str, dt: Real, max_dt: Real) -> Result<()> {
    positive("dt", dt)?;
    if dt > max_dt {
        return Err(NeuronError::InvalidParameter {
            name: "dt",
            value: format!("{dt}"),
            reason: format!("beyond the stable range of {model}: dt must be <= {max_dt} ms"),
        });
    }
    Ok(())
}

/// `a < b` must hold (both already finite).
pub(crate) fn less(name: &'static str, a: Real, b: Real, what: &str) -> Result<()> {
    if a < b {
        Ok(())
    } else {
        Err(NeuronError::InvalidParameter {
            name,
            value: format!("{a}"),
            reason: format!("must be < {what} = {b}"),
        })
    }
}

/// Every element of `xs` must be finite: the tensor crate's
/// [`check_finite_slice`](neurograd_tensor::validate::check_finite_slice), with its
/// `NonFinite` error mapped to [`NeuronError::NonFinite`] (the crate's one finiteness check).
pub(crate) fn all_finite(what: &str, xs: &[Real]) -> Result<()> {
    neurograd_tensor::validate::check_finite_slice(xs, what).map_err(|e| match e {
        neurograd_tensor::TensorError::NonFinite { what, index } => {
            NeuronError::NonFinite { what, index }
        }
        other => NeuronError::Tensor(other),
    })
}

/// Number of whole steps of `dt` in `duration` (rounded; duration must be > 0).
pub(crate) fn n_steps(duration: Real, dt: Real) -> Result<usize> {
    positive("duration", duration)?;
    let n = (duration / dt).round();
    if !(1.0..=1e10).contains(&n) {
        return Err(NeuronError::InvalidParameter {
            name: "duration",
            value: format!("{duration}"),
            reason: format!("gives {n} steps of dt = {dt}; need 1..=1e10"),
        });
    }
    Ok(n as usize)
}
