//! 2-D max pooling, average pooling and global average pooling on `N × (C·H·W)` batches (layout in
//! the [parent module](super)).
//!
//! A `k_h × k_w` window with stride `(s_h, s_w)` and padding `(p_h, p_w)` gives
//! `H_o = ⌊(H + 2p_h − k_h)/s_h⌋ + 1` (floor mode, as PyTorch's default), `W_o` likewise; window
//! `(i, j)` covers rows `i·s_h − p_h … i·s_h − p_h + k_h − 1` and the analogous columns, clipped to
//! the image. Padding is at most half the kernel on each axis (PyTorch's rule), so every window
//! holds at least one real pixel.
//!
//! **Max pooling** (padding acts as `−∞`): `Y[n,c,i,j] = max_{(h,w) ∈ Ω_ij} X[n,c,h,w]`. The
//! forward pass records the argmax `a[n,c,i,j]`; the backward pass routes `∂L/∂X[n,c,a] += G[n,c,i,j]`,
//! accumulating, because with `s < k` one pixel can be the maximum of several windows. The max is
//! not differentiable at ties; the rule here is **strict `>` in row-major scan order, so the first
//! maximum in the window wins** (any convex combination of tied positions is a subgradient;
//! frameworks disagree on which one they pick, see the vision reference §1). A window that starts
//! with NaN keeps NaN (NaN compares false), one whose later entry is NaN ignores it.
//!
//! **Average pooling**: `Y[n,c,i,j] = Σ_{Ω_ij} X / D_ij` with `D_ij = k_h k_w` when
//! `count_include_pad` (PyTorch's default: the zero padding counts) and `D_ij = |Ω_ij ∩ image|`
//! otherwise; backward `∂L/∂X[Ω_ij] += G[n,c,i,j] / D_ij`.
//!
//! **Global average pooling** (Lin, Chen & Yan, 2014, "Network in network"): `Y[n,c] =
//! Σ_{h,w} X[n,c,h,w] / (H W)`, an `N × C` matrix; backward spreads `G[n,c]/(HW)` over the plane.

use serde::{Deserialize, Serialize};

use super::{Geometry2d, ImageShape, checked_product, invalid, output_len, pair_setters};
use crate::{Matrix, Real, Result, TensorError};

/// Hyperparameters of a 2-D pooling window; each pair is `(vertical, horizontal)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Pool2dParams {
    /// Window size `(k_h, k_w)`.
    pub kernel: (usize, usize),
    /// Stride `(s_h, s_w)`.
    pub stride: (usize, usize),
    /// Padding `(p_h, p_w)` on each side, at most half the window.
    pub padding: (usize, usize),
    /// Average pooling: whether padded positions count in the divisor (PyTorch's default, `true`).
    /// Max pooling ignores it.
    pub count_include_pad: bool,
}

impl Pool2dParams {
    /// A `k × k` window with stride `k` (non-overlapping), no padding, `count_include_pad = true`
    /// (PyTorch's defaults).
    pub fn new(kernel: usize) -> Self {
        Pool2dParams {
            kernel: (kernel, kernel),
            stride: (kernel, kernel),
            padding: (0, 0),
            count_include_pad: true,
        }
    }

    pair_setters!(kernel: with_kernel, "a window (the stride is left as it is) of size");
    pair_setters!(stride: with_stride / with_stride2, "stride");
    pair_setters!(padding: with_padding / with_padding2, "padding");

    /// The same with the given `count_include_pad`.
    pub fn with_count_include_pad(mut self, yes: bool) -> Self {
        self.count_include_pad = yes;
        self
    }
}

/// A checked pooling geometry: input shape, window parameters and the output shape `(C, H_o, W_o)`.
///
/// ```
/// use neurograd_tensor::conv::{ImageShape, Pool2dGeometry, Pool2dParams, max_pool2d};
/// use neurograd_tensor::Matrix;
/// let g = Pool2dGeometry::new(ImageShape::new(1, 2, 2)?, Pool2dParams::new(2))?;
/// let x = Matrix::from_row_slice(1, 4, &[1.0, 3.0, 3.0, 2.0]); // a tie between (0,1) and (1,0)
/// let (y, argmax) = max_pool2d(&x, &g)?;
/// assert_eq!(y[(0, 0)], 3.0);
/// assert_eq!(argmax, vec![1]); // the first maximum in row-major order wins
/// # Ok::<(), neurograd_tensor::TensorError>(())
/// ```
pub type Pool2dGeometry = Geometry2d<Pool2dParams>;

