//! Validation helpers for public boundaries (shapes, finiteness, emptiness).
//!
//! Other crates call these at their own public boundaries so that every crate reports bad input
//! with the same structured [`TensorError`] variants.

use crate::{Matrix, Real, Result, TensorError};

/// Checks that every element of `m` is finite (not NaN, not ±∞).
///
/// # Errors
/// [`TensorError::NonFinite`] naming `what` and the column-major index of the first bad element.
pub fn check_finite(m: &Matrix, what: &str) -> Result<()> {
    check_finite_slice(m.as_slice(), what)
}

/// Checks that every element of a slice is finite.
///
/// # Errors
/// [`TensorError::NonFinite`] naming `what` and the index of the first bad element.
pub fn check_finite_slice(xs: &[Real], what: &str) -> Result<()> {
    match first_non_finite(xs) {
        None => Ok(()),
        Some(index) => Err(TensorError::NonFinite {
            what: what.to_string(),
            index,
        }),
    }
}

/// Index of the first NaN or infinite value of `xs`, if any.
///
/// Blocks of 256 are first tested with an `|` reduction, which vectorises (a plain `position`
/// stops at each element and does not); the index is looked up only in a block that has one. At
/// 784 x 256 a `position` scan took a tenth of a Hebb update (issue 18).
pub fn first_non_finite(xs: &[Real]) -> Option<usize> {
    const BLOCK: usize = 256;
    for (bi, block) in xs.chunks(BLOCK).enumerate() {
        if block.iter().fold(false, |bad, x| bad | !x.is_finite()) {
            return block
                .iter()
                .position(|x| !x.is_finite())
                .map(|i| bi * BLOCK + i);
        }
    }
    None
}

/// Checks that `m` has shape `expected = (rows, cols)`.
///
/// # Errors
/// [`TensorError::ShapeMismatch`] with `op`, `expected` and the actual shape.
pub fn check_shape(op: &'static str, m: &Matrix, expected: (usize, usize)) -> Result<()> {
    if m.shape() == expected {
        Ok(())
    } else {
        Err(TensorError::ShapeMismatch {
            op,
            expected,
            got: m.shape(),
        })
    }
}

/// Checks that `b` has the same shape as `a` (the error reports `a`'s shape as expected).
///
/// # Errors
/// [`TensorError::ShapeMismatch`].
pub fn check_same_shape(op: &'static str, a: &Matrix, b: &Matrix) -> Result<()> {
    check_shape(op, b, a.shape())
}

/// Checks that `m` has at least one element.
///
/// # Errors
/// [`TensorError::Empty`] naming `what`.
pub fn check_nonempty(m: &Matrix, what: &str) -> Result<()> {
    if m.is_empty() {
        Err(TensorError::Empty {
            what: what.to_string(),
        })
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finite_reports_first_index() {
        let m = Matrix::from_column_slice(2, 2, &[1.0, 2.0, Real::NAN, Real::INFINITY]);
        assert_eq!(
            check_finite(&m, "weights"),
            Err(TensorError::NonFinite {
                what: "weights".into(),
                index: 2
            })
        );
        assert!(check_finite(&Matrix::zeros(3, 3), "x").is_ok());
    }

    #[test]
    fn shape_reports_both() {
        let m = Matrix::zeros(2, 3);
        assert_eq!(
            check_shape("op", &m, (3, 2)),
            Err(TensorError::ShapeMismatch {
                op: "op",
                expected: (3, 2),
                got: (2, 3)
            })
        );
        assert!(check_shape("op", &m, (2, 3)).is_ok());
        assert!(matches!(
            check_nonempty(&Matrix::zeros(0, 3), "batch"),
            Err(TensorError::Empty { .. })
        ));
    }
}

#[cfg(test)]
mod first_non_finite_tests {
    use super::*;

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
            check_finite_slice(&[1.0, Real::NAN], "x"),
            Err(TensorError::NonFinite { index: 1, .. })
        ));
    }
}
