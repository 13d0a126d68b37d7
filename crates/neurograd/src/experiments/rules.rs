//! `rules`: the registered plasticity rules (rate and spike-timing), and the conformance suite
//! run on any of them (`rules check <name>`), the same checks the registry's tests run
//! (`neurograd_plasticity::local::harness::conformance`).

use serde::{Deserialize, Serialize};

use crate::plasticity::local::harness::conformance::{self, Conformance};
use crate::plasticity::local::{RULES, RuleKind};
use crate::{Result, VERSION};

/// One registered rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleEntry {
    /// The registered name.
    pub name: String,
    /// `rate` ([`LocalRule`](crate::plasticity::local::LocalRule)) or `spike`
    /// ([`SpikeRule`](crate::plasticity::local::SpikeRule)).
    pub kind: String,
    /// The module (file) that defines it.
    pub module: String,
    /// One line: what the rule is and its source.
    pub summary: String,
}

/// The result of `rules` (the list).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleList {
    /// neurograd version.
    pub version: String,
    /// Every registered rule, in registry order.
    pub rules: Vec<RuleEntry>,
}

/// Every registered rule.
pub fn list() -> RuleList {
    RuleList {
        version: VERSION.to_string(),
        rules: RULES
            .iter()
            .map(|r| RuleEntry {
                name: r.name.to_string(),
                kind: match r.kind {
                    RuleKind::Rate(_) => "rate",
                    RuleKind::Spike(_) => "spike",
                }
                .to_string(),
                module: r.module.to_string(),
                summary: r.summary.to_string(),
            })
            .collect(),
    }
}

/// The result of `rules check <name>`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleCheck {
    /// neurograd version.
    pub version: String,
    /// The seed of the random inputs and spike trains.
    pub seed: u64,
    /// The report.
    pub report: Conformance,
    /// Every check holds and every control is rejected; `None` for a rule that states no theory.
    pub passes: Option<bool>,
}

/// Runs the conformance suite on the registered rule `name`.
///
/// # Errors
/// An unknown name (the error lists the valid ones); errors of the rule on the conformance inputs.
pub fn check(name: &str, seed: u64) -> Result<RuleCheck> {
    let report = conformance::check_registered(name, seed)?;
    Ok(RuleCheck {
        version: VERSION.to_string(),
        seed,
        passes: report.passes(),
        report,
    })
}

/// [`check`], polling `stop` between the harness's draws and checks
/// ([`conformance::check_registered_until`]): `None` once it returns `true` (for callers that
/// stop on a signal, e.g. the Python bindings).
///
/// # Errors
/// As [`check`].
pub fn check_until(name: &str, seed: u64, stop: &dyn Fn() -> bool) -> Result<Option<RuleCheck>> {
    Ok(
        conformance::check_registered_until(name, seed, stop)?.map(|report| RuleCheck {
            version: VERSION.to_string(),
            seed,
            passes: report.passes(),
            report,
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_has_rate_and_spike_rules_and_check_runs() {
        let l = list();
        assert!(l.rules.iter().any(|r| r.kind == "rate" && r.name == "oja"));
        assert!(
            l.rules
                .iter()
                .any(|r| r.kind == "spike" && r.name == "pair-stdp")
        );
        let c = check("oja", 1).unwrap();
        assert_eq!(c.passes, Some(true), "{c:?}");
        assert_eq!(check_until("oja", 1, &|| false).unwrap(), Some(c));
        assert_eq!(check_until("pair-stdp", 1, &|| true).unwrap(), None);
        let e = check("nope", 1);
        assert!(
            matches!(
                e,
                Err(crate::Error::Plasticity(
                    crate::plasticity::PlasticityError::UnknownName { .. }
                ))
            ),
            "{e:?}"
        );
    }
}
