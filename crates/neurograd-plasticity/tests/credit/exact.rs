//! Exact equivalences with backprop (algebraic identities, tolerance 1e-12 unless stated).

use neurograd_plasticity::PlasticityError;
use neurograd_plasticity::credit::backprop::tape_gradients;
use neurograd_plasticity::credit::compare::max_layer_relative_error;
use neurograd_plasticity::credit::{
    Backprop, CreditAssignment, DifferenceTargetPropagation, DirectFeedbackAlignment, DtpConfig,
    FeedbackAlignment, Loss, Network, PcVariant, PredictiveCoding, Relaxation,
};
use neurograd_tensor::geometry::{relative_error, relative_error_params};
use neurograd_tensor::{Activation, Matrix, Real, gradcheck::numerical_gradient};
use proptest::prelude::*;

use super::common::{batch, net, one_hot_cycle};

/// Relative error of two parameter lists of equal shapes (`relative_error_params`).
fn rel(a: &[Matrix], b: &[Matrix]) -> Real {
    relative_error_params(a, b).expect("equal shapes, finite")
}

/// Largest per-layer relative error of two parameter lists of equal shapes.
fn max_layer(a: &[Matrix], b: &[Matrix]) -> Real {
    max_layer_relative_error(a, b).expect("equal shapes, finite")
}

/// Backprop equals central finite differences (theory.md tolerance vocabulary: relative error
/// below 1e-6 with step 1e-6), for both losses and a tanh/sigmoid mix.
#[test]
fn backprop_equals_finite_differences() {
    for (loss, out) in [
        (Loss::HalfSquaredError, Activation::Sigmoid),
        (Loss::SoftmaxCrossEntropy, Activation::Identity),
    ] {
        let mut n = net(&[4, 6, 5, 3], Activation::Tanh, out, loss, 3);
        let (x, t0) = batch(5, 4, 3, 4);
        let t = if loss == Loss::SoftmaxCrossEntropy {
            one_hot_cycle(5, 3)
        } else {
            t0
        };
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
        assert!(err < 1e-6, "{loss:?}: relative error {err:e}");
        // Negative control: a perturbed gradient fails the same check.
        n.param_slices_mut().next().expect("W_1")[0] += 0.1;
        let wrong = Backprop::new().updates(&n, &x, &t).expect("bp").grads;
        assert!(rel(&wrong, &numeric) > 1e-4);
    }
}

proptest! {
    /// The hand-written backprop equals the autodiff tape (the reference) to 1e-12: both compute
    /// the chain rule (Rumelhart, Hinton & Williams 1986), in different summation orders.
    #[test]
    fn hand_backprop_equals_tape(seed in 0u64..10_000, rows in 1usize..6, hidden in 1usize..7, ce in any::<bool>()) {
        let loss = if ce { Loss::SoftmaxCrossEntropy } else { Loss::HalfSquaredError };
        let out = if ce { Activation::Identity } else { Activation::Tanh };
        let n = net(&[3, hidden, 4], Activation::Sigmoid, out, loss, seed);
        let (x, t0) = batch(rows, 3, 4, seed + 1);
        let t = if ce { one_hot_cycle(rows, 4) } else { t0 };
        let hand = Backprop::new().updates(&n, &x, &t).expect("bp");
        let (tape_loss, tape) = tape_gradients(&n, &x, &t).expect("tape");
        prop_assert!(rel(&hand.grads, &tape) < 1e-12);
        prop_assert!((hand.diagnostics.loss - tape_loss).abs() <= 1e-12 * tape_loss.abs().max(1.0));
    }

    /// Feedback alignment with B := W (copied every step) is backprop exactly (Lillicrap et al.
    /// 2016; theory.md checklist 34, tolerance 1e-12).
    #[test]
    fn fa_with_transported_weights_is_backprop(seed in 0u64..10_000) {
        let n = net(&[5, 7, 6, 3], Activation::Tanh, Activation::Identity, Loss::SoftmaxCrossEntropy, seed);
        let (x, _) = batch(4, 5, 3, seed + 2);
        let t = one_hot_cycle(4, 3);
        let mut fa = FeedbackAlignment::with_feedback(&n, vec![n.weight(1).expect("W_2").clone(), n.weight(2).expect("W_3").clone()]).expect("shapes");
        let a = fa.updates(&n, &x, &t).expect("fa");
        let b = Backprop::new().updates(&n, &x, &t).expect("bp");
        prop_assert!(rel(&a.grads, &b.grads) < 1e-12);
    }

    /// Predictive coding under the fixed-prediction assumption converges to exact backprop
    /// (Millidge, Tschantz & Buckley 2022; theory.md checklist 24, tolerance 1e-9).
    #[test]
    fn pc_fixed_prediction_is_backprop(seed in 0u64..10_000) {
        let n = net(&[4, 6, 5, 3], Activation::Tanh, Activation::Identity, Loss::HalfSquaredError, seed);
        let (x, t) = batch(3, 4, 3, seed + 3);
        let mut pc = PredictiveCoding::new(PcVariant::FixedPrediction).with_inference(Relaxation { step: 0.1, tol: 1e-14, max_iters: 100_000 }).expect("params");
        let a = pc.updates(&n, &x, &t).expect("pc");
        let b = Backprop::new().updates(&n, &x, &t).expect("bp");
        prop_assert!(rel(&a.grads, &b.grads) < 1e-9, "{}", rel(&a.grads, &b.grads));
    }

    /// Z-IL (Song et al. 2020) — forward-pass initialisation, inference rate 1, layer l updated at
    /// step L - l — equals backprop per layer to 1e-12 (theory.md checklist 25).
    #[test]
    fn pc_zero_divergence_is_backprop(seed in 0u64..10_000) {
        let n = net(&[4, 6, 5, 3], Activation::Tanh, Activation::Identity, Loss::HalfSquaredError, seed);
        let (x, t) = batch(3, 4, 3, seed + 4);
        let a = PredictiveCoding::new(PcVariant::ZeroDivergence).updates(&n, &x, &t).expect("zil");
        let b = Backprop::new().updates(&n, &x, &t).expect("bp");
        prop_assert!(max_layer(&a.grads, &b.grads) < 1e-12);
        prop_assert!(rel(&a.grads, &b.grads) < 1e-12);
    }
}

