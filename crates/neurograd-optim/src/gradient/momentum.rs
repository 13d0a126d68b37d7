//! Heavy-ball momentum (Polyak 1964) and Nesterov's accelerated gradient (Nesterov 1983) in the
//! formulation of Sutskever, Martens, Dahl & Hinton (2013), as in PyTorch's `SGD(momentum=..)`.

use super::{
    GradientOptimizer, check_lr, check_nonneg, check_step, check_unit, ensure_state, l2_grad,
    set_lr, update_elementwise,
};
use crate::Result;
use neurograd_tensor::{Matrix, Real};
use serde::{Deserialize, Serialize};

/// Hyperparameters of [`Momentum`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MomentumConfig {
    /// Learning rate `η >= 0` (default 0.01).
    pub lr: Real,
    /// Momentum coefficient `μ ∈ [0, 1)` (default 0.9).
    pub momentum: Real,
    /// Use the Nesterov look-ahead form (default false).
    pub nesterov: bool,
    /// L2 weight decay `λ >= 0` added to the gradient (default 0).
    pub weight_decay: Real,
}

impl Default for MomentumConfig {
    fn default() -> Self {
        Self {
            lr: 0.01,
            momentum: 0.9,
            nesterov: false,
            weight_decay: 0.0,
        }
    }
}

impl MomentumConfig {
    /// Validates the hyperparameters.
    ///
    /// # Errors
    /// [`OptimError::InvalidParameter`](crate::OptimError::InvalidParameter) for `lr < 0`,
    /// `momentum ∉ [0, 1)`, a negative weight decay or a non-finite value.
    pub fn check(&self) -> Result<()> {
        check_lr(self.lr)?;
        check_unit("momentum", self.momentum)?;
        check_nonneg("weight_decay", self.weight_decay)
    }
}

/// SGD with momentum (Polyak 1964; Nesterov 1983; Sutskever et al. 2013), PyTorch convention:
///
/// `d = g + λθ`, `v ← μ v + d` (`v₀ = 0`), then
/// heavy ball: `θ ← θ − η v`; Nesterov: `θ ← θ − η (d + μ v)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Momentum {
    config: MomentumConfig,
    velocity: Vec<Matrix>,
    t: u64,
}

impl Momentum {
    /// Creates the optimizer from a validated config.
    ///
    /// # Errors
    /// See [`MomentumConfig::check`].
    pub fn new(config: MomentumConfig) -> Result<Self> {
        config.check()?;
        Ok(Self {
            config,
            velocity: Vec::new(),
            t: 0,
        })
    }

    /// The hyperparameters.
    pub fn config(&self) -> &MomentumConfig {
        &self.config
    }

    /// The velocity buffers `v` (empty before the first step).
    pub fn velocity(&self) -> &[Matrix] {
        &self.velocity
    }
}

impl GradientOptimizer for Momentum {
    fn step(&mut self, params: &mut [Matrix], grads: &[Matrix]) -> Result<()> {
        check_step(params, grads, &self.velocity)?;
        ensure_state(&mut self.velocity, params);
        let MomentumConfig {
            lr,
            momentum: mu,
            nesterov,
            weight_decay: wd,
        } = self.config;
        update_elementwise(params, grads, &mut self.velocity, |pi, gi, vi| {
            let d = l2_grad(gi, *pi, wd);
            *vi = mu * *vi + d;
            let u = if nesterov { d + mu * *vi } else { *vi };
            *pi -= lr * u;
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
        self.velocity.clear();
        self.t = 0;
    }

    fn name(&self) -> &'static str {
        if self.config.nesterov {
            "nesterov"
        } else {
            "momentum"
        }
    }
}
