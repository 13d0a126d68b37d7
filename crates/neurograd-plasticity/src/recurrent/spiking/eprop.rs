//! e-prop (Bellec, Scherr, Subramoney, Hajek, Salaj, Legenstein & Maass 2020, "A solution to
//! the learning dilemma for recurrent networks of spiking neurons", Nat. Commun. 11:3625).
//!
//! e-prop replaces the total learning signal `dE/dz_j^t` of the exact factorisation
//! `dE/dW_ji = Σ_t (dE/dz_j^t) e_ji^t` (eq. 1) by its *partial* part through the readout, fed
//! back through a matrix `B` (`n × n_out`, stored like `W_out` as `n_out × n`):
//!
//! ```text
//! L_j^t = Σ_k B_jk e_k^t                         (e^t = ∂E/∂y^t, the readout error of the loss)
//! ∂E/∂W_ji ≈ Σ_t L_j^t F_κ(e_ji)^t + Σ_t r_j e_ji^t        (input, recurrent and bias weights)
//! ∂E/∂W^out_kj = Σ_t e_k^t F_κ(z_j)^t,  ∂E/∂b^out_k = Σ_t e_k^t F_κ(1)^t   (exact)
//! ```
//!
//! with the eligibility traces `e_ji^t` of [`super::eligibility`] (LIF: one component; ALIF: two,
//! eq. 25), the κ filter `F_κ(s)^t = κ F_κ(s)^{t−1} + s^t` (the leaky readout makes
//! `∂E/∂z_j^t = Σ_{t'≥t} κ^{t'−t} Σ_k W^out_kj e_k^{t'}`, reordered causally) and the optional
//! rate regulariser's direct term `r_j` ([`RateRegularization`]). Feedback ([`Feedback`]):
//!
//! - **symmetric** `B = W_outᵀ` (`"eprop-sym"`);
//! - **random** `B` fixed, drawn once from the seed, `N(0, σ²)` with `σ = 1` as in EP's evidence
//!   accumulation and NEST (`"eprop-random"`);
//! - **adaptive** (Kolen-Pollack; Kolen & Pollack 1994, Akrout et al. 2019, EP's TIMIT code):
//!   random initial `B` that receives the same update as `W_out` plus the same weight decay,
//!   `B ← (1 − λ) B − η ∂E/∂W_out` after every gradient (`"eprop-adaptive"`). If the training
//!   loop applies `W_out ← (1 − λ) W_out − η ∂E/∂W_out`, then `W_out − B` shrinks by exactly
//!   `(1 − λ)` per step, so `B → W_out`.
//!
//! Under the conditions of reference §2.4 (no recurrent coupling `W_rec = 0`, reset detached,
//! symmetric feedback, κ-filtered traces) e-prop equals BPTT exactly (tested); `"eprop-sym-wrec0"`
//! computes symmetric e-prop on the network with `W_rec` zeroed (the `align` row).
//!
//! **O(n²) memory independent of `T`.** The loss of a classification window needs the whole
//! window's readouts before the first readout error is known, so the gradient is computed in two
//! forward passes: the first computes the readouts (and spike counts for the regulariser), the
//! loss and its readout errors; the second steps the network again with the eligibility vectors.
//! Since the errors of the whole window are known before the second pass, the κ filter is moved
//! from the traces to the errors (reference §2.3): `Σ_t L^t F_κ(e)^t = Σ_t L̄^t e^t` with
//! `L̄^t = ē^t B`, `ē^t = e^t + κ ē^{t+1}` (one backward sweep over the `B × n_out` errors, in
//! place). Then `h_j^t = (L̄_j^t + r_j) ψ_j^t` and, for LIF traces `e_ji = ψ_j ε_i` (one `ε` per
//! class of neurons with equal `α, ζ`), the synaptic gradient `Σ_t Σ_b h_bj^t ε_bi^t` is a
//! matrix product over the rows `(t, b)`: it is accumulated as one product per block of steps
//! (`⌈256/B⌉` steps, fixed), the ALIF part `−β_j h_j ε^a_ji` per synapse. The result equals the
//! online per-synapse form up to the order of the floating-point sums (tested against e-prop
//! through the tape over several blocks, with ALIF neurons, the regulariser and dense inputs). The working state is the
//! network state, the eligibility vectors, one block of `ε` and `h`, and the accumulators
//! ([`GradientReport::peak_gradient_state_bytes`]); the readouts and readout errors belong to the
//! loss (the module's memory convention).

