//! Backpropagation through time (Werbos 1990, Proc. IEEE 78:1550), hand-written, and truncated
//! BPTT(h; h') (Williams & Peng 1990, Neural Comput. 2:490) for the rate RNN
//! ([`RateRnn`]).
//!
//! With `d^t = λ (1 − tanh²(a^t))` (`B × n`), the readout errors `e^t = ∂L/∂y^t`
//! ([`SequenceBatch::loss_and_errors`]) and the total derivative `δ^t = dL/dh^t`:
//!
//! ```text
//! δ^T     = e^T W_out
//! δ^{t−1} = e^{t−1} W_out + (1 − λ) δ^t + g^t W_rec,      g^t = d^t ⊙ δ^t   (= ∂L/∂a^t)
//! ∂L/∂W_rec = Σ_t g^tᵀ h^{t−1},  ∂L/∂W_in = Σ_t g^tᵀ x^t,  ∂L/∂b = Σ_t 1ᵀ g^t
//! ∂L/∂W_out = Σ_t e^tᵀ h^t,      ∂L/∂b_out = Σ_t 1ᵀ e^t
//! ```
//!
//! **Cost.** Time O(T B n (n + n_in + n_out)), the order of the forward pass. Memory: the stored
//! `h^{t−1}` and `d^t` (2 T B n numbers) plus O(B n) backward buffers; the O(n²) accumulators
//! are the gradient itself. Per-step outer products are never stored.
//!
//! **Truncated BPTT(h; h')**: every `h'` steps (and at the end of the sequence), the errors of the
//! last `h'` steps are backpropagated through the last `h` steps only (`h ≥ h'`); the state
//! entering that window is treated as a constant. `h' = 1` is Williams & Peng's BPTT(h)
//! (each step's error backpropagated `h` steps), `h' = h` the epochwise-chunked variant. The
//! weights are held fixed over the sequence and the truncated contributions are summed: the
//! batch gradient of the truncated objective. Memory O(B n h) (a ring of the last `h` steps),
//! time O(T B n² h / h'). With `h ≥ T` every error is backpropagated to step 1, so the result
//! equals BPTT (for `h' < T` up to the summation order: by linearity of backpropagation).
//! [`Bptt`] is the case `h = h' = ∞`.

use neurograd_tensor::Matrix;

use super::{
    GradientReport, Param, RateRnn, RecurrentAlgorithm, RecurrentGrads, RecurrentNet,
    SequenceBatch, invalid, real_bytes,
};
use crate::Result;

/// Hand-written BPTT for the rate RNN (see the module docs); the exact gradient.
#[derive(Clone, Debug, Default)]
pub struct Bptt {
    _private: (),
}

impl Bptt {
    /// Full BPTT.
    pub fn new() -> Self {
        Bptt { _private: () }
    }
}

impl RecurrentAlgorithm<RateRnn> for Bptt {
    fn name(&self) -> &'static str {
        "bptt"
    }

    fn gradient(
        &mut self,
        net: &RateRnn,
        batch: &SequenceBatch,
    ) -> Result<(RecurrentGrads, GradientReport)> {
        run(net, batch, usize::MAX, usize::MAX, None)
    }
}

/// Truncated BPTT(h; h') (Williams & Peng 1990; see the module docs).
#[derive(Clone, Debug)]
pub struct TruncatedBptt {
    h: usize,
    stride: usize,
}

impl TruncatedBptt {
    /// Truncation depth `h ≥ 1` and stride `h' ∈ [1, h]`.
    ///
    /// # Errors
    /// [`PlasticityError::InvalidParameter`](crate::PlasticityError::InvalidParameter) for
    /// `h = 0`, `h' = 0` or `h' > h`.
    pub fn new(h: usize, stride: usize) -> Result<Self> {
        if h == 0 {
            return Err(invalid("h", h, "truncation depth must be >= 1"));
        }
        if stride == 0 || stride > h {
            return Err(invalid(
                "stride",
                stride,
                format!("must be in [1, h = {h}]"),
            ));
        }
        Ok(TruncatedBptt { h, stride })
    }

    /// Truncation depth `h`.
    pub fn depth(&self) -> usize {
        self.h
    }

    /// Stride `h'`.
    pub fn stride(&self) -> usize {
        self.stride
    }
}

impl RecurrentAlgorithm<RateRnn> for TruncatedBptt {
    fn name(&self) -> &'static str {
        "tbptt"
    }

    fn gradient(
        &mut self,
        net: &RateRnn,
        batch: &SequenceBatch,
    ) -> Result<(RecurrentGrads, GradientReport)> {
        run(net, batch, self.h, self.stride, None)
    }
}

/// The total learning signals `δ^t = dL/dh^t` (`T` matrices of `B × n`; all future paths through
/// the network, BPTT's backward variable) and the loss. Paired with the direct eligibility
/// `∂h_i^t/∂W_ij|_{h^{t−1} fixed}` this reproduces BPTT exactly (Bellec et al. 2020, eq. 1; used
/// by [`super::rtrl::LearningSignal::Total`]).
///
/// # Errors
/// As [`Bptt`]'s gradient.
pub fn total_learning_signals(net: &RateRnn, batch: &SequenceBatch) -> Result<Vec<Matrix>> {
    let mut deltas = vec![Matrix::zeros(0, 0); batch.steps()];
    run(net, batch, usize::MAX, usize::MAX, Some(&mut deltas))?;
    Ok(deltas)
}

/// One stored step of the ring: `h^{s−1}` and `d^s`.
struct Slot {
    h_prev: Matrix,
    d: Matrix,
}

