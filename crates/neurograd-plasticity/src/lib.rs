//! # neurograd-plasticity
//!
//! Learning rules, each tied to the theory that says what it computes.
//!
//! - [`local`]: local plasticity rules (Hebb, covariance, Oja, Sanger, BCM, Foldiak, delta rule,
//!   perceptron, Hopfield, pair and triplet STDP, three-factor rules), a small [`local::LocalRule`]
//!   trait and a public conformance harness that checks any rule against the objective its theory
//!   names.
//! - [`credit`]: credit assignment in layered rate networks: backpropagation (the reference) and its
//!   biologically plausible rivals, each producing weight and bias updates for a mini-batch.

pub mod credit;
pub mod error;
pub mod local;

pub use error::PlasticityError;

/// Result type of this crate.
pub type Result<T> = std::result::Result<T, PlasticityError>;
