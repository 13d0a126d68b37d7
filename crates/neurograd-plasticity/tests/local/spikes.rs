//! Pair STDP, triplet STDP and reward-modulated STDP (theory.md §11), through the spike-rule
//! contract ([`SpikeRule`]) and its harness ([`harness::spikes`]). Times in ms, rates in Hz,
//! drifts in 1/s.

use super::common::rng;
use neurograd_plasticity::PlasticityError;
use neurograd_plasticity::local::harness::spikes::{
    DriftConfig, check_drift, check_trace, poisson_trains,
};
use neurograd_plasticity::local::harness::strategies;
use neurograd_plasticity::local::stdp::{PairStdp, Pairing, StdpPopulation, WeightDependence};
use neurograd_plasticity::local::three_factor::RewardModulatedStdp;
use neurograd_plasticity::local::triplet::TripletStdp;
use neurograd_plasticity::local::{SpikeKernel, SpikeRule, SpikeTrains};
use proptest::prelude::*;
use rand::RngExt;

/// A rule whose stated kernel is deliberately wrong (its trace implementation is the real rule's):
/// the harness must reject it.
pub struct WrongKernel<R> {
    pub rule: R,
    pub wrong: fn(SpikeKernel) -> SpikeKernel,
}

impl<R: SpikeRule> SpikeRule for WrongKernel<R> {
    fn weight_change(
        &self,
        trains: &SpikeTrains<'_>,
        weight: f64,
    ) -> neurograd_plasticity::Result<f64> {
        self.rule.weight_change(trains, weight)
    }
    fn kernel(&self) -> neurograd_plasticity::Result<SpikeKernel> {
        Ok((self.wrong)(self.rule.kernel()?))
    }
    fn name(&self) -> &'static str {
        "wrong kernel"
    }
}

/// Depression doubled (wrong by a factor).
pub fn double_depression(k: SpikeKernel) -> SpikeKernel {
    SpikeKernel {
        a2_minus: 2.0 * k.a2_minus,
        a3_minus: 2.0 * k.a3_minus,
        ..k
    }
}

/// Potentiation and depression amplitudes swapped (the window's sign flipped).
pub fn swapped_sign(k: SpikeKernel) -> SpikeKernel {
    SpikeKernel {
        a2_plus: k.a2_minus,
        a2_minus: k.a2_plus,
        a3_plus: k.a3_minus,
        a3_minus: k.a3_plus,
        ..k
    }
}

proptest! {
    /// Checklist 28 (stdp_trace_vs_bruteforce), Song, Miller & Abbott 2000; Morrison et al.
    /// 2008: trace-based pair STDP equals the explicit sum over spike pairs (all-to-all) and over
    /// nearest earlier partners (nearest-spike) to 1e-12, including coincident spikes (1 ms grid).
    #[test]
    fn pair_stdp_traces_equal_brute_force(pre in strategies::grid_train(120, 0.15), post in strategies::grid_train(120, 0.15)) {
        let trains = SpikeTrains::new(&pre, &post);
        for pairing in [Pairing::AllToAll, Pairing::Nearest] {
            let rule = PairStdp::song_2000().with_pairing(pairing);
            let r = check_trace(&rule, &trains, 1e-12).unwrap();
            prop_assert!(r.holds && r.error <= 1e-12, "{pairing:?}: {r}");
        }
    }

    /// Checklist 31 (triplet_trace_vs_bruteforce), Pfister & Gerstner 2006: the trace triplet rule
    /// (triplet traces read before their own increment) equals explicit pair + triplet sums to
    /// 1e-12, for both published all-to-all sets.
    #[test]
    fn triplet_traces_equal_brute_force(pre in strategies::grid_train(100, 0.15), post in strategies::grid_train(100, 0.15)) {
        let trains = SpikeTrains::new(&pre, &post);
        for rule in [TripletStdp::visual_cortex(), TripletStdp::hippocampal()] {
            let r = check_trace(&rule, &trains, 1e-12).unwrap();
            prop_assert!(r.holds && r.error <= 1e-12, "{r}");
        }
    }

    /// R-STDP (Izhikevich 2007): the event-driven eligibility trace times reward pulses equals the
    /// brute-force sum of pair windows discounted by exp(−(t_r − t_pair)/τ_e), to 1e-12.
    #[test]
    fn reward_modulated_stdp_equals_brute_force(pre in strategies::grid_train(100, 0.15), post in strategies::grid_train(100, 0.15), rewards in strategies::rewards(100, 5)) {
        let rule = RewardModulatedStdp::new(PairStdp::song_2000(), 200.0).unwrap();
        let r = check_trace(&rule, &SpikeTrains::new(&pre, &post).with_rewards(&rewards), 1e-12).unwrap();
        prop_assert!(r.holds && r.error <= 1e-12, "{r}");
    }
}

