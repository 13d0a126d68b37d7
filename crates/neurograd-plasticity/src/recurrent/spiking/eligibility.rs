//! Eligibility vectors and traces of e-prop (Bellec et al. 2020, Nat. Commun. 11:3625, eqs. 13-14
//! and, for ALIF, eq. 25; as in their code's `compute_eligibility_traces`).
//!
//! Every weight `W_ji` from a presynaptic signal `pre_i^t` to neuron `j` (`pre` = the inputs
//! `x^t`, the previous spikes `z^{t−1}` for recurrent synapses, and a constant 1 for the bias
//! current) has an eligibility vector `ε_ji^t = dh_j^t/dW_ji` (holding earlier spikes of the
//! network fixed) and an eligibility trace `e_ji^t = dz_j^t/dW_ji`:
//!
//! ```text
//! LIF  (one component):   ε^v_ji,t = α_j ε^v_ji,t−1 + ζ_j pre_i^t                  e_ji^t = ψ_j^t ε^v_ji,t
//! ALIF (two components):  ε^a_ji,t = ψ_j^{t−1} ε^v_ji,t−1 + (ρ_j − β_j ψ_j^{t−1}) ε^a_ji,t−1
//!                         e_ji^t = ψ_j^t (ε^v_ji,t − β_j ε^a_ji,t)
//! ```
//!
//! with `ε_0 = 0`. The own-spike → adaptation path (`z_j^{t−1} → a_j^t`) is inside `ε^a`; the
//! own-spike → reset path is not (the v-Jacobian is `α`), so in the exact factorisation
//! `dE/dW_ji = Σ_t L_j^t e_ji^t` (eq. 1) it lives in the total learning signal `L^t`
//! ([`total_learning_signal`](super::total_learning_signal)).
//!
//! `ε^v` depends on `j` only through `(α_j, ζ_j)`, so it is stored once per class of neurons with
//! equal constants (O(B n_pre) each); `ε^a` per ALIF synapse (O(B n_alif n_pre)); the traces
//! the traces are handed out row by row (`n_pre` values at a time, never stored). Nothing
//! grows with `T`.
//!
//! The κ filter [`KappaFilter`] turns a sequence `s^t` into `F_κ(s)^t = κ F_κ(s)^{t−1} + s^t`;
//! with it `Σ_t L^t F_κ(e)^t = Σ_t e^t Σ_{t'≥t} κ^{t'−t} L^{t'}` (reference §2.3, test 6), which
//! is how e-prop handles the leaky readout exactly and online.

use neurograd_tensor::{Matrix, Real};

use super::super::RecurrentNet;
use super::SpikingNet;

/// The causal κ filter `F_κ(s)^t = κ F_κ(s)^{t−1} + s^t` (no `(1 − κ)` normalisation; EP's
/// `exp_convolve` multiplies the input by `(1 − κ)`).
#[derive(Clone, Debug, PartialEq)]
pub struct KappaFilter {
    kappa: Real,
    state: Vec<Real>,
}

impl KappaFilter {
    /// A filter of `len` channels, state 0.
    pub fn new(kappa: Real, len: usize) -> Self {
        KappaFilter {
            kappa,
            state: vec![0.0; len],
        }
    }

    /// Feeds one step `s^t` (one value per channel) and returns `F_κ(s)^t`.
    ///
    /// # Errors
    /// [`crate::PlasticityError::ShapeMismatch`] if `s.len()` is not the channel count.
    pub fn push(&mut self, s: &[Real]) -> crate::Result<&[Real]> {
        if s.len() != self.state.len() {
            return Err(crate::PlasticityError::ShapeMismatch {
                op: "KappaFilter::push",
                expected: (self.state.len(), 1),
                got: (s.len(), 1),
            });
        }
        for (f, &x) in self.state.iter_mut().zip(s) {
            *f = self.kappa * *f + x;
        }
        Ok(&self.state)
    }

    /// The current filtered values.
    pub fn values(&self) -> &[Real] {
        &self.state
    }
}

/// The eligibility vectors and traces of one batch, stepped online (see the
/// [module docs](self)). Layout of per-synapse arrays: `[j][b][i]` with `i` over
/// `pre = (x (n_in), z^{t−1} (n), 1)`. Internal: the matrices handed to [`Self::step`] must
/// have the batch's shapes (the public entry points check them).
#[derive(Clone, Debug)]
pub(crate) struct EligibilityTraces {
    b: usize,
    n: usize,
    n_in: usize,
    n_pre: usize,
    class_of: Vec<usize>,
    class_alpha: Vec<Real>,
    class_zeta: Vec<Real>,
    adapt_index: Vec<Option<usize>>,
    rho: Vec<Real>,
    beta: Vec<Real>,
    eps_v: Vec<Real>,
    eps_a: Vec<Real>,
    psi_prev: Matrix,
    pre: Vec<Real>,
    row: Vec<Real>,
}

