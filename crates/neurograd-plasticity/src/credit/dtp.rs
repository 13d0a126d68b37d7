//! Difference target propagation (Lee, Zhang, Fischer & Bengio 2015, ECML-PKDD), as specified
//! in Bartunov et al. (2018, NeurIPS), eq. 2 and Algorithm 1.
//!
//! Forward layers `f_l(h) = act_l(h W_lᵀ + b_l)`; learned inverses `g_l(h_l) = act_{l-1}(h_l V_lᵀ
//! + c_l)` (shape of `V_l`: `(n_{l-1}, n_l)`) for the hidden layers `l = 2..L-1`. Per sample:
//!
//! ```text
//! ĥ_{L-1} = h_{L-1} - α ∂ℓ/∂h_{L-1}                       (top target: a gradient step)
//! ĥ_{l-1} = h_{l-1} - g_l(h_l) + g_l(ĥ_l)                 (difference correction, l = L-1..2)
//! layer loss  ½‖f_l(h_{l-1}) - ĥ_l‖²  ->  ΔW_l = ((h_l - ĥ_l) ⊙ f_l'(a_l))ᵀ h_{l-1} / B
//! output layer: the gradient of the loss, ΔW_L = ∂L/∂W_L
//! inverse loss ½‖h_{l-1} + ξ - g_l(f_l(h_{l-1} + ξ))‖²,  ξ ~ N(0, σ²)
//! ```
//!
//! The inverses are trained inside [`CreditAssignment::updates_into`] by plain SGD (rate
//! `inverse_lr`, noise `σ`), from the algorithm's own seeded generator; the forward updates are
//! returned (sign of a loss gradient) for the optimizer. If `g_l = f_l⁻¹` exactly, `ĥ_l - h_l` is
//! the exact pull-back of the top perturbation through the inverses; with `ĥ_L = h_L` all targets
//! equal the activities (fixed-point consistency).

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

use neurograd_tensor::{Matrix, Real, init};

use super::linalg::{add_row, axpy, col_sums_into, gemm_nn, gemm_nt, gemm_tn};
use super::network::Network;
use super::{CreditAssignment, Diagnostics, Updates};
use crate::{PlasticityError, Result};

/// Hyperparameters of [`DifferenceTargetPropagation`], checked once by
/// [`DtpConfig::check`] when the algorithm is built. The defaults are the registry's (`dtp`):
/// `alpha = 0.5`, `inverse_lr = 0.01`, `noise = 0.1`.
///
/// ```
/// use neurograd_plasticity::{PlasticityError, credit::DtpConfig};
///
/// let exact_inverses = DtpConfig { inverse_lr: 0.0, noise: 0.0, ..DtpConfig::default() };
/// exact_inverses.check()?;
/// let r = DtpConfig { alpha: 0.0, ..DtpConfig::default() }.check();
/// assert!(matches!(r, Err(PlasticityError::InvalidParameter { name: "alpha", .. })));
/// # Ok::<(), neurograd_plasticity::PlasticityError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DtpConfig {
    /// Top target step `α` (> 0): `ĥ_{L-1} = h_{L-1} - α ∂ℓ/∂h_{L-1}`.
    pub alpha: Real,
    /// Learning rate of the inverses' plain SGD (>= 0; 0 keeps them fixed).
    pub inverse_lr: Real,
    /// Standard deviation `σ` of the noise the inverses are trained on (>= 0).
    pub noise: Real,
}

impl Default for DtpConfig {
    fn default() -> Self {
        DtpConfig {
            alpha: 0.5,
            inverse_lr: 0.01,
            noise: 0.1,
        }
    }
}

