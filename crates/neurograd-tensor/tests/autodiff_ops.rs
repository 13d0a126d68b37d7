//! Every tape op against central finite differences on its valid domain.
//!
//! Claim: reverse-mode accumulation computes the exact derivative of the recorded composition
//! (Griewank & Walther 2008, ch. 3); a central difference with step h = 1e-5 approximates it to
//! O(h²) + O(ε/h) ≈ 1e-10, so the relative error (|a - n| / max(|a| + |n|, 1e-3)) stays below
//! 1e-6 (tolerance from the issue; the theory reference's FD budget is ≤ 1e-7).
//! Kinks are avoided: inputs to ReLU, leaky ReLU and ELU are kept ≥ 0.05 away from 0, inputs to the
//! hard sigmoid ≥ 0.05 away from 0 and 1; `log` gets inputs in [0.2, 3]; `div` gets divisors with
//! |b| in [0.5, 2].

use neurograd_tensor::testing::push_off_kinks;
use neurograd_tensor::{Activation, Matrix, Real, Tape, Var};
use proptest::prelude::*;

use crate::common::{FD_TOL, rng, tape_vs_fd, unif};

type Build = fn(&mut Tape, &[Var]) -> neurograd_tensor::Result<Var>;

fn dims() -> impl Strategy<Value = (usize, usize, usize, u64)> {
    (1usize..5, 1usize..5, 1usize..5, any::<u64>())
}

fn assert_fd(params: &[Matrix], build: Build, what: &str) -> Result<(), TestCaseError> {
    let r = tape_vs_fd(params, build).map_err(|e| TestCaseError::fail(format!("{what}: {e}")))?;
    prop_assert!(r.max_rel_error < FD_TOL, "{what}: {r:?}");
    Ok(())
}

proptest! {
    /// Claim: tape gradients of the binary ops (matmul, matmul_t, add, sub, mul, div) equal
    /// central finite differences (Griewank & Walther 2008).
    #[test]
    fn binary_ops_match_fd((m, k, n, seed) in dims()) {
        let mut g = rng(seed);
        let a = unif(m, k, -2.0, 2.0, &mut g);
        let b = unif(k, n, -2.0, 2.0, &mut g);
        assert_fd(&[a.clone(), b], |t, v| t.matmul(v[0], v[1]), "matmul")?;
        let bt = unif(n, k, -2.0, 2.0, &mut g);
        assert_fd(&[a.clone(), bt], |t, v| t.matmul_t(v[0], v[1]), "matmul_t")?;
        let c = unif(m, k, -2.0, 2.0, &mut g);
        assert_fd(&[a.clone(), c.clone()], |t, v| t.add(v[0], v[1]), "add")?;
        assert_fd(&[a.clone(), c.clone()], |t, v| t.sub(v[0], v[1]), "sub")?;
        assert_fd(&[a.clone(), c.clone()], |t, v| t.mul(v[0], v[1]), "mul")?;
        // divisor magnitude in [0.5, 2] with random sign
        let d = unif(m, k, 0.5, 2.0, &mut g).zip_map(&c, |x, s| if s < 0.0 { -x } else { x });
        assert_fd(&[a.clone(), d], |t, v| t.div(v[0], v[1]), "div")?;
        // the same node used twice (adjoint accumulation)
        assert_fd(std::slice::from_ref(&a), |t, v| t.mul(v[0], v[0]), "mul self")?;
        assert_fd(&[a], |t, v| { let s = t.square(v[0]); t.add(s, v[0]) }, "fan-out")?;
    }

    /// Claim: tape gradients of the broadcasting ops (add_row, sub_row, add_col, sub_col) equal
    /// finite differences; the broadcast operand's adjoint is the sum over the broadcast axis.
    #[test]
    fn broadcast_ops_match_fd((m, n, _k, seed) in dims()) {
        let mut g = rng(seed);
        let a = unif(m, n, -2.0, 2.0, &mut g);
        let row = unif(1, n, -2.0, 2.0, &mut g);
        let col = unif(m, 1, -2.0, 2.0, &mut g);
        assert_fd(&[a.clone(), row.clone()], |t, v| t.add_row(v[0], v[1]), "add_row")?;
        assert_fd(&[a.clone(), row], |t, v| t.sub_row(v[0], v[1]), "sub_row")?;
        assert_fd(&[a.clone(), col.clone()], |t, v| t.add_col(v[0], v[1]), "add_col")?;
        assert_fd(&[a, col], |t, v| t.sub_col(v[0], v[1]), "sub_col")?;
    }

    /// Claim: tape gradients of the unary and reduction ops (scale, add_scalar, neg, transpose,
    /// exp, log, square, sum, mean, sum_rows, sum_cols, mean_rows, mean_cols) equal finite
    /// differences on their domains (log on [0.2, 3]).
    #[test]
    fn unary_and_reduction_ops_match_fd((m, n, _k, seed) in dims()) {
        let mut g = rng(seed);
        let a = unif(m, n, -2.0, 2.0, &mut g);
        let pos = unif(m, n, 0.2, 3.0, &mut g);
        let p = [a];
        assert_fd(&p, |t, v| Ok(t.scale(v[0], -1.7)), "scale")?;
        assert_fd(&p, |t, v| Ok(t.add_scalar(v[0], 0.3)), "add_scalar")?;
        assert_fd(&p, |t, v| Ok(t.neg(v[0])), "neg")?;
        assert_fd(&p, |t, v| Ok(t.transpose(v[0])), "transpose")?;
        assert_fd(&p, |t, v| Ok(t.exp(v[0])), "exp")?;
        assert_fd(&[pos], |t, v| t.log(v[0]), "log")?;
        assert_fd(&p, |t, v| Ok(t.square(v[0])), "square")?;
        assert_fd(&p, |t, v| Ok(t.sum(v[0])), "sum")?;
        assert_fd(&p, |t, v| Ok(t.mean(v[0])), "mean")?;
        assert_fd(&p, |t, v| Ok(t.sum_rows(v[0])), "sum_rows")?;
        assert_fd(&p, |t, v| Ok(t.sum_cols(v[0])), "sum_cols")?;
        assert_fd(&p, |t, v| Ok(t.mean_rows(v[0])), "mean_rows")?;
        assert_fd(&p, |t, v| Ok(t.mean_cols(v[0])), "mean_cols")?;
    }

    /// Claim: tape gradients through every activation equal finite differences away from the
    /// kinks (inputs kept ≥ 0.05 from 0 and from 1).
    #[test]
    fn activations_match_fd(
        (m, n, _k, seed) in dims(),
        act in neurograd_tensor::testing::activation(),
    ) {
        let mut g = rng(seed);
        let a = unif(m, n, -3.0, 3.0, &mut g).map(|x| push_off_kinks(x, &[0.0, 1.0], 0.05));
        let r = tape_vs_fd(&[a], |t, v| Ok(t.activation(v[0], act)))
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(r.max_rel_error < FD_TOL, "{act:?}: {r:?}");
    }

    /// Claim: the losses on the tape (softmax cross-entropy, MSE with both arguments
    /// differentiable) have finite-difference gradients.
    #[test]
    fn loss_ops_match_fd((m, n, _k, seed) in dims()) {
        let mut g = rng(seed);
        let z = unif(m, n + 1, -3.0, 3.0, &mut g);
        let labels: Vec<usize> = (0..m).map(|i| (seed as usize).wrapping_add(i * 7) % (n + 1)).collect();
        let r = tape_vs_fd(&[z], |t, v| t.softmax_cross_entropy(v[0], &labels))
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(r.max_rel_error < FD_TOL, "ce: {r:?}");
        let p = unif(m, n, -2.0, 2.0, &mut g);
        let q = unif(m, n, -2.0, 2.0, &mut g);
        assert_fd(&[p, q], |t, v| t.mse(v[0], v[1]), "mse")?;
    }
}