impl EligibilityTraces {
    /// Zero traces for a batch of `b` samples of `net`. `drop_adaptation` replaces every ALIF
    /// trace by the LIF one (`e = ψ ε^v`; a negative control of reference test 3).
    pub(crate) fn new(net: &SpikingNet, b: usize, drop_adaptation: bool) -> Self {
        let s = net.sizes();
        let c = &net.consts;
        let n = s.n_rec;
        let n_pre = s.n_in + n + 1;
        let mut class_alpha: Vec<Real> = Vec::new();
        let mut class_zeta: Vec<Real> = Vec::new();
        let class_of = (0..n)
            .map(|j| {
                match (0..class_alpha.len())
                    .find(|&k| class_alpha[k] == c.alpha[j] && class_zeta[k] == c.zeta[j])
                {
                    Some(k) => k,
                    None => {
                        class_alpha.push(c.alpha[j]);
                        class_zeta.push(c.zeta[j]);
                        class_alpha.len() - 1
                    }
                }
            })
            .collect();
        let mut n_adapt = 0;
        let adapt_index = (0..n)
            .map(|j| {
                (c.beta[j] != 0.0 && !drop_adaptation).then(|| {
                    n_adapt += 1;
                    n_adapt - 1
                })
            })
            .collect();
        let classes = class_alpha.len();
        EligibilityTraces {
            b,
            n,
            n_in: s.n_in,
            n_pre,
            class_of,
            class_alpha,
            class_zeta,
            adapt_index,
            rho: c.rho.clone(),
            beta: c.beta.clone(),
            eps_v: vec![0.0; classes * b * n_pre],
            eps_a: vec![0.0; n_adapt * b * n_pre],
            psi_prev: Matrix::zeros(b, n),
            pre: vec![0.0; b * n_pre],
            row: vec![0.0; n_pre],
        }
    }

    /// Number of presynaptic signals `n_in + n + 1`.
    pub(crate) fn n_pre(&self) -> usize {
        self.n_pre
    }

    /// Advances to step `t` with the input `x^t` (`B × n_in`), the previous spikes `z^{t−1}`
    /// and this step's pseudo-derivatives `ψ^t` (`B × n`), and hands each row of traces to
    /// `consume(j, b, e)`, with `e[i] = e_ji^t` of sample `b` (rows in the order `j`, then `b`).
    pub(crate) fn step(
        &mut self,
        x: &Matrix,
        z_prev: &Matrix,
        psi: &Matrix,
        mut consume: impl FnMut(usize, usize, &[Real]),
    ) {
        let (b, n, n_in, n_pre) = (self.b, self.n, self.n_in, self.n_pre);
        for s in 0..b {
            let p = &mut self.pre[s * n_pre..(s + 1) * n_pre];
            for i in 0..n_in {
                p[i] = x[(s, i)];
            }
            for k in 0..n {
                p[n_in + k] = z_prev[(s, k)];
            }
            p[n_pre - 1] = 1.0;
        }
        // ε^a first: it reads ε^v of the previous step
        for j in 0..n {
            let Some(ja) = self.adapt_index[j] else {
                continue;
            };
            let cls = self.class_of[j];
            let (rho, beta) = (self.rho[j], self.beta[j]);
            for s in 0..b {
                let pp = self.psi_prev[(s, j)];
                let keep = rho - beta * pp;
                let ev = &self.eps_v[(cls * b + s) * n_pre..(cls * b + s + 1) * n_pre];
                let ea = &mut self.eps_a[(ja * b + s) * n_pre..(ja * b + s + 1) * n_pre];
                for (a, &v) in ea.iter_mut().zip(ev) {
                    *a = pp * v + keep * *a;
                }
            }
        }
        for cls in 0..self.class_alpha.len() {
            let (alpha, zeta) = (self.class_alpha[cls], self.class_zeta[cls]);
            for s in 0..b {
                let ev = &mut self.eps_v[(cls * b + s) * n_pre..(cls * b + s + 1) * n_pre];
                for (v, &p) in ev.iter_mut().zip(&self.pre[s * n_pre..(s + 1) * n_pre]) {
                    *v = alpha * *v + zeta * p;
                }
            }
        }
        for j in 0..n {
            let cls = self.class_of[j];
            let beta = self.beta[j];
            for s in 0..b {
                let psi_js = psi[(s, j)];
                let ev = &self.eps_v[(cls * b + s) * n_pre..(cls * b + s + 1) * n_pre];
                let e = &mut self.row;
                match self.adapt_index[j] {
                    Some(ja) => {
                        let ea = &self.eps_a[(ja * b + s) * n_pre..(ja * b + s + 1) * n_pre];
                        for ((e, &v), &a) in e.iter_mut().zip(ev).zip(ea) {
                            *e = psi_js * (v - beta * a);
                        }
                    }
                    None => {
                        for (e, &v) in e.iter_mut().zip(ev) {
                            *e = psi_js * v;
                        }
                    }
                }
                consume(j, s, &self.row);
            }
        }
        self.psi_prev.copy_from(psi);
    }
}

