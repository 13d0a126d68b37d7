//! Contrastive Hebbian learning (Movellan 1991) in the layered network with feedback gain `γ`
//! of Xie & Seung (2003, Neural Comput. 15:441).
//!
//! The layered network gets top-down feedback `γ W_{k+1}ᵀ` and relaxes (damped fixed-point
//! iteration of the Xie-Seung dynamics `dx_k/dt = -x_k + f_k(·)`, step size `ε`) to
//!
//! ```text
//! x_0 = X,   x_k = f_k(x_{k-1} W_kᵀ + b_k + γ x_{k+1} W_{k+1})   (0 < k < L)
//! free phase:    x_L = f_L(x_{L-1} W_Lᵀ + b_L)          -> x⁰
//! clamped phase: x_L = t                                  -> x^∞
//! ```
//!
//! The CHL update is the difference of Hebbian products between the phases; Xie & Seung scale
//! layer `k` by `γ^{-(L-k)}` ("exponentially growing learning rates for remote layers"):
//!
//! ```text
//! ΔW_k = -γ^{-(L-k)} (x_k^∞ᵀ x_{k-1}^∞ - x_k⁰ᵀ x_{k-1}⁰) / B,   Δb_k = -γ^{-(L-k)} 1ᵀ(x_k^∞ - x_k⁰) / B
//! ```
//!
//! (sign of a loss gradient). The clamped-minus-free activity at layer `k` is
//! `γ^{L-k} δ_k + O(γ^{L-k+1})` with `δ` backprop's delta for the output error `t - y` (without a
//! factor `f_L'`), so the update converges to the backprop gradient of the half squared error of
//! a network with linear outputs with relative error `O(γ)`. `γ = 1` without scaling is
//! Movellan's symmetric CHL.
//!
//! Relaxation: Jacobi sweeps `x_k ← (1-ε) x_k + ε f_k(drive_k)` starting from the feed-forward
//! pass (free phase) and from the free fixed point (clamped phase); residual
//! `max |x_k - f_k(drive_k)|` over all units and rows; converged when residual `<= tol`; the
//! budget is `max_iters` sweeps per phase, after which the result is
//! [`PlasticityError::NotConverged`].

use neurograd_tensor::{Matrix, Real};

use super::linalg::{add_row, ensure_shape, gemm_nn, gemm_nt};
use super::network::Network;
use super::relax::{Relaxation, check_states, hebbian_into, require_squared_error};
use super::{CreditAssignment, Diagnostics, Updates};
use crate::{PlasticityError, Result};

/// Contrastive Hebbian learning with Xie-Seung feedback gain.
#[derive(Clone, Debug, PartialEq)]
pub struct ContrastiveHebbian {
    gamma: Real,
    relaxation: Relaxation,
    scale_layers: bool,
}

/// Result of one relaxation: the activities `x_1..x_L` and its cost.
#[derive(Clone, Debug)]
pub struct Relaxed {
    /// Activities `x_k`, `k = 1..=L` (index `k - 1`).
    pub states: Vec<Matrix>,
    /// Sweeps used.
    pub iterations: usize,
    /// Final residual `max |x_k - f_k(drive_k)|`.
    pub residual: Real,
}

impl ContrastiveHebbian {
    /// The relaxation settings of [`ContrastiveHebbian::new`]: step `ε = 1`, tolerance `1e-10`,
    /// budget 1000 sweeps per phase.
    pub const DEFAULT_RELAXATION: Relaxation = Relaxation {
        step: 1.0,
        tol: 1e-10,
        max_iters: 1000,
    };

    /// CHL with feedback gain `γ > 0`, [`ContrastiveHebbian::DEFAULT_RELAXATION`], Xie-Seung
    /// layer scaling on.
    ///
    /// # Errors
    /// [`PlasticityError::InvalidParameter`] unless `0 < γ <= 1`.
    pub fn new(gamma: Real) -> Result<Self> {
        if !(gamma.is_finite() && gamma > 0.0 && gamma <= 1.0) {
            return Err(PlasticityError::InvalidParameter {
                name: "gamma",
                value: format!("{gamma}"),
                reason: "feedback gain must lie in (0, 1]".into(),
            });
        }
        Ok(ContrastiveHebbian {
            gamma,
            relaxation: Self::DEFAULT_RELAXATION,
            scale_layers: true,
        })
    }

    /// Sets the relaxation step `ε ∈ (0, 1]`, tolerance (> 0) and budget (>= 1) per phase.
    ///
    /// # Errors
    /// [`PlasticityError::InvalidParameter`] for values out of range ([`Relaxation::check`]).
    pub fn with_relaxation(mut self, relaxation: Relaxation) -> Result<Self> {
        relaxation.check()?;
        self.relaxation = relaxation;
        Ok(self)
    }

    /// The relaxation settings.
    pub fn relaxation(&self) -> Relaxation {
        self.relaxation
    }

