//! The experiments of the `neurograd` command, run through the facade's functions (so a result
//! is the CLI's `--json` output, number for number), with the GIL released.
//!
//! Each experiment runs on a worker thread while the calling thread waits without the GIL and
//! checks for signals every 50 ms (`Python::check_signals`). On Ctrl-C the stop flag is set and the
//! call raises `KeyboardInterrupt` once the Rust work has stopped: `compare` at its next epoch
//! boundary, `optimize` at the next generation of each run, `simulate` within 1024 steps of the
//! `coba`/`cuba` networks, of the single-neuron models and of `macaque` (and before the
//! milliseconds-long `balanced-amplification` analysis), `align` at its next measurement or
//! within 64 steps of its FA run, `rules-check` at the harness's next draw or drift check (the
//! facade's `run_until`/`run_resumable`/`check_until` poll the flag). Only `rules-list` (a
//! table, microseconds) has no stop point: the worker is still waited for.

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

/// Runs one experiment; `None` when it stopped at the request of `stop` (every experiment but
/// `rules-list` polls it).
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
            match rules::check_until(&p.name, p.seed, &poll)? {
                Some(r) => serde_json::to_string(&r)?,
                None => return Ok(None),
            }
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
/// On a signal, `stop` is set and the signal's exception raised once `f` returns (every `f`
/// polls `stop`, so no Rust work goes on after the exception).
pub fn run_interruptible<T: Send + 'static>(
    py: Python<'_>,
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
    // every experiment stops at the flag (or, `rules-list`, finishes within microseconds), so
    // the worker is always waited for: no Rust work goes on after the KeyboardInterrupt
    match run_interruptible(py, move |stop| dispatch(&k, &j, stop))?.py_err()? {
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
