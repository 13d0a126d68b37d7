//! Control images: white noise, phase-scrambled images, and synthetic power-law images.

use super::check_images;
use super::fft::{Complex64, Spectrum};
use crate::rng::{self, normal};
use crate::{DataError, Result};
use neurograd_tensor::{Matrix, Real};

/// A `rows x cols` image of i.i.d. standard normal pixels from stream `(seed, 0)` (row-major
/// draw order, [`crate::rng::normal`]): flat power spectrum, no structure at any order.
///
/// # Errors
/// [`DataError::InvalidParameter`] for a zero side or a size that overflows.
pub fn white_noise_image(rows: usize, cols: usize, seed: u64) -> Result<Matrix> {
    noise(rows, cols, seed, 0)
}

/// One white-noise image per input image, of the same shape (image `i` from stream `(seed, i)`):
/// the control "no natural-image statistics at all".
///
/// # Errors
/// [`DataError::Empty`] for no images.
pub fn white_noise_like(images: &[Matrix], seed: u64) -> Result<Vec<Matrix>> {
    if images.is_empty() {
        return Err(DataError::Empty {
            what: "white-noise images".into(),
        });
    }
    images
        .iter()
        .enumerate()
        .map(|(i, im)| noise(im.nrows(), im.ncols(), seed, i as u64))
        .collect()
}

/// Checks `1 <= rows, cols` and `rows cols <= 2^32` before anything is allocated.
fn check_shape(rows: usize, cols: usize) -> Result<()> {
    if rows == 0 || cols == 0 || rows.checked_mul(cols).is_none_or(|n| n > 1 << 32) {
        return Err(DataError::invalid(
            "shape",
            format!("{rows}x{cols}"),
            "needs 1 <= rows, cols and rows x cols <= 2^32",
        ));
    }
    Ok(())
}

fn noise(rows: usize, cols: usize, seed: u64, stream: u64) -> Result<Matrix> {
    check_shape(rows, cols)?;
    let mut rng = rng::stream(seed, stream);
    let mut m = Matrix::zeros(rows, cols);
    for r in 0..rows {
        for c in 0..cols {
            m[(r, c)] = normal(&mut rng);
        }
    }
    Ok(m)
}

/// Replaces the phases of `spectrum` with those of the DFT of a white-noise image of the same
/// shape (stream `(seed, stream)`), keeping every amplitude; the DC coefficient keeps its own
/// value. Since the noise is real its spectrum is Hermitian, so the result is too and its inverse
/// is real.
fn randomise_phases(spectrum: &mut Spectrum, seed: u64, stream: u64) -> Result<()> {
    let n = Spectrum::of(&noise(spectrum.rows, spectrum.cols, seed, stream)?)?;
    for (z, w) in spectrum.data.iter_mut().zip(&n.data).skip(1) {
        let a = w.norm();
        *z = if a > 0.0 {
            *w * (z.norm() / a)
        } else {
            Complex64::new(z.norm(), 0.0)
        };
    }
    Ok(())
}

/// A phase-scrambled version of `image`: the same amplitude spectrum `|F(k)|` (hence the same
/// power spectrum and autocorrelation, and the same mean), phases replaced by those of white noise
/// (stream `(seed, 0)`), so every higher-order structure (edges, contours, localised features) is
/// gone. The classic control of natural-image statistics (e.g. Field 1987; Olshausen & Field 1996
/// discuss that second-order statistics alone do not give localised receptive fields).
///
/// # Errors
/// [`DataError::Empty`]/[`DataError::InvalidParameter`] for an empty image,
/// [`DataError::NonFinite`].
pub fn phase_scramble(image: &Matrix, seed: u64) -> Result<Matrix> {
    check_images(std::slice::from_ref(image), "phase scrambling", 1)?;
    let mut s = Spectrum::of(image)?;
    randomise_phases(&mut s, seed, 0)?;
    Ok(s.inverse_real())
}

/// A synthetic `rows x cols` image with amplitude spectrum `|F(f)| = f^(-exponent)` (radial
/// frequency `f` in cycles per pixel, DC set to 0) and the random phases of white noise (stream
/// `(seed, 0)`): for `exponent = 1` the `1/f` amplitude (`1/f^2` power) of natural images (Field
/// 1987) without any of their phase structure. The test image of the whitening filter.
///
/// # Errors
/// [`DataError::InvalidParameter`] for a zero side, an oversized image or a non-finite exponent.
pub fn power_law_image(rows: usize, cols: usize, exponent: Real, seed: u64) -> Result<Matrix> {
    if !exponent.is_finite() {
        return Err(DataError::invalid("exponent", exponent, "must be finite"));
    }
    check_shape(rows, cols)?;
    let mut s = Spectrum {
        rows,
        cols,
        data: vec![Complex64::new(0.0, 0.0); rows * cols],
    };
    for ky in 0..rows {
        for kx in 0..cols {
            let f = s.radial_frequency(ky, kx);
            s.data[ky * cols + kx] =
                Complex64::new(if f > 0.0 { f.powf(-exponent) } else { 0.0 }, 0.0);
        }
    }
    randomise_phases(&mut s, seed, 0)?;
    Ok(s.inverse_real())
}
