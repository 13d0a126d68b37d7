//! Dense (rate) rules vs the objectives their theory names.

use super::common::{M, gaussian, rel, rng, spectrum_data};
use nalgebra::DVector;
use neurograd_plasticity::local::bcm::{self, Bcm, IntratorCooper, SlidingThreshold, Threshold};
use neurograd_plasticity::local::covariance::{Centering, Covariance, Means};
use neurograd_plasticity::local::delta::{DeltaRule, Link, SquaredError};
use neurograd_plasticity::local::foldiak::{self, Foldiak};
use neurograd_plasticity::local::harness::{Harness, Relation, strategies};
use neurograd_plasticity::local::hebb::Hebb;
use neurograd_plasticity::local::objective::{
    Objective, OutputSecondMoment, OutputVariance, column_means, finite_difference_gradient,
};
use neurograd_plasticity::local::oja::{self, Oja};
use neurograd_plasticity::local::perceptron::{self, Perceptron};
use neurograd_plasticity::local::three_factor::ModulatedHebb;
use neurograd_plasticity::local::train::{RateSchedule, RuleTrainConfig, train_rule};
use neurograd_plasticity::local::{Activity, Batch, LocalRule};
use neurograd_tensor::geometry;
use proptest::prelude::*;
use rand::RngExt;

