//! Gradient optimizers, schedules and clipping.

use crate::common::{random_quadratic, rng};
use nalgebra::DMatrix;
use neurograd_optim::gradient::*;
use neurograd_optim::schedule::{Schedule, clip_global_norm};
use neurograd_optim::{Matrix, OptimError};
use proptest::prelude::*;
use rand_distr::{Distribution, StandardNormal};

fn randm(r: &mut rand_chacha::ChaCha8Rng, rows: usize, cols: usize) -> Matrix {
    Matrix::from_fn(rows, cols, |_, _| StandardNormal.sample(r))
}

fn all_configs() -> Vec<GradientOptimizerConfig> {
    GradientOptimizerConfig::NAMES
        .iter()
        .map(|n| GradientOptimizerConfig::from_name(n).expect("known name"))
        .collect()
}

/// An SGD step is exactly `θ − η g` (one rounded multiply and subtract per element).
#[test]
fn sgd_step_is_exactly_minus_lr_g() {
    let mut r = rng(1);
    let p0 = vec![randm(&mut r, 3, 4), randm(&mut r, 5, 1)];
    let g = vec![randm(&mut r, 3, 4), randm(&mut r, 5, 1)];
    let lr = 0.037;
    let mut opt = Sgd::new(SgdConfig {
        lr,
        weight_decay: 0.0,
    })
    .unwrap();
    let mut p = p0.clone();
    opt.step(&mut p, &g).unwrap();
    for k in 0..2 {
        for (i, (&a, (&b, &gi))) in p[k].iter().zip(p0[k].iter().zip(g[k].iter())).enumerate() {
            assert_eq!(
                a.to_bits(),
                (b - lr * gi).to_bits(),
                "tensor {k} element {i}"
            );
        }
    }
}

/// Kingma & Ba (2015), section 2.1: with bias correction the first Adam step has magnitude
/// `η |g|/(|g| + ε)` per coordinate, i.e. ≈ η whatever the gradient scale. Negative control: SGD's
/// first step scales with |g| and is not η.
#[test]
fn adam_first_step_moves_each_coordinate_by_lr() {
    let mut r = rng(2);
    let p0 = vec![randm(&mut r, 4, 3)];
    // gradients over six orders of magnitude
    let g = vec![Matrix::from_fn(4, 3, |i, j| {
        let s: f64 = StandardNormal.sample(&mut r);
        s * 10f64.powi((i * 3 + j) as i32 % 7 - 3)
    })];
    for (lr, eps) in [(1e-3, 1e-8), (0.1, 1e-12)] {
        let mut opt = Adam::new(AdamConfig {
            lr,
            eps,
            ..AdamConfig::default()
        })
        .unwrap();
        let mut p = p0.clone();
        opt.step(&mut p, &g).unwrap();
        for ((&a, &b), &gi) in p[0].iter().zip(p0[0].iter()).zip(g[0].iter()) {
            let expected = lr * gi.abs() / (gi.abs() + eps);
            let moved = b - a;
            assert!(moved * gi > 0.0, "moves against the gradient");
            assert!(
                (moved.abs() - expected).abs() <= 1e-12 * lr,
                "moved {moved}, expected {expected}"
            );
            assert!((moved.abs() - lr).abs() <= lr * eps / gi.abs() + 1e-12 * lr);
        }
    }
    // negative control
    let mut sgd = Sgd::new(SgdConfig {
        lr: 1e-3,
        weight_decay: 0.0,
    })
    .unwrap();
    let mut p = p0.clone();
    sgd.step(&mut p, &g).unwrap();
    let off = p[0]
        .iter()
        .zip(p0[0].iter())
        .filter(|(a, b)| ((*b - *a).abs() - 1e-3).abs() > 1e-4)
        .count();
    assert!(off >= 6, "SGD steps are not all of size lr ({off} differ)");
}