/// Negative control of the trace check: on the same trains, a kernel wrong by a factor (doubled
/// depression) or by a sign (potentiation and depression swapped) is rejected for all three
/// spiking rules (relative error far above 1e-12).
#[test]
fn trace_check_rejects_a_wrong_kernel() {
    let cfg = DriftConfig::default().rates(20.0, 20.0).runs(2, 2_000.0);
    let rstdp = RewardModulatedStdp::new(PairStdp::song_2000(), 200.0).unwrap();
    type Wrong = fn(SpikeKernel) -> SpikeKernel;
    let rules: [&dyn Fn(Wrong) -> Box<dyn SpikeRule>; 3] = [
        &|wrong| {
            Box::new(WrongKernel {
                rule: PairStdp::song_2000(),
                wrong,
            })
        },
        &|wrong| {
            Box::new(WrongKernel {
                rule: TripletStdp::visual_cortex(),
                wrong,
            })
        },
        &|wrong| Box::new(WrongKernel { rule: rstdp, wrong }),
    ];
    for (i, make) in rules.iter().enumerate() {
        let kernel = make(|k| k).kernel().unwrap();
        let trains = poisson_trains(
            &kernel,
            &cfg.with_rewards(20.0, 1.0),
            &mut rng(90 + i as u64),
        )
        .unwrap();
        let good = check_trace(make(|k| k).as_ref(), &trains.as_trains(), 1e-12).unwrap();
        assert!(good.holds, "{good}");
        for wrong in [
            double_depression as fn(SpikeKernel) -> SpikeKernel,
            swapped_sign,
        ] {
            let bad = check_trace(make(wrong).as_ref(), &trains.as_trains(), 1e-12).unwrap();
            assert!(!bad.holds && bad.error > 1e-6 * bad.magnitude, "{bad}");
        }
    }
}

/// Theory.md §11b 4(c), Pfister & Gerstner 2006: with A₃± = 0 the triplet rule is the all-to-all
/// pair rule exactly (A₊ = A₂⁺, A₋ = A₂⁻, τ± shared), on Poisson trains of 20 and 15 Hz for 5 s.
#[test]
fn triplet_pair_only_limit_is_pair_stdp() {
    let t = TripletStdp {
        a3_plus: 0.0,
        a3_minus: 0.0,
        ..TripletStdp::hippocampal()
    };
    let p = PairStdp::new(t.a2_plus, t.a2_minus, t.tau_plus, t.tau_minus).unwrap();
    let trains = poisson_trains(
        &p.kernel().unwrap(),
        &DriftConfig::default().rates(20.0, 15.0).runs(2, 5_000.0),
        &mut rng(30),
    )
    .unwrap();
    let (pre, post) = (&trains.pre, &trains.post);
    assert!(pre.len() > 50 && post.len() > 40);
    let (a, b) = (
        t.run(pre, post, 0.0).unwrap(),
        p.run(pre, post, 0.0).unwrap(),
    );
    assert!((a - b).abs() <= 1e-12, "{a} vs {b}");
}