proptest! {
    /// Checklist 1 (hebb_gradient), Hebb 1949 / Dayan & Abbott 2001: per sample `y xᵀ = ∇_W ½‖y‖²`
    /// against central finite differences of `½‖W x‖²` (rel 1e-7, `Harness::fd_tolerance`; the
    /// objective is quadratic, so only round-off remains), and the batch mean against finite
    /// differences of `½ mean_b ‖W x_b‖²` (same tolerance). Independently of the harness, the
    /// per-sample update equals the explicit outer product `(W x) xᵀ` (rel 1e-12) and the batch
    /// update `W Ĉ` with `Ĉ = XᵀX/B` (rel 1e-12).
    #[test]
    fn hebb_is_the_gradient_of_half_y_squared(w in strategies::matrix(3, 5, 2.0), x in strategies::matrix(8, 5, 3.0)) {
        let batch = Batch::new(x.clone()).unwrap();
        let h = Harness { force_finite_differences: true, ..Harness::default() };
        let r = h.check(&Hebb, &w, &batch).unwrap();
        prop_assert!(!r.analytic_gradient && r.tolerance == 1e-7, "{r}");
        r.into_test_result()?;
        let e = h.check_against(&Hebb, &OutputSecondMoment, Relation::ExpectedGradient, &w, &batch).unwrap();
        prop_assert!(!e.analytic_gradient, "{e}");
        e.into_test_result()?;
        for b in 0..x.nrows() {
            let xb = x.row(b).transpose();
            let yb = &w * &xb;
            let outer = M::from_fn(3, 5, |i, j| yb[i] * xb[j]);
            let xr = x.rows(b, 1).into_owned();
            let yr = M::from_row_slice(1, 3, yb.as_slice());
            let d = Hebb.delta(&Activity::new(&xr, &yr), &w).unwrap();
            prop_assert!(rel(&d, &outer) <= 1e-12, "{}", rel(&d, &outer));
        }
        let y = &x * w.transpose();
        let d = Hebb.delta(&Activity::new(&x, &y), &w).unwrap();
        let wc = &w * (x.transpose() * &x / x.nrows() as f64);
        prop_assert!(rel(&d, &wc) <= 1e-12, "{}", rel(&d, &wc));
    }

    /// The analytic gradients of `OutputSecondMoment` (`W Ĉ`) and `OutputVariance` (`W Σ̂`) equal
    /// central finite differences of their values (rel 1e-7). Negative controls: the gradient
    /// perturbed by 1e-4 of its norm in a random direction is rejected at the same tolerance
    /// (rel > 1e-5), and on non-centred data the two objectives' gradients differ (rel > 1e-3).
    #[test]
    fn objective_gradients_match_finite_differences(w in strategies::matrix(2, 4, 2.0), x in strategies::matrix(10, 4, 3.0), noise in strategies::matrix(2, 4, 1.0)) {
        let batch = Batch::new(x.map(|v| v + 2.0)).unwrap();
        let objectives: [&dyn Objective; 2] = [&OutputSecondMoment, &OutputVariance];
        for o in objectives {
            let g = o.gradient(&w, &batch).unwrap().unwrap();
            let fd = finite_difference_gradient(o, &w, &batch, 1e-5).unwrap();
            let err = geometry::relative_error(&g, &fd).unwrap();
            prop_assert!(err <= 1e-7, "{}: {err}", o.name());
            prop_assume!(noise.norm() > 1e-3);
            let perturbed = &g + &noise * (1e-4 * g.norm() / noise.norm());
            let bad = geometry::relative_error(&perturbed, &fd).unwrap();
            prop_assert!(bad > 1e-5, "{}: perturbed accepted, {bad}", o.name());
        }
        let g2 = OutputSecondMoment.gradient(&w, &batch).unwrap().unwrap();
        let gv = OutputVariance.gradient(&w, &batch).unwrap().unwrap();
        prop_assert!(rel(&g2, &gv) > 1e-3);
    }

    /// Checklist 2 (covariance_variants), Sejnowski 1977: on a batch with its own means, the pre-,
    /// post- and both-centred updates all equal `W Σ̂` (rel 1e-12).
    #[test]
    fn covariance_variants_agree_in_expectation(w in strategies::matrix(2, 4, 2.0), x in strategies::matrix(10, 4, 3.0)) {
        let batch = Batch::new(x.map(|v| v + 1.5)).unwrap();
        let h = Harness { tolerance: 1e-12, ..Harness::default() };
        for c in [Centering::Pre, Centering::Post, Centering::Both] {
            h.check(&Covariance::new(c), &w, &batch).unwrap().into_test_result()?;
        }
    }

    /// Checklist 3 (oja_projection_identity), Oja 1982: `y(x − yw) = (I − wwᵀ) y x` per sample
    /// for any norm of `w` (rel 1e-12).
    #[test]
    fn oja_identity_any_norm(w in strategies::matrix(1, 6, 3.0), x in strategies::matrix(1, 6, 3.0)) {
        let y = &x * w.transpose();
        let d = Oja.delta(&Activity::new(&x, &y), &w).unwrap();
        let wt = w.transpose();
        let proj = (M::identity(6, 6) - &wt * wt.transpose()) * x.transpose() * y[(0, 0)];
        prop_assert!((d.transpose() - &proj).norm() <= 1e-12 * proj.norm().max(1e-300) + 1e-300);
    }

    /// Checklist 3, projected-gradient reading (Oja 1982): at `‖w‖ = 1` the batch update equals the
    /// tangent projection of `∇½E[y²]` (rel 1e-9); the same rule off the sphere (`‖w‖ = 2`) does
    /// not (negative control: the condition matters).
    #[test]
    fn oja_is_projected_gradient_on_the_sphere(w in strategies::unit_rows(2, 5), x in strategies::matrix(12, 5, 2.0)) {
        let batch = Batch::new(x).unwrap();
        let h = Harness::default();
        let r = h.check(&Oja, &w, &batch).unwrap();
        prop_assert!(r.constraint_violation < 1e-12);
        r.into_test_result()?;
        let off = h.check(&Oja, &(&w * 2.0), &batch).unwrap();
        prop_assert!(!off.holds && off.relative_error > 1e-3, "{off}");
    }

    /// Checklist 9 (bcm_ic_gradient), Intrator & Cooper 1992: with `θ = mean(c²)` the batch BCM
    /// update equals the central-difference gradient of `mean(c³)/3 − mean(c²)²/4` (rel 1e-7).
    #[test]
    fn bcm_second_moment_threshold_is_intrator_cooper_gradient(w in strategies::matrix(2, 4, 1.0), x in strategies::matrix(16, 4, 2.0)) {
        let batch = Batch::new(x).unwrap();
        let h = Harness { force_finite_differences: true, ..Harness::default() };
        let r = h.check(&Bcm::new(Threshold::SecondMoment), &w, &batch).unwrap();
        prop_assert!(!r.analytic_gradient);
        r.into_test_result()?;
    }

    /// Checklist 13 (delta_rule_gradient), Widrow & Hoff 1960: `(t − y) xᵀ = −∇½‖t − y‖²` per
    /// sample vs central differences (rel 1e-7); with a logistic output the matched loss is
    /// cross-entropy (same tolerance). Negative control: logistic + squared error is *not*
    /// matched (rel > 1e-2).
    #[test]
    fn delta_rule_is_exact_negative_gradient(w in strategies::matrix(2, 3, 1.0), x in strategies::matrix(5, 3, 2.0), t in strategies::matrix(5, 2, 1.0)) {
        let h = Harness { force_finite_differences: true, ..Harness::default() };
        let batch = Batch::new(x).unwrap().with_target(t.clone()).unwrap();
        h.check(&DeltaRule::default(), &w, &batch).unwrap().into_test_result()?;
        let t01 = t.map(|v| (v + 1.0) / 2.0);
        let b01 = Batch::new(batch.pre.clone()).unwrap().with_target(t01).unwrap();
        let logistic = DeltaRule { link: Link::Logistic };
        h.check(&logistic, &w, &b01).unwrap().into_test_result()?;
        let wrong = h.check_against(&logistic, &SquaredError { link: Link::Logistic }, Relation::GradientStep, &w, &b01).unwrap();
        prop_assert!(wrong.relative_error > 1e-2, "{wrong}");
    }
}

