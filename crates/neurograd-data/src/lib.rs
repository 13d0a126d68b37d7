//! # neurograd-data
//!
//! Data for neurograd, all of it usable offline on a fresh clone:
//!
//! - [`bundled`]: the UCI 8x8 handwritten digits (Alpaydin & Kaynak 1998, CC BY 4.0) and a
//!   5,000-image class-balanced MNIST subset (LeCun, Cortes & Burges 1998, CC BY-SA 3.0), vendored
//!   into the crate and decompressed with flate2;
//! - [`io`]: the user's own files: MNIST-style IDX (raw or `.gz`), NumPy `.npy`, CSV;
//! - [`generators`]: seeded, value-stable synthetic data (XOR, blobs, moons, circles, spirals,
//!   linear and MLP teachers, Földiák's bars, Gaussians with a given covariance or spectrum,
//!   dead-leaves images with patch sampling);
//! - [`natural`]: six bundled natural photographs (CC0 / public domain), the user's 2-D `.npy`
//!   images, seeded patch sampling, Olshausen & Field (1997) whitening, ZCA, and the white-noise and
//!   phase-scrambled controls;
//! - [`transform`]: stratified split, standardisation, min-max scaling, one-hot, seeded batches;
//! - [`rng`]: the documented random primitives behind every seeded function (value-stable).
//!
//! Every fallible function returns a [`DataError`] naming the file or argument and the problem.
//! Feature `parallel` (default) forwards to `neurograd-tensor/parallel` (multi-threaded matrix
//! products).
//!
//! ```
//! use neurograd_data::{bundled, transform};
//! let digits = bundled::digits()?;
//! assert_eq!(digits.class_counts()[0], 178);
//! let (train, test) = transform::stratified_split(&digits, 0.25, 0)?;
//! assert_eq!(train.len() + test.len(), 1797);
//! # Ok::<(), neurograd_data::DataError>(())
//! ```

pub mod bundled;
pub mod dataset;
pub mod error;
pub mod generators;
pub mod io;
pub mod natural;
pub mod rng;
pub mod transform;

/// The README's quick start, compiled and run as a doctest so that it cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
mod readme {}

pub use dataset::Dataset;
pub use error::DataError;
pub use neurograd_tensor::{Matrix, Real, Vector};

/// Result type of this crate.
pub type Result<T> = std::result::Result<T, DataError>;
