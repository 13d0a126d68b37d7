//! The error type of the data crate.

use std::path::PathBuf;

/// Everything that can go wrong in `neurograd-data`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DataError {
    /// An I/O failure on a file.
    #[error("i/o error on {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A file's content is malformed.
    #[error("malformed {path}: {reason}")]
    Format {
        /// The file (or a description of the byte source).
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// An argument is outside its valid range.
    #[error("invalid argument {name} = {value}: {reason}")]
    InvalidArgument {
        /// Argument name.
        name: &'static str,
        /// The offending value, formatted.
        value: String,
        /// Why it is invalid.
        reason: String,
    },
    /// A tensor-level error.
    #[error(transparent)]
    Tensor(#[from] neurograd_tensor::TensorError),
}
