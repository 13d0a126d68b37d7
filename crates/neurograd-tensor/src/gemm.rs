//! Dense f64 matrix products (GEMM) behind a safe API: `C = α op(A) op(B) + β C`.
//!
//! Every matrix product of the credit-assignment networks, the autodiff tape and the im2col
//! convolution goes through [`gemm`] (or [`gemm_into`] for a raw output buffer). The kernel is
//! `faer`'s `matmul` (`faer::linalg::matmul::matmul`), which picks at run time, on the CPU it runs
//! on, between
//!
//! - `nano-gemm`'s unpacked small-matrix kernels for `m·n·k ≤ 16³` (the MLP readout layers, the
//!   size-≤5 products),
//! - matrix-vector kernels when the output has one row or one column,
//! - `private-gemm-x86`'s AVX-512 or AVX2+FMA kernels for everything larger (and `gemm`'s portable
//!   kernels on CPUs with neither),
//!
//! so a plain `cargo build --release` binary (baseline x86-64 target) uses AVX-512 where the CPU
//! has it. The unsafe code lives in faer; this module and the rest of neurograd stay
//! `unsafe_code = "forbid"`.
//!
//! # Operands
//!
//! An operand is a [`GemmRef`]: a column-major buffer (a [`Matrix`]'s storage, or any slice read as
//! one) or its transpose, which is a strided view of the same buffer, so `Aᵀ` costs no copy. The
//! output is a [`Matrix`] ([`gemm`]) or a column-major slice ([`gemm_into`]).
//!
//! # β
//!
//! `β = 0` overwrites `C` without reading it (NaN or infinite entries of `C` do not propagate, as in
//! BLAS and nalgebra), `β = 1` accumulates, any other `β` first scales `C` by `β`, then accumulates.
//!
//! # Threads and determinism
//!
//! Products run on one thread unless the environment variable `MATMUL_NUM_THREADS` (read once per
//! process; the same variable that sets the thread count of the `matrixmultiply` crate behind
//! nalgebra's own `gemm`) asks for more; then products with `m·n·k ≥ 2²⁰` (about 100³; smaller
//! ones lose more to the thread hand-off than they gain) use that many threads of rayon's pool.
//! A parallel product cuts its output into blocks of whole rows or whole columns and computes
//! each block with the sequential kernel and the same depth blocks (`k ≤ 512` in one block,
//! deeper reductions in `⌈k / 448⌉` near-equal blocks, accumulated in order), so the result is
//! bit-identical for every thread count (tested in `tests/gemm.rs` and `tests/threads.rs`).
//! Results can differ in the last bits between CPUs with different SIMD widths (AVX-512 vs AVX2:
//! the kernels' tile shapes differ), as with any BLAS.

use std::sync::OnceLock;

use faer::linalg::matmul::matmul;
use faer::reborrow::ReborrowMut;
use faer::{Accum, MatMut, MatRef, Par};

use crate::{Matrix, Real};

/// A read-only GEMM operand: a column-major `rows × cols` buffer, or the transpose of one.
///
/// Built from a [`Matrix`] ([`GemmRef::from`], [`GemmRef::t`]) or from a slice
/// ([`GemmRef::col_major`]); [`transpose`](GemmRef::transpose) flips it without copying.
#[derive(Clone, Copy, Debug)]
pub struct GemmRef<'a> {
    data: &'a [Real],
    /// rows of the stored (column-major) buffer
    rows: usize,
    /// columns of the stored buffer
    cols: usize,
    /// distance in `data` between the starts of two stored columns (`rows` unless strided)
    col_stride: usize,
    /// whether the operand is the transpose of the stored buffer
    transposed: bool,
}

impl<'a> GemmRef<'a> {
    /// The `rows × cols` matrix stored column-major in `data` (`data.len() == rows·cols`).
    ///
    /// # Panics
    /// If `data.len() != rows·cols` (or the product overflows).
    pub fn col_major(data: &'a [Real], rows: usize, cols: usize) -> Self {
        assert_eq!(
            rows.checked_mul(cols),
            Some(data.len()),
            "GemmRef::col_major: {rows} x {cols} does not match a buffer of {}",
            data.len()
        );
        Self {
            data,
            rows,
            cols,
            col_stride: rows,
            transposed: false,
        }
    }

