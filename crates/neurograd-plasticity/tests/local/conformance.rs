//! The conformance suite, run on every rule in the registry ([`RULES`]): a registered rule is
//! checked here without a test line of its own. Rate rules that state a theory are checked by the
//! harness against finite differences of their objective; spike rules by the spike harness (see
//! `spikes::registered_spike_rules_pass_the_*`).

use super::common::{M, gaussian, rng};
use nalgebra::DVector;
use neurograd_plasticity::local::harness::{Harness, Relation};
use neurograd_plasticity::local::{Activity, Batch, LocalRule, RULES, RuleKind, Theory};

/// `factor × rule` (same response and theory): a rule that is wrong by a factor or a sign.
struct Scaled {
    rule: Box<dyn LocalRule>,
    factor: f64,
}

impl LocalRule for Scaled {
    fn delta(&self, activity: &Activity<'_>, weights: &M) -> neurograd_plasticity::Result<M> {
        Ok(self.rule.delta(activity, weights)? * self.factor)
    }
    fn response(&self, weights: &M, pre: &M) -> neurograd_plasticity::Result<M> {
        self.rule.response(weights, pre)
    }
    fn theory(&self) -> Option<Theory> {
        self.rule.theory()
    }
}

/// `n_out x n_in` weights with orthonormal rows (on every constraint of the harness: unit rows,
/// Stiefel) and a batch with ±1 targets and a modulator, so that every registered rate rule can
/// run on it.
fn inputs(n_out: usize, n_in: usize, b: usize, seed: u64) -> (M, Batch) {
    let mut r = rng(seed);
    let w = gaussian(n_in, n_out, &mut r).qr().q().transpose();
    let x = gaussian(b, n_in, &mut r).map(|v| v + 0.3);
    let t = gaussian(b, n_out, &mut r).map(|v| if v >= 0.0 { 1.0 } else { -1.0 });
    let m = DVector::from_fn(b, |i, _| 1.0 + 0.1 * i as f64);
    let batch = Batch::new(x)
        .unwrap()
        .with_target(t)
        .unwrap()
        .with_modulator(m)
        .unwrap();
    (w, batch)
}

/// Every registered rate rule that states a theory satisfies it against central finite
/// differences of its objective (tolerance 1e-7, `Harness::fd_tolerance`), on 5 random inputs
/// (weights 3 x 5; 5 x 5 for rules whose response needs square weights, i.e. recurrent ones).
/// Negative controls on the same inputs: the rule scaled by 2 (for exact relations) and by −1
/// (for every relation) is rejected. Rules without a theory are listed, and at least 8 rules
/// state one.
#[test]
fn registered_rate_rules_satisfy_their_theory() {
    let h = Harness {
        force_finite_differences: true,
        ..Harness::default()
    };
    let mut with_theory = Vec::new();
    let mut without = Vec::new();
    for (i, info) in RULES.iter().enumerate() {
        let RuleKind::Rate(build) = info.kind else {
            continue;
        };
        let Some(theory) = build().theory() else {
            without.push(info.name);
            continue;
        };
        with_theory.push(info.name);
        let (w0, b0) = inputs(3, 5, 12, 0);
        let n_out = if build().response(&w0, &b0.pre).is_ok() {
            3
        } else {
            5
        };
        for s in 0..5 {
            let (w, batch) = inputs(n_out, 5, 12, 500 + 10 * i as u64 + s);
            let report = h.check(build().as_ref(), &w, &batch).unwrap();
            assert!(
                report.holds && !report.analytic_gradient,
                "{}: {report}",
                info.name
            );
            let mut factors = vec![-1.0];
            if !matches!(theory.relation, Relation::Aligned { .. }) {
                factors.push(2.0);
            }
            for factor in factors {
                let wrong = Scaled {
                    rule: build(),
                    factor,
                };
                let bad = h.check(&wrong, &w, &batch).unwrap();
                assert!(!bad.holds, "{} × {factor}: {bad}", info.name);
            }
        }
    }
    assert!(with_theory.len() >= 8, "{with_theory:?}");
    assert_eq!(
        without,
        ["sanger", "bcm-mean", "foldiak", "modulated-hebb"],
        "rules without a stated theory changed"
    );
}

/// The registry has unique names, each registered name builds, and its module is named.
#[test]
fn registry_names_are_unique() {
    let mut names: Vec<&str> = RULES.iter().map(|r| r.name).collect();
    let n = names.len();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), n);
    for r in RULES {
        assert!(!r.module.is_empty() && !r.summary.is_empty(), "{r:?}");
    }
}

/// The library's conformance call (`harness::conformance`, what `neurograd rules check` runs)
/// passes every registered rate rule that states a theory, and one spike rule (the drift check of
/// every spike rule is `spikes::registered_spike_rules_pass_the_drift_check`); it reports the
/// four rules without a theory as having nothing to check; its controls are rejected.
#[test]
fn conformance_call_passes_registered_rules() {
    use neurograd_plasticity::local::harness::conformance::check_registered;
    for info in RULES {
        if matches!(info.kind, RuleKind::Spike(_)) && info.name != "pair-stdp" {
            continue;
        }
        let c = check_registered(info.name, 11).unwrap();
        match c.passes() {
            Some(p) => {
                assert!(p, "{}: {c:?}", info.name);
                assert!(
                    c.rows.iter().any(|r| r.control),
                    "{}: no control",
                    info.name
                );
            }
            None => assert!(
                ["sanger", "bcm-mean", "foldiak", "modulated-hebb"].contains(&info.name),
                "{} states no theory",
                info.name
            ),
        }
    }
    let r = check_registered("no-such-rule", 0);
    assert!(
        matches!(
            r,
            Err(neurograd_plasticity::PlasticityError::UnknownName { .. })
        ),
        "{r:?}"
    );
}

/// The conformance call can fail: a rate rule wrong by a factor 2 or a sign, and a spike rule
/// whose stated kernel has its amplitudes swapped, do not pass.
#[test]
fn conformance_call_rejects_wrong_rules() {
    use super::spikes::{WrongKernel, swapped_sign};
    use neurograd_plasticity::local::harness::conformance::{check_rate_rule, check_spike_rule};
    use neurograd_plasticity::local::oja::Oja;
    use neurograd_plasticity::local::stdp::PairStdp;
    for factor in [2.0, -1.0] {
        let wrong = Scaled {
            rule: Box::new(Oja),
            factor,
        };
        let c = check_rate_rule(&wrong, 3).unwrap();
        assert_eq!(c.passes(), Some(false), "x{factor}: {c:?}");
        assert!(c.rows.iter().any(|r| !r.control && !r.holds));
    }
    let wrong = WrongKernel {
        rule: PairStdp::song_2000(),
        wrong: swapped_sign,
    };
    let c = check_spike_rule(&wrong, 3).unwrap();
    assert_eq!(c.passes(), Some(false), "{c:?}");
    // the brute-force sum and the rate formula of the stated (wrong) kernel both disagree with
    // what the rule computes
    assert!(
        c.rows
            .iter()
            .filter(|r| r.check.starts_with("trace"))
            .all(|r| !r.holds)
    );
    assert!(
        c.rows
            .iter()
            .any(|r| r.check.starts_with("drift") && !r.holds)
    );
}
