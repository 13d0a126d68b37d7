//! The layered rate network that every credit-assignment algorithm trains.
//!
//! Shapes follow PyTorch: layer `l` (1-based, `l = 1..=L`) has weight `W_l` of shape
//! `(n_l, n_{l-1})` = (out, in), bias `b_l` of shape `(1, n_l)` (a row), and a batch is a matrix
//! `X` of shape `(batch, n_0)`, one sample per row. The forward pass is
//!
//! ```text
//! h_0 = X,   a_l = h_{l-1} W_lᵀ + b_l,   h_l = f_l(a_l),   output y = h_L
//! ```
//!
//! Parameters are stored interleaved, `[W_1, b_1, W_2, b_2, ...]`, which is also the layout of
//! [`Updates::grads`](super::Updates), so an optimizer's `step(params, grads)` applies any
//! algorithm's updates through [`Network::update_params`].
//!
//! The shapes are an invariant of the network: no public method can change them. Reads by layer
//! ([`Network::weight`], [`Network::bias`], [`Network::activation`]) check the index; writes go
//! through [`Network::set_weight`] / [`Network::set_bias`] (shape and finiteness checked),
//! [`Network::param_slices_mut`] (flat `&mut [Real]` views: values only) or
//! [`Network::update_params`] (an optimizer step on `&mut [Matrix]`, transactional: a step that
//! fails or changes a shape leaves the network as it was).

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use neurograd_tensor::validate::check_finite;
use neurograd_tensor::{Activation, Matrix, Real, init};

use super::conv_layers::{Architecture, ConvCache, LayerKind};
use super::linalg::{add_row, ensure_shape, gemm_nt};
use crate::{PlasticityError, Result};

/// The loss a network is trained on; `ℓ` is per sample, the batch loss is the mean over rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Loss {
    /// `ℓ = ½ ‖y - t‖²` (the cost `C` of the energy-based algorithms).
    HalfSquaredError,
    /// `ℓ = -Σ_j t_j log softmax(y)_j` with `y = h_L` used as logits (use an identity output).
    SoftmaxCrossEntropy,
}

impl Loss {
    /// Batch loss: the mean over rows of `ℓ(y_i, t_i)`.
    ///
    /// # Errors
    /// [`PlasticityError::ShapeMismatch`] unless `t` has the shape of `y`.
    pub fn value(&self, y: &Matrix, t: &Matrix) -> Result<Real> {
        if y.shape() != t.shape() {
            return Err(PlasticityError::ShapeMismatch {
                op: "loss value (targets shaped like outputs)",
                expected: y.shape(),
                got: t.shape(),
            });
        }
        Ok(self.batch_value(y, t))
    }

    /// [`Loss::value`] for outputs and targets of equal shapes (checked by the callers).
    pub(crate) fn batch_value(&self, y: &Matrix, t: &Matrix) -> Real {
        let b = y.nrows().max(1) as Real;
        match self {
            Loss::HalfSquaredError => 0.5 * (y - t).norm_squared() / b,
            Loss::SoftmaxCrossEntropy => {
                let mut total = 0.0;
                for i in 0..y.nrows() {
                    let row = y.row(i);
                    let m = row.max();
                    let lse = m + row.iter().map(|v| (v - m).exp()).sum::<Real>().ln();
                    for j in 0..y.ncols() {
                        total -= t[(i, j)] * (y[(i, j)] - lse);
                    }
                }
                total / b
            }
        }
    }

    /// Writes `∂ℓ/∂y` (per sample, not divided by the batch size) into `out`.
    pub(crate) fn grad_output_into(&self, y: &Matrix, t: &Matrix, out: &mut Matrix) {
        ensure_shape(out, y.nrows(), y.ncols());
        match self {
            Loss::HalfSquaredError => {
                out.copy_from(y);
                *out -= t;
            }
            Loss::SoftmaxCrossEntropy => {
                // One pass shares the exponentials; the loss value it also returns is dropped.
                let _ = self.value_and_grad_into(y, t, out);
            }
        }
    }

    /// The batch loss (as [`Loss::value`]) and `∂ℓ/∂y` (as `grad_output_into`) in one pass,
    /// computing each softmax exponential once. Bit-identical to calling both.
    pub(crate) fn value_and_grad_into(&self, y: &Matrix, t: &Matrix, out: &mut Matrix) -> Real {
        match self {
            Loss::HalfSquaredError => {
                self.grad_output_into(y, t, out);
                let b = y.nrows().max(1) as Real;
                0.5 * out.norm_squared() / b
            }
            Loss::SoftmaxCrossEntropy => {
                ensure_shape(out, y.nrows(), y.ncols());
                let b = y.nrows().max(1) as Real;
                let mut total = 0.0;
                for i in 0..y.nrows() {
                    let m = y.row(i).max();
                    let mut s = 0.0;
                    for j in 0..y.ncols() {
                        let e = (y[(i, j)] - m).exp();
                        out[(i, j)] = e;
                        s += e;
                    }
                    let lse = m + s.ln();
                    for j in 0..y.ncols() {
                        total -= t[(i, j)] * (y[(i, j)] - lse);
                        out[(i, j)] = out[(i, j)] / s - t[(i, j)];
                    }
                }
                total / b
            }
        }
    }