    /// The `rows × cols` matrix whose column `j` is `data[j·col_stride .. j·col_stride + rows]`:
    /// a block of rows of a larger column-major matrix (`col_stride` = its number of rows), or
    /// columns that overlap (`col_stride < rows`, e.g. the shifted windows of a convolution read
    /// straight from its input). Read-only, so overlap is allowed.
    ///
    /// # Panics
    /// If the last element `(cols − 1)·col_stride + rows − 1` lies outside `data` (or the address
    /// overflows).
    pub fn col_major_strided(
        data: &'a [Real],
        rows: usize,
        cols: usize,
        col_stride: usize,
    ) -> Self {
        let fits = rows == 0
            || cols == 0
            || (cols - 1)
                .checked_mul(col_stride)
                .and_then(|v| v.checked_add(rows))
                .is_some_and(|end| end <= data.len());
        assert!(
            fits,
            "GemmRef::col_major_strided: {rows} x {cols} with column stride {col_stride} does not fit a buffer of {}",
            data.len()
        );
        Self {
            data,
            rows,
            cols,
            col_stride,
            transposed: false,
        }
    }

    /// `mᵀ` as an operand, without copying.
    pub fn t(m: &'a Matrix) -> Self {
        Self::from(m).transpose()
    }

    /// The transpose of this operand (no copy).
    #[must_use]
    pub fn transpose(self) -> Self {
        Self {
            transposed: !self.transposed,
            ..self
        }
    }

    /// The `(rows, cols)` of the operand as it enters the product.
    pub fn shape(&self) -> (usize, usize) {
        if self.transposed {
            (self.cols, self.rows)
        } else {
            (self.rows, self.cols)
        }
    }

    fn faer(&self) -> MatRef<'a, Real> {
        let m = MatRef::from_column_major_slice_with_stride(
            self.data,
            self.rows,
            self.cols,
            self.col_stride,
        );
        if self.transposed { m.transpose() } else { m }
    }
}

impl<'a> GemmRef<'a> {
    fn nalgebra(&self) -> nalgebra::DMatrixView<'a, Real, nalgebra::Dyn, nalgebra::Dyn> {
        let (r, c) = self.shape();
        // stored (i, j) sits at i + j·col_stride; the transpose swaps the strides
        let (rs, cs) = if self.transposed {
            (self.col_stride, 1)
        } else {
            (1, self.col_stride)
        };
        nalgebra::DMatrixView::from_slice_with_strides(self.data, r, c, rs, cs)
    }
}

/// A GEMM kernel, for [`gemm_with_kernel`]. [`gemm`] always uses [`Kernel::Faer`].
///
/// Why one kernel: `examples/gemm_probe.rs` times both on the square, MLP and LeNet shapes,
/// interleaved in one process at the same thread count. On an AVX-512 Xeon (1 thread,
/// `MATMUL_NUM_THREADS=1`, load average 9-17 from other jobs, 2026-12-03) the time ratio
/// matrixmultiply / faer was 1.16-1.19 at 256³, 1.07-1.41 at 1024³, 1.04-6.4 on the ten MLP
/// products and 0.94-4.0 on the six LeNet products, with no shape where matrixmultiply was faster
/// in every run (single runs of the tall 2048·150·16 product went either way, 0.55-1.75). An
/// earlier probe that seemed to show matrixmultiply ahead at 256³, 1024³ and on the tall LeNet
/// products ran it with `MATMUL_NUM_THREADS` unset, which makes matrixmultiply (feature
/// `threading`) use every physical core, against faer on one thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kernel {
    /// `faer`'s `matmul` (nano-gemm / private-gemm-x86, runtime AVX2/AVX-512 dispatch).
    Faer,
    /// nalgebra's `gemm` on strided views, i.e. `matrixmultiply`'s `dgemm` (runtime AVX/FMA
    /// dispatch; its own thread count, `MATMUL_NUM_THREADS` or else every physical core, with
    /// the `parallel` feature). Used only when `m`, `k` and `n` all exceed 5 (nalgebra's own
    /// condition for calling matrixmultiply); smaller products take faer.
    MatrixMultiply,
}

