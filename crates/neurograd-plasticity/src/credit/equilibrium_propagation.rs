//! Equilibrium propagation (Scellier & Bengio 2017, Front. Comput. Neurosci. 11:24) with one-sided
//! nudging and the symmetric `±β` estimate of Laborieux et al. (2021, Front. Neurosci. 15:633674).
//!
//! The layered network's weights define a Hopfield-like energy over states `s_1..s_L` (hidden
//! and output units) with the input clamped, `ρ_k = f_k` the layer's activation and
//! `ρ(s_0) := X`; summed over the rows of the batch (independent copies):
//!
//! ```text
//! E(s) = Σ_k [ ½‖s_k‖² - ρ(s_k)·(ρ(s_{k-1}) W_kᵀ + b_k) ]
//! C(s) = ½‖s_L - t‖²,   F = E + β C,   ds/dt = -∂F/∂s
//! ∂F/∂s_k = s_k - ρ'(s_k) ⊙ (ρ(s_{k-1}) W_kᵀ + b_k + ρ(s_{k+1}) W_{k+1}) + β (s_L - t)[k = L]
//! ```
//!
//! The objective is `J(θ) = C(s⁰)` at the free fixed point (`β = 0`), mean over the batch.
//! **Theorem 1** (Scellier & Bengio 2017): `dJ/dθ = lim_{β→0} (1/β)[∂F/∂θ(s^β) - ∂F/∂θ(s⁰)]`;
//! with `∂F/∂W_k = -ρ(s_k)ᵀ ρ(s_{k-1})`, `∂F/∂b_k = -1ᵀ ρ(s_k)`:
//!
//! ```text
//! one-sided:  ΔW_k = -(1/βB) [ρ(s_k^β)ᵀ ρ(s_{k-1}^β) - ρ(s_k⁰)ᵀ ρ(s_{k-1}⁰)]          error O(β)
//! symmetric:  ΔW_k = -(1/2βB)[ρ(s_k^{+β})ᵀ ρ(s_{k-1}^{+β}) - ρ(s_k^{-β})ᵀ ρ(s_{k-1}^{-β})]  error O(β²)
//! ```
//!
//! **Hard sigmoid.** For a layer whose activation is [`Activation::HardSigmoid`] the state is
//! confined to `[0, 1]` and the step is the clipped update of the paper (§5.1.1),
//! `s ← clip(s - ε ∂F/∂s, 0, 1)` with `ρ(s) = s` and `ρ' = 1` inside the box (taking `ρ' = 0` at
//! the boundary would freeze a unit at 0 forever); the residual is the projected gradient
//! `max |s - clip(s - ∂F/∂s, 0, 1)|`. Other activations use plain gradient flow and the residual
//! `max |∂F/∂s|`.
//!
//! **Relaxation.** Explicit Euler steps of the gradient flow with step `ε` (default 0.5, the
//! paper's), the free phase started from the feed-forward pass, each nudged phase from the free
//! fixed point; converged when the residual (max over units and rows) is `<= tol`; at most
//! `max_iters` steps per phase, otherwise [`PlasticityError::NotConverged`]. The estimator divides
//! by `β`, so a residual `r` costs an error of order `r/β`: use `tol ≪ β·|gradient|` (the
//! property tests relax to `1e-13`).

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use neurograd_tensor::{Activation, Matrix, Real};

use super::linalg::{add_row, ensure_shape, gemm_nn, gemm_nt};
use super::network::Network;
use super::relax::{Relaxation, check_states, hebbian_into, require_squared_error};
use super::{CreditAssignment, Diagnostics, Updates};
use crate::{PlasticityError, Result};

/// One-sided or symmetric nudging.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum EpVariant {
    /// Free phase and one nudged phase at `+β` (Scellier & Bengio 2017); bias `O(β)`.
    OneSided,
    /// Nudged phases at `+β` and `-β` (Laborieux et al. 2021); bias `O(β²)`.
    Symmetric,
}

