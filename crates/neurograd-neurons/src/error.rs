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
    /// A tensor-level error.
    #[error(transparent)]
    Tensor(#[from] neurograd_tensor::TensorError),
}
