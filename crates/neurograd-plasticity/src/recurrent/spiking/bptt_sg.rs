//! Surrogate-gradient BPTT, hand-written (Bellec et al. 2018, "Long short-term memory and
//! learning-to-learn in networks of spiking neurons", NeurIPS; Neftci, Mostafa & Zenke 2019,
//! IEEE Signal Process. Mag. 36(6):51-63; Zenke & Vogels 2021).
//!
//! Backpropagation through time of the [`SpikingNet`] with the spike's
//! derivative replaced by the pseudo-derivative `ψ^t` (0 while refractory). With the readout
//! errors `e^t = ∂E/∂y^t` of the loss, an optional rate regulariser's direct term
//! `r^t = ∂E_reg/∂z^t`, `c = 1` if the reset is differentiated (else 0), and all adjoints zero
//! after the last step, for `t = T..1` (per sample; `⊙` elementwise, per-neuron constants as
//! vectors):
//!
//! ```text
//! ȳ^t   = e^t + κ ȳ^{t+1}                                         (leaky readout)
//! L^t   = W_outᵀ ȳ^t + W_recᵀ (ζ ⊙ v̄^{t+1}) − c v_th ⊙ v̄^{t+1} + r^t   (total learning signal dE/dz^t)
//! z̄^t   = L^t + ā^{t+1}                                           (own spike → adaptation a^{t+1})
//! v̄^t   = ψ^t ⊙ z̄^t + α ⊙ v̄^{t+1}
//! ā^t   = −β ⊙ ψ^t ⊙ z̄^t + ρ ⊙ ā^{t+1}
//! ∂E/∂W_in = Σ_t (ζ ⊙ v̄^t) x^tᵀ,  ∂E/∂W_rec = Σ_t (ζ ⊙ v̄^t) z^{t−1}ᵀ (diagonal 0),  ∂E/∂b = Σ_t ζ ⊙ v̄^t
//! ∂E/∂W_out = Σ_t ȳ^t z^tᵀ,  ∂E/∂b_out = Σ_t ȳ^t
//! ```
//!
//! `L^t` is the **total** learning signal of e-prop's exact factorisation (Bellec et al. 2020,
//! eq. 1): the derivative of `E` with respect to the spike `z^t` that the network sees (readout,
//! recurrence, reset), with the neuron's own spike → adaptation path kept inside the neuron (it is
//! part of the eligibility vector `ε^a`). [`total_learning_signal`] returns it, so
//! `Σ_t L_j^t e_ji^t = ∂E/∂W_ji` can be checked (reference §2.5, test 3).
//!
//! Cost: time O(n² T) per sample, memory O(n T) for the stored `z^t`, `ψ^t` plus O(n) backward
//! buffers (no per-step outer products are stored).

use neurograd_tensor::Matrix;

use crate::credit::linalg::gemm_nn;

use super::super::{
    GradientReport, Param, RecurrentAlgorithm, RecurrentGrads, RecurrentNet, SequenceBatch,
    real_bytes,
};
use super::rows::{add, axpy, nonzeros};
use super::{RateRegularization, SpikingNet};
use crate::Result;

/// Surrogate-gradient BPTT for [`SpikingNet`], hand-written (registry name `"bptt-sg"`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SurrogateBptt {
    /// Optional firing-rate regulariser added to the loss.
    pub rate_regularization: Option<RateRegularization>,
}

impl SurrogateBptt {
    /// Without rate regularisation.
    pub fn new() -> Self {
        SurrogateBptt::default()
    }

    /// With a firing-rate regulariser.
    pub fn with_rate_regularization(mut self, reg: RateRegularization) -> Self {
        self.rate_regularization = Some(reg);
        self
    }
}

/// What a surrogate BPTT pass returns.
#[derive(Clone, Debug, PartialEq)]
pub struct BpttResult {
    /// The gradient.
    pub grads: RecurrentGrads,
    /// Loss (task loss plus the regulariser, if any) and memory.
    pub report: GradientReport,
    /// The total learning signal `L^t = dE/dz^t` (`T` matrices `B × n`), if asked for.
    pub learning_signal: Option<Vec<Matrix>>,
}

