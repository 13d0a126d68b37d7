//! The error type of the plasticity crate.

/// Everything that can go wrong in `neurograd-plasticity` on user input or in training.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PlasticityError {
    /// Sizes disagree (layer sizes, target width, pre/post activity vs weights).
    #[error("shape mismatch in {op}: expected {expected:?}, got {got:?}")]
    ShapeMismatch {
        /// Where.
        op: &'static str,
        /// Expected shape (rows, cols).
        expected: (usize, usize),
        /// Actual shape (rows, cols).
        got: (usize, usize),
    },
    /// An activity or weight is NaN or infinite.
    #[error("non-finite value in {what} at index {index}")]
    NonFinite {
        /// What held the value.
        what: String,
        /// Index of the first offending element.
        index: usize,
    },
    /// A hyperparameter is outside its valid range.
    #[error("invalid parameter {name} = {value}: {reason}")]
    InvalidParameter {
        /// Parameter name.
        name: &'static str,
        /// The offending value, formatted.
        value: String,
        /// Why it is invalid.
        reason: String,
    },
    /// Training diverged (learning rate too large): `what` names the quantity that became
    /// non-finite or exceeded its limit (the loss, the update, the weights; the rule or
    /// algorithm), `step` where, `norm` its value.
    #[error("{what} diverged at step {step}: norm {norm:e}")]
    Diverged {
        /// What diverged, e.g. `"training loss"`, `"update of bp"`, `"weights of oja"`.
        what: String,
        /// The step at which the weight norm became non-finite or exceeded the limit.
        step: usize,
        /// The weight norm at that step.
        norm: f64,
    },
    /// An energy relaxation did not reach its tolerance within its iteration budget.
    #[error(
        "relaxation did not converge in {iterations} iterations: residual {residual:e} > tolerance {tolerance:e}"
    )]
    NotConverged {
        /// Iterations used.
        iterations: usize,
        /// Final residual.
        residual: f64,
        /// Required tolerance.
        tolerance: f64,
    },
    /// A name (rule, algorithm) is not known.
    #[error("unknown {kind} '{name}'; valid names: {valid}")]
    UnknownName {
        /// What kind of name.
        kind: &'static str,
        /// The name given.
        name: String,
        /// The valid names, comma-separated.
        valid: String,
    },
    /// A layer index is not below the number of layers (`Network::weight(l)`,
    /// `Updates::bias(l)`, ...).
    #[error("layer index {layer} out of range: the network has {layers} layers")]
    LayerOutOfRange {
        /// The 0-based layer index asked for.
        layer: usize,
        /// The number of weight layers `L` (valid indices are `0..L`).
        layers: usize,
    },
    /// A tensor-level error (shapes, non-finite values and empty input of the shared
    /// `neurograd_tensor` helpers: `validate::check_finite`, `geometry::cosine_params`, ...).
    #[error(transparent)]
    Tensor(#[from] neurograd_tensor::TensorError),
    /// A neuron-crate error (the Poisson spike source of the spike-rule harness rejected a rate
    /// or a duration).
    #[error(transparent)]
    Neuron(#[from] neurograd_neurons::NeuronError),
    /// An optimizer error of the training loop (unknown optimizer name, invalid learning rate,
    /// a step on mismatched shapes).
    #[error(transparent)]
    Optim(#[from] neurograd_optim::OptimError),
}
