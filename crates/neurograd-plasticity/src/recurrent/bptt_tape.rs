//! BPTT through the autodiff tape (work in progress: returns an error until implemented).

use super::{GradientReport, RateRnn, RecurrentAlgorithm, RecurrentGrads, SequenceBatch, invalid};
use crate::Result;

/// BPTT through the autodiff tape.
#[derive(Clone, Debug, Default)]
pub struct TapeBptt {}

impl TapeBptt {
    /// A new instance.
    pub fn new() -> Self {
        TapeBptt {}
    }
}

impl RecurrentAlgorithm<RateRnn> for TapeBptt {
    fn name(&self) -> &'static str {
        "bptt-tape"
    }

    fn gradient(
        &mut self,
        _net: &RateRnn,
        _batch: &SequenceBatch,
    ) -> Result<(RecurrentGrads, GradientReport)> {
        Err(invalid("algorithm", "bptt-tape", "not implemented yet"))
    }
}
