//! Convolutional layers in the credit-assignment network (vision reference §1-2, tests T5 and T7,
//! and the finite-difference check of the network loss).

use neurograd_plasticity::PlasticityError;
use neurograd_plasticity::credit::conv_layers::{Architecture, LayerKind};
use neurograd_plasticity::credit::{
    Backprop, CreditAssignment, DirectFeedbackAlignment, FeedbackAlignment, Loss, Network,
    ReadoutOnly, SignConcordant, SignSymmetry, SignVariant,
};
use neurograd_tensor::geometry::{cosine, relative_error_params};
use neurograd_tensor::{Activation, Matrix, Real, Vector, gradcheck::numerical_gradient, init};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::common::one_hot_cycle;

/// A small CNN covering padding, max pooling, a stride-1 second convolution, overlapping average
/// pooling and a dense readout: (2, 8, 8) -> conv 3x3 p1 (3x8x8) -> maxpool 2 (3x4x4) -> conv 2x2
/// (4x3x3) -> avgpool 2 s1 (4x2x2) -> dense 3. Biases are set nonzero.
pub fn cnn(hidden: Activation, seed: u64) -> Network {
    let arch = Architecture::parse(
        "conv:3x3p1,maxpool:2,conv:4x2,avgpool:2s1,dense:3",
        (2, 8, 8),
    )
    .expect("valid architecture");
    let mut n = Network::from_architecture(
        &arch,
        hidden,
        Activation::Identity,
        Loss::SoftmaxCrossEntropy,
        seed,
    )
    .expect("valid network");
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xb1a5);
    for l in 0..n.num_layers() {
        let c = n.bias(l).expect("layer").ncols();
        let b = init::uniform(1, c, -0.3, 0.3, &mut rng).expect("valid uniform");
        n.set_bias(l, b).expect("bias of the same shape");
    }
    n
}

/// A seeded Gaussian batch for the CNN of [`cnn`] with cycling one-hot targets.
pub fn cnn_batch(rows: usize, seed: u64) -> (Matrix, Matrix) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let x = init::normal(rows, 128, 0.0, 1.0, &mut rng).expect("valid normal");
    (x, one_hot_cycle(rows, 3))
}

fn rel(a: &[Matrix], b: &[Matrix]) -> Real {
    relative_error_params(a, b).expect("equal shapes, finite")
}

fn flat(m: &Matrix) -> Vector {
    Vector::from_column_slice(m.as_slice())
}

/// Backprop through convolution, max and average pooling equals central finite differences of
/// the network loss (relative error < 1e-6 with step 1e-6; tanh hidden units, so there are no
/// ReLU kinks, and Gaussian inputs, so no max-pool window has a near-tie within the stencil).
/// Negative control: feedback alignment's update on the same batch is not the gradient
/// (relative error > 0.1).
#[test]
fn conv_backprop_equals_finite_differences() {
    let n = cnn(Activation::Tanh, 3);
    assert!(matches!(n.kind(0), Ok(LayerKind::Conv(_))));
    let (x, t) = cnn_batch(5, 4);
    let analytic = Backprop::new().updates(&n, &x, &t).expect("bp").grads;
    let params = n.params().to_vec();
    let numeric = numerical_gradient(
        |p: &[Matrix]| {
            let mut m = n.clone();
            m.update_params(|q| {
                q.clone_from_slice(p);
                Ok::<(), PlasticityError>(())
            })
            .expect("same shapes");
            Ok(m.loss_value(&x, &t).expect("loss"))
        },
        &params,
        1e-6,
    )
    .expect("finite differences");
    let err = rel(&analytic, &numeric);
    assert!(err < 1e-6, "relative error {err:e}");
    let fa = FeedbackAlignment::new(&n, 9)
        .expect("fa")
        .updates(&n, &x, &t)
        .expect("fa update")
        .grads;
    let control = rel(&fa, &numeric);
    assert!(control > 0.1, "control {control:e}");
}

