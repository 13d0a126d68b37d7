//! `neurograd.rules`: the registered local rules' updates on arrays, and the conformance harness
//! run on a rule written in Python.

use neurograd::plasticity::local::harness::conformance::check_rate_rule;
use neurograd::plasticity::local::{self as local, Activity, LocalRule, Theory};
use neurograd::plasticity::{PlasticityError, Result as PResult};
use neurograd::tensor::Matrix;
use numpy::{PyArray2, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;

use crate::arrays::{matrix_from_py, matrix_to_py, vector_from_py};
use crate::errors::IntoPy;

/// Names of the registered rate rules.
#[pyfunction]
fn names() -> Vec<&'static str> {
    local::rule_names()
}

/// The weight change `dW` (n_out, n_in) of the registered rate rule `name` for a batch of
/// presynaptic `pre` (batch, n_in) and postsynaptic `post` (batch, n_out) activity.
#[pyfunction]
#[pyo3(signature = (name, pre, post, weights, target = None, modulator = None))]
fn delta<'py>(
    py: Python<'py>,
    name: &str,
    pre: PyReadonlyArray2<'_, f64>,
    post: PyReadonlyArray2<'_, f64>,
    weights: PyReadonlyArray2<'_, f64>,
    target: Option<PyReadonlyArray2<'_, f64>>,
    modulator: Option<PyReadonlyArray1<'_, f64>>,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    local::rule_by_name(name).py_err()?; // an unknown name fails before converting arrays
    let (pre, post, w) = (
        matrix_from_py(&pre),
        matrix_from_py(&post),
        matrix_from_py(&weights),
    );
    let target = target.as_ref().map(matrix_from_py);
    let modulator = modulator.as_ref().map(vector_from_py);
    let d = py
        .detach(|| {
            let rule = local::rule_by_name(name)?;
            let mut a = Activity::new(&pre, &post);
            if let Some(t) = target.as_ref() {
                a = a.with_target(t);
            }
            if let Some(m) = modulator.as_ref() {
                a = a.with_modulator(m);
            }
            rule.delta(&a, &w)
        })
        .py_err()?;
    Ok(matrix_to_py(py, &d))
}

/// The array converted to a matrix and back (the conversions `delta` pays, alone: for tests and
/// profiling).
#[pyfunction]
fn _echo<'py>(py: Python<'py>, a: PyReadonlyArray2<'_, f64>) -> Bound<'py, PyArray2<f64>> {
    matrix_to_py(py, &matrix_from_py(&a))
}

/// A rate rule whose `delta` is a Python function `f(pre, post, weights, target, modulator) ->
/// dW`, with the response and theory of a registered rule.
struct PyRule<'py> {
    py: Python<'py>,
    func: Bound<'py, PyAny>,
    like: Box<dyn LocalRule>,
}

impl LocalRule for PyRule<'_> {
    fn delta(&self, a: &Activity<'_>, weights: &Matrix) -> PResult<Matrix> {
        let py = self.py;
        let fail = |e: PyErr| PlasticityError::InvalidParameter {
            name: "rule",
            value: "python function".into(),
            reason: e.to_string(),
        };
        let target = a.target.map(|t| matrix_to_py(py, t).into_any());
        let modulator = a
            .modulator
            .map(|m| numpy::PyArray1::from_slice(py, m.as_slice()).into_any());
        let out = self
            .func
            .call1((
                matrix_to_py(py, a.pre),
                matrix_to_py(py, a.post),
                matrix_to_py(py, weights),
                target,
                modulator,
            ))
            .map_err(fail)?;
        let arr: PyReadonlyArray2<'_, f64> = out.extract().map_err(|e: PyErr| fail(e))?;
        let d = matrix_from_py(&arr);
        if d.shape() != weights.shape() {
            return Err(PlasticityError::ShapeMismatch {
                op: "python rule delta",
                expected: weights.shape(),
                got: d.shape(),
            });
        }
        Ok(d)
    }

    fn name(&self) -> &'static str {
        "python rule"
    }

    fn response(&self, weights: &Matrix, pre: &Matrix) -> PResult<Matrix> {
        self.like.response(weights, pre)
    }

    fn theory(&self) -> Option<Theory> {
        self.like.theory()
    }
}

/// Runs the rate-rule conformance harness on the Python function `func` held to the theory (and
/// response) of the registered rule `like`; returns the report as JSON.
#[pyfunction]
#[pyo3(signature = (func, like, seed = 0))]
fn check_python_rule(
    py: Python<'_>,
    func: Bound<'_, PyAny>,
    like: &str,
    seed: u64,
) -> PyResult<String> {
    let rule = PyRule {
        py,
        func,
        like: local::rule_by_name(like).py_err()?,
    };
    let report = check_rate_rule(&rule, seed).py_err()?;
    serde_json::to_string(&report).py_err()
}

/// Registers the functions.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(names, m)?)?;
    m.add_function(wrap_pyfunction!(delta, m)?)?;
    m.add_function(wrap_pyfunction!(check_python_rule, m)?)?;
    m.add_function(wrap_pyfunction!(_echo, m)?)?;
    Ok(())
}
