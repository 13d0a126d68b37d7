//! Adam (Kingma & Ba 2015) and AdamW (Loshchilov & Hutter 2019).

use super::{
    GradientOptimizer, check_lr, check_nonneg, check_pos, check_step, check_unit, ensure_state,
    l2_grad, set_lr,
};
use crate::Result;
use neurograd_tensor::{Matrix, Real};
use serde::{Deserialize, Serialize};

/// Hyperparameters of [`Adam`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AdamConfig {
    /// Learning rate `η >= 0` (default 1e-3).
    pub lr: Real,
    /// First-moment decay `β₁ ∈ [0, 1)` (default 0.9).
    pub beta1: Real,
    /// Second-moment decay `β₂ ∈ [0, 1)` (default 0.999).
    pub beta2: Real,
    /// Denominator offset `ε > 0` (default 1e-8).
    pub eps: Real,
    /// L2 weight decay `λ >= 0` added to the gradient (coupled, as in PyTorch's `Adam`; default 0).
    pub weight_decay: Real,
}

impl Default for AdamConfig {
    fn default() -> Self {
        Self {
            lr: 1e-3,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay: 0.0,
        }
    }
}

impl AdamConfig {
    /// Validates the hyperparameters.
    ///
    /// # Errors
    /// [`OptimError::InvalidParameter`](crate::OptimError::InvalidParameter) for `lr < 0`,
    /// `β ∉ [0, 1)`, `eps <= 0`, a negative weight decay or a non-finite value.
    pub fn check(&self) -> Result<()> {
        check_lr(self.lr)?;
        check_unit("beta1", self.beta1)?;
        check_unit("beta2", self.beta2)?;
        check_pos("eps", self.eps)?;
        check_nonneg("weight_decay", self.weight_decay)
    }
}

/// Hyperparameters of [`AdamW`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AdamWConfig {
    /// Learning rate `η >= 0` (default 1e-3).
    pub lr: Real,
    /// First-moment decay `β₁ ∈ [0, 1)` (default 0.9).
    pub beta1: Real,
    /// Second-moment decay `β₂ ∈ [0, 1)` (default 0.999).
    pub beta2: Real,
    /// Denominator offset `ε > 0` (default 1e-8).
    pub eps: Real,
    /// Decoupled weight decay `λ >= 0` (default 0.01, as PyTorch).
    pub weight_decay: Real,
}

impl Default for AdamWConfig {
    fn default() -> Self {
        Self {
            lr: 1e-3,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay: 0.01,
        }
    }
}

impl AdamWConfig {
    /// Validates the hyperparameters (same ranges as [`AdamConfig::check`]).
    ///
    /// # Errors
    /// [`OptimError::InvalidParameter`](crate::OptimError::InvalidParameter).
    pub fn check(&self) -> Result<()> {
        self.as_adam().check()
    }

    fn as_adam(&self) -> AdamConfig {
        AdamConfig {
            lr: self.lr,
            beta1: self.beta1,
            beta2: self.beta2,
            eps: self.eps,
            weight_decay: self.weight_decay,
        }
    }
}

/// Moment buffers shared by Adam and AdamW.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
struct Moments {
    m: Vec<Matrix>,
    v: Vec<Matrix>,
    t: u64,
}

impl Moments {
    /// One Adam step; `decoupled` selects AdamW's weight decay.
    fn step(
        &mut self,
        c: &AdamConfig,
        decoupled: bool,
        params: &mut [Matrix],
        grads: &[Matrix],
    ) -> Result<()> {
        check_step(params, grads, &self.m)?;
        ensure_state(&mut self.m, params);
        ensure_state(&mut self.v, params);
        let t = self.t + 1;
        let ti = i32::try_from(t).unwrap_or(i32::MAX);
        let bc1 = 1.0 - c.beta1.powi(ti);
        let bc2 = 1.0 - c.beta2.powi(ti);
        let (b1, b2, lr, eps, wd) = (c.beta1, c.beta2, c.lr, c.eps, c.weight_decay);
        for (((p, g), m), v) in params
            .iter_mut()
            .zip(grads)
            .zip(self.m.iter_mut())
            .zip(self.v.iter_mut())
        {
            for (((pi, &gi), mi), vi) in p
                .iter_mut()
                .zip(g.iter())
                .zip(m.iter_mut())
                .zip(v.iter_mut())
            {
                let d = if decoupled { gi } else { l2_grad(gi, *pi, wd) };
                if decoupled && wd != 0.0 {
                    *pi -= lr * wd * *pi;
                }
                *mi = b1 * *mi + (1.0 - b1) * d;
                *vi = b2 * *vi + (1.0 - b2) * d * d;
                let m_hat = *mi / bc1;
                let v_hat = *vi / bc2;
                *pi -= lr * m_hat / (v_hat.sqrt() + eps);
            }
        }
        self.t = t;
        Ok(())
    }
}

