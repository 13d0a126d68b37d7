//! The spike-timing half of `neurograd.rules`: a registered spike rule's weight change on
//! spike-time arrays, clock-driven pair STDP on population rasters, and the spike-rule
//! conformance harness run on a rule written in Python.
//!
//! Units as in the plasticity crate: spike times and time constants in ms, rates in Hz.
//!
//! **Parameters.** A registered spike rule's [`SpikeKernel`] (Pfister & Gerstner 2006 triplet
//! form, which holds pair STDP as `A₃± = 0`; module docs of
//! `neurograd_plasticity::local::spike_rule`) can be changed by name: `a_plus`/`a2_plus` (`A₂⁺`),
//! `a_minus`/`a2_minus` (`A₂⁻`), `a3_plus`, `a3_minus`, `tau_plus`, `tau_minus`, `tau_x`, `tau_y`
//! (ms) and `tau_e` (ms, eligibility-gated rules only). The rule that runs is then rebuilt from the
//! changed kernel by [`rule_from_kernel`]: nearest-spike or all-to-all additive pair STDP (Bi & Poo
//! 1998; Song, Miller & Abbott 2000; Morrison, Diesmann & Gerstner 2008), triplet STDP (Pfister &
//! Gerstner 2006) or reward-modulated pair STDP (Izhikevich 2007), each validated by its own
//! constructor. Without parameters the registered rule itself runs.

use neurograd::plasticity::local::check;
use neurograd::plasticity::local::harness::conformance::check_spike_rule;
use neurograd::plasticity::local::stdp::{PairStdp, Pairing, StdpPopulation};
use neurograd::plasticity::local::three_factor::RewardModulatedStdp;
use neurograd::plasticity::local::triplet::TripletStdp;
use neurograd::plasticity::local::{self as local, SpikeKernel, SpikeRule, SpikeTrains};
use neurograd::plasticity::{PlasticityError, Result as PResult};
use neurograd::tensor::Real;
use numpy::{
    PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2, PyUntypedArray,
    PyUntypedArrayMethods,
};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::errors::{IntoPy, to_py};
use crate::experiments::run_interruptible;
use crate::rules::PyCalls;

/// The parameter names a spike kernel takes (see the module docs).
pub const KERNEL_PARAMS: &[&str] = &[
    "a_plus",
    "a2_plus",
    "a_minus",
    "a2_minus",
    "a3_plus",
    "a3_minus",
    "tau_plus",
    "tau_minus",
    "tau_x",
    "tau_y",
    "tau_e",
];

/// The parameters `StdpPopulation` takes (all-to-all additive pair STDP).
pub const POPULATION_PARAMS: &[&str] = &["a_plus", "a_minus", "tau_plus", "tau_minus"];

/// Steps of `rules.stdp_population` between two polls of the stop flag.
pub const POPULATION_POLL_STEPS: usize = 256;

/// Names of the registered spike-timing rules.
#[pyfunction]
fn spike_names() -> Vec<&'static str> {
    local::spike_rule_names()
}

/// `(name, value)` pairs of a keyword dict (values converted to float).
fn params_of(params: Option<&Bound<'_, PyDict>>) -> PyResult<Vec<(String, Real)>> {
    let mut out = Vec::new();
    if let Some(d) = params {
        for (k, v) in d.iter() {
            out.push((k.extract::<String>()?, v.extract::<Real>()?));
        }
    }
    Ok(out)
}

/// `kernel` with the named parameters changed; an unknown name is
/// [`neurograd::Error::UnknownName`], `tau_e` on a kernel without eligibility
/// [`PlasticityError::InvalidParameter`]. The result is checked ([`SpikeKernel::check`]).
pub fn apply_params(
    mut kernel: SpikeKernel,
    params: &[(String, Real)],
) -> neurograd::Result<SpikeKernel> {
    for (name, v) in params {
        let v = *v;
        match name.as_str() {
            "a_plus" | "a2_plus" => kernel.a2_plus = v,
            "a_minus" | "a2_minus" => kernel.a2_minus = v,
            "a3_plus" => kernel.a3_plus = v,
            "a3_minus" => kernel.a3_minus = v,
            "tau_plus" => kernel.tau_plus = v,
            "tau_minus" => kernel.tau_minus = v,
            "tau_x" => kernel.tau_x = v,
            "tau_y" => kernel.tau_y = v,
            "tau_e" => match kernel.tau_eligibility {
                Some(_) => kernel.tau_eligibility = Some(v),
                None => {
                    return Err(PlasticityError::InvalidParameter {
                        name: "tau_e",
                        value: v.to_string(),
                        reason: "the rule has no eligibility trace (no third factor)".into(),
                    }
                    .into());
                }
            },
            other => {
                return Err(neurograd::Error::unknown(
                    "spike rule parameter",
                    other,
                    KERNEL_PARAMS,
                ));
            }
        }
    }
    kernel.check()?;
    Ok(kernel)
}

