//! Surrogate-gradient BPTT, hand-written (Bellec et al. 2018, "Long short-term memory and
//! learning-to-learn in networks of spiking neurons", NeurIPS; Neftci, Mostafa & Zenke 2019,
//! IEEE Signal Process. Mag. 36(6):51-63; Zenke & Vogels 2021).
//!
//! Backpropagation through time of the [`SpikingNet`](super::SpikingNet) with the spike's
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

use super::super::{
    GradientReport, Param, RecurrentAlgorithm, RecurrentGrads, RecurrentNet, SequenceBatch,
    real_bytes,
};
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
    let fw = net.spikes_and_readouts(inputs)?;
    let mut errs = Vec::new();
    let mut loss = batch.loss_and_errors(&fw.y, &mut errs)?;
    let (t_len, b, n) = (inputs.len(), batch.batch_size(), sizes.n_rec);
    let reg_term = match reg {
        Some(r) => {
            let (e, d) = r.loss_and_direct_term(net, &fw.z)?;
            loss += e;
            Some(d)
        }
        None => None,
    };
    let c = &net.consts;
    let reset = net.config().reset.gradient_factor();
    let kappa = net.kappa();
    let w_out = net.param(Param::WOut);
    let w_rec = net.param(Param::WRec);
    let mut grads = RecurrentGrads::zeros(sizes);
    let mut ybar = Matrix::zeros(b, sizes.n_out);
    let mut vbar_next = Matrix::zeros(b, n);
    let mut abar_next = Matrix::zeros(b, n);
    let mut u_next = Matrix::zeros(b, n); // ζ ⊙ v̄^{t+1}
    let mut sig = Matrix::zeros(b, n);
    let mut vbar = Matrix::zeros(b, n);
    let mut abar = Matrix::zeros(b, n);
    let mut u = Matrix::zeros(b, n);
    let zero = Matrix::zeros(b, n);
    let mut signal = keep_signal.then(|| Vec::with_capacity(t_len));
    for t in (0..t_len).rev() {
        ybar *= kappa;
        ybar += &errs[t];
        sig.gemm(1.0, &ybar, w_out, 0.0);
        sig.gemm(1.0, &u_next, w_rec, 1.0);
        for j in 0..n {
            let (alpha, rho, beta, vth) = (c.alpha[j], c.rho[j], c.beta[j], c.v_th[j]);
            let zeta = c.zeta[j];
            let direct = reg_term.as_ref().map_or(0.0, |d| d[j]);
            for s in 0..b {
                let k = j * b + s;
                let l = sig.as_slice()[k] - reset * vth * vbar_next.as_slice()[k] + direct;
                sig.as_mut_slice()[k] = l;
                let zbar = l + abar_next.as_slice()[k];
                let psi = fw.psi[t].as_slice()[k];
                let vb = psi * zbar + alpha * vbar_next.as_slice()[k];
                vbar.as_mut_slice()[k] = vb;
                abar.as_mut_slice()[k] = -beta * psi * zbar + rho * abar_next.as_slice()[k];
                u.as_mut_slice()[k] = zeta * vb;
            }
        }
        if let Some(sv) = signal.as_mut() {
            sv.push(sig.clone());
        }
        let z_prev = if t == 0 { &zero } else { &fw.z[t - 1] };
        grads.grads[Param::WIn as usize].gemm_tr(1.0, &u, &inputs[t], 1.0);
        grads.grads[Param::WRec as usize].gemm_tr(1.0, &u, z_prev, 1.0);
        add_column_sums(&mut grads.grads[Param::B as usize], &u);
        grads.grads[Param::WOut as usize].gemm_tr(1.0, &ybar, &fw.z[t], 1.0);
        add_column_sums(&mut grads.grads[Param::BOut as usize], &ybar);
        std::mem::swap(&mut vbar, &mut vbar_next);
        std::mem::swap(&mut abar, &mut abar_next);
        std::mem::swap(&mut u, &mut u_next);
    }
    grads.grads[Param::WRec as usize].fill_diagonal(0.0);
    if let Some(sv) = signal.as_mut() {
        sv.reverse();
    }
    // stored z, ψ plus the eight B × n backward buffers
    let bytes = fw.stored_state_bytes() + real_bytes(8 * b * n);
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

/// `row += 1ᵀ m` (column sums of `m` added to the `1 × n` row).
pub(crate) fn add_column_sums(row: &mut Matrix, m: &Matrix) {
    for (j, col) in m.column_iter().enumerate() {
        row[(0, j)] += col.sum();
    }
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
