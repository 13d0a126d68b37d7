//! Real-time recurrent learning (Williams & Zipser 1989, Neural Comput. 1:270–280) for the rate
//! RNN: exact forward-mode sensitivities, online, independent of the sequence length.
//!
//! For each sample, `P^t = ∂h^t/∂θ` (`n × p`, `θ = (W_in, W_rec, b)` flattened column-major,
//! `p = n·n_in + n² + n`) follows
//!
//! ```text
//! P^t = (1 − λ) P^{t−1} + diag(λ tanh'(a^t)) (W_rec P^{t−1} + E^t),   P^0 = 0
//! E^t_{k,(W_rec)_ij} = δ_ki h_j^{t−1},  E^t_{k,(W_in)_ij} = δ_ki x_j^t,  E^t_{k,b_i} = δ_ki
//! ∂L/∂θ = Σ_t L^t P^t,          L^t = e^t W_out   (the readout error through W_out)
//! ```
//!
//! and the readout gradients `Σ_t e^tᵀ h^t`, `Σ_t 1ᵀ e^t` as in BPTT. **Cost**: memory
//! `B·n·p = O(B n³)` numbers for `P` (plus one buffer of the same size), time O(B n⁴) per step,
//! both independent of `T`. A network whose `P` would exceed [`Rtrl::max_elements`] is refused
//! with a typed error before anything is allocated.
//!
//! **Variants for the identities of Bellec et al. 2020 (reference §2.1, §2.4)**:
//! - [`Trace::Diagonal`] drops the `W_rec P^{t−1}` term (every path through another unit's
//!   output), keeping each unit's own leak: the eligibility trace
//!   `e_ij^t = (1 − λ) e_ij^{t−1} + λ tanh'(a_i^t) pre_j^t` of e-prop and RFLO (for `λ = 1`:
//!   `tanh'(a_i^t) h_j^{t−1}`).
//! - [`LearningSignal`]: the partial signal `e^t W_out` (RTRL's own; e-prop's symmetric feedback),
//!   a fixed feedback matrix `e^t Bᵀ` (random e-prop, RFLO), or BPTT's total `δ^t = dL/dh^t`.
//!   Exact trace × partial signal = BPTT; for `λ = 1`, diagonal trace × total signal = BPTT
//!   (eq. 1 of Bellec et al. 2020); diagonal trace × partial signal is e-prop, which differs.

use neurograd_tensor::Matrix;

use super::bptt::{add_col_sums, total_learning_signals};
use super::{
    GradientReport, Param, RateRnn, RecurrentAlgorithm, RecurrentGrads, RecurrentNet,
    SequenceBatch, invalid, real_bytes,
};
use crate::Result;

/// Which sensitivity recursion to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Trace {
    /// Exact RTRL: `P^t = (1 − λ) P^{t−1} + diag(λ tanh'(a^t)) (W_rec P^{t−1} + E^t)`.
    #[default]
    Exact,
    /// Without the `W_rec P^{t−1}` term: the e-prop/RFLO eligibility trace.
    Diagonal,
}

/// What multiplies the sensitivities at each step.
#[derive(Clone, Debug, PartialEq, Default)]
pub enum LearningSignal {
    /// `L^t = e^t W_out`: the direct dependence of the loss on `h^t` through the readout.
    #[default]
    Partial,
    /// `L^t = e^t Bᵀ` with a fixed feedback matrix `B` (`n × n_out`).
    Feedback(Matrix),
    /// `L^t = δ^t = dL/dh^t`, BPTT's total derivative
    /// ([`total_learning_signals`]); only with
    /// [`Trace::Diagonal`] (the exact trace would count the recurrent paths twice).
    Total,
}

/// RTRL and its diagonal (eligibility-trace) variants; see the module docs.
#[derive(Clone, Debug)]
pub struct Rtrl {
    trace: Trace,
    signal: LearningSignal,
    max_elements: usize,
}

impl Default for Rtrl {
    fn default() -> Self {
        Rtrl::new()
    }
}

impl Rtrl {
    /// Default limit on `B·n·p`, the numbers of the sensitivity tensor: 2²⁴ (128 MiB of f64;
    /// e.g. `n = 64`, `n_in = 16`, `B = 48`).
    pub const DEFAULT_MAX_ELEMENTS: usize = 1 << 24;

    /// Exact RTRL with the partial signal: the exact gradient.
    pub fn new() -> Self {
        Rtrl {
            trace: Trace::Exact,
            signal: LearningSignal::Partial,
            max_elements: Self::DEFAULT_MAX_ELEMENTS,
        }
    }

    /// A variant (see the module docs).
    ///
    /// # Errors
    /// [`PlasticityError::InvalidParameter`](crate::PlasticityError::InvalidParameter) for
    /// [`Trace::Exact`] with [`LearningSignal::Total`].
    pub fn variant(trace: Trace, signal: LearningSignal) -> Result<Self> {
        if trace == Trace::Exact && signal == LearningSignal::Total {
            return Err(invalid(
                "signal",
                "total",
                "the total learning signal pairs with the diagonal trace only (Bellec et al. 2020, eq. 1)",
            ));
        }
        Ok(Rtrl {
            trace,
            signal,
            max_elements: Self::DEFAULT_MAX_ELEMENTS,
        })
    }

    /// With a limit on the sensitivity tensor's number of elements `B·n·p`.
    pub fn with_max_elements(mut self, max_elements: usize) -> Self {
        self.max_elements = max_elements;
        self
    }

