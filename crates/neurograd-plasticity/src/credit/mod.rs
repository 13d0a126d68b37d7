//! Credit assignment in layered networks: backpropagation and its biologically plausible rivals,
//! each producing weight and bias updates for a mini-batch, each measured against the true
//! gradient.
//!
//! - [`Network`]: a dense layered rate network (PyTorch shapes: `W_l` is (out, in), `b_l` is a
//!   (1, out) row, a batch `X` is (batch, in), `H = X Wᵀ + b`).
//! - [`CreditAssignment`]: the common trait. An algorithm turns `(network, batch, targets)` into
//!   [`Updates`] with **the sign of a loss gradient** (an optimizer's `step` *descends* along
//!   them), laid out like [`Network::params`] (`[W_1, b_1, ..., W_L, b_L]`), plus [`Diagnostics`]
//!   (batch loss, relaxation steps and final residual of energy-based algorithms).
//! - One file per algorithm: [`Backprop`] (and the autodiff-tape reference
//!   [`backprop::tape_gradients`]), [`FeedbackAlignment`], [`DirectFeedbackAlignment`],
//!   [`SignSymmetry`], [`Recirculation`], [`ContrastiveHebbian`], [`EquilibriumPropagation`],
//!   [`PredictiveCoding`], [`DifferenceTargetPropagation`], the weight-transport fixes
//!   [`KolenPollack`] and [`WeightMirror`] (Akrout et al. 2019), and the black-box baseline
//!   [`EvolutionStrategy`] (OpenAI-ES).
//! - [`registry`]: name -> constructor for every algorithm (`bp,fa,dfa,ss,pc,ep,chl,dtp,...`); an
//!   unknown name is an error that lists the valid ones.
//! - [`train`]: the training loop ([`Trainer`]: registry algorithm, optimizer, per-epoch records
//!   with the cosine to backprop, resumable [`Checkpoint`]s); [`compare`]: the numbers behind the
//!   claims lab (error against backprop as a function of beta, gamma, precision, lambda; alignment
//!   angles over training).
//!
//! **The registry.** Every algorithm is listed once, in the `registry!` invocation of this file:
//! per module (file), the types it re-exports and its entries, each the fields of an
//! [`AlgorithmInfo`] under its registered name. The macro emits the `pub mod` and `pub use` lines
//! and [`registry::ALGORITHMS`], which the lookups ([`by_name`], [`parse_list`],
//! [`registry::info`]), the training loop and the CLI read. Adding an algorithm is its file
//! (implementing [`CreditAssignment`]) plus one entry:
//!
//! ```text
//! registry! {
//!     ...
//!     my_algo [MyAlgo, MyAlgoConfig] {
//!         "my-algo" {
//!             summary: "what it is (Author et al. year)",
//!             supervised: true,
//!             hidden: RELU,
//!             output: ID,
//!             loss: CE,
//!             learning_rate: 1e-3,
//!             constructor: |net, seed| boxed(MyAlgo::new(net, MyAlgoConfig::default(), seed)?),
//!         }
//!     }
//! }
//! ```
//!
//! Energy-based algorithms ([`EquilibriumPropagation`], [`ContrastiveHebbian`],
//! [`PredictiveCoding`]) relax a state to a fixed point with a documented step size, iteration
//! budget and convergence criterion (a residual tolerance); the residual is exposed in
//! [`Diagnostics::residual`], and a relaxation that does not reach its tolerance within its budget
//! is [`PlasticityError::NotConverged`](crate::PlasticityError::NotConverged), never silently used.
//!
//! ```
//! use neurograd_plasticity::credit::{Backprop, CreditAssignment, Loss, Network};
//! use neurograd_tensor::{Activation, Matrix};
//!
//! let net = Network::new(&[4, 8, 3], Activation::Tanh, Activation::Identity,
//!                        Loss::SoftmaxCrossEntropy, 7)?;
//! let x = Matrix::from_fn(5, 4, |i, j| ((i * 4 + j) as f64).sin());
//! let t = Matrix::from_fn(5, 3, |i, j| if i % 3 == j { 1.0 } else { 0.0 });
//! let up = Backprop::new().updates(&net, &x, &t)?;
//! assert_eq!(up.weight(0)?.shape(), (8, 4));
//! # Ok::<(), neurograd_plasticity::PlasticityError>(())
//! ```

