//! Backpropagation (Rumelhart, Hinton & Williams 1986): the reference every other algorithm is
//! measured against, plus the shared feed-forward/feedback core that feedback alignment, direct
//! feedback alignment and sign symmetry reuse with a different feedback path.
//!
//! With `e = ∂ℓ/∂y ⊙ f_L'(a_L)` for squared error, or `e = softmax(y) - t` (times `f_L'`) for
//! softmax cross-entropy, averaged over the batch of `B` rows:
//!
//! ```text
//! δ_L = e / B,   δ_l = (δ_{l+1} W_{l+1}) ⊙ f_l'(a_l),   ∂L/∂W_l = δ_lᵀ h_{l-1},   ∂L/∂b_l = 1ᵀ δ_l
//! ```
//!
//! [`Backprop`] is the fast hand-written version (buffers reused, no allocation per step after the
//! first); [`tape_gradients`] computes the same gradient through the autodiff tape of
//! `neurograd-tensor` and is the reference the hand-written version is tested against.

use neurograd_tensor::{Matrix, Real, Tape, Var};

use super::conv_layers::LayerKind;
use super::linalg::{col_sums_into, ensure_shape, gemm_nn, gemm_tn};
use super::network::{ForwardCache, Loss, Network};
use super::{CreditAssignment, Diagnostics, Updates};
use crate::{PlasticityError, Result};

/// Which matrix carries the error signal from layer `l + 1` down to layer `l`.
pub(crate) enum FeedbackPath<'a> {
    /// The transpose of the forward weights (backprop: weight transport).
    Transport,
    /// One fixed matrix per layer, with the shape of `W_l` (FA: `δ_l = (δ_{l+1} B_{l+1}) ⊙ f'`;
    /// for a convolutional layer the transposed convolution with the kernel `B_{l+1}`).
    /// Index `l` holds the matrix used in place of `W_l` (index 0 is unused).
    Layerwise(&'a [Matrix]),
    /// Direct feedback: the teaching signal at `h_l` is `δ_L D_l` with `D_l` of shape
    /// `(n_L, n_l)` (index `l - 1` for hidden layer `l`), then the local derivatives (pooling,
    /// `f'`) as in backprop.
    Direct(&'a [Matrix]),
    /// No feedback: every layer below the output gets a zero update (the readout-only control).
    Detached,
}

/// Reusable buffers of the feed-forward algorithms.
#[derive(Clone, Debug, Default)]
pub(crate) struct Workspace {
    pub(crate) cache: ForwardCache,
    pub(crate) delta: Vec<Matrix>,
    pub(crate) dloss: Matrix,
    /// The teaching signal at the output of a convolutional layer (before pooling backward).
    pub(crate) signal: Matrix,
}

/// Forward pass, output delta and backward pass with the given feedback path, writing
/// gradient-like updates into `out`. Returns the batch loss. `x`, `t` must be validated.
///
/// Per layer `l` (from the top): the update from `δ_l` and `h_{l-1}` (dense: `δ_lᵀ h_{l-1}`;
/// convolution: the im2col product), then the teaching signal `g` at `h_{l-1}` through the
/// feedback path (dense: `δ_l K`; convolution: the transposed convolution with the kernel `K`),
/// then `δ_{l-1} = f'(a_{l-1}) ⊙ Pᵀ(g)` (pooling only in convolutional layers).
///
/// # Errors
/// Only from the convolution kernels (shapes are invariants of the network).
pub(crate) fn feedforward_updates(
    net: &Network,
    x: &Matrix,
    t: &Matrix,
    ws: &mut Workspace,
    feedback: FeedbackPath<'_>,
    out: &mut Updates,
) -> Result<Real> {
    let l_count = net.num_layers();
    let batch = x.nrows();
    // h_0 = x is read from `x` directly (`cache.post[0]` is not filled: no input copy).
    net.forward_hidden_into(x, &mut ws.cache)?;
    let y = &ws.cache.post[l_count];
    let loss = net.loss().value_and_grad_into(y, t, &mut ws.dloss);
    ws.delta.resize_with(l_count, || Matrix::zeros(0, 0));
    // Output delta e = ∂ℓ/∂a_L / B, as (g · f'(a)) · (1/B) elementwise (the readout is dense).
    {
        let d = &mut ws.delta[l_count - 1];
        ensure_shape(d, batch, net.output_width());
        d.copy_from(&ws.dloss);
        let act = net.layer_activation(l_count - 1);
        act.mul_derivative_slice(ws.cache.pre[l_count - 1].as_slice(), d.as_mut_slice());
        let inv_b = 1.0 / batch as Real;
        for dv in d.as_mut_slice() {
            *dv *= inv_b;
        }
    }
    out.prepare(net);
    for l in (0..l_count).rev() {
        // Gradient of layer l (0-based) from its delta and presynaptic activity.
        {
            let (gw, gb) = out.layer_mut(l);
            match net.layer_kind(l) {
                LayerKind::Dense => {
                    let input = if l == 0 { x } else { &ws.cache.post[l] };
                    gemm_tn(gw, 1.0, &ws.delta[l], input, 0.0);
                    col_sums_into(gb, 1.0, &ws.delta[l]);
                }
                LayerKind::Conv(c) => c.weight_grads(&ws.cache.conv[l], &ws.delta[l], gw, gb)?,
            }
        }
        if l == 0 {
            break;
        }
        let (lower, upper) = ws.delta.split_at_mut(l);
        let below_kind = net.layer_kind(l - 1);
        // The teaching signal at h_{l-1}: into δ_{l-1} directly for a dense layer (then f' in
        // place), into `ws.signal` for a convolutional one (then pooling backward and f').
        let target = match below_kind {
            LayerKind::Dense => &mut lower[l - 1],
            LayerKind::Conv(_) => &mut ws.signal,
        };
        match &feedback {
            FeedbackPath::Direct(d) => {
                ensure_shape(target, batch, net.widths()[l]);
                gemm_nn(target, 1.0, &upper[upper.len() - 1], &d[l - 1], 0.0);
            }
            FeedbackPath::Detached => {
                // A zero signal: every update below the readout is exactly zero.
                ensure_shape(target, batch, net.widths()[l]);
                target.fill(0.0);
            }
            FeedbackPath::Transport | FeedbackPath::Layerwise(_) => {
                let kernel = match &feedback {
                    FeedbackPath::Layerwise(b) => &b[l],
                    _ => net.layer_weight(l),
                };
                match net.layer_kind(l) {
                    LayerKind::Dense => {
                        ensure_shape(target, batch, net.widths()[l]);
                        gemm_nn(target, 1.0, &upper[0], kernel, 0.0);
                    }
                    LayerKind::Conv(c) => *target = c.input_signal(&upper[0], kernel)?,
                }
            }
        }
        let f = net.layer_activation(l - 1);
        match below_kind {
            LayerKind::Dense => {
                let below = &mut lower[l - 1];
                f.mul_derivative_slice(ws.cache.pre[l - 1].as_slice(), below.as_mut_slice());
            }
            LayerKind::Conv(c) => c.local_backward(
                f,
                &ws.cache.pre[l - 1],
                &ws.cache.conv[l - 1],
                &ws.signal,
                &mut lower[l - 1],
            )?,
        }
    }
    Ok(loss)
}

/// Backpropagation with hand-written, buffer-reusing forward and backward passes.
#[derive(Clone, Debug, Default)]
pub struct Backprop {
    ws: Workspace,
}

impl Backprop {
    /// A new backprop instance (buffers are sized on first use).
    pub fn new() -> Self {
        Self::default()
    }
}

impl CreditAssignment for Backprop {
    fn name(&self) -> &'static str {
        "bp"
    }

    fn supports_conv(&self) -> bool {
        true
    }

    fn updates_into(
        &mut self,
        net: &Network,
        x: &Matrix,
        t: &Matrix,
        out: &mut Updates,
    ) -> Result<()> {
        net.check_batch(x, t)?;
        let loss = feedforward_updates(net, x, t, &mut self.ws, FeedbackPath::Transport, out)?;
        out.diagnostics = Diagnostics::feedforward(loss);
        Ok(())
    }
}

