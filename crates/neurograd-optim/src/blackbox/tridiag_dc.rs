//! Divide and conquer for the symmetric tridiagonal eigenproblem `T = V Λ Vᵀ`, the second stage of
//! CMA-ES's eigendecomposition from [`super::FAER_MIN_DIM`] on (the first, the Householder
//! tridiagonalisation, and the small leaf problems are faer's).
//!
//! Cuppen (1981, Numer. Math. 36:177) splits `T` at its middle off-diagonal `β`:
//! `T = diag(T₁ − ρ e eᵀ, T₂ − ρ e eᵀ) + ρ v vᵀ` with `ρ = |β|`, `v = (e_last; sign(β) e_first)`,
//! solves both halves recursively (`Tᵢ = Qᵢ Λᵢ Qᵢᵀ`) and is left with the rank-one update
//! `D + ρ̃ z zᵀ` of the diagonal `D = diag(Λ₁, Λ₂)`, `z = diag(Q₁, Q₂)ᵀ v / √2`, `ρ̃ = 2ρ`.
//! Its eigenvalues are the roots of the secular equation
//! `g(λ) = 1/ρ̃ + Σᵢ zᵢ² / (dᵢ − λ) = 0`, one in each gap between consecutive poles and one above
//! the largest; its eigenvectors are `(D − λ)⁻¹ z`, normalised.
//!
//! * Deflation (Dongarra & Sorensen 1987; LAPACK `dlaed2`): with `tol = 8 ε max(|d|, |z|)`, a pole
//!   with `ρ̃ |zᵢ| ≤ tol` is already an eigenvalue, and of two poles so close that the Givens
//!   rotation zeroing one of their `z` entries changes `D` by at most `tol`, one is.
//! * Roots (Bunch, Nielsen & Sorensen 1978; Li 1993, the "middle way"; LAPACK `dlaed4`): each root
//!   is found relative to its nearer pole (`λ = d_origin + μ`, so that `dᵢ − λ` keeps its relative
//!   accuracy), by rational interpolation of the poles left and right of the root (a quadratic
//!   per step), safeguarded by bisection on a bracket.
//! * Orthogonality (Gu & Eisenstat 1995, SIAM J. Matrix Anal. Appl. 16:172; LAPACK `dlaed3`): the
//!   eigenvectors use `ẑ`, for which the computed roots are exact:
//!   `ẑᵢ² = ∏ⱼ (λⱼ − dᵢ) / (ρ̃ ∏_{j≠i} (dⱼ − dᵢ))`.
//!
//! The eigenvectors of `T` are `diag(Q₁, Q₂)` times those of the update, one matrix product per
//! merge that skips the zero blocks of `diag(Q₁, Q₂)`.
//!
//! faer 0.24 has the same algorithm; this one exists because there the secular equations took a
//! quarter of a CMA-ES generation at n = 200 (profile: `g` evaluated in a scalar loop of
//! divisions). Here `g` is evaluated in four independent lanes, compiled for AVX2 or AVX-512 at
//! run time, and a root takes about five evaluations on average (counted in that run), the one
//! that picks the origin included. The merge's buffers are kept by the caller ([`Workspace`]).
//! Per CMA-ES generation at n = 200 this took the time from 1.39 to about 1.05 ms (gens 20..220
//! of the `cmaes_ask_tell` ellipsoid run, AMD EPYC with AVX2).
use crate::Real;

/// Largest block solved directly (faer's implicit QR with Wilkinson shifts).
const LEAF: usize = 32;

/// Buffers of the merges, kept from one call to the next: at n = 200 they are a few hundred KiB
/// each, and allocating them afresh every decomposition cost about a fifth of a CMA-ES generation
/// in page faults and zeroing (glibc hands such sizes back to the kernel when they are freed).
#[derive(Debug, Clone, Default)]
pub(crate) struct Workspace {
    /// The columns of `v` in pole order (`m × m`).
    cols: Vec<Real>,
    /// `poles[i] − λⱼ` (`k × k`).
    delta: Vec<Real>,
    /// Eigenvectors of the rank-one update (`k × k`).
    u: Vec<Real>,
    /// The product of the kept columns and `u` (`m × k`).
    out: Vec<Real>,
    /// Gathered rows of the kept columns (one half, `m/2 × k` at most).
    g: Vec<Real>,
    /// Gathered rows of `u`.
    us: Vec<Real>,
}

