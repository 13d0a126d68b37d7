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

/// Index of the first NaN or infinite value of `xs`, if any.
///
/// Blocks of 256 are first tested with an `|` reduction, which vectorises (a plain `position`
/// stops at each element and does not); the index is looked up only in a block that has one. At
/// 784 x 256 a `position` scan took a tenth of a Hebbian update.
fn first_non_finite(xs: &[Real]) -> Option<usize> {
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

/// Checks that every element of a slice is finite.
///
/// # Errors
/// [`TensorError::NonFinite`] naming `what` and the index of the first bad element.
pub fn check_finite_slice(xs: &[Real], what: &str) -> Result<()> {
    let bad = first_non_finite(xs);
    match bad {
        None => Ok(()),
        Some(index) => Err(TensorError::NonFinite {
            what: what.to_string(),
            index,
        }),
    }
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

    /// The first non-finite entry is found wherever it sits relative to the blocks of
    /// [`first_non_finite`], also with a second one later in the same or a later block.
    #[test]
    fn finite_reports_first_index_across_blocks() {
        for len in [1, 15, 16, 17, 40, 100, 255, 256, 257, 520] {
            for first in 0..len {
                for bad in [Real::NAN, Real::INFINITY, Real::NEG_INFINITY] {
                    let mut xs = vec![0.5; len];
                    xs[first] = bad;
                    if first + 3 < len {
                        xs[first + 3] = Real::NAN;
                    }
                    assert_eq!(
                        check_finite_slice(&xs, "x"),
                        Err(TensorError::NonFinite {
                            what: "x".into(),
                            index: first
                        }),
                        "length {len}, first at {first}"
                    );
                }
            }
            assert!(check_finite_slice(&vec![-1e300; len], "x").is_ok());
        }
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
