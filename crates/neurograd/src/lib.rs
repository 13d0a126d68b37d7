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

pub use neurograd_data as data;
pub use neurograd_neurons as neurons;
pub use neurograd_optim as optim;
pub use neurograd_plasticity as plasticity;
pub use neurograd_tensor as tensor;