impl DtpConfig {
    /// Checks the hyperparameters.
    ///
    /// # Errors
    /// [`PlasticityError::InvalidParameter`] naming `alpha` (not positive and finite),
    /// `inverse_lr` or `noise` (negative or non-finite).
    pub fn check(&self) -> Result<()> {
        if !(self.alpha.is_finite() && self.alpha > 0.0) {
            return Err(invalid(
                "alpha",
                self.alpha,
                "target step must be positive and finite",
            ));
        }
        if !(self.inverse_lr.is_finite() && self.inverse_lr >= 0.0) {
            return Err(invalid(
                "inverse_lr",
                self.inverse_lr,
                "must be non-negative and finite",
            ));
        }
        if !(self.noise.is_finite() && self.noise >= 0.0) {
            return Err(invalid(
                "noise",
                self.noise,
                "must be non-negative and finite",
            ));
        }
        Ok(())
    }
}

/// Difference target propagation with learned inverses.
#[derive(Clone, Debug)]
pub struct DifferenceTargetPropagation {
    alpha: Real,
    inverse_lr: Real,
    noise: Real,
    /// `inverses[l]` = `(V, c)` for forward layer `l` (0-based `l >= 1`, hidden-to-hidden);
    /// index 0 and the output layer are unused (`(0,0)` matrices).
    inverses: Vec<(Matrix, Matrix)>,
    rng: ChaCha8Rng,
}

fn invalid(name: &'static str, value: impl std::fmt::Display, reason: &str) -> PlasticityError {
    PlasticityError::InvalidParameter {
        name,
        value: value.to_string(),
        reason: reason.into(),
    }
}

impl DifferenceTargetPropagation {
    /// DTP for `net` with the hyperparameters of `config` (top target step, inverse learning
    /// rate and training noise); inverses Glorot-uniform from `ChaCha8Rng::seed_from_u64(seed)`.
    ///
    /// # Errors
    /// [`PlasticityError::InvalidParameter`] for out-of-range hyperparameters
    /// ([`DtpConfig::check`]).
    pub fn new(net: &Network, config: DtpConfig, seed: u64) -> Result<Self> {
        config.check()?;
        net.require_dense("dtp")?;
        let DtpConfig {
            alpha,
            inverse_lr,
            noise,
        } = config;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let l_count = net.num_layers();
        let mut inverses = vec![(Matrix::zeros(0, 0), Matrix::zeros(0, 0))];
        for l in 1..l_count {
            if l + 1 < l_count {
                let w = net.layer_weight(l);
                inverses.push((
                    init::glorot_uniform(w.ncols(), w.nrows(), &mut rng)?,
                    Matrix::zeros(1, w.ncols()),
                ));
            } else {
                inverses.push((Matrix::zeros(0, 0), Matrix::zeros(0, 0)));
            }
        }
        Ok(DifferenceTargetPropagation {
            alpha,
            inverse_lr,
            noise,
            inverses,
            rng,
        })
    }

    /// The hyperparameters.
    pub fn config(&self) -> DtpConfig {
        DtpConfig {
            alpha: self.alpha,
            inverse_lr: self.inverse_lr,
            noise: self.noise,
        }
    }

    /// Sets the inverse of forward layer `l` (0-based, a hidden-to-hidden layer `1 <= l < L-1`):
    /// `g(h) = act_{l-1}(h Vᵀ + c)` with `V` of shape `(n_in, n_out)` of that layer.
    ///
    /// # Errors
    /// [`PlasticityError::InvalidParameter`] naming `layer` for a layer without an inverse;
    /// [`PlasticityError::ShapeMismatch`] for a `V` or `c` of the wrong shape; a non-finite
    /// entry; a network of another depth than the one the algorithm was built for.
    pub fn set_inverse(&mut self, net: &Network, l: usize, v: Matrix, c: Matrix) -> Result<()> {
        if l == 0 || l + 1 >= net.num_layers() {
            return Err(invalid(
                "layer",
                l,
                "only hidden-to-hidden layers (1 <= l < L-1) have inverses",
            ));
        }
        self.check_depth(net)?;
        let w = net.layer_weight(l);
        if v.shape() != (w.ncols(), w.nrows()) {
            return Err(PlasticityError::ShapeMismatch {
                op: "dtp inverse V (n_in, n_out)",
                expected: (w.ncols(), w.nrows()),
                got: v.shape(),
            });
        }
        if c.shape() != (1, w.ncols()) {
            return Err(PlasticityError::ShapeMismatch {
                op: "dtp inverse bias c (1, n_in)",
                expected: (1, w.ncols()),
                got: c.shape(),
            });
        }
        neurograd_tensor::validate::check_finite(&v, "dtp inverse V")?;
        neurograd_tensor::validate::check_finite(&c, "dtp inverse bias c")?;
        self.inverses[l] = (v, c);
        Ok(())
    }

