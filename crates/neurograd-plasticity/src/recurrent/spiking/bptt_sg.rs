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
//! Cost: time O(n² T) per sample, memory O(n T) for the stored `ψ^t` (dense) and `z^t` (as
//! lists of the spiking neurons) plus O(n) backward buffers (no per-step outer products are
//! stored). Layout: every `B × n` quantity is held sample-major (`n × B`, see `rows`), the
//! learning signal is one product `[W_outᵀ | W_recᵀ] [ȳ^t; ζ ⊙ v̄^{t+1}]` per step, and the
//! weight gradients add the columns `ζ ⊙ v̄^t` of the samples whose input, previous spike or
//! spike is nonzero (the dense outer products without their zero terms; the nonzero inputs are
//! listed once in the forward pass; dense inputs go through a GEMM).

use neurograd_tensor::{Matrix, Real};

use crate::credit::linalg::gemm_nn;

use super::super::{
    GradientReport, Param, RecurrentAlgorithm, RecurrentGrads, RecurrentNet, SequenceBatch,
    check_input_finite, real_bytes,
};
use super::rows::{add, axpy, vectorized};
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
    net.check_input_shapes(inputs)?;
    let (t_len, b, n, n_out) = (inputs.len(), batch.batch_size(), sizes.n_rec, sizes.n_out);
    let bn = b * n;
    // forward: store ψ^t (dense) and z^t (as spike lists); the readouts belong to the loss
    let mut st = net.row_state(b);
    // grown one step at a time (a zeroed `T·B·n` buffer up front would be one more pass over a
    // buffer far larger than the caches)
    let mut psi_all: Vec<Real> = Vec::with_capacity(t_len * bn);
    // the nonzero inputs of every step (for ∂E/∂W_in), or that the step was dense
    let mut in_nz: Vec<(u32, u32, Real)> = Vec::new();
    let mut in_start: Vec<usize> = Vec::with_capacity(t_len + 1);
    let mut in_dense: Vec<bool> = Vec::with_capacity(t_len);
    let mut spike_idx: Vec<u32> = Vec::new();
    let mut spike_start: Vec<usize> = Vec::with_capacity(t_len * b + 1);
    spike_start.push(0);
    let mut ys = Vec::with_capacity(t_len);
    let mut counts = reg.map(|_| Matrix::zeros(b, n));
    for (t, x) in inputs.iter().enumerate() {
        psi_all.resize((t + 1) * bn, 0.0);
        net.step_rows_psi_into(x, &mut st, &mut psi_all[t * bn..]);
        if !st.input_finite {
            check_input_finite(x, t)?;
        }
        in_start.push(in_nz.len());
        in_dense.push(!st.input_sparse);
        if st.input_sparse {
            in_nz.extend_from_slice(&st.input_nz);
        }
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
    in_start.push(in_nz.len());
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
    let adaptive = beta.iter().any(|&x| x != 0.0);
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
    // ζ ⊙ v̄^t is written straight into the rows n_out.. of `adj` (the next step's operand);
    // `u` holds a contiguous copy only for a step with dense inputs (its GEMM)
    let mut u = Matrix::zeros(n, b);
    let na = n_out + n;
    let mut signal = keep_signal.then(|| Vec::with_capacity(t_len));
    // the whole backward recursion runs compiled for the CPU's widest vectors (see
    // `rows::vectorized`; the GEMM dispatches on its own)
    vectorized(
        #[inline(always)]
        || {
            for t in (0..t_len).rev() {
                // ȳ^t = κ ȳ^{t+1} + e^t
                let err = &errs[t];
                for s in 0..b {
                    let yb = &mut ybar.as_mut_slice()[s * n_out..(s + 1) * n_out];
                    for (k, y) in yb.iter_mut().enumerate() {
                        *y = *y * kappa + err[(s, k)];
                    }
                    let col = &mut adj.as_mut_slice()[s * na..(s + 1) * na];
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
                    let ab = &mut abar.as_mut_slice()[r];
                    let uu = &mut adj.as_mut_slice()[s * na + n_out..(s + 1) * na];
                    if adaptive {
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
                    } else {
                        // β = 0 everywhere: ā stays 0 and z̄ = L (the same values, fewer operations)
                        for j in 0..n {
                            let l = sg[j] - reset * v_th[j] * vn[j] + direct[j];
                            sg[j] = l;
                            let v = psi[j] * l + alpha[j] * vn[j];
                            vb[j] = v;
                            uu[j] = zeta[j] * v;
                        }
                    }
                }
                if let Some(sv) = signal.as_mut() {
                    sv.push(sig.transpose());
                }
                // ∂E/∂W_in += (ζ ⊙ v̄^t) x^tᵀ: the columns of the nonzero inputs
                if !in_dense[t] {
                    for &(s, i, x) in &in_nz[in_start[t]..in_start[t + 1]] {
                        let (s, i) = (s as usize, i as usize);
                        axpy(
                            &mut g_in.as_mut_slice()[i * n..(i + 1) * n],
                            x,
                            &adj.as_slice()[s * na + n_out..(s + 1) * na],
                        );
                    }
                } else {
                    for s in 0..b {
                        u.as_mut_slice()[s * n..(s + 1) * n]
                            .copy_from_slice(&adj.as_slice()[s * na + n_out..(s + 1) * na]);
                    }
                    gemm_nn(&mut g_in, 1.0, &u, &inputs[t], 1.0);
                }
                for s in 0..b {
                    let us = &adj.as_slice()[s * na + n_out..(s + 1) * na];
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
        },
    );
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
        + in_nz.len() * std::mem::size_of::<(u32, u32, Real)>()
        + in_start.len() * std::mem::size_of::<usize>()
        + in_dense.len()
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

#[cfg(test)]
mod tests {
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::super::{Reset, SpikingNetConfig, TapeSpikingOptions, tape_gradient};
    use super::*;
    use crate::recurrent::SequenceTarget;

    /// Dense real-valued inputs take the GEMM path of the forward step and of `∂E/∂W_in`; the
    /// gradient still equals the tape's (both reset conventions, with the rate regulariser).
    #[test]
    fn dense_inputs_equal_the_tape() {
        let mut r = ChaCha8Rng::seed_from_u64(8);
        let t_len = 120;
        let xs: Vec<Matrix> = (0..t_len)
            .map(|_| Matrix::from_fn(3, 3, |_, _| r.random::<f64>() * 0.6 - 0.1))
            .collect();
        let ys: Vec<Matrix> = (0..t_len)
            .map(|_| Matrix::from_fn(3, 1, |_, _| r.random::<f64>() - 0.5))
            .collect();
        let data = SequenceBatch::new(xs, SequenceTarget::regression(ys)).unwrap();
        for reset in [Reset::Differentiated, Reset::Detached] {
            let cfg = SpikingNetConfig::bellec_verification().with_reset(reset);
            let net = SpikingNet::new(&cfg, 2).unwrap();
            let reg = RateRegularization {
                target_hz: 10.0,
                coef: 1e-4,
            };
            let hand = surrogate_bptt(&net, &data, Some(&reg), false).unwrap();
            let opt = TapeSpikingOptions {
                rate_regularization: Some(reg),
                ..Default::default()
            };
            let (tape, _) = tape_gradient(&net, &data, &opt).unwrap();
            let spikes: Real = net
                .rollout(data.inputs())
                .unwrap()
                .hidden
                .iter()
                .map(|z| z.sum())
                .sum();
            assert!(spikes > 50.0, "{spikes} spikes");
            let e = hand.grads.relative_error(&tape).unwrap();
            assert!(e <= 1e-12, "{reset:?}: {e:e}");
        }
    }

    /// The forward scan flags non-finite inputs (the algorithms then return the error of
    /// `check_input_finite`; `SequenceBatch::new` already rejects such batches, so this is the
    /// second line), sparse and dense, and lists exactly the nonzeros.
    #[test]
    fn input_scan_flags_non_finite_values_and_lists_nonzeros() {
        let mut nz = Vec::new();
        for dense in [false, true] {
            let base = if dense { 0.5 } else { 0.0 };
            let mut x = Matrix::from_element(5, 7, base);
            x[(3, 6)] = 2.0;
            x[(0, 1)] = -0.0;
            let (sparse, finite) = super::super::rows::nonzeros(&x, &mut nz);
            assert!(finite);
            assert_eq!(sparse, !dense);
            if !dense {
                assert_eq!(nz, vec![(3, 6, 2.0)]);
            }
            for bad in [Real::NAN, Real::INFINITY, Real::NEG_INFINITY] {
                x[(4, 2)] = bad;
                let (_, finite) = super::super::rows::nonzeros(&x, &mut nz);
                assert!(!finite, "{bad}");
            }
            x[(4, 2)] = Real::MAX;
            assert!(super::super::rows::nonzeros(&x, &mut nz).1);
        }
    }
}