impl<'a> From<&'a Matrix> for GemmRef<'a> {
    fn from(m: &'a Matrix) -> Self {
        Self {
            data: m.as_slice(),
            rows: m.nrows(),
            cols: m.ncols(),
            col_stride: m.nrows(),
            transposed: false,
        }
    }
}

/// Products with at least this many multiply-adds (`m·n·k`) may use several threads.
pub const PAR_THRESHOLD_MNK: usize = 1 << 20;

/// The thread count for large products: `MATMUL_NUM_THREADS` if it is a positive integer, else 1.
pub fn threads() -> usize {
    static THREADS: OnceLock<usize> = OnceLock::new();
    *THREADS.get_or_init(|| {
        std::env::var("MATMUL_NUM_THREADS")
            .ok()
            .and_then(|s| s.trim().parse::<usize>().ok())
            .filter(|&t| t > 0)
            .unwrap_or(1)
    })
}

/// `c = α a b + β c` with `c` a [`Matrix`]. Shapes: `a` is `m × k`, `b` is `k × n`, `c` is `m × n`.
///
/// # Panics
/// If the shapes do not match (a programming error, as in nalgebra's `gemm`).
pub fn gemm(c: &mut Matrix, alpha: Real, a: GemmRef<'_>, b: GemmRef<'_>, beta: Real) {
    let (m, n) = c.shape();
    gemm_into(c.as_mut_slice(), m, n, alpha, a, b, beta);
}

/// [`gemm`] with the thread count given explicitly (`threads ≤ 1`: sequential), for the tests and
/// benchmarks of the parallel kernel; [`gemm`] uses [`threads()`].
///
/// # Panics
/// As [`gemm`].
pub fn gemm_with_threads(
    c: &mut Matrix,
    alpha: Real,
    a: GemmRef<'_>,
    b: GemmRef<'_>,
    beta: Real,
    threads: usize,
) {
    let (m, n) = c.shape();
    gemm_raw(c.as_mut_slice(), m, n, m, alpha, a, b, beta, threads, None);
}

/// [`gemm_with_threads`] with the kernel chosen, for the probe (`examples/gemm_probe.rs`) that
/// compares them and the tests of both. [`Kernel::MatrixMultiply`] needs every dimension above 5
/// (nalgebra's condition); smaller products take faer regardless. The `threads` argument
/// applies to faer only.
///
/// # Panics
/// As [`gemm`].
pub fn gemm_with_kernel(
    c: &mut Matrix,
    alpha: Real,
    a: GemmRef<'_>,
    b: GemmRef<'_>,
    beta: Real,
    threads: usize,
    kernel: Kernel,
) {
    let (m, n) = c.shape();
    gemm_raw(
        c.as_mut_slice(),
        m,
        n,
        m,
        alpha,
        a,
        b,
        beta,
        threads,
        Some(kernel),
    );
}

/// `c = α a b + β c` with `c` the `m × n` column-major buffer `c` (`c.len() == m·n`).
///
/// # Panics
/// If the shapes or the buffer length do not match.
pub fn gemm_into(
    c: &mut [Real],
    m: usize,
    n: usize,
    alpha: Real,
    a: GemmRef<'_>,
    b: GemmRef<'_>,
    beta: Real,
) {
    gemm_raw(c, m, n, m, alpha, a, b, beta, threads(), None);
}

/// [`gemm_into`] with the output a block of a larger column-major buffer: `C[i, j]` is
/// `c[i + j·col_stride]` (`col_stride ≥ m`), e.g. a block of rows of a taller matrix. Entries of
/// `c` outside the block are not touched.
///
/// # Panics
/// If the shapes do not match, `col_stride < m`, or the block does not fit in `c`.
#[allow(clippy::too_many_arguments)]
pub fn gemm_into_strided(
    c: &mut [Real],
    m: usize,
    n: usize,
    col_stride: usize,
    alpha: Real,
    a: GemmRef<'_>,
    b: GemmRef<'_>,
    beta: Real,
) {
    gemm_raw(c, m, n, col_stride, alpha, a, b, beta, threads(), None);
}