/// Loshchilov & Hutter (2019), Algorithm 2: AdamW = Adam step on the raw gradient plus the
/// decoupled decay `−η λ θ`.
#[test]
fn adamw_is_adam_plus_decoupled_decay() {
    let mut r = rng(3);
    let mut p_w = vec![randm(&mut r, 3, 3)];
    let mut p_a;
    let (lr, wd) = (0.01, 0.1);
    let mut w = AdamW::new(AdamWConfig {
        lr,
        weight_decay: wd,
        ..AdamWConfig::default()
    })
    .unwrap();
    let mut a = Adam::new(AdamConfig {
        lr,
        ..AdamConfig::default()
    })
    .unwrap();
    for _ in 0..5 {
        let g = vec![randm(&mut r, 3, 3)];
        let before = p_w[0].clone();
        p_a = vec![before.clone()];
        w.step(&mut p_w, &g).unwrap();
        a.step(&mut p_a, &g).unwrap();
        let expected = &p_a[0] - &before * (lr * wd);
        assert!(
            (&p_w[0] - &expected).amax() < 1e-15,
            "{}",
            (&p_w[0] - &expected).amax()
        );
    }
    // coupled L2 in Adam is not the same thing (negative control)
    let mut r = rng(3);
    let mut p_l2 = vec![randm(&mut r, 3, 3)];
    let mut p_w = p_l2.clone();
    let mut l2 = Adam::new(AdamConfig {
        lr,
        weight_decay: wd,
        ..AdamConfig::default()
    })
    .unwrap();
    let mut w = AdamW::new(AdamWConfig {
        lr,
        weight_decay: wd,
        ..AdamWConfig::default()
    })
    .unwrap();
    for _ in 0..5 {
        let g = vec![randm(&mut r, 3, 3)];
        l2.step(&mut p_l2, &g).unwrap();
        w.step(&mut p_w, &g).unwrap();
    }
    assert!((&p_l2[0] - &p_w[0]).amax() > 1e-6);
}

/// Polyak / Nesterov momentum, PyTorch convention: two steps computed by hand.
#[test]
fn momentum_and_nesterov_match_hand_computation() {
    let (lr, mu) = (0.1, 0.9);
    let g1 = 2.0;
    let g2 = -1.0;
    for nesterov in [false, true] {
        let mut opt = Momentum::new(MomentumConfig {
            lr,
            momentum: mu,
            nesterov,
            weight_decay: 0.0,
        })
        .unwrap();
        let mut p = vec![Matrix::from_element(1, 1, 1.0)];
        opt.step(&mut p, &[Matrix::from_element(1, 1, g1)]).unwrap();
        opt.step(&mut p, &[Matrix::from_element(1, 1, g2)]).unwrap();
        let v1 = g1;
        let v2 = mu * v1 + g2;
        let (u1, u2) = if nesterov {
            (g1 + mu * v1, g2 + mu * v2)
        } else {
            (v1, v2)
        };
        let expected = 1.0 - lr * u1 - lr * u2;
        assert!(
            (p[0][(0, 0)] - expected).abs() < 1e-15,
            "nesterov={nesterov}"
        );
    }
}

/// AdaGrad (Duchi et al. 2011) and RMSProp (Tieleman & Hinton 2012): two steps by hand.
#[test]
fn adagrad_and_rmsprop_match_hand_computation() {
    let (g1, g2) = (0.5_f64, -2.0_f64);
    let mut ada = AdaGrad::new(AdaGradConfig {
        lr: 0.1,
        eps: 1e-10,
        weight_decay: 0.0,
    })
    .unwrap();
    let mut p = vec![Matrix::from_element(1, 1, 0.0)];
    ada.step(&mut p, &[Matrix::from_element(1, 1, g1)]).unwrap();
    ada.step(&mut p, &[Matrix::from_element(1, 1, g2)]).unwrap();
    let s1 = g1 * g1;
    let s2 = s1 + g2 * g2;
    let e = -0.1 * g1 / (s1.sqrt() + 1e-10) - 0.1 * g2 / (s2.sqrt() + 1e-10);
    assert!((p[0][(0, 0)] - e).abs() < 1e-15);

    let mut rms = RmsProp::new(RmsPropConfig {
        lr: 0.01,
        alpha: 0.9,
        eps: 1e-8,
        weight_decay: 0.0,
    })
    .unwrap();
    let mut p = vec![Matrix::from_element(1, 1, 0.0)];
    rms.step(&mut p, &[Matrix::from_element(1, 1, g1)]).unwrap();
    rms.step(&mut p, &[Matrix::from_element(1, 1, g2)]).unwrap();
    let v1 = 0.1 * g1 * g1;
    let v2 = 0.9 * v1 + 0.1 * g2 * g2;
    let e = -0.01 * g1 / (v1.sqrt() + 1e-8) - 0.01 * g2 / (v2.sqrt() + 1e-8);
    assert!((p[0][(0, 0)] - e).abs() < 1e-15);
}

