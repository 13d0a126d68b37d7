//! `claims`: the claims lab. One experiment per claim heard when neuroscientists and ML engineers
//! argue; every number is computed here and every verdict is derived from those numbers with the
//! thresholds documented on each `claimN` function (and in `docs/cli.md`). Each claim names the
//! property test (crate test function) that guards the same fact.

use std::collections::BTreeMap;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

use crate::plasticity::credit::{self, EpVariant};
use crate::plasticity::receptive::v1stats;
use crate::tensor::{Matrix, Vector};
use crate::{Error, Progress, Result, VERSION};

/// Parameters of `claims`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClaimsParams {
    /// Claims to run (ids 1..=12); empty: all.
    pub only: Vec<usize>,
    /// Master seed.
    pub seed: u64,
    /// Epochs of the digits trainings of claims 3 and 5.
    pub epochs: usize,
    /// Use at most this many digits samples in claims 3 and 5 (`None`: all 1,797).
    pub max_samples: Option<usize>,
}

impl Default for ClaimsParams {
    fn default() -> Self {
        Self {
            only: Vec::new(),
            seed: 0,
            epochs: 15,
            max_samples: None,
        }
    }
}

/// One claim's outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claim {
    /// 1..=12.
    pub id: usize,
    /// The claim as people put it.
    pub claim: String,
    /// `holds`, `holds only when ...`, or `does not hold` (computed).
    pub verdict: String,
    /// The numbers behind the verdict.
    pub numbers: BTreeMap<String, f64>,
    /// The rule that turned the numbers into the verdict.
    pub rule: String,
    /// The property test(s) guarding the same fact (`crate::test_function`).
    pub test: String,
}

/// Result of `claims`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClaimsResult {
    /// neurograd version.
    pub version: String,
    /// Parameters used.
    pub params: ClaimsParams,
    /// The claims run, by id.
    pub claims: Vec<Claim>,
}

/// The claim texts, by id (index `id - 1`).
pub const CLAIMS: [&str; 12] = [
    "Even simple Hebbian learning can be viewed as gradient descent.",
    "Hebbian learning is in some cases equivalent to back-propagation.",
    "...but it is way less efficient.",
    "Gradients can be calculated in remarkably simple ways: look at recirculation.",
    "Nothing like back-propagation has been observed in real neurons (weight transport).",
    "Blind evolutionary algorithms are effectively descending a gradient.",
    "GA/evolution can explore disjoint domains and discontinuous functions where GD cannot.",
    "Balanced amplification propagates signals (macaque model).",
    "The early layers of a network trained on natural images resemble early visual cortex (Gabor-like simple cells).",
    "Real cells use Hebbian learning (spike timing).",
    "Brains don't use layers or back-propagation, so backprop-trained networks tell us nothing about how brains learn.",
    "Pooling in convolutional networks is what complex cells do: it makes responses phase-invariant.",
];

fn gaussian(rows: usize, cols: usize, rng: &mut ChaCha8Rng) -> Matrix {
    Matrix::from_fn(rows, cols, |_, _| StandardNormal.sample(rng))
}

fn claim(id: usize, verdict: String, numbers: &[(&str, f64)], rule: &str, test: &str) -> Claim {
    Claim {
        id,
        claim: CLAIMS[id - 1].to_string(),
        verdict,
        numbers: numbers.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
        rule: rule.to_string(),
        test: test.to_string(),
    }
}

/// Claim 1. Hebb `Δw = y x` on a linear unit `y = w·x` vs the gradient of `y²/2`; Oja
/// `Δw = y (x - y w)` vs the sphere-projected Hebb gradient `(I - w wᵀ) y x` at `|w| = 1`; the
/// asymmetry `‖J - Jᵀ‖_F` of Oja's expected field. Verdict: `holds only when ...` if the Hebb
/// cosine is `> 1 - 1e-9`, the Oja projected relative error `< 1e-9` and the asymmetry `> 1e-6`
/// (Oja's flow is then a projected gradient but not a gradient); `holds` if the asymmetry is also
/// zero; `does not hold` otherwise.
pub fn claim1(seed: u64) -> Result<Claim> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let d = 6;
    let x = gaussian(20, d, &mut rng);
    let w0 = gaussian(1, d, &mut rng);
    let w: Vector = Vector::from_iterator(d, w0.iter().copied()).normalize();
    let mut hebb = Vector::zeros(d);
    let mut grad = Vector::zeros(d);
    let mut oja = Vector::zeros(d);
    let mut proj = Vector::zeros(d);
    let eps = 1e-6;
    for r in 0..x.nrows() {
        let xr: Vector = x.row(r).transpose();
        let y = w.dot(&xr);
        hebb += &xr * y;
        // gradient of y^2/2 by central differences (independent of the Hebb formula)
        for k in 0..d {
            let mut wp = w.clone();
            let mut wm = w.clone();
            wp[k] += eps;
            wm[k] -= eps;
            grad[k] += (wp.dot(&xr).powi(2) - wm.dot(&xr).powi(2)) / (4.0 * eps);
        }
        oja += (&xr - &w * y) * y;
        let h = &xr * y;
        proj += &h - &w * w.dot(&h);
    }
    let hebb_cos = hebb.dot(&grad) / (hebb.norm() * grad.norm());
    let oja_err = (&oja - &proj).norm() / proj.norm();
    let c = x.transpose() * &x / x.nrows() as f64;
    let asym = crate::plasticity::local::oja::jacobian_asymmetry(&c, &w)?;
    let verdict = if hebb_cos > 1.0 - 1e-9 && oja_err < 1e-9 {
        if asym > 1e-6 {
            "holds only when read as (projected) gradient ascent: Hebb exactly on y^2/2, Oja only on the unit sphere; Oja's expected flow is not the gradient of any function".to_string()
        } else {
            "holds".to_string()
        }
    } else {
        "does not hold".to_string()
    };
    Ok(claim(
        1,
        verdict,
        &[
            ("hebb_cosine_to_gradient", hebb_cos),
            ("oja_vs_projected_gradient_relative_error", oja_err),
            ("oja_jacobian_asymmetry", asym),
        ],
        "hebb cosine > 1-1e-9 and oja projected error < 1e-9; asymmetry > 1e-6 makes it 'holds only when'",
        "neurograd-plasticity::hebb_is_the_gradient_of_half_y_squared, oja_is_projected_gradient_on_the_sphere, oja_expected_field_is_not_a_gradient",
    ))
}

