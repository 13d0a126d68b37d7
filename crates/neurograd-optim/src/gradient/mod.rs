//! Gradient optimizers: SGD, momentum (heavy ball and Nesterov), AdaGrad, RMSProp, Adam, AdamW.
//!
//! Every optimizer implements [`GradientOptimizer`]: `step(params, grads)` updates a list of
//! parameter matrices in place from a list of gradient matrices of the same shapes. The update
//! rules follow the conventions of PyTorch's `torch.optim` (documented per optimizer), so numbers
//! can be compared one to one.
//!
//! Hyperparameters live in a serde config struct per optimizer that is validated once, in
//! `new(config)`. The optimizer structs themselves (config + moment buffers + step counter) are
//! `Serialize + Deserialize`, so an interrupted training run can be checkpointed and resumed
//! bit-identically (serde_json users: enable serde_json's `float_roundtrip` feature so that every
//! `f64` parses back to the same bits).
//!
//! Input checking in `step`: the number of tensors and every shape must agree between `params`,
//! `grads` and the state built on the first step, and all gradients and parameters must be
//! finite. On any error nothing is modified (the check runs before the first write).
//!
//! ```
//! use neurograd_optim::gradient::{Adam, AdamConfig, GradientOptimizer};
//! use neurograd_tensor::Matrix;
//!
//! let mut opt = Adam::new(AdamConfig { lr: 0.1, ..AdamConfig::default() })?;
//! let mut params = vec![Matrix::from_element(2, 2, 1.0)];
//! for _ in 0..200 {
//!     // gradient of 0.5 * ||p||^2
//!     let grads = vec![params[0].clone()];
//!     opt.step(&mut params, &grads)?;
//! }
//! assert!(params[0].norm() < 0.1);
//! # Ok::<(), neurograd_optim::OptimError>(())
//! ```

mod adagrad;
mod adam;
mod config;
mod momentum;
mod rmsprop;
mod sgd;

pub use adagrad::{AdaGrad, AdaGradConfig};
pub use adam::{Adam, AdamConfig, AdamW, AdamWConfig};
pub use config::{AnyGradientOptimizer, GradientOptimizerConfig};
pub use momentum::{Momentum, MomentumConfig};
pub use rmsprop::{RmsProp, RmsPropConfig};
pub use sgd::{Sgd, SgdConfig};

use crate::error::check_finite;
use crate::{OptimError, Result};
use neurograd_tensor::{Matrix, Real};

/// A first-order optimizer: updates parameters in place from their gradients.
///
/// Implementations keep their per-parameter state (moments, accumulators) inside, built lazily on
/// the first [`step`](GradientOptimizer::step) with the shapes of that step.
pub trait GradientOptimizer {
    /// One update of `params` from `grads` (same length, same shapes, all finite).
    ///
    /// # Errors
    /// [`OptimError::ShapeMismatch`] (lengths as `(n, 1)`) if the list lengths differ (or differ
    /// from the state), [`OptimError::InTensorList`] holding a [`OptimError::ShapeMismatch`] if the
    /// shape of one tensor differs, [`OptimError::NonFinite`] if a
    /// gradient or parameter is NaN or infinite. On error, `params` and the state are unchanged.
    fn step(&mut self, params: &mut [Matrix], grads: &[Matrix]) -> Result<()>;

    /// The current learning rate.
    fn learning_rate(&self) -> Real;

    /// Sets the learning rate (used by [`Schedule`](crate::schedule::Schedule)s).
    ///
    /// # Errors
    /// [`OptimError::InvalidParameter`] unless `lr` is finite and `>= 0`.
    fn set_learning_rate(&mut self, lr: Real) -> Result<()>;

    /// Number of successful steps taken so far.
    fn steps(&self) -> u64;

    /// Forgets the state (moments, step counter); hyperparameters are kept.
    fn reset(&mut self);

    /// Short lowercase name (`"sgd"`, `"adam"`, ...), as accepted by
    /// [`GradientOptimizerConfig::from_name`].
    fn name(&self) -> &'static str;
}

/// Validates a learning rate (finite, `>= 0`).
pub(crate) fn check_lr(lr: Real) -> Result<()> {
    if lr.is_finite() && lr >= 0.0 {
        Ok(())
    } else {
        Err(invalid("lr", lr, "must be finite and >= 0"))
    }
}

