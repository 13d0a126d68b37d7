//! ES gradient estimators against theory section 14 (checklist items 36–39).

use crate::common::rng;
use neurograd_optim::blackbox::es_gradient::*;
use neurograd_optim::{OptimError, Vector};
use rand::RngExt;

/// `F(x) = ½ Σ aᵢxᵢ² + b·x + c` with its gradient.
struct Quad {
    a: Vec<f64>,
    b: Vec<f64>,
    c: f64,
}

impl Quad {
    fn new(d: usize, c: f64, seed: u64) -> Self {
        let mut r = rng(seed);
        Self {
            a: (0..d).map(|_| 0.5 + r.random::<f64>()).collect(),
            b: (0..d).map(|_| r.random::<f64>() - 0.5).collect(),
            c,
        }
    }
    fn f(&self, x: &[f64]) -> f64 {
        x.iter()
            .zip(&self.a)
            .zip(&self.b)
            .map(|((x, a), b)| 0.5 * a * x * x + b * x)
            .sum::<f64>()
            + self.c
    }
    fn grad(&self, x: &[f64]) -> Vector {
        Vector::from_iterator(
            x.len(),
            x.iter()
                .zip(&self.a)
                .zip(&self.b)
                .map(|((x, a), b)| a * x + b),
        )
    }
}

fn theta(d: usize, seed: u64) -> Vec<f64> {
    let mut r = rng(seed);
    (0..d).map(|_| r.random::<f64>() * 2.0 - 1.0).collect()
}

/// Theory 14.2/14.5(a): for quadratic F both estimators are unbiased for ∇F (= ∇F_σ):
/// every coordinate of the mean of 20,000 per-direction terms is within 4 standard errors.
///
/// Negative control (the test must be able to see a real bias): for the quartic
/// `F(x) = Σ xᵢ⁴` ES is unbiased for `∇F_σ = ∇F + (σ²/2)∇ΔF = 4x³ + 12σ²x` (exact: higher terms
/// vanish) but not for `∇F = 4x³`. The same 4-SE statistic must accept `∇F_σ` and reject `∇F` on
/// every coordinate (bias `12σ²|xᵢ| ≥ 0.54` at `|xᵢ| ≥ 0.5`). It fails if the 4-SE band is too
/// wide to detect an O(σ²) bias, or if the estimators did not follow the smoothed gradient.
#[test]
fn es_unbiased_quadratic() {
    let d = 5;
    let q = Quad::new(d, 3.0, 1);
    let th = theta(d, 2);
    let g = q.grad(&th);
    let sigma = 0.3;
    // Per coordinate: (mean of the terms, its standard error).
    let mean_se = |f: &(dyn Fn(&[f64]) -> f64 + Sync), x: &[f64], est| {
        let n = 20_000;
        let terms = es_gradient_terms(f, x, sigma, n, est, 9).unwrap();
        (0..x.len())
            .map(|i| {
                let m = terms.iter().map(|t| t[i]).sum::<f64>() / n as f64;
                let var = terms.iter().map(|t| (t[i] - m).powi(2)).sum::<f64>() / (n - 1) as f64;
                (m, (var / n as f64).sqrt())
            })
            .collect::<Vec<_>>()
    };
    let quartic = |x: &[f64]| x.iter().map(|v| v.powi(4)).sum::<f64>();
    let x4 = [0.8, -0.6, 0.9, -0.7, 0.5];
    for est in [EsEstimator::OneSided, EsEstimator::Antithetic] {
        for (i, (m, se)) in mean_se(&|x| q.f(x), &th, est).into_iter().enumerate() {
            assert!(
                (m - g[i]).abs() <= 4.0 * se,
                "{est:?} coord {i}: {m} vs {} (se {se})",
                g[i]
            );
        }
        for (i, (m, se)) in mean_se(&quartic, &x4, est).into_iter().enumerate() {
            let grad = 4.0 * x4[i].powi(3);
            let smoothed = grad + 12.0 * sigma * sigma * x4[i];
            assert!(
                (m - smoothed).abs() <= 4.0 * se,
                "{est:?} quartic coord {i}: {m} vs smoothed {smoothed} (se {se})"
            );
            assert!(
                (m - grad).abs() > 4.0 * se,
                "control: {est:?} quartic coord {i}: {m} within 4 SE ({se}) of the unsmoothed {grad}"
            );
        }
    }
}

