//! Measurements of algorithms against the gradient, used by the property tests and by the claims
//! lab: error against backprop as a function of `β` (EP), `γ` (CHL), `π_L` (PC) and `λ`
//! (recirculation); the angle between an update and backprop's; the feedback-alignment teacher
//! task of Lillicrap et al. (2016).
//!
//! The cosine and the relative error of parameter lists are the tensor crate's
//! ([`neurograd_tensor::geometry::cosine_params`],
//! [`neurograd_tensor::geometry::relative_error_params`]: `‖a - b‖ / max(‖a‖, ‖b‖)`), which
//! check lengths, shapes and finiteness; this module adds the angle of two lists and the largest
//! per-layer relative error on top of them.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use neurograd_tensor::geometry::{
    self, check_same_shapes, cosine_params, flatten, relative_error_params,
};
use neurograd_tensor::{Activation, Matrix, Real, init};

use super::{
    Backprop, ContrastiveHebbian, CreditAssignment, EpVariant, EquilibriumPropagation,
    FeedbackAlignment, Loss, Network, PcVariant, PredictiveCoding, Recirculation, Relaxation,
    Updates,
};
use crate::{PlasticityError, Result};

/// Largest per-layer [`geometry::relative_error`] `‖a_k - b_k‖ / max(‖a_k‖, ‖b_k‖)` over the
/// weight matrices only (`a[0], a[2], ...` of the `[W_1, b_1, ...]` layout).
///
/// # Errors
/// Lists of different lengths or shapes, non-finite values (the tensor crate's errors, wrapped
/// in [`PlasticityError::Tensor`]).
pub fn max_layer_relative_error(a: &[Matrix], b: &[Matrix]) -> Result<Real> {
    check_same_shapes("max_layer_relative_error", a, b)?;
    let mut worst: Real = 0.0;
    for (x, y) in a.iter().zip(b).step_by(2) {
        worst = worst.max(geometry::relative_error(x, y)?);
    }
    Ok(worst)
}

/// Angle in degrees between two parameter lists after flattening them, by the tensor crate's
/// [`geometry::angle_degrees`] (Kahan's formula, accurate near 0° and 180°).
///
/// # Errors
/// Lists of different lengths or shapes, empty or non-finite input, a zero list (the angle is
/// undefined: `TensorError::ZeroNorm`).
pub fn angle_degrees(a: &[Matrix], b: &[Matrix]) -> Result<Real> {
    check_same_shapes("angle_degrees", a, b)?;
    Ok(geometry::angle_degrees(&flatten(a), &flatten(b))?)
}

/// Angle in degrees between `algo`'s update and backprop's on one batch, over the weights of
/// the hidden layers only (the output layer's update is identical for FA, DFA, sign symmetry).
///
/// # Errors
/// Algorithm errors; a network without hidden layers or a zero update (the angle is undefined).
pub fn hidden_angle_to_backprop(
    algo: &mut dyn CreditAssignment,
    net: &Network,
    x: &Matrix,
    t: &Matrix,
) -> Result<Real> {
    let a = algo.updates(net, x, t)?;
    let b = Backprop::new().updates(net, x, t)?;
    let l = net.num_layers();
    let pick = |u: &Updates| -> Result<Vec<Matrix>> {
        (0..l - 1).map(|k| Ok(u.weight(k)?.clone())).collect()
    };
    angle_degrees(&pick(&a)?, &pick(&b)?)
}

/// One measured point of an error-vs-parameter curve.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ErrorPoint {
    /// The parameter (β, γ, π_L, 1-λ, ...).
    pub param: Real,
    /// Relative error of the (scaled) update to the reference gradient.
    pub relative_error: Real,
}

/// Least-squares slope of `log(error)` against `log(param)`: the order of convergence.
pub fn fitted_order(points: &[ErrorPoint]) -> Real {
    let n = points.len() as Real;
    let xs: Vec<Real> = points.iter().map(|p| p.param.ln()).collect();
    let ys: Vec<Real> = points.iter().map(|p| p.relative_error.ln()).collect();
    let mx = xs.iter().sum::<Real>() / n;
    let my = ys.iter().sum::<Real>() / n;
    let sxy: Real = xs.iter().zip(&ys).map(|(x, y)| (x - mx) * (y - my)).sum();
    let sxx: Real = xs.iter().map(|x| (x - mx) * (x - mx)).sum();
    if sxx == 0.0 { 0.0 } else { sxy / sxx }
}

