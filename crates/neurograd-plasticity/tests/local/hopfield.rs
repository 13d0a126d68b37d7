//! Hopfield networks (theory.md §15).

use super::common::rng;
use nalgebra::{DMatrix, DVector};
use neurograd_plasticity::local::harness::{Harness, Relation};
use neurograd_plasticity::local::hebb::Hebb;
use neurograd_plasticity::local::hopfield::{
    Hopfield, HopfieldStorage, PatternStability, overlap, random_patterns,
};
use neurograd_plasticity::local::{Activity, Batch, LocalRule, Objective};

/// Checklists 40 and 42 (hopfield_energy_monotone, hopfield_capacity), Hopfield 1982; Amit,
/// Gutfreund & Sompolinsky 1985: N = 500, asynchronous recall from each stored pattern; mean final
/// overlap ≥ 0.99 at α = 0.10 and < 0.8 at α = 0.20 (negative control, above α_c ≈ 0.138); no
/// flip ever raises the energy (ΔE ≤ 1e-12), at both loads.
#[test]
fn hopfield_capacity_and_energy() {
    let n = 500;
    for (alpha, seed) in [(0.10, 70u64), (0.20, 71)] {
        let p = (alpha * n as f64).round() as usize;
        let patterns = random_patterns(p, n, &mut rng(seed));
        let net = Hopfield::hebbian(&patterns).unwrap();
        let mut r = rng(seed + 5);
        let mut sum = 0.0;
        for mu in 0..p {
            let xi = patterns.row(mu).transpose();
            let out = net.recall_async(&xi, 50, &mut r).unwrap();
            assert!(
                out.max_energy_change <= 1e-12,
                "ΔE = {}",
                out.max_energy_change
            );
            sum += overlap(&out.state, &xi).unwrap();
        }
        let m = sum / p as f64;
        if alpha < 0.15 {
            assert!(m >= 0.99, "α = {alpha}: overlap {m}");
        } else {
            assert!(m < 0.8, "α = {alpha}: overlap {m}");
        }
    }
}

/// Personnaz, Guyon & Dreyfus 1985: the pseudo-inverse rule makes every linearly independent
/// stored pattern an exact fixed point, so recall succeeds at α = 0.20 where Hebbian storage fails
/// (mean overlap of Hebbian recall from the same patterns < 0.9); its weights are symmetric.
#[test]
fn pseudo_inverse_recalls_above_hebbian_capacity() {
    let n = 200;
    let patterns = random_patterns(40, n, &mut rng(72));
    let net = Hopfield::pseudo_inverse(&patterns).unwrap();
    let mut r = rng(73);
    for mu in 0..40 {
        let xi = patterns.row(mu).transpose();
        let out = net.recall_async(&xi, 50, &mut r).unwrap();
        assert_eq!(out.flips, 0);
        assert_eq!(overlap(&out.state, &xi).unwrap(), 1.0);
    }
    let w = net.weights();
    assert!((w - w.transpose()).amax() < 1e-10);
    let hebb = Hopfield::hebbian(&patterns).unwrap();
    let mean: f64 = (0..40)
        .map(|mu| {
            let xi = patterns.row(mu).transpose();
            let out = hebb.recall_async(&xi, 50, &mut r).unwrap();
            overlap(&out.state, &xi).unwrap()
        })
        .sum::<f64>()
        / 40.0;
    assert!(mean < 0.9, "hebbian overlap {mean}");
}

