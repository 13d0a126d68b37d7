//! Bad input gives the documented typed error, never a panic.

use neurograd_tensor::geometry::{
    angle_degrees, cosine, cosine_params, pca, project_tangent_sphere, relative_error,
    relative_error_params, subspace_distance, symmetric_eigen_sorted, unflatten,
};
use neurograd_tensor::gradcheck::numerical_gradient;
use neurograd_tensor::loss::{
    accuracy, binary_cross_entropy_with_logits, mse, mse_grad, softmax_cross_entropy,
    softmax_cross_entropy_grad,
};
use neurograd_tensor::{Init, Matrix, Real, Tape, TensorError, Vector, check_finite, check_shape};

use crate::common::rng;

fn shape_mismatch<T: std::fmt::Debug>(r: Result<T, TensorError>, op_expected: &str) {
    match r {
        Err(TensorError::ShapeMismatch { op, .. }) => assert_eq!(op, op_expected),
        other => panic!("expected ShapeMismatch in {op_expected}, got {other:?}"),
    }
}

fn non_finite<T: std::fmt::Debug>(r: Result<T, TensorError>) {
    assert!(
        matches!(r, Err(TensorError::NonFinite { .. })),
        "expected NonFinite, got {r:?}"
    );
}

#[test]
fn tape_shape_mismatches() {
    let mut t = Tape::new();
    let a = t.leaf(Matrix::zeros(2, 3));
    let b = t.leaf(Matrix::zeros(2, 3));
    let r = t.leaf(Matrix::zeros(1, 2));
    let c = t.leaf(Matrix::zeros(3, 1));
    shape_mismatch(t.matmul(a, b), "matmul");
    shape_mismatch(t.matmul_t(a, c), "matmul_t");
    shape_mismatch(t.add(a, r), "add");
    shape_mismatch(t.sub(a, r), "sub");
    shape_mismatch(t.mul(a, c), "mul");
    shape_mismatch(t.div(a, c), "div");
    shape_mismatch(t.add_row(a, r), "add_row");
    shape_mismatch(t.sub_row(a, c), "sub_row");
    shape_mismatch(t.add_col(a, c), "add_col");
    shape_mismatch(t.sub_col(a, r), "sub_col");
    shape_mismatch(t.mse(a, c), "mse");
    shape_mismatch(t.softmax_cross_entropy(a, &[0]), "softmax_cross_entropy");
    shape_mismatch(t.backward(a), "backward");
    shape_mismatch(t.item(a), "item");
    assert!(matches!(
        t.softmax_cross_entropy(a, &[0, 3]),
        Err(TensorError::InvalidParameter { name: "label", .. })
    ));
}

#[test]
fn tape_domain_and_foreign_errors() {
    let mut t = Tape::new();
    let a = t.leaf(Matrix::from_row_slice(1, 2, &[1.0, 0.0]));
    assert_eq!(
        t.log(a),
        Err(TensorError::Domain {
            op: "log",
            index: 1,
            value: 0.0
        })
    );
    let b = t.leaf(Matrix::from_row_slice(1, 2, &[1.0, 2.0]));
    assert!(matches!(
        t.div(b, a),
        Err(TensorError::Domain { op: "div", .. })
    ));
    let nan = t.leaf(Matrix::from_row_slice(1, 2, &[Real::NAN, 1.0]));
    non_finite(t.softmax_cross_entropy(nan, &[0]));
    let mut other = Tape::new();
    let x = other.leaf(Matrix::zeros(1, 2));
    assert!(matches!(t.add(a, x), Err(TensorError::ForeignVar { .. })));
    assert!(matches!(t.backward(x), Err(TensorError::ForeignVar { .. })));
    t.clear();
    assert!(matches!(t.item(a), Err(TensorError::ForeignVar { .. })));
}

#[test]
fn loss_errors() {
    let a = Matrix::zeros(2, 3);
    let b = Matrix::zeros(3, 2);
    shape_mismatch(mse(&a, &b), "mse");
    shape_mismatch(mse_grad(&a, &b), "mse_grad");
    shape_mismatch(
        binary_cross_entropy_with_logits(&a, &b),
        "binary_cross_entropy_with_logits",
    );
    shape_mismatch(softmax_cross_entropy(&a, &[0]), "softmax_cross_entropy");
    shape_mismatch(
        softmax_cross_entropy_grad(&a, &[0, 1, 2]),
        "softmax_cross_entropy_grad",
    );
    shape_mismatch(accuracy(&a, &[]), "accuracy");
    let mut n = a.clone();
    n[(1, 2)] = Real::NAN;
    assert_eq!(
        mse(&n, &a),
        Err(TensorError::NonFinite {
            what: "mse".into(),
            index: 5
        })
    );
    non_finite(softmax_cross_entropy(&n, &[0, 0]));
    non_finite(accuracy(&n, &[0, 0]));
    assert!(matches!(
        mse(&Matrix::zeros(0, 3), &Matrix::zeros(0, 3)),
        Err(TensorError::Empty { .. })
    ));
    assert!(matches!(
        softmax_cross_entropy(&Matrix::zeros(0, 3), &[]),
        Err(TensorError::Empty { .. })
    ));
}

