//! `neurograd.spiking`: the recurrent spiking network of LIF/ALIF neurons (Bellec et al. 2020;
//! the plasticity crate's `recurrent::spiking`), its forward pass on arrays, and its training on
//! the sequence tasks of `neurograd compare --task` with BPTT or e-prop (GIL released, Ctrl-C
//! stops training at the next iteration).

use std::sync::atomic::{AtomicBool, Ordering};

use neurograd::experiments::recurrent::{Task, TaskSpec, spiking_config};
use neurograd::plasticity::PlasticityError;
use neurograd::plasticity::recurrent::spiking::{SpikingNet, SpikingNetConfig};
use neurograd::plasticity::recurrent::train::{
    RecurrentTrainConfig, SequenceSource, train_recurrent,
};
use neurograd::plasticity::recurrent::{self, RecurrentNet, Registered, SequenceBatch};
use neurograd::tensor::Matrix;
use neurograd::train::{Stream, sub_seed};
use numpy::ndarray::Array3;
use numpy::{PyArray2, PyArray3, PyReadonlyArray2, PyReadonlyArray3};
use pyo3::prelude::*;

use crate::arrays::{matrix_from_py, matrix_to_py};
use crate::errors::{IntoPy, to_py};
use crate::experiments::run_interruptible;

/// A recurrent network of discrete-time LIF and ALIF neurons with a leaky readout.
#[pyclass(module = "neurograd._neurograd.spiking", name = "SpikingNet", frozen)]
#[derive(Clone)]
pub struct PySpikingNet {
    net: SpikingNet,
}

/// `T` matrices `B x n` as a `(T, B, n)` C-ordered array.
fn stack<'py>(py: Python<'py>, ms: &[Matrix]) -> Bound<'py, PyArray3<f64>> {
    let (b, n) = ms.first().map_or((0, 0), |m| m.shape());
    let mut data = Vec::with_capacity(ms.len() * b * n);
    for m in ms {
        for i in 0..b {
            data.extend(m.row(i).iter().copied());
        }
    }
    let a = Array3::from_shape_vec((ms.len(), b, n), data)
        .unwrap_or_else(|_| Array3::zeros((ms.len(), b, n)));
    PyArray3::from_owned_array(py, a)
}

/// A `(T, B, n_in)` array as `T` matrices `B x n_in`.
fn unstack(x: &PyReadonlyArray3<'_, f64>) -> Vec<Matrix> {
    let v = x.as_array();
    let (t, b, n) = v.dim();
    (0..t)
        .map(|k| Matrix::from_fn(b, n, |i, j| v[(k, i, j)]))
        .collect()
}

#[pymethods]
impl PySpikingNet {
    /// A seeded network from a configuration (the JSON of the plasticity crate's
    /// `SpikingNetConfig`), or with the given parameters `[W_in, W_rec, b, W_out, b_out]`.
    #[new]
    #[pyo3(signature = (config_json, seed = 0, params = None))]
    fn new(
        config_json: &str,
        seed: u64,
        params: Option<Vec<PyReadonlyArray2<'_, f64>>>,
    ) -> PyResult<Self> {
        let cfg: SpikingNetConfig = serde_json::from_str(config_json).map_err(|e| {
            to_py(neurograd::Error::InvalidParameter {
                name: "config",
                value: "SpikingNetConfig".into(),
                reason: e.to_string(),
            })
        })?;
        let net = match params {
            None => SpikingNet::new(&cfg, seed).py_err()?,
            Some(ps) => {
                SpikingNet::from_params(&cfg, ps.iter().map(matrix_from_py).collect()).py_err()?
            }
        };
        Ok(PySpikingNet { net })
    }

    /// The network of a sequence task (`neurograd compare --task <task> [--small]`), seeded as
    /// the CLI seeds it for master seed `seed`.
    #[staticmethod]
    #[pyo3(signature = (task_json, seed = 0))]
    fn for_task(task_json: &str, seed: u64) -> PyResult<Self> {
        let spec = parse_spec(task_json)?;
        let task = Task::build(&spec, seed).py_err()?;
        let net =
            SpikingNet::new(&spiking_config(&task), sub_seed(seed, Stream::Network)).py_err()?;
        Ok(PySpikingNet { net })
    }

    /// The configuration as JSON.
    fn config_json(&self) -> PyResult<String> {
        serde_json::to_string(self.net.config()).py_err()
    }

    /// The parameters `[W_in (n, n_in), W_rec (n, n), b (1, n), W_out (n_out, n), b_out (1,
    /// n_out)]` as new arrays.
    fn params<'py>(&self, py: Python<'py>) -> Vec<Bound<'py, PyArray2<f64>>> {
        self.net
            .params()
            .iter()
            .map(|m| matrix_to_py(py, m))
            .collect()
    }

    /// The forward pass over inputs `x` `(T, B, n_in)` from the initial state: spikes `z`,
    /// membrane potentials `v` (after the step, before the spike test) and readouts `y`, each
    /// `(T, B, .)`.
    #[allow(clippy::type_complexity)]
    fn run<'py>(
        &self,
        py: Python<'py>,
        x: PyReadonlyArray3<'_, f64>,
    ) -> PyResult<(
        Bound<'py, PyArray3<f64>>,
        Bound<'py, PyArray3<f64>>,
        Bound<'py, PyArray3<f64>>,
    )> {
        let inputs = unstack(&x);
        let net = &self.net;
        let tr = py.detach(|| net.trajectory(&inputs)).py_err()?;
        Ok((stack(py, &tr.out.z), stack(py, &tr.v), stack(py, &tr.out.y)))
    }

    fn __repr__(&self) -> String {
        let c = self.net.config();
        format!(
            "SpikingNet(n_in={}, n_lif={}, n_alif={}, n_out={}, dt_ms={})",
            c.n_in, c.n_lif, c.n_alif, c.n_out, c.dt_ms
        )
    }
}

