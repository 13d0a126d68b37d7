//! The 2-D discrete Fourier transform of images, on top of `rustfft` (mixed-radix and Bluestein
//! plans, so any size works: the bundled images are 512 x 512, 300 x 451 and 427 x 640).
//!
//! Convention (NumPy's `fft2`): `F(ky, kx) = sum_{r, c} x(r, c) exp(-2 pi i (ky r / R + kx c / C))`
//! and the inverse divides by `R C`, so `ifft2(fft2(x)) = x`. The frequency of index `k` along an
//! axis of length `n` is [`frequency`]`(k, n)` in cycles per pixel, in `(-1/2, 1/2]`.

use crate::{DataError, Result};
use neurograd_tensor::{Matrix, Real};
pub use rustfft::num_complex::Complex64;
use rustfft::{FftDirection, FftPlanner};

/// A complex `rows x cols` array in row-major order: the spectrum of an image.
#[derive(Debug, Clone, PartialEq)]
pub struct Spectrum {
    /// Number of rows (frequencies `ky`).
    pub rows: usize,
    /// Number of columns (frequencies `kx`).
    pub cols: usize,
    /// `data[ky * cols + kx] = F(ky, kx)`.
    pub data: Vec<Complex64>,
}

/// The signed frequency, in cycles per pixel, of DFT index `k` along an axis of length `n`:
/// `k / n` for `k <= n / 2`, else `(k - n) / n` (NumPy's `fftfreq`, except that the Nyquist index
/// of an even `n` maps to `+1/2`).
pub fn frequency(k: usize, n: usize) -> Real {
    if 2 * k <= n {
        k as Real / n as Real
    } else {
        k as Real / n as Real - 1.0
    }
}

impl Spectrum {
    /// The 2-D DFT of `image` zero-padded at the bottom and right to `rows x cols`
    /// (`rows >= image.nrows()`, `cols >= image.ncols()`).
    ///
    /// # Errors
    /// [`DataError::Empty`] for an empty image, [`DataError::InvalidParameter`] when the padded
    /// size is smaller than the image or overflows, [`DataError::NonFinite`].
    pub fn of_padded(image: &Matrix, rows: usize, cols: usize) -> Result<Spectrum> {
        if image.is_empty() {
            return Err(DataError::Empty {
                what: "fft2 image".into(),
            });
        }
        if rows < image.nrows() || cols < image.ncols() || rows.checked_mul(cols).is_none() {
            return Err(DataError::invalid(
                "padded shape",
                format!("{rows}x{cols}"),
                format!(
                    "must be at least the image's {}x{}",
                    image.nrows(),
                    image.ncols()
                ),
            ));
        }
        crate::dataset::check_finite(image, "fft2 image")?;
        let mut data = vec![Complex64::new(0.0, 0.0); rows * cols];
        for r in 0..image.nrows() {
            for c in 0..image.ncols() {
                data[r * cols + c].re = image[(r, c)];
            }
        }
        let mut s = Spectrum { rows, cols, data };
        s.transform(FftDirection::Forward);
        Ok(s)
    }

    /// The 2-D DFT of `image` (no padding).
    ///
    /// # Errors
    /// As [`Spectrum::of_padded`].
    pub fn of(image: &Matrix) -> Result<Spectrum> {
        Spectrum::of_padded(image, image.nrows(), image.ncols())
    }

    /// The real part of the inverse DFT (`1 / (rows cols)` normalised), `rows x cols`. For a
    /// Hermitian-symmetric spectrum (`F(-k) = conj F(k)`, as of any real image and of every
    /// spectrum this module builds) the imaginary part is zero up to rounding.
    pub fn inverse_real(&self) -> Matrix {
        let mut s = self.clone();
        s.transform(FftDirection::Inverse);
        let scale = 1.0 / (self.rows * self.cols) as Real;
        Matrix::from_fn(self.rows, self.cols, |r, c| {
            s.data[r * self.cols + c].re * scale
        })
    }