// Layer loops index several per-layer arrays at once (states, errors, weights) exactly as the
// equations in the docs do; iterator zips would hide the layer index the equations use.
#![allow(clippy::needless_range_loop, clippy::too_many_arguments)]

pub mod compare;
pub mod conv_layers;
pub(crate) mod linalg;
pub mod network;
pub mod registry;
pub(crate) mod relax;
pub mod train;

pub use network::{ForwardCache, Loss, Network};
pub use registry::{AlgorithmInfo, algorithms, by_name, parse_list};
pub use relax::Relaxation;
pub use train::{
    Checkpoint, EpochRecord, Seeds, TrainConfig, TrainData, TrainOutcome, Trainer, mean_per_layer,
    train_network,
};

use neurograd_tensor::{Matrix, Real};

use crate::Result;
use registry::{CE, HS, ID, RELU, SE, TANH, boxed, ep, renamed};

/// Declares the algorithm modules, their re-exports and the registry from one list: per module,
/// `module [ReExported, Types] { "name" { AlgorithmInfo fields but the name } ... }`. Emits
/// `pub mod module;`, `pub use module::{ReExported, Types};` and one [`AlgorithmInfo`] per entry,
/// in list order, into [`registry::ALGORITHMS`].
macro_rules! registry {
    ($( $module:ident [$($export:ident),* $(,)?] {
        $( $name:literal { $( $field:ident : $value:expr ),* $(,)? } )*
    } )*) => {
        $(
            pub mod $module;
            pub use $module::{$($export),*};
        )*

        /// The registry list, in order; public as [`registry::ALGORITHMS`].
        const REGISTERED: &[AlgorithmInfo] = &[
            $( $( AlgorithmInfo { name: $name, $( $field: $value ),* }, )* )*
        ];
    };
}