use neurograd_tensor::{Matrix, Real};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::super::{
    GradientReport, Param, RecurrentAlgorithm, RecurrentGrads, RecurrentNet, SequenceBatch,
    check_input_finite, invalid, real_bytes,
};
use super::eligibility::split_presynaptic;
use super::rows::RowState;
use super::{RateRegularization, SpikingNet};
use crate::Result;
use crate::credit::linalg::gemm_nt;

/// The feedback matrix of e-prop's learning signal (see the [module docs](self)).
#[derive(Clone, Debug, PartialEq)]
pub enum Feedback {
    /// `B = W_outᵀ`.
    Symmetric,
    /// A fixed random `B` (stored `n_out × n`, like `W_out`).
    Random(Matrix),
    /// Kolen-Pollack: `B` (stored `n_out × n`) updated like `W_out` with learning rate `lr` and
    /// weight decay `decay`.
    Adaptive {
        /// The current feedback weights.
        b: Matrix,
        /// Learning rate `η` of `B`'s update.
        lr: Real,
        /// Weight decay `λ` per update.
        decay: Real,
    },
}

/// Configuration of [`Eprop`].
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EpropConfig {
    /// Standard deviation of random and adaptive feedback weights (EP: 1).
    pub feedback_std: Real,
    /// Learning rate of the adaptive feedback's update (EP's Adam rate 5e-3 as default).
    pub adaptive_lr: Real,
    /// Weight decay per update of the adaptive feedback (EP/TIMIT: 1e-2).
    pub adaptive_decay: Real,
    /// Optional firing-rate regulariser.
    pub rate_regularization: Option<RateRegularization>,
    /// Zero `W_rec` before computing (the `"eprop-sym-wrec0"` row of `align`).
    pub zero_recurrent: bool,
}

impl Default for EpropConfig {
    fn default() -> Self {
        EpropConfig {
            feedback_std: 1.0,
            adaptive_lr: 5e-3,
            adaptive_decay: 1e-2,
            rate_regularization: None,
            zero_recurrent: false,
        }
    }
}

/// e-prop for [`SpikingNet`] (see the [module docs](self)).
#[derive(Clone, Debug, PartialEq)]
pub struct Eprop {
    name: &'static str,
    feedback: Feedback,
    config: EpropConfig,
}

impl Eprop {
    fn check(cfg: &EpropConfig) -> Result<()> {
        for (name, v) in [
            ("feedback_std", cfg.feedback_std),
            ("adaptive_lr", cfg.adaptive_lr),
        ] {
            if !(v.is_finite() && v > 0.0) {
                return Err(invalid(name, v, "must be finite and > 0"));
            }
        }
        if !(cfg.adaptive_decay.is_finite() && (0.0..1.0).contains(&cfg.adaptive_decay)) {
            return Err(invalid(
                "adaptive_decay",
                cfg.adaptive_decay,
                "must be in [0, 1)",
            ));
        }
        if let Some(r) = &cfg.rate_regularization {
            r.check()?;
        }
        Ok(())
    }

    fn random_feedback(net: &SpikingNet, std: Real, seed: u64) -> Result<Matrix> {
        let s = net.sizes();
        let mut rng = ChaCha8Rng::seed_from_u64(neurograd_tensor::seed::mix(seed, 0xE9_0B, 0));
        Ok(neurograd_tensor::init::normal(
            s.n_out, s.n_rec, 0.0, std, &mut rng,
        )?)
    }

    /// Symmetric e-prop (`"eprop-sym"`).
    ///
    /// # Errors
    /// Invalid configuration.
    pub fn symmetric(config: EpropConfig) -> Result<Self> {
        Self::check(&config)?;
        Ok(Eprop {
            name: if config.zero_recurrent {
                "eprop-sym-wrec0"
            } else {
                "eprop-sym"
            },
            feedback: Feedback::Symmetric,
            config,
        })
    }