/// A synaptic gradient `n × n_pre` accumulated row-major (one contiguous row per neuron `j`,
/// the layout the trace rows arrive in).
#[derive(Clone, Debug)]
pub(crate) struct RowGrad {
    n_pre: usize,
    data: Vec<Real>,
}

impl RowGrad {
    pub(crate) fn zeros(n: usize, n_pre: usize) -> Self {
        RowGrad {
            n_pre,
            data: vec![0.0; n * n_pre],
        }
    }

    /// `grad_j += l · e`.
    #[inline]
    pub(crate) fn add_row(&mut self, j: usize, l: Real, e: &[Real]) {
        if l == 0.0 {
            return;
        }
        let g = &mut self.data[j * self.n_pre..(j + 1) * self.n_pre];
        for (g, &x) in g.iter_mut().zip(e) {
            *g += l * x;
        }
    }

    pub(crate) fn into_matrix(self) -> Matrix {
        let n = self.data.len() / self.n_pre.max(1);
        Matrix::from_row_slice(n, self.n_pre, &self.data)
    }
}

/// Splits an `n × (n_in + n + 1)` synaptic gradient into `(W_in, W_rec (diagonal 0), b)`.
pub(crate) fn split_presynaptic(g: &Matrix, n_in: usize) -> (Matrix, Matrix, Matrix) {
    let n = g.nrows();
    let w_in = g.columns(0, n_in).into_owned();
    let mut w_rec = g.columns(n_in, n).into_owned();
    w_rec.fill_diagonal(0.0);
    let b = Matrix::from_row_slice(1, n, g.column(n_in + n).as_slice());
    (w_in, w_rec, b)
}

/// `Σ_t Σ_b L_bj^t e_bji^t`: the eq.-(1) gradient of the input, recurrent and bias weights for
/// learning signals `signal` (`T` matrices `B × n`), eligibility traces computed online along
/// `net`'s forward pass over `inputs` (`drop_adaptation`: the negative control that uses LIF
/// traces for ALIF neurons). Returns `(W_in, W_rec, b)` gradients.
///
/// # Errors
/// As [`SpikingNet::check_inputs`]; [`crate::PlasticityError::ShapeMismatch`] for signals of
/// the wrong length or shape.
pub fn factorised_gradient(
    net: &SpikingNet,
    inputs: &[Matrix],
    signal: &[Matrix],
    drop_adaptation: bool,
) -> crate::Result<(Matrix, Matrix, Matrix)> {
    net.check_inputs(inputs)?;
    let b = inputs[0].nrows();
    let s = net.sizes();
    if signal.len() != inputs.len() {
        return Err(crate::PlasticityError::ShapeMismatch {
            op: "factorised_gradient (signal steps, 1)",
            expected: (inputs.len(), 1),
            got: (signal.len(), 1),
        });
    }
    if let Some(m) = signal.iter().find(|m| m.shape() != (b, s.n_rec)) {
        return Err(crate::PlasticityError::ShapeMismatch {
            op: "factorised_gradient (signal step)",
            expected: (b, s.n_rec),
            got: m.shape(),
        });
    }
    let mut tr = EligibilityTraces::new(net, b, drop_adaptation);
    let mut g = RowGrad::zeros(s.n_rec, tr.n_pre());
    let mut z_prev = Matrix::zeros(b, s.n_rec);
    net.run(inputs, |t, st| {
        let l = &signal[t];
        tr.step(&inputs[t], &z_prev, &st.psi, |j, smp, e| {
            g.add_row(j, l[(smp, j)], e)
        });
        z_prev.copy_from(&st.z);
    })?;
    Ok(split_presynaptic(&g.into_matrix(), s.n_in))
}