/// T5 (vision reference §7): feedback alignment with the sham feedback `B := W` is backprop to
/// 1e-12 on a CNN. Negative control: the kernels rotated by 180° (a wrong flip, the classic
/// transposed-convolution mistake) differ by more than 1e-3.
#[test]
fn fa_with_sham_feedback_is_backprop() {
    let n = cnn(Activation::Relu, 5);
    let (x, t) = cnn_batch(6, 7);
    let bp = Backprop::new().updates(&n, &x, &t).expect("bp").grads;
    let sham: Vec<Matrix> = (1..n.num_layers())
        .map(|l| n.weight(l).expect("layer").clone())
        .collect();
    let mut fa = FeedbackAlignment::with_feedback(&n, sham).expect("shapes of W");
    let up = fa.updates(&n, &x, &t).expect("fa").grads;
    let err = rel(&up, &bp);
    assert!(err < 1e-12, "sham FA vs BP {err:e}");
    // Control: every kernel rotated by 180° (taps (r, t) -> (R-1-r, S-1-t) per channel).
    let flipped: Vec<Matrix> = (1..n.num_layers())
        .map(|l| {
            let w = n.weight(l).expect("layer");
            match n.kind(l).expect("layer") {
                LayerKind::Dense => w.clone(),
                LayerKind::Conv(c) => {
                    let (r, s) = c.conv.params().kernel;
                    Matrix::from_fn(w.nrows(), w.ncols(), |k, q| {
                        let (ch, tap) = (q / (r * s), q % (r * s));
                        let (i, j) = (tap / s, tap % s);
                        w[(k, ch * r * s + (r - 1 - i) * s + (s - 1 - j))]
                    })
                }
            }
        })
        .collect();
    let mut wrong = FeedbackAlignment::with_feedback(&n, flipped).expect("shapes of W");
    let up = wrong.updates(&n, &x, &t).expect("fa").grads;
    let control = rel(&up, &bp);
    assert!(control > 1e-3, "control {control:e}");
}

/// T5: when every `|W|` of a layer is equal, uSF's feedback is a positive multiple of `W`, so its
/// update of every layer points exactly like backprop's (cosine 1 − 1e-12; only the scale
/// differs). Negative control: with the random initial weights (unequal magnitudes) the first
/// layer's cosine is below 1 − 1e-3.
#[test]
fn usf_with_equal_magnitudes_points_like_backprop() {
    let mut n = cnn(Activation::Relu, 11);
    let (x, t) = cnn_batch(6, 12);
    let first_cos = |n: &Network| {
        let bp = Backprop::new().updates(n, &x, &t).expect("bp").grads;
        let mut usf = SignConcordant::new(n, SignVariant::Usf, 1).expect("usf");
        let up = usf.updates(n, &x, &t).expect("usf").grads;
        (0..n.num_layers())
            .map(|l| cosine(&flat(&up[2 * l]), &flat(&bp[2 * l])).expect("nonzero"))
            .collect::<Vec<Real>>()
    };
    let control = first_cos(&n)[0];
    assert!(control < 1.0 - 1e-3, "control cosine {control}");
    for l in 0..n.num_layers() {
        let w = n.weight(l).expect("layer").map(|v| 0.2 * v.signum());
        n.set_weight(l, w).expect("same shape");
    }
    for (l, c) in first_cos(&n).into_iter().enumerate() {
        assert!(c > 1.0 - 1e-12, "layer {l}: cosine {c}");
    }
}

