//! `neurograd_tensor::gemm` against a naive triple loop: every transpose combination, α and β
//! (0, 1, other), empty, size-≤5 and multi-block shapes (depth above the kernel's 512 block),
//! and bit-identical results with 1 and 2 threads.

use neurograd_tensor::gemm::{
    self, GemmRef, Kernel, gemm_into, gemm_with_kernel, gemm_with_threads,
};
use neurograd_tensor::{Matrix, Real};

use crate::common::{rng, unif};

/// `α op(a) op(b) + β c0` by the definition, summed in `k` order.
fn naive(
    alpha: Real,
    a: &Matrix,
    ta: bool,
    b: &Matrix,
    tb: bool,
    beta: Real,
    c0: &Matrix,
) -> Matrix {
    let ea = |i: usize, p: usize| if ta { a[(p, i)] } else { a[(i, p)] };
    let eb = |p: usize, j: usize| if tb { b[(j, p)] } else { b[(p, j)] };
    let k = if ta { a.nrows() } else { a.ncols() };
    Matrix::from_fn(c0.nrows(), c0.ncols(), |i, j| {
        let s: Real = (0..k).map(|p| ea(i, p) * eb(p, j)).sum();
        let base = if beta == 0.0 { 0.0 } else { beta * c0[(i, j)] };
        base + alpha * s
    })
}

fn operand(m: &Matrix, t: bool) -> GemmRef<'_> {
    if t { GemmRef::t(m) } else { GemmRef::from(m) }
}

const SHAPES: &[(usize, usize, usize)] = &[
    (0, 0, 0),
    (0, 3, 4),
    (4, 0, 3),
    (3, 4, 0),
    (1, 1, 1),
    (1, 7, 1),
    (1, 9, 6),
    (6, 9, 1),
    (2, 2, 2),
    (3, 9, 8),
    (8, 3, 9),
    (9, 8, 2),
    (5, 5, 5),
    (5, 1, 6),
    (6, 6, 6),
    (7, 9, 30),
    (32, 64, 256),
    (32, 256, 10),
    (10, 32, 256),
    (49, 25, 6),
    (6, 49, 25),
    (97, 600, 53),
    (130, 70, 125),
];

/// Claim: for every shape, transpose pattern and (α, β), `gemm` equals the naive triple loop
/// (relative 1e-13 of the magnitude `k`), and with β = 0 does not read `c` (NaNs in `c` vanish).
#[test]
fn matches_naive_triple_loop() {
    let mut g = rng(11);
    for &(m, k, n) in SHAPES {
        for (ta, tb) in [(false, false), (false, true), (true, false), (true, true)] {
            let a = if ta {
                unif(k, m, -1.0, 1.0, &mut g)
            } else {
                unif(m, k, -1.0, 1.0, &mut g)
            };
            let b = if tb {
                unif(n, k, -1.0, 1.0, &mut g)
            } else {
                unif(k, n, -1.0, 1.0, &mut g)
            };
            let c0 = unif(m, n, -1.0, 1.0, &mut g);
            for (alpha, beta) in [(1.0, 0.0), (1.0, 1.0), (-0.7, 0.5), (2.0, -3.0)] {
                let want = naive(alpha, &a, ta, &b, tb, beta, &c0);
                let mut c = if beta == 0.0 {
                    Matrix::from_element(m, n, Real::NAN)
                } else {
                    c0.clone()
                };
                gemm::gemm(&mut c, alpha, operand(&a, ta), operand(&b, tb), beta);
                let tol = 1e-13 * (k as Real + 1.0) * 4.0;
                for (x, y) in c.iter().zip(want.iter()) {
                    assert!(
                        (x - y).abs() <= tol,
                        "{m}x{k}x{n} ta={ta} tb={tb} a={alpha} b={beta}: {x} vs {y}"
                    );
                }
            }
        }
    }
}

