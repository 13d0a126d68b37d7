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

/// Step size, residual tolerance and iteration budget of a relaxation: the settings of
/// [`EquilibriumPropagation::with_relaxation`], [`ContrastiveHebbian::with_relaxation`] and
/// [`PredictiveCoding::with_inference`]. Their defaults differ by algorithm:
/// [`EquilibriumPropagation::DEFAULT_RELAXATION`] (0.5, 1e-6, 2000),
/// [`ContrastiveHebbian::DEFAULT_RELAXATION`] (1, 1e-10, 1000),
/// [`PredictiveCoding::DEFAULT_INFERENCE`] (0.2, 1e-8, 5000). Change a field with struct update
/// syntax:
///
/// ```
/// use neurograd_plasticity::credit::{EpVariant, EquilibriumPropagation, Relaxation};
///
/// let ep = EquilibriumPropagation::new(0.5, EpVariant::OneSided)?.with_relaxation(Relaxation {
///     tol: 1e-4,
///     max_iters: 5000,
///     ..EquilibriumPropagation::DEFAULT_RELAXATION
/// })?;
/// assert_eq!(ep.relaxation().tol, 1e-4);
/// # Ok::<(), neurograd_plasticity::PlasticityError>(())
/// ```
///
/// [`EquilibriumPropagation::with_relaxation`]: super::EquilibriumPropagation::with_relaxation
/// [`EquilibriumPropagation::DEFAULT_RELAXATION`]: super::EquilibriumPropagation::DEFAULT_RELAXATION
/// [`ContrastiveHebbian::with_relaxation`]: super::ContrastiveHebbian::with_relaxation
/// [`ContrastiveHebbian::DEFAULT_RELAXATION`]: super::ContrastiveHebbian::DEFAULT_RELAXATION
/// [`PredictiveCoding::with_inference`]: super::PredictiveCoding::with_inference
/// [`PredictiveCoding::DEFAULT_INFERENCE`]: super::PredictiveCoding::DEFAULT_INFERENCE
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Relaxation {
    /// Step size (relaxation step `ε` of EP and CHL, inference rate `γ` of PC), in `(0, 1]`.
    pub step: Real,
    /// Converged when the residual is at most this (> 0, finite).
    pub tol: Real,
    /// At most this many steps (>= 1).
    pub max_iters: usize,
}

impl Relaxation {
    /// Checks the settings (done once, when an algorithm takes them).
    ///
    /// # Errors
    /// [`PlasticityError::InvalidParameter`] naming `step`, `tol` or `max_iters` unless
    /// `0 < step <= 1`, `tol > 0` (finite) and `max_iters >= 1`.
    pub fn check(&self) -> Result<()> {
        let invalid = |name, value: String, reason: &str| PlasticityError::InvalidParameter {
            name,
            value,
            reason: reason.into(),
        };
        if !(self.step.is_finite() && self.step > 0.0 && self.step <= 1.0) {
            return Err(invalid(
                "step",
                self.step.to_string(),
                "the relaxation step must lie in (0, 1]",
            ));
        }
        if !(self.tol.is_finite() && self.tol > 0.0) {
            return Err(invalid(
                "tol",
                self.tol.to_string(),
                "the tolerance must be positive and finite",
            ));
        }
        if self.max_iters == 0 {
            return Err(invalid(
                "max_iters",
                "0".into(),
                "the budget must be at least 1",
            ));
        }
        Ok(())
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

/// Checks that `states` holds one `(batch, n_k)` matrix per layer `k = 1..=L` of `net` for the
/// batch `x` (the state of a relaxation).
///
/// # Errors
/// [`PlasticityError::ShapeMismatch`] for a wrong number of layers or a wrong shape.
pub(crate) fn check_states(net: &Network, x: &Matrix, states: &[Matrix]) -> Result<()> {
    if states.len() != net.num_layers() {
        return Err(PlasticityError::ShapeMismatch {
            op: "relaxation: number of state layers",
            expected: (net.num_layers(), 1),
            got: (states.len(), 1),
        });
    }
    for (k, s) in states.iter().enumerate() {
        let expected = (x.nrows(), net.widths()[k + 1]);
        if s.shape() != expected {
            return Err(PlasticityError::ShapeMismatch {
                op: "relaxation: state (batch, n_k)",
                expected,
                got: s.shape(),
            });
        }
    }
    Ok(())
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