// The registry: one entry per algorithm, grouped by the module (file) that defines it. The order
// is the registry order (`compare`'s rows, `valid_names`). Networks and learning rates: see
// `registry.rs`'s module docs.
registry! {
    backprop [Backprop, TapeBackprop] {
        "bp" {
            summary: "backpropagation (Rumelhart, Hinton & Williams 1986), hand-written; reference",
            supervised: true,
            hidden: RELU,
            output: ID,
            loss: CE,
            learning_rate: 1e-3,
            constructor: |_, _| boxed(Backprop::new()),
        }
        "bp-tape" {
            summary: "backpropagation through the autodiff tape (the reference)",
            supervised: true,
            hidden: RELU,
            output: ID,
            loss: CE,
            learning_rate: 1e-3,
            constructor: |_, _| boxed(TapeBackprop),
        }
    }
    feedback_alignment [FeedbackAlignment] {
        "fa" {
            summary: "feedback alignment (Lillicrap et al. 2016)",
            supervised: true,
            hidden: RELU,
            output: ID,
            loss: CE,
            learning_rate: 1e-3,
            constructor: |n, s| boxed(FeedbackAlignment::new(n, s)?),
        }
    }
    dfa [DirectFeedbackAlignment] {
        "dfa" {
            summary: "direct feedback alignment (Nokland 2016)",
            supervised: true,
            hidden: RELU,
            output: ID,
            loss: CE,
            learning_rate: 1e-3,
            constructor: |n, s| boxed(DirectFeedbackAlignment::new(n, s)?),
        }
    }
    sign_symmetry [SignSymmetry] {
        "ss" {
            summary: "sign symmetry, uniform sign-concordant feedback (Liao, Leibo & Poggio 2016)",
            supervised: true,
            hidden: RELU,
            output: ID,
            loss: CE,
            learning_rate: 1e-3,
            constructor: |_, _| boxed(SignSymmetry::new()),
        }
    }
    predictive_coding [PcVariant, PredictiveCoding] {
        "pc" {
            summary: "predictive coding, standard inference (Whittington & Bogacz 2017)",
            supervised: true,
            hidden: TANH,
            output: ID,
            loss: SE,
            learning_rate: 1e-3,
            constructor: |_, _| {
                boxed(
                    PredictiveCoding::new(PcVariant::Standard).with_inference(Relaxation {
                        step: 0.3,
                        tol: 1e-5,
                        max_iters: 2000,
                    })?,
                )
            },
        }
        "pc-fpa" {
            summary: "predictive coding, fixed-prediction assumption (Millidge, Tschantz & Buckley 2022)",
            supervised: true,
            hidden: TANH,
            output: ID,
            loss: SE,
            learning_rate: 1e-3,
            constructor: |_, _| boxed(PredictiveCoding::new(PcVariant::FixedPrediction)),
        }
        "pc-zil" {
            summary: "predictive coding, zero-divergence inference learning (Song et al. 2020)",
            supervised: true,
            hidden: TANH,
            output: ID,
            loss: SE,
            learning_rate: 1e-3,
            constructor: |_, _| boxed(PredictiveCoding::new(PcVariant::ZeroDivergence)),
        }
    }
    equilibrium_propagation [EpVariant, EquilibriumPropagation] {
        "ep" {
            summary: "equilibrium propagation, one-sided nudging (Scellier & Bengio 2017)",
            supervised: true,
            hidden: HS,
            output: ID,
            loss: SE,
            learning_rate: 1e-3,
            constructor: |_, _| ep(EpVariant::OneSided, None),
        }
        "ep-rs" {
            summary: "equilibrium propagation, one-sided nudging with a random sign of beta per batch (Scellier & Bengio 2017)",
            supervised: true,
            hidden: HS,
            output: ID,
            loss: SE,
            learning_rate: 1e-3,
            constructor: |_, s| ep(EpVariant::OneSided, Some(s)),
        }
        "ep-sym" {
            summary: "equilibrium propagation, symmetric +-beta nudging (Laborieux et al. 2021)",
            supervised: true,
            hidden: HS,
            output: ID,
            loss: SE,
            learning_rate: 1e-3,
            constructor: |_, _| ep(EpVariant::Symmetric, None),
        }
        // Backprop, grouped with EP because it is EP's baseline (and so keeps its registry place).
        "bp-ep" {
            summary: "backpropagation on the feed-forward network with EP's layers and loss (hard-sigmoid hidden, linear output, squared error): EP's exact-gradient accuracy baseline",
            supervised: true,
            hidden: HS,
            output: ID,
            loss: SE,
            learning_rate: 1e-3,
            constructor: |_, _| renamed("bp-ep", Backprop::new()),
        }
    }
    chl [ContrastiveHebbian] {
        "chl" {
            summary: "contrastive Hebbian learning with Xie-Seung feedback gain (Movellan 1991; Xie & Seung 2003)",
            supervised: true,
            hidden: TANH,
            output: ID,
            loss: SE,
            learning_rate: 1e-3,
            constructor: |_, _| boxed(ContrastiveHebbian::new(0.05)?),
        }
    }
    dtp [DifferenceTargetPropagation, DtpConfig] {
        "dtp" {
            summary: "difference target propagation (Lee et al. 2015)",
            supervised: true,
            hidden: RELU,
            output: ID,
            loss: CE,
            learning_rate: 1e-3,
            constructor: |n, s| boxed(DifferenceTargetPropagation::new(n, DtpConfig::default(), s)?),
        }
    }
    es [EsConfig, EvolutionStrategy] {
        "es" {
            summary: "OpenAI-ES, antithetic pairs, population 100, sigma 0.02, centred ranks (Salimans et al. 2017); a black-box baseline",
            supervised: true,
            hidden: RELU,
            output: ID,
            loss: CE,
            learning_rate: 1e-2,
            constructor: |_, s| boxed(EvolutionStrategy::new(EsConfig::default(), s)?),
        }
    }
    recirculation [Recirculation] {
        "recirculation" {
            summary: "recirculation autoencoder, lambda = 0.75 (Hinton & McClelland 1988)",
            supervised: false,
            hidden: neurograd_tensor::Activation::Sigmoid,
            output: ID,
            loss: SE,
            learning_rate: 1e-3,
            constructor: |_, _| boxed(Recirculation::new(0.75)?),
        }
    }
    sign_concordant [SignConcordant, SignVariant] {
        "usf" {
            summary: "sign symmetry, uniform sign-concordant feedback scaled by the init std (uSF; Liao et al. 2016, BioTorch: Sanfiz & Akrout 2021)",
            supervised: true,
            hidden: RELU,
            output: ID,
            loss: CE,
            learning_rate: 1e-3,
            constructor: |n, s| boxed(SignConcordant::new(n, SignVariant::Usf, s)?),
        }
        "brsf" {
            summary: "sign symmetry, batchwise random-magnitude sign-concordant feedback (brSF; Moskovitz et al. 2018, BioTorch)",
            supervised: true,
            hidden: RELU,
            output: ID,
            loss: CE,
            learning_rate: 1e-3,
            constructor: |n, s| boxed(SignConcordant::new(n, SignVariant::Brsf, s)?),
        }
        "frsf" {
            summary: "sign symmetry, fixed random-magnitude sign-concordant feedback (frSF; Moskovitz et al. 2018, BioTorch)",
            supervised: true,
            hidden: RELU,
            output: ID,
            loss: CE,
            learning_rate: 1e-3,
            constructor: |n, s| boxed(SignConcordant::new(n, SignVariant::Frsf, s)?),
        }
    }
    kolen_pollack [KolenPollack, KolenPollackConfig] {
        "kp" {
            summary: "Kolen-Pollack: feedback weights receive the forward weights' update and weight decay, so B - W decays geometrically (Kolen & Pollack 1994; Akrout et al. 2019)",
            supervised: true,
            hidden: RELU,
            output: ID,
            loss: CE,
            learning_rate: 1e-3,
            constructor: |n, s| boxed(KolenPollack::new(n, KolenPollackConfig::default(), s)?),
        }
    }
    weight_mirror [WeightMirror, WeightMirrorConfig] {
        "wm" {
            summary: "weight mirrors: feedback weights learn W from noise-driven activity in a mirror mode between training steps (Akrout et al. 2019)",
            supervised: true,
            hidden: RELU,
            output: ID,
            loss: CE,
            learning_rate: 1e-3,
            constructor: |n, s| boxed(WeightMirror::new(n, WeightMirrorConfig::default(), s)?),
        }
    }
    readout [ReadoutOnly] {
        "readout" {
            summary: "readout only: hidden layers frozen at their random init, the output layer learns (the control of the feedback rules)",
            supervised: true,
            hidden: RELU,
            output: ID,
            loss: CE,
            learning_rate: 1e-3,
            constructor: |_, _| boxed(ReadoutOnly::new()),
        }
    }
}

