//! Local plasticity rules: one file per rule, registered here.
//!
//! A local rule sees only what a synapse can see: presynaptic activity, postsynaptic activity, its
//! own weight, optionally a third factor (a modulator such as reward, or a supervised target) and
//! rule state (a threshold, an eligibility trace). Every rule in this module
//!
//! - implements the one-method trait [`LocalRule`] (`activity, weights -> weight change`), where the
//!   returned change is the update *per unit learning rate*, averaged (never summed) over the
//!   samples of a batch;
//! - states, through [`LocalRule::theory`], the objective its theory names and the relation theory
//!   claims between the update and that objective's gradient ([`Relation`]);
//! - is checked by the public conformance harness [`harness`], which measures the cosine and
//!   relative error of that relation for any weights and data (from proptest or from plain code).
//!
//! Spike-timing rules ([`stdp`], [`triplet`], [`three_factor`]) act on spike trains (times in
//! ms) and implement [`SpikeRule`]: an online, trace-based weight change plus the
//! [`SpikeKernel`] it claims to implement, which [`harness::spikes`] checks against a brute-force
//! sum and, under Poisson input, against the kernel's rate (drift) formula.
//! [`hopfield`] stores and recalls patterns; its Hebbian storage is the rate rule
//! [`hopfield::HopfieldStorage`]. [`train`] runs a rule over data with a learning-rate schedule and
//! reports divergence as [`PlasticityError::Diverged`].
//!
//! **The registry.** Every rule is listed once, in the `registry!` invocation below: one module
//! line with the rule's registered names, kinds and constructors. The macro emits the `pub mod`
//! declarations, [`RULES`] (name, module, summary, constructor), and through it [`rule_by_name`],
//! [`spike_rule_by_name`], [`rule_names`] and [`spike_rule_names`]; the conformance tests iterate
//! [`RULES`], so a registered rule is checked without a test line of its own.
//!
//! To add a rule, see `docs/adding-a-rule.md` (compiled and run as a doctest of [`guide`]).

pub mod check;
pub mod guide;
pub mod harness;
pub mod objective;
pub mod rule;
pub mod spike_rule;
pub mod train;

pub use harness::{Relation, Report};
pub use objective::{Batch, Objective, Sense};
pub use rule::{Activity, LocalRule, Theory};
pub use spike_rule::{SpikeKernel, SpikeRule, SpikeTrains};

use crate::{PlasticityError, Result};

/// The constructor of a registered rule, by contract.
#[derive(Clone, Copy)]
pub enum RuleKind {
    /// A rate rule ([`LocalRule`]).
    Rate(fn() -> Box<dyn LocalRule>),
    /// A spike-timing rule ([`SpikeRule`]).
    Spike(fn() -> Box<dyn SpikeRule>),
}

impl std::fmt::Debug for RuleKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            RuleKind::Rate(_) => "Rate",
            RuleKind::Spike(_) => "Spike",
        })
    }
}

/// One registered rule: its name (for [`rule_by_name`] / [`spike_rule_by_name`] and the CLI), the
/// module that defines it, a one-line summary and its constructor with default settings.
#[derive(Debug, Clone, Copy)]
pub struct RuleInfo {
    /// The registered name.
    pub name: &'static str,
    /// The module (file) that defines the rule.
    pub module: &'static str,
    /// One line: what the rule is and its source.
    pub summary: &'static str,
    /// The constructor.
    pub kind: RuleKind,
}

/// Declares the rule modules and the registry from one list: per module, its registered rules as
/// `Kind "name" => constructor, "summary";` (`Kind` is `Rate` or `Spike`).
macro_rules! registry {
    ($( $module:ident { $( $kind:ident $name:literal => $build:expr, $summary:literal; )* } )*) => {
        $( pub mod $module; )*

        /// Every registered rule, in registry order (see the module docs).
        pub const RULES: &[RuleInfo] = &[
            $( $( RuleInfo {
                name: $name,
                module: stringify!($module),
                summary: $summary,
                kind: registry!(@kind $kind, $build),
            }, )* )*
        ];
    };
    (@kind Rate, $build:expr) => {
        RuleKind::Rate(|| -> Box<dyn LocalRule> { Box::new($build) })
    };
    (@kind Spike, $build:expr) => {
        RuleKind::Spike(|| -> Box<dyn SpikeRule> { Box::new($build) })
    };
}