/// `buf[..len]`, grown (never shrunk) as needed.
fn take(buf: &mut Vec<Real>, len: usize) -> &mut [Real] {
    if buf.len() < len {
        buf.resize(len, 0.0);
    }
    &mut buf[..len]
}

/// Failure of the leaf QR iteration to converge (non-finite input).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NoConvergence;

/// Eigendecomposition of the symmetric tridiagonal matrix with diagonal `d` (length `n`) and
/// off-diagonal `e` (length `n − 1`): on return `d` holds the eigenvalues in nondecreasing order and
/// `v` (`n × n`, column-major) the orthonormal eigenvectors as columns.
pub(crate) fn tridiagonal_eigen(
    d: &mut [Real],
    e: &[Real],
    v: &mut [Real],
    work: &mut Workspace,
) -> Result<(), NoConvergence> {
    tridiagonal_eigen_on(d, e, v, work, false)
}

/// [`tridiagonal_eigen`], with the secular-equation loops on the build's baseline instruction set
/// when `baseline` (for the test that the paths agree bit for bit) and else on the best the CPU
/// has.
fn tridiagonal_eigen_on(
    d: &mut [Real],
    e: &[Real],
    v: &mut [Real],
    work: &mut Workspace,
    baseline: bool,
) -> Result<(), NoConvergence> {
    let n = d.len();
    assert!(e.len() + 1 == n.max(1) && v.len() == n * n);
    v.fill(0.0);
    if n == 0 {
        return Ok(());
    }
    let mut e = e.to_vec();
    let leaf = LEAF.min(n);
    let params = leaf_params(leaf);
    let mut mem =
        faer::dyn_stack::MemBuffer::new(faer::linalg::evd::self_adjoint_evd_scratch::<Real>(
            leaf,
            faer::linalg::evd::ComputeEigenvectors::Yes,
            faer::Par::Seq,
            params.into(),
        ));
    let mut ctx = Ctx {
        n,
        mem: &mut mem,
        params,
        baseline,
        work,
    };
    ctx.solve(0, n, d, &mut e, v)
}

fn leaf_params(leaf: usize) -> faer::linalg::evd::SelfAdjointEvdParams {
    let mut params: faer::linalg::evd::SelfAdjointEvdParams = faer::Auto::<Real>::auto();
    // above the leaf size, so faer solves the leaf by QR without splitting it
    params.recursion_threshold = leaf + 1;
    params
}

struct Ctx<'a> {
    /// Leading dimension of `v`.
    n: usize,
    mem: &'a mut faer::dyn_stack::MemBuffer,
    params: faer::linalg::evd::SelfAdjointEvdParams,
    baseline: bool,
    work: &'a mut Workspace,
}