/// Shared body of the public entry points.
#[allow(clippy::too_many_arguments)]
fn gemm_raw(
    c: &mut [Real],
    m: usize,
    n: usize,
    col_stride: usize,
    alpha: Real,
    a: GemmRef<'_>,
    b: GemmRef<'_>,
    beta: Real,
    threads: usize,
    kernel: Option<Kernel>,
) {
    let (am, ak) = a.shape();
    let (bk, bn) = b.shape();
    assert!(
        am == m && bn == n && ak == bk,
        "gemm: ({m} x {n}) = ({am} x {ak}) ({bk} x {bn}) does not match"
    );
    let fits = m == 0
        || n == 0
        || (col_stride >= m
            && (n - 1)
                .checked_mul(col_stride)
                .and_then(|v| v.checked_add(m))
                .is_some_and(|end| end <= c.len()));
    assert!(
        fits,
        "gemm: output {m} x {n} with column stride {col_stride} does not fit a buffer of {}",
        c.len()
    );
    if kernel == Some(Kernel::MatrixMultiply) && m.min(ak).min(n) > 5 {
        // nalgebra's `gemm` on strided views: with every dimension above 5 it calls
        // matrixmultiply's `dgemm`, which also never reads `c` when β = 0.
        let mut cv = nalgebra::DMatrixViewMut::from_slice_with_strides_mut(c, m, n, 1, col_stride);
        cv.gemm(alpha, &a.nalgebra(), &b.nalgebra(), beta);
        return;
    }
    let accum = if beta == 0.0 {
        Accum::Replace
    } else {
        if beta != 1.0 {
            for j in 0..n {
                c[j * col_stride..j * col_stride + m]
                    .iter_mut()
                    .for_each(|v| *v *= beta);
            }
        }
        Accum::Add
    };
    let dst = MatMut::from_column_major_slice_with_stride_mut(c, m, n, col_stride);
    let work = m.saturating_mul(n).saturating_mul(ak);
    let threads = if work >= PAR_THRESHOLD_MNK {
        threads.max(1)
    } else {
        1
    };
    if b.transposed && copies_rhs(m, ak, n) {
        let run = |buf: &mut Vec<Real>| {
            product(dst, accum, a.faer(), transpose_into(b, buf), alpha, threads);
        };
        // the thread's kept buffer, unless it is too large to keep or already in use (a product
        // nested in this one through rayon's work stealing)
        RHS_COPY.with(|cell| match cell.try_borrow_mut() {
            Ok(mut buf) if ak * n <= RHS_COPY_KEEP => run(&mut buf),
            _ => run(&mut Vec::new()),
        });
        return;
    }
    product(dst, accum, a.faer(), b.faer(), alpha, threads);
}

/// Smallest block of output rows or columns a parallel product hands to one thread.
const SPLIT_MIN: usize = 32;

