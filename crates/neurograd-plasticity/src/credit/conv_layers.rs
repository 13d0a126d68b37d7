//! Convolutional layers of the credit-assignment [`Network`](super::Network): their geometry,
//! the architecture spec (`conv:8x5,pool:2,conv:16x5,pool:2,dense:10`) and the per-layer
//! forward and backward passes the feed-forward algorithms share.
//!
//! **Layout (NCHW, flattened).** A batch is still a `(batch, n)` matrix, one sample per row. For
//! a convolutional layer the row of sample `n` holds its `(C, H, W)` map in NCHW order:
//! feature `c·H·W + y·W + x` is channel `c`, row `y`, column `x` (so "flatten" before a dense
//! layer is the identity, and a grey image stored row-major is a `(1, H, W)` map). The kernel
//! `W_l` is stored as the `(K, C·R·S)` matrix `Wm` of the reference im2col form (row `k`, column
//! `c·R·S + r·S + t`), the bias as a `(1, K)` row, so the parameter list, the optimizers, the
//! checkpoints and the cosine to backprop are those of dense layers.
//!
//! **A convolutional layer** (`l`, input `h_{l-1}` of shape `(C, H, W)`) computes, with stride
//! `s`, zero padding `p` and an optional pooling `P` (max or average, window `k`, stride `k`
//! unless given):
//!
//! ```text
//! a_l[n,k,i,j] = b_k + Σ_{c,r,t} W[k,c,r,t] · h_{l-1}^pad[n, c, i·s + r, j·s + t]   (cross-correlation)
//! h_l = P(f_l(a_l))      (no pooling: h_l = f_l(a_l))
//! Ho = ⌊(H + 2p − R)/s⌋ + 1,  Wo = ⌊(W + 2p − S)/s⌋ + 1
//! ```
//!
//! **Backward pieces** (vision reference §1, §2): given `g = ∂L/∂h_l` (or whatever teaching signal
//! an algorithm puts there), the parameter-free local derivatives stay exact in every algorithm,
//! `δ_l = f_l'(a_l) ⊙ Pᵀ(g)` (max-pool routes to the argmax, first maximum in row-major scan;
//! average pooling spreads `g/|Ω|`); the weight update is the im2col product
//! `ΔWm = δ_l,m · Uᵀ`, `Δb_k = Σ_{n,i,j} δ_l[n,k,i,j]`; and the signal sent down is the
//! transposed convolution of `δ_l` with a kernel of `W`'s shape: `W` itself (backprop), a fixed
//! random `B` (feedback alignment) or `sign(W)`-based feedback (sign symmetry).
//!
//! The kernels are the tensor core's (`neurograd_tensor::conv`); this module only maps the
//! network's batch layout onto them and keeps the buffers.

use serde::{Deserialize, Serialize};

use neurograd_tensor::conv::{
    Conv2dGeometry, Conv2dParams, ImageShape, Pool2dGeometry, Pool2dParams, avg_pool2d,
    avg_pool2d_backward, max_pool2d, max_pool2d_backward,
};
use neurograd_tensor::{Activation, Matrix};

use super::linalg::ensure_shape;
use crate::{PlasticityError, Result};

/// Largest number of activations of one layer and sample (the size check before allocating).
pub const MAX_LAYER_WIDTH: usize = 1 << 24;

/// The pooling applied after a convolutional layer's activation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PoolKind {
    /// Maximum over the window; the gradient goes to the first maximum in row-major scan order.
    Max,
    /// Mean over the window (no padding, so every window divides by `k²`).
    Avg,
}

/// A pooling stage of an [`Architecture`]: `kind` over `size x size` windows moved by `stride`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pool {
    /// Max or average.
    pub kind: PoolKind,
    /// Window side (>= 1).
    pub size: usize,
    /// Window stride (>= 1).
    pub stride: usize,
}

/// One convolutional layer of a [`Network`](super::Network): the tensor core's checked
/// convolution geometry and an optional pooling after the activation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConvLayer {
    /// The convolution (input `(C, H, W)`, `K` filters, kernel, stride, padding).
    pub conv: Conv2dGeometry,
    /// Pooling after the activation, with its checked geometry.
    pub pool: Option<(PoolKind, Pool2dGeometry)>,
}

