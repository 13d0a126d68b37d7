//! Interruption (SIGINT, SIGTERM, SIGHUP) without lost work or half-written files.
//!
//! The library installs no signal handler (that is the program's business: the `neurograd`
//! command installs one with the `ctrlc` crate and calls [`on_signal`] from it, on an ordinary
//! thread). This module holds the process-wide state the handler and the writers share:
//!
//! - every atomic file write ([`crate::io::write_atomic`]) holds [`write_guard`] from creating its
//!   temporary file to renaming it into place;
//! - [`on_signal`] either records the request ([`requested`]) when a long run has declared that it
//!   polls for it ([`cooperate`], e.g. `compare`, which then checkpoints and stops between epochs),
//!   or takes the write lock and exits with [`EXIT_CODE`] (130 = 128 + SIGINT). Taking the lock
//!   first means a file being written is finished and renamed before the process ends, and no new
//!   one is started, so no `.tmp-*` file is ever left behind.
//!
//! A second signal during a cooperative run exits at once in the same way (after the file being
//! written, if any): pressing Ctrl-C twice always stops the process.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};

use serde::{Deserialize, Serialize};

use crate::experiments::compare::{CompareParams, CompareResult, DatasetInfo, SeedRun};
use crate::plasticity::credit::train::Checkpoint;
use crate::{Error, Result, VERSION};

/// The exit code of an interrupted run: 128 + 2 (SIGINT), the shell convention.
pub const EXIT_CODE: i32 = 130;

static WRITE_LOCK: Mutex<()> = Mutex::new(());
static COOPERATIVE: AtomicBool = AtomicBool::new(false);
static REQUESTED: AtomicBool = AtomicBool::new(false);

/// Held while a file is being written; [`on_signal`] waits for it before exiting. A poisoned lock
/// (a writer panicked) still guards.
pub fn write_guard() -> MutexGuard<'static, ()> {
    WRITE_LOCK.lock().unwrap_or_else(|p| p.into_inner())
}

/// What a signal handler calls. During a [`cooperate`] section the first call only records the
/// request ([`requested`] becomes true) and returns; otherwise (or on a second call) it waits until
/// no file is being written and exits the process with [`EXIT_CODE`].
pub fn on_signal() {
    if COOPERATIVE.load(Ordering::SeqCst) && !REQUESTED.swap(true, Ordering::SeqCst) {
        return;
    }
    let _guard = write_guard();
    std::process::exit(EXIT_CODE);
}

/// Whether an interruption was requested during a [`cooperate`] section.
pub fn requested() -> bool {
    REQUESTED.load(Ordering::SeqCst)
}

/// Declares that the caller polls [`requested`] and stops cleanly by itself until the returned
/// guard is dropped; outside such a section a signal ends the process at once (after the file
/// being written).
pub fn cooperate() -> Cooperation {
    COOPERATIVE.store(true, Ordering::SeqCst);
    Cooperation { _private: () }
}

/// A [`cooperate`] section; dropping it makes signals end the process again.
#[derive(Debug)]
pub struct Cooperation {
    _private: (),
}

impl Drop for Cooperation {
    fn drop(&mut self) {
        COOPERATIVE.store(false, Ordering::SeqCst);
    }
}

/// The file in a `compare` output directory that holds an interrupted run's state.
pub const COMPARE_STATE_FILE: &str = "compare.resume.json";

/// The run of one algorithm and seed that was in progress when `compare` was interrupted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunningCheckpoint {
    /// Index of the algorithm in [`CompareParams::algorithms`].
    pub algorithm: usize,
    /// The run's seed.
    pub seed: u64,
    /// The training loop's checkpoint after its last completed epoch.
    pub checkpoint: Checkpoint,
}

/// Everything an interrupted `compare` had done: its parameters, the completed runs per
/// algorithm and checkpoints of the running ones. `compare` resumed from it
/// ([`crate::experiments::compare::run_resumable`]) skips the completed runs, continues the
/// running one from its checkpoint (bit-identically: the training loop's shuffles, feedback
/// weights and noise are pure functions of the seeds and the position) and runs the rest, so its
/// result equals an uninterrupted run's in every number but the wall-clock times.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompareState {
    /// Version that wrote the state (a resume by another version is refused: its numbers could
    /// differ).
    pub version: String,
    /// The run's parameters.
    pub params: CompareParams,
    /// The data used (known once the first seed's split was prepared).
    pub data: Option<DatasetInfo>,
    /// Completed runs per algorithm (in the order of `params.algorithms`), each in seed order.
    pub runs: Vec<Vec<SeedRun>>,
    /// The runs in progress when the run was stopped (runs execute in parallel), by seed and
    /// algorithm.
    #[serde(default)]
    pub running: Vec<RunningCheckpoint>,
}