/// `dst = α a b (+ dst)` on `threads` threads: the larger output dimension (columns on a tie) is
/// cut into two blocks, in proportion `⌊t/2⌋ : t - ⌊t/2⌋`, at a multiple of 8, and the two
/// blocks are computed under `rayon::join` by this function with that many threads each; one
/// thread, or a block under `2·SPLIT_MIN` wide in both dimensions, runs [`product_seq`].
///
/// Every entry of `dst` is computed by [`product_seq`] with the same depth blocks whatever the
/// split, and the microkernels accumulate each entry over `k` in order, so the result does not
/// depend on `threads` (tested bit for bit in `tests/gemm.rs` and `tests/threads.rs`).
///
/// Why not faer's own parallel kernel (`Par::rayon`): on the idle 2-vCPU AMD EPYC (AVX2,
/// 2026-12-05), square products from the main thread, 2 threads, GFLOP/s of faer's split / this
/// one: 52-53 / 58-73 at n = 128, 73-76 / 85-88 at 256, 88-91 / 85-89 at 512, 83-89 / 86-87 at
/// 1024. (private-gemm-x86 0.1 tiles a parallel product differently from a sequential one: it
/// cuts both dimensions at whole-matrix and L3-sized chunks instead of the L2-sized ones; which
/// part of that costs the time was not measured.)
fn product(
    dst: MatMut<'_, Real>,
    accum: Accum,
    a: MatRef<'_, Real>,
    b: MatRef<'_, Real>,
    alpha: Real,
    threads: usize,
) {
    let (m, n) = (dst.nrows(), dst.ncols());
    if threads > 1 && m.max(n) >= 2 * SPLIT_MIN {
        let left = threads / 2;
        let cut = |len: usize| {
            let at = (len * left / threads).next_multiple_of(8);
            at.clamp(SPLIT_MIN, len - SPLIT_MIN)
        };
        if n >= m {
            let h = cut(n);
            let (d0, d1) = dst.split_at_col_mut(h);
            let (b0, b1) = (b.subcols(0, h), b.subcols(h, n - h));
            rayon::join(
                || product(d0, accum, a, b0, alpha, left),
                || product(d1, accum, a, b1, alpha, threads - left),
            );
        } else {
            let h = cut(m);
            let (d0, d1) = dst.split_at_row_mut(h);
            let (a0, a1) = (a.subrows(0, h), a.subrows(h, m - h));
            rayon::join(
                || product(d0, accum, a0, b, alpha, left),
                || product(d1, accum, a1, b, alpha, threads - left),
            );
        }
        return;
    }
    product_seq(dst, accum, a, b, alpha);
}

/// Depth blocks of [`product_seq`]: `k ≤ 512` is one block (faer's own blocking then also runs it
/// as one); deeper reductions are cut into `⌈k / 448⌉` blocks of near-equal size (`⌈k / blocks⌉`,
/// the last one shorter).
///
/// Why: faer's kernel blocks the depth by 512 itself; on the idle 2-vCPU AMD EPYC (AVX2, 512 KiB
/// L2, 2026-12-05), one thread, GFLOP/s with blocks of 512 / 448 / 384 / 344: 41.8-42.5 / 44.6-45.0
/// / 44.4-45.3 / 44.9-45.3 at 1024³, 39.9-40.8 / - / 42.8-43.7 / 42.8-44.0 at 2048³, and
/// 44.0-44.4 (512) / 46.4-46.8 (392) at `128·784·256` (the MNIST forward product).
fn depth_block(k: usize) -> usize {
    if k <= 512 {
        k.max(1)
    } else {
        k.div_ceil(k.div_ceil(448))
    }
}

/// `dst = α a b (+ dst)` on this thread: the depth in blocks of [`depth_block`], each block one
/// call of faer's sequential `matmul`, accumulated into `dst` in order.
fn product_seq(
    mut dst: MatMut<'_, Real>,
    accum: Accum,
    a: MatRef<'_, Real>,
    b: MatRef<'_, Real>,
    alpha: Real,
) {
    let k = a.ncols();
    let kc = depth_block(k);
    if k <= kc {
        matmul(dst, accum, a, b, alpha, Par::Seq);
        return;
    }
    let mut k0 = 0;
    while k0 < k {
        let kk = kc.min(k - k0);
        let acc = if k0 == 0 { accum } else { Accum::Add };
        matmul(
            dst.rb_mut(),
            acc,
            a.subcols(k0, kk),
            b.subrows(k0, kk),
            alpha,
            Par::Seq,
        );
        k0 += kk;
    }
}

