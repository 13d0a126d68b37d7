//! The error type of the tensor crate.

/// Everything that can go wrong in `neurograd-tensor` on user input.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum TensorError {
    /// Two operands (or an operand and an expectation) disagree in shape.
    #[error("shape mismatch in {op}: expected {expected:?}, got {got:?}")]
    ShapeMismatch {
        /// The operation that detected the mismatch.
        op: &'static str,
        /// The shape it expected (rows, cols).
        expected: (usize, usize),
        /// The shape it got (rows, cols).
        got: (usize, usize),
    },
    /// A value is NaN or infinite.
    #[error("non-finite value in {what} at index {index}")]
    NonFinite {
        /// What held the value.
        what: String,
        /// Linear (column-major) index of the first offending element.
        index: usize,
    },
    /// An input that must not be empty is empty.
    #[error("empty input: {what}")]
    Empty {
        /// What was empty.
        what: String,
    },
    /// A parameter is outside its valid range.
    #[error("invalid parameter {name} = {value}: {reason}")]
    InvalidParameter {
        /// Parameter name.
        name: &'static str,
        /// The offending value, formatted.
        value: String,
        /// Why it is invalid.
        reason: String,
    },
    /// A name (activation, loss, ...) is not known.
    #[error("unknown {kind} '{name}'; valid names: {valid}")]
    UnknownName {
        /// What kind of name.
        kind: &'static str,
        /// The name given.
        name: String,
        /// The valid names, comma-separated.
        valid: String,
    },
    /// A value lies outside the domain of an operation (log of a non-positive number, division by
    /// zero).
    #[error("value {value} at index {index} is outside the domain of {op}")]
    Domain {
        /// The operation.
        op: &'static str,
        /// Linear (column-major) index of the first offending element.
        index: usize,
        /// The offending value.
        value: f64,
    },
    /// A `Var` was used with a tape that did not create it, or after the tape was cleared.
    #[error("variable {index} does not belong to this tape (or the tape was cleared)")]
    ForeignVar {
        /// Node index of the variable.
        index: usize,
    },
    /// A vector or matrix has zero norm where a direction is needed (cosine, projection).
    #[error("zero norm in {op}: {what}")]
    ZeroNorm {
        /// The operation.
        op: &'static str,
        /// Which operand.
        what: &'static str,
    },
    /// Input is degenerate for the operation (rank-deficient basis, asymmetric matrix, too few
    /// samples).
    #[error("degenerate input to {op}: {reason}")]
    Degenerate {
        /// The operation.
        op: &'static str,
        /// What is wrong.
        reason: String,
    },
}