impl Ctx<'_> {
    /// Solves the block `o..o+m` of `(d, e)` into the diagonal block `o..o+m` of `v`.
    fn solve(
        &mut self,
        o: usize,
        m: usize,
        d: &mut [Real],
        e: &mut [Real],
        v: &mut [Real],
    ) -> Result<(), NoConvergence> {
        let ld = self.n;
        if m == 1 {
            v[o * ld + o] = 1.0;
            return Ok(());
        }
        if m <= LEAF {
            let mut vals = vec![0.0; m];
            let res = faer::linalg::evd::tridiagonal_self_adjoint_evd(
                faer::ColRef::from_slice(&d[o..o + m]).as_diagonal(),
                faer::ColRef::from_slice(&e[o..o + m - 1]).as_diagonal(),
                faer::ColMut::from_slice_mut(&mut vals).as_diagonal_mut(),
                Some(faer::MatMut::from_column_major_slice_with_stride_mut(
                    &mut v[o * ld + o..],
                    m,
                    m,
                    ld,
                )),
                faer::Par::Seq,
                faer::dyn_stack::MemStack::new(self.mem),
                self.params.into(),
            );
            if res.is_err() {
                return Err(NoConvergence);
            }
            d[o..o + m].copy_from_slice(&vals);
            return Ok(());
        }
        let m1 = m / 2;
        let beta = e[o + m1 - 1];
        let rho = beta.abs();
        d[o + m1 - 1] -= rho;
        d[o + m1] -= rho;
        self.solve(o, m1, d, e, v)?;
        self.solve(o + m1, m - m1, d, e, v)?;
        // z = diag(Q₁, Q₂)ᵀ v / √2: the last row of Q₁ and ± the first row of Q₂
        let s = std::f64::consts::FRAC_1_SQRT_2;
        let sign = if beta < 0.0 { -s } else { s };
        let z: Vec<Real> = (0..m)
            .map(|j| {
                if j < m1 {
                    v[(o + j) * ld + o + m1 - 1] * s
                } else {
                    v[(o + j) * ld + o + m1] * sign
                }
            })
            .collect();
        merge(o, m, m1, 2.0 * rho, &z, d, v, ld, self.baseline, self.work);
        Ok(())
    }
}

