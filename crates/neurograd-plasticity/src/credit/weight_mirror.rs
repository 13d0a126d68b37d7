//! Weight mirrors (Akrout, Wilson, Humphreys, Lillicrap & Tweed 2019, NeurIPS, "Deep learning
//! without weight transport", §3).
//!
//! The network alternates between two modes. In **engaged mode** it learns from data, the error
//! travelling down through separate feedback weights `B_l` as in feedback alignment
//! ([`FeedbackAlignment`](super::FeedbackAlignment); row-batch form, `B_l` stored with the shape
//! of `W_l`, so `B_l = W_l` is backprop):
//!
//! ```text
//! δ_l = (δ_{l+1} B_{l+1}) ⊙ f_l'(a_l),   ΔW_l = δ_lᵀ h_{l-1}
//! ```
//!
//! In **mirror mode** (between training steps) the neurons of layer `l-1` fire noise
//! `x ~ N(0, σ² I)` (zero mean), which drives layer `l` through the forward synapses,
//! `y = W_l x` (the linear part of the response), and the feedback synapses learn Hebbianly
//! from the two, with weight decay:
//!
//! ```text
//! B_l ← B_l + η_B (mean over the noise samples of y xᵀ − λ_B B_l)
//! E[y xᵀ] = W_l E[x xᵀ] = σ² W_l    =>    E[B_l] → (σ² / λ_B) W_l
//! ```
//!
//! so `B_l` converges (in expectation, geometrically with factor `1 − η_B λ_B` per mirror step)
//! to a **positive multiple of the forward weights** (Akrout et al.'s `B → Wᵀ` in column form),
//! and keeps tracking them while they learn; only the alignment of `B` with `W` matters, since
//! the scale is absorbed by the learning rate (and by Adam). The defaults take `λ_B = σ²`, so the
//! multiple is 1. The residual misalignment is the sampling noise of the mirror, of relative
//! size about `sqrt(η_B / (2 λ_B m))` per entry for `m` noise samples per mirror step. With
//! `η_B = 0` the mirror is off and the rule is feedback alignment with the same initial `B`.
//!
//! Akrout et al. trained ResNet-18 and ResNet-50 on ImageNet with weight mirrors: they outperformed
//! feedback alignment and sign symmetry and "nearly matched backprop" (their abstract), where
//! feedback alignment falls far behind (Bartunov et al. 2018).
//!
//! Mechanics here: each call to [`CreditAssignment::updates_into`] first runs
//! [`WeightMirrorConfig::mirror_steps`] mirror steps on the current forward weights (the mirror
//! phase after the previous training step), then computes the engaged-mode updates with the
//! mirrored `B`. The noise of step `s` is drawn from `ChaCha8Rng::seed_from_u64(seed::mix(seed,
//! s, 0))` ([`CreditAssignment::set_step`] positions it). `B` is algorithm state: like DTP's
//! inverses it is not part of a [`Checkpoint`](super::Checkpoint).

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

use neurograd_tensor::{Matrix, Real, seed};

use super::backprop::{FeedbackPath, Workspace, feedforward_updates};
use super::linalg::{ensure_shape, gemm_nt, gemm_tn};
use super::network::Network;
use super::{CreditAssignment, Diagnostics, Updates};
use crate::{PlasticityError, Result};

/// Hyperparameters of [`WeightMirror`]; the default is the registry's (`wm`).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct WeightMirrorConfig {
    /// Standard deviation `σ` (> 0) of the mirror-mode noise.
    pub noise: Real,
    /// Mirror learning rate `η_B` (>= 0; 0 turns the mirror off: feedback alignment).
    pub rate: Real,
    /// Mirror weight decay `λ_B` (> 0); `B → (σ² / λ_B) W`.
    pub decay: Real,
    /// Noise samples `m` (>= 1) per mirror step.
    pub samples: usize,
    /// Mirror steps per training step (>= 1).
    pub mirror_steps: usize,
}

impl Default for WeightMirrorConfig {
    /// `σ = 1`, `η_B = 0.05`, `λ_B = σ² = 1`, 64 samples, one mirror step per training step.
    fn default() -> Self {
        WeightMirrorConfig {
            noise: 1.0,
            rate: 0.05,
            decay: 1.0,
            samples: 64,
            mirror_steps: 1,
        }
    }
}

