//! # neurograd-neurons
//!
//! Single-neuron models (rate, leaky integrate-and-fire, AdEx, Izhikevich, Hodgkin-Huxley),
//! synapses, spike sources, recording, and circuits: the COBA/CUBA benchmarks of Brette et al.
//! (2007), the balanced-amplification network of Murphy & Miller (2009) and the 29-area macaque
//! model of Joglekar et al. (2018).
//!
//! ```
//! use neurograd_neurons::lif::LifParams;
//! let p = LifParams::default();
//! // 2 nA into the reference LIF neuron: continuous first-passage rate about 55.3 Hz
//! assert!((p.analytic_rate_hz(2.0) - 55.266).abs() < 1e-3);
//! ```

pub mod adex;
pub mod alif;
pub mod circuits;
pub mod connectivity;
pub mod error;
pub mod hh;
pub mod integrators;
pub mod izhikevich;
pub mod lif;
pub mod model;
pub mod monitor;
pub mod poisson;
pub mod rate;
pub mod stats;
pub mod synapse;
mod validate;
pub use error::NeuronError;
pub use model::{Input, NeuronModel, Population};

/// Real number type (re-exported from the tensor crate).
pub use neurograd_tensor::Real;

/// Result type of this crate.
pub type Result<T> = std::result::Result<T, NeuronError>;
