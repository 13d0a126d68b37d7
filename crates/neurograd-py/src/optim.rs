//! `neurograd.optim`: CMA-ES with pycma's method names (`ask`, `tell`, `stop`, `result` is built
//! in Python from `CMAES.result_tuple()`) and the test functions.

use neurograd::optim::blackbox::{AskTell, CmaEs, CmaEsConfig, StopReason};
use neurograd::tensor::Vector;
use numpy::{PyArray1, PyArrayMethods, PyReadonlyArray1, PyUntypedArrayMethods};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::arrays::{vector_from_py, vector_to_py};
use crate::errors::{IntoPy, raise};

/// pycma's termination key for a stop reason and the threshold it reports.
fn stop_key(r: StopReason, c: &CmaEsConfig) -> (&'static str, f64) {
    match r {
        StopReason::Ftarget => ("ftarget", c.ftarget.unwrap_or(f64::NAN)),
        StopReason::MaxFevals => (
            "maxfevals",
            c.max_evaluations.map_or(f64::NAN, |v| v as f64),
        ),
        StopReason::MaxIter => ("maxiter", c.maxiter.map_or(f64::NAN, |v| v as f64)),
        StopReason::TolFun => ("tolfun", c.tolfun),
        StopReason::TolFunHist => ("tolfunhist", c.tolfunhist),
        StopReason::TolX => ("tolx", c.tolx),
        StopReason::ConditionCov => ("conditioncov", c.tol_condition),
        StopReason::SigmaTooSmall => ("tolupsigma", f64::NAN),
        StopReason::MaxRestarts => ("maxrestarts", f64::NAN),
    }
}

/// CMA-ES (Hansen 2016; pycma 4.5.0 defaults) driven by ask/tell like
/// `cma.CMAEvolutionStrategy`. The Python class `neurograd.optim.CMAES` derives from it and adds
/// pycma's `inopts` dictionary, `result`, `optimize` and `disp`.
#[pyclass(subclass, module = "neurograd._neurograd.optim", name = "_CMAES")]
pub struct CMAES {
    es: CmaEs,
    pending: Option<Vec<Vector>>,
}