/// Claim 2. EP (one-sided and symmetric nudging) vs the true gradient over beta, CHL (Xie-Seung
/// scaling) vs backprop over gamma, on a small network and batch; fitted log-log orders. Verdict:
/// `holds only when beta, gamma -> 0 ...` if every error shrinks as the parameter shrinks (fitted
/// order > 0.5) and the smallest-parameter errors are below 0.05; `does not hold` otherwise.
pub fn claim2(seed: u64) -> Result<Claim> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let x = gaussian(4, 3, &mut rng);
    let t = Matrix::from_fn(4, 2, |_, _| rand::RngExt::random_range(&mut rng, 0.2..0.8));
    // Smooth sigmoid units (no hard-sigmoid kinks), as in the crate's EP order test.
    let ep_net = credit::Network::new(
        &[3, 4, 2],
        crate::tensor::Activation::Sigmoid,
        crate::tensor::Activation::Sigmoid,
        credit::Loss::HalfSquaredError,
        seed,
    )?;
    let betas = [0.1, 0.05, 0.025, 0.0125];
    let one = credit::compare::ep_error_vs_beta(&ep_net, &x, &t, &betas, EpVariant::OneSided)?;
    let sym = credit::compare::ep_error_vs_beta(&ep_net, &x, &t, &betas, EpVariant::Symmetric)?;
    let chl_net = credit::registry::info("chl")?.network(&[3, 4, 2], seed)?;
    let gammas = [0.2, 0.1, 0.05, 0.025];
    let chl = credit::compare::chl_error_vs_gamma(&chl_net, &x, &t, &gammas)?;
    let (o1, o2, oc) = (
        credit::compare::fitted_order(&one),
        credit::compare::fitted_order(&sym),
        credit::compare::fitted_order(&chl),
    );
    let last = |v: &[credit::compare::ErrorPoint]| v.last().map_or(f64::NAN, |p| p.relative_error);
    let ok = o1 > 0.5
        && o2 > 0.5
        && oc > 0.5
        && last(&one) < 0.05
        && last(&sym) < 0.05
        && last(&chl) < 0.05;
    let verdict = if ok {
        "holds only in the limit beta, gamma -> 0, with symmetric weights and converged fixed points (error shrinks with the measured order)".to_string()
    } else {
        "does not hold".to_string()
    };
    Ok(claim(
        2,
        verdict,
        &[
            ("ep_one_sided_order_in_beta", o1),
            ("ep_symmetric_order_in_beta", o2),
            ("chl_order_in_gamma", oc),
            ("ep_one_sided_error_at_beta_0.0125", last(&one)),
            ("ep_symmetric_error_at_beta_0.0125", last(&sym)),
            ("chl_error_at_gamma_0.025", last(&chl)),
            ("ep_one_sided_error_at_beta_0.1", one[0].relative_error),
        ],
        "all fitted orders > 0.5 and all errors at the smallest parameter < 0.05",
        "neurograd-plasticity::ep_error_orders_in_beta, chl_converges_to_backprop_first_order",
    ))
}

/// Claim 4. Recirculation autoencoder (`n -> h -> n`) vs the reconstruction-error gradient over
/// lambda, with symmetric weights (decoder = encoderᵀ) and with independent weights. Verdict:
/// `holds only when weights are symmetric and lambda -> 1` if the symmetric encoder cosine at the
/// largest lambda exceeds 0.99 and beats the asymmetric one by more than 0.05; `does not hold`
/// otherwise.
pub fn claim4(seed: u64) -> Result<Claim> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let info = credit::registry::info("recirculation")?;
    let asym = info.network(&[6, 3, 6], seed)?;
    let mut sym = asym.clone();
    let enc = sym.weight(0)?.transpose();
    sym.set_weight(1, enc)?;
    let x = Matrix::from_fn(8, 6, |_, _| rand::RngExt::random_range(&mut rng, 0.0..1.0));
    let lambdas = [0.5, 0.75, 0.9, 0.99];
    let s = credit::compare::recirculation_vs_lambda(&sym, &x, &lambdas)?;
    let a = credit::compare::recirculation_vs_lambda(&asym, &x, &lambdas)?;
    let (sl, al) = (s[s.len() - 1], a[a.len() - 1]);
    let ok = sl.encoder_cosine > 0.99 && sl.encoder_cosine - al.encoder_cosine > 0.05;
    let verdict = if ok {
        "holds only when the weights are symmetric and lambda -> 1 (the decoder's rule is exact; the encoder's approaches the gradient)".to_string()
    } else {
        "does not hold".to_string()
    };
    Ok(claim(
        4,
        verdict,
        &[
            ("decoder_cosine_lambda_0.99", sl.decoder_cosine),
            ("encoder_cosine_symmetric_lambda_0.5", s[0].encoder_cosine),
            ("encoder_cosine_symmetric_lambda_0.99", sl.encoder_cosine),
            ("encoder_cosine_asymmetric_lambda_0.99", al.encoder_cosine),
            (
                "encoder_relative_error_symmetric_lambda_0.99",
                sl.encoder_relative_error,
            ),
        ],
        "symmetric encoder cosine at lambda 0.99 > 0.99 and exceeds the asymmetric one by > 0.05",
        "neurograd-plasticity::recirculation_matches_gradient_with_symmetric_weights",
    ))
}