    /// Stable name (`half_squared_error`, `softmax_cross_entropy`).
    pub fn name(&self) -> &'static str {
        match self {
            Loss::HalfSquaredError => "half_squared_error",
            Loss::SoftmaxCrossEntropy => "softmax_cross_entropy",
        }
    }
}

/// Pre- and post-activations of a forward pass: `pre[l-1] = a_l`, `post[l] = h_l`, `post[0] = X`.
/// For a convolutional layer `a_l` is the convolution's output `(batch, K·Ho·Wo)` and `h_l` the
/// pooled activity `(batch, K·Hp·Wp)`.
#[derive(Clone, Debug, Default)]
pub struct ForwardCache {
    /// `a_l` for `l = 1..=L` (index `l - 1`).
    pub pre: Vec<Matrix>,
    /// `h_l` for `l = 0..=L` (index `l`; `post[0]` is the input batch).
    pub post: Vec<Matrix>,
    /// Per layer (index `l - 1`): the patches, pre-pooling activity and argmax of a convolutional
    /// layer (empty for dense layers).
    pub(crate) conv: Vec<ConvCache>,
}

/// A dense layered network with biases and one activation per layer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Network {
    widths: Vec<usize>,
    activations: Vec<Activation>,
    loss: Loss,
    params: Vec<Matrix>,
    /// The kind of each layer (dense or convolutional); empty for an all-dense network (so
    /// dense networks serialise as before and old checkpoints load).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    kinds: Vec<LayerKind>,
    /// Spare buffers of [`Network::update_params`]; not part of the network's value (not
    /// compared, cloned or serialised).
    #[serde(skip)]
    scratch: Scratch,
}

/// The spare parameter buffers [`Network::update_params`] steps on, kept between calls so that a
/// training step does not allocate. Carries no state: equal to any other, cloned empty.
#[derive(Default)]
struct Scratch(Vec<Matrix>);

impl Clone for Scratch {
    fn clone(&self) -> Self {
        Scratch::default()
    }
}

impl PartialEq for Scratch {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl std::fmt::Debug for Scratch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Scratch")
    }
}

fn invalid(name: &'static str, value: impl std::fmt::Debug, reason: &str) -> PlasticityError {
    PlasticityError::InvalidParameter {
        name,
        value: format!("{value:?}"),
        reason: reason.to_string(),
    }
}

/// `a += b` (the row `b` added to every row of `a`) and `h = f(a)`, in one pass over the columns
/// (contiguous in nalgebra's column-major storage); bit-identical to `add_row`, a copy and
/// `map_in_place`.
fn bias_activate(a: &mut Matrix, b: &Matrix, f: Activation, h: &mut Matrix) {
    let rows = a.nrows();
    if rows == 0 {
        return;
    }
    let cols = a
        .as_mut_slice()
        .chunks_exact_mut(rows)
        .zip(h.as_mut_slice().chunks_exact_mut(rows));
    for (j, (acol, hcol)) in cols.enumerate() {
        let bj = b[(0, j)];
        for v in acol.iter_mut() {
            *v += bj;
        }
        f.apply_slice(acol, hcol);
    }
}

impl Network {
    /// A network with layer widths `widths = [n_0, n_1, ..., n_L]` (at least two entries, all
    /// positive), activation `hidden` on layers `1..L` and `output` on layer `L`. Weights are
    /// Glorot-uniform (Glorot & Bengio 2010) from `ChaCha8Rng::seed_from_u64(seed)`, drawn layer by
    /// layer; biases start at zero.
    ///
    /// # Errors
    /// [`PlasticityError::InvalidParameter`] for fewer than two widths, a zero width or an invalid
    /// activation parameter.
    pub fn new(
        widths: &[usize],
        hidden: Activation,
        output: Activation,
        loss: Loss,
        seed: u64,
    ) -> Result<Self> {
        if widths.len() < 2 {
            return Err(invalid(
                "widths",
                widths,
                "need at least input and output widths",
            ));
        }
        if widths.contains(&0) {
            return Err(invalid("widths", widths, "every width must be positive"));
        }
        hidden.check()?;
        output.check()?;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let n_layers = widths.len() - 1;
        let mut params = Vec::with_capacity(2 * n_layers);
        for l in 0..n_layers {
            params.push(init::glorot_uniform(widths[l + 1], widths[l], &mut rng)?);
            params.push(Matrix::zeros(1, widths[l + 1]));
        }
        let mut activations = vec![hidden; n_layers];
        activations[n_layers - 1] = output;
        Ok(Network {
            widths: widths.to_vec(),
            activations,
            loss,
            params,
            kinds: Vec::new(),
            scratch: Scratch::default(),
        })
    }