/// The true gradient `dJ/dθ` of the EP objective (cost at the free fixed point) by central
/// differences with re-relaxation (`2 · num_params` relaxations: small networks only).
///
/// # Errors
/// [`PlasticityError::InvalidParameter`] unless the step `h` is positive and finite; relaxation
/// errors.
pub fn ep_true_gradient(
    ep: &EquilibriumPropagation,
    net: &Network,
    x: &Matrix,
    t: &Matrix,
    h: Real,
) -> Result<Vec<Matrix>> {
    if !(h.is_finite() && h > 0.0) {
        return Err(PlasticityError::InvalidParameter {
            name: "h",
            value: h.to_string(),
            reason: "the finite-difference step must be positive and finite".into(),
        });
    }
    let mut work = net.clone();
    let mut out = Vec::new();
    for k in 0..net.params().len() {
        let mut g = Matrix::zeros(net.params()[k].nrows(), net.params()[k].ncols());
        for e in 0..g.len() {
            let orig = work.params()[k].as_slice()[e];
            work.params_mut_keep_shapes()[k].as_mut_slice()[e] = orig + h;
            let fp = ep.free_cost(&work, x, t)?;
            work.params_mut_keep_shapes()[k].as_mut_slice()[e] = orig - h;
            let fm = ep.free_cost(&work, x, t)?;
            work.params_mut_keep_shapes()[k].as_mut_slice()[e] = orig;
            g.as_mut_slice()[e] = (fp - fm) / (2.0 * h);
        }
        out.push(g);
    }
    Ok(out)
}

/// EP's relative error against the true gradient for each `β` (claim 2), relaxation step 0.5,
/// tolerance `1e-13`, budget 200000. The true gradient comes from [`ep_true_gradient`]
/// (step `1e-5`). Needs a half-squared-error network.
///
/// # Errors
/// Relaxation errors, invalid `β`.
pub fn ep_error_vs_beta(
    net: &Network,
    x: &Matrix,
    t: &Matrix,
    betas: &[Real],
    variant: EpVariant,
) -> Result<Vec<ErrorPoint>> {
    let relaxation = Relaxation {
        step: 0.5,
        tol: 1e-13,
        max_iters: 200_000,
    };
    let base = EquilibriumPropagation::new(1.0, variant)?.with_relaxation(relaxation)?;
    let truth = ep_true_gradient(&base, net, x, t, 1e-5)?;
    betas
        .iter()
        .map(|&beta| {
            let mut ep = EquilibriumPropagation::new(beta, variant)?.with_relaxation(relaxation)?;
            let u = ep.updates(net, x, t)?;
            Ok(ErrorPoint {
                param: beta,
                relative_error: relative_error_params(&u.grads, &truth)?,
            })
        })
        .collect()
}

/// CHL's largest per-layer relative error against backprop for each `γ` (claim 2), with the
/// Xie-Seung scaling. `net` needs an identity output and the half squared error.
///
/// # Errors
/// Relaxation errors, invalid `γ`.
pub fn chl_error_vs_gamma(
    net: &Network,
    x: &Matrix,
    t: &Matrix,
    gammas: &[Real],
) -> Result<Vec<ErrorPoint>> {
    let bp = Backprop::new().updates(net, x, t)?;
    gammas
        .iter()
        .map(|&g| {
            let mut chl = ContrastiveHebbian::new(g)?.with_relaxation(Relaxation {
                step: 1.0,
                tol: 1e-15,
                max_iters: 100_000,
            })?;
            let u = chl.updates(net, x, t)?;
            Ok(ErrorPoint {
                param: g,
                relative_error: max_layer_relative_error(&u.grads, &bp.grads)?,
            })
        })
        .collect()
}

/// Standard PC's largest per-layer relative error against backprop for each output precision
/// `π_L` (updates divided by `π_L`). `net` needs an identity output and the half squared error.
///
/// Inference runs at rate 0.2 to a scaled residual `max |∂F/∂x| / π_L <= 1e-10` (budget
/// 200,000 steps). The unscaled residual is then at most `1e-10 π_L`, i.e. 1e-12 at
/// `π_L = 1e-2` and 1e-13 at `1e-3`, which meets theory.md pitfall 2 (residual <= 1e-12 before
/// dividing by the small parameter). A scaled tolerance of 1e-12 would demand 1e-15 unscaled at
/// `π_L = 1e-3`. That is the round-off floor, and on some networks it was not reached.
///
/// # Errors
/// Inference errors, invalid precision.
pub fn pc_error_vs_precision(
    net: &Network,
    x: &Matrix,
    t: &Matrix,
    precisions: &[Real],
) -> Result<Vec<ErrorPoint>> {
    let bp = Backprop::new().updates(net, x, t)?;
    precisions
        .iter()
        .map(|&pi| {
            let mut pc = PredictiveCoding::new(PcVariant::Standard)
                .with_output_precision(pi)?
                .with_inference(Relaxation {
                    step: 0.2,
                    tol: 1e-10,
                    max_iters: 200_000,
                })?;
            let u = pc.updates(net, x, t)?;
            Ok(ErrorPoint {
                param: pi,
                relative_error: max_layer_relative_error(&u.grads, &bp.grads)?,
            })
        })
        .collect()
}

