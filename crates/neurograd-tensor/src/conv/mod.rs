//! Batched 2-D convolution and pooling (NCHW), forward and backward, by im2col + GEMM.
//!
//! # Layout
//!
//! A batch of `N` images with `C` channels of `H × W` pixels is an ordinary [`Matrix`] of shape
//! `N × (C·H·W)`: **one sample per row**, as everywhere in neurograd, and within a row the
//! PyTorch/NumPy order `(c, h, w)` with `w` fastest, so column `c·H·W + h·W + w` holds pixel
//! `(c, h, w)`. [`ImageShape`] names `(C, H, W)`. Three consequences:
//!
//! - `flatten(start_dim = 1)` of an NCHW tensor is the identity: the output of a conv or pooling
//!   stage feeds a dense layer (`Tape::matmul_t`) directly.
//! - nalgebra stores matrices column-major, so the physical order is `(c, h, w, n)` with the batch
//!   index fastest. Every kernel here moves whole runs of `N` contiguous numbers (one pixel of
//!   every sample), which makes im2col and col2im plain slice copies and additions.
//! - The patch matrix and the output of the GEMM need no transposition or permutation (below).
//!
//! # Convolution (cross-correlation, as in PyTorch and Caffe)
//!
//! Input `X ∈ ℝ^{N×C×H×W}`, weights `W ∈ ℝ^{K×C×R×S}` stored as a `K × (C·R·S)` [`Matrix`] (the
//! `(fan_out, fan_in)` layout of a dense layer, = PyTorch's `weight.view(K, -1)`), bias
//! `b ∈ ℝ^{1×K}`, stride `s`, zero padding `p`, dilation `d` (each per axis). With `Xp` the
//! zero-padded input,
//!
//! `Y[n,k,i,j] = b_k + Σ_{c,r,t} W[k,c,r,t] · Xp[n, c, i·s_h + r·d_h, j·s_w + t·d_w]`,
//!
//! `H_o = ⌊(H + 2p_h − d_h(R−1) − 1)/s_h⌋ + 1`, and `W_o` likewise (the floor formula of PyTorch's
//! `Conv2d`). A geometry whose dilated kernel is larger than the padded input is rejected.
//!
//! **im2col.** `U ∈ ℝ^{(H_o W_o N) × (C R S)}` has one row per output position `(i, j, n)`
//! (row index `(i·W_o + j)·N + n`) and one column per kernel tap `(c, r, t)` (index
//! `c·R·S + r·S + t`, the flattening order of `W`). Then
//!
//! `Y = U Wᵀ + 1 b`, read as a column-major `(H_o W_o N) × K` matrix,
//!
//! has exactly the memory of the `N × (K·H_o·W_o)` output matrix: element `(n, k·H_oW_o + ij)` sits
//! at `n + N(k·H_oW_o + ij)` in both. The product goes through [`crate::gemm`] with `Wᵀ` read in
//! place (no copy).
//!
//! **Backward** (Rumelhart et al., 1986; the im2col form of Chellapilla, Puri & Simard, 2006). With
//! `G = ∂L/∂Y` in the same `(H_o W_o N) × K` reading:
//!
//! - `∂L/∂W = Gᵀ U` (`K × CRS`): the weights are shared, so this sums over the batch and over all
//!   positions;
//! - `∂L/∂b_k = Σ_{n,i,j} G[n,k,i,j]` (a sum; it is only a mean if the loss averages);
//! - `∂L/∂U = G W`, and **col2im** scatter-*adds* each row of `∂L/∂U` back onto the input pixel it
//!   was copied from (windows overlap whenever `s < d(R−1)+1`), dropping the taps that fell into
//!   the padding. Input pixels that no window reads (when `s` does not divide
//!   `H + 2p − d(R−1) − 1`) get gradient exactly 0.
//!
//! Because convolution is bilinear, `⟨conv(X; W), G⟩ = ⟨X, ∂_X(G; W)⟩ = ⟨W, ∂_W(X, G)⟩` exactly;
//! the tests check this adjoint identity to 1e-12 over a grid of strides, paddings and dilations.
//!
//! # Pooling
//!
//! See [`pool`]: max pooling (strict `>`, so the **first maximum in row-major scan order wins**),
//! average pooling (divisor `k_h k_w` or the count of real pixels), global average pooling.

pub mod pool;

use crate::gemm::{self, GemmRef};
use serde::{Deserialize, Serialize};

use crate::{Matrix, Real, Result, TensorError};

pub use pool::{
    Pool2dGeometry, Pool2dParams, avg_pool2d, avg_pool2d_backward, global_avg_pool,
    global_avg_pool_backward, max_pool2d, max_pool2d_backward,
};

/// The per-sample shape `(C, H, W)` of a batch stored as an `N × (C·H·W)` [`Matrix`] (see the
/// [module docs](self) for the layout).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ImageShape {
    /// Number of channels `C`.
    pub channels: usize,
    /// Height `H` in pixels.
    pub height: usize,
    /// Width `W` in pixels.
    pub width: usize,
}