/// A relaxed state of the EP network.
#[derive(Clone, Debug)]
pub struct EpState {
    /// States `s_1..s_L` (index `k - 1`), each (batch, n_k).
    pub states: Vec<Matrix>,
    /// Steps used.
    pub iterations: usize,
    /// Final residual.
    pub residual: Real,
}

/// Equilibrium propagation.
#[derive(Clone, Debug, PartialEq)]
pub struct EquilibriumPropagation {
    beta: Real,
    variant: EpVariant,
    relaxation: Relaxation,
    block: bool,
    /// One-sided nudging with a random sign of β per mini-batch (`None`: always `+β`).
    /// Seed of the per-batch sign of β (`None`: β keeps its sign).
    random_sign: Option<u64>,
    /// Batch counter positioning the sign draw (advanced per batch, set by the training loop).
    step: u64,
}

fn invalid(name: &'static str, value: impl std::fmt::Display, reason: &str) -> PlasticityError {
    PlasticityError::InvalidParameter {
        name,
        value: value.to_string(),
        reason: reason.into(),
    }
}

fn boxed(a: Activation) -> bool {
    a == Activation::HardSigmoid
}

/// Layers the block-coordinate relaxation handles: hard sigmoid (`ρ(s) = s` on the box) and
/// identity (`ρ(s) = s`); for both, `F` is quadratic in the layer's state with minimiser
/// `drive` (clipped to the box for the hard sigmoid).
fn block_layer(a: Activation) -> bool {
    boxed(a) || a == Activation::Identity
}

/// `ρ_k` as EP uses it.
fn rho(a: Activation, s: Real) -> Real {
    a.apply(s)
}

/// `ρ_k'` as EP uses it (1 inside the box for the hard sigmoid).
fn rho_prime(a: Activation, s: Real) -> Real {
    if boxed(a) { 1.0 } else { a.derivative(s) }
}

impl EquilibriumPropagation {
    /// The relaxation settings of [`EquilibriumPropagation::new`]: step `ε = 0.5` (the paper's),
    /// tolerance `1e-6`, budget 2000 steps per phase.
    pub const DEFAULT_RELAXATION: Relaxation = Relaxation {
        step: 0.5,
        tol: 1e-6,
        max_iters: 2000,
    };

    /// EP with nudging strength `β > 0`, the given variant and
    /// [`EquilibriumPropagation::DEFAULT_RELAXATION`].
    ///
    /// # Errors
    /// [`PlasticityError::InvalidParameter`] for `β <= 0` or non-finite.
    pub fn new(beta: Real, variant: EpVariant) -> Result<Self> {
        if !(beta.is_finite() && beta > 0.0) {
            return Err(invalid(
                "beta",
                beta,
                "nudging strength must be positive and finite",
            ));
        }
        Ok(EquilibriumPropagation {
            beta,
            variant,
            relaxation: Self::DEFAULT_RELAXATION,
            block: false,
            random_sign: None,
            step: 0,
        })
    }

    /// Sets the relaxation step `ε ∈ (0, 1]`, tolerance and budget per phase.
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

    /// Uses block-coordinate descent instead of gradient flow when every layer is a hard
    /// sigmoid or linear (identity): each sweep sets, layer by layer from the input upwards (Gauss-Seidel),
    /// `s_k = clip(drive_k, 0, 1)` for hidden layers and `s_L = clip((drive_L + β t)/(1 + β), 0, 1)`
    /// at the output, the exact minimiser of `F` over `s_k` with the other layers fixed (with
    /// `ρ(s) = s` on the box `F` is quadratic in each layer). Every sweep lowers `F`; no step size
    /// is needed, so it stays stable when `‖W‖ > 1` makes the explicit flow with `ε = 0.5`
    /// oscillate. The residual is `max |s_k - target_k|` before the sweep (zero exactly at a fixed
    /// point). A linear layer takes the same update without the clip (`F` is quadratic in it as
    /// well). Ignored (gradient flow is used) if some layer is neither.
    pub fn with_block_coordinate(mut self, on: bool) -> Self {
        self.block = on;
        self
    }