/// Recirculation against the reconstruction-error gradient at one `λ`.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RecirculationPoint {
    /// Regression parameter.
    pub lambda: Real,
    /// Cosine of the decoder update with the decoder gradient (1 in theory).
    pub decoder_cosine: Real,
    /// Cosine of the encoder update with the encoder gradient.
    pub encoder_cosine: Real,
    /// Relative error of the (rescaled) encoder update to the encoder gradient.
    pub encoder_relative_error: Real,
}

/// Recirculation's updates vs the gradient of `E = ½‖v - r‖²` for each `λ` (claim 4). `net` is a
/// `[n, h, n]` autoencoder with linear output ([`Recirculation::autoencoder`]); weights only.
///
/// # Errors
/// Not an autoencoder; bad input; invalid `λ`.
pub fn recirculation_vs_lambda(
    net: &Network,
    x: &Matrix,
    lambdas: &[Real],
) -> Result<Vec<RecirculationPoint>> {
    let g = Backprop::new().updates(net, x, x)?;
    lambdas
        .iter()
        .map(|&lam| {
            let u = Recirculation::new(lam)?.updates(net, x, x)?;
            let one = std::slice::from_ref;
            Ok(RecirculationPoint {
                lambda: lam,
                decoder_cosine: cosine_params(one(u.weight(1)?), one(g.weight(1)?))?,
                encoder_cosine: cosine_params(one(u.weight(0)?), one(g.weight(0)?))?,
                encoder_relative_error: geometry::relative_error(u.weight(0)?, g.weight(0)?)?,
            })
        })
        .collect()
}

/// One sample of the feedback-alignment teacher task.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AlignmentPoint {
    /// SGD step.
    pub step: usize,
    /// Mean over the batch of the angle (degrees) between the FA hidden signal `e B` and
    /// backprop's `e W_2` per sample.
    pub signal_angle: Real,
    /// Angle (degrees) between the feedback matrix and the forward weights `W_2` as vectors.
    pub weight_angle: Real,
    /// Batch loss (half squared error).
    pub loss: Real,
}

/// The rule trained on the linear teacher task ([`teacher_alignment`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum TeacherRule {
    /// Backpropagation (the control: its signal angle is 0).
    Backprop,
    /// Feedback alignment (Lillicrap et al. 2016): `δ_l = δ_{l+1} B_{l+1}`.
    FeedbackAlignment,
    /// Direct feedback alignment (Nøkland 2016): `δ_l = e D_l`.
    DirectFeedbackAlignment,
}

/// The linear teacher task of Lillicrap et al. (2016) as set up in theory.md §12: a linear
/// `30-20-10` student trained by FA with plain SGD (`η`) on batches of `batch` Gaussian inputs
/// labelled by a random linear teacher `T` (10 x 30, N(0, 1/30)); student weights `U(±0.01)`,
/// feedback `B ~ N(0, 1)`. With `use_backprop` the same run uses backprop (the control).
/// Records every `record_every` steps. This is [`teacher_alignment`] with widths `[30, 20, 10]`.
///
/// # Errors
/// Invalid arguments (zero steps/batch).
pub fn fa_teacher_alignment(
    seed: u64,
    steps: usize,
    batch: usize,
    lr: Real,
    record_every: usize,
    use_backprop: bool,
) -> Result<Vec<AlignmentPoint>> {
    let rule = if use_backprop {
        TeacherRule::Backprop
    } else {
        TeacherRule::FeedbackAlignment
    };
    teacher_alignment(seed, &[30, 20, 10], rule, steps, batch, lr, record_every)
}

