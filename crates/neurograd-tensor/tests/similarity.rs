//! RSA (Kriegeskorte et al. 2008) and linear CKA (Kornblith et al. 2019) against brute force and
//! their invariances, each with a control that must come out the other way.

use neurograd_tensor::geometry::{linear_cka, pearson, ranks, rdm, rsa, spearman, upper_triangle};
use neurograd_tensor::{Matrix, TensorError, init};
use proptest::prelude::*;

use crate::common::{rng, unif};

/// Linear CKA by the HSIC form with explicit Gram and centring matrices (Kornblith et al. 2019,
/// eqs. 2-4): `tr(K H L H) / sqrt(tr(K H K H) tr(L H L H))`.
fn cka_brute(x: &Matrix, y: &Matrix) -> f64 {
    let n = x.nrows();
    let h = Matrix::identity(n, n) - Matrix::repeat(n, n, 1.0 / n as f64);
    let (k, l) = (x * x.transpose(), y * y.transpose());
    let hsic = |a: &Matrix, b: &Matrix| (a * &h * b * &h).trace();
    hsic(&k, &l) / (hsic(&k, &k) * hsic(&l, &l)).sqrt()
}

proptest! {
    /// Claim: the feature-space formula equals the HSIC (Gram) form to 1e-10, and CKA is
    /// invariant to orthogonal transforms and isotropic scaling of either side (to 1e-10).
    /// Control: a random anisotropic linear map A = Q diag(1, ..., 30) changes CKA(X, X A) from 1
    /// by more than 1e-3 (> 1e7 times the tolerance), so the invariance test can fail.
    #[test]
    fn cka_matches_brute_force_and_its_invariances(seed in any::<u64>()) {
        let mut g = rng(seed);
        let x = unif(12, 5, -1.0, 1.0, &mut g);
        let y = unif(12, 3, -1.0, 1.0, &mut g);
        let c = linear_cka(&x, &y).unwrap();
        prop_assert!((c - cka_brute(&x, &y)).abs() < 1e-10);
        prop_assert!((0.0..=1.0).contains(&c));
        let q = init::orthogonal(5, 5, 1.0, &mut g).unwrap();
        let xq = &x * &q * 3.7;
        prop_assert!((linear_cka(&xq, &y).unwrap() - c).abs() < 1e-10);
        prop_assert!((linear_cka(&x, &xq).unwrap() - 1.0).abs() < 1e-10);
        let d = Matrix::from_diagonal(&neurograd_tensor::Vector::from_fn(5, |i, _| 1.0 + 29.0 * i as f64 / 4.0));
        let general = linear_cka(&x, &(&x * &q * d)).unwrap();
        prop_assert!(1.0 - general > 1e-3, "CKA under an anisotropic map: {}", general);
    }

    /// Claim: RDM entries are 1 - Pearson r of the stimulus rows (brute force, 1e-12); the RDM is
    /// symmetric with a zero diagonal. RSA is 1 under any positive affine change of the responses
    /// (row correlations are unchanged), and Spearman equals 1 - 6 sum d^2 / (n (n^2 - 1)) when
    /// there are no ties.
    #[test]
    fn rdm_rsa_spearman_brute_force(seed in any::<u64>()) {
        let mut g = rng(seed);
        let x = unif(7, 6, -1.0, 1.0, &mut g);
        let d = rdm(&x).unwrap();
        for i in 0..7 {
            prop_assert_eq!(d[(i, i)], 0.0);
            for j in 0..7 {
                if i != j {
                    let ri: Vec<f64> = x.row(i).iter().copied().collect();
                    let rj: Vec<f64> = x.row(j).iter().copied().collect();
                    prop_assert!((d[(i, j)] - (1.0 - pearson(&ri, &rj).unwrap())).abs() < 1e-12);
                    prop_assert_eq!(d[(i, j)], d[(j, i)]);
                }
            }
        }
        let affine = x.map(|v| 2.5 * v + 4.0);
        prop_assert!((rsa(&x, &affine).unwrap() - 1.0).abs() < 1e-12);
        let a = upper_triangle(&d).unwrap();
        let b: Vec<f64> = a.iter().map(|v| (3.0 * v).sin()).collect();
        let (ra, rb) = (ranks(&a), ranks(&b));
        let n = a.len() as f64;
        let d2: f64 = ra.iter().zip(&rb).map(|(p, q)| (p - q).powi(2)).sum();
        prop_assert!((spearman(&a, &b).unwrap() - (1.0 - 6.0 * d2 / (n * (n * n - 1.0)))).abs() < 1e-12);
    }
}