/// The eigenproblem of `diag(d[o..o+m]) + ρ̃ z zᵀ` (the two halves of `d` each ascending), folded
/// into the columns `o..o+m` of `v` (rows `o..o+m`; rows `o..o+m1` are zero in the columns of the
/// second half and vice versa).
#[allow(clippy::too_many_arguments)]
fn merge(
    o: usize,
    m: usize,
    m1: usize,
    rho: Real,
    z: &[Real],
    d: &mut [Real],
    v: &mut [Real],
    ld: usize,
    baseline: bool,
    work: &mut Workspace,
) {
    // merge the two ascending halves: perm[t] = local index of the t-th smallest pole
    let mut perm = Vec::with_capacity(m);
    let (mut a, mut b) = (0, m1);
    while perm.len() < m {
        if b == m || (a < m1 && d[o + a] <= d[o + b]) {
            perm.push(a);
            a += 1;
        } else {
            perm.push(b);
            b += 1;
        }
    }
    let mut ds: Vec<Real> = perm.iter().map(|&p| d[o + p]).collect();
    let mut zs: Vec<Real> = perm.iter().map(|&p| z[p]).collect();
    // columns of v in sorted order; `top`/`bottom`: whether the column can be nonzero in the rows
    // of the first / second half
    let cols = take(&mut work.cols, m * m);
    for (t, &p) in perm.iter().enumerate() {
        cols[t * m..(t + 1) * m].copy_from_slice(&v[(o + p) * ld + o..(o + p) * ld + o + m]);
    }
    let mut top: Vec<bool> = perm.iter().map(|&p| p < m1).collect();
    let mut bottom: Vec<bool> = top.iter().map(|&t| !t).collect();

    // deflation (LAPACK dlaed2)
    let dmax = ds.iter().fold(0.0, |a: Real, x| a.max(x.abs()));
    let zmax = zs.iter().fold(0.0, |a: Real, x| a.max(x.abs()));
    let tol = 8.0 * Real::EPSILON * dmax.max(zmax);
    let mut keep: Vec<usize> = Vec::with_capacity(m);
    let mut deflated: Vec<usize> = Vec::with_capacity(m);
    let mut pending: Option<usize> = None;
    for t in 0..m {
        if rho * zs[t].abs() <= tol {
            deflated.push(t);
            continue;
        }
        if let Some(j) = pending {
            let (sj, ct) = (zs[j], zs[t]);
            let tau = sj.hypot(ct);
            let (c, s) = (ct / tau, -sj / tau);
            if ((ds[t] - ds[j]) * c * s).abs() <= tol {
                // rotate columns j, t so that z_j = 0; j becomes an eigenvector
                zs[t] = tau;
                zs[j] = 0.0;
                let (lo, hi) = cols.split_at_mut(t * m);
                for (x, y) in lo[j * m..(j + 1) * m].iter_mut().zip(&mut hi[..m]) {
                    let (xv, yv) = (*x, *y);
                    *x = c * xv + s * yv;
                    *y = c * yv - s * xv;
                }
                let either = (top[j] || top[t], bottom[j] || bottom[t]);
                (top[j], bottom[j]) = either;
                (top[t], bottom[t]) = either;
                let dj = ds[j] * c * c + ds[t] * s * s;
                ds[t] = ds[j] * s * s + ds[t] * c * c;
                ds[j] = dj;
                deflated.push(j);
                pending = Some(t);
                continue;
            }
            keep.push(j);
        }
        pending = Some(t);
    }
    if let Some(j) = pending {
        keep.push(j);
    }

    let k = keep.len();
    let poles: Vec<Real> = keep.iter().map(|&t| ds[t]).collect();
    let w: Vec<Real> = keep.iter().map(|&t| zs[t]).collect();
    let delta = take(&mut work.delta, k * k);
    let u = take(&mut work.u, k * k);
    let mut lambda = vec![0.0; k];
    let op = Update {
        poles: &poles,
        w: &w,
        rho,
        delta,
        lambda: &mut lambda,
        u,
    };
    #[cfg(target_arch = "x86_64")]
    if baseline {
        pulp::Simd::vectorize(pulp::Scalar::new(), op);
    } else {
        pulp::Arch::new().dispatch(op);
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = baseline;
        pulp::Arch::new().dispatch(op);
    }
    let u = nalgebra::DMatrixView::from_slice(&work.u[..k * k], k, k);
    // new columns: the kept columns of v times u, on the rows of each half only where nonzero
    let out = take(&mut work.out, m * k);
    let mut out = nalgebra::DMatrixViewMut::from_slice(out, m, k);
    for (rows, half) in [(0..m1, &top), (m1..m, &bottom)] {
        let sel: Vec<usize> = (0..k).filter(|&i| half[keep[i]]).collect();
        let mut part = out.rows_mut(rows.start, rows.len());
        if sel.is_empty() {
            part.fill(0.0);
            continue;
        }
        let g = take(&mut work.g, rows.len() * sel.len());
        for (c, &i) in sel.iter().enumerate() {
            let t = keep[i];
            g[c * rows.len()..(c + 1) * rows.len()]
                .copy_from_slice(&cols[t * m + rows.start..t * m + rows.end]);
        }
        let g = nalgebra::DMatrixView::from_slice(g, rows.len(), sel.len());
        let us = take(&mut work.us, sel.len() * k);
        for c in 0..k {
            for (r, &i) in sel.iter().enumerate() {
                us[c * sel.len() + r] = u[(i, c)];
            }
        }
        let us = nalgebra::DMatrixView::from_slice(us, sel.len(), k);
        part.gemm(1.0, &g, &us, 0.0);
    }
    // all eigenpairs, ascending
    enum Src {
        Root(usize),
        Deflated(usize),
    }
    let mut all: Vec<(Real, Src)> = (0..k)
        .map(|j| (lambda[j], Src::Root(j)))
        .chain(deflated.iter().map(|&t| (ds[t], Src::Deflated(t))))
        .collect();
    all.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (c, (val, src)) in all.iter().enumerate() {
        d[o + c] = *val;
        let dst = &mut v[(o + c) * ld + o..(o + c) * ld + o + m];
        match src {
            Src::Root(j) => dst.copy_from_slice(&work.out[j * m..(j + 1) * m]),
            Src::Deflated(t) => dst.copy_from_slice(&work.cols[t * m..(t + 1) * m]),
        }
    }
}

