//! Receptive-field learners (vision reference §4, tests T11–T14): L1 inference optimality, FastICA
//! separation, the gradients of ISA and nonlinear Hebbian learning, typed errors.

use neurograd_plasticity::PlasticityError;
use neurograd_plasticity::receptive::ica::{self, FastIcaConfig, Nonlinearity, amari_index};
use neurograd_plasticity::receptive::isa;
use neurograd_plasticity::receptive::nonlinear_hebb::{self, HebbNonlinearity};
use neurograd_plasticity::receptive::sparse_coding::{
    self, Inference, InferenceConfig, SparseCodingConfig, Threshold, energy, infer, kkt_violation,
    random_unit_columns,
};
use neurograd_tensor::{Matrix, Real, Vector};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn gaussian(rows: usize, cols: usize, seed: u64) -> Matrix {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    Matrix::from_fn(rows, cols, |_, _| {
        rand_distr::Distribution::<Real>::sample(&rand_distr::StandardNormal, &mut rng)
    })
}

/// T11 fixture: a 2x overcomplete random dictionary (16 x 32) and 8 patches that are sparse
/// combinations of 3 atoms plus noise, λ = 0.1.
fn l1_fixture() -> (Matrix, Matrix, Real) {
    let dict = random_unit_columns(16, 32, 11);
    let mut rng = ChaCha8Rng::seed_from_u64(12);
    let mut codes = Matrix::zeros(8, 32);
    for r in 0..8 {
        for _ in 0..3 {
            let j = rng.random_range(0..32);
            codes[(r, j)] = rng.random_range(-2.0..2.0);
        }
    }
    let x = codes * dict.transpose() + gaussian(8, 16, 13) * 0.05;
    (dict, x, 0.1)
}

/// T11: ISTA, FISTA and soft LCA reach the L1 optimum (KKT to relative 1e-4), the ISTA energy
/// never increases, and FISTA and ISTA agree to 1e-5 (convex optimality; Beck & Teboulle 2009;
/// Rozell et al. 2008).
#[test]
fn t11_l1_inference_meets_kkt() {
    let (dict, x, lambda) = l1_fixture();
    let ista = infer(
        &dict,
        &x,
        &InferenceConfig::new(Inference::Ista, lambda, 4000),
        true,
    )
    .unwrap();
    let fista = infer(
        &dict,
        &x,
        &InferenceConfig::new(Inference::Fista, lambda, 1500),
        false,
    )
    .unwrap();
    let lca = infer(
        &dict,
        &x,
        &InferenceConfig::new(
            Inference::Lca {
                dt: 0.1,
                threshold: Threshold::Soft,
            },
            lambda,
            6000,
        ),
        false,
    )
    .unwrap();
    for (name, c) in [("ista", &ista), ("fista", &fista), ("lca", &lca)] {
        let v = kkt_violation(&dict, &x, &c.codes, lambda).unwrap();
        assert!(v < 1e-4, "{name}: KKT violation {v:e}");
    }
    for w in ista.energy.windows(2) {
        assert!(w[1] <= w[0] * (1.0 + 1e-13), "ISTA energy rose: {w:?}");
    }
    let diff = (&fista.codes - &ista.codes).abs().max();
    assert!(diff < 1e-5, "FISTA vs ISTA codes differ by {diff:e}");
    // The solution is sparse and non-trivial: the optimum is not the zero code.
    let active = ista.codes.iter().filter(|v| **v != 0.0).count();
    assert!(active > 8 && active < 8 * 32 / 2, "active {active}");
    // Negative control: a step of 2.5/L (beyond ISTA's 2/L limit) does not reach the optimum.
    let mut bad = InferenceConfig::new(Inference::Ista, lambda, 4000);
    bad.step_scale = 2.5;
    match infer(&dict, &x, &bad, false) {
        Err(PlasticityError::Diverged { .. }) => {}
        Ok(c) => {
            let v = kkt_violation(&dict, &x, &c.codes, lambda).unwrap();
            assert!(v > 1e-1, "step 2.5/L still met KKT: {v:e}");
        }
        Err(e) => panic!("unexpected error {e}"),
    }
    // And hard-threshold LCA is not an L1 minimiser (its KKT residual is far from 0).
    let hard = infer(
        &dict,
        &x,
        &InferenceConfig::new(
            Inference::Lca {
                dt: 0.1,
                threshold: Threshold::Hard,
            },
            lambda,
            6000,
        ),
        false,
    )
    .unwrap();
    let v = kkt_violation(&dict, &x, &hard.codes, lambda).unwrap();
    assert!(v > 1e-1, "hard LCA met L1 KKT: {v:e}");
    let e_soft = energy(&dict, &x, &ista.codes, lambda).unwrap();
    let e_hard = energy(&dict, &x, &hard.codes, lambda).unwrap();
    assert!(e_hard > e_soft, "{e_hard} <= {e_soft}");
}

