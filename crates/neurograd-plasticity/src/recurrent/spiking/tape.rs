//! The spiking network on the autodiff tape: the reference gradient.
//!
//! [`tape_gradient`] records the forward pass of a [`SpikingNet`] on a
//! [`neurograd_tensor::Tape`] with the same equations as [`super::network`], the spike as the
//! tape's `spike` op (Heaviside forward, the network's pseudo-derivative backward), refractoriness
//! as a constant mask (so `z = 0` and `ψ = 0` there), and the loss of the batch (plus an optional
//! rate regulariser) on the tape; one reverse sweep gives the gradient. Options
//! ([`TapeSpikingOptions`]):
//!
//! - the reset follows the network's [`Reset`]: the reset term uses `z^{t−1}` (differentiated),
//!   `detach(z^{t−1})` (detached), or nothing (off);
//! - `stop_recurrent`: the spikes feeding the recurrent weights are detached (with a detached
//!   reset this is Bellec et al.'s "autodiff e-prop" trick, `stop_z_gradients`; the own-spike →
//!   adaptation path `z_local` keeps its gradient), which turns the tape gradient into symmetric
//!   e-prop;
//! - [`SpikeFunction::Smooth`]: `z = σ(k (v − A))` in both passes, a differentiable network whose
//!   tape gradient must equal finite differences (reference §4.4; no refractoriness allowed).
//!
//! Bellec's pseudo-derivative with different thresholds per neuron group is recorded as EP does
//! it: the spike of the scaled `x = (v − A)/v_th` with `γ max(0, 1 − abs(x))`, the chain rule
//! supplying `1/v_th`. Memory: the tape holds every node of every step (O(nT) matrices).

use neurograd_tensor::{Activation, Matrix, Real, Surrogate, Tape, Var};

use super::super::{
    ClassLoss, GradientReport, Param, RecurrentAlgorithm, RecurrentGrads, RecurrentNet,
    SequenceBatch, SequenceTarget, invalid, real_bytes,
};
use super::{RateRegularization, Reset, SpikingNet};
use crate::Result;

/// The spike nonlinearity recorded on the tape.
#[derive(Clone, Copy, Debug, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub enum SpikeFunction {
    /// Heaviside forward, the network's pseudo-derivative backward.
    #[default]
    Surrogate,
    /// The smooth spike `σ(k (v − A))` in both passes (requires `n_ref = 0`).
    Smooth {
        /// Steepness `k` > 0.
        slope: Real,
    },
}

/// Options of the tape forward pass (see the [module docs](self)).
#[derive(Clone, Copy, Debug, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct TapeSpikingOptions {
    /// The spike nonlinearity.
    pub spike: SpikeFunction,
    /// Detach the spikes that feed the recurrent weights (e-prop by autodiff).
    pub stop_recurrent: bool,
    /// Optional firing-rate regulariser added to the loss.
    pub rate_regularization: Option<RateRegularization>,
}

struct Recorded {
    tape: Tape,
    params: Vec<Var>,
    loss: Var,
    bytes: usize,
}

fn constant_rows(t: &mut Tape, b: usize, row: &[Real]) -> Var {
    t.constant(Matrix::from_fn(b, row.len(), |_, j| row[j]))
}