impl ImageShape {
    /// A checked shape: every dimension at least 1 and `C·H·W` representable.
    ///
    /// # Errors
    /// [`TensorError::InvalidParameter`] for a zero dimension or an overflowing product.
    pub fn new(channels: usize, height: usize, width: usize) -> Result<Self> {
        for (name, v) in [("channels", channels), ("height", height), ("width", width)] {
            if v == 0 {
                return Err(invalid(name, v, "must be at least 1"));
            }
        }
        let s = ImageShape {
            channels,
            height,
            width,
        };
        checked_product(&[channels, height, width], "image size C*H*W")?;
        Ok(s)
    }

    /// `C·H·W`, the number of columns of a batch of this shape.
    pub fn len(&self) -> usize {
        self.channels * self.height * self.width
    }

    /// Whether `C·H·W = 0` (never true for a shape made by [`ImageShape::new`]).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `H·W`, the number of pixels of one channel.
    pub fn plane(&self) -> usize {
        self.height * self.width
    }

    /// The column of pixel `(c, h, w)`: `c·H·W + h·W + w`.
    pub fn column(&self, c: usize, h: usize, w: usize) -> usize {
        (c * self.height + h) * self.width + w
    }

    /// Checks that `x` is a batch of this shape (`N × C·H·W` with `N ≥ 1`) and returns `N`.
    ///
    /// # Errors
    /// [`TensorError::InvalidParameter`] if the shape itself is invalid (see [`ImageShape::new`]),
    /// [`TensorError::ShapeMismatch`] (expected `(N, C·H·W)`), [`TensorError::Empty`] for `N = 0`.
    pub fn check_batch(&self, op: &'static str, x: &Matrix) -> Result<usize> {
        // the fields are public: a shape built without `new` is validated here
        ImageShape::new(self.channels, self.height, self.width)?;
        if x.ncols() != self.len() {
            return Err(TensorError::ShapeMismatch {
                op,
                expected: (x.nrows(), self.len()),
                got: x.shape(),
            });
        }
        if x.nrows() == 0 {
            return Err(TensorError::Empty {
                what: format!("{op}: batch with 0 samples"),
            });
        }
        Ok(x.nrows())
    }
}

pub(crate) fn invalid(name: &'static str, value: impl ToString, reason: &str) -> TensorError {
    TensorError::InvalidParameter {
        name,
        value: value.to_string(),
        reason: reason.into(),
    }
}

/// Bytes of one block of the im2col patch matrix in the forward pass: each block is written and
/// multiplied while it is still in the core's L2 cache, instead of writing the whole patch matrix
/// (3.3 MB for a LeNet second stage at batch 32) and reading it back from memory.
pub const FORWARD_BLOCK_BYTES: usize = 256 * 1024;

/// The product of `dims`, or [`TensorError::InvalidParameter`] if it overflows `usize` or exceeds
/// `isize::MAX` elements (no allocation could hold it).
pub(crate) fn checked_product(dims: &[usize], what: &'static str) -> Result<usize> {
    let mut p: usize = 1;
    for &d in dims {
        p = p
            .checked_mul(d)
            .filter(|&p| p <= isize::MAX as usize / std::mem::size_of::<Real>())
            .ok_or_else(|| invalid(what, format!("{dims:?}"), "product of sizes overflows"))?;
    }
    Ok(p)
}

/// Output length along one axis, `⌊(n + 2p − d(k−1) − 1)/s⌋ + 1`.
///
/// # Errors
/// [`TensorError::InvalidParameter`] for `k`, `s` or `d` equal to 0, or when the dilated kernel
/// `d(k−1)+1` is larger than the padded input `n + 2p`.
pub fn output_len(
    n: usize,
    kernel: usize,
    stride: usize,
    padding: usize,
    dilation: usize,
) -> Result<usize> {
    if kernel == 0 {
        return Err(invalid("kernel", kernel, "must be at least 1"));
    }
    if stride == 0 {
        return Err(invalid("stride", stride, "must be at least 1"));
    }
    if dilation == 0 {
        return Err(invalid("dilation", dilation, "must be at least 1"));
    }
    let span = (kernel - 1)
        .checked_mul(dilation)
        .and_then(|v| v.checked_add(1))
        .ok_or_else(|| invalid("kernel", kernel, "dilated kernel size overflows"))?;
    let padded = padding
        .checked_mul(2)
        .and_then(|v| v.checked_add(n))
        .ok_or_else(|| invalid("padding", padding, "padded size overflows"))?;
    if span > padded {
        return Err(invalid(
            "kernel",
            kernel,
            &format!("dilated kernel extent {span} is larger than the padded input {padded}"),
        ));
    }
    Ok((padded - span) / stride + 1)
}