/// T5: DFA's output-layer update is backprop's exactly (bit for bit), and with `D_{L-1} = W_L` the
/// top hidden (convolutional, pooled) layer's update is backprop's to 1e-12: the pooling and `f'`
/// stay exact. Negative control: with its random `D` the top hidden layer differs by > 1e-3.
#[test]
fn dfa_output_layer_is_backprop() {
    let n = cnn(Activation::Relu, 13);
    let (x, t) = cnn_batch(6, 14);
    let bp = Backprop::new().updates(&n, &x, &t).expect("bp").grads;
    let l_out = n.num_layers() - 1;
    let mut dfa = DirectFeedbackAlignment::new(&n, 3).expect("dfa");
    let up = dfa.updates(&n, &x, &t).expect("dfa").grads;
    assert_eq!(up[2 * l_out], bp[2 * l_out]);
    assert_eq!(up[2 * l_out + 1], bp[2 * l_out + 1]);
    let top = rel(
        &up[2 * (l_out - 1)..2 * l_out],
        &bp[2 * (l_out - 1)..2 * l_out],
    );
    assert!(top > 1e-3, "control {top:e}");
    let mut ds: Vec<Matrix> = (1..n.num_layers())
        .map(|l| dfa.feedback(l).expect("hidden layer").clone())
        .collect();
    ds[l_out - 1] = n.weight(l_out).expect("readout").clone();
    let mut exact = DirectFeedbackAlignment::with_feedback(&n, ds).expect("shapes");
    let up = exact.updates(&n, &x, &t).expect("dfa").grads;
    let top = rel(
        &up[2 * (l_out - 1)..2 * l_out],
        &bp[2 * (l_out - 1)..2 * l_out],
    );
    assert!(top < 1e-12, "{top:e}");
}

/// Readout-only equals feedback alignment with zero feedback (detached feedback, `δ = 0` below
/// the readout) bit for bit, both give exactly zero updates below the readout, and the readout's
/// update is backprop's.
#[test]
fn readout_is_detached_feedback() {
    let n = cnn(Activation::Relu, 17);
    let (x, t) = cnn_batch(6, 18);
    let ro = ReadoutOnly::new()
        .updates(&n, &x, &t)
        .expect("readout")
        .grads;
    let zeros: Vec<Matrix> = (1..n.num_layers())
        .map(|l| {
            let w = n.weight(l).expect("layer");
            Matrix::zeros(w.nrows(), w.ncols())
        })
        .collect();
    let detached = FeedbackAlignment::with_feedback(&n, zeros)
        .expect("shapes")
        .updates(&n, &x, &t)
        .expect("fa")
        .grads;
    assert_eq!(ro, detached);
    let bp = Backprop::new().updates(&n, &x, &t).expect("bp").grads;
    let l_out = n.num_layers() - 1;
    assert_eq!(ro[2 * l_out], bp[2 * l_out]);
    for g in &ro[..2 * l_out] {
        assert!(g.iter().all(|&v| v == 0.0));
    }
    // Sign symmetry does train the layers below (a control that the zeros are not automatic).
    let ss = SignSymmetry::new().updates(&n, &x, &t).expect("ss").grads;
    assert!(ss[0].amax() > 0.0);
}

/// The synthetic oriented-bar task of T7: `n` grey `side x side` images, each a bar of one of
/// `classes` orientations (`θ = π c / classes`), half-length 2.5 px and half-width 0.7 px, at a
/// random centre (at least 3 px from the border), with a random contrast in ±[0.5, 1.5] (random
/// polarity) and Gaussian pixel noise of std `noise`. Returns `(x, one-hot t, labels)`.
pub fn oriented_bars(
    n: usize,
    side: usize,
    classes: usize,
    noise: Real,
    half_length: Real,
    seed: u64,
) -> (Matrix, Matrix, Vec<usize>) {
    use rand::RngExt;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut x = Matrix::zeros(n, side * side);
    let mut labels = Vec::with_capacity(n);
    for i in 0..n {
        let c = i % classes;
        let theta = std::f64::consts::PI * c as Real / classes as Real;
        let (dx, dy) = (theta.cos(), theta.sin());
        let lo = 3.0;
        let hi = side as Real - 4.0;
        let cx = rng.random_range(lo..=hi);
        let cy = rng.random_range(lo..=hi);
        let amp = rng.random_range(0.5..1.5) * if rng.random_bool(0.5) { 1.0 } else { -1.0 };
        for r in 0..side {
            for col in 0..side {
                let (px, py) = (col as Real - cx, r as Real - cy);
                let along = px * dx + py * dy;
                let across = -px * dy + py * dx;
                let on = along.abs() <= half_length && across.abs() <= 0.7;
                let z: Real = rng.sample(rand_distr::StandardNormal);
                x[(i, r * side + col)] = if on { amp } else { 0.0 } + noise * z;
            }
        }
        labels.push(c);
    }
    let t = Matrix::from_fn(n, classes, |i, j| if labels[i] == j { 1.0 } else { 0.0 });
    (x, t, labels)
}

