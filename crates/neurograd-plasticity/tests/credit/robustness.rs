//! Typed errors on bad input, the registry, determinism.

use neurograd_optim::GradientOptimizerConfig;
use neurograd_plasticity::PlasticityError;
use neurograd_plasticity::credit::{
    self, Backprop, CreditAssignment, FeedbackAlignment, Loss, Network, Seeds, TrainConfig,
    TrainData, Trainer,
};
use neurograd_tensor::{Activation, Matrix, TensorError};

use super::common::{batch, net, one_hot_cycle};

#[test]
fn bad_shapes_and_values_are_typed_errors() {
    let n = net(
        &[4, 5, 3],
        Activation::Tanh,
        Activation::Identity,
        Loss::SoftmaxCrossEntropy,
        1,
    );
    let (x, _) = batch(6, 4, 3, 2);
    let mut bp = Backprop::new();
    let wide = Matrix::zeros(6, 4);
    assert!(matches!(
        bp.updates(&n, &x, &wide),
        Err(PlasticityError::ShapeMismatch { .. })
    ));
    let short = Matrix::zeros(5, 3);
    assert!(matches!(
        bp.updates(&n, &x, &short),
        Err(PlasticityError::ShapeMismatch { .. })
    ));
    let mut bad = x.clone();
    bad[(2, 1)] = f64::NAN;
    assert!(matches!(
        bp.updates(&n, &bad, &one_hot_cycle(6, 3)),
        Err(PlasticityError::Tensor(TensorError::NonFinite {
            index: 8,
            ..
        }))
    ));
    let chain = Network::from_layers(
        vec![Matrix::zeros(5, 4), Matrix::zeros(3, 6)],
        vec![Matrix::zeros(1, 5), Matrix::zeros(1, 3)],
        vec![Activation::Tanh, Activation::Identity],
        Loss::HalfSquaredError,
    );
    assert!(matches!(chain, Err(PlasticityError::ShapeMismatch { .. })));
    // One feedback matrix for a two-layer network is right in count but not in shape.
    let r = FeedbackAlignment::with_feedback(&n, vec![Matrix::zeros(2, 2)]);
    assert!(
        matches!(
            r,
            Err(PlasticityError::ShapeMismatch {
                expected: (3, 5),
                got: (2, 2),
                ..
            })
        ),
        "{r:?}"
    );
    let r = credit::EquilibriumPropagation::new(0.0, credit::EpVariant::OneSided);
    assert!(
        matches!(
            r,
            Err(PlasticityError::InvalidParameter { name: "beta", .. })
        ),
        "{r:?}"
    );
    let r = credit::ContrastiveHebbian::new(-1.0);
    assert!(
        matches!(
            r,
            Err(PlasticityError::InvalidParameter { name: "gamma", .. })
        ),
        "{r:?}"
    );
    let r = credit::Recirculation::new(1.0);
    assert!(
        matches!(
            r,
            Err(PlasticityError::InvalidParameter { name: "lambda", .. })
        ),
        "{r:?}"
    );
    // Layer indices and hyperparameter structs are checked.
    assert_eq!(
        n.weight(2).err(),
        Some(PlasticityError::LayerOutOfRange {
            layer: 2,
            layers: 2
        })
    );
    let u = bp.updates(&n, &x, &one_hot_cycle(6, 3)).expect("bp");
    assert!(matches!(
        u.bias(7),
        Err(PlasticityError::LayerOutOfRange {
            layer: 7,
            layers: 2
        })
    ));
    let r = credit::DifferenceTargetPropagation::new(
        &n,
        credit::DtpConfig {
            noise: -0.1,
            ..credit::DtpConfig::default()
        },
        1,
    );
    assert!(
        matches!(
            r,
            Err(PlasticityError::InvalidParameter { name: "noise", .. })
        ),
        "{r:?}"
    );
    let r = credit::ContrastiveHebbian::new(0.5)
        .expect("gamma")
        .with_relaxation(credit::Relaxation {
            max_iters: 0,
            ..credit::ContrastiveHebbian::DEFAULT_RELAXATION
        });
    assert!(
        matches!(
            r,
            Err(PlasticityError::InvalidParameter {
                name: "max_iters",
                ..
            })
        ),
        "{r:?}"
    );
    let r = credit::PredictiveCoding::new(credit::PcVariant::Standard).with_inference(
        credit::Relaxation {
            step: 1.5,
            ..credit::PredictiveCoding::DEFAULT_INFERENCE
        },
    );
    assert!(
        matches!(
            r,
            Err(PlasticityError::InvalidParameter { name: "step", .. })
        ),
        "{r:?}"
    );
    // Public relaxations and DTP's inverses check what they are given.
    let chl = credit::ContrastiveHebbian::new(0.5).expect("gamma");
    let r = chl.relax(&n, &x, Some(&Matrix::zeros(6, 2)), None);
    assert!(
        matches!(
            r,
            Err(PlasticityError::ShapeMismatch {
                expected: (6, 3),
                got: (6, 2),
                ..
            })
        ),
        "{r:?}"
    );
    let r = chl.relax(&n, &x, None, Some(&[Matrix::zeros(6, 5)]));
    assert!(
        matches!(
            r,
            Err(PlasticityError::ShapeMismatch {
                expected: (2, 1),
                got: (1, 1),
                ..
            })
        ),
        "{r:?}"
    );
    let deep = net(
        &[4, 5, 5, 3],
        Activation::Tanh,
        Activation::Identity,
        Loss::SoftmaxCrossEntropy,
        3,
    );
    let mut dtp = credit::DifferenceTargetPropagation::new(&deep, credit::DtpConfig::default(), 4)
        .expect("dtp");
    let r = dtp.set_inverse(&deep, 1, Matrix::zeros(5, 5), Matrix::zeros(1, 4));
    assert!(
        matches!(
            r,
            Err(PlasticityError::ShapeMismatch {
                expected: (1, 5),
                got: (1, 4),
                ..
            })
        ),
        "{r:?}"
    );
    let r = dtp.set_inverse(&deep, 2, Matrix::zeros(5, 3), Matrix::zeros(1, 5));
    assert!(
        matches!(
            r,
            Err(PlasticityError::InvalidParameter { name: "layer", .. })
        ),
        "{r:?}"
    );
    let r = dtp.targets_from_top(&n, &x, &Matrix::zeros(6, 5));
    assert!(
        matches!(
            r,
            Err(PlasticityError::ShapeMismatch {
                expected: (3, 1),
                got: (2, 1),
                ..
            })
        ),
        "{r:?}"
    );
    // PC on a cross-entropy network is refused, not silently wrong.
    let mut pc = credit::PredictiveCoding::new(credit::PcVariant::Standard);
    assert!(matches!(
        pc.updates(&n, &x, &one_hot_cycle(6, 3)),
        Err(PlasticityError::InvalidParameter { .. })
    ));
}