/// Per-batch diagnostics of an algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct Diagnostics {
    /// Batch loss (mean over rows) at the prediction the algorithm used (the forward pass, or the
    /// free fixed point of an energy-based model).
    pub loss: Real,
    /// Relaxation iterations summed over all phases (0 for feed-forward algorithms).
    pub relaxation_steps: usize,
    /// Largest final relaxation residual over the phases (0 for feed-forward algorithms).
    pub residual: Real,
}

impl Diagnostics {
    /// Diagnostics of a feed-forward algorithm: only the loss.
    pub fn feedforward(loss: Real) -> Self {
        Diagnostics {
            loss,
            relaxation_steps: 0,
            residual: 0.0,
        }
    }
}

/// Per-layer updates with the sign of a loss gradient, laid out like [`Network::params`].
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Updates {
    /// `[ΔW_1, Δb_1, ..., ΔW_L, Δb_L]`, same shapes as the parameters. An optimizer descends:
    /// `θ ← θ - η · grads`.
    pub grads: Vec<Matrix>,
    /// Diagnostics of the batch.
    pub diagnostics: Diagnostics,
}

impl Updates {
    /// Zero updates shaped like `net`'s parameters.
    pub fn zeros(net: &Network) -> Self {
        let mut u = Updates::default();
        u.prepare(net);
        u
    }

    /// Reshapes to `net`'s parameter shapes, reallocating only where a shape differs.
    pub(crate) fn prepare(&mut self, net: &Network) {
        let p = net.params();
        self.grads.resize_with(p.len(), || Matrix::zeros(0, 0));
        for (g, q) in self.grads.iter_mut().zip(p) {
            linalg::ensure_shape(g, q.nrows(), q.ncols());
        }
    }

    /// Weight update of layer `l` (0-based).
    ///
    /// # Errors
    /// [`PlasticityError::LayerOutOfRange`](crate::PlasticityError::LayerOutOfRange) unless
    /// `l <` [`Updates::num_layers`].
    pub fn weight(&self, l: usize) -> Result<&Matrix> {
        self.grads.get(2 * l).ok_or_else(|| self.out_of_range(l))
    }

    /// Bias update of layer `l` (0-based).
    ///
    /// # Errors
    /// As [`Updates::weight`].
    pub fn bias(&self, l: usize) -> Result<&Matrix> {
        self.grads
            .get(2 * l + 1)
            .ok_or_else(|| self.out_of_range(l))
    }

    fn out_of_range(&self, l: usize) -> crate::PlasticityError {
        crate::PlasticityError::LayerOutOfRange {
            layer: l,
            layers: self.num_layers(),
        }
    }

