//! Geometry: algebraic identities checked on random inputs.

use neurograd_tensor::geometry::{
    angle_degrees, cosine, cosine_params, flatten, pca, pca_k, principal_angles,
    project_tangent_sphere, relative_error, relative_error_params, shapes, subspace_distance,
    symmetric_eigen_sorted, unflatten,
};
use neurograd_tensor::{Matrix, Vector, init};
use proptest::prelude::*;

use crate::common::{rng, unif};

fn vec_of(n: usize, seed: u64) -> Vector {
    Vector::from_column_slice(unif(n, 1, -2.0, 2.0, &mut rng(seed)).as_slice())
}

proptest! {
    /// Claim: `unflatten(flatten(ps), shapes(ps)) = ps` exactly (a bijection by construction).
    #[test]
    fn flatten_round_trip(dims in proptest::collection::vec((0usize..4, 0usize..4), 0..4), seed in any::<u64>()) {
        let mut g = rng(seed);
        let ps: Vec<Matrix> = dims.iter().map(|&(r, c)| {
            if r * c == 0 { Matrix::zeros(r, c) } else { unif(r, c, -1.0, 1.0, &mut g) }
        }).collect();
        let v = flatten(&ps);
        prop_assert_eq!(v.len(), ps.iter().map(|m| m.len()).sum::<usize>());
        prop_assert_eq!(unflatten(&v, &shapes(&ps)).unwrap(), ps);
    }

    /// Claim: `relative_error_params(a, b) = ‖a − b‖ / max(‖a‖, ‖b‖)` over all elements of the
    /// lists (brute-force element sums, 1e-12 relative), is symmetric, lies in [0, 2], is
    /// invariant to a common positive scaling, and on one-matrix lists equals `relative_error`.
    #[test]
    fn relative_error_params_brute_force(dims in proptest::collection::vec((1usize..4, 1usize..4), 1..4),
                                         s in 0.01f64..100.0, seed in any::<u64>()) {
        let mut g = rng(seed);
        let a: Vec<Matrix> = dims.iter().map(|&(r, c)| unif(r, c, -1.0, 1.0, &mut g)).collect();
        let b: Vec<Matrix> = dims.iter().map(|&(r, c)| unif(r, c, -1.0, 1.0, &mut g)).collect();
        let (mut dd, mut na, mut nb) = (0.0, 0.0, 0.0);
        for (x, y) in a.iter().zip(&b) {
            for r in 0..x.nrows() {
                for c in 0..x.ncols() {
                    dd += (x[(r, c)] - y[(r, c)]).powi(2);
                    na += x[(r, c)].powi(2);
                    nb += y[(r, c)].powi(2);
                }
            }
        }
        let brute = dd.sqrt() / na.sqrt().max(nb.sqrt());
        let e = relative_error_params(&a, &b).unwrap();
        prop_assert!((e - brute).abs() <= 1e-12 * brute, "{} vs {}", e, brute);
        prop_assert!((relative_error_params(&b, &a).unwrap() - e).abs() <= 1e-15);
        prop_assert!((0.0..=2.0).contains(&e));
        let (sa, sb): (Vec<Matrix>, Vec<Matrix>) =
            (a.iter().map(|m| m * s).collect(), b.iter().map(|m| m * s).collect());
        prop_assert!((relative_error_params(&sa, &sb).unwrap() - e).abs() <= 1e-12 * e.max(1e-300));
        let one = relative_error_params(&a[..1], &b[..1]).unwrap();
        prop_assert!((one - relative_error(&a[0], &b[0]).unwrap()).abs() <= 1e-15);
    }

    /// Claim: cosine is symmetric, invariant to positive scaling, flips sign under negation, and
    /// `angle(v, -v) = 180°` (definition; algebraic identity tolerance 1e-12).
    #[test]
    fn cosine_identities(n in 1usize..10, s in 0.01f64..100.0, seed in any::<u64>()) {
        let a = vec_of(n, seed);
        let b = vec_of(n, seed ^ 0x5555);
        prop_assume!(a.norm() > 1e-6 && b.norm() > 1e-6);
        let c = cosine(&a, &b).unwrap();
        prop_assert!((c - cosine(&b, &a).unwrap()).abs() < 1e-12);
        prop_assert!((c - cosine(&(&a * s), &b).unwrap()).abs() < 1e-12);
        prop_assert!((c + cosine(&(-&a), &b).unwrap()).abs() < 1e-12);
        prop_assert!((angle_degrees(&a, &(-&a)).unwrap() - 180.0).abs() < 1e-12);
        prop_assert!(angle_degrees(&a, &(&a * s)).unwrap().abs() < 1e-12);
        // Not an identity check: acos(c) itself loses half the digits near 0° and 180° (n = 1
        // gives exactly those angles), so the reference is only good to ~1e-8 rad there.
        prop_assert!((angle_degrees(&a, &b).unwrap() - c.acos().to_degrees()).abs() < 1e-6);
        let ca = cosine_params(&[Matrix::from_column_slice(n, 1, a.as_slice())],
                               &[Matrix::from_column_slice(n, 1, b.as_slice())]).unwrap();
        prop_assert!((ca - c).abs() < 1e-15);
    }

    /// Claim: `P v = (I - w wᵀ/‖w‖²) v` is orthogonal to `w`, idempotent (`P P v = P v`) and
    /// leaves vectors orthogonal to `w` unchanged (orthogonal projector; algebraic identity).
    #[test]
    fn tangent_projection_is_a_projector(n in 2usize..10, seed in any::<u64>()) {
        let w = vec_of(n, seed);
        let v = vec_of(n, seed.wrapping_add(1));
        prop_assume!(w.norm() > 1e-3);
        let p = project_tangent_sphere(&w, &v).unwrap();
        prop_assert!(p.dot(&w).abs() < 1e-12 * (1.0 + v.norm() * w.norm()));
        let pp = project_tangent_sphere(&w, &p).unwrap();
        prop_assert!((&pp - &p).amax() < 1e-12 * (1.0 + v.norm()));
    }

    /// Claim: for symmetric `A`, `symmetric_eigen_sorted` returns `A = V Λ Vᵀ` with orthonormal
    /// `V`, descending `Λ` and each eigenvector's largest-|·| component positive (spectral
    /// theorem; relative reconstruction error ≤ 1e-10).
    #[test]
    fn eigen_reconstructs(n in 1usize..8, seed in any::<u64>()) {
        let b = unif(n, n, -1.0, 1.0, &mut rng(seed));
        let a = &b + b.transpose();
        let (l, v) = symmetric_eigen_sorted(&a).unwrap();
        let rec = &v * Matrix::from_diagonal(&l) * v.transpose();
        prop_assert!(relative_error(&rec, &a).unwrap() < 1e-10 || a.norm() < 1e-12);
        prop_assert!((v.transpose() * &v - Matrix::identity(n, n)).amax() < 1e-10);
        for i in 1..n { prop_assert!(l[i - 1] >= l[i]); }
        for k in 0..n {
            let col = v.column(k);
            let imax = col.iamax();
            prop_assert!(col[imax] > 0.0);
        }
    }

    /// Claim: PCA components are orthonormal, the variance of the data along component k equals
    /// `explained_variance[k]` (definition of the covariance eigenbasis; Hotelling 1933), and
    /// projecting the centred data on all components preserves the total variance.
    #[test]
    fn pca_variance_along_components(n in 3usize..30, d in 1usize..5, seed in any::<u64>()) {
        let x = unif(n, d, -1.0, 1.0, &mut rng(seed)) * Matrix::from_diagonal(&Vector::from_fn(d, |i, _| (i + 1) as f64));
        let p = pca(&x).unwrap();
        let y = p.transform(&x).unwrap();
        prop_assert!((p.components.transpose() * &p.components - Matrix::identity(d, d)).amax() < 1e-10);
        for k in 0..d {
            let col = y.column(k);
            let var = col.iter().map(|v| v * v).sum::<f64>() / (n - 1) as f64;
            prop_assert!((var - p.explained_variance[k]).abs() < 1e-10 * (1.0 + var));
        }
        prop_assert!((p.explained_variance_ratio().sum() - 1.0).abs() < 1e-12 || p.explained_variance.sum() == 0.0);
    }

    /// Claim: the subspace distance depends only on the spans: right-multiplying a basis by an
    /// invertible matrix leaves it unchanged; it is symmetric and 0 for equal spans
    /// (Björck & Golub 1973). Negative control: two random 2-planes in R^6 are at distance > 0.05.
    #[test]
    fn subspace_distance_is_basis_free(seed in any::<u64>()) {
        let mut g = rng(seed);
        let a = unif(6, 2, -1.0, 1.0, &mut g);
        let b = unif(6, 2, -1.0, 1.0, &mut g);
        let mix = init::orthogonal(2, 2, 1.0, &mut g).unwrap() * Matrix::from_diagonal(&Vector::from_vec(vec![2.0, 0.5]));
        let d = subspace_distance(&a, &b).unwrap();
        prop_assert!((subspace_distance(&(&a * &mix), &b).unwrap() - d).abs() < 1e-9);
        prop_assert!((subspace_distance(&b, &a).unwrap() - d).abs() < 1e-9);
        // Equal spans: the distance is √max(v, 0) of a v that is 0 up to rounding (~1e-16), so
        // the square root leaves ~1e-8.
        prop_assert!(subspace_distance(&a, &(&a * &mix)).unwrap() < 1e-7);
        prop_assert!(d > 0.05, "random planes should not coincide: {d}");
        let th = principal_angles(&a, &b).unwrap();
        let s2: f64 = th.iter().map(|t| t.sin().powi(2)).sum();
        prop_assert!((s2.sqrt() - d).abs() < 1e-9);
    }
}

/// Reference: PCA of points on the line y = 2x recovers the direction (1, 2)/√5 with all the
/// variance; the second component carries none.
#[test]
fn pca_finds_the_line() {
    let x = Matrix::from_row_slice(4, 2, &[0.0, 0.0, 1.0, 2.0, 2.0, 4.0, 3.0, 6.0]);
    let p = pca_k(&x, 1).unwrap();
    let s5 = 5f64.sqrt();
    assert!((p.components.column(0) - Vector::from_vec(vec![1.0 / s5, 2.0 / s5])).amax() < 1e-12);
    // var of t·(1,2) for t in {0,1,2,3}: 5 · var(t) = 5 · 5/3
    assert!((p.explained_variance[0] - 25.0 / 3.0).abs() < 1e-12);
    assert_eq!(p.mean, Vector::from_vec(vec![1.5, 3.0]));
}