    /// Turns the Xie-Seung `γ^{-(L-k)}` layer scaling on or off (off: the negative control whose
    /// lower-layer updates vanish as `γ^{L-k}`).
    pub fn with_layer_scaling(mut self, on: bool) -> Self {
        self.scale_layers = on;
        self
    }

    /// The feedback gain.
    pub fn gamma(&self) -> Real {
        self.gamma
    }

    fn check(net: &Network) -> Result<()> {
        require_squared_error(net, "contrastive Hebbian learning")
    }

    /// Relaxes the network on batch `x`; `clamp = Some(t)` clamps the output to `t`, `init`
    /// gives the starting activities (default: the feed-forward pass).
    ///
    /// # Errors
    /// Bad input; [`PlasticityError::ShapeMismatch`] for a clamp that is not `(batch, n_L)` or
    /// starting activities that are not one `(batch, n_k)` matrix per layer; a non-finite clamp;
    /// [`PlasticityError::NotConverged`] with the residual if the budget is exhausted;
    /// [`PlasticityError::NonFinite`] if the state diverges.
    pub fn relax(
        &self,
        net: &Network,
        x: &Matrix,
        clamp: Option<&Matrix>,
        init: Option<&[Matrix]>,
    ) -> Result<Relaxed> {
        net.check_input(x)?;
        let l_count = net.num_layers();
        if let Some(t) = clamp {
            net.check_batch(x, t)?;
        }
        if let Some(s) = init {
            check_states(net, x, s)?;
        }
        let mut states: Vec<Matrix> = match init {
            Some(s) => s.to_vec(),
            None => net.forward_cache(x)?.post.into_iter().skip(1).collect(),
        };
        if let Some(t) = clamp {
            states[l_count - 1].copy_from(t);
        }
        let mut drive = Matrix::zeros(0, 0);
        let mut next: Vec<Matrix> = states.clone();
        let top = if clamp.is_some() {
            l_count - 1
        } else {
            l_count
        };
        let step = self.relaxation.step;
        let (it, residual) = self
            .relaxation
            .run("contrastive Hebbian relaxation state", |_| {
                let mut residual: Real = 0.0;
                for k in 0..top {
                    let below = if k == 0 { x } else { &states[k - 1] };
                    ensure_shape(&mut drive, x.nrows(), net.widths()[k + 1]);
                    gemm_nt(&mut drive, 1.0, below, net.layer_weight(k), 0.0);
                    add_row(&mut drive, net.layer_bias(k));
                    if k + 1 < l_count {
                        gemm_nn(
                            &mut drive,
                            self.gamma,
                            &states[k + 1],
                            net.layer_weight(k + 1),
                            1.0,
                        );
                    }
                    let act = net.layer_activation(k);
                    for ((n, &s), &d) in next[k].iter_mut().zip(states[k].iter()).zip(drive.iter())
                    {
                        let target = act.apply(d);
                        residual = residual.max((s - target).abs());
                        *n = (1.0 - step) * s + step * target;
                    }
                }
                for k in 0..top {
                    std::mem::swap(&mut states[k], &mut next[k]);
                }
                Ok(residual)
            })?;
        Ok(Relaxed {
            states,
            iterations: it + 1,
            residual,
        })
    }
}

impl CreditAssignment for ContrastiveHebbian {
    fn name(&self) -> &'static str {
        "chl"
    }

    fn updates_into(
        &mut self,
        net: &Network,
        x: &Matrix,
        t: &Matrix,
        out: &mut Updates,
    ) -> Result<()> {
        Self::check(net)?;
        net.check_batch(x, t)?;
        net.require_dense(self.name())?;
        let free = self.relax(net, x, None, None)?;
        let clamped = self.relax(net, x, Some(t), Some(&free.states))?;
        let l_count = net.num_layers();
        let b = x.nrows() as Real;
        out.prepare(net);
        // ΔW_k = -(s_k^c ᵀ s_{k-1}^c - s_k^f ᵀ s_{k-1}^f) · γ^{-(L-k)} / B (activities are rates).
        let scales: Vec<Real> = (0..l_count)
            .map(|k| {
                let depth = (l_count - 1 - k) as i32;
                let scale = if self.scale_layers {
                    self.gamma.powi(-depth)
                } else {
                    1.0
                };
                scale / b
            })
            .collect();
        hebbian_into(net, x, &clamped.states, &scales, out, true);
        let neg: Vec<Real> = scales.iter().map(|s| -s).collect();
        hebbian_into(net, x, &free.states, &neg, out, false);
        let loss = net.loss().batch_value(&free.states[l_count - 1], t);
        out.diagnostics = Diagnostics {
            loss,
            relaxation_steps: free.iterations + clamped.iterations,
            residual: free.residual.max(clamped.residual),
        };
        Ok(())
    }

    fn predict(&mut self, net: &Network, x: &Matrix) -> Result<Matrix> {
        net.require_dense(self.name())?;
        let free = self.relax(net, x, None, None)?;
        Ok(free.states[net.num_layers() - 1].clone())
    }
}
