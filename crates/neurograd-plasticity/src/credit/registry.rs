//! Name -> constructor for every credit-assignment algorithm, with the network each one is meant
//! to train (activations and loss) and a learning rate that works on digits with Adam.
//!
//! The feed-forward algorithms (backprop, FA, DFA, sign symmetry, DTP) use ReLU hidden units and a
//! softmax cross-entropy output: on digits (64-256-10, 30 epochs, 5 seeds) ReLU backprop reaches
//! 0.975 where tanh reaches 0.968, the gap scikit-learn's `MLPClassifier` shows too (theory.md
//! §17d; docs/benchmarks.md). Predictive coding and CHL keep tanh, whose bounded derivative keeps
//! their relaxations contracting (with ReLU the PC inference does not converge on digits).
//! Equilibrium propagation uses the hard-sigmoid hidden units of its paper and a **linear
//! output** layer: with a hard-sigmoid output, a wrong output unit driven above 1 stays clipped in
//! both phases and gets no update (the true gradient is zero there too), and on digits the 5-seed
//! mean was 0.935 against 0.950 with the linear output (EP permits any `ρ`; the energy stays
//! quadratic in a linear layer, so the block-coordinate relaxation handles it).
//!
//! Adding an algorithm: create its file, then add one [`AlgorithmInfo`] line to [`ALGORITHMS`].

use neurograd_tensor::{Activation, Matrix, Real};

use super::{
    Backprop, ContrastiveHebbian, CreditAssignment, DifferenceTargetPropagation,
    DirectFeedbackAlignment, DtpConfig, EpVariant, EquilibriumPropagation, EsConfig,
    EvolutionStrategy, FeedbackAlignment, Loss, Network, PcVariant, PredictiveCoding,
    Recirculation, Relaxation, SignSymmetry, Updates,
};
use crate::{PlasticityError, Result};

/// One registered algorithm.
#[derive(Clone, Copy, Debug)]
pub struct AlgorithmInfo {
    /// Registry name (`--algorithms` value).
    pub name: &'static str,
    /// One-line description with its source.
    pub summary: &'static str,
    /// `false` for unsupervised algorithms (recirculation: an autoencoder, targets = inputs).
    pub supervised: bool,
    /// Hidden activation the algorithm is meant for.
    pub hidden: Activation,
    /// Output activation the algorithm is meant for.
    pub output: Activation,
    /// Loss the algorithm is meant for.
    pub loss: Loss,
    /// Adam learning rate that works on digits (64-256-10, batch 32).
    pub learning_rate: Real,
    constructor: fn(&Network, u64) -> Result<Box<dyn CreditAssignment>>,
}

impl AlgorithmInfo {
    /// Builds the algorithm for `net` (random feedback or inverses drawn from `seed`).
    ///
    /// # Errors
    /// Constructor errors (e.g. a network the algorithm cannot size itself to).
    pub fn build(&self, net: &Network, seed: u64) -> Result<Box<dyn CreditAssignment>> {
        (self.constructor)(net, seed)
    }

    /// A network of the given widths set up for this algorithm (its activations and loss).
    ///
    /// # Errors
    /// As [`Network::new`].
    pub fn network(&self, widths: &[usize], seed: u64) -> Result<Network> {
        Network::new(widths, self.hidden, self.output, self.loss, seed)
    }
}

fn boxed<A: CreditAssignment + 'static>(a: A) -> Result<Box<dyn CreditAssignment>> {
    Ok(Box::new(a))
}

/// An algorithm registered under a second name (a baseline on another network), delegating
/// everything but the name.
struct Renamed<A> {
    name: &'static str,
    inner: A,
}

impl<A: CreditAssignment> CreditAssignment for Renamed<A> {
    fn name(&self) -> &'static str {
        self.name
    }

    fn updates_into(
        &mut self,
        net: &Network,
        x: &Matrix,
        t: &Matrix,
        out: &mut Updates,
    ) -> Result<()> {
        self.inner.updates_into(net, x, t, out)
    }

    fn predict(&mut self, net: &Network, x: &Matrix) -> Result<Matrix> {
        self.inner.predict(net, x)
    }

    fn set_step(&mut self, step: u64) {
        self.inner.set_step(step);
    }
}