/// Checklist 10 (bcm_mean_threshold_negative), theory.md §4: θ = mean(c) (Nengo-style) is not the
/// Intrator–Cooper gradient: relative error > 0.1 on a fixed random batch, while θ = mean(c²) is
/// (rel < 1e-7).
#[test]
fn bcm_mean_threshold_is_not_the_gradient() {
    let mut r = rng(4);
    let x = gaussian(64, 5, &mut r).map(|v| v + 0.3);
    let w = gaussian(1, 5, &mut r) * 0.5;
    let batch = Batch::new(x).unwrap();
    let h = Harness {
        force_finite_differences: true,
        ..Harness::default()
    };
    let good = h
        .check(&Bcm::new(Threshold::SecondMoment), &w, &batch)
        .unwrap();
    let bad = h
        .check_against(
            &Bcm::new(Threshold::Mean),
            &IntratorCooper,
            Relation::ExpectedGradient,
            &w,
            &batch,
        )
        .unwrap();
    assert!(good.holds && good.relative_error < 1e-7, "{good}");
    assert!(!bad.holds && bad.relative_error > 0.1, "{bad}");
}

/// Checklist 1(c), theory.md §1: plain Hebb grows ‖w‖ monotonically along the top eigenvector
/// (|cos(w, e₁)| > 0.99); the objective is unbounded, so no convergence of w is asserted.
#[test]
fn hebb_grows_along_top_eigenvector() {
    let (x, _, e) = spectrum_data(&[5.0, 3.0, 2.0, 1.0], 2000, 11);
    let mut w = gaussian(1, 4, &mut rng(12)) * 0.1;
    let mut last = w.norm();
    for i in 0..2000 {
        let xi = x.rows(i, 1).into_owned();
        let y = &xi * w.transpose();
        w += Hebb.delta(&Activity::new(&xi, &y), &w).unwrap() * 1e-3;
        // ‖w + η y x‖² = ‖w‖² + 2ηy² + η²y²‖x‖² ≥ ‖w‖²
        assert!(w.norm() >= last);
        last = w.norm();
    }
    let cos = (w.row(0).dot(&e.row(0)) / w.norm()).abs();
    assert!(cos > 0.99, "cos {cos}");
    assert!(w.norm() > 10.0);
}

