//! Learning-rate schedules: constant, step decay, exponential decay, cosine annealing
//! (Loshchilov & Hutter 2017, without restarts) and linear warm-up (Goyal et al. 2017) in front
//! of any of them.
//!
//! A schedule maps the step index `t = 0, 1, 2, ...` to a learning rate with
//! [`Schedule::lr_at`]; [`Schedule::apply`] sets it on a [`GradientOptimizer`].
//!
//! ```
//! use neurograd_optim::schedule::Schedule;
//!
//! // 10 steps of linear warm-up to 0.1, then cosine decay to 0 over 100 steps.
//! let s = Schedule::warmup(10, Schedule::cosine(0.1, 0.0, 100)?)?;
//! assert!((s.lr_at(9) - 0.1).abs() < 1e-15);
//! assert!(s.lr_at(110).abs() < 1e-15);
//! # Ok::<(), neurograd_optim::OptimError>(())
//! ```

use crate::Result;
use crate::error::check_finite;
use crate::gradient::{GradientOptimizer, check_lr, check_pos, invalid};
use neurograd_tensor::Real;
use serde::{Deserialize, Serialize};

/// A learning-rate schedule. Build it with the validating constructors ([`Schedule::constant`],
/// ...); a deserialized schedule should be checked with [`Schedule::check`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Schedule {
    /// `η_t = η`.
    Constant {
        /// Learning rate.
        lr: Real,
    },
    /// Step decay: `η_t = η γ^⌊t / s⌋`.
    Step {
        /// Initial learning rate `η`.
        lr: Real,
        /// Steps `s >= 1` between decays.
        step_size: u64,
        /// Decay factor `γ ∈ (0, 1]`.
        gamma: Real,
    },
    /// Exponential decay: `η_t = η γ^t`.
    Exponential {
        /// Initial learning rate `η`.
        lr: Real,
        /// Decay factor per step `γ ∈ (0, 1]`.
        gamma: Real,
    },
    /// Cosine annealing (Loshchilov & Hutter 2017, SGDR without restarts):
    /// `η_t = η_min + (η − η_min)(1 + cos(π min(t, T)/T))/2`.
    Cosine {
        /// Initial learning rate `η`.
        lr: Real,
        /// Final learning rate `η_min ∈ [0, η]`.
        min_lr: Real,
        /// Length `T >= 1` of the decay; the rate stays at `η_min` afterwards.
        total_steps: u64,
    },
    /// Linear warm-up (Goyal et al. 2017) before another schedule:
    /// `η_t = η_after(0) (t + 1)/W` for `t < W`, then `η_after(t − W)`.
    Warmup {
        /// Warm-up length `W >= 1`.
        warmup_steps: u64,
        /// The schedule that follows (its step counter starts at 0 after the warm-up).
        after: Box<Schedule>,
    },
}

impl Schedule {
    /// Constant learning rate.
    ///
    /// # Errors
    /// [`OptimError::InvalidParameter`](crate::OptimError::InvalidParameter) unless `lr` is finite and `>= 0`.
    pub fn constant(lr: Real) -> Result<Self> {
        let s = Self::Constant { lr };
        s.check()?;
        Ok(s)
    }

    /// Step decay by `gamma` every `step_size` steps.
    ///
    /// # Errors
    /// [`OptimError::InvalidParameter`](crate::OptimError::InvalidParameter) for a bad `lr`, `step_size = 0` or `gamma ∉ (0, 1]`.
    pub fn step(lr: Real, step_size: u64, gamma: Real) -> Result<Self> {
        let s = Self::Step {
            lr,
            step_size,
            gamma,
        };
        s.check()?;
        Ok(s)
    }

    /// Exponential decay by `gamma` per step.
    ///
    /// # Errors
    /// [`OptimError::InvalidParameter`](crate::OptimError::InvalidParameter) for a bad `lr` or `gamma ∉ (0, 1]`.
    pub fn exponential(lr: Real, gamma: Real) -> Result<Self> {
        let s = Self::Exponential { lr, gamma };
        s.check()?;
        Ok(s)
    }

    /// Cosine annealing from `lr` to `min_lr` over `total_steps`.
    ///
    /// # Errors
    /// [`OptimError::InvalidParameter`](crate::OptimError::InvalidParameter) for a bad `lr`, `min_lr ∉ [0, lr]` or `total_steps = 0`.
    pub fn cosine(lr: Real, min_lr: Real, total_steps: u64) -> Result<Self> {
        let s = Self::Cosine {
            lr,
            min_lr,
            total_steps,
        };
        s.check()?;
        Ok(s)
    }