fn record(net: &SpikingNet, batch: &SequenceBatch, opt: &TapeSpikingOptions) -> Result<Recorded> {
    let s = net.sizes();
    batch.check_for(s)?;
    let c = &net.consts;
    if let SpikeFunction::Smooth { slope } = opt.spike {
        if !(slope.is_finite() && slope > 0.0) {
            return Err(invalid("slope", slope, "must be finite and > 0"));
        }
        if c.n_ref.iter().any(|&r| r > 0) {
            return Err(invalid(
                "n_ref",
                c.n_ref.iter().max().copied().unwrap_or(0),
                "the smooth spike needs n_ref = 0",
            ));
        }
    }
    if let Some(r) = &opt.rate_regularization {
        r.check()?;
    }
    let inputs = batch.inputs();
    let (b, n) = (batch.batch_size(), s.n_rec);
    let mut t = Tape::with_capacity(inputs.len() * 24 + 16);
    let params: Vec<Var> = net.params().iter().map(|m| t.leaf(m.clone())).collect();
    let (w_in, w_rec, bias, w_out, b_out) = (params[0], params[1], params[2], params[3], params[4]);
    let alpha = constant_rows(&mut t, b, &c.alpha);
    let rho = constant_rows(&mut t, b, &c.rho);
    let beta = constant_rows(&mut t, b, &c.beta);
    let v_th = constant_rows(&mut t, b, &c.v_th);
    let zeta = constant_rows(&mut t, b, &c.zeta);
    // one surrogate for all, or Bellec's triangle on the scaled x = (v − A)/v_th
    let first = c.surrogate[0];
    let (surrogate, scale) = if c.surrogate.iter().all(|&sg| sg == first) {
        (first, None)
    } else if let Surrogate::Triangle { gamma, .. } = first {
        let inv: Vec<Real> = c.v_th.iter().map(|v| 1.0 / v).collect();
        (
            Surrogate::Triangle { gamma, width: 1.0 },
            Some(constant_rows(&mut t, b, &inv)),
        )
    } else {
        return Err(invalid(
            "pseudo",
            first.name(),
            "neurons with different pseudo-derivatives need Bellec's triangle",
        ));
    };
    let reset = net.config().reset;
    let kappa = net.kappa();
    let mut v = t.constant(Matrix::zeros(b, n));
    let mut a = t.constant(Matrix::zeros(b, n));
    let mut z = t.constant(Matrix::zeros(b, n));
    let mut y = t.constant(Matrix::zeros(b, s.n_out));
    let mut refractory = vec![0u32; b * n];
    let mut ys = Vec::with_capacity(inputs.len());
    let mut spike_total: Option<Var> = None;
    let mut nodes_bn = 0usize;
    for x in inputs {
        let xv = t.constant(x.clone());
        let z_rec = if opt.stop_recurrent { t.detach(z)? } else { z };
        let i_in = t.matmul_t(xv, w_in)?;
        let i_rec = t.matmul_t(z_rec, w_rec)?;
        let i = t.add(i_in, i_rec)?;
        let i = t.add_row(i, bias)?;
        let zi = t.mul(zeta, i)?;
        let av = t.mul(alpha, v)?;
        let mut v_new = t.add(av, zi)?;
        nodes_bn += 7;
        if reset != Reset::Off {
            let z_reset = if reset == Reset::Detached {
                t.detach(z)?
            } else {
                z
            };
            let r = t.mul(v_th, z_reset)?;
            v_new = t.sub(v_new, r)?;
            nodes_bn += 3;
        }
        let ra = t.mul(rho, a)?;
        let a_new = t.add(ra, z)?; // z_local: the own spike → adaptation path keeps its gradient
        let ba = t.mul(beta, a_new)?;
        let thr = t.add(v_th, ba)?;
        let mut u = t.sub(v_new, thr)?;
        nodes_bn += 5;
        if let Some(sc) = scale {
            u = t.mul(u, sc)?;
            nodes_bn += 1;
        }
        let z_new = match opt.spike {
            SpikeFunction::Surrogate => {
                let h = t.spike(u, surrogate)?;
                let hv = t.value(h).clone();
                // refractoriness: z = 0 (and ψ = 0) for n_ref steps after a spike
                let mut mask = Matrix::zeros(b, n);
                for j in 0..n {
                    for smp in 0..b {
                        let k = j * b + smp;
                        let refr = refractory[k] > 0;
                        if refr {
                            refractory[k] -= 1;
                        }
                        mask[(smp, j)] = if refr { 0.0 } else { 1.0 };
                        if !refr && hv[(smp, j)] > 0.0 {
                            refractory[k] = c.n_ref[j];
                        }
                    }
                }
                let m = t.constant(mask);
                nodes_bn += 3;
                t.mul(h, m)?
            }
            SpikeFunction::Smooth { slope } => {
                let ku = t.scale(u, slope);
                nodes_bn += 2;
                t.activation(ku, Activation::Sigmoid)
            }
        };
        let yz = t.matmul_t(z_new, w_out)?;
        let ky = t.scale(y, kappa);
        let y_new = t.add(ky, yz)?;
        let y_new = t.add_row(y_new, b_out)?;
        if opt.rate_regularization.is_some() {
            let cnt = t.sum_rows(z_new);
            spike_total = Some(match spike_total {
                Some(acc) => t.add(acc, cnt)?,
                None => cnt,
            });
        }
        ys.push(y_new);
        (v, a, z, y) = (v_new, a_new, z_new, y_new);
    }
    let mut loss = batch_loss(&mut t, batch, &ys)?;
    if let (Some(r), Some(total)) = (&opt.rate_regularization, spike_total) {
        let hz = 1000.0 / net.config().dt_ms;
        let f = t.scale(total, hz / (inputs.len() * b) as Real);
        let d = t.add_scalar(f, -r.target_hz);
        let sq = t.square(d);
        let e = t.sum(sq);
        let e = t.scale(e, r.coef);
        loss = t.add(loss, e)?;
    }
    let bytes = real_bytes(nodes_bn * b * n * inputs.len() + 4 * b * s.n_out * inputs.len());
    Ok(Recorded {
        tape: t,
        params,
        loss,
        bytes,
    })
}

