//! Kolen-Pollack learning (Kolen & Pollack 1994, ICNN; Akrout, Wilson, Humphreys, Lillicrap &
//! Tweed 2019, NeurIPS, "Deep learning without weight transport", §4).
//!
//! The error travels down through separate feedback weights `B_l`, as in feedback alignment
//! ([`FeedbackAlignment`](super::FeedbackAlignment)), but `B_l` is not fixed: it receives **the
//! same update as the forward weights plus the same weight decay**. Row-batch form, `B_l` stored
//! with the shape of `W_l` (so `B_l = W_l` is exactly backprop):
//!
//! ```text
//! δ_L = e / B,   δ_l = (δ_{l+1} B_{l+1}) ⊙ f_l'(a_l),   g_l = δ_lᵀ h_{l-1}
//! W_l ← W_l − η (g_l + λ W_l)        B_l ← B_l − η (g_l + λ B_l)        (l = 2..L)
//! ```
//!
//! `g_l` is computed from the pre- and postsynaptic signals the two synapses share (`h_{l-1}`
//! and `δ_l`), so each synapse's update is local. Subtracting, the error-driven terms cancel:
//!
//! ```text
//! W_l − B_l ← (1 − ηλ)(W_l − B_l),   so   ‖W_l − B_l‖_t = (1 − ηλ)^t ‖W_l − B_l‖_0
//! ```
//!
//! whatever the data: the feedback converges geometrically to the forward weights and the rule
//! to backprop (in Akrout et al.'s column form, `B → Wᵀ`). The identity is exact when the forward
//! weights are trained by plain SGD at the rate `η` of [`KolenPollackConfig::optimizer`]; the
//! training loop's default optimizer (Adam) and `B`'s (Adam at the registry's rate 1e-3) give
//! both the same update rule on the same error term, and the decay still pulls them together, but
//! no longer by the exact factor (Adam's per-entry normalisation differs between `g + λW` and
//! `g + λB`). Akrout et al. trained ResNet-18 and ResNet-50 on ImageNet this way (both weights in
//! the same optimizer, with weight decay): Kolen-Pollack outperformed feedback alignment and sign
//! symmetry and "nearly matched backprop" (their abstract), where feedback alignment falls far
//! behind (Bartunov et al. 2018: ImageNet top-1 error 93.1 % against backprop's 71.4 %).
//!
//! Mechanics here: [`CreditAssignment::updates_into`] returns `g_l + λ W_l` for the weights of
//! layers `2..L` (those with a feedback partner; the first layer's weights and all biases get `g`
//! only, so the hidden layer's update is the error-driven one the angle to backprop measures) and
//! steps `B_l` with its own optimizer on `g_l + λ B_l`. Every call is a training step of `B`, so
//! measure a copy (`clone`) if the call is not a training step. `B` is algorithm state: like
//! DTP's inverses it is not part of a [`Checkpoint`](super::Checkpoint), and a resumed run
//! restarts it from its seed.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use neurograd_optim::{AnyGradientOptimizer, GradientOptimizer, GradientOptimizerConfig};
use neurograd_tensor::{Matrix, Real};

use super::backprop::{FeedbackPath, Workspace, feedforward_updates};
use super::network::Network;
use super::{CreditAssignment, Diagnostics, Updates};
use crate::{PlasticityError, Result};

/// Hyperparameters of [`KolenPollack`]. The default is the registry's (`kp`): weight decay
/// `λ = 0.1`, `B` trained by Adam at 1e-3 (the registry's learning rate of the forward weights).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct KolenPollackConfig {
    /// Weight decay `λ` (>= 0) added to the update of both `W_l` and `B_l`, `l >= 2`. With
    /// `λ = 0` the difference `W − B` never shrinks (under SGD it stays exactly constant).
    pub decay: Real,
    /// The optimizer of the feedback weights; use the forward weights' optimizer and rate.
    pub optimizer: GradientOptimizerConfig,
}

impl Default for KolenPollackConfig {
    fn default() -> Self {
        KolenPollackConfig {
            decay: 0.1,
            optimizer: GradientOptimizerConfig::Adam(neurograd_optim::AdamConfig {
                lr: 1e-3,
                ..Default::default()
            }),
        }
    }
}

