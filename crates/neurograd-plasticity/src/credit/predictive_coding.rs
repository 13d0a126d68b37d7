//! Predictive coding networks trained by local prediction errors (Whittington & Bogacz 2017,
//! Neural Comput. 29:1229), with the fixed-prediction assumption (Millidge, Tschantz & Buckley
//! 2022, Neural Comput. 34:1329) and zero-divergence inference learning, Z-IL (Song,
//! Lukasiewicz, Xu & Bogacz 2020, NeurIPS).
//!
//! Value nodes are the network's pre-activations: `x_0 = X` (clamped), `x_l` for `l = 1..L`,
//! with `f_0 = identity` and `f_l` the layer's activation. Predictions, errors and energy:
//!
//! ```text
//! μ_l = f_{l-1}(x_{l-1}) W_lᵀ + b_l,   ε_l = x_l - μ_l,   F = Σ_l ½ π_l ‖ε_l‖²
//! ```
//!
//! With all errors zero the value nodes are the feed-forward pre-activations `a_l`, so the output
//! is `h_L = x_L` (PC here requires an identity output and the half squared error). Training
//! clamps `x_L = t` and runs inference on the hidden nodes (step `γ`):
//!
//! ```text
//! Δx_l = -γ ∂F/∂x_l = γ ( -π_l ε_l + π_{l+1} f_l'(x_l) ⊙ (ε_{l+1} W_{l+1}) )
//! ΔW_l = -(1/π_L) π_l ε_lᵀ f_{l-1}(x_{l-1}) / B,   Δb_l = -(1/π_L) π_l 1ᵀ ε_l / B
//! ```
//!
//! (updates with the sign of a loss gradient, divided by the output precision `π_L` so that they
//! have the gradient's scale). Hidden precisions are 1. Variants ([`PcVariant`]):
//!
//! - **Standard** (Whittington & Bogacz 2017): as above, to equilibrium. With output precision
//!   `π_L → 0` the update converges to backprop at first order in `π_L`; at `π_L = 1` it is not
//!   backprop, and shrinking the output error does not make it so.
//! - **FixedPrediction** (Millidge et al.): `μ_l` and `f_l'` held at their feed-forward values
//!   during inference; the equilibrium errors are exactly backprop's deltas.
//! - **ZeroDivergence** (Z-IL, Song et al. 2020): start from the feed-forward pass, inference rate
//!   `γ = 1`, and update layer `l` only at inference step `t = L - l`; exactly backprop.
//!
//! Relaxation (standard, fixed prediction): Euler steps of rate `γ` (default 0.2) from the
//! feed-forward values; residual `max |∂F/∂x_l| / π_L` over hidden nodes; converged when
//! `<= tol` (default `1e-8`); budget `max_iters` (default 5000) steps, otherwise
//! [`PlasticityError::NotConverged`]. Z-IL runs exactly `L` steps.

use neurograd_tensor::{Activation, Matrix, Real};

use super::linalg::{add_row, axpy, col_sums_into, ensure_shape, gemm_nn, gemm_nt, gemm_tn};
use super::network::Network;
use super::relax::{Relaxation, require_squared_error};
use super::{CreditAssignment, Diagnostics, Updates};
use crate::{PlasticityError, Result};

/// Which predictive-coding regime.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum PcVariant {
    /// Whittington & Bogacz (2017): joint inference on errors and predictions.
    Standard,
    /// Fixed-prediction assumption (Millidge, Tschantz & Buckley 2022).
    FixedPrediction,
    /// Zero-divergence inference learning (Song et al. 2020).
    ZeroDivergence,
}

/// The top-down term of `∂F/∂x_l` (0-based hidden layer `l`): `back = π_{l+1} ε_{l+1} W_{l+1}`.
fn top_down_into(
    net: &Network,
    x: &Matrix,
    eps: &[Matrix],
    l: usize,
    pi_next: Real,
    back: &mut Matrix,
) {
    ensure_shape(back, x.nrows(), net.widths()[l + 1]);
    gemm_nn(back, pi_next, &eps[l + 1], net.layer_weight(l + 1), 0.0);
}