/// Checklist 2(b), theory.md §2: per sample, the three centrings differ (guards against an
/// implementation that silently centres both).
#[test]
fn covariance_variants_differ_per_sample() {
    let mut r = rng(5);
    let x = gaussian(20, 3, &mut r).map(|v| v + 1.0);
    let w = gaussian(2, 3, &mut r);
    let y = &x * w.transpose();
    let means = Means::Given {
        pre: column_means(&x),
        post: column_means(&y),
    };
    let (x0, y0) = (x.rows(0, 1).into_owned(), y.rows(0, 1).into_owned());
    let d: Vec<M> = [Centering::Pre, Centering::Post, Centering::Both]
        .into_iter()
        .map(|c| {
            Covariance {
                centering: c,
                means: means.clone(),
            }
            .delta(&Activity::new(&x0, &y0), &w)
            .unwrap()
        })
        .collect();
    assert!(rel(&d[0], &d[1]) > 1e-3 && rel(&d[0], &d[2]) > 1e-3 && rel(&d[1], &d[2]) > 1e-3);
}

/// Checklist 4 (oja_normalized_hebb_order), theory.md §3a: at ‖w‖ = 1 normalised Hebb and Oja
/// differ by O(η²): halving η divides the gap by 4 (ratio in [3.6, 4.4]). Negative control: off
/// the sphere (‖w‖ = 1.5) the gap does not vanish as η → 0 (normalisation jumps back to the
/// sphere, a gap of about 0.5), so it stays above 0.1 at the smallest η.
#[test]
fn oja_is_normalized_hebb_to_second_order() {
    let mut r = rng(6);
    let w = DVector::from_fn(6, |_, _| r.random_range(-1.0..1.0)).normalize();
    let x = DVector::from_fn(6, |_, _| r.random_range(-1.0..1.0));
    let gap = |w: &DVector<f64>, eta: f64| {
        (oja::normalized_hebb_step(w, &x, eta).unwrap() - oja::oja_step(w, &x, eta).unwrap()).norm()
    };
    let etas = [1e-2, 5e-3, 2.5e-3, 1.25e-3];
    for pair in etas.windows(2) {
        let ratio = gap(&w, pair[0]) / gap(&w, pair[1]);
        assert!((3.6..=4.4).contains(&ratio), "ratio {ratio}");
    }
    assert!(gap(&(&w * 1.5), 1.25e-3) > 0.1);
}

/// Checklist 5 (oja_not_gradient), theory.md §3a: the Jacobian of Oja's expected field
/// `Cw − (wᵀCw)w` is not symmetric (‖J − Jᵀ‖ > 1e-3), so the field is not a Euclidean gradient.
/// Control: the Hebbian field `Cw` has the symmetric Jacobian `C`; the analytic Jacobian matches
/// central differences of the field (rel 1e-7).
#[test]
fn oja_expected_field_is_not_a_gradient() {
    let (_, c, _) = spectrum_data(&[5.0, 3.0, 2.0, 1.0, 0.5, 0.25], 10, 7);
    let w = DVector::from_fn(6, |i, _| 0.3 + 0.1 * i as f64);
    let asym = oja::jacobian_asymmetry(&c, &w).unwrap();
    assert!(asym > 1e-3, "asymmetry {asym}");
    assert!((&c - c.transpose()).norm() < 1e-12);
    let j = oja::expected_jacobian(&c, &w).unwrap();
    let h = 1e-6;
    let fd = M::from_fn(6, 6, |i, k| {
        let mut wp = w.clone();
        let mut wm = w.clone();
        wp[k] += h;
        wm[k] -= h;
        (oja::expected_update(&c, &wp).unwrap()[i] - oja::expected_update(&c, &wm).unwrap()[i])
            / (2.0 * h)
    });
    assert!(rel(&fd, &j) < 1e-7, "{}", rel(&fd, &j));
}