/// EP as registered: β = 0.5, block-coordinate relaxation to a residual of 1e-4 within 5000
/// sweeps, optionally with a random sign of β per batch.
fn ep(variant: EpVariant, random_sign: Option<u64>) -> Result<Box<dyn CreditAssignment>> {
    let a = EquilibriumPropagation::new(0.5, variant)?
        .with_relaxation(Relaxation {
            step: 0.5,
            tol: 1e-4,
            max_iters: 5000,
        })?
        .with_block_coordinate(true);
    match random_sign {
        Some(seed) => boxed(a.with_random_sign(seed)),
        None => boxed(a),
    }
}

const TANH: Activation = Activation::Tanh;
const RELU: Activation = Activation::Relu;
const ID: Activation = Activation::Identity;
const HS: Activation = Activation::HardSigmoid;
const CE: Loss = Loss::SoftmaxCrossEntropy;
const SE: Loss = Loss::HalfSquaredError;

/// Every registered algorithm, in a stable order.
pub const ALGORITHMS: &[AlgorithmInfo] = &[
    AlgorithmInfo {
        name: "bp",
        summary: "backpropagation (Rumelhart, Hinton & Williams 1986), hand-written; reference",
        supervised: true,
        hidden: RELU,
        output: ID,
        loss: CE,
        learning_rate: 1e-3,
        constructor: |_, _| boxed(Backprop::new()),
    },
    AlgorithmInfo {
        name: "bp-tape",
        summary: "backpropagation through the autodiff tape (the reference)",
        supervised: true,
        hidden: RELU,
        output: ID,
        loss: CE,
        learning_rate: 1e-3,
        constructor: |_, _| boxed(super::backprop::TapeBackprop),
    },
    AlgorithmInfo {
        name: "fa",
        summary: "feedback alignment (Lillicrap et al. 2016)",
        supervised: true,
        hidden: RELU,
        output: ID,
        loss: CE,
        learning_rate: 1e-3,
        constructor: |n, s| boxed(FeedbackAlignment::new(n, s)?),
    },
    AlgorithmInfo {
        name: "dfa",
        summary: "direct feedback alignment (Nokland 2016)",
        supervised: true,
        hidden: RELU,
        output: ID,
        loss: CE,
        learning_rate: 1e-3,
        constructor: |n, s| boxed(DirectFeedbackAlignment::new(n, s)?),
    },
    AlgorithmInfo {
        name: "ss",
        summary: "sign symmetry, uniform sign-concordant feedback (Liao, Leibo & Poggio 2016)",
        supervised: true,
        hidden: RELU,
        output: ID,
        loss: CE,
        learning_rate: 1e-3,
        constructor: |_, _| boxed(SignSymmetry::new()),
    },
    AlgorithmInfo {
        name: "pc",
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
    },
    AlgorithmInfo {
        name: "pc-fpa",
        summary: "predictive coding, fixed-prediction assumption (Millidge, Tschantz & Buckley 2022)",
        supervised: true,
        hidden: TANH,
        output: ID,
        loss: SE,
        learning_rate: 1e-3,
        constructor: |_, _| boxed(PredictiveCoding::new(PcVariant::FixedPrediction)),
    },
    AlgorithmInfo {
        name: "pc-zil",
        summary: "predictive coding, zero-divergence inference learning (Song et al. 2020)",
        supervised: true,
        hidden: TANH,
        output: ID,
        loss: SE,
        learning_rate: 1e-3,
        constructor: |_, _| boxed(PredictiveCoding::new(PcVariant::ZeroDivergence)),
    },
    AlgorithmInfo {
        name: "ep",
        summary: "equilibrium propagation, one-sided nudging (Scellier & Bengio 2017)",
        supervised: true,
        hidden: HS,
        output: ID,
        loss: SE,
        learning_rate: 1e-3,
        constructor: |_, _| ep(EpVariant::OneSided, None),
    },
    AlgorithmInfo {
        name: "ep-rs",
        summary: "equilibrium propagation, one-sided nudging with a random sign of beta per batch (Scellier & Bengio 2017)",
        supervised: true,
        hidden: HS,
        output: ID,
        loss: SE,
        learning_rate: 1e-3,
        constructor: |_, s| ep(EpVariant::OneSided, Some(s)),
    },
    AlgorithmInfo {
        name: "ep-sym",
        summary: "equilibrium propagation, symmetric +-beta nudging (Laborieux et al. 2021)",
        supervised: true,
        hidden: HS,
        output: ID,
        loss: SE,
        learning_rate: 1e-3,
        constructor: |_, _| ep(EpVariant::Symmetric, None),
    },
    AlgorithmInfo {
        name: "bp-ep",
        summary: "backpropagation on the feed-forward network with EP's layers and loss (hard-sigmoid hidden, linear output, squared error): EP's exact-gradient accuracy baseline",
        supervised: true,
        hidden: HS,
        output: ID,
        loss: SE,
        learning_rate: 1e-3,
        constructor: |_, _| {
            boxed(Renamed {
                name: "bp-ep",
                inner: Backprop::new(),
            })
        },
    },
    AlgorithmInfo {
        name: "chl",
        summary: "contrastive Hebbian learning with Xie-Seung feedback gain (Movellan 1991; Xie & Seung 2003)",
        supervised: true,
        hidden: TANH,
        output: ID,
        loss: SE,
        learning_rate: 1e-3,
        constructor: |_, _| boxed(ContrastiveHebbian::new(0.05)?),
    },
    AlgorithmInfo {
        name: "dtp",
        summary: "difference target propagation (Lee et al. 2015)",
        supervised: true,
        hidden: RELU,
        output: ID,
        loss: CE,
        learning_rate: 1e-3,
        constructor: |n, s| {
            boxed(DifferenceTargetPropagation::new(
                n,
                DtpConfig::default(),
                s,
            )?)
        },
    },
    AlgorithmInfo {
        name: "es",
        summary: "OpenAI-ES, antithetic pairs, population 100, sigma 0.02, centred ranks (Salimans et al. 2017); a black-box baseline",
        supervised: true,
        hidden: RELU,
        output: ID,
        loss: CE,
        learning_rate: 1e-2,
        constructor: |_, s| boxed(EvolutionStrategy::new(EsConfig::default(), s)?),
    },
    AlgorithmInfo {
        name: "recirculation",
        summary: "recirculation autoencoder, lambda = 0.75 (Hinton & McClelland 1988)",
        supervised: false,
        hidden: Activation::Sigmoid,
        output: ID,
        loss: SE,
        learning_rate: 1e-3,
        constructor: |_, _| boxed(Recirculation::new(0.75)?),
    },
];