impl ConvLayer {
    /// Width of the pre-activation `a_l` per sample, `K·Ho·Wo`.
    pub fn pre_width(&self) -> usize {
        self.conv.output().len()
    }

    /// The layer's output shape `(K, Hp, Wp)` (after pooling).
    pub fn output(&self) -> ImageShape {
        self.pool.map_or(self.conv.output(), |(_, p)| p.output())
    }

    /// Width of the output `h_l` per sample, `K·Hp·Wp`.
    pub fn out_width(&self) -> usize {
        self.output().len()
    }

    /// Fan-in `C·R·S` and fan-out `K·R·S` of the kernel (the Glorot/Xavier convention for
    /// convolutions, as PyTorch's `xavier_uniform_`).
    pub fn fans(&self) -> (usize, usize) {
        let p = self.conv.params();
        (
            self.conv.patch_len(),
            p.out_channels * p.kernel.0 * p.kernel.1,
        )
    }
}

/// The kind of a weight layer of the [`Network`](super::Network).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
// One small `Copy` value per layer (a few hundred bytes), copied out of the network by value in
// the layer loops; boxing the convolution would cost `Copy` for nothing measurable.
#[allow(clippy::large_enum_variant)]
pub enum LayerKind {
    /// `a = h Wᵀ + b` with `W` of shape `(out, in)`.
    Dense,
    /// A convolution (+ optional pooling), see the module docs.
    Conv(ConvLayer),
}

impl LayerKind {
    /// Fan-in and fan-out of the layer's weight `(rows, cols)` shape: for dense layers the
    /// matrix's `(cols, rows)`, for convolutions [`ConvLayer::fans`].
    pub fn fans(&self, rows: usize, cols: usize) -> (usize, usize) {
        match self {
            LayerKind::Dense => (cols, rows),
            LayerKind::Conv(g) => g.fans(),
        }
    }
}

/// One stage of an [`Architecture`] spec.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LayerSpec {
    /// `conv:<K>x<k>[s<stride>][p<padding>]`: `K` channels of `k x k` kernels (stride 1, no
    /// padding unless given).
    Conv {
        /// Output channels.
        channels: usize,
        /// Kernel side.
        kernel: usize,
        /// Stride.
        stride: usize,
        /// Zero padding.
        padding: usize,
    },
    /// `pool:<k>` / `maxpool:<k>[s<stride>]` / `avgpool:<k>[s<stride>]` (stride `k` unless given):
    /// pooling after the preceding convolution's activation.
    Pool(Pool),
    /// `dense:<n>`: a dense layer of `n` units (the input is flattened NCHW).
    Dense(usize),
}

/// A network architecture: an input map `(C, H, W)` and a list of stages, the last a dense
/// readout of the number of classes (`conv:8x5,pool:2,conv:16x5,pool:2,dense:10` on `(1, 28,
/// 28)`). Convolutions come before dense layers; a pooling stage follows a convolution (at most
/// one per convolution).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Architecture {
    /// Input `(C, H, W)`.
    pub input: (usize, usize, usize),
    /// Stages in order.
    pub stages: Vec<LayerSpec>,
}

fn bad(
    name: &'static str,
    value: impl std::fmt::Display,
    reason: impl Into<String>,
) -> PlasticityError {
    PlasticityError::InvalidParameter {
        name,
        value: value.to_string(),
        reason: reason.into(),
    }
}

/// Parses `"<n>"` followed by optional `s<n>` and `p<n>` suffixes (each at most once, in that
/// order), e.g. `5`, `5s2`, `3s1p1`, `3p1`.
fn parse_window(
    item: &str,
    text: &str,
    allow_padding: bool,
) -> Result<(usize, Option<usize>, usize)> {
    let err = |why: &str| bad("arch", item, why.to_string());
    let num = |s: &str| -> Result<usize> {
        let v: usize = s.parse().map_err(|_| err("expected a positive integer"))?;
        if v == 0 {
            return Err(err("sizes must be at least 1"));
        }
        Ok(v)
    };
    let (main, padding) = match text.split_once('p') {
        Some((m, p)) if allow_padding => {
            let p: usize = p
                .parse()
                .map_err(|_| err("padding must be an integer >= 0"))?;
            (m, p)
        }
        Some(_) => return Err(err("pooling takes no padding")),
        None => (text, 0),
    };
    let (size, stride) = match main.split_once('s') {
        Some((k, s)) => (num(k)?, Some(num(s)?)),
        None => (num(main)?, None),
    };
    Ok((size, stride, padding))
}