/// Predictive coding.
#[derive(Clone, Debug, PartialEq)]
pub struct PredictiveCoding {
    variant: PcVariant,
    output_precision: Real,
    relaxation: Relaxation,
}

fn invalid(name: &'static str, value: impl std::fmt::Display, reason: &str) -> PlasticityError {
    PlasticityError::InvalidParameter {
        name,
        value: value.to_string(),
        reason: reason.into(),
    }
}

impl PredictiveCoding {
    /// The inference settings of [`PredictiveCoding::new`] for the standard and
    /// fixed-prediction variants: rate `γ = 0.2`, tolerance `1e-8`, budget 5000 steps (Z-IL
    /// takes rate 1 and runs exactly `L` steps).
    pub const DEFAULT_INFERENCE: Relaxation = Relaxation {
        step: 0.2,
        tol: 1e-8,
        max_iters: 5000,
    };

    /// Predictive coding of the given variant, output precision 1 and
    /// [`PredictiveCoding::DEFAULT_INFERENCE`] (with rate 1 for Z-IL).
    pub fn new(variant: PcVariant) -> Self {
        let step = if variant == PcVariant::ZeroDivergence {
            1.0
        } else {
            Self::DEFAULT_INFERENCE.step
        };
        PredictiveCoding {
            variant,
            output_precision: 1.0,
            relaxation: Relaxation {
                step,
                ..Self::DEFAULT_INFERENCE
            },
        }
    }

    /// Sets the output precision `π_L > 0`.
    ///
    /// # Errors
    /// [`PlasticityError::InvalidParameter`] unless positive and finite.
    pub fn with_output_precision(mut self, pi: Real) -> Result<Self> {
        if !(pi.is_finite() && pi > 0.0) {
            return Err(invalid(
                "output_precision",
                pi,
                "must be positive and finite",
            ));
        }
        self.output_precision = pi;
        Ok(self)
    }

    /// Sets the inference rate `γ ∈ (0, 1]` (the [`Relaxation::step`]), tolerance and budget.
    ///
    /// # Errors
    /// [`PlasticityError::InvalidParameter`] for values out of range ([`Relaxation::check`]).
    pub fn with_inference(mut self, inference: Relaxation) -> Result<Self> {
        inference.check()?;
        self.relaxation = inference;
        Ok(self)
    }

    /// The inference settings.
    pub fn inference(&self) -> Relaxation {
        self.relaxation
    }

    /// The variant.
    pub fn variant(&self) -> PcVariant {
        self.variant
    }

    /// The output precision `π_L`.
    pub fn output_precision(&self) -> Real {
        self.output_precision
    }

    fn check(net: &Network) -> Result<()> {
        require_squared_error(net, "predictive coding")?;
        let out = net.layer_activation(net.num_layers() - 1);
        if out != Activation::Identity {
            return Err(invalid(
                "output activation",
                out.name(),
                "predictive coding needs an identity output layer",
            ));
        }
        Ok(())
    }

    /// Errors `ε_l = x_l - μ_l` (index `l - 1`) for value nodes `xs` (index `l - 1`).
    fn errors(net: &Network, x: &Matrix, xs: &[Matrix], eps: &mut [Matrix], mu: &mut Matrix) {
        for l in 0..net.num_layers() {
            let below_act;
            let below = if l == 0 {
                x
            } else {
                below_act = net.layer_activation(l - 1).map(&xs[l - 1]);
                &below_act
            };
            ensure_shape(mu, x.nrows(), net.widths()[l + 1]);
            gemm_nt(mu, 1.0, below, net.layer_weight(l), 0.0);
            add_row(mu, net.layer_bias(l));
            ensure_shape(&mut eps[l], x.nrows(), net.widths()[l + 1]);
            eps[l].copy_from(&xs[l]);
            eps[l] -= &*mu;
        }
    }

