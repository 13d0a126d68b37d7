//! Pair STDP, triplet STDP and reward-modulated STDP (theory.md §11).

use super::common::rng;
use neurograd_plasticity::local::stdp::{
    PairStdp, Pairing, StdpPopulation, WeightDependence, poisson_train,
};
use neurograd_plasticity::local::three_factor::RewardModulatedStdp;
use neurograd_plasticity::local::triplet::TripletStdp;
use proptest::prelude::*;
use rand::RngExt;

/// Spike trains on a 1 ms grid (so coincident pre/post spikes occur).
fn grid_train(bits: &[bool]) -> Vec<f64> {
    bits.iter()
        .enumerate()
        .filter(|(_, b)| **b)
        .map(|(i, _)| i as f64 * 1e-3)
        .collect()
}

proptest! {
    /// Checklist 28 (stdp_trace_vs_bruteforce), Song, Miller & Abbott 2000; Morrison et al.
    /// 2008: trace-based pair STDP equals the explicit sum over spike pairs (all-to-all) and over
    /// nearest earlier partners (nearest-spike) to 1e-12, including coincident spikes.
    #[test]
    fn pair_stdp_traces_equal_brute_force(pre in proptest::collection::vec(proptest::bool::weighted(0.15), 120), post in proptest::collection::vec(proptest::bool::weighted(0.15), 120)) {
        let (pre, post) = (grid_train(&pre), grid_train(&post));
        for pairing in [Pairing::AllToAll, Pairing::Nearest] {
            let rule = PairStdp::song_2000().with_pairing(pairing);
            let traced = rule.run(&pre, &post, 0.0).unwrap();
            let brute = rule.brute_force(&pre, &post).unwrap();
            prop_assert!((traced - brute).abs() <= 1e-12, "{pairing:?}: {traced} vs {brute}");
        }
    }

    /// Checklist 31 (triplet_trace_vs_bruteforce), Pfister & Gerstner 2006: the trace triplet rule
    /// (triplet traces read before their own increment) equals explicit pair + triplet sums to
    /// 1e-12, for both published all-to-all sets.
    #[test]
    fn triplet_traces_equal_brute_force(pre in proptest::collection::vec(proptest::bool::weighted(0.15), 100), post in proptest::collection::vec(proptest::bool::weighted(0.15), 100)) {
        let (pre, post) = (grid_train(&pre), grid_train(&post));
        for rule in [TripletStdp::visual_cortex(), TripletStdp::hippocampal()] {
            let traced = rule.run(&pre, &post, 0.0).unwrap();
            let brute = rule.brute_force(&pre, &post).unwrap();
            prop_assert!((traced - brute).abs() <= 1e-12, "{traced} vs {brute}");
        }
    }

    /// R-STDP (Izhikevich 2007): the event-driven eligibility trace times reward pulses equals the
    /// brute-force sum of pair windows discounted by exp(−(t_r − t_pair)/τ_e), to 1e-12.
    #[test]
    fn reward_modulated_stdp_equals_brute_force(pre in proptest::collection::vec(proptest::bool::weighted(0.15), 100), post in proptest::collection::vec(proptest::bool::weighted(0.15), 100), r in proptest::collection::vec((0usize..100, -1.0f64..1.0), 0..5)) {
        let (pre, post) = (grid_train(&pre), grid_train(&post));
        let mut rewards: Vec<(f64, f64)> = r.into_iter().map(|(i, a)| (i as f64 * 1e-3, a)).collect();
        rewards.sort_by(|a, b| a.0.total_cmp(&b.0));
        let rule = RewardModulatedStdp::new(PairStdp::song_2000(), 0.2).unwrap();
        let (w, _) = rule.run(&pre, &post, &rewards, 0.0).unwrap();
        let brute = rule.brute_force(&pre, &post, &rewards).unwrap();
        prop_assert!((w - brute).abs() <= 1e-12, "{w} vs {brute}");
    }
}