    /// Random e-prop (`"eprop-random"`): `B ~ N(0, feedback_std²)` drawn from `seed`.
    ///
    /// # Errors
    /// Invalid configuration.
    pub fn random(net: &SpikingNet, config: EpropConfig, seed: u64) -> Result<Self> {
        Self::check(&config)?;
        Ok(Eprop {
            name: "eprop-random",
            feedback: Feedback::Random(Self::random_feedback(net, config.feedback_std, seed)?),
            config,
        })
    }

    /// Adaptive (Kolen-Pollack) e-prop (`"eprop-adaptive"`): random initial `B` from `seed`.
    ///
    /// # Errors
    /// Invalid configuration.
    pub fn adaptive(net: &SpikingNet, config: EpropConfig, seed: u64) -> Result<Self> {
        Self::check(&config)?;
        Ok(Eprop {
            name: "eprop-adaptive",
            feedback: Feedback::Adaptive {
                b: Self::random_feedback(net, config.feedback_std, seed)?,
                lr: config.adaptive_lr,
                decay: config.adaptive_decay,
            },
            config,
        })
    }

    /// The feedback (its current `B` for random and adaptive feedback).
    pub fn feedback(&self) -> &Feedback {
        &self.feedback
    }

    /// The e-prop update at `net`'s parameters (no feedback adaptation; see
    /// [`RecurrentAlgorithm::gradient`] for the adaptive step).
    ///
    /// # Errors
    /// A batch that does not fit the network; a feedback matrix of the wrong shape; non-finite
    /// values.
    pub fn compute(
        &self,
        net: &SpikingNet,
        batch: &SequenceBatch,
    ) -> Result<(RecurrentGrads, GradientReport)> {
        let zeroed;
        let net = if self.config.zero_recurrent {
            zeroed = net.without_recurrence();
            &zeroed
        } else {
            net
        };
        let s = net.sizes();
        batch.check_for(s)?;
        let b_fb = match &self.feedback {
            Feedback::Symmetric => net.param(Param::WOut),
            Feedback::Random(m) | Feedback::Adaptive { b: m, .. } => m,
        };
        if b_fb.shape() != (s.n_out, s.n_rec) {
            return Err(crate::PlasticityError::ShapeMismatch {
                op: "Eprop feedback",
                expected: (s.n_out, s.n_rec),
                got: b_fb.shape(),
            });
        }
        let inputs = batch.inputs();
        net.check_input_shapes(inputs)?;
        let (t_len, b, n, n_out) = (inputs.len(), batch.batch_size(), s.n_rec, s.n_out);
        // pass 1: readouts, loss, readout errors, spike counts
        let reg = self.config.rate_regularization.as_ref();
        let mut st = net.row_state(b);
        let mut readouts = Vec::with_capacity(t_len);
        let mut counts = reg.map(|_| Matrix::zeros(b, n));
        for (t, x) in inputs.iter().enumerate() {
            net.step_rows(x, &mut st);
            if !st.input_finite {
                check_input_finite(x, t)?;
            }
            readouts.push(st.y.transpose());
            if let Some(c) = counts.as_mut() {
                for smp in 0..b {
                    for &k in st.spikes.of(smp) {
                        c[(smp, k as usize)] += 1.0;
                    }
                }
            }
        }
        let mut errs = Vec::new();
        let mut loss = batch.loss_and_errors(&readouts, &mut errs)?;
        drop(readouts);
        let direct = match (reg, &counts) {
            (Some(r), Some(c)) => {
                let (e, d) = r.from_counts(net, c, t_len)?;
                loss += e;
                Some(d)
            }
            _ => None,
        };
        // the κ filter moved from the traces to the readout errors (reference §2.3):
        // Σ_t L^t F_κ(e)^t = Σ_t ē^t B e^t with ē^t = e^t + κ ē^{t+1}, in place
        let kappa = net.kappa();
        for t in (0..t_len.saturating_sub(1)).rev() {
            let (head, tail) = errs.split_at_mut(t + 1);
            head[t].zip_apply(&tail[0], |e, next| *e += kappa * next);
        }
        // pass 2: eligibility traces online, the gradient accumulated in blocks of steps
        let mut tr = BlockedTraces::new(net, b_fb, b);
        let zeros = vec![0.0; n];
        let reg_direct = direct.as_deref().unwrap_or(&zeros);
        let mut st = net.row_state(b);
        let mut g_out = Matrix::zeros(n_out, n);
        let mut g_bout = Matrix::zeros(1, n_out);
        for (t, x) in inputs.iter().enumerate() {
            tr.advance_vectors(x, &st);
            net.step_rows(x, &mut st);
            let ebar = &errs[t];
            tr.add_step(ebar, reg_direct, &st.psi);
            // ∂E/∂W_out = Σ_t ē^t z^tᵀ, ∂E/∂b_out = Σ_t ē^t (the filter on the errors)
            for smp in 0..b {
                for &k in st.spikes.of(smp) {
                    let k = k as usize;
                    for o in 0..n_out {
                        g_out[(o, k)] += ebar[(smp, o)];
                    }
                }
            }
            for o in 0..n_out {
                g_bout[(0, o)] += ebar.column(o).sum();
            }
        }
        let g_bytes = tr.bytes();
        let g = tr.finish();
        let (w_in, w_rec, bias) = split_presynaptic(&g, s.n_in);
        let grads = RecurrentGrads {
            grads: vec![w_in, w_rec, bias, g_out, g_bout],
        };
        grads.check_finite()?;
        // network state + eligibility vectors, trace blocks and accumulators; the filtered
        // readout errors replace the errors of the loss in place (the loss's memory)
        let bytes = st.bytes(s.n_in) + g_bytes;
        Ok((grads, GradientReport::new(loss, bytes)))
    }
}