/// Kolen-Pollack feedback: random initial `B_l` that learns like `W_l` (see the module docs).
#[derive(Clone, Debug)]
pub struct KolenPollack {
    decay: Real,
    /// `feedback[l]` replaces `W_l` (0-based) in the backward pass; `feedback[0]` is `(0, 0)`.
    feedback: Vec<Matrix>,
    /// The feedback weights' own optimizer (state for `feedback[1..]`).
    opt: AnyGradientOptimizer,
    /// `g_l + λ B_l` for `l >= 1` (reused buffers).
    grads: Vec<Matrix>,
    ws: Workspace,
}

impl KolenPollack {
    /// Kolen-Pollack for `net`: initial feedback drawn as feedback alignment's (each layer's
    /// Glorot-uniform initial distribution, from `ChaCha8Rng::seed_from_u64(seed)`, so `kp` and
    /// `fa` with the same seed start from the same `B`).
    ///
    /// # Errors
    /// [`PlasticityError::InvalidParameter`] named `decay` for a negative or non-finite decay;
    /// [`PlasticityError::Optim`] for an invalid optimizer configuration.
    pub fn new(net: &Network, config: KolenPollackConfig, seed: u64) -> Result<Self> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut feedback = vec![Matrix::zeros(0, 0)];
        for l in 1..net.num_layers() {
            let (rows, cols) = net.layer_weight(l).shape();
            feedback.push(net.init_weight(l, rows, cols, &mut rng)?);
        }
        Self::with_feedback(net, config, feedback.split_off(1))
    }

    /// Kolen-Pollack with explicit initial feedback matrices, one per layer `l = 2..=L`, each
    /// with the shape of `W_l`.
    ///
    /// # Errors
    /// As [`KolenPollack::new`]; [`PlasticityError::ShapeMismatch`] for a wrong count or shape,
    /// [`PlasticityError::Tensor`] for a non-finite entry.
    pub fn with_feedback(
        net: &Network,
        config: KolenPollackConfig,
        matrices: Vec<Matrix>,
    ) -> Result<Self> {
        if !(config.decay.is_finite() && config.decay >= 0.0) {
            return Err(PlasticityError::InvalidParameter {
                name: "decay",
                value: format!("{}", config.decay),
                reason: "weight decay must be non-negative and finite".into(),
            });
        }
        // Shape and finiteness checks are feedback alignment's.
        let fa = super::FeedbackAlignment::with_feedback(net, matrices)?;
        let mut feedback = vec![Matrix::zeros(0, 0)];
        for l in 1..net.num_layers() {
            feedback.push(fa.feedback(l)?.clone());
        }
        Ok(KolenPollack {
            decay: config.decay,
            feedback,
            opt: config.optimizer.build()?,
            grads: Vec::new(),
            ws: Workspace::default(),
        })
    }

    /// The feedback matrix used in place of `W_l` (0-based, `1 <= l < L`).
    ///
    /// # Errors
    /// [`PlasticityError::InvalidParameter`] named `layer` otherwise.
    pub fn feedback(&self, l: usize) -> Result<&Matrix> {
        match self.feedback.get(l) {
            Some(b) if l >= 1 => Ok(b),
            _ => Err(PlasticityError::InvalidParameter {
                name: "layer",
                value: l.to_string(),
                reason: format!(
                    "feedback matrices exist for layers 1..{} (0-based)",
                    self.feedback.len()
                ),
            }),
        }
    }

    /// The weight decay `λ`.
    pub fn decay(&self) -> Real {
        self.decay
    }

    fn check_net(&self, net: &Network) -> Result<()> {
        net.require_dense("kp")?;
        if self.feedback.len() != net.num_layers() {
            return Err(PlasticityError::ShapeMismatch {
                op: "Kolen-Pollack: network depth",
                expected: (self.feedback.len(), 1),
                got: (net.num_layers(), 1),
            });
        }
        for l in 1..net.num_layers() {
            if self.feedback[l].shape() != net.layer_weight(l).shape() {
                return Err(PlasticityError::ShapeMismatch {
                    op: "Kolen-Pollack: feedback vs weight shape",
                    expected: net.layer_weight(l).shape(),
                    got: self.feedback[l].shape(),
                });
            }
        }
        Ok(())
    }
}

