//! Property tests of the credit-assignment algorithms.