/// Minimise `f(x) = ½ xᵀAx − bᵀx` with `optimizer`, changing the learning rate by `schedule`.
/// Returns `(f(x_T) − f*) / (f(x_0) − f*)`.
fn quad_run(
    cfg: &GradientOptimizerConfig,
    schedule: &Schedule,
    steps: u64,
    seed: u64,
    d: usize,
) -> f64 {
    let (a, b) = random_quadratic(d, 1.0, 10.0, seed);
    let xstar = a.clone().cholesky().expect("spd").solve(&b);
    let f = |x: &DMatrix<f64>| {
        let xv = x.column(0);
        0.5 * xv.dot(&(&a * xv)) - b.dot(&xv)
    };
    let fstar = f(&DMatrix::from_column_slice(d, 1, xstar.as_slice()));
    let mut opt = cfg.build().unwrap();
    let mut x = vec![DMatrix::from_element(d, 1, 3.0)];
    let f0 = f(&x[0]) - fstar;
    for t in 0..steps {
        schedule.apply(&mut opt, t).unwrap();
        let g = vec![&a * &x[0] - DMatrix::from_column_slice(d, 1, b.as_slice())];
        opt.step(&mut x, &g).unwrap();
    }
    (f(&x[0]) - fstar) / f0
}

fn convergent_setups() -> Vec<(GradientOptimizerConfig, Schedule)> {
    let c = |n: &str, lr: f64| GradientOptimizerConfig::from_name(n).unwrap().with_lr(lr);
    let cos = |lr: f64| Schedule::cosine(lr, 0.0, 2000).unwrap();
    let mut adamw = c("adamw", 0.05);
    if let GradientOptimizerConfig::AdamW(w) = &mut adamw {
        w.weight_decay = 0.0;
    }
    vec![
        (c("sgd", 0.1), Schedule::constant(0.1).unwrap()),
        (c("momentum", 0.02), Schedule::constant(0.02).unwrap()),
        (c("nesterov", 0.02), Schedule::constant(0.02).unwrap()),
        (c("adagrad", 1.0), Schedule::constant(1.0).unwrap()),
        (c("rmsprop", 0.01), Schedule::warmup(10, cos(0.01)).unwrap()),
        (c("adam", 0.05), cos(0.05)),
        (adamw, cos(0.05)),
    ]
}

proptest! {
    /// Convergence of first-order methods on smooth strongly convex functions (Nesterov 2004,
    /// ch. 2; Kingma & Ba 2015 for Adam with decaying step): every optimizer drives the
    /// suboptimality of a random convex quadratic (eigenvalues in [1, 10], d ≤ 6) below 1e-6 of
    /// its initial value in 2000 steps.
    #[test]
    fn every_optimizer_converges_on_random_convex_quadratics(seed in 0u64..1_000_000, d in 2usize..7) {
        for (cfg, sched) in convergent_setups() {
            let rel = quad_run(&cfg, &sched, 2000, seed, d);
            prop_assert!(rel < 1e-6, "{:?}: relative suboptimality {rel}", cfg);
        }
    }
}

/// Negative control for the convergence test: plain gradient descent diverges on a quadratic
/// when `η > 2/λ_max` (here η = 0.25 > 2/10 with λ_max close to 10).
#[test]
fn sgd_with_too_large_step_diverges() {
    let rel = quad_run(
        &GradientOptimizerConfig::from_name("sgd")
            .unwrap()
            .with_lr(0.25),
        &Schedule::constant(0.25).unwrap(),
        300,
        7,
        40,
    );
    assert!(rel > 1.0, "relative suboptimality {rel}");
}