/// RSA of two unrelated random representations is near 0 (|rho| < 0.15 with 40 stimuli, 780
/// pairs; the standard error of rho is ~0.036), while RSA of a representation and a noisy copy of
/// it is high (> 0.5): the measure separates related from unrelated representations. Average ranks
/// of ties are those of scipy's `rankdata`.
#[test]
fn rsa_separates_related_from_unrelated() {
    let mut g = rng(5);
    let x = unif(40, 20, -1.0, 1.0, &mut g);
    let y = unif(40, 30, -1.0, 1.0, &mut g);
    let unrelated = rsa(&x, &y).unwrap();
    assert!(unrelated.abs() < 0.15, "{unrelated}");
    let noisy = &x + unif(40, 20, -0.3, 0.3, &mut g);
    let related = rsa(&x, &noisy).unwrap();
    assert!(related > 0.5, "{related}");
    eprintln!("RSA: unrelated {unrelated:.4}, noisy copy {related:.4}");
    // scipy.stats.rankdata([3, 1, 4, 1, 5]) = [3, 1.5, 4, 1.5, 5]
    assert_eq!(ranks(&[3.0, 1.0, 4.0, 1.0, 5.0]), [3.0, 1.5, 4.0, 1.5, 5.0]);
    // Monotone transforms do not change Spearman's rho (exactly: same ranks).
    let a = [0.3, -1.0, 2.0, 0.7, 0.1];
    let b = [1.0, 0.2, 0.5, 3.0, -2.0];
    let e: Vec<f64> = b.iter().map(|v: &f64| v.exp()).collect();
    assert_eq!(spearman(&a, &b).unwrap(), spearman(&a, &e).unwrap());
}

#[test]
fn similarity_bad_input_is_typed() {
    let x = Matrix::from_fn(4, 3, |i, j| (i * 3 + j * j) as f64);
    assert!(matches!(
        linear_cka(&x, &Matrix::zeros(5, 3)),
        Err(TensorError::ShapeMismatch { .. })
    ));
    assert!(matches!(
        rsa(&x, &Matrix::zeros(3, 3)),
        Err(TensorError::ShapeMismatch { .. })
    ));
    assert!(matches!(
        linear_cka(&Matrix::zeros(1, 3), &Matrix::zeros(1, 2)),
        Err(TensorError::Empty { .. })
    ));
    assert!(matches!(
        linear_cka(&x, &Matrix::repeat(4, 2, 1.0)),
        Err(TensorError::Degenerate { .. })
    ));
    let mut c = x.clone();
    c.row_mut(2).fill(7.0);
    assert!(matches!(rdm(&c), Err(TensorError::Degenerate { .. })));
    let mut nan = x.clone();
    nan[(1, 1)] = f64::NAN;
    assert!(matches!(rdm(&nan), Err(TensorError::NonFinite { .. })));
    assert!(matches!(
        rsa(&x.rows(0, 2).into_owned(), &x.rows(0, 2).into_owned()),
        Err(TensorError::Empty { .. })
    ));
    assert!(matches!(
        pearson(&[1.0, 2.0], &[1.0]),
        Err(TensorError::ShapeMismatch { .. })
    ));
    assert!(matches!(
        spearman(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]),
        Err(TensorError::Degenerate { .. })
    ));
    assert!(matches!(
        upper_triangle(&Matrix::zeros(2, 3)),
        Err(TensorError::ShapeMismatch { .. })
    ));
}
