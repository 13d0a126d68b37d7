//! e-prop (Bellec, Scherr, Subramoney, Hajek, Salaj, Legenstein & Maass 2020, "A solution to
//! the learning dilemma for recurrent networks of spiking neurons", Nat. Commun. 11:3625).
//!
//! e-prop replaces the total learning signal `dE/dz_j^t` of the exact factorisation
//! `dE/dW_ji = Σ_t (dE/dz_j^t) e_ji^t` (eq. 1) by its *partial* part through the readout, fed
//! back through a matrix `B` (`n × n_out`, stored like `W_out` as `n_out × n`):
//!
//! ```text
//! L_j^t = Σ_k B_jk e_k^t                         (e^t = ∂E/∂y^t, the readout error of the loss)
//! ∂E/∂W_ji ≈ Σ_t L_j^t F_κ(e_ji)^t + Σ_t r_j e_ji^t        (input, recurrent and bias weights)
//! ∂E/∂W^out_kj = Σ_t e_k^t F_κ(z_j)^t,  ∂E/∂b^out_k = Σ_t e_k^t F_κ(1)^t   (exact)
//! ```
//!
//! with the eligibility traces `e_ji^t` of [`super::eligibility`] (LIF: one component; ALIF: two,
//! eq. 25), the κ filter `F_κ(s)^t = κ F_κ(s)^{t−1} + s^t` (the leaky readout makes
//! `∂E/∂z_j^t = Σ_{t'≥t} κ^{t'−t} Σ_k W^out_kj e_k^{t'}`, reordered causally) and the optional
//! rate regulariser's direct term `r_j` ([`RateRegularization`]). Feedback ([`Feedback`]):
//!
//! - **symmetric** `B = W_outᵀ` (`"eprop-sym"`);
//! - **random** `B` fixed, drawn once from the seed, `N(0, σ²)` with `σ = 1` as in EP's evidence
//!   accumulation and NEST (`"eprop-random"`);
//! - **adaptive** (Kolen-Pollack; Kolen & Pollack 1994, Akrout et al. 2019, EP's TIMIT code):
//!   random initial `B` that receives the same update as `W_out` plus the same weight decay,
//!   `B ← (1 − λ) B − η ∂E/∂W_out` after every gradient (`"eprop-adaptive"`). If the training
//!   loop applies `W_out ← (1 − λ) W_out − η ∂E/∂W_out`, then `W_out − B` shrinks by exactly
//!   `(1 − λ)` per step, so `B → W_out`.
//!
//! Under the conditions of reference §2.4 (no recurrent coupling `W_rec = 0`, reset detached,
//! symmetric feedback, κ-filtered traces) e-prop equals BPTT exactly (tested); `"eprop-sym-wrec0"`
//! computes symmetric e-prop on the network with `W_rec` zeroed (the `align` row).
//!
//! **Online, O(n²) memory independent of `T`.** The loss of a classification window needs the
//! whole window's readouts before the first readout error is known, so the gradient is computed
//! in two forward passes: the first computes the readouts (and spike counts for the
//! regulariser), the loss and its readout errors; the second steps the network again with the
//! eligibility traces and accumulates the update online. The working state is the network state,
//! the eligibility vectors and traces, the κ-filtered traces and the filtered spikes
//! ([`GradientReport::peak_gradient_state_bytes`]); the readouts and readout errors belong to the
//! loss (the module's memory convention).

use neurograd_tensor::{Matrix, Real};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::super::{
    GradientReport, Param, RecurrentAlgorithm, RecurrentGrads, RecurrentNet, SequenceBatch,
    invalid, real_bytes,
};
use super::eligibility::{EligibilityTraces, accumulate, split_presynaptic};
use super::{RateRegularization, SpikingNet};
use crate::Result;

/// The feedback matrix of e-prop's learning signal (see the [module docs](self)).
#[derive(Clone, Debug, PartialEq)]
pub enum Feedback {
    /// `B = W_outᵀ`.
    Symmetric,
    /// A fixed random `B` (stored `n_out × n`, like `W_out`).
    Random(Matrix),
    /// Kolen-Pollack: `B` (stored `n_out × n`) updated like `W_out` with learning rate `lr` and
    /// weight decay `decay`.
    Adaptive {
        /// The current feedback weights.
        b: Matrix,
        /// Learning rate `η` of `B`'s update.
        lr: Real,
        /// Weight decay `λ` per update.
        decay: Real,
    },
}