    /// One-sided nudging with the sign of β drawn at random (±1 with equal probability) for every
    /// mini-batch, as in Scellier & Bengio (2017, §5: "the
    /// sign of β chosen at random"); the estimate divides by the signed β, so its first-order bias
    /// `β·c` flips sign with β and cancels in expectation over batches (Laborieux et al. 2021).
    /// Ignored by [`EpVariant::Symmetric`], which cancels the bias within every batch.
    ///
    /// The sign of batch `k` is the first `bool` of `ChaCha8Rng::seed_from_u64(mix(seed, k, 0))`
    /// ([`neurograd_tensor::seed::mix`]): a pure function of the seed and the batch counter, which
    /// advances by one per [`updates_into`](CreditAssignment::updates_into) call and is set by
    /// [`set_step`](CreditAssignment::set_step), so a training run resumed from a checkpoint draws
    /// the same signs as the uninterrupted run.
    pub fn with_random_sign(mut self, seed: u64) -> Self {
        self.random_sign = Some(seed);
        self
    }

    /// Nudging strength.
    pub fn beta(&self) -> Real {
        self.beta
    }

    /// The variant.
    pub fn variant(&self) -> EpVariant {
        self.variant
    }

    fn check(net: &Network) -> Result<()> {
        require_squared_error(net, "equilibrium propagation")
    }

    /// Drive of layer `k` (0-based): `ρ(s_{k-1}) W_kᵀ + b_k + ρ(s_{k+1}) W_{k+1}`.
    fn drive_into(net: &Network, x: &Matrix, rho_s: &[Matrix], k: usize, out: &mut Matrix) {
        ensure_shape(out, x.nrows(), net.widths()[k + 1]);
        let below = if k == 0 { x } else { &rho_s[k - 1] };
        gemm_nt(out, 1.0, below, net.layer_weight(k), 0.0);
        add_row(out, net.layer_bias(k));
        if k + 1 < net.num_layers() {
            gemm_nn(out, 1.0, &rho_s[k + 1], net.layer_weight(k + 1), 1.0);
        }
    }

    fn rho_all(net: &Network, states: &[Matrix]) -> Vec<Matrix> {
        states
            .iter()
            .enumerate()
            .map(|(k, s)| net.layer_activation(k).map(s))
            .collect()
    }

    /// Total energy `F = E + β C` of `states` (summed over rows).
    ///
    /// # Errors
    /// Shape mismatches.
    pub fn energy(
        net: &Network,
        x: &Matrix,
        t: &Matrix,
        states: &[Matrix],
        beta: Real,
    ) -> Result<Real> {
        net.check_batch(x, t)?;
        check_states(net, x, states)?;
        let r = Self::rho_all(net, states);
        let mut e = 0.0;
        let mut a = Matrix::zeros(0, 0);
        for k in 0..net.num_layers() {
            e += 0.5 * states[k].norm_squared();
            ensure_shape(&mut a, x.nrows(), net.widths()[k + 1]);
            let below = if k == 0 { x } else { &r[k - 1] };
            gemm_nt(&mut a, 1.0, below, net.layer_weight(k), 0.0);
            add_row(&mut a, net.layer_bias(k));
            e -= r[k].dot(&a);
        }
        let l = net.num_layers() - 1;
        e += beta * 0.5 * (&states[l] - t).norm_squared();
        Ok(e)
    }

    /// Gradient `∂F/∂s_k` of the total energy, one matrix per layer (the negative of the
    /// dynamics `ds/dt`; with the hard sigmoid, the interior derivative `ρ' = 1`).
    ///
    /// # Errors
    /// Shape mismatches.
    pub fn energy_gradient(
        net: &Network,
        x: &Matrix,
        t: &Matrix,
        states: &[Matrix],
        beta: Real,
    ) -> Result<Vec<Matrix>> {
        net.check_batch(x, t)?;
        check_states(net, x, states)?;
        let r = Self::rho_all(net, states);
        let mut d = Matrix::zeros(0, 0);
        let mut out = Vec::with_capacity(states.len());
        for k in 0..net.num_layers() {
            Self::drive_into(net, x, &r, k, &mut d);
            let act = net.layer_activation(k);
            let mut g = states[k].clone();
            for (gv, (&s, &dv)) in g.iter_mut().zip(states[k].iter().zip(d.iter())) {
                *gv = s - rho_prime(act, s) * dv;
            }
            if k + 1 == net.num_layers() {
                g += (&states[k] - t) * beta;
            }
            out.push(g);
        }
        Ok(out)
    }

