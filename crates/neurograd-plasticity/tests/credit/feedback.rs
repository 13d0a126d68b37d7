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
/// 33): on the linear 30-20-10 teacher task with W ~ U(±0.01), B ~ N(0,1), η = 0.005 (seed 7,
/// batch 8), the mean angle between the FA hidden signal and backprop's starts near 90°
/// (measured 89.3°) and settles at 34.2° after 4000 steps (measured: 29.6°, 33.8°, 34.3°, 34.2°
/// at steps 1000-4000), while the loss falls at least 100-fold; the angle between the feedback
/// `B` and the forward weights `W_2` falls from 88.0° to 31.2°. theory.md's reference run
/// (another seed and batch) reports about 31° for the signal angle and 34° for the weight
/// angle: the same two values, swapped, so the bands are ±4° around this run's measurements
/// (signal [30, 38], weight [27, 35]), each containing the reference values, and well below the
/// checklist's bound of 60°. Negative control: at step 0 both angles are within 10° of 90°
/// (random feedback is not aligned).
#[test]
fn fa_aligns_on_linear_teacher() {
    let pts = fa_teacher_alignment(7, 4000, 8, 0.005, 1000, false).expect("teacher task");
    let first = pts.first().expect("points");
    let last = pts.last().expect("points");
    assert!((first.signal_angle - 90.0).abs() < 10.0, "start {first:?}");
    assert!((first.weight_angle - 90.0).abs() < 10.0, "start {first:?}");
    assert!((30.0..=38.0).contains(&last.signal_angle), "end {last:?}");
    assert!((27.0..=35.0).contains(&last.weight_angle), "end {last:?}");
    assert!(
        last.loss * 100.0 <= first.loss,
        "loss {} -> {}",
        first.loss,
        last.loss
    );
}

/// Direct feedback alignment aligns likewise (Nøkland 2016; theory.md §12): on a linear
/// 30-20-20-10 teacher task, where DFA's lower hidden layer receives `e D_1` instead of
/// backprop's `e W_3 W_2` (so DFA differs from FA), the mean hidden-signal angle to backprop
/// starts near 90° (measured 90.3°) and falls to 35.2° after 4000 steps (asserted: ±4°, well
/// below 60°) while the loss falls at least 100-fold; the direct feedback path `D_1` and the
/// forward path `W_3 W_2` align too (96.8° -> 35.9°, asserted ±4°). Control: backprop's own
/// signal angle is 0.
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
    assert!((first.signal_angle - 90.0).abs() < 10.0, "start {first:?}");
    assert!((31.0..=39.0).contains(&last.signal_angle), "end {last:?}");
    assert!(
        last.loss * 100.0 <= first.loss,
        "loss {} -> {}",
        first.loss,
        last.loss
    );
    assert!(first.weight_angle > 80.0, "{first:?}");
    assert!(
        (32.0..=40.0).contains(&last.weight_angle),
        "{first:?} -> {last:?}"
    );
    let bp = teacher_alignment(7, &widths, TeacherRule::Backprop, 10, 8, 0.005, 5).expect("bp");
    assert!(bp.iter().all(|p| p.signal_angle < 1e-6), "{bp:?}");
}

/// Sign symmetry (Liao, Leibo & Poggio 2016) is aligned from the first step: its hidden update is
/// well within 90° of backprop's on a random network (measured 53.7°, asserted < 60°), while
/// feedback alignment's (random feedback, negative control) and DFA's are near 90° before
/// training (measured 85.1° and 87.5°, asserted within 10° of 90°).
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
    assert!((fa - 90.0).abs() < 10.0, "random feedback angle {fa}");
    assert!(
        (dfa - 90.0).abs() < 10.0,
        "random direct feedback angle {dfa}"
    );
}