/// Whether an `m × k` by `k × n` product whose right operand is a transposed view (its `k`
/// index strided by the stored column length) first copies that operand column-major.
///
/// faer's x86 kernel (private-gemm-x86 0.1) packs the right operand only for very tall products
/// (`m` in the thousands) and otherwise reads it in place, one row of `nr = 4` (AVX2) entries
/// per step of `k`. Through a transposed view those rows lie a whole stored column apart (2 KiB
/// for a 256-row weight matrix), so consecutive steps map to the same few L1 sets and evict each
/// other. On the idle 2-vCPU AMD EPYC (AVX2, 2026-12-05), one thread, time through the view over
/// time with the copy (the copy included): 1.18-1.23 at `128·784·256` (the MLP and local-rule
/// forward product `X Wᵀ`), 1.13-1.16 at `128·256·128`, 1.51-1.55 at `512³`, 1.27-1.29 at
/// `256·1024·64`; with `m = 32` or `k = 64` the copy cost more than it saved (0.72-0.94), at
/// `m = 64` it was even (0.97-1.09). The kernel's arithmetic does not depend on where it reads
/// the operand: the products are bit-identical either way (tested).
fn copies_rhs(m: usize, k: usize, n: usize) -> bool {
    m >= 128 && k >= 128 && m.saturating_mul(n).saturating_mul(k) >= 1 << 21
}

/// Largest copied right operand (elements) kept in [`RHS_COPY`] between products (8 MiB); a
/// larger one is allocated for its product only.
const RHS_COPY_KEEP: usize = 1 << 20;