registry! {
    hebb {
        Rate "hebb" => hebb::Hebb, "plain Hebb, ΔW = mean y xᵀ (Hebb 1949)";
    }
    covariance {
        Rate "covariance" => covariance::Covariance::new(covariance::Centering::Both),
            "covariance rule, both centred (Sejnowski 1977)";
    }
    oja {
        Rate "oja" => oja::Oja, "Oja's rule, ΔW = y (x − y w) (Oja 1982)";
    }
    sanger {
        Rate "sanger" => sanger::Sanger, "generalized Hebbian algorithm (Sanger 1989)";
    }
    oja_subspace {
        Rate "oja-subspace" => oja_subspace::OjaSubspace, "Oja's subspace rule (Oja 1989)";
    }
    bcm {
        Rate "bcm" => bcm::Bcm::new(bcm::Threshold::SecondMoment),
            "BCM with θ = E[c²] (Bienenstock, Cooper & Munro 1982; Intrator & Cooper 1992)";
        Rate "bcm-mean" => bcm::Bcm::new(bcm::Threshold::Mean),
            "BCM with θ = E[c] (not a gradient; negative control)";
    }
    foldiak {
        Rate "foldiak" => foldiak::Foldiak::default(),
            "anti-Hebbian decorrelation, p = 0 (Földiák 1989/1990)";
    }
    delta {
        Rate "delta" => delta::DeltaRule::default(), "delta rule, linear (Widrow & Hoff 1960)";
    }
    perceptron {
        Rate "perceptron" => perceptron::Perceptron, "perceptron rule (Rosenblatt 1958)";
    }
    hopfield {
        Rate "hopfield" => hopfield::HopfieldStorage, "Hopfield Hebbian storage (Hopfield 1982)";
    }
    three_factor {
        Rate "modulated-hebb" => three_factor::ModulatedHebb,
            "three-factor Hebb (Frémaux & Gerstner 2016)";
        Spike "reward-stdp" => three_factor::RewardModulatedStdp {
                stdp: stdp::PairStdp::song_2000(),
                tau_e: 200.0,
            },
            "reward-modulated pair STDP, τ_e = 200 ms (Izhikevich 2007)";
    }
    stdp {
        Spike "pair-stdp" => stdp::PairStdp::song_2000(),
            "pair STDP, all-to-all (Song, Miller & Abbott 2000)";
        Spike "pair-stdp-nearest" => stdp::PairStdp::song_2000().with_pairing(stdp::Pairing::Nearest),
            "pair STDP, nearest-spike (Morrison, Diesmann & Gerstner 2008)";
    }
    triplet {
        Spike "triplet-stdp" => triplet::TripletStdp::visual_cortex(),
            "triplet STDP, visual cortex (Pfister & Gerstner 2006)";
        Spike "triplet-stdp-hippocampal" => triplet::TripletStdp::hippocampal(),
            "triplet STDP, hippocampus (Pfister & Gerstner 2006)";
    }
}

fn unknown(kind: &'static str, name: &str, valid: Vec<&'static str>) -> PlasticityError {
    PlasticityError::UnknownName {
        kind,
        name: name.to_string(),
        valid: valid.join(", "),
    }
}

fn names_of(spike: bool) -> Vec<&'static str> {
    RULES
        .iter()
        .filter(|r| matches!(r.kind, RuleKind::Spike(_)) == spike)
        .map(|r| r.name)
        .collect()
}

fn find(name: &str) -> Option<RuleKind> {
    RULES.iter().find(|r| r.name == name).map(|r| r.kind)
}

/// Names of the registered rate rules ([`LocalRule`]), in registry order.
pub fn rule_names() -> Vec<&'static str> {
    names_of(false)
}

/// Names of the registered spike-timing rules ([`SpikeRule`]), in registry order.
pub fn spike_rule_names() -> Vec<&'static str> {
    names_of(true)
}

/// A registered rate rule by name, with its default settings (see [`RULES`] for the list).
/// Errors with [`PlasticityError::UnknownName`] listing the valid names.
pub fn rule_by_name(name: &str) -> Result<Box<dyn LocalRule>> {
    match find(name) {
        Some(RuleKind::Rate(build)) => Ok(build()),
        _ => Err(unknown("local rule", name, rule_names())),
    }
}

/// A registered spike-timing rule by name, with its default settings. Errors with
/// [`PlasticityError::UnknownName`] listing the valid names.
pub fn spike_rule_by_name(name: &str) -> Result<Box<dyn SpikeRule>> {
    match find(name) {
        Some(RuleKind::Spike(build)) => Ok(build()),
        _ => Err(unknown("spike rule", name, spike_rule_names())),
    }
}