/// The backprop gradient computed through the reverse-mode autodiff [`Tape`] of
/// `neurograd-tensor` (the reference): returns the batch loss and `[∂L/∂W_1, ∂L/∂b_1, ...]`.
///
/// The squared error is built as `(n_L / 2) · mse` (the tape's mse is the mean over all
/// elements); the cross-entropy uses the tape's softmax cross-entropy on the argmax labels, so
/// its targets must be one-hot.
///
/// # Errors
/// Bad shapes or values; non-one-hot targets with the cross-entropy loss; a network with
/// convolutional layers ([`PlasticityError::InvalidParameter`] named `network`).
pub fn tape_gradients(net: &Network, x: &Matrix, t: &Matrix) -> Result<(Real, Vec<Matrix>)> {
    net.check_batch(x, t)?;
    net.require_dense("bp-tape")?;
    let mut tape = Tape::new();
    let params: Vec<Var> = net.params().iter().map(|p| tape.leaf(p.clone())).collect();
    let mut h = tape.constant(x.clone());
    for l in 0..net.num_layers() {
        let a = tape.matmul_t(h, params[2 * l])?;
        let a = tape.add_row(a, params[2 * l + 1])?;
        h = tape.activation(a, net.layer_activation(l));
    }
    let loss = match net.loss() {
        Loss::HalfSquaredError => {
            let target = tape.constant(t.clone());
            let m = tape.mse(h, target)?;
            tape.scale(m, net.output_width() as Real / 2.0)
        }
        Loss::SoftmaxCrossEntropy => {
            let mut labels = Vec::with_capacity(t.nrows());
            for i in 0..t.nrows() {
                let row = t.row(i);
                let ones = row.iter().filter(|&&v| v == 1.0).count();
                let zeros = row.iter().filter(|&&v| v == 0.0).count();
                if ones != 1 || ones + zeros != row.len() {
                    return Err(PlasticityError::InvalidParameter {
                        name: "targets",
                        value: format!("row {i}"),
                        reason: "the tape's cross-entropy needs one-hot targets".into(),
                    });
                }
                labels.push(row.iter().position(|&v| v == 1.0).unwrap_or(0));
            }
            tape.softmax_cross_entropy(h, &labels)?
        }
    };
    let value = tape.item(loss)?;
    let grads = tape.backward(loss)?;
    Ok((
        value,
        params.iter().map(|&p| grads.wrt(p).clone()).collect(),
    ))
}

/// Backprop through the autodiff tape (slower; the reference implementation).
#[derive(Clone, Copy, Debug, Default)]
pub struct TapeBackprop;

impl CreditAssignment for TapeBackprop {
    fn name(&self) -> &'static str {
        "bp-tape"
    }

    fn updates_into(
        &mut self,
        net: &Network,
        x: &Matrix,
        t: &Matrix,
        out: &mut Updates,
    ) -> Result<()> {
        let (loss, grads) = tape_gradients(net, x, t)?;
        out.grads = grads;
        out.diagnostics = Diagnostics::feedforward(loss);
        Ok(())
    }
}
