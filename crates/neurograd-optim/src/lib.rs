//! # neurograd-optim
//!
//! What moves parameters: gradient optimizers (SGD, momentum, Nesterov, AdaGrad, RMSProp, Adam,
//! AdamW) with learning-rate schedules and clipping, and black-box evolutionary optimizers with an
//! ask/tell interface (random search, (1+1)-ES, genetic algorithms, CMA-ES with IPOP restarts,
//! NES/OpenAI-ES), plus the standard test functions.

pub mod error;
pub use error::OptimError;

/// Result type of this crate.
pub type Result<T> = std::result::Result<T, OptimError>;
