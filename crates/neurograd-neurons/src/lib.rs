//! # neurograd-neurons
//!
//! Single-neuron models (rate, leaky integrate-and-fire, AdEx, Izhikevich, Hodgkin-Huxley, the
//! discrete-time LIF/ALIF of Bellec et al. 2020), synapses, spike sources, recording, and
//! circuits: the COBA/CUBA benchmarks of Brette et al. (2007), the balanced-amplification network
//! of Murphy & Miller (2009) and the 29-area macaque model of Joglekar et al. (2018).
//!
//! Every model implements one contract, [`NeuronModel`] (module [`model`]): a validated parameter
//! set discretised for a step `dt` (ms), a serialisable state, `step(state, input) -> spiked`,
//! `reset`, `potential`. [`Population`] steps many neurons of a model together,
//! [`model::simulate`] records one neuron, and circuits are generic over the model
//! ([`circuits::brette2007::BrettNetwork`]). Adding a model is one file:
//! `docs/adding-a-neuron-model.md` (compiled as a doctest). Feature `parallel` (default) forwards
//! to `neurograd-tensor/parallel` (multi-threaded matrix products).
//!
//! ```
//! use neurograd_neurons::lif::{Lif, LifParams};
//! use neurograd_neurons::model::{simulate, RunConfig};
//! use neurograd_neurons::{Input, NeuronModel};
//! let p = LifParams::default();
//! // 2 nA into the reference LIF neuron: continuous first-passage rate about 55.3 Hz
//! assert!((p.analytic_rate_hz(2.0) - 55.266).abs() < 1e-3);
//! // the same neuron through the contract: 1 s at dt = 0.1 ms fires at the grid rate
//! let lif = Lif::new(p, 0.1)?;
//! let cfg = RunConfig::for_duration(1000.0, lif.dt_ms(), 0)?;
//! let tr = simulate(&lif, lif.initial_state(), &cfg, |_| Input::current(2.0))?;
//! let isi = tr.spikes_ms[2] - tr.spikes_ms[1];
//! assert!((1000.0 / isi - p.grid_rate_hz(2.0, 0.1)).abs() < 1e-6);
//! # Ok::<(), neurograd_neurons::NeuronError>(())
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
pub mod simd;
pub mod stats;
pub mod synapse;
mod validate;
pub use error::NeuronError;

/// `docs/adding-a-neuron-model.md`, compiled and run as a doctest (a model added in one file).
#[cfg(doctest)]
#[doc = include_str!("../../../docs/adding-a-neuron-model.md")]
mod adding_a_neuron_model {}

/// The README's quick start, compiled and run as a doctest so that it cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
mod readme {}
pub use model::{ContinuousModel, Input, NeuronModel, Population, SynapticDrive};

/// Real number type (re-exported from the tensor crate).
pub use neurograd_tensor::Real;

/// Result type of this crate.
pub type Result<T> = std::result::Result<T, NeuronError>;