std::thread_local! {
    /// The reused buffer of [`copies_rhs`]'s copies, one per thread.
    static RHS_COPY: std::cell::RefCell<Vec<Real>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Copy the transposed operand `b` (`k × n`, stored as an `n × k` column-major buffer) into `buf`
/// column-major and view it: four output columns at a time, each step reading four contiguous
/// stored entries (0.4-0.6 ns per entry here).
fn transpose_into<'b>(b: GemmRef<'_>, buf: &'b mut Vec<Real>) -> MatRef<'b, Real> {
    debug_assert!(b.transposed);
    let (k, n) = b.shape();
    let (src, ld) = (b.data, b.col_stride);
    if buf.len() < k * n {
        buf.resize(k * n, 0.0);
    }
    let out = &mut buf[..k * n];
    let n4 = n / 4 * 4;
    for (j4, cols) in out[..k * n4].chunks_exact_mut(4 * k).enumerate() {
        let j0 = 4 * j4;
        let (c0, rest) = cols.split_at_mut(k);
        let (c1, rest) = rest.split_at_mut(k);
        let (c2, c3) = rest.split_at_mut(k);
        for l in 0..k {
            let s: &[Real; 4] = src[j0 + ld * l..][..4].try_into().expect("four entries");
            c0[l] = s[0];
            c1[l] = s[1];
            c2[l] = s[2];
            c3[l] = s[3];
        }
    }
    for j in n4..n {
        for (l, d) in out[k * j..k * (j + 1)].iter_mut().enumerate() {
            *d = src[j + ld * l];
        }
    }
    MatRef::from_column_major_slice(out, k, n)
}

/// `c = α a b + β c` for [`Matrix`] operands (no transposes).
///
/// # Panics
/// As [`gemm`].
pub fn gemm_nn(c: &mut Matrix, alpha: Real, a: &Matrix, b: &Matrix, beta: Real) {
    gemm(c, alpha, a.into(), b.into(), beta);
}

/// `c = α a bᵀ + β c`, `bᵀ` read in place.
///
/// # Panics
/// As [`gemm`].
pub fn gemm_nt(c: &mut Matrix, alpha: Real, a: &Matrix, b: &Matrix, beta: Real) {
    gemm(c, alpha, a.into(), GemmRef::t(b), beta);
}

/// `c = α aᵀ b + β c`, `aᵀ` read in place.
///
/// # Panics
/// As [`gemm`].
pub fn gemm_tn(c: &mut Matrix, alpha: Real, a: &Matrix, b: &Matrix, beta: Real) {
    gemm(c, alpha, GemmRef::t(a), b.into(), beta);
}

/// The product `a b` as a new matrix.
///
/// # Panics
/// As [`gemm`].
pub fn matmul_new(a: GemmRef<'_>, b: GemmRef<'_>) -> Matrix {
    let mut c = Matrix::zeros(a.shape().0, b.shape().1);
    gemm(&mut c, 1.0, a, b, 0.0);
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(a: &Matrix, b: &Matrix) -> Matrix {
        Matrix::from_fn(a.nrows(), b.ncols(), |i, j| {
            (0..a.ncols()).map(|l| a[(i, l)] * b[(l, j)]).sum()
        })
    }

    /// A block of rows of a column-major buffer and overlapping (shifted-window) columns as
    /// operands, and a block of rows of a taller matrix as the output, with both kernels; entries
    /// outside the output block stay untouched, β = 0 does not read the block.
    #[test]
    fn strided_operands_and_output() {
        let big = Matrix::from_fn(9, 4, |i, j| (i * 4 + j) as Real * 0.25 - 3.0);
        let b = Matrix::from_fn(4, 3, |i, j| (i + 2 * j) as Real - 2.5);
        // rows 2..7 of `big`
        let a_block = Matrix::from_fn(5, 4, |i, j| big[(i + 2, j)]);
        // overlapping columns: column j is data[j .. j + 6]
        let data: Vec<Real> = (0..12).map(|v| v as Real * 0.5 - 1.0).collect();
        let a_win = Matrix::from_fn(6, 4, |i, j| data[i + j]);
        for kernel in [Kernel::Faer, Kernel::MatrixMultiply] {
            for (a, a_ref) in [
                (
                    GemmRef::col_major_strided(&big.as_slice()[2..], 5, 4, 9),
                    &a_block,
                ),
                (GemmRef::col_major_strided(&data, 6, 4, 1), &a_win),
            ] {
                let m = a_ref.nrows();
                let want = naive(a_ref, &b);
                // output: rows 1 .. 1 + m of a (m + 3) x 3 matrix
                let mut c = vec![Real::NAN; (m + 3) * 3];
                let ld = m + 3;
                gemm_raw(
                    &mut c[1..],
                    m,
                    3,
                    ld,
                    1.0,
                    a,
                    (&b).into(),
                    0.0,
                    1,
                    Some(kernel),
                );
                for j in 0..3 {
                    assert!(c[j * ld].is_nan(), "{kernel:?}: row 0 was written");
                    for i in 0..m {
                        let got = c[1 + i + j * ld];
                        assert!((got - want[(i, j)]).abs() < 1e-12, "{kernel:?} ({i}, {j})");
                    }
                    for i in m + 1..ld {
                        assert!(c[i + j * ld].is_nan(), "{kernel:?}: row {i} was written");
                    }
                }
                // β = 2 accumulates onto the block
                let mut c2: Vec<Real> = vec![1.0; (m + 3) * 3];
                gemm_into_strided(&mut c2[1..], m, 3, ld, 1.0, a, (&b).into(), 2.0);
                assert!((c2[1] - (2.0 + want[(0, 0)])).abs() < 1e-12);
                assert_eq!(c2[0], 1.0);
            }
        }
    }

    /// The copy of a transposed right operand ([`copies_rhs`]) gives the bits of the same product
    /// (same depth blocks and split) on the strided view itself, for sizes on both sides of every threshold, strided (a block of
    /// rows) and plain storage, β = 0 and 1, one and two threads; and the copy is exact.
    #[test]
    fn transposed_rhs_copy_is_bit_identical_to_the_view() {
        let val = |s: usize| ((s.wrapping_mul(2_654_435_761) % 1000) as Real) / 500.0 - 1.0;
        for &(m, k, n) in &[
            (128, 784, 256),
            (128, 128, 128),
            (131, 200, 67),
            (130, 129, 5),
            (127, 300, 300),
            (200, 127, 100),
            (16, 16, 16),
        ] {
            // b is the transpose of an n x k block of rows of an (n + 3) x k buffer
            let ld = n + 3;
            let store: Vec<Real> = (0..ld * k).map(|s| val(s + 7)).collect();
            let b = GemmRef::col_major_strided(&store[1..], n, k, ld).transpose();
            let a = Matrix::from_fn(m, k, |i, l| val(i * 31 + l * 17));
            let c0 = Matrix::from_fn(m, n, |i, j| val(i + 5 * j));
            let mut buf = Vec::new();
            let copy = transpose_into(b, &mut buf);
            for l in 0..k {
                for j in 0..n {
                    assert_eq!(copy[(l, j)], store[1 + j + ld * l], "copy ({l}, {j})");
                }
            }
            for threads in [1, 2] {
                for beta in [0.0, 1.0] {
                    let mut got = c0.clone();
                    gemm_with_threads(&mut got, 0.75, (&a).into(), b, beta, threads);
                    let mut want = c0.clone();
                    let threads = if m * n * k >= PAR_THRESHOLD_MNK {
                        threads
                    } else {
                        1
                    };
                    let accum = if beta == 0.0 {
                        Accum::Replace
                    } else {
                        Accum::Add
                    };
                    let dst = MatMut::from_column_major_slice_mut(want.as_mut_slice(), m, n);
                    product(
                        dst,
                        accum,
                        GemmRef::from(&a).faer(),
                        b.faer(),
                        0.75,
                        threads,
                    );
                    assert!(
                        got.iter()
                            .zip(want.iter())
                            .all(|(x, y)| x.to_bits() == y.to_bits()),
                        "{m}x{k}x{n}, {threads} threads, beta {beta}: copy {} the view",
                        if copies_rhs(m, k, n) {
                            "differs from"
                        } else {
                            "(not taken) differs from"
                        }
                    );
                    let naive_ab = naive(&a, &Matrix::from_fn(k, n, |l, j| store[1 + j + ld * l]));
                    let err = (0..m * n)
                        .map(|e| (got[e] - (0.75 * naive_ab[e] + beta * c0[e])).abs())
                        .fold(0.0, Real::max);
                    assert!(err < 1e-11, "{m}x{k}x{n}: error {err}");
                }
            }
        }
        assert!(
            copies_rhs(128, 784, 256) && !copies_rhs(32, 784, 256) && !copies_rhs(128, 64, 512)
        );
    }

    /// The depth blocks cover `k` exactly, in `⌈k / 448⌉` blocks of at most 448 once `k > 512`,
    /// and one block up to 512; and the blocked product is the product (against the triple loop,
    /// at depths on both sides of 512, with equal blocks (897 = 3 · 299) and a short last one
    /// (1031 = 2 · 344 + 343)).
    #[test]
    fn depth_blocks_cover_the_reduction() {
        for k in 0..3000 {
            let kc = depth_block(k);
            let blocks = k.div_ceil(kc);
            if k <= 512 {
                assert!(blocks <= 1 && kc >= k, "k = {k}: {blocks} blocks of {kc}");
            } else {
                assert!(
                    kc <= 448 && blocks == k.div_ceil(448),
                    "k = {k}: {blocks} of {kc}"
                );
                assert!(
                    kc * blocks >= k && kc * (blocks - 1) < k,
                    "k = {k}: {blocks} of {kc}"
                );
            }
        }
        let val = |s: usize| ((s.wrapping_mul(2_654_435_761) % 1000) as Real) / 500.0 - 1.0;
        for &(m, k, n) in &[(9, 512, 7), (9, 513, 7), (20, 897, 11), (5, 1031, 3)] {
            let a = Matrix::from_fn(m, k, |i, l| val(i * 31 + l * 17));
            let b = Matrix::from_fn(k, n, |l, j| val(l * 13 + j * 7 + 3));
            let mut got = Matrix::from_element(m, n, Real::NAN);
            let dst = MatMut::from_column_major_slice_mut(got.as_mut_slice(), m, n);
            product_seq(
                dst,
                Accum::Replace,
                GemmRef::from(&a).faer(),
                GemmRef::from(&b).faer(),
                1.5,
            );
            let want = naive(&a, &b);
            for e in 0..m * n {
                assert!(
                    (got[e] - 1.5 * want[e]).abs() < 1e-12,
                    "{m}x{k}x{n} entry {e}"
                );
            }
        }
    }

    #[test]
    #[should_panic(expected = "does not fit")]
    fn strided_operand_out_of_bounds_panics() {
        let data = [0.0; 10];
        let _ = GemmRef::col_major_strided(&data, 4, 3, 4);
    }
}
