//! `neurograd.credit`: networks, a registered credit-assignment algorithm's updates and their
//! cosine to backprop's (the experiment `compare` is in [`crate::experiments`]).

use neurograd::plasticity::credit::{Network as Net, registry};
use neurograd::tensor::geometry::cosine_params;
use numpy::{PyArray2, PyReadonlyArray2};
use pyo3::prelude::*;
use pyo3::types::PyList;

use crate::arrays::{matrix_from_py, matrix_to_py};
use crate::errors::IntoPy;

/// A dense network set up for an algorithm (its activations and loss, weights drawn from
/// `seed`), as `AlgorithmInfo::network` builds it.
#[pyclass(module = "neurograd._neurograd.credit", name = "Network")]
pub struct Network {
    net: Net,
    widths: Vec<usize>,
    algorithm: String,
    seed: u64,
}

#[pymethods]
impl Network {
    /// See `neurograd/credit.pyi`.
    #[new]
    #[pyo3(signature = (widths, algorithm = "bp", seed = 0))]
    fn new(widths: Vec<usize>, algorithm: &str, seed: u64) -> PyResult<Self> {
        let net = registry::info(algorithm)
            .py_err()?
            .network(&widths, seed)
            .py_err()?;
        Ok(Self {
            net,
            widths,
            algorithm: algorithm.to_string(),
            seed,
        })
    }

    /// The parameters `[W1, b1, ..., WL, bL]` as 2-D arrays (copies).
    #[getter]
    fn params<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.net.params().iter().map(|m| matrix_to_py(py, m)))
    }

    /// The forward pass on a batch `X` (batch, n_0) -> (batch, n_L).
    fn forward<'py>(
        &self,
        py: Python<'py>,
        x: PyReadonlyArray2<'_, f64>,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let x = matrix_from_py(&x);
        let y = py.detach(|| self.net.forward(&x)).py_err()?;
        Ok(matrix_to_py(py, &y))
    }

    /// Layer widths.
    #[getter]
    fn widths(&self) -> Vec<usize> {
        self.widths.clone()
    }

    fn __repr__(&self) -> String {
        format!(
            "Network(widths={:?}, algorithm={:?}, seed={})",
            self.widths, self.algorithm, self.seed
        )
    }
}

/// The registered algorithms: a list of `(name, summary, supervised)`.
#[pyfunction]
fn algorithms() -> Vec<(&'static str, &'static str, bool)> {
    registry::algorithms()
        .iter()
        .map(|a| (a.name, a.summary, a.supervised))
        .collect()
}

/// The updates of `algorithm` on `(x, t)`, in the shape of `rules.delta`: the arrays converted
/// in, the Rust work with the GIL released, the result returned for conversion out.
fn updates_of(
    py: Python<'_>,
    algorithm: &str,
    net: &Network,
    x: &PyReadonlyArray2<'_, f64>,
    t: &PyReadonlyArray2<'_, f64>,
    seed: u64,
) -> PyResult<Vec<neurograd::tensor::Matrix>> {
    let (x, t) = (matrix_from_py(x), matrix_from_py(t));
    let net = &net.net;
    py.detach(|| {
        // built here: a boxed algorithm is not `Send`
        let mut alg = registry::by_name(algorithm, net, seed)?;
        alg.updates(net, &x, &t).map(|u| u.grads)
    })
    .py_err()
}

/// The updates of `algorithm` (with the sign of the loss gradient) on the batch `(X, T)`:
/// `[dW1, db1, ..., dWL, dbL]`; random feedback drawn from `seed`.
#[pyfunction]
#[pyo3(signature = (algorithm, net, x, t, seed = 0))]
fn updates<'py>(
    py: Python<'py>,
    algorithm: &str,
    net: PyRef<'_, Network>,
    x: PyReadonlyArray2<'_, f64>,
    t: PyReadonlyArray2<'_, f64>,
    seed: u64,
) -> PyResult<Bound<'py, PyList>> {
    let g = updates_of(py, algorithm, &net, &x, &t, seed)?;
    PyList::new(py, g.iter().map(|m| matrix_to_py(py, m)))
}

/// Cosine between `algorithm`'s updates and backprop's on the batch `(X, T)`: over all
/// parameters, and per layer (weights only).
#[pyfunction]
#[pyo3(signature = (algorithm, net, x, t, seed = 0))]
fn cosine_to_backprop(
    py: Python<'_>,
    algorithm: &str,
    net: PyRef<'_, Network>,
    x: PyReadonlyArray2<'_, f64>,
    t: PyReadonlyArray2<'_, f64>,
    seed: u64,
) -> PyResult<(f64, Vec<f64>)> {
    let a = updates_of(py, algorithm, &net, &x, &t, seed)?;
    let b = updates_of(py, "bp", &net, &x, &t, seed)?;
    let all = cosine_params(&a, &b).py_err()?;
    let per = (0..a.len() / 2)
        .map(|l| cosine_params(&a[2 * l..2 * l + 1], &b[2 * l..2 * l + 1]).py_err())
        .collect::<PyResult<Vec<f64>>>()?;
    Ok((all, per))
}

/// Registers the class and functions.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Network>()?;
    m.add_function(wrap_pyfunction!(algorithms, m)?)?;
    m.add_function(wrap_pyfunction!(updates, m)?)?;
    m.add_function(wrap_pyfunction!(cosine_to_backprop, m)?)?;
    Ok(())
}