impl Pool2dGeometry {
    /// Checks `params` against `input` and computes the output shape.
    ///
    /// # Errors
    /// [`TensorError::InvalidParameter`] for a zero window or stride, padding larger than half the
    /// window, a window larger than the padded input, overflowing sizes.
    pub fn new(input: ImageShape, params: Pool2dParams) -> Result<Self> {
        let input = ImageShape::new(input.channels, input.height, input.width)?;
        let (kh, kw) = params.kernel;
        let (ph, pw) = params.padding;
        if 2 * ph > kh || 2 * pw > kw {
            return Err(invalid(
                "padding",
                format!("{:?}", params.padding),
                &format!(
                    "pooling padding must be at most half the window {:?}",
                    params.kernel
                ),
            ));
        }
        let ho = output_len(input.height, kh, params.stride.0, ph, 1)?;
        let wo = output_len(input.width, kw, params.stride.1, pw, 1)?;
        let output = ImageShape::new(input.channels, ho, wo)?;
        Ok(Pool2dGeometry {
            input,
            output,
            params,
        })
    }

    /// The clipped input range of window `i` along one axis.
    fn range(i: usize, stride: usize, pad: usize, k: usize, len: usize) -> std::ops::Range<usize> {
        let start = (i * stride).saturating_sub(pad);
        let end = (i * stride + k).saturating_sub(pad).min(len);
        start..end
    }

    /// Calls `f(output column, input columns of the window in row-major order, divisor)` for
    /// every window.
    fn for_each_window(&self, mut f: impl FnMut(usize, &mut dyn Iterator<Item = usize>, Real)) {
        let (kh, kw) = self.params.kernel;
        let (sh, sw) = self.params.stride;
        let (ph, pw) = self.params.padding;
        let (ho, wo) = (self.output.height, self.output.width);
        for c in 0..self.input.channels {
            for i in 0..ho {
                let rows = Self::range(i, sh, ph, kh, self.input.height);
                for j in 0..wo {
                    let cols = Self::range(j, sw, pw, kw, self.input.width);
                    let div = if self.params.count_include_pad {
                        (kh * kw) as Real
                    } else {
                        (rows.len() * cols.len()) as Real
                    };
                    let o = (c * ho + i) * wo + j;
                    let input = self.input;
                    let mut it = rows
                        .clone()
                        .flat_map(|h| cols.clone().map(move |w| input.column(c, h, w)));
                    f(o, &mut it, div);
                }
            }
        }
    }

    fn check_sizes(&self, n: usize) -> Result<()> {
        checked_product(&[self.output.len(), n], "pool output size N*C*Ho*Wo")?;
        Ok(())
    }
}

/// Max pooling forward: returns `(Y, argmax)` with `Y` of shape `N × C·H_o·W_o` and `argmax[e]`
/// the input column (`c·H·W + h·W + w`) that produced `Y`'s entry at column-major position `e`
/// (entry `(n, o)` at `e = o·N + n`). Ties: first maximum in row-major scan order.
///
/// # Errors
/// `x` not `N × C·H·W` ([`TensorError::ShapeMismatch`]), an empty batch, overflowing sizes.
pub fn max_pool2d(x: &Matrix, geom: &Pool2dGeometry) -> Result<(Matrix, Vec<usize>)> {
    let n = geom.input.check_batch("max_pool2d", x)?;
    geom.check_sizes(n)?;
    let mut y = Matrix::zeros(n, geom.output.len());
    let mut arg = vec![0usize; n * geom.output.len()];
    let xs = x.as_slice();
    let ys = y.as_mut_slice();
    geom.for_each_window(|o, window, _| {
        let best = &mut ys[o * n..(o + 1) * n];
        let idx = &mut arg[o * n..(o + 1) * n];
        // every window holds a real pixel (padding <= half the window)
        let Some(first) = window.next() else { return };
        best.copy_from_slice(&xs[first * n..(first + 1) * n]);
        idx.fill(first);
        for col in window {
            let run = &xs[col * n..(col + 1) * n];
            for ((b, a), &v) in best.iter_mut().zip(idx.iter_mut()).zip(run) {
                if v > *b {
                    *b = v;
                    *a = col;
                }
            }
        }
    });
    Ok((y, arg))
}

/// Max pooling backward: `∂L/∂X[n, argmax] += G[n, o]` for the output adjoint `g`
/// (`N × C·H_o·W_o`) and the `argmax` of [`max_pool2d`]; returns `N × C·H·W`.
///
/// # Errors
/// `g` of the wrong shape, `argmax` of the wrong length ([`TensorError::ShapeMismatch`]) or with an
/// index outside the input ([`TensorError::InvalidParameter`]).
pub fn max_pool2d_backward(g: &Matrix, argmax: &[usize], geom: &Pool2dGeometry) -> Result<Matrix> {
    geom.output.check_batch("max_pool2d backward", g)?;
    if argmax.len() != g.len() {
        return Err(TensorError::ShapeMismatch {
            op: "max_pool2d backward: argmax",
            expected: (g.len(), 1),
            got: (argmax.len(), 1),
        });
    }
    let len = geom.input.len();
    if let Some(&bad) = argmax.iter().find(|&&a| a >= len) {
        return Err(invalid(
            "argmax",
            bad,
            &format!("index outside the input's {len} columns"),
        ));
    }
    Ok(max_pool2d_backward_raw(g, argmax, geom))
}