/// The roots, `ẑ` and the eigenvectors of one rank-one update, as one operation that
/// [`pulp::Arch::dispatch`] compiles for AVX2 + FMA or AVX-512 when the CPU has them (the crate's
/// baseline is SSE2). The arithmetic is the same on every path: the sums run in four fixed lanes
/// and Rust never contracts `a * b + c` into a fused multiply-add on its own.
struct Update<'a> {
    poles: &'a [Real],
    w: &'a [Real],
    rho: Real,
    /// `delta[j k + i] = poles[i] − λⱼ`, computed from the root's origin.
    delta: &'a mut [Real],
    lambda: &'a mut [Real],
    /// `k × k`, column-major.
    u: &'a mut [Real],
}

impl pulp::WithSimd for Update<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _simd: S) {
        let Update {
            poles,
            w,
            rho,
            delta,
            lambda,
            u,
        } = self;
        let k = poles.len();
        // roots: λⱼ = poles[origin[j]] + mu[j]; delta(i, j) = poles[i] − λⱼ, accurately
        let mut sh = vec![0.0; k];
        for j in 0..k {
            let (origin, mu) = secular_root(poles, w, rho, j, &mut sh);
            lambda[j] = poles[origin] + mu;
            for (dl, s) in delta[j * k..(j + 1) * k].iter_mut().zip(&sh) {
                *dl = s - mu;
            }
        }
        // Gu–Eisenstat: ẑᵢ² = ∏ⱼ (λⱼ − dᵢ) / (ρ̃ ∏_{j≠i} (dⱼ − dᵢ))
        let mut zhat = vec![1.0; k];
        let mut den = vec![0.0; k];
        for j in 0..k {
            for (dn, p) in den.iter_mut().zip(poles) {
                *dn = poles[j] - p;
            }
            den[j] = rho;
            let col = &delta[j * k..(j + 1) * k];
            for ((zh, dl), dn) in zhat.iter_mut().zip(col).zip(&den) {
                *zh *= -dl / dn;
            }
        }
        for (zh, wi) in zhat.iter_mut().zip(w) {
            *zh = zh.abs().sqrt().copysign(*wi);
        }
        // eigenvectors of the update, u(i, j) = ẑᵢ / (dᵢ − λⱼ), normalised (k × k, column-major)
        for j in 0..k {
            let col = &delta[j * k..(j + 1) * k];
            let out = &mut u[j * k..(j + 1) * k];
            let mut norm = 0.0;
            for ((x, zh), dl) in out.iter_mut().zip(&zhat).zip(col) {
                *x = zh / dl;
                norm += *x * *x;
            }
            let inv = norm.sqrt().recip();
            for x in out.iter_mut() {
                *x *= inv;
            }
        }
    }
}

/// `sh = p − p[origin]`.
#[inline(always)]
fn shift_into(sh: &mut [Real], p: &[Real], origin: usize) {
    let o = p[origin];
    for (s, x) in sh.iter_mut().zip(p) {
        *s = x - o;
    }
}

/// `(ψ, ψ', φ, φ')`: [`sums`] over the poles `0..=j` (left of the `j`-th root) and `j+1..`.
#[inline(always)]
fn split_sums(sh: &[Real], w: &[Real], j: usize, mu: Real) -> (Real, Real, Real, Real) {
    let (psi, dpsi) = sums(&sh[..=j], &w[..=j], mu);
    let (phi, dphi) = sums(&sh[j + 1..], &w[j + 1..], mu);
    (psi, dpsi, phi, dphi)
}

/// `(Σ w²/(p − μ), Σ w²/(p − μ)²)` over the shifted poles `p`, in four independent lanes.
#[inline(always)]
fn sums(p: &[Real], w: &[Real], mu: Real) -> (Real, Real) {
    let mut f = [0.0; 4];
    let mut df = [0.0; 4];
    let mut pc = p.chunks_exact(4);
    let mut wc = w.chunks_exact(4);
    for (pp, ww) in (&mut pc).zip(&mut wc) {
        for l in 0..4 {
            let t = ww[l] / (pp[l] - mu);
            f[l] += ww[l] * t;
            df[l] += t * t;
        }
    }
    let (mut fs, mut dfs) = (
        (f[0] + f[1]) + (f[2] + f[3]),
        (df[0] + df[1]) + (df[2] + df[3]),
    );
    for (pp, ww) in pc.remainder().iter().zip(wc.remainder()) {
        let t = ww / (pp - mu);
        fs += ww * t;
        dfs += t * t;
    }
    (fs, dfs)
}

