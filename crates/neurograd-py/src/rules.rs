//! `neurograd.rules`: the registered local rules' updates on arrays, and the conformance harness
//! run on a rule written in Python.

use neurograd::plasticity::local::harness::conformance::check_rate_rule;
use neurograd::plasticity::local::{self as local, Activity, LocalRule, Theory};
use neurograd::plasticity::{PlasticityError, Result as PResult};
use neurograd::tensor::Matrix;
use numpy::{PyArray2, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::prelude::*;
use std::time::Instant;

use crate::arrays::{
    matrix_from_py, matrix_from_view, matrix_to_py, transpose_into, vector_from_py,
};
use crate::errors::{IntoPy, invalid, to_py};

/// Names of the registered rate rules.
#[pyfunction]
fn names() -> Vec<&'static str> {
    local::rule_names()
}

/// Seconds spent in the three phases of one [`delta`] call (for [`_delta_profile`]).
#[derive(Default)]
struct Phases {
    arrays_in: f64,
    rule: f64,
    array_out: f64,
}

/// The `out=` array of [`delta`], checked once before the update is computed: the weights'
/// shape `want` and C-contiguous (so its slice is the row-major `(n_out, n_in)` buffer).
fn checked_out<'py>(
    o: Bound<'py, PyArray2<f64>>,
    want: (usize, usize),
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let got = (o.shape()[0], o.shape()[1]);
    if got != want {
        return Err(to_py(PlasticityError::ShapeMismatch {
            op: "rules.delta out",
            expected: want,
            got,
        }));
    }
    if !o.is_c_contiguous() {
        return Err(invalid(
            "out",
            "a non-C-contiguous array",
            "must be a C-contiguous float64 array",
        ));
    }
    Ok(o)
}

/// [`delta`]'s work, timed phase by phase. The inputs are read and the output written with the
/// GIL released (the array views are plain memory; NumPy does the same in its copies), so the
/// whole update runs without it.
#[allow(clippy::too_many_arguments)]
fn delta_impl<'py>(
    py: Python<'py>,
    name: &str,
    pre: PyReadonlyArray2<'_, f64>,
    post: PyReadonlyArray2<'_, f64>,
    weights: PyReadonlyArray2<'_, f64>,
    target: Option<PyReadonlyArray2<'_, f64>>,
    modulator: Option<PyReadonlyArray1<'_, f64>>,
    out: Option<Bound<'py, PyArray2<f64>>>,
    phases: &mut Phases,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    local::rule_by_name(name).py_err()?; // an unknown name fails before converting arrays
    let want = (weights.shape()[0], weights.shape()[1]);
    let out = match out {
        Some(o) => checked_out(o, want)?,
        None => PyArray2::<f64>::zeros(py, [want.0, want.1], false),
    };
    let (pre_v, post_v, w_v) = (pre.as_array(), post.as_array(), weights.as_array());
    let target_v = target.as_ref().map(|t| t.as_array());
    let modulator = modulator.as_ref().map(vector_from_py);
    let t0 = Instant::now();
    let (pre, post, w, target) = py.detach(|| {
        (
            matrix_from_view(pre_v),
            matrix_from_view(post_v),
            matrix_from_view(w_v),
            target_v.map(matrix_from_view),
        )
    });
    let t1 = Instant::now();
    let d = py
        .detach(|| {
            // built here: a boxed rule is not `Send`
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
    let t2 = Instant::now();
    {
        // `out` was checked by `checked_out` (or is fresh): C-contiguous, the weights' shape. The
        // borrow fails if `out` is one of the inputs (or otherwise borrowed): refused, since
        // writing into an input while it is read would be wrong.
        let mut guard = out.try_readwrite().map_err(|_| {
            invalid(
                "out",
                "an array in use",
                "must be a writeable array distinct from the inputs",
            )
        })?;
        let dst = guard
            .as_slice_mut()
            .map_err(|_| invalid("out", "a non-contiguous array", "must be C-contiguous"))?;
        // every rule returns the weights' shape; checked so that a rule breaking that contract
        // is an error, not a panic of the copy
        let (r, c) = d.shape();
        if (r, c) != want {
            return Err(to_py(PlasticityError::ShapeMismatch {
                op: "rules.delta out",
                expected: want,
                got: (r, c),
            }));
        }
        // d's column-major data is the row-major data of its c x r transpose
        py.detach(|| transpose_into(d.as_slice(), c, r, dst));
    }
    let t3 = Instant::now();
    phases.arrays_in += (t1 - t0).as_secs_f64();
    phases.rule += (t2 - t1).as_secs_f64();
    phases.array_out += (t3 - t2).as_secs_f64();
    Ok(out)
}

/// The weight change `dW` (n_out, n_in) of the registered rate rule `name` for a batch of
/// presynaptic `pre` (batch, n_in) and postsynaptic `post` (batch, n_out) activity, written into
/// `out` if given (a C-contiguous float64 array of the weights' shape, not one of the inputs)
/// and returned.
#[pyfunction]
#[pyo3(signature = (name, pre, post, weights, target = None, modulator = None, out = None))]
#[allow(clippy::too_many_arguments)]
fn delta<'py>(
    py: Python<'py>,
    name: &str,
    pre: PyReadonlyArray2<'_, f64>,
    post: PyReadonlyArray2<'_, f64>,
    weights: PyReadonlyArray2<'_, f64>,
    target: Option<PyReadonlyArray2<'_, f64>>,
    modulator: Option<PyReadonlyArray1<'_, f64>>,
    out: Option<Bound<'py, PyArray2<f64>>>,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let mut phases = Phases::default();
    delta_impl(
        py,
        name,
        pre,
        post,
        weights,
        target,
        modulator,
        out,
        &mut phases,
    )
}