impl WeightMirrorConfig {
    /// Checks the hyperparameters.
    ///
    /// # Errors
    /// [`PlasticityError::InvalidParameter`] naming the first invalid field.
    pub fn check(&self) -> Result<()> {
        let bad = |name: &'static str, value: String, reason: &str| {
            Err(PlasticityError::InvalidParameter {
                name,
                value,
                reason: reason.into(),
            })
        };
        if !(self.noise.is_finite() && self.noise > 0.0) {
            return bad("noise", self.noise.to_string(), "must be positive and finite");
        }
        if !(self.rate.is_finite() && self.rate >= 0.0) {
            return bad("rate", self.rate.to_string(), "must be non-negative and finite");
        }
        if !(self.decay.is_finite() && self.decay > 0.0) {
            return bad("decay", self.decay.to_string(), "must be positive and finite");
        }
        if self.rate * self.decay >= 1.0 {
            return bad(
                "rate",
                self.rate.to_string(),
                "rate * decay must be below 1 (the mirror's decay factor 1 - rate * decay)",
            );
        }
        if self.samples == 0 || self.mirror_steps == 0 {
            return bad(
                "samples",
                format!("{}/{}", self.samples, self.mirror_steps),
                "samples and mirror_steps must be at least 1",
            );
        }
        Ok(())
    }
}

/// Feedback alignment whose feedback learns to mirror the forward weights from noise (see the
/// module docs).
#[derive(Clone, Debug)]
pub struct WeightMirror {
    config: WeightMirrorConfig,
    seed: u64,
    step: u64,
    /// `feedback[l]` replaces `W_l` (0-based) in the backward pass; `feedback[0]` is `(0, 0)`.
    feedback: Vec<Matrix>,
    noise: Matrix,
    response: Matrix,
    hebb: Matrix,
    ws: Workspace,
}