    /// A network from explicit weights `W_l` (out, in), biases `b_l` (1, out) and activations.
    ///
    /// # Errors
    /// [`PlasticityError::ShapeMismatch`] if consecutive layers do not chain or a bias is not a
    /// `(1, out)` row; [`PlasticityError::InvalidParameter`] for empty or unequal lists;
    /// [`PlasticityError::Tensor`] wrapping
    /// [`TensorError::NonFinite`](neurograd_tensor::TensorError::NonFinite) for a NaN/Inf
    /// parameter.
    pub fn from_layers(
        weights: Vec<Matrix>,
        biases: Vec<Matrix>,
        activations: Vec<Activation>,
        loss: Loss,
    ) -> Result<Self> {
        if weights.is_empty() {
            return Err(invalid("weights", 0usize, "need at least one layer"));
        }
        if biases.len() != weights.len() || activations.len() != weights.len() {
            return Err(invalid(
                "layers",
                (weights.len(), biases.len(), activations.len()),
                "weights, biases and activations must have equal length",
            ));
        }
        let mut widths = vec![weights[0].ncols()];
        for (l, w) in weights.iter().enumerate() {
            if w.nrows() == 0 || w.ncols() == 0 {
                return Err(invalid(
                    "weights",
                    w.shape(),
                    "a layer has a zero dimension",
                ));
            }
            let prev = widths[l];
            if w.ncols() != prev {
                return Err(PlasticityError::ShapeMismatch {
                    op: "network layer chain (weight cols = previous width)",
                    expected: (w.nrows(), prev),
                    got: w.shape(),
                });
            }
            if biases[l].shape() != (1, w.nrows()) {
                return Err(PlasticityError::ShapeMismatch {
                    op: "network bias (1, out)",
                    expected: (1, w.nrows()),
                    got: biases[l].shape(),
                });
            }
            check_finite(w, &format!("weight of layer {}", l + 1))?;
            check_finite(&biases[l], &format!("bias of layer {}", l + 1))?;
            activations[l].check()?;
            widths.push(w.nrows());
        }
        let params = weights
            .into_iter()
            .zip(biases)
            .flat_map(|(w, b)| [w, b])
            .collect();
        Ok(Network {
            widths,
            activations,
            loss,
            params,
            kinds: Vec::new(),
            scratch: Scratch::default(),
        })
    }

    /// A network of convolutional and dense layers from an [`Architecture`] (see
    /// [`conv_layers`](super::conv_layers) for the layout and equations): activation `hidden` on
    /// every layer but the last (the dense readout), `output` on the last. Weights are
    /// Glorot-uniform with the layer's fans (for a convolution fan-in `C·R·S`, fan-out `K·R·S`, as
    /// PyTorch's `xavier_uniform_`), drawn layer by layer from `ChaCha8Rng::seed_from_u64(seed)`;
    /// biases start at zero. An architecture without convolutions gives exactly
    /// [`Network::new`] on its widths.
    ///
    /// ```
    /// use neurograd_plasticity::credit::{Loss, Network, conv_layers::Architecture};
    /// use neurograd_tensor::{Activation, Matrix};
    /// let arch = Architecture::parse("conv:4x3,pool:2,dense:3", (1, 6, 6))?;
    /// let net = Network::from_architecture(&arch, Activation::Relu, Activation::Identity,
    ///                                      Loss::SoftmaxCrossEntropy, 1)?;
    /// assert_eq!(net.widths(), &[36, 4 * 2 * 2, 3]);
    /// assert_eq!(net.weight(0)?.shape(), (4, 9)); // K x C·R·S
    /// let y = net.forward(&Matrix::from_element(2, 36, 0.5))?;
    /// assert_eq!(y.shape(), (2, 3));
    /// # Ok::<(), neurograd_plasticity::PlasticityError>(())
    /// ```
    ///
    /// # Errors
    /// As [`Architecture::layers`] (named `arch`) and [`Network::new`].
    pub fn from_architecture(
        arch: &Architecture,
        hidden: Activation,
        output: Activation,
        loss: Loss,
        seed: u64,
    ) -> Result<Self> {
        let layers = arch.layers()?;
        hidden.check()?;
        output.check()?;
        let mut widths = vec![arch.input.0 * arch.input.1 * arch.input.2];
        widths.extend(layers.iter().map(|&(_, n)| n));
        let n_layers = layers.len();
        let mut activations = vec![hidden; n_layers];
        activations[n_layers - 1] = output;
        let mut net = Network {
            widths,
            activations,
            loss,
            params: Vec::with_capacity(2 * n_layers),
            kinds: layers.iter().map(|&(k, _)| k).collect(),
            scratch: Scratch::default(),
        };
        // One stream, layer by layer, as `Network::new` draws it.
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        for l in 0..n_layers {
            let (rows, cols) = match net.kinds[l] {
                LayerKind::Dense => (net.widths[l + 1], net.widths[l]),
                LayerKind::Conv(c) => c.conv.weight_shape(),
            };
            let w = net.init_weight(l, rows, cols, &mut rng)?;
            net.params.push(w);
            net.params.push(Matrix::zeros(1, rows));
        }
        if net.is_dense() {
            net.kinds.clear();
        }
        Ok(net)
    }