impl CreditAssignment for KolenPollack {
    /// Its learned feedback (or inverse) weights and their optimizer are not in a
    /// [`Checkpoint`](super::Checkpoint).
    fn checkpointable(&self) -> bool {
        false
    }

    fn name(&self) -> &'static str {
        "kp"
    }

    fn updates_into(
        &mut self,
        net: &Network,
        x: &Matrix,
        t: &Matrix,
        out: &mut Updates,
    ) -> Result<()> {
        net.check_batch(x, t)?;
        self.check_net(net)?;
        let loss = feedforward_updates(
            net,
            x,
            t,
            &mut self.ws,
            FeedbackPath::Layerwise(&self.feedback),
            out,
        )?;
        let lam = self.decay;
        self.grads
            .resize_with(net.num_layers() - 1, || Matrix::zeros(0, 0));
        for l in 1..net.num_layers() {
            let g = &mut out.grads[2 * l];
            // B's update: the same error term, its own decay.
            let gb = &mut self.grads[l - 1];
            super::linalg::ensure_shape(gb, g.nrows(), g.ncols());
            gb.copy_from(g);
            gb.zip_apply(&self.feedback[l], |v, b| *v += lam * b);
            // W's update: the same error term, its own decay.
            g.zip_apply(net.layer_weight(l), |v, w| *v += lam * w);
        }
        self.opt
            .step(&mut self.feedback[1..], &self.grads)
            .map_err(PlasticityError::from)?;
        out.diagnostics = Diagnostics::feedforward(loss);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credit::{Backprop, Loss};
    use neurograd_tensor::Activation;

    fn setup() -> (Network, Matrix, Matrix) {
        let net = Network::new(
            &[4, 6, 5, 3],
            Activation::Tanh,
            Activation::Identity,
            Loss::SoftmaxCrossEntropy,
            3,
        )
        .unwrap();
        let x = Matrix::from_fn(7, 4, |i, j| ((i * 4 + j) as Real * 0.37).sin());
        let t = Matrix::from_fn(7, 3, |i, j| if i % 3 == j { 1.0 } else { 0.0 });
        (net, x, t)
    }

    /// With `B = W` and no decay the update is backprop's, bit for bit in the error terms; with
    /// decay the weights of layers 2..L carry `λW` on top, the first layer and biases do not.
    #[test]
    fn equals_backprop_when_feedback_is_the_forward_weights() {
        let (net, x, t) = setup();
        let bp = Backprop::new().updates(&net, &x, &t).unwrap();
        let mirror: Vec<Matrix> = (1..net.num_layers())
            .map(|l| net.weight(l).unwrap().clone())
            .collect();
        let sgd = GradientOptimizerConfig::from_name("sgd")
            .unwrap()
            .with_lr(0.1);
        let cfg = |decay| KolenPollackConfig {
            decay,
            optimizer: sgd,
        };
        let mut kp = KolenPollack::with_feedback(&net, cfg(0.0), mirror.clone()).unwrap();
        let u = kp.updates(&net, &x, &t).unwrap();
        assert_eq!(u.grads, bp.grads);
        let mut kp = KolenPollack::with_feedback(&net, cfg(0.5), mirror).unwrap();
        let u = kp.updates(&net, &x, &t).unwrap();
        assert_eq!(u.grads[0], bp.grads[0]);
        for l in 1..net.num_layers() {
            let want = &bp.grads[2 * l] + net.weight(l).unwrap() * 0.5;
            assert!((&u.grads[2 * l] - want).amax() < 1e-15);
            assert_eq!(u.grads[2 * l + 1], bp.grads[2 * l + 1]);
        }
    }

    #[test]
    fn bad_configuration_is_a_typed_error() {
        let (net, _, _) = setup();
        let r = KolenPollack::new(
            &net,
            KolenPollackConfig {
                decay: -1.0,
                ..Default::default()
            },
            1,
        );
        assert!(matches!(
            r,
            Err(PlasticityError::InvalidParameter { name: "decay", .. })
        ));
        let kp = KolenPollack::new(&net, KolenPollackConfig::default(), 1).unwrap();
        assert!(kp.feedback(0).is_err() && kp.feedback(3).is_err());
        assert_eq!(kp.feedback(2).unwrap().shape(), (3, 5));
    }
}
