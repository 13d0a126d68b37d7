//! The error type of the neurons crate.

/// Everything that can go wrong in `neurograd-neurons` on user input.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum NeuronError {
    /// A parameter is outside its valid range (negative time constant, dt beyond the stable range,
    /// probability outside [0, 1], ...).
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
    /// Shapes disagree (the same shape as `neurograd_tensor::TensorError::ShapeMismatch`: vectors
    /// and slices of length `n` are `(n, 1)`).
    #[error("shape mismatch in {op}: expected {expected:?}, got {got:?}")]
    ShapeMismatch {
        /// The operation that detected the mismatch.
        op: &'static str,
        /// The shape it expected (rows, cols).
        expected: (usize, usize),
        /// The shape it got (rows, cols).
        got: (usize, usize),
    },
    /// An index (neuron, area, ...) is outside `0..len`.
    #[error("index {index} out of range in {what}: must be < {len}")]
    IndexOutOfRange {
        /// What the index addresses.
        what: &'static str,
        /// The offending index.
        index: usize,
        /// The number of valid entries.
        len: usize,
    },
    /// A name (model, area, pattern) is not known.
    #[error("unknown {kind} '{name}'; valid names: {valid}")]
    UnknownName {
        /// What kind of name.
        kind: &'static str,
        /// The name given.
        name: String,
        /// The valid names, comma-separated.
        valid: String,
    },
    /// A simulation diverged.
    #[error("simulation diverged at step {step}: {what}")]
    Diverged {
        /// Step index.
        step: usize,
        /// What went non-finite.
        what: String,
    },
    /// A tensor-level error other than a non-finite value (those are mapped to
    /// [`NeuronError::NonFinite`]).
    #[error(transparent)]
    Tensor(#[from] neurograd_tensor::TensorError),
}

impl NeuronError {
    /// A length mismatch of two vectors or slices, as `(n, 1)` shapes.
    pub(crate) fn vector_len(op: &'static str, expected: usize, got: usize) -> Self {
        NeuronError::ShapeMismatch {
            op,
            expected: (expected, 1),
            got: (got, 1),
        }
    }
}
