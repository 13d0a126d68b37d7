//! The error type of the data crate.
//!
//! Every variant names *where* the problem is (a file path, an argument name or a description of a
//! byte source) and *what* it is. Messages are lowercase without a trailing period.

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
    /// A file's content is malformed (wrong magic number, truncated, header and size disagreeing,
    /// unparsable header, ...).
    #[error("malformed {path}: {reason}")]
    Format {
        /// The file (or a description of the byte source).
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A file stores a data type this crate does not read.
    #[error("unsupported dtype in {path}: {dtype} (supported: {supported})")]
    UnsupportedDtype {
        /// The file (or a description of the byte source).
        path: PathBuf,
        /// The dtype found, as written in the file.
        dtype: String,
        /// The supported dtypes, comma-separated.
        supported: String,
    },
    /// A CSV row has a different number of fields than the first row.
    #[error("ragged csv row in {path} at line {line}: expected {expected} fields, got {got}")]
    RaggedRow {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// Number of fields of the first row.
        expected: usize,
        /// Number of fields on this line.
        got: usize,
    },
    /// A CSV field is not a number (or not a label where a label is required).
    #[error("bad csv field in {path} at line {line}, column {column}: '{field}' {reason}")]
    BadField {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// 0-based column index.
        column: usize,
        /// The field text (truncated to 40 characters).
        field: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A parameter (argument) is outside its valid range.
    #[error("invalid parameter {name} = {value}: {reason}")]
    InvalidParameter {
        /// Parameter name.
        name: &'static str,
        /// The offending value, formatted.
        value: String,
        /// Why it is invalid.
        reason: String,
    },
    /// A value is NaN or infinite.
    #[error("non-finite value {value} in {what} at row {row}, column {col}")]
    NonFinite {
        /// What held the value (an argument name or a file).
        what: String,
        /// Row of the first offending element.
        row: usize,
        /// Column of the first offending element.
        col: usize,
        /// The value, formatted.
        value: String,
    },
    /// An input that must not be empty is empty.
    #[error("empty input: {what}")]
    Empty {
        /// What was empty.
        what: String,
    },
    /// A label is not smaller than the number of classes.
    #[error(
        "label out of range in {what} at index {index}: label {label} >= n_classes {n_classes}"
    )]
    LabelOutOfRange {
        /// What held the label.
        what: String,
        /// Index of the first offending label.
        index: usize,
        /// The label.
        label: usize,
        /// The number of classes.
        n_classes: usize,
    },
    /// Two operands (or an operand and an expectation) disagree in shape; vectors and label lists
    /// are `(n, 1)`. The same shape as `neurograd_tensor::TensorError::ShapeMismatch`.
    #[error("shape mismatch in {op}: expected {expected:?}, got {got:?}")]
    ShapeMismatch {
        /// The operation that detected the mismatch.
        op: &'static str,
        /// The shape it expected (rows, cols).
        expected: (usize, usize),
        /// The shape it got (rows, cols).
        got: (usize, usize),
    },
    /// A name (bundled dataset, CSV column, ...) is not known.
    #[error("unknown {kind} '{name}'; valid names: {valid}")]
    UnknownName {
        /// What kind of name.
        kind: &'static str,
        /// The name given.
        name: String,
        /// The valid names, comma-separated.
        valid: String,
    },
    /// A tensor-level error.
    #[error(transparent)]
    Tensor(#[from] neurograd_tensor::TensorError),
}

impl DataError {
    /// Shorthand for [`DataError::Format`].
    pub(crate) fn format(path: impl Into<PathBuf>, reason: impl Into<String>) -> Self {
        DataError::Format {
            path: path.into(),
            reason: reason.into(),
        }
    }

    /// Shorthand for [`DataError::InvalidParameter`].
    pub(crate) fn invalid(
        name: &'static str,
        value: impl ToString,
        reason: impl Into<String>,
    ) -> Self {
        DataError::InvalidParameter {
            name,
            value: value.to_string(),
            reason: reason.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Errors cross threads (convention: `Send + Sync`).
    #[test]
    fn error_is_send_sync() {
        fn check<T: Send + Sync + 'static>() {}
        check::<DataError>();
    }

    #[test]
    fn messages_are_lowercase_and_name_the_argument() {
        let e = DataError::invalid("test_fraction", 1.5, "must lie in (0, 1)");
        let s = e.to_string();
        assert!(s.contains("test_fraction"));
        assert!(!s.ends_with('.'));
        assert_eq!(s.chars().next(), Some('i'));
    }
}