/// [`delta`] (no target or modulator) repeated `reps` times, returning the mean seconds per call
/// of its phases: `(arrays in, rule, array out)` (for profiling the per-call overhead).
#[pyfunction]
#[pyo3(signature = (name, pre, post, weights, reps = 1, out = None))]
#[allow(clippy::too_many_arguments)]
fn _delta_profile<'py>(
    py: Python<'py>,
    name: &str,
    pre: PyReadonlyArray2<'py, f64>,
    post: PyReadonlyArray2<'py, f64>,
    weights: PyReadonlyArray2<'py, f64>,
    reps: usize,
    out: Option<Bound<'py, PyArray2<f64>>>,
) -> PyResult<(f64, f64, f64)> {
    let mut phases = Phases::default();
    for _ in 0..reps.max(1) {
        delta_impl(
            py,
            name,
            pre.clone(),
            post.clone(),
            weights.clone(),
            None,
            None,
            out.clone(),
            &mut phases,
        )?;
    }
    let n = reps.max(1) as f64;
    Ok((phases.arrays_in / n, phases.rule / n, phases.array_out / n))
}

/// The array converted to a matrix and back (the conversions `delta` pays, alone: for tests and
/// profiling).
#[pyfunction]
fn _echo<'py>(py: Python<'py>, a: PyReadonlyArray2<'_, f64>) -> Bound<'py, PyArray2<f64>> {
    matrix_to_py(py, &matrix_from_py(&a))
}

/// What a rule written in Python needs when the harness calls it: the Python error of a failed
/// call becomes the plasticity error the harness understands, and a `KeyboardInterrupt` (or other
/// signal exception) raised in or between the calls is kept, so the harness ends at its error and
/// the caller raises the interrupt instead of the report.
#[derive(Default)]
pub(crate) struct PyCalls {
    interrupt: std::cell::RefCell<Option<PyErr>>,
}

impl PyCalls {
    /// The plasticity error for the failed call `e` (its message kept); an interrupt is stored.
    pub(crate) fn fail(&self, py: Python<'_>, e: PyErr) -> PlasticityError {
        let reason = e.to_string();
        if e.is_instance_of::<pyo3::exceptions::PyKeyboardInterrupt>(py) {
            self.interrupt.borrow_mut().get_or_insert(e);
        }
        PlasticityError::InvalidParameter {
            name: "rule",
            value: "python function".into(),
            reason,
        }
    }

    /// Fails (and stores the interrupt) if a Ctrl-C arrived while the harness ran in Rust (the
    /// GIL is held throughout).
    pub(crate) fn check_signals(&self, py: Python<'_>) -> PResult<()> {
        if let Err(e) = py.check_signals() {
            self.interrupt.borrow_mut().get_or_insert(e);
            return Err(PlasticityError::InvalidParameter {
                name: "rule",
                value: "python function".into(),
                reason: "interrupted".into(),
            });
        }
        Ok(())
    }

    /// The stored interrupt, if any.
    pub(crate) fn take_interrupt(&self) -> Option<PyErr> {
        self.interrupt.take()
    }
}

/// A rate rule whose `delta` is a Python function `f(pre, post, weights, target, modulator) ->
/// dW`, with the response and theory of a registered rule.
struct PyRule<'py> {
    py: Python<'py>,
    func: Bound<'py, PyAny>,
    like: Box<dyn LocalRule>,
    /// Errors and interrupts of the calls of `func` ([`check_python_rule`] raises the interrupt).
    calls: PyCalls,
}

impl LocalRule for PyRule<'_> {
    fn delta(&self, a: &Activity<'_>, weights: &Matrix) -> PResult<Matrix> {
        let py = self.py;
        let fail = |e: PyErr| self.calls.fail(py, e);
        self.calls.check_signals(py)?;
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
        calls: PyCalls::default(),
    };
    let report = check_rate_rule(&rule, seed);
    if let Some(e) = rule.calls.take_interrupt() {
        return Err(e);
    }
    serde_json::to_string(&report.py_err()?).py_err()
}

/// Registers the functions (and those of [`crate::spike_rules`]).
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(names, m)?)?;
    m.add_function(wrap_pyfunction!(delta, m)?)?;
    m.add_function(wrap_pyfunction!(check_python_rule, m)?)?;
    m.add_function(wrap_pyfunction!(_echo, m)?)?;
    m.add_function(wrap_pyfunction!(_delta_profile, m)?)?;
    crate::spike_rules::register(m)?;
    Ok(())
}