/// Builder methods for a `(vertical, horizontal)` field of a parameter struct:
/// `field: pair, "what"` makes `pair(v_h, v_w)`, setting `(v_h, v_w)`;
/// `field: both / pair, "what"` also makes `both(v)`, setting `(v, v)`.
macro_rules! pair_setters {
    ($field:ident: $pair:ident, $what:literal) => {
        #[doc = concat!("The same with ", $what, " `(v_h, v_w)`.")]
        pub fn $pair(mut self, vh: usize, vw: usize) -> Self {
            self.$field = (vh, vw);
            self
        }
    };
    ($field:ident: $both:ident / $pair:ident, $what:literal) => {
        #[doc = concat!("The same with ", $what, " `v` on both axes.")]
        pub fn $both(mut self, v: usize) -> Self {
            self.$field = (v, v);
            self
        }

        $crate::conv::pair_setters!($field: $pair, $what);
    };
}
pub(crate) use pair_setters;

/// Hyperparameters of a 2-D convolution; each pair is `(vertical, horizontal)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Conv2dParams {
    /// Number of output channels `K` (filters).
    pub out_channels: usize,
    /// Kernel size `(R, S)`.
    pub kernel: (usize, usize),
    /// Stride `(s_h, s_w)`.
    pub stride: (usize, usize),
    /// Zero padding `(p_h, p_w)` on each side.
    pub padding: (usize, usize),
    /// Dilation `(d_h, d_w)` (1 = ordinary convolution).
    pub dilation: (usize, usize),
}

impl Conv2dParams {
    /// `out_channels` filters of size `kernel × kernel`, stride 1, no padding, dilation 1.
    pub fn new(out_channels: usize, kernel: usize) -> Self {
        Conv2dParams {
            out_channels,
            kernel: (kernel, kernel),
            stride: (1, 1),
            padding: (0, 0),
            dilation: (1, 1),
        }
    }

    pair_setters!(kernel: with_kernel, "a kernel of size (R, S) =");
    pair_setters!(stride: with_stride / with_stride2, "stride");
    pair_setters!(padding: with_padding / with_padding2, "zero padding");
    pair_setters!(dilation: with_dilation / with_dilation2, "dilation");
}

/// A checked convolution geometry: input shape, hyperparameters and the output shape they give.
/// All kernels of the convolution are methods of it; see the [module docs](self) for equations
/// and layout.
///
/// ```
/// use neurograd_tensor::conv::{Conv2dGeometry, Conv2dParams, ImageShape};
/// use neurograd_tensor::Matrix;
/// let g = Conv2dGeometry::new(ImageShape::new(1, 5, 5)?, Conv2dParams::new(2, 3).with_padding(1))?;
/// assert_eq!(g.output(), ImageShape::new(2, 5, 5)?);
/// assert_eq!(g.weight_shape(), (2, 9));
/// let x = Matrix::from_element(4, 25, 1.0); // a batch of 4 images
/// let w = Matrix::from_element(2, 9, 1.0);
/// let y = g.forward(&x, &w, None)?; // 4 x (2*5*5)
/// assert_eq!(y[(0, 0)], 4.0); // corner: 2 x 2 pixels inside the image
/// assert_eq!(y[(0, 6)], 9.0); // interior pixel (1, 1)
/// # Ok::<(), neurograd_tensor::TensorError>(())
/// ```
pub type Conv2dGeometry = Geometry2d<Conv2dParams>;

/// A checked geometry of a 2-D layer: its input shape, its hyperparameters `P` and the output
/// shape they give. Made only by [`Conv2dGeometry::new`] and [`Pool2dGeometry::new`], so the three
/// always agree; deserialising re-runs those checks (and rejects a stored output shape that
/// disagrees), so the kernels never see an inconsistent geometry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Geometry2d<P> {
    input: ImageShape,
    output: ImageShape,
    params: P,
}

/// The serialised fields of a [`Geometry2d`], before the checks.
#[derive(Deserialize)]
struct GeometryRepr<P> {
    input: ImageShape,
    output: ImageShape,
    params: P,
}

impl<P: Copy> GeometryRepr<P> {
    /// Rebuilds the geometry with `new` and checks the stored output shape against it.
    fn check(self, new: fn(ImageShape, P) -> Result<Geometry2d<P>>) -> Result<Geometry2d<P>> {
        let g = new(self.input, self.params)?;
        if g.output != self.output {
            return Err(invalid(
                "output",
                format!("{:?}", self.output),
                &format!("the geometry gives {:?}", g.output),
            ));
        }
        Ok(g)
    }
}

impl<'de> Deserialize<'de> for Geometry2d<Conv2dParams> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let repr = GeometryRepr::<Conv2dParams>::deserialize(d)?;
        repr.check(Self::new).map_err(serde::de::Error::custom)
    }
}

