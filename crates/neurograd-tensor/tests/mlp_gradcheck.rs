//! Random MLP compositions: tape gradients equal finite differences.
//!
//! Claim (Griewank & Walther 2008; Rumelhart, Hinton & Williams 1986): backpropagation through
//! `h_{l+1} = f_l(h_l W_lᵀ + 1 b_l)` followed by softmax cross-entropy or MSE gives the exact
//! gradient of the loss with respect to every `W_l`, `b_l` and the input; central differences
//! (step 1e-5) agree to a relative error below 1e-6.
//!
//! Kinks: a case is rejected (`prop_assume!`) when any pre-activation of a ReLU / leaky ReLU /
//! ELU layer lies within 1e-3 of 0, or of a hard-sigmoid layer within 1e-3 of 0 or 1; a
//! perturbation of 1e-5 of one parameter moves a pre-activation by far less than that, so
//! every finite difference stays on one smooth piece.

use neurograd_tensor::{Activation, Matrix, Result, Tape, Var, init};
use proptest::prelude::*;

use crate::common::{FD_TOL, rng, tape_vs_fd, unif};

#[derive(Debug, Clone)]
struct Spec {
    batch: usize,
    widths: Vec<usize>,
    acts: Vec<Activation>,
    cross_entropy: bool,
    seed: u64,
}

fn spec() -> impl Strategy<Value = Spec> {
    (1usize..=3, 1usize..=6, any::<bool>(), any::<u64>()).prop_flat_map(
        |(depth, batch, ce, seed)| {
            (
                proptest::collection::vec(1usize..=6, depth + 1),
                proptest::collection::vec(neurograd_tensor::testing::activation(), depth),
            )
                .prop_map(move |(mut widths, acts)| {
                    if ce {
                        // at least two classes
                        let last = widths.len() - 1;
                        widths[last] = widths[last].max(2);
                    }
                    Spec {
                        batch,
                        widths,
                        acts,
                        cross_entropy: ce,
                        seed,
                    }
                })
        },
    )
}

fn kinks(a: Activation) -> &'static [f64] {
    match a {
        Activation::Relu | Activation::LeakyRelu { .. } | Activation::Elu { .. } => &[0.0],
        Activation::HardSigmoid => &[0.0, 1.0],
        _ => &[],
    }
}

/// Parameters: input x, then (W_l, b_l) per layer; plus target (MSE) or labels (CE).
fn params(s: &Spec) -> (Vec<Matrix>, Matrix, Vec<usize>) {
    let mut g = rng(s.seed);
    let mut p = vec![unif(s.batch, s.widths[0], -1.5, 1.5, &mut g)];
    for l in 0..s.acts.len() {
        let (fan_in, fan_out) = (s.widths[l], s.widths[l + 1]);
        // a larger scale than Glorot so that saturating and piecewise parts are all exercised
        p.push(init::uniform(fan_out, fan_in, -1.5, 1.5, &mut g).expect("valid"));
        p.push(unif(1, fan_out, -0.5, 0.5, &mut g));
    }
    let out = *s.widths.last().expect("depth >= 1");
    let target = unif(s.batch, out, -1.0, 1.0, &mut g);
    let labels = (0..s.batch)
        .map(|i| (s.seed as usize >> 3).wrapping_add(i) % out)
        .collect();
    (p, target, labels)
}

/// Forward pass on the tape; also returns every pre-activation for the kink check.
fn forward(t: &mut Tape, v: &[Var], s: &Spec) -> Result<(Var, Vec<Var>)> {
    let mut h = v[0];
    let mut pre = Vec::new();
    for (l, &act) in s.acts.iter().enumerate() {
        let z = t.matmul_t(h, v[1 + 2 * l])?;
        let z = t.add_row(z, v[2 + 2 * l])?;
        pre.push(z);
        h = t.activation(z, act);
    }
    Ok((h, pre))
}

proptest! {
    /// Claim: backprop through random MLPs (depth 1-3, widths and batch 1-6, random
    /// activations, softmax cross-entropy or MSE) matches central finite differences to 1e-6.
    #[test]
    fn random_mlp_gradients_match_fd(s in spec()) {
        let (p, target, labels) = params(&s);
        // kink check on the unperturbed network
        let mut t = Tape::new();
        let vars: Vec<Var> = p.iter().map(|m| t.leaf(m.clone())).collect();
        let (_, pre) = forward(&mut t, &vars, &s).map_err(|e| TestCaseError::fail(e.to_string()))?;
        for (z, &act) in pre.iter().zip(&s.acts) {
            let near = t.value(*z).iter().any(|x| kinks(act).iter().any(|k| (x - k).abs() < 1e-3));
            prop_assume!(!near, "pre-activation within 1e-3 of a kink");
        }
        let r = tape_vs_fd(&p, |t, v| {
            let (out, _) = forward(t, v, &s)?;
            if s.cross_entropy {
                t.softmax_cross_entropy(out, &labels)
            } else {
                let y = t.constant(target.clone());
                t.mse(out, y)
            }
        })
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(r.max_rel_error < FD_TOL, "{s:?}: {r:?}");
    }
}