#[test]
fn unknown_algorithm_lists_valid_names() {
    match credit::parse_list("bp,backprop2") {
        Err(PlasticityError::UnknownName { name, valid, .. }) => {
            assert_eq!(name, "backprop2");
            for a in [
                "bp",
                "fa",
                "dfa",
                "ss",
                "pc",
                "ep",
                "chl",
                "dtp",
                "recirculation",
            ] {
                assert!(
                    valid.split(", ").any(|v| v == a),
                    "{a} missing from {valid}"
                );
            }
        }
        other => panic!("expected UnknownName, got {other:?}"),
    }
    let r = credit::parse_list(" , ");
    assert!(
        matches!(
            r,
            Err(PlasticityError::InvalidParameter {
                name: "algorithms",
                ..
            })
        ),
        "{r:?}"
    );
}

/// Every registered supervised algorithm builds on its recommended network and produces finite
/// updates shaped like the parameters.
#[test]
fn every_registered_algorithm_runs() {
    let t = one_hot_cycle(5, 3);
    let (x, _) = batch(5, 4, 3, 3);
    for info in credit::algorithms() {
        let (n, tt, xx) = if info.supervised {
            (
                info.network(&[4, 6, 3], 4).expect("net"),
                t.clone(),
                x.clone(),
            )
        } else {
            (
                credit::Recirculation::autoencoder(4, 3, info.hidden, 4).expect("ae"),
                x.clone(),
                x.clone(),
            )
        };
        let mut algo = info.build(&n, 5).expect("build");
        assert_eq!(algo.name(), info.name);
        let u = algo
            .updates(&n, &xx, &tt)
            .unwrap_or_else(|e| panic!("{}: {e}", info.name));
        u.check_finite().expect("finite");
        for (g, p) in u.grads.iter().zip(n.params()) {
            assert_eq!(g.shape(), p.shape(), "{}", info.name);
        }
    }
}

fn sgd_config(lr: f64) -> TrainConfig {
    TrainConfig {
        algorithm: "custom".into(),
        hidden: vec![6],
        epochs: 2,
        batch_size: 8,
        optimizer: "sgd".into(),
        learning_rate: Some(lr),
        seeds: Seeds {
            network: 8,
            algorithm: 10,
            shuffle: 9,
        },
        cosine_every: 0,
        target_accuracy: None,
        arch: None,
    }
}

/// The training loop on a caller-built network and algorithm, plain SGD at `lr`.
fn train_parts(
    net: Network,
    algo: Box<dyn CreditAssignment>,
    data: &TrainData<'_>,
    lr: f64,
) -> neurograd_plasticity::Result<(Network, credit::TrainOutcome)> {
    let cfg = sgd_config(lr);
    let opt = GradientOptimizerConfig::from_name("sgd")?
        .with_lr(lr)
        .build()?;
    let mut t = Trainer::from_parts(&cfg, net, algo, opt)?;
    while !t.done() {
        t.run_epoch(data, &mut || {})?;
    }
    Ok((t.network().clone(), t.outcome()))
}

/// Same seed, same result, bit for bit; a divergent learning rate is reported with its step.
#[test]
fn training_is_deterministic_and_divergence_is_reported() {
    let (x, _) = batch(40, 4, 3, 7);
    let labels: Vec<usize> = (0..40).map(|i| i % 3).collect();
    let t = one_hot_cycle(40, 3);
    let data = TrainData {
        x_train: &x,
        t_train: &t,
        x_test: &x,
        labels_test: &labels,
    };
    let run = || {
        let n = Network::new(
            &[4, 6, 3],
            Activation::Tanh,
            Activation::Identity,
            Loss::SoftmaxCrossEntropy,
            8,
        )
        .expect("net");
        let fa = FeedbackAlignment::new(&n, 10).expect("fa");
        train_parts(n, Box::new(fa), &data, 0.1).expect("train")
    };
    let (a, ra) = run();
    let (b, rb) = run();
    assert_eq!(a.params(), b.params());
    assert_eq!(
        ra.history[1].train_loss.to_bits(),
        rb.history[1].train_loss.to_bits()
    );
    let n = Network::new(
        &[4, 6, 3],
        Activation::Tanh,
        Activation::Identity,
        Loss::HalfSquaredError,
        8,
    )
    .expect("net");
    let res = train_parts(n, Box::new(Backprop::new()), &data, 1e200);
    assert!(
        matches!(res, Err(PlasticityError::Diverged { step, .. }) if step <= 10),
        "{res:?}"
    );
}