impl<'de> Deserialize<'de> for Geometry2d<Pool2dParams> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let repr = GeometryRepr::<Pool2dParams>::deserialize(d)?;
        repr.check(Self::new).map_err(serde::de::Error::custom)
    }
}

impl<P: Copy> Geometry2d<P> {
    /// The input shape `(C, H, W)`.
    pub fn input(&self) -> ImageShape {
        self.input
    }

    /// The output shape `(channels, H_o, W_o)`: `K` channels for a convolution, `C` for pooling.
    pub fn output(&self) -> ImageShape {
        self.output
    }

    /// The hyperparameters.
    pub fn params(&self) -> P {
        self.params
    }
}

impl Conv2dGeometry {
    /// Checks `params` against `input` and computes the output shape.
    ///
    /// # Errors
    /// [`TensorError::InvalidParameter`] for zero channels, kernel, stride or dilation, a dilated
    /// kernel larger than the padded input, or sizes whose products overflow.
    pub fn new(input: ImageShape, params: Conv2dParams) -> Result<Self> {
        let input = ImageShape::new(input.channels, input.height, input.width)?;
        if params.out_channels == 0 {
            return Err(invalid("out_channels", 0, "must be at least 1"));
        }
        let ho = output_len(
            input.height,
            params.kernel.0,
            params.stride.0,
            params.padding.0,
            params.dilation.0,
        )?;
        let wo = output_len(
            input.width,
            params.kernel.1,
            params.stride.1,
            params.padding.1,
            params.dilation.1,
        )?;
        let output = ImageShape::new(params.out_channels, ho, wo)?;
        checked_product(
            &[input.channels, params.kernel.0, params.kernel.1],
            "patch length C*R*S",
        )?;
        checked_product(
            &[
                input.channels,
                params.kernel.0,
                params.kernel.1,
                params.out_channels,
            ],
            "weight size K*C*R*S",
        )?;
        Ok(Conv2dGeometry {
            input,
            output,
            params,
        })
    }

    /// `C·R·S`, the length of one receptive field (the fan-in of a filter).
    pub fn patch_len(&self) -> usize {
        self.input.channels * self.params.kernel.0 * self.params.kernel.1
    }

    /// Shape of the weight matrix, `(K, C·R·S)`.
    pub fn weight_shape(&self) -> (usize, usize) {
        (self.params.out_channels, self.patch_len())
    }

    /// Shape of the bias row, `(1, K)`.
    pub fn bias_shape(&self) -> (usize, usize) {
        (1, self.params.out_channels)
    }

    /// Shape of the im2col patch matrix for a batch of `n`: `(H_o·W_o·n, C·R·S)`.
    pub fn cols_shape(&self, n: usize) -> (usize, usize) {
        (self.output.plane() * n, self.patch_len())
    }

    fn check_weight(&self, op: &'static str, w: &Matrix) -> Result<()> {
        if w.shape() != self.weight_shape() {
            return Err(TensorError::ShapeMismatch {
                op,
                expected: self.weight_shape(),
                got: w.shape(),
            });
        }
        Ok(())
    }

    fn check_grad(&self, op: &'static str, g: &Matrix) -> Result<usize> {
        self.output.check_batch(op, g)
    }

    fn check_cols(&self, op: &'static str, cols: &Matrix, n: usize) -> Result<()> {
        let shape = self.cols_shape(n);
        if cols.shape() != shape {
            return Err(TensorError::ShapeMismatch {
                op,
                expected: shape,
                got: cols.shape(),
            });
        }
        Ok(())
    }

    fn check_cols_size(&self, n: usize) -> Result<()> {
        checked_product(
            &[self.output.plane(), n, self.patch_len()],
            "im2col size Ho*Wo*N*C*R*S",
        )?;
        checked_product(&[self.output.len(), n], "output size N*K*Ho*Wo")?;
        Ok(())
    }

    /// The input coordinate `i·s + r·d − p` that output index `i` reads with kernel tap `r` along
    /// `axis` (0 = rows, 1 = columns), `None` where it lies in the padding.
    fn tap_rows(&self, len_in: usize, axis: usize) -> impl Fn(usize, usize) -> Option<usize> {
        let (s, p, d) = if axis == 0 {
            (
                self.params.stride.0,
                self.params.padding.0,
                self.params.dilation.0,
            )
        } else {
            (
                self.params.stride.1,
                self.params.padding.1,
                self.params.dilation.1,
            )
        };
        move |i, r| {
            let h = i * s + r * d;
            (h >= p && h - p < len_in).then(|| h - p)
        }
    }