/// Claims 3 and 5 from one `compare` run on digits (bp, fa, dfa, ss, pc, ep, chl).
///
/// Claim 3 verdict: `holds` if backprop reaches the target at least as early (epochs) as every
/// energy-based rule (ep, chl, pc) that reaches it, and the energy-based rules' wall time per epoch
/// is at least 2x backprop's; `does not hold` otherwise.
///
/// Claim 5 verdict: `holds` if FA, DFA and sign symmetry reach at least 0.9 test accuracy and FA's
/// angle to backprop in the last epoch is below 80 degrees; `does not hold` otherwise.
pub fn claims_3_and_5(p: &ClaimsParams, progress: &dyn Progress) -> Result<(Claim, Claim)> {
    let cp = super::compare::CompareParams {
        algorithms: ["bp", "fa", "dfa", "ss", "pc", "ep", "chl"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        epochs: p.epochs,
        seed: p.seed,
        max_samples: p.max_samples,
        ..Default::default()
    };
    let r = super::compare::run(&cp, progress)?;
    let get = |n: &str| r.results.iter().find(|a| a.algorithm == n);
    let per_epoch = |n: &str| get(n).map_or(f64::NAN, |a| a.wall_s / a.epochs.max(1) as f64);
    let to_target = |n: &str| {
        get(n)
            .and_then(|a| a.epochs_to_target)
            .map_or(f64::NAN, |e| e as f64)
    };
    let bp_epoch = per_epoch("bp");
    let energy = ["ep", "chl", "pc"];
    let min_ratio = energy
        .iter()
        .map(|n| per_epoch(n) / bp_epoch)
        .fold(f64::INFINITY, f64::min);
    let bp_first = energy.iter().all(|n| {
        let e = to_target(n);
        e.is_nan() || to_target("bp") <= e
    });
    let v3 = if bp_first && min_ratio >= 2.0 && !to_target("bp").is_nan() {
        format!(
            "holds: energy-based rules pay an inner relaxation loop, at least {min_ratio:.1}x backprop's time per epoch"
        )
    } else {
        "does not hold".to_string()
    };
    let mut n3 = [
        ("bp_wall_s_per_epoch", bp_epoch),
        ("min_energy_to_bp_time_ratio", min_ratio),
    ];
    let names3: Vec<(String, f64)> = ["bp", "ep", "chl", "pc"]
        .iter()
        .flat_map(|n| {
            [
                (
                    format!("{n}_epochs_to_{}", cp.target_accuracy),
                    to_target(n),
                ),
                (
                    format!("{n}_test_accuracy"),
                    get(n).and_then(|a| a.test_accuracy).unwrap_or(f64::NAN),
                ),
                (
                    format!("{n}_relaxation_steps_per_batch"),
                    get(n).map_or(f64::NAN, |a| a.relaxation_steps_per_batch),
                ),
                (format!("{n}_wall_s"), get(n).map_or(f64::NAN, |a| a.wall_s)),
            ]
        })
        .collect();
    let c3 = {
        let mut c = claim(
            3,
            v3,
            &[],
            "",
            "neurograd-plasticity::digits_floor_backprop (training floors)",
        );
        n3.iter_mut().for_each(|(k, v)| {
            c.numbers.insert(k.to_string(), *v);
        });
        names3.into_iter().for_each(|(k, v)| {
            c.numbers.insert(k, v);
        });
        c.rule = "backprop reaches the target no later than ep/chl/pc and they take >= 2x its time per epoch".into();
        c
    };
    let angle = |n: &str, first: bool| {
        get(n)
            .and_then(|a| {
                if first {
                    a.history.first()
                } else {
                    a.history.last()
                }
            })
            .and_then(|h| h.angle_to_bp_deg)
            .unwrap_or(f64::NAN)
    };
    let acc = |n: &str| get(n).and_then(|a| a.test_accuracy).unwrap_or(f64::NAN);
    let ok5 =
        acc("fa") >= 0.9 && acc("dfa") >= 0.9 && acc("ss") >= 0.9 && angle("fa", false) < 80.0;
    let v5 = if ok5 {
        "does not hold as an objection: learning works without symmetric feedback, and FA's updates come to align with backprop".to_string()
    } else {
        "does not hold here as a counter-argument either: FA/DFA/SS did not reach the accuracy or alignment threshold".to_string()
    };
    let mut c5 = claim(
        5,
        v5,
        &[
            ("bp_test_accuracy", acc("bp")),
            ("fa_test_accuracy", acc("fa")),
            ("dfa_test_accuracy", acc("dfa")),
            ("ss_test_accuracy", acc("ss")),
            ("fa_angle_first_epoch_deg", angle("fa", true)),
            ("fa_angle_last_epoch_deg", angle("fa", false)),
            ("dfa_angle_last_epoch_deg", angle("dfa", false)),
            ("ss_angle_last_epoch_deg", angle("ss", false)),
        ],
        "fa, dfa, ss test accuracy >= 0.9 and fa angle to backprop in the last epoch < 80 degrees",
        "neurograd-plasticity::digits_floor_feedback_alignment, digits_floor_direct_feedback_alignment, digits_floor_sign_symmetry, fa_aligns_on_linear_teacher",
    );
    c5.verdict = if ok5 {
        "holds that weight transport is not needed: FA, DFA and sign symmetry learn, and FA's updates align with backprop".into()
    } else {
        c5.verdict
    };
    Ok((c3, c5))
}

/// Claim 6. Antithetic ES estimate vs the true gradient of a quadratic in `d = 50` dimensions,
/// over population sizes; mean cosine vs `sqrt(n/(n+d+1))`. Verdict: `holds` if the mean cosine
/// grows with `n` and every measured mean lies within 0.1 of the prediction; `does not hold`
/// otherwise.
pub fn claim6(seed: u64) -> Result<Claim> {
    use crate::optim::blackbox::es_gradient::{EsEstimator, mean_cosine};
    let d = 50;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let scales: Vec<f64> = (0..d).map(|i| 1.0 + i as f64 / d as f64).collect();
    let theta: Vec<f64> = (0..d).map(|_| StandardNormal.sample(&mut rng)).collect();
    let f = |x: &[f64]| {
        x.iter()
            .zip(&scales)
            .map(|(v, s)| 0.5 * s * v * v)
            .sum::<f64>()
    };
    let g = Vector::from_iterator(d, theta.iter().zip(&scales).map(|(v, s)| s * v));
    let mut nums = Vec::new();
    let mut means = Vec::new();
    let mut max_dev: f64 = 0.0;
    for n in [1usize, 10, 50, 200] {
        let st = mean_cosine(f, &g, &theta, 1e-3, n, EsEstimator::Antithetic, 30, seed)?;
        max_dev = max_dev.max((st.mean - st.predicted).abs());
        means.push(st.mean);
        nums.push((format!("mean_cosine_n{n}"), st.mean));
        nums.push((format!("predicted_cosine_n{n}"), st.predicted));
    }
    let grows = means.windows(2).all(|w| w[1] > w[0]);
    let verdict = if grows && max_dev < 0.1 {
        "holds: the ES estimate follows the (smoothed) gradient, its cosine growing with population as sqrt(n/(n+d+1))".to_string()
    } else {
        "does not hold".to_string()
    };
    let mut c = claim(
        6,
        verdict,
        &[
            ("dimension", d as f64),
            ("max_deviation_from_theory", max_dev),
        ],
        "mean cosine increases with n and stays within 0.1 of sqrt(n/(n+d+1))",
        "neurograd-optim::es_cosine_formula",
    );
    for (k, v) in nums {
        c.numbers.insert(k, v);
    }
    Ok(c)
}

/// Claim 7. Step sphere (zero gradient almost everywhere) and Rastrigin (deceptive local minima)
/// in 10 dimensions: gradient descent from 5 seeded starts vs CMA-ES (step sphere) and IPOP-CMA-ES
/// (Rastrigin). Verdict: `holds, at a cost in evaluations` if GD succeeds on neither function in
/// any run while the evolutionary method succeeds in most runs on both; `does not hold` otherwise.
pub fn claim7(seed: u64, progress: &dyn Progress) -> Result<Claim> {
    let dim = 10;
    let runs = 5;
    let mut nums: Vec<(String, f64)> = Vec::new();
    let mut gd_any = false;
    let mut evo_ok = true;
    for (func, algo, target) in [
        ("step_sphere", "cmaes", 0.0),
        ("rastrigin", "ipop-cmaes", 1e-6),
    ] {
        let f = crate::optim::functions::by_name(func, dim)?;
        // Gradient descent: 2,000 steps of size 1e-3 along the analytic gradient (zero where none).
        let mut gd_success = 0;
        for k in 0..runs {
            let mut r = ChaCha8Rng::seed_from_u64(seed.wrapping_add(k));
            let mut x: Vec<f64> = (0..dim)
                .map(|_| rand::RngExt::random_range(&mut r, -5.0..5.0))
                .collect();
            for _ in 0..2000 {
                let g = f.gradient(&x)?.unwrap_or_else(|| Vector::zeros(dim));
                for (xi, gi) in x.iter_mut().zip(g.iter()) {
                    *xi -= 1e-3 * gi;
                }
            }
            if f.value(&x)? <= target {
                gd_success += 1;
            }
        }
        let p = super::optimize::OptimizeParams {
            algorithm: algo.into(),
            function: func.into(),
            dim,
            seeds: runs as usize,
            seed,
            target,
            max_evaluations: 200_000,
            popsize: None,
            sigma0: 2.0,
        };
        let r = super::optimize::run(&p, progress)?;
        gd_any |= gd_success > 0;
        evo_ok &= r.success_rate > 0.5;
        nums.push((
            format!("{func}_gd_success_rate"),
            gd_success as f64 / runs as f64,
        ));
        nums.push((format!("{func}_{algo}_success_rate"), r.success_rate));
        nums.push((
            format!("{func}_{algo}_median_evaluations"),
            r.median_evaluations.unwrap_or(f64::NAN),
        ));
    }
    let verdict = if !gd_any && evo_ok {
        "holds, at a cost in evaluations: gradient descent is stuck on steps and trapped by deception; CMA-ES / IPOP-CMA-ES solve them".to_string()
    } else {
        "does not hold".to_string()
    };
    let mut c = claim(
        7,
        verdict,
        &[],
        "gradient descent never succeeds and the evolutionary method succeeds in > 50 % of runs on both functions",
        "neurograd-optim::step_sphere_gd_stuck_cmaes_solves, ga_solves_traps_gradient_descent_is_deceived",
    );
    for (k, v) in nums {
        c.numbers.insert(k, v);
    }
    Ok(c)
}

/// Claim 8. Joglekar et al. (2018) macaque model, weak vs strong GBA, and the Murphy-Miller
/// two-population circuit. Verdict: `holds` if the strong/weak improvement of the 24c/V1 peak
/// ratio is at least 10 while both settings are stable (largest real eigenvalue < 0) and the
/// simulated transient gain exceeds 1 and matches the Schur closed form within 5 %; `does not
/// hold` otherwise.
pub fn claim8() -> Result<Claim> {
    let r = crate::neurons::circuits::macaque::claim8()?;
    let schur_err =
        (r.transient_gain_simulated - r.transient_gain_schur).abs() / r.transient_gain_schur.abs();
    let ok = r.improvement >= 10.0
        && r.eigenvalue_weak < 0.0
        && r.eigenvalue_strong < 0.0
        && r.transient_gain_simulated > 1.0
        && schur_err < 0.05;
    let verdict = if ok {
        format!(
            "holds: strong GBA carries the V1 pulse to 24c {:.0}x better while staying stable",
            r.improvement
        )
    } else {
        "does not hold".to_string()
    };
    Ok(claim(
        8,
        verdict,
        &[
            ("ratio_24c_v1_weak", r.ratio_weak),
            ("ratio_24c_v1_strong", r.ratio_strong),
            ("improvement_strong_over_weak", r.improvement),
            ("v1_peak_weak_hz", r.v1_peak_weak),
            ("v1_peak_strong_hz", r.v1_peak_strong),
            ("largest_real_eigenvalue_weak", r.eigenvalue_weak),
            ("largest_real_eigenvalue_strong", r.eigenvalue_strong),
            ("transient_gain_simulated", r.transient_gain_simulated),
            ("transient_gain_schur", r.transient_gain_schur),
        ],
        "24c/V1 improvement >= 10, both eigenvalues < 0, transient gain > 1 and within 5 % of the Schur form",
        "neurograd-neurons::strong_gba_propagates_orders_of_magnitude_better, largest_real_eigenvalues_match_the_reference",
    ))
}

/// The V1 experiment behind claims 9 and 12: `v1` at the test sizes of `docs/v1.md` (8 × 8
/// whitened patches of the bundled natural images, 20,000 patches, 48 filters per learner, sparse
/// coding 2000 batches, ISA 300 steps, the backprop-trained denoising convolutional autoencoder on
/// 4000 patches for 10 epochs), once on the natural images and once on their phase-scrambled
/// control (same power spectrum, no higher-order structure).
fn vision_params(seed: u64, control: Option<&str>) -> crate::experiments::v1::V1Params {
    crate::experiments::v1::V1Params {
        methods: ["sparse-coding", "ica", "isa", "cnn-bp"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        control: control.map(str::to_string),
        patch: 8,
        patches: 20_000,
        filters: 48,
        seed,
        ..crate::experiments::v1::V1Params::default()
    }
}

/// Claims 9 and 12 from one pair of `v1` runs (`vision_params`: 8 x 8 patches, 48 filters, natural and phase-scrambled).
///
/// **Claim 9** (Olshausen & Field 1996; Bell & Sejnowski 1997; Ringach 2002), as its proponents put
/// it: the first-layer filters of networks that learn from natural images are localised, oriented,
/// band-pass (Gabor-like), like the receptive fields of V1 simple cells, because of the statistics of
/// natural images. Measured: the fraction of filters with a *localised* Gabor fit (`R² >= 0.8`,
/// envelope within the patch) for sparse coding and ICA on whitened natural patches and on
/// phase-scrambled ones (the control that keeps the power spectrum), the same fraction for the
/// backprop-trained convolutional autoencoder, and the fraction of Gabor fits with both
/// `nx, ny < 0.5` against Ringach's 58 % of macaque simple cells. Verdict: `inconclusive` if a
/// control gives more than 5 % localised Gabors (the spectrum alone would explain them);
/// `holds for efficient-coding networks ...` if sparse coding or ICA reaches at least 30 %
/// localised Gabors on natural patches (the verdict then reports the shape mismatch with
/// macaque cells and the autoencoder's fraction); `does not hold` otherwise.
///
/// **Claim 12** (Hubel & Wiesel 1962; Adelson & Bergen 1985; Riesenhuber & Poggio 1999;
/// Hyvärinen & Hoyer 2000): pooling, as in convolutional networks, is what complex cells do:
/// pooling the energies of simple-cell-like units of one orientation and different phases gives
/// a phase-invariant response. Measured on independent subspace analysis (learned energy pooling
/// over subspaces of 4): the median orientation coherence of the subspaces and the median
/// phase-invariance index of their pooled energies, against a seeded random regrouping of the
/// same filters (the control); a single linear subunit has phase invariance 0 and the energy of a
/// quadrature pair 1 (`v1stats`, tested). Verdict: `holds` if coherence >= 0.8 and at least 0.3
/// above the random grouping's (four random orientations give about 0.45), and the pooled phase
/// invariance is >= 0.5 and above the random grouping's;
/// `holds only in part` if the coherence conditions hold and the phase invariance beats the
/// random grouping's but stays below 0.5; `does not hold` otherwise.
///
/// # Errors
/// The `v1` experiment's errors.
pub fn claims_9_and_12(seed: u64, progress: &dyn Progress) -> Result<(Claim, Claim)> {
    use crate::experiments::v1;
    let natural = v1::run(&vision_params(seed, None), progress)?;
    let scrambled = v1::run(&vision_params(seed, Some("phase-scrambled")), progress)?;
    let get = |r: &v1::V1Result, m: &str| -> Result<v1::MethodSummary> {
        r.methods
            .iter()
            .find(|s| s.method == m)
            .cloned()
            .ok_or_else(|| Error::invalid("claims", m, "missing from the v1 run"))
    };
    let (sc, ica, isa, cnn) = (
        get(&natural, "sparse-coding")?,
        get(&natural, "ica")?,
        get(&natural, "isa")?,
        get(&natural, "cnn-bp")?,
    );
    let (sc_ps, ica_ps) = (get(&scrambled, "sparse-coding")?, get(&scrambled, "ica")?);
    let both_below = |m: &v1::MethodSummary| m.fraction_both_below_half.unwrap_or(f64::NAN);
    let best = sc
        .fraction_localised_gabor
        .max(ica.fraction_localised_gabor);
    let control = sc_ps
        .fraction_localised_gabor
        .max(ica_ps.fraction_localised_gabor);
    let macaque = v1stats::ringach_reference().fraction_both_below_half;
    let verdict9 = if control > 0.05 {
        "inconclusive: the phase-scrambled control (same power spectrum) also gives localised Gabor-like filters".to_string()
    } else if best >= 0.3 {
        format!(
            "holds for efficient-coding networks: sparse coding and ICA learn localised, oriented, band-pass filters from natural images ({:.0} % and {:.0} % localised Gabors) and none from phase-scrambled images with the same power spectrum ({:.0} %), so the higher-order structure of natural images makes them V1-like; but their shapes differ from macaque simple cells (both nx, ny < 0.5: {:.0} % and {:.0} % vs {:.0} %: too many cycles), and the first layer of a convolutional autoencoder trained by backprop on the same patches is not Gabor-like at this budget ({:.0} % localised Gabors)",
            100.0 * sc.fraction_localised_gabor,
            100.0 * ica.fraction_localised_gabor,
            100.0 * control,
            100.0 * both_below(&sc),
            100.0 * both_below(&ica),
            100.0 * macaque,
            100.0 * cnn.fraction_localised_gabor,
        )
    } else {
        "does not hold: no learner gives localised Gabor-like filters on natural images".to_string()
    };
    let c9 = claim(
        9,
        verdict9,
        &[
            (
                "sparse_coding_fraction_localised_gabor",
                sc.fraction_localised_gabor,
            ),
            ("ica_fraction_localised_gabor", ica.fraction_localised_gabor),
            (
                "cnn_bp_autoencoder_fraction_localised_gabor",
                cnn.fraction_localised_gabor,
            ),
            ("sparse_coding_fraction_gabor", sc.fraction_gabor),
            ("ica_fraction_gabor", ica.fraction_gabor),
            (
                "phase_scrambled_sparse_coding_fraction_localised_gabor",
                sc_ps.fraction_localised_gabor,
            ),
            (
                "phase_scrambled_ica_fraction_localised_gabor",
                ica_ps.fraction_localised_gabor,
            ),
            ("sparse_coding_fraction_nx_ny_below_half", both_below(&sc)),
            ("ica_fraction_nx_ny_below_half", both_below(&ica)),
            ("macaque_fraction_nx_ny_below_half", macaque),
        ],
        "a phase-scrambled control with > 5 % localised Gabors -> inconclusive; sparse coding or ICA >= 30 % localised Gabors on natural patches -> holds for efficient-coding networks (shape mismatch and the CNN autoencoder reported); else does not hold",
        "neurograd::experiments::claims::tests::claims_9_and_12_vision, neurograd-plasticity::v1_learners::t10_sparse_coding_learns_gabors_from_natural_images, t10_control_sparse_coding_on_phase_scrambled_images, t13_ica_learns_gabors_from_natural_images_not_from_controls",
    );
    let cc = isa
        .complex_cells
        .clone()
        .ok_or_else(|| Error::invalid("claims", "isa", "no complex-cell measures"))?;
    let coherent =
        cc.median_coherence >= 0.8 && cc.median_coherence - cc.random_groups_coherence >= 0.3;
    let verdict12 = if coherent
        && cc.median_phase_invariance >= 0.5
        && cc.median_phase_invariance > cc.random_groups_phase_invariance
    {
        "holds: learned energy pooling groups filters of one orientation and gives phase-invariant, complex-cell-like responses, unlike random pooling".to_string()
    } else if coherent && cc.median_phase_invariance > cc.random_groups_phase_invariance {
        format!(
            "holds only in part: learned energy pooling groups filters of one orientation (coherence {:.2} vs {:.2} for random pooling) and is more phase-invariant than random pooling ({:.2} vs {:.2}), but far less than a complex cell (the energy of a quadrature pair: 1.0): pooling as such does not make complex cells, the pooled subunits must be in quadrature",
            cc.median_coherence,
            cc.random_groups_coherence,
            cc.median_phase_invariance,
            cc.random_groups_phase_invariance,
        )
    } else {
        "does not hold: learned pooling is no more orientation-coherent or phase-invariant than random pooling".to_string()
    };
    let c12 = claim(
        12,
        verdict12,
        &[
            ("isa_median_orientation_coherence", cc.median_coherence),
            (
                "random_pooling_median_orientation_coherence",
                cc.random_groups_coherence,
            ),
            ("isa_median_phase_invariance", cc.median_phase_invariance),
            (
                "random_pooling_median_phase_invariance",
                cc.random_groups_phase_invariance,
            ),
            ("quadrature_pair_phase_invariance", 1.0),
            ("single_subunit_phase_invariance", 0.0),
        ],
        "coherence >= 0.8 and >= random pooling + 0.3, and phase invariance >= 0.5 above random pooling's -> holds; coherent and above random pooling but < 0.5 -> holds only in part; else does not hold",
        "neurograd::experiments::claims::tests::claims_9_and_12_vision, neurograd-plasticity::v1_learners::t14_isa_subspaces_are_coherent_and_more_phase_invariant, v1measures::energy_model_is_phase_invariant_and_its_subunits_are_not",
    );
    Ok((c9, c12))
}

/// Claim 10 (Kempter, Gerstner & van Hemmen 1999; Pfister & Gerstner 2006). Pair STDP (Song et
/// al. 2000 parameters, all-to-all) with independent Poisson trains at (10, 10) and (20, 5) Hz:
/// measured drift (10 repeats of 100 s) vs `nu_pre nu_post (A+ tau+ - A- tau-)`; triplet STDP
/// (minimal visual-cortex set) at `nu_pre = 10` Hz and `nu_post = 5, 40` Hz against its rate
/// formula and BCM-like threshold. Verdict: `holds` if every measured drift is within 4 standard
/// errors of its formula and the triplet drift is negative below and positive above the
/// threshold; `does not hold` otherwise.
pub fn claim10(seed: u64) -> Result<Claim> {
    use crate::plasticity::local::SpikeRule;
    use crate::plasticity::local::harness::spikes::{DriftConfig, measure_drift};
    use crate::plasticity::local::stdp::PairStdp;
    use crate::plasticity::local::triplet::TripletStdp;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    // 10 repeats of 100 s (times in ms); drifts in 1/s
    let mut drift = |a: f64, b: f64, rule: &dyn SpikeRule| -> Result<(f64, f64)> {
        Ok(measure_drift(
            rule,
            &DriftConfig::default().rates(a, b).runs(10, 100_000.0),
            &mut rng,
        )?)
    };
    let pair = PairStdp::song_2000();
    let mut nums: Vec<(String, f64)> = Vec::new();
    let mut ok = true;
    for (a, b) in [(10.0, 10.0), (20.0, 5.0)] {
        let (m, se) = drift(a, b, &pair)?;
        let th = pair.rate_drift(a, b);
        ok &= (m - th).abs() <= 4.0 * se;
        nums.push((format!("pair_drift_measured_{a}_{b}_hz"), m));
        nums.push((format!("pair_drift_formula_{a}_{b}_hz"), th));
        nums.push((format!("pair_drift_standard_error_{a}_{b}_hz"), se));
    }
    let tri = TripletStdp::visual_cortex_minimal();
    let theta = tri.bcm_threshold()?;
    nums.push(("triplet_bcm_threshold_hz".into(), theta));
    for b in [5.0, 40.0] {
        let (m, se) = drift(10.0, b, &tri)?;
        let th = tri.rate_drift(10.0, b);
        ok &= (m - th).abs() <= 4.0 * se;
        ok &= if b < theta { m < 0.0 } else { m > 0.0 };
        nums.push((format!("triplet_drift_measured_10_{b}_hz"), m));
        nums.push((format!("triplet_drift_formula_10_{b}_hz"), th));
    }
    // window_integral is in ms; published in s
    nums.push(("pair_window_integral".into(), pair.window_integral() * 1e-3));
    let verdict = if ok {
        "holds: STDP with independent Poisson trains averages to a rate-based Hebbian rule (coefficient = window integral); triplet STDP gives a BCM-like threshold".to_string()
    } else {
        "does not hold".to_string()
    };
    let mut c = claim(
        10,
        verdict,
        &[],
        "every drift within 4 standard errors of its rate formula; triplet drift < 0 below and > 0 above the threshold",
        "neurograd-plasticity::pair_stdp_drift_matches_rate_formula, triplet_drift_changes_sign_at_bcm_threshold",
    );
    for (k, v) in nums {
        c.numbers.insert(k, v);
    }
    Ok(c)
}

/// Claim 11 (Bellec et al. 2020, e-prop). A recurrent spiking network (30 LIF neurons with
/// all-to-all recurrence: no layers) learns the bundled digits through a latency code (20 steps;
/// `compare --task spiking-digits --small`, 150 Adam iterations, batch 64) with
/// - surrogate-gradient BPTT (the backward pass through time the claim says brains cannot do),
/// - e-prop: online eligibility traces `e_ji = psi_j F_alpha(z_i)` times a learning signal
///   broadcast from the readout errors, `L_j = sum_k B_jk (pi_k - pi*_k)`; no backward pass
///   through time or layers, nothing stored per time step; with symmetric feedback
///   (`B = W_out^T`: the readout weights are sent back) and with fixed *random* feedback (no
///   weight transport at all),
/// - the true gradient of the Heaviside network (`psi = 0`: only the readout learns), the
///   baseline that says how much learning inside the recurrent network is worth.
///
/// It also measures the gradient-state bytes of BPTT and e-prop on one batch at `T = 20` and at
/// `T = 200` (the same trials followed by 180 silent steps), and the cosine of each e-prop
/// variant's gradient to BPTT's on the untrained network.
///
/// Verdict: `inconclusive` if BPTT beats the readout-only baseline by less than 0.2 (the task
/// would not need hidden learning). Otherwise `holds only for the mechanism ...` if symmetric
/// e-prop reaches BPTT's test accuracy minus 0.1 and beats the baseline by 0.2 or more, while
/// BPTT's gradient state grows at least 5-fold from `T = 20` to `T = 200` and e-prop's does not
/// grow; the verdict then says whether random e-prop is also within 0.1 of BPTT, or learns (0.2
/// above the baseline) but stays further below BPTT, or does not learn beyond the readout.
/// `holds` (in this experiment, gradient learning needs BPTT) otherwise.
///
/// # Errors
/// Task, algorithm and training errors.
pub fn claim11(seed: u64, progress: &dyn Progress) -> Result<Claim> {
    use crate::experiments::recurrent::{
        self as rec, RecurrentAlignParams, RecurrentCompareParams, TRUE_GRADIENT, Task,
        TaskNetwork, TaskSpec,
    };
    use crate::plasticity::recurrent::spiking::SpikingNet;
    use crate::plasticity::recurrent::{self as prec, SequenceBatch};
    let spec = TaskSpec {
        task: "spiking-digits".into(),
        small: true,
        network: "spiking".into(),
        ..TaskSpec::default()
    };
    let cmp = rec::compare(
        &RecurrentCompareParams {
            task: spec.clone(),
            algorithms: vec![
                "bptt".into(),
                "eprop-sym".into(),
                "eprop-random".into(),
                TRUE_GRADIENT.into(),
            ],
            cosine_every: 0,
            seed,
            ..RecurrentCompareParams::default()
        },
        progress,
    )?;
    let acc = |i: usize| cmp.results[i].test_accuracy.unwrap_or(f64::NAN);
    let (bptt, sym, random, readout) = (acc(0), acc(1), acc(2), acc(3));
    let al = rec::align(
        &RecurrentAlignParams {
            task: spec.clone(),
            algorithms: Some(vec!["eprop-sym".into(), "eprop-random".into()]),
            batch_size: None,
            seed,
        },
        progress,
    )?;
    let (cos_sym, cos_random) = (al.results[0].cosine_to_bptt, al.results[1].cosine_to_bptt);
    // Gradient state at T = 20 and T = 200 (the same trials, then silence).
    let task = Task::build(&spec, seed)?;
    let net = SpikingNet::for_task(
        &task,
        crate::train::sub_seed(seed, crate::train::Stream::Network),
    )?;
    let short = task.source().train_batch(0, 32)?;
    let silent = Matrix::zeros(short.batch_size(), task.n_in);
    let mut long_inputs = short.inputs().to_vec();
    long_inputs.resize(10 * short.inputs().len(), silent);
    let long = SequenceBatch::new(long_inputs, short.target().clone())?;
    let bytes = |name: &str, b: &SequenceBatch| -> Result<f64> {
        let mut a = prec::by_name::<SpikingNet>(name, &net, seed)?;
        Ok(a.gradient(&net, b)?.1.peak_gradient_state_bytes as f64)
    };
    let (bptt_20, bptt_200) = (bytes("bptt-sg", &short)?, bytes("bptt-sg", &long)?);
    let (eprop_20, eprop_200) = (bytes("eprop-sym", &short)?, bytes("eprop-sym", &long)?);
    let verdict = if bptt - readout < 0.2 {
        "inconclusive: BPTT does not beat the readout-only baseline, the task needs no learning inside the network".to_string()
    } else if sym >= bptt - 0.1
        && sym - readout >= 0.2
        && bptt_200 >= 5.0 * bptt_20
        && eprop_200 <= eprop_20
    {
        let random_part = if random >= bptt - 0.1 && random - readout >= 0.2 {
            "and so does e-prop with random feedback (no weight transport at all)"
        } else if random - readout >= 0.2 {
            "with random feedback (no weight transport at all) it also learns far above the readout alone but stays more than 0.1 below BPTT at this budget"
        } else {
            "with random feedback it does not learn beyond the readout at this budget"
        };
        format!(
            "holds only for the mechanism: BPTT needs a backward pass through time whose memory grows with the sequence, which brains do not have; but a recurrent spiking network without layers learns with symmetric e-prop (local eligibility traces, readout errors broadcast through the readout weights, online, memory independent of time) to within 0.1 of BPTT's accuracy and far above its readout alone; {random_part}. Not back-propagating does not mean not following an approximate gradient"
        )
    } else {
        "holds: in this experiment a rule without BPTT's backward pass does not come close to BPTT"
            .to_string()
    };
    Ok(claim(
        11,
        verdict,
        &[
            ("bptt_test_accuracy", bptt),
            ("eprop_sym_test_accuracy", sym),
            ("eprop_random_test_accuracy", random),
            ("readout_only_test_accuracy", readout),
            ("eprop_sym_cosine_to_bptt_untrained", cos_sym),
            ("eprop_random_cosine_to_bptt_untrained", cos_random),
            ("bptt_gradient_state_bytes_t20", bptt_20),
            ("bptt_gradient_state_bytes_t200", bptt_200),
            ("eprop_gradient_state_bytes_t20", eprop_20),
            ("eprop_gradient_state_bytes_t200", eprop_200),
        ],
        "BPTT - readout-only >= 0.2 (else inconclusive); symmetric e-prop >= BPTT - 0.1 and >= readout-only + 0.2, BPTT state x5 or more from T = 20 to 200 and e-prop's not growing -> 'holds only for the mechanism' (random e-prop reported against the same margins); else 'holds'",
        "neurograd::experiments::claims::tests::claim11_eprop_learns_without_backprop_through_time, neurograd::experiments::recurrent::tests::spiking_digits_small_floor_and_true_gradient_control",
    ))
}

/// Runs the requested claims (all by default).
///
/// # Errors
/// [`Error::InvalidParameter`] for an id outside 1..=12; the experiments' errors.
pub fn run(p: &ClaimsParams, progress: &dyn Progress) -> Result<ClaimsResult> {
    if let Some(&bad) = p.only.iter().find(|&&i| !(1..=12).contains(&i)) {
        return Err(Error::invalid("claims", bad, "claim ids are 1..=12"));
    }
    let want = |i: usize| p.only.is_empty() || p.only.contains(&i);
    // The claims' experiments are independent (each seeded from `p.seed`), so they run in
    // parallel on the rayon pool (`--threads`); the verdicts are the same for any thread count.
    // One progress phase counts finished experiments (the experiments' own phases would
    // interleave).
    type Job<'a> = Box<dyn Fn() -> Result<Vec<Claim>> + Send + Sync + 'a>;
    let quiet = crate::NoProgress;
    let q = &quiet;
    let one = |c: Result<Claim>| c.map(|c| vec![c]);
    let mut jobs: Vec<Job<'_>> = Vec::new();
    if want(1) {
        jobs.push(Box::new(move || one(claim1(p.seed))));
    }
    if want(2) {
        jobs.push(Box::new(move || one(claim2(p.seed))));
    }
    if want(3) || want(5) {
        jobs.push(Box::new(move || {
            let (c3, c5) = claims_3_and_5(p, q)?;
            Ok(vec![c3, c5])
        }));
    }
    if want(4) {
        jobs.push(Box::new(move || one(claim4(p.seed))));
    }
    if want(6) {
        jobs.push(Box::new(move || one(claim6(p.seed))));
    }
    if want(7) {
        jobs.push(Box::new(move || one(claim7(p.seed, q))));
    }
    if want(8) {
        jobs.push(Box::new(move || one(claim8())));
    }
    if want(9) || want(12) {
        jobs.push(Box::new(move || {
            let (c9, c12) = claims_9_and_12(p.seed, q)?;
            Ok(vec![c9, c12])
        }));
    }
    if want(10) {
        jobs.push(Box::new(move || one(claim10(p.seed))));
    }
    if want(11) {
        jobs.push(Box::new(move || one(claim11(p.seed, q))));
    }
    progress.start("claims", jobs.len() as u64);
    let mut out: Vec<Claim> = {
        use rayon::prelude::*;
        jobs.par_iter()
            .map(|job| {
                let r = job();
                progress.inc(1);
                r
            })
            .collect::<Result<Vec<Vec<Claim>>>>()?
            .into_iter()
            .flatten()
            .filter(|c| want(c.id))
            .collect()
    };
    progress.finish();
    out.sort_by_key(|c| c.id);
    Ok(ClaimsResult {
        version: VERSION.to_string(),
        params: p.clone(),
        claims: out,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NoProgress;

    /// Claim 11's verdict, asserted as measured (seed 0: BPTT 0.85, random e-prop 0.56,
    /// readout only 0.18; symmetric e-prop calibrated at 0.82 in the recurrent floor test):
    /// symmetric e-prop trains the layer-free recurrent spiking network to within 0.1 of BPTT and
    /// 0.2 above the readout-only baseline, and its gradient state does not grow with T while
    /// BPTT's does; random e-prop learns far above the readout but stays more than 0.1 below
    /// BPTT at this budget. The experiment could come out the other way (the `holds` and
    /// `inconclusive` branches); the readout-only baseline is its control.
    #[test]
    fn claim11_eprop_learns_without_backprop_through_time() {
        let c = claim11(0, &NoProgress).unwrap();
        assert!(
            c.verdict.starts_with("holds only for the mechanism")
                && c.verdict.contains("stays more than 0.1 below BPTT"),
            "{}: {:?}",
            c.verdict,
            c.numbers
        );
        let n = |k: &str| c.numbers[k];
        assert!(n("bptt_gradient_state_bytes_t200") >= 5.0 * n("bptt_gradient_state_bytes_t20"));
        assert_eq!(
            n("eprop_gradient_state_bytes_t200"),
            n("eprop_gradient_state_bytes_t20")
        );
    }

    /// Claims 9 and 12, asserted as measured (seed 0, release build of the same code: sparse
    /// coding 31 % and ICA 44 % localised Gabors, phase-scrambled 0 % and 0 %, CNN autoencoder 0 %,
    /// both nx, ny < 0.5: 3 % and 4 % vs macaque 58 %; ISA coherence 0.94 vs 0.47 random, phase
    /// invariance 0.11 vs 0.005). Claim 9 could
    /// have come out `inconclusive` (the phase-scrambled control giving localised Gabors) or
    /// `does not hold`; claim 12 `holds` (complex-cell-like invariance) or `does not hold`
    /// (learned pooling no better than random pooling, the control).
    #[test]
    fn claims_9_and_12_vision() {
        let (c9, c12) = claims_9_and_12(0, &NoProgress).unwrap();
        let n9 = |k: &str| c9.numbers[k];
        assert!(
            c9.verdict
                .starts_with("holds for efficient-coding networks"),
            "{}: {:?}",
            c9.verdict,
            c9.numbers
        );
        assert!(n9("phase_scrambled_sparse_coding_fraction_localised_gabor") <= 0.05);
        assert!(n9("phase_scrambled_ica_fraction_localised_gabor") <= 0.05);
        assert!(
            n9("sparse_coding_fraction_localised_gabor").max(n9("ica_fraction_localised_gabor"))
                >= 0.3
        );
        // The shape mismatch the verdict reports: far fewer compact fits than macaque cells.
        assert!(
            n9("sparse_coding_fraction_nx_ny_below_half")
                < 0.5 * n9("macaque_fraction_nx_ny_below_half")
        );
        let n12 = |k: &str| c12.numbers[k];
        assert!(
            c12.verdict.starts_with("holds only in part"),
            "{}: {:?}",
            c12.verdict,
            c12.numbers
        );
        assert!(n12("isa_median_phase_invariance") > n12("random_pooling_median_phase_invariance"));
    }
}