#[test]
fn l1_inference_rejects_bad_input() {
    let (dict, x, lambda) = l1_fixture();
    let r = infer(
        &dict,
        &x.columns(0, 15).into_owned(),
        &InferenceConfig::new(Inference::Fista, lambda, 10),
        false,
    );
    assert!(
        matches!(r, Err(PlasticityError::ShapeMismatch { .. })),
        "{r:?}"
    );
    let r = infer(
        &dict,
        &x,
        &InferenceConfig::new(Inference::Fista, -1.0, 10),
        false,
    );
    assert!(
        matches!(
            r,
            Err(PlasticityError::InvalidParameter { name: "lambda", .. })
        ),
        "{r:?}"
    );
    let r = infer(
        &dict,
        &x,
        &InferenceConfig::new(
            Inference::Lca {
                dt: 1.5,
                threshold: Threshold::Soft,
            },
            lambda,
            10,
        ),
        false,
    );
    assert!(
        matches!(r, Err(PlasticityError::InvalidParameter { name: "dt", .. })),
        "{r:?}"
    );
    let mut nan = x.clone();
    nan[(2, 3)] = Real::NAN;
    let r = infer(
        &dict,
        &nan,
        &InferenceConfig::new(Inference::Fista, lambda, 10),
        false,
    );
    assert!(matches!(r, Err(PlasticityError::NonFinite { .. })), "{r:?}");
    let r = sparse_coding::learn(
        &x,
        &SparseCodingConfig {
            atoms: 0,
            ..SparseCodingConfig::default()
        },
    );
    assert!(
        matches!(
            r,
            Err(PlasticityError::InvalidParameter { name: "atoms", .. })
        ),
        "{r:?}"
    );
}

/// Dictionary learning is reproducible from its seed and keeps unit-norm atoms.
#[test]
fn dictionary_learning_is_seeded_and_normalised() {
    let x = gaussian(200, 16, 5);
    let cfg = SparseCodingConfig {
        atoms: 20,
        batches: 20,
        batch_size: 50,
        inference: InferenceConfig::new(Inference::Fista, 0.2, 20),
        ..SparseCodingConfig::default()
    };
    let a = sparse_coding::learn(&x, &cfg).unwrap();
    let b = sparse_coding::learn(&x, &cfg).unwrap();
    assert_eq!(a, b);
    let c = sparse_coding::learn(&x, &SparseCodingConfig { seed: 1, ..cfg }).unwrap();
    assert_ne!(a.dictionary, c.dictionary);
    for col in a.dictionary.column_iter() {
        assert!((col.norm() - 1.0).abs() < 1e-12);
    }
}

fn laplacian(rng: &mut ChaCha8Rng) -> Real {
    let u: Real = rng.random_range(-0.5..0.5);
    -u.signum() * (1.0 - 2.0 * u.abs()).max(Real::MIN_POSITIVE).ln()
}

/// `T x 10` samples of independent sources (Laplacian or Gaussian) mixed by a random Gaussian
/// matrix `A`; returns `(X = S Aᵀ, A)`.
fn mixtures(gaussian_sources: bool, seed: u64) -> (Matrix, Matrix) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let s = if gaussian_sources {
        gaussian(10_000, 10, seed + 100)
    } else {
        Matrix::from_fn(10_000, 10, |_, _| laplacian(&mut rng))
    };
    let a = gaussian(10, 10, seed + 200);
    (s * a.transpose(), a)
}

/// T12: FastICA (tanh) separates 10 Laplacian sources, T = 10⁴, random mixing: Amari index < 0.05
/// (reference calibration 0.006–0.010 over 5 seeds). Control: Gaussian sources are not
/// identifiable, Amari > 0.2 (calibrated 0.36–0.39).
#[test]
fn t12_fastica_separates_laplacian_not_gaussian() {
    for seed in 0..3 {
        let (x, a) = mixtures(false, seed);
        let mut cfg = FastIcaConfig::new(10);
        cfg.seed = seed;
        let m = ica::fit(&x, &cfg).unwrap();
        assert!(m.converged, "seed {seed}: {} iterations", m.iterations);
        let p = m.filters() * &a;
        let amari = amari_index(&p).unwrap();
        assert!(amari < 0.05, "seed {seed}: Amari {amari}");
        // The cube nonlinearity also separates Laplacian sources (super-Gaussian, kurtosis > 0).
        cfg.nonlinearity = Nonlinearity::Cube;
        let m = ica::fit(&x, &cfg).unwrap();
        let amari = amari_index(&(m.filters() * &a)).unwrap();
        assert!(amari < 0.05, "seed {seed} cube: Amari {amari}");

        let (xg, ag) = mixtures(true, seed);
        let mut cfg = FastIcaConfig::new(10);
        cfg.seed = seed;
        let m = ica::fit(&xg, &cfg).unwrap();
        let amari = amari_index(&(m.filters() * &ag)).unwrap();
        assert!(amari > 0.2, "seed {seed} Gaussian: Amari {amari}");
    }
}

