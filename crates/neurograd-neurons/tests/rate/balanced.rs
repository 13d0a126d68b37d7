//! Balanced amplification (Murphy & Miller 2009): Schur form, Henrici departure, steady state and
//! transient amplification against their closed forms (theory.md section 16).

use neurograd_neurons::NeuronError;
use neurograd_neurons::circuits::balanced::{BalancedAmplification, henrici_departure, schur};
use neurograd_tensor::{Matrix, Vector};
use proptest::prelude::*;

fn sorted_real_eigs(m: &Matrix) -> Vec<f64> {
    let mut e: Vec<f64> = schur(m)
        .unwrap()
        .eigenvalues
        .iter()
        .map(|(re, im)| {
            assert!(im.abs() < 1e-12);
            *re
        })
        .collect();
    e.sort_by(|a, b| a.partial_cmp(b).unwrap());
    e
}

/// Murphy & Miller (2009) Fig. 1: in the sum/difference basis W = [[-w_+, w_FF], [0, 0]] with
/// w_FF = w(1+k) and w_+ = w(k-1); numbers from theory.md sec. 16 (w = 4 sqrt(2/7), k = 1.1):
/// eigenvalues {-0.2138, 0}, T = [[-0.2138, 4.4900], [0, 0]].
#[test]
fn schur_form_matches_the_closed_form() {
    let b = BalancedAmplification::murphy_miller_2009();
    let w = b.weights();
    // U T U^T reproduces W exactly (the closed form is a Schur decomposition).
    let u = b.schur_basis();
    let tc = b.schur_t_closed();
    let t = Matrix::from_row_slice(2, 2, &[tc[0][0], tc[0][1], tc[1][0], tc[1][1]]);
    assert!((&u * &t * u.transpose() - &w).amax() < 1e-14);
    assert!((u.transpose() * &u - Matrix::identity(2, 2)).amax() < 1e-15);
    // Numerical Schur: same eigenvalue set and |T_12| = w_FF (ordering/signs may differ).
    let sf = schur(&w).unwrap();
    let eigs = sorted_real_eigs(&w);
    assert!((eigs[0] - b.w * (1.0 - b.k_inh)).abs() < 1e-12);
    assert!(eigs[1].abs() < 1e-12);
    assert!((sf.t[0][1].abs() - b.w_ff()).abs() < 1e-12);
    assert!(sf.t[1][0].abs() < 1e-12);
    // Published (theory.md) four-digit values.
    assert!((eigs[0] - -0.2138).abs() < 5e-5);
    assert!((b.w_ff() - 4.4900).abs() < 5e-5);
}

/// Henrici departure dep(W) = sqrt(||W||_F^2 - sum |lambda|^2) = w(1+k) for the two-population
/// circuit (theory.md sec. 16, item 2).
#[test]
fn henrici_departure_of_the_two_population_circuit_is_w_ff() {
    for (w, k) in [
        (4.0 * (2.0f64 / 7.0).sqrt(), 1.1),
        (5.0, 1.1),
        (4.0 + 2.0 / 7.0, 1.1),
        (1.0, 3.0),
    ] {
        let b = BalancedAmplification::new(w, k, 0.01).unwrap();
        let dep = henrici_departure(&b.weights()).unwrap();
        assert!(
            (dep - b.henrici_closed()).abs() < 1e-12 * b.henrici_closed(),
            "w={w} k={k}"
        );
    }
    // Negative control: the normal counterpart with the same eigenvalues has no departure.
    let b = BalancedAmplification::murphy_miller_2009();
    assert!(henrici_departure(&b.normal_counterpart()).unwrap() < 1e-7);
}

/// Steady state for input to E only (theory.md sec. 16, item 3): r_E = 2.7615, r_I = 1.7615,
/// and the closed form s* = (I_s + w_FF I_d)/(1 + w_+) = 3.198 equals the linear solve to 1e-12.
#[test]
fn steady_state_matches_the_closed_form_and_published_numbers() {
    let b = BalancedAmplification::murphy_miller_2009();
    let closed = b.steady_state_closed(1.0, 0.0).unwrap();
    let solved = b
        .network()
        .unwrap()
        .linear_steady_state(&Vector::from_vec(vec![1.0, 0.0]))
        .unwrap();
    assert!((closed[0] - solved[0]).abs() < 1e-12 && (closed[1] - solved[1]).abs() < 1e-12);
    assert!((closed[0] - 2.7615).abs() < 5e-5);
    assert!((closed[1] - 1.7615).abs() < 5e-5);
    let sum = (closed[0] + closed[1]) / 2f64.sqrt();
    assert!((sum - 3.198).abs() < 5e-4);
}

