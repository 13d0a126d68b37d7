//! RSA (Kriegeskorte et al. 2008) and linear CKA (Kornblith et al. 2019) against brute force and
//! their invariances, each with a control that must come out the other way.

use neurograd_tensor::geometry::{
    linear_cka, pearson, ranks, rdm, rsa, rsa_permutation_test, spearman, upper_triangle,
};
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

/// Claim: RSA of a representation with itself is exactly 1, and so is linear CKA; CKA of `X` with
/// `s X Q` for an orthogonal `Q` and `s > 0` is 1 to 1e-12 (Kornblith et al. 2019, section 3),
/// also when `Q` maps to more units (`X [Q1 | 0]` with a padding column block). Control: CKA
/// between `X` and a column subset of it is clearly below 1.
#[test]
fn identical_and_invariant_representations_score_one() {
    let mut g = rng(17);
    let x = init::normal(30, 8, 0.0, 1.0, &mut g).unwrap();
    assert_eq!(rsa(&x, &x).unwrap(), 1.0);
    assert!((linear_cka(&x, &x).unwrap() - 1.0).abs() < 1e-15);
    for s in [1e-3, 0.5, 7.0, 1e4] {
        let q = init::orthogonal(8, 8, 1.0, &mut g).unwrap();
        let y = &x * &q * s;
        let c = linear_cka(&x, &y).unwrap();
        assert!((c - 1.0).abs() < 1e-12, "s = {s}: {c}");
        let mut wide = Matrix::zeros(30, 11);
        wide.columns_mut(0, 8).copy_from(&y);
        assert!((linear_cka(&x, &wide).unwrap() - 1.0).abs() < 1e-12);
    }
    let half = x.columns(0, 4).into_owned();
    let sub = linear_cka(&x, &half).unwrap();
    assert!(sub < 0.9, "{sub}");
}

/// Calibrated null of linear CKA (derived, not fitted): for independent `X` (`n x p`) and `Y`
/// (`n x q`) with i.i.d. standard normal entries, `m = n - 1`, the centred Gram `X^T C X` is
/// Wishart(p, m), so `E ||X^T C X||_F^2 = m p (m + p + 1)` and `E ||Y^T C X||_F^2 = m p q`, and
/// the ratio of expectations is `CKA_0 = sqrt(p q / ((m + p + 1)(m + q + 1)))` (0.0476 for
/// n = 200, p = q = 10). Claim: the mean CKA over 40 independent pairs is within 10 % of
/// `CKA_0` (its standard error over 40 pairs is ~2 %), i.e. "unrelated" is not 0 but a known
/// positive bias. Control: `Y = X A + noise` with a random `A` gives a CKA > 10 `CKA_0`.
#[test]
fn cka_of_independent_representations_matches_its_expected_bias() {
    let (n, p, q) = (200, 10, 10);
    let m = (n - 1) as f64;
    let expected = ((p * q) as f64 / ((m + p as f64 + 1.0) * (m + q as f64 + 1.0))).sqrt();
    let mut g = rng(23);
    let trials = 40;
    let mut sum = 0.0;
    for _ in 0..trials {
        let x = init::normal(n, p, 0.0, 1.0, &mut g).unwrap();
        let y = init::normal(n, q, 0.0, 1.0, &mut g).unwrap();
        sum += linear_cka(&x, &y).unwrap();
    }
    let mean = sum / trials as f64;
    assert!(
        (mean / expected - 1.0).abs() < 0.1,
        "mean {mean} vs E {expected}"
    );
    let x = init::normal(n, p, 0.0, 1.0, &mut g).unwrap();
    let a = init::normal(p, q, 0.0, 1.0, &mut g).unwrap();
    let y = &x * a + init::normal(n, q, 0.0, 1.0, &mut g).unwrap();
    let related = linear_cka(&x, &y).unwrap();
    assert!(related > 10.0 * expected, "{related}");
    eprintln!(
        "CKA null: mean {mean:.4} over {trials} pairs vs derived {expected:.4}; related {related:.3}"
    );
}

/// Calibration of RSA's null (Kriegeskorte et al. 2008, stimulus-label permutation): for 60 pairs
/// of independent random representations (20 stimuli, 190 dissimilarities), the permutation test
/// rejects at alpha = 0.05 in at most 12 pairs (expected 3, binomial sd 1.7), the mean rho is
/// within 3 standard errors of 0, every observed |rho| is within 4.5 permutation-null standard
/// deviations, and the spread of the observed rho across pairs matches the permutation null's
/// sd (ratio in [0.75, 1.35]; the sample sd of 60 values has a relative standard error of ~9 %).
/// Control: a noisy copy is rejected (p < 0.01) in every one of 10 pairs. Same seed, identical
/// result.
#[test]
fn rsa_permutation_null_is_calibrated() {
    let mut g = rng(29);
    let (n, trials, perms) = (20, 60, 199);
    let (mut rejections, mut rhos, mut sds) = (0, Vec::new(), Vec::new());
    for t in 0..trials {
        let x = init::normal(n, 12, 0.0, 1.0, &mut g).unwrap();
        let y = init::normal(n, 9, 0.0, 1.0, &mut g).unwrap();
        let r = rsa_permutation_test(&x, &y, perms, t).unwrap();
        assert_eq!(r.rho, rsa(&x, &y).unwrap());
        assert!(r.rho.abs() < 4.5 * r.null_sd, "{r:?}");
        rejections += usize::from(r.p_value <= 0.05);
        rhos.push(r.rho);
        sds.push(r.null_sd);
    }
    let mean = rhos.iter().sum::<f64>() / trials as f64;
    let sd = (rhos.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (trials - 1) as f64).sqrt();
    let null_sd = sds.iter().sum::<f64>() / trials as f64;
    assert!(rejections <= 12, "{rejections}/{trials} rejected");
    assert!(
        mean.abs() < 3.0 * sd / (trials as f64).sqrt(),
        "mean {mean}, sd {sd}"
    );
    assert!(
        (0.75..=1.35).contains(&(sd / null_sd)),
        "sd {sd} vs null {null_sd}"
    );
    for t in 0..10 {
        let x = init::normal(n, 12, 0.0, 1.0, &mut g).unwrap();
        let y = &x + init::normal(n, 12, 0.0, 0.5, &mut g).unwrap();
        let r = rsa_permutation_test(&x, &y, perms, t).unwrap();
        assert!(r.p_value < 0.01, "{r:?}");
    }
    let x = init::normal(n, 12, 0.0, 1.0, &mut g).unwrap();
    let y = init::normal(n, 12, 0.0, 1.0, &mut g).unwrap();
    assert_eq!(
        rsa_permutation_test(&x, &y, 50, 3).unwrap(),
        rsa_permutation_test(&x, &y, 50, 3).unwrap()
    );
    assert!(matches!(
        rsa_permutation_test(&x, &y, 0, 3),
        Err(TensorError::InvalidParameter {
            name: "n_permutations",
            ..
        })
    ));
    eprintln!(
        "RSA null: {rejections}/{trials} rejected at 0.05, mean rho {mean:.4}, sd {sd:.4}, permutation null sd {null_sd:.4} (naive {:.4})",
        1.0 / 189f64.sqrt()
    );
}