/// The linear teacher task of Lillicrap et al. (2016) for any depth and rule: a linear student
/// with `widths = [n_0, n_1, ..., n_L]` (biases start at zero and are trained like the
/// weights) is trained with plain SGD (`η`) on batches of `batch` inputs `x ~ N(0, I)`
/// labelled by a random linear teacher `t = T x`, `T ~ N(0, 1/n_0)` of shape `(n_L, n_0)`, on
/// the half squared error. Student weights `U(±0.01)`; feedback `N(0, 1)`: `B_l` shaped like `W_l`
/// for FA, `D_l` of shape `(n_L, n_l)` for DFA. Draw order: `T`, `W_1..W_L`, then the feedback.
///
/// Recorded every `record_every` steps: the mean over samples and hidden layers of the angle
/// between the rule's hidden error signal `δ_l` and backprop's (`δ_L = e = y - t`,
/// `δ_l = δ_{l+1} W_{l+1}` for backprop, `δ_{l+1} B_{l+1}` for FA, `e D_l` for DFA; the network is
/// linear, so there is no derivative factor); the angle between the rule's feedback path from the
/// output to the first hidden layer (`B_L ⋯ B_2`, or `D_1`) and the forward path `W_L ⋯ W_2`; the
/// batch loss. The updates come from the crate's [`Backprop`], [`FeedbackAlignment`] and
/// [`DirectFeedbackAlignment`](super::DirectFeedbackAlignment) themselves.
///
/// # Errors
/// Invalid arguments (zero steps/batch/record interval, fewer than one hidden layer, a zero
/// width).
pub fn teacher_alignment(
    seed: u64,
    widths: &[usize],
    rule: TeacherRule,
    steps: usize,
    batch: usize,
    lr: Real,
    record_every: usize,
) -> Result<Vec<AlignmentPoint>> {
    let run = teacher_alignment_until(seed, widths, rule, steps, batch, lr, record_every, &|| {
        false
    })?;
    run.ok_or_else(|| PlasticityError::InvalidParameter {
        name: "stop",
        value: "false".into(),
        reason: "the run stopped although never asked to".into(),
    })
}

/// Steps between two polls of the stop request of [`teacher_alignment_until`].
pub const TEACHER_STOP_POLL_STEPS: usize = 64;

