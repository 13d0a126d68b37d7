//! Földiák's bars.

use super::check_count;
use crate::rng::{self, uniform};
use crate::{DataError, Result};
use neurograd_tensor::{Matrix, Real};
use serde::{Deserialize, Serialize};

/// Images of the bars problem (Földiák 1990, Biol. Cybern. 64:165): on a `size x size` grid each
/// of the `2 size` bars (rows `0..size` are horizontal bars, then columns) is on independently with
/// probability `p`; a pixel is 1 if any bar through it is on, else 0. Földiák used 8x8 and
/// `p = 1/8`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bars {
    /// Images, `n x size^2`, row-major pixels in {0, 1}.
    pub images: Matrix,
    /// Bar indicators, `n x 2 size` in {0, 1}: columns `0..size` horizontal bars (image rows),
    /// `size..2 size` vertical bars (image columns).
    pub bars: Matrix,
    /// Grid side.
    pub size: usize,
    /// Bar probability.
    pub p: Real,
}

/// Draws `n` bars images. Bar `j` of sample `i` is on iff `uniform() < p`, drawn in the order
/// sample by sample, bar by bar, from stream `(seed, 0)`. So each pixel is on with probability
/// `1 - (1 - p)^2`.
///
/// # Errors
/// [`DataError::InvalidParameter`] for `n == 0`, `size == 0`, or `p` outside `[0, 1]`.
pub fn bars(n: usize, size: usize, p: Real, seed: u64) -> Result<Bars> {
    check_count("n", n)?;
    check_count("size", size)?;
    if !(0.0..=1.0).contains(&p) {
        return Err(DataError::invalid("p", p, "must lie in [0, 1]"));
    }
    let mut rng = rng::stream(seed, 0);
    let mut images = Matrix::zeros(n, size * size);
    let mut on = Matrix::zeros(n, 2 * size);
    for i in 0..n {
        for j in 0..2 * size {
            if uniform(&mut rng) < p {
                on[(i, j)] = 1.0;
                for k in 0..size {
                    let px = if j < size {
                        j * size + k
                    } else {
                        k * size + (j - size)
                    };
                    images[(i, px)] = 1.0;
                }
            }
        }
    }
    Ok(Bars {
        images,
        bars: on,
        size,
        p,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn geometry_of_one_bar() {
        let b = bars(1, 4, 1.0, 0).unwrap();
        assert!(b.images.iter().all(|&v| v == 1.0));
        let b = bars(200, 3, 0.2, 1).unwrap();
        for i in 0..200 {
            for r in 0..3 {
                for c in 0..3 {
                    let expect = b.bars[(i, r)].max(b.bars[(i, 3 + c)]);
                    assert_eq!(b.images[(i, r * 3 + c)], expect);
                }
            }
        }
        assert!(matches!(
            bars(1, 4, 1.5, 0),
            Err(DataError::InvalidParameter { .. })
        ));
        assert!(matches!(
            bars(0, 4, 0.5, 0),
            Err(DataError::InvalidParameter { .. })
        ));
    }
}
