//! AdaGrad (Duchi, Hazan & Singer 2011).

use super::{
    GradientOptimizer, check_lr, check_nonneg, check_pos, check_step, ensure_state, l2_grad,
    set_lr, update_elementwise,
};
use crate::Result;
use neurograd_tensor::{Matrix, Real};
use serde::{Deserialize, Serialize};

/// Hyperparameters of [`AdaGrad`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AdaGradConfig {
    /// Learning rate `η >= 0` (default 0.01).
    pub lr: Real,
    /// Denominator offset `ε > 0` (default 1e-10, as PyTorch).
    pub eps: Real,
    /// L2 weight decay `λ >= 0` added to the gradient (default 0).
    pub weight_decay: Real,
}

impl Default for AdaGradConfig {
    fn default() -> Self {
        Self {
            lr: 0.01,
            eps: 1e-10,
            weight_decay: 0.0,
        }
    }
}

impl AdaGradConfig {
    /// Validates the hyperparameters.
    ///
    /// # Errors
    /// [`OptimError::InvalidParameter`](crate::OptimError::InvalidParameter) for `lr < 0`,
    /// `eps <= 0`, a negative weight decay or a non-finite value.
    pub fn check(&self) -> Result<()> {
        check_lr(self.lr)?;
        check_pos("eps", self.eps)?;
        check_nonneg("weight_decay", self.weight_decay)
    }
}

/// AdaGrad (Duchi, Hazan & Singer 2011), diagonal form, PyTorch convention:
///
/// `d = g + λθ`, `G ← G + d²`, `θ ← θ − η d / (√G + ε)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdaGrad {
    config: AdaGradConfig,
    sum_sq: Vec<Matrix>,
    t: u64,
}

impl AdaGrad {
    /// Creates the optimizer from a validated config.
    ///
    /// # Errors
    /// See [`AdaGradConfig::check`].
    pub fn new(config: AdaGradConfig) -> Result<Self> {
        config.check()?;
        Ok(Self {
            config,
            sum_sq: Vec::new(),
            t: 0,
        })
    }

    /// The hyperparameters.
    pub fn config(&self) -> &AdaGradConfig {
        &self.config
    }
}

impl GradientOptimizer for AdaGrad {
    fn step(&mut self, params: &mut [Matrix], grads: &[Matrix]) -> Result<()> {
        check_step(params, grads, &self.sum_sq)?;
        ensure_state(&mut self.sum_sq, params);
        let AdaGradConfig {
            lr,
            eps,
            weight_decay: wd,
        } = self.config;
        update_elementwise(params, grads, &mut self.sum_sq, |pi, gi, si| {
            let d = l2_grad(gi, *pi, wd);
            *si += d * d;
            *pi -= lr * d / (si.sqrt() + eps);
        });
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
        self.sum_sq.clear();
        self.t = 0;
    }

    fn name(&self) -> &'static str {
        "adagrad"
    }
}