/// Configuration of [`Eprop`].
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EpropConfig {
    /// Standard deviation of random and adaptive feedback weights (EP: 1).
    pub feedback_std: Real,
    /// Learning rate of the adaptive feedback's update (EP's Adam rate 5e-3 as default).
    pub adaptive_lr: Real,
    /// Weight decay per update of the adaptive feedback (EP/TIMIT: 1e-2).
    pub adaptive_decay: Real,
    /// Optional firing-rate regulariser.
    pub rate_regularization: Option<RateRegularization>,
    /// Zero `W_rec` before computing (the `"eprop-sym-wrec0"` row of `align`).
    pub zero_recurrent: bool,
}

impl Default for EpropConfig {
    fn default() -> Self {
        EpropConfig {
            feedback_std: 1.0,
            adaptive_lr: 5e-3,
            adaptive_decay: 1e-2,
            rate_regularization: None,
            zero_recurrent: false,
        }
    }
}

/// e-prop for [`SpikingNet`] (see the [module docs](self)).
#[derive(Clone, Debug, PartialEq)]
pub struct Eprop {
    name: &'static str,
    feedback: Feedback,
    config: EpropConfig,
}

impl Eprop {
    fn check(cfg: &EpropConfig) -> Result<()> {
        for (name, v) in [
            ("feedback_std", cfg.feedback_std),
            ("adaptive_lr", cfg.adaptive_lr),
        ] {
            if !(v.is_finite() && v > 0.0) {
                return Err(invalid(name, v, "must be finite and > 0"));
            }
        }
        if !(cfg.adaptive_decay.is_finite() && (0.0..1.0).contains(&cfg.adaptive_decay)) {
            return Err(invalid(
                "adaptive_decay",
                cfg.adaptive_decay,
                "must be in [0, 1)",
            ));
        }
        if let Some(r) = &cfg.rate_regularization {
            r.check()?;
        }
        Ok(())
    }

    fn random_feedback(net: &SpikingNet, std: Real, seed: u64) -> Result<Matrix> {
        let s = net.sizes();
        let mut rng = ChaCha8Rng::seed_from_u64(neurograd_tensor::seed::mix(seed, 0xE9_0B, 0));
        Ok(neurograd_tensor::init::normal(
            s.n_out, s.n_rec, 0.0, std, &mut rng,
        )?)
    }

    /// Symmetric e-prop (`"eprop-sym"`).
    ///
    /// # Errors
    /// Invalid configuration.
    pub fn symmetric(config: EpropConfig) -> Result<Self> {
        Self::check(&config)?;
        Ok(Eprop {
            name: if config.zero_recurrent {
                "eprop-sym-wrec0"
            } else {
                "eprop-sym"
            },
            feedback: Feedback::Symmetric,
            config,
        })
    }

    /// Random e-prop (`"eprop-random"`): `B ~ N(0, feedback_std²)` drawn from `seed`.
    ///
    /// # Errors
    /// Invalid configuration.
    pub fn random(net: &SpikingNet, config: EpropConfig, seed: u64) -> Result<Self> {
        Self::check(&config)?;
        Ok(Eprop {
            name: "eprop-random",
            feedback: Feedback::Random(Self::random_feedback(net, config.feedback_std, seed)?),
            config,
        })
    }

    /// Adaptive (Kolen-Pollack) e-prop (`"eprop-adaptive"`): random initial `B` from `seed`.
    ///
    /// # Errors
    /// Invalid configuration.
    pub fn adaptive(net: &SpikingNet, config: EpropConfig, seed: u64) -> Result<Self> {
        Self::check(&config)?;
        Ok(Eprop {
            name: "eprop-adaptive",
            feedback: Feedback::Adaptive {
                b: Self::random_feedback(net, config.feedback_std, seed)?,
                lr: config.adaptive_lr,
                decay: config.adaptive_decay,
            },
            config,
        })
    }

    /// The feedback (its current `B` for random and adaptive feedback).
    pub fn feedback(&self) -> &Feedback {
        &self.feedback
    }