/// The spike rule that implements `kernel`: reward-modulated pair STDP for an eligibility-gated
/// pair kernel, triplet STDP for a kernel with `A₃± ≠ 0`, pair STDP (with the kernel's pairing)
/// otherwise. Each is built by its validating constructor, so negative amplitudes (allowed by a
/// kernel, refused by these rules) are [`PlasticityError::InvalidParameter`], and so is a
/// reward-gated triplet kernel (no such rule).
pub fn rule_from_kernel(k: &SpikeKernel) -> PResult<Box<dyn SpikeRule>> {
    k.check()?;
    let triplet = k.a3_plus != 0.0 || k.a3_minus != 0.0;
    match (k.tau_eligibility, triplet) {
        (Some(tau_e), false) => Ok(Box::new(RewardModulatedStdp::new(
            PairStdp::new(k.a2_plus, k.a2_minus, k.tau_plus, k.tau_minus)?,
            tau_e,
        )?)),
        (Some(_), true) => Err(PlasticityError::InvalidParameter {
            name: "a3_plus",
            value: format!("a3_plus {}, a3_minus {}", k.a3_plus, k.a3_minus),
            reason: "no registered rule gates triplet terms by an eligibility trace".into(),
        }),
        (None, true) => Ok(Box::new(
            TripletStdp {
                a2_plus: k.a2_plus,
                a3_plus: k.a3_plus,
                a2_minus: k.a2_minus,
                a3_minus: k.a3_minus,
                tau_plus: k.tau_plus,
                tau_minus: k.tau_minus,
                tau_x: k.tau_x,
                tau_y: k.tau_y,
            }
            .check()?,
        )),
        (None, false) => Ok(Box::new(
            PairStdp::new(k.a2_plus, k.a2_minus, k.tau_plus, k.tau_minus)?.with_pairing(k.pairing),
        )),
    }
}

/// The registered spike rule `name`, or, with parameters, the rule of its kernel with them
/// changed ([`apply_params`], [`rule_from_kernel`]).
pub fn spike_rule(name: &str, params: &[(String, Real)]) -> neurograd::Result<Box<dyn SpikeRule>> {
    let rule = local::spike_rule_by_name(name)?;
    if params.is_empty() {
        return Ok(rule);
    }
    Ok(rule_from_kernel(&apply_params(rule.kernel()?, params)?)?)
}

/// The kernel of [`spike_rule`]`(name, params)`.
fn kernel_of(name: &str, params: &[(String, Real)]) -> neurograd::Result<SpikeKernel> {
    Ok(spike_rule(name, params)?.kernel()?)
}

/// The number of dimensions of a NumPy array (`None` for anything else).
fn ndim_of(a: &Bound<'_, PyAny>) -> Option<usize> {
    a.cast::<PyUntypedArray>().ok().map(|u| u.ndim())
}

/// An array of `ndim` dimensions, else [`PlasticityError::InvalidParameter`] naming `what`.
fn want_ndim(a: &Bound<'_, PyAny>, ndim: usize, what: &'static str, form: &str) -> PyResult<()> {
    match ndim_of(a) {
        Some(n) if n == ndim => Ok(()),
        got => Err(to_py(PlasticityError::InvalidParameter {
            name: what,
            value: match got {
                Some(n) => format!("an array of {n} dimensions"),
                None => "not an array".into(),
            },
            reason: format!("must be a {ndim}-D array {form}"),
        })),
    }
}

/// A 1-D float64 array of spike times as a vector (any stride); another number of dimensions is
/// [`PlasticityError::InvalidParameter`].
fn times_of(a: &Bound<'_, PyAny>, what: &'static str) -> PyResult<Vec<Real>> {
    want_ndim(a, 1, what, "of spike times (ms)")?;
    let r: PyReadonlyArray1<'_, f64> = a.extract()?;
    Ok(r.as_array().iter().copied().collect())
}

