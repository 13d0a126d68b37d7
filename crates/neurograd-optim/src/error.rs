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
    /// Sizes disagree.
    #[error("shape mismatch in {op}: expected {expected}, got {got}")]
    ShapeMismatch {
        /// Where.
        op: &'static str,
        /// Expected size.
        expected: usize,
        /// Actual size.
        got: usize,
    },
    /// A tensor in a list has a different shape than expected (gradient vs parameter, or vs the
    /// optimizer state built on an earlier step).
    #[error("shape mismatch in {op} at tensor {index}: expected {expected:?}, got {got:?}")]
    TensorShapeMismatch {
        /// Where.
        op: &'static str,
        /// Index of the offending tensor in the list.
        index: usize,
        /// Expected (rows, cols).
        expected: (usize, usize),
        /// Actual (rows, cols).
        got: (usize, usize),
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