/// Serialising the optimizer mid-run (serde_json), restoring it and continuing gives a run
/// bit-identical to the uninterrupted one.
#[test]
fn resume_from_json_is_bit_identical() {
    for cfg in all_configs() {
        let mut r = rng(11);
        let p0 = vec![randm(&mut r, 3, 2), randm(&mut r, 4, 1)];
        let grads: Vec<Vec<Matrix>> = (0..20)
            .map(|_| vec![randm(&mut r, 3, 2), randm(&mut r, 4, 1)])
            .collect();
        let mut full = cfg.build().unwrap();
        let mut p_full = p0.clone();
        for g in &grads {
            full.step(&mut p_full, g).unwrap();
        }
        let mut first = cfg.build().unwrap();
        let mut p = p0.clone();
        for g in &grads[..10] {
            first.step(&mut p, g).unwrap();
        }
        let json = serde_json::to_string(&first).unwrap();
        let p_json = serde_json::to_string(&p).unwrap();
        drop(first);
        let mut resumed: AnyGradientOptimizer = serde_json::from_str(&json).unwrap();
        let mut p: Vec<Matrix> = serde_json::from_str(&p_json).unwrap();
        assert_eq!(resumed.steps(), 10);
        for g in &grads[10..] {
            resumed.step(&mut p, g).unwrap();
        }
        for (a, b) in p.iter().zip(&p_full) {
            for (x, y) in a.iter().zip(b.iter()) {
                assert_eq!(x.to_bits(), y.to_bits(), "{}", cfg.build().unwrap().name());
            }
        }
        assert_eq!(resumed, full);
    }
}

/// Bad input: wrong count, wrong shape, NaN/Inf gradient: typed error, parameters and state
/// unchanged.
#[test]
fn bad_gradients_are_rejected_without_side_effects() {
    for cfg in all_configs() {
        let mut r = rng(5);
        let mut opt = cfg.build().unwrap();
        let mut p = vec![randm(&mut r, 2, 2), randm(&mut r, 3, 1)];
        let g = vec![randm(&mut r, 2, 2), randm(&mut r, 3, 1)];
        opt.step(&mut p, &g).unwrap();
        let (p_before, opt_before) = (p.clone(), opt.clone());

        let err = opt.step(&mut p, &g[..1]).unwrap_err();
        assert!(
            matches!(
                err,
                OptimError::ShapeMismatch {
                    expected: (2, 1),
                    got: (1, 1),
                    ..
                }
            ),
            "{err}"
        );
        let bad_shape = vec![g[0].clone(), randm(&mut r, 1, 3)];
        let err = opt.step(&mut p, &bad_shape).unwrap_err();
        assert!(
            matches!(
                &err,
                OptimError::InTensorList { list: "gradients", index: 1, source }
                    if matches!(**source, OptimError::ShapeMismatch {
                        expected: (3, 1),
                        got: (1, 3),
                        ..
                    })
            ),
            "{err}"
        );
        for bad in [f64::NAN, f64::INFINITY] {
            let mut g_bad = g.clone();
            g_bad[1][(2, 0)] = bad;
            let err = opt.step(&mut p, &g_bad).unwrap_err();
            assert!(
                matches!(&err, OptimError::NonFinite { index: 2, what } if what.contains("gradient tensor 1")),
                "{err}"
            );
        }
        // a different model with the same optimizer instance
        let mut other = vec![randm(&mut r, 2, 2), randm(&mut r, 4, 1)];
        let g_other = vec![randm(&mut r, 2, 2), randm(&mut r, 4, 1)];
        let res = opt.step(&mut other, &g_other);
        if opt.name() != "sgd" {
            assert!(
                matches!(
                    &res,
                    Err(OptimError::InTensorList { list: "parameters", index: 1, source })
                        if matches!(**source, OptimError::ShapeMismatch {
                            expected: (3, 1),
                            got: (4, 1),
                            ..
                        })
                ),
                "{res:?}"
            );
            assert_eq!(opt, opt_before);
        }
        let mut opt = opt_before.clone();
        opt.step(&mut p.clone(), &g).unwrap();
        assert_eq!(p, p_before);
    }
}

