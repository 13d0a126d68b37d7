//! The batched forward step of a [`SpikingNet`] in sample-major layout, the one every pass uses.
//!
//! Each per-neuron quantity of a batch is an `n × B` matrix (column `s` is sample `s`, its `n`
//! values contiguous), so that the elementwise neuron update is one pass over contiguous slices
//! with per-neuron constants (it autovectorises), and the products with the binary, sparse
//! inputs and spikes are sums of weight *columns* (`W_in[:, i]`, `W_rec[:, k]`, `W_out[:, k]`
//! are contiguous in the column-major weights):
//!
//! ```text
//! I[:, s] = Σ_{i: x_si ≠ 0} x_si W_in[:, i] + Σ_{k: z_sk^{t−1} = 1} W_rec[:, k] + b
//! ```
//!
//! This is the dense product without its zero terms (`0 · w = 0` for finite `w`), so it differs
//! from it only by the order of the floating-point additions. Inputs that are not sparse (more
//! than a quarter of the entries nonzero) go through one GEMM instead; spikes are always 0/1.
//! The public [`SpikingNet::run`] transposes this state into the `B × n` [`SpikingState`] its
//! callback sees; BPTT and e-prop use it directly.

use neurograd_tensor::{Matrix, Real};

use super::super::{Param, RecurrentNet};
use super::SpikingNet;
use super::network::{Reset, SpikingState};
use crate::credit::linalg::gemm_nt;

/// The nonzero entries `(sample, input, value)` of one input step, in input-major order.
pub(crate) type Nonzeros = Vec<(u32, u32, Real)>;

/// Collects the nonzero entries of `x` (`B × n_in`, column-major) into `out`; returns whether
/// they are sparse enough for the column-sum path (at most a quarter of the entries).
pub(crate) fn nonzeros(x: &Matrix, out: &mut Nonzeros) -> bool {
    out.clear();
    let b = x.nrows();
    if b == 0 {
        return true;
    }
    let limit = x.len() / 4;
    for (i, col) in x.as_slice().chunks_exact(b).enumerate() {
        for (s, &v) in col.iter().enumerate() {
            if v != 0.0 {
                if out.len() >= limit {
                    out.clear();
                    return false;
                }
                out.push((s as u32, i as u32, v));
            }
        }
    }
    true
}

/// `dst += a · src` over equal-length slices.
#[inline]
pub(crate) fn axpy(dst: &mut [Real], a: Real, src: &[Real]) {
    for (d, &s) in dst.iter_mut().zip(src) {
        *d += a * s;
    }
}

/// `dst += src` over equal-length slices.
#[inline]
pub(crate) fn add(dst: &mut [Real], src: &[Real]) {
    for (d, &s) in dst.iter_mut().zip(src) {
        *d += s;
    }
}

/// The spikes of one step as index lists: sample `s` fired the neurons
/// `idx[start[s]..start[s + 1]]` (increasing).
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Spikes {
    pub(crate) idx: Vec<u32>,
    pub(crate) start: Vec<usize>,
}

impl Spikes {
    fn empty(b: usize) -> Self {
        Spikes {
            idx: Vec::new(),
            start: vec![0; b + 1],
        }
    }

    /// The neurons sample `s` fired.
    #[inline]
    pub(crate) fn of(&self, s: usize) -> &[u32] {
        &self.idx[self.start[s]..self.start[s + 1]]
    }

    /// Rebuilds the lists from the 0/1 spikes `z` (`n × B`).
    fn rebuild(&mut self, z: &Matrix) {
        let n = z.nrows();
        self.idx.clear();
        self.start.clear();
        self.start.push(0);
        if n > 0 {
            for col in z.as_slice().chunks_exact(n) {
                for (j, &v) in col.iter().enumerate() {
                    if v != 0.0 {
                        self.idx.push(j as u32);
                    }
                }
                self.start.push(self.idx.len());
            }
        }
    }
}

