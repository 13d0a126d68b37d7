//! Random feedback local online learning, RFLO (Murray 2019, eLife 8:e43299), for the rate RNN.
//!
//! RFLO drops from RTRL every term that passes through another unit (the `W_rec P` term), keeps
//! each unit's own leak, and replaces the readout transpose by a fixed random feedback matrix `B`
//! (`n × n_out`). Per sample, with `d_i^t = λ tanh'(a_i^t)` and `pre^t = h^{t−1}` (recurrent),
//! `x^t` (input) or `1` (bias):
//!
//! ```text
//! p_ij^t = (1 − λ) p_ij^{t−1} + d_i^t pre_j^t,    p^0 = 0           (eligibility trace)
//! L^t    = e^t Bᵀ                                                    (random-feedback error)
//! ΔW_ij  = Σ_t L_i^t p_ij^t
//! ```
//!
//! (Murray writes `λ = 1/τ` and the error `y* − y`; here `e^t = ∂L/∂y^t` so that the update has
//! the sign of a loss gradient, like every algorithm of [`super`].) The readout gets its exact
//! gradient `Σ_t e^tᵀ h^t`. The trace is [`Trace::Diagonal`](super::rtrl::Trace::Diagonal) of RTRL
//! and the signal [`LearningSignal::Feedback`](super::rtrl::LearningSignal::Feedback): RFLO is
//! random-feedback e-prop for leaky rate units. Causal and local; memory `B·n·(n + n_in + 1)`
//! numbers (the traces), time O(B n (n + n_in)) per step, both independent of `T`.
//!
//! `B` is drawn once from the seed, `B_jk ~ N(0, 1/n)` (the scale of `W_outᵀ` at
//! initialisation, [`RateRnn::new`](super::RateRnn::new)), and stays fixed.

use neurograd_tensor::Matrix;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::bptt::add_col_sums;
use super::{
    GradientReport, Param, RateRnn, RecurrentAlgorithm, RecurrentGrads, RecurrentNet,
    SequenceBatch, real_bytes,
};
use crate::{PlasticityError, Result};

/// RFLO with a fixed random feedback matrix (see the module docs).
#[derive(Clone, Debug)]
pub struct Rflo {
    feedback: Matrix,
}

impl Rflo {
    /// RFLO for `net` with `B ~ N(0, 1/n)` drawn from `seed`.
    ///
    /// # Errors
    /// Never for a valid network (the draw's parameters are fixed and finite).
    pub fn new(net: &RateRnn, seed: u64) -> Result<Self> {
        let s = net.sizes();
        let mut rng = ChaCha8Rng::seed_from_u64(neurograd_tensor::seed::mix(seed, 0x7f10, 0));
        let std = 1.0 / (s.n_rec as f64).sqrt();
        Ok(Rflo {
            feedback: neurograd_tensor::init::normal(s.n_rec, s.n_out, 0.0, std, &mut rng)?,
        })
    }

    /// RFLO with a given feedback matrix `B` (`n × n_out`, finite); shapes are checked against
    /// the network at each gradient.
    ///
    /// # Errors
    /// `NonFinite` entries.
    pub fn with_feedback(feedback: Matrix) -> Result<Self> {
        neurograd_tensor::validate::check_finite(&feedback, "RFLO feedback matrix")?;
        Ok(Rflo { feedback })
    }

    /// The feedback matrix `B` (`n × n_out`).
    pub fn feedback(&self) -> &Matrix {
        &self.feedback
    }
}

impl RecurrentAlgorithm<RateRnn> for Rflo {
    fn name(&self) -> &'static str {
        "rflo"
    }

    fn gradient(
        &mut self,
        net: &RateRnn,
        batch: &SequenceBatch,
    ) -> Result<(RecurrentGrads, GradientReport)> {
        let s = net.sizes();
        batch.check_for(s)?;
        if self.feedback.shape() != (s.n_rec, s.n_out) {
            return Err(PlasticityError::ShapeMismatch {
                op: "Rflo feedback matrix",
                expected: (s.n_rec, s.n_out),
                got: self.feedback.shape(),
            });
        }
        let (n, n_in) = (s.n_rec, s.n_in);
        let b = batch.batch_size();
        let xs = batch.inputs();
        let ys = net.readouts(xs)?;
        let mut errors = Vec::new();
        let loss = batch.loss_and_errors(&ys, &mut errors)?;

        let lam = net.leak();
        let wt = net.transposes();
        let fb_t = self.feedback.transpose();
        let mut p_in = vec![Matrix::zeros(n, n_in); b];
        let mut p_rec = vec![Matrix::zeros(n, n); b];
        let mut p_b = Matrix::zeros(b, n);
        let mut h_prev = Matrix::zeros(b, n);
        let mut h = Matrix::zeros(b, n);
        let mut a = Matrix::zeros(b, n);
        let mut signal = Matrix::zeros(b, n);
        let mut g = RecurrentGrads::zeros(s);

        for (t, x) in xs.iter().enumerate() {
            net.step_into(&wt, &h_prev, x, &mut a, &mut h);
            a.apply(|v| {
                let th = v.tanh();
                *v = lam * (1.0 - th * th);
            });
            let e = &errors[t];
            signal.gemm(1.0, e, &fb_t, 0.0);
            for smp in 0..b {
                let d = a.row(smp).transpose();
                p_in[smp].ger(1.0, &d, &x.row(smp).transpose(), 1.0 - lam);
                p_rec[smp].ger(1.0, &d, &h_prev.row(smp).transpose(), 1.0 - lam);
                let (g_in, g_rec) = g.grads[..2].split_at_mut(1);
                for i in 0..n {
                    let li = signal[(smp, i)];
                    p_b[(smp, i)] = (1.0 - lam) * p_b[(smp, i)] + d[i];
                    for j in 0..n_in {
                        g_in[0][(i, j)] += li * p_in[smp][(i, j)];
                    }
                    for j in 0..n {
                        g_rec[0][(i, j)] += li * p_rec[smp][(i, j)];
                    }
                }
            }
            let gb = g.get_mut(Param::B);
            for smp in 0..b {
                for i in 0..n {
                    gb[(0, i)] += signal[(smp, i)] * p_b[(smp, i)];
                }
            }
            g.get_mut(Param::WOut).gemm_tr(1.0, e, &h, 1.0);
            add_col_sums(g.get_mut(Param::BOut), e);
            std::mem::swap(&mut h_prev, &mut h);
        }
        g.check_finite()?;
        let peak = real_bytes(b * n * (n + n_in + 1) + 5 * b * n);
        Ok((g, GradientReport::new(loss, peak)))
    }
}