    /// Checks that `net` has the depth and layer widths the inverses were built for.
    fn check_depth(&self, net: &Network) -> Result<()> {
        if self.inverses.len() != net.num_layers() {
            return Err(PlasticityError::ShapeMismatch {
                op: "dtp: network depth",
                expected: (self.inverses.len(), 1),
                got: (net.num_layers(), 1),
            });
        }
        for l in 1..net.num_layers().saturating_sub(1) {
            let w = net.layer_weight(l);
            if self.inverses[l].0.shape() != (w.ncols(), w.nrows()) {
                return Err(PlasticityError::ShapeMismatch {
                    op: "dtp: network widths (inverse V is (n_in, n_out) of its layer)",
                    expected: self.inverses[l].0.shape(),
                    got: (w.ncols(), w.nrows()),
                });
            }
        }
        Ok(())
    }

    /// `g_l(h)` for forward layer `l` (0-based).
    fn inverse(&self, net: &Network, l: usize, h: &Matrix) -> Matrix {
        let (v, c) = &self.inverses[l];
        let mut out = Matrix::zeros(h.nrows(), v.nrows());
        gemm_nt(&mut out, 1.0, h, v, 0.0);
        add_row(&mut out, c);
        net.layer_activation(l - 1).map_in_place(&mut out);
        out
    }

    /// Targets `ĥ_l` for the hidden layers `l = 1..L-1` (index `l - 1`) given the top target
    /// `top` for `h_{L-1}`, with the forward activities of `x`.
    ///
    /// # Errors
    /// Bad input, a `top` of the wrong shape, a network without hidden layers.
    pub fn targets_from_top(&self, net: &Network, x: &Matrix, top: &Matrix) -> Result<Vec<Matrix>> {
        let l_count = net.num_layers();
        if l_count < 2 {
            return Err(invalid(
                "layers",
                l_count,
                "target propagation needs a hidden layer",
            ));
        }
        self.check_depth(net)?;
        let cache = net.forward_cache(x)?;
        let expected = cache.post[l_count - 1].shape();
        if top.shape() != expected {
            return Err(PlasticityError::ShapeMismatch {
                op: "dtp top target (batch, n_{L-1})",
                expected,
                got: top.shape(),
            });
        }
        Ok(self.propagate(net, &cache.post, top.clone()))
    }

    fn propagate(&self, net: &Network, post: &[Matrix], top: Matrix) -> Vec<Matrix> {
        let l_count = net.num_layers();
        let mut targets = vec![Matrix::zeros(0, 0); l_count - 1];
        targets[l_count - 2] = top;
        for l in (1..l_count - 1).rev() {
            // ĥ_{l} (0-based hidden index l-1) from ĥ_{l+1} through g of forward layer l.
            let g_h = self.inverse(net, l, &post[l + 1]);
            let g_t = self.inverse(net, l, &targets[l]);
            targets[l - 1] = &post[l] - g_h + g_t;
        }
        targets
    }