impl WeightMirror {
    /// Weight mirrors for `net`: initial feedback drawn as feedback alignment's (same seed, same
    /// `B`), mirror noise from `seed` and the step.
    ///
    /// # Errors
    /// [`WeightMirrorConfig::check`]'s errors; a convolutional network
    /// ([`PlasticityError::InvalidParameter`] named `network`).
    pub fn new(net: &Network, config: WeightMirrorConfig, seed: u64) -> Result<Self> {
        config.check()?;
        net.require_dense("wm")?;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut feedback = vec![Matrix::zeros(0, 0)];
        for l in 1..net.num_layers() {
            let (rows, cols) = net.layer_weight(l).shape();
            feedback.push(net.init_weight(l, rows, cols, &mut rng)?);
        }
        Ok(WeightMirror {
            config,
            seed,
            step: 0,
            feedback,
            noise: Matrix::zeros(0, 0),
            response: Matrix::zeros(0, 0),
            hebb: Matrix::zeros(0, 0),
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

    /// The hyperparameters.
    pub fn config(&self) -> &WeightMirrorConfig {
        &self.config
    }

    /// One mirror phase ([`WeightMirrorConfig::mirror_steps`] steps) on `net`'s current forward
    /// weights, with the noise of training step `step`. Public so the mirror can be studied on
    /// its own (it is what [`CreditAssignment::updates_into`] runs before each training step).
    ///
    /// # Errors
    /// A network whose shapes differ from the one the feedback was built for.
    pub fn mirror(&mut self, net: &Network, step: u64) -> Result<()> {
        self.check_net(net)?;
        let c = self.config;
        if c.rate == 0.0 {
            return Ok(());
        }
        let normal = Normal::new(0.0, c.noise).map_err(|e| PlasticityError::InvalidParameter {
            name: "noise",
            value: c.noise.to_string(),
            reason: e.to_string(),
        })?;
        let mut rng = ChaCha8Rng::seed_from_u64(seed::mix(self.seed, step, 0));
        let m = c.samples;
        for _ in 0..c.mirror_steps {
            for l in 1..net.num_layers() {
                let w = net.layer_weight(l);
                let (n_out, n_in) = w.shape();
                ensure_shape(&mut self.noise, m, n_in);
                for v in self.noise.as_mut_slice() {
                    *v = normal.sample(&mut rng);
                }
                // y = x Wᵀ (m, n_out): the forward synapses carry the noise up.
                ensure_shape(&mut self.response, m, n_out);
                gemm_nt(&mut self.response, 1.0, &self.noise, w, 0.0);
                // mean over samples of y xᵀ (n_out, n_in), the shape of W_l and B_l.
                ensure_shape(&mut self.hebb, n_out, n_in);
                gemm_tn(&mut self.hebb, 1.0 / m as Real, &self.response, &self.noise, 0.0);
                let b = &mut self.feedback[l];
                let keep = 1.0 - c.rate * c.decay;
                b.zip_apply(&self.hebb, |bv, h| *bv = keep * *bv + c.rate * h);
            }
        }
        Ok(())
    }

    fn check_net(&self, net: &Network) -> Result<()> {
        net.require_dense("wm")?;
        if self.feedback.len() != net.num_layers() {
            return Err(PlasticityError::ShapeMismatch {
                op: "weight mirror: network depth",
                expected: (self.feedback.len(), 1),
                got: (net.num_layers(), 1),
            });
        }
        for l in 1..net.num_layers() {
            if self.feedback[l].shape() != net.layer_weight(l).shape() {
                return Err(PlasticityError::ShapeMismatch {
                    op: "weight mirror: feedback vs weight shape",
                    expected: net.layer_weight(l).shape(),
                    got: self.feedback[l].shape(),
                });
            }
        }
        Ok(())
    }
}

impl CreditAssignment for WeightMirror {
    /// Its learned feedback (or inverse) weights and their optimizer are not in a
    /// [`Checkpoint`](super::Checkpoint).
    fn checkpointable(&self) -> bool {
        false
    }

    fn name(&self) -> &'static str {
        "wm"
    }

    fn updates_into(
        &mut self,
        net: &Network,
        x: &Matrix,
        t: &Matrix,
        out: &mut Updates,
    ) -> Result<()> {
        net.check_batch(x, t)?;
        self.mirror(net, self.step)?;
        self.step = self.step.wrapping_add(1);
        let loss = feedforward_updates(
            net,
            x,
            t,
            &mut self.ws,
            FeedbackPath::Layerwise(&self.feedback),
            out,
        )?;
        out.diagnostics = Diagnostics::feedforward(loss);
        Ok(())
    }

    fn set_step(&mut self, step: u64) {
        self.step = step;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credit::Loss;
    use neurograd_tensor::Activation;

    fn net() -> Network {
        Network::new(
            &[5, 8, 4],
            Activation::Relu,
            Activation::Identity,
            Loss::SoftmaxCrossEntropy,
            2,
        )
        .unwrap()
    }

    #[test]
    fn bad_configurations_are_typed_errors() {
        let n = net();
        for (cfg, name) in [
            (
                WeightMirrorConfig {
                    noise: 0.0,
                    ..Default::default()
                },
                "noise",
            ),
            (
                WeightMirrorConfig {
                    rate: -0.1,
                    ..Default::default()
                },
                "rate",
            ),
            (
                WeightMirrorConfig {
                    decay: 0.0,
                    ..Default::default()
                },
                "decay",
            ),
            (
                WeightMirrorConfig {
                    rate: 2.0,
                    ..Default::default()
                },
                "rate",
            ),
            (
                WeightMirrorConfig {
                    samples: 0,
                    ..Default::default()
                },
                "samples",
            ),
        ] {
            let r = WeightMirror::new(&n, cfg, 1);
            assert!(
                matches!(&r, Err(PlasticityError::InvalidParameter { name: got, .. }) if *got == name),
                "{r:?}"
            );
        }
    }

    /// The mirror's noise is a pure function of (seed, step): positioning at a step reproduces it.
    #[test]
    fn mirror_noise_follows_the_step() {
        let n = net();
        let mut a = WeightMirror::new(&n, WeightMirrorConfig::default(), 4).unwrap();
        let mut b = a.clone();
        a.mirror(&n, 7).unwrap();
        b.mirror(&n, 7).unwrap();
        assert_eq!(a.feedback(1).unwrap(), b.feedback(1).unwrap());
        let mut c = WeightMirror::new(&n, WeightMirrorConfig::default(), 4).unwrap();
        c.mirror(&n, 8).unwrap();
        assert_ne!(a.feedback(1).unwrap(), c.feedback(1).unwrap());
    }
}