/// Runs surrogate BPTT (see the [module docs](self)); `keep_signal` keeps `L^t`.
///
/// # Errors
/// A batch that does not fit the network, non-finite values.
pub fn surrogate_bptt(
    net: &SpikingNet,
    batch: &SequenceBatch,
    reg: Option<&RateRegularization>,
    keep_signal: bool,
) -> Result<BpttResult> {
    let sizes = net.sizes();
    batch.check_for(sizes)?;
    let inputs = batch.inputs();
    net.check_inputs(inputs)?;
    let (t_len, b, n, n_out) = (inputs.len(), batch.batch_size(), sizes.n_rec, sizes.n_out);
    let bn = b * n;
    // forward: store ψ^t (dense) and z^t (as spike lists); the readouts belong to the loss
    let mut st = net.row_state(b);
    let mut psi_all = vec![0.0; t_len * bn];
    let mut spike_idx: Vec<u32> = Vec::new();
    let mut spike_start: Vec<usize> = Vec::with_capacity(t_len * b + 1);
    spike_start.push(0);
    let mut ys = Vec::with_capacity(t_len);
    let mut counts = reg.map(|_| Matrix::zeros(b, n));
    for (t, x) in inputs.iter().enumerate() {
        net.step_rows(x, &mut st);
        psi_all[t * bn..(t + 1) * bn].copy_from_slice(st.psi.as_slice());
        for s in 0..b {
            let sp = st.spikes.of(s);
            spike_idx.extend_from_slice(sp);
            spike_start.push(spike_idx.len());
            if let Some(c) = counts.as_mut() {
                for &k in sp {
                    c[(s, k as usize)] += 1.0;
                }
            }
        }
        ys.push(st.y.transpose());
    }
    let spikes_of = |t: usize, s: usize| -> &[u32] {
        &spike_idx[spike_start[t * b + s]..spike_start[t * b + s + 1]]
    };
    let mut errs = Vec::new();
    let mut loss = batch.loss_and_errors(&ys, &mut errs)?;
    let reg_term = match (reg, &counts) {
        (Some(r), Some(c)) => {
            let (e, d) = r.from_counts(net, c, t_len)?;
            loss += e;
            Some(d)
        }
        _ => None,
    };
    let zeros = vec![0.0; n];
    let direct = &reg_term.as_deref().unwrap_or(&zeros)[..n];
    let c = &net.consts;
    let (alpha, rho, beta) = (&c.alpha[..n], &c.rho[..n], &c.beta[..n]);
    let (v_th, zeta) = (&c.v_th[..n], &c.zeta[..n]);
    let reset = net.config().reset.gradient_factor();
    let kappa = net.kappa();
    let w_out = net.param(Param::WOut);
    let w_rec = net.param(Param::WRec);
    // [W_outᵀ | W_recᵀ] (n × (n_out + n)): the learning signal is one product with [ȳ; ζ ⊙ v̄]
    let mut w_cat_t = Matrix::zeros(n, n_out + n);
    w_cat_t.columns_mut(0, n_out).tr_copy_from(w_out);
    w_cat_t.columns_mut(n_out, n).tr_copy_from(w_rec);
    let mut g_in = Matrix::zeros(n, sizes.n_in);
    let mut g_rec = Matrix::zeros(n, n);
    let mut g_b = Matrix::zeros(1, n);
    let mut g_out = Matrix::zeros(n_out, n);
    let mut g_bout = Matrix::zeros(1, n_out);
    // sample-major backward buffers (n × B, column s = sample s)
    let mut ybar = Matrix::zeros(n_out, b);
    let mut adj = Matrix::zeros(n_out + n, b); // [ȳ^t; ζ ⊙ v̄^{t+1}]
    let mut sig = Matrix::zeros(n, b);
    let mut vbar_next = Matrix::zeros(n, b);
    let mut abar_next = Matrix::zeros(n, b);
    let mut vbar = Matrix::zeros(n, b);
    let mut abar = Matrix::zeros(n, b);
    let mut u = Matrix::zeros(n, b); // ζ ⊙ v̄^t
    let mut signal = keep_signal.then(|| Vec::with_capacity(t_len));
    let mut input_nz = Vec::new();
    for t in (0..t_len).rev() {
        // ȳ^t = κ ȳ^{t+1} + e^t
        let err = &errs[t];
        for s in 0..b {
            let yb = &mut ybar.as_mut_slice()[s * n_out..(s + 1) * n_out];
            for (k, y) in yb.iter_mut().enumerate() {
                *y = *y * kappa + err[(s, k)];
            }
            let col = &mut adj.as_mut_slice()[s * (n_out + n)..(s + 1) * (n_out + n)];
            col[..n_out].copy_from_slice(yb);
        }
        // W_outᵀ ȳ^t + W_recᵀ (ζ ⊙ v̄^{t+1})
        gemm_nn(&mut sig, 1.0, &w_cat_t, &adj, 0.0);
        let psi_t = &psi_all[t * bn..(t + 1) * bn];
        for s in 0..b {
            let r = s * n..(s + 1) * n;
            let sg = &mut sig.as_mut_slice()[r.clone()];
            let psi = &psi_t[r.clone()];
            let vn = &vbar_next.as_slice()[r.clone()];
            let an = &abar_next.as_slice()[r.clone()];
            let vb = &mut vbar.as_mut_slice()[r.clone()];
            let ab = &mut abar.as_mut_slice()[r.clone()];
            let uu = &mut u.as_mut_slice()[r];
            for j in 0..n {
                let l = sg[j] - reset * v_th[j] * vn[j] + direct[j];
                sg[j] = l;
                let zbar = l + an[j];
                let p = psi[j];
                let v = p * zbar + alpha[j] * vn[j];
                vb[j] = v;
                ab[j] = -beta[j] * p * zbar + rho[j] * an[j];
                uu[j] = zeta[j] * v;
            }
            adj.as_mut_slice()[s * (n_out + n) + n_out..(s + 1) * (n_out + n)]
                .copy_from_slice(&u.as_slice()[s * n..(s + 1) * n]);
        }
        if let Some(sv) = signal.as_mut() {
            sv.push(sig.transpose());
        }
        // ∂E/∂W_in += (ζ ⊙ v̄^t) x^tᵀ: the columns of the nonzero inputs
        if nonzeros(&inputs[t], &mut input_nz) {
            for &(s, i, x) in &input_nz {
                let (s, i) = (s as usize, i as usize);
                axpy(
                    &mut g_in.as_mut_slice()[i * n..(i + 1) * n],
                    x,
                    &u.as_slice()[s * n..(s + 1) * n],
                );
            }
        } else {
            gemm_nn(&mut g_in, 1.0, &u, &inputs[t], 1.0);
        }
        for s in 0..b {
            let us = &u.as_slice()[s * n..(s + 1) * n];
            // ∂E/∂W_rec += (ζ ⊙ v̄^t) z^{t−1}ᵀ (spikes of step t − 1)
            if t > 0 {
                for &k in spikes_of(t - 1, s) {
                    let k = k as usize;
                    add(&mut g_rec.as_mut_slice()[k * n..(k + 1) * n], us);
                }
            }
            add(g_b.as_mut_slice(), us);
            // ∂E/∂W_out += ȳ^t z^tᵀ, ∂E/∂b_out += ȳ^t
            let yb = &ybar.as_slice()[s * n_out..(s + 1) * n_out];
            for &k in spikes_of(t, s) {
                let k = k as usize;
                add(&mut g_out.as_mut_slice()[k * n_out..(k + 1) * n_out], yb);
            }
            add(g_bout.as_mut_slice(), yb);
        }
        std::mem::swap(&mut vbar, &mut vbar_next);
        std::mem::swap(&mut abar, &mut abar_next);
    }
    g_rec.fill_diagonal(0.0);
    let grads = RecurrentGrads {
        grads: vec![g_in, g_rec, g_b, g_out, g_bout],
    };
    if let Some(sv) = signal.as_mut() {
        sv.reverse();
    }
    // stored ψ (dense) and spikes (index lists), the network state of the forward pass, and the
    // backward buffers (ȳ, [ȳ; u], the signal, v̄, ā twice, u)
    let stored = real_bytes(psi_all.len())
        + spike_idx.len() * std::mem::size_of::<u32>()
        + spike_start.len() * std::mem::size_of::<usize>();
    let buffers = real_bytes(ybar.len() + adj.len() + 6 * bn);
    let bytes = stored + st.bytes(sizes.n_in) + buffers;
    grads.check_finite()?;
    Ok(BpttResult {
        grads,
        report: GradientReport::new(loss, bytes),
        learning_signal: signal,
    })
}

/// The total learning signal `L^t = dE/dz^t` of Bellec et al. (2020), eq. (1), by BPTT (`T`
/// matrices `B × n`; see the [module docs](self)), with the network's reset convention.
///
/// # Errors
/// As [`surrogate_bptt`].
pub fn total_learning_signal(net: &SpikingNet, batch: &SequenceBatch) -> Result<Vec<Matrix>> {
    let r = surrogate_bptt(net, batch, None, true)?;
    Ok(r.learning_signal.unwrap_or_default())
}

impl RecurrentAlgorithm<SpikingNet> for SurrogateBptt {
    fn name(&self) -> &'static str {
        "bptt-sg"
    }

    fn gradient(
        &mut self,
        net: &SpikingNet,
        batch: &SequenceBatch,
    ) -> Result<(RecurrentGrads, GradientReport)> {
        let r = surrogate_bptt(net, batch, self.rate_regularization.as_ref(), false)?;
        Ok((r.grads, r.report))
    }
}
