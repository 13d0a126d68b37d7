//! Convolution and pooling (vision reference §1 and §7, tests T1–T4).
//!
//! - T1: the adjoint (dot-product) identity `⟨conv(X;W), G⟩ = ⟨X, ∂_X(G;W)⟩ = ⟨W, ∂_W(X,G)⟩`,
//!   exact because conv is bilinear, over a grid of strides, paddings, dilations and non-square
//!   shapes; control: a col2im that assigns instead of adding breaks it by > 1e-2.
//! - T2: forward and backward against a naive 7-loop reference (< 1e-12); control: the ceil
//!   output-size formula gives a different shape wherever the stride does not divide the span.
//! - T3: finite differences through conv → ReLU → max-pool → avg-pool → linear → CE with
//!   kink-avoiding inputs (< 1e-7); control: exact ties (all-zero windows after ReLU, integer
//!   pixel values) produce O(1) errors that the check detects.
//! - T4: max-pool routing with overlapping windows (k = 3, s = 2): per input, the gradient equals
//!   the sum of `G` over the windows where it is the first maximum; control: routing to every tied
//!   position makes the total exceed `Σ G`.

use neurograd_tensor::conv::{
    Conv2dGeometry, Conv2dParams, ImageShape, Pool2dGeometry, Pool2dParams, avg_pool2d,
    avg_pool2d_backward, global_avg_pool, global_avg_pool_backward, max_pool2d,
    max_pool2d_backward,
};
use neurograd_tensor::{Matrix, Real, TensorError};

use crate::common::{rng, unif};

/// `⌊(n + 2p − d(k−1) − 1)/s⌋ + 1`, written out independently of the library.
fn out_len_floor(n: usize, k: usize, s: usize, p: usize, d: usize) -> usize {
    (n + 2 * p - d * (k - 1) - 1) / s + 1
}

/// The wrong (ceil) variant, for the T2 control.
fn out_len_ceil(n: usize, k: usize, s: usize, p: usize, d: usize) -> usize {
    (n + 2 * p - d * (k - 1) - 1).div_ceil(s) + 1
}

/// One test case of the conv grid: input (C, H, W), params, batch.
#[derive(Clone, Copy, Debug)]
struct Case {
    c: usize,
    h: usize,
    w: usize,
    k: usize,
    r: usize,
    s: usize,
    stride: (usize, usize),
    pad: (usize, usize),
    dil: (usize, usize),
    n: usize,
}

impl Case {
    fn geometry(&self) -> Conv2dGeometry {
        let p = Conv2dParams::new(self.k, 1)
            .with_kernel(self.r, self.s)
            .with_stride2(self.stride.0, self.stride.1)
            .with_padding2(self.pad.0, self.pad.1)
            .with_dilation2(self.dil.0, self.dil.1);
        Conv2dGeometry::new(ImageShape::new(self.c, self.h, self.w).unwrap(), p).unwrap()
    }

    fn ho(&self, f: fn(usize, usize, usize, usize, usize) -> usize) -> (usize, usize) {
        (
            f(self.h, self.r, self.stride.0, self.pad.0, self.dil.0),
            f(self.w, self.s, self.stride.1, self.pad.1, self.dil.1),
        )
    }
}

/// The grid of T1/T2: strides 1–3, paddings 0–2, dilations 1–2, non-square images and kernels,
/// strides that do not divide the span, batch 1 and 3.
fn grid() -> Vec<Case> {
    let mut v = Vec::new();
    for (i, &(sh, sw)) in [(1, 1), (2, 2), (3, 3), (2, 1), (1, 3)].iter().enumerate() {
        for &(ph, pw) in &[(0, 0), (1, 1), (2, 2), (0, 2)] {
            for &(dh, dw) in &[(1, 1), (2, 2), (1, 2)] {
                let (h, w) = (7 + i % 2, 6 + (i + ph) % 3);
                let c = Case {
                    c: 1 + (i + dh) % 3,
                    h,
                    w,
                    k: 2 + (ph + dw) % 2,
                    r: 3,
                    s: 2 + (i % 2),
                    stride: (sh, sw),
                    pad: (ph, pw),
                    dil: (dh, dw),
                    n: 1 + 2 * ((i + ph + dh) % 2),
                };
                v.push(c);
            }
        }
    }
    v
}

/// Naive 7-loop forward: `Y[n,k,i,j] = b_k + Σ_{c,r,t} W[k,c,r,t] Xp[n,c,i s + r d, j s + t d]`.
fn naive_forward(case: &Case, x: &Matrix, w: &Matrix, b: &Matrix) -> Matrix {
    let (ho, wo) = case.ho(out_len_floor);
    naive_forward_sized(case, x, w, b, ho, wo)
}