/// T7 (vision reference §7), scaled to the dev profile: on the oriented-bar task (4 orientations,
/// 12 x 12, noise 0.2, 480 training / 240 test images) a CNN `conv:8x5,pool:2,conv:8x3,dense:4`
/// trained for 20 epochs (Adam 3e-3, batch 16) by FA, DFA, sign symmetry and uSF beats the
/// readout-only baseline (frozen random conv layers) by at least 5 points, and sign symmetry is
/// within 3 points of backprop. Calibration (seeds 0-2 of this fixture): bp 0.979-0.983, fa
/// 0.958-0.975, dfa 0.938-0.958, ss 0.979-0.988, readout 0.433-0.475. Negative control (the
/// reference's "detached feedback"): feedback alignment with zero feedback matrices trains to
/// exactly the readout-only network and accuracy.
#[test]
fn t7_feedback_rules_beat_the_frozen_readout_baseline() {
    use neurograd_optim::GradientOptimizerConfig;
    use neurograd_plasticity::credit::{Seeds, TrainConfig, TrainData, Trainer, train_network};
    let (x, t, _) = oriented_bars(480, 12, 4, 0.2, 3.5, 100);
    let (xt, _, lt) = oriented_bars(240, 12, 4, 0.2, 3.5, 200);
    let data = TrainData {
        x_train: &x,
        t_train: &t,
        x_test: &xt,
        labels_test: &lt,
    };
    let arch = Architecture::parse("conv:8x5,pool:2,conv:8x3,dense:4", (1, 12, 12)).expect("arch");
    let cfg = |algorithm: &str| TrainConfig {
        algorithm: algorithm.into(),
        hidden: vec![],
        epochs: 20,
        batch_size: 16,
        optimizer: "adam".into(),
        learning_rate: Some(3e-3),
        seeds: Seeds {
            network: 0,
            algorithm: 7,
            shuffle: 9,
        },
        cosine_every: 0,
        target_accuracy: None,
        arch: Some(arch.clone()),
    };
    let acc = |algorithm: &str| {
        train_network(&cfg(algorithm), &data)
            .expect("training")
            .test_accuracy
    };
    let readout = acc("readout");
    let bp = acc("bp");
    assert!(bp - readout > 0.3, "bp {bp} vs readout {readout}");
    for algo in ["fa", "dfa", "ss", "usf"] {
        let a = acc(algo);
        assert!(a >= readout + 0.05, "{algo} {a} vs readout {readout}");
        if algo == "ss" {
            assert!(bp - a <= 0.03, "ss {a} vs bp {bp}");
        }
    }
    // Detached feedback = the frozen baseline, network and accuracy bit for bit.
    let mut ro = Trainer::new(&cfg("readout"), &data).expect("readout");
    let net = ro.network().clone();
    while !ro.done() {
        ro.run_epoch(&data, &mut || {}).expect("epoch");
    }
    let zeros: Vec<Matrix> = (1..net.num_layers())
        .map(|l| {
            let w = net.weight(l).expect("layer");
            Matrix::zeros(w.nrows(), w.ncols())
        })
        .collect();
    let detached = FeedbackAlignment::with_feedback(&net, zeros).expect("shapes");
    let opt = GradientOptimizerConfig::from_name("adam")
        .expect("adam")
        .with_lr(3e-3)
        .build()
        .expect("optimizer");
    let mut tr =
        Trainer::from_parts(&cfg("fa"), net, Box::new(detached), opt).expect("detached run");
    while !tr.done() {
        tr.run_epoch(&data, &mut || {}).expect("epoch");
    }
    assert_eq!(tr.network(), ro.network());
    assert_eq!(tr.outcome().test_accuracy, readout);
    assert_ne!(
        ro.network(),
        &Trainer::new(&cfg("readout"), &data)
            .expect("fresh")
            .network()
            .clone()
    );
}