/// Rows (steps × samples) of one block product: a block holds `⌈256 / B⌉` steps.
const BLOCK_ROWS: usize = 256;

/// e-prop's eligibility vectors, stepped online, and the synaptic gradient
/// `Σ_t Σ_b h_bj^t ε_bi^t` with `h = (ē B + r) ⊙ ψ` accumulated as one product per block of
/// steps per class of neurons with equal `(α, ζ)` (the LIF trace `e = ψ ε^v` factorises into
/// a postsynaptic and a presynaptic part); the ALIF part `−β ψ ε^a` is per synapse.
struct BlockedTraces {
    b: usize,
    n: usize,
    n_in: usize,
    n_pre: usize,
    steps: usize,
    filled: usize,
    class_of: Vec<usize>,
    pos: Vec<usize>,
    members: Vec<Vec<usize>>,
    class_alpha: Vec<Real>,
    class_zeta: Vec<Real>,
    adapt_index: Vec<Option<usize>>,
    rho: Vec<Real>,
    beta: Vec<Real>,
    /// `ε^v` per class, `n_pre × B` (column = sample).
    eps: Vec<Matrix>,
    /// `ε^a` per ALIF neuron, layout `[ja][b][i]`.
    eps_a: Vec<Real>,
    /// Blocks of `ε^v` per class, `n_pre × (steps B)`.
    e_block: Vec<Matrix>,
    /// Blocks of `h` per class, `n_c × (steps B)`.
    h_block: Vec<Matrix>,
    /// Gradient accumulators per class, `n_c × n_pre`.
    g_class: Vec<Matrix>,
    /// ALIF accumulators `Σ −β h ε^a`, layout `[ja][i]`.
    g_adapt: Vec<Real>,
    /// Feedback transposed, `n × n_out`.
    b_fb_t: Matrix,
    /// Scratch: `ē B + r` of one sample.
    signal: Vec<Real>,
}

