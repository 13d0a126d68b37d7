//! Natural images: six bundled photographs, a loader for the user's own 2-D `.npy` images, seeded
//! patch sampling, the Olshausen & Field (1997) whitening filter, ZCA on patches, and the two
//! controls that keep the power spectrum but lose everything else (white noise and phase-scrambled
//! images).
//!
//! - [`image`], [`images`], [`IMAGE_NAMES`]: the bundled CC0 / public-domain photographs
//!   (astronaut, brick, chelsea, grass, gravel, rocket; via scikit-image 0.26.0, 8-bit luma,
//!   vendored with `include_bytes!` + flate2; sources and licences in `data/natural/README.md`).
//!   Pixels are returned as in the file, `0..=255`.
//! - [`load_image`]: a user's 2-D `.npy` (raw or gzip) of any dtype the [`crate::io::npy`] reader
//!   supports (`u1`, `f4`, `f8`, `i4`, `i8`).
//! - [`PatchSampler`]: `P x P` patches, seeded, pooled over the images or a fixed count per image,
//!   with a border excluded (FFT whitening wraps around at the image edges).
//! - [`OlshausenField`]: `R(f) = f exp(-(f/f0)^4)` applied in the Fourier domain per image, with
//!   sparsenet's normalisation (each image to unit variance first, the set to variance 0.1 after).
//! - [`zca_whiten`]: ZCA whitening of patches (the [`crate::transform::Whitening`] of this crate).
//! - Controls: [`white_noise_like`] (i.i.d. Gaussian pixels, flat spectrum) and
//!   [`phase_scramble`] (the image's amplitude spectrum with random phases, Hermitian-symmetric so
//!   the result is real); [`power_law_image`] makes the synthetic `1/f^alpha` test images of the
//!   whitening check.
//! - [`fft`]: the 2-D discrete Fourier transform behind all of them (rustfft, any size).
//!
//! ```
//! use neurograd_data::natural::{self, OlshausenField, PatchSampler};
//! let img = natural::image("grass")?;
//! assert_eq!(img.shape(), (512, 512));
//! let white = OlshausenField::default().apply(&[img])?;
//! let patches = PatchSampler::new(12, 100).with_border(16).sample(&white, 7)?;
//! assert_eq!(patches.shape(), (100, 144));
//! # Ok::<(), neurograd_data::DataError>(())
//! ```

mod controls;
pub mod fft;
mod patches;
mod whiten;

pub use controls::{phase_scramble, power_law_image, white_noise_image, white_noise_like};
pub use patches::{PatchMode, PatchSampler};
pub use whiten::{OlshausenField, zca_whiten, zca_whiten_per_image};

use crate::io::npy::{NpyArray, parse_npy, read_npy};
use crate::{DataError, Result};
use neurograd_tensor::Matrix;
use std::path::Path;

/// Names of the bundled images, in the order [`images`] returns them.
pub const IMAGE_NAMES: &[&str] = &["astronaut", "brick", "chelsea", "grass", "gravel", "rocket"];

static ASTRONAUT: &[u8] = include_bytes!("../../data/natural/astronaut.npy.gz");
static BRICK: &[u8] = include_bytes!("../../data/natural/brick.npy.gz");
static CHELSEA: &[u8] = include_bytes!("../../data/natural/chelsea.npy.gz");
static GRASS: &[u8] = include_bytes!("../../data/natural/grass.npy.gz");
static GRAVEL: &[u8] = include_bytes!("../../data/natural/gravel.npy.gz");
static ROCKET: &[u8] = include_bytes!("../../data/natural/rocket.npy.gz");

/// A bundled natural image by name (see [`IMAGE_NAMES`]), `rows x cols`, pixel values `0..=255`.
///
/// | name | shape | licence |
/// |---|---|---|
/// | astronaut | 512 x 512 | public domain (NASA) |
/// | brick | 512 x 512 | CC0 1.0 |
/// | chelsea | 300 x 451 | CC0 1.0 |
/// | grass | 512 x 512 | CC0 1.0 |
/// | gravel | 512 x 512 | CC0 1.0 |
/// | rocket | 427 x 640 | public domain (SpaceX) |
///
/// # Errors
/// [`DataError::UnknownName`] listing the valid names; [`DataError::Format`] only if a vendored
/// file were corrupt.
pub fn image(name: &str) -> Result<Matrix> {
    let bytes = match name {
        "astronaut" => ASTRONAUT,
        "brick" => BRICK,
        "chelsea" => CHELSEA,
        "grass" => GRASS,
        "gravel" => GRAVEL,
        "rocket" => ROCKET,
        _ => {
            return Err(DataError::UnknownName {
                kind: "bundled natural image",
                name: name.to_string(),
                valid: IMAGE_NAMES.join(", "),
            });
        }
    };
    let source = format!("bundled {name}.npy.gz");
    image_from_npy(&parse_npy(bytes, Path::new(&source))?, &source)
}

/// All six bundled images, in [`IMAGE_NAMES`] order.
///
/// # Errors
/// As [`image`].
pub fn images() -> Result<Vec<Matrix>> {
    IMAGE_NAMES.iter().map(|n| image(n)).collect()
}

/// Loads a user's grayscale image from a 2-D `.npy` file (raw or gzip-compressed; dtypes `u1`,
/// `f4`, `f8`, `i4`, `i8`), `rows x cols`, values converted to `f64` unscaled.
///
/// # Errors
/// [`DataError::Io`] for an unreadable file, [`DataError::Format`] for a malformed file or an
/// array that is not 2-D (a colour image `(rows, cols, 3)` must be converted to grey first),
/// [`DataError::UnsupportedDtype`], [`DataError::Empty`] for a zero-sized axis,
/// [`DataError::NonFinite`] for NaN/Inf pixels.
pub fn load_image(path: impl AsRef<Path>) -> Result<Matrix> {
    let path = path.as_ref();
    image_from_npy(&read_npy(path)?, &path.display().to_string())
}

/// The image held by a parsed `.npy` array: it must be 2-D `(rows, cols)`.
///
/// # Errors
/// [`DataError::Format`] naming `source` for an array that is not 2-D; as
/// [`NpyArray::to_matrix`] otherwise.
pub fn image_from_npy(array: &NpyArray, source: &str) -> Result<Matrix> {
    if array.shape.len() != 2 {
        return Err(DataError::format(
            source,
            format!(
                "an image must be a 2-D array (rows, cols), got shape {:?}",
                array.shape
            ),
        ));
    }
    array
        .to_matrix()
        .map_err(|e| crate::io::npy::name_errors(e, Path::new(source)))
}

/// Checks that `images` is not empty and every image is finite and at least `min x min`.
pub(crate) fn check_images(images: &[Matrix], what: &str, min: usize) -> Result<()> {
    if images.is_empty() {
        return Err(DataError::Empty {
            what: format!("{what} images"),
        });
    }
    for (i, im) in images.iter().enumerate() {
        if im.nrows() < min || im.ncols() < min {
            return Err(DataError::invalid(
                "images",
                format!("image {i} of {}x{}", im.nrows(), im.ncols()),
                format!("{what} needs images of at least {min}x{min} pixels"),
            ));
        }
        crate::dataset::check_finite(im, &format!("{what} image {i}"))?;
    }
    Ok(())
}