/// Every registered algorithm.
pub fn algorithms() -> &'static [AlgorithmInfo] {
    ALGORITHMS
}

/// Comma-separated list of the valid names.
pub fn valid_names() -> String {
    ALGORITHMS
        .iter()
        .map(|a| a.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The registry entry called `name`.
///
/// # Errors
/// [`PlasticityError::UnknownName`] listing the valid names.
pub fn info(name: &str) -> Result<&'static AlgorithmInfo> {
    ALGORITHMS
        .iter()
        .find(|a| a.name == name.trim())
        .ok_or_else(|| PlasticityError::UnknownName {
            kind: "credit-assignment algorithm",
            name: name.to_string(),
            valid: valid_names(),
        })
}

/// Builds the algorithm called `name` for `net`.
///
/// # Errors
/// [`PlasticityError::UnknownName`] listing the valid names; constructor errors.
pub fn by_name(name: &str, net: &Network, seed: u64) -> Result<Box<dyn CreditAssignment>> {
    info(name)?.build(net, seed)
}

/// Parses a comma-separated list such as `"bp,fa,ep"`.
///
/// # Errors
/// [`PlasticityError::UnknownName`] for the first unknown entry; an empty list is
/// [`PlasticityError::InvalidParameter`].
pub fn parse_list(list: &str) -> Result<Vec<&'static AlgorithmInfo>> {
    let out = list
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(info)
        .collect::<Result<Vec<_>>>()?;
    if out.is_empty() {
        return Err(PlasticityError::InvalidParameter {
            name: "algorithms",
            value: list.to_string(),
            reason: format!("no algorithm named; valid names: {}", valid_names()),
        });
    }
    Ok(out)
}