fn parse_spec(json: &str) -> PyResult<TaskSpec> {
    serde_json::from_str(json).map_err(|e| {
        to_py(neurograd::Error::InvalidParameter {
            name: "task",
            value: json.to_string(),
            reason: e.to_string(),
        })
    })
}

/// A batch source that fails once `stop` is set (Ctrl-C): the training loop stops at the next
/// iteration.
struct Stoppable<'a> {
    inner: Box<dyn SequenceSource + 'a>,
    stop: &'a AtomicBool,
}

impl Stoppable<'_> {
    fn check(&self) -> neurograd::plasticity::Result<()> {
        if self.stop.load(Ordering::SeqCst) {
            return Err(PlasticityError::InvalidParameter {
                name: "training",
                value: "interrupted".into(),
                reason: "stopped by KeyboardInterrupt".into(),
            });
        }
        Ok(())
    }
}

impl SequenceSource for Stoppable<'_> {
    fn train_batch(
        &mut self,
        iteration: u64,
        batch_size: usize,
    ) -> neurograd::plasticity::Result<SequenceBatch> {
        self.check()?;
        self.inner.train_batch(iteration, batch_size)
    }

    fn validation_batch(
        &mut self,
        k: u64,
        batch_size: usize,
    ) -> neurograd::plasticity::Result<SequenceBatch> {
        self.check()?;
        self.inner.validation_batch(k, batch_size)
    }
}

/// Parameters of [`train`] after parsing.
struct TrainArgs {
    spec: TaskSpec,
    algorithm: String,
    iterations: Option<usize>,
    batch_size: Option<usize>,
    learning_rate: Option<f64>,
    seed: u64,
}

fn train_inner(
    args: &TrainArgs,
    net: Option<SpikingNet>,
    stop: &AtomicBool,
) -> neurograd::Result<(SpikingNet, String)> {
    let task = Task::build(&args.spec, args.seed)?;
    let mut net = match net {
        Some(n) => n,
        None => SpikingNet::new(&spiking_config(&task), sub_seed(args.seed, Stream::Network))?,
    };
    let mut algo = recurrent::by_name::<SpikingNet>(
        &args.algorithm,
        &net,
        sub_seed(args.seed, Stream::Algorithm),
    )?;
    let d = &task.defaults;
    let cfg = RecurrentTrainConfig {
        max_iterations: args.iterations.unwrap_or(d.max_iterations),
        batch_size: args.batch_size.unwrap_or(d.batch_size),
        learning_rate: args.learning_rate.unwrap_or(d.learning_rate),
        cosine_every: 0,
        ..d.clone()
    };
    let mut source = Stoppable {
        inner: task.training_source(args.seed, None),
        stop,
    };
    let out = train_recurrent(
        &mut net,
        algo.as_mut(),
        None,
        &mut source,
        &cfg,
        &mut |_| {},
    )?;
    let (test_loss, test_accuracy) = task.test(&net, cfg.batch_size)?;
    let res = serde_json::json!({
        "task": args.spec,
        "algorithm": args.algorithm,
        "iterations": out.iterations,
        "final_loss": out.final_loss,
        "final_validation_error": out.final_validation_error,
        "stopped_early": out.stopped_early,
        "test_loss": test_loss,
        "test_accuracy": test_accuracy,
        "wall_s": out.wall_s,
        "records": out.records,
    });
    Ok((net, serde_json::to_string(&res)?))
}

/// Trains a spiking network on a sequence task (the loop of `neurograd compare --task`, one
/// algorithm, no cosine to BPTT) and returns the trained network and a JSON report. `net`
/// defaults to the task's network for `seed`.
#[pyfunction]
#[pyo3(signature = (task_json, algorithm, net = None, iterations = None, batch_size = None,
                    learning_rate = None, seed = 0))]
#[allow(clippy::too_many_arguments)]
fn train(
    py: Python<'_>,
    task_json: &str,
    algorithm: &str,
    net: Option<Bound<'_, PySpikingNet>>,
    iterations: Option<usize>,
    batch_size: Option<usize>,
    learning_rate: Option<f64>,
    seed: u64,
) -> PyResult<(PySpikingNet, String)> {
    let args = TrainArgs {
        spec: parse_spec(task_json)?,
        algorithm: algorithm.to_string(),
        iterations,
        batch_size,
        learning_rate,
        seed,
    };
    let net = net.map(|n| n.get().net.clone());
    let (net, json) = run_interruptible(py, move |stop| train_inner(&args, net, stop))?.py_err()?;
    Ok((PySpikingNet { net }, json))
}

/// Names of the registered spiking algorithms.
#[pyfunction]
fn algorithms() -> Vec<&'static str> {
    SpikingNet::ALGORITHMS.iter().map(|a| a.name).collect()
}

/// Registers the class and functions.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PySpikingNet>()?;
    m.add_function(wrap_pyfunction!(train, m)?)?;
    m.add_function(wrap_pyfunction!(algorithms, m)?)?;
    Ok(())
}
