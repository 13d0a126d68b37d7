//! Shared helpers: seeded matrices and a tape-vs-finite-difference harness.

use neurograd_tensor::gradcheck::{DEFAULT_EPS, check_gradient};
use neurograd_tensor::{GradCheckReport, Matrix, Real, Result, Tape, Var, init};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Tolerance of the issue: autodiff equals finite differences to a relative error below 1e-6.
pub const FD_TOL: Real = 1e-6;

pub fn rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

pub fn unif(r: usize, c: usize, lo: Real, hi: Real, rng: &mut ChaCha8Rng) -> Matrix {
    init::uniform(r, c, lo, hi, rng).expect("valid range")
}

/// Builds `L = Σ (out ⊙ R)` for a fixed random `R` (a generic linear functional, so that a
/// transposed or permuted adjoint cannot pass by symmetry of an all-ones weight) and returns the
/// tape, the leaves and `L`.
pub fn scalarise(t: &mut Tape, out: Var, weight_seed: u64) -> Result<Var> {
    let (r, c) = t.shape(out);
    if (r, c) == (1, 1) {
        return Ok(out);
    }
    let w = t.constant(unif(r, c, -1.0, 1.0, &mut rng(weight_seed)));
    let p = t.mul(out, w)?;
    Ok(t.sum(p))
}

/// Runs `build` on leaves holding `params`, differentiates `L = Σ(out ⊙ R)` with the tape and
/// with central differences (step 1e-5), and returns the comparison report.
pub fn tape_vs_fd<F>(params: &[Matrix], build: F) -> Result<GradCheckReport>
where
    F: Fn(&mut Tape, &[Var]) -> Result<Var>,
{
    let run = |p: &[Matrix]| -> Result<(Tape, Vec<Var>, Var)> {
        let mut t = Tape::new();
        let vars: Vec<Var> = p.iter().map(|m| t.leaf(m.clone())).collect();
        let out = build(&mut t, &vars)?;
        let l = scalarise(&mut t, out, 0xC0FFEE)?;
        Ok((t, vars, l))
    };
    let (t, vars, l) = run(params)?;
    let g = t.backward(l)?;
    let analytic: Vec<Matrix> = vars.iter().map(|&v| g.wrt(v).clone()).collect();
    let f = |p: &[Matrix]| {
        let (t, _, l) = run(p)?;
        t.item(l)
    };
    check_gradient(f, params, &analytic, DEFAULT_EPS)
}