impl BlockedTraces {
    fn new(net: &SpikingNet, b_fb: &Matrix, b: usize) -> Self {
        let s = net.sizes();
        let c = &net.consts;
        let n = s.n_rec;
        let n_pre = s.n_in + n + 1;
        let mut class_alpha: Vec<Real> = Vec::new();
        let mut class_zeta: Vec<Real> = Vec::new();
        let mut members: Vec<Vec<usize>> = Vec::new();
        let mut pos = vec![0; n];
        let class_of = (0..n)
            .map(|j| {
                let k = match (0..class_alpha.len())
                    .find(|&k| class_alpha[k] == c.alpha[j] && class_zeta[k] == c.zeta[j])
                {
                    Some(k) => k,
                    None => {
                        class_alpha.push(c.alpha[j]);
                        class_zeta.push(c.zeta[j]);
                        members.push(Vec::new());
                        class_alpha.len() - 1
                    }
                };
                pos[j] = members[k].len();
                members[k].push(j);
                k
            })
            .collect();
        let mut n_adapt = 0;
        let adapt_index = (0..n)
            .map(|j| {
                (c.beta[j] != 0.0).then(|| {
                    n_adapt += 1;
                    n_adapt - 1
                })
            })
            .collect();
        let steps = BLOCK_ROWS.div_ceil(b.max(1));
        let rows = steps * b;
        BlockedTraces {
            b,
            n,
            n_in: s.n_in,
            n_pre,
            steps,
            filled: 0,
            class_of,
            pos,
            eps: members.iter().map(|_| Matrix::zeros(n_pre, b)).collect(),
            e_block: members.iter().map(|_| Matrix::zeros(n_pre, rows)).collect(),
            h_block: members
                .iter()
                .map(|m| Matrix::zeros(m.len(), rows))
                .collect(),
            g_class: members
                .iter()
                .map(|m| Matrix::zeros(m.len(), n_pre))
                .collect(),
            members,
            class_alpha,
            class_zeta,
            adapt_index,
            rho: c.rho.clone(),
            beta: c.beta.clone(),
            eps_a: vec![0.0; n_adapt * b * n_pre],
            g_adapt: vec![0.0; n_adapt * n_pre],
            b_fb_t: b_fb.transpose(),
            signal: vec![0.0; n],
        }
    }

    /// Bytes of the state (eligibility vectors, blocks, accumulators, feedback, scratch).
    fn bytes(&self) -> usize {
        let mats: usize = self
            .eps
            .iter()
            .chain(&self.e_block)
            .chain(&self.h_block)
            .chain(&self.g_class)
            .map(|m| m.len())
            .sum();
        real_bytes(
            mats + self.eps_a.len() + self.g_adapt.len() + self.b_fb_t.len() + self.signal.len(),
        )
    }

    /// Advances the eligibility vectors to step `t` with `x^t` and the state `st` of step
    /// `t − 1` (`z^{t−1}`, `ψ^{t−1}`): `ε^a` first (it reads `ε^v` of step `t − 1`), then
    /// `ε^v = α ε^v + ζ pre^t`, `pre^t = (x^t, z^{t−1}, 1)`; the new `ε^v` go into the block.
    fn advance_vectors(&mut self, x: &Matrix, st: &RowState) {
        let (b, n, n_in, n_pre) = (self.b, self.n, self.n_in, self.n_pre);
        let psi_prev = st.psi.as_slice();
        for j in 0..n {
            let Some(ja) = self.adapt_index[j] else {
                continue;
            };
            let eps = &self.eps[self.class_of[j]];
            let (rho, beta) = (self.rho[j], self.beta[j]);
            for smp in 0..b {
                let pp = psi_prev[smp * n + j];
                let keep = rho - beta * pp;
                let ev = &eps.as_slice()[smp * n_pre..(smp + 1) * n_pre];
                let ea = &mut self.eps_a[(ja * b + smp) * n_pre..(ja * b + smp + 1) * n_pre];
                for (a, &v) in ea.iter_mut().zip(ev) {
                    *a = pp * v + keep * *a;
                }
            }
        }
        let z_prev = st.z.as_slice();
        let col0 = self.filled * b;
        for (cls, eps) in self.eps.iter_mut().enumerate() {
            let (alpha, zeta) = (self.class_alpha[cls], self.class_zeta[cls]);
            for smp in 0..b {
                let ev = &mut eps.as_mut_slice()[smp * n_pre..(smp + 1) * n_pre];
                let (ex, rest) = ev.split_at_mut(n_in);
                let (ez, e1) = rest.split_at_mut(n);
                for (i, v) in ex.iter_mut().enumerate() {
                    *v = alpha * *v + zeta * x[(smp, i)];
                }
                for (v, &p) in ez.iter_mut().zip(&z_prev[smp * n..(smp + 1) * n]) {
                    *v = alpha * *v + zeta * p;
                }
                e1[0] = alpha * e1[0] + zeta * 1.0;
            }
            self.e_block[cls].as_mut_slice()[col0 * n_pre..(col0 + b) * n_pre]
                .copy_from_slice(eps.as_slice());
        }
    }