    /// Writes the layer-`l` update from error `e` and presynaptic value nodes.
    fn layer_update(
        &self,
        net: &Network,
        x: &Matrix,
        pre_values: Option<&Matrix>,
        l: usize,
        e: &Matrix,
        pi_l: Real,
        out: &mut Updates,
    ) {
        let b = x.nrows() as Real;
        let s = -pi_l / (self.output_precision * b);
        let pre_act;
        let pre = match pre_values {
            None => x,
            Some(v) => {
                pre_act = net.layer_activation(l - 1).map(v);
                &pre_act
            }
        };
        let (gw, gb) = out.layer_mut(l);
        gemm_tn(gw, s, e, pre, 0.0);
        col_sums_into(gb, s, e);
    }

    /// Value nodes at the start of inference: the feed-forward pre-activations `a_l` with the
    /// output clamped to `t`; and the batch loss of the feed-forward output.
    fn value_nodes(net: &Network, x: &Matrix, t: &Matrix) -> Result<(Real, Vec<Matrix>)> {
        let l_count = net.num_layers();
        let ff = net.forward_cache(x)?;
        let loss = net.loss().batch_value(&ff.post[l_count], t);
        let mut xs = ff.pre;
        xs[l_count - 1].copy_from(t);
        Ok((loss, xs))
    }

    /// Precision `π_l` of layer `l` (0-based): `π_L` at the output, 1 elsewhere.
    fn precision(&self, l: usize, l_count: usize) -> Real {
        if l + 1 == l_count {
            self.output_precision
        } else {
            1.0
        }
    }

    fn standard(
        &self,
        net: &Network,
        x: &Matrix,
        t: &Matrix,
        out: &mut Updates,
    ) -> Result<Diagnostics> {
        let l_count = net.num_layers();
        let (loss, mut xs) = Self::value_nodes(net, x, t)?;
        let mut eps = vec![Matrix::zeros(0, 0); l_count];
        let mut mu = Matrix::zeros(0, 0);
        let mut back = Matrix::zeros(0, 0);
        let pi = |l: usize| self.precision(l, l_count);
        let rel = self.relaxation;
        let (iterations, residual) = rel.run("predictive coding value nodes", |_| {
            Self::errors(net, x, &xs, &mut eps, &mut mu);
            let mut residual: Real = 0.0;
            // Gradient of F w.r.t. hidden value nodes, then the step.
            let mut grads = Vec::with_capacity(l_count.saturating_sub(1));
            for l in 0..l_count - 1 {
                top_down_into(net, x, &eps, l, pi(l + 1), &mut back);
                let act = net.layer_activation(l);
                let mut g = eps[l].clone() * pi(l);
                for (gv, (&xv, &bv)) in g.iter_mut().zip(xs[l].iter().zip(back.iter())) {
                    *gv -= act.derivative(xv) * bv;
                }
                residual = residual.max(g.amax() / self.output_precision);
                grads.push(g);
            }
            if residual > rel.tol {
                for (l, g) in grads.iter().enumerate() {
                    axpy(&mut xs[l], -rel.step, g);
                }
            }
            Ok(residual)
        })?;
        out.prepare(net);
        for l in 0..l_count {
            let pre = if l == 0 { None } else { Some(&xs[l - 1]) };
            self.layer_update(net, x, pre, l, &eps[l], pi(l), out);
        }
        Ok(Diagnostics {
            loss,
            relaxation_steps: iterations,
            residual,
        })
    }

