//! The facade's error type: wraps every crate's error and adds the facade's own cases.
//!
//! [`Error::exit_code`] maps each error to the exit code of the `neurograd` command: `2` for usage
//! and input errors (unknown names, bad parameters, missing or corrupt files), `1` for failures of a
//! run (divergence, non-convergence, internal errors).

use std::path::PathBuf;

/// Everything that can go wrong in the facade.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An error of `neurograd-tensor`.
    #[error(transparent)]
    Tensor(#[from] neurograd_tensor::TensorError),
    /// An error of `neurograd-data`.
    #[error(transparent)]
    Data(#[from] neurograd_data::DataError),
    /// An error of `neurograd-neurons`.
    #[error(transparent)]
    Neuron(#[from] neurograd_neurons::NeuronError),
    /// An error of `neurograd-plasticity`.
    #[error(transparent)]
    Plasticity(#[from] neurograd_plasticity::PlasticityError),
    /// An error of `neurograd-optim`.
    #[error(transparent)]
    Optim(#[from] neurograd_optim::OptimError),
    /// An I/O failure on a file.
    #[error("i/o error on {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A file exists but its content cannot be parsed.
    #[error("corrupt file {path}: {reason}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A name (algorithm, model, function, dataset) is not known.
    #[error("unknown {kind} '{name}'; valid names: {valid}")]
    UnknownName {
        /// What kind of name.
        kind: &'static str,
        /// The name given.
        name: String,
        /// The valid names, comma-separated.
        valid: String,
    },
    /// A parameter is out of its valid range.
    #[error("invalid parameter {name} = {value}: {reason}")]
    InvalidParameter {
        /// The parameter.
        name: &'static str,
        /// The value given, formatted.
        value: String,
        /// Why it is invalid.
        reason: String,
    },
    /// A result could not be serialised.
    #[error("serialisation failed: {0}")]
    Serde(#[from] serde_json::Error),
    /// A run ended without a usable result (e.g. every algorithm of `compare` diverged); its
    /// partial results were still written. Exit code 1.
    #[error("{what}: {reason}")]
    RunFailed {
        /// Which run.
        what: String,
        /// Why, e.g. each failure's message.
        reason: String,
    },
    /// The run was interrupted by a signal (SIGINT, SIGTERM, SIGHUP) and stopped cleanly: what
    /// had completed and a checkpoint of the running part were written to `dir`. Exit code 130.
    #[error("interrupted; what completed is in {dir}, continue with `{resume}`")]
    Interrupted {
        /// Where the completed results and the checkpoint are.
        dir: PathBuf,
        /// The command that continues the run.
        resume: String,
    },
    /// An internal failure (a figure could not be drawn, a thread pool could not be built).
    #[error("{what} failed: {reason}")]
    Internal {
        /// What was being done.
        what: &'static str,
        /// Why it failed.
        reason: String,
    },
}

impl Error {
    /// The exit code of the `neurograd` command for this error: `2` for usage and input errors
    /// (unknown names, invalid parameters, missing or corrupt files, shape or finiteness problems in
    /// the input), `1` for failures of a run (divergence, non-convergence, internal errors), `130`
    /// for a run stopped by a signal ([`Error::Interrupted`]).
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Interrupted { .. } => crate::interrupt::EXIT_CODE,
            Error::Serde(_) | Error::Internal { .. } | Error::RunFailed { .. } => 1,
            Error::Plasticity(
                neurograd_plasticity::PlasticityError::Diverged { .. }
                | neurograd_plasticity::PlasticityError::NotConverged { .. },
            ) => 1,
            Error::Neuron(neurograd_neurons::NeuronError::Diverged { .. }) => 1,
            _ => 2,
        }
    }

    /// Shorthand for [`Error::InvalidParameter`].
    pub fn invalid(
        name: &'static str,
        value: impl std::fmt::Display,
        reason: impl Into<String>,
    ) -> Self {
        Error::InvalidParameter {
            name,
            value: value.to_string(),
            reason: reason.into(),
        }
    }

    /// Shorthand for [`Error::UnknownName`] with a list of valid names.
    pub fn unknown(kind: &'static str, name: &str, valid: &[&str]) -> Self {
        Error::UnknownName {
            kind,
            name: name.to_string(),
            valid: valid.join(", "),
        }
    }
}