/// Checklist 11 (bcm_selectivity), Intrator & Cooper 1992: with orthonormal patterns presented
/// with probabilities p, the expected I&C dynamics reach a selective fixed point: c = 1/p_k on one
/// pattern (within 1e-6), 0 on the other (≤ 1e-3). The stochastic rule with a low-pass θ
/// (τ = 50 samples, η = 2e-3; w averaged over the last 1e4 of 6e4 samples) gets within 0.05.
#[test]
fn bcm_becomes_selective() {
    let patterns = M::identity(2, 2);
    for probs in [[0.5, 0.5], [0.3, 0.7]] {
        let mut w = M::from_row_slice(1, 2, &[0.35, 0.3]);
        for _ in 0..20000 {
            w += bcm::expected_update(&patterns, &probs, &w).unwrap() * 0.05;
        }
        let c = &patterns * w.transpose();
        let (sel, other) = if c[0].abs() > c[1].abs() {
            (0, 1)
        } else {
            (1, 0)
        };
        assert!((c[sel] - 1.0 / probs[sel]).abs() <= 1e-6, "{c}");
        assert!(c[other].abs() <= 1e-3, "{c}");
    }
    let mut r = rng(8);
    let rule = Bcm::new(Threshold::State);
    let mut w = M::from_row_slice(1, 2, &[0.35, 0.3]);
    let mut theta = SlidingThreshold::new(1, 50.0, 0.0).unwrap();
    let mut avg = M::zeros(1, 2);
    let steps = 60000;
    for s in 0..steps {
        let k = if r.random::<f64>() < 0.5 { 0 } else { 1 };
        let x = patterns.rows(k, 1).into_owned();
        let y = &x * w.transpose();
        theta.update(&y).unwrap();
        w += rule
            .delta(&Activity::new(&x, &y).with_state(&theta.theta), &w)
            .unwrap()
            * 2e-3;
        if s >= steps - 10000 {
            avg += &w / 10000.0;
        }
    }
    let c = &patterns * avg.transpose();
    let (sel, other) = if c[0].abs() > c[1].abs() {
        (0, 1)
    } else {
        (1, 0)
    };
    assert!((c[sel] - 2.0).abs() <= 0.05, "{c}");
    assert!(c[other].abs() <= 0.05, "{c}");
}

/// Checklist 12 (foldiak_decorrelation), Földiák 1989/1990: expected anti-Hebbian updates with the
/// exact `C_y = G C Gᵀ` (α = 0.05, 2e4 iterations, 5-D) drive the off-diagonal output covariance
/// to ≤ 1e-10 × max diagonal. Negative control: before learning the outputs are correlated
/// (ratio > 0.1). The `LocalRule` on a batch equals the expected update with the batch covariance.
#[test]
fn foldiak_decorrelates() {
    let mut r = rng(9);
    let a = gaussian(5, 5, &mut r);
    let c = &a * a.transpose() / 5.0 + M::identity(5, 5) * 0.5;
    let ratio = |cy: &M| {
        let off = M::from_fn(5, 5, |i, j| if i == j { 0.0 } else { cy[(i, j)] }).amax();
        off / cy.diagonal().amax()
    };
    let mut m = M::zeros(5, 5);
    assert!(ratio(&foldiak::output_covariance(&m, &c).unwrap()) > 0.1);
    for _ in 0..20000 {
        m += foldiak::expected_delta(&m, &c).unwrap() * 0.05;
    }
    let final_ratio = ratio(&foldiak::output_covariance(&m, &c).unwrap());
    assert!(final_ratio <= 1e-10, "ratio {final_ratio}");
    let x = gaussian(50, 5, &mut r);
    let batch_c = x.transpose() * &x / 50.0;
    let y = foldiak::settle(&m, &x).unwrap();
    let d = Foldiak::default()
        .delta(&Activity::new(&x, &y), &m)
        .unwrap();
    assert!(rel(&d, &foldiak::expected_delta(&m, &batch_c).unwrap()) < 1e-10);
}