    /// Linear warm-up over `warmup_steps` steps in front of `after`.
    ///
    /// # Errors
    /// [`OptimError::InvalidParameter`](crate::OptimError::InvalidParameter) for `warmup_steps = 0` or an invalid `after`.
    pub fn warmup(warmup_steps: u64, after: Schedule) -> Result<Self> {
        let s = Self::Warmup {
            warmup_steps,
            after: Box::new(after),
        };
        s.check()?;
        Ok(s)
    }

    /// Validates the parameters (recursively for warm-up).
    ///
    /// # Errors
    /// [`OptimError::InvalidParameter`](crate::OptimError::InvalidParameter) naming the offending field.
    pub fn check(&self) -> Result<()> {
        let count = |name: &'static str, v: u64| {
            if v == 0 {
                Err(invalid(name, 0.0, "must be >= 1"))
            } else {
                Ok(())
            }
        };
        let gamma_ok = |g: Real| {
            if g > 0.0 && g <= 1.0 {
                Ok(())
            } else {
                Err(invalid("gamma", g, "must lie in (0, 1]"))
            }
        };
        match self {
            Self::Constant { lr } => check_lr(*lr),
            Self::Step {
                lr,
                step_size,
                gamma,
            } => {
                check_lr(*lr)?;
                count("step_size", *step_size)?;
                gamma_ok(*gamma)
            }
            Self::Exponential { lr, gamma } => {
                check_lr(*lr)?;
                gamma_ok(*gamma)
            }
            Self::Cosine {
                lr,
                min_lr,
                total_steps,
            } => {
                check_lr(*lr)?;
                if !(min_lr.is_finite() && *min_lr >= 0.0 && *min_lr <= *lr) {
                    return Err(invalid("min_lr", *min_lr, "must lie in [0, lr]"));
                }
                count("total_steps", *total_steps)
            }
            Self::Warmup {
                warmup_steps,
                after,
            } => {
                count("warmup_steps", *warmup_steps)?;
                after.check()
            }
        }
    }

    /// The learning rate at step `t` (0-based).
    pub fn lr_at(&self, t: u64) -> Real {
        match self {
            Self::Constant { lr } => *lr,
            Self::Step {
                lr,
                step_size,
                gamma,
            } => {
                let k = t / (*step_size).max(1);
                lr * gamma.powf(k as Real)
            }
            Self::Exponential { lr, gamma } => lr * gamma.powf(t as Real),
            Self::Cosine {
                lr,
                min_lr,
                total_steps,
            } => {
                let tt = (*total_steps).max(1);
                let frac = t.min(tt) as Real / tt as Real;
                min_lr + (lr - min_lr) * 0.5 * (1.0 + (std::f64::consts::PI * frac).cos())
            }
            Self::Warmup {
                warmup_steps,
                after,
            } => {
                let w = (*warmup_steps).max(1);
                if t < w {
                    after.lr_at(0) * (t + 1) as Real / w as Real
                } else {
                    after.lr_at(t - w)
                }
            }
        }
    }

    /// Sets the learning rate of `opt` to `lr_at(t)`.
    ///
    /// # Errors
    /// Whatever [`GradientOptimizer::set_learning_rate`] returns (a schedule that passed
    /// [`check`](Self::check) always yields a valid rate).
    pub fn apply<O: GradientOptimizer + ?Sized>(&self, opt: &mut O, t: u64) -> Result<()> {
        opt.set_learning_rate(self.lr_at(t))
    }
}

/// Rescales `grads` in place so that their global L2 norm `‖g‖ = √(Σ_k ‖G_k‖_F²)` is at most
/// `max_norm` (Pascanu, Mikolov & Bengio 2013): if `‖g‖ > max_norm`, every tensor is multiplied by
/// `max_norm / ‖g‖`. Returns the norm before clipping (as PyTorch's `clip_grad_norm_`).
///
/// # Errors
/// [`OptimError::InvalidParameter`](crate::OptimError::InvalidParameter) unless `max_norm` is finite and `> 0`;
/// [`OptimError::NonFinite`](crate::OptimError::NonFinite) if a gradient element is NaN or infinite (nothing is modified then).
pub fn clip_global_norm(grads: &mut [neurograd_tensor::Matrix], max_norm: Real) -> Result<Real> {
    check_pos("max_norm", max_norm)?;
    let mut sq = 0.0;
    for (i, g) in grads.iter().enumerate() {
        check_finite(g.as_slice(), &format!("gradient tensor {i}"))?;
        sq += g.iter().map(|v| v * v).sum::<Real>();
    }
    let norm = sq.sqrt();
    if norm > max_norm {
        let s = max_norm / norm;
        for g in grads.iter_mut() {
            *g *= s;
        }
    }
    Ok(norm)
}