/// Theory 14.4/14.5(b): the mean cosine of the antithetic estimate with the true gradient of a
/// quadratic follows √(n/(n+d+1)) within 0.03 for n ≥ 10. Negative control (last column of the
/// theory table): the one-sided estimator with F(θ)/σ = 50 is far below the formula.
#[test]
fn es_cosine_formula() {
    for (d, n, trials) in [
        (10, 100, 400),
        (100, 10, 400),
        (100, 100, 200),
        (50, 20, 400),
    ] {
        let q = Quad::new(d, 0.0, 3);
        let th = theta(d, 4);
        let s = mean_cosine(
            |x| q.f(x),
            &q.grad(&th),
            &th,
            0.1,
            n,
            EsEstimator::Antithetic,
            trials,
            11,
        )
        .unwrap();
        assert!(
            (s.mean - s.predicted).abs() <= 0.03,
            "d={d} n={n}: {} vs {}",
            s.mean,
            s.predicted
        );
    }
    let d = 10;
    let q = Quad::new(d, 0.0, 3);
    let th = theta(d, 4);
    let sigma = 0.1;
    let shift = 50.0 * sigma - q.f(&th);
    let s = mean_cosine(
        |x| q.f(x) + shift,
        &q.grad(&th),
        &th,
        sigma,
        10,
        EsEstimator::OneSided,
        400,
        11,
    )
    .unwrap();
    assert!(
        s.predicted - s.mean > 0.3,
        "one-sided without baseline: {} vs {}",
        s.mean,
        s.predicted
    );
}

/// Theory 14.4/14.5(b): for n = 1 the mean cosine is exactly Γ(d/2)/(√π Γ((d+1)/2)) (d = 10:
/// 0.2587, d = 100: 0.0800, d = 1000: 0.0252 in the theory table); Monte Carlo within 4 SE.
#[test]
fn es_cosine_n1_exact() {
    for (d, v) in [(10, 0.2587), (100, 0.0800), (1000, 0.0252)] {
        assert!((exact_cosine_one_direction(d) - v).abs() < 1e-4, "d={d}");
    }
    // d = 1: |u1| = 1; d = 2: E|cos φ| = 2/π
    assert!((exact_cosine_one_direction(1) - 1.0).abs() < 1e-15);
    assert!((exact_cosine_one_direction(2) - 2.0 / std::f64::consts::PI).abs() < 1e-15);
    let d = 10;
    let q = Quad::new(d, 0.0, 5);
    let th = theta(d, 6);
    let s = mean_cosine(
        |x| q.f(x),
        &q.grad(&th),
        &th,
        0.1,
        1,
        EsEstimator::Antithetic,
        4000,
        1,
    )
    .unwrap();
    let exact = exact_cosine_one_direction(d);
    assert!(
        (s.mean - exact).abs() <= 4.0 * s.standard_error,
        "{} ± {} vs {exact}",
        s.mean,
        s.standard_error
    );
}

/// Exact total variances `tr Cov(t)` of the one-sided and antithetic per-direction terms `t` for
/// the quadratic `q` at `θ` (derivation at [`es_antithetic_variance`]); `f0` stands for `F(θ)` in
/// the one-sided formula (the negative control sets it to 0).
fn predicted_term_variances(q: &Quad, th: &[f64], sigma: f64, f0: f64) -> (f64, f64) {
    let d = th.len();
    let g2 = q.grad(th).norm_squared();
    let tr_a: f64 = q.a.iter().sum();
    // E[Q² ‖ε‖²] = Σ_ijk a_i a_j E[ε_i² ε_j² ε_k²] with E[ε⁶] = 15 (i = j = k), E[ε⁴] E[ε²] = 3
    // (exactly two indices equal), 1 (all different).
    let mut q2r = 0.0;
    for i in 0..d {
        for j in 0..d {
            for k in 0..d {
                let m = match (i == j, i == k, j == k) {
                    (true, true, _) => 15.0,
                    (false, false, false) => 1.0,
                    _ => 3.0,
                };
                q2r += q.a[i] * q.a[j] * m;
            }
        }
    }
    let df = d as f64;
    let one = (f0 / sigma).powi(2) * df
        + g2 * (df + 2.0)
        + sigma * sigma / 4.0 * q2r
        + f0 * (df + 2.0) * tr_a
        - g2;
    (one, g2 * (df + 1.0))
}

