//! Plain stochastic gradient descent (Robbins & Monro 1951).

use super::{GradientOptimizer, check_lr, check_nonneg, check_step, l2_grad, set_lr};
use crate::Result;
use neurograd_tensor::{Matrix, Real};
use serde::{Deserialize, Serialize};

/// Hyperparameters of [`Sgd`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SgdConfig {
    /// Learning rate `η >= 0` (default 0.01).
    pub lr: Real,
    /// L2 weight decay `λ >= 0` added to the gradient (default 0).
    pub weight_decay: Real,
}

impl Default for SgdConfig {
    fn default() -> Self {
        Self {
            lr: 0.01,
            weight_decay: 0.0,
        }
    }
}

impl SgdConfig {
    /// Validates the hyperparameters.
    ///
    /// # Errors
    /// [`OptimError::InvalidParameter`](crate::OptimError::InvalidParameter) for a negative or
    /// non-finite value.
    pub fn check(&self) -> Result<()> {
        check_lr(self.lr)?;
        check_nonneg("weight_decay", self.weight_decay)
    }
}

/// Stochastic gradient descent (Robbins & Monro 1951):
///
/// `θ ← θ − η (g + λ θ)`.
///
/// With `λ = 0` a step is exactly `−η g` (each element is one rounded multiply and subtract).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sgd {
    config: SgdConfig,
    t: u64,
}

impl Sgd {
    /// Creates the optimizer from a validated config.
    ///
    /// # Errors
    /// See [`SgdConfig::check`].
    pub fn new(config: SgdConfig) -> Result<Self> {
        config.check()?;
        Ok(Self { config, t: 0 })
    }

    /// The hyperparameters.
    pub fn config(&self) -> &SgdConfig {
        &self.config
    }
}

impl GradientOptimizer for Sgd {
    fn step(&mut self, params: &mut [Matrix], grads: &[Matrix]) -> Result<()> {
        check_step(params, grads, &[])?;
        let (lr, wd) = (self.config.lr, self.config.weight_decay);
        for (p, g) in params.iter_mut().zip(grads) {
            for (pi, &gi) in p.iter_mut().zip(g.iter()) {
                let d = l2_grad(gi, *pi, wd);
                *pi -= lr * d;
            }
        }
        self.t += 1;
        Ok(())
    }

    fn learning_rate(&self) -> Real {
        self.config.lr
    }

    fn set_learning_rate(&mut self, lr: Real) -> Result<()> {
        set_lr(&mut self.config.lr, lr)
    }

    fn steps(&self) -> u64 {
        self.t
    }

    fn reset(&mut self) {
        self.t = 0;
    }

    fn name(&self) -> &'static str {
        "sgd"
    }
}
