//! Test functions: gradients, minima, rotations, names.

use neurograd_optim::OptimError;
use neurograd_optim::functions::{FunctionKind, by_name, random_orthogonal};
use neurograd_optim::{Matrix, Vector};
use proptest::prelude::*;

const SMOOTH: [&str; 6] = [
    "sphere",
    "ellipsoid",
    "rosenbrock",
    "rastrigin",
    "ackley",
    "schwefel",
];

proptest! {
    /// Analytic gradients equal central finite differences, also for the rotated versions (chain
    /// rule: Qᵀ∇f(Qx)). Error bound of the central difference: truncation O(h²) plus round-off
    /// `ε_mach (|f(x+h)| + |f(x−h)|) / (2h)` (the ellipsoid reaches f ~ 1e7).
    #[test]
    fn gradients_match_finite_differences(x in proptest::collection::vec(-3.0f64..3.0, 6), rot in any::<bool>()) {
        for name in SMOOTH {
            let mut f = by_name(name, 6).unwrap();
            if rot { f = f.rotated(5); }
            let xs: Vec<f64> = if name == "schwefel" { x.iter().map(|v| v * 100.0 + 7.0).collect() } else { x.clone() };
            let g = f.gradient(&xs).unwrap().unwrap();
            let h = 1e-6;
            for i in 0..6 {
                let mut xp = xs.clone();
                let mut xm = xs.clone();
                xp[i] += h;
                xm[i] -= h;
                let (fp, fm) = (f.value(&xp).unwrap(), f.value(&xm).unwrap());
                let fd = (fp - fm) / (2.0 * h);
                let roundoff = 4.0 * f64::EPSILON * (fp.abs() + fm.abs()) / (2.0 * h);
                prop_assert!((fd - g[i]).abs() <= 1e-5 * (1.0 + g[i].abs()) + roundoff, "{name} rot={rot} i={i}: {fd} vs {}", g[i]);
            }
        }
    }
}

/// Every function is 0 at its stated minimiser (Schwefel to its published 6-digit constant).
#[test]
fn minima_are_zero() {
    for (name, _) in FunctionKind::ALL {
        let n = 8;
        for f in [
            by_name(name, n).unwrap(),
            by_name(name, n).unwrap().rotated(3),
        ] {
            let v = f.value(f.minimizer().as_slice()).unwrap();
            let tol = if name == "schwefel" { 1e-3 } else { 1e-9 };
            // bit functions are defined on unrotated bit strings only
            if (name == "onemax" || name == "trap") && f.name().starts_with("rotated") {
                continue;
            }
            assert!(v.abs() < tol, "{}: {v}", f.name());
            // and positive elsewhere
            let other: Vec<f64> = f.minimizer().iter().map(|v| v + 0.7).collect();
            assert!(
                f.value(&other).unwrap() > 0.0 || name == "onemax" || name == "trap",
                "{}",
                f.name()
            );
        }
    }
    // deceptive attractor of the trap: all zeros has f = number of blocks
    let t = by_name("trap", 8).unwrap();
    assert_eq!(t.value(&[0.0; 8]).unwrap(), 2.0);
    assert_eq!(
        t.value(&[1.0, 1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 1.0]).unwrap(),
        4.0
    );
    let (fr, _) = t.relaxed_trap(&[0.0; 8]).unwrap();
    assert_eq!(fr, 2.0);
    assert_eq!(
        by_name("ellipsoid", 3)
            .unwrap()
            .value(&[0.0, 0.0, 1.0])
            .unwrap(),
        1e6
    );
}

/// The seeded rotation is orthogonal (QᵀQ = I to 1e-12), reproducible, and differs by seed.
#[test]
fn rotation_is_orthogonal_and_seeded() {
    let q = random_orthogonal(12, 4);
    assert!((q.transpose() * &q - Matrix::identity(12, 12)).amax() < 1e-12);
    assert_eq!(q, random_orthogonal(12, 4));
    assert!((q - random_orthogonal(12, 5)).amax() > 0.1);
}

/// Bad input: unknown names list the valid ones; wrong length and NaN arguments are typed errors.
#[test]
fn names_and_bad_input() {
    match by_name("rastrigen", 3) {
        Err(OptimError::UnknownName { valid, .. }) => {
            assert!(valid.contains("rastrigin") && valid.contains("trap"))
        }
        other => panic!("{other:?}"),
    }
    let f = by_name("rotated_sphere", 3).unwrap();
    assert_eq!(f.name(), "rotated_sphere");
    assert!(matches!(
        f.value(&[1.0, 2.0]),
        Err(OptimError::ShapeMismatch {
            expected: (3, 1),
            got: (2, 1),
            ..
        })
    ));
    assert!(matches!(
        f.value(&[1.0, f64::NAN, 0.0]),
        Err(OptimError::NonFinite { index: 1, .. })
    ));
    assert!(
        by_name("onemax", 4)
            .unwrap()
            .gradient(&[0.0; 4])
            .unwrap()
            .is_none()
    );
    assert_eq!(
        by_name("step_sphere", 2)
            .unwrap()
            .gradient(&[0.3, 1.2])
            .unwrap(),
        Some(Vector::zeros(2))
    );
}
