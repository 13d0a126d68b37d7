//! Integration tests of neurograd-optim (one binary, one module per area).

mod common;
mod gradient;