#[test]
fn geometry_errors() {
    let v2 = Vector::from_vec(vec![1.0, 2.0]);
    let v3 = Vector::from_vec(vec![1.0, 2.0, 3.0]);
    shape_mismatch(cosine(&v2, &v3), "cosine");
    shape_mismatch(angle_degrees(&v2, &v3), "cosine");
    shape_mismatch(project_tangent_sphere(&v2, &v3), "project_tangent_sphere");
    shape_mismatch(unflatten(&v3, &[(1, 2)]), "unflatten");
    shape_mismatch(
        cosine_params(&[Matrix::zeros(2, 2)], &[Matrix::zeros(2, 1)]),
        "cosine_params",
    );
    shape_mismatch(
        relative_error(&Matrix::zeros(2, 2), &Matrix::zeros(1, 2)),
        "relative_error",
    );
    let r = relative_error_params(&[Matrix::zeros(2, 2)], &[]);
    assert!(
        matches!(
            r,
            Err(TensorError::ShapeMismatch {
                op: "relative_error_params",
                expected: (1, 1),
                got: (0, 1)
            })
        ),
        "{r:?}"
    );
    let r = relative_error_params(
        &[Matrix::zeros(1, 1), Matrix::zeros(2, 2)],
        &[Matrix::zeros(1, 1), Matrix::zeros(2, 1)],
    );
    assert!(
        matches!(
            r,
            Err(TensorError::ShapeMismatch {
                op: "relative_error_params",
                expected: (2, 2),
                got: (2, 1)
            })
        ),
        "{r:?}"
    );
    non_finite(relative_error_params(
        &[Matrix::zeros(1, 1), Matrix::zeros(2, 1)],
        &[Matrix::zeros(1, 1), Matrix::from_element(2, 1, Real::NAN)],
    ));
    shape_mismatch(
        symmetric_eigen_sorted(&Matrix::zeros(2, 3)),
        "symmetric_eigen_sorted",
    );
    shape_mismatch(
        subspace_distance(&Matrix::zeros(3, 1), &Matrix::zeros(2, 1)),
        "principal_angles",
    );
    non_finite(cosine(&Vector::from_vec(vec![Real::NAN, 1.0]), &v2));
    non_finite(pca(&Matrix::from_row_slice(2, 1, &[1.0, Real::INFINITY])));
    non_finite(symmetric_eigen_sorted(&Matrix::from_element(
        1,
        1,
        Real::NAN,
    )));
    assert!(matches!(
        project_tangent_sphere(&Vector::zeros(2), &v2),
        Err(TensorError::ZeroNorm { .. })
    ));
    assert!(matches!(
        pca(&Matrix::zeros(1, 3)),
        Err(TensorError::Empty { .. })
    ));
    assert!(matches!(
        subspace_distance(&Matrix::zeros(3, 1), &Matrix::identity(3, 1)),
        Err(TensorError::Degenerate { .. })
    ));
}

#[test]
fn validation_and_init_errors() {
    shape_mismatch(check_shape("layer", &Matrix::zeros(2, 2), (2, 3)), "layer");
    non_finite(check_finite(
        &Matrix::from_element(1, 1, Real::NEG_INFINITY),
        "w",
    ));
    let mut g = rng(0);
    for bad in [
        Init::Uniform {
            low: 1.0,
            high: 0.0,
        },
        Init::Normal {
            mean: Real::NAN,
            std: 1.0,
        },
        Init::Normal {
            mean: 0.0,
            std: -1.0,
        },
        Init::Orthogonal {
            gain: Real::INFINITY,
        },
        Init::Sparse {
            density: -0.1,
            std: 1.0,
        },
        Init::Sparse {
            density: 0.5,
            std: Real::NAN,
        },
    ] {
        assert!(
            matches!(
                bad.sample(3, 3, &mut g),
                Err(TensorError::InvalidParameter { .. })
            ),
            "{bad:?}"
        );
    }
    assert!(matches!(
        Init::HeNormal.sample(3, 0, &mut g),
        Err(TensorError::Empty { .. })
    ));
    non_finite(numerical_gradient(
        |_| Ok(Real::NAN),
        &[Matrix::zeros(1, 1)],
        1e-5,
    ));
}
