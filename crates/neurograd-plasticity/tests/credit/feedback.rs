//! Feedback alignment, direct feedback alignment and sign symmetry: alignment with backprop.

use neurograd_plasticity::credit::compare::{
    TeacherRule, fa_teacher_alignment, hidden_angle_to_backprop, teacher_alignment,
};
use neurograd_plasticity::credit::{
    DirectFeedbackAlignment, FeedbackAlignment, Loss, SignSymmetry,
};
use neurograd_tensor::Activation;

use super::common::{batch, net, one_hot_cycle};

/// Feedback alignment learns by alignment (Lillicrap et al. 2016; theory.md §12 and checklist
/// 33): on the linear 30-20-10 teacher task with W ~ U(±0.01), B ~ N(0,1), η = 0.005, the mean
/// angle between the FA hidden signal and backprop's starts near 90° and falls below 60° after
/// 4000 steps (reference run: about 31°), while the loss falls at least 100-fold. Negative
/// control: at step 0 the angle is above 80° (random feedback is not aligned).
#[test]
fn fa_aligns_on_linear_teacher() {
    let pts = fa_teacher_alignment(7, 4000, 8, 0.005, 1000, false).expect("teacher task");
    let first = pts.first().expect("points");
    let last = pts.last().expect("points");
    assert!(first.signal_angle > 80.0, "start {first:?}");
    assert!(last.signal_angle < 60.0, "end {last:?}");
    assert!(
        last.loss * 100.0 <= first.loss,
        "loss {} -> {}",
        first.loss,
        last.loss
    );
    assert!(last.weight_angle < first.weight_angle);
}

/// Direct feedback alignment aligns likewise (Nøkland 2016; theory.md §12): on a linear
/// 30-20-20-10 teacher task, where DFA's lower hidden layer receives `e D_1` instead of
/// backprop's `e W_3 W_2` (so DFA differs from FA), the mean hidden-signal angle to backprop
/// starts near 90° and falls below 60° while the loss falls at least 100-fold; the direct feedback
/// path `D_1` and the forward path `W_3 W_2` align too. Control: backprop's own signal angle is 0.
#[test]
fn dfa_aligns_on_linear_teacher() {
    let widths = [30, 20, 20, 10];
    let pts = teacher_alignment(
        7,
        &widths,
        TeacherRule::DirectFeedbackAlignment,
        4000,
        8,
        0.005,
        1000,
    )
    .expect("teacher task");
    let (first, last) = (pts[0], pts[pts.len() - 1]);
    assert!(first.signal_angle > 80.0, "start {first:?}");
    assert!(last.signal_angle < 60.0, "end {last:?}");
    assert!(
        last.loss * 100.0 <= first.loss,
        "loss {} -> {}",
        first.loss,
        last.loss
    );
    assert!(
        last.weight_angle < first.weight_angle - 10.0,
        "{first:?} -> {last:?}"
    );
    let bp = teacher_alignment(7, &widths, TeacherRule::Backprop, 10, 8, 0.005, 5).expect("bp");
    assert!(bp.iter().all(|p| p.signal_angle < 1e-6), "{bp:?}");
}

/// Sign symmetry (Liao, Leibo & Poggio 2016) is aligned from the first step: its hidden update is
/// well within 90° of backprop's on a random network, while feedback alignment's (random
/// feedback, negative control) and DFA's are near 90° before training.
#[test]
fn sign_symmetry_aligned_from_first_step() {
    let n = net(
        &[20, 30, 30, 10],
        Activation::Tanh,
        Activation::Identity,
        Loss::SoftmaxCrossEntropy,
        61,
    );
    let (x, _) = batch(32, 20, 10, 62);
    let t = one_hot_cycle(32, 10);
    let ss = hidden_angle_to_backprop(&mut SignSymmetry::new(), &n, &x, &t).expect("ss");
    let fa = hidden_angle_to_backprop(&mut FeedbackAlignment::new(&n, 63).expect("fa"), &n, &x, &t)
        .expect("fa");
    let dfa = hidden_angle_to_backprop(
        &mut DirectFeedbackAlignment::new(&n, 64).expect("dfa"),
        &n,
        &x,
        &t,
    )
    .expect("dfa");
    assert!(ss < 60.0, "sign symmetry angle {ss}");
    assert!(fa > 70.0, "random feedback angle {fa}");
    assert!(dfa > 70.0, "random direct feedback angle {dfa}");
}