    /// `|F(ky, kx)|` as a `rows x cols` matrix.
    pub fn amplitude(&self) -> Matrix {
        Matrix::from_fn(self.rows, self.cols, |r, c| {
            self.data[r * self.cols + c].norm()
        })
    }

    /// The radial frequency `sqrt(fy^2 + fx^2)` in cycles per pixel of index `(ky, kx)`.
    pub fn radial_frequency(&self, ky: usize, kx: usize) -> Real {
        frequency(ky, self.rows).hypot(frequency(kx, self.cols))
    }

    /// Multiplies every coefficient by `gain(f)` of its radial frequency `f` (cycles per pixel).
    /// A real, radially symmetric gain keeps the spectrum Hermitian.
    pub fn filter_radial(&mut self, gain: impl Fn(Real) -> Real) {
        for ky in 0..self.rows {
            for kx in 0..self.cols {
                let g = gain(self.radial_frequency(ky, kx));
                self.data[ky * self.cols + kx] *= g;
            }
        }
    }

    /// In-place unnormalised 2-D transform: rows, then columns (through a transposed buffer).
    fn transform(&mut self, direction: FftDirection) {
        let (rows, cols) = (self.rows, self.cols);
        let mut planner = FftPlanner::<Real>::new();
        planner.plan_fft(cols, direction).process(&mut self.data);
        let mut t = vec![Complex64::new(0.0, 0.0); rows * cols];
        for r in 0..rows {
            for c in 0..cols {
                t[c * rows + r] = self.data[r * cols + c];
            }
        }
        planner.plan_fft(rows, direction).process(&mut t);
        for r in 0..rows {
            for c in 0..cols {
                self.data[r * cols + c] = t[c * rows + r];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Against a direct O(N^4) DFT on a non-square, odd-sized image (exact to rounding), and the
    /// round trip.
    #[test]
    fn matches_direct_dft_and_round_trips() {
        let (h, w) = (5, 7);
        let x = Matrix::from_fn(h, w, |r, c| {
            ((3 * r + 5 * c) % 11) as f64 - 4.5 + 0.1 * r as f64
        });
        let s = Spectrum::of(&x).unwrap();
        for ky in 0..h {
            for kx in 0..w {
                let mut acc = Complex64::new(0.0, 0.0);
                for r in 0..h {
                    for c in 0..w {
                        let t = -2.0
                            * std::f64::consts::PI
                            * (ky as f64 * r as f64 / h as f64 + kx as f64 * c as f64 / w as f64);
                        acc += Complex64::from_polar(x[(r, c)], t);
                    }
                }
                assert!((acc - s.data[ky * w + kx]).norm() < 1e-10);
            }
        }
        assert!((s.inverse_real() - &x).amax() < 1e-12);
        // Zero padding keeps the image in the top-left corner.
        let p = Spectrum::of_padded(&x, 8, 9).unwrap().inverse_real();
        assert!((p.view((0, 0), (h, w)) - &x).amax() < 1e-12);
        assert!(p.view((h, 0), (3, 9)).amax() < 1e-12);
    }

    #[test]
    fn frequencies_and_bad_input() {
        assert_eq!(frequency(0, 8), 0.0);
        assert_eq!(frequency(4, 8), 0.5);
        assert_eq!(frequency(5, 8), -0.375);
        assert_eq!(frequency(3, 7), 3.0 / 7.0);
        assert!((frequency(4, 7) + 3.0 / 7.0).abs() < 1e-15);
        assert!(matches!(
            Spectrum::of(&Matrix::zeros(0, 3)),
            Err(DataError::Empty { .. })
        ));
        assert!(matches!(
            Spectrum::of_padded(&Matrix::zeros(4, 4), 3, 4),
            Err(DataError::InvalidParameter { .. })
        ));
        let mut m = Matrix::zeros(2, 2);
        m[(1, 0)] = f64::NAN;
        assert!(matches!(
            Spectrum::of(&m),
            Err(DataError::NonFinite { row: 1, col: 0, .. })
        ));
    }
}