impl Architecture {
    /// Parses a comma-separated spec on an input of shape `input = (C, H, W)`:
    /// `conv:<K>x<k>[s<stride>][p<pad>]`, `pool:<k>[s<stride>]` (max), `maxpool:...`,
    /// `avgpool:...`, `dense:<n>`, `flatten` (a no-op: the layout is already flat). The result is
    /// validated ([`Architecture::layers`]).
    ///
    /// ```
    /// use neurograd_plasticity::credit::conv_layers::Architecture;
    /// let a = Architecture::parse("conv:8x5,pool:2,conv:16x5,pool:2,dense:10", (1, 28, 28))?;
    /// let widths: Vec<usize> = a.widths()?;
    /// assert_eq!(widths, vec![784, 8 * 12 * 12, 16 * 4 * 4, 10]);
    /// assert_eq!(a.to_string(), "conv:8x5,maxpool:2,conv:16x5,maxpool:2,dense:10");
    /// # Ok::<(), neurograd_plasticity::PlasticityError>(())
    /// ```
    ///
    /// # Errors
    /// [`PlasticityError::InvalidParameter`] named `arch` for an unknown stage, a malformed or
    /// zero size, or an architecture [`Architecture::layers`] rejects.
    pub fn parse(spec: &str, input: (usize, usize, usize)) -> Result<Self> {
        let mut stages = Vec::new();
        for item in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (kind, rest) = item.split_once(':').unwrap_or((item, ""));
            let stage = match kind {
                "flatten" if rest.is_empty() => continue,
                "conv" => {
                    let (ch, win) = rest.split_once('x').ok_or_else(|| {
                        bad(
                            "arch",
                            item,
                            "conv takes <channels>x<kernel>[s<stride>][p<pad>]",
                        )
                    })?;
                    let channels: usize =
                        ch.parse().ok().filter(|&c| c > 0).ok_or_else(|| {
                            bad("arch", item, "channels must be a positive integer")
                        })?;
                    let (kernel, stride, padding) = parse_window(item, win, true)?;
                    LayerSpec::Conv {
                        channels,
                        kernel,
                        stride: stride.unwrap_or(1),
                        padding,
                    }
                }
                "pool" | "maxpool" | "avgpool" => {
                    let (size, stride, _) = parse_window(item, rest, false)?;
                    LayerSpec::Pool(Pool {
                        kind: if kind == "avgpool" {
                            PoolKind::Avg
                        } else {
                            PoolKind::Max
                        },
                        size,
                        stride: stride.unwrap_or(size),
                    })
                }
                "dense" => LayerSpec::Dense(
                    rest.parse()
                        .ok()
                        .filter(|&n| n > 0)
                        .ok_or_else(|| bad("arch", item, "dense takes a positive width"))?,
                ),
                _ => {
                    return Err(bad(
                        "arch",
                        item,
                        "unknown stage; valid: conv:<K>x<k>[s<s>][p<p>], pool:<k>, maxpool:<k>[s<s>], avgpool:<k>[s<s>], dense:<n>, flatten",
                    ));
                }
            };
            stages.push(stage);
        }
        let arch = Architecture { input, stages };
        arch.layers()?;
        Ok(arch)
    }

    /// The weight layers with their output widths: `(kind, n_l)` per layer. Validates the whole
    /// architecture.
    ///
    /// # Errors
    /// [`PlasticityError::InvalidParameter`] named `arch` for: an empty input shape, no stage, a
    /// last stage that is not dense, a pooling stage not directly after a convolution, a
    /// convolution after a dense layer, a kernel or window larger than its (padded) input, a
    /// padding not smaller than the kernel, or a layer wider than [`MAX_LAYER_WIDTH`].
    pub fn layers(&self) -> Result<Vec<(LayerKind, usize)>> {
        let (c, h, w) = self.input;
        let mut shape = Some(
            ImageShape::new(c, h, w)
                .map_err(|e| bad("arch", format!("input {:?}", self.input), e.to_string()))?,
        );
        check_width(self, 0, c * h * w)?;
        if !matches!(self.stages.last(), Some(LayerSpec::Dense(_))) {
            return Err(bad(
                "arch",
                self,
                "the last stage must be the dense readout (dense:<classes>)",
            ));
        }
        let mut out: Vec<(LayerKind, usize)> = Vec::new();
        for (i, stage) in self.stages.iter().enumerate() {
            let at = |why: String| bad("arch", self, format!("stage {}: {why}", i + 1));
            match *stage {
                LayerSpec::Conv {
                    channels,
                    kernel,
                    stride,
                    padding,
                } => {
                    let input =
                        shape.ok_or_else(|| at("a convolution after a dense layer".into()))?;
                    if padding >= kernel {
                        return Err(at(format!(
                            "padding {padding} must be smaller than the kernel {kernel}"
                        )));
                    }
                    let params = Conv2dParams::new(channels, kernel)
                        .with_stride(stride)
                        .with_padding(padding);
                    let conv = Conv2dGeometry::new(input, params).map_err(|e| at(e.to_string()))?;
                    let layer = ConvLayer { conv, pool: None };
                    check_width(self, i + 1, layer.pre_width())?;
                    shape = Some(layer.output());
                    out.push((LayerKind::Conv(layer), layer.out_width()));
                }
                LayerSpec::Pool(p) => {
                    let follows_conv =
                        i > 0 && matches!(self.stages[i - 1], LayerSpec::Conv { .. });
                    let Some((LayerKind::Conv(layer), width)) =
                        out.last_mut().filter(|_| follows_conv)
                    else {
                        return Err(at("pooling must directly follow a convolution".into()));
                    };
                    let params = Pool2dParams::new(p.size).with_stride(p.stride);
                    let geom = Pool2dGeometry::new(layer.conv.output(), params)
                        .map_err(|e| at(e.to_string()))?;
                    layer.pool = Some((p.kind, geom));
                    *width = layer.out_width();
                    shape = Some(layer.output());
                }
                LayerSpec::Dense(n) => {
                    check_width(self, i + 1, n)?;
                    shape = None;
                    out.push((LayerKind::Dense, n));
                }
            }
        }
        Ok(out)
    }

    /// Layer widths `[n_0, n_1, ..., n_L]` (flattened sizes).
    ///
    /// # Errors
    /// As [`Architecture::layers`].
    pub fn widths(&self) -> Result<Vec<usize>> {
        let (c, h, w) = self.input;
        let mut v = vec![c * h * w];
        v.extend(self.layers()?.iter().map(|&(_, n)| n));
        Ok(v)
    }

    /// Number of output units (the width of the final dense stage; 0 if there is none).
    pub fn outputs(&self) -> usize {
        match self.stages.last() {
            Some(LayerSpec::Dense(n)) => *n,
            _ => 0,
        }
    }
}