    /// Walks the im2col correspondence: for each patch column `q = (c, r, t)` and output position
    /// `(i, j)`, calls `f(q, ij, Some(input column))` or `f(q, ij, None)` for a tap in the
    /// padding.
    fn for_each_tap(&self, mut f: impl FnMut(usize, usize, Option<usize>)) {
        let (r_len, s_len) = self.params.kernel;
        let (ho, wo) = (self.output.height, self.output.width);
        let row_of = self.tap_rows(self.input.height, 0);
        let col_of = self.tap_rows(self.input.width, 1);
        for c in 0..self.input.channels {
            for r in 0..r_len {
                for t in 0..s_len {
                    let q = (c * r_len + r) * s_len + t;
                    for i in 0..ho {
                        let h = row_of(i, r);
                        for j in 0..wo {
                            let src = match (h, col_of(j, t)) {
                                (Some(h), Some(w)) => Some(self.input.column(c, h, w)),
                                _ => None,
                            };
                            f(q, i * wo + j, src);
                        }
                    }
                }
            }
        }
    }

    /// im2col: fills `cols` (resized to [`cols_shape`](Self::cols_shape) if needed, reusing its
    /// allocation otherwise) with the receptive fields of the batch `x`.
    ///
    /// # Errors
    /// `x` not `N × C·H·W` ([`TensorError::ShapeMismatch`]), an empty batch, sizes that overflow.
    pub fn im2col(&self, x: &Matrix, cols: &mut Matrix) -> Result<()> {
        let n = self.input.check_batch("conv2d im2col", x)?;
        self.check_cols_size(n)?;
        let shape = self.cols_shape(n);
        if cols.shape() != shape {
            *cols = Matrix::zeros(shape.0, shape.1);
        }
        self.im2col_block(
            x.as_slice(),
            n,
            0,
            self.output.plane(),
            cols.as_mut_slice(),
            shape.0,
            0,
        );
        Ok(())
    }

    /// The im2col rows of the output positions `p0 .. p1` (`p = i·W_o + j`) of a batch of `n`
    /// (`xs`, column-major `N × C·H·W`): the entry of position `p`, sample `m` and tap `q` goes to
    /// `out[q·ld + row0 + (p − p0)·n + m]`. With `ld` the number of rows of the whole patch
    /// matrix and `row0 = p0·n` this fills that block of [`im2col`](Self::im2col)'s matrix; with
    /// `ld = (p1 − p0)·n` and `row0 = 0`, a separate buffer holding only the block.
    ///
    /// Along a row of outputs with horizontal stride 1 the taps that fall inside the image read
    /// consecutive input pixels, stored consecutively (`n` numbers each) in `xs` and in `out`, so
    /// they are copied as one run; other strides copy pixel by pixel.
    #[allow(clippy::too_many_arguments)]
    fn im2col_block(
        &self,
        xs: &[Real],
        n: usize,
        p0: usize,
        p1: usize,
        out: &mut [Real],
        ld: usize,
        row0: usize,
    ) {
        let (r_len, s_len) = self.params.kernel;
        let wo = self.output.width;
        let row_of = self.tap_rows(self.input.height, 0);
        let col_of = self.tap_rows(self.input.width, 1);
        let unit_stride = self.params.stride.1 == 1;
        let (pad_w, dil_w) = (self.params.padding.1, self.params.dilation.1);
        for c in 0..self.input.channels {
            for r in 0..r_len {
                for t in 0..s_len {
                    let q = (c * r_len + r) * s_len + t;
                    let dst_q = &mut out[q * ld + row0..q * ld + row0 + (p1 - p0) * n];
                    let mut p = p0;
                    while p < p1 {
                        let (i, j_start) = (p / wo, p % wo);
                        let j_end = (j_start + (p1 - p)).min(wo);
                        let run = &mut dst_q[(p - p0) * n..(p - p0 + j_end - j_start) * n];
                        match row_of(i, r) {
                            None => run.fill(0.0),
                            Some(h) if unit_stride => {
                                // valid j: those whose column j + t·d − p lies in 0..W
                                let lo = pad_w.saturating_sub(t * dil_w).clamp(j_start, j_end);
                                let hi = (self.input.width + pad_w)
                                    .saturating_sub(t * dil_w)
                                    .clamp(lo, j_end);
                                run[..(lo - j_start) * n].fill(0.0);
                                if hi > lo {
                                    let src = self.input.column(c, h, lo + t * dil_w - pad_w) * n;
                                    run[(lo - j_start) * n..(hi - j_start) * n]
                                        .copy_from_slice(&xs[src..src + (hi - lo) * n]);
                                }
                                run[(hi - j_start) * n..].fill(0.0);
                            }
                            Some(h) => {
                                for j in j_start..j_end {
                                    let dst = &mut run[(j - j_start) * n..(j - j_start + 1) * n];
                                    match col_of(j, t) {
                                        Some(w) => {
                                            let src = self.input.column(c, h, w) * n;
                                            dst.copy_from_slice(&xs[src..src + n]);
                                        }
                                        None => dst.fill(0.0),
                                    }
                                }
                            }
                        }
                        p += j_end - j_start;
                    }
                }
            }
        }
    }