/// Reward pulses from a `(k, 2)` array of `(time ms, amount)` rows.
fn rewards_of(r: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<(Real, Real)>> {
    let Some(r) = r else {
        return Ok(Vec::new());
    };
    want_ndim(r, 2, "rewards", "of (time ms, amount) rows")?;
    let r: PyReadonlyArray2<'_, f64> = r.extract()?;
    let v = r.as_array();
    if v.ncols() != 2 {
        return Err(to_py(PlasticityError::ShapeMismatch {
            op: "rules.spike_delta rewards (time, amount)",
            expected: (v.nrows(), 2),
            got: (v.nrows(), v.ncols()),
        }));
    }
    Ok(v.rows().into_iter().map(|row| (row[0], row[1])).collect())
}

/// The weight change `w(end) − w0` of the registered spike rule `name` (optionally with kernel
/// parameters changed) over sorted spike-time arrays `pre`, `post` (ms) and reward pulses
/// `rewards` (`(k, 2)`: time ms, amount; only for reward-gated rules), from weight `w0`. The
/// trains are validated (finite, `≥ 0`, sorted) and the rule runs with the GIL released.
#[pyfunction]
#[pyo3(signature = (name, pre, post, w0 = 0.0, rewards = None, params = None))]
fn spike_delta(
    py: Python<'_>,
    name: &str,
    pre: &Bound<'_, PyAny>,
    post: &Bound<'_, PyAny>,
    w0: Real,
    rewards: Option<&Bound<'_, PyAny>>,
    params: Option<&Bound<'_, PyDict>>,
) -> PyResult<Real> {
    let params = params_of(params)?;
    spike_rule(name, &params).py_err()?; // unknown names and bad parameters first
    let pre = times_of(pre, "pre spike times")?;
    let post = times_of(post, "post spike times")?;
    let rewards = rewards_of(rewards)?;
    let name = name.to_string();
    py.detach(move || -> neurograd::Result<Real> {
        // built here: a boxed rule is not `Send`
        let rule = spike_rule(&name, &params)?;
        let trains = SpikeTrains::new(&pre, &post).with_rewards(&rewards);
        trains.validate()?;
        check::finite_slice("w0", &[w0])?;
        Ok(rule.weight_change(&trains, w0)?)
    })
    .py_err()
}

/// The kernel of the registered spike rule `name` (with parameters changed) as a dict: the
/// amplitudes `a2_plus`, `a2_minus`, `a3_plus`, `a3_minus`, the time constants `tau_plus`,
/// `tau_minus`, `tau_x`, `tau_y` (ms), `pairing` (`"all-to-all"` or `"nearest"`) and
/// `tau_e` (ms, `None` without eligibility).
#[pyfunction]
#[pyo3(signature = (name, params = None))]
fn spike_kernel<'py>(
    py: Python<'py>,
    name: &str,
    params: Option<&Bound<'_, PyDict>>,
) -> PyResult<Bound<'py, PyDict>> {
    let k = kernel_of(name, &params_of(params)?).py_err()?;
    let d = PyDict::new(py);
    for (n, v) in [
        ("a2_plus", k.a2_plus),
        ("a2_minus", k.a2_minus),
        ("a3_plus", k.a3_plus),
        ("a3_minus", k.a3_minus),
        ("tau_plus", k.tau_plus),
        ("tau_minus", k.tau_minus),
        ("tau_x", k.tau_x),
        ("tau_y", k.tau_y),
    ] {
        d.set_item(n, v)?;
    }
    d.set_item(
        "pairing",
        match k.pairing {
            Pairing::AllToAll => "all-to-all",
            Pairing::Nearest => "nearest",
        },
    )?;
    d.set_item("tau_e", k.tau_eligibility)?;
    Ok(d)
}