/// The `Matrix` shorthands and the slice entry point agree with the general form bit for bit.
#[test]
fn shorthands_and_slices() {
    let mut g = rng(12);
    let a = unif(7, 4, -1.0, 1.0, &mut g);
    let b = unif(9, 4, -1.0, 1.0, &mut g);
    let d = unif(7, 9, -1.0, 1.0, &mut g);
    let mut c1 = Matrix::zeros(7, 9);
    gemm::gemm_nt(&mut c1, 1.5, &a, &b, 0.0);
    let mut c2 = Matrix::zeros(7, 9);
    gemm::gemm(&mut c2, 1.5, (&a).into(), GemmRef::t(&b), 0.0);
    assert_eq!(c1, c2);
    let want = naive(1.0, &a, true, &d, false, 0.0, &Matrix::zeros(4, 9));
    let mut c3 = Matrix::zeros(4, 9);
    gemm::gemm_tn(&mut c3, 1.0, &a, &d, 0.0);
    assert!((&c3 - &want).amax() < 1e-13);
    let bt = b.transpose();
    let mut c4 = Matrix::zeros(7, 9);
    gemm::gemm_nn(&mut c4, 1.5, &a, &bt, 0.0);
    assert!((&c4 - &c1).amax() < 1e-13);
    // a raw column-major buffer as operand and as output
    let mut out = vec![0.0; 63];
    gemm_into(
        &mut out,
        7,
        9,
        1.5,
        GemmRef::col_major(a.as_slice(), 7, 4),
        GemmRef::col_major(b.as_slice(), 9, 4).transpose(),
        0.0,
    );
    assert_eq!(out.as_slice(), c1.as_slice());
    let mut c5 = Matrix::from_element(7, 9, Real::NAN);
    gemm::gemm_nt(&mut c5, 1.0, &a, &b, 0.0);
    assert_eq!(gemm::matmul_new((&a).into(), GemmRef::t(&b)), c5);
}

/// Control: mismatched shapes are rejected, not read out of bounds.
#[test]
#[should_panic(expected = "does not match")]
fn shape_mismatch_panics() {
    let a = Matrix::zeros(3, 4);
    let b = Matrix::zeros(5, 2);
    let mut c = Matrix::zeros(3, 2);
    gemm::gemm(&mut c, 1.0, (&a).into(), (&b).into(), 0.0);
}

/// Control: a buffer that is not `rows·cols` long is rejected.
#[test]
#[should_panic(expected = "does not match a buffer")]
fn short_buffer_panics() {
    let data = [0.0; 5];
    let _ = GemmRef::col_major(&data, 2, 3);
}

/// Claim (house rule: results do not depend on the thread count): 1 and 2 threads give
/// bit-identical products on shapes above the parallel threshold, with edge tiles in both
/// output dimensions, depths above one 512-block and every transpose pattern.
#[test]
fn bit_identical_one_and_two_threads() {
    let mut g = rng(13);
    for &(m, k, n) in &[
        (256, 256, 256),
        (301, 700, 157),
        (97, 1030, 203),
        (1000, 40, 60),
        (128, 784, 256),
        // blocks at the split's minimum (64 / 2 = 32 rows or columns each), odd and unaligned
        // cuts, deep reductions (k > 2 · 512) and row splits (m > n)
        (64, 1100, 70),
        (70, 1100, 64),
        (2050, 33, 66),
        (67, 300, 1031),
        (1024, 1024, 10),
    ] {
        assert!(m * n * k >= gemm::PAR_THRESHOLD_MNK);
        for (ta, tb) in [(false, false), (false, true), (true, false), (true, true)] {
            let a = if ta {
                unif(k, m, -1.0, 1.0, &mut g)
            } else {
                unif(m, k, -1.0, 1.0, &mut g)
            };
            let b = if tb {
                unif(n, k, -1.0, 1.0, &mut g)
            } else {
                unif(k, n, -1.0, 1.0, &mut g)
            };
            let c0 = unif(m, n, -1.0, 1.0, &mut g);
            let mut c1 = c0.clone();
            let mut c2 = c0.clone();
            gemm_with_threads(&mut c1, 0.3, operand(&a, ta), operand(&b, tb), 1.0, 1);
            gemm_with_threads(&mut c2, 0.3, operand(&a, ta), operand(&b, tb), 1.0, 2);
            let same = c1
                .iter()
                .zip(c2.iter())
                .all(|(x, y)| x.to_bits() == y.to_bits());
            assert!(same, "{m}x{k}x{n} ta={ta} tb={tb}: 1 and 2 threads differ");
            // and 3 (an uneven split into blocks of a third and two thirds, then halves)
            let mut c3 = c0.clone();
            gemm_with_threads(&mut c3, 0.3, operand(&a, ta), operand(&b, tb), 1.0, 3);
            let same = c1
                .iter()
                .zip(c3.iter())
                .all(|(x, y)| x.to_bits() == y.to_bits());
            assert!(same, "{m}x{k}x{n} ta={ta} tb={tb}: 1 and 3 threads differ");
            // and both are the product (so the test cannot pass on two equal wrong answers)
            let want = naive(0.3, &a, ta, &b, tb, 1.0, &c0);
            assert!((&c1 - &want).amax() < 1e-12 * k as Real);
        }
    }
}