    /// Adds step `t` with the filtered readout errors `ē^t` (`B × n_out`), the regulariser's
    /// direct term `r` and `ψ^t` (`n × B`); a full block is flushed into the accumulators.
    fn add_step(&mut self, ebar: &Matrix, direct: &[Real], psi: &Matrix) {
        let (b, n, n_pre) = (self.b, self.n, self.n_pre);
        let col0 = self.filled * b;
        for smp in 0..b {
            let sig = &mut self.signal[..n];
            sig.copy_from_slice(&direct[..n]);
            // r_j + (ē B)_j
            for k in 0..ebar.ncols() {
                let e = ebar[(smp, k)];
                for (l, &w) in sig.iter_mut().zip(self.b_fb_t.column(k).iter()) {
                    *l += e * w;
                }
            }
            let ps = &psi.as_slice()[smp * n..(smp + 1) * n];
            for j in 0..n {
                let h = sig[j] * ps[j];
                let cls = self.class_of[j];
                let rows = self.h_block[cls].nrows();
                self.h_block[cls].as_mut_slice()[(col0 + smp) * rows + self.pos[j]] = h;
                if let Some(ja) = self.adapt_index[j] {
                    let coef = -self.beta[j] * h;
                    let ea = &self.eps_a[(ja * b + smp) * n_pre..(ja * b + smp + 1) * n_pre];
                    let ga = &mut self.g_adapt[ja * n_pre..(ja + 1) * n_pre];
                    for (g, &a) in ga.iter_mut().zip(ea) {
                        *g += coef * a;
                    }
                }
            }
        }
        self.filled += 1;
        if self.filled == self.steps {
            self.flush();
        }
    }

    /// `g_c += h_c ε_cᵀ` over the filled part of the block (the rest of `h` zeroed).
    fn flush(&mut self) {
        if self.filled == 0 {
            return;
        }
        let used = self.filled * self.b;
        for ((g, h), e) in self
            .g_class
            .iter_mut()
            .zip(&mut self.h_block)
            .zip(&self.e_block)
        {
            let rows = h.nrows();
            h.as_mut_slice()[used * rows..].fill(0.0);
            gemm_nt(g, 1.0, h, e, 1.0);
        }
        self.filled = 0;
    }

    /// The synaptic gradient `n × n_pre`.
    fn finish(mut self) -> Matrix {
        self.flush();
        let mut g = Matrix::zeros(self.n, self.n_pre);
        for (gc, members) in self.g_class.iter().zip(&self.members) {
            for (p, &j) in members.iter().enumerate() {
                for i in 0..self.n_pre {
                    g[(j, i)] = gc[(p, i)];
                }
            }
        }
        for j in 0..self.n {
            if let Some(ja) = self.adapt_index[j] {
                for i in 0..self.n_pre {
                    g[(j, i)] += self.g_adapt[ja * self.n_pre + i];
                }
            }
        }
        g
    }
}

impl RecurrentAlgorithm<SpikingNet> for Eprop {
    fn name(&self) -> &'static str {
        self.name
    }

    /// The e-prop update; with adaptive feedback, `B` then takes its Kolen-Pollack step
    /// `B ← (1 − λ) B − η ∂E/∂W_out`.
    fn gradient(
        &mut self,
        net: &SpikingNet,
        batch: &SequenceBatch,
    ) -> Result<(RecurrentGrads, GradientReport)> {
        let (g, r) = self.compute(net, batch)?;
        if let Feedback::Adaptive { b, lr, decay } = &mut self.feedback {
            *b *= 1.0 - *decay;
            b.zip_apply(g.get(Param::WOut), |x, gw| *x -= *lr * gw);
        }
        Ok((g, r))
    }
}

#[cfg(test)]
mod tests {
    use neurograd_neurons::alif::{AlifParams, InputScaling};
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::super::{
        PseudoDerivative, Reset, SpikingNetConfig, TapeSpikingOptions, tape_gradient,
    };
    use super::*;
    use crate::recurrent::{SequenceBatch, SequenceTarget};