    /// A `(rows, cols)` matrix from layer `l`'s initial weight distribution, Glorot-uniform
    /// `U(±√(6/(fan_in + fan_out)))` with the layer's fans (dense: `(cols, rows)`; convolution:
    /// [`ConvLayer::fans`](super::conv_layers::ConvLayer::fans)). For dense layers this is
    /// `init::glorot_uniform(rows, cols)` draw for draw. Feedback alignment draws its `B_l`, and
    /// the random-magnitude sign-concordant feedback its `|M_l|`, from here.
    pub(crate) fn init_weight<R: rand::Rng + ?Sized>(
        &self,
        l: usize,
        rows: usize,
        cols: usize,
        rng: &mut R,
    ) -> Result<Matrix> {
        Ok(match self.layer_kind(l) {
            LayerKind::Dense => init::glorot_uniform(rows, cols, rng)?,
            LayerKind::Conv(c) => {
                let (fan_in, fan_out) = c.fans();
                let a = (6.0 / (fan_in + fan_out) as Real).sqrt();
                init::uniform(rows, cols, -a, a, rng)?
            }
        })
    }

    /// The standard deviation of layer `l`'s initial weights, `√(2/(fan_in + fan_out))` (the
    /// scale of BioTorch's uniform sign-concordant feedback, uSF).
    pub(crate) fn init_std(&self, l: usize) -> Real {
        let w = self.layer_weight(l);
        let (fan_in, fan_out) = match self.layer_kind(l) {
            LayerKind::Dense => (w.ncols(), w.nrows()),
            LayerKind::Conv(c) => c.fans(),
        };
        (2.0 / (fan_in + fan_out) as Real).sqrt()
    }

    /// The kind of layer `l < L` for the crate's own layer loops.
    pub(crate) fn layer_kind(&self, l: usize) -> LayerKind {
        self.kinds.get(l).copied().unwrap_or(LayerKind::Dense)
    }

    /// The kind (dense or convolutional, with its geometry) of layer `l` (0-based).
    ///
    /// # Errors
    /// [`PlasticityError::LayerOutOfRange`] unless `l < L`.
    pub fn kind(&self, l: usize) -> Result<LayerKind> {
        self.check_layer(l)?;
        Ok(self.layer_kind(l))
    }

    /// Whether `self` and `other` have the same number of layers and the same kind (dense, or
    /// convolutional with the same geometry) in each.
    pub fn same_layer_kinds(&self, other: &Network) -> bool {
        self.num_layers() == other.num_layers()
            && (0..self.num_layers()).all(|l| self.layer_kind(l) == other.layer_kind(l))
    }

    /// Whether every layer is dense.
    pub fn is_dense(&self) -> bool {
        self.kinds.iter().all(|k| *k == LayerKind::Dense)
    }

    /// Checks that every layer is dense, for the algorithms whose equations are written for dense
    /// layers only (the energy-based ones, target propagation, recirculation).
    ///
    /// # Errors
    /// [`PlasticityError::InvalidParameter`] named `network` naming `algorithm`.
    pub fn require_dense(&self, algorithm: &str) -> Result<()> {
        if self.is_dense() {
            Ok(())
        } else {
            Err(invalid(
                "network",
                "convolutional layers",
                &format!(
                    "{algorithm} supports dense layers only; convolutional layers train with bp, fa, dfa, ss, usf, brsf, frsf, readout or es"
                ),
            ))
        }
    }

    /// Number of weight layers `L`.
    pub fn num_layers(&self) -> usize {
        self.activations.len()
    }

    /// Widths `[n_0, ..., n_L]`.
    pub fn widths(&self) -> &[usize] {
        &self.widths
    }

    /// Input width `n_0`.
    pub fn input_width(&self) -> usize {
        self.widths[0]
    }

    /// Output width `n_L`.
    pub fn output_width(&self) -> usize {
        self.widths[self.widths.len() - 1]
    }