/// Theory 14.5(c): with F(θ) ≠ 0 the antithetic per-direction terms have smaller variance than
/// the one-sided ones, by the amount the expansion of the quadratic predicts exactly.
///
/// For `F(θ + σε) = F₀ + σ gᵀε + (σ²/2) Q`, `Q = εᵀAε`, `A = diag(a)`: one-sided
/// `t = (F₀/σ + gᵀε + (σ/2) Q) ε`, antithetic `t = (gᵀε) ε`, both with mean `g`, so (Gaussian
/// moments, odd terms vanish)
/// `tr Cov = (F₀/σ)² d + ‖g‖²(d + 2) + (σ²/4) E[Q²‖ε‖²] + F₀ (d + 2) tr A − ‖g‖²` (one-sided) and
/// `tr Cov = ‖g‖² (d + 1)` (antithetic). Both measured variances (20,000 terms each) must lie
/// within 4 standard errors of these values.
///
/// The theory table's "per-sample std one-sided/antithetic ≈ 2.3–2.8 (d = 5, σ = 0.3)" is not a
/// property of (d, σ) alone: the ratio is dominated by `(F₀/σ)² d`. For this test's quadratic
/// (F₀ = 2.80, F₀/σ = 9.3) the formula gives a std ratio of 6.43 (measured 6.46); the table's
/// band corresponds to F₀ ≈ 0.7–1.0 for this `g` and `A`. The test asserts the formula, and the
/// std-ratio band 6.1–6.8 that the 4-SE bounds on both variances imply (measured standard errors
/// 0.6 % and 1.6 % of the one-sided and antithetic variances).
///
/// Negative control: the same 4-SE test rejects the one-sided formula without the `F₀` terms
/// (F₀ = 0, as with a baseline subtracted), which is the effect antithetic sampling removes; it
/// would fail if F₀ did not change the variance measurably.
#[test]
fn es_antithetic_variance() {
    let d = 5;
    let sigma = 0.3;
    let q = Quad::new(d, 2.0, 7);
    let th = theta(d, 8);
    // (tr Cov estimate, its standard error) over 20,000 per-direction terms.
    let var = |est| {
        let t = es_gradient_terms(|x| q.f(x), &th, sigma, 20_000, est, 3).unwrap();
        let n = t.len() as f64;
        let m = t.iter().fold(Vector::zeros(d), |a, b| a + b) / n;
        let s: Vec<f64> = t.iter().map(|x| (x - &m).norm_squared()).collect();
        let v = s.iter().sum::<f64>() / (n - 1.0);
        let mean_s = s.iter().sum::<f64>() / n;
        let var_s = s.iter().map(|x| (x - mean_s).powi(2)).sum::<f64>() / (n - 1.0);
        (v, (var_s / n).sqrt())
    };
    let ((one, se_one), (anti, se_anti)) =
        (var(EsEstimator::OneSided), var(EsEstimator::Antithetic));
    let (p_one, p_anti) = predicted_term_variances(&q, &th, sigma, q.f(&th));
    assert!(
        (one - p_one).abs() <= 4.0 * se_one,
        "one-sided {one} ± {se_one} vs {p_one}"
    );
    assert!(
        (anti - p_anti).abs() <= 4.0 * se_anti,
        "antithetic {anti} ± {se_anti} vs {p_anti}"
    );
    let ratio = (one / anti).sqrt();
    assert!(
        (6.1..6.8).contains(&ratio),
        "std ratio {ratio} (formula {})",
        (p_one / p_anti).sqrt()
    );
    let (p_one_no_f0, _) = predicted_term_variances(&q, &th, sigma, 0.0);
    assert!(
        (one - p_one_no_f0).abs() > 4.0 * se_one,
        "control: F0 terms invisible ({one} ± {se_one} vs {p_one_no_f0})"
    );
}

/// Theory 14.5(d): regenerating ε from (seed, index) gives a bit-identical estimate, also when
/// computed on 1 or 2 threads.
#[test]
fn es_shared_seed_reproducibility() {
    let d = 7;
    let q = Quad::new(d, 1.0, 9);
    let th = theta(d, 10);
    let (sigma, n, seed) = (0.2, 64, 1234);
    let est = |threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                es_gradient(|x| q.f(x), &th, sigma, n, EsEstimator::Antithetic, seed).unwrap()
            })
    };
    let (a, b) = (est(1), est(2));
    let thv = Vector::from_column_slice(&th);
    let mut manual = Vector::zeros(d);
    for i in 0..n {
        let e = direction(d, seed, i as u64);
        let fp = q.f((&thv + &e * sigma).as_slice());
        let fm = q.f((&thv - &e * sigma).as_slice());
        manual += e * ((fp - fm) / (2.0 * sigma));
    }
    manual /= n as f64;
    for i in 0..d {
        assert_eq!(a[i].to_bits(), b[i].to_bits());
        assert_eq!(a[i].to_bits(), manual[i].to_bits());
    }
    assert!(matches!(
        es_gradient(|x| q.f(x), &th, 0.0, n, EsEstimator::Antithetic, seed),
        Err(OptimError::InvalidParameter { name: "sigma", .. })
    ));
    assert!(matches!(
        es_gradient(|_| f64::NAN, &th, 0.1, n, EsEstimator::Antithetic, seed),
        Err(OptimError::NonFiniteFitness { .. })
    ));
}