    fn train_inverses(&mut self, net: &Network, post: &[Matrix]) -> Result<()> {
        if self.inverse_lr == 0.0 {
            return Ok(());
        }
        let normal =
            Normal::new(0.0, self.noise).map_err(|_| invalid("noise", self.noise, "invalid"))?;
        for l in 1..net.num_layers().saturating_sub(1) {
            let h = &post[l];
            let hn = Matrix::from_fn(h.nrows(), h.ncols(), |i, j| {
                h[(i, j)] + normal.sample(&mut self.rng)
            });
            let mut a = Matrix::zeros(h.nrows(), net.widths()[l + 1]);
            gemm_nt(&mut a, 1.0, &hn, net.layer_weight(l), 0.0);
            add_row(&mut a, net.layer_bias(l));
            net.layer_activation(l).map_in_place(&mut a);
            // Reconstruction r = act_{l-1}(a Vᵀ + c); loss ½‖r - hn‖² / B.
            let (v, c) = &self.inverses[l];
            let mut z = Matrix::zeros(h.nrows(), v.nrows());
            gemm_nt(&mut z, 1.0, &a, v, 0.0);
            add_row(&mut z, c);
            let act = net.layer_activation(l - 1);
            let mut d = act.map(&z);
            d -= &hn;
            for (dv, &zv) in d.iter_mut().zip(z.iter()) {
                *dv *= act.derivative(zv);
            }
            let b = h.nrows() as Real;
            let mut gv = Matrix::zeros(v.nrows(), v.ncols());
            gemm_tn(&mut gv, 1.0 / b, &d, &a, 0.0);
            let mut gc = Matrix::zeros(1, c.ncols());
            col_sums_into(&mut gc, 1.0 / b, &d);
            let lr = self.inverse_lr;
            let (v, c) = &mut self.inverses[l];
            axpy(v, -lr, &gv);
            axpy(c, -lr, &gc);
            neurograd_tensor::validate::check_finite(
                v,
                &format!("dtp inverse of layer {}", l + 1),
            )?;
        }
        Ok(())
    }
}

impl CreditAssignment for DifferenceTargetPropagation {
    /// Its learned feedback (or inverse) weights and their optimizer are not in a
    /// [`Checkpoint`](super::Checkpoint).
    fn checkpointable(&self) -> bool {
        false
    }

    fn name(&self) -> &'static str {
        "dtp"
    }

    fn updates_into(
        &mut self,
        net: &Network,
        x: &Matrix,
        t: &Matrix,
        out: &mut Updates,
    ) -> Result<()> {
        net.check_batch(x, t)?;
        net.require_dense(self.name())?;
        let l_count = net.num_layers();
        self.check_depth(net)?;
        let cache = net.forward_cache(x)?;
        let b = x.nrows() as Real;
        let y = &cache.post[l_count];
        let loss = net.loss().batch_value(y, t);
        let mut dl = Matrix::zeros(0, 0);
        net.loss().grad_output_into(y, t, &mut dl);
        // Per-sample output delta ∂ℓ/∂a_L.
        let act_l = net.layer_activation(l_count - 1);
        for (dv, &a) in dl.iter_mut().zip(cache.pre[l_count - 1].iter()) {
            *dv *= act_l.derivative(a);
        }
        out.prepare(net);
        {
            let (gw, gb) = out.layer_mut(l_count - 1);
            gemm_tn(gw, 1.0 / b, &dl, &cache.post[l_count - 1], 0.0);
            col_sums_into(gb, 1.0 / b, &dl);
        }
        if l_count >= 2 {
            // Top target: a per-sample gradient step on h_{L-1}.
            let mut grad_h = Matrix::zeros(x.nrows(), net.widths()[l_count - 1]);
            gemm_nn(&mut grad_h, 1.0, &dl, net.layer_weight(l_count - 1), 0.0);
            let top = &cache.post[l_count - 1] - grad_h * self.alpha;
            let targets = self.propagate(net, &cache.post, top);
            for l in 0..l_count - 1 {
                let mut d = &cache.post[l + 1] - &targets[l];
                let act = net.layer_activation(l);
                for (dv, &a) in d.iter_mut().zip(cache.pre[l].iter()) {
                    *dv *= act.derivative(a);
                }
                let (gw, gb) = out.layer_mut(l);
                gemm_tn(gw, 1.0 / b, &d, &cache.post[l], 0.0);
                col_sums_into(gb, 1.0 / b, &d);
            }
            self.train_inverses(net, &cache.post)?;
        }
        out.diagnostics = Diagnostics::feedforward(loss);
        Ok(())
    }
}