#[pymethods]
impl CMAES {
    /// See `neurograd/optim.pyi`.
    #[new]
    #[pyo3(signature = (x0, sigma0, *, popsize = None, seed = 0, lower = None, upper = None,
        ftarget = None, maxfevals = None, maxiter = None, tolfun = 1e-11, tolfunhist = 1e-12,
        tolx = 1e-11, tol_condition = 1e14))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        x0: Vec<f64>,
        sigma0: f64,
        popsize: Option<usize>,
        seed: u64,
        lower: Option<Vec<f64>>,
        upper: Option<Vec<f64>>,
        ftarget: Option<f64>,
        maxfevals: Option<usize>,
        maxiter: Option<usize>,
        tolfun: f64,
        tolfunhist: f64,
        tolx: f64,
        tol_condition: f64,
    ) -> PyResult<Self> {
        let cfg = CmaEsConfig {
            popsize,
            seed,
            lower,
            upper,
            ftarget,
            max_evaluations: maxfevals,
            maxiter,
            tolfun,
            tolfunhist,
            tolx,
            tol_condition,
            ..CmaEsConfig::new(x0, sigma0)
        };
        Ok(Self {
            es: CmaEs::new(cfg).py_err()?,
            pending: None,
        })
    }

    /// A new population: a list of `popsize` 1-D float64 arrays (as pycma's `ask()`).
    #[pyo3(signature = (number = None))]
    fn ask<'py>(&mut self, py: Python<'py>, number: Option<usize>) -> PyResult<Bound<'py, PyList>> {
        if let Some(k) = number
            && k != self.es.ask_size()
        {
            return Err(crate::errors::invalid(
                "number",
                k,
                &format!(
                    "asking for other than popsize = {} points is not supported",
                    self.es.ask_size()
                ),
            ));
        }
        let xs = self.es.ask();
        let list = PyList::new(py, xs.iter().map(|x| vector_to_py(py, x)))?;
        self.pending = Some(xs);
        Ok(list)
    }

    /// Hands back the fitness values (minimised) of the population of the last `ask`, in its
    /// order; `solutions` must be that population (injected solutions are not supported).
    fn tell(
        &mut self,
        py: Python<'_>,
        solutions: Bound<'_, PyAny>,
        function_values: Vec<f64>,
    ) -> PyResult<()> {
        let Some(pending) = self.pending.as_ref() else {
            return Err(raise(
                py,
                "ProtocolError",
                "ask/tell protocol violated: tell without a pending ask".into(),
            ));
        };
        let n = solutions.len()?;
        if n != pending.len() {
            return Err(raise(
                py,
                "ProtocolError",
                format!(
                    "ask/tell protocol violated: {n} solutions told, {} asked",
                    pending.len()
                ),
            ));
        }
        for (i, x) in solutions.try_iter()?.enumerate() {
            let x = x?;
            let same = match x.cast::<PyArray1<f64>>() {
                Ok(a) => {
                    let a: PyReadonlyArray1<'_, f64> = a.readonly();
                    a.len() == pending[i].len()
                        && a.as_array()
                            .iter()
                            .zip(pending[i].iter())
                            .all(|(p, q)| p == q)
                }
                Err(_) => {
                    let v: Vec<f64> = x.extract()?;
                    v.as_slice() == pending[i].as_slice()
                }
            };
            if !same {
                return Err(raise(
                    py,
                    "ProtocolError",
                    format!(
                        "ask/tell protocol violated: solution {i} is not the point asked \
                         (injecting solutions is not supported)"
                    ),
                ));
            }
        }
        self.es.tell(&function_values).py_err()?;
        self.pending = None;
        Ok(())
    }

    /// The termination conditions met, as pycma's `stop()`: an empty dict while running, e.g.
    /// `{'ftarget': 1e-08}` once stopped.
    fn stop<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        if let Some(r) = self.es.stop() {
            let (k, v) = stop_key(r, self.es.config());
            d.set_item(k, v)?;
        }
        Ok(d)
    }

    /// `(xbest, fbest, evals_best, evaluations, iterations, xfavorite, stds, stop)`, the fields
    /// of pycma's `result`.
    fn result_tuple<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let (xbest, fbest, evals_best) = match self.es.best() {
            Some(b) => (Some(vector_to_py(py, &b.x)), Some(b.f), Some(b.evaluation)),
            None => (None, None, None),
        };
        let c = self.es.covariance();
        let stds = Vector::from_iterator(
            c.nrows(),
            (0..c.nrows()).map(|i| self.es.sigma() * c[(i, i)].sqrt()),
        );
        let t = (
            xbest,
            fbest,
            evals_best,
            self.es.evaluations(),
            self.es.generation(),
            vector_to_py(py, self.es.mean()),
            vector_to_py(py, &stds),
            self.stop(py)?,
        );
        Ok(t.into_pyobject(py)?.into_any())
    }

    /// Population size λ.
    #[getter]
    fn popsize(&self) -> usize {
        self.es.ask_size()
    }

    /// Completed generations (pycma's `countiter`).
    #[getter]
    fn countiter(&self) -> usize {
        self.es.generation()
    }

    /// Evaluations told so far (pycma's `countevals`).
    #[getter]
    fn countevals(&self) -> usize {
        self.es.evaluations()
    }

    /// Current step size σ.
    #[getter]
    fn sigma(&self) -> f64 {
        self.es.sigma()
    }

    /// Current mean (pycma's `mean`).
    #[getter]
    fn mean<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        vector_to_py(py, self.es.mean())
    }

    /// Search-space dimension.
    #[getter]
    fn dim(&self) -> usize {
        self.es.dim()
    }

    fn __repr__(&self) -> String {
        format!(
            "CMAES(dim={}, popsize={}, seed={}, countiter={}, countevals={}, sigma={:.4e})",
            self.es.dim(),
            self.es.ask_size(),
            self.es.config().seed,
            self.es.generation(),
            self.es.evaluations(),
            self.es.sigma()
        )
    }
}

/// The starting point of run `seed` of the `optimize` benchmark (`neurograd optimize`): uniform
/// in `[-5, 5]^dim` from ChaCha8 seeded with `seed`, exactly as
/// `neurograd::experiments::optimize::build` draws it.
#[pyfunction]
fn benchmark_x0(py: Python<'_>, dim: usize, seed: u64) -> Bound<'_, PyArray1<f64>> {
    use rand::SeedableRng;
    let b = neurograd::experiments::optimize::BOX;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let x: Vec<f64> = (0..dim)
        .map(|_| rand::RngExt::random_range(&mut rng, -b..b))
        .collect();
    PyArray1::from_vec(py, x)
}

/// The value of the named test function (`rosenbrock`, `sphere`, ...) at `x`.
#[pyfunction]
fn test_function(name: &str, x: PyReadonlyArray1<'_, f64>) -> PyResult<f64> {
    let x = vector_from_py(&x);
    let f = neurograd::optim::functions::by_name(name, x.len()).py_err()?;
    f.value(x.as_slice()).py_err()
}

/// Registers the class and functions.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<CMAES>()?;
    m.add_function(wrap_pyfunction!(benchmark_x0, m)?)?;
    m.add_function(wrap_pyfunction!(test_function, m)?)?;
    Ok(())
}