/// Z-IL needs inference rate 1: with rate 0.5 the hidden layers are off by 50% and 75%
/// (scaled by γ^{L-l}; theory.md §10, negative control).
#[test]
fn pc_zero_divergence_needs_unit_rate() {
    let n = net(
        &[4, 6, 5, 3],
        Activation::Tanh,
        Activation::Identity,
        Loss::HalfSquaredError,
        9,
    );
    let (x, t) = batch(3, 4, 3, 10);
    let mut pc = PredictiveCoding::new(PcVariant::ZeroDivergence)
        .with_inference(Relaxation {
            step: 0.5,
            tol: 1e-9,
            max_iters: 10,
        })
        .expect("params");
    let a = pc.updates(&n, &x, &t).expect("zil");
    let b = Backprop::new().updates(&n, &x, &t).expect("bp");
    let layer_error = |l: usize| {
        relative_error(a.weight(l).expect("layer"), b.weight(l).expect("layer")).expect("shapes")
    };
    let (e1, e0) = (layer_error(1), layer_error(0));
    assert!(
        (e1 - 0.5).abs() < 1e-9 && (e0 - 0.75).abs() < 1e-9,
        "{e1} {e0}"
    );
}

/// Direct feedback alignment with D = W_L on a one-hidden-layer network is backprop (the only
/// hidden layer receives the output error through the transported weights; Nøkland 2016).
#[test]
fn dfa_with_transported_weights_one_hidden_is_backprop() {
    let n = net(
        &[5, 8, 3],
        Activation::Tanh,
        Activation::Identity,
        Loss::SoftmaxCrossEntropy,
        5,
    );
    let (x, _) = batch(6, 5, 3, 6);
    let t = one_hot_cycle(6, 3);
    let mut dfa =
        DirectFeedbackAlignment::with_feedback(&n, vec![n.weight(1).expect("W_2").clone()])
            .expect("shapes");
    let a = dfa.updates(&n, &x, &t).expect("dfa");
    let b = Backprop::new().updates(&n, &x, &t).expect("bp");
    assert!(rel(&a.grads, &b.grads) < 1e-12);
}

/// Difference target propagation with exact inverses (Lee et al. 2015; theory.md §13,
/// checklist 35): with linear invertible layers and g_l = f_l⁻¹, the target differences are the
/// exact pull-back of the top perturbation, `ĥ_l - h_l = (ĥ_{l+1} - h_{l+1}) W_{l+1}^{-T}`, to
/// 1e-12; with ĥ_top = h_top every target equals its activity (1e-15).
#[test]
fn dtp_exact_inverse_pulls_back_exactly() {
    let widths = [4, 4, 4, 4, 3];
    let n = net(
        &widths,
        Activation::Identity,
        Activation::Identity,
        Loss::HalfSquaredError,
        11,
    );
    // Fixed inverses: no inverse learning, no noise.
    let fixed = DtpConfig {
        alpha: 0.5,
        inverse_lr: 0.0,
        noise: 0.0,
    };
    let mut dtp = DifferenceTargetPropagation::new(&n, fixed, 1).expect("params");
    let w = |l: usize| n.weight(l).expect("layer").clone();
    for l in 1..3 {
        let winv = w(l).try_inverse().expect("invertible");
        let c = -(n.bias(l).expect("layer") * winv.transpose());
        dtp.set_inverse(&n, l, winv, c).expect("shapes");
    }
    let (x, _) = batch(5, 4, 3, 12);
    let cache = n.forward_cache(&x).expect("forward");
    let (pert, _) = batch(5, 4, 3, 13);
    let top = &cache.post[3] + &pert * 0.1;
    let targets = dtp.targets_from_top(&n, &x, &top).expect("targets");
    let mut expected = pert * 0.1;
    for l in (1..3).rev() {
        expected = &expected * w(l).try_inverse().expect("inv").transpose();
        let got = &targets[l - 1] - &cache.post[l];
        let err = (&got - &expected).norm() / expected.norm();
        assert!(err < 1e-12, "layer {l}: {err:e}");
    }
    let same = dtp
        .targets_from_top(&n, &x, &cache.post[3])
        .expect("targets");
    for (l, t) in same.iter().enumerate() {
        assert!((t - &cache.post[l + 1]).amax() < 1e-15 * 100.0);
    }
    // Negative control: a wrong inverse does not pull back exactly.
    let mut bad = DifferenceTargetPropagation::new(&n, fixed, 2).expect("params");
    let t_bad = bad.targets_from_top(&n, &x, &top).expect("targets");
    let expected0 = (&top - &cache.post[3]) * w(2).try_inverse().expect("inv").transpose();
    assert!((&t_bad[1] - &cache.post[2] - &expected0).norm() / expected0.norm() > 1e-3);
    let up = bad.updates(&n, &x, &Matrix::zeros(5, 3)).expect("updates");
    assert!(up.check_finite().is_ok());
    let _: &Network = &n;
}