/// Invalid hyperparameters are rejected at construction; unknown names list the valid ones.
#[test]
fn invalid_configs_and_names() {
    assert!(matches!(
        Sgd::new(SgdConfig {
            lr: -1.0,
            weight_decay: 0.0
        }),
        Err(OptimError::InvalidParameter { name: "lr", .. })
    ));
    assert!(matches!(
        Sgd::new(SgdConfig {
            lr: f64::NAN,
            weight_decay: 0.0
        }),
        Err(OptimError::InvalidParameter { name: "lr", .. })
    ));
    assert!(matches!(
        Momentum::new(MomentumConfig {
            momentum: 1.0,
            ..Default::default()
        }),
        Err(OptimError::InvalidParameter {
            name: "momentum",
            ..
        })
    ));
    assert!(matches!(
        Adam::new(AdamConfig {
            beta2: 1.0,
            ..Default::default()
        }),
        Err(OptimError::InvalidParameter { name: "beta2", .. })
    ));
    assert!(matches!(
        Adam::new(AdamConfig {
            eps: 0.0,
            ..Default::default()
        }),
        Err(OptimError::InvalidParameter { name: "eps", .. })
    ));
    assert!(matches!(
        AdamW::new(AdamWConfig {
            weight_decay: -0.1,
            ..Default::default()
        }),
        Err(OptimError::InvalidParameter {
            name: "weight_decay",
            ..
        })
    ));
    assert!(matches!(
        RmsProp::new(RmsPropConfig {
            alpha: -0.1,
            ..Default::default()
        }),
        Err(OptimError::InvalidParameter { name: "alpha", .. })
    ));
    assert!(matches!(
        AdaGrad::new(AdaGradConfig {
            eps: -1.0,
            ..Default::default()
        }),
        Err(OptimError::InvalidParameter { name: "eps", .. })
    ));
    let mut o = Sgd::new(SgdConfig::default()).unwrap();
    assert!(matches!(
        o.set_learning_rate(f64::INFINITY),
        Err(OptimError::InvalidParameter { name: "lr", .. })
    ));
    assert_eq!(o.learning_rate(), 0.01);
    match GradientOptimizerConfig::from_name("adamax") {
        Err(OptimError::UnknownName { name, valid, .. }) => {
            assert_eq!(name, "adamax");
            for n in GradientOptimizerConfig::NAMES {
                assert!(valid.contains(n));
            }
        }
        other => panic!("expected UnknownName, got {other:?}"),
    }
    for n in GradientOptimizerConfig::NAMES {
        assert_eq!(
            GradientOptimizerConfig::from_name(n)
                .unwrap()
                .build()
                .unwrap()
                .name(),
            n
        );
    }
}