    fn fixed_prediction(
        &self,
        net: &Network,
        x: &Matrix,
        t: &Matrix,
        out: &mut Updates,
    ) -> Result<Diagnostics> {
        let l_count = net.num_layers();
        let ff = net.forward_cache(x)?;
        let loss = net.loss().batch_value(&ff.post[l_count], t);
        // Errors are the state: ε_l = x_l - μ_l with μ_l fixed at a_l; output error clamped.
        let mut eps: Vec<Matrix> = ff
            .pre
            .iter()
            .map(|a| Matrix::zeros(a.nrows(), a.ncols()))
            .collect();
        eps[l_count - 1] = (t - &ff.pre[l_count - 1]) * self.output_precision;
        let fprime: Vec<Matrix> = (0..l_count)
            .map(|l| net.layer_activation(l).derivative_map(&ff.pre[l]))
            .collect();
        let mut back = Matrix::zeros(0, 0);
        let rel = self.relaxation;
        let (iterations, residual) = rel.run("predictive coding errors", |_| {
            let mut residual: Real = 0.0;
            let mut grads = Vec::with_capacity(l_count.saturating_sub(1));
            for l in 0..l_count - 1 {
                top_down_into(net, x, &eps, l, 1.0, &mut back);
                let mut g = eps[l].clone();
                g -= back.component_mul(&fprime[l]);
                residual = residual.max(g.amax() / self.output_precision);
                grads.push(g);
            }
            if residual > rel.tol {
                for (l, g) in grads.iter().enumerate() {
                    axpy(&mut eps[l], -rel.step, g);
                }
            }
            Ok(residual)
        })?;
        out.prepare(net);
        for l in 0..l_count {
            let pre = if l == 0 { None } else { Some(&ff.pre[l - 1]) };
            // Hidden precisions are 1; the output error already carries π_L.
            self.layer_update(net, x, pre, l, &eps[l], 1.0, out);
        }
        Ok(Diagnostics {
            loss,
            relaxation_steps: iterations,
            residual,
        })
    }

    fn zero_divergence(
        &self,
        net: &Network,
        x: &Matrix,
        t: &Matrix,
        out: &mut Updates,
    ) -> Result<Diagnostics> {
        let l_count = net.num_layers();
        let (loss, mut xs) = Self::value_nodes(net, x, t)?;
        let mut eps = vec![Matrix::zeros(0, 0); l_count];
        let mut mu = Matrix::zeros(0, 0);
        let mut back = Matrix::zeros(0, 0);
        let pi = |l: usize| self.precision(l, l_count);
        out.prepare(net);
        for step in 0..l_count {
            Self::errors(net, x, &xs, &mut eps, &mut mu);
            // Layer l = L - step (1-based) is updated at inference step `step`.
            let l = l_count - 1 - step;
            let pre = if l == 0 {
                None
            } else {
                Some(xs[l - 1].clone())
            };
            self.layer_update(net, x, pre.as_ref(), l, &eps[l], pi(l), out);
            let mut new_xs = xs.clone();
            for h in 0..l_count - 1 {
                top_down_into(net, x, &eps, h, pi(h + 1), &mut back);
                let act = net.layer_activation(h);
                for ((nv, &xv), (&ev, &bv)) in new_xs[h]
                    .iter_mut()
                    .zip(xs[h].iter())
                    .zip(eps[h].iter().zip(back.iter()))
                {
                    *nv = xv + self.relaxation.step * (-pi(h) * ev + act.derivative(xv) * bv);
                }
            }
            xs = new_xs;
        }
        Ok(Diagnostics {
            loss,
            relaxation_steps: l_count,
            residual: 0.0,
        })
    }
}

impl CreditAssignment for PredictiveCoding {
    fn name(&self) -> &'static str {
        match self.variant {
            PcVariant::Standard => "pc",
            PcVariant::FixedPrediction => "pc-fpa",
            PcVariant::ZeroDivergence => "pc-zil",
        }
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
        out.diagnostics = match self.variant {
            PcVariant::Standard => self.standard(net, x, t, out)?,
            PcVariant::FixedPrediction => self.fixed_prediction(net, x, t, out)?,
            PcVariant::ZeroDivergence => self.zero_divergence(net, x, t, out)?,
        };
        Ok(())
    }
}
