//! Property tests of the credit-assignment algorithms (one module per theorem family); each test
//! names the theorem or claim it checks and its source. Tolerances: theory.md §7-10, 12-13, 18.

mod common;
mod energy;
mod exact;
mod feedback;
mod robustness;
mod training;
