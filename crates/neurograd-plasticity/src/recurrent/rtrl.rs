//! Real-time recurrent learning (Williams & Zipser 1989) (work in progress: returns an error until implemented).

use super::{GradientReport, RateRnn, RecurrentAlgorithm, RecurrentGrads, SequenceBatch, invalid};
use crate::Result;

/// Real-time recurrent learning (Williams & Zipser 1989).
#[derive(Clone, Debug, Default)]
pub struct Rtrl {}

impl Rtrl {
    /// A new instance.
    pub fn new() -> Self {
        Rtrl {}
    }
}

impl RecurrentAlgorithm<RateRnn> for Rtrl {
    fn name(&self) -> &'static str {
        "rtrl"
    }

    fn gradient(
        &mut self,
        _net: &RateRnn,
        _batch: &SequenceBatch,
    ) -> Result<(RecurrentGrads, GradientReport)> {
        Err(invalid("algorithm", "rtrl", "not implemented yet"))
    }
}
