//! Hopfield networks (theory.md §15).

use super::common::rng;
use nalgebra::{DMatrix, DVector};
use neurograd_plasticity::local::hopfield::{Hopfield, overlap, random_patterns};

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
/// stored pattern an exact fixed point, so recall succeeds at α = 0.20 where Hebbian storage fails;
/// its weights are symmetric.
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
