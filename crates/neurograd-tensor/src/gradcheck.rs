//! Finite-difference gradient checks.
//!
//! [`numerical_gradient`] uses central differences
//! `∂f/∂θ_k ≈ (f(θ + h e_k) - f(θ - h e_k)) / (2h)`, whose truncation error is
//! `h² f'''(ξ) / 6` and whose round-off error is about `ε_mach |f| / h`. With `h = 1e-5` in f64 both
//! are around `1e-11 … 1e-10` for well-scaled functions (see the tolerance notes of the theory
//! reference: step 1e-5 … 1e-6, relative error ≤ 1e-7 … 1e-6).
//!
//! [`check_gradient`] compares an analytic gradient `a` with the numerical one `n` element by
//! element with the relative error
//!
//! `rel(a, n) = |a - n| / max(|a| + |n|, floor)`
//!
//! which is the usual symmetric relative error for components well above `floor` and turns into
//! the absolute error divided by `floor` for components near zero, where finite-difference noise
//! (≈ `ε_mach |f| / h`) would otherwise make any relative measure meaningless. The default
//! [`DEFAULT_FLOOR`] is `1e-3`: a component of size below `1e-3` must match to `1e-9` absolute
//! for a relative error of `1e-6`.

use crate::validate::{check_finite, check_same_shape};
use crate::{Matrix, Real, Result, TensorError};

/// Default finite-difference step.
pub const DEFAULT_EPS: Real = 1e-5;
/// Default denominator floor of the relative error (see the [module docs](self)).
pub const DEFAULT_FLOOR: Real = 1e-3;

/// The outcome of [`check_gradient`].
#[derive(Debug, Clone, PartialEq)]
pub struct GradCheckReport {
    /// The largest relative error `|a - n| / max(|a| + |n|, floor)` over all elements.
    pub max_rel_error: Real,
    /// The largest absolute error `|a - n|` over all elements.
    pub max_abs_error: Real,
    /// Where the largest relative error occurs: (parameter index, row, column).
    pub location: (usize, usize, usize),
    /// The analytic value at [`location`](Self::location).
    pub analytic: Real,
    /// The numerical value at [`location`](Self::location).
    pub numerical: Real,
    /// The numerical gradient of every parameter.
    pub numerical_gradient: Vec<Matrix>,
}

impl GradCheckReport {
    /// Whether `max_rel_error <= tol`.
    pub fn passes(&self, tol: Real) -> bool {
        self.max_rel_error <= tol
    }
}

/// The relative error `|a - n| / max(|a| + |n|, floor)` used by [`check_gradient`].
pub fn rel_error(a: Real, n: Real, floor: Real) -> Real {
    (a - n).abs() / (a.abs() + n.abs()).max(floor)
}

fn check_eps(eps: Real) -> Result<()> {
    if eps.is_finite() && eps > 0.0 {
        Ok(())
    } else {
        Err(TensorError::InvalidParameter {
            name: "eps",
            value: eps.to_string(),
            reason: "finite-difference step must be finite and > 0".into(),
        })
    }
}

/// Central-difference gradient of a scalar function of a list of matrices.
///
/// `f` is evaluated `2 Σ_k len(params_k)` times; each element is perturbed by `±eps` and restored.
///
/// # Errors
/// `eps` not finite or not positive, non-finite parameters, an error of `f`, or a non-finite
/// value of `f` ([`TensorError::NonFinite`] with `what = "gradcheck: f(params ± eps)"`).
pub fn numerical_gradient<F>(f: F, params: &[Matrix], eps: Real) -> Result<Vec<Matrix>>
where
    F: Fn(&[Matrix]) -> Result<Real>,
{
    check_eps(eps)?;
    for (k, p) in params.iter().enumerate() {
        check_finite(p, &format!("gradcheck: params[{k}]"))?;
    }
    let mut work: Vec<Matrix> = params.to_vec();
    let mut out = Vec::with_capacity(params.len());
    for k in 0..params.len() {
        let (r, c) = params[k].shape();
        let mut g = Matrix::zeros(r, c);
        for e in 0..r * c {
            let orig = work[k].as_slice()[e];
            work[k].as_mut_slice()[e] = orig + eps;
            let fp = f(&work)?;
            work[k].as_mut_slice()[e] = orig - eps;
            let fm = f(&work)?;
            work[k].as_mut_slice()[e] = orig;
            if !fp.is_finite() || !fm.is_finite() {
                return Err(TensorError::NonFinite {
                    what: format!("gradcheck: f(params ± eps) for params[{k}]"),
                    index: e,
                });
            }
            g.as_mut_slice()[e] = (fp - fm) / (2.0 * eps);
        }
        out.push(g);
    }
    Ok(out)
}