/// Checklist 12, stochastic version (theory.md §5.4; pitfall 3: a seeded 4-SE tolerance):
/// Földiák's rule applied to sampled mini-batches of correlated 5-D Gaussian inputs (batch 10,
/// Robbins-Monro rate `α_t = 0.05 / (1 + t/200)`, 50,000 steps) decorrelates the settled outputs.
/// On N = 20,000 fresh samples every off-diagonal correlation coefficient is at most `4/√N`, the
/// sampling noise bound. Negative control: the same inputs through `M = 0` are correlated far
/// beyond the bound (> 10 · 4/√N).
#[test]
fn foldiak_stochastic_updates_decorrelate_within_sampling_noise() {
    let mut r = rng(19);
    let mix = gaussian(5, 5, &mut r) / 5f64.sqrt() + M::identity(5, 5) * 0.7;
    let draw = |n: usize, r: &mut rand_chacha::ChaCha8Rng| gaussian(n, 5, r) * mix.transpose();
    let max_corr = |y: &M| {
        let n = y.nrows() as f64;
        let means = y.row_sum() / n;
        let centred = M::from_fn(y.nrows(), 5, |i, j| y[(i, j)] - means[j]);
        let cov = centred.transpose() * &centred / n;
        let mut worst: f64 = 0.0;
        for i in 0..5 {
            for j in 0..5 {
                if i != j {
                    worst = worst.max((cov[(i, j)] / (cov[(i, i)] * cov[(j, j)]).sqrt()).abs());
                }
            }
        }
        worst
    };
    let rule = Foldiak::default();
    let mut m = M::zeros(5, 5);
    for t in 0..50_000 {
        let x = draw(10, &mut r);
        let y = foldiak::settle(&m, &x).unwrap();
        let d = rule.delta(&Activity::new(&x, &y), &m).unwrap();
        m += d * (0.05 / (1.0 + t as f64 / 200.0));
    }
    let n_eval = 20_000;
    let bound = 4.0 / (n_eval as f64).sqrt();
    let x_eval = draw(n_eval, &mut r);
    let learned = max_corr(&foldiak::settle(&m, &x_eval).unwrap());
    let untrained = max_corr(&foldiak::settle(&M::zeros(5, 5), &x_eval).unwrap());
    assert!(learned <= bound, "max |r| {learned} > 4/sqrt(N) = {bound}");
    assert!(untrained > 10.0 * bound, "control: max |r| {untrained}");
}

/// Checklist 13(c), Widrow & Hoff 1960: LMS on a noiseless linear teacher with η < 2/λ_max(C)
/// converges to the teacher (rel ≤ 1e-8). Negative control: η far above 2/λ_max diverges and is
/// reported as `Diverged`.
#[test]
fn lms_converges_to_teacher() {
    let mut r = rng(10);
    let x = gaussian(200, 4, &mut r);
    let teacher = gaussian(2, 4, &mut r);
    let t = &x * teacher.transpose();
    let batch = Batch::new(x).unwrap().with_target(t).unwrap();
    let mut w = M::zeros(2, 4);
    let cfg = RuleTrainConfig::new(RateSchedule::Constant(0.3), 3000, 200);
    train_rule(&DeltaRule::default(), &mut w, &batch, &cfg).unwrap();
    assert!(rel(&w, &teacher) <= 1e-8, "{}", rel(&w, &teacher));
    let mut w = M::zeros(2, 4);
    let cfg = RuleTrainConfig::new(RateSchedule::Constant(10.0), 3000, 200);
    assert!(matches!(
        train_rule(&DeltaRule::default(), &mut w, &batch, &cfg),
        Err(neurograd_plasticity::PlasticityError::Diverged { .. })
    ));
}