    /// The e-prop update at `net`'s parameters (no feedback adaptation; see
    /// [`RecurrentAlgorithm::gradient`] for the adaptive step).
    ///
    /// # Errors
    /// A batch that does not fit the network; a feedback matrix of the wrong shape; non-finite
    /// values.
    pub fn compute(
        &self,
        net: &SpikingNet,
        batch: &SequenceBatch,
    ) -> Result<(RecurrentGrads, GradientReport)> {
        let zeroed;
        let net = if self.config.zero_recurrent {
            zeroed = net.without_recurrence();
            &zeroed
        } else {
            net
        };
        let s = net.sizes();
        batch.check_for(s)?;
        let b_fb = match &self.feedback {
            Feedback::Symmetric => net.param(Param::WOut),
            Feedback::Random(m) | Feedback::Adaptive { b: m, .. } => m,
        };
        if b_fb.shape() != (s.n_out, s.n_rec) {
            return Err(crate::PlasticityError::ShapeMismatch {
                op: "Eprop feedback",
                expected: (s.n_out, s.n_rec),
                got: b_fb.shape(),
            });
        }
        let inputs = batch.inputs();
        let (b, n, n_in, n_out) = (batch.batch_size(), s.n_rec, s.n_in, s.n_out);
        // pass 1: readouts, loss, readout errors, spike counts
        let mut readouts = Vec::with_capacity(inputs.len());
        let reg = self.config.rate_regularization.as_ref();
        let mut spike_sum = Matrix::zeros(b, n);
        net.run(inputs, |_, st| {
            readouts.push(st.y.clone());
            if reg.is_some() {
                spike_sum += &st.z;
            }
        })?;
        let mut errs = Vec::new();
        let mut loss = batch.loss_and_errors(&readouts, &mut errs)?;
        let direct = match reg {
            Some(r) => {
                let (e, d) = r.from_counts(net, &spike_sum, inputs.len())?;
                loss += e;
                Some(d)
            }
            None => None,
        };
        // pass 2: eligibility traces online
        let mut tr = EligibilityTraces::new(net, b, false);
        let n_pre = tr.n_pre();
        let kappa = net.kappa();
        let mut filtered = vec![0.0; tr.traces().len()];
        let mut g = Matrix::zeros(n, n_pre);
        let mut g_out = Matrix::zeros(n_out, n);
        let mut g_bout = Matrix::zeros(1, n_out);
        let mut fz = Matrix::zeros(b, n);
        let mut f_one = 0.0;
        let mut z_prev = Matrix::zeros(b, n);
        let mut signal = Matrix::zeros(b, n);
        let mut reg_signal = Matrix::zeros(b, n);
        if let Some(d) = &direct {
            for (j, mut col) in reg_signal.column_iter_mut().enumerate() {
                col.fill(d[j]);
            }
        }
        net.run(inputs, |t, st| {
            tr.step(&inputs[t], &z_prev, &st.psi);
            for (f, &e) in filtered.iter_mut().zip(tr.traces()) {
                *f = kappa * *f + e;
            }
            let err = &errs[t];
            signal.gemm(1.0, err, b_fb, 0.0);
            accumulate(&filtered, b, n_pre, &signal, &mut g);
            if direct.is_some() {
                tr.accumulate(&reg_signal, &mut g);
            }
            fz *= kappa;
            fz += &st.z;
            f_one = kappa * f_one + 1.0;
            g_out.gemm_tr(1.0, err, &fz, 1.0);
            for k in 0..n_out {
                g_bout[(0, k)] += f_one * err.column(k).sum();
            }
            z_prev.copy_from(&st.z);
        })?;
        let (w_in, w_rec, bias) = split_presynaptic(&g, n_in);
        let grads = RecurrentGrads {
            grads: vec![w_in, w_rec, bias, g_out, g_bout],
        };
        grads.check_finite()?;
        // network state (v, a, z, ψ, y, I, refractory) + traces + filtered traces + F_κ(z),
        // z^{t−1}, the two signals
        let state = real_bytes(6 * b * n + b * n_out) + b * n * std::mem::size_of::<u32>();
        let bytes = state + tr.state_bytes() + real_bytes(filtered.len() + 4 * b * n + n * n_pre);
        Ok((grads, GradientReport::new(loss, bytes)))
    }
}

impl RecurrentAlgorithm<SpikingNet> for Eprop {
    fn name(&self) -> &'static str {
        self.name
    }

    /// The e-prop update; with adaptive feedback, `B` then takes its Kolen-Pollack step
    /// `B ← (1 − λ) B − η ∂E/∂W_out`.
    fn gradient(
        &mut self,
        net: &SpikingNet,
        batch: &SequenceBatch,
    ) -> Result<(RecurrentGrads, GradientReport)> {
        let (g, r) = self.compute(net, batch)?;
        if let Feedback::Adaptive { b, lr, decay } = &mut self.feedback {
            *b *= 1.0 - *decay;
            b.zip_apply(g.get(Param::WOut), |x, gw| *x -= *lr * gw);
        }
        Ok((g, r))
    }
}
