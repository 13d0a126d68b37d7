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
//! Spike-timing rules ([`stdp`], [`triplet`], [`three_factor`]) act on spike trains rather than on
//! rate batches and have event-driven APIs with brute-force references.
//! [`hopfield`] stores and recalls patterns. [`train`] runs a rule over data with a learning-rate
//! schedule and reports divergence as [`PlasticityError::Diverged`].
//!
//! To add a rule, see `docs/adding-a-rule.md` (compiled and run as a doctest of [`guide`]).

pub mod check;
pub mod harness;
pub mod objective;
pub mod rule;
pub mod train;

pub mod bcm;
pub mod covariance;
pub mod delta;
pub mod foldiak;
pub mod guide;
pub mod hebb;
pub mod hopfield;
pub mod oja;
pub mod oja_subspace;
pub mod perceptron;
pub mod sanger;
pub mod stdp;
pub mod three_factor;
pub mod triplet;

pub use harness::{Relation, Report};
pub use objective::{Batch, Objective, Sense};
pub use rule::{Activity, LocalRule, Theory};

use crate::{PlasticityError, Result};

/// Names accepted by [`rule_by_name`].
pub const RULE_NAMES: &[&str] = &[
    "hebb",
    "covariance",
    "oja",
    "sanger",
    "oja-subspace",
    "bcm",
    "bcm-mean",
    "foldiak",
    "delta",
    "perceptron",
    "modulated-hebb",
];

/// The dense (rate) rules by name, with their default settings (covariance: both centred;
/// bcm: `θ = E[c²]`; bcm-mean: `θ = E[c]`; foldiak: `p = 0`; delta: linear). Errors with
/// [`PlasticityError::UnknownName`] listing the valid names.
pub fn rule_by_name(name: &str) -> Result<Box<dyn LocalRule>> {
    Ok(match name {
        "hebb" => Box::new(hebb::Hebb),
        "covariance" => Box::new(covariance::Covariance::new(covariance::Centering::Both)),
        "oja" => Box::new(oja::Oja),
        "sanger" => Box::new(sanger::Sanger),
        "oja-subspace" => Box::new(oja_subspace::OjaSubspace),
        "bcm" => Box::new(bcm::Bcm::new(bcm::Threshold::SecondMoment)),
        "bcm-mean" => Box::new(bcm::Bcm::new(bcm::Threshold::Mean)),
        "foldiak" => Box::new(foldiak::Foldiak::default()),
        "delta" => Box::new(delta::DeltaRule::default()),
        "perceptron" => Box::new(perceptron::Perceptron),
        "modulated-hebb" => Box::new(three_factor::ModulatedHebb),
        _ => {
            return Err(PlasticityError::UnknownName {
                kind: "local rule",
                name: name.to_string(),
                valid: RULE_NAMES.join(", "),
            });
        }
    })
}
