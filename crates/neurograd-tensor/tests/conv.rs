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
use neurograd_tensor::gradcheck::numerical_gradient;
use neurograd_tensor::{Activation, Matrix, Real, Tape, TensorError, Var};

use crate::common::{FD_TOL, rng, tape_vs_fd, unif};

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

/// The taps of output position `(i, j)` that read a real pixel: `(input column, weight column)`
/// pairs over `(c, r, t)`, from the definition `X_p[c, i s + r d, j s + t d]`.
fn taps(case: &Case, i: usize, j: usize) -> Vec<(usize, usize)> {
    let mut v = Vec::new();
    for c in 0..case.c {
        for r in 0..case.r {
            for t in 0..case.s {
                let hh = (i * case.stride.0 + r * case.dil.0) as isize - case.pad.0 as isize;
                let ww = (j * case.stride.1 + t * case.dil.1) as isize - case.pad.1 as isize;
                if hh < 0 || ww < 0 || hh >= case.h as isize || ww >= case.w as isize {
                    continue;
                }
                let xi = (c * case.h + hh as usize) * case.w + ww as usize;
                v.push((xi, (c * case.r + r) * case.s + t));
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
                    for (xi, wi) in taps(case, i, j) {
                        acc += w[(k, wi)] * x[(n, xi)];
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
                    for (xi, wi) in taps(case, i, j) {
                        dx[(n, xi)] += w[(k, wi)] * gv;
                        dw[(k, wi)] += x[(n, xi)] * gv;
                    }
                }
            }
        }
    }
    (dx, dw, db)
}

/// The shapes of two matrices that cannot be compared.
type ShapePair = ((usize, usize), (usize, usize));