/// Checklists 29-30 (stdp_poisson_drift, stdp_nearest_drift), Kempter, Gerstner & van Hemmen 1999:
/// for independent Poisson trains the mean drift matches ν_pre ν_post (A₊τ₊ − A₋τ₋) (all-to-all)
/// and the nearest-spike formula within 4 standard errors (20 repeats of T = 200 s; Song et al.
/// 2000 parameters). Negative control: the all-to-all drift at (20, 5) Hz is more than 4 SE away
/// from the nearest-spike formula (−2.40e-3 vs −5.0e-4).
#[test]
fn pair_stdp_drift_matches_rate_formula() {
    for (k, pairing) in [Pairing::AllToAll, Pairing::Nearest]
        .into_iter()
        .enumerate()
    {
        let rule = PairStdp::song_2000().with_pairing(pairing);
        for (j, (a, b)) in [(10.0, 10.0), (20.0, 5.0)].into_iter().enumerate() {
            let seed = 40 + 10 * k as u64 + j as u64;
            let cfg = DriftConfig::default().rates(a, b).runs(20, 200_000.0);
            let r = check_drift(&rule, &cfg, &mut rng(seed)).unwrap();
            assert!(r.holds, "{pairing:?} ({a},{b}): {r}");
            assert_eq!(r.formula, rule.rate_drift(a, b));
            if pairing == Pairing::AllToAll && a == 20.0 {
                let wrong = PairStdp::song_2000()
                    .with_pairing(Pairing::Nearest)
                    .rate_drift(a, b);
                assert!((wrong + 2.40e-3).abs() < 5e-6, "{wrong}");
                assert!(!r.within(wrong), "negative control: {r} vs {wrong}");
            }
        }
    }
}

/// Checklist 32 (triplet_bcm_threshold), Pfister & Gerstner 2006 (minimal visual-cortex set,
/// A₃⁻ = 0): θ = 18.12 Hz; at ν_pre = 10 Hz the mean drift is negative at ν_post = 5 Hz and
/// positive at 40 Hz, each within 4 SE of the triplet rate formula (10 repeats of T = 200 s).
/// Negative control: the pair-only formula (A₃⁺ dropped) is more than 4 SE off at 40 Hz.
#[test]
fn triplet_drift_changes_sign_at_bcm_threshold() {
    let rule = TripletStdp::visual_cortex_minimal();
    let theta = rule.bcm_threshold().unwrap();
    assert!((theta - 18.12).abs() < 0.01, "θ = {theta}");
    assert!(matches!(
        TripletStdp::visual_cortex().bcm_threshold(),
        Err(PlasticityError::InvalidParameter {
            name: "a3_minus",
            ..
        })
    ));
    let lo = check_drift(
        &rule,
        &DriftConfig::default().rates(10.0, 5.0).runs(10, 200_000.0),
        &mut rng(50),
    )
    .unwrap();
    let hi = check_drift(
        &rule,
        &DriftConfig::default().rates(10.0, 40.0).runs(10, 200_000.0),
        &mut rng(51),
    )
    .unwrap();
    assert!(lo.mean < 0.0 && hi.mean > 0.0, "{lo} {hi}");
    assert!(lo.holds, "{lo}");
    assert!(hi.holds, "{hi}");
    assert_eq!(lo.formula, rule.rate_drift(10.0, 5.0));
    assert!(rule.rate_drift(10.0, theta).abs() < 1e-12);
    let pair_only = TripletStdp {
        a3_plus: 0.0,
        ..rule
    }
    .rate_drift(10.0, 40.0);
    assert!(!hi.within(pair_only), "{hi} vs pair-only {pair_only}");
}

/// R-STDP (Izhikevich 2007): with independent Poisson spikes (20, 20) Hz and Poisson rewards
/// (10 Hz, amount 1; A₊ = 0.005, A₋ = 0.0075, τ± = 20 ms, τ_e = 200 ms), the mean drift is ρ_r a τ_e ρ_pre ρ_post (A₊τ₊ − A₋τ₋) within 4 SE
/// (20 repeats of 200 s; the start-up transient biases it by τ_e/T = 1e-3 relative). Negative
/// controls: the kernel with its sign flipped (A₊, A₋ swapped) and the kernel without the
/// eligibility discount (drift of plain pair STDP) are both rejected.
#[test]
fn reward_modulated_stdp_drift_matches_rate_formula() {
    let rule =
        RewardModulatedStdp::new(PairStdp::new(0.005, 0.0075, 20.0, 20.0).unwrap(), 200.0).unwrap();
    let cfg = DriftConfig::default()
        .rates(20.0, 20.0)
        .runs(20, 200_000.0)
        .with_rewards(10.0, 1.0);
    let r = check_drift(&rule, &cfg, &mut rng(55)).unwrap();
    assert!((r.formula + 0.04).abs() < 1e-12, "{r}");
    assert!(r.holds, "{r}");
    let k = rule.kernel().unwrap();
    let flipped = swapped_sign(k).drift(20.0, 20.0, 10.0, 1.0).unwrap();
    assert!(!r.within(flipped), "{r} vs sign-flipped {flipped}");
    let undiscounted = rule.stdp.rate_drift(20.0, 20.0);
    assert!(
        !r.within(undiscounted),
        "{r} vs plain pair drift {undiscounted}"
    );
}

