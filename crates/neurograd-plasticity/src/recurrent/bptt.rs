//! Backpropagation through time (work in progress: returns an error until implemented).

use super::{GradientReport, RateRnn, RecurrentAlgorithm, RecurrentGrads, SequenceBatch, invalid};
use crate::Result;

/// Backpropagation through time.
#[derive(Clone, Debug, Default)]
pub struct Bptt {}

impl Bptt {
    /// A new instance.
    pub fn new() -> Self {
        Bptt {}
    }
}

impl RecurrentAlgorithm<RateRnn> for Bptt {
    fn name(&self) -> &'static str {
        "bptt"
    }

    fn gradient(
        &mut self,
        _net: &RateRnn,
        _batch: &SequenceBatch,
    ) -> Result<(RecurrentGrads, GradientReport)> {
        Err(invalid("algorithm", "bptt", "not implemented yet"))
    }
}

/// Truncated BPTT(h; h') (Williams & Peng 1990).
#[derive(Clone, Debug, Default)]
pub struct TruncatedBptt {}

impl TruncatedBptt {
    /// Truncation `h`, stride `h'`.
    pub fn new(_h: usize, _stride: usize) -> Result<Self> {
        Ok(TruncatedBptt {})
    }
}

impl RecurrentAlgorithm<RateRnn> for TruncatedBptt {
    fn name(&self) -> &'static str {
        "tbptt"
    }

    fn gradient(
        &mut self,
        _net: &RateRnn,
        _batch: &SequenceBatch,
    ) -> Result<(RecurrentGrads, GradientReport)> {
        Err(invalid("algorithm", "tbptt", "not implemented yet"))
    }
}