/// The state of a batch at one step in sample-major layout (see the [module docs](self)).
#[derive(Clone, Debug)]
pub(crate) struct RowState {
    /// `v^t`, `n × B`.
    pub(crate) v: Matrix,
    /// `a^t`, `n × B`.
    pub(crate) a: Matrix,
    /// `z^t` (0/1), `n × B`.
    pub(crate) z: Matrix,
    /// `ψ^t`, `n × B`.
    pub(crate) psi: Matrix,
    /// `I^t`, `n × B`.
    pub(crate) current: Matrix,
    /// Refractory steps left, index `s n + j`.
    pub(crate) refractory: Vec<u32>,
    /// `y^t`, `n_out × B`.
    pub(crate) y: Matrix,
    /// The spikes `z^t` as index lists.
    pub(crate) spikes: Spikes,
    /// Scratch: the nonzero inputs of the step.
    pub(crate) input_nz: Nonzeros,
    /// Whether `input_nz` holds this step's inputs (else they were dense).
    pub(crate) input_sparse: bool,
}

impl RowState {
    /// Bytes of the state, with the spike lists and the input scratch at their largest (`n_in`
    /// inputs per sample).
    pub(crate) fn bytes(&self, n_in: usize) -> usize {
        let (n, b) = self.v.shape();
        let lists = n * b * std::mem::size_of::<u32>() + (b + 1) * std::mem::size_of::<usize>();
        let scratch = (b * n_in / 4) * std::mem::size_of::<(u32, u32, Real)>();
        lists
            + scratch
            + super::super::real_bytes(
                self.v.len()
                    + self.a.len()
                    + self.z.len()
                    + self.psi.len()
                    + self.current.len()
                    + self.y.len(),
            )
            + self.refractory.len() * std::mem::size_of::<u32>()
    }

    /// Writes this state into the `B × n` layout of [`SpikingState`].
    pub(crate) fn write_into(&self, st: &mut SpikingState) {
        st.v.tr_copy_from(&self.v);
        st.a.tr_copy_from(&self.a);
        st.z.tr_copy_from(&self.z);
        st.psi.tr_copy_from(&self.psi);
        st.current.tr_copy_from(&self.current);
        st.y.tr_copy_from(&self.y);
        let (n, b) = self.v.shape();
        for s in 0..b {
            for j in 0..n {
                st.refractory[j * b + s] = self.refractory[s * n + j];
            }
        }
    }
}

impl SpikingNet {
    /// The initial sample-major state of a batch of `b` samples (everything zero).
    pub(crate) fn row_state(&self, b: usize) -> RowState {
        let s = self.sizes();
        let (n, n_out) = (s.n_rec, s.n_out);
        RowState {
            v: Matrix::zeros(n, b),
            a: Matrix::zeros(n, b),
            z: Matrix::zeros(n, b),
            psi: Matrix::zeros(n, b),
            current: Matrix::zeros(n, b),
            refractory: vec![0; b * n],
            y: Matrix::zeros(n_out, b),
            spikes: Spikes::empty(b),
            input_nz: Vec::new(),
            input_sparse: true,
        }
    }

    /// Advances `st` (holding step `t − 1`) by one step with input `x` (`B × n_in`) to step `t`
    /// (the equations of the [network docs](super::network)). The neuron update is, element for
    /// element, the one of [`Alif`](neurograd_neurons::alif::Alif)'s `NeuronModel::advance`
    /// with `Input::current(I)`.
    pub(crate) fn step_rows(&self, x: &Matrix, st: &mut RowState) {
        let n = self.sizes().n_rec;
        let b = x.nrows();
        let w_in = self.param(Param::WIn);
        let w_rec = self.param(Param::WRec);
        // I = x W_inᵀ + z^{t−1} W_recᵀ (sample-major), then + b in the neuron update
        st.input_sparse = nonzeros(x, &mut st.input_nz);
        if st.input_sparse {
            st.current.fill(0.0);
            let cur = st.current.as_mut_slice();
            for &(s, i, v) in &st.input_nz {
                let (s, i) = (s as usize, i as usize);
                axpy(
                    &mut cur[s * n..(s + 1) * n],
                    v,
                    &w_in.as_slice()[i * n..(i + 1) * n],
                );
            }
        } else {
            gemm_nt(&mut st.current, 1.0, w_in, x, 0.0);
        }
        {
            let cur = st.current.as_mut_slice();
            for s in 0..b {
                let col = &mut cur[s * n..(s + 1) * n];
                for &k in st.spikes.of(s) {
                    let k = k as usize;
                    add(col, &w_rec.as_slice()[k * n..(k + 1) * n]);
                }
            }
        }
        self.update_neurons(st, b);
        st.spikes.rebuild(&st.z);
        // y = κ y + z W_outᵀ + b_out
        let w_out = self.param(Param::WOut);
        let b_out = self.param(Param::BOut).as_slice();
        let n_out = w_out.nrows();
        let kappa = self.kappa();
        let y = st.y.as_mut_slice();
        for s in 0..b {
            let ys = &mut y[s * n_out..(s + 1) * n_out];
            for yv in ys.iter_mut() {
                *yv *= kappa;
            }
            for &k in st.spikes.of(s) {
                let k = k as usize;
                add(ys, &w_out.as_slice()[k * n_out..(k + 1) * n_out]);
            }
            add(ys, b_out);
        }
    }