/// Validates a non-negative finite parameter.
pub(crate) fn check_nonneg(name: &'static str, v: Real) -> Result<()> {
    if v.is_finite() && v >= 0.0 {
        Ok(())
    } else {
        Err(invalid(name, v, "must be finite and >= 0"))
    }
}

/// Validates a strictly positive finite parameter.
pub(crate) fn check_pos(name: &'static str, v: Real) -> Result<()> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(invalid(name, v, "must be finite and > 0"))
    }
}

/// Validates a decay rate in `[0, 1)`.
pub(crate) fn check_unit(name: &'static str, v: Real) -> Result<()> {
    if (0.0..1.0).contains(&v) {
        Ok(())
    } else {
        Err(invalid(name, v, "must lie in [0, 1)"))
    }
}

pub(crate) fn invalid(name: &'static str, v: Real, reason: &str) -> OptimError {
    OptimError::InvalidParameter {
        name,
        value: format!("{v}"),
        reason: reason.to_string(),
    }
}

/// Checks `params` against `grads` and against the (possibly empty = not yet built) state
/// buffers, before anything is written.
pub(crate) fn check_step(params: &[Matrix], grads: &[Matrix], state: &[Matrix]) -> Result<()> {
    if params.len() != grads.len() {
        return Err(OptimError::ShapeMismatch {
            op: "gradient step: number of gradient tensors",
            expected: (params.len(), 1),
            got: (grads.len(), 1),
        });
    }
    if !state.is_empty() && state.len() != params.len() {
        return Err(OptimError::ShapeMismatch {
            op: "gradient step: number of parameter tensors vs optimizer state",
            expected: (state.len(), 1),
            got: (params.len(), 1),
        });
    }
    let in_list = |list: &'static str, index: usize, op, expected, got| {
        Err(OptimError::InTensorList {
            list,
            index,
            source: Box::new(OptimError::ShapeMismatch { op, expected, got }),
        })
    };
    for (i, (p, g)) in params.iter().zip(grads).enumerate() {
        if p.shape() != g.shape() {
            return in_list(
                "gradients",
                i,
                "gradient step: gradient vs parameter",
                p.shape(),
                g.shape(),
            );
        }
        if let Some(s) = state.get(i)
            && s.shape() != p.shape()
        {
            return in_list(
                "parameters",
                i,
                "gradient step: parameter vs optimizer state",
                s.shape(),
                p.shape(),
            );
        }
        check_finite(g.as_slice(), &format!("gradient tensor {i}"))?;
        check_finite(p.as_slice(), &format!("parameter tensor {i}"))?;
    }
    Ok(())
}

/// Sets `*slot = lr` after validating it with [`check_lr`] (shared `set_learning_rate` body).
pub(crate) fn set_lr(slot: &mut Real, lr: Real) -> Result<()> {
    check_lr(lr)?;
    *slot = lr;
    Ok(())
}

/// The gradient with coupled L2 weight decay, `g + λθ` (exactly `g` when `λ = 0`).
#[inline]
pub(crate) fn l2_grad(g: Real, p: Real, wd: Real) -> Real {
    if wd != 0.0 { g + wd * p } else { g }
}

/// Elementwise update driver for optimizers with one state buffer per parameter tensor: calls
/// `f(θᵢ, gᵢ, sᵢ)` for every element, tensor by tensor in storage order. Call only after
/// [`check_step`] and [`ensure_state`] so that all shapes agree.
pub(crate) fn update_elementwise(
    params: &mut [Matrix],
    grads: &[Matrix],
    state: &mut [Matrix],
    mut f: impl FnMut(&mut Real, Real, &mut Real),
) {
    for ((p, g), s) in params.iter_mut().zip(grads).zip(state.iter_mut()) {
        for ((pi, &gi), si) in p.iter_mut().zip(g.iter()).zip(s.iter_mut()) {
            f(pi, gi, si);
        }
    }
}

/// Zero buffers with the shapes of `like`, if `buf` is not built yet.
pub(crate) fn ensure_state(buf: &mut Vec<Matrix>, like: &[Matrix]) {
    if buf.is_empty() {
        *buf = like
            .iter()
            .map(|m| Matrix::zeros(m.nrows(), m.ncols()))
            .collect();
    }
}
