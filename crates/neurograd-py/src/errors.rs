//! The facade's typed errors as Python exceptions.
//!
//! The exception classes live in `neurograd/errors.py` (so they can derive from both
//! `NeurogradError` and the builtin a Python user expects: `ValueError` for bad input, `OSError`
//! for files, `RuntimeError` for failed runs). An error is raised as the class of its innermost
//! structured variant (e.g. `Error::Optim(OptimError::InvalidParameter { .. })` ->
//! `InvalidParameterError`), with the Rust message unchanged.

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;

/// Variant names of the workspace's error enums and the Python class each is raised as, in the
/// order they are looked for (the first variant name found in the error's `Debug` form, wrappers
/// skipped, decides).
pub const CLASSES: &[(&str, &str)] = &[
    ("InvalidParameter", "InvalidParameterError"),
    ("UnknownName", "UnknownNameError"),
    ("ShapeMismatch", "ShapeMismatchError"),
    ("NonFiniteFitness", "NonFiniteError"),
    ("NonFinite", "NonFiniteError"),
    ("Protocol", "ProtocolError"),
    ("Diverged", "DivergedError"),
    ("NotConverged", "NotConvergedError"),
    ("Io", "FileError"),
    ("Format", "FormatError"),
    ("Corrupt", "FormatError"),
    ("UnsupportedDtype", "FormatError"),
    ("RaggedRow", "FormatError"),
    ("Empty", "EmptyInputError"),
    ("RunFailed", "RunFailedError"),
];

/// The Python class name for an error, from the variant names in its `Debug` form.
pub fn class_name(debug: &str) -> &'static str {
    debug
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .find_map(|tok| CLASSES.iter().find(|(v, _)| *v == tok).map(|(_, c)| *c))
        .unwrap_or("NeurogradError")
}

/// Builds the Python exception `neurograd.errors.<class>(message)`.
pub fn raise(py: Python<'_>, class: &str, message: String) -> PyErr {
    let made = py
        .import("neurograd.errors")
        .and_then(|m| m.getattr(class))
        .and_then(|c| c.call1((message.clone(),)));
    match made {
        Ok(exc) => PyErr::from_value(exc),
        Err(_) => PyRuntimeError::new_err(message),
    }
}

/// Any facade error (or a crate error convertible to one) as its Python exception.
pub fn to_py(e: impl Into<neurograd::Error>) -> PyErr {
    let e: neurograd::Error = e.into();
    let class = class_name(&format!("{e:?}"));
    Python::attach(|py| raise(py, class, e.to_string()))
}

/// `Result<T, E>` -> `PyResult<T>` through [`to_py`].
pub trait IntoPy<T> {
    /// Maps the error to its Python exception.
    fn py_err(self) -> PyResult<T>;
}

impl<T, E: Into<neurograd::Error>> IntoPy<T> for Result<T, E> {
    fn py_err(self) -> PyResult<T> {
        self.map_err(to_py)
    }
}

/// An invalid argument detected in the binding itself, raised like the facade's
/// `Error::InvalidParameter` (same message format).
pub fn invalid(name: &'static str, value: impl std::fmt::Display, reason: &str) -> PyErr {
    to_py(neurograd::Error::invalid(name, value, reason))
}