    /// The neuron update of [`Self::step_rows`] (`st.current` holds `x W_inᵀ + z W_recᵀ`).
    fn update_neurons(&self, st: &mut RowState, b: usize) {
        let c = &self.consts;
        let n = c.alpha.len();
        let bias = &self.param(Param::B).as_slice()[..n];
        let reset_on = self.config().reset != Reset::Off;
        let (alpha, rho, beta) = (&c.alpha[..n], &c.rho[..n], &c.beta[..n]);
        let (v_th, zeta) = (&c.v_th[..n], &c.zeta[..n]);
        for s in 0..b {
            let r = s * n..(s + 1) * n;
            let cur = &mut st.current.as_mut_slice()[r.clone()];
            let v = &mut st.v.as_mut_slice()[r.clone()];
            let a = &mut st.a.as_mut_slice()[r.clone()];
            let z = &mut st.z.as_mut_slice()[r.clone()];
            let psi = &mut st.psi.as_mut_slice()[r.clone()];
            let refr = &mut st.refractory[r];
            if let Some(tri) = &c.fast_triangle {
                // no refractoriness, Bellec's triangle: one branch-free pass
                let (height, width) = (&tri.0[..n], &tri.1[..n]);
                for j in 0..n {
                    let i = cur[j] + bias[j];
                    cur[j] = i;
                    let zp = z[j];
                    // the expressions of Alif::step (same operations, same order)
                    let vv = if reset_on {
                        alpha[j] * v[j] + zeta[j] * i - zp * v_th[j]
                    } else {
                        alpha[j] * v[j] + zeta[j] * i
                    };
                    let aa = rho[j] * a[j] + zp;
                    let thr = v_th[j] + beta[j] * aa;
                    v[j] = vv;
                    a[j] = aa;
                    z[j] = if vv > thr { 1.0 } else { 0.0 };
                    // Surrogate::Triangle's derivative, the same expression
                    psi[j] = height[j] * (1.0 - (vv - thr).abs() / width[j]).max(0.0);
                }
            } else {
                for j in 0..n {
                    let i = cur[j] + bias[j];
                    cur[j] = i;
                    let zp = z[j];
                    let vv = if reset_on {
                        alpha[j] * v[j] + zeta[j] * i - zp * v_th[j]
                    } else {
                        alpha[j] * v[j] + zeta[j] * i
                    };
                    let aa = rho[j] * a[j] + zp;
                    let refractory = refr[j] > 0;
                    if refractory {
                        refr[j] -= 1;
                    }
                    let thr = v_th[j] + beta[j] * aa;
                    let spike = !refractory && vv > thr;
                    if spike {
                        refr[j] = c.n_ref[j];
                    }
                    v[j] = vv;
                    a[j] = aa;
                    z[j] = if spike { 1.0 } else { 0.0 };
                    psi[j] = if refractory {
                        0.0
                    } else {
                        c.surrogate[j].derivative(vv - thr)
                    };
                }
            }
        }
    }
}
