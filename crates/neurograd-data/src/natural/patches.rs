//! Seeded square-patch sampling from a set of images.

use crate::rng::{self, index};
use crate::{DataError, Result};
use neurograd_tensor::Matrix;
use rand::Rng;
use serde::{Deserialize, Serialize};

/// How patches are spread over the images.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PatchMode {
    /// `count` patches in total, each from an image drawn uniformly (stream `(seed, 0)`; per patch:
    /// image `index(n_images)`, then top row, then left column).
    Pooled,
    /// `count` patches from every image, image by image in input order (image `i` draws from
    /// stream `(seed, i)`; per patch: top row, then left column).
    PerImage,
}

/// Samples `size x size` patches at uniformly random positions, one patch per output row
/// (row-major pixels: pixel `(r, c)` of a patch is column `r * size + c`), excluding a `border`
/// of pixels on every side of each image (the whitening filter wraps around at the edges; 16
/// pixels is the reference value). A top-left corner is
/// `border + index(extent - 2 border - size + 1)` along each axis, with the draws of
/// [`crate::rng`], so patches are bit-identical for a seed on every platform.
///
/// ```
/// use neurograd_data::natural::PatchSampler;
/// use neurograd_data::Matrix;
/// let img = Matrix::from_fn(20, 30, |r, c| (r * 30 + c) as f64);
/// let p = PatchSampler::new(4, 3).per_image().with_border(2).sample(&[img.clone(), img], 1)?;
/// assert_eq!(p.shape(), (6, 16));
/// # Ok::<(), neurograd_data::DataError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatchSampler {
    /// Patch side `P` in pixels (`>= 1`).
    pub size: usize,
    /// Number of patches (in total, or per image for [`PatchMode::PerImage`]; `>= 1`).
    pub count: usize,
    /// Pixels excluded on every side of each image.
    pub border: usize,
    /// Pooled over the images or per image.
    pub mode: PatchMode,
}

impl PatchSampler {
    /// `count` pooled patches of side `size`, no border.
    pub fn new(size: usize, count: usize) -> PatchSampler {
        PatchSampler {
            size,
            count,
            border: 0,
            mode: PatchMode::Pooled,
        }
    }

    /// The same sampler excluding `border` pixels on every side.
    pub fn with_border(mut self, border: usize) -> PatchSampler {
        self.border = border;
        self
    }

    /// The same sampler drawing `count` patches from every image.
    pub fn per_image(mut self) -> PatchSampler {
        self.mode = PatchMode::PerImage;
        self
    }

    /// Validates the sampler against `images` and returns the number of output rows.
    ///
    /// # Errors
    /// [`DataError::Empty`] for no images, [`DataError::InvalidParameter`] for `size == 0`,
    /// `count == 0`, an output size that overflows, or a patch (plus twice the border) larger
    /// than an image (`name: "patch"`).
    pub fn check(&self, images: &[Matrix]) -> Result<usize> {
        if images.is_empty() {
            return Err(DataError::Empty {
                what: "patch sampler images".into(),
            });
        }
        if self.size == 0 {
            return Err(DataError::invalid("patch", 0, "must be at least 1"));
        }
        if self.count == 0 {
            return Err(DataError::invalid("count", 0, "must be at least 1"));
        }
        let need = self
            .border
            .checked_mul(2)
            .and_then(|b| b.checked_add(self.size));
        if let Some((i, im)) = images
            .iter()
            .enumerate()
            .find(|(_, im)| need.is_none_or(|need| im.nrows() < need || im.ncols() < need))
        {
            return Err(DataError::invalid(
                "patch",
                self.size,
                format!(
                    "with a border of {} the patch is larger than image {i} ({}x{})",
                    self.border,
                    im.nrows(),
                    im.ncols()
                ),
            ));
        }
        let rows = match self.mode {
            PatchMode::Pooled => Some(self.count),
            PatchMode::PerImage => self.count.checked_mul(images.len()),
        };
        rows.filter(|&n| {
            n.checked_mul(self.size * self.size)
                .is_some_and(|e| e <= isize::MAX as usize / 8)
        })
        .ok_or_else(|| {
            DataError::invalid(
                "count",
                self.count,
                "the patch matrix would not fit in memory",
            )
        })
    }

    /// Samples the patches from `images` with `seed` (see [`PatchMode`] for the streams).
    ///
    /// # Errors
    /// As [`PatchSampler::check`]. Image pixels are copied as they are (not checked).
    pub fn sample(&self, images: &[Matrix], seed: u64) -> Result<Matrix> {
        let n = self.check(images)?;
        let d = self.size * self.size;
        let mut out = Matrix::zeros(n, d);
        match self.mode {
            PatchMode::Pooled => {
                let mut rng = rng::stream(seed, 0);
                for k in 0..n {
                    let im = &images[index(&mut rng, images.len())];
                    self.copy_patch(im, &mut rng, &mut out, k);
                }
            }
            PatchMode::PerImage => {
                for (i, im) in images.iter().enumerate() {
                    let mut rng = rng::stream(seed, i as u64);
                    for k in 0..self.count {
                        self.copy_patch(im, &mut rng, &mut out, i * self.count + k);
                    }
                }
            }
        }
        Ok(out)
    }

    /// Draws a top-left corner (row, then column) and copies the patch into row `k` of `out`.
    fn copy_patch<R: Rng + ?Sized>(&self, im: &Matrix, rng: &mut R, out: &mut Matrix, k: usize) {
        let (p, b) = (self.size, self.border);
        let r0 = b + index(rng, im.nrows() - 2 * b - p + 1);
        let c0 = b + index(rng, im.ncols() - 2 * b - p + 1);
        for r in 0..p {
            for c in 0..p {
                out[(k, r * p + c)] = im[(r0 + r, c0 + c)];
            }
        }
    }
}