    /// Mutable (weight, bias) updates of layer `l` (0-based).
    pub(crate) fn layer_mut(&mut self, l: usize) -> (&mut Matrix, &mut Matrix) {
        let (a, b) = self.grads.split_at_mut(2 * l + 1);
        (&mut a[2 * l], &mut b[0])
    }

    /// Number of layers.
    pub fn num_layers(&self) -> usize {
        self.grads.len() / 2
    }

    /// Checks that every update is finite.
    ///
    /// # Errors
    /// [`PlasticityError::Tensor`](crate::PlasticityError::Tensor) wrapping
    /// `TensorError::NonFinite` naming the layer.
    pub fn check_finite(&self) -> Result<()> {
        for (i, g) in self.grads.iter().enumerate() {
            let what = if i % 2 == 0 {
                "weight update"
            } else {
                "bias update"
            };
            neurograd_tensor::validate::check_finite(g, &format!("{what} of layer {}", i / 2 + 1))?;
        }
        Ok(())
    }
}

/// A credit-assignment algorithm: turns a mini-batch into per-layer updates.
///
/// Sign convention: the updates have the sign of the gradient of the network's [`Loss`] (mean
/// over the batch), so `θ ← θ - η·update` descends. Algorithms that only approximate the gradient
/// (feedback alignment, EP at finite beta, ...) produce the update their rule prescribes, scaled
/// so that it converges to the gradient where their theory says it does.
pub trait CreditAssignment: Send {
    /// Registry name (`"bp"`, `"fa"`, ...).
    fn name(&self) -> &'static str;

    /// Computes the updates for batch `x` (batch, n_0) and targets `t` (batch, n_L) into `out`
    /// (reshaped as needed; reusing one `out` avoids allocation in a training loop).
    ///
    /// # Errors
    /// Shape mismatches, non-finite input, an algorithm that does not fit the network (e.g. a
    /// loss it does not support), a relaxation that does not converge.
    fn updates_into(
        &mut self,
        net: &Network,
        x: &Matrix,
        t: &Matrix,
        out: &mut Updates,
    ) -> Result<()>;

    /// Allocating version of [`CreditAssignment::updates_into`].
    ///
    /// # Errors
    /// As [`CreditAssignment::updates_into`].
    fn updates(&mut self, net: &Network, x: &Matrix, t: &Matrix) -> Result<Updates> {
        let mut out = Updates::zeros(net);
        self.updates_into(net, x, t, &mut out)?;
        Ok(out)
    }

    /// The network's prediction as this algorithm defines it: the forward pass by default, the
    /// free fixed point for energy-based models.
    ///
    /// # Errors
    /// Bad input, non-convergence of a relaxation.
    fn predict(&mut self, net: &Network, x: &Matrix) -> Result<Matrix> {
        net.forward(x)
    }

    /// Positions the algorithm's per-step randomness at training step `step` (0-based, counting
    /// optimizer steps since the start of the run). The training loop ([`Trainer`]) calls it
    /// before every batch, so a run resumed from a [`Checkpoint`] draws the same random numbers as
    /// an uninterrupted one. The default ignores it: algorithms whose updates draw nothing per
    /// step (backprop, fixed random feedback) need no position; [`EvolutionStrategy`] draws its
    /// perturbations from `(seed, step)`.
    fn set_step(&mut self, _step: u64) {}

    /// Whether the algorithm trains networks with convolutional layers
    /// ([`conv_layers`]). The default is `false`: the algorithms written for dense layers (the
    /// energy-based ones, target propagation, recirculation) return
    /// [`PlasticityError::InvalidParameter`](crate::PlasticityError::InvalidParameter) named
    /// `network` on a convolutional network, and [`Trainer`] refuses the pair before training.
    fn supports_conv(&self) -> bool {
        false
    }

    /// Whether a [`Checkpoint`] (network, optimizer, position, history) holds everything this
    /// algorithm's future updates depend on, so that a run resumed from it equals an
    /// uninterrupted one. True for rules whose feedback is fixed or a pure function of the
    /// seeds and the position; false for rules that learn state of their own (Kolen-Pollack's
    /// and weight mirrors' feedback weights, target propagation's inverses), which
    /// [`Trainer::restore`] then refuses and an interrupted `compare` reruns from the start.
    fn checkpointable(&self) -> bool {
        true
    }
}
