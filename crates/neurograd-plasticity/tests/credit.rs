//! Property tests of the credit-assignment algorithms (one module per theorem family); each test
//! names the theorem or claim it checks and its source. Tolerances: theory.md §7-10, 12-13, 18.

#[path = "credit/cnn.rs"]
mod cnn;
#[path = "credit/common.rs"]
mod common;
#[path = "credit/energy.rs"]
mod energy;
#[path = "credit/exact.rs"]
mod exact;
#[path = "credit/feedback.rs"]
mod feedback;
#[path = "credit/robustness.rs"]
mod robustness;
#[path = "credit/training.rs"]
mod training;
#[path = "credit/transport.rs"]
mod transport;
