//! Choosing a gradient optimizer by name or from a serialized config.

use super::{
    AdaGrad, AdaGradConfig, Adam, AdamConfig, AdamW, AdamWConfig, GradientOptimizer, Momentum,
    MomentumConfig, RmsProp, RmsPropConfig, Sgd, SgdConfig,
};
use crate::{OptimError, Result};
use neurograd_tensor::{Matrix, Real};
use serde::{Deserialize, Serialize};

/// The config of any gradient optimizer, tagged by name (`{"kind": "adam", "lr": 0.001, ...}` in
/// JSON).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum GradientOptimizerConfig {
    /// [`Sgd`].
    Sgd(SgdConfig),
    /// [`Momentum`] (heavy ball or Nesterov, per its `nesterov` flag).
    Momentum(MomentumConfig),
    /// [`AdaGrad`].
    AdaGrad(AdaGradConfig),
    /// [`RmsProp`].
    RmsProp(RmsPropConfig),
    /// [`Adam`].
    Adam(AdamConfig),
    /// [`AdamW`].
    AdamW(AdamWConfig),
}

impl GradientOptimizerConfig {
    /// The names accepted by [`from_name`](Self::from_name).
    pub const NAMES: [&'static str; 7] = [
        "sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw",
    ];

    /// The default config of the optimizer called `name` (case-insensitive; `"nesterov"` is
    /// momentum with the Nesterov flag set).
    ///
    /// # Errors
    /// [`OptimError::UnknownName`] listing the valid names.
    pub fn from_name(name: &str) -> Result<Self> {
        Ok(match name.to_ascii_lowercase().as_str() {
            "sgd" => Self::Sgd(SgdConfig::default()),
            "momentum" => Self::Momentum(MomentumConfig::default()),
            "nesterov" => Self::Momentum(MomentumConfig {
                nesterov: true,
                ..MomentumConfig::default()
            }),
            "adagrad" => Self::AdaGrad(AdaGradConfig::default()),
            "rmsprop" => Self::RmsProp(RmsPropConfig::default()),
            "adam" => Self::Adam(AdamConfig::default()),
            "adamw" => Self::AdamW(AdamWConfig::default()),
            _ => {
                return Err(OptimError::UnknownName {
                    kind: "gradient optimizer",
                    name: name.to_string(),
                    valid: Self::NAMES.join(", "),
                });
            }
        })
    }

    /// The learning rate in this config.
    pub fn lr(&self) -> Real {
        match self {
            Self::Sgd(c) => c.lr,
            Self::Momentum(c) => c.lr,
            Self::AdaGrad(c) => c.lr,
            Self::RmsProp(c) => c.lr,
            Self::Adam(c) => c.lr,
            Self::AdamW(c) => c.lr,
        }
    }

    /// The same config with learning rate `lr` (validated by [`build`](Self::build)).
    pub fn with_lr(mut self, lr: Real) -> Self {
        match &mut self {
            Self::Sgd(c) => c.lr = lr,
            Self::Momentum(c) => c.lr = lr,
            Self::AdaGrad(c) => c.lr = lr,
            Self::RmsProp(c) => c.lr = lr,
            Self::Adam(c) => c.lr = lr,
            Self::AdamW(c) => c.lr = lr,
        }
        self
    }

    /// Validates the config and builds the optimizer.
    ///
    /// # Errors
    /// [`OptimError::InvalidParameter`] from the optimizer's `check`.
    pub fn build(&self) -> Result<AnyGradientOptimizer> {
        Ok(match *self {
            Self::Sgd(c) => AnyGradientOptimizer::Sgd(Sgd::new(c)?),
            Self::Momentum(c) => AnyGradientOptimizer::Momentum(Momentum::new(c)?),
            Self::AdaGrad(c) => AnyGradientOptimizer::AdaGrad(AdaGrad::new(c)?),
            Self::RmsProp(c) => AnyGradientOptimizer::RmsProp(RmsProp::new(c)?),
            Self::Adam(c) => AnyGradientOptimizer::Adam(Adam::new(c)?),
            Self::AdamW(c) => AnyGradientOptimizer::AdamW(AdamW::new(c)?),
        })
    }
}

/// Any gradient optimizer with its state; serde-able (tagged by `kind`), so a checkpoint can hold
/// whichever optimizer a run uses. Implements [`GradientOptimizer`] by delegation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum AnyGradientOptimizer {
    /// [`Sgd`].
    Sgd(Sgd),
    /// [`Momentum`].
    Momentum(Momentum),
    /// [`AdaGrad`].
    AdaGrad(AdaGrad),
    /// [`RmsProp`].
    RmsProp(RmsProp),
    /// [`Adam`].
    Adam(Adam),
    /// [`AdamW`].
    AdamW(AdamW),
}

impl AnyGradientOptimizer {
    fn inner(&self) -> &dyn GradientOptimizer {
        match self {
            Self::Sgd(o) => o,
            Self::Momentum(o) => o,
            Self::AdaGrad(o) => o,
            Self::RmsProp(o) => o,
            Self::Adam(o) => o,
            Self::AdamW(o) => o,
        }
    }

    fn inner_mut(&mut self) -> &mut dyn GradientOptimizer {
        match self {
            Self::Sgd(o) => o,
            Self::Momentum(o) => o,
            Self::AdaGrad(o) => o,
            Self::RmsProp(o) => o,
            Self::Adam(o) => o,
            Self::AdamW(o) => o,
        }
    }
}

impl GradientOptimizer for AnyGradientOptimizer {
    fn step(&mut self, params: &mut [Matrix], grads: &[Matrix]) -> Result<()> {
        self.inner_mut().step(params, grads)
    }

    fn learning_rate(&self) -> Real {
        self.inner().learning_rate()
    }

    fn set_learning_rate(&mut self, lr: Real) -> Result<()> {
        self.inner_mut().set_learning_rate(lr)
    }

    fn steps(&self) -> u64 {
        self.inner().steps()
    }

    fn reset(&mut self) {
        self.inner_mut().reset();
    }

    fn name(&self) -> &'static str {
        self.inner().name()
    }
}