fn max_abs_diff(a: &Matrix, b: &Matrix) -> Result<Real, ShapePair> {
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

/// `⟨a, b⟩` over all entries.
fn dot(a: &Matrix, b: &Matrix) -> Real {
    a.iter().zip(b.iter()).map(|(x, y)| x * y).sum()
}

fn rel(a: Real, b: Real) -> Real {
    (a - b).abs() / a.abs().max(b.abs())
}

/// A col2im that **assigns** instead of adding (the pitfall of §1), built only from the public
/// im2col: im2col of an image of unique ids gives, for each patch entry, the pixel it came from.
fn col2im_assign(geom: &Conv2dGeometry, dcols: &Matrix, n: usize) -> Matrix {
    let len = geom.input().len();
    let ids = Matrix::from_fn(n, len, |r, c| (1 + r + n * c) as Real);
    let mut src = Matrix::zeros(0, 0);
    geom.im2col(&ids, &mut src).unwrap();
    let mut dx = Matrix::zeros(n, len);
    for (&id, &v) in src.iter().zip(dcols.iter()) {
        if id > 0.0 {
            let e = id as usize - 1; // column-major index into dx
            dx.as_mut_slice()[e] = v;
        }
    }
    dx
}

/// Whether two taps of the convolution read the same input pixel (windows overlap), found by
/// im2col of an image of unique ids.
fn reads_a_pixel_twice(geom: &Conv2dGeometry) -> bool {
    let ids = Matrix::from_fn(1, geom.input().len(), |_, c| (1 + c) as Real);
    let mut src = Matrix::zeros(0, 0);
    geom.im2col(&ids, &mut src).unwrap();
    let mut seen = vec![false; geom.input().len()];
    for &id in src.iter().filter(|&&id| id > 0.0) {
        let e = id as usize - 1;
        if seen[e] {
            return true;
        }
        seen[e] = true;
    }
    false
}

/// `G W` as a patch-gradient matrix in the im2col row order.
fn patch_grad(geom: &Conv2dGeometry, g: &Matrix, w: &Matrix) -> Matrix {
    let (rows, k) = (geom.output().plane() * g.nrows(), geom.output().channels);
    Matrix::from_column_slice(rows, k, g.as_slice()) * w
}

/// The kernel rotated by 180° in each (k, c) plane: the "wrong flip" of the control.
fn flip_kernel(case: &Case, w: &Matrix) -> Matrix {
    Matrix::from_fn(w.nrows(), w.ncols(), |k, q| {
        let (c, rt) = (q / (case.r * case.s), q % (case.r * case.s));
        let (r, t) = (rt / case.s, rt % case.s);
        w[(k, (c * case.r + case.r - 1 - r) * case.s + case.s - 1 - t)]
    })
}

/// T1. Claim: conv is bilinear, so its backward maps are its exact adjoints:
/// `⟨conv(X;W), G⟩ = ⟨X, ∂_X(G;W)⟩ = ⟨W, ∂_W(X,G)⟩` (relative mismatch < 1e-10 in f64, rounding
/// only) over strides 1–3, paddings 0–2, dilations 1–2, non-square shapes and non-dividing strides.
/// Controls (calibrated on this grid): a col2im that assigns instead of adding breaks the identity
/// by > 1e-2 wherever windows overlap, and so does backpropagating through the 180°-flipped kernel.
#[test]
fn t1_conv_backward_is_the_exact_adjoint() {
    let (mut worst, mut worst_assign, mut worst_flip) =
        (0.0 as Real, Real::INFINITY, Real::INFINITY);
    let mut overlapping = 0;
    for (ci, case) in grid().iter().enumerate() {
        let geom = case.geometry();
        let (x, w, _, gy) = inputs(case, 200 + ci as u64);
        let y = geom.forward(&x, &w, None).unwrap();
        let lhs = dot(&y, &gy);
        let dx = geom.backward_input(&gy, &w).unwrap();
        let dw = geom.backward_weight(&x, &gy).unwrap();
        worst = worst
            .max(rel(lhs, dot(&x, &dx)))
            .max(rel(lhs, dot(&w, &dw)));
        // controls: the largest mismatch over three probe adjoints G (one random G can make the
        // two inner products agree by chance)
        let probes: Vec<Matrix> = (0..3)
            .map(|p| {
                unif(
                    gy.nrows(),
                    gy.ncols(),
                    -1.0,
                    1.0,
                    &mut rng(300 + 7 * ci as u64 + p),
                )
            })
            .collect();
        let bad = |dx_of: &dyn Fn(&Matrix) -> Matrix| -> Real {
            probes
                .iter()
                .map(|g| rel(dot(&y, g), dot(&x, &dx_of(g))))
                .fold(0.0, Real::max)
        };
        if reads_a_pixel_twice(&geom) {
            overlapping += 1;
            let e = bad(&|g| col2im_assign(&geom, &patch_grad(&geom, g, &w), case.n));
            worst_assign = worst_assign.min(e);
        }
        let wf = flip_kernel(case, &w);
        worst_flip = worst_flip.min(bad(&|g| geom.backward_input(g, &wf).unwrap()));
    }
    assert!(worst < 1e-10, "adjoint mismatch {worst}");
    assert!(overlapping >= 30, "{overlapping}");
    assert!(
        worst_assign > 1e-2,
        "assigning col2im passed: {worst_assign}"
    );
    assert!(worst_flip > 1e-2, "flipped kernel passed: {worst_flip}");
}

/// Pooling on a [`Case`]: the window is `(r, s)`, the dilation 1 and `k` unused.
impl Case {
    fn pool_geometry(&self, include_pad: bool) -> Pool2dGeometry {
        let p = Pool2dParams::new(1)
            .with_kernel(self.r, self.s)
            .with_stride2(self.stride.0, self.stride.1)
            .with_padding2(self.pad.0, self.pad.1)
            .with_count_include_pad(include_pad);
        Pool2dGeometry::new(ImageShape::new(self.c, self.h, self.w).unwrap(), p).unwrap()
    }

    /// The input pixels of channel `c`'s pooling window (i, j), row-major, as input columns.
    fn window(&self, c: usize, i: usize, j: usize) -> Vec<usize> {
        let per_channel = self.r * self.s;
        taps(self, i, j)
            .into_iter()
            .filter(|&(_, q)| q / per_channel == c)
            .map(|(xi, _)| xi)
            .collect()
    }
}

fn pool_grid() -> Vec<Case> {
    let mut v = Vec::new();
    for (i, &(r, s)) in [(2, 2), (3, 3), (3, 2), (2, 3)].iter().enumerate() {
        for &stride in &[(1, 1), (2, 2), (3, 3), (2, 1)] {
            for &pad in &[(0, 0), (1, 1), (1, 0)] {
                v.push(Case {
                    c: 1 + i % 2,
                    h: 7,
                    w: 6 + i % 2,
                    k: 1,
                    r,
                    s,
                    stride,
                    pad,
                    dil: (1, 1),
                    n: 1 + 2 * (i % 2),
                });
            }
        }
    }
    v
}

/// Naive pooling forward and backward for one case: returns (max Y, argmax columns, max dX,
/// avg Y, avg dX) with `include_pad` choosing the average divisor.
type NaivePool = (Matrix, Vec<usize>, Matrix, Matrix, Matrix);

fn naive_pool(case: &Case, x: &Matrix, g: &Matrix, include_pad: bool) -> NaivePool {
    let (ho, wo) = case.ho(out_len_floor);
    let cols = case.c * ho * wo;
    let (mut ymax, mut yavg) = (Matrix::zeros(case.n, cols), Matrix::zeros(case.n, cols));
    let mut arg = vec![0usize; case.n * cols];
    let (mut dmax, mut davg) = (
        Matrix::zeros(x.nrows(), x.ncols()),
        Matrix::zeros(x.nrows(), x.ncols()),
    );
    for n in 0..case.n {
        for c in 0..case.c {
            for i in 0..ho {
                for j in 0..wo {
                    let o = (c * ho + i) * wo + j;
                    let win = case.window(c, i, j);
                    let (mut best, mut at, mut sum) = (Real::NEG_INFINITY, 0, 0.0);
                    for &col in &win {
                        sum += x[(n, col)];
                        if x[(n, col)] > best {
                            best = x[(n, col)];
                            at = col;
                        }
                    }
                    let div = if include_pad {
                        (case.r * case.s) as Real
                    } else {
                        win.len() as Real
                    };
                    ymax[(n, o)] = best;
                    arg[o * case.n + n] = at;
                    yavg[(n, o)] = sum / div;
                    dmax[(n, at)] += g[(n, o)];
                    for &col in &win {
                        davg[(n, col)] += g[(n, o)] / div;
                    }
                }
            }
        }
    }
    (ymax, arg, dmax, yavg, davg)
}

/// T2 for pooling. Claim: max pooling (strict `>`, first maximum in row-major order), average
/// pooling (both divisors) and their backward passes equal a naive per-window loop (< 1e-12; the
/// argmax exactly), over windows 2–3 (non-square), strides 1–3 and paddings 0–1. Inputs are
/// integers in 0..4 so that ties are frequent and the tie rule is exercised. Global average
/// pooling equals the per-channel mean. Control: the ceil size formula differs in the
/// non-dividing cases.
#[test]
fn t2_pooling_matches_naive_reference() {
    let mut ceil_controls = 0;
    for (ci, case) in pool_grid().iter().enumerate() {
        let mut r = rng(400 + ci as u64);
        let x = unif(case.n, case.c * case.h * case.w, 0.0, 4.0, &mut r).map(Real::floor);
        for include_pad in [true, false] {
            let geom = case.pool_geometry(include_pad);
            let (ho, wo) = case.ho(out_len_floor);
            assert_eq!(
                (geom.output().height, geom.output().width),
                (ho, wo),
                "{case:?}"
            );
            let g = unif(case.n, geom.output().len(), -1.0, 1.0, &mut r);
            let (ymax_r, arg_r, dmax_r, yavg_r, davg_r) = naive_pool(case, &x, &g, include_pad);
            let (ymax, arg) = max_pool2d(&x, &geom).unwrap();
            assert_eq!(arg, arg_r, "{case:?}");
            let dmax = max_pool2d_backward(&g, &arg, &geom).unwrap();
            let yavg = avg_pool2d(&x, &geom).unwrap();
            let davg = avg_pool2d_backward(&g, &geom).unwrap();
            for (what, a, b) in [
                ("max", &ymax, &ymax_r),
                ("dmax", &dmax, &dmax_r),
                ("avg", &yavg, &yavg_r),
                ("davg", &davg, &davg_r),
            ] {
                let e = max_abs_diff(a, b).unwrap();
                assert!(e < 1e-12, "{what} {case:?} pad={include_pad}: {e}");
            }
        }
        let ceil = case.ho(out_len_ceil);
        if ceil != case.ho(out_len_floor) {
            ceil_controls += 1;
        }
    }
    assert!(ceil_controls >= 10, "{ceil_controls}");
    // global average pooling: the per-channel mean, and its adjoint
    let shape = ImageShape::new(3, 4, 5).unwrap();
    let mut r = rng(450);
    let x = unif(2, shape.len(), -1.0, 1.0, &mut r);
    let y = global_avg_pool(&x, shape).unwrap();
    let g = unif(2, 3, -1.0, 1.0, &mut r);
    let dx = global_avg_pool_backward(&g, shape).unwrap();
    for n in 0..2 {
        for c in 0..3 {
            let mean: Real = (0..20).map(|p| x[(n, c * 20 + p)]).sum::<Real>() / 20.0;
            assert!((y[(n, c)] - mean).abs() < 1e-15);
            for p in 0..20 {
                assert!((dx[(n, c * 20 + p)] - g[(n, c)] / 20.0).abs() < 1e-15);
            }
        }
    }
}

/// The T3 network: conv(1→2, 3×3, pad 1) → ReLU → max-pool 2 → avg-pool 2 → linear(8→3) → CE,
/// on `N = 3` images of 8×8. Parameters: `[X, W_conv, b_conv, W_lin, b_lin]`.
struct SmallCnn {
    conv: Conv2dGeometry,
    max: Pool2dGeometry,
    avg: Pool2dGeometry,
}

const T3_LABELS: [usize; 3] = [0, 2, 1];

impl SmallCnn {
    fn new() -> Self {
        let conv = Conv2dGeometry::new(
            ImageShape::new(1, 8, 8).unwrap(),
            Conv2dParams::new(2, 3).with_padding(1),
        )
        .unwrap();
        let max = Pool2dGeometry::new(conv.output(), Pool2dParams::new(2)).unwrap();
        let avg = Pool2dGeometry::new(max.output(), Pool2dParams::new(2)).unwrap();
        SmallCnn { conv, max, avg }
    }

    /// Records the loss; also returns the conv pre-activation node.
    fn record(&self, t: &mut Tape, p: &[Var]) -> neurograd_tensor::Result<(Var, Var)> {
        let z = t.conv2d(p[0], p[1], Some(p[2]), &self.conv)?;
        let a = t.activation(z, Activation::Relu);
        let m = t.max_pool2d(a, &self.max)?;
        let v = t.avg_pool2d(m, &self.avg)?; // N x 8: flatten is the identity
        let logits = t.matmul_t(v, p[3])?;
        let logits = t.add_row(logits, p[4])?;
        Ok((t.softmax_cross_entropy(logits, &T3_LABELS)?, z))
    }

    fn loss(&self, p: &[Matrix]) -> neurograd_tensor::Result<Real> {
        let mut t = Tape::new();
        let vars: Vec<Var> = p.iter().map(|m| t.leaf(m.clone())).collect();
        let (l, _) = self.record(&mut t, &vars)?;
        t.item(l)
    }

    /// (tape gradient, central-difference gradient with h = 1e-6, conv pre-activation).
    fn gradients(&self, p: &[Matrix]) -> (Vec<Matrix>, Vec<Matrix>, Matrix) {
        let mut t = Tape::new();
        let vars: Vec<Var> = p.iter().map(|m| t.leaf(m.clone())).collect();
        let (l, z) = self.record(&mut t, &vars).unwrap();
        let g = t.backward(l).unwrap();
        let analytic = vars.iter().map(|&v| g.wrt(v).clone()).collect();
        let numerical = numerical_gradient(|q| self.loss(q), p, 1e-6).unwrap();
        (analytic, numerical, t.value(z).clone())
    }

    /// Whether the stencil `±h` can cross a kink: a pre-activation within 1e-3 of 0, or a
    /// max-pool window whose (post-ReLU) maximum is positive and within 1e-3 of the runner-up.
    fn near_kink(&self, z: &Matrix) -> bool {
        if z.iter().any(|v| v.abs() < 1e-3) {
            return true;
        }
        let a = z.map(|v| v.max(0.0));
        let s = self.conv.output();
        for n in 0..a.nrows() {
            for c in 0..s.channels {
                for i in 0..s.height / 2 {
                    for j in 0..s.width / 2 {
                        let mut w: Vec<Real> = (0..4)
                            .map(|e| a[(n, s.column(c, 2 * i + e / 2, 2 * j + e % 2))])
                            .collect();
                        w.sort_by(|x, y| y.total_cmp(x));
                        if w[0] > 0.0 && w[0] - w[1] < 1e-3 {
                            return true;
                        }
                    }
                }
            }
        }
        false
    }
}

/// `‖a − n‖ / ‖a + n‖` over all parameters (the measure of the reference, §1).
fn normwise(a: &[Matrix], n: &[Matrix]) -> Real {
    let (mut d, mut s) = (0.0, 0.0);
    for (a, n) in a.iter().zip(n) {
        d += (a - n).norm_squared();
        s += (a + n).norm_squared();
    }
    (d / s).sqrt()
}

/// T3. Claim: the tape gradient of conv → ReLU → max-pool → avg-pool → linear → CE equals
/// central finite differences (h = 1e-6) to `‖g_a − g_n‖/‖g_a + g_n‖ < 1e-7` on inputs whose
/// stencils cross no kink (first seed that keeps every pre-activation and every max-pool top-two
/// gap above 1e-3). Control: the same network on a tie-laden input (integer pixels 0–3, conv
/// weights with only the centre tap, bias 0.5, so 2×2 max-pool windows hold exact ties) gives
/// errors above 1e-2, so the check detects ties.
#[test]
fn t3_small_cnn_matches_finite_differences() {
    let net = SmallCnn::new();
    let draw = |seed: u64| -> Vec<Matrix> {
        let mut r = rng(seed);
        vec![
            unif(3, 64, -1.0, 1.0, &mut r),
            unif(2, 9, -0.8, 0.8, &mut r),
            unif(1, 2, -0.2, 0.2, &mut r),
            unif(3, 8, -1.0, 1.0, &mut r),
            unif(1, 3, -0.5, 0.5, &mut r),
        ]
    };
    let (mut p, mut z) = (Vec::new(), Matrix::zeros(0, 0));
    for seed in 500..600 {
        p = draw(seed);
        let mut t = Tape::new();
        let vars: Vec<Var> = p.iter().map(|m| t.constant(m.clone())).collect();
        let zv = net.record(&mut t, &vars).unwrap().1;
        z = t.value(zv).clone();
        if !net.near_kink(&z) {
            break;
        }
    }
    assert!(!net.near_kink(&z), "no kink-free seed in 500..600");
    let (a, n, _) = net.gradients(&p);
    let e = normwise(&a, &n);
    assert!(e < 1e-7, "kink-free: {e}");

    // control: exact ties
    let mut tied = p.clone();
    tied[0] = unif(3, 64, 0.0, 4.0, &mut rng(600)).map(Real::floor);
    tied[1] = Matrix::from_fn(2, 9, |k, q| if q == 4 { 1.0 + k as Real } else { 0.0 });
    tied[2] = Matrix::from_element(1, 2, 0.5);
    let (a, n, z) = net.gradients(&tied);
    assert!(net.near_kink(&z), "the control input must hold ties");
    let e = normwise(&a, &n);
    assert!(e > 1e-2, "ties not detected: {e}");
}

/// T4. Claim: max-pool backward routes each output adjoint to exactly one input, the first
/// maximum of its window in row-major order, accumulating over overlapping windows (k = 3,
/// s = 2): with `G = 1` each input receives the number of windows it wins (brute force), the total
/// is `Σ G`, and some input wins several windows. Control: routing to every tied maximum (on an
/// input with integer ties) makes the total exceed `Σ G`.
#[test]
fn t4_max_pool_routing_with_overlapping_windows() {
    let shape = ImageShape::new(2, 9, 9).unwrap();
    let geom = Pool2dGeometry::new(shape, Pool2dParams::new(3).with_stride(2)).unwrap();
    let (ho, wo) = (geom.output().height, geom.output().width);
    assert_eq!((ho, wo), (4, 4));
    let n = 2;
    let ones = Matrix::from_element(n, geom.output().len(), 1.0);
    let total_g = ones.sum();
    // the windows' pixel columns, row-major
    let window = |c: usize, i: usize, j: usize| -> Vec<usize> {
        (0..9)
            .map(|e| shape.column(c, 2 * i + e / 3, 2 * j + e % 3))
            .collect()
    };
    for (seed, ties) in [(700u64, false), (701, true)] {
        let mut r = rng(seed);
        let x = if ties {
            unif(n, shape.len(), 0.0, 4.0, &mut r).map(Real::floor)
        } else {
            // distinct values: a random permutation of 0.01 k plus noise 1e-4
            let mut keys: Vec<(Real, usize)> = unif(1, n * shape.len(), 0.0, 1.0, &mut r)
                .iter()
                .copied()
                .zip(0..)
                .collect();
            keys.sort_by(|a, b| a.0.total_cmp(&b.0));
            let mut m = Matrix::zeros(n, shape.len());
            for (rank, &(_, e)) in keys.iter().enumerate() {
                m.as_mut_slice()[e] = 0.01 * rank as Real + 1e-4 * keys[rank].0;
            }
            m
        };
        let (_, arg) = max_pool2d(&x, &geom).unwrap();
        let dx = max_pool2d_backward(&ones, &arg, &geom).unwrap();
        let mut wins = Matrix::zeros(n, shape.len());
        let mut all_ties_total = 0.0;
        for s in 0..n {
            for c in 0..2 {
                for i in 0..ho {
                    for j in 0..wo {
                        let w = window(c, i, j);
                        let best = w
                            .iter()
                            .map(|&p| x[(s, p)])
                            .fold(Real::NEG_INFINITY, Real::max);
                        let first = *w.iter().find(|&&p| x[(s, p)] == best).unwrap();
                        wins[(s, first)] += 1.0;
                        all_ties_total += w.iter().filter(|&&p| x[(s, p)] == best).count() as Real;
                    }
                }
            }
        }
        assert_eq!(dx, wins, "ties = {ties}");
        assert_eq!(dx.sum(), total_g);
        assert!(dx.max() >= 2.0, "no pixel wins two overlapping windows");
        if ties {
            assert!(
                all_ties_total > total_g,
                "control: {all_ties_total} vs {total_g}"
            );
        } else {
            assert_eq!(all_ties_total, total_g);
        }
    }
}

/// Claim: the remaining tape ops (strided dilated conv without bias, average pooling without
/// padding in the divisor, global average pooling, reshape) match central finite differences
/// (relative error < 1e-6 with the gradcheck floor; none of them has a kink).
#[test]
fn tape_ops_match_finite_differences() {
    let conv = Conv2dGeometry::new(
        ImageShape::new(2, 7, 6).unwrap(),
        Conv2dParams::new(3, 3)
            .with_kernel(3, 2)
            .with_stride2(2, 1)
            .with_padding(1)
            .with_dilation2(1, 2),
    )
    .unwrap();
    let avg = Pool2dGeometry::new(
        conv.output(),
        Pool2dParams::new(3)
            .with_stride(2)
            .with_padding(1)
            .with_count_include_pad(false),
    )
    .unwrap();
    let mut r = rng(800);
    let x = unif(2, conv.input().len(), -1.0, 1.0, &mut r);
    let (wr, wc) = conv.weight_shape();
    let w = unif(wr, wc, -1.0, 1.0, &mut r);
    let out = avg.output();
    let build = |t: &mut Tape, v: &[Var]| -> neurograd_tensor::Result<Var> {
        let y = t.conv2d(v[0], v[1], None, &conv)?;
        let a = t.avg_pool2d(y, &avg)?;
        let sq = t.square(a);
        let gp = t.global_avg_pool(sq, out)?;
        t.reshape(gp, 3, 2)
    };
    let rep = tape_vs_fd(&[x, w], build).unwrap();
    assert!(rep.max_rel_error < FD_TOL, "{rep:?}");
}

/// Claim: impossible geometries and mismatched operands are typed errors, raised before any
/// allocation (sizes that overflow are rejected, not attempted), and never panics.
#[test]
fn bad_shapes_and_parameters_are_typed_errors() {
    let img = ImageShape::new(1, 5, 5).unwrap();
    let invalid = |r: Result<Conv2dGeometry, TensorError>, name: &str| {
        assert!(
            matches!(&r, Err(TensorError::InvalidParameter { name: n, .. }) if *n == name),
            "{name}: {r:?}"
        );
    };
    // kernel larger than the padded input (5 + 2·1 = 7 < 8), also through dilation (d(k−1)+1 = 9)
    invalid(
        Conv2dGeometry::new(img, Conv2dParams::new(1, 8).with_padding(1)),
        "kernel",
    );
    invalid(
        Conv2dGeometry::new(img, Conv2dParams::new(1, 3).with_dilation(4)),
        "kernel",
    );
    invalid(
        Conv2dGeometry::new(img, Conv2dParams::new(1, 3).with_stride(0)),
        "stride",
    );
    invalid(
        Conv2dGeometry::new(img, Conv2dParams::new(1, 3).with_dilation(0)),
        "dilation",
    );
    invalid(Conv2dGeometry::new(img, Conv2dParams::new(1, 0)), "kernel");
    invalid(
        Conv2dGeometry::new(img, Conv2dParams::new(0, 3)),
        "out_channels",
    );
    assert!(matches!(
        ImageShape::new(0, 5, 5),
        Err(TensorError::InvalidParameter {
            name: "channels",
            ..
        })
    ));
    // sizes whose product overflows are rejected before allocating
    assert!(matches!(
        ImageShape::new(usize::MAX / 2, 4, 4),
        Err(TensorError::InvalidParameter { .. })
    ));
    let wide = ImageShape::new(1 << 32, 1, 1).unwrap();
    assert!(matches!(
        Conv2dGeometry::new(wide, Conv2dParams::new(1 << 32, 1)),
        Err(TensorError::InvalidParameter { .. })
    ));
    // pooling: padding above half the window, window larger than the padded input
    let pool = |p: Pool2dParams| Pool2dGeometry::new(img, p);
    assert!(matches!(
        pool(Pool2dParams::new(2).with_padding(2)),
        Err(TensorError::InvalidParameter {
            name: "padding",
            ..
        })
    ));
    assert!(matches!(
        pool(Pool2dParams::new(6)),
        Err(TensorError::InvalidParameter { name: "kernel", .. })
    ));
    assert!(matches!(
        pool(Pool2dParams::new(2).with_stride(0)),
        Err(TensorError::InvalidParameter { name: "stride", .. })
    ));

    // operand shapes
    let geom = Conv2dGeometry::new(img, Conv2dParams::new(2, 3)).unwrap();
    let x = Matrix::zeros(4, 25);
    let w = Matrix::zeros(2, 9);
    let shape_err = |r: Result<Matrix, TensorError>, exp: (usize, usize), got: (usize, usize)| {
        assert!(
            matches!(&r, Err(TensorError::ShapeMismatch { expected, got: g, .. })
                if *expected == exp && *g == got),
            "{r:?}"
        );
    };
    shape_err(
        geom.forward(&Matrix::zeros(4, 24), &w, None),
        (4, 25),
        (4, 24),
    );
    shape_err(geom.forward(&x, &Matrix::zeros(9, 2), None), (2, 9), (9, 2));
    shape_err(
        geom.forward(&x, &w, Some(&Matrix::zeros(2, 1))),
        (1, 2),
        (2, 1),
    );
    let g = Matrix::zeros(4, 2 * 3 * 3);
    shape_err(
        geom.backward_input(&Matrix::zeros(4, 17), &w),
        (4, 18),
        (4, 17),
    );
    shape_err(
        geom.backward_weight(&Matrix::zeros(3, 25), &g),
        (3, 18),
        (4, 18),
    );
    shape_err(geom.backward_bias(&Matrix::zeros(4, 19)), (4, 18), (4, 19));
    assert!(matches!(
        geom.forward(&Matrix::zeros(0, 25), &w, None),
        Err(TensorError::Empty { .. })
    ));
    let pg = Pool2dGeometry::new(img, Pool2dParams::new(2)).unwrap();
    assert!(matches!(
        max_pool2d(&Matrix::zeros(1, 24), &pg),
        Err(TensorError::ShapeMismatch { .. })
    ));
    let (y, arg) = max_pool2d(&Matrix::zeros(1, 25), &pg).unwrap();
    assert!(matches!(
        max_pool2d_backward(&y, &arg[..3], &pg),
        Err(TensorError::ShapeMismatch { .. })
    ));
    assert!(matches!(
        max_pool2d_backward(&y, &[25, 0, 0, 0], &pg),
        Err(TensorError::InvalidParameter { name: "argmax", .. })
    ));
    assert!(matches!(
        global_avg_pool_backward(&Matrix::zeros(2, 2), img),
        Err(TensorError::ShapeMismatch { .. })
    ));
    // a shape built from its public fields without `new` is still validated
    let zero = ImageShape {
        channels: 0,
        height: 4,
        width: 4,
    };
    assert!(matches!(
        global_avg_pool(&Matrix::zeros(2, 0), zero),
        Err(TensorError::InvalidParameter {
            name: "channels",
            ..
        })
    ));
    assert!(matches!(
        global_avg_pool_backward(&Matrix::zeros(2, 0), zero),
        Err(TensorError::InvalidParameter {
            name: "channels",
            ..
        })
    ));

    // tape: shape errors and foreign vars are errors, not panics
    let mut t = Tape::new();
    let xv = t.leaf(Matrix::zeros(4, 24));
    let wv = t.leaf(w.clone());
    assert!(matches!(
        t.conv2d(xv, wv, None, &geom),
        Err(TensorError::ShapeMismatch { .. })
    ));
    assert!(matches!(
        t.reshape(xv, 5, 5),
        Err(TensorError::ShapeMismatch { .. })
    ));
    let mut other = Tape::new();
    let foreign = other.leaf(Matrix::zeros(4, 25));
    assert!(matches!(
        t.max_pool2d(foreign, &pg),
        Err(TensorError::ForeignVar { .. })
    ));
}

/// A conv forward and backward large enough for several GEMM kernel blocks and the parallel
/// threshold (rows
/// `H_o W_o N = 2048`); `threads::gemm_child` hashes it, so the conv kernels are part of the
/// 1-vs-2-thread bit-identity check.
pub fn thread_workload() -> Vec<Matrix> {
    let geom = Conv2dGeometry::new(
        ImageShape::new(8, 12, 12).unwrap(),
        Conv2dParams::new(16, 5),
    )
    .unwrap();
    let mut r = rng(900);
    let x = unif(32, geom.input().len(), -1.0, 1.0, &mut r);
    let (wr, wc) = geom.weight_shape();
    let w = unif(wr, wc, -1.0, 1.0, &mut r);
    let g = unif(32, geom.output().len(), -1.0, 1.0, &mut r);
    vec![
        geom.forward(&x, &w, None).unwrap(),
        geom.backward_input(&g, &w).unwrap(),
        geom.backward_weight(&x, &g).unwrap(),
    ]
}

/// Claim: geometries survive a serde round trip, and deserialising re-runs the checks of `new`:
/// a stored output shape that disagrees with the geometry, or an impossible kernel, is rejected
/// (so a checkpoint cannot hand the kernels an inconsistent geometry).
#[test]
fn geometries_round_trip_and_are_checked_when_deserialised() {
    let conv = Conv2dGeometry::new(
        ImageShape::new(3, 9, 7).unwrap(),
        Conv2dParams::new(4, 3).with_stride(2).with_padding(1),
    )
    .unwrap();
    let pool = Pool2dGeometry::new(conv.output(), Pool2dParams::new(2)).unwrap();
    let js = serde_json::to_string(&conv).unwrap();
    assert_eq!(serde_json::from_str::<Conv2dGeometry>(&js).unwrap(), conv);
    let jp = serde_json::to_string(&pool).unwrap();
    assert_eq!(serde_json::from_str::<Pool2dGeometry>(&jp).unwrap(), pool);
    // tampered output height (5 -> 6)
    let bad = js.replace("\"height\":5", "\"height\":6");
    assert_ne!(bad, js);
    let err = serde_json::from_str::<Conv2dGeometry>(&bad).unwrap_err();
    assert!(
        err.to_string().contains("invalid parameter output"),
        "{err}"
    );
    // impossible kernel (larger than the padded input 7 + 2)
    let bad = jp.replace("\"kernel\":[2,2]", "\"kernel\":[12,2]");
    assert_ne!(bad, jp);
    let err = serde_json::from_str::<Pool2dGeometry>(&bad).unwrap_err();
    assert!(err.to_string().contains("invalid parameter"), "{err}");
}
