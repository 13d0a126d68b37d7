//! The error type of the optim crate.

/// Everything that can go wrong in `neurograd-optim` on user input.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum OptimError {
    /// A hyperparameter is outside its valid range (dimension 0, population below 2, sigma <= 0,
    /// lower bound above upper, ...).
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
    #[error("non-finite value in {what} at index {index}")]
    NonFinite {
        /// What held the value.
        what: String,
        /// Index of the first offending element.
        index: usize,
    },
    /// The user's objective returned NaN or Inf for a candidate.
    #[error("objective returned {value} for candidate {candidate} in generation {generation}")]
    NonFiniteFitness {
        /// Index of the candidate in the population.
        candidate: usize,
        /// Generation number.
        generation: usize,
        /// The value returned.
        value: f64,
    },
    /// Two operands (or an operand and an expectation) disagree in shape; vectors and the lengths
    /// of tensor lists are `(n, 1)`. The same shape as `neurograd_tensor::TensorError::ShapeMismatch`.
    #[error("shape mismatch in {op}: expected {expected:?}, got {got:?}")]
    ShapeMismatch {
        /// The operation that detected the mismatch.
        op: &'static str,
        /// The shape it expected (rows, cols).
        expected: (usize, usize),
        /// The shape it got (rows, cols).
        got: (usize, usize),
    },
    /// One tensor of a list (a gradient step's parameters, gradients or optimizer state) failed a
    /// check: `index` locates it in the list, `source` says what is wrong (a
    /// [`OptimError::ShapeMismatch`]).
    #[error("tensor {index} of {list}: {source}")]
    InTensorList {
        /// The list, e.g. `"gradients"`.
        list: &'static str,
        /// Index of the offending tensor in the list.
        index: usize,
        /// What is wrong with it.
        source: Box<OptimError>,
    },
    /// An input that must not be empty is empty.
    #[error("empty input: {what}")]
    Empty {
        /// What was empty.
        what: String,
    },
    /// A name (optimizer, test function) is not known.
    #[error("unknown {kind} '{name}'; valid names: {valid}")]
    UnknownName {
        /// What kind of name.
        kind: &'static str,
        /// The name given.
        name: String,
        /// The valid names, comma-separated.
        valid: String,
    },
    /// `tell` was called with results that do not match the last `ask`.
    #[error("ask/tell protocol violated: {reason}")]
    Protocol {
        /// What went wrong.
        reason: String,
    },
    /// A tensor-level error.
    #[error(transparent)]
    Tensor(#[from] neurograd_tensor::TensorError),
}

/// [`neurograd_tensor::validate::check_finite_slice`] with its `NonFinite` reported as this crate's
/// [`OptimError::NonFinite`] (same fields), so the optim crate has one finiteness check.
pub(crate) fn check_finite(xs: &[neurograd_tensor::Real], what: &str) -> crate::Result<()> {
    neurograd_tensor::validate::check_finite_slice(xs, what).map_err(|e| match e {
        neurograd_tensor::TensorError::NonFinite { what, index } => {
            OptimError::NonFinite { what, index }
        }
        other => other.into(),
    })
}
