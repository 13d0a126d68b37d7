//! Loss functions: analytic gradients vs finite differences, stability and invariances.

use neurograd_tensor::gradcheck::check_gradient;
use neurograd_tensor::loss::{
    binary_cross_entropy_with_logits, binary_cross_entropy_with_logits_grad, mse, mse_grad,
    softmax, softmax_cross_entropy, softmax_cross_entropy_grad,
};
use neurograd_tensor::{Activation, Matrix, Real};
use proptest::prelude::*;

use crate::common::{FD_TOL, rng, unif};

proptest! {
    /// Claim: `mse_grad`, `softmax_cross_entropy_grad` and `binary_cross_entropy_with_logits_grad`
    /// are the derivatives of their losses (closed forms in `loss` module docs; softmax-CE
    /// gradient `(softmax - onehot)/m`, Bridle 1990), checked by central differences to 1e-6.
    #[test]
    fn loss_gradients_match_fd(m in 1usize..6, n in 2usize..6, seed in any::<u64>()) {
        let mut g = rng(seed);
        let z = unif(m, n, -4.0, 4.0, &mut g);
        let t = unif(m, n, 0.0, 1.0, &mut g);
        let labels: Vec<usize> = (0..m).map(|i| (i + seed as usize % n) % n).collect();
        let r = check_gradient(|p| mse(&p[0], &t), std::slice::from_ref(&z), &[mse_grad(&z, &t).unwrap()], 1e-5).unwrap();
        prop_assert!(r.max_rel_error < FD_TOL, "mse {r:?}");
        let r = check_gradient(
            |p| softmax_cross_entropy(&p[0], &labels),
            std::slice::from_ref(&z),
            &[softmax_cross_entropy_grad(&z, &labels).unwrap()],
            1e-5,
        ).unwrap();
        prop_assert!(r.max_rel_error < FD_TOL, "ce {r:?}");
        let r = check_gradient(
            |p| binary_cross_entropy_with_logits(&p[0], &t),
            std::slice::from_ref(&z),
            &[binary_cross_entropy_with_logits_grad(&z, &t).unwrap()],
            1e-5,
        ).unwrap();
        prop_assert!(r.max_rel_error < FD_TOL, "bce {r:?}");
    }

    /// Claim: softmax is invariant to adding a constant to a row and its rows sum to 1; the
    /// log-sum-exp form keeps cross-entropy finite and exact for logits shifted by 1e4
    /// (a naive `exp` overflows at ~709).
    #[test]
    fn softmax_shift_invariance(m in 1usize..5, n in 1usize..6, shift in -1e4f64..1e4, seed in any::<u64>()) {
        let z = unif(m, n, -3.0, 3.0, &mut rng(seed));
        let s = softmax(&z);
        let zs = z.add_scalar(shift);
        // rounding z + shift costs up to ulp(1e4)/2 ≈ 1e-12 per logit
        prop_assert!((softmax(&zs) - &s).amax() < 1e-10);
        for i in 0..m {
            prop_assert!((s.row(i).sum() - 1.0).abs() < 1e-12);
        }
        let labels = vec![0; m];
        let a = softmax_cross_entropy(&z, &labels).unwrap();
        let b = softmax_cross_entropy(&zs, &labels).unwrap();
        prop_assert!((a - b).abs() < 1e-9 * (1.0 + a.abs()), "{a} vs {b}");
    }

    /// Claim: `Activation::derivative` is `f'` (table in the `activation` module docs), checked
    /// against central differences at points ≥ 0.05 away from the kinks.
    #[test]
    fn activation_derivatives_match_fd(x in -6.0f64..6.0, act in neurograd_tensor::testing::activation()) {
        let x = neurograd_tensor::testing::push_off_kinks(x, &[0.0, 1.0], 0.05);
        let h = 1e-5;
        let fd = (act.apply(x + h) - act.apply(x - h)) / (2.0 * h);
        let d = act.derivative(x);
        let rel = (d - fd).abs() / (d.abs() + fd.abs()).max(1e-3);
        prop_assert!(rel < FD_TOL, "{act:?} at {x}: {d} vs {fd}");
    }
}

/// Reference values: sigmoid(0) = 1/2, tanh'(0) = 1, softplus(0) = ln 2, ELU(-∞) = -α; the
/// identity `softplus' = sigmoid` (Dugas et al. 2001).
#[test]
fn activation_reference_values() {
    assert_eq!(Activation::Sigmoid.apply(0.0), 0.5);
    assert_eq!(Activation::Tanh.derivative(0.0), 1.0);
    assert!((Activation::Softplus.apply(0.0) - std::f64::consts::LN_2).abs() < 1e-15);
    assert!((Activation::Elu { alpha: 0.7 }.apply(-50.0) + 0.7).abs() < 1e-15);
    for x in [-3.0, -0.1, 0.4, 5.0] {
        assert_eq!(
            Activation::Softplus.derivative(x),
            Activation::Sigmoid.apply(x)
        );
    }
    let m = Matrix::from_row_slice(1, 3, &[-1.0, 0.5, 2.0]);
    assert_eq!(
        Activation::HardSigmoid.map(&m),
        Matrix::from_row_slice(1, 3, &[0.0, 0.5, 1.0])
    );
    assert_eq!(
        Activation::Relu.derivative_map(&m),
        Matrix::from_row_slice(1, 3, &[0.0, 1.0, 1.0])
    );
}

/// Reference value: cross-entropy of logits (ln 2, 0) with label 0 is
/// `ln(2 + 1) - ln 2 = ln 1.5` (hand computation).
#[test]
fn cross_entropy_reference_value() {
    let z = Matrix::from_row_slice(1, 2, &[2f64.ln(), 0.0]);
    let l: Real = softmax_cross_entropy(&z, &[0]).unwrap();
    assert!((l - 1.5f64.ln()).abs() < 1e-15);
}
