//! The Olshausen & Field (1997) whitening / low-pass filter and ZCA whitening of patches.

use super::check_images;
use super::fft::Spectrum;
use crate::transform::{Whitening, WhiteningKind};
use crate::{DataError, Result};
use neurograd_tensor::{Matrix, Real};
use serde::{Deserialize, Serialize};

/// The whitening filter of Olshausen & Field (1997, Vision Res 37:3311, "Sparse coding with an
/// overcomplete basis set"), as in their `sparsenet` code ("make-your-own-images"):
///
/// ```text
/// R(f) = f exp(-(f / f0)^4),     f = sqrt(fx^2 + fy^2) in cycles per pixel
/// ```
///
/// The ramp `f` flattens the `~1/f` amplitude spectrum of natural images (Field 1987), the
/// exponential rolls off the highest frequencies (noise, aliasing, the rectangular sampling grid).
/// `f0 = 0.4` cycles per pixel is sparsenet's `0.4 N` cycles per picture. Per image: subtract the
/// mean, divide by the standard deviation (unit variance), multiply the 2-D DFT by `R(f)`, and
/// take the real inverse DFT; then rescale the whole set by one factor so the mean over images of
/// the per-image pixel variance is `target_variance` (sparsenet: 0.1). The filter acts on the
/// periodic extension of each image, so the outer ~16 pixels carry wrap-around artefacts: exclude
/// them when sampling patches ([`super::PatchSampler::with_border`]).
///
/// `ramp = false` drops the factor `f` and keeps only the roll-off: the negative control of the
/// whitening test (the spectrum stays `~1/f^2` in power).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct OlshausenField {
    /// Roll-off frequency `f0` in cycles per pixel (`0 < f0`; default 0.4).
    pub f0: Real,
    /// Variance of the whitened set (`> 0`; default 0.1).
    pub target_variance: Real,
    /// Whether the ramp `f` is applied (default `true`; `false` is the low-pass-only control).
    pub ramp: bool,
}

impl Default for OlshausenField {
    /// `f0 = 0.4` cycles per pixel, target variance 0.1, ramp on (sparsenet's values).
    fn default() -> Self {
        OlshausenField {
            f0: 0.4,
            target_variance: 0.1,
            ramp: true,
        }
    }
}

impl OlshausenField {
    /// Validates the parameters.
    ///
    /// # Errors
    /// [`DataError::InvalidParameter`] naming `f0` or `target_variance`.
    pub fn check(&self) -> Result<()> {
        if !(self.f0.is_finite() && self.f0 > 0.0) {
            return Err(DataError::invalid("f0", self.f0, "must be finite and > 0"));
        }
        if !(self.target_variance.is_finite() && self.target_variance > 0.0) {
            return Err(DataError::invalid(
                "target_variance",
                self.target_variance,
                "must be finite and > 0",
            ));
        }
        Ok(())
    }

    /// The filter gain `R(f)` at radial frequency `f` (cycles per pixel).
    pub fn gain(&self, f: Real) -> Real {
        let roll = (-(f / self.f0).powi(4)).exp();
        if self.ramp { f * roll } else { roll }
    }

    /// Whitens every image (see the type docs); the output images have the input shapes.
    ///
    /// # Errors
    /// As [`OlshausenField::check`]; [`DataError::Empty`] for no images,
    /// [`DataError::InvalidParameter`] for an image smaller than 2 x 2 or a constant image,
    /// [`DataError::NonFinite`].
    pub fn apply(&self, images: &[Matrix]) -> Result<Vec<Matrix>> {
        self.check()?;
        check_images(images, "whitening", 2)?;
        let mut out = Vec::with_capacity(images.len());
        let mut var_sum = 0.0;
        for (i, im) in images.iter().enumerate() {
            let (mean, var) = mean_var(im);
            if var <= 0.0 {
                return Err(DataError::invalid(
                    "images",
                    format!("image {i}"),
                    "is constant: it cannot be normalised to unit variance",
                ));
            }
            let sd = var.sqrt();
            let unit = im.map(|v| (v - mean) / sd);
            let mut s = Spectrum::of(&unit)?;
            s.filter_radial(|f| self.gain(f));
            let w = s.inverse_real();
            var_sum += mean_var(&w).1;
            out.push(w);
        }
        let mean_var_set = var_sum / images.len() as Real;
        if mean_var_set <= 0.0 {
            return Err(DataError::invalid(
                "images",
                "all",
                "the filtered images are zero (no energy inside the pass band)",
            ));
        }
        let k = (self.target_variance / mean_var_set).sqrt();
        for w in &mut out {
            *w *= k;
        }
        Ok(out)
    }
}

/// Mean and population variance (divide by `n`) of all pixels.
fn mean_var(m: &Matrix) -> (Real, Real) {
    let n = m.len() as Real;
    let mean = m.sum() / n;
    let var = m.iter().map(|v| (v - mean) * (v - mean)).sum::<Real>() / n;
    (mean, var)
}

/// ZCA whitening of patches (one per row): fits [`Whitening`] with [`WhiteningKind::Zca`] and
/// regulariser `epsilon` on `patches` and returns the whitened patches with the fitted transform
/// (apply it to new patches with [`Whitening::transform`]). ZCA (Bell & Sejnowski 1997) is the
/// symmetric whitening `V diag((lambda + eps)^-1/2) V^T`, closest to the identity, so whitened
/// patches still look like patches.
///
/// # Errors
/// As [`Whitening::fit`] (fewer than 2 patches, singular covariance with `epsilon = 0`, ...).
pub fn zca_whiten(patches: &Matrix, epsilon: Real) -> Result<(Matrix, Whitening)> {
    let w = Whitening::fit(patches, WhiteningKind::Zca, epsilon)?;
    Ok((w.transform(patches)?, w))
}