/// Checks the width of stage `i` (0: the input) against [`MAX_LAYER_WIDTH`].
fn check_width(arch: &Architecture, i: usize, width: usize) -> Result<()> {
    if width == 0 || width > MAX_LAYER_WIDTH {
        return Err(bad(
            "arch",
            arch,
            format!("stage {i}: {width} activations per sample (allowed 1..={MAX_LAYER_WIDTH})"),
        ));
    }
    Ok(())
}

impl std::fmt::Display for Architecture {
    /// The canonical spec string (parses back to the same architecture on the same input).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut first = true;
        for s in &self.stages {
            if !first {
                f.write_str(",")?;
            }
            first = false;
            match *s {
                LayerSpec::Conv {
                    channels,
                    kernel,
                    stride,
                    padding,
                } => {
                    write!(f, "conv:{channels}x{kernel}")?;
                    if stride != 1 {
                        write!(f, "s{stride}")?;
                    }
                    if padding != 0 {
                        write!(f, "p{padding}")?;
                    }
                }
                LayerSpec::Pool(p) => {
                    let name = match p.kind {
                        PoolKind::Max => "maxpool",
                        PoolKind::Avg => "avgpool",
                    };
                    write!(f, "{name}:{}", p.size)?;
                    if p.stride != p.size {
                        write!(f, "s{}", p.stride)?;
                    }
                }
                LayerSpec::Dense(n) => write!(f, "dense:{n}")?,
            }
        }
        Ok(())
    }
}

