//! Oja, Sanger and the Oja subspace rule converge to the principal components (theory.md §3).
//!
//! Data and schedule from the reference (theory.md §3a-b): 6-D Gaussian data with eigenvalues
//! (5, 3, 2, 1, 0.5, 0.25) in a random rotation, 5e4 samples cycled, one sample per step,
//! η = 1e-3 for 1e5 steps then η = 1e-4 for 1e5 steps.

use super::common::{M, gaussian, rng, spectrum_data};
use neurograd_plasticity::local::oja::Oja;
use neurograd_plasticity::local::oja_subspace::{OjaSubspace, projector_distance};
use neurograd_plasticity::local::sanger::{Sanger, row_alignment, top_eigenvectors};
use neurograd_plasticity::local::train::{RateSchedule, RuleTrainConfig, train_rule};
use neurograd_plasticity::local::{Batch, LocalRule};

const EIGS: [f64; 6] = [5.0, 3.0, 2.0, 1.0, 0.5, 0.25];

fn run(rule: &dyn LocalRule, m: usize, seed: u64) -> (M, M) {
    let (x, _, e) = spectrum_data(&EIGS, 50_000, seed);
    let batch = Batch::new(x).unwrap();
    let mut w = gaussian(m, 6, &mut rng(seed + 100)) * 0.3;
    let cfg = RuleTrainConfig::new(
        RateSchedule::Piecewise(vec![(100_000, 1e-3), (100_000, 1e-4)]),
        200_000,
        1,
    );
    train_rule(rule, &mut w, &batch, &cfg).unwrap();
    (w, e)
}

/// Checklist 6 (oja_convergence), Oja 1982: |cos(w, e₁)| ≥ 0.995 and |‖w‖ − 1| ≤ 5e-3.
/// Negative control: the learned vector is not the second eigenvector (|cos(w, e₂)| < 0.1).
#[test]
fn oja_converges_to_top_eigenvector() {
    let (w, e) = run(&Oja, 1, 21);
    let cos = row_alignment(&w, &e.rows(0, 1).into_owned()).unwrap()[0];
    assert!(cos >= 0.995, "cos {cos}");
    assert!((w.norm() - 1.0).abs() <= 5e-3, "norm {}", w.norm());
    let cos2 = row_alignment(&w, &e.rows(1, 1).into_owned()).unwrap()[0];
    assert!(cos2 < 0.1);
}

/// Checklist 7 (gha_convergence), Sanger 1989: row i → ±e_i in order, |cos| ≥ 0.995 per row and
/// |‖row‖ − 1| ≤ 5e-3.
#[test]
fn sanger_converges_to_ordered_eigenvectors() {
    let (w, e) = run(&Sanger, 3, 22);
    let cos = row_alignment(&w, &e.rows(0, 3).into_owned()).unwrap();
    for (i, c) in cos.iter().enumerate() {
        assert!(*c >= 0.995, "row {i}: cos {c} ({cos:?})");
        assert!(
            (w.row(i).norm() - 1.0).abs() <= 5e-3,
            "row {i} norm {}",
            w.row(i).norm()
        );
    }
}

/// Checklist 8 (oja_subspace_vs_gha), Oja 1989 vs Sanger 1989: the subspace rule's row-space
/// projector reaches the top-3 eigen-projector (‖P − P*‖_F ≤ 0.2) but its rows are not the
/// eigenvectors (min row |cos| < 0.9), which catches a GHA implementation that forgets LT[·].
#[test]
fn oja_subspace_learns_subspace_not_eigenvectors() {
    let (w, e) = run(&OjaSubspace, 3, 23);
    let top = e.rows(0, 3).into_owned();
    let dist = projector_distance(&w, &top).unwrap();
    assert!(dist <= 0.2, "distance {dist}");
    let cos = row_alignment(&w, &top).unwrap();
    let min = cos.iter().copied().fold(1.0, f64::min);
    assert!(min < 0.9, "rows aligned: {cos:?}");
    let (_, c, _) = spectrum_data(&EIGS, 10, 23);
    let (vals, vecs) = top_eigenvectors(&c, 3).unwrap();
    assert!((vals[0] - 5.0).abs() < 1e-9 && (vals[2] - 2.0).abs() < 1e-9);
    assert!(projector_distance(&vecs, &top).unwrap() < 1e-9);
}

/// Oja 1989: on orthonormal rows the subspace rule's batch update equals the gradient of
/// ½tr(WĈWᵀ) projected onto the Stiefel tangent space (rel 1e-9), via the harness.
#[test]
fn oja_subspace_is_stiefel_projected_gradient() {
    let (x, _, _) = spectrum_data(&EIGS, 40, 24);
    let q = super::common::rotation(6, &mut rng(25));
    let w = q.rows(0, 3).into_owned();
    let batch = Batch::new(x).unwrap();
    let r = neurograd_plasticity::local::harness::Harness::default()
        .check(&OjaSubspace, &w, &batch)
        .unwrap();
    assert!(r.holds && r.constraint_violation < 1e-12, "{r}");
}