/// Every field of an architecture spec is validated with a typed error naming `arch`; valid
/// specs round-trip through their canonical string.
#[test]
fn architecture_specs_are_validated() {
    let ok = Architecture::parse(
        "conv:8x5,pool:2, conv:16x3s2p1 ,avgpool:2s1,flatten,dense:32,dense:10",
        (1, 28, 28),
    )
    .expect("valid");
    assert_eq!(
        ok.to_string(),
        "conv:8x5,maxpool:2,conv:16x3s2p1,avgpool:2s1,dense:32,dense:10"
    );
    assert_eq!(
        Architecture::parse(&ok.to_string(), (1, 28, 28)),
        Ok(ok.clone())
    );
    // 28 -> 24 -> 12 -> (12 + 2 - 3)/2 + 1 = 6 -> 5 (avg 2, stride 1).
    assert_eq!(ok.widths(), Ok(vec![784, 8 * 12 * 12, 16 * 5 * 5, 32, 10]));
    for bad in [
        "",                                // no stage
        "conv:8x5",                        // no dense readout
        "conv:8x5,dense:0",                // zero width
        "conv:0x5,dense:10",               // zero channels
        "conv:8x0,dense:10",               // zero kernel
        "conv:8x5s0,dense:10",             // zero stride
        "conv:8x3p3,dense:10",             // padding >= kernel
        "conv:8x29,dense:10",              // kernel larger than the input
        "conv:8,dense:10",                 // missing kernel
        "conv:ax5,dense:10",               // not a number
        "pool:2,dense:10",                 // pooling without a convolution
        "conv:8x5,pool:2,pool:2,dense:10", // two poolings
        "conv:8x5,pool:25,dense:10",       // window larger than the map
        "conv:8x5,pool:2p1,dense:10",      // pooling takes no padding
        "dense:10,conv:8x5,dense:10",      // convolution after a dense layer
        "conv:8x5,relu,dense:10",          // unknown stage
    ] {
        let r = Architecture::parse(bad, (1, 28, 28));
        assert!(
            matches!(
                r,
                Err(PlasticityError::InvalidParameter { name: "arch", .. })
            ),
            "{bad:?}: {r:?}"
        );
    }
    let r = Architecture::parse("conv:8x5,dense:10", (0, 28, 28));
    assert!(matches!(
        r,
        Err(PlasticityError::InvalidParameter { name: "arch", .. })
    ));
    // A huge map is refused before anything is allocated.
    let r = Architecture::parse("conv:4096x1,dense:10", (1, 4096, 4096));
    assert!(matches!(
        r,
        Err(PlasticityError::InvalidParameter { name: "arch", .. })
    ));
}