/// Checklist 14 (perceptron_mistake_bound), Novikoff 1962: the online perceptron makes at most
/// ⌊(R/γ)²⌋ mistakes on data separable with margin γ (exact integer bound). Also: its update is
/// the negative gradient of twice the perceptron criterion per sample (rel 1e-7, FD).
#[test]
fn perceptron_respects_novikoff_bound() {
    let mut r = rng(13);
    let u = DVector::from_fn(5, |_, _| r.random_range(-1.0..1.0)).normalize();
    let mut rows = Vec::new();
    let mut labels = Vec::new();
    while labels.len() < 300 {
        let x = DVector::from_fn(5, |_, _| r.random_range(-1.0..1.0));
        let m: f64 = x.dot(&u);
        if m.abs() > 0.1 {
            labels.push(m.signum());
            rows.push(x);
        }
    }
    let x = M::from_fn(rows.len(), 5, |i, j| rows[i][j]);
    let bound = perceptron::novikoff_bound(&x, &labels, &u).unwrap();
    let run = perceptron::train_online(&x, &labels, 1000).unwrap();
    assert!(run.converged);
    assert!(run.mistakes <= bound, "{} > {bound}", run.mistakes);
    assert!(run.mistakes > 0);
    let w = gaussian(1, 5, &mut r);
    let t = M::from_fn(x.nrows(), 1, |i, _| labels[i]);
    let batch = Batch::new(x.rows(0, 20).into_owned())
        .unwrap()
        .with_target(t.rows(0, 20).into_owned())
        .unwrap();
    let h = Harness {
        force_finite_differences: true,
        ..Harness::default()
    };
    let rep = h.check(&Perceptron, &w, &batch).unwrap();
    assert!(rep.holds, "{rep}");
}

/// Three-factor rate rule (Frémaux & Gerstner 2016): with modulator m ≡ 1 it is plain Hebb
/// exactly; m ≡ 0 changes nothing; it is linear in m (m = 2 doubles the update).
#[test]
fn modulated_hebb_reduces_to_hebb() {
    let mut r = rng(14);
    let x = gaussian(6, 3, &mut r);
    let w = gaussian(2, 3, &mut r);
    let y = &x * w.transpose();
    let ones = DVector::from_element(6, 1.0);
    let twos = DVector::from_element(6, 2.0);
    let zeros = DVector::zeros(6);
    let h = Hebb.delta(&Activity::new(&x, &y), &w).unwrap();
    let m1 = ModulatedHebb
        .delta(&Activity::new(&x, &y).with_modulator(&ones), &w)
        .unwrap();
    let m2 = ModulatedHebb
        .delta(&Activity::new(&x, &y).with_modulator(&twos), &w)
        .unwrap();
    let m0 = ModulatedHebb
        .delta(&Activity::new(&x, &y).with_modulator(&zeros), &w)
        .unwrap();
    assert!(rel(&m1, &h) < 1e-15);
    assert!(rel(&m2, &(&h * 2.0)) < 1e-15);
    assert_eq!(m0.norm(), 0.0);
}

/// Harness negative control (Aligned): a random update is not aligned with the Hebbian gradient
/// (|cosine| < 0.5), while Hebb itself is (cosine 1).
#[test]
fn harness_aligned_negative_control() {
    struct Random(M);
    impl LocalRule for Random {
        fn delta(&self, _: &Activity<'_>, _: &M) -> neurograd_plasticity::Result<M> {
            Ok(self.0.clone())
        }
    }
    let mut r = rng(15);
    let x = gaussian(30, 20, &mut r);
    let w = gaussian(3, 20, &mut r);
    let batch = Batch::new(x).unwrap();
    let h = Harness::default();
    let rel = Relation::Aligned { min_cosine: 0.9 };
    let good = h
        .check_against(&Hebb, &OutputSecondMoment, rel, &w, &batch)
        .unwrap();
    let bad = h
        .check_against(
            &Random(gaussian(3, 20, &mut r)),
            &OutputSecondMoment,
            rel,
            &w,
            &batch,
        )
        .unwrap();
    assert!(good.holds && good.cosine > 1.0 - 1e-12);
    assert!(!bad.holds && bad.cosine.abs() < 0.5, "{bad}");
}