/// A `(T, n)` raster of 0/1 (or bool) values as row-major booleans; values that are not 0 or 1
/// are [`PlasticityError::InvalidParameter`], NaN/Inf [`PlasticityError::NonFinite`].
fn raster_of(a: &Bound<'_, PyAny>, what: &'static str) -> PyResult<(usize, usize, Vec<bool>)> {
    want_ndim(a, 2, what, "(steps, neurons)")?;
    if let Ok(b) = a.cast::<PyArray2<bool>>() {
        let r = b.readonly();
        let v = r.as_array();
        return Ok((v.nrows(), v.ncols(), v.iter().copied().collect()));
    }
    let r: PyReadonlyArray2<'_, f64> = a.extract()?;
    let v = r.as_array();
    let mut out = Vec::with_capacity(v.len());
    for (i, &x) in v.iter().enumerate() {
        if !x.is_finite() {
            return Err(to_py(PlasticityError::NonFinite {
                what: what.to_string(),
                index: i,
            }));
        }
        if x != 0.0 && x != 1.0 {
            let (t, n) = (i / v.ncols().max(1), i % v.ncols().max(1));
            return Err(to_py(PlasticityError::InvalidParameter {
                name: what,
                value: format!("[{t}, {n}] = {x}"),
                reason: "a raster holds 0 (no spike) or 1 (spike)".into(),
            }));
        }
        out.push(x == 1.0);
    }
    Ok((v.nrows(), v.ncols(), out))
}

/// Pair STDP parameters for [`stdp_population`]: Song, Miller & Abbott (2000) with the named ones
/// changed, validated by [`PairStdp::new`].
fn population_rule(params: &[(String, Real)]) -> neurograd::Result<PairStdp> {
    let s = PairStdp::song_2000();
    let (mut ap, mut am, mut tp, mut tm) = (s.a_plus, s.a_minus, s.tau_plus, s.tau_minus);
    for (name, v) in params {
        match name.as_str() {
            "a_plus" => ap = *v,
            "a_minus" => am = *v,
            "tau_plus" => tp = *v,
            "tau_minus" => tm = *v,
            other => {
                return Err(neurograd::Error::unknown(
                    "stdp_population parameter",
                    other,
                    POPULATION_PARAMS,
                ));
            }
        }
    }
    Ok(PairStdp::new(ap, am, tp, tm)?)
}

/// The run of [`stdp_population`] on owned rasters: `None` when `stop` was set.
#[allow(clippy::too_many_arguments)]
fn run_population(
    rule: PairStdp,
    pre: &[bool],
    post: &[bool],
    steps: usize,
    n_pre: usize,
    n_post: usize,
    w0: Real,
    dt: Real,
    stop: &std::sync::atomic::AtomicBool,
) -> neurograd::Result<Option<Vec<Real>>> {
    let mut pop = StdpPopulation::new(rule, n_pre, n_post, w0, dt)?;
    let (mut ip, mut jp) = (Vec::with_capacity(n_pre), Vec::with_capacity(n_post));
    for s in 0..steps {
        if s % POPULATION_POLL_STEPS == 0 && stop.load(std::sync::atomic::Ordering::SeqCst) {
            return Ok(None);
        }
        ip.clear();
        jp.clear();
        ip.extend((0..n_pre).filter(|&i| pre[s * n_pre + i]));
        jp.extend((0..n_post).filter(|&j| post[s * n_post + j]));
        pop.step(&ip, &jp)?;
    }
    let mut w = Vec::with_capacity(n_pre * n_post);
    for j in 0..n_post {
        for i in 0..n_pre {
            w.push(pop.weight(j, i).ok_or(neurograd::Error::Internal {
                what: "stdp_population weights",
                reason: format!("no weight ({j}, {i})"),
            })?);
        }
    }
    Ok(Some(w))
}

/// Clock-driven all-to-all additive pair STDP (`StdpPopulation`) on rasters `pre_raster`
/// `(T, n_pre)` and `post_raster` `(T, n_post)` (bool or 0/1: row `s` is the step `[s dt, (s+1)
/// dt)`), all weights starting at `w0`; returns the `(n_post, n_pre)` weights after the `T`
/// steps. Runs on a worker thread without the GIL; Ctrl-C stops it within
/// [`POPULATION_POLL_STEPS`] steps and raises `KeyboardInterrupt`.
#[pyfunction]
#[pyo3(signature = (pre_raster, post_raster, dt, w0 = 0.0, params = None))]
fn stdp_population<'py>(
    py: Python<'py>,
    pre_raster: &Bound<'py, PyAny>,
    post_raster: &Bound<'py, PyAny>,
    dt: Real,
    w0: Real,
    params: Option<&Bound<'_, PyDict>>,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let rule = population_rule(&params_of(params)?).py_err()?;
    check::positive("dt", dt).py_err()?;
    check::finite_slice("w0", &[w0]).py_err()?;
    let (t_pre, n_pre, pre) = raster_of(pre_raster, "pre_raster")?;
    let (t_post, n_post, post) = raster_of(post_raster, "post_raster")?;
    if t_pre != t_post {
        return Err(to_py(PlasticityError::ShapeMismatch {
            op: "rules.stdp_population (steps of post_raster vs pre_raster)",
            expected: (t_pre, n_post),
            got: (t_post, n_post),
        }));
    }
    let w = run_interruptible(py, move |stop| {
        run_population(rule, &pre, &post, t_pre, n_pre, n_post, w0, dt, stop)
    })?
    .py_err()?;
    match w {
        Some(w) => PyArray1::from_vec(py, w).reshape([n_post, n_pre]),
        None => Err(pyo3::exceptions::PyKeyboardInterrupt::new_err(
            "stdp_population stopped",
        )),
    }
}