/// The `j`-th root (ascending) of `1/ρ + Σᵢ wᵢ²/(pᵢ − λ) = 0` for strictly increasing poles `p`
/// and nonzero `w`, as `(origin, μ)` with `λ = p[origin] + μ`.
#[inline(always)]
fn secular_root(p: &[Real], w: &[Real], rho: Real, j: usize, sh: &mut [Real]) -> (usize, Real) {
    let k = p.len();
    let rinv = rho.recip();
    let last = j + 1 == k;
    let (origin, mut lo, mut hi) = if last {
        let wsq: Real = w.iter().map(|x| x * x).sum();
        shift_into(sh, p, j);
        (j, 0.0, rho * wsq)
    } else {
        let gap = p[j + 1] - p[j];
        shift_into(sh, p, j);
        let (psi, _, phi, _) = split_sums(sh, w, j, gap / 2.0);
        if rinv + psi + phi >= 0.0 {
            (j, 0.0, gap / 2.0)
        } else {
            shift_into(sh, p, j + 1);
            (j + 1, -gap / 2.0, 0.0)
        }
    };
    let sh = &*sh;
    let (left, right) = (sh[j], if last { Real::INFINITY } else { sh[j + 1] });
    let mut mu = if origin == j { hi } else { lo };
    for _ in 0..100 {
        let (psi, dpsi, phi, dphi) = split_sums(sh, w, j, mu);
        let val = rinv + psi + phi;
        if val.abs() <= 8.0 * Real::EPSILON * (rinv - psi + phi) || val.is_nan() {
            break;
        }
        if val > 0.0 {
            hi = mu;
        } else {
            lo = mu;
        }
        if hi - lo <= 2.0 * Real::EPSILON * lo.abs().max(hi.abs()) {
            break;
        }
        // fit ψ ≈ a + b/(left − x) and φ ≈ c + s/(right − x) at μ, solve for x
        let b = dpsi * (left - mu) * (left - mu);
        let a = psi - b / (left - mu);
        let step = if last {
            let den = rinv + a;
            if den > 0.0 { left + b / den } else { Real::NAN }
        } else {
            let s = dphi * (right - mu) * (right - mu);
            let c0 = rinv + a + (phi - s / (right - mu));
            // c0 (L − x)(R − x) + b (R − x) + s (L − x) = 0
            let qa = c0;
            let qb = -(c0 * (left + right) + b + s);
            let qc = c0 * left * right + b * right + s * left;
            if qa == 0.0 {
                -qc / qb
            } else {
                let disc = (qb * qb - 4.0 * qa * qc).max(0.0).sqrt();
                let t = -0.5 * (qb + disc.copysign(qb));
                let (x1, x2) = (t / qa, qc / t);
                if x1 > lo && x1 < hi { x1 } else { x2 }
            }
        };
        mu = if step > lo && step < hi {
            step
        } else {
            0.5 * (lo + hi)
        };
    }
    (origin, mu)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};

    fn check(d0: &[Real], e0: &[Real], label: &str) -> Vec<Real> {
        let n = d0.len();
        let mut d = d0.to_vec();
        let mut v = vec![0.0; n * n];
        tridiagonal_eigen(&mut d, e0, &mut v, &mut Workspace::default()).expect("converges");
        let norm = d0
            .iter()
            .chain(e0)
            .fold(0.0, |a: Real, x| a.max(x.abs()))
            .max(Real::MIN_POSITIVE);
        // backward stability: ‖T V − V Λ‖ and ‖VᵀV − I‖ within 64 n ε (relative to ‖T‖)
        let bound = 64.0 * n as Real * Real::EPSILON;
        let vv = nalgebra::DMatrix::from_column_slice(n, n, &v);
        let mut t = nalgebra::DMatrix::<Real>::zeros(n, n);
        for i in 0..n {
            t[(i, i)] = d0[i];
            if i + 1 < n {
                t[(i + 1, i)] = e0[i];
                t[(i, i + 1)] = e0[i];
            }
        }
        let res = &t * &vv
            - &vv * nalgebra::DMatrix::from_diagonal(&nalgebra::DVector::from_column_slice(&d));
        assert!(
            res.amax() <= bound * norm,
            "{label}: residual {:e}",
            res.amax() / norm
        );
        let orth = vv.transpose() * &vv - nalgebra::DMatrix::<Real>::identity(n, n);
        assert!(
            orth.amax() <= bound,
            "{label}: orthogonality {:e}",
            orth.amax()
        );
        assert!(d.windows(2).all(|p| p[0] <= p[1]), "{label}: not ascending");
        // eigenvalues against nalgebra's implicit QR on the dense T (an independent solver)
        let mut want: Vec<Real> = nalgebra::SymmetricEigen::new(t)
            .eigenvalues
            .iter()
            .copied()
            .collect();
        want.sort_by(|a, b| a.total_cmp(b));
        for (i, (a, b)) in d.iter().zip(&want).enumerate() {
            assert!(
                (a - b).abs() <= bound * norm,
                "{label}: eigenvalue {i}: {a} vs {b}"
            );
        }
        d
    }

    #[test]
    fn random_tridiagonals_of_every_size_class() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        for n in [1usize, 2, 3, 5, 31, 32, 33, 64, 65, 100, 130, 200] {
            let d: Vec<Real> = (0..n).map(|_| rng.random::<Real>() * 2.0 - 1.0).collect();
            let e: Vec<Real> = (0..n.saturating_sub(1))
                .map(|_| rng.random::<Real>() * 2.0 - 1.0)
                .collect();
            check(&d, &e, &format!("random n = {n}"));
        }
    }

    /// The dispatched merge (AVX2 / AVX-512 where the CPU has them) gives the same bits as the
    /// build's baseline.
    #[test]
    fn simd_paths_agree_bit_for_bit() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        let n = 157;
        let d0: Vec<Real> = (0..n).map(|_| rng.random::<Real>()).collect();
        let e0: Vec<Real> = (0..n - 1).map(|_| rng.random::<Real>() - 0.5).collect();
        let run = |baseline: bool| {
            let (mut d, mut v) = (d0.clone(), vec![0.0; n * n]);
            tridiagonal_eigen_on(&mut d, &e0, &mut v, &mut Workspace::default(), baseline)
                .expect("converges");
            d.iter()
                .chain(&v)
                .map(|x| x.to_bits())
                .collect::<Vec<u64>>()
        };
        assert_eq!(run(true), run(false));
    }

    /// A workspace left over from a larger problem (stale values in every buffer) gives the same
    /// bits as a fresh one.
    #[test]
    fn reused_workspace_changes_nothing() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        let mut work = Workspace::default();
        let big = 180;
        let (mut d, mut v) = (
            (0..big).map(|_| rng.random::<Real>()).collect::<Vec<_>>(),
            vec![0.0; big * big],
        );
        let e: Vec<Real> = (0..big - 1).map(|_| rng.random::<Real>()).collect();
        tridiagonal_eigen(&mut d, &e, &mut v, &mut work).expect("converges");
        let n = 97;
        let d0: Vec<Real> = (0..n).map(|_| rng.random::<Real>()).collect();
        let e0: Vec<Real> = (0..n - 1).map(|_| rng.random::<Real>() * 1e-3).collect();
        let run = |work: &mut Workspace| {
            let (mut d, mut v) = (d0.clone(), vec![1.0; n * n]);
            tridiagonal_eigen(&mut d, &e0, &mut v, work).expect("converges");
            d.iter()
                .chain(&v)
                .map(|x| x.to_bits())
                .collect::<Vec<u64>>()
        };
        assert_eq!(run(&mut work), run(&mut Workspace::default()));
    }

    /// Non-finite input ends (no panic, no endless iteration) with an error or a non-finite result,
    /// which the caller rejects.
    #[test]
    fn non_finite_input_terminates() {
        for bad in [Real::NAN, Real::INFINITY] {
            let n = 90;
            let mut d: Vec<Real> = (0..n).map(|i| i as Real).collect();
            let mut e = vec![0.5; n - 1];
            e[60] = bad;
            d[10] = bad;
            let mut v = vec![0.0; n * n];
            let res = tridiagonal_eigen(&mut d, &e, &mut v, &mut Workspace::default());
            assert!(
                res.is_err() || d.iter().chain(&v).any(|x| !x.is_finite()),
                "{bad}"
            );
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]
        /// Clustered spectra, where deflation does most of the work: the diagonal takes a few
        /// distinct values plus perturbations from 0 to 1e-6, each coupling is 0, tiny or O(1);
        /// the result must still be backward stable and match nalgebra's eigenvalues.
        #[test]
        fn clustered_tridiagonals(
            n in 33usize..140,
            centers in proptest::collection::vec(-5.0f64..5.0, 1..4),
            seed in 0u64..1_000_000,
            spread_exp in -16i32..-5,
        ) {
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
            let spread = 10f64.powi(spread_exp);
            let d: Vec<Real> = (0..n)
                .map(|_| centers[rng.random_range(0..centers.len())] + spread * (rng.random::<Real>() - 0.5))
                .collect();
            let e: Vec<Real> = (0..n - 1)
                .map(|_| match rng.random_range(0..3) {
                    0 => 0.0,
                    1 => 1e-12 * (rng.random::<Real>() - 0.5),
                    _ => rng.random::<Real>() - 0.5,
                })
                .collect();
            check(&d, &e, &format!("clustered n = {n}, seed {seed}"));
        }
    }

    /// Known spectrum: the 1-2-1 matrix has eigenvalues `2 − 2 cos(kπ/(n+1))`.
    #[test]
    fn toeplitz_121_has_its_closed_form_spectrum() {
        let n = 150;
        let got = check(&vec![2.0; n], &vec![-1.0; n - 1], "1-2-1");
        for (k, g) in got.iter().enumerate() {
            let want = 2.0 - 2.0 * ((k + 1) as Real * std::f64::consts::PI / (n + 1) as Real).cos();
            assert!((g - want).abs() < 1e-13, "k = {k}: {g} vs {want}");
        }
    }

    /// Deflation paths: zero couplings (every `z` entry deflates), equal diagonals (close poles,
    /// rotated away), Wilkinson's W⁺ (pairs equal to many digits), glued copies of it, a graded
    /// diagonal over 20 decades, and the CMA-ES start `C ≈ I`.
    #[test]
    fn deflation_cases() {
        let n = 120;
        check(
            &(0..n).map(|i| i as Real).collect::<Vec<_>>(),
            &vec![0.0; n - 1],
            "diagonal",
        );
        check(&vec![1.0; n], &vec![1e-9; n - 1], "equal diagonal");
        let wil = |m: usize| -> Vec<Real> {
            let h = (m / 2) as Real;
            (0..m).map(|i| (h - i as Real).abs()).collect()
        };
        check(&wil(121), &vec![1.0; 120], "Wilkinson W21+ (n = 121)");
        let mut dg = Vec::new();
        let mut eg = Vec::new();
        for g in 0..6 {
            dg.extend(wil(21));
            eg.extend(vec![1.0; 20]);
            if g < 5 {
                eg.push(1e-10);
            }
        }
        check(&dg, &eg, "glued Wilkinson");
        check(
            &(0..n)
                .map(|i| 10f64.powf(-10.0 + 20.0 * i as Real / (n - 1) as Real))
                .collect::<Vec<_>>(),
            &vec![1e-3; n - 1],
            "graded",
        );
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        check(
            &(0..n)
                .map(|_| 1.0 + 1e-4 * rng.random::<Real>())
                .collect::<Vec<_>>(),
            &(0..n - 1)
                .map(|_| 1e-4 * rng.random::<Real>())
                .collect::<Vec<_>>(),
            "near identity",
        );
    }
}