    /// Output positions per im2col block of the forward pass: as many as keep the block (`n`
    /// rows per position, `C·R·S` columns) within [`FORWARD_BLOCK_BYTES`], at least one.
    fn block_positions(&self, n: usize) -> usize {
        let per_position = n * self.patch_len() * std::mem::size_of::<Real>();
        (FORWARD_BLOCK_BYTES / per_position.max(1)).clamp(1, self.output.plane())
    }

    /// col2im: `dx += scatter(cols)`, the adjoint of [`im2col`](Self::im2col). Each patch entry is
    /// **added** to the input pixel it was read from; taps in the padding are dropped.
    ///
    /// # Errors
    /// `cols` not [`cols_shape`](Self::cols_shape)`(N)` or `dx` not `N × C·H·W`.
    pub fn col2im_add(&self, cols: &Matrix, dx: &mut Matrix) -> Result<()> {
        let n = self.input.check_batch("conv2d col2im", dx)?;
        self.check_cols("conv2d col2im", cols, n)?;
        self.col2im_add_raw(cols, dx);
        Ok(())
    }

    /// [`col2im_add`](Self::col2im_add) on shapes already checked.
    fn col2im_add_raw(&self, cols: &Matrix, dx: &mut Matrix) {
        let n = dx.nrows();
        let (rows, cs) = (cols.nrows(), cols.as_slice());
        let out = dx.as_mut_slice();
        self.for_each_tap(|q, ij, src| {
            if let Some(col) = src {
                let from = &cs[q * rows + ij * n..q * rows + (ij + 1) * n];
                for (d, &v) in out[col * n..(col + 1) * n].iter_mut().zip(from) {
                    *d += v;
                }
            }
        });
    }

    /// Forward pass `Y = conv(X; W) + b`: `x` is `N × C·H·W`, `w` is `K × C·R·S`, `bias` (if any)
    /// is `1 × K`; returns `N × K·H_o·W_o`.
    ///
    /// # Errors
    /// Shape mismatches ([`TensorError::ShapeMismatch`]), an empty batch, overflowing sizes.
    pub fn forward(&self, x: &Matrix, w: &Matrix, bias: Option<&Matrix>) -> Result<Matrix> {
        self.check_forward(w, bias)?;
        let n = self.input.check_batch("conv2d im2col", x)?;
        self.check_cols_size(n)?;
        // only one block of the patch matrix at a time, in a buffer of at most the block size
        let block = self.block_positions(n);
        let mut buf = vec![0.0; block * n * self.patch_len()];
        Ok(self.forward_blocks(x, w, bias, n, &mut buf, false, block))
    }

    /// [`forward`](Self::forward) that leaves the im2col patch matrix in `cols` (reusing its
    /// allocation), for [`backward_weight_from_cols`](Self::backward_weight_from_cols).
    ///
    /// # Errors
    /// As [`forward`](Self::forward).
    pub fn forward_cols(
        &self,
        x: &Matrix,
        w: &Matrix,
        bias: Option<&Matrix>,
        cols: &mut Matrix,
    ) -> Result<Matrix> {
        self.check_forward(w, bias)?;
        let n = self.input.check_batch("conv2d im2col", x)?;
        self.check_cols_size(n)?;
        let shape = self.cols_shape(n);
        if cols.shape() != shape {
            *cols = Matrix::zeros(shape.0, shape.1);
        }
        // each block of rows is written and then multiplied while it is still in cache
        let block = self.block_positions(n);
        Ok(self.forward_blocks(x, w, bias, n, cols.as_mut_slice(), true, block))
    }

    fn check_forward(&self, w: &Matrix, bias: Option<&Matrix>) -> Result<()> {
        self.check_weight("conv2d", w)?;
        if let Some(b) = bias
            && b.shape() != self.bias_shape()
        {
            return Err(TensorError::ShapeMismatch {
                op: "conv2d bias",
                expected: self.bias_shape(),
                got: b.shape(),
            });
        }
        Ok(())
    }

