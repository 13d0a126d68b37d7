//! # neurograd-optim
//!
//! What moves parameters: gradient optimizers (SGD, momentum, Nesterov, AdaGrad, RMSProp, Adam,
//! AdamW) with learning-rate schedules and clipping, and black-box evolutionary optimizers with an
//! ask/tell interface (random search, (1+1)-ES, genetic algorithms, CMA-ES with IPOP restarts,
//! NES/OpenAI-ES), plus the standard test functions.
//!
//! ## Features
//!
//! | feature | adds |
//! |---|---|
//! | `parallel` (default) | rayon: [`blackbox::driver::minimize`] and [`blackbox::es_gradient`] evaluate in parallel; multi-threaded matrix products (`neurograd-tensor/parallel`). Results are bit-identical without it |

pub mod blackbox;
pub mod error;
pub mod functions;
pub mod gradient;
mod par;
pub mod schedule;

pub use blackbox::{AskTell, Best, StopReason};
pub use error::OptimError;
pub use functions::{TestFunction, by_name};
pub use gradient::{
    AdaGrad, AdaGradConfig, Adam, AdamConfig, AdamW, AdamWConfig, AnyGradientOptimizer,
    GradientOptimizer, GradientOptimizerConfig, Momentum, MomentumConfig, RmsProp, RmsPropConfig,
    Sgd, SgdConfig,
};
pub use neurograd_tensor::{Matrix, Real, Vector};
pub use schedule::{Schedule, clip_global_norm};

/// Result type of this crate.
pub type Result<T> = std::result::Result<T, OptimError>;

/// The README's quick start, compiled and run as a doctest so that it cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
mod readme {}