    /// Relaxes to a fixed point of `F = E + βC` (`t` is only used when `beta != 0`), starting
    /// from `init` or the feed-forward pass. `trace` receives the energy after every step if
    /// given (for the energy-descent property).
    ///
    /// # Errors
    /// [`PlasticityError::NotConverged`] when the budget is exhausted (with the residual);
    /// [`PlasticityError::NonFinite`] naming the step if the state diverges.
    pub fn relax(
        &self,
        net: &Network,
        x: &Matrix,
        t: &Matrix,
        beta: Real,
        init: Option<&[Matrix]>,
        mut trace: Option<&mut Vec<Real>>,
    ) -> Result<EpState> {
        net.check_batch(x, t)?;
        let l_count = net.num_layers();
        let mut states: Vec<Matrix> = match init {
            Some(s) => {
                check_states(net, x, s)?;
                s.to_vec()
            }
            None => net.forward_cache(x)?.post.into_iter().skip(1).collect(),
        };
        if self.block && (0..l_count).all(|k| block_layer(net.layer_activation(k))) {
            return self.relax_block(net, x, t, beta, states, trace);
        }
        let mut r = Self::rho_all(net, &states);
        let mut d = Matrix::zeros(0, 0);
        let mut next = states.clone();
        let (step, tol) = (self.relaxation.step, self.relaxation.tol);
        let (iterations, residual) =
            self.relaxation.run("equilibrium propagation state", |_| {
                let mut residual: Real = 0.0;
                for k in 0..l_count {
                    Self::drive_into(net, x, &r, k, &mut d);
                    let act = net.layer_activation(k);
                    let is_box = boxed(act);
                    let out_layer = k + 1 == l_count && beta != 0.0;
                    for (i, (n, (&s, &dv))) in next[k]
                        .iter_mut()
                        .zip(states[k].iter().zip(d.iter()))
                        .enumerate()
                    {
                        let mut g = s - rho_prime(act, s) * dv;
                        if out_layer {
                            g += beta * (s - t[i]);
                        }
                        if is_box {
                            residual = residual.max((s - (s - g).clamp(0.0, 1.0)).abs());
                            *n = (s - step * g).clamp(0.0, 1.0);
                        } else {
                            residual = residual.max(g.abs());
                            *n = s - step * g;
                        }
                    }
                }
                // Converged (or diverged): keep the measured state.
                if residual <= tol || residual.is_nan() {
                    return Ok(residual);
                }
                std::mem::swap(&mut states, &mut next);
                for k in 0..l_count {
                    let act = net.layer_activation(k);
                    for (rv, &s) in r[k].iter_mut().zip(states[k].iter()) {
                        *rv = rho(act, s);
                    }
                }
                if let Some(tr) = trace.as_deref_mut() {
                    tr.push(Self::energy(net, x, t, &states, beta)?);
                }
                Ok(residual)
            })?;
        Ok(EpState {
            states,
            iterations,
            residual,
        })
    }