/// The harness's drift check, run on every spike rule in the registry at (20, 10) Hz
/// (20 repeats of 100 s): the measured drift is within 4 SE of the kernel formula; a kernel wrong
/// by a sign (A₊ and A₋ swapped) is rejected by the same check on the same runs.
#[test]
fn registered_spike_rules_pass_the_drift_check() {
    use neurograd_plasticity::local::{RULES, RuleKind};
    let mut n = 0;
    for (i, info) in RULES.iter().enumerate() {
        let RuleKind::Spike(build) = info.kind else {
            continue;
        };
        n += 1;
        let cfg = DriftConfig::default()
            .rates(20.0, 10.0)
            .runs(20, 100_000.0)
            .with_rewards(5.0, 1.0);
        let seed = 200 + i as u64;
        let good = check_drift(build().as_ref(), &cfg, &mut rng(seed)).unwrap();
        assert!(good.holds, "{}: {good}", info.name);
        let wrong = WrongKernel {
            rule: BoxedSpike(build()),
            wrong: swapped_sign,
        };
        let bad = check_drift(&wrong, &cfg, &mut rng(seed)).unwrap();
        assert!(!bad.holds, "{}: {bad}", info.name);
    }
    assert_eq!(n, neurograd_plasticity::local::spike_rule_names().len());
    assert!(n >= 3);
}

/// The trace check, run on every spike rule in the registry on Poisson trains (2 s at 20 Hz,
/// rewards at 20 Hz), 5 seeds each, tolerance 1e-12.
#[test]
fn registered_spike_rules_pass_the_trace_check() {
    use neurograd_plasticity::local::{RULES, RuleKind};
    for (i, info) in RULES.iter().enumerate() {
        let RuleKind::Spike(build) = info.kind else {
            continue;
        };
        let rule = build();
        let cfg = DriftConfig::default()
            .rates(20.0, 20.0)
            .runs(2, 2_000.0)
            .with_rewards(20.0, -0.5);
        for s in 0..5 {
            let trains = poisson_trains(
                &rule.kernel().unwrap(),
                &cfg,
                &mut rng(300 + 10 * i as u64 + s),
            )
            .unwrap();
            let r = check_trace(rule.as_ref(), &trains.as_trains(), 1e-12).unwrap();
            assert!(r.holds, "{}: {r}", info.name);
        }
    }
}

/// `Box<dyn SpikeRule>` as a `SpikeRule` (for wrapping registry entries).
pub struct BoxedSpike(pub Box<dyn SpikeRule>);

impl SpikeRule for BoxedSpike {
    fn weight_change(
        &self,
        trains: &SpikeTrains<'_>,
        weight: f64,
    ) -> neurograd_plasticity::Result<f64> {
        self.0.weight_change(trains, weight)
    }
    fn kernel(&self) -> neurograd_plasticity::Result<SpikeKernel> {
        self.0.kernel()
    }
    fn name(&self) -> &'static str {
        self.0.name()
    }
}