/// Adam (Kingma & Ba 2015), with optional coupled L2 weight decay (PyTorch `Adam`):
///
/// `d = g + λθ`, `m ← β₁m + (1−β₁)d`, `v ← β₂v + (1−β₂)d²`,
/// `m̂ = m/(1−β₁ᵗ)`, `v̂ = v/(1−β₂ᵗ)`, `θ ← θ − η m̂/(√v̂ + ε)`.
///
/// Because of the bias correction the first step moves each coordinate by
/// `η |g|/(|g| + ε) ≈ η` against the sign of its gradient.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Adam {
    config: AdamConfig,
    moments: Moments,
}

impl Adam {
    /// Creates the optimizer from a validated config.
    ///
    /// # Errors
    /// See [`AdamConfig::check`].
    pub fn new(config: AdamConfig) -> Result<Self> {
        config.check()?;
        Ok(Self {
            config,
            moments: Moments::default(),
        })
    }

    /// The hyperparameters.
    pub fn config(&self) -> &AdamConfig {
        &self.config
    }

    /// First-moment buffers `m` (empty before the first step).
    pub fn first_moments(&self) -> &[Matrix] {
        &self.moments.m
    }

    /// Second-moment buffers `v` (empty before the first step).
    pub fn second_moments(&self) -> &[Matrix] {
        &self.moments.v
    }
}

impl GradientOptimizer for Adam {
    fn step(&mut self, params: &mut [Matrix], grads: &[Matrix]) -> Result<()> {
        self.moments.step(&self.config, false, params, grads)
    }

    fn learning_rate(&self) -> Real {
        self.config.lr
    }

    fn set_learning_rate(&mut self, lr: Real) -> Result<()> {
        set_lr(&mut self.config.lr, lr)
    }

    fn steps(&self) -> u64 {
        self.moments.t
    }

    fn reset(&mut self) {
        self.moments = Moments::default();
    }

    fn name(&self) -> &'static str {
        "adam"
    }
}

/// AdamW (Loshchilov & Hutter 2019): Adam with decoupled weight decay (PyTorch `AdamW`):
///
/// `θ ← θ − ηλθ`, then the Adam step of [`Adam`] on the raw gradient `g`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdamW {
    config: AdamWConfig,
    moments: Moments,
}

impl AdamW {
    /// Creates the optimizer from a validated config.
    ///
    /// # Errors
    /// See [`AdamWConfig::check`].
    pub fn new(config: AdamWConfig) -> Result<Self> {
        config.check()?;
        Ok(Self {
            config,
            moments: Moments::default(),
        })
    }

    /// The hyperparameters.
    pub fn config(&self) -> &AdamWConfig {
        &self.config
    }
}

impl GradientOptimizer for AdamW {
    fn step(&mut self, params: &mut [Matrix], grads: &[Matrix]) -> Result<()> {
        self.moments
            .step(&self.config.as_adam(), true, params, grads)
    }

    fn learning_rate(&self) -> Real {
        self.config.lr
    }

    fn set_learning_rate(&mut self, lr: Real) -> Result<()> {
        set_lr(&mut self.config.lr, lr)
    }

    fn steps(&self) -> u64 {
        self.moments.t
    }

    fn reset(&mut self) {
        self.moments = Moments::default();
    }

    fn name(&self) -> &'static str {
        "adamw"
    }
}