/// The documented default CNN for 28x28 grey digits (mnist5k): two conv+pool stages and a dense
/// readout, `conv:8x5,pool:2,conv:16x5,pool:2,dense:10` (LeNet-like, after LeCun et al. 1998,
/// narrower): 784 -> 8x24x24 -> 8x12x12 -> 16x8x8 -> 16x4x4 -> 10, 5,994 parameters
/// (208 + 3,216 + 2,570).
pub const DEFAULT_CNN: &str = "conv:8x5,pool:2,conv:16x5,pool:2,dense:10";

/// What a convolutional layer's forward pass keeps for its backward pass.
#[derive(Clone, Debug, Default)]
pub(crate) struct ConvCache {
    /// The im2col patch matrix `U` of the layer's input.
    pub(crate) cols: Matrix,
    /// `f(a_l)` before pooling (only filled for a layer with pooling).
    pub(crate) act: Matrix,
    /// The max-pool argmax (only filled for a layer with max pooling).
    pub(crate) argmax: Vec<usize>,
}

impl ConvLayer {
    /// Forward pass: `pre = a_l = conv(x; w) + b`, `out = h_l = P(f(a_l))`, keeping the patches,
    /// the pre-pooling activity and the argmax in `cache`. `x` must be `(batch, C·H·W)`.
    pub(crate) fn forward(
        &self,
        x: &Matrix,
        w: &Matrix,
        b: &Matrix,
        f: Activation,
        pre: &mut Matrix,
        out: &mut Matrix,
        cache: &mut ConvCache,
    ) -> Result<()> {
        *pre = self.conv.forward_cols(x, w, Some(b), &mut cache.cols)?;
        match self.pool {
            None => {
                ensure_shape(out, pre.nrows(), pre.ncols());
                f.apply_slice(pre.as_slice(), out.as_mut_slice());
            }
            Some((kind, geom)) => {
                ensure_shape(&mut cache.act, pre.nrows(), pre.ncols());
                f.apply_slice(pre.as_slice(), cache.act.as_mut_slice());
                match kind {
                    PoolKind::Max => {
                        let (y, arg) = max_pool2d(&cache.act, &geom)?;
                        *out = y;
                        cache.argmax = arg;
                    }
                    PoolKind::Avg => *out = avg_pool2d(&cache.act, &geom)?,
                }
            }
        }
        Ok(())
    }

    /// The local, parameter-free part of the backward pass, exact in every algorithm:
    /// `δ_l = f'(a_l) ⊙ Pᵀ(g)` for a teaching signal `g` at the layer's output `h_l`
    /// (`(batch, K·Hp·Wp)`); `delta` becomes `(batch, K·Ho·Wo)`.
    pub(crate) fn local_backward(
        &self,
        f: Activation,
        pre: &Matrix,
        cache: &ConvCache,
        g: &Matrix,
        delta: &mut Matrix,
    ) -> Result<()> {
        match self.pool {
            None => {
                ensure_shape(delta, g.nrows(), g.ncols());
                delta.copy_from(g);
            }
            Some((PoolKind::Max, geom)) => *delta = max_pool2d_backward(g, &cache.argmax, &geom)?,
            Some((PoolKind::Avg, geom)) => *delta = avg_pool2d_backward(g, &geom)?,
        }
        f.mul_derivative_slice(pre.as_slice(), delta.as_mut_slice());
        Ok(())
    }

    /// The weight and bias updates from `δ_l` (the im2col product `δ_l,m U` and the sums of
    /// `δ_l` over the batch and the positions), the same formula in every algorithm.
    pub(crate) fn weight_grads(
        &self,
        cache: &ConvCache,
        delta: &Matrix,
        gw: &mut Matrix,
        gb: &mut Matrix,
    ) -> Result<()> {
        *gw = self.conv.backward_weight_from_cols(&cache.cols, delta)?;
        *gb = self.conv.backward_bias(delta)?;
        Ok(())
    }

    /// The signal sent to the layer's input: the transposed convolution of `δ_l` with `kernel`
    /// (`(K, C·R·S)`: `W_l` for backprop, a fixed random `B_l` for feedback alignment,
    /// sign-concordant feedback for sign symmetry).
    pub(crate) fn input_signal(&self, delta: &Matrix, kernel: &Matrix) -> Result<Matrix> {
        Ok(self.conv.backward_input(delta, kernel)?)
    }
}