/// Theory.md §11b 4(c), Pfister & Gerstner 2006: with A₃± = 0 the triplet rule is the all-to-all
/// pair rule exactly (A₊ = A₂⁺, A₋ = A₂⁻, τ± shared).
#[test]
fn triplet_pair_only_limit_is_pair_stdp() {
    let mut r = rng(30);
    let pre = poisson_train(20.0, 5.0, &mut r).unwrap();
    let post = poisson_train(15.0, 5.0, &mut r).unwrap();
    let t = TripletStdp {
        a3_plus: 0.0,
        a3_minus: 0.0,
        ..TripletStdp::hippocampal()
    };
    let p = PairStdp::new(t.a2_plus, t.a2_minus, t.tau_plus, t.tau_minus).unwrap();
    let (a, b) = (
        t.run(&pre, &post, 0.0).unwrap(),
        p.run(&pre, &post, 0.0).unwrap(),
    );
    assert!((a - b).abs() <= 1e-12, "{a} vs {b}");
}

/// Mean drift `Δw/T` over `repeats` independent runs: (mean, standard error of the mean).
fn drift(
    repeats: usize,
    seed: u64,
    nu_pre: f64,
    nu_post: f64,
    t: f64,
    f: impl Fn(&[f64], &[f64]) -> f64,
) -> (f64, f64) {
    let mut r = rng(seed);
    let d: Vec<f64> = (0..repeats)
        .map(|_| {
            let pre = poisson_train(nu_pre, t, &mut r).unwrap();
            let post = poisson_train(nu_post, t, &mut r).unwrap();
            f(&pre, &post) / t
        })
        .collect();
    let n = d.len() as f64;
    let mean = d.iter().sum::<f64>() / n;
    let var = d.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
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
            let (m, se) = drift(20, seed, a, b, 200.0, |p, q| rule.run(p, q, 0.0).unwrap());
            let theory = rule.rate_drift(a, b);
            assert!(
                (m - theory).abs() <= 4.0 * se,
                "{pairing:?} ({a},{b}): {m} ± {se} vs {theory}"
            );
            if pairing == Pairing::AllToAll && a == 20.0 {
                let wrong = PairStdp::song_2000()
                    .with_pairing(Pairing::Nearest)
                    .rate_drift(a, b);
                assert!(
                    (m - wrong).abs() > 4.0 * se,
                    "negative control: {m} ± {se} vs {wrong}"
                );
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
    assert!(TripletStdp::visual_cortex().bcm_threshold().is_err());
    let (lo, se_lo) = drift(10, 50, 10.0, 5.0, 200.0, |p, q| {
        rule.run(p, q, 0.0).unwrap()
    });
    let (hi, se_hi) = drift(10, 51, 10.0, 40.0, 200.0, |p, q| {
        rule.run(p, q, 0.0).unwrap()
    });
    assert!(lo < 0.0 && hi > 0.0, "{lo} {hi}");
    assert!(
        (lo - rule.rate_drift(10.0, 5.0)).abs() <= 4.0 * se_lo,
        "{lo} ± {se_lo}"
    );
    assert!(
        (hi - rule.rate_drift(10.0, 40.0)).abs() <= 4.0 * se_hi,
        "{hi} ± {se_hi}"
    );
    assert!(rule.rate_drift(10.0, theta).abs() < 1e-12);
    let pair_only = TripletStdp {
        a3_plus: 0.0,
        ..rule
    }
    .rate_drift(10.0, 40.0);
    assert!((hi - pair_only).abs() > 4.0 * se_hi);
}

/// Weight dependence (van Rossum, Bi & Turrigiano 2000; Song et al. 2000): multiplicative STDP
/// stays strictly inside (0, w_max) under sustained potentiation or depression, clipped additive
/// STDP saturates at w_max, unbounded additive leaves [0, w_max] (control).
#[test]
fn weight_dependence_bounds() {
    let pre: Vec<f64> = (0..2000).map(|i| i as f64 * 0.05).collect();
    let post: Vec<f64> = pre.iter().map(|t| t + 0.005).collect();
    let base = PairStdp::new(0.05, 0.05, 0.02, 0.02).unwrap();
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
}

/// The clock-driven population equals the event-driven rule synapse by synapse when spikes fall
/// on the step grid (additive all-to-all, 1e-12).
#[test]
fn population_matches_event_driven() {
    let rule = PairStdp::song_2000();
    let dt = 1e-3;
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
