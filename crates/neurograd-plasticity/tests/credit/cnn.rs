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