impl CompareState {
    /// The state of a run of `params` that has done nothing yet.
    pub fn new(params: &CompareParams) -> Self {
        Self {
            version: VERSION.to_string(),
            params: params.clone(),
            data: None,
            runs: vec![Vec::new(); params.algorithms.len()],
            running: Vec::new(),
        }
    }

    /// Checks that this state can continue a run of `params` with this version.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] named `resume` for another version, other parameters, or runs
    /// that do not fit the parameters (a state file edited by hand).
    pub fn check(&self, params: &CompareParams) -> Result<()> {
        let bad = |reason: String| Err(Error::invalid("resume", &self.params.dataset, reason));
        if self.version != VERSION {
            return bad(format!(
                "the state was written by neurograd {}, this is {VERSION}",
                self.version
            ));
        }
        if &self.params != params {
            return bad("the state's parameters differ from the run's".into());
        }
        if self.runs.len() != params.algorithms.len()
            || self.runs.iter().any(|r| {
                r.len() > params.seeds
                    || r.windows(2).any(|w| w[0].seed >= w[1].seed)
                    || r.iter().any(|x| {
                        x.seed < params.seed || x.seed - params.seed >= params.seeds as u64
                    })
            })
            || self.running.iter().any(|r| {
                r.algorithm >= params.algorithms.len()
                    || r.seed < params.seed
                    || r.seed - params.seed >= params.seeds as u64
            })
        {
            return bad("the completed runs do not fit the parameters".into());
        }
        Ok(())
    }

    /// Reads the state of the interrupted run in `dir` ([`COMPARE_STATE_FILE`]).
    ///
    /// # Errors
    /// [`Error::Io`] if there is none, [`Error::Corrupt`] if it cannot be parsed.
    pub fn load(dir: &Path) -> Result<Self> {
        let p = Self::path(dir);
        let text = crate::io::read_to_string(&p)?;
        serde_json::from_str(&text).map_err(|e| Error::Corrupt {
            path: p,
            reason: e.to_string(),
        })
    }

    /// Writes the state atomically to `dir`/[`COMPARE_STATE_FILE`] and returns the path.
    ///
    /// # Errors
    /// [`Error::Io`], [`Error::Serde`].
    pub fn save(&self, dir: &Path) -> Result<PathBuf> {
        let p = Self::path(dir);
        crate::io::write_json(&p, self)?;
        Ok(p)
    }

    /// `dir`/[`COMPARE_STATE_FILE`].
    pub fn path(dir: &Path) -> PathBuf {
        dir.join(COMPARE_STATE_FILE)
    }

    /// The result so far: one row per algorithm with at least one completed run, aggregated over
    /// its completed runs; a row missing seeds has the status `interrupted after k of N seeds`.
    ///
    /// # Errors
    /// [`Error::Internal`] if the state has no data yet (nothing completed).
    pub fn partial_result(&self) -> Result<CompareResult> {
        let data = self.data.clone().ok_or_else(|| Error::Internal {
            what: "compare",
            reason: "interrupted before any data was prepared".into(),
        })?;
        let n = self.params.seeds;
        let results = self
            .params
            .algorithms
            .iter()
            .zip(&self.runs)
            .filter(|(_, r)| !r.is_empty())
            .map(|(a, r)| {
                let mut row = crate::experiments::compare::aggregate(a.trim().into(), r.clone())?;
                if r.len() < n {
                    row.status = format!("interrupted after {} of {n} seeds", r.len());
                }
                Ok(row)
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(CompareResult {
            version: VERSION.to_string(),
            params: self.params.clone(),
            data,
            results,
        })
    }
}

/// How a resumable run ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Resumable<T, S> {
    /// It ran to the end.
    Finished(T),
    /// It was stopped; the state continues it.
    Interrupted(Box<S>),
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Within a cooperative section a signal is recorded, not acted on (the test process would
    /// otherwise exit with 130 and the harness report a failure).
    #[test]
    fn a_signal_in_a_cooperative_section_is_recorded() {
        assert!(!requested());
        let c = cooperate();
        on_signal();
        assert!(requested());
        drop(c);
        assert!(!COOPERATIVE.load(Ordering::SeqCst));
        REQUESTED.store(false, Ordering::SeqCst);
    }
}
