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
//! - [`recurrent`]: recurrent networks that learn over sequences: the rate RNN ([`recurrent::RateRnn`]),
//!   sequence batches and losses, and the gradient algorithms (BPTT hand-written and through the
//!   tape, truncated BPTT, RTRL, RFLO), each measured against the exact gradient, registered per
//!   network type ([`recurrent::by_name`]).
//! - [`receptive`]: receptive fields on natural images: the learners (sparse coding, ICA, ISA,
//!   nonlinear Hebbian learning), the Gabor fitter (Jones & Palmer 1987) and V1 statistics
//!   (Ringach 2002 shapes, bandwidths, coverage, phase invariance).
//!
//! ## Features
//!
//! | feature | adds |
//! |---|---|
//! | `parallel` (default) | rayon: OpenAI-ES ([`credit::es`]) evaluates its perturbation pairs and the Gabor fitter ([`receptive::gabor`]) its filters in parallel; forwarded to the tensor, data, neurons and optim crates. Results are bit-identical without it |
//! | `testing` | proptest strategies and `Report::into_test_result` for the conformance harness (pulls in proptest) |
//!
//! The crates it builds on are re-exported ([`tensor`], [`data`], [`neurons`], [`optim`]), so a
//! user who depends on this crate alone reaches their types (`Matrix`, the bundled digits, ...)
//! with the same versions.

pub mod credit;
pub mod error;
pub mod local;
mod par;
pub mod receptive;
pub mod recurrent;

pub use error::PlasticityError;
pub use neurograd_data as data;
pub use neurograd_neurons as neurons;
pub use neurograd_optim as optim;
pub use neurograd_tensor as tensor;

/// Result type of this crate.
pub type Result<T> = std::result::Result<T, PlasticityError>;

/// The README's quick start, compiled and run as a doctest so that it cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
mod readme {}