    /// The forward product block by block: for each range `p0 .. p1` of output positions
    /// (`step` at a time, [`block_positions`](Self::block_positions) outside the tests) the im2col rows of that range are
    /// written into `buf` (`full`: at their place in the whole `(H_o W_o N) × C·R·S` patch
    /// matrix; otherwise at the start of `buf`, a buffer of one block) and `Y_block = U_block Wᵀ`
    /// goes to the same rows of the `(H_o W_o N) × K` reading of the output, then `+ b`. Every
    /// output entry is the same sum over the same `C·R·S` products as in one product of the
    /// whole matrix.
    #[allow(clippy::too_many_arguments)]
    fn forward_blocks(
        &self,
        x: &Matrix,
        w: &Matrix,
        bias: Option<&Matrix>,
        n: usize,
        buf: &mut [Real],
        full: bool,
        step: usize,
    ) -> Matrix {
        let (plane, k, crs) = (
            self.output.plane(),
            self.params.out_channels,
            self.patch_len(),
        );
        let rows = plane * n;
        let mut y = Matrix::zeros(n, self.output.len());
        let ys = y.as_mut_slice();
        let mut p0 = 0;
        while p0 < plane {
            let p1 = (p0 + step).min(plane);
            let m = (p1 - p0) * n;
            let (ld, row0) = if full { (rows, p0 * n) } else { (m, 0) };
            self.im2col_block(x.as_slice(), n, p0, p1, buf, ld, row0);
            let u = &buf[row0..];
            gemm::gemm_into_strided(
                &mut ys[p0 * n..],
                m,
                k,
                rows,
                1.0,
                GemmRef::col_major_strided(u, m, crs, ld),
                GemmRef::t(w),
                0.0,
            );
            p0 = p1;
        }
        if let Some(b) = bias {
            for (kk, chunk) in ys.chunks_exact_mut(rows).enumerate() {
                let bk = b[(0, kk)];
                chunk.iter_mut().for_each(|v| *v += bk);
            }
        }
        y
    }

    /// `∂L/∂X` from the output adjoint `g` (`N × K·H_o·W_o`) and weights `w` (`K × C·R·S`):
    /// `col2im(G W)`. Any `K × C·R·S` matrix may stand in for `w` (feedback alignment uses a fixed
    /// random one, sign symmetry `sign(W)`).
    ///
    /// # Errors
    /// Shape mismatches, an empty batch, overflowing sizes.
    pub fn backward_input(&self, g: &Matrix, w: &Matrix) -> Result<Matrix> {
        self.check_weight("conv2d backward_input", w)?;
        let n = self.check_grad("conv2d backward_input", g)?;
        self.check_cols_size(n)?;
        Ok(self.backward_input_raw(g, w))
    }

    /// [`backward_input`](Self::backward_input) on shapes already checked.
    pub(crate) fn backward_input_raw(&self, g: &Matrix, w: &Matrix) -> Matrix {
        let n = g.nrows();
        let (rows, k) = (self.output.plane() * n, self.params.out_channels);
        let mut dcols = Matrix::zeros(rows, self.patch_len());
        gemm::gemm(
            &mut dcols,
            1.0,
            GemmRef::col_major(g.as_slice(), rows, k),
            w.into(),
            0.0,
        );
        let mut dx = Matrix::zeros(n, self.input.len());
        self.col2im_add_raw(&dcols, &mut dx);
        dx
    }

    /// `∂L/∂W = Gᵀ U` (`K × C·R·S`) from the input batch `x` and the output adjoint `g`.
    ///
    /// # Errors
    /// Shape mismatches (including different batch sizes), an empty batch, overflowing sizes.
    pub fn backward_weight(&self, x: &Matrix, g: &Matrix) -> Result<Matrix> {
        let n = self.input.check_batch("conv2d backward_weight", x)?;
        if g.shape() != (n, self.output.len()) {
            return Err(TensorError::ShapeMismatch {
                op: "conv2d backward_weight",
                expected: (n, self.output.len()),
                got: g.shape(),
            });
        }
        let mut cols = Matrix::zeros(0, 0);
        self.im2col(x, &mut cols)?;
        self.backward_weight_from_cols(&cols, g)
    }

    /// [`backward_weight`](Self::backward_weight) from a patch matrix made by
    /// [`im2col`](Self::im2col) or [`forward_cols`](Self::forward_cols).
    ///
    /// # Errors
    /// `cols` not [`cols_shape`](Self::cols_shape)`(N)`, `g` not `N × K·H_o·W_o`.
    pub fn backward_weight_from_cols(&self, cols: &Matrix, g: &Matrix) -> Result<Matrix> {
        let n = self.check_grad("conv2d backward_weight", g)?;
        self.check_cols("conv2d backward_weight", cols, n)?;
        Ok(self.backward_weight_raw(cols, g))
    }

    /// [`backward_weight_from_cols`](Self::backward_weight_from_cols) on shapes already checked.
    pub(crate) fn backward_weight_raw(&self, cols: &Matrix, g: &Matrix) -> Matrix {
        let (rows, k) = (cols.nrows(), self.params.out_channels);
        // Gᵀ read in place: K x (Ho Wo N).
        let mut dw = Matrix::zeros(k, self.patch_len());
        gemm::gemm(
            &mut dw,
            1.0,
            GemmRef::col_major(g.as_slice(), rows, k).transpose(),
            cols.into(),
            0.0,
        );
        dw
    }

    /// `∂L/∂b` (`1 × K`): the sum of `g` over the batch and all output positions of each channel.
    ///
    /// # Errors
    /// `g` not `N × K·H_o·W_o`, an empty batch.
    pub fn backward_bias(&self, g: &Matrix) -> Result<Matrix> {
        self.check_grad("conv2d backward_bias", g)?;
        Ok(self.backward_bias_raw(g))
    }