/// The basis vectors invert the filters on the kept subspace: filters · basisᵀ = I.
#[test]
fn ica_filters_and_basis_are_biorthogonal() {
    let (x, _) = mixtures(false, 7);
    let m = ica::fit(&x, &FastIcaConfig::new(6)).unwrap();
    let prod = m.filters() * m.basis().transpose();
    assert!((prod - Matrix::identity(6, 6)).norm() < 1e-10);
}

#[test]
fn ica_rejects_bad_input() {
    let (x, _) = mixtures(false, 1);
    let r = ica::fit(&x, &FastIcaConfig::new(11));
    assert!(
        matches!(
            r,
            Err(PlasticityError::InvalidParameter {
                name: "components",
                ..
            })
        ),
        "{r:?}"
    );
    // rank 2 data cannot be whitened to 3 components
    let low = gaussian(50, 2, 3) * gaussian(2, 5, 4);
    let r = ica::fit(&low, &FastIcaConfig::new(3));
    assert!(
        matches!(
            r,
            Err(PlasticityError::InvalidParameter {
                name: "components",
                ..
            })
        ),
        "{r:?}"
    );
    let r = amari_index(&Matrix::zeros(2, 3));
    assert!(
        matches!(r, Err(PlasticityError::ShapeMismatch { .. })),
        "{r:?}"
    );
}

/// Central finite differences of a scalar function of a matrix, entry by entry.
fn numeric_gradient(w: &Matrix, f: impl Fn(&Matrix) -> Real) -> Matrix {
    let h = 1e-6;
    Matrix::from_fn(w.nrows(), w.ncols(), |i, j| {
        let mut p = w.clone();
        p[(i, j)] += h;
        let mut m = w.clone();
        m[(i, j)] -= h;
        (f(&p) - f(&m)) / (2.0 * h)
    })
}

/// ISA's analytic gradient of `J(W) = E Σ_j −√(E_j + ε)` equals finite differences (relative
/// 1e-7); control: the gradient with the pooling ignored (each unit its own subspace) does not.
#[test]
fn isa_gradient_matches_finite_differences() {
    let z = gaussian(8, 300, 21);
    let w = gaussian(8, 8, 22);
    let (_, g) = isa::objective(&w, &z, 4, 1e-3).unwrap();
    let num = numeric_gradient(&w, |m| isa::objective(m, &z, 4, 1e-3).unwrap().0);
    let rel = (&g - &num).norm() / (&g + &num).norm();
    assert!(rel < 1e-7, "relative error {rel:e}");
    let (_, g1) = isa::objective(&w, &z, 1, 1e-3).unwrap();
    let rel1 = (&g1 - &num).norm() / (&g1 + &num).norm();
    assert!(rel1 > 1e-2, "unpooled gradient matched: {rel1:e}");
    let r = isa::objective(&w, &z, 3, 1e-3);
    assert!(
        matches!(
            r,
            Err(PlasticityError::InvalidParameter {
                name: "subspace_dim",
                ..
            })
        ),
        "{r:?}"
    );
}

/// Brito & Gerstner (2016): on white input with `‖w‖ = 1`, the nonlinear Hebbian step moves `w`
/// along the sphere-projected gradient of `J(w) = E[F(wᵀx)]`: the step direction and
/// `(I − wwᵀ)∇J` (∇J by finite differences of `J`) have cosine > 1 − 1e-6 for a small `η`.
/// Control: the step of the other nonlinearity is not aligned with this objective's gradient
/// (cosine < 0.99).
#[test]
fn nonlinear_hebb_step_is_projected_gradient_ascent() {
    let z = gaussian(6, 2000, 31);
    for f in [HebbNonlinearity::Cube, HebbNonlinearity::RectifiedQuadratic] {
        let mut w = Vector::from_column_slice(gaussian(6, 1, 32).as_slice());
        w /= w.norm();
        let j = |m: &Matrix| {
            z.column_iter()
                .map(|c| f.antiderivative(m.column(0).dot(&c)))
                .sum::<Real>()
                / z.ncols() as Real
        };
        let wm = Matrix::from_column_slice(6, 1, w.as_slice());
        let grad = numeric_gradient(&wm, j).column(0).into_owned();
        let tangent = &grad - &w * w.dot(&grad);
        let eta = 1e-6;
        let next = nonlinear_hebb::step_single(&w, &z, f, eta).unwrap();
        let step = &next - &w;
        let cos = step.dot(&tangent) / (step.norm() * tangent.norm());
        assert!(cos > 1.0 - 1e-6, "{f:?}: cosine {cos}");
        let other = match f {
            HebbNonlinearity::Cube => HebbNonlinearity::RectifiedQuadratic,
            HebbNonlinearity::RectifiedQuadratic => HebbNonlinearity::Cube,
        };
        let wrong = nonlinear_hebb::step_single(&w, &z, other, eta).unwrap() - &w;
        let cos_wrong = wrong.dot(&tangent) / (wrong.norm() * tangent.norm());
        assert!(cos_wrong < 0.99, "{f:?}: control cosine {cos_wrong}");
    }
}