/// Negative control for the harness: at the ReLU kink the one-sided derivative convention (0)
/// disagrees with the central difference (0.5), so the check must report a large error there.
#[test]
fn harness_detects_kink_disagreement() {
    let x = Matrix::from_element(1, 1, 0.0);
    let r = tape_vs_fd(&[x], |t, v| Ok(t.activation(v[0], Activation::Relu))).unwrap();
    assert!(r.max_rel_error > 0.5, "{r:?}");
}

/// Negative control: a tape whose output ignores a leaf gets zero adjoint there, and a
/// hand-made wrong gradient (factor 2 off) fails the 1e-6 check.
#[test]
fn wrong_gradient_fails_the_check() {
    let a = unif(3, 2, -1.0, 1.0, &mut rng(5));
    let f = |p: &[Matrix]| Ok(p[0].iter().map(|x| x * x * x).sum::<Real>());
    let wrong = [a.map(|x| 6.0 * x * x)];
    let r = neurograd_tensor::check_gradient(f, std::slice::from_ref(&a), &wrong, 1e-5).unwrap();
    assert!(r.max_rel_error > 0.3);
    let right = [a.map(|x| 3.0 * x * x)];
    let r = neurograd_tensor::check_gradient(f, &[a], &right, 1e-5).unwrap();
    assert!(r.max_rel_error < FD_TOL);
}

/// Constants get no adjoint; `wrt` returns zeros of the right shape for them and for nodes the
/// output does not depend on.
#[test]
fn constants_and_unrelated_nodes_get_zeros() {
    let mut t = Tape::new();
    let a = t.leaf(Matrix::from_element(2, 3, 1.0));
    let c = t.constant(Matrix::from_element(2, 3, 2.0));
    let unrelated = t.leaf(Matrix::from_element(4, 1, 1.0));
    let p = t.mul(a, c).unwrap();
    let l = t.sum(p);
    let g = t.backward(l).unwrap();
    assert_eq!(g.wrt(a), &Matrix::from_element(2, 3, 2.0));
    assert_eq!(g.wrt(c), &Matrix::zeros(2, 3));
    assert_eq!(g.wrt(unrelated), &Matrix::zeros(4, 1));
    assert!(g.get(c).is_none());
}
