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

/// The exponent field of an `f64`.
const EXPONENT: u64 = 0x7FF0_0000_0000_0000;

/// Collects the nonzero entries of `x` (`B × n_in`, column-major) into `out`, in one pass that
/// also checks the values: returns `(sparse, finite)`, `sparse` if there are at most a quarter
/// of the entries (else `out` is left empty: the GEMM path).
#[inline(always)]
pub(crate) fn nonzeros(x: &Matrix, out: &mut Nonzeros) -> (bool, bool) {
    out.clear();
    let b = x.nrows();
    if b == 0 {
        return (true, true);
    }
    let limit = x.len() / 4;
    let mut sparse = true;
    let mut bad = 0u64;
    for (c, chunk) in x.as_slice().chunks(8).enumerate() {
        // nonzero bits ignoring the sign; the exponent field plus one carries into the sign
        // bit exactly when it is all ones (±∞, NaN)
        let (nz, nf) = chunk.iter().fold((0u64, 0u64), |(nz, nf), &v| {
            let bits = v.to_bits();
            let exp = (bits & EXPONENT).wrapping_add(1 << 52) & (1 << 63);
            (nz | (bits << 1), nf | exp)
        });
        bad |= nf;
        if nz != 0 && sparse {
            for (k, &v) in chunk.iter().enumerate() {
                if v != 0.0 {
                    if out.len() >= limit {
                        sparse = false;
                        out.clear();
                        break;
                    }
                    let p = c * 8 + k;
                    out.push(((p % b) as u32, (p / b) as u32, v));
                }
            }
        }
    }
    (sparse, bad == 0)
}