    /// Checks that `l` is a layer index (`l < L`).
    fn check_layer(&self, l: usize) -> Result<()> {
        if l < self.num_layers() {
            Ok(())
        } else {
            Err(PlasticityError::LayerOutOfRange {
                layer: l,
                layers: self.num_layers(),
            })
        }
    }

    /// Weight `W_l` of layer `l` (0-based index `l` = layer `l + 1`), shape `(n_{l+1}, n_l)`.
    ///
    /// # Errors
    /// [`PlasticityError::LayerOutOfRange`] unless `l < L`.
    pub fn weight(&self, l: usize) -> Result<&Matrix> {
        self.check_layer(l)?;
        Ok(self.layer_weight(l))
    }

    /// Bias `b_l` of layer `l` (0-based), a `(1, n_{l+1})` row.
    ///
    /// # Errors
    /// [`PlasticityError::LayerOutOfRange`] unless `l < L`.
    pub fn bias(&self, l: usize) -> Result<&Matrix> {
        self.check_layer(l)?;
        Ok(self.layer_bias(l))
    }

    /// Activation of layer `l` (0-based).
    ///
    /// # Errors
    /// [`PlasticityError::LayerOutOfRange`] unless `l < L`.
    pub fn activation(&self, l: usize) -> Result<Activation> {
        self.check_layer(l)?;
        Ok(self.activations[l])
    }

    /// Weight of layer `l < L` for the crate's own layer loops (which run over `0..L`).
    pub(crate) fn layer_weight(&self, l: usize) -> &Matrix {
        &self.params[2 * l]
    }

    /// Bias of layer `l < L` for the crate's own layer loops.
    pub(crate) fn layer_bias(&self, l: usize) -> &Matrix {
        &self.params[2 * l + 1]
    }

    /// Activation of layer `l < L` for the crate's own layer loops.
    pub(crate) fn layer_activation(&self, l: usize) -> Activation {
        self.activations[l]
    }

    /// Replaces `W_l` (0-based layer `l`) by `w`, which must have the same shape and be finite.
    ///
    /// # Errors
    /// [`PlasticityError::LayerOutOfRange`]; [`PlasticityError::ShapeMismatch`] for another
    /// shape; [`PlasticityError::Tensor`] (non-finite) for a NaN/Inf entry. On error the network
    /// is unchanged.
    pub fn set_weight(&mut self, l: usize, w: Matrix) -> Result<()> {
        self.set_param(l, 0, w, "Network::set_weight (n_out, n_in)", "weight")
    }

    /// Replaces `b_l` (0-based layer `l`) by `b`, a finite `(1, n_out)` row.
    ///
    /// # Errors
    /// As [`Network::set_weight`].
    pub fn set_bias(&mut self, l: usize, b: Matrix) -> Result<()> {
        self.set_param(l, 1, b, "Network::set_bias (1, n_out)", "bias")
    }

    fn set_param(
        &mut self,
        l: usize,
        offset: usize,
        m: Matrix,
        op: &'static str,
        what: &str,
    ) -> Result<()> {
        self.check_layer(l)?;
        let slot = &mut self.params[2 * l + offset];
        if m.shape() != slot.shape() {
            return Err(PlasticityError::ShapeMismatch {
                op,
                expected: slot.shape(),
                got: m.shape(),
            });
        }
        check_finite(&m, &format!("{what} of layer {}", l + 1))?;
        *slot = m;
        Ok(())
    }

    /// All activations, one per layer.
    pub fn activations(&self) -> &[Activation] {
        &self.activations
    }

    /// The training loss.
    pub fn loss(&self) -> Loss {
        self.loss
    }

    /// Sets the training loss.
    pub fn set_loss(&mut self, loss: Loss) {
        self.loss = loss;
    }

    /// Parameters `[W_1, b_1, ..., W_L, b_L]`.
    pub fn params(&self) -> &[Matrix] {
        &self.params
    }

