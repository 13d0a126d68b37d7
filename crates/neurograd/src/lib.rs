//! # neurograd
//!
//! Biological learning and machine learning on one bench. This facade re-exports each crate as a
//! module and composes them into experiments:
//!
//! - [`tensor`]: tensors, activations, losses, autodiff, gradient checks, geometry;
//! - [`data`]: bundled digits and MNIST subset, generators, loaders;
//! - [`neurons`]: neuron models and circuits;
//! - [`plasticity`]: local rules and credit assignment;
//! - [`optim`]: gradient and evolutionary optimizers.
//!
//! The facade composes; it does not implement. What lives here: [`io`] (atomic file output),
//! [`train`] (loading and preparing datasets, choosing a run's random streams, driving the
//! plasticity crate's one training loop with a [`Progress`] observer, checkpoint files) and one
//! function per experiment of the `neurograd` command, each returning a serialisable result that
//! echoes its parameters and [`VERSION`]. Algorithms (OpenAI-ES included, in
//! `plasticity::credit::es`) and the training loop (`plasticity::credit::train`) live in the
//! crates that own them.
//!
//! ```
//! assert!(!neurograd::VERSION.is_empty());
//! ```

pub use neurograd_data as data;
pub use neurograd_neurons as neurons;
pub use neurograd_optim as optim;
pub use neurograd_plasticity as plasticity;
pub use neurograd_tensor as tensor;

pub mod error;
pub mod experiments;
pub mod interrupt;
pub mod io;
pub mod train;

pub use error::Error;

/// The README's quick start, compiled and run as a doctest so that it cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
mod readme {}

/// Result type of the facade.
pub type Result<T> = std::result::Result<T, Error>;

/// The neurograd version (the facade crate's version, shared by the workspace).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The most used items of every crate.
pub mod prelude {
    pub use crate::tensor::{Matrix, Real, Vector};
    pub use crate::{Error, NoProgress, Progress, Result, VERSION};
}

/// An observer of long computations (the command draws progress bars with it). All methods take
/// `&self` so an observer can be shared by parallel work.
pub trait Progress: Sync {
    /// A new phase named `label` with `total` units of work begins.
    fn start(&self, label: &str, total: u64);
    /// `n` units of work of the current phase are done.
    fn inc(&self, n: u64);
    /// The current phase is over.
    fn finish(&self);
}

/// A [`Progress`] that ignores everything.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&self, _label: &str, _total: u64) {}
    fn inc(&self, _n: u64) {}
    fn finish(&self) {}
}