/// BPTT(h; h') with `h, h' = usize::MAX` meaning full BPTT; optionally records `δ^t`.
fn run(
    net: &RateRnn,
    batch: &SequenceBatch,
    h: usize,
    stride: usize,
    mut record: Option<&mut Vec<Matrix>>,
) -> Result<(RecurrentGrads, GradientReport)> {
    let s = net.sizes();
    batch.check_for(s)?;
    let t_len = batch.steps();
    let b = batch.batch_size();
    let n = s.n_rec;
    let lam = net.leak();
    let cap = h.min(t_len);
    let wt = net.transposes();
    let xs = batch.inputs();

    // Errors: from a readout-only pre-pass when blocks end before the sequence does (the loss
    // may read future steps, e.g. time-averaged logits); otherwise after the single pass.
    let mut errors = Vec::new();
    let mut loss = None;
    if stride < t_len {
        let ys = net.readouts(xs)?;
        loss = Some(batch.loss_and_errors(&ys, &mut errors)?);
    }
    let mut readouts = Vec::new();

    let mut ring: Vec<Slot> = Vec::with_capacity(cap);
    let mut h_prev = Matrix::zeros(b, n);
    let mut h_cur = Matrix::zeros(b, n);
    let mut a = Matrix::zeros(b, n);
    let mut bufs = Backward::new(b, n);
    let mut g = RecurrentGrads::zeros(s);
    let peak = real_bytes(2 * cap * b * n + 6 * b * n);

    for step in 1..=t_len {
        net.step_into(&wt, &h_prev, &xs[step - 1], &mut a, &mut h_cur);
        if ring.len() < cap {
            ring.push(Slot {
                h_prev: Matrix::zeros(b, n),
                d: Matrix::zeros(b, n),
            });
        }
        let slot = &mut ring[(step - 1) % cap];
        slot.h_prev.copy_from(&h_prev);
        slot.d.zip_apply(&a, |dv, av| {
            let th = av.tanh();
            *dv = lam * (1.0 - th * th);
        });
        if loss.is_none() {
            let mut y = Matrix::zeros(b, s.n_out);
            net.readout_into(&wt, &h_cur, &mut y);
            readouts.push(y);
        }
        if step % stride == 0 || step == t_len {
            if loss.is_none() {
                loss = Some(batch.loss_and_errors(&readouts, &mut errors)?);
            }
            let first_injected = step + 1 - stride.min(step);
            let lower = step + 1 - cap.min(step);
            bufs.block(
                net,
                xs,
                &errors,
                &ring,
                &h_cur,
                (lower, first_injected, step),
                &mut g,
                record.as_deref_mut(),
            );
        }
        std::mem::swap(&mut h_prev, &mut h_cur);
    }
    g.check_finite()?;
    Ok((g, GradientReport::new(loss.unwrap_or(0.0), peak)))
}

/// Backward buffers (`δ`, `g`, `δ^{t−1}`), reused over blocks.
struct Backward {
    delta: Matrix,
    gate: Matrix,
    prev: Matrix,
}

impl Backward {
    fn new(b: usize, n: usize) -> Self {
        Backward {
            delta: Matrix::zeros(b, n),
            gate: Matrix::zeros(b, n),
            prev: Matrix::zeros(b, n),
        }
    }

    /// Backpropagates the errors of steps `first..=end` through steps `lower..=end` (1-based),
    /// accumulating into `g`. `h_end` is `h^{end}`; the ring holds steps `lower..=end`.
    fn block(
        &mut self,
        net: &RateRnn,
        xs: &[Matrix],
        errors: &[Matrix],
        ring: &[Slot],
        h_end: &Matrix,
        (lower, first, end): (usize, usize, usize),
        g: &mut RecurrentGrads,
        mut record: Option<&mut Vec<Matrix>>,
    ) {
        let cap = ring.len();
        let lam = net.leak();
        let w_out = net.param(Param::WOut);
        let w_rec = net.param(Param::WRec);
        self.delta.fill(0.0);
        for st in (lower..=end).rev() {
            let slot = &ring[(st - 1) % cap];
            if st >= first {
                let e = &errors[st - 1];
                // h^{st}: the current state at the block end, else the next slot's h_prev
                let h_st = if st == end {
                    h_end
                } else {
                    &ring[st % cap].h_prev
                };
                g.get_mut(Param::WOut).gemm_tr(1.0, e, h_st, 1.0);
                add_col_sums(g.get_mut(Param::BOut), e);
                self.delta.gemm(1.0, e, w_out, 1.0);
            }
            if let Some(r) = record.as_deref_mut() {
                r[st - 1].clone_from(&self.delta);
            }
            self.gate.zip_zip_apply(&slot.d, &self.delta, |gv, dv, de| {
                *gv = dv * de;
            });
            g.get_mut(Param::WRec)
                .gemm_tr(1.0, &self.gate, &slot.h_prev, 1.0);
            g.get_mut(Param::WIn)
                .gemm_tr(1.0, &self.gate, &xs[st - 1], 1.0);
            add_col_sums(g.get_mut(Param::B), &self.gate);
            if st > lower {
                self.prev.gemm(1.0, &self.gate, w_rec, 0.0);
                self.prev
                    .zip_apply(&self.delta, |pv, de| *pv += (1.0 - lam) * de);
                std::mem::swap(&mut self.prev, &mut self.delta);
            }
        }
    }
}

/// `row += 1ᵀ m` (column sums of `m` into a `1 × cols` row).
pub(crate) fn add_col_sums(row: &mut Matrix, m: &Matrix) {
    for (j, col) in m.column_iter().enumerate() {
        row[(0, j)] += col.sum();
    }
}
