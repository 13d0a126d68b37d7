//! Scaffolding shared by the energy-based algorithms ([`EquilibriumPropagation`],
//! [`ContrastiveHebbian`], [`PredictiveCoding`]): the relaxation settings (step size, residual
//! tolerance, iteration budget) with their validation, the loop that runs sweeps until the
//! residual reaches the tolerance (or reports the budget's exhaustion with the residual, never
//! silently using an unconverged state), and the Hebbian products `ρ(s_k)ᵀ ρ(s_{k-1})` from which
//! EP and CHL build their contrastive updates.
//!
//! [`EquilibriumPropagation`]: super::EquilibriumPropagation
//! [`ContrastiveHebbian`]: super::ContrastiveHebbian
//! [`PredictiveCoding`]: super::PredictiveCoding

use neurograd_tensor::{Matrix, Real};

use super::Updates;
use super::linalg::{col_sums_into, gemm_tn};
use super::network::Network;
use crate::{PlasticityError, Result};

/// Step size, residual tolerance and iteration budget of a relaxation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Relaxation {
    /// Step size (relaxation step `ε` or inference rate `γ`), in `(0, 1]`.
    pub(crate) step: Real,
    /// Converged when the residual is at most this (> 0).
    pub(crate) tol: Real,
    /// At most this many steps (>= 1).
    pub(crate) max_iters: usize,
}

impl Relaxation {
    /// Validated settings; `step_name` names the step in the error (`"step"`, `"rate"`).
    ///
    /// # Errors
    /// [`PlasticityError::InvalidParameter`] unless `0 < step <= 1`, `tol > 0` (finite) and
    /// `max_iters >= 1`.
    pub(crate) fn new(
        step: Real,
        tol: Real,
        max_iters: usize,
        step_name: &'static str,
    ) -> Result<Self> {
        if !(step.is_finite() && step > 0.0 && step <= 1.0) {
            return Err(PlasticityError::InvalidParameter {
                name: step_name,
                value: format!("{step}"),
                reason: format!("{step_name} must lie in (0, 1]"),
            });
        }
        if !(tol.is_finite() && tol > 0.0) || max_iters == 0 {
            return Err(PlasticityError::InvalidParameter {
                name: "tol/max_iters",
                value: format!("{tol}/{max_iters}"),
                reason: "tolerance must be positive and the budget at least 1".into(),
            });
        }
        Ok(Relaxation {
            step,
            tol,
            max_iters,
        })
    }

    /// Runs `sweep(it)` for `it = 0, 1, ..., max_iters` until the residual it returns is at most
    /// the tolerance; returns `(it, residual)` of that sweep. A sweep measures the residual of
    /// its current state and moves the state (a measure-then-step sweep should skip the move when
    /// the residual is already within tolerance, so the returned state is the measured one).
    ///
    /// # Errors
    /// The sweep's own errors; [`PlasticityError::NonFinite`] naming `what` and the step if the
    /// residual is NaN/Inf; [`PlasticityError::NotConverged`] with the last residual when the
    /// budget is exhausted.
    pub(crate) fn run(
        &self,
        what: &str,
        mut sweep: impl FnMut(usize) -> Result<Real>,
    ) -> Result<(usize, Real)> {
        let mut residual = Real::INFINITY;
        for it in 0..=self.max_iters {
            residual = sweep(it)?;
            if !residual.is_finite() {
                return Err(PlasticityError::NonFinite {
                    what: format!("{what} at relaxation step {it}"),
                    index: 0,
                });
            }
            if residual <= self.tol {
                return Ok((it, residual));
            }
        }
        Err(PlasticityError::NotConverged {
            iterations: self.max_iters,
            residual,
            tolerance: self.tol,
        })
    }
}

/// Adds the Hebbian terms `-scales[k] · ρ_kᵀ ρ_{k-1}` (weights) and `-scales[k] · 1ᵀ ρ_k`
/// (biases) of every layer `k` into `out`, with `rates[k] = ρ(s_{k+1})` (0-based, batch rows) and
/// `ρ_0 = x`; `first` overwrites instead of adding.
pub(crate) fn hebbian_into(
    net: &Network,
    x: &Matrix,
    rates: &[Matrix],
    scales: &[Real],
    out: &mut Updates,
    first: bool,
) {
    let keep = if first { 0.0 } else { 1.0 };
    let mut sums = Matrix::zeros(0, 0);
    for k in 0..net.num_layers() {
        let below = if k == 0 { x } else { &rates[k - 1] };
        let (gw, gb) = out.layer_mut(k);
        gemm_tn(gw, -scales[k], &rates[k], below, keep);
        super::linalg::ensure_shape(&mut sums, 1, gb.ncols());
        col_sums_into(&mut sums, -scales[k], &rates[k]);
        if first {
            gb.copy_from(&sums);
        } else {
            *gb += &sums;
        }
    }
}

/// Checks that `net` is trained on the half squared error, which `algorithm` needs because it
/// clamps or nudges the output towards the target.
///
/// # Errors
/// [`PlasticityError::InvalidParameter`] naming the loss and the algorithm.
pub(crate) fn require_squared_error(net: &Network, algorithm: &str) -> Result<()> {
    if net.loss() != super::Loss::HalfSquaredError {
        return Err(PlasticityError::InvalidParameter {
            name: "loss",
            value: net.loss().name().into(),
            reason: format!(
                "{algorithm} clamps or nudges the output with C = ½‖y - t‖²: use half_squared_error"
            ),
        });
    }
    Ok(())
}
