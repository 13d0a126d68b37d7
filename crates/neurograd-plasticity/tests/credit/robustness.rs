//! Typed errors on bad input, the registry, determinism.

use neurograd_optim::GradientOptimizerConfig;
use neurograd_plasticity::PlasticityError;
use neurograd_plasticity::credit::{
    self, Backprop, CreditAssignment, FeedbackAlignment, Loss, Network, Seeds, TrainConfig,
    TrainData, Trainer,
};
use neurograd_tensor::{Activation, Matrix};

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
        Err(PlasticityError::NonFinite { .. })
    ));
    let chain = Network::from_layers(
        vec![Matrix::zeros(5, 4), Matrix::zeros(3, 6)],
        vec![Matrix::zeros(1, 5), Matrix::zeros(1, 3)],
        vec![Activation::Tanh, Activation::Identity],
        Loss::HalfSquaredError,
    );
    assert!(matches!(chain, Err(PlasticityError::ShapeMismatch { .. })));
    assert!(FeedbackAlignment::with_feedback(&n, vec![Matrix::zeros(2, 2)]).is_err());
    assert!(credit::EquilibriumPropagation::new(0.0, credit::EpVariant::OneSided).is_err());
    assert!(credit::ContrastiveHebbian::new(-1.0).is_err());
    assert!(credit::Recirculation::new(1.0).is_err());
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
    assert!(credit::parse_list(" , ").is_err());
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