    /// [`backward_bias`](Self::backward_bias) on shapes already checked.
    pub(crate) fn backward_bias_raw(&self, g: &Matrix) -> Matrix {
        let rows = self.output.plane() * g.nrows();
        let mut db = Matrix::zeros(1, self.params.out_channels);
        for (k, chunk) in g.as_slice().chunks_exact(rows).enumerate() {
            db[(0, k)] = chunk.iter().sum();
        }
        db
    }
}

/// Row-major reshape (the semantics of NumPy's and PyTorch's `reshape` on a C-ordered array): the
/// entries of `a` read row by row fill a `rows × cols` matrix row by row.
///
/// # Errors
/// [`TensorError::ShapeMismatch`] if `rows·cols` differs from the number of entries of `a`.
pub fn reshape_row_major(a: &Matrix, rows: usize, cols: usize) -> Result<Matrix> {
    if rows.checked_mul(cols) != Some(a.len()) {
        return Err(TensorError::ShapeMismatch {
            op: "reshape",
            expected: a.shape(),
            got: (rows, cols),
        });
    }
    Ok(reshape_row_major_raw(a, rows, cols))
}

/// [`reshape_row_major`] for `rows·cols` already checked to equal `a.len()`.
pub(crate) fn reshape_row_major_raw(a: &Matrix, rows: usize, cols: usize) -> Matrix {
    // a row-major buffer of a is the column-major buffer of aᵀ
    let t = a.transpose();
    Matrix::from_row_slice(rows, cols, t.as_slice())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The blocked forward pass gives the one-block result for every block size (including
    /// blocks that start and end inside a row of outputs), into a block buffer or into the
    /// whole patch matrix, and the patch matrix equals [`Conv2dGeometry::im2col`]'s. The
    /// geometries cover horizontal stride 1 (the run copies) and 2, padding and dilation.
    #[test]
    fn blocked_forward_equals_one_block() {
        let cases = [
            (2, 7, 6, Conv2dParams::new(3, 3)),
            (1, 8, 9, Conv2dParams::new(2, 3).with_padding2(1, 2)),
            (
                3,
                7,
                8,
                Conv2dParams::new(2, 2).with_stride2(1, 2).with_padding(1),
            ),
            (
                2,
                9,
                9,
                Conv2dParams::new(2, 3).with_dilation(2).with_padding2(2, 1),
            ),
        ];
        for (ci, (c, h, wd, params)) in cases.into_iter().enumerate() {
            let g = Conv2dGeometry::new(ImageShape::new(c, h, wd).unwrap(), params).unwrap();
            let n = 3;
            let val = |s: usize| ((s * 7919 + ci * 104_729) % 1000) as Real / 500.0 - 1.0;
            let x = Matrix::from_fn(n, g.input().len(), |i, j| val(i * 1000 + j));
            let (kr, kc) = g.weight_shape();
            let w = Matrix::from_fn(kr, kc, |i, j| val(7 + i * 31 + j * 3));
            let b = Matrix::from_fn(1, kr, |_, j| val(j + 11));
            let plane = g.output().plane();
            let crs = g.patch_len();
            let mut one = vec![0.0; plane * n * crs];
            let reference = g.forward_blocks(&x, &w, Some(&b), n, &mut one, false, plane);
            let mut cols_ref = Matrix::zeros(0, 0);
            g.im2col(&x, &mut cols_ref).unwrap();
            for step in [1, 2, 3, 5, plane - 1, plane] {
                let mut buf = vec![0.0; step * n * crs];
                let y = g.forward_blocks(&x, &w, Some(&b), n, &mut buf, false, step);
                let e = (&y - &reference).amax();
                assert!(e < 1e-12, "case {ci}, step {step}, block buffer: {e}");
                let mut cols = Matrix::from_element(plane * n, crs, Real::NAN);
                let y = g.forward_blocks(&x, &w, Some(&b), n, cols.as_mut_slice(), true, step);
                let e = (&y - &reference).amax();
                assert!(e < 1e-12, "case {ci}, step {step}, whole patch matrix: {e}");
                assert_eq!(cols, cols_ref, "case {ci}, step {step}");
            }
            // a block buffer of position 1 alone holds that position's rows of the patch matrix,
            // which differ from position 0's (control: an offset error would show)
            let mut buf = vec![0.0; n * crs];
            g.im2col_block(x.as_slice(), n, 1, 2, &mut buf, n, 0);
            let rows = plane * n;
            let at = |p: usize| -> Vec<Real> {
                (0..crs)
                    .flat_map(|q| {
                        cols_ref.as_slice()[q * rows + p * n..q * rows + (p + 1) * n].to_vec()
                    })
                    .collect()
            };
            assert_eq!(buf, at(1), "case {ci}");
            assert_ne!(
                buf,
                at(0),
                "case {ci}: positions 0 and 1 read the same pixels"
            );
        }
    }
}
