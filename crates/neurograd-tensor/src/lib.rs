//! # neurograd-tensor
//!
//! The tensor core of neurograd. Storage is nalgebra's [`DMatrix`](nalgebra::DMatrix) and
//! [`DVector`](nalgebra::DVector) of [`Real`] (`f64`); nalgebra is re-exported so that every crate
//! and every user sees one version of it.
//!
//! This crate owns activations with their derivatives, numerically stable losses, seeded
//! initialisers, a reverse-mode autodiff tape, finite-difference gradient checks and the geometry
//! that the rest of neurograd uses to compare updates (flattening, cosine, angle, projections, PCA).

pub use nalgebra;

/// The scalar type of neurograd.
pub type Real = f64;
/// A dense matrix of [`Real`]; batches store one sample per row.
pub type Matrix = nalgebra::DMatrix<Real>;
/// A dense column vector of [`Real`].
pub type Vector = nalgebra::DVector<Real>;

pub mod error;
pub use error::TensorError;

/// Result type of this crate.
pub type Result<T> = std::result::Result<T, TensorError>;