/// A spike rule whose weight change is a Python function, held to the kernel of a registered
/// rule: `func(pre, post, w0) -> dw`, or `func(pre, post, w0, rewards) -> dw` when the kernel is
/// eligibility-gated (`rewards` a `(k, 2)` array of `(time ms, amount)`).
struct PySpikeRule<'py> {
    py: Python<'py>,
    func: Bound<'py, PyAny>,
    kernel: SpikeKernel,
    /// Errors and interrupts of the calls of `func` ([`check_python_spike_rule`] raises the
    /// interrupt).
    calls: PyCalls,
}

impl SpikeRule for PySpikeRule<'_> {
    fn weight_change(&self, trains: &SpikeTrains<'_>, weight: Real) -> PResult<Real> {
        let py = self.py;
        let fail = |e: PyErr| self.calls.fail(py, e);
        self.calls.check_signals(py)?;
        let pre = PyArray1::from_slice(py, trains.pre);
        let post = PyArray1::from_slice(py, trains.post);
        let out = if self.kernel.tau_eligibility.is_some() {
            let flat: Vec<Real> = trains.rewards.iter().flat_map(|&(t, a)| [t, a]).collect();
            let rewards = PyArray1::from_vec(py, flat)
                .reshape([trains.rewards.len(), 2])
                .map_err(fail)?;
            self.func.call1((pre, post, weight, rewards))
        } else {
            if !trains.rewards.is_empty() {
                trains.validate_unmodulated("the python spike rule")?;
            }
            self.func.call1((pre, post, weight))
        }
        .map_err(fail)?;
        let dw: Real = out.extract().map_err(|e: PyErr| fail(e))?;
        if !dw.is_finite() {
            return Err(PlasticityError::NonFinite {
                what: "python spike rule weight change".into(),
                index: 0,
            });
        }
        Ok(dw)
    }

    fn kernel(&self) -> PResult<SpikeKernel> {
        Ok(self.kernel)
    }

    fn name(&self) -> &'static str {
        "python spike rule"
    }
}

/// Runs the spike-rule conformance harness (trace vs the brute-force kernel sum on 5 Poisson
/// draws; drift vs the rate formula within 4 standard errors, and its swapped-kernel control)
/// on the Python function `func`, held to the kernel of the registered spike rule `like` (with
/// parameters changed); returns the report as JSON.
#[pyfunction]
#[pyo3(signature = (func, like, seed = 0, params = None))]
fn check_python_spike_rule(
    py: Python<'_>,
    func: Bound<'_, PyAny>,
    like: &str,
    seed: u64,
    params: Option<&Bound<'_, PyDict>>,
) -> PyResult<String> {
    let rule = PySpikeRule {
        py,
        func,
        kernel: kernel_of(like, &params_of(params)?).py_err()?,
        calls: PyCalls::default(),
    };
    let report = check_spike_rule(&rule, seed);
    if let Some(e) = rule.calls.take_interrupt() {
        return Err(e);
    }
    serde_json::to_string(&report.py_err()?).py_err()
}

/// Registers the functions (in the `rules` submodule).
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(spike_names, m)?)?;
    m.add_function(wrap_pyfunction!(spike_delta, m)?)?;
    m.add_function(wrap_pyfunction!(spike_kernel, m)?)?;
    m.add_function(wrap_pyfunction!(stdp_population, m)?)?;
    m.add_function(wrap_pyfunction!(check_python_spike_rule, m)?)?;
    m.add("SPIKE_PARAMS", KERNEL_PARAMS.to_vec())?;
    m.add("POPULATION_PARAMS", POPULATION_PARAMS.to_vec())?;
    Ok(())
}