/// Configs round-trip through JSON with a `kind` tag; missing fields take defaults; unknown
/// fields are rejected.
#[test]
fn config_json() {
    for cfg in all_configs() {
        let s = serde_json::to_string(&cfg).unwrap();
        let back: GradientOptimizerConfig = serde_json::from_str(&s).unwrap();
        assert_eq!(back, cfg);
    }
    let c: GradientOptimizerConfig = serde_json::from_str(r#"{"kind":"adam","lr":0.5}"#).unwrap();
    assert_eq!(
        c,
        GradientOptimizerConfig::Adam(AdamConfig {
            lr: 0.5,
            ..Default::default()
        })
    );
    // An unknown field is a serde error (not an OptimError) that names the field.
    let e = serde_json::from_str::<GradientOptimizerConfig>(r#"{"kind":"adam","lrr":0.5}"#)
        .unwrap_err();
    assert!(e.to_string().contains("unknown field `lrr`"), "{e}");
}

/// Schedules: closed forms at selected steps (SGDR cosine, Loshchilov & Hutter 2017; linear
/// warm-up, Goyal et al. 2017).
#[test]
fn schedules_follow_their_formulas() {
    let s = Schedule::step(0.1, 10, 0.5).unwrap();
    assert_eq!(s.lr_at(0), 0.1);
    assert_eq!(s.lr_at(9), 0.1);
    assert_eq!(s.lr_at(10), 0.05);
    assert_eq!(s.lr_at(25), 0.025);
    let e = Schedule::exponential(1.0, 0.9).unwrap();
    assert!((e.lr_at(3) - 0.729).abs() < 1e-15);
    let c = Schedule::cosine(1.0, 0.1, 100).unwrap();
    assert_eq!(c.lr_at(0), 1.0);
    assert!((c.lr_at(50) - 0.55).abs() < 1e-15);
    assert!((c.lr_at(100) - 0.1).abs() < 1e-15);
    assert!((c.lr_at(1000) - 0.1).abs() < 1e-15);
    let w = Schedule::warmup(4, Schedule::step(0.2, 10, 0.1).unwrap()).unwrap();
    let lrs: Vec<f64> = (0..5).map(|t| w.lr_at(t)).collect();
    assert!((lrs[0] - 0.05).abs() < 1e-15 && (lrs[1] - 0.1).abs() < 1e-15);
    assert!((lrs[3] - 0.2).abs() < 1e-15 && (lrs[4] - 0.2).abs() < 1e-15);
    assert!((w.lr_at(14) - 0.02).abs() < 1e-15);
    let nested = Schedule::warmup(2, Schedule::cosine(1.0, 0.0, 10).unwrap()).unwrap();
    let j = serde_json::to_string(&nested).unwrap();
    assert_eq!(serde_json::from_str::<Schedule>(&j).unwrap(), nested);
    // invalid
    assert!(matches!(
        Schedule::constant(-1.0),
        Err(OptimError::InvalidParameter { .. })
    ));
    assert!(matches!(
        Schedule::step(0.1, 0, 0.5),
        Err(OptimError::InvalidParameter { .. })
    ));
    assert!(matches!(
        Schedule::exponential(0.1, 1.5),
        Err(OptimError::InvalidParameter { .. })
    ));
    assert!(matches!(
        Schedule::cosine(0.1, 0.2, 10),
        Err(OptimError::InvalidParameter { .. })
    ));
    assert!(matches!(
        Schedule::warmup(0, Schedule::constant(0.1).unwrap()),
        Err(OptimError::InvalidParameter { .. })
    ));
    let mut opt = Adam::new(AdamConfig::default()).unwrap();
    w.apply(&mut opt, 0).unwrap();
    assert_eq!(opt.learning_rate(), 0.05);
}

/// Global-norm clipping (Pascanu et al. 2013): after clipping the norm is `max_norm`, the
/// direction is unchanged, the returned value is the norm before; small gradients are untouched.
#[test]
fn clip_global_norm_rescales() {
    let mut r = rng(9);
    let g0 = vec![randm(&mut r, 3, 3), randm(&mut r, 2, 1)];
    let norm0 = g0.iter().map(|m| m.norm_squared()).sum::<f64>().sqrt();
    let mut g = g0.clone();
    let n = clip_global_norm(&mut g, 0.5).unwrap();
    assert_eq!(n, norm0);
    let after = g.iter().map(|m| m.norm_squared()).sum::<f64>().sqrt();
    assert!((after - 0.5).abs() < 1e-14);
    for (a, b) in g.iter().zip(&g0) {
        assert!((a * norm0 / 0.5 - b).amax() < 1e-13);
    }
    let mut g = g0.clone();
    clip_global_norm(&mut g, 1e6).unwrap();
    assert_eq!(g, g0);
    assert!(matches!(
        clip_global_norm(&mut g, 0.0),
        Err(OptimError::InvalidParameter {
            name: "max_norm",
            ..
        })
    ));
    assert!(matches!(
        clip_global_norm(&mut g, f64::NAN),
        Err(OptimError::InvalidParameter {
            name: "max_norm",
            ..
        })
    ));
    g[1][(1, 0)] = f64::NAN;
    let keep = g.clone();
    assert!(matches!(
        clip_global_norm(&mut g, 1.0),
        Err(OptimError::NonFinite { index: 1, .. })
    ));
    assert_eq!(format!("{keep:?}"), format!("{g:?}"));
}
