//! Typed errors: shapes, non-finite activity, divergence, unknown names.

use super::common::{M, gaussian, rng};
use neurograd_plasticity::PlasticityError;
use neurograd_plasticity::local::delta::DeltaRule;
use neurograd_plasticity::local::hebb::Hebb;
use neurograd_plasticity::local::oja::Oja;
use neurograd_plasticity::local::stdp::PairStdp;
use neurograd_plasticity::local::train::{RateSchedule, RuleTrainConfig, train_rule};
use neurograd_plasticity::local::{
    Activity, Batch, LocalRule, rule_by_name, rule_names, spike_rule_by_name, spike_rule_names,
};

#[test]
fn shape_mismatch_is_typed() {
    let w = M::zeros(2, 3);
    let x = M::zeros(4, 5);
    let y = M::zeros(4, 2);
    let e = Hebb.delta(&Activity::new(&x, &y), &w).unwrap_err();
    assert!(
        matches!(
            e,
            PlasticityError::ShapeMismatch {
                expected: (4, 3),
                got: (4, 5),
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn non_finite_activity_is_typed() {
    let w = M::zeros(2, 3);
    let mut x = M::zeros(4, 3);
    x[(1, 2)] = f64::NAN;
    let y = M::zeros(4, 2);
    let e = Oja.delta(&Activity::new(&x, &y), &w).unwrap_err();
    assert_eq!(
        e,
        PlasticityError::NonFinite {
            what: "pre activity".into(),
            index: 9
        }
    );
    assert_eq!(
        Batch::new(x).unwrap_err(),
        PlasticityError::NonFinite {
            what: "pre activity".into(),
            index: 9
        }
    );
}

/// A learning rate that makes plain Hebb diverge is reported with its step and norm, and the
/// weights keep their last finite value (no NaN written back). Control: Oja at η = 1e-3 does not
/// diverge on the same data.
#[test]
fn divergence_is_reported() {
    let x = gaussian(50, 4, &mut rng(80)) * 3.0;
    let batch = Batch::new(x).unwrap();
    let mut w = gaussian(1, 4, &mut rng(81));
    let cfg = RuleTrainConfig::new(RateSchedule::Constant(5.0), 10_000, 1);
    match train_rule(&Hebb, &mut w, &batch, &cfg) {
        Err(PlasticityError::Diverged { step, norm, .. }) => {
            assert!((1..10_000).contains(&step));
            assert!(!norm.is_finite() || norm > 1e6);
            assert!(w.iter().all(|v| v.is_finite()) && w.norm() <= 1e6);
        }
        other => panic!("expected Diverged, got {other:?}"),
    }
    let mut w = gaussian(1, 4, &mut rng(81));
    let cfg = RuleTrainConfig::new(RateSchedule::Constant(1e-3), 1000, 1);
    let report = train_rule(&Oja, &mut w, &batch, &cfg).unwrap();
    assert_eq!(report.steps, 1000);
    assert!(report.max_norm_seen <= 1e6 && report.final_norm.is_finite());
}

#[test]
fn invalid_parameters_are_typed() {
    assert!(matches!(
        PairStdp::new(-1.0, 0.1, 0.02, 0.02),
        Err(PlasticityError::InvalidParameter { name: "a_plus", .. })
    ));
    assert!(matches!(
        PairStdp::song_2000().run(&[200.0, 100.0], &[], 0.0),
        Err(PlasticityError::InvalidParameter {
            name: "pre spike times",
            ..
        })
    ));
    assert!(matches!(
        RateSchedule::Constant(f64::NAN).check(),
        Err(PlasticityError::InvalidParameter {
            name: "learning_rate",
            ..
        })
    ));
    assert!(matches!(
        rule_by_name("hebbb"),
        Err(PlasticityError::UnknownName { .. })
    ));
    assert!(matches!(
        spike_rule_by_name("hebb"),
        Err(PlasticityError::UnknownName {
            kind: "spike rule",
            ..
        })
    ));
    for name in rule_names() {
        assert!(!rule_by_name(name).unwrap().name().is_empty());
    }
    for name in spike_rule_names() {
        assert!(!spike_rule_by_name(name).unwrap().name().is_empty());
    }
    let w = M::zeros(1, 3);
    let x = M::zeros(2, 3);
    let y = M::zeros(2, 1);
    let e = DeltaRule::default()
        .delta(&Activity::new(&x, &y), &w)
        .unwrap_err();
    assert!(matches!(
        e,
        PlasticityError::InvalidParameter { name: "target", .. }
    ));
}