    fn relax_block(
        &self,
        net: &Network,
        x: &Matrix,
        t: &Matrix,
        beta: Real,
        mut states: Vec<Matrix>,
        mut trace: Option<&mut Vec<Real>>,
    ) -> Result<EpState> {
        if 1.0 + beta <= 0.0 {
            return Err(invalid(
                "beta",
                beta,
                "block-coordinate relaxation needs 1 + β > 0 (F must be convex in the output layer)",
            ));
        }
        let l_count = net.num_layers();
        for (k, s) in states.iter_mut().enumerate() {
            if boxed(net.layer_activation(k)) {
                s.apply(|v| *v = v.clamp(0.0, 1.0));
            }
        }
        let mut d = Matrix::zeros(0, 0);
        let (sweeps, residual) = self.relaxation.run("equilibrium propagation state", |_| {
            let mut residual: Real = 0.0;
            for k in 0..l_count {
                Self::drive_into(net, x, &states, k, &mut d);
                let out_layer = k + 1 == l_count;
                let is_box = boxed(net.layer_activation(k));
                for (i, (s, &dv)) in states[k].iter_mut().zip(d.iter()).enumerate() {
                    let target = if out_layer {
                        (dv + beta * t[i]) / (1.0 + beta)
                    } else {
                        dv
                    };
                    let target = if is_box {
                        target.clamp(0.0, 1.0)
                    } else {
                        target
                    };
                    residual = residual.max((*s - target).abs());
                    *s = target;
                }
            }
            if let Some(tr) = trace.as_deref_mut() {
                tr.push(Self::energy(net, x, t, &states, beta)?);
            }
            Ok(residual)
        })?;
        Ok(EpState {
            states,
            iterations: sweeps + 1,
            residual,
        })
    }

    /// Cost `J = mean over rows of ½‖s_L⁰ - t‖²` at the free fixed point.
    ///
    /// # Errors
    /// As [`EquilibriumPropagation::relax`].
    pub fn free_cost(&self, net: &Network, x: &Matrix, t: &Matrix) -> Result<Real> {
        let s0 = self.relax(net, x, t, 0.0, None, None)?;
        Ok(net.loss().batch_value(&s0.states[net.num_layers() - 1], t))
    }
}

impl CreditAssignment for EquilibriumPropagation {
    fn name(&self) -> &'static str {
        match (self.variant, self.random_sign.is_some()) {
            (EpVariant::OneSided, false) => "ep",
            (EpVariant::OneSided, true) => "ep-rs",
            (EpVariant::Symmetric, _) => "ep-sym",
        }
    }

    fn set_step(&mut self, step: u64) {
        self.step = step;
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
        let b = x.nrows() as Real;
        let flip = match (self.random_sign, self.variant) {
            (Some(seed), EpVariant::OneSided) => {
                ChaCha8Rng::seed_from_u64(neurograd_tensor::seed::mix(seed, self.step, 0))
                    .random::<bool>()
            }
            _ => false,
        };
        self.step = self.step.wrapping_add(1);
        let beta = if flip { -self.beta } else { self.beta };
        let free = self.relax(net, x, t, 0.0, None, None)?;
        let plus = self.relax(net, x, t, beta, Some(&free.states), None)?;
        out.prepare(net);
        let (steps, residual) = match self.variant {
            EpVariant::OneSided => {
                let sc = vec![1.0 / (beta * b); net.num_layers()];
                hebbian_into(net, x, &Self::rho_all(net, &plus.states), &sc, out, true);
                let sc = vec![-1.0 / (beta * b); net.num_layers()];
                hebbian_into(net, x, &Self::rho_all(net, &free.states), &sc, out, false);
                (
                    free.iterations + plus.iterations,
                    free.residual.max(plus.residual),
                )
            }
            EpVariant::Symmetric => {
                let minus = self.relax(net, x, t, -beta, Some(&free.states), None)?;
                let sc = vec![1.0 / (2.0 * beta * b); net.num_layers()];
                hebbian_into(net, x, &Self::rho_all(net, &plus.states), &sc, out, true);
                let sc = vec![-1.0 / (2.0 * beta * b); net.num_layers()];
                hebbian_into(net, x, &Self::rho_all(net, &minus.states), &sc, out, false);
                (
                    free.iterations + plus.iterations + minus.iterations,
                    free.residual.max(plus.residual).max(minus.residual),
                )
            }
        };
        let loss = net
            .loss()
            .batch_value(&free.states[net.num_layers() - 1], t);
        out.diagnostics = Diagnostics {
            loss,
            relaxation_steps: steps,
            residual,
        };
        Ok(())
    }

    fn predict(&mut self, net: &Network, x: &Matrix) -> Result<Matrix> {
        net.require_dense(self.name())?;
        let t = Matrix::zeros(x.nrows(), net.output_width());
        let free = self.relax(net, x, &t, 0.0, None, None)?;
        Ok(free.states[net.num_layers() - 1].clone())
    }
}
