//! Validation helpers shared by the local rules (shape and finiteness at public boundaries).

use crate::{PlasticityError, Result};
use neurograd_tensor::{Matrix, Real, Vector};

/// Returns [`PlasticityError::NonFinite`] for the first NaN or infinite entry of `m`
/// (column-major index).
pub fn finite_matrix(what: &str, m: &Matrix) -> Result<()> {
    finite_slice(what, m.as_slice())
}

/// Whether every entry of `v` is finite, in one branch-free pass: an entry is NaN or infinite iff
/// its exponent bits are all ones, so the pass ORs `exponent == all ones` over 8 independent
/// lanes (integer operations the compiler vectorizes) with no early exit.
fn all_finite(v: &[Real]) -> bool {
    const EXP: u64 = 0x7ff0_0000_0000_0000;
    let mut lanes = [0u64; 8];
    let mut chunks = v.chunks_exact(8);
    for c in &mut chunks {
        for (l, &x) in lanes.iter_mut().zip(c) {
            *l |= u64::from(x.to_bits() & EXP == EXP);
        }
    }
    let tail = chunks
        .remainder()
        .iter()
        .fold(0u64, |a, &x| a | u64::from(x.to_bits() & EXP == EXP));
    (lanes.iter().fold(tail, |a, &l| a | l)) == 0
}

/// Returns [`PlasticityError::NonFinite`] for the first NaN or infinite entry of `v`.
pub fn finite_vector(what: &str, v: &Vector) -> Result<()> {
    finite_slice(what, v.as_slice())
}

/// Returns [`PlasticityError::NonFinite`] for the first NaN or infinite entry of `v`.
pub fn finite_slice(what: &str, v: &[Real]) -> Result<()> {
    if all_finite(v) {
        return Ok(());
    }
    // the slow path only when there is one to report
    match v.iter().position(|x| !x.is_finite()) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_one_pass_finiteness_check_finds_every_non_finite_entry_and_its_first_index() {
        // every length around the 8-lane chunks, every position, each kind of non-finite value
        for len in 0..27 {
            let ok: Vec<Real> = (0..len).map(|i| (i as Real - 7.5) * 1e300).collect();
            assert!(all_finite(&ok), "len {len}");
            assert!(finite_slice("v", &ok).is_ok());
            for at in 0..len {
                for bad in [Real::NAN, Real::INFINITY, Real::NEG_INFINITY, -Real::NAN] {
                    let mut v = ok.clone();
                    v[at] = bad;
                    assert!(!all_finite(&v), "len {len}, at {at}, {bad}");
                    // a second bad entry later: the error names the first
                    if at + 1 < len {
                        v[len - 1] = Real::NAN;
                    }
                    match finite_slice("v", &v) {
                        Err(PlasticityError::NonFinite { index, .. }) => assert_eq!(index, at),
                        other => panic!("len {len}, at {at}: {other:?}"),
                    }
                }
            }
        }
        // the largest finite values, subnormals and signed zeros are finite
        let edge = [
            Real::MAX,
            -Real::MAX,
            Real::MIN_POSITIVE / 2.0,
            0.0,
            -0.0,
            5e-324,
        ];
        assert!(all_finite(&edge));
        let m = Matrix::from_row_slice(2, 3, &[1.0, 2.0, 3.0, 4.0, Real::NAN, 6.0]);
        // column-major index of (1, 1)
        assert!(matches!(
            finite_matrix("m", &m),
            Err(PlasticityError::NonFinite { index: 3, .. })
        ));
    }
}