    /// The limit on `B·n·p`.
    pub fn max_elements(&self) -> usize {
        self.max_elements
    }
}

impl RecurrentAlgorithm<RateRnn> for Rtrl {
    fn name(&self) -> &'static str {
        "rtrl"
    }

    fn gradient(
        &mut self,
        net: &RateRnn,
        batch: &SequenceBatch,
    ) -> Result<(RecurrentGrads, GradientReport)> {
        let s = net.sizes();
        batch.check_for(s)?;
        let (n, n_in) = (s.n_rec, s.n_in);
        let b = batch.batch_size();
        let p = n
            .checked_mul(n_in)
            .and_then(|x| x.checked_add(n.checked_mul(n)?))
            .and_then(|x| x.checked_add(n));
        let total = p.and_then(|p| p.checked_mul(n)?.checked_mul(b));
        let (p, total) = match (p, total) {
            (Some(p), Some(t)) if t <= self.max_elements => (p, t),
            _ => {
                return Err(invalid(
                    "n_rec",
                    n,
                    format!(
                        "RTRL needs B·n·(n·n_in + n² + n) sensitivities (B = {b}, n_in = {n_in}): more than the limit of {} elements",
                        self.max_elements
                    ),
                ));
            }
        };
        if let LearningSignal::Feedback(fb) = &self.signal
            && fb.shape() != (n, s.n_out)
        {
            return Err(crate::PlasticityError::ShapeMismatch {
                op: "Rtrl feedback matrix",
                expected: (n, s.n_out),
                got: fb.shape(),
            });
        }
        let xs = batch.inputs();
        let ys = net.readouts(xs)?;
        let mut errors = Vec::new();
        let loss = batch.loss_and_errors(&ys, &mut errors)?;
        let deltas = match self.signal {
            LearningSignal::Total => total_learning_signals(net, batch)?,
            _ => Vec::new(),
        };
        // the matrix that maps a readout error to a learning signal: W_out or Bᵀ
        let to_signal = match &self.signal {
            LearningSignal::Feedback(fb) => fb.transpose(),
            _ => net.param(Param::WOut).clone(),
        };

        let lam = net.leak();
        let wt = net.transposes();
        let w_rec = net.param(Param::WRec);
        let (off_rec, off_b) = (n * n_in, n * n_in + n * n);
        let mut sens = Matrix::zeros(n, p * b);
        let mut next = Matrix::zeros(n, p * b);
        let mut h_prev = Matrix::zeros(b, n);
        let mut h = Matrix::zeros(b, n);
        let mut a = Matrix::zeros(b, n);
        let mut signal = Matrix::zeros(b, n);
        let mut flat = neurograd_tensor::Vector::zeros(p);
        let mut g = RecurrentGrads::zeros(s);

        for (t, x) in xs.iter().enumerate() {
            net.step_into(&wt, &h_prev, x, &mut a, &mut h);
            // next = W_rec P (exact) or 0 (diagonal), then + E^t
            match self.trace {
                Trace::Exact => next.gemm(1.0, w_rec, &sens, 0.0),
                Trace::Diagonal => next.fill(0.0),
            }
            for smp in 0..b {
                let base = smp * p;
                for i in 0..n {
                    for j in 0..n_in {
                        next[(i, base + j * n + i)] += x[(smp, j)];
                    }
                    for j in 0..n {
                        next[(i, base + off_rec + j * n + i)] += h_prev[(smp, j)];
                    }
                    next[(i, base + off_b + i)] += 1.0;
                }
            }
            // P^t = (1 − λ) P^{t−1} + diag(λ tanh'(a)) next, per sample block
            a.apply(|v| {
                let th = v.tanh();
                *v = lam * (1.0 - th * th);
            });
            for c in 0..p * b {
                let smp = c / p;
                for i in 0..n {
                    next[(i, c)] = (1.0 - lam) * sens[(i, c)] + a[(smp, i)] * next[(i, c)];
                }
            }
            std::mem::swap(&mut sens, &mut next);

            let e = &errors[t];
            g.get_mut(Param::WOut).gemm_tr(1.0, e, &h, 1.0);
            add_col_sums(g.get_mut(Param::BOut), e);
            match self.signal {
                LearningSignal::Total => signal.copy_from(&deltas[t]),
                _ => signal.gemm(1.0, e, &to_signal, 0.0),
            }
            for smp in 0..b {
                let row = signal.row(smp).transpose();
                flat.gemv_tr(1.0, &sens.columns(smp * p, p), &row, 1.0);
            }
            std::mem::swap(&mut h_prev, &mut h);
        }
        unflatten_into(&flat, n, n_in, &mut g);
        g.check_finite()?;
        let peak = real_bytes(2 * total + 4 * b * n + p);
        Ok((g, GradientReport::new(loss, peak)))
    }
}

/// Adds a flat `(W_in, W_rec, b)` gradient (column-major blocks) into `g`.
pub(crate) fn unflatten_into(
    flat: &neurograd_tensor::Vector,
    n: usize,
    n_in: usize,
    g: &mut RecurrentGrads,
) {
    let (off_rec, off_b) = (n * n_in, n * n_in + n * n);
    *g.get_mut(Param::WIn) += Matrix::from_column_slice(n, n_in, &flat.as_slice()[..off_rec]);
    *g.get_mut(Param::WRec) += Matrix::from_column_slice(n, n, &flat.as_slice()[off_rec..off_b]);
    *g.get_mut(Param::B) += Matrix::from_column_slice(1, n, &flat.as_slice()[off_b..]);
}