/// Runs `f` inside a function compiled for AVX2 + FMA (`x86-64-v3`) when the CPU has it, chosen
/// at run time (the safe API of the `pulp` crate, as in the neuron crate's `simd` module; no
/// `unsafe` here), else as it is. The release build targets baseline x86-64 (SSE2), so this is
/// what lets the element-wise loops that `f` inlines use 256-bit vectors. Results are
/// bit-identical on every path: the loops are element-wise (no reassociated reductions) and Rust
/// never contracts `a * b + c` into a fused multiply-add on its own. `f` and every helper it calls
/// in its hot loops are `#[inline(always)]`, so that they are compiled inside. AVX-512 is not
/// used: on the benchmark machine (Xeon, 2 vCPU) it sped BPTT up no more than AVX2 but slowed
/// e-prop's step by about 8 % (its non-dispatched trace loop runs between the forward steps,
/// presumably at the lower clock that 512-bit arithmetic brings).
#[inline(always)]
pub(crate) fn vectorized<R>(f: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    {
        match pulp::x86::V3::try_new() {
            Some(simd) => simd.vectorize(f),
            None => f(),
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        f()
    }
}

/// `dst += a · src` over equal-length slices.
#[inline(always)]
pub(crate) fn axpy(dst: &mut [Real], a: Real, src: &[Real]) {
    for (d, &s) in dst.iter_mut().zip(src) {
        *d += a * s;
    }
}

/// `dst += Σ_k w[:, k]` over the columns `ks` of the column-major `w` with `dst.len()` rows,
/// four columns per pass over `dst` (`dst + ((w_a + w_b) + (w_c + w_d))`).
#[inline(always)]
pub(crate) fn add_columns(dst: &mut [Real], w: &[Real], ks: &[u32]) {
    let n = dst.len();
    let col = |k: u32| &w[k as usize * n..(k as usize + 1) * n];
    let mut quads = ks.chunks_exact(4);
    for q in &mut quads {
        let (c0, c1, c2, c3) = (col(q[0]), col(q[1]), col(q[2]), col(q[3]));
        for j in 0..n {
            dst[j] += (c0[j] + c1[j]) + (c2[j] + c3[j]);
        }
    }
    for &k in quads.remainder() {
        add(dst, col(k));
    }
}

/// `dst += src` over equal-length slices.
#[inline(always)]
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

    /// Rebuilds the lists from the 0/1 spikes `z` (`n × B`), branch-free (every index is
    /// written, the count advances on a spike).
    #[inline(always)]
    fn rebuild(&mut self, z: &Matrix) {
        let (n, b) = z.shape();
        self.idx.resize(n * b, 0);
        self.start.clear();
        self.start.push(0);
        let mut len = 0;
        if n > 0 {
            for col in z.as_slice().chunks_exact(n) {
                for (j, &v) in col.iter().enumerate() {
                    self.idx[len] = j as u32;
                    len += usize::from(v != 0.0);
                }
                self.start.push(len);
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
    /// Whether this step's inputs were all finite (else the step's values are meaningless and
    /// the caller reports the error).
    pub(crate) input_finite: bool,
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
            input_finite: true,
        }
    }

    /// Advances `st` (holding step `t − 1`) by one step with input `x` (`B × n_in`) to step `t`
    /// (the equations of the [network docs](super::network)). The neuron update is, element for
    /// element, the one of [`Alif`](neurograd_neurons::alif::Alif)'s `NeuronModel::advance`
    /// with `Input::current(I)`.
    pub(crate) fn step_rows(&self, x: &Matrix, st: &mut RowState) {
        vectorized(
            #[inline(always)]
            || self.step_rows_inline(x, st, None),
        );
    }

    /// [`Self::step_rows`] writing `ψ^t` into `psi_out` (`n·B` values, sample-major) instead of
    /// `st.psi` (which then keeps its old values): BPTT stores every step's `ψ` this way without
    /// a copy.
    pub(crate) fn step_rows_psi_into(&self, x: &Matrix, st: &mut RowState, psi_out: &mut [Real]) {
        vectorized(
            #[inline(always)]
            || self.step_rows_inline(x, st, Some(psi_out)),
        );
    }

    /// The body of [`Self::step_rows`], inlined into its callers' vectorised context.
    #[inline(always)]
    fn step_rows_inline(&self, x: &Matrix, st: &mut RowState, psi_out: Option<&mut [Real]>) {
        let n = self.sizes().n_rec;
        let b = x.nrows();
        let w_in = self.param(Param::WIn);
        let w_rec = self.param(Param::WRec);
        // I = x W_inᵀ + z^{t−1} W_recᵀ (sample-major), then + b in the neuron update
        (st.input_sparse, st.input_finite) = nonzeros(x, &mut st.input_nz);
        if st.input_sparse {
            st.current.as_mut_slice().fill(0.0);
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
                add_columns(col, w_rec.as_slice(), st.spikes.of(s));
            }
        }
        let psi = match psi_out {
            Some(p) => p,
            None => st.psi.as_mut_slice(),
        };
        self.update_neurons(
            [&mut st.current, &mut st.v, &mut st.a, &mut st.z],
            psi,
            &mut st.refractory,
            b,
        );
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
    #[inline(always)]
    fn update_neurons(
        &self,
        [current, v, a, z]: [&mut Matrix; 4],
        psi: &mut [Real],
        refractory: &mut [u32],
        b: usize,
    ) {
        let c = &self.consts;
        let n = c.alpha.len();
        let bias = &self.param(Param::B).as_slice()[..n];
        let reset_on = self.config().reset != Reset::Off;
        let (alpha, rho, beta) = (&c.alpha[..n], &c.rho[..n], &c.beta[..n]);
        let (v_th, zeta) = (&c.v_th[..n], &c.zeta[..n]);
        for s in 0..b {
            let r = s * n..(s + 1) * n;
            let cur = &mut current.as_mut_slice()[r.clone()];
            let v = &mut v.as_mut_slice()[r.clone()];
            let a = &mut a.as_mut_slice()[r.clone()];
            let z = &mut z.as_mut_slice()[r.clone()];
            let psi = &mut psi[r.clone()];
            let refr = &mut refractory[r];
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
