//! The experiments of the `neurograd` command, run through the facade's functions (so a result
//! is the CLI's `--json` output, number for number), with the GIL released.
//!
//! Each experiment runs on a worker thread while the calling thread waits without the GIL and
//! checks for signals every 50 ms (`Python::check_signals`). On Ctrl-C the stop flag is set and the
//! call raises `KeyboardInterrupt` once the Rust work has stopped: `compare` at its next epoch
//! boundary, `optimize` at the next generation of each run, `simulate` within 1024 steps of the
//! `coba`/`cuba` networks and of the single-neuron models, `align` at its next measurement (the FA
//! run of `fa_steps` steps is one measurement; the facade's `run_until`/`run_resumable` poll the
//! flag). `simulate`'s `balanced-amplification` and `macaque` run to the end and `rules-*`
//! (seconds) has no stop point, so for them the call raises at once and the worker thread
//! finishes in the background, its result discarded.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use neurograd::experiments::{align, compare, optimize, rules, simulate};
use neurograd::interrupt::Resumable;
use neurograd::{NoProgress, Result};
use pyo3::prelude::*;

use crate::errors::{IntoPy, to_py};

/// The experiment names `neurograd._neurograd.experiments.run` accepts.
pub const KINDS: &[&str] = &[
    "optimize",
    "simulate",
    "compare",
    "align",
    "rules-list",
    "rules-check",
];

fn parse<T: serde::de::DeserializeOwned>(kind: &str, json: &str) -> Result<T> {
    serde_json::from_str(json).map_err(|e| neurograd::Error::InvalidParameter {
        name: "params",
        value: kind.to_string(),
        reason: e.to_string(),
    })
}

/// The models of `simulate` that do not poll the stop flag (`simulate::run_until` runs them to
/// the end): a Ctrl-C during them raises at once and abandons the worker.
const UNSTOPPABLE_MODELS: &[&str] = &["balanced-amplification", "macaque"];

/// Runs one experiment; `None` when it stopped at the request of `stop` (`compare`, `optimize`,
/// `simulate`, `align` poll it).
fn dispatch(kind: &str, json: &str, stop: &AtomicBool) -> Result<Option<String>> {
    let poll = || stop.load(Ordering::SeqCst);
    let out = match kind {
        "optimize" => match optimize::run_until(&parse(kind, json)?, &NoProgress, &poll)? {
            Some(r) => serde_json::to_string(&r)?,
            None => return Ok(None),
        },
        "simulate" => match simulate::run_until(&parse(kind, json)?, &NoProgress, &poll)? {
            Some(r) => serde_json::to_string(&r)?,
            None => return Ok(None),
        },
        "align" => match align::run_until(&parse(kind, json)?, &NoProgress, &poll)? {
            Some(r) => serde_json::to_string(&r)?,
            None => return Ok(None),
        },
        "rules-list" => serde_json::to_string(&rules::list())?,
        "rules-check" => {
            #[derive(serde::Deserialize)]
            struct P {
                name: String,
                seed: u64,
            }
            let p: P = parse(kind, json)?;
            serde_json::to_string(&rules::check(&p.name, p.seed)?)?
        }
        "compare" => {
            let p: compare::CompareParams = parse(kind, json)?;
            match compare::run_resumable(&p, &NoProgress, None, &poll)? {
                Resumable::Finished(r) => serde_json::to_string(&r)?,
                Resumable::Interrupted(_) => return Ok(None),
            }
        }
        other => return Err(neurograd::Error::unknown("experiment", other, KINDS)),
    };
    Ok(Some(out))
}

/// Runs `f` on a worker thread with the GIL released, checking for signals (Ctrl-C) every 50 ms.
/// On a signal, `stop` is set and the signal's exception raised: at once if `wait_on_stop` is
/// false, after `f` returns otherwise.
pub fn run_interruptible<T: Send + 'static>(
    py: Python<'_>,
    wait_on_stop: bool,
    f: impl FnOnce(&AtomicBool) -> T + Send + 'static,
) -> PyResult<T> {
    let stop = Arc::new(AtomicBool::new(false));
    let (tx, rx) = mpsc::channel();
    // `detach` needs a `Sync` capture; the receiver is only used from this thread.
    let rx = std::sync::Mutex::new(rx);
    let worker_stop = Arc::clone(&stop);
    std::thread::Builder::new()
        .name("neurograd-py".into())
        .spawn(move || {
            let _ = tx.send(f(&worker_stop));
        })
        .map_err(|e| {
            to_py(neurograd::Error::Internal {
                what: "spawning a worker thread",
                reason: e.to_string(),
            })
        })?;
    let mut interrupted: Option<PyErr> = None;
    loop {
        let got = py.detach(|| {
            rx.lock()
                .unwrap_or_else(|p| p.into_inner())
                .recv_timeout(Duration::from_millis(50))
        });
        match got {
            Ok(v) => {
                return match interrupted {
                    Some(e) => Err(e),
                    None => Ok(v),
                };
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(to_py(neurograd::Error::Internal {
                    what: "the worker thread",
                    reason: "it panicked".into(),
                }));
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
        }
        if interrupted.is_none()
            && let Err(e) = py.check_signals()
        {
            stop.store(true, Ordering::SeqCst);
            if !wait_on_stop {
                return Err(e);
            }
            interrupted = Some(e);
        }
    }
}

/// Runs the experiment `kind` (one of [`KINDS`]) with its parameters as JSON (the facade's
/// `*Params` structs) and returns its result as JSON (the CLI's `--json` output).
#[pyfunction]
fn run(py: Python<'_>, kind: &str, params_json: &str) -> PyResult<String> {
    if !KINDS.contains(&kind) {
        return Err(to_py(neurograd::Error::unknown("experiment", kind, KINDS)));
    }
    let (k, j) = (kind.to_string(), params_json.to_string());
    // the experiments that poll the stop flag are waited for (their Rust work ends); the others
    // (`rules-*`, the models of `simulate` without a stop point) are abandoned to finish in the
    // background
    let wait = match kind {
        "compare" | "optimize" | "align" => true,
        "simulate" => serde_json::from_str::<serde_json::Value>(params_json)
            .ok()
            .and_then(|v| v.get("model").and_then(|m| m.as_str()).map(str::to_string))
            .is_some_and(|m| !UNSTOPPABLE_MODELS.contains(&m.as_str())),
        _ => false,
    };
    match run_interruptible(py, wait, move |stop| dispatch(&k, &j, stop))?.py_err()? {
        Some(s) => Ok(s),
        None => Err(pyo3::exceptions::PyKeyboardInterrupt::new_err(format!(
            "{kind} stopped"
        ))),
    }
}

/// Registers the function.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add("KINDS", KINDS.to_vec())?;
    Ok(())
}