/// Hopfield 1982 as a local rule: one batch update of `HopfieldStorage` from `W = 0`, scaled by
/// `p/N`, is `Hopfield::hebbian` (rel 1e-12); its objective `PatternStability` equals `−2 mean_μ
/// E(ξ^μ)` computed by `Hopfield::energy` on the weights with a zero diagonal (rel 1e-12); the
/// harness confirms every single-pattern update is the gradient step of that objective (central
/// differences, rel 1e-7). Negative controls: the update halved (the energy's own `½`) and plain
/// Hebb with a linear response are rejected.
#[test]
fn hopfield_storage_is_the_gradient_of_pattern_energy() {
    let (p, n) = (6, 12);
    let patterns = random_patterns(p, n, &mut rng(76));
    let d = HopfieldStorage
        .delta(&Activity::new(&patterns, &patterns), &DMatrix::zeros(n, n))
        .unwrap();
    let stored = Hopfield::hebbian(&patterns).unwrap();
    let scaled = &d * (p as f64 / n as f64);
    assert!((&scaled - stored.weights()).norm() <= 1e-12 * stored.weights().norm());

    let w = DMatrix::from_fn(n, n, |i, j| ((i * n + j) as f64 * 0.37).sin());
    let batch = Batch::new(patterns.clone()).unwrap();
    let mut w0 = w.clone();
    w0.fill_diagonal(0.0);
    let net = Hopfield::from_weights(w0).unwrap();
    let mean_energy: f64 = (0..p)
        .map(|mu| net.energy(&patterns.row(mu).transpose()).unwrap())
        .sum::<f64>()
        / p as f64;
    let value = PatternStability.value(&w, &batch).unwrap();
    assert!((value + 2.0 * mean_energy).abs() <= 1e-12 * value.abs().max(1.0));

    let h = Harness {
        force_finite_differences: true,
        ..Harness::default()
    };
    let r = h.check(&HopfieldStorage, &w, &batch).unwrap();
    assert!(r.holds && r.relation == Relation::GradientStep, "{r}");
    struct Half;
    impl LocalRule for Half {
        fn delta(
            &self,
            a: &Activity<'_>,
            w: &DMatrix<f64>,
        ) -> neurograd_plasticity::Result<DMatrix<f64>> {
            Ok(HopfieldStorage.delta(a, w)? * 0.5)
        }
        fn response(
            &self,
            w: &DMatrix<f64>,
            pre: &DMatrix<f64>,
        ) -> neurograd_plasticity::Result<DMatrix<f64>> {
            HopfieldStorage.response(w, pre)
        }
    }
    let half = h
        .check_against(&Half, &PatternStability, Relation::GradientStep, &w, &batch)
        .unwrap();
    assert!(!half.holds && half.relative_error > 0.1, "{half}");
    let hebb = h
        .check_against(&Hebb, &PatternStability, Relation::GradientStep, &w, &batch)
        .unwrap();
    assert!(!hebb.holds && hebb.relative_error > 0.1, "{hebb}");
}

/// Hopfield storage needs square weights matching the pattern length: a typed shape error.
#[test]
fn hopfield_storage_rejects_non_square_weights() {
    let patterns = random_patterns(3, 5, &mut rng(77));
    let e = HopfieldStorage
        .delta(&Activity::new(&patterns, &patterns), &DMatrix::zeros(4, 5))
        .unwrap_err();
    assert!(
        matches!(
            e,
            neurograd_plasticity::PlasticityError::ShapeMismatch {
                expected: (5, 5),
                got: (4, 5),
                ..
            }
        ),
        "{e}"
    );
}

/// Checklist 41 (hopfield_hebb_energy_drop), theory.md §15: storing ξ with ΔW = (ξξᵀ − I)/N lowers
/// E(ξ) by exactly (N − 1)/2 (abs 1e-9), with 10 other patterns already stored.
#[test]
fn hebbian_storage_lowers_pattern_energy() {
    let n = 200;
    let patterns = random_patterns(11, n, &mut rng(74));
    let mut net = Hopfield::hebbian(&patterns.rows(0, 10).into_owned()).unwrap();
    let xi = patterns.row(10).transpose();
    let before = net.energy(&xi).unwrap();
    net.store_hebbian(&xi).unwrap();
    let after = net.energy(&xi).unwrap();
    assert!(
        (after - before + (n as f64 - 1.0) / 2.0).abs() <= 1e-9,
        "{}",
        after - before
    );
}

/// Checklist 43 (hopfield_sync_two_cycle), nndl-discussion #1: W₀₁ = W₁₀ = −1, synchronous from
/// (−1, −1) oscillates with period 2 at constant energy; asynchronous recall from the same state
/// reaches a fixed point (control).
#[test]
fn synchronous_updates_two_cycle() {
    let w = DMatrix::from_row_slice(2, 2, &[0.0, -1.0, -1.0, 0.0]);
    let net = Hopfield::from_weights(w).unwrap();
    let s0 = DVector::from_vec(vec![-1.0, -1.0]);
    let s1 = net.step_sync(&s0).unwrap();
    assert_eq!(s1, DVector::from_vec(vec![1.0, 1.0]));
    assert_eq!(net.step_sync(&s1).unwrap(), s0);
    assert_eq!(net.energy(&s0).unwrap(), net.energy(&s1).unwrap());
    assert_eq!(net.recall_sync(&s0, 10).unwrap().period, Some(2));
    assert!(net.recall_async(&s0, 10, &mut rng(75)).unwrap().converged);
}