    /// The parameters as flat mutable slices, one per matrix in the order of
    /// [`Network::params`], each in nalgebra's column-major order. Values can be changed, shapes
    /// cannot (for element-wise updates: a plain SGD step, a perturbation).
    pub fn param_slices_mut(&mut self) -> impl ExactSizeIterator<Item = &mut [Real]> + '_ {
        self.params.iter_mut().map(|m| m.as_mut_slice())
    }

    /// Runs `f` on the parameters `[W_1, b_1, ..., W_L, b_L]` as `&mut [Matrix]` (what a
    /// gradient optimizer's `step(params, grads)` takes), transactionally: `f` works on a copy,
    /// which replaces the parameters only if `f` succeeds and every shape is unchanged. A
    /// failing `f` or a changed shape leaves the network exactly as it was. The copy goes into
    /// buffers kept between calls (no allocation after the first call); the values `f` sees are
    /// the parameters bit for bit, so a step through this method gives the same result as one on
    /// the parameters themselves.
    ///
    /// ```
    /// use neurograd_plasticity::PlasticityError;
    /// use neurograd_plasticity::credit::{Backprop, CreditAssignment, Loss, Network};
    /// use neurograd_tensor::{Activation, Matrix};
    ///
    /// let mut net = Network::new(&[2, 3, 1], Activation::Tanh, Activation::Identity,
    ///                            Loss::HalfSquaredError, 1)?;
    /// let (x, t) = (Matrix::from_element(4, 2, 0.5), Matrix::from_element(4, 1, 1.0));
    /// let up = Backprop::new().updates(&net, &x, &t)?;
    /// net.update_params(|p| {
    ///     for (pi, gi) in p.iter_mut().zip(&up.grads) {
    ///         *pi -= gi * 0.1;
    ///     }
    ///     Ok::<(), PlasticityError>(())
    /// })?;
    /// // A step that changes a shape is refused and changes nothing.
    /// let before = net.clone();
    /// let r = net.update_params(|p| {
    ///     p[0] = Matrix::zeros(1, 1);
    ///     Ok::<(), PlasticityError>(())
    /// });
    /// assert!(matches!(r, Err(PlasticityError::ShapeMismatch { .. })) && net == before);
    /// # Ok::<(), PlasticityError>(())
    /// ```
    ///
    /// # Errors
    /// The error of `f`; [`PlasticityError::ShapeMismatch`] (converted into `E`) if `f` changed
    /// the shape of a parameter.
    pub fn update_params<R, E>(
        &mut self,
        f: impl FnOnce(&mut [Matrix]) -> std::result::Result<R, E>,
    ) -> std::result::Result<R, E>
    where
        E: From<PlasticityError>,
    {
        let mut work = std::mem::take(&mut self.scratch.0);
        work.resize_with(self.params.len(), || Matrix::zeros(0, 0));
        for (w, p) in work.iter_mut().zip(&self.params) {
            ensure_shape(w, p.nrows(), p.ncols());
            w.as_mut_slice().copy_from_slice(p.as_slice());
        }
        let result = f(&mut work).and_then(|r| {
            for (w, p) in work.iter().zip(&self.params) {
                if w.shape() != p.shape() {
                    return Err(E::from(PlasticityError::ShapeMismatch {
                        op: "Network::update_params (parameter shapes are fixed)",
                        expected: p.shape(),
                        got: w.shape(),
                    }));
                }
            }
            Ok(r)
        });
        if result.is_ok() {
            std::mem::swap(&mut self.params, &mut work);
        }
        self.scratch.0 = work;
        result
    }

    /// The parameters for crate-internal code that changes values only (finite differences).
    pub(crate) fn params_mut_keep_shapes(&mut self) -> &mut [Matrix] {
        &mut self.params
    }

    /// Total number of scalar parameters.
    pub fn num_params(&self) -> usize {
        self.params.iter().map(|m| m.len()).sum()
    }

    /// Checks that `x` is a non-empty `(batch, n_0)` batch of finite values.
    ///
    /// # Errors
    /// [`PlasticityError::ShapeMismatch`], [`PlasticityError::InvalidParameter`] (empty),
    /// [`PlasticityError::Tensor`] wrapping `TensorError::NonFinite`.
    pub fn check_input(&self, x: &Matrix) -> Result<()> {
        if x.ncols() != self.input_width() {
            return Err(PlasticityError::ShapeMismatch {
                op: "network input (batch, n_0)",
                expected: (x.nrows(), self.input_width()),
                got: x.shape(),
            });
        }
        if x.nrows() == 0 {
            return Err(invalid("batch", 0usize, "the batch is empty"));
        }
        Ok(check_finite(x, "input batch")?)
    }

    /// Checks `x` as [`Network::check_input`] and that `t` is a finite `(batch, n_L)` target.
    ///
    /// # Errors
    /// As [`Network::check_input`], and a shape mismatch for targets of the wrong width or count.
    pub fn check_batch(&self, x: &Matrix, t: &Matrix) -> Result<()> {
        self.check_input(x)?;
        if t.shape() != (x.nrows(), self.output_width()) {
            return Err(PlasticityError::ShapeMismatch {
                op: "targets (batch, n_L)",
                expected: (x.nrows(), self.output_width()),
                got: t.shape(),
            });
        }
        Ok(check_finite(t, "targets")?)
    }

    /// Checks that all parameters are finite.
    ///
    /// # Errors
    /// [`PlasticityError::Tensor`] wrapping `TensorError::NonFinite` naming the parameter.
    pub fn check_params(&self) -> Result<()> {
        for (i, p) in self.params.iter().enumerate() {
            let what = if i % 2 == 0 { "weight" } else { "bias" };
            check_finite(p, &format!("{what} of layer {}", i / 2 + 1))?;
        }
        Ok(())
    }

    /// Output `h_L` for a batch `x` (batch, n_0).
    ///
    /// # Errors
    /// Bad input shape or non-finite input.
    pub fn forward(&self, x: &Matrix) -> Result<Matrix> {
        self.check_input(x)?;
        if !self.is_dense() {
            let mut cache = ForwardCache::default();
            self.forward_hidden_into(x, &mut cache)?;
            return Ok(cache.post.swap_remove(self.num_layers()));
        }
        let mut h = x.clone();
        for l in 0..self.num_layers() {
            let mut a = Matrix::zeros(x.nrows(), self.widths[l + 1]);
            gemm_nt(&mut a, 1.0, &h, self.layer_weight(l), 0.0);
            add_row(&mut a, self.layer_bias(l));
            self.activations[l].map_in_place(&mut a);
            h = a;
        }
        Ok(h)
    }

    /// Forward pass keeping every pre-activation `a_l` and activity `h_l`.
    ///
    /// # Errors
    /// Bad input shape or non-finite input.
    pub fn forward_cache(&self, x: &Matrix) -> Result<ForwardCache> {
        self.check_input(x)?;
        let mut cache = ForwardCache::default();
        self.forward_into(x, &mut cache)?;
        Ok(cache)
    }

    /// Forward pass into reusable buffers (no validation; `x` must be checked).
    pub(crate) fn forward_into(&self, x: &Matrix, cache: &mut ForwardCache) -> Result<()> {
        self.forward_hidden_into(x, cache)?;
        ensure_shape(&mut cache.post[0], x.nrows(), x.ncols());
        cache.post[0].copy_from(x);
        Ok(())
    }

    /// As `forward_into` but without copying the input: `cache.post[0]` is left as it was
    /// (callers use `x` for `h_0`). Saves a batch-sized copy per step.
    /// Errors only from the convolution kernels (shapes are invariants of the network).
    pub(crate) fn forward_hidden_into(&self, x: &Matrix, cache: &mut ForwardCache) -> Result<()> {
        let l_count = self.num_layers();
        cache.pre.resize_with(l_count, || Matrix::zeros(0, 0));
        cache.post.resize_with(l_count + 1, || Matrix::zeros(0, 0));
        if !self.kinds.is_empty() {
            cache.conv.resize_with(l_count, ConvCache::default);
        }
        for l in 0..l_count {
            let (lo, hi) = cache.post.split_at_mut(l + 1);
            let input = if l == 0 { x } else { &lo[l] };
            if let LayerKind::Conv(c) = self.layer_kind(l) {
                c.forward(
                    input,
                    self.layer_weight(l),
                    self.layer_bias(l),
                    self.activations[l],
                    &mut cache.pre[l],
                    &mut hi[0],
                    &mut cache.conv[l],
                )?;
                continue;
            }
            let a = &mut cache.pre[l];
            ensure_shape(a, x.nrows(), self.widths[l + 1]);
            gemm_nt(a, 1.0, input, self.layer_weight(l), 0.0);
            let h = &mut hi[0];
            ensure_shape(h, x.nrows(), self.widths[l + 1]);
            bias_activate(a, self.layer_bias(l), self.activations[l], h);
        }
        Ok(())
    }

    /// Batch loss of the network's own forward output against `t`.
    ///
    /// # Errors
    /// Bad shapes or non-finite values.
    pub fn loss_value(&self, x: &Matrix, t: &Matrix) -> Result<Real> {
        self.check_batch(x, t)?;
        Ok(self.loss.batch_value(&self.forward(x)?, t))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use neurograd_tensor::TensorError;

    fn small() -> Network {
        Network::new(
            &[3, 5, 2],
            Activation::Tanh,
            Activation::Identity,
            Loss::HalfSquaredError,
            1,
        )
        .expect("valid network")
    }

    #[test]
    fn forward_shapes_and_errors() {
        let net = small();
        let x = Matrix::from_fn(4, 3, |i, j| (i + j) as Real * 0.1);
        assert_eq!(net.forward(&x).expect("forward").shape(), (4, 2));
        let bad = Matrix::zeros(4, 2);
        assert!(matches!(
            net.forward(&bad),
            Err(PlasticityError::ShapeMismatch { .. })
        ));
        for widths in [&[3][..], &[3, 0, 2]] {
            let r = Network::new(
                widths,
                Activation::Tanh,
                Activation::Identity,
                Loss::HalfSquaredError,
                1,
            );
            assert!(
                matches!(
                    r,
                    Err(PlasticityError::InvalidParameter { name: "widths", .. })
                ),
                "{r:?}"
            );
        }
    }

    #[test]
    fn loss_value_checks_shapes() {
        let y = Matrix::zeros(2, 3);
        assert_eq!(
            Loss::HalfSquaredError.value(&y, &Matrix::zeros(3, 2)),
            Err(PlasticityError::ShapeMismatch {
                op: "loss value (targets shaped like outputs)",
                expected: (2, 3),
                got: (3, 2),
            })
        );
        // ½‖y - t‖² / B = ½ · 6 / 2 with every entry of y - t equal to -1.
        let t = Matrix::from_element(2, 3, 1.0);
        assert_eq!(Loss::HalfSquaredError.value(&y, &t), Ok(1.5));
        // -Σ t log softmax(0) / B = ln 3 per row for one-hot targets.
        let onehot = Matrix::from_fn(2, 3, |i, j| if i == j { 1.0 } else { 0.0 });
        let ce = Loss::SoftmaxCrossEntropy
            .value(&y, &onehot)
            .expect("shapes");
        assert!((ce - 3f64.ln()).abs() < 1e-15, "{ce}");
    }

    #[test]
    fn layer_accessors_check_the_index() {
        let net = small();
        assert_eq!(net.weight(1).expect("layer 1").shape(), (2, 5));
        assert_eq!(net.bias(0).expect("layer 0").shape(), (1, 5));
        assert_eq!(net.activation(1).expect("layer 1"), Activation::Identity);
        let oob = PlasticityError::LayerOutOfRange {
            layer: 2,
            layers: 2,
        };
        assert_eq!(net.weight(2).err(), Some(oob.clone()));
        assert_eq!(net.bias(2).err(), Some(oob.clone()));
        assert_eq!(net.activation(2).err(), Some(oob));
    }

    #[test]
    fn setters_keep_shapes_and_finiteness() {
        let mut net = small();
        let before = net.clone();
        let r = net.set_weight(0, Matrix::zeros(3, 5));
        assert_eq!(
            r,
            Err(PlasticityError::ShapeMismatch {
                op: "Network::set_weight (n_out, n_in)",
                expected: (5, 3),
                got: (3, 5),
            })
        );
        let r = net.set_bias(1, Matrix::from_element(1, 2, Real::NAN));
        assert!(
            matches!(
                r,
                Err(PlasticityError::Tensor(TensorError::NonFinite {
                    index: 0,
                    ..
                }))
            ),
            "{r:?}"
        );
        let r = net.set_bias(5, Matrix::zeros(1, 2));
        assert!(matches!(
            r,
            Err(PlasticityError::LayerOutOfRange {
                layer: 5,
                layers: 2
            })
        ));
        assert_eq!(net, before);
        net.set_bias(1, Matrix::from_element(1, 2, 0.25))
            .expect("valid bias");
        assert_eq!(net.bias(1).expect("layer 1")[(0, 1)], 0.25);
    }

    #[test]
    fn update_params_is_transactional() {
        let mut net = small();
        let before = net.clone();
        // A changed shape is refused and nothing changes, not even the matrices before it.
        let r = net.update_params(|p| {
            p[0].fill(7.0);
            p[3] = Matrix::zeros(1, 3);
            Ok::<(), PlasticityError>(())
        });
        assert_eq!(
            r,
            Err(PlasticityError::ShapeMismatch {
                op: "Network::update_params (parameter shapes are fixed)",
                expected: (1, 2),
                got: (1, 3),
            })
        );
        assert_eq!(net, before);
        // An error of the step itself changes nothing either.
        let r: std::result::Result<(), PlasticityError> = net.update_params(|p| {
            p[1].fill(3.0);
            Err(PlasticityError::Diverged { step: 1, norm: 0.0 })
        });
        assert!(matches!(r, Err(PlasticityError::Diverged { step: 1, .. })));
        assert_eq!(net, before);
        // A successful step equals the same step on a plain copy, bit for bit, twice in a row
        // (the second call reuses the spare buffers).
        let mut plain = before.params().to_vec();
        for _ in 0..2 {
            net.update_params(|p| {
                for m in p.iter_mut() {
                    m.apply(|v| *v = *v * 0.5 - 0.125);
                }
                Ok::<(), PlasticityError>(())
            })
            .expect("step");
            for m in plain.iter_mut() {
                m.apply(|v| *v = *v * 0.5 - 0.125);
            }
            assert_eq!(net.params(), &plain[..]);
        }
        // Flat slices change values in column-major order and nothing else.
        let mut slices = net.param_slices_mut();
        assert_eq!(slices.len(), 4);
        slices.next().expect("W_1")[1] = 42.0;
        drop(slices);
        assert_eq!(net.weight(0).expect("layer 0")[(1, 0)], 42.0);
    }
}
