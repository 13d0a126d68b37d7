//! RFLO (Murray 2019) (work in progress: returns an error until implemented).

use super::{GradientReport, RateRnn, RecurrentAlgorithm, RecurrentGrads, SequenceBatch, invalid};
use crate::Result;

/// RFLO (Murray 2019).
#[derive(Clone, Debug, Default)]
pub struct Rflo {}

impl Rflo {
    /// A new instance.
    pub fn new(_net: &RateRnn, _seed: u64) -> Result<Self> {
        Ok(Rflo {})
    }
}

impl RecurrentAlgorithm<RateRnn> for Rflo {
    fn name(&self) -> &'static str {
        "rflo"
    }

    fn gradient(
        &mut self,
        _net: &RateRnn,
        _batch: &SequenceBatch,
    ) -> Result<(RecurrentGrads, GradientReport)> {
        Err(invalid("algorithm", "rflo", "not implemented yet"))
    }
}