/// Weight dependence (van Rossum, Bi & Turrigiano 2000; Song et al. 2000): multiplicative STDP
/// stays strictly inside (0, w_max) under sustained potentiation or depression, clipped additive
/// STDP saturates at w_max, unbounded additive leaves [0, w_max] (control). Weight-dependent
/// rules state no additive kernel.
#[test]
fn weight_dependence_bounds() {
    let pre: Vec<f64> = (0..2000).map(|i| i as f64 * 50.0).collect();
    let post: Vec<f64> = pre.iter().map(|t| t + 5.0).collect();
    let base = PairStdp::new(0.05, 0.05, 20.0, 20.0).unwrap();
    let mult = base
        .with_dependence(WeightDependence::Multiplicative { w_max: 1.0 })
        .unwrap();
    let clip = base
        .with_dependence(WeightDependence::AdditiveClipped { w_max: 1.0 })
        .unwrap();
    let wm = mult.run(&pre, &post, 0.5).unwrap();
    assert!(wm > 0.5 && wm < 1.0, "{wm}");
    assert_eq!(clip.run(&pre, &post, 0.5).unwrap(), 1.0);
    assert!(base.run(&pre, &post, 0.5).unwrap() > 1.0);
    let wm_dep = mult.run(&post, &pre, 0.5).unwrap();
    assert!(wm_dep > 0.0 && wm_dep < 0.5, "{wm_dep}");
    assert!(matches!(
        mult.kernel(),
        Err(PlasticityError::InvalidParameter {
            name: "dependence",
            ..
        })
    ));
    let trains = SpikeTrains::new(&pre, &post);
    assert_eq!(
        mult.weight_change(&trains, 0.5).unwrap(),
        mult.run(&pre, &post, 0.5).unwrap() - 0.5
    );
}

/// The clock-driven population equals the event-driven rule synapse by synapse when spikes fall
/// on the step grid (additive all-to-all, 1e-12; dt = 1 ms).
#[test]
fn population_matches_event_driven() {
    let rule = PairStdp::song_2000();
    let dt = 1.0;
    let mut pop = StdpPopulation::new(rule, 3, 2, 0.0, dt).unwrap();
    let mut r = rng(60);
    let spikes: Vec<(Vec<usize>, Vec<usize>)> = (0..400)
        .map(|_| {
            (
                (0..3).filter(|_| r.random::<f64>() < 0.05).collect(),
                (0..2).filter(|_| r.random::<f64>() < 0.05).collect(),
            )
        })
        .collect();
    for (p, q) in &spikes {
        pop.step(p, q).unwrap();
    }
    type Step = (Vec<usize>, Vec<usize>);
    let times = |f: &dyn Fn(&Step) -> bool| -> Vec<f64> {
        spikes
            .iter()
            .enumerate()
            .filter(|(_, s)| f(s))
            .map(|(k, _)| k as f64 * dt)
            .collect()
    };
    for i in 0..3 {
        for j in 0..2 {
            let pre = times(&|s| s.0.contains(&i));
            let post = times(&|s| s.1.contains(&j));
            let w = rule.run(&pre, &post, 0.0).unwrap();
            assert!((pop.weight(j, i).unwrap() - w).abs() < 1e-12);
        }
    }
}

/// Typed errors of the spike contract: rewards given to an unmodulated rule, unsorted trains,
/// a nearest-spike triplet kernel, fewer than 2 drift runs.
#[test]
fn spike_contract_errors_are_typed() {
    let pre = [1.0, 2.0];
    let post = [1.5];
    let rewards = [(3.0, 1.0)];
    let trains = SpikeTrains::new(&pre, &post).with_rewards(&rewards);
    assert!(matches!(
        PairStdp::song_2000().weight_change(&trains, 0.0),
        Err(PlasticityError::InvalidParameter {
            name: "rewards",
            ..
        })
    ));
    let unsorted = [2.0, 1.0];
    assert!(matches!(
        TripletStdp::hippocampal().weight_change(&SpikeTrains::new(&unsorted, &post), 0.0),
        Err(PlasticityError::InvalidParameter {
            name: "pre spike times",
            ..
        })
    ));
    let k = SpikeKernel {
        pairing: Pairing::Nearest,
        ..TripletStdp::hippocampal().kernel().unwrap()
    };
    assert!(matches!(
        k.brute_force(&SpikeTrains::new(&pre, &post)),
        Err(PlasticityError::InvalidParameter {
            name: "pairing",
            ..
        })
    ));
    assert!(matches!(
        check_drift(
            &PairStdp::song_2000(),
            &DriftConfig::default().rates(10.0, 10.0).runs(1, 1000.0),
            &mut rng(1)
        ),
        Err(PlasticityError::InvalidParameter {
            name: "repeats",
            ..
        })
    ));
}