    /// `t_len` steps of `b × n_in` inputs: Bernoulli(`p`) spikes, or (`dense`) N(0, 1)-ish
    /// real values, and random regression targets.
    fn batch(
        t_len: usize,
        b: usize,
        n_in: usize,
        n_out: usize,
        p: Real,
        dense: bool,
    ) -> SequenceBatch {
        let mut r = ChaCha8Rng::seed_from_u64(3);
        let xs = (0..t_len)
            .map(|_| {
                Matrix::from_fn(b, n_in, |_, _| {
                    if dense {
                        r.random::<f64>() - 0.4
                    } else {
                        Real::from(r.random::<f64>() < p)
                    }
                })
            })
            .collect();
        let ys = (0..t_len)
            .map(|_| Matrix::from_fn(b, n_out, |_, _| r.random::<f64>() - 0.5))
            .collect();
        SequenceBatch::new(xs, SequenceTarget::regression(ys)).unwrap()
    }

    /// A LIF-only network (the branch-free triangle step) and the ALIF verification network
    /// (refractoriness, two classes of neurons), input weights scaled so that they spike.
    fn nets() -> Vec<SpikingNet> {
        let lif = AlifParams {
            tau_m_ms: 20.0,
            tau_a_ms: 2000.0,
            v_th: 0.6,
            beta: 0.0,
            n_ref: 0,
            input_scaling: InputScaling::Unit,
        };
        let lif_cfg = SpikingNetConfig {
            n_in: 5,
            n_lif: 7,
            n_alif: 0,
            n_out: 2,
            lif,
            alif: lif,
            dt_ms: 1.0,
            tau_out_ms: 20.0,
            pseudo: PseudoDerivative::Bellec { gamma: 0.3 },
            reset: Reset::Detached,
        };
        let mut alif_cfg = SpikingNetConfig::bellec_verification().with_reset(Reset::Detached);
        alif_cfg.lif.tau_m_ms = 10.0; // a second class of (α, ζ)
        [lif_cfg, alif_cfg]
            .iter()
            .map(|cfg| {
                let net = SpikingNet::new(cfg, 4).unwrap();
                let mut p = net.params().to_vec();
                p[Param::WIn as usize] *= 3.0;
                SpikingNet::from_params(cfg, p).unwrap()
            })
            .collect()
    }

    /// The blocked gradient over several blocks (T = 700, B = 2: blocks of 128 steps, the last
    /// one partial) equals e-prop through the tape (stop-gradient on the recurrent and reset
    /// spikes), with and without the rate regulariser, for sparse and dense inputs.
    #[test]
    fn blocked_eprop_equals_tape_eprop_over_several_blocks() {
        for net in nets() {
            let s = net.sizes();
            for dense in [false, true] {
                let data = batch(700, 2, s.n_in, s.n_out, 0.1, dense);
                for reg in [
                    None,
                    Some(RateRegularization {
                        target_hz: 10.0,
                        coef: 1e-4,
                    }),
                ] {
                    let cfg = EpropConfig {
                        rate_regularization: reg,
                        ..EpropConfig::default()
                    };
                    let (hand, rep) = Eprop::symmetric(cfg).unwrap().compute(&net, &data).unwrap();
                    let opt = TapeSpikingOptions {
                        stop_recurrent: true,
                        rate_regularization: reg,
                        ..Default::default()
                    };
                    let (tape, trep) = tape_gradient(&net, &data, &opt).unwrap();
                    let spikes: usize = net
                        .rollout(data.inputs())
                        .unwrap()
                        .hidden
                        .iter()
                        .map(|z| z.sum() as usize)
                        .sum();
                    assert!(spikes > 100, "{spikes} spikes");
                    let e = hand.relative_error(&tape).unwrap();
                    assert!(
                        e <= 1e-10,
                        "n_alif {} dense {dense} reg {reg:?}: {e:e}",
                        s.n_rec
                    );
                    assert!((rep.loss - trep.loss).abs() <= 1e-12 * trep.loss.abs());
                }
            }
        }
    }
}