/// Square, thin, tall and long-reduction shapes, with a dimension at 5 / 6 (nalgebra's condition
/// for calling matrixmultiply).
const BOTH: &[(usize, usize, usize)] = &[
    (128, 128, 64),
    (300, 5, 900),
    (300, 6, 90),
    (600, 40, 5),
    (600, 40, 6),
    (5, 900, 300),
    (2048, 25, 6),
    (6, 2048, 25),
    (256, 128, 200),
    (10, 128, 256),
];

/// Claim: both kernels equal the naive triple loop for every transpose pattern and β (0, 1,
/// other), and `gemm` gives bit for bit what the faer kernel gives.
#[test]
fn both_kernels_match_naive() {
    let mut g = rng(14);
    for &(m, k, n) in BOTH {
        for (ta, tb) in [(false, false), (false, true), (true, false), (true, true)] {
            let a = if ta {
                unif(k, m, -1.0, 1.0, &mut g)
            } else {
                unif(m, k, -1.0, 1.0, &mut g)
            };
            let b = if tb {
                unif(n, k, -1.0, 1.0, &mut g)
            } else {
                unif(k, n, -1.0, 1.0, &mut g)
            };
            let c0 = unif(m, n, -1.0, 1.0, &mut g);
            for (alpha, beta) in [(1.0, 0.0), (1.0, 1.0), (-0.7, 0.5)] {
                let want = naive(alpha, &a, ta, &b, tb, beta, &c0);
                let tol = 1e-13 * (k as Real + 1.0) * 4.0;
                let start = || {
                    if beta == 0.0 {
                        Matrix::from_element(m, n, Real::NAN)
                    } else {
                        c0.clone()
                    }
                };
                let mut picked = start();
                gemm::gemm(&mut picked, alpha, operand(&a, ta), operand(&b, tb), beta);
                for kernel in [Kernel::Faer, Kernel::MatrixMultiply] {
                    let mut c = start();
                    let (ar, br) = (operand(&a, ta), operand(&b, tb));
                    gemm_with_kernel(&mut c, alpha, ar, br, beta, 1, kernel);
                    let err = (&c - &want).amax();
                    assert!(
                        err <= tol,
                        "{kernel:?} {m}x{k}x{n} ta={ta} tb={tb} b={beta}: error {err}"
                    );
                    if kernel == Kernel::Faer {
                        let same = c
                            .iter()
                            .zip(picked.iter())
                            .all(|(x, y)| x.to_bits() == y.to_bits());
                        assert!(same, "{m}x{k}x{n}: gemm is not the faer kernel");
                    }
                }
            }
        }
    }
}