/// [`teacher_alignment`], polling `stop` before its first step and then every
/// [`TEACHER_STOP_POLL_STEPS`] SGD steps: once it returns `true` the run ends there and the
/// result is `Ok(None)` (the points recorded so far are dropped; nothing outside the call was
/// changed). For callers that stop on a signal (the Python bindings). Never stopped, it is
/// [`teacher_alignment`], number for number.
///
/// # Errors
/// As [`teacher_alignment`].
#[allow(clippy::too_many_arguments)]
pub fn teacher_alignment_until(
    seed: u64,
    widths: &[usize],
    rule: TeacherRule,
    steps: usize,
    batch: usize,
    lr: Real,
    record_every: usize,
    stop: &dyn Fn() -> bool,
) -> Result<Option<Vec<AlignmentPoint>>> {
    if steps == 0 || batch == 0 || record_every == 0 {
        return Err(PlasticityError::InvalidParameter {
            name: "steps/batch/record_every",
            value: format!("{steps}/{batch}/{record_every}"),
            reason: "must all be at least 1".into(),
        });
    }
    if widths.len() < 3 || widths.contains(&0) {
        return Err(PlasticityError::InvalidParameter {
            name: "widths",
            value: format!("{widths:?}"),
            reason: "need input, at least one hidden and an output layer, all non-zero".into(),
        });
    }
    let l_count = widths.len() - 1;
    let (n0, nl) = (widths[0], widths[l_count]);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let teacher = init::normal(nl, n0, 0.0, (1.0 / n0 as Real).sqrt(), &mut rng)?;
    let mut weights = Vec::with_capacity(l_count);
    for l in 0..l_count {
        weights.push(init::uniform(
            widths[l + 1],
            widths[l],
            -0.01,
            0.01,
            &mut rng,
        )?);
    }
    let biases = (1..=l_count).map(|l| Matrix::zeros(1, widths[l])).collect();
    let mut net = Network::from_layers(
        weights,
        biases,
        vec![Activation::Identity; l_count],
        Loss::HalfSquaredError,
    )?;
    // feedback[l] is used in place of W_{l+1} (FA, shape of W_{l+1}) or is D_{l+1} (DFA), for
    // hidden layers l = 0..L-2 (0-based).
    let mut feedback = Vec::with_capacity(l_count - 1);
    for l in 1..l_count {
        let shape = match rule {
            TeacherRule::DirectFeedbackAlignment => (nl, widths[l]),
            _ => (widths[l + 1], widths[l]),
        };
        if rule != TeacherRule::Backprop {
            feedback.push(init::normal(shape.0, shape.1, 0.0, 1.0, &mut rng)?);
        }
    }
    let mut algo: Box<dyn CreditAssignment> = match rule {
        TeacherRule::Backprop => Box::new(Backprop::new()),
        TeacherRule::FeedbackAlignment => {
            Box::new(FeedbackAlignment::with_feedback(&net, feedback.clone())?)
        }
        TeacherRule::DirectFeedbackAlignment => Box::new(
            super::DirectFeedbackAlignment::with_feedback(&net, feedback.clone())?,
        ),
    };
    let mut out = Vec::new();
    for step in 0..=steps {
        if step.is_multiple_of(TEACHER_STOP_POLL_STEPS) && stop() {
            return Ok(None);
        }
        let x = init::normal(batch, n0, 0.0, 1.0, &mut rng)?;
        let t = &x * teacher.transpose();
        if step % record_every == 0 || step == steps {
            let y = net.forward(&x)?;
            let e = &y - &t;
            // Backprop's and the rule's hidden signals, from the top hidden layer down.
            let (mut bp_sig, mut rule_sig) = (e.clone(), e.clone());
            let mut ang = 0.0;
            for l in (1..l_count).rev() {
                bp_sig = &bp_sig * net.layer_weight(l);
                rule_sig = match rule {
                    TeacherRule::Backprop => bp_sig.clone(),
                    TeacherRule::FeedbackAlignment => &rule_sig * &feedback[l - 1],
                    TeacherRule::DirectFeedbackAlignment => &e * &feedback[l - 1],
                };
                for i in 0..batch {
                    let c = rule_sig.row(i).dot(&bp_sig.row(i))
                        / (rule_sig.row(i).norm() * bp_sig.row(i).norm()).max(1e-300);
                    ang += c.clamp(-1.0, 1.0).acos().to_degrees();
                }
            }
            // Output-to-first-hidden paths (n_L, n_1): forward W_L ⋯ W_2, the rule's own.
            let mut fwd = net.layer_weight(l_count - 1).clone();
            for l in (1..l_count - 1).rev() {
                fwd = &fwd * net.layer_weight(l);
            }
            let path = match rule {
                TeacherRule::Backprop => fwd.clone(),
                TeacherRule::FeedbackAlignment => {
                    let mut p = feedback[l_count - 2].clone();
                    for l in (1..l_count - 1).rev() {
                        p = &p * &feedback[l - 1];
                    }
                    p
                }
                TeacherRule::DirectFeedbackAlignment => feedback[0].clone(),
            };
            out.push(AlignmentPoint {
                step,
                signal_angle: ang / (batch * (l_count - 1)) as Real,
                weight_angle: angle_degrees(
                    std::slice::from_ref(&path),
                    std::slice::from_ref(&fwd),
                )?,
                loss: net.loss().batch_value(&y, &t),
            });
        }
        if step == steps {
            break;
        }
        let u = algo.updates(&net, &x, &t)?;
        for (p, g) in net.param_slices_mut().zip(&u.grads) {
            for (pv, &gv) in p.iter_mut().zip(g.as_slice()) {
                *pv -= gv * lr;
            }
        }
    }
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn teacher_alignment_until_is_the_run_unless_stopped_and_stops_at_a_poll() {
        let widths = [30, 20, 10];
        let rule = TeacherRule::FeedbackAlignment;
        let full = teacher_alignment(5, &widths, rule, 300, 8, 0.01, 50).unwrap();
        let polls = Cell::new(0usize);
        let never = || {
            polls.set(polls.get() + 1);
            false
        };
        let same = teacher_alignment_until(5, &widths, rule, 300, 8, 0.01, 50, &never).unwrap();
        assert_eq!(same, Some(full));
        // steps 0, 64, ..., 256: polled every TEACHER_STOP_POLL_STEPS steps
        assert_eq!(polls.get(), 300 / TEACHER_STOP_POLL_STEPS + 1);
        // stopped at the third poll (before step 128): no result, nothing polled afterwards
        let polls = Cell::new(0usize);
        let third = || {
            polls.set(polls.get() + 1);
            polls.get() >= 3
        };
        assert_eq!(
            teacher_alignment_until(5, &widths, rule, 300, 8, 0.01, 50, &third).unwrap(),
            None
        );
        assert_eq!(polls.get(), 3);
        // a long run (10^9 steps, hours) stops within one poll interval
        let polls = Cell::new(0usize);
        let soon = || {
            polls.set(polls.get() + 1);
            polls.get() >= 2
        };
        let t = std::time::Instant::now();
        assert_eq!(
            teacher_alignment_until(5, &widths, rule, 1_000_000_000, 32, 0.01, 1000, &soon)
                .unwrap(),
            None
        );
        assert!(t.elapsed().as_secs_f64() < 5.0);
        // an invalid argument is still an error, not a stop
        assert!(teacher_alignment_until(5, &widths, rule, 0, 8, 0.01, 50, &|| true).is_err());
    }
}