/// The batch loss of [`SequenceBatch::loss`] recorded on the tape.
fn batch_loss(t: &mut Tape, batch: &SequenceBatch, ys: &[Var]) -> Result<Var> {
    let bf = batch.batch_size() as Real;
    let mut total: Option<Var> = None;
    let mut add = |t: &mut Tape, v: Var| -> Result<()> {
        total = Some(match total {
            Some(acc) => t.add(acc, v)?,
            None => v,
        });
        Ok(())
    };
    match batch.target() {
        SequenceTarget::Regression {
            targets,
            step_weights,
        } => {
            for (k, (&yv, w)) in ys.iter().zip(step_weights).enumerate() {
                if *w == 0.0 {
                    continue;
                }
                let tv = t.constant(targets[k].clone());
                let d = t.sub(yv, tv)?;
                let sq = t.square(d);
                let e = t.sum(sq);
                let e = t.scale(e, 0.5 * w / bf);
                add(t, e)?;
            }
        }
        SequenceTarget::Classification {
            labels,
            window,
            loss,
        } => {
            let wlen = window.len() as Real;
            match loss {
                ClassLoss::MeanLogits => {
                    let mut acc = ys[window.start];
                    for &yv in &ys[window.start + 1..window.end] {
                        acc = t.add(acc, yv)?;
                    }
                    let mean = t.scale(acc, 1.0 / wlen);
                    let ce = t.softmax_cross_entropy(mean, labels)?;
                    add(t, ce)?;
                }
                ClassLoss::PerStep => {
                    for &yv in &ys[window.clone()] {
                        let ce = t.softmax_cross_entropy(yv, labels)?;
                        let ce = t.scale(ce, 1.0 / wlen);
                        add(t, ce)?;
                    }
                }
            }
        }
    }
    match total {
        Some(v) => Ok(v),
        None => Ok(t.constant(Matrix::zeros(1, 1))),
    }
}

/// The tape gradient of the batch loss at `net`'s parameters with `options` (see the
/// [module docs](self)); the diagonal of `W_rec` gets no gradient (no autapses).
///
/// # Errors
/// A batch that does not fit the network; invalid options (a smooth spike with refractoriness,
/// a bad slope or regulariser); non-finite values.
pub fn tape_gradient(
    net: &SpikingNet,
    batch: &SequenceBatch,
    options: &TapeSpikingOptions,
) -> Result<(RecurrentGrads, GradientReport)> {
    let r = record(net, batch, options)?;
    let loss = r.tape.item(r.loss)?;
    let g = r.tape.backward(r.loss)?;
    let mut grads = RecurrentGrads {
        grads: r.params.iter().map(|&p| g.wrt(p).clone()).collect(),
    };
    grads.get_mut(Param::WRec).fill_diagonal(0.0);
    grads.check_finite()?;
    Ok((grads, GradientReport::new(loss, r.bytes)))
}

/// The batch loss of the tape forward pass (for finite differences).
///
/// # Errors
/// As [`tape_gradient`].
pub fn tape_loss(
    net: &SpikingNet,
    batch: &SequenceBatch,
    options: &TapeSpikingOptions,
) -> Result<Real> {
    let r = record(net, batch, options)?;
    Ok(r.tape.item(r.loss)?)
}

/// Surrogate-gradient BPTT through the tape (registry name `"bptt-sg-tape"`): the reference the
/// hand-written [`SurrogateBptt`](super::SurrogateBptt) is tested against.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TapeSurrogateBptt {
    /// The tape options (default: surrogate spike, nothing stopped, no regulariser).
    pub options: TapeSpikingOptions,
}

impl TapeSurrogateBptt {
    /// With default options.
    pub fn new() -> Self {
        TapeSurrogateBptt::default()
    }
}

impl RecurrentAlgorithm<SpikingNet> for TapeSurrogateBptt {
    fn name(&self) -> &'static str {
        "bptt-sg-tape"
    }

    fn gradient(
        &mut self,
        net: &SpikingNet,
        batch: &SequenceBatch,
    ) -> Result<(RecurrentGrads, GradientReport)> {
        tape_gradient(net, batch, &self.options)
    }
}
