//! # neurograd-data
//!
//! Data for neurograd, all of it usable offline on a fresh clone: the bundled UCI 8x8 handwritten
//! digits and a 5,000-image MNIST subset, loaders for the user's own files (IDX, `.npy`, CSV),
//! seeded synthetic generators and the usual transforms.

pub mod error;
pub use error::DataError;

/// Result type of this crate.
pub type Result<T> = std::result::Result<T, DataError>;
