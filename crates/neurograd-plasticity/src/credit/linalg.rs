//! Allocation-free matrix products with transposed operands, and small row/column helpers.
//!
//! The products are [`neurograd_tensor::gemm`]'s (faer's kernels with runtime SIMD dispatch); a
//! transposed operand is read in place, so no transposed copy is made.
//!
//! History: these products used to go through nalgebra's `gemm` on strided views. With nalgebra
//! 0.35, when any of `c.nrows, c.ncols, a.nrows, a.ncols` is at most 5, that `gemm` falls back to
//! a column-by-column `gemv` whose `axcpy` iterates over the *storage span* of a strided operand
//! instead of its length, writing out of bounds. [`neurograd_tensor::gemm`] does not use that
//! path; the tests below keep the size-≤5 shapes with transposed operands covered.

use neurograd_tensor::{Matrix, Real, gemm};

/// `c = alpha * a * b + beta * c`.
pub(crate) fn gemm_nn(c: &mut Matrix, alpha: Real, a: &Matrix, b: &Matrix, beta: Real) {
    gemm::gemm_nn(c, alpha, a, b, beta);
}

/// `c = alpha * a * bᵀ + beta * c`.
pub(crate) fn gemm_nt(c: &mut Matrix, alpha: Real, a: &Matrix, b: &Matrix, beta: Real) {
    gemm::gemm_nt(c, alpha, a, b, beta);
}

/// `c = alpha * aᵀ * b + beta * c`.
pub(crate) fn gemm_tn(c: &mut Matrix, alpha: Real, a: &Matrix, b: &Matrix, beta: Real) {
    gemm::gemm_tn(c, alpha, a, b, beta);
}

/// Adds the row vector `b` (1 x n) to every row of `m` (batch x n).
pub(crate) fn add_row(m: &mut Matrix, b: &Matrix) {
    for (j, mut col) in m.column_iter_mut().enumerate() {
        let bj = b[(0, j)];
        for v in col.iter_mut() {
            *v += bj;
        }
    }
}

/// Writes `alpha * column sums of m` into the row `out` (1 x n).
pub(crate) fn col_sums_into(out: &mut Matrix, alpha: Real, m: &Matrix) {
    let rows = m.nrows();
    if rows == 0 {
        out.fill(alpha * 0.0);
        return;
    }
    // Columns are contiguous slices (column-major); each is summed in order from +0.0, as
    // nalgebra's `sum` does, so the result is bit-identical to it. Four columns at a time: four
    // independent addition chains instead of one (the sums are latency-bound otherwise).
    let data = m.as_slice();
    let outs = out.as_mut_slice();
    let quads = outs.len() / 4;
    for (o4, c4) in outs.chunks_exact_mut(4).zip(data.chunks_exact(4 * rows)) {
        let (c0, rest) = c4.split_at(rows);
        let (c1, rest) = rest.split_at(rows);
        let (c2, c3) = rest.split_at(rows);
        let mut s = [0.0; 4];
        for (((&v0, &v1), &v2), &v3) in c0.iter().zip(c1).zip(c2).zip(c3) {
            s[0] += v0;
            s[1] += v1;
            s[2] += v2;
            s[3] += v3;
        }
        for (o, sv) in o4.iter_mut().zip(s) {
            *o = alpha * sv;
        }
    }
    let sums = data[4 * quads * rows..]
        .chunks_exact(rows)
        .map(|c| c.iter().fold(0.0, |s, &v| s + v));
    for (o, s) in outs[4 * quads..].iter_mut().zip(sums) {
        *o = alpha * s;
    }
}

/// `y += a · x` elementwise (same shapes).
pub(crate) fn axpy(y: &mut Matrix, a: Real, x: &Matrix) {
    for (yv, &xv) in y.as_mut_slice().iter_mut().zip(x.as_slice()) {
        *yv += a * xv;
    }
}

/// Resizes `m` to `(rows, cols)` only if its shape differs (contents then unspecified: zeros).
pub(crate) fn ensure_shape(m: &mut Matrix, rows: usize, cols: usize) {
    if m.shape() != (rows, cols) {
        *m = Matrix::zeros(rows, cols);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Column sums equal nalgebra's `row_sum` (each column summed in order from +0.0) bit for
    /// bit, for column counts with and without a remainder of the four-column blocks.
    #[test]
    fn col_sums_are_nalgebras_bit_for_bit() {
        for (rows, cols) in [(1, 1), (3, 4), (32, 256), (32, 10), (7, 9), (5, 3), (0, 5)] {
            let m = Matrix::from_fn(rows, cols, |i, j| {
                ((i * 13 + j * 7) as Real * 0.37).sin() * 1e3
            });
            let mut out = Matrix::from_element(1, cols, Real::NAN);
            col_sums_into(&mut out, -0.5, &m);
            for j in 0..cols {
                let want = -0.5 * m.column(j).sum();
                assert_eq!(
                    out[(0, j)].to_bits(),
                    want.to_bits(),
                    "{rows}x{cols} column {j}"
                );
            }
        }
    }

    #[test]
    fn transposed_products_match_naive() {
        let a = Matrix::from_fn(7, 9, |i, j| (i as Real) * 0.3 - (j as Real) * 0.1 + 0.05);
        let b = Matrix::from_fn(8, 9, |i, j| ((i * j) as Real).sin());
        let mut c = Matrix::zeros(7, 8);
        gemm_nt(&mut c, 1.0, &a, &b, 0.0);
        assert!((&c - &a * b.transpose()).amax() < 1e-12);
        let d = Matrix::from_fn(7, 6, |i, j| (i + 2 * j) as Real * 0.01);
        let mut e = Matrix::zeros(9, 6);
        gemm_tn(&mut e, 2.0, &a, &d, 0.0);
        assert!((&e - 2.0 * a.transpose() * &d).amax() < 1e-12);
        // Small shapes (nalgebra's fallback path) with strided operands.
        for (m, k, n) in [
            (3, 9, 8),
            (8, 3, 9),
            (9, 8, 2),
            (2, 2, 2),
            (6, 6, 6),
            (7, 9, 30),
            (10, 32, 40),
            (3, 9, 40),
            (1, 1, 1),
            (1, 7, 1),
            (5, 5, 5),
            (5, 1, 6),
            (0, 3, 4),
            (4, 0, 3),
        ] {
            let a = Matrix::from_fn(m, k, |i, j| (i * 7 + j) as Real * 0.01);
            let b = Matrix::from_fn(n, k, |i, j| (i + 3 * j) as Real * 0.02);
            let mut c = Matrix::zeros(m, n);
            gemm_nt(&mut c, 1.0, &a, &b, 0.0);
            assert!((&c - &a * b.transpose()).amax() < 1e-12);
            let at = a.transpose();
            let mut c2 = Matrix::zeros(m, n);
            gemm_tn(&mut c2, 1.0, &at, &b.transpose(), 0.0);
            assert!((&c2 - &a * b.transpose()).amax() < 1e-12);
            // Accumulating form (beta != 0).
            let c0 = Matrix::from_fn(m, n, |i, j| (i as Real) - 0.5 * (j as Real));
            let want = 0.5 * &c0 + 2.0 * &a * b.transpose();
            let mut c3 = c0.clone();
            gemm_nt(&mut c3, 2.0, &a, &b, 0.5);
            assert!((&c3 - &want).amax() < 1e-12);
            let mut c4 = c0.clone();
            gemm_tn(&mut c4, 2.0, &at, &b.transpose(), 0.5);
            assert!((&c4 - &want).amax() < 1e-12);
        }
    }
}