fn naive_forward_sized(
    case: &Case,
    x: &Matrix,
    w: &Matrix,
    b: &Matrix,
    ho: usize,
    wo: usize,
) -> Matrix {
    let mut y = Matrix::zeros(case.n, case.k * ho * wo);
    for n in 0..case.n {
        for k in 0..case.k {
            for i in 0..ho {
                for j in 0..wo {
                    let mut acc = b[(0, k)];
                    for c in 0..case.c {
                        for r in 0..case.r {
                            for t in 0..case.s {
                                let hh = (i * case.stride.0 + r * case.dil.0) as isize
                                    - case.pad.0 as isize;
                                let ww = (j * case.stride.1 + t * case.dil.1) as isize
                                    - case.pad.1 as isize;
                                if hh < 0
                                    || ww < 0
                                    || hh >= case.h as isize
                                    || ww >= case.w as isize
                                {
                                    continue;
                                }
                                let xi = (c * case.h + hh as usize) * case.w + ww as usize;
                                let wi = (c * case.r + r) * case.s + t;
                                acc += w[(k, wi)] * x[(n, xi)];
                            }
                        }
                    }
                    y[(n, (k * ho + i) * wo + j)] = acc;
                }
            }
        }
    }
    y
}

/// Naive 7-loop backward: returns (dX, dW, db).
fn naive_backward(case: &Case, x: &Matrix, w: &Matrix, g: &Matrix) -> (Matrix, Matrix, Matrix) {
    let (ho, wo) = case.ho(out_len_floor);
    let mut dx = Matrix::zeros(x.nrows(), x.ncols());
    let mut dw = Matrix::zeros(w.nrows(), w.ncols());
    let mut db = Matrix::zeros(1, case.k);
    for n in 0..case.n {
        for k in 0..case.k {
            for i in 0..ho {
                for j in 0..wo {
                    let gv = g[(n, (k * ho + i) * wo + j)];
                    db[(0, k)] += gv;
                    for c in 0..case.c {
                        for r in 0..case.r {
                            for t in 0..case.s {
                                let hh = (i * case.stride.0 + r * case.dil.0) as isize
                                    - case.pad.0 as isize;
                                let ww = (j * case.stride.1 + t * case.dil.1) as isize
                                    - case.pad.1 as isize;
                                if hh < 0
                                    || ww < 0
                                    || hh >= case.h as isize
                                    || ww >= case.w as isize
                                {
                                    continue;
                                }
                                let xi = (c * case.h + hh as usize) * case.w + ww as usize;
                                let wi = (c * case.r + r) * case.s + t;
                                dx[(n, xi)] += w[(k, wi)] * gv;
                                dw[(k, wi)] += x[(n, xi)] * gv;
                            }
                        }
                    }
                }
            }
        }
    }
    (dx, dw, db)
}

/// Max |a − b|, or the two shapes if they differ.
fn max_abs_diff(a: &Matrix, b: &Matrix) -> Result<Real, ((usize, usize), (usize, usize))> {
    if a.shape() != b.shape() {
        return Err((a.shape(), b.shape()));
    }
    Ok(a.iter()
        .zip(b.iter())
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, Real::max))
}

fn inputs(case: &Case, seed: u64) -> (Matrix, Matrix, Matrix, Matrix) {
    let geom = case.geometry();
    let mut g = rng(seed);
    let x = unif(case.n, case.c * case.h * case.w, -1.0, 1.0, &mut g);
    let (wr, wc) = geom.weight_shape();
    let w = unif(wr, wc, -1.0, 1.0, &mut g);
    let b = unif(1, case.k, -1.0, 1.0, &mut g);
    let gy = unif(case.n, geom.output().len(), -1.0, 1.0, &mut g);
    (x, w, b, gy)
}

/// T2. Claim: the im2col + GEMM forward and the col2im/GEMM backward compute the definition of
/// §1 (a 7-loop sum) to rounding (< 1e-12 absolute on O(1) data) over the whole grid, and the
/// geometry's output size is the floor formula. Control: the ceil formula differs for every case
/// where the stride does not divide the span, and a reference of that size fails the comparison
/// with a shape mismatch (so an off-by-one output size cannot pass).
#[test]
fn t2_conv_matches_naive_seven_loop_reference() {
    let mut ceil_controls = 0;
    for (ci, case) in grid().iter().enumerate() {
        let geom = case.geometry();
        let (ho, wo) = case.ho(out_len_floor);
        assert_eq!(
            (geom.output().height, geom.output().width),
            (ho, wo),
            "{case:?}"
        );
        let (x, w, b, gy) = inputs(case, 100 + ci as u64);
        let y = geom.forward(&x, &w, Some(&b)).unwrap();
        let y_ref = naive_forward(case, &x, &w, &b);
        let e = max_abs_diff(&y, &y_ref).unwrap();
        assert!(e < 1e-12, "forward {case:?}: {e}");
        let (dx_ref, dw_ref, db_ref) = naive_backward(case, &x, &w, &gy);
        let dx = geom.backward_input(&gy, &w).unwrap();
        let dw = geom.backward_weight(&x, &gy).unwrap();
        let db = geom.backward_bias(&gy).unwrap();
        for (what, a, r) in [
            ("dx", &dx, &dx_ref),
            ("dw", &dw, &dw_ref),
            ("db", &db, &db_ref),
        ] {
            let e = max_abs_diff(a, r).unwrap();
            assert!(e < 1e-12, "{what} {case:?}: {e}");
        }
        // control: the ceil formula
        let (hc, wc) = case.ho(out_len_ceil);
        if (hc, wc) != (ho, wo) {
            ceil_controls += 1;
            let y_ceil = naive_forward_sized(case, &x, &w, &b, hc, wc);
            assert!(max_abs_diff(&y, &y_ceil).is_err(), "{case:?}");
        }
    }
    assert!(
        ceil_controls >= 20,
        "only {ceil_controls} non-dividing cases"
    );
}