/// The training loop takes an architecture: wrong combinations are typed errors before training;
/// a checkpoint of a CNN run (JSON round trip) resumes bit-identically for brSF (per-batch random
/// magnitudes from the seed and the step) and FA, and another algorithm seed changes the run.
#[test]
fn trainer_runs_cnns_and_resumes_them() {
    use neurograd_plasticity::credit::{Checkpoint, Seeds, TrainConfig, TrainData, Trainer};
    let (x, t, _) = oriented_bars(64, 12, 4, 0.2, 3.5, 1);
    let (xt, _, lt) = oriented_bars(32, 12, 4, 0.2, 3.5, 2);
    let data = TrainData {
        x_train: &x,
        t_train: &t,
        x_test: &xt,
        labels_test: &lt,
    };
    let arch = Architecture::parse("conv:3x3,pool:2,conv:4x3,dense:4", (1, 12, 12)).expect("arch");
    let cfg = |algorithm: &str| TrainConfig {
        algorithm: algorithm.into(),
        hidden: vec![],
        epochs: 2,
        batch_size: 16,
        optimizer: "adam".into(),
        learning_rate: None,
        seeds: Seeds {
            network: 1,
            algorithm: 2,
            shuffle: 3,
        },
        cosine_every: 2,
        target_accuracy: None,
        arch: Some(arch.clone()),
    };
    // Dense-only algorithms, hidden widths with an architecture, a readout of the wrong width.
    for algo in ["pc", "ep", "chl", "dtp", "bp-tape"] {
        let r = Trainer::new(&cfg(algo), &data);
        assert!(
            matches!(
                r,
                Err(PlasticityError::InvalidParameter {
                    name: "network",
                    ..
                })
            ),
            "{algo}: {r:?}"
        );
    }
    let mut c = cfg("bp");
    c.hidden = vec![8];
    let r = Trainer::new(&c, &data);
    assert!(
        matches!(
            r,
            Err(PlasticityError::InvalidParameter { name: "hidden", .. })
        ),
        "{r:?}"
    );
    let mut c = cfg("bp");
    c.arch = Some(Architecture::parse("conv:3x3,dense:5", (1, 12, 12)).expect("arch"));
    let r = Trainer::new(&c, &data);
    assert!(
        matches!(r, Err(PlasticityError::ShapeMismatch { .. })),
        "{r:?}"
    );
    let mut c = cfg("bp");
    c.arch = Some(Architecture::parse("conv:3x3,dense:4", (1, 10, 10)).expect("arch"));
    let r = Trainer::new(&c, &data);
    assert!(
        matches!(r, Err(PlasticityError::ShapeMismatch { .. })),
        "{r:?}"
    );
    for algo in ["brsf", "fa"] {
        let mut straight = Trainer::new(&cfg(algo), &data).expect("trainer");
        straight.run_epoch(&data, &mut || {}).expect("epoch");
        straight.run_epoch(&data, &mut || {}).expect("epoch");
        let mut t1 = Trainer::new(&cfg(algo), &data).expect("trainer");
        t1.run_epoch(&data, &mut || {}).expect("epoch");
        let json = serde_json::to_string(&t1.checkpoint()).expect("serialise");
        let ck: Checkpoint = serde_json::from_str(&json).expect("parse");
        assert_eq!(ck.network, *t1.network());
        let mut r = Trainer::resume(&ck, &data).expect("resume");
        r.run_epoch(&data, &mut || {}).expect("epoch");
        assert_eq!(r.network(), straight.network(), "{algo}");
        let strip = |h: &[neurograd_plasticity::credit::EpochRecord]| {
            h.iter()
                .map(|e| (e.train_loss, e.test_accuracy, e.mean_cosine_to_bp))
                .collect::<Vec<_>>()
        };
        assert_eq!(strip(r.history()), strip(straight.history()), "{algo}");
        let mut other = ck.clone();
        other.config.seeds.algorithm += 1;
        let mut o = Trainer::resume(&other, &data).expect("resume");
        o.run_epoch(&data, &mut || {}).expect("epoch");
        assert_ne!(o.network(), straight.network(), "{algo}");
    }
}