/// Compares `analytic` with [`numerical_gradient`] using [`DEFAULT_FLOOR`].
///
/// # Errors
/// As [`numerical_gradient`]; `analytic` of a different length or shape than `params`
/// ([`TensorError::ShapeMismatch`] with op `check_gradient`); non-finite analytic values.
pub fn check_gradient<F>(
    f: F,
    params: &[Matrix],
    analytic: &[Matrix],
    eps: Real,
) -> Result<GradCheckReport>
where
    F: Fn(&[Matrix]) -> Result<Real>,
{
    check_gradient_with_floor(f, params, analytic, eps, DEFAULT_FLOOR)
}

/// [`check_gradient`] with an explicit denominator floor (`floor > 0`).
///
/// # Errors
/// As [`check_gradient`]; `floor` not finite or not positive.
pub fn check_gradient_with_floor<F>(
    f: F,
    params: &[Matrix],
    analytic: &[Matrix],
    eps: Real,
    floor: Real,
) -> Result<GradCheckReport>
where
    F: Fn(&[Matrix]) -> Result<Real>,
{
    if !(floor.is_finite() && floor > 0.0) {
        return Err(TensorError::InvalidParameter {
            name: "floor",
            value: floor.to_string(),
            reason: "must be finite and > 0".into(),
        });
    }
    if analytic.len() != params.len() {
        return Err(TensorError::ShapeMismatch {
            op: "check_gradient",
            expected: (params.len(), 1),
            got: (analytic.len(), 1),
        });
    }
    for (k, (p, a)) in params.iter().zip(analytic).enumerate() {
        check_same_shape("check_gradient", p, a)?;
        check_finite(a, &format!("check_gradient: analytic[{k}]"))?;
    }
    let numerical = numerical_gradient(f, params, eps)?;
    let mut report = GradCheckReport {
        max_rel_error: 0.0,
        max_abs_error: 0.0,
        location: (0, 0, 0),
        analytic: Real::NAN,
        numerical: Real::NAN,
        numerical_gradient: Vec::new(),
    };
    let mut first = true;
    for (k, (a, n)) in analytic.iter().zip(&numerical).enumerate() {
        for j in 0..a.ncols() {
            for i in 0..a.nrows() {
                let (av, nv) = (a[(i, j)], n[(i, j)]);
                let rel = rel_error(av, nv, floor);
                report.max_abs_error = report.max_abs_error.max((av - nv).abs());
                if first || rel > report.max_rel_error {
                    first = false;
                    report.max_rel_error = rel;
                    report.location = (k, i, j);
                    report.analytic = av;
                    report.numerical = nv;
                }
            }
        }
    }
    report.numerical_gradient = numerical;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quadratic_gradient_is_exact_up_to_noise() {
        // f(A, b) = Σ A² + 3 Σ b, ∇_A = 2A, ∇_b = 3
        let f = |p: &[Matrix]| Ok(p[0].norm_squared() + 3.0 * p[1].sum());
        let a = Matrix::from_row_slice(2, 2, &[1.0, -2.0, 0.5, 0.0]);
        let b = Matrix::from_row_slice(1, 3, &[1.0, 2.0, 3.0]);
        let analytic = vec![&a * 2.0, Matrix::from_element(1, 3, 3.0)];
        let r = check_gradient(f, &[a.clone(), b.clone()], &analytic, DEFAULT_EPS).unwrap();
        assert!(r.max_rel_error < 1e-9, "{r:?}");
        // negative control: a wrong gradient is located
        let mut wrong = analytic.clone();
        wrong[0][(1, 0)] += 1e-3;
        let r = check_gradient(f, &[a, b], &wrong, DEFAULT_EPS).unwrap();
        assert_eq!(r.location, (0, 1, 0));
        assert!(r.max_rel_error > 1e-4);
    }

    #[test]
    fn bad_inputs_are_errors() {
        let f = |p: &[Matrix]| Ok(p[0].sum());
        let a = Matrix::zeros(2, 2);
        assert!(matches!(
            numerical_gradient(f, std::slice::from_ref(&a), 0.0),
            Err(TensorError::InvalidParameter { .. })
        ));
        assert!(matches!(
            check_gradient(f, std::slice::from_ref(&a), &[Matrix::zeros(2, 3)], 1e-5),
            Err(TensorError::ShapeMismatch {
                expected: (2, 2),
                got: (2, 3),
                ..
            })
        ));
        assert!(matches!(
            check_gradient(f, std::slice::from_ref(&a), &[], 1e-5),
            Err(TensorError::ShapeMismatch { .. })
        ));
        let nan = Matrix::from_element(1, 1, Real::NAN);
        assert!(matches!(
            numerical_gradient(f, &[nan], 1e-5),
            Err(TensorError::NonFinite { .. })
        ));
        let blow = |p: &[Matrix]| Ok(1.0 / p[0][(0, 0)]);
        assert!(matches!(
            numerical_gradient(blow, &[Matrix::from_element(1, 1, 1e-5)], 1e-5),
            Err(TensorError::NonFinite { .. })
        ));
    }
}
