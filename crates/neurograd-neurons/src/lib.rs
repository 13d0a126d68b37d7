//! # neurograd-neurons
//!
//! Single-neuron models (rate, leaky integrate-and-fire, AdEx, Izhikevich, Hodgkin-Huxley),
//! synapses, spike sources, recording, and circuits: the COBA/CUBA benchmarks of Brette et al.
//! (2007), the balanced-amplification network of Murphy & Miller (2009) and the 29-area macaque
//! model of Joglekar et al. (2018).

pub mod circuits;
pub mod error;
pub use error::NeuronError;

/// Result type of this crate.
pub type Result<T> = std::result::Result<T, NeuronError>;