/// [`max_pool2d_backward`] on shapes and indices already checked.
pub(crate) fn max_pool2d_backward_raw(
    g: &Matrix,
    argmax: &[usize],
    geom: &Pool2dGeometry,
) -> Matrix {
    let n = g.nrows();
    let mut dx = Matrix::zeros(n, geom.input.len());
    let d = dx.as_mut_slice();
    for (e, (&a, &gv)) in argmax.iter().zip(g.as_slice()).enumerate() {
        d[a * n + e % n] += gv;
    }
    dx
}

/// Average pooling forward: `N × C·H_o·W_o`, divisor as set by
/// [`Pool2dParams::count_include_pad`].
///
/// # Errors
/// `x` not `N × C·H·W`, an empty batch, overflowing sizes.
pub fn avg_pool2d(x: &Matrix, geom: &Pool2dGeometry) -> Result<Matrix> {
    let n = geom.input.check_batch("avg_pool2d", x)?;
    geom.check_sizes(n)?;
    let mut y = Matrix::zeros(n, geom.output.len());
    let xs = x.as_slice();
    let ys = y.as_mut_slice();
    geom.for_each_window(|o, window, div| {
        let out = &mut ys[o * n..(o + 1) * n];
        for col in window {
            for (s, &v) in out.iter_mut().zip(&xs[col * n..(col + 1) * n]) {
                *s += v;
            }
        }
        out.iter_mut().for_each(|s| *s /= div);
    });
    Ok(y)
}

/// Average pooling backward: `∂L/∂X[Ω_o] += G[·, o] / D_o`; returns `N × C·H·W`.
///
/// # Errors
/// `g` not `N × C·H_o·W_o`, an empty batch.
pub fn avg_pool2d_backward(g: &Matrix, geom: &Pool2dGeometry) -> Result<Matrix> {
    geom.output.check_batch("avg_pool2d backward", g)?;
    Ok(avg_pool2d_backward_raw(g, geom))
}

/// [`avg_pool2d_backward`] on shapes already checked.
pub(crate) fn avg_pool2d_backward_raw(g: &Matrix, geom: &Pool2dGeometry) -> Matrix {
    let n = g.nrows();
    let mut dx = Matrix::zeros(n, geom.input.len());
    let gs = g.as_slice();
    let d = dx.as_mut_slice();
    geom.for_each_window(|o, window, div| {
        let run = &gs[o * n..(o + 1) * n];
        for col in window {
            for (dv, &gv) in d[col * n..(col + 1) * n].iter_mut().zip(run) {
                *dv += gv / div;
            }
        }
    });
    dx
}

/// Global average pooling: `N × C·H·W` to `N × C`, the mean of each channel's plane.
///
/// # Errors
/// `x` not `N × C·H·W`, an empty batch.
pub fn global_avg_pool(x: &Matrix, shape: ImageShape) -> Result<Matrix> {
    let n = shape.check_batch("global_avg_pool", x)?;
    let plane = shape.plane();
    let mut y = Matrix::zeros(n, shape.channels);
    let k = 1.0 / plane as Real;
    for (c, block) in x.as_slice().chunks_exact(plane * n).enumerate() {
        let out = &mut y.as_mut_slice()[c * n..(c + 1) * n];
        for run in block.chunks_exact(n) {
            for (s, &v) in out.iter_mut().zip(run) {
                *s += v;
            }
        }
        out.iter_mut().for_each(|s| *s *= k);
    }
    Ok(y)
}

/// Global average pooling backward: spreads `G[n, c] / (H W)` over channel `c`'s plane; `g` is
/// `N × C`, the result `N × C·H·W`.
///
/// # Errors
/// An invalid `shape` ([`TensorError::InvalidParameter`]), `g` not `N × C`
/// ([`TensorError::ShapeMismatch`]), an empty batch.
pub fn global_avg_pool_backward(g: &Matrix, shape: ImageShape) -> Result<Matrix> {
    let shape = ImageShape::new(shape.channels, shape.height, shape.width)?;
    if g.ncols() != shape.channels {
        return Err(TensorError::ShapeMismatch {
            op: "global_avg_pool backward",
            expected: (g.nrows(), shape.channels),
            got: g.shape(),
        });
    }
    if g.nrows() == 0 {
        return Err(TensorError::Empty {
            what: "global_avg_pool backward: batch with 0 samples".into(),
        });
    }
    Ok(global_avg_pool_backward_raw(g, shape))
}

/// [`global_avg_pool_backward`] on shapes already checked.
pub(crate) fn global_avg_pool_backward_raw(g: &Matrix, shape: ImageShape) -> Matrix {
    let n = g.nrows();
    let plane = shape.plane();
    let k = 1.0 / plane as Real;
    let mut dx = Matrix::zeros(n, shape.len());
    for (c, block) in dx.as_mut_slice().chunks_exact_mut(plane * n).enumerate() {
        let run = &g.as_slice()[c * n..(c + 1) * n];
        for out in block.chunks_exact_mut(n) {
            for (d, &gv) in out.iter_mut().zip(run) {
                *d = gv * k;
            }
        }
    }
    dx
}