/// Transient amplification (theory.md sec. 16, item 3): after r(0) = (1, 0) the norm peaks at
/// 1.378 (w = 4 sqrt(2/7)) and 2.45 (w = 5) although every eigenvalue of (W - I)/tau is negative;
/// the RK4 trajectory equals the closed form to 1e-8. Negative control: the normal matrix with the
/// same eigenvalues never exceeds the initial norm, so it fails the "peak > 1" claim.
#[test]
fn transient_peak_exceeds_one_with_stable_eigenvalues() {
    for (w, expected) in [(4.0 * (2.0f64 / 7.0).sqrt(), 1.378), (5.0, 2.45)] {
        let b = BalancedAmplification::new(w, 1.1, 0.01).unwrap();
        let rep = b.report().unwrap();
        assert!(rep.spectral_abscissa < 0.0);
        assert!(rep.peak_norm_closed > 1.0);
        assert!(
            (rep.peak_norm_closed - expected).abs() < 5e-3,
            "w={w}: {}",
            rep.peak_norm_closed
        );
        // Simulated vs closed-form peak: differ only by the sampling grid (dt = tau/200).
        assert!(
            (rep.peak_norm_simulated - rep.peak_norm_closed).abs() < 1e-5 * rep.peak_norm_closed
        );
        let tr = &rep.transient;
        for k in (0..tr.times.len()).step_by(37) {
            let c = b.transient_closed([1.0, 0.0], tr.times[k]);
            assert!(
                (tr.r_e[k] - c[0]).abs() < 1e-8 && (tr.r_i[k] - c[1]).abs() < 1e-8,
                "t={}",
                tr.times[k]
            );
        }
        // Negative control.
        assert!(rep.peak_norm_normal_control <= 1.0 + 1e-12);
    }
}

/// Unstable circuits and bad parameters are rejected with the parameter's name.
#[test]
fn bad_parameters_are_rejected() {
    assert!(matches!(
        BalancedAmplification::new(2.0, 0.4, 0.01),
        Err(NeuronError::InvalidParameter { name: "k_inh", .. })
    ));
    assert!(matches!(
        BalancedAmplification::new(2.0, 1.1, -1.0),
        Err(NeuronError::InvalidParameter { name: "tau", .. })
    ));
    let b = BalancedAmplification::murphy_miller_2009();
    assert!(matches!(
        b.steady_state_closed(f64::NAN, 0.0),
        Err(NeuronError::NonFinite { .. })
    ));
    assert!(matches!(
        b.simulate_transient([1.0, 0.0], 0.0, 0.1),
        Err(NeuronError::InvalidParameter { name: "dt", .. })
    ));
    assert!(matches!(
        b.simulate_transient([1.0, 0.0], 1.0, 2.0),
        Err(NeuronError::InvalidParameter { name: "dt", .. })
    ));
    assert!(matches!(
        schur(&Matrix::zeros(2, 3)),
        Err(NeuronError::ShapeMismatch { .. })
    ));
}

fn random_orthogonal(seed: &[f64]) -> Matrix {
    Matrix::from_row_slice(4, 4, seed).qr().q()
}

proptest! {
    /// Henrici (1962): dep(W) = sqrt(sum_{i<j} |T_ij|^2) for W = Q T Q^T with T upper triangular,
    /// invariant under the orthogonal change of basis (theory.md sec. 16, item 2).
    #[test]
    fn henrici_identity_holds_for_random_nonnormal_matrices(
        diag in proptest::collection::vec(-3.0f64..3.0, 4),
        upper in proptest::collection::vec(-3.0f64..3.0, 6),
        q in proptest::collection::vec(-1.0f64..1.0, 16),
    ) {
        let mut t = Matrix::zeros(4, 4);
        let mut k = 0;
        for i in 0..4 {
            t[(i, i)] = diag[i];
            for j in (i + 1)..4 {
                t[(i, j)] = upper[k];
                k += 1;
            }
        }
        let expected = upper.iter().map(|x| x * x).sum::<f64>().sqrt();
        prop_assume!(expected > 0.1);
        let q = random_orthogonal(&q);
        let w = &q * &t * q.transpose();
        let dep = henrici_departure(&w).unwrap();
        prop_assert!((dep - expected).abs() < 1e-7 * (1.0 + w.norm()), "dep {} expected {}", dep, expected);
    }

    /// Murphy & Miller (2009): for every w > 1 and k > 1 the stable E-I circuit amplifies the
    /// E-only pulse transiently (d||r||^2/dt at 0 = 2(w-1)/tau > 0), the closed form equals the
    /// simulation, the steady state equals the linear solve, and dep(W) = w(1+k).
    #[test]
    fn balanced_amplification_closed_forms(w in 1.2f64..6.0, k in 1.05f64..2.0,
                                           ie in -3.0f64..3.0, ii in -3.0f64..3.0) {
        let b = BalancedAmplification::new(w, k, 0.01).unwrap();
        let (peak, _) = b.transient_peak_closed([1.0, 0.0]).unwrap();
        prop_assert!(peak > 1.0);
        let tr = b.simulate_transient([1.0, 0.0], 0.01 / 200.0, 0.1).unwrap();
        let sim = tr.norm.iter().copied().fold(f64::MIN, f64::max);
        prop_assert!((sim - peak).abs() < 1e-4 * peak);
        let closed = b.steady_state_closed(ie, ii).unwrap();
        let solved = b.network().unwrap().linear_steady_state(&Vector::from_vec(vec![ie, ii])).unwrap();
        prop_assert!((closed[0] - solved[0]).abs() < 1e-12 * (1.0 + solved[0].abs()));
        prop_assert!((closed[1] - solved[1]).abs() < 1e-12 * (1.0 + solved[1].abs()));
        let dep = henrici_departure(&b.weights()).unwrap();
        prop_assert!((dep - b.w_ff()).abs() < 1e-10 * b.w_ff());
    }
}
