//! # neurograd-plasticity
//!
//! Learning rules, each tied to the theory that says what it computes.
//!
//! - [`local`]: local plasticity rules (Hebb, covariance, Oja, Sanger, BCM, Foldiak, delta rule,
//!   perceptron, Hopfield, pair and triplet STDP, three-factor rules), registered in one list
//!   ([`local::RULES`]). Rate rules implement [`local::LocalRule`] and state the objective their
//!   theory names, checked by the conformance harness [`local::harness`]; spike-timing rules
//!   (times in ms) implement [`local::SpikeRule`] and state their [`local::SpikeKernel`], checked
//!   by [`local::harness::spikes`] (trace implementation vs brute force, drift vs rate formula).
//! - [`credit`]: credit assignment in layered rate networks: backpropagation (the reference) and its
//!   biologically plausible rivals, each producing weight and bias updates for a mini-batch.
//! - [`receptive`]: receptive fields on natural images: learners for whitened patches (sparse
//!   coding, ICA, ISA, nonlinear Hebbian learning), the Gabor fitter (Jones & Palmer 1987) and V1
//!   statistics (Ringach 2002 shapes, bandwidths, coverage, phase invariance).
//!
//! ## Features
//!
//! | feature | adds |
//! |---|---|
//! | `testing` | proptest strategies and `Report::into_test_result` for the conformance harness (pulls in proptest) |

pub mod credit;
pub mod error;
pub mod local;
pub mod receptive;

pub use error::PlasticityError;

/// Result type of this crate.
pub type Result<T> = std::result::Result<T, PlasticityError>;
