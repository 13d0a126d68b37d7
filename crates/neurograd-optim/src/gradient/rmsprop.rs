//! RMSProp (Tieleman & Hinton 2012, Coursera lecture 6.5).

use super::{
    GradientOptimizer, check_lr, check_nonneg, check_pos, check_step, check_unit, ensure_state,
    l2_grad, set_lr, update_elementwise,
};
use crate::Result;
use neurograd_tensor::{Matrix, Real};
use serde::{Deserialize, Serialize};

/// Hyperparameters of [`RmsProp`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RmsPropConfig {
    /// Learning rate `η >= 0` (default 0.01, as PyTorch).
    pub lr: Real,
    /// Smoothing constant `α ∈ [0, 1)` of the squared-gradient average (default 0.99).
    pub alpha: Real,
    /// Denominator offset `ε > 0` (default 1e-8).
    pub eps: Real,
    /// L2 weight decay `λ >= 0` added to the gradient (default 0).
    pub weight_decay: Real,
}

impl Default for RmsPropConfig {
    fn default() -> Self {
        Self {
            lr: 0.01,
            alpha: 0.99,
            eps: 1e-8,
            weight_decay: 0.0,
        }
    }
}

impl RmsPropConfig {
    /// Validates the hyperparameters.
    ///
    /// # Errors
    /// [`OptimError::InvalidParameter`](crate::OptimError::InvalidParameter) for `lr < 0`,
    /// `alpha ∉ [0, 1)`, `eps <= 0`, a negative weight decay or a non-finite value.
    pub fn check(&self) -> Result<()> {
        check_lr(self.lr)?;
        check_unit("alpha", self.alpha)?;
        check_pos("eps", self.eps)?;
        check_nonneg("weight_decay", self.weight_decay)
    }
}

/// RMSProp (Tieleman & Hinton 2012), PyTorch convention (no centring, no momentum):
///
/// `d = g + λθ`, `v ← α v + (1 − α) d²` (`v₀ = 0`), `θ ← θ − η d / (√v + ε)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RmsProp {
    config: RmsPropConfig,
    mean_sq: Vec<Matrix>,
    t: u64,
}

impl RmsProp {
    /// Creates the optimizer from a validated config.
    ///
    /// # Errors
    /// See [`RmsPropConfig::check`].
    pub fn new(config: RmsPropConfig) -> Result<Self> {
        config.check()?;
        Ok(Self {
            config,
            mean_sq: Vec::new(),
            t: 0,
        })
    }

    /// The hyperparameters.
    pub fn config(&self) -> &RmsPropConfig {
        &self.config
    }
}

impl GradientOptimizer for RmsProp {
    fn step(&mut self, params: &mut [Matrix], grads: &[Matrix]) -> Result<()> {
        check_step(params, grads, &self.mean_sq)?;
        ensure_state(&mut self.mean_sq, params);
        let RmsPropConfig {
            lr,
            alpha,
            eps,
            weight_decay: wd,
        } = self.config;
        update_elementwise(params, grads, &mut self.mean_sq, |pi, gi, si| {
            let d = l2_grad(gi, *pi, wd);
            *si = alpha * *si + (1.0 - alpha) * d * d;
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
        self.mean_sq.clear();
        self.t = 0;
    }

    fn name(&self) -> &'static str {
        "rmsprop"
    }
}