/// The per-layer cosine to backprop of the training loop (`EpochRecord::cosine_to_bp_per_layer`)
/// on a CNN: with one full batch per epoch and `cosine_every = 1`, epoch 1's entry for layer `l`
/// equals the cosine between the algorithm's update of `(W_l, b_l)` and backprop's gradient,
/// computed here independently from a fresh copy of the initial network and algorithm (to
/// 1e-9: the loop's batch is a permutation of the rows). Backprop gives 1 for every layer (and
/// the whole-vector cosine 1); the readout-only control gives no direction (`None`) for the frozen
/// conv layers and 1 for its exact readout; FA's first conv layer is not aligned (< 0.99), a
/// control that the per-layer values are not all 1 by construction.
#[test]
fn per_layer_cosine_to_backprop_on_a_cnn() {
    use neurograd_optim::GradientOptimizerConfig;
    use neurograd_plasticity::credit::{Seeds, TrainConfig, TrainData, Trainer};
    use neurograd_tensor::geometry::cosine_params;
    let net = cnn(Activation::Relu, 31);
    let (x, t) = cnn_batch(12, 32);
    let labels: Vec<usize> = (0..12).map(|i| i % 3).collect();
    let data = TrainData {
        x_train: &x,
        t_train: &t,
        x_test: &x,
        labels_test: &labels,
    };
    let cfg = TrainConfig {
        algorithm: "fa".into(),
        hidden: vec![],
        epochs: 1,
        batch_size: 12,
        optimizer: "adam".into(),
        learning_rate: Some(1e-3),
        seeds: Seeds {
            network: 1,
            algorithm: 2,
            shuffle: 3,
        },
        cosine_every: 1,
        target_accuracy: None,
        arch: None,
    };
    let make = |name: &str| -> Box<dyn CreditAssignment> {
        match name {
            "bp" => Box::new(Backprop::new()),
            "fa" => Box::new(FeedbackAlignment::new(&net, 9).expect("fa")),
            _ => Box::new(ReadoutOnly::new()),
        }
    };
    let g = Backprop::new().updates(&net, &x, &t).expect("bp").grads;
    let mut per_algo = Vec::new();
    for name in ["bp", "fa", "readout"] {
        let opt = GradientOptimizerConfig::from_name("adam")
            .expect("adam")
            .with_lr(1e-3)
            .build()
            .expect("optimizer");
        let mut tr = Trainer::from_parts(&cfg, net.clone(), make(name), opt).expect("trainer");
        let rec = tr.run_epoch(&data, &mut || {}).expect("epoch");
        let u = make(name).updates(&net, &x, &t).expect("updates").grads;
        assert_eq!(rec.cosine_to_bp_per_layer.len(), net.num_layers(), "{name}");
        for (l, got) in rec.cosine_to_bp_per_layer.iter().enumerate() {
            let want = cosine_params(&u[2 * l..2 * l + 2], &g[2 * l..2 * l + 2]).ok();
            match (got, want) {
                (Some(a), Some(b)) => assert!((a - b).abs() < 1e-9, "{name} layer {l}: {a} vs {b}"),
                (None, None) => {}
                _ => panic!("{name} layer {l}: {got:?} vs {want:?}"),
            }
        }
        let out = tr.outcome();
        assert_eq!(out.mean_cosine_to_bp_per_layer, rec.cosine_to_bp_per_layer);
        per_algo.push(rec);
    }
    let (bp, fa, ro) = (&per_algo[0], &per_algo[1], &per_algo[2]);
    assert!((bp.mean_cosine_to_bp.expect("bp cosine") - 1.0).abs() < 1e-12);
    for c in &bp.cosine_to_bp_per_layer {
        assert!((c.expect("bp layer") - 1.0).abs() < 1e-12, "{c:?}");
    }
    let top = net.num_layers() - 1;
    assert!(ro.cosine_to_bp_per_layer[..top].iter().all(Option::is_none));
    assert!((ro.cosine_to_bp_per_layer[top].expect("readout layer") - 1.0).abs() < 1e-12);
    let fa0 = fa.cosine_to_bp_per_layer[0].expect("fa layer 1");
    assert!(fa0 < 0.99, "fa first layer {fa0}");
    // Nothing measured: no per-layer entries.
    let opt = GradientOptimizerConfig::from_name("adam")
        .expect("adam")
        .build()
        .expect("optimizer");
    let off = TrainConfig {
        cosine_every: 0,
        ..cfg.clone()
    };
    let mut tr = Trainer::from_parts(&off, net.clone(), make("fa"), opt).expect("trainer");
    let rec = tr.run_epoch(&data, &mut || {}).expect("epoch");
    assert!(rec.cosine_to_bp_per_layer.is_empty() && rec.mean_cosine_to_bp.is_none());
}
